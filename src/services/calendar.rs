//! Loading and changing the working-day calendar stored in the database, and the checks of
//! the parameters that the working-day tools take.
//!
//! Each entered year is a `calendar_years` row with its rest days and make-up working days in
//! `calendar_days`. A date belongs to at most one year's rows because `calendar_days` is keyed
//! by date.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate, Utc};
use etown_rules::calendar::{
    ArrangementEntry, ArrangementError, ArrangementKind, Calendar, parse_arrangement,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use crate::{
    audit::{self, Actor},
    entities::{calendar_day, calendar_year},
    web::{
        error::{AppError, AppResult, FieldError},
        state::AppState,
    },
};

/// Smallest year the calendar pages and API accept.
pub const MIN_YEAR: i32 = 1900;
/// Largest year the calendar pages and API accept.
pub const MAX_YEAR: i32 = 2200;
/// Largest number of working days the "add working days" tool accepts.
pub const MAX_TOOL_DAYS: u32 = 365;
/// Largest arrangement file accepted for upload. A year's arrangement has about 40 lines,
/// roughly 1 KB.
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024;

/// Name of the New Year's Day holiday. Its rest days in December belong to the arrangement of
/// the year that starts with it.
const NEW_YEAR_HOLIDAY: &str = "元旦";
/// Header of the arrangement text that the edit form shows.
const CSV_HEADER: &str = "日期,类型,名称";

/// Origin of a year's arrangement, stored in `calendar_years.source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarSource {
    /// Shipped with the program and seeded on first start.
    Official,
    /// Typed into the edit form or sent through the API.
    Manual,
    /// Read from an uploaded CSV file.
    Upload,
}

impl CalendarSource {
    pub fn as_str(&self) -> &'static str {
        match self {
            CalendarSource::Official => "official",
            CalendarSource::Manual => "manual",
            CalendarSource::Upload => "upload",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            CalendarSource::Official => "官方内置",
            CalendarSource::Manual => "手工录入",
            CalendarSource::Upload => "文件导入",
        }
    }

    /// Reads a stored source. An unknown value counts as manual entry.
    pub fn from_stored(text: &str) -> CalendarSource {
        match text {
            "official" => CalendarSource::Official,
            "upload" => CalendarSource::Upload,
            _ => CalendarSource::Manual,
        }
    }
}

/// Builds the calendar from every entered year and its rest and make-up working days.
pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Calendar, DbErr> {
    let years = calendar_year::Entity::find().all(db).await?;
    let days = calendar_day::Entity::find()
        .order_by_asc(calendar_day::Column::Date)
        .all(db)
        .await?;

    let mut by_year: BTreeMap<i32, Vec<ArrangementEntry>> =
        years.iter().map(|row| (row.year, Vec::new())).collect();
    for day in days {
        let year = day.year;
        by_year.entry(year).or_default().push(entry_from_row(day));
    }
    Ok(Calendar::new(by_year))
}

/// Reloads the cached calendar from the database, after an arrangement changed.
pub async fn reload(state: &AppState) -> AppResult<()> {
    state.set_calendar(load(&state.db).await?);
    Ok(())
}

fn entry_from_row(day: calendar_day::Model) -> ArrangementEntry {
    let kind = match day.kind.as_str() {
        "makeup_workday" => ArrangementKind::MakeupWorkday,
        _ => ArrangementKind::Holiday,
    };
    ArrangementEntry {
        date: day.date,
        kind,
        name: day.name,
    }
}

/// An entered year with its arrangement sorted by date.
pub struct YearArrangement {
    pub year: i32,
    pub source: CalendarSource,
    pub updated_by: Option<i64>,
    pub updated_at: chrono::DateTime<Utc>,
    pub entries: Vec<ArrangementEntry>,
}

impl YearArrangement {
    pub fn holiday_count(&self) -> usize {
        self.count(ArrangementKind::Holiday)
    }

    pub fn makeup_workday_count(&self) -> usize {
        self.count(ArrangementKind::MakeupWorkday)
    }

    fn count(&self, kind: ArrangementKind) -> usize {
        self.entries
            .iter()
            .filter(|entry| entry.kind == kind)
            .count()
    }
}

