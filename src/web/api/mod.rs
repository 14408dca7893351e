//! The JSON API under `/api/v1`, its OpenAPI document and the offline documentation page.

use axum::Router;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::web::state::AppState;

pub mod licenses;
pub mod me;
pub mod public;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "乡村e镇综合服务平台 接口",
        version = "1",
        description = "区域公用品牌授权、企业信息与工作日历的 JSON 接口。机器客户端使用 `Authorization: Bearer 令牌`，令牌在“个人设置 › 接口令牌”中生成。"
    ),
    paths(
        me::me,
        licenses::list,
        licenses::show,
        licenses::renew,
        public::verify,
        public::notice_list,
        public::object,
        public::licensee_list
    ),
    components(schemas(crate::web::error::ErrorBody, crate::web::error::FieldError))
)]
pub struct ApiDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(me::routes())
        .merge(licenses::routes())
        .merge(public::routes())
}

/// `/api/openapi.json` and the Swagger UI at `/api/docs/`, both served from the binary.
pub fn docs_routes() -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
}
