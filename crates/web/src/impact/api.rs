//! Impact figures through the API: the indicator list, a member's dashboard, one indicator's
//! values broken down. The same access as the pages: a member's own figures, any member's for
//! the General Secretariat, the network's beside them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kinbridge_casework::impact::kind;
use serde::{Deserialize, Serialize};

use super::ImpactQuery;
use crate::api::{ApiJson, ApiQuery, ApiResult};
use crate::auth::ApiUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/impact/indicators", get(indicators))
        .route("/impact/dashboard", get(dashboard))
        .route("/impact/values", get(values))
        .route("/impact/approvals", get(approvals).post(approve))
        .route("/impact/network-approvals", post(approve_network))
        .route("/impact/dhis2", post(dhis2))
}

/// A DHIS2 export: the member (default your own), the period, and the member's mapping of
/// indicators to data elements.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Dhis2Body {
    pub period: String,
    #[serde(default)]
    pub org: String,
    /// `{"orgUnit": ..., "dataSet": ..., "elements": {indicator: {"dataElement": ..., "categoryOptionCombo": ..., "by": ..., "combos": {value: combo}}}}`
    pub mapping: serde_json::Value,
}

async fn dhis2(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(b): ApiJson<Dhis2Body>,
) -> ApiResult<Response> {
    let q = ImpactQuery { period: b.period, org: b.org, ..ImpactQuery::default() };
    let period = q.period()?;
    let set = state.casework.impact_dhis2(&u.caller, q.org(), period, &b.mapping.to_string()).await?;
    Ok(Json(set).into_response())
}

/// An approval: the period and member, and the figures as the approver saw them
/// (`indicator=value;...`, as `GET /impact/dashboard` gives them in `seen`).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApproveBody {
    pub period: String,
    #[serde(default)]
    pub org: String,
    pub seen: String,
}

async fn approve(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(b): ApiJson<ApproveBody>,
) -> ApiResult<Response> {
    let q = ImpactQuery { period: b.period, org: b.org, ..ImpactQuery::default() };
    let id = state.casework.approve_member_figures(&u.caller, q.org(), q.period()?, &b.seen).await?;
    Ok((StatusCode::CREATED, Json(crate::api::Created { id })).into_response())
}

async fn approve_network(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(b): ApiJson<ApproveBody>,
) -> ApiResult<Response> {
    let q = ImpactQuery { period: b.period, ..ImpactQuery::default() };
    let id = state.casework.approve_network_figures(&u.caller, q.period()?, &b.seen).await?;
    Ok((StatusCode::CREATED, Json(crate::api::Created { id })).into_response())
}

/// Each member's approval of a period and the network's figures (the General Secretariat).
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct ApprovalsAnswer {
    pub status: kinbridge_casework::impact::NetworkApprovals,
    pub network: Vec<kinbridge_casework::impact::IndicatorLine>,
    /// The network's figures as shown, for `POST /impact/network-approvals`.
    pub seen: String,
}

async fn approvals(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<ImpactQuery>,
) -> ApiResult<Response> {
    let (status, network) = state.casework.network_approvals(&u.caller, q.period()?).await?;
    let seen = kinbridge_casework::impact::seen_of(&network);
    Ok(Json(ApprovalsAnswer { status, network, seen }).into_response())
}

/// An indicator as clients see it.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct IndicatorInfo {
    pub id: String,
    /// Names by language code.
    pub names: std::collections::BTreeMap<String, String>,
    /// `cases`, `children` or `requests`.
    pub unit: &'static str,
    /// `count`, `share` (times `factor`) or `median_days`.
    pub kind: &'static str,
    pub factor: f64,
    /// The breakdowns it allows.
    pub by: Vec<&'static str>,
}

async fn indicators(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Response> {
    if u.caller.actor.impact_reach() == kinbridge_domain::access::ImpactReach::None {
        return Err(kinbridge_domain::DomainError::Forbidden.into());
    }
    let items: Vec<IndicatorInfo> = state
        .casework
        .indicators()
        .all()
        .iter()
        .map(|i| IndicatorInfo {
            id: i.id.clone(),
            names: i.names.clone(),
            unit: i.unit.as_str(),
            kind: kind(i),
            factor: i.factor,
            by: i.by.iter().map(|d| d.as_str()).collect(),
        })
        .collect();
    Ok(Json(crate::api::Items { items }).into_response())
}

async fn dashboard(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<ImpactQuery>,
) -> ApiResult<Response> {
    let period = q.period()?;
    Ok(Json(state.casework.impact_dashboard(&u.caller, q.org(), period).await?).into_response())
}

async fn values(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<ImpactQuery>,
) -> ApiResult<Response> {
    let period = q.period()?;
    let by = q.by()?;
    Ok(Json(state.casework.impact_values(&u.caller, &q.indicator, q.org(), period, &by).await?).into_response())
}
