//! Enterprises: self-registration, staff creation through pages and API, validation of
//! every field, legacy codes, data scope, masking and the registration rate limit.

mod common;

use common::{ApiClient, Browser, TestApp};
use etown::entities::{audit_log, enterprise, user, user_role};
use etown_rules::{uscc::check_character, workflow::Role};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::json;

const MOBILE: &str = "13812345678";
const MASKED_MOBILE: &str = "138****5678";

/// Returns a code that passes the GB 32100 check and ends, before the check character,
/// with `serial`.
fn valid_code(serial: &str) -> String {
    let prefix = "91141081MA0K00000";
    let first17 = format!("{}{serial}", &prefix[..17 - serial.len()]);
    let check = check_character(&first17).expect("the first 17 characters are valid");
    format!("{first17}{check}")
}

/// Returns `code` with a wrong check character, and the character the check expects.
fn with_wrong_check(code: &str) -> (String, char) {
    let expected = code.chars().last().unwrap();
    let wrong = if expected == '0' { '1' } else { '0' };
    (format!("{}{wrong}", &code[..17]), expected)
}

type Fields = Vec<(String, String)>;

/// A rejected form: case name, fields to set, fields to remove, and the message expected
/// in the page.
type BadInput = (
    String,
    Vec<(&'static str, String)>,
    Vec<&'static str>,
    String,
);

/// Returns a complete, valid enterprise form.
fn form_fields(code: &str) -> Fields {
    [
        ("name", "侯马市东庄香醋专业合作社"),
        ("uscc", code),
        ("subject_type", "cooperative"),
        ("registered_address", "山西省侯马市新田乡东庄村"),
        ("division_code", "141081200"),
        ("registered_in_houma", "1"),
        ("production_base", "东庄村醋坊，厂房 2000 平方米"),
        ("contact_name", "王建国"),
        ("contact_mobile", MOBILE),
        ("description", "传统固态发酵米醋"),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value.to_owned()))
    .collect()
}

fn set(fields: &mut Fields, key: &str, value: &str) {
    fields.retain(|(existing, _)| existing != key);
    fields.push((key.to_owned(), value.to_owned()));
}

fn unset(fields: &mut Fields, key: &str) {
    fields.retain(|(existing, _)| existing != key);
}

fn as_pairs(fields: &Fields) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect()
}

/// Returns a complete, valid enterprise for the JSON API.
fn api_body(code: &str, name: &str) -> serde_json::Value {
    json!({
        "name": name,
        "uscc": code,
        "subject_type": "company",
        "registered_address": "山西省侯马市路东街道新田路 1 号",
        "division_code": "141081001",
        "registered_in_houma": true,
        "production_base": "新田路 1 号厂房",
        "contact_name": "李红",
        "contact_mobile": MOBILE,
    })
}

/// Asserts that the re-rendered form shows every submitted value.
fn assert_refilled(html: &str, fields: &Fields, case: &str) {
    for (key, value) in fields {
        let expected = match key.as_str() {
            "registered_in_houma" | "operates_via_branch" | "is_agent" => {
                format!("name=\"{key}\" value=\"1\" checked")
            }
            "subject_type" | "division_code" => format!("value=\"{value}\" selected"),
            "production_base" | "description" | "legacy_reason" => format!(">{value}</textarea>"),
            _ => format!("name=\"{key}\" value=\"{value}\""),
        };
        if value.is_empty() {
            continue;
        }
        assert!(
            html.contains(&expected),
            "{case}: field {key} not refilled, expected {expected}"
        );
    }
}

async fn enterprise_count(app: &TestApp) -> u64 {
    enterprise::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap()
}

async fn enterprise_by_code(app: &TestApp, code: &str) -> Option<enterprise::Model> {
    enterprise::Entity::find()
        .filter(enterprise::Column::Uscc.eq(code))
        .one(&app.state.db)
        .await
        .unwrap()
}

