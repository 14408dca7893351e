//! License application pages: list, submission form, detail with checklist and history,
//! workflow steps, correction and objection handling.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use etown_rules::{
    admission::{CertificateKind, Outcome, ProductCategory},
    workflow::{self, ApplicationKind, ApplicationState, Role},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;

use crate::{
    entities::{
        application, application_certificate, application_event, application_file,
        application_product, brand, enterprise, file, objection,
    },
    services::{
        applications::{
            self, ActionInput, ApplicationInput, ApplicationRow, ApplicationUploads,
            CertificateInput, ListFilter, ProductInput,
        },
        files::Upload,
    },
    web::{
        auth::AuthUser,
        error::{AppError, AppResult, FieldError},
        forms::{CsrfForm, Errors, FilterQuery, MultipartForm},
        layout::Layout,
        state::{AppState, format_beijing},
    },
};

/// Product blocks shown on the form; the API accepts up to `applications::MAX_PRODUCTS`.
const FORM_PRODUCTS: usize = 3;
/// Certificate rows per product on the form.
const FORM_PRODUCT_CERTIFICATES: usize = 2;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/applications", get(list_page))
        .route("/applications/new", get(new_page).post(new_submit))
        .route("/applications/{id}", get(detail_page))
        .route("/applications/{id}/act", post(act_submit))
        .route("/applications/{id}/edit", get(edit_page).post(edit_submit))
        .route(
            "/applications/{id}/objections/{objection_id}/resolve",
            post(resolve_submit),
        )
        .route("/applications/{id}/files/{file_id}", get(download))
}

struct Choice {
    value: String,
    label: String,
}

fn brand_choices(brands: &[brand::Model]) -> Vec<Choice> {
    brands
        .iter()
        .filter(|row| row.parent_id.is_some() && row.is_active)
        .map(|row| Choice {
            value: row.id.to_string(),
            label: format!("{}（{}）", row.name, row.slogan),
        })
        .collect()
}

fn category_choices() -> Vec<Choice> {
    ProductCategory::all()
        .iter()
        .map(|c| Choice {
            value: c.as_str().into(),
            label: c.label().into(),
        })
        .collect()
}

fn certificate_kind_choices() -> Vec<Choice> {
    [
        CertificateKind::Honor,
        CertificateKind::Qualification,
        CertificateKind::QualityMark,
        CertificateKind::Other,
    ]
    .iter()
    .map(|c| Choice {
        value: c.as_str().into(),
        label: c.label().into(),
    })
    .collect()
}

// ---------- list ----------

#[derive(Template, WebTemplate)]
#[template(path = "applications/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<ApplicationRow>,
    total: u64,
    page: u64,
    pages: u64,
    filter: ListFilter,
    brand_filter: String,
    states: Vec<Choice>,
    brands: Vec<Choice>,
    can_create: bool,
    query_base: String,
}

#[derive(Deserialize, Default)]
struct ExportQuery {
    #[serde(default)]
    format: String,
}

async fn list_page(
    State(state): State<AppState>,
    user: AuthUser,
    FilterQuery(filter): FilterQuery<ListFilter>,
    FilterQuery(export): FilterQuery<ExportQuery>,
) -> AppResult<Response> {
    if export.format == "csv" {
        let rows = applications::list_all(&state, &user, &filter).await?;
        let table = rows
            .into_iter()
            .map(|row| {
                vec![
                    row.submitted_text(),
                    row.application_no,
                    row.enterprise_name,
                    row.brand_name,
                    row.kind_label,
                    row.state_label,
                    row.due_on.map(|due| due.to_string()).unwrap_or_default(),
                ]
            })
            .collect();
        let headers = [
            "提交时间",
            "申请编号",
            "申请企业",
            "分支品牌",
            "申请类型",
            "状态",
            "办理期限",
        ];
        return crate::web::export::csv_response("授权申请", state.clock.now(), &headers, table);
    }
    let (rows, total) = applications::list(&state, &user, &filter).await?;
    let page = filter.page.unwrap_or(1).max(1);
    let pages = total.div_ceil(applications::PAGE_SIZE).max(1);
    let brands = brand::Entity::find()
        .order_by_asc(brand::Column::SortOrder)
        .all(&state.db)
        .await?;
    let query_base = serde_html_form::to_string([
        ("state", filter.state.as_str()),
        (
            "brand_id",
            &filter.brand_id.map(|id| id.to_string()).unwrap_or_default(),
        ),
        ("q", filter.q.as_str()),
    ])
    .unwrap_or_default();
    let page_view = ListPage {
        layout: Layout::new(&state, &user, "授权申请", "applications").crumb("授权申请", ""),
        rows,
        total,
        page,
        pages,
        brand_filter: filter.brand_id.map(|id| id.to_string()).unwrap_or_default(),
        filter,
        states: ApplicationState::all()
            .iter()
            .map(|s| Choice {
                value: s.as_str().into(),
                label: s.label().into(),
            })
            .collect(),
        brands: brand_choices(&brands),
        can_create: user.has_any(&[Role::Enterprise, Role::ServiceCenter]),
        query_base,
    };
    Ok(page_view.into_response())
}

