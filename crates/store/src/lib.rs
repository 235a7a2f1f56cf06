//! Persistence for Kinbridge. One code path and one set of migrations serve the embedded
//! SQLite default and PostgreSQL at scale (through sqlx's `Any` driver and portable SQL).
//!
//! Every function that reads case data takes the [`Caller`], decides access with the domain
//! rules, and audits the access, so no handler can forget either. A record the caller may
//! not see is reported as not found, and the attempt is audited as denied.

pub mod accounts;
pub mod archives;
pub mod audit;
pub mod backup;
pub mod cases;
mod direct;
pub mod documents;
pub mod indexing;
pub mod jobs;
mod keys;
pub mod matching;
pub mod members;
mod migrations;
pub mod requests;
pub mod research;
pub mod research_archive;
mod sql;
mod stamps;
pub use stamps::KeptCopies;
pub mod testing;
pub mod tracing;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kinbridge_domain::audit::AuditKey;
use kinbridge_domain::{Actor, DomainError};
use kinbridge_privacy::pseudo::PseudonymKey;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor};

pub use audit::AuditWriter;
pub use sql::Tx;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A uniqueness rule was broken; the code names it (`email_taken`, ...).
    #[error("conflict: {0}")]
    Conflict(&'static str),
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
    /// A request asked for less disclosure protection than the data protection officer allows.
    #[error("{field} below the floor of {floor}")]
    BelowFloor { field: &'static str, floor: u64 },
    /// A stored value that cannot be read as what it should be.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// A key the database must not hold is missing or malformed.
    #[error("{0}")]
    Key(String),
}

impl StoreError {
    pub fn not_found() -> Self {
        Self::Domain(DomainError::NotFound)
    }

    /// Whether the same call may succeed if made again (the database or the document store
    /// was unreachable, the audit writer restarting), as opposed to a refusal that stands.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Database(_) | Self::Direct(_) | Self::Blob(_) | Self::AuditClosed)
    }

    /// A stable code for the error, for logs and import reports.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Domain(d) => d.code(),
            Self::Conflict(c) => c,
            Self::BelowFloor { .. } => "below_floor",
            Self::Corrupt(_) => "corrupt_stored_value",
            Self::Key(_) => "key_unavailable",
            Self::Unsupported(_) => "unsupported",
            Self::Database(_) | Self::Direct(_) | Self::Migrate(_) => "database_error",
            Self::Blob(_) => "document_store_error",
            Self::AuditClosed => "audit_unavailable",
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Who is calling, and from where: the subject of every access decision and audit entry.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub ip: Option<String>,
}

/// The database, the document store and the audit writer, shared by every handler.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    blobs: Arc<dyn object_store::ObjectStore>,
    audit: AuditWriter,
    /// SQLite files: the hot statements of a case view on connections of our own.
    direct: Option<Arc<direct::DirectSqlite>>,
    // Shared, not copied: every request clones the store.
    data_dir: Arc<Path>,
    database_url: Arc<str>,
    lists: ListCache,
    /// Case pages read by this instance, served again while their stamp holds.
    details: stamps::DetailCache,
    jobs_wake: Arc<tokio::sync::Notify>,
    /// The data protection officer's key: stand-ins of the research corpus are derived from
    /// it and their reversal table sealed with it.
    pseudonym_key: PseudonymKey,
    /// The key of the audit chain's MACs, which the database does not hold.
    audit_key: AuditKey,
    /// The least disclosure protection of research exports (set by the data protection officer).
    disclosure: research::DisclosureFloor,
}

/// Short-lived copies of lists every page needs and that change rarely (the directory,
/// each member's staff). A change made through this instance clears them at once; other
/// instances see it within `ListCache::TTL`.
#[derive(Clone, Default)]
pub(crate) struct ListCache {
    members: Arc<std::sync::Mutex<Option<Stamped<Shared<kinbridge_domain::member::Member>>>>>,
    colleagues: Arc<std::sync::Mutex<std::collections::HashMap<String, Stamped<Shared<accounts::User>>>>>,
}

/// A cached value and when it was read.
type Stamped<T> = (std::time::Instant, T);

/// A cached list, handed out without copying.
type Shared<T> = Arc<Vec<T>>;

impl ListCache {
    pub(crate) const TTL: Duration = Duration::from_secs(30);

    pub(crate) fn members(&self) -> Option<Arc<Vec<kinbridge_domain::member::Member>>> {
        let guard = self.members.lock().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().filter(|(at, _)| at.elapsed() < Self::TTL).map(|(_, m)| Arc::clone(m))
    }

    pub(crate) fn set_members(&self, m: Arc<Vec<kinbridge_domain::member::Member>>) {
        *self.members.lock().unwrap_or_else(|p| p.into_inner()) = Some((std::time::Instant::now(), m));
    }

