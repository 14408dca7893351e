//! User administration for the system administrator: the user list, creating and editing
//! accounts, password resets, unlocking, disabling and enabling.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use chrono::{DateTime, Utc};
use etown_rules::workflow::Role;
use sea_orm::EntityTrait;
use serde::Deserialize;

use crate::{
    audit::Actor,
    entities::user,
    services::{
        accounts::{self, UserChanges, UserInput},
        audit_logs::login_reason_label,
        paging::page_query,
        users::{self, UserDetail, UserFilter, UserStatus},
    },
    web::{
        auth::AuthUser,
        error::{AppError, AppResult},
        forms::{CsrfForm, Errors},
        layout::Layout,
        state::{AppState, format_beijing},
    },
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list))
        .route("/admin/users/new", get(new_form).post(create))
        .route("/admin/users/{id}", get(show))
        .route("/admin/users/{id}/edit", get(edit_form).post(update))
        .route("/admin/users/{id}/reset-password", post(reset_password))
        .route("/admin/users/{id}/unlock", post(unlock))
        .route("/admin/users/{id}/disable", post(disable))
        .route("/admin/users/{id}/enable", post(enable))
}

const LIST_TITLE: &str = "用户管理";
const LIST_HREF: &str = "/admin/users";

fn format_optional(at: Option<DateTime<Utc>>) -> String {
    at.map(format_beijing).unwrap_or_else(|| "—".into())
}

fn role_labels(roles: &[Role]) -> String {
    let labels: Vec<&str> = roles.iter().map(Role::label).collect();
    labels.join("、")
}

/// Label and CSS tag class of an account status.
fn status_tag(status: UserStatus) -> (String, &'static str) {
    match status {
        UserStatus::Active => ("正常".into(), "ok"),
        UserStatus::Disabled => ("已停用".into(), "bad"),
        UserStatus::Locked(until) => (format!("锁定至 {}", format_beijing(until)), "warn"),
    }
}

fn enterprise_text(enterprise: &Option<(String, String)>) -> String {
    match enterprise {
        Some((name, uscc)) => format!("{name}（{uscc}）"),
        None => "—".into(),
    }
}

/// A choice of a select or a group of checkboxes.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn role_choices(selected: &[String]) -> Vec<Choice> {
    Role::all()
        .iter()
        .map(|role| Choice {
            value: role.as_str().to_owned(),
            label: role.label().to_owned(),
            selected: selected.iter().any(|value| value == role.as_str()),
        })
        .collect()
}

// ---- list ----

struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    roles: String,
    enterprise: String,
    status: String,
    status_class: &'static str,
    last_login: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "users/list.html")]
struct ListPage {
    layout: Layout,
    filter: UserFilter,
    roles: Vec<Choice>,
    statuses: Vec<Choice>,
    rows: Vec<UserRow>,
    total: u64,
    page: u64,
    pages: u64,
    previous_query: Option<String>,
    next_query: Option<String>,
    errors: Errors,
}

async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    Query(filter): Query<UserFilter>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    let layout = Layout::new(&state, &user, LIST_TITLE, "users").crumb(LIST_TITLE, "");
    let roles = role_choices(std::slice::from_ref(&filter.role));
    let statuses = [
        ("active", "正常"),
        ("disabled", "已停用"),
        ("locked", "锁定中"),
    ]
    .iter()
    .map(|(value, label)| Choice {
        value: (*value).into(),
        label: (*label).into(),
        selected: filter.status == *value,
    })
    .collect();

    let mut page = ListPage {
        layout,
        filter: filter.clone(),
        roles,
        statuses,
        rows: Vec::new(),
        total: 0,
        page: 1,
        pages: 1,
        previous_query: None,
        next_query: None,
        errors: Errors::default(),
    };
    let found = match users::search(&state.db, &filter, state.clock.now()).await {
        Ok(found) => found,
        Err(AppError::Invalid(fields)) => {
            page.errors = Errors(fields);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(error) => return Err(error),
    };

    page.total = found.total;
    page.page = found.page;
    page.pages = found.pages();
    page.previous_query = found
        .has_previous()
        .then(|| page_query(&filter, found.page - 1));
    page.next_query = found
        .has_next()
        .then(|| page_query(&filter, found.page + 1));
    page.rows = found
        .items
        .into_iter()
        .map(|item| {
            let (status, status_class) = status_tag(item.status);
            UserRow {
                id: item.user.id,
                username: item.user.username,
                display_name: item.user.display_name,
                roles: role_labels(&item.roles),
                enterprise: enterprise_text(&item.enterprise),
                status,
                status_class,
                last_login: format_optional(item.user.last_login_at),
            }
        })
        .collect();
    Ok(page.into_response())
}

// ---- new and edit ----

