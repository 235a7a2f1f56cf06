//! Cases and everything on them: people, relationships, consent, notes, assignment,
//! closure, and the timeline. Scoped to the caller's member and audited.

use kinbridge_domain::ErrorCode;
use std::sync::Arc;

use kinbridge_domain::access::{CaseAccess, CaseScope};
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::case::{
    apply_case_action, beneficiaries, Beneficiary, BirthDate, Case, CaseAction, CaseFilter, CasePatch, CaseStatus,
    ConsentScope, EventKind, NewCase, NewConsent, NewPerson, Person, PersonRole, RelationshipKind, ServiceType, Sex,
};
use kinbridge_domain::ids::{CaseId, PersonId, UserId};
use kinbridge_domain::DomainError;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor};

use kinbridge_store::audit::append;
use kinbridge_store::cases::fetch_case;
use kinbridge_store::rows::{list, term};
use kinbridge_store::{Arg, Sql};

use crate::{date, get, now, today, Caller, Casework, Error, Result, Tx};

pub(crate) fn person_from(row: &AnyRow) -> Result<Person> {
    let role: String = get(row, "role")?;
    let sex: String = get(row, "sex")?;
    let birth: Option<String> = get(row, "birth_date")?;
    let estimated: i64 = get(row, "birth_date_estimated")?;
    Ok(Person {
        id: PersonId::from_trusted(get(row, "id")?),
        case_id: CaseId::from_trusted(get(row, "case_id")?),
        role: term(&role, "person role", PersonRole::parse)?,
        given_names: get(row, "given_names")?,
        family_name: get(row, "family_name")?,
        sex: term(&sex, "sex", Sex::parse)?,
        birth_date: birth
            .map(|b| term(&b, "birth date", |b| BirthDate::from_storage(b, estimated != 0)))
            .transpose()?,
        nationalities: list(&get::<String>(row, "nationalities")?),
        languages: list(&get::<String>(row, "languages")?),
    })
}

