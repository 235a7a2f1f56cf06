//! Cases: one family situation handled by one member, its people and their relationships,
//! consent, notes, timeline, and the closing outcome.

use crate::ErrorCode;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::access::{Actor, CaseAccess};
use crate::country::Country;
use crate::error::{invalid, DomainError, FieldError};
use crate::ids::{CaseId, MemberId, PersonId, UserId};
use crate::{text, vocabulary};

vocabulary! {
    ServiceType {
        IntercountryAssistance => "intercountry_assistance",
        FamilyTracing => "family_tracing",
        AdoptionAssistance => "adoption_assistance",
        SearchOfOrigins => "search_of_origins",
        FamilyMediation => "family_mediation",
        ChildProtectionSeparation => "child_protection_separation",
        UnaccompaniedMinors => "unaccompanied_minors",
        AlternativeCare => "alternative_care",
        ReturnAssessment => "return_assessment",
    }
}

vocabulary! {
    /// `transferred`: handed over to another member, who works it now; the sender keeps it to read.
    CaseStatus {
        Open => "open",
        ClosureProposed => "closure_proposed",
        Closed => "closed",
        Transferred => "transferred",
    }
}

vocabulary! {
    /// The coded result of a closed case, counted by the impact indicators.
    Outcome {
        Reunified => "reunified",
        ContactReestablished => "contact_reestablished",
        FamilyBasedCare => "family_based_care",
        Returned => "returned",
        IntegratedLocally => "integrated_locally",
        MediationAgreement => "mediation_agreement",
        OriginsInformation => "origins_information",
        NotFound => "not_found",
        Withdrawn => "withdrawn",
        Transferred => "transferred",
    }
}

vocabulary! {
    PersonRole {
        Child => "child",
        Mother => "mother",
        Father => "father",
        Sibling => "sibling",
        Grandparent => "grandparent",
        Relative => "relative",
        Guardian => "guardian",
        FosterCarer => "foster_carer",
        Inquirer => "inquirer",
        SoughtPerson => "sought_person",
        Other => "other",
    }
}

vocabulary! {
    Sex {
        Female => "female",
        Male => "male",
        Other => "other",
        Unknown => "unknown",
    }
}

vocabulary! {
    RelationshipKind {
        ParentOf => "parent_of",
        SiblingOf => "sibling_of",
        GrandparentOf => "grandparent_of",
        GuardianOf => "guardian_of",
        PartnerOf => "partner_of",
        RelativeOf => "relative_of",
        CarerOf => "carer_of",
    }
}

vocabulary! {
    ConsentScope {
        DataProcessing => "data_processing",
        ShareWithPartners => "share_with_partners",
        Tracing => "tracing",
        Research => "research",
        Statistics => "statistics",
    }
}

vocabulary! {
    AgeBand {
        Age0To4 => "0-4",
        Age5To9 => "5-9",
        Age10To14 => "10-14",
        Age15To17 => "15-17",
        Age18To24 => "18-24",
        Age25To59 => "25-59",
        Age60Plus => "60+",
        Unknown => "unknown",
    }
}

impl AgeBand {
    pub fn from_age(age: Option<u32>) -> Self {
        match age {
            None => Self::Unknown,
            Some(0..=4) => Self::Age0To4,
            Some(5..=9) => Self::Age5To9,
            Some(10..=14) => Self::Age10To14,
            Some(15..=17) => Self::Age15To17,
            Some(18..=24) => Self::Age18To24,
            Some(25..=59) => Self::Age25To59,
            Some(_) => Self::Age60Plus,
        }
    }
}

/// A date of birth as it is known: a full date, a month, a year, or a year estimated from
/// an apparent age ("about 12").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BirthDate {
    pub year: i32,
    pub month: Option<u32>,
    pub day: Option<u32>,
    pub estimated: bool,
}

