//! The impact pages: `/impact` (every indicator of a member for a period, the network beside
//! it, a trend chart per line) and `/impact/indicators/{id}` (one indicator broken down).
//! No script: charts are SVG with a data table beside them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use kinbridge_casework::impact::{kind, seen_of, ApprovalMark, Dashboard, IndicatorLine, Values};
use kinbridge_domain::access::ImpactReach;
use kinbridge_domain::indicator::Dimension;
use kinbridge_domain::DomainError;
use kinbridge_impact::figures::Figure;
use serde::Deserialize;

use super::chart::{rows, spark, Item, Rows, Spark};
use super::ImpactQuery;
use crate::auth::{CsrfForm, PageUser};
use crate::error::Problem;
use crate::i18n::Tr;
use crate::page::{render, see_other, url_encode, Frame};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/impact", get(dashboard))
        .route("/impact/approvals", post(approve))
        .route("/impact/network", get(network).post(approve_network))
        .route("/impact/indicators/{id}", get(breakdown))
        .route("/impact/public", get(public))
        .route("/impact/table.csv", get(table_csv))
        .route("/impact/table.xlsx", get(table_xlsx))
}

/// The dashboard's table, for CSV and XLSX: one line per indicator, the member's value,
/// numerator and denominator, the network's value, and the approved value if there is one.
async fn table_of(
    state: &AppState,
    u: &crate::auth::Signed,
    q: &ImpactQuery,
) -> Result<(String, Vec<Vec<TableCell>>), Problem> {
    let d = state.casework.impact_dashboard(&u.caller, q.org(), q.period()?).await?;
    let header = [
        "indicator",
        "name",
        "kind",
        "member",
        "period",
        "value",
        "numerator",
        "denominator",
        "network_value",
        "approved_value",
    ];
    let mut rows = vec![header.iter().map(|h| TableCell::Text(h.to_string())).collect::<Vec<_>>()];
    let locale = u.tr.locale;
    let number = |v: Option<f64>| v.map_or(TableCell::Empty, TableCell::Number);
    for l in &d.lines {
        let name = state.casework.indicators().get(&l.indicator).map_or(l.name.as_str(), |i| i.name(locale));
        rows.push(vec![
            TableCell::Text(l.indicator.clone()),
            TableCell::Text(name.to_string()),
            TableCell::Text(l.kind.to_string()),
            TableCell::Text(d.member_code.clone()),
            TableCell::Text(d.period.clone()),
            number(l.member.value),
            TableCell::Number(l.member.numerator as f64),
            number(l.member.denominator.map(|n| n as f64)),
            number(l.network.value),
            number(l.approved.as_ref().and_then(|a| a.value)),
        ]);
    }
    Ok((format!("impact-{}-{}", d.member_code, d.period), rows))
}

enum TableCell {
    Text(String),
    Number(f64),
    Empty,
}

impl TableCell {
    fn text(&self) -> String {
        match self {
            Self::Text(t) => t.clone(),
            Self::Number(v) if v.fract() == 0.0 => format!("{v:.0}"),
            Self::Number(v) => format!("{v:.2}"),
            Self::Empty => String::new(),
        }
    }
}

fn export_failed<E: std::fmt::Display>(e: E) -> Problem {
    tracing::error!(error = %e, "impact table export failed");
    Problem::Unavailable
}

async fn table_csv(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ImpactQuery>,
) -> Result<Response, Problem> {
    let (name, rows) = table_of(&state, &u, &q).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in &rows {
        w.write_record(row.iter().map(TableCell::text)).map_err(export_failed)?;
    }
    let body = w.into_inner().map_err(export_failed)?;
    Ok(crate::files::attachment(&format!("{name}.csv"), "text/csv; charset=utf-8", body.into()))
}

