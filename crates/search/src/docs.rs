//! Documents of the index, built from what the store gives the indexer, with the tokens of
//! those who may read them.

use chrono::{Datelike, NaiveDate};
use kinbridge_store::archives::UnitForIndex;
use kinbridge_store::indexing::{CaseForIndex, RequestForIndex};

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

fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok()
}

pub fn case_doc(c: CaseForIndex) -> IndexDoc {
    let language = kinbridge_privacy::language_code(&format!("{}\n{}", c.title, c.text)).to_string();
    IndexDoc {
        kind: "case",
        title: c.title,
        reference: c.reference,
        language,
        names: c.names,
        readers: vec![casework(&c.member_id), ADMIN.into()],
        open_from: None,
        member: c.member_code,
        country: c.partner_country.unwrap_or(c.country),
        service: Some(c.service),
        level: None,
        date: day(&c.opened_on),
        target: c.id.clone(),
        id: c.id,
        text: c.text,
    }
}

pub fn request_doc(r: RequestForIndex) -> IndexDoc {
    let language = kinbridge_privacy::language_code(&format!("{}\n{}", r.subject, r.text)).to_string();
    IndexDoc {
        kind: "request",
        title: r.subject,
        reference: r.kind,
        language,
        names: Vec::new(),
        readers: vec![casework(&r.from_member_id), casework(&r.to_member_id), ADMIN.into()],
        open_from: None,
        member: r.from_code,
        country: r.to_country,
        service: None,
        level: None,
        date: day(&r.sent_at),
        target: r.case_id,
        id: r.id,
        text: r.text,
    }
}

pub fn unit_doc(u: UnitForIndex) -> IndexDoc {
    let unit = u.unit;
    let mut readers = vec![archivist(&unit.member_id), ADMIN.into()];
    if unit.open_from.is_some() {
        readers.push(OPEN.into());
    }
    let mut text = String::new();
    for part in [&unit.creator, &unit.location] {
        if !part.is_empty() {
            text.push_str(part);
            text.push('\n');
        }
    }
    text.push_str(&u.text);
    let language = if unit.language.is_empty() {
        kinbridge_privacy::language_code(&text).to_string()
    } else {
        unit.language.clone()
    };
    IndexDoc {
        kind: "unit",
        title: unit.title,
        reference: unit.reference_code,
        language,
        names: u.names,
        readers,
        open_from: unit.open_from,
        member: unit.member_code,
        country: u.country,
        service: None,
        level: Some(unit.level.as_str().to_string()),
        date: unit.date_from.or(unit.date_to),
        target: unit.id.clone(),
        id: unit.id,
        text,
    }
}
