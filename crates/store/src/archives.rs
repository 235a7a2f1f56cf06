//! The archives repository: units of description (fonds → series → file → item) with their
//! originals' metadata, page text and the names they mention, import batches, and the
//! findings of searches of origins. Who may open a unit is decided by the application.

use chrono::NaiveDate;
use kinbridge_domain::archive::{DigitisationStatus, Level, NewUnit, Restriction};
use kinbridge_domain::ids::{CaseId, FindingId, ImportId, MemberId, UnitId, UserId};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::feed::{self, Entity};
use crate::rows::{get, list, opt_date, term};
use crate::{now, today, Result, StoreError, Tx};

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Unit {
    pub id: UnitId,
    pub member_id: MemberId,
    pub member_code: String,
    pub parent_id: Option<UnitId>,
    pub fonds_id: UnitId,
    pub level: Level,
    pub reference_code: String,
    pub title: String,
    pub creator: String,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    pub extent: String,
    pub language: String,
    pub location: String,
    pub restriction: Restriction,
    /// The day the unit opens to staff across the network; `None`: never by itself.
    pub open_from: Option<NaiveDate>,
    pub legal_hold: bool,
    pub digitisation: DigitisationStatus,
    pub case_id: Option<CaseId>,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub size: Option<i64>,
    pub sha256: Option<String>,
    pub page_count: Option<i64>,
    pub confidence: Option<f64>,
    pub created_at: String,
}

impl Unit {
    pub fn is_open_on(&self, day: NaiveDate) -> bool {
        self.open_from.is_some_and(|d| d <= day)
    }

    pub fn is_open(&self) -> bool {
        self.is_open_on(today())
    }

    pub fn year(&self) -> Option<i32> {
        use chrono::Datelike;
        self.date_from.or(self.date_to).map(|d| d.year())
    }
}

const UNIT_SELECT: &str =
    "SELECT u.id, u.member_id, m.code AS member_code, u.parent_id, u.fonds_id, u.level, u.reference_code, u.title, \
     u.creator, u.date_from, u.date_to, u.extent, u.language, u.location, u.restriction, u.open_from, u.legal_hold, \
     u.digitisation, u.case_id, u.filename, u.content_type, u.size, u.sha256, u.page_count, u.confidence, u.created_at \
     FROM archive_units u JOIN members m ON m.id = u.member_id";

fn unit_from(r: &AnyRow) -> Result<Unit> {
    Ok(Unit {
        id: UnitId::from_trusted(get(r, "id")?),
        member_id: MemberId::from_trusted(get(r, "member_id")?),
        member_code: get(r, "member_code")?,
        parent_id: get::<Option<String>>(r, "parent_id")?.map(UnitId::from_trusted),
        fonds_id: UnitId::from_trusted(get(r, "fonds_id")?),
        level: term(&get::<String>(r, "level")?, "level", Level::parse)?,
        reference_code: get(r, "reference_code")?,
        title: get(r, "title")?,
        creator: get(r, "creator")?,
        date_from: opt_date(get(r, "date_from")?)?,
        date_to: opt_date(get(r, "date_to")?)?,
        extent: get(r, "extent")?,
        language: get(r, "language")?,
        location: get(r, "location")?,
        restriction: term(&get::<String>(r, "restriction")?, "restriction", Restriction::parse)?,
        open_from: opt_date(get(r, "open_from")?)?,
        legal_hold: get::<i64>(r, "legal_hold")? != 0,
        digitisation: term(&get::<String>(r, "digitisation")?, "digitisation", DigitisationStatus::parse)?,
        case_id: get::<Option<String>>(r, "case_id")?.map(CaseId::from_trusted),
        filename: get(r, "filename")?,
        content_type: get(r, "content_type")?,
        size: get(r, "size")?,
        sha256: get(r, "sha256")?,
        page_count: get(r, "page_count")?,
        confidence: get(r, "confidence")?,
        created_at: get(r, "created_at")?,
    })
}

fn id_of(row: Option<AnyRow>) -> Result<Option<String>> {
    row.map(|r| get(&r, "id")).transpose()
}

