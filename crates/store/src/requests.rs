//! The requests repository: requests between members, their messages, and the people and
//! documents shared with them.

use kinbridge_domain::access::Actor;
use kinbridge_domain::case::Person;
use kinbridge_domain::ids::{CaseId, DocumentId, MemberId, PersonId, RequestId, UserId};
use kinbridge_domain::request::{is_overdue, MessageKind, Request, RequestKind, RequestStatus};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor};

use crate::cases::person_from;
use crate::rows::{date, get, term};
use crate::{now, today, Arg, Page, Result, Sql, Tx};

const COLUMNS: &str = "r.id, r.case_id, c.reference AS case_reference, r.from_member_id, fm.code AS from_code, \
     fm.country AS from_country, r.to_member_id, tm.code AS to_code, tm.country AS to_country, r.kind, r.status, r.subject, \
     r.due_on, r.assignee_id, u.display_name AS assignee_name, r.decline_reason, r.sent_at, r.updated_at, r.answer_read_at";

const JOINS: &str = "JOIN cases c ON c.id = r.case_id JOIN members fm ON fm.id = r.from_member_id \
     JOIN members tm ON tm.id = r.to_member_id LEFT JOIN users u ON u.id = r.assignee_id";

/// The statuses in which the partner still owes something (an answer, a step).
const OWED: &str = "('sent', 'acknowledged', 'accepted', 'in_progress')";

fn request_from(row: &AnyRow) -> Result<Request> {
    let status = term(&get::<String>(row, "status")?, "request status", RequestStatus::parse)?;
    let due_on = date(&get::<String>(row, "due_on")?)?;
    Ok(Request {
        id: RequestId::from_trusted(get(row, "id")?),
        case_id: CaseId::from_trusted(get(row, "case_id")?),
        case_reference: get(row, "case_reference")?,
        from_member_id: MemberId::from_trusted(get(row, "from_member_id")?),
        from_member_code: get(row, "from_code")?,
        from_country: get(row, "from_country")?,
        to_member_id: MemberId::from_trusted(get(row, "to_member_id")?),
        to_member_code: get(row, "to_code")?,
        to_country: get(row, "to_country")?,
        kind: term(&get::<String>(row, "kind")?, "request kind", RequestKind::parse)?,
        status,
        subject: get(row, "subject")?,
        due_on,
        assignee_id: get::<Option<String>>(row, "assignee_id")?.map(UserId::from_trusted),
        assignee_name: get(row, "assignee_name")?,
        decline_reason: get(row, "decline_reason")?,
        sent_at: get(row, "sent_at")?,
        updated_at: get(row, "updated_at")?,
        overdue: is_overdue(status, due_on, today()),
        answer_unread: status == RequestStatus::Answered && get::<Option<String>>(row, "answer_read_at")?.is_none(),
    })
}

pub async fn by_id<'e, E: Executor<'e, Database = Any>>(e: E, id: &RequestId) -> Result<Option<Request>> {
    let sql = format!("SELECT {COLUMNS} FROM requests r {JOINS} WHERE r.id = $1");
    sqlx::query(&sql).bind(id.as_str()).fetch_optional(e).await?.as_ref().map(request_from).transpose()
}

/// The requests sent about a case, newest first.
pub async fn of_case<'e, E: Executor<'e, Database = Any>>(e: E, case_id: &CaseId) -> Result<Vec<Request>> {
    let sql = format!("SELECT {COLUMNS} FROM requests r {JOINS} WHERE r.case_id = $1 ORDER BY r.sent_at DESC");
    sqlx::query(&sql).bind(case_id.to_string()).fetch_all(e).await?.iter().map(request_from).collect()
}

/// A request's case and its two members: what an access decision needs.
pub struct Parties {
    pub id: RequestId,
    pub case_id: CaseId,
    pub from: MemberId,
    pub to: MemberId,
}

