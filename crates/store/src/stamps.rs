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
//! [`crate::cases::KEPT_PAGE_TTL`] at the latest.
//!
//! The triggers are written per backend (SQLite has no functions, PostgreSQL needs them) and
//! installed idempotently each time the store opens, after the shared migrations.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use sqlx::{AnyPool, Executor};

use crate::cases::CaseDetail;
use crate::{Backend, Result};

/// Tables whose rows belong to one case through `case_id`.
const CASE_TABLES: &[&str] = &["relationships", "notes", "documents", "requests", "case_events", "tracing_requests"];

/// Tables whose rows belong to one case and are also shown on the pages of the cases their
/// people are possibly matched with (a name, a consent to tracing).
const PAIRED_TABLES: &[&str] = &["people", "consents"];

/// The cases a case's people are paired with, as SQL over a `case_id` expression: one
/// indexed lookup per side (an `OR` here, or beside `id = ...` in the `UPDATE`, makes SQLite
/// scan every case, which a bulk load of people pays once per row).
fn paired_cases(case: &str) -> String {
    format!(
        "SELECT p.case_id FROM match_candidates m JOIN people p ON p.id = m.person_b \
         WHERE m.person_a IN (SELECT id FROM people WHERE case_id = {case}) \
         UNION SELECT p.case_id FROM match_candidates m JOIN people p ON p.id = m.person_a \
         WHERE m.person_b IN (SELECT id FROM people WHERE case_id = {case})"
    )
}

fn sqlite_triggers() -> String {
    let mut sql = String::new();
    let mut trigger = |name: &str, event: &str, table: &str, body: &str| {
        sql.push_str(&format!(
            "DROP TRIGGER IF EXISTS {name}; CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {body}; END;\n"
        ));
    };
    let bump = "UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id";
    for t in CASE_TABLES {
        trigger(&format!("kb_stamp_{t}_ins"), "INSERT", t, &format!("{bump} = NEW.case_id"));
        trigger(&format!("kb_stamp_{t}_upd"), "UPDATE", t, &format!("{bump} IN (NEW.case_id, OLD.case_id)"));
        trigger(&format!("kb_stamp_{t}_del"), "DELETE", t, &format!("{bump} = OLD.case_id"));
    }
    for t in PAIRED_TABLES {
        for (suffix, event, row) in [("ins", "INSERT", "NEW"), ("upd", "UPDATE", "NEW"), ("del", "DELETE", "OLD")] {
            let case = format!("{row}.case_id");
            let body = format!("{bump} = {case}; {bump} IN ({})", paired_cases(&case));
            trigger(&format!("kb_stamp_{t}_{suffix}"), event, t, &body);
        }
    }
    for (suffix, event, row) in [("ins", "INSERT", "NEW"), ("upd", "UPDATE", "NEW"), ("del", "DELETE", "OLD")] {
        let body = format!("{bump} IN (SELECT case_id FROM people WHERE id IN ({row}.person_a, {row}.person_b))");
        trigger(&format!("kb_stamp_match_candidates_{suffix}"), event, "match_candidates", &body);
    }
    // The case row itself (title, status, member, assignee, ...), unless the change was the
    // stamp's own (SQLite does not run a trigger from its own statement again).
    sql.push_str(
        "DROP TRIGGER IF EXISTS kb_stamp_cases_upd; CREATE TRIGGER kb_stamp_cases_upd AFTER UPDATE ON cases \
         FOR EACH ROW WHEN NEW.detail_stamp = OLD.detail_stamp BEGIN \
         UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.id; END;\n",
    );
    sql
}

