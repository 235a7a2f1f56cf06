//! Signing in and out, and the user's language.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use kinbridge_casework::accounts::LoginOutcome;
use kinbridge_domain::ErrorCode;
use serde::Deserialize;

use crate::auth::{cookie, Auth, CsrfForm, PageUser, LANG_COOKIE, PRELOGIN_COOKIE, SESSION_COOKIE};
use crate::error::Problem;
use crate::i18n::{Catalogues, Tr};
use crate::page::{render, see_other, Frame};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/locale", post(set_locale))
        .route("/account", get(account_page))
        .route("/account/time-zone", post(set_time_zone))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    t: Frame,
    zones: &'static [chrono_tz::Tz],
    current: String,
}

/// The signed-in user's own settings: language and time zone.
async fn account_page(PageUser(u): PageUser) -> Response {
    let t = Frame::for_user(&u);
    render(StatusCode::OK, &AccountPage { t, zones: &chrono_tz::TZ_VARIANTS, current: u.user.time_zone.clone() })
}

#[derive(Deserialize)]
struct ZoneForm {
    #[serde(default)]
    time_zone: String,
}

async fn set_time_zone(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(f): CsrfForm<ZoneForm>,
) -> Result<Response, Problem> {
    state.casework.set_time_zone(&u.caller, &f.time_zone).await?;
    state.sessions.forget_user(u.user.id.as_str());
    Ok(see_other("/account").into_response())
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Frame,
    prelogin: String,
    next: String,
    email: String,
}

#[derive(Deserialize, Default)]
struct LoginQuery {
    next: Option<String>,
    lang: Option<String>,
}

/// Only paths of this site, so that a crafted link cannot send a user elsewhere after
/// sign-in. Browsers drop tabs and line breaks from a URL and read `\\` as `/`, so a path
/// is refused when it, or its percent-decoded form, holds a control character, a space or a
/// backslash, or starts with `//`; what is kept is also a valid `Location` header.
fn safe_next(next: Option<&str>) -> String {
    let local = |p: &str| {
        p.starts_with('/')
            && !p.starts_with("//")
            && !p.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    };
    match next {
        Some(n) if local(n) && local(&percent_decoded(n)) => n.to_string(),
        _ => "/".into(),
    }
}

fn percent_decoded(s: &str) -> std::borrow::Cow<'_, str> {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy()
}

fn cookie_header(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}", if secure { "; Secure" } else { "" })
}

async fn login_page(State(state): State<AppState>, auth: Auth, Query(q): Query<LoginQuery>) -> Response {
    let mut tr = auth.tr.clone();
    let mut headers = Vec::new();
    if let Some(lang) = q.lang.as_deref() {
        let chosen = Catalogues::negotiate(lang);
        tr = Tr::new(state.i18n.clone(), chosen);
        headers.push(cookie_header(LANG_COOKIE, chosen, 31_536_000, state.secure_cookies));
    }
    let prelogin = uuid::Uuid::new_v4().simple().to_string();
    headers.push(cookie_header(PRELOGIN_COOKIE, &prelogin, 3600, state.secure_cookies));
    let page =
        LoginPage { t: Frame::anonymous(&tr), prelogin, next: safe_next(q.next.as_deref()), email: String::new() };
    let mut resp = render(StatusCode::OK, &page);
    for h in headers {
        if let Ok(v) = h.parse() {
            resp.headers_mut().append(SET_COOKIE, v);
        }
    }
    resp
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

async fn login(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let tr = auth.tr.clone();
    let again = |problem: Problem, status: StatusCode| {
        let prelogin = uuid::Uuid::new_v4().simple().to_string();
        let page = LoginPage {
            t: Frame::anonymous(&tr).with_problem(&problem),
            prelogin: prelogin.clone(),
            next: safe_next(Some(&f.next)),
            email: f.email.clone(),
        };
        let mut resp = render(status, &page);
        if let Ok(v) = cookie_header(PRELOGIN_COOKIE, &prelogin, 3600, state.secure_cookies).parse() {
            resp.headers_mut().append(SET_COOKIE, v);
        }
        if let Some(seconds) = problem.retry_after() {
            resp.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        resp
    };
    // The login form has no session yet: its CSRF token is a cookie echoed in the form.
    if cookie(&headers, PRELOGIN_COOKIE).as_deref() != Some(f.csrf.as_str()) || f.csrf.is_empty() {
        return again(Problem::BadCsrf, StatusCode::FORBIDDEN);
    }
    match state.casework.login(&f.email, &f.password, &auth.ip).await {
        Ok(LoginOutcome::LoggedIn { token, .. }) => {
            let mut resp = see_other(&safe_next(Some(&f.next)));
            if let Ok(v) = cookie_header(SESSION_COOKIE, &token, 12 * 3600, state.secure_cookies).parse() {
                resp.headers_mut().append(SET_COOKIE, v);
            }
            if let Ok(v) = cookie_header(PRELOGIN_COOKIE, "", 0, state.secure_cookies).parse() {
                resp.headers_mut().append(SET_COOKIE, v);
            }
            resp
        }
        Ok(LoginOutcome::BadCredentials) => {
            again(Problem::BadBody(ErrorCode::BadCredentials), StatusCode::UNAUTHORIZED)
        }
        Ok(LoginOutcome::TooManyAttempts { retry_after }) => again(
            Problem::TooManyAttempts((retry_after.as_millis() as u64).div_ceil(1000).max(1)),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(e) => again(Problem::Casework(e), StatusCode::INTERNAL_SERVER_ERROR),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn logout(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    auth: Auth,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, Problem> {
    if let Some(token) = &auth.token {
        state.casework.logout(&u.caller, token).await?;
        state.sessions.forget(token);
    }
    let mut resp = see_other("/login");
    if let Ok(v) = cookie_header(SESSION_COOKIE, "", 0, state.secure_cookies).parse() {
        resp.headers_mut().append(SET_COOKIE, v);
    }
    Ok(resp)
}

#[derive(Deserialize)]
struct LocaleForm {
    locale: String,
}

async fn set_locale(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    headers: axum::http::HeaderMap,
    CsrfForm(f): CsrfForm<LocaleForm>,
) -> Result<Response, Problem> {
    state.casework.set_locale(&u.caller, &f.locale).await?;
    state.sessions.forget_user(u.user.id.as_str());
    // Back to the page the user was on, if it was one of ours.
    let back = headers
        .get(axum::http::header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()));
    Ok(see_other(&safe_next(back.as_deref())).into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/cases?page=2")), "/cases?page=2");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        // Browsers drop tabs and line breaks: "/\t/evil.example" is "//evil.example" to them.
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/%09/evil.example")), "/");
        assert_eq!(safe_next(Some("/%0A/x")), "/");
        assert_eq!(safe_next(Some("/\n/x")), "/");
        assert_eq!(safe_next(Some("/%2F/evil.example")), "/");
        assert_eq!(safe_next(Some("/%5Cevil.example")), "/");
        assert_eq!(safe_next(Some("/search?q=caf%C3%A9")), "/search?q=caf%C3%A9");
    }
}
