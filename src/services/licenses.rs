//! Licenses (授权): the back-office list and detail in the user's data scope, the renewal
//! window, the public verification of a certificate and the public directory of licensees.
//!
//! A license row keeps `status = "active"` until it is revoked or suspended; whether it is
//! valid or expired on a day follows from its term, so every status shown here is computed
//! with `etown_rules::license::status` for the current Beijing date.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use etown_rules::{
    admission::ProductCategory,
    license::{self as license_rules, LicenseStatus},
    workflow::Role,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, JoinType,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationDef,
    sea_query::{Expr, Func},
};
use serde::{Deserialize, Serialize};

use crate::{
    entities::{application, brand, enterprise, license, license_product, setting},
    web::{
        auth::AuthUser,
        error::{AppError, AppResult},
    },
};

/// Rows per page of the back-office list and the public directory.
pub const PAGE_SIZE: u64 = 20;

/// Roles that see licenses in the back office. Enterprise users see only their own.
pub const VIEWER_ROLES: [Role; 5] = [
    Role::ServiceCenter,
    Role::Lgo,
    Role::Bureau,
    Role::Supervisor,
    Role::Enterprise,
];

/// Maximum number of enterprises or products that a text search matches before the list
/// is narrowed to them.
const SEARCH_MATCH_LIMIT: u64 = 1000;

fn is_revoked(row: &license::Model) -> bool {
    row.revoked_at.is_some() || row.status == "revoked"
}

fn is_suspended(row: &license::Model) -> bool {
    row.suspended_on.is_some() || row.status == "suspended"
}

/// Returns the status of a license on `today`.
pub fn status_of(row: &license::Model, today: NaiveDate) -> LicenseStatus {
    license_rules::status(row.term_end, is_revoked(row), is_suspended(row), today)
}

/// Builds the SQL condition that selects licenses with `status` on `today`, matching
/// `status_of`.
fn status_condition(status: LicenseStatus, today: NaiveDate) -> Condition {
    let revoked = || {
        Condition::any()
            .add(license::Column::RevokedAt.is_not_null())
            .add(license::Column::Status.eq("revoked"))
    };
    let suspended = || {
        Condition::any()
            .add(license::Column::SuspendedOn.is_not_null())
            .add(license::Column::Status.eq("suspended"))
    };
    match status {
        LicenseStatus::Revoked => revoked(),
        LicenseStatus::Suspended => Condition::all().add(revoked().not()).add(suspended()),
        LicenseStatus::Expired => Condition::all()
            .add(revoked().not())
            .add(suspended().not())
            .add(license::Column::TermEnd.lt(today)),
        LicenseStatus::Valid => Condition::all()
            .add(revoked().not())
            .add(suspended().not())
            .add(license::Column::TermEnd.gte(today)),
    }
}

/// Builds the condition for licenses in force on `today`: valid and already started. A renewal
/// issued before the old term ended starts the day after it, so the enterprise is counted
/// once, under the old license, until then.
fn in_force_condition(today: NaiveDate) -> Condition {
    status_condition(LicenseStatus::Valid, today).add(license::Column::TermStart.lte(today))
}

/// Filters of the back-office license list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ListFilter {
    pub brand_id: Option<i64>,
    /// valid, expired, revoked or suspended, or empty for all.
    pub status: String,
    /// Part of the enterprise name or of the certificate number.
    pub q: String,
    /// Page number from 1.
    pub page: Option<u64>,
}

/// One license with the names and the status it shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LicenseRow {
    pub id: i64,
    pub certificate_no: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub brand_id: i64,
    pub brand_name: String,
    pub application_id: i64,
    pub certificate_date: NaiveDate,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    /// valid, expired, revoked or suspended, on today's date.
    pub status: String,
    pub status_label: String,
    /// Whether the term starts after today: a renewal issued before the old term ended.
    pub starts_later: bool,
    /// Last day to build the licensee archive: 10 working days after the certificate.
    pub archive_due_on: Option<NaiveDate>,
    pub archived_at: Option<DateTime<Utc>>,
    pub filed_at: Option<DateTime<Utc>>,
    /// pending_archive, archived (waiting for the filing) or filed.
    pub record_status: String,
    pub record_label: String,
}

