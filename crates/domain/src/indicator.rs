//! Indicators as data: what is counted (cases, children, requests), on which event's date,
//! under which conditions, over what (an optional denominator), and how it may be broken down.
//! A definition is parsed once from its stored form; a field that does not exist, or does not
//! exist for what is counted, is refused with the indicator and field named.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

crate::vocabulary! {
    /// What an indicator counts.
    Unit {
        Cases => "cases",
        Children => "children",
        Requests => "requests",
    }
}

crate::vocabulary! {
    /// A fact an indicator can test or measure between.
    Field {
        Service => "service",
        Status => "status",
        Outcome => "outcome",
        PartnerCountry => "partner_country",
        OpenedOn => "opened_on",
        ClosedOn => "closed_on",
        FirstResponseOn => "first_response_on",
        ChildViews => "child_views",
        Sex => "sex",
        Kind => "kind",
        Direction => "direction",
        SentAt => "sent_at",
        AcknowledgedAt => "acknowledged_at",
        AnsweredAt => "answered_at",
        DueOn => "due_on",
        ClosedAt => "closed_at",
        // The last day of the period (for "open longer than a year at the period's end").
        PeriodEnd => "period_end",
    }
}

crate::vocabulary! {
    /// A breakdown an indicator may allow.
    Dimension {
        Service => "service",
        Sex => "sex",
        AgeBand => "age_band",
        Direction => "direction",
        PartnerCountry => "partner_country",
        Outcome => "outcome",
    }
}

impl Field {
    /// Whether the field exists for what is counted.
    pub fn applies_to(self, unit: Unit) -> bool {
        use Field::*;
        match unit {
            Unit::Cases => matches!(
                self,
                Service
                    | Status
                    | Outcome
                    | PartnerCountry
                    | OpenedOn
                    | ClosedOn
                    | FirstResponseOn
                    | ChildViews
                    | Direction
                    | PeriodEnd
            ),
            // A child is counted with its case's facts, and its own sex.
            Unit::Children => self == Sex || self.applies_to(Unit::Cases),
            Unit::Requests => matches!(
                self,
                Service
                    | Status
                    | Kind
                    | Direction
                    | PartnerCountry
                    | SentAt
                    | AcknowledgedAt
                    | AnsweredAt
                    | DueOn
                    | ClosedAt
                    | PeriodEnd
            ),
        }
    }

    /// Whether the field holds a date (the only kind a duration can run between).
    pub fn is_date(self) -> bool {
        use Field::*;
        matches!(
            self,
            OpenedOn | ClosedOn | FirstResponseOn | SentAt | AcknowledgedAt | AnsweredAt | DueOn | ClosedAt | PeriodEnd
        )
    }
}

impl Dimension {
    pub fn applies_to(self, unit: Unit) -> bool {
        match self {
            Self::Sex | Self::AgeBand => unit == Unit::Children,
            Self::Outcome => unit != Unit::Requests,
            Self::Service | Self::Direction | Self::PartnerCountry => true,
        }
    }
}

/// When a row counts in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The day of this event falls in the period.
    On(Field),
    /// Open at some time during the period (opened before its end, not closed before its start).
    Active,
    /// Still open on the period's last day.
    OpenAtEnd,
}

/// One test a row must pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    In(Field, Vec<String>),
    Present(Field),
    Absent(Field),
    /// Whole days from the first date to the second, both present.
    DaysAtMost(Field, Field, i64),
    DaysOver(Field, Field, i64),
}

/// How the rows that pass are turned into a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Count,
    /// The median of the whole days between two dates, over rows that have both.
    MedianDays(Field, Field),
}

/// A parsed indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub id: String,
    /// Name per language code (`en`, `fr`, `es`, `ar`).
    pub names: BTreeMap<String, String>,
    pub unit: Unit,
    pub anchor: Anchor,
    pub numerator: Vec<Condition>,
    /// Rows the numerator is a share of; none for a plain count or median.
    pub denominator: Option<Vec<Condition>>,
    pub measure: Measure,
    /// What a share is multiplied by: 100 for a percentage.
    pub factor: f64,
    pub by: Vec<Dimension>,
}

impl Indicator {
    pub fn name(&self, language: &str) -> &str {
        self.names.get(language).or_else(|| self.names.get("en")).map_or(self.id.as_str(), String::as_str)
    }
}

