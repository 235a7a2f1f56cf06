//! Administration: a member's accounts (invite, deactivate, reset a password, change a role)
//! and the network's members; and the public page where a one-time link sets a password. The
//! feature owns its pages and its API handlers.

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
