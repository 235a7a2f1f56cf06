//! A case's summary as PDF, for a court or an authority, in the language the caseworker
//! chooses: what the case is, its people and how they are related, the consents, the
//! assessments, the plan, the requests to partners, the tracing, the documents held (listed,
//! not attached) and the timeline. Internal notes only when asked for. Every page says it is
//! confidential and who exported it when.

use kinbridge_casework::cases::CaseDetail;
use kinbridge_domain::case::Fact;

use crate::error::Problem;
use crate::i18n::Tr;
use crate::pdf::{self, Block, Sheet};

/// Who exported the summary, for its footer.
pub struct Exporter<'a> {
    pub name: &'a str,
    pub member: &'a str,
}

pub fn render(tr: &Tr, d: &CaseDetail, by: &Exporter<'_>, now: &str) -> Result<Vec<u8>, Problem> {
    let blocks = blocks(tr, d, by, now);
    let title = format!("{} — {}", tr.get("summary-title"), d.case.reference);
    let footer = tr.args(
        "summary-footer",
        &[("reference", d.case.reference.as_str()), ("name", by.name), ("when", &tr.moment(now))],
    );
    let page_label = |n: usize, total: usize| {
        tr.args("summary-page", &[("n", n.to_string().as_str()), ("total", total.to_string().as_str())])
    };
    let sheet =
        Sheet { title: &title, language: tr.locale, rtl: tr.dir() == "rtl", footer: &footer, page_label: &page_label };
    pdf::render(&sheet, &blocks).map_err(|e| match e {
        pdf::PdfError::TooLong => {
            Problem::Casework(kinbridge_casework::Error::Conflict(kinbridge_domain::ErrorCode::SummaryTooLong))
        }
        pdf::PdfError::NoFonts => Problem::Unavailable,
        pdf::PdfError::Write(e) => {
            tracing::error!(error = %e, "case summary PDF failed");
            Problem::Unavailable
        }
    })
}

fn or_none(tr: &Tr, s: &str) -> String {
    if s.trim().is_empty() {
        tr.get("value-none")
    } else {
        s.to_string()
    }
}

