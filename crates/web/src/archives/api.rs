//! Archives and searches of origins through the API: the same rights as the pages.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;

use super::input::{DisclosureForm, UnitForm};
use crate::api::{ApiJson, ApiMultipart, ApiQuery, ApiResult, Created, Items};
use kinbridge_casework::archives::{ImportFailure, ImportProgress, Unit};

/// A unit with the units below it that the caller may open.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub(crate) struct UnitAnswer {
    unit: Unit,
    children: Vec<Unit>,
}

/// An upload taken for import in the background.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub(crate) struct Queued {
    import_id: kinbridge_domain::ids::ImportId,
    status: &'static str,
}

/// How far the imports into a fonds have come, and the files not imported.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub(crate) struct Imports {
    progress: ImportProgress,
    failures: Vec<ImportFailure>,
}
use crate::auth::ApiUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/archive/fonds", get(fonds))
        .route("/archive/units", post(create_unit))
        .route("/archive/units/{id}", get(unit).delete(delete_unit))
        .route("/archive/units/{id}/pages", get(pages))
        .route("/archive/units/{id}/original", get(original))
        .route("/archive/units/{id}/files", post(upload).layer(crate::upload_limit()))
        .route("/archive/units/{id}/imports", get(imports))
        .route("/archive/units/{id}/legal-hold", put(legal_hold))
        .route("/cases/{id}/origins/findings", get(findings).post(find))
        .route("/cases/{id}/origins/mentions", get(mentions))
        .route("/cases/{id}/origins/findings/{finding}/disclosure", post(disclose))
}

async fn fonds(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Response> {
    let list = state.casework.list_fonds(&u.caller).await?;
    Ok(Json(Items { items: list }).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
pub(crate) struct NewUnitBody {
    parent_id: Option<String>,
    #[serde(flatten)]
    unit: UnitForm,
}

async fn create_unit(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(b): ApiJson<NewUnitBody>,
) -> ApiResult<Response> {
    if let Some(parent) = b.parent_id.as_deref() {
        state.casework.may_manage_unit(&u.caller, parent).await?;
    }
    let new = b.unit.parse()?;
    let unit = state.casework.create_unit(&u.caller, b.parent_id.as_deref(), &new).await?;
    Ok((StatusCode::CREATED, Json(unit)).into_response())
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
pub(crate) struct Paging {
    offset: Option<i64>,
}

async fn unit(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<Paging>,
) -> ApiResult<Response> {
    let unit = state.casework.unit(&u.caller, &id).await?;
    let children = state.casework.unit_children(&u.caller, &id, 200, p.offset.unwrap_or(0).max(0)).await?;
    Ok(Json(UnitAnswer { unit, children }).into_response())
}

async fn delete_unit(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    state.casework.delete_unit(&u.caller, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn pages(State(state): State<AppState>, ApiUser(u): ApiUser, Path(id): Path<String>) -> ApiResult<Response> {
    let pages = state.casework.unit_pages(&u.caller, &id).await?;
    Ok(Json(Items { items: pages }).into_response())
}

async fn original(State(state): State<AppState>, ApiUser(u): ApiUser, Path(id): Path<String>) -> ApiResult<Response> {
    let (unit, bytes) = state.casework.unit_original(&u.caller, &id).await?;
    Ok(crate::files::attachment(
        unit.filename.as_deref().unwrap_or("original"),
        unit.content_type.as_deref().unwrap_or("application/octet-stream"),
        bytes,
    ))
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
pub(crate) struct UploadQuery {
    /// Tesseract languages, comma-separated (default eng,fra,spa).
    languages: Option<String>,
}

async fn upload(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    ApiMultipart(m): ApiMultipart,
) -> ApiResult<Response> {
    state.casework.may_manage_unit(&u.caller, &id).await?;
    let (name, bytes) = crate::files::read_upload_api(m).await?;
    let languages: Vec<String> = q
        .languages
        .unwrap_or_else(|| "eng,fra,spa".into())
        .split(',')
        .map(|l| l.trim().to_string())
        .filter(|l| l.len() == 3 && l.bytes().all(|b| b.is_ascii_lowercase()))
        .collect();
    let import_id = state.casework.queue_upload(&u.caller, &id, &name, bytes, &languages).await?;
    Ok((StatusCode::ACCEPTED, Json(Queued { import_id, status: "pending" })).into_response())
}

async fn imports(State(state): State<AppState>, ApiUser(u): ApiUser, Path(id): Path<String>) -> ApiResult<Response> {
    let (progress, failures) = state.casework.import_progress_for(&u.caller, &id).await?;
    Ok(Json(Imports { progress, failures }).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
pub(crate) struct HoldBody {
    hold: bool,
}

async fn legal_hold(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<HoldBody>,
) -> ApiResult<Response> {
    let unit = state.casework.set_legal_hold(&u.caller, &id, b.hold).await?;
    Ok(Json(unit).into_response())
}

async fn findings(State(state): State<AppState>, ApiUser(u): ApiUser, Path(id): Path<String>) -> ApiResult<Response> {
    let f = state.casework.findings(&u.caller, &id).await?;
    Ok(Json(Items { items: f }).into_response())
}

async fn mentions(State(state): State<AppState>, ApiUser(u): ApiUser, Path(id): Path<String>) -> ApiResult<Response> {
    let m = state.casework.archive_mentions(&u.caller, &id).await?;
    Ok(Json(Items { items: m }).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
pub(crate) struct FindingBody {
    unit_id: String,
    #[serde(default)]
    note: String,
}

async fn find(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<FindingBody>,
) -> ApiResult<Response> {
    let finding = state.casework.record_finding(&u.caller, &id, &b.unit_id, &b.note).await?;
    Ok((StatusCode::CREATED, Json(Created { id: finding })).into_response())
}

async fn disclose(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, finding)): Path<(String, String)>,
    ApiJson(b): ApiJson<DisclosureForm>,
) -> ApiResult<Response> {
    state.casework.disclose_finding(&u.caller, &id, &finding, &b.disclosed_to, &b.counselling).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
