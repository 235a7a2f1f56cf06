//! The assessments repository: a case's assessments, their answers and their sign-off.

use kinbridge_domain::assessment::{Answers, AssessmentKind, AssessmentStatus, RiskLevel};
use kinbridge_domain::ids::{CaseId, UserId};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor};

use crate::rows::{get, term};
use crate::{now, Result, Tx};

/// An assessment as the case page shows it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Assessment {
    pub id: String,
    pub case_id: CaseId,
    pub kind: AssessmentKind,
    pub form_version: i64,
    pub answers: Answers,
    pub status: AssessmentStatus,
    pub author_id: UserId,
    pub author_name: String,
    pub created_at: String,
    pub signed_by_name: Option<String>,
    pub signed_at: Option<String>,
    pub version: i64,
}

const SELECT: &str =
    "SELECT a.id, a.case_id, a.kind, a.form_version, a.answers, a.status, a.created_by, u.display_name, \
     a.created_at, s.display_name AS signer, a.signed_at, a.version FROM case_assessments a \
     JOIN users u ON u.id = a.created_by LEFT JOIN users s ON s.id = a.signed_by";

fn from_row(r: &AnyRow) -> Result<Assessment> {
    Ok(Assessment {
        id: get(r, "id")?,
        case_id: CaseId::from_trusted(get(r, "case_id")?),
        kind: term(&get::<String>(r, "kind")?, "assessment kind", AssessmentKind::parse)?,
        form_version: get(r, "form_version")?,
        answers: term(&get::<String>(r, "answers")?, "assessment answers", |s| serde_json::from_str(s).ok())?,
        status: term(&get::<String>(r, "status")?, "assessment status", AssessmentStatus::parse)?,
        author_id: UserId::from_trusted(get(r, "created_by")?),
        author_name: get(r, "display_name")?,
        created_at: get(r, "created_at")?,
        signed_by_name: get(r, "signer")?,
        signed_at: get(r, "signed_at")?,
        version: get(r, "version")?,
    })
}

pub async fn insert(
    tx: &mut Tx,
    case: &CaseId,
    kind: AssessmentKind,
    form_version: u32,
    answers: &Answers,
    by: &UserId,
) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO case_assessments (id, case_id, kind, form_version, answers, risk, status, created_by, created_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)",
    )
    .bind(&id)
    .bind(case.as_str())
    .bind(kind.as_str())
    .bind(i64::from(form_version))
    .bind(serde_json::to_string(answers).expect("answers serialise"))
    .bind(answers.risk.map(|r| r.as_str()))
    .bind(AssessmentStatus::Draft.as_str())
    .bind(by.as_str())
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn one<'e, E: Executor<'e, Database = Any>>(e: E, case: &CaseId, id: &str) -> Result<Option<Assessment>> {
    let row = sqlx::query(&format!("{SELECT} WHERE a.id = $1 AND a.case_id = $2"))
        .bind(id)
        .bind(case.as_str())
        .fetch_optional(e)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn of_case<'e, E: Executor<'e, Database = Any>>(e: E, case: &CaseId) -> Result<Vec<Assessment>> {
    let rows = sqlx::query(&format!("{SELECT} WHERE a.case_id = $1 ORDER BY a.created_at DESC, a.id DESC"))
        .bind(case.as_str())
        .fetch_all(e)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Writes new answers if the assessment is still at `expected` version; `false` otherwise.
pub async fn update_answers(tx: &mut Tx, id: &str, answers: &Answers, expected: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE case_assessments SET answers = $1, risk = $2, version = version + 1 WHERE id = $3 AND version = $4",
    )
    .bind(serde_json::to_string(answers).expect("answers serialise"))
    .bind(answers.risk.map(|r| r.as_str()))
    .bind(id)
    .bind(expected)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves an assessment to `status` (stamping submission or sign-off), from `from`; `false` if
/// it was not in `from` any more.
pub async fn set_status(
    tx: &mut Tx,
    id: &str,
    from: AssessmentStatus,
    to: AssessmentStatus,
    signer: Option<&UserId>,
) -> Result<bool> {
    let at = now();
    let (submitted, signed) = match to {
        AssessmentStatus::Submitted => (Some(at.clone()), None),
        AssessmentStatus::SignedOff => (None, Some(at.clone())),
        AssessmentStatus::Draft => (None, None),
    };
    let done = sqlx::query(
        "UPDATE case_assessments SET status = $1, submitted_at = COALESCE($2, submitted_at), signed_at = $3, signed_by = $4, \
         version = version + 1 WHERE id = $5 AND status = $6",
    )
    .bind(to.as_str())
    .bind(submitted)
    .bind(signed)
    .bind(signer.map(|s| s.to_string()))
    .bind(id)
    .bind(from.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The case's risk level: that of its latest signed-off best-interests assessment.
pub async fn risk_of<'e, E: Executor<'e, Database = Any>>(e: E, case: &CaseId) -> Result<Option<RiskLevel>> {
    let row = sqlx::query(
        "SELECT risk FROM case_assessments WHERE case_id = $1 AND status = 'signed_off' AND risk IS NOT NULL \
         ORDER BY signed_at DESC, id DESC LIMIT 1",
    )
    .bind(case.as_str())
    .fetch_optional(e)
    .await?;
    row.map(|r| term(&get::<String>(&r, "risk")?, "risk level", RiskLevel::parse)).transpose()
}
