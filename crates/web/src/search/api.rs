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

async fn search_api(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Response> {
    let limit = p.limit.unwrap_or(PER_PAGE).clamp(1, 100);
    let r = run(&state, &u, &p, limit).await?;
    let facets: serde_json::Map<String, serde_json::Value> = r
        .facets
        .iter()
        .map(|(dim, values)| {
            (
                dim.clone(),
                serde_json::Value::Array(
                    values.iter().map(|(v, n)| serde_json::json!({ "value": v, "count": n })).collect(),
                ),
            )
        })
        .collect();
    let hits: Vec<serde_json::Value> = r
        .hits
        .iter()
        .map(|h| {
            serde_json::json!({
                "kind": h.kind, "id": h.id, "target": h.target, "title": h.title, "reference": h.reference,
                "score": h.score, "snippet": h.snippet, "highlights": h.highlights, "member": h.member,
                "year": h.year, "language": h.language,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "total": r.total, "hits": hits, "facets": facets })).into_response())
}
