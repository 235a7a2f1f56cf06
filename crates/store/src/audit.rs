//! The tamper-evident audit trail. Writes append their entries inside their own transaction;
//! reads go through [`AuditWriter`], which commits the entries of many concurrent requests in
//! one transaction (group commit) and answers each request only once its entry is durable.
//! On SQLite the group is committed on a direct connection ([`crate::direct`]); on
//! PostgreSQL in one round trip, by a function that checks what the group depends on
//! ([`postgres`]).
//!
//! The chain's hashes are MACs under the audit key, which the database does not hold, and
//! [`checkpoints`] of its head are kept outside the database: `verify` finds an edited entry
//! (its MAC no longer matches, and nobody without the key can make one that does) and
//! entries deleted from the end up to the last checkpoint.

use kinbridge_domain::audit::{chain_hash, legacy_chain_hash, AuditAction, AuditEntry, AuditKey, GENESIS};
use tokio::sync::{mpsc, oneshot};

use crate::rows::get;
use crate::{now, Result, Store, StoreError, Tx};

pub mod checkpoints;
pub mod postgres;

/// The most entries committed in one group.
const MAX_GROUP: usize = 1024;

/// A read whose entries stand only if the case it read still has the page stamp it was read
/// at: the case id and that stamp.
type Check = Option<(String, i64)>;

/// Entries to commit, the check they depend on, and where to say whether they were written.
pub(crate) type Job = (Vec<AuditEntry>, Check, oneshot::Sender<Result<bool, String>>);

/// Hands read-audit entries to one background task that commits them in groups.
#[derive(Clone)]
pub struct AuditWriter {
    tx: mpsc::UnboundedSender<Job>,
}

/// A backend's one way of appending to the chain: it commits a group of audit jobs on a
/// connection of its own and says, for each job, whether its entries were written (a
/// checked read's only if its case still has the stamp the read was decided at). SQLite
/// commits on a direct connection ([`crate::direct`]), PostgreSQL by one call of
/// `kb_audit_append` ([`postgres`]); a write's entries, inside the write's transaction, go
/// through [`append`], which on PostgreSQL calls the same function.
pub(crate) trait GroupCommit: Send + 'static {
    async fn commit(&mut self, jobs: &[Job]) -> Result<Vec<bool>>;
}

impl AuditWriter {
    /// Commits groups from a thread of its own with a runtime of its own, so that the
    /// replies to its statements do not wait behind the page requests queued on the shared
    /// runtime (every read of a group waits for it).
    pub(crate) fn start(mut backend: impl GroupCommit) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
        std::thread::Builder::new()
            .name("kinbridge-audit".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("the audit writer's runtime starts");
                runtime.block_on(async move {
                    while let Some(first) = rx.recv().await {
                        // No gathering pause: a commit waits for its flush, and the reads
                        // arriving meanwhile form the next group by themselves. A pause would
                        // only add to every read's wait.
                        let mut jobs = vec![first];
                        drain(&mut rx, &mut jobs);
                        match backend.commit(&jobs).await {
                            // One job's entries must not fail the others': each on its own.
                            Err(_) if jobs.len() > 1 => {
                                for job in jobs {
                                    let result = backend.commit(std::slice::from_ref(&job)).await;
                                    answer(vec![job], result);
                                }
                            }
                            result => answer(jobs, result),
                        }
                    }
                });
            })
            .expect("the audit writer thread starts");
        Self { tx }
    }

    /// Records entries and returns once they are committed.
    pub async fn record(&self, entries: Vec<AuditEntry>) -> Result<()> {
        self.send(entries, None).await.map(drop)
    }

    /// Records the entries of a read of case `id` at page stamp `stamp`, in a group whose
    /// transaction first checks that the case still has that stamp: they are written, and
    /// `true` returned, only if it has. With `false` nothing was written.
    pub async fn record_if_current(&self, entries: Vec<AuditEntry>, id: &str, stamp: i64) -> Result<bool> {
        self.send(entries, Some((id.to_string(), stamp))).await
    }

    async fn send(&self, entries: Vec<AuditEntry>, check: Check) -> Result<bool> {
        let entries = entries.into_iter().map(AuditEntry::storable).collect();
        let (done, wait) = oneshot::channel();
        self.tx.send((entries, check, done)).map_err(|_| StoreError::AuditClosed)?;
        match wait.await {
            Ok(Ok(written)) => Ok(written),
            Ok(Err(e)) => Err(StoreError::Database(sqlx::Error::Protocol(e))),
            Err(_) => Err(StoreError::AuditClosed),
        }
    }

    /// Waits until everything handed over so far is committed.
    pub async fn flush(&self) {
        let _ = self.record(Vec::new()).await;
    }
}

