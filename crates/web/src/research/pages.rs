//! The research corpus for researchers: search the de-identified copies of closed cases and of
//! archive text, and
//! download the outcome table with small cells suppressed.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use kinbridge_casework::research::ResearchCase;
use kinbridge_casework::research_archive::ResearchItem;
use kinbridge_domain::case::ServiceType;

use super::exports::{outcome_csv, records, ResearchQuery};
use crate::auth::PageUser;
use crate::error::Problem;
use crate::page::{render, Frame};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/research", get(search))
        .route("/research/outcomes.csv", get(outcomes))
        .route("/research/records.csv", get(records_csv))
        .route("/research/records.parquet", get(records_parquet))
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

async fn outcomes(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ResearchQuery>,
) -> Result<Response, Problem> {
    Ok(outcome_csv(&state, &u.caller, q.threshold).await?)
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
