//! Archives: the description of a member's historical records (ISAD(G): fonds → series →
//! file → item) and the rules of who may open them and when.
//!
//! A unit's access restriction is decided here from its dates and its kind, and enforced by
//! the store and the search index on every view, hit and download.

use crate::ErrorCode;
use chrono::{Datelike, NaiveDate};

use crate::access::{Actor, Role};
use crate::error::FieldError;
use crate::vocabulary;

vocabulary! {
    /// The level of description.
    Level {
        Fonds => "fonds",
        Series => "series",
        File => "file",
        Item => "item",
    }
}

impl Level {
    /// The level a child of this unit has; items have no children.
    pub fn child(self) -> Option<Level> {
        match self {
            Level::Fonds => Some(Level::Series),
            Level::Series => Some(Level::File),
            Level::File => Some(Level::Item),
            Level::Item => None,
        }
    }
}

vocabulary! {
    /// What kind of records a unit holds, which sets how long it stays closed: open once
    /// described; personal (about identifiable people), closed for a period after the latest
    /// date; adoption, kept permanently and opened only through a guided search of origins.
    Restriction {
        Open => "open",
        Personal => "personal",
        Adoption => "adoption",
    }
}

vocabulary! {
    /// `needs_review`: text recognised with low confidence, for a person to check.
    DigitisationStatus {
        NotDigitised => "not_digitised",
        Digitised => "digitised",
        NeedsReview => "needs_review",
        Failed => "failed",
    }
}

/// The default closure of personal files, in years after their latest date.
pub const DEFAULT_PERSONAL_CLOSURE_YEARS: u32 = 100;

/// The date from which a unit is open to every staff member of the network, or `None` if it
/// never opens by itself (adoption files). An open unit is open from its latest date, or from
/// `described_on` (the day it is described) when it has no date.
pub fn open_from(
    restriction: Restriction,
    latest: Option<NaiveDate>,
    closure_years: u32,
    described_on: NaiveDate,
) -> Option<NaiveDate> {
    match restriction {
        Restriction::Open => Some(latest.unwrap_or(described_on).min(described_on)),
        Restriction::Personal => {
            // A personal file without dates is closed until someone dates it.
            let latest = latest?;
            latest.with_year(latest.year() + closure_years as i32).or_else(|| {
                // 29 February plus a non-leap number of years.
                NaiveDate::from_ymd_opt(latest.year() + closure_years as i32, 3, 1)
            })
        }
        Restriction::Adoption => None,
    }
}

/// How an actor may reach a unit of a member's archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ArchiveAccess {
    None,
    /// Reads the description and text, downloads the originals.
    Read,
    /// Also describes, imports, links and discloses.
    Manage,
}

impl Actor {
    /// The holding member's archivists manage its archive whatever its restrictions (every
    /// access is audited); staff of any member read what is open; a system administrator reads
    /// all, audited; nobody else reads anything.
    pub fn archive_access(&self, holder: &crate::ids::MemberId, open: bool) -> ArchiveAccess {
        match self.role {
            Role::Archivist if &self.member_id == holder => ArchiveAccess::Manage,
            Role::SystemAdmin => ArchiveAccess::Read,
            Role::Archivist | Role::Caseworker | Role::Supervisor if open => ArchiveAccess::Read,
            _ => ArchiveAccess::None,
        }
    }

    pub fn can_manage_archive(&self) -> bool {
        self.role == Role::Archivist
    }
}

/// A new unit of description, checked.
#[derive(Debug, Clone)]
pub struct NewUnit {
    pub level: Level,
    pub reference_code: String,
    pub title: String,
    pub creator: String,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    pub extent: String,
    pub language: String,
    pub location: String,
    pub restriction: Restriction,
}

