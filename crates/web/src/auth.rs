//! Who is calling: the session resolved once per request (cookie for pages, bearer token for
//! the API), the caller's language, and CSRF-checked form bodies.

use kinbridge_domain::ErrorCode;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kinbridge_casework::accounts::{Session, User};
use kinbridge_casework::Caller;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::Problem;
use crate::i18n::Tr;
use crate::AppState;

pub const SESSION_COOKIE: &str = "kb_session";
pub const PRELOGIN_COOKIE: &str = "kb_prelogin";
pub const LANG_COOKIE: &str = "kb_lang";

/// What the session middleware found, stored in the request's extensions.
#[derive(Clone)]
pub struct Auth {
    pub session: Option<Session>,
    pub token: Option<String>,
    pub bearer: bool,
    pub ip: String,
    pub tr: Tr,
}

pub fn cookie(parts: &axum::http::HeaderMap, name: &str) -> Option<String> {
    parts
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Resolves the session and language once, for every route.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let bearer_token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let bearer = bearer_token.is_some();
    let token = bearer_token.or_else(|| cookie(headers, SESSION_COOKIE));
    let session = match &token {
        Some(t) if t.len() <= 128 => match state.sessions.get(&state.casework, t).await {
            Ok(s) => s,
            Err(e) => {
                let tr = Tr::new(state.i18n.clone(), "en");
                return crate::page::error_page(&tr, &Problem::Casework(e));
            }
        },
        _ => None,
    };
    let lang = match &session {
        Some(s) => s.user.locale.clone(),
        None => cookie(headers, LANG_COOKIE)
            .or_else(|| headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(str::to_string))
            .unwrap_or_default(),
    };
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let ip = match peer {
        Some(peer) => client_ip(peer, req.headers(), &state.trusted_proxies).to_string(),
        None => "unknown".into(),
    };
    let mut tr = Tr::new(state.i18n.clone(), &lang);
    if let Some(s) = &session {
        tr = tr.in_zone(&s.user.time_zone);
    }
    let auth = Auth { session, token, bearer, ip, tr };
    req.extensions_mut().insert(auth);
    next.run(req).await
}

/// The client's address: the connection's, unless it comes from a trusted proxy; then the
/// last address in `X-Forwarded-For` that is not itself a trusted proxy (each proxy appends
/// the address it was reached from, so the ones before are whatever the client wrote).
pub fn client_ip(peer: IpAddr, headers: &axum::http::HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded.into_iter().rev().find(|a| !trusted.contains(a)).unwrap_or(peer)
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Auth>()
            .cloned()
            .ok_or_else(|| axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response())
    }
}

/// A signed-in user. Pages redirect to the login page without one; the API answers 401.
#[derive(Clone)]
pub struct Signed {
    pub user: User,
    pub caller: Caller,
    pub csrf: String,
    pub tr: Tr,
    pub bearer: bool,
    /// Unread notifications, for the page header.
    pub unread: i64,
}

impl Signed {
    fn from_auth(auth: &Auth) -> Option<Self> {
        let s = auth.session.as_ref()?;
        Some(Self {
            user: s.user.clone(),
            caller: Caller {
                actor: kinbridge_domain::Actor { training_hold: s.training_hold, ..s.user.actor() },
                ip: Some(auth.ip.clone()),
            },
            csrf: s.csrf_token.clone(),
            tr: auth.tr.clone(),
            bearer: auth.bearer,
            unread: s.unread_notices,
        })
    }
}

/// The page flavour: redirects to the login page.
pub struct PageUser(pub Signed);

impl<S: Send + Sync> FromRequestParts<S> for PageUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let auth = Auth::from_request_parts(parts, s).await?;
        match Signed::from_auth(&auth) {
            Some(u) => Ok(Self(u)),
            None => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                let target = format!("/login?next={}", crate::page::url_encode(next));
                Err(axum::response::Redirect::to(&target).into_response())
            }
        }
    }
}

