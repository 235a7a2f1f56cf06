//! SROI analyses in pages and through the API: the list, one analysis valued with its
//! sensitivity table, and the form that enters or changes one (rows of inputs and outcomes,
//! no script: a few blank rows are always offered).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kinbridge_casework::sroi::{SroiDraft, SroiSummary, SroiView};
use kinbridge_domain::access::ImpactReach;
use kinbridge_domain::{DomainError, ErrorCode, FieldError};
use kinbridge_impact::sroi::{Analysis, Input, Outcome, DEFAULT_DISCOUNT_PERCENT};
use serde::Deserialize;

use crate::api::{ApiJson, ApiResult};
use crate::auth::{ApiUser, CsrfForm, PageUser, Signed};
use crate::error::Problem;
use crate::page::{render, see_other, url_encode, Frame};
use crate::AppState;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/impact/sroi", get(list).post(create))
        .route("/impact/sroi/new", get(new_form))
        .route("/impact/sroi/{id}", get(show).post(update))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/impact/sroi", get(api_list).post(api_create))
        .route("/impact/sroi/{id}", get(api_show).put(api_update))
}

/// Blank rows offered under the filled ones.
const BLANK_ROWS: usize = 2;

/// The form as posted: one value per row for every column (repeated keys).
#[derive(Deserialize, Default)]
struct SroiForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    discount_percent: String,
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    in_label: Vec<String>,
    #[serde(default)]
    in_amount: Vec<String>,
    #[serde(default)]
    in_hours: Vec<String>,
    #[serde(default)]
    in_rate: Vec<String>,
    #[serde(default)]
    out_label: Vec<String>,
    #[serde(default)]
    out_indicator: Vec<String>,
    #[serde(default)]
    out_quantity: Vec<String>,
    #[serde(default)]
    out_qsource: Vec<String>,
    #[serde(default)]
    out_proxy: Vec<String>,
    #[serde(default)]
    out_psource: Vec<String>,
    #[serde(default)]
    out_dw: Vec<String>,
    #[serde(default)]
    out_disp: Vec<String>,
    #[serde(default)]
    out_attr: Vec<String>,
    #[serde(default)]
    out_drop: Vec<String>,
    #[serde(default)]
    out_years: Vec<String>,
}

/// A number as people type it: spaces ignored, a lone comma as the decimal point. Empty is
/// zero; anything else that is not a number is named.
fn number(text: Option<&String>, field: &'static str, bad: &mut Vec<FieldError>) -> f64 {
    let t: String = text.map(|s| s.chars().filter(|c| !c.is_whitespace()).collect()).unwrap_or_default();
    if t.is_empty() {
        return 0.0;
    }
    let t = if t.contains('.') { t } else { t.replace(',', ".") };
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => v,
        _ => {
            if !bad.iter().any(|e| e.field == field) {
                bad.push(FieldError::new(field, ErrorCode::InvalidValue));
            }
            0.0
        }
    }
}

