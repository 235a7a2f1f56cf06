//! Errors of the domain, with stable machine-readable codes that the UI translates.

use serde::Serialize;

/// One invalid field of an input, with a stable code (`required`, `too_long`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
}

impl FieldError {
    pub fn new(field: &'static str, code: &'static str) -> Self {
        Self { field, code }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// Input that cannot become a domain value; every bad field is listed.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// A lifecycle step that is not allowed from the current state or by this party.
    #[error("transition {action} is not allowed from {from}")]
    InvalidTransition { from: &'static str, action: &'static str },
    /// The actor may not do this. Reads of things the actor may not see are `NotFound`.
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
}

impl DomainError {
    pub fn field(field: &'static str, code: &'static str) -> Self {
        Self::Invalid(vec![FieldError::new(field, code)])
    }

    /// The stable code of this error, as the UI and API clients see it.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid_input",
            Self::InvalidTransition { .. } => "invalid_transition",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
        }
    }
}

/// The error for a form whose fields were parsed one by one: every failed field, at once.
pub fn invalid(errors: impl IntoIterator<Item = Option<FieldError>>) -> DomainError {
    DomainError::Invalid(errors.into_iter().flatten().collect())
}

/// Defines a closed vocabulary stored and exchanged as snake_case strings.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Self::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown {}: {s}", stringify!($name))))
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
