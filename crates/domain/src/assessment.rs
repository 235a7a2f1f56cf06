//! Assessments: the network's structured forms — a best-interests assessment, a
//! best-interests determination, a home study — each a versioned list of parts, some
//! required, always including the child's views; written by a caseworker, submitted, and
//! signed off (or sent back) by a supervisor who did not write it. A best-interests
//! assessment sets the case's risk level, with its reasons.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{DomainError, FieldError};
use crate::{text, vocabulary, ErrorCode};

vocabulary! {
    AssessmentKind {
        BestInterestsAssessment => "best_interests_assessment",
        BestInterestsDetermination => "best_interests_determination",
        HomeStudy => "home_study",
    }
}

vocabulary! {
    AssessmentStatus {
        Draft => "draft",
        Submitted => "submitted",
        SignedOff => "signed_off",
    }
}

vocabulary! {
    RiskLevel {
        Low => "low",
        Medium => "medium",
        High => "high",
    }
}

/// One part of a form: its key (its label is the message `part-<key>`) and whether the form
/// can be submitted without it.
#[derive(Debug, Clone, Copy, Serialize, schemars::JsonSchema)]
pub struct Part {
    pub key: &'static str,
    pub required: bool,
}

const fn part(key: &'static str, required: bool) -> Part {
    Part { key, required }
}

const BEST_INTERESTS_ASSESSMENT: &[Part] = &[
    part("child_views", true),
    part("safety", true),
    part("family_relationships", true),
    part("health_education", false),
    part("identity_culture", false),
    part("options", true),
    part("risk_reasons", true),
];

const BEST_INTERESTS_DETERMINATION: &[Part] =
    &[part("child_views", true), part("options", true), part("decision", true), part("panel", true)];

const HOME_STUDY: &[Part] = &[
    part("child_views", true),
    part("household", true),
    part("housing", true),
    part("income", false),
    part("motivation", true),
    part("recommendation", true),
];

/// The form of a kind, as the network publishes it: its version, and its parts in order.
pub fn form(kind: AssessmentKind) -> (u32, &'static [Part]) {
    match kind {
        AssessmentKind::BestInterestsAssessment => (1, BEST_INTERESTS_ASSESSMENT),
        AssessmentKind::BestInterestsDetermination => (1, BEST_INTERESTS_DETERMINATION),
        AssessmentKind::HomeStudy => (1, HOME_STUDY),
    }
}

/// What an assessment says: text per part of its form, and the risk level where the form
/// sets one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Answers {
    pub parts: BTreeMap<String, String>,
    pub risk: Option<RiskLevel>,
}

impl Answers {
    /// Reads answers to a kind's form: only its parts, each at most 20,000 characters of
    /// storable text; the risk level only on a best-interests assessment.
    pub fn parse(
        kind: AssessmentKind,
        parts: &BTreeMap<String, String>,
        risk: Option<&str>,
    ) -> Result<Self, DomainError> {
        let (_, form) = form(kind);
        let mut errors = Vec::new();
        let mut out = BTreeMap::new();
        for (key, value) in parts {
            let Some(p) = form.iter().find(|p| p.key == key) else {
                errors.push(FieldError::new("part", ErrorCode::InvalidChoice));
                continue;
            };
            match text::optional(p.key, value, 20_000) {
                Ok(v) if !v.is_empty() => {
                    out.insert(key.clone(), v);
                }
                Ok(_) => {}
                Err(e) => errors.push(e),
            }
        }
        let risk = match risk.map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(_) if kind != AssessmentKind::BestInterestsAssessment => {
                errors.push(FieldError::new("risk", ErrorCode::InvalidChoice));
                None
            }
            Some(r) => match RiskLevel::parse(r) {
                Some(level) => Some(level),
                None => {
                    errors.push(FieldError::new("risk", ErrorCode::InvalidChoice));
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok(Self { parts: out, risk })
        } else {
            Err(DomainError::Invalid(errors))
        }
    }

    /// The parts a submission still lacks (and the risk level of a best-interests assessment).
    pub fn missing(&self, kind: AssessmentKind) -> Vec<FieldError> {
        let (_, form) = form(kind);
        let mut out: Vec<FieldError> = form
            .iter()
            .filter(|p| p.required && !self.parts.contains_key(p.key))
            .map(|p| FieldError::new(p.key, ErrorCode::Required))
            .collect();
        if kind == AssessmentKind::BestInterestsAssessment && self.risk.is_none() {
            out.push(FieldError::new("risk", ErrorCode::Required));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn answers_and_what_is_missing() {
        let kind = AssessmentKind::BestInterestsAssessment;
        let a =
            Answers::parse(kind, &parts(&[("child_views", "Wants to live with his mother"), ("safety", " ")]), None)
                .unwrap();
        assert_eq!(a.parts.len(), 1, "an empty part is not an answer");
        let missing: Vec<_> = a.missing(kind).iter().map(|e| e.field).collect();
        assert_eq!(missing, ["safety", "family_relationships", "options", "risk_reasons", "risk"]);
        assert!(Answers::parse(kind, &parts(&[("favourite_colour", "blue")]), None).is_err());
        assert!(Answers::parse(kind, &parts(&[]), Some("extreme")).is_err());
        assert!(
            Answers::parse(AssessmentKind::HomeStudy, &parts(&[]), Some("high")).is_err(),
            "no risk on a home study"
        );
        let cleaned = Answers::parse(kind, &parts(&[("safety", "a\u{0}b")]), None).unwrap();
        assert_eq!(cleaned.parts["safety"], "ab", "control characters are dropped, as everywhere");
        let every_part = form(kind).1.iter().map(|p| (p.key.to_string(), "x".to_string())).collect();
        let whole = Answers::parse(kind, &every_part, Some("medium")).unwrap();
        assert!(whole.missing(kind).is_empty());
    }

    #[test]
    fn every_form_asks_for_the_childs_views() {
        for kind in AssessmentKind::ALL {
            assert!(form(*kind).1.iter().any(|p| p.key == "child_views" && p.required), "{kind}");
        }
    }
}
