//! The academy's pages. A quiz is a plain form (no script): each question's answer is sent
//! under its id, choices as the positions shown; "save" keeps the answers, "submit" grades.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use kinbridge_casework::training::{AttemptView, CertificateLine, Compliance, CourseSummary, Due, Verification};
use kinbridge_domain::access::TrainingReach;
use kinbridge_domain::{DomainError, ErrorCode};
use kinbridge_training::course::{pick, Body};
use kinbridge_training::quiz::Shown;
use serde::Deserialize;

use crate::auth::{Auth, CsrfForm, PageUser};
use crate::error::Problem;
use crate::page::{render, see_other, Frame};
use crate::pdf::{self, Block, Sheet};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/training", get(home))
        .route("/training/courses/{code}", get(course))
        .route("/training/courses/{code}/attempts", post(start))
        .route("/training/attempts/{id}", get(attempt).post(answer))
        .route("/training/certificates/{code}", get(certificate_pdf))
        .route("/training/compliance", get(compliance))
        .route("/verify", get(verify))
}

#[derive(Template)]
#[template(path = "training.html")]
struct HomePage {
    t: Frame,
    dues: Vec<Due>,
    courses: Vec<CourseSummary>,
    certificates: Vec<CertificateLine>,
    compliance: bool,
}

async fn home(State(state): State<AppState>, PageUser(u): PageUser) -> Result<Response, Problem> {
    let today = kinbridge_casework::today();
    let dues = state.casework.my_training(&u.caller, today).await?;
    let courses = state.casework.courses(u.tr.locale).await?;
    let certificates = state.casework.my_certificates(&u.caller, u.tr.locale).await?;
    let compliance = u.caller.actor.training_reach() == TrainingReach::OwnPeople;
    Ok(render(StatusCode::OK, &HomePage { t: Frame::for_user(&u), dues, courses, certificates, compliance }))
}

#[derive(Template)]
#[template(path = "training_course.html")]
struct CoursePage {
    t: Frame,
    code: String,
    title: String,
    summary: String,
    /// (title, rendered HTML or none, video address, video description)
    modules: Vec<(String, Option<String>, Option<String>, String)>,
    has_quiz: bool,
    pass_mark: u32,
    questions: usize,
    minutes: Option<u32>,
    attempts: Vec<kinbridge_store::training::AttemptRow>,
}

