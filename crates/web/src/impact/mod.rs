//! Social impact: a member's indicators for a period with the network's beside them, each
//! indicator broken down, charts drawn on the server as SVG with their data table beside
//! them; the same figures through the API. The feature owns its input types, pages and API.

pub(crate) mod api;
mod chart;
mod pages;
pub mod report;
pub(crate) mod sroi;

use axum::Router;
use kinbridge_domain::indicator::Dimension;
use kinbridge_domain::{DomainError, ErrorCode};
use kinbridge_impact::Period;
use serde::Deserialize;

use crate::AppState;

pub(crate) fn pages() -> Router<AppState> {
    pages::router().merge(sroi::pages()).merge(report::pages())
}

pub(crate) fn api() -> Router<AppState> {
    api::router().merge(sroi::api())
}

/// What the impact pages and API are asked for.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImpactQuery {
    /// 2025, 2025Q3, 202507, 2025-07, or a financial year: 2025April, 2025July, 2025Oct.
    /// Default: the last whole calendar year.
    #[serde(default)]
    pub period: String,
    /// A member's code; default the caller's own member (any member for the General Secretariat).
    #[serde(default)]
    pub org: String,
    /// The indicator (values only).
    #[serde(default)]
    pub indicator: String,
    /// Breakdowns, comma-separated: service, sex, age_band, direction, partner_country, outcome.
    #[serde(default)]
    pub by: String,
}

impl ImpactQuery {
    pub fn period(&self) -> Result<Period, DomainError> {
        if self.period.trim().is_empty() {
            return Ok(Period::Year { year: chrono::Datelike::year(&kinbridge_casework::today()) - 1 });
        }
        Period::parse(&self.period).map_err(|_| DomainError::field("period", ErrorCode::InvalidPeriod))
    }

    pub fn org(&self) -> Option<&str> {
        Some(self.org.trim()).filter(|o| !o.is_empty())
    }

    pub fn by(&self) -> Result<Vec<Dimension>, DomainError> {
        self.by
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Dimension::parse(s).ok_or_else(|| DomainError::field("by", ErrorCode::InvalidChoice)))
            .collect()
    }
}
