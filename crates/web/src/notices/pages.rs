//! The notification list, with links to the request or case each is about.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use kinbridge_domain::case::Fact;
use kinbridge_domain::notice::Notice;

use crate::auth::{CsrfForm, PageUser};
use crate::error::Problem;
use crate::page::{render, see_other, Frame};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/notifications", get(list)).route("/notifications/read", post(mark_read))
}

#[derive(Template)]
#[template(path = "notices.html")]
struct NoticesPage {
    t: Frame,
    notices: Vec<Notice>,
    unread: i64,
}

async fn list(State(state): State<AppState>, PageUser(u): PageUser) -> Result<Response, Problem> {
    let (notices, unread) = state.casework.notices(&u.caller).await?;
    Ok(render(StatusCode::OK, &NoticesPage { t: Frame::for_user(&u), notices, unread }))
}

#[derive(serde::Deserialize)]
struct Empty {}

async fn mark_read(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, Problem> {
    state.casework.mark_notices_read(&u.caller).await?;
    Ok(see_other("/notifications"))
}
