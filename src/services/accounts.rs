//! Users: creation and administration by the system administrator, login with throttling,
//! password resets, unlocking and API tokens.

use chrono::{DateTime, Duration, Utc};
use etown_rules::workflow::Role;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr, TransactionTrait,
};
use serde::Serialize;

use crate::{
    audit::{self, Actor},
    entities::{api_token, enterprise, session, user, user_role},
    web::{
        auth::{
            check_password_strength, generate_password, hash_password, random_token, roles_of,
            sha256_hex, verify_password,
        },
        error::{AppError, AppResult},
        forms::Errors,
        state::format_beijing,
    },
};

/// Failed logins in a row that lock an account.
pub const MAX_FAILED_LOGINS: i32 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT: Duration = Duration::minutes(15);

/// Fields of a user recorded in the audit log, never the password hash.
#[derive(Serialize)]
pub struct UserRecord<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub enterprise_id: Option<i64>,
    pub is_active: bool,
    pub roles: Vec<&'static str>,
}

impl<'a> UserRecord<'a> {
    pub fn new(row: &'a user::Model, roles: &[Role]) -> Self {
        UserRecord {
            username: &row.username,
            display_name: &row.display_name,
            enterprise_id: row.enterprise_id,
            is_active: row.is_active,
            roles: roles.iter().map(|role| role.as_str()).collect(),
        }
    }
}

/// Login state of an account, as the audit log records it for a password reset or an
/// unlock. It never contains the password.
#[derive(Serialize)]
pub struct LoginState {
    pub must_change_password: bool,
    pub failed_login_count: i32,
    pub locked_until: Option<DateTime<Utc>>,
}

impl LoginState {
    fn of(row: &user::Model) -> Self {
        LoginState {
            must_change_password: row.must_change_password,
            failed_login_count: row.failed_login_count,
            locked_until: row.locked_until,
        }
    }
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

fn username_taken_message(username: &str) -> String {
    format!("用户名“{username}”已被使用，请换一个")
}

/// Records an error when the login name is malformed or already used.
async fn check_username_free<C: ConnectionTrait>(
    db: &C,
    errors: &mut Errors,
    username: &str,
) -> AppResult<()> {
    if let Err(message) = check_username(username) {
        errors.add("username", message);
        return Ok(());
    }
    let taken = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .count(db)
        .await?
        > 0;
    if taken {
        errors.add("username", username_taken_message(username));
    }
    Ok(())
}

/// Reads the role checkboxes. Each value is a role identifier or its Chinese label.
/// Duplicates are dropped, and the roles are returned in the order of `Role::all()`.
fn parse_roles(errors: &mut Errors, raw: &[String]) -> Vec<Role> {
    let mut roles = Vec::new();
    for value in raw.iter().filter(|value| !value.trim().is_empty()) {
        match Role::parse(value) {
            Ok(role) if !roles.contains(&role) => roles.push(role),
            Ok(_) => {}
            Err(error) => errors.add("roles", error.to_string()),
        }
    }
    roles.sort();
    roles
}

/// Reads the enterprise select, where an empty value means no enterprise. A value that is
/// not an id records an error and reads as no enterprise.
fn parse_enterprise_id(errors: &mut Errors, raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<i64>() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.add(
                "enterprise_id",
                format!("所属企业“{raw}”无效，请从企业列表中选择"),
            );
            None
        }
    }
}

/// Returns whether a role may read the records of every enterprise. Enterprise and
/// contractor accounts read only their own enterprise's records.
fn is_staff_role(role: Role) -> bool {
    !matches!(role, Role::Enterprise | Role::Contractor)
}

