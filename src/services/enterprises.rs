//! Enterprises (电商企业): validation of their records, creation by staff or by
//! self-registration, updates, and reads limited to the user's data scope.
//!
//! Staff with a role in `VIEW_ROLES` see every enterprise. An enterprise user sees only its
//! own record, and any other id reads as not found (404), so ids of other enterprises
//! cannot be probed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use etown_rules::{mobile::Mobile, subject::SubjectType, uscc::Uscc, workflow::Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, SqlErr, TransactionTrait,
    sea_query::LikeExpr,
};
use serde::Deserialize;

use crate::{
    audit::{self, Actor},
    entities::{audit_log, division, enterprise, setting, user},
    services::accounts::{self, NewUser},
    web::{
        auth::{AuthUser, check_password_strength},
        error::{AppError, AppResult},
        forms::{Errors, truncate},
        state::AppState,
    },
};

/// Staff roles that see every enterprise.
pub const VIEW_ROLES: &[Role] = &[
    Role::ServiceCenter,
    Role::Lgo,
    Role::Admin,
    Role::Bureau,
    Role::Collector,
];

/// Staff roles that create enterprises and edit any enterprise's record.
pub const EDIT_ROLES: &[Role] = &[Role::ServiceCenter, Role::Admin, Role::Collector];

/// Rows per page of the enterprise list.
pub const PAGE_SIZE: u64 = 20;

/// Minimum length, in characters, of the reason for accepting a code that fails the check.
const MIN_LEGACY_REASON_CHARS: usize = 5;

/// An enterprise record as submitted by a form or an API client, before validation.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EnterpriseInput {
    /// 企业名称, 2 to 100 characters.
    pub name: String,
    /// 统一社会信用代码, 18 characters. Lower-case letters are accepted and stored upper-case.
    pub uscc: String,
    /// Reason for accepting a code that fails the GB 32100 check (at least 5 characters).
    /// Only administrators may send it, so other callers leave it empty.
    pub legacy_reason: String,
    /// 主体类型: an id such as `company` or its Chinese label.
    pub subject_type: String,
    /// 注册地址.
    pub registered_address: String,
    /// 所在乡镇（街道）: the 9-digit code or the name of one of the county's divisions.
    pub division_code: String,
    /// Whether the enterprise is registered in the county.
    pub registered_in_houma: bool,
    /// Whether it operates in the county through a registered branch, division or marketing
    /// center, which is required when it is registered elsewhere.
    pub operates_via_branch: bool,
    /// Name of that branch, required when `operates_via_branch` is true.
    pub branch_name: String,
    /// 生产基地或经营场所.
    pub production_base: String,
    /// Whether the enterprise sells another producer's goods as an agent.
    pub is_agent: bool,
    /// Name of the producer whose goods an agent sells, required when `is_agent` is true.
    pub producer_name: String,
    /// 联系人.
    pub contact_name: String,
    /// 联系电话: a mainland mobile number, stored as its 11 digits.
    pub contact_mobile: String,
    /// 企业简介, optional.
    pub description: String,
}

impl EnterpriseInput {
    /// Returns the stored record as form values, for the edit page.
    pub fn from_model(row: &enterprise::Model) -> Self {
        EnterpriseInput {
            name: row.name.clone(),
            uscc: row.uscc.clone(),
            legacy_reason: row.uscc_override_reason.clone().unwrap_or_default(),
            subject_type: row.subject_type.clone(),
            registered_address: row.registered_address.clone(),
            division_code: row.division_code.clone(),
            registered_in_houma: row.registered_in_houma,
            operates_via_branch: row.operates_via_branch,
            branch_name: row.branch_name.clone().unwrap_or_default(),
            production_base: row.production_base.clone(),
            is_agent: row.is_agent,
            producer_name: row.producer_name.clone().unwrap_or_default(),
            contact_name: row.contact_name.clone(),
            contact_mobile: row.contact_mobile.clone(),
            description: row.description.clone().unwrap_or_default(),
        }
    }
}

/// A self-registration: the enterprise and the account that will manage it.
#[derive(Debug, Clone, Default)]
pub struct RegistrationInput {
    pub enterprise: EnterpriseInput,
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub password_confirm: String,
}

