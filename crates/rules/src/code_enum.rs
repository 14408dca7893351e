//! A macro for the closed code lists of the domain (states, roles, kinds) and the error
//! returned when a text does not name one of their values.

use std::fmt;

/// Error returned when a text is neither the identifier nor the Chinese label of a value in
/// a closed code list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct UnknownCodeError {
    /// Chinese name of the code list, for example 申请状态.
    pub list: &'static str,
    /// The text that was given, trimmed.
    pub value: String,
    /// Identifier and Chinese label of every accepted value.
    pub expected: Vec<(&'static str, &'static str)>,
}

impl fmt::Display for UnknownCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let expected: Vec<String> = self
            .expected
            .iter()
            .map(|(id, label)| format!("{id}（{label}）"))
            .collect();
        write!(
            f,
            "{}“{}”无效，应为以下之一：{}",
            self.list,
            self.value,
            expected.join("、")
        )
    }
}

/// Defines a fieldless enum whose values have a snake_case identifier and a Chinese label.
///
/// The generated enum derives serde with `rename_all = "snake_case"`, so each identifier
/// must be the snake_case form of its variant name. A test of every such enum checks this
/// with `assert_code_enum_consistent!`.
/// The enum gets `as_str`, `label`, `all`, `parse` (accepting the identifier, in any case, or
/// the label) and `FromStr`.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident in $list:literal {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident => ($id:literal, $label:literal),
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $(
                $(#[$variant_meta])*
                $variant,
            )+
        }

        impl $name {
            /// Returns every value, in declaration order.
            pub fn all() -> &'static [Self] {
                &[$(Self::$variant),+]
            }

            /// Returns the snake_case identifier used in storage, URLs and JSON.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $(Self::$variant => $id,)+
                }
            }

            /// Returns the Chinese label shown to users.
            pub fn label(&self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)+
                }
            }

            /// Parses an identifier (case-insensitive) or a Chinese label, ignoring
            /// surrounding whitespace.
            pub fn parse(text: &str) -> Result<Self, $crate::UnknownCodeError> {
                let text = text.trim();
                Self::all()
                    .iter()
                    .copied()
                    .find(|value| {
                        value.as_str().eq_ignore_ascii_case(text) || value.label() == text
                    })
                    .ok_or_else(|| $crate::UnknownCodeError {
                        list: $list,
                        value: text.to_string(),
                        expected: Self::all()
                            .iter()
                            .map(|value| (value.as_str(), value.label()))
                            .collect(),
                    })
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::UnknownCodeError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }
    };
}

/// Asserts that every value of a `code_enum!` type round-trips through `parse` and that serde
/// uses the same identifier as `as_str`.
#[cfg(test)]
macro_rules! assert_code_enum_consistent {
    ($name:ty) => {{
        use serde::Deserialize as _;
        use serde::de::IntoDeserializer as _;

        let mut ids = std::collections::HashSet::new();
        let mut labels = std::collections::HashSet::new();
        for value in <$name>::all() {
            assert!(
                ids.insert(value.as_str()),
                "duplicate id {}",
                value.as_str()
            );
            assert!(
                labels.insert(value.label()),
                "duplicate label {}",
                value.label()
            );
            assert_eq!(<$name>::parse(value.as_str()), Ok(*value));
            assert_eq!(<$name>::parse(value.label()), Ok(*value));
            assert_eq!(value.as_str().parse::<$name>(), Ok(*value));

            let deserializer: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
                value.as_str().into_deserializer();
            assert_eq!(<$name>::deserialize(deserializer), Ok(*value));
        }
        assert!(<$name>::parse("no_such_value").is_err());
    }};
}
