//! The cross-border story in a real browser: headless Chromium driven through ChromeDriver,
//! against the real server, on SQLite and on PostgreSQL. Needs Debian's `chromium` and
//! `chromium-driver` (scripts/test installs them).

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{due_date, spawn_app, TestApp, PASSWORD};
use fantoccini::{Client, ClientBuilder, Locator};
use kinbridge_store::{both_backends, Backend};
use serde_json::json;

struct Driver {
    process: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

// Driver's Drop kills and reaps the process; the lint cannot see through Drop.
#[allow(clippy::zombie_processes)]
async fn start_driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let process = Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect(
            "chromedriver must be installed (Debian packages chromium and chromium-driver; scripts/test installs them)",
        );
    for _ in 0..100 {
        if reqwest::get(format!("http://127.0.0.1:{port}/status")).await.is_ok() {
            return Driver { process, port };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

async fn browser(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    let profile = std::env::temp_dir().join(format!("kb-chrome-{}", uuid::Uuid::new_v4().simple()));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                     "--disable-quic", "--disable-component-update", "--disable-sync", "--window-size=1200,900",
                     format!("--user-data-dir={}", profile.display())]
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("connect to chromedriver")
}

async fn fill(c: &Client, css: &str, text: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no {css}"));
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no {css}")).click().await.unwrap();
}

async fn choose(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no {css}")).select_by_value(value).await.unwrap();
}

/// Waits until `css` shows `want`: a click returns before the page it submits has loaded,
/// so the old page may still be there for a moment.
async fn expect_text(c: &Client, css: &str, want: &str) {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            if let Ok(t) = e.text().await {
                if t == want {
                    no_raw_keys(c).await;
                    return;
                }
                last = t;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} shows {last:?}, not {want:?}");
}

/// The message keys of the catalogues (those with a dash, which no sentence contains).
fn message_keys() -> &'static [String] {
    static KEYS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        include_str!("../locales/en.ftl")
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim()))
            .filter(|k| {
                k.contains('-')
                    && k.chars().all(|c| c.is_ascii_lowercase() || c == '-' || c == '_' || c.is_ascii_digit())
            })
            .map(str::to_string)
            .collect::<Vec<_>>()
    })
}

/// Fails when the page shows a message key instead of its words.
async fn no_raw_keys(c: &Client) {
    let text = c.find(Locator::Css("body")).await.unwrap().text().await.unwrap();
    assert!(message_keys().len() > 300, "the catalogue's keys were read");
    let shown: Vec<&String> = message_keys().iter().filter(|k| text.contains(k.as_str())).collect();
    assert!(shown.is_empty(), "{} shows message keys {shown:?}", c.current_url().await.unwrap());
}

async fn login(c: &Client, app: &TestApp, email: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    fill(c, "#email", email).await;
    fill(c, "#password", PASSWORD).await;
    click(c, ".login button[type=submit]").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("form[action='/logout']"))
        .await
        .unwrap_or_else(|_| panic!("signed in as {email}"));
    assert_eq!(c.current_url().await.unwrap().path(), "/");
}

async fn logout(c: &Client) {
    no_raw_keys(c).await;
    click(c, "form[action='/logout'] button").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#email"))
        .await
        .expect("back on the login page");
}

