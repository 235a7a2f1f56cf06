//! What the archive forms and the API's archive bodies read, shared by the pages and the API.

use kinbridge_domain::archive::NewUnit;
use serde::Deserialize;

use crate::error::Problem;

#[derive(Deserialize, Default, schemars::JsonSchema)]
pub(crate) struct UnitForm {
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub reference_code: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub creator: String,
    #[serde(default)]
    pub date_from: String,
    #[serde(default)]
    pub date_to: String,
    #[serde(default)]
    pub extent: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub restriction: String,
}

impl UnitForm {
    pub(crate) fn parse(&self) -> Result<NewUnit, Problem> {
        NewUnit::parse(
            &self.level,
            &self.reference_code,
            &self.title,
            &self.creator,
            &self.date_from,
            &self.date_to,
            &self.extent,
            &self.language,
            &self.location,
            &self.restriction,
        )
        .map_err(|e| kinbridge_domain::DomainError::Invalid(e).into())
    }
}

/// Who a finding of origins was disclosed to, and the counselling offered.
#[derive(Deserialize, schemars::JsonSchema)]
pub(crate) struct DisclosureForm {
    #[serde(default)]
    pub disclosed_to: String,
    #[serde(default)]
    pub counselling: String,
}
