//! The brand matrix in the back office: every staff role views it, the trade service
//! center adds and edits sub-brands, edits the umbrella brand and uploads logos. Logos are
//! also served publicly at `/brand-logos/{id}`.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use etown_rules::workflow::Role;
use serde::Deserialize;

use crate::{
    audit::Actor,
    entities::brand,
    services::brands::{self, BrandEntry, BrandInput},
    web::{
        auth::AuthUser,
        error::{AppError, AppResult},
        forms::{CsrfForm, Errors, MultipartForm},
        layout::Layout,
        state::AppState,
    },
};

/// Browsers may reuse a logo for an hour. Logo URLs carry the file id, so a new logo gets a
/// new URL at once.
const LOGO_CACHE_CONTROL: &str = "public, max-age=3600";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/brands", get(list))
        .route("/brands/new", get(new_form).post(create))
        .route("/brands/{id}/edit", get(edit_form).post(update))
        .route("/brands/{id}/logo", post(upload_logo))
        .route("/brands/{id}/active", post(set_active))
        .route("/brand-logos/{id}", get(logo))
}

/// Returns the path of a brand's logo, or `None` when it has none. The file id in the query
/// changes with every upload, so caches never serve an old logo under the new URL.
pub fn logo_path(brand: &brand::Model) -> Option<String> {
    brand
        .logo_file_id
        .map(|file_id| format!("/brand-logos/{}?v={file_id}", brand.id))
}

fn require_staff(user: &AuthUser) -> AppResult<()> {
    if user.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "品牌矩阵管理页面仅供工作人员查看，您的账号没有相应权限。".into(),
        ))
    }
}

/// One brand as the matrix page shows it.
struct BrandRow {
    id: i64,
    name: String,
    slogan: String,
    description: String,
    cap: String,
    valid_licenses: u64,
    is_active: bool,
    logo_url: Option<String>,
}

impl From<&BrandEntry> for BrandRow {
    fn from(entry: &BrandEntry) -> Self {
        let brand = &entry.brand;
        BrandRow {
            id: brand.id,
            name: brand.name.clone(),
            slogan: brand.slogan.clone(),
            description: brand.description.clone().unwrap_or_default(),
            cap: brand
                .license_cap
                .map(|cap| format!("{cap} 家"))
                .unwrap_or_else(|| "不限".into()),
            valid_licenses: entry.valid_licenses,
            is_active: brand.is_active,
            logo_url: logo_path(brand),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "brands/list.html")]
struct ListPage {
    layout: Layout,
    umbrella: BrandRow,
    sub_brands: Vec<BrandRow>,
    can_edit: bool,
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

fn notice_text(code: &str) -> Option<String> {
    let text = match code {
        "created" => "分支品牌已新增。",
        "updated" => "品牌信息已保存。",
        "logo_updated" => "品牌标志已更新。",
        "activated" => "分支品牌已启用，可以受理新的授权申请。",
        "deactivated" => "分支品牌已停用，不再受理新的授权申请；已有授权不受影响。",
        _ => return None,
    };
    Some(text.to_owned())
}

async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<NoticeQuery>,
) -> AppResult<Response> {
    require_staff(&user)?;
    let matrix = brands::matrix(&state.db, state.clock.today()).await?;
    let layout = Layout::new(&state, &user, "品牌矩阵", "brands")
        .crumb("公用品牌", "")
        .crumb("品牌矩阵", "")
        .notice(notice_text(&query.notice));
    Ok(ListPage {
        layout,
        umbrella: BrandRow::from(&matrix.umbrella),
        sub_brands: matrix.sub_brands.iter().map(BrandRow::from).collect(),
        can_edit: user.has(Role::ServiceCenter),
    }
    .into_response())
}

/// The add and edit form of a brand. `brand` is `None` while adding a sub-brand.
#[derive(Template, WebTemplate)]
#[template(path = "brands/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    brand: Option<BrandRow>,
    is_umbrella: bool,
    values: BrandInput,
    is_active: bool,
    errors: Errors,
}

#[derive(Deserialize, Default)]
struct BrandForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slogan: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    license_cap: String,
    #[serde(default)]
    sort_order: String,
    /// "1" when the checkbox is ticked; browsers send nothing for an unticked box.
    #[serde(default)]
    is_active: String,
}

impl BrandForm {
    /// Builds the service input. The umbrella form has no cap and no status field, so its
    /// status is kept as it is.
    fn into_input(self, is_umbrella: bool) -> BrandInput {
        BrandInput {
            name: self.name,
            slogan: self.slogan,
            description: self.description,
            license_cap: self.license_cap,
            sort_order: self.sort_order,
            is_active: (!is_umbrella).then_some(self.is_active == "1"),
        }
    }
}

/// Contents of the add or edit form: the brand being edited (`None` while adding), the
/// values to fill in, their errors and a notice after a successful step.
struct FormView<'a> {
    entry: Option<&'a BrandEntry>,
    values: BrandInput,
    errors: Errors,
    notice: Option<String>,
}

