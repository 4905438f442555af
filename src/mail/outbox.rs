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
    pub sent_at: Option<DateTime<Utc>>,
    pub attachment_name: Option<String>,
    pub attachment_type: Option<String>,
    pub attachment: Option<String>,
    pub list_unsubscribe: Option<String>,
    /// The bulk send (a newsletter) this copy belongs to.
    pub batch: Option<String>,
    /// Until when the worker that claimed it holds it.
    pub lease_until: Option<DateTime<Utc>>,
}

/// Queues `email` inside `tx`; the Message-ID is fixed now, so a retried delivery carries the same one. A
/// bulk copy names its batch (one newsletter) and a key unique to it, so queueing it again adds nothing:
/// gives `None` then.
pub async fn enqueue(
    tx: &mut Tx,
    email: &Email,
    mail_domain: &str,
    bulk: Option<(&str, &str)>,
    priority: Priority,
) -> Result<Option<String>, sqlx::Error> {
    let id = new_id();
    let now = Utc::now();
    let inserted = execute!(
        tx,
        "INSERT INTO outbox (id, message_id, to_address, subject, text_body, html_body, status, attempts,
                             next_attempt_at, created_at, attachment_name, attachment_type, attachment, list_unsubscribe,
                             batch, dedupe_key, priority)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (dedupe_key) DO NOTHING",
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
        email.list_unsubscribe.as_deref(),
        bulk.map(|(batch, _)| batch),
        bulk.map(|(_, key)| key),
        priority as i64
    )?;
    Ok((inserted == 1).then_some(id))
}

/// Which queued e-mail goes first: what a person is waiting for, then what they chose, then a bulk send's
/// copies, so a password reset never waits behind a newsletter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    Transactional = 0,
    Chosen = 1,
    Bulk = 2,
}

/// How the copies of one batch stand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    pub total: i64,
    pub sent: i64,
    pub failed: i64,
    /// Of the failed, those the receiving server refused for good (a bounce), as against given up after retries.
    pub bounced: i64,
    /// Queued and not yet delivered (including those being sent now).
    pub waiting: i64,
}

pub async fn progress(db: &Db, batch: &str) -> Result<Progress, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        status: String,
        bounced: bool,
        n: i64,
    }
    let rows = fetch_all!(
        db,
        Row,
        "SELECT status, bounced, CAST(COUNT(*) AS BIGINT) AS n FROM outbox WHERE batch = $1 GROUP BY status, bounced",
        batch
    )?;
    let mut p = Progress::default();
    for r in rows {
        p.total += r.n;
        match r.status.as_str() {
            "sent" => p.sent += r.n,
            "failed" => {
                p.failed += r.n;
                if r.bounced {
                    p.bounced += r.n;
                }
            }
            _ => p.waiting += r.n,
        }
    }
    Ok(p)
}

/// The copies of a batch that failed for good, with why.
pub async fn failures(db: &Db, batch: &str, limit: i64) -> Result<Vec<OutboxMessage>, sqlx::Error> {
    fetch_all!(
        db,
        OutboxMessage,
        sqlx::AssertSqlSafe(format!("{MESSAGE} WHERE batch = $1 AND status = 'failed' ORDER BY to_address LIMIT $2")),
        batch,
        limit
    )
}

/// Puts every failed copy of a batch back in the queue; gives how many.
pub async fn retry_batch(db: &Db, batch: &str) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE outbox SET status = 'pending', next_attempt_at = $1, attempts = 0, bounced = FALSE
         WHERE batch = $2 AND status = 'failed'",
        Utc::now(),
        batch
    )
}

macro_rules! columns {
    () => {
        "id, message_id, to_address, subject, text_body, html_body, status, attempts, last_error, created_at, sent_at,
         attachment_name, attachment_type, attachment, list_unsubscribe, batch, lease_until"
    };
}
const COLUMNS: &str = columns!();
const MESSAGE: &str = concat!("SELECT ", columns!(), " FROM outbox");

