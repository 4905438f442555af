//! The SQL of newsletters: issues, their blocks and audiences, who they go to, and public subscribers.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::model::{Audience, Block, Draft, Newsletter, Subscriber};
use crate::auth::{UserRow, policy};
use crate::db::{Db, Tx, new_id};
use crate::{execute, fetch_all, fetch_optional};

const NEWSLETTER: &str =
    "SELECT id, subject, intro_md, intro_html, status, scheduled_at, recipients, created_at, sent_at,
        queued_at FROM newsletters";

pub async fn newsletter(db: &Db, id: &str) -> Result<Option<Newsletter>, sqlx::Error> {
    fetch_optional!(db, Newsletter, sqlx::AssertSqlSafe(format!("{NEWSLETTER} WHERE id = $1")), id)
}

pub async fn all(db: &Db) -> Result<Vec<Newsletter>, sqlx::Error> {
    fetch_all!(db, Newsletter, sqlx::AssertSqlSafe(format!("{NEWSLETTER} ORDER BY created_at DESC LIMIT 200")))
}

/// Issues that went out (or are going out), newest first.
pub async fn sent(db: &Db) -> Result<Vec<Newsletter>, sqlx::Error> {
    fetch_all!(
        db,
        Newsletter,
        sqlx::AssertSqlSafe(format!(
            "{NEWSLETTER} WHERE status IN ('sending', 'sent') ORDER BY sent_at DESC LIMIT 200"
        ))
    )
}

/// When the last issue began to go out: the next one gathers what appeared since.
pub async fn last_sent_at(db: &Db) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let rows = crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, DateTime<Utc>>(
            "SELECT sent_at FROM newsletters WHERE sent_at IS NOT NULL ORDER BY sent_at DESC LIMIT 1",
        )
        .persistent(crate::db::keep_prepared())
        .fetch_optional(e)
        .await
    })?;
    Ok(rows)
}

pub async fn blocks(db: &Db, newsletter_id: &str) -> Result<Vec<Block>, sqlx::Error> {
    fetch_all!(
        db,
        Block,
        "SELECT id, kind, title, summary, path, audience, position, included FROM newsletter_blocks
         WHERE newsletter_id = $1 ORDER BY position, id",
        newsletter_id
    )
}

pub async fn audiences(db: &Db, newsletter_id: &str) -> Result<Vec<Audience>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        kind: String,
        value: String,
    }
    let rows = fetch_all!(
        db,
        Row,
        "SELECT kind, value FROM newsletter_audiences WHERE newsletter_id = $1 ORDER BY kind, value",
        newsletter_id
    )?;
    Ok(rows.into_iter().filter_map(|r| Audience::from_row(&r.kind, &r.value)).collect())
}

async fn replace_audiences(tx: &mut Tx, newsletter_id: &str, audiences: &[Audience]) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "DELETE FROM newsletter_audiences WHERE newsletter_id = $1", newsletter_id)?;
    for a in audiences {
        let (kind, value) = a.to_row();
        execute!(
            &mut *tx,
            "INSERT INTO newsletter_audiences (newsletter_id, kind, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            newsletter_id,
            kind,
            value
        )?;
    }
    Ok(())
}

