//! Requests between members. The sender's side sees its case; the partner sees the request,
//! its messages and what was shared with it — never the sender's notes or unshared documents.

use kinbridge_domain::access::{CaseAccess, Party};
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::case::{EventKind, Person};
use kinbridge_domain::ids::{CaseId, MemberId, RequestId, UserId};
use kinbridge_domain::request::{
    is_overdue, NewRequest, Request, RequestAction, RequestKind, RequestStatus, Transition,
};
use kinbridge_domain::DomainError;
use kinbridge_domain::ErrorCode;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor};

use crate::cases::{event, person_from, Page};
use crate::{date, get, now, today, Caller, Casework, Error, Result};
use kinbridge_store::audit::append;
use kinbridge_store::{Arg, Sql};

const REQUEST_COLUMNS: &str = "r.id, r.case_id, c.reference AS case_reference, r.from_member_id, fm.code AS from_code, \
     fm.country AS from_country, r.to_member_id, tm.code AS to_code, tm.country AS to_country, r.kind, r.status, r.subject, \
     r.due_on, r.assignee_id, u.display_name AS assignee_name, r.decline_reason, r.sent_at, r.updated_at";

const REQUEST_JOINS: &str = "JOIN cases c ON c.id = r.case_id JOIN members fm ON fm.id = r.from_member_id \
     JOIN members tm ON tm.id = r.to_member_id LEFT JOIN users u ON u.id = r.assignee_id";

fn request_select() -> String {
    format!("SELECT {REQUEST_COLUMNS} FROM requests r {REQUEST_JOINS}")
}

fn request_from(row: &AnyRow) -> Result<Request> {
    let kind: String = get(row, "kind")?;
    let status: String = get(row, "status")?;
    let status = RequestStatus::parse(&status).ok_or_else(|| sqlx::Error::Decode("request status".into()))?;
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
        kind: RequestKind::parse(&kind).ok_or_else(|| sqlx::Error::Decode("request kind".into()))?,
        status,
        subject: get(row, "subject")?,
        due_on,
        assignee_id: get::<Option<String>>(row, "assignee_id")?.map(UserId::from_trusted),
        assignee_name: get(row, "assignee_name")?,
        decline_reason: get(row, "decline_reason")?,
        sent_at: get(row, "sent_at")?,
        updated_at: get(row, "updated_at")?,
        overdue: is_overdue(status, due_on, today()),
    })
}

async fn fetch_request<'e, E: Executor<'e, Database = Any>>(e: E, id: &str) -> Result<Option<Request>> {
    let sql = format!("{} WHERE r.id = $1", request_select());
    let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(e).await?;
    row.as_ref().map(request_from).transpose()
}

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
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestMessage {
    pub author_name: String,
    pub author_member_code: String,
    pub kind: String,
    pub body: String,
    pub created_at: String,
}

/// A request page: what the caller's side may see of it and do with it.
#[derive(Debug, Clone, Serialize)]
pub struct RequestDetail {
    pub request: Request,
    #[serde(serialize_with = "ser_party")]
    pub party: Party,
    pub messages: Vec<RequestMessage>,
    pub shared_people: Vec<Person>,
    pub documents: Vec<crate::documents::Document>,
    pub actions: Vec<RequestAction>,
}

fn ser_party<S: serde::Serializer>(p: &Party, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(match p {
        Party::Sender => "sender",
        Party::Receiver => "receiver",
        Party::Observer => "observer",
    })
}

/// Request counts between two countries, for the General Secretariat: no personal content.
#[derive(Debug, Clone, Serialize)]
pub struct Flow {
    pub from_country: String,
    pub to_country: String,
    pub status: String,
    pub count: i64,
    pub overdue: i64,
}

impl Casework {
    /// Reads a request the caller is a party to, or audits the attempt and answers not found.
    async fn authorize_request(&self, caller: &Caller, id: &str) -> Result<(Request, Party)> {
        let found = match RequestId::parse(id) {
            Some(rid) => fetch_request(self.pool(), rid.as_str()).await?,
            None => None,
        };
        match found {
            Some(r) => match caller.actor.party(&r.from_member_id, &r.to_member_id) {
                Some(p) => Ok((r, p)),
                None => Err(self.denied(caller, "request", id).await),
            },
            None => Err(self.denied(caller, "request", id).await),
        }
    }