/// Returns the arrangement of `year`, or `None` when the year was never entered.
pub async fn find_year<C: ConnectionTrait>(
    db: &C,
    year: i32,
) -> AppResult<Option<YearArrangement>> {
    let Some(row) = calendar_year::Entity::find_by_id(year).one(db).await? else {
        return Ok(None);
    };
    let days = calendar_day::Entity::find()
        .filter(calendar_day::Column::Year.eq(year))
        .order_by_asc(calendar_day::Column::Date)
        .all(db)
        .await?;
    Ok(Some(YearArrangement {
        year: row.year,
        source: CalendarSource::from_stored(&row.source),
        updated_by: row.updated_by,
        updated_at: row.updated_at,
        entries: days.into_iter().map(entry_from_row).collect(),
    }))
}

/// Returns the source of `year`'s arrangement, or `None` when the year was never entered.
pub async fn year_source<C: ConnectionTrait>(
    db: &C,
    year: i32,
) -> AppResult<Option<CalendarSource>> {
    let row = calendar_year::Entity::find_by_id(year).one(db).await?;
    Ok(row.map(|row| CalendarSource::from_stored(&row.source)))
}

/// Returns every entered year with its arrangement, in ascending order of year.
pub async fn list_years<C: ConnectionTrait>(db: &C) -> AppResult<Vec<YearArrangement>> {
    let years = calendar_year::Entity::find()
        .order_by_asc(calendar_year::Column::Year)
        .all(db)
        .await?;
    let days = calendar_day::Entity::find()
        .order_by_asc(calendar_day::Column::Date)
        .all(db)
        .await?;

    let mut entries_by_year: BTreeMap<i32, Vec<ArrangementEntry>> = BTreeMap::new();
    for day in days {
        let year = day.year;
        entries_by_year
            .entry(year)
            .or_default()
            .push(entry_from_row(day));
    }
    Ok(years
        .into_iter()
        .map(|row| YearArrangement {
            year: row.year,
            source: CalendarSource::from_stored(&row.source),
            updated_by: row.updated_by,
            updated_at: row.updated_at,
            entries: entries_by_year.remove(&row.year).unwrap_or_default(),
        })
        .collect())
}

/// Counts the working days of `year` in `calendar`.
pub fn working_day_count(calendar: &Calendar, year: i32) -> usize {
    calendar
        .year_days(year)
        .iter()
        .filter(|day| day.kind.is_working_day())
        .count()
}

/// Tells whether `entry` may be part of the arrangement of `year`: it falls in that year, or
/// it is a New Year's Day rest day in December of the year before.
pub fn belongs_to_year(entry: &ArrangementEntry, year: i32) -> bool {
    let date = entry.date;
    date.year() == year
        || (date.year() == year - 1
            && date.month() == 12
            && entry.kind == ArrangementKind::Holiday
            && entry.name == NEW_YEAR_HOLIDAY)
}

fn outside_year_message(year: i32) -> String {
    format!(
        "不属于{year}年的安排，应为{year}年内的日期（只有元旦放假日可以在{}年12月）",
        year - 1
    )
}

