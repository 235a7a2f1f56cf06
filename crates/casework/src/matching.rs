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
use kinbridge_domain::case::{Case, EventKind, NewPerson};
use kinbridge_domain::DomainError;
use kinbridge_domain::ErrorCode;
use kinbridge_matching::{prior_model, Dataset, FieldSpec, LinkOptions, PersonIndex, Role};
use serde::Serialize;
use sqlx::{Any, Executor};

use crate::cases::event;
use crate::{get, now, system_entry, Caller, Casework, Error, Result};
use kinbridge_store::audit::append;

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
    /// On a partner member's case that the partner has not shared: who to ask, nothing
    /// personal.
    PartnerMember { member_code: String, member_name: String },
    /// On a partner member's case, shared by them for this pair: the person's name, sex and
    /// date of birth (their case stays theirs).
    SharedByPartner { member_code: String, member_name: String, name: String, birth_date: Option<String> },
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
    /// For a pair across two members: whether the reader's member has shared its side.
    pub shared_by_us: bool,
    /// Per field; empty for a partner member's match until they share (it would reveal their
    /// data).
    pub explanation: Vec<FieldAgreement>,
    /// Per field: the value on this case and on the other, side by side; empty for a partner
    /// member's match until they share.
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

/// How a person's fields go into the engine, in the order of [`specs`].
fn raw_fields(given: &str, family: &str, sex: &str, birth: Option<String>, estimated: bool) -> Vec<String> {
    let birth = birth.map(|b| if estimated { format!("~{b}") } else { b }).unwrap_or_default();
    vec![given.to_string(), family.to_string(), sex.to_string(), birth]
}

/// A person already known, found when a new case is opened ("this child may already be known").
#[derive(Debug, Clone, Serialize)]
pub struct KnownPerson {
    pub probability: f64,
    pub other: OtherSide,
}

impl Casework {
    /// The people the engine may compare, with their fields: everyone on a case with consent to
    /// tracing (not withdrawn), and with `own_member` also every person on that member's own
    /// cases (a member may always look for duplicates in its own records).
    async fn indexed_people(&self, own_member: Option<&str>) -> Result<(Vec<Indexed>, Vec<Vec<String>>)> {
        let rows = sqlx::query(
            "SELECT p.id, p.case_id, c.member_id, p.given_names, p.family_name, p.sex, p.birth_date, p.birth_date_estimated \
             FROM people p JOIN cases c ON c.id = p.case_id \
             WHERE c.member_id = $1 \
                OR EXISTS (SELECT 1 FROM consents k WHERE k.case_id = p.case_id AND k.scope = 'tracing' AND k.withdrawn_on IS NULL) \
             ORDER BY p.id",
        )
        .bind(own_member.unwrap_or("").to_string())
        .fetch_all(self.pool())
        .await?;
        let mut who = Vec::with_capacity(rows.len());
        let mut raw = Vec::with_capacity(rows.len());
        for row in &rows {
            let estimated: i64 = get(row, "birth_date_estimated")?;
            who.push(Indexed {
                person: get(row, "id")?,
                case_id: get(row, "case_id")?,
                member: get(row, "member_id")?,
            });
            raw.push(raw_fields(
                &get::<String>(row, "given_names")?,
                &get::<String>(row, "family_name")?,
                &get::<String>(row, "sex")?,
                get(row, "birth_date")?,
                estimated != 0,
            ));
        }
        Ok((who, raw))
    }

