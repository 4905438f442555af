//! The outbox: every e-mail is a row written in the same transaction as the change that causes it, so a
//! rolled-back change sends nothing and a committed one cannot lose its e-mail.

use chrono::{DateTime, Duration, Utc};

use crate::db::{Db, Tx, new_id};
use crate::{execute, fetch_all, fetch_optional};

/// An e-mail ready to go: both parts already rendered.
#[derive(Clone, Debug)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachment: Option<Attachment>,
    /// For bulk e-mail: the one-click unsubscribe address, sent as `List-Unsubscribe` (RFC 8058).
    pub list_unsubscribe: Option<String>,
}

/// A text attachment, such as an invitation's `.ics` file.
#[derive(Clone, Debug)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub body: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OutboxMessage {
    pub id: String,
    pub message_id: String,
    pub to_address: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub attachment_name: Option<String>,
    pub attachment_type: Option<String>,
    pub attachment: Option<String>,
    pub list_unsubscribe: Option<String>,
}

/// Queues `email` inside `tx`; the Message-ID is fixed now, so a retried delivery carries the same one.
pub async fn enqueue(tx: &mut Tx, email: &Email, mail_domain: &str) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = Utc::now();
    execute!(
        tx,
        "INSERT INTO outbox (id, message_id, to_address, subject, text_body, html_body, status, attempts,
                             next_attempt_at, created_at, attachment_name, attachment_type, attachment, list_unsubscribe)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7, $8, $9, $10, $11)",
        &id,
        format!("<{id}@{mail_domain}>"),
        &email.to,
        &email.subject,
        &email.text,
        &email.html,
        now,
        email.attachment.as_ref().map(|a| a.name.as_str()),
        email.attachment.as_ref().map(|a| a.content_type.as_str()),
        email.attachment.as_ref().map(|a| a.body.as_str()),
        email.list_unsubscribe.as_deref()
    )?;
    Ok(id)
}

/// Queues `email` under a unique key (one newsletter to one recipient), unless a row with that key exists:
/// repeating a send can never give anyone a second copy. True when it was queued now.
pub async fn enqueue_once(tx: &mut Tx, email: &Email, mail_domain: &str, key: &str) -> Result<bool, sqlx::Error> {
    let existing: i64 = crate::fetch_scalar!(&mut *tx, i64, "SELECT COUNT(*) FROM outbox WHERE dedupe_key = $1", key)?;
    if existing > 0 {
        return Ok(false);
    }
    let id = enqueue(tx, email, mail_domain).await?;
    execute!(tx, "UPDATE outbox SET dedupe_key = $1 WHERE id = $2", key, &id)?;
    Ok(true)
}

/// How the copies under a key prefix stand: (total, sent, failed).
pub async fn progress(db: &Db, key_prefix: &str) -> Result<(i64, i64, i64), sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        total: i64,
        sent: i64,
        failed: i64,
    }
    let row = crate::fetch_one!(
        db,
        Row,
        "SELECT COUNT(*) AS total,
                COALESCE(SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END), 0) AS sent,
                COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS failed
         FROM outbox WHERE dedupe_key LIKE $1",
        format!("{key_prefix}%")
    )?;
    Ok((row.total, row.sent, row.failed))
}

/// Takes the next due message for delivery: pending and due, or left "sending" by a worker whose lease ran
/// out (a crash). The conditional update makes the claim safe between workers and server instances.
pub async fn claim_next(db: &Db, now: DateTime<Utc>, lease: Duration) -> Result<Option<OutboxMessage>, sqlx::Error> {
    for _ in 0..5 {
        let candidate: Option<String> = crate::on_engine!(db, |e| {
            sqlx::query_scalar::<_, String>(
                "SELECT id FROM outbox
                 WHERE (status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until < $1)
                 ORDER BY next_attempt_at LIMIT 1",
            )
            .bind(now)
            .fetch_optional(e)
            .await
        })?;
        let Some(id) = candidate else { return Ok(None) };
        let claimed = execute!(
            db,
            "UPDATE outbox SET status = 'sending', lease_until = $1, attempts = attempts + 1
             WHERE id = $2 AND ((status = 'pending' AND next_attempt_at <= $3) OR (status = 'sending' AND lease_until < $3))",
            now + lease,
            &id,
            now
        )?;
        if claimed == 1 {
            return by_id(db, &id).await;
        }
        // Another worker took it first: look again.
    }
    Ok(None)
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<OutboxMessage>, sqlx::Error> {
    fetch_optional!(
        db,
        OutboxMessage,
        "SELECT id, message_id, to_address, subject, text_body, html_body, status, attempts, last_error, created_at,
                attachment_name, attachment_type, attachment, list_unsubscribe
         FROM outbox WHERE id = $1",
        id
    )
}

pub async fn mark_sent(db: &Db, id: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE outbox SET status = 'sent', sent_at = $1, lease_until = NULL, last_error = NULL WHERE id = $2",
        now,
        id
    )?;
    Ok(())
}

/// Records a failed attempt: tried again at `retry_at`, or given up when `retry_at` is `None`.
pub async fn mark_failed(db: &Db, id: &str, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<(), sqlx::Error> {
    let error: String = error.chars().take(1000).collect();
    match retry_at {
        Some(at) => execute!(
            db,
            "UPDATE outbox SET status = 'pending', next_attempt_at = $1, lease_until = NULL, last_error = $2 WHERE id = $3",
            at,
            &error,
            id
        )?,
        None => execute!(
            db,
            "UPDATE outbox SET status = 'failed', lease_until = NULL, last_error = $1 WHERE id = $2",
            &error,
            id
        )?,
    };
    Ok(())
}

/// The most recent messages, for the organisers' outbox view and for tests.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<OutboxMessage>, sqlx::Error> {
    fetch_all!(
        db,
        OutboxMessage,
        "SELECT id, message_id, to_address, subject, text_body, html_body, status, attempts, last_error, created_at,
                attachment_name, attachment_type, attachment, list_unsubscribe
         FROM outbox ORDER BY created_at DESC LIMIT $1",
        limit
    )
}

/// Puts a failed message back in the queue (an organiser's "retry").
pub async fn retry(db: &Db, id: &str) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE outbox SET status = 'pending', next_attempt_at = $1, attempts = 0 WHERE id = $2 AND status = 'failed'",
        Utc::now(),
        id
    )
}
