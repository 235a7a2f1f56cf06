//! Keeping the search index current: a full rebuild from the database, and catching up with
//! the change feed (`search_changes`, written in the transaction of each change) from the
//! index's checkpoint. Both write the same documents, so a rebuilt index answers as the live
//! one does. The documents carry the reader tokens the index filters every query by.

use kinbridge_store::feed::Entity;
use std::collections::BTreeSet;

use chrono::NaiveDate;
use kinbridge_search::docs::{archivist, casework, IndexDoc, ADMIN, OPEN};
use kinbridge_search::SearchIndex;

use crate::archives::UnitForIndex;
use crate::indexing::{CaseForIndex, IndexedTable, RequestForIndex};
use crate::{Casework, Result};

const PAGE: i64 = 1000;

impl Casework {
    async fn put_case(&self, index: &SearchIndex, id: &str) -> Result<()> {
        match self.case_for_index(id).await? {
            Some(c) => index.put(case_doc(c))?,
            None => index.delete("case", id)?,
        }
        Ok(())
    }

    async fn put_request(&self, index: &SearchIndex, id: &str) -> Result<()> {
        match self.request_for_index(id).await? {
            Some(r) => index.put(request_doc(r))?,
            None => index.delete("request", id)?,
        }
        Ok(())
    }

    async fn put_unit(&self, index: &SearchIndex, id: &str) -> Result<()> {
        match self.unit_for_index(id).await? {
            Some(u) => index.put(unit_doc(u))?,
            None => index.delete("unit", id)?,
        }
        Ok(())
    }

    /// Rebuilds the index from the database. `progress` is told how many documents are done.
    #[tracing::instrument(skip_all, err)]
    pub async fn reindex(&self, index: &SearchIndex, progress: impl Fn(u64)) -> Result<u64> {
        // Changes committed while the rebuild reads are after this point and are taken in by
        // the next catch-up, so nothing falls between the two.
        let head = self.search_head().await?;
        index.delete_all()?;
        let mut n = 0u64;
        for table in [IndexedTable::Cases, IndexedTable::Requests, IndexedTable::Units] {
            let mut after = String::new();
            loop {
                let ids = self.ids_after(table, &after, PAGE).await?;
                let Some(last) = ids.last() else { break };
                after = last.clone();
                for id in &ids {
                    match table {
                        IndexedTable::Cases => self.put_case(index, id).await?,
                        IndexedTable::Requests => self.put_request(index, id).await?,
                        IndexedTable::Units => self.put_unit(index, id).await?,
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
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn catch_up_index(&self, index: &SearchIndex) -> Result<usize> {
        let mut checkpoint = index.checkpoint()?;
        let mut updated = 0;
        loop {
            let changes = self.search_changes_after(checkpoint, 2000).await?;
            let Some(last) = changes.last().map(|c| c.seq) else { break };
            let entities: BTreeSet<(Entity, String)> = changes.into_iter().map(|c| (c.entity, c.id)).collect();
            for (entity, id) in &entities {
                match entity {
                    Entity::Case => {
                        self.put_case(index, id).await?;
                        for r in self.request_ids_of_case(id).await? {
                            self.put_request(index, &r).await?;
                        }
                    }
                    Entity::Request => self.put_request(index, id).await?,
                    Entity::Unit => self.put_unit(index, id).await?,
                }
            }
            updated += entities.len();
            index.commit(last)?;
            checkpoint = last;
        }
        Ok(updated)
    }

    /// Brings an index up to date: rebuilt if it has never been filled, else caught up.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn prepare_index(&self, index: &SearchIndex) -> Result<()> {
        if index.checkpoint()? == 0 && index.num_docs() == 0 {
            let started = std::time::Instant::now();
            let n = self.reindex(index, |_| {}).await?;
            tracing::info!(documents = n, seconds = started.elapsed().as_secs_f64(), "search index built");
        }
        self.catch_up_index(index).await?;
        Ok(())
    }
}

fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok()
}

fn case_doc(c: CaseForIndex) -> IndexDoc {
    let language = kinbridge_privacy::language_code(&format!("{}\n{}", c.title, c.text)).to_string();
    IndexDoc {
        kind: "case",
        title: c.title,
        reference: c.reference,
        language,
        names: c.names,
        readers: vec![casework(&c.member_id), ADMIN.into()],
        open_from: None,
        member: c.member_code,
        country: c.partner_country.unwrap_or(c.country),
        service: Some(c.service),
        level: None,
        date: day(&c.opened_on),
        target: c.id.clone(),
        id: c.id,
        text: c.text,
    }
}

fn request_doc(r: RequestForIndex) -> IndexDoc {
    let language = kinbridge_privacy::language_code(&format!("{}\n{}", r.subject, r.text)).to_string();
    IndexDoc {
        kind: "request",
        title: r.subject,
        reference: r.kind,
        language,
        names: Vec::new(),
        readers: vec![casework(&r.from_member_id), casework(&r.to_member_id), ADMIN.into()],
        open_from: None,
        member: r.from_code,
        country: r.to_country,
        service: None,
        level: None,
        date: day(&r.sent_at),
        target: r.case_id,
        id: r.id,
        text: r.text,
    }
}

fn unit_doc(u: UnitForIndex) -> IndexDoc {
    let unit = u.unit;
    let mut readers = vec![archivist(&unit.member_id), ADMIN.into()];
    if unit.open_from.is_some() {
        readers.push(OPEN.into());
    }
    let mut text = String::new();
    for part in [&unit.creator, &unit.location] {
        if !part.is_empty() {
            text.push_str(part);
            text.push('\n');
        }
    }
    text.push_str(&u.text);
    let language = if unit.language.is_empty() {
        kinbridge_privacy::language_code(&text).to_string()
    } else {
        unit.language.clone()
    };
    IndexDoc {
        kind: "unit",
        title: unit.title,
        reference: unit.reference_code,
        language,
        names: u.names,
        readers,
        open_from: unit.open_from,
        member: unit.member_code,
        country: u.country,
        service: None,
        level: Some(unit.level.as_str().to_string()),
        date: unit.date_from.or(unit.date_to),
        target: unit.id.to_string(),
        id: unit.id.to_string(),
        text,
    }
}
