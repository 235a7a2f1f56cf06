//! The research corpus repository: the de-identified copies of closed cases
//! (`research_cases`), as the application builds, searches and exports them.

use kinbridge_domain::ids::{CaseId, MemberId};
use serde::Serialize;

use crate::rows::get;
use crate::{Result, StoreError, Tx};

/// A de-identified case as researchers see it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ResearchCase {
    pub id: String,
    pub member_country: String,
    pub partner_country: Option<String>,
    pub service: String,
    pub opened_year: i64,
    pub closed_year: Option<i64>,
    pub outcome: Option<String>,
    /// Beneficiaries as (child or adult, sex, age band at opening).
    pub beneficiaries: Vec<ResearchBeneficiary>,
    pub body: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ResearchBeneficiary {
    pub child: Option<bool>,
    pub sex: String,
    pub age_band: String,
}

fn beneficiaries(r: &sqlx::any::AnyRow) -> Result<Vec<ResearchBeneficiary>> {
    serde_json::from_str(&get::<String>(r, "beneficiaries")?)
        .map_err(|e| StoreError::Corrupt(format!("research_cases.beneficiaries: {e}")))
}

/// Whether a case's people consented to research use, and have not withdrawn it.
pub async fn has_consent<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(db: E, case_id: &CaseId) -> Result<bool> {
    let found = sqlx::query(
        "SELECT 1 AS one FROM consents WHERE case_id = $1 AND scope = 'research' AND withdrawn_on IS NULL LIMIT 1",
    )
    .bind(case_id.to_string())
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// The messages of every request about a case, oldest first.
pub async fn request_messages_of_case(pool: &sqlx::AnyPool, case_id: &CaseId) -> Result<Vec<String>> {
    sqlx::query(
        "SELECT m.body FROM request_messages m JOIN requests r ON r.id = m.request_id WHERE r.case_id = $1 ORDER BY m.created_at, m.id",
    )
    .bind(case_id.to_string())
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| get::<String>(r, "body"))
    .collect()
}

pub async fn member_country(pool: &sqlx::AnyPool, member: &MemberId) -> Result<String> {
    let row = sqlx::query("SELECT country FROM members WHERE id = $1").bind(member.as_str()).fetch_one(pool).await?;
    get(&row, "country")
}

/// A research copy to write.
pub struct NewResearchCase<'a> {
    pub id: &'a str,
    pub member_country: &'a str,
    pub partner_country: Option<&'a str>,
    pub service: &'a str,
    pub opened_year: i64,
    pub closed_year: Option<i64>,
    pub outcome: Option<&'a str>,
    pub beneficiaries: &'a [ResearchBeneficiary],
    /// People as labels.
    pub body: &'a str,
    /// People as fake names.
    pub body_names: &'a str,
    /// The sealed table that reverses the stand-ins, hex.
    pub reversal: &'a str,
}

