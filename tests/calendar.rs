//! The working-day calendar through the real server: the public API, the administrators'
//! pages for entering a year's holiday arrangement, and the system settings screen.

mod common;

use chrono::{TimeZone, Utc};
use common::{Browser, TestApp};
use etown::{
    entities::{audit_log, calendar_day, calendar_year},
    services::settings,
};
use etown_rules::workflow::Role;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

/// A made-up 2027 arrangement for the tests (the State Council had not published one).
const ARRANGEMENT_2027: &str = "日期,类型,名称
2027-01-01,放假,元旦
2027-02-06,放假,春节
2027-02-07,放假,春节
2027-02-08,休,春节
2027-02-20,调休上班,春节
2027-10-01,放假,国庆节
2027-10-09,班,国庆节
";

/// 2026-12-04 10:00 in Beijing: 2026 has its arrangement, 2027 has none yet.
async fn spawn_in_december_2026() -> TestApp {
    TestApp::spawn_at(Utc.with_ymd_and_hms(2026, 12, 4, 2, 0, 0).unwrap()).await
}

async fn admin_browser(app: &TestApp) -> Browser {
    app.create_user("admin1", &[Role::Admin], None).await;
    app.browser("admin1").await
}

async fn public_get(app: &TestApp, path: &str) -> (u16, Value) {
    let response = reqwest::get(app.url(path)).await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Returns the day `date` of a year document of the API.
fn day<'a>(year: &'a Value, date: &str) -> &'a Value {
    year["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|day| day["date"] == date)
        .unwrap_or_else(|| panic!("{date} missing from the year"))
}

async fn calendar_audit_count(app: &TestApp) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("calendar_year"))
        .count(&app.state.db)
        .await
        .unwrap()
}

async fn days_of_year(app: &TestApp, year: i32) -> u64 {
    calendar_day::Entity::find()
        .filter(calendar_day::Column::Year.eq(year))
        .count(&app.state.db)
        .await
        .unwrap()
}