impl LicenseRow {
    /// CSS class of the status tag: ok for valid, warn for expired or suspended, bad for revoked.
    pub fn status_tag(&self) -> &'static str {
        match self.status.as_str() {
            "valid" => "ok",
            "revoked" => "bad",
            _ => "warn",
        }
    }

    /// CSS class of the archive and filing tag.
    pub fn record_tag(&self) -> &'static str {
        match self.record_status.as_str() {
            "filed" => "ok",
            "archived" => "",
            _ => "warn",
        }
    }
}

fn record_status(row: &license::Model) -> (&'static str, String) {
    if row.filed_at.is_some() {
        ("filed", "已备案".to_owned())
    } else if row.archived_at.is_some() {
        ("archived", "已建档，待备案".to_owned())
    } else {
        let label = match row.archive_due_on {
            Some(due) => format!("待建档（{due} 前）"),
            None => "待建档".to_owned(),
        };
        ("pending_archive", label)
    }
}

fn to_row(
    row: license::Model,
    enterprise_name: String,
    brand_name: String,
    today: NaiveDate,
) -> LicenseRow {
    let status = status_of(&row, today);
    let (record_status, record_label) = record_status(&row);
    LicenseRow {
        id: row.id,
        certificate_no: row.certificate_no,
        enterprise_id: row.enterprise_id,
        enterprise_name,
        brand_id: row.brand_id,
        brand_name,
        application_id: row.application_id,
        certificate_date: row.certificate_date,
        term_start: row.term_start,
        term_end: row.term_end,
        status: status.as_str().to_owned(),
        status_label: status.label().to_owned(),
        starts_later: row.term_start > today,
        archive_due_on: row.archive_due_on,
        archived_at: row.archived_at,
        filed_at: row.filed_at,
        record_status: record_status.to_owned(),
        record_label,
    }
}

async fn enterprise_names<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i64>,
) -> AppResult<HashMap<i64, String>> {
    Ok(enterprise::Entity::find()
        .select_only()
        .column(enterprise::Column::Id)
        .column(enterprise::Column::Name)
        .filter(enterprise::Column::Id.is_in(ids))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

async fn brand_names<C: ConnectionTrait>(db: &C) -> AppResult<HashMap<i64, String>> {
    Ok(brand::Entity::find()
        .select_only()
        .column(brand::Column::Id)
        .column(brand::Column::Name)
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

async fn decorate<C: ConnectionTrait>(
    db: &C,
    rows: Vec<license::Model>,
    today: NaiveDate,
) -> AppResult<Vec<LicenseRow>> {
    let names = enterprise_names(db, rows.iter().map(|row| row.enterprise_id).collect()).await?;
    let brands = brand_names(db).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let enterprise_name = names.get(&row.enterprise_id).cloned().unwrap_or_default();
            let brand_name = brands.get(&row.brand_id).cloned().unwrap_or_default();
            to_row(row, enterprise_name, brand_name, today)
        })
        .collect())
}

/// Ids of enterprises whose name contains `text`.
async fn enterprises_named<C: ConnectionTrait>(db: &C, text: &str) -> AppResult<Vec<i64>> {
    Ok(enterprise::Entity::find()
        .select_only()
        .column(enterprise::Column::Id)
        .filter(enterprise::Column::Name.contains(text))
        .limit(SEARCH_MATCH_LIMIT)
        .into_tuple()
        .all(db)
        .await?)
}

/// Lists licenses in the user's scope with filters, newest certificate first. Returns the
/// page of rows and the total count.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    user: &AuthUser,
    filter: &ListFilter,
    today: NaiveDate,
) -> AppResult<(Vec<LicenseRow>, u64)> {
    user.require_any(&VIEWER_ROLES)?;
    let mut query = license::Entity::find();
    if let Some(enterprise_id) = user.enterprise_scope() {
        query = query.filter(license::Column::EnterpriseId.eq(enterprise_id));
    }
    if let Some(brand_id) = filter.brand_id {
        query = query.filter(license::Column::BrandId.eq(brand_id));
    }
    let status = filter.status.trim();
    if !status.is_empty() {
        let status = LicenseStatus::parse(status).map_err(|_| {
            AppError::field(
                "status",
                format!(
                    "授权状态“{}”无效，应为有效、已过期、已撤销或已停止使用",
                    filter.status
                ),
            )
        })?;
        query = query.filter(status_condition(status, today));
    }
    let q = filter.q.trim();
    if !q.is_empty() {
        let matching = enterprises_named(db, q).await?;
        query = query.filter(
            Condition::any()
                .add(license::Column::CertificateNo.contains(q))
                .add(license::Column::EnterpriseId.is_in(matching)),
        );
    }

    let total = query.clone().count(db).await?;
    let page = filter.page.unwrap_or(1).max(1);
    let rows = query
        .order_by_desc(license::Column::CertificateDate)
        .order_by_desc(license::Column::Id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(db)
        .await?;
    Ok((decorate(db, rows, today).await?, total))
}

/// Loads a license the user may see: enterprise users only their own (others are 404).
pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    user: &AuthUser,
    id: i64,
) -> AppResult<license::Model> {
    user.require_any(&VIEWER_ROLES)?;
    let mut query = license::Entity::find_by_id(id);
    if let Some(enterprise_id) = user.enterprise_scope() {
        query = query.filter(license::Column::EnterpriseId.eq(enterprise_id));
    }
    query.one(db).await?.ok_or(AppError::NotFound)
}

