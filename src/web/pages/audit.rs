//! The auditor's read-only screens: the audit log with each entry's values before and
//! after, the login log, and their CSV exports for archiving. Only the auditor role may
//! open them. The system administrator gets 403, so that the person who runs the system
//! does not also review it.

use crate::web::export::csv_response;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::{DateTime, Utc};
use etown_rules::workflow::Role;
use serde::Deserialize;

use crate::{
    entities::{audit_log, login_log},
    services::{
        audit_logs::{
            self, ACTIONS, AuditFilter, ENTITIES, LoginFilter, action_label, entity_label,
            login_reason_label, pretty_json,
        },
        paging::{Paged, page_query, query_with},
    },
    web::{
        auth::AuthUser,
        error::{AppError, AppResult},
        forms::Errors,
        layout::Layout,
        state::{AppState, beijing},
    },
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit/logs", get(audit_list))
        .route("/audit/logs/{id}", get(audit_detail))
        .route("/audit/logins", get(login_list))
}

/// Formats a moment as Beijing time with seconds, such as 2026-12-04 21:35:07.
fn format_seconds(at: DateTime<Utc>) -> String {
    at.with_timezone(&beijing())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// `?format=csv` requests the export instead of the page.
#[derive(Deserialize, Default)]
struct OutputQuery {
    #[serde(default)]
    format: String,
}

impl OutputQuery {
    fn is_csv(&self) -> bool {
        self.format == "csv"
    }
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// Options of a code select: the known codes with their labels, plus the current value
/// when it is not a known code, so that a link with any code keeps it selected.
fn code_choices(known: &[(&str, &str)], current: &str) -> Vec<Choice> {
    let mut choices: Vec<Choice> = known
        .iter()
        .map(|(value, label)| Choice {
            value: (*value).into(),
            label: (*label).into(),
            selected: *value == current,
        })
        .collect();
    if !current.is_empty() && !known.iter().any(|(value, _)| *value == current) {
        choices.push(Choice {
            value: current.into(),
            label: current.into(),
            selected: true,
        });
    }
    choices
}

/// Page numbers and the links to the neighbouring pages of a list.
struct Pager {
    total: u64,
    page: u64,
    pages: u64,
    previous_query: Option<String>,
    next_query: Option<String>,
}

impl Pager {
    fn empty() -> Self {
        Pager {
            total: 0,
            page: 1,
            pages: 1,
            previous_query: None,
            next_query: None,
        }
    }

    fn of<T, F: serde::Serialize>(paged: &Paged<T>, filter: &F) -> Self {
        Pager {
            total: paged.total,
            page: paged.page,
            pages: paged.pages(),
            previous_query: paged
                .has_previous()
                .then(|| page_query(filter, paged.page - 1)),
            next_query: paged.has_next().then(|| page_query(filter, paged.page + 1)),
        }
    }
}

// ---- audit log ----

struct AuditRow {
    id: i64,
    at: String,
    username: String,
    action: String,
    entity: String,
    entity_id: String,
    request_id: String,
}

impl From<audit_log::Model> for AuditRow {
    fn from(row: audit_log::Model) -> Self {
        AuditRow {
            id: row.id,
            at: format_seconds(row.occurred_at),
            action: action_label(&row.action).to_owned(),
            entity: entity_label(&row.entity).to_owned(),
            username: row.username,
            entity_id: row.entity_id.unwrap_or_default(),
            request_id: row.request_id.unwrap_or_default(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/logs.html")]
struct AuditListPage {
    layout: Layout,
    filter: AuditFilter,
    actions: Vec<Choice>,
    entities: Vec<Choice>,
    rows: Vec<AuditRow>,
    pager: Pager,
    csv_query: String,
    errors: Errors,
}

async fn audit_list(
    State(state): State<AppState>,
    user: AuthUser,
    Query(filter): Query<AuditFilter>,
    Query(output): Query<OutputQuery>,
) -> AppResult<Response> {
    user.require_any(&[Role::Auditor])?;
    if output.is_csv() {
        return export_audit(&state, &filter).await;
    }

    let layout = Layout::new(&state, &user, "操作日志", "audit").crumb("操作日志", "");
    let mut page = AuditListPage {
        layout,
        actions: code_choices(ACTIONS, filter.action.trim()),
        entities: code_choices(ENTITIES, filter.entity.trim()),
        filter: filter.clone(),
        rows: Vec::new(),
        pager: Pager::empty(),
        csv_query: query_with(&filter, "format", "csv"),
        errors: Errors::default(),
    };
    match audit_logs::search_audit(&state.db, &filter).await {
        Ok(found) => {
            page.pager = Pager::of(&found, &filter);
            page.rows = found.items.into_iter().map(AuditRow::from).collect();
            Ok(page.into_response())
        }
        Err(AppError::Invalid(fields)) => {
            page.errors = Errors(fields);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error),
    }
}

async fn export_audit(state: &AppState, filter: &AuditFilter) -> AppResult<Response> {
    let entries = audit_logs::export_audit(&state.db, filter).await?;
    let rows = entries
        .into_iter()
        .map(|row| {
            vec![
                format_seconds(row.occurred_at),
                row.username.clone(),
                action_label(&row.action).to_owned(),
                entity_label(&row.entity).to_owned(),
                row.entity_id.unwrap_or_default(),
                row.request_id.unwrap_or_default(),
                row.before_json.unwrap_or_default(),
                row.after_json.unwrap_or_default(),
            ]
        })
        .collect();
    csv_response(
        "audit-logs",
        state.clock.now(),
        &[
            "时间（北京时间）",
            "用户",
            "操作",
            "对象类型",
            "记录编号",
            "请求编号",
            "变更前",
            "变更后",
        ],
        rows,
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/detail.html")]
struct AuditDetailPage {
    layout: Layout,
    row: AuditRow,
    action_code: String,
    entity_code: String,
    user_id: String,
    before: Option<String>,
    after: Option<String>,
}

async fn audit_detail(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require_any(&[Role::Auditor])?;
    let entry = audit_logs::audit_entry(&state.db, id).await?;
    let layout = Layout::new(&state, &user, "操作日志详情", "audit")
        .crumb("操作日志", "/audit/logs")
        .crumb(format!("第 {id} 条"), "");
    let page = AuditDetailPage {
        layout,
        action_code: entry.action.clone(),
        entity_code: entry.entity.clone(),
        user_id: entry
            .user_id
            .map(|id| id.to_string())
            .unwrap_or_else(|| "—（系统）".into()),
        before: entry.before_json.as_deref().map(pretty_json),
        after: entry.after_json.as_deref().map(pretty_json),
        row: AuditRow::from(entry),
    };
    Ok(page.into_response())
}

// ---- login log ----

struct LoginRow {
    at: String,
    username: String,
    success: bool,
    reason: String,
    ip: String,
}

impl From<login_log::Model> for LoginRow {
    fn from(row: login_log::Model) -> Self {
        LoginRow {
            at: format_seconds(row.occurred_at),
            username: row.username,
            success: row.success,
            reason: login_reason_label(&row.reason).to_owned(),
            ip: row.ip.unwrap_or_default(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/logins.html")]
struct LoginListPage {
    layout: Layout,
    filter: LoginFilter,
    rows: Vec<LoginRow>,
    pager: Pager,
    csv_query: String,
    errors: Errors,
}

async fn login_list(
    State(state): State<AppState>,
    user: AuthUser,
    Query(filter): Query<LoginFilter>,
    Query(output): Query<OutputQuery>,
) -> AppResult<Response> {
    user.require_any(&[Role::Auditor])?;
    if output.is_csv() {
        return export_logins(&state, &filter).await;
    }

    let layout = Layout::new(&state, &user, "登录日志", "logins").crumb("登录日志", "");
    let mut page = LoginListPage {
        layout,
        filter: filter.clone(),
        rows: Vec::new(),
        pager: Pager::empty(),
        csv_query: query_with(&filter, "format", "csv"),
        errors: Errors::default(),
    };
    match audit_logs::search_logins(&state.db, &filter).await {
        Ok(found) => {
            page.pager = Pager::of(&found, &filter);
            page.rows = found.items.into_iter().map(LoginRow::from).collect();
            Ok(page.into_response())
        }
        Err(AppError::Invalid(fields)) => {
            page.errors = Errors(fields);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error),
    }
}

async fn export_logins(state: &AppState, filter: &LoginFilter) -> AppResult<Response> {
    let attempts = audit_logs::export_logins(&state.db, filter).await?;
    let rows = attempts
        .into_iter()
        .map(|row| {
            vec![
                format_seconds(row.occurred_at),
                row.username.clone(),
                if row.success { "成功" } else { "失败" }.to_owned(),
                login_reason_label(&row.reason).to_owned(),
                row.ip.unwrap_or_default(),
            ]
        })
        .collect();
    csv_response(
        "login-logs",
        state.clock.now(),
        &["时间（北京时间）", "用户名", "结果", "原因", "IP 地址"],
        rows,
    )
}