/// Writes a copy, replacing the one with its id.
pub async fn upsert(tx: &mut Tx, c: &NewResearchCase<'_>) -> Result<()> {
    let beneficiaries = serde_json::to_string(c.beneficiaries)
        .map_err(|e| StoreError::Corrupt(format!("research beneficiaries: {e}")))?;
    sqlx::query(
        "INSERT INTO research_cases (id, member_country, partner_country, service, opened_year, closed_year, outcome, beneficiaries, body, body_names, search_text, reversal, built_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $13, $10, $11, $12) \
         ON CONFLICT (id) DO UPDATE SET member_country = excluded.member_country, partner_country = excluded.partner_country, \
           service = excluded.service, opened_year = excluded.opened_year, closed_year = excluded.closed_year, outcome = excluded.outcome, \
           beneficiaries = excluded.beneficiaries, body = excluded.body, body_names = excluded.body_names, search_text = excluded.search_text, reversal = excluded.reversal, built_at = excluded.built_at",
    )
    .bind(c.id.to_string())
    .bind(c.member_country.to_string())
    .bind(c.partner_country.map(str::to_string))
    .bind(c.service.to_string())
    .bind(c.opened_year)
    .bind(c.closed_year)
    .bind(c.outcome.map(str::to_string))
    .bind(beneficiaries)
    .bind(c.body.to_string())
    .bind(c.body.to_lowercase())
    .bind(c.reversal.to_string())
    .bind(crate::now())
    .bind(c.body_names.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes a copy; whether there was one.
pub async fn remove<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(db: E, id: &str) -> Result<bool> {
    let removed = sqlx::query("DELETE FROM research_cases WHERE id = $1").bind(id.to_string()).execute(db).await?;
    Ok(removed.rows_affected() > 0)
}

/// Closed cases with consent to research in force, by id.
pub async fn closed_with_consent(pool: &sqlx::AnyPool) -> Result<Vec<String>> {
    sqlx::query(
        "SELECT id FROM cases c WHERE status = 'closed' AND EXISTS \
         (SELECT 1 FROM consents k WHERE k.case_id = c.id AND k.scope = 'research' AND k.withdrawn_on IS NULL) ORDER BY id",
    )
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| get::<String>(r, "id"))
    .collect()
}

/// The ids of every copy.
pub async fn ids(pool: &sqlx::AnyPool) -> Result<Vec<String>> {
    sqlx::query("SELECT id FROM research_cases").fetch_all(pool).await?.iter().map(|r| get::<String>(r, "id")).collect()
}

/// Copies whose text holds every one of `words` (at most 8), of one service if given; how
/// many in all, and the first `limit` by closing year, people as labels or as fake names.
pub async fn search(
    pool: &sqlx::AnyPool,
    words: &[String],
    service: Option<&str>,
    fake_names: bool,
    limit: i64,
) -> Result<(i64, Vec<ResearchCase>)> {
    let patterns: Vec<String> = words.iter().take(8).map(|w| format!("%{}%", w.to_lowercase())).collect();
    let mut sql = String::from("FROM research_cases WHERE 1 = 1");
    for i in 0..patterns.len() {
        sql.push_str(&format!(" AND search_text LIKE ${}", i + 1));
    }
    if service.is_some() {
        sql.push_str(&format!(" AND service = ${}", patterns.len() + 1));
    }
    let count_sql = format!("SELECT COUNT(*) AS n {sql}");
    let total: i64 = get(&bound(&count_sql, &patterns, service).fetch_one(pool).await?, "n")?;
    let page_sql = format!(
        "SELECT id, member_country, partner_country, service, opened_year, closed_year, outcome, beneficiaries, {} AS body {sql} ORDER BY closed_year DESC, id LIMIT {}",
        if fake_names { "body_names" } else { "body" },
        limit.clamp(1, 200)
    );
    let rows = bound(&page_sql, &patterns, service).fetch_all(pool).await?;
    let found = rows
        .iter()
        .map(|r| {
            Ok(ResearchCase {
                id: get(r, "id")?,
                member_country: get(r, "member_country")?,
                partner_country: get(r, "partner_country")?,
                service: get(r, "service")?,
                opened_year: get(r, "opened_year")?,
                closed_year: get(r, "closed_year")?,
                outcome: get(r, "outcome")?,
                beneficiaries: beneficiaries(r)?,
                body: get(r, "body")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((total, found))
}

fn bound<'q>(
    sql: &'q str,
    patterns: &[String],
    service: Option<&str>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let mut q = sqlx::query(sql);
    for p in patterns {
        q = q.bind(p.clone());
    }
    if let Some(s) = service {
        q = q.bind(s.to_string());
    }
    q
}

/// Copies by member country and outcome (`""` for none): (country, outcome, count).
pub async fn outcome_counts(pool: &sqlx::AnyPool) -> Result<Vec<(String, String, i64)>> {
    sqlx::query(
        "SELECT member_country, COALESCE(outcome, '') AS outcome, COUNT(*) AS n FROM research_cases GROUP BY member_country, COALESCE(outcome, '') ORDER BY member_country, 2",
    )
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| Ok((get(r, "member_country")?, get(r, "outcome")?, get(r, "n")?)))
    .collect()
}

/// The sealed stand-in table of a copy, hex.
pub async fn reversal(pool: &sqlx::AnyPool, id: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT reversal FROM research_cases WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?;
    row.map(|r| get(&r, "reversal")).transpose()
}

/// A copy's quasi-identifiers and beneficiaries, for a record-level export.
pub struct RecordRow {
    pub id: String,
    pub member_country: String,
    pub service: String,
    pub opened_year: i64,
    pub outcome: String,
    pub beneficiaries: Vec<ResearchBeneficiary>,
}

pub async fn records(pool: &sqlx::AnyPool) -> Result<Vec<RecordRow>> {
    sqlx::query(
        "SELECT id, member_country, service, opened_year, COALESCE(outcome, '') AS outcome, beneficiaries FROM research_cases ORDER BY id",
    )
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(RecordRow {
            id: get(r, "id")?,
            member_country: get(r, "member_country")?,
            service: get(r, "service")?,
            opened_year: get(r, "opened_year")?,
            outcome: get(r, "outcome")?,
            beneficiaries: beneficiaries(r)?,
        })
    })
    .collect()
}

/// A de-identified archive item as researchers see it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ResearchItem {
    pub id: String,
    pub member_country: String,
    pub level: String,
    pub language: String,
    pub year_from: Option<i64>,
    pub year_to: Option<i64>,
    pub body: String,
}

