//! The research corpus: de-identified copies of closed cases, for researchers only (archive
//! text: [`crate::research_archive`]).
//!
//! A copy is built by a background job (see [`crate::jobs`]) when a case closes and removed
//! when it reopens. Structured fields are generalised (countries, years, age bands, sex,
//! outcome); the title, summary, child's views, notes and request messages are pseudonymised
//! with the data protection officer's key: the case's own people become "[CHILD-1]",
//! "[MOTHER-1]" in any spelling, other names "[PERSON-n]", dates are shifted by one offset per
//! case, ages become bands, places and identifiers placeholders. The copy's id is a keyed token
//! of the case id; the table that reverses the stand-ins is sealed with the key.

use chrono::Datelike;
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::case::{beneficiaries, CaseStatus};
use kinbridge_domain::ids::CaseId;
use kinbridge_domain::DomainError;
use kinbridge_domain::ErrorCode;
use kinbridge_privacy::disclosure::{suppress, Suppressed};
use kinbridge_privacy::pseudo::{CasePerson, NameStyle, PseudonymKey, Pseudonymiser};
use kinbridge_privacy::KnownPerson;
use kinbridge_store::audit::append;
use kinbridge_store::research::{self, NewResearchCase};
use serde::Serialize;

use crate::{system_entry, Caller, Casework, Error, Result};

pub use kinbridge_store::research::{ResearchBeneficiary, ResearchCase};

/// What every export from the corpus carries.
pub const DATA_USE_STATEMENT: &str = "De-identified data from the Kinbridge research corpus. For research, publication and training within the terms of your data-use agreement only. Do not attempt to re-identify any person. Counts under the suppression threshold, and the counts that would reveal them, are withheld.";

/// Whether the case's people consented to research use, and have not withdrawn it.
pub(crate) async fn research_consent<'e, E>(db: E, case_id: &CaseId) -> Result<bool>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(research::has_consent(db, case_id).await?)
}

/// One of a case's people as pseudonymisation knows them: role, sex, name and birth date.
pub(crate) fn case_person(p: &kinbridge_domain::case::Person) -> CasePerson {
    CasePerson {
        role: p.role.as_str().to_string(),
        sex: p.sex.as_str().to_string(),
        known: KnownPerson {
            names: vec![p.full_name()],
            birth_dates: p.birth_date.map(|b| b.to_storage()).into_iter().collect(),
            identifiers: Vec::new(),
        },
    }
}

