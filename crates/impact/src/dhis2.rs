//! Figures for a national DHIS2: a member's mapping of our indicators to its data elements
//! (and, for a breakdown, each value to a category option combo), and the `dataValueSets`
//! document DHIS2's import API takes. A mapping that names an indicator, a breakdown or a
//! value we do not have, or an id that is not a DHIS2 id, is refused with what is wrong.

use std::collections::BTreeMap;

use kinbridge_domain::indicator::Dimension;
use serde::{Deserialize, Serialize};

use crate::figures::Figure;
use crate::registry::Registry;
use crate::Period;

/// The most indicators one mapping may name.
const MAX_ENTRIES: usize = 500;
pub const MAX_MAPPING_BYTES: usize = 256 * 1024;

/// How a member's DHIS2 knows our figures.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The member's organisation unit in its DHIS2.
    #[serde(rename = "orgUnit")]
    pub org_unit: String,
    #[serde(default, rename = "dataSet")]
    pub data_set: Option<String>,
    /// Indicator id → where its figure goes.
    pub elements: BTreeMap<String, Element>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Element {
    #[serde(rename = "dataElement")]
    pub data_element: String,
    /// For the total; DHIS2's default combo when absent.
    #[serde(default, rename = "categoryOptionCombo")]
    pub category_option_combo: Option<String>,
    /// A breakdown sent instead of the total: each of its values to a combo.
    #[serde(default)]
    pub by: Option<String>,
    #[serde(default)]
    pub combos: BTreeMap<String, String>,
}

/// What is wrong with a mapping.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("the mapping is not JSON of the expected shape: {0}")]
    Shape(String),
    #[error("{0:?} is not one of our indicators")]
    UnknownIndicator(String),
    #[error("{indicator}: {by:?} is not a breakdown this indicator allows")]
    UnknownBreakdown { indicator: String, by: String },
    #[error("{0:?} is not a DHIS2 id (11 letters and digits, starting with a letter)")]
    BadId(String),
    #[error("the mapping is too large")]
    TooLarge,
}

/// DHIS2's ids: eleven letters and digits, the first a letter.
pub fn is_uid(s: &str) -> bool {
    s.len() == 11 && s.bytes().all(|b| b.is_ascii_alphanumeric()) && s.as_bytes()[0].is_ascii_alphabetic()
}

/// The indicators and breakdowns a parsed mapping asks for.
pub struct Wanted {
    pub indicator: String,
    pub by: Option<Dimension>,
}

impl Mapping {
    pub fn parse(text: &str, registry: &Registry) -> Result<(Self, Vec<Wanted>), MappingError> {
        if text.len() > MAX_MAPPING_BYTES {
            return Err(MappingError::TooLarge);
        }
        let m: Mapping = serde_json::from_str(text).map_err(|e| MappingError::Shape(e.to_string()))?;
        if m.elements.len() > MAX_ENTRIES {
            return Err(MappingError::TooLarge);
        }
        let id = |s: &str| if is_uid(s) { Ok(()) } else { Err(MappingError::BadId(s.chars().take(40).collect())) };
        id(&m.org_unit)?;
        if let Some(ds) = &m.data_set {
            id(ds)?;
        }
        let mut wanted = Vec::new();
        for (indicator, e) in &m.elements {
            let Some(i) = registry.get(indicator) else {
                return Err(MappingError::UnknownIndicator(indicator.chars().take(64).collect()));
            };
            id(&e.data_element)?;
            if let Some(c) = &e.category_option_combo {
                id(c)?;
            }
            let by = match &e.by {
                None => None,
                Some(b) => match Dimension::parse(b).filter(|d| i.by.contains(d)) {
                    Some(d) => Some(d),
                    None => {
                        return Err(MappingError::UnknownBreakdown {
                            indicator: indicator.clone(),
                            by: b.chars().take(40).collect(),
                        })
                    }
                },
            };
            for c in e.combos.values() {
                id(c)?;
            }
            wanted.push(Wanted { indicator: indicator.clone(), by });
        }
        Ok((m, wanted))
    }

