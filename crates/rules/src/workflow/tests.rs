use super::*;

use ApplicationKind::{New, Renewal};

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// Lists every transition that the workflow allows as (kind, state, action, roles that may
/// take it, next state).
fn allowed_transitions() -> Vec<(
    ApplicationKind,
    ApplicationState,
    Action,
    Vec<Role>,
    ApplicationState,
)> {
    use Action as A;
    use ApplicationState as S;
    use Role::{Enterprise, Lgo, ServiceCenter};

    let mut transitions = vec![
        (
            New,
            S::Submitted,
            A::PassPreliminary,
            vec![ServiceCenter],
            S::SiteReview,
        ),
        (
            Renewal,
            S::Submitted,
            A::PassPreliminary,
            vec![ServiceCenter],
            S::Agreement,
        ),
        (
            New,
            S::SiteReview,
            A::PassSiteReview,
            vec![ServiceCenter],
            S::PublicNotice,
        ),
        (
            New,
            S::SiteReview,
            A::FailSiteReview,
            vec![ServiceCenter],
            S::Returned,
        ),
        (
            New,
            S::PublicNotice,
            A::ConcludeNotice,
            vec![ServiceCenter],
            S::Agreement,
        ),
        (
            New,
            S::PublicNotice,
            A::RejectAfterObjection,
            vec![ServiceCenter],
            S::Rejected,
        ),
    ];
    for kind in [New, Renewal] {
        transitions.extend([
            (
                kind,
                S::Submitted,
                A::RequestCorrection,
                vec![ServiceCenter],
                S::CorrectionRequired,
            ),
            (
                kind,
                S::Submitted,
                A::ReturnApplication,
                vec![ServiceCenter],
                S::Returned,
            ),
            (
                kind,
                S::CorrectionRequired,
                A::Resubmit,
                vec![Enterprise],
                S::Submitted,
            ),
            (
                kind,
                S::Agreement,
                A::SignAgreement,
                vec![ServiceCenter, Enterprise],
                S::Certification,
            ),
            (
                kind,
                S::Certification,
                A::IssueCertificate,
                vec![Lgo],
                S::Archiving,
            ),
            (
                kind,
                S::Archiving,
                A::BuildArchive,
                vec![ServiceCenter],
                S::Filing,
            ),
            (kind, S::Filing, A::ConfirmFiling, vec![Lgo], S::Completed),
            (
                kind,
                S::Submitted,
                A::Withdraw,
                vec![Enterprise],
                S::Withdrawn,
            ),
            (
                kind,
                S::CorrectionRequired,
                A::Withdraw,
                vec![Enterprise],
                S::Withdrawn,
            ),
        ]);
    }
    transitions
}

#[test]
fn code_lists_are_consistent() {
    assert_code_enum_consistent!(ApplicationKind);
    assert_code_enum_consistent!(ApplicationState);
    assert_code_enum_consistent!(Action);
    assert_code_enum_consistent!(Role);
    assert_code_enum_consistent!(Urgency);
}

#[test]
fn state_ids_and_labels() {
    use ApplicationState as S;
    let expected = [
        (S::Submitted, "submitted", "待资格初审"),
        (S::CorrectionRequired, "correction_required", "待补正"),
        (S::SiteReview, "site_review", "待现场审核"),
        (S::PublicNotice, "public_notice", "公示中"),
        (S::Agreement, "agreement", "待签订协议"),
        (S::Certification, "certification", "待颁发证书"),
        (S::Archiving, "archiving", "待建档"),
        (S::Filing, "filing", "待备案"),
        (S::Completed, "completed", "已完成"),
        (S::Returned, "returned", "已退回"),
        (S::Rejected, "rejected", "未通过"),
        (S::Withdrawn, "withdrawn", "已撤回"),
    ];
    assert_eq!(S::all().len(), expected.len());
    for (state, id, label) in expected {
        assert_eq!(state.as_str(), id);
        assert_eq!(state.label(), label);
    }
}

