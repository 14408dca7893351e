use super::*;

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn today() -> NaiveDate {
    date("2026-03-04")
}

fn certificate(
    kind: CertificateKind,
    name: &str,
    from: Option<&str>,
    until: Option<&str>,
) -> CertificateFacts {
    CertificateFacts {
        kind,
        name: name.to_string(),
        valid_from: from.map(date),
        valid_until: until.map(date),
    }
}

fn complete_product(name: &str, category: ProductCategory) -> ProductFacts {
    ProductFacts {
        name: name.to_string(),
        category: Some(category),
        has_introduction: true,
        picture_count: 3,
        has_cost_price: true,
        has_market_price: true,
        has_brand_profile: true,
        has_online_channels: true,
        certificates: Vec::new(),
    }
}

/// Builds an applicant that meets every required condition and exactly two optional ones
/// (sales share and own brand).
fn eligible_input() -> AdmissionInput {
    AdmissionInput {
        registered_in_houma: true,
        operates_in_houma_via_branch: false,
        has_production_base: true,
        declared_lawful_products: true,
        declared_clean_environment: true,
        declared_industry_standards: true,
        declared_clean_record: true,
        is_agent: false,
        has_agent_authorization_with_seal: false,
        products: vec![complete_product("侯马辣椒", ProductCategory::Agricultural)],
        food_production_license: None,
        food_processing_entrusted: false,
        houma_sales_share_percent: Some(45),
        own_brand_and_standards: true,
        famous_trademark: None,
        heritage_or_time_honored: None,
    }
}

fn result(input: &AdmissionInput, id: ConditionId) -> ConditionResult {
    evaluate(input, today()).condition(id).unwrap().clone()
}

#[test]
fn code_lists_are_consistent() {
    assert_code_enum_consistent!(ConditionId);
    assert_code_enum_consistent!(Outcome);
    assert_code_enum_consistent!(CertificateKind);
    assert_code_enum_consistent!(ProductCategory);
}

#[test]
fn condition_labels_and_required_flags() {
    use ConditionId as C;
    let expected = [
        (C::Registration, "注册与经营场所", true),
        (C::LawfulProducts, "产品合法合规", true),
        (C::CleanEnvironment, "生产环境安全卫生", true),
        (C::IndustryStandards, "符合行业生产标准", true),
        (C::CompleteMaterials, "申报材料齐全且证书有效", true),
        (C::AgentAuthorization, "代理商授权", true),
        (C::ProductCategory, "产品类别", true),
        (C::FoodLicense, "食品生产许可", true),
        (C::CleanRecord, "近三年无质量安全事故投诉曝光", true),
        (C::HoumaSalesShare, "侯马产品销售占比不低于30%", false),
        (C::QualityMark, "三品一标认证", false),
        (C::OwnBrandAndStandards, "自有品牌及生产质量标准", false),
        (C::FamousTrademark, "驰名著名知名商标", false),
        (C::HeritageOrTimeHonored, "非遗或老字号", false),
    ];
    assert_eq!(C::all().len(), expected.len());
    for (id, label, required) in expected {
        assert_eq!(id.label(), label);
        assert_eq!(id.is_required(), required, "{id:?}");
    }
}

#[test]
fn certificate_and_category_labels() {
    let kinds = [
        (CertificateKind::Honor, "荣誉证书"),
        (CertificateKind::Qualification, "资质认证"),
        (CertificateKind::QualityMark, "三品一标认证"),
        (CertificateKind::FoodProductionLicense, "食品生产许可证"),
        (CertificateKind::FamousTrademark, "商标荣誉"),
        (CertificateKind::HeritageOrTimeHonored, "非遗或老字号"),
        (CertificateKind::Other, "其他"),
    ];
    for (kind, label) in kinds {
        assert_eq!(kind.label(), label);
    }
    let categories = [
        (ProductCategory::Agricultural, "农产品"),
        (ProductCategory::Food, "食品"),
        (ProductCategory::Industrial, "工业品"),
        (ProductCategory::Craft, "手工艺品"),
        (ProductCategory::Specialty, "特色产品"),
        (ProductCategory::Creative, "文创产品"),
        (ProductCategory::Other, "其他"),
    ];
    for (category, label) in categories {
        assert_eq!(category.label(), label);
    }
    assert_eq!(ProductCategory::all().len(), 7);
    assert_eq!(
        CertificateKind::parse("food_production_license"),
        Ok(CertificateKind::FoodProductionLicense)
    );
}

