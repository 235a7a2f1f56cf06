//! What every server-rendered page shares: the frame (translator, user, CSRF token,
//! messages), rendering a template, the error page, redirects. Pages work without JavaScript.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use kinbridge_domain::Role;

use crate::auth::Signed;
use crate::error::Problem;
use crate::i18n::{Tr, LOCALES};

/// The signed-in user as the page header shows them.
#[derive(Clone)]
pub struct Me {
    pub name: String,
    pub member_code: String,
    pub role: &'static str,
    pub casework: bool,
    pub supervisor: bool,
    pub flows: bool,
    pub audit: bool,
    pub research: bool,
    /// Sees impact figures (their member's, or any member's for the General Secretariat).
    pub impact: bool,
    pub search: bool,
    pub archives: bool,
    pub unread: i64,
    /// Administers accounts (a member's administrator, the system administrator).
    pub admin: bool,
    pub members_admin: bool,
    /// Held from case files until their compulsory training is renewed.
    pub training_hold: bool,
}

/// What every page carries: the translator, the user, the CSRF token, messages.
#[derive(Clone)]
pub struct Frame {
    pub tr: Tr,
    pub me: Option<Me>,
    pub csrf: String,
    pub errors: Vec<String>,
    pub notice: Option<String>,
}

impl Frame {
    pub fn for_user(u: &Signed) -> Self {
        let actor = &u.caller.actor;
        Self {
            tr: u.tr.clone(),
            me: Some(Me {
                name: u.user.display_name.clone(),
                member_code: u.user.member_code.clone(),
                role: u.user.role.as_str(),
                casework: actor.has_casework(),
                supervisor: actor.role == Role::Supervisor,
                flows: actor.can_see_network_flows(),
                audit: actor.can_read_audit(),
                research: actor.can_read_research(),
                impact: actor.impact_reach() != kinbridge_domain::access::ImpactReach::None,
                search: actor.has_casework() || matches!(actor.role, Role::Archivist | Role::SystemAdmin),
                archives: actor.has_casework() || matches!(actor.role, Role::Archivist | Role::SystemAdmin),
                unread: u.unread,
                admin: matches!(actor.role, Role::MemberAdmin | Role::SystemAdmin),
                members_admin: actor.can_manage_members(),
                training_hold: actor.training_hold,
            }),
            csrf: u.csrf.clone(),
            errors: Vec::new(),
            notice: None,
        }
    }

    pub fn anonymous(tr: &Tr) -> Self {
        Self { tr: tr.clone(), me: None, csrf: String::new(), errors: Vec::new(), notice: None }
    }

    /// The frame of a page shown again after `problem` (if any), with the status to answer:
    /// the problem's, or 200.
    pub fn answering(u: &Signed, problem: Option<&Problem>) -> (Self, StatusCode) {
        match problem {
            Some(p) => (Self::for_user(u).with_problem(p), p.render(&u.tr).status),
            None => (Self::for_user(u), StatusCode::OK),
        }
    }

    pub fn with_problem(mut self, p: &Problem) -> Self {
        let r = p.render(&self.tr);
        if r.fields.is_empty() {
            self.errors.push(r.message);
        } else {
            self.errors.extend(r.fields.into_iter().map(|f| f.message));
        }
        self
    }

    pub fn get(&self, key: &str) -> std::borrow::Cow<'_, str> {
        self.tr.text(key)
    }
    pub fn arg(&self, key: &str, name: &str, value: &str) -> String {
        self.tr.arg(key, name, value)
    }
    pub fn args2(&self, key: &str, n1: &str, v1: &str, n2: &str, v2: &str) -> String {
        self.tr.args(key, &[(n1, v1), (n2, v2)])
    }
    pub fn count(&self, key: &str, n: &i64) -> String {
        self.tr.count(key, *n)
    }
    pub fn term(&self, prefix: &str, value: &str) -> std::borrow::Cow<'_, str> {
        self.tr.term_text(prefix, value)
    }
    pub fn facet_value(&self, dimension: &str, value: &str) -> String {
        self.tr.facet_value(dimension, value)
    }
    pub fn country(&self, code: &str) -> String {
        self.tr.country(code)
    }
    /// Country names of a list of codes, comma-separated.
    pub fn countries(&self, codes: &[String]) -> String {
        codes.iter().map(|c| self.tr.country(c)).collect::<Vec<_>>().join(", ")
    }
    /// Language names of a list of codes, comma-separated.
    pub fn languages(&self, codes: &[String]) -> String {
        codes.iter().map(|c| self.tr.language(c)).collect::<Vec<_>>().join(", ")
    }
    /// A date (a `NaiveDate`, or one as stored) in the reader's words.
    pub fn date(&self, d: impl std::fmt::Display) -> String {
        self.tr.date(&d.to_string())
    }
    /// A stored moment in the reader's words.
    pub fn moment(&self, stored: impl std::fmt::Display) -> String {
        self.tr.moment(&stored.to_string())
    }
    pub fn fact_value(&self, vocab: &Option<kinbridge_domain::case::Vocab>, value: &str) -> String {
        self.tr.fact_value(*vocab, value)
    }
    pub fn term_value(&self, vocab: &kinbridge_domain::case::Vocab, value: &str) -> String {
        self.tr.fact_value(Some(*vocab), value)
    }
    /// The label of a field named in a timeline change.
    pub fn field(&self, name: &str) -> std::borrow::Cow<'_, str> {
        self.tr.term_text("field", name)
    }
    /// How two values agree, in the matching engine's words ("variant or phonetic"), translated.
    pub fn agreement(&self, engine_words: &str) -> String {
        let key: String = engine_words.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        let key = key.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
        self.tr.term("agreement", &key)
    }
    pub fn locale(&self) -> &'static str {
        self.tr.locale
    }
    pub fn dir(&self) -> &'static str {
        self.tr.dir()
    }
    pub fn locales(&self) -> &'static [(&'static str, &'static str)] {
        LOCALES
    }
}

pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    // Pages run to tens of kilobytes: one allocation, not a dozen doublings and copies.
    let mut html = String::with_capacity(T::SIZE_HINT.max(32 * 1024));
    match page.render_into(&mut html) {
        Ok(()) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Frame,
    status: u16,
    message: String,
}

/// A whole page for an error: the translated message and what to do next.
pub fn error_page(tr: &Tr, p: &Problem) -> Response {
    if matches!(p, Problem::Unauthenticated) {
        return axum::response::Redirect::to("/login").into_response();
    }
    let r = p.render(tr);
    let mut message = r.message;
    for f in r.fields {
        message.push_str(&format!(" {}", f.message));
    }
    render(r.status, &ErrorPage { t: Frame::anonymous(tr), status: r.status.as_u16(), message })
}

pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The assignment form of cases and requests: one colleague's id.
#[derive(serde::Deserialize)]
pub(crate) struct AssignForm {
    #[serde(default)]
    pub(crate) assignee: String,
}

pub fn see_other(to: &str) -> Response {
    axum::response::Redirect::to(to).into_response()
}
