//! Notifications: what a user is told happened on their work, and the rules of who is told.

use serde::Serialize;

use crate::case::Fact;
use crate::ids::{CaseId, RequestId};
use crate::vocabulary;

vocabulary! {
    /// Why a user is notified: a partner sent the member a request; a partner answered or
    /// declined a request about one of the user's cases; a partner shared its side of a
    /// possible match with one; a case was handed to the user; a task was given to them; a
    /// task of theirs is due; a partner offers to hand a case over; a partner decided on one.
    NoticeKind {
        RequestReceived => "request_received",
        RequestAnswered => "request_answered",
        MatchShared => "match_shared",
        CaseAssigned => "case_assigned",
        TaskAssigned => "task_assigned",
        TaskDue => "task_due",
        TransferReceived => "transfer_received",
        TransferDecided => "transfer_decided",
    }
}

/// One notification as its reader sees it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Notice {
    pub id: String,
    pub kind: NoticeKind,
    pub case_id: Option<CaseId>,
    pub request_id: Option<RequestId>,
    /// The case's or the request's words, as on the timeline.
    pub facts: Vec<Fact>,
    pub created_at: String,
    pub read: bool,
}
