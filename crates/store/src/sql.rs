//! A small builder for queries whose WHERE clauses depend on filters, with `$n`
//! placeholders that both SQLite and PostgreSQL understand.

use sqlx::any::AnyArguments;
use sqlx::{Any, Arguments};

pub type Tx = sqlx::Transaction<'static, Any>;

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
        self.args.push(arg);
        self.text.push_str(&format!("${}", self.args.len()));
        self
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
