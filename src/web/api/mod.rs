//! The JSON API under `/api/v1`, its OpenAPI document and the offline documentation page.

use axum::Router;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::web::state::AppState;

pub mod applications;
pub mod brands;
pub mod calendar;
pub mod enterprises;
pub mod licenses;
pub mod me;
pub mod public;
pub mod users;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "乡村e镇综合服务平台 接口",
        version = "1",
        description = "区域公用品牌授权、企业信息与工作日历的 JSON 接口。机器客户端使用 `Authorization: Bearer 令牌`，令牌在“个人设置 › 接口令牌”中生成。"
    ),
    paths(
        me::me,
        applications::list,
        applications::create,
        applications::detail,
        applications::take_action,
        applications::resubmit,
        applications::resolve,
        applications::todos,
        brands::list_brands,
        brands::get_brand,
        brands::create_brand,
        brands::update_brand,
        enterprises::list,
        enterprises::show,
        enterprises::create,
        enterprises::update,
        enterprises::divisions,
        calendar::year_calendar,
        calendar::replace_arrangement,
        calendar::add_working_days,
        calendar::working_days_between,
        calendar::next_working_day,
        users::list_users,
        users::create_user,
        users::list_audit_logs,
        users::list_logins,
        licenses::list,
        licenses::show,
        licenses::renew,
        public::verify,
        public::notice_list,
        public::object,
        public::licensee_list,
    ),
    components(schemas(crate::web::error::ErrorBody, crate::web::error::FieldError))
)]
pub struct ApiDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(me::routes())
        .merge(applications::routes())
        .merge(brands::routes())
        .merge(enterprises::routes())
        .merge(calendar::routes())
        .merge(users::routes())
        .merge(licenses::routes())
        .merge(public::routes())
}

/// `/api/openapi.json` and the Swagger UI at `/api/docs/`, both served from the binary.
pub fn docs_routes() -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
}
