//! A product named in an application, with its prices in fen.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "application_products")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_id: i64,
    pub name: String,
    pub category: String,
    #[sea_orm(column_type = "Text")]
    pub introduction: String,
    pub cost_price_fen: i64,
    pub market_price_fen: i64,
    #[sea_orm(column_type = "Text")]
    pub brand_profile: String,
    #[sea_orm(column_type = "Text")]
    pub online_channels: String,
    pub sort_order: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
