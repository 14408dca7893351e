//! `/api/v1/enterprises` and `/api/v1/divisions`: enterprise records through the same
//! service as the pages, so that rules, data scope and messages are identical.

use axum::{
    Json, Router,
    extract::{Path, Query, State, rejection::JsonRejection},
    http::StatusCode,
    routing::get,
};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{
    entities::enterprise,
    services::enterprises::{self, EnterpriseInput, ListQuery},
    web::{
        auth::AuthUser,
        error::{AppError, AppResult, ErrorBody},
        state::AppState,
    },
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/enterprises", get(list).post(create))
        .route("/enterprises/{id}", get(show).put(update))
        .route("/divisions", get(divisions))
}

/// An enterprise in a list. The contact mobile is masked, as in 138****5678.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EnterpriseSummary {
    pub id: i64,
    pub name: String,
    pub uscc: String,
    /// Subject type id, such as `cooperative`.
    pub subject_type: String,
    /// Chinese label of the subject type, such as 农民专业合作社.
    pub subject_type_label: String,
    pub division_code: String,
    pub division_name: String,
    pub contact_name: String,
    /// The contact mobile with digits 4 to 7 masked.
    pub contact_mobile: String,
}

/// One page of enterprises, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EnterpriseList {
    pub items: Vec<EnterpriseSummary>,
    /// Number of enterprises matching the filters, on all pages.
    pub total: u64,
    pub page: u64,
    pub pages: u64,
}

/// An enterprise's full record.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EnterpriseDetail {
    pub id: i64,
    pub name: String,
    pub uscc: String,
    /// Reason an administrator recorded for accepting a code that fails the GB 32100 check,
    /// or null.
    pub uscc_override_reason: Option<String>,
    pub subject_type: String,
    pub subject_type_label: String,
    pub registered_address: String,
    pub division_code: String,
    pub division_name: String,
    pub registered_in_houma: bool,
    pub operates_via_branch: bool,
    pub branch_name: Option<String>,
    pub production_base: String,
    pub is_agent: bool,
    pub producer_name: Option<String>,
    pub contact_name: String,
    /// The 11-digit contact mobile for staff and the enterprise itself, masked for others.
    pub contact_mobile: String,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A town or subdistrict of the county.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DivisionItem {
    /// 9-digit statistical division code, such as 141081200.
    pub code: String,
    pub name: String,
    /// 街道, 镇 or 乡.
    pub kind: String,
}

async fn detail(
    state: &AppState,
    user: &AuthUser,
    row: enterprise::Model,
) -> AppResult<EnterpriseDetail> {
    let division_names = enterprises::division_names(&state.db).await?;
    let contact_mobile = if enterprises::may_see_full_mobile(user, row.id) {
        row.contact_mobile
    } else {
        enterprises::mask_mobile(&row.contact_mobile)
    };
    Ok(EnterpriseDetail {
        id: row.id,
        subject_type_label: enterprises::subject_type_label(&row.subject_type),
        division_name: division_names
            .get(&row.division_code)
            .cloned()
            .unwrap_or_default(),
        name: row.name,
        uscc: row.uscc,
        uscc_override_reason: row.uscc_override_reason,
        subject_type: row.subject_type,
        registered_address: row.registered_address,
        division_code: row.division_code,
        registered_in_houma: row.registered_in_houma,
        operates_via_branch: row.operates_via_branch,
        branch_name: row.branch_name,
        production_base: row.production_base,
        is_agent: row.is_agent,
        producer_name: row.producer_name,
        contact_name: row.contact_name,
        contact_mobile,
        description: row.description,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// Turns an unreadable JSON body into the API's error shape.
fn read_body(body: Result<Json<EnterpriseInput>, JsonRejection>) -> AppResult<EnterpriseInput> {
    body.map(|Json(input)| input).map_err(|rejection| {
        AppError::field(
            "body",
            format!("请求体不是有效的企业信息 JSON：{}", rejection.body_text()),
        )
    })
}

/// Lists the enterprises the caller may see: all for staff, its own for an enterprise user.
#[utoipa::path(
    get,
    path = "/api/v1/enterprises",
    tag = "企业信息",
    params(ListQuery),
    responses(
        (status = 200, body = EnterpriseList),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "主体类型筛选值无效"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    Query(filter): Query<ListQuery>,
) -> AppResult<Json<EnterpriseList>> {
    let result = enterprises::list(&state.db, &user, &filter).await?;
    let division_names = enterprises::division_names(&state.db).await?;
    let items = result
        .rows
        .into_iter()
        .map(|row| EnterpriseSummary {
            id: row.id,
            subject_type_label: enterprises::subject_type_label(&row.subject_type),
            division_name: division_names
                .get(&row.division_code)
                .cloned()
                .unwrap_or_default(),
            contact_mobile: enterprises::mask_mobile(&row.contact_mobile),
            name: row.name,
            uscc: row.uscc,
            subject_type: row.subject_type,
            division_code: row.division_code,
            contact_name: row.contact_name,
        })
        .collect();
    Ok(Json(EnterpriseList {
        items,
        total: result.total,
        page: result.page,
        pages: result.pages,
    }))
}

/// Returns one enterprise. Ids outside the caller's data scope are not found.
#[utoipa::path(
    get,
    path = "/api/v1/enterprises/{id}",
    tag = "企业信息",
    params(("id" = i64, Path, description = "企业编号")),
    responses(
        (status = 200, body = EnterpriseDetail),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
) -> AppResult<Json<EnterpriseDetail>> {
    let row = enterprises::get(&state.db, &user, id).await?;
    Ok(Json(detail(&state, &user, row).await?))
}

/// Creates an enterprise (商贸服务中心, 信息采集专员 or 系统管理员). Every invalid field is
/// reported at once, and only an administrator may send `legacy_reason`.
#[utoipa::path(
    post,
    path = "/api/v1/enterprises",
    tag = "企业信息",
    request_body = EnterpriseInput,
    responses(
        (status = 201, body = EnterpriseDetail),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    body: Result<Json<EnterpriseInput>, JsonRejection>,
) -> AppResult<(StatusCode, Json<EnterpriseDetail>)> {
    let input = read_body(body)?;
    let row = enterprises::create(&state, &user, &input).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &user, row).await?)))
}

/// Replaces an enterprise's record. The enterprise itself may edit its own record except
/// the unified social credit code. Ids outside the caller's data scope are not found.
#[utoipa::path(
    put,
    path = "/api/v1/enterprises/{id}",
    tag = "企业信息",
    params(("id" = i64, Path, description = "企业编号")),
    request_body = EnterpriseInput,
    responses(
        (status = 200, body = EnterpriseDetail),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    body: Result<Json<EnterpriseInput>, JsonRejection>,
) -> AppResult<Json<EnterpriseDetail>> {
    // The scope check comes first, so that another enterprise's id is not found whatever
    // the body contains.
    enterprises::get(&state.db, &user, id).await?;
    let input = read_body(body)?;
    let row = enterprises::update(&state, &user, id, &input).await?;
    Ok(Json(detail(&state, &user, row).await?))
}

/// Lists the county's towns and subdistricts, without login.
#[utoipa::path(
    get,
    path = "/api/v1/divisions",
    tag = "企业信息",
    responses((status = 200, body = [DivisionItem]))
)]
pub async fn divisions(State(state): State<AppState>) -> AppResult<Json<Vec<DivisionItem>>> {
    let rows = enterprises::divisions(&state.db).await?;
    Ok(Json(
        rows.into_iter()
            .map(|row| DivisionItem {
                code: row.code,
                name: row.name,
                kind: row.kind,
            })
            .collect(),
    ))
}