impl BirthDate {
    /// Parses `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, or an estimated age `~12`/`about 12`
    /// counted back from `today`. Dates in the future or before 1900 are refused.
    pub fn parse(raw: &str, estimated: bool, today: NaiveDate) -> Result<Option<Self>, FieldError> {
        let err = || FieldError::new("birth_date", ErrorCode::InvalidBirthDate);
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        let age = raw
            .strip_prefix('~')
            .or_else(|| raw.strip_prefix("about "))
            .or_else(|| raw.strip_prefix("environ "))
            .or_else(|| raw.strip_prefix("aprox. "));
        if let Some(age) = age {
            let age: i32 = age.trim().parse().map_err(|_| err())?;
            if !(0..=120).contains(&age) {
                return Err(err());
            }
            return Ok(Some(Self { year: today.year() - age, month: None, day: None, estimated: true }));
        }
        let parts: Vec<&str> = raw.split('-').collect();
        let num = |s: &str| s.parse::<u32>().map_err(|_| err());
        let (year, month, day) = match parts.as_slice() {
            [y] if y.len() == 4 => (num(y)? as i32, None, None),
            [y, m] if y.len() == 4 && m.len() == 2 => (num(y)? as i32, Some(num(m)?), None),
            [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => (num(y)? as i32, Some(num(m)?), Some(num(d)?)),
            _ => return Err(err()),
        };
        let first_possible = NaiveDate::from_ymd_opt(year, month.unwrap_or(1), day.unwrap_or(1)).ok_or_else(err)?;
        if year < 1900 || first_possible > today {
            return Err(err());
        }
        Ok(Some(Self { year, month, day, estimated }))
    }

    /// The stored form: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub fn to_storage(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{:02}-{:02}", self.year, m, d),
            (Some(m), None) => format!("{:04}-{:02}", self.year, m),
            _ => format!("{:04}", self.year),
        }
    }

    pub fn from_storage(s: &str, estimated: bool) -> Option<Self> {
        let far_future = NaiveDate::MAX;
        Self::parse(s, estimated, far_future).ok().flatten().map(|mut b| {
            b.estimated = estimated;
            b
        })
    }

    /// Whole years on `on`; a partial date counts from its middle, which errs by at most
    /// half a year.
    pub fn age_on(&self, on: NaiveDate) -> Option<u32> {
        let (m, d) = match (self.month, self.day) {
            (Some(m), Some(d)) => (m, d),
            (Some(m), None) => (m, 15),
            _ => (7, 1),
        };
        let mut age = on.year() - self.year;
        if (on.month(), on.day()) < (m, d) {
            age -= 1;
        }
        u32::try_from(age).ok()
    }
}

impl std::fmt::Display for BirthDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.estimated {
            write!(f, "~")?;
        }
        f.write_str(&self.to_storage())
    }
}

/// A case as a caseworker sees it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Case {
    pub id: CaseId,
    pub member_id: MemberId,
    pub reference: String,
    pub service: ServiceType,
    pub status: CaseStatus,
    pub title: String,
    pub summary: String,
    pub child_views: String,
    pub assignee_id: Option<UserId>,
    pub assignee_name: Option<String>,
    pub partner_country: Option<String>,
    pub opened_on: NaiveDate,
    pub first_response_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub proposed_outcome: Option<Outcome>,
    pub version: i64,
}

/// One person on a case.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Person {
    pub id: PersonId,
    pub case_id: CaseId,
    pub role: PersonRole,
    pub given_names: String,
    pub family_name: String,
    pub sex: Sex,
    pub birth_date: Option<BirthDate>,
    pub nationalities: Vec<String>,
    pub languages: Vec<String>,
    /// Raised by each correction; a correction made on an older copy is refused.
    pub version: i64,
}

impl Person {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_names, self.family_name).trim().to_string()
    }

    pub fn age_band_on(&self, on: NaiveDate) -> AgeBand {
        AgeBand::from_age(self.birth_date.and_then(|b| b.age_on(on)))
    }
}

/// A beneficiary as the impact indicators count them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Beneficiary {
    pub person_id: PersonId,
    pub child: Option<bool>,
    pub sex: Sex,
    pub age_band: AgeBand,
}

/// Every person on a case except the inquirer benefits from it; ages are taken at opening.
pub fn beneficiaries(case: &Case, people: &[Person]) -> Vec<Beneficiary> {
    people
        .iter()
        .filter(|p| p.role != PersonRole::Inquirer)
        .map(|p| {
            let age = p.birth_date.and_then(|b| b.age_on(case.opened_on));
            Beneficiary {
                person_id: p.id.clone(),
                child: age.map(|a| a < 18),
                sex: p.sex,
                age_band: AgeBand::from_age(age),
            }
        })
        .collect()
}

