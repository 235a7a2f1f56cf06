//! Every shipped indicator on a small network built by hand, on both backends: the right
//! answers are worked out below from the rows, not from the code. Also the consent rule,
//! financial years, trends and who may see whose figures.

use std::collections::BTreeMap;

use kinbridge_casework::accounts::NewUser;
use kinbridge_casework::{Caller, Casework, Error};
use kinbridge_domain::indicator::Dimension;
use kinbridge_domain::member::NewMember;
use kinbridge_domain::{DomainError, Role};
use kinbridge_impact::Period;
use kinbridge_store::testing::TestDatabase;
use kinbridge_store::{both_backends, Backend};

async fn caller(store: &Casework, member: &str, role: Role, email: &str) -> Caller {
    let user = store
        .create_user(&NewUser::parse(member, role.as_str(), email, "", "long enough password").unwrap())
        .await
        .unwrap();
    Caller { actor: user.actor(), ip: Some("127.0.0.1".into()) }
}

struct Case<'a> {
    id: &'a str,
    member: &'a str,
    service: &'a str,
    opened: &'a str,
    first_response: Option<&'a str>,
    closed: Option<&'a str>,
    outcome: Option<&'a str>,
    partner: Option<&'a str>,
    views: &'a str,
    child_sex: &'a str,
    child_born: Option<&'a str>,
}

struct Request<'a> {
    id: &'a str,
    case: &'a str,
    from: &'a str,
    to: &'a str,
    sent: &'a str,
    acknowledged: Option<&'a str>,
    answered: Option<&'a str>,
    closed: Option<&'a str>,
    due: &'a str,
    receiver_case: Option<&'a str>,
}

async fn exec(store: &Casework, sql: &str, args: &[Option<&str>]) {
    let mut q = sqlx::query(sql);
    for a in args {
        q = q.bind(a.map(str::to_string));
    }
    q.execute(store.store().pool()).await.unwrap();
}

