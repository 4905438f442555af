//! Posting rules: a topic with its opening post, replies, edits and accepted answers; who is told, in the
//! site and by e-mail. Each write is one transaction with its search index entry and its notifications.

use chrono::Utc;

use super::model::{Category, Topic};
use super::store::{self, NewTopic};
use crate::App;
use crate::auth::{User, Viewer, policy};
use crate::db::search;
use crate::mail::{self, messages};

/// The label an anonymous question shows: "A practitioner at a local government organisation".
pub async fn anonymous_label(app: &App, user: &User) -> Result<String, sqlx::Error> {
    let sector = match &user.organisation_id {
        Some(id) => crate::membership::organisation(&app.db, id).await?.map(|o| o.sector.to_lowercase()),
        None => None,
    };
    Ok(match sector.filter(|s| s != "other") {
        Some(s) if s.starts_with(['a', 'e', 'i', 'o', 'u']) => format!("A practitioner at an {s} organisation"),
        Some(s) => format!("A practitioner at a {s} organisation"),
        None => "A practitioner".to_string(),
    })
}

/// Handles mentioned in a text: "@priya-shah" -> "priya-shah".
pub fn mentions(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '!' | '?' | '(' | ')'))
        .filter_map(|w| w.strip_prefix('@'))
        .map(|h| h.trim_end_matches('.').to_lowercase())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .collect();
    found.sort();
    found.dedup();
    found
}

/// A post's HTML: its Markdown with each mention of a member (`@first-last`, of the `mentioned` as
/// `users_by_handles` found them) a link to their profile; other `@` words stay as written.
pub fn post_html(body_md: &str, mentioned: &[(String, String)]) -> String {
    let ids: std::collections::HashMap<String, &str> =
        mentioned.iter().map(|(id, name)| (crate::web::forms::slugify(name), id.as_str())).collect();
    let mut md = String::with_capacity(body_md.len());
    let mut fenced = false;
    for line in body_md.split_inclusive('\n') {
        if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
            fenced = !fenced;
        }
        if fenced || line.starts_with("    ") || line.starts_with('\t') {
            md.push_str(line);
            continue;
        }
        // Within a line: not inside `code` or a link's [words] (a link cannot hold another).
        let (mut in_code, mut in_link) = (false, false);
        let mut rest = line;
        while let Some(at) = rest.find(['@', '`', '[', ']']) {
            md.push_str(&rest[..at]);
            let mark = rest[at..].chars().next().unwrap_or('@');
            let after = &rest[at + 1..];
            if mark != '@' {
                match mark {
                    '`' => in_code = !in_code,
                    '[' if !in_code => in_link = true,
                    ']' if !in_code => in_link = false,
                    _ => {}
                }
                md.push(mark);
                rest = after;
                continue;
            }
            let len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).unwrap_or(after.len());
            let handle = &after[..len];
            // A mention starts a word: an e-mail address's "@" follows a letter.
            let starts_word = md.chars().last().is_none_or(|c| c.is_whitespace() || "(,;:!?".contains(c));
            match ids.get(&handle.to_lowercase()) {
                Some(id) if starts_word && !in_code && !in_link => md.push_str(&format!("[@{handle}](/members/{id})")),
                _ => {
                    md.push('@');
                    md.push_str(handle);
                }
            }
            rest = &after[len..];
        }
        md.push_str(rest);
    }
    crate::web::markdown::to_safe_html(&md)
}

/// What a member writes to start a topic.
pub struct TopicDraft<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub kind: &'a str,
    pub anonymous: bool,
}

pub async fn create_topic(
    app: &App,
    author: &User,
    category: &Category,
    draft: &TopicDraft<'_>,
    may_read: &(dyn Fn(&str) -> bool + Sync),
) -> anyhow::Result<String> {
    let TopicDraft { title, body, kind, anonymous } = *draft;
    let label = if anonymous { Some(anonymous_label(app, author).await?) } else { None };
    let mentioned = store::users_by_handles(&app.db, &mentions(body)).await?;
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    let topic_id = store::insert_topic(
        &mut tx,
        &NewTopic { category_id: &category.id, author_id: &author.id, anonymous_label: label.as_deref(), title, kind },
        now,
    )
    .await?;
    let text = store::PostText { md: body, html: post_html(body, &mentioned) };
    let post_id = store::insert_post(&mut tx, &topic_id, &author.id, &text, true, now).await?;
    search::index_post(&mut tx, &post_id, title, body).await?;
    store::watch_in(&mut tx, &author.id, &topic_id, "topic").await?;
    let watchers = store::watchers(&mut tx, &topic_id, &category.id).await?;
    let text = format!("New topic in {}: “{title}”", category.name);
    tell(app, &mut tx, &topic_id, title, &author.id, &watchers, "topic", &text, may_read).await?;
    let mentioned_ids: Vec<String> =
        mentioned.into_iter().map(|(id, _)| id).filter(|id| !watchers.contains(id)).collect();
    tell(
        app,
        &mut tx,
        &topic_id,
        title,
        &author.id,
        &mentioned_ids,
        "mention",
        &format!("You were mentioned in “{title}”"),
        may_read,
    )
    .await?;
    tx.commit().await?;
    app.wake_mail();
    Ok(topic_id)
}