impl SroiForm {
    fn draft(&self) -> Result<SroiDraft, DomainError> {
        let mut bad = Vec::new();
        let cell = |v: &Vec<String>, i: usize| v.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
        let mut inputs = Vec::new();
        for i in 0..self.in_label.len().min(kinbridge_impact::sroi::MAX_LINES + 1) {
            let label = cell(&self.in_label, i);
            let (amount, hours, rate) = (cell(&self.in_amount, i), cell(&self.in_hours, i), cell(&self.in_rate, i));
            if label.is_empty() && amount.is_empty() && hours.is_empty() && rate.is_empty() {
                continue;
            }
            if !hours.is_empty() || !rate.is_empty() {
                let hours = number(Some(&hours), "input_hours", &mut bad);
                let hourly_value = number(Some(&rate), "input_hourly_value", &mut bad);
                inputs.push(Input::Volunteering { label, hours, hourly_value });
            } else {
                inputs.push(Input::Cost { label, amount: number(Some(&amount), "input_amount", &mut bad) });
            }
        }
        let mut outcomes = Vec::new();
        for i in 0..self.out_label.len().min(kinbridge_impact::sroi::MAX_LINES + 1) {
            let label = cell(&self.out_label, i);
            let indicator = cell(&self.out_indicator, i);
            let filled = [&self.out_quantity, &self.out_qsource, &self.out_proxy, &self.out_psource]
                .iter()
                .any(|v| !cell(v, i).is_empty());
            if label.is_empty() && indicator.is_empty() && !filled {
                continue;
            }
            let years = number(self.out_years.get(i), "outcome_duration_years", &mut bad);
            outcomes.push(Outcome {
                label,
                indicator: Some(indicator).filter(|s| !s.is_empty()),
                quantity_source: cell(&self.out_qsource, i),
                quantity: number(self.out_quantity.get(i), "outcome_quantity", &mut bad),
                proxy: number(self.out_proxy.get(i), "outcome_proxy", &mut bad),
                proxy_source: cell(&self.out_psource, i),
                deadweight_percent: number(self.out_dw.get(i), "outcome_deadweight_percent", &mut bad),
                displacement_percent: number(self.out_disp.get(i), "outcome_displacement_percent", &mut bad),
                attribution_percent: number(self.out_attr.get(i), "outcome_attribution_percent", &mut bad),
                drop_off_percent: number(self.out_drop.get(i), "outcome_drop_off_percent", &mut bad),
                duration_years: if years >= 0.0 && years.fract() == 0.0 && years <= u32::MAX as f64 {
                    years as u32
                } else {
                    0
                },
            });
        }
        let discount_percent = if self.discount_percent.trim().is_empty() {
            DEFAULT_DISCOUNT_PERCENT
        } else {
            number(Some(&self.discount_percent), "discount_percent", &mut bad)
        };
        if !bad.is_empty() {
            return Err(DomainError::Invalid(bad));
        }
        Ok(SroiDraft {
            title: self.title.clone(),
            org: Some(self.org.clone()).filter(|o| !o.trim().is_empty()),
            period: self.period.clone(),
            analysis: Analysis { inputs, outcomes, discount_percent },
            version: self.version,
        })
    }

    fn of(v: &SroiView) -> Self {
        let a = &v.analysis;
        let show = |x: f64| if x.fract() == 0.0 { format!("{x:.0}") } else { x.to_string() };
        let mut f = SroiForm {
            title: v.title.clone(),
            org: v.org.clone().unwrap_or_default(),
            period: v.period.clone(),
            discount_percent: show(a.discount_percent),
            version: Some(v.version),
            ..SroiForm::default()
        };
        for i in &a.inputs {
            f.in_label.push(i.label().to_string());
            match *i {
                Input::Cost { amount, .. } => {
                    f.in_amount.push(show(amount));
                    f.in_hours.push(String::new());
                    f.in_rate.push(String::new());
                }
                Input::Volunteering { hours, hourly_value, .. } => {
                    f.in_amount.push(String::new());
                    f.in_hours.push(show(hours));
                    f.in_rate.push(show(hourly_value));
                }
            }
        }
        for o in &a.outcomes {
            f.out_label.push(o.label.clone());
            f.out_indicator.push(o.indicator.clone().unwrap_or_default());
            f.out_quantity.push(show(o.quantity));
            f.out_qsource.push(o.quantity_source.clone());
            f.out_proxy.push(show(o.proxy));
            f.out_psource.push(o.proxy_source.clone());
            f.out_dw.push(show(o.deadweight_percent));
            f.out_disp.push(show(o.displacement_percent));
            f.out_attr.push(show(o.attribution_percent));
            f.out_drop.push(show(o.drop_off_percent));
            f.out_years.push(o.duration_years.to_string());
        }
        f
    }

    /// Every row, filled ones first, then blank ones to add to.
    fn with_blank_rows(mut self) -> Self {
        let inputs = self.in_label.len() + BLANK_ROWS;
        for v in [&mut self.in_label, &mut self.in_amount, &mut self.in_hours, &mut self.in_rate] {
            v.resize(inputs, String::new());
        }
        let outcomes = self.out_label.len() + BLANK_ROWS;
        for v in [
            &mut self.out_label,
            &mut self.out_indicator,
            &mut self.out_quantity,
            &mut self.out_qsource,
            &mut self.out_proxy,
            &mut self.out_psource,
            &mut self.out_dw,
            &mut self.out_disp,
            &mut self.out_attr,
            &mut self.out_drop,
            &mut self.out_years,
        ] {
            v.resize(outcomes, String::new());
        }
        self
    }
}

struct InputRow {
    label: String,
    amount: String,
    hours: String,
    rate: String,
}

struct OutcomeRow {
    label: String,
    indicator: String,
    quantity: String,
    qsource: String,
    proxy: String,
    psource: String,
    dw: String,
    disp: String,
    attr: String,
    drop: String,
    years: String,
}

