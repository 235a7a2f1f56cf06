//! Cases and everything on them: people, relationships, consent, notes, assignment,
//! closure, and the timeline. Scoped to the caller's member and audited.

use kinbridge_domain::case::{Fact, Vocab};
use kinbridge_domain::ErrorCode;
use std::sync::Arc;

use kinbridge_domain::access::{CaseAccess, CaseScope};
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::case::{
    apply_case_action, beneficiaries, Beneficiary, Case, CaseAction, CaseFilter, CasePatch, CaseStatus, ConsentScope,
    EventKind, NewCase, NewConsent, NewPerson, Person, PersonRole, RelationshipKind,
};
use kinbridge_domain::ids::{CaseId, PersonId, RelationshipId, UserId};
use kinbridge_domain::notice::NoticeKind;
use kinbridge_domain::{DomainError, FieldError};
use serde::Serialize;
use sqlx::{Any, Executor};

use kinbridge_store::audit::append;
use kinbridge_store::cases::{self, fetch_case};

use crate::{today, Caller, Casework, Error, Result, Tx};

/// Adds a line to a case's timeline inside a write transaction (see `kinbridge_store::cases::event`).
pub(crate) async fn event(
    tx: &mut Tx,
    case_id: &CaseId,
    actor: Option<&UserId>,
    kind: EventKind,
    facts: &[Fact],
) -> Result<()> {
    Ok(kinbridge_store::cases::event(tx, case_id, actor, kind, facts).await?)
}

pub use kinbridge_store::cases::{CaseSummary, Consent, Note, Relationship, TimelineEvent};
pub use kinbridge_store::Page;

/// Lower-cased text the case list's text filter searches: reference, title, summary, names.
pub(crate) async fn refresh_search_text(tx: &mut Tx, case_id: &CaseId) -> Result<()> {
    Ok(cases::refresh_search_text(tx, case_id).await?)
}

pub(crate) async fn insert_person(tx: &mut Tx, case_id: &CaseId, p: &NewPerson) -> Result<PersonId> {
    Ok(cases::insert_person(tx, case_id, p).await?)
}

pub use kinbridge_store::stamps::KEPT_PAGE_TTL;

/// Case pages read by this instance, by case id, with the stamp each was read at.
pub(crate) type DetailCache = kinbridge_store::KeptCopies<String, (i64, Arc<CaseDetail>)>;

/// The most rows a case list export holds.
pub const EXPORT_MAX: u32 = 20_000;

/// The most case pages [`DetailCache`] keeps.
pub(crate) const DETAIL_CAPACITY: usize = 4096;

/// A case the caller may read, whose reading has been audited; only [`Store::read_case`]
/// makes one.
#[derive(Debug)]
pub struct CaseRead {
    case: Case,
    stamp: i64,
}

impl CaseRead {
    pub fn case(&self) -> &Case {
        &self.case
    }

    /// Raised by every change to what the case page shows (see `stamps.rs`); with the case
    /// row, it names the version of the page.
    pub fn stamp(&self) -> i64 {
        self.stamp
    }
}

/// Everything on a case page.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CaseDetail {
    pub case: Case,
    pub people: Vec<Person>,
    pub relationships: Vec<Relationship>,
    pub consents: Vec<Consent>,
    pub notes: Vec<Note>,
    pub documents: Vec<crate::documents::Document>,
    pub requests: Vec<kinbridge_domain::request::Request>,
    pub timeline: Vec<TimelineEvent>,
    pub beneficiaries: Vec<Beneficiary>,
    pub tracing_requests: Vec<crate::tracing_requests::TracingRequest>,
    /// Possible matches of the case's people (a partner's shown only as who holds them).
    pub matches: Vec<crate::matching::MatchView>,
    pub plan: crate::plans::CasePlan,
    pub assessments: Vec<kinbridge_store::assessments::Assessment>,
    /// The risk level of the latest signed-off best-interests assessment.
    pub risk: Option<kinbridge_domain::assessment::RiskLevel>,
    /// Handovers of this case to another member, or the one it came from.
    pub transfers: Vec<kinbridge_domain::transfer::Transfer>,
}

impl Casework {
    /// Reads a case for `need`, or audits the denied attempt and answers not found: a
    /// guessed id of another member's case looks exactly like one that does not exist.
    pub(crate) async fn authorize_case(&self, caller: &Caller, id: &str, need: CaseAccess) -> Result<Case> {
        Ok(self.authorize_case_stamped(caller, id, need).await?.0)
    }

