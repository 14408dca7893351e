//! Amounts of money in renminbi, stored as a whole number of fen (分, 0.01 yuan).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Largest amount that `Money::parse_yuan` accepts: 10^12 fen, which is 10 billion yuan.
pub const MAX_FEN: i64 = 1_000_000_000_000;

/// An amount in fen. It serializes as an integer number of fen.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

/// Reason why a text is not a valid amount in yuan.
///
/// `Display` calls the field 金额. Use `message_for` to name the actual field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("{}", self.message_for("金额"))]
    Empty,
    #[error("{}", self.message_for("金额"))]
    Invalid { value: String },
    #[error("{}", self.message_for("金额"))]
    Negative { value: String },
    #[error("{}", self.message_for("金额"))]
    TooManyDecimals { value: String },
    #[error("{}", self.message_for("金额"))]
    TooLarge { value: String },
}

impl MoneyError {
    /// Returns the Chinese message with `field` (for example 成本价) as the name of the amount.
    pub fn message_for(&self, field: &str) -> String {
        match self {
            MoneyError::Empty => {
                format!("{field}不能为空，应填写以元为单位的金额，如12.50")
            }
            MoneyError::Invalid { value } => {
                format!("{field}“{value}”不是有效金额，应为以元为单位的数字，如12.50或1,234.50")
            }
            MoneyError::Negative { value } => {
                format!("{field}“{value}”不能为负数，应为0或正数")
            }
            MoneyError::TooManyDecimals { value } => {
                format!("{field}“{value}”的小数超过两位，应精确到分，最多两位小数")
            }
            MoneyError::TooLarge { value } => {
                format!("{field}“{value}”超过上限，应不大于10,000,000,000.00元")
            }
        }
    }
}

impl Money {
    /// Zero yuan.
    pub const ZERO: Money = Money(0);

    /// Creates an amount from a number of fen.
    pub const fn from_fen(fen: i64) -> Money {
        Money(fen)
    }

    /// Returns the amount in fen.
    pub const fn fen(&self) -> i64 {
        self.0
    }

    /// Parses an amount written in yuan, such as `12`, `12.5`, `12.50` or `1,234.50`.
    ///
    /// Surrounding whitespace is ignored. Commas must separate groups of three digits in the
    /// integer part. The amount must not be negative, have more than two decimals or exceed
    /// `MAX_FEN` fen.
    pub fn parse_yuan(text: &str) -> Result<Money, MoneyError> {
        let value = text.trim();
        if value.is_empty() {
            return Err(MoneyError::Empty);
        }

        let error = |kind: ErrorKind| {
            let value = value.to_string();
            match kind {
                ErrorKind::Invalid => MoneyError::Invalid { value },
                ErrorKind::TooManyDecimals => MoneyError::TooManyDecimals { value },
                ErrorKind::TooLarge => MoneyError::TooLarge { value },
            }
        };

        if let Some(rest) = value.strip_prefix('-') {
            return match parse_unsigned_fen(rest) {
                Err(ErrorKind::Invalid) => Err(error(ErrorKind::Invalid)),
                _ => Err(MoneyError::Negative {
                    value: value.to_string(),
                }),
            };
        }
        parse_unsigned_fen(value).map(Money).map_err(error)
    }

    /// Adds two amounts, returning `None` on overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }
}

/// Formats the amount in yuan with two decimals and no grouping: `1234.50`, `-0.05`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let fen = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", fen / 100, fen % 100)
    }
}

enum ErrorKind {
    Invalid,
    TooManyDecimals,
    TooLarge,
}

/// Parses an unsigned amount in yuan into fen.
fn parse_unsigned_fen(text: &str) -> Result<i64, ErrorKind> {
    let (integer_part, fraction_part) = match text.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (text, None),
    };

    let integer_digits = integer_digits(integer_part).ok_or(ErrorKind::Invalid)?;

    let fraction_fen = match fraction_part {
        None => 0,
        Some(fraction) => {
            if fraction.is_empty() || !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
                return Err(ErrorKind::Invalid);
            }
            if fraction.len() > 2 {
                return Err(ErrorKind::TooManyDecimals);
            }
            let padded = format!("{fraction:0<2}");
            padded.parse::<i64>().map_err(|_| ErrorKind::Invalid)?
        }
    };

    // MAX_FEN is 10^10 yuan, an 11-digit number, so more significant digits are too large.
    // Checking the length first keeps the parse below from overflowing.
    let significant = integer_digits.trim_start_matches('0');
    if significant.len() > 11 {
        return Err(ErrorKind::TooLarge);
    }
    let yuan: i64 = if significant.is_empty() {
        0
    } else {
        significant.parse().map_err(|_| ErrorKind::Invalid)?
    };

    let fen = yuan * 100 + fraction_fen;
    if fen > MAX_FEN {
        return Err(ErrorKind::TooLarge);
    }
    Ok(fen)
}

