//! `/api/v1/users` for the system administrator and `/api/v1/audit/*` for the auditor.
//! They call the same services as the pages, so the rules and the messages are the same.

use axum::{
    Json, Router,
    extract::{Query, State, rejection::JsonRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::{DateTime, Utc};
use etown_rules::workflow::Role;
use serde::{Deserialize, Serialize};

use crate::{
    audit::Actor,
    entities::{audit_log, login_log},
    services::{
        accounts::{self, UserInput},
        audit_logs::{
            self, AuditFilter, LoginFilter, action_label, entity_label, login_reason_label,
        },
        paging::Paged,
        users::{self, UserFilter, UserListItem, UserStatus},
    },
    web::{
        auth::AuthUser,
        error::{AppError, AppResult},
        state::AppState,
    },
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/audit/logs", get(list_audit_logs))
        .route("/audit/logins", get(list_logins))
}

/// One user account. The password hash is never returned.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// Role ids, such as `service_center` or `enterprise`.
    pub roles: Vec<String>,
    pub enterprise_id: Option<i64>,
    /// Name of the linked enterprise.
    pub enterprise_name: Option<String>,
    /// `active`, `disabled` or `locked`.
    pub status: String,
    /// End of the lock after repeated wrong passwords, while it lasts.
    pub locked_until: Option<DateTime<Utc>>,
    pub last_login_at: Option<DateTime<Utc>>,
}

impl From<UserListItem> for UserSummary {
    fn from(item: UserListItem) -> Self {
        UserSummary {
            id: item.user.id,
            username: item.user.username,
            display_name: item.user.display_name,
            roles: role_ids(&item.roles),
            enterprise_id: item.user.enterprise_id,
            enterprise_name: item.enterprise.map(|(name, _)| name),
            status: item.status.as_str().to_owned(),
            locked_until: match item.status {
                UserStatus::Locked(until) => Some(until),
                _ => None,
            },
            last_login_at: item.user.last_login_at,
        }
    }
}

fn role_ids(roles: &[Role]) -> Vec<String> {
    roles.iter().map(|role| role.as_str().to_owned()).collect()
}

/// One page of a list.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    /// Number of matching rows on all pages.
    pub total: u64,
    /// Page number from 1.
    pub page: u64,
    pub per_page: u64,
}

impl<T> ListPage<T> {
    fn from_paged<U>(paged: Paged<U>, convert: impl FnMut(U) -> T) -> Self {
        let paged = paged.map(convert);
        ListPage {
            items: paged.items,
            total: paged.total,
            page: paged.page,
            per_page: paged.per_page,
        }
    }
}

/// Searches user accounts, 20 to a page, in login-name order. System administrators only.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "用户管理",
    params(UserFilter),
    responses(
        (status = 200, body = ListPage<UserSummary>),
        (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, description = "筛选条件无效", body = crate::web::error::ErrorBody)
    )
)]
pub async fn list_users(
    State(state): State<AppState>,
    user: AuthUser,
    Query(filter): Query<UserFilter>,
) -> AppResult<Json<ListPage<UserSummary>>> {
    user.require_any(&[Role::Admin])?;
    let found = users::search(&state.db, &filter, state.clock.now()).await?;
    Ok(Json(ListPage::from_paged(found, UserSummary::from)))
}

/// A new user account.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateUserRequest {
    /// Login name: 3 to 32 letters, digits, `_`, `-` or `.`.
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    /// Role ids, such as `service_center`.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Required for the `enterprise` role.
    #[serde(default)]
    pub enterprise_id: Option<i64>,
    /// Initial password of at least 8 characters with letters and digits. When it is
    /// omitted, the system generates one and returns it once.
    #[serde(default)]
    pub password: Option<String>,
}

/// The created account.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedUserResponse {
    pub user: UserSummary,
    /// The generated initial password, returned only in this response; absent when the
    /// request gave one. The user must change it at the first login.
    pub generated_password: Option<String>,
}