pub async fn by_id(pool: &sqlx::AnyPool, id: &UnitId) -> Result<Option<Unit>> {
    let sql = format!("{UNIT_SELECT} WHERE u.id = $1");
    sqlx::query(&sql).bind(id.to_string()).fetch_optional(pool).await?.as_ref().map(unit_from).transpose()
}

/// A unit of a fonds by its reference code.
pub async fn id_by_code(pool: &sqlx::AnyPool, fonds_id: &UnitId, code: &str) -> Result<Option<UnitId>> {
    let row = sqlx::query("SELECT id FROM archive_units WHERE fonds_id = $1 AND reference_code = $2")
        .bind(fonds_id.to_string())
        .bind(code.to_string())
        .fetch_optional(pool)
        .await?;
    Ok(id_of(row)?.map(UnitId::from_trusted))
}

/// A unit of a member by its reference code.
pub async fn id_by_reference(pool: &sqlx::AnyPool, member: &MemberId, code: &str) -> Result<Option<UnitId>> {
    let row = sqlx::query("SELECT id FROM archive_units WHERE reference_code = $1 AND member_id = $2")
        .bind(code.to_string())
        .bind(member.as_str())
        .fetch_optional(pool)
        .await?;
    Ok(id_of(row)?.map(UnitId::from_trusted))
}

/// The fonds with a reference code, of one member (by its code) or of every member.
pub async fn fonds_by_code(pool: &sqlx::AnyPool, code: &str, member_code: Option<&str>) -> Result<Vec<Unit>> {
    let sql = format!(
        "{UNIT_SELECT} WHERE u.reference_code = $1 AND u.level = 'fonds' AND ($2 = '' OR m.code = $2) ORDER BY m.code"
    );
    let rows =
        sqlx::query(&sql).bind(code.to_string()).bind(member_code.unwrap_or("").to_string()).fetch_all(pool).await?;
    rows.iter().map(unit_from).collect()
}

/// Whose closed units a reader sees besides the open ones.
#[derive(Debug, Clone, Copy)]
pub enum ClosedUnits<'a> {
    None,
    Of(&'a MemberId),
    All,
}

/// The units directly below one, by reference code: the open ones and the closed ones
/// `closed` allows (so that closed units leave no trace in the list or its pages).
pub async fn children(
    pool: &sqlx::AnyPool,
    parent: &str,
    closed: ClosedUnits<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Unit>> {
    let closed_of = match closed {
        ClosedUnits::None => String::new(),
        ClosedUnits::Of(m) => m.to_string(),
        ClosedUnits::All => "ALL".to_string(),
    };
    let sql = format!(
        "{UNIT_SELECT} WHERE u.parent_id = $1 AND ((u.open_from IS NOT NULL AND u.open_from <= $2) OR $3 = 'ALL' OR u.member_id = $3) \
         ORDER BY u.reference_code LIMIT $4 OFFSET $5"
    );
    let rows = sqlx::query(&sql)
        .bind(parent.to_string())
        .bind(today().to_string())
        .bind(closed_of)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?;
    rows.iter().map(unit_from).collect()
}

/// Every fonds, by member and reference code.
pub async fn all_fonds(pool: &sqlx::AnyPool) -> Result<Vec<Unit>> {
    let sql = format!("{UNIT_SELECT} WHERE u.level = 'fonds' ORDER BY m.code, u.reference_code");
    sqlx::query(&sql).fetch_all(pool).await?.iter().map(unit_from).collect()
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PageText {
    pub page_no: i64,
    pub body: String,
    pub confidence: Option<f64>,
    pub needs_review: bool,
}

pub async fn pages(pool: &sqlx::AnyPool, item: &str) -> Result<Vec<PageText>> {
    let rows = sqlx::query(
        "SELECT page_no, body, confidence, needs_review FROM archive_pages WHERE item_id = $1 ORDER BY page_no",
    )
    .bind(item.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PageText {
                page_no: get(r, "page_no")?,
                body: get(r, "body")?,
                confidence: get(r, "confidence")?,
                needs_review: get::<i64>(r, "needs_review")? != 0,
            })
        })
        .collect()
}

