//! Assessments on a case: started and written by the case's caseworkers, submitted when every
//! required part is there, and signed off or sent back (with a reason) by a supervisor who did
//! not write them. A save made on an older copy is refused.

use std::collections::BTreeMap;

use kinbridge_domain::access::CaseAccess;
use kinbridge_domain::assessment::{form, Answers, AssessmentKind, AssessmentStatus};
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::case::{CaseStatus, EventKind, Fact, Vocab};
use kinbridge_domain::{DomainError, ErrorCode};
use kinbridge_store::assessments;
pub use kinbridge_store::assessments::Assessment;
use kinbridge_store::audit::append;

use crate::cases::event;
use crate::{Caller, Casework, Error, Result};

impl Casework {
    async fn assessment_of(
        &self,
        caller: &Caller,
        case_id: &str,
        id: &str,
    ) -> Result<(kinbridge_domain::case::Case, Assessment)> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        if case.status == CaseStatus::Closed {
            return Err(DomainError::InvalidTransition { from: "closed", action: "update" }.into());
        }
        let a = assessments::one(self.pool(), &case.id, id)
            .await?
            .ok_or(DomainError::field("assessment", ErrorCode::UnknownAssessment))?;
        Ok((case, a))
    }

    /// Starts an assessment of a kind on the network's current form, with what is written so far.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn start_assessment(
        &self,
        caller: &Caller,
        case_id: &str,
        kind: AssessmentKind,
        parts: &BTreeMap<String, String>,
        risk: Option<&str>,
    ) -> Result<Assessment> {
        let answers = Answers::parse(kind, parts, risk)?;
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        if case.status == CaseStatus::Closed {
            return Err(DomainError::InvalidTransition { from: "closed", action: "update" }.into());
        }
        let (version, _) = form(kind);
        let mut tx = self.begin_write().await?;
        let id = assessments::insert(&mut tx, &case.id, kind, version, &answers, &caller.actor.user_id).await?;
        let facts = [Fact::term(Vocab::AssessmentKind, kind)];
        event(&mut tx, &case.id, Some(&caller.actor.user_id), EventKind::AssessmentStarted, &facts).await?;
        append(&mut tx, &[caller.entry(AuditAction::Create, "assessment", Some(&id), kind.as_str())]).await?;
        let a = assessments::one(&mut *tx, &case.id, &id).await?.ok_or_else(Error::not_found)?;
        tx.commit().await?;
        Ok(a)
    }

    /// Saves the answers of a draft; `expected_version` is the version they were written on.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn save_assessment(
        &self,
        caller: &Caller,
        case_id: &str,
        id: &str,
        parts: &BTreeMap<String, String>,
        risk: Option<&str>,
        expected_version: Option<i64>,
    ) -> Result<Assessment> {
        let expected = expected_version.ok_or(DomainError::field("version", ErrorCode::Required))?;
        let (case, a) = self.assessment_of(caller, case_id, id).await?;
        if a.status != AssessmentStatus::Draft {
            return Err(DomainError::InvalidTransition { from: a.status.as_str(), action: "update" }.into());
        }
        let answers = Answers::parse(a.kind, parts, risk)?;
        let mut tx = self.begin_write().await?;
        if !assessments::update_answers(&mut tx, id, &answers, expected).await? {
            return Err(Error::Conflict(ErrorCode::StaleVersion));
        }
        append(&mut tx, &[caller.entry(AuditAction::Update, "assessment", Some(id), "answers")]).await?;
        let a = assessments::one(&mut *tx, &case.id, id).await?.ok_or_else(Error::not_found)?;
        tx.commit().await?;
        Ok(a)
    }

    /// Submits a draft for sign-off once every required part is written.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn submit_assessment(&self, caller: &Caller, case_id: &str, id: &str) -> Result<Assessment> {
        let (case, a) = self.assessment_of(caller, case_id, id).await?;
        let missing = a.answers.missing(a.kind);
        if !missing.is_empty() {
            return Err(DomainError::Invalid(missing).into());
        }
        self.move_assessment(
            caller,
            &case.id,
            &a,
            AssessmentStatus::Draft,
            AssessmentStatus::Submitted,
            EventKind::AssessmentSubmitted,
            None,
        )
        .await
    }

    /// Signs off a submitted assessment (a supervisor who did not write it).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn sign_off_assessment(&self, caller: &Caller, case_id: &str, id: &str) -> Result<Assessment> {
        let (case, a) = self.assessment_of(caller, case_id, id).await?;
        caller.actor.require(caller.actor.can_supervise())?;
        if a.author_id == caller.actor.user_id {
            return Err(DomainError::field("assessment", ErrorCode::OwnAssessment).into());
        }
        self.move_assessment(
            caller,
            &case.id,
            &a,
            AssessmentStatus::Submitted,
            AssessmentStatus::SignedOff,
            EventKind::AssessmentSignedOff,
            None,
        )
        .await
    }

    /// Sends a submitted assessment back to its writers, saying why.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn return_assessment(
        &self,
        caller: &Caller,
        case_id: &str,
        id: &str,
        reason: &str,
    ) -> Result<Assessment> {
        let reason =
            kinbridge_domain::text::required("reason", reason, 2000).map_err(|e| DomainError::Invalid(vec![e]))?;
        let (case, a) = self.assessment_of(caller, case_id, id).await?;
        caller.actor.require(caller.actor.can_supervise())?;
        self.move_assessment(
            caller,
            &case.id,
            &a,
            AssessmentStatus::Submitted,
            AssessmentStatus::Draft,
            EventKind::AssessmentReturned,
            Some(&reason),
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn move_assessment(
        &self,
        caller: &Caller,
        case: &kinbridge_domain::ids::CaseId,
        a: &Assessment,
        from: AssessmentStatus,
        to: AssessmentStatus,
        kind: EventKind,
        reason: Option<&str>,
    ) -> Result<Assessment> {
        if a.status != from {
            return Err(DomainError::InvalidTransition { from: a.status.as_str(), action: to.as_str() }.into());
        }
        let mut tx = self.begin_write().await?;
        let signer = (to == AssessmentStatus::SignedOff).then_some(&caller.actor.user_id);
        if !assessments::set_status(&mut tx, &a.id, from, to, signer).await? {
            return Err(Error::Conflict(ErrorCode::StaleVersion));
        }
        let mut facts = vec![Fact::term(Vocab::AssessmentKind, a.kind)];
        if to == AssessmentStatus::SignedOff {
            facts.extend(a.answers.risk.map(|r| Fact::term(Vocab::RiskLevel, r)));
        }
        facts.extend(reason.map(Fact::text));
        event(&mut tx, case, Some(&caller.actor.user_id), kind, &facts).await?;
        append(&mut tx, &[caller.entry(AuditAction::Transition, "assessment", Some(&a.id), to.as_str())]).await?;
        let out = assessments::one(&mut *tx, case, &a.id).await?.ok_or_else(Error::not_found)?;
        tx.commit().await?;
        Ok(out)
    }
}
