//! What the edge refuses before any handler runs: text that no database can store. A NUL
//! character, or bytes that are not UTF-8, in the path, the query string, a form or a JSON
//! body answers 400 in the caller's language. Such text would otherwise reach a statement,
//! and PostgreSQL refuses it there: one such value in a read-audit group failed the reads of
//! every other user in the group.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kinbridge_domain::ErrorCode;

use crate::auth::Auth;
use crate::error::Problem;

/// Runs after the session middleware (it answers in the caller's language).
pub async fn refuse_unstorable(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let bad_uri = !decodes_storable(uri.path()) || uri.query().is_some_and(|q| !decodes_storable(q));
    if bad_uri {
        return refused(&req, Problem::BadBody(ErrorCode::UnstorableText));
    }
    let body_kind = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(|v| {
        let essence = v.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        (essence == "application/x-www-form-urlencoded", essence == "application/json" || essence.ends_with("+json"))
    });
    let (form, json) = body_kind.unwrap_or((false, false));
    if !form && !json {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, crate::FORM_LIMIT).await {
        Ok(b) => b,
        Err(_) => return refused_parts(&parts, Problem::BodyTooLarge),
    };
    let storable = if form { decodes_storable_bytes(&bytes) } else { json_storable(&bytes) };
    if !storable {
        return refused_parts(&parts, Problem::BadBody(ErrorCode::UnstorableText));
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn refused(req: &Request, problem: Problem) -> Response {
    answer(req.uri().path(), req.extensions().get::<Auth>(), problem)
}

fn refused_parts(parts: &axum::http::request::Parts, problem: Problem) -> Response {
    answer(parts.uri.path(), parts.extensions.get::<Auth>(), problem)
}

fn answer(path: &str, auth: Option<&Auth>, problem: Problem) -> Response {
    let Some(auth) = auth else {
        return axum::http::StatusCode::BAD_REQUEST.into_response();
    };
    if path.starts_with("/api/") {
        crate::api::error_response(&auth.tr, &problem)
    } else {
        crate::page::error_page(&auth.tr, &problem)
    }
}

/// Whether percent-encoded text decodes to UTF-8 without NUL.
fn decodes_storable(encoded: &str) -> bool {
    !encoded.contains('%') && !encoded.contains('\0') || decodes_storable_bytes(encoded.as_bytes())
}

fn decodes_storable_bytes(encoded: &[u8]) -> bool {
    let decoded: Vec<u8> = percent_encoding::percent_decode(encoded).collect();
    !decoded.contains(&0) && std::str::from_utf8(&decoded).is_ok()
}

/// Whether a JSON body is free of NUL, raw or escaped as `\u0000` inside a string (an
/// escaped backslash before `u0000` is text, not an escape). Anything else that is not JSON
/// is left for the body's own parser to refuse.
fn json_storable(body: &[u8]) -> bool {
    if body.contains(&0) {
        return false;
    }
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'\\' {
            if body.get(i + 1) == Some(&b'u') && body.get(i + 2..i + 6).is_some_and(|h| h == b"0000") {
                return false;
            }
            // Whatever is escaped, the escape's next byte is not the start of another.
            i += 2;
        } else {
            i += 1;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_refused_however_it_is_written() {
        assert!(decodes_storable("/api/v1/cases/0193"));
        assert!(!decodes_storable("/api/v1/cases/a%00b"));
        assert!(!decodes_storable("q=a%00"));
        assert!(!decodes_storable("q=%C3"), "a lone UTF-8 lead byte");
        assert!(decodes_storable("q=caf%C3%A9+cr%C3%A8me"));
        assert!(!decodes_storable_bytes(b"email=a%00%40b&password=x"));
        assert!(json_storable(br#"{"title": "caf\u00e9"}"#));
        assert!(!json_storable(br#"{"title": "a\u0000b"}"#));
        assert!(json_storable(br#"{"title": "a\\u0000b"}"#), "an escaped backslash and the text u0000");
        assert!(!json_storable(br#"{"title": "a\\\u0000b"}"#));
        assert!(!json_storable(b"{\"title\": \"a\0b\"}"));
    }
}
