//! Requests between members: what one member asks of a partner abroad about a case, and
//! the lifecycle sent → acknowledged → accepted/declined → in progress → answered → closed.

use crate::ErrorCode;
use chrono::NaiveDate;
use serde::Serialize;

use crate::access::Party;
use crate::error::{invalid, DomainError, FieldError};
use crate::ids::{CaseId, MemberId, RequestId, UserId};
use crate::{text, vocabulary};

vocabulary! {
    RequestKind {
        HomeStudy => "home_study",
        SocialReport => "social_report",
        Tracing => "tracing",
        FamilyAssessment => "family_assessment",
        PostAdoptionReport => "post_adoption_report",
        MediationContact => "mediation_contact",
        DocumentVerification => "document_verification",
        FollowUp => "follow_up",
    }
}

vocabulary! {
    RequestStatus {
        Sent => "sent",
        Acknowledged => "acknowledged",
        Accepted => "accepted",
        Declined => "declined",
        InProgress => "in_progress",
        Answered => "answered",
        Closed => "closed",
    }
}

vocabulary! {
    RequestAction {
        Acknowledge => "acknowledge",
        Accept => "accept",
        Decline => "decline",
        Start => "start",
        Answer => "answer",
        Close => "close",
        Withdraw => "withdraw",
    }
}

vocabulary! {
    /// What a message on a request is: the request itself, the partner's report, the reason
    /// for a decline or a withdrawal, or a message between the two sides.
    MessageKind {
        Request => "request",
        Report => "report",
        Decline => "decline",
        Withdraw => "withdraw",
        Message => "message",
    }
}

impl RequestAction {
    /// The kind of message the text that goes with this step is kept as.
    pub fn message_kind(self) -> MessageKind {
        match self {
            Self::Answer => MessageKind::Report,
            Self::Decline => MessageKind::Decline,
            Self::Withdraw => MessageKind::Withdraw,
            _ => MessageKind::Message,
        }
    }
}

impl RequestStatus {
    /// The partner still owes work: these are the states in which a request can be overdue.
    pub fn awaits_partner(self) -> bool {
        matches!(self, Self::Sent | Self::Acknowledged | Self::Accepted | Self::InProgress)
    }

    /// The next status after `action` by `party`, or why not. Each step belongs to one side:
    /// the partner (receiver) works the request, the sender closes or withdraws it.
    pub fn apply(self, action: RequestAction, party: Party) -> Result<Self, DomainError> {
        use RequestAction as A;
        use RequestStatus as S;
        let required = match action {
            A::Acknowledge | A::Accept | A::Decline | A::Start | A::Answer => Party::Receiver,
            A::Close | A::Withdraw => Party::Sender,
        };
        if party != required {
            return Err(DomainError::Forbidden);
        }
        let next = match (self, action) {
            (S::Sent, A::Acknowledge) => S::Acknowledged,
            (S::Sent | S::Acknowledged, A::Accept) => S::Accepted,
            (S::Sent | S::Acknowledged, A::Decline) => S::Declined,
            (S::Accepted, A::Start) => S::InProgress,
            (S::Accepted | S::InProgress, A::Answer) => S::Answered,
            (S::Answered | S::Declined, A::Close) => S::Closed,
            (S::Sent | S::Acknowledged | S::Accepted | S::InProgress, A::Withdraw) => S::Closed,
            _ => return Err(DomainError::InvalidTransition { from: self.as_str(), action: action.as_str() }),
        };
        Ok(next)
    }

    /// What `party` can do next, for the buttons on a page.
    pub fn actions_for(self, party: Party) -> Vec<RequestAction> {
        RequestAction::ALL.iter().copied().filter(|a| self.apply(*a, party).is_ok()).collect()
    }
}

pub fn is_overdue(status: RequestStatus, due_on: NaiveDate, today: NaiveDate) -> bool {
    status.awaits_partner() && due_on < today
}

/// A request as either side sees it. Personal content of the case stays with the sender;
/// what the partner sees is this, its messages, and what was shared with it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Request {
    pub id: RequestId,
    pub case_id: CaseId,
    pub case_reference: String,
    pub from_member_id: MemberId,
    pub from_member_code: String,
    pub from_country: String,
    pub to_member_id: MemberId,
    pub to_member_code: String,
    pub to_country: String,
    pub kind: RequestKind,
    pub status: RequestStatus,
    pub subject: String,
    pub due_on: NaiveDate,
    pub assignee_id: Option<UserId>,
    pub assignee_name: Option<String>,
    pub decline_reason: Option<String>,
    pub sent_at: String,
    pub updated_at: String,
    pub overdue: bool,
    /// Answered, and nobody on the sending side has read the answer yet.
    pub answer_unread: bool,
}

