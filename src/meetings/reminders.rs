//! Reminders before a meeting (24 hours by default), each sent once: claiming the reminder and queueing its
//! e-mail happen in one transaction, so a restart between the two repeats nothing and loses nothing.

use chrono::{DateTime, Utc};

use super::{messages, store};
use crate::App;
use crate::mail;

pub async fn send_due(app: &App, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut sent = 0;
    for (registration_id, meeting_id) in store::due_reminders(&app.db, now, now + app.config.reminder_before).await? {
        let (Some(meeting), Some(registration)) =
            (store::meeting(&app.db, &meeting_id).await?, store::registration(&app.db, &registration_id).await?)
        else {
            continue;
        };
        let mut tx = app.db.begin().await?;
        if !store::claim_reminder(&mut tx, &registration_id, now).await? {
            continue;
        }
        // The claim stands either way: a person who turned reminders off is not asked again.
        let kind = mail::Kind::Chosen(mail::Category::MeetingReminders);
        let queued = mail::queue(app, &mut tx, kind, &messages::reminder(app, &meeting, &registration)?).await?;
        tx.commit().await?;
        sent += usize::from(queued);
    }
    if sent > 0 {
        app.wake_mail();
    }
    Ok(sent)
}
