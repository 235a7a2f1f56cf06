//! Archive text in the research corpus: de-identified copies of what archive items say, kept
//! current by following the change feed (the one the search index follows).
//!
//! Open and personal items are copied; adoption files never are (they are opened only through
//! a guided search of origins, for the person concerned). The people an item names (the names
//! read from its text at import, and the people of the case it is linked to) are replaced in
//! any spelling, other names found in the text too; dates are shifted by one offset per item,
//! ages become bands, towns their region or country, other places below country level and
//! identifiers placeholders. The item's dates are kept as years only, and its title (often a
//! name or a file name) not at all. The copy's id is a keyed token of the item id, and the
//! table that reverses the stand-ins is sealed with the data protection officer's key.

use kinbridge_domain::archive::{Level, Restriction};
use kinbridge_domain::audit::AuditAction;
use kinbridge_matching::normalize::fold;
use kinbridge_privacy::pseudo::CasePerson;
use kinbridge_privacy::{KnownPerson, Lang};
use serde::Serialize;

use crate::{get, now, system_entry, Caller, Casework, Error, Result};
use kinbridge_store::audit::append;

/// The research corpus's cursor on the change feed.
const FEED: &str = "research";

/// A de-identified archive item as researchers see it.
#[derive(Debug, Clone, Serialize)]
pub struct ResearchItem {
    pub id: String,
    pub member_country: String,
    pub level: String,
    pub language: String,
    pub year_from: Option<i64>,
    pub year_to: Option<i64>,
    pub body: String,
}

