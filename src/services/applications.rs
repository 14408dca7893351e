//! License applications: submission, the review workflow, objections during the public
//! notice, and the to-do list. Pages and the API call these functions, so both apply the
//! same rules and show the same messages.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use etown_rules::{
    admission::{
        self, AdmissionInput, AdmissionReport, CertificateFacts, CertificateKind, ProductCategory,
        ProductFacts,
    },
    license as license_rules,
    money::Money,
    workflow::{self, Action, ApplicationKind, ApplicationState, Role},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
    sea_query::Expr,
};
use serde::{Deserialize, Serialize};

use crate::{
    audit::{self, Actor},
    entities::{
        application, application_certificate, application_event, application_file,
        application_product, brand, enterprise, license, license_product, objection,
        reapplication_ban,
    },
    services::{
        files::{self, Accept, Upload},
        sequences,
    },
    web::{
        auth::{AuthUser, random_token},
        error::{AppError, AppResult},
        forms::Errors,
        state::AppState,
    },
};

/// Most products one application may name.
pub const MAX_PRODUCTS: usize = 10;

/// A certificate as entered: kind id, name and validity dates as text.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CertificateInput {
    /// honor, qualification, quality_mark, food_production_license, famous_trademark,
    /// heritage_or_time_honored or other.
    pub kind: String,
    pub name: String,
    /// YYYY-MM-DD, empty when open.
    pub valid_from: String,
    /// YYYY-MM-DD, empty for a certificate valid indefinitely.
    pub valid_until: String,
}

/// A product as entered; prices are yuan as text, such as "35.50".
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProductInput {
    pub name: String,
    /// agricultural, food, industrial, craft, specialty, creative or other.
    pub category: String,
    pub introduction: String,
    pub cost_price: String,
    pub market_price: String,
    pub brand_profile: String,
    pub online_channels: String,
    pub certificates: Vec<CertificateInput>,
}

/// An application as entered on the form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ApplicationInput {
    /// The applicant; only staff entering a paper application give it, enterprise users
    /// always apply for their own enterprise.
    pub enterprise_id: Option<i64>,
    pub brand_id: Option<i64>,
    /// Production and sales capacity and scale.
    pub production_capacity: String,
    pub declared_lawful_products: bool,
    pub declared_clean_environment: bool,
    pub declared_industry_standards: bool,
    pub declared_clean_record: bool,
    pub own_brand_and_standards: bool,
    pub food_processing_entrusted: bool,
    /// Whole percent 0–100, or empty.
    pub houma_sales_share_percent: String,
    pub products: Vec<ProductInput>,
    /// Certificates of the applicant: food production license, trademark titles,
    /// intangible heritage or time-honored brand titles.
    pub certificates: Vec<CertificateInput>,
}

/// Files that come with an application from the form.
#[derive(Default)]
pub struct ApplicationUploads<'a> {
    /// Pictures per product index.
    pub product_pictures: Vec<(usize, &'a Upload)>,
    pub agent_authorization: Option<&'a Upload>,
    pub food_license_scan: Option<&'a Upload>,
    pub other: Vec<&'a Upload>,
}

struct ValidProduct {
    name: String,
    category: ProductCategory,
    introduction: String,
    cost_price: Money,
    market_price: Money,
    brand_profile: String,
    online_channels: String,
    certificates: Vec<ValidCertificate>,
}

struct ValidCertificate {
    kind: CertificateKind,
    name: String,
    valid_from: Option<NaiveDate>,
    valid_until: Option<NaiveDate>,
}

fn validate_certificate(
    errors: &mut Errors,
    field: &str,
    label: &str,
    input: &CertificateInput,
) -> Option<ValidCertificate> {
    let kind = match CertificateKind::parse(input.kind.trim()) {
        Ok(kind) => Some(kind),
        Err(_) => {
            let allowed: Vec<&str> = CertificateKind::all()
                .iter()
                .map(|kind| kind.label())
                .collect();
            errors.add(
                &format!("{field}.kind"),
                format!(
                    "{label}的证书类型“{}”无效，应为{}之一",
                    input.kind,
                    allowed.join("、")
                ),
            );
            None
        }
    };
    let name = errors.required(
        &format!("{field}.name"),
        &format!("{label}的证书名称"),
        &input.name,
        100,
    );
    let valid_from = errors.date(
        &format!("{field}.valid_from"),
        &format!("{label}的有效期起"),
        &input.valid_from,
    );
    let valid_until = errors.date(
        &format!("{field}.valid_until"),
        &format!("{label}的有效期至"),
        &input.valid_until,
    );
    if let (Some(from), Some(until)) = (valid_from, valid_until)
        && from > until
    {
        errors.add(
            &format!("{field}.valid_until"),
            format!("{label}的有效期至 {until} 早于有效期起 {from}，请检查"),
        );
    }
    Some(ValidCertificate {
        kind: kind?,
        name,
        valid_from,
        valid_until,
    })
}

fn parse_money(errors: &mut Errors, field: &str, label: &str, text: &str) -> Money {
    let text = text.trim();
    if text.is_empty() {
        return Money::from_fen(0);
    }
    match Money::parse_yuan(text) {
        Ok(money) => money,
        Err(error) => {
            errors.add(field, error.message_for(label));
            Money::from_fen(0)
        }
    }
}

struct ValidInput {
    production_capacity: String,
    houma_sales_share_percent: Option<i32>,
    products: Vec<ValidProduct>,
    certificates: Vec<ValidCertificate>,
}

