//! Users: creation, login with throttling, password changes and API tokens.

use chrono::{DateTime, Duration, Utc};
use etown_rules::workflow::Role;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, TransactionTrait,
};
use serde::Serialize;

use crate::{
    audit::{self, Actor},
    entities::{api_token, user, user_role},
    web::{
        auth::{hash_password, random_token, sha256_hex, verify_password},
        error::{AppError, AppResult},
        state::format_beijing,
    },
};

/// Failed logins in a row that lock an account.
pub const MAX_FAILED_LOGINS: i32 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT: Duration = Duration::minutes(15);

/// What the audit log keeps of a user: never the password hash.
#[derive(Serialize)]
pub struct UserRecord<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub enterprise_id: Option<i64>,
    pub is_active: bool,
    pub roles: Vec<&'static str>,
}

pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub roles: Vec<Role>,
    pub enterprise_id: Option<i64>,
    pub must_change_password: bool,
}

/// Checks a login name: 3 to 32 letters, digits, `_`, `-` or `.`.
pub fn check_username(username: &str) -> Result<(), String> {
    let valid_chars = username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    let length = username.chars().count();
    if !(3..=32).contains(&length) || !valid_chars {
        return Err(format!(
            "用户名“{username}”无效，应为 3 到 32 位的字母、数字、下划线、连字符或点"
        ));
    }
    Ok(())
}

/// Creates a user with its roles; the caller's transaction also records the audit entry.
pub async fn create_user<C: ConnectionTrait>(
    db: &C,
    actor: &Actor<'_>,
    new: NewUser,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    check_username(&new.username).map_err(|message| AppError::field("username", message))?;
    if new.roles.is_empty() {
        return Err(AppError::field("roles", "请至少选择一个角色"));
    }
    let exists = user::Entity::find()
        .filter(user::Column::Username.eq(new.username.clone()))
        .count(db)
        .await?
        > 0;
    if exists {
        return Err(AppError::field(
            "username",
            format!("用户名“{}”已被使用，请换一个", new.username),
        ));
    }
    if new.roles.contains(&Role::Enterprise) && new.enterprise_id.is_none() {
        return Err(AppError::field("enterprise_id", "企业用户必须关联一个企业"));
    }

    let password_hash = hash_password(new.password).await?;
    let row = user::ActiveModel {
        username: Set(new.username.clone()),
        display_name: Set(new.display_name.clone()),
        password_hash: Set(password_hash),
        enterprise_id: Set(new.enterprise_id),
        is_active: Set(true),
        must_change_password: Set(new.must_change_password),
        failed_login_count: Set(0),
        locked_until: Set(None),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    for role in &new.roles {
        user_role::ActiveModel {
            user_id: Set(row.id),
            role: Set(role.as_str().to_owned()),
        }
        .insert(db)
        .await?;
    }

    let record = UserRecord {
        username: &row.username,
        display_name: &row.display_name,
        enterprise_id: row.enterprise_id,
        is_active: true,
        roles: new.roles.iter().map(|role| role.as_str()).collect(),
    };
    audit::record(db, actor, "create", "user", row.id, None, Some(&record)).await?;
    Ok(row)
}

/// Why a login did not succeed. The message for an unknown user and a wrong password is the
/// same, so the form does not tell which login names exist.
#[derive(Debug)]
pub enum LoginFailure {
    InvalidCredentials,
    Locked(DateTime<Utc>),
    Disabled,
}

impl LoginFailure {
    pub fn message(&self) -> String {
        match self {
            LoginFailure::InvalidCredentials => "用户名或密码错误。".into(),
            LoginFailure::Locked(until) => format!(
                "该账号连续 {MAX_FAILED_LOGINS} 次密码错误，已锁定至 {}（北京时间），请届时再试或联系系统管理员。",
                format_beijing(*until)
            ),
            LoginFailure::Disabled => "该账号已停用，请联系系统管理员。".into(),
        }
    }
}

// A hash of a random password, checked for unknown users so that both cases take the same time.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$5v3tDdAzbF0R1m9mD0n5c2l0C8bEaHqf2m4bq8Y4xZ8";

/// Checks a login and keeps the failure count; five failures in a row lock the account.
pub async fn login<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    username: &str,
    password: &str,
    ip: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<Result<user::Model, LoginFailure>> {
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await?;
    let Some(row) = found else {
        verify_password(password.to_owned(), DUMMY_HASH.to_owned()).await;
        audit::record_login(db, username, None, false, "unknown_user", ip).await?;
        return Ok(Err(LoginFailure::InvalidCredentials));
    };

    if let Some(until) = row.locked_until
        && until > now
    {
        audit::record_login(db, username, Some(row.id), false, "locked", ip).await?;
        return Ok(Err(LoginFailure::Locked(until)));
    }

    let password_ok = verify_password(password.to_owned(), row.password_hash.clone()).await;
    let mut active: user::ActiveModel = row.clone().into();
    if !password_ok {
        let failures = row.failed_login_count + 1;
        let outcome = if failures >= MAX_FAILED_LOGINS {
            let until = now + LOCKOUT;
            active.failed_login_count = Set(0);
            active.locked_until = Set(Some(until));
            Err(LoginFailure::Locked(until))
        } else {
            active.failed_login_count = Set(failures);
            Err(LoginFailure::InvalidCredentials)
        };
        active.update(db).await?;
        let reason = if matches!(outcome, Err(LoginFailure::Locked(_))) {
            "wrong_password_locked"
        } else {
            "wrong_password"
        };
        audit::record_login(db, username, Some(row.id), false, reason, ip).await?;
        return Ok(outcome);
    }

    if !row.is_active {
        audit::record_login(db, username, Some(row.id), false, "disabled", ip).await?;
        return Ok(Err(LoginFailure::Disabled));
    }

    active.failed_login_count = Set(0);
    active.locked_until = Set(None);
    active.last_login_at = Set(Some(now));
    let updated = active.update(db).await?;
    audit::record_login(db, username, Some(row.id), true, "ok", ip).await?;
    Ok(Ok(updated))
}

/// Creates an API token for `user_id` and returns the secret, which is shown only once.
pub async fn create_token<C: ConnectionTrait>(
    db: &C,
    actor: &Actor<'_>,
    user_id: i64,
    name: &str,
    now: DateTime<Utc>,
) -> AppResult<(api_token::Model, String)> {
    let secret = format!("etk_{}", random_token(24));
    let row = api_token::ActiveModel {
        user_id: Set(user_id),
        name: Set(name.to_owned()),
        token_hash: Set(sha256_hex(&secret)),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        actor,
        "create",
        "api_token",
        row.id,
        None,
        Some(&serde_json::json!({ "name": name, "user_id": user_id })),
    )
    .await?;
    Ok((row, secret))
}

/// Counts users; the first start creates an administrator when there are none.
pub async fn user_count<C: ConnectionTrait>(db: &C) -> AppResult<u64> {
    Ok(user::Entity::find().count(db).await?)
}
