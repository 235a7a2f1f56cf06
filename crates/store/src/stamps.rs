//! Case-page stamps: a counter on each case (`cases.detail_stamp`) that database triggers
//! raise in the same transaction as any change to what the case page shows, and the cache of
//! case pages that trusts it.
//!
//! Triggers, not calls in the store's write paths: a write path added later cannot forget
//! them, and a change made by another instance (or by hand in `psql`) raises the counter
//! all the same; a change to the case row itself raises it too. A view of a page this
//! instance keeps decides access on the kept case row and lets the audit group that records
//! the view check the counter, under the lock every write takes, in the transaction that
//! writes the view's entry (`Store::read_case`; `direct.rs` on SQLite, `audit::postgres` on
//! PostgreSQL): the view stands only if the counter has not moved, and is otherwise read and
//! decided afresh. Names joined in from other records (a note author's display name, a
//! member's name on a match) are not stamped; a kept page is therefore read again after
//! [`KEPT_PAGE_TTL`] at the latest.
//!
//! The triggers are written per backend (SQLite has no functions, PostgreSQL needs them), in
//! the migrations `0013_case_page_stamp_triggers.{sqlite,postgres}.sql`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The longest a kept copy is served, whatever its stamp says: names joined in from other
/// records (an author's, a member's) are not stamped.
pub const KEPT_PAGE_TTL: Duration = Duration::from_secs(30);

/// Copies of case pages (their data here, their rendered bodies in the web crate) kept by
/// this instance. Each is served at most [`KEPT_PAGE_TTL`] after it was made,
/// and only while the caller's check says it still matches what was just read (its stamp,
/// its case row); past its capacity the map starts again empty (cheap, and rare: a copy is
/// kept only while its case is unchanged).
pub struct KeptCopies<K, V> {
    entries: Arc<Mutex<HashMap<K, (Instant, V)>>>,
    capacity: usize,
}

impl<K, V> Clone for KeptCopies<K, V> {
    fn clone(&self) -> Self {
        Self { entries: Arc::clone(&self.entries), capacity: self.capacity }
    }
}

impl<K: Eq + std::hash::Hash, V> KeptCopies<K, V> {
    pub fn new(capacity: usize) -> Self {
        Self { entries: Arc::default(), capacity }
    }

    /// What `current` makes of the copy under `key`, if it is young enough.
    pub fn get<Q, R>(&self, key: &Q, current: impl FnOnce(&V) -> Option<R>) -> Option<R>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + std::hash::Hash + ?Sized,
    {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (at, value) = entries.get(key)?;
        if at.elapsed() >= KEPT_PAGE_TTL {
            return None;
        }
        current(value)
    }

    pub fn put(&self, key: K, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (Instant::now(), value));
    }
}

#[cfg(test)]
mod tests {
    /// Every table whose rows show on a case page, and the case row itself.
    const STAMPED: &[&str] = &[
        "relationships",
        "notes",
        "documents",
        "requests",
        "case_events",
        "tracing_requests",
        "people",
        "consents",
        "match_candidates",
    ];

    /// Tables added after 0013, with their triggers in 0022.
    const STAMPED_LATER: &[&str] = &["case_goals", "case_tasks", "case_reviews", "case_assessments"];

    #[test]
    fn every_stamped_table_has_its_triggers() {
        let sqlite = include_str!("../migrations/0013_case_page_stamp_triggers.sqlite.sql");
        let postgres = include_str!("../migrations/0013_case_page_stamp_triggers.postgres.sql");
        for t in STAMPED {
            for event in ["INSERT", "UPDATE", "DELETE"] {
                assert!(sqlite.contains(&format!("AFTER {event} ON {t} ")), "sqlite: {event} on {t}");
            }
            assert!(postgres.contains(&format!("ON {t} FOR EACH ROW")), "postgres: {t}");
        }
        assert!(sqlite.contains("AFTER UPDATE ON cases") && postgres.contains("BEFORE UPDATE ON cases"));
        let sqlite = include_str!("../migrations/0022_plan_and_assessment_stamps.sqlite.sql");
        let postgres = include_str!("../migrations/0022_plan_and_assessment_stamps.postgres.sql");
        for t in STAMPED_LATER {
            for event in ["INSERT", "UPDATE", "DELETE"] {
                assert!(sqlite.contains(&format!("AFTER {event} ON {t} ")), "sqlite: {event} on {t}");
            }
            assert!(postgres.contains(&format!("ON {t} FOR EACH ROW")), "postgres: {t}");
        }
    }
}
