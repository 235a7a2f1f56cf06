//! The demo network: about 35 members on every continent, their staff, and as many cases
//! as asked for, with people from many naming cultures, requests in every state, notes in
//! English, French and Spanish, and closed cases with outcomes spread over twelve years.
//!
//! Rows are written in bulk (multi-row inserts in large transactions) so that 100,000 cases
//! load in about a minute for benchmarks. Deterministic for a given seed.

pub mod names;
pub mod text;

use chrono::{Duration, NaiveDate};
use kinbridge_casework::{today, Casework, Error};
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::case::{Outcome, ServiceType};
use kinbridge_domain::country::Country;
use kinbridge_domain::member::{MemberCode, MemberKind, NewMember};
use sqlx::any::AnyArguments;
use sqlx::Arguments;

use names::Culture;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "kinbridge-demo";

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the database already holds data; the demo loads only into an empty database")]
    NotEmpty,
    #[error(transparent)]
    Casework(#[from] Error),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
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
    id: String,
    code: &'static str,
    country: &'static str,
    note_lang: &'static str,
    caseworkers: Vec<String>,
    next_number: i64,
}

#[derive(Clone)]
enum V {
    T(String),
    I(i64),
    N,
}

/// Rows for one table, flushed as multi-row INSERTs.
struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    values: Vec<V>,
}

impl Rows {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        Self { table, columns, values: Vec::new() }
    }

    fn push(&mut self, row: Vec<V>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.values.extend(row);
    }

    async fn flush(&mut self, tx: &mut sqlx::AnyConnection) -> Result<(), DemoError> {
        let width = self.columns.len();
        // Stay well under SQLite's and PostgreSQL's limits on bound parameters.
        let rows_per_statement = (4000 / width).max(1);
        for chunk in self.values.chunks(rows_per_statement * width) {
            let mut sql = format!("INSERT INTO {} ({}) VALUES ", self.table, self.columns.join(", "));
            let mut args = AnyArguments::default();
            for (r, row) in chunk.chunks(width).enumerate() {
                if r > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for (c, v) in row.iter().enumerate() {
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str(&format!("${}", r * width + c + 1));
                    match v {
                        V::T(s) => args.add(s.clone()),
                        V::I(i) => args.add(*i),
                        V::N => args.add(None::<String>),
                    }
                    .map_err(sqlx::Error::Encode)?;
                }
                sql.push(')');
            }
            sqlx::query_with(&sql, args).execute(&mut *tx).await?;
        }
        self.values.clear();
        Ok(())
    }
}

fn t(s: impl Into<String>) -> V {
    V::T(s.into())
}

fn opt(s: Option<String>) -> V {
    s.map(V::T).unwrap_or(V::N)
}

