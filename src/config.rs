//! Typed configuration: command-line flags and environment variables, over an optional
//! TOML file, over built-in defaults. Every value is checked once at start-up, and an
//! error names the key so that the operator knows what to fix.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use serde::Deserialize;

/// Values given on the command line or in the environment; `None` means "not given".
#[derive(Debug, Default, Clone, clap::Args)]
pub struct ConfigArgs {
    /// Path of an optional TOML configuration file whose keys are the lower-case names below.
    #[arg(long, env = "ETOWN_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Address the server listens on, such as 127.0.0.1:8080.
    #[arg(long, env = "ETOWN_LISTEN", global = true)]
    pub listen: Option<String>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Folder that keeps uploaded files (the local object store).
    #[arg(long, env = "ETOWN_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Public address of the portal, used in certificate QR codes, such as https://e.houma.gov.cn.
    #[arg(long, env = "ETOWN_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "ETOWN_SESSION_IDLE_MINUTES", global = true)]
    pub session_idle_minutes: Option<String>,
    /// Largest accepted upload, in megabytes.
    #[arg(long, env = "ETOWN_UPLOAD_MAX_MB", global = true)]
    pub upload_max_mb: Option<String>,
    /// Log format: text or json.
    #[arg(long, env = "ETOWN_LOG_FORMAT", global = true)]
    pub log_format: Option<String>,
    /// Maximum number of pooled database connections.
    #[arg(long, env = "ETOWN_DB_MAX_CONNECTIONS", global = true)]
    pub db_max_connections: Option<String>,
    /// Take the client address from X-Forwarded-For (only behind a trusted reverse proxy): true or false.
    #[arg(long, env = "ETOWN_TRUST_PROXY", global = true)]
    pub trust_proxy: Option<String>,
}

/// The same keys as read from the TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    public_url: Option<String>,
    session_idle_minutes: Option<u32>,
    upload_max_mb: Option<u32>,
    log_format: Option<String>,
    db_max_connections: Option<u32>,
    trust_proxy: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Database product selected by the URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Checked configuration of one etown process.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    pub backend: Backend,
    pub data_dir: PathBuf,
    pub public_url: String,
    pub session_idle: Duration,
    pub upload_max_bytes: usize,
    pub log_format: LogFormat,
    pub db_max_connections: u32,
    pub trust_proxy: bool,
}

/// A configuration value that cannot be used; the message is shown to the operator as is.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/etown.db";

impl Config {
    /// Builds the configuration from flags and environment, then the file, then defaults.
    pub fn load(args: &ConfigArgs) -> Result<Config, ConfigError> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };

        let listen_text = args
            .listen
            .clone()
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen: SocketAddr = listen_text.trim().parse().map_err(|_| {
            ConfigError(format!(
                "配置项 ETOWN_LISTEN（listen）的值“{listen_text}”不是有效的监听地址，应为“IP:端口”，例如 127.0.0.1:8080"
            ))
        })?;

        let database_url = args
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let backend = backend_of(&database_url)?;

        let data_dir = args
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./data"));

        let public_url = args
            .public_url
            .clone()
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{listen}"));
        let public_url = public_url.trim().trim_end_matches('/').to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError(format!(
                "配置项 ETOWN_PUBLIC_URL（public_url）的值“{public_url}”无效，应以 http:// 或 https:// 开头"
            )));
        }

        let session_idle_minutes = number_value(
            "ETOWN_SESSION_IDLE_MINUTES",
            "session_idle_minutes",
            args.session_idle_minutes.as_deref(),
            file.session_idle_minutes,
            30,
            1..=1440,
        )?;
        let upload_max_mb = number_value(
            "ETOWN_UPLOAD_MAX_MB",
            "upload_max_mb",
            args.upload_max_mb.as_deref(),
            file.upload_max_mb,
            10,
            1..=200,
        )?;
        let db_max_connections = number_value(
            "ETOWN_DB_MAX_CONNECTIONS",
            "db_max_connections",
            args.db_max_connections.as_deref(),
            file.db_max_connections,
            8,
            1..=200,
        )?;

        let log_format = match args
            .log_format
            .clone()
            .or(file.log_format)
            .as_deref()
            .map(str::trim)
        {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError(format!(
                    "配置项 ETOWN_LOG_FORMAT（log_format）的值“{other}”无效，应为 text 或 json"
                )));
            }
        };

        let trust_proxy = match args.trust_proxy.as_deref().map(str::trim) {
            None => file.trust_proxy.unwrap_or(false),
            Some("true" | "1") => true,
            Some("false" | "0") => false,
            Some(other) => {
                return Err(ConfigError(format!(
                    "配置项 ETOWN_TRUST_PROXY（trust_proxy）的值“{other}”无效，应为 true 或 false"
                )));
            }
        };

        Ok(Config {
            listen,
            database_url,
            backend,
            data_dir,
            public_url,
            session_idle: Duration::from_secs(u64::from(session_idle_minutes) * 60),
            upload_max_bytes: upload_max_mb as usize * 1024 * 1024,
            log_format,
            db_max_connections,
            trust_proxy,
        })
    }

    /// Returns whether cookies must carry the Secure attribute (the portal is served over HTTPS).
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