// ---------- the submission form ----------

struct CertificateView {
    index: usize,
    number: usize,
    kind: String,
    name: String,
    valid_from: String,
    valid_until: String,
}

struct ProductView {
    index: usize,
    number: usize,
    /// Pictures already stored for this product, kept on resubmission.
    existing_pictures: usize,
    product: ProductInput,
    certificates: Vec<CertificateView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    is_correction: bool,
    missing_items: Vec<String>,
    input: ApplicationInput,
    products: Vec<ProductView>,
    food_license: CertificateInput,
    trademark: CertificateInput,
    heritage: CertificateInput,
    brands: Vec<Choice>,
    enterprises: Vec<Choice>,
    categories: Vec<Choice>,
    certificate_kinds: Vec<Choice>,
    staff_entry: bool,
    errors: Errors,
    general_errors: Vec<String>,
}

impl FormPage {
    fn brand_selected(&self, value: &str) -> bool {
        self.input.brand_id.map(|id| id.to_string()).as_deref() == Some(value)
    }

    fn enterprise_selected(&self, value: &str) -> bool {
        self.input.enterprise_id.map(|id| id.to_string()).as_deref() == Some(value)
    }
}

fn applicant_certificate(input: &ApplicationInput, kind: CertificateKind) -> CertificateInput {
    input
        .certificates
        .iter()
        .find(|certificate| certificate.kind == kind.as_str())
        .cloned()
        .unwrap_or_else(|| CertificateInput {
            kind: kind.as_str().into(),
            ..Default::default()
        })
}

fn product_views(input: &ApplicationInput) -> Vec<ProductView> {
    (0..FORM_PRODUCTS.max(input.products.len()))
        .map(|index| {
            let product = input.products.get(index).cloned().unwrap_or_default();
            let certificates = (0..FORM_PRODUCT_CERTIFICATES)
                .map(|cert_index| {
                    let certificate = product
                        .certificates
                        .get(cert_index)
                        .cloned()
                        .unwrap_or_default();
                    CertificateView {
                        index: cert_index,
                        number: cert_index + 1,
                        kind: certificate.kind,
                        name: certificate.name,
                        valid_from: certificate.valid_from,
                        valid_until: certificate.valid_until,
                    }
                })
                .collect();
            ProductView {
                index,
                number: index + 1,
                existing_pictures: 0,
                product,
                certificates,
            }
        })
        .collect()
}