#[test]
fn action_labels() {
    use Action as A;
    let expected = [
        (A::Resubmit, "重新提交"),
        (A::PassPreliminary, "初审通过"),
        (A::RequestCorrection, "要求补正"),
        (A::ReturnApplication, "退回申请"),
        (A::PassSiteReview, "现场审核通过"),
        (A::FailSiteReview, "现场审核不通过"),
        (A::ConcludeNotice, "公示结束"),
        (A::RejectAfterObjection, "异议成立不予授权"),
        (A::SignAgreement, "上传已签协议"),
        (A::IssueCertificate, "颁发证书"),
        (A::BuildArchive, "建立档案"),
        (A::ConfirmFiling, "确认备案"),
        (A::Withdraw, "撤回申请"),
    ];
    assert_eq!(A::all().len(), expected.len());
    for (action, label) in expected {
        assert_eq!(action.label(), label);
    }
}

#[test]
fn role_ids_and_labels() {
    let expected = [
        (Role::Admin, "admin", "系统管理员"),
        (Role::Auditor, "auditor", "审计员"),
        (Role::Lgo, "lgo", "领导小组办公室"),
        (Role::ServiceCenter, "service_center", "商贸服务中心"),
        (Role::Bureau, "bureau", "商务局"),
        (Role::Supervisor, "supervisor", "监督检查组"),
        (Role::Collector, "collector", "信息采集专员"),
        (Role::Statistician, "statistician", "统计员"),
        (Role::StationStaff, "station_staff", "站点人员"),
        (Role::Enterprise, "enterprise", "企业用户"),
        (Role::Contractor, "contractor", "承办企业用户"),
    ];
    assert_eq!(Role::all().len(), expected.len());
    for (role, id, label) in expected {
        assert_eq!(role.as_str(), id);
        assert_eq!(role.label(), label);
    }
}

#[test]
fn every_allowed_transition_succeeds() {
    for (kind, state, action, roles, next) in allowed_transitions() {
        assert_eq!(roles_for(action), roles.as_slice(), "{action:?}");
        for role in &roles {
            assert_eq!(
                transition(kind, state, action, &[*role]),
                Ok(next),
                "{kind:?} {state:?} {action:?} by {role:?}"
            );
        }
        assert_eq!(next_state(kind, state, action), Some(next));
    }
}

#[test]
fn every_wrong_role_is_rejected() {
    for (kind, state, action, roles, _) in allowed_transitions() {
        for role in Role::all() {
            if roles.contains(role) {
                continue;
            }
            assert_eq!(
                transition(kind, state, action, &[*role]),
                Err(TransitionError::WrongRole {
                    action,
                    required: roles.clone(),
                }),
                "{kind:?} {state:?} {action:?} by {role:?}"
            );
        }
        assert_eq!(
            transition(kind, state, action, &[]),
            Err(TransitionError::WrongRole {
                action,
                required: roles.clone(),
            }),
            "{kind:?} {state:?} {action:?} without roles"
        );
    }
}

#[test]
fn every_other_state_and_action_is_not_allowed() {
    let allowed = allowed_transitions();
    let mut forbidden_count = 0;
    for kind in ApplicationKind::all() {
        for state in ApplicationState::all() {
            for action in Action::all() {
                let is_allowed = allowed
                    .iter()
                    .any(|(k, s, a, _, _)| k == kind && s == state && a == action);
                if is_allowed {
                    continue;
                }
                forbidden_count += 1;
                assert_eq!(next_state(*kind, *state, *action), None);
                // Even a user holding every role gets NotAllowed.
                assert_eq!(
                    transition(*kind, *state, *action, Role::all()),
                    Err(TransitionError::NotAllowed {
                        state: *state,
                        action: *action,
                    }),
                    "{kind:?} {state:?} {action:?}"
                );
            }
        }
    }
    let total = 2 * ApplicationState::all().len() * Action::all().len();
    assert_eq!(forbidden_count, total - allowed.len());
}

