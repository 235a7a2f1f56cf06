//! The demo network: about 35 members on every continent, their staff, and as many cases
//! as asked for, with people from many naming cultures, requests in every state, notes in
//! English, French and Spanish, and closed cases with outcomes spread over twelve years.
//!
//! Rows are written in bulk (multi-row inserts in large transactions) so that 100,000 cases
//! load in about a minute for benchmarks. Deterministic for a given seed.

pub mod academy;
pub mod names;
pub mod text;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use kinbridge_casework::{today, Casework, Error};
use kinbridge_domain::access::Role;
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::case::{BirthDate, CaseStatus, ConsentScope, EventKind, Outcome, PersonRole};
use kinbridge_domain::case::{CaseFilter, Fact, RelationshipKind, ServiceType, Sex, Vocab};
use kinbridge_domain::country::Country;
use kinbridge_domain::ids::{CaseId, ConsentId, EventId, MemberId, MessageId, NoteId, PersonId, RelationshipId};
use kinbridge_domain::ids::{RequestId, UserId};
use kinbridge_domain::member::{MemberCode, MemberKind, NewMember};
use kinbridge_domain::request::{MessageKind, RequestKind, RequestStatus};
use kinbridge_store::bulk::{self, Batch, CaseRecord, ConsentRecord, EventRecord, MessageRecord, NoteRecord};
use kinbridge_store::bulk::{PersonRecord, RelationshipRecord, RequestRecord, UserRecord};