/// What a valued analysis shows, in words.
struct Valued {
    present_value: String,
    total_inputs: String,
    net_present_value: String,
    ratio: String,
    range: String,
    yearly: Vec<(String, String)>,
    sensitivity: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "impact_sroi.html")]
struct SroiPage {
    t: Frame,
    id: String,
    title: String,
    valued: Option<Valued>,
    editable: bool,
    form: SroiForm,
    inputs: Vec<InputRow>,
    outcomes: Vec<OutcomeRow>,
    /// Indicators an outcome can take its quantity from: counts.
    indicators: Vec<(String, String)>,
    members: Vec<(String, String)>,
}

fn money(v: f64) -> String {
    let whole = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if v < 0.0 {
        format!("−{out}")
    } else {
        out
    }
}

fn ratio(t: &crate::i18n::Tr, r: Option<f64>) -> String {
    r.map_or_else(|| t.text("impact-no-data").into_owned(), |r| t.arg("sroi-ratio-value", "ratio", &format!("{r:.2}")))
}

async fn sroi_page(
    state: &AppState,
    u: &Signed,
    view: Option<&SroiView>,
    form: SroiForm,
    problem: Option<&Problem>,
) -> Result<Response, Problem> {
    let (t, status) = Frame::answering(u, problem);
    let tr = &u.tr;
    let valued = view.map(|v| {
        let all = v.sensitivity.last();
        Valued {
            present_value: money(v.valuation.present_value),
            total_inputs: money(v.valuation.total_inputs),
            net_present_value: money(v.valuation.net_present_value),
            ratio: ratio(tr, v.valuation.ratio),
            range: match all.and_then(|a| a.pessimistic.zip(a.optimistic)) {
                Some((lo, hi)) => tr.args("sroi-range", &[("low", &format!("{lo:.2}")), ("high", &format!("{hi:.2}"))]),
                None => String::new(),
            },
            yearly: v.valuation.yearly.iter().enumerate().map(|(i, y)| ((i + 1).to_string(), money(*y))).collect(),
            sensitivity: v
                .sensitivity
                .iter()
                .map(|s| {
                    (
                        tr.term("sroi-assumption", s.assumption.as_str()),
                        ratio(tr, s.pessimistic),
                        ratio(tr, s.optimistic),
                    )
                })
                .collect(),
        }
    });
    let form = form.with_blank_rows();
    let cell = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
    let inputs = (0..form.in_label.len())
        .map(|i| InputRow {
            label: cell(&form.in_label, i),
            amount: cell(&form.in_amount, i),
            hours: cell(&form.in_hours, i),
            rate: cell(&form.in_rate, i),
        })
        .collect();
    let outcomes = (0..form.out_label.len())
        .map(|i| OutcomeRow {
            label: cell(&form.out_label, i),
            indicator: cell(&form.out_indicator, i),
            quantity: cell(&form.out_quantity, i),
            qsource: cell(&form.out_qsource, i),
            proxy: cell(&form.out_proxy, i),
            psource: cell(&form.out_psource, i),
            dw: cell(&form.out_dw, i),
            disp: cell(&form.out_disp, i),
            attr: cell(&form.out_attr, i),
            drop: cell(&form.out_drop, i),
            years: cell(&form.out_years, i),
        })
        .collect();
    let locale = tr.locale;
    let indicators = state
        .casework
        .indicators()
        .all()
        .iter()
        .filter(|i| kinbridge_casework::impact::kind(i) == "count")
        .map(|i| (i.id.clone(), i.name(locale).to_string()))
        .collect();
    let members = if u.caller.actor.impact_reach() == ImpactReach::AnyMember {
        state.casework.members().await?.iter().map(|m| (m.code.as_str().to_string(), m.name.clone())).collect()
    } else if u.caller.actor.can_approve_figures(&u.caller.actor.member_id) {
        vec![(u.user.member_code.clone(), u.user.member_code.clone())]
    } else {
        Vec::new()
    };
    Ok(render(
        status,
        &SroiPage {
            t,
            id: view.map(|v| v.id.clone()).unwrap_or_default(),
            title: view.map(|v| v.title.clone()).unwrap_or_default(),
            editable: view.is_none_or(|v| v.editable),
            valued,
            form,
            inputs,
            outcomes,
            indicators,
            members,
        },
    ))
}