#[test]
fn eligible_applicant() {
    let report = evaluate(&eligible_input(), today());
    assert_eq!(report.conditions.len(), 14);
    assert_eq!(report.required_met, 9);
    assert_eq!(report.optional_met, 2);
    assert!(report.eligible);
    assert!(report.missing_items().is_empty());
    let ids: Vec<ConditionId> = report.conditions.iter().map(|result| result.id).collect();
    assert_eq!(ids, ConditionId::all());
}

#[test]
fn one_optional_condition_is_not_enough() {
    let mut input = eligible_input();
    input.own_brand_and_standards = false;
    let report = evaluate(&input, today());
    assert_eq!(report.required_met, 9);
    assert_eq!(report.optional_met, 1);
    assert!(!report.eligible);
    assert_eq!(
        report.missing_items(),
        vec![
            "侯马产品销售占比不低于30%、三品一标认证、自有品牌及生产质量标准、驰名著名知名商标、非遗或老字号这5项条件中至少须满足2项，目前满足1项".to_string(),
            "三品一标认证：农产品没有有效的无公害农产品、绿色食品、有机产品或地理标志认证".to_string(),
            "自有品牌及生产质量标准：未提供产品的自有品牌及生产、质量标准".to_string(),
            "驰名著名知名商标：未持有中国驰名商标、山西著名商标或知名商标等商标荣誉".to_string(),
            "非遗或老字号：未持有市级及以上非物质文化遗产或老字号称号".to_string(),
        ]
    );
}

#[test]
fn one_required_condition_blocks_eligibility() {
    let mut input = eligible_input();
    input.famous_trademark = Some(certificate(
        CertificateKind::FamousTrademark,
        "山西著名商标",
        None,
        None,
    ));
    input.declared_clean_record = false;
    let report = evaluate(&input, today());
    assert_eq!(report.required_met, 8);
    assert_eq!(report.optional_met, 3);
    assert!(!report.eligible);
    assert_eq!(
        report.missing_items(),
        vec!["近三年无质量安全事故投诉曝光：未确认近三年未发生质量安全事故，没有消费者投诉或媒体曝光".to_string()]
    );
}

#[test]
fn missing_items_lists_every_problem_at_once() {
    let input = AdmissionInput::default();
    let report = evaluate(&input, today());
    assert!(!report.eligible);
    // Only the agent and food conditions hold for an applicant that is no agent and
    // declares no food.
    assert_eq!(report.required_met, 2);
    let items = report.missing_items();
    // Registration, lawful products, environment, standards, materials, category and clean
    // record, then the optional summary and its five conditions.
    assert_eq!(items.len(), 7 + 1 + 5, "{items:#?}");
    assert!(items[0].starts_with("注册与经营场所：未在侯马注册"));
}

#[test]
fn registration_rules() {
    let cases = [
        (
            true,
            false,
            true,
            Outcome::Met,
            "在侯马注册，并有稳定的生产基地（厂房）或经营场所",
        ),
        (
            false,
            true,
            true,
            Outcome::Met,
            "通过在侯马注册的分支机构、分部或营销中心在侯马经营，并有稳定的生产基地（厂房）或经营场所",
        ),
        (
            false,
            false,
            true,
            Outcome::NotMet,
            "未在侯马注册，也没有在侯马注册的分支机构、分部或营销中心",
        ),
        (
            true,
            false,
            false,
            Outcome::NotMet,
            "没有稳定的生产基地（厂房）或经营场所",
        ),
        (
            false,
            false,
            false,
            Outcome::NotMet,
            "未在侯马注册，也没有在侯马注册的分支机构、分部或营销中心；没有稳定的生产基地（厂房）或经营场所",
        ),
    ];
    for (registered, branch, base, outcome, reason) in cases {
        let mut input = eligible_input();
        input.registered_in_houma = registered;
        input.operates_in_houma_via_branch = branch;
        input.has_production_base = base;
        let result = result(&input, ConditionId::Registration);
        assert_eq!(result.outcome, outcome, "{registered} {branch} {base}");
        assert_eq!(result.reason, reason, "{registered} {branch} {base}");
    }
}

