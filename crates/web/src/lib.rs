//! HTTP for Kinbridge: server-rendered pages that work without JavaScript, the JSON API
//! under `/api/v1` with its OpenAPI document, sessions, CSRF protection and translations.

// The shared parts: sign-in and sessions, the one error type, translations, the edge's input
// checks, and what every page, API handler and file transfer has in common.
mod api;
pub mod auth;
pub mod error;
mod files;
pub mod i18n;
pub mod openapi;
mod page;
mod pdf;
pub mod storable;

// The features, each with its input types, pages and API handlers.
mod admin;
mod archives;
mod audit;
mod cases;
mod dashboard;
mod documents;
pub mod impact;
pub mod mail;
mod network;
mod notices;
mod requests;
mod research;
mod search;
mod session;
mod training;
mod transfers;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{middleware, Router};
use kinbridge_casework::Casework;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// The largest form or JSON body; documents have their own limit.
pub const FORM_LIMIT: usize = 256 * 1024;
/// A document plus the multipart envelope around it.
pub const UPLOAD_LIMIT: usize = kinbridge_domain::document::MAX_DOCUMENT_BYTES + 64 * 1024;

/// Everything a handler needs, cloned into each: one shared allocation, so that a clone is
/// one counter increment (the fields' own counters, cloned per request, cost several percent
/// of a case page's time in contention between the cores).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// How the server meets the network: set by `kinbridge serve`'s options.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure`; on when served over HTTPS.
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed: a request from one of these
    /// addresses is taken to come from the client the header names (see `auth::client_ip`).
    /// From any other address the header is ignored, so that nobody can choose the address
    /// sign-in throttling and the audit trail record.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The SMTP relay for e-mail reminders; none sends no e-mail (notifications still appear).
    pub mail: Option<mail::MailConfig>,
    /// How often the reminders of tasks falling due are sent (a minute if unset).
    pub reminder_every: Option<std::time::Duration>,
}

/// What [`AppState`] shares.
pub struct Shared {
    pub casework: Casework,
    pub i18n: Arc<i18n::Catalogues>,
    pub sessions: auth::SessionCache,
    /// Mark cookies `Secure`; on when served over HTTPS.
    pub secure_cookies: bool,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub mail: Option<mail::MailConfig>,
    pub reminder_every: std::time::Duration,
    /// The search index in the data folder (`None` if another process holds it).
    pub search: Option<Arc<kinbridge_search::SearchIndex>>,
    /// Case page bodies already rendered (see `cases::CaseBodies`).
    pub(crate) case_bodies: cases::CaseBodies,
    /// One catch-up with the change feed at a time.
    index_turn: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    pub fn new(casework: Casework, config: WebConfig) -> Self {
        let search = match kinbridge_search::SearchIndex::open(&casework.data_dir().join("search"), true) {
            Ok(index) => Some(Arc::new(index)),
            Err(e) => {
                tracing::error!(error = %e, "search is unavailable");
                None
            }
        };
        Self(Arc::new(Shared {
            casework,
            i18n: i18n::Catalogues::load(),
            sessions: auth::SessionCache::default(),
            secure_cookies: config.secure_cookies,
            trusted_proxies: config.trusted_proxies,
            mail: config.mail,
            reminder_every: config.reminder_every.unwrap_or(std::time::Duration::from_secs(60)),
            search,
            case_bodies: Default::default(),
            index_turn: Arc::default(),
        }))
    }

