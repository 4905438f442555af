//! Conversations, their people and messages, blocks and reports, as stored. What a reader sees is decided in
//! one SQL condition (`SHOWN_TO`): a message by someone the reader blocked, written after the block, is not
//! theirs to see; everything else in a conversation they are in is.

use chrono::{DateTime, Utc};

use super::model::{Conversation, Message, Person, Report, Summary};
use crate::db::{Db, Tx, new_id};
use crate::{execute, fetch_all, fetch_optional, fetch_scalar};

/// A message with its author's name ("Former member" once erased); callers add the conditions.
const MESSAGE: &str = "SELECT m.id, m.conversation_id, m.author_id, COALESCE(u.name, 'Former member') AS author_name,
         m.body_md, m.body_html, m.removed, m.created_at
     FROM private_messages m LEFT JOIN users u ON u.id = m.author_id";

/// A report with its conversation's subject and who made it; callers add the conditions.
const REPORT: &str = "SELECT r.message_id, r.conversation_id, c.subject, r.reason, r.created_at,
         COALESCE(u.name, 'Former member') AS reported_by_name
     FROM message_reports r JOIN conversations c ON c.id = r.conversation_id
     LEFT JOIN users u ON u.id = r.reported_by";

/// A message `m` reaches reader `$1` unless `$1` blocked its author before it was written.
const SHOWN_TO: &str = "(m.author_id IS NULL OR NOT EXISTS (SELECT 1 FROM member_blocks b
     WHERE b.blocker_id = $1 AND b.blocked_id = m.author_id AND b.created_at <= m.created_at))";

/// Starts a conversation with its first message; gives its id.
pub async fn start(
    tx: &mut Tx,
    author_id: &str,
    people: &[String],
    subject: &str,
    body_md: &str,
    body_html: &str,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    execute!(
        &mut *tx,
        "INSERT INTO conversations (id, subject, started_by, created_at, last_message_at) VALUES ($1, $2, $3, $4, $4)",
        &id,
        subject,
        author_id,
        now
    )?;
    for person in people.iter().chain(std::iter::once(&author_id.to_string())) {
        execute!(
            &mut *tx,
            "INSERT INTO conversation_people (conversation_id, user_id, joined_at) VALUES ($1, $2, $3)
             ON CONFLICT (conversation_id, user_id) DO NOTHING",
            &id,
            person,
            now
        )?;
    }
    add_message(tx, &id, author_id, body_md, body_html, now).await?;
    Ok(id)
}

/// Adds a message; the author has read their conversation up to it. Gives the message's id.
pub async fn add_message(
    tx: &mut Tx,
    conversation_id: &str,
    author_id: &str,
    body_md: &str,
    body_html: &str,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    execute!(
        &mut *tx,
        "INSERT INTO private_messages (id, conversation_id, author_id, body_md, body_html, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &id,
        conversation_id,
        author_id,
        body_md,
        body_html,
        now
    )?;
    execute!(&mut *tx, "UPDATE conversations SET last_message_at = $1 WHERE id = $2", now, conversation_id)?;
    execute!(
        &mut *tx,
        "UPDATE conversation_people SET read_at = $1 WHERE conversation_id = $2 AND user_id = $3",
        now,
        conversation_id,
        author_id
    )?;
    Ok(id)
}

/// How many conversations a person started since a moment (the daily limit).
pub async fn started_since(db: &Db, user_id: &str, since: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    fetch_scalar!(
        db,
        i64,
        "SELECT COUNT(*) FROM conversations WHERE started_by = $1 AND created_at > $2",
        user_id,
        since
    )
}

/// A person's conversations (not those they left, nor those with nothing they may see), latest first, with
/// how many messages from others they have not read.
pub async fn conversations_of(db: &Db, user_id: &str) -> Result<Vec<Summary>, sqlx::Error> {
    let sql = format!(
        "SELECT c.id, c.subject, x.last_at, x.unread,
                (SELECT COUNT(*) FROM conversation_people o WHERE o.conversation_id = c.id AND o.user_id <> $1) AS others
         FROM conversations c
         JOIN conversation_people p ON p.conversation_id = c.id AND p.user_id = $1 AND p.left_at IS NULL
         JOIN (SELECT m.conversation_id, MAX(m.created_at) AS last_at,
                      SUM(CASE WHEN m.author_id IS DISTINCT FROM $1 AND (q.read_at IS NULL OR m.created_at > q.read_at)
                          THEN 1 ELSE 0 END) AS unread
               FROM private_messages m
               JOIN conversation_people q ON q.conversation_id = m.conversation_id AND q.user_id = $1
               WHERE {SHOWN_TO}
               GROUP BY m.conversation_id) x ON x.conversation_id = c.id
         ORDER BY x.last_at DESC LIMIT 200"
    );
    fetch_all!(db, Summary, sqlx::AssertSqlSafe(sql), user_id)
}

