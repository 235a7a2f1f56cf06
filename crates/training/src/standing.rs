//! Each person's standing on a course their curriculum makes compulsory: current until the
//! completion's validity ends, due once the renewal window opens, lapsed after; never done is
//! due for the window's length from the day the account was made, then lapsed. And which
//! reminder is owed: 60 and 30 days before expiry, on expiry, then to the supervisor.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Days after expiry when a supervisor is told a refresher is still not done.
pub const SUPERVISOR_AFTER_DAYS: u64 = 7;

/// How often a compulsory course must be renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Renewal {
    /// How long a completion counts, in months.
    pub validity_months: u32,
    /// How many days before expiry the course is shown as due.
    pub window_days: u32,
}

/// Where a person stands on one compulsory course on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Standing {
    Current {
        expires: NaiveDate,
    },
    /// Inside the renewal window (or new to the course): to be done by `by`.
    Due {
        by: NaiveDate,
    },
    Lapsed {
        since: NaiveDate,
    },
}

impl Standing {
    pub fn key(&self) -> &'static str {
        match self {
            Self::Current { .. } => "current",
            Self::Due { .. } => "due",
            Self::Lapsed { .. } => "lapsed",
        }
    }

    pub fn is_lapsed(&self) -> bool {
        matches!(self, Self::Lapsed { .. })
    }

    /// The day the course must be (re)done by.
    pub fn deadline(&self) -> NaiveDate {
        match *self {
            Self::Current { expires } => expires,
            Self::Due { by } => by,
            Self::Lapsed { since } => since,
        }
    }
}

impl Renewal {
    /// The day a completion stops counting.
    pub fn expiry(&self, completed: NaiveDate) -> NaiveDate {
        completed.checked_add_months(Months::new(self.validity_months)).unwrap_or(NaiveDate::MAX)
    }

    /// Where someone stands on `today`, given their last passing completion and the day their
    /// account (or their place in the curriculum) began.
    pub fn standing(&self, last_completed: Option<NaiveDate>, joined: NaiveDate, today: NaiveDate) -> Standing {
        let deadline = match last_completed {
            Some(done) => self.expiry(done),
            None => joined.checked_add_days(Days::new(u64::from(self.window_days))).unwrap_or(NaiveDate::MAX),
        };
        let window_opens = deadline.checked_sub_days(Days::new(u64::from(self.window_days))).unwrap_or(NaiveDate::MIN);
        if today >= deadline {
            Standing::Lapsed { since: deadline }
        } else if last_completed.is_none() || today >= window_opens {
            Standing::Due { by: deadline }
        } else {
            Standing::Current { expires: deadline }
        }
    }
}

/// A reminder about one course's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reminder {
    SixtyDays,
    ThirtyDays,
    Expired,
    /// To the learner's supervisors, a week after expiry.
    Supervisor,
}

impl Reminder {
    pub const ALL: [Reminder; 4] = [Self::SixtyDays, Self::ThirtyDays, Self::Expired, Self::Supervisor];

    pub fn key(&self) -> &'static str {
        match self {
            Self::SixtyDays => "60_days",
            Self::ThirtyDays => "30_days",
            Self::Expired => "expired",
            Self::Supervisor => "supervisor",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }

    /// The day this reminder about `deadline` is owed.
    pub fn day(&self, deadline: NaiveDate) -> NaiveDate {
        let before = |d| deadline.checked_sub_days(Days::new(d)).unwrap_or(NaiveDate::MIN);
        match self {
            Self::SixtyDays => before(60),
            Self::ThirtyDays => before(30),
            Self::Expired => deadline,
            Self::Supervisor => deadline.checked_add_days(Days::new(SUPERVISOR_AFTER_DAYS)).unwrap_or(NaiveDate::MAX),
        }
    }

    /// The latest reminder owed about `deadline` on `today`, if any. Only the latest is sent:
    /// after a server was off for a month, a learner gets one message, not three. Reminders
    /// are recorded by (person, course, deadline, kind), so each is sent once.
    pub fn owed(deadline: NaiveDate, today: NaiveDate) -> Option<Self> {
        Self::ALL.into_iter().rev().find(|r| r.day(deadline) <= today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn valid_then_due_then_lapsed_then_renewed() {
        let yearly = Renewal { validity_months: 12, window_days: 60 };
        let joined = d("2024-01-10");
        let done = Some(d("2025-03-15"));
        assert_eq!(yearly.standing(done, joined, d("2025-06-01")), Standing::Current { expires: d("2026-03-15") });
        assert_eq!(yearly.standing(done, joined, d("2026-01-13")), Standing::Current { expires: d("2026-03-15") });
        assert_eq!(yearly.standing(done, joined, d("2026-01-14")), Standing::Due { by: d("2026-03-15") });
        assert_eq!(yearly.standing(done, joined, d("2026-03-15")), Standing::Lapsed { since: d("2026-03-15") });
        assert_eq!(
            yearly.standing(Some(d("2026-04-01")), joined, d("2026-04-01")),
            Standing::Current { expires: d("2027-04-01") }
        );
        // A month-end completion expires on the last day of the month a year on.
        assert_eq!(Renewal { validity_months: 1, window_days: 0 }.expiry(d("2025-01-31")), d("2025-02-28"));
    }

    #[test]
    fn never_done_is_due_for_the_window_then_lapsed() {
        let r = Renewal { validity_months: 24, window_days: 30 };
        let joined = d("2026-05-01");
        assert_eq!(r.standing(None, joined, d("2026-05-01")), Standing::Due { by: d("2026-05-31") });
        assert_eq!(r.standing(None, joined, d("2026-05-31")), Standing::Lapsed { since: d("2026-05-31") });
    }

    #[test]
    fn one_reminder_owed_at_a_time() {
        let deadline = d("2026-06-30");
        assert_eq!(Reminder::owed(deadline, d("2026-04-30")), None);
        assert_eq!(Reminder::owed(deadline, d("2026-05-01")), Some(Reminder::SixtyDays));
        assert_eq!(Reminder::owed(deadline, d("2026-05-31")), Some(Reminder::ThirtyDays));
        assert_eq!(Reminder::owed(deadline, d("2026-06-30")), Some(Reminder::Expired));
        assert_eq!(Reminder::owed(deadline, d("2026-07-07")), Some(Reminder::Supervisor));
        assert_eq!(Reminder::parse("30_days"), Some(Reminder::ThirtyDays));
    }
}
