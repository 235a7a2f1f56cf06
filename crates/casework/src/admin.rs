//! Administration: the accounts of a member (invite, deactivate, reset a password with a
//! one-time link, change a role) for the member's administrator and the system
//! administrator, and the members of the network for the system administrator. Every change
//! is audited; a refused attempt on another member's account answers not found.

use chrono::Duration;
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::ids::{MemberId, UserId};
use kinbridge_domain::member::{Member, NewMember};
use kinbridge_domain::{DomainError, ErrorCode, FieldError, Role};
pub use kinbridge_store::accounts::Account;
use kinbridge_store::accounts::{self, NewAccount, NO_PASSWORD};
use kinbridge_store::audit::append;

use crate::accounts::{hash_password, random_token, token_hash};
use crate::{taken, Caller, Casework, Error, Result};

/// How long an invitation's link works.
const INVITATION_DAYS: i64 = 7;
/// How long a reset link works.
const RESET_DAYS: i64 = 2;

/// An invitation: the account, and the one-time link's token (shown once, never stored).
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Invitation {
    pub account: Account,
    pub token: String,
}

impl Casework {
    /// The accounts of a member the caller administers.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn member_accounts(&self, caller: &Caller, member: &MemberId) -> Result<Vec<Account>> {
        if !caller.actor.can_manage_users(member) {
            return Err(self.denied(caller, "member", member.as_str()).await);
        }
        let list = accounts::of_member(self.pool(), member).await?;
        self.audit(vec![caller.entry(AuditAction::List, "user", Some(member.as_str()), "accounts")]).await?;
        Ok(list)
    }

    /// An account the caller administers, or not found (audited).
    async fn administered(&self, caller: &Caller, id: &str) -> Result<Account> {
        let found = match UserId::parse(id) {
            Some(uid) => accounts::account(self.pool(), &uid).await?,
            None => None,
        };
        match found {
            Some(a) if caller.actor.can_manage_users(&a.user.member_id) => Ok(a),
            _ => Err(self.denied(caller, "user", id).await),
        }
    }

    /// Creates an account at a member with no password, and a one-time link to set one.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn invite_user(
        &self,
        caller: &Caller,
        member: &MemberId,
        role: &str,
        email: &str,
        display_name: &str,
    ) -> Result<Invitation> {
        if !caller.actor.can_manage_users(member) {
            return Err(self.denied(caller, "member", member.as_str()).await);
        }
        let role = Role::parse(role.trim()).ok_or(FieldError::new("role", ErrorCode::InvalidChoice));
        let role = role.and_then(|r| {
            if caller.actor.can_grant(r) {
                Ok(r)
            } else {
                Err(FieldError::new("role", ErrorCode::RoleNotYours))
            }
        });
        let email = kinbridge_domain::text::email("email", email);
        let name = match (&email, display_name.trim()) {
            (Ok(e), "") => Ok(e.split('@').next().unwrap_or_default().to_string()),
            (_, n) => kinbridge_domain::text::required("display_name", n, 200),
        };
        let (role, email, name) = match (role, email, name) {
            (Ok(r), Ok(e), Ok(n)) => (r, e, n),
            (a, b, c) => return Err(kinbridge_domain::error::invalid([a.err(), b.err(), c.err()]).into()),
        };
        let id = UserId::generate();
        let token = random_token();
        let mut tx = self.begin_write().await?;
        let account = NewAccount {
            member_id: member,
            email: &email,
            display_name: &name,
            role,
            password_hash: NO_PASSWORD,
            locale: "en",
        };
        accounts::insert(&mut tx, &id, &account).await.map_err(|e| taken(e, ErrorCode::EmailTaken))?;
        let expires = crate::stamp_in(Duration::days(INVITATION_DAYS));
        accounts::insert_token(&mut tx, &token_hash(&token), &id, "invitation", &caller.actor.user_id, &expires)
            .await?;
        append(&mut tx, &[caller.entry(AuditAction::Admin, "user", Some(id.as_str()), &format!("invited as {role}"))])
            .await?;
        tx.commit().await?;
        self.lists.clear();
        let account = accounts::account(self.pool(), &id).await?.ok_or_else(Error::not_found)?;
        Ok(Invitation { account, token })
    }

    /// Locks the account's password and sessions at once and makes a one-time link to set a
    /// new one (for a forgotten or exposed password).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn reset_password(&self, caller: &Caller, id: &str) -> Result<Invitation> {
        let a = self.administered(caller, id).await?;
        if a.user.id == caller.actor.user_id {
            return Err(DomainError::field("user", ErrorCode::OwnAccount).into());
        }
        let token = random_token();
        let mut tx = self.begin_write().await?;
        accounts::set_password(&mut tx, &a.user.id, NO_PASSWORD).await?;
        accounts::end_sessions(&mut tx, &a.user.id).await?;
        let expires = crate::stamp_in(Duration::days(RESET_DAYS));
        accounts::insert_token(&mut tx, &token_hash(&token), &a.user.id, "reset", &caller.actor.user_id, &expires)
            .await?;
        append(&mut tx, &[caller.entry(AuditAction::Admin, "user", Some(a.user.id.as_str()), "password reset")])
            .await?;
        tx.commit().await?;
        let account = accounts::account(self.pool(), &a.user.id).await?.ok_or_else(Error::not_found)?;
        Ok(Invitation { account, token })
    }

    /// Deactivates (ending every session at once) or reactivates an account.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn set_user_active(&self, caller: &Caller, id: &str, active: bool) -> Result<Account> {
        let a = self.administered(caller, id).await?;
        if a.user.id == caller.actor.user_id {
            return Err(DomainError::field("user", ErrorCode::OwnAccount).into());
        }
        let mut tx = self.begin_write().await?;
        accounts::set_active(&mut tx, &a.user.id, active).await?;
        if !active {
            accounts::end_sessions(&mut tx, &a.user.id).await?;
        }
        let what = if active { "reactivated" } else { "deactivated" };
        append(&mut tx, &[caller.entry(AuditAction::Admin, "user", Some(a.user.id.as_str()), what)]).await?;
        tx.commit().await?;
        self.lists.clear();
        accounts::account(self.pool(), &a.user.id).await?.ok_or_else(Error::not_found)
    }

    /// Gives an account another role (one the caller may give).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn change_role(&self, caller: &Caller, id: &str, role: &str) -> Result<Account> {
        let a = self.administered(caller, id).await?;
        let role = Role::parse(role.trim()).ok_or(DomainError::field("role", ErrorCode::InvalidChoice))?;
        if !caller.actor.can_grant(role) || !caller.actor.can_grant(a.user.role) {
            return Err(DomainError::field("role", ErrorCode::RoleNotYours).into());
        }
        if a.user.id == caller.actor.user_id {
            return Err(DomainError::field("user", ErrorCode::OwnAccount).into());
        }
        let mut tx = self.begin_write().await?;
        accounts::set_role(&mut tx, &a.user.id, role).await?;
        let detail = format!("role {} -> {role}", a.user.role);
        append(&mut tx, &[caller.entry(AuditAction::Admin, "user", Some(a.user.id.as_str()), &detail)]).await?;
        tx.commit().await?;
        self.lists.clear();
        accounts::account(self.pool(), &a.user.id).await?.ok_or_else(Error::not_found)
    }

    /// Whether a one-time link still works.
    pub async fn link_works(&self, token: &str) -> Result<bool> {
        Ok(accounts::token_works(self.pool(), &token_hash(token)).await?)
    }

    /// Sets the password through a one-time link; the link is spent.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn set_password_with_link(&self, token: &str, password: &str, ip: Option<&str>) -> Result<Account> {
        let hash = hash_password(password).map_err(|e| DomainError::Invalid(vec![e]))?;
        let mut tx = self.begin_write().await?;
        let (user, purpose) = accounts::take_token(&mut tx, &token_hash(token))
            .await?
            .ok_or(DomainError::field("token", ErrorCode::LinkExpired))?;
        accounts::set_password(&mut tx, &user, &hash).await?;
        append(
            &mut tx,
            &[crate::system_entry(
                AuditAction::Admin,
                "user",
                Some(user.as_str()),
                ip,
                &format!("password set ({purpose})"),
            )],
        )
        .await?;
        tx.commit().await?;
        accounts::account(self.pool(), &user).await?.ok_or_else(Error::not_found)
    }

    /// Adds a member to the network (the system administrator).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn add_member(&self, caller: &Caller, new: &NewMember) -> Result<Member> {
        caller.actor.require(caller.actor.can_manage_members())?;
        let member = self.create_member(new).await?;
        self.audit(vec![caller.entry(AuditAction::Admin, "member", Some(member.id.as_str()), member.code.as_str())])
            .await?;
        Ok(member)
    }
}
