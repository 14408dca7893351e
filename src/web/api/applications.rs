//! `/api/v1/applications`: the same operations as the application pages.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
};
use base64::Engine;
use chrono::NaiveDate;
use etown_rules::admission::AdmissionReport;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::{
    entities::{application, application_event, application_product, objection},
    services::{
        applications::{
            self, ActionInput, ApplicationInput, ApplicationRow, ApplicationUploads, ListFilter,
        },
        files::Upload,
    },
    web::{
        auth::AuthUser,
        error::{AppError, AppResult},
        forms::FilterQuery,
        state::AppState,
    },
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/applications", get(list).post(create))
        .route("/applications/{id}", get(detail))
        .route("/applications/{id}/actions", post(take_action))
        .route("/applications/{id}/resubmission", post(resubmit))
        .route("/objections/{id}/resolution", post(resolve))
        .route("/todos", get(todos))
}

/// A page of applications.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApplicationPage {
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
    pub items: Vec<ApplicationRow>,
}

/// Lists applications in the caller's scope: enterprise users see only their own.
#[utoipa::path(get, path = "/api/v1/applications", tag = "授权申请", params(ListFilter),
    responses((status = 200, body = ApplicationPage), (status = 401, body = crate::web::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    FilterQuery(filter): FilterQuery<ListFilter>,
) -> AppResult<Json<ApplicationPage>> {
    let (items, total) = applications::list(&state, &user, &filter).await?;
    Ok(Json(ApplicationPage {
        total,
        page: filter.page.unwrap_or(1).max(1),
        page_size: applications::PAGE_SIZE,
        items,
    }))
}

/// The result of a submission or a step.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApplicationState {
    pub id: i64,
    pub application_no: String,
    /// State id, such as submitted.
    pub state: String,
    pub state_label: String,
    /// Deadline of the current step (end of that working day, Beijing time).
    pub due_on: Option<NaiveDate>,
    pub version: i32,
}

impl From<application::Model> for ApplicationState {
    fn from(row: application::Model) -> Self {
        let label = etown_rules::workflow::ApplicationState::parse(&row.state)
            .map(|s| s.label())
            .unwrap_or("")
            .to_owned();
        ApplicationState {
            id: row.id,
            application_no: row.application_no,
            state: row.state,
            state_label: label,
            due_on: row.due_on,
            version: row.version,
        }
    }
}

/// Submits an application. Pictures and scans are sent with the pages' form; through the
/// API the checklist shows them as missing until they are added on correction.
#[utoipa::path(post, path = "/api/v1/applications", tag = "授权申请", request_body = ApplicationInput,
    responses((status = 201, body = ApplicationState), (status = 422, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    Json(input): Json<ApplicationInput>,
) -> AppResult<(StatusCode, Json<ApplicationState>)> {
    let row = applications::submit(&state, &user, &input, ApplicationUploads::default()).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// One application with its products, admission checklist, objections and history.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApplicationDetail {
    #[schema(value_type = Object)]
    pub application: application::Model,
    #[schema(value_type = Vec<Object>)]
    pub products: Vec<application_product::Model>,
    #[schema(value_type = Object)]
    pub checklist: AdmissionReport,
    pub missing_items: Vec<String>,
    pub objections: Vec<ObjectionView>,
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<application_event::Model>,
    /// Action ids the caller may take now.
    pub allowed_actions: Vec<String>,
}

/// An objection; the objector's contact is shown to the trade service center only.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ObjectionView {
    pub id: i64,
    pub name: String,
    pub contact: Option<String>,
    pub content: String,
    /// pending, upheld or dismissed.
    pub status: String,
    pub resolution: Option<String>,
}