/// A new draft with its audiences and the gathered blocks, all or nothing.
pub async fn create(db: &Db, draft: &Draft<'_>, now: DateTime<Utc>) -> Result<String, sqlx::Error> {
    let id = new_id();
    let mut tx = db.begin().await?;
    execute!(
        &mut tx,
        "INSERT INTO newsletters (id, subject, intro_md, intro_html, status, recipients, created_by, created_at)
         VALUES ($1, $2, $3, $4, 'draft', 0, $5, $6)",
        &id,
        draft.subject,
        draft.intro_md,
        crate::web::markdown::to_safe_html(draft.intro_md),
        draft.author_id,
        now
    )?;
    replace_audiences(&mut tx, &id, draft.audiences).await?;
    for (i, b) in draft.blocks.iter().enumerate() {
        execute!(
            &mut tx,
            "INSERT INTO newsletter_blocks (id, newsletter_id, kind, title, summary, path, audience, position, included)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE)",
            new_id(),
            &id,
            b.kind,
            &b.title,
            &b.summary,
            &b.path,
            b.audience.key(),
            (i as i64 + 1) * 10
        )?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Changes a draft's (or a scheduled issue's) words and audiences; false once it has begun to go out.
pub async fn update_draft(
    db: &Db,
    id: &str,
    subject: &str,
    intro_md: &str,
    intro_html: &str,
    audiences: &[Audience],
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let changed = execute!(
        &mut tx,
        "UPDATE newsletters SET subject = $1, intro_md = $2, intro_html = $3 WHERE id = $4 AND status IN ('draft', 'scheduled')",
        subject,
        intro_md,
        intro_html,
        id
    )?;
    if changed == 1 {
        replace_audiences(&mut tx, id, audiences).await?;
    }
    tx.commit().await?;
    Ok(changed == 1)
}

/// Saves which blocks are in, in the order given, while the issue is still a draft or scheduled (a send that
/// began meanwhile wins: nothing changes under the job queueing the copies).
pub async fn arrange_blocks(db: &Db, newsletter_id: &str, order: &[(String, bool)]) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    for (i, (block_id, included)) in order.iter().enumerate() {
        execute!(
            &mut tx,
            "UPDATE newsletter_blocks SET included = $1, position = $2
             WHERE id = $3 AND newsletter_id = $4
               AND EXISTS (SELECT 1 FROM newsletters n WHERE n.id = $4 AND n.status IN ('draft', 'scheduled'))",
            *included,
            (i as i64 + 1) * 10,
            block_id,
            newsletter_id
        )?;
    }
    tx.commit().await
}

/// Sets an unsent issue to go at `at` (or back to a draft with `None`); false once it has begun to go out.
pub async fn schedule(db: &Db, id: &str, at: Option<DateTime<Utc>>) -> Result<bool, sqlx::Error> {
    let status = if at.is_some() { "scheduled" } else { "draft" };
    let changed = execute!(
        db,
        "UPDATE newsletters SET status = $1, scheduled_at = $2 WHERE id = $3 AND status IN ('draft', 'scheduled')",
        status,
        at,
        id
    )?;
    Ok(changed == 1)
}

/// Releases an unsent issue now; false when it was already on its way (a second click does nothing).
pub async fn release(db: &Db, id: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let changed = execute!(
        db,
        "UPDATE newsletters SET status = 'sending', sent_at = $1 WHERE id = $2 AND status IN ('draft', 'scheduled')",
        now,
        id
    )?;
    Ok(changed == 1)
}

/// Releases every scheduled issue whose time has come.
pub async fn release_due(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE newsletters SET status = 'sending', sent_at = scheduled_at WHERE status = 'scheduled' AND scheduled_at <= $1",
        now
    )
}

/// Takes an issue whose copies are still to be queued, unless another instance holds it: a crash in the
/// middle leaves the lease to run out, and the next taker queues the rest (copies already queued are kept).
pub async fn claim_for_queueing(
    db: &Db,
    now: DateTime<Utc>,
    lease: chrono::Duration,
) -> Result<Option<Newsletter>, sqlx::Error> {
    let candidates = crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, String>(
            "SELECT id FROM newsletters WHERE status = 'sending' AND (lease_until IS NULL OR lease_until < $1)
             ORDER BY sent_at LIMIT 5",
        )
        .persistent(crate::db::keep_prepared())
        .bind(now)
        .fetch_all(e)
        .await
    })?;
    for id in candidates {
        let claimed = execute!(
            db,
            "UPDATE newsletters SET lease_until = $1
             WHERE id = $2 AND status = 'sending' AND (lease_until IS NULL OR lease_until < $3)",
            now + lease,
            &id,
            now
        )?;
        if claimed == 1 {
            return newsletter(db, &id).await;
        }
    }
    Ok(None)
}

/// Extends the hold of the instance queueing an issue.
pub async fn renew_lease(db: &Db, id: &str, until: DateTime<Utc>) -> Result<(), sqlx::Error> {
    execute!(db, "UPDATE newsletters SET lease_until = $1 WHERE id = $2 AND status = 'sending'", until, id)?;
    Ok(())
}

