//! The public-brand matrix: the umbrella brand (the row without a parent) and its
//! sub-brands, each with its slogan, logo and an optional cap on the number of licensees.
//!
//! Every brand comes from the `brands` table, which the county seed file fills on first
//! start, so no county's brands are written into the code.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, SqlErr, TransactionTrait,
};
use serde::Serialize;

use crate::{
    audit::{self, Actor},
    entities::{brand, license},
    services::files::{self, Accept, Upload},
    web::{
        error::{AppError, AppResult},
        forms::Errors,
        state::AppState,
    },
};

/// Value of `licenses.status` for a license in force. Whether its term still runs is read
/// from `term_end`, so an expired license may still carry this status.
// NOTE: nothing writes licenses yet. The count of licensees in force assumes that the
// license workflow stores this value and sets another one on revocation or suspension.
pub const LICENSE_STATUS_ACTIVE: &str = "active";

const NAME_CHARS: (usize, usize) = (2, 30);
const SLOGAN_CHARS: (usize, usize) = (2, 60);
const DESCRIPTION_MAX_CHARS: usize = 500;
const LICENSE_CAP_RANGE: (i64, i64) = (1, 100_000);
const SORT_ORDER_RANGE: (i64, i64) = (0, 9_999);

const LOGO_LABEL: &str = "品牌标志";

/// A brand with the number of its licenses in force on the day of the query.
#[derive(Debug, Clone, Serialize)]
pub struct BrandEntry {
    pub brand: brand::Model,
    /// Licenses of this brand with status "active" whose term ends today or later.
    pub valid_licenses: u64,
}

/// The umbrella brand and its sub-brands in sort order.
#[derive(Debug, Clone)]
pub struct Matrix {
    pub umbrella: BrandEntry,
    pub sub_brands: Vec<BrandEntry>,
}

/// Brand fields as entered on the form or sent to the API, not yet validated.
#[derive(Debug, Clone, Default)]
pub struct BrandInput {
    pub name: String,
    pub slogan: String,
    pub description: String,
    /// Maximum number of licensees; empty for no cap.
    pub license_cap: String,
    /// Position in the matrix, smaller first; empty places a new sub-brand last and keeps
    /// the position of an existing one.
    pub sort_order: String,
    /// `None` keeps the current status; a new sub-brand starts active.
    pub is_active: Option<bool>,
}

impl BrandInput {
    /// Fills the input from a stored brand, for showing the edit form.
    pub fn from_model(model: &brand::Model) -> Self {
        BrandInput {
            name: model.name.clone(),
            slogan: model.slogan.clone(),
            description: model.description.clone().unwrap_or_default(),
            license_cap: model
                .license_cap
                .map(|cap| cap.to_string())
                .unwrap_or_default(),
            sort_order: model.sort_order.to_string(),
            is_active: Some(model.is_active),
        }
    }
}

/// Validated brand fields.
struct BrandValues {
    name: String,
    slogan: String,
    description: Option<String>,
    license_cap: Option<i32>,
    sort_order: Option<i32>,
    is_active: Option<bool>,
}

/// Counts the licenses in force on `today` for every brand that has any.
pub async fn valid_license_counts<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
) -> AppResult<HashMap<i64, u64>> {
    let rows: Vec<(i64, i64)> = license::Entity::find()
        .select_only()
        .column(license::Column::BrandId)
        .column_as(license::Column::Id.count(), "valid_licenses")
        .filter(license::Column::Status.eq(LICENSE_STATUS_ACTIVE))
        .filter(license::Column::TermEnd.gte(today))
        .group_by(license::Column::BrandId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(brand_id, count)| (brand_id, count.max(0) as u64))
        .collect())
}

/// Counts the licenses of one brand in force on `today`.
pub async fn valid_license_count<C: ConnectionTrait>(
    db: &C,
    brand_id: i64,
    today: NaiveDate,
) -> AppResult<u64> {
    let count: Option<i64> = license::Entity::find()
        .select_only()
        .column_as(license::Column::Id.count(), "valid_licenses")
        .filter(license::Column::BrandId.eq(brand_id))
        .filter(license::Column::Status.eq(LICENSE_STATUS_ACTIVE))
        .filter(license::Column::TermEnd.gte(today))
        .into_tuple()
        .one(db)
        .await?;
    Ok(count.unwrap_or(0).max(0) as u64)
}