#[test]
fn declarations_map_to_conditions() {
    type ClearDeclaration = fn(&mut AdmissionInput);
    let cases: [(ClearDeclaration, ConditionId, &str); 4] = [
        (
            |input| input.declared_lawful_products = false,
            ConditionId::LawfulProducts,
            "未确认产品无假冒伪劣、过期、走私或违禁商品",
        ),
        (
            |input| input.declared_clean_environment = false,
            ConditionId::CleanEnvironment,
            "未确认生产、加工、包装环境安全卫生、整洁无污染",
        ),
        (
            |input| input.declared_industry_standards = false,
            ConditionId::IndustryStandards,
            "未确认产品符合所属行业的生产标准",
        ),
        (
            |input| input.declared_clean_record = false,
            ConditionId::CleanRecord,
            "未确认近三年未发生质量安全事故，没有消费者投诉或媒体曝光",
        ),
    ];
    for (clear_declaration, id, reason) in cases {
        assert_eq!(
            result(&eligible_input(), id).outcome,
            Outcome::Met,
            "{id:?}"
        );

        let mut input = eligible_input();
        clear_declaration(&mut input);
        let result = result(&input, id);
        assert_eq!(result.outcome, Outcome::NotMet, "{id:?}");
        assert_eq!(result.reason, reason, "{id:?}");
    }
}

#[test]
fn materials_complete() {
    let result = result(&eligible_input(), ConditionId::CompleteMaterials);
    assert_eq!(result.outcome, Outcome::Met);
    assert_eq!(
        result.reason,
        "1个产品的产品介绍、图片、成本价、市场价、品牌介绍和线上销售渠道情况齐全，证书均在有效期内"
    );
}

#[test]
fn materials_without_products() {
    let mut input = eligible_input();
    input.products.clear();
    let result = result(&input, ConditionId::CompleteMaterials);
    assert_eq!(result.outcome, Outcome::NotMet);
    assert_eq!(result.reason, "未申报任何产品，应至少申报一个产品及其材料");
}

#[test]
fn materials_missing_items_per_product() {
    let mut input = eligible_input();
    let mut incomplete = complete_product("", ProductCategory::Craft);
    incomplete.has_introduction = false;
    incomplete.picture_count = 0;
    incomplete.has_online_channels = false;
    input.products.push(incomplete);
    let mut no_prices = complete_product("剪纸", ProductCategory::Craft);
    no_prices.has_cost_price = false;
    no_prices.has_market_price = false;
    no_prices.has_brand_profile = false;
    input.products.push(no_prices);

    let result = result(&input, ConditionId::CompleteMaterials);
    assert_eq!(result.outcome, Outcome::NotMet);
    assert_eq!(
        result.reason,
        "第2个产品缺少产品介绍、产品图片、线上销售渠道情况；产品“剪纸”缺少成本价、市场价、品牌介绍"
    );
}

#[test]
fn materials_with_expired_certificate() {
    let mut input = eligible_input();
    input.products[0].certificates = vec![
        certificate(
            CertificateKind::Honor,
            "山西省名优产品",
            Some("2023-01-01"),
            Some("2025-12-31"),
        ),
        certificate(
            CertificateKind::Qualification,
            "ISO 9001",
            None,
            Some("2026-03-04"),
        ),
    ];
    let result = result(&input, ConditionId::CompleteMaterials);
    assert_eq!(result.outcome, Outcome::Expired);
    assert_eq!(
        result.reason,
        "产品“侯马辣椒”的荣誉证书“山西省名优产品”已于2025-12-31过期，应提供有效期内的证书"
    );
}

