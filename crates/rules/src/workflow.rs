//! State machine of a license application, from submission to filing with the leading group
//! office.
//!
//! A new application passes the preliminary review, the on-site review, the public notice,
//! the agreement, the certificate, the archive and the filing. A renewal skips the on-site
//! review and the public notice. Each action belongs to fixed roles. The system administrator
//! has no workflow role, so that running the system and deciding applications stay separate.

use chrono::NaiveDate;

use crate::calendar::Calendar;

code_enum! {
    /// Whether an application asks for a first license or the renewal of one.
    pub enum ApplicationKind in "申请类型" {
        New => ("new", "新申请"),
        Renewal => ("renewal", "续用申请"),
    }
}

code_enum! {
    /// Stage of an application. The label names what the application waits for.
    pub enum ApplicationState in "申请状态" {
        /// Waiting for the trade service center's preliminary review.
        Submitted => ("submitted", "待资格初审"),
        /// Returned to the applicant to complete the missing items.
        CorrectionRequired => ("correction_required", "待补正"),
        /// Waiting for the on-site review of originals and premises (new applications only).
        SiteReview => ("site_review", "待现场审核"),
        /// Published for objections (new applications only).
        PublicNotice => ("public_notice", "公示中"),
        /// Waiting for the signed license agreement.
        Agreement => ("agreement", "待签订协议"),
        /// Waiting for the leading group office to issue the certificate.
        Certification => ("certification", "待颁发证书"),
        /// Waiting for the trade service center to build the licensee archive.
        Archiving => ("archiving", "待建档"),
        /// Waiting for the leading group office to confirm the filing.
        Filing => ("filing", "待备案"),
        Completed => ("completed", "已完成"),
        /// Returned as not eligible, with the reason.
        Returned => ("returned", "已退回"),
        /// Not licensed because an objection during the public notice was upheld.
        Rejected => ("rejected", "未通过"),
        Withdrawn => ("withdrawn", "已撤回"),
    }
}

code_enum! {
    /// Step that a user takes on an application.
    pub enum Action in "操作" {
        Resubmit => ("resubmit", "重新提交"),
        PassPreliminary => ("pass_preliminary", "初审通过"),
        RequestCorrection => ("request_correction", "要求补正"),
        ReturnApplication => ("return_application", "退回申请"),
        PassSiteReview => ("pass_site_review", "现场审核通过"),
        FailSiteReview => ("fail_site_review", "现场审核不通过"),
        ConcludeNotice => ("conclude_notice", "公示结束"),
        RejectAfterObjection => ("reject_after_objection", "异议成立不予授权"),
        SignAgreement => ("sign_agreement", "上传已签协议"),
        IssueCertificate => ("issue_certificate", "颁发证书"),
        BuildArchive => ("build_archive", "建立档案"),
        ConfirmFiling => ("confirm_filing", "确认备案"),
        Withdraw => ("withdraw", "撤回申请"),
    }
}

code_enum! {
    /// Role of a user account. A user may hold several roles.
    pub enum Role in "角色" {
        Admin => ("admin", "系统管理员"),
        Auditor => ("auditor", "审计员"),
        Lgo => ("lgo", "领导小组办公室"),
        ServiceCenter => ("service_center", "商贸服务中心"),
        Bureau => ("bureau", "商务局"),
        Supervisor => ("supervisor", "监督检查组"),
        Collector => ("collector", "信息采集专员"),
        Statistician => ("statistician", "统计员"),
        StationStaff => ("station_staff", "站点人员"),
        Enterprise => ("enterprise", "企业用户"),
        Contractor => ("contractor", "承办企业用户"),
    }
}

code_enum! {
    /// Urgency level of a to-do item, by the distance to its deadline.
    pub enum Urgency in "紧急程度" {
        Normal => ("normal", "正常"),
        /// Due today or on the next working day (shown yellow).
        DueSoon => ("due_soon", "即将到期"),
        /// Past its deadline (shown red).
        Overdue => ("overdue", "已逾期"),
    }
}

/// Reason why an action cannot be taken on an application.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The action does not apply to the application's current state.
    #[error("申请当前状态为“{}”，不能执行“{}”", state.label(), action.label())]
    NotAllowed {
        state: ApplicationState,
        action: Action,
    },
    /// The action applies, but the user has none of the roles that may take it.
    #[error("只有{}可以执行“{}”", role_labels(required), action.label())]
    WrongRole { action: Action, required: Vec<Role> },
}

fn role_labels(roles: &[Role]) -> String {
    let labels: Vec<&str> = roles.iter().map(Role::label).collect();
    labels.join("或")
}

impl ApplicationState {
    /// Tells whether the application has ended: completed, returned, rejected or withdrawn.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            ApplicationState::Completed
                | ApplicationState::Returned
                | ApplicationState::Rejected
                | ApplicationState::Withdrawn
        )
    }
}

/// Returns the roles that may take `action`, in any state where it applies.
///
/// The trade service center reviews, requests corrections, returns applications, runs the public notice
/// and builds the archive. The leading group office issues certificates and confirms
/// filings. The enterprise resubmits and withdraws. Either the trade service center or the
/// enterprise uploads the signed agreement.
pub fn roles_for(action: Action) -> &'static [Role] {
    match action {
        Action::PassPreliminary
        | Action::RequestCorrection
        | Action::ReturnApplication
        | Action::PassSiteReview
        | Action::FailSiteReview
        | Action::ConcludeNotice
        | Action::RejectAfterObjection
        | Action::BuildArchive => &[Role::ServiceCenter],
        Action::SignAgreement => &[Role::ServiceCenter, Role::Enterprise],
        Action::IssueCertificate | Action::ConfirmFiling => &[Role::Lgo],
        Action::Resubmit | Action::Withdraw => &[Role::Enterprise],
    }
}

