//! The public-brand matrix through the real server: the seeded brands on the page and the
//! API, adding and editing sub-brands, caps on licensees, logos, bad input and role checks.

mod common;

use chrono::{Days, NaiveDate, Utc};
use common::{Browser, TestApp};
use etown::{
    entities::{application, audit_log, brand, enterprise, file, license},
    services::brands,
    web::error::AppError,
};
use etown_rules::workflow::Role;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::json;

const UMBRELLA: (&str, &str) = ("侯马e购", "侯马e购，真的很嗨");

/// The sub-brands of the county seed file, in their seeded order.
const SEEDED_SUB_BRANDS: [(&str, &str); 5] = [
    ("侯马·非遗文创", "在侯马，千年美学大放e彩"),
    ("侯马·蜂蜜", "挑南北东西，采天下好蜜"),
    ("侯马·东庄米醋", "非遗醋，香千年"),
    ("侯马·辣椒", "侯马辣，辣味就对了"),
    ("侯马·服装", "侯服天下"),
];

// ---------------------------------------------------------------------------------------
// Helpers

async fn brand_by_name(app: &TestApp, name: &str) -> brand::Model {
    brand::Entity::find()
        .filter(brand::Column::Name.eq(name))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("brand {name} not found"))
}

async fn brand_by_id(app: &TestApp, id: i64) -> brand::Model {
    brand::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

async fn brand_count(app: &TestApp) -> u64 {
    brand::Entity::find().count(&app.state.db).await.unwrap()
}

async fn brand_audit_count(app: &TestApp) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("brand"))
        .count(&app.state.db)
        .await
        .unwrap()
}

async fn insert_enterprise(app: &TestApp, suffix: &str) -> i64 {
    let now = Utc::now();
    enterprise::ActiveModel {
        name: Set(format!("侯马测试企业{suffix}")),
        uscc: Set(format!("TEST{suffix:0>14}")),
        uscc_override_reason: Set(None),
        subject_type: Set("company".into()),
        registered_address: Set("侯马市新田乡".into()),
        division_code: Set("141081200".into()),
        registered_in_houma: Set(true),
        operates_via_branch: Set(false),
        branch_name: Set(None),
        production_base: Set("新田乡生产基地".into()),
        is_agent: Set(false),
        producer_name: Set(None),
        contact_name: Set("联系人".into()),
        contact_mobile: Set("13800000000".into()),
        description: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .expect("insert enterprise")
    .id
}

/// Inserts `count` licenses of `brand_id`, each for its own enterprise and application,
/// with the given status and last day of term.
async fn insert_licenses(
    app: &TestApp,
    brand_id: i64,
    count: usize,
    status: &str,
    term_end: NaiveDate,
) {
    let now = Utc::now();
    for _ in 0..count {
        let suffix = etown::web::auth::random_token(5);
        let enterprise_id = insert_enterprise(app, &suffix).await;
        let application_id = application::ActiveModel {
            application_no: Set(format!("SQ-{suffix}")),
            enterprise_id: Set(enterprise_id),
            brand_id: Set(brand_id),
            kind: Set("new".into()),
            renewal_of_license_id: Set(None),
            state: Set("completed".into()),
            state_entered_at: Set(now),
            due_on: Set(None),
            submitted_at: Set(now),
            declared_lawful_products: Set(true),
            declared_clean_environment: Set(true),
            declared_industry_standards: Set(true),
            declared_clean_record: Set(true),
            houma_sales_share_percent: Set(Some(60)),
            own_brand_and_standards: Set(true),
            food_processing_entrusted: Set(false),
            production_capacity: Set("年产 10 吨".into()),
            missing_items: Set(None),
            return_reason: Set(None),
            site_review_findings: Set(None),
            notice_starts_on: Set(None),
            notice_ends_on: Set(None),
            license_id: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&app.state.db)
        .await
        .expect("insert application")
        .id;
        license::ActiveModel {
            enterprise_id: Set(enterprise_id),
            brand_id: Set(brand_id),
            application_id: Set(application_id),
            certificate_no: Set(format!("侯马e购授字〔2026〕第{suffix}号")),
            certificate_date: Set(term_end - Days::new(365)),
            term_start: Set(term_end - Days::new(365)),
            term_end: Set(term_end),
            verify_code: Set(format!("V{suffix}")),
            status: Set(status.into()),
            archive_due_on: Set(None),
            archived_at: Set(None),
            filed_at: Set(None),
            revoked_at: Set(None),
            revocation_reason: Set(None),
            suspended_on: Set(None),
            renewed_by_license_id: Set(None),
            issued_by: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&app.state.db)
        .await
        .expect("insert license");
    }
}

/// Computes the CRC-32 (ISO-HDLC, as PNG uses) of `bytes`.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc_input);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
}

