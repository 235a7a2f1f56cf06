//! The network directory and the request flows through the API.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::api::ApiResult;
use crate::auth::ApiUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/members", get(members)).route("/flows", get(flows))
}

async fn members(State(state): State<AppState>, ApiUser(_signed_in): ApiUser) -> ApiResult<Response> {
    let members = state.casework.members().await?;
    Ok(Json(&*members).into_response())
}

async fn flows(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Response> {
    let flows = state.casework.network_flows(&u.caller).await?;
    Ok(Json(flows).into_response())
}
