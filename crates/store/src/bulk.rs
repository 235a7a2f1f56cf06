//! Bulk loading: whole cases with their people, consents, notes, requests and timelines, as
//! typed records written in multi-row inserts inside one transaction per batch. For loads of
//! tens of thousands of cases (the demo network, a migration), where saving case by case
//! through the use cases would take hours. It writes no audit entry: the caller records the
//! load as one.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use kinbridge_domain::access::Role;
use kinbridge_domain::case::{BirthDate, CaseStatus, ConsentScope, EventKind, Outcome, PersonRole, RelationshipKind};
use kinbridge_domain::case::{ServiceType, Sex};
use kinbridge_domain::country::Country;
use kinbridge_domain::ids::{
    CaseId, ConsentId, EventId, MemberId, MessageId, NoteId, PersonId, RelationshipId, RequestId, UserId,
};
use kinbridge_domain::request::{MessageKind, RequestKind, RequestStatus};
use sqlx::any::AnyArguments;
use sqlx::Arguments;

use crate::{Backend, Result, Store};

/// The stored form of a moment: UTC with milliseconds, sortable as text.
pub fn stamp(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub struct UserRecord {
    pub id: UserId,
    pub member_id: MemberId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub locale: String,
    pub created_at: NaiveDateTime,
}

/// A case as loaded; its search text is made from it and the batch's people.
pub struct CaseRecord {
    pub id: CaseId,
    pub member_id: MemberId,
    pub reference: String,
    pub service: ServiceType,
    pub status: CaseStatus,
    pub title: String,
    pub summary: String,
    pub child_views: String,
    pub assignee_id: UserId,
    pub partner_country: Country,
    pub opened_on: NaiveDate,
    pub first_response_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub proposed_outcome: Option<Outcome>,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
}

pub struct PersonRecord {
    pub id: PersonId,
    pub case_id: CaseId,
    pub role: PersonRole,
    pub given_names: String,
    pub family_name: String,
    pub sex: Sex,
    pub birth_date: Option<BirthDate>,
    pub nationalities: Vec<Country>,
    pub languages: Vec<String>,
    pub created_at: NaiveDateTime,
}

pub struct RelationshipRecord {
    pub id: RelationshipId,
    pub case_id: CaseId,
    pub from: PersonId,
    pub to: PersonId,
    pub kind: RelationshipKind,
    pub created_at: NaiveDateTime,
}

pub struct ConsentRecord {
    pub id: ConsentId,
    pub case_id: CaseId,
    pub scope: ConsentScope,
    pub given_by: String,
    pub given_on: NaiveDate,
    pub recorded_by: UserId,
    pub created_at: NaiveDateTime,
}

pub struct NoteRecord {
    pub id: NoteId,
    pub case_id: CaseId,
    pub author_id: UserId,
    pub body: String,
    pub created_at: NaiveDateTime,
}

pub struct RequestRecord {
    pub id: RequestId,
    pub case_id: CaseId,
    pub from_member_id: MemberId,
    pub to_member_id: MemberId,
    pub kind: RequestKind,
    pub status: RequestStatus,
    pub subject: String,
    pub due_on: NaiveDate,
    pub assignee_id: Option<UserId>,
    pub decline_reason: Option<String>,
    pub sent_at: NaiveDateTime,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub answered_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub created_by: UserId,
    /// The people of the case the request shares with the partner.
    pub shared: Vec<PersonId>,
}

pub struct MessageRecord {
    pub id: MessageId,
    pub request_id: RequestId,
    pub author_id: UserId,
    pub author_member_id: MemberId,
    pub kind: MessageKind,
    pub body: String,
    pub created_at: NaiveDateTime,
}

pub struct EventRecord {
    pub id: EventId,
    pub case_id: CaseId,
    pub at: NaiveDateTime,
    pub actor_id: UserId,
    pub kind: EventKind,
    pub facts: Vec<kinbridge_domain::case::Fact>,
}

/// What one transaction writes. Children refer to parents in the same batch or already
/// written.
#[derive(Default)]
pub struct Batch {
    pub users: Vec<UserRecord>,
    pub cases: Vec<CaseRecord>,
    pub people: Vec<PersonRecord>,
    pub relationships: Vec<RelationshipRecord>,
    pub consents: Vec<ConsentRecord>,
    pub notes: Vec<NoteRecord>,
    pub requests: Vec<RequestRecord>,
    pub messages: Vec<MessageRecord>,
    pub events: Vec<EventRecord>,
}

#[derive(Clone)]
enum V {
    T(String),
    I(i64),
    N,
}

impl From<&str> for V {
    fn from(s: &str) -> Self {
        V::T(s.to_string())
    }
}

impl From<String> for V {
    fn from(s: String) -> Self {
        V::T(s)
    }
}

impl From<Option<String>> for V {
    fn from(s: Option<String>) -> Self {
        s.map_or(V::N, V::T)
    }
}

impl From<i64> for V {
    fn from(i: i64) -> Self {
        V::I(i)
    }
}

fn day(d: NaiveDate) -> V {
    V::T(d.to_string())
}

fn moment(at: NaiveDateTime) -> V {
    V::T(stamp(at))
}

/// Rows of one table, written as multi-row INSERTs.
struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    values: Vec<V>,
}

