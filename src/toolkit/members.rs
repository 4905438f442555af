//! Who is in a space: leads invite people by e-mail (a signed, expiring, single-use link through the outbox);
//! an invitee joins with their account, or makes a team participant account that reaches only the spaces it
//! was invited to; leads name other leads and take people out; anyone may leave; a lead closes a space, and
//! deletes a closed one for good.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Duration, Utc};

use super::routes::Fields;
use super::store;
use crate::App;
use crate::auth::policy::{self, TeamStanding};
use crate::auth::{Role, Viewer, password, session, tokens};
use crate::mail::{self, messages};
use crate::web::browser::{session_cookie, set_cookie};
use crate::web::{AppError, AppResult, ClientIp, FieldErrors, Form, Page, redirect_with_notice, render};

/// How long an invitation's link works.
pub const INVITATION_DAYS: i64 = 14;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/toolkit/teams/{id}/invitations", post(invite))
        .route("/toolkit/invitations/{token}", get(invitation).post(accept))
        .route("/toolkit/teams/{id}/members/{user}", post(change_member))
        .route("/toolkit/teams/{id}/leave", post(leave))
        .route("/toolkit/teams/{id}/close", post(close))
        .route("/toolkit/teams/{id}/delete", post(delete))
}

/// Invites someone by e-mail, as a participant or a lead, optionally to describe an existing row of the plan.
/// A form that makes us e-mail a typed address is rate-limited.
async fn invite(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = super::routes::reach_space(&app, &viewer, &id).await?;
    super::routes::lead(&reached)?;
    let lead = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let fields = Fields(fields);
    let mut errors = FieldErrors::default();
    let email = errors.email("invite_email", fields.get("invite_email"));
    let standing = TeamStanding::parse(fields.get("invite_role")).unwrap_or(TeamStanding::Participant);
    if standing == TeamStanding::Lead && errors.get("invite_email").is_none() {
        let invitee = crate::auth::user_by_email(&app.db, &email).await?.map(crate::auth::User::from);
        if !invitee.is_some_and(|u| policy::may_lead_team_spaces(&u, Utc::now())) {
            errors.add("invite_role", "Only members of the network lead a space: invite them as a participant.");
        }
    }
    let people = store::people(&app.db, &id).await?;
    let person = match fields.get("invite_person") {
        "" => None,
        p if people.iter().any(|row| row.id == p && row.user_id.is_none()) => Some(p.to_string()),
        _ => {
            errors.add("invite_person", "Choose a row of the plan that is nobody's yet.");
            None
        }
    };
    if !errors.is_empty() {
        let typed = fields.get("invite_email").to_string();
        return super::routes::invalid(
            &super::routes::space_page(&app, page, &viewer, reached, None, typed, errors).await?,
        );
    }
    if let Some(retry_after_secs) =
        crate::auth::throttle::mail_to_typed_address(&app.db, "team-invite", ip, &email, Utc::now()).await?
    {
        return Err(AppError::TooManyRequests { retry_after_secs });
    }
    let token = tokens::random_token();
    let hash = tokens::hash(&token);
    let now = Utc::now();
    let link = app.config.link(&format!("/toolkit/invitations/{token}"));
    let role = if standing == TeamStanding::Lead { "to lead it with them" } else { "to plan with the team" };
    let email_message = messages::notice(
        &app.config.title,
        &email,
        "",
        &format!("{} invites you to the team space {}", lead.name, reached.space.name),
        &[
            format!(
                "{} has invited you {role} in the {}'s toolkit: where and when the team works, \
                 planned from the work itself.",
                lead.name, app.config.title
            ),
            format!(
                "The link works for {INVITATION_DAYS} days, once. If you did not expect it, you can ignore this e-mail."
            ),
        ],
        Some(("Join the team space", &link)),
    )?;
    let mut tx = app.db.begin().await?;
    let invitation = store::NewInvitation {
        space_id: &id,
        email: &email,
        standing,
        person_id: person.as_deref(),
        token_hash: &hash,
        invited_by: &lead.id,
        expires_at: now + Duration::days(INVITATION_DAYS),
    };
    store::insert_invitation(&mut tx, &invitation, now).await?;
    mail::queue(&app, &mut tx, mail::Kind::Transactional, &email_message).await?;
    tx.commit().await?;
    app.wake_mail();
    Ok(redirect_with_notice(&format!("/toolkit/teams/{id}"), &format!("An invitation is on its way to {email}.")))
}