/// Creates an enterprise through the API as a service center user and returns its id.
async fn create_via_api(client: &ApiClient, code: &str, name: &str) -> i64 {
    let (status, body) = client
        .post("/api/v1/enterprises", &api_body(code, name))
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

fn registration_fields(code: &str, username: &str) -> Fields {
    let mut fields = form_fields(code);
    set(&mut fields, "username", username);
    set(&mut fields, "display_name", "王建国（东庄合作社）");
    set(&mut fields, "password", "Dongzhuang2026");
    set(&mut fields, "password_confirm", "Dongzhuang2026");
    fields
}

#[tokio::test]
async fn registration_creates_enterprise_and_logs_in() {
    let app = TestApp::spawn().await;
    let browser = Browser::new(&app);
    let code = valid_code("1");

    let (status, html) = browser.get_text("/register").await;
    assert_eq!(status, 200);
    assert!(html.contains("电商企业注册"), "{html}");
    assert!(html.contains("新田乡"));
    assert!(html.contains("农民专业合作社"));
    assert!(!html.contains("name=\"legacy_reason\""));

    let fields = registration_fields(&code, "dongzhuang");
    let response = browser
        .post_form("/register", "/register", &as_pairs(&fields))
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/enterprises/mine");

    let row = enterprise_by_code(&app, &code)
        .await
        .expect("enterprise saved");
    assert_eq!(row.name, "侯马市东庄香醋专业合作社");
    assert_eq!(row.contact_mobile, MOBILE);
    assert_eq!(row.subject_type, "cooperative");

    let account = user::Entity::find()
        .filter(user::Column::Username.eq("dongzhuang"))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("account saved");
    assert_eq!(account.enterprise_id, Some(row.id));
    assert!(!account.must_change_password);
    let roles: Vec<String> = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(account.id))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|role| role.role)
        .collect();
    assert_eq!(roles, vec!["enterprise".to_owned()]);

    // The session cookie set by the registration logs the browser in.
    let mine = browser.get("/enterprises/mine").await;
    assert_eq!(mine.status(), 303);
    assert_eq!(location(&mine), format!("/enterprises/{}", row.id));
    let (status, html) = browser.get_text(&format!("/enterprises/{}", row.id)).await;
    assert_eq!(status, 200);
    assert!(html.contains("侯马市东庄香醋专业合作社"));
    assert!(html.contains(MOBILE), "the enterprise sees its full mobile");
    assert!(html.contains("本企业信息"));
}

#[tokio::test]
async fn registration_duplicate_username_saves_nothing() {
    let app = TestApp::spawn().await;
    app.create_user("taken", &[Role::ServiceCenter], None).await;
    let browser = Browser::new(&app);
    let users_before = user::Entity::find().count(&app.state.db).await.unwrap();

    let fields = registration_fields(&valid_code("2"), "taken");
    let response = browser
        .post_form("/register", "/register", &as_pairs(&fields))
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("用户名“taken”已被使用，请换一个"), "{html}");
    let mut expected_refill = fields.clone();
    unset(&mut expected_refill, "password");
    unset(&mut expected_refill, "password_confirm");
    assert_refilled(&html, &expected_refill, "duplicate username");
    assert!(
        !html.contains("Dongzhuang2026"),
        "passwords are not sent back"
    );

    assert_eq!(enterprise_count(&app).await, 0);
    assert_eq!(
        user::Entity::find().count(&app.state.db).await.unwrap(),
        users_before
    );
    let audit_entries = audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("enterprise"))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(audit_entries, 0, "the audit entry is rolled back too");
}

#[tokio::test]
async fn registration_reports_all_errors() {
    let app = TestApp::spawn().await;
    let browser = Browser::new(&app);
    let mut fields = registration_fields(&valid_code("3"), "x");
    set(&mut fields, "contact_mobile", "1381234");
    set(&mut fields, "password_confirm", "Different2026");
    set(&mut fields, "legacy_reason", "早期试点代码无法校验");

    let response = browser
        .post_form("/register", "/register", &as_pairs(&fields))
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    for message in [
        "手机号“1381234”去掉空格、短横线和国家代码后有7位数字，应为11位",
        "用户名“x”无效",
        "两次输入的密码不一致",
        "只有系统管理员可以登记未通过校验的统一社会信用代码",
    ] {
        assert!(html.contains(message), "missing {message}");
    }
    assert_eq!(enterprise_count(&app).await, 0);
}

