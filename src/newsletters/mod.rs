//! Newsletters: an organiser writes an introduction and arranges the items gathered since the last issue,
//! chooses its audiences (all members, groups, regions, public subscribers), previews it as any recipient,
//! and sends it now or at a set time. Each recipient's copy holds only the items that recipient may see, and
//! goes into the outbox once, under a key unique to the issue and the address.

mod demo;
mod images;
mod model;
mod preferences;
mod report;
mod routes;
mod sending;
mod store;
mod subscribers;

/// Releases scheduled issues that are due and queues every copy of the issues on their way.
pub use sending::work as queue_due_issues;

pub use store::{blocks, count_unsubscribe, create, release, subscriber_by_email, unsubscribe_subscriber};

use std::collections::HashSet;

use askama::Template;
use chrono::{DateTime, Utc};

pub use model::{Audience, Block, Draft, NewBlock, Newsletter, Subscriber};

use crate::App;
use crate::auth::{User, Viewer, policy};
use crate::mail::Email;

/// Someone a copy is written for: a member (seen as that member), or a public subscriber (seen as a visitor).
#[derive(Clone, Debug)]
pub struct Reader {
    pub email: String,
    pub name: Option<String>,
    pub viewer: Viewer,
}

impl Reader {
    pub fn member(user: User) -> Reader {
        Reader { email: user.email.clone(), name: Some(user.name.clone()), viewer: Viewer::of(user) }
    }

    pub fn subscriber(email: &str) -> Reader {
        Reader { email: email.to_string(), name: None, viewer: Viewer::default() }
    }
}

/// Gathers what appeared since the last issue: public news, upcoming meetings, library articles and
/// resources, answered questions.
pub async fn gather(app: &App, now: DateTime<Utc>) -> anyhow::Result<Vec<NewBlock>> {
    let since = store::last_sent_at(&app.db).await?.unwrap_or(now - chrono::Duration::days(60));
    let mut gathered = Vec::new();
    for feature in crate::FEATURES {
        gathered.extend(feature.newsletter_items(app, since, now).await?);
    }
    Ok(gathered)
}

/// The blocks as their items stand now: an item unpublished, deleted or moved to a narrower audience since the
/// draft was made drops out or takes its new audience, so a copy (or the archive) never carries an item further
/// than the item itself now goes. Each item is asked of the feature that offered it.
pub async fn current(app: &App, blocks: &[Block]) -> anyhow::Result<Vec<Block>> {
    let now = Utc::now();
    let mut out = Vec::new();
    for b in blocks {
        let key = b.path.rsplit('/').next().unwrap_or("");
        let Some(feature) = crate::FEATURES.iter().find(|f| f.newsletter_kinds().contains(&b.kind.as_str())) else {
            continue;
        };
        if let Some(audience) = feature.newsletter_item_now(app, &b.kind, key, now).await? {
            out.push(Block { audience: audience.key(), ..b.clone() });
        }
    }
    Ok(out)
}

/// The groups whose members some block is for.
pub fn groups_of(blocks: &[Block]) -> Vec<String> {
    let mut ids: Vec<String> =
        blocks.iter().filter_map(|b| b.audience.strip_prefix("group:").map(str::to_string)).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The included blocks one reader may see; `memberships` holds (group, user) for the groups of the blocks.
pub fn visible_to<'a>(
    reader: &Reader,
    blocks: &'a [Block],
    memberships: &HashSet<(String, String)>,
    now: DateTime<Utc>,
) -> Vec<&'a Block> {
    let user_id = reader.viewer.user.as_ref().map(|u| u.id.as_str()).unwrap_or("");
    blocks
        .iter()
        .filter(|b| b.included)
        .filter(|b| {
            let Some(audience) = policy::Audience::parse(&b.audience) else { return false };
            let in_group =
                audience.group().is_some_and(|g| memberships.contains(&(g.to_string(), user_id.to_string())));
            policy::can_see_audience(&reader.viewer, &audience, in_group, now)
        })
        .collect()
}

/// The included blocks one reader may see, as their items stand now, looking up the reader's groups.
pub async fn visible_blocks(app: &App, reader: &Reader, blocks: &[Block]) -> anyhow::Result<Vec<Block>> {
    let blocks = current(app, blocks).await?;
    let memberships = store::group_memberships(&app.db, &groups_of(&blocks)).await?;
    Ok(visible_to(reader, &blocks, &memberships, Utc::now()).into_iter().cloned().collect())
}

struct Item<'a> {
    kind: &'static str,
    title: &'a str,
    summary: &'a str,
    url: String,
}

#[derive(Template)]
#[template(path = "mail/newsletter.html")]
struct CopyHtml<'a> {
    site_name: &'a str,
    subject: &'a str,
    greet: bool,
    name: Option<&'a str>,
    intro_html: &'a str,
    items: &'a [Item<'a>],
    why: &'a str,
}

#[derive(Template)]
#[template(path = "mail/newsletter.txt")]
struct CopyText<'a> {
    greet: bool,
    name: Option<&'a str>,
    intro: &'a str,
    items: &'a [Item<'a>],
    why: &'a str,
}