/// Builds a valid 1×1 red RGB PNG: IHDR, one IDAT holding an uncompressed zlib stream, IEND.
fn tiny_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();

    let mut header = Vec::new();
    header.extend_from_slice(&1u32.to_be_bytes());
    header.extend_from_slice(&1u32.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunk(&mut png, b"IHDR", &header);

    // One scanline: filter type 0, then red, green, blue.
    let raw = [0u8, 0xC8, 0x10, 0x2E];
    let (mut a, mut b) = (1u32, 0u32);
    for byte in raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    let length = raw.len() as u16;
    let mut zlib = vec![0x78, 0x01, 0x01];
    zlib.extend_from_slice(&length.to_le_bytes());
    zlib.extend_from_slice(&(!length).to_le_bytes());
    zlib.extend_from_slice(&raw);
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    png_chunk(&mut png, b"IDAT", &zlib);

    png_chunk(&mut png, b"IEND", &[]);
    png
}

/// Posts a multipart logo upload with the CSRF token taken from `form_page`.
async fn upload_logo(
    browser: &Browser,
    form_page: &str,
    brand_id: i64,
    file_name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let token = browser.csrf(form_page).await;
    let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned());
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .part("logo", part);
    browser
        .client
        .post(format!("{}/brands/{brand_id}/logo", browser.base))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Fetches the matrix from the API without logging in.
async fn public_matrix(app: &TestApp) -> serde_json::Value {
    let response = reqwest::get(app.url("/api/v1/brands")).await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn sub_brand_names(matrix: &serde_json::Value) -> Vec<String> {
    matrix["sub_brands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|brand| brand["name"].as_str().unwrap().to_owned())
        .collect()
}

fn field_message<'a>(body: &'a serde_json::Value, field: &str) -> &'a str {
    body["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no field errors in {body}"))
        .iter()
        .find(|error| error["field"] == field)
        .unwrap_or_else(|| panic!("no error for {field} in {body}"))["message"]
        .as_str()
        .unwrap()
}

/// Returns whether `message` is shown inside the label of the input named `field`.
fn error_beside_field(html: &str, field: &str, message: &str) -> bool {
    let Some(input) = html.find(&format!("name=\"{field}\"")) else {
        return false;
    };
    let label_start = html[..input].rfind("<label").unwrap_or(0);
    let label_end = html[input..]
        .find("</label>")
        .map_or(html.len(), |end| input + end);
    let label = &html[label_start..label_end];
    label.contains("has-error") && label.contains(message)
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

// ---------------------------------------------------------------------------------------
// The seeded matrix

#[tokio::test]
async fn seeded_matrix_on_page() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;

    let (status, html) = browser.get_text("/brands").await;
    assert_eq!(status, 200);
    assert!(html.contains(UMBRELLA.0), "{html}");
    assert!(html.contains(UMBRELLA.1), "{html}");
    let mut last_position = 0;
    for (name, slogan) in SEEDED_SUB_BRANDS {
        let position = html
            .find(&format!("<td>{name}"))
            .unwrap_or_else(|| panic!("{name} missing: {html}"));
        assert!(position > last_position, "{name} out of order");
        last_position = position;
        assert!(html.contains(slogan), "{slogan} missing");
    }
    assert!(html.contains("不限"));
    assert!(html.contains("新增分支品牌"));
}