#[tokio::test]
async fn registration_rate_limited() {
    let app = TestApp::spawn().await;
    let browser = Browser::new(&app);
    let empty: Fields = Vec::new();

    for attempt in 1..=5 {
        let response = browser
            .post_form("/register", "/register", &as_pairs(&empty))
            .await;
        assert_eq!(response.status(), 422, "attempt {attempt}");
    }

    let fields = registration_fields(&valid_code("4"), "ratelimited");
    let response = browser
        .post_form("/register", "/register", &as_pairs(&fields))
        .await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let html = response.text().await.unwrap();
    assert!(html.contains("操作过于频繁"), "{html}");
    assert_eq!(enterprise_count(&app).await, 0);
}

#[tokio::test]
async fn staff_create_via_page() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let code = valid_code("5");

    let (status, html) = browser.get_text("/enterprises/new").await;
    assert_eq!(status, 200);
    assert!(
        !html.contains("name=\"legacy_reason\""),
        "only administrators see the legacy option"
    );

    let mut fields = form_fields(&code.to_ascii_lowercase());
    set(&mut fields, "is_agent", "1");
    set(&mut fields, "producer_name", "山西东庄酿造有限公司");
    set(&mut fields, "contact_mobile", "+86 138-1234-5678");
    let response = browser
        .post_form("/enterprises/new", "/enterprises/new", &as_pairs(&fields))
        .await;
    assert_eq!(response.status(), 303);

    let row = enterprise_by_code(&app, &code)
        .await
        .expect("lower-case code stored upper-case");
    assert_eq!(
        location(&response),
        format!("/enterprises/{}?notice=created", row.id)
    );
    assert_eq!(row.contact_mobile, MOBILE, "mobile stored as 11 digits");
    assert_eq!(row.producer_name.as_deref(), Some("山西东庄酿造有限公司"));
    assert!(row.is_agent);
    assert_eq!(row.uscc_override_reason, None);

    let (status, html) = browser
        .get_text(&format!("/enterprises/{}?notice=created", row.id))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("企业信息已登记"));
    assert!(html.contains(MOBILE), "staff see the full mobile");
    assert!(html.contains("新田乡"));
    assert!(html.contains("代理“山西东庄酿造有限公司”的产品"));
    assert!(
        html.contains("<td>sc1</td>"),
        "history names who registered it"
    );

    let entry = audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("enterprise"))
        .filter(audit_log::Column::EntityId.eq(row.id.to_string()))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("audit entry");
    assert_eq!(entry.action, "create");
    let after = entry.after_json.unwrap();
    assert!(after.contains(MASKED_MOBILE), "{after}");
    assert!(
        !after.contains(MOBILE),
        "the audit log keeps no full mobile"
    );
}

#[tokio::test]
async fn staff_create_via_api() {
    let app = TestApp::spawn().await;
    let collector = app.api_client("collector1", &[Role::Collector], None).await;
    let code = valid_code("6");

    let (status, body) = collector
        .post(
            "/api/v1/enterprises",
            &api_body(&code, "侯马市路东服装有限公司"),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["uscc"], code.as_str());
    assert_eq!(body["subject_type_label"], "公司");
    assert_eq!(body["division_name"], "路东街道");
    assert_eq!(body["contact_mobile"], MOBILE);
    let id = body["id"].as_i64().unwrap();

    let (status, body) = collector.get(&format!("/api/v1/enterprises/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["name"], "侯马市路东服装有限公司");

    let mut changed = api_body(&code, "侯马市路东服装有限公司");
    changed["contact_name"] = json!("赵敏");
    let (status, body) = collector
        .put(&format!("/api/v1/enterprises/{id}"), &changed)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["contact_name"], "赵敏");

    let entry = audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("enterprise"))
        .filter(audit_log::Column::Action.eq("update"))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("update audited");
    assert!(entry.before_json.unwrap().contains("李红"));
    assert!(entry.after_json.unwrap().contains("赵敏"));
}

