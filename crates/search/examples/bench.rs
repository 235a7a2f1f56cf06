//! Search benchmark: the Kinbridge index against SQLite FTS5 on the same generated corpus, in
//! the same run. Run through `bench/search/run.sh` (release build).
//!
//! Usage: bench [ITEMS] [OUT_DIR]

use std::time::Instant;

use kinbridge_domain::ids::{MemberId, UserId};
use kinbridge_domain::{Actor, Role};
use kinbridge_search::docs::IndexDoc;
use kinbridge_search::{SearchIndex, SearchQuery};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::Row;

#[path = "corpus/mod.rs"]
mod corpus;
use corpus::{corpus, MEMBERS};

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// A name with one letter changed (a typing or transliteration slip).
fn misspell(name: &str, rng: &mut fastrand::Rng) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    let i = rng.usize(1..chars.len().max(2));
    if i < chars.len() {
        chars[i] = if chars[i] == 'e' { 'a' } else { 'e' };
    }
    chars.into_iter().collect()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let out = std::path::PathBuf::from(args.get(2).cloned().unwrap_or_else(|| "bench/out/search".into()));
    let reuse = std::env::var("KB_REUSE").is_ok();
    if !reuse {
        let _ = std::fs::remove_dir_all(&out);
    }
    std::fs::create_dir_all(&out).unwrap();
    eprintln!("generating {n} items ...");
    let (items, families) = corpus(n, 2026);

    // Kinbridge (tantivy) ingest.
    let index = SearchIndex::open(&out.join("kinbridge-index"), true).unwrap();
    let started = Instant::now();
    for (i, it) in items.iter().enumerate().filter(|_| !reuse) {
        index
            .put(IndexDoc {
                kind: "unit",
                id: format!("{i:08}"),
                title: it.title.clone(),
                reference: format!("{}-{i}", it.member),
                text: it.text.clone(),
                language: it.lang.to_string(),
                names: it.names.clone(),
                readers: vec!["admin".into()],
                open_from: None,
                member: it.member.to_string(),
                country: it.member.to_string(),
                service: Some(it.service.to_string()),
                level: Some("item".into()),
                date: chrono::NaiveDate::from_ymd_opt(it.year, 6, 1),
                target: format!("{i:08}"),
            })
            .unwrap();
    }
    index.commit(1).unwrap();
    let kb_ingest = started.elapsed().as_secs_f64();
    let segments = index.segments();
    let started = Instant::now();
    index.finish_merges().unwrap();
    eprintln!("merged {segments} segments into {} in {:.1} s", index.segments(), started.elapsed().as_secs_f64());
    eprintln!("kinbridge: {n} items indexed in {kb_ingest:.1} s");

    // SQLite FTS5 ingest, diacritics removed, the same fields.
    let db = out.join("fts5.db");
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(&db)
                .create_if_missing(true)
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal),
        )
        .await
        .unwrap();
    sqlx::query("CREATE VIRTUAL TABLE IF NOT EXISTS items USING fts5(title, text, names, member UNINDEXED, service UNINDEXED, year UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')")
        .execute(&pool)
        .await
        .unwrap();
    let started = Instant::now();
    for chunk in items.chunks(20_000).filter(|_| !reuse) {
        let mut tx = pool.begin().await.unwrap();
        for it in chunk {
            sqlx::query("INSERT INTO items (title, text, names, member, service, year) VALUES (?, ?, ?, ?, ?, ?)")
                .bind(&it.title)
                .bind(&it.text)
                .bind(it.names.join(" "))
                .bind(it.member)
                .bind(it.service)
                .bind(it.year)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
    }
    if !reuse {
        sqlx::query("INSERT INTO items(items) VALUES ('optimize')").execute(&pool).await.unwrap();
    }
    let fts_ingest = started.elapsed().as_secs_f64();
    eprintln!("fts5: {n} items indexed in {fts_ingest:.1} s");

    // Queries: 200 of each kind, the same terms for both engines.
    let admin = Actor {
        user_id: UserId::generate(),
        member_id: MemberId::generate(),
        role: Role::SystemAdmin,
        training_hold: false,
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let phrases = [
        "\"home visit\"",
        "\"documents d'état civil\"",
        "\"registro civil\"",
        "\"keep in touch\"",
        "\"reste inquiet\"",
        "\"vivienda adecuada\"",
    ];
    let mut rng = fastrand::Rng::with_seed(7);
    let mut report = serde_json::Map::new();
    // KB_KINDS=term,phrase limits the run to some kinds of query (when studying one).
    let kinds: Vec<String> = std::env::var("KB_KINDS")
        .map(|k| k.split(',').map(str::to_string).collect())
        .unwrap_or_else(|_| ["term", "phrase", "fuzzy_name", "faceted"].map(str::to_string).to_vec());
    for kind in kinds.iter().map(String::as_str) {
        let mut slowest: Vec<(f64, String, u64)> = Vec::new();
        let mut kb = Vec::new();
        let mut fts = Vec::new();
        let mut kb_hits = 0u64;
        let mut fts_hits = 0i64;
        for i in 0..220 {
            let family = &families[rng.usize(..families.len())];
            let member = MEMBERS[rng.usize(..MEMBERS.len())];
            let (kq, fq): (SearchQuery, String) = match kind {
                "term" => {
                    (SearchQuery { text: family.clone(), limit: 20, ..Default::default() }, format!("\"{family}\""))
                }
                "phrase" => {
                    let p = phrases[rng.usize(..phrases.len())];
                    (SearchQuery { text: p.into(), limit: 20, ..Default::default() }, p.replace('\'', " "))
                }
                // FTS5 has no edit distance: its nearest built-in is a prefix query.
                "fuzzy_name" => {
                    let wrong = misspell(family, &mut rng);
                    let prefix: String = family.chars().take(4).collect();
                    (SearchQuery { text: wrong, limit: 20, ..Default::default() }, format!("\"{prefix}\"*"))
                }
                _ => (
                    SearchQuery {
                        text: family.clone(),
                        filters: vec![("member".into(), member.into())],
                        limit: 20,
                        ..Default::default()
                    },
                    format!("\"{family}\""),
                ),
            };
            let t = Instant::now();
            let r = index.search(&admin, &kq, today).unwrap();
            let kb_ms = t.elapsed().as_secs_f64() * 1000.0;
            let t = Instant::now();
            let member_clause = if kind == "faceted" { " AND member = ?2" } else { "" };
            let rows = sqlx::query(&format!(
                "SELECT rowid, snippet(items, 1, '<b>', '</b>', '…', 20) AS s FROM items WHERE items MATCH ?1{member_clause} ORDER BY rank LIMIT 20"
            ))
            .bind(&fq)
            .bind(member)
            .fetch_all(&pool)
            .await
            .unwrap();
            let total: i64 =
                sqlx::query(&format!("SELECT COUNT(*) AS n FROM items WHERE items MATCH ?1{member_clause}"))
                    .bind(&fq)
                    .bind(member)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
                    .get("n");
            if kind == "faceted" {
                // The facet counts the Kinbridge answer carries.
                let _ = sqlx::query(
                    "SELECT service, COUNT(*) FROM items WHERE items MATCH ?1 AND member = ?2 GROUP BY service",
                )
                .bind(&fq)
                .bind(member)
                .fetch_all(&pool)
                .await
                .unwrap();
            }
            let fts_ms = t.elapsed().as_secs_f64() * 1000.0;
            let _ = rows.len();
            if i >= 20 {
                slowest.push((kb_ms, kq.text.clone(), r.total));
                kb.push(kb_ms);
                fts.push(fts_ms);
                kb_hits += r.total;
                fts_hits += total;
            }
        }
        slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
        slowest.truncate(5);
        let entry = serde_json::json!({
            "kinbridge_slowest": slowest.iter().map(|(ms, q, hits)| serde_json::json!({"q": q, "ms": ms, "hits": hits})).collect::<Vec<_>>(),
            "kinbridge_p50_ms": percentile(kb.clone(), 0.5), "kinbridge_p99_ms": percentile(kb.clone(), 0.99),
            "fts5_p50_ms": percentile(fts.clone(), 0.5), "fts5_p99_ms": percentile(fts.clone(), 0.99),
            "p99_ratio_fts5_over_kinbridge": percentile(fts, 0.99) / percentile(kb, 0.99),
            "kinbridge_mean_hits": kb_hits as f64 / 200.0, "fts5_mean_hits": fts_hits as f64 / 200.0,
        });
        eprintln!("{kind}: {entry}");
        report.insert(kind.to_string(), entry);
    }
    let size = |p: &std::path::Path| -> u64 {
        fn walk(p: &std::path::Path) -> u64 {
            std::fs::read_dir(p)
                .map(|d| {
                    d.flatten()
                        .map(|e| {
                            if e.path().is_dir() {
                                walk(&e.path())
                            } else {
                                e.metadata().map(|m| m.len()).unwrap_or(0)
                            }
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        if p.is_dir() {
            walk(p)
        } else {
            std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
        }
    };
    pool.close().await;
    let kb_size = size(&out.join("kinbridge-index"));
    let fts_size = size(&db) + size(&out.join("fts5.db-wal"));
    report.insert("items".into(), n.into());
    report.insert(
        "ingest".into(),
        serde_json::json!({
            "kinbridge_items_per_s": n as f64 / kb_ingest, "fts5_items_per_s": n as f64 / fts_ingest,
        }),
    );
    report.insert("size".into(), serde_json::json!({
        "kinbridge_mb_per_million": kb_size as f64 / 1e6 * 1e6 / n as f64, "fts5_mb_per_million": fts_size as f64 / 1e6 * 1e6 / n as f64,
    }));
    let json = serde_json::to_string_pretty(&serde_json::Value::Object(report)).unwrap();
    std::fs::write(out.join("report.json"), &json).unwrap();
    println!("{json}");
}
