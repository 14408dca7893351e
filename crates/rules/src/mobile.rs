//! Mainland China mobile phone numbers (手机号).

use std::fmt;

use serde::Serialize;

/// An 11-digit mainland mobile number: a `1`, a second digit from 3 to 9 and nine more digits.
///
/// `Debug` prints the masked form so that the number does not reach logs by accident.
/// `Display` and serialization give the full number.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Mobile(String);

/// Reason why a text is not a valid mainland mobile number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MobileError {
    #[error("手机号不能为空，应填写11位手机号码")]
    Empty,
    #[error("手机号“{value}”含有无效字符“{character}”，应只包含数字，可带空格、短横线或+86前缀")]
    InvalidCharacter { value: String, character: char },
    #[error("手机号“{value}”去掉空格、短横线和国家代码后有{digits}位数字，应为11位")]
    Length { value: String, digits: usize },
    #[error("手机号“{value}”不是有效的大陆手机号码，应以1开头且第二位为3至9")]
    Prefix { value: String },
}

impl Mobile {
    /// Parses a mobile number, removing spaces, hyphens and a leading `+86` or `86` country
    /// code.
    ///
    /// `86` without a plus sign is removed only when 13 digits remain after removing spaces
    /// and hyphens, because an 11-digit number never starts with 86.
    pub fn parse(text: &str) -> Result<Mobile, MobileError> {
        let value = text.trim();
        if value.is_empty() {
            return Err(MobileError::Empty);
        }

        let compact: String = value
            .chars()
            .filter(|character| !matches!(character, ' ' | '-'))
            .collect();
        let digits = if let Some(rest) = compact.strip_prefix("+86") {
            rest
        } else if compact.len() == 13
            && let Some(rest) = compact.strip_prefix("86")
        {
            rest
        } else {
            &compact
        };

        if let Some(character) = digits.chars().find(|character| !character.is_ascii_digit()) {
            return Err(MobileError::InvalidCharacter {
                value: value.to_string(),
                character,
            });
        }
        if digits.len() != 11 {
            return Err(MobileError::Length {
                value: value.to_string(),
                digits: digits.len(),
            });
        }
        let bytes = digits.as_bytes();
        if bytes[0] != b'1' || !(b'3'..=b'9').contains(&bytes[1]) {
            return Err(MobileError::Prefix {
                value: value.to_string(),
            });
        }
        Ok(Mobile(digits.to_string()))
    }

    /// Returns the 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Returns the number with digits 4 to 7 replaced by asterisks, as shown in lists:
    /// `138****5678`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Display for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Mobile").field(&self.masked()).finish()
    }
}

impl std::str::FromStr for Mobile {
    type Err = MobileError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_common_forms() {
        for (input, expected) in [
            ("13812345678", "13812345678"),
            (" 13812345678 ", "13812345678"),
            ("138 1234 5678", "13812345678"),
            ("138-1234-5678", "13812345678"),
            ("+8613812345678", "13812345678"),
            ("+86 138 1234 5678", "13812345678"),
            ("8613812345678", "13812345678"),
            ("86-138-1234-5678", "13812345678"),
            ("19912345678", "19912345678"),
        ] {
            let parsed = Mobile::parse(input);
            assert_eq!(
                parsed.as_ref().map(Mobile::as_str),
                Ok(expected),
                "{input:?}"
            );
        }
    }

    #[test]
    fn masked_hides_middle_digits() {
        let mobile = Mobile::parse("13812345678").unwrap();
        assert_eq!(mobile.masked(), "138****5678");
        assert_eq!(format!("{mobile:?}"), "Mobile(\"138****5678\")");
        assert_eq!(mobile.to_string(), "13812345678");
    }

    #[test]
    fn parse_errors_table() {
        let cases: [(&str, MobileError, &str); 9] = [
            ("", MobileError::Empty, "手机号不能为空，应填写11位手机号码"),
            (
                "  ",
                MobileError::Empty,
                "手机号不能为空，应填写11位手机号码",
            ),
            (
                "1381234567",
                MobileError::Length {
                    value: "1381234567".to_string(),
                    digits: 10,
                },
                "手机号“1381234567”去掉空格、短横线和国家代码后有10位数字，应为11位",
            ),
            (
                "138123456789",
                MobileError::Length {
                    value: "138123456789".to_string(),
                    digits: 12,
                },
                "手机号“138123456789”去掉空格、短横线和国家代码后有12位数字，应为11位",
            ),
            (
                "+85213812345678",
                MobileError::InvalidCharacter {
                    value: "+85213812345678".to_string(),
                    character: '+',
                },
                "手机号“+85213812345678”含有无效字符“+”，应只包含数字，可带空格、短横线或+86前缀",
            ),
            (
                "1381234567a",
                MobileError::InvalidCharacter {
                    value: "1381234567a".to_string(),
                    character: 'a',
                },
                "手机号“1381234567a”含有无效字符“a”，应只包含数字，可带空格、短横线或+86前缀",
            ),
            (
                "(138)12345678",
                MobileError::InvalidCharacter {
                    value: "(138)12345678".to_string(),
                    character: '(',
                },
                "手机号“(138)12345678”含有无效字符“(”，应只包含数字，可带空格、短横线或+86前缀",
            ),
            (
                "12812345678",
                MobileError::Prefix {
                    value: "12812345678".to_string(),
                },
                "手机号“12812345678”不是有效的大陆手机号码，应以1开头且第二位为3至9",
            ),
            (
                "03512345678",
                MobileError::Prefix {
                    value: "03512345678".to_string(),
                },
                "手机号“03512345678”不是有效的大陆手机号码，应以1开头且第二位为3至9",
            ),
        ];

        for (input, expected_error, expected_message) in cases {
            let error = Mobile::parse(input).unwrap_err();
            assert_eq!(error, expected_error, "{input:?}");
            assert_eq!(error.to_string(), expected_message, "{input:?}");
        }
    }

    #[test]
    fn full_width_digits_are_rejected() {
        assert!(matches!(
            Mobile::parse("１３８１２３４５６７８"),
            Err(MobileError::InvalidCharacter {
                character: '１',
                ..
            })
        ));
    }
}