    /// [`Casework::authorize_case`], with the case's page stamp read in the same query.
    async fn authorize_case_stamped(&self, caller: &Caller, id: &str, need: CaseAccess) -> Result<(Case, i64)> {
        let case = match CaseId::parse(id) {
            Some(cid) => self.store.case_stamped(&cid).await?,
            None => None,
        };
        match case {
            // A case handed over to another member is kept to read; nobody changes it any more.
            Some((c, _))
                if need == CaseAccess::Write
                    && c.status == CaseStatus::Transferred
                    && caller.actor.case_access(&c.member_id) >= need =>
            {
                Err(DomainError::field("status", ErrorCode::CaseTransferred).into())
            }
            Some((c, stamp)) if caller.actor.case_access(&c.member_id) >= need => Ok((c, stamp)),
            Some((c, _)) if caller.actor.case_access(&c.member_id) == CaseAccess::Titles => {
                let entry = caller.entry(AuditAction::Denied, "case", Some(c.id.as_str()), "training lapsed");
                self.audit(vec![entry]).await?;
                Err(Error::TrainingLapsed)
            }
            _ => Err(self.denied(caller, "case", id).await),
        }
    }

    /// Opens a case with its people and consents. A case needs its child and the consent to
    /// processing of personal data. Before a child is registered, the records that may already
    /// be them are looked for: if there are any, the case is not opened
    /// ([`Error::PossibleDuplicates`]) unless `duplicate_reason` says why this is a new case;
    /// the reason is kept on the timeline and in the audit trail.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn open_case(
        &self,
        caller: &Caller,
        new: &NewCase,
        people: &[NewPerson],
        consents: &[NewConsent],
        duplicate_reason: Option<&str>,
    ) -> Result<Case> {
        self.open_case_linked(caller, new, people, consents, duplicate_reason, None).await
    }

    /// [`Casework::open_case`], by the receiving member of a request, for the request: the
    /// same rules (child, consent, duplicate check), and the request linked to the new case in
    /// the same transaction, so a request has at most one case of the receiver's.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn open_case_from_request(
        &self,
        caller: &Caller,
        request_id: &str,
        new: &NewCase,
        people: &[NewPerson],
        consents: &[NewConsent],
        duplicate_reason: Option<&str>,
    ) -> Result<Case> {
        let intake = self.request_intake(caller, request_id).await?;
        if intake.our_case.is_some() {
            return Err(Error::Conflict(ErrorCode::RequestHasCase));
        }
        self.open_case_linked(caller, new, people, consents, duplicate_reason, Some(&intake.request)).await
    }

    async fn open_case_linked(
        &self,
        caller: &Caller,
        new: &NewCase,
        people: &[NewPerson],
        consents: &[NewConsent],
        duplicate_reason: Option<&str>,
        request: Option<&kinbridge_domain::request::Request>,
    ) -> Result<Case> {
        caller.actor.require(caller.actor.has_casework())?;
        let children: Vec<&NewPerson> = people.iter().filter(|p| p.role == PersonRole::Child).collect();
        let mut missing = Vec::new();
        if children.is_empty() {
            missing.push(FieldError::new("people", ErrorCode::ChildRequired));
        }
        if !consents.iter().any(|c| c.scope == ConsentScope::DataProcessing) {
            missing.push(FieldError::new("consents", ErrorCode::ConsentRequired));
        }
        if !missing.is_empty() {
            return Err(DomainError::Invalid(missing).into());
        }
        let reason = match duplicate_reason.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Some(
                kinbridge_domain::text::required("duplicate_reason", r, 2000)
                    .map_err(|e| DomainError::Invalid(vec![e]))?,
            ),
            None => {
                for child in &children {
                    let found = self.possible_duplicates_except(caller, child, request.map(|r| &r.case_id)).await?;
                    if !found.is_empty() {
                        return Err(Error::PossibleDuplicates(found));
                    }
                }
                None
            }
        };
        let mut tx = self.begin_write().await?;
        let opened = today();
        let reference = cases::next_reference(&mut tx, &caller.actor.member_id, opened).await?;
        let id = CaseId::generate();
        cases::insert(&mut tx, &id, &caller.actor.member_id, &reference, new, &caller.actor.user_id, opened).await?;
        event(&mut tx, &id, Some(&caller.actor.user_id), EventKind::Opened, &[Fact::text(&reference)]).await?;
        if let Some(reason) = &reason {
            event(&mut tx, &id, Some(&caller.actor.user_id), EventKind::DuplicateOverridden, &[Fact::text(reason)])
                .await?;
        }
        for p in people {
            insert_person(&mut tx, &id, p).await?;
            event(
                &mut tx,
                &id,
                Some(&caller.actor.user_id),
                EventKind::PersonAdded,
                &[Fact::term(Vocab::PersonRole, p.role), Fact::text(p.full_name())],
            )
            .await?;
        }
        for c in consents {
            cases::insert_consent(&mut tx, &id, &caller.actor.user_id, c).await?;
        }
        if let Some(r) = request {
            if !kinbridge_store::requests::link_receiver_case(&mut tx, &r.id, &id).await? {
                return Err(Error::Conflict(ErrorCode::RequestHasCase));
            }
            let facts = [
                Fact::term(Vocab::Member, &r.from_member_code),
                Fact::term(Vocab::RequestKind, r.kind),
                Fact::text(&r.subject),
            ];
            event(&mut tx, &id, Some(&caller.actor.user_id), EventKind::OpenedFromRequest, &facts).await?;
            append(
                &mut tx,
                &[caller.entry(
                    AuditAction::Update,
                    "request",
                    Some(r.id.as_str()),
                    &format!("case {reference} opened from it"),
                )],
            )
            .await?;
        }
        refresh_search_text(&mut tx, &id).await?;
        let detail = match reason {
            Some(_) => format!("{reference}; possible duplicates overridden"),
            None => reference.clone(),
        };
        append(&mut tx, &[caller.entry(AuditAction::Create, "case", Some(id.as_str()), &detail)]).await?;
        let case = fetch_case(&mut *tx, &id).await?.ok_or_else(Error::not_found)?;
        if !people.is_empty() {
            kinbridge_store::jobs::enqueue(&mut tx, crate::jobs::MATCH_CASE, id.as_str()).await?;
        }
        tx.commit().await?;
        self.store.wake_jobs();
        Ok(case)
    }

    /// One case, audited.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn case(&self, caller: &Caller, id: &str) -> Result<Case> {
        let case = self.authorize_case(caller, id, CaseAccess::Read).await?;
        self.audit(vec![caller.entry(AuditAction::Read, "case", Some(id), "")]).await?;
        Ok(case)
    }

    /// The whole case page in one audited read. The access decision and the case row are
    /// read every time; the rest is served from this instance's memory while the case's page
    /// stamp is unchanged (see `stamps.rs`), and read in one go otherwise.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn case_detail(&self, caller: &Caller, id: &str) -> Result<CaseDetail> {
        let read = self.read_case(caller, id).await?;
        self.case_detail_of(read).await
    }

    /// Opens a case for reading: access decided on its current row, the read audited. The
    /// stamp tells whether a copy of its page kept by this instance is still current.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn read_case(&self, caller: &Caller, id: &str) -> Result<CaseRead> {
        if let Some(read) = self.read_kept_case(caller, id).await? {
            return Ok(read);
        }
        let (case, stamp) = self.authorize_case_stamped(caller, id, CaseAccess::Read).await?;
        self.audit(vec![caller.entry(AuditAction::Read, "case", Some(case.id.as_str()), "")]).await?;
        Ok(CaseRead { case, stamp })
    }

    /// A read of a case whose page this instance keeps, with no statement of its own: access
    /// is decided on the kept case row, and the audit group that records the read checks, in
    /// its own transaction and under the lock that every write takes, that the case still
    /// has the kept page's stamp (any change to the row or to what its page shows raises it).
    /// Only then is the read's entry written and the read given; otherwise, or if the kept
    /// row refuses access, the read goes the usual way.
    async fn read_kept_case(&self, caller: &Caller, id: &str) -> Result<Option<CaseRead>> {
        let Some((case, stamp)) = self.details.get(id, |(stamp, detail)| Some((detail.case.clone(), *stamp))) else {
            return Ok(None);
        };
        if caller.actor.case_access(&case.member_id) < CaseAccess::Read {
            return Ok(None);
        }
        let entry = caller.entry(AuditAction::Read, "case", Some(case.id.as_str()), "");
        let current = self.store.audit_writer().record_if_current(vec![entry], case.id.as_str(), stamp).await?;
        Ok(current.then_some(CaseRead { case, stamp }))
    }

    /// Everything on the page of a case opened with [`Store::read_case`].
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn case_detail_of(&self, read: CaseRead) -> Result<CaseDetail> {
        let CaseRead { case, stamp } = read;
        let cid = case.id.as_str().to_string();
        Ok(match self.details.get(cid.as_str(), |(kept, detail)| (*kept == stamp).then(|| Arc::clone(detail))) {
            Some(kept) => {
                // What depends on the case row or on today is worked out afresh.
                let mut detail = (*kept).clone();
                let today = today();
                for r in &mut detail.requests {
                    r.overdue = kinbridge_domain::request::is_overdue(r.status, r.due_on, today);
                }
                detail.beneficiaries = beneficiaries(&case, &detail.people);
                detail.case = case;
                detail
            }
            None => {
                let detail = self.read_case_detail(case).await?;
                self.details.put(cid, (stamp, Arc::new(detail.clone())));
                detail
            }
        })
    }

    /// Everything on a case page, from the database.
    async fn read_case_detail(&self, case: Case) -> Result<CaseDetail> {
        let cid = case.id.clone();
        // One connection, one query after another: on SQLite every query is a round trip to
        // the connection's thread, and spreading a page over seven connections costs more in
        // wake-ups than it gains.
        let mut conn = self.pool().acquire().await?;
        let people = people_of(&mut *conn, &cid).await?;
        let relationships = relationships_of(&mut *conn, &cid).await?;
        let consents = consents_of(&mut *conn, &cid).await?;
        let notes = notes_of(&mut *conn, &cid).await?;
        let documents = kinbridge_store::documents::file_of_case(&mut *conn, &cid).await?;
        let requests = crate::requests::requests_of_case(&mut *conn, &cid).await?;
        let timeline = timeline_of(&mut *conn, &cid).await?;
        let tracing_requests = kinbridge_store::tracing_requests::of_case(&mut *conn, &cid).await?;
        let matches = crate::matching::matches_of(&mut *conn, &case).await?;
        let plan = crate::plans::CasePlan {
            goals: kinbridge_store::plans::goals_of(&mut *conn, &cid).await?,
            tasks: kinbridge_store::plans::tasks_of(&mut *conn, &cid).await?,
            reviews: kinbridge_store::plans::reviews_of(&mut *conn, &cid).await?,
        };
        let assessments = kinbridge_store::assessments::of_case(&mut *conn, &cid).await?;
        let risk = kinbridge_store::assessments::risk_of(&mut *conn, &cid).await?;
        let transfers = kinbridge_store::transfers::of_case(&mut *conn, &cid).await?;
        drop(conn);
        let beneficiaries = beneficiaries(&case, &people);
        Ok(CaseDetail {
            case,
            people,
            relationships,
            consents,
            notes,
            documents,
            requests,
            timeline,
            beneficiaries,
            tracing_requests,
            matches,
            plan,
            assessments,
            risk,
            transfers,
        })
    }

    /// The case list, filtered and paginated, within the caller's scope.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn list_cases(&self, caller: &Caller, f: &CaseFilter) -> Result<Page<CaseSummary>> {
        let member = match caller.actor.case_scope() {
            CaseScope::Member(m) => Some(m),
            CaseScope::AllReadOnly => None,
            CaseScope::Nothing => return Err(DomainError::Forbidden.into()),
        };
        let mut page = cases::page(self.pool(), member.as_ref(), f).await?;
        if caller.actor.training_hold {
            // Titles only until the caller's training is renewed.
            for c in &mut page.items {
                c.child_name = None;
            }
        }
        let total = page.total;
        self.audit(vec![caller.entry(
            AuditAction::List,
            "case",
            None,
            &format!("page {} of {} results", f.page, total),
        )])
        .await?;
        Ok(page)
    }

    /// Every case of the list's filters (at most [`EXPORT_MAX`]), for a spreadsheet; the
    /// export is audited as a download with its row count.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn export_cases(&self, caller: &Caller, f: &CaseFilter) -> Result<Vec<CaseSummary>> {
        if caller.actor.training_hold {
            return Err(Error::TrainingLapsed);
        }
        let all = CaseFilter { page: 1, per_page: EXPORT_MAX, ..f.clone() };
        let member = match caller.actor.case_scope() {
            CaseScope::Member(m) => Some(m),
            CaseScope::AllReadOnly => None,
            CaseScope::Nothing => return Err(DomainError::Forbidden.into()),
        };
        let page = cases::page(self.pool(), member.as_ref(), &all).await?;
        let detail = format!("case list export: {} of {}", page.items.len(), page.total);
        self.audit(vec![caller.entry(AuditAction::Download, "case", None, &detail)]).await?;
        Ok(page.items)
    }

    /// A case's whole record for a summary handed outside (a court, an authority): read as the
    /// case page is, and the export recorded on the case's timeline (who, in which language)
    /// and in the audit log, before any byte of it leaves.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn export_case_summary(
        &self,
        caller: &Caller,
        id: &str,
        language: &str,
        with_notes: bool,
    ) -> Result<CaseDetail> {
        let case_id = self.authorize_case(caller, id, CaseAccess::Read).await?.id;
        let mut tx = self.begin_write().await?;
        event(
            &mut tx,
            &case_id,
            Some(&caller.actor.user_id),
            EventKind::SummaryExported,
            &[Fact::term(Vocab::Language, language)],
        )
        .await?;
        let detail = format!("case summary PDF in {language}{}", if with_notes { ", with notes" } else { "" });
        append(&mut tx, &[caller.entry(AuditAction::Download, "case", Some(case_id.as_str()), &detail)]).await?;
        tx.commit().await?;
        // Read after the export's own line, so the summary shows who exported it.
        let mut detail = self.case_detail(caller, case_id.as_str()).await?;
        if !with_notes {
            detail.notes.clear();
        }
        Ok(detail)
    }

    /// Changes descriptive fields. With `expected_version`, refuses a change made on a stale copy.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn update_case(
        &self,
        caller: &Caller,
        id: &str,
        patch: &CasePatch,
        expected_version: Option<i64>,
    ) -> Result<Case> {
        let case = self.authorize_case(caller, id, CaseAccess::Write).await?;
        // Required: without the version read, another person's change would be overwritten.
        let expected_version = expected_version.ok_or(DomainError::field("version", ErrorCode::Required))?;
        if case.status == CaseStatus::Closed {
            return Err(DomainError::InvalidTransition { from: "closed", action: "update" }.into());
        }
        let mut tx = self.begin_write().await?;
        let current = fetch_case(&mut *tx, &case.id).await?.ok_or_else(Error::not_found)?;
        if expected_version != current.version {
            return Err(Error::Conflict(ErrorCode::StaleVersion));
        }
        let title = patch.title.clone().unwrap_or_else(|| current.title.clone());
        let summary = patch.summary.clone().unwrap_or_else(|| current.summary.clone());
        let views = patch.child_views.clone().unwrap_or_else(|| current.child_views.clone());
        let partner = match patch.partner_country {
            Some(p) => p.map(|c| c.code().to_string()),
            None => current.partner_country.clone(),
        };
        let mut facts = Vec::new();
        let mut changed = |field: &str, vocab: Option<Vocab>, before: &str, after: &str| {
            if before != after {
                facts.push(Fact::change(field, vocab, before, after));
            }
        };
        changed("title", None, &current.title, &title);
        changed("summary", None, &current.summary, &summary);
        changed("child_views", None, &current.child_views, &views);
        let partner_before = current.partner_country.as_deref().unwrap_or("");
        changed("partner_country", Some(Vocab::Country), partner_before, partner.as_deref().unwrap_or(""));
        if facts.is_empty() {
            return Ok(current);
        }
        cases::update_fields(&mut tx, &case.id, &title, &summary, &views, partner.as_deref()).await?;
        refresh_search_text(&mut tx, &case.id).await?;
        let fields = Fact::changed_fields(&facts);
        append(&mut tx, &[caller.entry(AuditAction::Update, "case", Some(case.id.as_str()), &fields)]).await?;
        event(&mut tx, &case.id, Some(&caller.actor.user_id), EventKind::Updated, &facts).await?;
        let updated = fetch_case(&mut *tx, &case.id).await?.ok_or_else(Error::not_found)?;
        tx.commit().await?;
        Ok(updated)
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn add_person(&self, caller: &Caller, case_id: &str, p: &NewPerson) -> Result<Person> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        let mut tx = self.begin_write().await?;
        let id = insert_person(&mut tx, &case.id, p).await?;
        refresh_search_text(&mut tx, &case.id).await?;
        event(
            &mut tx,
            &case.id,
            Some(&caller.actor.user_id),
            EventKind::PersonAdded,
            &[Fact::term(Vocab::PersonRole, p.role), Fact::text(p.full_name())],
        )
        .await?;
        append(&mut tx, &[caller.entry(AuditAction::Create, "person", Some(id.as_str()), case.id.as_str())]).await?;
        kinbridge_store::jobs::enqueue(&mut tx, crate::jobs::MATCH_CASE, case.id.as_str()).await?;
        tx.commit().await?;
        self.store.wake_jobs();
        let people = people_of(self.pool(), &case.id).await?;
        people.into_iter().find(|x| x.id == id).ok_or_else(Error::not_found)
    }

    /// Corrects a person's record. `expected_version` is the version the correction was made
    /// on: a save over someone else's correction is refused. The timeline keeps each changed
    /// field with its value before and after; undecided possible matches of the person are
    /// proposed again from the corrected record.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn correct_person(
        &self,
        caller: &Caller,
        case_id: &str,
        person_id: &str,
        p: &NewPerson,
        expected_version: Option<i64>,
    ) -> Result<Person> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        let expected_version = expected_version.ok_or(DomainError::field("version", ErrorCode::Required))?;
        if case.status == CaseStatus::Closed {
            return Err(DomainError::InvalidTransition { from: "closed", action: "update" }.into());
        }
        let person_id =
            PersonId::parse(person_id).ok_or_else(|| DomainError::field("person", ErrorCode::UnknownPerson))?;
        let mut tx = self.begin_write().await?;
        let before = cases::person_of(&mut *tx, &case.id, &person_id)
            .await?
            .ok_or_else(|| DomainError::field("person", ErrorCode::UnknownPerson))?;
        if before.version != expected_version {
            return Err(Error::Conflict(ErrorCode::StaleVersion));
        }
        let changes = kinbridge_domain::case::person_changes(&before, p);
        if changes.is_empty() {
            return Ok(before);
        }
        if before.role == PersonRole::Child && p.role != before.role {
            self.keep_a_child(&mut tx, &case.id, &person_id).await?;
        }
        if !cases::update_person(&mut tx, &person_id, p, expected_version).await? {
            return Err(Error::Conflict(ErrorCode::StaleVersion));
        }
        cases::drop_proposals(&mut tx, &person_id).await?;
        refresh_search_text(&mut tx, &case.id).await?;
        let mut facts = vec![Fact::term(Vocab::PersonRole, p.role), Fact::text(p.full_name())];
        facts.extend(changes.iter().cloned());
        event(&mut tx, &case.id, Some(&caller.actor.user_id), EventKind::PersonCorrected, &facts).await?;
        let fields = Fact::changed_fields(&changes);
        append(&mut tx, &[caller.entry(AuditAction::Update, "person", Some(person_id.as_str()), &fields)]).await?;
        kinbridge_store::jobs::enqueue(&mut tx, crate::jobs::MATCH_CASE, case.id.as_str()).await?;
        let after = cases::person_of(&mut *tx, &case.id, &person_id).await?.ok_or_else(Error::not_found)?;
        tx.commit().await?;
        self.store.wake_jobs();
        Ok(after)
    }

    /// Removes a person entered in error, with their relationships and possible matches. A
    /// person others rely on (shared with a partner, sought in a tracing request, one side of
    /// a confirmed match) is corrected, never removed; the case's only child stays.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn remove_person(&self, caller: &Caller, case_id: &str, person_id: &str) -> Result<()> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        if case.status == CaseStatus::Closed {
            return Err(DomainError::InvalidTransition { from: "closed", action: "update" }.into());
        }
        let person_id =
            PersonId::parse(person_id).ok_or_else(|| DomainError::field("person", ErrorCode::UnknownPerson))?;
        let mut tx = self.begin_write().await?;
        let person = cases::person_of(&mut *tx, &case.id, &person_id)
            .await?
            .ok_or_else(|| DomainError::field("person", ErrorCode::UnknownPerson))?;
        if cases::person_in_use(&mut tx, &person_id).await? {
            return Err(DomainError::field("person", ErrorCode::PersonInUse).into());
        }
        if person.role == PersonRole::Child {
            self.keep_a_child(&mut tx, &case.id, &person_id).await?;
        }
        cases::delete_person(&mut tx, &person_id).await?;
        refresh_search_text(&mut tx, &case.id).await?;
        event(
            &mut tx,
            &case.id,
            Some(&caller.actor.user_id),
            EventKind::PersonRemoved,
            &[Fact::term(Vocab::PersonRole, person.role), Fact::text(person.full_name())],
        )
        .await?;
        append(&mut tx, &[caller.entry(AuditAction::Delete, "person", Some(person_id.as_str()), case.id.as_str())])
            .await?;
        kinbridge_store::jobs::enqueue(&mut tx, crate::jobs::MATCH_CASE, case.id.as_str()).await?;
        tx.commit().await?;
        self.store.wake_jobs();
        Ok(())
    }

    /// Refuses a change that would leave the case without a child (`person` stops being one).
    async fn keep_a_child(&self, tx: &mut Tx, case: &CaseId, person: &PersonId) -> Result<()> {
        let others = people_of(&mut **tx, case)
            .await?
            .into_iter()
            .filter(|p| p.role == PersonRole::Child && p.id != *person)
            .count();
        if others == 0 {
            return Err(DomainError::field("person", ErrorCode::LastChild).into());
        }
        Ok(())
    }

    /// Removes a relationship recorded in error.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn remove_relationship(&self, caller: &Caller, case_id: &str, relationship_id: &str) -> Result<()> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        if case.status == CaseStatus::Closed {
            return Err(DomainError::InvalidTransition { from: "closed", action: "update" }.into());
        }
        let unknown = || DomainError::field("relationship", ErrorCode::UnknownRelationship);
        let id = RelationshipId::parse(relationship_id).ok_or_else(unknown)?;
        let mut tx = self.begin_write().await?;
        let gone = cases::delete_relationship(&mut tx, &case.id, &id).await?.ok_or_else(unknown)?;
        let people = people_of(&mut *tx, &case.id).await?;
        let name = |id: &PersonId| people.iter().find(|p| p.id == *id).map(|p| p.full_name()).unwrap_or_default();
        event(
            &mut tx,
            &case.id,
            Some(&caller.actor.user_id),
            EventKind::RelationshipRemoved,
            &[
                Fact::text(name(&gone.from_person_id)),
                Fact::term(Vocab::Relationship, gone.kind),
                Fact::text(name(&gone.to_person_id)),
            ],
        )
        .await?;
        append(&mut tx, &[caller.entry(AuditAction::Delete, "relationship", Some(id.as_str()), case.id.as_str())])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The people of a case, audited as a read of the case.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn people(&self, caller: &Caller, case_id: &str) -> Result<Vec<Person>> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Read).await?;
        let people = people_of(self.pool(), &case.id).await?;
        self.audit(vec![caller.entry(AuditAction::Read, "case", Some(case.id.as_str()), "people")]).await?;
        Ok(people)
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn add_relationship(
        &self,
        caller: &Caller,
        case_id: &str,
        from: &str,
        to: &str,
        kind: RelationshipKind,
    ) -> Result<()> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        let people = people_of(self.pool(), &case.id).await?;
        let known = |id: &str| people.iter().any(|p| p.id.as_str() == id);
        if from == to || !known(from) || !known(to) {
            return Err(DomainError::field("person", ErrorCode::UnknownPerson).into());
        }
        let mut tx = self.begin_write().await?;
        cases::insert_relationship(&mut tx, &case.id, from, to, kind).await?;
        event(
            &mut tx,
            &case.id,
            Some(&caller.actor.user_id),
            EventKind::RelationshipAdded,
            &[Fact::term(Vocab::Relationship, kind)],
        )
        .await?;
        append(&mut tx, &[caller.entry(AuditAction::Update, "case", Some(case.id.as_str()), "relationship")]).await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn add_consent(&self, caller: &Caller, case_id: &str, c: &NewConsent) -> Result<()> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        let mut tx = self.begin_write().await?;
        cases::insert_consent(&mut tx, &case.id, &caller.actor.user_id, c).await?;
        append(&mut tx, &[caller.entry(AuditAction::Update, "case", Some(case.id.as_str()), "consent")]).await?;
        kinbridge_store::jobs::enqueue(&mut tx, crate::jobs::MATCH_CASE, case.id.as_str()).await?;
        if c.scope == ConsentScope::Research {
            kinbridge_store::jobs::enqueue(&mut tx, crate::jobs::RESEARCH_CASE, case.id.as_str()).await?;
        }
        tx.commit().await?;
        self.store.wake_jobs();
        Ok(())
    }

    /// Records that the consent of `scope` on a case was withdrawn today. Withdrawing consent to
    /// tracing takes the case's people out of matching at once: no new proposal, and proposed
    /// pairs are no longer shown to either side.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn withdraw_consent(&self, caller: &Caller, case_id: &str, scope: ConsentScope) -> Result<()> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        let mut tx = self.begin_write().await?;
        if !cases::withdraw_consent(&mut tx, &case.id, scope).await? {
            return Err(DomainError::field("scope", ErrorCode::NoConsent).into());
        }
        event(
            &mut tx,
            &case.id,
            Some(&caller.actor.user_id),
            EventKind::ConsentWithdrawn,
            &[Fact::term(Vocab::Consent, scope)],
        )
        .await?;
        if scope == ConsentScope::Research {
            // The copy goes with the consent, in the same step: no researcher reads it after.
            self.remove_research_copy(&mut tx, &case.id).await?;
        }
        append(&mut tx, &[caller.entry(AuditAction::Update, "case", Some(case.id.as_str()), "consent withdrawn")])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn add_note(&self, caller: &Caller, case_id: &str, body: &str) -> Result<Note> {
        let body = kinbridge_domain::text::required("body", body, 50_000).map_err(|e| DomainError::Invalid(vec![e]))?;
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        let mut tx = self.begin_write().await?;
        let (id, at) = cases::insert_note(&mut tx, &case.id, &caller.actor.user_id, &body).await?;
        event(&mut tx, &case.id, Some(&caller.actor.user_id), EventKind::NoteAdded, &[]).await?;
        append(&mut tx, &[caller.entry(AuditAction::Create, "note", Some(&id), case.id.as_str())]).await?;
        tx.commit().await?;
        let author = self.user(&caller.actor.user_id).await?.map(|u| u.display_name).unwrap_or_default();
        Ok(Note { id, author_name: author, body, created_at: at })
    }

    /// Notes of a case, audited.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn notes(&self, caller: &Caller, case_id: &str) -> Result<Vec<Note>> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Read).await?;
        let notes = notes_of(self.pool(), &case.id).await?;
        self.audit(vec![caller.entry(AuditAction::Read, "case", Some(case.id.as_str()), "notes")]).await?;
        Ok(notes)
    }

    /// Assigns a case to a caseworker or supervisor of its member; supervisors only.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn assign_case(&self, caller: &Caller, case_id: &str, assignee: &str) -> Result<Case> {
        let mut done = self.assign_cases(caller, &[case_id], assignee).await?;
        done.pop().ok_or_else(Error::not_found)
    }

    /// Hands cases to one colleague (supervisors): every case is checked first, then all are
    /// handed over in one transaction, so a refused one leaves none half-done.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn assign_cases(&self, caller: &Caller, case_ids: &[&str], assignee: &str) -> Result<Vec<Case>> {
        let mut cases_to_assign = Vec::with_capacity(case_ids.len());
        for id in case_ids {
            cases_to_assign.push(self.authorize_case(caller, id, CaseAccess::Write).await?);
        }
        caller.actor.require(caller.actor.can_supervise())?;
        let colleague = self
            .colleagues(&caller.actor.member_id)
            .await?
            .iter()
            .find(|u| u.id.as_str() == assignee)
            .cloned()
            .ok_or(DomainError::field("assignee", ErrorCode::UnknownUser))?;
        let mut tx = self.begin_write().await?;
        let mut updated = Vec::with_capacity(cases_to_assign.len());
        for case in &cases_to_assign {
            cases::set_assignee(&mut tx, &case.id, &colleague.id).await?;
            event(
                &mut tx,
                &case.id,
                Some(&caller.actor.user_id),
                EventKind::Assigned,
                &[Fact::text(&colleague.display_name)],
            )
            .await?;
            if colleague.id != caller.actor.user_id {
                let facts = [Fact::text(&case.reference), Fact::text(&case.title)];
                kinbridge_store::notices::notify(
                    &mut tx,
                    std::slice::from_ref(&colleague.id),
                    NoticeKind::CaseAssigned,
                    Some(&case.id),
                    None,
                    &facts,
                )
                .await?;
            }
            let detail = format!("assigned {}", colleague.id);
            append(&mut tx, &[caller.entry(AuditAction::Update, "case", Some(case.id.as_str()), &detail)]).await?;
            updated.push(fetch_case(&mut *tx, &case.id).await?.ok_or_else(Error::not_found)?);
        }
        tx.commit().await?;
        Ok(updated)
    }

    /// Proposes, approves or makes a closure, or reopens. Sending a proposed closure back
    /// takes a reason: [`Casework::send_back_closure`].
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn case_action(&self, caller: &Caller, case_id: &str, action: CaseAction) -> Result<Case> {
        self.case_step(caller, case_id, action, None).await
    }

    /// Sends a proposed closure back to the caseworker, saying why (on the timeline).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn send_back_closure(&self, caller: &Caller, case_id: &str, reason: &str) -> Result<Case> {
        let reason =
            kinbridge_domain::text::required("reason", reason, 2000).map_err(|e| DomainError::Invalid(vec![e]))?;
        self.case_step(caller, case_id, CaseAction::RejectClosure, Some(&reason)).await
    }

    async fn case_step(
        &self,
        caller: &Caller,
        case_id: &str,
        action: CaseAction,
        reason: Option<&str>,
    ) -> Result<Case> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        if action == CaseAction::RejectClosure && reason.is_none() {
            return Err(DomainError::field("reason", ErrorCode::Required).into());
        }
        let mut tx = self.begin_write().await?;
        let current = fetch_case(&mut *tx, &case.id).await?.ok_or_else(Error::not_found)?;
        let open = cases::open_requests(&mut tx, &case.id).await?;
        let (status, outcome) = apply_case_action(&caller.actor, &current, action, open)?;
        let (proposed, final_outcome, closed_on, kind) = match status {
            CaseStatus::ClosureProposed => (outcome, None, None, EventKind::ClosureProposed),
            CaseStatus::Closed => (None, outcome, Some(today()), EventKind::Closed),
            CaseStatus::Open if action == CaseAction::Reopen => (None, None, None, EventKind::Reopened),
            CaseStatus::Open => (None, None, None, EventKind::ClosureRejected),
            // Only an accepted handover makes a case transferred, never a case action.
            CaseStatus::Transferred => return Err(Error::not_found()),
        };
        cases::set_status(&mut tx, &case.id, status, proposed, final_outcome, closed_on).await?;
        let mut facts: Vec<Fact> = outcome.map(|o| Fact::term(Vocab::Outcome, o)).into_iter().collect();
        facts.extend(reason.map(Fact::text));
        event(&mut tx, &case.id, Some(&caller.actor.user_id), kind, &facts).await?;
        append(&mut tx, &[caller.entry(AuditAction::Transition, "case", Some(case.id.as_str()), action.name())])
            .await?;
        // Closing puts a de-identified copy in the research corpus; reopening takes it out.
        let research = matches!(kind, EventKind::Closed | EventKind::Reopened);
        if research {
            kinbridge_store::jobs::enqueue(&mut tx, crate::jobs::RESEARCH_CASE, case.id.as_str()).await?;
        }
        let updated = fetch_case(&mut *tx, &case.id).await?.ok_or_else(Error::not_found)?;
        tx.commit().await?;
        if research {
            self.store.wake_jobs();
        }
        Ok(updated)
    }

    /// Counts for the dashboard: the caller's open cases and closures awaiting approval.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn case_counts(&self, caller: &Caller) -> Result<(i64, i64)> {
        if !caller.actor.has_casework() {
            return Ok((0, 0));
        }
        Ok(cases::counts(self.pool(), &caller.actor.user_id, &caller.actor.member_id).await?)
    }
}

pub(crate) async fn people_of<'e, E: Executor<'e, Database = Any>>(e: E, case_id: &CaseId) -> Result<Vec<Person>> {
    Ok(kinbridge_store::cases::people_of(e, case_id).await?)
}

pub(crate) async fn relationships_of<'e, E: Executor<'e, Database = Any>>(
    e: E,
    case_id: &CaseId,
) -> Result<Vec<Relationship>> {
    Ok(cases::relationships_of(e, case_id).await?)
}

pub(crate) async fn consents_of<'e, E: Executor<'e, Database = Any>>(e: E, case_id: &CaseId) -> Result<Vec<Consent>> {
    Ok(cases::consents_of(e, case_id).await?)
}

pub(crate) async fn notes_of<'e, E: Executor<'e, Database = Any>>(e: E, case_id: &CaseId) -> Result<Vec<Note>> {
    Ok(cases::notes_of(e, case_id).await?)
}

pub(crate) async fn timeline_of<'e, E: Executor<'e, Database = Any>>(
    e: E,
    case_id: &CaseId,
) -> Result<Vec<TimelineEvent>> {
    Ok(cases::timeline_of(e, case_id).await?)
}