/// A product covered by a license.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LicensedProduct {
    pub name: String,
    /// Category id, such as agricultural or food.
    pub category: String,
    pub category_label: String,
}

/// Whether a renewal may be requested today, and the window it must fall in.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RenewalInfo {
    pub open: bool,
    /// Reason the renewal is not accepted today, or empty when it is.
    pub message: String,
    /// First day of the renewal window: 30 days before the term ends, counting the last day.
    pub window_start: NaiveDate,
    pub window_end: NaiveDate,
}

/// A license with everything its detail page and certificate show.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LicenseDetail {
    pub license: LicenseRow,
    pub enterprise_uscc: String,
    pub application_no: String,
    pub products: Vec<LicensedProduct>,
    /// Code in the certificate's QR link to the public verification page.
    pub verify_code: String,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revocation_reason: Option<String>,
    pub suspended_on: Option<NaiveDate>,
    pub renewed_by_license_id: Option<i64>,
    pub renewal: RenewalInfo,
}

async fn licensed_products<C: ConnectionTrait>(
    db: &C,
    license_id: i64,
) -> AppResult<Vec<LicensedProduct>> {
    let rows = license_product::Entity::find()
        .filter(license_product::Column::LicenseId.eq(license_id))
        .order_by_asc(license_product::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| LicensedProduct {
            category_label: category_label(&row.category),
            name: row.name,
            category: row.category,
        })
        .collect())
}

fn category_label(category: &str) -> String {
    ProductCategory::parse(category)
        .map(|value| value.label().to_owned())
        .unwrap_or_else(|_| category.to_owned())
}

/// Loads one license in the user's scope with its products, names and renewal window.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    user: &AuthUser,
    id: i64,
    today: NaiveDate,
) -> AppResult<LicenseDetail> {
    let row = find_visible(db, user, id).await?;
    let company = enterprise::Entity::find_by_id(row.enterprise_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("license {id} without enterprise")))?;
    let brand_name = brand::Entity::find_by_id(row.brand_id)
        .one(db)
        .await?
        .map(|found| found.name)
        .unwrap_or_default();
    let application_no = application::Entity::find_by_id(row.application_id)
        .one(db)
        .await?
        .map(|found| found.application_no)
        .unwrap_or_default();
    let products = licensed_products(db, row.id).await?;

    let (window_start, window_end) = license_rules::renewal_window(row.term_end);
    let message = renewal_window_open(&row, today).err().unwrap_or_default();
    Ok(LicenseDetail {
        enterprise_uscc: company.uscc,
        application_no,
        products,
        verify_code: row.verify_code.clone(),
        revoked_at: row.revoked_at,
        revocation_reason: row.revocation_reason.clone(),
        suspended_on: row.suspended_on,
        renewed_by_license_id: row.renewed_by_license_id,
        renewal: RenewalInfo {
            open: message.is_empty(),
            message,
            window_start,
            window_end,
        },
        license: to_row(row, company.name, brand_name, today),
    })
}

