//! Certificate verification, reached by scanning a certificate's QR code or by typing its
//! number. Every scan lands here, so the page reads three indexed queries (settings, the
//! license with its names, its products), looks up no session and writes nothing.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::PortalLayout;
use crate::{
    services::licenses::{self, Verification},
    web::{error::AppResult, forms::FilterQuery, state::AppState},
};

#[derive(Template, WebTemplate)]
#[template(path = "portal/verify.html")]
struct VerifyPage {
    portal: PortalLayout,
    /// The code or number looked up; empty when only the form is shown.
    code: String,
    result: Option<Verification>,
    /// The Beijing date on which the status was computed.
    checked_on: chrono::NaiveDate,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct VerifyQuery {
    code: String,
}

async fn render(state: &AppState, code: &str) -> AppResult<Response> {
    let portal = PortalLayout::load(&state.db, "证书查验").await?;
    let today = state.clock.today();
    let code = code.trim().to_owned();
    if code.is_empty() {
        return Ok(VerifyPage {
            portal,
            code,
            result: None,
            checked_on: today,
        }
        .into_response());
    }
    let result = licenses::verify(&state.db, &code, today).await?;
    let status = if result.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let page = VerifyPage {
        portal,
        code,
        result,
        checked_on: today,
    };
    Ok((status, page).into_response())
}

/// `GET /portal/verify`: the form, or the result for `?code=` (a certificate number or a
/// verification code).
pub(super) async fn form(
    State(state): State<AppState>,
    FilterQuery(query): FilterQuery<VerifyQuery>,
) -> AppResult<Response> {
    render(&state, &query.code).await
}

/// `GET /portal/verify/{code}`: the page the certificate's QR code opens.
pub(super) async fn result(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Response> {
    render(&state, &code).await
}
