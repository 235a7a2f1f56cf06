//! The network directory: members, their country, languages, services and contacts.

use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::ids::MemberId;
use kinbridge_domain::member::{Member, MemberCode, NewMember};
use kinbridge_domain::ErrorCode;
use kinbridge_store::audit::append;
use kinbridge_store::members;

use crate::{system_entry, taken, Casework, Result};

impl Casework {
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn create_member(&self, new: &NewMember) -> Result<Member> {
        let mut tx = self.begin_write().await?;
        let id = MemberId::generate();
        members::insert(&mut tx, &id, new).await.map_err(|e| taken(e, ErrorCode::MemberCodeTaken))?;
        append(
            &mut tx,
            &[system_entry(
                AuditAction::Admin,
                "member",
                Some(id.as_str()),
                None,
                &format!("created member {}", new.code.as_str()),
            )],
        )
        .await?;
        tx.commit().await?;
        self.lists.clear();
        Ok(Member {
            id,
            code: new.code.clone(),
            name: new.name.clone(),
            country: new.country,
            kind: new.kind,
            languages: new.languages.clone(),
            services: new.services.clone(),
            email: new.email.clone(),
            phone: new.phone.clone(),
            address: new.address.clone(),
        })
    }

    /// The whole directory; every signed-in user may read it.
    /// The network directory (kept for `ListCache::TTL`, shared, not copied, by every page).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn members(&self) -> Result<std::sync::Arc<Vec<Member>>> {
        if let Some(m) = self.lists.members() {
            return Ok(m);
        }
        let members = std::sync::Arc::new(members::all(self.pool()).await?);
        self.lists.set_members(std::sync::Arc::clone(&members));
        Ok(members)
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn member_by_code(&self, code: &str) -> Result<Option<Member>> {
        // A code that is not one names no member.
        let Ok(code) = MemberCode::parse(code) else { return Ok(None) };
        Ok(members::by_code(self.pool(), &code).await?)
    }

    /// The partner a case is sent or handed to, named by its code in the field `to_member`:
    /// a member that exists and is not the case's own.
    pub(crate) async fn partner_of(&self, code: &str, case: &kinbridge_domain::case::Case) -> Result<Member> {
        let to = self
            .member_by_code(code)
            .await?
            .ok_or(kinbridge_domain::DomainError::field("to_member", kinbridge_domain::ErrorCode::UnknownMember))?;
        if to.id == case.member_id {
            return Err(
                kinbridge_domain::DomainError::field("to_member", kinbridge_domain::ErrorCode::SameMember).into()
            );
        }
        Ok(to)
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn member(&self, id: &MemberId) -> Result<Option<Member>> {
        Ok(members::by_id(self.pool(), id).await?)
    }
}