/// Creates a user account. System administrators only.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "用户管理",
    request_body = CreateUserRequest,
    responses(
        (status = 201, body = CreatedUserResponse),
        (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, description = "字段无效，fields 列出每个字段的问题", body = crate::web::error::ErrorBody)
    )
)]
pub async fn create_user(
    State(state): State<AppState>,
    user: AuthUser,
    body: Result<Json<CreateUserRequest>, JsonRejection>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    let Json(request) = body.map_err(|rejection| {
        AppError::field(
            "body",
            format!(
                "请求内容无法解析（{}），应为 JSON 对象，字段见接口文档",
                rejection.body_text()
            ),
        )
    })?;
    let input = UserInput {
        username: request.username,
        display_name: request.display_name,
        roles: request.roles,
        enterprise_id: request
            .enterprise_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        password: request.password,
    };
    let now = state.clock.now();
    let created = accounts::add_user(&state.db, &Actor::from(&user), input, now).await?;
    let detail = users::detail(&state.db, created.user.id, now).await?;
    let summary = UserSummary::from(UserListItem {
        user: detail.user,
        roles: detail.roles,
        enterprise: detail.enterprise,
        status: detail.status,
    });
    let body = CreatedUserResponse {
        user: summary,
        generated_password: created.generated_password,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// One change recorded in the audit log.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    /// The user who made the change; absent for the system itself.
    pub user_id: Option<i64>,
    pub username: String,
    /// Such as `create`, `update`, `reset_password`.
    pub action: String,
    /// Chinese label of the action, or the action itself when it has none.
    pub action_label: String,
    /// Kind of record, such as `user`.
    pub entity: String,
    pub entity_label: String,
    pub entity_id: Option<String>,
    pub request_id: Option<String>,
    /// The record before the change; absent for a new record.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The record after the change; absent for a deleted record.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

/// Parses stored JSON. Text that is not JSON is returned as a JSON string.
fn stored_json(text: Option<String>) -> Option<serde_json::Value> {
    text.map(|text| serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

impl From<audit_log::Model> for AuditEntry {
    fn from(row: audit_log::Model) -> Self {
        AuditEntry {
            id: row.id,
            occurred_at: row.occurred_at,
            user_id: row.user_id,
            action_label: action_label(&row.action).to_owned(),
            entity_label: entity_label(&row.entity).to_owned(),
            username: row.username,
            action: row.action,
            entity: row.entity,
            entity_id: row.entity_id,
            request_id: row.request_id,
            before: stored_json(row.before_json),
            after: stored_json(row.after_json),
        }
    }
}

/// Returns the audit log, 50 entries to a page, newest first. Auditors only.
#[utoipa::path(
    get,
    path = "/api/v1/audit/logs",
    tag = "安全审计",
    params(AuditFilter),
    responses(
        (status = 200, body = ListPage<AuditEntry>),
        (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, description = "筛选条件无效", body = crate::web::error::ErrorBody)
    )
)]
pub async fn list_audit_logs(
    State(state): State<AppState>,
    user: AuthUser,
    Query(filter): Query<AuditFilter>,
) -> AppResult<Json<ListPage<AuditEntry>>> {
    user.require_any(&[Role::Auditor])?;
    let found = audit_logs::search_audit(&state.db, &filter).await?;
    Ok(Json(ListPage::from_paged(found, AuditEntry::from)))
}

/// One login attempt.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginEntry {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    /// The login name as typed, which need not exist.
    pub username: String,
    pub user_id: Option<i64>,
    pub success: bool,
    /// Such as `ok`, `unknown_user`, `wrong_password`, `locked`, `disabled`.
    pub reason: String,
    /// Chinese label of the reason.
    pub reason_label: String,
    pub ip: Option<String>,
}

impl From<login_log::Model> for LoginEntry {
    fn from(row: login_log::Model) -> Self {
        LoginEntry {
            id: row.id,
            occurred_at: row.occurred_at,
            reason_label: login_reason_label(&row.reason).to_owned(),
            username: row.username,
            user_id: row.user_id,
            success: row.success,
            reason: row.reason,
            ip: row.ip,
        }
    }
}

/// Returns the login log, 50 attempts to a page, newest first. Auditors only.
#[utoipa::path(
    get,
    path = "/api/v1/audit/logins",
    tag = "安全审计",
    params(LoginFilter),
    responses(
        (status = 200, body = ListPage<LoginEntry>),
        (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, description = "筛选条件无效", body = crate::web::error::ErrorBody)
    )
)]
pub async fn list_logins(
    State(state): State<AppState>,
    user: AuthUser,
    Query(filter): Query<LoginFilter>,
) -> AppResult<Json<ListPage<LoginEntry>>> {
    user.require_any(&[Role::Auditor])?;
    let found = audit_logs::search_logins(&state.db, &filter).await?;
    Ok(Json(ListPage::from_paged(found, LoginEntry::from)))
}