/// Input for a new case, parsed.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub service: ServiceType,
    pub title: String,
    pub summary: String,
    pub child_views: String,
    pub partner_country: Option<Country>,
}

impl NewCase {
    pub fn parse(
        service: &str,
        title: &str,
        summary: &str,
        child_views: &str,
        partner_country: &str,
    ) -> Result<Self, DomainError> {
        let service = ServiceType::parse(service.trim()).ok_or(FieldError::new("service", ErrorCode::InvalidChoice));
        let partner = if partner_country.trim().is_empty() {
            Ok(None)
        } else {
            Country::parse_field("partner_country", partner_country).map(Some)
        };
        match (
            service,
            text::required("title", title, 200),
            text::optional("summary", summary, 20_000),
            text::optional("child_views", child_views, 20_000),
            partner,
        ) {
            (Ok(service), Ok(title), Ok(summary), Ok(child_views), Ok(partner_country)) => {
                Ok(Self { service, title, summary, child_views, partner_country })
            }
            (a, b, c, d, e) => Err(invalid([a.err(), b.err(), c.err(), d.err(), e.err()])),
        }
    }
}

/// Changes to a case's descriptive fields; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct CasePatch {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub child_views: Option<String>,
    pub partner_country: Option<Option<Country>>,
}

impl CasePatch {
    pub fn parse(
        title: Option<&str>,
        summary: Option<&str>,
        child_views: Option<&str>,
        partner_country: Option<&str>,
    ) -> Result<Self, DomainError> {
        let title = title.map(|t| text::required("title", t, 200)).transpose();
        let summary = summary.map(|t| text::optional("summary", t, 20_000)).transpose();
        let views = child_views.map(|t| text::optional("child_views", t, 20_000)).transpose();
        let partner = partner_country
            .map(|c| if c.trim().is_empty() { Ok(None) } else { Country::parse_field("partner_country", c).map(Some) })
            .transpose();
        match (title, summary, views, partner) {
            (Ok(title), Ok(summary), Ok(child_views), Ok(partner_country)) => {
                Ok(Self { title, summary, child_views, partner_country })
            }
            (a, b, c, d) => Err(invalid([a.err(), b.err(), c.err(), d.err()])),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.title.is_none() && self.summary.is_none() && self.child_views.is_none() && self.partner_country.is_none()
    }
}

/// Input for a person on a case, parsed.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub role: PersonRole,
    pub given_names: String,
    pub family_name: String,
    pub sex: Sex,
    pub birth_date: Option<BirthDate>,
    pub nationalities: Vec<Country>,
    pub languages: Vec<String>,
}

impl NewPerson {
    /// A person as recorded on another case (handed over, or shared with a request), to be
    /// recorded again on a new one.
    pub fn copy_of(p: &Person) -> Self {
        Self {
            role: p.role,
            given_names: p.given_names.clone(),
            family_name: p.family_name.clone(),
            sex: p.sex,
            birth_date: p.birth_date,
            nationalities: p.nationalities.iter().filter_map(|c| Country::parse(c)).collect(),
            languages: p.languages.clone(),
        }
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_names, self.family_name).trim().to_string()
    }

    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        role: &str,
        given_names: &str,
        family_name: &str,
        sex: &str,
        birth_date: &str,
        birth_date_estimated: bool,
        nationalities: &str,
        languages: &str,
        today: NaiveDate,
    ) -> Result<Self, DomainError> {
        let role = PersonRole::parse(role.trim()).ok_or(FieldError::new("role", ErrorCode::InvalidChoice));
        let sex = if sex.trim().is_empty() {
            Ok(Sex::Unknown)
        } else {
            Sex::parse(sex.trim()).ok_or(FieldError::new("sex", ErrorCode::InvalidChoice))
        };
        let nats = text::list(nationalities, |c| Country::parse_field("nationalities", c));
        let langs = text::list(languages, |l| text::language("languages", l));
        match (
            role,
            text::required("given_names", given_names, 200),
            text::optional("family_name", family_name, 200),
            sex,
            BirthDate::parse(birth_date, birth_date_estimated, today),
            nats,
            langs,
        ) {
            (Ok(role), Ok(given_names), Ok(family_name), Ok(sex), Ok(birth_date), Ok(nationalities), Ok(languages)) => {
                Ok(Self { role, given_names, family_name, sex, birth_date, nationalities, languages })
            }
            (a, b, c, d, e, f, g) => Err(invalid([a.err(), b.err(), c.err(), d.err(), e.err(), f.err(), g.err()])),
        }
    }
}

