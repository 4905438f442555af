//! Sending an issue, off the request: a background job inside `swn serve` releases scheduled issues when
//! their time comes and queues each recipient's copy. The job holds an issue with a lease, so two instances
//! never queue the same one at once, and a crash in the middle leaves the rest to the next taker; the key per
//! (issue, address) means no copy is queued twice either way.

use chrono::Utc;

use super::{Newsletter, Reader, store};
use crate::App;
use crate::auth::User;
use crate::mail::{self, suppression};

/// The same lease as a message's: an instance that died while queueing leaves the rest to another soon.
fn lease(app: &App) -> chrono::Duration {
    chrono::Duration::from_std(app.config.mail_lease).unwrap_or(chrono::Duration::seconds(300))
}

/// Copies written per transaction.
const CHUNK: usize = 500;

/// Releases the scheduled issues that are due and queues the copies of every issue on its way; gives how
/// many issues were queued.
pub async fn work(app: &App) -> anyhow::Result<usize> {
    let now = Utc::now();
    store::release_due(&app.db, now).await?;
    let mut done = 0;
    while app.is_serving() {
        let Some(issue) = store::claim_for_queueing(&app.db, Utc::now(), lease(app)).await? else {
            break;
        };
        match queue_copies(app, &issue).await? {
            Some(copies) => tracing::info!(newsletter = %issue.id, copies, "newsletter queued"),
            None => {
                tracing::info!(newsletter = %issue.id, "stopping: the rest of the newsletter is left to the next instance")
            }
        }
        done += 1;
    }
    Ok(done)
}

/// Everyone an issue goes to, once per address: members first (a member who also subscribed gets the
/// member's copy), then confirmed subscribers; never a suppressed address.
pub async fn readers(app: &App, issue: &Newsletter) -> anyhow::Result<Vec<Reader>> {
    let audiences = store::audiences(&app.db, &issue.id).await?;
    let suppressed = suppression::suppressed(&app.db).await?;
    let mut seen = std::collections::HashSet::new();
    let mut readers = Vec::new();
    for row in store::member_recipients(&app.db, &issue.id, Utc::now()).await? {
        let user = User::from(row);
        if seen.insert(user.email.to_lowercase()) {
            readers.push(Reader::member(user));
        }
    }
    if audiences.contains(&super::Audience::Subscribers) {
        for s in store::confirmed_subscribers(&app.db).await? {
            if seen.insert(s.email.to_lowercase()) {
                readers.push(Reader::subscriber(&s.email));
            }
        }
    }
    readers.retain(|r| !suppressed.contains(&r.email.to_lowercase()));
    Ok(readers)
}

/// Writes every reader's copy into the outbox (each at most once, ever) and marks the issue queued; gives how
/// many, or `None` when the process began to stop first (the issue is let go for another instance at once).
pub async fn queue_copies(app: &App, issue: &Newsletter) -> anyhow::Result<Option<usize>> {
    let readers = readers(app, issue).await?;
    let blocks = super::current(app, &store::blocks(&app.db, &issue.id).await?).await?;
    let memberships = store::group_memberships(&app.db, &super::groups_of(&blocks)).await?;
    let batch = issue.batch();
    let now = Utc::now();
    for chunk in readers.chunks(CHUNK) {
        if !app.is_serving() {
            store::renew_lease(&app.db, &issue.id, Utc::now() - chrono::Duration::seconds(1)).await?;
            return Ok(None);
        }
        let mut copies = Vec::with_capacity(chunk.len());
        for reader in chunk {
            let visible = super::visible_to(reader, &blocks, &memberships, now);
            let key = format!("{batch}:{}", reader.email.to_lowercase());
            copies.push((super::render_copy(app, issue, reader, &visible)?, key));
        }
        let mut tx = app.db.begin().await?;
        mail::queue_bulk(app, &mut tx, mail::Kind::Chosen(mail::Category::Newsletter), &batch, &copies).await?;
        tx.commit().await?;
        app.wake_mail();
        // Still at it: hold the issue for another lease, so no other instance starts over beside us.
        store::renew_lease(&app.db, &issue.id, Utc::now() + lease(app)).await?;
    }
    store::mark_queued(&app.db, &issue.id, readers.len() as i64, Utc::now()).await?;
    Ok(Some(readers.len()))
}
