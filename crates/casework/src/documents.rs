//! Documents: originals kept unchanged in the object store (a local folder by default),
//! with their content hash; metadata and access in the database.

use bytes::Bytes;
use kinbridge_domain::access::{CaseAccess, Party};
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::case::EventKind;
use kinbridge_domain::document::{clean_filename, ContentKind};
use kinbridge_domain::ids::{DocumentId, MemberId, RequestId};
use kinbridge_domain::DomainError;
use object_store::path::Path as BlobPath;
use object_store::{ObjectStoreExt, PutPayload};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::cases::event;
use crate::{get, now, Caller, Casework, Error, Result};
use kinbridge_store::audit::append;

#[derive(Debug, Clone, Serialize)]
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

const DOC_SELECT: &str =
    "SELECT d.id, d.owner_member_id, d.case_id, d.request_id, d.filename, d.content_type, d.size, d.sha256, \
     u.display_name AS uploaded_by, d.created_at, d.storage_key FROM documents d JOIN users u ON u.id = d.uploaded_by";

fn doc_from(row: &sqlx::any::AnyRow) -> Result<Document> {
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

/// Where a document is attached.
pub enum Attach<'a> {
    Case(&'a str),
    Request(&'a str),
}

impl Casework {
    /// Checks the content, stores the original, then records it; if recording fails, the
    /// stored file is removed again so nothing is left half-written.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn upload_document(
        &self,
        caller: &Caller,
        to: Attach<'_>,
        filename: &str,
        bytes: Bytes,
    ) -> Result<Document> {
        let (case_id, request_id, timeline_case) = match to {
            Attach::Case(id) => {
                let case = self.authorize_case(caller, id, CaseAccess::Write).await?;
                (Some(case.id.to_string()), None, case.id.to_string())
            }
            Attach::Request(id) => {
                let detail_party = self.request_party(caller, id).await?;
                let (rid, case_id, party) = detail_party;
                caller.actor.require(party != Party::Observer)?;
                (None, Some(rid), case_id)
            }
        };
        let kind = ContentKind::sniff(&bytes).map_err(|e| DomainError::Invalid(vec![e]))?;
        let filename = clean_filename(filename).map_err(|e| DomainError::Invalid(vec![e]))?;
        let id = DocumentId::generate();
        let sha = hex::encode(Sha256::digest(&bytes));
        let key = format!("{}/{}", caller.actor.member_id, id);
        let size = bytes.len() as i64;
        self.store.blobs().put(&BlobPath::from(key.as_str()), PutPayload::from_bytes(bytes)).await?;
        let recorded = async {
            let mut tx = self.begin_write().await?;
            sqlx::query(
                "INSERT INTO documents (id, owner_member_id, case_id, request_id, filename, content_type, size, sha256, storage_key, uploaded_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(id.as_str())
            .bind(caller.actor.member_id.as_str())
            .bind(case_id.clone())
            .bind(request_id.clone())
            .bind(&filename)
            .bind(kind.mime())
            .bind(size)
            .bind(&sha)
            .bind(&key)
            .bind(caller.actor.user_id.as_str())
            .bind(now())
            .execute(&mut *tx)
            .await?;
            if case_id.is_some() {
                event(&mut tx, &timeline_case, Some(&caller.actor.user_id), EventKind::DocumentUploaded, &filename).await?;
            }
            append(&mut tx, &[caller.entry(AuditAction::Create, "document", Some(id.as_str()), &format!("{filename} sha256:{sha}"))]).await?;
            tx.commit().await?;
            Ok::<_, Error>(())
        }
        .await;
        if let Err(e) = recorded {
            if let Err(cleanup) = self.store.blobs().delete(&BlobPath::from(key.as_str())).await {
                tracing::error!(error = %cleanup, key, "could not remove an unrecorded document");
            }
            return Err(e);
        }
        let row =
            sqlx::query(&format!("{DOC_SELECT} WHERE d.id = $1")).bind(id.as_str()).fetch_one(self.pool()).await?;
        doc_from(&row)
    }

    async fn request_party(&self, caller: &Caller, id: &str) -> Result<(String, String, Party)> {
        let row = match RequestId::parse(id) {
            Some(rid) => {
                sqlx::query("SELECT id, case_id, from_member_id, to_member_id FROM requests WHERE id = $1")
                    .bind(rid.as_str())
                    .fetch_optional(self.pool())
                    .await?
            }
            None => None,
        };
        if let Some(r) = row {
            let from = MemberId::from_trusted(get(&r, "from_member_id")?);
            let to = MemberId::from_trusted(get(&r, "to_member_id")?);
            if let Some(p) = caller.actor.party(&from, &to) {
                return Ok((get(&r, "id")?, get(&r, "case_id")?, p));
            }
        }
        Err(self.denied(caller, "request", id).await)
    }

    /// A document's bytes, if the caller may see it: its member's caseworkers through the
    /// case, or either side of a request it was uploaded to or shared with. Audited.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn download_document(&self, caller: &Caller, id: &str) -> Result<(Document, Bytes)> {
        let row = match DocumentId::parse(id) {
            Some(d) => {
                sqlx::query(&format!("{DOC_SELECT} WHERE d.id = $1"))
                    .bind(d.as_str())
                    .fetch_optional(self.pool())
                    .await?
            }
            None => None,
        };
        let Some(row) = row else {
            return Err(self.denied(caller, "document", id).await);
        };
        let doc = doc_from(&row)?;
        let key: String = get(&row, "storage_key")?;
        let through_case = doc.case_id.is_some() && caller.actor.case_access(&doc.owner_member_id) >= CaseAccess::Read;
        let through_request = if through_case {
            false
        } else {
            let requests = sqlx::query(
                "SELECT from_member_id, to_member_id FROM requests WHERE id = $1 OR id IN (SELECT request_id FROM request_documents WHERE document_id = $2)",
            )
            .bind(doc.request_id.clone().unwrap_or_default())
            .bind(doc.id.as_str())
            .fetch_all(self.pool())
            .await?;
            let mut party = false;
            for r in &requests {
                let from = MemberId::from_trusted(get(r, "from_member_id")?);
                let to = MemberId::from_trusted(get(r, "to_member_id")?);
                party |= caller.actor.party(&from, &to).is_some();
            }
            party
        };
        if !(through_case || through_request) {
            return Err(self.denied(caller, "document", id).await);
        }
        let bytes = self.store.blobs().get(&BlobPath::from(key.as_str())).await?.bytes().await?;
        self.audit(vec![caller.entry(AuditAction::Download, "document", Some(doc.id.as_str()), &doc.filename)]).await?;
        Ok((doc, bytes))
    }

    /// Documents of a case, audited.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn documents(&self, caller: &Caller, case_id: &str) -> Result<Vec<Document>> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Read).await?;
        let docs = documents_of_case(self.pool(), case.id.as_str()).await?;
        self.audit(vec![caller.entry(AuditAction::Read, "case", Some(case.id.as_str()), "documents")]).await?;
        Ok(docs)
    }
}

/// The sender's own documents on a case (not the partner's replies).
pub(crate) async fn documents_of_case<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    e: E,
    case_id: &str,
) -> Result<Vec<Document>> {
    let rows = sqlx::query(&format!("{DOC_SELECT} WHERE d.case_id = $1 ORDER BY d.created_at DESC"))
        .bind(case_id.to_string())
        .fetch_all(e)
        .await?;
    rows.iter().map(doc_from).collect()
}

/// Documents either side may see on a request: those shared with it and those uploaded to it.
pub(crate) async fn documents_of_request<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    e: E,
    request_id: &str,
) -> Result<Vec<Document>> {
    let rows = sqlx::query(&format!(
        "{DOC_SELECT} WHERE d.request_id = $1 OR d.id IN (SELECT document_id FROM request_documents WHERE request_id = $1) ORDER BY d.created_at"
    ))
    .bind(request_id.to_string())
    .fetch_all(e)
    .await?;
    rows.iter().map(doc_from).collect()
}
