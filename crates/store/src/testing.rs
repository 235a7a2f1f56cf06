//! Fresh databases for tests: a new SQLite file or a new PostgreSQL database per test, so
//! tests run in parallel on both backends without seeing each other.

use std::path::PathBuf;

use crate::Backend;

/// The PostgreSQL server tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("KINBRIDGE_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database URL and data folder for one test. The folder is removed on drop; PostgreSQL
/// test databases are named `kb_test_*` and swept by the test script.
pub struct TestDatabase {
    pub url: String,
    pub data_dir: PathBuf,
}

impl TestDatabase {
    pub async fn new(backend: Backend) -> Self {
        let data_dir = std::env::temp_dir().join(format!("kinbridge-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&data_dir).expect("create test data dir");
        let url = match backend {
            Backend::Sqlite => crate::default_database_url(&data_dir),
            Backend::Postgres => {
                use sqlx::Connection;
                sqlx::any::install_default_drivers();
                let admin = postgres_admin_url();
                let name = format!("kb_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::AnyConnection::connect(&admin)
                    .await
                    .expect("PostgreSQL must run for the PostgreSQL tests (see scripts/test)");
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
                conn.close().await.ok();
                match admin.rsplit_once('/') {
                    Some((base, _)) => format!("{base}/{name}"),
                    None => panic!("KINBRIDGE_TEST_POSTGRES must end with a database name"),
                }
            }
        };
        Self { url, data_dir }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// Runs one async test body on SQLite and on PostgreSQL: `both_backends!(name, body_fn);`
/// expands to `name_sqlite` and `name_postgres`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::Backend::Postgres).await
            }
        }
    )+};
}
