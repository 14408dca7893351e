//! 居民身份证号 (resident identity card number) as defined by GB 11643-1999.
//!
//! A number has 18 characters: the address code (positions 1 to 6), the birth date as
//! YYYYMMDD (7 to 14), a sequence code (15 to 17) and a check character (18).

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

/// Weights of positions 1 to 17 in the ISO 7064 MOD 11-2 check.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character for each value of the weighted sum mod 11.
const CHECK_CHARACTERS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

const LENGTH: usize = 18;

/// An 18-character resident identity card number with a valid check character and a real
/// birth date, with `X` in upper case.
///
/// `Debug` prints the masked form so that the number does not reach logs by accident.
/// `Display` and serialization give the full number. Error messages contain the number as
/// entered, so do not log them either.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct IdCardNumber(String);

/// Reason why a text is not a valid resident identity card number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdCardError {
    #[error("身份证号不能为空，应填写18位居民身份证号码")]
    Empty,
    #[error("身份证号“{value}”有{len}位，应为18位")]
    Length { value: String, len: usize },
    #[error(
        "身份证号“{value}”第{position}位的字符“{character}”无效，前17位应为数字，第18位应为数字或X"
    )]
    InvalidCharacter {
        value: String,
        /// Position of the character, starting at 1.
        position: usize,
        character: char,
    },
    #[error(
        "身份证号“{value}”第7至14位的出生日期“{birth}”不是有效日期，应为YYYYMMDD格式的真实日期"
    )]
    BirthDate { value: String, birth: String },
    #[error("身份证号“{value}”的出生日期{birth_date}晚于今天（{today}），应不晚于今天")]
    BirthDateInFuture {
        value: String,
        birth_date: NaiveDate,
        today: NaiveDate,
    },
    #[error("身份证号“{value}”的出生日期{birth_date}早于1900-01-01，应不早于1900年")]
    BirthDateTooEarly {
        value: String,
        birth_date: NaiveDate,
    },
    #[error("身份证号“{value}”的校验位应为“{expected}”，实际为“{actual}”")]
    CheckCharacter {
        value: String,
        expected: char,
        actual: char,
    },
}

impl IdCardNumber {
    /// Parses an identity card number, trimming surrounding whitespace and accepting a
    /// lower-case `x`.
    ///
    /// The first 17 characters must be digits. Positions 7 to 14 must be a real date from
    /// 1900-01-01 up to `today`. The last character must be the ISO 7064 MOD 11-2 check
    /// character: the weighted sum of the first 17 digits mod 11 selects one of `10X98765432`.
    pub fn parse(text: &str, today: NaiveDate) -> Result<IdCardNumber, IdCardError> {
        let value = text.trim().to_ascii_uppercase();
        if value.is_empty() {
            return Err(IdCardError::Empty);
        }

        let len = value.chars().count();
        if len != LENGTH {
            return Err(IdCardError::Length { value, len });
        }

        if let Some((index, character)) = value.chars().enumerate().find(|(index, character)| {
            let last = *index == LENGTH - 1;
            !(character.is_ascii_digit() || (last && *character == 'X'))
        }) {
            return Err(IdCardError::InvalidCharacter {
                value,
                position: index + 1,
                character,
            });
        }

        let birth = &value[6..14];
        let Some(birth_date) = parse_compact_date(birth) else {
            return Err(IdCardError::BirthDate {
                birth: birth.to_string(),
                value,
            });
        };
        if birth_date > today {
            return Err(IdCardError::BirthDateInFuture {
                value,
                birth_date,
                today,
            });
        }
        if birth_date < earliest_birth_date() {
            return Err(IdCardError::BirthDateTooEarly { value, birth_date });
        }

        let expected = check_character(&value[..17]).expect("the first 17 characters are digits");
        let actual = value[17..]
            .chars()
            .next()
            .expect("the number has 18 characters");
        if expected != actual {
            return Err(IdCardError::CheckCharacter {
                value,
                expected,
                actual,
            });
        }
        Ok(IdCardNumber(value))
    }

    /// Returns the full number.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Returns the number with the 8 birth-date digits replaced by asterisks:
    /// `140102********123X`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }

    /// Returns the address code of the place where the number was first issued (positions 1
    /// to 6), for example `141081` for Houma or `142602` for Houma before 2000.
    pub fn address_code(&self) -> &str {
        &self.0[..6]
    }

    /// Returns the birth date in positions 7 to 14.
    pub fn birth_date(&self) -> NaiveDate {
        parse_compact_date(&self.0[6..14]).expect("parse checked the birth date")
    }
}

impl fmt::Display for IdCardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for IdCardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdCardNumber").field(&self.masked()).finish()
    }
}

/// Computes the check character from the first 17 digits, or returns `None` when `first17`
/// is not exactly 17 ASCII digits.
pub fn check_character(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (character, weight) in first17.chars().zip(WEIGHTS) {
        sum += character.to_digit(10)? * weight;
    }
    Some(CHECK_CHARACTERS[(sum % 11) as usize])
}

