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
use kinbridge_domain::case::{Fact, Vocab};
use kinbridge_domain::DomainError;
use kinbridge_domain::ErrorCode;
use kinbridge_matching::{prior_model, Dataset, FieldSpec, LinkOptions, PersonIndex, Role};
use serde::Serialize;
use sqlx::{Any, Executor};

use kinbridge_domain::ids::{CaseId, MatchId, MemberId, PersonId};
use kinbridge_store::audit::append;
use kinbridge_store::matches::{self, Side};

use crate::cases::event;
use crate::{system_entry, Caller, Casework, Error, Result};

/// Candidates at or above this probability are proposed for review.
pub const PROPOSE_AT: f64 = 0.5;

/// How one field of the pair agreed and what it weighed.
#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct FieldAgreement {
    pub field: String,
    pub agreement: String,
    pub weight: f64,
}

/// The other side of a possible match, as the reader may see it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(tag = "held_by", rename_all = "snake_case")]
pub enum OtherSide {
    /// On one of the reader's own member's cases: the details.
    OwnMember { person_id: PersonId, case_id: CaseId, case_reference: String, name: String, birth_date: Option<String> },
    /// On a partner member's case that the partner has not shared: who to ask, nothing
    /// personal.
    PartnerMember { member_code: String, member_name: String },
    /// On a partner member's case, shared by them for this pair: the person's name, sex and
    /// date of birth (their case stays theirs).
    SharedByPartner { member_code: String, member_name: String, name: String, birth_date: Option<String> },
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MatchView {
    pub id: MatchId,
    /// The person on the case being read.
    pub person_id: PersonId,
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

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct KnownPerson {
    pub probability: f64,
    pub other: OtherSide,
}

impl Casework {
    /// The people the engine may compare, with their fields: everyone on a case with consent to
    /// tracing (not withdrawn), and with `own_member` also every person on that member's own
    /// cases (a member may always look for duplicates in its own records).
    async fn indexed_people(&self, own_member: Option<&str>) -> Result<(Vec<Indexed>, Vec<Vec<String>>)> {
        let own_member = own_member.map(|m| MemberId::from_trusted(m.to_string()));
        let people = matches::comparable(self.pool(), own_member.as_ref()).await?;
        let mut who = Vec::with_capacity(people.len());
        let mut raw = Vec::with_capacity(people.len());
        for p in people {
            raw.push(raw_fields(&p.given_names, &p.family_name, &p.sex, p.birth_date, p.birth_date_estimated));
            who.push(Indexed { person: p.person, case_id: p.case_id, member: p.member });
        }
        Ok((who, raw))
    }

    /// People already known who may be the person about to be registered: on the reader's own
    /// member's cases (with the case, to open it) or, among people with consent to tracing, on
    /// a partner's case (only which member holds them). Nothing is saved; the check is audited.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn possible_duplicates(&self, caller: &Caller, person: &NewPerson) -> Result<Vec<KnownPerson>> {
        self.possible_duplicates_except(caller, person, None).await
    }

    /// [`Casework::possible_duplicates`], leaving out the people of one case: a partner's
    /// request is about them, so finding them again says nothing.
    pub(crate) async fn possible_duplicates_except(
        &self,
        caller: &Caller,
        person: &NewPerson,
        except_case: Option<&CaseId>,
    ) -> Result<Vec<KnownPerson>> {
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
            if except_case.is_some_and(|c| c.as_str() == w.case_id) {
                continue;
            }
            let held = matches::held(self.pool(), &w.person).await?;
            let other = if w.member == mine {
                read.push(caller.entry(
                    AuditAction::Read,
                    "case",
                    Some(w.case_id.as_str()),
                    "possible duplicate at intake",
                ));
                OtherSide::OwnMember {
                    person_id: PersonId::from_trusted(w.person.clone()),
                    case_id: CaseId::from_trusted(w.case_id.clone()),
                    case_reference: held.case_reference,
                    name: format!("{} {}", held.given_names, held.family_name),
                    birth_date: held.birth_date,
                }
            } else {
                OtherSide::PartnerMember { member_code: held.member_code, member_name: held.member_name }
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
            let explanation = serde_json::to_string(&explanation)
                .map_err(|_| Error::Unsupported("a match explanation that does not serialise"))?;
            let new =
                matches::propose(&mut tx, (&a.person, &a.member), (&b.person, &b.member), probability, &explanation)
                    .await?;
            proposed += usize::from(new);
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
        let (match_id, pair) = self.match_side(caller, match_id).await?;
        if pair.status != "proposed" {
            return Err(DomainError::field("match", ErrorCode::AlreadyDecided).into());
        }
        if confirm && pair.across_members() && !pair.theirs_shared {
            return Err(DomainError::field("match", ErrorCode::PartnerMustShare).into());
        }
        let status = if confirm { "confirmed" } else { "rejected" };
        let mut tx = self.begin_write().await?;
        if !matches::decide(&mut tx, &match_id, confirm, &caller.actor.user_id).await? {
            return Err(DomainError::field("match", ErrorCode::AlreadyDecided).into());
        }
        let kind = if confirm { EventKind::MatchConfirmed } else { EventKind::MatchRejected };
        event(
            &mut tx,
            &pair.my_case,
            Some(&caller.actor.user_id),
            kind,
            &[Fact::term(Vocab::Member, &pair.their_label)],
        )
        .await?;
        if confirm && pair.their_case != pair.my_case {
            // The other case learns that the pair was joined, and by which member; nothing more.
            event(
                &mut tx,
                &pair.their_case,
                Some(&caller.actor.user_id),
                kind,
                &[Fact::term(Vocab::Member, &pair.my_label)],
            )
            .await?;
        }
        append(&mut tx, &[caller.entry(AuditAction::Update, "match", Some(match_id.as_str()), status)]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Shares the reader's side of a possible match with the partner member that holds the
    /// other side: they then see this person's name, sex and date of birth next to theirs, and
    /// can confirm or reject. Until then each side sees only "held by member X". Sharing an
    /// already shared side changes nothing.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn share_match(&self, caller: &Caller, match_id: &str) -> Result<()> {
        let (match_id, pair) = self.match_side(caller, match_id).await?;
        if !pair.across_members() {
            return Err(DomainError::field("match", ErrorCode::OwnCases).into());
        }
        if pair.status == "rejected" {
            return Err(DomainError::field("match", ErrorCode::AlreadyDecided).into());
        }
        if pair.mine_shared {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        matches::share(&mut tx, &match_id, pair.mine_is_a).await?;
        // Whoever answers for the other case hears that this member shared, and nothing more.
        if let Some(owner) = kinbridge_store::notices::case_owner(&mut tx, &pair.their_case).await? {
            kinbridge_store::notices::notify(
                &mut tx,
                &[owner],
                kinbridge_domain::notice::NoticeKind::MatchShared,
                Some(&pair.their_case),
                None,
                &[Fact::term(Vocab::Member, &pair.my_label)],
            )
            .await?;
        }
        event(
            &mut tx,
            &pair.my_case,
            Some(&caller.actor.user_id),
            EventKind::MatchShared,
            &[Fact::term(Vocab::Member, &pair.their_label)],
        )
        .await?;
        append(&mut tx, &[caller.entry(AuditAction::Update, "match", Some(match_id.as_str()), "shared")]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Possible matches that partner members have shared with the reader's member and that
    /// wait for its answer (proposed, its own side not yet shared), newest first: the cases
    /// to look at. Audited as a read of each case listed.
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn matches_shared_with_us(&self, caller: &Caller) -> Result<Vec<SharedWithUs>> {
        let out = matches::shared_with(self.pool(), &caller.actor.member_id).await?;
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
    async fn match_side(&self, caller: &Caller, match_id: &str) -> Result<(MatchId, PairSide)> {
        let found = match MatchId::parse(match_id) {
            Some(id) => matches::pair(self.pool(), &id).await?,
            None => None,
        };
        let Some(found) = found else {
            return Err(self.denied(caller, "match", match_id).await);
        };
        let mine = &caller.actor.member_id;
        let mine_is_a = if &found.a.member == mine {
            true
        } else if &found.b.member == mine {
            false
        } else {
            return Err(self.denied(caller, "match", match_id).await);
        };
        let (my, their) = if mine_is_a { (&found.a, &found.b) } else { (&found.b, &found.a) };
        let pair = PairSide {
            status: found.status.clone(),
            mine_is_a,
            my_case: my.case_id.clone(),
            their_case: their.case_id.clone(),
            my_label: my.member_code.clone(),
            their_label: their.member_code.clone(),
            mine_shared: my.shared,
            theirs_shared: their.shared,
            same_member: found.a.member == found.b.member,
        };
        self.authorize_case(caller, pair.my_case.as_str(), CaseAccess::Write).await?;
        Ok((found.id, pair))
    }
}

/// A pair as one of its two members sees it, for deciding and sharing.
struct PairSide {
    status: String,
    mine_is_a: bool,
    my_case: CaseId,
    their_case: CaseId,
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

pub use kinbridge_store::matches::SharedWithUs;

/// Possible matches of a case's people as a reader of that case may see them (the caller has
/// authorized the read and audits it). A proposed pair drops out of sight when either side's
/// consent to tracing is withdrawn; a confirmed one stays.
pub(crate) async fn matches_of<'e, E: Executor<'e, Database = Any>>(e: E, case: &Case) -> Result<Vec<MatchView>> {
    let pairs = matches::of_case(e, &case.id).await?;
    let mut out = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let here_is_a = pair.a.case_id == case.id;
        let (mine, theirs) = if here_is_a { (&pair.a, &pair.b) } else { (&pair.b, &pair.a) };
        let own = theirs.member == case.member_id;
        let theirs_shared = !own && theirs.shared;
        let name = |s: &Side| format!("{} {}", s.given_names, s.family_name);
        let other = if own {
            OtherSide::OwnMember {
                person_id: theirs.person.clone(),
                case_id: theirs.case_id.clone(),
                case_reference: theirs.case_reference.clone(),
                name: name(theirs),
                birth_date: theirs.birth_date.clone(),
            }
        } else if theirs_shared {
            OtherSide::SharedByPartner {
                member_code: theirs.member_code.clone(),
                member_name: theirs.member_name.clone(),
                name: name(theirs),
                birth_date: theirs.birth_date.clone(),
            }
        } else {
            OtherSide::PartnerMember {
                member_code: theirs.member_code.clone(),
                member_name: theirs.member_name.clone(),
            }
        };
        let visible = own || theirs_shared;
        let explanation: Vec<FieldAgreement> = if visible {
            serde_json::from_str(&pair.explanation)
                .map_err(|e| Error::corrupt(format!("match_candidates.explanation: {e}")))?
        } else {
            Vec::new()
        };
        let birth = |s: &Side| s.birth_date.clone().unwrap_or_default();
        let side_by_side = if visible {
            vec![
                SideBySide {
                    field: "given_names".into(),
                    here: mine.given_names.clone(),
                    there: theirs.given_names.clone(),
                },
                SideBySide {
                    field: "family_name".into(),
                    here: mine.family_name.clone(),
                    there: theirs.family_name.clone(),
                },
                SideBySide { field: "sex".into(), here: mine.sex.clone(), there: theirs.sex.clone() },
                SideBySide { field: "birth_date".into(), here: birth(mine), there: birth(theirs) },
            ]
        } else {
            Vec::new()
        };
        out.push(MatchView {
            id: pair.id.clone(),
            person_id: mine.person.clone(),
            person_name: name(mine),
            other,
            probability: pair.probability,
            status: pair.status.clone(),
            shared_by_us: !own && mine.shared,
            explanation,
            side_by_side,
        });
    }
    Ok(out)
}
