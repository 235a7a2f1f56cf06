//! The schema's migrations, embedded in the binary and run at open. Most serve both databases;
//! where SQLite and PostgreSQL need different SQL for the same step (a constraint SQLite can
//! only change by rebuilding the table, a trigger, a function), the step has one file per
//! backend under the same version. Applied migrations are never edited (sqlx checks each
//! one's checksum). On SQLite they run with foreign keys off, as SQLite's table rebuild
//! requires (a rebuild checks them itself before it commits), and each in its transaction.

use std::borrow::Cow;

use futures::future::BoxFuture;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

use crate::Backend;

/// One migration file as embedded by `build.rs`.
struct Embedded {
    version: i64,
    description: &'static str,
    backend: Option<Backend>,
    sql: &'static str,
}

const ALL: &[Embedded] = include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The migrations of one backend.
#[derive(Debug)]
struct ForBackend(Backend);

impl<'s> MigrationSource<'s> for ForBackend {
    fn resolve(self) -> BoxFuture<'s, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move {
            Ok(ALL
                .iter()
                .filter(|m| m.backend.is_none_or(|b| b == self.0))
                .map(|m| {
                    Migration::new(
                        m.version,
                        Cow::Borrowed(m.description),
                        MigrationType::Simple,
                        Cow::Borrowed(m.sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// Runs the pending migrations of the pool's backend.
pub(crate) async fn run(pool: &sqlx::AnyPool, backend: Backend) -> crate::Result<()> {
    use sqlx::Executor;
    let migrator = Migrator::new(ForBackend(backend)).await?;
    let mut conn = pool.acquire().await?;
    if backend == Backend::Sqlite {
        // Only outside a transaction does this take effect: here, before the migrations'.
        conn.execute("PRAGMA foreign_keys = OFF").await?;
    }
    let ran = migrator.run(&mut *conn).await;
    if backend == Backend::Sqlite {
        conn.execute("PRAGMA foreign_keys = ON").await?;
    }
    Ok(ran?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_version_once_per_backend_in_order() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let versions: Vec<i64> =
                ALL.iter().filter(|m| m.backend.is_none_or(|b| b == backend)).map(|m| m.version).collect();
            assert!(versions.windows(2).all(|w| w[0] < w[1]), "{backend:?}: {versions:?}");
            assert_eq!(versions.first(), Some(&1));
        }
    }
}
