//! The network directory, and request flows between countries for the General Secretariat.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use kinbridge_casework::requests::Flow;
use kinbridge_domain::member::Member;

use crate::auth::PageUser;
use crate::error::Problem;
use crate::page::{render, Frame};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/members", get(members)).route("/flows", get(flows))
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    t: Frame,
    members: std::sync::Arc<Vec<Member>>,
}

async fn members(State(state): State<AppState>, PageUser(u): PageUser) -> Result<Response, Problem> {
    let members = state.casework.members().await?;
    Ok(render(StatusCode::OK, &MembersPage { t: Frame::for_user(&u), members }))
}

#[derive(Template)]
#[template(path = "flows.html")]
struct FlowsPage {
    t: Frame,
    flows: Vec<Flow>,
    total: i64,
    overdue: i64,
}

async fn flows(State(state): State<AppState>, PageUser(u): PageUser) -> Result<Response, Problem> {
    let flows = state.casework.network_flows(&u.caller).await?;
    let total = flows.iter().map(|f| f.count).sum();
    let overdue = flows.iter().map(|f| f.overdue).sum();
    Ok(render(StatusCode::OK, &FlowsPage { t: Frame::for_user(&u), flows, total, overdue }))
}
