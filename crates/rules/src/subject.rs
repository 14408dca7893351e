//! Types of subject (申请主体) that may apply for a public-brand license.

code_enum! {
    /// Legal form of an applicant. Every form listed here may apply, provided it is registered
    /// in Houma or operates there through a registered branch.
    pub enum SubjectType in "主体类型" {
        Company => ("company", "公司"),
        LeadingAgriculturalEnterprise => ("leading_agricultural_enterprise", "农业产业化龙头企业"),
        Cooperative => ("cooperative", "农民专业合作社"),
        FamilyFarm => ("family_farm", "家庭农场"),
        SocialGroup => ("social_group", "社会团体"),
        IndividualBusiness => ("individual_business", "个体工商户"),
        NaturalPerson => ("natural_person", "自然人"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_list_is_consistent() {
        assert_code_enum_consistent!(SubjectType);
        assert_eq!(SubjectType::all().len(), 7);
    }

    #[test]
    fn labels_and_ids() {
        assert_eq!(SubjectType::Cooperative.label(), "农民专业合作社");
        assert_eq!(
            SubjectType::IndividualBusiness.as_str(),
            "individual_business"
        );
        assert_eq!(SubjectType::parse("自然人"), Ok(SubjectType::NaturalPerson));
        assert_eq!(
            SubjectType::parse(" FAMILY_FARM "),
            Ok(SubjectType::FamilyFarm)
        );
    }

    #[test]
    fn unknown_value_lists_choices() {
        let error = SubjectType::parse("合伙企业").unwrap_err();
        assert_eq!(
            error.to_string(),
            "主体类型“合伙企业”无效，应为以下之一：company（公司）、leading_agricultural_enterprise（农业产业化龙头企业）、cooperative（农民专业合作社）、family_farm（家庭农场）、social_group（社会团体）、individual_business（个体工商户）、natural_person（自然人）"
        );
    }
}
