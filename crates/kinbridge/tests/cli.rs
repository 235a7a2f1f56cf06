//! The `kinbridge` binary as an administrator uses it, on SQLite and on PostgreSQL.

use std::process::{Command, Output};

use kinbridge_store::testing::TestDatabase;
use kinbridge_store::{both_backends, Backend};

fn kinbridge(db: &TestDatabase, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kinbridge"))
        .args(args)
        .env("KINBRIDGE_DATABASE_URL", &db.url)
        .env("KINBRIDGE_DATA_DIR", &db.data_dir)
        .env("KINBRIDGE_PASSWORD", "a long enough password")
        .env("KINBRIDGE_LOG", "error")
        .output()
        .expect("run kinbridge")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

async fn administration(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let o = kinbridge(&db, &["migrate"]);
    assert!(o.status.success(), "{}", stderr(&o));

    let o = kinbridge(
        &db,
        &["member", "add", "--code", "CH", "--name", "Switzerland", "--country", "CH", "--languages", "fr,de"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = kinbridge(&db, &["member", "add", "--code", "X", "--name", "", "--country", "XX"]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("code: invalid member code")
            && err.contains("name: required")
            && err.contains("country: invalid country"),
        "{err}"
    );
    let o = kinbridge(&db, &["member", "add", "--code", "CH", "--name", "Again", "--country", "CH"]);
    assert!(!o.status.success() && stderr(&o).contains("member_code_taken"), "{}", stderr(&o));

    let o = kinbridge(&db, &["user", "add", "--member", "CH", "--role", "caseworker", "--email", "ana@ch.test"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("ana@ch.test"));
    let o = kinbridge(&db, &["user", "add", "--member", "ZZ", "--role", "caseworker", "--email", "x@ch.test"]);
    assert!(!o.status.success() && stderr(&o).contains("unknown member"), "{}", stderr(&o));

    // The demo refuses a database that has data already.
    let o = kinbridge(&db, &["demo", "--cases", "50"]);
    assert!(!o.status.success() && stderr(&o).contains("already holds data"), "{}", stderr(&o));

    let o = kinbridge(&db, &["audit", "verify"]);
    assert!(o.status.success() && stdout(&o).contains("intact"), "{}", stdout(&o));
}

async fn demo_and_audit_tampering(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let o = kinbridge(&db, &["demo", "--cases", "300"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("300 cases"), "{}", stdout(&o));
    assert!(stdout(&o).contains("caseworker@ch.kinbridge.example"));

    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let counts = sqlx::query(
        "SELECT (SELECT COUNT(DISTINCT country) FROM members) AS countries, (SELECT COUNT(DISTINCT service) FROM cases) AS services, \
         (SELECT COUNT(DISTINCT status) FROM requests) AS statuses, (SELECT COUNT(DISTINCT outcome) FROM cases WHERE outcome IS NOT NULL) AS outcomes",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let get = |c: &str| sqlx::Row::get::<i64, _>(&counts, c);
    assert!(get("countries") >= 30, "members in at least 30 countries");
    assert_eq!(get("services"), 9, "every service type");
    assert_eq!(get("statuses"), 7, "requests in every state");
    assert!(get("outcomes") >= 8, "outcomes spread");

    let o = kinbridge(&db, &["audit", "verify"]);
    assert!(o.status.success(), "{}", stdout(&o));
    sqlx::query("UPDATE audit_log SET user_id = 'someone-else' WHERE seq = 3").execute(&pool).await.unwrap();
    pool.close().await;
    let o = kinbridge(&db, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("BROKEN at entry 3"), "{}", stdout(&o));
}

async fn backup_and_restore(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let o = kinbridge(&db, &["member", "add", "--code", "CH", "--name", "Switzerland", "--country", "CH"]);
    assert!(o.status.success());
    let file = db.data_dir.join("backup.db");
    let o = kinbridge(&db, &["backup", "--to", file.to_str().unwrap()]);
    if backend == Backend::Postgres {
        assert!(!o.status.success() && stderr(&o).contains("pg_dump"), "{}", stderr(&o));
        return;
    }
    assert!(o.status.success(), "{}", stderr(&o));
    let o = kinbridge(&db, &["member", "add", "--code", "DE", "--name", "Germany", "--country", "DE"]);
    assert!(o.status.success());
    let o = kinbridge(&db, &["restore", "--from", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = kinbridge(&db, &["member", "list"]);
    assert!(stdout(&o).contains("CH") && !stdout(&o).contains("DE "), "{}", stdout(&o));
    // Not a database: refused, the live file untouched.
    let junk = db.data_dir.join("junk.db");
    std::fs::write(&junk, b"hello").unwrap();
    let o = kinbridge(&db, &["restore", "--from", junk.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stdout(&kinbridge(&db, &["member", "list"])).contains("CH"));
}

both_backends!(administration, demo_and_audit_tampering, backup_and_restore);