/// A new request, parsed.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub to_member_code: String,
    pub kind: RequestKind,
    pub subject: String,
    pub message: String,
    pub due_on: NaiveDate,
}

impl NewRequest {
    pub fn parse(
        to_member: &str,
        kind: &str,
        subject: &str,
        message: &str,
        due_on: &str,
        today: NaiveDate,
    ) -> Result<Self, DomainError> {
        let to = crate::member::MemberCode::parse(to_member)
            .map(|c| c.as_str().to_string())
            .map_err(|_| FieldError::new("to_member", ErrorCode::UnknownMember));
        let kind = RequestKind::parse(kind.trim()).ok_or(FieldError::new("kind", ErrorCode::InvalidChoice));
        let due = text::date("due_on", due_on).and_then(|d| {
            if d < today {
                Err(FieldError::new("due_on", ErrorCode::DateInPast))
            } else {
                Ok(d)
            }
        });
        match (to, kind, text::required("subject", subject, 200), text::required("message", message, 20_000), due) {
            (Ok(to_member_code), Ok(kind), Ok(subject), Ok(message), Ok(due_on)) => {
                Ok(Self { to_member_code, kind, subject, message, due_on })
            }
            (a, b, c, d, e) => Err(invalid([a.err(), b.err(), c.err(), d.err(), e.err()])),
        }
    }
}

/// A lifecycle step with what it carries: a decline or withdrawal needs a reason, an answer
/// needs its report.
#[derive(Debug, Clone)]
pub struct Transition {
    pub action: RequestAction,
    pub text: Option<String>,
}

impl Transition {
    pub fn parse(action: &str, text_in: Option<&str>) -> Result<Self, DomainError> {
        let action =
            RequestAction::parse(action.trim()).ok_or(DomainError::field("action", ErrorCode::InvalidChoice))?;
        let needs_text = match action {
            RequestAction::Decline | RequestAction::Withdraw => Some("reason"),
            RequestAction::Answer => Some("report"),
            _ => None,
        };
        let text = match needs_text {
            Some(field) => {
                Some(text::required(field, text_in.unwrap_or(""), 50_000).map_err(|e| DomainError::Invalid(vec![e]))?)
            }
            None => text_in
                .map(|t| text::optional("message", t, 50_000))
                .transpose()
                .map_err(|e| DomainError::Invalid(vec![e]))?
                .filter(|t| !t.is_empty()),
        };
        Ok(Self { action, text })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestAction as A;
    use RequestStatus as S;

    #[test]
    fn the_full_lifecycle() {
        let s = S::Sent.apply(A::Acknowledge, Party::Receiver).unwrap();
        let s = s.apply(A::Accept, Party::Receiver).unwrap();
        let s = s.apply(A::Start, Party::Receiver).unwrap();
        let s = s.apply(A::Answer, Party::Receiver).unwrap();
        assert_eq!(s, S::Answered);
        assert_eq!(s.apply(A::Close, Party::Sender).unwrap(), S::Closed);
    }

    #[test]
    fn each_step_belongs_to_one_side() {
        assert_eq!(S::Sent.apply(A::Accept, Party::Sender), Err(DomainError::Forbidden));
        assert_eq!(S::Answered.apply(A::Close, Party::Receiver), Err(DomainError::Forbidden));
        assert_eq!(S::Sent.apply(A::Accept, Party::Observer), Err(DomainError::Forbidden));
    }

    #[test]
    fn invalid_transitions_are_errors() {
        assert!(matches!(S::Closed.apply(A::Accept, Party::Receiver), Err(DomainError::InvalidTransition { .. })));
        assert!(matches!(S::Sent.apply(A::Answer, Party::Receiver), Err(DomainError::InvalidTransition { .. })));
        assert!(matches!(S::Declined.apply(A::Withdraw, Party::Sender), Err(DomainError::InvalidTransition { .. })));
    }

    #[test]
    fn overdue_only_while_the_partner_owes_work() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let past = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert!(is_overdue(S::InProgress, past, today));
        assert!(!is_overdue(S::Answered, past, today));
        assert!(!is_overdue(S::Sent, today, today));
    }

    #[test]
    fn decline_needs_a_reason() {
        assert!(Transition::parse("decline", Some("  ")).is_err());
        assert!(Transition::parse("decline", Some("no capacity")).is_ok());
        assert!(Transition::parse("answer", None).is_err());
        assert!(Transition::parse("explode", None).is_err());
    }

    #[test]
    fn available_actions() {
        assert_eq!(S::Sent.actions_for(Party::Receiver), vec![A::Acknowledge, A::Accept, A::Decline]);
        assert_eq!(S::Answered.actions_for(Party::Sender), vec![A::Close]);
        assert!(S::Closed.actions_for(Party::Sender).is_empty());
    }
}