    /// People already known who may be the person about to be registered: on the reader's own
    /// member's cases (with the case, to open it) or, among people with consent to tracing, on
    /// a partner's case (only which member holds them). Nothing is saved; the check is audited.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn possible_duplicates(&self, caller: &Caller, person: &NewPerson) -> Result<Vec<KnownPerson>> {
        if caller.actor.case_access(&caller.actor.member_id) != CaseAccess::Write {
            return Err(self.denied(caller, "case", "intake").await);
        }
        let mine = caller.actor.member_id.as_str().to_string();
        let (who, mut raw) = self.indexed_people(Some(&mine)).await?;
        if who.is_empty() {
            return Ok(Vec::new());
        }
        raw.push(raw_fields(
            &person.given_names,
            &person.family_name,
            person.sex.as_str(),
            person.birth_date.map(|b| b.to_storage()),
            person.birth_date.is_some_and(|b| b.estimated),
        ));
        let mut ids: Vec<String> = (0..raw.len()).map(|i| i.to_string()).collect();
        if let Some(last) = ids.last_mut() {
            *last = "new".into();
        }
        let year = chrono::Datelike::year(&crate::today());
        let specs = specs();
        let found = tokio::task::spawn_blocking(move || {
            let data = Dataset::prepare(&specs, ids, &raw, year);
            let model = prior_model(&specs, &data, &LinkOptions { u_samples: 50_000, ..LinkOptions::default() });
            let Ok(mut index) = PersonIndex::new(&specs, model) else { return Vec::new() };
            let (new, known) = data.records.split_last().expect("the new person is there");
            for (i, rec) in known.iter().enumerate() {
                index.upsert(&i.to_string(), rec.clone());
            }
            index
                .candidates(new, PROPOSE_AT, None)
                .into_iter()
                .filter_map(|c| Some((c.key.parse::<usize>().ok()?, c.probability)))
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|_| Error::Unsupported("matching stopped"))?;
        let mut out = Vec::new();
        let mut read = Vec::new();
        for (i, probability) in found {
            let w = &who[i];
            let row = sqlx::query(
                "SELECT p.given_names, p.family_name, p.birth_date, c.reference, m.code, m.name \
                 FROM people p JOIN cases c ON c.id = p.case_id JOIN members m ON m.id = c.member_id WHERE p.id = $1",
            )
            .bind(w.person.clone())
            .fetch_one(self.pool())
            .await?;
            let other = if w.member == mine {
                read.push(caller.entry(
                    AuditAction::Read,
                    "case",
                    Some(w.case_id.as_str()),
                    "possible duplicate at intake",
                ));
                OtherSide::OwnMember {
                    person_id: w.person.clone(),
                    case_id: w.case_id.clone(),
                    case_reference: get(&row, "reference")?,
                    name: format!("{} {}", get::<String>(&row, "given_names")?, get::<String>(&row, "family_name")?),
                    birth_date: get(&row, "birth_date")?,
                }
            } else {
                OtherSide::PartnerMember { member_code: get(&row, "code")?, member_name: get(&row, "name")? }
            };
            out.push(KnownPerson { probability, other });
        }
        out.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        read.push(caller.entry(AuditAction::Read, "person_index", None, &format!("intake check: {} found", out.len())));
        self.audit(read).await?;
        Ok(out)
    }