/// One reader's copy, with its one-click unsubscribe address (the footer is added when it is queued).
pub fn render_copy(
    app: &App,
    newsletter: &Newsletter,
    reader: &Reader,
    blocks: &[&Block],
) -> Result<Email, askama::Error> {
    let items: Vec<Item> = blocks
        .iter()
        .map(|b| Item { kind: b.kind_label(), title: &b.title, summary: &b.summary, url: app.config.link(&b.path) })
        .collect();
    let why = if reader.viewer.user.is_some() {
        format!("You get this as a member of the {} who chose to receive its newsletter.", app.config.title)
    } else {
        format!(
            "You get this because you subscribed to the {}'s public news and confirmed your address.",
            app.config.title
        )
    };
    let base = &app.config.base_url;
    let intro = crate::web::markdown::to_email_text(&newsletter.intro_md, base);
    // Images fit a phone's width; the attribute is ours, added after the introduction was sanitised.
    let intro_html = crate::web::markdown::to_email_html(&newsletter.intro_md, base)
        .replace("<img ", "<img style=\"max-width:100%;height:auto;border:0;\" ");
    // An introduction that opens with its own greeting ("Hello everyone,") is not greeted again.
    let greet = !opens_with_greeting(&intro);
    let name = reader.name.as_deref();
    Ok(Email {
        to: reader.email.clone(),
        subject: newsletter.subject.clone(),
        text: CopyText { greet, name, intro: &intro, items: &items, why: &why }.render()?,
        html: CopyHtml {
            site_name: &app.config.title,
            subject: &newsletter.subject,
            greet,
            name,
            intro_html: &intro_html,
            items: &items,
            why: &why,
        }
        .render()?,
        attachment: None,
        list_unsubscribe: Some(crate::mail::issue_unsubscribe_link(app, &reader.email, &newsletter.id)),
    })
}

/// Whether a text starts by greeting its readers itself.
fn opens_with_greeting(text: &str) -> bool {
    let first = text.split(|c: char| !c.is_alphanumeric()).next().unwrap_or_default().to_lowercase();
    matches!(first.as_str(), "hello" | "hi" | "dear" | "greetings")
}

/// Whether the viewer may read a sent issue in the archive: a public edition (sent to subscribers) is for
/// everyone; otherwise the viewer must have been in one of its member audiences.
pub async fn may_read(app: &App, viewer: &Viewer, audiences: &[Audience]) -> Result<bool, sqlx::Error> {
    let public_edition = audiences.contains(&Audience::Subscribers);
    let mut in_audience = audiences.contains(&Audience::Members);
    if let Some(user) = viewer.user.as_ref().filter(|_| !in_audience) {
        let groups: Vec<String> =
            audiences.iter().filter_map(|a| if let Audience::Group(g) = a { Some(g.clone()) } else { None }).collect();
        let memberships = store::group_memberships(&app.db, &groups).await?;
        in_audience = groups.iter().any(|g| memberships.contains(&(g.clone(), user.id.clone())));
        if !in_audience && audiences.iter().any(|a| matches!(a, Audience::Region(_))) {
            let region = store::member_region(&app.db, &user.id).await?;
            in_audience = region.is_some_and(|r| audiences.contains(&Audience::Region(r)));
        }
    }
    Ok(policy::can_read_newsletter(viewer, public_edition, in_audience, Utc::now()))
}

/// Newsletters, as the program's list of features sees them.
pub struct Newsletters;

impl crate::feature::Feature for Newsletters {
    fn name(&self) -> &'static str {
        "newsletters"
    }

    fn waiting<'a>(
        &'a self,
        app: &'a App,
        _now: chrono::DateTime<chrono::Utc>,
    ) -> futures_util::future::BoxFuture<'a, crate::feature::Outcome<Vec<crate::feature::Waiting>>> {
        Box::pin(async move { Ok(routes::waiting(app).await?) })
    }

    fn pages(&self, _app: &App) -> axum::Router<App> {
        routes::routes()
            .merge(subscribers::routes())
            .merge(preferences::routes())
            .merge(images::routes())
            .merge(report::routes())
    }

    fn jobs(&self, app: &App, jobs: &mut crate::jobs::Jobs) {
        jobs.on_wake("newsletters", app.newsletter_wake(), app.config.mail_poll, |app| async move {
            sending::work(&app).await
        });
    }

    fn export<'a>(
        &'a self,
        app: &'a App,
        person: &'a crate::feature::Person,
    ) -> futures_util::future::BoxFuture<'a, crate::feature::Outcome<Option<serde_json::Value>>> {
        Box::pin(async move {
            let subscription = store::subscriber_by_email(&app.db, &person.email).await?.map(|s| {
                serde_json::json!({"subscribed_at": s.created_at, "confirmed_at": s.confirmed_at,
                                   "unsubscribed_at": s.unsubscribed_at})
            });
            Ok(Some(serde_json::json!({"public_subscription": subscription})))
        })
    }

    fn region_renamed<'a>(
        &'a self,
        tx: &'a mut crate::db::Tx,
        old: &'a str,
        new: &'a str,
    ) -> futures_util::future::BoxFuture<'a, crate::feature::Outcome<()>> {
        Box::pin(async move { Ok(store::rename_region(tx, old, new).await?) })
    }

    fn erase<'a>(
        &'a self,
        _app: &'a App,
        tx: &'a mut crate::db::Tx,
        person: &'a crate::feature::Person,
    ) -> futures_util::future::BoxFuture<'a, crate::feature::Outcome<()>> {
        Box::pin(async move { Ok(store::erase_person(tx, &person.id, &person.email).await?) })
    }

    fn demo<'a>(
        &'a self,
        app: &'a App,
        organiser_id: &'a str,
    ) -> futures_util::future::BoxFuture<'a, crate::feature::Outcome<Option<String>>> {
        Box::pin(async move { Ok(Some(demo::load(app, organiser_id).await?)) })
    }
}
