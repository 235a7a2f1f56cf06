//! Reporting periods, written the way DHIS2 writes them so a figure can be pushed to a national
//! DHIS2 as it is: `202507` (month), `2025Q3` (quarter), `2025` (calendar year), and financial
//! years named by the year they start in: `2025April` (April 2025 to March 2026), `2025July`,
//! `2025Oct`. `2025-07` is read as a month too, because people type it.

use chrono::{Datelike, NaiveDate};
use std::fmt;

/// The month a financial year starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FinancialStart {
    April,
    July,
    October,
}

impl FinancialStart {
    fn month(self) -> u32 {
        match self {
            Self::April => 4,
            Self::July => 7,
            Self::October => 10,
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Self::April => "April",
            Self::July => "July",
            Self::October => "Oct",
        }
    }
}

/// A span of days a figure is counted over: from `start` (included) to `end` (excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Month { year: i32, month: u32 },
    Quarter { year: i32, quarter: u32 },
    Year { year: i32 },
    Financial { year: i32, start: FinancialStart },
}

/// Why a period was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a period: {0:?} (examples: 2025, 2025Q3, 202507, 2025-07, 2025April, 2025July, 2025Oct)")]
pub struct BadPeriod(pub String);

const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

impl Period {
    pub fn parse(text: &str) -> Result<Self, BadPeriod> {
        let bad = || BadPeriod(text.chars().take(40).collect());
        let t = text.trim();
        if t.len() < 4 || !t.is_char_boundary(4) {
            return Err(bad());
        }
        let (head, rest) = t.split_at(4);
        if !head.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = head.parse().map_err(|_| bad())?;
        if !YEARS.contains(&year) {
            return Err(bad());
        }
        let number = |s: &str| -> Option<u32> {
            (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
        };
        let period = match rest {
            "" => Self::Year { year },
            "April" => Self::Financial { year, start: FinancialStart::April },
            "July" => Self::Financial { year, start: FinancialStart::July },
            "Oct" => Self::Financial { year, start: FinancialStart::October },
            _ if rest.starts_with('Q') => {
                let quarter = number(&rest[1..]).filter(|q| (1..=4).contains(q)).ok_or_else(bad)?;
                Self::Quarter { year, quarter }
            }
            _ => {
                let digits = rest.strip_prefix('-').unwrap_or(rest);
                if digits.len() != 2 {
                    return Err(bad());
                }
                let month = number(digits).filter(|m| (1..=12).contains(m)).ok_or_else(bad)?;
                Self::Month { year, month }
            }
        };
        Ok(period)
    }

    /// The first day of the period.
    pub fn start(self) -> NaiveDate {
        let (year, month) = match self {
            Self::Month { year, month } => (year, month),
            Self::Quarter { year, quarter } => (year, quarter * 3 - 2),
            Self::Year { year } => (year, 1),
            Self::Financial { year, start } => (year, start.month()),
        };
        first_of(year, month)
    }

    /// The day after the period's last day.
    pub fn end(self) -> NaiveDate {
        self.following().start()
    }

    /// The period of the same kind just after this one.
    pub fn following(self) -> Self {
        self.shifted(1)
    }

    /// The period of the same kind just before this one.
    pub fn previous(self) -> Self {
        self.shifted(-1)
    }

    /// This period and the `n - 1` of the same kind before it, oldest first: a trend.
    pub fn trend(self, n: usize) -> Vec<Self> {
        let mut out: Vec<Self> = (0..n as i32).map(|k| self.shifted(-k)).collect();
        out.reverse();
        out
    }

    fn shifted(self, by: i32) -> Self {
        match self {
            Self::Month { year, month } => {
                let index = year * 12 + month as i32 - 1 + by;
                Self::Month { year: index.div_euclid(12), month: index.rem_euclid(12) as u32 + 1 }
            }
            Self::Quarter { year, quarter } => {
                let index = year * 4 + quarter as i32 - 1 + by;
                Self::Quarter { year: index.div_euclid(4), quarter: index.rem_euclid(4) as u32 + 1 }
            }
            Self::Year { year } => Self::Year { year: year + by },
            Self::Financial { year, start } => Self::Financial { year: year + by, start },
        }
    }

    /// Whether a day falls in the period.
    pub fn contains(self, day: NaiveDate) -> bool {
        self.start() <= day && day < self.end()
    }

    /// The period of this kind that holds `day`.
    pub fn of_kind_containing(self, day: NaiveDate) -> Self {
        let (year, month) = (day.year(), day.month());
        match self {
            Self::Month { .. } => Self::Month { year, month },
            Self::Quarter { .. } => Self::Quarter { year, quarter: (month - 1) / 3 + 1 },
            Self::Year { .. } => Self::Year { year },
            Self::Financial { start, .. } => {
                let year = if month >= start.month() { year } else { year - 1 };
                Self::Financial { year, start }
            }
        }
    }
}

fn first_of(year: i32, month: u32) -> NaiveDate {
    // Years are bounded when parsed and shifts stay within a few centuries of them.
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Month { year, month } => write!(f, "{year:04}{month:02}"),
            Self::Quarter { year, quarter } => write!(f, "{year:04}Q{quarter}"),
            Self::Year { year } => write!(f, "{year:04}"),
            Self::Financial { year, start } => write!(f, "{year:04}{}", start.suffix()),
        }
    }
}