#[test]
fn materials_with_certificate_not_yet_valid() {
    let mut input = eligible_input();
    input.products[0].certificates = vec![
        certificate(
            CertificateKind::Qualification,
            "有机转换认证",
            Some("2026-03-05"),
            None,
        ),
        certificate(CertificateKind::Honor, "", None, Some("2026-03-03")),
    ];
    let result = result(&input, ConditionId::CompleteMaterials);
    assert_eq!(
        result.outcome,
        Outcome::NotMet,
        "not yet valid outweighs expired"
    );
    assert_eq!(
        result.reason,
        "产品“侯马辣椒”的资质认证“有机转换认证”自2026-03-05起生效，目前尚未生效；产品“侯马辣椒”的荣誉证书已于2026-03-03过期，应提供有效期内的证书"
    );
}

#[test]
fn certificate_validity_bounds_are_inclusive() {
    let bounded = certificate(
        CertificateKind::Other,
        "",
        Some("2026-03-04"),
        Some("2026-03-04"),
    );
    assert!(bounded.is_valid_on(date("2026-03-04")));
    assert!(!bounded.is_valid_on(date("2026-03-03")));
    assert!(!bounded.is_valid_on(date("2026-03-05")));
    let open = certificate(CertificateKind::Other, "", None, None);
    assert!(open.is_valid_on(date("1900-01-01")));
}

#[test]
fn agent_authorization_rules() {
    let cases = [
        (
            false,
            false,
            Outcome::Met,
            "申请人不是代理商，无需提交授权书",
        ),
        (
            true,
            true,
            Outcome::Met,
            "申请人是代理商，已提交加盖生产厂家公章的授权书或销售协议",
        ),
        (
            true,
            false,
            Outcome::NotMet,
            "申请人是代理商，但未提交加盖生产厂家公章的授权书或销售协议",
        ),
    ];
    for (is_agent, authorized, outcome, reason) in cases {
        let mut input = eligible_input();
        input.is_agent = is_agent;
        input.has_agent_authorization_with_seal = authorized;
        let result = result(&input, ConditionId::AgentAuthorization);
        assert_eq!(result.outcome, outcome, "{is_agent} {authorized}");
        assert_eq!(result.reason, reason, "{is_agent} {authorized}");
    }
}

#[test]
fn product_category_rules() {
    let met = result(&eligible_input(), ConditionId::ProductCategory);
    assert_eq!(met.outcome, Outcome::Met);
    assert_eq!(met.reason, "所有产品均已选择产品类别");

    let mut input = eligible_input();
    input.products.push(ProductFacts {
        name: "木版年画".to_string(),
        ..complete_product("", ProductCategory::Craft)
    });
    input.products[1].category = None;
    input.products.push(ProductFacts {
        category: None,
        ..complete_product("", ProductCategory::Craft)
    });
    let result = result(&input, ConditionId::ProductCategory);
    assert_eq!(result.outcome, Outcome::NotMet);
    assert_eq!(
        result.reason,
        "产品“木版年画”、第3个产品未选择产品类别，应选择农产品、食品、工业品、手工艺品、特色产品、文创产品、其他之一"
    );

    let mut empty = eligible_input();
    empty.products.clear();
    assert_eq!(
        result_outcome(&empty, ConditionId::ProductCategory),
        Outcome::NotMet
    );
}

fn result_outcome(input: &AdmissionInput, id: ConditionId) -> Outcome {
    result(input, id).outcome
}

#[test]
fn food_license_not_needed_without_food() {
    let result = result(&eligible_input(), ConditionId::FoodLicense);
    assert_eq!(result.outcome, Outcome::Met);
    assert_eq!(result.reason, "不涉及食品，申报产品中没有食品类产品");
}

