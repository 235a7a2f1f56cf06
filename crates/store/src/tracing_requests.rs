//! The tracing requests repository: who is sought on a case, by whom, and where they were
//! last seen (the person sought is one of the case's people).

use kinbridge_domain::ids::{CaseId, UserId};
use kinbridge_domain::tracing::{NewTracingRequest, TracingStatus};
use serde::Serialize;
use sqlx::{Any, Executor};

use crate::rows::{get, term};
use crate::{now, Result, Tx};

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TracingRequest {
    pub id: String,
    pub person_id: String,
    pub sought_name: String,
    pub sought_birth_date: Option<String>,
    pub inquirer_name: String,
    pub relation: String,
    pub last_seen_place: String,
    pub last_seen_on: String,
    pub circumstances: String,
    pub created_at: String,
    pub status: TracingStatus,
    pub closed_on: Option<String>,
    pub closing_note: String,
}

/// Records a tracing request for `person` (already inserted); returns its id.
pub async fn insert(
    tx: &mut Tx,
    case_id: &CaseId,
    person_id: &str,
    t: &NewTracingRequest,
    by: &UserId,
) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO tracing_requests (id, case_id, person_id, inquirer_name, relation, last_seen_place, last_seen_on, circumstances, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(case_id.to_string())
    .bind(person_id.to_string())
    .bind(&t.inquirer_name)
    .bind(&t.relation)
    .bind(&t.last_seen_place)
    .bind(&t.last_seen_on)
    .bind(&t.circumstances)
    .bind(by.as_str())
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// The tracing requests of a case, oldest first.
pub async fn of_case<'e, E: Executor<'e, Database = Any>>(e: E, case_id: &CaseId) -> Result<Vec<TracingRequest>> {
    let rows = sqlx::query(
        "SELECT t.id, t.person_id, p.given_names, p.family_name, p.birth_date, t.inquirer_name, t.relation, \
                t.last_seen_place, t.last_seen_on, t.circumstances, t.created_at, t.status, t.closed_on, t.closing_note \
         FROM tracing_requests t JOIN people p ON p.id = t.person_id WHERE t.case_id = $1 ORDER BY t.created_at",
    )
    .bind(case_id.as_str())
    .fetch_all(e)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TracingRequest {
                id: get(r, "id")?,
                person_id: get(r, "person_id")?,
                sought_name: format!("{} {}", get::<String>(r, "given_names")?, get::<String>(r, "family_name")?)
                    .trim()
                    .to_string(),
                sought_birth_date: get(r, "birth_date")?,
                inquirer_name: get(r, "inquirer_name")?,
                relation: get(r, "relation")?,
                last_seen_place: get(r, "last_seen_place")?,
                last_seen_on: get(r, "last_seen_on")?,
                circumstances: get(r, "circumstances")?,
                created_at: get(r, "created_at")?,
                status: term(&get::<String>(r, "status")?, "tracing status", TracingStatus::parse)?,
                closed_on: get(r, "closed_on")?,
                closing_note: get(r, "closing_note")?,
            })
        })
        .collect()
}

/// Sets a tracing request's status (ended today with a note, or open again); its person and
/// status before, if it is the case's.
pub async fn set_status(
    tx: &mut Tx,
    case_id: &CaseId,
    id: &str,
    status: TracingStatus,
    note: &str,
) -> Result<Option<TracingStatus>> {
    let before = sqlx::query("SELECT status FROM tracing_requests WHERE id = $1 AND case_id = $2")
        .bind(id)
        .bind(case_id.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    let Some(before) = before else { return Ok(None) };
    let before = term(&get::<String>(&before, "status")?, "tracing status", TracingStatus::parse)?;
    let closed_on = (status != TracingStatus::Open).then(|| crate::today().to_string());
    sqlx::query("UPDATE tracing_requests SET status = $1, closed_on = $2, closing_note = $3 WHERE id = $4")
        .bind(status.as_str())
        .bind(closed_on)
        .bind(note)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(Some(before))
}
