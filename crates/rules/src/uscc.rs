//! 统一社会信用代码 (unified social credit code) as defined by GB 32100-2015.
//!
//! A code has 18 characters: the registration authority (position 1), the organization type
//! (2), the administrative division code of the registration authority (3 to 8, digits), the
//! organization identifier (9 to 17) and a check character (18).

use std::fmt;

use serde::Serialize;

/// The 31 characters a code may contain, in the order of their values 0 to 30. The letters
/// I, O, S, V and Z are not used.
const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weight of positions 1 to 17: 3^(i-1) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

const LENGTH: usize = 18;

/// A unified social credit code with a valid structure, upper-case and without surrounding
/// whitespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Uscc(String);

/// Reason why a text is not a valid unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("统一社会信用代码不能为空，应填写18位代码")]
    Empty,
    #[error("统一社会信用代码“{value}”有{len}位，应为18位")]
    Length { value: String, len: usize },
    #[error(
        "统一社会信用代码“{value}”第{position}位的字符“{character}”无效，应为数字或除I、O、S、V、Z以外的大写字母"
    )]
    InvalidCharacter {
        value: String,
        /// Position of the character, starting at 1.
        position: usize,
        character: char,
    },
    #[error(
        "统一社会信用代码“{value}”第{position}位的字符“{character}”无效，第3至8位是登记管理机关的行政区划码，应为数字"
    )]
    DivisionCode {
        value: String,
        /// Position of the character, starting at 1.
        position: usize,
        character: char,
    },
    #[error("统一社会信用代码“{value}”的校验位应为“{expected}”，实际为“{actual}”")]
    CheckCharacter {
        value: String,
        expected: char,
        actual: char,
    },
}

impl Uscc {
    /// Parses a code, trimming surrounding whitespace and upper-casing letters.
    ///
    /// The code must have 18 characters from `0-9 A-H J-N P-R T U W-Y`, digits in positions
    /// 3 to 8 and the check character that GB 32100 computes from the first 17.
    pub fn parse(text: &str) -> Result<Uscc, UsccError> {
        let code = Self::parse_legacy(text)?;
        let value = code.as_str();

        if let Some((index, character)) = value
            .chars()
            .enumerate()
            .skip(2)
            .take(6)
            .find(|(_, character)| !character.is_ascii_digit())
        {
            return Err(UsccError::DivisionCode {
                value: value.to_string(),
                position: index + 1,
                character,
            });
        }

        let expected = check_character(&value[..17]).expect("the first 17 characters are valid");
        let actual = value[17..]
            .chars()
            .next()
            .expect("the code has 18 characters");
        if expected != actual {
            return Err(UsccError::CheckCharacter {
                value: value.to_string(),
                expected,
                actual,
            });
        }
        Ok(code)
    }

    /// Parses a code checking only its length and characters, not the division code or the
    /// check character.
    ///
    /// Some codes issued during the early pilots fail the check. Use this only when an
    /// administrator accepts such a code and records why.
    pub fn parse_legacy(text: &str) -> Result<Uscc, UsccError> {
        let value = text.trim().to_ascii_uppercase();
        if value.is_empty() {
            return Err(UsccError::Empty);
        }

        let len = value.chars().count();
        if len != LENGTH {
            return Err(UsccError::Length { value, len });
        }

        if let Some((index, character)) = value
            .chars()
            .enumerate()
            .find(|(_, character)| character_value(*character).is_none())
        {
            return Err(UsccError::InvalidCharacter {
                value,
                position: index + 1,
                character,
            });
        }
        Ok(Uscc(value))
    }

    /// Returns the code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Returns the registration authority code (position 1), for example `9` for market
    /// regulation or `5` for civil affairs.
    pub fn registration_authority(&self) -> char {
        self.0.chars().next().expect("the code has 18 characters")
    }

