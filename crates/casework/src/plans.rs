//! Case plans: goals, tasks with owners and due dates, reviews; a caseworker's tasks across
//! cases; and the reminders of tasks falling due. Scoped to the case's member and audited.

use kinbridge_domain::access::CaseAccess;
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::case::{CaseStatus, EventKind, Fact, Vocab};
use kinbridge_domain::notice::NoticeKind;
use kinbridge_domain::plan::{GoalStatus, NewReview, NewTask, Task};
use kinbridge_domain::{DomainError, ErrorCode};
use kinbridge_store::audit::append;
use kinbridge_store::plans::{self, DueTask};

use crate::cases::event;
use crate::{today, Caller, Casework, Result};

pub use kinbridge_domain::plan::{Goal, Review};

/// A case's plan as its page shows it.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct CasePlan {
    pub goals: Vec<Goal>,
    pub tasks: Vec<Task>,
    pub reviews: Vec<Review>,
}

impl Casework {
    /// The case, open, for a change to its plan.
    async fn plan_case(&self, caller: &Caller, case_id: &str) -> Result<kinbridge_domain::case::Case> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Write).await?;
        if case.status == CaseStatus::Closed {
            return Err(DomainError::InvalidTransition { from: "closed", action: "update" }.into());
        }
        Ok(case)
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn add_goal(&self, caller: &Caller, case_id: &str, text: &str) -> Result<String> {
        let text = kinbridge_domain::plan::goal_text(text)?;
        let case = self.plan_case(caller, case_id).await?;
        let mut tx = self.begin_write().await?;
        let id = plans::insert_goal(&mut tx, &case.id, &text, &caller.actor.user_id).await?;
        event(&mut tx, &case.id, Some(&caller.actor.user_id), EventKind::GoalAdded, &[Fact::text(&text)]).await?;
        append(&mut tx, &[caller.entry(AuditAction::Create, "goal", Some(&id), case.id.as_str())]).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Marks a goal achieved or dropped (or open again).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn set_goal_status(
        &self,
        caller: &Caller,
        case_id: &str,
        goal_id: &str,
        status: GoalStatus,
    ) -> Result<()> {
        let case = self.plan_case(caller, case_id).await?;
        let mut tx = self.begin_write().await?;
        let text = plans::set_goal_status(&mut tx, &case.id, goal_id, status)
            .await?
            .ok_or(DomainError::field("goal", ErrorCode::UnknownGoal))?;
        let facts = [Fact::text(&text), Fact::term(Vocab::GoalStatus, status)];
        event(&mut tx, &case.id, Some(&caller.actor.user_id), EventKind::GoalUpdated, &facts).await?;
        append(&mut tx, &[caller.entry(AuditAction::Update, "goal", Some(goal_id), status.as_str())]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Plans a task: its owner is a caseworker or supervisor of the case's member (the caller
    /// when none is named), told of it if it is someone else.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn add_task(&self, caller: &Caller, case_id: &str, t: &NewTask) -> Result<String> {
        let case = self.plan_case(caller, case_id).await?;
        let owner_id = t.owner.clone().unwrap_or_else(|| caller.actor.user_id.clone());
        let owner = self
            .colleagues(&case.member_id)
            .await?
            .iter()
            .find(|u| u.id == owner_id && u.actor().has_casework())
            .cloned()
            .ok_or(DomainError::field("owner", ErrorCode::UnknownUser))?;
        let mut tx = self.begin_write().await?;
        if let Some(goal) = &t.goal_id {
            if !plans::goal_exists(&mut tx, &case.id, goal).await? {
                return Err(DomainError::field("goal", ErrorCode::UnknownGoal).into());
            }
        }
        let id = plans::insert_task(&mut tx, &case.id, t, &owner.id, &caller.actor.user_id).await?;
        let facts = [Fact::text(&t.title), Fact::text(&owner.display_name), Fact::term(Vocab::Date, t.due_on)];
        event(&mut tx, &case.id, Some(&caller.actor.user_id), EventKind::TaskAdded, &facts).await?;
        if owner.id != caller.actor.user_id {
            let told = [owner.id.clone()];
            let facts = [Fact::text(&case.reference), Fact::text(&t.title), Fact::term(Vocab::Date, t.due_on)];
            kinbridge_store::notices::notify(&mut tx, &told, NoticeKind::TaskAssigned, Some(&case.id), None, &facts)
                .await?;
        }
        append(&mut tx, &[caller.entry(AuditAction::Create, "task", Some(&id), case.id.as_str())]).await?;
        tx.commit().await?;
        Ok(id)
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn complete_task(&self, caller: &Caller, case_id: &str, task_id: &str) -> Result<()> {
        let case = self.plan_case(caller, case_id).await?;
        let mut tx = self.begin_write().await?;
        let title = plans::complete_task(&mut tx, &case.id, task_id, &caller.actor.user_id)
            .await?
            .ok_or(DomainError::field("task", ErrorCode::UnknownTask))?;
        event(&mut tx, &case.id, Some(&caller.actor.user_id), EventKind::TaskDone, &[Fact::text(&title)]).await?;
        append(&mut tx, &[caller.entry(AuditAction::Update, "task", Some(task_id), "done")]).await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn add_review(&self, caller: &Caller, case_id: &str, r: &NewReview) -> Result<String> {
        let case = self.plan_case(caller, case_id).await?;
        let mut tx = self.begin_write().await?;
        let id = plans::insert_review(&mut tx, &case.id, r, &caller.actor.user_id).await?;
        let mut facts = vec![Fact::term(Vocab::Date, r.held_on)];
        facts.extend(r.next_review_on.map(|n| Fact::change("next_review_on", Some(Vocab::Date), "", n.to_string())));
        event(&mut tx, &case.id, Some(&caller.actor.user_id), EventKind::PlanReviewed, &facts).await?;
        append(&mut tx, &[caller.entry(AuditAction::Create, "review", Some(&id), case.id.as_str())]).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The caller's open tasks across their member's cases, soonest due first.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn my_tasks(&self, caller: &Caller) -> Result<Vec<Task>> {
        caller.actor.require(caller.actor.has_casework())?;
        let tasks = plans::open_tasks_of_user(self.pool(), &caller.actor.user_id, 500).await?;
        self.audit(vec![caller.entry(AuditAction::List, "task", None, &tasks.len().to_string())]).await?;
        Ok(tasks)
    }

    /// Claims the tasks due by tomorrow that were never reminded, and tells each owner in their
    /// notifications, in one transaction (so that two instances never remind twice). The
    /// caller sends the e-mails.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn claim_task_reminders(&self, limit: i64) -> Result<Vec<DueTask>> {
        let by = today() + chrono::Duration::days(1);
        let mut tx = self.begin_write().await?;
        let due = plans::claim_due(&mut tx, by, limit).await?;
        for d in &due {
            let t = &d.task;
            let facts = [Fact::text(&t.case_reference), Fact::text(&t.title), Fact::term(Vocab::Date, t.due_on)];
            let told = [t.owner_id.clone()];
            kinbridge_store::notices::notify(&mut tx, &told, NoticeKind::TaskDue, Some(&t.case_id), None, &facts)
                .await?;
        }
        if !due.is_empty() {
            let detail = format!("{} task reminders", due.len());
            append(&mut tx, &[crate::system_entry(AuditAction::Update, "task", None, None, &detail)]).await?;
        }
        tx.commit().await?;
        Ok(due)
    }
}