async fn course(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let Some((_, _, content)) = state.casework.course_content(&code).await? else {
        return Err(DomainError::NotFound.into());
    };
    let lang = u.tr.locale;
    let langs = &content.languages;
    let modules = content
        .modules
        .iter()
        .map(|m| {
            let title = pick(&m.titles, lang, langs).to_string();
            match &m.body {
                Body::Text { markdown } => {
                    (title, Some(kinbridge_training::text::render(pick(markdown, lang, langs))), None, String::new())
                }
                Body::Video { url, description } => {
                    (title, None, Some(url.clone()), pick(description, lang, langs).to_string())
                }
            }
        })
        .collect();
    let attempts = state.casework.my_attempts(&u.caller, &code).await?;
    let drawn =
        content.quiz.draw.map_or(content.questions.iter().filter(|q| q.language == lang).count(), |d| d as usize);
    let page = CoursePage {
        t: Frame::for_user(&u),
        title: pick(&content.titles, lang, langs).to_string(),
        summary: pick(&content.summaries, lang, langs).to_string(),
        modules,
        has_quiz: content.has_quiz(),
        pass_mark: content.quiz.pass_mark,
        questions: drawn,
        minutes: content.quiz.time_limit_minutes,
        attempts,
        code,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
struct Empty {}

async fn start(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(code): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, Problem> {
    let id = state.casework.start_attempt(&u.caller, &code, u.tr.locale).await?;
    Ok(see_other(&format!("/training/attempts/{id}")))
}

#[derive(Template)]
#[template(path = "training_attempt.html")]
struct AttemptPage {
    t: Frame,
    a: AttemptView,
    percent: String,
}

impl AttemptPage {
    fn chosen(&self, q: &&usize, position: &usize) -> bool {
        match &self.a.questions[**q].answer {
            Some(Shown::Choice(p)) => p == position,
            Some(Shown::Choices(ps)) => ps.contains(position),
            _ => false,
        }
    }

    fn said(&self, q: &&usize, value: bool) -> bool {
        matches!(&self.a.questions[**q].answer, Some(Shown::Bool(b)) if *b == value)
    }

    fn typed(&self, q: &&usize) -> String {
        match &self.a.questions[**q].answer {
            Some(Shown::Text(t)) => t.clone(),
            _ => String::new(),
        }
    }

    fn matched(&self, q: &&usize, stem: &&usize, position: &usize) -> bool {
        matches!(&self.a.questions[**q].answer, Some(Shown::Matches(m)) if m.get(**stem).copied().flatten() == Some(*position))
    }
}

async fn show_attempt(
    state: &AppState,
    u: &crate::auth::Signed,
    id: &str,
    problem: Option<&Problem>,
) -> Result<Response, Problem> {
    let a = state.casework.attempt(&u.caller, id).await?;
    let (t, status) = Frame::answering(u, problem);
    let percent = a.percent.map(|p| format!("{p:.0}")).unwrap_or_default();
    Ok(render(status, &AttemptPage { t, a, percent }))
}

async fn attempt(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    show_attempt(&state, &u, &id, None).await
}

/// Reads the posted answers: `a-{question}` for a choice (repeated for several), a true/false
/// or a text; `m-{question}-{n}` for the n-th item of a matching question.
fn answers(form: &[(String, String)], a: &AttemptView) -> Result<BTreeMap<String, Shown>, Problem> {
    let bad = || Problem::from(DomainError::field("answers", ErrorCode::InvalidValue));
    let mut out = BTreeMap::new();
    for q in &a.questions {
        let key = format!("a-{}", q.id);
        let values: Vec<&str> = form.iter().filter(|(k, _)| *k == key).map(|(_, v)| v.as_str()).collect();
        let shown = match q.kind {
            "single_choice" => match values.first() {
                Some(v) => Some(Shown::Choice(v.parse().map_err(|_| bad())?)),
                None => None,
            },
            "multiple_choice" => {
                let ps = values.iter().map(|v| v.parse::<usize>().map_err(|_| bad())).collect::<Result<Vec<_>, _>>()?;
                (!ps.is_empty()).then_some(Shown::Choices(ps))
            }
            "true_false" => match values.first() {
                Some(&"true") => Some(Shown::Bool(true)),
                Some(&"false") => Some(Shown::Bool(false)),
                Some(_) => return Err(bad()),
                None => None,
            },
            "short_answer" => values.first().filter(|v| !v.trim().is_empty()).map(|v| Shown::Text(v.to_string())),
            "matching" => {
                let mut m = Vec::with_capacity(q.stems.len());
                for n in 0..q.stems.len() {
                    let key = format!("m-{}-{n}", q.id);
                    let v = form.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_str()).unwrap_or("");
                    m.push(if v.is_empty() { None } else { Some(v.parse::<usize>().map_err(|_| bad())?) });
                }
                m.iter().any(Option::is_some).then_some(Shown::Matches(m))
            }
            _ => None,
        };
        if let Some(s) = shown {
            out.insert(q.id.clone(), s);
        }
    }
    // A field naming a question not in the attempt is refused, not ignored.
    let known =
        |k: &str| a.questions.iter().any(|q| k == format!("a-{}", q.id) || k.starts_with(&format!("m-{}-", q.id)));
    if form.iter().any(|(k, _)| (k.starts_with("a-") || k.starts_with("m-")) && !known(k)) {
        return Err(DomainError::field("answers", ErrorCode::NotInAttempt).into());
    }
    Ok(out)
}

async fn answer(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let view = state.casework.attempt(&u.caller, &id).await?;
    let submit = form.iter().any(|(k, v)| k == "action" && v == "submit");
    let done = match answers(&form, &view) {
        Ok(given) => state.casework.answer(&u.caller, &id, given, submit).await.map_err(Problem::from),
        Err(p) => Err(p),
    };
    match done {
        Ok(()) => Ok(see_other(&format!("/training/attempts/{id}"))),
        Err(p @ Problem::Casework(kinbridge_casework::Error::Domain(DomainError::NotFound))) => Err(p),
        Err(p) => show_attempt(&state, &u, &id, Some(&p)).await,
    }
}

async fn certificate_pdf(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let code = code.strip_suffix(".pdf").unwrap_or(&code);
    let c = state.casework.certificate(&u.caller, code).await?;
    let tr = &u.tr;
    let public = state.mail.as_ref().map_or(String::new(), |m| m.public_url.clone());
    let link = format!("{public}/verify?code={}", c.code);
    let mut blocks = vec![
        Block::Title(tr.get("certificate-title")),
        Block::Para(tr.args("certificate-text", &[("name", &c.holder), ("course", &c.course)])),
        Block::Field(tr.get("certificate-member"), c.member.clone()),
        Block::Field(tr.get("certificate-score"), format!("{:.0} %", c.percent)),
        Block::Field(tr.get("certificate-issued"), tr.date(&c.issued_on)),
    ];
    if let Some(e) = &c.expires_on {
        blocks.push(Block::Field(tr.get("certificate-expires"), tr.date(e)));
    }
    blocks.push(Block::Field(tr.get("certificate-code"), c.code.clone()));
    blocks.push(Block::Note(tr.arg("certificate-check", "link", &link)));
    let title = tr.get("certificate-title");
    let page_label = |n: usize, total: usize| {
        tr.args("summary-page", &[("n", n.to_string().as_str()), ("total", total.to_string().as_str())])
    };
    let sheet =
        Sheet { title: &title, language: tr.locale, rtl: tr.dir() == "rtl", footer: &c.code, page_label: &page_label };
    let bytes = pdf::render(&sheet, &blocks).map_err(|e| {
        if let pdf::PdfError::Write(e) = &e {
            tracing::error!(error = %e, "certificate PDF failed");
        }
        Problem::Unavailable
    })?;
    Ok(crate::files::attachment(
        &format!("certificate-{}-{}.pdf", c.course_code, c.code),
        "application/pdf",
        Bytes::from(bytes),
    ))
}

#[derive(Deserialize, Default)]
struct VerifyQuery {
    #[serde(default)]
    code: String,
}

#[derive(Template)]
#[template(path = "training_verify.html")]
struct VerifyPage {
    t: Frame,
    typed: String,
    result: Option<Verification>,
}

/// The public check of a certificate: no account needed, nothing shown but the status, the
/// holder's initials, the member and the course.
async fn verify(State(state): State<AppState>, auth: Auth, Query(q): Query<VerifyQuery>) -> Result<Response, Problem> {
    let typed: String = q.code.chars().take(64).collect();
    let result = if typed.trim().is_empty() {
        None
    } else {
        Some(state.casework.verify_certificate(&typed, Some(&auth.ip), kinbridge_casework::today()).await?)
    };
    Ok(render(StatusCode::OK, &VerifyPage { t: Frame::anonymous(&auth.tr), typed, result }))
}

#[derive(Deserialize, Default)]
struct ComplianceQuery {
    #[serde(default)]
    format: String,
}

#[derive(Template)]
#[template(path = "training_compliance.html")]
struct CompliancePage {
    t: Frame,
    c: Compliance,
}

impl CompliancePage {
    fn standing_of(&self, person: &&usize, course: &str) -> Option<&Due> {
        self.c.people[**person].courses.iter().find(|d| d.course == course)
    }
}

async fn compliance(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ComplianceQuery>,
) -> Result<Response, Problem> {
    let c = state.casework.compliance(&u.caller, &u.user.member_code, kinbridge_casework::today(), u.tr.locale).await?;
    if q.format == "csv" {
        let mut w = csv::Writer::from_writer(Vec::new());
        let row = |w: &mut csv::Writer<Vec<u8>>, r: [&str; 5]| w.write_record(r).map_err(|_| Problem::Unavailable);
        row(&mut w, ["person", "role", "course", "standing", "deadline"])?;
        for p in &c.people {
            for d in &p.courses {
                row(&mut w, [&p.name, &p.role, &d.course, d.standing.key(), &d.standing.deadline().to_string()])?;
            }
        }
        let bytes = w.into_inner().map_err(|_| Problem::Unavailable)?;
        return Ok(crate::files::attachment(
            &format!("compliance-{}.csv", c.member),
            "text/csv; charset=utf-8",
            Bytes::from(bytes),
        ));
    }
    Ok(render(StatusCode::OK, &CompliancePage { t: Frame::for_user(&u), c }))
}
