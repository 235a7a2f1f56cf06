//! Case pages: the list with filters, opening a case, and the case page with its people,
//! notes, documents, requests, timeline and closure.

use kinbridge_domain::ErrorCode;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use kinbridge_casework::accounts::User;
use kinbridge_casework::cases::{CaseDetail, CaseSummary, Page};
use kinbridge_casework::documents::Attach;
use kinbridge_casework::{today, KeptCopies};
use kinbridge_domain::assessment::{AssessmentKind, AssessmentStatus, Part, RiskLevel};
use kinbridge_domain::case::{CaseAction, CaseSort, Fact};
use kinbridge_domain::case::{
    CaseFilter, CasePatch, ConsentScope, NewCase, NewConsent, NewPerson, Outcome, PersonRole, RelationshipKind,
    ServiceType, Sex,
};
use kinbridge_domain::member::Member;
use kinbridge_domain::plan::{GoalStatus, NewReview, NewTask};
use kinbridge_domain::request::{NewRequest, RequestKind};
use kinbridge_domain::tracing::TracingStatus;
use kinbridge_domain::{DomainError, FieldError};
use serde::Deserialize;

use super::input::{parse_case_action, TracingBody};
use crate::auth::{CsrfForm, PageUser, Signed};
use crate::error::Problem;
use crate::files::read_upload;
use crate::page::{render, see_other, url_encode, Frame};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list).post(create))
        .route("/cases/new", get(new_form))
        .route("/cases/export.csv", get(export_csv))
        .route("/cases/export.xlsx", get(export_xlsx))
        .route("/cases/reassign", post(reassign))
        .route("/cases/{id}", get(show).post(update))
        .route("/cases/{id}/people", post(add_person))
        .route("/cases/{id}/people/{person_id}", get(person_form).post(correct_person))
        .route("/cases/{id}/people/{person_id}/remove", post(remove_person))
        .route("/cases/{id}/assessments", post(start_assessment))
        .route("/cases/{id}/assessments/{assessment_id}", get(assessment_page).post(assessment_step))
        .route("/cases/{id}/goals", post(add_goal))
        .route("/cases/{id}/goals/{goal_id}/status", post(set_goal_status))
        .route("/cases/{id}/tasks", post(add_task))
        .route("/cases/{id}/tasks/{task_id}/done", post(complete_task))
        .route("/cases/{id}/reviews", post(add_review))
        .route("/tasks", get(my_tasks))
        .route("/cases/{id}/relationships", post(add_relationship))
        .route("/cases/{id}/relationships/{relationship_id}/remove", post(remove_relationship))
        .route("/cases/{id}/consents", post(add_consent))
        .route("/cases/{id}/consents/withdraw", post(withdraw_consent))
        .route("/cases/{id}/notes", post(add_note))
        .route("/cases/{id}/summary", post(export_summary))
        .route("/cases/{id}/documents", post(upload).layer(crate::upload_limit()))
        .route("/cases/{id}/requests", get(request_form).post(send_request))
        .route("/cases/{id}/assignee", post(assign))
        .route("/cases/{id}/actions", post(action))
        .route("/cases/{id}/matches/{match_id}", post(decide_match))
        .route("/cases/{id}/tracing-requests", post(add_tracing_request))
        .route("/cases/{id}/tracing-requests/{tracing_id}/status", post(set_tracing_status))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    status: Option<String>,
    service: Option<String>,
    country: Option<String>,
    assignee: Option<String>,
    q: Option<String>,
    page: Option<u32>,
    sort: Option<String>,
}

impl ListQuery {
    /// The list's filters (lenient, as a bookmark may be old) in the chosen order.
    fn filter(&self, per_page: Option<u32>) -> CaseFilter {
        CaseFilter::parse(
            self.status.as_deref(),
            self.service.as_deref(),
            self.country.as_deref(),
            self.assignee.as_deref(),
            self.q.as_deref(),
            self.page,
            per_page,
        )
        .sorted(self.sort.as_deref().and_then(CaseSort::parse).unwrap_or_default())
    }
}

