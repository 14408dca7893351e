//! The whole license lifecycle through the HTTP endpoints: submission, correction,
//! preliminary and on-site review, public notice with an objection, agreement, certificate,
//! archive and filing, with deadlines counted in working days.

mod common;

use base64::Engine;
use chrono::{NaiveDate, TimeZone, Utc};
use common::{TestApp, insert_enterprise};
use etown_rules::workflow::Role;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::json;

fn at_beijing(year: i32, month: u32, day: u32, hour: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, 0, 0).unwrap() - chrono::Duration::hours(8)
}

async fn vinegar_brand(app: &TestApp) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    etown::entities::brand::Entity::find()
        .filter(etown::entities::brand::Column::Name.eq("侯马·东庄米醋"))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("seeded sub-brand")
        .id
}

fn application_body(brand_id: i64) -> serde_json::Value {
    json!({
        "brand_id": brand_id,
        "production_capacity": "年产米醋 200 吨，线上年销售额 300 万元",
        "declared_lawful_products": true,
        "declared_clean_environment": true,
        "declared_industry_standards": true,
        "declared_clean_record": true,
        "own_brand_and_standards": true,
        "houma_sales_share_percent": "85",
        "products": [{
            "name": "东庄老陈醋 500ml",
            "category": "food",
            "introduction": "传统固态发酵，陈酿三年",
            "cost_price": "12.50",
            "market_price": "29.90",
            "brand_profile": "东庄醋坊，始于清代",
            "online_channels": "抖音小店、淘宝店",
            "certificates": [{"kind": "quality_mark", "name": "绿色食品证书", "valid_from": "2023-01-01", "valid_until": "2025-12-31"}]
        }],
        "certificates": [
            {"kind": "food_production_license", "name": "SC10314108100001", "valid_from": "2021-05-01", "valid_until": "2026-04-30"},
            {"kind": "heritage_or_time_honored", "name": "临汾市非物质文化遗产", "valid_from": "", "valid_until": ""}
        ]
    })
}

