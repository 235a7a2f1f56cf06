//! Free-text inputs: trimmed, bounded, and free of control characters that would break a
//! page or a CSV export.

use crate::error::FieldError;

/// Text that is required: non-empty after trimming, at most `max` characters.
pub fn required(field: &'static str, raw: &str, max: usize) -> Result<String, FieldError> {
    let t = clean(raw);
    if t.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    bounded(field, t, max)
}

/// Text that may be empty.
pub fn optional(field: &'static str, raw: &str, max: usize) -> Result<String, FieldError> {
    bounded(field, clean(raw), max)
}

fn bounded(field: &'static str, t: String, max: usize) -> Result<String, FieldError> {
    if t.chars().count() > max {
        Err(FieldError::new(field, "too_long"))
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

/// A calendar date `YYYY-MM-DD`.
pub fn date(field: &'static str, raw: &str) -> Result<chrono::NaiveDate, FieldError> {
    chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| FieldError::new(field, "invalid_date"))
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
        Err(FieldError::new(field, "invalid_email"))
    }
}

/// A two-letter lower-case language code (ISO 639-1).
pub fn language(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let l = raw.trim().to_lowercase();
    if l.len() == 2 && l.chars().all(|c| c.is_ascii_lowercase()) {
        Ok(l)
    } else {
        Err(FieldError::new(field, "invalid_language"))
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
