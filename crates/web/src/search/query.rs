//! The query string of the search page and API, and running it for a signed-in user.

use kinbridge_domain::ErrorCode;
use kinbridge_search::{Results, SearchQuery};
use serde::Deserialize;

use crate::AppState;

pub const PER_PAGE: usize = 20;

/// The query string of the search page and API.
#[derive(Deserialize, Default, Clone, schemars::JsonSchema)]
pub(crate) struct SearchParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub member: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub page: Option<usize>,
    pub limit: Option<usize>,
}

/// A date bound: `2020` or `2020-05-01`.
fn bound(s: &str, end: bool) -> Result<Option<chrono::NaiveDate>, kinbridge_domain::DomainError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let field = if end { "to" } else { "from" };
    if let Ok(y) = s.parse::<i32>() {
        return Ok(if end {
            chrono::NaiveDate::from_ymd_opt(y, 12, 31)
        } else {
            chrono::NaiveDate::from_ymd_opt(y, 1, 1)
        });
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| kinbridge_domain::DomainError::field(field, ErrorCode::InvalidDate))
}

impl SearchParams {
    /// The facet filters, by dimension.
    fn facet_values(&self) -> [(&'static str, &String); 7] {
        [
            ("kind", &self.kind),
            ("member", &self.member),
            ("country", &self.country),
            ("service", &self.service),
            ("year", &self.year),
            ("level", &self.level),
            ("language", &self.language),
        ]
    }

    pub(crate) fn query(&self, limit: usize) -> Result<SearchQuery, kinbridge_domain::DomainError> {
        let mut filters = Vec::new();
        for (dim, v) in self.facet_values() {
            if !v.trim().is_empty() {
                filters.push((dim.to_string(), v.trim().chars().take(60).collect()));
            }
        }
        let page = self.page.unwrap_or(1).clamp(1, 500);
        Ok(SearchQuery {
            text: self.q.chars().take(500).collect(),
            filters,
            from: bound(&self.from, false)?,
            to: bound(&self.to, true)?,
            limit,
            offset: (page - 1) * limit,
        })
    }

    /// This search with one filter set (or cleared, with an empty value), as a link.
    pub fn with(&self, dim: &str, value: &str) -> String {
        let mut p = self.clone();
        p.page = None;
        match dim {
            "kind" => p.kind = value.into(),
            "member" => p.member = value.into(),
            "country" => p.country = value.into(),
            "service" => p.service = value.into(),
            "year" => p.year = value.into(),
            "level" => p.level = value.into(),
            "language" => p.language = value.into(),
            _ => {}
        }
        p.link(None)
    }

    pub fn page_link(&self, page: usize) -> String {
        self.link(Some(page))
    }

    fn link(&self, page: Option<usize>) -> String {
        let mut parts = Vec::new();
        let all =
            [("q", &self.q)].into_iter().chain(self.facet_values()).chain([("from", &self.from), ("to", &self.to)]);
        for (k, v) in all {
            if !v.is_empty() {
                parts.push(format!("{k}={}", crate::page::url_encode(v)));
            }
        }
        if let Some(p) = page {
            parts.push(format!("page={p}"));
        }
        format!("/search?{}", parts.join("&"))
    }

    pub fn selected(&self, dim: &str) -> &str {
        self.facet_values().into_iter().find(|(d, _)| *d == dim).map(|(_, v)| v.as_str()).unwrap_or("")
    }
}

/// Runs a search for a signed-in user and audits it.
pub(crate) async fn run(
    state: &AppState,
    u: &crate::auth::Signed,
    p: &SearchParams,
    limit: usize,
) -> Result<Results, crate::error::Problem> {
    let q = p.query(limit)?;
    let index = state.current_index().await?;
    // The index reads its segments on its own threads; the runtime's thread is not held.
    let actor = u.caller.actor.clone();
    let results = tokio::task::spawn_blocking(move || index.search(&actor, &q, kinbridge_casework::today()))
        .await
        .map_err(|_| crate::error::Problem::Unavailable)?
        .map_err(|e| match e {
            kinbridge_search::SearchError::Query(_) => crate::error::Problem::BadBody(ErrorCode::InvalidSearch),
            other => {
                tracing::error!(error = %other, "search failed");
                crate::error::Problem::Unavailable
            }
        })?;
    state.casework.audit_search(&u.caller, &p.q, results.total).await?;
    Ok(results)
}