impl Casework {
    /// Builds the research copy of a case, or removes it if the case is not closed or has no
    /// consent to research in force. Run by the job queue after a case closes or reopens, or
    /// its consent to research is given; the same case and key always give the same copy.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn build_research_case(&self, case_id: &str) -> Result<()> {
        let case_id = &CaseId::from_trusted(case_id.to_string());
        let Some(case) = kinbridge_store::cases::fetch_case(self.pool(), case_id).await? else { return Ok(()) };
        let id = self.pseudonym_key.token("research-case", case_id.as_str());
        if case.status != CaseStatus::Closed || !research_consent(self.pool(), case_id).await? {
            let mut tx = self.begin_write().await?;
            self.remove_research_copy(&mut tx, case_id).await?;
            tx.commit().await?;
            return Ok(());
        }
        let people = crate::cases::people_of(self.pool(), case_id).await?;
        let notes = crate::cases::notes_of(self.pool(), case_id).await?;
        let messages = research::request_messages_of_case(self.pool(), case_id).await?;
        let member_country = research::member_country(self.pool(), &case.member_id).await?;
        let case_people: Vec<CasePerson> = people.iter().map(case_person).collect();
        let texts: Vec<String> = [case.title.clone(), case.summary.clone(), case.child_views.clone()]
            .into_iter()
            .chain(notes.iter().map(|n| n.body.clone()))
            .chain(messages)
            .filter(|t| !t.trim().is_empty())
            .collect();
        let (body, body_names, sealed) = self.pseudonymise(case_id.to_string(), None, case_people, texts).await?;
        let beneficiaries: Vec<ResearchBeneficiary> = beneficiaries(&case, &people)
            .into_iter()
            .map(|b| ResearchBeneficiary {
                child: b.child,
                sex: b.sex.as_str().to_string(),
                age_band: b.age_band.as_str().to_string(),
            })
            .collect();
        let mut tx = self.begin_write().await?;
        // Checked again under the write lock: a withdrawal or reopening committed while the
        // copy was being made wins.
        let still_closed = kinbridge_store::cases::fetch_case(&mut *tx, case_id)
            .await?
            .is_some_and(|c| c.status == CaseStatus::Closed);
        if !still_closed || !research_consent(&mut *tx, case_id).await? {
            self.remove_research_copy(&mut tx, case_id).await?;
            tx.commit().await?;
            return Ok(());
        }
        let copy = NewResearchCase {
            id: &id,
            member_country: &member_country,
            partner_country: case.partner_country.as_deref(),
            service: case.service.as_str(),
            opened_year: i64::from(case.opened_on.year()),
            closed_year: case.closed_on.map(|d| i64::from(d.year())),
            outcome: case.outcome.map(|o| o.as_str()),
            beneficiaries: &beneficiaries,
            body: &body,
            body_names: &body_names,
            reversal: &sealed,
        };
        research::upsert(&mut tx, &copy).await?;
        append(&mut tx, &[system_entry(AuditAction::Create, "research_case", Some(id.as_str()), None, "built")])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes the research copy of a case, if it has one.
    pub(crate) async fn remove_research_copy(&self, tx: &mut crate::Tx, case_id: &CaseId) -> Result<()> {
        let id = self.pseudonym_key.token("research-case", case_id.as_str());
        if research::remove(&mut **tx, &id).await? {
            append(tx, &[system_entry(AuditAction::Update, "research_case", Some(id.as_str()), None, "removed")])
                .await?;
        }
        Ok(())
    }

