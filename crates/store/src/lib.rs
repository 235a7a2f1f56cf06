//! Persistence for Kinbridge, and nothing else: one code path and one set of migrations serve
//! the embedded SQLite default and PostgreSQL at scale (sqlx's `Any` driver and portable SQL;
//! per-backend files where the SQL must differ), the tamper-evident audit chain with its group
//! commit and checkpoints, the job queue, the document store, the keys the database must not
//! hold, and the row mappings of the aggregates. It decides no access and knows no use case:
//! that is the `casework` crate's, which calls it.

pub mod accounts;
pub mod archives;
pub mod assessments;
pub mod audit;
pub mod backup;
pub mod bulk;
pub mod cases;
pub mod cursors;
mod direct;
pub mod documents;
pub mod feed;
pub mod impact;
pub mod indexing;
pub mod jobs;
pub mod keys;
pub mod matches;
pub mod members;
mod migrations;
pub mod notices;
pub mod plans;
pub mod requests;
pub mod research;
pub mod rows;
mod sql;
pub mod stamps;
pub mod testing;
pub mod tracing_requests;
pub mod training;
pub mod transfers;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kinbridge_domain::audit::AuditKey;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

pub use audit::AuditWriter;
pub use sql::{Arg, Sql, Tx};
pub use stamps::KeptCopies;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("document store error: {0}")]
    Blob(#[from] object_store::Error),
    #[error("database error: {0}")]
    Direct(String),
    #[error("the audit writer has stopped")]
    AuditClosed,
    #[error("{0}")]
    Unsupported(&'static str),
    /// A stored value that cannot be read as what it should be.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// A key the database must not hold is missing or malformed.
    #[error("{0}")]
    Key(String),
    /// An insert or update broke a uniqueness rule (a code or an e-mail already in use);
    /// the use case names which.
    #[error("already taken")]
    Taken,
}

impl StoreError {
    /// A failed insert or update: [`Self::Taken`] when it broke a uniqueness rule.
    pub fn from_insert(e: sqlx::Error) -> Self {
        if rows::is_unique_violation(&e) {
            Self::Taken
        } else {
            Self::Database(e)
        }
    }

    /// Whether the same call may succeed if made again (the database or the document store
    /// was unreachable, the audit writer restarting), as opposed to a failure that stands.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Database(_) | Self::Direct(_) | Self::Blob(_) | Self::AuditClosed)
    }

    /// A stable code for the error, for logs and import reports.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Corrupt(_) => "corrupt_stored_value",
            Self::Key(_) => "key_unavailable",
            Self::Unsupported(_) => "unsupported",
            Self::Database(_) | Self::Direct(_) | Self::Migrate(_) => "database_error",
            Self::Blob(_) => "document_store_error",
            Self::AuditClosed => "audit_unavailable",
            Self::Taken => "taken",
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One page of a list, and how many there are in all.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u32 {
        (self.total.max(0) as u64).div_ceil(u64::from(self.per_page.max(1))).max(1) as u32
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database, the document store, the audit writer and the job queue's wake-up, shared by
/// every use case (cloned into each: the fields are shared, not copied).
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    blobs: Arc<dyn object_store::ObjectStore>,
    audit: AuditWriter,
    /// SQLite files: the hot statements of a case view on connections of our own.
    direct: Option<Arc<direct::DirectSqlite>>,
    data_dir: Arc<Path>,
    database_url: Arc<str>,
    jobs_wake: Arc<tokio::sync::Notify>,
    /// The key of the audit chain's MACs, which the database does not hold.
    audit_key: AuditKey,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).field("data_dir", &self.data_dir).finish()
    }
}

/// The SQLite file used when no database URL is given.
pub fn default_database_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("kinbridge.db").display())
}

