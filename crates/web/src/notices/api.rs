//! Notifications over the API.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::api::ApiResult;
use crate::auth::ApiUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/notifications", get(list)).route("/notifications/read", post(mark_read))
}

/// The caller's newest notifications, unread first, with the unread count.
async fn list(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Response> {
    let (items, unread) = state.casework.notices(&u.caller).await?;
    Ok(Json(serde_json::json!({"items": items, "unread": unread})).into_response())
}

/// Marks every notification of the caller read.
async fn mark_read(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Response> {
    let marked = state.casework.mark_notices_read(&u.caller).await?;
    Ok(Json(serde_json::json!({"marked": marked})).into_response())
}
