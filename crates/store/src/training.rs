//! The academy's rows: courses and their published versions (content as JSON), attempts,
//! completions, certificates, curricula requirements and enrolments, and the reminders sent.
//! Completions and certificates are only ever inserted (a certificate is revoked, not deleted).

use sqlx::any::AnyRow;

use crate::rows::get;
use crate::{Result, StoreError, Tx};

#[derive(Debug, Clone)]
pub struct CourseRow {
    pub id: String,
    pub code: String,
    /// JSON: titles by language.
    pub titles: String,
    pub current_version: i64,
}

fn course_row(r: &AnyRow) -> Result<CourseRow> {
    Ok(CourseRow {
        id: get(r, "id")?,
        code: get(r, "code")?,
        titles: get(r, "titles")?,
        current_version: get(r, "current_version")?,
    })
}

/// Publishes `content` as the next version of the course `code`, creating the course at its
/// first version. Returns the course's id and the version published.
pub async fn publish(tx: &mut Tx, code: &str, titles: &str, content: &str, by: Option<&str>) -> Result<(String, i64)> {
    let existing = sqlx::query("SELECT id, current_version FROM training_courses WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?;
    let (id, version) = match existing {
        Some(r) => {
            let id: String = get(&r, "id")?;
            let version: i64 = get::<i64>(&r, "current_version")? + 1;
            sqlx::query(
                "UPDATE training_courses SET titles = $1, current_version = $2 WHERE id = $3 AND current_version = $4",
            )
            .bind(titles)
            .bind(version)
            .bind(&id)
            .bind(version - 1)
            .execute(&mut **tx)
            .await?;
            (id, version)
        }
        None => {
            let id = uuid::Uuid::now_v7().to_string();
            sqlx::query("INSERT INTO training_courses (id, code, titles, current_version, created_at) VALUES ($1, $2, $3, 1, $4)")
                .bind(&id)
                .bind(code)
                .bind(titles)
                .bind(crate::now())
                .execute(&mut **tx)
                .await
                .map_err(StoreError::from_insert)?;
            (id, 1)
        }
    };
    sqlx::query("INSERT INTO training_course_versions (course_id, version, content, published_by, published_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(version)
        .bind(content)
        .bind(by)
        .bind(crate::now())
        .execute(&mut **tx)
        .await
        .map_err(StoreError::from_insert)?;
    Ok((id, version))
}

pub async fn courses(pool: &sqlx::AnyPool) -> Result<Vec<CourseRow>> {
    let rows = sqlx::query("SELECT id, code, titles, current_version FROM training_courses ORDER BY code")
        .fetch_all(pool)
        .await?;
    rows.iter().map(course_row).collect()
}

pub async fn course_by_code(pool: &sqlx::AnyPool, code: &str) -> Result<Option<CourseRow>> {
    let row = sqlx::query("SELECT id, code, titles, current_version FROM training_courses WHERE code = $1")
        .bind(code)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(course_row).transpose()
}

/// A version's content (JSON).
pub async fn version(pool: &sqlx::AnyPool, course_id: &str, version: i64) -> Result<Option<String>> {
    let row = sqlx::query("SELECT content FROM training_course_versions WHERE course_id = $1 AND version = $2")
        .bind(course_id)
        .bind(version)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(|r| get(r, "content")).transpose()
}

#[derive(Debug, Clone)]
pub struct AttemptRow {
    pub id: String,
    pub user_id: String,
    pub course_id: String,
    pub version: i64,
    pub number: i64,
    pub language: String,
    /// JSON: the drawn questions with their shown order.
    pub drawn: String,
    /// JSON: the answers saved, by question id.
    pub responses: String,
    pub started_at: String,
    pub deadline: Option<String>,
    pub finished_at: Option<String>,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
}

const ATTEMPT_COLUMNS: &str =
    "id, user_id, course_id, version, number, language, drawn, responses, started_at, deadline, finished_at, percent, passed";

fn attempt_row(r: &AnyRow) -> Result<AttemptRow> {
    Ok(AttemptRow {
        id: get(r, "id")?,
        user_id: get(r, "user_id")?,
        course_id: get(r, "course_id")?,
        version: get(r, "version")?,
        number: get(r, "number")?,
        language: get(r, "language")?,
        drawn: get(r, "drawn")?,
        responses: get(r, "responses")?,
        started_at: get(r, "started_at")?,
        deadline: get(r, "deadline")?,
        finished_at: get(r, "finished_at")?,
        percent: get(r, "percent")?,
        passed: get::<Option<i64>>(r, "passed")?.map(|p| p != 0),
    })
}

pub struct NewAttempt<'a> {
    pub user_id: &'a str,
    pub course_id: &'a str,
    pub version: i64,
    pub number: i64,
    pub language: &'a str,
    pub drawn: &'a str,
    pub started_at: &'a str,
    pub deadline: Option<&'a str>,
}

/// Starts an attempt; a second start with the same number is [`StoreError::Taken`].
pub async fn insert_attempt(tx: &mut Tx, a: &NewAttempt<'_>) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO training_attempts (id, user_id, course_id, version, number, language, drawn, responses, started_at, deadline) VALUES ($1, $2, $3, $4, $5, $6, $7, '{}', $8, $9)")
        .bind(&id)
        .bind(a.user_id)
        .bind(a.course_id)
        .bind(a.version)
        .bind(a.number)
        .bind(a.language)
        .bind(a.drawn)
        .bind(a.started_at)
        .bind(a.deadline)
        .execute(&mut **tx)
        .await
        .map_err(StoreError::from_insert)?;
    Ok(id)
}

pub async fn attempt(pool: &sqlx::AnyPool, id: &str) -> Result<Option<AttemptRow>> {
    let row = sqlx::query(&format!("SELECT {ATTEMPT_COLUMNS} FROM training_attempts WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(attempt_row).transpose()
}

/// A learner's attempts at a course, every version, oldest first.
pub async fn attempts_of(pool: &sqlx::AnyPool, user_id: &str, course_id: &str) -> Result<Vec<AttemptRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {ATTEMPT_COLUMNS} FROM training_attempts WHERE user_id = $1 AND course_id = $2 ORDER BY started_at, number"
    ))
    .bind(user_id)
    .bind(course_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(attempt_row).collect()
}

/// Saves the answers of an open attempt; false when it is finished.
pub async fn save_responses(tx: &mut Tx, id: &str, responses: &str) -> Result<bool> {
    let done = sqlx::query("UPDATE training_attempts SET responses = $1 WHERE id = $2 AND finished_at IS NULL")
        .bind(responses)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Finishes an open attempt with its score; false when it was finished already (a second
/// submission, or the clock got there first).
pub async fn finish_attempt(
    tx: &mut Tx,
    id: &str,
    responses: &str,
    finished_at: &str,
    percent: f64,
    passed: bool,
) -> Result<bool> {
    let done = sqlx::query("UPDATE training_attempts SET responses = $1, finished_at = $2, percent = $3, passed = $4 WHERE id = $5 AND finished_at IS NULL")
        .bind(responses)
        .bind(finished_at)
        .bind(percent)
        .bind(i64::from(passed))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Open attempts whose deadline (with its grace) passed before `before`: the clock closes them.
pub async fn overdue_attempts(pool: &sqlx::AnyPool, before: &str, limit: i64) -> Result<Vec<AttemptRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {ATTEMPT_COLUMNS} FROM training_attempts WHERE finished_at IS NULL AND deadline IS NOT NULL AND deadline < $1 ORDER BY deadline LIMIT $2"
    ))
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(attempt_row).collect()
}

pub async fn insert_completion(tx: &mut Tx, a: &AttemptRow, percent: f64, completed_at: &str) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO training_completions (id, user_id, course_id, version, attempt_id, percent, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&id)
        .bind(&a.user_id)
        .bind(&a.course_id)
        .bind(a.version)
        .bind(&a.id)
        .bind(percent)
        .bind(completed_at)
        .execute(&mut **tx)
        .await
        .map_err(StoreError::from_insert)?;
    Ok(id)
}