/// Returns the state that `action` leads to from `state`, or `None` when the action does not
/// apply there. Roles are not checked.
///
/// A renewal passes from the preliminary review straight to the agreement, and the on-site
/// review and public notice actions never apply to it.
pub fn next_state(
    kind: ApplicationKind,
    state: ApplicationState,
    action: Action,
) -> Option<ApplicationState> {
    use Action as A;
    use ApplicationState as S;

    let is_new = kind == ApplicationKind::New;
    let next = match (state, action) {
        (S::Submitted, A::PassPreliminary) if is_new => S::SiteReview,
        (S::Submitted, A::PassPreliminary) => S::Agreement,
        (S::Submitted, A::RequestCorrection) => S::CorrectionRequired,
        (S::Submitted, A::ReturnApplication) => S::Returned,
        (S::Submitted | S::CorrectionRequired, A::Withdraw) => S::Withdrawn,
        (S::CorrectionRequired, A::Resubmit) => S::Submitted,
        (S::SiteReview, A::PassSiteReview) if is_new => S::PublicNotice,
        (S::SiteReview, A::FailSiteReview) if is_new => S::Returned,
        (S::PublicNotice, A::ConcludeNotice) if is_new => S::Agreement,
        (S::PublicNotice, A::RejectAfterObjection) if is_new => S::Rejected,
        (S::Agreement, A::SignAgreement) => S::Certification,
        (S::Certification, A::IssueCertificate) => S::Archiving,
        (S::Archiving, A::BuildArchive) => S::Filing,
        (S::Filing, A::ConfirmFiling) => S::Completed,
        _ => return None,
    };
    Some(next)
}

/// Applies `action` to an application in `state` for a user holding `roles`, and returns the
/// new state.
///
/// Fails with `NotAllowed` when the action does not apply to the state (checked first), and
/// with `WrongRole` when the user has none of the roles in `roles_for(action)`.
pub fn transition(
    kind: ApplicationKind,
    state: ApplicationState,
    action: Action,
    roles: &[Role],
) -> Result<ApplicationState, TransitionError> {
    let next =
        next_state(kind, state, action).ok_or(TransitionError::NotAllowed { state, action })?;

    let required = roles_for(action);
    if !roles.iter().any(|role| required.contains(role)) {
        return Err(TransitionError::WrongRole {
            action,
            required: required.to_vec(),
        });
    }
    Ok(next)
}

/// Returns the actions a user holding `roles` may take on an application in `state`, in the
/// declaration order of `Action`.
pub fn allowed_actions(
    kind: ApplicationKind,
    state: ApplicationState,
    roles: &[Role],
) -> Vec<Action> {
    Action::all()
        .iter()
        .copied()
        .filter(|action| transition(kind, state, *action, roles).is_ok())
        .collect()
}

/// Returns the roles that have an application in `state` on their to-do list; none for a
/// terminal state.
pub fn responsible_roles(state: ApplicationState) -> &'static [Role] {
    match state {
        ApplicationState::Submitted
        | ApplicationState::SiteReview
        | ApplicationState::PublicNotice
        | ApplicationState::Archiving => &[Role::ServiceCenter],
        ApplicationState::CorrectionRequired => &[Role::Enterprise],
        ApplicationState::Agreement => &[Role::ServiceCenter, Role::Enterprise],
        ApplicationState::Certification | ApplicationState::Filing => &[Role::Lgo],
        ApplicationState::Completed
        | ApplicationState::Returned
        | ApplicationState::Rejected
        | ApplicationState::Withdrawn => &[],
    }
}

/// Returns the number of working days allowed for the step that `state` waits for, counted
/// from the day the application enters the state, or `None` for a state without a deadline.
///
/// The preliminary review takes at most 3 working days and the public notice lasts 3 working
/// days. The agreement is signed within 3 working days of the notice to sign. The archive is
/// built within 10 working days of the certificate.
pub fn deadline_working_days(state: ApplicationState) -> Option<u32> {
    match state {
        ApplicationState::Submitted
        | ApplicationState::PublicNotice
        | ApplicationState::Agreement => Some(3),
        ApplicationState::Archiving => Some(10),
        _ => None,
    }
}

/// Returns the deadline of the step that `state` waits for when the application entered the
/// state on `entered_on`: the end of the N-th working day after that day, with N from
/// `deadline_working_days`.
pub fn due_date(
    calendar: &Calendar,
    state: ApplicationState,
    entered_on: NaiveDate,
) -> Option<NaiveDate> {
    deadline_working_days(state).map(|days| calendar.add_working_days(entered_on, days))
}

/// Classifies a to-do item due on `due` as seen on `today`.
///
/// It is overdue after `due`, and due soon when `due` is today or no later than the next
/// working day after today (at most one working day away). Otherwise it is normal.
pub fn urgency(calendar: &Calendar, due: NaiveDate, today: NaiveDate) -> Urgency {
    if today > due {
        Urgency::Overdue
    } else if calendar.working_days_between(today, due) <= 1 {
        Urgency::DueSoon
    } else {
        Urgency::Normal
    }
}

#[cfg(test)]
mod tests;
