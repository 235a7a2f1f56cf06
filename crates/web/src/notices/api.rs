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

/// The caller's notifications and how many are unread.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub(crate) struct Notices {
    items: Vec<kinbridge_domain::notice::Notice>,
    unread: i64,
}

/// How many notifications were marked read.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub(crate) struct Marked {
    marked: u64,
}

/// The caller's newest notifications, unread first, with the unread count.
async fn list(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Response> {
    let (items, unread) = state.casework.notices(&u.caller).await?;
    Ok(Json(Notices { items, unread }).into_response())
}

/// Marks every notification of the caller read.
async fn mark_read(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Response> {
    let marked = state.casework.mark_notices_read(&u.caller).await?;
    Ok(Json(Marked { marked }).into_response())
}
