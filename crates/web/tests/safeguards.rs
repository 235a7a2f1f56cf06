//! Safeguards that no URL, byte or request parameter can switch off, against the real server
//! on SQLite and on PostgreSQL: characters no database can store, sign-in redirects, the
//! research corpus's disclosure floors and consent, sign-in throttling, archive leaks and the
//! API's error contract.

mod common;

use common::{case_body, spawn_app};
use kinbridge_store::{both_backends, Backend};
use serde_json::{json, Value};

/// A NUL byte anywhere a request carries text answers 400 with the JSON error (or an error
/// page), and an innocent user reading at the same time loses no read and no audit entry.
async fn nul_bytes_fail_nobody_else(backend: Backend) {
    let app = spawn_app(backend).await;
    let ana = app.api("ana@ch.test").await;
    let luc = app.api("luc@ch.test").await;
    let (s, case) = ana.post("/api/v1/cases", case_body()).await;
    assert_eq!(s, 201, "{case}");
    let case_id = case["id"].as_str().unwrap().to_string();
    let luc_id = luc.user["id"].as_str().unwrap().to_string();

    let attacker = {
        let (http, base, token) = (ana.http.clone(), app.base.clone(), ana.token.clone());
        tokio::spawn(async move {
            let bad = [
                "/api/v1/cases/a%00b",
                "/api/v1/cases?q=%00",
                "/api/v1/search?q=a%00b",
                "/api/v1/research/cases?q=%00",
                "/api/v1/documents/%00",
                "/api/v1/archive/units/x%00",
                "/cases?q=a%00",
                "/search?q=%00",
            ];
            let mut answers = Vec::new();
            for round in 0..25 {
                for path in bad {
                    let r = http.get(format!("{base}{path}")).bearer_auth(&token).send().await.unwrap();
                    answers.push((path, round, r.status().as_u16(), r.text().await.unwrap()));
                }
            }
            answers
        })
    };
    let mut innocent = 0;
    for _ in 0..150 {
        let (s, body) = luc.get(&format!("/api/v1/cases/{case_id}")).await;
        assert_eq!(s, 200, "an innocent read failed: {body}");
        innocent += 1;
    }
    for (path, _, status, body) in attacker.await.unwrap() {
        assert_eq!(status, 400, "{path}: {body}");
        if path.starts_with("/api/") {
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["error"]["code"], "unstorable_text", "{path}");
        } else {
            assert!(body.contains("cannot be stored"), "{path}: an error page in words");
        }
    }
    let audited: i64 = sqlx::Row::get(
        &sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'read' AND entity = 'case' AND entity_id = $1 AND user_id = $2")
            .bind(&case_id)
            .bind(&luc_id)
            .fetch_one(app.store.pool())
            .await
            .unwrap(),
        "n",
    );
    assert_eq!(audited, innocent, "every innocent read audited exactly once");

    // Bodies: a JSON string with an escaped NUL, a form field with one, the sign-in e-mail.
    let (s, v) = ana.post("/api/v1/cases", json!({"service": "family_tracing", "title": "a\u{0}b"})).await;
    assert_eq!((s, v["error"]["code"].as_str()), (400, Some("unstorable_text")));
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": "ana@ch.test\u{0}", "password": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = reqwest::Client::new()
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=ana%00%40ch.test&password=x&_csrf=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(matches!(app.store.verify_audit().await.unwrap(), kinbridge_store::audit::Verification::Intact { .. }));
}

