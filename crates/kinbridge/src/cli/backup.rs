//! `kinbridge backup` and `kinbridge restore` for the embedded SQLite database. Documents
//! live as plain files in the data folder's `documents/`; copy that folder alongside.

use std::path::PathBuf;
use std::process::ExitCode;

use super::DataOptions;

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The backup file to create.
    #[arg(long)]
    to: PathBuf,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The backup file to restore from.
    #[arg(long)]
    from: PathBuf,
}

pub async fn backup(data: &DataOptions, a: BackupArgs) -> anyhow::Result<ExitCode> {
    let store = data.open_store().await?;
    store.backup_to(&a.to).await?;
    store.close().await;
    println!(
        "Database copied to {}. Copy {} as well for the documents.",
        a.to.display(),
        data.data_dir.join("documents").display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Replaces the database file, then records the rollback in the restored audit chain: the
/// checkpoints of the chain as it was are set aside (they saw entries the backup does not
/// have) and a new one is written.
pub async fn restore(data: &DataOptions, a: RestoreArgs) -> anyhow::Result<ExitCode> {
    let url = data.url();
    let Some(path) = url.strip_prefix("sqlite://").map(|p| p.split('?').next().unwrap_or(p)) else {
        anyhow::bail!("restore is for the embedded SQLite database; for PostgreSQL use pg_restore");
    };
    kinbridge_store::backup::restore_sqlite(&a.from, std::path::Path::new(path))?;
    let store = data.open_store().await?;
    store.supersede_audit_checkpoints(&format!("database restored from the backup {}", a.from.display())).await?;
    store.close().await;
    println!(
        "Database restored from {}. The audit checkpoints of the chain before the restore are kept aside in {}.",
        a.from.display(),
        data.data_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
