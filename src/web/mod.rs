//! The HTTP application: back-office pages, the public portal and the JSON API on one router.

pub mod api;
pub mod auth;
pub mod error;
pub mod export;
pub mod forms;
pub mod layout;
pub mod pages;
pub mod portal;
pub mod ratelimit;
pub mod state;

use std::{net::SocketAddr, time::Duration};

use askama::Template;
use axum::{
    Router,
    extract::{ConnectInfo, MatchedPath, Request},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{Html, IntoResponse, Response},
    routing::get,
};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::web::{error::ErrorMarker, state::AppState};

/// Builds the whole router over `state`; `serve` and the tests use exactly this.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.upload_max_bytes + 1024 * 1024;

    Router::new()
        .route("/healthz", get(healthz))
        .route("/static/app.css", get(stylesheet))
        .merge(pages::routes())
        .merge(portal::routes())
        .nest("/api/v1", api::routes())
        .merge(api::docs_routes())
        .fallback(not_found)
        .with_state(state)
        .layer(middleware::from_fn(html_errors))
        .layer(middleware::from_fn(reject_cross_site))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let route = request
                        .extensions()
                        .get::<MatchedPath>()
                        .map(|path| path.as_str().to_owned())
                        .unwrap_or_else(|| "(unmatched)".to_owned());
                    let request_id = request
                        .headers()
                        .get("x-request-id")
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default();
                    tracing::info_span!("request", method = %request.method(), route, request_id)
                })
                .on_request(())
                .on_response(|response: &Response, latency: Duration, _span: &tracing::Span| {
                    tracing::info!(status = response.status().as_u16(), latency_ms = latency.as_millis() as u64, "request finished");
                }),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(RandomRequestId))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
            ),
        ))
        .layer(CatchPanicLayer::new())
}

/// Request ids: 16 random hex characters, logged with every line of the request.
#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&auth::random_token(8))
            .ok()
            .map(RequestId::new)
    }
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(error) => {
            tracing::error!(error = %error, "health check failed: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

async fn not_found() -> error::AppError {
    error::AppError::NotFound
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
    request_id: &'a str,
}

/// Turns the JSON error of a handler into an HTML page for every route outside the API.
async fn html_errors(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let response = replace_framework_error(next.run(request).await, is_api);
    if is_api {
        return response;
    }
    let Some(marker) = response.extensions().get::<ErrorMarker>().cloned() else {
        return response;
    };

    let status = response.status();
    let title = match status {
        StatusCode::NOT_FOUND => "未找到",
        StatusCode::FORBIDDEN => "无权操作",
        StatusCode::UNPROCESSABLE_ENTITY => "提交的内容有误",
        StatusCode::CONFLICT => "无法办理",
        StatusCode::TOO_MANY_REQUESTS => "操作过于频繁",
        StatusCode::UNAUTHORIZED => "请先登录",
        _ => "系统错误",
    };
    let shown_id = if status.is_server_error() {
        request_id.as_str()
    } else {
        ""
    };
    let page = ErrorPage {
        title,
        message: &marker.message,
        request_id: shown_id,
    };
    match page.render() {
        Ok(html) => {
            let mut page_response = (status, Html(html)).into_response();
            if let Some(retry) = response.headers().get(header::RETRY_AFTER) {
                page_response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, retry.clone());
            }
            page_response
        }
        Err(error) => {
            tracing::error!(error = %error, "error page rendering failed");
            response
        }
    }
}

/// Replaces an error response that did not come from `AppError`, such as axum's plain-text
/// rejection of a path id that is not a number or of a body that is not JSON, with a
/// Chinese message in the same shape as every other error.
fn replace_framework_error(response: Response, is_api: bool) -> Response {
    let status = response.status();
    let from_app = response.extensions().get::<ErrorMarker>().is_some();
    // Pages and JSON written by handlers keep their own content; axum's rejections are plain text.
    let plain_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_none_or(|value| value.starts_with("text/plain"));
    if from_app || !plain_text || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (kind, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "未找到该页面或记录。".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => ("bad_request", "不支持该请求方式。".to_owned()),
        StatusCode::PAYLOAD_TOO_LARGE => ("bad_request", "提交的内容过大，请减小上传文件后重试。".to_owned()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("bad_request", "请求的内容类型不受支持：接口请使用 application/json，上传表单请使用 multipart/form-data。".to_owned())
        }
        StatusCode::UNPROCESSABLE_ENTITY => ("invalid", "请求内容无法识别，请检查字段名称和取值类型后重试。".to_owned()),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "请求处理超时，请稍后重试。".to_owned()),
        status if status.is_server_error() => ("internal", "服务器内部错误，请稍后重试。".to_owned()),
        _ => ("bad_request", "请求的地址或参数格式无效，例如编号应为数字，请检查后重试。".to_owned()),
    };
    let body = error::ErrorBody {
        error: kind,
        message: message.clone(),
        fields: Vec::new(),
    };
    let mut replaced = (status, axum::Json(body)).into_response();
    if !is_api {
        replaced.extensions_mut().insert(ErrorMarker { message });
    }
    replaced
}

/// Rejects state-changing requests that a browser marks as coming from another site. The
/// CSRF token is the main defence; this catches a forgotten token check as well.
async fn reject_cross_site(request: Request, next: Next) -> Response {
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if unsafe_method {
        let cross_site = request
            .headers()
            .get("sec-fetch-site")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|site| site == "cross-site");
        if cross_site {
            return error::AppError::Forbidden("拒绝来自其他网站的提交。".into()).into_response();
        }
    }
    next.run(request).await
}

/// Returns the client address: the socket peer, or the last X-Forwarded-For hop behind a
/// trusted proxy.
pub fn client_ip(
    request_headers: &axum::http::HeaderMap,
    connect: Option<&ConnectInfo<SocketAddr>>,
    trust_proxy: bool,
) -> std::net::IpAddr {
    if trust_proxy
        && let Some(forwarded) = request_headers
            .get("x-forwarded-for")
            .and_then(|value| value.to_str().ok())
        && let Some(last) = forwarded.split(',').next_back()
        && let Ok(ip) = last.trim().parse()
    {
        return ip;
    }
    connect
        .map(|info| info.0.ip())
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
}

/// Extractor for the client address used by rate limits and the login log.
pub struct ClientIp(pub std::net::IpAddr);

impl axum::extract::FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let connect = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(ClientIp(client_ip(
            &parts.headers,
            connect,
            state.config.trust_proxy,
        )))
    }
}
