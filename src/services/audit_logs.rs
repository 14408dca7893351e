//! The auditor's read-only view of the audit log and the login log: filters, pages,
//! exports and the Chinese labels of the stored codes.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Select,
};
use serde::{Deserialize, Serialize};

use crate::{
    entities::{audit_log, login_log},
    services::paging::{Paged, column_contains, fetch_page, parse_page},
    web::{
        error::{AppError, AppResult},
        forms::Errors,
        state::beijing,
    },
};

/// Rows per page of both logs.
pub const ENTRIES_PER_PAGE: u64 = 50;
/// Maximum rows in one CSV export, so that one request cannot tie up the database and the
/// memory with the whole log. A larger range is exported in parts.
pub const MAX_EXPORT_ROWS: u64 = 50_000;

/// Chinese labels of the audit log's actions. Other actions are shown as stored.
pub const ACTIONS: &[(&str, &str)] = &[
    ("create", "新增"),
    ("update", "修改"),
    ("delete", "删除"),
    ("enable", "启用"),
    ("disable", "停用"),
    ("reset_password", "重置密码"),
    ("change_password", "修改密码"),
    ("unlock", "解除锁定"),
    ("revoke", "停用令牌"),
    ("resubmit", "重新提交"),
    ("pass_preliminary", "初审通过"),
    ("request_correction", "要求补正"),
    ("return_application", "退回申请"),
    ("pass_site_review", "现场审核通过"),
    ("fail_site_review", "现场审核不通过"),
    ("conclude_notice", "公示结束"),
    ("reject_after_objection", "异议成立不予授权"),
    ("sign_agreement", "上传已签协议"),
    ("issue_certificate", "颁发证书"),
    ("build_archive", "建立档案"),
    ("confirm_filing", "确认备案"),
    ("withdraw", "撤回申请"),
    ("resolve", "处理异议"),
];

/// Chinese labels of the kinds of records in the audit log. Other kinds are shown as stored.
pub const ENTITIES: &[(&str, &str)] = &[
    ("user", "用户"),
    ("api_token", "接口令牌"),
    ("enterprise", "企业"),
    ("brand", "品牌"),
    ("application", "授权申请"),
    ("license", "授权证书"),
    ("calendar_year", "工作日历"),
    ("setting", "系统设置"),
    ("file", "附件"),
    ("objection", "公示异议"),
    ("reapplication_ban", "禁止申请期"),
];

/// Chinese labels of the reasons stored in the login log. Other reasons are shown as stored.
pub const LOGIN_REASONS: &[(&str, &str)] = &[
    ("ok", "登录成功"),
    ("unknown_user", "用户名不存在"),
    ("wrong_password", "密码错误"),
    (
        "wrong_password_locked",
        "密码错误，连续失败次数过多，账号已被锁定",
    ),
    ("locked", "账号已锁定"),
    ("disabled", "账号已停用"),
];

fn label_of<'a>(labels: &[(&str, &'static str)], code: &'a str) -> &'a str {
    labels
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, label)| *label)
        .unwrap_or(code)
}

/// Returns the Chinese label of an audit action, or the action itself when unknown. The
/// workflow steps use the same labels as the application pages (a test keeps them equal).
pub fn action_label(action: &str) -> &str {
    label_of(ACTIONS, action)
}

/// Returns the Chinese label of a kind of record, or the kind itself when unknown.
pub fn entity_label(entity: &str) -> &str {
    label_of(ENTITIES, entity)
}

/// Returns the Chinese reason of a login attempt, or the stored reason when unknown.
pub fn login_reason_label(reason: &str) -> &str {
    label_of(LOGIN_REASONS, reason)
}

/// Raw filters of the audit log, as the query string gives them.
#[derive(Debug, Default, Clone, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// First day, YYYY-MM-DD in Beijing time.
    #[serde(default)]
    pub from: String,
    /// Last day, included, YYYY-MM-DD in Beijing time.
    #[serde(default)]
    pub to: String,
    /// Part of the login name of the user who made the change.
    #[serde(default)]
    pub user: String,
    /// Kind of record, such as `user`.
    #[serde(default)]
    pub entity: String,
    /// Action, such as `update`.
    #[serde(default)]
    pub action: String,
    /// Page number from 1.
    #[serde(default)]
    pub page: String,
}

