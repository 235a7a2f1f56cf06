//! The administration pages and the password page of a one-time link.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use kinbridge_casework::admin::Account;
use kinbridge_casework::admin::Invitation;
use kinbridge_domain::access::Role;
use kinbridge_domain::member::{Member, NewMember};
use serde::Deserialize;

use crate::auth::{Auth, CsrfForm, PageUser, Signed};
use crate::error::Problem;
use crate::page::{render, see_other, url_encode, Frame};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users).post(invite))
        .route("/admin/users/{id}/active", post(set_active))
        .route("/admin/users/{id}/reset", post(reset))
        .route("/admin/users/{id}/role", post(change_role))
        .route("/admin/members", get(members).post(add_member))
        .route("/account/password", get(password_page).post(set_password))
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    t: Frame,
    member: Member,
    members: Vec<Member>,
    accounts: Vec<Account>,
    roles: Vec<Role>,
    /// A link just made, shown once.
    link: Option<(String, String)>,
    me: String,
}

#[derive(Deserialize, Default)]
struct MemberQuery {
    member: Option<String>,
}

/// The member whose accounts are shown: the caller's own, or (system administrator) one
/// chosen by code.
async fn member_of(state: &AppState, u: &Signed, code: Option<&str>) -> Result<Member, Problem> {
    let members = state.casework.members().await?;
    let wanted = code.filter(|c| !c.is_empty()).unwrap_or(&u.user.member_code);
    members
        .iter()
        .find(|m| m.code.as_str() == wanted)
        .cloned()
        .ok_or_else(|| Problem::from(kinbridge_domain::DomainError::NotFound))
}

async fn users_page(
    state: &AppState,
    u: &Signed,
    member: Member,
    link: Option<(String, String)>,
    problem: Option<Problem>,
) -> Result<Response, Problem> {
    let accounts = state.casework.member_accounts(&u.caller, &member.id).await?;
    let members = if u.caller.actor.can_manage_members() {
        state.casework.members().await?.iter().cloned().collect()
    } else {
        Vec::new()
    };
    let roles = Role::ALL.iter().copied().filter(|r| u.caller.actor.can_grant(*r)).collect();
    let (t, status) = Frame::answering(u, problem.as_ref());
    let me = u.user.id.to_string();
    Ok(render(status, &UsersPage { t, member, members, accounts, roles, link, me }))
}

async fn users(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<MemberQuery>,
) -> Result<Response, Problem> {
    let member = member_of(&state, &u, q.member.as_deref()).await?;
    users_page(&state, &u, member, None, None).await
}

#[derive(Deserialize)]
struct InviteForm {
    #[serde(default)]
    member: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
}

/// The one-time link of an invitation or reset, as its holder opens it.
fn link_of(u: &Signed, inv: &Invitation) -> (String, String) {
    let _ = u;
    (inv.account.user.email.clone(), format!("/account/password?token={}", url_encode(&inv.token)))
}

async fn invite(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(f): CsrfForm<InviteForm>,
) -> Result<Response, Problem> {
    let member = member_of(&state, &u, Some(&f.member)).await?;
    match state.casework.invite_user(&u.caller, &member.id, &f.role, &f.email, &f.display_name).await {
        Ok(inv) => {
            let link = link_of(&u, &inv);
            users_page(&state, &u, member, Some(link), None).await
        }
        Err(e) => users_page(&state, &u, member, None, Some(e.into())).await,
    }
}

/// After an action on an account: back to its member's list, or the list with the error.
async fn after_account<T>(
    state: &AppState,
    u: &Signed,
    member_code: &str,
    r: kinbridge_casework::Result<T>,
) -> Result<Response, Problem> {
    match r {
        Ok(_) => Ok(see_other(&format!("/admin/users?member={}", url_encode(member_code)))),
        Err(kinbridge_casework::Error::Domain(kinbridge_domain::DomainError::NotFound)) => {
            Err(kinbridge_domain::DomainError::NotFound.into())
        }
        Err(e) => {
            let member = member_of(state, u, Some(member_code)).await?;
            users_page(state, u, member, None, Some(e.into())).await
        }
    }
}

