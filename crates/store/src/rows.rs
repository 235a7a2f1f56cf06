//! Reading stored values back: a column of a result row (from sqlx or from a direct SQLite
//! connection), and the stored forms of dates and lists. A stored value that does not read as
//! what it should be is an error ([`StoreError::Corrupt`]), never a silent default.

use chrono::NaiveDate;
use sqlx::any::AnyRow;

use crate::{Result, StoreError};

/// A column of a sqlx result row.
pub fn get<T>(row: &AnyRow, col: &str) -> Result<T>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    use sqlx::Row;
    Ok(row.try_get(col)?)
}

/// A result row, from sqlx or from a direct SQLite connection (see `direct.rs`).
pub trait Columns {
    fn text(&self, col: &str) -> Result<String>;
    fn opt_text(&self, col: &str) -> Result<Option<String>>;
    fn int(&self, col: &str) -> Result<i64>;
}

impl Columns for AnyRow {
    fn text(&self, col: &str) -> Result<String> {
        get(self, col)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        get(self, col)
    }
    fn int(&self, col: &str) -> Result<i64> {
        get(self, col)
    }
}

impl Columns for rusqlite::Row<'_> {
    fn text(&self, col: &str) -> Result<String> {
        Ok(self.get(col)?)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        Ok(self.get(col)?)
    }
    fn int(&self, col: &str) -> Result<i64> {
        Ok(self.get(col)?)
    }
}

/// A stored day (`YYYY-MM-DD`).
pub fn date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| StoreError::Corrupt(format!("date {s:?}")))
}

/// A stored day that may be missing.
pub fn opt_date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.as_deref().map(date).transpose()
}

/// A stored word of a closed vocabulary (`parse` is the vocabulary's), named `what` in the
/// error when it is not one.
pub fn term<T>(s: &str, what: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
    parse(s).ok_or_else(|| StoreError::Corrupt(format!("{what} {s:?}")))
}

/// A stored comma-separated list.
pub fn list(s: &str) -> Vec<String> {
    s.split(',').filter(|x| !x.is_empty()).map(str::to_string).collect()
}

/// Whether an error is a uniqueness rule broken (a code taken, an e-mail in use, ...).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_stored_value_is_an_error_not_a_default() {
        assert_eq!(date("2026-02-03").unwrap(), NaiveDate::from_ymd_opt(2026, 2, 3).unwrap());
        assert!(matches!(date("2026-02-30"), Err(StoreError::Corrupt(_))));
        assert!(matches!(opt_date(Some("x".into())), Err(StoreError::Corrupt(_))));
        assert_eq!(opt_date(None).unwrap(), None);
        assert!(term("sideways", "status", |s| (s == "open").then_some(1)).is_err());
    }
}
