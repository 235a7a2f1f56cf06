//! Tracing requests: an inquirer looking for a person — who, their relation, where and when
//! the person was last seen. The person sought is recorded on the case (role `sought_person`),
//! so that the person index compares them with everyone else on a case with consent to tracing.

use chrono::NaiveDate;

use crate::case::NewPerson;
use crate::error::{invalid, DomainError, FieldError};
use crate::{text, vocabulary};

vocabulary! {
    /// Where a tracing request stands: open, or ended (found, not found, withdrawn).
    TracingStatus {
        Open => "open",
        Found => "found",
        NotFound => "not_found",
        Withdrawn => "withdrawn",
    }
}

#[derive(Debug, Clone)]
pub struct NewTracingRequest {
    pub sought: NewPerson,
    pub inquirer_name: String,
    /// What the sought person is to the inquirer ("brother", "birth mother", ...).
    pub relation: String,
    pub last_seen_place: String,
    /// As the inquirer tells it: "2015", "spring 2015", "03/2015".
    pub last_seen_on: String,
    pub circumstances: String,
}

impl NewTracingRequest {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        inquirer_name: &str,
        relation: &str,
        given_names: &str,
        family_name: &str,
        sex: &str,
        birth_date: &str,
        birth_date_estimated: bool,
        last_seen_place: &str,
        last_seen_on: &str,
        circumstances: &str,
        today: NaiveDate,
    ) -> Result<Self, DomainError> {
        let sought = NewPerson::parse(
            "sought_person",
            given_names,
            family_name,
            sex,
            birth_date,
            birth_date_estimated,
            "",
            "",
            today,
        );
        let sought_errors: Vec<FieldError> = match &sought {
            Err(DomainError::Invalid(fields)) => fields.clone(),
            _ => Vec::new(),
        };
        match (
            sought,
            text::required("inquirer_name", inquirer_name, 200),
            text::required("relation", relation, 100),
            text::optional("last_seen_place", last_seen_place, 200),
            text::past_partial_date("last_seen_on", last_seen_on, today),
            text::optional("circumstances", circumstances, 10_000),
        ) {
            (Ok(sought), Ok(inquirer_name), Ok(relation), Ok(last_seen_place), Ok(last_seen_on), Ok(circumstances)) => {
                Ok(Self { sought, inquirer_name, relation, last_seen_place, last_seen_on, circumstances })
            }
            (_, a, b, c, d, e) => {
                let mut errors = sought_errors;
                if let DomainError::Invalid(more) = invalid([a.err(), b.err(), c.err(), d.err(), e.err()]) {
                    errors.extend(more);
                }
                Err(DomainError::Invalid(errors))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn parses_and_reports_every_missing_field() {
        let ok = NewTracingRequest::parse(
            "Selam Tesfay",
            "brother",
            "Dawit",
            "Tesfay",
            "male",
            "~20",
            false,
            "Tripoli",
            "2015",
            "",
            today(),
        )
        .unwrap();
        assert_eq!(ok.sought.role.as_str(), "sought_person");
        assert!(ok.sought.birth_date.is_some_and(|b| b.estimated));
        let err = NewTracingRequest::parse("", "", "", "", "alien", "", false, "", "", "", today()).unwrap_err();
        let DomainError::Invalid(fields) = err else { panic!() };
        let names: Vec<&str> = fields.iter().map(|f| f.field).collect();
        for expected in ["given_names", "sex", "inquirer_name", "relation"] {
            assert!(names.contains(&expected), "{names:?}");
        }
    }
}
