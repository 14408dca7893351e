//! `etown demo`: a demonstration data set. Fictitious enterprises in Houma's towns make
//! vinegar, honey, chili, clothing and crafts; their applications stand in every state of
//! the workflow. Each application is driven through the real service functions on a pinned
//! clock, so its history, deadlines and certificate follow the same rules as live data.

use chrono::{Duration, TimeZone, Utc};
use etown_rules::workflow::Role;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    TransactionTrait,
};

use crate::{
    app,
    audit::Actor,
    config::Config,
    entities::{brand, enterprise},
    services::{
        accounts,
        applications::{
            self, ActionInput, ApplicationInput, ApplicationUploads, CertificateInput, ProductInput,
        },
    },
    web::{
        auth::{AuthUser, Credential, generate_password},
        state::Clock,
    },
};

struct DemoEnterprise {
    name: &'static str,
    uscc17: &'static str,
    division: &'static str,
    brand: &'static str,
    product: &'static str,
    category: &'static str,
    /// Submission date and the steps taken after it, each on its own date.
    submitted: (i32, u32, u32),
    steps: &'static [(&'static str, (i32, u32, u32))],
}

const DEMO: &[DemoEnterprise] = &[
    DemoEnterprise {
        name: "侯马市东庄醋坊有限公司",
        uscc17: "91141081MA0KD0001",
        division: "141081200",
        brand: "侯马·东庄米醋",
        product: "东庄老陈醋",
        category: "food",
        submitted: (2025, 11, 3),
        steps: &[
            ("pass_preliminary", (2025, 11, 5)),
            ("pass_site_review", (2025, 11, 10)),
            ("conclude_notice", (2025, 11, 14)),
            ("sign_agreement", (2025, 11, 17)),
            ("issue_certificate", (2025, 11, 19)),
            ("build_archive", (2025, 11, 26)),
            ("confirm_filing", (2025, 11, 28)),
        ],
    },
    DemoEnterprise {
        name: "侯马市百花蜂业专业合作社",
        uscc17: "93141081MA0KD0002",
        division: "141081201",
        brand: "侯马·蜂蜜",
        product: "槐花蜜 500g",
        category: "agricultural",
        submitted: (2025, 12, 1),
        steps: &[
            ("pass_preliminary", (2025, 12, 3)),
            ("pass_site_review", (2025, 12, 8)),
            ("conclude_notice", (2025, 12, 12)),
            ("sign_agreement", (2025, 12, 15)),
            ("issue_certificate", (2025, 12, 17)),
            ("build_archive", (2025, 12, 24)),
            ("confirm_filing", (2025, 12, 26)),
        ],
    },
    DemoEnterprise {
        name: "侯马市凤城红辣椒种植家庭农场",
        uscc17: "92141081MA0KD0003",
        division: "141081202",
        brand: "侯马·辣椒",
        product: "凤城干辣椒",
        category: "agricultural",
        submitted: (2026, 10, 12),
        steps: &[
            ("pass_preliminary", (2026, 10, 14)),
            ("pass_site_review", (2026, 10, 19)),
            ("conclude_notice", (2026, 10, 23)),
            ("sign_agreement", (2026, 10, 26)),
            ("issue_certificate", (2026, 10, 28)),
            ("build_archive", (2026, 11, 4)),
        ],
    },
    DemoEnterprise {
        name: "侯马市晋韵服饰有限公司",
        uscc17: "91141081MA0KD0004",
        division: "141081001",
        brand: "侯马·服装",
        product: "晋韵棉麻衬衫",
        category: "industrial",
        submitted: (2026, 11, 2),
        steps: &[
            ("pass_preliminary", (2026, 11, 4)),
            ("pass_site_review", (2026, 11, 9)),
            ("conclude_notice", (2026, 11, 13)),
            ("sign_agreement", (2026, 11, 16)),
            ("issue_certificate", (2026, 11, 18)),
        ],
    },
    DemoEnterprise {
        name: "侯马市晋国皮影文创工作室",
        uscc17: "92141081MA0KD0005",
        division: "141081002",
        brand: "侯马·非遗文创",
        product: "晋国皮影摆件",
        category: "craft",
        submitted: (2026, 11, 16),
        steps: &[
            ("pass_preliminary", (2026, 11, 18)),
            ("pass_site_review", (2026, 11, 23)),
            ("conclude_notice", (2026, 11, 27)),
            ("sign_agreement", (2026, 11, 30)),
        ],
    },
    DemoEnterprise {
        name: "侯马市上马蜜源养蜂场",
        uscc17: "92141081MA0KD0006",
        division: "141081004",
        brand: "侯马·蜂蜜",
        product: "枣花蜜 250g",
        category: "agricultural",
        submitted: (2026, 11, 24),
        steps: &[
            ("pass_preliminary", (2026, 11, 26)),
            ("pass_site_review", (2026, 12, 2)),
        ],
    },
    DemoEnterprise {
        name: "侯马市浍滨米醋酿造厂",
        uscc17: "91141081MA0KD0007",
        division: "141081003",
        brand: "侯马·东庄米醋",
        product: "浍滨小米醋",
        category: "food",
        submitted: (2026, 11, 25),
        steps: &[
            ("pass_preliminary", (2026, 11, 26)),
            ("pass_site_review", (2026, 11, 27)),
            ("conclude_notice", (2026, 12, 3)),
        ],
    },
    DemoEnterprise {
        name: "侯马市张村辣子坊",
        uscc17: "92141081MA0KD0008",
        division: "141081005",
        brand: "侯马·辣椒",
        product: "张村油泼辣子",
        category: "food",
        submitted: (2026, 11, 25),
        steps: &[("pass_preliminary", (2026, 11, 27))],
    },
    DemoEnterprise {
        name: "侯马市新田剪纸艺术合作社",
        uscc17: "93141081MA0KD0009",
        division: "141081200",
        brand: "侯马·非遗文创",
        product: "新田剪纸礼盒",
        category: "craft",
        submitted: (2026, 12, 1),
        steps: &[],
    },
    DemoEnterprise {
        name: "侯马市高村服装加工厂",
        uscc17: "91141081MA0KD0010",
        division: "141081201",
        brand: "侯马·服装",
        product: "高村手工布鞋",
        category: "industrial",
        submitted: (2026, 11, 27),
        steps: &[("request_correction", (2026, 12, 1))],
    },
    DemoEnterprise {
        name: "侯马市路西调味品商行",
        uscc17: "92141081MA0KD0011",
        division: "141081002",
        brand: "侯马·东庄米醋",
        product: "散装食醋",
        category: "food",
        submitted: (2026, 9, 14),
        steps: &[("return_application", (2026, 9, 16))],
    },
    DemoEnterprise {
        name: "侯马市新田土蜂蜜店",
        uscc17: "92141081MA0KD0012",
        division: "141081200",
        brand: "侯马·蜂蜜",
        product: "土蜂蜜",
        category: "agricultural",
        submitted: (2026, 8, 3),
        steps: &[("withdraw", (2026, 8, 5))],
    },
];