#[expect(
    clippy::too_many_arguments,
    reason = "the form page is assembled from these independent parts"
)]
async fn render_form(
    state: &AppState,
    user: &AuthUser,
    title: &str,
    action: String,
    input: ApplicationInput,
    errors: Errors,
    general_errors: Vec<String>,
    missing_items: Vec<String>,
) -> AppResult<Response> {
    let brands = brand::Entity::find()
        .order_by_asc(brand::Column::SortOrder)
        .all(&state.db)
        .await?;
    let staff_entry = user.is_staff();
    let enterprises = if staff_entry {
        enterprise::Entity::find()
            .order_by_asc(enterprise::Column::Name)
            .all(&state.db)
            .await?
            .into_iter()
            .map(|row| Choice {
                value: row.id.to_string(),
                label: format!("{}（{}）", row.name, row.uscc),
            })
            .collect()
    } else {
        Vec::new()
    };
    let status = if errors.is_empty() && general_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut products = product_views(&input);
    // The correction form shows how many pictures each product keeps.
    let editing = action
        .strip_prefix("/applications/")
        .and_then(|rest| rest.strip_suffix("/edit"))
        .and_then(|id| id.parse::<i64>().ok());
    if let Some(application_id) = editing {
        let counts = picture_counts(&state.db, application_id).await?;
        for (view, count) in products.iter_mut().zip(counts) {
            view.existing_pictures = count;
        }
    }
    let page = FormPage {
        layout: Layout::new(state, user, title, "applications")
            .crumb("授权申请", "/applications")
            .crumb(title, ""),
        is_correction: action.ends_with("/edit"),
        action,
        missing_items,
        products,
        food_license: applicant_certificate(&input, CertificateKind::FoodProductionLicense),
        trademark: applicant_certificate(&input, CertificateKind::FamousTrademark),
        heritage: applicant_certificate(&input, CertificateKind::HeritageOrTimeHonored),
        input,
        brands: brand_choices(&brands),
        enterprises,
        categories: category_choices(),
        certificate_kinds: certificate_kind_choices(),
        staff_entry,
        errors,
        general_errors,
    };
    Ok((status, page).into_response())
}

async fn new_page(State(state): State<AppState>, user: AuthUser) -> AppResult<Response> {
    user.require_any(&[Role::Enterprise, Role::ServiceCenter])?;
    render_form(
        &state,
        &user,
        "提交授权申请",
        "/applications/new".into(),
        ApplicationInput::default(),
        Errors::default(),
        Vec::new(),
        Vec::new(),
    )
    .await
}

fn checkbox(form: &MultipartForm, name: &str) -> bool {
    matches!(form.text(name), "on" | "true" | "1")
}

/// Reads the application fields of the multipart form into the same input the API takes.
fn input_from_form(form: &MultipartForm) -> ApplicationInput {
    let id = |name: &str| form.text(name).trim().parse::<i64>().ok();
    let mut products = Vec::new();
    for index in 0..applications::MAX_PRODUCTS {
        let field = |name: &str| form.text(&format!("p{index}_{name}")).to_owned();
        let certificates: Vec<CertificateInput> = (0..FORM_PRODUCT_CERTIFICATES)
            .map(|cert_index| CertificateInput {
                kind: field(&format!("c{cert_index}_kind")),
                name: field(&format!("c{cert_index}_name")),
                valid_from: field(&format!("c{cert_index}_valid_from")),
                valid_until: field(&format!("c{cert_index}_valid_until")),
            })
            .collect();
        let product = ProductInput {
            name: field("name"),
            category: field("category"),
            introduction: field("introduction"),
            cost_price: field("cost_price"),
            market_price: field("market_price"),
            brand_profile: field("brand_profile"),
            online_channels: field("online_channels"),
            certificates,
        };
        // A block left completely empty is not a product.
        let has_content = !(product.name.trim().is_empty()
            && product.introduction.trim().is_empty()
            && product.cost_price.trim().is_empty()
            && product.market_price.trim().is_empty()
            && form.file(&format!("p{index}_pictures")).is_none());
        if has_content {
            products.push(product);
        }
    }
    let applicant = |kind: CertificateKind, prefix: &str| CertificateInput {
        kind: kind.as_str().into(),
        name: form.text(&format!("{prefix}_name")).to_owned(),
        valid_from: form.text(&format!("{prefix}_valid_from")).to_owned(),
        valid_until: form.text(&format!("{prefix}_valid_until")).to_owned(),
    };
    ApplicationInput {
        enterprise_id: id("enterprise_id"),
        brand_id: id("brand_id"),
        production_capacity: form.text("production_capacity").to_owned(),
        declared_lawful_products: checkbox(form, "declared_lawful_products"),
        declared_clean_environment: checkbox(form, "declared_clean_environment"),
        declared_industry_standards: checkbox(form, "declared_industry_standards"),
        declared_clean_record: checkbox(form, "declared_clean_record"),
        own_brand_and_standards: checkbox(form, "own_brand_and_standards"),
        food_processing_entrusted: checkbox(form, "food_processing_entrusted"),
        houma_sales_share_percent: form.text("houma_sales_share_percent").to_owned(),
        products,
        certificates: vec![
            applicant(CertificateKind::FoodProductionLicense, "food_license"),
            applicant(CertificateKind::FamousTrademark, "trademark"),
            applicant(CertificateKind::HeritageOrTimeHonored, "heritage"),
        ],
    }
}