/// Loads the umbrella brand. When several rows lack a parent, the first in sort order is
/// the umbrella.
async fn umbrella<C: ConnectionTrait>(db: &C) -> AppResult<brand::Model> {
    brand::Entity::find()
        .filter(brand::Column::ParentId.is_null())
        .order_by_asc(brand::Column::SortOrder)
        .order_by_asc(brand::Column::Id)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "table brands has no umbrella brand (a row with parent_id NULL); the county seed should have created one"
            ))
        })
}

/// Loads the matrix with the licenses in force on `today`.
pub async fn matrix<C: ConnectionTrait>(db: &C, today: NaiveDate) -> AppResult<Matrix> {
    let umbrella = umbrella(db).await?;
    let sub_brands = brand::Entity::find()
        .filter(brand::Column::ParentId.eq(umbrella.id))
        .order_by_asc(brand::Column::SortOrder)
        .order_by_asc(brand::Column::Id)
        .all(db)
        .await?;
    let counts = valid_license_counts(db, today).await?;
    let entry = |brand: brand::Model| BrandEntry {
        valid_licenses: counts.get(&brand.id).copied().unwrap_or(0),
        brand,
    };
    Ok(Matrix {
        umbrella: entry(umbrella),
        sub_brands: sub_brands.into_iter().map(entry).collect(),
    })
}

/// Loads one brand with the licenses in force on `today`; `NotFound` for an unknown id.
pub async fn get<C: ConnectionTrait>(db: &C, id: i64, today: NaiveDate) -> AppResult<BrandEntry> {
    let brand = find(db, id).await?;
    let valid_licenses = valid_license_count(db, id, today).await?;
    Ok(BrandEntry {
        brand,
        valid_licenses,
    })
}

async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<brand::Model> {
    brand::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Checks that a new license application for `brand_id` can be accepted on `today`, and
/// returns the brand.
///
/// Rejects the application when the brand does not exist or is the umbrella brand (only
/// sub-brands are licensed), when the sub-brand is inactive, or when its licensees in force
/// have reached its cap.
pub async fn check_accepts_applications<C: ConnectionTrait>(
    db: &C,
    brand_id: i64,
    today: NaiveDate,
) -> AppResult<brand::Model> {
    let Some(brand) = brand::Entity::find_by_id(brand_id).one(db).await? else {
        return Err(AppError::rejected(format!(
            "编号为 {brand_id} 的品牌不存在，请从品牌矩阵中选择一个分支品牌"
        )));
    };
    if brand.parent_id.is_none() {
        return Err(AppError::rejected(format!(
            "“{}”是总品牌，不受理授权申请，请选择其下的一个分支品牌",
            brand.name
        )));
    }
    if !brand.is_active {
        return Err(AppError::rejected(format!(
            "{}已停用，暂不受理新的授权申请",
            brand.name
        )));
    }
    if let Some(cap) = brand.license_cap {
        let valid = valid_license_count(db, brand.id, today).await?;
        if valid >= cap.max(0) as u64 {
            return Err(AppError::rejected(format!(
                "{}的授权名额已满（上限 {cap} 家，现有有效授权 {valid} 家）",
                brand.name
            )));
        }
    }
    Ok(brand)
}

/// Reads a required text of `min..=max` characters, trimmed.
fn text_between(
    errors: &mut Errors,
    field: &str,
    label: &str,
    value: &str,
    (min, max): (usize, usize),
) -> String {
    let value = errors.required(field, label, value, max);
    let length = value.chars().count();
    if length > 0 && length < min {
        errors.add(
            field,
            format!("{label}“{value}”过短，应为 {min} 至 {max} 个字"),
        );
    }
    value
}

/// Reads an optional integer within `min..=max`; `None` when the field is empty.
fn integer_between(
    errors: &mut Errors,
    field: &str,
    label: &str,
    value: &str,
    (min, max): (i64, i64),
    hint: &str,
) -> Option<i32> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let Ok(number) = value.parse::<i64>() else {
        errors.add(
            field,
            format!("{label}“{value}”不是整数，应填写 {min} 至 {max} 之间的整数{hint}"),
        );
        return None;
    };
    if !(min..=max).contains(&number) {
        errors.add(
            field,
            format!("{label} {number} 超出范围，应填写 {min} 至 {max} 之间的整数{hint}"),
        );
        return None;
    }
    i32::try_from(number).ok()
}

