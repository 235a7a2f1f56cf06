//! The audit trail as the data protection officer reads it: the latest entries, or those about
//! one record. Reading it is itself audited.

use kinbridge_domain::audit::AuditAction;
pub use kinbridge_store::audit::AuditRow;
use kinbridge_store::rows::get;

use crate::{Caller, Casework, Result};

impl Casework {
    /// The most recent audit entries about one record, newest first (for the DPO).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn audit_trail(&self, caller: &Caller, entity_id: Option<&str>, limit: i64) -> Result<Vec<AuditRow>> {
        caller.actor.require(caller.actor.can_read_audit())?;
        let rows = match entity_id {
            Some(id) => sqlx::query("SELECT seq, at, user_id, ip, action, entity, entity_id, detail FROM audit_log WHERE entity_id = $1 ORDER BY seq DESC LIMIT $2")
                .bind(id.to_string()).bind(limit).fetch_all(self.pool()).await?,
            None => sqlx::query("SELECT seq, at, user_id, ip, action, entity, entity_id, detail FROM audit_log ORDER BY seq DESC LIMIT $1")
                .bind(limit).fetch_all(self.pool()).await?,
        };
        self.audit(vec![caller.entry(AuditAction::Read, "audit_log", entity_id, "")]).await?;
        rows.iter()
            .map(|r| {
                Ok(AuditRow {
                    seq: get(r, "seq")?,
                    at: get(r, "at")?,
                    user_id: get(r, "user_id")?,
                    ip: get(r, "ip")?,
                    action: get(r, "action")?,
                    entity: get(r, "entity")?,
                    entity_id: get(r, "entity_id")?,
                    detail: get(r, "detail")?,
                })
            })
            .collect()
    }
}