fn uploads_from_form(form: &MultipartForm) -> ApplicationUploads<'_> {
    let mut uploads = ApplicationUploads::default();
    for upload in &form.files {
        if let Some(rest) = upload.field.strip_prefix('p')
            && let Some(index) = rest
                .strip_suffix("_pictures")
                .and_then(|number| number.parse::<usize>().ok())
        {
            uploads.product_pictures.push((index, upload));
            continue;
        }
        match upload.field.as_str() {
            "agent_authorization" => uploads.agent_authorization = Some(upload),
            "food_license_scan" => uploads.food_license_scan = Some(upload),
            _ => uploads.other.push(upload),
        }
    }
    uploads
}

/// Splits an error into field messages shown beside the inputs and general ones shown on top.
fn split_error(error: AppError) -> Result<(Errors, Vec<String>), AppError> {
    match error {
        AppError::Invalid(fields) => Ok((Errors(fields), Vec::new())),
        AppError::Rejected(message) | AppError::Forbidden(message) => {
            Ok((Errors::default(), vec![message]))
        }
        other => Err(other),
    }
}

async fn new_submit(
    State(state): State<AppState>,
    user: AuthUser,
    form: MultipartForm,
) -> AppResult<Response> {
    user.require_any(&[Role::Enterprise, Role::ServiceCenter])?;
    let input = input_from_form(&form);
    match applications::submit(&state, &user, &input, uploads_from_form(&form)).await {
        Ok(row) => {
            Ok(Redirect::to(&format!("/applications/{}?notice=submitted", row.id)).into_response())
        }
        Err(error) => {
            let (errors, general) = split_error(error)?;
            render_form(
                &state,
                &user,
                "提交授权申请",
                "/applications/new".into(),
                input,
                errors,
                general,
                Vec::new(),
            )
            .await
        }
    }
}

fn input_from_stored(
    row: &application::Model,
    products: &[application_product::Model],
    certificates: &[application_certificate::Model],
) -> ApplicationInput {
    let certificate_input = |c: &application_certificate::Model| CertificateInput {
        kind: c.kind.clone(),
        name: c.name.clone(),
        valid_from: c.valid_from.map(|d| d.to_string()).unwrap_or_default(),
        valid_until: c.valid_until.map(|d| d.to_string()).unwrap_or_default(),
    };
    let yuan = |fen: i64| {
        if fen > 0 {
            etown_rules::money::Money::from_fen(fen).to_string()
        } else {
            String::new()
        }
    };
    ApplicationInput {
        enterprise_id: Some(row.enterprise_id),
        brand_id: Some(row.brand_id),
        production_capacity: row.production_capacity.clone(),
        declared_lawful_products: row.declared_lawful_products,
        declared_clean_environment: row.declared_clean_environment,
        declared_industry_standards: row.declared_industry_standards,
        declared_clean_record: row.declared_clean_record,
        own_brand_and_standards: row.own_brand_and_standards,
        food_processing_entrusted: row.food_processing_entrusted,
        houma_sales_share_percent: row
            .houma_sales_share_percent
            .map(|v| v.to_string())
            .unwrap_or_default(),
        products: products
            .iter()
            .map(|p| ProductInput {
                name: p.name.clone(),
                category: p.category.clone(),
                introduction: p.introduction.clone(),
                cost_price: yuan(p.cost_price_fen),
                market_price: yuan(p.market_price_fen),
                brand_profile: p.brand_profile.clone(),
                online_channels: p.online_channels.clone(),
                certificates: certificates
                    .iter()
                    .filter(|c| c.product_id == Some(p.id))
                    .map(certificate_input)
                    .collect(),
            })
            .collect(),
        certificates: certificates
            .iter()
            .filter(|c| c.product_id.is_none())
            .map(certificate_input)
            .collect(),
    }
}