async fn export(state: &AppState, u: &Signed, mut q: ListQuery, xlsx: bool) -> Result<Response, Problem> {
    if q.assignee.as_deref() == Some("mine") {
        q.assignee = Some(u.user.id.to_string());
    }
    let rows = state.casework.export_cases(&u.caller, &q.filter(None)).await?;
    let (bytes, mime, ext) = if xlsx {
        (super::export::xlsx(&u.tr, &rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
    } else {
        (super::export::csv(&u.tr, &rows), "text/csv; charset=utf-8", "csv")
    };
    let bytes = bytes.map_err(|e| {
        tracing::error!(error = %e, "export failed");
        Problem::Unavailable
    })?;
    let name = format!("cases-{}.{ext}", kinbridge_casework::today());
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, mime.to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

async fn export_csv(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, Problem> {
    export(&state, &u, q, false).await
}

async fn export_xlsx(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, Problem> {
    export(&state, &u, q, true).await
}

#[derive(Deserialize)]
struct ReassignForm {
    #[serde(default)]
    case_ids: Vec<String>,
    #[serde(default)]
    assignee: String,
}

/// A supervisor hands several cases to one colleague at once.
async fn reassign(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(f): CsrfForm<ReassignForm>,
) -> Result<Response, Problem> {
    if f.case_ids.is_empty() || f.case_ids.len() > 500 {
        return Err(DomainError::field("case_ids", ErrorCode::InvalidValue).into());
    }
    let ids: Vec<&str> = f.case_ids.iter().map(String::as_str).collect();
    state.casework.assign_cases(&u.caller, &ids, &f.assignee).await?;
    Ok(see_other("/cases"))
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CaseList {
    t: Frame,
    page: Page<CaseSummary>,
    q: ListQuery,
    services: &'static [ServiceType],
    colleagues: std::sync::Arc<Vec<User>>,
    query_base: String,
    sorts: &'static [CaseSort],
    supervisor: bool,
}

async fn list(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(mut q): Query<ListQuery>,
) -> Result<Response, Problem> {
    if q.assignee.as_deref() == Some("mine") {
        q.assignee = Some(u.user.id.to_string());
    }
    let filter = q.filter(None);
    let page = state.casework.list_cases(&u.caller, &filter).await?;
    let colleagues = state.casework.colleagues(&u.caller.actor.member_id).await?;
    let mut base = String::from("/cases?");
    for (k, v) in [
        ("status", &q.status),
        ("service", &q.service),
        ("country", &q.country),
        ("assignee", &q.assignee),
        ("q", &q.q),
        ("sort", &q.sort),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            base.push_str(&format!("{k}={}&", url_encode(v)));
        }
    }
    Ok(render(
        StatusCode::OK,
        &CaseList {
            t: Frame::for_user(&u),
            page,
            q,
            services: ServiceType::ALL,
            colleagues,
            query_base: base,
            sorts: CaseSort::ALL,
            supervisor: u.caller.actor.can_supervise(),
        },
    ))
}

#[derive(Deserialize, Default)]
struct NewCaseForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    child_views: String,
    #[serde(default)]
    partner_country: String,
    #[serde(default)]
    child_given_names: String,
    #[serde(default)]
    child_family_name: String,
    #[serde(default)]
    child_sex: String,
    #[serde(default)]
    child_birth_date: String,
    child_birth_estimated: Option<String>,
    #[serde(default)]
    child_nationalities: String,
    #[serde(default)]
    child_languages: String,
    #[serde(default)]
    consent_given_by: String,
    #[serde(default)]
    consent_scopes: Vec<String>,
    /// The child as it was when the intake check showed possible records: submitting the same
    /// child again opens the case anyway.
    #[serde(default)]
    checked_child: String,
    /// Why this is a new case although the intake check found possible records.
    #[serde(default)]
    duplicate_reason: String,
    /// The partner's request this case is opened for (the receiving member's own case).
    #[serde(default)]
    from_request: String,
}

impl NewCaseForm {
    fn child_fingerprint(&self) -> String {
        [&self.child_given_names, &self.child_family_name, &self.child_sex, &self.child_birth_date]
            .map(|v| v.trim())
            .join("\u{1f}")
    }
}

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewCasePage {
    t: Frame,
    f: NewCaseForm,
    services: &'static [ServiceType],
    sexes: &'static [Sex],
    scopes: &'static [ConsentScope],
    /// Records that may be this child, shown before the case is opened.
    known: Vec<KnownRow>,
    /// Opened for a partner's request: who asked, what, and the other people it shares.
    request: Option<RequestOrigin>,
}

struct RequestOrigin {
    member: String,
    subject: String,
    others: Vec<String>,
}

#[derive(Deserialize, Default)]
struct NewCaseQuery {
    request: Option<String>,
}

/// The partner's request a new case is opened for, as the form shows it.
fn origin(intake: &kinbridge_casework::requests::RequestIntake) -> RequestOrigin {
    RequestOrigin {
        member: intake.request.from_member_code.clone(),
        subject: intake.request.subject.clone(),
        others: intake.people.iter().filter(|p| p.role != PersonRole::Child).map(|p| p.full_name()).collect(),
    }
}

/// A record found by the intake check.
struct KnownRow {
    /// On the reader's member's case: a link to it; else only who holds it.
    case_id: String,
    reference: String,
    name: String,
    birth: String,
    held_by: String,
    percent: String,
}

fn new_case_page(t: Frame, f: NewCaseForm) -> NewCasePage {
    NewCasePage {
        t,
        f,
        services: ServiceType::ALL,
        sexes: Sex::ALL,
        scopes: ConsentScope::ALL,
        known: Vec::new(),
        request: None,
    }
}

fn known_rows(t: &Frame, found: Vec<kinbridge_casework::matching::KnownPerson>) -> Vec<KnownRow> {
    use kinbridge_casework::matching::OtherSide;
    found
        .into_iter()
        .map(|k| {
            let percent = format!("{:.0} %", k.probability * 100.0);
            match k.other {
                OtherSide::OwnMember { case_id, case_reference, name, birth_date, .. } => KnownRow {
                    case_id: case_id.to_string(),
                    reference: case_reference,
                    name,
                    birth: birth_date.unwrap_or_default(),
                    held_by: String::new(),
                    percent,
                },
                OtherSide::PartnerMember { member_code, member_name }
                | OtherSide::SharedByPartner { member_code, member_name, .. } => KnownRow {
                    case_id: String::new(),
                    reference: String::new(),
                    name: String::new(),
                    birth: String::new(),
                    held_by: t.arg("intake-held-by", "member", &format!("{member_name} ({member_code})")),
                    percent,
                },
            }
        })
        .collect()
}

async fn new_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<NewCaseQuery>,
) -> Result<Response, Problem> {
    // Processing of personal data is the consent every case needs; the others are asked for.
    let mut f =
        NewCaseForm { consent_scopes: vec![ConsentScope::DataProcessing.as_str().to_string()], ..Default::default() };
    let mut request = None;
    if let Some(id) = q.request.as_deref() {
        // The receiving member's own case for a partner's request: what the request says.
        let intake = state.casework.request_intake(&u.caller, id).await?;
        if let Some(ours) = &intake.our_case {
            return Ok(see_other(&format!("/cases/{}", ours.id)));
        }
        f.service = intake.service.as_str().to_string();
        f.title = intake.request.subject.clone();
        f.partner_country = intake.request.from_country.clone();
        if let Some(child) = intake.people.iter().find(|p| p.role == PersonRole::Child) {
            f.child_given_names = child.given_names.clone();
            f.child_family_name = child.family_name.clone();
            f.child_sex = child.sex.as_str().to_string();
            if let Some(b) = &child.birth_date {
                f.child_birth_date = b.to_storage();
                f.child_birth_estimated = b.estimated.then(|| "1".to_string());
            }
            f.child_nationalities = child.nationalities.join(", ");
            f.child_languages = child.languages.join(", ");
        }
        f.from_request = intake.request.id.as_str().to_string();
        request = Some(origin(&intake));
    }
    Ok(render(StatusCode::OK, &NewCasePage { request, ..new_case_page(Frame::for_user(&u), f) }))
}

/// Parses the whole form, reporting every bad field at once.
fn parse_new_case(f: &NewCaseForm) -> Result<(NewCase, Vec<NewPerson>, Vec<NewConsent>), DomainError> {
    let case = NewCase::parse(&f.service, &f.title, &f.summary, &f.child_views, &f.partner_country);
    let child = NewPerson::parse(
        "child",
        &f.child_given_names,
        &f.child_family_name,
        &f.child_sex,
        &f.child_birth_date,
        f.child_birth_estimated.is_some(),
        &f.child_nationalities,
        &f.child_languages,
        today(),
    );
    let consents: Result<Vec<_>, _> = if f.consent_given_by.trim().is_empty() {
        if f.consent_scopes.is_empty() {
            Ok(Vec::new())
        } else {
            Err(DomainError::field("given_by", ErrorCode::Required))
        }
    } else {
        f.consent_scopes
            .iter()
            .map(|s| NewConsent::parse(s, &f.consent_given_by, &today().to_string(), today()))
            .collect()
    };
    match (case, child, consents) {
        (Ok(c), Ok(p), Ok(cs)) => Ok((c, vec![p], cs)),
        (c, p, cs) => {
            let mut fields: Vec<FieldError> = Vec::new();
            for e in [c.err(), p.err(), cs.err()].into_iter().flatten() {
                if let DomainError::Invalid(f) = e {
                    fields.extend(f);
                }
            }
            Err(DomainError::Invalid(fields))
        }
    }
}

async fn create(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(f): CsrfForm<NewCaseForm>,
) -> Result<Response, Problem> {
    let parsed = parse_new_case(&f);
    // The reason counts only for the child the intake check was shown for.
    let checked = f.checked_child == f.child_fingerprint();
    let reason = checked.then_some(f.duplicate_reason.as_str());
    let intake = match f.from_request.as_str() {
        "" => None,
        id => Some(state.casework.request_intake(&u.caller, id).await?),
    };
    let result = match (parsed, &intake) {
        (Ok((case, people, consents)), None) => {
            state.casework.open_case(&u.caller, &case, &people, &consents, reason).await.map_err(Problem::from)
        }
        (Ok((case, mut people, consents)), Some(intake)) => {
            // The request's other people (a mother, a brother) come onto the case as shared.
            people.extend(intake.people.iter().filter(|p| p.role != PersonRole::Child).map(NewPerson::copy_of));
            let request = intake.request.id.as_str();
            state
                .casework
                .open_case_from_request(&u.caller, request, &case, &people, &consents, reason)
                .await
                .map_err(Problem::from)
        }
        (Err(e), _) => Err(Problem::from(e)),
    };
    let request = intake.as_ref().map(origin);
    match result {
        Ok(case) => Ok(see_other(&format!("/cases/{}", case.id))),
        Err(Problem::Casework(kinbridge_casework::Error::PossibleDuplicates(found))) => {
            // Shown once as a question; asked again without a reason, it is an error.
            let p = Problem::Casework(kinbridge_casework::Error::PossibleDuplicates(Vec::new()));
            let t = if checked { Frame::for_user(&u).with_problem(&p) } else { Frame::for_user(&u) };
            let known = known_rows(&t, found);
            let f = NewCaseForm { checked_child: f.child_fingerprint(), ..f };
            let status = if checked { StatusCode::CONFLICT } else { StatusCode::OK };
            Ok(render(status, &NewCasePage { known, request, ..new_case_page(t, f) }))
        }
        Err(p) => {
            let status = p.render(&u.tr).status;
            Ok(render(status, &NewCasePage { request, ..new_case_page(Frame::for_user(&u).with_problem(&p), f) }))
        }
    }
}

/// A case page: the frame around a body kept rendered (see [`CaseBodies`]).
#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    t: Frame,
    title: String,
    body: KeptBody,
}

/// The body of a case page.
#[derive(Template)]
#[template(path = "case_body.html")]
struct CaseBody {
    t: Frame,
    d: CaseDetail,
    colleagues: Arc<Vec<User>>,
    roles: &'static [PersonRole],
    sexes: &'static [Sex],
    outcomes: &'static [Outcome],
    relationship_kinds: &'static [RelationshipKind],
    scopes: &'static [ConsentScope],
    tracing_statuses: &'static [TracingStatus],
    assessment_kinds: &'static [AssessmentKind],
    writable: bool,
    min_due: String,
    matches: Vec<MatchRow>,
}

/// Where a form's CSRF token goes in a kept body. The template writes it unescaped and
/// escapes everything else, so no text of a user can ever contain it.
const CSRF_SLOT: &str = "<kb-csrf-slot>";

/// A rendered body, cut at its CSRF slots, with the token of the reader filled in.
struct KeptBody {
    pieces: Arc<[String]>,
    csrf: String,
}

impl std::fmt::Display for KeptBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                f.write_str(&self.csrf)?;
            }
            f.write_str(piece)?;
        }
        Ok(())
    }
}