/// A 1×1 PNG picture, so that every demo product has the picture its checklist expects.
const DEMO_PICTURE: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

fn picture_uploads(picture: &crate::services::files::Upload) -> ApplicationUploads<'_> {
    ApplicationUploads {
        product_pictures: vec![(0, picture)],
        ..Default::default()
    }
}

fn beijing(date: (i32, u32, u32), hour: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(date.0, date.1, date.2, hour, 0, 0)
        .single()
        .expect("valid demo date")
        - Duration::hours(8)
}

fn staff(id: i64, username: &str, name: &str, role: Role, enterprise_id: Option<i64>) -> AuthUser {
    AuthUser {
        id,
        username: username.into(),
        display_name: name.into(),
        roles: vec![role],
        enterprise_id,
        credential: Credential::ApiToken,
        request_id: None,
    }
}

/// Loads the demonstration data into an empty installation and prints the demo accounts.
pub async fn load(db: &DatabaseConnection, config: &Config) -> anyhow::Result<()> {
    app::ensure_admin(db, config).await?;
    let existing = enterprise::Entity::find()
        .filter(enterprise::Column::Name.eq(DEMO[0].name))
        .one(db)
        .await?;
    if existing.is_some() {
        println!("演示数据已载入，无需重复载入。");
        return Ok(());
    }

    let password = generate_password();
    let now = Utc::now();
    let create =
        |username: &'static str, name: &'static str, role: Role, enterprise_id: Option<i64>| {
            let password = password.clone();
            async move {
                let txn = db.begin().await?;
                let user = accounts::create_user(
                    &txn,
                    &Actor::system(),
                    accounts::NewUser {
                        username: username.into(),
                        display_name: name.into(),
                        password,
                        roles: vec![role],
                        enterprise_id,
                        must_change_password: false,
                    },
                    now,
                )
                .await
                .map_err(|error| anyhow::anyhow!(error.user_message()))?;
                txn.commit().await?;
                anyhow::Ok(staff(user.id, username, name, role, enterprise_id))
            }
        };
    let center = create(
        "demo_center",
        "商贸服务中心 张敏",
        Role::ServiceCenter,
        None,
    )
    .await?;
    let office = create("demo_lgo", "领导小组办公室 李强", Role::Lgo, None).await?;
    create("demo_auditor", "审计员 赵静", Role::Auditor, None).await?;

    let brands = brand::Entity::find().all(db).await?;
    // Certificates stay valid for three years from loading, so the demo does not age into
    // expired materials.
    let certificates_valid_until =
        etown_rules::license::add_months(now.date_naive(), 36).to_string();
    let (_, state) = app::build(db.clone(), config.clone(), Clock::fixed(now)).await?;
    let mut first_enterprise_user = None;

    for (index, demo) in DEMO.iter().enumerate() {
        let check = etown_rules::uscc::check_character(demo.uscc17).unwrap_or('0');
        let created_at = beijing(demo.submitted, 8);
        let row = enterprise::ActiveModel {
            name: Set(demo.name.into()),
            uscc: Set(format!("{}{check}", demo.uscc17)),
            uscc_override_reason: Set(None),
            subject_type: Set(if demo.uscc17.starts_with("93") {
                "cooperative"
            } else if demo.uscc17.starts_with("92") {
                "individual_business"
            } else {
                "company"
            }
            .into()),
            registered_address: Set(format!(
                "山西省临汾市侯马市{}",
                etown_rules::divisions::division_name(demo.division).unwrap_or("")
            )),
            division_code: Set(demo.division.into()),
            registered_in_houma: Set(true),
            operates_via_branch: Set(false),
            branch_name: Set(None),
            production_base: Set(format!("{}生产基地", demo.name)),
            is_agent: Set(false),
            producer_name: Set(None),
            contact_name: Set("联系人".to_owned() + &(index + 1).to_string()),
            contact_mobile: Set(format!("1393571{:04}", 1000 + index)),
            description: Set(None),
            created_at: Set(created_at),
            updated_at: Set(created_at),
            ..Default::default()
        }
        .insert(db)
        .await?;

        let username: &'static str =
            Box::leak(format!("demo_ent{:02}", index + 1).into_boxed_str());
        let display: &'static str = Box::leak(demo.name.to_owned().into_boxed_str());
        let applicant = create(username, display, Role::Enterprise, Some(row.id)).await?;
        first_enterprise_user.get_or_insert(username);

        let brand_id = brands.iter().find(|b| b.name == demo.brand).map(|b| b.id);
        let input = ApplicationInput {
            enterprise_id: None,
            brand_id,
            production_capacity: "年产量稳定，线上线下同步销售".into(),
            declared_lawful_products: true,
            declared_clean_environment: true,
            declared_industry_standards: true,
            declared_clean_record: true,
            own_brand_and_standards: true,
            food_processing_entrusted: false,
            houma_sales_share_percent: "80".into(),
            products: vec![ProductInput {
                name: demo.product.into(),
                category: demo.category.into(),
                introduction: format!("{}，侯马本地原料，传统工艺。", demo.product),
                cost_price: "18.00".into(),
                market_price: "39.90".into(),
                brand_profile: format!("{}自有品牌", demo.name),
                online_channels: "抖音小店、淘宝店、本地社区团购".into(),
                certificates: vec![CertificateInput {
                    kind: "quality_mark".into(),
                    name: "绿色食品证书".into(),
                    valid_from: "2025-01-01".into(),
                    valid_until: certificates_valid_until.clone(),
                }],
            }],
            certificates: vec![
                CertificateInput {
                    kind: "food_production_license".into(),
                    name: format!("SC1031410810{index:04}"),
                    valid_from: "2024-01-01".into(),
                    valid_until: certificates_valid_until.clone(),
                },
                CertificateInput {
                    kind: "heritage_or_time_honored".into(),
                    name: "临汾市非物质文化遗产代表性项目".into(),
                    valid_from: String::new(),
                    valid_until: String::new(),
                },
            ],
        };

        let picture = crate::services::files::Upload {
            field: "p0_pictures".into(),
            file_name: format!("{}.png", demo.product),
            bytes: DEMO_PICTURE.to_vec(),
        };
        state.clock.set(beijing(demo.submitted, 9));
        let submitted = applications::submit(&state, &applicant, &input, picture_uploads(&picture))
            .await
            .map_err(|error| anyhow::anyhow!("演示申请提交失败：{}", error.user_message()))?;

        for (action, date) in demo.steps {
            state.clock.set(beijing(*date, 10));
            let actor = match *action {
                "issue_certificate" | "confirm_filing" => &office,
                "sign_agreement" | "withdraw" => &applicant,
                _ => &center,
            };
            let agreement = crate::services::files::Upload {
                field: "files".into(),
                file_name: "授权使用协议.pdf".into(),
                bytes: b"%PDF-1.4\n% demo agreement\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
                    .to_vec(),
            };
            let uploads: Vec<&crate::services::files::Upload> = if *action == "sign_agreement" {
                vec![&agreement]
            } else {
                Vec::new()
            };
            let step = ActionInput {
                action: (*action).into(),
                version: None,
                comment: "演示数据".into(),
                missing_items: "产品图片\n营业执照复印件".into(),
                reason: "经营范围与申请品牌不符".into(),
                findings: "原件齐全，生产场所整洁，符合要求".into(),
            };
            applications::act(&state, actor, submitted.id, &step, &uploads)
                .await
                .map_err(|error| {
                    anyhow::anyhow!("演示步骤“{action}”失败：{}", error.user_message())
                })?;
        }
    }

    println!("演示数据已载入：{} 家企业及各状态的授权申请。", DEMO.len());
    println!("演示账号（密码均为 {password}）：");
    println!("  demo_center  商贸服务中心");
    println!("  demo_lgo     领导小组办公室");
    println!("  demo_auditor 审计员");
    println!(
        "  demo_ent01 … demo_ent{:02}  企业用户（每家企业一个账号）",
        DEMO.len()
    );
    Ok(())
}
