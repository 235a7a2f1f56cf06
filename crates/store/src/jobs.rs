//! A durable job queue in the database, the same on SQLite and PostgreSQL.
//!
//! Jobs are enqueued inside the transaction of the change that calls for them (so a committed
//! change always has its job, and a rolled-back one never does), claimed with a lease, and
//! deleted when done. A crashed worker's lease runs out and the job is claimed again. One job
//! per (kind, key) is pending at a time; enqueueing it again while it runs bumps its
//! generation, and the finished run leaves it queued for one more pass.

use std::time::Duration;

use sqlx::Row;

use crate::rows::get;
use crate::{Result, Store, Tx};

/// Attempts before a failing job is left alone (with its last error) for someone to look at.
const MAX_ATTEMPTS: i64 = 5;

#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub key: String,
    generation: i64,
    /// How often the job has been claimed, this time included.
    attempts: i64,
}

impl Job {
    /// Whether the job will not be claimed again if this attempt fails.
    pub fn is_last_attempt(&self) -> bool {
        self.attempts >= MAX_ATTEMPTS
    }
}

fn stamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Adds a job in the caller's transaction (or marks the pending one to run again). The kinds
/// and what they do are the application's (`casework::jobs`).
pub async fn enqueue(tx: &mut Tx, kind: &str, key: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO jobs (id, kind, job_key, generation, attempts, locked_until, created_at) VALUES ($1, $2, $3, 1, 0, NULL, $4) \
         ON CONFLICT (kind, job_key) DO UPDATE SET generation = jobs.generation + 1, attempts = 0",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(kind.to_string())
    .bind(key.to_string())
    .bind(crate::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Claims the oldest job that is free (never claimed, or whose lease ran out), reserving
    /// it for `lease`.
    pub async fn claim_job(&self, kinds: &[&str], lease: Duration) -> Result<Option<Job>> {
        let now = chrono::Utc::now();
        let until = now + chrono::Duration::from_std(lease).unwrap_or_else(|_| chrono::Duration::seconds(120));
        // The outer condition is checked again on the row as it is when updated, so two workers
        // racing for one job cannot both get it.
        let placeholders: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 4)).collect();
        let sql = format!(
            "UPDATE jobs SET locked_until = $1, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM jobs WHERE (locked_until IS NULL OR locked_until < $2) AND attempts < $3 \
             AND kind IN ({}) ORDER BY created_at LIMIT 1) \
             AND (locked_until IS NULL OR locked_until < $2) \
             RETURNING id, kind, job_key, generation, attempts",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(stamp(until)).bind(stamp(now)).bind(MAX_ATTEMPTS);
        for k in kinds {
            q = q.bind(k.to_string());
        }
        // `fetch_all`: through sqlx's `Any` driver `fetch_optional` returns at the first row,
        // before the claim is committed; the whole answer comes only after.
        let row = q.fetch_all(&self.pool).await?.into_iter().next();
        row.map(|r| {
            Ok(Job {
                id: get(&r, "id")?,
                kind: get(&r, "kind")?,
                key: get(&r, "job_key")?,
                generation: get(&r, "generation")?,
                attempts: get(&r, "attempts")?,
            })
        })
        .transpose()
    }

    /// Marks a claimed job done (or, if it was enqueued again meanwhile, free for one more pass).
    pub async fn finish_job(&self, job: &Job) -> Result<()> {
        let done = sqlx::query("DELETE FROM jobs WHERE id = $1 AND generation = $2")
            .bind(&job.id)
            .bind(job.generation)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            // Enqueued again while it ran: free it for another pass.
            sqlx::query("UPDATE jobs SET locked_until = NULL, attempts = 0 WHERE id = $1")
                .bind(&job.id)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    pub async fn fail_job(&self, job: &Job, error: &str) -> Result<()> {
        let retry_at = chrono::Utc::now() + chrono::Duration::seconds(30);
        sqlx::query("UPDATE jobs SET locked_until = $1, last_error = $2 WHERE id = $3")
            .bind(stamp(retry_at))
            .bind(error.chars().take(500).collect::<String>())
            .bind(&job.id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Jobs of a kind that are not finished and may still run (claimed or waiting).
    pub async fn outstanding_jobs(&self, kind: &str) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM jobs WHERE kind = $1 AND attempts < $2")
            .bind(kind.to_string())
            .bind(MAX_ATTEMPTS)
            .fetch_one(&self.pool)
            .await?;
        get(&row, "n")
    }

    /// Pending jobs as (kind, key, attempts, last error), oldest first.
    pub async fn pending_jobs(&self) -> Result<Vec<(String, String, i64, Option<String>)>> {
        let rows = sqlx::query("SELECT kind, job_key, attempts, last_error FROM jobs ORDER BY created_at")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("kind")?, r.try_get("job_key")?, r.try_get("attempts")?, r.try_get("last_error")?)))
            .collect()
    }
}

/// Frees the jobs of a kind reserved by workers that are gone (a killed import); how many.
pub async fn release(pool: &sqlx::AnyPool, kind: &str) -> Result<u64> {
    let done = sqlx::query("UPDATE jobs SET locked_until = NULL WHERE kind = $1 AND locked_until IS NOT NULL")
        .bind(kind.to_string())
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}
