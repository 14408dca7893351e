//! The one error type at the HTTP edge.
//!
//! Client errors carry a Chinese message for the user. Every other failure becomes an
//! opaque 500 whose cause is logged once, with the request id from the request span.
//! Handlers return JSON errors, and the `html_errors` middleware turns the body into an
//! error page for browser routes, so a handler never needs to know who is asking.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Serialize;

/// One invalid form field: the key the form uses, its Chinese label, the value as given
/// and what is expected.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("login required")]
    Unauthorized,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("rejected: {0}")]
    Rejected(String),
    #[error("too many requests")]
    TooManyRequests(u64),
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for AppError {
    fn from(error: sea_orm::DbErr) -> Self {
        AppError::Internal(error.into())
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(error: sea_orm::TransactionError<AppError>) -> Self {
        match error {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(inner) => inner,
        }
    }
}

impl From<opendal::Error> for AppError {
    fn from(error: opendal::Error) -> Self {
        AppError::Internal(error.into())
    }
}

impl AppError {
    /// Builds a validation error for one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    pub fn rejected(message: impl Into<String>) -> Self {
        AppError::Rejected(message.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Rejected(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Returns the message the user reads.
    pub fn user_message(&self) -> String {
        match self {
            AppError::NotFound => "未找到该记录，或您无权查看。".into(),
            AppError::Unauthorized => "请先登录。".into(),
            AppError::Forbidden(message) | AppError::Rejected(message) => message.clone(),
            AppError::Invalid(errors) => {
                let lines: Vec<&str> = errors.iter().map(|error| error.message.as_str()).collect();
                format!("提交的内容有误：{}", lines.join("；"))
            }
            AppError::TooManyRequests(seconds) => {
                format!("操作过于频繁，请在 {seconds} 秒后重试。")
            }
            AppError::Internal(_) => {
                "服务器内部错误，请稍后重试；如仍失败，请联系系统管理员并提供请求编号。".into()
            }
        }
    }
}

/// JSON body of every error response of the API.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Machine-readable kind: not_found, unauthorized, forbidden, invalid, rejected,
    /// too_many_requests or internal.
    pub error: &'static str,
    /// Message for the user, in Chinese.
    pub message: String,
    /// The invalid fields, for `invalid`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// Marker left in the response extensions so that the HTML middleware can render a page.
#[derive(Clone, Debug)]
pub struct ErrorMarker {
    pub message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let kind = match &self {
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::Invalid(_) => "invalid",
            AppError::Rejected(_) => "rejected",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "request failed");
                "internal"
            }
        };
        let message = self.user_message();
        let retry_after = match &self {
            AppError::TooManyRequests(seconds) => Some(*seconds),
            _ => None,
        };
        let fields = match self {
            AppError::Invalid(errors) => errors,
            _ => Vec::new(),
        };

        let mut response = (
            status,
            Json(ErrorBody {
                error: kind,
                message: message.clone(),
                fields,
            }),
        )
            .into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response.extensions_mut().insert(ErrorMarker { message });
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
