//! The `etown` command line.

use clap::{Parser, Subcommand};
use etown_rules::workflow::Role;
use sea_orm::TransactionTrait;

use crate::{
    app,
    audit::Actor,
    config::{Config, ConfigArgs},
    db,
    services::accounts,
    web::auth::{check_password_strength, generate_password},
};

#[derive(Debug, Parser)]
#[command(
    name = "etown",
    version,
    about = "乡村e镇综合服务平台：区域公用品牌授权、企业信息与工作日历"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 启动服务：公共门户、后台管理与 JSON 接口（默认命令）
    Serve,
    /// 执行数据库迁移并写入初始数据，然后退出
    Migrate,
    /// 用户管理
    #[command(subcommand)]
    User(UserCommand),
    /// 载入演示数据（虚构企业与各状态的授权申请）
    Demo,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// 新增用户；未给出密码时生成随机密码并显示一次
    Add {
        /// 登录用户名
        username: String,
        /// 显示名称
        #[arg(long)]
        name: Option<String>,
        /// 角色，可重复：admin auditor lgo service_center bureau supervisor collector statistician station_staff enterprise contractor
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// 企业用户所属企业的编号
        #[arg(long)]
        enterprise_id: Option<i64>,
        /// 初始密码（也可由环境变量 ETOWN_NEW_PASSWORD 给出）
        #[arg(long, env = "ETOWN_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

/// Runs the command line; returns the process exit code.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(&cli.config).map_err(|error| anyhow::anyhow!(error.0))?;
    crate::telemetry_init(&config);

    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => app::serve(config).await,
        Command::Migrate => {
            let db = db::connect(&config).await?;
            db::migrate(&db).await?;
            app::ensure_admin(&db, &config).await?;
            println!("数据库迁移完成。");
            Ok(())
        }
        Command::User(UserCommand::Add {
            username,
            name,
            roles,
            enterprise_id,
            password,
        }) => {
            let db = db::connect(&config).await?;
            db::migrate(&db).await?;
            let mut parsed = Vec::new();
            for role in &roles {
                let role: Role = role.parse().map_err(|_| {
                    anyhow::anyhow!("角色“{role}”无效，应为 admin、auditor、lgo、service_center、bureau、supervisor、collector、statistician、station_staff、enterprise 或 contractor")
                })?;
                parsed.push(role);
            }
            let (password, generated) = match password {
                Some(password) => {
                    check_password_strength(&password)
                        .map_err(|message| anyhow::anyhow!("密码不符合要求：{message}"))?;
                    (password, false)
                }
                None => (generate_password(), true),
            };
            let txn = db.begin().await?;
            let user = accounts::create_user(
                &txn,
                &Actor::system(),
                accounts::NewUser {
                    display_name: name.unwrap_or_else(|| username.clone()),
                    username,
                    password: password.clone(),
                    roles: parsed,
                    enterprise_id,
                    must_change_password: generated,
                },
                chrono::Utc::now(),
            )
            .await
            .map_err(|error| anyhow::anyhow!(error.user_message()))?;
            txn.commit().await?;
            println!("已创建用户“{}”（编号 {}）。", user.username, user.id);
            if generated {
                println!("初始密码：{password}（首次登录后需修改，此密码只显示这一次）");
            }
            Ok(())
        }
        Command::Demo => {
            let db = db::connect(&config).await?;
            db::migrate(&db).await?;
            crate::demo::load(&db, &config).await
        }
    }
}