fn read_file(path: &PathBuf) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        ConfigError(format!(
            "无法读取配置文件“{}”（ETOWN_CONFIG）：{error}",
            path.display()
        ))
    })?;
    toml::from_str(&text)
        .map_err(|error| ConfigError(format!("配置文件“{}”格式有误：{error}", path.display())))
}

fn number_value(
    env_key: &str,
    file_key: &str,
    given: Option<&str>,
    from_file: Option<u32>,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, ConfigError> {
    let value = match given {
        Some(text) => text.trim().parse::<u32>().map_err(|_| {
            ConfigError(format!(
                "配置项 {env_key}（{file_key}）的值“{text}”不是整数，应为 {} 到 {} 之间的整数",
                range.start(),
                range.end()
            ))
        })?,
        None => from_file.unwrap_or(default),
    };
    if !range.contains(&value) {
        return Err(ConfigError(format!(
            "配置项 {env_key}（{file_key}）的值“{value}”超出范围，应为 {} 到 {} 之间的整数",
            range.start(),
            range.end()
        )));
    }
    Ok(value)
}

/// Selects the backend from the URL scheme; any scheme but SQLite and PostgreSQL is rejected.
pub fn backend_of(url: &str) -> Result<Backend, ConfigError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        let scheme = url.split(':').next().unwrap_or_default();
        Err(ConfigError(format!(
            "配置项 DATABASE_URL 的协议“{scheme}”不受支持，应为 sqlite://文件路径 或 postgres://用户@主机/数据库"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply() {
        let config = Config::load(&ConfigArgs::default()).unwrap();
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(config.backend, Backend::Sqlite);
        assert_eq!(config.session_idle, Duration::from_secs(1800));
    }

    #[test]
    fn bad_listen_names_key() {
        let args = ConfigArgs {
            listen: Some("localhost".into()),
            ..Default::default()
        };
        let message = Config::load(&args).unwrap_err().0;
        assert!(message.contains("ETOWN_LISTEN"), "{message}");
        assert!(message.contains("localhost"), "{message}");
    }

    #[test]
    fn mysql_url_rejected() {
        let args = ConfigArgs {
            database_url: Some("mysql://root@localhost/etown".into()),
            ..Default::default()
        };
        let message = Config::load(&args).unwrap_err().0;
        assert!(message.contains("DATABASE_URL"), "{message}");
        assert!(message.contains("mysql"), "{message}");
    }

    #[test]
    fn out_of_range_number_names_key() {
        let args = ConfigArgs {
            session_idle_minutes: Some("0".into()),
            ..Default::default()
        };
        let message = Config::load(&args).unwrap_err().0;
        assert!(message.contains("ETOWN_SESSION_IDLE_MINUTES"), "{message}");
    }
}