/// What a kept body was rendered for; the same again means the same HTML.
#[derive(PartialEq, Eq, Hash, Clone)]
struct BodyKey {
    case_id: String,
    stamp: i64,
    locale: &'static str,
    /// Times on the page are in the reader's zone.
    zone: chrono_tz::Tz,
    writable: bool,
    supervisor: bool,
    today: chrono::NaiveDate,
}

struct KeptEntry {
    /// The row it showed, the staff and the directory it offered: compared, not trusted.
    case: kinbridge_domain::case::Case,
    colleagues: Arc<Vec<User>>,
    members: Arc<Vec<Member>>,
    pieces: Arc<[String]>,
}

/// Case page bodies rendered by this instance, shared by every reader who would see the
/// same HTML (same case version, language, rights and day). The access decision and the
/// audit of each view come first, from the store, every time; only the rendering is kept.
#[derive(Clone)]
pub struct CaseBodies(KeptCopies<BodyKey, KeptEntry>);

impl Default for CaseBodies {
    fn default() -> Self {
        /// The most bodies kept (each is about 20 KB).
        const CAPACITY: usize = 2048;
        Self(KeptCopies::new(CAPACITY))
    }
}

impl CaseBodies {
    fn get(
        &self,
        key: &BodyKey,
        case: &kinbridge_domain::case::Case,
        colleagues: &Arc<Vec<User>>,
        members: &Arc<Vec<Member>>,
    ) -> Option<Arc<[String]>> {
        self.0.get(key, |kept| {
            let current =
                &kept.case == case && Arc::ptr_eq(&kept.colleagues, colleagues) && Arc::ptr_eq(&kept.members, members);
            current.then(|| Arc::clone(&kept.pieces))
        })
    }
}