pub async fn parties(pool: &sqlx::AnyPool, id: &RequestId) -> Result<Option<Parties>> {
    let row = sqlx::query("SELECT id, case_id, from_member_id, to_member_id FROM requests WHERE id = $1")
        .bind(id.as_str())
        .fetch_optional(pool)
        .await?;
    row.map(|r| {
        Ok(Parties {
            id: RequestId::from_trusted(get(&r, "id")?),
            case_id: CaseId::from_trusted(get(&r, "case_id")?),
            from: MemberId::from_trusted(get(&r, "from_member_id")?),
            to: MemberId::from_trusted(get(&r, "to_member_id")?),
        })
    })
    .transpose()
}

/// A request to record as sent.
pub struct NewRequestRow<'a> {
    pub id: &'a RequestId,
    pub case_id: &'a CaseId,
    pub from: &'a MemberId,
    pub to: &'a MemberId,
    pub kind: RequestKind,
    pub subject: &'a str,
    pub due_on: chrono::NaiveDate,
    pub by: &'a UserId,
}

/// Records a sent request with the people and documents it shares.
pub async fn insert(tx: &mut Tx, new: &NewRequestRow<'_>, people: &[PersonId], documents: &[DocumentId]) -> Result<()> {
    let at = now();
    sqlx::query(
        "INSERT INTO requests (id, case_id, from_member_id, to_member_id, kind, status, subject, due_on, sent_at, created_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'sent', $6, $7, $8, $9, $8)",
    )
    .bind(new.id.as_str())
    .bind(new.case_id.as_str())
    .bind(new.from.as_str())
    .bind(new.to.as_str())
    .bind(new.kind.as_str())
    .bind(new.subject)
    .bind(new.due_on.to_string())
    .bind(&at)
    .bind(new.by.as_str())
    .execute(&mut **tx)
    .await?;
    for p in people {
        sqlx::query("INSERT INTO request_people (request_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(new.id.as_str())
            .bind(p.as_str())
            .execute(&mut **tx)
            .await?;
    }
    for d in documents {
        sqlx::query("INSERT INTO request_documents (request_id, document_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(new.id.as_str())
            .bind(d.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Which side's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestBox {
    Inbox,
    Outbox,
}

impl RequestBox {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "inbox" => Some(Self::Inbox),
            "outbox" => Some(Self::Outbox),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbox => "inbox",
            Self::Outbox => "outbox",
        }
    }
}

/// Records that the sending side has read a request's answer; `false` if it had already.
pub async fn mark_answer_read(tx: &mut Tx, id: &RequestId) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE requests SET answer_read_at = $1 WHERE id = $2 AND status = 'answered' AND answer_read_at IS NULL",
    )
    .bind(now())
    .bind(id.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A page of a member's inbox or outbox: overdue first, then by due date; in the outbox,
/// answers not yet read come first of all.
pub async fn page(
    pool: &sqlx::AnyPool,
    member: &MemberId,
    which: RequestBox,
    open_only: bool,
    page: u32,
    per_page: u32,
) -> Result<Page<Request>> {
    let mut w = Sql::new(match which {
        RequestBox::Inbox => " WHERE r.to_member_id = ",
        RequestBox::Outbox => " WHERE r.from_member_id = ",
    });
    w.bind(Arg::Text(member.to_string()));
    if open_only {
        // An IN list, not `<> 'closed'`, so the (member, status, due date) index is used:
        // most requests in a long-lived network are closed.
        w.push(" AND r.status IN ('sent', 'acknowledged', 'accepted', 'declined', 'in_progress', 'answered')");
    }
    let total: i64 = get(
        &sqlx::query_with(&format!("SELECT COUNT(*) AS n FROM requests r{}", w.text), w.arguments()?)
            .fetch_one(pool)
            .await?,
        "n",
    )?;
    let page = page.max(1);
    let per_page = per_page.clamp(1, 100);
    // The page is chosen on the requests table alone, then joined: sorting joined rows costs more.
    w.push(" ORDER BY ");
    let order_start = w.text.len();
    if which == RequestBox::Outbox {
        // An answer nobody has read yet comes before everything else the sender waits for.
        w.push("CASE WHEN r.status = 'answered' AND r.answer_read_at IS NULL THEN 0 ELSE 1 END, ");
    }
    w.push(&format!("CASE WHEN r.status IN {OWED} AND r.due_on < "))
        .bind(Arg::Text(today().to_string()))
        .push(" THEN 0 ELSE 1 END, r.due_on, r.id");
    let order = w.text[order_start..].to_string();
    w.push(" LIMIT ")
        .bind(Arg::Int(i64::from(per_page)))
        .push(" OFFSET ")
        .bind(Arg::Int(i64::from(page - 1) * i64::from(per_page)));
    let sql = format!("SELECT {COLUMNS} FROM (SELECT * FROM requests r{}) r {JOINS} ORDER BY {order}", w.text);
    let rows = sqlx::query_with(&sql, w.arguments()?).fetch_all(pool).await?;
    let items = rows.iter().map(request_from).collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total, page, per_page })
}

