//! The case transfers repository: handovers of a case to another member, and copying what
//! goes with an accepted one into the receiver's new case.

use kinbridge_domain::case::ConsentScope;
use kinbridge_domain::ids::{CaseId, DocumentId, MemberId, TransferId, UserId};
use kinbridge_domain::transfer::{Transfer, TransferStatus};
use sqlx::{Any, Executor};

use crate::rows::{get, term};
use crate::{now, Result, StoreError, Tx};

const SELECT: &str = "SELECT t.id, t.case_id, c.reference AS case_reference, t.from_member_id, fm.code AS from_code, \
     t.to_member_id, tm.code AS to_code, t.status, t.reason, t.document_ids, pu.display_name AS proposed_by_name, \
     t.proposed_at, du.display_name AS decided_by_name, t.decided_at, t.decline_reason, t.new_case_id, \
     nc.reference AS new_reference \
     FROM case_transfers t JOIN cases c ON c.id = t.case_id \
     JOIN members fm ON fm.id = t.from_member_id JOIN members tm ON tm.id = t.to_member_id \
     JOIN users pu ON pu.id = t.proposed_by LEFT JOIN users du ON du.id = t.decided_by \
     LEFT JOIN cases nc ON nc.id = t.new_case_id";

fn transfer_from(r: &sqlx::any::AnyRow) -> Result<Transfer> {
    let docs: Vec<String> = serde_json::from_str(&get::<String>(r, "document_ids")?)
        .map_err(|e| StoreError::Corrupt(format!("transfer documents: {e}")))?;
    Ok(Transfer {
        id: TransferId::from_trusted(get(r, "id")?),
        case_id: CaseId::from_trusted(get(r, "case_id")?),
        case_reference: get(r, "case_reference")?,
        from_member_id: MemberId::from_trusted(get(r, "from_member_id")?),
        from_member_code: get(r, "from_code")?,
        to_member_id: MemberId::from_trusted(get(r, "to_member_id")?),
        to_member_code: get(r, "to_code")?,
        status: term(&get::<String>(r, "status")?, "transfer status", TransferStatus::parse)?,
        reason: get(r, "reason")?,
        documents: docs.into_iter().map(DocumentId::from_trusted).collect(),
        proposed_by_name: get(r, "proposed_by_name")?,
        proposed_at: get(r, "proposed_at")?,
        decided_by_name: get(r, "decided_by_name")?,
        decided_at: get(r, "decided_at")?,
        decline_reason: get(r, "decline_reason")?,
        new_case_id: get::<Option<String>>(r, "new_case_id")?.map(CaseId::from_trusted),
        new_case_reference: get(r, "new_reference")?,
    })
}

/// A proposed handover to record.
pub struct NewTransferRow<'a> {
    pub id: &'a TransferId,
    pub case: &'a CaseId,
    pub from: &'a MemberId,
    pub to: &'a MemberId,
    pub reason: &'a str,
    pub documents: &'a [DocumentId],
    pub by: &'a UserId,
}

/// Records a proposal; [`StoreError::Taken`] when the case already has one open (a unique
/// index refuses a second, even from two requests at once).
pub async fn insert(tx: &mut Tx, t: &NewTransferRow<'_>) -> Result<()> {
    let docs: Vec<&str> = t.documents.iter().map(|d| d.as_str()).collect();
    sqlx::query(
        "INSERT INTO case_transfers (id, case_id, from_member_id, to_member_id, status, reason, document_ids, proposed_by, proposed_at) \
         VALUES ($1, $2, $3, $4, 'proposed', $5, $6, $7, $8)",
    )
    .bind(t.id.as_str())
    .bind(t.case.as_str())
    .bind(t.from.as_str())
    .bind(t.to.as_str())
    .bind(t.reason)
    .bind(serde_json::to_string(&docs).expect("ids serialise"))
    .bind(t.by.as_str())
    .bind(now())
    .execute(&mut **tx)
    .await
    .map_err(StoreError::from_insert)?;
    Ok(())
}

pub async fn by_id<'e, E: Executor<'e, Database = Any>>(e: E, id: &TransferId) -> Result<Option<Transfer>> {
    let row = sqlx::query(&format!("{SELECT} WHERE t.id = $1")).bind(id.as_str()).fetch_optional(e).await?;
    row.as_ref().map(transfer_from).transpose()
}

