//! The research corpus's query string and its downloads (the outcome table, the records as
//! CSV or Parquet), the same for the page and the API.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use kinbridge_domain::case::ServiceType;
use serde::Deserialize;

use crate::AppState;

#[derive(Deserialize, Default, schemars::JsonSchema)]
pub(crate) struct ResearchQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub service: String,
    pub threshold: Option<u64>,
    pub k: Option<usize>,
    /// "fake": people as fake names instead of labels.
    #[serde(default)]
    pub names: String,
    pub limit: Option<i64>,
    /// "archives": the de-identified archive text instead of the closed cases.
    #[serde(default)]
    pub source: String,
}

impl ResearchQuery {
    pub(crate) fn service(&self) -> Option<&str> {
        ServiceType::parse(&self.service).map(|s| s.as_str())
    }
}

/// Closed cases by country and outcome, small cells suppressed, with the data-use statement
/// and the threshold used.
pub(crate) async fn outcome_csv(
    state: &AppState,
    caller: &kinbridge_casework::Caller,
    threshold: Option<u64>,
) -> kinbridge_casework::Result<Response> {
    let table = state.casework.research_outcome_table(caller, threshold).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"outcomes.csv\""),
        ],
        table.csv(),
    )
        .into_response())
}

/// The corpus as records, k-anonymous on its quasi-identifiers, as CSV or Parquet, with the
/// data-use statement and the k used.
pub(crate) async fn records(
    state: &AppState,
    caller: &kinbridge_casework::Caller,
    k: Option<usize>,
    parquet: bool,
) -> kinbridge_casework::Result<Response> {
    let export = state.casework.research_records(caller, k).await?;
    if parquet {
        let bytes = export.parquet().map_err(|_| kinbridge_casework::Error::Unsupported("parquet export failed"))?;
        Ok((
            [
                (header::CONTENT_TYPE, "application/vnd.apache.parquet"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"research_cases.parquet\""),
            ],
            bytes,
        )
            .into_response())
    } else {
        Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"research_cases.csv\""),
            ],
            export.csv(),
        )
            .into_response())
    }
}