/// Kenya (KE) and Uganda (UG). The rows, and what each indicator must find in 2025:
///
/// | case | member | service | opened | first resp. | closed | outcome | partner | views | child |
/// |---|---|---|---|---|---|---|---|---|---|
/// | K1 | KE | family_tracing | 2025-02-10 | 2025-02-12 | 2025-06-10 | reunified | UG | yes | F 2015-05-01 |
/// | K2 | KE | family_tracing | 2024-11-01 | 2024-11-05 | 2025-03-01 | not_found | — | — | M 2010-01-01 |
/// | K3 | KE | family_mediation | 2025-04-01 | — | 2025-09-01 | mediation_agreement | UG | yes | M (no date) |
/// | K4 | KE | search_of_origins | 2023-06-01 | — | open | — | DE | — | F 2008 |
/// | K5 | KE | unaccompanied_minors | 2025-12-20 | — | open | — | — | — | M 2012-12-31, statistics consent withdrawn |
/// | K6 | KE | unaccompanied_minors | 2025-07-01 | 2025-07-11 | open | — | — | — | F 2011-07-01 |
/// | K7 | KE | family_tracing | 2024-01-15 | — | 2024-12-20 | reunified | — | — | F 2016-01-01 |
/// | U1 | UG | family_tracing | 2025-03-01 | 2025-03-04 | 2025-05-01 | reunified | KE | yes | M 2019-01-01 |
///
/// Requests: R1 K1 KE→UG sent 02-15, acknowledged 02-20, answered 04-15, closed 05-01, due
/// 04-30, opened U1 at UG; R2 K3 KE→UG sent 05-01, acknowledged 05-30, never answered, due
/// 06-30; R3 U1 UG→KE sent 03-10, acknowledged 03-12, answered 03-20, closed 03-25; R4 K5
/// KE→UG sent 12-21 (left out with its case).
async fn network(backend: Backend) -> (TestDatabase, Casework, String, String) {
    let db = TestDatabase::new(backend).await;
    let store = Casework::open(&db.url, &db.data_dir).await.unwrap();
    store.create_member(&NewMember::parse("KE", "Kenya", "KE").unwrap()).await.unwrap();
    store.create_member(&NewMember::parse("UG", "Uganda", "UG").unwrap()).await.unwrap();
    let ke = store.member_by_code("KE").await.unwrap().unwrap().id.to_string();
    let ug = store.member_by_code("UG").await.unwrap().unwrap().id.to_string();
    let m = |code: &str| if code == "KE" { ke.clone() } else { ug.clone() };
    let cases = [
        Case {
            id: "K1",
            member: "KE",
            service: "family_tracing",
            opened: "2025-02-10",
            first_response: Some("2025-02-12"),
            closed: Some("2025-06-10"),
            outcome: Some("reunified"),
            partner: Some("UG"),
            views: "wants to go home",
            child_sex: "female",
            child_born: Some("2015-05-01"),
        },
        Case {
            id: "K2",
            member: "KE",
            service: "family_tracing",
            opened: "2024-11-01",
            first_response: Some("2024-11-05"),
            closed: Some("2025-03-01"),
            outcome: Some("not_found"),
            partner: None,
            views: "",
            child_sex: "male",
            child_born: Some("2010-01-01"),
        },
        Case {
            id: "K3",
            member: "KE",
            service: "family_mediation",
            opened: "2025-04-01",
            first_response: None,
            closed: Some("2025-09-01"),
            outcome: Some("mediation_agreement"),
            partner: Some("UG"),
            views: "x",
            child_sex: "male",
            child_born: None,
        },
        Case {
            id: "K4",
            member: "KE",
            service: "search_of_origins",
            opened: "2023-06-01",
            first_response: None,
            closed: None,
            outcome: None,
            partner: Some("DE"),
            views: "",
            child_sex: "female",
            child_born: Some("2008"),
        },
        Case {
            id: "K5",
            member: "KE",
            service: "unaccompanied_minors",
            opened: "2025-12-20",
            first_response: None,
            closed: None,
            outcome: None,
            partner: None,
            views: "",
            child_sex: "male",
            child_born: Some("2012-12-31"),
        },
        Case {
            id: "K6",
            member: "KE",
            service: "unaccompanied_minors",
            opened: "2025-07-01",
            first_response: Some("2025-07-11"),
            closed: None,
            outcome: None,
            partner: None,
            views: "",
            child_sex: "female",
            child_born: Some("2011-07-01"),
        },
        Case {
            id: "K7",
            member: "KE",
            service: "family_tracing",
            opened: "2024-01-15",
            first_response: None,
            closed: Some("2024-12-20"),
            outcome: Some("reunified"),
            partner: None,
            views: "",
            child_sex: "female",
            child_born: Some("2016-01-01"),
        },
        Case {
            id: "U1",
            member: "UG",
            service: "family_tracing",
            opened: "2025-03-01",
            first_response: Some("2025-03-04"),
            closed: Some("2025-05-01"),
            outcome: Some("reunified"),
            partner: Some("KE"),
            views: "yes",
            child_sex: "male",
            child_born: Some("2019-01-01"),
        },
    ];
    for c in &cases {
        let status = if c.closed.is_some() { "closed" } else { "open" };
        exec(
            &store,
            "INSERT INTO cases (id, member_id, reference, service, status, title, summary, child_views, partner_country, opened_on, first_response_on, closed_on, outcome, search_text, created_by, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, 'case', '', $6, $7, $8, $9, $10, $11, '', 'test', '2025-01-01T00:00:00Z', 1)",
            &[Some(c.id), Some(&m(c.member)), Some(&format!("{}-{}", c.member, c.id)), Some(c.service), Some(status), Some(c.views), c.partner, Some(c.opened), c.first_response, c.closed, c.outcome],
        )
        .await;
        exec(
            &store,
            "INSERT INTO people (id, case_id, role, given_names, family_name, sex, birth_date, birth_date_estimated, nationalities, languages, created_at) \
             VALUES ($1, $2, 'child', 'A', 'B', $3, $4, 0, '', '', '2025-01-01T00:00:00Z')",
            &[Some(&format!("P{}", c.id)), Some(c.id), Some(c.child_sex), c.child_born],
        )
        .await;
        // A parent on every case: counting children must not count them.
        exec(
            &store,
            "INSERT INTO people (id, case_id, role, given_names, family_name, sex, birth_date, birth_date_estimated, nationalities, languages, created_at) \
             VALUES ($1, $2, 'mother', 'C', 'B', 'female', '1980', 0, '', '', '2025-01-01T00:00:00Z')",
            &[Some(&format!("M{}", c.id)), Some(c.id)],
        )
        .await;
    }
    exec(
        &store,
        "INSERT INTO consents (id, case_id, scope, given_by, given_on, withdrawn_on, recorded_by, created_at) VALUES ('S5', 'K5', 'statistics', 'mother', '2025-12-20', '2025-12-22', 'test', '2025-12-20')",
        &[],
    )
    .await;
    // K6 gave and withdrew, then gave again: counted.
    exec(
        &store,
        "INSERT INTO consents (id, case_id, scope, given_by, given_on, withdrawn_on, recorded_by, created_at) VALUES ('S6a', 'K6', 'statistics', 'child', '2025-07-01', '2025-07-02', 'test', '2025-07-01'), ('S6b', 'K6', 'statistics', 'child', '2025-07-03', NULL, 'test', '2025-07-03')",
        &[],
    )
    .await;
    let requests = [
        Request {
            id: "R1",
            case: "K1",
            from: "KE",
            to: "UG",
            sent: "2025-02-15T10:00:00Z",
            acknowledged: Some("2025-02-20T09:00:00Z"),
            answered: Some("2025-04-15T16:00:00Z"),
            closed: Some("2025-05-01T08:00:00Z"),
            due: "2025-04-30",
            receiver_case: Some("U1"),
        },
        Request {
            id: "R2",
            case: "K3",
            from: "KE",
            to: "UG",
            sent: "2025-05-01T10:00:00Z",
            acknowledged: Some("2025-05-30T10:00:00Z"),
            answered: None,
            closed: None,
            due: "2025-06-30",
            receiver_case: None,
        },
        Request {
            id: "R3",
            case: "U1",
            from: "UG",
            to: "KE",
            sent: "2025-03-10T10:00:00Z",
            acknowledged: Some("2025-03-12T10:00:00Z"),
            answered: Some("2025-03-20T10:00:00Z"),
            closed: Some("2025-03-25T10:00:00Z"),
            due: "2025-04-10",
            receiver_case: None,
        },
        Request {
            id: "R4",
            case: "K5",
            from: "KE",
            to: "UG",
            sent: "2025-12-21T10:00:00Z",
            acknowledged: None,
            answered: None,
            closed: None,
            due: "2026-01-31",
            receiver_case: None,
        },
    ];
    for r in &requests {
        let status = if r.closed.is_some() {
            "closed"
        } else if r.answered.is_some() {
            "answered"
        } else if r.acknowledged.is_some() {
            "acknowledged"
        } else {
            "sent"
        };
        exec(
            &store,
            "INSERT INTO requests (id, case_id, from_member_id, to_member_id, kind, status, subject, due_on, sent_at, acknowledged_at, answered_at, closed_at, receiver_case_id, created_by, updated_at) \
             VALUES ($1, $2, $3, $4, 'home_study', $5, 'subject', $6, $7, $8, $9, $10, $11, 'test', '2025-01-01T00:00:00Z')",
            &[Some(r.id), Some(r.case), Some(&m(r.from)), Some(&m(r.to)), Some(status), Some(r.due), Some(r.sent), r.acknowledged, r.answered, r.closed, r.receiver_case],
        )
        .await;
    }
    (db, store, ke, ug)
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 0.01)
}

