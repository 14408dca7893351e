//! Public notices (公示): applications that passed the on-site review and are published on the
//! portal for objections during their notice period. Objections themselves are filed with
//! `applications::file_objection`.

use std::collections::HashMap;

use chrono::NaiveDate;
use etown_rules::{admission::ProductCategory, workflow::ApplicationState};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;

use crate::{
    entities::{application, application_product, brand, enterprise},
    web::error::{AppError, AppResult},
};

/// Notices per page on the portal and in the API.
pub const PAGE_SIZE: u64 = 20;

/// A product named in a notice.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NoticeProduct {
    pub name: String,
    pub category_label: String,
}

/// One application under public notice, as the portal publishes it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notice {
    /// Application id, used in the objection link.
    pub id: i64,
    pub application_no: String,
    pub enterprise_name: String,
    pub brand_name: String,
    pub products: Vec<NoticeProduct>,
    pub notice_starts_on: NaiveDate,
    pub notice_ends_on: NaiveDate,
}

/// Builds the condition for applications in public notice whose notice period contains
/// `today`.
fn current_condition(today: NaiveDate) -> Condition {
    Condition::all()
        .add(application::Column::State.eq(ApplicationState::PublicNotice.as_str()))
        .add(application::Column::NoticeStartsOn.lte(today))
        .add(application::Column::NoticeEndsOn.gte(today))
}

async fn decorate<C: ConnectionTrait>(
    db: &C,
    rows: Vec<application::Model>,
) -> AppResult<Vec<Notice>> {
    let enterprise_ids: Vec<i64> = rows.iter().map(|row| row.enterprise_id).collect();
    let names: HashMap<i64, String> = enterprise::Entity::find()
        .select_only()
        .column(enterprise::Column::Id)
        .column(enterprise::Column::Name)
        .filter(enterprise::Column::Id.is_in(enterprise_ids))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let brand_ids: Vec<i64> = rows.iter().map(|row| row.brand_id).collect();
    let brands: HashMap<i64, String> = brand::Entity::find()
        .select_only()
        .column(brand::Column::Id)
        .column(brand::Column::Name)
        .filter(brand::Column::Id.is_in(brand_ids))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut products: HashMap<i64, Vec<NoticeProduct>> = HashMap::new();
    let product_rows = application_product::Entity::find()
        .filter(application_product::Column::ApplicationId.is_in(rows.iter().map(|row| row.id)))
        .order_by_asc(application_product::Column::SortOrder)
        .order_by_asc(application_product::Column::Id)
        .all(db)
        .await?;
    for product in product_rows {
        products
            .entry(product.application_id)
            .or_default()
            .push(NoticeProduct {
                category_label: ProductCategory::parse(&product.category)
                    .map(|category| category.label().to_owned())
                    .unwrap_or(product.category),
                name: product.name,
            });
    }

    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(Notice {
                id: row.id,
                enterprise_name: names.get(&row.enterprise_id).cloned().unwrap_or_default(),
                brand_name: brands.get(&row.brand_id).cloned().unwrap_or_default(),
                products: products.remove(&row.id).unwrap_or_default(),
                notice_starts_on: row.notice_starts_on?,
                notice_ends_on: row.notice_ends_on?,
                application_no: row.application_no,
            })
        })
        .collect())
}

/// Lists the notices current on `today`, those ending soonest first. Returns the page of
/// notices and the total count.
pub async fn current<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
    page: Option<u64>,
) -> AppResult<(Vec<Notice>, u64)> {
    let query = application::Entity::find().filter(current_condition(today));
    let total = query.clone().count(db).await?;
    let page = page.unwrap_or(1).max(1);
    let rows = query
        .order_by_asc(application::Column::NoticeEndsOn)
        .order_by_asc(application::Column::Id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(db)
        .await?;
    Ok((decorate(db, rows).await?, total))
}

/// Loads one application whose notice period contains `today`. Any other id is 404, so the
/// portal never shows an application outside its notice.
pub async fn find_current<C: ConnectionTrait>(
    db: &C,
    id: i64,
    today: NaiveDate,
) -> AppResult<Notice> {
    let row = application::Entity::find_by_id(id)
        .filter(current_condition(today))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    decorate(db, vec![row])
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}