/// A consent given for a case, and by whom.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct NewConsent {
    pub scope: ConsentScope,
    pub given_by: String,
    pub given_on: NaiveDate,
}

impl NewConsent {
    pub fn parse(scope: &str, given_by: &str, given_on: &str, today: NaiveDate) -> Result<Self, DomainError> {
        let scope = ConsentScope::parse(scope.trim()).ok_or(FieldError::new("scope", ErrorCode::InvalidChoice));
        let date = text::date("given_on", given_on).and_then(|d| {
            if d > today {
                Err(FieldError::new("given_on", ErrorCode::DateInFuture))
            } else {
                Ok(d)
            }
        });
        match (scope, text::required("given_by", given_by, 200), date) {
            (Ok(scope), Ok(given_by), Ok(given_on)) => Ok(Self { scope, given_by, given_on }),
            (a, b, c) => Err(invalid([a.err(), b.err(), c.err()])),
        }
    }
}

/// A step in a case's life, taken by a caseworker or supervisor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAction {
    /// A caseworker asks a supervisor to close with this outcome.
    ProposeClosure(Outcome),
    ApproveClosure,
    RejectClosure,
    /// A supervisor closes directly.
    Close(Outcome),
    Reopen,
}

impl CaseAction {
    pub fn name(&self) -> &'static str {
        match self {
            Self::ProposeClosure(_) => "propose_closure",
            Self::ApproveClosure => "approve_closure",
            Self::RejectClosure => "reject_closure",
            Self::Close(_) => "close",
            Self::Reopen => "reopen",
        }
    }
}

/// The state a case moves to, or why it cannot. `open_requests` counts the case's requests
/// to partners that are not closed: a case is not closed while a partner still works on it.
pub fn apply_case_action(
    actor: &Actor,
    case: &Case,
    action: CaseAction,
    open_requests: u64,
) -> Result<(CaseStatus, Option<Outcome>), DomainError> {
    actor.require(actor.case_access(&case.member_id) == CaseAccess::Write)?;
    let refuse = || DomainError::InvalidTransition { from: case.status.as_str(), action: action.name() };
    let next = match (case.status, action) {
        (CaseStatus::Open, CaseAction::ProposeClosure(o)) => Ok((CaseStatus::ClosureProposed, Some(o))),
        (CaseStatus::ClosureProposed, CaseAction::ApproveClosure) => {
            actor.require(actor.can_supervise())?;
            Ok((CaseStatus::Closed, case.proposed_outcome))
        }
        (CaseStatus::ClosureProposed, CaseAction::RejectClosure) => {
            actor.require(actor.can_supervise())?;
            Ok((CaseStatus::Open, None))
        }
        (CaseStatus::Open | CaseStatus::ClosureProposed, CaseAction::Close(o)) => {
            actor.require(actor.can_supervise())?;
            Ok((CaseStatus::Closed, Some(o)))
        }
        (CaseStatus::Closed, CaseAction::Reopen) => {
            actor.require(actor.can_supervise())?;
            Ok((CaseStatus::Open, None))
        }
        _ => Err(refuse()),
    }?;
    let closing = matches!(next.0, CaseStatus::Closed | CaseStatus::ClosureProposed);
    if closing && open_requests > 0 {
        return Err(DomainError::field("status", ErrorCode::OpenRequests));
    }
    Ok(next)
}