/// An indicator with its value for Kenya, Uganda and the network; None is "no data".
type Expected = (&'static str, Option<f64>, Option<f64>, Option<f64>);

async fn every_indicator_on_a_hand_built_network(backend: Backend) {
    let (_db, store, _ke, _ug) = network(backend).await;
    let coordinator = caller(&store, "KE", Role::Coordinator, "gs@network.test").await;
    let year = Period::parse("2025").unwrap();
    let ke = store.impact_dashboard(&coordinator, Some("KE"), year).await.unwrap();
    let ug = store.impact_dashboard(&coordinator, Some("UG"), year).await.unwrap();
    let line = |d: &kinbridge_casework::impact::Dashboard, id: &str| {
        d.lines.iter().find(|l| l.indicator == id).unwrap_or_else(|| panic!("{id}")).clone()
    };
    // (indicator, Kenya, Uganda, network); None is "no data".
    let expected: [Expected; 21] = [
        ("children_assisted", Some(5.0), Some(1.0), Some(6.0)),
        ("families_assisted", Some(5.0), Some(1.0), Some(6.0)),
        ("new_cases", Some(3.0), Some(1.0), Some(4.0)),
        ("new_cross_border_cases", Some(2.0), Some(1.0), Some(3.0)),
        ("new_children", Some(3.0), Some(1.0), Some(4.0)),
        ("unaccompanied_children_assisted", Some(1.0), Some(0.0), Some(1.0)),
        ("incoming_requests", Some(1.0), Some(2.0), Some(3.0)),
        ("outgoing_requests", Some(2.0), Some(1.0), Some(3.0)),
        ("requests_acknowledged_in_time", Some(100.0), Some(50.0), Some(200.0 / 3.0)),
        ("requests_answered", Some(1.0), Some(1.0), Some(2.0)),
        ("median_days_to_answer", Some(10.0), Some(59.0), Some(34.5)),
        ("overdue_requests", Some(0.0), Some(1.0), Some(1.0)),
        ("cases_closed", Some(3.0), Some(1.0), Some(4.0)),
        ("children_reunified", Some(1.0), Some(1.0), Some(2.0)),
        ("tracing_success_rate", Some(50.0), Some(100.0), Some(200.0 / 3.0)),
        ("median_days_to_reunification", Some(120.0), Some(61.0), Some(90.5)),
        ("origins_requests_completed", Some(0.0), Some(0.0), Some(0.0)),
        ("mediation_agreement_rate", Some(100.0), None, Some(100.0)),
        ("child_views_recorded", Some(200.0 / 3.0), Some(100.0), Some(75.0)),
        ("cases_open_over_a_year", Some(1.0), Some(0.0), Some(1.0)),
        ("median_days_to_first_response", Some(6.0), Some(3.0), Some(3.0)),
    ];
    assert_eq!(
        store.indicators().all().len(),
        expected.len(),
        "every shipped indicator has its hand-worked answer here"
    );
    for (id, k, u, n) in expected {
        let (lk, lu) = (line(&ke, id), line(&ug, id));
        let same = |got: Option<f64>, want: Option<f64>| match want {
            Some(w) => close(got, w),
            None => got.is_none(),
        };
        assert!(same(lk.member.value, k), "{id} for KE: {:?}, want {k:?}", lk.member);
        assert!(same(lu.member.value, u), "{id} for UG: {:?}, want {u:?}", lu.member);
        assert!(same(lk.network.value, n), "{id} for the network: {:?}, want {n:?}", lk.network);
        assert_eq!(lk.network, lu.network, "{id}: the network is the same from either member");
    }

    // Trend: new cases at KE by year, 2022 to 2025.
    let trend: Vec<(String, Option<f64>)> =
        line(&ke, "new_cases").trend.into_iter().map(|p| (p.period, p.value)).collect();
    assert_eq!(
        trend,
        [
            ("2022".into(), Some(0.0)),
            ("2023".into(), Some(1.0)),
            ("2024".into(), Some(2.0)),
            ("2025".into(), Some(3.0))
        ]
    );

    // A financial year from April: K3 (April) and K6 (July), not K1 (February).
    let fy = store.impact_dashboard(&coordinator, Some("KE"), Period::parse("2025April").unwrap()).await.unwrap();
    assert!(close(line(&fy, "new_cases").member.value, 2.0));

    // Breakdowns, by sex and age band on the period's last day for children assisted.
    let v = store.impact_values(&coordinator, "children_assisted", Some("KE"), year, &[Dimension::Sex]).await.unwrap();
    let by: BTreeMap<Vec<String>, u64> = v.member.iter().skip(1).map(|f| (f.key.clone(), f.numerator)).collect();
    assert_eq!(by, BTreeMap::from([(vec!["female".to_string()], 3), (vec!["male".to_string()], 2)]));
    let v =
        store.impact_values(&coordinator, "children_assisted", Some("KE"), year, &[Dimension::AgeBand]).await.unwrap();
    let by: BTreeMap<Vec<String>, u64> = v.member.iter().skip(1).map(|f| (f.key.clone(), f.numerator)).collect();
    assert_eq!(
        by,
        BTreeMap::from([
            (vec!["10-14".to_string()], 2),
            (vec!["15-17".to_string()], 2),
            (vec!["unknown".to_string()], 1)
        ])
    );
    // Direction of a case: K1 and K3 sent requests, U1 was opened from one.
    let v = store.impact_values(&coordinator, "new_cases", Some("UG"), year, &[Dimension::Direction]).await.unwrap();
    assert_eq!(v.member[1].key, ["incoming"]);
    let v = store
        .impact_values(&coordinator, "new_cases", Some("KE"), year, &[Dimension::Direction, Dimension::PartnerCountry])
        .await
        .unwrap();
    let by: BTreeMap<Vec<String>, u64> = v.member.iter().skip(1).map(|f| (f.key.clone(), f.numerator)).collect();
    assert_eq!(
        by,
        BTreeMap::from([
            (vec!["domestic".to_string(), "unknown".to_string()], 1),
            (vec!["outgoing".to_string(), "UG".to_string()], 2)
        ])
    );
    // A breakdown the indicator does not allow, an unknown indicator.
    assert!(matches!(
        store.impact_values(&coordinator, "new_cases", Some("KE"), year, &[Dimension::Sex]).await,
        Err(Error::Domain(DomainError::Invalid(_)))
    ));
    assert!(matches!(
        store.impact_values(&coordinator, "nope", Some("KE"), year, &[]).await,
        Err(Error::Domain(DomainError::Invalid(_)))
    ));
}

async fn who_sees_whose_figures(backend: Backend) {
    let (_db, store, _ke, _ug) = network(backend).await;
    let year = Period::parse("2025").unwrap();
    let ug_worker = caller(&store, "UG", Role::Caseworker, "w@ug.test").await;
    let researcher = caller(&store, "UG", Role::Researcher, "r@ug.test").await;
    let own = store.impact_dashboard(&ug_worker, None, year).await.unwrap();
    assert_eq!(own.member_code, "UG");
    assert!(matches!(
        store.impact_dashboard(&ug_worker, Some("KE"), year).await,
        Err(Error::Domain(DomainError::NotFound))
    ));
    assert!(matches!(
        store.impact_values(&ug_worker, "new_cases", Some("KE"), year, &[]).await,
        Err(Error::Domain(DomainError::NotFound))
    ));
    assert!(matches!(
        store.impact_dashboard(&researcher, None, year).await,
        Err(Error::Domain(DomainError::Forbidden))
    ));
    let denied: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'denied' AND entity = 'impact' AND entity_id = 'KE'",
    )
    .fetch_one(store.store().pool())
    .await
    .unwrap();
    assert_eq!(denied, 2, "each refused look at another member's figures is audited");
    let read: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'read' AND entity = 'impact' AND entity_id = 'UG'",
    )
    .fetch_one(store.store().pool())
    .await
    .unwrap();
    assert_eq!(read, 1);
}

