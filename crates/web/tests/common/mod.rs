//! Starts the real server on 127.0.0.1:0 with a fresh database (SQLite or PostgreSQL) and a
//! small network: members CH, DE and FR with caseworkers and supervisors, and other roles.

#![allow(dead_code)]

use kinbridge_casework::accounts::NewUser;
use kinbridge_casework::Casework;
use kinbridge_domain::member::NewMember;
use kinbridge_domain::Role;
use kinbridge_store::testing::TestDatabase;
use kinbridge_store::{Backend, Store};
use serde_json::{json, Value};

pub const PASSWORD: &str = "a long test password";

pub struct TestApp {
    pub base: String,
    /// The use cases the server runs (to set up what a test needs).
    pub casework: Casework,
    /// The store underneath (to look at what was written).
    pub store: Store,
    _db: TestDatabase,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// The accounts every test app has, by e-mail.
pub const ACCOUNTS: &[(&str, Role, &str)] = &[
    ("CH", Role::Caseworker, "ana@ch.test"),
    ("CH", Role::Caseworker, "luc@ch.test"),
    ("CH", Role::Supervisor, "boss@ch.test"),
    ("DE", Role::Caseworker, "jonas@de.test"),
    ("DE", Role::Supervisor, "chefin@de.test"),
    ("FR", Role::Caseworker, "marie@fr.test"),
    ("GS", Role::Coordinator, "coord@gs.test"),
    ("GS", Role::Researcher, "research@gs.test"),
    ("CH", Role::MemberAdmin, "admin@ch.test"),
    ("GS", Role::DataProtectionOfficer, "dpo@gs.test"),
    ("CH", Role::Archivist, "archives@ch.test"),
    ("DE", Role::Archivist, "archives@de.test"),
];

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, kinbridge_web::WebConfig::default()).await
}

pub async fn spawn_app_with(backend: Backend, config: kinbridge_web::WebConfig) -> TestApp {
    let db = TestDatabase::new(backend).await;
    let casework = Casework::open(&db.url, &db.data_dir).await.expect("open store");
    for (code, name, country) in [
        ("CH", "Switzerland", "CH"),
        ("DE", "Germany", "DE"),
        ("FR", "France", "FR"),
        ("GS", "General Secretariat", "CH"),
    ] {
        casework.create_member(&NewMember::parse(code, name, country).unwrap()).await.unwrap();
    }
    for (member, role, email) in ACCOUNTS {
        let display = email.split('@').next().unwrap();
        casework.create_user(&NewUser::parse(member, role.as_str(), email, display, PASSWORD).unwrap()).await.unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = kinbridge_web::AppState::new(casework.clone(), config);
    tokio::spawn(kinbridge_web::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    TestApp { base, store: casework.store().clone(), casework, _db: db, _stop: stop }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// An API client signed in as `email`, with its bearer token.
    pub async fn api(&self, email: &str) -> Api {
        let http = reqwest::Client::new();
        let r = http
            .post(self.url("/api/v1/session"))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "login of {email}");
        let body: Value = r.json().await.unwrap();
        Api {
            base: self.base.clone(),
            http,
            token: body["token"].as_str().unwrap().to_string(),
            user: body["user"].clone(),
        }
    }

    /// A browser-like client (cookies, no redirects followed) signed in through the login form.
    pub async fn browser(&self, email: &str) -> reqwest::Client {
        let http =
            reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let page = http.get(self.url("/login")).send().await.unwrap().text().await.unwrap();
        let csrf = hidden(&page, "_csrf");
        let r = http
            .post(self.url("/login"))
            .form(&[("_csrf", csrf.as_str()), ("email", email), ("password", PASSWORD), ("next", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "form login of {email}");
        http
    }

    /// Rows in every table that holds case data (not the audit trail or sessions).
    pub async fn case_data_counts(&self) -> Vec<(String, i64)> {
        let mut out = Vec::new();
        for table in [
            "members",
            "users",
            "cases",
            "people",
            "relationships",
            "consents",
            "notes",
            "requests",
            "request_messages",
            "request_people",
            "documents",
            "request_documents",
            "case_events",
            "tracing_requests",
            "match_candidates",
            "notifications",
            "case_goals",
            "case_tasks",
            "case_reviews",
            "case_transfers",
        ] {
            let row =
                sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}")).fetch_one(self.store.pool()).await.unwrap();
            out.push((table.to_string(), sqlx::Row::get::<i64, _>(&row, "n")));
        }
        out
    }

    pub fn document_files(&self) -> usize {
        fn walk(p: &std::path::Path) -> usize {
            std::fs::read_dir(p)
                .map(|d| d.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum())
                .unwrap_or(0)
        }
        walk(&self.store.data_dir().join("documents"))
    }

    pub async fn denied_audits(&self, entity_id: &str) -> i64 {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'denied' AND entity_id = $1")
            .bind(entity_id.to_string())
            .fetch_one(self.store.pool())
            .await
            .unwrap();
        sqlx::Row::get(&row, "n")
    }
}

/// The value of the first hidden input named `name` in a page.
pub fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).unwrap_or_else(|| panic!("no {name} in page")) + marker.len();
    page[start..].split('"').next().unwrap().to_string()
}

pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
    pub token: String,
    pub user: Value,
}

impl Api {
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self.http.get(format!("{}{}", self.base, path)).bearer_auth(&self.token).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let r = self
            .http
            .request(m, format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send("POST", path, body).await
    }

    pub async fn upload(&self, path: &str, filename: &str, bytes: Vec<u8>) -> (u16, Value) {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(filename.to_string()));
        let r = self
            .http
            .post(format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

/// A case as the CH caseworker opens it in most tests.
pub fn case_body() -> Value {
    json!({
        "service": "family_tracing",
        "title": "Tracing of Amanuel's mother",
        "summary": "Separated in Libya in 2019.",
        "child_views": "I want to see my mother again.",
        "partner_country": "DE",
        "people": [
            {"role": "child", "given_names": "Amanuel", "family_name": "Tesfay", "sex": "male", "birth_date": "~12", "nationalities": ["ER"], "languages": ["ti"]},
            {"role": "mother", "given_names": "Selam", "family_name": "Gebre", "sex": "female", "birth_date": "1985", "birth_date_estimated": true}
        ],
        "consents": [
            {"scope": "data_processing", "given_by": "Amanuel with his guardian", "given_on": "2026-01-10"},
            {"scope": "tracing", "given_by": "Amanuel with his guardian", "given_on": "2026-01-10"}
        ]
    })
}

pub fn due_date() -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(30)).to_string()
}

/// A real SMTP server on loopback (Python's aiosmtpd, from the Debian package), keeping what
/// it receives as a maildir; stopped when dropped.
pub struct SmtpServer {
    pub port: u16,
    pub maildir: std::path::PathBuf,
    _child: tokio::process::Child,
}

impl SmtpServer {
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let maildir = std::env::temp_dir().join(format!("kb-mail-{}", uuid::Uuid::new_v4()));
        let child = tokio::process::Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .kill_on_drop(true)
            .spawn()
            .expect("aiosmtpd (Debian: apt-get install python3-aiosmtpd)");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Self { port, maildir, _child: child };
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the SMTP server did not start on {port}");
    }

    /// The messages received so far, as raw text.
    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.maildir.join(sub)) {
                for e in entries.flatten() {
                    out.push(std::fs::read_to_string(e.path()).unwrap_or_default());
                }
            }
        }
        out
    }

    pub fn config(&self) -> kinbridge_web::mail::MailConfig {
        kinbridge_web::mail::MailConfig::parse(
            &format!("127.0.0.1:{}", self.port),
            "Kinbridge <noreply@kinbridge.test>",
            "http://kinbridge.test",
        )
        .unwrap()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}