/// Replaces the arrangement of `year` with `entries` in one transaction and records the
/// change in the audit log with the old and the new list.
///
/// Every entry must belong to `year` (see [`belongs_to_year`]), no date may appear twice,
/// and no date may already be part of another year's arrangement. The list must not be
/// empty. Entries are expected to come from `parse_arrangement`, which checks the rest.
/// The caller refreshes the cached calendar afterwards with [`reload`].
pub async fn set_arrangement<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor<'_>,
    year: i32,
    mut entries: Vec<ArrangementEntry>,
    source: CalendarSource,
) -> AppResult<()> {
    check_year_range(year).map_err(|error| AppError::Invalid(vec![error]))?;
    if entries.is_empty() {
        return Err(AppError::field(
            "entries",
            format!("{year}年的安排不能为空，应至少包含一个放假日或调休上班日"),
        ));
    }
    entries.sort_by_key(|entry| entry.date);

    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for entry in &entries {
        if !belongs_to_year(entry, year) {
            errors.push(FieldError {
                field: "entries".into(),
                message: format!("日期“{}”{}", entry.date, outside_year_message(year)),
            });
        }
        if !seen.insert(entry.date) {
            errors.push(FieldError {
                field: "entries".into(),
                message: format!("日期“{}”重复，每个日期只能出现一次", entry.date),
            });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }

    let txn = db.begin().await?;

    let dates: Vec<NaiveDate> = entries.iter().map(|entry| entry.date).collect();
    let conflicting_days = calendar_day::Entity::find()
        .filter(calendar_day::Column::Date.is_in(dates))
        .filter(calendar_day::Column::Year.ne(year))
        .order_by_asc(calendar_day::Column::Date)
        .all(&txn)
        .await?;
    if !conflicting_days.is_empty() {
        let errors = conflicting_days
            .iter()
            .map(|day| FieldError {
                field: "entries".into(),
                message: format!(
                    "日期“{}”已属于{}年的安排，同一日期只能属于一个年度，请先在{}年的安排中删除该日期",
                    day.date, day.year, day.year
                ),
            })
            .collect();
        return Err(AppError::Invalid(errors));
    }

    let before = find_year(&txn, year).await?;
    let now = Utc::now();

    calendar_day::Entity::delete_many()
        .filter(calendar_day::Column::Year.eq(year))
        .exec(&txn)
        .await?;
    let year_row = calendar_year::ActiveModel {
        year: Set(year),
        source: Set(source.as_str().to_owned()),
        updated_by: Set(actor.user_id),
        updated_at: Set(now),
    };
    if before.is_some() {
        calendar_year::Entity::update(year_row).exec(&txn).await?;
    } else {
        calendar_year::Entity::insert(year_row)
            .exec_without_returning(&txn)
            .await?;
    }
    let day_rows = entries.iter().map(|entry| calendar_day::ActiveModel {
        date: Set(entry.date),
        year: Set(year),
        kind: Set(entry.kind.as_str().to_owned()),
        name: Set(entry.name.clone()),
    });
    calendar_day::Entity::insert_many(day_rows)
        .exec_without_returning(&txn)
        .await?;

    let before_record = before.as_ref().map(|old| ArrangementRecord {
        source: old.source,
        entries: &old.entries,
    });
    let after_record = ArrangementRecord {
        source,
        entries: &entries,
    };
    let action = if before.is_some() { "update" } else { "create" };
    audit::record(
        &txn,
        actor,
        action,
        "calendar_year",
        year,
        before_record.as_ref(),
        Some(&after_record),
    )
    .await?;

    txn.commit().await?;
    Ok(())
}

/// Audit log record of a year's arrangement.
#[derive(Serialize)]
struct ArrangementRecord<'a> {
    source: CalendarSource,
    entries: &'a [ArrangementEntry],
}

/// Writes an arrangement as the CSV text that the edit form and the upload accept, with the
/// header `日期,类型,名称` and the kinds 放假 and 调休上班.
pub fn arrangement_csv(entries: &[ArrangementEntry]) -> String {
    let mut text = String::from(CSV_HEADER);
    text.push('\n');
    for entry in entries {
        text.push_str(&format!(
            "{},{},{}\n",
            entry.date,
            entry.kind.label(),
            csv_cell(&entry.name)
        ));
    }
    text
}

/// Quotes a CSV cell when it contains a comma or a quote.
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Parses arrangement text for `year` (the format of [`arrangement_csv`]) and returns either
/// the entries or every problem, each naming the line, the column, the value and what is
/// expected.
pub fn parse_text_for_year(
    text: &str,
    year: i32,
) -> Result<Vec<ArrangementEntry>, Vec<ArrangementError>> {
    let entries = parse_arrangement(text)?;

    // `parse_arrangement` succeeded, so every non-blank line after the header produced one
    // entry, in order. That gives back the line number of each entry.
    let data_lines = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .skip(1)
        .map(|(index, _)| index + 1);
    let errors: Vec<ArrangementError> = entries
        .iter()
        .zip(data_lines)
        .filter(|(entry, _)| !belongs_to_year(entry, year))
        .map(|(entry, line)| ArrangementError {
            line,
            column: "日期".into(),
            value: entry.date.to_string(),
            message: outside_year_message(year),
        })
        .collect();
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

/// One day of an arrangement as a client sends it. Every field is text, so a bad value gets
/// its own message instead of failing the whole request body.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EntryInput {
    /// Date in YYYY-MM-DD form.
    #[serde(default)]
    pub date: String,
    /// `holiday` (放假, 休) or `makeup_workday` (调休上班, 班).
    #[serde(default)]
    pub kind: String,
    /// Holiday name. A rest day needs one, and a make-up working day may name the holiday it
    /// makes up for.
    #[serde(default)]
    pub name: String,
}

