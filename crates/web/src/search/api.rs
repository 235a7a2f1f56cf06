//! Search through the API: the same query, rights and audit as the page.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::query::{run, SearchParams, PER_PAGE};
use crate::api::{ApiQuery, ApiResult};
use crate::auth::ApiUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(search_api))
}

/// Hits with their highlighted snippets, and the count of each facet value, within the
/// caller's rights.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub(crate) struct SearchAnswer {
    total: u64,
    hits: Vec<kinbridge_search::Hit>,
    facets: std::collections::BTreeMap<String, Vec<FacetCount>>,
}

#[derive(serde::Serialize, schemars::JsonSchema)]
pub(crate) struct FacetCount {
    value: String,
    count: u64,
}

async fn search_api(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Response> {
    let limit = p.limit.unwrap_or(PER_PAGE).clamp(1, 100);
    let r = run(&state, &u, &p, limit).await?;
    let facets = r
        .facets
        .iter()
        .map(|(dim, values)| {
            (
                dim.clone(),
                values.iter().map(|(value, count)| FacetCount { value: value.clone(), count: *count }).collect(),
            )
        })
        .collect();
    Ok(Json(SearchAnswer { total: r.total, hits: r.hits, facets }).into_response())
}