/// Raw filters of the login log, as the query string gives them.
#[derive(Debug, Default, Clone, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoginFilter {
    /// First day, YYYY-MM-DD in Beijing time.
    #[serde(default)]
    pub from: String,
    /// Last day, included, YYYY-MM-DD in Beijing time.
    #[serde(default)]
    pub to: String,
    /// Part of the login name that was typed.
    #[serde(default)]
    pub user: String,
    /// `success` or `failure`, or empty for both.
    #[serde(default)]
    pub result: String,
    /// Page number from 1.
    #[serde(default)]
    pub page: String,
}

/// Returns the start of a Beijing day as a UTC moment.
fn beijing_midnight(date: NaiveDate) -> DateTime<Utc> {
    beijing()
        .from_local_datetime(&date.and_time(chrono::NaiveTime::MIN))
        .single()
        .expect("UTC+8 has no gaps")
        .with_timezone(&Utc)
}

/// Reads the date range: `[start of from, start of the day after to)` in UTC.
fn parse_range(
    errors: &mut Errors,
    from: &str,
    to: &str,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let first = errors.date("from", "开始日期", from);
    let last = errors.date("to", "结束日期", to);
    if let (Some(first), Some(last)) = (first, last)
        && last < first
    {
        errors.add(
            "to",
            format!("结束日期 {last} 早于开始日期 {first}，请调整日期范围"),
        );
    }
    (
        first.map(beijing_midnight),
        last.and_then(|day| day.succ_opt()).map(beijing_midnight),
    )
}

fn optional_code(errors: &mut Errors, field: &str, label: &str, value: &str) -> Option<String> {
    errors.optional(field, label, value, 64)
}

/// Checks the audit log filters and builds the query, newest first.
fn audit_query(filter: &AuditFilter) -> AppResult<(Select<audit_log::Entity>, u64)> {
    let mut errors = Errors::default();
    let page = parse_page(&mut errors, &filter.page);
    let (start, end) = parse_range(&mut errors, &filter.from, &filter.to);
    let user = optional_code(&mut errors, "user", "用户", &filter.user);
    let entity = optional_code(&mut errors, "entity", "对象类型", &filter.entity);
    let action = optional_code(&mut errors, "action", "操作", &filter.action);
    errors.into_result()?;

    let mut query = audit_log::Entity::find();
    if let Some(start) = start {
        query = query.filter(audit_log::Column::OccurredAt.gte(start));
    }
    if let Some(end) = end {
        query = query.filter(audit_log::Column::OccurredAt.lt(end));
    }
    if let Some(user) = user {
        query = query.filter(column_contains(audit_log::Column::Username, &user));
    }
    if let Some(entity) = entity {
        query = query.filter(audit_log::Column::Entity.eq(entity));
    }
    if let Some(action) = action {
        query = query.filter(audit_log::Column::Action.eq(action));
    }
    let query = query
        .order_by_desc(audit_log::Column::OccurredAt)
        .order_by_desc(audit_log::Column::Id);
    Ok((query, page))
}

/// Checks the login log filters and builds the query, newest first.
fn login_query(filter: &LoginFilter) -> AppResult<(Select<login_log::Entity>, u64)> {
    let mut errors = Errors::default();
    let page = parse_page(&mut errors, &filter.page);
    let (start, end) = parse_range(&mut errors, &filter.from, &filter.to);
    let user = optional_code(&mut errors, "user", "用户名", &filter.user);
    let success = match filter.result.trim() {
        "" => None,
        "success" => Some(true),
        "failure" => Some(false),
        other => {
            errors.add(
                "result",
                format!("登录结果“{other}”无效，应为 success（成功）或 failure（失败）"),
            );
            None
        }
    };
    errors.into_result()?;

    let mut query = login_log::Entity::find();
    if let Some(start) = start {
        query = query.filter(login_log::Column::OccurredAt.gte(start));
    }
    if let Some(end) = end {
        query = query.filter(login_log::Column::OccurredAt.lt(end));
    }
    if let Some(user) = user {
        query = query.filter(column_contains(login_log::Column::Username, &user));
    }
    if let Some(success) = success {
        query = query.filter(login_log::Column::Success.eq(success));
    }
    let query = query
        .order_by_desc(login_log::Column::OccurredAt)
        .order_by_desc(login_log::Column::Id);
    Ok((query, page))
}

