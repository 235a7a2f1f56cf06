//! The case row: its columns, how a stored row reads back as a [`Case`], and reading one by
//! id with its page stamp (see `stamps.rs`).

use kinbridge_domain::case::{
    BirthDate, Case, CaseFilter, CaseSort, CaseStatus, ConsentScope, EventKind, Fact, NewCase, NewConsent, NewPerson,
    Outcome, Person, PersonRole, RelationshipKind, ServiceType, Sex, Vocab,
};
use kinbridge_domain::ids::{CaseId, MemberId, PersonId, RelationshipId, UserId};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor};

use crate::rows::{date, get, list, opt_date, term, Columns};
use crate::{now, Arg, Page, Result, Sql, Tx};

/// The columns of a case row (`c`), with its assignee's name (`u`).
pub const CASE_COLUMNS: &str = "c.id, c.member_id, c.reference, c.service, c.status, c.title, c.summary, c.child_views, c.assignee_id, \
     u.display_name AS assignee_name, c.partner_country, c.opened_on, c.first_response_on, c.closed_on, c.outcome, c.proposed_outcome, c.version";

/// A case row as a [`Case`]; a stored value that is not what it should be is an error.
pub fn case_from(row: &impl Columns) -> Result<Case> {
    let outcome = |col: &str| -> Result<Option<Outcome>> {
        row.opt_text(col)?.map(|o| term(&o, col, Outcome::parse)).transpose()
    };
    Ok(Case {
        id: CaseId::from_trusted(row.text("id")?),
        member_id: MemberId::from_trusted(row.text("member_id")?),
        reference: row.text("reference")?,
        service: term(&row.text("service")?, "service", ServiceType::parse)?,
        status: term(&row.text("status")?, "status", CaseStatus::parse)?,
        title: row.text("title")?,
        summary: row.text("summary")?,
        child_views: row.text("child_views")?,
        assignee_id: row.opt_text("assignee_id")?.map(UserId::from_trusted),
        assignee_name: row.opt_text("assignee_name")?,
        partner_country: row.opt_text("partner_country")?,
        opened_on: date(&row.text("opened_on")?)?,
        first_response_on: opt_date(row.opt_text("first_response_on")?)?,
        closed_on: opt_date(row.opt_text("closed_on")?)?,
        outcome: outcome("outcome")?,
        proposed_outcome: outcome("proposed_outcome")?,
        version: row.int("version")?,
    })
}

/// The case row with its page stamp, by id (`$1`).
pub fn case_stamped_sql() -> &'static str {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!("SELECT {CASE_COLUMNS}, c.detail_stamp FROM cases c LEFT JOIN users u ON u.id = c.assignee_id WHERE c.id = $1")
    });
    &SQL
}

/// A case by id.
pub async fn fetch_case<'e, E: Executor<'e, Database = Any>>(e: E, id: &CaseId) -> Result<Option<Case>> {
    Ok(fetch_case_stamped(e, id).await?.map(|(case, _)| case))
}

/// A case by id, with its page stamp.
pub async fn fetch_case_stamped<'e, E: Executor<'e, Database = Any>>(e: E, id: &CaseId) -> Result<Option<(Case, i64)>> {
    let row = sqlx::query(case_stamped_sql()).bind(id.to_string()).fetch_optional(e).await?;
    row.as_ref().map(|r| Ok((case_from(r)?, get::<i64>(r, "detail_stamp")?))).transpose()
}

/// A people row as a [`Person`].
pub fn person_from(row: &AnyRow) -> Result<Person> {
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
        version: get(row, "version")?,
    })
}