fn postgres_triggers() -> String {
    let bump = "UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id";
    let mut sql = format!(
        "CREATE OR REPLACE FUNCTION kb_stamp_case() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN \
           IF TG_OP <> 'INSERT' THEN {bump} = OLD.case_id; END IF; \
           IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.case_id IS DISTINCT FROM OLD.case_id) THEN {bump} = NEW.case_id; END IF; \
           RETURN NULL; END $f$;\n\
         CREATE OR REPLACE FUNCTION kb_stamp_paired() RETURNS trigger LANGUAGE plpgsql AS $f$ \
           DECLARE c TEXT; BEGIN \
           IF TG_OP = 'DELETE' THEN c := OLD.case_id; ELSE c := NEW.case_id; END IF; \
           {bump} = c; {bump} IN ({paired}); \
           RETURN NULL; END $f$;\n\
         CREATE OR REPLACE FUNCTION kb_stamp_match() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN \
           IF TG_OP = 'DELETE' THEN {bump} IN (SELECT case_id FROM people WHERE id IN (OLD.person_a, OLD.person_b)); \
           ELSE {bump} IN (SELECT case_id FROM people WHERE id IN (NEW.person_a, NEW.person_b)); END IF; \
           RETURN NULL; END $f$;\n",
        paired = paired_cases("c"),
    );
    let mut trigger = |table: &str, function: &str| {
        sql.push_str(&format!(
            "CREATE OR REPLACE TRIGGER kb_stamp AFTER INSERT OR UPDATE OR DELETE ON {table} \
             FOR EACH ROW EXECUTE FUNCTION {function}();\n"
        ));
    };
    for t in CASE_TABLES {
        trigger(t, "kb_stamp_case");
    }
    for t in PAIRED_TABLES {
        trigger(t, "kb_stamp_paired");
    }
    trigger("match_candidates", "kb_stamp_match");
    // The case row itself (title, status, member, assignee, ...), unless the change was the
    // stamp's own.
    sql.push_str(
        "CREATE OR REPLACE FUNCTION kb_stamp_row() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN \
           IF NEW.detail_stamp = OLD.detail_stamp THEN NEW.detail_stamp := OLD.detail_stamp + 1; END IF; \
           RETURN NEW; END $f$;\n\
         CREATE OR REPLACE TRIGGER kb_stamp_row BEFORE UPDATE ON cases FOR EACH ROW EXECUTE FUNCTION kb_stamp_row();\n",
    );
    sql
}

/// Installs (or replaces) the triggers (and on PostgreSQL the audit group's function), in one
/// transaction. On PostgreSQL an advisory lock keeps instances that start together from
/// replacing them at the same moment.
pub(crate) async fn install(pool: &AnyPool, backend: Backend) -> Result<()> {
    let mut tx = pool.begin().await?;
    let script = match backend {
        Backend::Sqlite => sqlite_triggers(),
        Backend::Postgres => {
            sqlx::query("SELECT pg_advisory_xact_lock(7212861001)").execute(&mut *tx).await?;
            // With the function that appends read-audit groups after checking their stamps.
            postgres_triggers() + crate::audit::postgres::FUNCTION
        }
    };
    (&mut *tx).execute(sqlx::raw_sql(&script)).await?;
    tx.commit().await?;
    Ok(())
}

/// Copies of case pages (their data here, their rendered bodies in the web crate) kept by
/// this instance. Each is served at most [`crate::cases::KEPT_PAGE_TTL`] after it was made,
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
        if at.elapsed() >= crate::cases::KEPT_PAGE_TTL {
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

/// Case pages read by this instance, by case id, with the stamp each was read at.
pub(crate) type DetailCache = KeptCopies<String, (i64, Arc<CaseDetail>)>;

/// The most case pages [`DetailCache`] keeps.
pub(crate) const DETAIL_CAPACITY: usize = 4096;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stamped_table_has_its_triggers() {
        let sqlite = sqlite_triggers();
        let postgres = postgres_triggers();
        for t in CASE_TABLES.iter().chain(PAIRED_TABLES).chain(&["match_candidates"]) {
            for event in ["INSERT", "UPDATE", "DELETE"] {
                assert!(sqlite.contains(&format!("AFTER {event} ON {t} ")), "sqlite: {event} on {t}");
            }
            assert!(postgres.contains(&format!("ON {t} FOR EACH ROW")), "postgres: {t}");
        }
    }
}
