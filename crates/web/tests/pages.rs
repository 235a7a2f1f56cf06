//! The server-rendered pages through HTTP: sign-in, CSRF, forms with translated errors,
//! escaping and security headers, on SQLite and on PostgreSQL.

mod common;

use common::{case_body, hidden, spawn_app, PASSWORD};
use kinbridge_store::{both_backends, Backend};

async fn sign_in_and_csrf(backend: Backend) {
    let app = spawn_app(backend).await;
    let http =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();

    // Pages need a session.
    let r = http.get(app.url("/cases")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login?next=/cases");

    // The login form refuses a post without its CSRF token, and a wrong password.
    let r =
        http.post(app.url("/login")).form(&[("email", "ana@ch.test"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let page = http.get(app.url("/login?lang=fr")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Connexion à Kinbridge"), "login page in French");
    let csrf = hidden(&page, "_csrf");
    let r = http
        .post(app.url("/login"))
        .form(&[("_csrf", csrf.as_str()), ("email", "ana@ch.test"), ("password", "wrong password!")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Le courriel ou le mot de passe n&#39;est pas correct")
            || page.contains("Le courriel ou le mot de passe n'est pas correct"),
        "{page}"
    );

    // After three failures from one address, the next try from there waits, even with the
    // right password.
    for _ in 0..5 {
        let csrf = hidden(&http.get(app.url("/login")).send().await.unwrap().text().await.unwrap(), "_csrf");
        http.post(app.url("/login"))
            .form(&[("_csrf", csrf.as_str()), ("email", "luc@ch.test"), ("password", "wrong password!")])
            .send()
            .await
            .unwrap();
    }
    let csrf = hidden(&http.get(app.url("/login")).send().await.unwrap().text().await.unwrap(), "_csrf");
    let r = http
        .post(app.url("/login"))
        .form(&[("_csrf", csrf.as_str()), ("email", "luc@ch.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);

    // A good login sets an HttpOnly, SameSite session cookie and goes to `next`, never off-site.
    let csrf = hidden(&http.get(app.url("/login")).send().await.unwrap().text().await.unwrap(), "_csrf");
    let r = http
        .post(app.url("/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", "ana@ch.test"),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("kb_session="))
        .unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");

    // Every page carries the security headers and no caching of personal data.
    let r = http.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers();
    assert!(h["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-store");
}

async fn forms_errors_and_escaping(backend: Backend) {
    let app = spawn_app(backend).await;
    let http = app.browser("ana@ch.test").await;
    let page = http.get(app.url("/cases/new")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&page, "_csrf");

    // Switch to Spanish: errors come back in Spanish.
    let r = http.post(app.url("/locale")).form(&[("_csrf", csrf.as_str()), ("locale", "es")]).send().await.unwrap();
    assert_eq!(r.status(), 303);

    let before = app.case_data_counts().await;
    // No CSRF token: refused, nothing written.
    let r = http
        .post(app.url("/cases"))
        .form(&[("service", "family_tracing"), ("title", "x"), ("child_given_names", "A")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Missing title, bad birth date and country: 422, every field named, values kept.
    let r = http
        .post(app.url("/cases"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("service", "family_tracing"),
            ("title", ""),
            ("child_given_names", "Amanuel"),
            ("child_birth_date", "2099-13-01"),
            ("partner_country", "XX"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("Título: es obligatorio"), "translated title error");
    assert!(page.contains("Fecha de nacimiento: debe ser una fecha pasada"), "translated birth date error");
    assert!(page.contains("País socio: debe ser un código de país"), "translated country error");
    assert!(page.contains("value=\"Amanuel\""), "the form keeps what was typed");
    assert_eq!(app.case_data_counts().await, before);

    // A valid case; its title is escaped on every page that shows it.
    let r = http
        .post(app.url("/cases"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("service", "unaccompanied_minors"),
            ("title", "<script>alert(1)</script> Amanuel"),
            ("child_given_names", "Amanuel"),
            ("child_family_name", "Tesfay"),
            ("child_birth_date", "~15"),
            ("child_nationalities", "ER"),
            ("consent_given_by", "Amanuel"),
            ("consent_scopes", "data_processing"),
            ("consent_scopes", "tracing"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let page = http.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("<script>alert(1)</script>"));
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || page.contains("&#60;script&#62;"),
        "escaped title"
    );
    assert!(page.contains("Amanuel Tesfay"));
    assert!(page.contains("lang=\"es\""));
    let list = http.get(app.url("/cases?q=amanuel")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("Un caso encontrado"), "filtered list in Spanish");

    // A malformed UTF-8 upload through the page form: 422, no document.
    let case_id = location.trim_start_matches("/cases/");
    let docs_before = app.document_files();
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.clone())
        .part("file", reqwest::multipart::Part::bytes(b"r\xe9sum\xe9".to_vec()).file_name("cv.txt"));
    let r = http.post(app.url(&format!("/cases/{case_id}/documents"))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("UTF-8"));
    // Without the CSRF field the upload is refused too.
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(b"ok".to_vec()).file_name("a.txt"));
    let r = http.post(app.url(&format!("/cases/{case_id}/documents"))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.document_files(), docs_before);

    // A note through the form, then an invalid transition: a clear 409 page.
    let r = http
        .post(app.url(&format!("/cases/{case_id}/notes")))
        .form(&[("_csrf", csrf.as_str()), ("body", "Primer contacto.")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = http
        .post(app.url(&format!("/cases/{case_id}/actions")))
        .form(&[("_csrf", csrf.as_str()), ("action", "approve_closure")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("Este paso no es posible"));

    // Another member's user gets a 404 page for the case.
    let de = app.browser("jonas@de.test").await;
    let r = de.get(app.url(&location)).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

/// The data protection officer reads who touched a record; nobody else may.
async fn audit_trail_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let ch = app.api("ana@ch.test").await;
    let (_, case) = ch.post("/api/v1/cases", common::case_body()).await;
    let cid = case["id"].as_str().unwrap().to_string();
    let fr = app.api("marie@fr.test").await;
    assert_eq!(fr.get(&format!("/api/v1/cases/{cid}")).await.0, 404);

    let dpo = app.browser("dpo@gs.test").await;
    let r = dpo.get(app.url(&format!("/audit?entity={cid}"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains(">create<") && page.contains(">denied<"), "the creation and the refused access are listed");
    let worker = app.browser("ana@ch.test").await;
    assert_eq!(worker.get(app.url("/audit")).send().await.unwrap().status(), 403);
}

/// Every hidden CSRF value in a page.
fn csrf_values(page: &str) -> Vec<String> {
    page.match_indices("name=\"_csrf\" value=\"")
        .map(|(i, m)| page[i + m.len()..].split('"').next().unwrap().to_string())
        .collect()
}

/// Case page bodies are rendered once and shared: each reader still gets their own CSRF
/// token in every form, their own rights and language, every change at once, and an audit
/// entry per view.
async fn kept_case_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = app.api("ana@ch.test").await;
    let (status, case) = api.post("/api/v1/cases", case_body()).await;
    assert_eq!(status, 201, "{case}");
    let cid = case["id"].as_str().unwrap().to_string();
    let path = format!("/cases/{cid}");
    let ana = app.browser("ana@ch.test").await;
    let luc = app.browser("luc@ch.test").await;
    let boss = app.browser("boss@ch.test").await;
    let page = |c: &reqwest::Client| {
        let (c, url) = (c.clone(), app.url(&path));
        async move {
            let r = c.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.text().await.unwrap()
        }
    };
    // The token each session's other pages carry.
    let token = |c: &reqwest::Client| {
        let (c, url) = (c.clone(), app.url("/cases/new"));
        async move { hidden(&c.get(url).send().await.unwrap().text().await.unwrap(), "_csrf") }
    };
    let (ana_token, luc_token) = (token(&ana).await, token(&luc).await);
    assert_ne!(ana_token, luc_token);

    let mut views = 0;
    for _ in 0..2 {
        for (client, own) in [(&ana, &ana_token), (&luc, &luc_token)] {
            let html = page(client).await;
            views += 1;
            let tokens = csrf_values(&html);
            assert!(tokens.len() > 5, "the case page's forms");
            assert!(tokens.iter().all(|t| t == own), "only the reader's own token: {tokens:?}");
            assert!(!html.contains("kb-csrf-slot"));
            assert!(html.contains("Tracing of Amanuel&#39;s mother") || html.contains("Tracing of Amanuel's mother"));
        }
    }
    // A supervisor's page has the assignment form; a caseworker's does not.
    let boss_page = page(&boss).await;
    views += 1;
    assert!(boss_page.contains(&format!("action=\"/cases/{cid}/assignee\"")));
    assert!(!page(&ana).await.contains(&format!("action=\"/cases/{cid}/assignee\"")));
    views += 1;

    // The token in a kept body works: Ana writes a note from it; Luc sees it at once.
    let html = page(&ana).await;
    views += 1;
    let r = ana
        .post(app.url(&format!("/cases/{cid}/notes")))
        .form(&[("_csrf", hidden(&html, "_csrf").as_str()), ("body", "Mother located in Hamburg.")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(page(&luc).await.contains("Mother located in Hamburg."));
    views += 1;
    // A change to the case row itself shows too.
    let version = api.get(&format!("/api/v1/cases/{cid}")).await.1["case"]["version"].clone();
    views += 1; // the API's read is audited as one too
    let (status, _) = api
        .send(
            "PATCH",
            &format!("/api/v1/cases/{cid}"),
            serde_json::json!({"title": "Renamed case", "version": version}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(page(&luc).await.contains("Renamed case"));
    views += 1;
    // Each reader's language: Ana switches to French, Luc stays in English.
    let r = ana.post(app.url("/locale")).form(&[("_csrf", ana_token.as_str()), ("locale", "fr")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let (fr, en) = (page(&ana).await, page(&luc).await);
    views += 2;
    assert!(fr.contains("lang=\"fr\"") && en.contains("lang=\"en\""));
    // The body itself (its section headings), not only the frame around it.
    assert!(fr.contains(">Personnes</h2>") && !fr.contains(">People</h2>"), "Ana's body in French");
    assert!(en.contains(">People</h2>") && !en.contains(">Personnes</h2>"), "Luc's body in English");

    // Every view was audited, kept body or not.
    let row =
        sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'read' AND entity = 'case' AND entity_id = $1")
            .bind(cid.clone())
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    let n: i64 = sqlx::Row::get(&row, "n");
    assert_eq!(n, views, "one read entry per page view");
}

both_backends!(sign_in_and_csrf, forms_errors_and_escaping, audit_trail_page, kept_case_pages);

/// Correcting a person from the case page, in French: the form comes filled in, the timeline
/// shows the field before and after in words, a save from an older copy is refused with a
/// translated message, and a person entered in error is removed.
async fn correcting_a_person_in_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = app.api("ana@ch.test").await;
    let (_, case) = api.post("/api/v1/cases", case_body()).await;
    let cid = case["id"].as_str().unwrap().to_string();
    let (_, people) = api.get(&format!("/api/v1/cases/{cid}/people")).await;
    let id_of = |role: &str| {
        people.as_array().unwrap().iter().find(|p| p["role"] == role).unwrap()["id"].as_str().unwrap().to_string()
    };
    let (child, mother) = (id_of("child"), id_of("mother"));
    let ana = app.browser("ana@ch.test").await;
    let form_url = app.url(&format!("/cases/{cid}/people/{child}"));
    let html = ana.get(form_url.clone()).send().await.unwrap().text().await.unwrap();
    let token = hidden(&html, "_csrf");
    let r = ana.post(app.url("/locale")).form(&[("_csrf", token.as_str()), ("locale", "fr")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let case_page = app.url(&format!("/cases/{cid}"));
    assert!(ana
        .get(case_page.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains(&format!("/cases/{cid}/people/{child}")));

    let html = ana.get(form_url.clone()).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Corriger une personne"), "{html}");
    assert!(html.contains("value=\"Tesfay\""), "the form comes filled in");
    assert_eq!(hidden(&html, "version"), "1");
    let fields = |family: &'static str, version: &'static str| {
        vec![
            ("_csrf", token.clone()),
            ("version", version.to_string()),
            ("role", "child".to_string()),
            ("given_names", "Amanuel".to_string()),
            ("family_name", family.to_string()),
            ("sex", "male".to_string()),
            ("birth_date", "2014".to_string()),
            ("estimated", "1".to_string()),
            ("nationalities", "ER".to_string()),
            ("languages", "ti".to_string()),
        ]
    };
    let r = ana.post(form_url.clone()).form(&fields("Tesfaye", "1")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let page = ana.get(case_page.clone()).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Personne corrigée"), "the timeline line in French");
    assert!(
        page.contains("<del><bdi>Tesfay</bdi></del>") && page.contains("<ins><bdi>Tesfaye</bdi></ins>"),
        "before and after"
    );
    assert!(page.contains("Érythrée"), "nationality by its French name");
    assert!(page.contains("Nom de famille: <del>"), "the field by its French label");
    assert!(!page.contains("person_corrected") && !page.contains(">family_name"), "no code on the page");
    assert!(!page.contains("Z</time>") && !page.contains("Z</span>"), "no raw timestamp shown");

    // The same save from the old copy: refused, in French, nothing changed.
    let r = ana.post(form_url).form(&fields("Tesfa", "1")).send().await.unwrap();
    assert_eq!(r.status(), 409);
    let html = r.text().await.unwrap();
    assert!(html.contains("Quelqu'un a modifié") || html.contains("Quelqu&#39;un a modifié"), "{html}");
    let (_, people) = api.get(&format!("/api/v1/cases/{cid}/people")).await;
    assert!(people.to_string().contains("Tesfaye") && !people.to_string().contains("\"Tesfa\""));

    // The mother was entered in error.
    let r = ana
        .post(app.url(&format!("/cases/{cid}/people/{mother}/remove")))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = ana.get(case_page).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Personne retirée") && page.contains("<bdi>Selam Gebre</bdi>"));
    let (_, people) = api.get(&format!("/api/v1/cases/{cid}/people")).await;
    assert_eq!(people.as_array().unwrap().len(), 1);
}

both_backends!(correcting_a_person_in_pages);

/// The case page lists possible matches with the weight of each field, and a caseworker
/// confirms one through a form (CSRF-protected).
async fn possible_matches_on_the_case_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = app.api("ana@ch.test").await;
    let mut ids = Vec::new();
    for (given, family, born) in [("Mohammed", "Haddad", "2010-02-03"), ("Muhammad", "Al-Haddad", "2010-02-03")] {
        let mut body = case_body();
        body["people"] = serde_json::json!([{"role": "child", "given_names": given, "family_name": family, "sex": "male", "birth_date": born}]);
        body["duplicate_reason"] = serde_json::json!("recorded apart on purpose, to be matched");
        let (s, case) = api.post("/api/v1/cases", body).await;
        assert_eq!(s, 201, "{case}");
        ids.push(case["id"].as_str().unwrap().to_string());
    }
    let http = app.browser("ana@ch.test").await;
    let mut page = String::new();
    for _ in 0..100 {
        page = http.get(app.url(&format!("/cases/{}", ids[0]))).send().await.unwrap().text().await.unwrap();
        if page.contains("Muhammad Al-Haddad") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(page.contains("Possible matches") && page.contains("may be the same person as"), "{page}");
    assert!(page.contains("Muhammad Al-Haddad") && page.contains("variant or same sound"), "explained per field");
    assert!(
        page.contains(
            r#"<th scope="row">Given names</th><td>Mohammed</td><td>Muhammad</td><td>variant or same sound</td>"#
        ),
        "both records side by side: {page}"
    );
    let action = page
        .split("action=\"")
        .map(|s| s.split('"').next().unwrap_or(""))
        .find(|a| a.contains("/matches/"))
        .expect("a decision form")
        .to_string();
    // Without the CSRF token nothing is decided.
    let r = http.post(app.url(&action)).form(&[("decision", "confirm")]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let csrf = hidden(&page, "_csrf");
    let r =
        http.post(app.url(&action)).form(&[("_csrf", csrf.as_str()), ("decision", "confirm")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let page = http.get(app.url(&format!("/cases/{}", ids[0]))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Confirmed: same person"), "{page}");
    // Deciding twice is refused with a clear message.
    let csrf = hidden(&page, "_csrf");
    let r = http.post(app.url(&action)).form(&[("_csrf", csrf.as_str()), ("decision", "reject")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("has already been decided"));

    // A tracing request through the case page's form; a missing field is explained in place.
    let page = http.get(app.url(&format!("/cases/{}", ids[0]))).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&page, "_csrf");
    let url = app.url(&format!("/cases/{}/tracing-requests", ids[0]));
    let r = http
        .post(&url)
        .form(&[("_csrf", csrf.as_str()), ("inquirer_name", "Amal Haddad"), ("given_names", "Karim")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Relation to the inquirer"));
    let form = [
        ("_csrf", csrf.as_str()),
        ("inquirer_name", "Amal Haddad"),
        ("relation", "uncle"),
        ("given_names", "Karim"),
        ("family_name", "Haddad"),
        ("sex", "male"),
        ("birth_date", "~40"),
        ("last_seen_place", "Aleppo"),
        ("last_seen_on", "2013"),
    ];
    let r = http.post(&url).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let page = http.get(app.url(&format!("/cases/{}", ids[0]))).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains(
            "<bdi>Amal Haddad</bdi></strong> looks for <strong><bdi>Karim Haddad</bdi></strong> (<bdi>uncle</bdi>)"
        ),
        "{page}"
    );
}

/// Intake: opening a case for a child who may already be known shows the records first; the
/// same child submitted again opens the case, a changed child is checked again. A partner's
/// shared match waits on its dashboard, and the share button works on the case page.
async fn intake_check_and_sharing_in_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = app.api("ana@ch.test").await;
    let mut body = case_body();
    body["people"] = serde_json::json!([{"role": "child", "given_names": "Mohammed", "family_name": "Haddad", "sex": "male", "birth_date": "2010-02-03"}]);
    let (s, known) = api.post("/api/v1/cases", body).await;
    assert_eq!(s, 201);
    let known = known["id"].as_str().unwrap().to_string();
    let count = || async { api.get("/api/v1/cases").await.1["total"].as_i64().unwrap() };
    let before = count().await;

    let http = app.browser("ana@ch.test").await;
    let page = http.get(app.url("/cases/new")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&page, "_csrf");
    let form = |given: &'static str, checked: String| {
        vec![
            ("_csrf", csrf.clone()),
            ("service", "family_tracing".to_string()),
            ("title", "Muhammad, arrived alone".to_string()),
            ("child_given_names", given.to_string()),
            ("child_family_name", "Al-Haddad".to_string()),
            ("child_sex", "male".to_string()),
            ("child_birth_date", "2010-02-03".to_string()),
            ("consent_given_by", "Muhammad with his guardian".to_string()),
            ("consent_scopes", "data_processing".to_string()),
            ("checked_child", checked),
        ]
    };
    let r = http.post(app.url("/cases")).form(&form("Muhammad", String::new())).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("This child may already be known"), "{page}");
    assert!(page.contains(&format!("href=\"/cases/{known}\">Mohammed Haddad</a>")), "{page}");
    assert!(page.contains("Open as a new case anyway"));
    assert!(page.contains("value=\"Muhammad\""), "the form keeps what was typed");
    assert_eq!(count().await, before, "nothing saved before the caseworker decides");
    let checked = hidden(&page, "checked_child");
    assert!(!checked.is_empty());
    // Another child typed into the same form is checked again.
    let r = http.post(app.url("/cases")).form(&form("Mehmet", checked.clone())).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("This child may already be known"));
    assert_eq!(count().await, before);
    // The same child again without saying why: asked again, with the reason as the error.
    let r = http.post(app.url("/cases")).form(&form("Muhammad", checked.clone())).send().await.unwrap();
    assert_eq!(r.status(), 409);
    let page = r.text().await.unwrap();
    assert!(page.contains("Why this is a new case: this child may already be on a case"), "{page}");
    assert_eq!(count().await, before);
    // With the reason: the case opens, and its timeline keeps why.
    let reason = "Another Muhammad Al-Haddad: born in Homs, not Aleppo.";
    let mut confirmed = form("Muhammad", checked);
    confirmed.push(("duplicate_reason", reason.to_string()));
    let r = http.post(app.url("/cases")).form(&confirmed).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(count().await, before + 1);
    let opened = r.headers()["location"].to_str().unwrap().to_string();
    let page = http.get(app.url(&opened)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Opened although possibly known") && page.contains(reason), "{page}");

    // A German case for the same child; the Swiss side shares its record from the case page.
    let de = app.api("jonas@de.test").await;
    let mut body = case_body();
    body["people"] = serde_json::json!([{"role": "child", "given_names": "محمد", "family_name": "حداد", "sex": "male", "birth_date": "2010-02-03"}]);
    body["duplicate_reason"] = serde_json::json!("their own case of the child");
    let (s, german) = de.post("/api/v1/cases", body).await;
    assert_eq!(s, 201);
    let german = german["id"].as_str().unwrap().to_string();
    let mut page = String::new();
    for _ in 0..100 {
        page = http.get(app.url(&format!("/cases/{known}"))).send().await.unwrap().text().await.unwrap();
        if page.contains("A possible match is held by") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(page.contains("A possible match is held by") && page.contains("Share our record with them"), "{page}");
    assert!(!page.contains("محمد"), "nothing of the German record");
    let de_http = app.browser("jonas@de.test").await;
    let dashboard = de_http.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(!dashboard.contains("Possible matches partners shared with you"));
    let actions: Vec<&str> = page
        .split("action=\"")
        .map(|s| s.split('"').next().unwrap_or(""))
        .filter(|a| a.contains("/matches/"))
        .collect();
    assert_eq!(actions.len(), 1, "one possible match, the German one: {page}");
    let csrf = hidden(&page, "_csrf");
    let r =
        http.post(app.url(actions[0])).form(&[("_csrf", csrf.as_str()), ("decision", "share")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let page = http.get(app.url(&format!("/cases/{known}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Your record has been shared with them for this pair."), "{page}");
    let dashboard = de_http.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(dashboard.contains("Possible matches partners shared with you"), "{dashboard}");
    assert!(dashboard.contains(&format!("/cases/{german}#matches")));
    let theirs = de_http.get(app.url(&format!("/cases/{german}"))).send().await.unwrap().text().await.unwrap();
    assert!(theirs.contains("Mohammed Haddad") && theirs.contains("shared by Switzerland (CH)"), "{theirs}");
    assert!(theirs.contains(r#"<button type="submit" name="decision" value="confirm">"#), "DE can now confirm");
}

both_backends!(possible_matches_on_the_case_page, intake_check_and_sharing_in_pages);

/// The administration pages: the member's administrator invites a person and sees the
/// one-time link once; the person sets a password on the link's page (in the language of
/// their browser) and signs in.
async fn administration_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.browser("admin@ch.test").await;
    let page = admin.get(app.url("/admin/users")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("ana@ch.test") && !page.contains("jonas@de.test"), "{page}");
    let csrf = hidden(&page, "_csrf");
    let r = admin
        .post(app.url("/admin/users"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("member", "CH"),
            ("email", "nadia@ch.test"),
            ("display_name", "Nadia"),
            ("role", "supervisor"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("One-time link") && page.contains("waiting for a password"), "{page}");
    let start = page.find("/account/password?token=").expect("the link");
    let link: String = page[start..].chars().take_while(|c| *c != '<').collect();
    // Shown once: the list does not show it again.
    let again = admin.get(app.url("/admin/users")).send().await.unwrap().text().await.unwrap();
    assert!(!again.contains("/account/password?token="));
    // A caseworker has no administration.
    let ana = app.browser("ana@ch.test").await;
    assert_eq!(ana.get(app.url("/admin/users")).send().await.unwrap().status(), 404);
    assert_eq!(ana.get(app.url("/admin/members")).send().await.unwrap().status(), 403);

    let anon = reqwest::Client::new();
    let form = anon.get(app.url(&link)).header("accept-language", "fr").send().await.unwrap();
    assert_eq!(form.status(), 200);
    let form = form.text().await.unwrap();
    assert!(form.contains("Définir votre mot de passe"), "{form}");
    let token = hidden(&form, "token");
    let r = anon
        .post(app.url("/account/password"))
        .header("accept-language", "fr")
        .form(&[("token", token.as_str()), ("password", "nadia's long password"), ("confirm", "not the same at all")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("n’est pas le même mot de passe"));
    let r = anon
        .post(app.url("/account/password"))
        .form(&[("token", token.as_str()), ("password", "nadia's long password"), ("confirm", "nadia's long password")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(anon.get(app.url(&link)).send().await.unwrap().status(), 410, "used");
    let r = anon
        .post(app.url("/api/v1/session"))
        .json(&serde_json::json!({"email": "nadia@ch.test", "password": "nadia's long password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

both_backends!(administration_pages);

/// An assessment from the case page: started, written in the form, refused with what is
/// missing, then submitted.
async fn assessment_in_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = app.api("ana@ch.test").await;
    let (_, case) = api.post("/api/v1/cases", case_body()).await;
    let cid = case["id"].as_str().unwrap().to_string();
    let ana = app.browser("ana@ch.test").await;
    let page = ana.get(app.url(&format!("/cases/{cid}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("not assessed yet"));
    let csrf = hidden(&page, "_csrf");
    let r = ana
        .post(app.url(&format!("/cases/{cid}/assessments")))
        .form(&[("_csrf", csrf.as_str()), ("kind", "home_study")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let at = app.url(r.headers()["location"].to_str().unwrap());
    let form = ana.get(at.clone()).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("Home study report") && form.contains("name=\"part_household\""), "{form}");
    let r = ana
        .post(at.clone())
        .form(&[("_csrf", csrf.as_str()), ("version", "1"), ("part_child_views", "Happy to go."), ("step", "submit")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("The household: is required") || html.contains("The household"), "{html}");
    assert!(html.contains("Happy to go."), "what was typed stays");
    let mut fields = vec![("_csrf", csrf.clone()), ("version", "2".to_string()), ("step", "submit".to_string())];
    for (k, v) in [
        ("part_child_views", "Happy to go."),
        ("part_household", "Mother and sister."),
        ("part_housing", "Two rooms."),
        ("part_motivation", "Strong."),
        ("part_recommendation", "Reunify."),
    ] {
        fields.push((k, v.to_string()));
    }
    let r = ana.post(at.clone()).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let html = ana.get(at).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("awaiting sign-off") && html.contains("Two rooms."), "{html}");
}

both_backends!(assessment_in_pages);

/// The request form has a page of its own: the case page links to it and carries no member
/// list; a refused request comes back on that page with the field named, and nothing is sent.
async fn request_form_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = app.api("ana@ch.test").await;
    let (_, case) = api.post("/api/v1/cases", case_body()).await;
    let id = case["id"].as_str().unwrap();
    let web = app.browser("ana@ch.test").await;
    let case_page = web.get(app.url(&format!("/cases/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(case_page.contains(&format!("href=\"/cases/{id}/requests\"")) && !case_page.contains("id=\"q-to\""));
    let form = web.get(app.url(&format!("/cases/{id}/requests"))).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("id=\"q-to\"") && form.contains("value=\"DE\""), "{form}");
    let csrf = hidden(&form, "_csrf");
    let before = app.case_data_counts().await;
    let r = web
        .post(app.url(&format!("/cases/{id}/requests")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("to_member", "DE"),
            ("kind", "tracing"),
            ("subject", ""),
            ("message", "m"),
            ("due_on", "2001-01-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("id=\"q-to\"") && page.contains("alert"), "the form comes back: {page}");
    assert_eq!(app.case_data_counts().await, before, "nothing sent");
    let other = app.browser("marie@fr.test").await;
    let r = other.get(app.url(&format!("/cases/{id}/requests"))).send().await.unwrap();
    assert_eq!(r.status(), 404, "another member's case");
}

both_backends!(request_form_page);

/// The impact pages and API: a member's figures with the network's, breakdowns drawn as SVG
/// with their table, a bad period answered in words, another member's figures 404 (audited),
/// the General Secretariat choosing any member, no figures for a researcher.
async fn impact_pages_and_api(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = app.api("ana@ch.test").await;
    let (status, _) = api.post("/api/v1/cases", case_body()).await;
    assert_eq!(status, 201);
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive()).to_string();
    let web = app.browser("ana@ch.test").await;
    let page = web.get(app.url(&format!("/impact?period={year}"))).send().await.unwrap().text().await.unwrap();
    let row = page
        .split("<tr id=\"ind-new_cases\">")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .expect("a line for new cases");
    assert!(row.contains("New cases") && row.contains("<td class=\"num\">1</td><td class=\"num\">1</td>"), "{row}");
    assert!(
        page.contains("<svg class=\"spark\"") && page.contains("href=\"/impact\""),
        "trend chart and the menu entry"
    );
    let cross = page.split("<tr id=\"ind-tracing_success_rate\">").nth(1).unwrap();
    assert!(cross.contains("no data"), "a share of nothing says so");

    let r = web.get(app.url("/impact?period=2025Q5")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("is not a period") && !body.contains("invalid_period"), "translated, no code on screen");

    let r = web.get(app.url("/impact?org=DE")).send().await.unwrap();
    assert_eq!(r.status(), 404, "another member's figures");
    assert!(app.denied_audits("DE").await >= 1);

    let b = web
        .get(app.url(&format!("/impact/indicators/new_cases?period={year}&by=direction")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(b.contains("<svg id=\"impact-chart\"") && b.contains("<title id=\"chart-title\">"), "{b}");
    let table = b.split("id=\"impact-breakdown\"").nth(1).unwrap();
    assert!(table.contains("Within the country") && table.contains("<td class=\"num\">1</td>"), "{table}");
    assert_eq!(web.get(app.url("/impact/indicators/nope")).send().await.unwrap().status(), 404);

    let coord = app.browser("coord@gs.test").await;
    let c = coord.get(app.url(&format!("/impact?org=CH&period={year}"))).send().await.unwrap().text().await.unwrap();
    assert!(
        c.contains("<select id=\"io\" name=\"org\">") && c.contains("Switzerland (CH)"),
        "the General Secretariat picks a member"
    );
    let researcher = app.browser("research@gs.test").await;
    assert_eq!(researcher.get(app.url("/impact")).send().await.unwrap().status(), 403);

    let (s, list) = api.get("/api/v1/impact/indicators").await;
    assert_eq!(s, 200);
    assert!(list["items"].as_array().unwrap().len() >= 20);
    let (s, v) = api.get(&format!("/api/v1/impact/values?indicator=new_cases&period={year}&by=service")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["member"][0]["value"], 1.0);
    assert_eq!(v["member"][1]["key"][0], "family_tracing");
    let (s, v) = api.get("/api/v1/impact/values?indicator=new_cases&by=colour").await;
    assert_eq!((s, v["error"]["fields"][0]["field"].as_str()), (422, Some("by")), "{v}");
    let (s, v) = api.get("/api/v1/impact/values?indicator=new_cases&period=2025-13").await;
    assert_eq!((s, v["error"]["fields"][0]["field"].as_str()), (422, Some("period")), "{v}");
    let (s, _) = api.get("/api/v1/impact/dashboard?colour=red").await;
    assert_eq!(s, 400);
    let (s, d) = api.get(&format!("/api/v1/impact/dashboard?period={year}")).await;
    assert_eq!((s, d["member_code"].as_str()), (200, Some("CH")));
    let (s, _) = app.api("research@gs.test").await.get("/api/v1/impact/indicators").await;
    assert_eq!(s, 403);

    // The table as CSV; the figures for a national DHIS2 by the member's mapping.
    let csv = web.get(app.url(&format!("/impact/table.csv?period={year}"))).send().await.unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert!(
        csv.starts_with("indicator,name,kind,member,period,value")
            && csv.contains(&format!("new_cases,New cases,count,CH,{year},1,1,,1,")),
        "{csv}"
    );
    let xlsx = web.get(app.url(&format!("/impact/table.xlsx?period={year}"))).send().await.unwrap();
    assert_eq!(xlsx.status(), 200);
    assert_eq!(xlsx.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let book = xlsx.bytes().await.unwrap();
    assert!(book.starts_with(b"PK") && book.windows(24).any(|w| w == b"xl/worksheets/sheet1.xml"), "a workbook");
    let mapping = serde_json::json!({"orgUnit": "ImspTQPwCqd", "elements": {"new_cases": {"dataElement": "fbfJHSPpUQD"}, "children_assisted": {"dataElement": "cYeuwXTCPkU", "by": "sex", "combos": {"male": "V6L425pT3A0"}}}});
    let (s, set) = api.post("/api/v1/impact/dhis2", serde_json::json!({"period": year, "mapping": mapping})).await;
    assert_eq!(s, 200, "{set}");
    assert_eq!((set["orgUnit"].as_str(), set["period"].as_str()), (Some("ImspTQPwCqd"), Some(year.as_str())));
    let values = set["dataValues"].as_array().unwrap();
    assert!(
        values.iter().any(|v| v["dataElement"] == "cYeuwXTCPkU"
            && v["categoryOptionCombo"] == "V6L425pT3A0"
            && v["value"] == "1"),
        "{set}"
    );
    assert!(values.iter().any(|v| v["dataElement"] == "fbfJHSPpUQD" && v["value"] == "1"), "{set}");
    let (s, e) = api.post("/api/v1/impact/dhis2", serde_json::json!({"period": year, "mapping": {"orgUnit": "ImspTQPwCqd", "elements": {"children_saved": {"dataElement": "fbfJHSPpUQD"}}}})).await;
    assert_eq!((s, e["error"]["fields"][0]["code"].as_str()), (422, Some("unknown_indicator")), "{e}");
    let (s, e) = api
        .post(
            "/api/v1/impact/dhis2",
            serde_json::json!({"period": year, "mapping": {"orgUnit": "bad", "elements": {}}}),
        )
        .await;
    assert_eq!((s, e["error"]["fields"][0]["code"].as_str()), (422, Some("invalid_dhis2_id")), "{e}");

    // Approval through the page: the form carries the figures shown; a case landing between
    // the page and the click is refused with the differences; then approved as shown.
    let boss = app.browser("boss@ch.test").await;
    let page = boss.get(app.url(&format!("/impact?period={year}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"approve-figures\""), "a director may approve");
    assert!(
        !web.get(app.url(&format!("/impact?period={year}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("approve-figures"),
        "a caseworker may not"
    );
    let form = |page: &str| {
        [
            ("_csrf", hidden(page, "_csrf")),
            ("period", hidden(page, "period")),
            ("org", hidden(page, "org")),
            ("seen", hidden(page, "seen")),
        ]
    };
    let stale = form(&page);
    let mut another = case_body();
    another["people"][0]["given_names"] = "Yonas".into();
    another["people"][0]["family_name"] = "Haile".into();
    another["people"][1]["given_names"] = "Ruth".into();
    let (status, _) = api.post("/api/v1/cases", another).await;
    assert_eq!(status, 201);
    let r = boss.post(app.url("/impact/approvals")).form(&stale).send().await.unwrap();
    assert_eq!(r.status(), 409);
    let refused = r.text().await.unwrap();
    let diff = refused.split("id=\"impact-differences\"").nth(1).expect("the differences are shown");
    assert!(diff.contains("New cases") && diff.contains("<td class=\"num\">1</td><td class=\"num\">2</td>"), "{diff}");
    let r = boss.post(app.url("/impact/approvals")).form(&form(&refused)).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let approved = boss.get(app.url(&format!("/impact?period={year}"))).send().await.unwrap().text().await.unwrap();
    assert!(
        approved.contains("id=\"impact-approval\"")
            && approved.contains("Approved by boss")
            && !approved.contains("approve-figures")
    );
    let net = coord.get(app.url(&format!("/impact/network?period={year}"))).send().await.unwrap().text().await.unwrap();
    let members = net.split("id=\"impact-members\"").nth(1).unwrap();
    assert!(
        members.contains("Switzerland (CH)")
            && members.contains("Approved by boss")
            && members.contains("No cases: nothing to approve"),
        "{members}"
    );
    let side = coord
        .get(app.url(&format!("/impact/network?period={year}&indicator=new_cases")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let ch_row = side.split("Switzerland (CH)</a></th>").nth(1).and_then(|r| r.split("</tr>").next()).unwrap();
    assert!(ch_row.ends_with("<td class=\"num\">2</td>"), "Switzerland's approved new cases side by side: {ch_row}");
    assert!(net.contains("id=\"approve-network\""), "every member with cases approved");
    assert_eq!(
        web.get(app.url("/impact/network")).send().await.unwrap().status(),
        403,
        "a member's staff see no network page"
    );
}

/// The academy in pages: a caseworker takes a compulsory course's quiz as a plain form (a
/// stray answer refused in words, nothing recorded), passes, downloads the certificate as PDF
/// (read back with pdftotext) that anyone checks at /verify seeing initials only; another
/// caseworker cannot open the attempt; the supervisor sees the member's compliance, as CSV too.
async fn training_pages(backend: Backend) {
    use kinbridge_casework::training::{NewRequirement, QuestionFormat};
    let app = spawn_app(backend).await;
    let bank = "::Consent::Sharing needs a legal basis. {TRUE}\n\n::Keep::Closed files are kept {=ten years ~one year ~six months}\n\n::City::The 1993 adoption convention is named after which city? {=Hague}\n";
    app.casework.import_questions(None, "dp", QuestionFormat::Gift, bank, "en").await.unwrap();
    app.casework
        .add_requirement(
            None,
            NewRequirement {
                curriculum: "Core".into(),
                course: "dp".into(),
                role: Some(kinbridge_domain::Role::Caseworker),
                member: None,
                validity_months: 12,
                window_days: 30,
                gates: true,
            },
        )
        .await
        .unwrap();
    let web = app.browser("ana@ch.test").await;
    let home = web.get(app.url("/training")).send().await.unwrap().text().await.unwrap();
    let due = home.split("id=\"training-dues\"").nth(1).expect("the compulsory courses");
    assert!(due.contains("href=\"/training/courses/dp\"") && due.contains("Due"), "{due}");
    assert!(home.contains("href=\"/training\""), "the menu entry");
    let course = web.get(app.url("/training/courses/dp")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&course, "_csrf");
    let r = web.post(app.url("/training/courses/dp/attempts")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let at = r.headers()["location"].to_str().unwrap().to_string();
    let page = web.get(app.url(&at)).send().await.unwrap().text().await.unwrap();
    // The choice's position as shown in this attempt, read from the page.
    let shown = |page: &str, name: &str, text: &str| -> String {
        page.split(&format!("name=\"{name}\" value=\""))
            .skip(1)
            .find(|rest| rest.split("</label>").next().unwrap().contains(text))
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string()
    };
    let keep = shown(&page, "a-q1-2", "ten years");
    let stray = web
        .post(app.url(&at))
        .form(&[("_csrf", csrf.as_str()), ("a-q9-9", "0"), ("action", "submit")])
        .send()
        .await
        .unwrap();
    assert_eq!(stray.status(), 422);
    let body = stray.text().await.unwrap();
    assert!(body.contains("not in this attempt") && !body.contains("not_in_attempt"), "translated");
    let answers = [
        ("_csrf", csrf.as_str()),
        ("a-q1-1", "true"),
        ("a-q1-2", keep.as_str()),
        ("a-q1-3", "  hague "),
        ("action", "submit"),
    ];
    let other = app.browser("luc@ch.test").await;
    assert_eq!(other.get(app.url(&at)).send().await.unwrap().status(), 404, "another learner's attempt");
    let r = web.post(app.url(&at)).form(&answers).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let done = web.get(app.url(&at)).send().await.unwrap().text().await.unwrap();
    assert!(done.contains("Passed with 100 %"), "{done}");
    let again = web.post(app.url(&at)).form(&answers).send().await.unwrap();
    assert_eq!(again.status(), 409, "a second submission");
    let link = done.split("id=\"training-certificate\" href=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let pdf = web.get(app.url(&link)).send().await.unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    let file = std::env::temp_dir().join(format!("kb-certificate-{}.pdf", std::process::id()));
    std::fs::write(&file, &bytes).unwrap();
    let text = std::process::Command::new("pdftotext").arg(&file).arg("-").output().expect("pdftotext (poppler-utils)");
    let _ = std::fs::remove_file(&file);
    let text = String::from_utf8_lossy(&text.stdout);
    let code = link.trim_start_matches("/training/certificates/").trim_end_matches(".pdf").to_string();
    assert!(text.contains("ana completed the course") && text.contains(&code), "{text}");

    let public = reqwest::Client::new();
    let v = public
        .get(app.url(&format!("/verify?code={}", code.to_lowercase())))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let result = v.split("id=\"verify-result\"").nth(1).unwrap();
    assert!(
        result.contains("Valid certificate") && result.contains("A.") && result.contains("Switzerland"),
        "{result}"
    );
    assert!(!result.contains("ana"), "initials only");
    let v = public.get(app.url("/verify?code=KB-0000-0000-0000-0")).send().await.unwrap().text().await.unwrap();
    assert!(v.contains("No certificate has this code"));

    let boss = app.browser("boss@ch.test").await;
    let c = boss.get(app.url("/training/compliance")).send().await.unwrap().text().await.unwrap();
    let people = c.split("id=\"compliance-people\"").nth(1).unwrap();
    assert!(people.contains(">ana<") && people.contains("Current") && people.contains(">luc<"), "{people}");
    let csv = boss.get(app.url("/training/compliance?format=csv")).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("ana,caseworker,dp,current,") && csv.contains("luc,caseworker,dp,due,"), "{csv}");
    assert_eq!(web.get(app.url("/training/compliance")).send().await.unwrap().status(), 404, "a caseworker");
}

both_backends!(impact_pages_and_api, training_pages);