/// Takes what is queued, up to a group's size.
fn drain(rx: &mut mpsc::UnboundedReceiver<Job>, jobs: &mut Vec<Job>) {
    while jobs.len() < MAX_GROUP {
        match rx.try_recv() {
            Ok(j) => jobs.push(j),
            Err(_) => break,
        }
    }
}

/// Which jobs of a group stand, given the current stamp of each checked case (`None` for a
/// case not found): those without a check, and those whose case still has the stamp their
/// read was decided at.
pub(crate) fn standing(jobs: &[Job], current: impl Fn(&str) -> Option<i64>) -> Vec<bool> {
    jobs.iter().map(|(_, check, _)| check.as_ref().is_none_or(|(id, stamp)| current(id) == Some(*stamp))).collect()
}

/// The entries of the jobs that are to be written.
pub(crate) fn entries_of(jobs: &[Job], written: &[bool]) -> Vec<AuditEntry> {
    jobs.iter().zip(written).filter(|(_, w)| **w).flat_map(|((e, _, _), _)| e.iter().cloned()).collect()
}

/// Tells every request of a group how its commit went: whether its entries were written.
fn answer(jobs: Vec<Job>, result: Result<Vec<bool>>) {
    let result = result.map_err(|e| e.to_string());
    if let Err(e) = &result {
        tracing::error!(error = %e, "audit group commit failed");
    }
    for (i, (_, _, done)) in jobs.into_iter().enumerate() {
        let _ = done.send(result.as_ref().map(|w| w[i]).map_err(Clone::clone));
    }
}

/// The chain's head: the last entry's sequence number and hash.
pub(crate) type Head = (i64, String);

/// An entry chained after the head, as every backend inserts it.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub(crate) struct Link<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub user_id: Option<&'a str>,
    pub member_id: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<&'a str>,
    pub detail: &'a str,
    pub prev_hash: String,
    pub hash: String,
}

/// The entries chained after `head` under the audit key, and the head they end at: the one
/// place where appended entries get their hashes.
pub(crate) fn links<'a>(key: &AuditKey, head: &Head, entries: &'a [AuditEntry]) -> (Vec<Link<'a>>, Head) {
    let (mut seq, mut prev) = head.clone();
    let mut links = Vec::with_capacity(entries.len());
    for e in entries {
        seq += 1;
        let hash = chain_hash(key, &prev, seq, e);
        links.push(Link {
            seq,
            at: &e.at,
            user_id: e.user_id.as_deref(),
            member_id: e.member_id.as_deref(),
            ip: e.ip.as_deref(),
            action: e.action.as_str(),
            entity: &e.entity,
            entity_id: e.entity_id.as_deref(),
            detail: &e.detail,
            prev_hash: std::mem::replace(&mut prev, hash.clone()),
            hash,
        });
    }
    (links, (seq, prev))
}

/// The statements every append runs, whichever connection runs them (the pool's write
/// transaction, or on SQLite the direct connection that commits groups of read entries);
/// `$n` placeholders read the same to sqlx and to SQLite itself.
pub(crate) const HEAD_READ: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";
pub(crate) const HEAD_WRITE: &str = "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1";
pub(crate) const LINK_INSERT: &str =
    "INSERT INTO audit_log (seq, at, user_id, member_id, ip, action, entity, entity_id, detail, prev_hash, hash) VALUES ";
pub(crate) const LINK_VALUES: &str = "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// Appends entries to the chain inside `tx`, which must hold the head (see `Store::begin_write`).
pub async fn append(tx: &mut Tx, entries: &[AuditEntry]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let key = tx.audit_key.clone();
    let entries: Vec<AuditEntry> = entries.iter().cloned().map(AuditEntry::storable).collect();
    let row = sqlx::query(HEAD_READ).fetch_one(&mut **tx).await?;
    let head: Head = (get(&row, "seq")?, get(&row, "hash")?);
    let (links, new_head) = links(&key, &head, &entries);
    if tx.backend_name() == "PostgreSQL" {
        // The transaction holds the head: the function finds it as read, with nothing to check.
        return match postgres::call(&mut **tx, &head, "[]", &postgres::rows(&links), &new_head).await? {
            None => Ok(()),
            Some(_) => Err(StoreError::Database(sqlx::Error::Protocol("the audit head moved under its lock".into()))),
        };
    }
    // Many rows per statement: one round trip, not one per entry.
    const ROWS_PER_STATEMENT: usize = 50;
    for chunk in links.chunks(ROWS_PER_STATEMENT) {
        let mut sql = String::from(LINK_INSERT);
        let mut args = sqlx::any::AnyArguments::default();
        for (i, l) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let b = i * 11;
            sql.push('(');
            sql.push_str(&(1..=11).map(|n| format!("${}", b + n)).collect::<Vec<_>>().join(", "));
            sql.push(')');
            use sqlx::Arguments;
            let r: Result<(), sqlx::error::BoxDynError> = (|| {
                args.add(l.seq)?;
                args.add(l.at.to_string())?;
                args.add(l.user_id.map(str::to_string))?;
                args.add(l.member_id.map(str::to_string))?;
                args.add(l.ip.map(str::to_string))?;
                args.add(l.action.to_string())?;
                args.add(l.entity.to_string())?;
                args.add(l.entity_id.map(str::to_string))?;
                args.add(l.detail.to_string())?;
                args.add(l.prev_hash.clone())?;
                args.add(l.hash.clone())
            })();
            r.map_err(sqlx::Error::Encode)?;
        }
        sqlx::query_with(&sql, args).execute(&mut **tx).await?;
    }
    sqlx::query(HEAD_WRITE).bind(new_head.0).bind(&new_head.1).execute(&mut **tx).await?;
    Ok(())
}