/// Checks the format of every field and collects all errors. Missing materials are not
/// errors here: the preliminary review lists them for the applicant all at once.
fn validate_input(input: &ApplicationInput) -> Result<ValidInput, AppError> {
    let mut errors = Errors::default();

    let production_capacity = errors
        .optional(
            "production_capacity",
            "生产销售能力及规模",
            &input.production_capacity,
            2000,
        )
        .unwrap_or_default();

    let share_text = input.houma_sales_share_percent.trim().trim_end_matches('%');
    let houma_sales_share_percent = if share_text.is_empty() {
        None
    } else {
        match share_text.parse::<i32>() {
            Ok(value) if (0..=100).contains(&value) => Some(value),
            _ => {
                errors.add(
                    "houma_sales_share_percent",
                    format!(
                        "侯马产品销售占比“{}”无效，应为 0 到 100 之间的整数",
                        input.houma_sales_share_percent
                    ),
                );
                None
            }
        }
    };

    if input.products.is_empty() {
        errors.add("products", "请至少填写一个申请授权的产品");
    }
    if input.products.len() > MAX_PRODUCTS {
        errors.add(
            "products",
            format!(
                "一次申请最多填写 {MAX_PRODUCTS} 个产品，当前为 {} 个",
                input.products.len()
            ),
        );
    }

    let mut products = Vec::new();
    for (index, product) in input.products.iter().enumerate() {
        let field = format!("products[{index}]");
        let label = format!("第{}个产品", index + 1);
        let name = errors.required(
            &format!("{field}.name"),
            &format!("{label}的名称"),
            &product.name,
            60,
        );
        let category = if product.category.trim().is_empty() {
            errors.add(&format!("{field}.category"), format!("请选择{label}的类别"));
            None
        } else {
            match ProductCategory::parse(product.category.trim()) {
                Ok(category) => Some(category),
                Err(_) => {
                    let allowed: Vec<&str> = ProductCategory::all()
                        .iter()
                        .map(|category| category.label())
                        .collect();
                    errors.add(
                        &format!("{field}.category"),
                        format!(
                            "{label}的类别“{}”无效，应为{}之一",
                            product.category,
                            allowed.join("、")
                        ),
                    );
                    None
                }
            }
        };
        let introduction = errors.optional(
            &format!("{field}.introduction"),
            &format!("{label}的产品介绍"),
            &product.introduction,
            2000,
        );
        let cost_price = parse_money(
            &mut errors,
            &format!("{field}.cost_price"),
            &format!("{label}的成本价"),
            &product.cost_price,
        );
        let market_price = parse_money(
            &mut errors,
            &format!("{field}.market_price"),
            &format!("{label}的市场价"),
            &product.market_price,
        );
        let brand_profile = errors.optional(
            &format!("{field}.brand_profile"),
            &format!("{label}的品牌简介"),
            &product.brand_profile,
            2000,
        );
        let online_channels = errors.optional(
            &format!("{field}.online_channels"),
            &format!("{label}的线上销售渠道"),
            &product.online_channels,
            1000,
        );
        let mut certificates = Vec::new();
        for (cert_index, certificate) in product.certificates.iter().enumerate() {
            if certificate.name.trim().is_empty()
                && certificate.valid_until.trim().is_empty()
                && certificate.valid_from.trim().is_empty()
            {
                continue;
            }
            let cert_field = format!("{field}.certificates[{cert_index}]");
            let cert_label = format!("{label}的第{}个证书", cert_index + 1);
            if let Some(valid) =
                validate_certificate(&mut errors, &cert_field, &cert_label, certificate)
            {
                certificates.push(valid);
            }
        }
        if let Some(category) = category {
            products.push(ValidProduct {
                name,
                category,
                introduction: introduction.unwrap_or_default(),
                cost_price,
                market_price,
                brand_profile: brand_profile.unwrap_or_default(),
                online_channels: online_channels.unwrap_or_default(),
                certificates,
            });
        }
    }

    let mut certificates = Vec::new();
    for (index, certificate) in input.certificates.iter().enumerate() {
        if certificate.name.trim().is_empty()
            && certificate.valid_until.trim().is_empty()
            && certificate.valid_from.trim().is_empty()
        {
            continue;
        }
        let field = format!("certificates[{index}]");
        if let Some(valid) = validate_certificate(&mut errors, &field, "申请主体证书", certificate)
        {
            certificates.push(valid);
        }
    }

    errors.into_result()?;
    Ok(ValidInput {
        production_capacity,
        houma_sales_share_percent,
        products,
        certificates,
    })
}

/// Checks that `brand_id` is an active sub-brand with a free license place. An unknown id
/// is a field error, so that the form shows it beside the brand list.
async fn check_brand<C: ConnectionTrait>(
    db: &C,
    brand_id: Option<i64>,
    today: NaiveDate,
) -> AppResult<brand::Model> {
    let Some(brand_id) = brand_id else {
        return Err(AppError::field("brand_id", "请选择申请使用的分支品牌"));
    };
    let found = brand::Entity::find_by_id(brand_id).one(db).await?;
    if found.filter(|row| row.parent_id.is_some()).is_none() {
        return Err(AppError::field(
            "brand_id",
            format!("分支品牌编号“{brand_id}”不存在，请从列表中选择"),
        ));
    }
    crate::services::brands::check_accepts_applications(db, brand_id, today).await
}

/// Rejects an application from a subject whose license was suspended in the last two years.
async fn check_ban<C: ConnectionTrait>(
    db: &C,
    enterprise_id: i64,
    today: NaiveDate,
) -> AppResult<()> {
    let ban = reapplication_ban::Entity::find()
        .filter(reapplication_ban::Column::EnterpriseId.eq(enterprise_id))
        .filter(reapplication_ban::Column::EndsOn.gt(today))
        .order_by_desc(reapplication_ban::Column::EndsOn)
        .one(db)
        .await?;
    license_rules::check_reapplication(ban.map(|row| row.ends_on), today)
        .map_err(AppError::Rejected)
}

async fn check_no_open_application<C: ConnectionTrait>(
    db: &C,
    enterprise_id: i64,
    brand_id: i64,
    except: Option<i64>,
) -> AppResult<()> {
    let open_states: Vec<&str> = ApplicationState::all()
        .iter()
        .filter(|state| !state.is_terminal())
        .map(|state| state.as_str())
        .collect();
    let mut query = application::Entity::find()
        .filter(application::Column::EnterpriseId.eq(enterprise_id))
        .filter(application::Column::BrandId.eq(brand_id))
        .filter(application::Column::State.is_in(open_states));
    if let Some(id) = except {
        query = query.filter(application::Column::Id.ne(id));
    }
    if let Some(open) = query.one(db).await? {
        return Err(AppError::rejected(format!(
            "该企业已有一份正在办理的同一品牌申请（编号 {}，状态：{}），请勿重复申请",
            open.application_no,
            ApplicationState::parse(&open.state)
                .map(|state| state.label())
                .unwrap_or("办理中")
        )));
    }
    Ok(())
}

/// Returns which enterprise the user applies for: its own, or for staff the one named.
async fn applicant<C: ConnectionTrait>(
    db: &C,
    user: &AuthUser,
    requested: Option<i64>,
) -> AppResult<enterprise::Model> {
    let id = if user.has(Role::Enterprise) && !user.is_staff() {
        user.enterprise_id
            .ok_or_else(|| AppError::Forbidden("您的账号未关联企业，无法提交申请。".into()))?
    } else {
        user.require_any(&[Role::ServiceCenter])?;
        requested
            .ok_or_else(|| AppError::field("enterprise_id", "代为录入书面申请时，请选择申请企业"))?
    };
    enterprise::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::field("enterprise_id", format!("企业编号“{id}”不存在")))
}