fn name_taken_message(name: &str) -> String {
    format!("品牌名称“{name}”已被使用，请换一个名称")
}

/// Turns a violation of the unique brand name into the field error that a pre-check
/// would have given, for the case where another request took the name in between.
fn name_conflict(error: DbErr, name: &str) -> AppError {
    match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            AppError::field("name", name_taken_message(name))
        }
        _ => error.into(),
    }
}

/// Validates the input for a new sub-brand (`existing` is `None`) or for an update of
/// `existing`, collecting every field error.
async fn validate<C: ConnectionTrait>(
    db: &C,
    input: &BrandInput,
    existing: Option<&brand::Model>,
    today: NaiveDate,
) -> AppResult<BrandValues> {
    let mut errors = Errors::default();
    let is_umbrella = existing.is_some_and(|brand| brand.parent_id.is_none());

    let name = text_between(&mut errors, "name", "品牌名称", &input.name, NAME_CHARS);
    let slogan = text_between(&mut errors, "slogan", "宣传语", &input.slogan, SLOGAN_CHARS);
    let description = errors.optional(
        "description",
        "品牌简介",
        &input.description,
        DESCRIPTION_MAX_CHARS,
    );
    let license_cap = integer_between(
        &mut errors,
        "license_cap",
        "授权名额上限",
        &input.license_cap,
        LICENSE_CAP_RANGE,
        "；不限名额请留空",
    );
    let sort_order = integer_between(
        &mut errors,
        "sort_order",
        "排序号",
        &input.sort_order,
        SORT_ORDER_RANGE,
        "，数字小的排在前面",
    );

    if errors.get("name").is_none() {
        let mut same_name = brand::Entity::find().filter(brand::Column::Name.eq(name.as_str()));
        if let Some(brand) = existing {
            same_name = same_name.filter(brand::Column::Id.ne(brand.id));
        }
        if same_name.one(db).await?.is_some() {
            errors.add("name", name_taken_message(&name));
        }
    }

    if is_umbrella {
        if !input.license_cap.trim().is_empty() && errors.get("license_cap").is_none() {
            errors.add(
                "license_cap",
                "总品牌不设授权名额上限，请留空；名额上限设在各分支品牌上",
            );
        }
        if input.is_active == Some(false) {
            errors.add("is_active", umbrella_stays_active(&name));
        }
    } else if let (Some(cap), Some(brand)) = (license_cap, existing) {
        let valid = valid_license_count(db, brand.id, today).await?;
        if (cap as u64) < valid {
            errors.add(
                "license_cap",
                format!("授权名额上限 {cap} 家少于现有有效授权 {valid} 家，应不少于 {valid} 家"),
            );
        }
    }

    errors.into_result()?;
    Ok(BrandValues {
        name,
        slogan,
        description,
        license_cap,
        sort_order,
        is_active: input.is_active,
    })
}

fn umbrella_stays_active(name: &str) -> String {
    format!("总品牌“{name}”不能停用；如需暂停某一分支品牌的授权申请，请停用该分支品牌")
}

