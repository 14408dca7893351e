//! Evaluation of each admission condition, with the Chinese reason shown to reviewers and
//! applicants.

use chrono::NaiveDate;

use super::{
    AdmissionInput, CertificateFacts, CertificateKind, ConditionId, ConditionResult,
    MIN_HOUMA_SALES_SHARE_PERCENT, Outcome, ProductCategory, ProductFacts,
};

pub(super) fn evaluate_condition(
    id: ConditionId,
    input: &AdmissionInput,
    today: NaiveDate,
) -> ConditionResult {
    let (outcome, reason) = match id {
        ConditionId::Registration => registration(input),
        ConditionId::LawfulProducts => declaration(
            input.declared_lawful_products,
            "产品无假冒伪劣、过期、走私或违禁商品",
        ),
        ConditionId::CleanEnvironment => declaration(
            input.declared_clean_environment,
            "生产、加工、包装环境安全卫生、整洁无污染",
        ),
        ConditionId::IndustryStandards => declaration(
            input.declared_industry_standards,
            "产品符合所属行业的生产标准",
        ),
        ConditionId::CompleteMaterials => complete_materials(&input.products, today),
        ConditionId::AgentAuthorization => agent_authorization(input),
        ConditionId::ProductCategory => product_category(&input.products),
        ConditionId::FoodLicense => food_license(input, today),
        ConditionId::CleanRecord => declaration(
            input.declared_clean_record,
            "近三年未发生质量安全事故，没有消费者投诉或媒体曝光",
        ),
        ConditionId::HoumaSalesShare => houma_sales_share(input.houma_sales_share_percent),
        ConditionId::QualityMark => quality_mark(&input.products, today),
        ConditionId::OwnBrandAndStandards => {
            if input.own_brand_and_standards {
                (Outcome::Met, "产品有自有品牌及生产、质量标准".to_string())
            } else {
                (
                    Outcome::NotMet,
                    "未提供产品的自有品牌及生产、质量标准".to_string(),
                )
            }
        }
        ConditionId::FamousTrademark => titled_certificate(
            input.famous_trademark.as_ref(),
            today,
            "未持有中国驰名商标、山西著名商标或知名商标等商标荣誉",
        ),
        ConditionId::HeritageOrTimeHonored => titled_certificate(
            input.heritage_or_time_honored.as_ref(),
            today,
            "未持有市级及以上非物质文化遗产或老字号称号",
        ),
    };
    ConditionResult {
        id,
        outcome,
        reason,
    }
}

/// Validity of a certificate on a given day.
enum Validity {
    Valid,
    NotYetValid(NaiveDate),
    Expired(NaiveDate),
}

fn validity(certificate: &CertificateFacts, today: NaiveDate) -> Validity {
    match (certificate.valid_from, certificate.valid_until) {
        (Some(from), _) if today < from => Validity::NotYetValid(from),
        (_, Some(until)) if today > until => Validity::Expired(until),
        _ => Validity::Valid,
    }
}

/// Names a certificate by its kind and name, for example 食品生产许可证“SC10614108100012”.
fn certificate_label(certificate: &CertificateFacts) -> String {
    let name = certificate.name.trim();
    if name.is_empty() {
        certificate.kind.label().to_string()
    } else {
        format!("{}“{name}”", certificate.kind.label())
    }
}

/// Names a product by its name, or by its position when the name is empty.
fn product_label(product: &ProductFacts, index: usize) -> String {
    let name = product.name.trim();
    if name.is_empty() {
        format!("第{}个产品", index + 1)
    } else {
        format!("产品“{name}”")
    }
}

fn validity_period_text(certificate: &CertificateFacts) -> String {
    match certificate.valid_until {
        Some(until) => format!("有效期至{until}"),
        None => "长期有效".to_string(),
    }
}

fn registration(input: &AdmissionInput) -> (Outcome, String) {
    let in_houma = input.registered_in_houma || input.operates_in_houma_via_branch;
    if in_houma && input.has_production_base {
        let how = if input.registered_in_houma {
            "在侯马注册"
        } else {
            "通过在侯马注册的分支机构、分部或营销中心在侯马经营"
        };
        return (
            Outcome::Met,
            format!("{how}，并有稳定的生产基地（厂房）或经营场所"),
        );
    }

    let mut problems = Vec::new();
    if !in_houma {
        problems.push("未在侯马注册，也没有在侯马注册的分支机构、分部或营销中心");
    }
    if !input.has_production_base {
        problems.push("没有稳定的生产基地（厂房）或经营场所");
    }
    (Outcome::NotMet, problems.join("；"))
}

