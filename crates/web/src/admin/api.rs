//! Administration over the API: the same rules as the pages.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kinbridge_domain::member::NewMember;
use serde::Deserialize;

use crate::api::{ApiJson, ApiResult};
use crate::auth::ApiUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users).post(invite))
        .route("/admin/users/{id}/active", post(set_active))
        .route("/admin/users/{id}/reset", post(reset))
        .route("/admin/users/{id}/role", post(change_role))
        .route("/admin/members", post(add_member))
        .route("/account/password", post(set_password))
}

#[derive(Deserialize, schemars::JsonSchema)]
pub(crate) struct MemberQuery {
    member: Option<String>,
}

async fn member_id(state: &AppState, code: Option<&str>, own: &str) -> ApiResult<kinbridge_domain::ids::MemberId> {
    let code = code.filter(|c| !c.is_empty()).unwrap_or(own);
    let m = state.casework.member_by_code(code).await?.ok_or(kinbridge_domain::DomainError::NotFound)?;
    Ok(m.id)
}

/// The accounts of a member the caller administers (their own by default).
async fn users(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<MemberQuery>,
) -> ApiResult<Response> {
    let member = member_id(&state, q.member.as_deref(), &u.user.member_code).await?;
    Ok(Json(state.casework.member_accounts(&u.caller, &member).await?).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InviteBody {
    #[serde(default)]
    member: Option<String>,
    email: String,
    #[serde(default)]
    display_name: String,
    role: String,
}

/// Invites a person: the account, and the one-time link's token (shown once).
async fn invite(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(b): ApiJson<InviteBody>,
) -> ApiResult<Response> {
    let member = member_id(&state, b.member.as_deref(), &u.user.member_code).await?;
    let inv = state.casework.invite_user(&u.caller, &member, &b.role, &b.email, &b.display_name).await?;
    Ok((StatusCode::CREATED, Json(inv)).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActiveBody {
    active: bool,
}

async fn set_active(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ActiveBody>,
) -> ApiResult<Response> {
    let account = state.casework.set_user_active(&u.caller, &id, b.active).await?;
    state.sessions.forget_user(&id);
    Ok(Json(account).into_response())
}

async fn reset(State(state): State<AppState>, ApiUser(u): ApiUser, Path(id): Path<String>) -> ApiResult<Response> {
    let inv = state.casework.reset_password(&u.caller, &id).await?;
    state.sessions.forget_user(&id);
    Ok(Json(inv).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleBody {
    role: String,
}

async fn change_role(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RoleBody>,
) -> ApiResult<Response> {
    let account = state.casework.change_role(&u.caller, &id, &b.role).await?;
    state.sessions.forget_user(&id);
    Ok(Json(account).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MemberBody {
    code: String,
    name: String,
    country: String,
}

async fn add_member(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(b): ApiJson<MemberBody>,
) -> ApiResult<Response> {
    let new = NewMember::parse(&b.code, &b.name, &b.country)?;
    let member = state.casework.add_member(&u.caller, &new).await?;
    Ok((StatusCode::CREATED, Json(member)).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordBody {
    token: String,
    password: String,
}

/// Sets a password with a one-time link's token (no session needed: the token is the secret).
async fn set_password(
    State(state): State<AppState>,
    auth: crate::auth::Auth,
    ApiJson(b): ApiJson<PasswordBody>,
) -> ApiResult<StatusCode> {
    state.casework.set_password_with_link(&b.token, &b.password, Some(&auth.ip)).await?;
    Ok(StatusCode::NO_CONTENT)
}