fn check_uploads(
    state: &AppState,
    uploads: &ApplicationUploads<'_>,
) -> AppResult<Vec<(String, Option<usize>, &'static str)>> {
    let mut errors = Errors::default();
    let mut checked = Vec::new();
    let max = state.config.upload_max_bytes;
    for (index, upload) in &uploads.product_pictures {
        match files::check(
            upload,
            &format!("第{}个产品的图片", index + 1),
            Accept::Image,
            max,
        ) {
            Ok(mime) => checked.push(("product_picture".to_owned(), Some(*index), mime)),
            Err(message) => errors.add(&format!("products[{index}].pictures"), message),
        }
    }
    for (purpose, label, upload) in [
        (
            "agent_authorization",
            "代理授权书",
            uploads.agent_authorization,
        ),
        (
            "food_license",
            "食品生产许可证扫描件",
            uploads.food_license_scan,
        ),
    ] {
        if let Some(upload) = upload {
            match files::check(upload, label, Accept::ImageOrPdf, max) {
                Ok(mime) => checked.push((purpose.to_owned(), None, mime)),
                Err(message) => errors.add(purpose, message),
            }
        }
    }
    for upload in &uploads.other {
        match files::check(upload, "其他材料", Accept::ImageOrPdf, max) {
            Ok(mime) => checked.push(("other".to_owned(), None, mime)),
            Err(message) => errors.add("other", message),
        }
    }
    errors.into_result()?;
    Ok(checked)
}