/// Filters of the enterprise list. Empty values do not filter.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ListQuery {
    /// Part of the enterprise name or of the unified social credit code.
    pub q: String,
    /// Division code (所在乡镇（街道）).
    pub division_code: String,
    /// Subject type id, such as `cooperative`.
    pub subject_type: String,
    /// Page number, starting at 1.
    pub page: u64,
}

/// One page of the enterprise list, newest first.
pub struct EnterprisePage {
    pub rows: Vec<enterprise::Model>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
}

/// Field values that passed every check.
struct ValidEnterprise {
    name: String,
    uscc: String,
    uscc_override_reason: Option<String>,
    subject_type: SubjectType,
    registered_address: String,
    division_code: String,
    registered_in_houma: bool,
    operates_via_branch: bool,
    branch_name: Option<String>,
    production_base: String,
    is_agent: bool,
    producer_name: Option<String>,
    contact_name: String,
    contact_mobile: Mobile,
    description: Option<String>,
}

/// Permissions for setting the code, and the record being edited if any.
struct UsccPolicy<'a> {
    /// Administrators may accept a code that fails the check, with a reason.
    allow_legacy: bool,
    /// The stored record when editing.
    current: Option<&'a enterprise::Model>,
    /// True for staff, who may change the code of an existing record, and false for the
    /// enterprise itself, which may not.
    may_change: bool,
}

/// Creates an enterprise on behalf of a staff member (商贸服务中心, 信息采集专员 or
/// administrator). Only an administrator may accept a code that fails the GB 32100 check.
pub async fn create(
    state: &AppState,
    user: &AuthUser,
    input: &EnterpriseInput,
) -> AppResult<enterprise::Model> {
    user.require_any(EDIT_ROLES)?;
    let policy = UsccPolicy {
        allow_legacy: user.has(Role::Admin),
        current: None,
        may_change: true,
    };
    let valid = validate(&state.db, input, &policy).await?;

    let txn = state.db.begin().await?;
    let row = insert(&txn, &Actor::from(user), valid, state.clock.now()).await?;
    txn.commit().await?;
    tracing::info!(enterprise_id = row.id, "enterprise created");
    Ok(row)
}

/// Registers an enterprise and its first account (role 企业用户) in one transaction, so
/// that a failure of either part saves neither.
pub async fn register(
    state: &AppState,
    actor: &Actor<'_>,
    input: &RegistrationInput,
) -> AppResult<(enterprise::Model, user::Model)> {
    let policy = UsccPolicy {
        allow_legacy: false,
        current: None,
        may_change: true,
    };
    let enterprise_check = validate(&state.db, &input.enterprise, &policy).await;
    let mut account_errors = check_account(input);
    let valid = match enterprise_check {
        Ok(valid) => {
            account_errors.into_result()?;
            valid
        }
        Err(AppError::Invalid(fields)) => {
            let mut all = fields;
            all.append(&mut account_errors.0);
            return Err(AppError::Invalid(all));
        }
        Err(other) => return Err(other),
    };

    let now = state.clock.now();
    let username = input.username.trim().to_owned();
    let txn = state.db.begin().await?;
    let enterprise = insert(&txn, actor, valid, now).await?;
    let new_user = NewUser {
        username: username.clone(),
        display_name: input.display_name.trim().to_owned(),
        password: input.password.clone(),
        roles: vec![Role::Enterprise],
        enterprise_id: Some(enterprise.id),
        must_change_password: false,
    };
    let account = accounts::create_user(&txn, actor, new_user, now)
        .await
        .map_err(|error| username_conflict(error, &username))?;
    txn.commit().await?;
    tracing::info!(
        enterprise_id = enterprise.id,
        user_id = account.id,
        "enterprise registered"
    );
    Ok((enterprise, account))
}

