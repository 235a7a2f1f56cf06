//! Handing a case over to another member: the proposal on the case page, the list of a
//! member's handovers, and the page where the receiver accepts or declines.

pub(crate) mod api;
mod pages;

use axum::Router;

use crate::AppState;

pub(crate) fn pages() -> Router<AppState> {
    pages::router()
}

pub(crate) fn api() -> Router<AppState> {
    api::router()
}
