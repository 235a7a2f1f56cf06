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
use kinbridge_domain::case::Fact;
use kinbridge_domain::case::{EventKind, ServiceType};
use kinbridge_domain::ids::{CaseId, FindingId, ImportId, UnitId};
use kinbridge_domain::ErrorCode;
use kinbridge_domain::{DomainError, FieldError, Role};
use kinbridge_store::archives::{self, ClosedUnits, NewUnitRow, Original};
use kinbridge_store::feed::{self, Change};
use object_store::path::Path as BlobPath;
use object_store::{ObjectStoreExt, PutPayload};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{jobs, system_entry, taken, today, Caller, Casework, Error, Result};
use kinbridge_store::audit::append;

pub use kinbridge_store::archives::{ImportFailure, ImportFile, ImportProgress, ImportRow, PageText, Unit};

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

/// What the search index needs of one unit (read by the indexer, not by a person).
#[derive(Debug, Clone)]
pub struct UnitForIndex {
    pub unit: Unit,
    pub country: String,
    pub text: String,
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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
    /// A unit by the id a caller or the search index gave; a malformed id is an unknown one.
    pub(crate) async fn fetch_unit(&self, id: &str) -> Result<Option<Unit>> {
        match UnitId::parse(id) {
            Some(id) => Ok(archives::by_id(self.pool(), &id).await?),
            None => Ok(None),
        }
    }

    async fn authorize_unit(&self, caller: &Caller, id: &str, need: ArchiveAccess) -> Result<Unit> {
        let unit = self.fetch_unit(id).await?;
        match unit {
            Some(u) if caller.actor.archive_access(&u.member_id, u.is_open()) >= need => Ok(u),
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
        let fonds_id = parent.as_ref().map(|p| p.fonds_id.to_string()).unwrap_or_else(|| id.clone());
        let row = NewUnitRow {
            id: &id,
            member_id: caller.actor.member_id.as_str(),
            parent_id: parent.as_ref().map(|p| p.id.as_str()),
            fonds_id: &fonds_id,
            new,
            open_from: decide_open_from(new, parent.as_ref()),
            status: DigitisationStatus::NotDigitised,
        };
        archives::insert(&mut tx, &row).await.map_err(|e| taken(e, ErrorCode::ReferenceCodeTaken))?;
        append(&mut tx, &[caller.entry(AuditAction::Create, "archive_unit", Some(&id), &new.reference_code)]).await?;
        tx.commit().await?;
        self.fetch_unit(&id).await?.ok_or_else(Error::not_found)
    }

    /// A unit of a fonds by its reference code (manifests name parents this way).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn unit_id_by_code(&self, fonds_id: &UnitId, code: &str) -> Result<Option<UnitId>> {
        Ok(archives::id_by_code(self.pool(), fonds_id, code).await?)
    }

