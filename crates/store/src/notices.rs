//! The notifications repository: what each user is told, and whether they have read it.

use kinbridge_domain::case::Fact;
use kinbridge_domain::ids::{CaseId, MemberId, RequestId, UserId};
use kinbridge_domain::notice::{Notice, NoticeKind};

use crate::rows::{get, term};
use crate::{now, Result, Tx};

/// Tells each of `users` once.
pub async fn notify(
    tx: &mut Tx,
    users: &[UserId],
    kind: NoticeKind,
    case: Option<&CaseId>,
    request: Option<&RequestId>,
    facts: &[Fact],
) -> Result<()> {
    let facts = Fact::encode(facts);
    let at = now();
    let mut seen = Vec::new();
    for user in users {
        if seen.contains(&user) {
            continue;
        }
        seen.push(user);
        sqlx::query(
            "INSERT INTO notifications (id, user_id, kind, case_id, request_id, facts, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(user.as_str())
        .bind(kind.as_str())
        .bind(case.map(|c| c.to_string()))
        .bind(request.map(|r| r.to_string()))
        .bind(&facts)
        .bind(&at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A user's newest notifications, unread first.
pub async fn of_user(pool: &sqlx::AnyPool, user: &UserId, limit: i64) -> Result<Vec<Notice>> {
    let rows = sqlx::query(
        "SELECT id, kind, case_id, request_id, facts, created_at, read_at FROM notifications WHERE user_id = $1 \
         ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC LIMIT $2",
    )
    .bind(user.as_str())
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Notice {
                id: get(r, "id")?,
                kind: term(&get::<String>(r, "kind")?, "notice kind", NoticeKind::parse)?,
                case_id: get::<Option<String>>(r, "case_id")?.map(CaseId::from_trusted),
                request_id: get::<Option<String>>(r, "request_id")?.map(RequestId::from_trusted),
                facts: term(&get::<String>(r, "facts")?, "notice facts", Fact::decode)?,
                created_at: get(r, "created_at")?,
                read: get::<Option<String>>(r, "read_at")?.is_some(),
            })
        })
        .collect()
}

/// How many of a user's notifications are unread.
pub async fn unread(pool: &sqlx::AnyPool, user: &UserId) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL")
        .bind(user.as_str())
        .fetch_one(pool)
        .await?;
    get(&row, "n")
}

/// Marks a user's notifications read: all of them, or those about one request.
pub async fn mark_read(tx: &mut Tx, user: &UserId, request: Option<&RequestId>) -> Result<u64> {
    let done = match request {
        Some(r) => sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND request_id = $3 AND read_at IS NULL",
        )
        .bind(now())
        .bind(user.as_str())
        .bind(r.as_str()),
        None => sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(now())
            .bind(user.as_str()),
    }
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// The active caseworkers and supervisors of a member: who hears of a request it received.
pub async fn casework_users(tx: &mut Tx, member: &MemberId) -> Result<Vec<UserId>> {
    let rows = sqlx::query(
        "SELECT id FROM users WHERE member_id = $1 AND active = 1 AND role IN ('caseworker', 'supervisor') ORDER BY id",
    )
    .bind(member.as_str())
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(|r| Ok(UserId::from_trusted(get(r, "id")?))).collect()
}

/// Who answers for a case: its assignee, or whoever opened it.
pub async fn case_owner(tx: &mut Tx, case: &CaseId) -> Result<Option<UserId>> {
    let row = sqlx::query("SELECT COALESCE(assignee_id, created_by) AS who FROM cases WHERE id = $1")
        .bind(case.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|r| Ok(UserId::from_trusted(get(&r, "who")?))).transpose()
}
