//! The documents repository: the rows that describe the originals kept in the document store
//! (who owns them, where they are attached, their hash and where the bytes are).

use kinbridge_domain::ids::{CaseId, DocumentId, MemberId, UserId};
use serde::Serialize;

use crate::rows::get;
use crate::{now, Result, Tx};

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Document {
    pub id: DocumentId,
    pub owner_member_id: MemberId,
    pub case_id: Option<String>,
    pub request_id: Option<String>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub created_at: String,
}

/// A document to record, its bytes already in the document store under `storage_key`.
pub struct NewDocument<'a> {
    pub id: &'a DocumentId,
    pub owner: &'a MemberId,
    pub case_id: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub storage_key: &'a str,
    pub uploaded_by: &'a UserId,
}

const SELECT: &str =
    "SELECT d.id, d.owner_member_id, d.case_id, d.request_id, d.filename, d.content_type, d.size, d.sha256, \
     u.display_name AS uploaded_by, d.created_at, d.storage_key FROM documents d JOIN users u ON u.id = d.uploaded_by";

fn document_from(row: &sqlx::any::AnyRow) -> Result<Document> {
    Ok(Document {
        id: DocumentId::from_trusted(get(row, "id")?),
        owner_member_id: MemberId::from_trusted(get(row, "owner_member_id")?),
        case_id: get(row, "case_id")?,
        request_id: get(row, "request_id")?,
        filename: get(row, "filename")?,
        content_type: get(row, "content_type")?,
        size: get(row, "size")?,
        sha256: get(row, "sha256")?,
        uploaded_by: get(row, "uploaded_by")?,
        created_at: get(row, "created_at")?,
    })
}

pub async fn insert(tx: &mut Tx, new: &NewDocument<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO documents (id, owner_member_id, case_id, request_id, filename, content_type, size, sha256, storage_key, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(new.id.as_str())
    .bind(new.owner.as_str())
    .bind(new.case_id.map(str::to_string))
    .bind(new.request_id.map(str::to_string))
    .bind(new.filename)
    .bind(new.content_type)
    .bind(new.size)
    .bind(new.sha256)
    .bind(new.storage_key)
    .bind(new.uploaded_by.as_str())
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A document and the key of its bytes in the document store.
pub async fn by_id(pool: &sqlx::AnyPool, id: &DocumentId) -> Result<Option<(Document, String)>> {
    let row = sqlx::query(&format!("{SELECT} WHERE d.id = $1")).bind(id.as_str()).fetch_optional(pool).await?;
    row.map(|r| Ok((document_from(&r)?, get(&r, "storage_key")?))).transpose()
}

/// The sending member's documents of a case, newest first (not the partner's replies).
pub async fn of_case<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(e: E, case_id: &CaseId) -> Result<Vec<Document>> {
    let rows = sqlx::query(&format!("{SELECT} WHERE d.case_id = $1 ORDER BY d.created_at DESC"))
        .bind(case_id.to_string())
        .fetch_all(e)
        .await?;
    rows.iter().map(document_from).collect()
}

/// Everything in a case's file: the member's own documents and those either side attached
/// to the case's requests (a partner's report among them), newest first.
pub async fn file_of_case<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    e: E,
    case_id: &CaseId,
) -> Result<Vec<Document>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE d.case_id = $1 OR d.request_id IN (SELECT id FROM requests WHERE case_id = $1) ORDER BY d.created_at DESC"
    ))
    .bind(case_id.to_string())
    .fetch_all(e)
    .await?;
    rows.iter().map(document_from).collect()
}

/// Documents either side may see on a request: those shared with it and those uploaded to it.
pub async fn of_request<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    e: E,
    request_id: &str,
) -> Result<Vec<Document>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE d.request_id = $1 OR d.id IN (SELECT document_id FROM request_documents WHERE request_id = $1) ORDER BY d.created_at"
    ))
    .bind(request_id.to_string())
    .fetch_all(e)
    .await?;
    rows.iter().map(document_from).collect()
}

/// The two members of every request a document was uploaded to or shared with.
pub async fn request_parties(pool: &sqlx::AnyPool, document: &Document) -> Result<Vec<(MemberId, MemberId)>> {
    let rows = sqlx::query(
        "SELECT from_member_id, to_member_id FROM requests WHERE id = $1 OR id IN (SELECT request_id FROM request_documents WHERE document_id = $2)",
    )
    .bind(document.request_id.clone().unwrap_or_default())
    .bind(document.id.as_str())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((MemberId::from_trusted(get(r, "from_member_id")?), MemberId::from_trusted(get(r, "to_member_id")?)))
        })
        .collect()
}
