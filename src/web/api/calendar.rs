//! The working-day calendar: every day of a year with its kind, the working-day tools, and
//! the administrators' replacement of a year's holiday arrangement.
//!
//! Reading is public so that enterprises and other systems can check deadlines without an
//! account. Changing an arrangement needs the administrator role.

use axum::{
    Json, Router,
    extract::{Path, Query, State, rejection::JsonRejection},
    routing::get,
};
use chrono::NaiveDate;
use etown_rules::{calendar::Calendar, workflow::Role};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    audit::Actor,
    services::calendar::{self as calendar_service, CalendarSource, EntryInput},
    web::{
        auth::AuthUser,
        error::{AppError, AppResult, ErrorBody, FieldError},
        state::AppState,
    },
};

const TAG: &str = "工作日历";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/calendar/working-days/add", get(add_working_days))
        .route("/calendar/working-days/between", get(working_days_between))
        .route("/calendar/working-days/next", get(next_working_day))
        .route(
            "/calendar/{year}",
            get(year_calendar).put(replace_arrangement),
        )
}

/// One day of the calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayBody {
    pub date: NaiveDate,
    /// `workday`, `weekend`, `holiday` or `makeup_workday`.
    #[schema(example = "holiday")]
    pub kind: String,
    /// Chinese name of the kind: 工作日, 周末, 法定节假日 or 调休上班.
    #[schema(example = "法定节假日")]
    pub kind_label: String,
    /// Holiday of a rest day, or the holiday that a make-up working day makes up for.
    #[schema(example = "国庆节")]
    pub holiday_name: Option<String>,
    pub is_working_day: bool,
}

/// Every day of a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct YearBody {
    pub year: i32,
    /// Whether the holiday arrangement of the year was entered. When false, every Monday to
    /// Friday is a working day and `notice` warns about it.
    pub has_arrangement: bool,
    /// Chinese warning shown when the year has no arrangement, otherwise null.
    pub notice: Option<String>,
    /// `official`, `manual` or `upload` for an entered year, otherwise null.
    pub source: Option<String>,
    /// Chinese name of the source: 官方内置, 手工录入 or 文件导入.
    pub source_label: Option<String>,
    pub working_day_count: usize,
    /// Every day of the year, 365 or 366 of them, in order.
    pub days: Vec<DayBody>,
}

fn parse_year_path(text: &str) -> AppResult<i32> {
    calendar_service::parse_year(text).map_err(|error| AppError::Invalid(vec![error]))
}

async fn year_body(state: &AppState, year: i32) -> AppResult<YearBody> {
    let calendar = state.calendar();
    let source = calendar_service::year_source(&state.db, year).await?;
    let has_arrangement = calendar.has_arrangement(year);
    let days: Vec<DayBody> = calendar
        .year_days(year)
        .into_iter()
        .map(|day| DayBody {
            date: day.date,
            kind: day.kind.as_str().to_owned(),
            kind_label: day.kind.label().to_owned(),
            holiday_name: day.holiday_name,
            is_working_day: day.kind.is_working_day(),
        })
        .collect();
    let working_day_count = days.iter().filter(|day| day.is_working_day).count();
    let notice = if has_arrangement {
        None
    } else {
        calendar_service::fallback_notice(&[year])
    };
    Ok(YearBody {
        year,
        has_arrangement,
        notice,
        source: source.map(|source| source.as_str().to_owned()),
        source_label: source.map(|source| source.label().to_owned()),
        working_day_count,
        days,
    })
}

/// Returns every day of a year with its kind. A year without an entered holiday
/// arrangement counts Monday to Friday as working days. No login is needed.
#[utoipa::path(
    get,
    path = "/api/v1/calendar/{year}",
    tag = TAG,
    params(("year" = String, Path, description = "年份，1900 至 2200 之间的整数", example = "2026")),
    responses(
        (status = 200, body = YearBody),
        (status = 422, description = "年份无效", body = ErrorBody)
    )
)]
pub async fn year_calendar(
    State(state): State<AppState>,
    Path(year): Path<String>,
) -> AppResult<Json<YearBody>> {
    let year = parse_year_path(&year)?;
    Ok(Json(year_body(&state, year).await?))
}