pub async fn conversation(db: &Db, id: &str) -> Result<Option<Conversation>, sqlx::Error> {
    fetch_optional!(db, Conversation, "SELECT id, subject, started_by, created_at FROM conversations WHERE id = $1", id)
}

/// The people of a conversation, with their names and whether they left.
pub async fn people(db: &Db, conversation_id: &str) -> Result<Vec<Person>, sqlx::Error> {
    fetch_all!(
        db,
        Person,
        "SELECT p.user_id, u.name, p.left_at FROM conversation_people p JOIN users u ON u.id = p.user_id
         WHERE p.conversation_id = $1 ORDER BY p.joined_at, u.name",
        conversation_id
    )
}

/// The messages of a conversation as `reader` sees them, oldest first. A moderator reading a reported
/// conversation they are not in sees every message: the caller passes `""`, who blocked no one.
pub async fn messages(db: &Db, conversation_id: &str, reader: &str) -> Result<Vec<Message>, sqlx::Error> {
    let sql = format!("{MESSAGE} WHERE m.conversation_id = $2 AND {SHOWN_TO} ORDER BY m.created_at, m.id");
    fetch_all!(db, Message, sqlx::AssertSqlSafe(sql), reader, conversation_id)
}

pub async fn message(db: &Db, id: &str) -> Result<Option<Message>, sqlx::Error> {
    fetch_optional!(db, Message, sqlx::AssertSqlSafe(format!("{MESSAGE} WHERE m.id = $1")), id)
}

/// The reader has read the conversation up to now.
pub async fn mark_read(db: &Db, conversation_id: &str, user_id: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE conversation_people SET read_at = $1 WHERE conversation_id = $2 AND user_id = $3",
        now,
        conversation_id,
        user_id
    )?;
    Ok(())
}

pub async fn leave(db: &Db, conversation_id: &str, user_id: &str, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE conversation_people SET left_at = $1 WHERE conversation_id = $2 AND user_id = $3 AND left_at IS NULL",
        now,
        conversation_id,
        user_id
    )
}

/// Who blocked `author`: the author's messages from now on do not reach them.
pub async fn blocking(db: &Db, author: &str) -> Result<Vec<String>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, String>("SELECT blocker_id FROM member_blocks WHERE blocked_id = $1")
            .persistent(crate::db::keep_prepared())
            .bind(author)
            .fetch_all(e)
            .await
    })
}

/// The members a person blocked: (id, name).
pub async fn blocked_by(db: &Db, user_id: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        name: String,
    }
    let rows = fetch_all!(
        db,
        Row,
        "SELECT u.id, u.name FROM member_blocks b JOIN users u ON u.id = b.blocked_id WHERE b.blocker_id = $1 ORDER BY u.name",
        user_id
    )?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

pub async fn block(db: &Db, blocker: &str, blocked: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "INSERT INTO member_blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (blocker_id, blocked_id) DO NOTHING",
        blocker,
        blocked,
        now
    )?;
    Ok(())
}

pub async fn unblock(db: &Db, blocker: &str, blocked: &str) -> Result<(), sqlx::Error> {
    execute!(db, "DELETE FROM member_blocks WHERE blocker_id = $1 AND blocked_id = $2", blocker, blocked)?;
    Ok(())
}

/// Records a report: the conversation is open to moderators while it waits.
pub async fn report(
    tx: &mut Tx,
    message: &Message,
    conversation_id: &str,
    reporter: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        &mut *tx,
        "INSERT INTO message_reports (id, message_id, conversation_id, reported_by, reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        new_id(),
        &message.id,
        conversation_id,
        reporter,
        reason,
        now
    )?;
    Ok(())
}

/// Reports not yet dealt with, oldest first.
pub async fn open_reports(db: &Db) -> Result<Vec<Report>, sqlx::Error> {
    fetch_all!(
        db,
        Report,
        sqlx::AssertSqlSafe(format!("{REPORT} WHERE r.resolved_at IS NULL ORDER BY r.created_at LIMIT 200"))
    )
}

/// The open reports of one conversation.
pub async fn reports_in(db: &Db, conversation_id: &str) -> Result<Vec<Report>, sqlx::Error> {
    fetch_all!(
        db,
        Report,
        sqlx::AssertSqlSafe(format!(
            "{REPORT} WHERE r.conversation_id = $1 AND r.resolved_at IS NULL ORDER BY r.created_at"
        )),
        conversation_id
    )
}

/// Takes a message out of the conversation (it shows as removed by the moderators; its words are kept, as
/// the record of what was removed and in its writer's data export) or leaves it, and closes its reports.
pub async fn settle(tx: &mut Tx, message_id: &str, remove: bool, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    if remove {
        execute!(&mut *tx, "UPDATE private_messages SET removed = TRUE WHERE id = $1", message_id)?;
    }
    execute!(
        &mut *tx,
        "UPDATE message_reports SET resolved_at = $1 WHERE message_id = $2 AND resolved_at IS NULL",
        now,
        message_id
    )?;
    Ok(())
}

