//! Requests between members. The sender's side sees its case; the partner sees the request,
//! its messages and what was shared with it — never the sender's notes or unshared documents.

use kinbridge_domain::access::{CaseAccess, Party};
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::case::{EventKind, Person};
use kinbridge_domain::case::{Fact, Vocab};
use kinbridge_domain::ids::{CaseId, DocumentId, PersonId, RequestId};
use kinbridge_domain::notice::NoticeKind;
use kinbridge_domain::request::{MessageKind, NewRequest, Request, RequestAction, RequestStatus, Transition};
use kinbridge_domain::DomainError;
use kinbridge_domain::ErrorCode;
use kinbridge_store::audit::append;
use kinbridge_store::requests::{self, NewRequestRow};
use serde::Serialize;

use crate::cases::{event, Page};
use crate::{Caller, Casework, Error, Result};

pub use kinbridge_store::requests::{Flow, RequestBox, RequestMessage};

/// A request page: what the caller's side may see of it and do with it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RequestDetail {
    pub request: Request,
    #[serde(serialize_with = "ser_party")]
    #[schemars(with = "PartyName")]
    pub party: Party,
    pub messages: Vec<RequestMessage>,
    pub shared_people: Vec<Person>,
    pub documents: Vec<crate::documents::Document>,
    pub actions: Vec<RequestAction>,
    /// The receiving member's own case opened from this request (shown to the receiver only).
    pub our_case: Option<LinkedCase>,
}

/// A case by its id and reference.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LinkedCase {
    pub id: kinbridge_domain::ids::CaseId,
    pub reference: String,
}

/// What the receiving member starts its own case from: the request, the service of the
/// sender's case, the people shared with it, and the case already opened from it, if any.
#[derive(Debug, Clone)]
pub struct RequestIntake {
    pub request: Request,
    pub service: kinbridge_domain::case::ServiceType,
    pub people: Vec<Person>,
    pub our_case: Option<LinkedCase>,
}

/// The caller's side of a request, as the API names it.
#[derive(schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum PartyName {
    Sender,
    Receiver,
    Observer,
}

fn ser_party<S: serde::Serializer>(p: &Party, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(match p {
        Party::Sender => "sender",
        Party::Receiver => "receiver",
        Party::Observer => "observer",
    })
}

