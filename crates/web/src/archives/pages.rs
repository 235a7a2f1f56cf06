//! The archives: browse fonds, series, files and items the reader may open; archivists
//! describe units, upload scans (imported in the background with OCR), put units under legal
//! hold, link files to current cases, and answer searches of origins.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use kinbridge_casework::archives::{ArchiveMention, Finding, ImportFailure, ImportProgress, PageText, Unit};
use kinbridge_domain::archive::{Level, Restriction};
use kinbridge_domain::ErrorCode;
use serde::Deserialize;

use super::input::{DisclosureForm, UnitForm};
use crate::auth::{CsrfForm, PageUser, Signed};
use crate::error::Problem;
use crate::page::{render, see_other, Frame};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/archives", get(list).post(create_fonds))
        .route("/archives/{id}", get(unit))
        .route("/archives/{id}/units", post(create_child))
        .route("/archives/{id}/upload", post(upload).layer(crate::upload_limit()))
        .route("/archives/{id}/hold", post(hold))
        .route("/archives/{id}/link", post(link))
        .route("/archives/{id}/original", get(original))
        .route("/origins/{case}", get(origins))
        .route("/origins/{case}/findings", post(find))
        .route("/origins/{case}/findings/{finding}/disclosure", post(disclose))
}

#[derive(Template)]
#[template(path = "archives.html")]
struct ListPage {
    t: Frame,
    fonds: Vec<Unit>,
    archivist: bool,
    requests: Vec<(String, String, String, String)>,
    restrictions: &'static [Restriction],
}

async fn list_page(state: &AppState, u: &Signed, t: Frame, status: StatusCode) -> Result<Response, Problem> {
    let fonds = state.casework.list_fonds(&u.caller).await?;
    let archivist = u.caller.actor.can_manage_archive();
    let requests = if archivist { state.casework.origins_requests(&u.caller).await? } else { Vec::new() };
    Ok(render(status, &ListPage { t, fonds, archivist, requests, restrictions: Restriction::ALL }))
}

async fn list(State(state): State<AppState>, PageUser(u): PageUser) -> Result<Response, Problem> {
    list_page(&state, &u, Frame::for_user(&u), StatusCode::OK).await
}

