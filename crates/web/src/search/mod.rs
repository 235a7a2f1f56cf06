//! One search over cases, request messages and archives. The feature owns its input types, its
//! pages and its API handlers.

pub(crate) mod api;
mod pages;
pub(crate) mod query;

use axum::Router;

use crate::AppState;

pub(crate) fn pages() -> Router<AppState> {
    pages::router()
}

pub(crate) fn api() -> Router<AppState> {
    api::router()
}
