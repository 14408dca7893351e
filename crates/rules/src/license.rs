//! Term, renewal, status, exit and reapplication rules of a public-brand license.
//!
//! Periods in months and years use calendar arithmetic. When the target month has no day
//! with the same number (31 January plus one month), the period ends on the last day of the
//! target month.

use chrono::{Datelike, Days, Months, NaiveDate};

/// Length of the renewal window in days, counting the last day of the term.
const RENEWAL_WINDOW_DAYS: u64 = 30;

/// Days a licensee has after the written exit notice to destroy its marked materials (half a
/// month).
const DESTROY_MATERIALS_DAYS: u64 = 15;

/// Months a licensee has after the written exit notice to withdraw marked goods from sale.
const WITHDRAW_GOODS_MONTHS: i32 = 2;

/// Months during which a subject whose license was suspended may not apply again.
const REAPPLICATION_BAN_MONTHS: i32 = 24;

code_enum! {
    /// State of a license on a given day.
    pub enum LicenseStatus in "授权状态" {
        /// Within its term and neither revoked nor suspended.
        Valid => ("valid", "有效"),
        /// The term ended without a renewal.
        Expired => ("expired", "已过期"),
        /// Revoked by the leading group office (取消资格).
        Revoked => ("revoked", "已撤销"),
        /// Stopped after a quality-safety incident or failed sample tests (停止使用授权).
        Suspended => ("suspended", "已停止使用"),
    }
}

/// Reason why a renewal application is not accepted on a given day.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenewalError {
    #[error("续用申请须在授权期满前30日内提出，可申请期间为{window_start}至{window_end}")]
    TooEarly {
        window_start: NaiveDate,
        window_end: NaiveDate,
    },
    #[error("授权已于{term_end}期满，不能再申请续用，应重新提出授权申请")]
    TooLate { term_end: NaiveDate },
}

/// Deadlines of a licensee that exits, counted from the day it receives the written notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ExitDeadlines {
    /// Last day to destroy remaining materials bearing the mark: half a month (15 days) after
    /// the notice.
    pub destroy_materials_by: NaiveDate,
    /// Last day to withdraw goods bearing the mark from the market: 2 months after the notice.
    pub withdraw_goods_by: NaiveDate,
}

/// Adds `months` calendar months to `date` (subtracts for a negative number).
///
/// A day that does not exist in the target month becomes the last day of that month:
/// 2024-01-31 plus one month is 2024-02-29.
///
/// # Panics
///
/// Panics if the result lies outside the dates chrono supports.
pub fn add_months(date: NaiveDate, months: i32) -> NaiveDate {
    let shift = Months::new(months.unsigned_abs());
    let result = if months >= 0 {
        date.checked_add_months(shift)
    } else {
        date.checked_sub_months(shift)
    };
    result.expect("month arithmetic left the dates chrono supports")
}

/// Returns the last day of a license whose certificate is dated `certificate_date`.
///
/// A license lasts one year and the certificate date is its first day, so the term ends the
/// day before the same date of the next year: 2026-03-15 gives 2027-03-14. A certificate
/// dated 29 February has no such date in the next year, so its term ends on the last day of
/// February: 2024-02-29 gives 2025-02-28.
pub fn term_end(certificate_date: NaiveDate) -> NaiveDate {
    let anniversary = add_months(certificate_date, 12);
    if anniversary.day() != certificate_date.day() {
        // Only 29 February is clamped, to 28 February, which is then the last day of the term.
        return anniversary;
    }
    anniversary
        .pred_opt()
        .expect("the day before an anniversary exists")
}

/// Returns the first and last day, both inclusive, on which a renewal may be requested: the
/// 30 days that end with the last day of the term.
///
/// For a term ending 2027-03-14 the window is 2027-02-13 to 2027-03-14.
pub fn renewal_window(term_end: NaiveDate) -> (NaiveDate, NaiveDate) {
    let start = term_end - Days::new(RENEWAL_WINDOW_DAYS - 1);
    (start, term_end)
}

/// Checks that `today` lies in the renewal window of a term ending on `term_end`.
///
/// A license whose holder did not apply in time ends with its term, so after `term_end` the
/// subject has to apply for a new license.
pub fn check_renewal(term_end: NaiveDate, today: NaiveDate) -> Result<(), RenewalError> {
    let (window_start, window_end) = renewal_window(term_end);
    if today < window_start {
        return Err(RenewalError::TooEarly {
            window_start,
            window_end,
        });
    }
    if today > window_end {
        return Err(RenewalError::TooLate { term_end });
    }
    Ok(())
}

/// Returns the status of a license on `today`.
///
/// Revocation takes precedence over suspension, and both over the term: a revoked license
/// stays revoked after its term ends.
pub fn status(
    term_end: NaiveDate,
    revoked: bool,
    suspended: bool,
    today: NaiveDate,
) -> LicenseStatus {
    if revoked {
        LicenseStatus::Revoked
    } else if suspended {
        LicenseStatus::Suspended
    } else if today > term_end {
        LicenseStatus::Expired
    } else {
        LicenseStatus::Valid
    }
}

/// Returns the deadlines of an exit: destroy marked materials within half a month (15 days)
/// and withdraw marked goods within 2 months of the written notice received on `notified_on`.
pub fn exit_deadlines(notified_on: NaiveDate) -> ExitDeadlines {
    ExitDeadlines {
        destroy_materials_by: notified_on + Days::new(DESTROY_MATERIALS_DAYS),
        withdraw_goods_by: add_months(notified_on, WITHDRAW_GOODS_MONTHS),
    }
}

