//! Back-office pages, one module per feature, each owning its routes.

pub mod account;
pub mod dashboard;
pub mod licenses;
pub mod login;

use axum::Router;

use crate::web::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(login::routes())
        .merge(account::routes())
        .merge(dashboard::routes())
        .merge(licenses::routes())
}
