//! The research corpus through the API (researchers and the data protection officer only).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::exports::{outcome_csv, records, ResearchQuery};
use crate::api::{ApiQuery, ApiResult};
use crate::auth::ApiUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/research/cases", get(search))
        .route("/research/archive-items", get(search_archive))
        .route("/research/tables/outcomes.csv", get(outcomes))
        .route("/research/records.csv", get(records_csv))
        .route("/research/records.parquet", get(records_parquet))
}

async fn search(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<ResearchQuery>,
) -> ApiResult<Response> {
    let (total, found) =
        state.casework.research_search(&u.caller, &q.q, q.service(), q.names == "fake", q.limit.unwrap_or(50)).await?;
    Ok(Json(crate::api::Found { total, items: found }).into_response())
}

async fn search_archive(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<ResearchQuery>,
) -> ApiResult<Response> {
    let (total, found) =
        state.casework.research_archive_search(&u.caller, &q.q, q.names == "fake", q.limit.unwrap_or(50)).await?;
    Ok(Json(crate::api::Found { total, items: found }).into_response())
}

async fn outcomes(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<ResearchQuery>,
) -> ApiResult<Response> {
    Ok(outcome_csv(&state, &u.caller, q.threshold).await?)
}

async fn records_csv(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<ResearchQuery>,
) -> ApiResult<Response> {
    Ok(records(&state, &u.caller, q.k, false).await?)
}

async fn records_parquet(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<ResearchQuery>,
) -> ApiResult<Response> {
    Ok(records(&state, &u.caller, q.k, true).await?)
}
