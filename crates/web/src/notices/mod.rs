//! Notifications: each user's list of what happened on their work (requests received,
//! answers, shared matches, cases handed to them), read and marked read. The feature owns its
//! pages and its API handlers.

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
