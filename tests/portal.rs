//! Licenses, the printable certificate and the public portal, through the real server.
//!
//! Every test pins the application's clock at 2026-06-10 10:00 Beijing time and builds its
//! enterprises, applications and licenses directly with the entities.

mod common;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use common::{Browser, TestApp};
use etown::entities::{
    application, application_product, brand, division, enterprise, license, license_product,
    objection,
};
use etown_rules::workflow::Role;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;

/// 2026-06-10 10:00 in Beijing (UTC+8), a Wednesday.
fn pinned_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 10, 2, 0, 0).unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 10).unwrap()
}

fn days_after(days: u64) -> NaiveDate {
    today() + Days::new(days)
}

fn days_before(days: u64) -> NaiveDate {
    today() - Days::new(days)
}

async fn spawn() -> TestApp {
    TestApp::spawn_at(pinned_now()).await
}

async fn sub_brand_id(app: &TestApp, name: &str) -> i64 {
    brand::Entity::find()
        .filter(brand::Column::Name.eq(name))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("seeded brand {name} missing"))
        .id
}

/// Builds a valid unified social credit code registered in Houma with the serial `serial`.
fn uscc(serial: u32) -> String {
    let first17 = format!("91141081MA0K{serial:05}");
    let check = etown_rules::uscc::check_character(&first17).expect("code characters are valid");
    format!("{first17}{check}")
}