    /// The index, brought up to date with the change feed first, so that a search sees the
    /// changes its reader has just made.
    pub async fn current_index(&self) -> Result<Arc<kinbridge_search::SearchIndex>, error::Problem> {
        let index = self.search.clone().ok_or(error::Problem::Unavailable)?;
        let _turn = self.index_turn.lock().await;
        if let Err(e) = self.casework.catch_up_index(&index).await {
            tracing::warn!(error = %e, "search index could not catch up");
        }
        Ok(index)
    }
}

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(pages())
        .nest("/api/v1", api())
        .route("/api/openapi.json", get(openapi::document))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/static/style.css", get(style))
        .layer(middleware::from_fn(error::render_problems))
        .layer(middleware::from_fn(storable::refuse_unstorable))
        .layer(middleware::from_fn_with_state(state.clone(), auth::resolve))
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::overriding(
            header::HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            // Spans are named by route template, never by a path with ids in it.
            let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_default();
            tracing::info_span!("http", method = %req.method(), route)
        }))
        .with_state(state)
}

/// Serves until `shutdown` completes; in-flight requests finish first. The background job
/// worker (matching, ...) and the audit checkpoints run alongside and stop with the server; a
/// job it was running is picked up again when its lease runs out.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let worker = state.casework.start_job_worker();
    let importers = kinbridge_casework::archive_import::start_workers(&state.casework, 1);
    let indexer = state.search.clone().map(|index| {
        let state = state.clone();
        tokio::spawn(async move {
            {
                let _turn = state.index_turn.lock().await;
                if let Err(e) = state.casework.prepare_index(&index).await {
                    tracing::warn!(error = %e, "search index could not be prepared");
                }
            }
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                let _turn = state.index_turn.lock().await;
                if let Err(e) = state.casework.catch_up_index(&index).await {
                    tracing::warn!(error = %e, "search index could not catch up");
                }
            }
        })
    });
    let checkpoints = state.casework.store().start_audit_checkpoints();
    let reminders = mail::start_reminders(state.clone(), state.reminder_every);
    let served = axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await;
    worker.abort();
    checkpoints.abort();
    reminders.abort();
    for i in importers {
        i.abort();
    }
    if let Some(i) = indexer {
        i.abort();
    }
    served
}

async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    match state.casework.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, "ready"),
        Err(e) => {
            tracing::error!(error = %e, "database not ready");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")],
        include_str!("../static/style.css"),
    )
}

/// Every page route, feature by feature.
fn pages() -> Router<AppState> {
    Router::new()
        .merge(session::pages())
        .merge(dashboard::router())
        .merge(cases::pages())
        .merge(requests::pages())
        .merge(transfers::pages())
        .merge(documents::pages())
        .merge(network::pages())
        .merge(notices::pages())
        .merge(admin::pages())
        .merge(audit::router())
        .merge(research::pages())
        .merge(impact::pages())
        .merge(training::pages())
        .merge(search::pages())
        .merge(archives::pages())
}

/// Every API route under `/api/v1`, feature by feature; an unknown one is the API's 404.
fn api() -> Router<AppState> {
    Router::new()
        .merge(session::api())
        .merge(cases::api())
        .merge(documents::api())
        .merge(requests::api())
        .merge(transfers::api())
        .merge(notices::api())
        .merge(admin::api())
        .merge(research::api())
        .merge(impact::api())
        .merge(search::api())
        .merge(archives::api())
        .merge(network::api())
        .fallback(api::not_found)
}

/// Upload routes accept a document; everything else keeps the small form limit.
pub(crate) fn upload_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(UPLOAD_LIMIT)
}

#[cfg(test)]
mod layout {
    /// A feature's API handlers and its pages share input types through the feature's own
    /// modules, never through each other, so either can change without breaking the other.
    #[test]
    fn api_and_pages_do_not_import_each_other() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut features = 0;
        for entry in std::fs::read_dir(&src).expect("src folder") {
            let dir = entry.expect("entry").path();
            if !dir.is_dir() {
                continue;
            }
            let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
            let (api, pages) = (read("api.rs"), read("pages.rs"));
            assert!(!api.contains("pages::"), "{} API imports its pages", dir.display());
            assert!(
                !pages.contains("api::") && !pages.contains("crate::api"),
                "{} pages import the API",
                dir.display()
            );
            features += 1;
        }
        assert!(features >= 6, "the features are folders under src/");
    }
}
