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
use kinbridge_store::audit::append;
use kinbridge_store::research::{self, NewResearchItem};
use kinbridge_store::{archives, cursors};

use crate::{system_entry, Caller, Casework, Error, Result};

/// The research corpus's cursor on the change feed.
const FEED: &str = "research";

pub use kinbridge_store::research::ResearchItem;

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
            Some(u) => archives::page_texts(self.pool(), &u.id).await?,
            None => Vec::new(),
        };
        let Some(unit) = unit.filter(|_| !pages.is_empty()) else {
            let mut tx = self.begin_write().await?;
            if research::remove_item(&mut *tx, &id).await? {
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
        let mentioned = archives::mentioned_people(self.pool(), &unit.id).await?;
        for name in mentioned.into_iter().filter(|n| !known.contains(&fold(n))) {
            people.push(CasePerson {
                role: "person".into(),
                sex: String::new(),
                known: KnownPerson { names: vec![name], birth_dates: Vec::new(), identifiers: Vec::new() },
            });
        }
        let member_country = research::member_country(self.pool(), &unit.member_id).await?;
        // The title is left out: archivists often title an item by its people or its file
        // name ("haddad_fatima.pdf"), which no detector reads reliably.
        let (body, body_names, sealed) =
            self.pseudonymise(format!("archive:{}", unit.id), Lang::parse(&unit.language), people, pages).await?;
        let year = |d: Option<chrono::NaiveDate>| d.map(|d| i64::from(chrono::Datelike::year(&d)));
        let mut tx = self.begin_write().await?;
        let copy = NewResearchItem {
            id: &id,
            member_country: &member_country,
            level: unit.level.as_str(),
            language: &unit.language,
            year_from: year(unit.date_from),
            year_to: year(unit.date_to.or(unit.date_from)),
            body: &body,
            body_names: &body_names,
            reversal: &sealed,
        };
        research::upsert_item(&mut tx, &copy).await?;
        append(&mut tx, &[system_entry(AuditAction::Create, "research_item", Some(id.as_str()), None, "built")])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn research_cursor(&self) -> Result<i64> {
        Ok(cursors::get_cursor(self.pool(), FEED).await?)
    }

    async fn set_research_cursor(&self, seq: i64) -> Result<()> {
        Ok(cursors::set_cursor(self.pool(), FEED, seq).await?)
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
        let ids = archives::item_ids(self.pool()).await?;
        let live: std::collections::HashSet<String> =
            ids.iter().map(|id| self.pseudonym_key.token("research-item", id)).collect();
        for id in &ids {
            self.build_research_item(id).await?;
        }
        let stale: Vec<String> =
            research::item_ids(self.pool()).await?.into_iter().filter(|id| !live.contains(id)).collect();
        for id in stale {
            research::remove_item(self.pool(), &id).await?;
        }
        self.set_research_cursor(head).await?;
        Ok(research::item_count(self.pool()).await?.max(0) as usize)
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
        let words: Vec<String> = q.split_whitespace().map(str::to_string).collect();
        let (total, found) = research::search_items(self.pool(), &words, fake_names, limit).await?;
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