impl Casework {
    /// Reads a request the caller is a party to, or audits the attempt and answers not found.
    async fn authorize_request(&self, caller: &Caller, id: &str) -> Result<(Request, Party)> {
        let found = match RequestId::parse(id) {
            Some(rid) => requests::by_id(self.pool(), &rid).await?,
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
        let to = self.partner_of(&new.to_member_code, &case).await?;
        // Only the case's own people and documents can be shared: each id is looked up in them.
        let people = crate::cases::people_of(self.pool(), &case.id).await?;
        let share_people: Vec<PersonId> = share_people
            .iter()
            .map(|p| people.iter().find(|x| x.id.as_str() == p).map(|x| x.id.clone()))
            .collect::<Option<_>>()
            .ok_or(DomainError::field("share_people", ErrorCode::UnknownPerson))?;
        let docs = kinbridge_store::documents::of_case(self.pool(), &case.id).await?;
        let share_documents: Vec<DocumentId> = share_documents
            .iter()
            .map(|d| docs.iter().find(|x| x.id.as_str() == d).map(|x| x.id.clone()))
            .collect::<Option<_>>()
            .ok_or(DomainError::field("share_documents", ErrorCode::UnknownDocument))?;
        let mut tx = self.begin_write().await?;
        let id = RequestId::generate();
        let row = NewRequestRow {
            id: &id,
            case_id: &case.id,
            from: &case.member_id,
            to: &to.id,
            kind: new.kind,
            subject: &new.subject,
            due_on: new.due_on,
            by: &caller.actor.user_id,
        };
        requests::insert(&mut tx, &row, &share_people, &share_documents).await?;
        // The receiving member's caseworkers hear of it (the request, never the case).
        let told = kinbridge_store::notices::casework_users(&mut tx, &to.id).await?;
        let facts = [
            Fact::term(Vocab::RequestKind, new.kind),
            Fact::term(Vocab::Member, case_member_code(self, &case.member_id).await?),
            Fact::text(&new.subject),
        ];
        kinbridge_store::notices::notify(&mut tx, &told, NoticeKind::RequestReceived, None, Some(&id), &facts).await?;
        requests::insert_message(&mut tx, &id, &caller.actor, MessageKind::Request, &new.message).await?;
        event(
            &mut tx,
            &case.id,
            Some(&caller.actor.user_id),
            EventKind::RequestSent,
            &[Fact::term(Vocab::RequestKind, new.kind), Fact::term(Vocab::Member, to.code.as_str())],
        )
        .await?;
        append(
            &mut tx,
            &[caller.entry(AuditAction::Create, "request", Some(id.as_str()), &format!("to {}", to.code.as_str()))],
        )
        .await?;
        let request = requests::by_id(&mut *tx, &id).await?.ok_or_else(Error::not_found)?;
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
        let page = requests::page(self.pool(), &caller.actor.member_id, which, open_only, page, per_page).await?;
        self.audit(vec![caller.entry(AuditAction::List, "request", None, which.as_str())]).await?;
        Ok(page)
    }

    /// Overdue requests owed to the member (inbox) and owed by partners to it (outbox).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn overdue_counts(&self, caller: &Caller) -> Result<(i64, i64)> {
        if !caller.actor.has_casework() {
            return Ok((0, 0));
        }
        Ok(requests::overdue_counts(self.pool(), &caller.actor.member_id).await?)
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn request_detail(&self, caller: &Caller, id: &str) -> Result<RequestDetail> {
        let (mut request, party) = self.authorize_request(caller, id).await?;
        if party == Party::Sender && request.answer_unread {
            // Read by the sending side: the answer is no longer new, for anyone there.
            let mut tx = self.begin_write().await?;
            requests::mark_answer_read(&mut tx, &request.id).await?;
            kinbridge_store::notices::mark_read(&mut tx, &caller.actor.user_id, Some(&request.id)).await?;
            tx.commit().await?;
            request.answer_unread = false;
        }
        let rid = request.id.as_str().to_string();
        let messages = requests::messages(self.pool(), &request.id).await?;
        let shared_people = requests::shared_people(self.pool(), &request.id).await?;
        let documents = kinbridge_store::documents::of_request(self.pool(), &rid).await?;
        self.audit(vec![caller.entry(AuditAction::Read, "request", Some(&rid), "")]).await?;
        let actions = request.status.actions_for(party);
        let our_case = match party {
            Party::Receiver => requests::receiver_case(self.pool(), &request.id)
                .await?
                .map(|(id, reference)| LinkedCase { id, reference }),
            _ => None,
        };
        Ok(RequestDetail { request, party, messages, shared_people, documents, actions, our_case })
    }

    /// What a caseworker of the receiving member opens its own case from: refused to anyone
    /// else, and for a request declined or closed.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn request_intake(&self, caller: &Caller, id: &str) -> Result<RequestIntake> {
        let (request, party) = self.authorize_request(caller, id).await?;
        caller.actor.require(party == Party::Receiver && caller.actor.has_casework())?;
        if matches!(request.status, RequestStatus::Declined | RequestStatus::Closed) {
            return Err(DomainError::InvalidTransition { from: request.status.as_str(), action: "open_case" }.into());
        }
        let service = kinbridge_store::cases::fetch_case(self.pool(), &request.case_id)
            .await?
            .ok_or_else(Error::not_found)?
            .service;
        let people = requests::shared_people(self.pool(), &request.id).await?;
        let our_case = requests::receiver_case(self.pool(), &request.id)
            .await?
            .map(|(id, reference)| LinkedCase { id, reference });
        self.audit(vec![caller.entry(AuditAction::Read, "request", Some(request.id.as_str()), "intake")]).await?;
        Ok(RequestIntake { request, service, people, our_case })
    }