    /// Finds possible matches for the people of `case_id` among everyone on a case with consent
    /// to tracing, and proposes the new ones. Run in the background after a save; returns how
    /// many pairs were proposed.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn refresh_matches(&self, case_id: &str) -> Result<usize> {
        self.find_matches(Some(case_id)).await
    }

    /// Finds possible matches across the whole network at once (after a bulk load, or to
    /// rebuild); returns how many new pairs were proposed.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn refresh_all_matches(&self) -> Result<usize> {
        self.find_matches(None).await
    }

    async fn find_matches(&self, only_case: Option<&str>) -> Result<usize> {
        let case_id = only_case.unwrap_or("");
        let (who, raw) = self.indexed_people(None).await?;
        if only_case.is_some() && !who.iter().any(|w| w.case_id == case_id) {
            return Ok(0);
        }
        let whole_network = only_case.is_none();
        let specs = specs();
        let ids: Vec<String> = who.iter().map(|w| w.person.clone()).collect();
        let year = chrono::Datelike::year(&crate::today());
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
        .map_err(|_| Error::Unsupported("matching stopped"))?;
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
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn matches_for_case(&self, caller: &Caller, case_id: &str) -> Result<Vec<MatchView>> {
        let case = self.authorize_case(caller, case_id, CaseAccess::Read).await?;
        let out = matches_of(self.pool(), &case).await?;
        self.audit(vec![caller.entry(AuditAction::Read, "case", Some(case.id.as_str()), "matches")]).await?;
        Ok(out)
    }

    /// Confirms (joins) or rejects a proposed match. Either side's member may reject; a match
    /// can be confirmed by a member that sees both records: its own two cases, or a pair whose
    /// partner side has been shared with it.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn decide_match(&self, caller: &Caller, match_id: &str, confirm: bool) -> Result<()> {
        let pair = self.match_side(caller, match_id).await?;
        if pair.status != "proposed" {
            return Err(DomainError::field("match", ErrorCode::AlreadyDecided).into());
        }
        if confirm && pair.across_members() && !pair.theirs_shared {
            return Err(DomainError::field("match", ErrorCode::PartnerMustShare).into());
        }
        let status = if confirm { "confirmed" } else { "rejected" };
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE match_candidates SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND status = 'proposed'",
        )
        .bind(status)
        .bind(caller.actor.user_id.as_str())
        .bind(now())
        .bind(match_id)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(DomainError::field("match", ErrorCode::AlreadyDecided).into());
        }
        let kind = if confirm { EventKind::MatchConfirmed } else { EventKind::MatchRejected };
        event(&mut tx, &pair.my_case, Some(&caller.actor.user_id), kind, &pair.their_label).await?;
        if confirm && pair.their_case != pair.my_case {
            // The other case learns that the pair was joined, and by which member; nothing more.
            event(&mut tx, &pair.their_case, Some(&caller.actor.user_id), kind, &pair.my_label).await?;
        }
        append(&mut tx, &[caller.entry(AuditAction::Update, "match", Some(match_id), status)]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Shares the reader's side of a possible match with the partner member that holds the
    /// other side: they then see this person's name, sex and date of birth next to theirs, and
    /// can confirm or reject. Until then each side sees only "held by member X". Sharing an
    /// already shared side changes nothing.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn share_match(&self, caller: &Caller, match_id: &str) -> Result<()> {
        let pair = self.match_side(caller, match_id).await?;
        if !pair.across_members() {
            return Err(DomainError::field("match", ErrorCode::OwnCases).into());
        }
        if pair.status == "rejected" {
            return Err(DomainError::field("match", ErrorCode::AlreadyDecided).into());
        }
        if pair.mine_shared {
            return Ok(());
        }
        let column = if pair.mine_is_a { "shared_a_at" } else { "shared_b_at" };
        let mut tx = self.begin_write().await?;
        sqlx::query(&format!("UPDATE match_candidates SET {column} = $1 WHERE id = $2 AND {column} IS NULL"))
            .bind(now())
            .bind(match_id)
            .execute(&mut *tx)
            .await?;
        event(&mut tx, &pair.my_case, Some(&caller.actor.user_id), EventKind::MatchShared, &pair.their_label).await?;
        append(&mut tx, &[caller.entry(AuditAction::Update, "match", Some(match_id), "shared")]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Possible matches that partner members have shared with the reader's member and that
    /// wait for its answer (proposed, its own side not yet shared), newest first: the cases
    /// to look at. Audited as a read of each case listed.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn matches_shared_with_us(&self, caller: &Caller) -> Result<Vec<SharedWithUs>> {
        let mine = caller.actor.member_id.as_str();
        let rows = sqlx::query(
            "SELECT m.id, m.probability,                     CASE WHEN m.member_a = $1 THEN pa.case_id ELSE pb.case_id END AS case_id,                     CASE WHEN m.member_a = $1 THEN ca.reference ELSE cb.reference END AS reference,                     CASE WHEN m.member_a = $1 THEN mb.code ELSE ma.code END AS partner_code,                     CASE WHEN m.member_a = $1 THEN COALESCE(m.shared_b_at, '') ELSE COALESCE(m.shared_a_at, '') END AS shared_at              FROM match_candidates m              JOIN people pa ON pa.id = m.person_a JOIN people pb ON pb.id = m.person_b              JOIN cases ca ON ca.id = pa.case_id JOIN cases cb ON cb.id = pb.case_id              JOIN members ma ON ma.id = m.member_a JOIN members mb ON mb.id = m.member_b              WHERE m.status = 'proposed' AND m.member_a <> m.member_b AND                    ((m.member_a = $1 AND m.shared_b_at IS NOT NULL AND m.shared_a_at IS NULL) OR                     (m.member_b = $1 AND m.shared_a_at IS NOT NULL AND m.shared_b_at IS NULL))              ORDER BY shared_at DESC LIMIT 50",
        )
        .bind(mine)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(SharedWithUs {
                match_id: get(row, "id")?,
                case_id: get(row, "case_id")?,
                case_reference: get(row, "reference")?,
                partner_code: get(row, "partner_code")?,
                probability: get(row, "probability")?,
                shared_at: get(row, "shared_at")?,
            });
        }
        if !out.is_empty() {
            let entries: Vec<_> = out
                .iter()
                .map(|s| caller.entry(AuditAction::Read, "case", Some(s.case_id.as_str()), "shared matches"))
                .collect();
            self.audit(entries).await?;
        }
        Ok(out)
    }

    /// The reader's side of a possible match, after checking it may write to its case.
    async fn match_side(&self, caller: &Caller, match_id: &str) -> Result<PairSide> {
        let row = sqlx::query(
            "SELECT m.status, pa.case_id AS case_a, pb.case_id AS case_b, m.member_a, m.member_b,                     m.shared_a_at, m.shared_b_at, ma.code AS code_a, mb.code AS code_b              FROM match_candidates m JOIN people pa ON pa.id = m.person_a JOIN people pb ON pb.id = m.person_b              JOIN members ma ON ma.id = m.member_a JOIN members mb ON mb.id = m.member_b              WHERE m.id = $1",
        )
        .bind(match_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Err(self.denied(caller, "match", match_id).await) };
        let (member_a, member_b): (String, String) = (get(&row, "member_a")?, get(&row, "member_b")?);
        let mine = caller.actor.member_id.as_str();
        let mine_is_a = if member_a == mine {
            true
        } else if member_b == mine {
            false
        } else {
            return Err(self.denied(caller, "match", match_id).await);
        };
        let shared = |col: &str| -> Result<bool> { Ok(get::<Option<String>>(&row, col)?.is_some()) };
        let (mine_s, theirs_s) = if mine_is_a { ("a", "b") } else { ("b", "a") };
        let pair = PairSide {
            status: get(&row, "status")?,
            mine_is_a,
            my_case: get(&row, &format!("case_{mine_s}"))?,
            their_case: get(&row, &format!("case_{theirs_s}"))?,
            my_label: get(&row, &format!("code_{mine_s}"))?,
            their_label: get(&row, &format!("code_{theirs_s}"))?,
            mine_shared: shared(&format!("shared_{mine_s}_at"))?,
            theirs_shared: shared(&format!("shared_{theirs_s}_at"))?,
            same_member: member_a == member_b,
        };
        self.authorize_case(caller, &pair.my_case, CaseAccess::Write).await?;
        Ok(pair)
    }
}

