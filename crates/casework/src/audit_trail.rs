//! The audit trail as the data protection officer reads it: the latest entries, or those about
//! one record. Reading it is itself audited.

use kinbridge_domain::audit::AuditAction;
pub use kinbridge_store::audit::AuditRow;

use crate::{Caller, Casework, Result};

impl Casework {
    /// The most recent audit entries about one record, newest first (for the DPO).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn audit_trail(&self, caller: &Caller, entity_id: Option<&str>, limit: i64) -> Result<Vec<AuditRow>> {
        caller.actor.require(caller.actor.can_read_audit())?;
        let rows = kinbridge_store::audit::latest(self.pool(), entity_id, limit).await?;
        self.audit(vec![caller.entry(AuditAction::Read, "audit_log", entity_id, "")]).await?;
        Ok(rows)
    }
}
