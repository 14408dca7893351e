//! Public self-registration of an enterprise and its first account (`/register`).

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use axum_extra::extract::cookie::CookieJar;
use sea_orm::EntityTrait;
use serde::Deserialize;

use super::{EnterpriseForm, FormView};
use crate::{
    audit::Actor,
    entities::setting,
    services::enterprises::{self, EnterpriseInput, RegistrationInput},
    web::{
        ClientIp,
        auth::{self, MaybeUser},
        error::{AppError, AppResult},
        forms::{CsrfForm, Errors, anonymous_csrf},
        ratelimit,
        state::AppState,
    },
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/register", get(register_page).post(register_submit))
}

#[derive(Template, WebTemplate)]
#[template(path = "enterprises/register.html")]
struct RegisterPage {
    site_title: String,
    csrf: String,
    view: FormView,
    username: String,
    display_name: String,
}

/// The registration form: the enterprise fields and the account. Passwords are never
/// sent back to the browser.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RegistrationForm {
    #[serde(flatten)]
    enterprise: EnterpriseForm,
    username: String,
    display_name: String,
    password: String,
    password_confirm: String,
}

async fn portal_title(state: &AppState) -> AppResult<String> {
    let row = setting::Entity::find_by_id("portal_title".to_owned())
        .one(&state.db)
        .await?;
    Ok(row
        .map(|row| row.value)
        .unwrap_or_else(|| "乡村e镇综合服务平台".into()))
}

async fn render(
    state: &AppState,
    jar: CookieJar,
    input: RegistrationInput,
    errors: Errors,
) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (jar, csrf) = anonymous_csrf(jar, state.config.secure_cookies());
    let page = RegisterPage {
        site_title: portal_title(state).await?,
        csrf,
        view: FormView::new(state, input.enterprise, errors, false, true).await?,
        username: input.username,
        display_name: input.display_name,
    };
    Ok((status, jar, page).into_response())
}

async fn register_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    jar: CookieJar,
) -> AppResult<Response> {
    // A logged-in browser would post its session token, not the anonymous one this form
    // carries, so it goes to the back office instead.
    if user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let input = RegistrationInput {
        enterprise: EnterpriseInput {
            registered_in_houma: true,
            ..Default::default()
        },
        ..Default::default()
    };
    render(&state, jar, input, Errors::default()).await
}

async fn register_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<RegistrationForm>,
) -> AppResult<Response> {
    // Every attempt counts, failed ones too, so that the form cannot be used to probe
    // which login names and codes exist.
    if let Err(seconds) = state.limiter.check(ratelimit::REGISTRATION, ip) {
        return Err(AppError::TooManyRequests(seconds));
    }

    let input = RegistrationInput {
        enterprise: form.enterprise.into(),
        username: form.username,
        display_name: form.display_name,
        password: form.password,
        password_confirm: form.password_confirm,
    };
    let request_id = headers
        .get("x-request-id")
        .and_then(|value| value.to_str().ok());
    let actor = Actor {
        user_id: None,
        username: "public",
        request_id,
    };

    match enterprises::register(&state, &actor, &input).await {
        Ok((_, account)) => {
            let cookie = auth::start_session(
                &state.db,
                account.id,
                state.clock.now(),
                state.config.secure_cookies(),
            )
            .await?;
            Ok((jar.add(cookie), Redirect::to("/enterprises/mine")).into_response())
        }
        Err(AppError::Invalid(fields)) => render(&state, jar, input, Errors(fields)).await,
        Err(other) => Err(other),
    }
}
