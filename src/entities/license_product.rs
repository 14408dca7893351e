//! A product covered by a license, copied from the application when the certificate is issued.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "license_products")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub license_id: i64,
    pub name: String,
    pub category: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