#[tokio::test]
async fn roles_without_permission_rejected() {
    let app = TestApp::spawn().await;
    let service_center = app.api_client("sc1", &[Role::ServiceCenter], None).await;
    let id = create_via_api(&service_center, &valid_code("7"), "侯马市高村蜂业合作社").await;

    let bureau = app.api_client("bureau1", &[Role::Bureau], None).await;
    let (status, _) = bureau.get(&format!("/api/v1/enterprises/{id}")).await;
    assert_eq!(status, 200, "the bureau reads records");
    let (status, body) = bureau
        .post("/api/v1/enterprises", &api_body(&valid_code("8"), "某企业"))
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = bureau
        .put(
            &format!("/api/v1/enterprises/{id}"),
            &api_body(&valid_code("7"), "改名"),
        )
        .await;
    assert_eq!(status, 403);

    let statistician = app.api_client("stat1", &[Role::Statistician], None).await;
    let (status, _) = statistician.get("/api/v1/enterprises").await;
    assert_eq!(status, 403);

    app.create_user("lgo1", &[Role::Lgo], None).await;
    let lgo = app.browser("lgo1").await;
    let (status, _) = lgo.get_text(&format!("/enterprises/{id}")).await;
    assert_eq!(status, 200);
    let (status, _) = lgo.get_text(&format!("/enterprises/{id}/edit")).await;
    assert_eq!(status, 403);
    let (status, _) = lgo.get_text("/enterprises/new").await;
    assert_eq!(status, 403);

    let anonymous = reqwest::get(app.url("/api/v1/enterprises")).await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn bad_inputs_rejected_with_messages() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let code = valid_code("9");
    let (wrong_check, expected_check) = with_wrong_check(&code);
    let long_description = "醋".repeat(2001);

    let mut cases: Vec<BadInput> = vec![
        (
            "name too short".into(),
            vec![("name", "醋".into())],
            vec![],
            "企业名称“醋”有 1 个字，应为 2 至 100 个字".into(),
        ),
        (
            "name missing".into(),
            vec![("name", "".into())],
            vec![],
            "企业名称不能为空".into(),
        ),
        (
            "wrong check character".into(),
            vec![("uscc", wrong_check.clone())],
            vec![],
            format!("统一社会信用代码“{wrong_check}”的校验位应为“{expected_check}”"),
        ),
        (
            "code too short".into(),
            vec![("uscc", code[..17].to_owned())],
            vec![],
            format!("统一社会信用代码“{}”有17位，应为18位", &code[..17]),
        ),
        (
            "subject type unknown".into(),
            vec![("subject_type", "合伙企业".into())],
            vec![],
            "主体类型“合伙企业”无效，应为以下之一".into(),
        ),
        (
            "subject type missing".into(),
            vec![("subject_type", "".into())],
            vec![],
            "主体类型不能为空，请选择".into(),
        ),
        (
            "address missing".into(),
            vec![("registered_address", "".into())],
            vec![],
            "注册地址不能为空".into(),
        ),
        (
            "division unknown".into(),
            vec![("division_code", "141081999".into())],
            vec![],
            "所在乡镇（街道）“141081999”不是侯马市的乡镇或街道，请从列表中选择".into(),
        ),
        (
            "division missing".into(),
            vec![("division_code", "".into())],
            vec![],
            "所在乡镇（街道）不能为空".into(),
        ),
        (
            "outside Houma without branch".into(),
            vec![],
            vec!["registered_in_houma"],
            "注册地不在侯马市的企业，须通过在侯马市登记注册的分公司、分支机构或营销中心经营".into(),
        ),
        (
            "branch without name".into(),
            vec![("operates_via_branch", "1".into())],
            vec!["registered_in_houma"],
            "请填写该分公司、分支机构或营销中心的登记名称".into(),
        ),
        (
            "production base missing".into(),
            vec![("production_base", "".into())],
            vec![],
            "生产基地或经营场所不能为空".into(),
        ),
        (
            "agent without producer".into(),
            vec![("is_agent", "1".into())],
            vec![],
            "代理商须填写所代理产品的生产企业名称".into(),
        ),
        (
            "contact missing".into(),
            vec![("contact_name", "".into())],
            vec![],
            "联系人不能为空".into(),
        ),
        (
            "mobile too short".into(),
            vec![("contact_mobile", "1381234567".into())],
            vec![],
            "手机号“1381234567”去掉空格、短横线和国家代码后有10位数字，应为11位".into(),
        ),
        (
            "mobile bad prefix".into(),
            vec![("contact_mobile", "12812345678".into())],
            vec![],
            "手机号“12812345678”不是有效的大陆手机号码".into(),
        ),
        (
            "mobile letters".into(),
            vec![("contact_mobile", "138abc45678".into())],
            vec![],
            "手机号“138abc45678”含有无效字符“a”".into(),
        ),
        (
            "description too long".into(),
            vec![("description", long_description)],
            vec![],
            "企业简介“醋醋醋醋醋醋醋醋醋醋醋醋醋醋醋醋醋醋醋醋…”过长，应不超过 2000 个字".into(),
        ),
    ];
    for letter in ['I', 'O', 'S', 'V', 'Z'] {
        let mut bad = code.clone();
        bad.replace_range(15..16, &letter.to_string());
        cases.push((
            format!("letter {letter}"),
            vec![("uscc", bad.clone())],
            vec![],
            format!(
                "统一社会信用代码“{bad}”第16位的字符“{letter}”无效，应为数字或除I、O、S、V、Z以外的大写字母"
            ),
        ));
    }

    for (case, changes, removals, message) in cases {
        let mut fields = form_fields(&code);
        for (key, value) in &changes {
            set(&mut fields, key, value);
        }
        for key in &removals {
            unset(&mut fields, key);
        }
        let response = browser
            .post_form("/enterprises/new", "/enterprises/new", &as_pairs(&fields))
            .await;
        assert_eq!(response.status(), 422, "{case}");
        let html = response.text().await.unwrap();
        assert!(html.contains(&message), "{case}: expected {message}");
        assert_refilled(&html, &fields, &case);
        assert_eq!(enterprise_count(&app).await, 0, "{case}: nothing saved");
    }
}

