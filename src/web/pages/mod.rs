//! Back-office pages, one module per feature, each owning its routes.

pub mod account;
pub mod applications;
pub mod audit;
pub mod brands;
pub mod calendar;
pub mod dashboard;
pub mod enterprises;
pub mod licenses;
pub mod login;
pub mod settings;
pub mod users;

use axum::Router;

use crate::web::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(login::routes())
        .merge(account::routes())
        .merge(brands::routes())
        .merge(dashboard::routes())
        .merge(applications::routes())
        .merge(enterprises::routes())
        .merge(calendar::routes())
        .merge(settings::routes())
        .merge(users::routes())
        .merge(audit::routes())
        .merge(licenses::routes())
}
