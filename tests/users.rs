//! User administration by the system administrator and the auditor's read-only logs,
//! through the real server: pages, JSON API, role separation and the audit trail.

mod common;

use chrono::{Duration, Utc};
use common::{Browser, PASSWORD, TestApp, csrf_from};
use etown::{
    audit::{self, Actor},
    entities::{audit_log, enterprise, user},
    web::state::beijing,
};
use etown_rules::workflow::Role;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::{Value, json};

/// Inserts an enterprise directly and returns its id.
async fn insert_enterprise(app: &TestApp, name: &str, uscc: &str) -> i64 {
    let now = Utc::now();
    let row = enterprise::ActiveModel {
        name: Set(name.into()),
        uscc: Set(uscc.into()),
        uscc_override_reason: Set(None),
        subject_type: Set("company".into()),
        registered_address: Set("侯马市新田乡".into()),
        division_code: Set("141081001".into()),
        registered_in_houma: Set(true),
        operates_via_branch: Set(false),
        branch_name: Set(None),
        production_base: Set("侯马市新田乡工业园".into()),
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
    .expect("insert enterprise");
    row.id
}

async fn user_count(app: &TestApp) -> u64 {
    user::Entity::find().count(&app.state.db).await.unwrap()
}

async fn audit_count(app: &TestApp) -> u64 {
    audit_log::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap()
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("user {username} exists"))
        .id
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Reads the temporary password shown once on the user detail page.
fn shown_password(html: &str) -> String {
    let marker = "<code id=\"temporary-password\">";
    let start = html.find(marker).expect("temporary password shown") + marker.len();
    let end = html[start..].find("</code>").unwrap() + start;
    html[start..end].to_owned()
}

/// Today's date in Beijing time, as the date filters take it.
fn beijing_today() -> String {
    Utc::now()
        .with_timezone(&beijing())
        .format("%Y-%m-%d")
        .to_string()
}

/// One invalid new-user input and the message it must produce on `field`.
struct BadInput {
    case: &'static str,
    username: &'static str,
    display_name: &'static str,
    roles: &'static [&'static str],
    /// `Some("")` selects no enterprise; `None` uses the test enterprise.
    enterprise: Option<&'static str>,
    /// `None` requests a generated password.
    password: Option<&'static str>,
    field: &'static str,
    message: &'static str,
}

fn bad_inputs() -> Vec<BadInput> {
    vec![
        BadInput {
            case: "username too short",
            username: "ab",
            display_name: "张三",
            roles: &["service_center"],
            enterprise: Some(""),
            password: None,
            field: "username",
            message: "用户名“ab”无效，应为 3 到 32 位的字母、数字、下划线、连字符或点",
        },
        BadInput {
            case: "username with space",
            username: "zhang san",
            display_name: "张三",
            roles: &["service_center"],
            enterprise: Some(""),
            password: None,
            field: "username",
            message: "用户名“zhang san”无效",
        },
        BadInput {
            case: "weak password",
            username: "zhangsan",
            display_name: "张三",
            roles: &["service_center"],
            enterprise: Some(""),
            password: Some("short1"),
            field: "password",
            message: "初始密码不符合要求：密码长度为 6 位，应至少 8 位",
        },
        BadInput {
            case: "password without digits",
            username: "zhangsan",
            display_name: "张三",
            roles: &["service_center"],
            enterprise: Some(""),
            password: Some("onlyletters"),
            field: "password",
            message: "初始密码不符合要求：密码应同时包含字母和数字",
        },
        BadInput {
            case: "no role",
            username: "zhangsan",
            display_name: "张三",
            roles: &[],
            enterprise: Some(""),
            password: None,
            field: "roles",
            message: "请至少选择一个角色",
        },
        BadInput {
            case: "unknown role",
            username: "zhangsan",
            display_name: "张三",
            roles: &["mayor"],
            enterprise: Some(""),
            password: None,
            field: "roles",
            message: "角色“mayor”无效，应为以下之一",
        },
        BadInput {
            case: "unknown enterprise",
            username: "zhangsan",
            display_name: "张三",
            roles: &["enterprise"],
            enterprise: Some("999999"),
            password: None,
            field: "enterprise_id",
            message: "所属企业（编号 999999）不存在，请从企业列表中选择已登记的企业",
        },
        BadInput {
            case: "enterprise role without enterprise",
            username: "zhangsan",
            display_name: "张三",
            roles: &["enterprise"],
            enterprise: Some(""),
            password: None,
            field: "enterprise_id",
            message: "企业用户必须关联所属企业，请从企业列表中选择",
        },
        BadInput {
            case: "enterprise role with staff role",
            username: "zhangsan",
            display_name: "张三",
            roles: &["enterprise", "service_center"],
            enterprise: None,
            password: None,
            field: "roles",
            message: "企业用户只能查看本企业的数据，不能同时拥有工作人员角色（商贸服务中心）",
        },
        BadInput {
            case: "staff linked to enterprise",
            username: "zhangsan",
            display_name: "张三",
            roles: &["service_center"],
            enterprise: None,
            password: None,
            field: "enterprise_id",
            message: "只有企业用户或承办企业用户可以关联所属企业",
        },
        BadInput {
            case: "admin and auditor together",
            username: "zhangsan",
            display_name: "张三",
            roles: &["admin", "auditor"],
            enterprise: Some(""),
            password: None,
            field: "roles",
            message: "系统管理员与审计员须由不同的人担任",
        },
        BadInput {
            case: "empty name",
            username: "zhangsan",
            display_name: "  ",
            roles: &["service_center"],
            enterprise: Some(""),
            password: None,
            field: "display_name",
            message: "姓名不能为空，请填写",
        },
        BadInput {
            case: "duplicate username",
            username: "admin1",
            display_name: "重名",
            roles: &["service_center"],
            enterprise: Some(""),
            password: None,
            field: "username",
            message: "用户名“admin1”已被使用，请换一个",
        },
    ]
}