async fn story_in_the_browser(backend: Backend) {
    let app = spawn_app(backend).await;
    let driver = start_driver().await;
    let c = browser(&driver).await;

    // Switzerland opens a case.
    login(&c, &app, "ana@ch.test").await;
    click(&c, "a.button[href='/cases/new']").await;
    choose(&c, "#service", "family_tracing").await;
    fill(&c, "#title", "Tracing of Amanuel's mother").await;
    fill(&c, "#partner_country", "DE").await;
    fill(&c, "#child_views", "I want to see my mother.").await;
    fill(&c, "#cg", "Amanuel").await;
    fill(&c, "#cf", "Tesfay").await;
    fill(&c, "#cb", "~12").await;
    // Consent to processing is asked for on every new case, already ticked; who gave it is typed.
    fill(&c, "#cgb", "Amanuel with his guardian").await;
    click(&c, "form[action='/cases'] button[type=submit]").await;
    expect_text(&c, "#case-status", "Open").await;
    assert!(c.current_url().await.unwrap().path().starts_with("/cases/"));
    let case_url = c.current_url().await.unwrap().to_string();

    // ... and sends a request to Germany.
    click(&c, "#send-request").await;
    choose(&c, "#q-to", "DE").await;
    choose(&c, "#q-kind", "home_study").await;
    c.execute("document.getElementById('q-due').value = arguments[0];", vec![json!(due_date())]).await.unwrap();
    fill(&c, "#q-subject", "Home study of the mother").await;
    fill(&c, "#q-message", "Please assess the mother's home in Hamburg.").await;
    click(&c, "form[action$='/requests'] button[type=submit]").await;
    expect_text(&c, "#request-status", "Sent").await;
    assert!(c.current_url().await.unwrap().path().starts_with("/requests/"));
    let request_url = c.current_url().await.unwrap().to_string();
    logout(&c).await;

    // Germany finds it in the inbox and answers.
    login(&c, &app, "jonas@de.test").await;
    c.goto(&app.url("/requests?box=inbox")).await.unwrap();
    click(&c, "table a[href^='/requests/']").await;
    expect_text(&c, "#request-status", "Sent").await;
    assert_eq!(c.current_url().await.unwrap().to_string(), request_url);
    assert!(c.source().await.unwrap().contains("Amanuel Tesfay"), "the shared child is shown to the partner");
    click(&c, "button[value='acknowledge']").await;
    expect_text(&c, "#request-status", "Acknowledged").await;
    click(&c, "button[value='accept']").await;
    expect_text(&c, "#request-status", "Accepted").await;
    fill(&c, "#report", "The mother's home is suitable.").await;
    click(&c, "form:has(#report) button[type=submit]").await;
    expect_text(&c, "#request-status", "Answered").await;
    logout(&c).await;

    // Switzerland reads the report, closes the request and proposes to close the case.
    login(&c, &app, "ana@ch.test").await;
    c.goto(&request_url).await.unwrap();
    assert!(
        c.source().await.unwrap().contains("The mother&#39;s home is suitable.")
            || c.source().await.unwrap().contains("The mother's home is suitable.")
    );
    click(&c, "button[value='close']").await;
    expect_text(&c, "#request-status", "Closed").await;
    c.goto(&case_url).await.unwrap();
    choose(&c, "#outcome", "reunified").await;
    click(&c, "button[value='propose_closure']").await;
    expect_text(&c, "#case-status", "Closure proposed").await;
    logout(&c).await;

    // The supervisor approves the closure.
    login(&c, &app, "boss@ch.test").await;
    c.goto(&case_url).await.unwrap();
    click(&c, "button[value='approve_closure']").await;
    expect_text(&c, "#case-status", "Closed").await;
    expect_text(&c, "#case-outcome", "Reunified with family").await;
    if let Ok(dir) = std::env::var("KINBRIDGE_SCREENSHOTS") {
        let png = c.screenshot().await.unwrap();
        std::fs::write(std::path::Path::new(&dir).join(format!("case-closed-{backend:?}.png")), png).unwrap();
    }
    c.close().await.unwrap();
}

/// Arabic turns the whole page right to left.
async fn arabic_is_right_to_left(backend: Backend) {
    let app = spawn_app(backend).await;
    let driver = start_driver().await;
    let c = browser(&driver).await;
    c.goto(&app.url("/login?lang=ar")).await.unwrap();
    let dir = c
        .execute("return document.documentElement.dir + ' ' + getComputedStyle(document.body).direction;", vec![])
        .await
        .unwrap();
    assert_eq!(dir, json!("rtl rtl"));
    // Nothing overflows the viewport sideways.
    let overflow =
        c.execute("return document.documentElement.scrollWidth <= window.innerWidth;", vec![]).await.unwrap();
    assert_eq!(overflow, json!(true));
    // The public impact page, for anyone, in the language chosen at sign-in.
    c.goto(&app.url("/impact/public")).await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#impact-public-none"))
        .await
        .expect("the public page, nothing published yet");
    let dir = c.execute("return document.documentElement.dir;", vec![]).await.unwrap();
    assert_eq!(dir, json!("rtl"));
    no_raw_keys(&c).await;
    c.close().await.unwrap();
}

