//! The archives repository (the reads moved here so far; the rest of the aggregate's SQL is
//! still in `kinbridge_casework::archives`).

use crate::rows::get;
use crate::Result;

/// The text of an item's pages that have any, in page order.
pub async fn page_texts(pool: &sqlx::AnyPool, item: &str) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT body FROM archive_pages WHERE item_id = $1 ORDER BY page_no")
        .bind(item.to_string())
        .fetch_all(pool)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let body: String = get(r, "body")?;
        if !body.trim().is_empty() {
            out.push(body);
        }
    }
    Ok(out)
}

/// The names of people read from an item's text at import, each once.
pub async fn mentioned_people(pool: &sqlx::AnyPool, item: &str) -> Result<Vec<String>> {
    sqlx::query("SELECT DISTINCT value FROM archive_entities WHERE item_id = $1 AND kind = 'person' ORDER BY value")
        .bind(item.to_string())
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| get::<String>(r, "value"))
        .collect()
}

/// The ids of every item (the lowest level of description).
pub async fn item_ids(pool: &sqlx::AnyPool) -> Result<Vec<String>> {
    sqlx::query("SELECT id FROM archive_units WHERE level = 'item' ORDER BY id")
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| get::<String>(r, "id"))
        .collect()
}
