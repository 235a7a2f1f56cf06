//! `kinbridge audit verify`: recomputes the audit chain and reports the first broken entry.

use std::process::ExitCode;

use kinbridge_store::audit::Verification;

use super::DataOptions;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Check that no audit entry was changed or deleted.
    Verify,
}

pub async fn run(data: &DataOptions, c: Command) -> anyhow::Result<ExitCode> {
    let Command::Verify = c;
    let store = data.open().await?;
    let result = store.verify_audit().await?;
    store.close().await;
    match result {
        Verification::Intact { entries } => {
            println!("Audit trail intact: {entries} entries verified.");
            Ok(ExitCode::SUCCESS)
        }
        Verification::Broken { seq, reason } => {
            println!("Audit trail BROKEN at entry {seq}: {reason}.");
            Ok(ExitCode::from(2))
        }
    }
}