/// Body of a replacement of a year's arrangement.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ArrangementBody {
    /// Every rest day and make-up working day of the year. Rest days of 元旦 may start in
    /// December of the year before.
    #[serde(default)]
    pub entries: Vec<EntryInput>,
}

/// Replaces the holiday arrangement of a year, with the same checks as the file upload of the
/// back office. Needs the administrator role. Returns the year as `GET` does.
#[utoipa::path(
    put,
    path = "/api/v1/calendar/{year}",
    tag = TAG,
    params(("year" = String, Path, description = "年份，1900 至 2200 之间的整数", example = "2027")),
    request_body = ArrangementBody,
    responses(
        (status = 200, body = YearBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, description = "年份或安排有误，fields 逐条列出", body = ErrorBody)
    )
)]
pub async fn replace_arrangement(
    State(state): State<AppState>,
    user: AuthUser,
    Path(year): Path<String>,
    body: Result<Json<ArrangementBody>, JsonRejection>,
) -> AppResult<Json<YearBody>> {
    user.require_any(&[Role::Admin])?;
    let year = parse_year_path(&year)?;
    let Json(body) = body.map_err(|rejection| {
        AppError::field(
            "body",
            format!(
                "请求体无法识别（{}），应为 JSON：{{\"entries\": [{{\"date\": \"2027-01-01\", \"kind\": \"holiday\", \"name\": \"元旦\"}}]}}",
                rejection.body_text()
            ),
        )
    })?;

    let entries =
        calendar_service::parse_entries_for_year(&body.entries, year).map_err(AppError::Invalid)?;
    calendar_service::set_arrangement(
        &state.db,
        &Actor::from(&user),
        year,
        entries,
        CalendarSource::Manual,
    )
    .await?;
    calendar_service::reload(&state).await?;
    tracing::info!(
        year,
        user_id = user.id,
        "holiday arrangement replaced through the API"
    );

    Ok(Json(year_body(&state, year).await?))
}

/// Query of "add working days".
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AddQuery {
    /// Start date in YYYY-MM-DD form, which does not count itself.
    #[serde(default)]
    #[param(example = "2023-09-27")]
    pub from: String,
    /// Number of working days to add, 0 to 365.
    #[serde(default)]
    #[param(example = "3")]
    pub days: String,
}

/// Result of "add working days".
#[derive(Debug, Serialize, ToSchema)]
pub struct AddBody {
    pub from: NaiveDate,
    pub days: u32,
    /// The `days`-th working day after `from`: the deadline of something due "within `days`
    /// working days of `from`".
    pub result: NaiveDate,
    /// Years in the range without an entered arrangement, counted Monday to Friday.
    pub fallback_years: Vec<i32>,
    /// Chinese warning when `fallback_years` is not empty, otherwise null.
    pub notice: Option<String>,
}

/// Returns the `days`-th working day after `from`. `from` itself does not count, and
/// `days = 0` returns `from`. No login is needed.
#[utoipa::path(
    get,
    path = "/api/v1/calendar/working-days/add",
    tag = TAG,
    params(AddQuery),
    responses((status = 200, body = AddBody), (status = 422, description = "参数有误", body = ErrorBody))
)]
pub async fn add_working_days(
    State(state): State<AppState>,
    Query(query): Query<AddQuery>,
) -> AppResult<Json<AddBody>> {
    let from = calendar_service::parse_date_param("from", "起始日期 from", &query.from);
    let days = calendar_service::parse_days_param("days", "工作日数 days", &query.days);
    let (from, days) = both(from, days)?;

    let calendar = state.calendar();
    let result = calendar.add_working_days(from, days);
    let (fallback_years, notice) = fallback(&calendar, from, result);
    Ok(Json(AddBody {
        from,
        days,
        result,
        fallback_years,
        notice,
    }))
}