fn declaration(confirmed: bool, statement: &str) -> (Outcome, String) {
    if confirmed {
        (Outcome::Met, format!("已确认{statement}"))
    } else {
        (Outcome::NotMet, format!("未确认{statement}"))
    }
}

/// Checks each product's materials and the validity of its certificates.
///
/// Missing materials or a certificate that is not yet valid make the condition not met. When
/// expired certificates are the only problem, the outcome is `Expired`. The reason lists
/// every problem in either case.
fn complete_materials(products: &[ProductFacts], today: NaiveDate) -> (Outcome, String) {
    if products.is_empty() {
        return (
            Outcome::NotMet,
            "未申报任何产品，应至少申报一个产品及其材料".to_string(),
        );
    }

    let mut missing = Vec::new();
    let mut expired = Vec::new();
    for (index, product) in products.iter().enumerate() {
        let product_label = product_label(product, index);

        let materials = [
            (product.has_introduction, "产品介绍"),
            (product.picture_count > 0, "产品图片"),
            (product.has_cost_price, "成本价"),
            (product.has_market_price, "市场价"),
            (product.has_brand_profile, "品牌介绍"),
            (product.has_online_channels, "线上销售渠道情况"),
        ];
        let absent: Vec<&str> = materials
            .iter()
            .filter(|(present, _)| !present)
            .map(|(_, material)| *material)
            .collect();
        if !absent.is_empty() {
            missing.push(format!("{product_label}缺少{}", absent.join("、")));
        }

        for certificate in &product.certificates {
            let certificate_label = certificate_label(certificate);
            match validity(certificate, today) {
                Validity::Valid => {}
                Validity::NotYetValid(from) => missing.push(format!(
                    "{product_label}的{certificate_label}自{from}起生效，目前尚未生效"
                )),
                Validity::Expired(until) => expired.push(format!(
                    "{product_label}的{certificate_label}已于{until}过期，应提供有效期内的证书"
                )),
            }
        }
    }

    if missing.is_empty() && expired.is_empty() {
        return (
            Outcome::Met,
            format!(
                "{}个产品的产品介绍、图片、成本价、市场价、品牌介绍和线上销售渠道情况齐全，证书均在有效期内",
                products.len()
            ),
        );
    }
    let outcome = if missing.is_empty() {
        Outcome::Expired
    } else {
        Outcome::NotMet
    };
    missing.extend(expired);
    (outcome, missing.join("；"))
}

fn agent_authorization(input: &AdmissionInput) -> (Outcome, String) {
    match (input.is_agent, input.has_agent_authorization_with_seal) {
        (false, _) => (Outcome::Met, "申请人不是代理商，无需提交授权书".to_string()),
        (true, true) => (
            Outcome::Met,
            "申请人是代理商，已提交加盖生产厂家公章的授权书或销售协议".to_string(),
        ),
        (true, false) => (
            Outcome::NotMet,
            "申请人是代理商，但未提交加盖生产厂家公章的授权书或销售协议".to_string(),
        ),
    }
}

fn product_category(products: &[ProductFacts]) -> (Outcome, String) {
    if products.is_empty() {
        return (
            Outcome::NotMet,
            "未申报任何产品，无法确认产品类别".to_string(),
        );
    }

    let uncategorized: Vec<String> = products
        .iter()
        .enumerate()
        .filter(|(_, product)| product.category.is_none())
        .map(|(index, product)| product_label(product, index))
        .collect();
    if uncategorized.is_empty() {
        return (Outcome::Met, "所有产品均已选择产品类别".to_string());
    }

    let categories: Vec<&str> = ProductCategory::all()
        .iter()
        .map(ProductCategory::label)
        .collect();
    (
        Outcome::NotMet,
        format!(
            "{}未选择产品类别，应选择{}之一",
            uncategorized.join("、"),
            categories.join("、")
        ),
    )
}

