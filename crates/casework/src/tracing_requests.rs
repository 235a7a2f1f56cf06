//! Tracing requests on cases, scoped and audited like the rest of the case.

use kinbridge_domain::access::CaseAccess;
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::case::EventKind;
use kinbridge_domain::tracing::NewTracingRequest;
use serde::Serialize;
use sqlx::{Any, Executor};

use crate::cases::{event, insert_person, refresh_search_text};
use crate::{get, now, Caller, Casework, Result};
use kinbridge_store::audit::append;

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

impl Casework {
    /// Opens a tracing request on a case: the person sought joins the case's people (and so the
    /// person index, if the case has consent to tracing) and matching starts in the background.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn add_tracing_request(
        &self,
        caller: &Caller,
        case_id: &str,
        t: &NewTracingRequest,
    ) -> Result<TracingRequest> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        let mut tx = self.begin_write().await?;
        let person = insert_person(&mut tx, case.id.as_str(), &t.sought).await?;
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO tracing_requests (id, case_id, person_id, inquirer_name, relation, last_seen_place, last_seen_on, circumstances, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&id)
        .bind(case.id.as_str())
        .bind(person.as_str())
        .bind(&t.inquirer_name)
        .bind(&t.relation)
        .bind(&t.last_seen_place)
        .bind(&t.last_seen_on)
        .bind(&t.circumstances)
        .bind(caller.actor.user_id.as_str())
        .bind(now())
        .execute(&mut *tx)
        .await?;
        refresh_search_text(&mut tx, case.id.as_str()).await?;
        let summary = format!("{} {} ({})", t.sought.given_names, t.sought.family_name, t.relation);
        event(&mut tx, case.id.as_str(), Some(&caller.actor.user_id), EventKind::TracingRequestOpened, summary.trim())
            .await?;
        append(&mut tx, &[caller.entry(AuditAction::Create, "tracing_request", Some(&id), case.id.as_str())]).await?;
        kinbridge_store::jobs::enqueue(&mut tx, crate::jobs::MATCH_CASE, case.id.as_str()).await?;
        tx.commit().await?;
        self.store.wake_jobs();
        let all = tracing_requests_of(self.pool(), case.id.as_str()).await?;
        all.into_iter().find(|r| r.id == id).ok_or_else(crate::Error::not_found)
    }

    /// The tracing requests of a case, audited as a read of the case.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn tracing_requests(&self, caller: &Caller, case_id: &str) -> Result<Vec<TracingRequest>> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Read).await?;
        let out = tracing_requests_of(self.pool(), case.id.as_str()).await?;
        self.audit(vec![caller.entry(AuditAction::Read, "case", Some(case.id.as_str()), "tracing_requests")]).await?;
        Ok(out)
    }
}

pub(crate) async fn tracing_requests_of<'e, E: Executor<'e, Database = Any>>(
    e: E,
    case_id: &str,
) -> Result<Vec<TracingRequest>> {
    let rows = sqlx::query(
        "SELECT t.id, t.person_id, p.given_names, p.family_name, p.birth_date, t.inquirer_name, t.relation, \
                t.last_seen_place, t.last_seen_on, t.circumstances, t.created_at \
         FROM tracing_requests t JOIN people p ON p.id = t.person_id WHERE t.case_id = $1 ORDER BY t.created_at",
    )
    .bind(case_id)
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