#[test]
fn food_license_rules() {
    let license = |from: Option<&str>, until: Option<&str>| {
        Some(certificate(
            CertificateKind::FoodProductionLicense,
            "SC10614108100012",
            from,
            until,
        ))
    };
    let cases = [
        (
            license(Some("2021-05-01"), Some("2026-04-30")),
            false,
            Outcome::Met,
            "产品“东庄米醋”属于食品，持有食品生产许可证“SC10614108100012”（有效期至2026-04-30）",
        ),
        (
            None,
            true,
            Outcome::Met,
            "产品“东庄米醋”属于食品，已委托有资质的第三方加工",
        ),
        (
            license(None, Some("2025-12-31")),
            true,
            Outcome::Met,
            "产品“东庄米醋”属于食品，已委托有资质的第三方加工",
        ),
        (
            license(None, Some("2025-12-31")),
            false,
            Outcome::Expired,
            "产品“东庄米醋”属于食品，食品生产许可证“SC10614108100012”已于2025-12-31过期，应提供有效的食品生产许可证或委托有资质的第三方加工",
        ),
        (
            license(Some("2026-04-01"), None),
            false,
            Outcome::NotMet,
            "产品“东庄米醋”属于食品，食品生产许可证“SC10614108100012”自2026-04-01起生效，目前尚未生效，应提供有效的食品生产许可证或委托有资质的第三方加工",
        ),
        (
            None,
            false,
            Outcome::NotMet,
            "产品“东庄米醋”属于食品，但既没有食品生产许可证，也没有委托有资质的第三方加工",
        ),
    ];
    for (license, entrusted, outcome, reason) in cases {
        let mut input = eligible_input();
        input
            .products
            .push(complete_product("东庄米醋", ProductCategory::Food));
        input.food_production_license = license.clone();
        input.food_processing_entrusted = entrusted;
        let result = result(&input, ConditionId::FoodLicense);
        assert_eq!(result.outcome, outcome, "{license:?} {entrusted}");
        assert_eq!(result.reason, reason, "{license:?} {entrusted}");
    }
}

#[test]
fn houma_sales_share_rules() {
    let cases = [
        (
            Some(30),
            Outcome::Met,
            "侯马产品销售额占总销售额的30%，不低于30%",
        ),
        (
            Some(100),
            Outcome::Met,
            "侯马产品销售额占总销售额的100%，不低于30%",
        ),
        (
            Some(29),
            Outcome::NotMet,
            "侯马产品销售额占总销售额的29%，低于30%",
        ),
        (
            Some(0),
            Outcome::NotMet,
            "侯马产品销售额占总销售额的0%，低于30%",
        ),
        (
            Some(101),
            Outcome::NotMet,
            "填写的侯马产品销售占比101%无效，应为0至100之间的百分比",
        ),
        (
            None,
            Outcome::NotMet,
            "未填写侯马产品销售额占总销售额的比例",
        ),
    ];
    for (percent, outcome, reason) in cases {
        let mut input = eligible_input();
        input.houma_sales_share_percent = percent;
        let result = result(&input, ConditionId::HoumaSalesShare);
        assert_eq!(result.outcome, outcome, "{percent:?}");
        assert_eq!(result.reason, reason, "{percent:?}");
    }
}

#[test]
fn quality_mark_rules() {
    let mark =
        |until: Option<&str>| certificate(CertificateKind::QualityMark, "绿色食品", None, until);

    let mut valid = eligible_input();
    valid.products[0].certificates = vec![mark(Some("2025-01-01")), mark(Some("2027-06-30"))];
    let result_valid = result(&valid, ConditionId::QualityMark);
    assert_eq!(result_valid.outcome, Outcome::Met);
    assert_eq!(
        result_valid.reason,
        "产品“侯马辣椒”持有三品一标认证“绿色食品”（有效期至2027-06-30）"
    );

    let mut expired = eligible_input();
    expired.products[0].certificates = vec![mark(Some("2025-01-01"))];
    let result_expired = result(&expired, ConditionId::QualityMark);
    assert_eq!(result_expired.outcome, Outcome::Expired);
    assert_eq!(
        result_expired.reason,
        "产品“侯马辣椒”的三品一标认证“绿色食品”已于2025-01-01过期"
    );

    let mut other_kind = eligible_input();
    other_kind.products[0].certificates =
        vec![certificate(CertificateKind::Honor, "绿色食品", None, None)];
    assert_eq!(
        result_outcome(&other_kind, ConditionId::QualityMark),
        Outcome::NotMet
    );

    let mut not_yet = eligible_input();
    not_yet.products[0].certificates = vec![certificate(
        CertificateKind::QualityMark,
        "有机产品",
        Some("2026-06-01"),
        None,
    )];
    let result_not_yet = result(&not_yet, ConditionId::QualityMark);
    assert_eq!(result_not_yet.outcome, Outcome::NotMet);
    assert_eq!(
        result_not_yet.reason,
        "农产品没有有效的无公害农产品、绿色食品、有机产品或地理标志认证：产品“侯马辣椒”的三品一标认证“有机产品”自2026-06-01起生效，目前尚未生效"
    );
}

