//! Cases: the list, opening one, the case page (kept rendered between changes), its people,
//! consents, notes, documents, matches, tracing requests and actions. The feature owns its
//! input types, its pages and its API handlers.

pub(crate) mod api;
mod export;
pub(crate) mod input;
mod pages;
mod summary;

pub(crate) use pages::CaseBodies;

use axum::Router;

use crate::AppState;

pub(crate) fn pages() -> Router<AppState> {
    pages::router()
}

pub(crate) fn api() -> Router<AppState> {
    api::router()
}