/// A possible match as the case page shows it.
struct MatchRow {
    id: String,
    person_name: String,
    /// On one of the reader's member's cases (details shown) or held by a partner.
    own: bool,
    other_case_id: String,
    other_reference: String,
    other_name: String,
    other_birth: String,
    held_by: String,
    /// A partner's side shown because they shared it.
    shared_by_them: bool,
    /// Across two members: whether our side has been shared with them.
    across: bool,
    shared_by_us: bool,
    percent: String,
    confirmed: bool,
    fields: Vec<MatchField>,
}

/// One line of the side-by-side review.
struct MatchField {
    label: String,
    here: String,
    there: String,
    agreement: String,
    weight: String,
}

fn match_rows(t: &Frame, found: Vec<kinbridge_casework::matching::MatchView>) -> Vec<MatchRow> {
    use kinbridge_casework::matching::OtherSide;
    found
        .into_iter()
        .map(|m| {
            let fields = m
                .explanation
                .iter()
                .map(|e| {
                    let values = m.side_by_side.iter().find(|v| v.field == e.field);
                    let shown =
                        |v: &str| if e.field == "sex" && !v.is_empty() { t.tr.term("sex", v) } else { v.to_string() };
                    MatchField {
                        label: t.tr.get(&format!("field-{}", e.field)),
                        here: values.map(|v| shown(&v.here)).unwrap_or_default(),
                        there: values.map(|v| shown(&v.there)).unwrap_or_default(),
                        agreement: t.agreement(&e.agreement),
                        weight: format!("{:+.1}", e.weight),
                    }
                })
                .collect();
            let across = !matches!(m.other, OtherSide::OwnMember { .. });
            let shared_by_them = matches!(m.other, OtherSide::SharedByPartner { .. });
            let (own, other_case_id, other_reference, other_name, other_birth, held_by) = match m.other {
                OtherSide::OwnMember { case_id, case_reference, name, birth_date, .. } => {
                    (true, case_id.to_string(), case_reference, name, birth_date.unwrap_or_default(), String::new())
                }
                OtherSide::SharedByPartner { member_code, member_name, name, birth_date } => (
                    false,
                    String::new(),
                    String::new(),
                    name,
                    birth_date.unwrap_or_default(),
                    t.arg("match-shared-by", "member", &format!("{member_name} ({member_code})")),
                ),
                OtherSide::PartnerMember { member_code, member_name } => (
                    false,
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    t.arg("match-held-by", "member", &format!("{member_name} ({member_code})")),
                ),
            };
            MatchRow {
                id: m.id.to_string(),
                person_name: m.person_name,
                own,
                other_case_id,
                other_reference,
                other_name,
                other_birth,
                held_by,
                shared_by_them,
                across,
                shared_by_us: m.shared_by_us,
                percent: format!("{:.0} %", m.probability * 100.0),
                confirmed: m.status == "confirmed",
                fields,
            }
        })
        .collect()
}