    pub(crate) fn colleagues(&self, member: &str) -> Option<Arc<Vec<accounts::User>>> {
        let guard = self.colleagues.lock().unwrap_or_else(|p| p.into_inner());
        guard.get(member).filter(|(at, _)| at.elapsed() < Self::TTL).map(|(_, u)| Arc::clone(u))
    }

    pub(crate) fn set_colleagues(&self, member: &str, users: Arc<Vec<accounts::User>>) {
        self.colleagues
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(member.to_string(), (std::time::Instant::now(), users));
    }

    pub(crate) fn clear(&self) {
        *self.members.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.colleagues.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
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
    /// Opens (creating if needed) the database and the document folder, and runs pending
    /// migrations.
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
        let pseudonym_key = keys::load(data_dir, &keys::PSEUDONYM, |k| PseudonymKey::from_hex(k).ok())?;
        let audit_key = keys::load(data_dir, &keys::AUDIT, AuditKey::from_hex)?;
        let (direct, audit) = match backend {
            Backend::Sqlite => {
                let direct = direct::DirectSqlite::for_url(database_url)?.ok_or(StoreError::Unsupported(
                    "an in-memory SQLite database cannot be shared between connections; give a file, e.g. sqlite://kinbridge.db?mode=rwc",
                ))?;
                let audit = AuditWriter::start_direct(direct.writer(audit_key.clone())?);
                (Some(Arc::new(direct)), audit)
            }
            Backend::Postgres => (None, AuditWriter::start_postgres(database_url.to_string(), audit_key.clone())),
        };
        let store = Self {
            pool,
            direct,
            backend,
            blobs,
            audit,
            data_dir: Arc::from(data_dir),
            database_url: Arc::from(database_url),
            lists: ListCache::default(),
            details: stamps::DetailCache::new(stamps::DETAIL_CAPACITY),
            jobs_wake: Arc::default(),
            pseudonym_key,
            audit_key,
            disclosure: research::DisclosureFloor::default(),
        };
        store.seal_legacy_chain().await?;
        Ok(store)
    }

    /// The same store with the data protection officer's disclosure floor.
    pub fn with_disclosure_floor(mut self, floor: research::DisclosureFloor) -> Self {
        self.disclosure = floor;
        self
    }

    pub fn disclosure_floor(&self) -> research::DisclosureFloor {
        self.disclosure
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// A write transaction. It takes the audit chain's head first: writes are serialised
    /// (they are few, and made by people), and SQLite never has to upgrade a read lock.
    pub async fn begin_write(&self) -> Result<Tx> {
        let mut tx = Tx::new(self.pool.begin().await?, self.audit_key.clone());
        sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1").execute(&mut *tx).await?;
        Ok(tx)
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// A clean stop: what is queued for the audit trail is written, and a checkpoint of it.
    pub async fn close(&self) {
        self.audit.flush().await;
        match self.write_audit_checkpoint().await {
            Ok(audit::checkpoints::Written::Refused(reason)) => {
                ::tracing::error!(%reason, "audit checkpoint not written at stop")
            }
            Ok(_) => {}
            Err(e) => ::tracing::error!(error = %e, "audit checkpoint not written at stop"),
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

pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

fn opt_date(s: Option<String>) -> Option<chrono::NaiveDate> {
    s.as_deref().map(date)
}

/// Splits a stored comma-separated list.
fn list(s: &str) -> Vec<String> {
    s.split(',').filter(|x| !x.is_empty()).map(str::to_string).collect()
}

/// A result row, from sqlx or from a direct SQLite connection (see `direct.rs`).
pub(crate) trait Columns {
    fn text(&self, col: &str) -> Result<String>;
    fn opt_text(&self, col: &str) -> Result<Option<String>>;
    fn int(&self, col: &str) -> Result<i64>;
}

impl Columns for AnyRow {
    fn text(&self, col: &str) -> Result<String> {
        get(self, col)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        get(self, col)
    }
    fn int(&self, col: &str) -> Result<i64> {
        get(self, col)
    }
}

impl Columns for rusqlite::Row<'_> {
    fn text(&self, col: &str) -> Result<String> {
        Ok(self.get(col)?)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        Ok(self.get(col)?)
    }
    fn int(&self, col: &str) -> Result<i64> {
        Ok(self.get(col)?)
    }
}

fn get<T>(row: &AnyRow, col: &str) -> Result<T>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    use sqlx::Row;
    Ok(row.try_get(col)?)
}

/// Maps a uniqueness violation to a conflict code; other errors pass through.
fn unique_violation(e: sqlx::Error, code: &'static str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(code),
        _ => StoreError::Database(e),
    }
}