/// Updates an enterprise's record. Editing staff may change every field, and the
/// enterprise's own users every field except the unified social credit code.
pub async fn update(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    input: &EnterpriseInput,
) -> AppResult<enterprise::Model> {
    let current = get(&state.db, user, id).await?;
    let is_editing_staff = user.has_any(EDIT_ROLES);
    if !is_editing_staff && !is_own(user, id) {
        return Err(AppError::Forbidden(
            "企业信息仅限商贸服务中心、信息采集专员、系统管理员或企业本身修改，您的账号没有相应权限。"
                .into(),
        ));
    }
    let policy = UsccPolicy {
        allow_legacy: user.has(Role::Admin),
        current: Some(&current),
        may_change: is_editing_staff,
    };
    let valid = validate(&state.db, input, &policy).await?;

    let now = state.clock.now();
    let before = audit_view(&current);
    let uscc = valid.uscc.clone();
    let mut active: enterprise::ActiveModel = current.into();
    active.name = Set(valid.name);
    active.uscc = Set(valid.uscc);
    active.uscc_override_reason = Set(valid.uscc_override_reason);
    active.subject_type = Set(valid.subject_type.as_str().to_owned());
    active.registered_address = Set(valid.registered_address);
    active.division_code = Set(valid.division_code);
    active.registered_in_houma = Set(valid.registered_in_houma);
    active.operates_via_branch = Set(valid.operates_via_branch);
    active.branch_name = Set(valid.branch_name);
    active.production_base = Set(valid.production_base);
    active.is_agent = Set(valid.is_agent);
    active.producer_name = Set(valid.producer_name);
    active.contact_name = Set(valid.contact_name);
    active.contact_mobile = Set(valid.contact_mobile.as_str().to_owned());
    active.description = Set(valid.description);
    active.updated_at = Set(now);

    let txn = state.db.begin().await?;
    let row = active
        .update(&txn)
        .await
        .map_err(|error| uscc_conflict(error, &uscc))?;
    audit::record(
        &txn,
        &Actor::from(user),
        "update",
        "enterprise",
        row.id,
        Some(&before),
        Some(&audit_view(&row)),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(enterprise_id = row.id, "enterprise updated");
    Ok(row)
}

/// Returns one enterprise within the user's data scope. Ids outside it are not found.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    user: &AuthUser,
    id: i64,
) -> AppResult<enterprise::Model> {
    let mut query = enterprise::Entity::find_by_id(id);
    if let Some(own_id) = view_scope(user)? {
        query = query.filter(enterprise::Column::Id.eq(own_id));
    }
    query.one(db).await?.ok_or(AppError::NotFound)
}

/// Lists the enterprises within the user's data scope, newest first, one page at a time.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    user: &AuthUser,
    filter: &ListQuery,
) -> AppResult<EnterprisePage> {
    let mut query = enterprise::Entity::find();
    if let Some(own_id) = view_scope(user)? {
        query = query.filter(enterprise::Column::Id.eq(own_id));
    }

    let search = filter.q.trim();
    if !search.is_empty() {
        let name_pattern = format!("%{}%", escape_like(search));
        let code_pattern = format!("%{}%", escape_like(&search.to_ascii_uppercase()));
        query = query.filter(
            Condition::any()
                .add(enterprise::Column::Name.like(LikeExpr::new(name_pattern).escape('\\')))
                .add(enterprise::Column::Uscc.like(LikeExpr::new(code_pattern).escape('\\'))),
        );
    }
    let division_code = filter.division_code.trim();
    if !division_code.is_empty() {
        query = query.filter(enterprise::Column::DivisionCode.eq(division_code));
    }
    let subject_type = filter.subject_type.trim();
    if !subject_type.is_empty() {
        let subject_type = SubjectType::parse(subject_type)
            .map_err(|error| AppError::field("subject_type", error.to_string()))?;
        query = query.filter(enterprise::Column::SubjectType.eq(subject_type.as_str()));
    }

    let paginator = query
        .order_by_desc(enterprise::Column::CreatedAt)
        .order_by_desc(enterprise::Column::Id)
        .paginate(db, PAGE_SIZE);
    let total = paginator.num_items().await?;
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = filter.page.clamp(1, pages);
    let rows = paginator.fetch_page(page - 1).await?;
    Ok(EnterprisePage {
        rows,
        total,
        page,
        pages,
    })
}

/// Returns the county's towns and subdistricts in their display order.
pub async fn divisions<C: ConnectionTrait>(db: &C) -> AppResult<Vec<division::Model>> {
    Ok(division::Entity::find()
        .order_by_asc(division::Column::SortOrder)
        .all(db)
        .await?)
}

/// Returns the division names by code, for showing names in lists.
pub async fn division_names<C: ConnectionTrait>(db: &C) -> AppResult<HashMap<String, String>> {
    Ok(divisions(db)
        .await?
        .into_iter()
        .map(|row| (row.code, row.name))
        .collect())
}

