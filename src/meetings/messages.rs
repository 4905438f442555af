//! The e-mails of the meetings programme. Joining links appear only in e-mails to confirmed attendees, and
//! only once released.

use chrono::Utc;

use super::model::{Meeting, Mode, Registration};
use crate::App;
use crate::auth::policy;
use crate::mail::{Attachment, Email, messages::notice, messages::notice_with_links};
use crate::web::time;

fn when(app: &App, meeting: &Meeting) -> String {
    format!(
        "{} to {}",
        time::date_time(meeting.starts_at, app.config.timezone),
        meeting.ends_at.with_timezone(&app.config.timezone).format("%H:%M")
    )
}

fn page(app: &App, meeting: &Meeting) -> String {
    app.config.link(&format!("/meetings/{}", meeting.slug))
}

/// Where to go, in words, and the joining link when the attendee may have it now (it goes on a button, not
/// into the text).
fn where_to(app: &App, meeting: &Meeting, registration_status: &str) -> (String, Option<String>) {
    let released = policy::can_see_joining_link(
        Some(policy::RegistrationStatus::parse(registration_status)),
        meeting.status(),
        meeting.starts_at,
        app.config.joining_link_release,
        Utc::now(),
    );
    match meeting.mode() {
        Mode::InPerson => (format!("At {}.", meeting.venue), None),
        mode if released && !meeting.joining_link.is_empty() => {
            let also = if mode.has_venue() { format!(" Or in person at {}.", meeting.venue) } else { String::new() };
            (format!("Join online with the joining link below.{also}"), Some(meeting.joining_link.clone()))
        }
        _ => (
            "The joining link will be on the meeting's page, and in your reminder e-mail, before the start.".into(),
            None,
        ),
    }
}

/// The buttons under a meeting e-mail: joining (when released), the meeting's page, and cancelling.
fn buttons<'a>(
    joining: &'a Option<String>,
    page: &'a str,
    cancel: Option<(&'a str, &'a str)>,
) -> Vec<(&'a str, &'a str)> {
    let mut links = Vec::new();
    if let Some(joining) = joining {
        links.push(("Join the meeting", joining.as_str()));
    }
    links.push(("See the meeting", page));
    links.extend(cancel);
    links
}

fn with_attachment(mut email: Email, attachment: Option<Attachment>) -> Email {
    email.attachment = attachment;
    email
}

pub fn confirmed(
    app: &App,
    meeting: &Meeting,
    r: &Registration,
    cancel_link: &str,
    ics: Attachment,
) -> Result<Email, askama::Error> {
    let (where_to, joining) = where_to(app, meeting, "confirmed");
    let page = page(app, meeting);
    let email = notice_with_links(
        &app.config.title,
        &r.email,
        &r.name,
        &format!("You are registered: {}", meeting.title),
        &[
            format!("You have a place at {}, {}.", meeting.title, when(app, meeting)),
            where_to,
            "The invitation is attached, for your calendar.".into(),
            "Can no longer come? Cancel, so that someone on the waitlist gets your place.".into(),
        ],
        &buttons(&joining, &page, Some(("Cancel my place", cancel_link))),
    )?;
    Ok(with_attachment(email, Some(ics)))
}

pub fn waitlisted(app: &App, meeting: &Meeting, r: &Registration, cancel_link: &str) -> Result<Email, askama::Error> {
    let page = page(app, meeting);
    notice_with_links(
        &app.config.title,
        &r.email,
        &r.name,
        &format!("On the waitlist: {}", meeting.title),
        &[
            format!("{} ({}) is full, so you are on its waitlist.", meeting.title, when(app, meeting)),
            "Places go to the waitlist in the order people registered; if one frees up for you, we e-mail you at once with the invitation.".into(),
        ],
        &buttons(&None, &page, Some(("Leave the waitlist", cancel_link))),
    )
}

pub fn promoted(
    app: &App,
    meeting: &Meeting,
    r: &Registration,
    cancel_link: &str,
    ics: Attachment,
) -> Result<Email, askama::Error> {
    let (where_to, joining) = where_to(app, meeting, "confirmed");
    let page = page(app, meeting);
    let email = notice_with_links(
        &app.config.title,
        &r.email,
        &r.name,
        &format!("A place for you: {}", meeting.title),
        &[
            format!("A place has become free at {}, {}, and it is yours.", meeting.title, when(app, meeting)),
            where_to,
            "The invitation is attached, for your calendar.".into(),
            "If you can no longer come, please cancel so the next person gets it.".into(),
        ],
        &buttons(&joining, &page, Some(("Cancel my place", cancel_link))),
    )?;
    Ok(with_attachment(email, Some(ics)))
}

pub fn confirm_guest(
    app: &App,
    meeting: &Meeting,
    name: &str,
    email: &str,
    link: &str,
) -> Result<Email, askama::Error> {
    notice(
        &app.config.title,
        email,
        name,
        &format!("Confirm your registration: {}", meeting.title),
        &[format!("Please confirm your registration for {}, {}.", meeting.title, when(app, meeting))],
        Some(("Confirm my registration", link)),
    )
}

pub fn reminder(app: &App, meeting: &Meeting, r: &Registration) -> Result<Email, askama::Error> {
    let (where_to, joining) = where_to(app, meeting, &r.status);
    let page = page(app, meeting);
    notice_with_links(
        &app.config.title,
        &r.email,
        &r.name,
        &format!("Reminder: {}", meeting.title),
        &[format!("A reminder: {} is on {}.", meeting.title, when(app, meeting)), where_to],
        &buttons(&joining, &page, None),
    )
}

pub fn changed(app: &App, meeting: &Meeting, r: &Registration, ics: Attachment) -> Result<Email, askama::Error> {
    let (where_to, joining) = where_to(app, meeting, &r.status);
    let (lines, joining) = if meeting.is_cancelled() {
        let line = format!(
            "{}, planned for {}, is cancelled. We are sorry for the change to your plans.",
            meeting.title,
            when(app, meeting)
        );
        (vec![line], None)
    } else {
        let line = format!("The time or place of {} has changed. It is now {}.", meeting.title, when(app, meeting));
        (vec![line, where_to], joining)
    };
    let subject = if meeting.is_cancelled() {
        format!("Cancelled: {}", meeting.title)
    } else {
        format!("Changed: {}", meeting.title)
    };
    let page = page(app, meeting);
    let email =
        notice_with_links(&app.config.title, &r.email, &r.name, &subject, &lines, &buttons(&joining, &page, None))?;
    Ok(with_attachment(email, Some(ics)))
}

pub fn message(
    app: &App,
    meeting: &Meeting,
    r: &Registration,
    subject: &str,
    body: &str,
    link: &str,
) -> Result<Email, askama::Error> {
    notice(
        &app.config.title,
        &r.email,
        &r.name,
        &format!("{}: {subject}", meeting.title),
        &[body.to_string()],
        Some(("See the meeting", link)),
    )
}
