//! The accounts repository: users, sessions and sign-in attempts.

use kinbridge_domain::ids::{MemberId, UserId};
use kinbridge_domain::{Actor, Role};

use crate::rows::{get, term};
use crate::{now, Result, StoreError, Tx};

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct User {
    pub id: UserId,
    pub member_id: MemberId,
    pub member_code: String,
    pub member_name: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub locale: String,
    /// The IANA time zone the user reads times in.
    pub time_zone: String,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor { user_id: self.id.clone(), member_id: self.member_id.clone(), role: self.role, training_hold: false }
    }
}

/// An account to insert, its password already hashed.
pub struct NewAccount<'a> {
    pub member_id: &'a MemberId,
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    pub locale: &'a str,
}

const COLUMNS: &str =
    "u.id, u.member_id, m.code AS member_code, m.name AS member_name, u.email, u.display_name, u.role, u.locale, u.time_zone";

fn user_from(row: &sqlx::any::AnyRow) -> Result<User> {
    Ok(User {
        id: UserId::from_trusted(get(row, "id")?),
        member_id: MemberId::from_trusted(get(row, "member_id")?),
        member_code: get(row, "member_code")?,
        member_name: get(row, "member_name")?,
        email: get(row, "email")?,
        display_name: get(row, "display_name")?,
        role: term(&get::<String>(row, "role")?, "role", Role::parse)?,
        locale: get(row, "locale")?,
        time_zone: get(row, "time_zone")?,
    })
}

/// Inserts an active account; [`StoreError::Taken`] if its e-mail is in use.
pub async fn insert(tx: &mut Tx, id: &UserId, new: &NewAccount<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO users (id, member_id, email, display_name, role, password_hash, locale, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)",
    )
    .bind(id.as_str())
    .bind(new.member_id.as_str())
    .bind(new.email)
    .bind(new.display_name)
    .bind(new.role.as_str())
    .bind(new.password_hash)
    .bind(new.locale)
    .bind(now())
    .execute(&mut **tx)
    .await
    .map_err(StoreError::from_insert)?;
    Ok(())
}

async fn one(pool: &sqlx::AnyPool, filter: &str, value: &str) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users u JOIN members m ON m.id = u.member_id WHERE {filter}");
    sqlx::query(&sql).bind(value).fetch_optional(pool).await?.as_ref().map(user_from).transpose()
}

pub async fn by_id(pool: &sqlx::AnyPool, id: &UserId) -> Result<Option<User>> {
    one(pool, "u.id = $1", id.as_str()).await
}

/// An active account by its (lower-case) e-mail.
pub async fn active_by_email(pool: &sqlx::AnyPool, email: &str) -> Result<Option<User>> {
    one(pool, "u.email = $1 AND u.active = 1", email).await
}

/// The oldest active account with a role.
pub async fn first_with_role(pool: &sqlx::AnyPool, role: Role) -> Result<Option<User>> {
    one(pool, "u.role = $1 AND u.active = 1 ORDER BY u.created_at LIMIT 1", role.as_str()).await
}

/// The active caseworkers and supervisors of a member, by name.
pub async fn colleagues(pool: &sqlx::AnyPool, member_id: &MemberId) -> Result<Vec<User>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM users u JOIN members m ON m.id = u.member_id \
         WHERE u.member_id = $1 AND u.active = 1 AND u.role IN ('caseworker', 'supervisor') ORDER BY u.display_name"
    );
    sqlx::query(&sql).bind(member_id.as_str()).fetch_all(pool).await?.iter().map(user_from).collect()
}

/// The id and password hash of the active account with this e-mail.
pub async fn password_of(pool: &sqlx::AnyPool, email: &str) -> Result<Option<(UserId, String)>> {
    let row = sqlx::query("SELECT id, password_hash FROM users WHERE email = $1 AND active = 1")
        .bind(email)
        .fetch_optional(pool)
        .await?;
    row.map(|r| Ok((UserId::from_trusted(get(&r, "id")?), get(&r, "password_hash")?))).transpose()
}

/// What sign-in failures are counted by.
#[derive(Debug, Clone, Copy)]
pub enum AttemptKey {
    AccountAndAddress,
    Address,
    Account,
}

/// The failed sign-ins of a key after `since` (an account's only since its last success):
/// how many, and when the last was.
pub async fn failures(
    pool: &sqlx::AnyPool,
    key: AttemptKey,
    email: &str,
    ip: &str,
    since: &str,
) -> Result<(i64, Option<String>)> {
    let (filter, since_success) = match key {
        AttemptKey::AccountAndAddress => ("email = $1 AND ip = $2", true),
        AttemptKey::Address => ("ip = $2 AND $1 = $1", false),
        AttemptKey::Account => ("email = $1 AND $2 = $2", true),
    };
    let after_success = if since_success {
        format!(" AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE {filter} AND success = 1), '')")
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT COUNT(*) AS n, MAX(at) AS last FROM login_attempts WHERE {filter} AND success = 0 AND at > $3{after_success}"
    );
    let row = sqlx::query(&sql).bind(email).bind(ip).bind(since).fetch_one(pool).await?;
    Ok((get(&row, "n")?, get(&row, "last")?))
}

