//! End-to-end tests in headless Chromium: a person logs in, creates an API token and
//! logs out by clicking through the real pages. Screenshots land in
//! `target/tmp/screenshots/`.

mod common;

use common::{
    PASSWORD, TestApp,
    browser::{WebBrowser, screenshot_path},
};
use etown_rules::workflow::Role;

#[tokio::test]
async fn login_token_logout_in_chromium() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = WebBrowser::start(&app.base).await;

    // A wrong password keeps the person on the login form, with the username refilled.
    browser.goto("/login").await;
    browser.fill("input[name=username]", "sc1").await;
    browser
        .fill("input[name=password]", "not-the-password")
        .await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    assert_eq!(browser.text(".alert.error").await, "用户名或密码错误。");
    let refilled = browser
        .find("input[name=username]")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(refilled.as_deref(), Some("sc1"));
    browser.screenshot(&screenshot_path("login-failed")).await;

    // The right password leads to the dashboard.
    browser.fill("input[name=password]", PASSWORD).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    browser.wait_for_path("/").await;
    assert_eq!(browser.text("h1.page-title").await, "我的待办");
    assert_eq!(browser.text(".user-box .user-name").await, "sc1（测试）");
    browser.screenshot(&screenshot_path("dashboard")).await;

    // A new token is shown once, right after it is created.
    browser.goto("/account/tokens").await;
    assert_eq!(browser.text("h1.page-title").await, "接口令牌");
    browser.fill("input[name=name]", "市场监管数据对接").await;
    browser
        .click("form[action='/account/tokens'] button[type=submit]")
        .await;
    let secret = browser.text("#new-token").await;
    assert!(!secret.is_empty(), "the new token is empty");
    let listed = browser.text("table tbody").await;
    assert!(listed.contains("市场监管数据对接"), "{listed}");
    assert!(listed.contains("有效"), "{listed}");
    browser.screenshot(&screenshot_path("token-created")).await;

    // The shown secret is a working bearer token of this user.
    let me = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["username"], "sc1");

    // Opening the page again lists the token but no longer shows its secret.
    browser.goto("/account/tokens").await;
    assert!(!browser.exists("#new-token").await);
    assert!(!browser.source().await.contains(&secret));
    assert!(
        browser
            .text("table tbody")
            .await
            .contains("市场监管数据对接")
    );

    // Logging out returns to the login page, and the dashboard then redirects to it again.
    browser
        .click("form[action='/logout'] button[type=submit]")
        .await;
    browser.wait_for_path("/login").await;
    browser.goto("/").await;
    browser.wait_for_path("/login?next=%2F").await;
    assert!(browser.exists("input[name=password]").await);

    browser.close().await;
}