/// A member's director approves as shown; a change underneath afterwards shows beside the
/// approved figure; one between display and click is refused with the differences; the
/// network is approved once every member with cases has approved.
async fn approvals_lock_figures(backend: Backend) {
    let (_db, store, _ke, ug) = network(backend).await;
    let year = Period::parse("2025").unwrap();
    let ke_boss = caller(&store, "KE", Role::Supervisor, "boss@ke.test").await;
    let ke_worker = caller(&store, "KE", Role::Caseworker, "w@ke.test").await;
    let ug_admin = caller(&store, "UG", Role::MemberAdmin, "admin@ug.test").await;
    let coordinator = caller(&store, "KE", Role::Coordinator, "gs@network.test").await;

    let shown = store.impact_dashboard(&ke_worker, None, year).await.unwrap();
    assert!(!shown.can_approve, "a caseworker does not approve");
    assert!(matches!(
        store.approve_member_figures(&ke_worker, None, year, &shown.seen).await,
        Err(Error::Domain(DomainError::Forbidden))
    ));
    let shown = store.impact_dashboard(&ke_boss, None, year).await.unwrap();
    assert!(shown.can_approve && shown.approval.is_none());
    store.approve_member_figures(&ke_boss, None, year, &shown.seen).await.unwrap();
    assert!(matches!(
        store.approve_member_figures(&ke_boss, None, year, &shown.seen).await,
        Err(Error::Conflict(kinbridge_domain::ErrorCode::AlreadyApproved))
    ));

    // A year approved earlier is the trend's figure of record: a case of 2024 recorded after
    // 2024 was approved does not move it.
    let y2024 = Period::parse("2024").unwrap();
    let shown_2024 = store.impact_dashboard(&ke_boss, None, y2024).await.unwrap();
    store.approve_member_figures(&ke_boss, None, y2024, &shown_2024.seen).await.unwrap();
    exec(&store, "INSERT INTO cases (id, member_id, reference, service, status, title, summary, child_views, opened_on, search_text, created_by, updated_at, version) SELECT 'K9', member_id, 'KE-K9', 'family_tracing', 'open', 'late', '', '', '2024-03-03', '', 'test', '2024-03-03', 1 FROM cases WHERE id = 'K1'", &[]).await;
    let d = store.impact_dashboard(&ke_boss, None, year).await.unwrap();
    let point = d
        .lines
        .iter()
        .find(|l| l.indicator == "new_cases")
        .unwrap()
        .trend
        .iter()
        .find(|p| p.period == "2024")
        .unwrap()
        .clone();
    assert_eq!((point.value, point.approved), (Some(2.0), true), "K2 and K7, not K9");

    // A case of 2025 recorded late: the approved figure stays, the live one moves.
    exec(&store, "INSERT INTO cases (id, member_id, reference, service, status, title, summary, child_views, opened_on, search_text, created_by, updated_at, version) SELECT 'K8', member_id, 'KE-K8', 'family_tracing', 'open', 'late', '', '', '2025-05-05', '', 'test', '2025-05-05', 1 FROM cases WHERE id = 'K1'", &[]).await;
    let after = store.impact_dashboard(&ke_boss, None, year).await.unwrap();
    assert!(after.approval.is_some() && !after.can_approve);
    let new_cases = after.lines.iter().find(|l| l.indicator == "new_cases").unwrap();
    assert_eq!((new_cases.member.value, new_cases.approved.as_ref().unwrap().value), (Some(4.0), Some(3.0)));

    // Uganda: the page is read, a case lands, then the click.
    let shown = store.impact_dashboard(&ug_admin, None, year).await.unwrap();
    let coordinator_view = store.network_approvals(&coordinator, year).await.unwrap();
    assert_eq!(coordinator_view.0.waiting, 1, "Uganda has not approved");
    assert!(matches!(
        store
            .approve_network_figures(&coordinator, year, &kinbridge_casework::impact::seen_of(&coordinator_view.1))
            .await,
        Err(Error::Conflict(kinbridge_domain::ErrorCode::MembersNotApproved))
    ));
    exec(&store, "INSERT INTO cases (id, member_id, reference, service, status, title, summary, child_views, opened_on, search_text, created_by, updated_at, version) VALUES ('U2', $1, 'UG-U2', 'family_tracing', 'open', 'late', '', '', '2025-08-08', '', 'test', '2025-08-08', 1)", &[Some(&ug)]).await;
    let Err(Error::FiguresChanged(differences)) =
        store.approve_member_figures(&ug_admin, None, year, &shown.seen).await
    else {
        panic!("approved over a change")
    };
    let new_cases = differences.iter().find(|d| d.indicator == "new_cases").expect("new cases changed");
    assert_eq!((new_cases.seen, new_cases.now), (Some(1.0), Some(2.0)));
    assert!(differences.iter().all(|d| d.indicator != "requests_answered"), "only what changed: {differences:?}");
    assert!(matches!(
        store.approve_member_figures(&ug_admin, None, year, "nonsense").await,
        Err(Error::Domain(DomainError::Invalid(_)))
    ));
    let shown = store.impact_dashboard(&ug_admin, None, year).await.unwrap();
    store.approve_member_figures(&ug_admin, None, year, &shown.seen).await.unwrap();

    let (status, lines) = store.network_approvals(&coordinator, year).await.unwrap();
    assert_eq!(status.waiting, 0);
    assert!(status.members.iter().filter(|m| m.has_cases).all(|m| m.approval.is_some()));
    store.approve_network_figures(&coordinator, year, &kinbridge_casework::impact::seen_of(&lines)).await.unwrap();
    let (status, lines) = store.network_approvals(&coordinator, year).await.unwrap();
    assert!(status.network.is_some());
    let nc = lines.iter().find(|l| l.indicator == "new_cases").unwrap();
    assert_eq!(nc.approved.as_ref().unwrap().value, Some(6.0), "K1, K3, K6, K8, U1, U2");
    assert!(matches!(store.network_approvals(&ke_boss, year).await, Err(Error::Domain(DomainError::Forbidden))));

    // The public face: the approved year, small counts and what reveals them withheld.
    let public = store.public_impact().await.unwrap().expect("2025 is published");
    assert_eq!((public.period.as_str(), public.threshold), ("2025", 5));
    let shown = |id: &str| public.figures.iter().find(|f| f.indicator == id).unwrap().clone();
    assert_eq!((shown("new_cases").value, shown("new_cases").withheld), (Some(6.0), false));
    assert_eq!((shown("children_reunified").value, shown("children_reunified").withheld), (None, true), "2 children");
    assert!(shown("tracing_success_rate").withheld, "2 of 3");
    assert!(shown("median_days_to_answer").withheld, "a median of two requests");
    assert_eq!(
        (shown("origins_requests_completed").value, shown("origins_requests_completed").withheld),
        (Some(0.0), false),
        "a zero says nothing about anyone"
    );
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'impact_approval'")
        .fetch_one(store.store().pool())
        .await
        .unwrap();
    assert_eq!(audited, 4);
}

