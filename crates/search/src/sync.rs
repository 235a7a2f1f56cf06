//! Keeping the index current: a full rebuild from the database, and catching up with the
//! change feed from the index's checkpoint. Both write the same documents, so a rebuilt index
//! answers as the live one does.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use kinbridge_store::indexing::IndexedTable;
use kinbridge_store::Store;

use crate::docs;
use crate::{Result, SearchIndex};

const PAGE: i64 = 1000;

async fn put_case(store: &Store, index: &SearchIndex, id: &str) -> Result<()> {
    match store.case_for_index(id).await? {
        Some(c) => index.put(docs::case_doc(c))?,
        None => index.delete("case", id)?,
    }
    Ok(())
}

async fn put_request(store: &Store, index: &SearchIndex, id: &str) -> Result<()> {
    match store.request_for_index(id).await? {
        Some(r) => index.put(docs::request_doc(r))?,
        None => index.delete("request", id)?,
    }
    Ok(())
}

async fn put_unit(store: &Store, index: &SearchIndex, id: &str) -> Result<()> {
    match store.unit_for_index(id).await? {
        Some(u) => index.put(docs::unit_doc(u))?,
        None => index.delete("unit", id)?,
    }
    Ok(())
}

/// Rebuilds the index from the database. `progress` is told how many documents are done.
pub async fn reindex(store: &Store, index: &SearchIndex, progress: impl Fn(u64)) -> Result<u64> {
    // Changes committed while the rebuild reads are after this point and are taken in by the
    // next catch-up, so nothing falls between the two.
    let head = store.search_head().await?;
    index.delete_all()?;
    let mut n = 0u64;
    for table in [IndexedTable::Cases, IndexedTable::Requests, IndexedTable::Units] {
        let mut after = String::new();
        loop {
            let ids = store.ids_after(table, &after, PAGE).await?;
            let Some(last) = ids.last() else { break };
            after = last.clone();
            for id in &ids {
                match table {
                    IndexedTable::Cases => put_case(store, index, id).await?,
                    IndexedTable::Requests => put_request(store, index, id).await?,
                    IndexedTable::Units => put_unit(store, index, id).await?,
                }
                n += 1;
            }
            progress(n);
        }
    }
    index.commit(head)?;
    Ok(n)
}

/// Takes in the changes after the index's checkpoint; returns how many entities it updated.
pub async fn catch_up(store: &Store, index: &SearchIndex) -> Result<usize> {
    let mut checkpoint = index.checkpoint()?;
    let mut updated = 0;
    loop {
        let changes = store.search_changes_after(checkpoint, 2000).await?;
        let Some((last, _, _)) = changes.last() else { break };
        let last = *last;
        let entities: BTreeSet<(String, String)> = changes.into_iter().map(|(_, e, id)| (e, id)).collect();
        for (entity, id) in &entities {
            match entity.as_str() {
                "case" => {
                    put_case(store, index, id).await?;
                    for r in store.request_ids_of_case(id).await? {
                        put_request(store, index, &r).await?;
                    }
                }
                "request" => put_request(store, index, id).await?,
                "unit" => put_unit(store, index, id).await?,
                _ => {}
            }
        }
        updated += entities.len();
        index.commit(last)?;
        checkpoint = last;
    }
    Ok(updated)
}

/// Brings an index up to date: rebuilt if it has never been filled, else caught up.
pub async fn prepare(store: &Store, index: &SearchIndex) -> Result<()> {
    if index.checkpoint()? == 0 && index.num_docs() == 0 {
        let started = std::time::Instant::now();
        let n = reindex(store, index, |_| {}).await?;
        tracing::info!(documents = n, seconds = started.elapsed().as_secs_f64(), "search index built");
    }
    catch_up(store, index).await?;
    Ok(())
}

/// The server's indexer: follows the change feed every second.
pub fn start(store: Store, index: Arc<SearchIndex>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(e) = prepare(&store, &index).await {
            tracing::warn!(error = %e, "search index could not be prepared");
        }
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if let Err(e) = catch_up(&store, &index).await {
                tracing::warn!(error = %e, "search index could not catch up");
            }
        }
    })
}
