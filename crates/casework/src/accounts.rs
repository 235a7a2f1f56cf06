//! Accounts: users, their passwords (argon2id), login sessions and the login rate limit.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::error::FieldError;
use kinbridge_domain::ids::{MemberId, UserId};
use kinbridge_domain::ErrorCode;
use kinbridge_domain::{text, DomainError, Role};
use sha2::{Digest, Sha256};

use kinbridge_store::accounts::{self, AttemptKey, NewAccount};
use kinbridge_store::audit::append;
use kinbridge_store::members;

use crate::{system_entry, taken, Caller, Casework, Error, Result};

/// How long a login lasts.
const SESSION_HOURS: i64 = 12;
pub const MIN_PASSWORD_CHARS: usize = 10;
pub const LOCALES: &[&str] = &["en", "fr", "es", "ar"];

pub use kinbridge_store::accounts::User;

#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    /// The user's unread notifications when the session was read.
    pub unread_notices: i64,
    /// Held from case files by the member's training rule (see [`Casework::training_hold`]).
    pub training_hold: bool,
}

pub enum LoginOutcome {
    /// The raw session token: given to the client once, stored only as a hash.
    LoggedIn {
        token: String,
        session: Box<Session>,
    },
    BadCredentials,
    /// Too many recent failures: try again after this long (see `kinbridge_domain::signin`).
    TooManyAttempts {
        retry_after: std::time::Duration,
    },
}

impl Casework {
    /// How long a sign-in to `email` from `ip` must still wait: the longest of the three
    /// throttles of `kinbridge_domain::signin`.
    async fn signin_wait(&self, email: &str, ip: &str) -> Result<std::time::Duration> {
        use kinbridge_domain::signin::{PER_ACCOUNT, PER_ACCOUNT_AND_ADDRESS, PER_ADDRESS, WINDOW};
        let now = chrono::Utc::now();
        let since =
            (now - chrono::Duration::from_std(WINDOW).unwrap_or_default()).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        // Each throttle counts the failures of its key in the window; those of an account
        // (from one address or any) only since its last success.
        let keys = [
            (AttemptKey::AccountAndAddress, PER_ACCOUNT_AND_ADDRESS),
            (AttemptKey::Address, PER_ADDRESS),
            (AttemptKey::Account, PER_ACCOUNT),
        ];
        let mut wait = std::time::Duration::ZERO;
        for (key, backoff) in keys {
            let (failures, last) = accounts::failures(self.pool(), key, email, ip, &since).await?;
            let failures = u32::try_from(failures).unwrap_or(u32::MAX);
            let Some(last) = last else { continue };
            let last = chrono::DateTime::parse_from_rfc3339(&last)
                .map_err(|e| Error::corrupt(format!("login_attempts.at {last:?}: {e}")))?;
            let since_last = (now - last.with_timezone(&chrono::Utc)).to_std().unwrap_or_default();
            wait = wait.max(backoff.remaining(failures, since_last));
        }
        Ok(wait)
    }
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, FieldError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(FieldError::new("password", ErrorCode::PasswordTooShort));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| FieldError::new("password", ErrorCode::PasswordRejected))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Spends the same time as a real check, so that a wrong e-mail cannot be told from a
/// wrong password by timing.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn burn_password_check(password: &str) -> bool {
    let hash = DUMMY_HASH.get_or_init(|| hash_password(&random_token()).unwrap_or_default());
    verify_password(password, hash)
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) fn random_token() -> String {
    format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

/// A new account, parsed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub member_code: String,
    pub role: Role,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub locale: String,
}

impl NewUser {
    pub fn parse(
        member_code: &str,
        role: &str,
        email: &str,
        display_name: &str,
        password: &str,
    ) -> Result<Self, DomainError> {
        let role = Role::parse(role.trim()).ok_or(FieldError::new("role", ErrorCode::InvalidChoice));
        let email = text::email("email", email);
        let name = if display_name.trim().is_empty() {
            email.clone().map(|e| e.split('@').next().unwrap_or_default().to_string())
        } else {
            text::required("display_name", display_name, 200)
        };
        match (role, email, name, hash_password(password)) {
            (Ok(role), Ok(email), Ok(display_name), Ok(password_hash)) => Ok(Self {
                member_code: member_code.trim().to_ascii_uppercase(),
                role,
                email,
                display_name,
                password_hash,
                locale: "en".into(),
            }),
            (a, b, c, d) => Err(kinbridge_domain::error::invalid([a.err(), b.err(), c.err(), d.err()])),
        }
    }
}

impl Casework {
    /// Creates an account at a member; e-mails are unique across the network.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn create_user(&self, new: &NewUser) -> Result<User> {
        let mut tx = self.begin_write().await?;
        let member_id = members::id_of_code(&mut tx, &new.member_code)
            .await?
            .ok_or(Error::Domain(DomainError::field("member", ErrorCode::UnknownMember)))?;
        let id = UserId::generate();
        let account = NewAccount {
            member_id: &member_id,
            email: &new.email,
            display_name: &new.display_name,
            role: new.role,
            password_hash: &new.password_hash,
            locale: &new.locale,
        };
        accounts::insert(&mut tx, &id, &account).await.map_err(|e| taken(e, ErrorCode::EmailTaken))?;
        append(
            &mut tx,
            &[system_entry(
                AuditAction::Admin,
                "user",
                Some(id.as_str()),
                None,
                &format!("created {} as {}", new.email, new.role),
            )],
        )
        .await?;
        tx.commit().await?;
        self.lists.clear();
        self.user(&id).await?.ok_or_else(Error::not_found)
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn user(&self, id: &UserId) -> Result<Option<User>> {
        Ok(accounts::by_id(self.pool(), id).await?)
    }