/// The text of an item's pages that have any, in page order.
pub async fn page_texts(pool: &sqlx::AnyPool, item: &str) -> Result<Vec<String>> {
    Ok(pages(pool, item).await?.into_iter().map(|p| p.body).filter(|b| !b.trim().is_empty()).collect())
}

/// Where an item's original is in the document store.
pub async fn storage_key(pool: &sqlx::AnyPool, id: &UnitId) -> Result<Option<String>> {
    let row =
        sqlx::query("SELECT storage_key FROM archive_units WHERE id = $1").bind(id.to_string()).fetch_one(pool).await?;
    get(&row, "storage_key")
}

/// What an item's text names: (kind, value).
pub async fn entities(pool: &sqlx::AnyPool, item: &str) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query("SELECT kind, value FROM archive_entities WHERE item_id = $1 ORDER BY kind, value")
        .bind(item.to_string())
        .fetch_all(pool)
        .await?;
    rows.iter().map(|r| Ok((get(r, "kind")?, get(r, "value")?))).collect()
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

/// The names of people every item of a member's archives mentions: (item, name).
pub async fn written_names(pool: &sqlx::AnyPool, member: &MemberId) -> Result<Vec<(String, String)>> {
    sqlx::query(
        "SELECT DISTINCT e.item_id, e.value FROM archive_entities e JOIN archive_units u ON u.id = e.item_id \
         WHERE u.member_id = $1 AND e.kind = 'person' ORDER BY e.item_id, e.value",
    )
    .bind(member.as_str())
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| Ok((get(r, "item_id")?, get(r, "value")?)))
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

/// A unit to record.
pub struct NewUnitRow<'a> {
    pub id: &'a str,
    pub member_id: &'a str,
    pub parent_id: Option<&'a str>,
    pub fonds_id: &'a str,
    pub new: &'a NewUnit,
    pub open_from: Option<NaiveDate>,
    pub status: DigitisationStatus,
}

/// Records a unit; [`StoreError::Taken`] if its member uses its reference code already.
pub async fn insert(tx: &mut Tx, u: &NewUnitRow<'_>) -> Result<()> {
    let at = now();
    let new = u.new;
    sqlx::query(
        "INSERT INTO archive_units (id, member_id, parent_id, fonds_id, level, reference_code, title, creator, date_from, date_to, \
         extent, language, location, restriction, open_from, legal_hold, digitisation, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, $16, $17, $17)",
    )
    .bind(u.id.to_string())
    .bind(u.member_id.to_string())
    .bind(u.parent_id.map(str::to_string))
    .bind(u.fonds_id.to_string())
    .bind(new.level.as_str())
    .bind(new.reference_code.clone())
    .bind(new.title.clone())
    .bind(new.creator.clone())
    .bind(new.date_from.map(|d| d.to_string()))
    .bind(new.date_to.map(|d| d.to_string()))
    .bind(new.extent.clone())
    .bind(new.language.clone())
    .bind(new.location.clone())
    .bind(new.restriction.as_str())
    .bind(u.open_from.map(|d| d.to_string()))
    .bind(u.status.as_str())
    .bind(at)
    .execute(&mut **tx)
    .await
    .map_err(StoreError::from_insert)?;
    feed::changed(tx, Entity::Unit, u.id).await
}

/// The first of `candidates` that no unit of the member has taken.
pub async fn free_reference(tx: &mut Tx, member_id: &MemberId, candidates: &[String]) -> Result<Option<String>> {
    for code in candidates {
        let taken = sqlx::query("SELECT 1 AS one FROM archive_units WHERE member_id = $1 AND reference_code = $2")
            .bind(member_id.to_string())
            .bind(code.clone())
            .fetch_optional(&mut **tx)
            .await?;
        if taken.is_none() {
            return Ok(Some(code.clone()));
        }
    }
    Ok(None)
}

