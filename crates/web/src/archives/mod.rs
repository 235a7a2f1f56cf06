//! The archives and searches of origins: units, uploads and their import, legal holds, findings
//! and their disclosure. The feature owns its input types, its pages and its API handlers.

pub(crate) mod api;
pub(crate) mod input;
mod pages;

use axum::Router;

use crate::AppState;

pub(crate) fn pages() -> Router<AppState> {
    pages::router()
}

pub(crate) fn api() -> Router<AppState> {
    api::router()
}
