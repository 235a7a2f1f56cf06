//! What the search index reads (the store's `indexing` reads, as use cases of the system),
//! and the audit of a search.

use kinbridge_domain::ids::CaseId;
use kinbridge_store::indexing;
pub use kinbridge_store::indexing::{CaseForIndex, IndexedTable, RequestForIndex};

use crate::{Casework, Result};

impl Casework {
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn case_for_index(&self, id: &str) -> Result<Option<CaseForIndex>> {
        Ok(indexing::case(self.pool(), &CaseId::from_trusted(id.to_string())).await?)
    }

    /// The requests of a case (ids), for reindexing them with it.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn request_ids_of_case(&self, case_id: &str) -> Result<Vec<String>> {
        Ok(indexing::request_ids_of_case(self.pool(), &CaseId::from_trusted(case_id.to_string())).await?)
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn request_for_index(&self, id: &str) -> Result<Option<RequestForIndex>> {
        Ok(indexing::request(self.pool(), id).await?)
    }

    /// Ids of a table's rows after `after`, in pages (for a full reindex).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn ids_after(&self, table: IndexedTable, after: &str, limit: i64) -> Result<Vec<String>> {
        Ok(indexing::ids_after(self.pool(), table, after, limit).await?)
    }

    /// Audits a search: who looked for what, and how many hits they were shown.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn audit_search(&self, caller: &crate::Caller, query: &str, hits: u64) -> Result<()> {
        let q: String = query.chars().take(200).collect();
        self.audit(vec![caller.entry(
            kinbridge_domain::audit::AuditAction::List,
            "search",
            None,
            &format!("{q} ({hits} hits)"),
        )])
        .await
    }
}