async fn table_xlsx(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ImpactQuery>,
) -> Result<Response, Problem> {
    use rust_xlsxwriter::{Format, Workbook};
    let (name, rows) = table_of(&state, &u, &q).await?;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(u.tr.text("nav-impact").chars().take(31).collect::<String>()).map_err(export_failed)?;
    if u.tr.dir() == "rtl" {
        sheet.set_right_to_left(true);
    }
    let bold = Format::new().set_bold();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                // Strings are written as strings: a spreadsheet never runs them as formulas.
                TableCell::Text(t) if r == 0 => sheet.write_string_with_format(r, c, t, &bold).map(|_| ()),
                TableCell::Text(t) => sheet.write_string(r, c, t).map(|_| ()),
                TableCell::Number(v) => sheet.write_number(r, c, *v).map(|_| ()),
                TableCell::Empty => Ok(()),
            }
            .map_err(export_failed)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(export_failed)?;
    sheet.autofit();
    let body = book.save_to_buffer().map_err(export_failed)?;
    Ok(crate::files::attachment(
        &format!("{name}.xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        body.into(),
    ))
}

#[derive(Template)]
#[template(path = "impact_public.html")]
struct PublicPage {
    t: Frame,
    /// The year shown and when it was approved, in words; empty before any year is published.
    heading: String,
    note: String,
    lines: Vec<(String, String)>,
}

/// The network's approved figures of its last published year, for anyone, no sign-in.
async fn public(State(state): State<AppState>, auth: crate::auth::Auth) -> Result<Response, Problem> {
    let tr = auth.tr.clone();
    let figures = state.casework.public_impact().await?;
    let locale = tr.locale;
    let (heading, note, lines) = match &figures {
        Some(p) => (
            tr.args(
                "impact-public-heading",
                &[("year", &p.period), ("at", &tr.date(&p.approved_at[..p.approved_at.len().min(10)]))],
            ),
            tr.arg("impact-public-note", "threshold", &p.threshold.to_string()),
            p.figures
                .iter()
                .map(|f| {
                    let name = state
                        .casework
                        .indicators()
                        .get(&f.indicator)
                        .map_or(f.indicator.clone(), |i| i.name(locale).to_string());
                    let value = if f.withheld {
                        tr.arg("impact-withheld", "threshold", &p.threshold.to_string())
                    } else {
                        value_text(&tr, f.kind, f.value)
                    };
                    (name, value)
                })
                .collect(),
        ),
        None => (String::new(), String::new(), Vec::new()),
    };
    Ok(render(axum::http::StatusCode::OK, &PublicPage { t: Frame::anonymous(&tr), heading, note, lines }))
}

/// A figure in words: a count, a percentage, a number of days, or "no data".
pub(crate) fn value_text(t: &Tr, kind: &str, value: Option<f64>) -> String {
    match value {
        None => t.text("impact-no-data").into_owned(),
        Some(v) => match kind {
            "share" => t.arg("impact-percent", "value", &format!("{v:.1}")),
            "median_days" => t.arg("impact-days", "value", &trim(v)),
            _ => trim(v),
        },
    }
}