impl CaseBody {
    fn person_name(&self, id: &kinbridge_domain::ids::PersonId) -> String {
        self.d.people.iter().find(|p| &p.id == id).map(|p| p.full_name()).unwrap_or_default()
    }

    /// Whether the case has consent to tracing in force: without it, nobody on the case is
    /// compared with other records.
    fn tracing_consent(&self) -> bool {
        self.d.consents.iter().any(|c| c.scope == ConsentScope::Tracing.as_str() && c.withdrawn_on.is_none())
    }
}

/// Renders the case page, with the problem of a failed form if there is one.
async fn case_page(state: &AppState, u: &Signed, id: &str, problem: Option<Problem>) -> Result<Response, Problem> {
    let read = state.casework.read_case(&u.caller, id).await?;
    let member_id = &read.case().member_id;
    // A case handed over to another member is kept here to read only.
    let writable = u.caller.actor.case_access(member_id) == kinbridge_domain::access::CaseAccess::Write
        && read.case().status != kinbridge_domain::case::CaseStatus::Transferred;
    let colleagues = state.casework.colleagues(member_id).await?;
    let members = state.casework.members().await?;
    let today = today();
    let key = BodyKey {
        case_id: read.case().id.as_str().to_string(),
        stamp: read.stamp(),
        locale: u.tr.locale,
        zone: u.tr.zone,
        writable,
        supervisor: u.caller.actor.role == kinbridge_domain::Role::Supervisor,
        today,
    };
    let title = read.case().reference.clone();
    let (t, status) = Frame::answering(u, problem.as_ref());
    // A page with a form's errors is written for this reader alone.
    let shared = problem.is_none();
    let kept = if shared { state.case_bodies.get(&key, read.case(), &colleagues, &members) } else { None };
    let pieces = match kept {
        Some(pieces) => pieces,
        None => {
            let mut d = state.casework.case_detail_of(read).await?;
            let bt = Frame { csrf: CSRF_SLOT.to_string(), notice: None, ..t.clone() };
            let matches = match_rows(&bt, std::mem::take(&mut d.matches));
            let case = d.case.clone();
            let body = CaseBody {
                matches,
                t: bt,
                d,
                colleagues: Arc::clone(&colleagues),
                roles: PersonRole::ALL,
                sexes: Sex::ALL,
                outcomes: Outcome::ALL,
                relationship_kinds: RelationshipKind::ALL,
                scopes: ConsentScope::ALL,
                tracing_statuses: TracingStatus::ALL,
                assessment_kinds: AssessmentKind::ALL,
                writable,
                min_due: today.to_string(),
            };
            let mut html = String::with_capacity(32 * 1024);
            if let Err(e) = body.render_into(&mut html) {
                tracing::error!(error = %e, "template failed");
                return Ok((StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response());
            }
            let pieces: Arc<[String]> = html.split(CSRF_SLOT).map(str::to_string).collect();
            if shared {
                state.case_bodies.0.put(key, KeptEntry { case, colleagues, members, pieces: Arc::clone(&pieces) });
            }
            pieces
        }
    };
    let csrf = t.csrf.clone();
    let page = CasePage { t, title, body: KeptBody { pieces, csrf } };
    Ok(render(status, &page))
}

async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    case_page(&state, &u, &id, None).await
}

/// After a form: back to the case on success, or the case page with the errors.
async fn after<T>(
    state: &AppState,
    u: &Signed,
    id: &str,
    anchor: &str,
    r: Result<T, Problem>,
) -> Result<Response, Problem> {
    match r {
        Ok(_) => Ok(see_other(&format!("/cases/{}#{anchor}", url_encode(id)))),
        Err(p @ Problem::Casework(kinbridge_casework::Error::Domain(DomainError::NotFound))) => Err(p),
        Err(p) => case_page(state, u, id, Some(p)).await,
    }
}

#[derive(Deserialize)]
struct UpdateForm {
    title: Option<String>,
    summary: Option<String>,
    child_views: Option<String>,
    partner_country: Option<String>,
    /// The version the form was rendered from: a save over someone else's change is refused.
    version: Option<i64>,
}

async fn update(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<UpdateForm>,
) -> Result<Response, Problem> {
    let r = match CasePatch::parse(
        f.title.as_deref(),
        f.summary.as_deref(),
        f.child_views.as_deref(),
        f.partner_country.as_deref(),
    ) {
        Ok(p) => state.casework.update_case(&u.caller, &id, &p, f.version).await.map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    after(&state, &u, &id, "summary", r).await
}

#[derive(Deserialize, Default)]
struct PersonForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    given_names: String,
    #[serde(default)]
    family_name: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    birth_date: String,
    estimated: Option<String>,
    #[serde(default)]
    nationalities: String,
    #[serde(default)]
    languages: String,
    /// On a correction: the version of the person the form was rendered from.
    version: Option<i64>,
}

impl PersonForm {
    fn parse(&self) -> Result<NewPerson, DomainError> {
        NewPerson::parse(
            &self.role,
            &self.given_names,
            &self.family_name,
            &self.sex,
            &self.birth_date,
            self.estimated.is_some(),
            &self.nationalities,
            &self.languages,
            today(),
        )
    }
}

