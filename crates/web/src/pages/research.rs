//! The research corpus for researchers: search the de-identified copies of closed cases, and
//! download the outcome table with small cells suppressed.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use kinbridge_domain::case::ServiceType;
use kinbridge_store::research::{table_csv, ResearchCase};
use serde::Deserialize;

use super::{render, Frame, OrPage, PageError};
use crate::auth::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/research", get(search)).route("/research/outcomes.csv", get(outcomes))
}

#[derive(Deserialize, Default)]
pub(crate) struct ResearchQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub service: String,
    pub threshold: Option<u64>,
    pub limit: Option<i64>,
}

impl ResearchQuery {
    pub(crate) fn service(&self) -> Option<&str> {
        ServiceType::parse(&self.service).map(|s| s.as_str())
    }
}

#[derive(Template)]
#[template(path = "research.html")]
struct ResearchPage {
    t: Frame,
    q: ResearchQuery,
    services: &'static [ServiceType],
    total: i64,
    found: Vec<ResearchCase>,
}

async fn search(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ResearchQuery>,
) -> Result<Response, PageError> {
    let (total, found) = state.store.research_search(&u.caller, &q.q, q.service(), 50).await.or_page(&u)?;
    Ok(render(StatusCode::OK, &ResearchPage { t: Frame::for_user(&u), q, services: ServiceType::ALL, total, found }))
}

/// Closed cases by country and outcome, small cells suppressed, with the data-use statement.
pub(crate) async fn outcome_csv(
    state: &AppState,
    caller: &kinbridge_store::Caller,
    threshold: u64,
) -> kinbridge_store::Result<Response> {
    let (rows, columns, table) = state.store.research_outcome_table(caller, threshold).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"outcomes.csv\""),
        ],
        table_csv(&rows, &columns, &table),
    )
        .into_response())
}

async fn outcomes(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ResearchQuery>,
) -> Result<Response, PageError> {
    outcome_csv(&state, &u.caller, q.threshold.unwrap_or(5)).await.or_page(&u)
}