/// Checks the roles of an account and its link to an enterprise:
/// - the account has at least one role;
/// - the system administrator and the auditor are different people, so that the person who
///   runs the system cannot read or hide the audit log;
/// - an enterprise account reads only its own enterprise's records, so it has no staff role;
/// - an enterprise account is linked to an existing enterprise, and only enterprise and
///   contractor accounts are linked to one.
async fn check_roles_and_enterprise<C: ConnectionTrait>(
    db: &C,
    errors: &mut Errors,
    roles: &[Role],
    enterprise_id: Option<i64>,
) -> AppResult<()> {
    if roles.is_empty() && errors.get("roles").is_none() {
        errors.add("roles", "请至少选择一个角色");
    }
    if roles.contains(&Role::Admin) && roles.contains(&Role::Auditor) {
        errors.add(
            "roles",
            "系统管理员与审计员须由不同的人担任（管理员不能查看操作日志，审计员不能修改数据），一个账号不能同时拥有这两个角色",
        );
    }
    let staff_labels: Vec<&str> = roles
        .iter()
        .filter(|role| is_staff_role(**role))
        .map(|role| role.label())
        .collect();
    if roles.contains(&Role::Enterprise) && !staff_labels.is_empty() {
        errors.add(
            "roles",
            format!(
                "企业用户只能查看本企业的数据，不能同时拥有工作人员角色（{}）；请取消这些角色，或为该人员另建工作人员账号",
                staff_labels.join("、")
            ),
        );
    }

    if errors.get("enterprise_id").is_some() {
        return Ok(());
    }
    match enterprise_id {
        None if roles.contains(&Role::Enterprise) => {
            errors.add(
                "enterprise_id",
                "企业用户必须关联所属企业，请从企业列表中选择",
            );
        }
        None => {}
        Some(id) => {
            let exists = enterprise::Entity::find_by_id(id).count(db).await? > 0;
            if !exists {
                errors.add(
                    "enterprise_id",
                    format!("所属企业（编号 {id}）不存在，请从企业列表中选择已登记的企业"),
                );
            } else if !roles.contains(&Role::Enterprise) && !roles.contains(&Role::Contractor) {
                errors.add(
                    "enterprise_id",
                    "只有企业用户或承办企业用户可以关联所属企业；请清空所属企业，或勾选“企业用户”角色",
                );
            }
        }
    }
    Ok(())
}

/// Creates a user with its roles after checking the login name, the name, the roles and
/// the enterprise link. Every invalid field is reported together. The audit entry is
/// written in the caller's transaction.
pub async fn create_user<C: ConnectionTrait>(
    db: &C,
    actor: &Actor<'_>,
    new: NewUser,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    let mut errors = Errors::default();
    check_username_free(db, &mut errors, &new.username).await?;
    errors.required("display_name", "姓名", &new.display_name, 64);
    check_roles_and_enterprise(db, &mut errors, &new.roles, new.enterprise_id).await?;
    errors.into_result()?;

    let password_hash = hash_password(new.password.clone()).await?;
    insert_user(db, actor, &new, password_hash, now).await
}

/// Inserts a checked user with `password_hash` (`new.password` is not read), its roles and
/// the audit entry. A login name taken since the check becomes a field error through the
/// unique index.
async fn insert_user<C: ConnectionTrait>(
    db: &C,
    actor: &Actor<'_>,
    new: &NewUser,
    password_hash: String,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    let inserted = user::ActiveModel {
        username: Set(new.username.clone()),
        display_name: Set(new.display_name.trim().to_owned()),
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
    .await;
    let row = match inserted {
        Ok(row) => row,
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::field(
                "username",
                username_taken_message(&new.username),
            ));
        }
        Err(error) => return Err(error.into()),
    };
    insert_roles(db, row.id, &new.roles).await?;

    let record = UserRecord::new(&row, &new.roles);
    audit::record(db, actor, "create", "user", row.id, None, Some(&record)).await?;
    Ok(row)
}

