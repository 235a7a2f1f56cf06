//! The tamper-evident audit trail. Writes append their entries inside their own transaction;
//! reads go through [`AuditWriter`], which commits the entries of many concurrent requests in
//! one transaction (group commit) and answers each request only once its entry is durable.
//! On SQLite the group is committed on a direct connection ([`crate::direct`]); on
//! PostgreSQL in one round trip, by a function that checks what the group depends on
//! ([`postgres`]).

use kinbridge_domain::audit::{chain_hash, AuditAction, AuditEntry};
use tokio::sync::{mpsc, oneshot};

use crate::{get, now, Caller, Result, Store, StoreError, Tx};

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

impl AuditWriter {
    /// PostgreSQL: commits on a connection of its own to `url`, from a thread of its own
    /// with a runtime of its own, so that the replies to its statements do not wait behind
    /// the page requests queued on the shared runtime (every read of a group waits for it).
    pub(crate) fn start_postgres(url: String) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
        std::thread::Builder::new()
            .name("kinbridge-audit".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("the audit writer's runtime starts");
                runtime.block_on(async move {
                    let mut writer = postgres::Writer::new(&url);
                    while let Some(first) = rx.recv().await {
                        // No gathering pause: a commit waits for its WAL flush, and the reads
                        // arriving meanwhile form the next group by themselves. A pause would
                        // only add to every read's wait.
                        let mut jobs = vec![first];
                        drain(&mut rx, &mut jobs);
                        let result = writer.commit(&jobs).await;
                        answer(jobs, result);
                    }
                });
            })
            .expect("the audit writer thread starts");
        Self { tx }
    }

    /// The same, committing on a direct SQLite connection from a thread of its own.
    pub(crate) fn start_direct(mut conn: crate::direct::AuditConnection) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
        std::thread::Builder::new()
            .name("kinbridge-audit".into())
            .spawn(move || {
                while let Some(first) = rx.blocking_recv() {
                    // No gathering pause, as on PostgreSQL: the reads that arrive while a
                    // group commits form the next (measured: 29.7k case pages/s with a 1 ms
                    // pause, 43-45k without, on 2 cores).
                    let mut jobs = vec![first];
                    drain(&mut rx, &mut jobs);
                    let result = conn.commit(&jobs);
                    answer(jobs, result);
                }
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
    pub(crate) async fn record_if_current(&self, entries: Vec<AuditEntry>, id: &str, stamp: i64) -> Result<bool> {
        self.send(entries, Some((id.to_string(), stamp))).await
    }

    async fn send(&self, entries: Vec<AuditEntry>, check: Check) -> Result<bool> {
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

/// Appends entries to the chain inside `tx`, which must hold the head (see `Store::begin_write`).
pub async fn append(tx: &mut Tx, entries: &[AuditEntry]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut **tx).await?;
    let mut seq: i64 = get(&head, "seq")?;
    let mut prev: String = get(&head, "hash")?;
    // Many rows per statement: one round trip, not one per entry.
    const ROWS_PER_STATEMENT: usize = 50;
    for chunk in entries.chunks(ROWS_PER_STATEMENT) {
        let mut sql = String::from(
            "INSERT INTO audit_log (seq, at, user_id, member_id, ip, action, entity, entity_id, detail, prev_hash, hash) VALUES ",
        );
        let mut args = sqlx::any::AnyArguments::default();
        for (i, e) in chunk.iter().enumerate() {
            seq += 1;
            let hash = chain_hash(&prev, seq, e);
            if i > 0 {
                sql.push_str(", ");
            }
            let b = i * 11;
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9,
                b + 10,
                b + 11
            ));
            use sqlx::Arguments;
            let r: Result<(), sqlx::error::BoxDynError> = (|| {
                args.add(seq)?;
                args.add(e.at.clone())?;
                args.add(e.user_id.clone())?;
                args.add(e.member_id.clone())?;
                args.add(e.ip.clone())?;
                args.add(e.action.as_str().to_string())?;
                args.add(e.entity.clone())?;
                args.add(e.entity_id.clone())?;
                args.add(e.detail.clone())?;
                args.add(prev.clone())?;
                args.add(hash.clone())
            })();
            r.map_err(sqlx::Error::Encode)?;
            prev = hash;
        }
        sqlx::query_with(&sql, args).execute(&mut **tx).await?;
    }
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(&prev)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Caller {
    /// An audit entry for this caller.
    pub fn entry(
        &self,
        action: AuditAction,
        entity: &'static str,
        entity_id: Option<&str>,
        detail: &str,
    ) -> AuditEntry {
        AuditEntry {
            at: now(),
            user_id: Some(self.actor.user_id.to_string()),
            member_id: Some(self.actor.member_id.to_string()),
            ip: self.ip.clone(),
            action,
            entity: entity.to_string(),
            entity_id: entity_id.map(str::to_string),
            detail: detail.to_string(),
        }
    }
}

/// An entry for something done by the system or an anonymous visitor.
pub fn system_entry(
    action: AuditAction,
    entity: &'static str,
    entity_id: Option<&str>,
    ip: Option<&str>,
    detail: &str,
) -> AuditEntry {
    AuditEntry {
        at: now(),
        user_id: None,
        member_id: None,
        ip: ip.map(str::to_string),
        action,
        entity: entity.to_string(),
        entity_id: entity_id.map(str::to_string),
        detail: detail.to_string(),
    }
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact {
        entries: i64,
    },
    /// The first entry whose stored hash does not match its content or predecessor.
    Broken {
        seq: i64,
        reason: String,
    },
}

impl Store {
    /// Records read-access entries; returns when they are committed.
    pub async fn audit(&self, entries: Vec<AuditEntry>) -> Result<()> {
        self.audit.record(entries).await
    }

    /// Recomputes the chain from the start and compares it with the stored hashes and head.
    pub async fn verify_audit(&self) -> Result<Verification> {
        use futures::TryStreamExt;
        // The head first, then the entries up to it: a group committed between the two
        // reads adds entries past the head read, which are left to the next check, instead
        // of looking like a head whose entries were deleted.
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&self.pool).await?;
        let head_seq: i64 = get(&head, "seq")?;
        let head_hash: String = get(&head, "hash")?;
        let mut rows = sqlx::query(
            "SELECT seq, at, user_id, member_id, ip, action, entity, entity_id, detail, prev_hash, hash FROM audit_log WHERE seq <= $1 ORDER BY seq",
        )
        .bind(head_seq)
        .fetch(&self.pool);
        let mut prev = kinbridge_domain::audit::GENESIS.to_string();
        let mut expected_seq = 0i64;
        while let Some(row) = rows.try_next().await? {
            expected_seq += 1;
            let seq: i64 = get(&row, "seq")?;
            if seq != expected_seq {
                return Ok(Verification::Broken { seq: expected_seq, reason: "entry missing".into() });
            }
            let action: String = get(&row, "action")?;
            let entry = AuditEntry {
                at: get(&row, "at")?,
                user_id: get(&row, "user_id")?,
                member_id: get(&row, "member_id")?,
                ip: get(&row, "ip")?,
                action: AuditAction::parse(&action).unwrap_or(AuditAction::Admin),
                entity: get(&row, "entity")?,
                entity_id: get(&row, "entity_id")?,
                detail: get(&row, "detail")?,
            };
            let stored_prev: String = get(&row, "prev_hash")?;
            let stored_hash: String = get(&row, "hash")?;
            if stored_prev != prev {
                return Ok(Verification::Broken { seq, reason: "previous hash does not match".into() });
            }
            let recomputed = chain_hash(&prev, seq, &entry);
            if AuditAction::parse(&action).is_none() || recomputed != stored_hash {
                return Ok(Verification::Broken { seq, reason: "content does not match its hash".into() });
            }
            prev = stored_hash;
        }
        drop(rows);
        if head_seq != expected_seq || head_hash != prev {
            return Ok(Verification::Broken {
                seq: expected_seq + 1,
                reason: "entries after this one were deleted".into(),
            });
        }
        Ok(Verification::Intact { entries: expected_seq })
    }

    /// The most recent audit entries about one record, newest first (for the DPO).
    pub async fn audit_trail(&self, caller: &Caller, entity_id: Option<&str>, limit: i64) -> Result<Vec<AuditRow>> {
        caller.actor.require(caller.actor.can_read_audit())?;
        let rows = match entity_id {
            Some(id) => sqlx::query("SELECT seq, at, user_id, ip, action, entity, entity_id, detail FROM audit_log WHERE entity_id = $1 ORDER BY seq DESC LIMIT $2")
                .bind(id.to_string()).bind(limit).fetch_all(&self.pool).await?,
            None => sqlx::query("SELECT seq, at, user_id, ip, action, entity, entity_id, detail FROM audit_log ORDER BY seq DESC LIMIT $1")
                .bind(limit).fetch_all(&self.pool).await?,
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

#[derive(Debug, Clone, serde::Serialize)]
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
