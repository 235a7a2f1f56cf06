//! Checkpoints of the audit chain's head, kept outside the database: a file in the data
//! folder and an object in the document store (off the machine when that store is remote).
//! Each carries a MAC under the audit key. A checkpoint is written every few minutes while
//! the server runs and on every clean stop, and only while the chain still holds the entry
//! the last checkpoint saw, so that evidence of a deletion is never overwritten. `verify`
//! checks that the chain still holds the entry each checkpoint saw: entries deleted from the
//! end of the chain (with the head moved back) show, up to the last checkpoint.

use std::path::PathBuf;
use std::time::Duration;

use kinbridge_domain::audit::checkpoint_mac;
use object_store::path::Path as BlobPath;
use object_store::{ObjectStoreExt, PutPayload};
use serde::{Deserialize, Serialize};

use crate::rows::get;
use crate::{now, Result, Store, StoreError};

/// The checkpoint file in the data folder.
pub const FILE: &str = "audit-checkpoint.json";
/// The checkpoint object in the document store.
const OBJECT: &str = "audit/checkpoint.json";
/// How often a running server writes one.
pub const EVERY: Duration = Duration::from_secs(120);

/// The chain had entry `seq` with `hash` at time `at`; `mac` proves it under the audit key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub at: String,
    pub mac: String,
}

/// A checkpoint and where it was kept.
#[derive(Debug, Clone)]
pub struct Found {
    pub place: String,
    pub checkpoint: Checkpoint,
}

/// What writing a checkpoint did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// A checkpoint of entry `seq` was written.
    At(i64),
    /// The head has not moved since the last one.
    Unchanged,
    /// The chain no longer holds what the last checkpoint saw; it was kept as evidence.
    Refused(String),
}

impl Store {
    /// Writes a checkpoint every [`EVERY`] while the returned task runs (the server's).
    pub fn start_audit_checkpoints(&self) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(EVERY);
            loop {
                every.tick().await;
                match store.write_audit_checkpoint().await {
                    Ok(Written::Refused(reason)) => tracing::error!(%reason, "audit checkpoint not written"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "audit checkpoint not written"),
                }
            }
        })
    }

    fn checkpoint_file(&self) -> PathBuf {
        self.data_dir().join(FILE)
    }

    /// Writes a checkpoint of the chain's head (see the module's description).
    pub async fn write_audit_checkpoint(&self) -> Result<Written> {
        let Some((seq, hash)) = self.audit_head().await? else {
            return Ok(Written::Refused("the chain's head row was deleted".into()));
        };
        if seq == 0 {
            // An empty chain: nothing to keep evidence of yet.
            return Ok(Written::Unchanged);
        }
        let previous = match read_all(self).await {
            Ok(found) => found,
            Err(reason) => return Ok(Written::Refused(reason)),
        };
        for p in &previous {
            let held = sqlx::query("SELECT hash FROM audit_log WHERE seq = $1")
                .bind(p.checkpoint.seq)
                .fetch_optional(self.pool())
                .await?
                .map(|r| get::<String>(&r, "hash"))
                .transpose()?;
            if held.as_deref() != Some(p.checkpoint.hash.as_str()) {
                let reason = format!(
                    "the chain no longer holds entry {} as the checkpoint of {} in {} saw it",
                    p.checkpoint.seq, p.checkpoint.at, p.place
                );
                tracing::error!(%reason, "audit checkpoint not written; run `kinbridge audit verify`");
                return Ok(Written::Refused(reason));
            }
        }
        if !previous.is_empty() && previous.iter().all(|p| p.checkpoint.seq == seq) {
            return Ok(Written::Unchanged);
        }
        let at = now();
        let checkpoint = Checkpoint { mac: checkpoint_mac(&self.audit_key, seq, &hash, &at), seq, hash, at };
        let json = serde_json::to_vec_pretty(&checkpoint).map_err(|e| StoreError::Key(e.to_string()))?;
        write_file_atomically(&self.checkpoint_file(), &json)
            .map_err(|e| StoreError::Key(format!("cannot write the audit checkpoint: {e}")))?;
        self.blobs.put(&BlobPath::from(OBJECT), PutPayload::from(json)).await?;
        Ok(Written::At(seq))
    }
}

impl Store {
    /// After a legitimate rollback of the database (a restore from backup, done by whoever
    /// holds the keys), the checkpoints saw entries the database no longer has. They are kept
    /// aside in the data folder (`audit-checkpoint.superseded-*.json`), the rollback is recorded
    /// in the chain with what it superseded, and a new checkpoint is written.
    pub async fn supersede_audit_checkpoints(&self, why: &str) -> Result<Written> {
        let stamp = now().replace([':', '.'], "-");
        let mut superseded = Vec::new();
        if let Ok(bytes) = std::fs::read(self.checkpoint_file()) {
            let aside = self.data_dir().join(format!("audit-checkpoint.superseded-{stamp}.json"));
            std::fs::write(&aside, &bytes)
                .and_then(|_| std::fs::remove_file(self.checkpoint_file()))
                .map_err(|e| StoreError::Key(format!("cannot set the audit checkpoint aside: {e}")))?;
            superseded.push(String::from_utf8_lossy(&bytes).split_whitespace().collect::<Vec<_>>().join(" "));
        }
        match self.blobs.delete(&BlobPath::from(OBJECT)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        let detail = format!("{why}; checkpoints superseded: {}", superseded.join(" | "));
        self.audit(vec![super::system_entry(kinbridge_domain::audit::AuditAction::Admin, &detail)]).await?;
        self.write_audit_checkpoint().await
    }
}

/// Replaces the file in one step (a crash leaves the old checkpoint or the new, never half).
fn write_file_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("json.tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// Every checkpoint kept, each checked against its MAC. A checkpoint that cannot be read or
/// whose MAC does not match is an error: it was altered, or made with another key.
pub(crate) async fn read_all(store: &Store) -> Result<Vec<Found>, String> {
    let mut found = Vec::new();
    let file = store.checkpoint_file();
    match std::fs::read(&file) {
        Ok(bytes) => found.push(parse(store, &file.display().to_string(), &bytes)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("the audit checkpoint {} cannot be read: {e}", file.display())),
    }
    let place = format!("the document store ({OBJECT})");
    match store.blobs.get(&BlobPath::from(OBJECT)).await {
        Ok(object) => {
            let bytes = object.bytes().await.map_err(|e| format!("{place} cannot be read: {e}"))?;
            found.push(parse(store, &place, &bytes)?);
        }
        Err(object_store::Error::NotFound { .. }) => {}
        Err(e) => return Err(format!("{place} cannot be read: {e}")),
    }
    Ok(found)
}

fn parse(store: &Store, place: &str, bytes: &[u8]) -> Result<Found, String> {
    let altered = || format!("the audit checkpoint in {place} was altered, or made with another audit key");
    let checkpoint: Checkpoint = serde_json::from_slice(bytes).map_err(|_| altered())?;
    if checkpoint_mac(&store.audit_key, checkpoint.seq, &checkpoint.hash, &checkpoint.at) != checkpoint.mac {
        return Err(altered());
    }
    Ok(Found { place: place.to_string(), checkpoint })
}

/// Whether any checkpoint is kept, readable or not.
pub(crate) async fn any_exist(store: &Store) -> bool {
    store.checkpoint_file().exists() || store.blobs.head(&BlobPath::from(OBJECT)).await.is_ok()
}