/// The last completion of each course by each person of a member (all members: `None`), as
/// (user, course, completed_at).
pub async fn last_completions(pool: &sqlx::AnyPool, member_id: Option<&str>) -> Result<Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT c.user_id, c.course_id, MAX(c.completed_at) AS completed_at FROM training_completions c \
         JOIN users u ON u.id = c.user_id WHERE ($1 IS NULL OR u.member_id = $1) GROUP BY c.user_id, c.course_id",
    )
    .bind(member_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| Ok((get(r, "user_id")?, get(r, "course_id")?, get(r, "completed_at")?))).collect()
}

/// One person's last completion of each course.
pub async fn last_completions_of(pool: &sqlx::AnyPool, user_id: &str) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT course_id, MAX(completed_at) AS completed_at FROM training_completions WHERE user_id = $1 GROUP BY course_id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| Ok((get(r, "course_id")?, get(r, "completed_at")?))).collect()
}

#[derive(Debug, Clone)]
pub struct CertificateRow {
    pub code: String,
    pub completion_id: String,
    pub user_id: String,
    pub course_id: String,
    pub issued_at: String,
    pub expires_on: Option<String>,
    pub revoked_at: Option<String>,
    pub revoked_reason: Option<String>,
}

const CERTIFICATE_COLUMNS: &str =
    "code, completion_id, user_id, course_id, issued_at, expires_on, revoked_at, revoked_reason";