    /// A unit of the caller's own member by its reference code (archivists name units so).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn unit_by_reference(&self, caller: &Caller, code: &str) -> Result<Option<UnitId>> {
        Ok(archives::id_by_reference(self.pool(), &caller.actor.member_id, code.trim()).await?)
    }

    /// The fonds with a reference code, of one member (by its code) or of every member that
    /// has one (reference codes are unique per member), for the command line.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn fonds_by_code(&self, code: &str, member_code: Option<&str>) -> Result<Vec<Unit>> {
        Ok(archives::fonds_by_code(self.pool(), code, member_code).await?)
    }

    /// Creates a fonds for a member on the command line (the system acting, audited).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn create_fonds_as_system(&self, member_code: &str, new: &NewUnit) -> Result<Unit> {
        let member_id = kinbridge_store::members::by_code(
            self.pool(),
            &kinbridge_domain::member::MemberCode::parse(member_code)
                .map_err(|_| Error::Conflict(ErrorCode::UnknownMember))?,
        )
        .await?
        .ok_or(Error::Conflict(ErrorCode::UnknownMember))?
        .id;
        let mut tx = self.begin_write().await?;
        let id = uuid::Uuid::now_v7().to_string();
        let row = NewUnitRow {
            id: &id,
            member_id: member_id.as_str(),
            parent_id: None,
            fonds_id: &id,
            new,
            open_from: decide_open_from(new, None),
            status: DigitisationStatus::NotDigitised,
        };
        archives::insert(&mut tx, &row).await.map_err(|e| taken(e, ErrorCode::ReferenceCodeTaken))?;
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
            if caller.actor.archive_access(&u.member_id, u.is_open()) == ArchiveAccess::None {
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
        let closed = match caller.actor.role {
            Role::SystemAdmin => ClosedUnits::All,
            Role::Archivist => ClosedUnits::Of(&caller.actor.member_id),
            _ => ClosedUnits::None,
        };
        let rows = archives::children(self.pool(), &parent.id, closed, limit, offset).await?;
        let visible: Vec<Unit> = rows
            .into_iter()
            .filter(|u| caller.actor.archive_access(&u.member_id, u.is_open()) != ArchiveAccess::None)
            .collect();
        self.audit(vec![caller.entry(AuditAction::List, "archive_unit", Some(&parent.id), "children")]).await?;
        Ok(visible)
    }

    /// The fonds the caller may open: its own member's (archivists), and open ones.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn list_fonds(&self, caller: &Caller) -> Result<Vec<Unit>> {
        let all = archives::all_fonds(self.pool()).await?;
        self.audit(vec![caller.entry(AuditAction::List, "archive_unit", None, "fonds")]).await?;
        Ok(all
            .into_iter()
            .filter(|u| caller.actor.archive_access(&u.member_id, u.is_open()) != ArchiveAccess::None)
            .collect())
    }

    /// The text of an item, page by page.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn unit_pages(&self, caller: &Caller, id: &str) -> Result<Vec<PageText>> {
        let u = self.authorize_unit(caller, id, ArchiveAccess::Read).await?;
        let pages = archives::pages(self.pool(), &u.id).await?;
        self.audit(vec![caller.entry(AuditAction::Read, "archive_unit", Some(&u.id), "text")]).await?;
        Ok(pages)
    }

    /// The original of an item, unchanged, for download (audited).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn unit_original(&self, caller: &Caller, id: &str) -> Result<(Unit, Bytes)> {
        let u = self.authorize_unit(caller, id, ArchiveAccess::Read).await?;
        let key = archives::storage_key(self.pool(), &u.id).await?.ok_or_else(Error::not_found)?;
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
        let entities = archives::entities(self.pool(), &u.id).await?;
        self.audit(vec![caller.entry(AuditAction::Read, "archive_unit", Some(&u.id), "entities")]).await?;
        Ok(entities)
    }

    /// Puts a unit under legal hold (nothing in it may be deleted) or lifts the hold.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn set_legal_hold(&self, caller: &Caller, id: &str, hold: bool) -> Result<Unit> {
        let u = self.authorize_unit(caller, id, ArchiveAccess::Manage).await?;
        let mut tx = self.begin_write().await?;
        archives::set_legal_hold(&mut tx, &u.id, hold).await?;
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
        if archives::child_count(self.pool(), &u.id).await? > 0 {
            return Err(invalid("unit", ErrorCode::HasChildren));
        }
        let key = archives::storage_key(self.pool(), &u.id).await?;
        let mut tx = self.begin_write().await?;
        archives::delete(&mut tx, &u.id).await?;
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
        let case_id = archives::case_by_reference(self.pool(), case_reference.trim(), &u.member_id)
            .await?
            .ok_or_else(|| invalid("case_reference", ErrorCode::UnknownCase))?;
        let mut tx = self.begin_write().await?;
        archives::link_case(&mut tx, &u.id, &case_id).await?;
        crate::cases::event(
            &mut tx,
            &case_id,
            Some(&caller.actor.user_id),
            EventKind::ArchiveLinked,
            &[Fact::text(&u.reference_code)],
        )
        .await?;
        append(
            &mut tx,
            &[caller.entry(AuditAction::Update, "archive_unit", Some(&u.id), &format!("linked to {case_reference}"))],
        )
        .await?;
        tx.commit().await?;
        self.fetch_unit(&u.id).await?.ok_or_else(Error::not_found)
    }

    // ---- import batches ----

    /// Queues the files of a batch; files already queued for this fonds (by source) are left as
    /// they are, so running an import again resumes it. Returns (queued now, already known).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn queue_import(
        &self,
        fonds_id: &UnitId,
        files: &[ImportFile],
        languages: &[String],
    ) -> Result<(usize, usize)> {
        let mut queued = 0;
        for chunk in files.chunks(500) {
            let mut tx = self.begin_write().await?;
            for f in chunk {
                let id = ImportId::generate();
                let done = archives::queue(&mut tx, &id, fonds_id, f, languages).await?;
                if done {
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
    ) -> Result<ImportId> {
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
            parent_id: Some(parent.id.to_string()),
            ..ImportFile::default()
        };
        self.queue_import(&parent.fonds_id, std::slice::from_ref(&file), languages).await?;
        self.audit(vec![caller.entry(AuditAction::Create, "archive_import", Some(&parent.id), &name)]).await?;
        Ok(archives::import_id(self.pool(), &parent.fonds_id, &file.source).await?)
    }

    /// The bytes a queued file points to (an upload in the document store).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn import_blob(&self, key: &str) -> Result<Bytes> {
        Ok(self.store.blobs().get(&BlobPath::from(key)).await?.bytes().await?)
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn import_row(&self, id: &str) -> Result<Option<ImportRow>> {
        Ok(archives::import_row(self.pool(), &ImportId::from_trusted(id.to_string())).await?)
    }

    /// Records an imported item: the original, its unit, its pages and what it names, in one
    /// transaction (the original is removed again if the transaction fails). An original already
    /// in the fonds (same content) is not imported twice: the row points to the existing item.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn record_import(&self, row: &ImportRow, item: ImportedItem) -> Result<UnitId> {
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
        let id = UnitId::generate();
        let key = format!("{}/archive/{}", row.member_id, id);
        let size = item.bytes.len() as i64;
        self.store.blobs().put(&BlobPath::from(key.as_str()), PutPayload::from_bytes(item.bytes)).await?;
        let recorded = async {
            let mut tx = self.begin_write().await?;
            // Chosen under the write lock, so that two files of one name cannot both take it.
            new.reference_code = archives::free_reference(&mut tx, &row.member_id, &candidates)
                .await?
                .ok_or(Error::Conflict(ErrorCode::ReferenceCodeTaken))?;
            let status = if needs_review { DigitisationStatus::NeedsReview } else { DigitisationStatus::Digitised };
            let unit = NewUnitRow {
                id: &id,
                member_id: &row.member_id,
                parent_id: Some(&parent.id),
                fonds_id: &row.fonds_id,
                new: &new,
                open_from: decide_open_from(&new, Some(&parent)),
                status,
            };
            archives::insert(&mut tx, &unit).await.map_err(|e| taken(e, ErrorCode::ReferenceCodeTaken))?;
            let entities: Vec<(String, String, String)> = item
                .entities
                .iter()
                .map(|(kind, value)| (kind.clone(), value.clone(), kinbridge_matching::normalize::fold(value)))
                .collect();
            let original = Original {
                filename: &item.filename,
                content_type: &item.content_type,
                size,
                sha256: &sha,
                storage_key: &key,
                confidence,
                pages: &item.pages,
                entities: &entities,
            };
            archives::record_original(&mut tx, &id, &row.id, &original).await?;
            append(
                &mut tx,
                &[system_entry(
                    AuditAction::Create,
                    "archive_unit",
                    Some(&id),
                    None,
                    &format!("{} sha256:{sha}", row.file.display_path),
                )],
            )
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

    async fn item_by_hash(&self, fonds_id: &UnitId, sha: &str) -> Result<Option<UnitId>> {
        Ok(archives::item_by_hash(self.pool(), fonds_id, sha).await?)
    }

    /// Marks a file of a batch as finished: `failed` with the reason, or `duplicate`.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn finish_import(
        &self,
        id: &ImportId,
        status: &str,
        reason: Option<&str>,
        item_id: Option<&UnitId>,
        pages: Option<i64>,
    ) -> Result<()> {
        Ok(archives::finish_import(self.pool(), id, status, reason, item_id, pages).await?)
    }

    /// How far the imports into a fonds have come.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn import_progress(&self, fonds_id: &UnitId) -> Result<ImportProgress> {
        Ok(archives::import_progress(self.pool(), fonds_id).await?)
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn import_failures(&self, fonds_id: &UnitId, limit: i64) -> Result<Vec<ImportFailure>> {
        Ok(archives::import_failures(self.pool(), fonds_id, limit).await?)
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
        Ok(kinbridge_store::jobs::release(self.pool(), jobs::ARCHIVE_IMPORT).await?)
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
        let country = kinbridge_store::members::country_of(self.pool(), &unit.member_id).await?;
        let (text, names) = archives::index_text(self.pool(), &unit.id).await?;
        Ok(Some(UnitForIndex { unit, country, text, names }))
    }

    // ---- the search of origins ----

    /// Whether a case traces someone (it has a tracing request).
    async fn traces(&self, case_id: &CaseId) -> Result<bool> {
        Ok(archives::traces(self.pool(), case_id).await?)
    }

    /// A case the archives are searched for — an access request (search of origins) or a case
    /// with a tracing request — that the caller may work on as an archivist of the member that
    /// holds it, or read as its caseworker.
    async fn origins_case(&self, caller: &Caller, case_id: &str) -> Result<kinbridge_domain::case::Case> {
        let case = match kinbridge_domain::ids::CaseId::parse(case_id) {
            Some(id) => kinbridge_store::cases::fetch_case(self.pool(), &id).await?,
            None => None,
        };
        let searched = match &case {
            Some(c) => c.service == ServiceType::SearchOfOrigins || self.traces(&c.id).await?,
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
        let found = archives::origins_cases(self.pool(), &caller.actor.member_id).await?;
        self.audit(vec![caller.entry(AuditAction::List, "case", None, "search_of_origins")]).await?;
        Ok(found)
    }

    /// Records that a unit of the member's archive answers an access request.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn record_finding(&self, caller: &Caller, case_id: &str, unit_id: &str, note: &str) -> Result<String> {
        caller.actor.require(caller.actor.can_manage_archive())?;
        let case = self.origins_case(caller, case_id).await?;
        let unit = self.authorize_unit(caller, unit_id, ArchiveAccess::Manage).await?;
        let note = kinbridge_domain::text::optional("note", note, 5000).map_err(|e| DomainError::Invalid(vec![e]))?;
        let id = FindingId::generate();
        let mut tx = self.begin_write().await?;
        archives::insert_finding(&mut tx, &id, &case.id, &unit.id, &note, &caller.actor.user_id)
            .await
            .map_err(|e| taken(e, ErrorCode::AlreadyFound))?;
        crate::cases::event(
            &mut tx,
            &case.id,
            Some(&caller.actor.user_id),
            EventKind::OriginsFound,
            &[Fact::text(&unit.reference_code)],
        )
        .await?;
        append(&mut tx, &[caller.entry(AuditAction::Create, "origins_finding", Some(&id), &unit.reference_code)])
            .await?;
        tx.commit().await?;
        Ok(id.to_string())
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
        let sought_only = self.traces(&case.id).await?;
        let people = archives::sought_names(self.pool(), &case.id, sought_only).await?;
        let written = archives::written_names(self.pool(), &caller.actor.member_id).await?;
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
                unit_id: unit.id.to_string(),
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
        let mut out = Vec::new();
        for f in archives::findings(self.pool(), &case.id).await? {
            let Some(unit) = self.fetch_unit(&f.unit_id).await? else { continue };
            out.push(Finding {
                id: f.id,
                unit,
                note: f.note,
                found_by: f.found_by,
                found_at: f.found_at,
                disclosed_at: f.disclosed_at,
                disclosed_by: f.disclosed_by,
                disclosed_to: f.disclosed_to,
                counselling: f.counselling,
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
        let finding_id = &FindingId::parse(finding_id).ok_or_else(Error::not_found)?;
        let mut tx = self.begin_write().await?;
        let (reference, disclosed) =
            archives::finding_state(&mut tx, finding_id, &case.id).await?.ok_or_else(Error::not_found)?;
        if disclosed {
            return Err(invalid("finding", ErrorCode::AlreadyDisclosed));
        }
        archives::disclose(&mut tx, finding_id, &caller.actor.user_id, &to, &counselling).await?;
        crate::cases::event(
            &mut tx,
            &case.id,
            Some(&caller.actor.user_id),
            EventKind::OriginsDisclosed,
            &[Fact::text(&reference), Fact::text(&to)],
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

#[cfg(test)]
mod tests {
    use super::*;
    use kinbridge_domain::ids::MemberId;

    #[test]
    fn a_unit_never_opens_before_its_parent() {
        let parent = |open: Option<NaiveDate>| Unit {
            id: UnitId::generate(),
            member_id: MemberId::generate(),
            member_code: String::new(),
            parent_id: None,
            fonds_id: UnitId::generate(),
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