fn trim(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A breakdown value in words.
pub(crate) fn key_text(t: &Tr, dimension: Dimension, value: &str) -> String {
    if value == "unknown" {
        return t.text("impact-not-recorded").into_owned();
    }
    match dimension {
        Dimension::Service => t.term("service", value),
        Dimension::Sex => t.term("sex", value),
        Dimension::Outcome => t.term("outcome", value),
        Dimension::Direction => t.term("direction", value),
        Dimension::PartnerCountry => t.country(value),
        Dimension::AgeBand => t.arg("impact-age-band", "band", value),
    }
}

/// Periods offered as the field is typed: this year and last, last year's quarters, the
/// financial years that started last year.
fn suggested_periods() -> Vec<String> {
    let year = chrono::Datelike::year(&kinbridge_casework::today());
    let mut out = vec![(year - 1).to_string(), year.to_string()];
    out.extend((1..=4).map(|q| format!("{}Q{q}", year - 1)));
    out.extend(["April", "July", "Oct"].map(|s| format!("{}{s}", year - 1)));
    out
}

struct Line {
    id: String,
    name: String,
    member: String,
    network: String,
    spark: Spark,
    /// The trend in words, for those who cannot see the chart.
    trend: String,
    /// The figure as approved, in words; empty when not approved.
    approved: String,
    /// Set when the figure changed since it was approved: the difference in words.
    changed: Option<String>,
}

/// A figure that changed between the page and the click, in words.
struct Changed {
    name: String,
    seen: String,
    now: String,
}

fn line_of(state: &AppState, u: &crate::auth::Signed, locale: &str, l: &IndicatorLine) -> Line {
    let ind = state.casework.indicators().get(&l.indicator);
    let points: Vec<(String, Option<f64>)> =
        l.trend.iter().map(|p| (format!("{}: {}", p.period, value_text(&u.tr, l.kind, p.value)), p.value)).collect();
    let changed = l.approved.as_ref().filter(|a| a.value != l.member.value).map(|a| {
        let delta = match (a.value, l.member.value) {
            (Some(a), Some(b)) if (b - a).fract() == 0.0 => format!("{:+.0}", b - a),
            (Some(a), Some(b)) => format!("{:+.1}", b - a),
            _ => String::new(),
        };
        u.tr.args("impact-changed", &[("now", &value_text(&u.tr, l.kind, l.member.value)), ("delta", &delta)])
    });
    Line {
        id: l.indicator.clone(),
        name: ind.map_or(l.name.as_str(), |i| i.name(locale)).to_string(),
        member: value_text(&u.tr, l.kind, l.member.value),
        network: value_text(&u.tr, l.kind, l.network.value),
        trend: points.iter().map(|(label, _)| label.as_str()).collect::<Vec<_>>().join("; "),
        spark: spark(&points),
        approved: l.approved.as_ref().map(|a| value_text(&u.tr, l.kind, a.value)).unwrap_or_default(),
        changed,
    }
}

#[derive(Template)]
#[template(path = "impact.html")]
struct DashboardPage {
    t: Frame,
    q: ImpactQuery,
    /// Members the caller may choose between (the General Secretariat only).
    members: Vec<(String, String)>,
    heading: String,
    lines: Vec<Line>,
    /// The period shown, for the links to breakdowns.
    period: String,
    periods: Vec<String>,
    org: String,
    /// "Approved by ... on ...", or empty.
    approval: String,
    can_approve: bool,
    /// The figures shown, sent back with an approval.
    seen: String,
    differences: Vec<Changed>,
}

async fn member_choice(state: &AppState, u: &crate::auth::Signed) -> Result<Vec<(String, String)>, Problem> {
    if u.caller.actor.impact_reach() != ImpactReach::AnyMember {
        return Ok(Vec::new());
    }
    Ok(state.casework.members().await?.iter().map(|m| (m.code.as_str().to_string(), m.name.clone())).collect())
}

fn heading(t: &Tr, member_name: &str, member_code: &str, period: &str, start: &str, end: &str) -> String {
    t.args(
        "impact-heading",
        &[
            ("member", &format!("{member_name} ({member_code})")),
            ("period", period),
            ("start", &t.date(start)),
            ("end", &t.date(end)),
        ],
    )
}

async fn dashboard(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ImpactQuery>,
) -> Result<Response, Problem> {
    dashboard_page(&state, &u, q, None).await
}

async fn dashboard_page(
    state: &AppState,
    u: &crate::auth::Signed,
    q: ImpactQuery,
    problem: Option<Problem>,
) -> Result<Response, Problem> {
    let members = member_choice(state, u).await?;
    let answer: Result<Dashboard, Problem> = match q.period() {
        Ok(period) => state.casework.impact_dashboard(&u.caller, q.org(), period).await.map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    let (d, problem) = match (answer, problem) {
        (Ok(d), problem) => (Some(d), problem),
        (Err(p), _) if p.is_invalid_input() => (None, Some(p)),
        (Err(p), _) => return Err(p),
    };
    let differences =
        differences_of(state, u, d.as_ref().map(|d| d.lines.as_slice()).unwrap_or_default(), problem.as_ref());
    let (t, status) = Frame::answering(u, problem.as_ref());
    let locale = t.locale();
    let lines = d.as_ref().map(|d| d.lines.iter().map(|l| line_of(state, u, locale, l)).collect()).unwrap_or_default();
    let heading = d
        .as_ref()
        .map(|d| heading(&u.tr, &d.member_name, &d.member_code, &d.period, &d.start, &d.end))
        .unwrap_or_default();
    Ok(render(
        status,
        &DashboardPage {
            period: d.as_ref().map(|d| d.period.clone()).unwrap_or_default(),
            org: d.as_ref().map(|d| d.member_code.clone()).unwrap_or_default(),
            approval: d.as_ref().and_then(|d| d.approval.as_ref()).map(|a| approved_text(u, a)).unwrap_or_default(),
            can_approve: d.as_ref().is_some_and(|d| d.can_approve),
            seen: d.as_ref().map(|d| seen_of(&d.lines)).unwrap_or_default(),
            differences,
            t,
            q,
            members,
            heading,
            lines,
            periods: suggested_periods(),
        },
    ))
}

fn approved_text(u: &crate::auth::Signed, a: &ApprovalMark) -> String {
    u.tr.args("impact-approved-by", &[("name", &a.by), ("at", &u.tr.moment(&a.at))])
}

/// The figures that changed between the page and the click, when that is why an approval
/// was refused.
fn differences_of(
    state: &AppState,
    u: &crate::auth::Signed,
    lines: &[IndicatorLine],
    problem: Option<&Problem>,
) -> Vec<Changed> {
    let Some(Problem::Casework(kinbridge_casework::Error::FiguresChanged(list))) = problem else { return Vec::new() };
    let locale = u.tr.locale;
    list.iter()
        .map(|d| {
            let k = lines.iter().find(|l| l.indicator == d.indicator).map_or("count", |l| l.kind);
            Changed {
                name: state
                    .casework
                    .indicators()
                    .get(&d.indicator)
                    .map_or(d.indicator.clone(), |i| i.name(locale).to_string()),
                seen: value_text(&u.tr, k, d.seen),
                now: value_text(&u.tr, k, d.now),
            }
        })
        .collect()
}

/// An approval form: the period and member shown, and the figures as they were shown.
#[derive(Deserialize)]
struct ApproveForm {
    #[serde(default)]
    period: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    seen: String,
}

async fn approve(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(f): CsrfForm<ApproveForm>,
) -> Result<Response, Problem> {
    let q = ImpactQuery { period: f.period.clone(), org: f.org.clone(), ..ImpactQuery::default() };
    let r = match q.period() {
        Ok(period) => {
            state.casework.approve_member_figures(&u.caller, q.org(), period, &f.seen).await.map_err(Problem::from)
        }
        Err(e) => Err(e.into()),
    };
    match r {
        Ok(_) => Ok(see_other(&format!("/impact?period={}&org={}", url_encode(&f.period), url_encode(&f.org)))),
        Err(
            p @ Problem::Casework(kinbridge_casework::Error::Domain(DomainError::NotFound | DomainError::Forbidden)),
        ) => Err(p),
        Err(p) => dashboard_page(&state, &u, q, Some(p)).await,
    }
}

#[derive(Template)]
#[template(path = "impact_network.html")]
struct NetworkPage {
    t: Frame,
    q: ImpactQuery,
    period: String,
    periods: Vec<String>,
    /// Each member: code, name, approval in words, approved, and its approved value of the
    /// chosen indicator in words.
    members: Vec<(String, String, String, bool, String)>,
    /// The indicators to compare members by, and the one chosen.
    indicators: Vec<(String, String)>,
    chosen: String,
    chosen_name: String,
    waiting: usize,
    approval: String,
    can_approve: bool,
    seen: String,
    lines: Vec<Line>,
    differences: Vec<Changed>,
}

async fn network(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ImpactQuery>,
) -> Result<Response, Problem> {
    network_page(&state, &u, q, None).await
}

async fn network_page(
    state: &AppState,
    u: &crate::auth::Signed,
    q: ImpactQuery,
    problem: Option<Problem>,
) -> Result<Response, Problem> {
    let answer = match q.period() {
        Ok(period) => state.casework.network_approvals(&u.caller, period).await.map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    let (found, problem) = match (answer, problem) {
        (Ok(v), problem) => (Some(v), problem),
        (Err(p), _) if p.is_invalid_input() => (None, Some(p)),
        (Err(p), _) => return Err(p),
    };
    let differences =
        differences_of(state, u, found.as_ref().map(|(_, l)| l.as_slice()).unwrap_or_default(), problem.as_ref());
    let (t, status) = Frame::answering(u, problem.as_ref());
    let locale = t.locale();
    let registry = state.casework.indicators();
    let chosen_indicator = registry.get(q.indicator.trim()).or_else(|| registry.all().first());
    let chosen = chosen_indicator.map(|i| i.id.clone()).unwrap_or_default();
    let chosen_kind = chosen_indicator.map_or("count", kinbridge_casework::impact::kind);
    let chosen_name = chosen_indicator.map(|i| i.name(locale).to_string()).unwrap_or_default();
    let indicators = registry.all().iter().map(|i| (i.id.clone(), i.name(locale).to_string())).collect();
    let (members, waiting, approval, period, lines, seen) = match &found {
        Some((s, lines)) => (
            s.members
                .iter()
                .map(|m| {
                    let status = match (&m.approval, m.has_cases) {
                        (Some(a), _) => approved_text(u, a),
                        (None, true) => u.tr.text("impact-not-approved").into_owned(),
                        (None, false) => u.tr.text("impact-no-cases").into_owned(),
                    };
                    let value = m
                        .figures
                        .iter()
                        .find(|f| f.indicator == chosen)
                        .map(|f| value_text(&u.tr, chosen_kind, f.value))
                        .unwrap_or_default();
                    (m.code.clone(), m.name.clone(), status, m.approval.is_some(), value)
                })
                .collect(),
            s.waiting,
            s.network.as_ref().map(|a| approved_text(u, a)).unwrap_or_default(),
            s.period.clone(),
            lines.iter().map(|l| line_of(state, u, locale, l)).collect(),
            seen_of(lines),
        ),
        None => Default::default(),
    };
    Ok(render(
        status,
        &NetworkPage {
            can_approve: found.as_ref().is_some_and(|(s, _)| s.network.is_none() && s.waiting == 0)
                && u.caller.actor.can_approve_network_figures(),
            t,
            q,
            period,
            periods: suggested_periods(),
            members,
            indicators,
            chosen,
            chosen_name,
            waiting,
            approval,
            seen,
            lines,
            differences,
        },
    ))
}

async fn approve_network(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(f): CsrfForm<ApproveForm>,
) -> Result<Response, Problem> {
    let q = ImpactQuery { period: f.period.clone(), ..ImpactQuery::default() };
    let r = match q.period() {
        Ok(period) => state.casework.approve_network_figures(&u.caller, period, &f.seen).await.map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    match r {
        Ok(_) => Ok(see_other(&format!("/impact/network?period={}", url_encode(&f.period)))),
        Err(
            p @ Problem::Casework(kinbridge_casework::Error::Domain(DomainError::NotFound | DomainError::Forbidden)),
        ) => Err(p),
        Err(p) => network_page(&state, &u, q, Some(p)).await,
    }
}

struct TableRow {
    label: String,
    member: String,
    network: String,
}

#[derive(Template)]
#[template(path = "impact_indicator.html")]
struct BreakdownPage {
    t: Frame,
    q: ImpactQuery,
    members: Vec<(String, String)>,
    id: String,
    name: String,
    heading: String,
    /// The breakdowns this indicator allows, code and words.
    dimensions: Vec<(String, String)>,
    chosen: String,
    chosen_label: String,
    total: TableRow,
    table: Vec<TableRow>,
    chart: Option<Rows>,
    periods: Vec<String>,
}

async fn breakdown(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    Query(q): Query<ImpactQuery>,
) -> Result<Response, Problem> {
    let Some(indicator) = state.casework.indicators().get(&id).cloned() else {
        return Err(Problem::not_found());
    };
    let members = member_choice(&state, &u).await?;
    let by = q.by().map_err(Problem::from)?;
    let dimension = match by.as_slice() {
        [] => indicator.by.first().copied(),
        [d] => Some(*d),
        _ => return Err(kinbridge_domain::DomainError::field("by", kinbridge_domain::ErrorCode::InvalidChoice).into()),
    };
    let answer: Result<Values, Problem> = match q.period() {
        Ok(period) => state
            .casework
            .impact_values(&u.caller, &id, q.org(), period, dimension.as_slice())
            .await
            .map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    let (v, problem) = match answer {
        Ok(v) => (Some(v), None),
        Err(p) if p.is_invalid_input() => (None, Some(p)),
        Err(p) => return Err(p),
    };
    let (t, status) = Frame::answering(&u, problem.as_ref());
    let k = kind(&indicator);
    let text = |f: Option<&Figure>| value_text(&u.tr, k, f.and_then(|f| f.value));
    let mut table = Vec::new();
    let mut total =
        TableRow { label: u.tr.text("impact-total").into_owned(), member: String::new(), network: String::new() };
    let mut chart = None;
    let mut heading_text = String::new();
    if let Some(v) = &v {
        total.member = text(v.member.first());
        total.network = text(v.network.first());
        let mut keys: Vec<&Vec<String>> = v
            .member
            .iter()
            .chain(&v.network)
            .skip_while(|f| f.key.is_empty())
            .filter(|f| !f.key.is_empty())
            .map(|f| &f.key)
            .collect();
        keys.sort();
        keys.dedup();
        let find = |list: &[Figure], key: &Vec<String>| list.iter().find(|f| &f.key == key).cloned();
        let mut items = Vec::new();
        for key in keys {
            let (m, n) = (find(&v.member, key), find(&v.network, key));
            let label = match dimension {
                Some(d) => key_text(&u.tr, d, &key[0]),
                None => key.join(", "),
            };
            let (mt, nt) = (text(m.as_ref()), text(n.as_ref()));
            items.push(Item {
                label: label.clone(),
                member: m.and_then(|f| f.value),
                network: n.and_then(|f| f.value),
                member_text: mt.clone(),
                network_text: nt.clone(),
            });
            table.push(TableRow { label, member: mt, network: nt });
        }
        if !items.is_empty() {
            chart = Some(rows(&items));
        }
        let period = kinbridge_impact::Period::parse(&v.period).ok();
        let member_name = state
            .casework
            .members()
            .await?
            .iter()
            .find(|m| m.code.as_str() == v.member_code)
            .map(|m| m.name.clone())
            .unwrap_or_default();
        heading_text = heading(
            &u.tr,
            &member_name,
            &v.member_code,
            &v.period,
            &period.map(|p| p.start().to_string()).unwrap_or_default(),
            &period.and_then(|p| p.end().pred_opt()).map(|d| d.to_string()).unwrap_or_default(),
        );
    }
    let locale = t.locale();
    let dimensions: Vec<(String, String)> =
        indicator.by.iter().map(|d| (d.as_str().to_string(), u.tr.term("dimension", d.as_str()))).collect();
    Ok(render(
        status,
        &BreakdownPage {
            chosen: dimension.map(|d| d.as_str().to_string()).unwrap_or_default(),
            chosen_label: dimension.map(|d| u.tr.term("dimension", d.as_str())).unwrap_or_default(),
            name: indicator.name(locale).to_string(),
            id: indicator.id.clone(),
            heading: heading_text,
            t,
            q,
            members,
            dimensions,
            total,
            table,
            chart,
            periods: suggested_periods(),
        },
    ))
}
