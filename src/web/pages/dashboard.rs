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

use crate::{
    services::applications::{self, ApplicationRow},
    web::{auth::AuthUser, error::AppResult, layout::Layout, state::AppState},
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(dashboard))
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    todos: Vec<ApplicationRow>,
    overdue: usize,
    due_soon: usize,
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
    let todos = applications::todos(&state, &user).await?;
    let overdue = todos.iter().filter(|row| row.urgency == "overdue").count();
    let due_soon = todos.iter().filter(|row| row.urgency == "due_soon").count();
    Ok(DashboardPage {
        layout,
        todos,
        overdue,
        due_soon,
    }
    .into_response())
}