/// Overdue requests owed to the member (inbox) and owed by partners to it (outbox).
pub async fn overdue_counts(pool: &sqlx::AnyPool, member: &MemberId) -> Result<(i64, i64)> {
    let row = sqlx::query(&format!(
        "SELECT \
         (SELECT COUNT(*) FROM requests WHERE to_member_id = $1 AND status IN {OWED} AND due_on < $2) AS inbox, \
         (SELECT COUNT(*) FROM requests WHERE from_member_id = $1 AND status IN {OWED} AND due_on < $2) AS outbox"
    ))
    .bind(member.as_str())
    .bind(today().to_string())
    .fetch_one(pool)
    .await?;
    Ok((get(&row, "inbox")?, get(&row, "outbox")?))
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RequestMessage {
    pub author_name: String,
    pub author_member_code: String,
    pub kind: MessageKind,
    pub body: String,
    pub created_at: String,
}

/// A request's messages, oldest first.
pub async fn messages(pool: &sqlx::AnyPool, id: &RequestId) -> Result<Vec<RequestMessage>> {
    sqlx::query(
        "SELECT u.display_name, m.code, rm.kind, rm.body, rm.created_at FROM request_messages rm \
         JOIN users u ON u.id = rm.author_id JOIN members m ON m.id = rm.author_member_id WHERE rm.request_id = $1 ORDER BY rm.created_at, rm.id",
    )
    .bind(id.as_str())
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(RequestMessage {
            author_name: get(r, "display_name")?,
            author_member_code: get(r, "code")?,
            kind: term(&get::<String>(r, "kind")?, "message kind", MessageKind::parse)?,
            body: get(r, "body")?,
            created_at: get(r, "created_at")?,
        })
    })
    .collect()
}

/// The people shared with a request.
pub async fn shared_people(pool: &sqlx::AnyPool, id: &RequestId) -> Result<Vec<Person>> {
    sqlx::query(
        "SELECT p.* FROM people p JOIN request_people rp ON rp.person_id = p.id WHERE rp.request_id = $1 ORDER BY p.created_at",
    )
    .bind(id.as_str())
    .fetch_all(pool)
    .await?
    .iter()
    .map(person_from)
    .collect()
}

