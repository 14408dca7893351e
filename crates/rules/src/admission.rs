//! Admission criteria (准入标准) for a public-brand license.
//!
//! An applicant is eligible when all nine required conditions are met and at least two of
//! the five optional ones. The web application fills `AdmissionInput` from the application
//! and the reviewer's confirmations, and shows the resulting report with a Chinese reason for
//! each condition.

mod conditions;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Number of optional conditions an eligible applicant must meet.
pub const MIN_OPTIONAL_MET: usize = 2;

/// Minimum share of Houma products in total sales, in percent, for the optional sales
/// condition.
pub const MIN_HOUMA_SALES_SHARE_PERCENT: u8 = 30;

code_enum! {
    /// One admission condition. The first nine are required, the last five optional.
    pub enum ConditionId in "准入条件" {
        /// Registered in Houma, or operating there through a registered branch, division or
        /// marketing center, with a stable production base or business premises.
        Registration => ("registration", "注册与经营场所"),
        /// No counterfeit, shoddy, expired, smuggled or prohibited goods.
        LawfulProducts => ("lawful_products", "产品合法合规"),
        /// Production, processing and packaging are safe, clean, tidy and unpolluted.
        CleanEnvironment => ("clean_environment", "生产环境安全卫生"),
        /// Products follow their industry's production standards.
        IndustryStandards => ("industry_standards", "符合行业生产标准"),
        /// Each product comes with its materials, and every certificate is within its validity
        /// period.
        CompleteMaterials => ("complete_materials", "申报材料齐全且证书有效"),
        /// An agent submits an authorization or sales agreement bearing the manufacturer's seal.
        AgentAuthorization => ("agent_authorization", "代理商授权"),
        /// Every product belongs to one of the product categories.
        ProductCategory => ("product_category", "产品类别"),
        /// Food is made under a food production license or by an entrusted qualified processor.
        FoodLicense => ("food_license", "食品生产许可"),
        /// No quality-safety accident, consumer complaint or media exposure in the last 3 years.
        CleanRecord => ("clean_record", "近三年无质量安全事故投诉曝光"),
        /// Houma products make up at least 30% of total sales.
        HoumaSalesShare => ("houma_sales_share", "侯马产品销售占比不低于30%"),
        /// An agricultural product has a valid 无公害农产品, 绿色食品, 有机产品 or geographical
        /// indication certification (三品一标).
        QualityMark => ("quality_mark", "三品一标认证"),
        /// The product has its own brand and production and quality standards.
        OwnBrandAndStandards => ("own_brand_and_standards", "自有品牌及生产质量标准"),
        /// A title such as 中国驰名商标, 山西著名商标 or 知名商标.
        FamousTrademark => ("famous_trademark", "驰名著名知名商标"),
        /// A city-level or higher intangible cultural heritage or time-honored brand title.
        HeritageOrTimeHonored => ("heritage_or_time_honored", "非遗或老字号"),
    }
}

impl ConditionId {
    /// Tells whether the condition must be met by every applicant. Of the other five, an
    /// applicant must meet at least two.
    pub fn is_required(&self) -> bool {
        !matches!(
            self,
            ConditionId::HoumaSalesShare
                | ConditionId::QualityMark
                | ConditionId::OwnBrandAndStandards
                | ConditionId::FamousTrademark
                | ConditionId::HeritageOrTimeHonored
        )
    }
}

code_enum! {
    /// Result of one condition.
    pub enum Outcome in "审查结果" {
        Met => ("met", "符合"),
        NotMet => ("not_met", "不符合"),
        /// The condition would be met, but a certificate it depends on has expired.
        Expired => ("expired", "证书已过期"),
    }
}

code_enum! {
    /// Kind of a certificate attached to an application or a product.
    pub enum CertificateKind in "证书类型" {
        Honor => ("honor", "荣誉证书"),
        Qualification => ("qualification", "资质认证"),
        /// 无公害农产品, 绿色食品, 有机产品 or geographical indication certification.
        QualityMark => ("quality_mark", "三品一标认证"),
        FoodProductionLicense => ("food_production_license", "食品生产许可证"),
        /// A famous or well-known trademark title.
        FamousTrademark => ("famous_trademark", "商标荣誉"),
        HeritageOrTimeHonored => ("heritage_or_time_honored", "非遗或老字号"),
        Other => ("other", "其他"),
    }
}

code_enum! {
    /// Category of a product.
    pub enum ProductCategory in "产品类别" {
        Agricultural => ("agricultural", "农产品"),
        Food => ("food", "食品"),
        Industrial => ("industrial", "工业品"),
        Craft => ("craft", "手工艺品"),
        Specialty => ("specialty", "特色产品"),
        Creative => ("creative", "文创产品"),
        Other => ("other", "其他"),
    }
}

