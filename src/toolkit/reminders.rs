//! The toolkit's reminders, each sent once: an agreement's review (to its leads, a week before), a trial's
//! mid-point check and final review (to its leads and the person on trial, three days before), and a request's
//! deadline (to its leads, a week before). Claiming a reminder and queueing its e-mails happen in one
//! transaction, keyed by what it is about, its kind and its day, so a restart or a second instance repeats
//! nothing, and a date moved later (an extension) is a new reminder.
//!
//! They are notices about the team's own records, which its leads keep: sent as transactional mail, like a
//! registration's, not as a category one turns off.

use chrono::{DateTime, Duration, Utc};

use super::agreements::service::today;
use super::requests::{in_words, parse_date};
use super::{agreements, requests, trials};
use crate::App;
use crate::mail;

struct Reminder<'a> {
    subject: &'a str,
    kind: &'static str,
    due_on: &'a str,
    to: Vec<(String, String)>,
    title: String,
    paragraphs: Vec<String>,
    path: String,
}

async fn send(app: &App, r: Reminder<'_>, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut tx = app.db.begin().await?;
    if !super::store::claim_reminder(&mut tx, r.subject, r.kind, r.due_on, now).await? {
        return Ok(0);
    }
    let link = app.config.link(&r.path);
    let mut queued = 0;
    for (email, name) in &r.to {
        let message = mail::messages::notice(
            &app.config.title,
            email,
            name,
            &r.title,
            &r.paragraphs,
            Some(("Open it in the toolkit", &link)),
        )?;
        queued += usize::from(mail::queue(app, &mut tx, mail::Kind::Transactional, &message).await?);
    }
    tx.commit().await?;
    Ok(queued)
}

/// Sends what is due now; gives how many e-mails were queued.
pub async fn send_due(app: &App, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let today = today(app, now);
    let mut sent = 0;
    for a in agreements::store::reviews_due(&app.db, today + Duration::days(7)).await? {
        let Some(review_on) = a.review_on.clone() else { continue };
        // A date already past is not announced (a backdated record, a server that was down for days).
        if parse_date(&review_on).is_none_or(|d| d < today) {
            continue;
        }
        let Some(space) = super::store::space(&app.db, &a.space_id).await? else { continue };
        if space.closed_at.is_some() {
            continue;
        }
        let reminder = Reminder {
            subject: &a.space_id,
            kind: "agreement_review",
            due_on: &review_on,
            to: super::store::lead_addresses(&app.db, &a.space_id).await?,
            title: format!("The team agreement of {} is due for review on {}", space.name, in_words(&review_on)),
            paragraphs: vec![format!(
                "The team agreement of {} is due for its review on {}. Look at it with the team: what works, what \
                 has changed, who has joined. A change starts a new draft, agreed again by everyone.",
                space.name,
                in_words(&review_on)
            )],
            path: format!("/toolkit/teams/{}/agreement", a.space_id),
        };
        sent += send(app, reminder, now).await?;
    }
    for t in trials::store::running(&app.db).await? {
        let state = t.state();
        let checks = [
            ("trial_midpoint", &t.midpoint_on, state == trials::State::Active, "mid-point check"),
            ("trial_end", &t.ends_on, state != trials::State::FinalReview, "final review"),
        ];
        for (kind, date, pending, what) in checks {
            let Some(d) = parse_date(date) else { continue };
            if !pending || d - Duration::days(3) > today || d < today {
                continue;
            }
            let Some(space) = super::store::space(&app.db, &t.space_id).await? else { continue };
            if space.closed_at.is_some() {
                continue;
            }
            let mut to = super::store::lead_addresses(&app.db, &t.space_id).await?;
            if let Some(person) = &t.person_user_id
                && let Some(account) = super::store::address(&app.db, person).await?
                && !to.contains(&account)
            {
                to.push(account);
            }
            let reminder = Reminder {
                subject: &t.id,
                kind,
                due_on: date,
                to,
                title: format!("The {what} of a trial in {} is on {}", space.name, in_words(date)),
                paragraphs: vec![
                    format!(
                        "The trial ({}: {}) has its {what} on {}. Bring the evidence against its success criteria, \
                         and the check-in notes.",
                        t.who(),
                        t.pattern,
                        in_words(date)
                    ),
                    "Regular, open and candid conversations make a trial work.".into(),
                ],
                path: format!("/toolkit/teams/{}/trials/{}", t.space_id, t.id),
            };
            sent += send(app, reminder, now).await?;
        }
    }
    for r in requests::store::due_by(&app.db, today + Duration::days(7)).await? {
        let deadline = r.deadline();
        if parse_date(&deadline).is_none_or(|d| d < today) {
            continue;
        }
        let Some(space) = super::store::space(&app.db, &r.space_id).await? else { continue };
        if space.closed_at.is_some() {
            continue;
        }
        let due: Vec<String> = r.still_due();
        let reminder = Reminder {
            subject: &r.id,
            kind: "request_deadline",
            due_on: &deadline,
            to: super::store::lead_addresses(&app.db, &r.space_id).await?,
            title: format!("A flexible-working request in {} must be decided by {}", space.name, in_words(&deadline)),
            paragraphs: [
                vec![format!(
                    "{}'s request of {} must be decided, any appeal included, by {} (the rules from {}).",
                    r.person_name,
                    in_words(&r.made_on),
                    in_words(&deadline),
                    in_words(&r.rules)
                )],
                due,
                vec!["A later date needs the person's agreement: record it on the request.".into()],
            ]
            .concat(),
            path: format!("/toolkit/teams/{}/requests/{}", r.space_id, r.id),
        };
        sent += send(app, reminder, now).await?;
    }
    if sent > 0 {
        app.wake_mail();
    }
    Ok(sent)
}
