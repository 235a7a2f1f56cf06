//! One search box over cases, request messages and archives, with facets, date range and
//! highlighted snippets; every hit is one the reader may open.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use kinbridge_search::Results;

use super::query::{run, SearchParams, PER_PAGE};
use crate::auth::PageUser;
use crate::error::Problem;
use crate::page::{render, Frame};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(page))
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    t: Frame,
    p: SearchParams,
    results: Option<Results>,
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
}

impl SearchPage {
    /// Where a hit opens.
    fn href(&self, kind: &str, target: &str) -> String {
        match kind {
            "unit" => format!("/archives/{target}"),
            _ => format!("/cases/{target}"),
        }
    }
}

async fn page(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(p): Query<SearchParams>,
) -> Result<Response, Problem> {
    let searched = !(p.q.trim().is_empty() && p.selected("kind").is_empty());
    let results = if searched { Some(run(&state, &u, &p, PER_PAGE).await?) } else { None };
    let pages = results.as_ref().map(|r| (r.total as usize).div_ceil(PER_PAGE).clamp(1, 500)).unwrap_or(1);
    let page = p.page.unwrap_or(1).clamp(1, 500);
    let prev = (page > 1).then(|| p.page_link(page - 1));
    let next = (page < pages).then(|| p.page_link(page + 1));
    Ok(render(StatusCode::OK, &SearchPage { t: Frame::for_user(&u), p, results, page, pages, prev, next }))
}