/// Takes the next due message for delivery: pending and due, or left "sending" by a worker whose lease ran
/// out (a crash). The conditional update makes the claim safe between workers and server instances.
pub async fn claim_next(db: &Db, now: DateTime<Utc>, lease: Duration) -> Result<Option<OutboxMessage>, sqlx::Error> {
    for _ in 0..3 {
        // Several candidates, so that workers starting together do not all race for the first row. Two
        // queries that each follow an index: an OR of the two would sort the table. Rows a crashed worker left
        // "sending" come back first, then the pending ones by priority (personal mail before bulk), oldest first.
        let mut candidates: Vec<String> = crate::on_engine!(db, |e| {
            sqlx::query_scalar::<_, String>(
                "SELECT id FROM outbox WHERE status = 'sending' AND lease_until < $1 ORDER BY priority LIMIT 4",
            )
            .persistent(crate::db::keep_prepared())
            .bind(now)
            .fetch_all(e)
            .await
        })?;
        let pending: Vec<String> = crate::on_engine!(db, |e| {
            sqlx::query_scalar::<_, String>(
                "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1
                 ORDER BY priority, next_attempt_at LIMIT 16",
            )
            .persistent(crate::db::keep_prepared())
            .bind(now)
            .fetch_all(e)
            .await
        })?;
        candidates.extend(pending);
        if candidates.is_empty() {
            return Ok(None);
        }
        for id in candidates {
            let claimed = fetch_optional!(
                db,
                OutboxMessage,
                sqlx::AssertSqlSafe(format!(
                    "UPDATE outbox SET status = 'sending', lease_until = $1, attempts = attempts + 1
                     WHERE id = $2 AND ((status = 'pending' AND next_attempt_at <= $3) OR (status = 'sending' AND lease_until < $3))
                     RETURNING {COLUMNS}"
                )),
                now + lease,
                &id,
                now
            )?;
            if claimed.is_some() {
                return Ok(claimed);
            }
            // Another worker took it first: try the next.
        }
    }
    Ok(None)
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<OutboxMessage>, sqlx::Error> {
    fetch_optional!(db, OutboxMessage, sqlx::AssertSqlSafe(format!("{MESSAGE} WHERE id = $1")), id)
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

/// Puts back a message this instance took but did not send (it is stopping): pending again at once, the
/// attempt not counted, for another instance to take without waiting for the lease. Only while the lease it
/// took is still the row's: after it ran out another instance may hold the message.
pub async fn release(db: &Db, message: &OutboxMessage, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE outbox SET status = 'pending', next_attempt_at = $1, lease_until = NULL, attempts = attempts - 1
         WHERE id = $2 AND status = 'sending' AND lease_until = $3",
        now,
        &message.id,
        message.lease_until
    )?;
    Ok(())
}

/// Takes the network's next turn to hand an e-mail to the mail server, `gap_us` after the last one taken by
/// any instance: gives when it is (microseconds since 1970), now or later. One statement, so two instances
/// never take the same turn.
pub async fn take_network_turn(db: &Db, now_us: i64, gap_us: i64) -> Result<i64, sqlx::Error> {
    crate::fetch_scalar!(
        db,
        i64,
        "UPDATE mail_pacing SET next_us = (CASE WHEN next_us > $1 THEN next_us ELSE $1 END) + $2 WHERE id = 1
         RETURNING next_us - $2",
        now_us,
        gap_us
    )
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

/// Records that the receiving server refused a message for good: failed, and a bounce.
pub async fn mark_bounced(db: &Db, id: &str, error: &str) -> Result<(), sqlx::Error> {
    let error: String = error.chars().take(1000).collect();
    execute!(
        db,
        "UPDATE outbox SET status = 'failed', bounced = TRUE, lease_until = NULL, last_error = $1 WHERE id = $2",
        &error,
        id
    )?;
    Ok(())
}

/// The most recent messages, for the organisers' outbox view and for tests.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<OutboxMessage>, sqlx::Error> {
    fetch_all!(db, OutboxMessage, sqlx::AssertSqlSafe(format!("{MESSAGE} ORDER BY created_at DESC LIMIT $1")), limit)
}

/// The messages that failed for good (until an organiser retries them), latest first.
pub async fn failed(db: &Db, limit: i64) -> Result<Vec<OutboxMessage>, sqlx::Error> {
    let sql = format!("{MESSAGE} WHERE status = 'failed' ORDER BY created_at DESC LIMIT $1");
    fetch_all!(db, OutboxMessage, sqlx::AssertSqlSafe(sql), limit)
}

/// The e-mails waiting (or being sent) by priority: how many, and when the oldest was queued (for `/metrics`).
pub async fn waiting_by_priority(db: &Db) -> Result<Vec<(Priority, i64, Option<DateTime<Utc>>)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        priority: i64,
        n: i64,
        oldest: Option<DateTime<Utc>>,
    }
    let rows = fetch_all!(
        db,
        Row,
        "SELECT priority, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox
         WHERE status IN ('pending', 'sending') GROUP BY priority"
    )?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let priority = match r.priority {
                0 => Priority::Transactional,
                1 => Priority::Chosen,
                _ => Priority::Bulk,
            };
            (priority, r.n, r.oldest)
        })
        .collect())
}

/// How many messages failed for good.
pub async fn count_failed(db: &Db) -> Result<i64, sqlx::Error> {
    crate::fetch_scalar!(db, i64, "SELECT COUNT(*) FROM outbox WHERE status = 'failed'")
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

/// Drops the mail not yet sent to the people whose accounts were made since `since` (the demo's own).
pub async fn discard_pending_to_users_since(db: &Db, since: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "DELETE FROM outbox WHERE status = 'pending' AND created_at >= $1
         AND LOWER(to_address) IN (SELECT LOWER(email) FROM users WHERE created_at >= $1)",
        since
    )
}

/// Every e-mail to an address, queued or sent (they carry the person's name and words), and its bounce
/// record: for erasing a person.
pub async fn erase_address(tx: &mut Tx, address: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "DELETE FROM outbox WHERE LOWER(to_address) = $1", address.to_lowercase())?;
    execute!(&mut *tx, "DELETE FROM mail_suppressions WHERE address = $1", address.to_lowercase())?;
    Ok(())
}

/// How long a delivered e-mail keeps its text, HTML and attachment; its delivery record (to whom, when, its
/// subject, its Message-ID) stays.
pub const KEEP_SENT_BODIES_DAYS: i64 = 30;

/// Retention: empties the bodies of e-mails delivered before `before`. Gives how many.
pub async fn prune_bodies(db: &Db, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE outbox SET text_body = '', html_body = '', attachment = NULL
         WHERE status = 'sent' AND sent_at < $1 AND (text_body <> '' OR html_body <> '' OR attachment IS NOT NULL)",
        before
    )
}
