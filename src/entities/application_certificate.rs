//! A certificate submitted with an application, for one product or for the applicant.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "application_certificates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_id: i64,
    pub product_id: Option<i64>,
    pub kind: String,
    pub name: String,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
    pub file_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
