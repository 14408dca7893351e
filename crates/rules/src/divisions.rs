//! Township-level administrative divisions of Houma (侯马市), seed data for the code list of
//! towns that the web application stores.
//!
//! The codes are the 9-digit statistical division codes (统计用区划代码) of the National
//! Bureau of Statistics. Their 12-digit form appends `000`. Houma has five subdistricts
//! (街道) and three townships (乡), and no towns (镇).

/// A township-level division: its code, name and kind (街道 or 乡).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Division {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
}

/// Administrative division code (GB/T 2260) of Houma since 2000.
pub const HOUMA_COUNTY_CODE: &str = "141081";

/// The eight township-level divisions of Houma, ordered by code.
pub const HOUMA_DIVISIONS: &[Division] = &[
    Division {
        code: "141081001",
        name: "路东街道",
        kind: "街道",
    },
    Division {
        code: "141081002",
        name: "路西街道",
        kind: "街道",
    },
    Division {
        code: "141081003",
        name: "浍滨街道",
        kind: "街道",
    },
    Division {
        code: "141081004",
        name: "上马街道",
        kind: "街道",
    },
    Division {
        code: "141081005",
        name: "张村街道",
        kind: "街道",
    },
    Division {
        code: "141081200",
        name: "新田乡",
        kind: "乡",
    },
    Division {
        code: "141081201",
        name: "高村乡",
        kind: "乡",
    },
    Division {
        code: "141081202",
        name: "凤城乡",
        kind: "乡",
    },
];

/// Returns the name of the Houma division with the 9-digit `code`, or `None` for an unknown
/// code.
pub fn division_name(code: &str) -> Option<&'static str> {
    HOUMA_DIVISIONS
        .iter()
        .find(|division| division.code == code)
        .map(|division| division.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_divisions_with_valid_codes() {
        assert_eq!(HOUMA_DIVISIONS.len(), 8);
        for division in HOUMA_DIVISIONS {
            assert_eq!(division.code.len(), 9, "{}", division.name);
            assert!(division.code.bytes().all(|byte| byte.is_ascii_digit()));
            assert!(division.code.starts_with(HOUMA_COUNTY_CODE));
            assert!(division.name.ends_with(division.kind), "{}", division.name);
        }
    }

    #[test]
    fn codes_are_sorted_and_unique() {
        assert!(
            HOUMA_DIVISIONS
                .windows(2)
                .all(|pair| pair[0].code < pair[1].code)
        );
    }

    #[test]
    fn kinds_follow_code_pattern() {
        let subdistricts = HOUMA_DIVISIONS
            .iter()
            .filter(|division| division.kind == "街道")
            .count();
        let townships = HOUMA_DIVISIONS
            .iter()
            .filter(|division| division.kind == "乡")
            .count();
        assert_eq!(subdistricts, 5);
        assert_eq!(townships, 3);
        for division in HOUMA_DIVISIONS {
            let expected_kind = if division.code[6..].starts_with('0') {
                "街道"
            } else {
                "乡"
            };
            assert_eq!(division.kind, expected_kind, "{}", division.code);
        }
    }

    #[test]
    fn division_name_lookup() {
        assert_eq!(division_name("141081200"), Some("新田乡"));
        assert_eq!(division_name("141081001"), Some("路东街道"));
        assert_eq!(division_name("141081203"), None);
        assert_eq!(division_name("141081200000"), None);
        assert_eq!(division_name(""), None);
    }
}
