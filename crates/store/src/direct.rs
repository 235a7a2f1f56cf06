//! SQLite only: the two statements of a case view — the case row with its page stamp (when
//! the page is not kept), and the group commit of read-audit entries with the stamp checks
//! of kept pages' views — on `rusqlite` connections of our own.
//!
//! Through sqlx each statement is a round trip to the connection's worker thread: a channel
//! send, a thread wake-up and a wake-up back, which cost more than the statement itself (a
//! primary-key lookup). Here the stamp is read on the calling thread (a WAL reader never
//! waits for a writer), and the audit group is committed on the audit writer's own thread.
//! Both link the same SQLite library as sqlx (`libsqlite3-sys`, bundled), on the same file,
//! with the same pragmas; everything else still goes through sqlx.

use kinbridge_domain::ids::CaseId;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use kinbridge_domain::audit::{AuditEntry, AuditKey};
use kinbridge_domain::case::Case;

use crate::audit::{entries_of, links, standing, GroupCommit, Head, Job};
use crate::{Result, StoreError};

/// Connections kept for reading stamps; more are opened when more threads read at once.
const KEPT_READERS: usize = 8;

/// Opens connections on one SQLite database file.
#[derive(Debug)]
pub(crate) struct DirectSqlite {
    path: PathBuf,
    readers: Mutex<Vec<rusqlite::Connection>>,
}

impl DirectSqlite {
    /// For a file database URL; `None` for an in-memory one (nothing to share).
    pub(crate) fn for_url(url: &str) -> Result<Option<Self>> {
        use std::str::FromStr;
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)?;
        let path = options.get_filename();
        if path.as_os_str().is_empty() || path == Path::new(":memory:") || url.contains("mode=memory") {
            return Ok(None);
        }
        Ok(Some(Self { path: path.to_path_buf(), readers: Mutex::new(Vec::new()) }))
    }

    fn open(&self) -> Result<rusqlite::Connection> {
        use rusqlite::OpenFlags;
        let conn = rusqlite::Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // The journal mode is the file's (sqlx set WAL); these are per connection.
        // Pages read through a memory map instead of copied in: every audit commit makes
        // the other connections drop their page caches, and a case row read then reads its
        // few pages again without a copy.
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA mmap_size = 268435456;")?;
        conn.set_prepared_statement_cache_capacity(16);
        Ok(conn)
    }

    /// The case row the access decision is made on, with its page stamp.
    pub(crate) fn case_stamped(&self, id: &CaseId) -> Result<Option<(Case, i64)>> {
        let kept = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match kept {
            Some(c) => c,
            None => self.open()?,
        };
        let found = read_case_stamped(&conn, id);
        let mut readers = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if readers.len() < KEPT_READERS {
            readers.push(conn);
        }
        found
    }

    /// A connection for the audit writer's thread.
    pub(crate) fn writer(&self, key: AuditKey) -> Result<AuditConnection> {
        Ok(AuditConnection { conn: self.open()?, key })
    }
}

fn read_case_stamped(conn: &rusqlite::Connection, id: &CaseId) -> Result<Option<(Case, i64)>> {
    use rusqlite::OptionalExtension;
    let mut stmt = conn.prepare_cached(crate::cases::case_stamped_sql())?;
    let found =
        stmt.query_row([id.as_str()], |row| {
            Ok(crate::cases::case_from(row).map(|c| (c, row.get::<_, i64>("detail_stamp"))))
        })
        .optional()?;
    match found {
        None => Ok(None),
        Some(Ok((case, stamp))) => Ok(Some((case, stamp?))),
        Some(Err(e)) => Err(e),
    }
}

/// The audit writer's own connection (see `audit.rs`).
pub(crate) struct AuditConnection {
    conn: rusqlite::Connection,
    key: AuditKey,
}

impl AuditConnection {
    /// Appends a group's entries to the chain in one transaction, as `audit::append` does,
    /// and says for each job whether its entries were written: those of a checked read only
    /// if its case still has the stamp the read was decided at (read here, under the write
    /// lock, so that no change can come between the check and the entry).
    fn commit_group(&mut self, jobs: &[Job]) -> Result<Vec<bool>> {
        if jobs.iter().all(|(e, _, _)| e.is_empty()) {
            return Ok(vec![true; jobs.len()]);
        }
        // IMMEDIATE: take the write lock first, as `Store::begin_write` does by touching
        // the head, so that the head read below cannot go stale. Every statement is kept
        // prepared: a group is often only a few entries, and parsing would cost more.
        let conn = &self.conn;
        conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        let written = checked(conn, jobs).and_then(|written| {
            append(conn, &self.key, &entries_of(jobs, &written))?;
            conn.prepare_cached("COMMIT")?.execute([])?;
            Ok(written)
        });
        if written.is_err() && !conn.is_autocommit() {
            // Nothing of a failed group stays; the connection is ready for the next one.
            let _ = conn.execute_batch("ROLLBACK");
        }
        written
    }
}

/// Which jobs stand (see [`standing`]), each checked case read once.
fn checked(conn: &rusqlite::Connection, jobs: &[Job]) -> Result<Vec<bool>> {
    use rusqlite::OptionalExtension;
    let mut current: HashMap<&str, Option<i64>> = HashMap::new();
    let mut stamp = conn.prepare_cached("SELECT detail_stamp FROM cases WHERE id = ?1")?;
    for (_, check, _) in jobs {
        if let Some((id, _)) = check {
            if !current.contains_key(id.as_str()) {
                let found = stamp.query_row([id], |r| r.get::<_, i64>(0)).optional()?;
                current.insert(id, found);
            }
        }
    }
    Ok(standing(jobs, |id| current.get(id).copied().flatten()))
}

fn append(conn: &rusqlite::Connection, key: &AuditKey, entries: &[AuditEntry]) -> Result<()> {
    let head: Head = conn.prepare_cached(crate::audit::HEAD_READ)?.query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let (links, (seq, hash)) = links(key, &head, entries);
    let mut insert = conn.prepare_cached(&format!("{}{}", crate::audit::LINK_INSERT, crate::audit::LINK_VALUES))?;
    for l in &links {
        insert.execute(rusqlite::params![
            l.seq,
            l.at,
            l.user_id,
            l.member_id,
            l.ip,
            l.action,
            l.entity,
            l.entity_id,
            l.detail,
            l.prev_hash,
            l.hash
        ])?;
    }
    conn.prepare_cached(crate::audit::HEAD_WRITE)?.execute(rusqlite::params![seq, hash])?;
    Ok(())
}

impl GroupCommit for AuditConnection {
    async fn commit(&mut self, jobs: &[Job]) -> Result<Vec<bool>> {
        self.commit_group(jobs)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Direct(e.to_string())
    }
}