/// Returns the county's name from the settings, such as 侯马市.
pub async fn county_name<C: ConnectionTrait>(db: &C) -> AppResult<String> {
    let row = setting::Entity::find_by_id("county_name".to_owned())
        .one(db)
        .await?;
    Ok(row.map(|row| row.value).unwrap_or_else(|| "本县".into()))
}

/// Returns the change history of one enterprise from the audit log, newest first.
pub async fn history<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Vec<audit_log::Model>> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("enterprise"))
        .filter(audit_log::Column::EntityId.eq(id.to_string()))
        .order_by_desc(audit_log::Column::Id)
        .all(db)
        .await?)
}

/// Returns whether the user may edit this enterprise's record.
pub fn may_edit(user: &AuthUser, id: i64) -> bool {
    user.has_any(EDIT_ROLES) || is_own(user, id)
}

/// Returns whether the user may read the full contact mobile: staff and the enterprise
/// itself. Everyone else, and every list, gets the masked form.
pub fn may_see_full_mobile(user: &AuthUser, id: i64) -> bool {
    user.has_any(VIEW_ROLES) || is_own(user, id)
}

/// Returns a stored mobile number masked as in 138****5678.
pub fn mask_mobile(stored: &str) -> String {
    Mobile::parse(stored)
        .map(|mobile| mobile.masked())
        .unwrap_or_else(|_| "***********".into())
}

/// Returns the Chinese label of a stored subject type id, or the id when it is unknown.
pub fn subject_type_label(stored: &str) -> String {
    SubjectType::parse(stored)
        .map(|value| value.label().to_owned())
        .unwrap_or_else(|_| stored.to_owned())
}

fn is_own(user: &AuthUser, id: i64) -> bool {
    user.has(Role::Enterprise) && user.enterprise_id == Some(id)
}

/// Returns `None` for users who may read every enterprise, or the id of the only enterprise
/// the user may read. Rejects users with neither a viewing staff role nor the enterprise role.
fn view_scope(user: &AuthUser) -> AppResult<Option<i64>> {
    if user.has_any(VIEW_ROLES) {
        return Ok(None);
    }
    if user.has(Role::Enterprise) {
        // An enterprise user without an enterprise matches no row.
        return Ok(Some(user.enterprise_id.unwrap_or(-1)));
    }
    user.require_any(VIEW_ROLES)?;
    Ok(None)
}

/// Escapes the LIKE wildcards `%` and `_` and the escape character itself.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        if matches!(character, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}

/// Checks every field and reports all problems together.
async fn validate<C: ConnectionTrait>(
    db: &C,
    input: &EnterpriseInput,
    policy: &UsccPolicy<'_>,
) -> AppResult<ValidEnterprise> {
    let mut errors = Errors::default();
    let county = county_name(db).await?;

    let name = input.name.trim().to_owned();
    let name_chars = name.chars().count();
    if name.is_empty() {
        errors.add("name", "企业名称不能为空，请填写营业执照上的名称");
    } else if !(2..=100).contains(&name_chars) {
        errors.add(
            "name",
            format!(
                "企业名称“{}”有 {name_chars} 个字，应为 2 至 100 个字",
                truncate(&name, 20)
            ),
        );
    }

    let uscc = check_uscc(&mut errors, input, policy);

    let subject_type = if input.subject_type.trim().is_empty() {
        errors.add("subject_type", "主体类型不能为空，请选择");
        None
    } else {
        match SubjectType::parse(&input.subject_type) {
            Ok(value) => Some(value),
            Err(error) => {
                errors.add("subject_type", error.to_string());
                None
            }
        }
    };

    let registered_address = errors.required(
        "registered_address",
        "注册地址",
        &input.registered_address,
        200,
    );

    let division_code = check_division(db, &mut errors, &input.division_code, &county).await?;

    let branch_name = input.branch_name.trim();
    if !input.registered_in_houma && !input.operates_via_branch {
        errors.add(
            "operates_via_branch",
            format!(
                "注册地不在{county}的企业，须通过在{county}登记注册的分公司、分支机构或营销中心经营：请勾选“通过分支机构在{county}经营”并填写分支机构名称"
            ),
        );
    } else if input.operates_via_branch && branch_name.is_empty() {
        errors.add(
            "branch_name",
            format!(
                "已勾选通过分支机构在{county}经营，请填写该分公司、分支机构或营销中心的登记名称"
            ),
        );
    }
    let branch_name = if input.operates_via_branch {
        errors.optional("branch_name", "分支机构名称", branch_name, 100)
    } else {
        None
    };

    let production_base = errors.required(
        "production_base",
        "生产基地或经营场所",
        &input.production_base,
        500,
    );

    let producer_name = if input.is_agent {
        if input.producer_name.trim().is_empty() {
            errors.add(
                "producer_name",
                "代理商须填写所代理产品的生产企业名称，并在申请授权时提交加盖生产企业公章的授权书或销售协议",
            );
        }
        errors.optional("producer_name", "生产企业名称", &input.producer_name, 100)
    } else {
        None
    };

    let contact_name = errors.required("contact_name", "联系人", &input.contact_name, 50);

    let contact_mobile = match Mobile::parse(&input.contact_mobile) {
        Ok(mobile) => Some(mobile),
        Err(error) => {
            errors.add("contact_mobile", error.to_string());
            None
        }
    };

    let description = errors.optional("description", "企业简介", &input.description, 2000);

    errors.into_result()?;
    let (
        Some((uscc, uscc_override_reason)),
        Some(subject_type),
        Some(division_code),
        Some(contact_mobile),
    ) = (uscc, subject_type, division_code, contact_mobile)
    else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "enterprise validation left a value unset without recording an error"
        )));
    };
    Ok(ValidEnterprise {
        name,
        uscc,
        uscc_override_reason,
        subject_type,
        registered_address,
        division_code,
        registered_in_houma: input.registered_in_houma,
        operates_via_branch: input.operates_via_branch,
        branch_name,
        production_base,
        is_agent: input.is_agent,
        producer_name,
        contact_name,
        contact_mobile,
        description,
    })
}