/// Parses 8 ASCII digits as YYYYMMDD.
fn parse_compact_date(digits: &str) -> Option<NaiveDate> {
    let year = digits.get(0..4)?.parse().ok()?;
    let month = digits.get(4..6)?.parse().ok()?;
    let day = digits.get(6..8)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

fn earliest_birth_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).expect("1900-01-01 is a valid date")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 4).unwrap()
    }

    #[test]
    fn parse_accepts_valid_numbers() {
        for number in [
            "141081199003071236",
            "142602196501010027",
            "11010519491231002X",
            "140102198002291231",
            "141081190001010017",
            "141081202603040016",
        ] {
            let parsed = IdCardNumber::parse(number, today());
            assert!(parsed.is_ok(), "{number}: {parsed:?}");
            assert_eq!(parsed.unwrap().as_str(), number);
        }
    }

    #[test]
    fn lower_case_x_and_spaces_are_normalized() {
        let number = IdCardNumber::parse(" 11010519491231002x ", today()).unwrap();
        assert_eq!(number.as_str(), "11010519491231002X");
        assert_eq!(number.to_string(), "11010519491231002X");
    }

    #[test]
    fn accessors_read_the_parts() {
        let number = IdCardNumber::parse("141081199003071236", today()).unwrap();
        assert_eq!(number.address_code(), "141081");
        assert_eq!(
            number.birth_date(),
            NaiveDate::from_ymd_opt(1990, 3, 7).unwrap()
        );
    }

    #[test]
    fn masked_hides_birth_date() {
        let number = IdCardNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(number.masked(), "110105********002X");
        assert_eq!(
            format!("{number:?}"),
            "IdCardNumber(\"110105********002X\")"
        );
    }

    #[test]
    fn check_character_table() {
        assert_eq!(check_character("11010519491231002"), Some('X'));
        assert_eq!(check_character("14108119900307123"), Some('6'));
        assert_eq!(check_character("1410811990030712"), None);
        assert_eq!(check_character("1410811990030712A"), None);
    }

    #[test]
    fn parse_errors_table() {
        let birth = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        let cases = [
            (
                "",
                IdCardError::Empty,
                "身份证号不能为空，应填写18位居民身份证号码",
            ),
            (
                "14108119900307123",
                IdCardError::Length {
                    value: "14108119900307123".to_string(),
                    len: 17,
                },
                "身份证号“14108119900307123”有17位，应为18位",
            ),
            (
                "1410811990030712361",
                IdCardError::Length {
                    value: "1410811990030712361".to_string(),
                    len: 19,
                },
                "身份证号“1410811990030712361”有19位，应为18位",
            ),
            (
                "14108119900307X236",
                IdCardError::InvalidCharacter {
                    value: "14108119900307X236".to_string(),
                    position: 15,
                    character: 'X',
                },
                "身份证号“14108119900307X236”第15位的字符“X”无效，前17位应为数字，第18位应为数字或X",
            ),
            (
                "14108119900307123Y",
                IdCardError::InvalidCharacter {
                    value: "14108119900307123Y".to_string(),
                    position: 18,
                    character: 'Y',
                },
                "身份证号“14108119900307123Y”第18位的字符“Y”无效，前17位应为数字，第18位应为数字或X",
            ),
            (
                "141081199002301230",
                IdCardError::BirthDate {
                    value: "141081199002301230".to_string(),
                    birth: "19900230".to_string(),
                },
                "身份证号“141081199002301230”第7至14位的出生日期“19900230”不是有效日期，应为YYYYMMDD格式的真实日期",
            ),
            (
                "141081202603050011",
                IdCardError::BirthDateInFuture {
                    value: "141081202603050011".to_string(),
                    birth_date: birth("2026-03-05"),
                    today: today(),
                },
                "身份证号“141081202603050011”的出生日期2026-03-05晚于今天（2026-03-04），应不晚于今天",
            ),
            (
                "141081189912310012",
                IdCardError::BirthDateTooEarly {
                    value: "141081189912310012".to_string(),
                    birth_date: birth("1899-12-31"),
                },
                "身份证号“141081189912310012”的出生日期1899-12-31早于1900-01-01，应不早于1900年",
            ),
            (
                "141081199003071235",
                IdCardError::CheckCharacter {
                    value: "141081199003071235".to_string(),
                    expected: '6',
                    actual: '5',
                },
                "身份证号“141081199003071235”的校验位应为“6”，实际为“5”",
            ),
            (
                "110105194912310021",
                IdCardError::CheckCharacter {
                    value: "110105194912310021".to_string(),
                    expected: 'X',
                    actual: '1',
                },
                "身份证号“110105194912310021”的校验位应为“X”，实际为“1”",
            ),
        ];

        for (input, expected_error, expected_message) in cases {
            let error = IdCardNumber::parse(input, today()).unwrap_err();
            assert_eq!(error, expected_error, "{input:?}");
            assert_eq!(error.to_string(), expected_message, "{input:?}");
        }
    }

    #[test]
    fn non_leap_february_29_is_invalid() {
        let error = IdCardNumber::parse("141081198102291230", today()).unwrap_err();
        assert!(matches!(error, IdCardError::BirthDate { .. }), "{error:?}");
    }

    #[test]
    fn full_width_digit_is_rejected() {
        let error = IdCardNumber::parse("１41081199003071236", today()).unwrap_err();
        assert!(
            matches!(
                error,
                IdCardError::InvalidCharacter {
                    position: 1,
                    character: '１',
                    ..
                }
            ),
            "{error:?}"
        );
    }
}