async fn create_enterprise(app: &TestApp, name: &str, serial: u32) -> enterprise::Model {
    let division_code = division::Entity::find()
        .order_by_asc(division::Column::Code)
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("seeded divisions")
        .code;
    enterprise::ActiveModel {
        name: Set(name.into()),
        uscc: Set(uscc(serial)),
        uscc_override_reason: Set(None),
        subject_type: Set("company".into()),
        registered_address: Set("侯马市新田路1号".into()),
        division_code: Set(division_code),
        registered_in_houma: Set(true),
        operates_via_branch: Set(false),
        branch_name: Set(None),
        production_base: Set("侯马市上马街道生产基地".into()),
        is_agent: Set(false),
        producer_name: Set(None),
        contact_name: Set("王经理".into()),
        contact_mobile: Set("13812345678".into()),
        description: Set(None),
        created_at: Set(pinned_now()),
        updated_at: Set(pinned_now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap()
}

/// Inserts an application in `state` naming `products`, with the notice period when given.
async fn create_application(
    app: &TestApp,
    enterprise_id: i64,
    brand_id: i64,
    state: &str,
    notice: Option<(NaiveDate, NaiveDate)>,
    products: &[&str],
) -> application::Model {
    let serial = application::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap()
        + 1;
    let row = application::ActiveModel {
        // A prefix of its own, so these numbers never collide with those the application
        // sequence gives to renewals.
        application_no: Set(format!("SQTEST{serial:05}")),
        enterprise_id: Set(enterprise_id),
        brand_id: Set(brand_id),
        kind: Set("new".into()),
        renewal_of_license_id: Set(None),
        state: Set(state.into()),
        state_entered_at: Set(pinned_now()),
        due_on: Set(None),
        submitted_at: Set(pinned_now()),
        declared_lawful_products: Set(true),
        declared_clean_environment: Set(true),
        declared_industry_standards: Set(true),
        declared_clean_record: Set(true),
        houma_sales_share_percent: Set(Some(60)),
        own_brand_and_standards: Set(true),
        food_processing_entrusted: Set(false),
        production_capacity: Set("年产500吨".into()),
        missing_items: Set(None),
        return_reason: Set(None),
        site_review_findings: Set(None),
        notice_starts_on: Set(notice.map(|(start, _)| start)),
        notice_ends_on: Set(notice.map(|(_, end)| end)),
        license_id: Set(None),
        version: Set(1),
        created_at: Set(pinned_now()),
        updated_at: Set(pinned_now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    for (index, name) in products.iter().enumerate() {
        application_product::ActiveModel {
            application_id: Set(row.id),
            name: Set((*name).into()),
            category: Set("food".into()),
            introduction: Set(String::new()),
            cost_price_fen: Set(1000),
            market_price_fen: Set(2500),
            brand_profile: Set(String::new()),
            online_channels: Set(String::new()),
            sort_order: Set(index as i32),
            ..Default::default()
        }
        .insert(&app.state.db)
        .await
        .unwrap();
    }
    row
}

/// What a seeded license looks like.
struct LicenseSpec<'a> {
    certificate_no: &'a str,
    verify_code: &'a str,
    term_start: NaiveDate,
    term_end: NaiveDate,
    revoked: bool,
    products: &'a [&'a str],
}

/// Inserts a completed application for `enterprise_id` and the license issued on it.
async fn create_license(
    app: &TestApp,
    enterprise_id: i64,
    brand_id: i64,
    spec: LicenseSpec<'_>,
) -> license::Model {
    let application = create_application(
        app,
        enterprise_id,
        brand_id,
        "completed",
        None,
        spec.products,
    )
    .await;
    let row = license::ActiveModel {
        enterprise_id: Set(enterprise_id),
        brand_id: Set(brand_id),
        application_id: Set(application.id),
        certificate_no: Set(spec.certificate_no.into()),
        certificate_date: Set(spec.term_start),
        term_start: Set(spec.term_start),
        term_end: Set(spec.term_end),
        verify_code: Set(spec.verify_code.into()),
        status: Set(if spec.revoked { "revoked" } else { "active" }.into()),
        archive_due_on: Set(Some(spec.term_start + Days::new(14))),
        archived_at: Set(None),
        filed_at: Set(None),
        revoked_at: Set(spec.revoked.then(pinned_now)),
        revocation_reason: Set(spec.revoked.then(|| "抽检不合格".to_owned())),
        suspended_on: Set(None),
        renewed_by_license_id: Set(None),
        issued_by: Set(None),
        created_at: Set(pinned_now()),
        updated_at: Set(pinned_now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    for name in spec.products {
        license_product::ActiveModel {
            license_id: Set(row.id),
            name: Set((*name).into()),
            category: Set("food".into()),
            ..Default::default()
        }
        .insert(&app.state.db)
        .await
        .unwrap();
    }
    row
}

/// The data most tests share: one current notice, one finished notice, and three licenses
/// (valid, expired, revoked) of three enterprises under 侯马·蜂蜜.
struct Seed {
    honey_brand: i64,
    vinegar_brand: i64,
    valid_enterprise: enterprise::Model,
    other_enterprise: enterprise::Model,
    current_notice: application::Model,
    ended_notice: application::Model,
    valid: license::Model,
    expired: license::Model,
    revoked: license::Model,
}

async fn seed(app: &TestApp) -> Seed {
    let honey_brand = sub_brand_id(app, "侯马·蜂蜜").await;
    let vinegar_brand = sub_brand_id(app, "侯马·东庄米醋").await;
    let valid_enterprise = create_enterprise(app, "侯马市甜蜜蜂业有限公司", 1).await;
    let expired_enterprise = create_enterprise(app, "侯马市老槐树养蜂场", 2).await;
    let revoked_enterprise = create_enterprise(app, "侯马市百花蜜坊", 3).await;
    let other_enterprise = create_enterprise(app, "侯马市东庄醋业合作社", 4).await;
    let late_enterprise = create_enterprise(app, "侯马市迟到食品有限公司", 5).await;

    let current_notice = create_application(
        app,
        other_enterprise.id,
        vinegar_brand,
        "public_notice",
        Some((days_before(1), days_after(2))),
        &["东庄老陈醋", "东庄米醋礼盒"],
    )
    .await;
    let ended_notice = create_application(
        app,
        late_enterprise.id,
        vinegar_brand,
        "public_notice",
        Some((days_before(5), days_before(1))),
        &["迟到米醋"],
    )
    .await;

    let valid = create_license(
        app,
        valid_enterprise.id,
        honey_brand,
        LicenseSpec {
            certificate_no: "侯马e购授字〔2026〕第0001号",
            verify_code: "VALIDCODE0000000001",
            term_start: days_before(100),
            term_end: days_after(264),
            revoked: false,
            products: &["槐花蜜", "枣花蜜"],
        },
    )
    .await;
    let expired = create_license(
        app,
        expired_enterprise.id,
        honey_brand,
        LicenseSpec {
            certificate_no: "侯马e购授字〔2025〕第0007号",
            verify_code: "EXPIREDCODE00000002",
            term_start: days_before(400),
            term_end: days_before(35),
            revoked: false,
            products: &["荆条蜜"],
        },
    )
    .await;
    let revoked = create_license(
        app,
        revoked_enterprise.id,
        honey_brand,
        LicenseSpec {
            certificate_no: "侯马e购授字〔2026〕第0002号",
            verify_code: "REVOKEDCODE00000003",
            term_start: days_before(50),
            term_end: days_after(314),
            revoked: true,
            products: &["百花蜜"],
        },
    )
    .await;

    Seed {
        honey_brand,
        vinegar_brand,
        valid_enterprise,
        other_enterprise,
        current_notice,
        ended_notice,
        valid,
        expired,
        revoked,
    }
}

async fn objection_count(app: &TestApp) -> u64 {
    objection::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap()
}

async fn public_post(
    app: &TestApp,
    path: &str,
    body: &serde_json::Value,
) -> (u16, serde_json::Value, reqwest::header::HeaderMap) {
    let response = reqwest::Client::new()
        .post(app.url(path))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (
        status,
        response.json().await.unwrap_or(serde_json::Value::Null),
        headers,
    )
}

async fn public_get(app: &TestApp, path: &str) -> (u16, String) {
    let response = reqwest::get(app.url(path)).await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn portal_shows_brand_matrix() {
    let app = spawn().await;
    seed(&app).await;

    let (status, html) = public_get(&app, "/portal").await;
    assert_eq!(status, 200);
    assert!(html.contains("侯马e购 · 乡村e镇综合服务平台"), "site title");
    assert!(html.contains("侯马e购，真的很嗨"), "umbrella slogan");
    let matrix = [
        ("侯马·非遗文创", "在侯马，千年美学大放e彩"),
        ("侯马·蜂蜜", "挑南北东西，采天下好蜜"),
        ("侯马·东庄米醋", "非遗醋，香千年"),
        ("侯马·辣椒", "侯马辣，辣味就对了"),
        ("侯马·服装", "侯服天下"),
    ];
    for (name, slogan) in matrix {
        assert!(html.contains(name), "sub-brand {name}");
        assert!(html.contains(slogan), "slogan of {name}");
    }
    // Only the valid honey license counts; the expired and the revoked ones do not.
    let honey_card = &html[html.find("侯马·蜂蜜").unwrap()..];
    let honey_card = &honey_card[..honey_card.find("</div>").unwrap()];
    assert!(honey_card.contains("授权企业 1 家"), "{honey_card}");
    assert!(html.contains("侯马市乡村e镇"), "county name in the footer");
}

#[tokio::test]
async fn notices_list_current_only() {
    let app = spawn().await;
    let seed = seed(&app).await;

    let (status, html) = public_get(&app, "/portal/notices").await;
    assert_eq!(status, 200);
    assert!(html.contains(&seed.other_enterprise.name));
    assert!(html.contains("东庄老陈醋"));
    assert!(html.contains("2026-06-09 至 2026-06-12"));
    assert!(html.contains(&format!("/portal/notices/{}", seed.current_notice.id)));
    assert!(
        !html.contains("迟到米醋"),
        "a finished notice is not listed"
    );

    let (status, body) = public_get(&app, "/api/v1/public/notices").await;
    assert_eq!(status, 200);
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["total"], 1);
    assert_eq!(body["items"][0]["id"], seed.current_notice.id);
    assert_eq!(body["items"][0]["brand_name"], "侯马·东庄米醋");

    let (status, html) =
        public_get(&app, &format!("/portal/notices/{}", seed.current_notice.id)).await;
    assert_eq!(status, 200);
    assert!(html.contains("提出异议"));
    assert!(html.contains("东庄米醋礼盒"));
}

#[tokio::test]
async fn objection_filed_through_page_and_api() {
    let app = spawn().await;
    let seed = seed(&app).await;
    let notice_page = format!("/portal/notices/{}", seed.current_notice.id);
    let action = format!("{notice_page}/objections");

    let browser = Browser::new(&app);
    let response = browser
        .post_form(
            &notice_page,
            &action,
            &[
                ("name", "李群众"),
                ("contact", "0357-4123456"),
                (
                    "content",
                    "该合作社的米醋并非在侯马本地生产，而是外地代工贴牌。",
                ),
            ],
        )
        .await;
    // The POST redirects, so reloading the confirmation files nothing twice.
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!("/portal/notices/{}/objection-filed", seed.current_notice.id)
    );
    let (status, html) = browser.get_text(&location).await;
    assert_eq!(status, 200);
    assert!(html.contains("异议已提交"), "{html}");

    let stored = objection::Entity::find()
        .filter(objection::Column::ApplicationId.eq(seed.current_notice.id))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("objection stored");
    assert_eq!(stored.status, "pending");
    assert_eq!(stored.name, "李群众");
    assert_eq!(stored.contact, "0357-4123456");
    let (status, _) = browser.get_text(&location).await;
    assert_eq!(status, 200);
    let count = objection::Entity::find()
        .filter(objection::Column::ApplicationId.eq(seed.current_notice.id))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        count, 1,
        "reloading the confirmation filed another objection"
    );

    let (status, body, _) = public_post(
        &app,
        &format!(
            "/api/v1/public/notices/{}/objections",
            seed.current_notice.id
        ),
        &json!({
            "name": "赵监督",
            "contact": "zhao@example.com",
            "content": "申报材料中的荣誉证书已于去年过期，请核实。",
        }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().expect("objection id");
    let stored = objection::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("API objection stored");
    assert_eq!(stored.status, "pending");
    assert_eq!(stored.application_id, seed.current_notice.id);
    assert_eq!(objection_count(&app).await, 2);
}

/// Invalid objections: (name, contact, content, field, message).
const BAD_OBJECTIONS: [(&str, &str, &str, &str, &str); 4] = [
    (
        "",
        "13912345678",
        "产品并非本地生产，存在贴牌情况。",
        "name",
        "异议人姓名不能为空，请填写",
    ),
    (
        "李群众",
        "13912345678",
        "不是本地的",
        "content",
        "异议内容只有 5 个字，请至少用 10 个字说明异议的事实和理由",
    ),
    (
        "李群众",
        "打电话找我",
        "产品并非本地生产，存在贴牌情况。",
        "contact",
        "联系方式“打电话找我”无效，请填写电话号码或电子邮箱，以便核实时联系您",
    ),
    (
        "李群众",
        "13912345678",
        "   ",
        "content",
        "异议内容不能为空，请填写",
    ),
];

#[tokio::test]
async fn objection_page_rejects_bad_input() {
    let app = spawn().await;
    let seed = seed(&app).await;
    let notice_page = format!("/portal/notices/{}", seed.current_notice.id);
    let action = format!("{notice_page}/objections");
    let browser = Browser::new(&app);

    for (name, contact, content, field, message) in BAD_OBJECTIONS {
        let response = browser
            .post_form(
                &notice_page,
                &action,
                &[("name", name), ("contact", contact), ("content", content)],
            )
            .await;
        assert_eq!(response.status(), 422, "{field}: {message}");
        let html = response.text().await.unwrap();
        assert!(html.contains(message), "{field}: {message}\n{html}");
        assert!(
            html.contains(&format!("value=\"{contact}\"")),
            "contact refilled for {field}"
        );
        assert!(
            html.contains(&format!("{}</textarea>", content)),
            "content refilled for {field}"
        );
    }
    assert_eq!(objection_count(&app).await, 0);
}

#[tokio::test]
async fn objection_api_rejects_bad_input() {
    let app = spawn().await;
    let seed = seed(&app).await;
    let path = format!(
        "/api/v1/public/notices/{}/objections",
        seed.current_notice.id
    );

    for (name, contact, content, field, message) in BAD_OBJECTIONS {
        let (status, body, _) = public_post(
            &app,
            &path,
            &json!({ "name": name, "contact": contact, "content": content }),
        )
        .await;
        assert_eq!(status, 422, "{field}: {body}");
        assert_eq!(body["error"], "invalid");
        let fields = body["fields"].as_array().expect("field errors");
        assert!(
            fields
                .iter()
                .any(|error| error["field"] == field && error["message"] == message),
            "{field}: {body}"
        );
    }
    assert_eq!(objection_count(&app).await, 0);
}

#[tokio::test]
async fn objection_outside_notice_rejected() {
    let app = spawn().await;
    let seed = seed(&app).await;
    let ended_page = format!("/portal/notices/{}", seed.ended_notice.id);

    let (status, html) = public_get(&app, &ended_page).await;
    assert_eq!(status, 404, "{html}");

    let valid_input = [
        ("name", "李群众"),
        ("contact", "13912345678"),
        ("content", "产品并非本地生产，存在贴牌情况。"),
    ];
    let browser = Browser::new(&app);
    let response = browser
        .post_form(
            &format!("/portal/notices/{}", seed.current_notice.id),
            &format!("{ended_page}/objections"),
            &valid_input,
        )
        .await;
    assert_eq!(response.status(), 409);
    let html = response.text().await.unwrap();
    assert!(html.contains("该申请不在公示期内，不能提出异议"), "{html}");

    let (status, body, _) = public_post(
        &app,
        &format!("/api/v1/public/notices/{}/objections", seed.ended_notice.id),
        &json!({ "name": "李群众", "contact": "13912345678", "content": "产品并非本地生产，存在贴牌情况。" }),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["message"], "该申请不在公示期内，不能提出异议");

    // A license's application that never was in public notice is not a notice either.
    let (status, _) = public_get(
        &app,
        &format!("/portal/notices/{}", seed.valid.application_id),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(objection_count(&app).await, 0);
}

#[tokio::test]
async fn objection_rate_limited() {
    let app = spawn().await;
    let seed = seed(&app).await;
    let path = format!(
        "/api/v1/public/notices/{}/objections",
        seed.current_notice.id
    );
    let input = json!({ "name": "李群众", "contact": "13912345678", "content": "产品并非本地生产，存在贴牌情况。" });

    for attempt in 1..=5 {
        let (status, body, _) = public_post(&app, &path, &input).await;
        assert_eq!(status, 201, "attempt {attempt}: {body}");
    }
    let (status, body, headers) = public_post(&app, &path, &input).await;
    assert_eq!(status, 429, "{body}");
    assert!(headers.contains_key("retry-after"));
    assert!(
        body["message"].as_str().unwrap().contains("操作过于频繁"),
        "{body}"
    );

    // The page shares the limit of the client address.
    let notice_page = format!("/portal/notices/{}", seed.current_notice.id);
    let browser = Browser::new(&app);
    let response = browser
        .post_form(
            &notice_page,
            &format!("{notice_page}/objections"),
            &[
                ("name", "李群众"),
                ("contact", "13912345678"),
                ("content", "产品并非本地生产，存在贴牌情况。"),
            ],
        )
        .await;
    assert_eq!(response.status(), 429);
    assert_eq!(objection_count(&app).await, 5);
}

#[tokio::test]
async fn verify_page_shows_status() {
    let app = spawn().await;
    let seed = seed(&app).await;

    let cases = [
        (&seed.valid, "valid", "有效"),
        (&seed.expired, "expired", "已过期"),
        (&seed.revoked, "revoked", "已撤销"),
    ];
    for (row, class, label) in cases {
        let (status, html) = public_get(&app, &format!("/portal/verify/{}", row.verify_code)).await;
        assert_eq!(status, 200, "{label}");
        assert!(
            html.contains(&format!("<div class=\"verify-result {class}\">{label}")),
            "{label}: {html}"
        );
        assert!(html.contains(&row.certificate_no), "{label}");
        assert!(
            html.contains(&format!("{} 至 {}", row.term_start, row.term_end)),
            "{label}"
        );
    }
    let (_, html) = public_get(&app, &format!("/portal/verify/{}", seed.valid.verify_code)).await;
    assert!(html.contains(&seed.valid_enterprise.name));
    assert!(html.contains("侯马·蜂蜜"));
    assert!(html.contains("槐花蜜、枣花蜜"));
    assert!(html.contains("<dt>查验日期</dt><dd>2026-06-10</dd>"));

    let (status, html) = public_get(&app, "/portal/verify/NOSUCHCODE000000").await;
    assert_eq!(status, 404);
    assert!(html.contains("未查询到该证书"), "{html}");

    // The form looks a certificate up by its number too.
    let response = reqwest::Client::new()
        .get(app.url("/portal/verify"))
        .query(&[("code", seed.expired.certificate_no.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("<div class=\"verify-result expired\">已过期"),
        "{html}"
    );

    let (status, body) = public_get(
        &app,
        &format!("/api/v1/public/verify/{}", seed.revoked.verify_code),
    )
    .await;
    assert_eq!(status, 200);
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["status"], "revoked");
    assert_eq!(body["status_label"], "已撤销");
    assert_eq!(body["certificate_no"], seed.revoked.certificate_no);
    let (status, _) = public_get(&app, "/api/v1/public/verify/NOSUCHCODE000000").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn verify_early_renewal_shows_start() {
    let app = spawn().await;
    let seed = seed(&app).await;
    let renewal = create_license(
        &app,
        seed.valid_enterprise.id,
        seed.vinegar_brand,
        LicenseSpec {
            certificate_no: "侯马e购授字〔2026〕第0009号",
            verify_code: "RENEWALCODE00000009",
            term_start: days_after(21),
            term_end: days_after(385),
            revoked: false,
            products: &["陈醋"],
        },
    )
    .await;

    let (status, html) = public_get(&app, &format!("/portal/verify/{}", renewal.verify_code)).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<div class=\"verify-result valid\">有效（自 2026-07-01 起）"),
        "{html}"
    );
}

#[tokio::test]
async fn licensee_directory_lists_valid_only() {
    let app = spawn().await;
    let seed = seed(&app).await;

    let (status, html) = public_get(&app, "/portal/licensees").await;
    assert_eq!(status, 200);
    assert!(html.contains(&seed.valid_enterprise.name));
    assert!(html.contains("槐花蜜、枣花蜜"));
    assert!(!html.contains("老槐树养蜂场"), "expired licensee listed");
    assert!(!html.contains("百花蜜坊"), "revoked licensee listed");

    let (status, body) = public_get(&app, "/api/v1/public/licensees?q=枣花&brand_id=").await;
    assert_eq!(status, 200, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["total"], 1);
    assert_eq!(
        body["items"][0]["enterprise_name"],
        seed.valid_enterprise.name
    );

    let (_, body) = public_get(
        &app,
        &format!("/api/v1/public/licensees?brand_id={}", seed.vinegar_brand),
    )
    .await;
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["total"], 0);
}

#[tokio::test]
async fn certificate_page_has_verify_qr() {
    let app = spawn().await;
    let seed = seed(&app).await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;

    let (status, html) = browser
        .get_text(&format!("/licenses/{}/certificate", seed.valid.id))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("授权使用证书"));
    assert!(html.contains(&seed.valid.certificate_no));
    let text = format!(
        "兹授权 {}（统一社会信用代码：{}）在下列产品上使用“侯马·蜂蜜”区域公用品牌：槐花蜜、枣花蜜，授权期限自 {} 至 {}。",
        seed.valid_enterprise.name,
        seed.valid_enterprise.uscc,
        seed.valid.term_start,
        seed.valid.term_end
    );
    assert!(html.contains(&text), "{html}");
    assert!(html.contains("侯马市乡村e镇领导小组办公室"));
    assert!(html.contains("<svg"), "QR code missing");
    assert!(!html.contains("<?xml"), "XML declaration inside HTML");
    let verify_url = app.url(&format!("/portal/verify/{}", seed.valid.verify_code));
    assert!(html.contains(&verify_url), "verify URL missing");
    assert!(
        !html.contains("admin/layout"),
        "certificate uses the admin frame"
    );
    assert!(
        !html.contains("class=\"sidebar\""),
        "certificate shows the menu"
    );
}

#[tokio::test]
async fn license_list_and_detail_for_staff() {
    let app = spawn().await;
    let seed = seed(&app).await;
    app.create_user("lgo1", &[Role::Lgo], None).await;
    let browser = app.browser("lgo1").await;

    let (status, html) = browser.get_text("/licenses").await;
    assert_eq!(status, 200);
    for row in [&seed.valid, &seed.expired, &seed.revoked] {
        assert!(html.contains(&row.certificate_no), "{}", row.certificate_no);
    }
    assert!(html.contains("待建档"));

    let (status, html) = browser
        .get_text("/licenses?status=expired&brand_id=&q=")
        .await;
    assert_eq!(status, 200);
    assert!(html.contains(&seed.expired.certificate_no));
    assert!(!html.contains(&seed.valid.certificate_no));

    let (status, html) = browser.get_text("/licenses?q=百花").await;
    assert_eq!(status, 200);
    assert!(html.contains(&seed.revoked.certificate_no));
    assert!(!html.contains(&seed.expired.certificate_no));

    let (status, html) = browser
        .get_text(&format!("/licenses/{}", seed.revoked.id))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("已撤销"));
    assert!(html.contains("抽检不合格"));
    assert!(html.contains(&format!("/applications/{}", seed.revoked.application_id)));

    let api = app.api_client("bureau1", &[Role::Bureau], None).await;
    let (status, body) = api
        .get(&format!(
            "/api/v1/licenses?brand_id={}&status=valid",
            seed.honey_brand
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 1);
    assert_eq!(
        body["items"][0]["certificate_no"],
        seed.valid.certificate_no
    );

    let (status, body) = api.get("/api/v1/licenses?status=lost").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "status");

    let admin = app.api_client("admin1", &[Role::Admin], None).await;
    let (status, _) = admin.get("/api/v1/licenses").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn enterprise_sees_only_own_licenses() {
    let app = spawn().await;
    let seed = seed(&app).await;
    app.create_user("ent1", &[Role::Enterprise], Some(seed.valid_enterprise.id))
        .await;
    let browser = app.browser("ent1").await;

    let (status, html) = browser.get_text("/licenses").await;
    assert_eq!(status, 200);
    assert!(html.contains(&seed.valid.certificate_no));
    assert!(!html.contains(&seed.expired.certificate_no));

    let own = browser.get(&format!("/licenses/{}", seed.valid.id)).await;
    assert_eq!(own.status(), 200);
    for path in [
        format!("/licenses/{}", seed.expired.id),
        format!("/licenses/{}/certificate", seed.expired.id),
    ] {
        let (status, _) = browser.get_text(&path).await;
        assert_eq!(status, 404, "{path}");
    }

    let api = app
        .api_client(
            "ent1-api",
            &[Role::Enterprise],
            Some(seed.valid_enterprise.id),
        )
        .await;
    let (status, body) = api.get("/api/v1/licenses").await;
    assert_eq!(status, 200);
    assert_eq!(body["total"], 1);
    let (status, _) = api
        .get(&format!("/api/v1/licenses/{}", seed.revoked.id))
        .await;
    assert_eq!(status, 404);
    let (status, _) = api
        .post(
            &format!("/api/v1/licenses/{}/renewal", seed.revoked.id),
            &json!({}),
        )
        .await;
    assert_eq!(status, 404);
}

async fn renewal_count(app: &TestApp) -> u64 {
    application::Entity::find()
        .filter(application::Column::Kind.eq("renewal"))
        .count(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn renewal_outside_window_rejected() {
    let app = spawn().await;
    let seed = seed(&app).await;
    app.create_user("ent1", &[Role::Enterprise], Some(seed.valid_enterprise.id))
        .await;
    let browser = app.browser("ent1").await;
    // The term ends 2027-03-01, so the window is 2027-01-31 to 2027-03-01.
    let message = "续用申请须在授权期满前30日内提出，可申请期间为2027-01-31至2027-03-01";

    let (status, html) = browser
        .get_text(&format!("/licenses/{}", seed.valid.id))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains(message), "{html}");
    assert!(!html.contains("申请续用</button>"), "renewal button shown");

    let api = app
        .api_client(
            "ent1-api",
            &[Role::Enterprise],
            Some(seed.valid_enterprise.id),
        )
        .await;
    let (status, body) = api
        .post(
            &format!("/api/v1/licenses/{}/renewal", seed.valid.id),
            &json!({}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["message"], message);

    let response = browser
        .post_form(
            &format!("/licenses/{}", seed.valid.id),
            &format!("/licenses/{}/renew", seed.valid.id),
            &[],
        )
        .await;
    assert_eq!(response.status(), 409);
    assert!(response.text().await.unwrap().contains(message));
    assert_eq!(renewal_count(&app).await, 0);
}

#[tokio::test]
async fn renewal_inside_window_creates_application() {
    let app = spawn().await;
    let seed = seed(&app).await;
    let ending = create_license(
        &app,
        seed.other_enterprise.id,
        seed.honey_brand,
        LicenseSpec {
            certificate_no: "侯马e购授字〔2025〕第0020号",
            verify_code: "ENDINGCODE000000020",
            term_start: days_before(355),
            term_end: days_after(10),
            revoked: false,
            products: &["洋槐蜜"],
        },
    )
    .await;
    app.create_user("ent2", &[Role::Enterprise], Some(seed.other_enterprise.id))
        .await;
    let browser = app.browser("ent2").await;

    let detail = format!("/licenses/{}", ending.id);
    let (_, html) = browser.get_text(&detail).await;
    assert!(html.contains("申请续用</button>"), "{html}");

    let response = browser
        .post_form(&detail, &format!("{detail}/renew"), &[])
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();

    let renewal = application::Entity::find()
        .filter(application::Column::Kind.eq("renewal"))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("renewal application created");
    assert_eq!(location, format!("/applications/{}", renewal.id));
    assert_eq!(renewal.renewal_of_license_id, Some(ending.id));
    assert_eq!(renewal.enterprise_id, seed.other_enterprise.id);
    assert_eq!(renewal.state, "submitted");
    let products: Vec<String> = application_product::Entity::find()
        .filter(application_product::Column::ApplicationId.eq(renewal.id))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.name)
        .collect();
    assert_eq!(products, vec!["洋槐蜜".to_owned()]);

    // A second request while the first is open changes nothing.
    let api = app
        .api_client(
            "ent2-api",
            &[Role::Enterprise],
            Some(seed.other_enterprise.id),
        )
        .await;
    let (status, body) = api
        .post(
            &format!("/api/v1/licenses/{}/renewal", ending.id),
            &json!({}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("正在办理的同一品牌申请"),
        "{body}"
    );
    assert_eq!(renewal_count(&app).await, 1);
}

#[tokio::test]
async fn renewal_through_api_returns_application() {
    let app = spawn().await;
    let seed = seed(&app).await;
    let ending = create_license(
        &app,
        seed.other_enterprise.id,
        seed.honey_brand,
        LicenseSpec {
            certificate_no: "侯马e购授字〔2025〕第0021号",
            verify_code: "ENDINGCODE000000021",
            term_start: days_before(360),
            term_end: days_after(4),
            revoked: false,
            products: &["洋槐蜜"],
        },
    )
    .await;
    let api = app
        .api_client(
            "ent2-api",
            &[Role::Enterprise],
            Some(seed.other_enterprise.id),
        )
        .await;
    let (status, body) = api
        .post(
            &format!("/api/v1/licenses/{}/renewal", ending.id),
            &json!({}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let id = body["application_id"].as_i64().unwrap();
    let stored = application::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.kind, "renewal");
    assert_eq!(body["application_no"], stored.application_no);

    // Staff cannot request a renewal on the licensee's behalf.
    let staff = app.api_client("sc1", &[Role::ServiceCenter], None).await;
    let (status, _) = staff
        .post(
            &format!("/api/v1/licenses/{}/renewal", seed.valid.id),
            &json!({}),
        )
        .await;
    assert_eq!(status, 403);
}