#[test]
fn quality_mark_needs_agricultural_product() {
    let mut input = eligible_input();
    input.products = vec![ProductFacts {
        certificates: vec![certificate(
            CertificateKind::QualityMark,
            "地理标志",
            None,
            None,
        )],
        ..complete_product("侯马服装", ProductCategory::Industrial)
    }];
    let result = result(&input, ConditionId::QualityMark);
    assert_eq!(result.outcome, Outcome::NotMet);
    assert_eq!(result.reason, "申报产品中没有农产品，无三品一标认证");
}

#[test]
fn titled_certificates() {
    let title = |kind, name: &str, from: Option<&str>, until: Option<&str>| {
        Some(certificate(kind, name, from, until))
    };
    let cases = [
        (
            title(CertificateKind::FamousTrademark, "山西著名商标", None, None),
            Outcome::Met,
            "持有商标荣誉“山西著名商标”（长期有效）",
        ),
        (
            title(
                CertificateKind::FamousTrademark,
                "山西著名商标",
                None,
                Some("2026-12-31"),
            ),
            Outcome::Met,
            "持有商标荣誉“山西著名商标”（有效期至2026-12-31）",
        ),
        (
            title(
                CertificateKind::FamousTrademark,
                "山西著名商标",
                None,
                Some("2026-03-03"),
            ),
            Outcome::Expired,
            "商标荣誉“山西著名商标”已于2026-03-03过期",
        ),
        (
            title(
                CertificateKind::FamousTrademark,
                "山西著名商标",
                Some("2026-04-01"),
                None,
            ),
            Outcome::NotMet,
            "商标荣誉“山西著名商标”自2026-04-01起生效，目前尚未生效",
        ),
        (
            None,
            Outcome::NotMet,
            "未持有中国驰名商标、山西著名商标或知名商标等商标荣誉",
        ),
    ];
    for (trademark, outcome, reason) in cases {
        let mut input = eligible_input();
        input.famous_trademark = trademark.clone();
        let result = result(&input, ConditionId::FamousTrademark);
        assert_eq!(result.outcome, outcome, "{trademark:?}");
        assert_eq!(result.reason, reason, "{trademark:?}");
    }

    let mut heritage = eligible_input();
    heritage.heritage_or_time_honored = title(
        CertificateKind::HeritageOrTimeHonored,
        "侯马皮影 市级非物质文化遗产",
        Some("2019-06-01"),
        None,
    );
    let result_heritage = result(&heritage, ConditionId::HeritageOrTimeHonored);
    assert_eq!(result_heritage.outcome, Outcome::Met);
    assert_eq!(
        result_heritage.reason,
        "持有非遗或老字号“侯马皮影 市级非物质文化遗产”（长期有效）"
    );
    let report = evaluate(&heritage, today());
    assert_eq!(report.optional_met, 3);
}

#[test]
fn expired_optional_condition_does_not_count() {
    let mut input = eligible_input();
    input.own_brand_and_standards = false;
    input.famous_trademark = Some(certificate(
        CertificateKind::FamousTrademark,
        "知名商标",
        None,
        Some("2025-01-01"),
    ));
    let report = evaluate(&input, today());
    assert_eq!(report.optional_met, 1);
    assert!(!report.eligible);
    assert!(
        report
            .missing_items()
            .contains(&"驰名著名知名商标：商标荣誉“知名商标”已于2025-01-01过期".to_string())
    );
}