/// Fields of the new-user and edit forms. The edit form has no login name or password.
#[derive(Deserialize, Default)]
struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    enterprise_id: String,
    /// `typed` when the administrator types the initial password; anything else generates one.
    #[serde(default)]
    password_mode: String,
    #[serde(default)]
    password: String,
    /// `active` or `disabled`, on the edit form.
    #[serde(default)]
    status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "users/form.html")]
struct FormPage {
    layout: Layout,
    /// `None` on the new-user form.
    user_id: Option<i64>,
    username: String,
    display_name: String,
    roles: Vec<Choice>,
    enterprises: Vec<Choice>,
    password_typed: bool,
    is_active: bool,
    errors: Errors,
    /// Message of a business rule that rejected the whole change, shown above the form.
    rejection: Option<String>,
}

impl FormPage {
    fn action(&self) -> String {
        match self.user_id {
            Some(id) => format!("/admin/users/{id}/edit"),
            None => "/admin/users/new".into(),
        }
    }
}

/// Builds the new-user form (no `user_id`) or the edit form, refilled from `form`.
async fn form_page(
    state: &AppState,
    user: &AuthUser,
    user_id: Option<i64>,
    form: UserForm,
    is_active: bool,
    errors: Errors,
) -> AppResult<FormPage> {
    let title = if user_id.is_some() {
        "编辑用户"
    } else {
        "新增用户"
    };
    let layout = Layout::new(state, user, title, "users")
        .crumb(LIST_TITLE, LIST_HREF)
        .crumb(title, "");
    let selected_enterprise = form.enterprise_id.trim().to_owned();
    let enterprises = users::enterprise_choices(&state.db)
        .await?
        .into_iter()
        .map(|choice| {
            let value = choice.id.to_string();
            Choice {
                selected: value == selected_enterprise,
                value,
                label: format!("{}（{}）", choice.name, choice.uscc),
            }
        })
        .collect();
    Ok(FormPage {
        layout,
        user_id,
        username: form.username,
        display_name: form.display_name,
        roles: role_choices(&form.roles),
        enterprises,
        password_typed: form.password_mode == "typed",
        is_active,
        errors,
        rejection: None,
    })
}

async fn new_form(State(state): State<AppState>, user: AuthUser) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    let page = form_page(
        &state,
        &user,
        None,
        UserForm::default(),
        true,
        Errors::default(),
    )
    .await?;
    Ok(page.into_response())
}

