//! The de-identified research corpus: its search and its disclosure-controlled downloads. The
//! feature owns its input types, its pages and its API handlers.

pub(crate) mod api;
pub(crate) mod exports;
mod pages;

use axum::Router;

use crate::AppState;

pub(crate) fn pages() -> Router<AppState> {
    pages::router()
}

pub(crate) fn api() -> Router<AppState> {
    api::router()
}
