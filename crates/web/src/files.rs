//! Files in and out over HTTP: a document answered as an attachment, and the file of an
//! upload form or API upload read from its multipart body.

use axum::extract::Multipart;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use kinbridge_domain::ErrorCode;

use crate::error::Problem;

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
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", crate::page::url_encode(filename)),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
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
            Err(_) => return Err(Problem::BadBody(ErrorCode::InvalidUpload)),
        };
        match field.name() {
            Some("_csrf") => token = Some(field.text().await.map_err(|_| Problem::BadBody(ErrorCode::InvalidUpload))?),
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                        Problem::TooLarge
                    } else {
                        Problem::BadBody(ErrorCode::InvalidUpload)
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
    file.ok_or(Problem::Casework(kinbridge_domain::DomainError::field("file", ErrorCode::Required).into()))
}

/// Reads an API upload; API clients authenticate by token, so no CSRF field.
pub(crate) async fn read_upload_api(m: Multipart) -> Result<(String, Bytes), Problem> {
    read_upload(m, None).await
}
