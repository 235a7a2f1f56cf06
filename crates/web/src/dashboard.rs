//! The dashboard: what needs the user today — their cases, the inbox, overdue requests,
//! possible matches partners shared and wait for an answer on.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use kinbridge_casework::cases::CaseSummary;
use kinbridge_casework::matching::SharedWithUs;
use kinbridge_casework::requests::RequestBox;
use kinbridge_domain::case::CaseFilter;
use kinbridge_domain::request::Request;

use crate::auth::PageUser;
use crate::error::Problem;
use crate::page::{render, Frame};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(dashboard))
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    t: Frame,
    my_open: i64,
    closures_pending: i64,
    inbox_overdue: i64,
    outbox_overdue: i64,
    inbox_open: i64,
    my_cases: Vec<CaseSummary>,
    inbox: Vec<Request>,
    shared_matches: Vec<SharedWithUs>,
}

async fn dashboard(State(state): State<AppState>, PageUser(u): PageUser) -> Result<Response, Problem> {
    let store = &state.casework;
    let mut page = Dashboard {
        t: Frame::for_user(&u),
        my_open: 0,
        closures_pending: 0,
        inbox_overdue: 0,
        outbox_overdue: 0,
        inbox_open: 0,
        my_cases: Vec::new(),
        inbox: Vec::new(),
        shared_matches: Vec::new(),
    };
    if u.caller.actor.has_casework() {
        let (mine, pending) = store.case_counts(&u.caller).await?;
        let (inbox_overdue, outbox_overdue) = store.overdue_counts(&u.caller).await?;
        let filter = CaseFilter::parse(Some("open"), None, None, Some(u.user.id.as_str()), None, None, Some(10));
        let my_cases = store.list_cases(&u.caller, &filter).await?;
        let inbox = store.list_requests(&u.caller, RequestBox::Inbox, true, 1, 10).await?;
        page.my_open = mine;
        page.closures_pending = pending;
        page.inbox_overdue = inbox_overdue;
        page.outbox_overdue = outbox_overdue;
        page.inbox_open = inbox.total;
        page.my_cases = my_cases.items;
        page.inbox = inbox.items;
        page.shared_matches = store.matches_shared_with_us(&u.caller).await?;
    }
    Ok(render(StatusCode::OK, &page))
}
