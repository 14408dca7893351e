//! Administration of the working-day calendar: the entered years, a month view of each year,
//! entering or replacing a year's holiday arrangement (typed or uploaded), and tools for
//! checking deadlines. Administrators only.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use chrono::{Datelike, NaiveDate, Weekday};
use etown_rules::{
    calendar::{ArrangementEntry, Calendar, CalendarDay, DayKind},
    workflow::Role,
};
use serde::Deserialize;

use crate::{
    audit::Actor,
    services::calendar::{self as calendar_service, CalendarSource, YearArrangement},
    web::{
        auth::AuthUser,
        error::{AppError, AppResult, FieldError},
        forms::{CsrfForm, Errors, MultipartForm},
        layout::Layout,
        state::{AppState, format_beijing},
    },
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/calendar", get(list_page))
        .route("/admin/calendar/new", get(new_year))
        .route("/admin/calendar/{year}", get(year_page))
        .route(
            "/admin/calendar/{year}/edit",
            get(edit_page).post(submit_text),
        )
        .route(
            "/admin/calendar/{year}/upload",
            axum::routing::post(submit_upload),
        )
}

// ---------------------------------------------------------------------------------------
// List of years and the working-day tools

struct YearRow {
    year: i32,
    source_label: &'static str,
    holiday_count: usize,
    makeup_workday_count: usize,
    working_day_count: usize,
    updated_at: String,
}

/// Input and results of the three working-day tools on the list page.
#[derive(Default)]
struct ToolBox {
    from: String,
    days: String,
    add_result: Option<String>,
    start: String,
    end: String,
    between_result: Option<String>,
    date: String,
    next_result: Option<String>,
    /// Warning when a result used the Monday-to-Friday fallback.
    fallback_notice: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "calendar/list.html")]
struct ListPage {
    layout: Layout,
    years: Vec<YearRow>,
    /// The current and the next year when they have no arrangement.
    missing_years: Vec<i32>,
    new_year: String,
    tools: ToolBox,
    errors: Errors,
}

#[derive(Deserialize, Default)]
struct ToolQuery {
    #[serde(default)]
    tool: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    date: String,
}

async fn list_page(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<ToolQuery>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    let mut errors = Errors::default();
    let tools = run_tool(&state.calendar(), query, &mut errors);
    render_list(&state, &user, tools, String::new(), errors).await
}

/// Computes the result of the tool named in the query, recording parameter errors.
fn run_tool(calendar: &Calendar, query: ToolQuery, errors: &mut Errors) -> ToolBox {
    let mut tools = ToolBox {
        from: query.from,
        days: query.days,
        start: query.start,
        end: query.end,
        date: query.date,
        ..ToolBox::default()
    };
    match query.tool.as_str() {
        "add" => {
            let from = record(
                calendar_service::parse_date_param("from", "起始日期", &tools.from),
                errors,
            );
            let days = record(
                calendar_service::parse_days_param("days", "工作日数", &tools.days),
                errors,
            );
            if let (Some(from), Some(days)) = (from, days) {
                let result = calendar.add_working_days(from, days);
                tools.add_result = Some(format!(
                    "{from} 之后第 {days} 个工作日是 {}",
                    describe_day(&calendar.day(result))
                ));
                tools.fallback_notice = fallback_notice(calendar, from, result);
            }
        }
        "between" => {
            let start = record(
                calendar_service::parse_date_param("start", "开始日期", &tools.start),
                errors,
            );
            let end = record(
                calendar_service::parse_date_param("end", "结束日期", &tools.end),
                errors,
            );
            if let (Some(start), Some(end)) = (start, end) {
                let count = calendar.working_days_between(start, end);
                tools.between_result = Some(if end >= start {
                    format!("{start} 之后至 {end}（含）共有 {count} 个工作日")
                } else {
                    format!(
                        "结束日期早于开始日期：{end} 之后至 {start}（含）共有 {} 个工作日，结果记为 {count}",
                        -count
                    )
                });
                tools.fallback_notice = fallback_notice(calendar, start, end);
            }
        }
        "next" => {
            let date = record(
                calendar_service::parse_date_param("date", "日期", &tools.date),
                errors,
            );
            if let Some(date) = date {
                let next = calendar.next_working_day(date);
                tools.next_result = Some(format!(
                    "{date} 之后的下一个工作日是 {}",
                    describe_day(&calendar.day(next))
                ));
                tools.fallback_notice = fallback_notice(calendar, date, next);
            }
        }
        _ => {}
    }
    tools
}

/// Returns the parsed value, or records the error beside its field and returns `None`.
fn record<T>(result: Result<T, FieldError>, errors: &mut Errors) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(error) => {
            errors.add(&error.field, error.message);
            None
        }
    }
}

