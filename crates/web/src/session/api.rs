//! API sessions: exchange an e-mail and password for a bearer token, and end it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use kinbridge_casework::accounts::LoginOutcome;
use kinbridge_domain::ErrorCode;
use serde::Deserialize;

use crate::api::{error_response, ApiJson, ApiResult};
use crate::auth::{ApiUser, Auth};
use crate::error::Problem;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/session", post(create).delete(delete))
        .route("/account/time-zone", axum::routing::put(set_time_zone))
}

#[derive(Deserialize, schemars::JsonSchema)]
pub(crate) struct Credentials {
    email: String,
    password: String,
}

/// A new session: its bearer token, the account, and the token forms send against CSRF.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub(crate) struct SignedIn {
    token: String,
    user: kinbridge_casework::accounts::User,
    csrf_token: String,
}

async fn create(State(state): State<AppState>, auth: Auth, ApiJson(c): ApiJson<Credentials>) -> Response {
    match state.casework.login(&c.email, &c.password, &auth.ip).await {
        Ok(LoginOutcome::LoggedIn { token, session }) => {
            (StatusCode::CREATED, Json(SignedIn { token, user: session.user, csrf_token: session.csrf_token }))
                .into_response()
        }
        Ok(LoginOutcome::BadCredentials) => {
            let mut r = error_response(&auth.tr, &Problem::BadBody(ErrorCode::BadCredentials));
            *r.status_mut() = StatusCode::UNAUTHORIZED;
            r
        }
        Ok(LoginOutcome::TooManyAttempts { retry_after }) => {
            error_response(&auth.tr, &Problem::TooManyAttempts((retry_after.as_millis() as u64).div_ceil(1000).max(1)))
        }
        Err(e) => error_response(&auth.tr, &Problem::Casework(e)),
    }
}

async fn delete(State(state): State<AppState>, ApiUser(u): ApiUser, auth: Auth) -> ApiResult<StatusCode> {
    if let Some(token) = &auth.token {
        state.casework.logout(&u.caller, token).await?;
        state.sessions.forget(token);
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ZoneBody {
    /// An IANA time zone name (`Europe/Zurich`), or `UTC`.
    time_zone: String,
}

/// The caller's time zone, in which pages show times.
async fn set_time_zone(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(b): ApiJson<ZoneBody>,
) -> ApiResult<StatusCode> {
    state.casework.set_time_zone(&u.caller, &b.time_zone).await?;
    state.sessions.forget_user(u.user.id.as_str());
    Ok(StatusCode::NO_CONTENT)
}