    /// Rebuilds the research copies of every closed case and archive item (after a change of
    /// rules or key); returns how many cases and how many archive items have one.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn rebuild_research_corpus(&self) -> Result<(usize, usize)> {
        let ids = research::closed_with_consent(self.pool()).await?;
        let live: std::collections::HashSet<String> =
            ids.iter().map(|id| self.pseudonym_key.token("research-case", id)).collect();
        for id in &ids {
            self.build_research_case(id).await?;
        }
        // Copies whose case is no longer closed, has no consent to research, or no longer
        // exists go.
        let stale: Vec<String> =
            research::ids(self.pool()).await?.into_iter().filter(|id| !live.contains(id)).collect();
        for id in stale {
            research::remove(self.pool(), &id).await?;
        }
        let items = self.rebuild_research_archive().await?;
        Ok((ids.len(), items))
    }

    /// The texts of one case or item (`scope` keys its stand-ins and date shift), pseudonymised
    /// twice — people as labels, and as fake names — with the sealed table that reverses both.
    pub(crate) async fn pseudonymise(
        &self,
        scope: String,
        lang: Option<kinbridge_privacy::Lang>,
        people: Vec<CasePerson>,
        texts: Vec<String>,
    ) -> Result<(String, String, String)> {
        let key = self.pseudonym_key.clone();
        tokio::task::spawn_blocking(move || {
            let mut labels = Pseudonymiser::new(&key, &scope, lang, NameStyle::Label, people.clone());
            let mut names = Pseudonymiser::for_texts(&key, &scope, lang, NameStyle::FakeName, people, &texts);
            let body: Vec<String> = texts.iter().map(|t| labels.text(t)).collect();
            let body_names: Vec<String> = texts.iter().map(|t| names.text(t)).collect();
            let mut reversal = labels.reversal().to_vec();
            reversal.extend(names.reversal().iter().cloned());
            (body.join("\n\n"), body_names.join("\n\n"), hex::encode(key.seal(&reversal)))
        })
        .await
        .map_err(|_| Error::Unsupported("pseudonymisation stopped"))
    }

    fn require_research(&self, caller: &Caller) -> Result<()> {
        caller.actor.require(caller.actor.can_read_research()).map_err(Error::from)
    }

    /// Searches the research corpus (researchers and the data protection officer only): every
    /// word of `q` must occur in the de-identified text; optional service filter; people shown
    /// as labels, or as fake names with `fake_names`. Audited.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn research_search(
        &self,
        caller: &Caller,
        q: &str,
        service: Option<&str>,
        fake_names: bool,
        limit: i64,
    ) -> Result<(i64, Vec<ResearchCase>)> {
        self.require_research(caller)?;
        let words: Vec<String> = q.split_whitespace().map(str::to_string).collect();
        let (total, found) = research::search(self.pool(), &words, service, fake_names, limit).await?;
        self.audit(vec![caller.entry(
            AuditAction::Read,
            "research_corpus",
            None,
            &format!("search: {} hits", found.len()),
        )])
        .await?;
        Ok((total, found))
    }

    /// Closed cases by member country and outcome, with small cells suppressed (and the cells
    /// that would give them away); for publication. Rows: countries; columns: outcomes.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn research_outcome_table(&self, caller: &Caller, threshold: Option<u64>) -> Result<OutcomeTable> {
        self.require_research(caller)?;
        let threshold = self.disclosure.threshold(threshold)?;
        let mut countries: Vec<String> = Vec::new();
        let mut outcomes: Vec<String> = Vec::new();
        let cells = research::outcome_counts(self.pool()).await?;
        for (c, o, _) in &cells {
            if !countries.contains(c) {
                countries.push(c.clone());
            }
            if !outcomes.contains(o) {
                outcomes.push(o.clone());
            }
        }
        outcomes.sort();
        let mut counts = vec![vec![0u64; outcomes.len()]; countries.len()];
        for (c, o, n) in cells {
            if let (Some(i), Some(j)) = (countries.iter().position(|x| *x == c), outcomes.iter().position(|x| *x == o))
            {
                counts[i][j] = n.max(0) as u64;
            }
        }
        self.audit(vec![caller.entry(
            AuditAction::Read,
            "research_corpus",
            None,
            &format!("outcome table, threshold {threshold}"),
        )])
        .await?;
        Ok(OutcomeTable { rows: countries, columns: outcomes, table: suppress(&counts, threshold), threshold })
    }

    /// The stand-in table of one research copy, opened by the data protection officer with
    /// their key (given by them; the server never shows it). Audited.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn research_reversal(
        &self,
        caller: &Caller,
        key_hex: &str,
        research_id: &str,
    ) -> Result<Vec<(String, String)>> {
        caller.actor.require(caller.actor.role == kinbridge_domain::access::Role::DataProtectionOfficer)?;
        let key = PseudonymKey::from_hex(key_hex).map_err(|_| DomainError::field("key", ErrorCode::InvalidKey))?;
        let sealed = research::reversal(self.pool(), research_id).await?.ok_or_else(Error::not_found)?;
        let sealed = hex::decode(sealed).map_err(|e| Error::corrupt(format!("research_cases.reversal: {e}")))?;
        let table = key.unseal(&sealed).map_err(|_| DomainError::field("key", ErrorCode::InvalidKey))?;
        self.audit(vec![caller.entry(
            AuditAction::Read,
            "research_case",
            Some(research_id),
            "stand-ins reversed with the key",
        )])
        .await?;
        Ok(table)
    }
}

/// One de-identified case in a record-level export.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ResearchRecord {
    pub id: String,
    pub member_country: String,
    pub service: String,
    /// A year, or a five-year band ("2015-2019") where a single year would single the case out.
    pub opened: String,
    pub outcome: String,
    pub children: i64,
    pub adults: i64,
}