impl Rows {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        Self { table, columns, values: Vec::new() }
    }

    fn push<const N: usize>(&mut self, row: [V; N]) {
        debug_assert_eq!(N, self.columns.len());
        self.values.extend(row);
    }

    async fn write(&self, tx: &mut sqlx::AnyConnection) -> Result<()> {
        let width = self.columns.len();
        // Well under SQLite's and PostgreSQL's limits on bound parameters.
        let rows_per_statement = (4000 / width).max(1);
        for chunk in self.values.chunks(rows_per_statement * width) {
            let mut sql = format!("INSERT INTO {} ({}) VALUES ", self.table, self.columns.join(", "));
            let mut args = AnyArguments::default();
            for (r, row) in chunk.chunks(width).enumerate() {
                sql.push_str(if r > 0 { ", (" } else { "(" });
                for (c, v) in row.iter().enumerate() {
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str(&format!("${}", r * width + c + 1));
                    match v {
                        V::T(s) => args.add(s.clone()),
                        V::I(i) => args.add(*i),
                        V::N => args.add(None::<String>),
                    }
                    .map_err(sqlx::Error::Encode)?;
                }
                sql.push(')');
            }
            sqlx::query_with(&sql, args).execute(&mut *tx).await?;
        }
        Ok(())
    }
}

fn joined(items: &[Country]) -> String {
    items.iter().map(|c| c.code()).collect::<Vec<_>>().join(",")
}

