//! Public notices and the objection form. Anyone may object during a notice period, and the
//! form is protected by the anonymous CSRF cookie and a per-address rate limit.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Redirect,
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::PortalLayout;
use crate::{
    services::{
        applications,
        notices::{self, Notice},
    },
    web::{
        ClientIp,
        auth::{AuthUser, Credential},
        error::{AppError, AppResult},
        forms::{CsrfForm, Errors, FilterQuery, anonymous_csrf},
        layout::Pager,
        ratelimit,
        state::AppState,
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "portal/notices.html")]
struct ListPage {
    portal: PortalLayout,
    notices: Vec<Notice>,
    pager: Pager,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PageQuery {
    page: Option<u64>,
}

/// `GET /portal/notices`: the applications whose notice period contains today.
pub(super) async fn list(
    State(state): State<AppState>,
    FilterQuery(query): FilterQuery<PageQuery>,
) -> AppResult<Response> {
    let portal = PortalLayout::load(&state.db, "公示公告").await?;
    let (rows, total) = notices::current(&state.db, state.clock.today(), query.page).await?;
    let page = query.page.unwrap_or(1).max(1);
    Ok(ListPage {
        portal,
        notices: rows,
        pager: Pager::new("/portal/notices", &[], page, notices::PAGE_SIZE, total),
    }
    .into_response())
}

/// The objection as typed, kept to refill the form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ObjectionForm {
    name: String,
    contact: String,
    content: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/notice.html")]
struct NoticePage {
    portal: PortalLayout,
    notice: Notice,
    csrf: String,
    form: ObjectionForm,
    errors: Errors,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/objection_filed.html")]
struct FiledPage {
    portal: PortalLayout,
    notice: Notice,
}

/// Returns the CSRF token the objection form must carry: the session's for a logged-in user
/// (which is what `CsrfForm` then expects), otherwise the anonymous cookie's.
fn form_token(
    state: &AppState,
    auth: &Result<AuthUser, Response>,
    jar: CookieJar,
) -> (CookieJar, String) {
    if let Ok(user) = auth
        && let Credential::Session { csrf_token } = &user.credential
    {
        return (jar, csrf_token.clone());
    }
    anonymous_csrf(jar, state.config.secure_cookies())
}

async fn notice_page(
    state: &AppState,
    id: i64,
    csrf: String,
    form: ObjectionForm,
    errors: Errors,
) -> AppResult<NoticePage> {
    let notice = notices::find_current(&state.db, id, state.clock.today()).await?;
    let portal = PortalLayout::load(&state.db, format!("公示：{}", notice.enterprise_name)).await?;
    Ok(NoticePage {
        portal,
        notice,
        csrf,
        form,
        errors,
    })
}

/// `GET /portal/notices/{id}`: one notice and its objection form, or 404 outside the notice
/// period.
pub(super) async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    auth: Result<AuthUser, Response>,
    jar: CookieJar,
) -> AppResult<Response> {
    let (jar, csrf) = form_token(&state, &auth, jar);
    let page = notice_page(
        &state,
        id,
        csrf,
        ObjectionForm::default(),
        Errors::default(),
    )
    .await?;
    Ok((jar, page).into_response())
}

/// `POST /portal/notices/{id}/objections`: files the objection and redirects to the
/// confirmation, or shows the form again with the message beside each invalid field.
pub(super) async fn object(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    auth: Result<AuthUser, Response>,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<ObjectionForm>,
) -> AppResult<Response> {
    state
        .limiter
        .check(ratelimit::PUBLIC_FORM, ip)
        .map_err(AppError::TooManyRequests)?;

    match applications::file_objection(&state, id, &form.name, &form.contact, &form.content).await {
        Ok(objection) => {
            tracing::info!(
                application_id = id,
                objection_id = objection.id,
                "objection filed on the portal"
            );
            // Redirect after the POST, so that reloading the confirmation files nothing twice.
            Ok(Redirect::to(&format!("/portal/notices/{id}/objection-filed")).into_response())
        }
        Err(AppError::Invalid(fields)) => {
            let (jar, csrf) = form_token(&state, &auth, jar);
            let page = notice_page(&state, id, csrf, form, Errors(fields)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
        }
        Err(error) => Err(error),
    }
}

/// `GET /portal/notices/{id}/objection-filed`: the confirmation after an objection.
pub(super) async fn filed(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let notice = notices::find_current(&state.db, id, state.clock.today()).await?;
    let portal = PortalLayout::load(&state.db, "异议已提交").await?;
    Ok(FiledPage { portal, notice }.into_response())
}
