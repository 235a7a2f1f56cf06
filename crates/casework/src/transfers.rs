//! Handing a case over to another member when a child moves country. The sender proposes
//! (with a reason and the documents that go); the receiving member sees the child's case as
//! sent and accepts, getting its own case with the people, relationships, consents in force
//! and those documents, or declines with a reason. An accepted handover leaves the sender's
//! case `transferred`: kept to read, closed to changes. Both sides' timelines and the audit
//! trail record each step.

use kinbridge_domain::access::CaseAccess;
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::case::{CaseStatus, EventKind, Fact, NewCase, NewPerson, Vocab};
use kinbridge_domain::country::Country;
use kinbridge_domain::ids::{CaseId, MemberId, PersonId, TransferId, UserId};
use kinbridge_domain::notice::NoticeKind;
use kinbridge_domain::transfer::{NewTransfer, Transfer, TransferAction, TransferDecision, TransferSide};
use kinbridge_domain::{DomainError, ErrorCode};
use serde::Serialize;

use kinbridge_store::audit::append;
use kinbridge_store::cases::{self as case_rows, Consent, Relationship};
use kinbridge_store::transfers::{self, NewTransferRow};

use crate::cases::event;
use crate::documents::Document;
use crate::{today, Caller, Casework, Error, Result};

/// What the receiving member sees of a case it is offered: enough to decide, nothing the
/// sender did not choose to send (notes, requests and the other documents stay behind).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TransferView {
    pub transfer: Transfer,
    pub side: TransferSideName,
    pub service: kinbridge_domain::case::ServiceType,
    pub title: String,
    pub summary: String,
    pub child_views: String,
    pub people: Vec<kinbridge_domain::case::Person>,
    pub relationships: Vec<Relationship>,
    pub consents: Vec<Consent>,
    pub documents: Vec<Document>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferSideName {
    Sender,
    Receiver,
}