vocabulary! {
    /// What the timeline of a case records.
    EventKind {
        Opened => "opened",
        DuplicateOverridden => "duplicate_overridden",
        Updated => "updated",
        PersonAdded => "person_added",
        PersonCorrected => "person_corrected",
        PersonRemoved => "person_removed",
        RelationshipAdded => "relationship_added",
        RelationshipRemoved => "relationship_removed",
        ConsentRecorded => "consent_recorded",
        ConsentWithdrawn => "consent_withdrawn",
        TracingRequestOpened => "tracing_request_opened",
        TracingRequestUpdated => "tracing_request_updated",
        MatchShared => "match_shared",
        MatchConfirmed => "match_confirmed",
        MatchRejected => "match_rejected",
        NoteAdded => "note_added",
        DocumentUploaded => "document_uploaded",
        Assigned => "assigned",
        RequestSent => "request_sent",
        RequestUpdated => "request_updated",
        RequestAnswered => "request_answered",
        ClosureProposed => "closure_proposed",
        ClosureRejected => "closure_rejected",
        Closed => "closed",
        Reopened => "reopened",
        AssessmentStarted => "assessment_started",
        AssessmentSubmitted => "assessment_submitted",
        AssessmentSignedOff => "assessment_signed_off",
        AssessmentReturned => "assessment_returned",
        GoalAdded => "goal_added",
        GoalUpdated => "goal_updated",
        TaskAdded => "task_added",
        TaskDone => "task_done",
        PlanReviewed => "plan_reviewed",
        ArchiveLinked => "archive_linked",
        OriginsFound => "origins_found",
        OriginsDisclosed => "origins_disclosed",
        TransferProposed => "transfer_proposed",
        TransferWithdrawn => "transfer_withdrawn",
        TransferDeclined => "transfer_declined",
        TransferredOut => "transferred_out",
        TransferredIn => "transferred_in",
        SummaryExported => "summary_exported",
        OpenedFromRequest => "opened_from_request",
    }
}

vocabulary! {
    /// The vocabulary a coded value on a timeline line belongs to, so the reader sees the word
    /// for it in their language. `Member` values are member codes; `Date` values are dates as
    /// stored (`YYYY-MM-DD`, or a partial date of birth).
    Vocab {
        Service => "service",
        CaseStatus => "case_status",
        Outcome => "outcome",
        PersonRole => "person_role",
        Sex => "sex",
        Relationship => "relationship",
        Consent => "consent",
        RequestKind => "request_kind",
        RequestStatus => "request_status",
        Country => "country",
        Language => "language",
        Member => "member",
        Date => "date",
        GoalStatus => "goal_status",
        TracingStatus => "tracing_status",
        AssessmentKind => "assessment_kind",
        RiskLevel => "risk_level",
        TransferStatus => "transfer_status",
    }
}

/// One piece of what a timeline line says, stored as data rather than sentences so that each
/// reader sees it in their own words: typed text as typed, codes as terms, a change as the
/// field with its value before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Fact {
    /// Text a person typed (a name, a file name, a reference).
    Text { v: String },
    /// A coded value.
    Term { vocab: Vocab, v: String },
    /// A field that changed; values are coded in `vocab`, or typed text when it is `None`.
    /// An empty value is "none".
    Change { field: String, vocab: Option<Vocab>, before: String, after: String },
}

impl Fact {
    pub fn text(v: impl Into<String>) -> Self {
        Self::Text { v: v.into() }
    }

    pub fn term(vocab: Vocab, v: impl std::fmt::Display) -> Self {
        Self::Term { vocab, v: v.to_string() }
    }

    pub fn change(field: &str, vocab: Option<Vocab>, before: impl Into<String>, after: impl Into<String>) -> Self {
        Self::Change { field: field.to_string(), vocab, before: before.into(), after: after.into() }
    }

    /// The fields the changes among `facts` name, comma-separated (for an audit entry).
    pub fn changed_fields(facts: &[Fact]) -> String {
        let names: Vec<&str> = facts
            .iter()
            .filter_map(|f| match f {
                Fact::Change { field, .. } => Some(field.as_str()),
                _ => None,
            })
            .collect();
        names.join(",")
    }

    /// The facts as stored on the timeline.
    pub fn encode(facts: &[Fact]) -> String {
        serde_json::to_string(facts).expect("facts serialise")
    }

