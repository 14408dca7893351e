//! Seed data: the county file (divisions, brand matrix, settings) and the official holiday
//! arrangements shipped with the program. Each part is inserted only where the database
//! has none yet, so a restart never overwrites what administrators changed.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, TransactionTrait,
};
use serde::Deserialize;

use crate::entities::{brand, calendar_day, calendar_year, division, setting};

/// The county file compiled into the binary; `ETOWN_COUNTY_SEED` names another one.
const DEFAULT_COUNTY_SEED: &str = include_str!("../../seed/county.toml");

#[derive(Debug, Deserialize)]
pub struct CountySeed {
    pub county: County,
    pub settings: std::collections::BTreeMap<String, String>,
    pub divisions: Vec<DivisionSeed>,
    pub brand: BrandSeed,
}

#[derive(Debug, Deserialize)]
pub struct County {
    pub name: String,
    pub division_code: String,
}

#[derive(Debug, Deserialize)]
pub struct DivisionSeed {
    pub code: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Deserialize)]
pub struct BrandSeed {
    pub name: String,
    pub slogan: String,
    pub description: Option<String>,
    #[serde(default)]
    pub sub_brands: Vec<SubBrandSeed>,
}

#[derive(Debug, Deserialize)]
pub struct SubBrandSeed {
    pub name: String,
    pub slogan: String,
    pub description: Option<String>,
}

/// Reads the county file named by `ETOWN_COUNTY_SEED`, or the built-in one.
pub fn county_seed() -> Result<CountySeed, DbErr> {
    let text = match std::env::var("ETOWN_COUNTY_SEED") {
        Ok(path) => std::fs::read_to_string(&path).map_err(|error| {
            DbErr::Custom(format!(
                "无法读取 ETOWN_COUNTY_SEED 指定的文件“{path}”：{error}"
            ))
        })?,
        Err(_) => DEFAULT_COUNTY_SEED.to_owned(),
    };
    toml::from_str(&text)
        .map_err(|error| DbErr::Custom(format!("县域初始数据文件格式有误：{error}")))
}

pub async fn seed(db: &sea_orm::DatabaseConnection) -> Result<(), DbErr> {
    let county = county_seed()?;
    let txn = db.begin().await?;
    let now = Utc::now();

    if division::Entity::find().count(&txn).await? == 0 {
        for (index, item) in county.divisions.iter().enumerate() {
            division::ActiveModel {
                code: Set(item.code.clone()),
                name: Set(item.name.clone()),
                kind: Set(item.kind.clone()),
                sort_order: Set(index as i32),
            }
            .insert_into(&txn)
            .await?;
        }
    }

    let mut settings = county.settings.clone();
    settings.insert("county_name".into(), county.county.name.clone());
    settings.insert(
        "county_division_code".into(),
        county.county.division_code.clone(),
    );
    for (key, value) in settings {
        if setting::Entity::find_by_id(key.clone())
            .one(&txn)
            .await?
            .is_none()
        {
            setting::ActiveModel {
                key: Set(key),
                value: Set(value),
                updated_at: Set(now),
            }
            .insert_into(&txn)
            .await?;
        }
    }

    if brand::Entity::find().count(&txn).await? == 0 {
        let umbrella = brand::ActiveModel {
            parent_id: Set(None),
            name: Set(county.brand.name.clone()),
            slogan: Set(county.brand.slogan.clone()),
            description: Set(county.brand.description.clone()),
            logo_file_id: Set(None),
            license_cap: Set(None),
            sort_order: Set(0),
            is_active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let umbrella_id = brand::Entity::insert(umbrella)
            .exec(&txn)
            .await?
            .last_insert_id;
        for (index, sub) in county.brand.sub_brands.iter().enumerate() {
            let row = brand::ActiveModel {
                parent_id: Set(Some(umbrella_id)),
                name: Set(sub.name.clone()),
                slogan: Set(sub.slogan.clone()),
                description: Set(sub.description.clone()),
                logo_file_id: Set(None),
                license_cap: Set(None),
                sort_order: Set(index as i32 + 1),
                is_active: Set(true),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            brand::Entity::insert(row).exec(&txn).await?;
        }
    }

    for (year, entries) in etown_rules::calendar::Calendar::shipped_arrangements() {
        if calendar_year::Entity::find_by_id(year)
            .one(&txn)
            .await?
            .is_some()
        {
            continue;
        }
        calendar_year::ActiveModel {
            year: Set(year),
            source: Set("official".into()),
            updated_by: Set(None),
            updated_at: Set(now),
        }
        .insert_into(&txn)
        .await?;
        for entry in entries {
            calendar_day::ActiveModel {
                date: Set(entry.date),
                year: Set(year),
                kind: Set(entry.kind.as_str().to_owned()),
                name: Set(entry.name.clone()),
            }
            .insert_into(&txn)
            .await?;
        }
    }

    txn.commit().await
}

/// Inserts an active model whose primary key is given rather than generated.
trait InsertInto {
    async fn insert_into<C: ConnectionTrait>(self, db: &C) -> Result<(), DbErr>;
}

impl<A> InsertInto for A
where
    A: sea_orm::ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
{
    async fn insert_into<C: ConnectionTrait>(self, db: &C) -> Result<(), DbErr> {
        <A::Entity as EntityTrait>::insert(self)
            .exec_without_returning(db)
            .await?;
        Ok(())
    }
}
