//! What the JSON API under `/api/v1` shares: its extractors, whose rejections become the API's
//! error, and the JSON bodies several features take. Errors are
//! `{"error": {"code", "message", "fields"?}}` with a stable code and a message in the
//! caller's language.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use kinbridge_domain::ErrorCode;
use serde::de::DeserializeOwned;

use crate::auth::Auth;
use crate::error::Problem;
use crate::i18n::Tr;

/// The API's JSON error for a problem, in the caller's language.
pub fn error_response(tr: &Tr, p: &Problem) -> Response {
    let r = p.render(tr);
    let status = r.status;
    let possible_duplicates = match p {
        // The records the new case's child may be, so the client can show them and ask why.
        Problem::Casework(kinbridge_casework::Error::PossibleDuplicates(found)) => Some(found.clone()),
        _ => None,
    };
    let mut response = (status, Json(ErrorBody { error: r, possible_duplicates })).into_response();
    if let Some(seconds) = p.retry_after() {
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
    }
    response
}

/// The answer for something created that is known by its id alone.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Created {
    pub id: String,
}

/// A list answer: `{"items": [...]}`.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
}

/// A search answer: how many match in all, and the first of them.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Found<T> {
    pub total: i64,
    pub items: Vec<T>,
}

/// The API's error body. `possible_duplicates` comes with `possible_duplicate` only.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct ErrorBody {
    pub error: crate::error::Rendered,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub possible_duplicates: Option<Vec<kinbridge_casework::matching::KnownPerson>>,
}

/// What an API handler answers: its result, or a problem rendered by `error::render_problems`.
pub type ApiResult<T> = Result<T, Problem>;

/// A JSON body whose rejections (syntax, wrong types, missing fields, size) become
/// translated 4xx answers.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;
    async fn from_request(req: Request, s: &S) -> Result<Self, Self::Rejection> {
        let tr = req.extensions().get::<Auth>().map(|a| a.tr.clone());
        let refuse = |problem: Problem| match &tr {
            Some(tr) => error_response(tr, &problem),
            None => StatusCode::BAD_REQUEST.into_response(),
        };
        if !json_content_type(req.headers()) {
            return Err(refuse(Problem::BadBody(ErrorCode::JsonContentType)));
        }
        let body = match Bytes::from_request(req, s).await {
            Ok(b) => b,
            Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(refuse(Problem::BodyTooLarge)),
            Err(_) => return Err(refuse(Problem::BadBody(ErrorCode::InvalidJson))),
        };
        let mut de = serde_json::Deserializer::from_slice(&body);
        match serde_path_to_error::deserialize(&mut de) {
            Ok(v) if de.end().is_ok() => Ok(Self(v)),
            Err(e) if e.inner().is_data() => Err(refuse(Problem::BadJsonField(json_field(&e)))),
            _ => Err(refuse(Problem::BadBody(ErrorCode::InvalidJson))),
        }
    }
}

fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The field a JSON body got wrong, as a path (`people[0].birth_date`). A missing field is
/// reported at the object that should hold it, named in the message only.
fn json_field(e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = e.path().to_string();
    let message = e.inner().to_string();
    let named = ["unknown field `", "missing field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    match (path.as_str(), named) {
        (".", Some(name)) => name.to_owned(),
        (_, Some(name)) if !path.ends_with(name) => format!("{path}.{name}"),
        _ => path,
    }
}

/// A query string read into `T`; a value that does not fit (`page=-1`, `limit=abc`) is a
/// translated 400 naming the parameter, in the API's JSON error.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let auth = Auth::from_request_parts(parts, s).await?;
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Self)
            .map_err(|e| error_response(&auth.tr, &Problem::BadQuery(e.path().to_string())))
    }
}

/// A multipart upload; a body that is not one (no boundary, a broken part) is the API's JSON
/// error, not the framework's text.
pub struct ApiMultipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = Response;
    async fn from_request(req: Request, s: &S) -> Result<Self, Self::Rejection> {
        let tr = req.extensions().get::<Auth>().map(|a| a.tr.clone());
        match axum::extract::Multipart::from_request(req, s).await {
            Ok(m) => Ok(Self(m)),
            Err(rejection) => match tr {
                Some(tr) => Err(error_response(&tr, &Problem::BadBody(ErrorCode::InvalidUpload))),
                None => Err(rejection.into_response()),
            },
        }
    }
}

pub(crate) async fn not_found(auth: Auth) -> Response {
    error_response(&auth.tr, &Problem::Casework(kinbridge_casework::Error::not_found()))
}

/// A colleague to assign a case or request to.
#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssigneeBody {
    pub(crate) user_id: String,
}

/// A body of text: a note, a reply.
#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BodyText {
    pub(crate) body: String,
}
