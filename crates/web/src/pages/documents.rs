//! Document downloads, and reading an uploaded file from a multipart form.

use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;

use crate::auth::PageUser;
use crate::error::Problem;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/documents/{id}", get(download))
}

/// The response for a document: always an attachment, so that a browser never renders an
/// uploaded file as a page of ours.
pub fn attachment(filename: &str, content_type: &str, bytes: Bytes) -> Response {
    let ascii: String =
        filename.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", super::url_encode(filename)),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

async fn download(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let (doc, bytes) = state.casework.download_document(&u.caller, &id).await?;
    Ok(attachment(&doc.filename, &doc.content_type, bytes))
}

/// Reads the `file` field of an upload form; with `csrf`, the `_csrf` field must match it.
pub async fn read_upload(mut multipart: Multipart, csrf: Option<&str>) -> Result<(String, Bytes), Problem> {
    let mut token = None;
    let mut file = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => return Err(Problem::TooLarge),
            Err(_) => return Err(Problem::BadBody("invalid_upload")),
        };
        match field.name() {
            Some("_csrf") => token = Some(field.text().await.map_err(|_| Problem::BadBody("invalid_upload"))?),
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                        Problem::TooLarge
                    } else {
                        Problem::BadBody("invalid_upload")
                    }
                })?;
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    if let Some(expected) = csrf {
        if token.as_deref() != Some(expected) {
            return Err(Problem::BadCsrf);
        }
    }
    file.ok_or(Problem::Casework(kinbridge_domain::DomainError::field("file", "required").into()))
}
