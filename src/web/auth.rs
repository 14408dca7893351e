//! Sessions, API tokens, passwords and the authenticated-user extractor.
//!
//! Browser sessions live in the `sessions` table, keyed by the SHA-256 of a random cookie
//! value, so any instance can serve any request. Machine clients send
//! `Authorization: Bearer <token>`; only the token's SHA-256 is stored.

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use etown_rules::workflow::Role;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use sha2::{Digest, Sha256};

use crate::{
    entities::{api_token, session, user, user_role},
    web::{
        error::{AppError, AppResult},
        state::AppState,
    },
};

pub const SESSION_COOKIE: &str = "etown_session";
pub const ANONYMOUS_CSRF_COOKIE: &str = "etown_csrf";

/// Maximum lifetime of a session, however active it is.
const SESSION_MAX_AGE: ChronoDuration = ChronoDuration::hours(12);
/// `last_seen_at` is written at most this often, so that reading pages costs no write.
const TOUCH_INTERVAL: ChronoDuration = ChronoDuration::seconds(60);

/// Credential the request authenticated with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    Session { csrf_token: String },
    ApiToken,
}

/// The logged-in user of a request, with the roles and the enterprise that bound its data scope.
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub enterprise_id: Option<i64>,
    pub credential: Credential,
    pub request_id: Option<String>,
}

impl AuthUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|role| self.has(*role))
    }

    /// Rejects the request unless the user has one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> AppResult<()> {
        if self.has_any(roles) {
            return Ok(());
        }
        let names: Vec<&str> = roles.iter().map(|role| role.label()).collect();
        Err(AppError::Forbidden(format!(
            "此操作仅限{}办理，您的账号没有相应权限。",
            names.join("、")
        )))
    }

    /// Returns whether the user sees every enterprise (staff) rather than only its own.
    pub fn is_staff(&self) -> bool {
        self.roles
            .iter()
            .any(|role| !matches!(role, Role::Enterprise | Role::Contractor))
    }

    /// Returns the enterprise whose records alone this user may see, or `None` for staff.
    pub fn enterprise_scope(&self) -> Option<i64> {
        if self.is_staff() {
            None
        } else {
            Some(self.enterprise_id.unwrap_or(-1))
        }
    }

    pub fn csrf_token(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf_token } => csrf_token,
            Credential::ApiToken => "",
        }
    }

    pub fn role_labels(&self) -> String {
        self.roles
            .iter()
            .map(|role| role.label())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// Redirects a page request without a valid session to the login page.
fn login_redirect(parts: &Parts) -> Response {
    let target = parts
        .uri
        .path_and_query()
        .map(|value| value.as_str())
        .unwrap_or("/");
    let next: String = form_urlencode(target);
    Redirect::to(&format!("/login?next={next}")).into_response()
}

fn form_urlencode(value: &str) -> String {
    serde_html_form::to_string([("", value)])
        .map(|encoded| encoded.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// Returns whether the request is for the JSON API. Nested routers see their path without
/// the `/api/v1` prefix, so the original URI decides.
pub fn is_api_path(parts: &Parts) -> bool {
    let uri = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map(|original| &original.0)
        .unwrap_or(&parts.uri);
    uri.path().starts_with("/api/")
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(user) = parts.extensions.get::<AuthUser>() {
            return Ok(user.clone());
        }

        let found = authenticate(&parts.headers, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Some((mut user, must_change_password)) = found else {
            return Err(if is_api_path(parts) {
                AppError::Unauthorized.into_response()
            } else {
                login_redirect(parts)
            });
        };

        // A user with a temporary password must choose a new one before anything else.
        let path = parts.uri.path();
        if must_change_password
            && !is_api_path(parts)
            && path != "/account/password"
            && path != "/logout"
        {
            return Err(Redirect::to("/account/password").into_response());
        }

        user.request_id = parts
            .headers
            .get("x-request-id")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

/// An optional login: public pages show a different header to logged-in staff.
pub struct MaybeUser(pub Option<AuthUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let found = authenticate(&parts.headers, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(MaybeUser(found.map(|(user, _)| user)))
    }
}

/// Finds the user behind a bearer token or a session cookie. Returns the user and whether it
/// must change its password.
async fn authenticate(
    headers: &HeaderMap,
    state: &AppState,
) -> AppResult<Option<(AuthUser, bool)>> {
    let now = state.clock.now();

    if let Some(token) = bearer_token(headers) {
        let Some(row) = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(sha256_hex(token)))
            .filter(api_token::Column::RevokedAt.is_null())
            .one(&state.db)
            .await?
        else {
            return Ok(None);
        };
        if row
            .last_used_at
            .is_none_or(|used| now - used > ChronoDuration::minutes(5))
        {
            let mut active: api_token::ActiveModel = row.clone().into();
            active.last_used_at = Set(Some(now));
            active.update(&state.db).await?;
        }
        return load_user(&state.db, row.user_id, Credential::ApiToken).await;
    }

    let jar = CookieJar::from_headers(headers);
    let Some(cookie) = jar.get(SESSION_COOKIE) else {
        return Ok(None);
    };
    let session_id = sha256_hex(cookie.value());
    let Some(row) = session::Entity::find_by_id(session_id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };

    let idle_limit =
        ChronoDuration::from_std(state.config.session_idle).unwrap_or(ChronoDuration::minutes(30));
    if now >= row.expires_at || now - row.last_seen_at >= idle_limit {
        session::Entity::delete_by_id(row.id.clone())
            .exec(&state.db)
            .await?;
        return Ok(None);
    }
    if now - row.last_seen_at >= TOUCH_INTERVAL {
        let mut active: session::ActiveModel = row.clone().into();
        active.last_seen_at = Set(now);
        active.update(&state.db).await?;
    }

    load_user(
        &state.db,
        row.user_id,
        Credential::Session {
            csrf_token: row.csrf_token,
        },
    )
    .await
}

async fn load_user<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    credential: Credential,
) -> AppResult<Option<(AuthUser, bool)>> {
    let Some(row) = user::Entity::find_by_id(user_id).one(db).await? else {
        return Ok(None);
    };
    if !row.is_active {
        return Ok(None);
    }
    let roles = roles_of(db, user_id).await?;
    let user = AuthUser {
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        roles,
        enterprise_id: row.enterprise_id,
        credential,
        request_id: None,
    };
    Ok(Some((user, row.must_change_password)))
}

pub async fn roles_of<C: ConnectionTrait>(db: &C, user_id: i64) -> AppResult<Vec<Role>> {
    let rows = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    let mut roles: Vec<Role> = rows
        .iter()
        .filter_map(|row| row.role.parse().ok())
        .collect();
    roles.sort_by_key(|role| role.as_str());
    Ok(roles)
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    let token = token.trim();
    (!token.is_empty()).then_some(token)
}

pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// Returns `bytes` random bytes from the operating system, hex-encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).expect("the operating system random source is available");
    hex::encode(buffer)
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn constant_time_eq(left: &str, right: &str) -> bool {
    let (left, right) = (left.as_bytes(), right.as_bytes());
    if left.len() != right.len() {
        return false;
    }
    left.iter()
        .zip(right)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

/// Starts a session for `user_id` and returns the cookie to set.
pub async fn start_session<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    now: DateTime<Utc>,
    secure: bool,
) -> AppResult<Cookie<'static>> {
    let token = random_token(32);
    session::ActiveModel {
        id: Set(sha256_hex(&token)),
        user_id: Set(user_id),
        csrf_token: Set(random_token(24)),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + SESSION_MAX_AGE),
    }
    .insert(db)
    .await?;
    Ok(session_cookie(token, secure))
}

pub fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .build()
}