    /// Stored facts; `None` when the text is not a list of facts.
    pub fn decode(stored: &str) -> Option<Vec<Fact>> {
        serde_json::from_str(stored).ok()
    }
}

/// The changes between two values of a person, field by field, for the timeline.
pub fn person_changes(before: &Person, after: &NewPerson) -> Vec<Fact> {
    let mut out = Vec::new();
    let mut push = |field: &str, vocab: Option<Vocab>, b: String, a: String| {
        if b != a {
            out.push(Fact::change(field, vocab, b, a));
        }
    };
    push("role", Some(Vocab::PersonRole), before.role.to_string(), after.role.to_string());
    push("given_names", None, before.given_names.clone(), after.given_names.clone());
    push("family_name", None, before.family_name.clone(), after.family_name.clone());
    push("sex", Some(Vocab::Sex), before.sex.to_string(), after.sex.to_string());
    let date = |b: Option<BirthDate>| b.map(|b| b.to_storage()).unwrap_or_default();
    push("birth_date", Some(Vocab::Date), date(before.birth_date), date(after.birth_date));
    let estimated = |b: Option<BirthDate>| if b.is_some_and(|b| b.estimated) { "1" } else { "" };
    if estimated(before.birth_date) != estimated(after.birth_date) && date(before.birth_date) == date(after.birth_date)
    {
        push("estimated", None, estimated(before.birth_date).into(), estimated(after.birth_date).into());
    }
    let nats: Vec<&str> = after.nationalities.iter().map(|c| c.code()).collect();
    push("nationalities", Some(Vocab::Country), before.nationalities.join(","), nats.join(","));
    push("languages", Some(Vocab::Language), before.languages.join(","), after.languages.join(","));
    out
}

vocabulary! {
    /// The orders the case list can be read in.
    CaseSort {
        OpenedDesc => "opened_desc",
        OpenedAsc => "opened_asc",
        Reference => "reference",
        Title => "title",
        Status => "status",
    }
}

// The `vocabulary!` macro declares the enum, so its default is written out here.
#[allow(clippy::derivable_impls)]
impl Default for CaseSort {
    fn default() -> Self {
        Self::OpenedDesc
    }
}

impl CaseFilter {
    /// The same filters in another order.
    pub fn sorted(self, sort: CaseSort) -> Self {
        Self { sort, ..self }
    }
}

/// Filters of the case list. The member scope is not a filter: the store adds it from the actor.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub sort: CaseSort,
    pub status: Option<CaseStatus>,
    pub service: Option<ServiceType>,
    pub country: Option<Country>,
    pub assignee: Option<UserId>,
    pub text: Option<String>,
    pub page: u32,
    pub per_page: u32,
}

impl CaseFilter {
    pub const DEFAULT_PER_PAGE: u32 = 25;
    pub const MAX_PER_PAGE: u32 = 100;

