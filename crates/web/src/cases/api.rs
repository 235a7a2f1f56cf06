//! Cases through the API: list, open, read, change, close; people, notes, documents.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use kinbridge_casework::documents::Attach;
use kinbridge_casework::today;
use kinbridge_domain::case::{
    CaseAction, CaseFilter, CasePatch, CaseSort, ConsentScope, NewCase, NewConsent, NewPerson, RelationshipKind,
};
use kinbridge_domain::plan::{GoalStatus, NewReview, NewTask};
use kinbridge_domain::request::NewRequest;
use kinbridge_domain::ErrorCode;
use kinbridge_domain::{DomainError, FieldError};
use serde::Deserialize;

use super::input::{parse_case_action, TracingBody};
use crate::api::{ApiJson, ApiMultipart, ApiQuery, ApiResult, AssigneeBody, BodyText, Created};
use crate::auth::ApiUser;
use crate::error::Problem;
use crate::files::read_upload_api;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list).post(create))
        .route("/cases/export", get(export))
        .route("/cases/reassign", post(reassign))
        .route("/cases/{id}", get(show).patch(update))
        .route("/cases/{id}/actions", post(action))
        .route("/cases/{id}/assignee", post(assign))
        .route("/cases/{id}/people", get(people).post(add_person))
        .route("/cases/{id}/people/{person_id}", put(correct_person).delete(remove_person))
        .route("/cases/{id}/assessments", post(start_assessment))
        .route("/cases/{id}/assessments/{assessment_id}", put(save_assessment))
        .route("/cases/{id}/assessments/{assessment_id}/submit", post(submit_assessment))
        .route("/cases/{id}/assessments/{assessment_id}/sign-off", post(sign_off_assessment))
        .route("/cases/{id}/assessments/{assessment_id}/return", post(return_assessment))
        .route("/cases/{id}/goals", post(add_goal))
        .route("/cases/{id}/goals/{goal_id}/status", post(set_goal_status))
        .route("/cases/{id}/tasks", post(add_task))
        .route("/cases/{id}/tasks/{task_id}/done", post(complete_task))
        .route("/cases/{id}/reviews", post(add_review))
        .route("/tasks", get(my_tasks))
        .route("/cases/{id}/relationships", post(add_relationship))
        .route("/cases/{id}/relationships/{relationship_id}", delete(remove_relationship))
        .route("/cases/{id}/consents", post(add_consent))
        .route("/cases/{id}/consents/{scope}/withdrawal", post(withdraw_consent))
        .route("/cases/{id}/notes", get(notes).post(add_note))
        .route("/requests/{id}/case", post(create_for_request))
        .route("/cases/{id}/summary.pdf", get(summary))
        .route("/cases/{id}/documents", get(documents).post(upload).layer(crate::upload_limit()))
        .route("/cases/{id}/requests", post(send_request))
        .route("/cases/{id}/matches", get(matches))
        .route("/cases/{id}/tracing-requests", get(tracing_requests).post(add_tracing_request))
        .route("/cases/{id}/tracing-requests/{tracing_id}/status", post(set_tracing_status))
        .route("/matches/{id}/decision", post(decide_match))
        .route("/matches/{id}/share", post(share_match))
        .route("/matches/shared-with-us", get(shared_with_us))
        .route("/people/possible-duplicates", post(possible_duplicates))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SummaryQuery {
    language: Option<String>,
    #[serde(default)]
    notes: bool,
}

/// The case summary as PDF (`language`: en, fr, es or ar; the caller's when absent), its
/// export recorded on the timeline and in the audit log.
async fn summary(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<SummaryQuery>,
) -> ApiResult<Response> {
    let language = q.language.unwrap_or_else(|| u.tr.locale.to_string());
    super::summary::export(&state, &u, &id, &language, q.notes).await
}

async fn tracing_requests(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let found = state.casework.tracing_requests(&u.caller, &id).await?;
    Ok(Json(found).into_response())
}

