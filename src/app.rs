//! Start-up: connect, migrate, load the calendar, build the router, serve until a shutdown signal arrives.

use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use etown_rules::workflow::Role;
use sea_orm::{DatabaseConnection, TransactionTrait};
use tokio::net::TcpListener;

use crate::{
    audit::Actor,
    config::Config,
    db,
    services::{accounts, calendar},
    web::{
        self,
        auth::generate_password,
        state::{AppState, Clock},
    },
};

/// Builds the state and router on an already migrated database.
pub async fn build(
    db: DatabaseConnection,
    config: Config,
    clock: Clock,
) -> anyhow::Result<(Router, AppState)> {
    let files_root = config.data_dir.join("files");
    std::fs::create_dir_all(&files_root)
        .with_context(|| format!("无法创建附件目录“{}”", files_root.display()))?;
    let files = opendal::Operator::new(
        opendal::services::Fs::default().root(&files_root.to_string_lossy()),
    )?;

    let calendar = calendar::load(&db).await?;
    let state = AppState::new(db, config, files, calendar, clock);
    Ok((web::router(state.clone()), state))
}

/// Creates the first administrator when the database has no user, and prints how to log in.
pub async fn ensure_admin(db: &DatabaseConnection, config: &Config) -> anyhow::Result<()> {
    if accounts::user_count(db)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?
        > 0
    {
        return Ok(());
    }
    let password = generate_password();
    let txn = db.begin().await?;
    accounts::create_user(
        &txn,
        &Actor::system(),
        accounts::NewUser {
            username: "admin".into(),
            display_name: "系统管理员".into(),
            password: password.clone(),
            roles: vec![Role::Admin],
            enterprise_id: None,
            must_change_password: true,
        },
        chrono::Utc::now(),
    )
    .await
    .map_err(|error| anyhow::anyhow!("{error}"))?;
    txn.commit().await?;

    // Printed to the console, not logged: the password must not end up in log files.
    println!("================ 首次启动 ================");
    println!("已创建系统管理员账号。");
    println!("  登录地址：{}/login", config.public_url);
    println!("  用户名：admin");
    println!("  初始密码：{password}");
    println!("首次登录后系统会要求修改密码。此密码只显示这一次。");
    println!("==========================================");
    Ok(())
}

/// Runs the server until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let db = db::connect(&config).await?;
    db::migrate(&db).await.context("数据库迁移失败")?;
    ensure_admin(&db, &config).await?;

    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("无法监听地址 {}（ETOWN_LISTEN）", config.listen))?;
    let (router, state) = build(db, config.clone(), Clock::system()).await?;
    crate::services::jobs::spawn(state.clone());

    tracing::info!(listen = %config.listen, backend = ?config.backend, "etown started");
    println!(
        "乡村e镇综合服务平台已启动：{}/  （公共门户：{}/portal）",
        config.public_url, config.public_url
    );
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    state.db.clone().close().await.ok();
    tracing::info!("etown stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing requests in flight");
}
