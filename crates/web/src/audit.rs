//! The audit trail for the data protection officer: who did what to which record, newest
//! first, optionally for one record. Reading it is itself audited.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use kinbridge_casework::audit_trail::AuditRow;
use serde::Deserialize;

use crate::auth::PageUser;
use crate::error::Problem;
use crate::page::{render, Frame};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(trail))
}

#[derive(Deserialize)]
struct TrailQuery {
    entity: Option<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    t: Frame,
    entity: String,
    rows: Vec<AuditRow>,
}

async fn trail(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<TrailQuery>,
) -> Result<Response, Problem> {
    let entity = q.entity.unwrap_or_default().trim().chars().take(64).collect::<String>();
    let filter = (!entity.is_empty()).then_some(entity.as_str());
    let rows = state.casework.audit_trail(&u.caller, filter, 200).await?;
    Ok(render(StatusCode::OK, &AuditPage { t: Frame::for_user(&u), entity, rows }))
}
