//! The matches repository: the people the matching engine may compare, and the possible
//! matches it proposed (`match_candidates`) with both of their sides. What a reader may see of
//! a pair is decided by the application, from the rows given here.

use kinbridge_domain::ids::{CaseId, MatchId, MemberId, PersonId, UserId};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor};

use crate::rows::get;
use crate::{now, Result, Tx};

/// A person the engine may compare, with the fields it reads.
pub struct Comparable {
    pub person: String,
    pub case_id: String,
    pub member: String,
    pub given_names: String,
    pub family_name: String,
    pub sex: String,
    pub birth_date: Option<String>,
    pub birth_date_estimated: bool,
}

/// Everyone on a case with consent to tracing (not withdrawn) and, with `own_member`, every
/// person on that member's own cases; by person id. A case handed over to another member is
/// left out: its people are on the receiver's case now.
pub async fn comparable(pool: &sqlx::AnyPool, own_member: Option<&MemberId>) -> Result<Vec<Comparable>> {
    let rows = sqlx::query(
        "SELECT p.id, p.case_id, c.member_id, p.given_names, p.family_name, p.sex, p.birth_date, p.birth_date_estimated \
         FROM people p JOIN cases c ON c.id = p.case_id \
         WHERE c.status <> 'transferred' AND (c.member_id = $1 \
            OR EXISTS (SELECT 1 FROM consents k WHERE k.case_id = p.case_id AND k.scope = 'tracing' AND k.withdrawn_on IS NULL)) \
         ORDER BY p.id",
    )
    .bind(own_member.map(|m| m.to_string()).unwrap_or_default())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Comparable {
                person: get(r, "id")?,
                case_id: get(r, "case_id")?,
                member: get(r, "member_id")?,
                given_names: get(r, "given_names")?,
                family_name: get(r, "family_name")?,
                sex: get(r, "sex")?,
                birth_date: get(r, "birth_date")?,
                birth_date_estimated: get::<i64>(r, "birth_date_estimated")? != 0,
            })
        })
        .collect()
}

/// A person with the case and member that hold them.
pub struct Held {
    pub given_names: String,
    pub family_name: String,
    pub birth_date: Option<String>,
    pub case_reference: String,
    pub member_code: String,
    pub member_name: String,
}

pub async fn held(pool: &sqlx::AnyPool, person: &str) -> Result<Held> {
    let row = sqlx::query(
        "SELECT p.given_names, p.family_name, p.birth_date, c.reference, m.code, m.name \
         FROM people p JOIN cases c ON c.id = p.case_id JOIN members m ON m.id = c.member_id WHERE p.id = $1",
    )
    .bind(person.to_string())
    .fetch_one(pool)
    .await?;
    Ok(Held {
        given_names: get(&row, "given_names")?,
        family_name: get(&row, "family_name")?,
        birth_date: get(&row, "birth_date")?,
        case_reference: get(&row, "reference")?,
        member_code: get(&row, "code")?,
        member_name: get(&row, "name")?,
    })
}

/// Proposes a pair (person ids in order, with their members) unless it is known already;
/// whether it was new.
pub async fn propose(
    tx: &mut Tx,
    a: (&str, &str),
    b: (&str, &str),
    probability: f64,
    explanation_json: &str,
) -> Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO match_candidates (id, person_a, member_a, person_b, member_b, probability, explanation, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'proposed', $8) ON CONFLICT (person_a, person_b) DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(a.0.to_string())
    .bind(a.1.to_string())
    .bind(b.0.to_string())
    .bind(b.1.to_string())
    .bind(probability)
    .bind(explanation_json.to_string())
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(inserted.rows_affected() > 0)
}

/// Confirms or rejects a proposed pair; `false` if it was no longer proposed.
pub async fn decide(tx: &mut Tx, id: &MatchId, confirm: bool, by: &UserId) -> Result<bool> {
    let changed = sqlx::query(
        "UPDATE match_candidates SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND status = 'proposed'",
    )
    .bind(if confirm { "confirmed" } else { "rejected" })
    .bind(by.as_str())
    .bind(now())
    .bind(id.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(changed.rows_affected() > 0)
}

/// Records that side A (or B) of a pair was shared with the other member.
pub async fn share(tx: &mut Tx, id: &MatchId, side_a: bool) -> Result<()> {
    let sql = if side_a {
        "UPDATE match_candidates SET shared_a_at = $1 WHERE id = $2 AND shared_a_at IS NULL"
    } else {
        "UPDATE match_candidates SET shared_b_at = $1 WHERE id = $2 AND shared_b_at IS NULL"
    };
    sqlx::query(sql).bind(now()).bind(id.to_string()).execute(&mut **tx).await?;
    Ok(())
}

/// A possible match a partner shared with the reader's member, waiting for its answer.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct SharedWithUs {
    pub match_id: String,
    pub case_id: String,
    pub case_reference: String,
    pub partner_code: String,
    pub probability: f64,
    pub shared_at: String,
}

