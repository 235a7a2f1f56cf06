//! Handovers through the API: propose one for a case, list the member's, read one, decide.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kinbridge_domain::transfer::{NewTransfer, TransferDecision};
use serde::Deserialize;

use crate::api::{ApiJson, ApiResult};
use crate::auth::ApiUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/transfers", post(propose))
        .route("/transfers", get(list))
        .route("/transfers/{id}", get(show))
        .route("/transfers/{id}/decision", post(decide))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProposeBody {
    to_member: String,
    reason: String,
    /// Ids of the case's documents that go with it.
    #[serde(default)]
    documents: Vec<String>,
}

async fn propose(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ProposeBody>,
) -> ApiResult<Response> {
    let new = NewTransfer::parse(&b.to_member, &b.reason, &b.documents)?;
    let t = state.casework.propose_transfer(&u.caller, &id, &new).await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

async fn list(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Response> {
    let items = state.casework.transfers(&u.caller).await?;
    Ok(Json(crate::api::Items { items }).into_response())
}

async fn show(State(state): State<AppState>, ApiUser(u): ApiUser, Path(id): Path<String>) -> ApiResult<Response> {
    Ok(Json(state.casework.transfer(&u.caller, &id).await?).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecisionBody {
    /// `accept`, `decline` or `withdraw`.
    action: String,
    /// Why, for a decline or a withdrawal.
    reason: Option<String>,
}

async fn decide(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DecisionBody>,
) -> ApiResult<Response> {
    let d = TransferDecision::parse(&b.action, b.reason.as_deref())?;
    Ok(Json(state.casework.decide_transfer(&u.caller, &id, &d).await?).into_response())
}