/// Checks whether the licensee may request a renewal on `today`. The error is the Chinese
/// message shown beside the renewal button. `applications::request_renewal` applies the same
/// checks when the request arrives.
pub fn renewal_window_open(license: &license::Model, today: NaiveDate) -> Result<(), String> {
    if is_revoked(license) || is_suspended(license) {
        return Err("该授权已被撤销或停止使用，不能申请续用".to_owned());
    }
    if license.renewed_by_license_id.is_some() {
        return Err("该授权已续用，无需再次申请".to_owned());
    }
    license_rules::check_renewal(license.term_end, today).map_err(|error| error.to_string())
}

/// Returns the issuer printed on certificates: the county's leading group office, such as
/// 侯马市乡村e镇领导小组办公室. The county name comes from the `county_name` setting.
pub async fn issuer_name<C: ConnectionTrait>(db: &C) -> AppResult<String> {
    let county = setting::Entity::find_by_id("county_name".to_owned())
        .one(db)
        .await?
        .map(|row| row.value)
        .unwrap_or_default();
    Ok(format!("{county}乡村e镇领导小组办公室"))
}

/// Public facts of a certificate for the verification page: only what the certificate
/// itself prints, with no person and no contact.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub certificate_no: String,
    pub enterprise_name: String,
    pub brand_name: String,
    pub products: Vec<String>,
    pub certificate_date: NaiveDate,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    /// valid, expired, revoked or suspended, on today's date.
    pub status: String,
    pub status_label: String,
    /// Whether the term starts after today: a renewal issued before the old term ended.
    pub starts_later: bool,
}

/// The license columns plus the enterprise and brand names, read in one query.
#[derive(Debug, FromQueryResult)]
struct VerifyRecord {
    id: i64,
    certificate_no: String,
    certificate_date: NaiveDate,
    term_start: NaiveDate,
    term_end: NaiveDate,
    status: String,
    revoked_at: Option<DateTime<Utc>>,
    suspended_on: Option<NaiveDate>,
    enterprise_name: String,
    brand_name: String,
}

fn join_enterprise() -> RelationDef {
    license::Entity::belongs_to(enterprise::Entity)
        .from(license::Column::EnterpriseId)
        .to(enterprise::Column::Id)
        .into()
}

fn join_brand() -> RelationDef {
    license::Entity::belongs_to(brand::Entity)
        .from(license::Column::BrandId)
        .to(brand::Column::Id)
        .into()
}

/// Looks up a certificate for the public verification page by its verification code or its
/// certificate number, both compared exactly. Returns `None` for an unknown code.
///
/// The page is public and hit by every scan of a certificate's QR code, so this runs two
/// queries on unique or indexed columns and writes nothing.
pub async fn verify<C: ConnectionTrait>(
    db: &C,
    code_or_number: &str,
    today: NaiveDate,
) -> AppResult<Option<Verification>> {
    let code = code_or_number.trim();
    if code.is_empty() {
        return Ok(None);
    }
    let found = license::Entity::find()
        .select_only()
        .columns([
            license::Column::Id,
            license::Column::CertificateNo,
            license::Column::CertificateDate,
            license::Column::TermStart,
            license::Column::TermEnd,
            license::Column::Status,
            license::Column::RevokedAt,
            license::Column::SuspendedOn,
        ])
        .column_as(enterprise::Column::Name, "enterprise_name")
        .column_as(brand::Column::Name, "brand_name")
        .join(JoinType::InnerJoin, join_enterprise())
        .join(JoinType::InnerJoin, join_brand())
        .filter(
            Condition::any()
                // Codes are issued in upper case; a code typed by hand may not be.
                .add(license::Column::VerifyCode.eq(code.to_ascii_uppercase()))
                .add(license::Column::CertificateNo.eq(code)),
        )
        .into_model::<VerifyRecord>()
        .one(db)
        .await?;
    let Some(record) = found else {
        return Ok(None);
    };

    let products: Vec<String> = license_product::Entity::find()
        .select_only()
        .column(license_product::Column::Name)
        .filter(license_product::Column::LicenseId.eq(record.id))
        .order_by_asc(license_product::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let revoked = record.revoked_at.is_some() || record.status == "revoked";
    let suspended = record.suspended_on.is_some() || record.status == "suspended";
    let status = license_rules::status(record.term_end, revoked, suspended, today);
    Ok(Some(Verification {
        certificate_no: record.certificate_no,
        enterprise_name: record.enterprise_name,
        brand_name: record.brand_name,
        products,
        certificate_date: record.certificate_date,
        term_start: record.term_start,
        term_end: record.term_end,
        status: status.as_str().to_owned(),
        status_label: status.label().to_owned(),
        starts_later: record.term_start > today,
    }))
}

/// Filters of the public directory of licensees.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct DirectoryFilter {
    /// Part of the enterprise name or of a product name.
    pub q: String,
    pub brand_id: Option<i64>,
    /// Page number from 1.
    pub page: Option<u64>,
}