#[test]
fn renewal_skips_site_review_and_notice() {
    use ApplicationState as S;
    for (state, action) in [
        (S::SiteReview, Action::PassSiteReview),
        (S::SiteReview, Action::FailSiteReview),
        (S::PublicNotice, Action::ConcludeNotice),
        (S::PublicNotice, Action::RejectAfterObjection),
    ] {
        assert_eq!(
            transition(Renewal, state, action, &[Role::ServiceCenter]),
            Err(TransitionError::NotAllowed { state, action })
        );
    }
}

#[test]
fn admin_has_no_workflow_power() {
    for kind in ApplicationKind::all() {
        for state in ApplicationState::all() {
            assert!(allowed_actions(*kind, *state, &[Role::Admin]).is_empty());
        }
    }
    assert_eq!(
        transition(
            New,
            ApplicationState::Submitted,
            Action::PassPreliminary,
            &[Role::Admin]
        ),
        Err(TransitionError::WrongRole {
            action: Action::PassPreliminary,
            required: vec![Role::ServiceCenter],
        })
    );
}

#[test]
fn user_with_several_roles() {
    let roles = [Role::Admin, Role::ServiceCenter];
    assert_eq!(
        transition(
            New,
            ApplicationState::Submitted,
            Action::PassPreliminary,
            &roles
        ),
        Ok(ApplicationState::SiteReview)
    );
}

#[test]
fn error_messages() {
    let not_allowed = transition(
        New,
        ApplicationState::Agreement,
        Action::PassPreliminary,
        &[Role::ServiceCenter],
    )
    .unwrap_err();
    assert_eq!(
        not_allowed.to_string(),
        "申请当前状态为“待签订协议”，不能执行“初审通过”"
    );

    let wrong_role = transition(
        New,
        ApplicationState::Submitted,
        Action::PassPreliminary,
        &[Role::Enterprise],
    )
    .unwrap_err();
    assert_eq!(wrong_role.to_string(), "只有商贸服务中心可以执行“初审通过”");

    let two_roles = transition(
        New,
        ApplicationState::Agreement,
        Action::SignAgreement,
        &[Role::Lgo],
    )
    .unwrap_err();
    assert_eq!(
        two_roles.to_string(),
        "只有商贸服务中心或企业用户可以执行“上传已签协议”"
    );
}

#[test]
fn allowed_actions_by_role() {
    use ApplicationState as S;
    assert_eq!(
        allowed_actions(New, S::Submitted, &[Role::ServiceCenter]),
        vec![
            Action::PassPreliminary,
            Action::RequestCorrection,
            Action::ReturnApplication
        ]
    );
    assert_eq!(
        allowed_actions(New, S::Submitted, &[Role::Enterprise]),
        vec![Action::Withdraw]
    );
    assert_eq!(
        allowed_actions(New, S::CorrectionRequired, &[Role::Enterprise]),
        vec![Action::Resubmit, Action::Withdraw]
    );
    assert_eq!(
        allowed_actions(New, S::PublicNotice, &[Role::ServiceCenter]),
        vec![Action::ConcludeNotice, Action::RejectAfterObjection]
    );
    assert!(allowed_actions(Renewal, S::PublicNotice, &[Role::ServiceCenter]).is_empty());
    assert_eq!(
        allowed_actions(Renewal, S::Agreement, &[Role::Enterprise]),
        vec![Action::SignAgreement]
    );
    assert_eq!(
        allowed_actions(New, S::Filing, &[Role::Lgo, Role::ServiceCenter]),
        vec![Action::ConfirmFiling]
    );
}