/// An indicator as stored: plain strings, checked by [`RawIndicator::parse`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    pub id: String,
    pub names: BTreeMap<String, String>,
    pub unit: String,
    /// A date field, `active` or `open_at_end`.
    pub date: String,
    #[serde(default)]
    pub numerator: Vec<RawCondition>,
    #[serde(default)]
    pub denominator: Option<Vec<RawCondition>>,
    /// Absent for a count; two date fields for a median of days.
    #[serde(default)]
    pub median_days: Option<[String; 2]>,
    #[serde(default = "one")]
    pub factor: f64,
    #[serde(default)]
    pub by: Vec<String>,
}

fn one() -> f64 {
    1.0
}

/// A condition as stored: one of `field` + `in`, `field` + `present`, `days` + `at_most` or
/// `over`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<[String; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub over: Option<i64>,
}

/// Why a stored indicator cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndicatorError {
    #[error("indicator {indicator}: unknown field {field:?}")]
    UnknownField { indicator: String, field: String },
    #[error("indicator {indicator}: {field:?} cannot be used when counting {unit}")]
    FieldNotForUnit { indicator: String, field: String, unit: &'static str },
    #[error("indicator {indicator}: {what}")]
    Malformed { indicator: String, what: &'static str },
}

const MAX_ID: usize = 64;
const MAX_VALUES: usize = 64;

impl RawIndicator {
    pub fn parse(&self) -> Result<Indicator, IndicatorError> {
        let id = self.id.clone();
        let malformed = |what: &'static str| IndicatorError::Malformed { indicator: id.clone(), what };
        if id.is_empty()
            || id.len() > MAX_ID
            || !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(malformed("the id must be 1 to 64 lower-case letters, digits or underscores"));
        }
        let unit = Unit::parse(&self.unit)
            .ok_or_else(|| IndicatorError::UnknownField { indicator: id.clone(), field: self.unit.clone() })?;
        let field = |name: &str| -> Result<Field, IndicatorError> {
            let f = Field::parse(name)
                .ok_or_else(|| IndicatorError::UnknownField { indicator: id.clone(), field: name.to_string() })?;
            if !f.applies_to(unit) {
                return Err(IndicatorError::FieldNotForUnit {
                    indicator: id.clone(),
                    field: name.to_string(),
                    unit: unit.as_str(),
                });
            }
            Ok(f)
        };
        let date_field = |name: &str| -> Result<Field, IndicatorError> {
            let f = field(name)?;
            if f.is_date() {
                Ok(f)
            } else {
                Err(malformed("durations and anchors need date fields"))
            }
        };
        let anchor = match self.date.as_str() {
            "active" => Anchor::Active,
            "open_at_end" => Anchor::OpenAtEnd,
            other => {
                let f = date_field(other)?;
                if f == Field::PeriodEnd {
                    return Err(malformed("period_end cannot anchor an indicator"));
                }
                Anchor::On(f)
            }
        };
        let conditions = |raw: &[RawCondition]| -> Result<Vec<Condition>, IndicatorError> {
            raw.iter()
                .map(|c| match (c.field.as_deref(), &c.one_of, c.present, &c.days, c.at_most, c.over) {
                    (Some(f), Some(values), None, None, None, None) => {
                        let f = field(f)?;
                        if f.is_date() || values.is_empty() || values.len() > MAX_VALUES {
                            return Err(malformed("\"in\" needs a non-date field and 1 to 64 values"));
                        }
                        Ok(Condition::In(f, values.clone()))
                    }
                    (Some(f), None, Some(present), None, None, None) => {
                        let f = field(f)?;
                        Ok(if present { Condition::Present(f) } else { Condition::Absent(f) })
                    }
                    (None, None, None, Some([a, b]), at_most, over) => {
                        let (a, b) = (date_field(a)?, date_field(b)?);
                        match (at_most, over) {
                            (Some(n), None) if n >= 0 => Ok(Condition::DaysAtMost(a, b, n)),
                            (None, Some(n)) if n >= 0 => Ok(Condition::DaysOver(a, b, n)),
                            _ => Err(malformed("\"days\" needs exactly one of at_most or over, zero or more")),
                        }
                    }
                    _ => Err(malformed("a condition is field + in, field + present, or days + at_most/over")),
                })
                .collect()
        };
        let numerator = conditions(&self.numerator)?;
        let denominator = self.denominator.as_deref().map(conditions).transpose()?;
        let measure = match &self.median_days {
            None => Measure::Count,
            Some([a, b]) => Measure::MedianDays(date_field(a)?, date_field(b)?),
        };
        if measure != Measure::Count && denominator.is_some() {
            return Err(malformed("a median has no denominator"));
        }
        if !self.factor.is_finite() || self.factor <= 0.0 {
            return Err(malformed("the factor must be a positive number"));
        }
        let by = self
            .by
            .iter()
            .map(|name| {
                let d = Dimension::parse(name)
                    .ok_or_else(|| IndicatorError::UnknownField { indicator: id.clone(), field: name.clone() })?;
                if d.applies_to(unit) {
                    Ok(d)
                } else {
                    Err(IndicatorError::FieldNotForUnit {
                        indicator: id.clone(),
                        field: name.clone(),
                        unit: unit.as_str(),
                    })
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !self.names.contains_key("en") {
            return Err(malformed("every indicator needs an English name"));
        }
        Ok(Indicator {
            id,
            names: self.names.clone(),
            unit,
            anchor,
            numerator,
            denominator,
            measure,
            factor: self.factor,
            by,
        })
    }
}

/// Rows that passed, counted per member and breakdown, as the store returns them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub member: String,
    /// One value per requested dimension, in the order asked; `unknown` where none is recorded.
    pub key: Vec<String>,
    pub count: u64,
}

/// One row's duration in whole days, for a median.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub member: String,
    pub key: Vec<String>,
    pub days: i64,
}

/// What the store found for one indicator over one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tally {
    Counts { numerator: Vec<Cell>, denominator: Option<Vec<Cell>> },
    Days(Vec<Sample>),
}

