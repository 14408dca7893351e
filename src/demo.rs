//! `etown demo`: a realistic demonstration data set.

use sea_orm::DatabaseConnection;

use crate::config::Config;

pub async fn load(_db: &DatabaseConnection, _config: &Config) -> anyhow::Result<()> {
    anyhow::bail!("演示数据尚未实现")
}
