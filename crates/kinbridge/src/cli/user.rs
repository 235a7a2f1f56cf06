//! `kinbridge user add`: an account at a member. The password comes from
//! `KINBRIDGE_PASSWORD` or is asked for, never from a flag (flags end up in shell history).

use std::process::ExitCode;

use kinbridge_casework::accounts::NewUser;

use super::{explain, DataOptions};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Add an account.
    Add {
        /// Member code.
        #[arg(long)]
        member: String,
        /// caseworker, supervisor, member_admin, coordinator, researcher, archivist, data_protection_officer or system_admin.
        #[arg(long)]
        role: String,
        #[arg(long)]
        email: String,
        /// Display name (default: the part of the e-mail before @).
        #[arg(long, default_value = "")]
        name: String,
    },
}

pub async fn run(data: &DataOptions, c: Command) -> anyhow::Result<ExitCode> {
    let Command::Add { member, role, email, name } = c;
    let password = match std::env::var("KINBRIDGE_PASSWORD") {
        Ok(p) => p,
        Err(_) => rpassword::prompt_password(format!("Password for {email}: "))?,
    };
    let new = NewUser::parse(&member, &role, &email, &name, &password).map_err(|e| explain(e.into()))?;
    let store = data.open().await?;
    let user = store.create_user(&new).await.map_err(explain)?;
    println!("Account {} ({}) added at {}.", user.email, user.role, user.member_code);
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