pub async fn reply(
    app: &App,
    author: &User,
    topic: &Topic,
    body: &str,
    may_read: &(dyn Fn(&str) -> bool + Sync),
) -> anyhow::Result<String> {
    let mentioned = store::users_by_handles(&app.db, &mentions(body)).await?;
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    let text = store::PostText { md: body, html: post_html(body, &mentioned) };
    let post_id = store::insert_post(&mut tx, &topic.id, &author.id, &text, false, now).await?;
    search::index_post(&mut tx, &post_id, &topic.title, body).await?;
    let watchers = store::watchers(&mut tx, &topic.id, &topic.category_id).await?;
    store::watch_in(&mut tx, &author.id, &topic.id, "topic").await?;
    tell(
        app,
        &mut tx,
        &topic.id,
        &topic.title,
        &author.id,
        &watchers,
        "reply",
        &format!("New reply in “{}”", topic.title),
        may_read,
    )
    .await?;
    let mentioned_ids: Vec<String> =
        mentioned.into_iter().map(|(id, _)| id).filter(|id| !watchers.contains(id)).collect();
    tell(
        app,
        &mut tx,
        &topic.id,
        &topic.title,
        &author.id,
        &mentioned_ids,
        "mention",
        &format!("You were mentioned in “{}”", topic.title),
        may_read,
    )
    .await?;
    tx.commit().await?;
    app.wake_mail();
    Ok(post_id)
}

/// A notification in the site for each person (not the author, only people who may read the topic), and an
/// e-mail to those who chose forum e-mails, each with a one-click unsubscribe link. Notifications never name
/// who wrote, so an anonymous asker stays anonymous.
#[allow(clippy::too_many_arguments)]
async fn tell(
    app: &App,
    tx: &mut crate::db::Tx,
    topic_id: &str,
    title: &str,
    author_id: &str,
    people: &[String],
    kind: &str,
    text: &str,
    may_read: &(dyn Fn(&str) -> bool + Sync),
) -> anyhow::Result<()> {
    let now = Utc::now();
    let link = app.config.link(&format!("/forum/t/{topic_id}"));
    for user_id in people.iter().filter(|id| id.as_str() != author_id && may_read(id)) {
        // Asked now, at the time of sending: a watcher who lapsed or was suspended since is told nothing.
        let Some(user) = crate::auth::user_by_id(&app.db, user_id).await? else { continue };
        if !policy::can_enter_members_area(&Viewer::of(User::from(user.clone())), now) {
            continue;
        }
        store::notify(tx, user_id, kind, topic_id, text, now).await?;
        let unsubscribe = mail::unsubscribe_link(app, &user.email, mail::Category::ForumNotifications);
        let mut email = messages::notice(
            &app.config.title,
            &user.email,
            &user.name,
            text,
            &[
                format!("{text}. Read it in the members' forum."),
                format!("Stop forum e-mails with one click: {unsubscribe}"),
            ],
            Some((&format!("Read “{title}”"), &link)),
        )?;
        email.list_unsubscribe = Some(unsubscribe);
        mail::queue(app, tx, mail::Kind::Chosen(mail::Category::ForumNotifications), &email).await?;
    }
    Ok(())
}

#[cfg(test)]
mod mention_tests {
    use super::post_html;

    /// A mention links to the member; one in code, in a link's words or in an e-mail address stays text.
    #[test]
    fn mentions_link_outside_code_and_links() {
        let priya = [("p1".to_string(), "Priya Shah".to_string())];
        let html = post_html(
            "Ask @priya-shah, or `@priya-shah`, or [thanks @priya-shah](https://x.example/).\n\n```\n@priya-shah\n```\nmail x@priya-shah",
            &priya,
        );
        assert_eq!(html.matches(r#"href="/members/p1""#).count(), 1, "{html}");
        assert!(html.contains(r#"<a href="https://x.example/""#), "the author's link survives: {html}");
        assert!(!html.contains("[@priya-shah]"), "{html}");
    }
}