async fn upload(
    browser: &Browser,
    year: i32,
    file_name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let token = browser.csrf(&format!("/admin/calendar/{year}/edit")).await;
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(file_name.to_owned())
        .mime_str("text/csv")
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .part("file", part);
    browser
        .client
        .post(format!("{}/admin/calendar/{year}/upload", browser.base))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Checks the 2027 test arrangement as the public API reports it.
async fn assert_2027_entered(app: &TestApp) {
    let (status, year) = public_get(app, "/api/v1/calendar/2027").await;
    assert_eq!(status, 200);
    assert_eq!(year["has_arrangement"], true);
    assert_eq!(year["notice"], Value::Null);

    let spring = day(&year, "2027-02-08");
    assert_eq!(spring["kind"], "holiday");
    assert_eq!(spring["holiday_name"], "春节");
    assert_eq!(spring["is_working_day"], false);

    let makeup = day(&year, "2027-02-20");
    assert_eq!(makeup["kind"], "makeup_workday");
    assert_eq!(makeup["is_working_day"], true);

    assert_eq!(day(&year, "2027-10-09")["kind"], "makeup_workday");
    assert_eq!(day(&year, "2027-01-04")["kind"], "workday");
}

// ---------------------------------------------------------------------------------------
// Public API

#[tokio::test]
async fn year_api_reports_kinds() {
    let app = TestApp::spawn().await;

    let (status, year) = public_get(&app, "/api/v1/calendar/2026").await;
    assert_eq!(status, 200);
    assert_eq!(year["year"], 2026);
    assert_eq!(year["has_arrangement"], true);
    assert_eq!(year["source"], "official");
    assert_eq!(year["source_label"], "官方内置");
    assert_eq!(year["days"].as_array().unwrap().len(), 365);

    let makeup = day(&year, "2026-01-04");
    assert_eq!(makeup["kind"], "makeup_workday");
    assert_eq!(makeup["kind_label"], "调休上班");
    assert_eq!(makeup["holiday_name"], "元旦");
    assert_eq!(makeup["is_working_day"], true);

    let national_day = day(&year, "2026-10-01");
    assert_eq!(national_day["kind"], "holiday");
    assert_eq!(national_day["kind_label"], "法定节假日");
    assert_eq!(national_day["holiday_name"], "国庆节");
    assert_eq!(national_day["is_working_day"], false);

    let saturday = day(&year, "2026-03-07");
    assert_eq!(saturday["kind"], "weekend");
    assert_eq!(saturday["holiday_name"], Value::Null);

    let working_days = year["days"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|day| day["is_working_day"] == true)
        .count();
    assert_eq!(year["working_day_count"], working_days);

    let (status, leap) = public_get(&app, "/api/v1/calendar/2024").await;
    assert_eq!(status, 200);
    assert_eq!(leap["days"].as_array().unwrap().len(), 366);
    let eve = day(&leap, "2024-02-09");
    assert_eq!(eve["kind"], "workday");
    assert_eq!(eve["is_working_day"], true);
    assert_eq!(day(&leap, "2024-02-10")["kind"], "holiday");
    assert_eq!(day(&leap, "2024-02-18")["kind"], "makeup_workday");
}

#[tokio::test]
async fn year_without_arrangement_falls_back() {
    let app = TestApp::spawn().await;
    let (status, year) = public_get(&app, "/api/v1/calendar/2027").await;
    assert_eq!(status, 200);
    assert_eq!(year["has_arrangement"], false);
    assert_eq!(year["source"], Value::Null);
    let notice = year["notice"].as_str().unwrap();
    assert!(notice.contains("2027年"), "{notice}");
    assert!(notice.contains("周一至周五"), "{notice}");

    let days = year["days"].as_array().unwrap();
    assert_eq!(days.len(), 365);
    for day in days {
        let date =
            chrono::NaiveDate::parse_from_str(day["date"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        let weekend = matches!(
            chrono::Datelike::weekday(&date),
            chrono::Weekday::Sat | chrono::Weekday::Sun
        );
        let expected = if weekend { "weekend" } else { "workday" };
        assert_eq!(day["kind"], expected, "{date}");
        assert_eq!(day["is_working_day"], !weekend, "{date}");
    }
    // New Year's Day 2027 is a Friday: without the arrangement it counts as a working day.
    assert_eq!(self::day(&year, "2027-01-01")["kind"], "workday");
}

#[tokio::test]
async fn year_api_rejects_bad_year() {
    let app = TestApp::spawn().await;
    for bad in ["abc", "1899", "2201", "20x6", "-5"] {
        let (status, body) = public_get(&app, &format!("/api/v1/calendar/{bad}")).await;
        assert_eq!(status, 422, "{bad}");
        assert_eq!(body["error"], "invalid", "{bad}");
        assert_eq!(body["fields"][0]["field"], "year", "{bad}");
        let message = body["fields"][0]["message"].as_str().unwrap();
        assert!(message.contains(&format!("“{bad}”")), "{message}");
        assert!(message.contains("1900 至 2200"), "{message}");
    }
}

#[tokio::test]
async fn working_day_tools_through_api() {
    let app = TestApp::spawn().await;

    let (status, body) = public_get(
        &app,
        "/api/v1/calendar/working-days/add?from=2023-09-27&days=3",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["result"], "2023-10-08");
    assert_eq!(body["days"], 3);
    assert_eq!(body["notice"], Value::Null);

    let (status, body) = public_get(
        &app,
        "/api/v1/calendar/working-days/add?from=2026-09-28&days=0",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["result"], "2026-09-28");

    let (status, body) = public_get(
        &app,
        "/api/v1/calendar/working-days/between?start=2026-09-30&end=2026-10-12",
    )
    .await;
    assert_eq!(status, 200);
    // 10-01 to 10-07 are rest days. 10-08, 10-09, 10-10 (make-up) and 10-12 are working days.
    assert_eq!(body["working_days"], 4);

    let (status, body) = public_get(
        &app,
        "/api/v1/calendar/working-days/between?start=2026-10-12&end=2026-09-30",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["working_days"], -4);

    let (status, body) =
        public_get(&app, "/api/v1/calendar/working-days/next?date=2026-09-30").await;
    assert_eq!(status, 200);
    assert_eq!(body["next_working_day"], "2026-10-08");

    // Crossing into 2027 uses the fallback, and the response reports it.
    let (status, body) = public_get(
        &app,
        "/api/v1/calendar/working-days/add?from=2026-12-30&days=5",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["fallback_years"], json!([2027]));
    assert!(body["notice"].as_str().unwrap().contains("2027年"));
}

#[tokio::test]
async fn working_day_tools_reject_bad_parameters() {
    let app = TestApp::spawn().await;
    let cases = [
        ("add?days=3", "from", "起始日期 from不能为空"),
        (
            "add?from=2023-13-01&days=3",
            "from",
            "起始日期 from“2023-13-01”不是有效日期",
        ),
        ("add?from=1899-12-31&days=3", "from", "“1899-12-31”超出范围"),
        (
            "add?from=2023-09-27&days=abc",
            "days",
            "工作日数 days“abc”不是整数",
        ),
        (
            "add?from=2023-09-27&days=366",
            "days",
            "工作日数 days“366”超出范围，应为 0 至 365",
        ),
        (
            "add?from=2023-09-27&days=-1",
            "days",
            "工作日数 days“-1”超出范围",
        ),
        ("add?from=2023-09-27", "days", "工作日数 days不能为空"),
        (
            "between?start=x&end=2026-01-01",
            "start",
            "开始日期 start“x”不是有效日期",
        ),
        (
            "between?start=2026-01-01&end=2026/02/01",
            "end",
            "结束日期 end“2026/02/01”不是有效日期",
        ),
        (
            "next?date=tomorrow",
            "date",
            "日期 date“tomorrow”不是有效日期",
        ),
        ("next", "date", "日期 date不能为空"),
    ];
    for (query, field, expected) in cases {
        let (status, body) =
            public_get(&app, &format!("/api/v1/calendar/working-days/{query}")).await;
        assert_eq!(status, 422, "{query}");
        let fields = body["fields"].as_array().unwrap();
        let found = fields.iter().find(|error| error["field"] == field);
        let message =
            found.unwrap_or_else(|| panic!("{query}: no error for {field} in {body}"))["message"]
                .as_str()
                .unwrap();
        assert!(message.contains(expected), "{query}: {message}");
    }

    // Both parameters wrong: both are reported.
    let (status, body) = public_get(&app, "/api/v1/calendar/working-days/add?from=x&days=y").await;
    assert_eq!(status, 422);
    assert_eq!(body["fields"].as_array().unwrap().len(), 2);
}

// ---------------------------------------------------------------------------------------
// Pages

#[tokio::test]
async fn list_warns_about_missing_year() {
    let app = spawn_in_december_2026().await;
    let browser = admin_browser(&app).await;

    let (status, html) = browser.get_text("/admin/calendar").await;
    assert_eq!(status, 200);
    for year in 2023..=2026 {
        assert!(html.contains(&format!("<td>{year}年</td>")), "{year}");
    }
    assert!(html.contains("官方内置"));
    assert!(html.contains("尚未录入国务院法定节假日安排"), "{html}");
    assert!(html.contains("href=\"/admin/calendar/2027/edit\""));
    // 2026 has its arrangement, so it is not listed as missing.
    assert!(!html.contains("录入2026年安排"));
    // The shipped 2026 arrangement has 33 rest days and 6 make-up working days.
    let row_start = html.find("<td>2026年</td>").unwrap();
    let row = &html[row_start..row_start + html[row_start..].find("</tr>").unwrap()];
    assert!(row.contains("<td>官方内置</td>"), "{row}");
    assert!(row.contains("<td>33</td>"), "{row}");
    assert!(row.contains("<td>6</td>"), "{row}");
    let (_, year) = public_get(&app, "/api/v1/calendar/2026").await;
    let working_days = year["working_day_count"].as_u64().unwrap();
    assert!(row.contains(&format!("<td>{working_days}</td>")), "{row}");
}

#[tokio::test]
async fn year_page_shows_months() {
    let app = spawn_in_december_2026().await;
    let browser = admin_browser(&app).await;

    let (status, html) = browser.get_text("/admin/calendar/2026").await;
    assert_eq!(status, 200);
    for month in 1..=12 {
        assert!(
            html.contains(&format!("<caption>{month}月</caption>")),
            "{month}"
        );
    }
    assert!(html.contains("title=\"2026-10-01（星期四，法定节假日：国庆节）\""));
    assert!(html.contains("class=\"day-makeup_workday\" title=\"2026-01-04（星期日，调休上班：元旦）\">4<sup class=\"day-mark\">班</sup>"));
    assert!(html.contains("class=\"day-holiday\" title=\"2026-01-01（星期四，法定节假日：元旦）\">1<sup class=\"day-mark\">休</sup>"));
    assert!(html.contains("<td>2026-10-10</td><td>星期六</td><td>调休上班</td><td>国庆节</td>"));
    assert!(html.contains("图例"));

    // January 2026 starts on a Thursday: three empty cells before the 1st.
    let january = &html[html.find("<caption>1月</caption>").unwrap()..];
    let first_row = &january[january.find("<tbody>").unwrap()..];
    let first_row = &first_row[..first_row.find("</tr>").unwrap()];
    assert_eq!(first_row.matches("<td></td>").count(), 3, "{first_row}");

    let (status, html) = browser.get_text("/admin/calendar/2027").await;
    assert_eq!(status, 200);
    assert!(html.contains("尚未录入2027年法定节假日安排"));

    let (status, _) = browser.get_text("/admin/calendar/abc").await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn admin_enters_year_by_form() {
    let app = spawn_in_december_2026().await;
    let browser = admin_browser(&app).await;

    let (status, html) = browser.get_text("/admin/calendar/2027/edit").await;
    assert_eq!(status, 200);
    assert!(html.contains("日期,类型,名称"));

    let response = browser
        .post_form(
            "/admin/calendar/2027/edit",
            "/admin/calendar/2027/edit",
            &[("arrangement", ARRANGEMENT_2027)],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "/admin/calendar/2027?notice=saved"
    );
    assert_2027_entered(&app).await;

    let (_, html) = browser.get_text("/admin/calendar/2027?notice=saved").await;
    assert!(html.contains("2027年法定节假日安排已保存"));
    assert!(
        !html.contains("尚未录入 2027 年法定节假日安排"),
        "banner gone"
    );

    let (_, html) = browser.get_text("/admin/calendar").await;
    assert!(html.contains("<td>2027年</td>"));
    assert!(html.contains("手工录入"));
    assert!(!html.contains("尚未录入国务院法定节假日安排"));

    // The edit form is prefilled with the stored arrangement in the upload format.
    let (_, html) = browser.get_text("/admin/calendar/2027/edit").await;
    assert!(html.contains("2027-02-08,放假,春节"), "{html}");
    assert!(html.contains("2027-02-20,调休上班,春节"));

    let row = calendar_year::Entity::find_by_id(2027)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.source, "manual");
    assert_eq!(days_of_year(&app, 2027).await, 7);

    let audit = audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("calendar_year"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(audit.action, "create");
    assert_eq!(audit.entity_id.as_deref(), Some("2027"));
    assert_eq!(audit.username, "admin1");
    assert!(audit.before_json.is_none());
    assert!(audit.after_json.unwrap().contains("2027-02-20"));
}

#[tokio::test]
async fn admin_replaces_year_and_audit_keeps_both() {
    let app = spawn_in_december_2026().await;
    let browser = admin_browser(&app).await;
    browser
        .post_form(
            "/admin/calendar/2027/edit",
            "/admin/calendar/2027/edit",
            &[("arrangement", ARRANGEMENT_2027)],
        )
        .await;

    let shorter = "日期,类型,名称\n2027-01-01,放假,元旦\n";
    let response = browser
        .post_form(
            "/admin/calendar/2027/edit",
            "/admin/calendar/2027/edit",
            &[("arrangement", shorter)],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(days_of_year(&app, 2027).await, 1);

    let (_, year) = public_get(&app, "/api/v1/calendar/2027").await;
    assert_eq!(day(&year, "2027-02-08")["kind"], "workday");

    let update = audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("calendar_year"))
        .filter(audit_log::Column::Action.eq("update"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(update.before_json.unwrap().contains("2027-02-08"));
    assert!(!update.after_json.unwrap().contains("2027-02-08"));
}

#[tokio::test]
async fn admin_enters_year_by_upload() {
    let app = spawn_in_december_2026().await;
    let browser = admin_browser(&app).await;

    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend_from_slice(ARRANGEMENT_2027.as_bytes());
    let response = upload(&browser, 2027, "2027年节假日.csv", bytes).await;
    assert_eq!(response.status(), 303);
    assert_2027_entered(&app).await;

    let (_, html) = browser.get_text("/admin/calendar").await;
    assert!(html.contains("文件导入"));
    let row = calendar_year::Entity::find_by_id(2027)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.source, "upload");
}

#[tokio::test]
async fn upload_rejects_non_text_files() {
    let app = spawn_in_december_2026().await;
    let browser = admin_browser(&app).await;

    // "2027-01-01,放假,元旦" saved as GBK, as older Excel versions do.
    let mut gbk = b"date,kind,name\n2027-01-01,".to_vec();
    gbk.extend_from_slice(b"\xb7\xc5\xbc\xd9,\xd4\xaa\xb5\xa9\n");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("gbk.csv", gbk, "不是 UTF-8 编码的文本"),
        (
            "book.xlsx",
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00".to_vec(),
            "实际内容是 application/zip",
        ),
        (
            "picture.csv",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
            "实际内容是 image/png",
        ),
        ("big.csv", vec![b'a'; 64 * 1024 + 1], "超过上限 64 KB"),
        (
            "nul.csv",
            b"date,kind,name\n2027-01-01,holiday,\0\n".to_vec(),
            "含有控制字符",
        ),
    ];
    for (file_name, bytes, expected) in cases {
        let response = upload(&browser, 2027, file_name, bytes).await;
        assert_eq!(response.status(), 422, "{file_name}");
        let html = response.text().await.unwrap();
        assert!(html.contains(expected), "{file_name}: {html}");
        assert!(html.contains(&format!("“{file_name}”")), "{file_name}");
    }

    // A file with a bad line: the errors are listed and its text fills the form.
    let text = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n";
    let response = upload(&browser, 2027, "bad.csv", text.as_bytes().to_vec()).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("第3行“日期”列的值“2027-02-30”不是有效日期"),
        "{html}"
    );
    assert!(
        html.contains("2027-02-30,holiday,春节\n</textarea>"),
        "{html}"
    );
    assert!(html.contains("文件内容已填入上方编辑框"));

    assert!(
        calendar_year::Entity::find_by_id(2027)
            .one(&app.state.db)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(calendar_audit_count(&app).await, 0);
}

#[tokio::test]
async fn bad_lines_listed_and_nothing_saved() {
    let app = spawn_in_december_2026().await;
    let browser = admin_browser(&app).await;

    let cases = [
        (
            "date;kind;name\n2027-01-01,放假,元旦",
            "第1行“表头”列的值“date;kind;name”无效，应为“date,kind,name”或“日期,类型,名称”",
        ),
        (
            "日期,类型,名称\n2027-02-30,放假,春节",
            "第2行“日期”列的值“2027-02-30”不是有效日期，应为YYYY-MM-DD格式的日期",
        ),
        (
            "日期,类型,名称\n2027-01-01,上班,元旦",
            "第2行“类型”列的值“上班”无效，应为holiday（放假、休）或makeup_workday（调休上班、班）",
        ),
        (
            "日期,类型,名称\n2027-01-01,放假,",
            "第2行“名称”列为空，放假日应填写节日名称，如春节",
        ),
        (
            "日期,类型,名称\n2027-03-01,班,春节",
            "第2行“日期”列的值“2027-03-01”是星期一，调休上班日应为星期六或星期日",
        ),
        (
            "日期,类型,名称\n2027-01-01,放假",
            "第2行有2列，应为三列：日期,类型,名称",
        ),
        (
            "日期,类型,名称\n2027-01-01,放假,元旦\n2027-01-01,放假,元旦",
            "第3行“日期”列的值“2027-01-01”与第2行重复，每个日期只能出现一次",
        ),
        (
            "日期,类型,名称\n2028-01-01,放假,元旦",
            "第2行“日期”列的值“2028-01-01”不属于2027年的安排，应为2027年内的日期（只有元旦放假日可以在2026年12月）",
        ),
        (
            "日期,类型,名称\n2026-12-30,放假,春节\n2027-01-01,放假,元旦\n2027-02-06,放假,春节",
            "第2行“日期”列的值“2026-12-30”不属于2027年的安排",
        ),
        (
            "日期,类型,名称\n2027-01-01,放假,元旦\n2027-13-01,放假,春节",
            "第3行“日期”列的值“2027-13-01”不是有效日期",
        ),
        (
            "",
            "第1行为空，文件应以表头“date,kind,name”或“日期,类型,名称”开始",
        ),
    ];
    for (text, expected) in cases {
        let response = browser
            .post_form(
                "/admin/calendar/2027/edit",
                "/admin/calendar/2027/edit",
                &[("arrangement", text)],
            )
            .await;
        assert_eq!(response.status(), 422, "{text}");
        let html = response.text().await.unwrap();
        assert!(html.contains(expected), "{text}: {html}");
        assert!(html.contains("未保存任何内容"), "{text}");
        assert!(
            html.contains(&format!("{text}</textarea>")),
            "form refilled: {text}"
        );
    }

    let long_text = format!("日期,类型,名称\n{}", "2027-01-01,放假,元旦\n".repeat(3000));
    let response = browser
        .post_form(
            "/admin/calendar/2027/edit",
            "/admin/calendar/2027/edit",
            &[("arrangement", long_text.as_str())],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("应不超过 64 KB"), "{html}");

    // Two bad lines in one text: both are listed.
    let text = "日期,类型,名称\n2027-02-30,放假,春节\n2027-01-01,上班,元旦";
    let response = browser
        .post_form(
            "/admin/calendar/2027/edit",
            "/admin/calendar/2027/edit",
            &[("arrangement", text)],
        )
        .await;
    let html = response.text().await.unwrap();
    assert!(html.contains("第2行“日期”列的值“2027-02-30”"));
    assert!(html.contains("第3行“类型”列的值“上班”"));

    let (_, year) = public_get(&app, "/api/v1/calendar/2027").await;
    assert_eq!(year["has_arrangement"], false);
    assert!(
        calendar_year::Entity::find_by_id(2027)
            .one(&app.state.db)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(days_of_year(&app, 2027).await, 0);
    assert_eq!(days_of_year(&app, 2028).await, 0);
    assert_eq!(calendar_audit_count(&app).await, 0);

    // A bad replacement of an entered year leaves it as it was.
    let before = days_of_year(&app, 2026).await;
    let response = browser
        .post_form(
            "/admin/calendar/2026/edit",
            "/admin/calendar/2026/edit",
            &[(
                "arrangement",
                "日期,类型,名称\n2026-01-01,放假,元旦\n2026-02-31,放假,春节",
            )],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(days_of_year(&app, 2026).await, before);
    let (_, year) = public_get(&app, "/api/v1/calendar/2026").await;
    assert_eq!(day(&year, "2026-10-01")["kind"], "holiday");
}

#[tokio::test]
async fn new_year_form_checks_year() {
    let app = spawn_in_december_2026().await;
    let browser = admin_browser(&app).await;

    let response = browser.get("/admin/calendar/new?year=2028").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/admin/calendar/2028/edit");

    let (status, html) = browser.get_text("/admin/calendar/new?year=20x8").await;
    assert_eq!(status, 422);
    assert!(html.contains("年份“20x8”无效，应为 1900 至 2200 之间的整数"));
    assert!(html.contains("value=\"20x8\""));
}

#[tokio::test]
async fn tool_box_shows_results() {
    let app = spawn_in_december_2026().await;
    let browser = admin_browser(&app).await;

    let (status, html) = browser
        .get_text("/admin/calendar?tool=add&from=2023-09-27&days=3")
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("2023-09-27 之后第 3 个工作日是 2023-10-08（星期日，调休上班：国庆节）"),
        "{html}"
    );

    let (status, html) = browser
        .get_text("/admin/calendar?tool=between&start=2026-09-30&end=2026-10-12")
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("2026-09-30 之后至 2026-10-12（含）共有 4 个工作日"));

    let (status, html) = browser
        .get_text("/admin/calendar?tool=next&date=2026-12-31")
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("2026-12-31 之后的下一个工作日是 2027-01-01（星期五，工作日）"));
    assert!(
        html.contains("尚未录入2027年的法定节假日安排"),
        "fallback warned"
    );

    let (status, html) = browser
        .get_text("/admin/calendar?tool=add&from=2023-09-27&days=400")
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("工作日数“400”超出范围，应为 0 至 365 之间的整数"));
    assert!(html.contains("value=\"2023-09-27\""), "refilled");
}

// ---------------------------------------------------------------------------------------
// API changes

fn entries_2027() -> Value {
    json!({ "entries": [
        { "date": "2027-01-01", "kind": "holiday", "name": "元旦" },
        { "date": "2027-02-06", "kind": "holiday", "name": "春节" },
        { "date": "2027-02-07", "kind": "放假", "name": "春节" },
        { "date": "2027-02-08", "kind": "休", "name": "春节" },
        { "date": "2027-02-20", "kind": "makeup_workday", "name": "春节" },
        { "date": "2027-10-01", "kind": "holiday", "name": "国庆节" },
        { "date": "2027-10-09", "kind": "班", "name": "国庆节" }
    ]})
}

#[tokio::test]
async fn admin_enters_year_by_api() {
    let app = spawn_in_december_2026().await;
    let api = app.api_client("admin1", &[Role::Admin], None).await;

    let (status, body) = api.put("/api/v1/calendar/2027", &entries_2027()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["has_arrangement"], true);
    assert_eq!(body["source"], "manual");
    assert_2027_entered(&app).await;

    let browser = admin_browser_named(&app, "admin2").await;
    let (_, html) = browser.get_text("/admin/calendar").await;
    assert!(html.contains("<td>2027年</td>"));
    assert_eq!(calendar_audit_count(&app).await, 1);
}

async fn admin_browser_named(app: &TestApp, username: &str) -> Browser {
    app.create_user(username, &[Role::Admin], None).await;
    app.browser(username).await
}

#[tokio::test]
async fn api_put_lists_bad_entries() {
    let app = spawn_in_december_2026().await;
    let api = app.api_client("admin1", &[Role::Admin], None).await;

    let body = json!({ "entries": [
        { "date": "2027-02-30", "kind": "holiday", "name": "春节" },
        { "date": "2027-01-01", "kind": "rest", "name": "元旦" },
        { "date": "2027-03-01", "kind": "makeup_workday", "name": "" },
        { "date": "2027-10-01", "kind": "holiday", "name": "国庆节" },
        { "date": "2027-10-01", "kind": "holiday", "name": "国庆节" }
    ]});
    let (status, response) = api.put("/api/v1/calendar/2027", &body).await;
    assert_eq!(status, 422);
    assert_eq!(response["error"], "invalid");
    let fields = response["fields"].as_array().unwrap();
    let expected = [
        (
            "entries[0].date",
            "第1条“日期”列的值“2027-02-30”不是有效日期",
        ),
        ("entries[1].kind", "第2条“类型”列的值“rest”无效"),
        (
            "entries[2].date",
            "第3条“日期”列的值“2027-03-01”是星期一，调休上班日应为星期六或星期日",
        ),
        (
            "entries[4].date",
            "第5条“日期”列的值“2027-10-01”与第4条重复",
        ),
    ];
    assert_eq!(fields.len(), expected.len(), "{response}");
    for ((field, message), actual) in expected.iter().zip(fields) {
        assert_eq!(actual["field"], *field);
        let actual_message = actual["message"].as_str().unwrap();
        assert!(actual_message.starts_with(message), "{actual_message}");
    }

    let cases = [
        (json!({ "entries": [] }), "entries", "2027年的安排不能为空"),
        (json!({}), "entries", "2027年的安排不能为空"),
        (
            json!({ "entries": [{ "date": "2028-01-01", "kind": "holiday", "name": "元旦" }] }),
            "entries[0].date",
            "第1条“日期”列的值“2028-01-01”不属于2027年的安排",
        ),
        (
            json!({ "entries": [{ "date": "2027-01-01", "kind": "holiday", "name": "元\n旦" }] }),
            "entries[0].name",
            "第1条的name包含换行符",
        ),
        (json!({ "entries": "2027-01-01" }), "body", "请求体无法识别"),
    ];
    for (body, field, expected) in cases {
        let (status, response) = api.put("/api/v1/calendar/2027", &body).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(response["fields"][0]["field"], field, "{body}");
        let message = response["fields"][0]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{body}: {message}");
    }

    let (status, response) = api.put("/api/v1/calendar/9999", &entries_2027()).await;
    assert_eq!(status, 422);
    assert_eq!(response["fields"][0]["field"], "year");

    let (_, year) = public_get(&app, "/api/v1/calendar/2027").await;
    assert_eq!(year["has_arrangement"], false);
    assert_eq!(calendar_audit_count(&app).await, 0);
}

#[tokio::test]
async fn date_belongs_to_one_year() {
    let app = spawn_in_december_2026().await;
    let api = app.api_client("admin1", &[Role::Admin], None).await;

    // The 2027 arrangement may start its New Year's Day break on 2026-12-31.
    let mut body = entries_2027();
    body["entries"].as_array_mut().unwrap().insert(
        0,
        json!({ "date": "2026-12-31", "kind": "holiday", "name": "元旦" }),
    );
    let (status, response) = api.put("/api/v1/calendar/2027", &body).await;
    assert_eq!(status, 200, "{response}");
    assert_eq!(day(&response, "2027-01-01")["kind"], "holiday");
    let (_, year_2026) = public_get(&app, "/api/v1/calendar/2026").await;
    assert_eq!(day(&year_2026, "2026-12-31")["kind"], "holiday");
    assert_eq!(day(&year_2026, "2026-12-31")["holiday_name"], "元旦");

    // The 2026 arrangement cannot list that date as well.
    let mut entries_2026: Vec<Value> = year_2026["days"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|day| day["kind"] == "holiday" || day["kind"] == "makeup_workday")
        .filter(|day| day["date"] != "2026-12-31")
        .map(|day| json!({ "date": day["date"], "kind": day["kind"], "name": day["holiday_name"] }))
        .collect();
    entries_2026.push(json!({ "date": "2026-12-31", "kind": "holiday", "name": "元旦" }));
    let (status, response) = api
        .put("/api/v1/calendar/2026", &json!({ "entries": entries_2026 }))
        .await;
    assert_eq!(status, 422, "{response}");
    let message = response["fields"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("日期“2026-12-31”已属于2027年的安排"),
        "{message}"
    );
    assert_eq!(days_of_year(&app, 2026).await, 39);
}

// ---------------------------------------------------------------------------------------
// Roles

#[tokio::test]
async fn non_admin_forbidden() {
    let app = spawn_in_december_2026().await;
    app.create_user("sc1", &[Role::ServiceCenter, Role::Lgo], None)
        .await;
    let browser = app.browser("sc1").await;

    for path in [
        "/admin/calendar",
        "/admin/calendar/2026",
        "/admin/calendar/2027/edit",
        "/admin/calendar/new?year=2027",
        "/admin/settings",
    ] {
        let (status, html) = browser.get_text(path).await;
        assert_eq!(status, 403, "{path}");
        assert!(html.contains("此操作仅限系统管理员办理"), "{path}");
    }

    let response = browser
        .post_form(
            "/",
            "/admin/calendar/2027/edit",
            &[("arrangement", ARRANGEMENT_2027)],
        )
        .await;
    assert_eq!(response.status(), 403);
    let response = browser
        .post_form(
            "/",
            "/admin/settings",
            &[
                ("certificate_number_pattern", "X{year}{seq}"),
                ("portal_title", "改"),
            ],
        )
        .await;
    assert_eq!(response.status(), 403);

    let api = app.api_client("lgo1", &[Role::Lgo], None).await;
    let (status, body) = api.put("/api/v1/calendar/2027", &entries_2027()).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"], "forbidden");

    let anonymous = reqwest::Client::new()
        .put(app.url("/api/v1/calendar/2027"))
        .json(&entries_2027())
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    assert!(
        calendar_year::Entity::find_by_id(2027)
            .one(&app.state.db)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        settings::get(&app.state.db, settings::PORTAL_TITLE)
            .await
            .unwrap()
            .as_deref(),
        Some("侯马e购 · 乡村e镇综合服务平台")
    );
}

// ---------------------------------------------------------------------------------------
// Settings

#[tokio::test]
async fn settings_reject_bad_values() {
    let app = spawn_in_december_2026().await;
    let browser = admin_browser(&app).await;

    let (status, html) = browser.get_text("/admin/settings").await;
    assert_eq!(status, 200);
    assert!(html.contains("value=\"侯马e购授字〔{year}〕第{seq:4}号\""));
    assert!(
        html.contains("2026年第 7 号证书的编号为：<strong>侯马e购授字〔2026〕第0007号</strong>")
    );

    let title_61: String = "题".repeat(61);
    let cases = [
        (
            "侯马{year}号",
            "标题",
            "certificate_number_pattern",
            "证书编号格式“侯马{year}号”缺少序号占位符，应恰好包含一个{seq}或{seq:N}",
        ),
        (
            "第{seq}号",
            "标题",
            "certificate_number_pattern",
            "证书编号格式“第{seq}号”缺少年份占位符{year}",
        ),
        (
            "{year}-{seq}-{seq}",
            "标题",
            "certificate_number_pattern",
            "包含2个序号占位符",
        ),
        (
            "{year}-{no}-{seq}",
            "标题",
            "certificate_number_pattern",
            "占位符“{no}”无效",
        ),
        (
            "{year}-{seq:9}",
            "标题",
            "certificate_number_pattern",
            "位数无效，N应为1至8的整数",
        ),
        (
            "{year}-{seq",
            "标题",
            "certificate_number_pattern",
            "花括号不成对",
        ),
        (
            "  ",
            "标题",
            "certificate_number_pattern",
            "证书编号格式不能为空",
        ),
        ("HM{year}{seq}", "", "portal_title", "门户标题不能为空"),
        (
            "HM{year}{seq}",
            title_61.as_str(),
            "portal_title",
            "门户标题“题题题题题题题题题题题题题题题题题题题题…”过长，应不超过 60 个字",
        ),
    ];
    for (pattern, title, field, expected) in cases {
        let response = browser
            .post_form(
                "/admin/settings",
                "/admin/settings",
                &[
                    ("certificate_number_pattern", pattern),
                    ("portal_title", title),
                ],
            )
            .await;
        assert_eq!(response.status(), 422, "{pattern} / {title}");
        let html = response.text().await.unwrap();
        assert!(html.contains(expected), "{field}: {html}");
        assert!(html.contains("未保存任何内容"));
        assert!(
            html.contains(&format!("value=\"{}\"", pattern)),
            "refilled {pattern}"
        );
    }

    assert_eq!(
        settings::get(&app.state.db, settings::CERTIFICATE_NUMBER_PATTERN)
            .await
            .unwrap()
            .as_deref(),
        Some("侯马e购授字〔{year}〕第{seq:4}号")
    );
    let setting_changes = audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("setting"))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(setting_changes, 0);
}

#[tokio::test]
async fn settings_saved_with_example() {
    let app = spawn_in_december_2026().await;
    let browser = admin_browser(&app).await;

    let response = browser
        .post_form(
            "/admin/settings",
            "/admin/settings",
            &[
                ("certificate_number_pattern", "HM-{year}-{seq:5}"),
                ("portal_title", "  新田乡村e镇  "),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "/admin/settings?notice=saved"
    );

    let (_, html) = browser.get_text("/admin/settings?notice=saved").await;
    assert!(html.contains("系统设置已保存"));
    assert!(html.contains("<strong>HM-2026-00007</strong>"), "{html}");
    assert!(html.contains("value=\"新田乡村e镇\""));

    let db = &app.state.db;
    assert_eq!(
        settings::get(db, settings::CERTIFICATE_NUMBER_PATTERN)
            .await
            .unwrap()
            .as_deref(),
        Some("HM-{year}-{seq:5}")
    );
    assert_eq!(
        settings::get(db, settings::PORTAL_TITLE)
            .await
            .unwrap()
            .as_deref(),
        Some("新田乡村e镇")
    );

    let changes = audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("setting"))
        .all(db)
        .await
        .unwrap();
    assert_eq!(changes.len(), 2);
    let pattern_change = changes
        .iter()
        .find(|change| change.entity_id.as_deref() == Some("certificate_number_pattern"))
        .unwrap();
    assert_eq!(pattern_change.action, "update");
    assert!(
        pattern_change
            .before_json
            .as_deref()
            .unwrap()
            .contains("侯马e购授字")
    );
    assert!(
        pattern_change
            .after_json
            .as_deref()
            .unwrap()
            .contains("HM-{year}-{seq:5}")
    );

    // Saving the same values again records nothing new.
    browser
        .post_form(
            "/admin/settings",
            "/admin/settings",
            &[
                ("certificate_number_pattern", "HM-{year}-{seq:5}"),
                ("portal_title", "新田乡村e镇"),
            ],
        )
        .await;
    let count = audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("setting"))
        .count(db)
        .await
        .unwrap();
    assert_eq!(count, 2);
}

#[tokio::test]
async fn openapi_lists_calendar_paths() {
    let app = TestApp::spawn().await;
    let (status, document) = public_get(&app, "/api/openapi.json").await;
    assert_eq!(status, 200);
    let paths = &document["paths"];
    for path in [
        "/api/v1/calendar/{year}",
        "/api/v1/calendar/working-days/add",
        "/api/v1/calendar/working-days/between",
        "/api/v1/calendar/working-days/next",
    ] {
        assert!(paths[path]["get"].is_object(), "{path} missing");
    }
    assert!(paths["/api/v1/calendar/{year}"]["put"].is_object());
    assert!(document["components"]["schemas"]["YearBody"].is_object());
    assert!(document["components"]["schemas"]["EntryInput"].is_object());
}
