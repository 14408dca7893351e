//! Background jobs. Each run takes a lease row first, so that with several instances only
//! one of them runs a job at a time.

use chrono::{Duration, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, sea_query::OnConflict,
};

use crate::{
    entities::{job_lease, session},
    web::state::AppState,
};

/// Starts the periodic jobs on the runtime: session clean-up and calendar refresh.
pub fn spawn(state: AppState) {
    let holder = crate::web::auth::random_token(8);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            tick.tick().await;
            if let Err(error) = run_once(&state, &holder).await {
                tracing::warn!(error = %error, "background job failed; retrying at the next tick");
            }
        }
    });
}

async fn run_once(state: &AppState, holder: &str) -> Result<(), DbErr> {
    // Every instance refreshes its cached calendar, so an arrangement entered on one instance
    // reaches the others within five minutes.
    let calendar = crate::services::calendar::load(&state.db).await?;
    state.set_calendar(calendar);

    if take_lease(&state.db, "session_cleanup", holder, Duration::minutes(4)).await? {
        let removed = session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lt(Utc::now()))
            .exec(&state.db)
            .await?
            .rows_affected;
        if removed > 0 {
            tracing::info!(removed, "expired sessions removed");
        }
    }
    Ok(())
}

/// Takes or renews the lease `name` for `ttl`; returns false while another holder has it.
pub async fn take_lease<C: ConnectionTrait>(
    db: &C,
    name: &str,
    holder: &str,
    ttl: Duration,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    let insert = job_lease::Entity::insert(job_lease::ActiveModel {
        name: sea_orm::ActiveValue::Set(name.to_owned()),
        holder: sea_orm::ActiveValue::Set(holder.to_owned()),
        expires_at: sea_orm::ActiveValue::Set(now + ttl),
    })
    .on_conflict(
        OnConflict::column(job_lease::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if insert > 0 {
        return Ok(true);
    }

    // The lease exists: take it over only when it expired or is already ours.
    let taken = job_lease::Entity::update_many()
        .col_expr(
            job_lease::Column::Holder,
            sea_orm::sea_query::Expr::value(holder),
        )
        .col_expr(
            job_lease::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(now + ttl),
        )
        .filter(job_lease::Column::Name.eq(name))
        .filter(
            Condition::any()
                .add(job_lease::Column::ExpiresAt.lt(now))
                .add(job_lease::Column::Holder.eq(holder)),
        )
        .exec(db)
        .await?
        .rows_affected;
    Ok(taken > 0)
}