/// Adds a line to a case's timeline inside a write transaction.
pub(crate) async fn event(
    tx: &mut Tx,
    case_id: &str,
    actor: Option<&UserId>,
    kind: EventKind,
    detail: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO case_events (id, case_id, at, actor_id, kind, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(case_id.to_string())
        .bind(now())
        .bind(actor.map(|a| a.to_string()))
        .bind(kind.as_str())
        .bind(detail.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(kinbridge_store::feed::changed(tx, kinbridge_store::feed::Entity::Case, case_id).await?)
}

/// Lower-cased text the case list's text filter searches: reference, title, summary, names.
pub(crate) async fn refresh_search_text(tx: &mut Tx, case_id: &str) -> Result<()> {
    let case = sqlx::query("SELECT reference, title, summary FROM cases WHERE id = $1")
        .bind(case_id.to_string())
        .fetch_one(&mut **tx)
        .await?;
    let people = sqlx::query("SELECT given_names, family_name FROM people WHERE case_id = $1")
        .bind(case_id.to_string())
        .fetch_all(&mut **tx)
        .await?;
    let mut text = format!(
        "{} {} {}",
        get::<String>(&case, "reference")?,
        get::<String>(&case, "title")?,
        get::<String>(&case, "summary")?
    );
    for p in &people {
        text.push(' ');
        text.push_str(&get::<String>(p, "given_names")?);
        text.push(' ');
        text.push_str(&get::<String>(p, "family_name")?);
    }
    sqlx::query("UPDATE cases SET search_text = $1 WHERE id = $2")
        .bind(text.to_lowercase())
        .bind(case_id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn insert_person(tx: &mut Tx, case_id: &str, p: &NewPerson) -> Result<PersonId> {
    let id = PersonId::generate();
    let nats: Vec<&str> = p.nationalities.iter().map(|c| c.code()).collect();
    sqlx::query(
        "INSERT INTO people (id, case_id, role, given_names, family_name, sex, birth_date, birth_date_estimated, nationalities, languages, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id.as_str())
    .bind(case_id.to_string())
    .bind(p.role.as_str())
    .bind(&p.given_names)
    .bind(&p.family_name)
    .bind(p.sex.as_str())
    .bind(p.birth_date.map(|b| b.to_storage()))
    .bind(i64::from(p.birth_date.is_some_and(|b| b.estimated)))
    .bind(nats.join(","))
    .bind(p.languages.join(","))
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// One row of the case list.
#[derive(Debug, Clone, Serialize)]
pub struct CaseSummary {
    pub id: CaseId,
    pub reference: String,
    pub title: String,
    pub service: ServiceType,
    pub status: CaseStatus,
    pub opened_on: chrono::NaiveDate,
    pub assignee_name: Option<String>,
    pub partner_country: Option<String>,
    pub child_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u32 {
        (self.total.max(0) as u64).div_ceil(u64::from(self.per_page.max(1))).max(1) as u32
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Relationship {
    pub from_person_id: PersonId,
    pub to_person_id: PersonId,
    pub kind: RelationshipKind,
}

#[derive(Debug, Clone, Serialize)]
pub struct Consent {
    pub scope: String,
    pub given_by: String,
    pub given_on: String,
    pub withdrawn_on: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Note {
    pub id: String,
    pub author_name: String,
    pub body: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineEvent {
    pub at: String,
    pub actor_name: Option<String>,
    pub kind: EventKind,
    pub detail: String,
}

pub use kinbridge_store::stamps::KEPT_PAGE_TTL;

/// Case pages read by this instance, by case id, with the stamp each was read at.
pub(crate) type DetailCache = kinbridge_store::KeptCopies<String, (i64, Arc<CaseDetail>)>;

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
#[derive(Debug, Clone, Serialize)]
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
            Some(cid) => self.store.case_stamped(cid.as_str()).await?,
            None => None,
        };
        match case {
            Some((c, stamp)) if caller.actor.case_access(&c.member_id) >= need => Ok((c, stamp)),
            _ => Err(self.denied(caller, "case", id).await),
        }
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn open_case(
        &self,
        caller: &Caller,
        new: &NewCase,
        people: &[NewPerson],
        consents: &[NewConsent],
    ) -> Result<Case> {
        caller.actor.require(caller.actor.has_casework())?;
        let member_id = caller.actor.member_id.as_str();
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "UPDATE members SET next_case_number = next_case_number + 1 WHERE id = $1 RETURNING code, next_case_number",
        )
        .bind(member_id)
        .fetch_one(&mut *tx)
        .await?;
        let code: String = get(&row, "code")?;
        let number: i64 = get::<i64>(&row, "next_case_number")? - 1;
        let opened = today();
        let reference = format!("{code}-{}-{number:06}", opened.format("%Y"));
        let id = CaseId::generate();
        let at = now();
        sqlx::query(
            "INSERT INTO cases (id, member_id, reference, service, status, title, summary, child_views, assignee_id, partner_country, \
             opened_on, search_text, created_by, updated_at, version) VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9, $10, '', $11, $12, 1)",
        )
        .bind(id.as_str())
        .bind(member_id)
        .bind(&reference)
        .bind(new.service.as_str())
        .bind(&new.title)
        .bind(&new.summary)
        .bind(&new.child_views)
        .bind(caller.actor.user_id.as_str())
        .bind(new.partner_country.map(|c| c.code().to_string()))
        .bind(opened.to_string())
        .bind(caller.actor.user_id.as_str())
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        event(&mut tx, id.as_str(), Some(&caller.actor.user_id), EventKind::Opened, &reference).await?;
        for p in people {
            insert_person(&mut tx, id.as_str(), p).await?;
            event(
                &mut tx,
                id.as_str(),
                Some(&caller.actor.user_id),
                EventKind::PersonAdded,
                &format!("{} {}", p.role, p.given_names),
            )
            .await?;
        }
        for c in consents {
            insert_consent(&mut tx, id.as_str(), &caller.actor.user_id, c).await?;
        }
        refresh_search_text(&mut tx, id.as_str()).await?;
        append(&mut tx, &[caller.entry(AuditAction::Create, "case", Some(id.as_str()), &reference)]).await?;
        let case = fetch_case(&mut *tx, id.as_str()).await?.ok_or_else(Error::not_found)?;
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
        let cid = case.id.as_str().to_string();
        // One connection, one query after another: on SQLite every query is a round trip to
        // the connection's thread, and spreading a page over seven connections costs more in
        // wake-ups than it gains.
        let mut conn = self.pool().acquire().await?;
        let people = people_of(&mut *conn, &cid).await?;
        let relationships = relationships_of(&mut *conn, &cid).await?;
        let consents = consents_of(&mut *conn, &cid).await?;
        let notes = notes_of(&mut *conn, &cid).await?;
        let documents = kinbridge_store::documents::of_case(&mut *conn, &cid).await?;
        let requests = crate::requests::requests_of_case(&mut *conn, &cid).await?;
        let timeline = timeline_of(&mut *conn, &cid).await?;
        let tracing_requests = kinbridge_store::tracing_requests::of_case(&mut *conn, &cid).await?;
        let matches = crate::matching::matches_of(&mut *conn, &case).await?;
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
        })
    }

    /// The case list, filtered and paginated, within the caller's scope.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn list_cases(&self, caller: &Caller, f: &CaseFilter) -> Result<Page<CaseSummary>> {
        let mut w = Sql::new(" WHERE 1 = 1");
        match caller.actor.case_scope() {
            CaseScope::Member(m) => {
                w.push(" AND c.member_id = ").bind(Arg::Text(m.to_string()));
            }
            CaseScope::AllReadOnly => {}
            CaseScope::Nothing => return Err(DomainError::Forbidden.into()),
        }
        if let Some(s) = f.status {
            w.push(" AND c.status = ").bind(Arg::Text(s.as_str().into()));
        }
        if let Some(s) = f.service {
            w.push(" AND c.service = ").bind(Arg::Text(s.as_str().into()));
        }
        if let Some(c) = f.country {
            w.push(" AND c.partner_country = ").bind(Arg::Text(c.code().into()));
        }
        if let Some(a) = &f.assignee {
            w.push(" AND c.assignee_id = ").bind(Arg::Text(a.to_string()));
        }
        if let Some(t) = &f.text {
            let pattern =
                format!("%{}%", t.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            w.push(" AND c.search_text LIKE ").bind(Arg::Text(pattern)).push(" ESCAPE '\\'");
        }
        let count_sql = format!("SELECT COUNT(*) AS n FROM cases c{}", w.text);
        let total: i64 = get(&sqlx::query_with(&count_sql, w.arguments()?).fetch_one(self.pool()).await?, "n")?;
        let offset = i64::from(f.page - 1) * i64::from(f.per_page);
        w.push(" ORDER BY c.opened_on DESC, c.id DESC LIMIT ")
            .bind(Arg::Int(i64::from(f.per_page)))
            .push(" OFFSET ")
            .bind(Arg::Int(offset));
        let sql = format!(
            "SELECT c.id, c.reference, c.title, c.service, c.status, c.opened_on, u.display_name AS assignee_name, c.partner_country, \
             (SELECT p.given_names || ' ' || p.family_name FROM people p WHERE p.case_id = c.id AND p.role = 'child' ORDER BY p.created_at LIMIT 1) AS child_name \
             FROM cases c LEFT JOIN users u ON u.id = c.assignee_id{}",
            w.text
        );
        let rows = sqlx::query_with(&sql, w.arguments()?).fetch_all(self.pool()).await?;
        let items = rows
            .iter()
            .map(|r| {
                let service: String = get(r, "service")?;
                let status: String = get(r, "status")?;
                Ok(CaseSummary {
                    id: CaseId::from_trusted(get(r, "id")?),
                    reference: get(r, "reference")?,
                    title: get(r, "title")?,
                    service: ServiceType::parse(&service).unwrap_or(ServiceType::IntercountryAssistance),
                    status: CaseStatus::parse(&status).unwrap_or(CaseStatus::Open),
                    opened_on: date(&get::<String>(r, "opened_on")?)?,
                    assignee_name: get(r, "assignee_name")?,
                    partner_country: get(r, "partner_country")?,
                    child_name: get(r, "child_name")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.audit(vec![caller.entry(
            AuditAction::List,
            "case",
            None,
            &format!("page {} of {} results", f.page, total),
        )])
        .await?;
        Ok(Page { items, total, page: f.page, per_page: f.per_page })
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
        let current = fetch_case(&mut *tx, case.id.as_str()).await?.ok_or_else(Error::not_found)?;
        if expected_version != current.version {
            return Err(Error::Conflict(ErrorCode::StaleVersion));
        }
        let title = patch.title.clone().unwrap_or(current.title);
        let summary = patch.summary.clone().unwrap_or(current.summary);
        let views = patch.child_views.clone().unwrap_or(current.child_views);
        let partner = match patch.partner_country {
            Some(p) => p.map(|c| c.code().to_string()),
            None => current.partner_country,
        };
        sqlx::query("UPDATE cases SET title = $1, summary = $2, child_views = $3, partner_country = $4, updated_at = $5, version = version + 1 WHERE id = $6")
            .bind(&title)
            .bind(&summary)
            .bind(&views)
            .bind(partner)
            .bind(now())
            .bind(case.id.as_str())
            .execute(&mut *tx)
            .await?;
        refresh_search_text(&mut tx, case.id.as_str()).await?;
        let mut changed = Vec::new();
        if patch.title.is_some() {
            changed.push("title")
        }
        if patch.summary.is_some() {
            changed.push("summary")
        }
        if patch.child_views.is_some() {
            changed.push("child_views")
        }
        if patch.partner_country.is_some() {
            changed.push("partner_country")
        }
        event(&mut tx, case.id.as_str(), Some(&caller.actor.user_id), EventKind::Updated, &changed.join(", ")).await?;
        append(&mut tx, &[caller.entry(AuditAction::Update, "case", Some(case.id.as_str()), &changed.join(","))])
            .await?;
        let updated = fetch_case(&mut *tx, case.id.as_str()).await?.ok_or_else(Error::not_found)?;
        tx.commit().await?;
        Ok(updated)
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn add_person(&self, caller: &Caller, case_id: &str, p: &NewPerson) -> Result<Person> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        let mut tx = self.begin_write().await?;
        let id = insert_person(&mut tx, case.id.as_str(), p).await?;
        refresh_search_text(&mut tx, case.id.as_str()).await?;
        event(
            &mut tx,
            case.id.as_str(),
            Some(&caller.actor.user_id),
            EventKind::PersonAdded,
            &format!("{} {}", p.role, p.given_names),
        )
        .await?;
        append(&mut tx, &[caller.entry(AuditAction::Create, "person", Some(id.as_str()), case.id.as_str())]).await?;
        kinbridge_store::jobs::enqueue(&mut tx, crate::jobs::MATCH_CASE, case.id.as_str()).await?;
        tx.commit().await?;
        self.store.wake_jobs();
        let people = people_of(self.pool(), case.id.as_str()).await?;
        people.into_iter().find(|x| x.id == id).ok_or_else(Error::not_found)
    }

    /// The people of a case, audited as a read of the case.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn people(&self, caller: &Caller, case_id: &str) -> Result<Vec<Person>> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Read).await?;
        let people = people_of(self.pool(), case.id.as_str()).await?;
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
        let people = people_of(self.pool(), case.id.as_str()).await?;
        let known = |id: &str| people.iter().any(|p| p.id.as_str() == id);
        if from == to || !known(from) || !known(to) {
            return Err(DomainError::field("person", ErrorCode::UnknownPerson).into());
        }
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO relationships (id, case_id, from_person_id, to_person_id, kind, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(case.id.as_str())
            .bind(from.to_string())
            .bind(to.to_string())
            .bind(kind.as_str())
            .bind(now())
            .execute(&mut *tx)
            .await?;
        event(&mut tx, case.id.as_str(), Some(&caller.actor.user_id), EventKind::RelationshipAdded, kind.as_str())
            .await?;
        append(&mut tx, &[caller.entry(AuditAction::Update, "case", Some(case.id.as_str()), "relationship")]).await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn add_consent(&self, caller: &Caller, case_id: &str, c: &NewConsent) -> Result<()> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        let mut tx = self.begin_write().await?;
        insert_consent(&mut tx, case.id.as_str(), &caller.actor.user_id, c).await?;
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
        let changed = sqlx::query(
            "UPDATE consents SET withdrawn_on = $1 WHERE case_id = $2 AND scope = $3 AND withdrawn_on IS NULL",
        )
        .bind(crate::today().to_string())
        .bind(case.id.as_str())
        .bind(scope.as_str())
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(DomainError::field("scope", ErrorCode::NoConsent).into());
        }
        event(&mut tx, case.id.as_str(), Some(&caller.actor.user_id), EventKind::ConsentWithdrawn, scope.as_str())
            .await?;
        if scope == ConsentScope::Research {
            // The copy goes with the consent, in the same step: no researcher reads it after.
            self.remove_research_copy(&mut tx, case.id.as_str()).await?;
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
        let id = uuid::Uuid::now_v7().to_string();
        let at = now();
        sqlx::query("INSERT INTO notes (id, case_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(case.id.as_str())
            .bind(caller.actor.user_id.as_str())
            .bind(&body)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        event(&mut tx, case.id.as_str(), Some(&caller.actor.user_id), EventKind::NoteAdded, "").await?;
        append(&mut tx, &[caller.entry(AuditAction::Create, "note", Some(&id), case.id.as_str())]).await?;
        tx.commit().await?;
        let author = self.user(&caller.actor.user_id).await?.map(|u| u.display_name).unwrap_or_default();
        Ok(Note { id, author_name: author, body, created_at: at })
    }

    /// Notes of a case, audited.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn notes(&self, caller: &Caller, case_id: &str) -> Result<Vec<Note>> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Read).await?;
        let notes = notes_of(self.pool(), case.id.as_str()).await?;
        self.audit(vec![caller.entry(AuditAction::Read, "case", Some(case.id.as_str()), "notes")]).await?;
        Ok(notes)
    }

    /// Assigns a case to a caseworker or supervisor of its member; supervisors only.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn assign_case(&self, caller: &Caller, case_id: &str, assignee: &str) -> Result<Case> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        caller.actor.require(caller.actor.can_supervise())?;
        let colleague = self
            .colleagues(&case.member_id)
            .await?
            .iter()
            .find(|u| u.id.as_str() == assignee)
            .cloned()
            .ok_or(DomainError::field("assignee", ErrorCode::UnknownUser))?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE cases SET assignee_id = $1, updated_at = $2, version = version + 1 WHERE id = $3")
            .bind(colleague.id.as_str())
            .bind(now())
            .bind(case.id.as_str())
            .execute(&mut *tx)
            .await?;
        event(&mut tx, case.id.as_str(), Some(&caller.actor.user_id), EventKind::Assigned, &colleague.display_name)
            .await?;
        append(
            &mut tx,
            &[caller.entry(AuditAction::Update, "case", Some(case.id.as_str()), &format!("assigned {}", colleague.id))],
        )
        .await?;
        let updated = fetch_case(&mut *tx, case.id.as_str()).await?.ok_or_else(Error::not_found)?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Proposes, approves, rejects or makes a closure, or reopens.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn case_action(&self, caller: &Caller, case_id: &str, action: CaseAction) -> Result<Case> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        let mut tx = self.begin_write().await?;
        let current = fetch_case(&mut *tx, case.id.as_str()).await?.ok_or_else(Error::not_found)?;
        let open: i64 = get(
            &sqlx::query("SELECT COUNT(*) AS n FROM requests WHERE case_id = $1 AND status <> 'closed'")
                .bind(case.id.as_str())
                .fetch_one(&mut *tx)
                .await?,
            "n",
        )?;
        let (status, outcome) = apply_case_action(&caller.actor, &current, action, open.max(0) as u64)?;
        let (proposed, final_outcome, closed_on, kind) = match status {
            CaseStatus::ClosureProposed => (outcome, None, None, EventKind::ClosureProposed),
            CaseStatus::Closed => (None, outcome, Some(today().to_string()), EventKind::Closed),
            CaseStatus::Open if action == CaseAction::Reopen => (None, None, None, EventKind::Reopened),
            CaseStatus::Open => (None, None, None, EventKind::ClosureRejected),
        };
        sqlx::query("UPDATE cases SET status = $1, proposed_outcome = $2, outcome = $3, closed_on = $4, updated_at = $5, version = version + 1 WHERE id = $6")
            .bind(status.as_str())
            .bind(proposed.map(|o| o.as_str()))
            .bind(final_outcome.map(|o| o.as_str()))
            .bind(closed_on)
            .bind(now())
            .bind(case.id.as_str())
            .execute(&mut *tx)
            .await?;
        let detail = outcome.map(|o| o.as_str()).unwrap_or("");
        event(&mut tx, case.id.as_str(), Some(&caller.actor.user_id), kind, detail).await?;
        append(&mut tx, &[caller.entry(AuditAction::Transition, "case", Some(case.id.as_str()), action.name())])
            .await?;
        // Closing puts a de-identified copy in the research corpus; reopening takes it out.
        let research = matches!(kind, EventKind::Closed | EventKind::Reopened);
        if research {
            kinbridge_store::jobs::enqueue(&mut tx, crate::jobs::RESEARCH_CASE, case.id.as_str()).await?;
        }
        let updated = fetch_case(&mut *tx, case.id.as_str()).await?.ok_or_else(Error::not_found)?;
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
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM cases WHERE assignee_id = $1 AND status <> 'closed') AS mine, \
             (SELECT COUNT(*) FROM cases WHERE member_id = $2 AND status = 'closure_proposed') AS pending",
        )
        .bind(caller.actor.user_id.as_str())
        .bind(caller.actor.member_id.as_str())
        .fetch_one(self.pool())
        .await?;
        Ok((get(&row, "mine")?, get(&row, "pending")?))
    }
}

async fn insert_consent(tx: &mut Tx, case_id: &str, by: &UserId, c: &NewConsent) -> Result<()> {
    sqlx::query("INSERT INTO consents (id, case_id, scope, given_by, given_on, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(case_id.to_string())
        .bind(c.scope.as_str())
        .bind(&c.given_by)
        .bind(c.given_on.to_string())
        .bind(by.as_str())
        .bind(now())
        .execute(&mut **tx)
        .await?;
    event(tx, case_id, Some(by), EventKind::ConsentRecorded, &format!("{} — {}", c.scope, c.given_by)).await
}

pub(crate) async fn people_of<'e, E: Executor<'e, Database = Any>>(e: E, case_id: &str) -> Result<Vec<Person>> {
    let rows = sqlx::query("SELECT * FROM people WHERE case_id = $1 ORDER BY created_at, id")
        .bind(case_id.to_string())
        .fetch_all(e)
        .await?;
    rows.iter().map(person_from).collect()
}

pub(crate) async fn relationships_of<'e, E: Executor<'e, Database = Any>>(
    e: E,
    case_id: &str,
) -> Result<Vec<Relationship>> {
    let rows = sqlx::query(
        "SELECT from_person_id, to_person_id, kind FROM relationships WHERE case_id = $1 ORDER BY created_at",
    )
    .bind(case_id.to_string())
    .fetch_all(e)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = get(r, "kind")?;
            Ok(Relationship {
                from_person_id: PersonId::from_trusted(get(r, "from_person_id")?),
                to_person_id: PersonId::from_trusted(get(r, "to_person_id")?),
                kind: RelationshipKind::parse(&kind).unwrap_or(RelationshipKind::RelativeOf),
            })
        })
        .collect()
}

pub(crate) async fn consents_of<'e, E: Executor<'e, Database = Any>>(e: E, case_id: &str) -> Result<Vec<Consent>> {
    let rows = sqlx::query(
        "SELECT scope, given_by, given_on, withdrawn_on FROM consents WHERE case_id = $1 ORDER BY created_at",
    )
    .bind(case_id.to_string())
    .fetch_all(e)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Consent {
                scope: get(r, "scope")?,
                given_by: get(r, "given_by")?,
                given_on: get(r, "given_on")?,
                withdrawn_on: get(r, "withdrawn_on")?,
            })
        })
        .collect()
}

pub(crate) async fn notes_of<'e, E: Executor<'e, Database = Any>>(e: E, case_id: &str) -> Result<Vec<Note>> {
    let rows = sqlx::query(
        "SELECT n.id, u.display_name, n.body, n.created_at FROM notes n JOIN users u ON u.id = n.author_id WHERE n.case_id = $1 ORDER BY n.created_at DESC",
    )
    .bind(case_id.to_string())
    .fetch_all(e)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Note {
                id: get(r, "id")?,
                author_name: get(r, "display_name")?,
                body: get(r, "body")?,
                created_at: get(r, "created_at")?,
            })
        })
        .collect()
}

pub(crate) async fn timeline_of<'e, E: Executor<'e, Database = Any>>(
    e: E,
    case_id: &str,
) -> Result<Vec<TimelineEvent>> {
    let rows = sqlx::query(
        "SELECT e.at, u.display_name, e.kind, e.detail FROM case_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.case_id = $1 ORDER BY e.at DESC, e.id DESC",
    )
    .bind(case_id.to_string())
    .fetch_all(e)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = get(r, "kind")?;
            Ok(TimelineEvent {
                at: get(r, "at")?,
                actor_name: get(r, "display_name")?,
                kind: EventKind::parse(&kind).unwrap_or(EventKind::Updated),
                detail: get(r, "detail")?,
            })
        })
        .collect()
}
