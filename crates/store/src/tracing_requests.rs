//! The tracing requests repository: who is sought on a case, by whom, and where they were
//! last seen (the person sought is one of the case's people).

use kinbridge_domain::ids::{CaseId, UserId};
use kinbridge_domain::tracing::NewTracingRequest;
use serde::Serialize;
use sqlx::{Any, Executor};

use crate::rows::get;
use crate::{now, Result, Tx};

#[derive(Debug, Clone, Serialize)]
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
                t.last_seen_place, t.last_seen_on, t.circumstances, t.created_at \
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
            })
        })
        .collect()
}