/// An entry of the system itself (the chain sealed, a database restored).
fn system_entry(action: AuditAction, detail: &str) -> AuditEntry {
    AuditEntry {
        at: now(),
        user_id: None,
        member_id: None,
        ip: None,
        action,
        entity: "audit_log".to_string(),
        entity_id: None,
        detail: detail.to_string(),
    }
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact {
        entries: i64,
        /// The checkpoints kept outside the database that the chain was checked against:
        /// where each is kept, the entry it saw, and when.
        checkpoints: Vec<(String, i64, String)>,
    },
    /// The first entry whose stored hash does not match its content or predecessor, or where
    /// the chain stops agreeing with a checkpoint.
    Broken { seq: i64, reason: String },
}

/// One stored entry as it is read back for checking.
struct Stored {
    seq: i64,
    entry: Option<AuditEntry>,
    prev_hash: String,
    hash: String,
}

fn stored(row: &sqlx::any::AnyRow) -> Result<Stored> {
    let action: String = get(row, "action")?;
    let entry = match AuditAction::parse(&action) {
        Some(action) => Some(AuditEntry {
            at: get(row, "at")?,
            user_id: get(row, "user_id")?,
            member_id: get(row, "member_id")?,
            ip: get(row, "ip")?,
            action,
            entity: get(row, "entity")?,
            entity_id: get(row, "entity_id")?,
            detail: get(row, "detail")?,
        }),
        None => None,
    };
    Ok(Stored { seq: get(row, "seq")?, entry, prev_hash: get(row, "prev_hash")?, hash: get(row, "hash")? })
}

const ENTRY_COLUMNS: &str = "seq, at, user_id, member_id, ip, action, entity, entity_id, detail, prev_hash, hash";

impl Store {
    /// Records read-access entries; returns when they are committed.
    pub async fn audit(&self, entries: Vec<AuditEntry>) -> Result<()> {
        self.audit.record(entries).await
    }

    /// The chain's head, `None` if its row is gone.
    pub(crate) async fn audit_head(&self) -> Result<Option<(i64, String)>> {
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_optional(&self.pool).await?;
        head.map(|h| Ok((get(&h, "seq")?, get(&h, "hash")?))).transpose()
    }

    /// Recomputes the chain from the start with the audit key, compares it with the stored
    /// hashes and head, and then with the checkpoints kept outside the database.
    pub async fn verify_audit(&self) -> Result<Verification> {
        use futures::TryStreamExt;
        // The head first, then the entries up to it: a group committed between the two
        // reads adds entries past the head read, which are left to the next check, instead
        // of looking like a head whose entries were deleted.
        let Some((head_seq, head_hash)) = self.audit_head().await? else {
            return Ok(Verification::Broken { seq: 0, reason: "the chain's head row was deleted".into() });
        };
        let checkpoints = match checkpoints::read_all(self).await {
            Ok(found) => found,
            Err(reason) => return Ok(Verification::Broken { seq: 0, reason }),
        };
        let mut seen_at_checkpoints: Vec<Option<String>> = vec![None; checkpoints.len()];
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq <= $1 ORDER BY seq");
        let mut rows = sqlx::query(&sql).bind(head_seq).fetch(&self.pool);
        let mut prev = GENESIS.to_string();
        let mut expected_seq = 0i64;
        while let Some(row) = rows.try_next().await? {
            expected_seq += 1;
            let e = stored(&row)?;
            if e.seq != expected_seq {
                return Ok(Verification::Broken { seq: expected_seq, reason: "entry missing".into() });
            }
            if e.prev_hash != prev {
                return Ok(Verification::Broken { seq: e.seq, reason: "previous hash does not match".into() });
            }
            let matches =
                e.entry.as_ref().is_some_and(|entry| chain_hash(&self.audit_key, &prev, e.seq, entry) == e.hash);
            if !matches {
                let reason = if e.seq == 1 {
                    "content does not match its hash (edited, or sealed with another audit key than this one)"
                } else {
                    "content does not match its hash"
                };
                return Ok(Verification::Broken { seq: e.seq, reason: reason.into() });
            }
            for (i, c) in checkpoints.iter().enumerate() {
                if c.checkpoint.seq == e.seq {
                    seen_at_checkpoints[i] = Some(e.hash.clone());
                }
            }
            prev = e.hash;
        }
        drop(rows);
        if head_seq != expected_seq || head_hash != prev {
            return Ok(Verification::Broken {
                seq: expected_seq + 1,
                reason: "entries after this one were deleted".into(),
            });
        }
        for (c, seen) in checkpoints.iter().zip(&seen_at_checkpoints) {
            let at = &c.checkpoint.at;
            match seen {
                None => {
                    return Ok(Verification::Broken {
                        seq: head_seq + 1,
                        reason: format!(
                            "entries up to {} were deleted: the checkpoint of {at} in {} saw them",
                            c.checkpoint.seq, c.place
                        ),
                    })
                }
                Some(hash) if *hash != c.checkpoint.hash => {
                    return Ok(Verification::Broken {
                        seq: c.checkpoint.seq,
                        reason: format!("the entry differs from the checkpoint of {at} in {}", c.place),
                    })
                }
                Some(_) => {}
            }
        }
        Ok(Verification::Intact {
            entries: expected_seq,
            checkpoints: checkpoints.into_iter().map(|c| (c.place, c.checkpoint.seq, c.checkpoint.at)).collect(),
        })
    }