/// Every copy is in the outbox.
pub async fn mark_queued(db: &Db, id: &str, recipients: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE newsletters SET status = 'sent', queued_at = $1, recipients = $2, lease_until = NULL WHERE id = $3",
        now,
        recipients,
        id
    )?;
    Ok(())
}

/// Members who get an issue: in their term (or organisers and moderators), not suspended, who chose the
/// newsletter (their latest choice), and in one of its audiences: all members, a group they belong to, or
/// the region of their organisation.
pub async fn member_recipients(db: &Db, newsletter_id: &str, now: DateTime<Utc>) -> Result<Vec<UserRow>, sqlx::Error> {
    let sql = format!(
        "SELECT u.id, u.email, u.name, u.role, u.suspended, u.password_hash, u.created_at, u.organisation_id,
                u.job_title, u.membership_ends_at, u.posting_suspended
         FROM users u
         LEFT JOIN organisations o ON o.id = u.organisation_id
         WHERE {members} AND {chosen} = TRUE
           AND EXISTS (SELECT 1 FROM newsletter_audiences a WHERE a.newsletter_id = $2 AND (
                 a.kind = 'members'
                 OR (a.kind = 'region' AND a.value = o.region)
                 OR (a.kind = 'group' AND EXISTS (SELECT 1 FROM group_members g
                                                  WHERE g.group_id = a.value AND g.user_id = u.id AND g.status = 'active'))))
         ORDER BY u.email",
        members = policy::members_area_sql("u", "$1"),
        chosen = crate::mail::consent::chosen_sql("u", crate::mail::Category::Newsletter),
    );
    fetch_all!(db, UserRow, sqlx::AssertSqlSafe(sql), now, newsletter_id)
}

/// Active members of the given groups, as (group id, user id).
pub async fn group_memberships(db: &Db, group_ids: &[String]) -> Result<HashSet<(String, String)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        group_id: String,
        user_id: String,
    }
    let mut set = HashSet::new();
    for group_id in group_ids {
        let rows = fetch_all!(
            db,
            Row,
            "SELECT group_id, user_id FROM group_members WHERE group_id = $1 AND status = 'active'",
            group_id
        )?;
        set.extend(rows.into_iter().map(|r| (r.group_id, r.user_id)));
    }
    Ok(set)
}

/// Whether a member's organisation is in one of the regions.
pub async fn member_region(db: &Db, user_id: &str) -> Result<Option<String>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, String>(
            "SELECT o.region FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1",
        )
        .persistent(crate::db::keep_prepared())
        .bind(user_id)
        .fetch_optional(e)
        .await
    })
}

// Public subscribers

const SUBSCRIBER: &str =
    "SELECT id, email, created_at, confirmed_at, unsubscribed_at, confirm_sent_at FROM subscribers";

pub async fn subscriber_by_email(db: &Db, email: &str) -> Result<Option<Subscriber>, sqlx::Error> {
    fetch_optional!(db, Subscriber, sqlx::AssertSqlSafe(format!("{SUBSCRIBER} WHERE email = $1")), email)
}

/// Confirmed subscribers who have not left.
pub async fn confirmed_subscribers(db: &Db) -> Result<Vec<Subscriber>, sqlx::Error> {
    fetch_all!(
        db,
        Subscriber,
        sqlx::AssertSqlSafe(format!(
            "{SUBSCRIBER} WHERE confirmed_at IS NOT NULL AND unsubscribed_at IS NULL ORDER BY email"
        ))
    )
}

/// Records a wish to subscribe with a new confirmation token (a new row, or a fresh token for a known
/// address that has not confirmed or has left).
pub async fn request_subscription(
    tx: &mut Tx,
    email: &str,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "INSERT INTO subscribers (id, email, confirm_token_hash, confirm_sent_at, created_at)
         VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (email) DO UPDATE SET confirm_token_hash = excluded.confirm_token_hash,
                                           confirm_sent_at = excluded.confirm_sent_at",
        new_id(),
        email,
        token_hash,
        now
    )?;
    Ok(())
}