/// Proposed pairs across two members whose other side was shared with `member` and whose own
/// side was not, newest first (at most 50).
pub async fn shared_with(pool: &sqlx::AnyPool, member: &MemberId) -> Result<Vec<SharedWithUs>> {
    let rows = sqlx::query(
        "SELECT m.id, m.probability, \
                CASE WHEN m.member_a = $1 THEN pa.case_id ELSE pb.case_id END AS case_id, \
                CASE WHEN m.member_a = $1 THEN ca.reference ELSE cb.reference END AS reference, \
                CASE WHEN m.member_a = $1 THEN mb.code ELSE ma.code END AS partner_code, \
                CASE WHEN m.member_a = $1 THEN COALESCE(m.shared_b_at, '') ELSE COALESCE(m.shared_a_at, '') END AS shared_at \
         FROM match_candidates m \
         JOIN people pa ON pa.id = m.person_a JOIN people pb ON pb.id = m.person_b \
         JOIN cases ca ON ca.id = pa.case_id JOIN cases cb ON cb.id = pb.case_id \
         JOIN members ma ON ma.id = m.member_a JOIN members mb ON mb.id = m.member_b \
         WHERE m.status = 'proposed' AND m.member_a <> m.member_b AND \
               ((m.member_a = $1 AND m.shared_b_at IS NOT NULL AND m.shared_a_at IS NULL) OR \
                (m.member_b = $1 AND m.shared_a_at IS NOT NULL AND m.shared_b_at IS NULL)) \
         ORDER BY shared_at DESC LIMIT 50",
    )
    .bind(member.as_str())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(SharedWithUs {
                match_id: get(row, "id")?,
                case_id: get(row, "case_id")?,
                case_reference: get(row, "reference")?,
                partner_code: get(row, "partner_code")?,
                probability: get(row, "probability")?,
                shared_at: get(row, "shared_at")?,
            })
        })
        .collect()
}

/// One side of a pair.
pub struct Side {
    pub person: PersonId,
    pub case_id: CaseId,
    pub member: MemberId,
    pub given_names: String,
    pub family_name: String,
    pub sex: String,
    pub birth_date: Option<String>,
    pub case_reference: String,
    pub member_code: String,
    pub member_name: String,
    pub shared: bool,
}

/// A pair with both sides.
pub struct Pair {
    pub id: MatchId,
    pub probability: f64,
    pub explanation: String,
    pub status: String,
    pub a: Side,
    pub b: Side,
}

const PAIR_SELECT: &str = "SELECT m.id, m.person_a, m.person_b, m.probability, m.explanation, m.status, \
        pa.case_id AS case_a, pb.case_id AS case_b, \
        pa.given_names AS given_a, pa.family_name AS family_a, pa.birth_date AS birth_a, pa.sex AS sex_a, \
        pb.given_names AS given_b, pb.family_name AS family_b, pb.birth_date AS birth_b, pb.sex AS sex_b, \
        ca.member_id AS member_a, cb.member_id AS member_b, ca.reference AS ref_a, cb.reference AS ref_b, \
        ma.code AS code_a, ma.name AS mname_a, mb.code AS code_b, mb.name AS mname_b, \
        m.shared_a_at, m.shared_b_at \
 FROM match_candidates m \
 JOIN people pa ON pa.id = m.person_a JOIN people pb ON pb.id = m.person_b \
 JOIN cases ca ON ca.id = pa.case_id JOIN cases cb ON cb.id = pb.case_id \
 JOIN members ma ON ma.id = ca.member_id JOIN members mb ON mb.id = cb.member_id";

fn pair_from(row: &AnyRow) -> Result<Pair> {
    let side = |s: &str| -> Result<Side> {
        Ok(Side {
            person: PersonId::from_trusted(get(row, &format!("person_{s}"))?),
            case_id: CaseId::from_trusted(get(row, &format!("case_{s}"))?),
            member: MemberId::from_trusted(get(row, &format!("member_{s}"))?),
            given_names: get(row, &format!("given_{s}"))?,
            family_name: get(row, &format!("family_{s}"))?,
            sex: get(row, &format!("sex_{s}"))?,
            birth_date: get(row, &format!("birth_{s}"))?,
            case_reference: get(row, &format!("ref_{s}"))?,
            member_code: get(row, &format!("code_{s}"))?,
            member_name: get(row, &format!("mname_{s}"))?,
            shared: get::<Option<String>>(row, &format!("shared_{s}_at"))?.is_some(),
        })
    };
    Ok(Pair {
        id: MatchId::from_trusted(get(row, "id")?),
        probability: get(row, "probability")?,
        explanation: get(row, "explanation")?,
        status: get(row, "status")?,
        a: side("a")?,
        b: side("b")?,
    })
}

/// A pair by id.
pub async fn pair(pool: &sqlx::AnyPool, id: &MatchId) -> Result<Option<Pair>> {
    let sql = format!("{PAIR_SELECT} WHERE m.id = $1");
    sqlx::query(&sql).bind(id.as_str()).fetch_optional(pool).await?.as_ref().map(pair_from).transpose()
}

/// The pairs of a case's people that are not rejected, most likely first; a proposed pair
/// only while both cases keep their consent to tracing.
pub async fn of_case<'e, E: Executor<'e, Database = Any>>(e: E, case_id: &CaseId) -> Result<Vec<Pair>> {
    let sql = format!(
        "{PAIR_SELECT} WHERE (pa.case_id = $1 OR pb.case_id = $1) AND m.status <> 'rejected' \
           AND (m.status = 'confirmed' OR (EXISTS (SELECT 1 FROM consents k WHERE k.case_id = pa.case_id AND k.scope = 'tracing' AND k.withdrawn_on IS NULL) \
                AND EXISTS (SELECT 1 FROM consents k WHERE k.case_id = pb.case_id AND k.scope = 'tracing' AND k.withdrawn_on IS NULL))) \
         ORDER BY m.probability DESC"
    );
    sqlx::query(&sql).bind(case_id.to_string()).fetch_all(e).await?.iter().map(pair_from).collect()
}
