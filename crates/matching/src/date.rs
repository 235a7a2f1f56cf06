//! Fuzzy dates of birth: exact, partial ("1987", "03/1987") or estimated ("about 1987",
//! "~12" years old), and the ways they disagree in real records (typos, day and month swapped).

/// A date of birth as far as it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FuzzyDate {
    pub year: i32,
    /// 1–12, or 0 when unknown.
    pub month: u8,
    /// 1–31, or 0 when unknown.
    pub day: u8,
    /// How many years either side the year may be off (0 for a recorded date).
    pub approx_years: u8,
}

impl FuzzyDate {
    /// Parses the common written forms; `reference_year` turns an estimated age ("~12",
    /// "about 12") into an estimated year of birth. Returns None for anything unreadable.
    pub fn parse(raw: &str, reference_year: i32) -> Option<FuzzyDate> {
        let s = raw.trim().to_lowercase();
        let (estimated, rest) = strip_estimate(&s);
        let parts: Vec<&str> = rest.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty()).collect();
        let num = |p: &str| p.parse::<i32>().ok();
        let approx = if estimated { 2 } else { 0 };
        let date = match parts.as_slice() {
            [one] if one.len() == 8 => {
                let (y, m, d) = (num(&one[..4])?, num(&one[4..6])?, num(&one[6..])?);
                Self::full(y, m, d)?
            }
            [one] if one.len() == 4 => FuzzyDate { year: num(one)?, month: 0, day: 0, approx_years: approx },
            [one] if one.len() <= 3 && estimated => {
                let age = num(one)?;
                if age > 130 {
                    return None;
                }
                FuzzyDate { year: reference_year - age, month: 0, day: 0, approx_years: 2 }
            }
            [a, b, c] if a.len() == 4 => Self::full(num(a)?, num(b)?, num(c)?)?,
            [a, b, c] if c.len() == 4 => Self::full(num(c)?, num(b)?, num(a)?)?,
            [a, b] if a.len() == 4 => Self::partial(num(a)?, num(b)?)?,
            [a, b] if b.len() == 4 => Self::partial(num(b)?, num(a)?)?,
            _ => return None,
        };
        if !(1850..=2200).contains(&date.year) {
            return None;
        }
        Some(FuzzyDate { approx_years: date.approx_years.max(approx), ..date })
    }

    fn full(y: i32, m: i32, d: i32) -> Option<FuzzyDate> {
        // Accept a swapped day and month rather than lose the date: 1987-25-03.
        let (m, d) = if m > 12 && d <= 12 { (d, m) } else { (m, d) };
        ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some(FuzzyDate {
            year: y,
            month: m as u8,
            day: d as u8,
            approx_years: 0,
        })
    }

    fn partial(y: i32, m: i32) -> Option<FuzzyDate> {
        (1..=12).contains(&m).then_some(FuzzyDate { year: y, month: m as u8, day: 0, approx_years: 0 })
    }

    fn is_full(&self) -> bool {
        self.month > 0 && self.day > 0 && self.approx_years == 0
    }

    /// Days since 1970-01-01 (unknown day or month counted as the middle of the range).
    fn days(&self) -> i64 {
        let m = if self.month == 0 { 7 } else { self.month as i64 };
        let d = if self.day == 0 { 15 } else { self.day as i64 };
        days_from_civil(self.year as i64, m, d)
    }

    /// Eight digits (YYYYMMDD) for edit-distance comparison of full dates.
    pub fn digits(&self) -> [u8; 8] {
        let y = self.year.clamp(0, 9999) as u32;
        let (m, d) = (self.month as u32, self.day as u32);
        let digit = |v: u32| b'0' + (v % 10) as u8;
        [digit(y / 1000), digit(y / 100), digit(y / 10), digit(y), digit(m / 10), digit(m), digit(d / 10), digit(d)]
    }
}

fn strip_estimate(s: &str) -> (bool, &str) {
    for prefix in [
        "~", "about", "approx.", "approx", "ca.", "ca", "c.", "circa", "env.", "environ", "aprox.", "aprox", "hacia",
        "vers",
    ] {
        if let Some(rest) = s.strip_prefix(prefix) {
            return (true, rest.trim_start());
        }
    }
    for suffix in ["(estimated)", "(est.)", "est.", "?"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            return (true, rest.trim_end());
        }
    }
    (false, s)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// How two dates of birth agree, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateAgreement {
    Exact,
    /// One typing slip: one digit wrong or two swapped, or day and month exchanged.
    Typo,
    WithinMonth,
    /// Within a year, or compatible: a partial or estimated date that covers the other.
    WithinYear,
    WithinTenYears,
    Different,
}

pub fn compare(a: &FuzzyDate, b: &FuzzyDate) -> DateAgreement {
    if a.is_full() && b.is_full() {
        if a == b {
            return DateAgreement::Exact;
        }
        let (da, db) = (a.digits(), b.digits());
        let mut diff = [0usize; 8];
        let mut nd = 0;
        for i in 0..8 {
            if da[i] != db[i] {
                diff[nd] = i;
                nd += 1;
            }
        }
        let transposed = nd == 2 && diff[1] == diff[0] + 1 && da[diff[0]] == db[diff[1]] && da[diff[1]] == db[diff[0]];
        let swapped = a.year == b.year && a.month == b.day && a.day == b.month;
        if nd == 1 || transposed || swapped {
            return DateAgreement::Typo;
        }
    }
    let gap_days = (a.days() - b.days()).abs();
    if a.is_full() && b.is_full() && gap_days <= 31 {
        return DateAgreement::WithinMonth;
    }
    let slack = (a.approx_years.max(b.approx_years)) as i64 * 366;
    let compatible = a.year == b.year && (a.month == 0 || b.month == 0 || a.month == b.month);
    if compatible || gap_days <= 366 + slack {
        return DateAgreement::WithinYear;
    }
    if gap_days <= 3660 + slack {
        return DateAgreement::WithinTenYears;
    }
    DateAgreement::Different
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> FuzzyDate {
        FuzzyDate::parse(s, 2026).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn parses_common_forms() {
        assert_eq!(p("19870325"), p("1987-03-25"));
        assert_eq!(p("25/03/1987"), p("1987-03-25"));
        assert_eq!(p("25.03.1987"), p("1987/3/25"));
        assert_eq!(p("1987").month, 0);
        assert_eq!(p("03/1987").month, 3);
        assert_eq!(p("~12").year, 2014);
        assert_eq!(p("about 1980").approx_years, 2);
        assert!(FuzzyDate::parse("not a date", 2026).is_none());
        assert!(FuzzyDate::parse("1987-13-45", 2026).is_none());
    }

    #[test]
    fn agreement_levels() {
        use DateAgreement::*;
        assert_eq!(compare(&p("1987-03-25"), &p("19870325")), Exact);
        assert_eq!(compare(&p("1987-03-25"), &p("1987-03-26")), Typo);
        assert_eq!(compare(&p("1987-03-25"), &p("1978-03-25")), Typo);
        assert_eq!(compare(&p("1987-03-04"), &p("1987-04-03")), Typo);
        assert_eq!(compare(&p("1987-03-25"), &p("1987-04-10")), WithinMonth);
        assert_eq!(compare(&p("1987-03-25"), &p("1987")), WithinYear);
        assert_eq!(compare(&p("~12"), &p("2015-06-01")), WithinYear);
        assert_eq!(compare(&p("1987-03-25"), &p("1992-01-01")), WithinTenYears);
        assert_eq!(compare(&p("1987-03-25"), &p("2010-01-01")), Different);
    }
}