/// After sign-in the browser goes only to a path of this site, however `next` is written.
async fn sign_in_goes_nowhere_else(backend: Backend) {
    let app = spawn_app(backend).await;
    for next in
        ["/\t/evil.example", "/%09/evil.example", "/\n/x", "//evil.example", "/\\evil.example", "https://evil.example"]
    {
        let http =
            reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let page = http.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        let csrf = common::hidden(&page, "_csrf");
        let r = http
            .post(app.url("/login"))
            .form(&[("_csrf", csrf.as_str()), ("email", "ana@ch.test"), ("password", common::PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{next:?}");
        assert_eq!(r.headers()["location"], "/", "{next:?}");
    }
    // The login page's own link keeps only a safe `next`.
    let page = reqwest::get(app.url("/login?next=/%0A/x")).await.unwrap();
    assert_eq!(page.status(), 200);
}

/// The researcher, whose exports disclosure control protects, cannot lower it: a threshold or
/// k under the data protection officer's floor is refused with the field named, and every
/// export says what it used.
async fn disclosure_floors_hold(backend: Backend) {
    let app = spawn_app(backend).await;
    let researcher = app.api("research@gs.test").await;
    let browser = app.browser("research@gs.test").await;
    for path in [
        "/api/v1/research/tables/outcomes.csv?threshold=1",
        "/api/v1/research/tables/outcomes.csv?threshold=4",
        "/api/v1/research/records.csv?k=2",
        "/api/v1/research/records.parquet?k=1",
    ] {
        let (s, v) = researcher.get(path).await;
        assert_eq!(s, 422, "{path}: {v}");
        let field = &v["error"]["fields"][0];
        assert_eq!(field["code"], "below_floor", "{path}: {v}");
        assert!(field["message"].as_str().unwrap().contains('5'), "{path}: the floor is named: {v}");
    }
    for path in ["/research/outcomes.csv?threshold=1", "/research/records.csv?k=2"] {
        let r = browser.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 422, "{path}");
        assert!(r.text().await.unwrap().contains("data protection officer"), "{path}");
    }
    let csv = browser.get(app.url("/research/outcomes.csv")).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("# Suppression threshold 5:"), "{csv}");
    let csv = browser.get(app.url("/research/outcomes.csv?threshold=10")).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("# Suppression threshold 10:"), "{csv}");
    let csv = browser.get(app.url("/research/records.csv")).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("# k-anonymity with k = 5:"), "{csv}");
    let page = browser.get(app.url("/research")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("counts under 5"), "the page says what exports withhold");
}

