//! The audit log (every change: who, when, which record, before and after) and the login log.
//! Only the auditor role reads them.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use serde::Serialize;

use crate::{
    entities::{audit_log, login_log},
    web::{auth::AuthUser, error::AppResult},
};

/// Author of a change: a logged-in user, or the system itself (start-up, command line).
pub struct Actor<'a> {
    pub user_id: Option<i64>,
    pub username: &'a str,
    pub request_id: Option<&'a str>,
}

impl<'a> From<&'a AuthUser> for Actor<'a> {
    fn from(user: &'a AuthUser) -> Self {
        Actor {
            user_id: Some(user.id),
            username: &user.username,
            request_id: user.request_id.as_deref(),
        }
    }
}

impl Actor<'static> {
    pub fn system() -> Self {
        Actor {
            user_id: None,
            username: "system",
            request_id: None,
        }
    }

    pub fn public() -> Self {
        Actor {
            user_id: None,
            username: "public",
            request_id: None,
        }
    }
}

/// Appends one change to the audit log, in the caller's transaction. `before` is `None`
/// for a new record and `after` is `None` for a deleted one.
pub async fn record<C: ConnectionTrait, T: Serialize>(
    db: &C,
    actor: &Actor<'_>,
    action: &str,
    entity: &str,
    entity_id: impl ToString,
    before: Option<&T>,
    after: Option<&T>,
) -> AppResult<()> {
    audit_log::ActiveModel {
        occurred_at: Set(chrono::Utc::now()),
        user_id: Set(actor.user_id),
        username: Set(actor.username.to_owned()),
        action: Set(action.to_owned()),
        entity: Set(entity.to_owned()),
        entity_id: Set(Some(entity_id.to_string())),
        before_json: Set(before.map(to_json)),
        after_json: Set(after.map(to_json)),
        request_id: Set(actor.request_id.map(str::to_owned)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|error| format!("{{\"serialization_error\":\"{error}\"}}"))
}

/// Appends one login attempt to the login log.
pub async fn record_login<C: ConnectionTrait>(
    db: &C,
    username: &str,
    user_id: Option<i64>,
    success: bool,
    reason: &str,
    ip: Option<String>,
) -> AppResult<()> {
    login_log::ActiveModel {
        occurred_at: Set(chrono::Utc::now()),
        username: Set(crate::web::forms::truncate(username, 64)),
        user_id: Set(user_id),
        success: Set(success),
        reason: Set(reason.to_owned()),
        ip: Set(ip),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
