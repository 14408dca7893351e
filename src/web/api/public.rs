//! Public endpoints under `/api/v1/public`, open without login: certificate verification,
//! current public notices with objections, and the directory of licensees.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    services::{
        applications,
        licenses::{self, DirectoryFilter, DirectoryRow, Verification},
        notices::{self, Notice},
    },
    web::{
        ClientIp,
        error::{AppError, AppResult, ErrorBody},
        forms::FilterQuery,
        ratelimit,
        state::AppState,
    },
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/public/verify/{code}", get(verify))
        .route("/public/notices", get(notice_list))
        .route("/public/notices/{id}/objections", post(object))
        .route("/public/licensees", get(licensee_list))
}

/// Verifies a certificate by its verification code or its certificate number.
#[utoipa::path(
    get,
    path = "/api/v1/public/verify/{code}",
    tag = "公众服务",
    params(("code" = String, Path, description = "Verification code from the QR link, or the certificate number")),
    responses(
        (status = 200, body = Verification),
        (status = 404, description = "No certificate has this code or number", body = ErrorBody)
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Json<Verification>> {
    licenses::verify(&state.db, &code, state.clock.today())
        .await?
        .map(Json)
        .ok_or(AppError::NotFound)
}

/// Page parameter of the notice list.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
pub struct NoticeQuery {
    /// Page number from 1.
    pub page: Option<u64>,
}

/// One page of current public notices.
#[derive(Serialize, utoipa::ToSchema)]
pub struct NoticePage {
    pub items: Vec<Notice>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

/// Lists the applications whose public notice period contains today.
#[utoipa::path(
    get,
    path = "/api/v1/public/notices",
    tag = "公众服务",
    params(NoticeQuery),
    responses((status = 200, body = NoticePage))
)]
pub async fn notice_list(
    State(state): State<AppState>,
    FilterQuery(query): FilterQuery<NoticeQuery>,
) -> AppResult<Json<NoticePage>> {
    let (items, total) = notices::current(&state.db, state.clock.today(), query.page).await?;
    Ok(Json(NoticePage {
        items,
        total,
        page: query.page.unwrap_or(1).max(1),
        page_size: notices::PAGE_SIZE,
    }))
}

/// An objection to an application under public notice.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct ObjectionInput {
    /// Name of the person objecting, up to 30 characters.
    pub name: String,
    /// Telephone number or e-mail address for the verification of the objection.
    pub contact: String,
    /// Facts and reasons, 10 to 2000 characters.
    pub content: String,
}

/// The objection just filed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ObjectionFiled {
    /// Objection number to quote in an enquiry.
    pub id: i64,
    pub submitted_at: DateTime<Utc>,
}

/// Files an objection during the notice period. Each client address may send 5 objections
/// per 10 minutes.
#[utoipa::path(
    post,
    path = "/api/v1/public/notices/{id}/objections",
    tag = "公众服务",
    params(("id" = i64, Path, description = "Application id from the notice list")),
    request_body = ObjectionInput,
    responses(
        (status = 201, body = ObjectionFiled),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The application is not in its notice period", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)
    )
)]
pub async fn object(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Json(input): Json<ObjectionInput>,
) -> AppResult<(StatusCode, Json<ObjectionFiled>)> {
    state
        .limiter
        .check(ratelimit::PUBLIC_FORM, ip)
        .map_err(AppError::TooManyRequests)?;
    let objection =
        applications::file_objection(&state, id, &input.name, &input.contact, &input.content)
            .await?;
    tracing::info!(
        application_id = id,
        objection_id = objection.id,
        "objection filed through the API"
    );
    Ok((
        StatusCode::CREATED,
        Json(ObjectionFiled {
            id: objection.id,
            submitted_at: objection.submitted_at,
        }),
    ))
}

/// One page of the licensee directory.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DirectoryPage {
    pub items: Vec<DirectoryRow>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

/// Lists the enterprises whose licenses are in force today, with their sub-brand and products.
#[utoipa::path(
    get,
    path = "/api/v1/public/licensees",
    tag = "公众服务",
    params(DirectoryFilter),
    responses((status = 200, body = DirectoryPage), (status = 422, body = ErrorBody))
)]
pub async fn licensee_list(
    State(state): State<AppState>,
    FilterQuery(filter): FilterQuery<DirectoryFilter>,
) -> AppResult<Json<DirectoryPage>> {
    let (items, total) = licenses::directory(&state.db, &filter, state.clock.today()).await?;
    Ok(Json(DirectoryPage {
        items,
        total,
        page: filter.page.unwrap_or(1).max(1),
        page_size: licenses::PAGE_SIZE,
    }))
}