/// Returns one page of the audit log, `ENTRIES_PER_PAGE` entries, newest first.
pub async fn search_audit<C: ConnectionTrait>(
    db: &C,
    filter: &AuditFilter,
) -> AppResult<Paged<audit_log::Model>> {
    let (query, page) = audit_query(filter)?;
    fetch_page(db, query, page, ENTRIES_PER_PAGE).await
}

/// Returns one page of the login log, `ENTRIES_PER_PAGE` entries, newest first.
pub async fn search_logins<C: ConnectionTrait>(
    db: &C,
    filter: &LoginFilter,
) -> AppResult<Paged<login_log::Model>> {
    let (query, page) = login_query(filter)?;
    fetch_page(db, query, page, ENTRIES_PER_PAGE).await
}

/// Returns every audit entry that matches the filters, ignoring the page, for export.
/// Rejects ranges of more than `MAX_EXPORT_ROWS` entries.
pub async fn export_audit<C: ConnectionTrait>(
    db: &C,
    filter: &AuditFilter,
) -> AppResult<Vec<audit_log::Model>> {
    let (query, _) = audit_query(filter)?;
    check_export_size(query.clone().count(db).await?)?;
    Ok(query.all(db).await?)
}

/// Returns every login attempt that matches the filters, ignoring the page, for export.
/// Rejects ranges of more than `MAX_EXPORT_ROWS` attempts.
pub async fn export_logins<C: ConnectionTrait>(
    db: &C,
    filter: &LoginFilter,
) -> AppResult<Vec<login_log::Model>> {
    let (query, _) = login_query(filter)?;
    check_export_size(query.clone().count(db).await?)?;
    Ok(query.all(db).await?)
}

fn check_export_size(count: u64) -> AppResult<()> {
    if count > MAX_EXPORT_ROWS {
        return Err(AppError::rejected(format!(
            "符合条件的记录有 {count} 条，超过单次导出上限 {MAX_EXPORT_ROWS} 条，请缩小日期范围后分批导出。"
        )));
    }
    Ok(())
}

/// Loads one audit entry.
pub async fn audit_entry<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<audit_log::Model> {
    audit_log::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Returns stored JSON pretty-printed, or the text as stored when it is not JSON.
pub fn pretty_json(stored: &str) -> String {
    serde_json::from_str::<serde_json::Value>(stored)
        .and_then(|value| serde_json::to_string_pretty(&value))
        .unwrap_or_else(|_| stored.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_fall_back_to_code() {
        assert_eq!(action_label("update"), "修改");
        for action in etown_rules::workflow::Action::all() {
            assert_eq!(
                action_label(action.as_str()),
                action.label(),
                "{}",
                action.as_str()
            );
        }
        assert_eq!(action_label("merge_records"), "merge_records");
        assert_eq!(entity_label("user"), "用户");
        assert_eq!(login_reason_label("unknown_user"), "用户名不存在");
        assert_eq!(login_reason_label("sso_failed"), "sso_failed");
    }

    #[test]
    fn date_range_in_beijing_time() {
        let mut errors = Errors::default();
        let (start, end) = parse_range(&mut errors, "2026-03-01", "2026-03-01");
        assert!(errors.is_empty());
        assert_eq!(start.unwrap().to_rfc3339(), "2026-02-28T16:00:00+00:00");
        assert_eq!(end.unwrap().to_rfc3339(), "2026-03-01T16:00:00+00:00");
    }

    #[test]
    fn date_range_checked() {
        let mut errors = Errors::default();
        parse_range(&mut errors, "2026-03-02", "2026-03-01");
        assert!(errors.msg("to").contains("早于开始日期"), "{errors:?}");

        let mut errors = Errors::default();
        parse_range(&mut errors, "2026/03/02", "");
        assert!(errors.msg("from").contains("“2026/03/02”"), "{errors:?}");
    }

    #[test]
    fn pretty_json_keeps_invalid_text() {
        assert_eq!(pretty_json("{\"a\":1}"), "{\n  \"a\": 1\n}");
        assert_eq!(pretty_json("not json"), "not json");
    }
}