pub async fn set_legal_hold(tx: &mut Tx, id: &UnitId, hold: bool) -> Result<()> {
    sqlx::query("UPDATE archive_units SET legal_hold = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(hold))
        .bind(now())
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn child_count(pool: &sqlx::AnyPool, id: &UnitId) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM archive_units WHERE parent_id = $1")
        .bind(id.to_string())
        .fetch_one(pool)
        .await?;
    get(&row, "n")
}

/// Deletes a unit with its pages, names and findings (its import rows stay, unlinked).
pub async fn delete(tx: &mut Tx, id: &UnitId) -> Result<()> {
    for sql in [
        "DELETE FROM archive_pages WHERE item_id = $1",
        "DELETE FROM archive_entities WHERE item_id = $1",
        "DELETE FROM origins_findings WHERE unit_id = $1",
        "UPDATE archive_imports SET item_id = NULL WHERE item_id = $1",
        "DELETE FROM archive_units WHERE id = $1",
    ] {
        sqlx::query(sql).bind(id.to_string()).execute(&mut **tx).await?;
    }
    feed::changed(tx, Entity::Unit, id).await
}

/// A case of a member by its reference.
pub async fn case_by_reference(pool: &sqlx::AnyPool, reference: &str, member_id: &MemberId) -> Result<Option<CaseId>> {
    let row = sqlx::query("SELECT id FROM cases WHERE reference = $1 AND member_id = $2")
        .bind(reference.to_string())
        .bind(member_id.to_string())
        .fetch_optional(pool)
        .await?;
    Ok(id_of(row)?.map(CaseId::from_trusted))
}

pub async fn link_case(tx: &mut Tx, id: &UnitId, case_id: &CaseId) -> Result<()> {
    sqlx::query("UPDATE archive_units SET case_id = $1, updated_at = $2 WHERE id = $3")
        .bind(case_id.to_string())
        .bind(now())
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    feed::changed(tx, Entity::Unit, id).await
}

// ---- import batches ----

/// One file of an import batch, as queued.
#[derive(Debug, Clone, Default)]
pub struct ImportFile {
    /// `file:` + an absolute path, or `blob:` + a key in the document store (uploads).
    pub source: String,
    pub display_path: String,
    pub parent_id: Option<String>,
    pub reference_code: Option<String>,
    pub title: Option<String>,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    pub restriction: Option<Restriction>,
}

#[derive(Debug, Clone)]
pub struct ImportRow {
    pub id: ImportId,
    pub fonds_id: UnitId,
    pub member_id: MemberId,
    pub file: ImportFile,
    pub languages: Vec<String>,
    pub status: String,
}

#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct ImportProgress {
    pub total: i64,
    pub done: i64,
    pub duplicate: i64,
    pub failed: i64,
    pub pending: i64,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ImportFailure {
    pub path: String,
    /// As recorded: the stable code, a colon, and what the engine or store said.
    pub reason: String,
}

impl ImportFailure {
    /// The stable code of the reason (`corrupt_image`, `container_too_large`, ...).
    pub fn code(&self) -> &str {
        self.reason.split_once(": ").map_or(self.reason.as_str(), |(code, _)| code)
    }

    /// What the engine or store said, after the code.
    pub fn detail(&self) -> &str {
        self.reason.split_once(": ").map_or("", |(_, detail)| detail)
    }
}

/// Queues a file of a fonds's batch; `false` if that source is queued for the fonds already.
pub async fn queue(
    tx: &mut Tx,
    id: &ImportId,
    fonds_id: &UnitId,
    f: &ImportFile,
    languages: &[String],
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO archive_imports (id, fonds_id, source, display_path, parent_id, reference_code, title, date_from, date_to, \
         restriction, languages, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12) \
         ON CONFLICT (fonds_id, source) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(fonds_id.to_string())
    .bind(f.source.clone())
    .bind(f.display_path.clone())
    .bind(f.parent_id.clone())
    .bind(f.reference_code.clone())
    .bind(f.title.clone())
    .bind(f.date_from.map(|d| d.to_string()))
    .bind(f.date_to.map(|d| d.to_string()))
    .bind(f.restriction.map(|r| r.as_str().to_string()))
    .bind(languages.join(","))
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The import row of a fonds's source.
pub async fn import_id(pool: &sqlx::AnyPool, fonds_id: &UnitId, source: &str) -> Result<ImportId> {
    let row = sqlx::query("SELECT id FROM archive_imports WHERE fonds_id = $1 AND source = $2")
        .bind(fonds_id.to_string())
        .bind(source.to_string())
        .fetch_one(pool)
        .await?;
    Ok(ImportId::from_trusted(get(&row, "id")?))
}

pub async fn import_row(pool: &sqlx::AnyPool, id: &ImportId) -> Result<Option<ImportRow>> {
    let row = sqlx::query(
        "SELECT i.*, u.member_id FROM archive_imports i JOIN archive_units u ON u.id = i.fonds_id WHERE i.id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let restriction: Option<String> = get(&r, "restriction")?;
    Ok(Some(ImportRow {
        id: ImportId::from_trusted(get(&r, "id")?),
        fonds_id: UnitId::from_trusted(get(&r, "fonds_id")?),
        member_id: MemberId::from_trusted(get(&r, "member_id")?),
        file: ImportFile {
            source: get(&r, "source")?,
            display_path: get(&r, "display_path")?,
            parent_id: get(&r, "parent_id")?,
            reference_code: get(&r, "reference_code")?,
            title: get(&r, "title")?,
            date_from: opt_date(get(&r, "date_from")?)?,
            date_to: opt_date(get(&r, "date_to")?)?,
            restriction: restriction.map(|s| term(&s, "restriction", Restriction::parse)).transpose()?,
        },
        languages: list(&get::<String>(&r, "languages")?),
        status: get(&r, "status")?,
    }))
}

/// An imported original's metadata and text, for an item just inserted.
pub struct Original<'a> {
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub storage_key: &'a str,
    pub confidence: Option<f64>,
    /// (page number, text, confidence, needs review)
    pub pages: &'a [(i64, String, Option<f64>, bool)],
    /// (kind, value, folded value) of what the text names.
    pub entities: &'a [(String, String, String)],
}

/// Records an item's original, its pages and what it names, and marks its import done.
pub async fn record_original(tx: &mut Tx, item_id: &UnitId, import_id: &ImportId, o: &Original<'_>) -> Result<()> {
    sqlx::query(
        "UPDATE archive_units SET filename = $1, content_type = $2, size = $3, sha256 = $4, storage_key = $5, page_count = $6, \
         confidence = NULLIF($7, -1.0) WHERE id = $8",
    )
    .bind(o.filename.to_string())
    .bind(o.content_type.to_string())
    .bind(o.size)
    .bind(o.sha256.to_string())
    .bind(o.storage_key.to_string())
    .bind(o.pages.len() as i64)
    // No confidence is bound as -1 and stored as NULL: sqlx's Any driver declares a NULL f64
    // to PostgreSQL as float4, and the statement, cached with that type, then refuses the
    // next real confidence ("incorrect binary data format").
    .bind(o.confidence.unwrap_or(-1.0))
    .bind(item_id.to_string())
    .execute(&mut **tx)
    .await?;
    for (no, body, conf, review) in o.pages {
        sqlx::query(
            "INSERT INTO archive_pages (item_id, page_no, body, confidence, needs_review) VALUES ($1, $2, $3, NULLIF($4, -1.0), $5)",
        )
        .bind(item_id.to_string())
        .bind(*no)
        .bind(body.clone())
        .bind(conf.unwrap_or(-1.0))
        .bind(i64::from(*review))
        .execute(&mut **tx)
        .await?;
    }
    for (kind, value, folded) in o.entities {
        sqlx::query("INSERT INTO archive_entities (item_id, kind, value, folded) VALUES ($1, $2, $3, $4)")
            .bind(item_id.to_string())
            .bind(kind.clone())
            .bind(value.clone())
            .bind(folded.clone())
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("UPDATE archive_imports SET status = 'done', item_id = $1, pages = $2, finished_at = $3 WHERE id = $4")
        .bind(item_id.to_string())
        .bind(o.pages.len() as i64)
        .bind(now())
        .bind(import_id.to_string())
        .execute(&mut **tx)
        .await?;
    feed::changed(tx, Entity::Unit, item_id).await
}

/// The item of a fonds with this content, if one was imported already.
pub async fn item_by_hash(pool: &sqlx::AnyPool, fonds_id: &UnitId, sha: &str) -> Result<Option<UnitId>> {
    let row = sqlx::query("SELECT id FROM archive_units WHERE fonds_id = $1 AND sha256 = $2")
        .bind(fonds_id.to_string())
        .bind(sha.to_string())
        .fetch_optional(pool)
        .await?;
    Ok(id_of(row)?.map(UnitId::from_trusted))
}

/// Marks a file of a batch as finished: `failed` with the reason, or `duplicate`.
pub async fn finish_import(
    pool: &sqlx::AnyPool,
    id: &ImportId,
    status: &str,
    reason: Option<&str>,
    item_id: Option<&UnitId>,
    pages: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "UPDATE archive_imports SET status = $1, reason = $2, item_id = $3, pages = $4, finished_at = $5 WHERE id = $6",
    )
    .bind(status.to_string())
    .bind(reason.map(str::to_string))
    .bind(item_id.map(|i| i.to_string()))
    .bind(pages)
    .bind(now())
    .bind(id.to_string())
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn import_progress(pool: &sqlx::AnyPool, fonds_id: &UnitId) -> Result<ImportProgress> {
    let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM archive_imports WHERE fonds_id = $1 GROUP BY status")
        .bind(fonds_id.to_string())
        .fetch_all(pool)
        .await?;
    let mut p = ImportProgress::default();
    for r in &rows {
        let n: i64 = get(r, "n")?;
        p.total += n;
        match get::<String>(r, "status")?.as_str() {
            "done" => p.done += n,
            "duplicate" => p.duplicate += n,
            "failed" => p.failed += n,
            _ => p.pending += n,
        }
    }
    Ok(p)
}

pub async fn import_failures(pool: &sqlx::AnyPool, fonds_id: &UnitId, limit: i64) -> Result<Vec<ImportFailure>> {
    let rows = sqlx::query(
        "SELECT display_path, reason FROM archive_imports WHERE fonds_id = $1 AND status = 'failed' ORDER BY display_path LIMIT $2",
    )
    .bind(fonds_id.to_string())
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ImportFailure {
                path: get(r, "display_path")?,
                reason: get::<Option<String>>(r, "reason")?
                    .ok_or_else(|| StoreError::Corrupt("a failed import without its reason".into()))?,
            })
        })
        .collect()
}

