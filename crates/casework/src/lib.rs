//! The application layer of Kinbridge: every use case of casework, archives, research and
//! accounts, as a method of [`Casework`] that takes the [`Caller`], decides access with the
//! domain's rules, audits the access, and calls the store and the engines. No handler can
//! forget either: a record the caller may not see is reported as not found, and the attempt
//! is audited as denied. The background jobs (matching, research copies, archive import) and
//! the change feed the search index follows run here too. Nothing here knows HTTP.

pub mod accounts;
pub mod admin;
pub mod archive_import;
pub mod archives;
pub mod assessments;
pub mod audit_trail;
pub mod cases;
pub mod documents;
pub mod impact;
pub mod indexing;
pub mod jobs;
pub mod matching;
pub mod members;
pub mod plans;
pub mod requests;
pub mod research;
pub mod research_archive;
pub mod search_feed;
pub mod sroi;
pub mod tracing_requests;
pub mod training;
pub mod transfers;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kinbridge_domain::audit::{AuditAction, AuditEntry};
use kinbridge_domain::ErrorCode;
use kinbridge_domain::{Actor, DomainError};
use kinbridge_privacy::pseudo::PseudonymKey;

pub use kinbridge_store::{now, stamp_in, today, Backend, KeptCopies, Store, StoreError, Tx};

/// What a use case can answer instead of its result.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Refused by the domain's rules: bad input, a step not allowed, no right, not found.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A uniqueness rule was broken; the code names it (`email_taken`, ...).
    #[error("conflict: {0}")]
    Conflict(ErrorCode),
    /// A request asked for less disclosure protection than the data protection officer allows.
    #[error("{field} below the floor of {floor}")]
    BelowFloor { field: &'static str, floor: u64 },
    /// The child of a new case may already be on a case: these records. The case is opened
    /// once the caller says why it is a new one.
    #[error("possible duplicates of the child")]
    PossibleDuplicates(Vec<crate::matching::KnownPerson>),
    #[error("{0}")]
    Unsupported(&'static str),
    /// Figures approved as shown were not the figures any more: these changed.
    /// The member requires current compulsory training for case files and the caller's
    /// lapsed: they see titles only until they renew.
    #[error("compulsory training lapsed")]
    TrainingLapsed,
    /// A question file does not read: the first problem, its line, and a stable key for it.
    #[error("line {line}: {detail}")]
    Import { line: usize, problem: &'static str, detail: String },
    #[error("the figures changed since they were shown")]
    FiguresChanged(Vec<crate::impact::Difference>),
    /// The shipped indicators do not parse: a defect of this build, refused at start.
    #[error(transparent)]
    Indicators(#[from] kinbridge_impact::registry::RegistryError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The search index failed (a query it cannot answer is [`kinbridge_search::SearchError::Query`]).
    #[error(transparent)]
    Search(#[from] kinbridge_search::SearchError),
}

impl Error {
    pub fn not_found() -> Self {
        Self::Domain(DomainError::NotFound)
    }

    /// Whether the same call may succeed if made again (the database was away), as opposed
    /// to a refusal that stands.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Store(e) if e.is_transient())
    }

    /// A stable code for the error, for logs and import reports.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Domain(d) => d.code().as_str(),
            Self::Conflict(c) => c.as_str(),
            Self::BelowFloor { .. } => "below_floor",
            Self::PossibleDuplicates(_) => ErrorCode::PossibleDuplicate.as_str(),
            Self::Unsupported(_) => "unsupported",
            Self::Store(e) => e.code(),
            Self::Search(_) => "search_error",
            Self::Indicators(_) => "indicators_invalid",
            Self::FiguresChanged(_) => ErrorCode::FiguresChanged.as_str(),
            Self::Import { .. } => ErrorCode::ImportInvalid.as_str(),
            Self::TrainingLapsed => ErrorCode::TrainingLapsed.as_str(),
        }
    }

    /// A stored value that does not read as what it should be.
    pub(crate) fn corrupt(what: impl Into<String>) -> Self {
        Self::Store(StoreError::Corrupt(what.into()))
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(StoreError::Database(e))
    }
}

impl From<object_store::Error> for Error {
    fn from(e: object_store::Error) -> Self {
        Self::Store(StoreError::Blob(e))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Who is calling, and from where: the subject of every access decision and audit entry.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub ip: Option<String>,
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

/// A repository's [`StoreError::Taken`] as the conflict `code`; other errors pass through.
pub(crate) fn taken(e: StoreError, code: ErrorCode) -> Error {
    match e {
        StoreError::Taken => Error::Conflict(code),
        other => other.into(),
    }
}

/// The use cases, over one store, with what this instance keeps in memory. Cloned into every
/// request: the fields are shared, not copied.
#[derive(Clone)]
pub struct Casework {
    store: Store,
    lists: ListCache,
    /// Case pages read by this instance, served again while their stamp holds.
    details: cases::DetailCache,
    /// The data protection officer's key: stand-ins of the research corpus are derived from
    /// it and their reversal table sealed with it.
    pseudonym_key: PseudonymKey,
    /// The least disclosure protection of research exports (set by the data protection officer).
    disclosure: research::DisclosureFloor,
    /// The indicators, parsed once at start.
    indicators: Arc<kinbridge_impact::Registry>,
}

impl std::fmt::Debug for Casework {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Casework").field("store", &self.store).finish_non_exhaustive()
    }
}

impl Casework {
    /// Opens the store (see [`Store::open`]) and loads the pseudonym key beside it.
    pub async fn open(database_url: &str, data_dir: &Path) -> Result<Self> {
        let store = Store::open(database_url, data_dir).await?;
        Self::over(store)
    }

    /// The use cases over an open store.
    pub fn over(store: Store) -> Result<Self> {
        let pseudonym_key = kinbridge_store::keys::load(store.data_dir(), &kinbridge_store::keys::PSEUDONYM, |k| {
            PseudonymKey::from_hex(k).ok()
        })?;
        Ok(Self {
            store,
            lists: ListCache::default(),
            details: cases::DetailCache::new(cases::DETAIL_CAPACITY),
            pseudonym_key,
            disclosure: research::DisclosureFloor::default(),
            indicators: Arc::new(kinbridge_impact::Registry::shipped()?),
        })
    }

    /// The same use cases with the data protection officer's disclosure floor.
    pub fn with_disclosure_floor(mut self, floor: research::DisclosureFloor) -> Self {
        self.disclosure = floor;
        self
    }

    pub fn disclosure_floor(&self) -> research::DisclosureFloor {
        self.disclosure
    }

    /// The store underneath (the command line's administration, tests).
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn data_dir(&self) -> &Path {
        self.store.data_dir()
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        Ok(self.store.ping().await?)
    }

    /// Records read-access entries; returns when they are committed.
    pub async fn audit(&self, entries: Vec<AuditEntry>) -> Result<()> {
        Ok(self.store.audit(entries).await?)
    }

    /// A clean stop (see [`Store::close`]).
    pub async fn close(&self) {
        self.store.close().await
    }

    fn pool(&self) -> &sqlx::AnyPool {
        self.store.pool()
    }

    async fn begin_write(&self) -> Result<Tx> {
        Ok(self.store.begin_write().await?)
    }

    /// Audits a refused or unknown access and returns the not-found error to answer with.
    pub(crate) async fn denied(&self, caller: &Caller, entity: &'static str, id: &str) -> Error {
        let id: String = id.chars().take(64).collect();
        match self.audit(vec![caller.entry(AuditAction::Denied, entity, Some(&id), "")]).await {
            Ok(()) => Error::not_found(),
            Err(e) => e,
        }
    }
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