/// Query of "working days between".
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BetweenQuery {
    /// First date in YYYY-MM-DD form, which does not count itself.
    #[serde(default)]
    #[param(example = "2026-09-28")]
    pub start: String,
    /// Last date in YYYY-MM-DD form, which counts when it is a working day.
    #[serde(default)]
    #[param(example = "2026-10-12")]
    pub end: String,
}

/// Result of "working days between".
#[derive(Debug, Serialize, ToSchema)]
pub struct BetweenBody {
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Working days after `start` up to and including `end`, negative when `end` is before
    /// `start`.
    pub working_days: i64,
    pub fallback_years: Vec<i32>,
    pub notice: Option<String>,
}

/// Counts the working days after `start` up to and including `end`. No login is needed.
#[utoipa::path(
    get,
    path = "/api/v1/calendar/working-days/between",
    tag = TAG,
    params(BetweenQuery),
    responses((status = 200, body = BetweenBody), (status = 422, description = "参数有误", body = ErrorBody))
)]
pub async fn working_days_between(
    State(state): State<AppState>,
    Query(query): Query<BetweenQuery>,
) -> AppResult<Json<BetweenBody>> {
    let start = calendar_service::parse_date_param("start", "开始日期 start", &query.start);
    let end = calendar_service::parse_date_param("end", "结束日期 end", &query.end);
    let (start, end) = both(start, end)?;

    let calendar = state.calendar();
    let working_days = calendar.working_days_between(start, end);
    let (fallback_years, notice) = fallback(&calendar, start, end);
    Ok(Json(BetweenBody {
        start,
        end,
        working_days,
        fallback_years,
        notice,
    }))
}

/// Query of "next working day".
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NextQuery {
    /// Date in YYYY-MM-DD form.
    #[serde(default)]
    #[param(example = "2026-09-30")]
    pub date: String,
}

/// Result of "next working day".
#[derive(Debug, Serialize, ToSchema)]
pub struct NextBody {
    pub date: NaiveDate,
    /// First working day strictly after `date`.
    pub next_working_day: NaiveDate,
    pub fallback_years: Vec<i32>,
    pub notice: Option<String>,
}

/// Returns the first working day after `date`. No login is needed.
#[utoipa::path(
    get,
    path = "/api/v1/calendar/working-days/next",
    tag = TAG,
    params(NextQuery),
    responses((status = 200, body = NextBody), (status = 422, description = "参数有误", body = ErrorBody))
)]
pub async fn next_working_day(
    State(state): State<AppState>,
    Query(query): Query<NextQuery>,
) -> AppResult<Json<NextBody>> {
    let date = calendar_service::parse_date_param("date", "日期 date", &query.date)
        .map_err(|error| AppError::Invalid(vec![error]))?;

    let calendar = state.calendar();
    let next_working_day = calendar.next_working_day(date);
    let (fallback_years, notice) = fallback(&calendar, date, next_working_day);
    Ok(Json(NextBody {
        date,
        next_working_day,
        fallback_years,
        notice,
    }))
}

/// Combines two parameter checks, reporting both errors when both fail.
fn both<A, B>(first: Result<A, FieldError>, second: Result<B, FieldError>) -> AppResult<(A, B)> {
    match (first, second) {
        (Ok(first), Ok(second)) => Ok((first, second)),
        (first, second) => Err(AppError::Invalid(
            [first.err(), second.err()].into_iter().flatten().collect(),
        )),
    }
}

fn fallback(calendar: &Calendar, first: NaiveDate, last: NaiveDate) -> (Vec<i32>, Option<String>) {
    let years = calendar_service::fallback_years(calendar, first, last);
    let notice = calendar_service::fallback_notice(&years);
    (years, notice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_lists_missing_years() {
        let calendar = Calendar::official();
        let first = NaiveDate::from_ymd_opt(2026, 12, 30).unwrap();
        let last = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
        let (years, notice) = fallback(&calendar, first, last);
        assert_eq!(years, vec![2027]);
        assert!(notice.unwrap().contains("2027年"));
    }
}