impl Casework {
    /// Record-level export of the corpus that is k-anonymous on its quasi-identifiers (member
    /// country, service, year opened, outcome): years are widened to five-year bands where a
    /// group is smaller than `k`, and records still in a smaller group are withheld. Returns
    /// the records and how many were withheld. Audited.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn research_records(&self, caller: &Caller, k: Option<usize>) -> Result<RecordExport> {
        self.require_research(caller)?;
        let k = self.disclosure.k(k)?;
        let mut records: Vec<ResearchRecord> = research::records(self.pool())
            .await?
            .into_iter()
            .map(|r| ResearchRecord {
                children: r.beneficiaries.iter().filter(|x| x.child == Some(true)).count() as i64,
                adults: r.beneficiaries.iter().filter(|x| x.child == Some(false)).count() as i64,
                id: r.id,
                member_country: r.member_country,
                service: r.service,
                opened: r.opened_year.to_string(),
                outcome: r.outcome,
            })
            .collect();
        let quasi =
            |r: &ResearchRecord| vec![r.member_country.clone(), r.service.clone(), r.opened.clone(), r.outcome.clone()];
        let small = |records: &[ResearchRecord]| {
            let rows: Vec<Vec<String>> = records.iter().map(quasi).collect();
            kinbridge_privacy::disclosure::k_anonymity_violations(&rows, &[0, 1, 2, 3], k)
                .into_iter()
                .map(|(key, _)| key)
                .collect::<std::collections::HashSet<Vec<String>>>()
        };
        let too_small = small(&records);
        for r in records.iter_mut().filter(|r| too_small.contains(&quasi(r))) {
            if let Ok(y) = r.opened.parse::<i64>() {
                let from = y - y.rem_euclid(5);
                r.opened = format!("{from}-{}", from + 4);
            }
        }
        let still = small(&records);
        let before = records.len();
        records.retain(|r| !still.contains(&quasi(r)));
        let withheld = before - records.len();
        self.audit(vec![caller.entry(
            AuditAction::Read,
            "research_corpus",
            None,
            &format!("record export: {} records, {withheld} withheld, k {k}", records.len()),
        )])
        .await?;
        Ok(RecordExport { records, withheld, k })
    }
}

/// The smallest suppression threshold and the smallest k that the data protection officer
/// allows (server configuration). A request may ask for more, never for less.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisclosureFloor {
    threshold: u64,
    k: usize,
}

impl Default for DisclosureFloor {
    fn default() -> Self {
        Self { threshold: 5, k: 5 }
    }
}

impl DisclosureFloor {
    /// Both at least 2: a threshold of 1 suppresses nothing, and a group of one is a person.
    pub fn new(threshold: u64, k: usize) -> Option<Self> {
        (threshold >= 2 && k >= 2).then_some(Self { threshold, k })
    }

    pub fn threshold_floor(&self) -> u64 {
        self.threshold
    }

    pub fn k_floor(&self) -> usize {
        self.k
    }

    /// The threshold to use: the one asked for (refused below the floor), else the floor.
    pub fn threshold(&self, asked: Option<u64>) -> Result<u64> {
        match asked {
            Some(t) if t < self.threshold => Err(Error::BelowFloor { field: "threshold", floor: self.threshold }),
            Some(t) => Ok(t),
            None => Ok(self.threshold),
        }
    }

    /// The k to use: the one asked for (refused below the floor), else the floor.
    pub fn k(&self, asked: Option<usize>) -> Result<usize> {
        match asked {
            Some(k) if k < self.k => Err(Error::BelowFloor { field: "k", floor: self.k as u64 }),
            Some(k) => Ok(k),
            None => Ok(self.k),
        }
    }
}

/// The outcome table as published: closed cases by country and outcome, small cells
/// withheld at `threshold`.
#[derive(Debug, Clone)]
pub struct OutcomeTable {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    pub table: Suppressed,
    pub threshold: u64,
}

/// A k-anonymous record export and how many records it withheld.
#[derive(Debug, Clone)]
pub struct RecordExport {
    pub records: Vec<ResearchRecord>,
    pub withheld: usize,
    pub k: usize,
}

impl RecordExport {
    /// The rule the export was made with, as its header says it.
    pub fn rule(&self) -> String {
        format!(
            "k-anonymity with k = {}: every record shares its country, service, year and outcome with at least {} others; {} records withheld.",
            self.k,
            self.k - 1,
            self.withheld
        )
    }

    /// As CSV, the data-use statement and the rule first (as comment lines).
    pub fn csv(&self) -> String {
        records_csv(&self.records, &self.rule())
    }

    /// As Parquet, the data-use statement and the rule in the file's key-value metadata.
    pub fn parquet(&self) -> std::result::Result<Vec<u8>, parquet::errors::ParquetError> {
        records_parquet(&self.records, self.k, self.withheld, &self.rule())
    }
}

