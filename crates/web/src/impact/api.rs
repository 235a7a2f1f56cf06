//! Impact figures through the API: the indicator list, a member's dashboard, one indicator's
//! values broken down. The same access as the pages: a member's own figures, any member's for
//! the General Secretariat, the network's beside them.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kinbridge_casework::impact::kind;
use serde::Serialize;

use super::ImpactQuery;
use crate::api::{ApiQuery, ApiResult};
use crate::auth::ApiUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/impact/indicators", get(indicators))
        .route("/impact/dashboard", get(dashboard))
        .route("/impact/values", get(values))
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
