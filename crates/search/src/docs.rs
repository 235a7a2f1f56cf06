//! Documents of the index, with the tokens of those who may read them. The application
//! builds them from what it reads (`casework::search_feed`).

use chrono::{Datelike, NaiveDate};

/// Everyone on the system-administration side reads every document (read only, audited).
pub const ADMIN: &str = "admin";
/// Archive units past their opening day.
pub const OPEN: &str = "open";

pub fn casework(member_id: &str) -> String {
    format!("case:{member_id}")
}

pub fn archivist(member_id: &str) -> String {
    format!("arch:{member_id}")
}

#[derive(Debug, Clone)]
pub struct IndexDoc {
    pub kind: &'static str,
    pub id: String,
    pub title: String,
    pub reference: String,
    pub text: String,
    pub language: String,
    pub names: Vec<String>,
    pub readers: Vec<String>,
    pub open_from: Option<NaiveDate>,
    pub member: String,
    pub country: String,
    pub service: Option<String>,
    pub level: Option<String>,
    pub date: Option<NaiveDate>,
    /// Where the hit opens: the case of a request, the unit itself.
    pub target: String,
}

impl IndexDoc {
    pub fn key(kind: &str, id: &str) -> String {
        format!("{kind}:{id}")
    }

    pub fn year(&self) -> Option<i32> {
        self.date.map(|d| d.year())
    }
}
