//! Errors as users and clients see them: one mapping from use-case and domain errors to a
//! status, a stable code and a translated message. A handler answers a [`Problem`] with `?`;
//! [`render_problems`], a layer around every route, renders it in the caller's language as
//! the API's JSON error or as an error page. A 5xx shows a fixed message; its cause goes to
//! the log only.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kinbridge_casework::Error;
use kinbridge_domain::{DomainError, ErrorCode, FieldError};
use serde::Serialize;

use crate::i18n::Tr;

/// What went wrong, independent of how it is shown (page or JSON).
#[derive(Debug)]
pub enum Problem {
    /// A use case's answer instead of its result.
    Casework(Error),
    Unauthenticated,
    /// The request body could not be read as the form or JSON it should be.
    BadBody(ErrorCode),
    /// A query-string parameter (named) that does not fit its type.
    BadQuery(String),
    /// A JSON body's field (named by its path) that is missing, unknown or of the wrong type.
    BadJsonField(String),
    /// An uploaded file over the document limit.
    TooLarge,
    /// A form or JSON body over [`crate::FORM_LIMIT`].
    BodyTooLarge,
    /// Sign-in throttled: the seconds to wait.
    TooManyAttempts(u64),
    BadCsrf,
    /// A part of the system (the search index) is not available in this process.
    Unavailable,
}

impl Problem {
    /// Input the form can be shown again with (every bad field named), rather than an error page.
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Self::Casework(Error::Domain(DomainError::Invalid(_))))
    }

    pub fn not_found() -> Self {
        DomainError::NotFound.into()
    }
}

impl From<Error> for Problem {
    fn from(e: Error) -> Self {
        Self::Casework(e)
    }
}

impl From<DomainError> for Problem {
    fn from(e: DomainError) -> Self {
        Self::Casework(Error::Domain(e))
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct FieldMessage {
    pub field: std::borrow::Cow<'static, str>,
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Rendered {
    #[serde(skip)]
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldMessage>,
}

pub fn field_messages(tr: &Tr, fields: &[FieldError]) -> Vec<FieldMessage> {
    fields
        .iter()
        .map(|f| FieldMessage {
            field: f.field.into(),
            code: f.code.as_str(),
            message: format!("{}: {}", tr.term("field", f.field), tr.get(&format!("error-{}", f.code))),
        })
        .collect()
}

impl Problem {
    /// The `Retry-After` a throttled answer carries, in seconds.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::TooManyAttempts(seconds) => Some(*seconds),
            _ => None,
        }
    }

    pub fn render(&self, tr: &Tr) -> Rendered {
        use ErrorCode as C;
        let (status, code, fields): (StatusCode, ErrorCode, &[FieldError]) = match self {
            Self::Casework(Error::Domain(d)) => match d {
                DomainError::Invalid(f) => (StatusCode::UNPROCESSABLE_ENTITY, d.code(), f.as_slice()),
                DomainError::InvalidTransition { .. } => (StatusCode::CONFLICT, d.code(), &[]),
                DomainError::Forbidden => (StatusCode::FORBIDDEN, d.code(), &[]),
                DomainError::NotFound => (StatusCode::NOT_FOUND, d.code(), &[]),
            },
            Self::Casework(Error::Conflict(c)) => (StatusCode::CONFLICT, *c, &[]),
            Self::Casework(Error::PossibleDuplicates(_)) => {
                const REASON: &[FieldError] =
                    &[FieldError { field: "duplicate_reason", code: ErrorCode::PossibleDuplicate }];
                (StatusCode::CONFLICT, C::PossibleDuplicate, REASON)
            }
            Self::Casework(Error::FiguresChanged(_)) => (StatusCode::CONFLICT, C::FiguresChanged, &[]),
            Self::Casework(Error::TrainingLapsed) => (StatusCode::FORBIDDEN, C::TrainingLapsed, &[]),
            Self::Casework(Error::Import { .. }) => (StatusCode::UNPROCESSABLE_ENTITY, C::ImportInvalid, &[]),
            Self::Casework(Error::BelowFloor { .. }) => (StatusCode::UNPROCESSABLE_ENTITY, C::InvalidInput, &[]),
            Self::Casework(e) => {
                tracing::error!(error = %e, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, C::Internal, &[])
            }
            Self::Unauthenticated => (StatusCode::UNAUTHORIZED, C::Unauthenticated, &[]),
            Self::BadBody(c) => (StatusCode::BAD_REQUEST, *c, &[]),
            Self::BadQuery(_) => (StatusCode::BAD_REQUEST, C::InvalidQuery, &[]),
            Self::BadJsonField(_) => (StatusCode::BAD_REQUEST, C::InvalidJsonFields, &[]),
            Self::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, C::TooLarge, &[]),
            Self::BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, C::BodyTooLarge, &[]),
            Self::TooManyAttempts(_) => (StatusCode::TOO_MANY_REQUESTS, C::TooManyAttempts, &[]),
            Self::BadCsrf => (StatusCode::FORBIDDEN, C::BadCsrf, &[]),
            Self::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, C::Unavailable, &[]),
        };
        let mut fields = field_messages(tr, fields);
        if let Self::Casework(Error::BelowFloor { field, floor }) = self {
            fields.push(FieldMessage {
                field: (*field).into(),
                code: C::BelowFloor.as_str(),
                message: format!(
                    "{}: {}",
                    tr.term("field", field),
                    tr.arg("error-below_floor", "floor", &floor.to_string())
                ),
            });
        }
        if let Self::Casework(Error::Import { line, problem, .. }) = self {
            fields.push(FieldMessage {
                field: "file".into(),
                code: C::ImportInvalid.as_str(),
                message: tr.args(
                    "import-line",
                    &[("line", &line.to_string()), ("problem", &tr.get(&format!("import-problem-{problem}")))],
                ),
            });
        }
        if let Self::BadQuery(parameter) = self {
            fields.push(FieldMessage {
                field: parameter.clone().into(),
                code: C::InvalidValue.as_str(),
                message: tr.arg("error-invalid_parameter", "name", parameter),
            });
        }
        if let Self::BadJsonField(field) = self {
            fields.push(FieldMessage {
                field: field.clone().into(),
                code: C::InvalidValue.as_str(),
                message: tr.arg("error-invalid_json_field", "name", field),
            });
        }
        let message = match self {
            Self::TooManyAttempts(seconds) => tr.count("error-too_many_attempts", *seconds as i64),
            _ => tr.get(&format!("error-{code}")),
        };
        Rendered { status, code: code.as_str(), message, fields }
    }
}

/// A problem on its way out of a handler, rendered by [`render_problems`].
#[derive(Clone)]
struct Unrendered(Arc<Problem>);

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        response.extensions_mut().insert(Unrendered(Arc::new(self)));
        response
    }
}

/// Renders the problem a handler answered with, for the request it answers: the API's JSON
/// error under `/api/`, an error page elsewhere, in the caller's language.
pub async fn render_problems(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let tr = req.extensions().get::<crate::auth::Auth>().map(|a| a.tr.clone());
    let mut response = next.run(req).await;
    let Some(Unrendered(problem)) = response.extensions_mut().remove::<Unrendered>() else {
        return response;
    };
    let Some(tr) = tr else { return StatusCode::INTERNAL_SERVER_ERROR.into_response() };
    if api {
        crate::api::error_response(&tr, &problem)
    } else {
        crate::page::error_page(&tr, &problem)
    }
}