impl FormView<'_> {
    fn new(entry: Option<&BrandEntry>, values: BrandInput, errors: Errors) -> FormView<'_> {
        FormView {
            entry,
            values,
            errors,
            notice: None,
        }
    }

    /// Renders the page, with status 422 when it shows errors.
    fn render(self, state: &AppState, user: &AuthUser) -> Response {
        let FormView {
            entry,
            values,
            errors,
            notice,
        } = self;
        let title = match entry {
            Some(entry) => format!("编辑品牌：{}", entry.brand.name),
            None => "新增分支品牌".to_owned(),
        };
        let layout = Layout::new(state, user, title.clone(), "brands")
            .crumb("公用品牌", "")
            .crumb("品牌矩阵", "/brands")
            .crumb(title, "")
            .notice(notice);
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let page = FormPage {
            layout,
            action: match entry {
                Some(entry) => format!("/brands/{}/edit", entry.brand.id),
                None => "/brands/new".to_owned(),
            },
            brand: entry.map(BrandRow::from),
            is_umbrella: entry.is_some_and(|entry| entry.brand.parent_id.is_none()),
            is_active: values.is_active.unwrap_or(true),
            values,
            errors,
        };
        (status, page).into_response()
    }
}

/// Splits a service error into the field errors that the form shows, or the error itself.
fn field_errors(error: AppError) -> Result<Errors, AppError> {
    match error {
        AppError::Invalid(fields) => Ok(Errors(fields)),
        other => Err(other),
    }
}

async fn new_form(State(state): State<AppState>, user: AuthUser) -> AppResult<Response> {
    user.require_any(&[Role::ServiceCenter])?;
    let values = BrandInput {
        is_active: Some(true),
        ..Default::default()
    };
    Ok(FormView::new(None, values, Errors::default()).render(&state, &user))
}

async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    CsrfForm(form): CsrfForm<BrandForm>,
) -> AppResult<Response> {
    user.require_any(&[Role::ServiceCenter])?;
    let input = form.into_input(false);
    match brands::create(&state, &Actor::from(&user), &input).await {
        Ok(_) => Ok(Redirect::to("/brands?notice=created").into_response()),
        Err(error) => {
            let errors = field_errors(error)?;
            Ok(FormView::new(None, input, errors).render(&state, &user))
        }
    }
}

async fn edit_form(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> AppResult<Response> {
    user.require_any(&[Role::ServiceCenter])?;
    let entry = brands::get(&state.db, id, state.clock.today()).await?;
    let values = BrandInput::from_model(&entry.brand);
    let page = FormView {
        entry: Some(&entry),
        values,
        errors: Errors::default(),
        notice: notice_text(&query.notice),
    };
    Ok(page.render(&state, &user))
}

async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<BrandForm>,
) -> AppResult<Response> {
    user.require_any(&[Role::ServiceCenter])?;
    let entry = brands::get(&state.db, id, state.clock.today()).await?;
    let input = form.into_input(entry.brand.parent_id.is_none());
    match brands::update(&state, &Actor::from(&user), id, &input).await {
        Ok(_) => Ok(Redirect::to("/brands?notice=updated").into_response()),
        Err(error) => {
            let errors = field_errors(error)?;
            Ok(FormView::new(Some(&entry), input, errors).render(&state, &user))
        }
    }
}

async fn upload_logo(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    form: MultipartForm,
) -> AppResult<Response> {
    user.require_any(&[Role::ServiceCenter])?;
    let entry = brands::get(&state.db, id, state.clock.today()).await?;
    match brands::set_logo(&state, &Actor::from(&user), id, form.file("logo")).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/brands/{id}/edit?notice=logo_updated")).into_response())
        }
        Err(error) => {
            let errors = field_errors(error)?;
            let values = BrandInput::from_model(&entry.brand);
            Ok(FormView::new(Some(&entry), values, errors).render(&state, &user))
        }
    }
}

#[derive(Deserialize, Default)]
struct ActiveForm {
    /// "1" to activate, "0" to deactivate.
    #[serde(default)]
    is_active: String,
}

async fn set_active(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ActiveForm>,
) -> AppResult<Response> {
    user.require_any(&[Role::ServiceCenter])?;
    let is_active = match form.is_active.as_str() {
        "1" => true,
        "0" => false,
        other => {
            return Err(AppError::field(
                "is_active",
                format!("启用状态“{other}”无效，应为 1（启用）或 0（停用）"),
            ));
        }
    };
    brands::set_active(&state, &Actor::from(&user), id, is_active).await?;
    let notice = if is_active {
        "activated"
    } else {
        "deactivated"
    };
    Ok(Redirect::to(&format!("/brands?notice={notice}")).into_response())
}

/// Serves a brand's logo without login, with the content type detected at upload.
async fn logo(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    request_headers: HeaderMap,
) -> AppResult<Response> {
    let (file, bytes) = brands::logo(&state, id).await?;
    let etag = format!("\"{}\"", file.sha256);
    let content_type = HeaderValue::from_str(&file.content_type).map_err(|error| {
        AppError::Internal(anyhow::anyhow!(
            "stored content type of file {} is not a header value: {error}",
            file.id
        ))
    })?;
    let etag_value = HeaderValue::from_str(&etag).map_err(|error| {
        AppError::Internal(anyhow::anyhow!(
            "ETag of file {} is not a header value: {error}",
            file.id
        ))
    })?;
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static(LOGO_CACHE_CONTROL),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::ETAG, etag_value),
    ];

    let unchanged = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|tag| tag.trim() == etag));
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, headers).into_response());
    }
    Ok((headers, bytes).into_response())
}
