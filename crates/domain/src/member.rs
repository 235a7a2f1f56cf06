//! Members of the network: national organisations with a country, languages and services.

use crate::case::ServiceType;
use crate::country::Country;
use crate::error::{invalid, FieldError};
use crate::ids::MemberId;
use crate::ErrorCode;
use crate::{text, vocabulary, DomainError};

vocabulary! {
    MemberKind {
        Branch => "branch",
        AffiliatedBureau => "affiliated_bureau",
        Correspondent => "correspondent",
        GeneralSecretariat => "general_secretariat",
    }
}

/// A member's short code, e.g. `CH` or `DE-BER`: 2 to 12 upper-case letters, digits or dashes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct MemberCode(String);

impl MemberCode {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let c = raw.trim().to_ascii_uppercase();
        let ok = (2..=12).contains(&c.len())
            && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
            && !c.starts_with('-')
            && !c.ends_with('-');
        if ok {
            Ok(Self(c))
        } else {
            Err(FieldError::new("code", ErrorCode::InvalidMemberCode))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Member {
    pub id: MemberId,
    pub code: MemberCode,
    pub name: String,
    #[serde(serialize_with = "ser_country")]
    pub country: Country,
    pub kind: MemberKind,
    pub languages: Vec<String>,
    pub services: Vec<ServiceType>,
    pub email: String,
    pub phone: String,
    pub address: String,
}

fn ser_country<S: serde::Serializer>(c: &Country, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.code())
}

/// A new member as entered by an administrator.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub code: MemberCode,
    pub name: String,
    pub country: Country,
    pub kind: MemberKind,
    pub languages: Vec<String>,
    pub services: Vec<ServiceType>,
    pub email: String,
    pub phone: String,
    pub address: String,
}

impl NewMember {
    pub fn parse(code: &str, name: &str, country: &str) -> Result<Self, DomainError> {
        match (MemberCode::parse(code), text::required("name", name, 200), Country::parse_field("country", country)) {
            (Ok(code), Ok(name), Ok(country)) => Ok(Self {
                code,
                name,
                country,
                kind: MemberKind::Branch,
                languages: vec!["en".into()],
                services: ServiceType::ALL.to_vec(),
                email: String::new(),
                phone: String::new(),
                address: String::new(),
            }),
            (code, name, country) => Err(invalid([code.err(), name.err(), country.err()])),
        }
    }
}
