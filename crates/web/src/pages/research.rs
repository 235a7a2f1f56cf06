//! The research corpus for researchers: search the de-identified copies of closed cases and of
//! archive text, and
//! download the outcome table with small cells suppressed.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use kinbridge_casework::research::ResearchCase;
use kinbridge_casework::research_archive::ResearchItem;
use kinbridge_domain::case::ServiceType;
use serde::Deserialize;

use super::{render, Frame};
use crate::auth::PageUser;
use crate::error::Problem;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/research", get(search))
        .route("/research/outcomes.csv", get(outcomes))
        .route("/research/records.csv", get(records_csv))
        .route("/research/records.parquet", get(records_parquet))
}

#[derive(Deserialize, Default)]
pub(crate) struct ResearchQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub service: String,
    pub threshold: Option<u64>,
    pub k: Option<usize>,
    /// "fake": people as fake names instead of labels.
    #[serde(default)]
    pub names: String,
    pub limit: Option<i64>,
    /// "archives": the de-identified archive text instead of the closed cases.
    #[serde(default)]
    pub source: String,
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
    items: Vec<ResearchItem>,
    /// What the exports withhold, as the data protection officer set it.
    floor_note: String,
}

async fn search(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ResearchQuery>,
) -> Result<Response, Problem> {
    let fake = q.names == "fake";
    let (total, found, items) = if q.source == "archives" {
        let (total, items) = state.casework.research_archive_search(&u.caller, &q.q, fake, 50).await?;
        (total, Vec::new(), items)
    } else {
        let (total, found) = state.casework.research_search(&u.caller, &q.q, q.service(), fake, 50).await?;
        (total, found, Vec::new())
    };
    Ok(render(
        StatusCode::OK,
        &ResearchPage {
            floor_note: {
                let floor = state.casework.disclosure_floor();
                u.tr.args(
                    "research-disclosure-floor",
                    &[("threshold", &floor.threshold_floor().to_string()), ("k", &floor.k_floor().to_string())],
                )
            },
            t: Frame::for_user(&u),
            q,
            services: ServiceType::ALL,
            total,
            found,
            items,
        },
    ))
}

/// Closed cases by country and outcome, small cells suppressed, with the data-use statement
/// and the threshold used.
pub(crate) async fn outcome_csv(
    state: &AppState,
    caller: &kinbridge_casework::Caller,
    threshold: Option<u64>,
) -> kinbridge_casework::Result<Response> {
    let table = state.casework.research_outcome_table(caller, threshold).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"outcomes.csv\""),
        ],
        table.csv(),
    )
        .into_response())
}

async fn outcomes(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ResearchQuery>,
) -> Result<Response, Problem> {
    Ok(outcome_csv(&state, &u.caller, q.threshold).await?)
}

/// The corpus as records, k-anonymous on its quasi-identifiers, as CSV or Parquet, with the
/// data-use statement and the k used.
pub(crate) async fn records(
    state: &AppState,
    caller: &kinbridge_casework::Caller,
    k: Option<usize>,
    parquet: bool,
) -> kinbridge_casework::Result<Response> {
    let export = state.casework.research_records(caller, k).await?;
    if parquet {
        let bytes = export.parquet().map_err(|_| kinbridge_casework::Error::Unsupported("parquet export failed"))?;
        Ok((
            [
                (header::CONTENT_TYPE, "application/vnd.apache.parquet"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"research_cases.parquet\""),
            ],
            bytes,
        )
            .into_response())
    } else {
        Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"research_cases.csv\""),
            ],
            export.csv(),
        )
            .into_response())
    }
}

async fn records_csv(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ResearchQuery>,
) -> Result<Response, Problem> {
    Ok(records(&state, &u.caller, q.k, false).await?)
}

async fn records_parquet(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ResearchQuery>,
) -> Result<Response, Problem> {
    Ok(records(&state, &u.caller, q.k, true).await?)
}
