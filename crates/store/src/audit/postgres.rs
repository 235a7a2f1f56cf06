//! PostgreSQL: read-audit groups committed in one round trip.
//!
//! A group used to be a chain of round trips (begin, lock the head, check the stamps,
//! insert, update the head, commit), and every read of the group waited for all of them.
//! Here the writer keeps the head it last wrote and asks one function, `kb_audit_append`
//! (migration `0014_audit_append_function.postgres.sql`), to append the group after it: the
//! function locks the head, checks that the head and the stamps of the group's checked reads
//! are what the writer expects, and only then inserts
//! the entries and moves the head, all in the one statement's transaction. When something
//! moved (a write of this instance or another appended entries, a case changed), it writes
//! nothing and answers what it found; the writer then goes again inside a transaction, where
//! a first call takes the head's lock and tells it the state, and a second, with the state
//! the lock now keeps, appends.
//!
//! The chain's hashes are still made only in Rust (`chain_hash`), from the head the
//! function confirms under its lock.

use std::collections::HashMap;

use kinbridge_domain::audit::{AuditEntry, AuditKey};
use serde::Deserialize;
use sqlx::{AnyConnection, Connection};

use super::{entries_of, links, standing, GroupCommit, Head, Job, Link};
use crate::rows::get;
use crate::{Result, StoreError};

/// How the writer's connection is named in `pg_stat_activity`.
pub const APPLICATION_NAME: &str = "kinbridge-audit";

const CALL: &str = "SELECT kb_audit_append($1, $2, $3, $4, $5, $6) AS moved";

/// What the function found when the group's expectations did not hold.
#[derive(Deserialize, schemars::JsonSchema)]
pub(super) struct Moved {
    seq: i64,
    hash: String,
    stamps: HashMap<String, i64>,
}

/// The entries chained after `head`, as the function takes them, and the head they end at.
fn chained(key: &AuditKey, head: &Head, entries: &[AuditEntry]) -> (String, Head) {
    let (links, new_head) = links(key, head, entries);
    (rows(&links), new_head)
}

