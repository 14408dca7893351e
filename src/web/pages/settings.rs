//! The system settings screen: the certificate number pattern and the portal title.
//! Administrators only.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use chrono::Datelike;
use etown_rules::{certno, workflow::Role};
use serde::Deserialize;

use crate::{
    audit::Actor,
    services::settings::{self, SystemSettingsInput},
    web::{
        auth::AuthUser,
        error::{AppError, AppResult},
        forms::{CsrfForm, Errors},
        layout::Layout,
        state::AppState,
    },
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/settings", get(settings_page).post(settings_submit))
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/form.html")]
struct SettingsPage {
    layout: Layout,
    input: SystemSettingsInput,
    /// The 7th certificate number of the current year under the shown pattern, when valid.
    example: Option<String>,
    year: i32,
    default_pattern: &'static str,
    errors: Errors,
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

fn render(
    state: &AppState,
    user: &AuthUser,
    input: SystemSettingsInput,
    errors: Errors,
    notice: Option<String>,
) -> Response {
    let year = state.clock.today().year();
    let example = if errors.get(settings::CERTIFICATE_NUMBER_PATTERN).is_some() {
        None
    } else {
        settings::certificate_number_example(&input.certificate_number_pattern, year)
    };
    let layout = Layout::new(state, user, "系统设置", "settings")
        .crumb("系统管理", "")
        .crumb("系统设置", "")
        .notice(notice);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SettingsPage {
        layout,
        input,
        example,
        year,
        default_pattern: certno::DEFAULT_PATTERN,
        errors,
    };
    (status, page).into_response()
}

async fn settings_page(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<NoticeQuery>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    let input = SystemSettingsInput {
        certificate_number_pattern: settings::get(&state.db, settings::CERTIFICATE_NUMBER_PATTERN)
            .await?
            .unwrap_or_else(|| certno::DEFAULT_PATTERN.to_owned()),
        portal_title: settings::get(&state.db, settings::PORTAL_TITLE)
            .await?
            .unwrap_or_default(),
    };
    let notice = (query.notice == "saved").then(|| "系统设置已保存。".to_owned());
    Ok(render(&state, &user, input, Errors::default(), notice))
}

async fn settings_submit(
    State(state): State<AppState>,
    user: AuthUser,
    CsrfForm(input): CsrfForm<SystemSettingsInput>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    match settings::update_system_settings(&state.db, &Actor::from(&user), &input).await {
        Ok(()) => Ok(Redirect::to("/admin/settings?notice=saved").into_response()),
        Err(AppError::Invalid(fields)) => {
            tracing::info!(
                user_id = user.id,
                errors = fields.len(),
                "system settings rejected"
            );
            Ok(render(&state, &user, input, Errors(fields), None))
        }
        Err(other) => Err(other),
    }
}