use names::Culture;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "kinbridge-demo";

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the database already holds data; the demo loads only into an empty database")]
    NotEmpty,
    #[error(transparent)]
    Casework(#[from] Error),
    #[error(transparent)]
    Store(#[from] kinbridge_store::StoreError),
    /// A shipped course does not read: a defect of this build.
    #[error("demo course {0}")]
    Course(String),
}

/// (code, name, country, kind, languages)
const MEMBERS: &[(&str, &str, &str, MemberKind, &str)] = &[
    ("GS", "General Secretariat", "CH", MemberKind::GeneralSecretariat, "en,fr,es"),
    ("CH", "Service Social International – Suisse", "CH", MemberKind::Branch, "fr,de,en"),
    ("DE", "Internationaler Sozialdienst Deutschland", "DE", MemberKind::Branch, "en,de"),
    ("FR", "Service Social International France", "FR", MemberKind::Branch, "fr"),
    ("ES", "Servicio Social Internacional España", "ES", MemberKind::AffiliatedBureau, "es"),
    ("IT", "Servizio Sociale Internazionale Italia", "IT", MemberKind::Branch, "en,it"),
    ("BE", "Service Social International Belgique", "BE", MemberKind::Branch, "fr,nl"),
    ("NL", "International Social Service Netherlands", "NL", MemberKind::Branch, "en,nl"),
    ("SE", "International Social Service Sweden", "SE", MemberKind::Correspondent, "en,sv"),
    ("GB", "International Social Service UK", "GB", MemberKind::Branch, "en"),
    ("UA", "International Social Service Ukraine", "UA", MemberKind::AffiliatedBureau, "en,uk"),
    ("RO", "International Social Service Romania", "RO", MemberKind::Correspondent, "en,ro"),
    ("GR", "International Social Service Greece", "GR", MemberKind::Branch, "en,el"),
    ("TR", "International Social Service Türkiye", "TR", MemberKind::Correspondent, "en,tr"),
    ("LB", "Service Social International Liban", "LB", MemberKind::AffiliatedBureau, "fr,ar,en"),
    ("JO", "International Social Service Jordan", "JO", MemberKind::Correspondent, "en,ar"),
    ("EG", "International Social Service Egypt", "EG", MemberKind::Correspondent, "en,ar"),
    ("MA", "Service Social International Maroc", "MA", MemberKind::Correspondent, "fr,ar"),
    ("SN", "Service Social International Sénégal", "SN", MemberKind::AffiliatedBureau, "fr,wo"),
    ("BF", "Service Social International Burkina Faso", "BF", MemberKind::Branch, "fr"),
    ("KE", "International Social Service Kenya", "KE", MemberKind::Branch, "en,sw"),
    ("ET", "International Social Service Ethiopia", "ET", MemberKind::Correspondent, "en,am"),
    ("ZA", "International Social Service South Africa", "ZA", MemberKind::Branch, "en"),
    ("IN", "International Social Service India", "IN", MemberKind::Correspondent, "en,hi"),
    ("VN", "International Social Service Viet Nam", "VN", MemberKind::Correspondent, "en,vi"),
    ("HK", "International Social Service Hong Kong", "HK", MemberKind::Branch, "en,zh"),
    ("JP", "International Social Service Japan", "JP", MemberKind::Branch, "en,ja"),
    ("KR", "International Social Service Korea", "KR", MemberKind::Branch, "en,ko"),
    ("PH", "International Social Service Philippines", "PH", MemberKind::Correspondent, "en,tl"),
    ("AU", "International Social Service Australia", "AU", MemberKind::Branch, "en"),
    ("NZ", "International Social Service New Zealand", "NZ", MemberKind::Correspondent, "en"),
    ("US", "International Social Service USA", "US", MemberKind::Branch, "en,es"),
    ("CA", "International Social Service Canada", "CA", MemberKind::Branch, "en,fr"),
    ("MX", "Servicio Social Internacional México", "MX", MemberKind::Correspondent, "es"),
    ("BR", "Serviço Social Internacional Brasil", "BR", MemberKind::Correspondent, "pt,es"),
    ("AR", "Servicio Social Internacional Argentina", "AR", MemberKind::AffiliatedBureau, "es"),
    ("CO", "Servicio Social Internacional Colombia", "CO", MemberKind::Correspondent, "es"),
    ("CL", "Servicio Social Internacional Chile", "CL", MemberKind::Correspondent, "es"),
];

#[derive(Debug, Clone)]
pub struct Login {
    pub email: String,
    pub role: &'static str,
    pub member: &'static str,
}

#[derive(Debug, Clone)]
pub struct Summary {
    pub members: usize,
    pub users: usize,
    pub cases: usize,
    pub requests: usize,
    /// A few accounts worth trying first.
    pub highlights: Vec<Login>,
}

struct MemberRow {
    id: MemberId,
    code: &'static str,
    country: Country,
    note_lang: &'static str,
    caseworkers: Vec<UserId>,
    next_number: i64,
}

/// A moment of a working day.
fn stamp(d: NaiveDate, rng: &mut fastrand::Rng) -> NaiveDateTime {
    d.and_hms_opt(rng.u32(7..18), rng.u32(0..60), rng.u32(0..60)).unwrap_or_default()
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

fn pick_str(rng: &mut fastrand::Rng, items: &[&'static str]) -> &'static str {
    items[rng.usize(..items.len())]
}

/// Loads the demo network into an empty database. `progress` is told how many cases are done.
pub async fn load(
    store: &Casework,
    cases: usize,
    seed: u64,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Summary, DemoError> {
    if !bulk::is_empty(store.store()).await? {
        return Err(DemoError::NotEmpty);
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    let password_hash = kinbridge_casework::accounts::hash_password(DEMO_PASSWORD)
        .map_err(|e| Error::Domain(kinbridge_domain::DomainError::Invalid(vec![e])))?;
    let now = chrono::Utc::now().naive_utc();

    let mut members = Vec::new();
    let mut batch = Batch::default();
    let mut highlights = Vec::new();
    for (code, name, country, kind, langs) in MEMBERS {
        let new = NewMember {
            code: MemberCode::parse(code)
                .map_err(|e| Error::Domain(kinbridge_domain::DomainError::Invalid(vec![e])))?,
            name: name.to_string(),
            country: Country::parse(country).ok_or(Error::Unsupported("demo country"))?,
            kind: *kind,
            languages: langs.split(',').map(str::to_string).collect(),
            services: ServiceType::ALL.to_vec(),
            email: format!("office@{}.kinbridge.example", code.to_lowercase()),
            phone: format!("+{} {}", 10 + rng.u32(10..90), rng.u32(100_000..999_999)),
            address: format!("{} — {}", name, Country::parse(country).map(|c| c.name()).unwrap_or("")),
        };
        let member = store.create_member(&new).await?;
        let note_lang = langs.split(',').find(|l| ["en", "fr", "es"].contains(l)).unwrap_or("en");
        let lc = code.to_lowercase();
        let staff: &[(&str, Role)] = if *kind == MemberKind::GeneralSecretariat {
            &[
                ("coordinator", Role::Coordinator),
                ("researcher", Role::Researcher),
                ("dpo", Role::DataProtectionOfficer),
                ("archivist", Role::Archivist),
                ("sysadmin", Role::SystemAdmin),
                ("trainer", Role::TrainingManager),
            ]
        } else {
            &[
                ("caseworker", Role::Caseworker),
                ("caseworker2", Role::Caseworker),
                ("supervisor", Role::Supervisor),
                ("admin", Role::MemberAdmin),
                ("archivist", Role::Archivist),
            ]
        };
        // A cantonal judge in the Swiss member's residential-care programme: training, no case.
        let external: &[(&str, Role)] = if *code == "CH" { &[("judge", Role::ExternalLearner)] } else { &[] };
        let staff: Vec<(&str, Role)> = staff.iter().chain(external).copied().collect();
        let mut caseworkers = Vec::new();
        for &(local, role) in &staff {
            let id = UserId::generate();
            // The academy's people came after the rest: fixed names keep every other draw as it was.
            let given = match role {
                Role::TrainingManager => "Nadia",
                Role::ExternalLearner => "Irène",
                _ => pick(
                    &mut rng,
                    &[
                        "Ana", "Jonas", "Amina", "Lucía", "Claire", "Samuel", "Mei", "Olena", "Kwame", "Priya",
                        "Tomás", "Fatou",
                    ],
                ),
            };
            let display = format!("{given} ({code} {})", role.as_str()).replace('_', " ");
            let email = format!("{local}@{lc}.kinbridge.example");
            if role == Role::Caseworker || role == Role::Supervisor {
                caseworkers.push(id.clone());
            }
            if ["CH", "DE", "FR", "ES", "GS"].contains(code) && local != "caseworker2" {
                highlights.push(Login { email: email.clone(), role: role.as_str(), member: code });
            }
            batch.users.push(UserRecord {
                id,
                member_id: member.id.clone(),
                email,
                display_name: display,
                role,
                password_hash: password_hash.clone(),
                locale: note_lang.to_string(),
                created_at: now,
            });
        }
        if *kind != MemberKind::GeneralSecretariat {
            members.push(MemberRow {
                id: member.id.clone(),
                code,
                country: new.country,
                note_lang,
                caseworkers,
                next_number: 1,
            });
        }
    }
    let user_count = batch.users.len();
    bulk::write(store.store(), &mut batch).await?;

    let today = today();
    let mut request_count = 0usize;
    let mut known_children: Vec<(String, String, bool, NaiveDate)> = Vec::new();
    let cultures = names::cultures();
    for n in 0..cases {
        let mi = rng.usize(..members.len());
        let mut pi = rng.usize(..members.len());
        if pi == mi {
            pi = (pi + 1) % members.len();
        }
        let (member_id, member_code, note_lang) = (members[mi].id.clone(), members[mi].code, members[mi].note_lang);
        let (partner_id, partner_country, partner_workers) =
            (members[pi].id.clone(), members[pi].country, members[pi].caseworkers.clone());
        let worker = pick(&mut rng, &members[mi].caseworkers).clone();
        let culture: &Culture = pick(&mut rng, &cultures);
        let service = *pick(&mut rng, ServiceType::ALL);
        let opened = today - Duration::days(rng.i64(0..365 * 12));
        let age_days = (today - opened).num_days();
        let number = members[mi].next_number;
        members[mi].next_number += 1;
        let reference = format!("{member_code}-{}-{number:06}", opened.format("%Y"));
        let case_id = CaseId::generate();

        // The family.
        let father_given = pick(&mut rng, &culture.male).as_str();
        let family =
            if culture.patronymic { father_given.to_string() } else { pick(&mut rng, &culture.family).to_string() };
        let child_female = rng.bool();
        let child_given = pick(&mut rng, if child_female { &culture.female } else { &culture.male }).as_str();
        let child_age = if service == ServiceType::SearchOfOrigins { rng.i64(25..56) } else { rng.i64(0..18) };
        let child_birth = opened - Duration::days(child_age * 365 + rng.i64(0..365));
        let estimated = service == ServiceType::UnaccompaniedMinors && rng.bool();
        // Now and then a child already on a tracing case is registered again, elsewhere, under
        // another spelling or name order: what the matching engine is there to notice.
        let reregistered = n % 97 == 50 && !known_children.is_empty();
        let (child_given, family, child_female, child_birth, service) = if reregistered {
            let (g, f, female, born) = known_children[rng.usize(..known_children.len())].clone();
            let (g, f) = if rng.bool() { (f, g) } else { (respell(&g), respell(&f)) };
            (g, f, female, born, ServiceType::FamilyTracing)
        } else {
            (child_given.to_string(), family, child_female, child_birth, service)
        };
        if !reregistered && service == ServiceType::FamilyTracing && known_children.len() < 200 {
            known_children.push((child_given.clone(), family.clone(), child_female, child_birth));
        }
        let nationality = *pick(&mut rng, culture.countries);
        let child_name = format!("{child_given} {family}");
        let sex = |female: bool| if female { Sex::Female } else { Sex::Male };
        let mut persons = vec![Relative {
            id: PersonId::generate(),
            role: PersonRole::Child,
            given: child_given.clone(),
            family: family.clone(),
            sex: sex(child_female),
            birth: child_birth,
            estimated,
        }];
        let mother_given = pick(&mut rng, &culture.female).as_str();
        let mother_family = if culture.patronymic {
            pick(&mut rng, &culture.male).to_string()
        } else if rng.u8(..4) == 0 {
            pick(&mut rng, &culture.family).to_string()
        } else {
            family.clone()
        };
        let parent_birth = child_birth - Duration::days(365 * rng.i64(18..40));
        persons.push(Relative {
            id: PersonId::generate(),
            role: PersonRole::Mother,
            given: mother_given.to_string(),
            family: mother_family.clone(),
            sex: Sex::Female,
            birth: parent_birth,
            estimated: rng.u8(..3) == 0,
        });
        if rng.bool() {
            let grandfather = pick(&mut rng, &culture.male).as_str();
            let father_family = if culture.patronymic { grandfather.to_string() } else { family.clone() };
            persons.push(Relative {
                id: PersonId::generate(),
                role: PersonRole::Father,
                given: father_given.to_string(),
                family: father_family,
                sex: Sex::Male,
                birth: parent_birth - Duration::days(rng.i64(0..3000)),
                estimated: false,
            });
        }
        if rng.u8(..3) == 0 {
            let sib_female = rng.bool();
            let sib = pick(&mut rng, if sib_female { &culture.female } else { &culture.male }).as_str();
            persons.push(Relative {
                id: PersonId::generate(),
                role: PersonRole::Sibling,
                given: sib.to_string(),
                family: family.clone(),
                sex: sex(sib_female),
                birth: (child_birth + Duration::days(rng.i64(-2000..2000))).min(opened - Duration::days(1)),
                estimated: false,
            });
        }
        let adult = format!("{mother_given} {mother_family}");
        let country_name = partner_country.name();
        let title = text::fill(pick_str(&mut rng, text::title(service.as_str())), &child_given, &adult, country_name);
        let summary = text::fill(pick_str(&mut rng, text::note(note_lang)), &child_name, &adult, country_name);
        let views = if (7..18).contains(&child_age) {
            text::fill(pick_str(&mut rng, text::note(note_lang)), &child_name, &adult, country_name)
        } else {
            String::new()
        };

        // Where the case stands.
        let roll = rng.u8(..100);
        let status = if age_days > 540 {
            if roll < 92 {
                CaseStatus::Closed
            } else {
                CaseStatus::Open
            }
        } else if age_days > 120 {
            if roll < 45 {
                CaseStatus::Closed
            } else if roll < 55 {
                CaseStatus::ClosureProposed
            } else {
                CaseStatus::Open
            }
        } else if roll < 90 {
            CaseStatus::Open
        } else if roll < 95 {
            CaseStatus::ClosureProposed
        } else {
            CaseStatus::Closed
        };
        let outcomes = outcomes(service);
        let closed_on = (status == CaseStatus::Closed)
            .then(|| opened + Duration::days(rng.i64(30..age_days.clamp(31, 700))).min(today - opened));
        let closed_on = closed_on.map(|d| d.min(today));
        let final_outcome = (status == CaseStatus::Closed).then(|| *pick(&mut rng, outcomes));
        let proposed = (status == CaseStatus::ClosureProposed).then(|| *pick(&mut rng, outcomes));

        // Requests to partners.
        let n_requests = match rng.u8(..4) {
            0 => 0,
            1 | 2 => 1,
            _ => 2,
        };
        let mut first_response: Option<NaiveDate> = None;
        let mut case_events = vec![(stamp(opened, &mut rng), EventKind::Opened, vec![Fact::text(&reference)])];
        for _ in 0..n_requests {
            request_count += 1;
            let rid = RequestId::generate();
            let sent = (opened + Duration::days(rng.i64(1..30))).min(today);
            let due = sent + Duration::days(rng.i64(21..90));
            let kind = *pick(&mut rng, RequestKind::ALL);
            let picked = if status == CaseStatus::Closed || status == CaseStatus::ClosureProposed {
                RequestStatus::Closed
            } else {
                use RequestStatus as S;
                *pick(
                    &mut rng,
                    &[
                        S::Sent,
                        S::Acknowledged,
                        S::Accepted,
                        S::InProgress,
                        S::InProgress,
                        S::Answered,
                        S::Declined,
                        S::Closed,
                    ],
                )
            };
            let declined = picked == RequestStatus::Declined || (picked == RequestStatus::Closed && rng.u8(..7) == 0);
            let answered = !declined && [RequestStatus::Answered, RequestStatus::Closed].contains(&picked);
            let answer_day = (sent + Duration::days(rng.i64(5..80))).min(today);
            if answered {
                first_response = Some(first_response.map_or(answer_day, |d| d.min(answer_day)));
            }
            let partner_worker = pick(&mut rng, &partner_workers).clone();
            let assignee =
                (![RequestStatus::Sent, RequestStatus::Acknowledged].contains(&picked)).then(|| partner_worker.clone());
            let msg =
                text::fill(pick_str(&mut rng, text::request_message(note_lang)), &child_name, &adult, country_name);
            let sent_at = stamp(sent, &mut rng);
            let answered_at = answered.then(|| stamp(answer_day, &mut rng));
            let closed_at = (picked == RequestStatus::Closed)
                .then(|| stamp(closed_on.unwrap_or(answer_day).max(answer_day), &mut rng));
            let status = if picked != RequestStatus::Closed && declined { RequestStatus::Declined } else { picked };
            batch.requests.push(RequestRecord {
                id: rid.clone(),
                case_id: case_id.clone(),
                from_member_id: member_id.clone(),
                to_member_id: partner_id.clone(),
                kind,
                status,
                subject: format!("{} — {}", kind.as_str().replace('_', " "), child_name),
                due_on: due,
                assignee_id: assignee,
                decline_reason: declined.then(|| "No capacity to take this request at present.".to_string()),
                sent_at,
                acknowledged_at: (picked != RequestStatus::Sent).then_some(sent_at),
                answered_at,
                closed_at,
                created_by: worker.clone(),
                shared: vec![persons[0].id.clone()],
            });
            batch.messages.push(MessageRecord {
                id: MessageId::generate(),
                request_id: rid.clone(),
                author_id: worker.clone(),
                author_member_id: member_id.clone(),
                kind: MessageKind::Request,
                body: msg,
                created_at: sent_at,
            });
            if let Some(at) = answered_at {
                let body = text::fill(pick_str(&mut rng, text::report(note_lang)), &child_name, &adult, country_name);
                batch.messages.push(MessageRecord {
                    id: MessageId::generate(),
                    request_id: rid.clone(),
                    author_id: partner_worker.clone(),
                    author_member_id: partner_id.clone(),
                    kind: MessageKind::Report,
                    body,
                    created_at: at,
                });
                case_events.push((
                    at,
                    EventKind::RequestAnswered,
                    vec![Fact::term(Vocab::RequestKind, kind), Fact::term(Vocab::Member, members[pi].code)],
                ));
            }
            case_events.push((
                sent_at,
                EventKind::RequestSent,
                vec![Fact::term(Vocab::RequestKind, kind), Fact::term(Vocab::Member, members[pi].code)],
            ));
        }

        for p in &persons {
            let nationality =
                if p.role == PersonRole::Child || rng.bool() { nationality } else { culture.countries[0] };
            let birth = BirthDate {
                year: p.birth.year(),
                month: (!p.estimated).then(|| p.birth.month()),
                day: (!p.estimated).then(|| p.birth.day()),
                estimated: p.estimated,
            };
            batch.people.push(PersonRecord {
                id: p.id.clone(),
                case_id: case_id.clone(),
                role: p.role,
                given_names: p.given.clone(),
                family_name: p.family.clone(),
                sex: p.sex,
                birth_date: Some(birth),
                nationalities: Country::parse(nationality).into_iter().collect(),
                languages: culture.languages.iter().map(|l| l.to_string()).collect(),
                created_at: stamp(opened, &mut rng),
            });
            case_events.push((
                stamp(opened, &mut rng),
                EventKind::PersonAdded,
                vec![Fact::term(Vocab::PersonRole, p.role), Fact::text(format!("{} {}", p.given, p.family))],
            ));
            if p.role != PersonRole::Child {
                let kind = match p.role {
                    PersonRole::Mother | PersonRole::Father => RelationshipKind::ParentOf,
                    PersonRole::Sibling => RelationshipKind::SiblingOf,
                    _ => RelationshipKind::RelativeOf,
                };
                batch.relationships.push(RelationshipRecord {
                    id: RelationshipId::generate(),
                    case_id: case_id.clone(),
                    from: p.id.clone(),
                    to: persons[0].id.clone(),
                    kind,
                    created_at: stamp(opened, &mut rng),
                });
            }
        }
        let consent = |scope: ConsentScope, created_at: NaiveDateTime| ConsentRecord {
            id: ConsentId::generate(),
            case_id: case_id.clone(),
            scope,
            given_by: adult.clone(),
            given_on: opened,
            recorded_by: worker.clone(),
            created_at,
        };
        for scope in [ConsentScope::DataProcessing, ConsentScope::ShareWithPartners] {
            batch.consents.push(consent(scope, stamp(opened, &mut rng)));
        }
        // Two families in five agree to research use of their de-identified file (decided
        // from the case's number, so that the rest of the demo stays as it was).
        if n % 5 < 2 {
            batch.consents.push(consent(ConsentScope::Research, opened.and_hms_opt(9, 0, 0).unwrap_or_default()));
        }
        if service == ServiceType::FamilyTracing || rng.u8(..3) == 0 {
            batch.consents.push(consent(ConsentScope::Tracing, stamp(opened, &mut rng)));
        }
        for _ in 0..rng.usize(1..4) {
            let day = (opened + Duration::days(rng.i64(0..age_days.clamp(1, 400)))).min(today);
            let body = text::fill(pick_str(&mut rng, text::note(note_lang)), &child_name, &adult, country_name);
            batch.notes.push(NoteRecord {
                id: NoteId::generate(),
                case_id: case_id.clone(),
                author_id: pick(&mut rng, &members[mi].caseworkers).clone(),
                body,
                created_at: stamp(day, &mut rng),
            });
        }
        if let Some(c) = closed_on {
            let outcome = final_outcome.map(|o| Fact::term(Vocab::Outcome, o)).into_iter().collect();
            case_events.push((stamp(c, &mut rng), EventKind::Closed, outcome));
        }
        for (at, kind, facts) in case_events {
            batch.events.push(EventRecord {
                id: EventId::generate(),
                case_id: case_id.clone(),
                at,
                actor_id: worker.clone(),
                kind,
                facts,
            });
        }
        batch.cases.push(CaseRecord {
            id: case_id,
            member_id,
            reference,
            service,
            status,
            title,
            summary,
            child_views: views,
            assignee_id: worker.clone(),
            partner_country,
            opened_on: opened,
            first_response_on: first_response,
            closed_on,
            outcome: final_outcome,
            proposed_outcome: proposed,
            created_by: worker,
            updated_at: now,
        });

        if (n + 1) % 1000 == 0 || n + 1 == cases {
            bulk::write(store.store(), &mut batch).await?;
            progress(n + 1);
        }
    }
    for m in &members {
        bulk::set_next_case_number(store.store(), &m.id, m.next_number).await?;
    }
    bulk::settle(store.store()).await?;
    store
        .audit(vec![kinbridge_casework::system_entry(
            AuditAction::Admin,
            "system",
            None,
            None,
            &format!("demo loaded: {cases} cases"),
        )])
        .await?;
    // Cases saved one by one are matched in the background; a bulk load is matched at once.
    // Beyond a few tens of thousands of people this is left to the first saves.
    if cases <= 20_000 {
        store.refresh_all_matches().await?;
        // The research corpus: de-identified copies of the closed cases.
        store.rebuild_research_corpus().await?;
    }
    showcase_plans(store, &mut rng).await?;
    showcase_transfers(store).await?;
    showcase_impact(store).await?;
    academy::load(store).await?;
    Ok(Summary { members: MEMBERS.len(), users: user_count, cases, requests: request_count, highlights })
}

/// Case plans through the use cases, as a caseworker would make them: on the first open cases
/// of each member's caseworker, a goal, tasks falling due (their reminders then show in the
/// caseworker's notifications) and a review.
async fn showcase_plans(store: &Casework, rng: &mut fastrand::Rng) -> Result<(), DemoError> {
    use kinbridge_domain::plan::{NewReview, NewTask};
    let today = today();
    for (code, ..) in MEMBERS {
        let email = format!("caseworker@{}.kinbridge.example", code.to_lowercase());
        let Some(user) = store.user_by_email(&email).await? else { continue };
        let caller = kinbridge_casework::Caller { actor: user.actor(), ip: None };
        let filter = CaseFilter::parse(Some("open"), None, None, Some(user.id.as_str()), None, Some(1), Some(3));
        let Ok(page) = store.list_cases(&caller, &filter).await else { continue };
        for (i, c) in page.items.iter().enumerate() {
            let id = c.id.as_str();
            let goal = store.add_goal(&caller, id, GOALS[(i + rng.usize(..GOALS.len())) % GOALS.len()]).await?;
            for (days, title) in [
                (0, TASKS[i % TASKS.len()]),
                (3 + i as i64, TASKS[(i + 1) % TASKS.len()]),
                (21, TASKS[(i + 2) % TASKS.len()]),
            ] {
                let due = (today + Duration::days(days)).to_string();
                let task = NewTask::parse(title, "", &due, &goal, today).map_err(Error::Domain)?;
                store.add_task(&caller, id, &task).await?;
            }
            if i == 0 {
                // A best-interests assessment under way, to be finished and signed off.
                let parts = [
                    (
                        "child_views".to_string(),
                        "Wants to stay in touch with the family and keep going to school.".to_string(),
                    ),
                    ("safety".to_string(), "No immediate danger where the child lives now.".to_string()),
                ]
                .into_iter()
                .collect();
                let kind = kinbridge_domain::assessment::AssessmentKind::BestInterestsAssessment;
                store.start_assessment(&caller, id, kind, &parts, Some("medium")).await?;
            }
            let next = (today + Duration::days(90)).to_string();
            let review = NewReview::parse(&today.to_string(), REVIEW, &next, today).map_err(Error::Domain)?;
            store.add_review(&caller, id, &review).await?;
        }
    }
    Ok(())
}

/// Case handovers through the use cases: Germany hands a case over to Switzerland, whose
/// supervisor accepts it (Switzerland then has a case received, Germany one kept to read);
/// Switzerland offers one to Germany, waiting for Germany's answer.
/// Last year's figures approved by every member's supervisor, then by the General
/// Secretariat's coordinator: the impact pages open on a year of approved figures.
async fn showcase_impact(store: &Casework) -> Result<(), DemoError> {
    let year = kinbridge_impact::Period::Year { year: chrono::Datelike::year(&today()) - 1 };
    let caller =
        |user: kinbridge_casework::accounts::User| kinbridge_casework::Caller { actor: user.actor(), ip: None };
    for (code, _, _, kind, _) in MEMBERS {
        if *kind == MemberKind::GeneralSecretariat {
            continue;
        }
        let Some(boss) = store.user_by_email(&format!("supervisor@{}.kinbridge.example", code.to_lowercase())).await?
        else {
            continue;
        };
        let boss = caller(boss);
        let seen = store.impact_seen(&boss, None, year).await?;
        store.approve_member_figures(&boss, None, year, &seen).await?;
    }
    if let Some(coordinator) = store.user_by_email("coordinator@gs.kinbridge.example").await? {
        let coordinator = caller(coordinator);
        let (_, lines) = store.network_approvals(&coordinator, year).await?;
        store.approve_network_figures(&coordinator, year, &kinbridge_casework::impact::seen_of(&lines)).await?;
        store.save_sroi(&coordinator, None, demo_sroi(year)).await?;
    }
    Ok(())
}

/// The network's social return for last year: outcomes counted from the approved figures,
/// proxies of the kind such studies use, each with its source, so the page has a worked case.
fn demo_sroi(year: kinbridge_impact::Period) -> kinbridge_casework::sroi::SroiDraft {
    use kinbridge_impact::sroi::{Analysis, Input, Outcome};
    let outcome =
        |label: &str, indicator: &str, proxy: f64, proxy_source: &str, rates: [f64; 4], duration_years: u32| Outcome {
            label: label.into(),
            indicator: Some(indicator.into()),
            quantity_source: String::new(),
            quantity: 0.0,
            proxy,
            proxy_source: proxy_source.into(),
            deadweight_percent: rates[0],
            displacement_percent: rates[1],
            attribution_percent: rates[2],
            drop_off_percent: rates[3],
            duration_years,
        };
    kinbridge_casework::sroi::SroiDraft {
        title: format!("The network's social return, {year}"),
        org: None,
        period: year.to_string(),
        analysis: Analysis {
            inputs: vec![
                Input::Cost { label: "Caseworkers and supervision across the network".into(), amount: 2_400_000.0 },
                Input::Cost { label: "General Secretariat coordination".into(), amount: 350_000.0 },
                Input::Volunteering { label: "Volunteer interpreters".into(), hours: 6_000.0, hourly_value: 18.0 },
            ],
            outcomes: vec![
                outcome(
                    "Children reunified with their family instead of staying in care",
                    "children_reunified",
                    38_000.0,
                    "Yearly cost of residential care for a child (illustrative unit cost)",
                    [10.0, 0.0, 30.0, 15.0],
                    5,
                ),
                outcome(
                    "Families given cross-border assistance",
                    "families_assisted",
                    2_500.0,
                    "Cost of the legal and social help a family would otherwise buy (illustrative)",
                    [25.0, 0.0, 40.0, 50.0],
                    2,
                ),
                outcome(
                    "Search-of-origins files completed",
                    "origins_requests_completed",
                    4_000.0,
                    "Willingness to pay for knowledge of one's origins (illustrative)",
                    [20.0, 0.0, 20.0, 0.0],
                    1,
                ),
            ],
            discount_percent: kinbridge_impact::sroi::DEFAULT_DISCOUNT_PERCENT,
        },
        version: None,
    }
}

async fn showcase_transfers(store: &Casework) -> Result<(), DemoError> {
    use kinbridge_domain::case::{NewCase, NewConsent, NewPerson};
    use kinbridge_domain::transfer::{NewTransfer, TransferDecision};
    let caller =
        |user: kinbridge_casework::accounts::User| kinbridge_casework::Caller { actor: user.actor(), ip: None };
    let (Some(de), Some(ch), Some(ch_boss)) = (
        store.user_by_email("caseworker@de.kinbridge.example").await?,
        store.user_by_email("caseworker@ch.kinbridge.example").await?,
        store.user_by_email("supervisor@ch.kinbridge.example").await?,
    ) else {
        return Ok(());
    };
    let (de, ch, ch_boss) = (caller(de), caller(ch), caller(ch_boss));
    let people = |given: &str, family: &str, sex: &str, born: &str| {
        [
            NewPerson::parse("child", given, family, sex, born, false, "SY", "ar", today()),
            NewPerson::parse("mother", "Rania", family, "female", "1988", true, "SY", "ar", today()),
        ]
    };
    let cases = [
        (
            &de,
            "CH",
            ("Lina", "Haddad", "female", "2015-06-14"),
            "Lina moves to Geneva",
            "The child moved to Geneva with her mother in the summer; the family is known to the school there.",
            true,
        ),
        (
            &ch,
            "DE",
            ("Omar", "Khalil", "male", "2013-02-03"),
            "Omar moves to Hamburg",
            "The boy now lives with his uncle in Hamburg; the uncle asked for support with school enrolment.",
            false,
        ),
    ];
    for (from, to, (given, family, sex, born), title, reason, accept) in cases {
        let [child, mother] = people(given, family, sex, born);
        let (child, mother) = (child.map_err(Error::Domain)?, mother.map_err(Error::Domain)?);
        let new = NewCase::parse("family_tracing", title, reason, "Wants to stay with the family.", to)
            .map_err(Error::Domain)?;
        let consent =
            NewConsent::parse("data_processing", "Mother", &today().to_string(), today()).map_err(Error::Domain)?;
        let case = store.open_case(from, &new, &[child, mother], &[consent], Some("demo: a case to hand over")).await?;
        let proposal = NewTransfer::parse::<&str>(to, reason, &[]).map_err(Error::Domain)?;
        let t = store.propose_transfer(from, case.id.as_str(), &proposal).await?;
        if accept {
            let yes = TransferDecision::parse("accept", None).map_err(Error::Domain)?;
            store.decide_transfer(&ch_boss, t.id.as_str(), &yes).await?;
        }
    }
    Ok(())
}

const GOALS: &[&str] = &[
    "The child lives safely with family",
    "Contact with the family is re-established",
    "The child's legal status is settled",
];

const TASKS: &[&str] = &[
    "Call the partner member about the home study",
    "Visit the child and record their views",
    "Check the birth certificate with the registry",
    "Prepare the case review",
];

const REVIEW: &str = "Plan reviewed with the supervisor; tasks agreed and owners confirmed.";

/// A person of a demo family, before it is written.
struct Relative {
    id: PersonId,
    role: PersonRole,
    given: String,
    family: String,
    sex: Sex,
    birth: NaiveDate,
    estimated: bool,
}

/// The outcomes a closed case of a service can have.
fn outcomes(service: ServiceType) -> &'static [Outcome] {
    match service {
        ServiceType::FamilyTracing => {
            &[Outcome::ContactReestablished, Outcome::Reunified, Outcome::NotFound, Outcome::Withdrawn]
        }
        ServiceType::SearchOfOrigins => {
            &[Outcome::OriginsInformation, Outcome::ContactReestablished, Outcome::NotFound]
        }
        ServiceType::FamilyMediation => {
            &[Outcome::MediationAgreement, Outcome::Withdrawn, Outcome::ContactReestablished]
        }
        ServiceType::UnaccompaniedMinors => {
            &[Outcome::Reunified, Outcome::IntegratedLocally, Outcome::FamilyBasedCare, Outcome::Returned]
        }
        ServiceType::AlternativeCare => &[Outcome::FamilyBasedCare, Outcome::Reunified, Outcome::Transferred],
        ServiceType::ReturnAssessment => &[Outcome::Returned, Outcome::IntegratedLocally, Outcome::Reunified],
        _ => &[
            Outcome::Reunified,
            Outcome::ContactReestablished,
            Outcome::FamilyBasedCare,
            Outcome::Transferred,
            Outcome::Withdrawn,
        ],
    }
}

/// Another hand's spelling of a name: the drift between transliterations (ou/u, ee/i, y/i,
/// doubled letters), or the name as it was.
fn respell(name: &str) -> String {
    for (from, to) in [("ou", "u"), ("ee", "i"), ("y", "i"), ("mm", "m"), ("ss", "s"), ("kh", "h"), ("a", "e")] {
        if name.contains(from) {
            return name.replacen(from, to, 1);
        }
    }
    name.to_string()
}