/// One licensee in the public directory.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DirectoryRow {
    pub enterprise_name: String,
    pub brand_id: i64,
    pub brand_name: String,
    pub products: Vec<String>,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
}

/// Lists the licenses in force today for the public directory, by sub-brand and
/// certificate date. Returns the page of rows and the total count.
pub async fn directory<C: ConnectionTrait>(
    db: &C,
    filter: &DirectoryFilter,
    today: NaiveDate,
) -> AppResult<(Vec<DirectoryRow>, u64)> {
    let mut query = license::Entity::find().filter(in_force_condition(today));
    if let Some(brand_id) = filter.brand_id {
        query = query.filter(license::Column::BrandId.eq(brand_id));
    }
    let q = filter.q.trim();
    if !q.is_empty() {
        let enterprises = enterprises_named(db, q).await?;
        let licenses_with_product: Vec<i64> = license_product::Entity::find()
            .select_only()
            .column(license_product::Column::LicenseId)
            .filter(license_product::Column::Name.contains(q))
            .limit(SEARCH_MATCH_LIMIT)
            .into_tuple()
            .all(db)
            .await?;
        query = query.filter(
            Condition::any()
                .add(license::Column::EnterpriseId.is_in(enterprises))
                .add(license::Column::Id.is_in(licenses_with_product)),
        );
    }

    let total = query.clone().count(db).await?;
    let page = filter.page.unwrap_or(1).max(1);
    let rows = query
        .order_by_asc(license::Column::BrandId)
        .order_by_asc(license::Column::CertificateDate)
        .order_by_asc(license::Column::Id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(db)
        .await?;

    let names = enterprise_names(db, rows.iter().map(|row| row.enterprise_id).collect()).await?;
    let brands = brand_names(db).await?;
    let mut products: HashMap<i64, Vec<String>> = HashMap::new();
    let product_rows = license_product::Entity::find()
        .filter(license_product::Column::LicenseId.is_in(rows.iter().map(|row| row.id)))
        .order_by_asc(license_product::Column::Id)
        .all(db)
        .await?;
    for product in product_rows {
        products
            .entry(product.license_id)
            .or_default()
            .push(product.name);
    }
    let directory_rows = rows
        .into_iter()
        .map(|row| DirectoryRow {
            enterprise_name: names.get(&row.enterprise_id).cloned().unwrap_or_default(),
            brand_name: brands.get(&row.brand_id).cloned().unwrap_or_default(),
            brand_id: row.brand_id,
            products: products.remove(&row.id).unwrap_or_default(),
            term_start: row.term_start,
            term_end: row.term_end,
        })
        .collect();
    Ok((directory_rows, total))
}

/// Counts the licenses in force today per sub-brand, for the brand matrix.
pub async fn licensee_counts<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
) -> AppResult<HashMap<i64, u64>> {
    let counts: Vec<(i64, i64)> = license::Entity::find()
        .select_only()
        .column(license::Column::BrandId)
        .column_as(
            Expr::from(Func::count(Expr::col(license::Column::Id))),
            "licensees",
        )
        .filter(in_force_condition(today))
        .group_by(license::Column::BrandId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .map(|(brand_id, count)| (brand_id, count.max(0) as u64))
        .collect())
}

/// Loads the sub-brands in matrix order, for the brand filters of the lists.
pub async fn sub_brands<C: ConnectionTrait>(db: &C) -> AppResult<Vec<brand::Model>> {
    Ok(brand::Entity::find()
        .filter(brand::Column::ParentId.is_not_null())
        .order_by_asc(brand::Column::SortOrder)
        .order_by_asc(brand::Column::Id)
        .all(db)
        .await?)
}
