//! Identifiers. Random-looking (UUID v7) so that one member's ids say nothing about another's,
//! and time-ordered so that indexes stay compact.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($name:ident),+) => {$(
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7().to_string())
            }

            /// Accepts only the canonical UUID form, so a malformed id is an unknown id.
            pub fn parse(s: &str) -> Option<Self> {
                uuid::Uuid::try_parse(s).ok().map(|u| Self(u.to_string()))
            }

            /// For values read back from our own database.
            pub fn from_trusted(s: String) -> Self {
                Self(s)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({"type": "string", "format": "uuid"})
            }
        }

        /// An id reads as its text wherever text is asked for (a URL, a log line, a lookup by
        /// a caller's string).
        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    )+};
}

id_type!(
    MemberId,
    UserId,
    CaseId,
    PersonId,
    RequestId,
    DocumentId,
    NoteId,
    MessageId,
    EventId,
    ConsentId,
    RelationshipId,
    MatchId,
    FindingId,
    UnitId,
    ImportId,
    TransferId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_only_uuids() {
        let id = CaseId::generate();
        assert_eq!(CaseId::parse(id.as_str()), Some(id));
        assert_eq!(CaseId::parse("1"), None);
        assert_eq!(CaseId::parse("../etc/passwd"), None);
    }
}