#[derive(Template)]
#[template(path = "impact_sroi_list.html")]
struct ListPage {
    t: Frame,
    items: Vec<SroiSummary>,
    ratios: Vec<String>,
    can_create: bool,
}

async fn list(State(state): State<AppState>, PageUser(u): PageUser) -> Result<Response, Problem> {
    let items = state.casework.sroi_list(&u.caller).await?;
    let ratios = items.iter().map(|i| ratio(&u.tr, i.ratio)).collect();
    let actor = &u.caller.actor;
    Ok(render(
        StatusCode::OK,
        &ListPage {
            t: Frame::for_user(&u),
            items,
            ratios,
            can_create: actor.can_approve_network_figures() || actor.can_approve_figures(&actor.member_id),
        },
    ))
}

async fn new_form(State(state): State<AppState>, PageUser(u): PageUser) -> Result<Response, Problem> {
    let actor = &u.caller.actor;
    if !(actor.can_approve_network_figures() || actor.can_approve_figures(&actor.member_id)) {
        return Err(DomainError::Forbidden.into());
    }
    let year = chrono::Datelike::year(&kinbridge_casework::today()) - 1;
    let form = SroiForm {
        period: year.to_string(),
        org: if actor.can_approve_network_figures() { String::new() } else { u.user.member_code.clone() },
        discount_percent: DEFAULT_DISCOUNT_PERCENT.to_string(),
        ..SroiForm::default()
    };
    sroi_page(&state, &u, None, form, None).await
}

async fn create(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(f): CsrfForm<SroiForm>,
) -> Result<Response, Problem> {
    let r = match f.draft() {
        Ok(d) => state.casework.save_sroi(&u.caller, None, d).await.map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    match r {
        Ok(id) => Ok(see_other(&format!("/impact/sroi/{}", url_encode(&id)))),
        Err(p) if p.is_invalid_input() => sroi_page(&state, &u, None, f, Some(&p)).await,
        Err(p) => Err(p),
    }
}

async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let view = state.casework.sroi(&u.caller, &id).await?;
    let form = SroiForm::of(&view);
    sroi_page(&state, &u, Some(&view), form, None).await
}

async fn update(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<SroiForm>,
) -> Result<Response, Problem> {
    let view = state.casework.sroi(&u.caller, &id).await?;
    let r = match f.draft() {
        Ok(d) => state.casework.save_sroi(&u.caller, Some(&id), d).await.map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    match r {
        Ok(id) => Ok(see_other(&format!("/impact/sroi/{}", url_encode(&id)))),
        Err(
            p @ Problem::Casework(kinbridge_casework::Error::Domain(DomainError::NotFound | DomainError::Forbidden)),
        ) => Err(p),
        Err(p) => sroi_page(&state, &u, Some(&view), f, Some(&p)).await,
    }
}

/// An analysis through the API: its member (none for the network), period and figures.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SroiBody {
    pub title: String,
    #[serde(default)]
    pub org: Option<String>,
    pub period: String,
    pub analysis: Analysis,
    /// For a change: the version it was written on (409 if someone saved meanwhile).
    #[serde(default)]
    pub version: Option<i64>,
}

impl SroiBody {
    fn draft(self) -> SroiDraft {
        SroiDraft {
            title: self.title,
            org: self.org,
            period: self.period,
            analysis: self.analysis,
            version: self.version,
        }
    }
}

async fn api_list(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Response> {
    Ok(Json(crate::api::Items { items: state.casework.sroi_list(&u.caller).await? }).into_response())
}

async fn api_create(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(b): ApiJson<SroiBody>,
) -> ApiResult<Response> {
    let id = state.casework.save_sroi(&u.caller, None, b.draft()).await?;
    Ok((StatusCode::CREATED, Json(crate::api::Created { id })).into_response())
}

async fn api_show(State(state): State<AppState>, ApiUser(u): ApiUser, Path(id): Path<String>) -> ApiResult<Response> {
    Ok(Json(state.casework.sroi(&u.caller, &id).await?).into_response())
}

async fn api_update(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SroiBody>,
) -> ApiResult<Response> {
    let d = b.draft();
    if d.version.is_none() {
        return Err(DomainError::field("version", ErrorCode::Required).into());
    }
    state.casework.save_sroi(&u.caller, Some(&id), d).await?;
    Ok(Json(state.casework.sroi(&u.caller, &id).await?).into_response())
}
