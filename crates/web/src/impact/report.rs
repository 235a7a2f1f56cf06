//! The network's annual report, as a page and as PDF (the same blocks): its approved figures
//! under the public page's disclosure control, which members approved, the SROI analyses of
//! the year with their ranges, and the data statement. Also made at the command line.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use kinbridge_casework::impact::AnnualReport;
use kinbridge_casework::Casework;
use kinbridge_domain::access::ImpactReach;
use kinbridge_domain::DomainError;
use kinbridge_impact::Period;

use super::pages::value_text;
use super::ImpactQuery;
use crate::auth::PageUser;
use crate::error::Problem;
use crate::i18n::Tr;
use crate::page::{render, Frame};
use crate::pdf::{self, Block, Sheet};
use crate::AppState;

pub fn pages() -> Router<AppState> {
    Router::new().route("/impact/report", get(page)).route("/impact/report.pdf", get(pdf_file))
}

/// The report in blocks, for the page and the PDF alike.
fn blocks(tr: &Tr, casework: &Casework, r: &AnnualReport) -> Vec<Block> {
    let f = &r.figures;
    let locale = tr.locale;
    let mut b = vec![
        Block::Title(tr.arg("report-title", "year", &f.period)),
        Block::Note(tr.args(
            "impact-public-heading",
            &[("year", &f.period), ("at", &tr.date(&f.approved_at[..f.approved_at.len().min(10)]))],
        )),
        Block::Heading(tr.get("report-figures")),
    ];
    for p in &f.figures {
        let name = casework.indicators().get(&p.indicator).map_or(p.indicator.clone(), |i| i.name(locale).to_string());
        let value = if p.withheld {
            tr.arg("impact-withheld", "threshold", &f.threshold.to_string())
        } else {
            value_text(tr, p.kind, p.value)
        };
        b.push(Block::Field(name, value));
    }
    b.push(Block::Heading(tr.get("impact-members-approval")));
    for m in r.members.iter().filter(|m| m.has_cases) {
        let status = match &m.approval {
            Some(a) => tr.args("report-approved-on", &[("name", &a.by), ("at", &tr.date(&a.at[..a.at.len().min(10)]))]),
            None => tr.get("impact-not-approved"),
        };
        b.push(Block::Item(format!("{} ({}): {status}", m.name, m.code)));
    }
    b.push(Block::Heading(tr.get("nav-sroi")));
    if r.sroi.is_empty() {
        b.push(Block::Para(tr.get("sroi-none")));
    }
    for s in &r.sroi {
        let ratio = |v: Option<f64>| v.map_or_else(|| tr.get("impact-no-data"), |v| format!("{v:.2}"));
        b.push(Block::Field(
            s.title.clone(),
            tr.args(
                "report-sroi-line",
                &[("ratio", &ratio(s.ratio)), ("low", &ratio(s.low)), ("high", &ratio(s.high))],
            ),
        ));
    }
    b.push(Block::Heading(tr.get("report-statement-title")));
    b.push(Block::Para(tr.arg("report-statement", "threshold", &f.threshold.to_string())));
    b
}

/// The report as PDF in a language, or none before the year is approved.
pub async fn report_pdf(casework: &Casework, tr: &Tr, year: Period) -> Result<Option<Vec<u8>>, Problem> {
    let Some(r) = casework.annual_report(year).await? else { return Ok(None) };
    let blocks = blocks(tr, casework, &r);
    let title = tr.arg("report-title", "year", &r.figures.period);
    let footer = title.clone();
    let page_label = |n: usize, total: usize| {
        tr.args("summary-page", &[("n", n.to_string().as_str()), ("total", total.to_string().as_str())])
    };
    let sheet =
        Sheet { title: &title, language: tr.locale, rtl: tr.dir() == "rtl", footer: &footer, page_label: &page_label };
    pdf::render(&sheet, &blocks).map(Some).map_err(|e| {
        if let pdf::PdfError::Write(e) = &e {
            tracing::error!(error = %e, "annual report PDF failed");
        }
        Problem::Unavailable
    })
}

fn year_of(q: &ImpactQuery) -> Result<Period, Problem> {
    match q.period()? {
        p @ Period::Year { .. } => Ok(p),
        _ => Err(DomainError::field("period", kinbridge_domain::ErrorCode::InvalidPeriod).into()),
    }
}

fn may_read(u: &crate::auth::Signed) -> Result<(), Problem> {
    if u.caller.actor.impact_reach() == ImpactReach::None {
        return Err(DomainError::Forbidden.into());
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "impact_report.html")]
struct ReportPage {
    t: Frame,
    period: String,
    /// The report's blocks as (kind, text, value): rendered by kind.
    blocks: Vec<(&'static str, String, String)>,
}

async fn page(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ImpactQuery>,
) -> Result<Response, Problem> {
    may_read(&u)?;
    let year = year_of(&q)?;
    let report = state.casework.annual_report(year).await?;
    let blocks = report
        .map(|r| {
            blocks(&u.tr, &state.casework, &r)
                .into_iter()
                .map(|b| match b {
                    Block::Title(t) => ("title", t, String::new()),
                    Block::Heading(t) => ("heading", t, String::new()),
                    Block::Para(t) => ("para", t, String::new()),
                    Block::Field(k, v) => ("field", k, v),
                    Block::Item(t) => ("item", t, String::new()),
                    Block::Note(t) => ("note", t, String::new()),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(render(StatusCode::OK, &ReportPage { t: Frame::for_user(&u), period: year.to_string(), blocks }))
}

async fn pdf_file(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ImpactQuery>,
) -> Result<Response, Problem> {
    may_read(&u)?;
    let year = year_of(&q)?;
    let Some(bytes) = report_pdf(&state.casework, &u.tr, year).await? else { return Err(Problem::not_found()) };
    state
        .casework
        .audit(vec![u.caller.entry(
            kinbridge_domain::audit::AuditAction::Download,
            "impact_report",
            Some(&year.to_string()),
            "",
        )])
        .await?;
    Ok(crate::files::attachment(&format!("kinbridge-annual-report-{year}.pdf"), "application/pdf", bytes.into()))
}