/// Returns the first day on which a subject whose license was suspended on `suspended_on`
/// may apply again: 2 calendar years later.
pub fn reapplication_ban_end(suspended_on: NaiveDate) -> NaiveDate {
    add_months(suspended_on, REAPPLICATION_BAN_MONTHS)
}

/// Checks that a subject may apply on `today`, given the end of its reapplication ban (the
/// first day it may apply again) or `None` when no ban applies.
///
/// The error is the Chinese message shown to the applicant.
pub fn check_reapplication(ban_end: Option<NaiveDate>, today: NaiveDate) -> Result<(), String> {
    match ban_end {
        Some(ban_end) if today < ban_end => {
            Err(format!("该主体因停止使用授权，在{ban_end}之前不得再次申请"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn code_list_is_consistent() {
        assert_code_enum_consistent!(LicenseStatus);
        assert_eq!(LicenseStatus::Suspended.label(), "已停止使用");
    }

    #[test]
    fn add_months_clamps_to_month_end() {
        let cases = [
            ("2024-01-31", 1, "2024-02-29"),
            ("2023-01-31", 1, "2023-02-28"),
            ("2024-03-31", -1, "2024-02-29"),
            ("2024-05-31", 1, "2024-06-30"),
            ("2024-08-31", 2, "2024-10-31"),
            ("2024-12-15", 2, "2025-02-15"),
            ("2024-02-29", 12, "2025-02-28"),
            ("2024-02-29", 48, "2028-02-29"),
            ("2025-06-10", 24, "2027-06-10"),
            ("2025-06-10", 0, "2025-06-10"),
            ("2025-01-15", -13, "2023-12-15"),
        ];
        for (start, months, expected) in cases {
            assert_eq!(
                add_months(date(start), months),
                date(expected),
                "{start} + {months} months"
            );
        }
    }

    #[test]
    fn term_end_is_day_before_anniversary() {
        let cases = [
            ("2026-03-15", "2027-03-14"),
            ("2024-02-29", "2025-02-28"),
            ("2023-03-01", "2024-02-29"),
            ("2024-03-01", "2025-02-28"),
            ("2023-02-28", "2024-02-27"),
            ("2025-01-01", "2025-12-31"),
            ("2024-12-31", "2025-12-30"),
        ];
        for (certificate_date, expected) in cases {
            assert_eq!(
                term_end(date(certificate_date)),
                date(expected),
                "{certificate_date}"
            );
        }
    }

    #[test]
    fn renewal_window_spans_thirty_days() {
        let (start, end) = renewal_window(date("2027-03-14"));
        assert_eq!(start, date("2027-02-13"));
        assert_eq!(end, date("2027-03-14"));
        assert_eq!((end - start).num_days() + 1, 30);
    }

    #[test]
    fn check_renewal_inside_window() {
        let term_end = date("2027-03-14");
        assert_eq!(check_renewal(term_end, date("2027-02-13")), Ok(()));
        assert_eq!(check_renewal(term_end, date("2027-03-01")), Ok(()));
        assert_eq!(check_renewal(term_end, date("2027-03-14")), Ok(()));
    }

    #[test]
    fn check_renewal_too_early() {
        let error = check_renewal(date("2027-03-14"), date("2027-02-12")).unwrap_err();
        assert_eq!(
            error,
            RenewalError::TooEarly {
                window_start: date("2027-02-13"),
                window_end: date("2027-03-14"),
            }
        );
        assert_eq!(
            error.to_string(),
            "续用申请须在授权期满前30日内提出，可申请期间为2027-02-13至2027-03-14"
        );
    }

    #[test]
    fn check_renewal_too_late() {
        let error = check_renewal(date("2027-03-14"), date("2027-03-15")).unwrap_err();
        assert_eq!(
            error,
            RenewalError::TooLate {
                term_end: date("2027-03-14"),
            }
        );
        assert_eq!(
            error.to_string(),
            "授权已于2027-03-14期满，不能再申请续用，应重新提出授权申请"
        );
    }

    #[test]
    fn status_precedence() {
        let term_end = date("2027-03-14");
        let during = date("2027-03-14");
        let after = date("2027-03-15");
        assert_eq!(status(term_end, false, false, during), LicenseStatus::Valid);
        assert_eq!(
            status(term_end, false, false, after),
            LicenseStatus::Expired
        );
        assert_eq!(
            status(term_end, false, true, during),
            LicenseStatus::Suspended
        );
        assert_eq!(
            status(term_end, false, true, after),
            LicenseStatus::Suspended
        );
        assert_eq!(
            status(term_end, true, false, during),
            LicenseStatus::Revoked
        );
        assert_eq!(status(term_end, true, true, after), LicenseStatus::Revoked);
    }

    #[test]
    fn exit_deadlines_from_notice() {
        let deadlines = exit_deadlines(date("2026-12-31"));
        assert_eq!(deadlines.destroy_materials_by, date("2027-01-15"));
        assert_eq!(deadlines.withdraw_goods_by, date("2027-02-28"));
    }

    #[test]
    fn reapplication_ban_lasts_two_years() {
        assert_eq!(
            reapplication_ban_end(date("2025-06-10")),
            date("2027-06-10")
        );
        assert_eq!(
            reapplication_ban_end(date("2024-02-29")),
            date("2026-02-28")
        );
    }

    #[test]
    fn check_reapplication_before_and_after_ban() {
        let ban_end = Some(date("2027-06-10"));
        assert_eq!(
            check_reapplication(ban_end, date("2027-06-09")),
            Err("该主体因停止使用授权，在2027-06-10之前不得再次申请".to_string())
        );
        assert_eq!(check_reapplication(ban_end, date("2027-06-10")), Ok(()));
        assert_eq!(check_reapplication(None, date("2027-06-09")), Ok(()));
    }
}
