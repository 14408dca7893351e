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
