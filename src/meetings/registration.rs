//! Registration: members with one click, guests for open meetings by a confirmed e-mail address. Places are
//! given in arrival order; a full meeting puts people on its waitlist, and a cancellation promotes the next
//! person at once. Each step is one transaction with its e-mails.

use chrono::{DateTime, Utc};

use super::model::{Meeting, Registration};
use super::store::{self, NewRegistration, TokenKind};
use super::{calendar, messages};
use crate::App;
use crate::auth::{User, tokens};
use crate::db::Tx;
use crate::mail;

/// Why someone cannot register now, in words for them.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("Registration for this meeting closed on {0}.")]
    Closed(String),
    #[error("This meeting has been cancelled.")]
    Cancelled,
    #[error("This meeting has already taken place.")]
    Past,
    #[error("You are already registered for this meeting.")]
    AlreadyRegistered,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<askama::Error> for RegisterError {
    fn from(e: askama::Error) -> Self {
        RegisterError::Other(e.into())
    }
}

/// Where a registration stands after a step.
#[derive(Debug, PartialEq, Eq)]
pub enum Place {
    Confirmed,
    Waitlisted,
    AwaitingEmail,
}

fn check_open(app: &App, meeting: &Meeting, now: DateTime<Utc>) -> Result<(), RegisterError> {
    if meeting.is_cancelled() {
        return Err(RegisterError::Cancelled);
    }
    if meeting.starts_at <= now {
        return Err(RegisterError::Past);
    }
    if meeting.registration_closes_at <= now {
        return Err(RegisterError::Closed(crate::web::time::date_time(
            meeting.registration_closes_at,
            app.config.timezone,
        )));
    }
    Ok(())
}

/// A member registers with one click.
pub async fn register_member(app: &App, meeting: &Meeting, user: &User) -> Result<Place, RegisterError> {
    let now = Utc::now();
    check_open(app, meeting, now)?;
    if let Some(existing) = store::registration_of(&app.db, &meeting.id, &user.email).await?
        && existing.status != "cancelled"
    {
        return Err(RegisterError::AlreadyRegistered);
    }
    let organisation = match &user.organisation_id {
        Some(id) => crate::membership::organisation(&app.db, id).await?.map(|o| o.name).unwrap_or_default(),
        None => String::new(),
    };
    let cancel_token = tokens::random_token();
    let mut tx = app.db.begin().await?;
    store::lock_meeting(&mut tx, &meeting.id).await?;
    let id = store::upsert_registration(
        &mut tx,
        &NewRegistration {
            meeting_id: &meeting.id,
            user_id: Some(&user.id),
            name: &user.name,
            email: &user.email,
            organisation: &organisation,
            status: "unconfirmed",
            confirm_token_hash: None,
            cancel_token_hash: &tokens::hash(&cancel_token),
        },
    )
    .await?;
    let place = give_place(app, &mut tx, meeting, &id, &cancel_token).await?;
    tx.commit().await?;
    app.wake_mail();
    Ok(place)
}

/// A visitor registers as a guest for an open meeting; the place is given once they confirm by e-mail.
pub async fn register_guest(
    app: &App,
    meeting: &Meeting,
    name: &str,
    email: &str,
    organisation: &str,
) -> Result<Place, RegisterError> {
    let now = Utc::now();
    check_open(app, meeting, now)?;
    if let Some(existing) = store::registration_of(&app.db, &meeting.id, email).await?
        && matches!(existing.status.as_str(), "confirmed" | "waitlisted")
    {
        return Err(RegisterError::AlreadyRegistered);
    }
    let confirm_token = tokens::random_token();
    let cancel_token = tokens::random_token();
    let mut tx = app.db.begin().await?;
    store::upsert_registration(
        &mut tx,
        &NewRegistration {
            meeting_id: &meeting.id,
            user_id: None,
            name,
            email,
            organisation,
            status: "unconfirmed",
            confirm_token_hash: Some(&tokens::hash(&confirm_token)),
            cancel_token_hash: &tokens::hash(&cancel_token),
        },
    )
    .await?;
    let link = app.config.link(&format!("/registrations/confirm/{confirm_token}"));
    mail::queue(app, &mut tx, mail::Kind::Transactional, &messages::confirm_guest(app, meeting, name, email, &link)?)
        .await?;
    tx.commit().await?;
    app.wake_mail();
    Ok(Place::AwaitingEmail)
}

