//! The audit chain against someone who can write to the database but does not hold the audit
//! key: edits recomputed with any hash they can make, entries deleted from the end with the
//! head moved back, the head row deleted, and a bad value in one read of a group. On both
//! backends.

use kinbridge_casework::accounts::NewUser;
use kinbridge_casework::{today, Caller, Casework};
use kinbridge_domain::audit::{chain_hash, legacy_chain_hash, AuditAction, AuditEntry, AuditKey, GENESIS};
use kinbridge_domain::case::{NewCase, NewConsent, NewPerson};
use kinbridge_domain::member::NewMember;
use kinbridge_store::audit::checkpoints::Written;
use kinbridge_store::audit::Verification;
use kinbridge_store::testing::TestDatabase;
use kinbridge_store::{both_backends, Backend};
use sqlx::Row;

/// A store with one member, a caseworker, a case and a few reads of it.
async fn busy_store(backend: Backend) -> (TestDatabase, Casework, Caller) {
    let db = TestDatabase::new(backend).await;
    let store = Casework::open(&db.url, &db.data_dir).await.unwrap();
    store.create_member(&NewMember::parse("CH", "Switzerland", "CH").unwrap()).await.unwrap();
    let user = store
        .create_user(&NewUser::parse("CH", "caseworker", "ana@ch.test", "", "long enough password").unwrap())
        .await
        .unwrap();
    let ch = Caller { actor: user.actor(), ip: Some("127.0.0.1".into()) };
    let child = NewPerson::parse("child", "Amal", "Haddad", "female", "2013", false, "", "", today()).unwrap();
    let consent = NewConsent::parse("data_processing", "Guardian", "2026-01-10", today()).unwrap();
    let new = NewCase::parse("family_tracing", "A case", "", "", "").unwrap();
    let case = store.open_case(&ch, &new, &[child], &[consent], None).await;
    let case = case.unwrap();
    for _ in 0..5 {
        store.case(&ch, case.id.as_str()).await.unwrap();
    }
    (db, store, ch)
}

async fn entries(store: &Casework) -> Vec<(i64, AuditEntry)> {
    sqlx::query("SELECT seq, at, user_id, member_id, ip, action, entity, entity_id, detail FROM audit_log ORDER BY seq")
        .fetch_all(store.store().pool())
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let e = AuditEntry {
                at: r.get("at"),
                user_id: r.get("user_id"),
                member_id: r.get("member_id"),
                ip: r.get("ip"),
                action: AuditAction::parse(&r.get::<String, _>("action")).unwrap(),
                entity: r.get("entity"),
                entity_id: r.get("entity_id"),
                detail: r.get("detail"),
            };
            (r.get("seq"), e)
        })
        .collect()
}

