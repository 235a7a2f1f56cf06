//! The change feed (`search_changes`): every change to a case, a request or an archive unit
//! writes its entity here in the changing transaction, and the search index and the research
//! archive follow it from their own cursors.

use crate::rows::{get, term};
use crate::{Result, Tx};

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Entity {
    Case,
    Request,
    Unit,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Case => "case",
            Self::Request => "request",
            Self::Unit => "unit",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "case" => Some(Self::Case),
            "request" => Some(Self::Request),
            "unit" => Some(Self::Unit),
            _ => None,
        }
    }
}

/// One change: its place in the feed, the entity and its id.
#[derive(Debug, Clone)]
pub struct Change {
    pub seq: i64,
    pub entity: Entity,
    pub id: String,
}

/// Records a change, in the writing transaction.
pub async fn changed(tx: &mut Tx, entity: Entity, id: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO search_changes (seq, entity, entity_id) SELECT COALESCE(MAX(seq), 0) + 1, $1, $2 FROM search_changes",
    )
    .bind(entity.as_str())
    .bind(id.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Changes after `seq`, oldest first, at most `limit`.
pub async fn after(pool: &sqlx::AnyPool, seq: i64, limit: i64) -> Result<Vec<Change>> {
    let rows = sqlx::query("SELECT seq, entity, entity_id FROM search_changes WHERE seq > $1 ORDER BY seq LIMIT $2")
        .bind(seq)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Change {
                seq: get(r, "seq")?,
                entity: term(&get::<String>(r, "entity")?, "change entity", Entity::parse)?,
                id: get(r, "entity_id")?,
            })
        })
        .collect()
}

/// The feed's last change (0 when empty).
pub async fn head(pool: &sqlx::AnyPool) -> Result<i64> {
    let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS s FROM search_changes").fetch_one(pool).await?;
    get(&row, "s")
}