#[tokio::test]
async fn several_errors_reported_together() {
    let app = TestApp::spawn().await;
    let collector = app.api_client("collector1", &[Role::Collector], None).await;
    let mut body = api_body("91141081MA0K0000I0", "某");
    body["division_code"] = json!("不存在的乡");
    body["contact_mobile"] = json!("110");
    body["is_agent"] = json!(true);
    body["registered_in_houma"] = json!(false);

    let (status, response) = collector.post("/api/v1/enterprises", &body).await;
    assert_eq!(status, 422, "{response}");
    assert_eq!(response["error"], "invalid");
    let fields: Vec<&str> = response["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|field| field["field"].as_str().unwrap())
        .collect();
    for expected in [
        "name",
        "uscc",
        "division_code",
        "operates_via_branch",
        "producer_name",
        "contact_mobile",
    ] {
        assert!(
            fields.contains(&expected),
            "{expected} missing in {fields:?}"
        );
    }
    let message = response["message"].as_str().unwrap();
    assert!(message.contains("所在乡镇（街道）“不存在的乡”不是侯马市的乡镇或街道"));
    assert_eq!(enterprise_count(&app).await, 0);
}

#[tokio::test]
async fn duplicate_code_rejected() {
    let app = TestApp::spawn().await;
    let service_center = app.api_client("sc-api", &[Role::ServiceCenter], None).await;
    let code = valid_code("A");
    create_via_api(&service_center, &code, "侯马市凤城辣椒合作社").await;

    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let mut fields = form_fields(&code.to_ascii_lowercase());
    set(&mut fields, "name", "另一家企业");
    let response = browser
        .post_form("/enterprises/new", "/enterprises/new", &as_pairs(&fields))
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("统一社会信用代码“{code}”已被其他企业登记")),
        "{html}"
    );
    assert_refilled(&html, &fields, "duplicate code");
    assert_eq!(enterprise_count(&app).await, 1);

    // A second enterprise changed to the taken code is rejected the same way.
    let other = create_via_api(&service_center, &valid_code("B"), "另一家企业").await;
    let (status, body) = service_center
        .put(
            &format!("/api/v1/enterprises/{other}"),
            &api_body(&code, "另一家企业"),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "uscc");
    let row = enterprise::Entity::find_by_id(other)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.uscc, valid_code("B"));
}