/// A pair as one of its two members sees it, for deciding and sharing.
struct PairSide {
    status: String,
    mine_is_a: bool,
    my_case: String,
    their_case: String,
    /// Member codes: what the timeline of each case says about the other side.
    my_label: String,
    their_label: String,
    mine_shared: bool,
    theirs_shared: bool,
    same_member: bool,
}

impl PairSide {
    fn across_members(&self) -> bool {
        !self.same_member
    }
}

/// A possible match a partner shared with the reader's member, waiting for its answer.
#[derive(Debug, Clone, Serialize)]
pub struct SharedWithUs {
    pub match_id: String,
    pub case_id: String,
    pub case_reference: String,
    pub partner_code: String,
    pub probability: f64,
    pub shared_at: String,
}

/// Possible matches of a case's people as a reader of that case may see them (the caller has
/// authorized the read and audits it). A proposed pair drops out of sight when either side's
/// consent to tracing is withdrawn; a confirmed one stays.
pub(crate) async fn matches_of<'e, E: Executor<'e, Database = Any>>(e: E, case: &Case) -> Result<Vec<MatchView>> {
    let rows = sqlx::query(
        "SELECT m.id, m.person_a, m.person_b, m.probability, m.explanation, m.status, \
                pa.case_id AS case_a, pb.case_id AS case_b, \
                pa.given_names AS given_a, pa.family_name AS family_a, pa.birth_date AS birth_a, pa.sex AS sex_a, \
                pb.given_names AS given_b, pb.family_name AS family_b, pb.birth_date AS birth_b, pb.sex AS sex_b, \
                ca.member_id AS member_a, cb.member_id AS member_b, ca.reference AS ref_a, cb.reference AS ref_b, \
                ma.code AS code_a, ma.name AS mname_a, mb.code AS code_b, mb.name AS mname_b, \
                m.shared_a_at, m.shared_b_at \
         FROM match_candidates m \
         JOIN people pa ON pa.id = m.person_a JOIN people pb ON pb.id = m.person_b \
         JOIN cases ca ON ca.id = pa.case_id JOIN cases cb ON cb.id = pb.case_id \
         JOIN members ma ON ma.id = ca.member_id JOIN members mb ON mb.id = cb.member_id \
         WHERE (pa.case_id = $1 OR pb.case_id = $1) AND m.status <> 'rejected' \
           AND (m.status = 'confirmed' OR (EXISTS (SELECT 1 FROM consents k WHERE k.case_id = pa.case_id AND k.scope = 'tracing' AND k.withdrawn_on IS NULL) \
                AND EXISTS (SELECT 1 FROM consents k WHERE k.case_id = pb.case_id AND k.scope = 'tracing' AND k.withdrawn_on IS NULL))) \
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
        let shared =
            |side: &str| -> Result<bool> { Ok(get::<Option<String>>(row, &format!("shared_{side}_at"))?.is_some()) };
        let theirs_shared = !own && shared(theirs)?;
        let other = if own {
            OtherSide::OwnMember {
                person_id: get(row, &format!("person_{theirs}"))?,
                case_id: s("case", theirs)?,
                case_reference: s("ref", theirs)?,
                name: format!("{} {}", s("given", theirs)?, s("family", theirs)?),
                birth_date: get(row, &format!("birth_{theirs}"))?,
            }
        } else if theirs_shared {
            OtherSide::SharedByPartner {
                member_code: s("code", theirs)?,
                member_name: s("mname", theirs)?,
                name: format!("{} {}", s("given", theirs)?, s("family", theirs)?),
                birth_date: get(row, &format!("birth_{theirs}"))?,
            }
        } else {
            OtherSide::PartnerMember { member_code: s("code", theirs)?, member_name: s("mname", theirs)? }
        };
        let visible = own || theirs_shared;
        let explanation: Vec<FieldAgreement> = if visible {
            serde_json::from_str(&get::<String>(row, "explanation")?)
                .map_err(|e| Error::corrupt(format!("match_candidates.explanation: {e}")))?
        } else {
            Vec::new()
        };
        let birth = |side: &str| -> Result<String> {
            Ok(get::<Option<String>>(row, &format!("birth_{side}"))?.unwrap_or_default())
        };
        let side_by_side = if visible {
            vec![
                SideBySide { field: "given_names".into(), here: s("given", mine)?, there: s("given", theirs)? },
                SideBySide { field: "family_name".into(), here: s("family", mine)?, there: s("family", theirs)? },
                SideBySide { field: "sex".into(), here: s("sex", mine)?, there: s("sex", theirs)? },
                SideBySide { field: "birth_date".into(), here: birth(mine)?, there: birth(theirs)? },
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
            shared_by_us: !own && shared(mine)?,
            explanation,
            side_by_side,
        });
    }
    Ok(out)
}