/// A guest confirms their address: they get a place, or a place on the waitlist.
pub async fn confirm_guest(app: &App, token: &str) -> Result<Option<(Meeting, Place)>, RegisterError> {
    let Some(registration) = store::registration_by_token(&app.db, TokenKind::Confirm, &tokens::hash(token)).await?
    else {
        return Ok(None);
    };
    let Some(meeting) = store::meeting(&app.db, &registration.meeting_id).await? else { return Ok(None) };
    check_open(app, &meeting, Utc::now())?;
    if registration.status != "unconfirmed" {
        return Ok(None);
    }
    // A fresh cancel link, since the one made at registration never left the server.
    let cancel_token = tokens::random_token();
    let mut tx = app.db.begin().await?;
    store::lock_meeting(&mut tx, &meeting.id).await?;
    store::set_cancel_token(&mut tx, &registration.id, &tokens::hash(&cancel_token)).await?;
    let place = give_place(app, &mut tx, &meeting, &registration.id, &cancel_token).await?;
    tx.commit().await?;
    app.wake_mail();
    Ok(Some((meeting, place)))
}

/// Under the meeting's lock: a place if one is free, else the waitlist; and the e-mail that says which.
async fn give_place(
    app: &App,
    tx: &mut Tx,
    meeting: &Meeting,
    registration_id: &str,
    cancel_token: &str,
) -> Result<Place, RegisterError> {
    let taken = store::count_confirmed(tx, &meeting.id).await?;
    let place = if taken < meeting.capacity { Place::Confirmed } else { Place::Waitlisted };
    let status = if place == Place::Confirmed { "confirmed" } else { "waitlisted" };
    store::set_registration_status(tx, registration_id, status).await?;
    let registration = store::registration_in(tx, registration_id).await?;
    let cancel_link = app.config.link(&format!("/registrations/cancel/{cancel_token}"));
    let email = match place {
        Place::Confirmed => {
            messages::confirmed(app, meeting, &registration, &cancel_link, calendar::invitation(app, meeting)?)?
        }
        _ => messages::waitlisted(app, meeting, &registration, &cancel_link)?,
    };
    mail::queue(app, tx, mail::Kind::Transactional, &email).await?;
    Ok(place)
}

/// Cancels a registration; when it held a place, the first person on the waitlist gets it at once.
pub async fn cancel(app: &App, meeting: &Meeting, registration: &Registration) -> Result<(), RegisterError> {
    let mut tx = app.db.begin().await?;
    store::lock_meeting(&mut tx, &meeting.id).await?;
    let current = store::registration_in(&mut tx, &registration.id).await?;
    store::set_registration_status(&mut tx, &current.id, "cancelled").await?;
    if current.is_confirmed() && !meeting.is_cancelled() && meeting.starts_at > Utc::now() {
        promote_next(app, &mut tx, meeting).await?;
    }
    tx.commit().await?;
    app.wake_mail();
    Ok(())
}

/// Gives freed places to the waitlist, in arrival order, with an e-mail each.
pub async fn promote_next(app: &App, tx: &mut Tx, meeting: &Meeting) -> Result<usize, RegisterError> {
    let mut promoted = 0;
    while store::count_confirmed(tx, &meeting.id).await? < meeting.capacity {
        let Some(next) = store::first_waitlisted(tx, &meeting.id).await? else { break };
        store::set_registration_status(tx, &next.id, "confirmed").await?;
        let cancel_token = tokens::random_token();
        store::set_cancel_token(tx, &next.id, &tokens::hash(&cancel_token)).await?;
        let cancel_link = app.config.link(&format!("/registrations/cancel/{cancel_token}"));
        mail::queue(
            app,
            tx,
            mail::Kind::Transactional,
            &messages::promoted(app, meeting, &next, &cancel_link, calendar::invitation(app, meeting)?)?,
        )
        .await?;
        promoted += 1;
    }
    Ok(promoted)
}