/// Ends the session named by the cookie, if any.
pub async fn end_session<C: ConnectionTrait>(db: &C, jar: &CookieJar) -> AppResult<()> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        session::Entity::delete_by_id(sha256_hex(cookie.value()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Hashes a password with Argon2id (the crate's default parameters) on a blocking thread.
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|error| {
                AppError::Internal(anyhow::anyhow!("password hashing failed: {error}"))
            })
    })
    .await
    .map_err(|error| AppError::Internal(error.into()))?
}

/// Checks a password against a stored hash on a blocking thread.
pub async fn verify_password(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// Checks a new password: at least 8 characters with both letters and digits.
pub fn check_password_strength(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < 8 {
        return Err(format!("密码长度为 {length} 位，应至少 8 位"));
    }
    if length > 128 {
        return Err("密码过长，应不超过 128 位".into());
    }
    let has_letter = password.chars().any(|c| c.is_ascii_alphabetic());
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    if !(has_letter && has_digit) {
        return Err("密码应同时包含字母和数字".into());
    }
    Ok(())
}

/// Makes a readable random password for first start and for password resets.
pub fn generate_password() -> String {
    // No 0/O or 1/l/I, so that the password can be read aloud and typed from paper.
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 14];
    getrandom::fill(&mut bytes).expect("the operating system random source is available");
    let mut password: String = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    // Guarantee a digit and a letter whatever the draw.
    password.replace_range(0..1, "k");
    password.push('7');
    password
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules() {
        assert!(check_password_strength("short1").is_err());
        assert!(check_password_strength("allletters").is_err());
        assert!(check_password_strength("12345678").is_err());
        assert!(check_password_strength("houma2026").is_ok());
        assert!(check_password_strength(&generate_password()).is_ok());
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