fn stamp(d: NaiveDate, rng: &mut fastrand::Rng) -> String {
    format!("{}T{:02}:{:02}:{:02}.000Z", d, rng.u32(7..18), rng.u32(0..60), rng.u32(0..60))
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
    let existing: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT COUNT(*) AS n FROM members").fetch_one(store.store().pool()).await?,
        "n",
    )?;
    if existing > 0 {
        return Err(DemoError::NotEmpty);
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    let password_hash = kinbridge_casework::accounts::hash_password(DEMO_PASSWORD)
        .map_err(|e| Error::Domain(kinbridge_domain::DomainError::Invalid(vec![e])))?;
    let now = kinbridge_casework::now();

    let mut members = Vec::new();
    let mut users = Rows::new(
        "users",
        &["id", "member_id", "email", "display_name", "role", "password_hash", "locale", "active", "created_at"],
    );
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
        let locale = note_lang;
        let lc = code.to_lowercase();
        let staff: Vec<(&str, &'static str)> = if *kind == MemberKind::GeneralSecretariat {
            vec![
                ("coordinator", "coordinator"),
                ("researcher", "researcher"),
                ("dpo", "data_protection_officer"),
                ("archivist", "archivist"),
                ("sysadmin", "system_admin"),
            ]
        } else {
            vec![
                ("caseworker", "caseworker"),
                ("caseworker2", "caseworker"),
                ("supervisor", "supervisor"),
                ("admin", "member_admin"),
                ("archivist", "archivist"),
            ]
        };
        let mut caseworkers = Vec::new();
        for (local, role) in staff {
            let id = uuid::Uuid::now_v7().to_string();
            let given = pick(
                &mut rng,
                &[
                    "Ana", "Jonas", "Amina", "Lucía", "Claire", "Samuel", "Mei", "Olena", "Kwame", "Priya", "Tomás",
                    "Fatou",
                ],
            );
            let display = format!("{given} ({code} {role})").replace('_', " ");
            let email = format!("{local}@{lc}.kinbridge.example");
            users.push(vec![
                t(&id),
                t(member.id.as_str()),
                t(&email),
                t(display),
                t(role),
                t(&password_hash),
                t(locale),
                V::I(1),
                t(&now),
            ]);
            if role == "caseworker" || role == "supervisor" {
                caseworkers.push(id);
            }
            if ["CH", "DE", "FR", "ES", "GS"].contains(code) && local != "caseworker2" {
                highlights.push(Login { email, role, member: code });
            }
        }
        if *kind != MemberKind::GeneralSecretariat {
            members.push(MemberRow {
                id: member.id.to_string(),
                code,
                country,
                note_lang,
                caseworkers,
                next_number: 1,
            });
        }
    }
    let user_count = users.values.len() / users.columns.len();
    let mut tx = store.store().pool().begin().await?;
    users.flush(&mut tx).await?;
    tx.commit().await?;

    let mut cases_rows = Rows::new(
        "cases",
        &[
            "id",
            "member_id",
            "reference",
            "service",
            "status",
            "title",
            "summary",
            "child_views",
            "assignee_id",
            "partner_country",
            "opened_on",
            "first_response_on",
            "closed_on",
            "outcome",
            "proposed_outcome",
            "search_text",
            "created_by",
            "updated_at",
            "version",
        ],
    );
    let mut people = Rows::new(
        "people",
        &[
            "id",
            "case_id",
            "role",
            "given_names",
            "family_name",
            "sex",
            "birth_date",
            "birth_date_estimated",
            "nationalities",
            "languages",
            "created_at",
        ],
    );
    let mut relationships =
        Rows::new("relationships", &["id", "case_id", "from_person_id", "to_person_id", "kind", "created_at"]);
    let mut consents =
        Rows::new("consents", &["id", "case_id", "scope", "given_by", "given_on", "recorded_by", "created_at"]);
    let mut notes = Rows::new("notes", &["id", "case_id", "author_id", "body", "created_at"]);
    let mut requests = Rows::new(
        "requests",
        &[
            "id",
            "case_id",
            "from_member_id",
            "to_member_id",
            "kind",
            "status",
            "subject",
            "due_on",
            "assignee_id",
            "decline_reason",
            "sent_at",
            "acknowledged_at",
            "answered_at",
            "closed_at",
            "created_by",
            "updated_at",
        ],
    );
    let mut messages = Rows::new(
        "request_messages",
        &["id", "request_id", "author_id", "author_member_id", "kind", "body", "created_at"],
    );
    let mut shared = Rows::new("request_people", &["request_id", "person_id"]);
    let mut events = Rows::new("case_events", &["id", "case_id", "at", "actor_id", "kind", "detail"]);

    let today = today();
    let mut request_count = 0usize;
    let mut known_children: Vec<(String, String, bool, NaiveDate)> = Vec::new();
    let mut tx = store.store().pool().begin().await?;
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
        let case_id = uuid::Uuid::now_v7().to_string();

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
        let languages = culture.languages.join(",");
        let child_name = format!("{child_given} {family}");
        let mut persons = vec![(
            uuid::Uuid::now_v7().to_string(),
            "child",
            child_given.to_string(),
            family.clone(),
            if child_female { "female" } else { "male" },
            Some(child_birth),
            estimated,
        )];
        let mother_given = pick(&mut rng, &culture.female).as_str();
        let mother_family = if culture.patronymic {
            pick(&mut rng, &culture.male).to_string()
        } else if rng.u8(..4) == 0 {
            pick(&mut rng, &culture.family).to_string()
        } else {
            family.clone()
        };
        let parent_birth = child_birth - Duration::days(365 * rng.i64(18..40));
        persons.push((
            uuid::Uuid::now_v7().to_string(),
            "mother",
            mother_given.to_string(),
            mother_family.clone(),
            "female",
            Some(parent_birth),
            rng.u8(..3) == 0,
        ));
        if rng.bool() {
            let grandfather = pick(&mut rng, &culture.male).as_str();
            let father_family = if culture.patronymic { grandfather.to_string() } else { family.clone() };
            persons.push((
                uuid::Uuid::now_v7().to_string(),
                "father",
                father_given.to_string(),
                father_family,
                "male",
                Some(parent_birth - Duration::days(rng.i64(0..3000))),
                false,
            ));
        }
        if rng.u8(..3) == 0 {
            let sib_female = rng.bool();
            let sib = pick(&mut rng, if sib_female { &culture.female } else { &culture.male }).as_str();
            persons.push((
                uuid::Uuid::now_v7().to_string(),
                "sibling",
                sib.to_string(),
                family.clone(),
                if sib_female { "female" } else { "male" },
                Some((child_birth + Duration::days(rng.i64(-2000..2000))).min(opened - Duration::days(1))),
                false,
            ));
        }
        let adult = format!("{mother_given} {mother_family}");
        let country_name = Country::parse(partner_country).map(|c| c.name()).unwrap_or(partner_country);
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
                "closed"
            } else {
                "open"
            }
        } else if age_days > 120 {
            if roll < 45 {
                "closed"
            } else if roll < 55 {
                "closure_proposed"
            } else {
                "open"
            }
        } else if roll < 90 {
            "open"
        } else if roll < 95 {
            "closure_proposed"
        } else {
            "closed"
        };
        let outcome = || {
            let o: &[Outcome] = match service {
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
            };
            o
        };
        let closed_on = (status == "closed")
            .then(|| opened + Duration::days(rng.i64(30..age_days.clamp(31, 700))).min(today - opened));
        let closed_on = closed_on.map(|d| d.min(today));
        let final_outcome = (status == "closed").then(|| pick(&mut rng, outcome()).as_str());
        let proposed = (status == "closure_proposed").then(|| pick(&mut rng, outcome()).as_str());

        // Requests to partners.
        let n_requests = match rng.u8(..4) {
            0 => 0,
            1 | 2 => 1,
            _ => 2,
        };
        let mut first_response: Option<NaiveDate> = None;
        let mut case_events = vec![(stamp(opened, &mut rng), "opened", reference.clone())];
        for _ in 0..n_requests {
            request_count += 1;
            let rid = uuid::Uuid::now_v7().to_string();
            let sent = (opened + Duration::days(rng.i64(1..30))).min(today);
            let due = sent + Duration::days(rng.i64(21..90));
            let kind = *pick(&mut rng, kinbridge_domain::request::RequestKind::ALL);
            let rstatus = if status == "closed" || status == "closure_proposed" {
                "closed"
            } else {
                *pick(
                    &mut rng,
                    &[
                        "sent",
                        "acknowledged",
                        "accepted",
                        "in_progress",
                        "in_progress",
                        "answered",
                        "declined",
                        "closed",
                    ],
                )
            };
            let declined = rstatus == "declined" || (rstatus == "closed" && rng.u8(..7) == 0);
            let answered = !declined && ["answered", "closed"].contains(&rstatus);
            let answer_day = (sent + Duration::days(rng.i64(5..80))).min(today);
            if answered {
                first_response = Some(first_response.map_or(answer_day, |d| d.min(answer_day)));
            }
            let partner_worker = pick(&mut rng, &partner_workers).clone();
            let assignee = (!["sent", "acknowledged"].contains(&rstatus)).then(|| partner_worker.clone());
            let msg =
                text::fill(pick_str(&mut rng, text::request_message(note_lang)), &child_name, &adult, country_name);
            let sent_at = stamp(sent, &mut rng);
            let answered_at = answered.then(|| stamp(answer_day, &mut rng));
            let closed_at =
                (rstatus == "closed").then(|| stamp(closed_on.unwrap_or(answer_day).max(answer_day), &mut rng));
            requests.push(vec![
                t(&rid),
                t(&case_id),
                t(&member_id),
                t(&partner_id),
                t(kind.as_str()),
                t(if rstatus == "closed" {
                    "closed"
                } else if declined {
                    "declined"
                } else {
                    rstatus
                }),
                t(format!("{} — {}", kind.as_str().replace('_', " "), child_name)),
                t(due.to_string()),
                opt(assignee),
                if declined { t("No capacity to take this request at present.") } else { V::N },
                t(&sent_at),
                opt((rstatus != "sent").then(|| sent_at.clone())),
                opt(answered_at.clone()),
                opt(closed_at),
                t(&worker),
                t(&sent_at),
            ]);
            messages.push(vec![
                t(uuid::Uuid::now_v7().to_string()),
                t(&rid),
                t(&worker),
                t(&member_id),
                t("request"),
                t(msg),
                t(&sent_at),
            ]);
            if let Some(at) = &answered_at {
                let body = text::fill(pick_str(&mut rng, text::report(note_lang)), &child_name, &adult, country_name);
                messages.push(vec![
                    t(uuid::Uuid::now_v7().to_string()),
                    t(&rid),
                    t(&partner_worker),
                    t(&partner_id),
                    t("report"),
                    t(body),
                    t(at),
                ]);
                case_events.push((at.clone(), "request_answered", format!("{} {}", kind.as_str(), members[pi].code)));
            }
            shared.push(vec![t(&rid), t(&persons[0].0)]);
            case_events.push((sent_at, "request_sent", format!("{} → {}", kind.as_str(), members[pi].code)));
        }

        let mut search = format!("{reference} {title} {summary}");
        for (pid, role, given, fam, sex, birth, est) in &persons {
            search.push_str(&format!(" {given} {fam}"));
            let birth = birth.map(|b| if *est { b.format("%Y").to_string() } else { b.to_string() });
            people.push(vec![
                t(pid),
                t(&case_id),
                t(*role),
                t(given),
                t(fam),
                t(*sex),
                opt(birth),
                V::I(i64::from(*est)),
                t(if *role == "child" || rng.bool() { nationality } else { culture.countries[0] }),
                t(&languages),
                t(stamp(opened, &mut rng)),
            ]);
            case_events.push((stamp(opened, &mut rng), "person_added", format!("{role} {given}")));
            if *role != "child" {
                let kind = match *role {
                    "mother" | "father" => "parent_of",
                    "sibling" => "sibling_of",
                    _ => "relative_of",
                };
                relationships.push(vec![
                    t(uuid::Uuid::now_v7().to_string()),
                    t(&case_id),
                    t(pid),
                    t(&persons[0].0),
                    t(kind),
                    t(stamp(opened, &mut rng)),
                ]);
            }
        }
        let consent = |scope: &str, recorded_at: String| {
            vec![
                t(uuid::Uuid::now_v7().to_string()),
                t(&case_id),
                t(scope),
                t(format!("{adult} (mother)")),
                t(opened.to_string()),
                t(&worker),
                t(recorded_at),
            ]
        };
        for scope in ["data_processing", "share_with_partners"] {
            consents.push(consent(scope, stamp(opened, &mut rng)));
        }
        // Two families in five agree to research use of their de-identified file (decided
        // from the case's number, so that the rest of the demo stays as it was).
        if n % 5 < 2 {
            consents.push(consent("research", format!("{opened}T09:00:00.000Z")));
        }
        if service == ServiceType::FamilyTracing || rng.u8(..3) == 0 {
            consents.push(consent("tracing", stamp(opened, &mut rng)));
        }
        for _ in 0..rng.usize(1..4) {
            let day = (opened + Duration::days(rng.i64(0..age_days.clamp(1, 400)))).min(today);
            let body = text::fill(pick_str(&mut rng, text::note(note_lang)), &child_name, &adult, country_name);
            notes.push(vec![
                t(uuid::Uuid::now_v7().to_string()),
                t(&case_id),
                t(pick(&mut rng, &members[mi].caseworkers)),
                t(body),
                t(stamp(day, &mut rng)),
            ]);
        }
        if let Some(c) = closed_on {
            case_events.push((stamp(c, &mut rng), "closed", final_outcome.unwrap_or("").to_string()));
        }
        for (at, kind, detail) in case_events {
            events.push(vec![t(uuid::Uuid::now_v7().to_string()), t(&case_id), t(at), t(&worker), t(kind), t(detail)]);
        }
        cases_rows.push(vec![
            t(&case_id),
            t(&member_id),
            t(&reference),
            t(service.as_str()),
            t(status),
            t(&title),
            t(&summary),
            t(&views),
            t(&worker),
            t(partner_country),
            t(opened.to_string()),
            opt(first_response.map(|d| d.to_string())),
            opt(closed_on.map(|d| d.to_string())),
            opt(final_outcome.map(str::to_string)),
            opt(proposed.map(str::to_string)),
            t(search.to_lowercase()),
            t(&worker),
            t(&now),
            V::I(1),
        ]);

        if (n + 1) % 1000 == 0 || n + 1 == cases {
            // Parents before children, for the foreign keys.
            for rows in [
                &mut cases_rows,
                &mut people,
                &mut relationships,
                &mut consents,
                &mut notes,
                &mut requests,
                &mut messages,
                &mut shared,
                &mut events,
            ] {
                rows.flush(&mut tx).await?;
            }
            tx.commit().await?;
            tx = store.store().pool().begin().await?;
            progress(n + 1);
        }
    }
    for m in &members {
        sqlx::query("UPDATE members SET next_case_number = $1 WHERE id = $2")
            .bind(m.next_number)
            .bind(&m.id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    // After a bulk load PostgreSQL needs statistics for its planner and a visibility map for
    // index-only counts; autovacuum would get there later. SQLite's planner does better here
    // without statistics, so it is left alone.
    if store.store().backend() == kinbridge_store::Backend::Postgres {
        sqlx::raw_sql("VACUUM ANALYZE").execute(store.store().pool()).await?;
    }
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
    Ok(Summary { members: MEMBERS.len(), users: user_count, cases, requests: request_count, highlights })
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
