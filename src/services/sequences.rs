//! Yearly counters for application and certificate numbers.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, OnConflict},
};

use crate::entities::sequence;

/// Returns the next value of counter `name` for `year`, starting at 1. Call it inside the
/// transaction that uses the number, so that a rolled-back step leaves no gap.
pub async fn next<C: ConnectionTrait>(db: &C, name: &str, year: i32) -> Result<i64, DbErr> {
    sequence::Entity::insert(sequence::ActiveModel {
        name: sea_orm::ActiveValue::Set(name.to_owned()),
        year: sea_orm::ActiveValue::Set(year),
        value: sea_orm::ActiveValue::Set(0),
    })
    .on_conflict(
        OnConflict::columns([sequence::Column::Name, sequence::Column::Year])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;

    // The UPDATE takes the row lock, so two transactions never read the same value.
    sequence::Entity::update_many()
        .col_expr(
            sequence::Column::Value,
            Expr::col(sequence::Column::Value).add(1),
        )
        .filter(sequence::Column::Name.eq(name))
        .filter(sequence::Column::Year.eq(year))
        .exec(db)
        .await?;
    let row = sequence::Entity::find_by_id((name.to_owned(), year))
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("sequence {name} {year}")))?;
    Ok(row.value)
}
