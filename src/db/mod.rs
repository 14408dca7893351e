//! Database connection, migrations and the seed data every installation starts with.

pub mod migration;
pub mod seed;

use std::{path::Path, str::FromStr, time::Duration};

use sea_orm::{ConnectOptions, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;

use crate::config::{Backend, Config};

/// Opens the pool. For SQLite the file and its folder are created when missing, and every
/// connection runs in WAL mode with a busy timeout and foreign keys enforced.
pub async fn connect(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(config.database_url.clone());
    options
        .max_connections(config.db_max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        // Pinging each connection on checkout costs about a third of the throughput.
        .test_before_acquire(false)
        .sqlx_logging(false);

    if config.backend == Backend::Sqlite {
        let path = sqlite_path(&config.database_url);
        if let Some(parent) = Path::new(&path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|error| {
                anyhow::anyhow!("无法创建数据库目录“{}”：{error}", parent.display())
            })?;
        }
        options.map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    }

    let db = sea_orm::Database::connect(options).await?;
    Ok(db)
}

/// Returns the file path of a `sqlite://` URL without query parameters.
fn sqlite_path(url: &str) -> String {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    rest.split('?').next().unwrap_or_default().to_owned()
}

/// Applies every pending migration and the seed data; safe to run on every start.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    migration::Migrator::up(db, None).await?;
    seed::seed(db).await
}

/// Parses a backend name, used by tests that choose their database from the environment.
impl FromStr for Backend {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            other => Err(format!("unknown backend {other}")),
        }
    }
}