#[test]
fn terminal_states_have_no_actions() {
    for state in ApplicationState::all() {
        let new_actions = allowed_actions(New, *state, Role::all());
        assert_eq!(new_actions.is_empty(), state.is_terminal(), "{state:?}");

        // A renewal never reaches the on-site review or the public notice, so those states
        // have no actions for it either.
        let unreachable_for_renewal = matches!(
            state,
            ApplicationState::SiteReview | ApplicationState::PublicNotice
        );
        let renewal_actions = allowed_actions(Renewal, *state, Role::all());
        assert_eq!(
            renewal_actions.is_empty(),
            state.is_terminal() || unreachable_for_renewal,
            "{state:?}"
        );
    }
    let terminal: Vec<ApplicationState> = ApplicationState::all()
        .iter()
        .copied()
        .filter(ApplicationState::is_terminal)
        .collect();
    assert_eq!(
        terminal,
        vec![
            ApplicationState::Completed,
            ApplicationState::Returned,
            ApplicationState::Rejected,
            ApplicationState::Withdrawn,
        ]
    );
}

#[test]
fn responsible_roles_per_state() {
    use ApplicationState as S;
    let expected: [(ApplicationState, &[Role]); 12] = [
        (S::Submitted, &[Role::ServiceCenter]),
        (S::CorrectionRequired, &[Role::Enterprise]),
        (S::SiteReview, &[Role::ServiceCenter]),
        (S::PublicNotice, &[Role::ServiceCenter]),
        (S::Agreement, &[Role::ServiceCenter, Role::Enterprise]),
        (S::Certification, &[Role::Lgo]),
        (S::Archiving, &[Role::ServiceCenter]),
        (S::Filing, &[Role::Lgo]),
        (S::Completed, &[]),
        (S::Returned, &[]),
        (S::Rejected, &[]),
        (S::Withdrawn, &[]),
    ];
    for (state, roles) in expected {
        assert_eq!(responsible_roles(state), roles, "{state:?}");
    }
}

#[test]
fn responsible_roles_can_act() {
    for state in ApplicationState::all() {
        for role in responsible_roles(*state) {
            let can_act = ApplicationKind::all()
                .iter()
                .any(|kind| !allowed_actions(*kind, *state, &[*role]).is_empty());
            assert!(
                can_act,
                "{role:?} is responsible for {state:?} but cannot act"
            );
        }
    }
}

#[test]
fn deadlines_per_state() {
    use ApplicationState as S;
    for state in ApplicationState::all() {
        let expected = match state {
            S::Submitted | S::PublicNotice | S::Agreement => Some(3),
            S::Archiving => Some(10),
            _ => None,
        };
        assert_eq!(deadline_working_days(*state), expected, "{state:?}");
    }
}

#[test]
fn due_date_counts_working_days() {
    let calendar = Calendar::official();
    assert_eq!(
        due_date(&calendar, ApplicationState::Submitted, date("2023-09-27")),
        Some(date("2023-10-08"))
    );
    assert_eq!(
        due_date(&calendar, ApplicationState::Archiving, date("2026-03-06")),
        Some(date("2026-03-20"))
    );
    assert_eq!(
        due_date(&calendar, ApplicationState::SiteReview, date("2026-03-06")),
        None
    );
}

#[test]
fn urgency_levels() {
    let calendar = Calendar::official();
    // Tuesday 2026-03-10 is the due date.
    let due = date("2026-03-10");
    let cases = [
        ("2026-03-11", Urgency::Overdue),
        ("2026-03-10", Urgency::DueSoon),
        ("2026-03-09", Urgency::DueSoon),
        ("2026-03-08", Urgency::Normal),
        ("2026-03-07", Urgency::Normal),
        ("2026-03-06", Urgency::Normal),
    ];
    for (today, expected) in cases {
        assert_eq!(
            urgency(&calendar, due, date(today)),
            expected,
            "today {today}"
        );
    }
}

#[test]
fn urgency_across_holidays() {
    let calendar = Calendar::official();
    // Only the National Day break lies between 2024-09-30 and 2024-10-08.
    assert_eq!(
        urgency(&calendar, date("2024-10-08"), date("2024-09-30")),
        Urgency::DueSoon
    );
    // Due on Sunday 2026-03-08: no working day lies between Friday and the due date.
    assert_eq!(
        urgency(&calendar, date("2026-03-08"), date("2026-03-06")),
        Urgency::DueSoon
    );
}