/// Confirms the address whose token this is; gives the address.
pub async fn confirm_subscription(
    db: &Db,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, sqlx::Error> {
    let email = crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, String>(
            "UPDATE subscribers SET confirmed_at = $1, unsubscribed_at = NULL, confirm_token_hash = NULL
             WHERE confirm_token_hash = $2 RETURNING email",
        )
        .persistent(crate::db::keep_prepared())
        .bind(now)
        .bind(token_hash)
        .fetch_optional(e)
        .await
    })?;
    Ok(email)
}

pub async fn unsubscribe_subscriber(db: &Db, email: &str, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    execute!(db, "UPDATE subscribers SET unsubscribed_at = $1 WHERE email = $2 AND unsubscribed_at IS NULL", now, email)
}

/// An image an organiser adds to an issue's introduction, as kept.
pub struct NewImage<'a> {
    pub id: &'a str,
    pub file_id: &'a str,
    pub alt: &'a str,
    pub width: u32,
    pub height: u32,
}

pub async fn add_image(
    tx: &mut Tx,
    newsletter_id: &str,
    image: &NewImage<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        &mut *tx,
        "INSERT INTO newsletter_images (id, newsletter_id, file_id, alt, width, height, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        image.id,
        newsletter_id,
        image.file_id,
        image.alt,
        i64::from(image.width),
        i64::from(image.height),
        now
    )?;
    Ok(())
}

/// Sets an issue's introduction while it may still change; false once it has gone out.
pub async fn set_intro(tx: &mut Tx, id: &str, intro_md: &str, intro_html: &str) -> Result<bool, sqlx::Error> {
    let changed = execute!(
        &mut *tx,
        "UPDATE newsletters SET intro_md = $1, intro_html = $2 WHERE id = $3 AND status IN ('draft', 'scheduled')",
        intro_md,
        intro_html,
        id
    )?;
    Ok(changed > 0)
}

/// The stored file of an issue's image.
pub async fn image_file(db: &Db, id: &str) -> Result<Option<String>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, String>("SELECT file_id FROM newsletter_images WHERE id = $1")
            .persistent(crate::db::keep_prepared())
            .bind(id)
            .fetch_optional(e)
            .await
    })
}

/// Counts an unsubscribe that came through an issue's link (no one is named; an issue deleted since counts
/// nothing).
pub async fn count_unsubscribe(db: &Db, newsletter_id: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "INSERT INTO newsletter_unsubscribes (id, newsletter_id, unsubscribed_at)
         SELECT $1, id, $2 FROM newsletters WHERE id = $3",
        crate::db::new_id(),
        now,
        newsletter_id
    )?;
    Ok(())
}

pub async fn unsubscribes_from(db: &Db, newsletter_id: &str) -> Result<i64, sqlx::Error> {
    crate::fetch_scalar!(
        db,
        i64,
        "SELECT COUNT(*) FROM newsletter_unsubscribes WHERE newsletter_id = $1",
        newsletter_id
    )
}

/// A subscriber who comes back through their preference link (their address is already confirmed).
pub async fn resubscribe(db: &Db, email: &str) -> Result<u64, sqlx::Error> {
    execute!(db, "UPDATE subscribers SET unsubscribed_at = NULL WHERE email = $1 AND confirmed_at IS NOT NULL", email)
}

/// A person's public subscription goes, and issues they wrote keep no pointer to them.
pub async fn erase_person(tx: &mut Tx, user_id: &str, email: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "DELETE FROM subscribers WHERE email = $1", email)?;
    execute!(&mut *tx, "UPDATE newsletters SET created_by = NULL WHERE created_by = $1", user_id)?;
    Ok(())
}

/// A newsletter sent to a region keeps going to it when organisers rename the region.
pub async fn rename_region(tx: &mut Tx, old: &str, new: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "UPDATE newsletter_audiences SET value = $1 WHERE kind = 'region' AND value = $2", new, old)?;
    Ok(())
}

/// Issues scheduled to go out, soonest first (subject, when).
pub async fn scheduled(db: &Db) -> Result<Vec<(String, Option<DateTime<Utc>>)>, sqlx::Error> {
    fetch_all!(
        db,
        (String, Option<DateTime<Utc>>),
        "SELECT subject, scheduled_at FROM newsletters WHERE status = 'scheduled' ORDER BY scheduled_at, id"
    )
}
