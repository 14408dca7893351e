//! One step in an application's history: actor, time, states, comment and attachments.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "application_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_id: i64,
    pub occurred_at: DateTimeUtc,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    #[sea_orm(column_type = "Text")]
    pub comment: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub attachments: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
