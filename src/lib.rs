//! etown: the platform that runs a county's rural e-town program (乡村e镇综合服务平台).

pub mod app;
pub mod audit;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod entities;
pub mod services;
pub mod web;

/// Installs the log subscriber: text or JSON lines, filtered by `RUST_LOG` (default `info`).
pub fn telemetry_init(config: &config::Config) {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let result = match config.log_format {
        config::LogFormat::Text => {
            use std::io::IsTerminal;
            let ansi = std::io::stdout().is_terminal();
            fmt()
                .with_env_filter(filter)
                .with_target(false)
                .with_ansi(ansi)
                .try_init()
        }
        config::LogFormat::Json => fmt().json().with_env_filter(filter).try_init(),
    };
    // A second call (tests build several applications) keeps the first subscriber.
    let _ = result;
}