fn certificate_row(r: &AnyRow) -> Result<CertificateRow> {
    Ok(CertificateRow {
        code: get(r, "code")?,
        completion_id: get(r, "completion_id")?,
        user_id: get(r, "user_id")?,
        course_id: get(r, "course_id")?,
        issued_at: get(r, "issued_at")?,
        expires_on: get(r, "expires_on")?,
        revoked_at: get(r, "revoked_at")?,
        revoked_reason: get(r, "revoked_reason")?,
    })
}

pub async fn insert_certificate(tx: &mut Tx, c: &CertificateRow) -> Result<()> {
    sqlx::query("INSERT INTO training_certificates (code, completion_id, user_id, course_id, issued_at, expires_on) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&c.code)
        .bind(&c.completion_id)
        .bind(&c.user_id)
        .bind(&c.course_id)
        .bind(&c.issued_at)
        .bind(&c.expires_on)
        .execute(&mut **tx)
        .await
        .map_err(StoreError::from_insert)?;
    Ok(())
}

pub async fn certificate(pool: &sqlx::AnyPool, code: &str) -> Result<Option<CertificateRow>> {
    let row = sqlx::query(&format!("SELECT {CERTIFICATE_COLUMNS} FROM training_certificates WHERE code = $1"))
        .bind(code)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(certificate_row).transpose()
}

/// A person's certificates, newest first.
pub async fn certificates_of(pool: &sqlx::AnyPool, user_id: &str) -> Result<Vec<CertificateRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {CERTIFICATE_COLUMNS} FROM training_certificates WHERE user_id = $1 ORDER BY issued_at DESC"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(certificate_row).collect()
}

/// Revokes a certificate; false when it was revoked already or does not exist.
pub async fn revoke_certificate(tx: &mut Tx, code: &str, reason: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE training_certificates SET revoked_at = $1, revoked_reason = $2 WHERE code = $3 AND revoked_at IS NULL",
    )
    .bind(crate::now())
    .bind(reason)
    .bind(code)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone)]
pub struct RequirementRow {
    pub id: String,
    pub curriculum: String,
    pub course_id: String,
    pub role: Option<String>,
    pub member_id: Option<String>,
    pub validity_months: i64,
    pub window_days: i64,
    pub gates: bool,
    /// Set by the store.
    pub created_at: String,
}

pub async fn insert_requirement(tx: &mut Tx, r: &RequirementRow) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO training_requirements (id, curriculum, course_id, role, member_id, validity_months, window_days, gates, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(&id)
        .bind(&r.curriculum)
        .bind(&r.course_id)
        .bind(&r.role)
        .bind(&r.member_id)
        .bind(r.validity_months)
        .bind(r.window_days)
        .bind(i64::from(r.gates))
        .bind(crate::now())
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

pub async fn delete_requirement(tx: &mut Tx, id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM training_requirements WHERE id = $1").bind(id).execute(&mut **tx).await?;
    Ok(done.rows_affected() == 1)
}

pub async fn requirements(pool: &sqlx::AnyPool) -> Result<Vec<RequirementRow>> {
    let rows = sqlx::query(
        "SELECT id, curriculum, course_id, role, member_id, validity_months, window_days, gates, created_at FROM training_requirements ORDER BY curriculum, created_at",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RequirementRow {
                id: get(r, "id")?,
                curriculum: get(r, "curriculum")?,
                course_id: get(r, "course_id")?,
                role: get(r, "role")?,
                member_id: get(r, "member_id")?,
                validity_months: get(r, "validity_months")?,
                window_days: get(r, "window_days")?,
                gates: get::<i64>(r, "gates")? != 0,
                created_at: get(r, "created_at")?,
            })
        })
        .collect()
}

/// Enrols a person in a curriculum (again: nothing changes).
pub async fn enrol(tx: &mut Tx, user_id: &str, curriculum: &str) -> Result<()> {
    sqlx::query("INSERT INTO training_enrolments (user_id, curriculum, enrolled_at) VALUES ($1, $2, $3) ON CONFLICT (user_id, curriculum) DO NOTHING")
        .bind(user_id)
        .bind(curriculum)
        .bind(crate::now())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Every enrolment, as (user, curriculum, enrolled_at), of a member's people (all: `None`).
pub async fn enrolments(pool: &sqlx::AnyPool, member_id: Option<&str>) -> Result<Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT e.user_id, e.curriculum, e.enrolled_at FROM training_enrolments e JOIN users u ON u.id = e.user_id \
         WHERE ($1 IS NULL OR u.member_id = $1)",
    )
    .bind(member_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| Ok((get(r, "user_id")?, get(r, "curriculum")?, get(r, "enrolled_at")?))).collect()
}

