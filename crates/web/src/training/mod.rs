//! The academy in pages: a learner's compulsory courses and where they stand, a course's
//! modules, a quiz attempt answered and graded, certificates as PDF; the public check of a
//! certificate code; a member's compliance for its supervisors and administrator.

mod pages;

use axum::Router;

use crate::AppState;

pub(crate) fn pages() -> Router<AppState> {
    pages::router()
}
