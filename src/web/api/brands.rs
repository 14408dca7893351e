//! The brand matrix as JSON: readable without login, changed by the trade service center
//! through the same service functions and messages as the back-office pages.

use axum::{
    Json, Router,
    extract::{Path, State, rejection::JsonRejection},
    http::StatusCode,
    routing::get,
};
use etown_rules::workflow::Role;
use serde::{Deserialize, Serialize};

use crate::{
    audit::Actor,
    services::brands::{self, BrandEntry, BrandInput},
    web::{
        auth::AuthUser,
        error::{AppError, AppResult},
        pages::brands::logo_path,
        state::AppState,
    },
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/brands", get(list_brands).post(create_brand))
        .route("/brands/{id}", get(get_brand).put(update_brand))
}

/// A brand of the matrix.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BrandView {
    pub id: i64,
    /// The umbrella brand's id for a sub-brand; `null` for the umbrella brand.
    pub parent_id: Option<i64>,
    pub name: String,
    pub slogan: String,
    pub description: Option<String>,
    /// Maximum number of licensees; `null` for no cap.
    pub license_cap: Option<i32>,
    /// Licenses with status "active" whose term ends today (Beijing time) or later.
    pub valid_licenses: u64,
    /// Position in the matrix, smaller first.
    pub sort_order: i32,
    /// Whether the sub-brand takes new license applications.
    pub is_active: bool,
    /// Absolute URL of the logo, served without login; `null` when no logo was uploaded.
    pub logo_url: Option<String>,
}

impl BrandView {
    fn new(state: &AppState, entry: BrandEntry) -> Self {
        let logo_url = logo_path(&entry.brand)
            .map(|path| format!("{}{path}", state.config.public_url.trim_end_matches('/')));
        let brand = entry.brand;
        BrandView {
            id: brand.id,
            parent_id: brand.parent_id,
            name: brand.name,
            slogan: brand.slogan,
            description: brand.description,
            license_cap: brand.license_cap,
            valid_licenses: entry.valid_licenses,
            sort_order: brand.sort_order,
            is_active: brand.is_active,
            logo_url,
        }
    }
}

/// The umbrella brand and its sub-brands in sort order.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MatrixView {
    pub umbrella: BrandView,
    pub sub_brands: Vec<BrandView>,
}

/// A sub-brand to add, or the new values of a brand. Numbers may also be sent as strings;
/// a value that is not an integer is reported as a field error.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct BrandRequest {
    /// 2 to 30 characters, unique among all brands.
    #[serde(default)]
    pub name: String,
    /// 2 to 60 characters.
    #[serde(default)]
    pub slogan: String,
    /// At most 500 characters; omit or send `null` for none.
    #[serde(default)]
    pub description: Option<String>,
    /// Maximum number of licensees, 1 to 100000; omit or send `null` for no cap. Not
    /// accepted for the umbrella brand. An update may not set it below the licensees in
    /// force.
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub license_cap: Option<serde_json::Value>,
    /// Position in the matrix, 0 to 9999, smaller first. Omitted: a new sub-brand goes
    /// last, an updated brand keeps its position.
    #[serde(default)]
    #[schema(value_type = Option<i32>)]
    pub sort_order: Option<serde_json::Value>,
    /// Whether the sub-brand takes new license applications. Omitted: a new sub-brand is
    /// active and an updated brand keeps its status. The umbrella brand cannot be
    /// deactivated.
    #[serde(default)]
    pub is_active: Option<bool>,
}

/// Returns a JSON number or string as the text a form field would hold.
fn field_text(value: Option<serde_json::Value>) -> String {
    match value {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(text)) => text,
        Some(other) => other.to_string(),
    }
}

impl From<BrandRequest> for BrandInput {
    fn from(request: BrandRequest) -> Self {
        BrandInput {
            name: request.name,
            slogan: request.slogan,
            description: request.description.unwrap_or_default(),
            license_cap: field_text(request.license_cap),
            sort_order: field_text(request.sort_order),
            is_active: request.is_active,
        }
    }
}

/// Turns a body that is not valid JSON for `BrandRequest` into the API's error format.
fn json_body(body: Result<Json<BrandRequest>, JsonRejection>) -> AppResult<BrandRequest> {
    body.map(|Json(request)| request).map_err(|rejection| {
        AppError::field(
            "body",
            format!(
                "请求体不是有效的品牌 JSON（{}），请检查字段名称和类型",
                rejection.body_text()
            ),
        )
    })
}

/// Returns the brand matrix with caps, licensees in force and logo URLs.
#[utoipa::path(
    get,
    path = "/api/v1/brands",
    tag = "公用品牌",
    responses((status = 200, body = MatrixView))
)]
pub async fn list_brands(State(state): State<AppState>) -> AppResult<Json<MatrixView>> {
    let matrix = brands::matrix(&state.db, state.clock.today()).await?;
    Ok(Json(MatrixView {
        umbrella: BrandView::new(&state, matrix.umbrella),
        sub_brands: matrix
            .sub_brands
            .into_iter()
            .map(|entry| BrandView::new(&state, entry))
            .collect(),
    }))
}

/// Returns one brand.
#[utoipa::path(
    get,
    path = "/api/v1/brands/{id}",
    tag = "公用品牌",
    params(("id" = i64, Path, description = "品牌编号")),
    responses(
        (status = 200, body = BrandView),
        (status = 404, body = crate::web::error::ErrorBody)
    )
)]
pub async fn get_brand(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Json<BrandView>> {
    let entry = brands::get(&state.db, id, state.clock.today()).await?;
    Ok(Json(BrandView::new(&state, entry)))
}

/// Adds a sub-brand under the umbrella brand. Only the trade service center may do this.
#[utoipa::path(
    post,
    path = "/api/v1/brands",
    tag = "公用品牌",
    request_body = BrandRequest,
    responses(
        (status = 201, body = BrandView),
        (status = 401, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)
    )
)]
pub async fn create_brand(
    State(state): State<AppState>,
    user: AuthUser,
    body: Result<Json<BrandRequest>, JsonRejection>,
) -> AppResult<(StatusCode, Json<BrandView>)> {
    user.require_any(&[Role::ServiceCenter])?;
    let input = BrandInput::from(json_body(body)?);
    let created = brands::create(&state, &Actor::from(&user), &input).await?;
    let entry = brands::get(&state.db, created.id, state.clock.today()).await?;
    Ok((StatusCode::CREATED, Json(BrandView::new(&state, entry))))
}

/// Replaces a brand's name, slogan, description and cap; sort order and status change only
/// when given. Only the trade service center may do this.
#[utoipa::path(
    put,
    path = "/api/v1/brands/{id}",
    tag = "公用品牌",
    params(("id" = i64, Path, description = "品牌编号")),
    request_body = BrandRequest,
    responses(
        (status = 200, body = BrandView),
        (status = 401, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)
    )
)]
pub async fn update_brand(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    body: Result<Json<BrandRequest>, JsonRejection>,
) -> AppResult<Json<BrandView>> {
    user.require_any(&[Role::ServiceCenter])?;
    let input = BrandInput::from(json_body(body)?);
    brands::update(&state, &Actor::from(&user), id, &input).await?;
    let entry = brands::get(&state.db, id, state.clock.today()).await?;
    Ok(Json(BrandView::new(&state, entry)))
}
