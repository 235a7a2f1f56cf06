//! The command line: options shared by every subcommand that touches data (layered:
//! defaults, then `KINBRIDGE_*` environment, then flags), and one module per subcommand.

mod archive;
mod audit;
mod backup;
mod deid;
mod demo;
mod impact;
mod link;
mod member;
mod research;
mod search;
mod serve;
mod training;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kinbridge_casework::Casework;

#[derive(Parser)]
#[command(name = "kinbridge", version, about = "Casework across borders for child-protection organisations")]
pub struct Cli {
    #[command(flatten)]
    pub data: DataOptions,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Args, Clone)]
pub struct DataOptions {
    /// Database URL: `sqlite://FILE?mode=rwc` or `postgres://USER@HOST/DB`. Default: a SQLite file in the data folder.
    #[arg(long, env = "KINBRIDGE_DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Folder for the embedded database and documents.
    #[arg(long, env = "KINBRIDGE_DATA_DIR", global = true, default_value = "./kinbridge-data")]
    pub data_dir: PathBuf,
}

impl DataOptions {
    pub fn url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| kinbridge_store::default_database_url(&self.data_dir))
    }

    pub async fn open(&self) -> anyhow::Result<Casework> {
        Ok(Casework::over(self.open_store().await?)?)
    }

    /// The store alone, for the commands that administer it (audit, backup, migrations).
    pub async fn open_store(&self) -> anyhow::Result<kinbridge_store::Store> {
        std::fs::create_dir_all(&self.data_dir)?;
        Ok(kinbridge_store::Store::open(&self.url(), &self.data_dir).await?)
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the web server and API (and background work).
    Serve(serve::Args),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage members of the network.
    #[command(subcommand)]
    Member(member::Command),
    /// Manage user accounts.
    #[command(subcommand)]
    User(user::Command),
    /// Load the demo network into an empty database.
    Demo(demo::Args),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(audit::Command),
    /// Copy the embedded SQLite database to a file while it runs.
    Backup(backup::BackupArgs),
    /// Replace the embedded SQLite database with a backup (server stopped).
    Restore(backup::RestoreArgs),
    /// Link two CSV files of person records, or find duplicates in one.
    Link(link::Args),
    /// Find personal data in text and replace it with placeholders (research, publication).
    Deid(deid::Args),
    /// The de-identified research corpus.
    #[command(subcommand)]
    Research(research::Command),
    /// The archives: import scans and documents into a fonds.
    #[command(subcommand)]
    Archive(archive::Command),
    /// Social impact: indicators for a member and period.
    #[command(subcommand)]
    Impact(impact::Command),
    /// The academy: import question banks, print a member's compliance.
    #[command(subcommand)]
    Training(training::Command),
    /// Rebuild the search index from the database.
    Reindex,
    /// Search cases, request messages and archives (as the system administrator unless --as).
    Search(search::SearchArgs),
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(a) => serve::run(&cli.data, a).await,
        Command::Migrate => {
            let store = cli.data.open_store().await?;
            store.close().await;
            println!("Migrations applied to {}", redact(&cli.data.url()));
            Ok(ExitCode::SUCCESS)
        }
        Command::Member(c) => member::run(&cli.data, c).await,
        Command::User(c) => user::run(&cli.data, c).await,
        Command::Demo(a) => demo::run(&cli.data, a).await,
        Command::Audit(c) => audit::run(&cli.data, c).await,
        Command::Backup(a) => backup::backup(&cli.data, a).await,
        Command::Restore(a) => backup::restore(&cli.data, a).await,
        Command::Link(a) => link::run(a),
        Command::Deid(a) => deid::run(a),
        Command::Research(c) => research::run(&cli.data, c).await,
        Command::Archive(c) => archive::run(&cli.data, c).await,
        Command::Impact(c) => impact::run(&cli.data, c).await,
        Command::Training(c) => training::run(&cli.data, c).await,
        Command::Reindex => search::reindex(&cli.data).await,
        Command::Search(a) => search::search(&cli.data, a).await,
    }
}

/// A database URL without its password, for printing.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Explains a domain error on the command line.
pub fn explain(e: kinbridge_casework::Error) -> anyhow::Error {
    match e {
        kinbridge_casework::Error::Domain(kinbridge_domain::DomainError::Invalid(fields)) => {
            let list: Vec<String> =
                fields.iter().map(|f| format!("{}: {}", f.field, f.code.as_str().replace('_', " "))).collect();
            anyhow::anyhow!("invalid input — {}", list.join("; "))
        }
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_print() {
        assert_eq!(super::redact("postgres://kb:secret@db:5432/kb"), "postgres://kb:***@db:5432/kb");
        assert_eq!(super::redact("postgres://postgres@127.0.0.1/kb"), "postgres://postgres@127.0.0.1/kb");
    }
}
