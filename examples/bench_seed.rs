//! Generates the benchmark data set: 10,000 enterprises and 20,000 applications spread over
//! the sub-brands and workflow states, with a license for each completed application.
//! Writes the licenses' verification codes to `bench/codes.txt` for the load script.
//!
//! Usage: `DATABASE_URL=sqlite://bench/etown.db cargo run --release --example bench_seed`

use chrono::{Duration, NaiveDate, Utc};
use etown::{
    config::{Config, ConfigArgs},
    entities::{application, brand, enterprise, license},
};
use etown_rules::workflow::{ApplicationState, Role};
use sea_orm::{ActiveValue::Set, EntityTrait, TransactionTrait};

const ENTERPRISES: usize = 10_000;
const APPLICATIONS: usize = 20_000;
const BATCH: usize = 500;

/// A small deterministic generator, so that two runs produce the same data set.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::load(&ConfigArgs {
        database_url: std::env::var("DATABASE_URL").ok(),
        ..Default::default()
    })
    .map_err(|error| anyhow::anyhow!(error.0))?;
    let db = etown::db::connect(&config).await?;
    etown::db::migrate(&db).await?;

    let sub_brands: Vec<i64> = brand::Entity::find()
        .all(&db)
        .await?
        .into_iter()
        .filter(|b| b.parent_id.is_some())
        .map(|b| b.id)
        .collect();
    let divisions = [
        "141081001",
        "141081002",
        "141081003",
        "141081004",
        "141081005",
        "141081200",
        "141081201",
        "141081202",
    ];
    let mut random = Lcg(20261204);
    let now = Utc::now();

    let txn = db.begin().await?;
    let mut rows = Vec::new();
    for index in 0..ENTERPRISES {
        let first17 = format!("91141081MA{:07}", index);
        let check = etown_rules::uscc::check_character(&first17)
            .expect("generated code uses valid characters");
        rows.push(enterprise::ActiveModel {
            name: Set(format!("侯马市测试企业{index:05}有限公司")),
            uscc: Set(format!("{first17}{check}")),
            uscc_override_reason: Set(None),
            subject_type: Set("company".into()),
            registered_address: Set("山西省临汾市侯马市".into()),
            division_code: Set(divisions[index % divisions.len()].into()),
            registered_in_houma: Set(true),
            operates_via_branch: Set(false),
            branch_name: Set(None),
            production_base: Set("侯马市生产基地".into()),
            is_agent: Set(false),
            producer_name: Set(None),
            contact_name: Set("联系人".into()),
            contact_mobile: Set(format!("139{:08}", index)),
            description: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        if rows.len() == BATCH {
            enterprise::Entity::insert_many(std::mem::take(&mut rows))
                .exec_without_returning(&txn)
                .await?;
        }
    }
    if !rows.is_empty() {
        enterprise::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;

    let states = ApplicationState::all();
    let txn = db.begin().await?;
    let mut codes = Vec::new();
    for batch_start in (0..APPLICATIONS).step_by(BATCH) {
        let mut applications = Vec::new();
        let mut licenses = Vec::new();
        for index in batch_start..(batch_start + BATCH).min(APPLICATIONS) {
            let id = index as i64 + 1;
            let enterprise_id = (index % ENTERPRISES) as i64 + 1;
            let brand_id = sub_brands[random.below(sub_brands.len() as u64) as usize];
            let state = states[random.below(states.len() as u64) as usize];
            let submitted = now - Duration::days(random.below(700) as i64);
            let due = (!state.is_terminal())
                .then(|| submitted.date_naive() + Duration::days(random.below(20) as i64));
            applications.push(application::ActiveModel {
                id: Set(id),
                application_no: Set(format!("SQ-BENCH-{id:06}")),
                enterprise_id: Set(enterprise_id),
                brand_id: Set(brand_id),
                kind: Set("new".into()),
                renewal_of_license_id: Set(None),
                state: Set(state.as_str().into()),
                state_entered_at: Set(submitted),
                due_on: Set(due),
                submitted_at: Set(submitted),
                declared_lawful_products: Set(true),
                declared_clean_environment: Set(true),
                declared_industry_standards: Set(true),
                declared_clean_record: Set(true),
                houma_sales_share_percent: Set(Some(60)),
                own_brand_and_standards: Set(true),
                food_processing_entrusted: Set(false),
                production_capacity: Set("年产量稳定".into()),
                missing_items: Set(None),
                return_reason: Set(None),
                site_review_findings: Set(None),
                notice_starts_on: Set(None),
                notice_ends_on: Set(None),
                license_id: Set(None),
                version: Set(1),
                created_at: Set(submitted),
                updated_at: Set(submitted),
            });
            if state == ApplicationState::Completed {
                let certificate_date = submitted.date_naive() + Duration::days(30);
                let code = format!("{:020X}", random.next() << 32 | random.next());
                let code = code[code.len() - 20..].to_owned();
                codes.push(code.clone());
                licenses.push(license::ActiveModel {
                    enterprise_id: Set(enterprise_id),
                    brand_id: Set(brand_id),
                    application_id: Set(id),
                    certificate_no: Set(format!("侯马e购授字〔BENCH〕第{id:06}号")),
                    certificate_date: Set(certificate_date),
                    term_start: Set(certificate_date),
                    term_end: Set(etown_rules::license::term_end(certificate_date)),
                    verify_code: Set(code),
                    status: Set("active".into()),
                    archive_due_on: Set(None::<NaiveDate>),
                    archived_at: Set(Some(submitted)),
                    filed_at: Set(Some(submitted)),
                    revoked_at: Set(None),
                    revocation_reason: Set(None),
                    suspended_on: Set(None),
                    renewed_by_license_id: Set(None),
                    issued_by: Set(None),
                    created_at: Set(submitted),
                    updated_at: Set(submitted),
                    ..Default::default()
                });
            }
        }
        application::Entity::insert_many(applications)
            .exec_without_returning(&txn)
            .await?;
        if !licenses.is_empty() {
            license::Entity::insert_many(licenses)
                .exec_without_returning(&txn)
                .await?;
        }
    }
    txn.commit().await?;

    let txn = db.begin().await?;
    let password = "Bench2026load";
    etown::services::accounts::create_user(
        &txn,
        &etown::audit::Actor::system(),
        etown::services::accounts::NewUser {
            username: "bench_center".into(),
            display_name: "压测账号".into(),
            password: password.into(),
            roles: vec![Role::ServiceCenter],
            enterprise_id: None,
            must_change_password: false,
        },
        now,
    )
    .await
    .map_err(|error| anyhow::anyhow!(error.user_message()))?;
    txn.commit().await?;

    std::fs::create_dir_all("bench")?;
    std::fs::write("bench/codes.txt", codes.join("\n") + "\n")?;
    println!(
        "generated {ENTERPRISES} enterprises, {APPLICATIONS} applications, {} licenses; user bench_center / {password}",
        codes.len()
    );
    Ok(())
}
