//! Requests between members: the inbox and outbox, answering, assigning, attaching documents.
//! The feature owns its input types, its pages and its API handlers.

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