async fn insert_roles<C: ConnectionTrait>(db: &C, user_id: i64, roles: &[Role]) -> AppResult<()> {
    for role in roles {
        user_role::ActiveModel {
            user_id: Set(user_id),
            role: Set(role.as_str().to_owned()),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Raw input of the administrator's new-user form and of `POST /api/v1/users`.
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    /// Role identifiers (or Chinese labels), one per checked box.
    pub roles: Vec<String>,
    /// Id of the enterprise, or empty for none.
    pub enterprise_id: String,
    /// The initial password, or `None` to let the system generate one.
    pub password: Option<String>,
}

/// A user created by an administrator.
pub struct CreatedUser {
    pub user: user::Model,
    pub roles: Vec<Role>,
    /// The generated initial password, to be shown once. `None` when the administrator
    /// typed one.
    pub generated_password: Option<String>,
}

/// Checks an administrator's input, reporting every invalid field together, and creates
/// the user. The user must change the initial password at the first login, because the
/// administrator has seen it.
pub async fn add_user(
    db: &DatabaseConnection,
    actor: &Actor<'_>,
    input: UserInput,
    now: DateTime<Utc>,
) -> AppResult<CreatedUser> {
    let mut errors = Errors::default();
    let username = input.username.trim().to_owned();
    check_username_free(db, &mut errors, &username).await?;
    let display_name = errors.required("display_name", "姓名", &input.display_name, 64);
    let roles = parse_roles(&mut errors, &input.roles);
    let enterprise_id = parse_enterprise_id(&mut errors, &input.enterprise_id);
    check_roles_and_enterprise(db, &mut errors, &roles, enterprise_id).await?;
    let (password, generated) = match input.password {
        None => (generate_password(), true),
        Some(password) if password.is_empty() => {
            errors.add("password", "初始密码不能为空：请填写，或改为由系统生成");
            (password, false)
        }
        Some(password) => {
            if let Err(message) = check_password_strength(&password) {
                errors.add("password", format!("初始密码不符合要求：{message}"));
            }
            (password, false)
        }
    };
    errors.into_result()?;

    // Hashing is slow, so it runs before the transaction and no lock waits for it.
    let password_hash = hash_password(password.clone()).await?;
    let new = NewUser {
        username,
        display_name,
        password: password.clone(),
        roles,
        enterprise_id,
        must_change_password: true,
    };
    let txn = db.begin().await?;
    let row = insert_user(&txn, actor, &new, password_hash, now).await?;
    txn.commit().await?;

    Ok(CreatedUser {
        user: row,
        roles: new.roles,
        generated_password: generated.then_some(password),
    })
}

/// Raw input of the user edit form. The login name never changes.
pub struct UserChanges {
    pub display_name: String,
    /// Role identifiers (or Chinese labels), one per checked box.
    pub roles: Vec<String>,
    /// Id of the enterprise, or empty for none.
    pub enterprise_id: String,
    pub is_active: bool,
}

/// Updates a user's name, roles, enterprise link and active flag, and records the values
/// before and after in the audit log. Disabling a user ends its sessions. See
/// `check_administrators_remain` for the changes that are rejected.
pub async fn update_user(
    db: &DatabaseConnection,
    actor: &Actor<'_>,
    user_id: i64,
    changes: UserChanges,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    let mut errors = Errors::default();
    let display_name = errors.required("display_name", "姓名", &changes.display_name, 64);
    let roles = parse_roles(&mut errors, &changes.roles);
    let enterprise_id = parse_enterprise_id(&mut errors, &changes.enterprise_id);
    check_roles_and_enterprise(db, &mut errors, &roles, enterprise_id).await?;
    if user::Entity::find_by_id(user_id).count(db).await? == 0 {
        return Err(AppError::NotFound);
    }
    errors.into_result()?;

    let txn = db.begin().await?;
    let updated = apply_changes(
        &txn,
        actor,
        user_id,
        "update",
        |row| {
            row.display_name = display_name;
            row.enterprise_id = enterprise_id;
            row.is_active = changes.is_active;
        },
        Some(roles),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Disables or enables a user, with the same checks as `update_user`. Disabling ends the
/// user's sessions, and its API tokens stop working while it stays disabled.
pub async fn set_active(
    db: &DatabaseConnection,
    actor: &Actor<'_>,
    user_id: i64,
    is_active: bool,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    let action = if is_active { "enable" } else { "disable" };
    let txn = db.begin().await?;
    let updated = apply_changes(
        &txn,
        actor,
        user_id,
        action,
        |row| row.is_active = is_active,
        None,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Applies `change` to the user's name, enterprise link or active flag and, when given,
/// replaces its roles. Checks that an active administrator remains and records the audit
/// entry under `action`. A change that changes nothing writes and records nothing.
async fn apply_changes<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor<'_>,
    user_id: i64,
    action: &str,
    change: impl FnOnce(&mut user::Model),
    new_roles: Option<Vec<Role>>,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    // The active administrators are locked first, always in id order, so that two
    // concurrent changes cannot both remove "the other" administrator. SQLite runs one
    // write transaction at a time and ignores the lock clause.
    let active_admins = lock_active_administrators(txn).await?;
    let before = user::Entity::find_by_id(user_id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    // Sorted in declaration order, as `parse_roles` returns them, so that equal sets
    // compare equal.
    let mut roles_before = roles_of(txn, user_id).await?;
    roles_before.sort();

    let mut after = before.clone();
    change(&mut after);
    let roles_after = new_roles.unwrap_or_else(|| roles_before.clone());
    if after == before && roles_after == roles_before {
        return Ok(before);
    }
    check_administrators_remain(
        actor,
        &before,
        &roles_before,
        &after,
        &roles_after,
        &active_admins,
    )?;

    let mut active: user::ActiveModel = before.clone().into();
    active.display_name = Set(after.display_name.clone());
    active.enterprise_id = Set(after.enterprise_id);
    active.is_active = Set(after.is_active);
    active.updated_at = Set(now);
    let updated = active.update(txn).await?;

    if roles_after != roles_before {
        user_role::Entity::delete_many()
            .filter(user_role::Column::UserId.eq(user_id))
            .exec(txn)
            .await?;
        insert_roles(txn, user_id, &roles_after).await?;
    }
    if before.is_active && !updated.is_active {
        end_sessions(txn, user_id).await?;
    }

    audit::record(
        txn,
        actor,
        action,
        "user",
        user_id,
        Some(&UserRecord::new(&before, &roles_before)),
        Some(&UserRecord::new(&updated, &roles_after)),
    )
    .await?;
    Ok(updated)
}

/// Returns the ids of the active administrators, locking their rows.
async fn lock_active_administrators<C: ConnectionTrait>(db: &C) -> AppResult<Vec<i64>> {
    let admin_ids: Vec<i64> = user_role::Entity::find()
        .filter(user_role::Column::Role.eq(Role::Admin.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.user_id)
        .collect();
    let rows = user::Entity::find()
        .filter(user::Column::Id.is_in(admin_ids))
        .filter(user::Column::IsActive.eq(true))
        .order_by_asc(user::Column::Id)
        .lock_exclusive()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| row.id).collect())
}

/// Rejects the changes that would lock the administrators out: an administrator
/// disabling his own account, and removing the admin role from, or disabling, the last
/// active administrator.
fn check_administrators_remain(
    actor: &Actor<'_>,
    before: &user::Model,
    roles_before: &[Role],
    after: &user::Model,
    roles_after: &[Role],
    active_admins: &[i64],
) -> AppResult<()> {
    if actor.user_id == Some(before.id) && before.is_active && !after.is_active {
        return Err(AppError::rejected(
            "不能停用自己正在使用的账号；如确需停用，请由其他系统管理员操作。",
        ));
    }
    let was_active_admin = before.is_active && roles_before.contains(&Role::Admin);
    let stays_active_admin = after.is_active && roles_after.contains(&Role::Admin);
    let others = active_admins.iter().filter(|id| **id != before.id).count();
    if was_active_admin && !stays_active_admin && others == 0 {
        return Err(AppError::rejected(format!(
            "“{}”是系统中唯一启用的系统管理员，不能取消其系统管理员角色，也不能停用该账号；请先为另一个账号授予系统管理员角色。",
            before.username
        )));
    }
    Ok(())
}

async fn end_sessions<C: ConnectionTrait>(db: &C, user_id: i64) -> AppResult<()> {
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives a user a generated temporary password, which must be changed at the next login,
/// ends the user's sessions and clears a lock from wrong passwords. Returns the password
/// to show once. Only its hash is stored.
pub async fn reset_password(
    db: &DatabaseConnection,
    actor: &Actor<'_>,
    user_id: i64,
    now: DateTime<Utc>,
) -> AppResult<String> {
    if user::Entity::find_by_id(user_id).count(db).await? == 0 {
        return Err(AppError::NotFound);
    }
    let password = generate_password();
    let password_hash = hash_password(password.clone()).await?;

    let txn = db.begin().await?;
    let before = user::Entity::find_by_id(user_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut active: user::ActiveModel = before.clone().into();
    active.password_hash = Set(password_hash);
    active.must_change_password = Set(true);
    active.failed_login_count = Set(0);
    active.locked_until = Set(None);
    active.updated_at = Set(now);
    let updated = active.update(&txn).await?;
    end_sessions(&txn, user_id).await?;
    audit::record(
        &txn,
        actor,
        "reset_password",
        "user",
        user_id,
        Some(&LoginState::of(&before)),
        Some(&LoginState::of(&updated)),
    )
    .await?;
    txn.commit().await?;
    Ok(password)
}

/// Clears the lock that repeated wrong passwords set, and the count of failures, so that
/// the user can log in again at once. An account that is not locked is left unchanged.
pub async fn unlock(
    db: &DatabaseConnection,
    actor: &Actor<'_>,
    user_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let before = user::Entity::find_by_id(user_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if before.locked_until.is_none() && before.failed_login_count == 0 {
        return Ok(());
    }
    let mut active: user::ActiveModel = before.clone().into();
    active.failed_login_count = Set(0);
    active.locked_until = Set(None);
    active.updated_at = Set(now);
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        "unlock",
        "user",
        user_id,
        Some(&LoginState::of(&before)),
        Some(&LoginState::of(&updated)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Reason a login failed. The message for an unknown user and a wrong password is the
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
