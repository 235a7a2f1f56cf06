//! `kinbridge member add`: a new member of the network.

use std::process::ExitCode;

use kinbridge_domain::member::NewMember;

use super::{explain, DataOptions};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Add a member.
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// ISO 3166 two-letter country code.
        #[arg(long)]
        country: String,
        /// Languages it works in, e.g. "fr,de,en".
        #[arg(long, default_value = "en")]
        languages: String,
    },
    /// List the members.
    List,
}

pub async fn run(data: &DataOptions, c: Command) -> anyhow::Result<ExitCode> {
    let store = data.open().await?;
    match c {
        Command::Add { code, name, country, languages } => {
            let mut new = NewMember::parse(&code, &name, &country).map_err(|e| explain(e.into()))?;
            new.languages =
                kinbridge_domain::text::list(&languages, |l| kinbridge_domain::text::language("languages", l))
                    .map_err(|e| explain(kinbridge_domain::DomainError::Invalid(vec![e]).into()))?;
            let m = store.create_member(&new).await.map_err(explain)?;
            println!("Member {} ({}) added.", m.code.as_str(), m.country.name());
        }
        Command::List => {
            for m in store.members().await?.iter() {
                println!("{:<6} {:<3} {}", m.code.as_str(), m.country.code(), m.name);
            }
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