/// An archive item's copy to write.
pub struct NewResearchItem<'a> {
    pub id: &'a str,
    pub member_country: &'a str,
    pub level: &'a str,
    pub language: &'a str,
    pub year_from: Option<i64>,
    pub year_to: Option<i64>,
    pub body: &'a str,
    pub body_names: &'a str,
    pub reversal: &'a str,
}

pub async fn upsert_item(tx: &mut Tx, c: &NewResearchItem<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO research_items (id, member_country, level, language, year_from, year_to, body, body_names, search_text, reversal, built_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (id) DO UPDATE SET member_country = excluded.member_country, level = excluded.level, language = excluded.language, \
           year_from = excluded.year_from, year_to = excluded.year_to, body = excluded.body, body_names = excluded.body_names, \
           search_text = excluded.search_text, reversal = excluded.reversal, built_at = excluded.built_at",
    )
    .bind(c.id.to_string())
    .bind(c.member_country.to_string())
    .bind(c.level.to_string())
    .bind(c.language.to_string())
    .bind(c.year_from)
    .bind(c.year_to)
    .bind(c.body.to_string())
    .bind(c.body_names.to_string())
    .bind(c.body.to_lowercase())
    .bind(c.reversal.to_string())
    .bind(crate::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes an item's copy; whether there was one.
pub async fn remove_item<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(db: E, id: &str) -> Result<bool> {
    let removed = sqlx::query("DELETE FROM research_items WHERE id = $1").bind(id.to_string()).execute(db).await?;
    Ok(removed.rows_affected() > 0)
}

pub async fn item_ids(pool: &sqlx::AnyPool) -> Result<Vec<String>> {
    sqlx::query("SELECT id FROM research_items").fetch_all(pool).await?.iter().map(|r| get::<String>(r, "id")).collect()
}

pub async fn item_count(pool: &sqlx::AnyPool) -> Result<i64> {
    get(&sqlx::query("SELECT COUNT(*) AS n FROM research_items").fetch_one(pool).await?, "n")
}

/// Item copies whose text holds every one of `words` (at most 8); how many in all, and the
/// first `limit` by year, people as labels or as fake names.
pub async fn search_items(
    pool: &sqlx::AnyPool,
    words: &[String],
    fake_names: bool,
    limit: i64,
) -> Result<(i64, Vec<ResearchItem>)> {
    let patterns: Vec<String> = words.iter().take(8).map(|w| format!("%{}%", w.to_lowercase())).collect();
    let mut sql = String::from("FROM research_items WHERE 1 = 1");
    for i in 0..patterns.len() {
        sql.push_str(&format!(" AND search_text LIKE ${}", i + 1));
    }
    let count_sql = format!("SELECT COUNT(*) AS n {sql}");
    let page_sql = format!(
        "SELECT id, member_country, level, language, year_from, year_to, {} AS body {sql} ORDER BY year_to DESC, id LIMIT {}",
        if fake_names { "body_names" } else { "body" },
        limit.clamp(1, 200)
    );
    let total: i64 = get(&bound(&count_sql, &patterns, None).fetch_one(pool).await?, "n")?;
    let rows = bound(&page_sql, &patterns, None).fetch_all(pool).await?;
    let found = rows
        .iter()
        .map(|r| {
            Ok(ResearchItem {
                id: get(r, "id")?,
                member_country: get(r, "member_country")?,
                level: get(r, "level")?,
                language: get(r, "language")?,
                year_from: get(r, "year_from")?,
                year_to: get(r, "year_to")?,
                body: get(r, "body")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((total, found))
}