#[tokio::test]
async fn admin_creates_user_with_typed_password() {
    let app = TestApp::spawn().await;
    app.create_user("admin1", &[Role::Admin], None).await;
    let admin = app.browser("admin1").await;

    let (status, form) = admin.get_text("/admin/users/new").await;
    assert_eq!(status, 200);
    assert!(form.contains("商贸服务中心"), "role labels are listed");
    assert!(form.contains("name=\"csrf_token\""));

    let response = admin
        .post_form(
            "/admin/users/new",
            "/admin/users/new",
            &[
                ("username", "zhangsan"),
                ("display_name", "张三"),
                ("roles", "service_center"),
                ("roles", "bureau"),
                ("enterprise_id", ""),
                ("password_mode", "typed"),
                ("password", "Xintian2026"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let id = user_id(&app, "zhangsan").await;
    assert_eq!(
        location(&response),
        format!("/admin/users/{id}?notice=created")
    );

    let (status, detail) = admin.get_text(&location(&response)).await;
    assert_eq!(status, 200);
    assert!(detail.contains("用户已创建"));
    assert!(detail.contains("商贸服务中心、商务局"), "{detail}");
    assert!(!detail.contains("temporary-password"));

    // The administrator has seen the initial password, so the user must change it first.
    let user = Browser::new(&app);
    let login = user.login("zhangsan", "Xintian2026").await;
    assert_eq!(location(&login), "/account/password");
}

#[tokio::test]
async fn admin_creates_enterprise_user_with_generated_password() {
    let app = TestApp::spawn().await;
    app.create_user("admin1", &[Role::Admin], None).await;
    let enterprise_id =
        insert_enterprise(&app, "侯马市晋韵醋业有限公司", "91141081MA0H12345X").await;
    let admin = app.browser("admin1").await;

    let (_, form) = admin.get_text("/admin/users/new").await;
    assert!(
        form.contains("侯马市晋韵醋业有限公司（91141081MA0H12345X）"),
        "{form}"
    );

    let enterprise_value = enterprise_id.to_string();
    let response = admin
        .post_form(
            "/admin/users/new",
            "/admin/users/new",
            &[
                ("username", "jinyun"),
                ("display_name", "晋韵醋业"),
                ("roles", "enterprise"),
                ("enterprise_id", &enterprise_value),
                ("password_mode", "generate"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.unwrap();
    assert!(html.contains("用户“jinyun”已创建"), "{html}");
    assert!(html.contains("侯马市晋韵醋业有限公司"));
    let password = shown_password(&html);

    let user = Browser::new(&app);
    let login = user.login("jinyun", &password).await;
    assert_eq!(location(&login), "/account/password");
}

#[tokio::test]
async fn bad_user_inputs_rejected_on_page() {
    let app = TestApp::spawn().await;
    app.create_user("admin1", &[Role::Admin], None).await;
    let enterprise_id = insert_enterprise(&app, "侯马市测试企业", "91141081MA0H00001X").await;
    let enterprise_value = enterprise_id.to_string();
    let admin = app.browser("admin1").await;
    let users_before = user_count(&app).await;
    let audit_before = audit_count(&app).await;

    for case in bad_inputs() {
        let mut fields: Vec<(&str, &str)> = vec![
            ("username", case.username),
            ("display_name", case.display_name),
            (
                "enterprise_id",
                case.enterprise.unwrap_or(&enterprise_value),
            ),
        ];
        for role in case.roles {
            fields.push(("roles", role));
        }
        match case.password {
            Some(password) => {
                fields.push(("password_mode", "typed"));
                fields.push(("password", password));
            }
            None => fields.push(("password_mode", "generate")),
        }

        let response = admin
            .post_form("/admin/users/new", "/admin/users/new", &fields)
            .await;
        assert_eq!(response.status(), 422, "{}", case.case);
        let html = response.text().await.unwrap();
        assert!(
            html.contains(case.message),
            "{}: expected “{}” in the form",
            case.case,
            case.message
        );
        assert!(html.contains("has-error"), "{}: field marked", case.case);
        assert!(
            html.contains(&format!("name=\"username\" value=\"{}\"", case.username)),
            "{}: form refilled",
            case.case
        );
    }

    assert_eq!(user_count(&app).await, users_before, "no user created");
    assert_eq!(audit_count(&app).await, audit_before, "nothing audited");
}

#[tokio::test]
async fn bad_user_inputs_rejected_by_api() {
    let app = TestApp::spawn().await;
    let api = app.api_client("admin1", &[Role::Admin], None).await;
    let enterprise_id = insert_enterprise(&app, "侯马市测试企业", "91141081MA0H00001X").await;
    let users_before = user_count(&app).await;

    for case in bad_inputs() {
        let enterprise = match case.enterprise {
            None => json!(enterprise_id),
            Some("") => Value::Null,
            Some(id) => json!(id.parse::<i64>().unwrap()),
        };
        let body = json!({
            "username": case.username,
            "display_name": case.display_name,
            "roles": case.roles,
            "enterprise_id": enterprise,
            "password": case.password,
        });
        let (status, answer) = api.post("/api/v1/users", &body).await;
        assert_eq!(status, 422, "{}: {answer}", case.case);
        assert_eq!(answer["error"], "invalid", "{}", case.case);
        let fields = answer["fields"].as_array().unwrap();
        let matching = fields.iter().any(|error| {
            error["field"] == case.field
                && error["message"].as_str().unwrap().contains(case.message)
        });
        assert!(
            matching,
            "{}: expected “{}” on {}: {answer}",
            case.case, case.message, case.field
        );
    }

    assert_eq!(user_count(&app).await, users_before, "no user created");
}

#[tokio::test]
async fn api_rejects_malformed_body() {
    let app = TestApp::spawn().await;
    let api = app.api_client("admin1", &[Role::Admin], None).await;
    let (status, answer) = api
        .post(
            "/api/v1/users",
            &json!({ "username": "lisi", "roles": "lgo" }),
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["fields"][0]["field"], "body");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("请求内容无法解析"),
        "{answer}"
    );
}

#[tokio::test]
async fn openapi_lists_endpoints() {
    let app = TestApp::spawn().await;
    let document: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = &document["paths"];
    assert!(paths["/api/v1/users"]["get"].is_object(), "{paths}");
    assert!(paths["/api/v1/users"]["post"].is_object(), "{paths}");
    assert!(paths["/api/v1/audit/logs"]["get"].is_object(), "{paths}");
    assert!(paths["/api/v1/audit/logins"]["get"].is_object(), "{paths}");
    let parameters: Vec<&str> = paths["/api/v1/audit/logs"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|parameter| parameter["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        parameters,
        ["from", "to", "user", "entity", "action", "page"]
    );
}

#[tokio::test]
async fn several_errors_reported_together() {
    let app = TestApp::spawn().await;
    let api = app.api_client("admin1", &[Role::Admin], None).await;
    let body = json!({ "username": "x", "display_name": "", "roles": [], "password": "abc" });
    let (status, answer) = api.post("/api/v1/users", &body).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = answer["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    for expected in ["username", "display_name", "roles", "password"] {
        assert!(fields.contains(&expected), "{expected} missing in {answer}");
    }
}

#[tokio::test]
async fn api_creates_and_lists_users() {
    let app = TestApp::spawn().await;
    let api = app.api_client("admin1", &[Role::Admin], None).await;
    let enterprise_id = insert_enterprise(&app, "侯马市蜂业合作社", "93141081MA0H00002Y").await;

    let (status, created) = api
        .post(
            "/api/v1/users",
            &json!({
                "username": "fengye",
                "display_name": "蜂业合作社",
                "roles": ["enterprise"],
                "enterprise_id": enterprise_id,
            }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["user"]["username"], "fengye");
    assert_eq!(created["user"]["roles"], json!(["enterprise"]));
    assert_eq!(created["user"]["enterprise_name"], "侯马市蜂业合作社");
    assert_eq!(created["user"]["status"], "active");
    assert!(created["user"].get("password_hash").is_none());
    let password = created["generated_password"].as_str().unwrap().to_owned();
    assert!(password.len() >= 8);

    let (status, typed) = api
        .post(
            "/api/v1/users",
            &json!({
                "username": "wangwu",
                "display_name": "王五",
                "roles": ["statistician"],
                "password": "Tongji2026",
            }),
        )
        .await;
    assert_eq!(status, 201, "{typed}");
    assert!(typed["generated_password"].is_null());

    let (status, list) = api.get("/api/v1/users?role=enterprise").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["username"], "fengye");
    assert_eq!(list["per_page"], 20);

    let (_, search) = api.get("/api/v1/users?q=%E7%8E%8B").await;
    assert_eq!(search["total"], 1, "{search}");
    assert_eq!(search["items"][0]["username"], "wangwu");

    let (status, invalid) = api.get("/api/v1/users?status=sleeping").await;
    assert_eq!(status, 422);
    assert!(
        invalid["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("状态“sleeping”无效")
    );

    let browser = Browser::new(&app);
    let login = browser.login("fengye", &password).await;
    assert_eq!(location(&login), "/account/password");
}

#[tokio::test]
async fn user_list_filters_and_pages() {
    let app = TestApp::spawn().await;
    app.create_user("admin1", &[Role::Admin], None).await;
    for index in 0..24 {
        app.create_user(&format!("staff{index:02}"), &[Role::ServiceCenter], None)
            .await;
    }
    app.create_user("auditor1", &[Role::Auditor], None).await;
    let admin = app.browser("admin1").await;

    let (status, first) = admin.get_text("/admin/users").await;
    assert_eq!(status, 200);
    assert!(first.contains("共 26 个用户，第 1 / 2 页"), "{first}");
    assert_eq!(first.matches("/edit\">编辑</a>").count(), 20);
    assert!(first.contains("href=\"/admin/users?page=2\""), "{first}");
    for header in ["用户名", "姓名", "角色", "所属企业", "状态", "最近登录"] {
        assert!(first.contains(&format!("<th>{header}</th>")), "{header}");
    }

    let (_, second) = admin.get_text("/admin/users?page=2").await;
    assert_eq!(second.matches("/edit\">编辑</a>").count(), 6);

    let (_, auditors) = admin.get_text("/admin/users?role=auditor").await;
    assert!(auditors.contains("共 1 个用户"), "{auditors}");
    assert!(auditors.contains("auditor1"));

    let (_, search) = admin.get_text("/admin/users?q=STAFF0").await;
    assert!(
        search.contains("共 10 个用户"),
        "case-insensitive search: {search}"
    );

    // LIKE wildcards in the search text match only themselves.
    let (_, percent) = admin.get_text("/admin/users?q=%25").await;
    assert!(percent.contains("共 0 个用户"), "{percent}");
    let (_, underscore) = admin.get_text("/admin/users?q=_").await;
    assert!(underscore.contains("共 0 个用户"), "{underscore}");

    let (status, invalid) = admin.get_text("/admin/users?role=mayor").await;
    assert_eq!(status, 422);
    assert!(invalid.contains("角色“mayor”无效"));
}

#[tokio::test]
async fn reset_password_forces_change() {
    let app = TestApp::spawn().await;
    app.create_user("admin1", &[Role::Admin], None).await;
    let id = app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let admin = app.browser("admin1").await;
    let old_session = app.browser("sc1").await;
    assert_eq!(old_session.get("/").await.status(), 200);

    let detail = format!("/admin/users/{id}");
    let response = admin
        .post_form(&detail, &format!("{detail}/reset-password"), &[])
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.unwrap();
    assert!(html.contains("密码已重置"), "{html}");
    let temporary = shown_password(&html);

    // The temporary password is not shown again.
    let (_, again) = admin.get_text(&detail).await;
    assert!(!again.contains(&temporary));
    assert!(again.contains("是（使用初始密码或临时密码"), "{again}");

    // The user's sessions ended, and the old password no longer works.
    assert_eq!(old_session.get("/").await.status(), 303);
    let stranger = Browser::new(&app);
    let old = stranger
        .post_form(
            "/login",
            "/login",
            &[("username", "sc1"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(old.status(), 401);

    let user = Browser::new(&app);
    let login = user.login("sc1", &temporary).await;
    assert_eq!(location(&login), "/account/password");
    let elsewhere = user.get("/").await;
    assert_eq!(location(&elsewhere), "/account/password");

    let changed = user
        .post_form(
            "/account/password",
            "/account/password",
            &[
                ("current_password", temporary.as_str()),
                ("new_password", "Newpass2026"),
                ("confirm_password", "Newpass2026"),
            ],
        )
        .await;
    assert_eq!(changed.status(), 303);
    assert_eq!(user.get("/").await.status(), 200);
}

#[tokio::test]
async fn unlock_lets_locked_user_log_in() {
    let app = TestApp::spawn().await;
    app.create_user("admin1", &[Role::Admin], None).await;
    let id = app.create_user("lgo1", &[Role::Lgo], None).await;
    let admin = app.browser("admin1").await;

    let user = Browser::new(&app);
    for _ in 0..5 {
        user.post_form(
            "/login",
            "/login",
            &[("username", "lgo1"), ("password", "wrong-password1")],
        )
        .await;
    }
    let locked = user
        .post_form(
            "/login",
            "/login",
            &[("username", "lgo1"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(locked.status(), 401);

    let (_, list) = admin.get_text("/admin/users?status=locked").await;
    assert!(list.contains("lgo1"), "{list}");
    assert!(list.contains("锁定至"), "{list}");

    let detail = format!("/admin/users/{id}");
    let response = admin
        .post_form(&detail, &format!("{detail}/unlock"), &[])
        .await;
    assert_eq!(response.status(), 303);
    let (_, page) = admin.get_text(&location(&response)).await;
    assert!(page.contains("账号已解除锁定"), "{page}");
    assert!(
        page.contains("<span class=\"tag ok\">正常</span>"),
        "{page}"
    );

    let login = user.login("lgo1", PASSWORD).await;
    assert_eq!(location(&login), "/");
}

#[tokio::test]
async fn last_admin_protected() {
    let app = TestApp::spawn().await;
    let admin1 = app.create_user("admin1", &[Role::Admin], None).await;
    let admin = app.browser("admin1").await;
    let own = format!("/admin/users/{admin1}");
    let own_edit = format!("{own}/edit");
    let audit_before = audit_count(&app).await;

    let response = admin.post_form(&own, &format!("{own}/disable"), &[]).await;
    assert_eq!(response.status(), 409);
    let html = response.text().await.unwrap();
    assert!(html.contains("不能停用自己正在使用的账号"), "{html}");

    let demote = [
        ("display_name", "管理员一"),
        ("roles", "service_center"),
        ("enterprise_id", ""),
        ("status", "active"),
    ];
    let response = admin.post_form(&own_edit, &own_edit, &demote).await;
    assert_eq!(response.status(), 409);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("“admin1”是系统中唯一启用的系统管理员，不能取消其系统管理员角色"),
        "{html}"
    );
    assert!(html.contains("value=\"管理员一\""), "form refilled");
    assert_eq!(audit_count(&app).await, audit_before, "nothing changed");
    let (_, detail) = admin.get_text(&own).await;
    assert!(
        detail.contains("<dd>系统管理员</dd>"),
        "roles unchanged: {detail}"
    );

    // A disabled administrator does not count.
    let admin2 = app.create_user("admin2", &[Role::Admin], None).await;
    let other = format!("/admin/users/{admin2}");
    let response = admin
        .post_form(&other, &format!("{other}/disable"), &[])
        .await;
    assert_eq!(response.status(), 303);
    let response = admin.post_form(&own_edit, &own_edit, &demote).await;
    assert_eq!(response.status(), 409);

    // With a second active administrator the first may give up the role.
    let response = admin
        .post_form(&other, &format!("{other}/enable"), &[])
        .await;
    assert_eq!(response.status(), 303);
    let response = admin.post_form(&own_edit, &own_edit, &demote).await;
    assert_eq!(response.status(), 303);
    assert_eq!(admin.get("/admin/users").await.status(), 403);
}

#[tokio::test]
async fn disable_ends_sessions_and_tokens() {
    let app = TestApp::spawn().await;
    app.create_user("admin1", &[Role::Admin], None).await;
    let id = app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let token = app.token_for(id).await;
    let admin = app.browser("admin1").await;
    let session = app.browser("sc1").await;

    let detail = format!("/admin/users/{id}");
    let response = admin
        .post_form(&detail, &format!("{detail}/disable"), &[])
        .await;
    assert_eq!(response.status(), 303);
    let (_, page) = admin.get_text(&location(&response)).await;
    assert!(
        page.contains("<span class=\"tag bad\">已停用</span>"),
        "{page}"
    );

    assert_eq!(session.get("/").await.status(), 303);
    let api = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401);

    let (_, disabled) = admin.get_text("/admin/users?status=disabled").await;
    assert!(disabled.contains("共 1 个用户"), "{disabled}");
}

#[tokio::test]
async fn edit_validates_and_saves() {
    let app = TestApp::spawn().await;
    app.create_user("admin1", &[Role::Admin], None).await;
    let id = app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let admin = app.browser("admin1").await;
    let edit = format!("/admin/users/{id}/edit");

    let (status, form) = admin.get_text(&edit).await;
    assert_eq!(status, 200);
    assert!(form.contains("value=\"service_center\" checked"), "{form}");

    let response = admin
        .post_form(
            &edit,
            &edit,
            &[
                ("display_name", "李四"),
                ("roles", "enterprise"),
                ("enterprise_id", ""),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("企业用户必须关联所属企业"), "{html}");
    assert!(html.contains("value=\"李四\""));

    let response = admin
        .post_form(
            &edit,
            &edit,
            &[
                ("display_name", "李四"),
                ("roles", "service_center"),
                ("roles", "supervisor"),
                ("enterprise_id", ""),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, detail) = admin.get_text(&location(&response)).await;
    assert!(detail.contains("用户信息已保存"));
    assert!(detail.contains("<dd>李四</dd>"));
    assert!(detail.contains("商贸服务中心、监督检查组"), "{detail}");

    assert_eq!(admin.get("/admin/users/999999").await.status(), 404);
    assert_eq!(admin.get("/admin/users/999999/edit").await.status(), 404);
}

#[tokio::test]
async fn forms_require_csrf_token() {
    let app = TestApp::spawn().await;
    app.create_user("admin1", &[Role::Admin], None).await;
    let id = app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let admin = app.browser("admin1").await;

    for path in [
        "/admin/users/new".to_owned(),
        format!("/admin/users/{id}/edit"),
        format!("/admin/users/{id}/reset-password"),
        format!("/admin/users/{id}/unlock"),
        format!("/admin/users/{id}/disable"),
        format!("/admin/users/{id}/enable"),
    ] {
        let response = admin
            .client
            .post(app.url(&path))
            .form(&[("username", "csrfless"), ("display_name", "无令牌")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
    }
    assert_eq!(user_count(&app).await, 2);
}

#[tokio::test]
async fn roles_are_separated() {
    let app = TestApp::spawn().await;
    app.create_user("admin1", &[Role::Admin], None).await;
    app.create_user("auditor1", &[Role::Auditor], None).await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let admin = app.browser("admin1").await;
    let auditor = app.browser("auditor1").await;
    let staff = app.browser("sc1").await;
    let admin_api = app.api_client("admin2", &[Role::Admin], None).await;
    let auditor_api = app.api_client("auditor2", &[Role::Auditor], None).await;

    for path in [
        "/audit/logs",
        "/audit/logs?format=csv",
        "/audit/logins",
        "/audit/logins?format=csv",
    ] {
        let (status, html) = admin.get_text(path).await;
        assert_eq!(status, 403, "admin on {path}");
        assert!(html.contains("此操作仅限审计员办理"), "{html}");
        assert_eq!(staff.get(path).await.status(), 403, "staff on {path}");
    }
    for path in ["/api/v1/audit/logs", "/api/v1/audit/logins"] {
        let (status, body) = admin_api.get(path).await;
        assert_eq!(status, 403, "admin on {path}");
        assert_eq!(body["error"], "forbidden");
    }

    for path in ["/admin/users", "/admin/users/new", "/admin/users/1"] {
        let (status, html) = auditor.get_text(path).await;
        assert_eq!(status, 403, "auditor on {path}");
        assert!(html.contains("此操作仅限系统管理员办理"), "{html}");
        assert_eq!(staff.get(path).await.status(), 403, "staff on {path}");
    }
    let (status, _) = auditor_api.get("/api/v1/users").await;
    assert_eq!(status, 403);
    let (status, _) = auditor_api
        .post(
            "/api/v1/users",
            &json!({"username": "sneaky", "display_name": "偷建", "roles": ["admin"]}),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(user_count(&app).await, 5, "nothing created");

    let (_, admin_home) = admin.get_text("/").await;
    assert!(admin_home.contains("用户管理"));
    assert!(!admin_home.contains("操作日志"));
    let (_, auditor_home) = auditor.get_text("/").await;
    assert!(auditor_home.contains("操作日志"));
    assert!(auditor_home.contains("登录日志"));
    assert!(!auditor_home.contains("用户管理"));
}

#[tokio::test]
async fn auditor_sees_user_changes() {
    let app = TestApp::spawn().await;
    app.create_user("admin1", &[Role::Admin], None).await;
    app.create_user("auditor1", &[Role::Auditor], None).await;
    let admin = app.browser("admin1").await;
    let auditor = app.browser("auditor1").await;
    let auditor_api = app.api_client("auditor2", &[Role::Auditor], None).await;

    let created = admin
        .post_form(
            "/admin/users/new",
            "/admin/users/new",
            &[
                ("username", "zhaoliu"),
                ("display_name", "赵六"),
                ("roles", "collector"),
                ("password_mode", "typed"),
                ("password", "Caiji2026x"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let id = user_id(&app, "zhaoliu").await;
    let detail = format!("/admin/users/{id}");
    let edit = format!("{detail}/edit");
    let edited = admin
        .post_form(
            &edit,
            &edit,
            &[
                ("display_name", "赵六<b>组长</b>"),
                ("roles", "collector"),
                ("roles", "statistician"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(edited.status(), 303);
    admin
        .post_form(&detail, &format!("{detail}/reset-password"), &[])
        .await;
    admin
        .post_form(&detail, &format!("{detail}/disable"), &[])
        .await;

    let id_text = id.to_string();
    let (status, log) = auditor_api
        .get("/api/v1/audit/logs?entity=user&user=admin1")
        .await;
    assert_eq!(status, 200, "{log}");
    let entries: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["entity_id"] == id_text.as_str())
        .collect();
    let actions: Vec<&str> = entries
        .iter()
        .map(|entry| entry["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["disable", "reset_password", "update", "create"]);

    let update = entries[2];
    assert_eq!(update["action_label"], "修改");
    assert_eq!(update["entity_label"], "用户");
    assert_eq!(update["username"], "admin1");
    assert_eq!(update["before"]["display_name"], "赵六");
    assert_eq!(update["after"]["display_name"], "赵六<b>组长</b>");
    assert_eq!(update["before"]["roles"], json!(["collector"]));
    assert_eq!(
        update["after"]["roles"],
        json!(["collector", "statistician"])
    );
    assert!(
        update["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert_eq!(entries[0]["before"]["is_active"], true);
    assert_eq!(entries[0]["after"]["is_active"], false);
    assert_eq!(entries[1]["after"]["must_change_password"], true);
    assert!(entries[3]["before"].is_null());

    let whole = log.to_string();
    assert!(!whole.contains("password_hash"), "{whole}");
    assert!(!whole.contains("$argon2"), "{whole}");
    assert!(!whole.contains("Caiji2026x"), "{whole}");

    // The page shows the labels and, on the detail view, both versions escaped.
    let (status, page) = auditor.get_text("/audit/logs?entity=user").await;
    assert_eq!(status, 200);
    for label in ["新增", "修改", "重置密码", "停用"] {
        assert!(
            page.contains(&format!("<td>{label}</td>")),
            "{label}: {page}"
        );
    }
    let update_id = update["id"].as_i64().unwrap();
    let (status, view) = auditor.get_text(&format!("/audit/logs/{update_id}")).await;
    assert_eq!(status, 200);
    assert!(view.contains("<pre id=\"before\">"), "{view}");
    assert!(view.contains("<pre id=\"after\">"), "{view}");
    assert!(view.contains("赵六&#60;b&#62;组长&#60;/b&#62;"), "{view}");
    assert!(!view.contains("<b>组长</b>"));
    assert!(
        view.contains("\n  &#34;display_name&#34;"),
        "pretty-printed: {view}"
    );
    assert!(!view.contains("password_hash"));
    assert_eq!(auditor.get("/audit/logs/999999").await.status(), 404);

    for entry in log["items"].as_array().unwrap() {
        let entry_id = entry["id"].as_i64().unwrap();
        let (_, html) = auditor.get_text(&format!("/audit/logs/{entry_id}")).await;
        assert!(!html.contains("password_hash"), "entry {entry_id}");
        assert!(!html.contains("$argon2"), "entry {entry_id}");
    }
}

#[tokio::test]
async fn audit_log_filters() {
    let app = TestApp::spawn().await;
    app.create_user("auditor1", &[Role::Auditor], None).await;
    let auditor = app.browser("auditor1").await;
    let api = app.api_client("auditor2", &[Role::Auditor], None).await;
    audit::record(
        &app.state.db,
        &Actor::system(),
        "merge_records",
        "stat_report",
        "42",
        None::<&()>,
        None::<&()>,
    )
    .await
    .unwrap();

    // Unknown actions and kinds are shown as stored.
    let (status, page) = auditor.get_text("/audit/logs?action=merge_records").await;
    assert_eq!(status, 200);
    assert!(page.contains("<td>merge_records</td>"), "{page}");
    assert!(page.contains("<td>stat_report</td>"), "{page}");
    assert!(page.contains("共 1 条"), "{page}");

    let today = beijing_today();
    let tomorrow = (Utc::now().with_timezone(&beijing()) + Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let (_, today_log) = api
        .get(&format!("/api/v1/audit/logs?from={today}&to={today}"))
        .await;
    assert!(today_log["total"].as_u64().unwrap() >= 3, "{today_log}");
    assert_eq!(today_log["per_page"], 50);
    let (_, future) = api
        .get(&format!("/api/v1/audit/logs?from={tomorrow}"))
        .await;
    assert_eq!(future["total"], 0, "{future}");
    let (_, by_user) = api.get("/api/v1/audit/logs?user=SYST").await;
    assert_eq!(
        by_user["total"], 4,
        "two users, one token and one record by the system: {by_user}"
    );

    let (status, invalid) = auditor
        .get_text("/audit/logs?from=2026-13-01&to=2026-01-01")
        .await;
    assert_eq!(status, 422);
    assert!(
        invalid.contains("开始日期“2026-13-01”不是有效日期"),
        "{invalid}"
    );
    assert!(invalid.contains("value=\"2026-13-01\""), "filter refilled");

    let (status, reversed) = api
        .get("/api/v1/audit/logs?from=2026-03-02&to=2026-03-01")
        .await;
    assert_eq!(status, 422);
    assert_eq!(reversed["fields"][0]["field"], "to");
    assert!(
        reversed["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("结束日期 2026-03-01 早于开始日期 2026-03-02")
    );
    let (status, bad_page) = api.get("/api/v1/audit/logs?page=0").await;
    assert_eq!(status, 422);
    assert_eq!(bad_page["fields"][0]["field"], "page");
}

#[tokio::test]
async fn login_log_shows_attempts() {
    let app = TestApp::spawn().await;
    app.create_user("auditor1", &[Role::Auditor], None).await;
    let id = app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let disabled = app.create_user("gone1", &[Role::Lgo], None).await;
    let api = app.api_client("auditor2", &[Role::Auditor], None).await;
    etown::services::accounts::set_active(
        &app.state.db,
        &Actor::system(),
        disabled,
        false,
        Utc::now(),
    )
    .await
    .unwrap();

    let browser = Browser::new(&app);
    for (username, password) in [
        ("ghost", "whatever1"),
        ("sc1", "wrong-password1"),
        ("gone1", PASSWORD),
    ] {
        let response = browser
            .post_form(
                "/login",
                "/login",
                &[("username", username), ("password", password)],
            )
            .await;
        assert_eq!(response.status(), 401, "{username}");
    }
    app.browser("sc1").await;
    let auditor = app.browser("auditor1").await;

    let (status, page) = auditor.get_text("/audit/logins").await;
    assert_eq!(status, 200);
    for expected in [
        "<td>ghost</td>",
        "用户名不存在",
        "密码错误",
        "账号已停用",
        "<span class=\"tag ok\">成功</span>",
        "<span class=\"tag bad\">失败</span>",
        "127.0.0.1",
    ] {
        assert!(page.contains(expected), "{expected}: {page}");
    }

    let (_, failures) = auditor.get_text("/audit/logins?result=failure").await;
    assert!(failures.contains("共 3 条"), "{failures}");
    assert!(!failures.contains("tag ok"));

    let (status, sc1) = api.get("/api/v1/audit/logins?user=sc1").await;
    assert_eq!(status, 200);
    assert_eq!(sc1["total"], 2, "{sc1}");
    assert_eq!(sc1["items"][0]["success"], true);
    assert_eq!(sc1["items"][0]["user_id"], id);
    assert_eq!(sc1["items"][1]["reason"], "wrong_password");
    assert_eq!(sc1["items"][1]["reason_label"], "密码错误");

    let (status, invalid) = api.get("/api/v1/audit/logins?result=maybe").await;
    assert_eq!(status, 422);
    assert!(
        invalid["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("登录结果“maybe”无效")
    );
}

#[tokio::test]
async fn logs_export_as_csv() {
    let app = TestApp::spawn().await;
    app.create_user("auditor1", &[Role::Auditor], None).await;
    let browser = Browser::new(&app);
    browser
        .post_form(
            "/login",
            "/login",
            &[("username", "=cmd|calc"), ("password", "whatever1")],
        )
        .await;
    let auditor = app.browser("auditor1").await;

    let (_, page) = auditor.get_text("/audit/logins?result=failure").await;
    assert!(
        page.contains("href=\"/audit/logins?result=failure&#38;format=csv\""),
        "{page}"
    );

    let response = auditor.get("/audit/logins?format=csv").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"login-logs-"),
        "{disposition}"
    );
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 byte order mark");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("时间（北京时间）,用户名,结果,原因,IP 地址")
    );
    assert!(
        text.contains(",'=cmd|calc,失败,用户名不存在,127.0.0.1"),
        "{text}"
    );
    assert!(text.contains(",auditor1,成功,登录成功,127.0.0.1"), "{text}");

    let response = auditor.get("/audit/logs?format=csv&entity=user").await;
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("时间（北京时间）,用户,操作,对象类型,记录编号,请求编号,变更前,变更后")
    );
    assert!(text.contains(",system,新增,用户,"), "{text}");
    assert!(!text.contains("password_hash"));

    let response = auditor.get("/audit/logs?format=csv&from=bad").await;
    assert_eq!(response.status(), 422);
}

#[tokio::test]
async fn detail_page_shows_actions() {
    let app = TestApp::spawn().await;
    app.create_user("admin1", &[Role::Admin], None).await;
    let admin = app.browser("admin1").await;
    let id = app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let (_, detail) = admin.get_text(&format!("/admin/users/{id}")).await;
    assert!(csrf_from(&detail).is_some());
    assert!(detail.contains("/reset-password"));
    assert!(detail.contains("登录记录"));
}