    /// The `dataValueSets` document: one value per mapped total, or per mapped breakdown value
    /// (values the mapping has no combo for are left out, as DHIS2 would refuse them). Figures
    /// with no data are left out too: DHIS2 stores no value rather than a zero.
    pub fn data_value_set(&self, period: Period, figures: &BTreeMap<String, Vec<Figure>>) -> DataValueSet {
        let mut values = Vec::new();
        for (indicator, e) in &self.elements {
            let Some(list) = figures.get(indicator) else { continue };
            let text = |v: f64| if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.2}") };
            match &e.by {
                None => {
                    if let Some(v) = list.first().and_then(|f| f.value) {
                        values.push(DataValue {
                            data_element: e.data_element.clone(),
                            category_option_combo: e.category_option_combo.clone(),
                            value: text(v),
                        });
                    }
                }
                Some(_) => {
                    for f in list.iter().filter(|f| !f.key.is_empty()) {
                        if let (Some(combo), Some(v)) = (e.combos.get(&f.key[0]), f.value) {
                            values.push(DataValue {
                                data_element: e.data_element.clone(),
                                category_option_combo: Some(combo.clone()),
                                value: text(v),
                            });
                        }
                    }
                }
            }
        }
        DataValueSet {
            data_set: self.data_set.clone(),
            period: period.to_string(),
            org_unit: self.org_unit.clone(),
            data_values: values,
        }
    }
}

/// What DHIS2's `POST /api/dataValueSets` takes.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DataValueSet {
    #[serde(rename = "dataSet", skip_serializing_if = "Option::is_none")]
    pub data_set: Option<String>,
    pub period: String,
    #[serde(rename = "orgUnit")]
    pub org_unit: String,
    #[serde(rename = "dataValues")]
    pub data_values: Vec<DataValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DataValue {
    #[serde(rename = "dataElement")]
    pub data_element: String,
    #[serde(rename = "categoryOptionCombo", skip_serializing_if = "Option::is_none")]
    pub category_option_combo: Option<String>,
    pub value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_becomes_a_data_value_set() {
        let r = Registry::shipped().unwrap();
        let text = r#"{"orgUnit": "ImspTQPwCqd", "dataSet": "BfMAe6Itzgt", "elements": {
            "new_cases": {"dataElement": "fbfJHSPpUQD"},
            "children_assisted": {"dataElement": "cYeuwXTCPkU", "by": "sex", "combos": {"female": "Prlt0C1RF0s", "male": "V6L425pT3A0"}},
            "tracing_success_rate": {"dataElement": "hfdmMSPBgLG", "categoryOptionCombo": "HllvX50cXC0"}}}"#;
        let (m, wanted) = Mapping::parse(text, &r).unwrap();
        assert_eq!(wanted.len(), 3);
        let fig = |key: &[&str], value: Option<f64>| Figure {
            key: key.iter().map(|s| s.to_string()).collect(),
            value,
            numerator: 0,
            denominator: None,
        };
        let figures = BTreeMap::from([
            ("new_cases".to_string(), vec![fig(&[], Some(12.0))]),
            (
                "children_assisted".to_string(),
                vec![
                    fig(&[], Some(9.0)),
                    fig(&["female"], Some(5.0)),
                    fig(&["male"], Some(3.0)),
                    fig(&["unknown"], Some(1.0)),
                ],
            ),
            ("tracing_success_rate".to_string(), vec![fig(&[], None)]),
        ]);
        let set = m.data_value_set(Period::parse("2025Q3").unwrap(), &figures);
        let json = serde_json::to_value(&set).unwrap();
        assert_eq!(json["period"], "2025Q3");
        assert_eq!(json["orgUnit"], "ImspTQPwCqd");
        let values: Vec<(String, String)> = set
            .data_values
            .iter()
            .map(|v| (v.category_option_combo.clone().unwrap_or_default(), v.value.clone()))
            .collect();
        assert_eq!(
            values,
            [("Prlt0C1RF0s".into(), "5".into()), ("V6L425pT3A0".into(), "3".into()), (String::new(), "12".into())],
            "no combo for unknown, no value for no data"
        );
    }

    #[test]
    fn what_we_do_not_have_is_named() {
        let r = Registry::shipped().unwrap();
        let with = |elements: &str| {
            Mapping::parse(&format!(r#"{{"orgUnit": "ImspTQPwCqd", "elements": {elements}}}"#), &r).map(|_| ())
        };
        assert_eq!(
            with(r#"{"nope": {"dataElement": "fbfJHSPpUQD"}}"#),
            Err(MappingError::UnknownIndicator("nope".into()))
        );
        assert!(matches!(
            with(r#"{"new_cases": {"dataElement": "fbfJHSPpUQD", "by": "sex"}}"#),
            Err(MappingError::UnknownBreakdown { .. })
        ));
        assert!(matches!(with(r#"{"new_cases": {"dataElement": "not-an-id"}}"#), Err(MappingError::BadId(_))));
        assert!(matches!(
            with(r#"{"new_cases": {"dataElement": "fbfJHSPpUQD", "colour": "red"}}"#),
            Err(MappingError::Shape(_))
        ));
        assert!(matches!(Mapping::parse(&"x".repeat(MAX_MAPPING_BYTES + 1), &r), Err(MappingError::TooLarge)));
    }
}