/// Checks a list of entries for `year` with the same rules as the arrangement file.
///
/// Errors name the entry as `entries[i].date`, `entries[i].kind` or `entries[i].name` and
/// count entries from 1 in the message (第1条).
pub fn parse_entries_for_year(
    inputs: &[EntryInput],
    year: i32,
) -> Result<Vec<ArrangementEntry>, Vec<FieldError>> {
    if inputs.is_empty() {
        return Err(vec![FieldError {
            field: "entries".into(),
            message: format!("{year}年的安排不能为空，应至少包含一个放假日或调休上班日"),
        }]);
    }

    let mut errors = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        for (field, value) in [
            ("date", &input.date),
            ("kind", &input.kind),
            ("name", &input.name),
        ] {
            if value.contains(['\n', '\r']) {
                errors.push(FieldError {
                    field: format!("entries[{index}].{field}"),
                    message: format!("第{}条的{field}包含换行符，应为单行文字", index + 1),
                });
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    // The entries become the lines of an arrangement file so that the file parser checks
    // them: the header is line 1 and entry i (from 0) is line i + 2.
    let mut text = String::from("date,kind,name\n");
    for input in inputs {
        text.push_str(&format!(
            "{},{},{}\n",
            quoted(&input.date),
            quoted(&input.kind),
            quoted(&input.name)
        ));
    }
    parse_text_for_year(&text, year).map_err(|errors| {
        errors
            .iter()
            .map(|error| {
                let index = error.line.saturating_sub(2);
                let field = match error.column.as_str() {
                    "日期" => format!("entries[{index}].date"),
                    "类型" => format!("entries[{index}].kind"),
                    "名称" => format!("entries[{index}].name"),
                    _ => format!("entries[{index}]"),
                };
                FieldError {
                    field,
                    message: lines_to_entries(&error.to_string()),
                }
            })
            .collect()
    })
}

fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Rewrites each "第N行" of a message about generated lines as "第M条" with M = N - 1, since
/// the header takes line 1.
fn lines_to_entries(message: &str) -> String {
    let mut output = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find('第') {
        output.push_str(&rest[..start]);
        let after = &rest[start + '第'.len_utf8()..];
        let digits_len = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let number = after[..digits_len].parse::<usize>().ok();
        match number {
            Some(number) if after[digits_len..].starts_with('行') => {
                output.push_str(&format!("第{}条", number.saturating_sub(1)));
                rest = &after[digits_len + '行'.len_utf8()..];
            }
            _ => {
                output.push('第');
                rest = after;
            }
        }
    }
    output.push_str(rest);
    output
}

/// Reads the text of an uploaded arrangement file, which must be non-empty UTF-8 text of at
/// most [`MAX_UPLOAD_BYTES`]. The error message names the file and states what is expected.
pub fn read_upload_text(file_name: &str, bytes: &[u8]) -> Result<String, String> {
    const EXPECTED: &str =
        "应为 UTF-8 编码的 CSV 文本文件（在 Excel 中可“另存为 CSV UTF-8（逗号分隔）”）";
    if bytes.is_empty() {
        return Err(format!("安排文件“{file_name}”是空文件，请重新选择"));
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(format!(
            "安排文件“{file_name}”大小为 {} KB，超过上限 {} KB",
            bytes.len().div_ceil(1024),
            MAX_UPLOAD_BYTES / 1024
        ));
    }
    if let Some(kind) = infer::get(bytes) {
        return Err(format!(
            "安排文件“{file_name}”的实际内容是 {}，{EXPECTED}",
            kind.mime_type()
        ));
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(format!(
            "安排文件“{file_name}”不是 UTF-8 编码的文本（可能是 GBK 编码或二进制文件），{EXPECTED}"
        ));
    };
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(format!(
            "安排文件“{file_name}”含有控制字符，不是纯文本文件，{EXPECTED}"
        ));
    }
    Ok(text.to_owned())
}

fn check_year_range(year: i32) -> Result<(), FieldError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(year_error(&year.to_string()))
    }
}

