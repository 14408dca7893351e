//! Start-up, health, login with throttling, sessions and CSRF, through the real server.

mod common;

use common::{Browser, PASSWORD, TestApp};
use etown_rules::workflow::Role;

#[tokio::test]
async fn healthz_answers_ok() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn pages_require_login() {
    let app = TestApp::spawn().await;
    let browser = Browser::new(&app);
    let response = browser.get("/").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login?next=%2F");

    let api = reqwest::get(app.url("/api/v1/me")).await.unwrap();
    assert_eq!(api.status(), 401);
}

#[tokio::test]
async fn login_without_csrf_rejected() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = Browser::new(&app);
    let response = browser
        .client
        .post(app.url("/login"))
        .form(&[("username", "sc1"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let body = response.text().await.unwrap();
    assert!(body.contains("页面已过期"), "{body}");
}

#[tokio::test]
async fn login_then_dashboard() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let (status, html) = browser.get_text("/").await;
    assert_eq!(status, 200);
    assert!(html.contains("我的待办"));
    assert!(html.contains("sc1（测试）"));
}

#[tokio::test]
async fn five_failures_lock_account() {
    let app = TestApp::spawn().await;
    app.create_user("lgo1", &[Role::Lgo], None).await;
    let browser = Browser::new(&app);

    for attempt in 1..=4 {
        let response = browser
            .post_form(
                "/login",
                "/login",
                &[("username", "lgo1"), ("password", "wrong-password1")],
            )
            .await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
        let body = response.text().await.unwrap();
        assert!(
            body.contains("用户名或密码错误"),
            "attempt {attempt}: {body}"
        );
    }

    let fifth = browser
        .post_form(
            "/login",
            "/login",
            &[("username", "lgo1"), ("password", "wrong-password1")],
        )
        .await;
    let body = fifth.text().await.unwrap();
    assert!(body.contains("已锁定至"), "{body}");

    // Even the right password is rejected while the lock lasts, and the message gives the end of the lock.
    let right = browser
        .post_form(
            "/login",
            "/login",
            &[("username", "lgo1"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(right.status(), 401);
    let body = right.text().await.unwrap();
    assert!(body.contains("已锁定至"), "{body}");
    assert!(body.contains("北京时间"), "{body}");
}

#[tokio::test]
async fn unknown_user_same_message() {
    let app = TestApp::spawn().await;
    let browser = Browser::new(&app);
    let response = browser
        .post_form(
            "/login",
            "/login",
            &[("username", "nobody"), ("password", "whatever1")],
        )
        .await;
    let body = response.text().await.unwrap();
    assert!(body.contains("用户名或密码错误"), "{body}");
}

#[tokio::test]
async fn logout_ends_session() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let response = browser.post_form("/", "/logout", &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(browser.get("/").await.status(), 303);
}

#[tokio::test]
async fn login_log_records_attempts() {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = Browser::new(&app);
    browser
        .post_form(
            "/login",
            "/login",
            &[("username", "sc1"), ("password", "bad-password1")],
        )
        .await;
    browser.login("sc1", PASSWORD).await;
    let count = etown::entities::login_log::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(count, 2);
}

#[tokio::test]
async fn api_token_identifies_user() {
    let app = TestApp::spawn().await;
    let api = app.api_client("lgo1", &[Role::Lgo], None).await;
    let (status, body) = api.get("/api/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(body["username"], "lgo1");
    assert_eq!(body["roles"][0], "lgo");
}

#[tokio::test]
async fn revoked_style_token_rejected() {
    let app = TestApp::spawn().await;
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth("etk_not_a_real_token")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized");
    assert_eq!(body["message"], "请先登录。");
}

#[tokio::test]
async fn framework_errors_read_chinese() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;

    // A path id that is not a number gets a Chinese page, not axum's English text.
    let (status, html) = browser.get_text("/applications/abc").await;
    assert_eq!(status, 400);
    assert!(html.contains("编号应为数字"), "{html}");
    assert!(!html.contains("Invalid URL"), "{html}");

    let (status, html) = browser.get_text("/applications?page=abc").await;
    assert_eq!(status, 422);
    assert!(html.contains("查询条件无法识别"), "{html}");
    assert!(!html.contains("invalid digit"), "{html}");

    // The API returns JSON with a Chinese message for a body that is not JSON.
    let api = app.api_client("api1", &[Role::ServiceCenter], None).await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/applications"))
        .bearer_auth(&api.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "bad_request");
    assert!(body["message"].as_str().unwrap().contains("请求"), "{body}");

    let (status, body) = api.get("/api/v1/applications/abc").await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("编号应为数字"),
        "{body}"
    );
}