/// Checks the unified social credit code and returns it with the reason for accepting a
/// code that fails the check, if any.
///
/// An unchanged code of an existing record keeps its stored reason and is not checked
/// again, so that editing other fields of a record with an accepted legacy code works.
/// When an administrator gives a reason, only length and characters are checked, and a
/// code that passes the full check anyway is stored without the reason.
fn check_uscc(
    errors: &mut Errors,
    input: &EnterpriseInput,
    policy: &UsccPolicy<'_>,
) -> Option<(String, Option<String>)> {
    let text = input.uscc.trim();
    let reason = input.legacy_reason.trim();

    if !reason.is_empty() && !policy.allow_legacy {
        errors.add(
            "legacy_reason",
            "只有系统管理员可以登记未通过校验的统一社会信用代码，请清空“接受原因”后重新提交，或联系系统管理员办理",
        );
    }

    if let Some(current) = policy.current {
        // The enterprise's own form has no code input, so an empty code keeps the stored one.
        let unchanged =
            (text.is_empty() && !policy.may_change) || text.to_ascii_uppercase() == current.uscc;
        if unchanged && (reason.is_empty() || !policy.allow_legacy) {
            return Some((current.uscc.clone(), current.uscc_override_reason.clone()));
        }
        if !policy.may_change && !unchanged {
            errors.add(
                "uscc",
                format!(
                    "统一社会信用代码“{}”与登记的“{}”不同。企业不能自行修改统一社会信用代码，如需更正请联系商贸服务中心",
                    truncate(text, 30),
                    current.uscc
                ),
            );
            return None;
        }
    }

    if policy.allow_legacy && !reason.is_empty() {
        let reason_chars = reason.chars().count();
        if reason_chars < MIN_LEGACY_REASON_CHARS {
            errors.add(
                "legacy_reason",
                format!(
                    "接受原因“{reason}”只有 {reason_chars} 个字，应至少 {MIN_LEGACY_REASON_CHARS} 个字，请写明该代码为何未通过校验以及核实的情况"
                ),
            );
        } else if reason_chars > 500 {
            errors.add("legacy_reason", "接受原因过长，应不超过 500 个字");
        }
        return match Uscc::parse_legacy(text) {
            Ok(code) => {
                let stored_reason = if Uscc::parse(text).is_ok() {
                    None
                } else {
                    Some(reason.to_owned())
                };
                Some((code.as_str().to_owned(), stored_reason))
            }
            Err(error) => {
                errors.add("uscc", error.to_string());
                None
            }
        };
    }

    match Uscc::parse(text) {
        Ok(code) => Some((code.as_str().to_owned(), None)),
        Err(error) => {
            errors.add("uscc", error.to_string());
            None
        }
    }
}

