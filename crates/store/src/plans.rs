//! The case plans repository: goals, tasks and reviews of a case, a user's tasks across
//! cases, and the tasks due for a reminder.

use chrono::NaiveDate;
use kinbridge_domain::ids::{CaseId, UserId};
use kinbridge_domain::plan::{is_late, Goal, GoalStatus, NewReview, NewTask, Review, Task};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor};

use crate::rows::{date, get, opt_date, term};
use crate::{now, today, Result, Tx};

pub async fn insert_goal(tx: &mut Tx, case: &CaseId, text: &str, by: &UserId) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO case_goals (id, case_id, text, status, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(case.as_str())
    .bind(text)
    .bind(GoalStatus::Open.as_str())
    .bind(by.as_str())
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Sets a goal's status; its text before, if the goal is the case's.
pub async fn set_goal_status(tx: &mut Tx, case: &CaseId, id: &str, status: GoalStatus) -> Result<Option<String>> {
    let row = sqlx::query("UPDATE case_goals SET status = $1 WHERE id = $2 AND case_id = $3 RETURNING text")
        .bind(status.as_str())
        .bind(id)
        .bind(case.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|r| get(&r, "text")).transpose()
}

pub async fn goal_exists(tx: &mut Tx, case: &CaseId, id: &str) -> Result<bool> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM case_goals WHERE id = $1 AND case_id = $2")
        .bind(id)
        .bind(case.as_str())
        .fetch_one(&mut **tx)
        .await?;
    Ok(get::<i64>(&row, "n")? > 0)
}