async fn add_tracing_request(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TracingBody>,
) -> ApiResult<Response> {
    let t = b.parse()?;
    let created = state.casework.add_tracing_request(&u.caller, &id, &t).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Possible matches of the people on a case, found in the background.
async fn matches(State(state): State<AppState>, ApiUser(u): ApiUser, Path(id): Path<String>) -> ApiResult<Response> {
    let found = state.casework.matches_for_case(&u.caller, &id).await?;
    Ok(Json(found).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecisionBody {
    decision: String,
}

async fn decide_match(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DecisionBody>,
) -> ApiResult<StatusCode> {
    let confirm = match b.decision.as_str() {
        "confirm" => true,
        "reject" => false,
        _ => return Err(DomainError::field("decision", ErrorCode::InvalidChoice).into()),
    };
    state.casework.decide_match(&u.caller, &id, confirm).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Shares the caller's side of a possible match with the partner member holding the other.
async fn share_match(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.casework.share_match(&u.caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Possible matches partners have shared with the caller's member, waiting for its answer.
async fn shared_with_us(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Response> {
    let found = state.casework.matches_shared_with_us(&u.caller).await?;
    Ok(Json(found).into_response())
}

/// Intake check: people already known who may be this person. Saves nothing.
async fn possible_duplicates(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(b): ApiJson<PersonBody>,
) -> ApiResult<Response> {
    let person = b.parse()?;
    let found = state.casework.possible_duplicates(&u.caller, &person).await?;
    Ok(Json(found).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
pub(crate) struct ListQuery {
    status: Option<String>,
    service: Option<String>,
    country: Option<String>,
    assignee: Option<String>,
    q: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
    sort: Option<String>,
    /// For the export: `csv` (the default) or `xlsx`.
    format: Option<String>,
}

impl ListQuery {
    /// The filters, refusing a value a filter cannot have (400, with the parameter named).
    fn filter(&self) -> ApiResult<CaseFilter> {
        let (status, service, country, assignee) =
            (self.status.as_deref(), self.service.as_deref(), self.country.as_deref(), self.assignee.as_deref());
        if let Some(name) = CaseFilter::unknown_value(status, service, country, assignee) {
            return Err(Problem::BadQuery(name.to_string()));
        }
        let sort = match self.sort.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => CaseSort::default(),
            Some(s) => CaseSort::parse(s).ok_or_else(|| Problem::BadQuery("sort".into()))?,
        };
        Ok(CaseFilter::parse(status, service, country, assignee, self.q.as_deref(), self.page, self.per_page)
            .sorted(sort))
    }
}

async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Response> {
    let page = state.casework.list_cases(&u.caller, &q.filter()?).await?;
    Ok(Json(page).into_response())
}

/// The whole filtered list as a spreadsheet (`format=csv` or `xlsx`), in the caller's words.
async fn export(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Response> {
    let xlsx = match q.format.as_deref().unwrap_or("csv") {
        "csv" => false,
        "xlsx" => true,
        _ => return Err(Problem::BadQuery("format".into())),
    };
    let rows = state.casework.export_cases(&u.caller, &q.filter()?).await?;
    let (bytes, mime) = if xlsx {
        (super::export::xlsx(&u.tr, &rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    } else {
        (super::export::csv(&u.tr, &rows), "text/csv; charset=utf-8")
    };
    let bytes = bytes.map_err(|e| {
        tracing::error!(error = %e, "export failed");
        Problem::Unavailable
    })?;
    Ok(([(axum::http::header::CONTENT_TYPE, mime)], bytes).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReassignBody {
    case_ids: Vec<String>,
    assignee: String,
}

/// A supervisor hands several cases (at most 500) to one colleague at once.
async fn reassign(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(b): ApiJson<ReassignBody>,
) -> ApiResult<Response> {
    if b.case_ids.is_empty() || b.case_ids.len() > 500 {
        return Err(DomainError::field("case_ids", ErrorCode::InvalidValue).into());
    }
    let ids: Vec<&str> = b.case_ids.iter().map(String::as_str).collect();
    Ok(Json(state.casework.assign_cases(&u.caller, &ids, &b.assignee).await?).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PersonBody {
    role: String,
    given_names: String,
    #[serde(default)]
    family_name: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    birth_date_estimated: bool,
    #[serde(default)]
    nationalities: Vec<String>,
    #[serde(default)]
    languages: Vec<String>,
    /// For a correction: the version of the person it was made on.
    #[serde(default)]
    version: Option<i64>,
}

impl PersonBody {
    fn parse(&self) -> Result<NewPerson, DomainError> {
        NewPerson::parse(
            &self.role,
            &self.given_names,
            &self.family_name,
            &self.sex,
            &self.birth_date,
            self.birth_date_estimated,
            &self.nationalities.join(","),
            &self.languages.join(","),
            today(),
        )
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConsentBody {
    scope: String,
    given_by: String,
    given_on: String,
}

impl ConsentBody {
    fn parse(&self) -> Result<NewConsent, DomainError> {
        NewConsent::parse(&self.scope, &self.given_by, &self.given_on, today())
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewCaseBody {
    service: String,
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    child_views: String,
    #[serde(default)]
    partner_country: String,
    #[serde(default)]
    people: Vec<PersonBody>,
    #[serde(default)]
    consents: Vec<ConsentBody>,
    /// Why this is a new case although the intake check found records the child may be.
    #[serde(default)]
    duplicate_reason: Option<String>,
}

/// Parses every part and reports every bad field together.
fn all_or_errors<T>(results: Vec<Result<T, DomainError>>) -> Result<Vec<T>, Vec<FieldError>> {
    let mut ok = Vec::new();
    let mut errs = Vec::new();
    for r in results {
        match r {
            Ok(v) => ok.push(v),
            Err(DomainError::Invalid(f)) => errs.extend(f),
            Err(_) => {}
        }
    }
    if errs.is_empty() {
        Ok(ok)
    } else {
        Err(errs)
    }
}

/// Opens the receiving member's own case for a partner's request: the same body and rules as
/// opening any case; the request is linked to it.
async fn create_for_request(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NewCaseBody>,
) -> ApiResult<Response> {
    let (case, people, consents) = parse_new_case(&b)?;
    let reason = b.duplicate_reason.as_deref();
    let created = state.casework.open_case_from_request(&u.caller, &id, &case, &people, &consents, reason).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

async fn create(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(b): ApiJson<NewCaseBody>,
) -> ApiResult<Response> {
    let (case, people, consents) = parse_new_case(&b)?;
    let created = state.casework.open_case(&u.caller, &case, &people, &consents, b.duplicate_reason.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// A new case's fields, people and consents, with every field in error named at once.
fn parse_new_case(b: &NewCaseBody) -> Result<(NewCase, Vec<NewPerson>, Vec<NewConsent>), DomainError> {
    let case = NewCase::parse(&b.service, &b.title, &b.summary, &b.child_views, &b.partner_country);
    let people = all_or_errors(b.people.iter().map(PersonBody::parse).collect());
    let consents = all_or_errors(b.consents.iter().map(ConsentBody::parse).collect());
    let (case, people, consents) = match (case, people, consents) {
        (Ok(c), Ok(p), Ok(k)) => (c, p, k),
        (c, p, k) => {
            let mut fields = match c {
                Err(DomainError::Invalid(f)) => f,
                _ => Vec::new(),
            };
            fields.extend(p.err().unwrap_or_default());
            fields.extend(k.err().unwrap_or_default());
            return Err(DomainError::Invalid(fields));
        }
    };
    Ok((case, people, consents))
}

async fn show(State(state): State<AppState>, ApiUser(u): ApiUser, Path(id): Path<String>) -> ApiResult<Response> {
    let detail = state.casework.case_detail(&u.caller, &id).await?;
    Ok(Json(detail).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PatchBody {
    title: Option<String>,
    summary: Option<String>,
    child_views: Option<String>,
    partner_country: Option<String>,
    /// The version read (required); a change on a stale copy is refused with 409.
    version: Option<i64>,
}

async fn update(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PatchBody>,
) -> ApiResult<Response> {
    let patch = CasePatch::parse(
        b.title.as_deref(),
        b.summary.as_deref(),
        b.child_views.as_deref(),
        b.partner_country.as_deref(),
    )?;
    if patch.is_empty() {
        return Err(DomainError::field("body", ErrorCode::NothingToChange).into());
    }
    let case = state.casework.update_case(&u.caller, &id, &patch, b.version).await?;
    Ok(Json(case).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActionBody {
    action: String,
    outcome: Option<String>,
    /// Why a proposed closure is sent back (required for `reject_closure`).
    reason: Option<String>,
}

async fn action(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ActionBody>,
) -> ApiResult<Response> {
    let case = match parse_case_action(&b.action, b.outcome.as_deref())? {
        CaseAction::RejectClosure => {
            state.casework.send_back_closure(&u.caller, &id, b.reason.as_deref().unwrap_or("")).await?
        }
        action => state.casework.case_action(&u.caller, &id, action).await?,
    };
    Ok(Json(case).into_response())
}

async fn assign(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AssigneeBody>,
) -> ApiResult<Response> {
    let case = state.casework.assign_case(&u.caller, &id, &b.user_id).await?;
    Ok(Json(case).into_response())
}

async fn people(State(state): State<AppState>, ApiUser(u): ApiUser, Path(id): Path<String>) -> ApiResult<Response> {
    let people = state.casework.people(&u.caller, &id).await?;
    Ok(Json(people).into_response())
}

async fn add_person(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PersonBody>,
) -> ApiResult<Response> {
    let person = b.parse()?;
    let created = state.casework.add_person(&u.caller, &id, &person).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TracingStatusBody {
    status: String,
    #[serde(default)]
    note: String,
}

/// Ends a tracing request (found, not_found, withdrawn) with a note, or opens it again.
async fn set_tracing_status(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, tracing_id)): Path<(String, String)>,
    ApiJson(b): ApiJson<TracingStatusBody>,
) -> ApiResult<StatusCode> {
    let status = kinbridge_domain::tracing::TracingStatus::parse(&b.status)
        .ok_or(DomainError::field("status", ErrorCode::InvalidChoice))?;
    state.casework.set_tracing_status(&u.caller, &id, &tracing_id, status, &b.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssessmentBody {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parts: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    risk: Option<String>,
    /// For a save: the version the answers were written on.
    #[serde(default)]
    version: Option<i64>,
}

/// Starts an assessment on the network's current form of its kind.
async fn start_assessment(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AssessmentBody>,
) -> ApiResult<Response> {
    let kind = kinbridge_domain::assessment::AssessmentKind::parse(b.kind.trim())
        .ok_or(DomainError::field("kind", ErrorCode::InvalidChoice))?;
    let a = state.casework.start_assessment(&u.caller, &id, kind, &b.parts, b.risk.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

async fn save_assessment(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, aid)): Path<(String, String)>,
    ApiJson(b): ApiJson<AssessmentBody>,
) -> ApiResult<Response> {
    let a = state.casework.save_assessment(&u.caller, &id, &aid, &b.parts, b.risk.as_deref(), b.version).await?;
    Ok(Json(a).into_response())
}

async fn submit_assessment(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, aid)): Path<(String, String)>,
) -> ApiResult<Response> {
    Ok(Json(state.casework.submit_assessment(&u.caller, &id, &aid).await?).into_response())
}

async fn sign_off_assessment(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, aid)): Path<(String, String)>,
) -> ApiResult<Response> {
    Ok(Json(state.casework.sign_off_assessment(&u.caller, &id, &aid).await?).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReasonBody {
    #[serde(default)]
    reason: String,
}

async fn return_assessment(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, aid)): Path<(String, String)>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> ApiResult<Response> {
    Ok(Json(state.casework.return_assessment(&u.caller, &id, &aid, &b.reason).await?).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GoalBody {
    text: String,
}

async fn add_goal(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<GoalBody>,
) -> ApiResult<Response> {
    let goal = state.casework.add_goal(&u.caller, &id, &b.text).await?;
    Ok((StatusCode::CREATED, Json(Created { id: goal })).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GoalStatusBody {
    status: String,
}

async fn set_goal_status(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, goal_id)): Path<(String, String)>,
    ApiJson(b): ApiJson<GoalStatusBody>,
) -> ApiResult<StatusCode> {
    let status = GoalStatus::parse(&b.status).ok_or(DomainError::field("status", ErrorCode::InvalidChoice))?;
    state.casework.set_goal_status(&u.caller, &id, &goal_id, status).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TaskBody {
    title: String,
    #[serde(default)]
    owner: String,
    due_on: String,
    #[serde(default)]
    goal_id: String,
}

async fn add_task(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TaskBody>,
) -> ApiResult<Response> {
    let task = NewTask::parse(&b.title, &b.owner, &b.due_on, &b.goal_id, today())?;
    let created = state.casework.add_task(&u.caller, &id, &task).await?;
    Ok((StatusCode::CREATED, Json(Created { id: created })).into_response())
}

async fn complete_task(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, task_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.casework.complete_task(&u.caller, &id, &task_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReviewBody {
    held_on: String,
    summary: String,
    #[serde(default)]
    next_review_on: String,
}

async fn add_review(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReviewBody>,
) -> ApiResult<Response> {
    let review = NewReview::parse(&b.held_on, &b.summary, &b.next_review_on, today())?;
    let created = state.casework.add_review(&u.caller, &id, &review).await?;
    Ok((StatusCode::CREATED, Json(Created { id: created })).into_response())
}

/// The caller's open tasks across their member's cases, soonest due first.
async fn my_tasks(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Response> {
    Ok(Json(state.casework.my_tasks(&u.caller).await?).into_response())
}

/// Corrects a person: the whole record as it should read, with the version it was read at.
async fn correct_person(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, person_id)): Path<(String, String)>,
    ApiJson(b): ApiJson<PersonBody>,
) -> ApiResult<Response> {
    let person = b.parse()?;
    let corrected = state.casework.correct_person(&u.caller, &id, &person_id, &person, b.version).await?;
    Ok(Json(corrected).into_response())
}

/// Removes a person entered in error.
async fn remove_person(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, person_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.casework.remove_person(&u.caller, &id, &person_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a relationship recorded in error.
async fn remove_relationship(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, relationship_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.casework.remove_relationship(&u.caller, &id, &relationship_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RelationshipBody {
    from_person_id: String,
    to_person_id: String,
    kind: String,
}

async fn add_relationship(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RelationshipBody>,
) -> ApiResult<StatusCode> {
    let kind = RelationshipKind::parse(&b.kind).ok_or(DomainError::field("kind", ErrorCode::InvalidChoice))?;
    state.casework.add_relationship(&u.caller, &id, &b.from_person_id, &b.to_person_id, kind).await?;
    Ok(StatusCode::CREATED)
}

async fn add_consent(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ConsentBody>,
) -> ApiResult<StatusCode> {
    let consent = b.parse()?;
    state.casework.add_consent(&u.caller, &id, &consent).await?;
    Ok(StatusCode::CREATED)
}

/// Withdraws the consent of a scope; for tracing, the case's people leave matching at once.
async fn withdraw_consent(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, scope)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let scope = ConsentScope::parse(&scope).ok_or(DomainError::field("scope", ErrorCode::InvalidChoice))?;
    state.casework.withdraw_consent(&u.caller, &id, scope).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn notes(State(state): State<AppState>, ApiUser(u): ApiUser, Path(id): Path<String>) -> ApiResult<Response> {
    let notes = state.casework.notes(&u.caller, &id).await?;
    Ok(Json(notes).into_response())
}

async fn add_note(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<BodyText>,
) -> ApiResult<Response> {
    let note = state.casework.add_note(&u.caller, &id, &b.body).await?;
    Ok((StatusCode::CREATED, Json(note)).into_response())
}

async fn documents(State(state): State<AppState>, ApiUser(u): ApiUser, Path(id): Path<String>) -> ApiResult<Response> {
    let docs = state.casework.documents(&u.caller, &id).await?;
    Ok(Json(docs).into_response())
}

async fn upload(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiMultipart(multipart): ApiMultipart,
) -> ApiResult<Response> {
    let (name, bytes) = read_upload_api(multipart).await?;
    let doc = state.casework.upload_document(&u.caller, Attach::Case(&id), &name, bytes).await?;
    Ok((StatusCode::CREATED, Json(doc)).into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RequestBody {
    to_member: String,
    kind: String,
    subject: String,
    message: String,
    due_on: String,
    #[serde(default)]
    share_people: Vec<String>,
    #[serde(default)]
    share_documents: Vec<String>,
}

async fn send_request(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RequestBody>,
) -> ApiResult<Response> {
    let new = NewRequest::parse(&b.to_member, &b.kind, &b.subject, &b.message, &b.due_on, today())?;
    let request = state.casework.send_request(&u.caller, &id, &new, &b.share_people, &b.share_documents).await?;
    Ok((StatusCode::CREATED, Json(request)).into_response())
}