    /// A chain written before the audit key existed (unkeyed SHA-256 from its first entry) is
    /// sealed with the key once: checked as it was written, then every hash recomputed as a
    /// MAC, in one write transaction, and the sealing itself recorded. A chain that does not
    /// check, or of which a checkpoint exists already (a sealed chain never goes back), is left
    /// for `verify` to report.
    pub(crate) async fn seal_legacy_chain(&self) -> Result<()> {
        let first = sqlx::query(&format!("SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq = 1"))
            .fetch_optional(&self.pool)
            .await?;
        let Some(first) = first.as_ref().map(stored).transpose()? else { return Ok(()) };
        let Some(entry) = &first.entry else { return Ok(()) };
        if first.hash != legacy_chain_hash(GENESIS, 1, entry) || checkpoints::any_exist(self).await {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        let rows =
            sqlx::query(&format!("SELECT {ENTRY_COLUMNS} FROM audit_log ORDER BY seq")).fetch_all(&mut *tx).await?;
        let (mut legacy_prev, mut prev) = (GENESIS.to_string(), GENESIS.to_string());
        let mut sealed = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let e = stored(row)?;
            let Some(entry) = e.entry.filter(|entry| {
                e.seq == i as i64 + 1
                    && e.prev_hash == legacy_prev
                    && e.hash == legacy_chain_hash(&legacy_prev, e.seq, entry)
            }) else {
                tracing::error!(seq = e.seq, "the audit chain written before the audit key does not check; not sealed");
                return Ok(());
            };
            let hash = chain_hash(&self.audit_key, &prev, e.seq, &entry);
            sealed.push((e.seq, prev.clone(), hash.clone()));
            legacy_prev = e.hash;
            prev = hash;
        }
        for (seq, prev_hash, hash) in &sealed {
            sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3")
                .bind(prev_hash)
                .bind(hash)
                .bind(*seq)
                .execute(&mut *tx)
                .await?;
        }
        let last = sealed.last().map(|(seq, _, hash)| (*seq, hash.clone())).unwrap_or((0, GENESIS.to_string()));
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(last.0)
            .bind(&last.1)
            .execute(&mut *tx)
            .await?;
        let detail = format!("audit chain sealed with the audit key: {} entries", sealed.len());
        append(&mut tx, &[system_entry(AuditAction::Admin, &detail)]).await?;
        tx.commit().await?;
        tracing::info!(entries = sealed.len(), "audit chain sealed with the audit key");
        Ok(())
    }
}

/// The latest entries, newest first: about one record, or all.
pub async fn latest(pool: &sqlx::AnyPool, entity_id: Option<&str>, limit: i64) -> Result<Vec<AuditRow>> {
    const COLUMNS: &str = "seq, at, user_id, ip, action, entity, entity_id, detail";
    let rows = match entity_id {
        Some(id) => {
            sqlx::query(&format!("SELECT {COLUMNS} FROM audit_log WHERE entity_id = $1 ORDER BY seq DESC LIMIT $2"))
                .bind(id.to_string())
                .bind(limit)
                .fetch_all(pool)
                .await?
        }
        None => {
            sqlx::query(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT $1"))
                .bind(limit)
                .fetch_all(pool)
                .await?
        }
    };
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

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub user_id: Option<String>,
    pub ip: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub detail: String,
}