async fn add_person(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<PersonForm>,
) -> Result<Response, Problem> {
    let r = match f.parse() {
        Ok(p) => state.casework.add_person(&u.caller, &id, &p).await.map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    after(&state, &u, &id, "people", r).await
}

/// The correction form of one person.
#[derive(Template)]
#[template(path = "person_edit.html")]
struct PersonPage {
    t: Frame,
    case_id: String,
    person_id: String,
    version: i64,
    f: PersonForm,
    roles: &'static [PersonRole],
    sexes: &'static [Sex],
}

fn person_page(t: Frame, case_id: &str, person_id: &str, version: i64, f: PersonForm) -> PersonPage {
    PersonPage {
        t,
        case_id: case_id.to_string(),
        person_id: person_id.to_string(),
        version,
        f,
        roles: PersonRole::ALL,
        sexes: Sex::ALL,
    }
}

async fn person_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, person_id)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let people = state.casework.people(&u.caller, &id).await?;
    let p = people.into_iter().find(|p| p.id == person_id.as_str()).ok_or(DomainError::NotFound)?;
    let f = PersonForm {
        role: p.role.as_str().to_string(),
        given_names: p.given_names.clone(),
        family_name: p.family_name.clone(),
        sex: p.sex.as_str().to_string(),
        birth_date: p.birth_date.map(|b| b.to_storage()).unwrap_or_default(),
        estimated: p.birth_date.filter(|b| b.estimated).map(|_| "1".to_string()),
        nationalities: p.nationalities.join(", "),
        languages: p.languages.join(", "),
        version: Some(p.version),
    };
    Ok(render(StatusCode::OK, &person_page(Frame::for_user(&u), &id, &person_id, p.version, f)))
}

async fn correct_person(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, person_id)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<PersonForm>,
) -> Result<Response, Problem> {
    let r = match f.parse() {
        Ok(p) => state.casework.correct_person(&u.caller, &id, &person_id, &p, f.version).await.map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    match r {
        Ok(_) => Ok(see_other(&format!("/cases/{}#people", url_encode(&id)))),
        Err(p @ Problem::Casework(kinbridge_casework::Error::Domain(DomainError::NotFound))) => Err(p),
        Err(p) => {
            let status = p.render(&u.tr).status;
            let version = f.version.unwrap_or_default();
            Ok(render(status, &person_page(Frame::for_user(&u).with_problem(&p), &id, &person_id, version, f)))
        }
    }
}

async fn remove_person(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, person_id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, Problem> {
    let r = state.casework.remove_person(&u.caller, &id, &person_id).await.map_err(Problem::from);
    after(&state, &u, &id, "people", r).await
}

async fn remove_relationship(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, relationship_id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, Problem> {
    let r = state.casework.remove_relationship(&u.caller, &id, &relationship_id).await.map_err(Problem::from);
    after(&state, &u, &id, "people", r).await
}

#[derive(Deserialize)]
struct StartAssessmentForm {
    #[serde(default)]
    kind: String,
}

async fn start_assessment(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<StartAssessmentForm>,
) -> Result<Response, Problem> {
    let kind = AssessmentKind::parse(&f.kind).ok_or(DomainError::field("kind", ErrorCode::InvalidChoice));
    let r = match kind {
        Ok(k) => {
            state.casework.start_assessment(&u.caller, &id, k, &Default::default(), None).await.map_err(Problem::from)
        }
        Err(e) => Err(e.into()),
    };
    match r {
        Ok(a) => Ok(see_other(&format!("/cases/{}/assessments/{}", url_encode(&id), url_encode(&a.id)))),
        Err(p) => after(&state, &u, &id, "assessments", Err::<(), _>(p)).await,
    }
}

/// One assessment: its form to write (a draft), or to sign off or send back (submitted).
#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage {
    t: Frame,
    case_id: String,
    case_reference: String,
    a: kinbridge_casework::assessments::Assessment,
    parts: &'static [Part],
    /// What the form shows in each part (the answers, or what was just typed).
    values: std::collections::BTreeMap<String, String>,
    risk: String,
    risks: &'static [RiskLevel],
    supervisor: bool,
    mine: bool,
}

impl AssessmentPage {
    fn value(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }
    fn draft(&self) -> bool {
        self.a.status == AssessmentStatus::Draft
    }
    fn submitted(&self) -> bool {
        self.a.status == AssessmentStatus::Submitted
    }
    fn with_risk(&self) -> bool {
        self.a.kind == AssessmentKind::BestInterestsAssessment
    }
}

async fn assessment_view(
    state: &AppState,
    u: &Signed,
    id: &str,
    aid: &str,
    typed: Option<(std::collections::BTreeMap<String, String>, String)>,
    problem: Option<Problem>,
) -> Result<Response, Problem> {
    let detail = state.casework.case_detail(&u.caller, id).await?;
    let a = detail.assessments.iter().find(|a| a.id == aid).cloned().ok_or(DomainError::NotFound)?;
    let (values, risk) = typed.unwrap_or_else(|| {
        (a.answers.parts.clone(), a.answers.risk.map(|r| r.as_str().to_string()).unwrap_or_default())
    });
    let (t, status) = Frame::answering(u, problem.as_ref());
    let page = AssessmentPage {
        t,
        case_id: id.to_string(),
        case_reference: detail.case.reference.clone(),
        parts: kinbridge_domain::assessment::form(a.kind).1,
        mine: a.author_id == u.user.id,
        a,
        values,
        risk,
        risks: RiskLevel::ALL,
        supervisor: u.caller.actor.can_supervise(),
    };
    Ok(render(status, &page))
}

async fn assessment_page(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, aid)): Path<(String, String)>,
) -> Result<Response, Problem> {
    assessment_view(&state, &u, &id, &aid, None, None).await
}