    /// Sends a request about a case to a partner member, sharing the chosen people and documents.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn send_request(
        &self,
        caller: &Caller,
        case_id: &str,
        new: &NewRequest,
        share_people: &[String],
        share_documents: &[String],
    ) -> Result<Request> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        let to = self
            .member_by_code(&new.to_member_code)
            .await?
            .ok_or(DomainError::field("to_member", ErrorCode::UnknownMember))?;
        if to.id == case.member_id {
            return Err(DomainError::field("to_member", ErrorCode::SameMember).into());
        }
        let people = crate::cases::people_of(self.pool(), case.id.as_str()).await?;
        if share_people.iter().any(|p| !people.iter().any(|x| x.id.as_str() == p)) {
            return Err(DomainError::field("share_people", ErrorCode::UnknownPerson).into());
        }
        let docs = kinbridge_store::documents::of_case(self.pool(), case.id.as_str()).await?;
        if share_documents.iter().any(|d| !docs.iter().any(|x| x.id.as_str() == d)) {
            return Err(DomainError::field("share_documents", ErrorCode::UnknownDocument).into());
        }
        let mut tx = self.begin_write().await?;
        let id = RequestId::generate();
        let at = now();
        sqlx::query(
            "INSERT INTO requests (id, case_id, from_member_id, to_member_id, kind, status, subject, due_on, sent_at, created_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'sent', $6, $7, $8, $9, $8)",
        )
        .bind(id.as_str())
        .bind(case.id.as_str())
        .bind(case.member_id.as_str())
        .bind(to.id.as_str())
        .bind(new.kind.as_str())
        .bind(&new.subject)
        .bind(new.due_on.to_string())
        .bind(&at)
        .bind(caller.actor.user_id.as_str())
        .execute(&mut *tx)
        .await?;
        insert_message(&mut tx, id.as_str(), caller, "request", &new.message).await?;
        for p in share_people {
            sqlx::query("INSERT INTO request_people (request_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id.as_str())
                .bind(p.clone())
                .execute(&mut *tx)
                .await?;
        }
        for d in share_documents {
            sqlx::query(
                "INSERT INTO request_documents (request_id, document_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(id.as_str())
            .bind(d.clone())
            .execute(&mut *tx)
            .await?;
        }
        event(
            &mut tx,
            case.id.as_str(),
            Some(&caller.actor.user_id),
            EventKind::RequestSent,
            &format!("{} → {}", new.kind, to.code.as_str()),
        )
        .await?;
        append(
            &mut tx,
            &[caller.entry(AuditAction::Create, "request", Some(id.as_str()), &format!("to {}", to.code.as_str()))],
        )
        .await?;
        let request = fetch_request(&mut *tx, id.as_str()).await?.ok_or_else(Error::not_found)?;
        tx.commit().await?;
        Ok(request)
    }

    /// The member's inbox (requests from partners) or outbox (requests it sent).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn list_requests(
        &self,
        caller: &Caller,
        which: RequestBox,
        open_only: bool,
        page: u32,
        per_page: u32,
    ) -> Result<Page<Request>> {
        caller.actor.require(caller.actor.has_casework())?;
        let mut w = Sql::new(match which {
            RequestBox::Inbox => " WHERE r.to_member_id = ",
            RequestBox::Outbox => " WHERE r.from_member_id = ",
        });
        w.bind(Arg::Text(caller.actor.member_id.to_string()));
        if open_only {
            // An IN list, not `<> 'closed'`, so the (member, status, due date) index is used:
            // most requests in a long-lived network are closed.
            w.push(" AND r.status IN ('sent', 'acknowledged', 'accepted', 'declined', 'in_progress', 'answered')");
        }
        let total: i64 = get(
            &sqlx::query_with(&format!("SELECT COUNT(*) AS n FROM requests r{}", w.text), w.arguments()?)
                .fetch_one(self.pool())
                .await?,
            "n",
        )?;
        let page = page.max(1);
        let per_page = per_page.clamp(1, 100);
        // Overdue first, then by due date: what needs doing today is at the top. The page is
        // chosen on the requests table alone, then joined: sorting joined rows costs more.
        w.push(" ORDER BY ");
        let order_start = w.text.len();
        w.push("CASE WHEN r.status IN ('sent', 'acknowledged', 'accepted', 'in_progress') AND r.due_on < ")
            .bind(Arg::Text(today().to_string()))
            .push(" THEN 0 ELSE 1 END, r.due_on, r.id");
        let order = w.text[order_start..].to_string();
        w.push(" LIMIT ")
            .bind(Arg::Int(i64::from(per_page)))
            .push(" OFFSET ")
            .bind(Arg::Int(i64::from(page - 1) * i64::from(per_page)));
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM (SELECT * FROM requests r{}) r {REQUEST_JOINS} ORDER BY {order}",
            w.text
        );
        let rows = sqlx::query_with(&sql, w.arguments()?).fetch_all(self.pool()).await?;
        let items = rows.iter().map(request_from).collect::<Result<Vec<_>>>()?;
        let which_name = if which == RequestBox::Inbox { "inbox" } else { "outbox" };
        self.audit(vec![caller.entry(AuditAction::List, "request", None, which_name)]).await?;
        Ok(Page { items, total, page, per_page })
    }

    /// Overdue requests owed to the member (inbox) and owed by partners to it (outbox).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn overdue_counts(&self, caller: &Caller) -> Result<(i64, i64)> {
        if !caller.actor.has_casework() {
            return Ok((0, 0));
        }
        let row = sqlx::query(
            "SELECT \
             (SELECT COUNT(*) FROM requests WHERE to_member_id = $1 AND status IN ('sent', 'acknowledged', 'accepted', 'in_progress') AND due_on < $2) AS inbox, \
             (SELECT COUNT(*) FROM requests WHERE from_member_id = $1 AND status IN ('sent', 'acknowledged', 'accepted', 'in_progress') AND due_on < $2) AS outbox",
        )
        .bind(caller.actor.member_id.as_str())
        .bind(today().to_string())
        .fetch_one(self.pool())
        .await?;
        Ok((get(&row, "inbox")?, get(&row, "outbox")?))
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn request_detail(&self, caller: &Caller, id: &str) -> Result<RequestDetail> {
        let (request, party) = self.authorize_request(caller, id).await?;
        let rid = request.id.as_str().to_string();
        let messages = sqlx::query(
            "SELECT u.display_name, m.code, rm.kind, rm.body, rm.created_at FROM request_messages rm \
             JOIN users u ON u.id = rm.author_id JOIN members m ON m.id = rm.author_member_id WHERE rm.request_id = $1 ORDER BY rm.created_at, rm.id",
        )
        .bind(&rid)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(RequestMessage {
                author_name: get(r, "display_name")?,
                author_member_code: get(r, "code")?,
                kind: get(r, "kind")?,
                body: get(r, "body")?,
                created_at: get(r, "created_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let shared_people = sqlx::query("SELECT p.* FROM people p JOIN request_people rp ON rp.person_id = p.id WHERE rp.request_id = $1 ORDER BY p.created_at")
            .bind(&rid)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(person_from)
            .collect::<Result<Vec<_>>>()?;
        let documents = kinbridge_store::documents::of_request(self.pool(), &rid).await?;
        self.audit(vec![caller.entry(AuditAction::Read, "request", Some(&rid), "")]).await?;
        let actions = request.status.actions_for(party);
        Ok(RequestDetail { request, party, messages, shared_people, documents, actions })
    }

    /// A lifecycle step by the caller's side of the request.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn transition_request(&self, caller: &Caller, id: &str, t: &Transition) -> Result<Request> {
        let (request, party) = self.authorize_request(caller, id).await?;
        let mut tx = self.begin_write().await?;
        let current = fetch_request(&mut *tx, request.id.as_str()).await?.ok_or_else(Error::not_found)?;
        let next = current.status.apply(t.action, party)?;
        let at = now();
        let stamp = match t.action {
            RequestAction::Acknowledge => Some("acknowledged_at"),
            RequestAction::Answer => Some("answered_at"),
            RequestAction::Close | RequestAction::Withdraw => Some("closed_at"),
            _ => None,
        };
        let mut sql = String::from("UPDATE requests SET status = $1, updated_at = $2");
        if let Some(col) = stamp {
            sql.push_str(&format!(", {col} = $2"));
        }
        if t.action == RequestAction::Decline {
            sql.push_str(", decline_reason = $4");
        }
        sql.push_str(" WHERE id = $3");
        let mut q = sqlx::query(&sql).bind(next.as_str()).bind(&at).bind(request.id.as_str());
        if t.action == RequestAction::Decline {
            q = q.bind(t.text.clone());
        }
        q.execute(&mut *tx).await?;
        if let Some(text) = &t.text {
            let kind = match t.action {
                RequestAction::Answer => "report",
                RequestAction::Decline => "decline",
                RequestAction::Withdraw => "withdraw",
                _ => "message",
            };
            insert_message(&mut tx, request.id.as_str(), caller, kind, text).await?;
        }
        let case_id = request.case_id.as_str();
        if t.action == RequestAction::Answer {
            sqlx::query("UPDATE cases SET first_response_on = $1 WHERE id = $2 AND first_response_on IS NULL")
                .bind(today().to_string())
                .bind(case_id.to_string())
                .execute(&mut *tx)
                .await?;
            event(
                &mut tx,
                case_id,
                Some(&caller.actor.user_id),
                EventKind::RequestAnswered,
                &format!("{} {}", request.kind, request.to_member_code),
            )
            .await?;
        } else {
            event(
                &mut tx,
                case_id,
                Some(&caller.actor.user_id),
                EventKind::RequestUpdated,
                &format!("{} {} → {}", request.kind, request.to_member_code, next),
            )
            .await?;
        }
        append(
            &mut tx,
            &[caller.entry(AuditAction::Transition, "request", Some(request.id.as_str()), t.action.as_str())],
        )
        .await?;
        let updated = fetch_request(&mut *tx, request.id.as_str()).await?.ok_or_else(Error::not_found)?;
        tx.commit().await?;
        Ok(updated)
    }

    /// The partner assigns one of its own caseworkers; an accepted request is then in progress.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn assign_request(&self, caller: &Caller, id: &str, assignee: &str) -> Result<Request> {
        let (request, party) = self.authorize_request(caller, id).await?;
        caller.actor.require(party == Party::Receiver)?;
        if request.status == RequestStatus::Closed {
            return Err(DomainError::InvalidTransition { from: "closed", action: "assign" }.into());
        }
        let colleague = self
            .colleagues(&request.to_member_id)
            .await?
            .iter()
            .find(|u| u.id.as_str() == assignee)
            .cloned()
            .ok_or(DomainError::field("assignee", ErrorCode::UnknownUser))?;
        let mut tx = self.begin_write().await?;
        let status = match request.status {
            RequestStatus::Accepted => RequestStatus::InProgress,
            s => s,
        };
        sqlx::query("UPDATE requests SET assignee_id = $1, status = $2, updated_at = $3 WHERE id = $4")
            .bind(colleague.id.as_str())
            .bind(status.as_str())
            .bind(now())
            .bind(request.id.as_str())
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &[caller.entry(
                AuditAction::Update,
                "request",
                Some(request.id.as_str()),
                &format!("assigned {}", colleague.id),
            )],
        )
        .await?;
        let updated = fetch_request(&mut *tx, request.id.as_str()).await?.ok_or_else(Error::not_found)?;
        tx.commit().await?;
        Ok(updated)
    }

    /// A message from either side; the request stays where it is.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn add_request_message(&self, caller: &Caller, id: &str, body: &str) -> Result<()> {
        let body = kinbridge_domain::text::required("body", body, 50_000).map_err(|e| DomainError::Invalid(vec![e]))?;
        let (request, party) = self.authorize_request(caller, id).await?;
        caller.actor.require(party != Party::Observer)?;
        if request.status == RequestStatus::Closed {
            return Err(DomainError::InvalidTransition { from: "closed", action: "message" }.into());
        }
        let mut tx = self.begin_write().await?;
        insert_message(&mut tx, request.id.as_str(), caller, "message", &body).await?;
        sqlx::query("UPDATE requests SET updated_at = $1 WHERE id = $2")
            .bind(now())
            .bind(request.id.as_str())
            .execute(&mut *tx)
            .await?;
        append(&mut tx, &[caller.entry(AuditAction::Update, "request", Some(request.id.as_str()), "message")]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Request flows between countries by status, with overdue counts: metadata only.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn network_flows(&self, caller: &Caller) -> Result<Vec<Flow>> {
        caller.actor.require(caller.actor.can_see_network_flows())?;
        let rows = sqlx::query(
            "SELECT fm.country AS from_country, tm.country AS to_country, r.status, COUNT(*) AS n, \
             SUM(CASE WHEN r.status IN ('sent', 'acknowledged', 'accepted', 'in_progress') AND r.due_on < $1 THEN 1 ELSE 0 END) AS overdue \
             FROM requests r JOIN members fm ON fm.id = r.from_member_id JOIN members tm ON tm.id = r.to_member_id \
             GROUP BY fm.country, tm.country, r.status ORDER BY fm.country, tm.country, r.status",
        )
        .bind(today().to_string())
        .fetch_all(self.pool())
        .await?;
        self.audit(vec![caller.entry(AuditAction::List, "flows", None, "")]).await?;
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
}

async fn insert_message(tx: &mut crate::Tx, request_id: &str, caller: &Caller, kind: &str, body: &str) -> Result<()> {
    sqlx::query("INSERT INTO request_messages (id, request_id, author_id, author_member_id, kind, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(request_id.to_string())
        .bind(caller.actor.user_id.as_str())
        .bind(caller.actor.member_id.as_str())
        .bind(kind.to_string())
        .bind(body.to_string())
        .bind(now())
        .execute(&mut **tx)
        .await?;
    Ok(kinbridge_store::feed::changed(tx, kinbridge_store::feed::Entity::Request, request_id).await?)
}

/// The requests sent about a case, newest first.
pub(crate) async fn requests_of_case<'e, E: Executor<'e, Database = Any>>(e: E, case_id: &str) -> Result<Vec<Request>> {
    let sql = format!("{} WHERE r.case_id = $1 ORDER BY r.sent_at DESC", request_select());
    let rows = sqlx::query(&sql).bind(case_id.to_string()).fetch_all(e).await?;
    rows.iter().map(request_from).collect()
}