pub async fn insert_task(tx: &mut Tx, case: &CaseId, t: &NewTask, owner: &UserId, by: &UserId) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO case_tasks (id, case_id, goal_id, title, owner_id, due_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(case.as_str())
    .bind(t.goal_id.clone())
    .bind(&t.title)
    .bind(owner.as_str())
    .bind(t.due_on.to_string())
    .bind(by.as_str())
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Marks an open task of the case done today; its title, if it was one.
pub async fn complete_task(tx: &mut Tx, case: &CaseId, id: &str, by: &UserId) -> Result<Option<String>> {
    let row = sqlx::query(
        "UPDATE case_tasks SET done_on = $1, done_by = $2 WHERE id = $3 AND case_id = $4 AND done_on IS NULL RETURNING title",
    )
    .bind(today().to_string())
    .bind(by.as_str())
    .bind(id)
    .bind(case.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| get(&r, "title")).transpose()
}

pub async fn insert_review(tx: &mut Tx, case: &CaseId, r: &NewReview, by: &UserId) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO case_reviews (id, case_id, held_on, summary, next_review_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(case.as_str())
    .bind(r.held_on.to_string())
    .bind(&r.summary)
    .bind(r.next_review_on.map(|d| d.to_string()))
    .bind(by.as_str())
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn goals_of<'e, E: Executor<'e, Database = Any>>(e: E, case: &CaseId) -> Result<Vec<Goal>> {
    let rows =
        sqlx::query("SELECT id, text, status, created_at FROM case_goals WHERE case_id = $1 ORDER BY created_at, id")
            .bind(case.as_str())
            .fetch_all(e)
            .await?;
    rows.iter()
        .map(|r| {
            Ok(Goal {
                id: get(r, "id")?,
                text: get(r, "text")?,
                status: term(&get::<String>(r, "status")?, "goal status", GoalStatus::parse)?,
                created_at: get(r, "created_at")?,
            })
        })
        .collect()
}

const TASK_COLUMNS: &str =
    "SELECT t.id, t.case_id, c.reference, t.goal_id, t.title, t.owner_id, u.display_name, t.due_on, t.done_on";
const TASK_FROM: &str = "FROM case_tasks t JOIN cases c ON c.id = t.case_id JOIN users u ON u.id = t.owner_id";

fn task_from(r: &AnyRow, on: NaiveDate) -> Result<Task> {
    let due_on = date(&get::<String>(r, "due_on")?)?;
    let done_on = opt_date(get(r, "done_on")?)?;
    Ok(Task {
        id: get(r, "id")?,
        case_id: CaseId::from_trusted(get(r, "case_id")?),
        case_reference: get(r, "reference")?,
        goal_id: get(r, "goal_id")?,
        title: get(r, "title")?,
        owner_id: UserId::from_trusted(get(r, "owner_id")?),
        owner_name: get(r, "display_name")?,
        due_on,
        done_on,
        overdue: is_late(due_on, done_on, on),
    })
}

/// A case's tasks: open ones by due date, then done ones.
pub async fn tasks_of<'e, E: Executor<'e, Database = Any>>(e: E, case: &CaseId) -> Result<Vec<Task>> {
    let rows = sqlx::query(&format!(
        "{TASK_COLUMNS} {TASK_FROM} WHERE t.case_id = $1 ORDER BY CASE WHEN t.done_on IS NULL THEN 0 ELSE 1 END, t.due_on, t.id"
    ))
    .bind(case.as_str())
    .fetch_all(e)
    .await?;
    let on = today();
    rows.iter().map(|r| task_from(r, on)).collect()
}

/// A user's open tasks across the cases of their member, soonest due first.
pub async fn open_tasks_of_user(pool: &sqlx::AnyPool, user: &UserId, limit: i64) -> Result<Vec<Task>> {
    let rows = sqlx::query(&format!(
        "{TASK_COLUMNS} {TASK_FROM} WHERE t.owner_id = $1 AND t.done_on IS NULL AND c.member_id = u.member_id ORDER BY t.due_on, t.id LIMIT $2"
    ))
    .bind(user.as_str())
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let on = today();
    rows.iter().map(|r| task_from(r, on)).collect()
}

pub async fn reviews_of<'e, E: Executor<'e, Database = Any>>(e: E, case: &CaseId) -> Result<Vec<Review>> {
    let rows = sqlx::query(
        "SELECT r.id, r.held_on, r.summary, r.next_review_on, u.display_name FROM case_reviews r JOIN users u ON u.id = r.created_by \
         WHERE r.case_id = $1 ORDER BY r.held_on DESC, r.id DESC",
    )
    .bind(case.as_str())
    .fetch_all(e)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Review {
                id: get(r, "id")?,
                held_on: date(&get::<String>(r, "held_on")?)?,
                summary: get(r, "summary")?,
                next_review_on: opt_date(get(r, "next_review_on")?)?,
                by_name: get(r, "display_name")?,
            })
        })
        .collect()
}

/// A task due for its reminder: open, due on or before `by`, never reminded; with its owner's
/// e-mail and language for the message.
#[derive(Debug, Clone)]
pub struct DueTask {
    pub task: Task,
    pub owner_email: String,
    pub owner_locale: String,
}

/// Claims up to `limit` tasks due on or before `by` for their reminder: each is marked
/// reminded in this transaction, and only a task this transaction marked is returned, so two
/// instances never remind twice.
pub async fn claim_due(tx: &mut Tx, by: NaiveDate, limit: i64) -> Result<Vec<DueTask>> {
    let rows = sqlx::query(&format!(
        "{TASK_COLUMNS}, u.email, u.locale {TASK_FROM} \
         WHERE t.reminded_at IS NULL AND t.done_on IS NULL AND t.due_on <= $1 AND u.active = 1 ORDER BY t.due_on, t.id LIMIT $2"
    ))
    .bind(by.to_string())
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    let on = today();
    let mut due = Vec::new();
    for r in &rows {
        let d = DueTask { task: task_from(r, on)?, owner_email: get(r, "email")?, owner_locale: get(r, "locale")? };
        let marked = sqlx::query("UPDATE case_tasks SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL")
            .bind(now())
            .bind(&d.task.id)
            .execute(&mut **tx)
            .await?;
        if marked.rows_affected() == 1 {
            due.push(d);
        }
    }
    Ok(due)
}