#[tokio::test]
async fn admin_accepts_legacy_code() {
    let app = TestApp::spawn().await;
    app.create_user("admin1", &[Role::Admin], None).await;
    let admin = app.browser("admin1").await;
    let (legacy, _) = with_wrong_check(&valid_code("C"));

    let (_, html) = admin.get_text("/enterprises/new").await;
    assert!(html.contains("name=\"legacy_reason\""));

    let mut fields = form_fields(&legacy);
    set(&mut fields, "legacy_reason", "太短");
    let response = admin
        .post_form("/enterprises/new", "/enterprises/new", &as_pairs(&fields))
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("接受原因“太短”只有 2 个字，应至少 5 个字"),
        "{html}"
    );
    assert_refilled(&html, &fields, "short reason");
    assert_eq!(enterprise_count(&app).await, 0);

    let reason = "2015 年试点期间核发的代码，已核对营业执照原件";
    set(&mut fields, "legacy_reason", reason);
    let response = admin
        .post_form("/enterprises/new", "/enterprises/new", &as_pairs(&fields))
        .await;
    assert_eq!(response.status(), 303);
    let row = enterprise_by_code(&app, &legacy).await.expect("saved");
    assert_eq!(row.uscc_override_reason.as_deref(), Some(reason));

    let (_, html) = admin.get_text(&format!("/enterprises/{}", row.id)).await;
    assert!(html.contains(reason));

    // Staff edit other fields of the record without re-checking the accepted code.
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let service_center = app.browser("sc1").await;
    let edit_path = format!("/enterprises/{}/edit", row.id);
    let mut edit = form_fields(&legacy);
    set(&mut edit, "contact_name", "新联系人");
    let response = service_center
        .post_form(&edit_path, &edit_path, &as_pairs(&edit))
        .await;
    assert_eq!(response.status(), 303);
    let row = enterprise_by_code(&app, &legacy).await.unwrap();
    assert_eq!(row.contact_name, "新联系人");
    assert_eq!(row.uscc_override_reason.as_deref(), Some(reason));
}

#[tokio::test]
async fn non_admin_cannot_accept_legacy_code() {
    let app = TestApp::spawn().await;
    let (legacy, expected) = with_wrong_check(&valid_code("D"));
    let reason = "2015 年试点期间核发的代码，已核对营业执照原件";

    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let mut fields = form_fields(&legacy);
    set(&mut fields, "legacy_reason", reason);
    let response = browser
        .post_form("/enterprises/new", "/enterprises/new", &as_pairs(&fields))
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("只有系统管理员可以登记未通过校验的统一社会信用代码"));
    assert!(html.contains(&format!("的校验位应为“{expected}”")));
    assert_eq!(enterprise_count(&app).await, 0);

    let collector = app.api_client("collector1", &[Role::Collector], None).await;
    let mut body = api_body(&legacy, "某合作社");
    body["legacy_reason"] = json!(reason);
    let (status, response) = collector.post("/api/v1/enterprises", &body).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = response["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|field| field["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"legacy_reason"), "{fields:?}");
    assert_eq!(enterprise_count(&app).await, 0);
}

