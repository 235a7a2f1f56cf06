//! Requests through the API: the inbox and outbox, a request, its lifecycle steps,
//! assignment, messages and reply documents.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kinbridge_casework::documents::Attach;
use kinbridge_casework::requests::RequestBox;
use kinbridge_domain::request::Transition;
use kinbridge_domain::DomainError;
use kinbridge_domain::ErrorCode;
use serde::Deserialize;

use crate::api::{ApiJson, ApiMultipart, ApiQuery, ApiResult, AssigneeBody, BodyText};
use crate::auth::ApiUser;
use crate::files::read_upload_api;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/requests", get(list))
        .route("/requests/{id}", get(show))
        .route("/requests/{id}/transitions", post(transition))
        .route("/requests/{id}/assignee", post(assign))
        .route("/requests/{id}/messages", post(message))
        .route("/requests/{id}/documents", post(upload).layer(crate::upload_limit()))
}

#[derive(Deserialize, schemars::JsonSchema)]
pub(crate) struct ListQuery {
    #[serde(rename = "box")]
    which: Option<String>,
    open: Option<bool>,
    page: Option<u32>,
    per_page: Option<u32>,
}

async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Response> {
    let which = match q.which.as_deref() {
        None => RequestBox::Inbox,
        Some(b) => RequestBox::parse(b).ok_or(DomainError::field("box", ErrorCode::InvalidChoice))?,
    };
    let page = state
        .casework
        .list_requests(&u.caller, which, q.open.unwrap_or(false), q.page.unwrap_or(1), q.per_page.unwrap_or(25))
        .await?;
    Ok(Json(page).into_response())
}

async fn show(State(state): State<AppState>, ApiUser(u): ApiUser, Path(id): Path<String>) -> ApiResult<Response> {
    let detail = state.casework.request_detail(&u.caller, &id).await?;
    Ok(Json(detail).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TransitionBody {
    action: String,
    /// The reason of a decline or withdrawal, the report of an answer, or a message.
    text: Option<String>,
}

async fn transition(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TransitionBody>,
) -> ApiResult<Response> {
    let t = Transition::parse(&b.action, b.text.as_deref())?;
    let request = state.casework.transition_request(&u.caller, &id, &t).await?;
    Ok(Json(request).into_response())
}

async fn assign(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AssigneeBody>,
) -> ApiResult<Response> {
    let request = state.casework.assign_request(&u.caller, &id, &b.user_id).await?;
    Ok(Json(request).into_response())
}

async fn message(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<BodyText>,
) -> ApiResult<StatusCode> {
    state.casework.add_request_message(&u.caller, &id, &b.body).await?;
    Ok(StatusCode::CREATED)
}

async fn upload(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiMultipart(multipart): ApiMultipart,
) -> ApiResult<Response> {
    let (name, bytes) = read_upload_api(multipart).await?;
    let doc = state.casework.upload_document(&u.caller, Attach::Request(&id), &name, bytes).await?;
    Ok((StatusCode::CREATED, Json(doc)).into_response())
}