    /// A lifecycle step by the caller's side of the request.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn transition_request(&self, caller: &Caller, id: &str, t: &Transition) -> Result<Request> {
        let (request, party) = self.authorize_request(caller, id).await?;
        let mut tx = self.begin_write().await?;
        let current = requests::by_id(&mut *tx, &request.id).await?.ok_or_else(Error::not_found)?;
        let next = current.status.apply(t.action, party)?;
        let stamp = match t.action {
            RequestAction::Acknowledge => Some("acknowledged_at"),
            RequestAction::Answer => Some("answered_at"),
            RequestAction::Close | RequestAction::Withdraw => Some("closed_at"),
            _ => None,
        };
        let decline_reason = (t.action == RequestAction::Decline).then(|| t.text.clone());
        requests::set_status(&mut tx, &request.id, next, stamp, decline_reason).await?;
        if let Some(text) = &t.text {
            requests::insert_message(&mut tx, &request.id, &caller.actor, t.action.message_kind(), text).await?;
        }
        let case_id = &request.case_id;
        if matches!(t.action, RequestAction::Answer | RequestAction::Decline) {
            // The answer reaches the case: on its timeline, and to whoever answers for it.
            let mut facts =
                vec![Fact::term(Vocab::RequestKind, request.kind), Fact::term(Vocab::Member, &request.to_member_code)];
            if t.action == RequestAction::Decline {
                facts.push(Fact::term(Vocab::RequestStatus, RequestStatus::Declined));
            }
            if let Some(owner) = kinbridge_store::notices::case_owner(&mut tx, case_id).await? {
                let told = [owner];
                kinbridge_store::notices::notify(
                    &mut tx,
                    &told,
                    NoticeKind::RequestAnswered,
                    Some(case_id),
                    Some(&request.id),
                    &facts,
                )
                .await?;
            }
        }
        if t.action == RequestAction::Answer {
            requests::first_response(&mut tx, &request.case_id).await?;
            let mut facts =
                vec![Fact::term(Vocab::RequestKind, request.kind), Fact::term(Vocab::Member, &request.to_member_code)];
            facts.extend(t.text.as_deref().map(|report| Fact::text(excerpt(report))));
            event(&mut tx, case_id, Some(&caller.actor.user_id), EventKind::RequestAnswered, &facts).await?;
        } else {
            event(
                &mut tx,
                case_id,
                Some(&caller.actor.user_id),
                EventKind::RequestUpdated,
                &[
                    Fact::term(Vocab::RequestKind, request.kind),
                    Fact::term(Vocab::Member, &request.to_member_code),
                    Fact::change("status", Some(Vocab::RequestStatus), request.status.as_str(), next.as_str()),
                ],
            )
            .await?;
        }
        append(
            &mut tx,
            &[caller.entry(AuditAction::Transition, "request", Some(request.id.as_str()), t.action.as_str())],
        )
        .await?;
        let updated = requests::by_id(&mut *tx, &request.id).await?.ok_or_else(Error::not_found)?;
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
        requests::assign(&mut tx, &request.id, &colleague.id, status).await?;
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
        let updated = requests::by_id(&mut *tx, &request.id).await?.ok_or_else(Error::not_found)?;
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
        requests::insert_message(&mut tx, &request.id, &caller.actor, MessageKind::Message, &body).await?;
        requests::touch(&mut tx, &request.id).await?;
        append(&mut tx, &[caller.entry(AuditAction::Update, "request", Some(request.id.as_str()), "message")]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Request flows between countries by status, with overdue counts: metadata only.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn network_flows(&self, caller: &Caller) -> Result<Vec<Flow>> {
        caller.actor.require(caller.actor.can_see_network_flows())?;
        let flows = requests::flows(self.pool()).await?;
        self.audit(vec![caller.entry(AuditAction::List, "flows", None, "")]).await?;
        Ok(flows)
    }
}

/// The requests sent about a case, newest first.
pub(crate) async fn requests_of_case<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    e: E,
    case_id: &CaseId,
) -> Result<Vec<Request>> {
    Ok(requests::of_case(e, case_id).await?)
}

/// The start of a long text, for a timeline line (the whole text stays on the request).
fn excerpt(text: &str) -> String {
    const MAX: usize = 600;
    let text = text.trim();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The code of a member, for the words of a notification.
pub(crate) async fn case_member_code(cw: &Casework, member: &kinbridge_domain::ids::MemberId) -> Result<String> {
    Ok(cw.member(member).await?.map(|m| m.code.as_str().to_string()).unwrap_or_default())
}

impl Casework {
    /// The caller's newest notifications (unread first), and how many are unread.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn notices(&self, caller: &Caller) -> Result<(Vec<kinbridge_domain::notice::Notice>, i64)> {
        let list = kinbridge_store::notices::of_user(self.pool(), &caller.actor.user_id, 100).await?;
        let unread = kinbridge_store::notices::unread(self.pool(), &caller.actor.user_id).await?;
        self.audit(vec![caller.entry(AuditAction::List, "notice", None, &list.len().to_string())]).await?;
        Ok((list, unread))
    }

    /// How many of the caller's notifications are unread (for the page header).
    pub async fn unread_notices(&self, caller: &Caller) -> Result<i64> {
        Ok(kinbridge_store::notices::unread(self.pool(), &caller.actor.user_id).await?)
    }

    /// Marks all the caller's notifications read.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn mark_notices_read(&self, caller: &Caller) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let n = kinbridge_store::notices::mark_read(&mut tx, &caller.actor.user_id, None).await?;
        tx.commit().await?;
        Ok(n)
    }
}