    /// An active account by e-mail (for the command line's `--as`).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        Ok(accounts::active_by_email(self.pool(), &email.trim().to_lowercase()).await?)
    }

    /// The first active account with a role (the command line acts as the system administrator).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn first_user_with_role(&self, role: Role) -> Result<Option<User>> {
        Ok(accounts::first_with_role(self.pool(), role).await?)
    }

    /// The active caseworkers and supervisors of a member, for assignment lists.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn colleagues(&self, member_id: &MemberId) -> Result<std::sync::Arc<Vec<User>>> {
        if let Some(users) = self.lists.colleagues(member_id.as_str()) {
            return Ok(users);
        }
        let users = std::sync::Arc::new(accounts::colleagues(self.pool(), member_id).await?);
        self.lists.set_colleagues(member_id.as_str(), std::sync::Arc::clone(&users));
        Ok(users)
    }

    /// Checks the password, under the sign-in throttle, and opens a session. Every attempt is
    /// recorded and audited; one refused by the throttle is audited but not counted.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn login(&self, email: &str, password: &str, ip: &str) -> Result<LoginOutcome> {
        let email = email.trim().to_lowercase();
        let retry_after = self.signin_wait(&email, ip).await?;
        if !retry_after.is_zero() {
            self.audit(vec![system_entry(
                AuditAction::LoginFailed,
                "user",
                None,
                Some(ip),
                &format!("{email}: throttled for {} s", retry_after.as_secs()),
            )])
            .await?;
            return Ok(LoginOutcome::TooManyAttempts { retry_after });
        }
        let found = accounts::password_of(self.pool(), &email).await?;
        let user_id = match found {
            Some((id, hash)) if verify_password(password, &hash) => Some(id),
            Some(_) => None,
            None => {
                let _never_matches = burn_password_check(password);
                None
            }
        };
        let mut tx = self.begin_write().await?;
        accounts::record_attempt(&mut tx, &email, ip, user_id.is_some()).await?;
        let Some(user_id) = user_id else {
            append(&mut tx, &[system_entry(AuditAction::LoginFailed, "user", None, Some(ip), &email)]).await?;
            tx.commit().await?;
            return Ok(LoginOutcome::BadCredentials);
        };
        // Expired sessions and old sign-in attempts have no use left; they go here, where
        // a write lock is held anyway.
        let week_ago = (chrono::Utc::now() - chrono::Duration::days(7)).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        accounts::prune(&mut tx, &week_ago).await?;
        let token = random_token();
        let csrf_token = random_token();
        let expires =
            (chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS)).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        accounts::insert_session(&mut tx, &token_hash(&token), &user_id, &csrf_token, &expires).await?;
        let mut entry = system_entry(AuditAction::Login, "user", Some(user_id.as_str()), Some(ip), "");
        entry.user_id = Some(user_id.to_string());
        append(&mut tx, &[entry]).await?;
        tx.commit().await?;
        let user = self.user(&user_id).await?.ok_or_else(Error::not_found)?;
        let training_hold = self.training_hold(&user).await?;
        Ok(LoginOutcome::LoggedIn {
            token,
            session: Box::new(Session { user, csrf_token, unread_notices: 0, training_hold }),
        })
    }

    /// The live session for a token, if any.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let Some((user, csrf_token, unread_notices)) = accounts::session(self.pool(), &token_hash(token)).await? else {
            return Ok(None);
        };
        let training_hold = self.training_hold(&user).await?;
        Ok(Some(Session { user, csrf_token, unread_notices, training_hold }))
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn logout(&self, caller: &Caller, token: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        accounts::delete_session(&mut tx, &token_hash(token)).await?;
        append(&mut tx, &[caller.entry(AuditAction::Logout, "user", Some(caller.actor.user_id.as_str()), "")]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The time zone the caller reads times in: an IANA name (`Europe/Zurich`), or `UTC`.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn set_time_zone(&self, caller: &Caller, zone: &str) -> Result<()> {
        let zone: chrono_tz::Tz =
            zone.trim().parse().map_err(|_| DomainError::field("time_zone", ErrorCode::InvalidChoice))?;
        let mut tx = self.begin_write().await?;
        accounts::set_time_zone(&mut tx, &caller.actor.user_id, zone.name()).await?;
        append(
            &mut tx,
            &[caller.entry(
                AuditAction::Update,
                "user",
                Some(caller.actor.user_id.as_str()),
                &format!("time zone {}", zone.name()),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn set_locale(&self, caller: &Caller, locale: &str) -> Result<()> {
        if !LOCALES.contains(&locale) {
            return Err(DomainError::field("locale", ErrorCode::InvalidChoice).into());
        }
        let mut tx = self.begin_write().await?;
        accounts::set_locale(&mut tx, &caller.actor.user_id, locale).await?;
        append(
            &mut tx,
            &[caller.entry(
                AuditAction::Update,
                "user",
                Some(caller.actor.user_id.as_str()),
                &format!("locale {locale}"),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert_eq!(hash_password("short").unwrap_err().code, "password_too_short");
    }

    #[test]
    fn dummy_check_runs_a_real_verification() {
        assert!(!burn_password_check("anything"));
        assert!(PasswordHash::new(DUMMY_HASH.get().unwrap()).is_ok());
    }
}
