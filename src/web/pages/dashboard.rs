//! The 工作台: the user's to-do items with their deadlines.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::{Query, State},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;

use crate::web::{auth::AuthUser, error::AppResult, layout::Layout, state::AppState};

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(dashboard))
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

async fn dashboard(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<NoticeQuery>,
) -> AppResult<Response> {
    let notice = match query.notice.as_str() {
        "password_changed" => Some("密码已修改。".to_owned()),
        _ => None,
    };
    let layout = Layout::new(&state, &user, "我的待办", "dashboard").notice(notice);
    Ok(DashboardPage { layout }.into_response())
}