fn fallback_notice(calendar: &Calendar, first: NaiveDate, last: NaiveDate) -> Option<String> {
    calendar_service::fallback_notice(&calendar_service::fallback_years(calendar, first, last))
}

async fn render_list(
    state: &AppState,
    user: &AuthUser,
    tools: ToolBox,
    new_year: String,
    errors: Errors,
) -> AppResult<Response> {
    let calendar = state.calendar();
    let years = calendar_service::list_years(&state.db)
        .await?
        .iter()
        .map(|entered| YearRow {
            year: entered.year,
            source_label: entered.source.label(),
            holiday_count: entered.holiday_count(),
            makeup_workday_count: entered.makeup_workday_count(),
            working_day_count: calendar_service::working_day_count(&calendar, entered.year),
            updated_at: format_beijing(entered.updated_at),
        })
        .collect();
    let current_year = state.clock.today().year();
    let missing_years = [current_year, current_year + 1]
        .into_iter()
        .filter(|year| !calendar.has_arrangement(*year))
        .collect();

    let layout = Layout::new(state, user, "工作日历", "calendar")
        .crumb("系统管理", "")
        .crumb("工作日历", "");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        layout,
        years,
        missing_years,
        new_year,
        tools,
        errors,
    };
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default)]
struct NewYearQuery {
    #[serde(default)]
    year: String,
}

