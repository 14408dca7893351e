//! A license to use a sub-brand, with its certificate and term.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "licenses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub enterprise_id: i64,
    pub brand_id: i64,
    pub application_id: i64,
    pub certificate_no: String,
    pub certificate_date: Date,
    pub term_start: Date,
    pub term_end: Date,
    pub verify_code: String,
    pub status: String,
    pub archive_due_on: Option<Date>,
    pub archived_at: Option<DateTimeUtc>,
    pub filed_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub revocation_reason: Option<String>,
    pub suspended_on: Option<Date>,
    pub renewed_by_license_id: Option<i64>,
    pub issued_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