#[derive(Template)]
#[template(path = "toolkit/invitation.html")]
struct InvitationPage {
    page: Page,
    token: String,
    space: String,
    email: String,
    lead: bool,
    /// How the viewer may answer: `join` (signed in as the invitee), `sign_in` (the address has an account),
    /// `other` (signed in as someone else), `create` (no account yet).
    answer: &'static str,
    name: String,
    errors: FieldErrors,
}

/// The invitation a link names, while it works.
async fn working(app: &App, token: &str) -> AppResult<(store::InvitationRow, super::model::Space)> {
    let invitation = store::invitation_by_hash(&app.db, &tokens::hash(token))
        .await?
        .filter(|i| i.accepted_at.is_none() && i.expires_at > Utc::now())
        .ok_or_else(|| {
            AppError::Gone("This invitation has been used or has expired: ask the team's lead for a new one.".into())
        })?;
    let space = store::space(&app.db, &invitation.space_id).await?.ok_or(AppError::NotFound)?;
    if space.closed_at.is_some() {
        return Err(AppError::Gone("This team space is closed.".into()));
    }
    Ok((invitation, space))
}

async fn invitation_page(
    app: &App,
    page: Page,
    viewer: &Viewer,
    token: String,
    name: String,
    errors: FieldErrors,
) -> AppResult<InvitationPage> {
    let (invitation, space) = working(app, &token).await?;
    let has_account = crate::auth::user_by_email(&app.db, &invitation.email).await?.is_some();
    let answer = match &viewer.user {
        Some(u) if u.email == invitation.email => "join",
        Some(_) => "other",
        None if has_account => "sign_in",
        None => "create",
    };
    Ok(InvitationPage {
        page: page.titled(&format!("Join {}", space.name)).noindex(),
        token,
        space: space.name,
        lead: invitation.role == "lead",
        email: invitation.email,
        answer,
        name,
        errors,
    })
}

async fn invitation(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(token): Path<String>,
) -> AppResult<impl IntoResponse> {
    render(&invitation_page(&app, page, &viewer, token, String::new(), FieldErrors::default()).await?)
}

/// Accepts an invitation: as the signed-in invitee, or by making a team participant account (the link
/// proves the address), which is then signed in.
async fn accept(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(token): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (invitation, space) = working(&app, &token).await?;
    let fields = Fields(fields);
    let now = Utc::now();
    // Who accepts: the signed-in invitee, or a new participant account (its password hashed before the
    // transaction, which then claims the invitation first, so two clicks cannot both use it).
    let joining = match &viewer.user {
        Some(u) if u.email == invitation.email => Ok(u.clone()),
        Some(_) => {
            return Err(AppError::Conflict(format!(
                "This invitation is for {}: sign out to accept it.",
                invitation.email
            )));
        }
        None => {
            if crate::auth::user_by_email(&app.db, &invitation.email).await?.is_some() {
                return Ok(Redirect::to(&format!("/sign-in?next=/toolkit/invitations/{token}")).into_response());
            }
            let mut errors = FieldErrors::default();
            let name = errors.required("name", "Your name", fields.get("name"), 100);
            errors.one_line("name", "Your name", &name);
            if let Some(problem) =
                password::problem(fields.get("password"), fields.get("confirm"), &[&invitation.email, &name])
            {
                errors.add("password", problem);
            }
            if !errors.is_empty() {
                let name = fields.get("name").to_string();
                return super::routes::invalid(&invitation_page(&app, page, &viewer, token, name, errors).await?);
            }
            Err((name, password::hash(fields.get("password").to_string()).await?))
        }
    };
    let mut tx = app.db.begin().await?;
    if !store::accept_invitation(&mut tx, &invitation.id, now).await? {
        return Err(AppError::Gone("This invitation has been used.".into()));
    }
    let (user_id, may_lead, started) = match joining {
        Ok(user) => (user.id.clone(), policy::may_lead_team_spaces(&user, now), None),
        Err((name, hash)) => {
            let id = match crate::auth::insert_user(&mut tx, &invitation.email, &name, Role::Participant, Some(&hash))
                .await
            {
                Ok(id) => id,
                Err(e) if crate::db::is_unique_violation(&e) => {
                    return Err(AppError::Conflict(
                        "An account with this address was just made: sign in to join.".into(),
                    ));
                }
                Err(e) => return Err(e.into()),
            };
            let started = session::start(&mut tx, &id, viewer.session_hash.as_deref(), session::Length::Short).await?;
            (id, false, Some(started))
        }
    };
    // Only a member of the network leads; anyone else invited to lead takes part.
    let standing = match TeamStanding::parse(&invitation.role) {
        Some(TeamStanding::Lead) if may_lead => TeamStanding::Lead,
        _ => TeamStanding::Participant,
    };
    if !store::is_member(&mut tx, &space.id, &user_id).await? {
        store::add_member(&mut tx, &space.id, &user_id, standing, now).await?;
    }
    if let Some(person) = &invitation.person_id {
        store::link_person(&mut tx, &space.id, person, &user_id).await?;
    }
    tx.commit().await?;
    let mut response =
        redirect_with_notice(&format!("/toolkit/teams/{}", space.id), &format!("Welcome to {}.", space.name));
    if let Some(started) = started {
        set_cookie(&mut response, session_cookie(&started, &app.config));
    }
    Ok(response)
}