/// The age bands children are counted in, by whole years at the anchor's date.
pub const AGE_BANDS: [(&str, i64, i64); 5] =
    [("0-4", 0, 4), ("5-9", 5, 9), ("10-14", 10, 14), ("15-17", 15, 17), ("18+", 18, i64::MAX)];

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(json: serde_json::Value) -> RawIndicator {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_share_with_days_parses() {
        let i = raw(serde_json::json!({
            "id": "acknowledged_in_time", "names": {"en": "Acknowledged in time"}, "unit": "requests", "date": "sent_at",
            "numerator": [{"field": "direction", "in": ["incoming"]}, {"days": ["sent_at", "acknowledged_at"], "at_most": 14}],
            "denominator": [{"field": "direction", "in": ["incoming"]}], "factor": 100, "by": ["service", "partner_country"]
        }))
        .parse()
        .unwrap();
        assert_eq!(i.anchor, Anchor::On(Field::SentAt));
        assert_eq!(i.numerator[1], Condition::DaysAtMost(Field::SentAt, Field::AcknowledgedAt, 14));
        assert_eq!(i.by, [Dimension::Service, Dimension::PartnerCountry]);
    }

    #[test]
    fn unknown_and_misplaced_fields_are_named() {
        let base = serde_json::json!({"id": "x", "names": {"en": "X"}, "unit": "cases", "date": "opened_on"});
        let with = |k: &str, v: serde_json::Value| {
            let mut j = base.clone();
            j[k] = v;
            raw(j).parse()
        };
        assert!(
            matches!(with("numerator", serde_json::json!([{"field": "colour", "in": ["red"]}])), Err(IndicatorError::UnknownField { field, .. }) if field == "colour")
        );
        assert!(matches!(
            with("numerator", serde_json::json!([{"field": "sent_at", "present": true}])),
            Err(IndicatorError::FieldNotForUnit { .. })
        ));
        assert!(matches!(with("by", serde_json::json!(["sex"])), Err(IndicatorError::FieldNotForUnit { .. })));
        assert!(matches!(with("date", serde_json::json!("service")), Err(IndicatorError::Malformed { .. })));
        assert!(matches!(
            with("numerator", serde_json::json!([{"days": ["opened_on", "closed_on"]}])),
            Err(IndicatorError::Malformed { .. })
        ));
        assert!(matches!(with("factor", serde_json::json!(0)), Err(IndicatorError::Malformed { .. })));
        assert!(serde_json::from_value::<RawIndicator>(
            serde_json::json!({"id": "x", "names": {}, "unit": "cases", "date": "active", "formula": "1/0"})
        )
        .is_err());
    }
}
