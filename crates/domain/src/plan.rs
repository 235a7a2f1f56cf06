//! A case's plan: its goals, the tasks planned to reach them (each with an owner and a due
//! date), and the reviews of the plan. Pure: the rules of what a goal, task and review are.

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{invalid, DomainError, FieldError};
use crate::ids::{CaseId, UserId};
use crate::{text, vocabulary, ErrorCode};

vocabulary! {
    GoalStatus {
        Open => "open",
        Achieved => "achieved",
        Dropped => "dropped",
    }
}

/// A goal of a case plan.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Goal {
    pub id: String,
    pub text: String,
    pub status: GoalStatus,
    pub created_at: String,
}

/// A planned action: who does it, by when.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Task {
    pub id: String,
    pub case_id: CaseId,
    pub case_reference: String,
    pub goal_id: Option<String>,
    pub title: String,
    pub owner_id: UserId,
    pub owner_name: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub overdue: bool,
}

/// A review of the plan, held on a day, with what was found and when the next is due.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Review {
    pub id: String,
    pub held_on: NaiveDate,
    pub summary: String,
    pub next_review_on: Option<NaiveDate>,
    pub by_name: String,
}

/// A new task, parsed; the owner is checked against the case's member by the use case.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub title: String,
    pub owner: Option<UserId>,
    pub due_on: NaiveDate,
    pub goal_id: Option<String>,
}

impl NewTask {
    /// A task due today or later; no owner means the caller.
    pub fn parse(title: &str, owner: &str, due_on: &str, goal_id: &str, today: NaiveDate) -> Result<Self, DomainError> {
        let owner = match owner.trim() {
            "" => Ok(None),
            o => UserId::parse(o).map(Some).ok_or(FieldError::new("owner", ErrorCode::UnknownUser)),
        };
        let due = text::date("due_on", due_on).and_then(|d| {
            if d < today {
                Err(FieldError::new("due_on", ErrorCode::DateInPast))
            } else {
                Ok(d)
            }
        });
        let goal = Some(goal_id.trim()).filter(|g| !g.is_empty()).map(str::to_string);
        match (text::required("title", title, 500), owner, due) {
            (Ok(title), Ok(owner), Ok(due_on)) => Ok(Self { title, owner, due_on, goal_id: goal }),
            (a, b, c) => Err(invalid([a.err(), b.err(), c.err()])),
        }
    }
}

/// A review, parsed: held today or before; the next one, if set, after it.
#[derive(Debug, Clone)]
pub struct NewReview {
    pub held_on: NaiveDate,
    pub summary: String,
    pub next_review_on: Option<NaiveDate>,
}

impl NewReview {
    pub fn parse(held_on: &str, summary: &str, next_review_on: &str, today: NaiveDate) -> Result<Self, DomainError> {
        let held = text::date("held_on", held_on).and_then(|d| {
            if d > today {
                Err(FieldError::new("held_on", ErrorCode::DateInFuture))
            } else {
                Ok(d)
            }
        });
        let next = match next_review_on.trim() {
            "" => Ok(None),
            raw => text::date("next_review_on", raw).map(Some),
        };
        let next = match (&held, next) {
            (Ok(h), Ok(Some(n))) if n <= *h => Err(FieldError::new("next_review_on", ErrorCode::BeforeStart)),
            (_, n) => n,
        };
        match (held, text::required("summary", summary, 20_000), next) {
            (Ok(held_on), Ok(summary), Ok(next_review_on)) => Ok(Self { held_on, summary, next_review_on }),
            (a, b, c) => Err(invalid([a.err(), b.err(), c.err()])),
        }
    }
}

/// A goal's text, parsed.
pub fn goal_text(raw: &str) -> Result<String, DomainError> {
    text::required("goal", raw, 1000).map_err(|e| DomainError::Invalid(vec![e]))
}

/// Whether a task is late on `today`.
pub fn is_late(due_on: NaiveDate, done_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    done_on.is_none() && due_on < today
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
    }

    #[test]
    fn tasks() {
        let t = NewTask::parse("Call the school", "", "2026-12-10", "", today()).unwrap();
        assert_eq!((t.owner, t.due_on.to_string()), (None, "2026-12-10".to_string()));
        let e = NewTask::parse("", "nobody", "2026-12-01", "", today()).unwrap_err();
        let DomainError::Invalid(f) = e else { panic!() };
        let codes: Vec<_> = f.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            codes,
            [("title", ErrorCode::Required), ("owner", ErrorCode::UnknownUser), ("due_on", ErrorCode::DateInPast)]
        );
        assert!(NewTask::parse("x", "", "2026-02-30", "", today()).is_err());
    }

    #[test]
    fn reviews() {
        assert!(NewReview::parse("2026-12-05", "Went well", "2027-03-05", today()).is_ok());
        assert!(NewReview::parse("2026-12-06", "Future", "", today()).is_err());
        assert!(NewReview::parse("2026-12-05", "Next before", "2026-12-01", today()).is_err());
        assert!(NewReview::parse("2026-12-05", "\u{0}", "", today()).is_err());
    }

    #[test]
    fn lateness() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert!(is_late(d, None, today()));
        assert!(!is_late(d, Some(d), today()));
        assert!(!is_late(today(), None, today()));
    }
}