#[derive(Deserialize)]
struct ActiveForm {
    #[serde(default)]
    active: String,
    #[serde(default)]
    member: String,
}

async fn set_active(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ActiveForm>,
) -> Result<Response, Problem> {
    let r = state.casework.set_user_active(&u.caller, &id, f.active == "1").await;
    if r.is_ok() {
        state.sessions.forget_user(&id);
    }
    after_account(&state, &u, &f.member, r).await
}

#[derive(Deserialize)]
struct MemberForm {
    #[serde(default)]
    member: String,
}

async fn reset(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<MemberForm>,
) -> Result<Response, Problem> {
    match state.casework.reset_password(&u.caller, &id).await {
        Ok(inv) => {
            state.sessions.forget_user(&id);
            let member = member_of(&state, &u, Some(inv.account.user.member_code.as_str())).await?;
            let link = link_of(&u, &inv);
            users_page(&state, &u, member, Some(link), None).await
        }
        Err(e) => after_account(&state, &u, &f.member, Err::<(), _>(e)).await,
    }
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    member: String,
}

async fn change_role(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<RoleForm>,
) -> Result<Response, Problem> {
    let r = state.casework.change_role(&u.caller, &id, &f.role).await;
    if r.is_ok() {
        state.sessions.forget_user(&id);
    }
    after_account(&state, &u, &f.member, r).await
}

#[derive(Template)]
#[template(path = "admin_members.html")]
struct MembersPage {
    t: Frame,
    members: std::sync::Arc<Vec<Member>>,
}

async fn members(State(state): State<AppState>, PageUser(u): PageUser) -> Result<Response, Problem> {
    u.caller.actor.require(u.caller.actor.can_manage_members()).map_err(Problem::from)?;
    let members = state.casework.members().await?;
    Ok(render(StatusCode::OK, &MembersPage { t: Frame::for_user(&u), members }))
}

#[derive(Deserialize)]
struct NewMemberForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    country: String,
}

async fn add_member(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(f): CsrfForm<NewMemberForm>,
) -> Result<Response, Problem> {
    let r = match NewMember::parse(&f.code, &f.name, &f.country) {
        Ok(m) => state.casework.add_member(&u.caller, &m).await.map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    match r {
        Ok(_) => Ok(see_other("/admin/members")),
        Err(p @ Problem::Casework(kinbridge_casework::Error::Domain(kinbridge_domain::DomainError::Forbidden))) => {
            Err(p)
        }
        Err(p) => {
            let members = state.casework.members().await?;
            let status = p.render(&u.tr).status;
            Ok(render(status, &MembersPage { t: Frame::for_user(&u).with_problem(&p), members }))
        }
    }
}

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    t: Frame,
    token: String,
    works: bool,
    done: bool,
}

#[derive(Deserialize, Default)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn password_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<TokenQuery>,
) -> Result<Response, Problem> {
    let works = q.token.len() <= 128 && state.casework.link_works(&q.token).await?;
    let t = Frame::anonymous(&auth.tr);
    let status = if works { StatusCode::OK } else { StatusCode::GONE };
    Ok(render(status, &PasswordPage { t, token: q.token, works, done: false }))
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// The link's token is the secret here (there is no session yet): a form that does not
/// carry a live token changes nothing.
async fn set_password(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<PasswordForm>,
) -> Result<Response, Problem> {
    let t = Frame::anonymous(&auth.tr);
    if f.password != f.confirm {
        let p = Problem::from(kinbridge_domain::DomainError::field(
            "confirm",
            kinbridge_domain::ErrorCode::PasswordsDiffer,
        ));
        let status = p.render(&auth.tr).status;
        return Ok(render(status, &PasswordPage { t: t.with_problem(&p), token: f.token, works: true, done: false }));
    }
    match state.casework.set_password_with_link(&f.token, &f.password, Some(&auth.ip)).await {
        Ok(_) => Ok(render(StatusCode::OK, &PasswordPage { t, token: String::new(), works: true, done: true })),
        Err(e) => {
            let p = Problem::from(e);
            let status = p.render(&auth.tr).status;
            Ok(render(status, &PasswordPage { t: t.with_problem(&p), token: f.token, works: true, done: false }))
        }
    }
}
