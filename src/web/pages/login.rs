//! Login and logout.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use crate::{
    services::accounts,
    web::{
        ClientIp,
        auth::{self, MaybeUser},
        error::{AppError, AppResult},
        forms::{CsrfForm, anonymous_csrf},
        ratelimit,
        state::AppState,
    },
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    site_title: String,
    csrf: String,
    next: String,
    username: String,
    error: String,
}

#[derive(Deserialize, Default)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only paths on this site are followed after login, never another host.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

async fn login_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    jar: CookieJar,
    Query(query): Query<NextQuery>,
) -> Response {
    if user.is_some() {
        return Redirect::to(&safe_next(&query.next)).into_response();
    }
    let (jar, csrf) = anonymous_csrf(jar, state.config.secure_cookies());
    let page = LoginPage {
        site_title: "侯马e购 · 区域公用品牌授权管理".into(),
        csrf,
        next: safe_next(&query.next),
        username: String::new(),
        error: String::new(),
    };
    (jar, page).into_response()
}

#[derive(Deserialize, Default)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn login_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> AppResult<Response> {
    if let Err(seconds) = state.limiter.check(ratelimit::LOGIN, ip) {
        return Err(AppError::TooManyRequests(seconds));
    }

    let username = form.username.trim().to_owned();
    let render_error = |jar: CookieJar, message: String| {
        let (jar, csrf) = anonymous_csrf(jar, state.config.secure_cookies());
        let page = LoginPage {
            site_title: "侯马e购 · 区域公用品牌授权管理".into(),
            csrf,
            next: safe_next(&form.next),
            username: username.clone(),
            error: message,
        };
        (axum::http::StatusCode::UNAUTHORIZED, jar, page).into_response()
    };

    if username.is_empty() || form.password.is_empty() {
        return Ok(render_error(jar, "请填写用户名和密码。".into()));
    }

    let now = state.clock.now();
    match accounts::login(
        &state.db,
        &username,
        &form.password,
        Some(ip.to_string()),
        now,
    )
    .await?
    {
        Ok(user) => {
            tracing::info!(user_id = user.id, "login succeeded");
            let cookie =
                auth::start_session(&state.db, user.id, now, state.config.secure_cookies()).await?;
            let target = if user.must_change_password {
                "/account/password".to_owned()
            } else {
                safe_next(&form.next)
            };
            Ok((jar.add(cookie), Redirect::to(&target)).into_response())
        }
        Err(failure) => {
            tracing::info!("login failed");
            Ok(render_error(jar, failure.message()))
        }
    }
}

async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    CsrfForm(_): CsrfForm<NextQuery>,
) -> AppResult<Response> {
    auth::end_session(&state.db, &jar).await?;
    let jar = jar.remove(auth::session_cookie(
        String::new(),
        state.config.secure_cookies(),
    ));
    Ok((jar, Redirect::to("/login")).into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(
            safe_next("/applications?state=submitted"),
            "/applications?state=submitted"
        );
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("https://evil.example/"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
    }
}