#[tokio::test]
async fn application_to_verification_in_chromium() {
    use chrono::TimeZone;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    // Monday 2026-03-02, 10:00 Beijing time.
    let start = chrono::Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap();
    let app = TestApp::spawn_at(start).await;
    let enterprise_id =
        common::insert_enterprise(&app, "侯马市东庄醋坊有限公司", "91141081MA0K00001X").await;
    app.create_user("dongzhuang", &[Role::Enterprise], Some(enterprise_id))
        .await;
    app.create_user("center", &[Role::ServiceCenter], None)
        .await;
    let brand = etown::entities::brand::Entity::find()
        .filter(etown::entities::brand::Column::Name.eq("侯马·东庄米醋"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let browser = WebBrowser::start(&app.base).await;

    // The enterprise submits its application on the form.
    browser.goto("/login").await;
    browser.fill("input[name=username]", "dongzhuang").await;
    browser.fill("input[name=password]", PASSWORD).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    browser.wait_for_path("/").await;
    browser.goto("/applications/new").await;
    browser
        .select("select[name=brand_id]", &brand.id.to_string())
        .await;
    browser
        .fill("input[name=houma_sales_share_percent]", "85")
        .await;
    browser.fill("input[name=p0_name]", "东庄老陈醋").await;
    browser.select("select[name=p0_category]", "food").await;
    browser.fill("input[name=p0_cost_price]", "12.5").await;
    browser.fill("input[name=p0_market_price]", "29.9").await;
    browser.click("input[name=declared_lawful_products]").await;
    browser
        .click("form[action='/applications/new'] button[type=submit]")
        .await;
    let notice = browser.text(".banner.success").await;
    assert!(notice.contains("申请已提交"), "{notice}");
    // Submitted on Monday 2026-03-02, the preliminary review is due on Thursday 03-05.
    let due = browser.text("dl.props").await;
    assert!(due.contains("2026-03-05"), "{due}");
    browser
        .screenshot(&screenshot_path("application-submitted"))
        .await;
    let detail_path = browser.path().await;
    let id: i64 = detail_path
        .trim_start_matches("/applications/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // The trade service center finds it among its to-do items and passes the preliminary review.
    browser.forget_cookies().await;
    browser.goto("/login").await;
    browser.fill("input[name=username]", "center").await;
    browser.fill("input[name=password]", PASSWORD).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    browser.wait_for_path("/").await;
    let todos = browser.text("table tbody").await;
    assert!(todos.contains("侯马市东庄醋坊有限公司"), "{todos}");
    browser
        .click(&format!("a[href='/applications/{id}']"))
        .await;
    browser.wait_for_path(&format!("/applications/{id}")).await;
    let checklist = browser.text("body").await;
    assert!(checklist.contains("准入条件审查"), "{checklist}");
    browser
        .click("form:has(input[name=action][value=pass_preliminary]) button[type=submit]")
        .await;
    browser
        .wait_for_path(&format!("/applications/{id}?notice=done"))
        .await;
    assert_eq!(browser.text(".banner.success").await, "已办理。");
    let state = browser.text("dl.props").await;
    assert!(state.contains("待现场审核"), "{state}");
    browser
        .screenshot(&screenshot_path("preliminary-review-passed"))
        .await;

    // The remaining steps go through the API, with the clock moved past the notice period.
    let center = app
        .api_client("center_api", &[Role::ServiceCenter], None)
        .await;
    let office = app.api_client("office_api", &[Role::Lgo], None).await;
    let owner = app
        .api_client("owner_api", &[Role::Enterprise], Some(enterprise_id))
        .await;
    let step = |action: &str| serde_json::json!({ "action": action, "findings": "现场核验通过" });
    assert_eq!(
        center
            .post(
                &format!("/api/v1/applications/{id}/actions"),
                &step("pass_site_review")
            )
            .await
            .0,
        200
    );
    app.state.clock.set(start + chrono::Duration::days(7));
    assert_eq!(
        center
            .post(
                &format!("/api/v1/applications/{id}/actions"),
                &step("conclude_notice")
            )
            .await
            .0,
        200
    );
    let pdf = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        b"%PDF-1.4\n%%EOF\n",
    );
    let signed = serde_json::json!({ "action": "sign_agreement", "attachments": [{ "file_name": "协议.pdf", "content_base64": pdf }] });
    assert_eq!(
        owner
            .post(&format!("/api/v1/applications/{id}/actions"), &signed)
            .await
            .0,
        200
    );
    assert_eq!(
        office
            .post(
                &format!("/api/v1/applications/{id}/actions"),
                &step("issue_certificate")
            )
            .await
            .0,
        200
    );
    let license = etown::entities::license::Entity::find()
        .filter(etown::entities::license::Column::ApplicationId.eq(id))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("license issued");

    // A consumer scans the QR code and sees that the license is valid.
    browser.forget_cookies().await;
    browser
        .goto(&format!("/portal/verify/{}", license.verify_code))
        .await;
    let result = browser.text(".verify-result").await;
    assert!(result.contains("有效"), "{result}");
    let page = browser.text("body").await;
    assert!(page.contains("侯马市东庄醋坊有限公司"), "{page}");
    assert!(page.contains("侯马·东庄米醋"), "{page}");
    assert!(page.contains(&license.certificate_no), "{page}");
    browser
        .screenshot(&screenshot_path("certificate-verified"))
        .await;

    browser.close().await;
}