/// Facts about an applicant that the admission criteria examine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdmissionInput {
    pub registered_in_houma: bool,
    /// Registered elsewhere but operating in Houma through a registered branch, division or
    /// marketing center.
    pub operates_in_houma_via_branch: bool,
    /// Has a stable production base (factory) or business premises.
    pub has_production_base: bool,
    pub declared_lawful_products: bool,
    pub declared_clean_environment: bool,
    pub declared_industry_standards: bool,
    /// No quality-safety accident, consumer complaint or media exposure in the last 3 years.
    pub declared_clean_record: bool,
    pub is_agent: bool,
    /// An authorization or sales agreement bearing the manufacturer's seal was submitted.
    pub has_agent_authorization_with_seal: bool,
    pub products: Vec<ProductFacts>,
    pub food_production_license: Option<CertificateFacts>,
    /// Food processing is entrusted to a qualified third party.
    pub food_processing_entrusted: bool,
    /// Share of Houma products in total sales, in percent.
    pub houma_sales_share_percent: Option<u8>,
    pub own_brand_and_standards: bool,
    pub famous_trademark: Option<CertificateFacts>,
    pub heritage_or_time_honored: Option<CertificateFacts>,
}

/// Materials submitted for one product.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductFacts {
    pub name: String,
    pub category: Option<ProductCategory>,
    pub has_introduction: bool,
    pub picture_count: usize,
    pub has_cost_price: bool,
    pub has_market_price: bool,
    pub has_brand_profile: bool,
    /// The online sales channel status was described.
    pub has_online_channels: bool,
    /// Honor certificates, certifications and qualifications of the product.
    pub certificates: Vec<CertificateFacts>,
}

/// A certificate with its validity period. A missing start or end date leaves that side of
/// the period open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateFacts {
    pub kind: CertificateKind,
    pub name: String,
    pub valid_from: Option<NaiveDate>,
    /// Last day of validity, or `None` for a certificate valid indefinitely.
    pub valid_until: Option<NaiveDate>,
}

impl CertificateFacts {
    /// Tells whether `today` lies within the validity period, both ends inclusive.
    pub fn is_valid_on(&self, today: NaiveDate) -> bool {
        self.valid_from.is_none_or(|from| from <= today)
            && self.valid_until.is_none_or(|until| today <= until)
    }
}

/// Result of all conditions for one applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdmissionReport {
    /// One result per condition, in the order of `ConditionId::all()`.
    pub conditions: Vec<ConditionResult>,
    /// Number of required conditions met, out of nine.
    pub required_met: usize,
    /// Number of optional conditions met, out of five.
    pub optional_met: usize,
    /// Whether all required conditions and at least two optional ones are met.
    pub eligible: bool,
}

/// Result of one condition with a Chinese sentence saying why it is or is not met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionResult {
    pub id: ConditionId,
    pub outcome: Outcome,
    pub reason: String,
}

impl AdmissionReport {
    /// Returns the result of the condition `id`.
    pub fn condition(&self, id: ConditionId) -> Option<&ConditionResult> {
        self.conditions.iter().find(|result| result.id == id)
    }

    /// Lists everything that keeps the applicant from being eligible, in Chinese, so that the
    /// applicant learns all missing items at once.
    ///
    /// Each unmet or expired required condition gives one item, `label：reason`. When fewer
    /// than two optional conditions are met, one item states how many are needed, followed by
    /// an item for each unmet optional condition, because any of them would count. An eligible
    /// applicant gets an empty list, even if some optional conditions are not met.
    pub fn missing_items(&self) -> Vec<String> {
        let describe =
            |result: &ConditionResult| format!("{}：{}", result.id.label(), result.reason);

        let mut items: Vec<String> = self
            .conditions
            .iter()
            .filter(|result| result.id.is_required() && result.outcome != Outcome::Met)
            .map(describe)
            .collect();

        if self.optional_met < MIN_OPTIONAL_MET {
            let optional_labels: Vec<&str> = ConditionId::all()
                .iter()
                .filter(|id| !id.is_required())
                .map(ConditionId::label)
                .collect();
            items.push(format!(
                "{}这{}项条件中至少须满足{MIN_OPTIONAL_MET}项，目前满足{}项",
                optional_labels.join("、"),
                optional_labels.len(),
                self.optional_met
            ));
            items.extend(
                self.conditions
                    .iter()
                    .filter(|result| !result.id.is_required() && result.outcome != Outcome::Met)
                    .map(describe),
            );
        }
        items
    }
}

/// Evaluates every admission condition for `input` on `today`.
///
/// Certificates count as valid from `valid_from` through `valid_until`, both inclusive. The
/// applicant is eligible when all nine required conditions are met and at least two of the
/// five optional ones.
pub fn evaluate(input: &AdmissionInput, today: NaiveDate) -> AdmissionReport {
    let conditions: Vec<ConditionResult> = ConditionId::all()
        .iter()
        .map(|id| conditions::evaluate_condition(*id, input, today))
        .collect();

    let count_met = |required: bool| {
        conditions
            .iter()
            .filter(|result| result.id.is_required() == required && result.outcome == Outcome::Met)
            .count()
    };
    let required_met = count_met(true);
    let optional_met = count_met(false);
    let required_total = ConditionId::all()
        .iter()
        .filter(|id| id.is_required())
        .count();

    AdmissionReport {
        eligible: required_met == required_total && optional_met >= MIN_OPTIONAL_MET,
        conditions,
        required_met,
        optional_met,
    }
}

#[cfg(test)]
mod tests;