/// A unit closed to a reader does not exist for them: no count of it in its open parent, in
/// the API or the page, and another member may use the reference code it took.
async fn closed_units_leave_no_trace(backend: Backend) {
    let app = spawn_app(backend).await;
    let archivist = app.api("archives@ch.test").await;
    let de_archivist = app.api("archives@de.test").await;
    let de = app.api("jonas@de.test").await;
    let (s, fonds) = archivist
        .post("/api/v1/archive/units", json!({"level": "fonds", "reference_code": "CH-OPEN", "title": "Old files", "date_from": "1950", "date_to": "1960", "restriction": "open"}))
        .await;
    assert_eq!(s, 201, "{fonds}");
    let fonds_id = fonds["id"].as_str().unwrap();
    for (code, restriction) in [("CH-OPEN/1", "open"), ("CH-OPEN/2", "adoption")] {
        let (s, unit) = archivist
            .post("/api/v1/archive/units", json!({"parent_id": fonds_id, "level": "file", "reference_code": code, "title": code, "date_from": "1955", "date_to": "1956", "restriction": restriction}))
            .await;
        assert_eq!(s, 201, "{unit}");
    }
    let (s, own) = archivist.get(&format!("/api/v1/archive/units/{fonds_id}")).await;
    assert_eq!((s, own["children"].as_array().unwrap().len()), (200, 2), "{own}");

    let (s, seen) = de.get(&format!("/api/v1/archive/units/{fonds_id}")).await;
    assert_eq!(s, 200, "{seen}");
    let codes: Vec<&str> =
        seen["children"].as_array().unwrap().iter().map(|c| c["reference_code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["CH-OPEN/1"]);
    assert!(seen.get("withheld_children").is_none(), "{seen}");
    let page = app.browser("jonas@de.test").await.get(app.url(&format!("/archives/{fonds_id}"))).send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("CH-OPEN/1") && !page.contains("CH-OPEN/2") && !page.contains("closed to you"), "{page}");

    let (s, v) = de_archivist
        .post("/api/v1/archive/units", json!({"level": "fonds", "reference_code": "CH-OPEN/2", "title": "Ours", "date_from": "1990", "date_to": "1991", "restriction": "open"}))
        .await;
    assert_eq!(s, 201, "a code another member's closed unit took is free for this one: {v}");
    let (s, v) = archivist
        .post("/api/v1/archive/units", json!({"parent_id": fonds_id, "level": "file", "reference_code": "CH-OPEN/1", "title": "again", "date_from": "1955", "date_to": "1956", "restriction": "open"}))
        .await;
    assert_eq!((s, v["error"]["code"].as_str()), (409, Some("reference_code_taken")), "still unique within a member");
}

/// A DOCX of a few hundred kilobytes whose text part unpacks to 100 MB: the upload is taken,
/// its import fails with the reason in words, and nothing of it is kept.
async fn a_zip_bomb_is_refused_with_its_reason(backend: Backend) {
    use std::io::Write;
    let app = spawn_app(backend).await;
    let archivist = app.api("archives@ch.test").await;
    let (s, fonds) = archivist
        .post("/api/v1/archive/units", json!({"level": "fonds", "reference_code": "CH-BOMB", "title": "Uploads", "date_from": "1990", "date_to": "1999", "restriction": "personal"}))
        .await;
    assert_eq!(s, 201, "{fonds}");
    let fonds_id = fonds["id"].as_str().unwrap();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("word/document.xml", deflated).unwrap();
    zip.write_all(b"<w:document><w:body><w:p><w:r><w:t>").unwrap();
    let chunk = vec![b'A'; 1 << 20];
    for _ in 0..100 {
        zip.write_all(&chunk).unwrap();
    }
    zip.write_all(b"</w:t></w:r></w:p></w:body></w:document>").unwrap();
    let bomb = zip.finish().unwrap().into_inner();
    assert!(bomb.len() < 512 * 1024, "{} bytes", bomb.len());
    let (s, v) = archivist.upload(&format!("/api/v1/archive/units/{fonds_id}/files"), "report.docx", bomb).await;
    assert_eq!(s, 202, "{v}");
    let started = std::time::Instant::now();
    let progress = loop {
        let (_, p) = archivist.get(&format!("/api/v1/archive/units/{fonds_id}/imports")).await;
        if p["progress"]["pending"] == 0 {
            break p;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "{p}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(progress["progress"]["failed"], 1, "{progress}");
    assert!(progress.to_string().contains("container_too_large"), "{progress}");
    let items: i64 = sqlx::Row::get(
        &sqlx::query("SELECT COUNT(*) AS n FROM archive_units WHERE level = 'item'")
            .fetch_one(app.store.pool())
            .await
            .unwrap(),
        "n",
    );
    assert_eq!(items, 0);
    let page =
        app.browser("archives@ch.test").await.get(app.url(&format!("/archives/{fonds_id}"))).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("refused as unsafe"), "the reason in words");
}

/// Failed sign-ins slow down the address and the account they come from with growing waits,
/// but lock nobody out: the owner signs in from elsewhere after at most a short wait. Behind
/// a trusted proxy the client's address comes from `X-Forwarded-For`; from anyone else that
/// header is ignored.
async fn sign_in_throttles_the_guesser_not_the_owner(backend: Backend) {
    let config = kinbridge_web::WebConfig { trusted_proxies: vec!["127.0.0.1".parse().unwrap()], ..Default::default() };
    let app = common::spawn_app_with(backend, config).await;
    let http = reqwest::Client::new();
    let sign_in = |from: String, password: &'static str| {
        let (http, url) = (http.clone(), app.url("/api/v1/session"));
        async move {
            let r = http
                .post(url)
                .header("x-forwarded-for", from)
                .json(&json!({"email": "ana@ch.test", "password": password}))
                .send()
                .await
                .unwrap();
            let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
            (r.status().as_u16(), retry, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // One guesser's address: three tries, then each waits.
    for _ in 0..3 {
        assert_eq!(sign_in("203.0.113.5".into(), "wrong password!").await.0, 401);
    }
    let (s, retry, v) = sign_in("203.0.113.5".into(), common::PASSWORD).await;
    assert_eq!((s, retry), (429, Some(1)), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("Wait one second"), "{v}");
    // Guesses spread over many addresses slow the account a little (from its tenth failure),
    // never lock it.
    for i in 0..7 {
        assert_eq!(sign_in(format!("198.51.100.{i}"), "wrong password!").await.0, 401);
    }
    let (mut s, retry, _) = sign_in("192.0.2.77".into(), common::PASSWORD).await;
    if s == 429 {
        let wait = retry.expect("a wait to respect");
        assert!(wait <= 30, "the owner waits half a minute at most: {wait}");
        tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
        s = sign_in("192.0.2.77".into(), common::PASSWORD).await.0;
    }
    assert_eq!(s, 201, "the owner signs in");
    // The guesser's own address still waits, and its wait has grown.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(sign_in("203.0.113.5".into(), "wrong password!").await.0, 401, "its first wait is over");
    let (s, retry, _) = sign_in("203.0.113.5".into(), common::PASSWORD).await;
    assert_eq!((s, retry), (429, Some(2)));

    // Without a trusted proxy, a client cannot choose its address by the header.
    let app = spawn_app(backend).await;
    for i in 0..3 {
        let r = http
            .post(app.url("/api/v1/session"))
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .json(&json!({"email": "luc@ch.test", "password": "wrong password!"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    let r = http
        .post(app.url("/api/v1/session"))
        .header("x-forwarded-for", "198.51.100.200")
        .json(&json!({"email": "luc@ch.test", "password": common::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429, "the three failures counted for 127.0.0.1, whatever the header said");
}

/// The API answers in its own JSON error, with the parameter named, whatever went wrong with
/// a request; stale and partial edits are refused; writes to another member's unit are not
/// found; open units carry a real date.
async fn the_api_keeps_its_contract(backend: Backend) {
    let app = spawn_app(backend).await;
    let ana = app.api("ana@ch.test").await;
    let json_error = |status: u16, v: &Value, expected_status: u16, code: &str| {
        assert_eq!(status, expected_status, "{v}");
        assert_eq!(v["error"]["code"], code, "{v}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
    };
    for (path, parameter) in [
        ("/api/v1/cases?page=-1", "page"),
        ("/api/v1/requests?per_page=abc", "per_page"),
        ("/api/v1/search?limit=x", "limit"),
    ] {
        let (s, v) = ana.get(path).await;
        json_error(s, &v, 400, "invalid_query");
        assert_eq!(v["error"]["fields"][0]["field"], parameter, "{v}");
    }
    let (s, v) = ana.get("/api/v1/search?q=title:*").await;
    json_error(s, &v, 400, "invalid_search");

    let (_, case) = ana.post("/api/v1/cases", case_body()).await;
    let cid = case["id"].as_str().unwrap().to_string();
    let r = ana
        .http
        .post(app.url(&format!("/api/v1/cases/{cid}/documents")))
        .bearer_auth(&ana.token)
        .header("content-type", "multipart/form-data")
        .body("no boundary")
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    json_error(s, &r.json().await.unwrap(), 400, "invalid_upload");
    let big = json!({"service": "family_tracing", "title": "x".repeat(300 * 1024)});
    let (s, v) = ana.post("/api/v1/cases", big).await;
    json_error(s, &v, 413, "body_too_large");
    assert!(v["error"]["message"].as_str().unwrap().contains("256"), "{v}");

    // An edit must say which version it was made on.
    let (s, v) = ana.send("PATCH", &format!("/api/v1/cases/{cid}"), json!({"title": "Renamed"})).await;
    json_error(s, &v, 422, "invalid_input");
    assert_eq!(v["error"]["fields"][0]["field"], "version", "{v}");
    let version = case["version"].clone();
    let (s, v) =
        ana.send("PATCH", &format!("/api/v1/cases/{cid}"), json!({"title": "Renamed", "version": version})).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) =
        ana.send("PATCH", &format!("/api/v1/cases/{cid}"), json!({"title": "Again", "version": version})).await;
    json_error(s, &v, 409, "stale_version");

    // Another member's open unit: reading is allowed, writing is not found (and audited).
    let archivist = app.api("archives@ch.test").await;
    let de_archivist = app.api("archives@de.test").await;
    let (_, fonds) = archivist
        .post("/api/v1/archive/units", json!({"level": "fonds", "reference_code": "CH-O", "title": "Open", "date_from": "1950", "date_to": "1960", "restriction": "open"}))
        .await;
    let fid = fonds["id"].as_str().unwrap().to_string();
    assert_eq!(fonds["open_from"], "1960-12-31", "open since its latest date: {fonds}");
    let (s, _) = de_archivist.get(&format!("/api/v1/archive/units/{fid}")).await;
    assert_eq!(s, 200);
    let before = app.denied_audits(&fid).await;
    for body in [
        json!({"parent_id": fid, "level": "file", "reference_code": "DE/1", "title": "Ours", "restriction": "open"}),
        json!({"parent_id": fid}),
    ] {
        let (s, v) = de_archivist.post("/api/v1/archive/units", body).await;
        json_error(s, &v, 404, "not_found");
    }
    let (s, v) = de_archivist.upload(&format!("/api/v1/archive/units/{fid}/files"), "empty.txt", Vec::new()).await;
    json_error(s, &v, 404, "not_found");
    let (s, v) =
        de_archivist.send("PUT", &format!("/api/v1/archive/units/{fid}/legal-hold"), json!({"hold": true})).await;
    json_error(s, &v, 404, "not_found");
    assert!(app.denied_audits(&fid).await >= before + 4, "each refused write is audited");
}

/// Days that do not exist, dates out of this world, text made only of invisible characters
/// and file names that reorder themselves: refused field by field (or cleaned, for a file
/// name), and nothing is written by a refused request.
async fn impossible_values_are_refused_and_nothing_written(backend: Backend) {
    let app = spawn_app(backend).await;
    let ana = app.api("ana@ch.test").await;
    let (_, case) = ana.post("/api/v1/cases", case_body()).await;
    let cid = case["id"].as_str().unwrap().to_string();
    let before = app.case_data_counts().await;
    let field_code = |v: &Value, field: &str| -> String {
        v["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == field)
            .map(|f| f["code"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no error for {field}: {v}"))
    };
    let (s, v) = ana.post("/api/v1/cases", json!({"service": "family_tracing", "title": "\u{202E}\u{200B}"})).await;
    assert_eq!((s, field_code(&v, "title").as_str()), (422, "required"));
    for given_on in ["1800-01-01", "2026-02-30", "9999-99-99", "-5"] {
        let (s, v) = ana
            .post(
                &format!("/api/v1/cases/{cid}/consents"),
                json!({"scope": "research", "given_by": "Mother", "given_on": given_on}),
            )
            .await;
        assert_eq!((s, field_code(&v, "given_on").as_str()), (422, "invalid_date"), "{given_on}");
    }
    for (last_seen_on, code) in [
        ("2099", "date_in_future"),
        ("9999-99-99", "invalid_partial_date"),
        ("2026-02-30", "invalid_partial_date"),
        ("-5", "invalid_partial_date"),
    ] {
        let body = json!({"inquirer_name": "Selam", "relation": "sister", "given_names": "Dawit", "last_seen_on": last_seen_on});
        let (s, v) = ana.post(&format!("/api/v1/cases/{cid}/tracing-requests"), body).await;
        assert_eq!((s, field_code(&v, "last_seen_on").as_str()), (422, code), "{last_seen_on}");
    }
    for birth_date in ["-5", "2026-02-30", "9999-99-99"] {
        let (s, v) = ana
            .post(
                &format!("/api/v1/cases/{cid}/people"),
                json!({"role": "father", "given_names": "Yonas", "birth_date": birth_date}),
            )
            .await;
        assert_eq!((s, field_code(&v, "birth_date").as_str()), (422, "invalid_birth_date"), "{birth_date}");
    }
    let (s, v) = ana.post(&format!("/api/v1/cases/{cid}/notes"), json!({"body": "\u{2066}\u{2069}"})).await;
    assert_eq!((s, field_code(&v, "body").as_str()), (422, "required"));
    assert_eq!(app.case_data_counts().await, before, "nothing written by refused requests");

    let (s, doc) =
        ana.upload(&format!("/api/v1/cases/{cid}/documents"), "évil\u{202E}txt.exe", b"hello".to_vec()).await;
    assert_eq!(s, 201, "{doc}");
    assert_eq!(doc["filename"], "éviltxt.exe", "no character that reorders the name is kept");
}

both_backends!(
    nul_bytes_fail_nobody_else,
    sign_in_goes_nowhere_else,
    disclosure_floors_hold,
    closed_units_leave_no_trace,
    a_zip_bomb_is_refused_with_its_reason,
    sign_in_throttles_the_guesser_not_the_owner,
    the_api_keeps_its_contract,
    impossible_values_are_refused_and_nothing_written,
);