#[tokio::test]
async fn enterprise_user_sees_only_own_record() {
    let app = TestApp::spawn().await;
    let service_center = app.api_client("sc-api", &[Role::ServiceCenter], None).await;
    let own = create_via_api(&service_center, &valid_code("E"), "甲企业").await;
    let other = create_via_api(&service_center, &valid_code("F"), "乙企业").await;

    app.create_user("ent-a", &[Role::Enterprise], Some(own))
        .await;
    let browser = app.browser("ent-a").await;

    let list = browser.get("/enterprises").await;
    assert_eq!(list.status(), 303);
    assert_eq!(location(&list), "/enterprises/mine");
    let (status, html) = browser.get_text(&format!("/enterprises/{own}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("甲企业"));
    assert!(html.contains(MOBILE));

    let other_detail = format!("/enterprises/{other}");
    let other_edit = format!("/enterprises/{other}/edit");
    let own_edit = format!("/enterprises/{own}/edit");
    let (status, html) = browser.get_text(&other_detail).await;
    assert_eq!(status, 404, "detail");
    assert!(!html.contains("乙企业"));
    let (status, _) = browser.get_text(&other_edit).await;
    assert_eq!(status, 404, "edit page");
    let mut fields = form_fields(&valid_code("F"));
    set(&mut fields, "name", "被篡改的名称");
    let response = browser
        .post_form(&own_edit, &other_edit, &as_pairs(&fields))
        .await;
    assert_eq!(response.status(), 404, "edit submit");

    let api = app
        .api_client("ent-a-api", &[Role::Enterprise], Some(own))
        .await;
    let (status, body) = api.get(&format!("/api/v1/enterprises/{other}")).await;
    assert_eq!(status, 404, "API get");
    assert_eq!(body["error"], "not_found");
    let (status, _) = api
        .put(
            &format!("/api/v1/enterprises/{other}"),
            &api_body(&valid_code("F"), "被篡改的名称"),
        )
        .await;
    assert_eq!(status, 404, "API put");
    let (status, body) = api.get("/api/v1/enterprises").await;
    assert_eq!(status, 200);
    assert_eq!(body["total"], 1);
    assert_eq!(body["items"][0]["id"], own);
    let (status, _) = api
        .post("/api/v1/enterprises", &api_body(&valid_code("G"), "丙企业"))
        .await;
    assert_eq!(status, 403);

    let untouched = enterprise::Entity::find_by_id(other)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(untouched.name, "乙企业");
}

#[tokio::test]
async fn enterprise_edits_own_record_but_not_code() {
    let app = TestApp::spawn().await;
    let service_center = app.api_client("sc-api", &[Role::ServiceCenter], None).await;
    let code = valid_code("H");
    let own = create_via_api(&service_center, &code, "甲企业").await;
    app.create_user("ent-a", &[Role::Enterprise], Some(own))
        .await;
    let browser = app.browser("ent-a").await;
    let edit_path = format!("/enterprises/{own}/edit");

    let (status, html) = browser.get_text(&edit_path).await;
    assert_eq!(status, 200);
    assert!(!html.contains("name=\"uscc\""), "the code is read-only");
    assert!(html.contains(&code));

    let mut fields = form_fields(&code);
    unset(&mut fields, "uscc");
    set(&mut fields, "name", "甲企业（更名）");
    set(&mut fields, "contact_mobile", "139 0000 1111");
    let response = browser
        .post_form(&edit_path, &edit_path, &as_pairs(&fields))
        .await;
    assert_eq!(response.status(), 303);
    let row = enterprise::Entity::find_by_id(own)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.name, "甲企业（更名）");
    assert_eq!(row.contact_mobile, "13900001111");
    assert_eq!(row.uscc, code);

    let api = app
        .api_client("ent-a-api", &[Role::Enterprise], Some(own))
        .await;
    let (status, body) = api
        .put(
            &format!("/api/v1/enterprises/{own}"),
            &api_body(&valid_code("J"), "甲企业"),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "uscc");
    assert!(
        body["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("企业不能自行修改统一社会信用代码")
    );
    let row = enterprise::Entity::find_by_id(own)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.uscc, code);
}

#[tokio::test]
async fn list_masks_mobiles() {
    let app = TestApp::spawn().await;
    let service_center = app.api_client("sc-api", &[Role::ServiceCenter], None).await;
    create_via_api(&service_center, &valid_code("K"), "侯马市浍滨电商有限公司").await;

    app.create_user("bureau1", &[Role::Bureau], None).await;
    let browser = app.browser("bureau1").await;
    let (status, html) = browser.get_text("/enterprises").await;
    assert_eq!(status, 200);
    assert!(html.contains("侯马市浍滨电商有限公司"));
    assert!(html.contains(MASKED_MOBILE), "{html}");
    assert!(!html.contains(MOBILE));
    assert!(html.contains("路东街道"));
    assert!(html.contains("公司"));
    assert!(!html.contains("/enterprises/new"), "the bureau cannot add");

    let (status, body) = service_center.get("/api/v1/enterprises").await;
    assert_eq!(status, 200);
    assert_eq!(body["items"][0]["contact_mobile"], MASKED_MOBILE);
}

#[tokio::test]
async fn list_searches_filters_and_pages() {
    let app = TestApp::spawn().await;
    let service_center = app.api_client("sc-api", &[Role::ServiceCenter], None).await;
    let serials: Vec<String> = (10..31).map(|number| number.to_string()).collect();
    for serial in &serials {
        create_via_api(
            &service_center,
            &valid_code(serial),
            &format!("侯马市第{serial}号企业"),
        )
        .await;
    }
    let mut cooperative = api_body(&valid_code("Q"), "新田香醋合作社");
    cooperative["subject_type"] = json!("cooperative");
    cooperative["division_code"] = json!("141081200");
    let (status, _) = service_center
        .post("/api/v1/enterprises", &cooperative)
        .await;
    assert_eq!(status, 201);

    let (_, body) = service_center.get("/api/v1/enterprises").await;
    assert_eq!(body["total"], 22);
    assert_eq!(body["pages"], 2);
    assert_eq!(body["items"].as_array().unwrap().len(), 20);
    assert_eq!(body["items"][0]["name"], "新田香醋合作社", "newest first");
    let (_, body) = service_center.get("/api/v1/enterprises?page=2").await;
    assert_eq!(body["items"].as_array().unwrap().len(), 2);
    assert_eq!(body["items"][1]["name"], "侯马市第10号企业");

    let (_, body) = service_center
        .get("/api/v1/enterprises?q=%E9%A6%99%E9%86%8B")
        .await;
    assert_eq!(body["total"], 1, "search by name part 香醋");
    let code_part = valid_code("25")[12..].to_ascii_lowercase();
    let (_, body) = service_center
        .get(&format!("/api/v1/enterprises?q={code_part}"))
        .await;
    assert_eq!(body["total"], 1, "search by code part, any case");
    assert_eq!(body["items"][0]["name"], "侯马市第25号企业");
    let (_, body) = service_center
        .get("/api/v1/enterprises?division_code=141081200")
        .await;
    assert_eq!(body["total"], 1);
    let (_, body) = service_center
        .get("/api/v1/enterprises?subject_type=company")
        .await;
    assert_eq!(body["total"], 21);
    let (status, body) = service_center
        .get("/api/v1/enterprises?subject_type=partnership")
        .await;
    assert_eq!(status, 422);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("主体类型“partnership”无效")
    );

    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let browser = app.browser("sc1").await;
    let (status, html) = browser.get_text("/enterprises?subject_type=company").await;
    assert_eq!(status, 200);
    assert!(html.contains("共 21 家，第 1 / 2 页"), "{html}");
    assert!(
        html.contains("subject_type=company") && html.contains("page=2"),
        "the next-page link keeps the filter: {html}"
    );
    assert!(!html.contains("新田香醋合作社"));
}