/// Records a reminder as sent; false when it was recorded before (by this or another server).
pub async fn claim_reminder(tx: &mut Tx, user_id: &str, course_id: &str, deadline: &str, kind: &str) -> Result<bool> {
    let done = sqlx::query("INSERT INTO training_reminders (user_id, course_id, deadline, kind, sent_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, course_id, deadline, kind) DO NOTHING")
        .bind(user_id)
        .bind(course_id)
        .bind(deadline)
        .bind(kind)
        .bind(crate::now())
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether the member's case files need current compulsory training.
pub async fn gate(pool: &sqlx::AnyPool, member_id: &str) -> Result<bool> {
    let row =
        sqlx::query("SELECT training_gate FROM members WHERE id = $1").bind(member_id).fetch_optional(pool).await?;
    Ok(match row {
        Some(r) => get::<i64>(&r, "training_gate")? != 0,
        None => false,
    })
}

pub async fn set_gate(tx: &mut Tx, member_id: &str, on: bool) -> Result<()> {
    sqlx::query("UPDATE members SET training_gate = $1 WHERE id = $2")
        .bind(i64::from(on))
        .bind(member_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Finished attempts after a cursor (finished_at, id), of a member's people (all: `None`),
/// oldest first: the xAPI statement stream.
pub async fn finished_after(
    pool: &sqlx::AnyPool,
    member_id: Option<&str>,
    after: (&str, &str),
    limit: i64,
) -> Result<Vec<AttemptRow>> {
    let cols = ATTEMPT_COLUMNS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ");
    let rows = sqlx::query(&format!(
        "SELECT {cols} FROM training_attempts a JOIN users u ON u.id = a.user_id \
         WHERE a.finished_at IS NOT NULL AND ($1 IS NULL OR u.member_id = $1) \
         AND (a.finished_at > $2 OR (a.finished_at = $2 AND a.id > $3)) ORDER BY a.finished_at, a.id LIMIT $4"
    ))
    .bind(member_id)
    .bind(after.0)
    .bind(after.1)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(attempt_row).collect()
}

/// An active account as compliance lists it.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub member_id: String,
    pub name: String,
    pub role: kinbridge_domain::Role,
    pub created_at: String,
}

/// The active accounts of a member (all members: `None`), by name.
pub async fn people(pool: &sqlx::AnyPool, member_id: Option<&str>) -> Result<Vec<Person>> {
    let rows = sqlx::query(
        "SELECT id, member_id, display_name, role, created_at FROM users WHERE active = 1 AND ($1 IS NULL OR member_id = $1) ORDER BY display_name, id",
    )
    .bind(member_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Person {
                id: get(r, "id")?,
                member_id: get(r, "member_id")?,
                name: get(r, "display_name")?,
                role: crate::rows::term(&get::<String>(r, "role")?, "role", kinbridge_domain::Role::parse)?,
                created_at: get(r, "created_at")?,
            })
        })
        .collect()
}

/// Which member each account belongs to, of one member (all: `None`).
pub async fn member_of_people(pool: &sqlx::AnyPool, member_id: Option<&str>) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query("SELECT id, member_id FROM users WHERE ($1 IS NULL OR member_id = $1)")
        .bind(member_id)
        .fetch_all(pool)
        .await?;
    rows.iter().map(|r| Ok((get(r, "id")?, get(r, "member_id")?))).collect()
}

/// When an account was made.
pub async fn created_at(pool: &sqlx::AnyPool, user_id: &str) -> Result<String> {
    let row = sqlx::query("SELECT created_at FROM users WHERE id = $1").bind(user_id).fetch_one(pool).await?;
    get(&row, "created_at")
}

/// Moves an attempt and what its pass issued to earlier times (the demo's history).
pub async fn backdate(
    tx: &mut Tx,
    attempt_id: &str,
    started_at: &str,
    deadline: Option<&str>,
    finished_at: Option<&str>,
    expires_on: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE training_attempts SET started_at = $1, deadline = $2, finished_at = $3 WHERE id = $4")
        .bind(started_at)
        .bind(deadline)
        .bind(finished_at)
        .bind(attempt_id)
        .execute(&mut **tx)
        .await?;
    if let Some(at) = finished_at {
        sqlx::query("UPDATE training_completions SET completed_at = $1 WHERE attempt_id = $2")
            .bind(at)
            .bind(attempt_id)
            .execute(&mut **tx)
            .await?;
        sqlx::query("UPDATE training_certificates SET issued_at = $1, expires_on = $2 WHERE completion_id IN (SELECT id FROM training_completions WHERE attempt_id = $3)")
            .bind(at)
            .bind(expires_on)
            .bind(attempt_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