fn blocks(tr: &Tr, d: &CaseDetail, by: &Exporter<'_>, now: &str) -> Vec<Block> {
    let c = &d.case;
    let field = |key: &str, value: String| Block::Field(tr.get(key), value);
    let date = |v: &dyn std::fmt::Display| tr.date(&v.to_string());
    let mut b = vec![
        Block::Title(format!("{} — {}", tr.get("summary-title"), c.reference)),
        Block::Note(
            tr.args("summary-exported", &[("name", by.name), ("member", by.member), ("when", &tr.moment(now))]),
        ),
        Block::Heading(c.title.clone()),
        field("field-reference", c.reference.clone()),
        field("field-service", tr.term("service", c.service.as_str())),
        field("field-status", tr.term("status", c.status.as_str())),
        field("field-opened_on", date(&c.opened_on)),
    ];
    if let Some(on) = c.closed_on {
        b.push(field("field-closed_on", date(&on)));
    }
    if let Some(o) = c.outcome {
        b.push(field("field-outcome", tr.term("outcome", o.as_str())));
    }
    b.push(field("field-assignee", c.assignee_name.clone().unwrap_or_else(|| tr.get("value-none"))));
    if let Some(pc) = &c.partner_country {
        b.push(field("field-partner_country", tr.country(pc)));
    }
    if let Some(risk) = d.risk {
        b.push(field("field-risk", tr.term("risk", risk.as_str())));
    }
    b.push(Block::Heading(tr.get("field-summary")));
    b.push(Block::Para(or_none(tr, &c.summary)));
    b.push(Block::Heading(tr.get("field-child_views")));
    b.push(Block::Para(or_none(tr, &c.child_views)));

    b.push(Block::Heading(tr.get("case-people")));
    for p in &d.people {
        let mut parts = vec![tr.term("prole", p.role.as_str()), tr.term("sex", p.sex.as_str())];
        if let Some(born) = &p.birth_date {
            let mut s = format!("{} {}", tr.get("field-birth_date"), tr.date(&born.to_storage()));
            if born.estimated {
                s.push_str(&format!(" ({})", tr.get("field-estimated")));
            }
            parts.push(s);
        }
        if !p.nationalities.is_empty() {
            let names: Vec<String> = p.nationalities.iter().map(|n| tr.country(n)).collect();
            parts.push(format!("{}: {}", tr.get("field-nationalities"), names.join(", ")));
        }
        if !p.languages.is_empty() {
            let names: Vec<String> = p.languages.iter().map(|l| tr.language(l)).collect();
            parts.push(format!("{}: {}", tr.get("field-languages"), names.join(", ")));
        }
        b.push(Block::Item(format!("{} — {}", p.full_name(), parts.join(" · "))));
    }
    let name_of = |id: &kinbridge_domain::ids::PersonId| {
        d.people.iter().find(|p| &p.id == id).map(|p| p.full_name()).unwrap_or_default()
    };
    if !d.relationships.is_empty() {
        b.push(Block::Heading(tr.get("case-relationships")));
        for r in &d.relationships {
            b.push(Block::Item(format!(
                "{} — {} — {}",
                name_of(&r.from_person_id),
                tr.term("rel", r.kind.as_str()),
                name_of(&r.to_person_id)
            )));
        }
    }

    b.push(Block::Heading(tr.get("case-consent")));
    for k in &d.consents {
        let mut line = format!("{} — {}, {}", tr.term("scope", &k.scope), k.given_by, tr.date(&k.given_on));
        if let Some(w) = &k.withdrawn_on {
            line.push_str(&format!(" — {} {}", tr.get("event-consent_withdrawn"), tr.date(w)));
        }
        b.push(Block::Item(line));
    }

    if !d.assessments.is_empty() {
        b.push(Block::Heading(tr.get("assessments-title")));
        for a in &d.assessments {
            let mut line = format!(
                "{} — {} — {}",
                tr.term("assessment", a.kind.as_str()),
                tr.term("astatus", a.status.as_str()),
                a.author_name
            );
            if let (Some(who), Some(when)) = (&a.signed_by_name, &a.signed_at) {
                line.push_str(&format!(" — {} {}, {}", tr.get("assessments-signed-by"), who, tr.moment(when)));
            }
            b.push(Block::Item(line));
        }
    }

    if !d.plan.goals.is_empty() || !d.plan.tasks.is_empty() || !d.plan.reviews.is_empty() {
        b.push(Block::Heading(tr.get("plan-title")));
        for g in &d.plan.goals {
            b.push(Block::Item(format!("{} — {}", g.text, tr.term("goal", g.status.as_str()))));
        }
        for t in &d.plan.tasks {
            let state = match t.done_on {
                Some(on) => format!("{} {}", tr.get("plan-task-done"), date(&on)),
                None => format!("{} {}", tr.get("field-due_on"), date(&t.due_on)),
            };
            b.push(Block::Item(format!("{} — {} — {}", t.title, t.owner_name, state)));
        }
        for r in &d.plan.reviews {
            b.push(Block::Item(format!(
                "{} {} — {} — {}",
                tr.get("field-held_on"),
                date(&r.held_on),
                r.by_name,
                r.summary
            )));
        }
    }

    if !d.requests.is_empty() {
        b.push(Block::Heading(tr.get("case-requests")));
        for r in &d.requests {
            b.push(Block::Item(format!(
                "{} — {} → {} ({}) — {} — {} {}",
                r.subject,
                tr.term("kind", r.kind.as_str()),
                r.to_member_code,
                tr.country(&r.to_country),
                tr.term("rstatus", r.status.as_str()),
                tr.get("field-due_on"),
                date(&r.due_on)
            )));
        }
    }

    if !d.tracing_requests.is_empty() {
        b.push(Block::Heading(tr.get("case-tracing")));
        for t in &d.tracing_requests {
            let mut line = format!("{} — {} ({})", t.sought_name, t.inquirer_name, t.relation);
            if !t.last_seen_place.is_empty() {
                line.push_str(&format!(" — {}: {}", tr.get("field-last_seen_place"), t.last_seen_place));
            }
            line.push_str(&format!(" — {}", tr.term("tstatus", t.status.as_str())));
            b.push(Block::Item(line));
        }
    }

    b.push(Block::Heading(tr.get("case-documents")));
    if d.documents.is_empty() {
        b.push(Block::Para(tr.get("value-none")));
    }
    for doc in &d.documents {
        b.push(Block::Item(format!("{} — {}", doc.filename, tr.moment(&doc.created_at))));
    }

    if !d.notes.is_empty() {
        b.push(Block::Heading(tr.get("case-notes")));
        for n in &d.notes {
            b.push(Block::Item(format!("{} — {}: {}", tr.moment(&n.created_at), n.author_name, n.body)));
        }
    }

    b.push(Block::Heading(tr.get("case-timeline")));
    for e in &d.timeline {
        let facts: Vec<String> = e
            .facts
            .iter()
            .map(|f| match f {
                Fact::Text { v } => v.clone(),
                Fact::Term { vocab, v } => tr.fact_value(Some(*vocab), v),
                Fact::Change { field, vocab, before, after } => format!(
                    "{}: {} {} {}",
                    tr.term("field", field),
                    tr.fact_value(*vocab, before),
                    tr.get("change-arrow"),
                    tr.fact_value(*vocab, after)
                ),
            })
            .collect();
        let mut line = format!("{} — {}", tr.moment(&e.at), tr.term("event", e.kind.as_str()));
        if !facts.is_empty() {
            line.push_str(&format!(": {}", facts.join(" · ")));
        }
        if let Some(a) = &e.actor_name {
            line.push_str(&format!(" ({a})"));
        }
        b.push(Block::Item(line));
    }
    b
}

/// Records the export and answers the summary as an attachment.
pub(crate) async fn export(
    state: &crate::AppState,
    u: &crate::auth::Signed,
    id: &str,
    language: &str,
    with_notes: bool,
) -> Result<axum::response::Response, Problem> {
    let tr = u.tr.in_language(language).ok_or_else(|| Problem::BadQuery("language".into()))?;
    let d = state.casework.export_case_summary(&u.caller, id, tr.locale, with_notes).await?;
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let by = Exporter { name: &u.user.display_name, member: &u.user.member_name };
    let bytes = render(&tr, &d, &by, &now)?;
    let name = format!("{}-{}-{}.pdf", d.case.reference, tr.get("summary-title"), tr.locale);
    Ok(crate::files::attachment(&name, "application/pdf", bytes.into()))
}
