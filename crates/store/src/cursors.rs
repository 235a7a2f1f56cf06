//! Named cursors on the change feed (`feed_cursors`): how far a follower other than the search
//! index (which keeps its own) has read.

use crate::rows::get;
use crate::Result;

/// A follower's position (0 before its first read).
pub async fn get_cursor(pool: &sqlx::AnyPool, name: &str) -> Result<i64> {
    let row =
        sqlx::query("SELECT seq FROM feed_cursors WHERE name = $1").bind(name.to_string()).fetch_optional(pool).await?;
    row.map_or(Ok(0), |r| get(&r, "seq"))
}

pub async fn set_cursor(pool: &sqlx::AnyPool, name: &str, seq: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO feed_cursors (name, seq) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq",
    )
    .bind(name.to_string())
    .bind(seq)
    .execute(pool)
    .await?;
    Ok(())
}
