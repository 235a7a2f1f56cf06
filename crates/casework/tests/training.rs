//! The academy's use cases on both backends: a GIFT bank imported (and a broken one leaving
//! nothing), a learner passing a quiz drawn and shuffled for them, the certificate it issues
//! checked publicly, the refusals (another learner's attempt, a question not drawn, a second
//! submission, the clock), and recertification day by day: valid, due, lapsed, renewed.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use kinbridge_casework::accounts::NewUser;
use kinbridge_casework::training::{NewRequirement, QuestionFormat};
use kinbridge_casework::{Caller, Casework, Error};
use kinbridge_domain::member::NewMember;
use kinbridge_domain::{DomainError, ErrorCode, Role};
use kinbridge_store::testing::TestDatabase;
use kinbridge_store::{both_backends, Backend};
use kinbridge_training::quiz::Shown;

async fn caller(store: &Casework, member: &str, role: Role, email: &str) -> Caller {
    let user = store
        .create_user(&NewUser::parse(member, role.as_str(), email, "", "long enough password").unwrap())
        .await
        .unwrap();
    Caller { actor: user.actor(), ip: Some("127.0.0.1".into()) }
}

const BANK: &str = r#"$CATEGORY: Confidentiality

::Consent::A child's file may be shared with a partner without consent or a legal basis. {FALSE}

::Retention::How long are closed case files kept before review? {
	=Ten years
	~One year
	~Six months
}

::Bases::Which are lawful bases for sharing a child's data? {
	~%50%Consent
	~%50%A legal obligation
	~%-100%Curiosity
}

::Convention::Name the 1993 convention on intercountry adoption (one word, the city). {=Hague}

::Instruments::Match each situation with its instrument. {
	=Intercountry adoption -> Hague 1993
	=Child abduction -> Hague 1980
}
"#;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn setup(backend: Backend) -> (TestDatabase, Casework) {
    let db = TestDatabase::new(backend).await;
    let store = Casework::open(&db.url, &db.data_dir).await.unwrap();
    store.create_member(&NewMember::parse("KE", "Kenya", "KE").unwrap()).await.unwrap();
    store.create_member(&NewMember::parse("UG", "Uganda", "UG").unwrap()).await.unwrap();
    (db, store)
}

/// The right answer to every question of an attempt, in shown positions, worked out from the
/// bank's texts above (not from the engine).
fn right_answers(view: &kinbridge_casework::training::AttemptView) -> BTreeMap<String, Shown> {
    let pos = |options: &[String], text: &str| options.iter().position(|o| o == text).unwrap();
    view.questions
        .iter()
        .map(|q| {
            let shown = match q.kind {
                "true_false" => Shown::Bool(false),
                "single_choice" => Shown::Choice(pos(&q.options, "Ten years")),
                "multiple_choice" => {
                    Shown::Choices(vec![pos(&q.options, "Consent"), pos(&q.options, "A legal obligation")])
                }
                "short_answer" => Shown::Text("hague".into()),
                "matching" => Shown::Matches(
                    q.stems
                        .iter()
                        .map(|s| {
                            Some(pos(
                                &q.options,
                                if s == "Intercountry adoption" { "Hague 1993" } else { "Hague 1980" },
                            ))
                        })
                        .collect(),
                ),
                other => panic!("{other}"),
            };
            (q.id.clone(), shown)
        })
        .collect()
}

async fn imports_and_refuses_broken_files(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let manager = caller(&store, "KE", Role::TrainingManager, "tm@example.org").await;
    let worker = caller(&store, "KE", Role::Caseworker, "cw@example.org").await;
    let done =
        store.import_questions(Some(&manager), "data-protection", QuestionFormat::Gift, BANK, "en").await.unwrap();
    assert_eq!((done.questions, done.version, done.created), (5, 1, true));
    // A broken file names its line and adds nothing.
    let broken = format!("{BANK}\n::Essay::Describe your day. {{}}\n");
    match store.import_questions(Some(&manager), "data-protection", QuestionFormat::Gift, &broken, "en").await {
        Err(Error::Import { line, problem, .. }) => assert_eq!((line, problem), (24, "unsupported")),
        other => panic!("{other:?}"),
    }
    let (_, version, content) = store.course_content("data-protection").await.unwrap().unwrap();
    assert_eq!((version, content.questions.len()), (1, 5));
    // The same questions in French, from Moodle XML, as a second version.
    let xml = kinbridge_training::moodle_xml::write(&content.questions);
    let fr =
        store.import_questions(Some(&manager), "data-protection", QuestionFormat::MoodleXml, &xml, "fr").await.unwrap();
    assert_eq!((fr.version, fr.questions, fr.created), (2, 5, false));
    let (_, _, content) = store.course_content("data-protection").await.unwrap().unwrap();
    assert_eq!(content.languages, vec!["en", "fr"]);
    assert_eq!(content.questions.iter().filter(|q| q.language == "fr").count(), 5);
    // Only the training manager imports.
    assert!(matches!(
        store.import_questions(Some(&worker), "data-protection", QuestionFormat::Gift, BANK, "en").await,
        Err(Error::Domain(DomainError::Forbidden))
    ));
}