/// The assessment form: its parts as `part_<key>`, the risk, the version, and which step.
async fn assessment_step(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, aid)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<std::collections::BTreeMap<String, String>>,
) -> Result<Response, Problem> {
    let parts: std::collections::BTreeMap<String, String> =
        f.iter().filter_map(|(k, v)| k.strip_prefix("part_").map(|k| (k.to_string(), v.clone()))).collect();
    let risk = f.get("risk").cloned().unwrap_or_default();
    let version = f.get("version").and_then(|v| v.parse().ok());
    let cw = &state.casework;
    let r = match f.get("step").map(String::as_str).unwrap_or("save") {
        "save" => cw.save_assessment(&u.caller, &id, &aid, &parts, Some(&risk), version).await,
        "submit" => match cw.save_assessment(&u.caller, &id, &aid, &parts, Some(&risk), version).await {
            Ok(_) => cw.submit_assessment(&u.caller, &id, &aid).await,
            Err(e) => Err(e),
        },
        "sign_off" => cw.sign_off_assessment(&u.caller, &id, &aid).await,
        "return" => cw.return_assessment(&u.caller, &id, &aid, f.get("reason").map(String::as_str).unwrap_or("")).await,
        _ => Err(DomainError::field("step", ErrorCode::InvalidChoice).into()),
    };
    match r {
        Ok(_) => Ok(see_other(&format!("/cases/{}/assessments/{}", url_encode(&id), url_encode(&aid)))),
        Err(kinbridge_casework::Error::Domain(DomainError::NotFound)) => Err(DomainError::NotFound.into()),
        Err(e) => assessment_view(&state, &u, &id, &aid, Some((parts, risk)), Some(e.into())).await,
    }
}

#[derive(Deserialize)]
struct GoalForm {
    #[serde(default)]
    text: String,
}

async fn add_goal(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<GoalForm>,
) -> Result<Response, Problem> {
    let r = state.casework.add_goal(&u.caller, &id, &f.text).await.map_err(Problem::from);
    after(&state, &u, &id, "plan", r).await
}

#[derive(Deserialize)]
struct GoalStatusForm {
    #[serde(default)]
    status: String,
}

async fn set_goal_status(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, goal_id)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<GoalStatusForm>,
) -> Result<Response, Problem> {
    let r = match GoalStatus::parse(&f.status) {
        Some(s) => state.casework.set_goal_status(&u.caller, &id, &goal_id, s).await.map_err(Problem::from),
        None => Err(DomainError::field("status", ErrorCode::InvalidChoice).into()),
    };
    after(&state, &u, &id, "plan", r).await
}

#[derive(Deserialize)]
struct TaskForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    goal_id: String,
}

async fn add_task(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<TaskForm>,
) -> Result<Response, Problem> {
    let r = match NewTask::parse(&f.title, &f.owner, &f.due_on, &f.goal_id, today()) {
        Ok(t) => state.casework.add_task(&u.caller, &id, &t).await.map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    after(&state, &u, &id, "plan", r).await
}

async fn complete_task(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, task_id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, Problem> {
    let r = state.casework.complete_task(&u.caller, &id, &task_id).await.map_err(Problem::from);
    after(&state, &u, &id, "plan", r).await
}

#[derive(Deserialize)]
struct ReviewForm {
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    next_review_on: String,
}

async fn add_review(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ReviewForm>,
) -> Result<Response, Problem> {
    let r = match NewReview::parse(&f.held_on, &f.summary, &f.next_review_on, today()) {
        Ok(v) => state.casework.add_review(&u.caller, &id, &v).await.map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    after(&state, &u, &id, "plan", r).await
}

/// A caseworker's open tasks across their member's cases.
#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    t: Frame,
    tasks: Vec<kinbridge_domain::plan::Task>,
}

async fn my_tasks(State(state): State<AppState>, PageUser(u): PageUser) -> Result<Response, Problem> {
    let tasks = state.casework.my_tasks(&u.caller).await?;
    Ok(render(StatusCode::OK, &TasksPage { t: Frame::for_user(&u), tasks }))
}

/// A form with nothing but its CSRF token.
#[derive(Deserialize)]
struct Empty {}

#[derive(Deserialize)]
struct RelationshipForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    kind: String,
}

async fn add_relationship(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<RelationshipForm>,
) -> Result<Response, Problem> {
    let r = match RelationshipKind::parse(&f.kind) {
        Some(kind) => {
            state.casework.add_relationship(&u.caller, &id, &f.from, &f.to, kind).await.map_err(Problem::from)
        }
        None => Err(DomainError::field("kind", ErrorCode::InvalidChoice).into()),
    };
    after(&state, &u, &id, "people", r).await
}

#[derive(Deserialize)]
struct ConsentForm {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    given_by: String,
    #[serde(default)]
    given_on: String,
}

async fn add_consent(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ConsentForm>,
) -> Result<Response, Problem> {
    let r = match NewConsent::parse(&f.scope, &f.given_by, &f.given_on, today()) {
        Ok(c) => state.casework.add_consent(&u.caller, &id, &c).await.map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    after(&state, &u, &id, "consent", r).await
}

async fn add_tracing_request(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<TracingBody>,
) -> Result<Response, Problem> {
    let r = match f.parse() {
        Ok(t) => state.casework.add_tracing_request(&u.caller, &id, &t).await.map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    after(&state, &u, &id, "tracing", r).await
}

#[derive(Deserialize)]
struct TracingStatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
}

async fn set_tracing_status(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, tracing_id)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<TracingStatusForm>,
) -> Result<Response, Problem> {
    let r = match TracingStatus::parse(&f.status) {
        Some(s) => {
            state.casework.set_tracing_status(&u.caller, &id, &tracing_id, s, &f.note).await.map_err(Problem::from)
        }
        None => Err(DomainError::field("status", ErrorCode::InvalidChoice).into()),
    };
    after(&state, &u, &id, "tracing", r).await
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    decision: String,
}

async fn decide_match(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, match_id)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<DecisionForm>,
) -> Result<Response, Problem> {
    let r = match f.decision.as_str() {
        "confirm" | "reject" => {
            state.casework.decide_match(&u.caller, &match_id, f.decision == "confirm").await.map_err(Problem::from)
        }
        "share" => state.casework.share_match(&u.caller, &match_id).await.map_err(Problem::from),
        _ => Err(DomainError::field("decision", ErrorCode::InvalidChoice).into()),
    };
    after(&state, &u, &id, "matches", r).await
}