/// Records a sign-in attempt.
pub async fn record_attempt(tx: &mut Tx, email: &str, ip: &str, success: bool) -> Result<()> {
    sqlx::query("INSERT INTO login_attempts (id, email, ip, at, success) VALUES ($1, $2, $3, $4, $5)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(email)
        .bind(ip)
        .bind(now())
        .bind(i64::from(success))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Removes expired sessions and sign-in attempts older than `attempts_before`.
pub async fn prune(tx: &mut Tx, attempts_before: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now()).execute(&mut **tx).await?;
    sqlx::query("DELETE FROM login_attempts WHERE at < $1").bind(attempts_before).execute(&mut **tx).await?;
    Ok(())
}

/// Opens a session: stored by the hash of its token only.
pub async fn insert_session(tx: &mut Tx, token_hash: &str, user: &UserId, csrf: &str, expires: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user.as_str())
    .bind(csrf)
    .bind(now())
    .bind(expires)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The live session of a token hash: its user (active), CSRF token, and how many of the
/// user's notifications are unread (read in the same query: every page shows it).
pub async fn session(pool: &sqlx::AnyPool, token_hash: &str) -> Result<Option<(User, String, i64)>> {
    let sql = format!(
        "SELECT {COLUMNS}, s.csrf_token, \
         (SELECT COUNT(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL) AS unread \
         FROM sessions s JOIN users u ON u.id = s.user_id JOIN members m ON m.id = u.member_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1"
    );
    let row = sqlx::query(&sql).bind(token_hash).bind(now()).fetch_optional(pool).await?;
    row.map(|r| Ok((user_from(&r)?, get(&r, "csrf_token")?, get(&r, "unread")?))).transpose()
}

pub async fn delete_session(tx: &mut Tx, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut **tx).await?;
    Ok(())
}

pub async fn set_locale(tx: &mut Tx, user: &UserId, locale: &str) -> Result<()> {
    sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
        .bind(locale)
        .bind(user.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_time_zone(tx: &mut Tx, user: &UserId, zone: &str) -> Result<()> {
    sqlx::query("UPDATE users SET time_zone = $1 WHERE id = $2")
        .bind(zone)
        .bind(user.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// An account as its administrator sees it.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Account {
    #[serde(flatten)]
    pub user: User,
    pub active: bool,
    /// Waiting for its first password (invited, or reset by an administrator).
    pub pending: bool,
}

/// The accounts of a member, active first, by name.
pub async fn of_member(pool: &sqlx::AnyPool, member: &MemberId) -> Result<Vec<Account>> {
    let sql = format!(
        "SELECT {COLUMNS}, u.active, u.password_hash FROM users u JOIN members m ON m.id = u.member_id \
         WHERE u.member_id = $1 ORDER BY u.active DESC, u.display_name, u.id"
    );
    let rows = sqlx::query(&sql).bind(member.as_str()).fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            Ok(Account {
                user: user_from(r)?,
                active: get::<i64>(r, "active")? != 0,
                pending: get::<String>(r, "password_hash")? == NO_PASSWORD,
            })
        })
        .collect()
}

/// An account by id, active or not.
pub async fn account(pool: &sqlx::AnyPool, id: &UserId) -> Result<Option<Account>> {
    let sql = format!(
        "SELECT {COLUMNS}, u.active, u.password_hash FROM users u JOIN members m ON m.id = u.member_id WHERE u.id = $1"
    );
    let row = sqlx::query(&sql).bind(id.as_str()).fetch_optional(pool).await?;
    row.map(|r| {
        Ok(Account {
            user: user_from(&r)?,
            active: get::<i64>(&r, "active")? != 0,
            pending: get::<String>(&r, "password_hash")? == NO_PASSWORD,
        })
    })
    .transpose()
}

/// The password hash of an account that has none yet: no password verifies against it.
pub const NO_PASSWORD: &str = "!";

pub async fn set_active(tx: &mut Tx, id: &UserId, active: bool) -> Result<()> {
    sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
        .bind(i64::from(active))
        .bind(id.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_role(tx: &mut Tx, id: &UserId, role: Role) -> Result<()> {
    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
        .bind(role.as_str())
        .bind(id.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_password(tx: &mut Tx, id: &UserId, hash: &str) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(id.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Ends every session of an account.
pub async fn end_sessions(tx: &mut Tx, id: &UserId) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.as_str()).execute(&mut **tx).await?;
    Ok(())
}

/// Records a one-time link's hash; earlier unused links of the account stop working.
pub async fn insert_token(
    tx: &mut Tx,
    hash: &str,
    user: &UserId,
    purpose: &str,
    by: &UserId,
    expires: &str,
) -> Result<()> {
    sqlx::query("UPDATE account_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(now())
        .bind(user.as_str())
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO account_tokens (token_hash, user_id, purpose, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(hash)
    .bind(user.as_str())
    .bind(purpose)
    .bind(by.as_str())
    .bind(now())
    .bind(expires)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Uses a one-time link: its account and purpose, if the link is unused and not expired.
pub async fn take_token(tx: &mut Tx, hash: &str) -> Result<Option<(UserId, String)>> {
    let at = now();
    let row = sqlx::query(
        "UPDATE account_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id, purpose",
    )
    .bind(&at)
    .bind(hash)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| Ok((UserId::from_trusted(get(&r, "user_id")?), get(&r, "purpose")?))).transpose()
}

/// Whether a one-time link would still work (for the page that asks for the password).
pub async fn token_works(pool: &sqlx::AnyPool, hash: &str) -> Result<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM account_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(hash)
    .bind(now())
    .fetch_one(pool)
    .await?;
    Ok(get::<i64>(&row, "n")? > 0)
}