/// Submits a new application. The preliminary review is due 3 working days later.
pub async fn submit(
    state: &AppState,
    user: &AuthUser,
    input: &ApplicationInput,
    uploads: ApplicationUploads<'_>,
) -> AppResult<application::Model> {
    let valid = validate_input(input)?;
    let checked_files = check_uploads(state, &uploads)?;
    let now = state.clock.now();
    let today = state.clock.today();

    let txn = state.db.begin().await?;
    let enterprise = applicant(&txn, user, input.enterprise_id).await?;
    let brand = check_brand(&txn, input.brand_id, today).await?;
    check_ban(&txn, enterprise.id, today).await?;
    check_no_open_application(&txn, enterprise.id, brand.id, None).await?;

    let number = sequences::next(&txn, "application", today.year()).await?;
    let due_on = workflow::due_date(&state.calendar(), ApplicationState::Submitted, today);
    let row = application::ActiveModel {
        application_no: Set(format!("SQ{}{:05}", today.year(), number)),
        enterprise_id: Set(enterprise.id),
        brand_id: Set(brand.id),
        kind: Set(ApplicationKind::New.as_str().to_owned()),
        renewal_of_license_id: Set(None),
        state: Set(ApplicationState::Submitted.as_str().to_owned()),
        state_entered_at: Set(now),
        due_on: Set(due_on),
        submitted_at: Set(now),
        declared_lawful_products: Set(input.declared_lawful_products),
        declared_clean_environment: Set(input.declared_clean_environment),
        declared_industry_standards: Set(input.declared_industry_standards),
        declared_clean_record: Set(input.declared_clean_record),
        houma_sales_share_percent: Set(valid.houma_sales_share_percent),
        own_brand_and_standards: Set(input.own_brand_and_standards),
        food_processing_entrusted: Set(input.food_processing_entrusted),
        production_capacity: Set(valid.production_capacity.clone()),
        missing_items: Set(None),
        return_reason: Set(None),
        site_review_findings: Set(None),
        notice_starts_on: Set(None),
        notice_ends_on: Set(None),
        license_id: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;

    let product_ids = store_materials(&txn, row.id, &valid).await?;
    store_files(
        state,
        &txn,
        row.id,
        &product_ids,
        &uploads,
        &checked_files,
        user.id,
    )
    .await?;
    record_submission(&txn, user, &row, "提交申请".into(), now).await?;
    txn.commit().await?;

    tracing::info!(application_id = row.id, "application submitted");
    Ok(row)
}

/// Appends the first history event and the audit entry of a new application.
async fn record_submission(
    txn: &DatabaseTransaction,
    user: &AuthUser,
    row: &application::Model,
    comment: String,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    append_event(
        txn,
        row.id,
        user,
        "submit",
        None,
        ApplicationState::Submitted,
        Some(comment),
        Vec::new(),
        now,
    )
    .await?;
    audit::record(
        txn,
        &Actor::from(user),
        "create",
        "application",
        row.id,
        None,
        Some(row),
    )
    .await
}

async fn store_materials(
    txn: &DatabaseTransaction,
    application_id: i64,
    valid: &ValidInput,
) -> AppResult<Vec<i64>> {
    let mut product_ids = Vec::new();
    for (index, product) in valid.products.iter().enumerate() {
        let stored = application_product::ActiveModel {
            application_id: Set(application_id),
            name: Set(product.name.clone()),
            category: Set(product.category.as_str().to_owned()),
            introduction: Set(product.introduction.clone()),
            cost_price_fen: Set(product.cost_price.fen()),
            market_price_fen: Set(product.market_price.fen()),
            brand_profile: Set(product.brand_profile.clone()),
            online_channels: Set(product.online_channels.clone()),
            sort_order: Set(index as i32),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        for certificate in &product.certificates {
            insert_certificate(txn, application_id, Some(stored.id), certificate).await?;
        }
        product_ids.push(stored.id);
    }
    for certificate in &valid.certificates {
        insert_certificate(txn, application_id, None, certificate).await?;
    }
    Ok(product_ids)
}

async fn insert_certificate(
    txn: &DatabaseTransaction,
    application_id: i64,
    product_id: Option<i64>,
    certificate: &ValidCertificate,
) -> AppResult<()> {
    application_certificate::ActiveModel {
        application_id: Set(application_id),
        product_id: Set(product_id),
        kind: Set(certificate.kind.as_str().to_owned()),
        name: Set(certificate.name.clone()),
        valid_from: Set(certificate.valid_from),
        valid_until: Set(certificate.valid_until),
        file_id: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

async fn store_files(
    state: &AppState,
    txn: &DatabaseTransaction,
    application_id: i64,
    product_ids: &[i64],
    uploads: &ApplicationUploads<'_>,
    checked: &[(String, Option<usize>, &'static str)],
    user_id: i64,
) -> AppResult<()> {
    let all: Vec<&Upload> = uploads
        .product_pictures
        .iter()
        .map(|(_, upload)| *upload)
        .chain(uploads.agent_authorization)
        .chain(uploads.food_license_scan)
        .chain(uploads.other.iter().copied())
        .collect();
    let now = state.clock.now();
    for (upload, (purpose, product_index, mime)) in all.into_iter().zip(checked) {
        let stored = files::store(state, txn, upload, mime, Some(user_id)).await?;
        application_file::ActiveModel {
            application_id: Set(application_id),
            product_id: Set(product_index.and_then(|index| product_ids.get(index).copied())),
            purpose: Set(purpose.clone()),
            file_id: Set(stored.id),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

#[expect(
    clippy::too_many_arguments,
    reason = "an event row has this many independent parts"
)]
async fn append_event<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
    user: &AuthUser,
    action: &str,
    from: Option<ApplicationState>,
    to: ApplicationState,
    comment: Option<String>,
    attachments: Vec<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    application_event::ActiveModel {
        application_id: Set(application_id),
        occurred_at: Set(now),
        actor_user_id: Set(Some(user.id)),
        actor_name: Set(format!("{}（{}）", user.display_name, user.role_labels())),
        action: Set(action.to_owned()),
        from_state: Set(from.map(|state| state.as_str().to_owned())),
        to_state: Set(to.as_str().to_owned()),
        comment: Set(comment),
        attachments: Set((!attachments.is_empty())
            .then(|| serde_json::to_string(&attachments).unwrap_or_default())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Roles that work with license applications. The system administrator and the auditor
/// are left out on purpose: running the system and reading the logs stay apart from the
/// records they govern.
pub const APPLICATION_ROLES: &[Role] = &[
    Role::ServiceCenter,
    Role::Lgo,
    Role::Enterprise,
    Role::Bureau,
    Role::Supervisor,
];

/// Rejects users without a role that works with applications.
pub fn check_application_access(user: &AuthUser) -> AppResult<()> {
    if user.has_any(APPLICATION_ROLES) {
        Ok(())
    } else {
        Err(AppError::Forbidden("您的账号无权查看授权申请。".into()))
    }
}

/// Loads an application the user may see: enterprise users only their own (others are 404).
pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    user: &AuthUser,
    id: i64,
) -> AppResult<application::Model> {
    check_application_access(user)?;
    let mut query = application::Entity::find_by_id(id);
    if let Some(enterprise_id) = user.enterprise_scope() {
        query = query.filter(application::Column::EnterpriseId.eq(enterprise_id));
    }
    query.one(db).await?.ok_or(AppError::NotFound)
}

/// Input of one workflow step, from a reviewer or the applicant.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ActionInput {
    /// Action id, such as pass_preliminary or request_correction.
    pub action: String,
    /// The version shown to the user; a different current version means someone else acted first.
    pub version: Option<i32>,
    pub comment: String,
    /// For request_correction: every missing item, one per line, sent to the applicant together.
    pub missing_items: String,
    /// For return_application, fail_site_review and reject_after_objection.
    pub reason: String,
    /// For pass_site_review: what the on-site review found.
    pub findings: String,
}

/// Takes one workflow step on an application, with its checks and side effects, in one
/// transaction. Returns the updated application.
pub async fn act(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    input: &ActionInput,
    uploads: &[&Upload],
) -> AppResult<application::Model> {
    let action = Action::parse(input.action.trim())
        .map_err(|_| AppError::field("action", format!("操作“{}”无效", input.action)))?;
    let now = state.clock.now();
    let today = state.clock.today();
    let calendar = state.calendar();

    let txn = state.db.begin().await?;
    let current = find_visible(&txn, user, id).await?;
    if let Some(version) = input.version
        && version != current.version
    {
        return Err(AppError::rejected(
            "该申请已被他人处理，页面内容已过期，请刷新后重新操作。",
        ));
    }
    let kind =
        ApplicationKind::parse(&current.kind).map_err(|error| AppError::Internal(error.into()))?;
    let from = ApplicationState::parse(&current.state)
        .map_err(|error| AppError::Internal(error.into()))?;
    let to = workflow::transition(kind, from, action, &user.roles)
        .map_err(|error| AppError::Rejected(error.to_string()))?;

    let mut errors = Errors::default();
    let comment = errors.optional("comment", "办理意见", &input.comment, 2000);
    let mut active: application::ActiveModel = current.clone().into();
    let mut event_comment = comment.clone();
    let mut attachment_purpose = None;

    match action {
        Action::RequestCorrection => {
            let items: Vec<String> = input
                .missing_items
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect();
            if items.is_empty() {
                errors.add(
                    "missing_items",
                    "要求补正时须一次性列明全部需补正的材料，每行一项",
                );
            }
            if items.len() > 50 {
                errors.add(
                    "missing_items",
                    format!("补正事项为 {} 项，应不超过 50 项", items.len()),
                );
            }
            event_comment = Some(format!(
                "需补正材料：{}{}",
                items.join("；"),
                comment.map(|c| format!("。{c}")).unwrap_or_default()
            ));
            active.missing_items = Set(Some(serde_json::to_string(&items).unwrap_or_default()));
        }
        Action::ReturnApplication | Action::FailSiteReview | Action::RejectAfterObjection => {
            let reason = errors.required("reason", "退回理由", &input.reason, 2000);
            event_comment = Some(reason.clone());
            active.return_reason = Set(Some(reason));
        }
        Action::PassSiteReview => {
            let findings = errors.required("findings", "现场审核情况", &input.findings, 4000);
            event_comment = Some(format!(
                "现场审核情况：{}。已报领导小组办公室备案并在门户公示。",
                findings.trim_end_matches(['。', '.'])
            ));
            active.site_review_findings = Set(Some(findings));
            attachment_purpose = Some("site_photo");
        }
        Action::SignAgreement => {
            if uploads.is_empty() {
                errors.add("files", "请上传双方签字盖章的授权使用协议扫描件");
            }
            attachment_purpose = Some("agreement");
        }
        _ => {
            if !uploads.is_empty() {
                attachment_purpose = Some("other");
            }
        }
    }
    errors.into_result()?;

    // Rules that depend on other records.
    match action {
        Action::ConcludeNotice | Action::RejectAfterObjection => {
            let objections = objection::Entity::find()
                .filter(objection::Column::ApplicationId.eq(id))
                .all(&txn)
                .await?;
            let pending = objections
                .iter()
                .filter(|row| row.status == "pending")
                .count();
            let upheld = objections
                .iter()
                .filter(|row| row.status == "upheld")
                .count();
            if pending > 0 {
                return Err(AppError::rejected(format!(
                    "还有 {pending} 条异议尚未处理，请先处理全部异议"
                )));
            }
            if action == Action::ConcludeNotice {
                if let Some(ends) = current.notice_ends_on
                    && today <= ends
                {
                    return Err(AppError::rejected(format!(
                        "公示期至 {ends} 结束，公示期满后才能结束公示"
                    )));
                }
                if upheld > 0 {
                    return Err(AppError::rejected(
                        "有异议经核实成立，不能结束公示并签订协议，请选择“异议成立不予授权”",
                    ));
                }
            } else if upheld == 0 {
                return Err(AppError::rejected(
                    "没有经核实成立的异议，不能以异议成立为由不予授权",
                ));
            }
        }
        Action::PassPreliminary if kind == ApplicationKind::New => {}
        _ => {}
    }

    let attachments = if let Some(purpose) = attachment_purpose {
        store_action_files(state, &txn, id, purpose, uploads, user.id).await?
    } else {
        Vec::new()
    };

    // Entering a state sets its deadline and its dates.
    active.due_on = Set(workflow::due_date(&calendar, to, today));
    if to == ApplicationState::PublicNotice {
        active.notice_starts_on = Set(Some(today));
        active.notice_ends_on = Set(Some(calendar.add_working_days(today, 3)));
    }
    if to == ApplicationState::Submitted {
        active.missing_items = Set(None);
    }
    if action == Action::IssueCertificate {
        let issued = issue_license(state, &txn, user, &current, today).await?;
        active.license_id = Set(Some(issued.id));
        event_comment = Some(format!(
            "颁发授权使用证书 {}，授权期限 {} 至 {}",
            issued.certificate_no, issued.term_start, issued.term_end
        ));
    }
    if action == Action::BuildArchive || action == Action::ConfirmFiling {
        mark_license(&txn, current.license_id, action, now).await?;
    }

    active.state = Set(to.as_str().to_owned());
    active.state_entered_at = Set(now);
    active.version = Set(current.version + 1);
    active.updated_at = Set(now);

    // The version condition makes two simultaneous steps on one application impossible.
    let updated = application::Entity::update_many()
        .set(active)
        .filter(application::Column::Id.eq(id))
        .filter(application::Column::Version.eq(current.version))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(AppError::rejected(
            "该申请已被他人处理，页面内容已过期，请刷新后重新操作。",
        ));
    }
    let after = application::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;

    append_event(
        &txn,
        id,
        user,
        action.as_str(),
        Some(from),
        to,
        event_comment,
        attachments,
        now,
    )
    .await?;
    audit::record(
        &txn,
        &Actor::from(user),
        action.as_str(),
        "application",
        id,
        Some(&current),
        Some(&after),
    )
    .await?;
    txn.commit().await?;

    tracing::info!(
        application_id = id,
        action = action.as_str(),
        "application step taken"
    );
    Ok(after)
}

async fn store_action_files(
    state: &AppState,
    txn: &DatabaseTransaction,
    application_id: i64,
    purpose: &str,
    uploads: &[&Upload],
    user_id: i64,
) -> AppResult<Vec<i64>> {
    let mut errors = Errors::default();
    let mut checked = Vec::new();
    for upload in uploads {
        let accept = if purpose == "site_photo" {
            Accept::Image
        } else {
            Accept::ImageOrPdf
        };
        match files::check(upload, "附件", accept, state.config.upload_max_bytes) {
            Ok(mime) => checked.push((*upload, mime)),
            Err(message) => errors.add("files", message),
        }
    }
    errors.into_result()?;

    let mut ids = Vec::new();
    for (upload, mime) in checked {
        let stored = files::store(state, txn, upload, mime, Some(user_id)).await?;
        application_file::ActiveModel {
            application_id: Set(application_id),
            product_id: Set(None),
            purpose: Set(purpose.to_owned()),
            file_id: Set(stored.id),
            created_at: Set(state.clock.now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        ids.push(stored.id);
    }
    Ok(ids)
}

/// Issues the license certificate: number from the configured pattern and the yearly
/// sequence, a term of one year, and an unguessable public verification code.
async fn issue_license(
    state: &AppState,
    txn: &DatabaseTransaction,
    user: &AuthUser,
    application: &application::Model,
    today: NaiveDate,
) -> AppResult<license::Model> {
    let pattern =
        crate::entities::setting::Entity::find_by_id("certificate_number_pattern".to_owned())
            .one(txn)
            .await?
            .map(|row| row.value)
            .unwrap_or_else(|| etown_rules::certno::DEFAULT_PATTERN.to_owned());
    let seq = sequences::next(txn, "certificate", today.year()).await?;
    let certificate_no =
        etown_rules::certno::render(&pattern, today.year(), seq as u32).map_err(|error| {
            AppError::rejected(format!(
                "证书编号规则有误，请系统管理员在系统设置中修改：{error}"
            ))
        })?;

    // A renewal continues the old term without a gap; a new license starts on the certificate date.
    let mut term_start = today;
    let renewed = match application.renewal_of_license_id {
        Some(old_id) => license::Entity::find_by_id(old_id).one(txn).await?,
        None => None,
    };
    if let Some(old) = &renewed
        && old.term_end >= today
    {
        term_start = old.term_end.succ_opt().unwrap_or(old.term_end);
    }
    let term_end = license_rules::term_end(term_start);
    let now = state.clock.now();

    let row = license::ActiveModel {
        enterprise_id: Set(application.enterprise_id),
        brand_id: Set(application.brand_id),
        application_id: Set(application.id),
        certificate_no: Set(certificate_no),
        certificate_date: Set(today),
        term_start: Set(term_start),
        term_end: Set(term_end),
        verify_code: Set(random_token(10).to_uppercase()),
        status: Set(crate::services::brands::LICENSE_STATUS_ACTIVE.into()),
        archive_due_on: Set(Some(state.calendar().add_working_days(today, 10))),
        archived_at: Set(None),
        filed_at: Set(None),
        revoked_at: Set(None),
        revocation_reason: Set(None),
        suspended_on: Set(None),
        renewed_by_license_id: Set(None),
        issued_by: Set(Some(user.id)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;

    let products = application_product::Entity::find()
        .filter(application_product::Column::ApplicationId.eq(application.id))
        .order_by_asc(application_product::Column::SortOrder)
        .all(txn)
        .await?;
    for product in products {
        license_product::ActiveModel {
            license_id: Set(row.id),
            name: Set(product.name),
            category: Set(product.category),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    if let Some(old) = renewed {
        license::Entity::update_many()
            .col_expr(license::Column::RenewedByLicenseId, Expr::value(row.id))
            .col_expr(license::Column::UpdatedAt, Expr::value(now))
            .filter(license::Column::Id.eq(old.id))
            .exec(txn)
            .await?;
    }
    audit::record(
        txn,
        &Actor::from(user),
        "create",
        "license",
        row.id,
        None,
        Some(&row),
    )
    .await?;
    Ok(row)
}

async fn mark_license(
    txn: &DatabaseTransaction,
    license_id: Option<i64>,
    action: Action,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let Some(license_id) = license_id else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "application in archiving without a license"
        )));
    };
    let column = if action == Action::BuildArchive {
        license::Column::ArchivedAt
    } else {
        license::Column::FiledAt
    };
    license::Entity::update_many()
        .col_expr(column, Expr::value(now))
        .col_expr(license::Column::UpdatedAt, Expr::value(now))
        .filter(license::Column::Id.eq(license_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Replaces the materials of an application waiting for correction and submits it again;
/// the preliminary review is due 3 working days after the resubmission.
pub async fn resubmit(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    input: &ApplicationInput,
    uploads: ApplicationUploads<'_>,
) -> AppResult<application::Model> {
    let valid = validate_input(input)?;
    let checked_files = check_uploads(state, &uploads)?;
    let now = state.clock.now();
    let today = state.clock.today();

    let txn = state.db.begin().await?;
    let current = find_visible(&txn, user, id).await?;
    let kind =
        ApplicationKind::parse(&current.kind).map_err(|error| AppError::Internal(error.into()))?;
    let from = ApplicationState::parse(&current.state)
        .map_err(|error| AppError::Internal(error.into()))?;
    let to = workflow::transition(kind, from, Action::Resubmit, &user.roles)
        .map_err(|error| AppError::Rejected(error.to_string()))?;

    application_certificate::Entity::delete_many()
        .filter(application_certificate::Column::ApplicationId.eq(id))
        .exec(&txn)
        .await?;
    // Pictures already uploaded stay with the product at the same position on the form, so
    // an applicant completing other materials does not have to upload them again.
    let old_products = application_product::Entity::find()
        .filter(application_product::Column::ApplicationId.eq(id))
        .order_by_asc(application_product::Column::SortOrder)
        .all(&txn)
        .await?;
    let old_pictures = application_file::Entity::find()
        .filter(application_file::Column::ApplicationId.eq(id))
        .filter(application_file::Column::ProductId.is_not_null())
        .all(&txn)
        .await?;
    application_file::Entity::update_many()
        .col_expr(
            application_file::Column::ProductId,
            Expr::value(Option::<i64>::None),
        )
        .filter(application_file::Column::ApplicationId.eq(id))
        .exec(&txn)
        .await?;
    application_product::Entity::delete_many()
        .filter(application_product::Column::ApplicationId.eq(id))
        .exec(&txn)
        .await?;
    let product_ids = store_materials(&txn, id, &valid).await?;
    for picture in old_pictures {
        let position = old_products
            .iter()
            .position(|product| Some(product.id) == picture.product_id);
        if let Some(new_product_id) = position.and_then(|index| product_ids.get(index)) {
            application_file::Entity::update_many()
                .col_expr(
                    application_file::Column::ProductId,
                    Expr::value(*new_product_id),
                )
                .filter(application_file::Column::Id.eq(picture.id))
                .exec(&txn)
                .await?;
        }
    }
    store_files(
        state,
        &txn,
        id,
        &product_ids,
        &uploads,
        &checked_files,
        user.id,
    )
    .await?;

    let mut active: application::ActiveModel = current.clone().into();
    active.production_capacity = Set(valid.production_capacity.clone());
    active.houma_sales_share_percent = Set(valid.houma_sales_share_percent);
    active.declared_lawful_products = Set(input.declared_lawful_products);
    active.declared_clean_environment = Set(input.declared_clean_environment);
    active.declared_industry_standards = Set(input.declared_industry_standards);
    active.declared_clean_record = Set(input.declared_clean_record);
    active.own_brand_and_standards = Set(input.own_brand_and_standards);
    active.food_processing_entrusted = Set(input.food_processing_entrusted);
    active.missing_items = Set(None);
    active.state = Set(to.as_str().to_owned());
    active.state_entered_at = Set(now);
    active.due_on = Set(workflow::due_date(&state.calendar(), to, today));
    active.version = Set(current.version + 1);
    active.updated_at = Set(now);
    let after = active.update(&txn).await?;

    append_event(
        &txn,
        id,
        user,
        Action::Resubmit.as_str(),
        Some(from),
        to,
        Some("补正材料后重新提交".into()),
        Vec::new(),
        now,
    )
    .await?;
    audit::record(
        &txn,
        &Actor::from(user),
        "resubmit",
        "application",
        id,
        Some(&current),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Builds the admission-criteria facts of an application from its stored materials.
pub async fn admission_report<C: ConnectionTrait>(
    db: &C,
    application: &application::Model,
    today: NaiveDate,
) -> AppResult<AdmissionReport> {
    let enterprise = enterprise::Entity::find_by_id(application.enterprise_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let products = application_product::Entity::find()
        .filter(application_product::Column::ApplicationId.eq(application.id))
        .order_by_asc(application_product::Column::SortOrder)
        .all(db)
        .await?;
    let certificates = application_certificate::Entity::find()
        .filter(application_certificate::Column::ApplicationId.eq(application.id))
        .all(db)
        .await?;
    let files = application_file::Entity::find()
        .filter(application_file::Column::ApplicationId.eq(application.id))
        .all(db)
        .await?;

    let facts = |row: &application_certificate::Model| CertificateFacts {
        kind: CertificateKind::parse(&row.kind).unwrap_or(CertificateKind::Other),
        name: row.name.clone(),
        valid_from: row.valid_from,
        valid_until: row.valid_until,
    };
    let applicant_certificate = |kind: CertificateKind| {
        certificates
            .iter()
            .filter(|row| row.product_id.is_none() && row.kind == kind.as_str())
            .max_by_key(|row| row.valid_until.unwrap_or(NaiveDate::MAX))
            .map(facts)
    };
    let mut pictures: HashMap<i64, usize> = HashMap::new();
    for file in files
        .iter()
        .filter(|file| file.purpose == "product_picture")
    {
        if let Some(product_id) = file.product_id {
            *pictures.entry(product_id).or_default() += 1;
        }
    }

    let input = AdmissionInput {
        registered_in_houma: enterprise.registered_in_houma,
        operates_in_houma_via_branch: enterprise.operates_via_branch,
        has_production_base: !enterprise.production_base.trim().is_empty(),
        declared_lawful_products: application.declared_lawful_products,
        declared_clean_environment: application.declared_clean_environment,
        declared_industry_standards: application.declared_industry_standards,
        declared_clean_record: application.declared_clean_record,
        is_agent: enterprise.is_agent,
        has_agent_authorization_with_seal: files
            .iter()
            .any(|file| file.purpose == "agent_authorization"),
        products: products
            .iter()
            .map(|product| ProductFacts {
                name: product.name.clone(),
                category: ProductCategory::parse(&product.category).ok(),
                has_introduction: !product.introduction.trim().is_empty(),
                picture_count: pictures.get(&product.id).copied().unwrap_or(0),
                has_cost_price: product.cost_price_fen > 0,
                has_market_price: product.market_price_fen > 0,
                has_brand_profile: !product.brand_profile.trim().is_empty(),
                has_online_channels: !product.online_channels.trim().is_empty(),
                certificates: certificates
                    .iter()
                    .filter(|row| row.product_id == Some(product.id))
                    .map(facts)
                    .collect(),
            })
            .collect(),
        food_production_license: applicant_certificate(CertificateKind::FoodProductionLicense),
        food_processing_entrusted: application.food_processing_entrusted,
        houma_sales_share_percent: application
            .houma_sales_share_percent
            .map(|value| value.clamp(0, 100) as u8),
        own_brand_and_standards: application.own_brand_and_standards,
        famous_trademark: applicant_certificate(CertificateKind::FamousTrademark),
        heritage_or_time_honored: applicant_certificate(CertificateKind::HeritageOrTimeHonored),
    };
    Ok(admission::evaluate(&input, today))
}

/// Files an objection during the public notice. Anyone may object, with a name and contact.
pub async fn file_objection(
    state: &AppState,
    application_id: i64,
    name: &str,
    contact: &str,
    content: &str,
) -> AppResult<objection::Model> {
    let mut errors = Errors::default();
    let name = errors.required("name", "异议人姓名", name, 30);
    let contact = errors.required("contact", "联系方式", contact, 60);
    let content = errors.required("content", "异议内容", content, 2000);
    if !content.is_empty() && content.chars().count() < 10 {
        errors.add(
            "content",
            format!(
                "异议内容只有 {} 个字，请至少用 10 个字说明异议的事实和理由",
                content.chars().count()
            ),
        );
    }
    if !contact.is_empty()
        && contact.chars().filter(char::is_ascii_digit).count() < 7
        && !contact.contains('@')
    {
        errors.add(
            "contact",
            format!("联系方式“{contact}”无效，请填写电话号码或电子邮箱，以便核实时联系您"),
        );
    }
    errors.into_result()?;

    let today = state.clock.today();
    let txn = state.db.begin().await?;
    let row = application::Entity::find_by_id(application_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let in_notice = row.state == ApplicationState::PublicNotice.as_str()
        && row.notice_starts_on.is_some_and(|start| start <= today)
        && row.notice_ends_on.is_some_and(|end| today <= end);
    if !in_notice {
        return Err(AppError::rejected("该申请不在公示期内，不能提出异议"));
    }
    let created = objection::ActiveModel {
        application_id: Set(application_id),
        name: Set(name),
        contact: Set(contact),
        content: Set(content),
        submitted_at: Set(state.clock.now()),
        status: Set("pending".into()),
        resolution: Set(None),
        resolved_by: Set(None),
        resolved_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &Actor::public(),
        "create",
        "objection",
        created.id,
        None,
        Some(&serde_json::json!({ "application_id": application_id })),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Records the service center's finding on an objection: upheld or dismissed, with reasons.
pub async fn resolve_objection(
    state: &AppState,
    user: &AuthUser,
    objection_id: i64,
    upheld: Option<bool>,
    resolution: &str,
) -> AppResult<objection::Model> {
    user.require_any(&[Role::ServiceCenter])?;
    let mut errors = Errors::default();
    let resolution = errors.required("resolution", "核实处理意见", resolution, 2000);
    if upheld.is_none() {
        errors.add("upheld", "请选择异议是否成立");
    }
    errors.into_result()?;

    let txn = state.db.begin().await?;
    let row = objection::Entity::find_by_id(objection_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status != "pending" {
        return Err(AppError::rejected("该异议已处理，不能重复处理"));
    }
    let mut active: objection::ActiveModel = row.clone().into();
    active.status = Set(if upheld == Some(true) {
        "upheld"
    } else {
        "dismissed"
    }
    .into());
    active.resolution = Set(Some(resolution));
    active.resolved_by = Set(Some(user.id));
    active.resolved_at = Set(Some(state.clock.now()));
    let after = active.update(&txn).await?;
    audit::record(
        &txn,
        &Actor::from(user),
        "resolve",
        "objection",
        objection_id,
        Some(&row),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Starts a renewal for a license of the user's enterprise, accepted only in the 30 days
/// before the agreement ends.
pub async fn request_renewal(
    state: &AppState,
    user: &AuthUser,
    license_id: i64,
) -> AppResult<application::Model> {
    user.require_any(&[Role::Enterprise])?;
    let now = state.clock.now();
    let today = state.clock.today();
    let txn = state.db.begin().await?;
    let mut query = license::Entity::find_by_id(license_id);
    if let Some(enterprise_id) = user.enterprise_scope() {
        query = query.filter(license::Column::EnterpriseId.eq(enterprise_id));
    }
    let old = query.one(&txn).await?.ok_or(AppError::NotFound)?;
    if old.status != "active" || old.revoked_at.is_some() || old.suspended_on.is_some() {
        return Err(AppError::rejected("该授权已被撤销或停止使用，不能申请续用"));
    }
    if old.renewed_by_license_id.is_some() {
        return Err(AppError::rejected("该授权已续用，无需再次申请"));
    }
    license_rules::check_renewal(old.term_end, today)
        .map_err(|error| AppError::Rejected(error.to_string()))?;
    check_ban(&txn, old.enterprise_id, today).await?;
    check_no_open_application(&txn, old.enterprise_id, old.brand_id, None).await?;
    let original = application::Entity::find_by_id(old.application_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;

    let number = sequences::next(&txn, "application", today.year()).await?;
    let mut renewal: application::ActiveModel = original.clone().into();
    renewal.id = sea_orm::ActiveValue::NotSet;
    renewal.application_no = Set(format!("SQ{}{:05}", today.year(), number));
    renewal.kind = Set(ApplicationKind::Renewal.as_str().to_owned());
    renewal.renewal_of_license_id = Set(Some(old.id));
    renewal.state = Set(ApplicationState::Submitted.as_str().to_owned());
    renewal.state_entered_at = Set(now);
    renewal.due_on = Set(workflow::due_date(
        &state.calendar(),
        ApplicationState::Submitted,
        today,
    ));
    renewal.submitted_at = Set(now);
    renewal.missing_items = Set(None);
    renewal.return_reason = Set(None);
    renewal.site_review_findings = Set(None);
    renewal.notice_starts_on = Set(None);
    renewal.notice_ends_on = Set(None);
    renewal.license_id = Set(None);
    renewal.version = Set(1);
    renewal.created_at = Set(now);
    renewal.updated_at = Set(now);
    let row = renewal.insert(&txn).await?;

    // The renewal names the same products and certificates as the license being renewed.
    let products = application_product::Entity::find()
        .filter(application_product::Column::ApplicationId.eq(original.id))
        .all(&txn)
        .await?;
    let certificates = application_certificate::Entity::find()
        .filter(application_certificate::Column::ApplicationId.eq(original.id))
        .all(&txn)
        .await?;
    for product in products {
        let old_product_id = product.id;
        let mut copy: application_product::ActiveModel = product.into();
        copy.id = sea_orm::ActiveValue::NotSet;
        copy.application_id = Set(row.id);
        let stored = copy.insert(&txn).await?;
        for certificate in certificates
            .iter()
            .filter(|c| c.product_id == Some(old_product_id))
        {
            let mut cert: application_certificate::ActiveModel = certificate.clone().into();
            cert.id = sea_orm::ActiveValue::NotSet;
            cert.application_id = Set(row.id);
            cert.product_id = Set(Some(stored.id));
            cert.insert(&txn).await?;
        }
    }
    for certificate in certificates.iter().filter(|c| c.product_id.is_none()) {
        let mut cert: application_certificate::ActiveModel = certificate.clone().into();
        cert.id = sea_orm::ActiveValue::NotSet;
        cert.application_id = Set(row.id);
        cert.insert(&txn).await?;
    }

    record_submission(
        &txn,
        user,
        &row,
        format!("申请续用授权（原证书 {}）", old.certificate_no),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Filters of the application list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ListFilter {
    /// State id, such as submitted.
    pub state: String,
    pub brand_id: Option<i64>,
    /// Part of the enterprise name or the application number.
    pub q: String,
    /// Page number from 1.
    pub page: Option<u64>,
}

pub const PAGE_SIZE: u64 = 20;

/// One row of the application list with the names it shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApplicationRow {
    pub id: i64,
    pub application_no: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub brand_id: i64,
    pub brand_name: String,
    pub kind: String,
    pub kind_label: String,
    pub state: String,
    pub state_label: String,
    pub submitted_at: chrono::DateTime<chrono::Utc>,
    pub due_on: Option<NaiveDate>,
    /// normal, due_soon or overdue.
    pub urgency: String,
}

impl ApplicationRow {
    /// Returns the submission time in Beijing time, for display.
    pub fn submitted_text(&self) -> String {
        crate::web::state::format_beijing(self.submitted_at)
    }
}

/// Most rows one export may hold; a larger selection must be narrowed by the filters.
pub const EXPORT_MAX_ROWS: u64 = 50_000;

/// Builds the query of the application list: the user's scope and the filters.
async fn filtered(
    state: &AppState,
    user: &AuthUser,
    filter: &ListFilter,
) -> AppResult<sea_orm::Select<application::Entity>> {
    let mut query = application::Entity::find();
    if let Some(enterprise_id) = user.enterprise_scope() {
        query = query.filter(application::Column::EnterpriseId.eq(enterprise_id));
    }
    if !filter.state.trim().is_empty() {
        let state = ApplicationState::parse(filter.state.trim())
            .map_err(|_| AppError::field("state", format!("状态“{}”无效", filter.state)))?;
        query = query.filter(application::Column::State.eq(state.as_str()));
    }
    if let Some(brand_id) = filter.brand_id {
        query = query.filter(application::Column::BrandId.eq(brand_id));
    }
    let q = filter.q.trim();
    if !q.is_empty() {
        let matching: Vec<i64> = enterprise::Entity::find()
            .select_only()
            .column(enterprise::Column::Id)
            .filter(enterprise::Column::Name.contains(q))
            .limit(1000)
            .into_tuple()
            .all(&state.db)
            .await?;
        query = query.filter(
            sea_orm::Condition::any()
                .add(application::Column::ApplicationNo.contains(q))
                .add(application::Column::EnterpriseId.is_in(matching)),
        );
    }
    Ok(query
        .order_by_desc(application::Column::SubmittedAt)
        .order_by_desc(application::Column::Id))
}

/// Lists applications in the user's scope with filters, newest first; returns rows and the total.
pub async fn list(
    state: &AppState,
    user: &AuthUser,
    filter: &ListFilter,
) -> AppResult<(Vec<ApplicationRow>, u64)> {
    check_application_access(user)?;
    let query = filtered(state, user, filter).await?;
    let total = query.clone().count(&state.db).await?;
    let page = filter.page.unwrap_or(1).max(1);
    let rows = query
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(&state.db)
        .await?;
    Ok((decorate(state, rows).await?, total))
}

/// Returns every application that matches the filters, for an export.
pub async fn list_all(
    state: &AppState,
    user: &AuthUser,
    filter: &ListFilter,
) -> AppResult<Vec<ApplicationRow>> {
    check_application_access(user)?;
    let query = filtered(state, user, filter).await?;
    let total = query.clone().count(&state.db).await?;
    if total > EXPORT_MAX_ROWS {
        return Err(AppError::rejected(format!(
            "符合条件的申请有 {total} 条，超过单次导出上限 {EXPORT_MAX_ROWS} 条，请增加筛选条件后再导出"
        )));
    }
    let rows = query.all(&state.db).await?;
    decorate(state, rows).await
}

/// Adds enterprise and brand names and the deadline mark to application rows.
pub async fn decorate(
    state: &AppState,
    rows: Vec<application::Model>,
) -> AppResult<Vec<ApplicationRow>> {
    let enterprise_ids: Vec<i64> = rows.iter().map(|row| row.enterprise_id).collect();
    let names: HashMap<i64, String> = enterprise::Entity::find()
        .select_only()
        .column(enterprise::Column::Id)
        .column(enterprise::Column::Name)
        .filter(enterprise::Column::Id.is_in(enterprise_ids))
        .into_tuple::<(i64, String)>()
        .all(&state.db)
        .await?
        .into_iter()
        .collect();
    let brands: HashMap<i64, String> = brand::Entity::find()
        .all(&state.db)
        .await?
        .into_iter()
        .map(|row| (row.id, row.name))
        .collect();
    let calendar = state.calendar();
    let today = state.clock.today();
    Ok(rows
        .into_iter()
        .map(|row| {
            let state_value = ApplicationState::parse(&row.state).ok();
            let urgency = match row.due_on {
                Some(due) if state_value.is_some_and(|value| !value.is_terminal()) => {
                    workflow::urgency(&calendar, due, today).as_str().to_owned()
                }
                _ => "normal".to_owned(),
            };
            ApplicationRow {
                id: row.id,
                application_no: row.application_no,
                enterprise_id: row.enterprise_id,
                enterprise_name: names.get(&row.enterprise_id).cloned().unwrap_or_default(),
                brand_id: row.brand_id,
                brand_name: brands.get(&row.brand_id).cloned().unwrap_or_default(),
                kind_label: ApplicationKind::parse(&row.kind)
                    .map(|kind| kind.label())
                    .unwrap_or("")
                    .to_owned(),
                kind: row.kind,
                state_label: state_value
                    .map(|value| value.label())
                    .unwrap_or("")
                    .to_owned(),
                state: row.state,
                submitted_at: row.submitted_at,
                due_on: row.due_on,
                urgency,
            }
        })
        .collect())
}

/// Lists the user's to-do items: applications waiting for one of the user's roles, most urgent first.
pub async fn todos(state: &AppState, user: &AuthUser) -> AppResult<Vec<ApplicationRow>> {
    let states: Vec<&str> = ApplicationState::all()
        .iter()
        .filter(|value| {
            workflow::responsible_roles(**value)
                .iter()
                .any(|role| user.has(*role))
        })
        .map(|value| value.as_str())
        .collect();
    if states.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = application::Entity::find().filter(application::Column::State.is_in(states));
    if let Some(enterprise_id) = user.enterprise_scope() {
        query = query.filter(application::Column::EnterpriseId.eq(enterprise_id));
    }
    let rows = query
        .order_by_asc(application::Column::DueOn)
        .order_by_asc(application::Column::Id)
        .limit(200)
        .all(&state.db)
        .await?;
    let mut decorated = decorate(state, rows).await?;
    // Overdue first, then due soon, then by deadline; rows without a deadline last.
    decorated.sort_by_key(|row| {
        let rank = match row.urgency.as_str() {
            "overdue" => 0,
            "due_soon" => 1,
            _ => 2,
        };
        (rank, row.due_on.unwrap_or(NaiveDate::MAX), row.id)
    });
    Ok(decorated)
}
