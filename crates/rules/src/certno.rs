//! Numbers of license certificates (授权使用证书编号), rendered from a configurable pattern.
//!
//! A pattern is text with the placeholders `{year}` (the year, such as 2026) and `{seq}` or
//! `{seq:N}` (the certificate's sequence number within the year, zero-padded to at least N
//! digits). The sequence restarts every year, so a pattern needs the year to keep numbers
//! unique.

/// The pattern of Houma's certificates: `侯马e购授字〔2026〕第0007号` for the 7th certificate
/// of 2026.
pub const DEFAULT_PATTERN: &str = "侯马e购授字〔{year}〕第{seq:4}号";

/// Maximum zero-padding width N of `{seq:N}`.
const MAX_WIDTH: usize = 8;

/// Reason why a certificate number pattern is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("证书编号格式不能为空，应包含{{year}}和{{seq}}，如“{DEFAULT_PATTERN}”")]
    Empty,
    #[error(
        "证书编号格式“{pattern}”第{position}个字符处的花括号不成对，占位符应写成{{year}}、{{seq}}或{{seq:N}}"
    )]
    UnbalancedBrace {
        pattern: String,
        /// Position of the unmatched brace in characters, starting at 1.
        position: usize,
    },
    #[error(
        "证书编号格式“{pattern}”中的占位符“{placeholder}”无效，只能使用{{year}}、{{seq}}或{{seq:N}}"
    )]
    UnknownPlaceholder {
        pattern: String,
        placeholder: String,
    },
    #[error("证书编号格式“{pattern}”中的占位符“{placeholder}”位数无效，N应为1至8的整数")]
    InvalidWidth {
        pattern: String,
        placeholder: String,
    },
    #[error("证书编号格式“{pattern}”缺少序号占位符，应恰好包含一个{{seq}}或{{seq:N}}")]
    MissingSeq { pattern: String },
    #[error("证书编号格式“{pattern}”包含{count}个序号占位符，应恰好包含一个{{seq}}或{{seq:N}}")]
    DuplicateSeq { pattern: String, count: usize },
    #[error(
        "证书编号格式“{pattern}”缺少年份占位符{{year}}，序号每年从1开始，需要年份保证编号不重复"
    )]
    MissingYear { pattern: String },
}

/// One piece of a parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token<'a> {
    Literal(&'a str),
    Year,
    /// Sequence number with its minimum width in digits, or no padding for `None`.
    Seq(Option<usize>),
}

/// Checks that `pattern` contains exactly one `{seq}` or `{seq:N}` with N from 1 to 8, at
/// least one `{year}`, no other placeholder and no unmatched brace.
pub fn validate(pattern: &str) -> Result<(), PatternError> {
    parse(pattern).map(|_| ())
}

/// Renders the certificate number for sequence number `seq` of `year`.
///
/// A sequence number longer than the N digits of `{seq:N}` is written in full, not cut.
pub fn render(pattern: &str, year: i32, seq: u32) -> Result<String, PatternError> {
    let tokens = parse(pattern)?;
    let mut number = String::new();
    for token in tokens {
        match token {
            Token::Literal(text) => number.push_str(text),
            Token::Year => number.push_str(&year.to_string()),
            Token::Seq(None) => number.push_str(&seq.to_string()),
            Token::Seq(Some(width)) => number.push_str(&format!("{seq:0width$}")),
        }
    }
    Ok(number)
}

/// Splits a pattern into tokens and checks the placeholder counts.
fn parse(pattern: &str) -> Result<Vec<Token<'_>>, PatternError> {
    if pattern.trim().is_empty() {
        return Err(PatternError::Empty);
    }

    let tokens = tokenize(pattern)?;

    let seq_count = tokens
        .iter()
        .filter(|token| matches!(token, Token::Seq(_)))
        .count();
    match seq_count {
        0 => {
            return Err(PatternError::MissingSeq {
                pattern: pattern.to_string(),
            });
        }
        1 => {}
        count => {
            return Err(PatternError::DuplicateSeq {
                pattern: pattern.to_string(),
                count,
            });
        }
    }
    if !tokens.contains(&Token::Year) {
        return Err(PatternError::MissingYear {
            pattern: pattern.to_string(),
        });
    }
    Ok(tokens)
}