/// Opens the edit form of a year typed on the list page.
async fn new_year(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<NewYearQuery>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    match calendar_service::parse_year(&query.year) {
        Ok(year) => Ok(Redirect::to(&format!("/admin/calendar/{year}/edit")).into_response()),
        Err(error) => {
            let mut errors = Errors::default();
            errors.add("new_year", error.message);
            render_list(&state, &user, ToolBox::default(), query.year, errors).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// Month view of one year

/// One day in a month table.
struct DayCell {
    day: u32,
    /// `DayKind` identifier, used as the CSS class suffix.
    kind: &'static str,
    /// Tooltip with the date, weekday, kind and holiday name.
    title: String,
    /// 休 for a rest day, 班 for a make-up working day, otherwise empty.
    mark: &'static str,
}

struct MonthView {
    title: String,
    /// Weeks from Monday to Sunday, with `None` for the days outside the month.
    weeks: Vec<Vec<Option<DayCell>>>,
}

struct EntryRow {
    date: NaiveDate,
    weekday: &'static str,
    kind_label: &'static str,
    name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "calendar/year.html")]
struct YearPage {
    layout: Layout,
    year: i32,
    entered: bool,
    source_label: &'static str,
    updated_at: String,
    holiday_count: usize,
    makeup_workday_count: usize,
    working_day_count: usize,
    rest_day_count: usize,
    months: Vec<MonthView>,
    entries: Vec<EntryRow>,
    weekday_headers: [&'static str; 7],
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

async fn year_page(
    State(state): State<AppState>,
    user: AuthUser,
    Path(year): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    let year = parse_year_path(&year)?;
    let calendar = state.calendar();
    let entered = calendar_service::find_year(&state.db, year).await?;

    let days = calendar.year_days(year);
    let working_day_count = days.iter().filter(|day| day.kind.is_working_day()).count();
    let months = (1..=12)
        .map(|month| month_view(&calendar, year, month))
        .collect();
    let entries = entered
        .as_ref()
        .map(|entered| entered.entries.iter().map(entry_row).collect())
        .unwrap_or_default();

    let notice = (query.notice == "saved")
        .then(|| format!("{year}年法定节假日安排已保存，工作日期限即日起按新安排计算。"));
    let layout = Layout::new(&state, &user, format!("{year}年工作日历"), "calendar")
        .crumb("工作日历", "/admin/calendar")
        .crumb(format!("{year}年"), "")
        .notice(notice);
    Ok(YearPage {
        layout,
        year,
        entered: entered.is_some(),
        source_label: entered
            .as_ref()
            .map(|entered| entered.source.label())
            .unwrap_or("未录入"),
        updated_at: entered
            .as_ref()
            .map(|entered| format_beijing(entered.updated_at))
            .unwrap_or_default(),
        holiday_count: entered
            .as_ref()
            .map(YearArrangement::holiday_count)
            .unwrap_or(0),
        makeup_workday_count: entered
            .as_ref()
            .map(YearArrangement::makeup_workday_count)
            .unwrap_or(0),
        working_day_count,
        rest_day_count: days.len() - working_day_count,
        months,
        entries,
        weekday_headers: ["一", "二", "三", "四", "五", "六", "日"],
    }
    .into_response())
}

fn parse_year_path(text: &str) -> AppResult<i32> {
    calendar_service::parse_year(text).map_err(|error| AppError::Invalid(vec![error]))
}

fn month_view(calendar: &Calendar, year: i32, month: u32) -> MonthView {
    let mut weeks = Vec::new();
    let mut week: Vec<Option<DayCell>> = Vec::new();
    let days = calendar.month_days(year, month);
    if let Some(first) = days.first() {
        let padding = first.date.weekday().num_days_from_monday();
        week.extend((0..padding).map(|_| None));
    }
    for day in &days {
        week.push(Some(day_cell(day)));
        if week.len() == 7 {
            weeks.push(std::mem::take(&mut week));
        }
    }
    if !week.is_empty() {
        week.resize_with(7, || None);
        weeks.push(week);
    }
    MonthView {
        title: format!("{month}月"),
        weeks,
    }
}

fn day_cell(day: &CalendarDay) -> DayCell {
    let mark = match day.kind {
        DayKind::Holiday => "休",
        DayKind::MakeupWorkday => "班",
        DayKind::Workday | DayKind::Weekend => "",
    };
    DayCell {
        day: day.date.day(),
        kind: day.kind.as_str(),
        title: describe_day(day),
        mark,
    }
}

/// Describes a day as "2026-10-01（星期四，法定节假日：国庆节）".
fn describe_day(day: &CalendarDay) -> String {
    let weekday = weekday_label(day.date.weekday());
    let kind = day.kind.label();
    match &day.holiday_name {
        Some(name) => format!("{}（{weekday}，{kind}：{name}）", day.date),
        None => format!("{}（{weekday}，{kind}）", day.date),
    }
}

fn entry_row(entry: &ArrangementEntry) -> EntryRow {
    EntryRow {
        date: entry.date,
        weekday: weekday_label(entry.date.weekday()),
        kind_label: entry.kind.label(),
        name: entry.name.clone(),
    }
}

fn weekday_label(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

// ---------------------------------------------------------------------------------------
// Entering or replacing a year's arrangement

#[derive(Template, WebTemplate)]
#[template(path = "calendar/edit.html")]
struct EditPage {
    layout: Layout,
    year: i32,
    entered: bool,
    text: String,
    /// Problems of the typed text, each naming line, column and value.
    text_errors: Vec<String>,
    /// Problems of the uploaded file.
    upload_errors: Vec<String>,
    /// Whether `text` contains the uploaded file's text rather than the stored arrangement.
    upload_text_loaded: bool,
    max_upload_kb: usize,
    example: String,
}

impl EditPage {
    fn has_errors(&self) -> bool {
        !(self.text_errors.is_empty() && self.upload_errors.is_empty())
    }
}

fn edit_layout(state: &AppState, user: &AuthUser, year: i32) -> Layout {
    Layout::new(state, user, format!("录入{year}年节假日安排"), "calendar")
        .crumb("工作日历", "/admin/calendar")
        .crumb(format!("{year}年"), format!("/admin/calendar/{year}"))
        .crumb("录入安排", "")
}

async fn render_edit(
    state: &AppState,
    user: &AuthUser,
    year: i32,
    text: Option<String>,
    text_errors: Vec<String>,
    upload_errors: Vec<String>,
) -> AppResult<Response> {
    let entered = calendar_service::find_year(&state.db, year).await?;
    let upload_text_loaded = text.is_some() && !upload_errors.is_empty();
    let text = text.unwrap_or_else(|| {
        entered
            .as_ref()
            .map(|entered| calendar_service::arrangement_csv(&entered.entries))
            .unwrap_or_else(|| calendar_service::arrangement_csv(&[]))
    });
    let page = EditPage {
        layout: edit_layout(state, user, year),
        year,
        entered: entered.is_some(),
        text,
        text_errors,
        upload_errors,
        upload_text_loaded,
        max_upload_kb: calendar_service::MAX_UPLOAD_BYTES / 1024,
        example: example_text(year),
    };
    let status = if page.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, page).into_response())
}

/// Returns a short valid arrangement of `year` for the form's help text. Its make-up working
/// day is the first Saturday of February, so that the example passes the weekend check.
fn example_text(year: i32) -> String {
    let saturday = NaiveDate::from_ymd_opt(year, 2, 1)
        .and_then(|first| {
            first
                .iter_days()
                .find(|date| date.weekday() == Weekday::Sat)
        })
        .map(|date| date.to_string())
        .unwrap_or_default();
    format!(
        "日期,类型,名称\n{prev}-12-31,放假,元旦\n{year}-01-01,放假,元旦\n{saturday},调休上班,春节",
        prev = year - 1
    )
}

async fn edit_page(
    State(state): State<AppState>,
    user: AuthUser,
    Path(year): Path<String>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    let year = parse_year_path(&year)?;
    render_edit(&state, &user, year, None, Vec::new(), Vec::new()).await
}

#[derive(Deserialize, Default)]
struct ArrangementForm {
    #[serde(default)]
    arrangement: String,
}

async fn submit_text(
    State(state): State<AppState>,
    user: AuthUser,
    Path(year): Path<String>,
    CsrfForm(form): CsrfForm<ArrangementForm>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    let year = parse_year_path(&year)?;
    if form.arrangement.len() > calendar_service::MAX_UPLOAD_BYTES {
        let message = format!(
            "安排内容过长（{} KB），应不超过 {} KB，一年的安排通常只有几十行",
            form.arrangement.len().div_ceil(1024),
            calendar_service::MAX_UPLOAD_BYTES / 1024
        );
        return render_edit(
            &state,
            &user,
            year,
            Some(form.arrangement),
            vec![message],
            Vec::new(),
        )
        .await;
    }
    match save_text(
        &state,
        &user,
        year,
        &form.arrangement,
        CalendarSource::Manual,
    )
    .await?
    {
        Ok(()) => Ok(saved_redirect(year)),
        Err(messages) => {
            render_edit(
                &state,
                &user,
                year,
                Some(form.arrangement),
                messages,
                Vec::new(),
            )
            .await
        }
    }
}

async fn submit_upload(
    State(state): State<AppState>,
    user: AuthUser,
    Path(year): Path<String>,
    form: MultipartForm,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    let year = parse_year_path(&year)?;

    let Some(upload) = form.file("file") else {
        let message = "请选择要上传的安排文件（UTF-8 编码的 CSV）".to_owned();
        return render_edit(&state, &user, year, None, Vec::new(), vec![message]).await;
    };
    let text = match calendar_service::read_upload_text(&upload.file_name, &upload.bytes) {
        Ok(text) => text,
        Err(message) => {
            return render_edit(&state, &user, year, None, Vec::new(), vec![message]).await;
        }
    };
    match save_text(&state, &user, year, &text, CalendarSource::Upload).await? {
        Ok(()) => Ok(saved_redirect(year)),
        // The file's text goes into the form so that the administrator can correct it there.
        Err(messages) => render_edit(&state, &user, year, Some(text), Vec::new(), messages).await,
    }
}

/// Parses and stores an arrangement text. The inner `Err` lists every problem for the form,
/// and then nothing is stored.
async fn save_text(
    state: &AppState,
    user: &AuthUser,
    year: i32,
    text: &str,
    source: CalendarSource,
) -> AppResult<Result<(), Vec<String>>> {
    let entries = match calendar_service::parse_text_for_year(text, year) {
        Ok(entries) => entries,
        Err(errors) => {
            tracing::info!(
                year,
                user_id = user.id,
                errors = errors.len(),
                "holiday arrangement rejected"
            );
            return Ok(Err(errors.iter().map(ToString::to_string).collect()));
        }
    };
    let saved =
        calendar_service::set_arrangement(&state.db, &Actor::from(user), year, entries, source)
            .await;
    match saved {
        Ok(()) => {
            calendar_service::reload(state).await?;
            tracing::info!(
                year,
                user_id = user.id,
                source = source.as_str(),
                "holiday arrangement replaced"
            );
            Ok(Ok(()))
        }
        Err(AppError::Invalid(errors)) => {
            tracing::info!(
                year,
                user_id = user.id,
                errors = errors.len(),
                "holiday arrangement rejected"
            );
            Ok(Err(errors.into_iter().map(|error| error.message).collect()))
        }
        Err(other) => Err(other),
    }
}

fn saved_redirect(year: i32) -> Response {
    Redirect::to(&format!("/admin/calendar/{year}?notice=saved")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_example_is_valid() {
        for year in [2024, 2027, 2028, 2200] {
            let text = example_text(year);
            let entries = calendar_service::parse_text_for_year(&text, year);
            assert_eq!(entries.map(|entries| entries.len()), Ok(3), "{text}");
        }
    }

    #[test]
    fn month_starts_on_its_weekday() {
        let calendar = Calendar::official();
        let march = month_view(&calendar, 2026, 3);
        assert_eq!(march.title, "3月");
        // 2026-03-01 is a Sunday: six empty cells, then the 1st.
        let first_week = &march.weeks[0];
        assert_eq!(first_week.iter().filter(|slot| slot.is_none()).count(), 6);
        assert_eq!(first_week[6].as_ref().map(|cell| cell.day), Some(1));
        assert!(march.weeks.iter().all(|week| week.len() == 7));
        let days: usize = march
            .weeks
            .iter()
            .map(|week| week.iter().filter(|slot| slot.is_some()).count())
            .sum();
        assert_eq!(days, 31);
    }
}