/// An item's page text and the people it names, for the search index.
pub async fn index_text(pool: &sqlx::AnyPool, item: &str) -> Result<(String, Vec<String>)> {
    let mut text = String::new();
    for p in pages(pool, item).await? {
        text.push_str(&p.body);
        text.push_str("\n\n");
    }
    let names = sqlx::query("SELECT DISTINCT value FROM archive_entities WHERE item_id = $1 AND kind = 'person'")
        .bind(item.to_string())
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| get(r, "value"))
        .collect::<Result<_>>()?;
    Ok((text, names))
}

// ---- searches of origins ----

/// Whether a case traces someone (it has a tracing request).
pub async fn traces(pool: &sqlx::AnyPool, case_id: &CaseId) -> Result<bool> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM tracing_requests WHERE case_id = $1")
        .bind(case_id.to_string())
        .fetch_one(pool)
        .await?;
    Ok(get::<i64>(&row, "n")? > 0)
}

/// A member's access requests and cases with a tracing request: (id, reference, title, status).
pub async fn origins_cases(pool: &sqlx::AnyPool, member: &MemberId) -> Result<Vec<(String, String, String, String)>> {
    let rows = sqlx::query(
        "SELECT id, reference, title, status FROM cases c WHERE member_id = $1 AND (service = 'search_of_origins' \
         OR EXISTS (SELECT 1 FROM tracing_requests t WHERE t.case_id = c.id)) ORDER BY opened_on DESC LIMIT 200",
    )
    .bind(member.as_str())
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| Ok((get(r, "id")?, get(r, "reference")?, get(r, "title")?, get(r, "status")?))).collect()
}