/// Counts the stored pictures of each product of an application, in form order.
async fn picture_counts(
    db: &sea_orm::DatabaseConnection,
    application_id: i64,
) -> AppResult<Vec<usize>> {
    let products = application_product::Entity::find()
        .filter(application_product::Column::ApplicationId.eq(application_id))
        .order_by_asc(application_product::Column::SortOrder)
        .all(db)
        .await?;
    let pictures = application_file::Entity::find()
        .filter(application_file::Column::ApplicationId.eq(application_id))
        .filter(application_file::Column::Purpose.eq("product_picture"))
        .all(db)
        .await?;
    Ok(products
        .iter()
        .map(|product| {
            pictures
                .iter()
                .filter(|picture| picture.product_id == Some(product.id))
                .count()
        })
        .collect())
}

fn missing_items_of(row: &application::Model) -> Vec<String> {
    row.missing_items
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default()
}

async fn edit_page(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let row = applications::find_visible(&state.db, &user, id).await?;
    if row.state != ApplicationState::CorrectionRequired.as_str() || !user.has(Role::Enterprise) {
        return Err(AppError::rejected(
            "只有处于“待补正”状态的申请才能由申请企业修改后重新提交",
        ));
    }
    let products = application_product::Entity::find()
        .filter(application_product::Column::ApplicationId.eq(id))
        .order_by_asc(application_product::Column::SortOrder)
        .all(&state.db)
        .await?;
    let certificates = application_certificate::Entity::find()
        .filter(application_certificate::Column::ApplicationId.eq(id))
        .all(&state.db)
        .await?;
    let input = input_from_stored(&row, &products, &certificates);
    let title = format!("补正申请 {}", row.application_no);
    render_form(
        &state,
        &user,
        &title,
        format!("/applications/{id}/edit"),
        input,
        Errors::default(),
        Vec::new(),
        missing_items_of(&row),
    )
    .await
}

async fn edit_submit(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    form: MultipartForm,
) -> AppResult<Response> {
    let current = applications::find_visible(&state.db, &user, id).await?;
    let mut input = input_from_form(&form);
    input.brand_id = Some(current.brand_id);
    input.enterprise_id = Some(current.enterprise_id);
    match applications::resubmit(&state, &user, id, &input, uploads_from_form(&form)).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/applications/{id}?notice=resubmitted")).into_response())
        }
        Err(error) => {
            let (errors, general) = split_error(error)?;
            let title = format!("补正申请 {}", current.application_no);
            render_form(
                &state,
                &user,
                &title,
                format!("/applications/{id}/edit"),
                input,
                errors,
                general,
                missing_items_of(&current),
            )
            .await
        }
    }
}

// ---------- detail ----------

struct ConditionView {
    label: &'static str,
    required: bool,
    outcome: &'static str,
    outcome_label: &'static str,
    reason: String,
}

struct ProductDetail {
    name: String,
    category: String,
    introduction: String,
    cost_price: String,
    market_price: String,
    brand_profile: String,
    online_channels: String,
    certificates: Vec<String>,
    pictures: Vec<i64>,
}

struct FileView {
    id: i64,
    purpose: &'static str,
    name: String,
}

struct EventView {
    at: String,
    actor: String,
    action: String,
    from: String,
    to: String,
    comment: String,
    attachments: Vec<i64>,
}

struct ObjectionView {
    id: i64,
    name: String,
    contact: String,
    content: String,
    submitted_at: String,
    status: &'static str,
    status_label: &'static str,
    resolution: String,
}

struct StepView {
    label: &'static str,
    class: &'static str,
}

