//! The background jobs of the application and the worker that runs them. A job is written to
//! the store's queue in the transaction of the change that calls for it (`kinbridge_store::jobs`);
//! here are the kinds and what each does.

use std::time::Duration;

use kinbridge_store::jobs::Job;

use crate::{Casework, Error, Result};

/// Find possible matches for the people of a case (key: the case id).
pub const MATCH_CASE: &str = "match_case";

/// Build (or remove) the research copy of a case (key: the case id).
pub const RESEARCH_CASE: &str = "research_case";

/// Import one file of an archive batch (key: the `archive_imports` row). Run by the import
/// workers (`archive_import`), not by [`Casework::start_job_worker`].
pub const ARCHIVE_IMPORT: &str = "archive_import";

/// The kinds the job worker runs.
pub const WORKER_KINDS: &[&str] = &[MATCH_CASE, RESEARCH_CASE];

/// How long a claimed job is reserved for its worker.
const LEASE: Duration = Duration::from_secs(120);

impl Casework {
    #[tracing::instrument(skip_all, fields(kind = %job.kind), err)]
    async fn run_job(&self, job: &Job) -> Result<()> {
        match job.kind.as_str() {
            MATCH_CASE => self.refresh_matches(&job.key).await.map(|_| ()),
            RESEARCH_CASE => self.build_research_case(&job.key).await,
            _ => Err(Error::Unsupported("unknown job kind")),
        }
    }

    /// Runs one claimed job to its end (finished, or failed and left for a retry).
    async fn work(&self, job: Job) -> Result<()> {
        match self.run_job(&job).await {
            Ok(()) => Ok(self.store.finish_job(&job).await?),
            Err(e) => Ok(self.store.fail_job(&job, &e.to_string()).await?),
        }
    }

    /// Runs every job that is free now and takes in the research corpus's share of the change
    /// feed, then returns how many jobs ran (for the CLI and tests).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn run_pending_jobs(&self) -> Result<usize> {
        let mut n = 0;
        while let Some(job) = self.store.claim_job(WORKER_KINDS, LEASE).await? {
            self.work(job).await?;
            n += 1;
        }
        // Archive text reaches the research corpus by the change feed, not by jobs.
        self.follow_research_feed().await?;
        Ok(n)
    }

    /// The background worker: runs jobs as they come (woken after each enqueue, and every few
    /// seconds to pick up expired leases). Runs until the task is dropped.
    pub fn start_job_worker(&self) -> tokio::task::JoinHandle<()> {
        let casework = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = casework.run_pending_jobs().await {
                    tracing::warn!(error = %e, "job queue unavailable");
                }
                casework.store.jobs_enqueued(Duration::from_secs(5)).await;
            }
        })
    }
}
