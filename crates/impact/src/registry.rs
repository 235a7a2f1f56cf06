//! The indicators the network reports on, kept as data (`indicators.json` beside this crate)
//! and parsed once: an indicator that names a field the casework does not have is refused at
//! start, never at the moment a director opens the page.

use kinbridge_domain::indicator::{Indicator, IndicatorError, RawIndicator};
use serde::Deserialize;

const SHIPPED: &str = include_str!("../indicators.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    indicators: Vec<RawIndicator>,
}

/// Every indicator, in the order they are listed.
#[derive(Debug, Clone)]
pub struct Registry {
    indicators: Vec<Indicator>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("the indicator file is not valid JSON of the expected shape: {0}")]
    Shape(#[from] serde_json::Error),
    #[error(transparent)]
    Indicator(#[from] IndicatorError),
    #[error("indicator {0} is listed twice")]
    Duplicate(String),
}

impl Registry {
    /// The indicators that ship with Kinbridge.
    pub fn shipped() -> Result<Self, RegistryError> {
        Self::from_json(SHIPPED)
    }

    pub fn from_json(text: &str) -> Result<Self, RegistryError> {
        let file: File = serde_json::from_str(text)?;
        let mut indicators: Vec<Indicator> = Vec::with_capacity(file.indicators.len());
        for raw in &file.indicators {
            let indicator = raw.parse()?;
            if indicators.iter().any(|i| i.id == indicator.id) {
                return Err(RegistryError::Duplicate(indicator.id));
            }
            indicators.push(indicator);
        }
        Ok(Self { indicators })
    }

    pub fn all(&self) -> &[Indicator] {
        &self.indicators
    }

    pub fn get(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_registry_parses_and_names_every_indicator_in_four_languages() {
        let r = Registry::shipped().unwrap();
        assert!(r.all().len() >= 20, "{}", r.all().len());
        for i in r.all() {
            for language in ["en", "fr", "es", "ar"] {
                assert!(i.names.get(language).is_some_and(|n| !n.trim().is_empty()), "{} has no {language} name", i.id);
            }
        }
    }

    #[test]
    fn a_bad_file_is_refused_with_the_reason() {
        let unknown = r#"{"indicators": [{"id": "x", "names": {"en": "X"}, "unit": "cases", "date": "opened_on", "numerator": [{"field": "height", "in": ["tall"]}]}]}"#;
        assert!(matches!(
            Registry::from_json(unknown),
            Err(RegistryError::Indicator(IndicatorError::UnknownField { .. }))
        ));
        let twice = r#"{"indicators": [{"id": "x", "names": {"en": "X"}, "unit": "cases", "date": "active"}, {"id": "x", "names": {"en": "X"}, "unit": "cases", "date": "active"}]}"#;
        assert!(matches!(Registry::from_json(twice), Err(RegistryError::Duplicate(_))));
        assert!(matches!(Registry::from_json("{\"indicators\": 3}"), Err(RegistryError::Shape(_))));
    }
}