/// Adds a line to a case's timeline inside a write transaction.
pub async fn event(
    tx: &mut Tx,
    case_id: &CaseId,
    actor: Option<&UserId>,
    kind: EventKind,
    facts: &[Fact],
) -> Result<()> {
    sqlx::query("INSERT INTO case_events (id, case_id, at, actor_id, kind, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(case_id.to_string())
        .bind(now())
        .bind(actor.map(|a| a.to_string()))
        .bind(kind.as_str())
        .bind(Fact::encode(facts))
        .execute(&mut **tx)
        .await?;
    crate::feed::changed(tx, crate::feed::Entity::Case, case_id.as_str()).await
}

/// The people of a case, in the order they were recorded.
pub async fn people_of<'e, E: Executor<'e, Database = Any>>(e: E, case_id: &CaseId) -> Result<Vec<Person>> {
    let rows = sqlx::query("SELECT * FROM people WHERE case_id = $1 ORDER BY created_at, id")
        .bind(case_id.to_string())
        .fetch_all(e)
        .await?;
    rows.iter().map(person_from).collect()
}

/// One row of the case list.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
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

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Relationship {
    pub id: RelationshipId,
    pub from_person_id: PersonId,
    pub to_person_id: PersonId,
    pub kind: RelationshipKind,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Consent {
    pub scope: String,
    pub given_by: String,
    pub given_on: String,
    pub withdrawn_on: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Note {
    pub id: String,
    pub author_name: String,
    pub body: String,
    pub created_at: String,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct TimelineEvent {
    pub at: String,
    pub actor_name: Option<String>,
    pub kind: EventKind,
    pub facts: Vec<Fact>,
}

/// The member's next case reference (`CODE-YEAR-NNNNNN`), its counter moved on.
pub async fn next_reference(tx: &mut Tx, member: &MemberId, opened: chrono::NaiveDate) -> Result<String> {
    let row = sqlx::query(
        "UPDATE members SET next_case_number = next_case_number + 1 WHERE id = $1 RETURNING code, next_case_number",
    )
    .bind(member.as_str())
    .fetch_one(&mut **tx)
    .await?;
    let code: String = get(&row, "code")?;
    let number: i64 = get::<i64>(&row, "next_case_number")? - 1;
    Ok(format!("{code}-{}-{number:06}", opened.format("%Y")))
}

/// Records a new open case, assigned to whoever opens it.
pub async fn insert(
    tx: &mut Tx,
    id: &CaseId,
    member: &MemberId,
    reference: &str,
    new: &NewCase,
    by: &UserId,
    opened: chrono::NaiveDate,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO cases (id, member_id, reference, service, status, title, summary, child_views, assignee_id, partner_country, \
         opened_on, search_text, created_by, updated_at, version) VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9, $10, '', $11, $12, 1)",
    )
    .bind(id.as_str())
    .bind(member.as_str())
    .bind(reference)
    .bind(new.service.as_str())
    .bind(&new.title)
    .bind(&new.summary)
    .bind(&new.child_views)
    .bind(by.as_str())
    .bind(new.partner_country.map(|c| c.code().to_string()))
    .bind(opened.to_string())
    .bind(by.as_str())
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A page of the case list, newest first: of one member's cases, or of all (`None`).
pub async fn page(pool: &sqlx::AnyPool, member: Option<&MemberId>, f: &CaseFilter) -> Result<Page<CaseSummary>> {
    let mut w = Sql::new(" WHERE 1 = 1");
    if let Some(m) = member {
        w.push(" AND c.member_id = ").bind(Arg::Text(m.to_string()));
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
        let pattern = format!("%{}%", t.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        w.push(" AND c.search_text LIKE ").bind(Arg::Text(pattern)).push(" ESCAPE '\\'");
    }
    let count_sql = format!("SELECT COUNT(*) AS n FROM cases c{}", w.text);
    let total: i64 = get(&sqlx::query_with(&count_sql, w.arguments()?).fetch_one(pool).await?, "n")?;
    let offset = i64::from(f.page - 1) * i64::from(f.per_page);
    let order = match f.sort {
        CaseSort::OpenedDesc => " ORDER BY c.opened_on DESC, c.id DESC",
        CaseSort::OpenedAsc => " ORDER BY c.opened_on, c.id",
        CaseSort::Reference => " ORDER BY c.reference, c.id",
        CaseSort::Title => " ORDER BY c.title, c.id",
        CaseSort::Status => " ORDER BY c.status, c.opened_on DESC, c.id DESC",
    };
    w.push(order).push(" LIMIT ").bind(Arg::Int(i64::from(f.per_page))).push(" OFFSET ").bind(Arg::Int(offset));
    let sql = format!(
        "SELECT c.id, c.reference, c.title, c.service, c.status, c.opened_on, u.display_name AS assignee_name, c.partner_country, \
         (SELECT p.given_names || ' ' || p.family_name FROM people p WHERE p.case_id = c.id AND p.role = 'child' ORDER BY p.created_at LIMIT 1) AS child_name \
         FROM cases c LEFT JOIN users u ON u.id = c.assignee_id{}",
        w.text
    );
    let rows = sqlx::query_with(&sql, w.arguments()?).fetch_all(pool).await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(CaseSummary {
                id: CaseId::from_trusted(get(r, "id")?),
                reference: get(r, "reference")?,
                title: get(r, "title")?,
                service: term(&get::<String>(r, "service")?, "service", ServiceType::parse)?,
                status: term(&get::<String>(r, "status")?, "status", CaseStatus::parse)?,
                opened_on: date(&get::<String>(r, "opened_on")?)?,
                assignee_name: get(r, "assignee_name")?,
                partner_country: get(r, "partner_country")?,
                child_name: get(r, "child_name")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total, page: f.page, per_page: f.per_page })
}

/// Changes a case's descriptive fields and moves its version on.
pub async fn update_fields(
    tx: &mut Tx,
    id: &CaseId,
    title: &str,
    summary: &str,
    child_views: &str,
    partner_country: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE cases SET title = $1, summary = $2, child_views = $3, partner_country = $4, updated_at = $5, version = version + 1 WHERE id = $6")
        .bind(title)
        .bind(summary)
        .bind(child_views)
        .bind(partner_country.map(str::to_string))
        .bind(now())
        .bind(id.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_assignee(tx: &mut Tx, id: &CaseId, user: &UserId) -> Result<()> {
    sqlx::query("UPDATE cases SET assignee_id = $1, updated_at = $2, version = version + 1 WHERE id = $3")
        .bind(user.as_str())
        .bind(now())
        .bind(id.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves a case to `status` with its proposed and final outcome and closing day.
pub async fn set_status(
    tx: &mut Tx,
    id: &CaseId,
    status: CaseStatus,
    proposed: Option<Outcome>,
    outcome: Option<Outcome>,
    closed_on: Option<chrono::NaiveDate>,
) -> Result<()> {
    sqlx::query("UPDATE cases SET status = $1, proposed_outcome = $2, outcome = $3, closed_on = $4, updated_at = $5, version = version + 1 WHERE id = $6")
        .bind(status.as_str())
        .bind(proposed.map(|o| o.as_str()))
        .bind(outcome.map(|o| o.as_str()))
        .bind(closed_on.map(|d| d.to_string()))
        .bind(now())
        .bind(id.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// How many requests about a case are not closed.
pub async fn open_requests(tx: &mut Tx, id: &CaseId) -> Result<u64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM requests WHERE case_id = $1 AND status <> 'closed'")
        .bind(id.as_str())
        .fetch_one(&mut **tx)
        .await?;
    Ok(get::<i64>(&row, "n")?.max(0) as u64)
}

/// For the dashboard: a user's open cases and their member's closures awaiting approval.
pub async fn counts(pool: &sqlx::AnyPool, user: &UserId, member: &MemberId) -> Result<(i64, i64)> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM cases WHERE assignee_id = $1 AND status NOT IN ('closed', 'transferred')) AS mine, \
         (SELECT COUNT(*) FROM cases WHERE member_id = $2 AND status = 'closure_proposed') AS pending",
    )
    .bind(user.as_str())
    .bind(member.as_str())
    .fetch_one(pool)
    .await?;
    Ok((get(&row, "mine")?, get(&row, "pending")?))
}

/// The lower-cased text the case list's text filter searches: reference, title, summary and
/// the people's names.
pub fn search_text<'a>(
    reference: &str,
    title: &str,
    summary: &str,
    people: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut text = format!("{reference} {title} {summary}");
    for (given, family) in people {
        text.push(' ');
        text.push_str(given);
        text.push(' ');
        text.push_str(family);
    }
    text.to_lowercase()
}

/// Recomputes a case's [`search_text`].
pub async fn refresh_search_text(tx: &mut Tx, case_id: &CaseId) -> Result<()> {
    let case = sqlx::query("SELECT reference, title, summary FROM cases WHERE id = $1")
        .bind(case_id.to_string())
        .fetch_one(&mut **tx)
        .await?;
    let people = sqlx::query("SELECT given_names, family_name FROM people WHERE case_id = $1")
        .bind(case_id.to_string())
        .fetch_all(&mut **tx)
        .await?;
    let names = people
        .iter()
        .map(|p| Ok((get::<String>(p, "given_names")?, get::<String>(p, "family_name")?)))
        .collect::<Result<Vec<_>>>()?;
    let text = search_text(
        &get::<String>(&case, "reference")?,
        &get::<String>(&case, "title")?,
        &get::<String>(&case, "summary")?,
        names.iter().map(|(g, f)| (g.as_str(), f.as_str())),
    );
    sqlx::query("UPDATE cases SET search_text = $1 WHERE id = $2")
        .bind(text)
        .bind(case_id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn insert_person(tx: &mut Tx, case_id: &CaseId, p: &NewPerson) -> Result<PersonId> {
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

/// One person of a case, if the id is one of its people.
pub async fn person_of<'e, E: Executor<'e, Database = Any>>(
    e: E,
    case_id: &CaseId,
    id: &PersonId,
) -> Result<Option<Person>> {
    let row = sqlx::query("SELECT * FROM people WHERE id = $1 AND case_id = $2")
        .bind(id.as_str())
        .bind(case_id.as_str())
        .fetch_optional(e)
        .await?;
    row.as_ref().map(person_from).transpose()
}

/// Writes a corrected person if its version is still `expected`; `false` when someone
/// corrected it meanwhile.
pub async fn update_person(tx: &mut Tx, id: &PersonId, p: &NewPerson, expected: i64) -> Result<bool> {
    let nats: Vec<&str> = p.nationalities.iter().map(|c| c.code()).collect();
    let done = sqlx::query(
        "UPDATE people SET role = $1, given_names = $2, family_name = $3, sex = $4, birth_date = $5, \
         birth_date_estimated = $6, nationalities = $7, languages = $8, version = version + 1 \
         WHERE id = $9 AND version = $10",
    )
    .bind(p.role.as_str())
    .bind(&p.given_names)
    .bind(&p.family_name)
    .bind(p.sex.as_str())
    .bind(p.birth_date.map(|b| b.to_storage()))
    .bind(i64::from(p.birth_date.is_some_and(|b| b.estimated)))
    .bind(nats.join(","))
    .bind(p.languages.join(","))
    .bind(id.as_str())
    .bind(expected)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether a person was shared with a partner in a request, is sought in a tracing request,
/// or is one side of a confirmed match: records others rely on, corrected but never removed.
pub async fn person_in_use(tx: &mut Tx, id: &PersonId) -> Result<bool> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM request_people WHERE person_id = $1) \
              + (SELECT COUNT(*) FROM tracing_requests WHERE person_id = $1) \
              + (SELECT COUNT(*) FROM match_candidates WHERE status = 'confirmed' AND (person_a = $1 OR person_b = $1)) AS n",
    )
    .bind(id.as_str())
    .fetch_one(&mut **tx)
    .await?;
    Ok(get::<i64>(&row, "n")? > 0)
}

/// Drops the possible matches of a person not yet decided, so that the matching job proposes
/// them again from the corrected record. Decided pairs stay.
pub async fn drop_proposals(tx: &mut Tx, id: &PersonId) -> Result<()> {
    sqlx::query("DELETE FROM match_candidates WHERE status = 'proposed' AND (person_a = $1 OR person_b = $1)")
        .bind(id.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Removes a person entered in error, with their relationships and possible matches.
pub async fn delete_person(tx: &mut Tx, id: &PersonId) -> Result<()> {
    for sql in [
        "DELETE FROM relationships WHERE from_person_id = $1 OR to_person_id = $1",
        "DELETE FROM match_candidates WHERE person_a = $1 OR person_b = $1",
        "DELETE FROM people WHERE id = $1",
    ] {
        sqlx::query(sql).bind(id.as_str()).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Removes one relationship of a case; what it was, if it was one.
pub async fn delete_relationship(tx: &mut Tx, case: &CaseId, id: &RelationshipId) -> Result<Option<Relationship>> {
    let row = sqlx::query(
        "DELETE FROM relationships WHERE id = $1 AND case_id = $2 RETURNING id, from_person_id, to_person_id, kind",
    )
    .bind(id.as_str())
    .bind(case.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| {
        Ok(Relationship {
            id: RelationshipId::from_trusted(get(&r, "id")?),
            from_person_id: PersonId::from_trusted(get(&r, "from_person_id")?),
            to_person_id: PersonId::from_trusted(get(&r, "to_person_id")?),
            kind: term(&get::<String>(&r, "kind")?, "relationship kind", RelationshipKind::parse)?,
        })
    })
    .transpose()
}

pub async fn insert_relationship(
    tx: &mut Tx,
    case: &CaseId,
    from: &str,
    to: &str,
    kind: RelationshipKind,
) -> Result<()> {
    sqlx::query("INSERT INTO relationships (id, case_id, from_person_id, to_person_id, kind, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(case.as_str())
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(kind.as_str())
        .bind(now())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records a consent, and the line it puts on the timeline.
pub async fn insert_consent(tx: &mut Tx, case_id: &CaseId, by: &UserId, c: &NewConsent) -> Result<()> {
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
    event(
        tx,
        case_id,
        Some(by),
        EventKind::ConsentRecorded,
        &[Fact::term(Vocab::Consent, c.scope), Fact::text(&c.given_by)],
    )
    .await
}

/// Marks the consent of `scope` in force on a case withdrawn today; `false` if none was.
pub async fn withdraw_consent(tx: &mut Tx, case: &CaseId, scope: ConsentScope) -> Result<bool> {
    let changed =
        sqlx::query("UPDATE consents SET withdrawn_on = $1 WHERE case_id = $2 AND scope = $3 AND withdrawn_on IS NULL")
            .bind(crate::today().to_string())
            .bind(case.as_str())
            .bind(scope.as_str())
            .execute(&mut **tx)
            .await?;
    Ok(changed.rows_affected() > 0)
}

/// Adds a note; its id and time.
pub async fn insert_note(tx: &mut Tx, case: &CaseId, author: &UserId, body: &str) -> Result<(String, String)> {
    let id = uuid::Uuid::now_v7().to_string();
    let at = now();
    sqlx::query("INSERT INTO notes (id, case_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(case.as_str())
        .bind(author.as_str())
        .bind(body)
        .bind(&at)
        .execute(&mut **tx)
        .await?;
    Ok((id, at))
}

pub async fn relationships_of<'e, E: Executor<'e, Database = Any>>(
    e: E,
    case_id: &CaseId,
) -> Result<Vec<Relationship>> {
    let rows = sqlx::query(
        "SELECT id, from_person_id, to_person_id, kind FROM relationships WHERE case_id = $1 ORDER BY created_at, id",
    )
    .bind(case_id.to_string())
    .fetch_all(e)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Relationship {
                id: RelationshipId::from_trusted(get(r, "id")?),
                from_person_id: PersonId::from_trusted(get(r, "from_person_id")?),
                to_person_id: PersonId::from_trusted(get(r, "to_person_id")?),
                kind: term(&get::<String>(r, "kind")?, "relationship kind", RelationshipKind::parse)?,
            })
        })
        .collect()
}

pub async fn consents_of<'e, E: Executor<'e, Database = Any>>(e: E, case_id: &CaseId) -> Result<Vec<Consent>> {
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

pub async fn notes_of<'e, E: Executor<'e, Database = Any>>(e: E, case_id: &CaseId) -> Result<Vec<Note>> {
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

pub async fn timeline_of<'e, E: Executor<'e, Database = Any>>(e: E, case_id: &CaseId) -> Result<Vec<TimelineEvent>> {
    let rows = sqlx::query(
        "SELECT e.at, u.display_name, e.kind, e.detail FROM case_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.case_id = $1 ORDER BY e.at DESC, e.id DESC",
    )
    .bind(case_id.to_string())
    .fetch_all(e)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TimelineEvent {
                at: get(r, "at")?,
                actor_name: get(r, "display_name")?,
                kind: term(&get::<String>(r, "kind")?, "event kind", EventKind::parse)?,
                facts: term(&get::<String>(r, "detail")?, "timeline facts", Fact::decode)?,
            })
        })
        .collect()
}
