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
    // Case plans made through the use cases: goals, tasks falling due, reviews.
    let plans = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM case_goals) AS goals, (SELECT COUNT(*) FROM case_tasks) AS tasks, \
                (SELECT COUNT(*) FROM case_reviews) AS reviews, \
                (SELECT COUNT(*) FROM case_tasks t JOIN users u ON u.id = t.owner_id WHERE u.email = 'caseworker@ch.kinbridge.example') AS ch",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let get = |c: &str| sqlx::Row::get::<i64, _>(&plans, c);
    assert!(get("goals") > 0 && get("reviews") == get("goals") && get("tasks") == 3 * get("goals"));
    assert!(get("ch") >= 3, "the Swiss caseworker has tasks to show");
    let drafts = sqlx::query("SELECT COUNT(*) AS n FROM case_assessments WHERE status = 'draft'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(sqlx::Row::get::<i64, _>(&drafts, "n") > 0, "assessments under way");

    // Impact: last year approved by every member with cases and by the network; one SROI
    // analysis; the figures on the command line; the annual report as PDF.
    let last_year = (chrono::Datelike::year(&chrono::Utc::now().date_naive()) - 1).to_string();
    let approvals = sqlx::query("SELECT (SELECT COUNT(*) FROM impact_approvals WHERE level = 'network') AS network, (SELECT COUNT(*) FROM impact_approvals WHERE level = 'member') AS members, (SELECT COUNT(*) FROM sroi_analyses) AS sroi")
        .fetch_one(&pool)
        .await
        .unwrap();
    let get = |c: &str| sqlx::Row::get::<i64, _>(&approvals, c);
    assert_eq!((get("network"), get("sroi")), (1, 1));
    assert!(get("members") >= 30);
    let o = kinbridge(&db, &["impact", "compute", "--member", "CH", "--period", &last_year, "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    assert_eq!(table.lines().count(), 22, "a header and 21 indicators: {table}");
    assert!(table.lines().nth(1).unwrap().starts_with(&format!("children_assisted,count,CH,{last_year},")));
    let o = kinbridge(&db, &["impact", "compute", "--member", "CH", "--period", "2025Q9"]);
    assert!(!o.status.success() && stderr(&o).contains("not a period"), "{}", stderr(&o));
    let out = db.data_dir.join("report.pdf");
    let o =
        kinbridge(&db, &["impact", "report", "--year", &last_year, "--out", out.to_str().unwrap(), "--language", "fr"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = Command::new("pdftotext")
        .args([out.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (Debian: poppler-utils)");
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains(&format!("Rapport annuel du réseau {last_year}"))
            && text.contains("Enfants accompagnés")
            && text.contains("Retour social"),
        "{text}"
    );
    let o = kinbridge(&db, &["impact", "report", "--year", "1999", "--out", out.to_str().unwrap()]);
    assert!(!o.status.success() && stderr(&o).contains("has not approved"), "{}", stderr(&o));

    // The academy: the demo's courses and standings on the command line; a GIFT bank into a
    // new course, and a broken one naming its line and importing nothing.
    let o = kinbridge(&db, &["training", "compliance", "--member", "DE", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = stdout(&o);
    assert!(csv.contains("caseworker,data-protection,lapsed,") && csv.contains(",best-interests,due,"), "{csv}");
    let good = db.data_dir.join("ok.gift");
    std::fs::write(&good, "::A::Consent first? {T}\n\n::B::Kept for {=ten years ~one year}\n").unwrap();
    let o = kinbridge(&db, &["training", "import-gift", good.to_str().unwrap(), "--course", "refresher"]);
    assert!(
        o.status.success() && stdout(&o).contains("Imported 2 questions into refresher, version 1 (course created)"),
        "{}",
        stdout(&o)
    );
    let bad = db.data_dir.join("bad.gift");
    std::fs::write(&bad, "::A::Fine {T}\n\n::B::Describe your day. {}\n").unwrap();
    let o = kinbridge(&db, &["training", "import-gift", bad.to_str().unwrap(), "--course", "refresher"]);
    assert!(
        !o.status.success() && stderr(&o).contains("bad.gift:3: essay questions are not supported"),
        "{}",
        stderr(&o)
    );
    let versions = sqlx::query("SELECT COUNT(*) AS n FROM training_course_versions v JOIN training_courses c ON c.id = v.course_id WHERE c.code = 'refresher'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sqlx::Row::get::<i64, _>(&versions, "n"), 1, "the broken file added nothing");

    // Two families in five consent to research use; only their closed cases enter the corpus.
    let o = kinbridge(&db, &["research", "rebuild"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let shares = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM cases WHERE status = 'closed') AS closed, \
                (SELECT COUNT(*) FROM cases c WHERE status = 'closed' AND EXISTS (SELECT 1 FROM consents k \
                   WHERE k.case_id = c.id AND k.scope = 'research' AND k.withdrawn_on IS NULL)) AS consenting, \
                (SELECT COUNT(*) FROM research_cases) AS copies",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let get = |c: &str| sqlx::Row::get::<i64, _>(&shares, c);
    assert_eq!(get("copies"), get("consenting"));
    assert!(
        get("consenting") > 0 && get("consenting") * 2 < get("closed"),
        "closed {}, consenting {}",
        get("closed"),
        get("consenting")
    );

    let o = kinbridge(&db, &["audit", "verify"]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).contains("Agrees with the checkpoint"), "the demo's stop wrote one: {}", stdout(&o));
    sqlx::query("UPDATE audit_log SET user_id = 'someone-else' WHERE seq = 3").execute(&pool).await.unwrap();
    let o = kinbridge(&db, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("BROKEN at entry 3"), "{}", stdout(&o));
    // Without its head row: exit 2 and a sentence, not a database error.
    sqlx::query("DELETE FROM audit_head").execute(&pool).await.unwrap();
    pool.close().await;
    let o = kinbridge(&db, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("head row was deleted"), "{}", stdout(&o));
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
    // The restore rolled the audit trail back with the database: recorded, and the old
    // checkpoint kept aside rather than reported as deleted entries.
    let o = kinbridge(&db, &["audit", "verify"]);
    assert!(o.status.success(), "{}", stdout(&o));
    let aside = std::fs::read_dir(&db.data_dir)
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().contains("superseded"));
    assert!(aside, "the checkpoint of the chain before the restore is kept");
    // Not a database: refused, the live file untouched.
    let junk = db.data_dir.join("junk.db");
    std::fs::write(&junk, b"hello").unwrap();
    let o = kinbridge(&db, &["restore", "--from", junk.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stdout(&kinbridge(&db, &["member", "list"])).contains("CH"));
}

both_backends!(administration, demo_and_audit_tampering, backup_and_restore);

/// A SQLite URL naming a file that does not exist yet, in a folder that does not exist yet,
/// creates both, as the default database does.
#[test]
fn a_sqlite_url_to_a_new_file_creates_it() {
    let dir = std::env::temp_dir().join(format!("kinbridge-url-{}", std::process::id()));
    let file = dir.join("srv/kb/kinbridge.db");
    for url in [format!("sqlite://{}", file.display()), format!("sqlite://{}?cache=shared", dir.join("b.db").display())]
    {
        let o = Command::new(env!("CARGO_BIN_EXE_kinbridge"))
            .args(["--database-url", &url, "--data-dir", dir.to_str().unwrap(), "migrate"])
            .env("KINBRIDGE_LOG", "error")
            .env_remove("KINBRIDGE_DATABASE_URL")
            .output()
            .unwrap();
        assert!(o.status.success(), "{url}: {}", stderr(&o));
    }
    assert!(file.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