impl std::str::FromStr for Period {
    type Err = BadPeriod;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn every_kind_has_its_bounds() {
        let cases = [
            ("202507", day(2025, 7, 1), day(2025, 8, 1)),
            ("2025-12", day(2025, 12, 1), day(2026, 1, 1)),
            ("2025Q1", day(2025, 1, 1), day(2025, 4, 1)),
            ("2025Q4", day(2025, 10, 1), day(2026, 1, 1)),
            ("2025", day(2025, 1, 1), day(2026, 1, 1)),
            ("2025April", day(2025, 4, 1), day(2026, 4, 1)),
            ("2025July", day(2025, 7, 1), day(2026, 7, 1)),
            ("2025Oct", day(2025, 10, 1), day(2026, 10, 1)),
        ];
        for (text, start, end) in cases {
            let p = Period::parse(text).unwrap();
            assert_eq!((p.start(), p.end()), (start, end), "{text}");
        }
        assert_eq!(Period::parse("2025-12").unwrap().to_string(), "202512");
        assert_eq!(Period::parse("2025Oct").unwrap().to_string(), "2025Oct");
    }

    #[test]
    fn nonsense_is_refused() {
        for text in [
            "",
            "25",
            "2025Q5",
            "2025Q0",
            "202513",
            "202500",
            "2025-1",
            "2025March",
            "20x5",
            "1800",
            "2025\0",
            "٢٠٢٥",
            "2025Q",
        ] {
            assert!(Period::parse(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn trends_walk_back_across_years() {
        let p = Period::parse("2025Q2").unwrap();
        let labels: Vec<String> = p.trend(4).into_iter().map(|p| p.to_string()).collect();
        assert_eq!(labels, ["2024Q3", "2024Q4", "2025Q1", "2025Q2"]);
        assert_eq!(Period::parse("202501").unwrap().previous().to_string(), "202412");
        assert_eq!(Period::parse("2025July").unwrap().previous().to_string(), "2024July");
    }

    #[test]
    fn a_day_finds_its_financial_year() {
        let fy = Period::parse("2020April").unwrap();
        assert_eq!(fy.of_kind_containing(day(2026, 3, 31)).to_string(), "2025April");
        assert_eq!(fy.of_kind_containing(day(2026, 4, 1)).to_string(), "2026April");
        assert!(Period::parse("2025April").unwrap().contains(day(2026, 3, 31)));
        assert!(!Period::parse("2025April").unwrap().contains(day(2025, 3, 31)));
    }
}