#[tokio::test]
async fn seeded_matrix_on_api_without_login() {
    let app = TestApp::spawn().await;
    let matrix = public_matrix(&app).await;

    assert_eq!(matrix["umbrella"]["name"], UMBRELLA.0);
    assert_eq!(matrix["umbrella"]["slogan"], UMBRELLA.1);
    assert_eq!(matrix["umbrella"]["parent_id"], serde_json::Value::Null);
    let umbrella_id = matrix["umbrella"]["id"].as_i64().unwrap();

    let sub_brands = matrix["sub_brands"].as_array().unwrap();
    assert_eq!(sub_brands.len(), SEEDED_SUB_BRANDS.len());
    for (entry, (name, slogan)) in sub_brands.iter().zip(SEEDED_SUB_BRANDS) {
        assert_eq!(entry["name"], name);
        assert_eq!(entry["slogan"], slogan);
        assert_eq!(entry["parent_id"], umbrella_id);
        assert_eq!(entry["license_cap"], serde_json::Value::Null);
        assert_eq!(entry["valid_licenses"], 0);
        assert_eq!(entry["is_active"], true);
        assert_eq!(entry["logo_url"], serde_json::Value::Null);
    }

    let honey = brand_by_name(&app, "侯马·蜂蜜").await;
    let fetched = reqwest::get(app.url(&format!("/api/v1/brands/{}", honey.id)))
        .await
        .unwrap();
    assert_eq!(fetched.status(), 200);
    let fetched: serde_json::Value = fetched.json().await.unwrap();
    assert_eq!(fetched["slogan"], "挑南北东西，采天下好蜜");

    let missing = reqwest::get(app.url("/api/v1/brands/999999"))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn every_staff_role_views_matrix() {
    let app = TestApp::spawn().await;
    for (username, role) in [
        ("lgo1", Role::Lgo),
        ("bureau1", Role::Bureau),
        ("supervisor1", Role::Supervisor),
    ] {
        app.create_user(username, &[role], None).await;
        let browser = app.browser(username).await;
        let (status, html) = browser.get_text("/brands").await;
        assert_eq!(status, 200, "{username}");
        assert!(html.contains(UMBRELLA.1), "{username}");
        assert!(
            !html.contains("新增分支品牌"),
            "{username} sees the add button"
        );
        assert!(!html.contains("/edit\""), "{username} sees edit links");
    }

    let enterprise_id = insert_enterprise(&app, "view").await;
    app.create_user("ent1", &[Role::Enterprise], Some(enterprise_id))
        .await;
    let browser = app.browser("ent1").await;
    let (status, _) = browser.get_text("/brands").await;
    assert_eq!(status, 403);
}

// ---------------------------------------------------------------------------------------
// Adding and editing

#[tokio::test]
async fn service_center_adds_sub_brand_on_page() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let audits_before = brand_audit_count(&app).await;

    let response = browser
        .post_form(
            "/brands/new",
            "/brands/new",
            &[
                ("name", " 侯马·新田葡萄 "),
                ("slogan", "新田葡萄，颗颗香甜"),
                ("description", "新田乡葡萄产业公用品牌"),
                ("license_cap", "20"),
                ("sort_order", ""),
                ("is_active", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/brands?notice=created");

    let created = brand_by_name(&app, "侯马·新田葡萄").await;
    let umbrella = brand_by_name(&app, UMBRELLA.0).await;
    assert_eq!(created.parent_id, Some(umbrella.id));
    assert_eq!(created.slogan, "新田葡萄，颗颗香甜");
    assert_eq!(created.license_cap, Some(20));
    assert!(created.is_active);
    assert_eq!(brand_audit_count(&app).await, audits_before + 1);

    let (_, html) = browser.get_text("/brands?notice=created").await;
    assert!(html.contains("分支品牌已新增"));
    assert!(html.contains("新田葡萄，颗颗香甜"));
    assert!(html.contains("20 家"));

    // Without a sort order the new sub-brand goes after the seeded ones.
    let names = sub_brand_names(&public_matrix(&app).await);
    assert_eq!(names.last().unwrap(), "侯马·新田葡萄");
    assert_eq!(names.len(), SEEDED_SUB_BRANDS.len() + 1);
}

#[tokio::test]
async fn service_center_adds_sub_brand_via_api() {
    let app = TestApp::spawn().await;
    let client = app.api_client("sc-api", &[Role::ServiceCenter], None).await;

    let (status, body) = client
        .post(
            "/api/v1/brands",
            &json!({"name": "侯马·新田葡萄", "slogan": "新田葡萄，颗颗香甜", "license_cap": 30, "sort_order": 0}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["name"], "侯马·新田葡萄");
    assert_eq!(body["license_cap"], 30);
    assert_eq!(body["valid_licenses"], 0);
    assert_eq!(body["is_active"], true);
    let id = body["id"].as_i64().unwrap();

    let fetched: serde_json::Value = reqwest::get(app.url(&format!("/api/v1/brands/{id}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["slogan"], "新田葡萄，颗颗香甜");

    // Sort order 0 puts it before the seeded sub-brands, which start at 1.
    let names = sub_brand_names(&public_matrix(&app).await);
    assert_eq!(names.first().unwrap(), "侯马·新田葡萄");

    let anonymous = reqwest::Client::new()
        .post(app.url("/api/v1/brands"))
        .json(&json!({"name": "侯马·苹果", "slogan": "侯马苹果脆又甜"}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn umbrella_slogan_changed_on_page() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let umbrella = brand_by_name(&app, UMBRELLA.0).await;
    let edit = format!("/brands/{}/edit", umbrella.id);

    let (status, html) = browser.get_text(&edit).await;
    assert_eq!(status, 200);
    assert!(html.contains(UMBRELLA.1));
    assert!(
        !html.contains("name=\"license_cap\""),
        "umbrella form offers a cap"
    );

    let response = browser
        .post_form(
            &edit,
            &edit,
            &[
                ("name", UMBRELLA.0),
                ("slogan", "侯马e购，好物都在这"),
                ("description", "侯马市区域公用品牌"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);

    let after = brand_by_id(&app, umbrella.id).await;
    assert_eq!(after.slogan, "侯马e购，好物都在这");
    assert!(after.is_active);
    assert_eq!(after.sort_order, umbrella.sort_order);
    let matrix = public_matrix(&app).await;
    assert_eq!(matrix["umbrella"]["slogan"], "侯马e购，好物都在这");
}

#[tokio::test]
async fn sub_brand_slogan_changed_via_api() {
    let app = TestApp::spawn().await;
    let client = app.api_client("sc-api", &[Role::ServiceCenter], None).await;
    let vinegar = brand_by_name(&app, "侯马·东庄米醋").await;

    let (status, body) = client
        .put(
            &format!("/api/v1/brands/{}", vinegar.id),
            &json!({"name": "侯马·东庄米醋", "slogan": "东庄米醋，酸香千年", "license_cap": "15"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["slogan"], "东庄米醋，酸香千年");
    assert_eq!(body["license_cap"], 15);

    // Sort order and status were not sent, so they are kept.
    let after = brand_by_id(&app, vinegar.id).await;
    assert_eq!(after.sort_order, vinegar.sort_order);
    assert!(after.is_active);

    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let (_, html) = browser.get_text("/brands").await;
    assert!(html.contains("东庄米醋，酸香千年"));
    assert!(!html.contains("非遗醋，香千年"));
}

// ---------------------------------------------------------------------------------------
// Caps and application acceptance

#[tokio::test]
async fn full_cap_rejects_applications() {
    let app = TestApp::spawn().await;
    let client = app.api_client("sc-api", &[Role::ServiceCenter], None).await;
    let honey = brand_by_name(&app, "侯马·蜂蜜").await;
    let today = app.state.clock.today();

    let (status, body) = client
        .put(
            &format!("/api/v1/brands/{}", honey.id),
            &json!({"name": "侯马·蜂蜜", "slogan": "挑南北东西，采天下好蜜", "license_cap": 2}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // Licenses that ended yesterday or are not active do not count.
    let yesterday = today - Days::new(1);
    insert_licenses(&app, honey.id, 1, "active", yesterday).await;
    insert_licenses(&app, honey.id, 1, "revoked", today + Days::new(100)).await;
    let accepted = brands::check_accepts_applications(&app.state.db, honey.id, today).await;
    assert_eq!(accepted.unwrap().id, honey.id);

    // A license whose term ends today still counts.
    insert_licenses(&app, honey.id, 1, "active", today).await;
    assert!(
        brands::check_accepts_applications(&app.state.db, honey.id, today)
            .await
            .is_ok()
    );

    insert_licenses(&app, honey.id, 1, "active", today + Days::new(200)).await;
    let error = brands::check_accepts_applications(&app.state.db, honey.id, today)
        .await
        .unwrap_err();
    match error {
        AppError::Rejected(message) => assert_eq!(
            message,
            "侯马·蜂蜜的授权名额已满（上限 2 家，现有有效授权 2 家）"
        ),
        other => panic!("expected a rejection, got {other:?}"),
    }

    let matrix = public_matrix(&app).await;
    let entry = matrix["sub_brands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["id"] == honey.id)
        .unwrap()
        .clone();
    assert_eq!(entry["valid_licenses"], 2);
    assert_eq!(entry["license_cap"], 2);

    // Raising the cap opens the sub-brand again.
    let (status, _) = client
        .put(
            &format!("/api/v1/brands/{}", honey.id),
            &json!({"name": "侯马·蜂蜜", "slogan": "挑南北东西，采天下好蜜", "license_cap": 3}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        brands::check_accepts_applications(&app.state.db, honey.id, today)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn inactive_or_umbrella_rejects_applications() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let chili = brand_by_name(&app, "侯马·辣椒").await;
    let umbrella = brand_by_name(&app, UMBRELLA.0).await;
    let today = app.state.clock.today();

    let response = browser
        .post_form(
            "/brands",
            &format!("/brands/{}/active", chili.id),
            &[("is_active", "0")],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert!(!brand_by_id(&app, chili.id).await.is_active);
    let (_, html) = browser.get_text("/brands").await;
    assert!(html.contains("已停用"));

    let rejections = [
        (chili.id, "侯马·辣椒已停用，暂不受理新的授权申请".to_owned()),
        (
            umbrella.id,
            format!(
                "“{}”是总品牌，不受理授权申请，请选择其下的一个分支品牌",
                UMBRELLA.0
            ),
        ),
        (
            999_999,
            "编号为 999999 的品牌不存在，请从品牌矩阵中选择一个分支品牌".to_owned(),
        ),
    ];
    for (brand_id, expected) in rejections {
        match brands::check_accepts_applications(&app.state.db, brand_id, today).await {
            Err(AppError::Rejected(message)) => assert_eq!(message, expected),
            other => panic!("brand {brand_id}: expected a rejection, got {other:?}"),
        }
    }

    let response = browser
        .post_form(
            "/brands",
            &format!("/brands/{}/active", chili.id),
            &[("is_active", "1")],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert!(
        brands::check_accepts_applications(&app.state.db, chili.id, today)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn umbrella_cannot_be_deactivated() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let client = app.api_client("sc-api", &[Role::ServiceCenter], None).await;
    let umbrella = brand_by_name(&app, UMBRELLA.0).await;
    let audits_before = brand_audit_count(&app).await;

    let response = browser
        .post_form(
            "/brands",
            &format!("/brands/{}/active", umbrella.id),
            &[("is_active", "0")],
        )
        .await;
    assert_eq!(response.status(), 409);
    let html = response.text().await.unwrap();
    assert!(html.contains("总品牌“侯马e购”不能停用"), "{html}");

    let (status, body) = client
        .put(
            &format!("/api/v1/brands/{}", umbrella.id),
            &json!({"name": UMBRELLA.0, "slogan": UMBRELLA.1, "is_active": false}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(field_message(&body, "is_active").contains("不能停用"));

    let (status, body) = client
        .put(
            &format!("/api/v1/brands/{}", umbrella.id),
            &json!({"name": UMBRELLA.0, "slogan": UMBRELLA.1, "license_cap": 10}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(field_message(&body, "license_cap").contains("总品牌不设授权名额上限"));

    assert_eq!(brand_by_id(&app, umbrella.id).await, umbrella);
    assert_eq!(brand_audit_count(&app).await, audits_before);
}

// ---------------------------------------------------------------------------------------
// Logos

#[tokio::test]
async fn png_logo_served_publicly() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let honey = brand_by_name(&app, "侯马·蜂蜜").await;
    let edit = format!("/brands/{}/edit", honey.id);
    let png = tiny_png();
    // The known CRC of the IEND chunk type shows that the checksum helper matches PNG's.
    assert_eq!(crc32(b"IEND"), 0xAE42_6082);

    let missing = reqwest::get(app.url(&format!("/brand-logos/{}", honey.id)))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    let response = upload_logo(&browser, &edit, honey.id, "蜂蜜标志.png", png.clone()).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), format!("{edit}?notice=logo_updated"));
    let (_, html) = browser.get_text(&location(&response)).await;
    assert!(html.contains("品牌标志已更新"));

    let after = brand_by_id(&app, honey.id).await;
    let file_id = after.logo_file_id.expect("logo stored");
    let stored = file::Entity::find_by_id(file_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.content_type, "image/png");
    assert_eq!(stored.original_name, "蜂蜜标志.png");

    let served = reqwest::get(app.url(&format!("/brand-logos/{}", honey.id)))
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.headers()["cache-control"], "public, max-age=3600");
    assert_eq!(served.headers()["x-content-type-options"], "nosniff");
    let etag = served.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(served.bytes().await.unwrap().to_vec(), png);

    let revalidated = reqwest::Client::new()
        .get(app.url(&format!("/brand-logos/{}", honey.id)))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 304);

    let matrix = public_matrix(&app).await;
    let entry = matrix["sub_brands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["id"] == honey.id)
        .unwrap()
        .clone();
    let logo_url = entry["logo_url"].as_str().unwrap();
    assert_eq!(
        logo_url,
        app.url(&format!("/brand-logos/{}?v={file_id}", honey.id))
    );
    let (_, list) = browser.get_text("/brands").await;
    assert!(list.contains(&format!("src=\"/brand-logos/{}?v={file_id}\"", honey.id)));
}

#[tokio::test]
async fn renamed_text_logo_rejected() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let honey = brand_by_name(&app, "侯马·蜂蜜").await;
    let edit = format!("/brands/{}/edit", honey.id);
    let audits_before = brand_audit_count(&app).await;

    let response = upload_logo(
        &browser,
        &edit,
        honey.id,
        "logo.png",
        "这是一段文字，不是图片。".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("品牌标志“logo.png”的内容无法识别，应为PNG、JPEG 或 WebP 图片"),
        "{html}"
    );
    // The form is shown again with the brand's current values.
    assert!(html.contains("挑南北东西，采天下好蜜"));

    assert_eq!(brand_by_id(&app, honey.id).await, honey);
    assert_eq!(file::Entity::find().count(&app.state.db).await.unwrap(), 0);
    assert_eq!(brand_audit_count(&app).await, audits_before);
    let served = reqwest::get(app.url(&format!("/brand-logos/{}", honey.id)))
        .await
        .unwrap();
    assert_eq!(served.status(), 404);

    let empty_form = {
        let token = browser.csrf(&edit).await;
        let form = reqwest::multipart::Form::new().text("csrf_token", token);
        browser
            .client
            .post(app.url(&format!("/brands/{}/logo", honey.id)))
            .multipart(form)
            .send()
            .await
            .unwrap()
    };
    assert_eq!(empty_form.status(), 422);
    let html = empty_form.text().await.unwrap();
    assert!(html.contains("请选择品牌标志图片文件"), "{html}");
}

#[tokio::test]
async fn logo_upload_without_csrf_rejected() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let honey = brand_by_name(&app, "侯马·蜂蜜").await;

    let part = reqwest::multipart::Part::bytes(tiny_png()).file_name("logo.png");
    let form = reqwest::multipart::Form::new().part("logo", part);
    let response = browser
        .client
        .post(app.url(&format!("/brands/{}/logo", honey.id)))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(brand_by_id(&app, honey.id).await.logo_file_id, None);
}

// ---------------------------------------------------------------------------------------
// Bad input

/// A form submission that must be rejected, with the field and a part of its message.
struct BadInput {
    case: &'static str,
    fields: [(&'static str, &'static str); 4],
    field: &'static str,
    message: &'static str,
}

fn bad_inputs() -> Vec<BadInput> {
    let long_slogan: &'static str = "甜".repeat(61).leak();
    vec![
        BadInput {
            case: "empty name",
            fields: [
                ("name", "  "),
                ("slogan", "新田葡萄，颗颗香甜"),
                ("license_cap", ""),
                ("sort_order", ""),
            ],
            field: "name",
            message: "品牌名称不能为空，请填写",
        },
        BadInput {
            case: "one-character name",
            fields: [
                ("name", "葡"),
                ("slogan", "新田葡萄，颗颗香甜"),
                ("license_cap", ""),
                ("sort_order", ""),
            ],
            field: "name",
            message: "品牌名称“葡”过短，应为 2 至 30 个字",
        },
        BadInput {
            case: "duplicate name",
            fields: [
                ("name", "侯马·蜂蜜"),
                ("slogan", "新田葡萄，颗颗香甜"),
                ("license_cap", ""),
                ("sort_order", ""),
            ],
            field: "name",
            message: "品牌名称“侯马·蜂蜜”已被使用，请换一个名称",
        },
        BadInput {
            case: "too-long slogan",
            fields: [
                ("name", "侯马·新田葡萄"),
                ("slogan", long_slogan),
                ("license_cap", ""),
                ("sort_order", ""),
            ],
            field: "slogan",
            message: "过长，应不超过 60 个字",
        },
        BadInput {
            case: "cap not a number",
            fields: [
                ("name", "侯马·新田葡萄"),
                ("slogan", "新田葡萄，颗颗香甜"),
                ("license_cap", "abc"),
                ("sort_order", ""),
            ],
            field: "license_cap",
            message: "授权名额上限“abc”不是整数，应填写 1 至 100000 之间的整数；不限名额请留空",
        },
        BadInput {
            case: "cap zero",
            fields: [
                ("name", "侯马·新田葡萄"),
                ("slogan", "新田葡萄，颗颗香甜"),
                ("license_cap", "0"),
                ("sort_order", ""),
            ],
            field: "license_cap",
            message: "授权名额上限 0 超出范围，应填写 1 至 100000 之间的整数；不限名额请留空",
        },
        BadInput {
            case: "cap too large",
            fields: [
                ("name", "侯马·新田葡萄"),
                ("slogan", "新田葡萄，颗颗香甜"),
                ("license_cap", "100001"),
                ("sort_order", ""),
            ],
            field: "license_cap",
            message: "授权名额上限 100001 超出范围",
        },
        BadInput {
            case: "sort order negative",
            fields: [
                ("name", "侯马·新田葡萄"),
                ("slogan", "新田葡萄，颗颗香甜"),
                ("license_cap", ""),
                ("sort_order", "-1"),
            ],
            field: "sort_order",
            message: "排序号 -1 超出范围，应填写 0 至 9999 之间的整数",
        },
    ]
}

#[tokio::test]
async fn bad_inputs_rejected_on_page() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let count_before = brand_count(&app).await;
    let audits_before = brand_audit_count(&app).await;

    for bad in bad_inputs() {
        let response = browser
            .post_form("/brands/new", "/brands/new", &bad.fields)
            .await;
        assert_eq!(response.status(), 422, "{}", bad.case);
        let html = response.text().await.unwrap();
        assert!(html.contains(bad.message), "{}: {html}", bad.case);
        assert!(
            error_beside_field(&html, bad.field, bad.message),
            "{}: message not beside field {}",
            bad.case,
            bad.field
        );
        // The form comes back with what was entered.
        let slogan = bad.fields[1].1;
        assert!(html.contains(slogan), "{}: slogan not refilled", bad.case);
    }

    assert_eq!(brand_count(&app).await, count_before);
    assert_eq!(brand_audit_count(&app).await, audits_before);
}

#[tokio::test]
async fn bad_inputs_rejected_via_api() {
    let app = TestApp::spawn().await;
    let client = app.api_client("sc-api", &[Role::ServiceCenter], None).await;
    let count_before = brand_count(&app).await;

    for bad in bad_inputs() {
        let body: serde_json::Map<String, serde_json::Value> = bad
            .fields
            .iter()
            .map(|(key, value)| ((*key).to_owned(), json!(value)))
            .collect();
        let (status, response) = client
            .post("/api/v1/brands", &serde_json::Value::Object(body))
            .await;
        assert_eq!(status, 422, "{}: {response}", bad.case);
        assert_eq!(response["error"], "invalid", "{}", bad.case);
        assert!(
            field_message(&response, bad.field).contains(bad.message),
            "{}: {response}",
            bad.case
        );
    }

    // All errors of one request are reported together.
    let (status, response) = client
        .post(
            "/api/v1/brands",
            &json!({"name": "", "slogan": "甜", "license_cap": "abc"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        response["fields"].as_array().unwrap().len(),
        3,
        "{response}"
    );

    let (status, response) = client
        .post("/api/v1/brands", &json!({"name": ["侯马·葡萄"]}))
        .await;
    assert_eq!(status, 422);
    assert!(field_message(&response, "body").contains("请求体不是有效的品牌 JSON"));

    assert_eq!(brand_count(&app).await, count_before);
}

#[tokio::test]
async fn cap_below_licensees_rejected() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let client = app.api_client("sc-api", &[Role::ServiceCenter], None).await;
    let chili = brand_by_name(&app, "侯马·辣椒").await;
    let today = app.state.clock.today();
    insert_licenses(&app, chili.id, 3, "active", today + Days::new(30)).await;
    let audits_before = brand_audit_count(&app).await;
    let expected = "授权名额上限 2 家少于现有有效授权 3 家，应不少于 3 家";

    let edit = format!("/brands/{}/edit", chili.id);
    let response = browser
        .post_form(
            &edit,
            &edit,
            &[
                ("name", "侯马·辣椒"),
                ("slogan", "侯马辣，辣味就对了"),
                ("license_cap", "2"),
                ("sort_order", "4"),
                ("is_active", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains(expected), "{html}");

    let (status, body) = client
        .put(
            &format!("/api/v1/brands/{}", chili.id),
            &json!({"name": "侯马·辣椒", "slogan": "侯马辣，辣味就对了", "license_cap": 2}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(field_message(&body, "license_cap"), expected);

    assert_eq!(brand_by_id(&app, chili.id).await, chili);
    assert_eq!(brand_audit_count(&app).await, audits_before);

    // A cap equal to the licensees in force is accepted.
    let (status, body) = client
        .put(
            &format!("/api/v1/brands/{}", chili.id),
            &json!({"name": "侯马·辣椒", "slogan": "侯马辣，辣味就对了", "license_cap": 3}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["valid_licenses"], 3);
}

#[tokio::test]
async fn rename_to_existing_name_rejected() {
    let app = TestApp::spawn().await;
    let client = app.api_client("sc-api", &[Role::ServiceCenter], None).await;
    let chili = brand_by_name(&app, "侯马·辣椒").await;

    let (status, body) = client
        .put(
            &format!("/api/v1/brands/{}", chili.id),
            &json!({"name": "侯马·服装", "slogan": "侯马辣，辣味就对了"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_message(&body, "name"),
        "品牌名称“侯马·服装”已被使用，请换一个名称"
    );
    assert_eq!(brand_by_id(&app, chili.id).await, chili);

    // Keeping its own name is no conflict.
    let (status, _) = client
        .put(
            &format!("/api/v1/brands/{}", chili.id),
            &json!({"name": "侯马·辣椒", "slogan": "侯马辣椒，香辣够味"}),
        )
        .await;
    assert_eq!(status, 200);
}

// ---------------------------------------------------------------------------------------
// Roles

#[tokio::test]
async fn other_roles_forbidden_to_edit() {
    let app = TestApp::spawn().await;
    let enterprise_id = insert_enterprise(&app, "roles").await;
    app.create_user("ent1", &[Role::Enterprise], Some(enterprise_id))
        .await;
    app.create_user("lgo1", &[Role::Lgo], None).await;
    let honey = brand_by_name(&app, "侯马·蜂蜜").await;
    let umbrella = brand_by_name(&app, UMBRELLA.0).await;
    let count_before = brand_count(&app).await;
    let audits_before = brand_audit_count(&app).await;

    for username in ["ent1", "lgo1"] {
        let browser = app.browser(username).await;

        for path in [
            "/brands/new".to_owned(),
            format!("/brands/{}/edit", honey.id),
        ] {
            let (status, html) = browser.get_text(&path).await;
            assert_eq!(status, 403, "{username} GET {path}");
            assert!(
                html.contains("此操作仅限商贸服务中心办理"),
                "{username}: {html}"
            );
        }

        let fields = [
            ("name", "侯马·新田葡萄"),
            ("slogan", "新田葡萄，颗颗香甜"),
            ("is_active", "0"),
        ];
        for action in [
            "/brands/new".to_owned(),
            format!("/brands/{}/edit", honey.id),
            format!("/brands/{}/active", honey.id),
            format!("/brands/{}/active", umbrella.id),
        ] {
            // The dashboard's logout form carries the session's CSRF token.
            let response = browser.post_form("/", &action, &fields).await;
            assert_eq!(response.status(), 403, "{username} POST {action}");
        }

        let response = upload_logo(&browser, "/", honey.id, "logo.png", tiny_png()).await;
        assert_eq!(response.status(), 403, "{username} logo upload");
    }

    for (username, role, enterprise) in [
        ("ent-api", Role::Enterprise, Some(enterprise_id)),
        ("lgo-api", Role::Lgo, None),
    ] {
        let client = app.api_client(username, &[role], enterprise).await;
        let (status, _) = client
            .post(
                "/api/v1/brands",
                &json!({"name": "侯马·新田葡萄", "slogan": "新田葡萄，颗颗香甜"}),
            )
            .await;
        assert_eq!(status, 403, "{username} POST");
        let (status, _) = client
            .put(
                &format!("/api/v1/brands/{}", honey.id),
                &json!({"name": "侯马·蜂蜜", "slogan": "改掉的宣传语"}),
            )
            .await;
        assert_eq!(status, 403, "{username} PUT");
    }

    assert_eq!(brand_count(&app).await, count_before);
    assert_eq!(brand_by_id(&app, honey.id).await, honey);
    assert_eq!(brand_audit_count(&app).await, audits_before);
}

#[tokio::test]
async fn unknown_brand_edit_not_found() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let (status, _) = browser.get_text("/brands/999999/edit").await;
    assert_eq!(status, 404);

    let client = app.api_client("sc-api", &[Role::ServiceCenter], None).await;
    let (status, _) = client
        .put(
            "/api/v1/brands/999999",
            &json!({"name": "侯马·新田葡萄", "slogan": "新田葡萄，颗颗香甜"}),
        )
        .await;
    assert_eq!(status, 404);
}
