//! The inbox and outbox of requests, and the request page where each side does its part.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use kinbridge_casework::accounts::User;
use kinbridge_casework::cases::Page;
use kinbridge_casework::documents::Attach;
use kinbridge_casework::requests::{RequestBox, RequestDetail};
use kinbridge_domain::access::Party;
use kinbridge_domain::request::{Request, Transition};
use kinbridge_domain::DomainError;
use serde::Deserialize;

use crate::auth::{CsrfForm, PageUser, Signed};
use crate::error::Problem;
use crate::files::read_upload;
use crate::page::{render, see_other, url_encode, Frame};
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

#[derive(Deserialize)]
struct ListQuery {
    #[serde(rename = "box")]
    which: Option<String>,
    all: Option<String>,
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "requests.html")]
struct RequestList {
    t: Frame,
    inbox: bool,
    all: bool,
    page: Page<Request>,
    rows: Vec<Request>,
}

async fn list(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, Problem> {
    let which = q.which.as_deref().and_then(RequestBox::parse).unwrap_or(RequestBox::Inbox);
    let all = q.all.is_some();
    let page = state.casework.list_requests(&u.caller, which, !all, q.page.unwrap_or(1), 25).await?;
    let rows = page.items.clone();
    Ok(render(
        StatusCode::OK,
        &RequestList { t: Frame::for_user(&u), inbox: which == RequestBox::Inbox, all, page, rows },
    ))
}

#[derive(Template)]
#[template(path = "request.html")]
struct RequestPage {
    t: Frame,
    d: RequestDetail,
    receiver: bool,
    sender: bool,
    colleagues: std::sync::Arc<Vec<User>>,
}

async fn request_page(state: &AppState, u: &Signed, id: &str, problem: Option<Problem>) -> Result<Response, Problem> {
    let d = state.casework.request_detail(&u.caller, id).await?;
    let receiver = d.party == Party::Receiver;
    let colleagues =
        if receiver { state.casework.colleagues(&u.caller.actor.member_id).await? } else { Default::default() };
    let (t, status) = Frame::answering(u, problem.as_ref());
    let sender = d.party == Party::Sender;
    Ok(render(status, &RequestPage { t, d, receiver, sender, colleagues }))
}

async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    request_page(&state, &u, &id, None).await
}

async fn after<T>(state: &AppState, u: &Signed, id: &str, r: Result<T, Problem>) -> Result<Response, Problem> {
    match r {
        Ok(_) => Ok(see_other(&format!("/requests/{}", url_encode(id)))),
        Err(p @ Problem::Casework(kinbridge_casework::Error::Domain(DomainError::NotFound))) => Err(p),
        Err(p) => request_page(state, u, id, Some(p)).await,
    }
}

#[derive(Deserialize)]
struct TransitionForm {
    #[serde(default)]
    action: String,
    text: Option<String>,
}

async fn transition(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<TransitionForm>,
) -> Result<Response, Problem> {
    let r = match Transition::parse(&f.action, f.text.as_deref()) {
        Ok(t) => state.casework.transition_request(&u.caller, &id, &t).await.map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    after(&state, &u, &id, r).await
}

async fn assign(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<crate::page::AssignForm>,
) -> Result<Response, Problem> {
    let r = state.casework.assign_request(&u.caller, &id, &f.assignee).await.map_err(Problem::from);
    after(&state, &u, &id, r).await
}

#[derive(Deserialize)]
struct MessageForm {
    #[serde(default)]
    body: String,
}

async fn message(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<MessageForm>,
) -> Result<Response, Problem> {
    let r = state.casework.add_request_message(&u.caller, &id, &f.body).await.map_err(Problem::from);
    after(&state, &u, &id, r).await
}

async fn upload(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, Problem> {
    let r = match read_upload(multipart, Some(&u.csrf)).await {
        Ok((name, bytes)) => {
            state.casework.upload_document(&u.caller, Attach::Request(&id), &name, bytes).await.map_err(Problem::from)
        }
        Err(p) => Err(p),
    };
    after(&state, &u, &id, r).await
}