async fn a_learner_passes_and_the_certificate_checks(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let manager = caller(&store, "KE", Role::TrainingManager, "tm@example.org").await;
    let amina = caller(&store, "KE", Role::Caseworker, "amina@example.org").await;
    let other = caller(&store, "UG", Role::Caseworker, "okello@example.org").await;
    store.import_questions(Some(&manager), "data-protection", QuestionFormat::Gift, BANK, "en").await.unwrap();
    store
        .add_requirement(
            Some(&manager),
            NewRequirement {
                curriculum: "Caseworker core".into(),
                course: "data-protection".into(),
                role: Some(Role::Caseworker),
                member: None,
                validity_months: 12,
                window_days: 60,
                gates: true,
            },
        )
        .await
        .unwrap();

    let id = store.start_attempt(&amina, "data-protection", "en").await.unwrap();
    // Starting again returns the open attempt.
    assert_eq!(store.start_attempt(&amina, "data-protection", "en").await.unwrap(), id);
    let view = store.attempt(&amina, &id).await.unwrap();
    assert_eq!(view.questions.len(), 5);
    assert!(view.questions.iter().all(|q| q.fraction.is_none() && q.right_answer.is_none()));

    // Another learner's attempt is not found.
    assert!(matches!(store.attempt(&other, &id).await, Err(Error::Domain(DomainError::NotFound))));
    assert!(matches!(
        store.answer(&other, &id, BTreeMap::new(), true).await,
        Err(Error::Domain(DomainError::NotFound))
    ));
    // A question not drawn, or a position not shown, is refused and nothing is saved.
    let stray = BTreeMap::from([("q999".to_string(), Shown::Bool(true))]);
    assert!(matches!(store.answer(&amina, &id, stray, false).await, Err(Error::Domain(DomainError::Invalid(_)))));
    let single = view.questions.iter().find(|q| q.kind == "single_choice").unwrap();
    let off = BTreeMap::from([(single.id.clone(), Shown::Choice(7))]);
    assert!(matches!(store.answer(&amina, &id, off, false).await, Err(Error::Domain(DomainError::Invalid(_)))));
    assert!(store.attempt(&amina, &id).await.unwrap().questions.iter().all(|q| q.answer.is_none()));

    // Saved, then submitted.
    let answers = right_answers(&view);
    store.answer(&amina, &id, answers.clone(), false).await.unwrap();
    store.answer(&amina, &id, BTreeMap::new(), true).await.unwrap();
    let done = store.attempt(&amina, &id).await.unwrap();
    assert_eq!((done.percent, done.passed), (Some(100.0), Some(true)));
    assert!(done.questions.iter().all(|q| q.fraction == Some(1.0)));
    // A second submission is refused.
    assert!(matches!(store.answer(&amina, &id, answers, true).await, Err(Error::Conflict(ErrorCode::AttemptFinished))));

    let code = done.certificate.expect("a pass issues a certificate");
    let today = kinbridge_casework::today();
    let check =
        store.verify_certificate(&code.to_lowercase().replace('-', " "), Some("10.0.0.1"), today).await.unwrap();
    assert_eq!(check.status, "valid");
    assert_eq!(check.holder.as_deref(), Some("A."));
    assert_eq!(check.member.as_deref(), Some("Kenya"));
    // Valid for the requirement's twelve months.
    let expires: NaiveDate = check.expires_on.as_deref().unwrap().parse().unwrap();
    assert_eq!(expires, today.checked_add_months(chrono::Months::new(12)).unwrap());
    assert_eq!(store.verify_certificate(&code, None, expires).await.unwrap().status, "expired");
    let unknown = store.verify_certificate("KB-0000-0000-0000-0", None, today).await.unwrap();
    assert_eq!((unknown.status, unknown.holder), ("unknown", None));
    // Only its holder downloads it.
    assert_eq!(store.certificate(&amina, &code).await.unwrap().holder, "amina");
    assert!(matches!(store.certificate(&other, &code).await, Err(Error::Domain(DomainError::NotFound))));
    let mut tx = store.store().begin_write().await.unwrap();
    assert!(kinbridge_store::training::revoke_certificate(&mut tx, &code, "issued in error").await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(store.verify_certificate(&code, None, today).await.unwrap().status, "revoked");
}

async fn the_clock_and_the_attempt_limit(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let manager = caller(&store, "KE", Role::TrainingManager, "tm@example.org").await;
    let amina = caller(&store, "KE", Role::Caseworker, "amina@example.org").await;
    store.import_questions(Some(&manager), "dp", QuestionFormat::Gift, BANK, "en").await.unwrap();
    let (_, _, mut content) = store.course_content("dp").await.unwrap().unwrap();
    content.quiz.time_limit_minutes = Some(10);
    content.quiz.attempts = Some(2);
    content.quiz.draw = Some(3);
    assert_eq!(store.publish_course(&manager, "dp", content).await.unwrap(), 2);

    let id = store.start_attempt(&amina, "dp", "en").await.unwrap();
    let view = store.attempt(&amina, &id).await.unwrap();
    assert_eq!(view.questions.len(), 3);
    // One right answer saved in time, then the clock runs out (moved back by the test).
    let answers = right_answers(&view);
    let (first, shown) = answers.iter().next().unwrap();
    store.answer(&amina, &id, BTreeMap::from([(first.clone(), shown.clone())]), false).await.unwrap();
    sqlx::query("UPDATE training_attempts SET deadline = '2020-01-01T00:10:00.000Z' WHERE id = $1")
        .bind(&id)
        .execute(store.store().pool())
        .await
        .unwrap();
    // The late submission is refused; the attempt is graded as it stood at the deadline.
    assert!(matches!(
        store.answer(&amina, &id, answers.clone(), true).await,
        Err(Error::Conflict(ErrorCode::AttemptTimeOver))
    ));
    let late = store.attempt(&amina, &id).await.unwrap();
    assert_eq!(late.finished_at.as_deref(), Some("2020-01-01T00:10:00.000Z"));
    assert_eq!((late.percent, late.passed), (Some(33.33), Some(false)));

    // The second and last attempt is on the same version; a third is refused.
    let second = store.start_attempt(&amina, "dp", "en").await.unwrap();
    assert_ne!(second, id);
    store.answer(&amina, &second, BTreeMap::new(), true).await.unwrap();
    assert!(matches!(
        store.start_attempt(&amina, "dp", "en").await,
        Err(Error::Conflict(ErrorCode::AttemptsExhausted))
    ));
}

async fn recertification_day_by_day(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let manager = caller(&store, "KE", Role::TrainingManager, "tm@example.org").await;
    let amina = caller(&store, "KE", Role::Caseworker, "amina@example.org").await;
    let _admin = caller(&store, "KE", Role::MemberAdmin, "admin@example.org").await;
    let supervisor = caller(&store, "KE", Role::Supervisor, "sup@example.org").await;
    store.import_questions(Some(&manager), "dp", QuestionFormat::Gift, BANK, "en").await.unwrap();
    store
        .add_requirement(
            None,
            NewRequirement {
                curriculum: "Caseworker core".into(),
                course: "dp".into(),
                role: Some(Role::Caseworker),
                member: Some("KE".into()),
                validity_months: 12,
                window_days: 60,
                gates: true,
            },
        )
        .await
        .unwrap();
    let today = kinbridge_casework::today();
    let standing =
        |dues: Vec<kinbridge_casework::training::Due>| dues.into_iter().map(|d| d.standing.key()).collect::<Vec<_>>();
    // New to the course: due within the window, lapsed after it.
    assert_eq!(standing(store.my_training(&amina, today).await.unwrap()), vec!["due"]);
    assert_eq!(standing(store.my_training(&amina, today + chrono::Days::new(60)).await.unwrap()), vec!["lapsed"]);
    // The supervisor has no caseworker course.
    assert!(store.my_training(&supervisor, today).await.unwrap().is_empty());

    let id = store.start_attempt(&amina, "dp", "en").await.unwrap();
    let view = store.attempt(&amina, &id).await.unwrap();
    store.answer(&amina, &id, right_answers(&view), true).await.unwrap();
    let year = today.checked_add_months(chrono::Months::new(12)).unwrap();
    assert_eq!(standing(store.my_training(&amina, today).await.unwrap()), vec!["current"]);
    assert_eq!(standing(store.my_training(&amina, year - chrono::Days::new(61)).await.unwrap()), vec!["current"]);
    assert_eq!(standing(store.my_training(&amina, year - chrono::Days::new(60)).await.unwrap()), vec!["due"]);
    assert_eq!(standing(store.my_training(&amina, year).await.unwrap()), vec!["lapsed"]);

    // The member's compliance, for its supervisor; not for another member's, nor a caseworker.
    let c = store.compliance(&supervisor, "KE", year, "en").await.unwrap();
    assert_eq!(c.people.len(), 1);
    assert_eq!(c.people[0].name, "amina");
    assert_eq!((c.totals[0].current, c.totals[0].due, c.totals[0].lapsed), (0, 0, 1));
    assert!(matches!(store.compliance(&supervisor, "UG", year, "en").await, Err(Error::Domain(DomainError::NotFound))));
    assert!(matches!(store.compliance(&amina, "KE", year, "en").await, Err(Error::Domain(DomainError::NotFound))));
    let c = store.compliance_as_operator("KE", today, "en").await.unwrap();
    assert_eq!((c.totals[0].current, c.totals[0].due, c.totals[0].lapsed), (1, 0, 0));
    assert_eq!(day("2026-01-01").to_string(), "2026-01-01");
}

both_backends!(
    imports_and_refuses_broken_files,
    a_learner_passes_and_the_certificate_checks,
    the_clock_and_the_attempt_limit,
    recertification_day_by_day
);

/// A member's gate: a caseworker whose gating course lapsed reads no case (audited, titles
/// only in the list), and is let back in once renewed; with the gate off nothing is held.
async fn lapsed_training_holds_case_files(backend: Backend) {
    let (db, store) = setup(backend).await;
    let manager = caller(&store, "KE", Role::TrainingManager, "tm@example.org").await;
    let amina = caller(&store, "KE", Role::Caseworker, "amina@example.org").await;
    store.import_questions(Some(&manager), "dp", QuestionFormat::Gift, BANK, "en").await.unwrap();
    let rule = NewRequirement {
        curriculum: "Core".into(),
        course: "dp".into(),
        role: Some(Role::Caseworker),
        member: None,
        validity_months: 12,
        window_days: 0,
        gates: true,
    };
    store.add_requirement(None, rule).await.unwrap();
    let user = store.user_by_email("amina@example.org").await.unwrap().unwrap();
    // Never done with no window: lapsed at once; the gate is off, so nothing is held.
    assert!(!store.training_hold(&user).await.unwrap());
    store.set_training_gate(None, "KE", true).await.unwrap();
    assert!(store.training_hold(&user).await.unwrap());
    // Only the member's administrator switches it.
    assert!(matches!(
        store.set_training_gate(Some(&amina), "KE", false).await,
        Err(Error::Domain(DomainError::NotFound))
    ));

    use kinbridge_domain::case::{NewCase, NewConsent, NewPerson};
    let today = kinbridge_casework::today();
    let child = NewPerson::parse("child", "Amal", "Haddad", "female", "2013", false, "", "", today).unwrap();
    let consent = NewConsent::parse("data_processing", "Guardian", "2026-01-10", today).unwrap();
    let new = NewCase::parse("family_tracing", "A case", "", "", "").unwrap();
    let case = store.open_case(&amina, &new, &[child], &[consent], None).await.unwrap().id.to_string();
    let held = Caller { actor: kinbridge_domain::Actor { training_hold: true, ..amina.actor.clone() }, ip: None };
    assert!(matches!(store.case(&held, &case).await, Err(Error::TrainingLapsed)));
    use sqlx::Row;
    let denied: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'denied' AND detail = 'training lapsed'")
            .fetch_one(store.store().pool())
            .await
            .unwrap()
            .get("n");
    assert_eq!(denied, 1);
    let filter = kinbridge_domain::case::CaseFilter { page: 1, per_page: 20, ..Default::default() };
    let list = store.list_cases(&held, &filter).await.unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!((list.items[0].title.as_str(), list.items[0].child_name.as_deref()), ("A case", None), "titles only");
    assert!(store.case(&amina, &case).await.is_ok(), "the same person, not held");

    let id = store.start_attempt(&held, "dp", "en").await.unwrap();
    let view = store.attempt(&held, &id).await.unwrap();
    store.answer(&held, &id, right_answers(&view), true).await.unwrap();
    assert!(!store.training_hold(&user).await.unwrap(), "renewed");
    drop(db);
}

both_backends!(lapsed_training_holds_case_files);
