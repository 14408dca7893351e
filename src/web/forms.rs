//! Form extraction with the CSRF check, and a collector of field errors.
//!
//! Every form of the back office and the portal posts a hidden `csrf_token`. Logged-in
//! users' tokens belong to their session; anonymous forms (login, registration, objections)
//! compare the field with the `etown_csrf` cookie that the page set.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::{Deserialize, de::DeserializeOwned};

use crate::web::{
    auth::{ANONYMOUS_CSRF_COOKIE, AuthUser, Credential, constant_time_eq, random_token},
    error::{AppError, FieldError},
    state::AppState,
};

/// A URL-encoded form whose CSRF token was checked. Fields the form lacks take their
/// defaults, so form structs hold raw strings with `#[serde(default)]` and are validated
/// by the handler, which can then refill the form.
pub struct CsrfForm<T>(pub T);

#[derive(Deserialize, Default)]
struct CsrfField {
    #[serde(default)]
    csrf_token: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let expected = expected_token(&mut parts, state).await;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;

        let given: CsrfField = serde_html_form::from_bytes(&bytes).unwrap_or_default();
        check_token(expected.as_deref(), &given.csrf_token).map_err(IntoResponse::into_response)?;

        let value = serde_html_form::from_bytes(&bytes).map_err(|error| {
            tracing::info!(error = %error, "form body unreadable");
            AppError::field("form", "表单内容无法识别，请刷新页面后重新填写。").into_response()
        })?;
        Ok(CsrfForm(value))
    }
}

/// Returns the token this request must carry: the session's, or the anonymous cookie's.
pub async fn expected_token(
    parts: &mut axum::http::request::Parts,
    state: &AppState,
) -> Option<String> {
    if let Ok(user) = AuthUser::from_request_parts(parts, state).await
        && let Credential::Session { csrf_token } = &user.credential
    {
        return Some(csrf_token.clone());
    }
    CookieJar::from_headers(&parts.headers)
        .get(ANONYMOUS_CSRF_COOKIE)
        .map(|cookie| cookie.value().to_owned())
}

pub fn check_token(expected: Option<&str>, given: &str) -> Result<(), AppError> {
    match expected {
        Some(expected) if !given.is_empty() && constant_time_eq(expected, given) => Ok(()),
        _ => Err(AppError::Forbidden(
            "页面已过期或表单来源无法验证，请刷新页面后重新提交。".into(),
        )),
    }
}

/// Returns the anonymous CSRF token of this browser, creating the cookie when missing.
pub fn anonymous_csrf(jar: CookieJar, secure: bool) -> (CookieJar, String) {
    if let Some(cookie) = jar.get(ANONYMOUS_CSRF_COOKIE) {
        let token = cookie.value().to_owned();
        return (jar, token);
    }
    let token = random_token(24);
    let cookie = Cookie::build((ANONYMOUS_CSRF_COOKIE, token.clone()))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .build();
    (jar.add(cookie), token)
}

/// Collects the errors of one form so that all of them are reported together.
#[derive(Debug, Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Returns the message for `field`, for showing it beside the input.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|error| error.field == field)
            .map(|error| error.message.as_str())
    }

    /// Returns the message for `field` or an empty string, for templates.
    pub fn msg(&self, field: &str) -> &str {
        self.get(field).unwrap_or("")
    }

    /// Reads a required text field, trimmed; records an error when it is empty or too long.
    pub fn required(&mut self, field: &str, label: &str, value: &str, max_chars: usize) -> String {
        let value = value.trim();
        if value.is_empty() {
            self.add(field, format!("{label}不能为空，请填写"));
        } else if value.chars().count() > max_chars {
            self.add(
                field,
                format!(
                    "{label}“{}…”过长，应不超过 {max_chars} 个字",
                    truncate(value, 20)
                ),
            );
        }
        value.to_owned()
    }

    /// Reads an optional text field, trimmed; `None` when empty.
    pub fn optional(
        &mut self,
        field: &str,
        label: &str,
        value: &str,
        max_chars: usize,
    ) -> Option<String> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        if value.chars().count() > max_chars {
            self.add(
                field,
                format!(
                    "{label}“{}…”过长，应不超过 {max_chars} 个字",
                    truncate(value, 20)
                ),
            );
        }
        Some(value.to_owned())
    }

    /// Reads an optional date in YYYY-MM-DD form.
    pub fn date(&mut self, field: &str, label: &str, value: &str) -> Option<chrono::NaiveDate> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        match chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                self.add(
                    field,
                    format!("{label}“{value}”不是有效日期，应为 YYYY-MM-DD 格式，例如 2026-03-15"),
                );
                None
            }
        }
    }

    pub fn into_result(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}

/// Shortens a value for quoting it in a message.
pub fn truncate(value: &str, max_chars: usize) -> String {
    value.chars().take(max_chars).collect()
}

/// A `multipart/form-data` form whose CSRF token was checked: its text fields and the files
/// that were actually chosen (a file input left empty is dropped).
pub struct MultipartForm {
    pub fields: std::collections::HashMap<String, Vec<String>>,
    pub files: Vec<crate::services::files::Upload>,
}

impl MultipartForm {
    /// Returns the first value of a text field, or "" when absent.
    pub fn text(&self, name: &str) -> &str {
        self.fields
            .get(name)
            .and_then(|values| values.first())
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Returns every value of a repeated text field, such as checkboxes.
    pub fn all(&self, name: &str) -> &[String] {
        self.fields.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn file(&self, name: &str) -> Option<&crate::services::files::Upload> {
        self.files.iter().find(|upload| upload.field == name)
    }

    pub fn files_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a crate::services::files::Upload> + 'a {
        self.files.iter().filter(move |upload| upload.field == name)
    }
}

impl FromRequest<AppState> for MultipartForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let expected = expected_token(&mut parts, state).await;
        let mut multipart =
            axum::extract::Multipart::from_request(Request::from_parts(parts, body), state)
                .await
                .map_err(IntoResponse::into_response)?;

        let unreadable = |error: axum::extract::multipart::MultipartError| {
            tracing::info!(error = %error.body_text(), "multipart form unreadable");
            AppError::field(
                "form",
                "上传的表单无法读取，请检查文件大小（不超过上限）后重新提交",
            )
            .into_response()
        };
        let mut form = MultipartForm {
            fields: Default::default(),
            files: Vec::new(),
        };
        while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
            let name = field.name().unwrap_or_default().to_owned();
            match field.file_name().map(str::to_owned) {
                Some(file_name) => {
                    let bytes = field.bytes().await.map_err(unreadable)?;
                    if !(file_name.is_empty() && bytes.is_empty()) {
                        form.files.push(crate::services::files::Upload {
                            field: name,
                            file_name,
                            bytes: bytes.to_vec(),
                        });
                    }
                }
                None => {
                    let value = field.text().await.map_err(unreadable)?;
                    form.fields.entry(name).or_default().push(value);
                }
            }
        }

        check_token(expected.as_deref(), form.text("csrf_token"))
            .map_err(IntoResponse::into_response)?;
        Ok(form)
    }
}

/// A query string of a search form or list, read with `serde_html_form` so that an empty
/// value (the "全部" option of a select sends `brand_id=`) becomes `None` instead of an error.
pub struct FilterQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for FilterQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_html_form::from_str(query)
            .map(FilterQuery)
            .map_err(|_| {
                AppError::field(
                    "query",
                    "查询条件无法识别，请检查页码、编号等条件是否为数字后重新查询。",
                )
            })
    }
}