#[tokio::test]
async fn divisions_listed_without_login() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/api/v1/divisions")).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    let names: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 8);
    assert!(names.contains(&"新田乡"));
    assert_eq!(body[0]["code"], "141081001");

    let document = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(document.contains("/api/v1/enterprises/{id}"));
    assert!(document.contains("/api/v1/divisions"));
}

#[tokio::test]
async fn newest_audit_entry_has_before_and_after() {
    let app = TestApp::spawn().await;
    app.create_user("sc1", &[Role::ServiceCenter], None).await;
    let service_center = app.api_client("sc-api", &[Role::ServiceCenter], None).await;
    let code = valid_code("R");
    let id = create_via_api(&service_center, &code, "侯马市上马果蔬合作社").await;

    let browser = app.browser("sc1").await;
    let edit_path = format!("/enterprises/{id}/edit");
    let mut fields = form_fields(&code);
    set(&mut fields, "name", "侯马市上马果蔬专业合作社");
    let response = browser
        .post_form(&edit_path, &edit_path, &as_pairs(&fields))
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        location(&response),
        format!("/enterprises/{id}?notice=updated")
    );

    let entry = audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("enterprise"))
        .order_by_desc(audit_log::Column::Id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.action, "update");
    assert_eq!(entry.username, "sc1");
    assert!(entry.before_json.unwrap().contains("侯马市上马果蔬合作社"));
    assert!(
        entry
            .after_json
            .unwrap()
            .contains("侯马市上马果蔬专业合作社")
    );
}