#[derive(Deserialize)]
struct WithdrawForm {
    #[serde(default)]
    scope: String,
}

async fn withdraw_consent(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<WithdrawForm>,
) -> Result<Response, Problem> {
    let r = match ConsentScope::parse(&f.scope) {
        Some(scope) => state.casework.withdraw_consent(&u.caller, &id, scope).await.map_err(Problem::from),
        None => Err(DomainError::field("scope", ErrorCode::InvalidChoice).into()),
    };
    after(&state, &u, &id, "consent", r).await
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    body: String,
}

#[derive(Deserialize)]
struct SummaryForm {
    language: String,
    #[serde(default)]
    notes: Option<String>,
}

/// The case summary as PDF, in the language chosen on the case page.
async fn export_summary(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<SummaryForm>,
) -> Result<Response, Problem> {
    super::summary::export(&state, &u, &id, &f.language, f.notes.is_some()).await
}

async fn add_note(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<NoteForm>,
) -> Result<Response, Problem> {
    let r = state.casework.add_note(&u.caller, &id, &f.body).await.map_err(Problem::from);
    after(&state, &u, &id, "notes", r).await
}

async fn upload(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, Problem> {
    let r = match read_upload(multipart, Some(&u.csrf)).await {
        Ok((name, bytes)) => {
            state.casework.upload_document(&u.caller, Attach::Case(&id), &name, bytes).await.map_err(Problem::from)
        }
        Err(p) => Err(p),
    };
    after(&state, &u, &id, "documents", r).await
}

#[derive(Deserialize)]
struct RequestForm {
    #[serde(default)]
    to_member: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    share_people: Vec<String>,
    #[serde(default)]
    share_documents: Vec<String>,
}

/// The form to send a request to a partner, on a page of its own: the case page links to it,
/// so that every view of a case does not carry the network's member list.
#[derive(Template)]
#[template(path = "request_new.html")]
struct RequestFormPage {
    t: Frame,
    d: CaseDetail,
    members: Arc<Vec<Member>>,
    request_kinds: &'static [RequestKind],
    min_due: String,
}

async fn request_page(state: &AppState, u: &Signed, id: &str, problem: Option<Problem>) -> Result<Response, Problem> {
    let d = state.casework.case_detail(&u.caller, id).await?;
    let members = state.casework.members().await?;
    let (t, status) = Frame::answering(u, problem.as_ref());
    let page = RequestFormPage { t, d, members, request_kinds: RequestKind::ALL, min_due: today().to_string() };
    Ok(render(status, &page))
}

async fn request_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    request_page(&state, &u, &id, None).await
}

async fn send_request(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<RequestForm>,
) -> Result<Response, Problem> {
    let sent = match NewRequest::parse(&f.to_member, &f.kind, &f.subject, &f.message, &f.due_on, today()) {
        Ok(new) => state.casework.send_request(&u.caller, &id, &new, &f.share_people, &f.share_documents).await,
        Err(e) => Err(e.into()),
    };
    match sent {
        Ok(r) => Ok(see_other(&format!("/requests/{}", r.id))),
        // The form comes back with what was wrong; a case the caller may not see stays a 404.
        Err(e) => match Problem::from(e) {
            p @ Problem::Casework(kinbridge_casework::Error::Domain(DomainError::NotFound)) => Err(p),
            p => request_page(&state, &u, &id, Some(p)).await,
        },
    }
}

async fn assign(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<crate::page::AssignForm>,
) -> Result<Response, Problem> {
    let r = state.casework.assign_case(&u.caller, &id, &f.assignee).await.map_err(Problem::from);
    after(&state, &u, &id, "summary", r).await
}

#[derive(Deserialize)]
struct ActionForm {
    #[serde(default)]
    action: String,
    outcome: Option<String>,
    /// Why a proposed closure is sent back.
    reason: Option<String>,
}

async fn action(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ActionForm>,
) -> Result<Response, Problem> {
    let r = match parse_case_action(&f.action, f.outcome.as_deref()) {
        Ok(CaseAction::RejectClosure) => state
            .casework
            .send_back_closure(&u.caller, &id, f.reason.as_deref().unwrap_or(""))
            .await
            .map_err(Problem::from),
        Ok(a) => state.casework.case_action(&u.caller, &id, a).await.map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    after(&state, &u, &id, "summary", r).await
}