impl Casework {
    /// Proposes handing a case over to `new.to_member_code`. The case must be open, have no
    /// request still open and no other handover under way; the documents must be the case's own.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn propose_transfer(&self, caller: &Caller, case_id: &str, new: &NewTransfer) -> Result<Transfer> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        if case.status != CaseStatus::Open {
            return Err(DomainError::InvalidTransition { from: case.status.as_str(), action: "transfer" }.into());
        }
        let to = self.partner_of(&new.to_member_code, &case).await?;
        let docs = kinbridge_store::documents::of_case(self.pool(), &case.id).await?;
        if new.documents.iter().any(|d| !docs.iter().any(|x| &x.id == d)) {
            return Err(DomainError::field("documents", ErrorCode::UnknownDocument).into());
        }
        let mut tx = self.begin_write().await?;
        if case_rows::open_requests(&mut tx, &case.id).await? > 0 {
            return Err(DomainError::field("to_member", ErrorCode::OpenRequestsTransfer).into());
        }
        let id = TransferId::generate();
        let row = NewTransferRow {
            id: &id,
            case: &case.id,
            from: &case.member_id,
            to: &to.id,
            reason: &new.reason,
            documents: &new.documents,
            by: &caller.actor.user_id,
        };
        transfers::insert(&mut tx, &row).await.map_err(|e| crate::taken(e, ErrorCode::TransferPending))?;
        let from_code = crate::requests::case_member_code(self, &case.member_id).await?;
        event(
            &mut tx,
            &case.id,
            Some(&caller.actor.user_id),
            EventKind::TransferProposed,
            &[Fact::term(Vocab::Member, to.code.as_str()), Fact::text(&new.reason)],
        )
        .await?;
        // The receiving member's caseworkers and supervisors hear of it (who decides is theirs).
        let told = kinbridge_store::notices::casework_users(&mut tx, &to.id).await?;
        let facts = [Fact::term(Vocab::Member, &from_code), Fact::term(Vocab::Service, case.service)];
        kinbridge_store::notices::notify(&mut tx, &told, NoticeKind::TransferReceived, None, None, &facts).await?;
        append(
            &mut tx,
            &[caller.entry(
                AuditAction::Create,
                "transfer",
                Some(id.as_str()),
                &format!("case {} to {}", case.id, to.code.as_str()),
            )],
        )
        .await?;
        let t = transfers::by_id(&mut *tx, &id).await?.ok_or_else(Error::not_found)?;
        tx.commit().await?;
        Ok(t)
    }

    /// A handover the caller is a side of: the sender with read access to the case, or a
    /// caseworker or supervisor of the receiving member. Anyone else is told it does not exist,
    /// and the attempt is audited.
    async fn authorize_transfer(&self, caller: &Caller, id: &str) -> Result<(Transfer, TransferSide)> {
        let found = match TransferId::parse(id) {
            Some(tid) => transfers::by_id(self.pool(), &tid).await?,
            None => None,
        };
        let side = found.as_ref().and_then(|t| {
            if caller.actor.member_id == t.from_member_id
                && caller.actor.case_access(&t.from_member_id) >= CaseAccess::Read
            {
                Some(TransferSide::Sender)
            } else if caller.actor.member_id == t.to_member_id && caller.actor.has_casework() {
                Some(TransferSide::Receiver)
            } else {
                None
            }
        });
        match (found, side) {
            (Some(t), Some(side)) => Ok((t, side)),
            _ => Err(self.denied(caller, "transfer", id).await),
        }
    }

    /// One handover with what was sent, audited as a read of the case it carries.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn transfer(&self, caller: &Caller, id: &str) -> Result<TransferView> {
        let (t, side) = self.authorize_transfer(caller, id).await?;
        let case = case_rows::fetch_case(self.pool(), &t.case_id).await?.ok_or_else(Error::not_found)?;
        let people = case_rows::people_of(self.pool(), &t.case_id).await?;
        let relationships = case_rows::relationships_of(self.pool(), &t.case_id).await?;
        let consents = case_rows::consents_of(self.pool(), &t.case_id)
            .await?
            .into_iter()
            .filter(|c| c.withdrawn_on.is_none())
            .collect();
        let documents = kinbridge_store::documents::of_case(self.pool(), &t.case_id)
            .await?
            .into_iter()
            .filter(|d| t.documents.contains(&d.id))
            .collect();
        self.audit(vec![caller.entry(
            AuditAction::Read,
            "transfer",
            Some(t.id.as_str()),
            &format!("case {}", t.case_id),
        )])
        .await?;
        Ok(TransferView {
            side: match side {
                TransferSide::Sender => TransferSideName::Sender,
                TransferSide::Receiver => TransferSideName::Receiver,
            },
            service: case.service,
            title: case.title,
            summary: case.summary,
            child_views: case.child_views,
            people,
            relationships,
            consents,
            documents,
            transfer: t,
        })
    }

    /// The caller's member's handovers, both ways, waiting ones first.
    pub async fn transfers(&self, caller: &Caller) -> Result<Vec<Transfer>> {
        caller.actor.require(caller.actor.has_casework())?;
        let list = kinbridge_store::transfers::of_member(self.pool(), &caller.actor.member_id, 200).await?;
        self.audit(vec![caller.entry(AuditAction::List, "transfer", None, &format!("{} shown", list.len()))]).await?;
        Ok(list)
    }

    /// Accepts, declines or withdraws a proposed handover. Accepting opens the receiver's case
    /// in the same transaction as it closes the sender's, so a failure leaves both as they were.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn decide_transfer(&self, caller: &Caller, id: &str, d: &TransferDecision) -> Result<Transfer> {
        let (t, side) = self.authorize_transfer(caller, id).await?;
        if side == TransferSide::Sender {
            // Withdrawing is a change to the case: the sender needs write access to it.
            self.authorize_case(caller, t.case_id.as_str(), CaseAccess::Write).await?;
        }
        let next = t.status.apply(d.action, side)?;
        let mut tx = self.begin_write().await?;
        let by = &caller.actor.user_id;
        let new_case = match d.action {
            TransferAction::Accept => Some(self.receive_case(&mut tx, &t, by).await?),
            _ => None,
        };
        if !transfers::decide(&mut tx, &t.id, next, by, d.reason.as_deref(), new_case.as_ref().map(|(id, _)| id))
            .await?
        {
            return Err(DomainError::field("action", ErrorCode::AlreadyDecided).into());
        }
        let (kind, facts) = match (d.action, &new_case) {
            (TransferAction::Accept, Some((_, reference))) => {
                (EventKind::TransferredOut, vec![Fact::term(Vocab::Member, &t.to_member_code), Fact::text(reference)])
            }
            (TransferAction::Decline, _) => (
                EventKind::TransferDeclined,
                vec![Fact::term(Vocab::Member, &t.to_member_code), Fact::text(d.reason.clone().unwrap_or_default())],
            ),
            _ => (
                EventKind::TransferWithdrawn,
                vec![Fact::term(Vocab::Member, &t.to_member_code), Fact::text(d.reason.clone().unwrap_or_default())],
            ),
        };
        event(&mut tx, &t.case_id, Some(by), kind, &facts).await?;
        if d.action == TransferAction::Accept {
            case_rows::set_status(&mut tx, &t.case_id, CaseStatus::Transferred, None, None, None).await?;
        }
        if side == TransferSide::Receiver {
            // Whoever answers for the case at the sender hears of the decision.
            if let Some(owner) = kinbridge_store::notices::case_owner(&mut tx, &t.case_id).await? {
                let facts = [Fact::term(Vocab::Member, &t.to_member_code), Fact::term(Vocab::TransferStatus, next)];
                kinbridge_store::notices::notify(
                    &mut tx,
                    &[owner],
                    NoticeKind::TransferDecided,
                    Some(&t.case_id),
                    None,
                    &facts,
                )
                .await?;
            }
        }
        let detail = match &new_case {
            Some((id, _)) => format!("{}; new case {id}", d.action.as_str()),
            None => d.action.as_str().to_string(),
        };
        let mut entries = vec![caller.entry(AuditAction::Transition, "transfer", Some(t.id.as_str()), &detail)];
        if let Some((id, reference)) = &new_case {
            entries.push(caller.entry(
                AuditAction::Create,
                "case",
                Some(id.as_str()),
                &format!("{reference}; transferred from case {}", t.case_id),
            ));
        }
        append(&mut tx, &entries).await?;
        let updated = transfers::by_id(&mut *tx, &t.id).await?.ok_or_else(Error::not_found)?;
        tx.commit().await?;
        self.store.wake_jobs();
        Ok(updated)
    }

    /// Opens the receiver's case from the sender's, inside `tx`: its people (with their
    /// relationships), the consents in force and the chosen documents. Returns its id and
    /// reference.
    async fn receive_case(&self, tx: &mut crate::Tx, t: &Transfer, by: &UserId) -> Result<(CaseId, String)> {
        let from = case_rows::fetch_case(&mut **tx, &t.case_id).await?.ok_or_else(Error::not_found)?;
        if from.status != CaseStatus::Open {
            return Err(DomainError::InvalidTransition { from: from.status.as_str(), action: "transfer" }.into());
        }
        let opened = today();
        let to: &MemberId = &t.to_member_id;
        let reference = case_rows::next_reference(tx, to, opened).await?;
        let id = CaseId::generate();
        let new = NewCase {
            service: from.service,
            title: from.title.clone(),
            summary: from.summary.clone(),
            child_views: from.child_views.clone(),
            partner_country: from.partner_country.as_deref().and_then(Country::parse),
        };
        case_rows::insert(tx, &id, to, &reference, &new, by, opened).await?;
        event(
            tx,
            &id,
            Some(by),
            EventKind::TransferredIn,
            &[Fact::term(Vocab::Member, &t.from_member_code), Fact::text(&t.case_reference), Fact::text(&t.reason)],
        )
        .await?;
        let mut ids: Vec<(PersonId, PersonId)> = Vec::new();
        for p in case_rows::people_of(&mut **tx, &t.case_id).await? {
            let person = NewPerson::copy_of(&p);
            let new_id = crate::cases::insert_person(tx, &id, &person).await?;
            event(
                tx,
                &id,
                Some(by),
                EventKind::PersonAdded,
                &[Fact::term(Vocab::PersonRole, p.role), Fact::text(p.full_name())],
            )
            .await?;
            ids.push((p.id, new_id));
        }
        let new_id_of = |old: &PersonId| ids.iter().find(|(o, _)| o == old).map(|(_, n)| n.clone());
        for r in case_rows::relationships_of(&mut **tx, &t.case_id).await? {
            if let (Some(a), Some(b)) = (new_id_of(&r.from_person_id), new_id_of(&r.to_person_id)) {
                case_rows::insert_relationship(tx, &id, a.as_str(), b.as_str(), r.kind).await?;
            }
        }
        for scope in transfers::copy_consents(tx, &t.case_id, &id, by).await? {
            event(tx, &id, Some(by), EventKind::ConsentRecorded, &[Fact::term(Vocab::Consent, scope)]).await?;
        }
        for name in transfers::copy_documents(tx, &t.case_id, &t.documents, &id, to, by).await? {
            event(tx, &id, Some(by), EventKind::DocumentUploaded, &[Fact::text(name)]).await?;
        }
        crate::cases::refresh_search_text(tx, &id).await?;
        kinbridge_store::jobs::enqueue(tx, crate::jobs::MATCH_CASE, id.as_str()).await?;
        Ok((id, reference))
    }
}