/// A tracing request opened in the browser finds the person sought on another case of the
/// member; the caseworker reviews the possible match and confirms it.
async fn tracing_and_match_review_in_the_browser(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = app.api("ana@ch.test").await;
    let (s, case) = api.post("/api/v1/cases", common::case_body()).await;
    assert_eq!(s, 201, "{case}");
    let case_id = case["id"].as_str().unwrap().to_string();
    let driver = start_driver().await;
    let c = browser(&driver).await;
    login(&c, &app, "ana@ch.test").await;
    c.goto(&app.url(&format!("/cases/{case_id}"))).await.unwrap();
    click(&c, "#tracing details summary").await;
    fill(&c, "#t-inq", "Amanuel Tesfay").await;
    fill(&c, "#t-rel", "brother").await;
    fill(&c, "#t-given", "Dawit").await;
    fill(&c, "#t-family", "Tesfay").await;
    choose(&c, "#t-sex", "male").await;
    fill(&c, "#t-born", "2004-02-11").await;
    fill(&c, "#t-place", "Tripoli").await;
    click(&c, "#tracing form button[type=submit]").await;
    expect_text(&c, "#tracing li strong:nth-of-type(2)", "Dawit Tesfay").await;

    // The same young man is on another of the member's cases, written another way.
    let mut other = common::case_body();
    other["people"] = json!([{"role": "child", "given_names": "Dawitt", "family_name": "Tesfaye", "sex": "male", "birth_date": "2004-11-02"}]);
    other["duplicate_reason"] = json!("recorded apart on purpose, to be matched");
    let (s, _) = api.post("/api/v1/cases", other).await;
    assert_eq!(s, 201);
    let mut shown = String::new();
    for _ in 0..50 {
        c.goto(&app.url(&format!("/cases/{case_id}"))).await.unwrap();
        shown = match c.find(Locator::Css("#matches")).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if shown.contains("may be the same person as") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(shown.contains("Dawit Tesfay may be the same person as Dawitt Tesfaye"), "{shown}");
    assert!(shown.contains("one typo, or day and month swapped"), "explained field by field: {shown}");
    click(&c, "#matches button[value=confirm]").await;
    expect_text(&c, "#matches .ok", "Confirmed: same person").await;

    // Intake: registering him a third time warns first; the caseworker can still go on.
    c.goto(&app.url("/cases/new")).await.unwrap();
    choose(&c, "#service", "family_tracing").await;
    fill(&c, "#title", "Dawit, arrived alone").await;
    fill(&c, "#cg", "Dawit").await;
    fill(&c, "#cf", "Tesfai").await;
    choose(&c, "#cs", "male").await;
    fill(&c, "#cb", "2004-02-11").await;
    fill(&c, "#cgb", "Dawit").await;
    click(&c, "form[action='/cases'] button[type=submit]").await;
    expect_text(&c, "#known h2", "This child may already be known").await;
    let known = c.find(Locator::Css("#known")).await.unwrap().text().await.unwrap();
    assert!(known.contains("Dawit Tesfay") || known.contains("Dawitt Tesfaye"), "{known}");
    // Going on asks why this is a new case.
    fill(&c, "#dr", "Another Dawit: he arrived in Geneva, the other is sought in Libya.").await;
    click(&c, "form[action='/cases'] button[type=submit]").await;
    let mut title = String::new();
    for _ in 0..100 {
        title = match c.find(Locator::Css("h1")).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if title.ends_with("— Dawit, arrived alone") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(title.ends_with("— Dawit, arrived alone"), "the case opened: {title}");
    c.close().await.unwrap();
}

/// An archivist describes a fonds, uploads an old letter (Windows-1252 text), watches it being
/// imported, and finds it by a word typed without its accent; a caseworker of a partner member
/// finds it too once it is open, and the closed fonds of the same archivist stays hidden.
async fn archives_and_search_in_the_browser(backend: Backend) {
    let app = spawn_app(backend).await;
    let driver = start_driver().await;
    let c = browser(&driver).await;
    login(&c, &app, "archives@ch.test").await;
    c.goto(&app.url("/archives")).await.unwrap();
    fill(&c, "#fonds-ref", "CH-ISS-SOC").await;
    fill(&c, "#fonds-title", "Social workers' notes").await;
    fill(&c, "#fonds-from", "1970").await;
    fill(&c, "#fonds-to", "1979").await;
    choose(&c, "#fonds-restr", "open").await;
    click(&c, "form[action='/archives'] button[type=submit]").await;
    expect_text(&c, "h1", "Social workers' notes").await;
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../archive/tests/fixtures/notes_1975.txt");
    c.find(Locator::Css("#af"))
        .await
        .unwrap()
        .send_keys(&fixture.canonicalize().unwrap().to_string_lossy())
        .await
        .unwrap();
    click(&c, "form[enctype='multipart/form-data'] button[type=submit]").await;
    expect_text(&c, ".notice", "The file is saved; its text is being read and it will appear here shortly.").await;
    // Post, redirect, get: the browser is on the unit's own page, which reloads safely.
    let landed = c.current_url().await.unwrap();
    assert!(landed.path().starts_with("/archives/") && !landed.path().ends_with("/upload"), "{landed}");
    let unit_url = app.url(landed.path());
    let mut contents = String::new();
    for _ in 0..150 {
        c.goto(&unit_url).await.unwrap();
        contents = match c.find(Locator::Css("main")).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if contents.contains("notes_1975.txt") && contents.contains("waiting 0 / 1") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        contents.contains("notes_1975.txt") && contents.contains("imported 1 "),
        "{contents} {}",
        c.source().await.unwrap_or_default()
    );

    // Found without the accent, highlighted, through the search box.
    c.goto(&app.url("/search")).await.unwrap();
    fill(&c, "#sq", "pere Haddad").await;
    click(&c, "form[role=search] button[type=submit]").await;
    expect_text(&c, ".hit h2 a", "notes_1975.txt").await;
    let marked: Vec<String> = {
        let mut v = Vec::new();
        for m in c.find_all(Locator::Css(".hit mark")).await.unwrap() {
            v.push(m.text().await.unwrap());
        }
        v
    };
    assert!(marked.contains(&"père".to_string()) && marked.contains(&"Haddad".to_string()), "{marked:?}");
    click(&c, ".hit h2 a").await;
    expect_text(&c, ".page-text h2", "Page 1").await;
    let text = c.find(Locator::Css(".page-text pre")).await.unwrap().text().await.unwrap();
    assert!(text.contains("Le père, Karim Haddad, est reparti à Tunis."), "{text}");
    logout(&c).await;

    // A caseworker of a partner member finds the open fonds' letter, and no more.
    login(&c, &app, "jonas@de.test").await;
    c.goto(&app.url("/search?q=Haddad&kind=unit")).await.unwrap();
    expect_text(&c, ".hit h2 a", "notes_1975.txt").await;
    assert_eq!(c.find_all(Locator::Css(".hit")).await.unwrap().len(), 1);
    c.close().await.unwrap();
}

/// On a 390-px phone, no page of a caseworker's day scrolls sideways (tables scroll inside
/// their frame), and the header leaves most of the screen to the page.
async fn a_phone_does_not_scroll_sideways(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = app.api("ana@ch.test").await;
    let (_, case) = api.post("/api/v1/cases", common::case_body()).await;
    let case_id = case["id"].as_str().unwrap().to_string();
    let later = (chrono::Utc::now().date_naive() + chrono::Duration::days(9)).to_string();
    api.post(&format!("/api/v1/cases/{case_id}/tasks"), json!({"title": "Visit the child at school", "due_on": later}))
        .await;
    let driver = start_driver().await;
    let c = browser(&driver).await;
    c.set_window_size(390, 844).await.unwrap();
    login(&c, &app, "ana@ch.test").await;
    for path in [
        "/",
        "/cases",
        &format!("/cases/{case_id}"),
        "/cases/new",
        "/tasks",
        "/notifications",
        "/requests?box=inbox",
        "/search?q=Amanuel",
    ] {
        c.goto(&app.url(path)).await.unwrap();
        c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("main")).await.unwrap();
        let widths = c
            .execute("return [document.documentElement.scrollWidth, document.documentElement.clientWidth, document.querySelector('header').offsetHeight]", vec![])
            .await
            .unwrap();
        let (scroll, client, header) =
            (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap(), widths[2].as_i64().unwrap());
        if scroll > client {
            // Name the widest elements, to say what to fix.
            let wide = c
                .execute(
                    "return Array.from(document.querySelectorAll('main *')).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))",
                    vec![],
                )
                .await
                .unwrap();
            panic!("{path} scrolls sideways: {scroll} px in {client}: {wide}");
        }
        assert!(header <= 140, "{path}: the header takes {header} px");
        no_raw_keys(&c).await;
    }
    c.close().await.unwrap();
}

/// Every role of the network walks its own pages in the browser: each page loads, shows no
/// message key, and a caseworker hands a case over through the case page that the partner's
/// caseworker accepts on the handover page. The caseworker's pages are also walked in French,
/// Spanish and Arabic.
async fn every_role_walks_its_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = app.api("ana@ch.test").await;
    let (_, case) = api.post("/api/v1/cases", common::case_body()).await;
    let case_id = case["id"].as_str().unwrap().to_string();
    let (_, a) = api
        .post(
            &format!("/api/v1/cases/{case_id}/assessments"),
            json!({"kind": "best_interests_assessment", "parts": {"child_views": "I want to see my mother."}}),
        )
        .await;
    let assessment = format!("/cases/{case_id}/assessments/{}", a["id"].as_str().unwrap());
    let (_, people) = api.get(&format!("/api/v1/cases/{case_id}/people")).await;
    let person = format!("/cases/{case_id}/people/{}", people[0]["id"].as_str().unwrap());
    let driver = start_driver().await;
    let c = browser(&driver).await;
    let case_page = format!("/cases/{case_id}");
    let walks: Vec<(&str, Vec<&str>)> = vec![
        (
            "ana@ch.test",
            vec![
                "/",
                "/cases",
                &case_page,
                &assessment,
                &person,
                "/cases/new",
                "/tasks",
                "/notifications",
                "/requests?box=inbox",
                "/requests?box=outbox",
                "/transfers",
                "/members",
                "/account",
                "/search?q=Amanuel",
                "/impact",
                "/impact/indicators/children_assisted?by=sex",
                "/impact/sroi",
                "/training",
            ],
        ),
        (
            "boss@ch.test",
            vec![
                "/",
                "/cases",
                &case_page,
                &assessment,
                "/tasks",
                "/transfers",
                "/impact",
                "/impact/sroi/new",
                "/training/compliance",
            ],
        ),
        ("admin@ch.test", vec!["/", "/admin/users"]),
        ("coord@gs.test", vec!["/", "/flows", "/members", "/impact?org=CH", "/impact/network"]),
        ("research@gs.test", vec!["/", "/research"]),
        ("dpo@gs.test", vec!["/", "/audit", "/research"]),
        ("archives@ch.test", vec!["/", "/archives", "/search?q=adoption"]),
    ];
    for (email, paths) in &walks {
        login(&c, &app, email).await;
        for path in paths {
            c.goto(&app.url(path)).await.unwrap();
            c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("main")).await.unwrap();
            let title = c.title().await.unwrap();
            let signed_in = c.find(Locator::Css("form[action='/logout']")).await.is_ok();
            // An error page's title is its status.
            assert!(signed_in && !title.starts_with(|ch: char| ch.is_ascii_digit()), "{email} {path}: {title}");
            no_raw_keys(&c).await;
        }
        logout(&c).await;
    }

    // The caseworker's day in the other languages.
    login(&c, &app, "ana@ch.test").await;
    for lang in ["fr", "es", "ar"] {
        c.goto(&app.url("/")).await.unwrap();
        choose(&c, "#locale", lang).await;
        click(&c, "form[action='/locale'] button").await;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(&format!("html[lang='{lang}']")))
            .await
            .unwrap();
        for path in [
            "/",
            "/cases",
            case_page.as_str(),
            assessment.as_str(),
            "/tasks",
            "/notifications",
            "/transfers",
            "/training",
            "/impact",
            "/impact/indicators/new_cases?by=direction",
        ] {
            c.goto(&app.url(path)).await.unwrap();
            c.wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css(&format!("html[lang='{lang}']")))
                .await
                .unwrap();
            no_raw_keys(&c).await;
        }
    }
    c.goto(&app.url("/")).await.unwrap();
    choose(&c, "#locale", "en").await;
    click(&c, "form[action='/locale'] button").await;
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("html[lang='en']")).await.unwrap();

    c.goto(&app.url(&case_page)).await.unwrap();
    click(&c, "#transfer-propose").await;
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#x-to")).await.unwrap();
    no_raw_keys(&c).await;
    choose(&c, "#x-to", "DE").await;
    fill(&c, "#x-reason", "Amanuel moved to Hamburg with his mother.").await;
    click(&c, "form[action$='/transfers'] button[type=submit]").await;
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#transfer li a")).await.unwrap();
    expect_text(&c, "#transfer li a", "waiting for an answer").await;
    logout(&c).await;

    login(&c, &app, "jonas@de.test").await;
    c.goto(&app.url("/transfers")).await.unwrap();
    click(&c, "tbody a").await;
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("button[value=accept]")).await.unwrap();
    no_raw_keys(&c).await;
    click(&c, "button[value=accept]").await;
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#received-banner")).await.unwrap();
    expect_text(&c, "#case-status", "Open").await;
    logout(&c).await;

    login(&c, &app, "ana@ch.test").await;
    c.goto(&app.url(&case_page)).await.unwrap();
    expect_text(&c, "#case-status", "Transferred").await;
    assert!(c.find(Locator::Css("#n-body")).await.is_err(), "no note form on a case kept to read");
    c.close().await.unwrap();
}

both_backends!(
    every_role_walks_its_pages,
    a_phone_does_not_scroll_sideways,
    story_in_the_browser,
    arabic_is_right_to_left,
    tracing_and_match_review_in_the_browser,
    archives_and_search_in_the_browser
);
