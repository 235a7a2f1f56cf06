//! Documents of cases and requests: one download, for the pages and the API, always as an
//! attachment. Uploads belong to the case or request they are attached to.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::api::ApiResult;
use crate::auth::{ApiUser, PageUser};
use crate::error::Problem;
use crate::files::attachment;
use crate::AppState;

pub(crate) fn pages() -> Router<AppState> {
    Router::new().route("/documents/{id}", get(download))
}

pub(crate) fn api() -> Router<AppState> {
    Router::new().route("/documents/{id}", get(download_api))
}

async fn download(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let (doc, bytes) = state.casework.download_document(&u.caller, &id).await?;
    Ok(attachment(&doc.filename, &doc.content_type, bytes))
}

async fn download_api(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (doc, bytes) = state.casework.download_document(&u.caller, &id).await?;
    Ok(attachment(&doc.filename, &doc.content_type, bytes))
}