impl OutcomeTable {
    /// As CSV, the data-use statement and the threshold first (as comment lines).
    pub fn csv(&self) -> String {
        let rule = format!(
            "Suppression threshold {}: counts from 1 to {} are withheld, and the counts that would reveal them.",
            self.threshold,
            self.threshold - 1
        );
        table_csv(&self.rows, &self.columns, &self.table, &rule)
    }
}

fn records_csv(records: &[ResearchRecord], rule: &str) -> String {
    let mut out = format!("# {DATA_USE_STATEMENT}\n# {rule}\n");
    out.push_str("id,member_country,service,opened,outcome,children,adults\n");
    for r in records {
        out.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            r.id, r.member_country, r.service, r.opened, r.outcome, r.children, r.adults
        ));
    }
    out
}

fn records_parquet(
    records: &[ResearchRecord],
    k: usize,
    withheld: usize,
    rule: &str,
) -> std::result::Result<Vec<u8>, parquet::errors::ParquetError> {
    use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
    use parquet::file::metadata::KeyValue;
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use std::sync::Arc;

    let schema = Arc::new(parquet::schema::parser::parse_message_type(
        "message research_case { REQUIRED BINARY id (STRING); REQUIRED BINARY member_country (STRING); \
         REQUIRED BINARY service (STRING); REQUIRED BINARY opened (STRING); REQUIRED BINARY outcome (STRING); \
         REQUIRED INT64 children; REQUIRED INT64 adults; }",
    )?);
    let props = WriterProperties::builder()
        .set_key_value_metadata(Some(vec![
            KeyValue::new("data_use_statement".into(), DATA_USE_STATEMENT.to_string()),
            KeyValue::new("withheld_for_k_anonymity".into(), withheld.to_string()),
            KeyValue::new("k_anonymity_k".into(), k.to_string()),
            KeyValue::new("disclosure_rule".into(), rule.to_string()),
        ]))
        .build();
    let mut buf = Vec::new();
    let mut w = SerializedFileWriter::new(&mut buf, schema, Arc::new(props))?;
    let mut group = w.next_row_group()?;
    let strings: [fn(&ResearchRecord) -> &str; 5] =
        [|r| &r.id, |r| &r.member_country, |r| &r.service, |r| &r.opened, |r| &r.outcome];
    for field in strings {
        if let Some(mut c) = group.next_column()? {
            let values: Vec<ByteArray> = records.iter().map(|r| ByteArray::from(field(r))).collect();
            c.typed::<ByteArrayType>().write_batch(&values, None, None)?;
            c.close()?;
        }
    }
    let numbers: [fn(&ResearchRecord) -> i64; 2] = [|r| r.children, |r| r.adults];
    for field in numbers {
        if let Some(mut c) = group.next_column()? {
            let values: Vec<i64> = records.iter().map(field).collect();
            c.typed::<Int64Type>().write_batch(&values, None, None)?;
            c.close()?;
        }
    }
    group.close()?;
    w.close()?;
    Ok(buf)
}

fn figure(n: Option<u64>) -> String {
    n.map_or_else(|| "suppressed".into(), |n| n.to_string())
}

fn table_csv(rows: &[String], columns: &[String], table: &Suppressed, rule: &str) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = format!("# {DATA_USE_STATEMENT}\n# {rule}\n");
    out.push_str("country");
    for c in columns {
        out.push(',');
        out.push_str(&field(if c.is_empty() { "none" } else { c }));
    }
    out.push_str(",total\n");
    for (i, r) in rows.iter().enumerate() {
        out.push_str(&field(r));
        for c in &table.cells[i] {
            out.push(',');
            out.push_str(&figure(*c));
        }
        out.push(',');
        out.push_str(&figure(table.row_totals[i]));
        out.push('\n');
    }
    out.push_str("total");
    for t in &table.column_totals {
        out.push(',');
        out.push_str(&figure(*t));
    }
    out.push(',');
    out.push_str(&figure(table.total));
    out.push('\n');
    out
}
