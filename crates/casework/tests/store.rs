//! The store against real databases: scoping, audit chain, lifecycle, on both backends.

use kinbridge_casework::accounts::{LoginOutcome, NewUser};
use kinbridge_casework::requests::RequestBox;
use kinbridge_casework::{today, Caller, Casework, Error};
use kinbridge_domain::case::{
    CaseAction, CaseFilter, EventKind, Fact, NewCase, NewConsent, NewPerson, Outcome, RelationshipKind,
};
use kinbridge_domain::member::NewMember;
use kinbridge_domain::request::{NewRequest, Transition};
use kinbridge_domain::Role;
use kinbridge_domain::{DomainError, ErrorCode};
use kinbridge_store::audit::Verification;
use kinbridge_store::testing::TestDatabase;
use kinbridge_store::{both_backends, Backend};

async fn caller(store: &Casework, member: &str, role: Role, email: &str) -> Caller {
    let user = store
        .create_user(&NewUser::parse(member, role.as_str(), email, "", "long enough password").unwrap())
        .await
        .unwrap();
    Caller { actor: user.actor(), ip: Some("127.0.0.1".into()) }
}

/// A database with members CH and DE and a caseworker at each.
async fn two_members(backend: Backend) -> (TestDatabase, Casework, Caller, Caller) {
    let db = TestDatabase::new(backend).await;
    let store = Casework::open(&db.url, &db.data_dir).await.unwrap();
    store.create_member(&NewMember::parse("CH", "Switzerland", "CH").unwrap()).await.unwrap();
    store.create_member(&NewMember::parse("DE", "Germany", "DE").unwrap()).await.unwrap();
    let ch = caller(&store, "CH", Role::Caseworker, "ana@ch.test").await;
    let de = caller(&store, "DE", Role::Caseworker, "jonas@de.test").await;
    (db, store, ch, de)
}

async fn story(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let store = Casework::open(&db.url, &db.data_dir).await.unwrap();
    store.create_member(&NewMember::parse("CH", "Switzerland", "CH").unwrap()).await.unwrap();
    store.create_member(&NewMember::parse("DE", "Germany", "DE").unwrap()).await.unwrap();
    let ch = caller(&store, "CH", Role::Caseworker, "ana@ch.test").await;
    let ch_boss = caller(&store, "CH", Role::Supervisor, "boss@ch.test").await;
    let de = caller(&store, "DE", Role::Caseworker, "jonas@de.test").await;
    let researcher = caller(&store, "DE", Role::Researcher, "r@de.test").await;

    let new = NewCase::parse("family_tracing", "Tracing of Amanuel's mother", "", "He wants to live with her.", "DE")
        .unwrap();
    let child = NewPerson::parse("child", "Amanuel", "Tesfay", "male", "~12", false, "ER", "ti", today()).unwrap();
    let case = store.open_case(&ch, &new, &[child], &[processing()], None).await.unwrap();
    assert!(case.reference.starts_with("CH-"));

    // Scoping: the partner and the researcher cannot see the case.
    assert!(matches!(
        store.case(&de, case.id.as_str()).await,
        Err(Error::Domain(kinbridge_domain::DomainError::NotFound))
    ));
    assert!(store.case(&researcher, case.id.as_str()).await.is_err());
    assert_eq!(
        store.list_cases(&de, &CaseFilter::parse(None, None, None, None, None, None, None)).await.unwrap().total,
        0
    );
    let page =
        store.list_cases(&ch, &CaseFilter::parse(None, None, None, None, Some("amanuel"), None, None)).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].child_name.as_deref(), Some("Amanuel Tesfay"));

    // Request round trip.
    let people = store.people(&ch, case.id.as_str()).await.unwrap();
    let req =
        NewRequest::parse("DE", "tracing", "Trace the mother", "Last seen in Frankfurt, 2019.", "2030-01-01", today())
            .unwrap();
    let request = store.send_request(&ch, case.id.as_str(), &req, &[people[0].id.to_string()], &[]).await.unwrap();
    let inbox = store.list_requests(&de, RequestBox::Inbox, true, 1, 25).await.unwrap();
    assert_eq!(inbox.total, 1);
    let detail = store.request_detail(&de, request.id.as_str()).await.unwrap();
    assert_eq!(detail.shared_people.len(), 1);
    for (action, text) in
        [("acknowledge", None), ("accept", None), ("start", None), ("answer", Some("Mother found in Hamburg."))]
    {
        store.transition_request(&de, request.id.as_str(), &Transition::parse(action, text).unwrap()).await.unwrap();
    }
    // The partner cannot close; the sender can.
    assert!(store
        .transition_request(&de, request.id.as_str(), &Transition::parse("close", None).unwrap())
        .await
        .is_err());
    store.transition_request(&ch, request.id.as_str(), &Transition::parse("close", None).unwrap()).await.unwrap();

    // Closure: proposed by the caseworker, approved by the supervisor.
    store.case_action(&ch, case.id.as_str(), CaseAction::ProposeClosure(Outcome::Reunified)).await.unwrap();
    assert!(store.case_action(&ch, case.id.as_str(), CaseAction::ApproveClosure).await.is_err());
    let closed = store.case_action(&ch_boss, case.id.as_str(), CaseAction::ApproveClosure).await.unwrap();
    assert_eq!(closed.outcome, Some(Outcome::Reunified));
    assert!(closed.first_response_on.is_some());
    let detail = store.case_detail(&ch, case.id.as_str()).await.unwrap();
    assert!(detail.timeline.len() >= 6, "{:?}", detail.timeline);

    // Login and sessions.
    let LoginOutcome::LoggedIn { token, .. } =
        store.login("ANA@ch.test", "long enough password", "127.0.0.1").await.unwrap()
    else {
        panic!("login")
    };
    assert!(store.session(&token).await.unwrap().is_some());
    assert!(matches!(store.login("ana@ch.test", "wrong", "127.0.0.1").await.unwrap(), LoginOutcome::BadCredentials));

    assert!(
        matches!(store.store().verify_audit().await.unwrap(), Verification::Intact { entries, .. } if entries > 10)
    );
    store.close().await;
}

async fn audit_tampering_is_detected(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let store = Casework::open(&db.url, &db.data_dir).await.unwrap();
    store.create_member(&NewMember::parse("CH", "Switzerland", "CH").unwrap()).await.unwrap();
    let ch = caller(&store, "CH", Role::Caseworker, "ana@ch.test").await;
    let new = NewCase::parse("family_tracing", "A case", "", "", "").unwrap();
    let child = NewPerson::parse("child", "Amal", "Haddad", "female", "2013", false, "", "", today()).unwrap();
    let case = store.open_case(&ch, &new, &[child], &[processing()], None).await.unwrap();
    store.case(&ch, case.id.as_str()).await.unwrap();
    assert!(matches!(store.store().verify_audit().await.unwrap(), Verification::Intact { .. }));

    sqlx::query("UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 2")
        .execute(store.store().pool())
        .await
        .unwrap();
    assert!(matches!(store.store().verify_audit().await.unwrap(), Verification::Broken { seq: 2, .. }));
    store.close().await;
}

async fn audit_deletion_is_detected(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let store = Casework::open(&db.url, &db.data_dir).await.unwrap();
    store.create_member(&NewMember::parse("CH", "Switzerland", "CH").unwrap()).await.unwrap();
    store.create_member(&NewMember::parse("DE", "Germany", "DE").unwrap()).await.unwrap();
    let max: i64 = sqlx::Row::get(
        &sqlx::query("SELECT MAX(seq) AS m FROM audit_log").fetch_one(store.store().pool()).await.unwrap(),
        "m",
    );
    sqlx::query("DELETE FROM audit_log WHERE seq = $1").bind(max).execute(store.store().pool()).await.unwrap();
    assert!(matches!(store.store().verify_audit().await.unwrap(), Verification::Broken { .. }));
    store.close().await;
}

