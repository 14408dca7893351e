//! A license application for a sub-brand, new or renewal, with its workflow state.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_no: String,
    pub enterprise_id: i64,
    pub brand_id: i64,
    pub kind: String,
    pub renewal_of_license_id: Option<i64>,
    pub state: String,
    pub state_entered_at: DateTimeUtc,
    pub due_on: Option<Date>,
    pub submitted_at: DateTimeUtc,
    pub declared_lawful_products: bool,
    pub declared_clean_environment: bool,
    pub declared_industry_standards: bool,
    pub declared_clean_record: bool,
    pub houma_sales_share_percent: Option<i32>,
    pub own_brand_and_standards: bool,
    pub food_processing_entrusted: bool,
    #[sea_orm(column_type = "Text")]
    pub production_capacity: String,
    #[sea_orm(column_type = "Text")]
    pub missing_items: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub return_reason: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub site_review_findings: Option<String>,
    pub notice_starts_on: Option<Date>,
    pub notice_ends_on: Option<Date>,
    pub license_id: Option<i64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