/// Adds a sub-brand under the umbrella brand. Without a sort order it goes last.
pub async fn create(
    state: &AppState,
    actor: &Actor<'_>,
    input: &BrandInput,
) -> AppResult<brand::Model> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let values = validate(&txn, input, None, state.clock.today()).await?;
    let umbrella = umbrella(&txn).await?;

    let sort_order = match values.sort_order {
        Some(sort_order) => sort_order,
        None => {
            let last: Option<Option<i32>> = brand::Entity::find()
                .select_only()
                .column_as(brand::Column::SortOrder.max(), "last_sort_order")
                .filter(brand::Column::ParentId.eq(umbrella.id))
                .into_tuple()
                .one(&txn)
                .await?;
            last.flatten().map_or(1, |last| last.saturating_add(1))
        }
    };

    let created = brand::ActiveModel {
        parent_id: Set(Some(umbrella.id)),
        name: Set(values.name.clone()),
        slogan: Set(values.slogan),
        description: Set(values.description),
        logo_file_id: Set(None),
        license_cap: Set(values.license_cap),
        sort_order: Set(sort_order),
        is_active: Set(values.is_active.unwrap_or(true)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|error| name_conflict(error, &values.name))?;

    audit::record(
        &txn,
        actor,
        "create",
        "brand",
        created.id,
        None,
        Some(&created),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Updates a brand's name, slogan, description, cap, sort order and status.
///
/// The umbrella brand takes no cap and cannot be deactivated. A sub-brand's cap may not
/// fall below its licensees in force today.
pub async fn update(
    state: &AppState,
    actor: &Actor<'_>,
    id: i64,
    input: &BrandInput,
) -> AppResult<brand::Model> {
    let txn = state.db.begin().await?;
    let before = find(&txn, id).await?;
    let values = validate(&txn, input, Some(&before), state.clock.today()).await?;

    let mut active: brand::ActiveModel = before.clone().into();
    active.name = Set(values.name.clone());
    active.slogan = Set(values.slogan);
    active.description = Set(values.description);
    active.license_cap = Set(values.license_cap);
    if let Some(sort_order) = values.sort_order {
        active.sort_order = Set(sort_order);
    }
    if let Some(is_active) = values.is_active {
        active.is_active = Set(is_active);
    }
    active.updated_at = Set(state.clock.now());
    let after = active
        .update(&txn)
        .await
        .map_err(|error| name_conflict(error, &values.name))?;

    audit::record(
        &txn,
        actor,
        "update",
        "brand",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Activates or deactivates a sub-brand. An inactive sub-brand takes no new license
/// applications; its existing licenses stay in force. The umbrella brand cannot be
/// deactivated.
pub async fn set_active(
    state: &AppState,
    actor: &Actor<'_>,
    id: i64,
    is_active: bool,
) -> AppResult<brand::Model> {
    let txn = state.db.begin().await?;
    let before = find(&txn, id).await?;
    if before.parent_id.is_none() && !is_active {
        return Err(AppError::rejected(umbrella_stays_active(&before.name)));
    }
    if before.is_active == is_active {
        return Ok(before);
    }

    let mut active: brand::ActiveModel = before.clone().into();
    active.is_active = Set(is_active);
    active.updated_at = Set(state.clock.now());
    let after = active.update(&txn).await?;

    let action = if is_active { "activate" } else { "deactivate" };
    audit::record(
        &txn,
        actor,
        action,
        "brand",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Stores `upload` as the brand's logo after checking by content that it is a PNG, JPEG
/// or WebP image. The previous logo file stays in `files` for the audit trail.
pub async fn set_logo(
    state: &AppState,
    actor: &Actor<'_>,
    id: i64,
    upload: Option<&Upload>,
) -> AppResult<brand::Model> {
    find(&state.db, id).await?;
    let Some(upload) = upload else {
        return Err(AppError::field(
            "logo",
            format!("请选择{LOGO_LABEL}图片文件（PNG、JPEG 或 WebP）"),
        ));
    };
    let mime = files::check(
        upload,
        LOGO_LABEL,
        Accept::Image,
        state.config.upload_max_bytes,
    )
    .map_err(|message| AppError::field("logo", message))?;

    let txn = state.db.begin().await?;
    let before = find(&txn, id).await?;
    let file = files::store(state, &txn, upload, mime, actor.user_id).await?;

    let mut active: brand::ActiveModel = before.clone().into();
    active.logo_file_id = Set(Some(file.id));
    active.updated_at = Set(state.clock.now());
    let after = active.update(&txn).await?;

    audit::record(
        &txn,
        actor,
        "set_logo",
        "brand",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Returns the stored logo of a brand: its file row and content. `NotFound` when the brand
/// does not exist or has no logo.
pub async fn logo(state: &AppState, id: i64) -> AppResult<(crate::entities::file::Model, Vec<u8>)> {
    let brand = find(&state.db, id).await?;
    let file_id = brand.logo_file_id.ok_or(AppError::NotFound)?;
    files::read(state, file_id).await
}
