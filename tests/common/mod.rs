//! Test harness: each test gets a fresh database (a temporary SQLite file, or a new
//! PostgreSQL database when `ETOWN_TEST_BACKEND=postgres`) and a real server on port 0.

#![allow(dead_code)]

pub mod browser;

use std::net::SocketAddr;

use chrono::{DateTime, Utc};
use etown::{
    audit::Actor,
    config::{Backend, Config, ConfigArgs},
    services::accounts,
    web::state::{AppState, Clock},
};
use etown_rules::workflow::Role;
use sea_orm::{ConnectionTrait, Database, TransactionTrait};

pub const PASSWORD: &str = "Houma2026pass";

/// Returns the URL of the PostgreSQL server the suite uses (trust authentication as user `postgres`).
fn postgres_admin_url() -> String {
    std::env::var("ETOWN_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn backend() -> Backend {
    std::env::var("ETOWN_TEST_BACKEND")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(Backend::Sqlite)
}

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub addr: SocketAddr,
    _dir: tempfile::TempDir,
    postgres_database: Option<String>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with_clock(Clock::system()).await
    }

    /// Starts the application with "now" pinned at `at`.
    pub async fn spawn_at(at: DateTime<Utc>) -> TestApp {
        Self::spawn_with_clock(Clock::fixed(at)).await
    }

    pub async fn spawn_with_clock(clock: Clock) -> TestApp {
        let dir = tempfile::tempdir().expect("temporary directory");
        let (database_url, postgres_database) = match backend() {
            Backend::Sqlite => (format!("sqlite://{}/etown.db", dir.path().display()), None),
            Backend::Postgres => {
                let name = format!("etown_test_{}", etown::web::auth::random_token(6));
                let admin = Database::connect(postgres_admin_url())
                    .await
                    .expect("PostgreSQL reachable for tests");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let base = postgres_admin_url();
                let url = format!(
                    "{}/{name}",
                    base.rsplit_once('/').expect("URL has a database part").0
                );
                (url, Some(name))
            }
        };

        let args = ConfigArgs {
            database_url: Some(database_url),
            data_dir: Some(dir.path().to_path_buf()),
            listen: Some("127.0.0.1:0".into()),
            db_max_connections: Some("4".into()),
            ..Default::default()
        };
        let mut config = Config::load(&args).expect("test configuration is valid");

        let db = etown::db::connect(&config)
            .await
            .expect("connect test database");
        etown::db::migrate(&db)
            .await
            .expect("migrate test database");

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let addr = listener.local_addr().expect("local address");
        config.listen = addr;
        config.public_url = format!("http://{addr}");

        let (router, state) = etown::app::build(db, config, clock)
            .await
            .expect("build application");
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .expect("server runs");
        });

        TestApp {
            base: format!("http://{addr}"),
            state,
            addr,
            _dir: dir,
            postgres_database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Creates a user with `roles` (and, for enterprise users, its enterprise) directly.
    pub async fn create_user(
        &self,
        username: &str,
        roles: &[Role],
        enterprise_id: Option<i64>,
    ) -> i64 {
        let txn = self.state.db.begin().await.unwrap();
        let user = accounts::create_user(
            &txn,
            &Actor::system(),
            accounts::NewUser {
                username: username.into(),
                display_name: format!("{username}（测试）"),
                password: PASSWORD.into(),
                roles: roles.to_vec(),
                enterprise_id,
                must_change_password: false,
            },
            Utc::now(),
        )
        .await
        .expect("create test user");
        txn.commit().await.unwrap();
        user.id
    }

    /// Creates an API token for a user and returns the secret.
    pub async fn token_for(&self, user_id: i64) -> String {
        let txn = self.state.db.begin().await.unwrap();
        let (_, secret) =
            accounts::create_token(&txn, &Actor::system(), user_id, "test", Utc::now())
                .await
                .unwrap();
        txn.commit().await.unwrap();
        secret
    }

    /// Returns a browser-like client logged in as `username`.
    pub async fn browser(&self, username: &str) -> Browser {
        let browser = Browser::new(self);
        browser.login(username, PASSWORD).await;
        browser
    }

    /// Creates a user with `roles` and returns an API client carrying its bearer token.
    pub async fn api_client(
        &self,
        username: &str,
        roles: &[Role],
        enterprise_id: Option<i64>,
    ) -> ApiClient {
        let user_id = self.create_user(username, roles, enterprise_id).await;
        let token = self.token_for(user_id).await;
        ApiClient {
            base: self.base.clone(),
            token,
            client: reqwest::Client::new(),
            user_id,
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let Some(name) = self.postgres_database.take() else {
            return;
        };
        // Dropping needs async I/O; a separate thread with its own runtime does it
        // without touching the test's runtime, which may be shutting down.
        let admin_url = postgres_admin_url();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                if let Ok(admin) = Database::connect(admin_url).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    admin.close().await.ok();
                }
            });
        })
        .join();
    }
}

/// A client that keeps cookies like a browser and fills in CSRF tokens from the pages.
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser {
            base: app.base.clone(),
            client,
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    /// Reads the CSRF token from the form on `path`.
    pub async fn csrf(&self, path: &str) -> String {
        let (_, html) = self.get_text(path).await;
        csrf_from(&html).unwrap_or_else(|| panic!("no csrf_token on {path}"))
    }

    /// Posts a form with the CSRF token taken from `form_page`.
    pub async fn post_form(
        &self,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf(form_page).await;
        let mut body: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        body.extend_from_slice(fields);
        self.client
            .post(format!("{}{}", self.base, action))
            .form(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        let response = self
            .post_form(
                "/login",
                "/login",
                &[("username", username), ("password", password)],
            )
            .await;
        assert!(
            response.status().is_redirection(),
            "login of {username} failed with {}",
            response.status()
        );
        response
    }
}

pub fn csrf_from(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// A machine client of the JSON API.
pub struct ApiClient {
    pub base: String,
    pub token: String,
    pub client: reqwest::Client,
    pub user_id: i64,
}

impl ApiClient {
    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let response = self
            .client
            .get(format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    pub async fn post(&self, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let response = self
            .client
            .post(format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    pub async fn put(&self, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let response = self
            .client
            .put(format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }
}

/// Inserts an enterprise registered in Houma with a production base.
pub async fn insert_enterprise(app: &TestApp, name: &str, uscc: &str) -> i64 {
    let now = Utc::now();
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    etown::entities::enterprise::ActiveModel {
        name: Set(name.into()),
        uscc: Set(uscc.into()),
        uscc_override_reason: Set(None),
        subject_type: Set("company".into()),
        registered_address: Set("侯马市新田乡东庄村".into()),
        division_code: Set("141081200".into()),
        registered_in_houma: Set(true),
        operates_via_branch: Set(false),
        branch_name: Set(None),
        production_base: Set("新田乡东庄村醋坊".into()),
        is_agent: Set(false),
        producer_name: Set(None),
        contact_name: Set("王东庄".into()),
        contact_mobile: Set("13835712345".into()),
        description: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap()
    .id
}
