//! What a case's forms and the API's case bodies read, shared by the pages and the API.

use kinbridge_casework::today;
use kinbridge_domain::case::{CaseAction, Outcome};
use kinbridge_domain::DomainError;
use kinbridge_domain::ErrorCode;
use serde::Deserialize;

/// A tracing request as the API and the case page's form send it.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TracingBody {
    #[serde(default)]
    inquirer_name: String,
    #[serde(default)]
    relation: String,
    #[serde(default)]
    given_names: String,
    #[serde(default)]
    family_name: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    birth_date_estimated: bool,
    #[serde(default)]
    last_seen_place: String,
    #[serde(default)]
    last_seen_on: String,
    #[serde(default)]
    circumstances: String,
    /// The form's CSRF token (checked before this is read; absent from the API).
    #[serde(default, rename = "_csrf")]
    _csrf: Option<String>,
}

impl TracingBody {
    pub(crate) fn parse(&self) -> Result<kinbridge_domain::tracing::NewTracingRequest, DomainError> {
        kinbridge_domain::tracing::NewTracingRequest::parse(
            &self.inquirer_name,
            &self.relation,
            &self.given_names,
            &self.family_name,
            &self.sex,
            &self.birth_date,
            self.birth_date_estimated,
            &self.last_seen_place,
            &self.last_seen_on,
            &self.circumstances,
            today(),
        )
    }
}

/// Reads a case action and its outcome where it needs one.
pub(crate) fn parse_case_action(action: &str, outcome: Option<&str>) -> Result<CaseAction, DomainError> {
    let outcome = || outcome.and_then(Outcome::parse).ok_or(DomainError::field("outcome", ErrorCode::InvalidChoice));
    Ok(match action {
        "propose_closure" => CaseAction::ProposeClosure(outcome()?),
        "close" => CaseAction::Close(outcome()?),
        "approve_closure" => CaseAction::ApproveClosure,
        "reject_closure" => CaseAction::RejectClosure,
        "reopen" => CaseAction::Reopen,
        _ => return Err(DomainError::field("action", ErrorCode::InvalidChoice)),
    })
}