/// Chained entries as the function takes them: a JSON array of rows.
pub(super) fn rows(links: &[Link<'_>]) -> String {
    serde_json::to_string(links).expect("audit rows serialise")
}

/// The checks of the jobs to be written, as the function takes them: `[[case id, stamp], ...]`.
fn checks_of(jobs: &[Job], written: &[bool]) -> String {
    let checks: Vec<(&str, i64)> = jobs
        .iter()
        .zip(written)
        .filter(|(_, w)| **w)
        .filter_map(|((_, check, _), _)| check.as_ref().map(|(id, stamp)| (id.as_str(), *stamp)))
        .collect();
    serde_json::to_string(&checks).expect("checks serialise")
}

/// The audit writer's connection and the head it last wrote or saw.
pub(crate) struct Writer {
    url: String,
    key: AuditKey,
    conn: Option<AnyConnection>,
    head: Option<Head>,
}

impl Writer {
    /// The writer's connections name themselves `kinbridge-audit` to the server.
    pub(crate) fn new(url: &str, key: AuditKey) -> Self {
        let sep = if url.contains('?') { '&' } else { '?' };
        Self { url: format!("{url}{sep}application_name={APPLICATION_NAME}"), key, conn: None, head: None }
    }

    /// Commits a group: whether each job's entries were written. After a failure the
    /// connection and the head are forgotten, and the next group starts afresh.
    async fn commit_group(&mut self, jobs: &[Job]) -> Result<Vec<bool>> {
        if jobs.iter().all(|(e, _, _)| e.is_empty()) {
            return Ok(vec![true; jobs.len()]);
        }
        let result = self.try_commit(jobs).await;
        if result.is_err() {
            self.conn = None;
            self.head = None;
        }
        result
    }

    async fn try_commit(&mut self, jobs: &[Job]) -> Result<Vec<bool>> {
        // Every checked read is taken to be current, and the head to be where it was left.
        let mut written = vec![true; jobs.len()];
        let head = match self.head.clone() {
            Some(head) => head,
            None => self.read_head().await?,
        };
        let (rows, new_head) = chained(&self.key, &head, &entries_of(jobs, &written));
        let checks = checks_of(jobs, &written);
        let conn = self.connection().await?;
        let moved = match call(&mut *conn, &head, &checks, &rows, &new_head).await {
            Ok(moved) => moved,
            // The connection may have been closed while idle (the server restarted): once
            // more on a new one. Should the first call have been applied after all, the head
            // has moved and the group is appended again: its entries are then written twice,
            // never lost. (The head's hash cannot tell whether they were written: another
            // instance may have appended the very same entries, the same user reading the
            // same case in the same millisecond, after the same head.)
            Err(e) if connection_lost(&e) => {
                self.conn = None;
                let conn = self.connection().await?;
                call(&mut *conn, &head, &checks, &rows, &new_head).await?
            }
            Err(e) => return Err(e),
        };
        let Some(moved) = moved else {
            self.head = Some(new_head);
            return Ok(written);
        };
        // Something moved: under the head's lock, learn the state, then append after it.
        let key = self.key.clone();
        let conn = self.connection().await?;
        let mut tx = conn.begin().await?;
        let mut state = moved;
        let mut tries = 0;
        loop {
            written = standing(jobs, |id| state.stamps.get(id).copied());
            let head = (state.seq, state.hash.clone());
            let (rows, new_head) = chained(&key, &head, &entries_of(jobs, &written));
            match call(&mut *tx, &head, &checks_of(jobs, &written), &rows, &new_head).await? {
                None => {
                    tx.commit().await?;
                    self.head = Some(new_head);
                    return Ok(written);
                }
                // The head is locked now, but a case may still be changed by a statement
                // that does not take it (one made by hand): read again, a few times.
                Some(m) if tries < 8 => {
                    state = m;
                    tries += 1;
                }
                Some(_) => {
                    return Err(StoreError::Database(sqlx::Error::Protocol(
                        "the cases of an audit group kept changing".into(),
                    )))
                }
            }
        }
    }

    async fn connection(&mut self) -> Result<&mut AnyConnection> {
        if self.conn.is_none() {
            self.conn = Some(AnyConnection::connect(&self.url).await?);
        }
        Ok(self.conn.as_mut().expect("connected above"))
    }

    async fn read_head(&mut self) -> Result<Head> {
        let conn = self.connection().await?;
        let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(conn).await?;
        Ok((get(&row, "seq")?, get(&row, "hash")?))
    }
}

/// Whether an error says the connection is gone: the socket failed, or the server ended the
/// session (SQLSTATE classes 08, connection exception, and 57P, e.g. terminated by an
/// administrator or a restart).
fn connection_lost(e: &StoreError) -> bool {
    match e {
        StoreError::Database(sqlx::Error::Io(_)) => true,
        StoreError::Database(sqlx::Error::Database(db)) => {
            db.code().is_some_and(|c| c.starts_with("08") || c.starts_with("57P"))
        }
        _ => false,
    }
}

/// One call of the function: `None` if it appended the rows, or what it found instead.
pub(super) async fn call<'c, E>(
    conn: E,
    head: &Head,
    checks: &str,
    rows: &str,
    new_head: &Head,
) -> Result<Option<Moved>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let row = sqlx::query(CALL)
        .bind(head.0)
        .bind(head.1.as_str())
        .bind(checks)
        .bind(rows)
        .bind(new_head.0)
        .bind(new_head.1.as_str())
        // All of the answer, not the first row: through sqlx's `Any` driver `fetch_one`
        // returns at the row, before the server has committed the statement's transaction
        // (and flushed it); only the end of the answer says it has. A store test
        // (`audit_groups_from_two_instances`) lost reads' entries that way.
        .fetch_all(conn)
        .await?;
    let row = row.first().ok_or_else(|| StoreError::Database(sqlx::Error::RowNotFound))?;
    match get::<Option<String>>(row, "moved")? {
        None => Ok(None),
        Some(json) => serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| StoreError::Database(sqlx::Error::Protocol(format!("kb_audit_append answered {e}")))),
    }
}

impl GroupCommit for Writer {
    async fn commit(&mut self, jobs: &[Job]) -> Result<Vec<bool>> {
        self.commit_group(jobs).await
    }
}