/// The names the archives are asked about for a case: the people its tracing requests seek,
/// or (`sought_only` false) all its people.
pub async fn sought_names(pool: &sqlx::AnyPool, case_id: &CaseId, sought_only: bool) -> Result<Vec<String>> {
    let sql = if sought_only {
        "SELECT p.given_names, p.family_name FROM people p JOIN tracing_requests t ON t.person_id = p.id \
         WHERE p.case_id = $1 ORDER BY p.created_at"
    } else {
        "SELECT given_names, family_name FROM people WHERE case_id = $1 ORDER BY created_at"
    };
    sqlx::query(sql)
        .bind(case_id.to_string())
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| Ok(format!("{} {}", get::<String>(r, "given_names")?, get::<String>(r, "family_name")?)))
        .collect()
}

/// Records that a unit answers a case's search; [`StoreError::Taken`] if it was found already.
pub async fn insert_finding(
    tx: &mut Tx,
    id: &FindingId,
    case_id: &CaseId,
    unit_id: &UnitId,
    note: &str,
    by: &UserId,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO origins_findings (id, case_id, unit_id, note, found_by, found_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.to_string())
    .bind(case_id.to_string())
    .bind(unit_id.to_string())
    .bind(note.to_string())
    .bind(by.as_str())
    .bind(now())
    .execute(&mut **tx)
    .await
    .map_err(StoreError::from_insert)?;
    Ok(())
}