/// Moves a request to `status` at `at`, stamping the step's column (`acknowledged_at`, ...)
/// and keeping a decline's reason.
pub async fn set_status(
    tx: &mut Tx,
    id: &RequestId,
    status: RequestStatus,
    stamp: Option<&'static str>,
    decline_reason: Option<Option<String>>,
) -> Result<()> {
    let mut sql = String::from("UPDATE requests SET status = $1, updated_at = $2");
    if let Some(col) = stamp {
        sql.push_str(&format!(", {col} = $2"));
    }
    if decline_reason.is_some() {
        sql.push_str(", decline_reason = $4");
    }
    sql.push_str(" WHERE id = $3");
    let mut q = sqlx::query(&sql).bind(status.as_str()).bind(now()).bind(id.as_str());
    if let Some(reason) = decline_reason {
        q = q.bind(reason);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// Records the first answer a case got, if it had none.
pub async fn first_response(tx: &mut Tx, case_id: &CaseId) -> Result<()> {
    sqlx::query("UPDATE cases SET first_response_on = $1 WHERE id = $2 AND first_response_on IS NULL")
        .bind(today().to_string())
        .bind(case_id.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn assign(tx: &mut Tx, id: &RequestId, assignee: &UserId, status: RequestStatus) -> Result<()> {
    sqlx::query("UPDATE requests SET assignee_id = $1, status = $2, updated_at = $3 WHERE id = $4")
        .bind(assignee.as_str())
        .bind(status.as_str())
        .bind(now())
        .bind(id.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn touch(tx: &mut Tx, id: &RequestId) -> Result<()> {
    sqlx::query("UPDATE requests SET updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Adds a message by `author` (its kind: request, report, decline, withdraw, message) and
/// records the change for the search index.
pub async fn insert_message(tx: &mut Tx, id: &RequestId, author: &Actor, kind: MessageKind, body: &str) -> Result<()> {
    sqlx::query("INSERT INTO request_messages (id, request_id, author_id, author_member_id, kind, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(id.as_str())
        .bind(author.user_id.as_str())
        .bind(author.member_id.as_str())
        .bind(kind.as_str())
        .bind(body.to_string())
        .bind(now())
        .execute(&mut **tx)
        .await?;
    crate::feed::changed(tx, crate::feed::Entity::Request, id.as_str()).await
}

/// Request counts between two countries by status, with overdue counts: no personal content.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Flow {
    pub from_country: String,
    pub to_country: String,
    pub status: String,
    pub count: i64,
    pub overdue: i64,
}

pub async fn flows(pool: &sqlx::AnyPool) -> Result<Vec<Flow>> {
    let rows = sqlx::query(&format!(
        "SELECT fm.country AS from_country, tm.country AS to_country, r.status, COUNT(*) AS n, \
         SUM(CASE WHEN r.status IN {OWED} AND r.due_on < $1 THEN 1 ELSE 0 END) AS overdue \
         FROM requests r JOIN members fm ON fm.id = r.from_member_id JOIN members tm ON tm.id = r.to_member_id \
         GROUP BY fm.country, tm.country, r.status ORDER BY fm.country, tm.country, r.status"
    ))
    .bind(today().to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Flow {
                from_country: get(r, "from_country")?,
                to_country: get(r, "to_country")?,
                status: get(r, "status")?,
                count: get(r, "n")?,
                overdue: get(r, "overdue")?,
            })
        })
        .collect()
}

/// The receiving member's case opened from a request: its id and reference.
pub async fn receiver_case(pool: &sqlx::AnyPool, id: &RequestId) -> Result<Option<(CaseId, String)>> {
    let row = sqlx::query(
        "SELECT c.id, c.reference FROM requests r JOIN cases c ON c.id = r.receiver_case_id WHERE r.id = $1",
    )
    .bind(id.as_str())
    .fetch_optional(pool)
    .await?;
    row.map(|r| Ok((CaseId::from_trusted(get(&r, "id")?), get(&r, "reference")?))).transpose()
}

/// Links the receiving member's new case to a request, unless one is linked already (then
/// false: two caseworkers opening a case from the same request at once get one case).
pub async fn link_receiver_case(tx: &mut Tx, id: &RequestId, case_id: &CaseId) -> Result<bool> {
    let done = sqlx::query("UPDATE requests SET receiver_case_id = $1 WHERE id = $2 AND receiver_case_id IS NULL")
        .bind(case_id.as_str())
        .bind(id.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}