impl NewUnit {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        level: &str,
        reference_code: &str,
        title: &str,
        creator: &str,
        date_from: &str,
        date_to: &str,
        extent: &str,
        language: &str,
        location: &str,
        restriction: &str,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let level = Level::parse(level.trim()).ok_or_else(|| FieldError::new("level", ErrorCode::InvalidChoice));
        let restriction = Restriction::parse(restriction.trim())
            .ok_or_else(|| FieldError::new("restriction", ErrorCode::InvalidChoice));
        let reference_code = crate::text::required("reference_code", reference_code, 100);
        let title = crate::text::required("title", title, 500);
        let date = |field: &'static str, s: &str| -> Result<Option<NaiveDate>, FieldError> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            if let Ok(y) = s.parse::<i32>() {
                return NaiveDate::from_ymd_opt(
                    y,
                    if field == "date_to" { 12 } else { 1 },
                    if field == "date_to" { 31 } else { 1 },
                )
                .filter(|_| (1000..=2999).contains(&y))
                .map(Some)
                .ok_or(FieldError::new(field, ErrorCode::InvalidDate));
            }
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| FieldError::new(field, ErrorCode::InvalidDate))
        };
        let date_from = date("date_from", date_from);
        let date_to = date("date_to", date_to);
        if let (Ok(Some(a)), Ok(Some(b))) = (&date_from, &date_to) {
            if b < a {
                errors.push(FieldError::new("date_to", ErrorCode::BeforeStart));
            }
        }
        let language = language.trim().to_ascii_lowercase();
        let valid = language.is_empty() || (language.len() == 2 && language.bytes().all(|b| b.is_ascii_lowercase()));
        if !valid {
            errors.push(FieldError::new("language", ErrorCode::InvalidLanguage));
        }
        match (level, reference_code, title, date_from, date_to, restriction) {
            (Ok(level), Ok(reference_code), Ok(title), Ok(date_from), Ok(date_to), Ok(restriction))
                if errors.is_empty() =>
            {
                Ok(Self {
                    level,
                    reference_code,
                    title,
                    creator: creator.trim().chars().take(300).collect(),
                    date_from,
                    date_to,
                    extent: extent.trim().chars().take(200).collect(),
                    language,
                    location: location.trim().chars().take(300).collect(),
                    restriction,
                })
            }
            (level, reference_code, title, date_from, date_to, restriction) => {
                errors.extend(level.err());
                errors.extend(reference_code.err());
                errors.extend(title.err());
                errors.extend(date_from.err());
                errors.extend(date_to.err());
                errors.extend(restriction.err());
                Err(errors)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{MemberId, UserId};

    #[test]
    fn personal_files_open_a_century_after_their_latest_date() {
        let d = NaiveDate::from_ymd_opt(1950, 6, 30).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        assert_eq!(open_from(Restriction::Personal, Some(d), 100, today), NaiveDate::from_ymd_opt(2050, 6, 30));
        assert_eq!(open_from(Restriction::Personal, None, 100, today), None);
        assert_eq!(open_from(Restriction::Adoption, Some(d), 100, today), None);
        assert_eq!(open_from(Restriction::Open, Some(d), 100, today), Some(d), "open since its latest date");
        assert_eq!(open_from(Restriction::Open, None, 100, today), Some(today), "undated: since described");
        let leap = NaiveDate::from_ymd_opt(1952, 2, 29).unwrap();
        assert_eq!(open_from(Restriction::Personal, Some(leap), 1, today), NaiveDate::from_ymd_opt(1953, 3, 1));
    }

    #[test]
    fn who_reaches_an_archive() {
        let ch = MemberId::generate();
        let de = MemberId::generate();
        let a = |role, m: &MemberId| Actor {
            user_id: UserId::generate(),
            member_id: m.clone(),
            role,
            training_hold: false,
        };
        assert_eq!(a(Role::Archivist, &ch).archive_access(&ch, false), ArchiveAccess::Manage);
        assert_eq!(a(Role::Archivist, &de).archive_access(&ch, false), ArchiveAccess::None);
        assert_eq!(a(Role::Archivist, &de).archive_access(&ch, true), ArchiveAccess::Read);
        assert_eq!(a(Role::Caseworker, &ch).archive_access(&ch, false), ArchiveAccess::None);
        assert_eq!(a(Role::Caseworker, &de).archive_access(&ch, true), ArchiveAccess::Read);
        assert_eq!(a(Role::Researcher, &ch).archive_access(&ch, true), ArchiveAccess::None);
        assert_eq!(a(Role::SystemAdmin, &de).archive_access(&ch, false), ArchiveAccess::Read);
    }

    #[test]
    fn units_are_checked() {
        let u = NewUnit::parse(
            "file",
            "CH-A/1/3",
            "Dossier Meier",
            "SSI Suisse",
            "1961",
            "1968",
            "1 folder",
            "fr",
            "Shelf 4",
            "personal",
        )
        .unwrap();
        assert_eq!(u.date_to, NaiveDate::from_ymd_opt(1968, 12, 31));
        let e = NewUnit::parse("box", "", "T", "", "1970", "1960", "", "french", "", "secret").unwrap_err();
        let fields: Vec<_> = e.iter().map(|f| f.field).collect();
        assert!(fields.contains(&"level") && fields.contains(&"reference_code") && fields.contains(&"date_to"));
        assert!(fields.contains(&"language") && fields.contains(&"restriction"), "{fields:?}");
    }
}