/// The API flavour: answers 401 in JSON. Cookie sessions must send the CSRF token in
/// `X-CSRF-Token` for anything but GET; bearer tokens cannot be sent by another site.
pub struct ApiUser(pub Signed);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let auth = Auth::from_request_parts(parts, s).await?;
        let Some(user) = Signed::from_auth(&auth) else {
            return Err(crate::api::error_response(&auth.tr, &Problem::Unauthenticated));
        };
        let safe = parts.method == axum::http::Method::GET || parts.method == axum::http::Method::HEAD;
        if !user.bearer && !safe {
            let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
            if sent != Some(user.csrf.as_str()) {
                return Err(crate::api::error_response(&auth.tr, &Problem::BadCsrf));
            }
        }
        Ok(Self(user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("x-forwarded-for", "6.6.6.6, 203.0.113.9".parse().unwrap());
        let client: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(client_ip(proxy, &headers, &[proxy]), client, "the address the proxy saw");
        assert_eq!(client_ip(proxy, &headers, &[]), proxy, "no proxy trusted: the header is ignored");
        let other: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(client_ip(other, &headers, &[proxy]), other, "a client cannot name its own address");
        headers.insert("x-forwarded-for", "not an address".parse().unwrap());
        assert_eq!(client_ip(proxy, &headers, &[proxy]), proxy);
    }
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// A URL-encoded form whose `_csrf` field matches the session's token. Repeated fields
/// (multiple selections) become vectors.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for CsrfForm<T> {
    type Rejection = Response;
    async fn from_request(req: Request, s: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let auth = Auth::from_request_parts(&mut parts, s).await?;
        let tr = auth.tr.clone();
        let bytes = match axum::body::to_bytes(body, crate::FORM_LIMIT).await {
            Ok(b) => b,
            Err(_) => return Err(crate::page::error_page(&tr, &Problem::BodyTooLarge)),
        };
        let expected = auth.session.as_ref().map(|s| s.csrf_token.clone());
        let field: CsrfField = serde_html_form::from_bytes(&bytes)
            .map_err(|_| crate::page::error_page(&tr, &Problem::BadBody(ErrorCode::InvalidForm)))?;
        if expected.as_deref() != Some(field.csrf.as_str()) || field.csrf.is_empty() {
            return Err(crate::page::error_page(&tr, &Problem::BadCsrf));
        }
        serde_html_form::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| crate::page::error_page(&tr, &Problem::BadBody(ErrorCode::InvalidForm)))
    }
}

/// Sessions, with a short-lived in-process cache so that a busy page does not look its
/// session up on every request. Logout removes the entry at once on this instance; other
/// instances see it at most `TTL` later.
#[derive(Clone, Default)]
pub struct SessionCache {
    inner: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, Session)>>>,
}

impl SessionCache {
    const TTL: std::time::Duration = std::time::Duration::from_secs(10);
    const MAX: usize = 10_000;

    pub async fn get(
        &self,
        store: &kinbridge_casework::Casework,
        token: &str,
    ) -> kinbridge_casework::Result<Option<Session>> {
        if let Some((at, s)) = self.lock().get(token) {
            if at.elapsed() < Self::TTL {
                return Ok(Some(s.clone()));
            }
        }
        let found = store.session(token).await?;
        let mut map = self.lock();
        match &found {
            Some(s) => {
                if map.len() >= Self::MAX {
                    map.retain(|_, (at, _)| at.elapsed() < Self::TTL);
                }
                map.insert(token.to_string(), (std::time::Instant::now(), s.clone()));
            }
            None => {
                map.remove(token);
            }
        }
        Ok(found)
    }

    pub fn forget(&self, token: &str) {
        self.lock().remove(token);
    }

    /// Drops every cached session of a user, e.g. after a language change.
    pub fn forget_user(&self, user_id: &str) {
        self.lock().retain(|_, (_, s)| s.user.id.as_str() != user_id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, (std::time::Instant, Session)>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}