/// A finding as stored: its unit by id.
pub struct FindingRow {
    pub id: String,
    pub unit_id: String,
    pub note: String,
    pub found_by: String,
    pub found_at: String,
    pub disclosed_at: Option<String>,
    pub disclosed_by: Option<String>,
    pub disclosed_to: Option<String>,
    pub counselling: Option<String>,
}

pub async fn findings(pool: &sqlx::AnyPool, case_id: &CaseId) -> Result<Vec<FindingRow>> {
    let rows = sqlx::query(
        "SELECT f.id, f.unit_id, f.note, fu.display_name AS found_by, f.found_at, f.disclosed_at, du.display_name AS disclosed_by, \
         f.disclosed_to, f.counselling FROM origins_findings f JOIN users fu ON fu.id = f.found_by \
         LEFT JOIN users du ON du.id = f.disclosed_by WHERE f.case_id = $1 ORDER BY f.found_at",
    )
    .bind(case_id.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FindingRow {
                id: get(r, "id")?,
                unit_id: get(r, "unit_id")?,
                note: get(r, "note")?,
                found_by: get(r, "found_by")?,
                found_at: get(r, "found_at")?,
                disclosed_at: get(r, "disclosed_at")?,
                disclosed_by: get(r, "disclosed_by")?,
                disclosed_to: get(r, "disclosed_to")?,
                counselling: get(r, "counselling")?,
            })
        })
        .collect()
}

/// A finding of a case, in a transaction: its unit's reference code and whether it was
/// disclosed.
pub async fn finding_state(tx: &mut Tx, finding_id: &FindingId, case_id: &CaseId) -> Result<Option<(String, bool)>> {
    let row = sqlx::query(
        "SELECT u.reference_code, f.disclosed_at FROM origins_findings f JOIN archive_units u ON u.id = f.unit_id WHERE f.id = $1 AND f.case_id = $2",
    )
    .bind(finding_id.to_string())
    .bind(case_id.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| Ok((get(&r, "reference_code")?, get::<Option<String>>(&r, "disclosed_at")?.is_some()))).transpose()
}

pub async fn disclose(tx: &mut Tx, finding_id: &FindingId, by: &UserId, to: &str, counselling: &str) -> Result<()> {
    sqlx::query("UPDATE origins_findings SET disclosed_at = $1, disclosed_by = $2, disclosed_to = $3, counselling = $4 WHERE id = $5")
        .bind(now())
        .bind(by.as_str())
        .bind(to.to_string())
        .bind(counselling.to_string())
        .bind(finding_id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
