//! `kinbridge archive import`, `reindex` and `search` through the real binary, with the real
//! OCR engine: every file type and the bad ones, a batch killed midway and resumed with
//! nothing lost or duplicated, and the imported text found by search.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use kinbridge_casework::Casework;
use kinbridge_store::testing::TestDatabase;
use kinbridge_store::{both_backends, Backend};

fn command(db: &TestDatabase, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kinbridge"));
    c.args(args)
        .env("KINBRIDGE_DATABASE_URL", &db.url)
        .env("KINBRIDGE_DATA_DIR", &db.data_dir)
        .env("KINBRIDGE_PASSWORD", "a long enough password")
        .env("KINBRIDGE_LOG", "error");
    c
}

fn run(db: &TestDatabase, args: &[&str]) -> Output {
    command(db, args).output().expect("run kinbridge")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../archive/tests/fixtures")
}

async fn count(store: &Casework, sql: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(sql).fetch_one(store.store().pool()).await.unwrap().try_get::<i64, _>(0).unwrap()
}

async fn every_file_type(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    assert!(run(&db, &["member", "add", "--code", "CH", "--name", "Switzerland", "--country", "CH"]).status.success());
    let o = run(&db, &["user", "add", "--member", "CH", "--role", "system_admin", "--email", "root@ch.test"]);
    assert!(o.status.success(), "{}", text(&o.stderr));

    // A fonds that does not exist needs its member.
    let dir = fixtures();
    let dir = dir.to_str().unwrap();
    let o = run(&db, &["archive", "import", dir, "--fonds", "CH-ISS-A"]);
    assert!(!o.status.success() && text(&o.stderr).contains("--member"), "{}", text(&o.stderr));

    let o = run(&db, &["archive", "import", dir, "--fonds", "CH-ISS-A", "--member", "CH", "--restriction", "open"]);
    assert_eq!(o.status.code(), Some(3), "some files failed: {}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("Created fonds CH-ISS-A"), "{out}");
    assert!(out.contains("8 imported, 0 duplicates, 4 failed, 0 pending"), "{out}");
    for (file, reason) in [
        ("empty.txt", "empty_file"),
        ("corrupt.png", "corrupt_image"),
        ("encrypted.pdf", "encrypted_pdf"),
        ("photo.pdf", "extension_mismatch"),
    ] {
        assert!(out.contains(&format!("not imported: {file} — {reason}")), "{file}: {out}");
    }

    // Every kind of file gave its text: the OCR'd PNG, JPEG and two-page TIFF, the scanned
    // PDF, the PDF's text layer, DOCX, ODT and a Windows-1252 text file.
    let store = Casework::open(&db.url, &db.data_dir).await.unwrap();
    assert_eq!(count(&store, "SELECT COUNT(*) FROM archive_units WHERE level = 'item'").await, 8);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM archive_pages WHERE item_id IN (SELECT id FROM archive_units WHERE filename = 'report_1958.tif')").await, 2);
    let expect = [
        ("lettre_1962.png", "Brunner"),
        ("carta_1971.jpg", "Valladolid"),
        ("report_1958.tif", "Whitfield"),
        ("ordonnance_scan.pdf", "Marchand"),
        ("home_study_1999.pdf", "Okafor"),
        ("rapporto_1985.docx", "Rinaldi"),
        ("relatorio_1990.odt", "Ferreira"),
        ("notes_1975.txt", "Haddad"),
    ];
    for (file, word) in expect {
        let n = count(
            &store,
            &format!(
                "SELECT COUNT(*) FROM archive_pages p JOIN archive_units u ON u.id = p.item_id WHERE u.filename = '{file}' AND p.body LIKE '%{word}%'"
            ),
        )
        .await;
        assert_eq!(n, 1, "{file} should contain {word}");
    }
    // The recognised page carries its confidence; the restricted index has its names.
    assert_eq!(count(&store, "SELECT COUNT(*) FROM archive_pages p JOIN archive_units u ON u.id = p.item_id WHERE u.filename = 'lettre_1962.png' AND p.confidence > 60").await, 1);
    assert!(
        count(&store, "SELECT COUNT(*) FROM archive_entities WHERE kind = 'person' AND value LIKE '%Brunner%'").await
            >= 1
    );
    store.close().await;

    // Importing again changes nothing (and still says that files failed).
    let o = run(&db, &["archive", "import", dir, "--fonds", "CH-ISS-A"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("0 queued now, 12 already"), "{}", text(&o.stdout));

    // Search finds the recognised words, as JSON, with rights applied.
    let o = run(&db, &["search", "Brunner", "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let hits: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["kind"], "unit");
    assert!(hits[0]["snippet"].as_str().unwrap().contains("Brunner"));
    let o = run(&db, &["user", "add", "--member", "CH", "--role", "researcher", "--email", "r@ch.test"]);
    assert!(o.status.success());
    let o = run(&db, &["search", "Brunner", "--as", "r@ch.test"]);
    assert!(o.status.success() && text(&o.stdout).is_empty(), "a researcher finds nothing live");
    let o = run(&db, &["reindex"]);
    assert!(o.status.success() && text(&o.stdout).contains("Search index rebuilt"), "{}", text(&o.stderr));
    let o = run(&db, &["search", "Whitfield"]);
    assert!(text(&o.stdout).starts_with("unit\t"), "{}", text(&o.stdout));
}

/// Copies of a scan that differ in content (a trailer after the image), so each is an
/// original of its own.
fn distinct_scans(dir: &Path, n: usize) {
    let png = std::fs::read(fixtures().join("lettre_1962.png")).unwrap();
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let mut bytes = png.clone();
        bytes.extend_from_slice(format!("copy {i}").as_bytes());
        std::fs::write(dir.join(format!("scan_{i:03}.png")), bytes).unwrap();
    }
}

async fn killed_and_resumed(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    assert!(run(&db, &["member", "add", "--code", "CH", "--name", "Switzerland", "--country", "CH"]).status.success());
    let n = 16;
    let dir = db.data_dir.join("batch");
    distinct_scans(&dir, n);
    let args = ["archive", "import", dir.to_str().unwrap(), "--fonds", "CH-K", "--member", "CH", "--workers", "1"];
    let mut child = command(&db, &args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();

    // Kill it once a few files are in.
    let store = Casework::open(&db.url, &db.data_dir).await.unwrap();
    let started = Instant::now();
    let fonds = loop {
        if let Some(f) = store.fonds_by_code("CH-K", None).await.unwrap().pop() {
            let p = store.import_progress(&f.id).await.unwrap();
            if p.done >= 3 {
                break f;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(120), "the import did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let p = store.import_progress(&fonds.id).await.unwrap();
    assert!(p.pending > 0, "killed midway: {p:?}");
    assert_eq!(p.total, n as i64);

    // Run it again: it resumes, and nothing is lost or imported twice.
    let o = run(&db, &args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let p = store.import_progress(&fonds.id).await.unwrap();
    assert_eq!((p.done, p.duplicate, p.failed, p.pending), (n as i64, 0, 0, 0), "{p:?}");
    assert_eq!(count(&store, "SELECT COUNT(*) FROM archive_units WHERE level = 'item'").await, n as i64);
    assert_eq!(count(&store, "SELECT COUNT(DISTINCT sha256) FROM archive_units WHERE level = 'item'").await, n as i64);
    assert_eq!(count(&store, "SELECT COUNT(DISTINCT item_id) FROM archive_pages").await, n as i64);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM jobs WHERE kind = 'archive_import'").await, 0);
    store.close().await;
}

/// Files that share a name but not an extension each get their own reference code; a file
/// whose manifest names a code already taken fails at once with that reason (never left
/// pending), and the exit code says that a file failed.
async fn same_names_and_taken_codes(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    assert!(run(&db, &["member", "add", "--code", "CH", "--name", "Switzerland", "--country", "CH"]).status.success());
    let dir = db.data_dir.join("letters");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("letter.md"), "Lettre de Genève, 1961.").unwrap();
    std::fs::write(dir.join("letter.txt"), "Letter from Geneva, 1961.").unwrap();
    std::fs::write(dir.join("other.txt"), "Another letter.").unwrap();
    let manifest = db.data_dir.join("manifest.csv");
    std::fs::write(&manifest, "path,reference_code\nother.txt,CH-L/letter\n").unwrap();
    let o = run(
        &db,
        &[
            "archive",
            "import",
            dir.to_str().unwrap(),
            "--fonds",
            "CH-L",
            "--member",
            "CH",
            "--workers",
            "1",
            "--manifest",
            manifest.to_str().unwrap(),
        ],
    );
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(3), "{out}{}", text(&o.stderr));
    assert!(out.contains("2 imported, 0 duplicates, 1 failed, 0 pending"), "{out}");
    assert!(out.contains("not imported: other.txt — reference_code_taken"), "{out}");
    let store = Casework::open(&db.url, &db.data_dir).await.unwrap();
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM archive_units WHERE reference_code IN ('CH-L/letter', 'CH-L/letter.txt')")
            .await,
        2
    );
    assert_eq!(count(&store, "SELECT COUNT(*) FROM jobs").await, 0, "no job is left to retry for ever");
    store.close().await;
}

both_backends!(every_file_type, killed_and_resumed, same_names_and_taken_codes);
