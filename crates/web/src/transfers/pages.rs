//! Handover pages: the member's list (waiting ones first) and one handover, where the
//! receiver reads what was sent and accepts or declines, and the sender may withdraw.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use kinbridge_casework::transfers::{TransferSideName, TransferView};
use kinbridge_domain::transfer::{NewTransfer, Transfer, TransferDecision};
use kinbridge_domain::DomainError;
use serde::Deserialize;

use crate::auth::{CsrfForm, PageUser, Signed};
use crate::error::Problem;
use crate::page::{render, see_other, url_encode, Frame};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/transfers", get(list))
        .route("/transfers/{id}", get(show).post(decide))
        .route("/cases/{id}/transfers", get(propose_form).post(propose))
}

#[derive(Template)]
#[template(path = "transfer_new.html")]
struct ProposePage {
    t: Frame,
    d: kinbridge_casework::cases::CaseDetail,
    members: std::sync::Arc<Vec<kinbridge_domain::member::Member>>,
}

/// The proposal form, on a page of its own: the case page only links to it, so that every view
/// of a case does not carry the network's member list a second time.
async fn propose_page(state: &AppState, u: &Signed, id: &str, problem: Option<Problem>) -> Result<Response, Problem> {
    let d = state.casework.case_detail(&u.caller, id).await?;
    let members = state.casework.members().await?;
    let (t, status) = Frame::answering(u, problem.as_ref());
    Ok(render(status, &ProposePage { t, d, members }))
}

async fn propose_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    propose_page(&state, &u, &id, None).await
}

#[derive(Template)]
#[template(path = "transfers.html")]
struct TransferList {
    t: Frame,
    rows: Vec<Transfer>,
    member_id: String,
}

async fn list(State(state): State<AppState>, PageUser(u): PageUser) -> Result<Response, Problem> {
    let rows = state.casework.transfers(&u.caller).await?;
    let member_id = u.caller.actor.member_id.to_string();
    Ok(render(StatusCode::OK, &TransferList { t: Frame::for_user(&u), rows, member_id }))
}

#[derive(Template)]
#[template(path = "transfer.html")]
struct TransferPage {
    t: Frame,
    v: TransferView,
    receiver: bool,
    proposed: bool,
}

impl TransferPage {
    fn person_name(&self, id: &str) -> String {
        self.v.people.iter().find(|p| p.id.as_str() == id).map(|p| p.full_name()).unwrap_or_default()
    }
}

async fn transfer_page(state: &AppState, u: &Signed, id: &str, problem: Option<Problem>) -> Result<Response, Problem> {
    let v = state.casework.transfer(&u.caller, id).await?;
    let (t, status) = Frame::answering(u, problem.as_ref());
    let receiver = v.side == TransferSideName::Receiver;
    let proposed = v.transfer.status == kinbridge_domain::transfer::TransferStatus::Proposed;
    Ok(render(status, &TransferPage { t, v, receiver, proposed }))
}

async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    transfer_page(&state, &u, &id, None).await
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    action: String,
    reason: Option<String>,
}

async fn decide(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<DecisionForm>,
) -> Result<Response, Problem> {
    let r = match TransferDecision::parse(&f.action, f.reason.as_deref()) {
        Ok(d) => state.casework.decide_transfer(&u.caller, &id, &d).await.map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    match r {
        // An accepted handover opens the receiver's new case.
        Ok(t) => Ok(match (&t.new_case_id, f.action.trim()) {
            (Some(case), "accept") => see_other(&format!("/cases/{}", url_encode(case))),
            _ => see_other(&format!("/transfers/{}", url_encode(&id))),
        }),
        Err(p @ Problem::Casework(kinbridge_casework::Error::Domain(DomainError::NotFound))) => Err(p),
        Err(p) => transfer_page(&state, &u, &id, Some(p)).await,
    }
}

#[derive(Deserialize)]
struct ProposeForm {
    #[serde(default)]
    to_member: String,
    #[serde(default)]
    reason: String,
    /// One per ticked box.
    #[serde(default)]
    documents: Vec<String>,
}

/// The proposal form on the case page.
async fn propose(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ProposeForm>,
) -> Result<Response, Problem> {
    let r = match NewTransfer::parse(&f.to_member, &f.reason, &f.documents) {
        Ok(new) => state.casework.propose_transfer(&u.caller, &id, &new).await.map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    match r {
        Ok(_) => Ok(see_other(&format!("/cases/{}#transfer", url_encode(&id)))),
        Err(p @ Problem::Casework(kinbridge_casework::Error::Domain(DomainError::NotFound))) => Err(p),
        Err(p) => propose_page(&state, &u, &id, Some(p)).await,
    }
}