impl Casework {
    /// Builds (or removes, if the item is gone, restricted to adoption searches, or has no
    /// text) the research copy of an archive item. The same item and key always give the
    /// same copy.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn build_research_item(&self, unit_id: &str) -> Result<()> {
        let id = self.pseudonym_key.token("research-item", unit_id);
        let unit = self.fetch_unit(unit_id).await?;
        let unit = unit.filter(|u| u.level == Level::Item && u.restriction != Restriction::Adoption);
        let pages: Vec<String> = match &unit {
            Some(u) => sqlx::query("SELECT body FROM archive_pages WHERE item_id = $1 ORDER BY page_no")
                .bind(u.id.clone())
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| get::<String>(r, "body"))
                .filter(|b| b.as_ref().map_or(true, |b| !b.trim().is_empty()))
                .collect::<Result<_>>()?,
            None => Vec::new(),
        };
        let Some(unit) = unit.filter(|_| !pages.is_empty()) else {
            let mut tx = self.begin_write().await?;
            let gone = sqlx::query("DELETE FROM research_items WHERE id = $1").bind(&id).execute(&mut *tx).await?;
            if gone.rows_affected() > 0 {
                append(
                    &mut tx,
                    &[system_entry(AuditAction::Update, "research_item", Some(id.as_str()), None, "removed")],
                )
                .await?;
            }
            tx.commit().await?;
            return Ok(());
        };
        // The people of the linked case keep their roles; the names read from the text at
        // import are people too.
        let mut people: Vec<CasePerson> = match &unit.case_id {
            Some(case_id) => {
                crate::cases::people_of(self.pool(), case_id).await?.iter().map(crate::research::case_person).collect()
            }
            None => Vec::new(),
        };
        let known: Vec<String> = people.iter().flat_map(|p| p.known.names.iter().map(|n| fold(n))).collect();
        let mentioned: Vec<String> = sqlx::query(
            "SELECT DISTINCT value FROM archive_entities WHERE item_id = $1 AND kind = 'person' ORDER BY value",
        )
        .bind(unit.id.clone())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| get::<String>(r, "value"))
        .collect::<Result<_>>()?;
        for name in mentioned.into_iter().filter(|n| !known.contains(&fold(n))) {
            people.push(CasePerson {
                role: "person".into(),
                sex: String::new(),
                known: KnownPerson { names: vec![name], birth_dates: Vec::new(), identifiers: Vec::new() },
            });
        }
        let member_country: String = get(
            &sqlx::query("SELECT country FROM members WHERE id = $1")
                .bind(unit.member_id.clone())
                .fetch_one(self.pool())
                .await?,
            "country",
        )?;
        // The title is left out: archivists often title an item by its people or its file
        // name ("haddad_fatima.pdf"), which no detector reads reliably.
        let (body, body_names, sealed) =
            self.pseudonymise(format!("archive:{}", unit.id), Lang::parse(&unit.language), people, pages).await?;
        let year = |d: Option<chrono::NaiveDate>| d.map(|d| i64::from(chrono::Datelike::year(&d)));
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO research_items (id, member_country, level, language, year_from, year_to, body, body_names, search_text, reversal, built_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (id) DO UPDATE SET member_country = excluded.member_country, level = excluded.level, language = excluded.language, \
               year_from = excluded.year_from, year_to = excluded.year_to, body = excluded.body, body_names = excluded.body_names, \
               search_text = excluded.search_text, reversal = excluded.reversal, built_at = excluded.built_at",
        )
        .bind(&id)
        .bind(member_country)
        .bind(unit.level.as_str())
        .bind(unit.language.clone())
        .bind(year(unit.date_from))
        .bind(year(unit.date_to.or(unit.date_from)))
        .bind(&body)
        .bind(&body_names)
        .bind(body.to_lowercase())
        .bind(sealed)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &[system_entry(AuditAction::Create, "research_item", Some(id.as_str()), None, "built")])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn research_cursor(&self) -> Result<i64> {
        let row =
            sqlx::query("SELECT seq FROM feed_cursors WHERE name = $1").bind(FEED).fetch_optional(self.pool()).await?;
        row.map_or(Ok(0), |r| get(&r, "seq"))
    }

    async fn set_research_cursor(&self, seq: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO feed_cursors (name, seq) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq",
        )
        .bind(FEED)
        .bind(seq)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Takes in the archive changes after the research corpus's cursor: each changed item's
    /// copy is built again (or removed). Returns how many items it looked at. Run by the job
    /// worker; safe to run from two processes at once (a copy is the same whoever builds it).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn follow_research_feed(&self) -> Result<usize> {
        let mut cursor = self.research_cursor().await?;
        let mut seen = 0;
        loop {
            let changes = self.search_changes_after(cursor, 500).await?;
            let Some(last) = changes.last().map(|c| c.seq) else { break };
            let units: std::collections::BTreeSet<String> =
                changes.into_iter().filter(|c| c.entity == kinbridge_store::feed::Entity::Unit).map(|c| c.id).collect();
            for id in &units {
                self.build_research_item(id).await?;
            }
            seen += units.len();
            self.set_research_cursor(last).await?;
            cursor = last;
        }
        Ok(seen)
    }

    /// Rebuilds the research copies of every archive item; returns how many items have one.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn rebuild_research_archive(&self) -> Result<usize> {
        // Changes after this point are taken in by the next follow; nothing falls between.
        let head = self.search_head().await?;
        let ids: Vec<String> = sqlx::query("SELECT id FROM archive_units WHERE level = 'item' ORDER BY id")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| get::<String>(r, "id"))
            .collect::<Result<_>>()?;
        let live: std::collections::HashSet<String> =
            ids.iter().map(|id| self.pseudonym_key.token("research-item", id)).collect();
        for id in &ids {
            self.build_research_item(id).await?;
        }
        let stale: Vec<String> = sqlx::query("SELECT id FROM research_items")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| get::<String>(r, "id"))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter(|id| !live.contains(id))
            .collect();
        for id in stale {
            sqlx::query("DELETE FROM research_items WHERE id = $1").bind(id).execute(self.pool()).await?;
        }
        self.set_research_cursor(head).await?;
        let row = sqlx::query("SELECT COUNT(*) AS n FROM research_items").fetch_one(self.pool()).await?;
        Ok(get::<i64>(&row, "n")? as usize)
    }

    /// Searches the de-identified archive text (researchers and the data protection officer
    /// only): every word of `q` must occur. People shown as labels, or as fake names with
    /// `fake_names`. Audited.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn research_archive_search(
        &self,
        caller: &Caller,
        q: &str,
        fake_names: bool,
        limit: i64,
    ) -> Result<(i64, Vec<ResearchItem>)> {
        caller.actor.require(caller.actor.can_read_research()).map_err(Error::from)?;
        let words: Vec<String> = q.split_whitespace().take(8).map(|w| format!("%{}%", w.to_lowercase())).collect();
        let mut sql = String::from("FROM research_items WHERE 1 = 1");
        for i in 0..words.len() {
            sql.push_str(&format!(" AND search_text LIKE ${}", i + 1));
        }
        let count_sql = format!("SELECT COUNT(*) AS n {sql}");
        let page_sql = format!(
            "SELECT id, member_country, level, language, year_from, year_to, {} AS body {sql} ORDER BY year_to DESC, id LIMIT {}",
            if fake_names { "body_names" } else { "body" },
            limit.clamp(1, 200)
        );
        let mut count = sqlx::query(&count_sql);
        let mut page = sqlx::query(&page_sql);
        for w in &words {
            count = count.bind(w.clone());
            page = page.bind(w.clone());
        }
        let total: i64 = get(&count.fetch_one(self.pool()).await?, "n")?;
        let rows = page.fetch_all(self.pool()).await?;
        let found = rows
            .iter()
            .map(|r| {
                Ok(ResearchItem {
                    id: get(r, "id")?,
                    member_country: get(r, "member_country")?,
                    level: get(r, "level")?,
                    language: get(r, "language")?,
                    year_from: get(r, "year_from")?,
                    year_to: get(r, "year_to")?,
                    body: get(r, "body")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.audit(vec![caller.entry(
            AuditAction::Read,
            "research_corpus",
            None,
            &format!("archive search: {} hits", found.len()),
        )])
        .await?;
        Ok((total, found))
    }
}