#[tokio::test]
async fn full_lifecycle_through_api() {
    // 2023-09-27 (Wednesday): three working days later is 2023-10-08, because 2023-09-29
    // to 10-06 was the National Day holiday and 10-07 and 10-08 were make-up working days.
    let app = TestApp::spawn_at(at_beijing(2023, 9, 27, 10)).await;
    let enterprise_id =
        insert_enterprise(&app, "侯马市东庄醋业有限公司", "91141081MA0K00001X").await;
    let brand_id = vinegar_brand(&app).await;
    let applicant = app
        .api_client("dongzhuang", &[Role::Enterprise], Some(enterprise_id))
        .await;
    let center = app.api_client("center", &[Role::ServiceCenter], None).await;
    let office = app.api_client("office", &[Role::Lgo], None).await;

    let (status, created) = applicant
        .post("/api/v1/applications", &application_body(brand_id))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["state"], "submitted");
    assert_eq!(created["due_on"], "2023-10-08");
    let id = created["id"].as_i64().unwrap();

    // The checklist finds the missing product picture.
    let (_, detail) = applicant.get(&format!("/api/v1/applications/{id}")).await;
    assert_eq!(detail["checklist"]["eligible"], false);
    assert_eq!(detail["allowed_actions"], json!(["withdraw"]));

    // The applicant cannot review its own application.
    let (status, body) = applicant
        .post(
            &format!("/api/v1/applications/{id}/actions"),
            &json!({"action": "pass_preliminary"}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(body["message"], "只有商贸服务中心可以执行“初审通过”");

    // A correction request must list the missing items.
    let (status, body) = center
        .post(
            &format!("/api/v1/applications/{id}/actions"),
            &json!({"action": "request_correction"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "missing_items");

    let (status, body) = center
        .post(
            &format!("/api/v1/applications/{id}/actions"),
            &json!({"action": "request_correction", "missing_items": "产品图片\n营业执照复印件", "version": 1}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "correction_required");
    let (_, detail) = applicant.get(&format!("/api/v1/applications/{id}")).await;
    assert_eq!(
        detail["missing_items"],
        json!(["产品图片", "营业执照复印件"])
    );

    // Resubmitting on 2023-10-09 (Monday) sets a new deadline three working days later.
    app.state.clock.set(at_beijing(2023, 10, 9, 9));
    let (status, body) = applicant
        .post(
            &format!("/api/v1/applications/{id}/resubmission"),
            &application_body(brand_id),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "submitted");
    assert_eq!(body["due_on"], "2023-10-12");

    // A stale version is rejected, so two reviewers cannot both act.
    let (status, _) = center
        .post(
            &format!("/api/v1/applications/{id}/actions"),
            &json!({"action": "pass_preliminary", "version": 1}),
        )
        .await;
    assert_eq!(status, 409);

    let (status, body) = center
        .post(
            &format!("/api/v1/applications/{id}/actions"),
            &json!({"action": "pass_preliminary"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "site_review");

    let (status, body) = center
        .post(
            &format!("/api/v1/applications/{id}/actions"),
            &json!({"action": "pass_site_review", "findings": "原件齐全，醋坊整洁"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "public_notice");
    assert_eq!(body["due_on"], "2023-10-12");

    // Someone objects during the notice period.
    let objection = etown::services::applications::file_objection(
        &app.state,
        id,
        "李四",
        "13900001111",
        "该企业去年曾因标签不规范被投诉，请核实。",
    )
    .await
    .unwrap();

    // The notice cannot end early, nor with an objection pending.
    let (status, body) = center
        .post(
            &format!("/api/v1/applications/{id}/actions"),
            &json!({"action": "conclude_notice"}),
        )
        .await;
    assert_eq!(status, 409);
    assert!(
        body["message"].as_str().unwrap().contains("异议尚未处理"),
        "{body}"
    );

    let (status, body) = center
        .post(
            &format!("/api/v1/objections/{}/resolution", objection.id),
            &json!({"upheld": false, "resolution": "经核实已整改，异议不成立"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = center
        .post(
            &format!("/api/v1/applications/{id}/actions"),
            &json!({"action": "conclude_notice"}),
        )
        .await;
    assert_eq!(status, 409);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("公示期至 2023-10-12 结束"),
        "{body}"
    );

    app.state.clock.set(at_beijing(2023, 10, 13, 9));
    let (status, body) = center
        .post(
            &format!("/api/v1/applications/{id}/actions"),
            &json!({"action": "conclude_notice"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "agreement");
    assert_eq!(body["due_on"], "2023-10-18");

    // The agreement step needs the signed agreement, checked by content.
    let (status, _) = applicant
        .post(
            &format!("/api/v1/applications/{id}/actions"),
            &json!({"action": "sign_agreement"}),
        )
        .await;
    assert_eq!(status, 422);
    let fake = base64::engine::general_purpose::STANDARD.encode(b"not a pdf at all");
    let (status, body) = applicant
        .post(
            &format!("/api/v1/applications/{id}/actions"),
            &json!({"action": "sign_agreement", "attachments": [{"file_name": "协议.pdf", "content_base64": fake}]}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        body["message"].as_str().unwrap().contains("协议.pdf"),
        "{body}"
    );
    let pdf = base64::engine::general_purpose::STANDARD
        .encode(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n");
    let (status, body) = applicant
        .post(
            &format!("/api/v1/applications/{id}/actions"),
            &json!({"action": "sign_agreement", "attachments": [{"file_name": "协议.pdf", "content_base64": pdf}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "certification");

    // Only the leading group office issues the certificate.
    let (status, _) = center
        .post(
            &format!("/api/v1/applications/{id}/actions"),
            &json!({"action": "issue_certificate"}),
        )
        .await;
    assert_eq!(status, 409);
    let (status, body) = office
        .post(
            &format!("/api/v1/applications/{id}/actions"),
            &json!({"action": "issue_certificate"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "archiving");
    // The archive is due 10 working days after the certificate (2023-10-13).
    assert_eq!(body["due_on"], "2023-10-27");

    let license = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        etown::entities::license::Entity::find()
            .filter(etown::entities::license::Column::ApplicationId.eq(id))
            .one(&app.state.db)
            .await
            .unwrap()
            .expect("license issued")
    };
    assert_eq!(license.certificate_no, "侯马e购授字〔2023〕第0001号");
    assert_eq!(
        license.term_start,
        NaiveDate::from_ymd_opt(2023, 10, 13).unwrap()
    );
    assert_eq!(
        license.term_end,
        NaiveDate::from_ymd_opt(2024, 10, 12).unwrap()
    );
    assert_eq!(license.verify_code.len(), 20);

    // A code typed by hand in lower case still finds the certificate.
    let page = reqwest::get(app.url(&format!(
        "/portal/verify/{}",
        license.verify_code.to_lowercase()
    )))
    .await
    .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("有效"), "{html}");
    assert!(html.contains(&license.certificate_no), "{html}");

    let (status, body) = center
        .post(
            &format!("/api/v1/applications/{id}/actions"),
            &json!({"action": "build_archive"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "filing");
    let (status, body) = office
        .post(
            &format!("/api/v1/applications/{id}/actions"),
            &json!({"action": "confirm_filing"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "completed");

    // Every step is in the history, in order.
    let (_, detail) = applicant.get(&format!("/api/v1/applications/{id}")).await;
    let actions: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "submit",
            "request_correction",
            "resubmit",
            "pass_preliminary",
            "pass_site_review",
            "conclude_notice",
            "sign_agreement",
            "issue_certificate",
            "build_archive",
            "confirm_filing"
        ]
    );
    // The objector's contact stays with the trade service center.
    assert!(detail["objections"][0]["contact"].is_null());
}

#[tokio::test]
async fn other_enterprise_gets_404() {
    let app = TestApp::spawn().await;
    let first = insert_enterprise(&app, "甲企业", "91141081MA0K00002X").await;
    let second = insert_enterprise(&app, "乙企业", "91141081MA0K00003X").await;
    let brand_id = vinegar_brand(&app).await;
    let owner = app
        .api_client("owner", &[Role::Enterprise], Some(first))
        .await;
    let stranger = app
        .api_client("stranger", &[Role::Enterprise], Some(second))
        .await;

    let (status, created) = owner
        .post("/api/v1/applications", &application_body(brand_id))
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();

    let (status, _) = stranger.get(&format!("/api/v1/applications/{id}")).await;
    assert_eq!(status, 404);
    let (status, _) = stranger
        .post(
            &format!("/api/v1/applications/{id}/actions"),
            &json!({"action": "withdraw"}),
        )
        .await;
    assert_eq!(status, 404);
    let (_, list) = stranger.get("/api/v1/applications").await;
    assert_eq!(list["total"], 0);

    let browser = app.browser("stranger").await;
    assert_eq!(
        browser.get(&format!("/applications/{id}")).await.status(),
        404
    );

    // An enterprise cannot apply in another enterprise's name.
    let mut body = application_body(brand_id);
    body["enterprise_id"] = json!(first);
    let (status, created) = stranger.post("/api/v1/applications", &body).await;
    assert_eq!(status, 201);
    let (_, mine) = stranger
        .get(&format!("/api/v1/applications/{}", created["id"]))
        .await;
    assert_eq!(mine["application"]["enterprise_id"], second);
}

#[tokio::test]
async fn bad_application_inputs_rejected() {
    let app = TestApp::spawn().await;
    let enterprise_id = insert_enterprise(&app, "丙企业", "91141081MA0K00004X").await;
    let brand_id = vinegar_brand(&app).await;
    let applicant = app
        .api_client("applicant", &[Role::Enterprise], Some(enterprise_id))
        .await;

    let cases: Vec<(&str, serde_json::Value, &str, &str)> = vec![
        (
            "no brand",
            json!(null),
            "brand_id",
            "请选择申请使用的分支品牌",
        ),
        (
            "unknown brand",
            json!(99999),
            "brand_id",
            "分支品牌编号“99999”不存在",
        ),
    ];
    for (name, brand, field, message) in cases {
        let mut body = application_body(brand_id);
        body["brand_id"] = brand;
        let (status, answer) = applicant.post("/api/v1/applications", &body).await;
        assert_eq!(status, 422, "{name}: {answer}");
        assert_eq!(answer["fields"][0]["field"], field, "{name}");
        assert!(
            answer["fields"][0]["message"]
                .as_str()
                .unwrap()
                .contains(message),
            "{name}: {answer}"
        );
    }

    let field_cases: Vec<(&str, &str, serde_json::Value, &str)> = vec![
        (
            "bad price",
            "/products/0/cost_price",
            json!("十二元"),
            "第1个产品的成本价",
        ),
        (
            "negative price",
            "/products/0/market_price",
            json!("-3"),
            "第1个产品的市场价",
        ),
        (
            "bad category",
            "/products/0/category",
            json!("seafood"),
            "第1个产品的类别“seafood”无效",
        ),
        (
            "empty product name",
            "/products/0/name",
            json!(""),
            "第1个产品的名称不能为空",
        ),
        (
            "share over 100",
            "/houma_sales_share_percent",
            json!("130"),
            "侯马产品销售占比“130”无效",
        ),
        (
            "bad date",
            "/products/0/certificates/0/valid_until",
            json!("2025-02-30"),
            "有效期至“2025-02-30”不是有效日期",
        ),
        (
            "reversed period",
            "/products/0/certificates/0/valid_from",
            json!("2026-01-01"),
            "早于有效期起",
        ),
    ];
    for (name, pointer, value, message) in field_cases {
        let mut body = application_body(brand_id);
        *body.pointer_mut(pointer).unwrap() = value;
        let (status, answer) = applicant.post("/api/v1/applications", &body).await;
        assert_eq!(status, 422, "{name}: {answer}");
        let messages: Vec<&str> = answer["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["message"].as_str().unwrap())
            .collect();
        assert!(
            messages.iter().any(|m| m.contains(message)),
            "{name}: {messages:?}"
        );
    }

    let mut body = application_body(brand_id);
    body["products"] = json!([]);
    let (status, answer) = applicant.post("/api/v1/applications", &body).await;
    assert_eq!(status, 422);
    assert_eq!(
        answer["fields"][0]["message"],
        "请至少填写一个申请授权的产品"
    );

    // Nothing was saved by the failed attempts.
    let (_, list) = applicant.get("/api/v1/applications").await;
    assert_eq!(list["total"], 0);

    // A second open application for the same sub-brand is refused.
    let (status, _) = applicant
        .post("/api/v1/applications", &application_body(brand_id))
        .await;
    assert_eq!(status, 201);
    let (status, answer) = applicant
        .post("/api/v1/applications", &application_body(brand_id))
        .await;
    assert_eq!(status, 409);
    assert!(
        answer["message"].as_str().unwrap().contains("请勿重复申请"),
        "{answer}"
    );
}

#[tokio::test]
async fn suspended_subject_cannot_reapply() {
    let app = TestApp::spawn_at(at_beijing(2026, 3, 2, 10)).await;
    let enterprise_id = insert_enterprise(&app, "丁企业", "91141081MA0K00005X").await;
    let brand_id = vinegar_brand(&app).await;
    etown::entities::reapplication_ban::ActiveModel {
        enterprise_id: Set(enterprise_id),
        license_id: Set(None),
        reason: Set("一年内两次抽检不合格".into()),
        starts_on: Set(NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()),
        ends_on: Set(NaiveDate::from_ymd_opt(2027, 6, 1).unwrap()),
        created_by: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    let applicant = app
        .api_client("banned", &[Role::Enterprise], Some(enterprise_id))
        .await;
    let (status, answer) = applicant
        .post("/api/v1/applications", &application_body(brand_id))
        .await;
    assert_eq!(status, 409, "{answer}");
    assert!(
        answer["message"].as_str().unwrap().contains("2027-06-01"),
        "{answer}"
    );
}

#[tokio::test]
async fn page_submission_and_review() {
    let app = TestApp::spawn().await;
    let enterprise_id = insert_enterprise(&app, "戊企业", "91141081MA0K00006X").await;
    let brand_id = vinegar_brand(&app).await;
    app.create_user("shop", &[Role::Enterprise], Some(enterprise_id))
        .await;
    app.create_user("center", &[Role::ServiceCenter], None)
        .await;
    let shop = app.browser("shop").await;

    let token = shop.csrf("/applications/new").await;
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token.clone())
        .text("brand_id", brand_id.to_string())
        .text("p0_name", "东庄米醋礼盒")
        .text("p0_category", "food")
        .text("p0_cost_price", "40")
        .text("p0_market_price", "88")
        .part(
            "p0_pictures",
            reqwest::multipart::Part::bytes(png.to_vec()).file_name("box.png"),
        );
    let response = shop
        .client
        .post(app.url("/applications/new"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (status, html) = shop.get_text(&location).await;
    assert_eq!(status, 200);
    assert!(html.contains("申请已提交"), "{html}");
    assert!(html.contains("准入条件审查"));
    assert!(html.contains("东庄米醋礼盒"));

    // A bad price comes back as a refilled form with the message beside the field.
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .text("brand_id", brand_id.to_string())
        .text("p0_name", "辣椒酱")
        .text("p0_category", "food")
        .text("p0_cost_price", "abc");
    let response = shop
        .client
        .post(app.url("/applications/new"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("第1个产品的成本价"), "{html}");
    assert!(html.contains("value=\"辣椒酱\""), "form refilled");

    // The reviewer finds the application among the to-do items and requests corrections.
    let center = app.browser("center").await;
    let (_, dashboard) = center.get_text("/").await;
    assert!(dashboard.contains("戊企业"), "{dashboard}");
    let id: i64 = location
        .trim_start_matches("/applications/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let token = center.csrf(&format!("/applications/{id}")).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .text("action", "request_correction")
        .text("missing_items", "食品生产许可证\n产品介绍");
    let response = center
        .client
        .post(app.url(&format!("/applications/{id}/act")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let (_, html) = shop.get_text(&format!("/applications/{id}")).await;
    assert!(html.contains("食品生产许可证"));
    assert!(html.contains("补正材料并重新提交"));

    // The correction form keeps the uploaded picture without a new upload.
    let (status, edit) = shop.get_text(&format!("/applications/{id}/edit")).await;
    assert_eq!(status, 200);
    assert!(edit.contains("已上传 1 张，将保留"), "{edit}");
    let token = common::csrf_from(&edit).unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .text("p0_name", "东庄米醋礼盒")
        .text("p0_category", "food")
        .text("p0_introduction", "三年陈酿")
        .text("p0_cost_price", "40")
        .text("p0_market_price", "88")
        .text("food_license_name", "SC10314108100001")
        .text("food_license_valid_until", "2030-12-31");
    let response = shop
        .client
        .post(app.url(&format!("/applications/{id}/edit")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let (_, html) = shop.get_text(&format!("/applications/{id}")).await;
    assert!(html.contains("待资格初审"), "{html}");
    assert!(
        html.contains("图片1"),
        "picture kept after resubmission: {html}"
    );
    assert!(!html.contains("缺少产品图片"), "{html}");
}

#[tokio::test]
async fn list_export_respects_scope() {
    let app = TestApp::spawn().await;
    let first = insert_enterprise(&app, "己企业", "91141081MA0K00007X").await;
    let second = insert_enterprise(&app, "庚企业", "91141081MA0K00008X").await;
    let brand_id = vinegar_brand(&app).await;
    let first_api = app
        .api_client("first", &[Role::Enterprise], Some(first))
        .await;
    let second_api = app
        .api_client("second", &[Role::Enterprise], Some(second))
        .await;
    let (_, one) = first_api
        .post("/api/v1/applications", &application_body(brand_id))
        .await;
    let (_, two) = second_api
        .post("/api/v1/applications", &application_body(brand_id))
        .await;

    app.create_user("center", &[Role::ServiceCenter], None)
        .await;
    let center = app.browser("center").await;
    // The "全部" options of the search form send empty values.
    let (status, _) = center.get_text("/applications?q=&state=&brand_id=").await;
    assert_eq!(status, 200);
    let response = center.get("/applications?format=csv").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    let body = response.text().await.unwrap();
    assert!(
        body.starts_with('\u{feff}'),
        "byte order mark for spreadsheet programs"
    );
    assert!(body.contains("申请编号,申请企业"), "{body}");
    assert!(body.contains(one["application_no"].as_str().unwrap()));
    assert!(body.contains(two["application_no"].as_str().unwrap()));

    let shop = app.browser("first").await;
    let body = shop
        .get("/applications?format=csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(body.contains(one["application_no"].as_str().unwrap()));
    assert!(
        !body.contains(two["application_no"].as_str().unwrap()),
        "another enterprise's application leaked"
    );
}

#[tokio::test]
async fn admin_and_auditor_kept_out() {
    let app = TestApp::spawn().await;
    let enterprise_id = insert_enterprise(&app, "辛企业", "91141081MA0K00009X").await;
    let brand_id = vinegar_brand(&app).await;
    let owner = app
        .api_client("owner", &[Role::Enterprise], Some(enterprise_id))
        .await;
    let (_, created) = owner
        .post("/api/v1/applications", &application_body(brand_id))
        .await;
    let id = created["id"].as_i64().unwrap();

    for (username, role) in [("admin1", Role::Admin), ("auditor1", Role::Auditor)] {
        let api = app.api_client(username, &[role], None).await;
        let (status, body) = api.get(&format!("/api/v1/applications/{id}")).await;
        assert_eq!(status, 403, "{username}: {body}");
        let (status, _) = api.get("/api/v1/applications").await;
        assert_eq!(status, 403, "{username}");
        let browser = app.browser(username).await;
        assert_eq!(
            browser.get("/applications").await.status(),
            403,
            "{username}"
        );
        assert_eq!(
            browser.get(&format!("/applications/{id}")).await.status(),
            403,
            "{username}"
        );
    }
}