fn tokenize(pattern: &str) -> Result<Vec<Token<'_>>, PatternError> {
    let unbalanced = |byte_index: usize| PatternError::UnbalancedBrace {
        pattern: pattern.to_string(),
        position: pattern[..byte_index].chars().count() + 1,
    };

    let mut tokens = Vec::new();
    let mut rest_start = 0;
    while rest_start < pattern.len() {
        let rest = &pattern[rest_start..];
        let Some(open) = rest.find(['{', '}']) else {
            tokens.push(Token::Literal(rest));
            break;
        };
        if open > 0 {
            tokens.push(Token::Literal(&rest[..open]));
        }
        if rest[open..].starts_with('}') {
            return Err(unbalanced(rest_start + open));
        }

        let after_open = &rest[open + 1..];
        let close = match after_open.find(['{', '}']) {
            Some(index) if after_open[index..].starts_with('}') => index,
            _ => return Err(unbalanced(rest_start + open)),
        };
        tokens.push(placeholder(pattern, &after_open[..close])?);
        rest_start += open + 1 + close + 1;
    }
    Ok(tokens)
}

/// Interprets the text between a pair of braces.
fn placeholder<'a>(pattern: &str, inner: &str) -> Result<Token<'a>, PatternError> {
    match inner {
        "year" => return Ok(Token::Year),
        "seq" => return Ok(Token::Seq(None)),
        _ => {}
    }
    let Some(width) = inner.strip_prefix("seq:") else {
        return Err(PatternError::UnknownPlaceholder {
            pattern: pattern.to_string(),
            placeholder: format!("{{{inner}}}"),
        });
    };
    let digits_only = !width.is_empty() && width.bytes().all(|byte| byte.is_ascii_digit());
    match width.parse::<usize>() {
        Ok(width) if digits_only && (1..=MAX_WIDTH).contains(&width) => Ok(Token::Seq(Some(width))),
        _ => Err(PatternError::InvalidWidth {
            pattern: pattern.to_string(),
            placeholder: format!("{{{inner}}}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_pattern_renders() {
        assert_eq!(validate(DEFAULT_PATTERN), Ok(()));
        assert_eq!(
            render(DEFAULT_PATTERN, 2026, 7).unwrap(),
            "侯马e购授字〔2026〕第0007号"
        );
        assert_eq!(
            render(DEFAULT_PATTERN, 2027, 1234).unwrap(),
            "侯马e购授字〔2027〕第1234号"
        );
    }

    #[test]
    fn long_sequence_is_not_cut() {
        assert_eq!(
            render(DEFAULT_PATTERN, 2026, 12345).unwrap(),
            "侯马e购授字〔2026〕第12345号"
        );
    }

    #[test]
    fn render_variants() {
        let cases = [
            ("{year}-{seq}", 2026, 7, "2026-7"),
            ("{year}{seq:1}", 2026, 7, "20267"),
            ("HM{year}{seq:8}", 2026, 42, "HM202600000042"),
            ("{seq:3}/{year}/{year}", 2026, 5, "005/2026/2026"),
            ("第{seq:2}号（{year}年）", 2026, 0, "第00号（2026年）"),
        ];
        for (pattern, year, seq, expected) in cases {
            assert_eq!(
                render(pattern, year, seq).as_deref(),
                Ok(expected),
                "{pattern}"
            );
        }
    }

    #[test]
    fn invalid_patterns_table() {
        let error_for = |pattern: &str| validate(pattern).unwrap_err();
        let cases = [
            (
                "",
                PatternError::Empty,
                "证书编号格式不能为空，应包含{year}和{seq}，如“侯马e购授字〔{year}〕第{seq:4}号”",
            ),
            (
                "第{seq}号",
                PatternError::MissingYear {
                    pattern: "第{seq}号".to_string(),
                },
                "证书编号格式“第{seq}号”缺少年份占位符{year}，序号每年从1开始，需要年份保证编号不重复",
            ),
            (
                "〔{year}〕号",
                PatternError::MissingSeq {
                    pattern: "〔{year}〕号".to_string(),
                },
                "证书编号格式“〔{year}〕号”缺少序号占位符，应恰好包含一个{seq}或{seq:N}",
            ),
            (
                "{year}{seq}{seq:4}",
                PatternError::DuplicateSeq {
                    pattern: "{year}{seq}{seq:4}".to_string(),
                    count: 2,
                },
                "证书编号格式“{year}{seq}{seq:4}”包含2个序号占位符，应恰好包含一个{seq}或{seq:N}",
            ),
            (
                "{year}{seq}{month}",
                PatternError::UnknownPlaceholder {
                    pattern: "{year}{seq}{month}".to_string(),
                    placeholder: "{month}".to_string(),
                },
                "证书编号格式“{year}{seq}{month}”中的占位符“{month}”无效，只能使用{year}、{seq}或{seq:N}",
            ),
            (
                "{YEAR}{seq}",
                PatternError::UnknownPlaceholder {
                    pattern: "{YEAR}{seq}".to_string(),
                    placeholder: "{YEAR}".to_string(),
                },
                "证书编号格式“{YEAR}{seq}”中的占位符“{YEAR}”无效，只能使用{year}、{seq}或{seq:N}",
            ),
            (
                "{year}{seq:9}",
                PatternError::InvalidWidth {
                    pattern: "{year}{seq:9}".to_string(),
                    placeholder: "{seq:9}".to_string(),
                },
                "证书编号格式“{year}{seq:9}”中的占位符“{seq:9}”位数无效，N应为1至8的整数",
            ),
            (
                "{year}{seq:0}",
                PatternError::InvalidWidth {
                    pattern: "{year}{seq:0}".to_string(),
                    placeholder: "{seq:0}".to_string(),
                },
                "证书编号格式“{year}{seq:0}”中的占位符“{seq:0}”位数无效，N应为1至8的整数",
            ),
            (
                "{year}{seq:}",
                PatternError::InvalidWidth {
                    pattern: "{year}{seq:}".to_string(),
                    placeholder: "{seq:}".to_string(),
                },
                "证书编号格式“{year}{seq:}”中的占位符“{seq:}”位数无效，N应为1至8的整数",
            ),
            (
                "{year}{seq:+4}",
                PatternError::InvalidWidth {
                    pattern: "{year}{seq:+4}".to_string(),
                    placeholder: "{seq:+4}".to_string(),
                },
                "证书编号格式“{year}{seq:+4}”中的占位符“{seq:+4}”位数无效，N应为1至8的整数",
            ),
            (
                "授字〔{year}〕第{seq号",
                PatternError::UnbalancedBrace {
                    pattern: "授字〔{year}〕第{seq号".to_string(),
                    position: 12,
                },
                "证书编号格式“授字〔{year}〕第{seq号”第12个字符处的花括号不成对，占位符应写成{year}、{seq}或{seq:N}",
            ),
            (
                "{year}}{seq}",
                PatternError::UnbalancedBrace {
                    pattern: "{year}}{seq}".to_string(),
                    position: 7,
                },
                "证书编号格式“{year}}{seq}”第7个字符处的花括号不成对，占位符应写成{year}、{seq}或{seq:N}",
            ),
            (
                "{{year}{seq}",
                PatternError::UnbalancedBrace {
                    pattern: "{{year}{seq}".to_string(),
                    position: 1,
                },
                "证书编号格式“{{year}{seq}”第1个字符处的花括号不成对，占位符应写成{year}、{seq}或{seq:N}",
            ),
        ];

        for (pattern, expected_error, expected_message) in cases {
            let error = error_for(pattern);
            assert_eq!(error, expected_error, "{pattern}");
            assert_eq!(error.to_string(), expected_message, "{pattern}");
            assert_eq!(render(pattern, 2026, 1), Err(error), "{pattern}");
        }
    }
}
