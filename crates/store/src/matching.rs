//! Possible matches between people on cases: found by the matching engine in a background job
//! (see [`crate::jobs`]) whenever a case's people, consents or tracing requests change, and
//! reviewed by caseworkers.
//!
//! Only people on cases with consent to tracing (not withdrawn) are ever compared. A possible
//! match on another member's case is shown as "held by member X" with no personal data; its
//! details stay with that member until they share. A rejected pair keeps its row, so it is
//! never proposed again.

use kinbridge_domain::access::CaseAccess;
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::case::Case;
use kinbridge_domain::DomainError;
use kinbridge_matching::{prior_model, Dataset, FieldSpec, LinkOptions, PersonIndex, Role};
use serde::Serialize;
use sqlx::{Any, Executor, Row};

use crate::audit::{append, system_entry};
use crate::{get, now, Caller, Result, Store, StoreError};

/// Candidates at or above this probability are proposed for review.
pub const PROPOSE_AT: f64 = 0.5;

/// How one field of the pair agreed and what it weighed.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct FieldAgreement {
    pub field: String,
    pub agreement: String,
    pub weight: f64,
}

/// The other side of a possible match, as the reader may see it.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "held_by", rename_all = "snake_case")]
pub enum OtherSide {
    /// On one of the reader's own member's cases: the details.
    OwnMember { person_id: String, case_id: String, case_reference: String, name: String, birth_date: Option<String> },
    /// On a partner member's case: who to ask, nothing personal.
    PartnerMember { member_code: String, member_name: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct MatchView {
    pub id: String,
    /// The person on the case being read.
    pub person_id: String,
    pub person_name: String,
    pub other: OtherSide,
    pub probability: f64,
    pub status: String,
    /// Per field; empty for a partner member's match (it would reveal their data).
    pub explanation: Vec<FieldAgreement>,
    /// Per field: the value on this case and on the other, side by side; empty for a partner
    /// member's match.
    pub side_by_side: Vec<SideBySide>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SideBySide {
    pub field: String,
    pub here: String,
    pub there: String,
}

fn specs() -> Vec<FieldSpec> {
    [
        ("given_names", Role::GivenName),
        ("family_name", Role::FamilyName),
        ("sex", Role::Sex),
        ("birth_date", Role::BirthDate),
    ]
    .into_iter()
    .map(|(name, role)| FieldSpec { name: name.into(), role })
    .collect()
}

struct Indexed {
    person: String,
    case_id: String,
    member: String,
}

impl Store {
    /// Finds possible matches for the people of `case_id` among everyone on a case with consent
    /// to tracing, and proposes the new ones. Run in the background after a save; returns how
    /// many pairs were proposed.
    pub async fn refresh_matches(&self, case_id: &str) -> Result<usize> {
        self.find_matches(Some(case_id)).await
    }

    /// Finds possible matches across the whole network at once (after a bulk load, or to
    /// rebuild); returns how many new pairs were proposed.
    pub async fn refresh_all_matches(&self) -> Result<usize> {
        self.find_matches(None).await
    }

    async fn find_matches(&self, only_case: Option<&str>) -> Result<usize> {
        let case_id = only_case.unwrap_or("");
        let rows = sqlx::query(
            "SELECT p.id, p.case_id, c.member_id, p.given_names, p.family_name, p.sex, p.birth_date, p.birth_date_estimated \
             FROM people p JOIN cases c ON c.id = p.case_id \
             WHERE EXISTS (SELECT 1 FROM consents k WHERE k.case_id = p.case_id AND k.scope = 'tracing' AND k.withdrawn_on IS NULL) \
             ORDER BY p.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut who = Vec::with_capacity(rows.len());
        let mut raw = Vec::with_capacity(rows.len());
        for row in &rows {
            let birth: Option<String> = get(row, "birth_date")?;
            let estimated: i64 = get(row, "birth_date_estimated")?;
            let birth = birth.map(|b| if estimated != 0 { format!("~{b}") } else { b }).unwrap_or_default();
            who.push(Indexed {
                person: get(row, "id")?,
                case_id: get(row, "case_id")?,
                member: get(row, "member_id")?,
            });
            raw.push(vec![get::<String>(row, "given_names")?, get(row, "family_name")?, get(row, "sex")?, birth]);
        }
        if only_case.is_some() && !who.iter().any(|w| w.case_id == case_id) {
            return Ok(0);
        }
        let whole_network = only_case.is_none();
        let specs = specs();
        let ids: Vec<String> = who.iter().map(|w| w.person.clone()).collect();
        let year = crate::today().format("%Y").to_string().parse().unwrap_or(2026);
        let found = tokio::task::spawn_blocking({
            let case_id = case_id.to_string();
            let who_case: Vec<String> = who.iter().map(|w| w.case_id.clone()).collect();
            move || {
                let data = Dataset::prepare(&specs, ids, &raw, year);
                let model = prior_model(&specs, &data, &LinkOptions { u_samples: 50_000, ..LinkOptions::default() });
                let mut index = match PersonIndex::new(&specs, model) {
                    Ok(i) => i,
                    Err(_) => return Vec::new(),
                };
                for (i, rec) in data.records.iter().enumerate() {
                    index.upsert(&i.to_string(), rec.clone());
                }
                let mut found = Vec::new();
                for (i, rec) in
                    data.records.iter().enumerate().filter(|(i, _)| whole_network || who_case[*i] == case_id)
                {
                    for c in index.candidates(rec, PROPOSE_AT, Some(&i.to_string())) {
                        let j: usize = c.key.parse().unwrap_or(i);
                        // People on the same case are different people (a brother and a sister
                        // may share a name and a date of birth); across the network each pair
                        // is looked at once.
                        if who_case[j] == who_case[i] || (whole_network && j < i) {
                            continue;
                        }
                        let explanation: Vec<FieldAgreement> = index
                            .explain(&c, rec)
                            .into_iter()
                            .map(|(field, agreement, weight)| FieldAgreement {
                                field,
                                agreement: agreement.to_string(),
                                weight: (weight * 100.0).round() / 100.0,
                            })
                            .collect();
                        found.push((i, j, c.probability, explanation));
                    }
                }
                found
            }
        })
        .await
        .map_err(|_| StoreError::Unsupported("matching stopped"))?;
        if found.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let mut proposed = 0;
        for (i, j, probability, explanation) in found {
            let (a, b) = if who[i].person < who[j].person { (&who[i], &who[j]) } else { (&who[j], &who[i]) };
            let inserted = sqlx::query(
                "INSERT INTO match_candidates (id, person_a, member_a, person_b, member_b, probability, explanation, status, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'proposed', $8) ON CONFLICT (person_a, person_b) DO NOTHING",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&a.person)
            .bind(&a.member)
            .bind(&b.person)
            .bind(&b.member)
            .bind(probability)
            .bind(serde_json::to_string(&explanation).unwrap_or_else(|_| "[]".into()))
            .bind(now())
            .execute(&mut *tx)
            .await?;
            proposed += inserted.rows_affected() as usize;
        }
        append(
            &mut tx,
            &[system_entry(
                AuditAction::Create,
                "match",
                None,
                None,
                &format!("{}: {proposed} proposed", only_case.unwrap_or("network")),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(proposed)
    }

    /// Possible matches (proposed or confirmed) of the people on a case, audited as a read of
    /// the case. A match held by another member shows only who holds it.
    pub async fn matches_for_case(&self, caller: &Caller, case_id: &str) -> Result<Vec<MatchView>> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Read).await?;
        let out = matches_of(&self.pool, &case).await?;
        self.audit(vec![caller.entry(AuditAction::Read, "case", Some(case.id.as_str()), "matches")]).await?;
        Ok(out)
    }

    /// Confirms (joins) or rejects a proposed match. Either side's member may reject; only a
    /// match between two of the reader's own member's cases can be confirmed here — a partner's
    /// record has to be shared by them first.
    pub async fn decide_match(&self, caller: &Caller, match_id: &str, confirm: bool) -> Result<()> {
        let row = sqlx::query(
            "SELECT m.status, pa.case_id AS case_a, pb.case_id AS case_b, m.member_a, m.member_b \
             FROM match_candidates m JOIN people pa ON pa.id = m.person_a JOIN people pb ON pb.id = m.person_b \
             WHERE m.id = $1",
        )
        .bind(match_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Err(self.denied(caller, "match", match_id).await) };
        let (member_a, member_b): (String, String) = (get(&row, "member_a")?, get(&row, "member_b")?);
        let mine = caller.actor.member_id.as_str();
        let my_case: String = if member_a == mine {
            get(&row, "case_a")?
        } else if member_b == mine {
            get(&row, "case_b")?
        } else {
            return Err(self.denied(caller, "match", match_id).await);
        };
        self.authorize_case(caller, &my_case, CaseAccess::Write).await?;
        if get::<String>(&row, "status")? != "proposed" {
            return Err(DomainError::field("match", "already_decided").into());
        }
        if confirm && member_a != member_b {
            return Err(DomainError::field("match", "partner_must_share").into());
        }
        let status = if confirm { "confirmed" } else { "rejected" };
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE match_candidates SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND status = 'proposed'")
            .bind(status)
            .bind(caller.actor.user_id.as_str())
            .bind(now())
            .bind(match_id)
            .execute(&mut *tx)
            .await?;
        append(&mut tx, &[caller.entry(AuditAction::Update, "match", Some(match_id), status)]).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Possible matches of a case's people as a reader of that case may see them (the caller has
/// authorized the read and audits it).
pub(crate) async fn matches_of<'e, E: Executor<'e, Database = Any>>(e: E, case: &Case) -> Result<Vec<MatchView>> {
    let rows = sqlx::query(
        "SELECT m.id, m.person_a, m.person_b, m.probability, m.explanation, m.status, \
                pa.case_id AS case_a, pb.case_id AS case_b, \
                pa.given_names AS given_a, pa.family_name AS family_a, pa.birth_date AS birth_a, pa.sex AS sex_a, \
                pb.given_names AS given_b, pb.family_name AS family_b, pb.birth_date AS birth_b, pb.sex AS sex_b, \
                ca.member_id AS member_a, cb.member_id AS member_b, ca.reference AS ref_a, cb.reference AS ref_b, \
                ma.code AS code_a, ma.name AS mname_a, mb.code AS code_b, mb.name AS mname_b \
         FROM match_candidates m \
         JOIN people pa ON pa.id = m.person_a JOIN people pb ON pb.id = m.person_b \
         JOIN cases ca ON ca.id = pa.case_id JOIN cases cb ON cb.id = pb.case_id \
         JOIN members ma ON ma.id = ca.member_id JOIN members mb ON mb.id = cb.member_id \
         WHERE (pa.case_id = $1 OR pb.case_id = $1) AND m.status <> 'rejected' \
         ORDER BY m.probability DESC",
    )
    .bind(case.id.as_str())
    .fetch_all(e)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let here_is_a = get::<String>(row, "case_a")? == case.id.as_str();
        let (mine, theirs) = if here_is_a { ("a", "b") } else { ("b", "a") };
        let s = |col: &str, side: &str| -> Result<String> { get(row, &format!("{col}_{side}")) };
        let other_member = s("member", theirs)?;
        let own = other_member == case.member_id.as_str();
        let other = if own {
            OtherSide::OwnMember {
                person_id: get(row, &format!("person_{theirs}"))?,
                case_id: s("case", theirs)?,
                case_reference: s("ref", theirs)?,
                name: format!("{} {}", s("given", theirs)?, s("family", theirs)?),
                birth_date: row.try_get::<Option<String>, _>(format!("birth_{theirs}").as_str()).ok().flatten(),
            }
        } else {
            OtherSide::PartnerMember { member_code: s("code", theirs)?, member_name: s("mname", theirs)? }
        };
        let explanation: Vec<FieldAgreement> = if own {
            serde_json::from_str(&get::<String>(row, "explanation")?).unwrap_or_default()
        } else {
            Vec::new()
        };
        let birth = |side: &str| -> String {
            row.try_get::<Option<String>, _>(format!("birth_{side}").as_str()).ok().flatten().unwrap_or_default()
        };
        let side_by_side = if own {
            vec![
                SideBySide { field: "given_names".into(), here: s("given", mine)?, there: s("given", theirs)? },
                SideBySide { field: "family_name".into(), here: s("family", mine)?, there: s("family", theirs)? },
                SideBySide { field: "sex".into(), here: s("sex", mine)?, there: s("sex", theirs)? },
                SideBySide { field: "birth_date".into(), here: birth(mine), there: birth(theirs) },
            ]
        } else {
            Vec::new()
        };
        out.push(MatchView {
            id: get(row, "id")?,
            person_id: get(row, &format!("person_{mine}"))?,
            person_name: format!("{} {}", s("given", mine)?, s("family", mine)?),
            other,
            probability: get(row, "probability")?,
            status: get(row, "status")?,
            explanation,
            side_by_side,
        });
    }
    Ok(out)
}