pub async fn open_report_count(db: &Db) -> Result<i64, sqlx::Error> {
    fetch_scalar!(db, i64, "SELECT COUNT(*) FROM message_reports WHERE resolved_at IS NULL")
}

/// The messages that came to a person since a moment and are still unread, by conversation: (subject, id,
/// how many), for the daily e-mail.
pub async fn unread_since(
    db: &Db,
    user_id: &str,
    since: DateTime<Utc>,
) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        subject: String,
        id: String,
        count: i64,
    }
    let sql = format!(
        "SELECT c.subject, c.id, COUNT(*) AS count FROM private_messages m
         JOIN conversations c ON c.id = m.conversation_id
         JOIN conversation_people p ON p.conversation_id = m.conversation_id AND p.user_id = $1 AND p.left_at IS NULL
         WHERE m.author_id IS DISTINCT FROM $1 AND m.created_at > $2 AND (p.read_at IS NULL OR m.created_at > p.read_at)
           AND {SHOWN_TO}
         GROUP BY c.id, c.subject ORDER BY MAX(m.created_at) DESC LIMIT 50"
    );
    let rows = fetch_all!(db, Row, sqlx::AssertSqlSafe(sql), user_id, since)?;
    Ok(rows.into_iter().map(|r| (r.subject, r.id, r.count)).collect())
}

/// The people who chose the daily e-mail at some point (each is asked again before sending).
pub async fn daily_candidates(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, String>(
            "SELECT DISTINCT user_id FROM email_consents WHERE category = 'private_messages_daily'",
        )
        .persistent(crate::db::keep_prepared())
        .fetch_all(e)
        .await
    })
}

/// Claims today's daily e-mail for a person: false when one went in the last 23 hours.
pub async fn claim_daily(tx: &mut Tx, user_id: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let claimed = execute!(
        &mut *tx,
        "INSERT INTO message_digests (user_id, last_sent_at) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET last_sent_at = excluded.last_sent_at
         WHERE message_digests.last_sent_at < $3",
        user_id,
        now,
        now - chrono::Duration::hours(23)
    )?;
    Ok(claimed > 0)
}

pub async fn last_daily(db: &Db, user_id: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, DateTime<Utc>>("SELECT last_sent_at FROM message_digests WHERE user_id = $1")
            .persistent(crate::db::keep_prepared())
            .bind(user_id)
            .fetch_optional(e)
            .await
    })
}

/// Everything of a person's private messages, for their data export: each conversation they are in or
/// were in, with the messages they wrote.
pub async fn export(db: &Db, user_id: &str) -> Result<Vec<(Conversation, Vec<Message>)>, sqlx::Error> {
    let conversations = fetch_all!(
        db,
        Conversation,
        "SELECT c.id, c.subject, c.started_by, c.created_at FROM conversations c
         JOIN conversation_people p ON p.conversation_id = c.id AND p.user_id = $1 ORDER BY c.created_at",
        user_id
    )?;
    let mut all = Vec::with_capacity(conversations.len());
    for c in conversations {
        let mine = fetch_all!(
            db,
            Message,
            sqlx::AssertSqlSafe(format!(
                "{MESSAGE} WHERE m.conversation_id = $1 AND m.author_id = $2 ORDER BY m.created_at"
            )),
            &c.id,
            user_id
        )?;
        all.push((c, mine));
    }
    Ok(all)
}

/// The reports a person made: (when, why), for their data export.
pub async fn reports_by(db: &Db, user_id: &str) -> Result<Vec<(DateTime<Utc>, String)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        created_at: DateTime<Utc>,
        reason: String,
    }
    let rows = fetch_all!(
        db,
        Row,
        "SELECT created_at, reason FROM message_reports WHERE reported_by = $1 ORDER BY created_at",
        user_id
    )?;
    Ok(rows.into_iter().map(|r| (r.created_at, r.reason)).collect())
}

/// Erases a person's part: their places in conversations, their blocks (both ways), the daily e-mail's
/// clock; their messages stay for the others, under "Former member"; their reports stay, unnamed.
pub async fn erase(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "DELETE FROM conversation_people WHERE user_id = $1", user_id)?;
    execute!(&mut *tx, "UPDATE private_messages SET author_id = NULL WHERE author_id = $1", user_id)?;
    execute!(&mut *tx, "UPDATE conversations SET started_by = NULL WHERE started_by = $1", user_id)?;
    execute!(&mut *tx, "DELETE FROM member_blocks WHERE blocker_id = $1 OR blocked_id = $1", user_id)?;
    execute!(&mut *tx, "UPDATE message_reports SET reported_by = NULL WHERE reported_by = $1", user_id)?;
    execute!(&mut *tx, "DELETE FROM message_digests WHERE user_id = $1", user_id)?;
    Ok(())
}