/// What an attacker with write access does after an edit: recompute every hash after it and
/// the head, with the hash function given.
async fn rechain(store: &Casework, hash: impl Fn(&str, i64, &AuditEntry) -> String) {
    let mut prev = GENESIS.to_string();
    for (seq, e) in entries(store).await {
        let h = hash(&prev, seq, &e);
        sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3")
            .bind(&prev)
            .bind(&h)
            .bind(seq)
            .execute(store.store().pool())
            .await
            .unwrap();
        prev = h;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(store.store().pool())
        .await
        .unwrap();
}

fn broken(v: Verification) -> (i64, String) {
    match v {
        Verification::Broken { seq, reason } => (seq, reason),
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

/// An edited entry with the chain recomputed after it, as plain SHA-256 (what `audit verify`
/// accepted before) or with a key of the attacker's own, is found.
async fn an_edit_recomputed_without_the_key_shows(backend: Backend) {
    let (_db, store, _) = busy_store(backend).await;
    assert!(matches!(store.store().verify_audit().await.unwrap(), Verification::Intact { .. }));
    sqlx::query("UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 3")
        .execute(store.store().pool())
        .await
        .unwrap();
    rechain(&store, legacy_chain_hash).await;
    assert_eq!(broken(store.store().verify_audit().await.unwrap()).0, 1, "an unkeyed chain fails from its first entry");

    let attackers_key = AuditKey::from_hex(&"5a".repeat(32)).unwrap();
    rechain(&store, |prev, seq, e| chain_hash(&attackers_key, prev, seq, e)).await;
    assert_eq!(broken(store.store().verify_audit().await.unwrap()).0, 1);
    store.close().await;
}

/// Entries deleted from the end, with the head moved back to the last one kept, look like an
/// intact chain; the checkpoint outside the database shows them, and is not overwritten.
async fn entries_deleted_from_the_end_show_against_the_checkpoint(backend: Backend) {
    let (_db, store, _) = busy_store(backend).await;
    let Written::At(seen) = store.store().write_audit_checkpoint().await.unwrap() else {
        panic!("no checkpoint written")
    };
    assert_eq!(store.store().write_audit_checkpoint().await.unwrap(), Written::Unchanged);
    let Verification::Intact { entries, checkpoints } = store.store().verify_audit().await.unwrap() else { panic!() };
    assert_eq!(entries, seen);
    assert_eq!(checkpoints.len(), 2, "a file in the data folder and an object in the document store");

    let keep = seen - 3;
    let last_kept: String = sqlx::query("SELECT hash FROM audit_log WHERE seq = $1")
        .bind(keep)
        .fetch_one(store.store().pool())
        .await
        .unwrap()
        .get("hash");
    sqlx::query("DELETE FROM audit_log WHERE seq > $1").bind(keep).execute(store.store().pool()).await.unwrap();
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(keep)
        .bind(&last_kept)
        .execute(store.store().pool())
        .await
        .unwrap();
    let (seq, reason) = broken(store.store().verify_audit().await.unwrap());
    assert_eq!(seq, keep + 1);
    assert!(reason.contains(&format!("entries up to {seen} were deleted")), "{reason}");
    assert!(matches!(store.store().write_audit_checkpoint().await.unwrap(), Written::Refused(_)), "the evidence stays");
    assert!(broken(store.store().verify_audit().await.unwrap()).1.contains("deleted"));

    // A checkpoint edited to agree with the shortened chain is refused for its MAC.
    let file = store.data_dir().join(kinbridge_store::audit::checkpoints::FILE);
    let text =
        std::fs::read_to_string(&file).unwrap().replace(&format!("\"seq\": {seen}"), &format!("\"seq\": {keep}"));
    std::fs::write(&file, text).unwrap();
    assert!(broken(store.store().verify_audit().await.unwrap()).1.contains("altered"));
    store.close().await;
}

/// Without its head row the chain is reported broken, not a database error.
async fn a_deleted_head_is_reported(backend: Backend) {
    let (_db, store, _) = busy_store(backend).await;
    sqlx::query("DELETE FROM audit_head").execute(store.store().pool()).await.unwrap();
    let (seq, reason) = broken(store.store().verify_audit().await.unwrap());
    assert_eq!(seq, 0);
    assert!(reason.contains("head"), "{reason}");
    assert!(matches!(store.store().write_audit_checkpoint().await.unwrap(), Written::Refused(_)));
}

/// A chain written before the audit key existed is sealed with the key when the store opens,
/// once, and the sealing is itself recorded.
async fn a_chain_from_before_the_key_is_sealed_once(backend: Backend) {
    let (db, store, _) = busy_store(backend).await;
    rechain(&store, legacy_chain_hash).await;
    assert!(matches!(store.store().verify_audit().await.unwrap(), Verification::Broken { seq: 1, .. }));
    let before = entries(&store).await.len();
    store.close().await;
    for f in [kinbridge_store::audit::checkpoints::FILE, "documents/audit/checkpoint.json"] {
        std::fs::remove_file(db.data_dir.join(f)).unwrap();
    }

    let store = Casework::open(&db.url, &db.data_dir).await.unwrap();
    let Verification::Intact { entries: n, .. } = store.store().verify_audit().await.unwrap() else {
        panic!("not sealed")
    };
    assert_eq!(n as usize, before + 1);
    let last = entries(&store).await.pop().unwrap().1;
    assert_eq!(last.action, AuditAction::Admin);
    assert!(last.detail.contains("sealed"), "{}", last.detail);
    store.close().await;

    // Once sealed and checkpointed, an unkeyed chain is never sealed again: it is reported.
    let store = Casework::open(&db.url, &db.data_dir).await.unwrap();
    rechain(&store, legacy_chain_hash).await;
    store.close().await;
    let store = Casework::open(&db.url, &db.data_dir).await.unwrap();
    assert!(matches!(store.store().verify_audit().await.unwrap(), Verification::Broken { seq: 1, .. }));
}

/// A NUL in what a read records is stored as U+FFFD, and reads recorded alongside it are
/// recorded too.
async fn a_nul_in_one_read_fails_no_other(backend: Backend) {
    let (_db, store, ch) = busy_store(backend).await;
    let reads = (0..20).map(|i| {
        let store = store.clone();
        let id = if i % 2 == 0 { format!("bad\0id-{i}") } else { format!("good-{i}") };
        let entry = ch.entry(AuditAction::Read, "case", Some(&id), "");
        async move { store.audit(vec![entry]).await }
    });
    for result in futures::future::join_all(reads).await {
        result.unwrap();
    }
    let stored: Vec<String> = entries(&store).await.into_iter().filter_map(|(_, e)| e.entity_id).collect();
    assert_eq!(stored.iter().filter(|id| id.starts_with("good-")).count(), 10);
    assert_eq!(stored.iter().filter(|id| id.starts_with("bad\u{fffd}id-")).count(), 10);
    assert!(matches!(store.store().verify_audit().await.unwrap(), Verification::Intact { .. }));
    store.close().await;
}

both_backends!(
    an_edit_recomputed_without_the_key_shows,
    entries_deleted_from_the_end_show_against_the_checkpoint,
    a_deleted_head_is_reported,
    a_chain_from_before_the_key_is_sealed_once,
    a_nul_in_one_read_fails_no_other
);
