//! Newsletters: an organiser writes an introduction and picks from items gathered since the last issue; each
//! recipient's copy holds only the items that recipient may see, and goes out as one outbox row under a unique
//! key, so sending again can never give anyone a second copy.

use chrono::{DateTime, Utc};

use crate::App;
use crate::auth::{User, Viewer, policy};
use crate::db::{Db, new_id};
use crate::membership::{consent, groups};
use crate::{execute, fetch_all, fetch_optional};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Newsletter {
    pub id: String,
    pub subject: String,
    pub intro_md: String,
    pub intro_html: String,
    pub audience_group_id: Option<String>,
    pub status: String,
    pub recipients: i64,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Block {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub path: String,
    pub audience: String,
    pub position: i64,
    pub included: bool,
}

const NEWSLETTER: &str = "SELECT id, subject, intro_md, intro_html, audience_group_id, status, recipients, created_at, sent_at FROM newsletters";

pub async fn newsletter(db: &Db, id: &str) -> Result<Option<Newsletter>, sqlx::Error> {
    fetch_optional!(db, Newsletter, sqlx::AssertSqlSafe(format!("{NEWSLETTER} WHERE id = $1")), id)
}

pub async fn all(db: &Db) -> Result<Vec<Newsletter>, sqlx::Error> {
    fetch_all!(db, Newsletter, sqlx::AssertSqlSafe(format!("{NEWSLETTER} ORDER BY created_at DESC")))
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

pub async fn set_included(db: &Db, newsletter_id: &str, included: &[String]) -> Result<(), sqlx::Error> {
    for block in blocks(db, newsletter_id).await? {
        let on = included.contains(&block.id);
        execute!(db, "UPDATE newsletter_blocks SET included = $1 WHERE id = $2", on, &block.id)?;
    }
    Ok(())
}

/// Creates a draft with the items that appeared since the last issue was sent.
pub async fn create_draft(
    app: &App,
    subject: &str,
    intro_md: &str,
    group_id: Option<&str>,
    author_id: &str,
) -> anyhow::Result<String> {
    let now = Utc::now();
    let since: Option<DateTime<Utc>> = crate::on_engine!(&app.db, |e| {
        sqlx::query_scalar::<_, DateTime<Utc>>("SELECT MAX(sent_at) FROM newsletters WHERE status = 'sent'")
            .fetch_optional(e)
            .await
    })
    .ok()
    .flatten();
    let since = since.unwrap_or(now - chrono::Duration::days(60));
    let mut gathered: Vec<(&str, String, String, String, String)> = Vec::new();
    for n in crate::content::store::public_news(&app.db, now, 20).await? {
        if n.publish_at > since {
            gathered.push(("news", n.title, n.summary, format!("/news/{}", n.slug), "public".into()));
        }
    }
    for m in crate::meetings::store::listed(&app.db, true, now)
        .await?
        .into_iter()
        .filter(|m| m.status == "published")
        .take(10)
    {
        let audience = match (m.audience.as_str(), &m.group_id) {
            ("open", _) => "public".to_string(),
            ("group", Some(g)) => format!("group:{g}"),
            _ => "members".to_string(),
        };
        let when = crate::web::time::date_time(m.starts_at, app.config.timezone);
        gathered.push((
            "meeting",
            m.title.clone(),
            format!("{when} · {}", m.format_label()),
            format!("/meetings/{}", m.slug),
            audience,
        ));
    }
    #[derive(sqlx::FromRow)]
    struct Answered {
        id: String,
        title: String,
        group_id: Option<String>,
    }
    let answered = fetch_all!(
        &app.db,
        Answered,
        "SELECT t.id, t.title, c.group_id FROM forum_topics t JOIN forum_categories c ON c.id = t.category_id
         WHERE t.accepted_post_id IS NOT NULL AND t.hidden = FALSE AND t.last_activity_at > $1
         ORDER BY t.last_activity_at DESC LIMIT 10",
        since
    )?;
    for q in answered {
        let audience = q.group_id.map(|g| format!("group:{g}")).unwrap_or_else(|| "members".into());
        gathered.push((
            "question",
            q.title,
            "A question answered in the members' forum".into(),
            format!("/forum/t/{}", q.id),
            audience,
        ));
    }
    let id = new_id();
    let mut tx = app.db.begin().await?;
    execute!(
        &mut tx,
        "INSERT INTO newsletters (id, subject, intro_md, intro_html, audience_group_id, status, recipients, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, 'draft', 0, $6, $7)",
        &id,
        subject,
        intro_md,
        crate::web::markdown::to_safe_html(intro_md),
        group_id,
        author_id,
        now
    )?;
    for (i, (kind, title, summary, path, audience)) in gathered.iter().enumerate() {
        execute!(
            &mut tx,
            "INSERT INTO newsletter_blocks (id, newsletter_id, kind, title, summary, path, audience, position, included)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE)",
            new_id(),
            &id,
            *kind,
            title,
            summary,
            path,
            audience,
            (i as i64 + 1) * 10
        )?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The blocks of an issue that one reader may see.
pub async fn blocks_for(app: &App, reader: &User, blocks: &[Block]) -> Result<Vec<Block>, sqlx::Error> {
    let viewer = Viewer { user: Some(reader.clone()), session_hash: None };
    let now = Utc::now();
    let mut visible = Vec::new();
    for b in blocks.iter().filter(|b| b.included) {
        let in_group = match b.audience.strip_prefix("group:") {
            Some(g) => matches!(
                groups::standing(&app.db, g, &reader.id).await?,
                Some(policy::GroupStanding::Member | policy::GroupStanding::Coordinator)
            ),
            None => false,
        };
        if policy::can_see_audience(&viewer, &b.audience, in_group, now) {
            visible.push(b.clone());
        }
    }
    Ok(visible)
}

/// The people an issue goes to: members in their term (of the group, when it has one) who chose newsletters.
pub async fn recipients(app: &App, newsletter: &Newsletter) -> anyhow::Result<Vec<User>> {
    let filter = crate::membership::store::DirectoryFilter {
        group_id: newsletter.audience_group_id.as_deref(),
        ..Default::default()
    };
    let mut people = Vec::new();
    for listing in crate::membership::store::members(&app.db, &filter, Utc::now()).await? {
        if !consent::consents_to(&app.db, &listing.id, "newsletter").await? {
            continue;
        }
        if let Some(row) = crate::auth::store::user_by_id(&app.db, &listing.id).await? {
            people.push(User::from(row));
        }
    }
    Ok(people)
}

/// One recipient's copy.
pub async fn render_for(app: &App, newsletter: &Newsletter, reader: &User) -> anyhow::Result<crate::mail::Email> {
    let all = blocks(&app.db, &newsletter.id).await?;
    let mine = blocks_for(app, reader, &all).await?;
    let mut lines = vec![crate::web::markdown::to_plain(&newsletter.intro_md)];
    for b in &mine {
        lines.push(format!("{}: {}. {}", b.title, b.summary, app.config.link(&b.path)));
    }
    Ok(super::messages::notice(
        &reader.email,
        &reader.name,
        &newsletter.subject,
        &lines,
        Some(("Open the members' area", &app.config.link("/members"))),
    )?)
}

/// Queues every recipient's copy (each once, ever) and marks the issue sent. Gives how many were queued now.
pub async fn send(app: &App, newsletter: &Newsletter) -> anyhow::Result<usize> {
    let people = recipients(app, newsletter).await?;
    let domain = app.config.base_url.host_str().unwrap_or("localhost").to_string();
    let mut queued = 0;
    for chunk in people.chunks(200) {
        let mut tx = app.db.begin().await?;
        for reader in chunk {
            let mut email = render_for(app, newsletter, reader).await?;
            email.list_unsubscribe = Some(consent::unsubscribe_link(app, &mut tx, &reader.id, "newsletter").await?);
            let key = format!("newsletter:{}:{}", newsletter.id, reader.id);
            if super::outbox::enqueue_once(&mut tx, &email, &domain, &key).await? {
                queued += 1;
            }
        }
        tx.commit().await?;
        app.wake_mail();
    }
    execute!(
        &app.db,
        "UPDATE newsletters SET status = 'sent', sent_at = COALESCE(sent_at, $1), recipients = $2 WHERE id = $3",
        Utc::now(),
        people.len() as i64,
        &newsletter.id
    )?;
    Ok(queued)
}