struct ActionView {
    value: &'static str,
    label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/detail.html")]
struct DetailPage {
    layout: Layout,
    app: application::Model,
    submitted_text: String,
    kind_label: &'static str,
    state_label: &'static str,
    enterprise_name: String,
    enterprise_uscc: String,
    brand_name: String,
    due: String,
    urgency: String,
    missing_items: Vec<String>,
    steps: Vec<StepView>,
    conditions: Vec<ConditionView>,
    eligible: bool,
    required_met: usize,
    optional_met: usize,
    products: Vec<ProductDetail>,
    files: Vec<FileView>,
    events: Vec<EventView>,
    objections: Vec<ObjectionView>,
    actions: Vec<ActionView>,
    can_resolve: bool,
    can_edit: bool,
    show_contacts: bool,
    error: String,
}

fn purpose_label(purpose: &str) -> &'static str {
    match purpose {
        "product_picture" => "产品图片",
        "agent_authorization" => "代理授权书",
        "food_license" => "食品生产许可证",
        "site_photo" => "现场审核照片",
        "agreement" => "授权使用协议",
        _ => "其他材料",
    }
}

fn steps_for(kind: ApplicationKind, current: ApplicationState) -> Vec<StepView> {
    use ApplicationState as S;
    let mut path = vec![(S::Submitted, "资格初审")];
    if kind == ApplicationKind::New {
        path.push((S::SiteReview, "现场审核"));
        path.push((S::PublicNotice, "公示"));
    }
    path.extend([
        (S::Agreement, "签订协议"),
        (S::Certification, "颁发证书"),
        (S::Archiving, "建档"),
        (S::Filing, "备案"),
        (S::Completed, "完成"),
    ]);
    let position = path.iter().position(|(state, _)| *state == current);
    path.iter()
        .enumerate()
        .map(|(index, (_, label))| {
            let class = match position {
                Some(at) if index < at => "done",
                Some(at) if index == at => "current",
                None if current == S::CorrectionRequired && index == 0 => "current",
                _ => "",
            };
            StepView { label, class }
        })
        .collect()
}

#[derive(Deserialize, Default)]
struct DetailQuery {
    #[serde(default)]
    notice: String,
}

async fn detail_page(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<DetailQuery>,
) -> AppResult<Response> {
    let notice = match query.notice.as_str() {
        "submitted" => Some("申请已提交，商贸服务中心将在 3 个工作日内完成资格初审。".to_owned()),
        "resubmitted" => Some("补正材料已提交，等待重新初审。".to_owned()),
        "done" => Some("已办理。".to_owned()),
        _ => None,
    };
    render_detail(&state, &user, id, notice, String::new(), StatusCode::OK).await
}

