//! A small builder for queries whose WHERE clauses depend on filters, with `$n`
//! placeholders that both SQLite and PostgreSQL understand.

use sqlx::any::AnyArguments;
use sqlx::{Any, Arguments};

/// A write transaction: the database's transaction and the key its audit entries are chained
/// with. `&mut *tx` is its connection, for statements.
pub struct Tx {
    inner: sqlx::Transaction<'static, Any>,
    pub(crate) audit_key: kinbridge_domain::audit::AuditKey,
}

impl Tx {
    pub(crate) fn new(inner: sqlx::Transaction<'static, Any>, audit_key: kinbridge_domain::audit::AuditKey) -> Self {
        Self { inner, audit_key }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.inner.commit().await
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }
}

#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Int(i64),
}

#[derive(Debug, Default)]
pub struct Sql {
    pub text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(start: &str) -> Self {
        Self { text: start.to_string(), args: Vec::new() }
    }

    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// Appends a placeholder for `arg`.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        let placeholder = self.param(arg);
        self.text.push_str(&placeholder);
        self
    }

    /// Adds `arg` and returns its placeholder, for text built apart (a select list) and joined
    /// later: placeholders are numbered, so their order in the text does not matter.
    pub fn param(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    pub fn arguments(&self) -> Result<AnyArguments<'static>, sqlx::Error> {
        let mut a = AnyArguments::default();
        for arg in &self.args {
            match arg {
                Arg::Text(s) => a.add(s.clone()),
                Arg::Int(i) => a.add(*i),
            }
            .map_err(sqlx::Error::Encode)?;
        }
        Ok(a)
    }
}
