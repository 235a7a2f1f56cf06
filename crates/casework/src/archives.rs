//! Archives: units of description (fonds → series → file → item), the digitised originals
//! and their text, the import batches, and the search of origins.
//!
//! Every read decides access from the unit's holder and its `open_from` date (the domain's
//! rule), so a closed unit is "not found" to whoever may not open it, and is audited.

use bytes::Bytes;
use chrono::NaiveDate;
use kinbridge_domain::archive::{
    open_from, ArchiveAccess, DigitisationStatus, Level, NewUnit, Restriction, DEFAULT_PERSONAL_CLOSURE_YEARS,
};
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::case::{EventKind, ServiceType};
use kinbridge_domain::ids::MemberId;
use kinbridge_domain::ErrorCode;
use kinbridge_domain::{DomainError, FieldError, Role};
use kinbridge_store::feed::{self, Change, Entity};
use object_store::path::Path as BlobPath;
use object_store::{ObjectStoreExt, PutPayload};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;

use crate::{get, jobs, now, system_entry, today, Caller, Casework, Error, Result, Tx};
use kinbridge_store::audit::append;

#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    pub id: String,
    pub member_id: String,
    pub member_code: String,
    pub parent_id: Option<String>,
    pub fonds_id: String,
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
    pub case_id: Option<String>,
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

/// A stored day that may be missing; one that does not read is an error, not "no date".
fn opt_day(s: Option<String>) -> Result<Option<NaiveDate>> {
    Ok(kinbridge_store::rows::opt_date(s)?)
}