async fn render_detail(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    notice: Option<String>,
    error: String,
    status: StatusCode,
) -> AppResult<Response> {
    let app = applications::find_visible(&state.db, user, id).await?;
    let kind = ApplicationKind::parse(&app.kind).map_err(|e| AppError::Internal(e.into()))?;
    let current = ApplicationState::parse(&app.state).map_err(|e| AppError::Internal(e.into()))?;
    let enterprise = enterprise::Entity::find_by_id(app.enterprise_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let brand = brand::Entity::find_by_id(app.brand_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = state.clock.today();

    let report = applications::admission_report(&state.db, &app, today).await?;
    let conditions = report
        .conditions
        .iter()
        .map(|result| ConditionView {
            label: result.id.label(),
            required: result.id.is_required(),
            outcome: result.outcome.as_str(),
            outcome_label: match result.outcome {
                Outcome::Met => "符合",
                Outcome::NotMet => "不符合",
                Outcome::Expired => "证书过期",
            },
            reason: result.reason.clone(),
        })
        .collect();

    let products = application_product::Entity::find()
        .filter(application_product::Column::ApplicationId.eq(id))
        .order_by_asc(application_product::Column::SortOrder)
        .all(&state.db)
        .await?;
    let certificates = application_certificate::Entity::find()
        .filter(application_certificate::Column::ApplicationId.eq(id))
        .all(&state.db)
        .await?;
    let attached = application_file::Entity::find()
        .filter(application_file::Column::ApplicationId.eq(id))
        .order_by_asc(application_file::Column::Id)
        .all(&state.db)
        .await?;
    let file_ids: Vec<i64> = attached.iter().map(|row| row.file_id).collect();
    let file_rows = file::Entity::find()
        .filter(file::Column::Id.is_in(file_ids))
        .all(&state.db)
        .await?;
    let file_name = |file_id: i64| {
        file_rows
            .iter()
            .find(|row| row.id == file_id)
            .map(|row| row.original_name.clone())
            .unwrap_or_default()
    };

    let describe = |c: &application_certificate::Model| {
        let kind = CertificateKind::parse(&c.kind)
            .map(|k| k.label())
            .unwrap_or("证书");
        let period = match (c.valid_from, c.valid_until) {
            (_, Some(until)) if until < today => format!("有效期至 {until}（已过期）"),
            (_, Some(until)) => format!("有效期至 {until}"),
            _ => "长期有效".to_owned(),
        };
        format!("{kind}：{}，{period}", c.name)
    };
    let products_view = products
        .iter()
        .map(|p| ProductDetail {
            name: p.name.clone(),
            category: ProductCategory::parse(&p.category)
                .map(|c| c.label())
                .unwrap_or("")
                .into(),
            introduction: p.introduction.clone(),
            cost_price: etown_rules::money::Money::from_fen(p.cost_price_fen).to_string(),
            market_price: etown_rules::money::Money::from_fen(p.market_price_fen).to_string(),
            brand_profile: p.brand_profile.clone(),
            online_channels: p.online_channels.clone(),
            certificates: certificates
                .iter()
                .filter(|c| c.product_id == Some(p.id))
                .map(describe)
                .collect(),
            pictures: attached
                .iter()
                .filter(|f| f.product_id == Some(p.id) && f.purpose == "product_picture")
                .map(|f| f.file_id)
                .collect(),
        })
        .collect();
    let mut files: Vec<FileView> = attached
        .iter()
        .filter(|f| f.purpose != "product_picture")
        .map(|f| FileView {
            id: f.file_id,
            purpose: purpose_label(&f.purpose),
            name: file_name(f.file_id),
        })
        .collect();
    for c in certificates.iter().filter(|c| c.product_id.is_none()) {
        files.push(FileView {
            id: 0,
            purpose: "申请主体证书",
            name: describe(c),
        });
    }

    let events = application_event::Entity::find()
        .filter(application_event::Column::ApplicationId.eq(id))
        .order_by_asc(application_event::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|e| EventView {
            at: format_beijing(e.occurred_at),
            actor: e.actor_name,
            action: workflow::Action::parse(&e.action)
                .map(|a| a.label().to_owned())
                .unwrap_or_else(|_| {
                    if e.action == "submit" {
                        "提交申请".into()
                    } else {
                        e.action.clone()
                    }
                }),
            from: e
                .from_state
                .as_deref()
                .and_then(|s| ApplicationState::parse(s).ok())
                .map(|s| s.label())
                .unwrap_or("")
                .into(),
            to: ApplicationState::parse(&e.to_state)
                .map(|s| s.label())
                .unwrap_or("")
                .into(),
            comment: e.comment.unwrap_or_default(),
            attachments: e
                .attachments
                .as_deref()
                .and_then(|text| serde_json::from_str(text).ok())
                .unwrap_or_default(),
        })
        .collect();

    let show_contacts = user.has(Role::ServiceCenter);
    let objections = objection::Entity::find()
        .filter(objection::Column::ApplicationId.eq(id))
        .order_by_asc(objection::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|o| {
            let (status, status_label) = match o.status.as_str() {
                "upheld" => ("bad", "异议成立"),
                "dismissed" => ("ok", "异议不成立"),
                _ => ("warn", "待核实"),
            };
            ObjectionView {
                id: o.id,
                name: o.name,
                contact: o.contact,
                content: o.content,
                submitted_at: format_beijing(o.submitted_at),
                status,
                status_label,
                resolution: o.resolution.unwrap_or_default(),
            }
        })
        .collect();

    let actions = workflow::allowed_actions(kind, current, &user.roles)
        .into_iter()
        .filter(|action| *action != workflow::Action::Resubmit)
        .map(|action| ActionView {
            value: action.as_str(),
            label: action.label(),
        })
        .collect();
    let urgency = match app.due_on {
        Some(due) if !current.is_terminal() => workflow::urgency(&state.calendar(), due, today)
            .as_str()
            .to_owned(),
        _ => "normal".to_owned(),
    };
    let title = format!("申请详情 {}", app.application_no);
    let page = DetailPage {
        layout: Layout::new(state, user, &title, "applications")
            .crumb("授权申请", "/applications")
            .crumb(app.application_no.clone(), "")
            .notice(notice),
        kind_label: kind.label(),
        state_label: current.label(),
        enterprise_name: enterprise.name,
        enterprise_uscc: enterprise.uscc,
        brand_name: brand.name,
        due: app.due_on.map(|d| d.to_string()).unwrap_or_default(),
        urgency,
        missing_items: missing_items_of(&app),
        steps: steps_for(kind, current),
        conditions,
        eligible: report.eligible,
        required_met: report.required_met,
        optional_met: report.optional_met,
        products: products_view,
        files,
        events,
        objections,
        actions,
        can_resolve: user.has(Role::ServiceCenter) && current == ApplicationState::PublicNotice,
        can_edit: user.has(Role::Enterprise) && current == ApplicationState::CorrectionRequired,
        show_contacts,
        error,
        submitted_text: format_beijing(app.submitted_at),
        app,
    };
    Ok((status, page).into_response())
}

// ---------- workflow steps ----------

async fn act_submit(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    form: MultipartForm,
) -> AppResult<Response> {
    let input = ActionInput {
        action: form.text("action").to_owned(),
        version: form.text("version").trim().parse().ok(),
        comment: form.text("comment").to_owned(),
        missing_items: form.text("missing_items").to_owned(),
        reason: form.text("reason").to_owned(),
        findings: form.text("findings").to_owned(),
    };
    let uploads: Vec<&Upload> = form.files_named("files").collect();
    let outcome = applications::act(&state, &user, id, &input, &uploads)
        .await
        .map(|_| ());
    after_step(&state, &user, id, outcome).await
}

/// Redirects to the detail page after a step, or shows it again with the reason the step
/// was refused.
async fn after_step(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    outcome: AppResult<()>,
) -> AppResult<Response> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/applications/{id}?notice=done")).into_response()),
        Err(AppError::Invalid(fields)) => {
            render_detail(
                state,
                user,
                id,
                None,
                join_fields(&fields),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Rejected(message)) => {
            render_detail(state, user, id, None, message, StatusCode::CONFLICT).await
        }
        Err(other) => Err(other),
    }
}

fn join_fields(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|field| field.message.as_str())
        .collect::<Vec<_>>()
        .join("；")
}