    /// The first filter given a value it cannot have (the API refuses those; the list page
    /// ignores them, so that an old bookmark still opens).
    pub fn unknown_value(
        status: Option<&str>,
        service: Option<&str>,
        country: Option<&str>,
        assignee: Option<&str>,
    ) -> Option<&'static str> {
        let bad =
            |v: Option<&str>, ok: &dyn Fn(&str) -> bool| v.map(str::trim).is_some_and(|v| !v.is_empty() && !ok(v));
        if bad(status, &|v| CaseStatus::parse(v).is_some()) {
            Some("status")
        } else if bad(service, &|v| ServiceType::parse(v).is_some()) {
            Some("service")
        } else if bad(country, &|v| Country::parse(v).is_some()) {
            Some("country")
        } else if bad(assignee, &|v| UserId::parse(v).is_some()) {
            Some("assignee")
        } else {
            None
        }
    }

    /// Lenient by design: an unknown filter value is ignored rather than failing the page.
    pub fn parse(
        status: Option<&str>,
        service: Option<&str>,
        country: Option<&str>,
        assignee: Option<&str>,
        text: Option<&str>,
        page: Option<u32>,
        per_page: Option<u32>,
    ) -> Self {
        fn nonempty(s: Option<&str>) -> Option<&str> {
            s.map(str::trim).filter(|s| !s.is_empty())
        }
        Self {
            sort: CaseSort::default(),
            status: nonempty(status).and_then(CaseStatus::parse),
            service: nonempty(service).and_then(ServiceType::parse),
            country: nonempty(country).and_then(Country::parse),
            assignee: nonempty(assignee).and_then(UserId::parse),
            text: nonempty(text).map(|t| t.chars().take(100).collect()),
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(Self::DEFAULT_PER_PAGE).clamp(1, Self::MAX_PER_PAGE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Role;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn birth_dates() {
        let b = BirthDate::parse("2014-03-09", false, today()).unwrap().unwrap();
        assert_eq!(b.age_on(today()), Some(12));
        let e = BirthDate::parse("~12", false, today()).unwrap().unwrap();
        assert!(e.estimated);
        assert_eq!(e.year, 2014);
        assert_eq!(BirthDate::parse("2014-03", false, today()).unwrap().unwrap().to_storage(), "2014-03");
        assert!(BirthDate::parse("2030-01-01", false, today()).is_err());
        assert!(BirthDate::parse("2014-02-30", false, today()).is_err());
        assert!(BirthDate::parse("14-3-9", false, today()).is_err());
        assert_eq!(BirthDate::parse("", false, today()).unwrap(), None);
    }

    #[test]
    fn storage_round_trip() {
        for s in ["1981", "1981-07", "1981-07-30"] {
            assert_eq!(BirthDate::from_storage(s, true).unwrap().to_storage(), s);
        }
    }

    #[test]
    fn age_bands() {
        assert_eq!(AgeBand::from_age(Some(3)), AgeBand::Age0To4);
        assert_eq!(AgeBand::from_age(Some(17)), AgeBand::Age15To17);
        assert_eq!(AgeBand::from_age(Some(18)), AgeBand::Age18To24);
        assert_eq!(AgeBand::from_age(None), AgeBand::Unknown);
    }

    fn case(status: CaseStatus, member: &MemberId) -> Case {
        Case {
            id: CaseId::generate(),
            member_id: member.clone(),
            reference: "CH-2026-000001".into(),
            service: ServiceType::FamilyTracing,
            status,
            title: "t".into(),
            summary: String::new(),
            child_views: String::new(),
            assignee_id: None,
            assignee_name: None,
            partner_country: None,
            opened_on: today(),
            first_response_on: None,
            closed_on: None,
            outcome: None,
            proposed_outcome: Some(Outcome::Reunified),
            version: 1,
        }
    }

    #[test]
    fn closure_needs_a_supervisor_and_no_open_requests() {
        let m = MemberId::generate();
        let worker =
            Actor { user_id: UserId::generate(), member_id: m.clone(), role: Role::Caseworker, training_hold: false };
        let boss = Actor { role: Role::Supervisor, ..worker.clone() };
        let open = case(CaseStatus::Open, &m);
        let proposed = case(CaseStatus::ClosureProposed, &m);
        assert_eq!(
            apply_case_action(&worker, &open, CaseAction::ProposeClosure(Outcome::Reunified), 0).unwrap().0,
            CaseStatus::ClosureProposed
        );
        assert_eq!(apply_case_action(&worker, &proposed, CaseAction::ApproveClosure, 0), Err(DomainError::Forbidden));
        assert_eq!(
            apply_case_action(&boss, &proposed, CaseAction::ApproveClosure, 0).unwrap(),
            (CaseStatus::Closed, Some(Outcome::Reunified))
        );
        assert!(matches!(
            apply_case_action(&boss, &open, CaseAction::Close(Outcome::NotFound), 2),
            Err(DomainError::Invalid(_))
        ));
        assert!(matches!(
            apply_case_action(&boss, &open, CaseAction::Reopen, 0),
            Err(DomainError::InvalidTransition { .. })
        ));
        let other = Actor { member_id: MemberId::generate(), ..boss };
        assert_eq!(
            apply_case_action(&other, &open, CaseAction::Close(Outcome::NotFound), 0),
            Err(DomainError::Forbidden)
        );
    }

    #[test]
    fn new_case_reports_every_bad_field() {
        let Err(DomainError::Invalid(errs)) = NewCase::parse("nope", "", "", "", "XX") else { panic!() };
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["service", "title", "partner_country"]);
    }
}