fn year_error(text: &str) -> FieldError {
    FieldError {
        field: "year".into(),
        message: format!("年份“{text}”无效，应为 {MIN_YEAR} 至 {MAX_YEAR} 之间的整数，例如 2027"),
    }
}

/// Parses a year given as text, which must be an integer from [`MIN_YEAR`] to [`MAX_YEAR`].
pub fn parse_year(text: &str) -> Result<i32, FieldError> {
    let trimmed = text.trim();
    let year: i32 = trimmed.parse().map_err(|_| year_error(trimmed))?;
    check_year_range(year)?;
    Ok(year)
}

/// Parses a required date parameter in YYYY-MM-DD form within the accepted years. `label`
/// names the parameter in the message, such as "起始日期 from".
pub fn parse_date_param(field: &str, label: &str, text: &str) -> Result<NaiveDate, FieldError> {
    let text = text.trim();
    let error = |message: String| FieldError {
        field: field.to_owned(),
        message,
    };
    if text.is_empty() {
        return Err(error(format!(
            "{label}不能为空，应为 YYYY-MM-DD 格式的日期，例如 2026-03-15"
        )));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        error(format!(
            "{label}“{text}”不是有效日期，应为 YYYY-MM-DD 格式，例如 2026-03-15"
        ))
    })?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        return Err(error(format!(
            "{label}“{text}”超出范围，应在 {MIN_YEAR} 年至 {MAX_YEAR} 年之间"
        )));
    }
    Ok(date)
}

/// Parses the number of working days to add, an integer from 0 to [`MAX_TOOL_DAYS`].
pub fn parse_days_param(field: &str, label: &str, text: &str) -> Result<u32, FieldError> {
    let text = text.trim();
    let error = |message: String| FieldError {
        field: field.to_owned(),
        message,
    };
    if text.is_empty() {
        return Err(error(format!(
            "{label}不能为空，应为 0 至 {MAX_TOOL_DAYS} 之间的整数"
        )));
    }
    let Ok(days) = text.parse::<i64>() else {
        return Err(error(format!(
            "{label}“{text}”不是整数，应为 0 至 {MAX_TOOL_DAYS} 之间的整数"
        )));
    };
    match u32::try_from(days) {
        Ok(days) if days <= MAX_TOOL_DAYS => Ok(days),
        _ => Err(error(format!(
            "{label}“{text}”超出范围，应为 0 至 {MAX_TOOL_DAYS} 之间的整数"
        ))),
    }
}

/// Returns the years from `first` to `last` that have no arrangement, for warning that the
/// Monday-to-Friday fallback was used.
pub fn fallback_years(calendar: &Calendar, first: NaiveDate, last: NaiveDate) -> Vec<i32> {
    let (low, high) = if first <= last {
        (first.year(), last.year())
    } else {
        (last.year(), first.year())
    };
    (low..=high)
        .filter(|year| !calendar.has_arrangement(*year))
        .collect()
}