/// A lead names another lead, makes a lead a participant, or takes someone out (never the last lead).
async fn change_member(
    State(app): State<App>,
    viewer: Viewer,
    Path((id, user)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = super::routes::reach_space(&app, &viewer, &id).await?;
    super::routes::lead(&reached)?;
    let members = store::members(&app.db, &id).await?;
    let member = members.iter().find(|m| m.user_id == user).ok_or(AppError::NotFound)?;
    let leads = store::lead_count(&app.db, &id).await?;
    let last_lead = member.role == "lead" && leads <= 1;
    let back = format!("/toolkit/teams/{id}");
    let notice = match Fields(fields).get("action") {
        "lead" => {
            let promoted = crate::auth::user_by_id(&app.db, &user).await?.map(crate::auth::User::from);
            if !promoted.is_some_and(|u| policy::may_lead_team_spaces(&u, Utc::now())) {
                return Err(AppError::Conflict(format!(
                    "{} is not a member of the network: only members lead a space.",
                    member.name
                )));
            }
            store::set_standing(&app.db, &id, &user, TeamStanding::Lead).await?;
            format!("{} now leads the space too.", member.name)
        }
        "participant" | "remove" if last_lead => {
            return Err(AppError::Conflict("A space needs a lead: name another lead first.".into()));
        }
        "participant" => {
            store::set_standing(&app.db, &id, &user, TeamStanding::Participant).await?;
            format!("{} now takes part without leading.", member.name)
        }
        "remove" => {
            let mut tx = app.db.begin().await?;
            store::remove_member(&mut tx, &id, &user).await?;
            super::agreements::service::settle_after_leaving(&app, &mut tx, &id).await?;
            tx.commit().await?;
            format!("{} is no longer in the space; the plan keeps the rows of their work.", member.name)
        }
        _ => return Err(AppError::BadRequest("Choose lead, participant or remove.".into())),
    };
    Ok(redirect_with_notice(&back, &notice))
}

/// Anyone leaves a space (the last lead names another first).
async fn leave(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    let reached = super::routes::reach_space(&app, &viewer, &id).await?;
    let user = viewer.user.clone().ok_or(AppError::Forbidden)?;
    if reached.standing == Some(TeamStanding::Lead) && store::lead_count(&app.db, &id).await? <= 1 {
        return Err(AppError::Conflict(
            "You are the space's only lead: name another lead first, or close the space.".into(),
        ));
    }
    let mut tx = app.db.begin().await?;
    store::remove_member(&mut tx, &id, &user.id).await?;
    super::agreements::service::settle_after_leaving(&app, &mut tx, &id).await?;
    tx.commit().await?;
    Ok(redirect_with_notice("/toolkit", &format!("You have left {}.", reached.space.name)))
}

async fn close(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    let reached = super::routes::reach_space(&app, &viewer, &id).await?;
    super::routes::lead(&reached)?;
    store::close_space(&app.db, &id, Utc::now()).await?;
    Ok(redirect_with_notice(&format!("/toolkit/teams/{id}"), "The space is closed: it can be read, not changed."))
}

/// Deletes a closed space for good (its lead, who ticks that they mean it).
async fn delete(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = super::routes::reach_space(&app, &viewer, &id).await?;
    let now = Utc::now();
    if !policy::can_delete_team_space(&viewer, reached.standing, reached.space.closed_at.is_some(), now) {
        return Err(AppError::Forbidden);
    }
    if !Fields(fields).has("confirm") {
        let mut errors = FieldErrors::default();
        errors.add("confirm", "Tick the box to say you mean to delete the space and its plan for good.");
        return super::routes::invalid(
            &super::routes::space_page(&app, page, &viewer, reached, None, String::new(), errors).await?,
        );
    }
    store::delete_space(&app.db, &id).await?;
    Ok(redirect_with_notice("/toolkit", &format!("{} is deleted.", reached.space.name)))
}
