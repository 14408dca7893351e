//! The user's own account: password change and API tokens for machine clients.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use serde::Deserialize;

use crate::{
    audit::{self, Actor},
    entities::{api_token, session, user},
    services::accounts,
    web::{
        auth::{AuthUser, check_password_strength, hash_password, verify_password},
        error::{AppError, AppResult},
        forms::{CsrfForm, Errors},
        layout::Layout,
        state::{AppState, format_beijing},
    },
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/account/password",
            get(password_page).post(password_submit),
        )
        .route("/account/tokens", get(tokens_page).post(token_create))
        .route("/account/tokens/{id}/revoke", post(token_revoke))
}

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    must_change: bool,
    errors: Errors,
}

async fn password_page(State(state): State<AppState>, user: AuthUser) -> AppResult<Response> {
    let row = user::Entity::find_by_id(user.id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let layout = Layout::new(&state, &user, "修改密码", "password").crumb("修改密码", "");
    Ok(PasswordPage {
        layout,
        must_change: row.must_change_password,
        errors: Errors::default(),
    }
    .into_response())
}

#[derive(Deserialize, Default)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

async fn password_submit(
    State(state): State<AppState>,
    user: AuthUser,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> AppResult<Response> {
    let row = user::Entity::find_by_id(user.id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = Errors::default();
    if !verify_password(form.current_password.clone(), row.password_hash.clone()).await {
        errors.add("current_password", "当前密码不正确");
    }
    if let Err(message) = check_password_strength(&form.new_password) {
        errors.add("new_password", format!("新密码不符合要求：{message}"));
    } else if form.new_password == form.current_password {
        errors.add("new_password", "新密码不能与当前密码相同");
    }
    if form.new_password != form.confirm_password {
        errors.add("confirm_password", "两次输入的新密码不一致");
    }
    if !errors.is_empty() {
        let layout = Layout::new(&state, &user, "修改密码", "password").crumb("修改密码", "");
        let page = PasswordPage {
            layout,
            must_change: row.must_change_password,
            errors,
        };
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }

    let hash = hash_password(form.new_password).await?;
    let txn = state.db.begin().await?;
    let mut active: user::ActiveModel = row.into();
    active.password_hash = Set(hash);
    active.must_change_password = Set(false);
    active.updated_at = Set(state.clock.now());
    active.update(&txn).await?;
    // Other sessions of this user end, so a password change locks out anyone else who knew the old one.
    let current_csrf = user.csrf_token().to_owned();
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user.id))
        .filter(session::Column::CsrfToken.ne(current_csrf))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        &Actor::from(&user),
        "change_password",
        "user",
        user.id,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    txn.commit().await?;

    Ok(Redirect::to("/?notice=password_changed").into_response())
}

struct TokenRow {
    id: i64,
    name: String,
    created_at: String,
    last_used_at: String,
    revoked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<TokenRow>,
    new_secret: String,
    errors: Errors,
    name: String,
}

fn format_optional(at: Option<DateTime<Utc>>) -> String {
    at.map(format_beijing).unwrap_or_else(|| "—".into())
}

async fn render_tokens(
    state: &AppState,
    user: &AuthUser,
    new_secret: String,
    errors: Errors,
    name: String,
) -> AppResult<Response> {
    let rows = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user.id))
        .order_by_desc(api_token::Column::Id)
        .all(&state.db)
        .await?;
    let tokens = rows
        .into_iter()
        .map(|row| TokenRow {
            id: row.id,
            name: row.name,
            created_at: format_beijing(row.created_at),
            last_used_at: format_optional(row.last_used_at),
            revoked: row.revoked_at.is_some(),
        })
        .collect();
    let layout = Layout::new(state, user, "接口令牌", "tokens").crumb("接口令牌", "");
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        TokensPage {
            layout,
            tokens,
            new_secret,
            errors,
            name,
        },
    )
        .into_response())
}

async fn tokens_page(State(state): State<AppState>, user: AuthUser) -> AppResult<Response> {
    render_tokens(
        &state,
        &user,
        String::new(),
        Errors::default(),
        String::new(),
    )
    .await
}

#[derive(Deserialize, Default)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn token_create(
    State(state): State<AppState>,
    user: AuthUser,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let name = errors.required("name", "令牌用途", &form.name, 64);
    if !errors.is_empty() {
        return render_tokens(&state, &user, String::new(), errors, form.name).await;
    }
    let txn = state.db.begin().await?;
    let (_, secret) =
        accounts::create_token(&txn, &Actor::from(&user), user.id, &name, state.clock.now())
            .await?;
    txn.commit().await?;
    render_tokens(&state, &user, secret, Errors::default(), String::new()).await
}

async fn token_revoke(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<TokenForm>,
) -> AppResult<Response> {
    let row = api_token::Entity::find_by_id(id)
        .filter(api_token::Column::UserId.eq(user.id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.revoked_at.is_none() {
        let txn = state.db.begin().await?;
        let mut active: api_token::ActiveModel = row.into();
        active.revoked_at = Set(Some(state.clock.now()));
        active.update(&txn).await?;
        audit::record(
            &txn,
            &Actor::from(&user),
            "revoke",
            "api_token",
            id,
            None::<&()>,
            None::<&()>,
        )
        .await?;
        txn.commit().await?;
    }
    Ok(Redirect::to("/account/tokens").into_response())
}