#[derive(Deserialize, Default)]
struct ResolveForm {
    #[serde(default)]
    upheld: String,
    #[serde(default)]
    resolution: String,
}

async fn resolve_submit(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id, objection_id)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<ResolveForm>,
) -> AppResult<Response> {
    applications::find_visible(&state.db, &user, id).await?;
    let belongs = objection::Entity::find_by_id(objection_id)
        .filter(objection::Column::ApplicationId.eq(id))
        .one(&state.db)
        .await?;
    if belongs.is_none() {
        return Err(AppError::NotFound);
    }
    let upheld = match form.upheld.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let outcome =
        applications::resolve_objection(&state, &user, objection_id, upheld, &form.resolution)
            .await
            .map(|_| ());
    after_step(&state, &user, id, outcome).await
}

/// Serves a file of an application the user may see; other files return 404.
async fn download(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id, file_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    applications::find_visible(&state.db, &user, id).await?;
    let attached = application_file::Entity::find()
        .filter(application_file::Column::ApplicationId.eq(id))
        .filter(application_file::Column::FileId.eq(file_id))
        .one(&state.db)
        .await?;
    if attached.is_none() {
        return Err(AppError::NotFound);
    }
    let (row, bytes) = crate::services::files::read(&state, file_id).await?;
    let disposition = format!(
        "inline; filename*=UTF-8''{}",
        percent_encode(&row.original_name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, row.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, max-age=300".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