/// The handovers of one case, newest first.
pub async fn of_case<'e, E: Executor<'e, Database = Any>>(e: E, case: &CaseId) -> Result<Vec<Transfer>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE t.case_id = $1 OR t.new_case_id = $1 ORDER BY t.proposed_at DESC, t.id DESC"
    ))
    .bind(case.as_str())
    .fetch_all(e)
    .await?;
    rows.iter().map(transfer_from).collect()
}

/// A member's handovers, either way: proposals still waiting first, then the newest.
pub async fn of_member(pool: &sqlx::AnyPool, member: &MemberId, limit: i64) -> Result<Vec<Transfer>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE t.to_member_id = $1 OR t.from_member_id = $1 \
         ORDER BY CASE WHEN t.status = 'proposed' THEN 0 ELSE 1 END, t.proposed_at DESC, t.id DESC LIMIT $2"
    ))
    .bind(member.as_str())
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(transfer_from).collect()
}

/// Records a decision on a proposal still open; `false` if someone decided it first.
pub async fn decide(
    tx: &mut Tx,
    id: &TransferId,
    status: TransferStatus,
    by: &UserId,
    reason: Option<&str>,
    new_case: Option<&CaseId>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE case_transfers SET status = $1, decided_by = $2, decided_at = $3, decline_reason = $4, new_case_id = $5 \
         WHERE id = $6 AND status = 'proposed'",
    )
    .bind(status.as_str())
    .bind(by.as_str())
    .bind(now())
    .bind(reason.map(str::to_string))
    .bind(new_case.map(|c| c.to_string()))
    .bind(id.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Copies the consents in force on `from` to `to`, as given (who and when), recorded by `by`.
pub async fn copy_consents(tx: &mut Tx, from: &CaseId, to: &CaseId, by: &UserId) -> Result<Vec<ConsentScope>> {
    let rows =
        sqlx::query("SELECT scope, given_by, given_on FROM consents WHERE case_id = $1 AND withdrawn_on IS NULL ORDER BY created_at")
            .bind(from.as_str())
            .fetch_all(&mut **tx)
            .await?;
    let mut scopes = Vec::new();
    for r in &rows {
        let scope = term(&get::<String>(r, "scope")?, "consent scope", ConsentScope::parse)?;
        sqlx::query(
            "INSERT INTO consents (id, case_id, scope, given_by, given_on, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(to.as_str())
        .bind(scope.as_str())
        .bind(get::<String>(r, "given_by")?)
        .bind(get::<String>(r, "given_on")?)
        .bind(by.as_str())
        .bind(now())
        .execute(&mut **tx)
        .await?;
        scopes.push(scope);
    }
    Ok(scopes)
}

/// Records, for the receiver, the documents of the sending case that go with a handover:
/// new rows owned by the receiver over the same originals (originals are never changed).
/// Returns the file names copied.
pub async fn copy_documents(
    tx: &mut Tx,
    from: &CaseId,
    ids: &[DocumentId],
    to_case: &CaseId,
    to_member: &MemberId,
    by: &UserId,
) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for id in ids {
        let row = sqlx::query(
            "SELECT filename, content_type, size, sha256, storage_key FROM documents WHERE id = $1 AND case_id = $2",
        )
        .bind(id.as_str())
        .bind(from.as_str())
        .fetch_optional(&mut **tx)
        .await?;
        let Some(r) = row else { continue };
        let filename: String = get(&r, "filename")?;
        sqlx::query(
            "INSERT INTO documents (id, owner_member_id, case_id, request_id, filename, content_type, size, sha256, storage_key, uploaded_by, created_at) \
             VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(DocumentId::generate().as_str())
        .bind(to_member.as_str())
        .bind(to_case.as_str())
        .bind(&filename)
        .bind(get::<String>(&r, "content_type")?)
        .bind(get::<i64>(&r, "size")?)
        .bind(get::<String>(&r, "sha256")?)
        .bind(get::<String>(&r, "storage_key")?)
        .bind(by.as_str())
        .bind(now())
        .execute(&mut **tx)
        .await?;
        names.push(filename);
    }
    Ok(names)
}
