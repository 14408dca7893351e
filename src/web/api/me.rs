//! `GET /api/v1/me`: who the token or session belongs to.

use axum::{Json, Router, routing::get};
use serde::Serialize;

use crate::web::{auth::AuthUser, state::AppState};

pub fn routes() -> Router<AppState> {
    Router::new().route("/me", get(me))
}

/// The authenticated user.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// Role ids, such as `service_center` or `enterprise`.
    pub roles: Vec<String>,
    /// The enterprise an enterprise user belongs to.
    pub enterprise_id: Option<i64>,
}

/// Returns the authenticated user.
#[utoipa::path(get, path = "/api/v1/me", tag = "账号", responses((status = 200, body = Me), (status = 401, body = crate::web::error::ErrorBody)))]
pub async fn me(user: AuthUser) -> Json<Me> {
    Json(Me {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        roles: user
            .roles
            .iter()
            .map(|role| role.as_str().to_owned())
            .collect(),
        enterprise_id: user.enterprise_id,
    })
}