/// Writes a batch in one transaction, parents before children, and empties it.
pub async fn write(store: &Store, batch: &mut Batch) -> Result<()> {
    let mut users = Rows::new(
        "users",
        &["id", "member_id", "email", "display_name", "role", "password_hash", "locale", "active", "created_at"],
    );
    for u in batch.users.drain(..) {
        users.push([
            u.id.as_str().into(),
            u.member_id.as_str().into(),
            u.email.into(),
            u.display_name.into(),
            u.role.as_str().into(),
            u.password_hash.into(),
            u.locale.into(),
            1.into(),
            moment(u.created_at),
        ]);
    }

    let mut names: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for p in &batch.people {
        names.entry(p.case_id.as_str()).or_default().push((&p.given_names, &p.family_name));
    }
    let mut cases = Rows::new(
        "cases",
        &[
            "id",
            "member_id",
            "reference",
            "service",
            "status",
            "title",
            "summary",
            "child_views",
            "assignee_id",
            "partner_country",
            "opened_on",
            "first_response_on",
            "closed_on",
            "outcome",
            "proposed_outcome",
            "search_text",
            "created_by",
            "updated_at",
            "version",
        ],
    );
    for c in &batch.cases {
        let people = names.get(c.id.as_str()).map(Vec::as_slice).unwrap_or_default();
        let search = crate::cases::search_text(&c.reference, &c.title, &c.summary, people.iter().copied());
        cases.push([
            c.id.as_str().into(),
            c.member_id.as_str().into(),
            c.reference.as_str().into(),
            c.service.as_str().into(),
            c.status.as_str().into(),
            c.title.as_str().into(),
            c.summary.as_str().into(),
            c.child_views.as_str().into(),
            c.assignee_id.as_str().into(),
            c.partner_country.code().into(),
            day(c.opened_on),
            c.first_response_on.map(|d| d.to_string()).into(),
            c.closed_on.map(|d| d.to_string()).into(),
            c.outcome.map(|o| o.as_str().to_string()).into(),
            c.proposed_outcome.map(|o| o.as_str().to_string()).into(),
            search.into(),
            c.created_by.as_str().into(),
            moment(c.updated_at),
            1.into(),
        ]);
    }
    drop(names);

    let mut people = Rows::new(
        "people",
        &[
            "id",
            "case_id",
            "role",
            "given_names",
            "family_name",
            "sex",
            "birth_date",
            "birth_date_estimated",
            "nationalities",
            "languages",
            "created_at",
        ],
    );
    for p in batch.people.drain(..) {
        people.push([
            p.id.as_str().into(),
            p.case_id.as_str().into(),
            p.role.as_str().into(),
            p.given_names.into(),
            p.family_name.into(),
            p.sex.as_str().into(),
            p.birth_date.map(|b| b.to_storage()).into(),
            i64::from(p.birth_date.is_some_and(|b| b.estimated)).into(),
            joined(&p.nationalities).into(),
            p.languages.join(",").into(),
            moment(p.created_at),
        ]);
    }
    batch.cases.clear();

    let mut relationships =
        Rows::new("relationships", &["id", "case_id", "from_person_id", "to_person_id", "kind", "created_at"]);
    for r in batch.relationships.drain(..) {
        relationships.push([
            r.id.as_str().into(),
            r.case_id.as_str().into(),
            r.from.as_str().into(),
            r.to.as_str().into(),
            r.kind.as_str().into(),
            moment(r.created_at),
        ]);
    }
    let mut consents =
        Rows::new("consents", &["id", "case_id", "scope", "given_by", "given_on", "recorded_by", "created_at"]);
    for c in batch.consents.drain(..) {
        consents.push([
            c.id.as_str().into(),
            c.case_id.as_str().into(),
            c.scope.as_str().into(),
            c.given_by.into(),
            day(c.given_on),
            c.recorded_by.as_str().into(),
            moment(c.created_at),
        ]);
    }
    let mut notes = Rows::new("notes", &["id", "case_id", "author_id", "body", "created_at"]);
    for n in batch.notes.drain(..) {
        notes.push([
            n.id.as_str().into(),
            n.case_id.as_str().into(),
            n.author_id.as_str().into(),
            n.body.into(),
            moment(n.created_at),
        ]);
    }
    let mut requests = Rows::new(
        "requests",
        &[
            "id",
            "case_id",
            "from_member_id",
            "to_member_id",
            "kind",
            "status",
            "subject",
            "due_on",
            "assignee_id",
            "decline_reason",
            "sent_at",
            "acknowledged_at",
            "answered_at",
            "closed_at",
            "created_by",
            "updated_at",
        ],
    );
    let mut shared = Rows::new("request_people", &["request_id", "person_id"]);
    for r in batch.requests.drain(..) {
        for person in &r.shared {
            shared.push([r.id.as_str().into(), person.as_str().into()]);
        }
        requests.push([
            r.id.as_str().into(),
            r.case_id.as_str().into(),
            r.from_member_id.as_str().into(),
            r.to_member_id.as_str().into(),
            r.kind.as_str().into(),
            r.status.as_str().into(),
            r.subject.into(),
            day(r.due_on),
            r.assignee_id.map(|u| u.as_str().to_string()).into(),
            r.decline_reason.into(),
            moment(r.sent_at),
            r.acknowledged_at.map(stamp).into(),
            r.answered_at.map(stamp).into(),
            r.closed_at.map(stamp).into(),
            r.created_by.as_str().into(),
            moment(r.sent_at),
        ]);
    }
    let mut messages = Rows::new(
        "request_messages",
        &["id", "request_id", "author_id", "author_member_id", "kind", "body", "created_at"],
    );
    for m in batch.messages.drain(..) {
        messages.push([
            m.id.as_str().into(),
            m.request_id.as_str().into(),
            m.author_id.as_str().into(),
            m.author_member_id.as_str().into(),
            m.kind.as_str().into(),
            m.body.into(),
            moment(m.created_at),
        ]);
    }
    let mut events = Rows::new("case_events", &["id", "case_id", "at", "actor_id", "kind", "detail"]);
    for e in batch.events.drain(..) {
        events.push([
            e.id.as_str().into(),
            e.case_id.as_str().into(),
            moment(e.at),
            e.actor_id.as_str().into(),
            e.kind.as_str().into(),
            kinbridge_domain::case::Fact::encode(&e.facts).into(),
        ]);
    }

    let mut tx = store.pool().begin().await?;
    for rows in [&users, &cases, &people, &relationships, &consents, &notes, &requests, &messages, &shared, &events] {
        rows.write(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Whether the database holds no member yet: a bulk load goes only into an empty one.
pub async fn is_empty(store: &Store) -> Result<bool> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM members").fetch_one(store.pool()).await?;
    Ok(crate::rows::get::<i64>(&row, "n")? == 0)
}

/// Sets the number the member's next case reference takes, after cases loaded in bulk.
pub async fn set_next_case_number(store: &Store, member: &MemberId, next: i64) -> Result<()> {
    sqlx::query("UPDATE members SET next_case_number = $1 WHERE id = $2")
        .bind(next)
        .bind(member.as_str())
        .execute(store.pool())
        .await?;
    Ok(())
}

/// After a bulk load PostgreSQL needs statistics for its planner and a visibility map for
/// index-only counts; autovacuum would get there later. SQLite's planner does better here
/// without statistics, so it is left alone.
pub async fn settle(store: &Store) -> Result<()> {
    if store.backend() == Backend::Postgres {
        sqlx::raw_sql("VACUUM ANALYZE").execute(store.pool()).await?;
    }
    Ok(())
}
