//! Back-office pages, one module per feature, each owning its routes.

pub mod account;
pub mod calendar;
pub mod dashboard;
pub mod login;
pub mod settings;

use axum::Router;

use crate::web::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(login::routes())
        .merge(account::routes())
        .merge(dashboard::routes())
        .merge(calendar::routes())
        .merge(settings::routes())
}