async fn create_fonds(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(f): CsrfForm<UnitForm>,
) -> Result<Response, Problem> {
    let made = match f.parse() {
        Ok(new) => state.casework.create_unit(&u.caller, None, &new).await.map_err(Problem::from),
        Err(p) => Err(p),
    };
    match made {
        Ok(unit) => Ok(see_other(&format!("/archives/{}", unit.id))),
        Err(p) => list_page(&state, &u, Frame::for_user(&u).with_problem(&p), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

#[derive(Template)]
#[template(path = "archive_unit.html")]
struct UnitPage {
    t: Frame,
    unit: Unit,
    trail: Vec<Unit>,
    children: Vec<Unit>,
    pages: Vec<PageText>,
    manage: bool,
    child_levels: Vec<Level>,
    entities: Vec<(String, String)>,
    progress: Option<(ImportProgress, Vec<ImportFailure>)>,
    restrictions: &'static [Restriction],
}

#[derive(Deserialize, Default)]
struct PageQuery {
    page: Option<i64>,
    /// Set by the redirect after an upload: the notice that the file is being read.
    queued: Option<u8>,
}

async fn unit_page(
    state: &AppState,
    u: &Signed,
    id: &str,
    t: Frame,
    status: StatusCode,
    offset: i64,
) -> Result<Response, Problem> {
    let unit = state.casework.unit(&u.caller, id).await?;
    let trail = state.casework.unit_ancestors(&u.caller, &unit).await?;
    let children = state.casework.unit_children(&u.caller, &unit.id, 200, offset).await?;
    let pages =
        if unit.level == Level::Item { state.casework.unit_pages(&u.caller, &unit.id).await? } else { Vec::new() };
    let manage = u.caller.actor.can_manage_archive() && u.caller.actor.member_id == unit.member_id;
    let entities = if manage && unit.level == Level::Item {
        state.casework.unit_entities(&u.caller, &unit.id).await?
    } else {
        Vec::new()
    };
    let progress = if manage && unit.level == Level::Fonds {
        Some(state.casework.import_progress_for(&u.caller, &unit.id).await?)
    } else {
        None
    };
    let child_levels: Vec<Level> = Level::ALL.iter().copied().filter(|l| *l > unit.level).collect();
    Ok(render(
        status,
        &UnitPage {
            t,
            unit,
            trail,
            children,
            pages,
            manage,
            child_levels,
            entities,
            progress,
            restrictions: Restriction::ALL,
        },
    ))
}

async fn unit(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, Problem> {
    let offset = (q.page.unwrap_or(1).max(1) - 1) * 200;
    let mut t = Frame::for_user(&u);
    if q.queued.is_some() {
        t.notice = Some(t.tr.get("archive-upload-queued"));
    }
    unit_page(&state, &u, &id, t, StatusCode::OK, offset).await
}

async fn create_child(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<UnitForm>,
) -> Result<Response, Problem> {
    state.casework.may_manage_unit(&u.caller, &id).await?;
    let made = match f.parse() {
        Ok(new) => state.casework.create_unit(&u.caller, Some(&id), &new).await.map_err(Problem::from),
        Err(p) => Err(p),
    };
    match made {
        Ok(unit) => Ok(see_other(&format!("/archives/{}", unit.id))),
        Err(p) => {
            unit_page(&state, &u, &id, Frame::for_user(&u).with_problem(&p), StatusCode::UNPROCESSABLE_ENTITY, 0).await
        }
    }
}

async fn upload(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    m: Multipart,
) -> Result<Response, Problem> {
    state.casework.may_manage_unit(&u.caller, &id).await?;
    let queued = match crate::files::read_upload(m, Some(&u.csrf)).await {
        Ok((name, bytes)) => {
            let langs = vec!["eng".to_string(), "fra".to_string(), "spa".to_string()];
            state.casework.queue_upload(&u.caller, &id, &name, bytes, &langs).await.map_err(Problem::from)
        }
        Err(p) => Err(p),
    };
    match queued {
        // Post, redirect, get: reloading the page does not send the file again.
        Ok(_) => Ok(see_other(&format!("/archives/{id}?queued=1"))),
        Err(p) => {
            unit_page(&state, &u, &id, Frame::for_user(&u).with_problem(&p), StatusCode::UNPROCESSABLE_ENTITY, 0).await
        }
    }
}

#[derive(Deserialize)]
struct HoldForm {
    #[serde(default)]
    hold: String,
}

async fn hold(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<HoldForm>,
) -> Result<Response, Problem> {
    state.casework.set_legal_hold(&u.caller, &id, f.hold == "on").await?;
    Ok(see_other(&format!("/archives/{id}")))
}

#[derive(Deserialize)]
struct LinkForm {
    #[serde(default)]
    case_reference: String,
}

async fn link(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<LinkForm>,
) -> Result<Response, Problem> {
    match state.casework.link_unit_to_case(&u.caller, &id, &f.case_reference).await {
        Ok(_) => Ok(see_other(&format!("/archives/{id}"))),
        Err(e) => {
            let p = Problem::from(e);
            unit_page(&state, &u, &id, Frame::for_user(&u).with_problem(&p), StatusCode::UNPROCESSABLE_ENTITY, 0).await
        }
    }
}

async fn original(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let (unit, bytes) = state.casework.unit_original(&u.caller, &id).await?;
    Ok(crate::files::attachment(
        unit.filename.as_deref().unwrap_or("original"),
        unit.content_type.as_deref().unwrap_or("application/octet-stream"),
        bytes,
    ))
}

#[derive(Template)]
#[template(path = "origins.html")]
struct OriginsPage {
    t: Frame,
    case_id: String,
    findings: Vec<Finding>,
    archivist: bool,
    /// Looked up on request (`?mentions=1`): it reads the whole restricted index of names.
    mentions: Option<Vec<ArchiveMention>>,
}

#[derive(Deserialize, Default)]
struct OriginsParams {
    #[serde(default)]
    mentions: Option<String>,
}

async fn origins_page(
    state: &AppState,
    u: &Signed,
    case: &str,
    t: Frame,
    status: StatusCode,
    look_up: bool,
) -> Result<Response, Problem> {
    let findings = state.casework.findings(&u.caller, case).await?;
    let archivist = u.caller.actor.can_manage_archive();
    let mentions =
        if archivist && look_up { Some(state.casework.archive_mentions(&u.caller, case).await?) } else { None };
    Ok(render(status, &OriginsPage { t, case_id: case.to_string(), findings, archivist, mentions }))
}

async fn origins(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(case): Path<String>,
    Query(p): Query<OriginsParams>,
) -> Result<Response, Problem> {
    origins_page(&state, &u, &case, Frame::for_user(&u), StatusCode::OK, p.mentions.is_some()).await
}

#[derive(Deserialize)]
pub(crate) struct FindingForm {
    #[serde(default)]
    pub reference_code: String,
    #[serde(default)]
    pub note: String,
}

async fn find(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(case): Path<String>,
    CsrfForm(f): CsrfForm<FindingForm>,
) -> Result<Response, Problem> {
    let done = async {
        let unit = state
            .casework
            .unit_by_reference(&u.caller, &f.reference_code)
            .await?
            .ok_or_else(|| kinbridge_domain::DomainError::field("reference_code", ErrorCode::UnknownUnit))?;
        state.casework.record_finding(&u.caller, &case, &unit, &f.note).await
    }
    .await;
    match done {
        Ok(_) => Ok(see_other(&format!("/origins/{case}"))),
        Err(e) => {
            let p = Problem::from(e);
            origins_page(
                &state,
                &u,
                &case,
                Frame::for_user(&u).with_problem(&p),
                StatusCode::UNPROCESSABLE_ENTITY,
                false,
            )
            .await
        }
    }
}

async fn disclose(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((case, finding)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<DisclosureForm>,
) -> Result<Response, Problem> {
    match state.casework.disclose_finding(&u.caller, &case, &finding, &f.disclosed_to, &f.counselling).await {
        Ok(()) => Ok(see_other(&format!("/origins/{case}"))),
        Err(e) => {
            let p = Problem::from(e);
            origins_page(
                &state,
                &u,
                &case,
                Frame::for_user(&u).with_problem(&p),
                StatusCode::UNPROCESSABLE_ENTITY,
                false,
            )
            .await
        }
    }
}