both_backends!(story, audit_tampering_is_detected, audit_deletion_is_detected);

/// The field error code a refusal names.
fn refused(r: Result<impl std::fmt::Debug, Error>) -> ErrorCode {
    match r {
        Err(Error::Domain(DomainError::Invalid(f))) => f[0].code,
        Err(Error::Conflict(code)) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Corrections: a person's record changes with its history in the timeline; a save made on an
/// older copy is refused; a person others rely on and the only child stay.
async fn corrections(backend: Backend) {
    let (_db, store, ch, de) = two_members(backend).await;
    let new = NewCase::parse("family_tracing", "Lucie", "", "", "DE").unwrap();
    let person = |role, given, family| NewPerson::parse(role, given, family, "", "2015", false, "FR", "fr", today());
    let people = [
        person("child", "Lucie", "Fontain").unwrap(),
        person("mother", "Claire", "Fontaine").unwrap(),
        person("sibling", "Paul", "Fontaine").unwrap(),
    ];
    let case = store.open_case(&ch, &new, &people, &[processing()], None).await.unwrap();
    let cid = case.id.as_str();
    let ps = store.people(&ch, cid).await.unwrap();
    let (child, mother, sibling) = (&ps[0], &ps[1], &ps[2]);
    assert_eq!(child.version, 1);
    store.add_relationship(&ch, cid, mother.id.as_str(), child.id.as_str(), RelationshipKind::ParentOf).await.unwrap();

    // The typo is corrected; the timeline keeps before and after.
    let fixed = person("child", "Lucie", "Fontaine").unwrap();
    let after = store.correct_person(&ch, cid, child.id.as_str(), &fixed, Some(1)).await.unwrap();
    assert_eq!((after.family_name.as_str(), after.version), ("Fontaine", 2));
    let detail = store.case_detail(&ch, cid).await.unwrap();
    let line = detail.timeline.iter().find(|e| e.kind == EventKind::PersonCorrected).expect("a correction line");
    assert!(line.facts.contains(&Fact::change("family_name", None, "Fontain", "Fontaine")), "{:?}", line.facts);
    // A second editor working from version 1 is refused, and nothing changes.
    let other = person("child", "Lucy", "Fontain").unwrap();
    assert_eq!(
        refused(store.correct_person(&ch, cid, child.id.as_str(), &other, Some(1)).await),
        ErrorCode::StaleVersion
    );
    assert_eq!(store.people(&ch, cid).await.unwrap()[0].given_names, "Lucie");
    assert_eq!(refused(store.correct_person(&ch, cid, child.id.as_str(), &other, None).await), ErrorCode::Required);
    // Another member's caseworker cannot tell the person exists.
    assert!(matches!(
        store.correct_person(&de, cid, child.id.as_str(), &fixed, Some(2)).await,
        Err(Error::Domain(DomainError::NotFound))
    ));
    assert!(matches!(
        store.remove_person(&de, cid, sibling.id.as_str()).await,
        Err(Error::Domain(DomainError::NotFound))
    ));
    // A person of another case is not this case's.
    let other_case =
        store.open_case(&ch, &new, &[person("child", "Marc", "Roux").unwrap()], &[processing()], None).await.unwrap();
    let marc = store.people(&ch, other_case.id.as_str()).await.unwrap().remove(0);
    assert_eq!(refused(store.remove_person(&ch, cid, marc.id.as_str()).await), ErrorCode::UnknownPerson);

    // The case keeps its child: not removed, not turned into someone else.
    assert_eq!(refused(store.remove_person(&ch, cid, child.id.as_str()).await), ErrorCode::LastChild);
    let as_mother = person("mother", "Lucie", "Fontaine").unwrap();
    assert_eq!(
        refused(store.correct_person(&ch, cid, child.id.as_str(), &as_mother, Some(2)).await),
        ErrorCode::LastChild
    );

    // A relationship recorded in error goes, once.
    let rel = store.case_detail(&ch, cid).await.unwrap().relationships.remove(0);
    store.remove_relationship(&ch, cid, rel.id.as_str()).await.unwrap();
    assert_eq!(refused(store.remove_relationship(&ch, cid, rel.id.as_str()).await), ErrorCode::UnknownRelationship);

    // The mother was shared with a partner: corrected, never removed. The sibling goes.
    let req = NewRequest::parse("DE", "tracing", "Trace", "Where is she?", "2030-01-01", today()).unwrap();
    store.send_request(&ch, cid, &req, &[mother.id.to_string()], &[]).await.unwrap();
    assert_eq!(refused(store.remove_person(&ch, cid, mother.id.as_str()).await), ErrorCode::PersonInUse);
    store.remove_person(&ch, cid, sibling.id.as_str()).await.unwrap();
    let detail = store.case_detail(&ch, cid).await.unwrap();
    assert_eq!(detail.people.len(), 2);
    assert!(detail
        .timeline
        .iter()
        .any(|e| e.kind == EventKind::PersonRemoved && e.facts.contains(&Fact::text("Paul Fontaine"))));
    let removed = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'delete' AND entity = 'person' AND entity_id = $1",
    )
    .bind(sibling.id.to_string())
    .fetch_one(store.store().pool())
    .await
    .unwrap();
    assert_eq!(sqlx::Row::get::<i64, _>(&removed, "n"), 1);
    assert!(matches!(store.store().verify_audit().await.unwrap(), Verification::Intact { .. }));
    store.close().await;
}

both_backends!(corrections);

/// A new case needs its child and the consent to processing; the intake check runs for every
/// caller, and is overridden only with a reason, which the timeline and the audit trail keep.
async fn rules_of_a_new_case(backend: Backend) {
    let (_db, store, ch, _de) = two_members(backend).await;
    let new = NewCase::parse("family_tracing", "Amal", "", "", "DE").unwrap();
    let amal = || NewPerson::parse("child", "Amal", "Haddad", "female", "2013-07-08", false, "", "", today()).unwrap();
    let mother = NewPerson::parse("mother", "Huda", "Haddad", "female", "", false, "", "", today()).unwrap();
    let tracing = NewConsent::parse("tracing", "Huda Haddad", "2026-01-10", today()).unwrap();
    let counts = || async {
        store.list_cases(&ch, &CaseFilter::parse(None, None, None, None, None, None, None)).await.unwrap().total
    };
    match store.open_case(&ch, &new, &[mother], std::slice::from_ref(&tracing), None).await {
        Err(Error::Domain(DomainError::Invalid(f))) => {
            let codes: Vec<_> = f.iter().map(|e| (e.field, e.code)).collect();
            assert_eq!(codes, [("people", ErrorCode::ChildRequired), ("consents", ErrorCode::ConsentRequired)]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(counts().await, 0, "nothing written");
    let first = store.open_case(&ch, &new, &[amal()], &[processing()], None).await.unwrap();

    // The same child again: the existing record is named, nothing is opened.
    match store.open_case(&ch, &new, &[amal()], &[processing()], Some("  ")).await {
        Err(Error::PossibleDuplicates(found)) => {
            assert_eq!(found.len(), 1);
            assert!(format!("{:?}", found[0].other).contains(first.id.as_str()));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(counts().await, 1);
    let reason = "Another Amal Haddad: born in Homs, the first in Aleppo.";
    let second = store.open_case(&ch, &new, &[amal()], &[processing()], Some(reason)).await.unwrap();
    let detail = store.case_detail(&ch, second.id.as_str()).await.unwrap();
    assert!(detail
        .timeline
        .iter()
        .any(|e| e.kind == EventKind::DuplicateOverridden && e.facts == [Fact::text(reason)]));
    let row =
        sqlx::query("SELECT detail FROM audit_log WHERE action = 'create' AND entity = 'case' AND entity_id = $1")
            .bind(second.id.to_string())
            .fetch_one(store.store().pool())
            .await
            .unwrap();
    assert!(sqlx::Row::get::<String, _>(&row, "detail").ends_with("possible duplicates overridden"));
    store.close().await;
}

both_backends!(rules_of_a_new_case);

/// Possible matches: found across spellings and scripts, only among people with consent to
/// tracing, shown without personal data when another member holds them, and a rejection is
/// remembered.
async fn matching(backend: Backend) {
    use kinbridge_casework::matching::OtherSide;

    let (_db, store, ch, de) = two_members(backend).await;
    let consent = || NewConsent::parse("tracing", "Mother, by phone", "2026-01-10", today()).unwrap();
    let open = |who: &Caller, given: &str, family: &str, sex: &str, born: &str, with_consent: bool| {
        let store = store.clone();
        let who = who.clone();
        let (given, family, sex, born) = (given.to_string(), family.to_string(), sex.to_string(), born.to_string());
        async move {
            let new = NewCase::parse("family_tracing", &format!("Tracing for {given}"), "", "", "").unwrap();
            let child = NewPerson::parse("child", &given, &family, &sex, &born, false, "ER", "ti", today()).unwrap();
            let consents = if with_consent { vec![consent(), processing()] } else { vec![processing()] };
            store.open_case(&who, &new, &[child], &consents, REASON).await.unwrap()
        }
    };
    let a = open(&ch, "Amanuel", "Tesfay", "male", "2012-03-04", true).await;
    // Saving a case with people queues its matching job in the same transaction.
    let pending = store.store().pending_jobs().await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!((pending[0].0.as_str(), pending[0].1.as_str()), ("match_case", a.id.as_str()));
    let b = open(&ch, "Amanuel", "Tesfaye", "male", "2012-04-03", true).await;
    let c = open(&de, "አማኑኤል", "ተስፋይ", "male", "2012-03-04", true).await;
    let no_consent = open(&ch, "Amanuel", "Tesfay", "male", "2012-03-04", false).await;
    let stranger = open(&ch, "Olena", "Shevchenko", "female", "1990-01-02", true).await;
    assert_eq!(store.run_pending_jobs().await.unwrap(), 5);
    assert!(store.store().pending_jobs().await.unwrap().is_empty());

    let found = store.matches_for_case(&ch, a.id.as_str()).await.unwrap();
    assert_eq!(found.len(), 2, "{found:#?}");
    let own = found.iter().find(|m| matches!(m.other, OtherSide::OwnMember { .. })).expect("own member's match");
    match &own.other {
        OtherSide::OwnMember { case_id, name, .. } => {
            assert_eq!(case_id, b.id.as_str());
            assert_eq!(name, "Amanuel Tesfaye");
        }
        other => panic!("{other:?}"),
    }
    assert!(own.explanation.iter().any(|e| e.field == "birth_date" && e.agreement.contains("day/month")));
    let partner = found.iter().find(|m| matches!(m.other, OtherSide::PartnerMember { .. })).expect("partner's match");
    match &partner.other {
        OtherSide::PartnerMember { member_code, .. } => assert_eq!(member_code, "DE"),
        other => panic!("{other:?}"),
    }
    assert!(partner.explanation.is_empty() && partner.side_by_side.is_empty(), "no detail of the partner's record");
    let json = serde_json::to_string(&partner).unwrap();
    assert!(!json.contains("ተስፋይ") && !json.contains(c.id.as_str()), "{json}");

    // Without consent to tracing a person is never proposed, either way.
    assert!(store.matches_for_case(&ch, no_consent.id.as_str()).await.unwrap().is_empty());
    for m in &found {
        if let OtherSide::OwnMember { case_id, .. } = &m.other {
            assert_ne!(case_id, no_consent.id.as_str());
        }
    }
    assert!(store.matches_for_case(&ch, stranger.id.as_str()).await.unwrap().is_empty());

    // The partner sees the same pair from its side, again without the Swiss details.
    let theirs = store.matches_for_case(&de, c.id.as_str()).await.unwrap();
    assert_eq!(theirs.len(), 2, "both Swiss records are plausible: {theirs:#?}");
    assert!(theirs
        .iter()
        .all(|m| matches!(&m.other, OtherSide::PartnerMember { member_code, .. } if member_code == "CH")));
    assert!(theirs.iter().all(|m| m.explanation.is_empty()));
    // Another member's case stays out of reach.
    assert!(store.matches_for_case(&de, a.id.as_str()).await.is_err());

    // A cross-member match cannot be confirmed before the partner shares; it can be rejected.
    assert!(store.decide_match(&ch, &partner.id, true).await.is_err());
    store.decide_match(&ch, &partner.id, false).await.unwrap();
    store.decide_match(&ch, &own.id, true).await.unwrap();
    assert!(store.decide_match(&ch, &own.id, false).await.is_err(), "already decided");
    assert!(store.decide_match(&de, &own.id, false).await.is_err(), "not theirs to decide");
    for case in [&a, &b, &c] {
        store.refresh_matches(case.id.as_str()).await.unwrap();
    }
    store.refresh_all_matches().await.unwrap();
    let after = store.matches_for_case(&ch, a.id.as_str()).await.unwrap();
    assert_eq!(after.len(), 1, "the rejected pair is not proposed again");
    assert_eq!(after[0].status, "confirmed");

    // Across members, a side is seen only once its member shares it. CH shares b's side of
    // the b–c pair; DE then sees the Swiss record next to its own and can confirm.
    let partner_of = |found: Vec<kinbridge_casework::matching::MatchView>| {
        found.into_iter().find(|m| !matches!(m.other, OtherSide::OwnMember { .. })).expect("a cross-member pair")
    };
    let bc = partner_of(store.matches_for_case(&ch, b.id.as_str()).await.unwrap());
    assert!(!bc.shared_by_us);
    assert!(store.decide_match(&de, &bc.id, true).await.is_err(), "DE has not seen the Swiss record");
    assert!(store.matches_shared_with_us(&de).await.unwrap().is_empty());
    assert!(store.share_match(&de, &own.id).await.is_err(), "not DE's pair");
    assert!(store.share_match(&ch, &own.id).await.is_err(), "a pair within one member has nothing to share");
    store.share_match(&ch, &bc.id).await.unwrap();
    store.share_match(&ch, &bc.id).await.unwrap();
    let ours = partner_of(store.matches_for_case(&ch, b.id.as_str()).await.unwrap());
    assert!(ours.shared_by_us);
    assert!(matches!(ours.other, OtherSide::PartnerMember { .. }) && ours.side_by_side.is_empty(), "DE has not shared");
    let waiting = store.matches_shared_with_us(&de).await.unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:#?}");
    assert_eq!((waiting[0].case_id.as_str(), waiting[0].partner_code.as_str()), (c.id.as_str(), "CH"));
    assert!(store.matches_shared_with_us(&ch).await.unwrap().is_empty(), "nothing waits on CH");
    let seen = store.matches_for_case(&de, c.id.as_str()).await.unwrap();
    let seen = seen.iter().find(|m| m.id == bc.id).expect("the shared pair");
    match &seen.other {
        OtherSide::SharedByPartner { member_code, name, .. } => {
            assert_eq!((member_code.as_str(), name.as_str()), ("CH", "Amanuel Tesfaye"))
        }
        other => panic!("{other:?}"),
    }
    assert!(!seen.explanation.is_empty());
    let given = seen.side_by_side.iter().find(|f| f.field == "given_names").unwrap();
    assert_eq!((given.here.as_str(), given.there.as_str()), ("አማኑኤል", "Amanuel"));
    // The other Swiss record (a, rejected) stays out of DE's sight entirely.
    assert!(seen.side_by_side.iter().all(|f| f.there != "Tesfay"));
    assert!(store.decide_match(&ch, &bc.id, true).await.is_err(), "CH has not seen DE's record");
    store.decide_match(&de, &bc.id, true).await.unwrap();
    let ours = partner_of(store.matches_for_case(&ch, b.id.as_str()).await.unwrap());
    assert_eq!(ours.status, "confirmed");
    assert!(store.matches_shared_with_us(&de).await.unwrap().is_empty());
    let kinds =
        |d: kinbridge_casework::cases::CaseDetail| d.timeline.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>();
    let swiss = kinds(store.case_detail(&ch, b.id.as_str()).await.unwrap());
    assert!(swiss.contains(&"match_shared") && swiss.contains(&"match_confirmed"), "{swiss:?}");
    assert!(kinds(store.case_detail(&de, c.id.as_str()).await.unwrap()).contains(&"match_confirmed"));

    // Intake: before a new child is registered, the records that may be them. A member sees
    // its own (even without consent to tracing: they are its records) with details, a
    // partner's only if consented to tracing, and then only as who holds them.
    let newcomer =
        NewPerson::parse("child", "Amanuel", "Tesfai", "male", "2012-03-04", false, "", "", today()).unwrap();
    let known = store.possible_duplicates(&ch, &newcomer).await.unwrap();
    let own_cases: Vec<&str> = known
        .iter()
        .filter_map(|k| match &k.other {
            OtherSide::OwnMember { case_id, .. } => Some(case_id.as_str()),
            _ => None,
        })
        .collect();
    assert!(own_cases.contains(&a.id.as_str()) && own_cases.contains(&no_consent.id.as_str()), "{known:#?}");
    assert!(!own_cases.contains(&stranger.id.as_str()));
    assert!(known
        .iter()
        .any(|k| matches!(&k.other, OtherSide::PartnerMember { member_code, .. } if member_code == "DE")));
    let json = serde_json::to_string(&known).unwrap();
    assert!(!json.contains("ተስፋይ") && !json.contains(c.id.as_str()), "{json}");
    let theirs = store.possible_duplicates(&de, &newcomer).await.unwrap();
    assert!(theirs
        .iter()
        .any(|k| matches!(&k.other, OtherSide::OwnMember { case_id, .. } if case_id == c.id.as_str())));
    let json = serde_json::to_string(&theirs).unwrap();
    assert!(!json.contains(no_consent.id.as_str()) && !json.contains("Tesfay"), "{json}");
    let nobody =
        NewPerson::parse("child", "Ingrid", "Solberg", "female", "2001-05-05", false, "", "", today()).unwrap();
    assert!(store.possible_duplicates(&ch, &nobody).await.unwrap().is_empty());
    let researcher = caller(&store, "CH", Role::Researcher, "r@ch.test").await;
    assert!(store.possible_duplicates(&researcher, &newcomer).await.is_err());

    // Withdrawing consent to tracing takes a proposed pair out of both sides' sight at once.
    let d = open(&ch, "Mariam", "Haddad", "female", "2013-07-08", true).await;
    let e = open(&de, "Maryam", "Al-Haddad", "female", "2013-07-08", true).await;
    store.run_pending_jobs().await.unwrap();
    assert_eq!(store.matches_for_case(&ch, d.id.as_str()).await.unwrap().len(), 1);
    use kinbridge_domain::case::ConsentScope;
    assert!(store.withdraw_consent(&ch, e.id.as_str(), ConsentScope::Tracing).await.is_err(), "not CH's case");
    store.withdraw_consent(&de, e.id.as_str(), ConsentScope::Tracing).await.unwrap();
    assert!(
        store.withdraw_consent(&de, e.id.as_str(), ConsentScope::Tracing).await.is_err(),
        "nothing left to withdraw"
    );
    assert!(store.matches_for_case(&ch, d.id.as_str()).await.unwrap().is_empty());
    assert!(store.matches_for_case(&de, e.id.as_str()).await.unwrap().is_empty());
    store.refresh_all_matches().await.unwrap();
    assert!(store.matches_for_case(&ch, d.id.as_str()).await.unwrap().is_empty());
    assert!(store
        .possible_duplicates(
            &ch,
            &NewPerson::parse("child", "Maryam", "Haddad", "female", "2013-07-08", false, "", "", today()).unwrap()
        )
        .await
        .unwrap()
        .iter()
        .all(|k| matches!(k.other, OtherSide::OwnMember { .. })));
}

/// A worker that dies with a job in hand loses nothing: the lease runs out and the job runs
/// again; a change made while a job runs gets its own pass; a rolled-back change has no job.
async fn jobs_survive_a_crash(backend: Backend) {
    use std::time::Duration;

    let (_db, store, ch, de) = two_members(backend).await;
    let consent = NewConsent::parse("tracing", "Guardian", "2026-01-10", today()).unwrap();
    let new = NewCase::parse("family_tracing", "Tracing", "", "", "").unwrap();
    let child =
        |g: &str, f: &str| NewPerson::parse("child", g, f, "female", "2013-07-08", false, "", "", today()).unwrap();
    let a = store
        .open_case(&ch, &new, &[child("Mariam", "Haddad")], &[consent.clone(), processing()], REASON)
        .await
        .unwrap();
    store.run_pending_jobs().await.unwrap();
    let b =
        store.open_case(&de, &new, &[child("Maryam", "Al-Haddad")], &[consent, processing()], REASON).await.unwrap();

    // A worker claims b's job and dies (its lease is short here).
    let job = store
        .store()
        .claim_job(kinbridge_casework::jobs::WORKER_KINDS, Duration::from_millis(200))
        .await
        .unwrap()
        .expect("a job");
    assert_eq!(job.key, b.id.as_str());
    assert!(
        store
            .store()
            .claim_job(kinbridge_casework::jobs::WORKER_KINDS, Duration::from_secs(60))
            .await
            .unwrap()
            .is_none(),
        "leased jobs are not handed out twice"
    );
    assert!(store.matches_for_case(&ch, a.id.as_str()).await.unwrap().is_empty());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(store.run_pending_jobs().await.unwrap(), 1, "claimed again after the lease");
    assert_eq!(store.matches_for_case(&ch, a.id.as_str()).await.unwrap().len(), 1);

    // Enqueued again while running: one more pass, then gone.
    let person = child("Mariam", "Hadad");
    store.add_person(&de, b.id.as_str(), &person).await.unwrap();
    let job = store
        .store()
        .claim_job(kinbridge_casework::jobs::WORKER_KINDS, Duration::from_secs(60))
        .await
        .unwrap()
        .expect("a job");
    store.add_person(&de, b.id.as_str(), &person).await.unwrap();
    store.store().finish_job(&job).await.unwrap();
    assert_eq!(store.store().pending_jobs().await.unwrap().len(), 1, "the newer change still has its pass");
    assert_eq!(store.run_pending_jobs().await.unwrap(), 1);
    assert!(store.store().pending_jobs().await.unwrap().is_empty());

    // A change refused (another member's case) leaves no job.
    let before = store.store().pending_jobs().await.unwrap();
    assert!(store.add_person(&ch, b.id.as_str(), &person).await.is_err());
    assert_eq!(store.store().pending_jobs().await.unwrap(), before);
}

both_backends!(matching, jobs_survive_a_crash);

/// The research corpus: a closed case gets a de-identified copy (no seeded name, date of
/// birth, identifier, address or phone survives anywhere in it), stand-ins are stable across
/// rebuilds, only researchers (and the DPO) read it, a researcher reaches no live case,
/// published tables suppress small cells, and only the DPO's key reverses the stand-ins.
async fn research_corpus(backend: Backend) {
    use kinbridge_domain::case::{ConsentScope, NewConsent};

    let db = TestDatabase::new(backend).await;
    let store = Casework::open(&db.url, &db.data_dir).await.unwrap();
    store.create_member(&NewMember::parse("CH", "Switzerland", "CH").unwrap()).await.unwrap();
    let ch = caller(&store, "CH", Role::Caseworker, "ana@ch.test").await;
    let boss = caller(&store, "CH", Role::Supervisor, "boss@ch.test").await;
    let researcher = caller(&store, "CH", Role::Researcher, "rita@ch.test").await;
    let dpo = caller(&store, "CH", Role::DataProtectionOfficer, "dpo@ch.test").await;
    let seeded = [
        ("Amanuel", "Tesfay", "male", "2012-03-04", "Selam", "Gebre",
         "Amanuel (born 04/03/2012) told us that his mother Selam Gebre lives at 12 rue des Lilas, 75011 Paris. Her phone: +33 6 12 34 56 78, passport no. EK1234567. amanuel tesfaye wants to join her."),
        ("Mariam", "Haddad", "female", "2013-07-08", "Fatima", "Haddad",
         "Mariam Haddad, 12 ans, vit chez son oncle Karim Haddad à Mekelle depuis le 3 février 2021. Maryam veut revoir sa mère Fatima."),
        ("Olena", "Shevchenko", "female", "2010-11-30", "Iryna", "Shevchenko",
         "Olena Shevchenko was born on 30 November 2010 in Kharkiv. Contact: iryna.shevchenko@example.org."),
    ];
    let mut cases = Vec::new();
    for (given, family, sex, born, mother, mother_family, note) in seeded {
        let new = NewCase::parse(
            "family_tracing",
            &format!("Tracing of {given}'s mother"),
            &format!("{given} {family} is looking for {mother}."),
            "",
            "",
        )
        .unwrap();
        let people = [
            NewPerson::parse("child", given, family, sex, born, false, "", "", today()).unwrap(),
            NewPerson::parse("mother", mother, mother_family, "female", "", false, "", "", today()).unwrap(),
        ];
        let consent = NewConsent::parse("research", "Guardian", "2026-01-10", today()).unwrap();
        let case = store.open_case(&ch, &new, &people, &[consent, processing()], REASON).await.unwrap();
        store.add_note(&ch, case.id.as_str(), note).await.unwrap();
        cases.push(case);
    }
    // Two close; the third stays open and out of the corpus.
    for case in &cases[..2] {
        store.case_action(&ch, case.id.as_str(), CaseAction::ProposeClosure(Outcome::Reunified)).await.unwrap();
        store.case_action(&boss, case.id.as_str(), CaseAction::ApproveClosure).await.unwrap();
    }
    store.run_pending_jobs().await.unwrap();
    let (total, found) = store.research_search(&researcher, "", None, false, 100).await.unwrap();
    assert_eq!(total, 2);
    assert!(found.iter().all(|c| c.outcome.as_deref() == Some("reunified") && c.member_country == "CH"));
    let amanuel = found.iter().find(|c| c.body.contains("[ADDRESS]")).expect("Amanuel's copy");
    assert!(amanuel.body.contains("[CHILD-1]") && amanuel.body.contains("[ADDRESS]"), "{}", amanuel.body);
    assert_eq!(amanuel.body.matches("[CHILD-1]").count(), 4, "every spelling of the child: {}", amanuel.body);

    // Nothing seeded survives, in any column of any copy.
    let needles = [
        "amanuel",
        "tesfay",
        "selam",
        "gebre",
        "mariam",
        "maryam",
        "haddad",
        "karim",
        "fatima",
        "olena",
        "shevchenko",
        "2012-03-04",
        "04/03/2012",
        "2013-07-08",
        "3 février 2021",
        "ek1234567",
        "12 34 56 78",
        "rue des lilas",
        "75011",
        "kharkiv",
        "mekelle",
    ];
    let mariam = found.iter().find(|c| !c.body.contains("[ADDRESS]")).unwrap();
    assert!(mariam.body.contains("oncle [PERSON-1]"), "the uncle is not the child: {}", mariam.body);
    assert!(mariam.body.contains("à [Tigray, Ethiopia]"), "the town becomes its region: {}", mariam.body);
    let (_, all) = store.research_search(&researcher, "", None, false, 100).await.unwrap();
    let everything = serde_json::to_string(&all).unwrap().to_lowercase();
    for n in needles {
        assert!(!everything.contains(n), "{n} survived: {everything}");
    }
    for case in &cases {
        assert!(
            !everything.contains(&case.id.as_str().to_lowercase())
                && !everything.contains(&case.reference.to_lowercase())
        );
    }
    let search = store.research_search(&researcher, "reunified tracing", None, false, 10).await.unwrap();
    assert_eq!(search.0, 0, "search is over the text, not the outcome column");
    assert_eq!(store.research_search(&researcher, "[mother-1]", None, false, 10).await.unwrap().0, 2);

    // At the reader's choice, fake names of the same culture and gender instead of labels.
    let (_, named) = store.research_search(&researcher, "", None, true, 100).await.unwrap();
    let named_text = serde_json::to_string(&named).unwrap().to_lowercase();
    assert!(!named_text.contains("[child-1]") && !named_text.contains("[mother-1]"), "{named_text}");
    // Whole words: a fake name may contain a seeded one ("Teklemariam").
    let named_words: std::collections::HashSet<&str> =
        named_text.split(|c: char| !c.is_alphanumeric() && c != '-' && c != '/').collect();
    for n in needles {
        let leaked = if n.contains(' ') { named_text.contains(n) } else { named_words.contains(n) };
        assert!(!leaked, "{n} survived with fake names: {named_text}");
    }

    // Stable across rebuilds.
    assert_eq!(store.rebuild_research_corpus().await.unwrap(), (2, 0));
    let (_, again) = store.research_search(&researcher, "", None, false, 100).await.unwrap();
    let key = |v: &[kinbridge_casework::research::ResearchCase]| {
        let mut k: Vec<(String, String)> = v.iter().map(|c| (c.id.clone(), c.body.clone())).collect();
        k.sort();
        k
    };
    assert_eq!(key(&all), key(&again));

    // Only researchers and the DPO read it; a researcher reaches no live case.
    assert!(store.research_search(&ch, "", None, false, 10).await.is_err());
    assert!(store.case(&researcher, cases[0].id.as_str()).await.is_err());
    assert!(store.case_detail(&researcher, cases[2].id.as_str()).await.is_err());
    assert!(store.research_search(&dpo, "", None, false, 10).await.is_ok());

    // Published table: two cases in one cell, under the threshold of 5: withheld.
    let outcomes = store.research_outcome_table(&researcher, None).await.unwrap();
    assert_eq!(outcomes.threshold, 5, "the floor when the request names none");
    assert_eq!(
        (outcomes.rows.as_slice(), outcomes.columns.as_slice()),
        (["CH".to_string()].as_slice(), ["reunified".to_string()].as_slice())
    );
    assert_eq!(outcomes.table.cells[0][0], None);
    assert!(!outcomes.table.recoverable(), "nor can the totals give it back: {:?}", outcomes.table);
    let csv = outcomes.csv();
    assert!(csv.starts_with("# De-identified data") && csv.contains("suppressed"), "{csv}");
    assert!(csv.contains("# Suppression threshold 5:"), "the file says the threshold it used: {csv}");
    assert!(store.research_outcome_table(&ch, None).await.is_err());
    // No request lowers the floor the data protection officer set.
    for low in [0, 1, 4] {
        assert!(matches!(
            store.research_outcome_table(&researcher, Some(low)).await,
            Err(Error::BelowFloor { field: "threshold", floor: 5 })
        ));
    }
    assert_eq!(store.research_outcome_table(&researcher, Some(7)).await.unwrap().threshold, 7);
    assert!(matches!(
        store.research_records(&researcher, Some(2)).await,
        Err(Error::BelowFloor { field: "k", floor: 5 })
    ));

    // Record-level export: k-anonymous on country, service, year and outcome. This DPO allows
    // groups of two.
    let store = store.with_disclosure_floor(kinbridge_casework::research::DisclosureFloor::new(2, 2).unwrap());
    let export = store.research_records(&researcher, None).await.unwrap();
    assert_eq!((export.records.len(), export.withheld, export.k), (2, 0, 2));
    assert!(
        export.records.iter().all(|r| r.children == 1 && r.adults == 0 && r.member_country == "CH"),
        "the mother's age is unknown"
    );
    let export = store.research_records(&researcher, Some(3)).await.unwrap();
    assert_eq!((export.records.len(), export.withheld), (0, 2), "two alike are fewer than three, even over five years");
    assert!(export.csv().contains("# k-anonymity with k = 3"), "{}", export.csv());
    let export = store.research_records(&researcher, None).await.unwrap();
    let parquet = export.parquet().unwrap();
    assert_eq!(&parquet[..4], b"PAR1");
    assert!(String::from_utf8_lossy(&parquet).contains("data_use_statement"));
    assert!(String::from_utf8_lossy(&parquet).contains("k_anonymity_k"));
    assert!(export.csv().starts_with("# De-identified data"));
    assert!(store.research_records(&ch, None).await.is_err());

    // The DPO's key, and only it, reverses the stand-ins.
    let key_hex = std::fs::read_to_string(db.data_dir.join("pseudonym.key")).unwrap();
    let table = store.research_reversal(&dpo, &key_hex, &amanuel.id).await.unwrap();
    assert!(table.contains(&("[CHILD-1]".to_string(), "Amanuel Tesfay".to_string())), "{table:?}");
    assert!(store.research_reversal(&dpo, &"00".repeat(32), &amanuel.id).await.is_err());
    assert!(store.research_reversal(&researcher, &key_hex, &amanuel.id).await.is_err());

    // Reopened: out of the corpus.
    store.case_action(&boss, cases[0].id.as_str(), CaseAction::Reopen).await.unwrap();
    store.run_pending_jobs().await.unwrap();
    assert_eq!(store.research_search(&researcher, "", None, false, 100).await.unwrap().0, 1);

    // Consent to research withdrawn: the copy goes in the same step, before any job runs.
    store.withdraw_consent(&ch, cases[1].id.as_str(), ConsentScope::Research).await.unwrap();
    assert_eq!(store.research_search(&researcher, "", None, false, 100).await.unwrap().0, 0);
    store.run_pending_jobs().await.unwrap();
    assert_eq!(store.rebuild_research_corpus().await.unwrap(), (0, 0));

    // A closed case without consent to research never enters; given later, the consent
    // brings it in.
    let new = NewCase::parse("family_tracing", "Tracing without research consent", "", "", "").unwrap();
    let tracing_only = NewConsent::parse("tracing", "Guardian", "2026-01-10", today()).unwrap();
    let child = NewPerson::parse("child", "Rania", "Saleh", "female", "2012", false, "", "", today()).unwrap();
    let no_research = store.open_case(&ch, &new, &[child], &[tracing_only, processing()], REASON).await.unwrap();
    store.case_action(&ch, no_research.id.as_str(), CaseAction::ProposeClosure(Outcome::Reunified)).await.unwrap();
    store.case_action(&boss, no_research.id.as_str(), CaseAction::ApproveClosure).await.unwrap();
    store.run_pending_jobs().await.unwrap();
    assert_eq!(store.research_search(&researcher, "", None, false, 100).await.unwrap().0, 0);
    assert_eq!(store.rebuild_research_corpus().await.unwrap(), (0, 0));
    let consent = NewConsent::parse("research", "Guardian", "2026-02-01", today()).unwrap();
    store.add_consent(&ch, no_research.id.as_str(), &consent).await.unwrap();
    store.run_pending_jobs().await.unwrap();
    assert_eq!(store.research_search(&researcher, "", None, false, 100).await.unwrap().0, 1);
}

both_backends!(research_corpus);

/// The case page is kept in memory between views, so it must follow every kind of change: the
/// background matching job, a partner's consent withdrawal (shown on the other side of a
/// match), a partner's answer to a request, a note written through another instance, and a row
/// changed by hand in the database.
async fn case_page_follows_every_change(backend: Backend) {
    use kinbridge_domain::case::{ConsentScope, NewConsent};

    let (db, store, ch, de) = two_members(backend).await;
    let consent = NewConsent::parse("tracing", "Mother, by phone", "2026-01-10", today()).unwrap();
    let open = |who: Caller, given: &'static str, family: &'static str| {
        let (store, consent) = (store.clone(), consent.clone());
        async move {
            let new = NewCase::parse("family_tracing", &format!("Tracing for {given}"), "", "", "DE").unwrap();
            let child =
                NewPerson::parse("child", given, family, "female", "2013-07-08", false, "", "", today()).unwrap();
            store.open_case(&who, &new, &[child], &[consent, processing()], REASON).await.unwrap()
        }
    };
    let a = open(ch.clone(), "Mariam", "Haddad").await;
    let id = a.id.as_str();
    let page = store.case_detail(&ch, id).await.unwrap();
    assert!(page.matches.is_empty() && page.notes.is_empty());

    // The background job proposes a match with a partner's case.
    let b = open(de.clone(), "Maryam", "Al-Haddad").await;
    store.run_pending_jobs().await.unwrap();
    assert_eq!(store.case_detail(&ch, id).await.unwrap().matches.len(), 1, "match proposed by the job");
    // The partner withdraws consent on its own case: the pair leaves this case's page too.
    store.withdraw_consent(&de, b.id.as_str(), ConsentScope::Tracing).await.unwrap();
    assert!(store.case_detail(&ch, id).await.unwrap().matches.is_empty(), "partner's consent withdrawn");

    // A note, then a note written through a second instance on the same database.
    store.add_note(&ch, id, "First call with the mother.").await.unwrap();
    assert_eq!(store.case_detail(&ch, id).await.unwrap().notes.len(), 1);
    let other_instance = Casework::open(&db.url, &db.data_dir).await.unwrap();
    other_instance.add_note(&ch, id, "Written on the other instance.").await.unwrap();
    let notes = store.case_detail(&ch, id).await.unwrap().notes;
    assert!(notes.iter().any(|n| n.body == "Written on the other instance."), "{notes:?}");

    // The partner acknowledges a request: the sender's case page shows the new status.
    let child = store.people(&ch, id).await.unwrap()[0].id.to_string();
    let req =
        NewRequest::parse("DE", "tracing", "Trace the mother", "Seen in Frankfurt.", "2030-01-01", today()).unwrap();
    let request = store.send_request(&ch, id, &req, &[child], &[]).await.unwrap();
    assert_eq!(store.case_detail(&ch, id).await.unwrap().requests[0].status.as_str(), "sent");
    store.transition_request(&de, request.id.as_str(), &Transition::parse("acknowledge", None).unwrap()).await.unwrap();
    assert_eq!(store.case_detail(&ch, id).await.unwrap().requests[0].status.as_str(), "acknowledged");

    // A person's name corrected by hand in the database.
    sqlx::query("UPDATE people SET given_names = 'Miriam' WHERE case_id = $1")
        .bind(id)
        .execute(store.store().pool())
        .await
        .unwrap();
    let people = store.case_detail(&ch, id).await.unwrap().people;
    assert_eq!(people[0].given_names, "Miriam");
    // The case row itself changed by hand: its title, then the member it belongs to. A kept
    // page is never shown, nor access decided on it, once the row has changed.
    sqlx::query("UPDATE cases SET title = 'Changed by hand' WHERE id = $1")
        .bind(id)
        .execute(store.store().pool())
        .await
        .unwrap();
    assert_eq!(store.case_detail(&ch, id).await.unwrap().case.title, "Changed by hand");
    assert_eq!(store.case_detail(&ch, id).await.unwrap().case.title, "Changed by hand", "kept, once more");
    sqlx::query("UPDATE cases SET member_id = $1 WHERE id = $2")
        .bind(de.actor.member_id.to_string())
        .bind(id)
        .execute(store.store().pool())
        .await
        .unwrap();
    assert!(store.case_detail(&ch, id).await.is_err(), "the case now belongs to the partner");

    // Every view was audited, cached or not; the refused one as refused.
    assert_eq!(case_entries(&store, "read", id, None).await, 11);
    assert_eq!(case_entries(&store, "denied", id, None).await, 1);
}

both_backends!(case_page_follows_every_change);

/// How many audit entries of `action` name case `id` (with exactly `detail`, if given).
async fn case_entries(store: &Casework, action: &str, id: &str, detail: Option<&str>) -> i64 {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = $1 AND entity = 'case' AND entity_id = $2{}",
        if detail.is_some() { " AND detail = $3" } else { "" }
    );
    let mut q = sqlx::query(&sql).bind(action.to_string()).bind(id.to_string());
    if let Some(d) = detail {
        q = q.bind(d.to_string());
    }
    sqlx::Row::get::<i64, _>(&q.fetch_one(store.store().pool()).await.unwrap(), "n")
}

/// Case pages read from two instances at once, with notes written between the reads (each
/// write moves the audit chain's head under the other instance's writer) and, on PostgreSQL,
/// the audit writers' connections cut half-way: every read is recorded exactly once, and
/// the chain holds.
async fn audit_groups_from_two_instances(backend: Backend) {
    let (db, store, ch, _de) = two_members(backend).await;
    let other = Casework::open(&db.url, &db.data_dir).await.unwrap();
    let new = NewCase::parse("family_tracing", "Tracing for Amal", "", "", "DE").unwrap();
    let child = NewPerson::parse("child", "Amal", "Haddad", "female", "2013-07-08", false, "", "", today()).unwrap();
    let consent = NewConsent::parse("tracing", "Mother, by phone", "2026-01-10", today()).unwrap();
    let id = store.open_case(&ch, &new, &[child], &[consent, processing()], None).await.unwrap().id.to_string();
    let before = case_entries(&store, "read", &id, Some("")).await;

    let wave = |round: usize| {
        let mut tasks = tokio::task::JoinSet::new();
        for (n, instance) in [store.clone(), other.clone()].into_iter().enumerate() {
            for reader in 0..6 {
                let (instance, ch, id) = (instance.clone(), ch.clone(), id.clone());
                tasks.spawn(async move {
                    for i in 0..20 {
                        if reader == 0 && i % 5 == 0 {
                            let note = format!("Round {round}, instance {n}, note {i}.");
                            instance.add_note(&ch, &id, &note).await.unwrap();
                        }
                        let page = instance.case_detail(&ch, &id).await.unwrap();
                        assert_eq!(page.case.id.as_str(), id);
                    }
                });
            }
        }
        tasks.join_all()
    };
    wave(0).await;
    if backend == Backend::Postgres {
        // Both instances' writers, cut as a server restart would: each connects again.
        let row = sqlx::query(
            "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
             WHERE application_name = $1 AND datname = current_database()",
        )
        .bind(kinbridge_store::audit::postgres::APPLICATION_NAME)
        .fetch_one(store.store().pool())
        .await
        .unwrap();
        assert_eq!(sqlx::Row::get::<i64, _>(&row, "n"), 2, "one audit writer per instance");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    wave(1).await;

    assert_eq!(case_entries(&store, "read", &id, Some("")).await - before, 2 * 2 * 6 * 20, "every read recorded once");
    let notes = store.case_detail(&ch, &id).await.unwrap().notes;
    assert_eq!(notes.len(), 2 * 2 * 4);
    match store.store().verify_audit().await.unwrap() {
        Verification::Intact { entries, .. } => assert!(entries > 240, "{entries}"),
        broken => panic!("{broken:?}"),
    }
}

both_backends!(audit_groups_from_two_instances);

/// A case handed over when the child moves: the receiver reads what was sent, accepts, and
/// gets a case of its own with the people, relationships, consents and chosen documents; the
/// sender's case is kept to read and refuses every change; refusals leave nothing behind.
async fn case_transfer(backend: Backend) {
    use kinbridge_casework::documents::Attach;
    use kinbridge_domain::transfer::{NewTransfer, TransferDecision, TransferStatus};
    let (_db, store, ch, de) = two_members(backend).await;
    store.create_member(&NewMember::parse("KE", "Kenya", "KE").unwrap()).await.unwrap();
    let ke = caller(&store, "KE", Role::Caseworker, "wanjiru@ke.test").await;
    let new = NewCase::parse(
        "family_tracing",
        "Amina moves to Germany",
        "Lives with her aunt now.",
        "Wants to stay with her aunt.",
        "DE",
    )
    .unwrap();
    let people = [
        NewPerson::parse("child", "Amina", "Hassan", "female", "2014-03-02", false, "SO", "so", today()).unwrap(),
        NewPerson::parse("relative", "Faduma", "Hassan", "female", "1985", false, "SO,DE", "so,de", today()).unwrap(),
    ];
    let case = store.open_case(&ch, &new, &people, &[processing()], None).await.unwrap();
    let cid = case.id.as_str();
    let ps = store.people(&ch, cid).await.unwrap();
    store.add_relationship(&ch, cid, ps[1].id.as_str(), ps[0].id.as_str(), RelationshipKind::ParentOf).await.unwrap();
    let sent = store
        .upload_document(
            &ch,
            Attach::Case(cid),
            "birth-certificate.pdf",
            bytes::Bytes::from_static(b"%PDF-1.4\n%%EOF\n"),
        )
        .await
        .unwrap();
    store
        .upload_document(&ch, Attach::Case(cid), "internal-note.txt", bytes::Bytes::from_static(b"kept at home"))
        .await
        .unwrap();

    // Bad proposals: own member, unknown member, a document of another case, no reason.
    let doc = sent.id.to_string();
    let propose = |to: &str, reason: &str, docs: &[&str]| NewTransfer::parse(to, reason, docs);
    assert_eq!(
        refused(store.propose_transfer(&ch, cid, &propose("CH", "moves", &[]).unwrap()).await),
        ErrorCode::SameMember
    );
    assert_eq!(
        refused(store.propose_transfer(&ch, cid, &propose("XX", "moves", &[]).unwrap()).await),
        ErrorCode::UnknownMember
    );
    let stranger = kinbridge_domain::ids::DocumentId::generate().to_string();
    assert_eq!(
        refused(store.propose_transfer(&ch, cid, &propose("DE", "moves", &[stranger.as_str()]).unwrap()).await),
        ErrorCode::UnknownDocument
    );
    assert!(propose("DE", " ", &[]).is_err());
    // Another member cannot hand over a case it cannot see.
    assert!(matches!(
        store.propose_transfer(&de, cid, &propose("KE", "moves", &[]).unwrap()).await,
        Err(Error::Domain(DomainError::NotFound))
    ));

    // Proposed to DE with one of the two documents; a second proposal waits for the first.
    let t = store
        .propose_transfer(&ch, cid, &propose("DE", "Amina moved to Hamburg with her aunt.", &[doc.as_str()]).unwrap())
        .await
        .unwrap();
    assert_eq!(t.status, TransferStatus::Proposed);
    assert_eq!(
        refused(store.propose_transfer(&ch, cid, &propose("KE", "again", &[]).unwrap()).await),
        ErrorCode::TransferPending
    );
    // The receiver sees what was sent, and only that; a third member sees nothing.
    let view = store.transfer(&de, t.id.as_str()).await.unwrap();
    assert_eq!(view.people.len(), 2);
    assert_eq!(view.documents.len(), 1);
    assert_eq!(view.documents[0].filename, "birth-certificate.pdf");
    assert!(matches!(store.transfer(&ke, t.id.as_str()).await, Err(Error::Domain(DomainError::NotFound))));
    assert!(store.transfers(&de).await.unwrap().iter().any(|x| x.id == t.id));
    // Only the receiver accepts; the sender cannot accept its own proposal.
    let accept = TransferDecision::parse("accept", None).unwrap();
    assert!(matches!(
        store.decide_transfer(&ch, t.id.as_str(), &accept).await,
        Err(Error::Domain(DomainError::Forbidden))
    ));
    assert!(matches!(
        store.decide_transfer(&ke, t.id.as_str(), &accept).await,
        Err(Error::Domain(DomainError::NotFound))
    ));

    let done = store.decide_transfer(&de, t.id.as_str(), &accept).await.unwrap();
    assert_eq!(done.status, TransferStatus::Accepted);
    let new_id = done.new_case_id.clone().expect("the receiver's case");
    let theirs = store.case_detail(&de, new_id.as_str()).await.unwrap();
    assert!(theirs.case.reference.starts_with("DE-"));
    assert_eq!(theirs.case.title, "Amina moves to Germany");
    assert_eq!(theirs.case.child_views, "Wants to stay with her aunt.");
    let names: Vec<String> = theirs.people.iter().map(|p| p.full_name()).collect();
    assert_eq!(names, ["Amina Hassan", "Faduma Hassan"]);
    assert_eq!(theirs.people[1].nationalities, ["SO", "DE"]);
    assert_eq!(theirs.relationships.len(), 1);
    assert!(theirs.consents.iter().any(|c| c.scope == "data_processing"));
    let their_docs: Vec<&str> = theirs.documents.iter().map(|d| d.filename.as_str()).collect();
    assert_eq!(their_docs, ["birth-certificate.pdf"]);
    let (_, bytes) = store.download_document(&de, theirs.documents[0].id.as_str()).await.unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    assert!(theirs
        .timeline
        .iter()
        .any(|e| e.kind == EventKind::TransferredIn && e.facts.contains(&Fact::text(&case.reference))));
    // Twice is refused.
    assert!(matches!(
        store.decide_transfer(&de, t.id.as_str(), &accept).await,
        Err(Error::Domain(DomainError::InvalidTransition { .. }))
    ));

    // The sender keeps its case to read; every change is refused.
    let ours = store.case_detail(&ch, cid).await.unwrap();
    assert_eq!(ours.case.status, kinbridge_domain::case::CaseStatus::Transferred);
    assert!(ours.timeline.iter().any(|e| e.kind == EventKind::TransferredOut));
    assert_eq!(refused(store.add_note(&ch, cid, "after the move").await), ErrorCode::CaseTransferred);
    assert_eq!(
        refused(store.case_action(&ch, cid, CaseAction::ProposeClosure(Outcome::Reunified)).await),
        ErrorCode::CaseTransferred
    );
    // The sender's people are no longer compared: the receiver's case holds them now.
    let cmp = kinbridge_store::matches::comparable(store.store().pool(), None).await.unwrap();
    assert!(cmp.iter().all(|p| p.case_id != cid));

    // A declined handover needs its reason and leaves the case open.
    let case2 = store
        .open_case(
            &ch,
            &new,
            &[NewPerson::parse("child", "Yusuf", "Ali", "male", "2016", false, "SO", "so", today()).unwrap()],
            &[processing()],
            REASON,
        )
        .await
        .unwrap();
    let t2 =
        store.propose_transfer(&ch, case2.id.as_str(), &propose("KE", "moves to Nairobi", &[]).unwrap()).await.unwrap();
    assert!(TransferDecision::parse("decline", Some("")).is_err());
    let declined = store
        .decide_transfer(
            &ke,
            t2.id.as_str(),
            &TransferDecision::parse("decline", Some("No office in that county.")).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(declined.status, TransferStatus::Declined);
    assert_eq!(store.case(&ch, case2.id.as_str()).await.unwrap().status, kinbridge_domain::case::CaseStatus::Open);
    // Withdrawn by the sender.
    let t3 =
        store.propose_transfer(&ch, case2.id.as_str(), &propose("DE", "moves to Berlin", &[]).unwrap()).await.unwrap();
    assert!(matches!(
        store.decide_transfer(&de, t3.id.as_str(), &TransferDecision::parse("withdraw", Some("x")).unwrap()).await,
        Err(Error::Domain(DomainError::Forbidden))
    ));
    store
        .decide_transfer(&ch, t3.id.as_str(), &TransferDecision::parse("withdraw", Some("Stays after all.")).unwrap())
        .await
        .unwrap();
    let timeline = store.case_detail(&ch, case2.id.as_str()).await.unwrap().timeline;
    for kind in [EventKind::TransferProposed, EventKind::TransferDeclined, EventKind::TransferWithdrawn] {
        assert!(timeline.iter().any(|e| e.kind == kind), "{kind:?}");
    }
    assert!(matches!(store.store().verify_audit().await.unwrap(), Verification::Intact { .. }));
    store.close().await;
}

both_backends!(case_transfer);

/// The consent every case needs.
fn processing() -> NewConsent {
    NewConsent::parse("data_processing", "Guardian", "2026-01-10", today()).unwrap()
}

/// Where a test opens cases for children alike on purpose (matching, research), each is a
/// case of its own: the intake check is answered.
const REASON: Option<&str> = Some("a separate case in this test");