/// Looks the division up by code or by name and returns its code.
async fn check_division<C: ConnectionTrait>(
    db: &C,
    errors: &mut Errors,
    value: &str,
    county: &str,
) -> AppResult<Option<String>> {
    let value = value.trim();
    if value.is_empty() {
        errors.add("division_code", "所在乡镇（街道）不能为空，请选择");
        return Ok(None);
    }
    let found = division::Entity::find()
        .filter(
            Condition::any()
                .add(division::Column::Code.eq(value))
                .add(division::Column::Name.eq(value)),
        )
        .one(db)
        .await?;
    match found {
        Some(row) => Ok(Some(row.code)),
        None => {
            errors.add(
                "division_code",
                format!(
                    "所在乡镇（街道）“{}”不是{county}的乡镇或街道，请从列表中选择",
                    truncate(value, 30)
                ),
            );
            Ok(None)
        }
    }
}

/// Checks the account fields of a self-registration.
fn check_account(input: &RegistrationInput) -> Errors {
    let mut errors = Errors::default();
    if let Err(message) = accounts::check_username(input.username.trim()) {
        errors.add("username", message);
    }
    errors.required("display_name", "账号显示名称", &input.display_name, 50);
    if let Err(message) = check_password_strength(&input.password) {
        errors.add("password", format!("密码不符合要求：{message}"));
    }
    if input.password != input.password_confirm {
        errors.add("password_confirm", "两次输入的密码不一致，请重新输入");
    }
    errors
}

/// Inserts a validated enterprise and its audit entry in the caller's transaction.
async fn insert<C: ConnectionTrait>(
    db: &C,
    actor: &Actor<'_>,
    valid: ValidEnterprise,
    now: DateTime<Utc>,
) -> AppResult<enterprise::Model> {
    let uscc = valid.uscc.clone();
    let row = enterprise::ActiveModel {
        name: Set(valid.name),
        uscc: Set(valid.uscc),
        uscc_override_reason: Set(valid.uscc_override_reason),
        subject_type: Set(valid.subject_type.as_str().to_owned()),
        registered_address: Set(valid.registered_address),
        division_code: Set(valid.division_code),
        registered_in_houma: Set(valid.registered_in_houma),
        operates_via_branch: Set(valid.operates_via_branch),
        branch_name: Set(valid.branch_name),
        production_base: Set(valid.production_base),
        is_agent: Set(valid.is_agent),
        producer_name: Set(valid.producer_name),
        contact_name: Set(valid.contact_name),
        contact_mobile: Set(valid.contact_mobile.as_str().to_owned()),
        description: Set(valid.description),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|error| uscc_conflict(error, &uscc))?;

    audit::record(
        db,
        actor,
        "create",
        "enterprise",
        row.id,
        None,
        Some(&audit_view(&row)),
    )
    .await?;
    Ok(row)
}

/// Returns the record as the audit log keeps it: with the mobile masked, because personal
/// numbers stay out of every log.
fn audit_view(row: &enterprise::Model) -> enterprise::Model {
    let mut view = row.clone();
    view.contact_mobile = mask_mobile(&row.contact_mobile);
    view
}

fn is_unique_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Turns a violation of the unique code constraint into a field error. The enterprises
/// table has no other unique column, so any unique violation of its rows is the code.
fn uscc_conflict(error: DbErr, uscc: &str) -> AppError {
    if is_unique_violation(&error) {
        return AppError::field(
            "uscc",
            format!(
                "统一社会信用代码“{uscc}”已被其他企业登记，同一代码只能登记一次；如确为本企业的代码，请联系商贸服务中心核实"
            ),
        );
    }
    error.into()
}

/// Turns a violation of the unique login name constraint, which a concurrent registration
/// can cause after the check in `create_user`, into a field error.
fn username_conflict(error: AppError, username: &str) -> AppError {
    if let AppError::Internal(inner) = &error
        && inner
            .downcast_ref::<DbErr>()
            .is_some_and(is_unique_violation)
    {
        return AppError::field("username", format!("用户名“{username}”已被使用，请换一个"));
    }
    error
}
