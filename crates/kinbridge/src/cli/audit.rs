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
    let store = data.open_store().await?;
    let result = store.verify_audit().await?;
    store.close().await;
    match result {
        Verification::Intact { entries, checkpoints } => {
            println!("Audit trail intact: {entries} entries verified.");
            if checkpoints.is_empty() {
                println!("No checkpoint found outside the database: deletions from the end of the chain cannot be ruled out.");
            }
            for (place, seq, at) in checkpoints {
                println!("Agrees with the checkpoint of {at} (entry {seq}) in {place}.");
            }
            Ok(ExitCode::SUCCESS)
        }
        Verification::Broken { seq, reason } => {
            println!("Audit trail BROKEN at entry {seq}: {reason}.");
            Ok(ExitCode::from(2))
        }
    }
}
