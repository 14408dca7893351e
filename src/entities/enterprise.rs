//! An enterprise or natural person that may apply for a public-brand license.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "enterprises")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub uscc: String,
    #[sea_orm(column_type = "Text")]
    pub uscc_override_reason: Option<String>,
    pub subject_type: String,
    pub registered_address: String,
    pub division_code: String,
    pub registered_in_houma: bool,
    pub operates_via_branch: bool,
    pub branch_name: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub production_base: String,
    pub is_agent: bool,
    pub producer_name: Option<String>,
    pub contact_name: String,
    pub contact_mobile: String,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
