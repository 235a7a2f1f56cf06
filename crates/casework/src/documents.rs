//! Documents: originals kept unchanged in the object store (a local folder by default),
//! with their content hash; metadata and access in the database.

use bytes::Bytes;
use kinbridge_domain::access::{CaseAccess, Party};
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::case::EventKind;
use kinbridge_domain::case::Fact;
use kinbridge_domain::document::{clean_filename, ContentKind};
use kinbridge_domain::ids::{CaseId, DocumentId, RequestId};
use kinbridge_domain::DomainError;
use object_store::path::Path as BlobPath;
use object_store::{ObjectStoreExt, PutPayload};
use sha2::{Digest, Sha256};

use kinbridge_store::audit::append;
use kinbridge_store::documents::{self, NewDocument};
use kinbridge_store::requests;

use crate::cases::event;
use crate::{Caller, Casework, Error, Result};

pub use kinbridge_store::documents::Document;

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
                (Some(case.id.to_string()), None, case.id)
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
            let new = NewDocument {
                id: &id,
                owner: &caller.actor.member_id,
                case_id: case_id.as_deref(),
                request_id: request_id.as_deref(),
                filename: &filename,
                content_type: kind.mime(),
                size,
                sha256: &sha,
                storage_key: &key,
                uploaded_by: &caller.actor.user_id,
            };
            documents::insert(&mut tx, &new).await?;
            // On the case's timeline either way: a partner's document to a request is part
            // of the case's file.
            let mut facts = vec![Fact::text(&filename)];
            if request_id.is_some() {
                let code = self.member(&caller.actor.member_id).await?.map(|m| m.code.as_str().to_string());
                facts.extend(code.map(|c| Fact::term(kinbridge_domain::case::Vocab::Member, c)));
            }
            event(&mut tx, &timeline_case, Some(&caller.actor.user_id), EventKind::DocumentUploaded, &facts).await?;
            append(
                &mut tx,
                &[caller.entry(
                    AuditAction::Create,
                    "document",
                    Some(id.as_str()),
                    &format!("{filename} sha256:{sha}"),
                )],
            )
            .await?;
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
        documents::by_id(self.pool(), &id).await?.map(|(doc, _)| doc).ok_or_else(Error::not_found)
    }

    async fn request_party(&self, caller: &Caller, id: &str) -> Result<(String, CaseId, Party)> {
        let found = match RequestId::parse(id) {
            Some(rid) => requests::parties(self.pool(), &rid).await?,
            None => None,
        };
        if let Some(r) = found {
            if let Some(p) = caller.actor.party(&r.from, &r.to) {
                return Ok((r.id.to_string(), r.case_id, p));
            }
        }
        Err(self.denied(caller, "request", id).await)
    }

    /// A document's bytes, if the caller may see it: its member's caseworkers through the
    /// case, or either side of a request it was uploaded to or shared with. Audited.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn download_document(&self, caller: &Caller, id: &str) -> Result<(Document, Bytes)> {
        let found = match DocumentId::parse(id) {
            Some(d) => documents::by_id(self.pool(), &d).await?,
            None => None,
        };
        let Some((doc, key)) = found else {
            return Err(self.denied(caller, "document", id).await);
        };
        let through_case = doc.case_id.is_some() && caller.actor.case_access(&doc.owner_member_id) >= CaseAccess::Read;
        let through_request = if through_case {
            false
        } else {
            let parties = documents::request_parties(self.pool(), &doc).await?;
            parties.iter().any(|(from, to)| caller.actor.party(from, to).is_some())
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
        let docs = documents::of_case(self.pool(), &case.id).await?;
        self.audit(vec![caller.entry(AuditAction::Read, "case", Some(case.id.as_str()), "documents")]).await?;
        Ok(docs)
    }
}
