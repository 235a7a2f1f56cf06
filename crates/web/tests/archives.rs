//! Archives, search and the search of origins through the real server and API: an archivist
//! describes and uploads (imported in the background with OCR), search answers within each
//! reader's rights, and a finding is disclosed under guidance, all audited.

mod common;

use std::time::{Duration, Instant};

use common::spawn_app;
use kinbridge_store::{both_backends, Backend};
use serde_json::{json, Value};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../archive/tests/fixtures").join(name))
        .unwrap()
}

async fn archives_search_and_origins(backend: Backend) {
    let app = spawn_app(backend).await;
    let archivist = app.api("archives@ch.test").await;
    let other_archivist = app.api("archives@de.test").await;
    let ch = app.api("ana@ch.test").await;
    let de = app.api("jonas@de.test").await;
    let researcher = app.api("research@gs.test").await;

    // Describing: bad input is refused field by field; only archivists describe.
    let (status, err) = archivist
        .post("/api/v1/archive/units", json!({"level": "file", "reference_code": "", "title": "x", "date_from": "1970", "date_to": "1960", "restriction": "secret"}))
        .await;
    assert_eq!(status, 422, "{err}");
    let fields: Vec<&str> =
        err["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(
        fields.contains(&"reference_code") && fields.contains(&"date_to") && fields.contains(&"restriction"),
        "{fields:?}"
    );
    let body = json!({"level": "fonds", "reference_code": "CH-ISS-ADO", "title": "Adoption files", "date_from": "1980", "date_to": "1999", "restriction": "adoption"});
    assert_eq!(ch.post("/api/v1/archive/units", body.clone()).await.0, 403);
    let (status, fonds) = archivist.post("/api/v1/archive/units", body.clone()).await;
    assert_eq!(status, 201, "{fonds}");
    assert_eq!(archivist.post("/api/v1/archive/units", body).await.0, 409, "reference codes are unique");
    let fonds_id = fonds["id"].as_str().unwrap().to_string();

    // Uploading a scan: accepted at once, read in the background.
    let (status, queued) = archivist
        .upload(
            &format!("/api/v1/archive/units/{fonds_id}/files"),
            "home_study_1999.pdf",
            fixture("home_study_1999.pdf"),
        )
        .await;
    assert_eq!(status, 202, "{queued}");
    let (status, _) =
        archivist.upload(&format!("/api/v1/archive/units/{fonds_id}/files"), "empty.txt", Vec::new()).await;
    assert_eq!(status, 422, "an empty file is refused before anything is stored");
    let started = Instant::now();
    let progress = loop {
        let (status, p) = archivist.get(&format!("/api/v1/archive/units/{fonds_id}/imports")).await;
        assert_eq!(status, 200, "{p}");
        if p["progress"]["pending"] == 0 && p["progress"]["total"] == 1 {
            break p;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "import did not finish: {p}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(progress["progress"]["done"], 1, "{progress}");
    assert_eq!(other_archivist.get(&format!("/api/v1/archive/units/{fonds_id}/imports")).await.0, 404);

    // Search: the archivist finds the adoption file; nobody else does, nor counts it.
    let search = |q: &str| format!("/api/v1/search?q={q}");
    let (status, r) = archivist.get(&search("Okafor")).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["total"], 1, "{r}");
    let hit = &r["hits"][0];
    assert_eq!(hit["kind"], "unit");
    let item_id = hit["id"].as_str().unwrap().to_string();
    for who in [&ch, &de, &other_archivist] {
        let (_, r) = who.get(&search("Okafor")).await;
        assert_eq!(r["total"], 0, "{r}");
        let (_, all) = who.get("/api/v1/search?kind=unit").await;
        assert_eq!(all["total"], 0, "nothing of a closed fonds is counted: {all}");
        assert_eq!(who.get(&format!("/api/v1/archive/units/{item_id}")).await.0, 404);
        assert_eq!(who.get(&format!("/api/v1/archive/units/{item_id}/original")).await.0, 404);
    }
    assert_eq!(researcher.get(&search("Okafor")).await.1["total"], 0);
    let (status, pages) = archivist.get(&format!("/api/v1/archive/units/{item_id}/pages")).await;
    assert_eq!(status, 200);
    assert!(pages["items"][0]["body"].as_str().unwrap().contains("Amina Okafor"), "{pages}");
    let r = archivist
        .http
        .get(app.url(&format!("/api/v1/archive/units/{item_id}/original")))
        .bearer_auth(&archivist.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), fixture("home_study_1999.pdf"), "the original is kept unchanged");

    // Retention: an adoption record is kept permanently.
    let (status, e) = archivist.send("DELETE", &format!("/api/v1/archive/units/{item_id}"), Value::Null).await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(e["error"]["fields"][0]["code"], "kept_permanently");

    // A caseworker's own case is found by its note, at once (read your writes), with facets.
    let (_, case) = ch
        .post("/api/v1/cases", json!({"service": "search_of_origins", "title": "Origins of Amina", "summary": "Adopted in 1999 from Lagos.", "child_views": "",
            "people": [{"role": "child", "given_names": "Aminah", "family_name": "OKAFOR", "sex": "female", "birth_date": "1998-02-11"}],
            "consents": [{"scope": "data_processing", "given_by": "Aminah Okafor", "given_on": "2026-01-10"}]}))
        .await;
    assert_eq!(case["reference"].as_str().map(|r| r.starts_with("CH-")), Some(true), "{case}");
    let cid = case["id"].as_str().unwrap().to_string();
    ch.post(&format!("/api/v1/cases/{cid}/notes"), json!({"body": "Amina asks for her birth mother's name."})).await;
    let (_, r) = ch.get(&search("%22birth%20mother%22")).await;
    assert_eq!(r["total"], 1, "{r}");
    assert_eq!(r["facets"]["service"][0]["value"], "search_of_origins", "{r}");
    assert_eq!(de.get(&search("%22birth%20mother%22")).await.1["total"], 0);
    let (status, err) = ch.get("/api/v1/search?q=x&from=last%20year").await;
    assert_eq!(status, 422, "{err}");

    // Search of origins: the request's people looked up among the archive's names, in another
    // spelling; only the holding member's archivists may look.
    let (status, m) = archivist.get(&format!("/api/v1/cases/{cid}/origins/mentions")).await;
    assert_eq!(status, 200, "{m}");
    let mention = &m["items"][0];
    assert_eq!(mention["unit_id"], item_id.as_str(), "{m}");
    assert_eq!(mention["written"], "Amina Okafor", "{m}");
    assert_eq!(mention["person"], "Aminah OKAFOR", "{m}");
    assert_eq!(m["items"].as_array().unwrap().len(), 1, "{m}");
    for who in [&ch, &other_archivist, &researcher] {
        let status = who.get(&format!("/api/v1/cases/{cid}/origins/mentions")).await.0;
        assert!(status == 403 || status == 404, "{status}");
    }

    // Tracing: a case looking for a relative is looked up in the archives too, by the person
    // sought (in another spelling), not by its child or its inquirer; a case that traces nobody
    // is not an archivist's to read.
    let (_, tracing) = ch
        .post("/api/v1/cases", json!({"service": "family_tracing", "title": "Looking for an aunt", "summary": "", "child_views": "",
            "people": [{"role": "child", "given_names": "Chidi", "family_name": "Eze", "sex": "male", "birth_date": "2012-04-02"}],
            "consents": [{"scope": "data_processing", "given_by": "Chidi Eze", "given_on": "2026-01-10"}]}))
        .await;
    assert!(tracing["id"].is_string(), "{tracing}");
    let tid = tracing["id"].as_str().unwrap().to_string();
    assert_eq!(archivist.get(&format!("/api/v1/cases/{tid}/origins/mentions")).await.0, 404, "no tracing request yet");
    let (status, t) = ch
        .post(
            &format!("/api/v1/cases/{tid}/tracing-requests"),
            json!({"inquirer_name": "Chidi Eze", "relation": "aunt", "given_names": "Aminah", "family_name": "Okafor", "sex": "female",
                "last_seen_place": "Lagos", "last_seen_on": "1999", "circumstances": "Lost contact after 1999."}),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    let (status, m) = archivist.get(&format!("/api/v1/cases/{tid}/origins/mentions")).await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["items"].as_array().unwrap().len(), 1, "{m}");
    assert_eq!(m["items"][0]["unit_id"], item_id.as_str(), "{m}");
    assert_eq!(m["items"][0]["person"], "Aminah Okafor", "{m}");
    assert_eq!(other_archivist.get(&format!("/api/v1/cases/{tid}/origins/mentions")).await.0, 404);
    let browser = app.browser("archives@ch.test").await;
    let page = browser.get(app.url("/archives")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Looking for an aunt") && page.contains("Origins of Amina"), "{page}");

    // The archivist records a finding and discloses it under guidance.
    let (status, f) = archivist
        .post(
            &format!("/api/v1/cases/{cid}/origins/findings"),
            json!({"unit_id": item_id, "note": "Home study of 1999."}),
        )
        .await;
    assert_eq!(status, 201, "{f}");
    let fid = f["id"].as_str().unwrap().to_string();
    assert_eq!(
        other_archivist.post(&format!("/api/v1/cases/{cid}/origins/findings"), json!({"unit_id": item_id})).await.0,
        404
    );
    let (status, e) = archivist
        .post(
            &format!("/api/v1/cases/{cid}/origins/findings/{fid}/disclosure"),
            json!({"disclosed_to": "Amina", "counselling": ""}),
        )
        .await;
    assert_eq!(status, 422, "counselling is required: {e}");
    let (status, _) = archivist
        .post(&format!("/api/v1/cases/{cid}/origins/findings/{fid}/disclosure"), json!({"disclosed_to": "Amina, in person", "counselling": "Session with her social worker before and after."}))
        .await;
    assert_eq!(status, 204);
    let body = json!({"disclosed_to": "Amina", "counselling": "Again."});
    let (status, e) =
        archivist.post(&format!("/api/v1/cases/{cid}/origins/findings/{fid}/disclosure"), body.clone()).await;
    assert_eq!((status, e["error"]["fields"][0]["code"].as_str()), (422, Some("already_disclosed")), "{e}");
    let (status, e) =
        archivist.post(&format!("/api/v1/cases/{cid}/origins/findings/no-such-finding/disclosure"), body).await;
    assert_eq!(status, 404, "a finding that does not exist is not found: {e}");
    let (status, found) = ch.get(&format!("/api/v1/cases/{cid}/origins/findings")).await;
    assert_eq!(status, 200);
    assert_eq!(found["items"][0]["disclosed_to"], "Amina, in person", "{found}");
    let (_, detail) = ch.get(&format!("/api/v1/cases/{cid}")).await;
    let events: Vec<&str> =
        detail["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(events.contains(&"origins_found") && events.contains(&"origins_disclosed"), "{events:?}");
    let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'origins_finding'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(sqlx::Row::get::<i64, _>(&row, "n"), 2, "finding and disclosure are audited");
    let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'search'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert!(sqlx::Row::get::<i64, _>(&row, "n") >= 8, "every search is audited");

    // The pages: search with a highlighted snippet, the unit page, escaping of what was typed.
    let browser = app.browser("archives@ch.test").await;
    let page = browser.get(app.url("/search?q=Okafor")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<mark>Okafor</mark>"), "{page}");
    // Counts and facet values in words, not message keys or stored codes.
    assert!(!page.contains("search-found") && page.contains(" result"), "{page}");
    assert!(page.contains(">Archive</a>") && !page.contains(">unit</a>"), "{page}");
    let page =
        browser.get(app.url("/search?q=%3Cscript%3Ealert(1)%3C/script%3E")).send().await.unwrap().text().await.unwrap();
    assert!(
        !page.contains("<script>alert(1)</script>")
            && (page.contains("&lt;script&gt;") || page.contains("&#60;script&#62;")),
        "typed text is escaped"
    );
    let page = browser.get(app.url(&format!("/archives/{fonds_id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("home_study_1999.pdf") && page.contains("Adoption files"), "{page}");
    let page = browser.get(app.url(&format!("/origins/{cid}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Amina, in person"), "{page}");
    let page = browser.get(app.url(&format!("/origins/{cid}?mentions=1"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Amina Okafor") && page.contains("Aminah OKAFOR"), "{page}");
}

both_backends!(archives_search_and_origins);

/// Archive text reaches the research corpus from the change feed, de-identified: open and
/// personal items are copied, adoption files never; a deleted item's copy goes; a rebuild
/// gives the same stand-ins; only researchers read it.
async fn archive_text_in_the_research_corpus(backend: Backend) {
    let app = spawn_app(backend).await;
    let archivist = app.api("archives@ch.test").await;
    let researcher = app.api("research@gs.test").await;
    let ch = app.api("ana@ch.test").await;
    let letter = "Letter of 14 March 1971 from Fatima Haddad, born 3 May 1950, to the social service. \
                  Her son Karim Haddad, aged 6, lives with his aunt at 12 rue des Lilas, Lyon. \
                  Telephone +33 4 78 12 34 56. Fatima Haddad asks for news of Karim.";
    let mut items = Vec::new();
    for (code, restriction) in [("CH-SOC-1971", "personal"), ("CH-ADO-1971", "adoption"), ("CH-OPEN-1971", "open")] {
        let (status, fonds) = archivist
            .post(
                "/api/v1/archive/units",
                json!({"level": "fonds", "reference_code": code, "title": format!("Social service {restriction}"), "date_from": "1970", "date_to": "1975", "language": "en", "restriction": restriction}),
            )
            .await;
        assert_eq!(status, 201, "{fonds}");
        let fonds_id = fonds["id"].as_str().unwrap().to_string();
        let (status, queued) = archivist
            .upload(&format!("/api/v1/archive/units/{fonds_id}/files"), "letter_1971.txt", letter.as_bytes().to_vec())
            .await;
        assert_eq!(status, 202, "{queued}");
        items.push(fonds_id);
    }
    // Imported in the background, then copied by the follower of the change feed.
    let started = Instant::now();
    let found = loop {
        let (status, r) = researcher.get("/api/v1/research/archive-items?q=aunt").await;
        assert_eq!(status, 200, "{r}");
        if r["total"] == 2 {
            break r;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "archive text did not reach the corpus: {r}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let text = found.to_string();
    for leak in ["Fatima", "Haddad", "Karim", "3 May 1950", "78 12 34 56", "rue des Lilas", "Lyon", "letter_1971"] {
        assert!(!text.contains(leak), "{leak} leaked: {text}");
    }
    let body = found["items"][0]["body"].as_str().unwrap();
    assert!(body.contains("from [PERSON-1]") && body.contains("Her son [PERSON-2]"), "{body}");
    assert!(body.contains("[PERSON-1] asks for news of [PERSON-2]"), "the same person, the same stand-in: {body}");
    assert!(body.contains("[PHONE]"), "{body}");
    assert_eq!(found["items"][0]["year_from"], 1970, "{found}");
    let (_, fake) = researcher.get("/api/v1/research/archive-items?q=aunt&names=fake").await;
    let fake_body = fake["items"][0]["body"].as_str().unwrap();
    assert!(!fake_body.contains("[PERSON-") && !fake_body.contains("Fatima"), "{fake_body}");

    // Only researchers (and the data protection officer) read it.
    assert_eq!(ch.get("/api/v1/research/archive-items?q=aunt").await.0, 403);
    assert_eq!(archivist.get("/api/v1/research/archive-items?q=aunt").await.0, 403);
    let http = app.browser("research@gs.test").await;
    let page = http.get(app.url("/research?source=archives&q=aunt")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Her son [PERSON-2]") && !page.contains("Haddad"), "{page}");

    // A rebuild gives the same copies, stand-ins and all.
    let (cases, archived) = app.casework.rebuild_research_corpus().await.unwrap();
    assert_eq!((cases, archived), (0, 2));
    let (_, again) = researcher.get("/api/v1/research/archive-items?q=aunt").await;
    assert_eq!(again["items"], found["items"], "stable across rebuilds");

    // Deleting the open item takes its copy out of the corpus.
    let (_, open_fonds) = archivist.get(&format!("/api/v1/archive/units/{}", items[2])).await;
    let open_item = open_fonds["children"][0]["id"].as_str().unwrap_or_else(|| panic!("{open_fonds}")).to_string();
    let (status, e) = archivist.send("DELETE", &format!("/api/v1/archive/units/{open_item}"), Value::Null).await;
    assert_eq!(status, 204, "{e}");
    let started = Instant::now();
    loop {
        let (_, r) = researcher.get("/api/v1/research/archive-items?q=aunt").await;
        if r["total"] == 1 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the deleted item's copy stayed: {r}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'research_item'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert!(sqlx::Row::get::<i64, _>(&row, "n") >= 5, "building and removing copies is audited");
}

both_backends!(archive_text_in_the_research_corpus);
