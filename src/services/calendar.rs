//! Loading and changing the working-day calendar stored in the database.

use std::collections::BTreeMap;

use etown_rules::calendar::{ArrangementEntry, ArrangementKind, Calendar};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder};

use crate::entities::{calendar_day, calendar_year};

/// Builds the calendar from every entered year and its rest and make-up working days.
pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Calendar, DbErr> {
    let years = calendar_year::Entity::find().all(db).await?;
    let days = calendar_day::Entity::find()
        .order_by_asc(calendar_day::Column::Date)
        .all(db)
        .await?;

    let mut by_year: BTreeMap<i32, Vec<ArrangementEntry>> =
        years.iter().map(|row| (row.year, Vec::new())).collect();
    for day in days {
        let kind = match day.kind.as_str() {
            "makeup_workday" => ArrangementKind::MakeupWorkday,
            _ => ArrangementKind::Holiday,
        };
        by_year.entry(day.year).or_default().push(ArrangementEntry {
            date: day.date,
            kind,
            name: day.name,
        });
    }
    Ok(Calendar::new(by_year))
}
