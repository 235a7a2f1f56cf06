//! Backups of the embedded database. PostgreSQL has its own tools (pg_dump), which do it better.

use std::path::Path;

use crate::{Backend, Result, Store, StoreError};

impl Store {
    /// A consistent copy of the SQLite database, taken while the server runs (`VACUUM INTO`).
    pub async fn backup_to(&self, file: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Unsupported(
                "backup is for the embedded SQLite database; for PostgreSQL use pg_dump",
            ));
        }
        if file.exists() {
            return Err(StoreError::Unsupported("the backup file exists already; choose a new name"));
        }
        sqlx::query("VACUUM INTO $1").bind(file.display().to_string()).execute(&self.pool).await?;
        Ok(())
    }
}

/// Replaces the SQLite database file with a backup. Run with the server stopped.
pub fn restore_sqlite(backup: &Path, database_file: &Path) -> std::io::Result<()> {
    // Check that the backup is an SQLite database before touching the live file.
    let mut header = [0u8; 16];
    std::io::Read::read_exact(&mut std::fs::File::open(backup)?, &mut header)?;
    if &header != b"SQLite format 3\0" {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "not an SQLite database"));
    }
    for suffix in ["-wal", "-shm"] {
        let side = database_file.with_file_name(format!(
            "{}{suffix}",
            database_file.file_name().and_then(|n| n.to_str()).unwrap_or("kinbridge.db")
        ));
        if side.exists() {
            std::fs::remove_file(side)?;
        }
    }
    let tmp = database_file.with_extension("restoring");
    std::fs::copy(backup, &tmp)?;
    std::fs::rename(tmp, database_file)
}