/// Returns the Chinese warning for years computed with the Monday-to-Friday fallback, or
/// `None` when every year has its arrangement.
pub fn fallback_notice(years: &[i32]) -> Option<String> {
    if years.is_empty() {
        return None;
    }
    let names: Vec<String> = years.iter().map(|year| format!("{year}年")).collect();
    Some(format!(
        "尚未录入{}的法定节假日安排，这些年份暂按周一至周五为工作日计算，结果可能不准确",
        names.join("、")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(date: &str, kind: ArrangementKind, name: &str) -> ArrangementEntry {
        ArrangementEntry {
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
            kind,
            name: name.into(),
        }
    }

    #[test]
    fn december_new_year_belongs_to_next_year() {
        let new_year = entry("2022-12-31", ArrangementKind::Holiday, "元旦");
        assert!(belongs_to_year(&new_year, 2023));
        assert!(belongs_to_year(&new_year, 2022));
        assert!(!belongs_to_year(&new_year, 2024));

        let other_holiday = entry("2022-12-30", ArrangementKind::Holiday, "春节");
        assert!(!belongs_to_year(&other_holiday, 2023));
        let makeup = entry("2022-12-31", ArrangementKind::MakeupWorkday, "元旦");
        assert!(!belongs_to_year(&makeup, 2023));
    }

    #[test]
    fn csv_round_trips_through_parser() {
        let entries = vec![
            entry("2022-12-31", ArrangementKind::Holiday, "元旦"),
            entry("2023-01-01", ArrangementKind::Holiday, "元旦"),
            entry("2023-01-28", ArrangementKind::MakeupWorkday, "春节"),
            entry("2023-10-01", ArrangementKind::Holiday, "中秋节,国庆节"),
        ];
        let text = arrangement_csv(&entries);
        assert!(text.starts_with("日期,类型,名称\n"), "{text}");
        assert_eq!(parse_text_for_year(&text, 2023), Ok(entries));
    }

    #[test]
    fn text_for_other_year_names_lines() {
        let text = "日期,类型,名称\n\n2028-01-01,休,元旦\n2028-02-01,休,春节\n";
        let errors = parse_text_for_year(text, 2027).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|error| error.line).collect();
        assert_eq!(lines, vec![3, 4]);
        assert_eq!(
            errors[0].to_string(),
            "第3行“日期”列的值“2028-01-01”不属于2027年的安排，应为2027年内的日期（只有元旦放假日可以在2026年12月）"
        );
    }

    #[test]
    fn entry_errors_count_entries() {
        let inputs = vec![
            EntryInput {
                date: "2027-01-01".into(),
                kind: "holiday".into(),
                name: "元旦".into(),
            },
            EntryInput {
                date: "2027-01-01".into(),
                kind: "holiday".into(),
                name: "元旦".into(),
            },
            EntryInput {
                date: "2027-02-30".into(),
                kind: "rest".into(),
                name: String::new(),
            },
        ];
        let errors = parse_entries_for_year(&inputs, 2027).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["entries[1].date", "entries[2].date", "entries[2].kind"]
        );
        assert_eq!(
            errors[0].message,
            "第2条“日期”列的值“2027-01-01”与第1条重复，每个日期只能出现一次"
        );
        assert!(
            errors[1]
                .message
                .starts_with("第3条“日期”列的值“2027-02-30”不是有效日期")
        );
    }

    #[test]
    fn line_numbers_become_entry_numbers() {
        assert_eq!(lines_to_entries("第12行与第2行重复"), "第11条与第1条重复");
        assert_eq!(lines_to_entries("第三行第x"), "第三行第x");
    }

    #[test]
    fn upload_text_checks() {
        assert!(
            read_upload_text("a.csv", b"")
                .unwrap_err()
                .contains("空文件")
        );
        assert!(
            read_upload_text("a.csv", b"\xb0\xb2\xc5\xc5")
                .unwrap_err()
                .contains("不是 UTF-8")
        );
        assert!(
            read_upload_text("a.xlsx", b"PK\x03\x04\x14\0\x06\0")
                .unwrap_err()
                .contains("实际内容是")
        );
        let big = vec![b'a'; MAX_UPLOAD_BYTES + 1];
        assert!(
            read_upload_text("a.csv", &big)
                .unwrap_err()
                .contains("超过上限")
        );
        assert_eq!(
            read_upload_text("a.csv", "日期,类型,名称\n".as_bytes()).unwrap(),
            "日期,类型,名称\n"
        );
    }

    #[test]
    fn tool_parameters() {
        assert_eq!(parse_year("2027").unwrap(), 2027);
        assert!(parse_year("abc").unwrap_err().message.contains("“abc”"));
        assert!(
            parse_year("1899")
                .unwrap_err()
                .message
                .contains("1900 至 2200")
        );
        assert_eq!(parse_days_param("days", "工作日数", "365").unwrap(), 365);
        assert!(
            parse_days_param("days", "工作日数", "366")
                .unwrap_err()
                .message
                .contains("超出范围")
        );
        assert!(
            parse_days_param("days", "工作日数", "-1")
                .unwrap_err()
                .message
                .contains("超出范围")
        );
        assert!(
            parse_date_param("from", "起始日期", "2026-13-01")
                .unwrap_err()
                .message
                .contains("不是有效日期")
        );
    }
}