    /// Returns the administrative division code of the registration authority (positions 3
    /// to 8), for example `141081` for Houma. A code from `parse_legacy` may contain letters
    /// here.
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Uscc {
    type Err = UsccError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// Computes the check character of a code from its first 17 characters, or returns `None`
/// when `first17` does not have exactly 17 characters from the code character set
/// (upper-case only).
///
/// Each character's value (0 to 30) is multiplied by the weight 3^(i-1) mod 31 of its
/// position i. The check value is 31 minus the sum mod 31, where 31 stands for `0`.
pub fn check_character(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0;
    for (character, weight) in first17.chars().zip(WEIGHTS) {
        sum += character_value(character)? * weight;
    }
    let check = (31 - sum % 31) % 31;
    CHARSET.chars().nth(check as usize)
}

fn character_value(character: char) -> Option<u32> {
    CHARSET
        .chars()
        .position(|candidate| candidate == character)
        .map(|index| index as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_powers_of_three() {
        let mut weight = 1;
        for expected in WEIGHTS {
            assert_eq!(weight, expected);
            weight = weight * 3 % 31;
        }
        assert_eq!(CHARSET.chars().count(), 31);
    }

    #[test]
    fn parse_accepts_valid_codes() {
        for code in [
            "91350100M000100Y43",
            "91110000600001760P",
            "91140000MA0K4XXXXU",
            "91141081MA0GABCDEP",
            "52141081MJY1234566",
            // The weighted sum is a multiple of 31 here, so the check character is 0.
            "92141081MA0L123450",
        ] {
            let parsed = Uscc::parse(code);
            assert!(parsed.is_ok(), "{code}: {parsed:?}");
            assert_eq!(parsed.unwrap().as_str(), code);
        }
    }

    #[test]
    fn check_character_of_known_code() {
        assert_eq!(check_character("91350100M000100Y4"), Some('3'));
        assert_eq!(check_character("92141081MA0L12345"), Some('0'));
    }

    #[test]
    fn check_character_rejects_bad_input() {
        assert_eq!(check_character(""), None);
        assert_eq!(check_character("91350100M000100Y"), None);
        assert_eq!(check_character("91350100M000100Y43"), None);
        assert_eq!(check_character("91350100M000100I4"), None);
        assert_eq!(check_character("91350100m000100Y4"), None);
    }

    #[test]
    fn parse_normalizes_case_and_whitespace() {
        let code = Uscc::parse("  91350100m000100y43\n").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
        assert_eq!(code.to_string(), "91350100M000100Y43");
        assert_eq!(code.registration_authority(), '9');
        assert_eq!(code.division_code(), "350100");
    }

    #[test]
    fn wrong_check_character_names_expected() {
        let error = Uscc::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(
            error,
            UsccError::CheckCharacter {
                value: "91350100M000100Y44".to_string(),
                expected: '3',
                actual: '4',
            }
        );
        assert_eq!(
            error.to_string(),
            "统一社会信用代码“91350100M000100Y44”的校验位应为“3”，实际为“4”"
        );
    }

    #[test]
    fn forbidden_letters_are_rejected() {
        for letter in ['I', 'O', 'S', 'V', 'Z'] {
            let code = format!("91350100M000100{letter}43");
            let error = Uscc::parse(&code).unwrap_err();
            assert_eq!(
                error,
                UsccError::InvalidCharacter {
                    value: code.clone(),
                    position: 16,
                    character: letter,
                },
                "{letter}"
            );
        }
        assert_eq!(
            Uscc::parse("91350100M000100O43").unwrap_err().to_string(),
            "统一社会信用代码“91350100M000100O43”第16位的字符“O”无效，应为数字或除I、O、S、V、Z以外的大写字母"
        );
    }

    #[test]
    fn punctuation_and_non_ascii_are_rejected() {
        let error = Uscc::parse("91350100M000100-43").unwrap_err();
        assert!(matches!(
            error,
            UsccError::InvalidCharacter {
                position: 16,
                character: '-',
                ..
            }
        ));
        let error = Uscc::parse("91350100M000100Ｙ43").unwrap_err();
        assert!(matches!(
            error,
            UsccError::InvalidCharacter {
                position: 16,
                character: 'Ｙ',
                ..
            }
        ));
    }

    #[test]
    fn length_errors() {
        assert_eq!(Uscc::parse("").unwrap_err(), UsccError::Empty);
        assert_eq!(Uscc::parse("   ").unwrap_err(), UsccError::Empty);
        assert_eq!(
            Uscc::parse("").unwrap_err().to_string(),
            "统一社会信用代码不能为空，应填写18位代码"
        );

        let error = Uscc::parse("91350100M000100Y4").unwrap_err();
        assert_eq!(
            error,
            UsccError::Length {
                value: "91350100M000100Y4".to_string(),
                len: 17,
            }
        );
        assert_eq!(
            error.to_string(),
            "统一社会信用代码“91350100M000100Y4”有17位，应为18位"
        );

        let error = Uscc::parse("91350100M000100Y433").unwrap_err();
        assert!(matches!(error, UsccError::Length { len: 19, .. }));
    }

    #[test]
    fn division_code_must_be_digits() {
        let first17 = "9114A081MA0GABCDE";
        let check = check_character(first17).unwrap();
        let code = format!("{first17}{check}");

        let error = Uscc::parse(&code).unwrap_err();
        assert_eq!(
            error,
            UsccError::DivisionCode {
                value: code.clone(),
                position: 5,
                character: 'A',
            }
        );
        assert_eq!(
            error.to_string(),
            format!(
                "统一社会信用代码“{code}”第5位的字符“A”无效，第3至8位是登记管理机关的行政区划码，应为数字"
            )
        );
    }

    #[test]
    fn parse_legacy_skips_check_character() {
        let code = Uscc::parse_legacy(" 91350100m000100Y44 ").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y44");
        assert!(Uscc::parse_legacy("9114A081MA0GABCDE1").is_ok());
    }

    #[test]
    fn parse_legacy_checks_length_and_characters() {
        assert_eq!(Uscc::parse_legacy("").unwrap_err(), UsccError::Empty);
        assert!(matches!(
            Uscc::parse_legacy("91350100M000100Y4").unwrap_err(),
            UsccError::Length { len: 17, .. }
        ));
        assert!(matches!(
            Uscc::parse_legacy("91350100M000100S44").unwrap_err(),
            UsccError::InvalidCharacter { character: 'S', .. }
        ));
    }

    #[test]
    fn from_str_validates() {
        assert!("91350100M000100Y43".parse::<Uscc>().is_ok());
        assert!("91350100M000100Y44".parse::<Uscc>().is_err());
    }
}
