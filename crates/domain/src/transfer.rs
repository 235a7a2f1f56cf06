//! Handing a case over to another member, when a child moves country: the sender proposes,
//! the receiving member accepts (and gets its own case with the people, consents and chosen
//! documents) or declines with a reason; the sender keeps the old case to read.

use serde::Serialize;

use crate::error::{invalid, DomainError, ErrorCode, FieldError};
use crate::ids::{CaseId, DocumentId, MemberId, TransferId};
use crate::member::MemberCode;
use crate::{text, vocabulary};

vocabulary! {
    TransferStatus {
        Proposed => "proposed",
        Accepted => "accepted",
        Declined => "declined",
        Withdrawn => "withdrawn",
    }
}

vocabulary! {
    /// A step on a proposed transfer: the receiver accepts or declines, the sender withdraws.
    TransferAction {
        Accept => "accept",
        Decline => "decline",
        Withdraw => "withdraw",
    }
}

/// The longest reason for a handover or a refusal.
pub const REASON_MAX: usize = 5_000;

/// The most documents one handover carries.
pub const DOCUMENTS_MAX: usize = 200;

/// A proposed handover, parsed.
#[derive(Debug, Clone)]
pub struct NewTransfer {
    pub to_member_code: String,
    pub reason: String,
    pub documents: Vec<DocumentId>,
}

impl NewTransfer {
    pub fn parse<S: AsRef<str>>(to_member: &str, reason: &str, documents: &[S]) -> Result<Self, DomainError> {
        let to = MemberCode::parse(to_member)
            .map(|c| c.as_str().to_string())
            .map_err(|_| FieldError::new("to_member", ErrorCode::UnknownMember));
        let reason = text::required("reason", reason, REASON_MAX);
        let docs = if documents.len() > DOCUMENTS_MAX {
            Err(FieldError::new("documents", ErrorCode::TooLarge))
        } else {
            documents
                .iter()
                .map(|d| {
                    DocumentId::parse(d.as_ref().trim()).ok_or(FieldError::new("documents", ErrorCode::UnknownDocument))
                })
                .collect::<Result<Vec<_>, _>>()
        };
        match (to, reason, docs) {
            (Ok(to_member_code), Ok(reason), Ok(mut documents)) => {
                documents.sort();
                documents.dedup();
                Ok(Self { to_member_code, reason, documents })
            }
            (a, b, c) => Err(invalid([a.err(), b.err(), c.err()])),
        }
    }
}

/// A decision on a proposed handover, parsed: a refusal or a withdrawal needs its reason.
#[derive(Debug, Clone)]
pub struct TransferDecision {
    pub action: TransferAction,
    pub reason: Option<String>,
}

impl TransferDecision {
    pub fn parse(action: &str, reason: Option<&str>) -> Result<Self, DomainError> {
        let action =
            TransferAction::parse(action.trim()).ok_or(DomainError::field("action", ErrorCode::InvalidChoice))?;
        let reason = match action {
            TransferAction::Accept => None,
            TransferAction::Decline | TransferAction::Withdraw => Some(
                text::required("reason", reason.unwrap_or(""), REASON_MAX)
                    .map_err(|e| DomainError::Invalid(vec![e]))?,
            ),
        };
        Ok(Self { action, reason })
    }
}

/// Which side of a handover a caller is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferSide {
    Sender,
    Receiver,
}

impl TransferStatus {
    /// The status after `action` by `side`, or why not: only a proposed handover is decided,
    /// the receiver decides it and the sender may take it back.
    pub fn apply(self, action: TransferAction, side: TransferSide) -> Result<Self, DomainError> {
        let required = match action {
            TransferAction::Accept | TransferAction::Decline => TransferSide::Receiver,
            TransferAction::Withdraw => TransferSide::Sender,
        };
        if side != required {
            return Err(DomainError::Forbidden);
        }
        match (self, action) {
            (Self::Proposed, TransferAction::Accept) => Ok(Self::Accepted),
            (Self::Proposed, TransferAction::Decline) => Ok(Self::Declined),
            (Self::Proposed, TransferAction::Withdraw) => Ok(Self::Withdrawn),
            _ => Err(DomainError::InvalidTransition { from: self.as_str(), action: action.as_str() }),
        }
    }
}

/// A handover as either side sees it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Transfer {
    pub id: TransferId,
    pub case_id: CaseId,
    pub case_reference: String,
    pub from_member_id: MemberId,
    pub from_member_code: String,
    pub to_member_id: MemberId,
    pub to_member_code: String,
    pub status: TransferStatus,
    pub reason: String,
    pub documents: Vec<DocumentId>,
    pub proposed_by_name: String,
    pub proposed_at: String,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<String>,
    pub decline_reason: Option<String>,
    /// The receiver's case, once accepted.
    pub new_case_id: Option<CaseId>,
    pub new_case_reference: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_proposed_handover_is_decided_and_by_the_right_side() {
        use TransferAction as A;
        use TransferSide as S;
        assert_eq!(TransferStatus::Proposed.apply(A::Accept, S::Receiver), Ok(TransferStatus::Accepted));
        assert_eq!(TransferStatus::Proposed.apply(A::Accept, S::Sender), Err(DomainError::Forbidden));
        assert_eq!(TransferStatus::Proposed.apply(A::Withdraw, S::Receiver), Err(DomainError::Forbidden));
        assert!(matches!(
            TransferStatus::Declined.apply(A::Accept, S::Receiver),
            Err(DomainError::InvalidTransition { .. })
        ));
        assert!(TransferStatus::Accepted.apply(A::Withdraw, S::Sender).is_err());
    }

    #[test]
    fn a_proposal_needs_a_member_a_reason_and_known_looking_documents() {
        let e = NewTransfer::parse("", "  ", &["nope"]).unwrap_err();
        let DomainError::Invalid(fields) = e else { panic!() };
        let names: Vec<_> = fields.iter().map(|f| f.field).collect();
        assert_eq!(names, ["to_member", "reason", "documents"]);
        let id = DocumentId::generate();
        let t = NewTransfer::parse("KE", "moves to Nairobi", &[id.as_str(), id.as_str()]).unwrap();
        assert_eq!(t.documents.len(), 1);
        assert!(TransferDecision::parse("decline", Some(" ")).is_err());
        assert!(TransferDecision::parse("accept", None).unwrap().reason.is_none());
        assert!(TransferDecision::parse("bogus", None).is_err());
    }
}
