//! The daily digest: for members who chose it, one e-mail a day listing their new forum notifications.
//! Marking the digest sent and queueing its e-mail happen in one transaction, so it goes once a day at most.

use chrono::{DateTime, Duration, Utc};

use super::model::Notification;
use crate::App;
use crate::auth::{User, Viewer};
use crate::mail::{self, messages};
use crate::{execute, fetch_all};

pub async fn send_due(app: &App, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let candidates: Vec<String> = crate::on_engine!(&app.db, |e| {
        sqlx::query_scalar::<_, String>("SELECT DISTINCT user_id FROM email_consents WHERE category = 'forum_digest'")
            .persistent(crate::db::keep_prepared())
            .fetch_all(e)
            .await
    })?;
    let mut sent = 0;
    for user_id in candidates {
        if !mail::consent::chosen_by(&app.db, &user_id, mail::Category::ForumDigest).await? {
            continue;
        }
        let last: Option<DateTime<Utc>> = crate::on_engine!(&app.db, |e| {
            sqlx::query_scalar::<_, DateTime<Utc>>("SELECT last_sent_at FROM forum_digests WHERE user_id = $1")
                .persistent(crate::db::keep_prepared())
                .bind(&user_id)
                .fetch_optional(e)
                .await
        })?;
        if last.is_some_and(|l| l > now - Duration::hours(23)) {
            continue;
        }
        let since = last.unwrap_or(now - Duration::days(1));
        let items = fetch_all!(
            &app.db,
            Notification,
            "SELECT topic_id, text, read_at, created_at FROM notifications
             WHERE user_id = $1 AND read_at IS NULL AND created_at > $2 ORDER BY created_at",
            &user_id,
            since
        )?;
        let Some(user) = crate::auth::user_by_id(&app.db, &user_id).await? else { continue };
        // Only what the person may read at the time of sending: nothing for a lapsed or suspended member, and
        // nothing from a group's category they have left.
        let viewer = Viewer::of(User::from(user.clone()));
        let mut readable = Vec::with_capacity(items.len());
        let mut asked = std::collections::HashMap::new();
        for item in items {
            let Some(topic_id) = item.topic_id.clone() else { continue };
            let may_read = match asked.get(&topic_id) {
                Some(answer) => *answer,
                None => {
                    let answer = super::routes::may_read_topic(app, &viewer, &topic_id).await?;
                    asked.insert(topic_id, answer);
                    answer
                }
            };
            if may_read {
                readable.push(item);
            }
        }
        let items = readable;
        if items.is_empty() {
            continue;
        }
        let mut tx = app.db.begin().await?;
        let claimed = execute!(
            &mut tx,
            "INSERT INTO forum_digests (user_id, last_sent_at) VALUES ($1, $2)
             ON CONFLICT (user_id) DO UPDATE SET last_sent_at = excluded.last_sent_at
             WHERE forum_digests.last_sent_at < $3",
            &user_id,
            now,
            now - Duration::hours(23)
        )?;
        if claimed == 0 {
            continue;
        }
        let unsubscribe = mail::unsubscribe_link(app, &user.email, mail::Category::ForumDigest);
        let mut lines: Vec<String> = items.iter().take(50).map(|n| format!("• {}", n.text)).collect();
        lines.push(format!("Stop the daily digest with one click: {unsubscribe}"));
        let mut email = messages::notice(
            &app.config.title,
            &user.email,
            &user.name,
            &format!("Your forum digest: {} new", items.len()),
            &lines,
            Some(("Open the forum", &app.config.link("/notifications"))),
        )?;
        email.list_unsubscribe = Some(unsubscribe);
        mail::queue(app, &mut tx, mail::Kind::Chosen(mail::Category::ForumDigest), &email).await?;
        tx.commit().await?;
        sent += 1;
    }
    if sent > 0 {
        app.wake_mail();
    }
    Ok(sent)
}
