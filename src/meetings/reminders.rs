//! Reminders before a meeting (24 hours by default), each sent once: claiming the reminder and queueing its
//! e-mail happen in one transaction, so a restart between the two repeats nothing and loses nothing.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

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
        mail::queue(app, &mut tx, &messages::reminder(app, &meeting, &registration)?).await?;
        tx.commit().await?;
        sent += 1;
    }
    if sent > 0 {
        app.wake_mail();
    }
    Ok(sent)
}

pub async fn run(app: App, mut shutdown: watch::Receiver<bool>) {
    loop {
        if let Err(e) = send_due(&app, Utc::now()).await {
            tracing::warn!(error = %e, "meeting reminders failed; will try again");
        }
        tokio::select! {
            _ = tokio::time::sleep(StdDuration::from_secs(60)) => {}
            _ = shutdown.changed() => return,
        }
    }
}
