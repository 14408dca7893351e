//! The administrator's view of user accounts: search with filters, one user's detail and
//! the summary of its recent logins. Changes to accounts are in `accounts`.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use etown_rules::workflow::Role;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Query,
};
use serde::Serialize;

use crate::{
    entities::{enterprise, login_log, user, user_role},
    services::paging::{Paged, column_contains, fetch_page, parse_page},
    web::{
        auth::roles_of,
        error::{AppError, AppResult},
        forms::Errors,
    },
};

/// Rows per page of the user list.
pub const USERS_PER_PAGE: u64 = 20;
/// Login attempts shown on a user's detail page.
pub const RECENT_LOGINS: u64 = 10;

/// Raw filters of the user list, as the query string gives them.
#[derive(Debug, Default, Clone, serde::Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Part of the login name or of the name, in any case.
    #[serde(default)]
    pub q: String,
    /// Role identifier, such as `service_center`.
    #[serde(default)]
    pub role: String,
    /// `active` (正常), `disabled` (已停用) or `locked` (锁定中).
    #[serde(default)]
    pub status: String,
    /// Page number from 1.
    #[serde(default)]
    pub page: String,
}

/// Whether an account can log in now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    Active,
    Disabled,
    /// Locked after repeated wrong passwords until the given moment.
    Locked(DateTime<Utc>),
}

impl UserStatus {
    /// Returns the status of `row` at `now`. A disabled account reads as disabled even
    /// while it is also locked.
    pub fn of(row: &user::Model, now: DateTime<Utc>) -> Self {
        if !row.is_active {
            return UserStatus::Disabled;
        }
        match row.locked_until {
            Some(until) if until > now => UserStatus::Locked(until),
            _ => UserStatus::Active,
        }
    }

    /// Returns the identifier used in filters and JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
            UserStatus::Locked(_) => "locked",
        }
    }
}

/// One row of the user list.
pub struct UserListItem {
    pub user: user::Model,
    pub roles: Vec<Role>,
    /// Name and unified social credit code of the linked enterprise.
    pub enterprise: Option<(String, String)>,
    pub status: UserStatus,
}

/// Searches users by the filters, `USERS_PER_PAGE` to a page, in login-name order.
/// Invalid filters are reported together as field errors.
pub async fn search<C: ConnectionTrait>(
    db: &C,
    filter: &UserFilter,
    now: DateTime<Utc>,
) -> AppResult<Paged<UserListItem>> {
    let mut errors = Errors::default();
    let page = parse_page(&mut errors, &filter.page);
    let role = match filter.role.trim() {
        "" => None,
        text => match Role::parse(text) {
            Ok(role) => Some(role),
            Err(error) => {
                errors.add("role", error.to_string());
                None
            }
        },
    };
    let status = filter.status.trim();
    if !matches!(status, "" | "active" | "disabled" | "locked") {
        errors.add(
            "status",
            format!(
                "状态“{status}”无效，应为 active（正常）、disabled（已停用）或 locked（锁定中）"
            ),
        );
    }
    errors.into_result()?;

    let mut query = user::Entity::find();
    let text = filter.q.trim();
    if !text.is_empty() {
        query = query.filter(
            Condition::any()
                .add(column_contains(user::Column::Username, text))
                .add(column_contains(user::Column::DisplayName, text)),
        );
    }
    if let Some(role) = role {
        query = query.filter(
            user::Column::Id.in_subquery(
                Query::select()
                    .column(user_role::Column::UserId)
                    .from(user_role::Entity)
                    .and_where(user_role::Column::Role.eq(role.as_str()))
                    .to_owned(),
            ),
        );
    }
    query = match status {
        "active" => query.filter(user::Column::IsActive.eq(true)).filter(
            Condition::any()
                .add(user::Column::LockedUntil.is_null())
                .add(user::Column::LockedUntil.lte(now)),
        ),
        "disabled" => query.filter(user::Column::IsActive.eq(false)),
        "locked" => query
            .filter(user::Column::IsActive.eq(true))
            .filter(user::Column::LockedUntil.gt(now)),
        _ => query,
    };
    let rows = fetch_page(
        db,
        query.order_by_asc(user::Column::Username),
        page,
        USERS_PER_PAGE,
    )
    .await?;

    let ids: Vec<i64> = rows.items.iter().map(|row| row.id).collect();
    let mut roles: HashMap<i64, Vec<Role>> = HashMap::new();
    for row in user_role::Entity::find()
        .filter(user_role::Column::UserId.is_in(ids))
        .all(db)
        .await?
    {
        if let Ok(role) = row.role.parse() {
            roles.entry(row.user_id).or_default().push(role);
        }
    }
    let enterprises = enterprise_names(
        db,
        rows.items
            .iter()
            .filter_map(|row| row.enterprise_id)
            .collect(),
    )
    .await?;

    Ok(rows.map(|row| {
        let mut user_roles = roles.remove(&row.id).unwrap_or_default();
        user_roles.sort();
        UserListItem {
            roles: user_roles,
            enterprise: row
                .enterprise_id
                .and_then(|id| enterprises.get(&id).cloned()),
            status: UserStatus::of(&row, now),
            user: row,
        }
    }))
}

