//! Tracing requests on cases, scoped and audited like the rest of the case.

use kinbridge_domain::access::CaseAccess;
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::case::EventKind;
use kinbridge_domain::case::{Fact, Vocab};
use kinbridge_domain::tracing::NewTracingRequest;
use kinbridge_store::audit::append;
use kinbridge_store::tracing_requests;

use crate::cases::{event, insert_person, refresh_search_text};
use crate::{Caller, Casework, Result};

pub use kinbridge_store::tracing_requests::TracingRequest;

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
        let person = insert_person(&mut tx, &case.id, &t.sought).await?;
        let id = tracing_requests::insert(&mut tx, &case.id, person.as_str(), t, &caller.actor.user_id).await?;
        refresh_search_text(&mut tx, &case.id).await?;
        let summary = format!("{} {} ({})", t.sought.given_names, t.sought.family_name, t.relation);
        event(
            &mut tx,
            &case.id,
            Some(&caller.actor.user_id),
            EventKind::TracingRequestOpened,
            &[Fact::text(summary.trim())],
        )
        .await?;
        append(&mut tx, &[caller.entry(AuditAction::Create, "tracing_request", Some(&id), case.id.as_str())]).await?;
        kinbridge_store::jobs::enqueue(&mut tx, crate::jobs::MATCH_CASE, case.id.as_str()).await?;
        tx.commit().await?;
        self.store.wake_jobs();
        let all = tracing_requests::of_case(self.pool(), &case.id).await?;
        all.into_iter().find(|r| r.id == id).ok_or_else(crate::Error::not_found)
    }

    /// Ends a tracing request (found, not found, withdrawn) with a note, or opens it again.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn set_tracing_status(
        &self,
        caller: &Caller,
        case_id: &str,
        id: &str,
        status: kinbridge_domain::tracing::TracingStatus,
        note: &str,
    ) -> Result<()> {
        let note = kinbridge_domain::text::optional("note", note, 2000)
            .map_err(|e| kinbridge_domain::DomainError::Invalid(vec![e]))?;
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        let mut tx = self.begin_write().await?;
        let unknown = || {
            kinbridge_domain::DomainError::field("tracing_request", kinbridge_domain::ErrorCode::UnknownTracingRequest)
        };
        let before = tracing_requests::set_status(&mut tx, &case.id, id, status, &note).await?.ok_or_else(unknown)?;
        if before == status {
            return Ok(());
        }
        let mut facts = vec![Fact::change("status", Some(Vocab::TracingStatus), before.as_str(), status.as_str())];
        if !note.is_empty() {
            facts.push(Fact::text(&note));
        }
        event(&mut tx, &case.id, Some(&caller.actor.user_id), EventKind::TracingRequestUpdated, &facts).await?;
        append(&mut tx, &[caller.entry(AuditAction::Update, "tracing_request", Some(id), status.as_str())]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The tracing requests of a case, audited as a read of the case.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn tracing_requests(&self, caller: &Caller, case_id: &str) -> Result<Vec<TracingRequest>> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Read).await?;
        let out = tracing_requests::of_case(self.pool(), &case.id).await?;
        self.audit(vec![caller.entry(AuditAction::Read, "case", Some(case.id.as_str()), "tracing_requests")]).await?;
        Ok(out)
    }
}
