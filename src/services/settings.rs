//! Key-value settings that administrators change at run time, stored in `settings`.

use chrono::Utc;
use etown_rules::certno;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, EntityTrait, TransactionSession, TransactionTrait,
};
use serde::Serialize;

use crate::{
    audit::{self, Actor},
    entities::setting,
    web::{
        error::{AppError, AppResult},
        forms::Errors,
    },
};

/// Pattern of license certificate numbers, with `{year}` and `{seq}` or `{seq:N}`.
pub const CERTIFICATE_NUMBER_PATTERN: &str = "certificate_number_pattern";
/// Title shown in the header of the public portal.
pub const PORTAL_TITLE: &str = "portal_title";

/// Maximum length in characters of the certificate number pattern.
const MAX_PATTERN_CHARS: usize = 100;
/// Maximum length in characters of the portal title.
const MAX_PORTAL_TITLE_CHARS: usize = 60;

/// Returns the value of `key`, or `None` when it was never set.
pub async fn get<C: ConnectionTrait>(db: &C, key: &str) -> AppResult<Option<String>> {
    let row = setting::Entity::find_by_id(key.to_owned()).one(db).await?;
    Ok(row.map(|row| row.value))
}

/// Audit log record of a setting.
#[derive(Serialize)]
struct SettingRecord<'a> {
    value: &'a str,
}

/// Stores `value` under `key` and records the change in the audit log, in the caller's
/// connection or transaction. Storing the current value again changes nothing and records
/// nothing.
pub async fn set<C: ConnectionTrait>(
    db: &C,
    actor: &Actor<'_>,
    key: &str,
    value: &str,
) -> AppResult<()> {
    let before = get(db, key).await?;
    if before.as_deref() == Some(value) {
        return Ok(());
    }

    let row = setting::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(value.to_owned()),
        updated_at: Set(Utc::now()),
    };
    if before.is_some() {
        setting::Entity::update(row).exec(db).await?;
    } else {
        setting::Entity::insert(row)
            .exec_without_returning(db)
            .await?;
    }

    let action = if before.is_some() { "update" } else { "create" };
    let before_record = before.as_deref().map(|value| SettingRecord { value });
    audit::record(
        db,
        actor,
        action,
        "setting",
        key,
        before_record.as_ref(),
        Some(&SettingRecord { value }),
    )
    .await
}

/// The settings of the system settings screen, as entered.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SystemSettingsInput {
    #[serde(default)]
    pub certificate_number_pattern: String,
    #[serde(default)]
    pub portal_title: String,
}

/// Checks the system settings and stores the changed ones in one transaction.
///
/// The certificate number pattern must contain `{year}` and exactly one `{seq}` or `{seq:N}`
/// and be at most 100 characters. The portal title must have 1 to 60 characters. Every
/// invalid field is reported, and nothing is stored unless all are valid.
pub async fn update_system_settings<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor<'_>,
    input: &SystemSettingsInput,
) -> AppResult<()> {
    let mut errors = Errors::default();
    let pattern = errors.required(
        CERTIFICATE_NUMBER_PATTERN,
        "证书编号格式",
        &input.certificate_number_pattern,
        MAX_PATTERN_CHARS,
    );
    if errors.get(CERTIFICATE_NUMBER_PATTERN).is_none()
        && let Err(error) = certno::validate(&pattern)
    {
        errors.add(CERTIFICATE_NUMBER_PATTERN, error.to_string());
    }
    let portal_title = errors.required(
        PORTAL_TITLE,
        "门户标题",
        &input.portal_title,
        MAX_PORTAL_TITLE_CHARS,
    );
    errors.into_result()?;

    let txn = db.begin().await?;
    set(&txn, actor, CERTIFICATE_NUMBER_PATTERN, &pattern).await?;
    set(&txn, actor, PORTAL_TITLE, &portal_title).await?;
    txn.commit().await.map_err(AppError::from)
}

/// Renders the 7th certificate number of `year` with `pattern`, as an example for the
/// settings screen, or `None` when the pattern is invalid.
pub fn certificate_number_example(pattern: &str, year: i32) -> Option<String> {
    certno::render(pattern, year, 7).ok()
}