/// Returns one application; other enterprises' applications return 404.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "授权申请", params(("id" = i64, Path)),
    responses((status = 200, body = ApplicationDetail), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
) -> AppResult<Json<ApplicationDetail>> {
    let row = applications::find_visible(&state.db, &user, id).await?;
    let checklist = applications::admission_report(&state.db, &row, state.clock.today()).await?;
    let products = application_product::Entity::find()
        .filter(application_product::Column::ApplicationId.eq(id))
        .order_by_asc(application_product::Column::SortOrder)
        .all(&state.db)
        .await?;
    let history = application_event::Entity::find()
        .filter(application_event::Column::ApplicationId.eq(id))
        .order_by_asc(application_event::Column::Id)
        .all(&state.db)
        .await?;
    let show_contacts = user.has(etown_rules::workflow::Role::ServiceCenter);
    let objections = objection::Entity::find()
        .filter(objection::Column::ApplicationId.eq(id))
        .order_by_asc(objection::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|o| ObjectionView {
            id: o.id,
            name: o.name,
            contact: show_contacts.then_some(o.contact),
            content: o.content,
            status: o.status,
            resolution: o.resolution,
        })
        .collect();
    let kind = etown_rules::workflow::ApplicationKind::parse(&row.kind)
        .map_err(|e| AppError::Internal(e.into()))?;
    let current = etown_rules::workflow::ApplicationState::parse(&row.state)
        .map_err(|e| AppError::Internal(e.into()))?;
    let allowed_actions = etown_rules::workflow::allowed_actions(kind, current, &user.roles)
        .iter()
        .map(|a| a.as_str().to_owned())
        .collect();
    let missing_items = row
        .missing_items
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    Ok(Json(ApplicationDetail {
        application: row,
        products,
        checklist,
        missing_items,
        objections,
        history,
        allowed_actions,
    }))
}

/// An attachment sent through the API, such as the signed agreement.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct Attachment {
    pub file_name: String,
    /// The file's bytes in standard Base64.
    pub content_base64: String,
}

/// A workflow step with its attachments.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct StepRequest {
    #[serde(flatten)]
    pub input: ActionInput,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// Takes a workflow step: pass_preliminary, request_correction, return_application,
/// pass_site_review, fail_site_review, conclude_notice, reject_after_objection,
/// sign_agreement, issue_certificate, build_archive, confirm_filing or withdraw.
#[utoipa::path(post, path = "/api/v1/applications/{id}/actions", tag = "授权申请", params(("id" = i64, Path)), request_body = StepRequest,
    responses((status = 200, body = ApplicationState), (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn take_action(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    Json(request): Json<StepRequest>,
) -> AppResult<Json<ApplicationState>> {
    let mut uploads = Vec::new();
    for (index, attachment) in request.attachments.iter().enumerate() {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(attachment.content_base64.trim())
            .map_err(|_| {
                AppError::field(
                    &format!("attachments[{index}].content_base64"),
                    format!("附件“{}”的内容不是有效的 Base64 编码", attachment.file_name),
                )
            })?;
        uploads.push(Upload {
            field: "files".into(),
            file_name: attachment.file_name.clone(),
            bytes,
        });
    }
    let references: Vec<&Upload> = uploads.iter().collect();
    let row = applications::act(&state, &user, id, &request.input, &references).await?;
    Ok(Json(row.into()))
}

/// Resubmits an application waiting for correction with its completed materials.
#[utoipa::path(post, path = "/api/v1/applications/{id}/resubmission", tag = "授权申请", params(("id" = i64, Path)), request_body = ApplicationInput,
    responses((status = 200, body = ApplicationState), (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn resubmit(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    Json(input): Json<ApplicationInput>,
) -> AppResult<Json<ApplicationState>> {
    let row =
        applications::resubmit(&state, &user, id, &input, ApplicationUploads::default()).await?;
    Ok(Json(row.into()))
}

/// The trade service center's finding on an objection.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct Resolution {
    /// Whether the objection is upheld.
    pub upheld: Option<bool>,
    pub resolution: String,
}

/// Records whether an objection is upheld, with the reasons.
#[utoipa::path(post, path = "/api/v1/objections/{id}/resolution", tag = "授权申请", params(("id" = i64, Path)), request_body = Resolution,
    responses((status = 200, body = ObjectionView), (status = 403, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn resolve(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    Json(body): Json<Resolution>,
) -> AppResult<Json<ObjectionView>> {
    let row =
        applications::resolve_objection(&state, &user, id, body.upheld, &body.resolution).await?;
    Ok(Json(ObjectionView {
        id: row.id,
        name: row.name,
        contact: Some(row.contact),
        content: row.content,
        status: row.status,
        resolution: row.resolution,
    }))
}

/// Lists the caller's to-do items, overdue first; `urgency` is normal, due_soon or overdue.
#[utoipa::path(get, path = "/api/v1/todos", tag = "授权申请", responses((status = 200, body = Vec<ApplicationRow>)))]
pub async fn todos(
    State(state): State<AppState>,
    user: AuthUser,
) -> AppResult<Json<Vec<ApplicationRow>>> {
    Ok(Json(applications::todos(&state, &user).await?))
}