fn unit_from(r: &AnyRow) -> Result<Unit> {
    let level: String = get(r, "level")?;
    let restriction: String = get(r, "restriction")?;
    let digitisation: String = get(r, "digitisation")?;
    Ok(Unit {
        id: get(r, "id")?,
        member_id: get(r, "member_id")?,
        member_code: get(r, "member_code")?,
        parent_id: get(r, "parent_id")?,
        fonds_id: get(r, "fonds_id")?,
        level: Level::parse(&level).unwrap_or(Level::Item),
        reference_code: get(r, "reference_code")?,
        title: get(r, "title")?,
        creator: get(r, "creator")?,
        date_from: opt_day(get(r, "date_from")?)?,
        date_to: opt_day(get(r, "date_to")?)?,
        extent: get(r, "extent")?,
        language: get(r, "language")?,
        location: get(r, "location")?,
        restriction: Restriction::parse(&restriction).unwrap_or(Restriction::Adoption),
        open_from: opt_day(get(r, "open_from")?)?,
        legal_hold: get::<i64>(r, "legal_hold")? != 0,
        digitisation: DigitisationStatus::parse(&digitisation).unwrap_or(DigitisationStatus::NotDigitised),
        case_id: get(r, "case_id")?,
        filename: get(r, "filename")?,
        content_type: get(r, "content_type")?,
        size: get(r, "size")?,
        sha256: get(r, "sha256")?,
        page_count: get(r, "page_count")?,
        confidence: get(r, "confidence")?,
        created_at: get(r, "created_at")?,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct PageText {
    pub page_no: i64,
    pub body: String,
    pub confidence: Option<f64>,
    pub needs_review: bool,
}

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
    pub id: String,
    pub fonds_id: String,
    pub member_id: String,
    pub file: ImportFile,
    pub languages: Vec<String>,
    pub status: String,
}

/// What the import job read from one original.
#[derive(Debug, Clone)]
pub struct ImportedItem {
    pub filename: String,
    pub content_type: String,
    pub bytes: Bytes,
    pub language: String,
    /// (page number, text, confidence, needs review)
    pub pages: Vec<(i64, String, Option<f64>, bool)>,
    /// (kind, value) of the people, dates, places and references the text names.
    pub entities: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportProgress {
    pub total: i64,
    pub done: i64,
    pub duplicate: i64,
    pub failed: i64,
    pub pending: i64,
}

#[derive(Debug, Clone, Serialize)]
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

/// What the search index needs of one unit (read by the indexer, not by a person).
#[derive(Debug, Clone)]
pub struct UnitForIndex {
    pub unit: Unit,
    pub country: String,
    pub text: String,
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub id: String,
    pub unit: Unit,
    pub note: String,
    pub found_by: String,
    pub found_at: String,
    pub disclosed_at: Option<String>,
    pub disclosed_by: Option<String>,
    pub disclosed_to: Option<String>,
    pub counselling: Option<String>,
}

/// A person of an access request whose name the text of an archive item may carry, found by
/// the matching engine over the restricted index of names.
#[derive(Debug, Clone, Serialize)]
pub struct ArchiveMention {
    /// The person on the case, as registered.
    pub person: String,
    /// The name as the archive's text writes it.
    pub written: String,
    pub unit_id: String,
    pub reference_code: String,
    pub title: String,
    /// How the names agree, in the matching engine's words ("exact", "variant or phonetic").
    pub agreement: String,
    /// The evidence, in bits: how many times likelier this agreement is for the same person
    /// than by chance, as a power of two.
    pub weight: f64,
}

fn invalid(field: &'static str, code: ErrorCode) -> Error {
    DomainError::Invalid(vec![FieldError::new(field, code)]).into()
}

/// A unit's opening day: from its own restriction and dates, never before its parent's.
fn decide_open_from(new: &NewUnit, parent: Option<&Unit>) -> Option<NaiveDate> {
    let own = open_from(new.restriction, new.date_to.or(new.date_from), DEFAULT_PERSONAL_CLOSURE_YEARS, today());
    match parent {
        None => own,
        Some(p) => match (own, p.open_from) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        },
    }
}

impl Casework {
    pub(crate) async fn fetch_unit(&self, id: &str) -> Result<Option<Unit>> {
        let row = sqlx::query(&format!("{UNIT_SELECT} WHERE u.id = $1"))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(unit_from).transpose()
    }

    async fn authorize_unit(&self, caller: &Caller, id: &str, need: ArchiveAccess) -> Result<Unit> {
        let unit = if id.len() <= 64 { self.fetch_unit(id).await? } else { None };
        match unit {
            Some(u)
                if caller.actor.archive_access(&MemberId::from_trusted(u.member_id.clone()), u.is_open()) >= need =>
            {
                Ok(u)
            }
            _ => Err(self.denied(caller, "archive_unit", id).await),
        }
    }

    /// Refuses (as not found, audited) a caller who may not manage the unit: asked by a
    /// handler before it reads a request's body, so that writing to another member's unit
    /// answers the same whatever the body holds.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn may_manage_unit(&self, caller: &Caller, id: &str) -> Result<()> {
        self.authorize_unit(caller, id, ArchiveAccess::Manage).await.map(drop)
    }

    /// Describes a new unit: a fonds (no parent) or a unit below one of the member's units.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn create_unit(&self, caller: &Caller, parent_id: Option<&str>, new: &NewUnit) -> Result<Unit> {
        caller.actor.require(caller.actor.can_manage_archive())?;
        let parent = match parent_id {
            Some(p) => Some(self.authorize_unit(caller, p, ArchiveAccess::Manage).await?),
            None => None,
        };
        match &parent {
            None if new.level != Level::Fonds => return Err(invalid("level", ErrorCode::FondsHasNoParent)),
            Some(_) if new.level == Level::Fonds => return Err(invalid("level", ErrorCode::FondsHasNoParent)),
            Some(p) if new.level <= p.level => return Err(invalid("level", ErrorCode::BelowParent)),
            _ => {}
        }
        let mut tx = self.begin_write().await?;
        let id = uuid::Uuid::now_v7().to_string();
        let fonds_id = parent.as_ref().map(|p| p.fonds_id.clone()).unwrap_or_else(|| id.clone());
        insert_unit(
            &mut tx,
            &id,
            caller.actor.member_id.as_str(),
            parent.as_ref().map(|p| p.id.as_str()),
            &fonds_id,
            new,
            decide_open_from(new, parent.as_ref()),
            DigitisationStatus::NotDigitised,
        )
        .await?;
        append(&mut tx, &[caller.entry(AuditAction::Create, "archive_unit", Some(&id), &new.reference_code)]).await?;
        tx.commit().await?;
        self.fetch_unit(&id).await?.ok_or_else(Error::not_found)
    }

    /// A unit of a fonds by its reference code (manifests name parents this way).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn unit_id_by_code(&self, fonds_id: &str, code: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT id FROM archive_units WHERE fonds_id = $1 AND reference_code = $2")
            .bind(fonds_id.to_string())
            .bind(code.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| get(&r, "id")).transpose()
    }

    /// A unit of the caller's own member by its reference code (archivists name units so).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn unit_by_reference(&self, caller: &Caller, code: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT id FROM archive_units WHERE reference_code = $1 AND member_id = $2")
            .bind(code.trim().to_string())
            .bind(caller.actor.member_id.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| get(&r, "id")).transpose()
    }

    /// The fonds with a reference code, of one member (by its code) or of every member that
    /// has one (reference codes are unique per member), for the command line.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn fonds_by_code(&self, code: &str, member_code: Option<&str>) -> Result<Vec<Unit>> {
        let rows = sqlx::query(&format!(
            "{UNIT_SELECT} WHERE u.reference_code = $1 AND u.level = 'fonds' AND ($2 = '' OR m.code = $2) ORDER BY m.code"
        ))
        .bind(code.to_string())
        .bind(member_code.unwrap_or("").to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(unit_from).collect()
    }

    /// Creates a fonds for a member on the command line (the system acting, audited).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn create_fonds_as_system(&self, member_code: &str, new: &NewUnit) -> Result<Unit> {
        let member = sqlx::query("SELECT id FROM members WHERE code = $1")
            .bind(member_code.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or(Error::Conflict(ErrorCode::UnknownMember))?;
        let member_id: String = get(&member, "id")?;
        let mut tx = self.begin_write().await?;
        let id = uuid::Uuid::now_v7().to_string();
        insert_unit(
            &mut tx,
            &id,
            &member_id,
            None,
            &id,
            new,
            decide_open_from(new, None),
            DigitisationStatus::NotDigitised,
        )
        .await?;
        append(&mut tx, &[system_entry(AuditAction::Create, "archive_unit", Some(&id), None, &new.reference_code)])
            .await?;
        tx.commit().await?;
        self.fetch_unit(&id).await?.ok_or_else(Error::not_found)
    }

    /// One unit, if the caller may open it (audited either way).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn unit(&self, caller: &Caller, id: &str) -> Result<Unit> {
        let u = self.authorize_unit(caller, id, ArchiveAccess::Read).await?;
        self.audit(vec![caller.entry(AuditAction::Read, "archive_unit", Some(&u.id), "")]).await?;
        Ok(u)
    }

    /// The path from the fonds down to the unit (for breadcrumbs), as far as the caller may see.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn unit_ancestors(&self, caller: &Caller, unit: &Unit) -> Result<Vec<Unit>> {
        let mut out = Vec::new();
        let mut next = unit.parent_id.clone();
        while let Some(id) = next {
            let Some(u) = self.fetch_unit(&id).await? else { break };
            if caller.actor.archive_access(&MemberId::from_trusted(u.member_id.clone()), u.is_open())
                == ArchiveAccess::None
            {
                break;
            }
            next = u.parent_id.clone();
            out.push(u);
        }
        out.reverse();
        Ok(out)
    }

    /// The units directly below one that the caller may open. Units closed to the caller are
    /// left out of the query itself, so that neither the list, nor its pages, nor any count
    /// tell that they exist.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn unit_children(&self, caller: &Caller, id: &str, limit: i64, offset: i64) -> Result<Vec<Unit>> {
        let parent = self.authorize_unit(caller, id, ArchiveAccess::Read).await?;
        // Who sees closed units: every one for the system administrator, the member's own for
        // its archivists (`Actor::archive_access`); open units are read by the other staff.
        let closed_of = match caller.actor.role {
            Role::SystemAdmin => "ALL",
            Role::Archivist => caller.actor.member_id.as_str(),
            _ => "",
        };
        let rows = sqlx::query(&format!(
            "{UNIT_SELECT} WHERE u.parent_id = $1 AND ((u.open_from IS NOT NULL AND u.open_from <= $2) OR $3 = 'ALL' OR u.member_id = $3) \
             ORDER BY u.reference_code LIMIT $4 OFFSET $5"
        ))
        .bind(parent.id.clone())
        .bind(today().to_string())
        .bind(closed_of.to_string())
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let visible: Vec<Unit> = rows
            .iter()
            .map(unit_from)
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter(|u| {
                caller.actor.archive_access(&MemberId::from_trusted(u.member_id.clone()), u.is_open())
                    != ArchiveAccess::None
            })
            .collect();
        self.audit(vec![caller.entry(AuditAction::List, "archive_unit", Some(&parent.id), "children")]).await?;
        Ok(visible)
    }

    /// The fonds the caller may open: its own member's (archivists), and open ones.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn list_fonds(&self, caller: &Caller) -> Result<Vec<Unit>> {
        let rows = sqlx::query(&format!("{UNIT_SELECT} WHERE u.level = 'fonds' ORDER BY m.code, u.reference_code"))
            .fetch_all(self.pool())
            .await?;
        let all: Vec<Unit> = rows.iter().map(unit_from).collect::<Result<_>>()?;
        self.audit(vec![caller.entry(AuditAction::List, "archive_unit", None, "fonds")]).await?;
        Ok(all
            .into_iter()
            .filter(|u| {
                caller.actor.archive_access(&MemberId::from_trusted(u.member_id.clone()), u.is_open())
                    != ArchiveAccess::None
            })
            .collect())
    }

    /// The text of an item, page by page.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn unit_pages(&self, caller: &Caller, id: &str) -> Result<Vec<PageText>> {
        let u = self.authorize_unit(caller, id, ArchiveAccess::Read).await?;
        let rows = sqlx::query(
            "SELECT page_no, body, confidence, needs_review FROM archive_pages WHERE item_id = $1 ORDER BY page_no",
        )
        .bind(u.id.clone())
        .fetch_all(self.pool())
        .await?;
        self.audit(vec![caller.entry(AuditAction::Read, "archive_unit", Some(&u.id), "text")]).await?;
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

    /// The original of an item, unchanged, for download (audited).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn unit_original(&self, caller: &Caller, id: &str) -> Result<(Unit, Bytes)> {
        let u = self.authorize_unit(caller, id, ArchiveAccess::Read).await?;
        let key: Option<String> = get(
            &sqlx::query("SELECT storage_key FROM archive_units WHERE id = $1")
                .bind(u.id.clone())
                .fetch_one(self.pool())
                .await?,
            "storage_key",
        )?;
        let key = key.ok_or_else(Error::not_found)?;
        let bytes = self.store.blobs().get(&BlobPath::from(key.as_str())).await?.bytes().await?;
        self.audit(vec![caller.entry(
            AuditAction::Download,
            "archive_unit",
            Some(&u.id),
            &format!("sha256:{}", u.sha256.clone().unwrap_or_default()),
        )])
        .await?;
        Ok((u, bytes))
    }

    /// The restricted index of what an item names (holding member's archivists only).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn unit_entities(&self, caller: &Caller, id: &str) -> Result<Vec<(String, String)>> {
        let u = self.authorize_unit(caller, id, ArchiveAccess::Manage).await?;
        let rows = sqlx::query("SELECT kind, value FROM archive_entities WHERE item_id = $1 ORDER BY kind, value")
            .bind(u.id.clone())
            .fetch_all(self.pool())
            .await?;
        self.audit(vec![caller.entry(AuditAction::Read, "archive_unit", Some(&u.id), "entities")]).await?;
        rows.iter().map(|r| Ok((get(r, "kind")?, get(r, "value")?))).collect()
    }

    /// Puts a unit under legal hold (nothing in it may be deleted) or lifts the hold.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn set_legal_hold(&self, caller: &Caller, id: &str, hold: bool) -> Result<Unit> {
        let u = self.authorize_unit(caller, id, ArchiveAccess::Manage).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE archive_units SET legal_hold = $1, updated_at = $2 WHERE id = $3")
            .bind(hold as i64)
            .bind(now())
            .bind(u.id.clone())
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &[caller.entry(AuditAction::Update, "archive_unit", Some(&u.id), &format!("legal_hold={hold}"))],
        )
        .await?;
        tx.commit().await?;
        self.fetch_unit(&u.id).await?.ok_or_else(Error::not_found)
    }

    /// Deletes an item (an import made by mistake) within the retention rules: never under
    /// legal hold, never an adoption record (kept permanently), never a personal record before
    /// it opens, never a unit with units below it.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn delete_unit(&self, caller: &Caller, id: &str) -> Result<()> {
        let u = self.authorize_unit(caller, id, ArchiveAccess::Manage).await?;
        let retained = if u.legal_hold || self.held_above(&u).await? {
            Some(ErrorCode::LegalHold)
        } else if u.restriction == Restriction::Adoption {
            Some(ErrorCode::KeptPermanently)
        } else if u.restriction == Restriction::Personal && !u.is_open() {
            Some(ErrorCode::RetentionPeriod)
        } else {
            None
        };
        if let Some(code) = retained {
            return Err(invalid("unit", code));
        }
        let children: i64 = get(
            &sqlx::query("SELECT COUNT(*) AS n FROM archive_units WHERE parent_id = $1")
                .bind(u.id.clone())
                .fetch_one(self.pool())
                .await?,
            "n",
        )?;
        if children > 0 {
            return Err(invalid("unit", ErrorCode::HasChildren));
        }
        let key: Option<String> = get(
            &sqlx::query("SELECT storage_key FROM archive_units WHERE id = $1")
                .bind(u.id.clone())
                .fetch_one(self.pool())
                .await?,
            "storage_key",
        )?;
        let mut tx = self.begin_write().await?;
        for sql in [
            "DELETE FROM archive_pages WHERE item_id = $1",
            "DELETE FROM archive_entities WHERE item_id = $1",
            "DELETE FROM origins_findings WHERE unit_id = $1",
            "UPDATE archive_imports SET item_id = NULL WHERE item_id = $1",
            "DELETE FROM archive_units WHERE id = $1",
        ] {
            sqlx::query(sql).bind(u.id.clone()).execute(&mut *tx).await?;
        }
        feed::changed(&mut tx, Entity::Unit, &u.id).await?;
        append(
            &mut tx,
            &[caller.entry(AuditAction::Update, "archive_unit", Some(&u.id), &format!("deleted {}", u.reference_code))],
        )
        .await?;
        tx.commit().await?;
        if let Some(key) = key {
            if let Err(e) = self.store.blobs().delete(&BlobPath::from(key.as_str())).await {
                tracing::warn!(error = %e, key, "could not remove a deleted item's original");
            }
        }
        Ok(())
    }

    async fn held_above(&self, u: &Unit) -> Result<bool> {
        let mut next = u.parent_id.clone();
        while let Some(id) = next {
            let Some(p) = self.fetch_unit(&id).await? else { break };
            if p.legal_hold {
                return Ok(true);
            }
            next = p.parent_id;
        }
        Ok(false)
    }

    /// Links a historic file to a current case of the same member (by the case reference).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn link_unit_to_case(&self, caller: &Caller, id: &str, case_reference: &str) -> Result<Unit> {
        let u = self.authorize_unit(caller, id, ArchiveAccess::Manage).await?;
        let row = sqlx::query("SELECT id FROM cases WHERE reference = $1 AND member_id = $2")
            .bind(case_reference.trim().to_string())
            .bind(u.member_id.clone())
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| invalid("case_reference", ErrorCode::UnknownCase))?;
        let case_id: String = get(&row, "id")?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE archive_units SET case_id = $1, updated_at = $2 WHERE id = $3")
            .bind(case_id.clone())
            .bind(now())
            .bind(u.id.clone())
            .execute(&mut *tx)
            .await?;
        crate::cases::event(
            &mut tx,
            &case_id,
            Some(&caller.actor.user_id),
            EventKind::ArchiveLinked,
            &u.reference_code,
        )
        .await?;
        append(
            &mut tx,
            &[caller.entry(AuditAction::Update, "archive_unit", Some(&u.id), &format!("linked to {case_reference}"))],
        )
        .await?;
        feed::changed(&mut tx, Entity::Unit, &u.id).await?;
        tx.commit().await?;
        self.fetch_unit(&u.id).await?.ok_or_else(Error::not_found)
    }

    // ---- import batches ----

    /// Queues the files of a batch; files already queued for this fonds (by source) are left as
    /// they are, so running an import again resumes it. Returns (queued now, already known).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn queue_import(
        &self,
        fonds_id: &str,
        files: &[ImportFile],
        languages: &[String],
    ) -> Result<(usize, usize)> {
        let mut queued = 0;
        for chunk in files.chunks(500) {
            let mut tx = self.begin_write().await?;
            for f in chunk {
                let id = uuid::Uuid::now_v7().to_string();
                let done = sqlx::query(
                    "INSERT INTO archive_imports (id, fonds_id, source, display_path, parent_id, reference_code, title, date_from, date_to, \
                     restriction, languages, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12) \
                     ON CONFLICT (fonds_id, source) DO NOTHING",
                )
                .bind(id.clone())
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
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 1 {
                    kinbridge_store::jobs::enqueue(&mut tx, jobs::ARCHIVE_IMPORT, &id).await?;
                    queued += 1;
                }
            }
            append(
                &mut tx,
                &[system_entry(
                    AuditAction::Create,
                    "archive_import",
                    Some(fonds_id),
                    None,
                    &format!("{} files", chunk.len()),
                )],
            )
            .await?;
            tx.commit().await?;
        }
        self.store.wake_jobs();
        Ok((queued, files.len() - queued))
    }

    /// Queues one uploaded file: the original goes to the document store first.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn queue_upload(
        &self,
        caller: &Caller,
        parent_id: &str,
        filename: &str,
        bytes: Bytes,
        languages: &[String],
    ) -> Result<String> {
        let parent = self.authorize_unit(caller, parent_id, ArchiveAccess::Manage).await?;
        if parent.level == Level::Item {
            return Err(invalid("parent", ErrorCode::BelowParent));
        }
        let name = kinbridge_domain::document::clean_filename(filename).map_err(|e| DomainError::Invalid(vec![e]))?;
        if bytes.is_empty() {
            return Err(invalid("file", ErrorCode::EmptyFile));
        }
        let sha = hex::encode(Sha256::digest(&bytes));
        let key = format!("{}/uploads/{sha}", parent.member_id);
        self.store.blobs().put(&BlobPath::from(key.as_str()), PutPayload::from_bytes(bytes)).await?;
        let file = ImportFile {
            source: format!("blob:{key}#{name}"),
            display_path: name.clone(),
            parent_id: Some(parent.id.clone()),
            ..ImportFile::default()
        };
        self.queue_import(&parent.fonds_id, std::slice::from_ref(&file), languages).await?;
        self.audit(vec![caller.entry(AuditAction::Create, "archive_import", Some(&parent.id), &name)]).await?;
        let row = sqlx::query("SELECT id FROM archive_imports WHERE fonds_id = $1 AND source = $2")
            .bind(parent.fonds_id.clone())
            .bind(file.source)
            .fetch_one(self.pool())
            .await?;
        get(&row, "id")
    }

    /// The bytes a queued file points to (an upload in the document store).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn import_blob(&self, key: &str) -> Result<Bytes> {
        Ok(self.store.blobs().get(&BlobPath::from(key)).await?.bytes().await?)
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn import_row(&self, id: &str) -> Result<Option<ImportRow>> {
        let row = sqlx::query(
            "SELECT i.*, u.member_id FROM archive_imports i JOIN archive_units u ON u.id = i.fonds_id WHERE i.id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        let restriction: Option<String> = get(&r, "restriction")?;
        let languages: String = get(&r, "languages")?;
        Ok(Some(ImportRow {
            id: get(&r, "id")?,
            fonds_id: get(&r, "fonds_id")?,
            member_id: get(&r, "member_id")?,
            file: ImportFile {
                source: get(&r, "source")?,
                display_path: get(&r, "display_path")?,
                parent_id: get(&r, "parent_id")?,
                reference_code: get(&r, "reference_code")?,
                title: get(&r, "title")?,
                date_from: opt_day(get(&r, "date_from")?)?,
                date_to: opt_day(get(&r, "date_to")?)?,
                restriction: restriction.as_deref().and_then(Restriction::parse),
            },
            languages: kinbridge_store::rows::list(&languages),
            status: get(&r, "status")?,
        }))
    }

    /// Records an imported item: the original, its unit, its pages and what it names, in one
    /// transaction (the original is removed again if the transaction fails). An original already
    /// in the fonds (same content) is not imported twice: the row points to the existing item.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn record_import(&self, row: &ImportRow, item: ImportedItem) -> Result<String> {
        let sha = hex::encode(Sha256::digest(&item.bytes));
        if let Some(existing) = self.item_by_hash(&row.fonds_id, &sha).await? {
            self.finish_import(&row.id, "duplicate", None, Some(&existing), None).await?;
            return Ok(existing);
        }
        let parent = match &row.file.parent_id {
            Some(p) => self.fetch_unit(p).await?,
            None => self.fetch_unit(&row.fonds_id).await?,
        }
        .ok_or_else(Error::not_found)?;
        let fonds = self.fetch_unit(&row.fonds_id).await?.ok_or_else(Error::not_found)?;
        let candidates =
            reference_candidates(&fonds.reference_code, &row.file.display_path, row.file.reference_code.as_deref());
        let title = row.file.title.clone().unwrap_or_else(|| {
            std::path::Path::new(&row.file.display_path)
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default()
        });
        let mut new = NewUnit {
            level: Level::Item,
            reference_code: String::new(),
            title: title.chars().take(500).collect(),
            creator: parent.creator.clone(),
            date_from: row.file.date_from.or(parent.date_from),
            date_to: row.file.date_to.or(parent.date_to),
            extent: format!("{} page(s)", item.pages.len()),
            language: item.language.clone(),
            location: parent.location.clone(),
            restriction: row.file.restriction.unwrap_or(parent.restriction),
        };
        let needs_review = item.pages.iter().any(|p| p.3);
        let confidences: Vec<f64> = item.pages.iter().filter_map(|p| p.2).collect();
        let confidence = (!confidences.is_empty()).then(|| confidences.iter().sum::<f64>() / confidences.len() as f64);
        let id = uuid::Uuid::now_v7().to_string();
        let key = format!("{}/archive/{}", row.member_id, id);
        let size = item.bytes.len() as i64;
        self.store.blobs().put(&BlobPath::from(key.as_str()), PutPayload::from_bytes(item.bytes)).await?;
        let recorded = async {
            let mut tx = self.begin_write().await?;
            // Chosen under the write lock, so that two files of one name cannot both take it.
            new.reference_code = free_reference(&mut tx, &row.member_id, &candidates)
                .await?
                .ok_or(Error::Conflict(ErrorCode::ReferenceCodeTaken))?;
            let status = if needs_review { DigitisationStatus::NeedsReview } else { DigitisationStatus::Digitised };
            insert_unit(&mut tx, &id, &row.member_id, Some(&parent.id), &row.fonds_id, &new, decide_open_from(&new, Some(&parent)), status)
                .await?;
            sqlx::query(
                "UPDATE archive_units SET filename = $1, content_type = $2, size = $3, sha256 = $4, storage_key = $5, page_count = $6, \
                 confidence = NULLIF($7, -1.0) WHERE id = $8",
            )
            .bind(item.filename.clone())
            .bind(item.content_type.clone())
            .bind(size)
            .bind(sha.clone())
            .bind(key.clone())
            .bind(item.pages.len() as i64)
            // No confidence is bound as -1 and stored as NULL: sqlx's Any driver declares a
            // NULL f64 to PostgreSQL as float4, and the statement, cached with that type, then
            // refuses the next real confidence ("incorrect binary data format").
            .bind(confidence.unwrap_or(-1.0))
            .bind(id.clone())
            .execute(&mut *tx)
            .await?;
            for (no, body, conf, review) in &item.pages {
                sqlx::query("INSERT INTO archive_pages (item_id, page_no, body, confidence, needs_review) VALUES ($1, $2, $3, NULLIF($4, -1.0), $5)")
                    .bind(id.clone())
                    .bind(*no)
                    .bind(body.clone())
                    .bind(conf.unwrap_or(-1.0))
                    .bind(*review as i64)
                    .execute(&mut *tx)
                    .await?;
            }
            for (kind, value) in &item.entities {
                sqlx::query("INSERT INTO archive_entities (item_id, kind, value, folded) VALUES ($1, $2, $3, $4)")
                    .bind(id.clone())
                    .bind(kind.clone())
                    .bind(value.clone())
                    .bind(kinbridge_matching::normalize::fold(value))
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("UPDATE archive_imports SET status = 'done', item_id = $1, pages = $2, finished_at = $3 WHERE id = $4")
                .bind(id.clone())
                .bind(item.pages.len() as i64)
                .bind(now())
                .bind(row.id.clone())
                .execute(&mut *tx)
                .await?;
            feed::changed(&mut tx, Entity::Unit, &id).await?;
            append(&mut tx, &[system_entry(AuditAction::Create, "archive_unit", Some(&id), None, &format!("{} sha256:{sha}", row.file.display_path))])
                .await?;
            tx.commit().await?;
            Ok::<_, Error>(())
        }
        .await;
        if let Err(e) = recorded {
            if let Err(cleanup) = self.store.blobs().delete(&BlobPath::from(key.as_str())).await {
                tracing::error!(error = %cleanup, key, "could not remove an unrecorded original");
            }
            // Another worker may have imported the same content meanwhile.
            if let Some(existing) = self.item_by_hash(&row.fonds_id, &sha).await? {
                self.finish_import(&row.id, "duplicate", None, Some(&existing), None).await?;
                return Ok(existing);
            }
            return Err(e);
        }
        Ok(id)
    }

    async fn item_by_hash(&self, fonds_id: &str, sha: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT id FROM archive_units WHERE fonds_id = $1 AND sha256 = $2")
            .bind(fonds_id.to_string())
            .bind(sha.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| get(&r, "id")).transpose()
    }

    /// Marks a file of a batch as finished: `failed` with the reason, or `duplicate`.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn finish_import(
        &self,
        id: &str,
        status: &str,
        reason: Option<&str>,
        item_id: Option<&str>,
        pages: Option<i64>,
    ) -> Result<()> {
        sqlx::query("UPDATE archive_imports SET status = $1, reason = $2, item_id = $3, pages = $4, finished_at = $5 WHERE id = $6")
            .bind(status.to_string())
            .bind(reason.map(str::to_string))
            .bind(item_id.map(str::to_string))
            .bind(pages)
            .bind(now())
            .bind(id.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// How far the imports into a fonds have come.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn import_progress(&self, fonds_id: &str) -> Result<ImportProgress> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM archive_imports WHERE fonds_id = $1 GROUP BY status")
            .bind(fonds_id.to_string())
            .fetch_all(self.pool())
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

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn import_failures(&self, fonds_id: &str, limit: i64) -> Result<Vec<ImportFailure>> {
        let rows = sqlx::query(
            "SELECT display_path, reason FROM archive_imports WHERE fonds_id = $1 AND status = 'failed' ORDER BY display_path LIMIT $2",
        )
        .bind(fonds_id.to_string())
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ImportFailure {
                    path: get(r, "display_path")?,
                    reason: get::<Option<String>>(r, "reason")?.unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Progress for the archivist's page (the fonds must be theirs).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn import_progress_for(
        &self,
        caller: &Caller,
        fonds_id: &str,
    ) -> Result<(ImportProgress, Vec<ImportFailure>)> {
        let f = self.authorize_unit(caller, fonds_id, ArchiveAccess::Manage).await?;
        Ok((self.import_progress(&f.fonds_id).await?, self.import_failures(&f.fonds_id, 100).await?))
    }

    /// Frees import jobs reserved by a worker that is gone (a killed import); safe because an
    /// import is idempotent by content.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn release_import_jobs(&self) -> Result<u64> {
        let done = sqlx::query("UPDATE jobs SET locked_until = NULL WHERE kind = $1 AND locked_until IS NOT NULL")
            .bind(jobs::ARCHIVE_IMPORT)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    // ---- the change feed and the indexer's reads ----

    /// Changes after `seq`, oldest first.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn search_changes_after(&self, seq: i64, limit: i64) -> Result<Vec<Change>> {
        Ok(feed::after(self.pool(), seq, limit).await?)
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn search_head(&self) -> Result<i64> {
        Ok(feed::head(self.pool()).await?)
    }

    /// A unit as the index needs it: description, text and the names it mentions.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn unit_for_index(&self, id: &str) -> Result<Option<UnitForIndex>> {
        let Some(unit) = self.fetch_unit(id).await? else { return Ok(None) };
        let country: String = get(
            &sqlx::query("SELECT country FROM members WHERE id = $1")
                .bind(unit.member_id.clone())
                .fetch_one(self.pool())
                .await?,
            "country",
        )?;
        let pages = sqlx::query("SELECT body FROM archive_pages WHERE item_id = $1 ORDER BY page_no")
            .bind(unit.id.clone())
            .fetch_all(self.pool())
            .await?;
        let mut text = String::new();
        for p in &pages {
            text.push_str(&get::<String>(p, "body")?);
            text.push_str("\n\n");
        }
        let names = sqlx::query("SELECT DISTINCT value FROM archive_entities WHERE item_id = $1 AND kind = 'person'")
            .bind(unit.id.clone())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| get(r, "value"))
            .collect::<Result<_>>()?;
        Ok(Some(UnitForIndex { unit, country, text, names }))
    }

    // ---- the search of origins ----

    /// Whether a case traces someone (it has a tracing request).
    async fn traces(&self, case_id: &str) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM tracing_requests WHERE case_id = $1")
            .bind(case_id.to_string())
            .fetch_one(self.pool())
            .await?;
        Ok(get::<i64>(&row, "n")? > 0)
    }

    /// A case the archives are searched for — an access request (search of origins) or a case
    /// with a tracing request — that the caller may work on as an archivist of the member that
    /// holds it, or read as its caseworker.
    async fn origins_case(&self, caller: &Caller, case_id: &str) -> Result<kinbridge_domain::case::Case> {
        let case = match kinbridge_domain::ids::CaseId::parse(case_id) {
            Some(id) => kinbridge_store::cases::fetch_case(self.pool(), id.as_str()).await?,
            None => None,
        };
        let searched = match &case {
            Some(c) => c.service == ServiceType::SearchOfOrigins || self.traces(c.id.as_str()).await?,
            None => false,
        };
        match case {
            Some(c)
                if searched
                    && ((caller.actor.can_manage_archive() && c.member_id == caller.actor.member_id)
                        || caller.actor.case_access(&c.member_id) >= kinbridge_domain::access::CaseAccess::Read) =>
            {
                Ok(c)
            }
            _ => Err(self.denied(caller, "case", case_id).await),
        }
    }

    /// The member's access requests (search of origins) and cases with a tracing request, for
    /// its archivists.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn origins_requests(&self, caller: &Caller) -> Result<Vec<(String, String, String, String)>> {
        caller.actor.require(caller.actor.can_manage_archive())?;
        let rows = sqlx::query(
            "SELECT id, reference, title, status FROM cases c WHERE member_id = $1 AND (service = 'search_of_origins' \
             OR EXISTS (SELECT 1 FROM tracing_requests t WHERE t.case_id = c.id)) ORDER BY opened_on DESC LIMIT 200",
        )
        .bind(caller.actor.member_id.as_str())
        .fetch_all(self.pool())
        .await?;
        self.audit(vec![caller.entry(AuditAction::List, "case", None, "search_of_origins")]).await?;
        rows.iter().map(|r| Ok((get(r, "id")?, get(r, "reference")?, get(r, "title")?, get(r, "status")?))).collect()
    }

    /// Records that a unit of the member's archive answers an access request.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn record_finding(&self, caller: &Caller, case_id: &str, unit_id: &str, note: &str) -> Result<String> {
        caller.actor.require(caller.actor.can_manage_archive())?;
        let case = self.origins_case(caller, case_id).await?;
        let unit = self.authorize_unit(caller, unit_id, ArchiveAccess::Manage).await?;
        let note = kinbridge_domain::text::optional("note", note, 5000).map_err(|e| DomainError::Invalid(vec![e]))?;
        let id = uuid::Uuid::now_v7().to_string();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO origins_findings (id, case_id, unit_id, note, found_by, found_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.clone())
        .bind(case.id.to_string())
        .bind(unit.id.clone())
        .bind(note)
        .bind(caller.actor.user_id.as_str())
        .bind(now())
        .execute(&mut *tx)
        .await
        .map_err(|e| crate::unique_violation(e, ErrorCode::AlreadyFound))?;
        crate::cases::event(
            &mut tx,
            case.id.as_str(),
            Some(&caller.actor.user_id),
            EventKind::OriginsFound,
            &unit.reference_code,
        )
        .await?;
        append(&mut tx, &[caller.entry(AuditAction::Create, "origins_finding", Some(&id), &unit.reference_code)])
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The archive items of the archivist's own member whose text may name a person of the
    /// access request, in any spelling, order or script the matching engine allows, most
    /// likely first. Reads the restricted index of names (the archivist's own); audited.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn archive_mentions(&self, caller: &Caller, case_id: &str) -> Result<Vec<ArchiveMention>> {
        use kinbridge_matching::{prior_model, Dataset, FieldSpec, LinkOptions, PersonIndex, Role};
        caller.actor.require(caller.actor.can_manage_archive())?;
        let case = self.origins_case(caller, case_id).await?;
        // The people sought by the case's tracing requests if it has any (not the inquirer and
        // the child, whom the archives are not asked about), else the access request's people.
        let sql = if self.traces(case.id.as_str()).await? {
            "SELECT p.given_names, p.family_name FROM people p JOIN tracing_requests t ON t.person_id = p.id \
             WHERE p.case_id = $1 ORDER BY p.created_at"
        } else {
            "SELECT given_names, family_name FROM people WHERE case_id = $1 ORDER BY created_at"
        };
        let people = sqlx::query(sql)
            .bind(case.id.to_string())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok(format!("{} {}", get::<String>(r, "given_names")?, get::<String>(r, "family_name")?)))
            .collect::<Result<Vec<String>>>()?;
        let rows = sqlx::query(
            "SELECT DISTINCT e.item_id, e.value FROM archive_entities e JOIN archive_units u ON u.id = e.item_id \
             WHERE u.member_id = $1 AND e.kind = 'person' ORDER BY e.item_id, e.value",
        )
        .bind(caller.actor.member_id.as_str())
        .fetch_all(self.pool())
        .await?;
        let mut written: Vec<(String, String)> = Vec::with_capacity(rows.len());
        for r in &rows {
            written.push((get(r, "item_id")?, get(r, "value")?));
        }
        let mut found: Vec<(usize, usize, &'static str, f64)> = Vec::new();
        if !people.is_empty() && !written.is_empty() {
            let specs = vec![FieldSpec { name: "name".into(), role: Role::FullName }];
            let raw: Vec<Vec<String>> =
                written.iter().map(|(_, v)| vec![v.clone()]).chain(people.iter().map(|p| vec![p.clone()])).collect();
            let ids: Vec<String> = (0..raw.len()).map(|i| i.to_string()).collect();
            let known = written.len();
            let year = chrono::Datelike::year(&today());
            found = tokio::task::spawn_blocking(move || {
                let data = Dataset::prepare(&specs, ids, &raw, year);
                let model = prior_model(&specs, &data, &LinkOptions { u_samples: 50_000, ..LinkOptions::default() });
                let prior = model.prior_weight();
                let Ok(mut index) = PersonIndex::new(&specs, model) else { return Vec::new() };
                let (names, sought) = data.records.split_at(known);
                for (i, rec) in names.iter().enumerate() {
                    index.upsert(&i.to_string(), rec.clone());
                }
                // A lookup, not a deduplication: every name that agrees better than chance is
                // shown, strongest evidence first, whatever the prior odds of a match.
                let mut found = Vec::new();
                for (p, rec) in sought.iter().enumerate() {
                    for c in index.candidates(rec, 0.0, None) {
                        let evidence = c.weight - prior;
                        let agreement = index.explain(&c, rec).first().map(|e| e.1).unwrap_or("");
                        if let (Ok(i), true) = (c.key.parse::<usize>(), evidence > 0.0) {
                            found.push((p, i, agreement, evidence));
                        }
                    }
                }
                found
            })
            .await
            .map_err(|_| Error::Unsupported("matching stopped"))?;
        }
        // One line per person and item: its most likely spelling.
        found.sort_by(|a, b| b.3.total_cmp(&a.3));
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for (p, i, agreement, weight) in found {
            let (item, value) = &written[i];
            if !seen.insert((p, item.clone())) || out.len() >= 100 {
                continue;
            }
            let Some(unit) = self.fetch_unit(item).await? else { continue };
            out.push(ArchiveMention {
                person: people[p].clone(),
                written: value.clone(),
                unit_id: unit.id,
                reference_code: unit.reference_code,
                title: unit.title,
                agreement: agreement.to_string(),
                weight: (weight * 10.0).round() / 10.0,
            });
        }
        self.audit(vec![caller.entry(
            AuditAction::Read,
            "archive_entities",
            Some(case.id.as_str()),
            &format!("names of the access request looked up: {} mentions", out.len()),
        )])
        .await?;
        Ok(out)
    }

    /// What was found for an access request; the caseworker and the archivist both see it.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn findings(&self, caller: &Caller, case_id: &str) -> Result<Vec<Finding>> {
        let case = self.origins_case(caller, case_id).await?;
        let rows = sqlx::query(
            "SELECT f.id, f.unit_id, f.note, fu.display_name AS found_by, f.found_at, f.disclosed_at, du.display_name AS disclosed_by, \
             f.disclosed_to, f.counselling FROM origins_findings f JOIN users fu ON fu.id = f.found_by \
             LEFT JOIN users du ON du.id = f.disclosed_by WHERE f.case_id = $1 ORDER BY f.found_at",
        )
        .bind(case.id.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let unit_id: String = get(r, "unit_id")?;
            let Some(unit) = self.fetch_unit(&unit_id).await? else { continue };
            out.push(Finding {
                id: get(r, "id")?,
                unit,
                note: get(r, "note")?,
                found_by: get(r, "found_by")?,
                found_at: get(r, "found_at")?,
                disclosed_at: get(r, "disclosed_at")?,
                disclosed_by: get(r, "disclosed_by")?,
                disclosed_to: get(r, "disclosed_to")?,
                counselling: get(r, "counselling")?,
            });
        }
        self.audit(vec![caller.entry(AuditAction::Read, "case", Some(case.id.as_str()), "origins findings")]).await?;
        Ok(out)
    }

    /// Discloses a finding to the person, under guidance: to whom, with which counselling. Once
    /// only; the timeline and the audit keep who, when and what.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn disclose_finding(
        &self,
        caller: &Caller,
        case_id: &str,
        finding_id: &str,
        disclosed_to: &str,
        counselling: &str,
    ) -> Result<()> {
        caller.actor.require(caller.actor.can_manage_archive())?;
        let case = self.origins_case(caller, case_id).await?;
        let to = kinbridge_domain::text::required("disclosed_to", disclosed_to, 300);
        let counselling = kinbridge_domain::text::required("counselling", counselling, 2000);
        let (to, counselling) = match (to, counselling) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => return Err(DomainError::Invalid(a.err().into_iter().chain(b.err()).collect()).into()),
        };
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT u.reference_code, f.disclosed_at FROM origins_findings f JOIN archive_units u ON u.id = f.unit_id WHERE f.id = $1 AND f.case_id = $2")
            .bind(finding_id.to_string())
            .bind(case.id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(Error::not_found)?;
        if get::<Option<String>>(&row, "disclosed_at")?.is_some() {
            return Err(invalid("finding", ErrorCode::AlreadyDisclosed));
        }
        let reference: String = get(&row, "reference_code")?;
        sqlx::query("UPDATE origins_findings SET disclosed_at = $1, disclosed_by = $2, disclosed_to = $3, counselling = $4 WHERE id = $5")
            .bind(now())
            .bind(caller.actor.user_id.as_str())
            .bind(to.clone())
            .bind(counselling.clone())
            .bind(finding_id.to_string())
            .execute(&mut *tx)
            .await?;
        crate::cases::event(
            &mut tx,
            case.id.as_str(),
            Some(&caller.actor.user_id),
            EventKind::OriginsDisclosed,
            &format!("{reference} → {to}"),
        )
        .await?;
        append(
            &mut tx,
            &[caller.entry(
                AuditAction::Update,
                "origins_finding",
                Some(finding_id),
                &format!("disclosed {reference} to {to}; counselling: {counselling}"),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_unit(
    tx: &mut Tx,
    id: &str,
    member_id: &str,
    parent_id: Option<&str>,
    fonds_id: &str,
    new: &NewUnit,
    open_from: Option<NaiveDate>,
    status: DigitisationStatus,
) -> Result<()> {
    let at = now();
    sqlx::query(
        "INSERT INTO archive_units (id, member_id, parent_id, fonds_id, level, reference_code, title, creator, date_from, date_to, \
         extent, language, location, restriction, open_from, legal_hold, digitisation, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, $16, $17, $17)",
    )
    .bind(id.to_string())
    .bind(member_id.to_string())
    .bind(parent_id.map(str::to_string))
    .bind(fonds_id.to_string())
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
    .bind(open_from.map(|d| d.to_string()))
    .bind(status.as_str())
    .bind(at)
    .execute(&mut **tx)
    .await
    .map_err(|e| crate::unique_violation(e, ErrorCode::ReferenceCodeTaken))?;
    Ok(feed::changed(tx, Entity::Unit, id).await?)
}

/// The reference codes an imported file may take, in order: the one its manifest gives (and
/// only that), or else the fonds's code with the file's path without its extension, then with
/// it (`letter.pdf` beside `letter.txt`), then numbered.
fn reference_candidates(fonds_code: &str, display_path: &str, given: Option<&str>) -> Vec<String> {
    let clip = |s: String| s.chars().take(300).collect::<String>();
    if let Some(code) = given {
        return vec![clip(code.to_string())];
    }
    let path = display_path.replace(['\\', ' '], "/");
    let stem = std::path::Path::new(&path).with_extension("").to_string_lossy().to_string();
    let base = clip(format!("{fonds_code}/{stem}"));
    let whole = clip(format!("{fonds_code}/{path}"));
    let mut out = vec![base.clone()];
    if whole != base {
        out.push(whole.clone());
    }
    out.extend((2..=20).map(|n| format!("{whole}-{n}")));
    out
}

/// The first of `candidates` that no unit of the member has taken.
async fn free_reference(tx: &mut Tx, member_id: &str, candidates: &[String]) -> Result<Option<String>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_never_opens_before_its_parent() {
        let parent = |open: Option<NaiveDate>| Unit {
            id: String::new(),
            member_id: String::new(),
            member_code: String::new(),
            parent_id: None,
            fonds_id: String::new(),
            level: Level::Fonds,
            reference_code: String::new(),
            title: String::new(),
            creator: String::new(),
            date_from: None,
            date_to: None,
            extent: String::new(),
            language: String::new(),
            location: String::new(),
            restriction: Restriction::Open,
            open_from: open,
            legal_hold: false,
            digitisation: DigitisationStatus::NotDigitised,
            case_id: None,
            filename: None,
            content_type: None,
            size: None,
            sha256: None,
            page_count: None,
            confidence: None,
            created_at: String::new(),
        };
        let new = NewUnit::parse("item", "X/1", "Letter", "", "1930", "1931", "", "fr", "", "open").unwrap();
        let d = NaiveDate::from_ymd_opt;
        assert_eq!(decide_open_from(&new, Some(&parent(d(2060, 1, 1)))), d(2060, 1, 1));
        assert_eq!(decide_open_from(&new, Some(&parent(None))), None);
        let personal = NewUnit::parse("item", "X/2", "Letter", "", "1930", "1931", "", "fr", "", "personal").unwrap();
        assert_eq!(decide_open_from(&personal, Some(&parent(d(1940, 1, 1)))), d(2031, 12, 31));
    }
}
