//! What the search index reads of cases, requests and archive units. The indexer is the
//! system, not a person: these reads are not scoped to a caller. What a reader may find is
//! decided when they search, from the reader tokens the index keeps with each document.

use kinbridge_domain::ids::CaseId;
use serde::Serialize;

use crate::rows::get;
use crate::Result;

/// A case as the index sees it: its fields, people and internal notes (owner only).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CaseForIndex {
    pub id: String,
    pub member_id: String,
    pub member_code: String,
    pub country: String,
    pub partner_country: Option<String>,
    pub reference: String,
    pub service: String,
    pub status: String,
    pub title: String,
    pub opened_on: String,
    pub text: String,
    pub names: Vec<String>,
}

/// A request as both members see it: its subject and its messages.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RequestForIndex {
    pub id: String,
    pub case_id: String,
    pub from_member_id: String,
    pub to_member_id: String,
    pub from_code: String,
    pub from_country: String,
    pub to_country: String,
    pub kind: String,
    pub subject: String,
    pub sent_at: String,
    pub text: String,
}

#[derive(Debug, Clone, Copy)]
pub enum IndexedTable {
    Cases,
    Requests,
    Units,
}

/// A case with its internal notes and its people's names.
pub async fn case(pool: &sqlx::AnyPool, id: &CaseId) -> Result<Option<CaseForIndex>> {
    let Some(r) = sqlx::query(
        "SELECT c.id, c.member_id, m.code, m.country, c.partner_country, c.reference, c.service, c.status, c.title, c.summary, \
         c.child_views, c.opened_on FROM cases c JOIN members m ON m.id = c.member_id WHERE c.id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let mut text = String::new();
    for col in ["summary", "child_views"] {
        text.push_str(&get::<String>(&r, col)?);
        text.push_str("\n\n");
    }
    let notes = sqlx::query("SELECT body FROM notes WHERE case_id = $1 ORDER BY created_at")
        .bind(id.to_string())
        .fetch_all(pool)
        .await?;
    for n in &notes {
        text.push_str(&get::<String>(n, "body")?);
        text.push_str("\n\n");
    }
    let people = sqlx::query("SELECT given_names, family_name FROM people WHERE case_id = $1")
        .bind(id.to_string())
        .fetch_all(pool)
        .await?;
    let names = people
        .iter()
        .map(|p| Ok(format!("{} {}", get::<String>(p, "given_names")?, get::<String>(p, "family_name")?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(CaseForIndex {
        id: get(&r, "id")?,
        member_id: get(&r, "member_id")?,
        member_code: get(&r, "code")?,
        country: get(&r, "country")?,
        partner_country: get(&r, "partner_country")?,
        reference: get(&r, "reference")?,
        service: get(&r, "service")?,
        status: get(&r, "status")?,
        title: get(&r, "title")?,
        opened_on: get(&r, "opened_on")?,
        text,
        names,
    }))
}

pub async fn request_ids_of_case(pool: &sqlx::AnyPool, case_id: &CaseId) -> Result<Vec<String>> {
    let rows =
        sqlx::query("SELECT id FROM requests WHERE case_id = $1").bind(case_id.to_string()).fetch_all(pool).await?;
    rows.iter().map(|r| get(r, "id")).collect()
}

/// A request with its messages.
pub async fn request(pool: &sqlx::AnyPool, id: &str) -> Result<Option<RequestForIndex>> {
    let Some(r) = sqlx::query(
        "SELECT r.id, r.case_id, r.from_member_id, r.to_member_id, fm.code AS from_code, fm.country AS from_country, \
         tm.country AS to_country, r.kind, r.subject, r.sent_at FROM requests r JOIN members fm ON fm.id = r.from_member_id \
         JOIN members tm ON tm.id = r.to_member_id WHERE r.id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let messages = sqlx::query("SELECT body FROM request_messages WHERE request_id = $1 ORDER BY created_at")
        .bind(id.to_string())
        .fetch_all(pool)
        .await?;
    let mut text = String::new();
    for m in &messages {
        text.push_str(&get::<String>(m, "body")?);
        text.push_str("\n\n");
    }
    Ok(Some(RequestForIndex {
        id: get(&r, "id")?,
        case_id: get(&r, "case_id")?,
        from_member_id: get(&r, "from_member_id")?,
        to_member_id: get(&r, "to_member_id")?,
        from_code: get(&r, "from_code")?,
        from_country: get(&r, "from_country")?,
        to_country: get(&r, "to_country")?,
        kind: get(&r, "kind")?,
        subject: get(&r, "subject")?,
        sent_at: get(&r, "sent_at")?,
        text,
    }))
}

pub async fn ids_after(pool: &sqlx::AnyPool, table: IndexedTable, after: &str, limit: i64) -> Result<Vec<String>> {
    let sql = match table {
        IndexedTable::Cases => "SELECT id FROM cases WHERE id > $1 ORDER BY id LIMIT $2",
        IndexedTable::Requests => "SELECT id FROM requests WHERE id > $1 ORDER BY id LIMIT $2",
        IndexedTable::Units => "SELECT id FROM archive_units WHERE id > $1 ORDER BY id LIMIT $2",
    };
    let rows = sqlx::query(sql).bind(after.to_string()).bind(limit).fetch_all(pool).await?;
    rows.iter().map(|r| get(r, "id")).collect()
}