impl Store {
    /// Opens (creating if needed) the database and the document folder, runs pending
    /// migrations, and seals a chain written before the audit key with it.
    pub async fn open(database_url: &str, data_dir: &Path) -> Result<Self> {
        sqlx::any::install_default_drivers();
        std::fs::create_dir_all(data_dir.join("documents"))
            .map_err(|e| StoreError::Blob(object_store::Error::Generic { store: "local", source: Box::new(e) }))?;
        let backend = if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
            Backend::Postgres
        } else if database_url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StoreError::Unsupported("database URL must start with sqlite: or postgres://"));
        };
        let sqlite_url;
        let database_url = match backend {
            Backend::Sqlite => {
                sqlite_url = creating_sqlite_url(database_url)?;
                sqlite_url.as_str()
            }
            Backend::Postgres => database_url,
        };
        let options = match backend {
            Backend::Sqlite => AnyPoolOptions::new().max_connections(8).after_connect(|conn, _| {
                Box::pin(async move {
                    // WAL lets pages read while a write commits; NORMAL sync is durable in WAL
                    // mode except for the last transactions on power loss. Pages are read
                    // through a memory map: each audit commit makes the other connections drop
                    // their page caches, and a list then reads its pages again without copying
                    // (the inbox: about 1.3x the requests per second).
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA mmap_size = 268435456;").await?;
                    Ok(())
                })
            }),
            Backend::Postgres => AnyPoolOptions::new().max_connections(16),
        };
        let pool = options.acquire_timeout(Duration::from_secs(30)).connect(database_url).await?;
        migrations::run(&pool, backend).await?;
        let blobs = Arc::new(object_store::local::LocalFileSystem::new_with_prefix(data_dir.join("documents"))?);
        let audit_key = keys::load(data_dir, &keys::AUDIT, AuditKey::from_hex)?;
        let (direct, audit) = match backend {
            Backend::Sqlite => {
                let direct = direct::DirectSqlite::for_url(database_url)?.ok_or(StoreError::Unsupported(
                    "an in-memory SQLite database cannot be shared between connections; give a file, e.g. sqlite://kinbridge.db?mode=rwc",
                ))?;
                let audit = AuditWriter::start(direct.writer(audit_key.clone())?);
                (Some(Arc::new(direct)), audit)
            }
            Backend::Postgres => {
                (None, AuditWriter::start(crate::audit::postgres::Writer::new(database_url, audit_key.clone())))
            }
        };
        let store = Self {
            pool,
            direct,
            backend,
            blobs,
            audit,
            data_dir: Arc::from(data_dir),
            database_url: Arc::from(database_url),
            jobs_wake: Arc::default(),
            audit_key,
        };
        store.seal_legacy_chain().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The document store (originals of documents and archive items, audit checkpoints).
    pub fn blobs(&self) -> &Arc<dyn object_store::ObjectStore> {
        &self.blobs
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// The audit writer, for reads whose entry depends on a case's page stamp.
    pub fn audit_writer(&self) -> &AuditWriter {
        &self.audit
    }

    /// A write transaction. It takes the audit chain's head first: writes are serialised
    /// (they are few, and made by people), and SQLite never has to upgrade a read lock.
    pub async fn begin_write(&self) -> Result<Tx> {
        let mut tx = Tx::new(self.pool.begin().await?, self.audit_key.clone());
        sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1").execute(&mut *tx).await?;
        Ok(tx)
    }

    /// The case row a view decides access on, with its page stamp: on SQLite on a direct
    /// connection of the calling thread (a WAL reader never waits), elsewhere through the pool.
    pub async fn case_stamped(
        &self,
        id: &kinbridge_domain::ids::CaseId,
    ) -> Result<Option<(kinbridge_domain::case::Case, i64)>> {
        match &self.direct {
            Some(direct) => direct.case_stamped(id),
            None => cases::fetch_case_stamped(&self.pool, id).await,
        }
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Wakes the job worker after a transaction that enqueued a job has committed.
    pub fn wake_jobs(&self) {
        self.jobs_wake.notify_one();
    }

    /// Waits until a job may have been enqueued (or `at_most`).
    pub async fn jobs_enqueued(&self, at_most: Duration) {
        let _ = tokio::time::timeout(at_most, self.jobs_wake.notified()).await;
    }

    /// A clean stop: what is queued for the audit trail is written, and a checkpoint of it.
    pub async fn close(&self) {
        self.audit.flush().await;
        match self.write_audit_checkpoint().await {
            Ok(audit::checkpoints::Written::Refused(reason)) => {
                tracing::error!(%reason, "audit checkpoint not written at stop")
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "audit checkpoint not written at stop"),
        }
        self.pool.close().await;
    }
}

/// A SQLite URL that creates its file (and the file's folder) when missing, as the default
/// one does; a `mode` the URL sets itself is kept.
fn creating_sqlite_url(url: &str) -> Result<String> {
    use std::str::FromStr;
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)?;
    let file = options.get_filename();
    if let Some(folder) = file.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .map_err(|_| StoreError::Unsupported("cannot create the folder of the SQLite database file"))?;
    }
    let has_mode = url.split_once('?').is_some_and(|(_, q)| q.split('&').any(|p| p.starts_with("mode=")));
    Ok(match (has_mode, url.contains('?')) {
        (true, _) => url.to_string(),
        (false, true) => format!("{url}&mode=rwc"),
        (false, false) => format!("{url}?mode=rwc"),
    })
}

/// Now, as stored: UTC with milliseconds, sortable as text.
pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A moment `after` from now, as stored.
pub fn stamp_in(after: chrono::Duration) -> String {
    (chrono::Utc::now() + after).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}