/// Returns the name and unified social credit code of each enterprise in `ids`.
async fn enterprise_names<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i64>,
) -> AppResult<HashMap<i64, (String, String)>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = enterprise::Entity::find()
        .filter(enterprise::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.id, (row.name, row.uscc)))
        .collect())
}

/// An enterprise that a user account can be linked to.
pub struct EnterpriseChoice {
    pub id: i64,
    pub name: String,
    pub uscc: String,
}

/// Returns every enterprise by name, for the select of the user form.
// NOTE: the select lists every enterprise. With thousands of enterprises it needs a
// search box instead.
pub async fn enterprise_choices<C: ConnectionTrait>(db: &C) -> AppResult<Vec<EnterpriseChoice>> {
    let rows = enterprise::Entity::find()
        .select_only()
        .column(enterprise::Column::Id)
        .column(enterprise::Column::Name)
        .column(enterprise::Column::Uscc)
        .order_by_asc(enterprise::Column::Name)
        .into_tuple::<(i64, String, String)>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, uscc)| EnterpriseChoice { id, name, uscc })
        .collect())
}

/// Login attempts of one user: counts over the last 30 days and the latest attempts.
pub struct LoginSummary {
    pub successes_30_days: u64,
    pub failures_30_days: u64,
    pub recent: Vec<login_log::Model>,
}

/// One user with everything its detail page shows.
pub struct UserDetail {
    pub user: user::Model,
    pub roles: Vec<Role>,
    pub enterprise: Option<(String, String)>,
    pub status: UserStatus,
    pub logins: LoginSummary,
}

/// Loads one user with its roles, enterprise and login summary.
pub async fn detail<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    now: DateTime<Utc>,
) -> AppResult<UserDetail> {
    let row = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut roles = roles_of(db, user_id).await?;
    roles.sort();
    let enterprise = match row.enterprise_id {
        Some(id) => enterprise_names(db, vec![id]).await?.remove(&id),
        None => None,
    };

    let since = now - Duration::days(30);
    let attempts = || {
        login_log::Entity::find()
            .filter(login_log::Column::UserId.eq(user_id))
            .filter(login_log::Column::OccurredAt.gte(since))
    };
    let successes_30_days = attempts()
        .filter(login_log::Column::Success.eq(true))
        .count(db)
        .await?;
    let failures_30_days = attempts()
        .filter(login_log::Column::Success.eq(false))
        .count(db)
        .await?;
    let recent = login_log::Entity::find()
        .filter(login_log::Column::UserId.eq(user_id))
        .order_by_desc(login_log::Column::OccurredAt)
        .order_by_desc(login_log::Column::Id)
        .limit(RECENT_LOGINS)
        .all(db)
        .await?;

    Ok(UserDetail {
        status: UserStatus::of(&row, now),
        user: row,
        roles,
        enterprise,
        logins: LoginSummary {
            successes_30_days,
            failures_30_days,
            recent,
        },
    })
}
