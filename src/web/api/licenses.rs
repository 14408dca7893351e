//! License endpoints: the list and detail in the caller's data scope, and the renewal request
//! of an enterprise for its own license.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
};
use serde::Serialize;

use crate::{
    services::{
        applications,
        licenses::{self, LicenseDetail, LicenseRow, ListFilter},
    },
    web::{
        auth::AuthUser,
        error::{AppResult, ErrorBody},
        forms::FilterQuery,
        state::AppState,
    },
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/licenses", get(list))
        .route("/licenses/{id}", get(show))
        .route("/licenses/{id}/renewal", post(renew))
}

/// One page of licenses.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LicensePage {
    pub items: Vec<LicenseRow>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

/// Lists licenses: staff see all, enterprise users only their own.
#[utoipa::path(
    get,
    path = "/api/v1/licenses",
    tag = "授权证书",
    params(ListFilter),
    responses(
        (status = 200, body = LicensePage),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    FilterQuery(filter): FilterQuery<ListFilter>,
) -> AppResult<Json<LicensePage>> {
    let (items, total) = licenses::list(&state.db, &user, &filter, state.clock.today()).await?;
    Ok(Json(LicensePage {
        items,
        total,
        page: filter.page.unwrap_or(1).max(1),
        page_size: licenses::PAGE_SIZE,
    }))
}

/// Returns one license with its products and renewal window. Another enterprise's license
/// is 404.
#[utoipa::path(
    get,
    path = "/api/v1/licenses/{id}",
    tag = "授权证书",
    params(("id" = i64, Path, description = "License id")),
    responses(
        (status = 200, body = LicenseDetail),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)
    )
)]
pub async fn show(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
) -> AppResult<Json<LicenseDetail>> {
    Ok(Json(
        licenses::get(&state.db, &user, id, state.clock.today()).await?,
    ))
}

/// The renewal application just created.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RenewalCreated {
    pub application_id: i64,
    pub application_no: String,
}

/// Requests the renewal of the caller's own license, accepted only in the 30 days before
/// the term ends. Creates a renewal application waiting for the preliminary review.
#[utoipa::path(
    post,
    path = "/api/v1/licenses/{id}/renewal",
    tag = "授权证书",
    params(("id" = i64, Path, description = "License id")),
    responses(
        (status = 201, body = RenewalCreated),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Outside the renewal window, already renewed, revoked or suspended", body = ErrorBody)
    )
)]
pub async fn renew(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
) -> AppResult<(StatusCode, Json<RenewalCreated>)> {
    let renewal = applications::request_renewal(&state, &user, id).await?;
    tracing::info!(
        license_id = id,
        application_id = renewal.id,
        "renewal requested"
    );
    Ok((
        StatusCode::CREATED,
        Json(RenewalCreated {
            application_id: renewal.id,
            application_no: renewal.application_no,
        }),
    ))
}