/// Returns the digits of an integer part written plainly (`1234`) or with commas between
/// groups of three (`1,234`), or `None` when it is neither.
fn integer_digits(text: &str) -> Option<String> {
    let groups: Vec<&str> = text.split(',').collect();
    let all_digits = |group: &str| !group.is_empty() && group.bytes().all(|b| b.is_ascii_digit());

    if !groups.iter().all(|group| all_digits(group)) {
        return None;
    }
    if groups.len() > 1 {
        let first_ok = groups[0].len() <= 3;
        let rest_ok = groups[1..].iter().all(|group| group.len() == 3);
        if !(first_ok && rest_ok) {
            return None;
        }
    }
    Some(groups.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_yuan_accepts_valid_amounts() {
        for (input, fen) in [
            ("12", 1200),
            ("12.5", 1250),
            ("12.50", 1250),
            ("12.05", 1205),
            ("0", 0),
            ("0.01", 1),
            ("0.5", 50),
            (" 7 ", 700),
            ("007.10", 710),
            ("1,234.50", 123_450),
            ("1,234,567", 123_456_700),
            ("10000000000", MAX_FEN),
            ("10,000,000,000.00", MAX_FEN),
            ("9999999999.99", MAX_FEN - 1),
        ] {
            assert_eq!(
                Money::parse_yuan(input),
                Ok(Money::from_fen(fen)),
                "{input:?}"
            );
        }
    }

    #[test]
    fn parse_yuan_errors_table() {
        let invalid = |value: &str| MoneyError::Invalid {
            value: value.to_string(),
        };
        let cases = [
            ("", MoneyError::Empty),
            ("   ", MoneyError::Empty),
            ("abc", invalid("abc")),
            ("12元", invalid("12元")),
            ("¥12", invalid("¥12")),
            ("+12", invalid("+12")),
            ("12.", invalid("12.")),
            (".5", invalid(".5")),
            ("1.2.3", invalid("1.2.3")),
            ("12.5a", invalid("12.5a")),
            ("1,23", invalid("1,23")),
            ("1234,567", invalid("1234,567")),
            (",123", invalid(",123")),
            ("1,,234", invalid("1,,234")),
            ("1 234", invalid("1 234")),
            ("１２", invalid("１２")),
            ("-abc", invalid("-abc")),
            (
                "-5",
                MoneyError::Negative {
                    value: "-5".to_string(),
                },
            ),
            (
                "-0.01",
                MoneyError::Negative {
                    value: "-0.01".to_string(),
                },
            ),
            (
                "12.345",
                MoneyError::TooManyDecimals {
                    value: "12.345".to_string(),
                },
            ),
            (
                "12.500",
                MoneyError::TooManyDecimals {
                    value: "12.500".to_string(),
                },
            ),
            (
                "10000000000.01",
                MoneyError::TooLarge {
                    value: "10000000000.01".to_string(),
                },
            ),
            (
                "99999999999999999999999",
                MoneyError::TooLarge {
                    value: "99999999999999999999999".to_string(),
                },
            ),
        ];

        for (input, expected) in cases {
            assert_eq!(Money::parse_yuan(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn error_messages_name_field_and_value() {
        let cases = [
            (
                Money::parse_yuan("").unwrap_err(),
                "成本价不能为空，应填写以元为单位的金额，如12.50",
            ),
            (
                Money::parse_yuan("abc").unwrap_err(),
                "成本价“abc”不是有效金额，应为以元为单位的数字，如12.50或1,234.50",
            ),
            (
                Money::parse_yuan("-5").unwrap_err(),
                "成本价“-5”不能为负数，应为0或正数",
            ),
            (
                Money::parse_yuan("1.234").unwrap_err(),
                "成本价“1.234”的小数超过两位，应精确到分，最多两位小数",
            ),
            (
                Money::parse_yuan("20000000000").unwrap_err(),
                "成本价“20000000000”超过上限，应不大于10,000,000,000.00元",
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(error.message_for("成本价"), expected);
        }
        assert_eq!(
            Money::parse_yuan("-5").unwrap_err().to_string(),
            "金额“-5”不能为负数，应为0或正数"
        );
    }

    #[test]
    fn display_uses_two_decimals() {
        assert_eq!(Money::from_fen(1250).to_string(), "12.50");
        assert_eq!(Money::from_fen(5).to_string(), "0.05");
        assert_eq!(Money::from_fen(0).to_string(), "0.00");
        assert_eq!(Money::from_fen(123_456).to_string(), "1234.56");
        assert_eq!(Money::from_fen(-5).to_string(), "-0.05");
        assert_eq!(
            Money::from_fen(i64::MIN).to_string(),
            "-92233720368547758.08"
        );
    }

    #[test]
    fn display_round_trips_through_parse() {
        for fen in [0, 1, 99, 100, 1250, 123_456_789, MAX_FEN] {
            let money = Money::from_fen(fen);
            assert_eq!(Money::parse_yuan(&money.to_string()), Ok(money));
        }
    }

    #[test]
    fn fen_and_checked_add() {
        assert_eq!(Money::from_fen(42).fen(), 42);
        assert_eq!(Money::ZERO.fen(), 0);
        assert_eq!(
            Money::from_fen(150).checked_add(Money::from_fen(50)),
            Some(Money::from_fen(200))
        );
        assert_eq!(
            Money::from_fen(i64::MAX).checked_add(Money::from_fen(1)),
            None
        );
    }
}