async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    CsrfForm(form): CsrfForm<UserForm>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    let input = UserInput {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        roles: form.roles.clone(),
        enterprise_id: form.enterprise_id.clone(),
        password: (form.password_mode == "typed").then(|| form.password.clone()),
    };
    let created =
        match accounts::add_user(&state.db, &Actor::from(&user), input, state.clock.now()).await {
            Ok(created) => created,
            Err(AppError::Invalid(fields)) => {
                let page = form_page(&state, &user, None, form, true, Errors(fields)).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
            Err(error) => return Err(error),
        };

    let id = created.user.id;
    match created.generated_password {
        Some(password) => {
            let notice = format!("用户“{}”已创建。", created.user.username);
            detail_response(&state, &user, id, Some(notice), Some(password), None).await
        }
        None => Ok(Redirect::to(&format!("/admin/users/{id}?notice=created")).into_response()),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    let detail = users::detail(&state.db, id, state.clock.now()).await?;
    let form = UserForm {
        username: detail.user.username.clone(),
        display_name: detail.user.display_name.clone(),
        roles: detail
            .roles
            .iter()
            .map(|role| role.as_str().to_owned())
            .collect(),
        enterprise_id: detail
            .user
            .enterprise_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        ..Default::default()
    };
    let page = form_page(
        &state,
        &user,
        Some(id),
        form,
        detail.user.is_active,
        Errors::default(),
    )
    .await?;
    Ok(page.into_response())
}

async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    CsrfForm(mut form): CsrfForm<UserForm>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    let current = user::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    // The login name is not editable; the form shows the stored one.
    form.username = current.username.clone();

    let is_active = match form.status.as_str() {
        "active" => true,
        "disabled" => false,
        other => {
            let mut errors = Errors::default();
            errors.add(
                "status",
                format!("状态“{other}”无效，应为 active（正常）或 disabled（已停用）"),
            );
            let page = form_page(&state, &user, Some(id), form, current.is_active, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let changes = UserChanges {
        display_name: form.display_name.clone(),
        roles: form.roles.clone(),
        enterprise_id: form.enterprise_id.clone(),
        is_active,
    };
    let result = accounts::update_user(
        &state.db,
        &Actor::from(&user),
        id,
        changes,
        state.clock.now(),
    )
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}?notice=updated")).into_response()),
        Err(AppError::Invalid(fields)) => {
            let page = form_page(&state, &user, Some(id), form, is_active, Errors(fields)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(AppError::Rejected(message)) => {
            let mut page =
                form_page(&state, &user, Some(id), form, is_active, Errors::default()).await?;
            page.rejection = Some(message);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(error) => Err(error),
    }
}

// ---- detail and actions ----

struct LoginRow {
    at: String,
    success: bool,
    reason: String,
    ip: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "users/detail.html")]
struct DetailPage {
    layout: Layout,
    id: i64,
    username: String,
    display_name: String,
    roles: String,
    enterprise: String,
    status: String,
    status_class: &'static str,
    is_active: bool,
    can_unlock: bool,
    failed_login_count: i32,
    must_change_password: bool,
    is_self: bool,
    last_login: String,
    created_at: String,
    updated_at: String,
    successes_30_days: u64,
    failures_30_days: u64,
    logins: Vec<LoginRow>,
    /// A temporary or generated password, shown on this response only.
    temporary_password: Option<String>,
    rejection: Option<String>,
}

fn detail_page(
    state: &AppState,
    user: &AuthUser,
    detail: UserDetail,
    notice: Option<String>,
    temporary_password: Option<String>,
    rejection: Option<String>,
) -> DetailPage {
    let layout = Layout::new(state, user, "用户详情", "users")
        .crumb(LIST_TITLE, LIST_HREF)
        .crumb(detail.user.username.clone(), "")
        .notice(notice);
    let (status, status_class) = status_tag(detail.status);
    let logins = detail
        .logins
        .recent
        .into_iter()
        .map(|row| LoginRow {
            at: format_beijing(row.occurred_at),
            success: row.success,
            reason: if row.success {
                String::new()
            } else {
                login_reason_label(&row.reason).to_owned()
            },
            ip: row.ip.unwrap_or_else(|| "—".into()),
        })
        .collect();
    DetailPage {
        layout,
        id: detail.user.id,
        is_self: detail.user.id == user.id,
        username: detail.user.username,
        display_name: detail.user.display_name,
        roles: role_labels(&detail.roles),
        enterprise: enterprise_text(&detail.enterprise),
        status,
        status_class,
        is_active: detail.user.is_active,
        can_unlock: detail.user.locked_until.is_some() || detail.user.failed_login_count > 0,
        failed_login_count: detail.user.failed_login_count,
        must_change_password: detail.user.must_change_password,
        last_login: format_optional(detail.user.last_login_at),
        created_at: format_beijing(detail.user.created_at),
        updated_at: format_beijing(detail.user.updated_at),
        successes_30_days: detail.logins.successes_30_days,
        failures_30_days: detail.logins.failures_30_days,
        logins,
        temporary_password,
        rejection,
    }
}

/// Renders the detail page. A response that shows a password is never cached.
async fn detail_response(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    notice: Option<String>,
    temporary_password: Option<String>,
    rejection: Option<String>,
) -> AppResult<Response> {
    let detail = users::detail(&state.db, id, state.clock.now()).await?;
    let status = if rejection.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let shows_password = temporary_password.is_some();
    let page = detail_page(state, user, detail, notice, temporary_password, rejection);
    let mut response = (status, page).into_response();
    if shows_password {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    Ok(response)
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

async fn show(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    let notice = match query.notice.as_str() {
        "created" => Some("用户已创建，首次登录时需修改初始密码。"),
        "updated" => Some("用户信息已保存。"),
        "unlocked" => Some("账号已解除锁定，用户现在可以登录。"),
        "disabled" => Some("账号已停用，该用户的登录会话已结束。"),
        "enabled" => Some("账号已启用。"),
        _ => None,
    };
    detail_response(&state, &user, id, notice.map(str::to_owned), None, None).await
}

/// The action forms carry only the CSRF token.
#[derive(Deserialize, Default)]
struct EmptyForm {}

async fn reset_password(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    let password =
        accounts::reset_password(&state.db, &Actor::from(&user), id, state.clock.now()).await?;
    let notice = "密码已重置，该用户的登录会话已结束；用户用临时密码登录后须立即设置新密码。";
    detail_response(&state, &user, id, Some(notice.into()), Some(password), None).await
}

async fn unlock(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    accounts::unlock(&state.db, &Actor::from(&user), id, state.clock.now()).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?notice=unlocked")).into_response())
}

async fn disable(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    change_active(state, user, id, false).await
}

async fn enable(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    change_active(state, user, id, true).await
}

async fn change_active(
    state: AppState,
    user: AuthUser,
    id: i64,
    is_active: bool,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    let result = accounts::set_active(
        &state.db,
        &Actor::from(&user),
        id,
        is_active,
        state.clock.now(),
    )
    .await;
    match result {
        Ok(_) => {
            let notice = if is_active { "enabled" } else { "disabled" };
            Ok(Redirect::to(&format!("/admin/users/{id}?notice={notice}")).into_response())
        }
        Err(AppError::Rejected(message)) => {
            detail_response(&state, &user, id, None, None, Some(message)).await
        }
        Err(error) => Err(error),
    }
}