/// SROI analyses: an outcome tied to an indicator takes the approved figure; the engine's
/// value as worked by hand; stale edits refused; another member's analysis 404.
async fn sroi_analyses(backend: Backend) {
    use kinbridge_casework::sroi::SroiDraft;
    use kinbridge_impact::sroi::{Analysis, Input, Outcome};
    let (_db, store, _ke, _ug) = network(backend).await;
    let year = Period::parse("2025").unwrap();
    let ke_boss = caller(&store, "KE", Role::Supervisor, "boss@ke.test").await;
    let ug_worker = caller(&store, "UG", Role::Caseworker, "w@ug.test").await;
    let outcome = |indicator: Option<&str>, quantity: f64| Outcome {
        label: "Families assisted".into(),
        indicator: indicator.map(str::to_string),
        quantity_source: if indicator.is_some() { String::new() } else { "case files".into() },
        quantity,
        proxy: 1000.0,
        proxy_source: "cost of a placement avoided".into(),
        deadweight_percent: 20.0,
        displacement_percent: 0.0,
        attribution_percent: 50.0,
        drop_off_percent: 0.0,
        duration_years: 1,
    };
    let draft = |o: Outcome, version: Option<i64>| SroiDraft {
        title: "Kenya 2025".into(),
        org: Some("KE".into()),
        period: "2025".into(),
        analysis: Analysis {
            inputs: vec![Input::Cost { label: "staff".into(), amount: 1000.0 }],
            outcomes: vec![o],
            discount_percent: 0.0,
        },
        version,
    };
    // Not approved yet: the indicator cannot give a quantity.
    let Err(Error::Domain(DomainError::Invalid(bad))) =
        store.save_sroi(&ke_boss, None, draft(outcome(Some("families_assisted"), 999.0), None)).await
    else {
        panic!("saved")
    };
    assert_eq!((bad[0].field, bad[0].code), ("outcome_indicator", kinbridge_domain::ErrorCode::NotApproved));
    let shown = store.impact_dashboard(&ke_boss, None, year).await.unwrap();
    store.approve_member_figures(&ke_boss, None, year, &shown.seen).await.unwrap();
    let id = store.save_sroi(&ke_boss, None, draft(outcome(Some("families_assisted"), 999.0), None)).await.unwrap();
    let v = store.sroi(&ke_boss, &id).await.unwrap();
    // Five families approved (not the 999 typed): 5 × 1,000 × 0.8 × 1 × 0.5 = 2,000, undiscounted; inputs 1,000.
    assert_eq!(v.analysis.outcomes[0].quantity, 5.0);
    assert!((v.valuation.present_value - 2000.0).abs() < 1e-9 && v.valuation.ratio == Some(2.0), "{:?}", v.valuation);
    assert_eq!(v.sensitivity.len(), 9);
    // A rate over 100 %, a median as quantity: named, nothing saved.
    let mut over = outcome(None, 3.0);
    over.attribution_percent = 120.0;
    let Err(Error::Domain(DomainError::Invalid(bad))) =
        store.save_sroi(&ke_boss, Some(&id), draft(over, Some(v.version))).await
    else {
        panic!("saved")
    };
    assert!(bad.iter().any(|e| e.field == "outcome_attribution_percent"));
    assert!(store.save_sroi(&ke_boss, None, draft(outcome(Some("median_days_to_answer"), 1.0), None)).await.is_err());
    // Two edits from the same version: the second is refused.
    store.save_sroi(&ke_boss, Some(&id), draft(outcome(None, 3.0), Some(v.version))).await.unwrap();
    assert!(matches!(
        store.save_sroi(&ke_boss, Some(&id), draft(outcome(None, 4.0), Some(v.version))).await,
        Err(Error::Conflict(kinbridge_domain::ErrorCode::StaleVersion))
    ));
    assert_eq!(store.sroi(&ke_boss, &id).await.unwrap().analysis.outcomes[0].quantity, 3.0);
    // Uganda's staff do not see Kenya's analysis, nor may they write one for Kenya.
    assert!(matches!(store.sroi(&ug_worker, &id).await, Err(Error::Domain(DomainError::NotFound))));
    assert!(store.sroi_list(&ug_worker).await.unwrap().is_empty());
    assert!(store.save_sroi(&ug_worker, None, draft(outcome(None, 1.0), None)).await.is_err());
    assert_eq!(store.sroi_list(&ke_boss).await.unwrap().len(), 1);
}

both_backends!(every_indicator_on_a_hand_built_network, who_sees_whose_figures, approvals_lock_figures, sroi_analyses);
