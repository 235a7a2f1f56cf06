//! Free-text inputs: trimmed, bounded, and free of control characters that would break a
//! page or a CSV export.

use crate::error::FieldError;
use crate::ErrorCode;

/// Text that is required: something visible after trimming (not only spaces or invisible
/// formatting characters such as U+202E), at most `max` characters.
pub fn required(field: &'static str, raw: &str, max: usize) -> Result<String, FieldError> {
    let t = clean(raw);
    if t.chars().all(invisible) {
        return Err(FieldError::new(field, ErrorCode::Required));
    }
    bounded(field, t, max)
}

/// Characters that show nothing by themselves: white space, and the format characters that
/// change how text around them reads (zero widths, direction marks and overrides, the soft
/// hyphen, the byte-order mark, fillers).
pub fn invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180E}'
            | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}'
            | '\u{3164}' | '\u{FEFF}' | '\u{FFA0}')
}

/// The characters that reorder the text around them (explicit embeddings, overrides and
/// isolates, and the direction marks): `évil\u{202E}txt.exe` shows as `éviexe.txt`.
pub fn reorders(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text that may be empty.
pub fn optional(field: &'static str, raw: &str, max: usize) -> Result<String, FieldError> {
    bounded(field, clean(raw), max)
}

fn bounded(field: &'static str, t: String, max: usize) -> Result<String, FieldError> {
    if t.chars().count() > max {
        Err(FieldError::new(field, ErrorCode::TooLong))
    } else {
        Ok(t)
    }
}

/// Trims, normalises line ends and drops control characters other than newline and tab.
fn clean(raw: &str) -> String {
    let kept: String =
        raw.replace("\r\n", "\n").chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect();
    kept.trim().to_string()
}

/// A calendar date `YYYY-MM-DD` (that exists: not 2026-02-30), from 1900 to 2199.
pub fn date(field: &'static str, raw: &str) -> Result<chrono::NaiveDate, FieldError> {
    use chrono::Datelike;
    let raw = raw.trim();
    let shaped = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    match chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) if shaped && (1900..2200).contains(&d.year()) => Ok(d),
        _ => Err(FieldError::new(field, ErrorCode::InvalidDate)),
    }
}

/// A day, month or year in the past (`2019-03-12`, `2019-03`, `2019`), as written, for when
/// a person remembers only part of it ("last seen in 2019"). Refused: a day that does not
/// exist, a date before 1900 or after `today`.
pub fn past_partial_date(field: &'static str, raw: &str, today: chrono::NaiveDate) -> Result<String, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(String::new());
    }
    let err = || FieldError::new(field, ErrorCode::InvalidPartialDate);
    let parts: Vec<&str> = raw.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let num = |s: &str| s.parse::<u32>().map_err(|_| err());
    let (year, month, day) = match parts.as_slice() {
        [y] if digits(y, 4) => (num(y)? as i32, None, None),
        [y, m] if digits(y, 4) && digits(m, 2) => (num(y)? as i32, Some(num(m)?), None),
        [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) => (num(y)? as i32, Some(num(m)?), Some(num(d)?)),
        _ => return Err(err()),
    };
    let first = chrono::NaiveDate::from_ymd_opt(year, month.unwrap_or(1), day.unwrap_or(1)).ok_or_else(err)?;
    if year < 1900 {
        return Err(err());
    }
    if first > today {
        return Err(FieldError::new(field, ErrorCode::DateInFuture));
    }
    Ok(raw.to_string())
}

/// An e-mail address, lower-cased. Only the shape is checked; delivery proves the rest.
pub fn email(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let e = raw.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        })
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(e)
    } else {
        Err(FieldError::new(field, ErrorCode::InvalidEmail))
    }
}

/// A two-letter lower-case language code (ISO 639-1).
pub fn language(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let l = raw.trim().to_lowercase();
    if l.len() == 2 && l.chars().all(|c| c.is_ascii_lowercase()) {
        Ok(l)
    } else {
        Err(FieldError::new(field, ErrorCode::InvalidLanguage))
    }
}

/// A comma- or space-separated list parsed item by item.
pub fn list<T>(raw: &str, parse: impl Fn(&str) -> Result<T, FieldError>) -> Result<Vec<T>, FieldError> {
    raw.split([',', ' ', ';']).map(str::trim).filter(|s| !s.is_empty()).map(parse).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dates_must_exist_and_be_of_this_world() {
        assert!(date("d", "2026-02-28").is_ok());
        for bad in ["2026-02-30", "9999-99-99", "-5", "1800-01-01", "2026-2-3", "20260203", "+2026-02-03"] {
            assert_eq!(date("d", bad).unwrap_err().code, "invalid_date", "{bad}");
        }
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        assert_eq!(past_partial_date("d", "2019", today).unwrap(), "2019");
        assert_eq!(past_partial_date("d", " 2019-03 ", today).unwrap(), "2019-03");
        assert_eq!(past_partial_date("d", "", today).unwrap(), "");
        assert_eq!(past_partial_date("d", "2099", today).unwrap_err().code, "date_in_future");
        for bad in ["2026-02-30", "9999-99-99", "-5", "1800", "last spring"] {
            assert_eq!(past_partial_date("d", bad, today).unwrap_err().code, "invalid_partial_date", "{bad}");
        }
    }

    #[test]
    fn invisible_text_is_not_filled_in() {
        assert_eq!(required("title", "\u{202E}", 10).unwrap_err().code, "required");
        assert_eq!(required("title", "\u{200B}\u{FEFF} \u{2066}", 10).unwrap_err().code, "required");
        assert_eq!(required("title", "\u{202E}abc", 10).unwrap(), "\u{202E}abc", "visible text keeps its marks");
    }

    #[test]
    fn required_rejects_blank() {
        assert_eq!(required("title", "  \n", 10).unwrap_err().code, "required");
        assert_eq!(required("title", "abcdefghijk", 10).unwrap_err().code, "too_long");
        assert_eq!(required("title", " a\u{0}b ", 10).unwrap(), "ab");
    }

    #[test]
    fn emails() {
        assert_eq!(email("email", " A@Example.org ").unwrap(), "a@example.org");
        assert!(email("email", "a@b").is_err());
        assert!(email("email", "@b.org").is_err());
        assert!(email("email", "a b@c.org").is_err());
    }

    proptest! {
        #[test]
        fn cleaning_is_idempotent(s in ".*") {
            let once = optional("f", &s, usize::MAX).unwrap();
            let twice = optional("f", &once, usize::MAX).unwrap();
            prop_assert_eq!(once, twice);
        }
    }
}