/// Requires a food production license valid today, or entrusted processing, when any product
/// is in the food category.
fn food_license(input: &AdmissionInput, today: NaiveDate) -> (Outcome, String) {
    let food_products: Vec<String> = input
        .products
        .iter()
        .enumerate()
        .filter(|(_, product)| product.category == Some(ProductCategory::Food))
        .map(|(index, product)| product_label(product, index))
        .collect();
    if food_products.is_empty() {
        return (
            Outcome::Met,
            "不涉及食品，申报产品中没有食品类产品".to_string(),
        );
    }
    let food_products = food_products.join("、");

    let license_validity = input
        .food_production_license
        .as_ref()
        .map(|license| (license, validity(license, today)));
    if let Some((license, Validity::Valid)) = &license_validity {
        return (
            Outcome::Met,
            format!(
                "{food_products}属于食品，持有{}（{}）",
                certificate_label(license),
                validity_period_text(license)
            ),
        );
    }
    if input.food_processing_entrusted {
        return (
            Outcome::Met,
            format!("{food_products}属于食品，已委托有资质的第三方加工"),
        );
    }

    let remedy = "应提供有效的食品生产许可证或委托有资质的第三方加工";
    match license_validity {
        Some((license, Validity::Expired(until))) => (
            Outcome::Expired,
            format!(
                "{food_products}属于食品，{}已于{until}过期，{remedy}",
                certificate_label(license)
            ),
        ),
        Some((license, Validity::NotYetValid(from))) => (
            Outcome::NotMet,
            format!(
                "{food_products}属于食品，{}自{from}起生效，目前尚未生效，{remedy}",
                certificate_label(license)
            ),
        ),
        _ => (
            Outcome::NotMet,
            format!(
                "{food_products}属于食品，但既没有食品生产许可证，也没有委托有资质的第三方加工"
            ),
        ),
    }
}

fn houma_sales_share(percent: Option<u8>) -> (Outcome, String) {
    let minimum = MIN_HOUMA_SALES_SHARE_PERCENT;
    match percent {
        None => (
            Outcome::NotMet,
            "未填写侯马产品销售额占总销售额的比例".to_string(),
        ),
        Some(percent) if percent > 100 => (
            Outcome::NotMet,
            format!("填写的侯马产品销售占比{percent}%无效，应为0至100之间的百分比"),
        ),
        Some(percent) if percent >= minimum => (
            Outcome::Met,
            format!("侯马产品销售额占总销售额的{percent}%，不低于{minimum}%"),
        ),
        Some(percent) => (
            Outcome::NotMet,
            format!("侯马产品销售额占总销售额的{percent}%，低于{minimum}%"),
        ),
    }
}

/// Looks for an agricultural product with a quality mark certificate valid today.
///
/// NOTE: the criteria also accept agricultural products that "reach equivalent quality"
/// without a certificate. That is the reviewer's judgement and is not modelled here.
fn quality_mark(products: &[ProductFacts], today: NaiveDate) -> (Outcome, String) {
    let agricultural: Vec<(String, &ProductFacts)> = products
        .iter()
        .enumerate()
        .filter(|(_, product)| product.category == Some(ProductCategory::Agricultural))
        .map(|(index, product)| (product_label(product, index), product))
        .collect();
    if agricultural.is_empty() {
        return (
            Outcome::NotMet,
            "申报产品中没有农产品，无三品一标认证".to_string(),
        );
    }

    let mut expired = Vec::new();
    let mut not_yet_valid = Vec::new();
    for (product_label, product) in &agricultural {
        let marks = product
            .certificates
            .iter()
            .filter(|certificate| certificate.kind == CertificateKind::QualityMark);
        for certificate in marks {
            let certificate_label = certificate_label(certificate);
            match validity(certificate, today) {
                Validity::Valid => {
                    return (
                        Outcome::Met,
                        format!(
                            "{product_label}持有{certificate_label}（{}）",
                            validity_period_text(certificate)
                        ),
                    );
                }
                Validity::Expired(until) => expired.push(format!(
                    "{product_label}的{certificate_label}已于{until}过期"
                )),
                Validity::NotYetValid(from) => not_yet_valid.push(format!(
                    "{product_label}的{certificate_label}自{from}起生效，目前尚未生效"
                )),
            }
        }
    }

    if !expired.is_empty() {
        expired.extend(not_yet_valid);
        return (Outcome::Expired, expired.join("；"));
    }
    let mut reason = "农产品没有有效的无公害农产品、绿色食品、有机产品或地理标志认证".to_string();
    if !not_yet_valid.is_empty() {
        reason = format!("{reason}：{}", not_yet_valid.join("；"));
    }
    (Outcome::NotMet, reason)
}

/// Evaluates a title held by the applicant (trademark, heritage or time-honored brand), which
/// counts only while valid.
fn titled_certificate(
    certificate: Option<&CertificateFacts>,
    today: NaiveDate,
    absent_reason: &str,
) -> (Outcome, String) {
    let Some(certificate) = certificate else {
        return (Outcome::NotMet, absent_reason.to_string());
    };
    let label = certificate_label(certificate);
    match validity(certificate, today) {
        Validity::Valid => (
            Outcome::Met,
            format!("持有{label}（{}）", validity_period_text(certificate)),
        ),
        Validity::Expired(until) => (Outcome::Expired, format!("{label}已于{until}过期")),
        Validity::NotYetValid(from) => (
            Outcome::NotMet,
            format!("{label}自{from}起生效，目前尚未生效"),
        ),
    }
}
