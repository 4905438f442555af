//! Small acts between members: a like (thanks for a post, counted once per member, the author told in one
//! notification that grows: "3 people liked your answer"; it names no one, so it keeps nothing of a liker who
//! later leaves), who liked (members see the names; an anonymous asker stays anonymous), and bookmarks a member
//! keeps at `/account/bookmarks`. Plain forms: no JavaScript needed.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;

use super::model::{Bookmark, Post, Topic};
use super::routes::{member, readers, shown_author, topic_of, visible_categories};
use super::store;
use crate::App;
use crate::auth::{Viewer, policy};
use crate::web::{AppError, AppResult, Form, Page, redirect_with_notice, render};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/forum/p/{id}/like", post(like))
        .route("/forum/p/{id}/likes", get(likers))
        .route("/forum/p/{id}/bookmark", post(bookmark))
        .route("/account/bookmarks", get(bookmarks))
}

/// A post the viewer may read (hidden ones only for moderators), with its topic and category.
pub(super) async fn readable_post(
    app: &App,
    viewer: &Viewer,
    id: &str,
) -> AppResult<(Post, Topic, super::model::Category)> {
    let post = store::post(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let (topic, category) = topic_of(app, viewer, &post.topic_id).await?;
    if post.hidden && !policy::can_moderate(viewer) {
        return Err(AppError::NotFound);
    }
    Ok((post, topic, category))
}

/// Where a post is: its topic's page that shows it.
pub(super) async fn place_of(app: &App, post: &Post) -> AppResult<String> {
    let before = store::posts_before(&app.db, &post.topic_id, post.created_at, &post.id).await?;
    let page = before / super::routes::POSTS_PER_PAGE + 1;
    Ok(format!("/forum/t/{}?page={page}#post-{}", post.topic_id, post.id))
}

/// The words of a like notification: how many liked which kind of post where.
fn like_text(likes: i64, topic: &Topic, post: &Post) -> String {
    let what = match (post.opening, topic.is_question()) {
        (true, true) => "question",
        (true, false) => "topic",
        (false, true) => "answer",
        (false, false) => "reply",
    };
    if likes <= 1 {
        format!("A member liked your {what} in “{}”", topic.title)
    } else {
        format!("{likes} people liked your {what} in “{}”", topic.title)
    }
}

#[derive(Deserialize)]
struct LikeForm {
    #[serde(default)]
    liked: String,
}

async fn like(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<LikeForm>,
) -> AppResult<Response> {
    let (post, topic, category) = readable_post(&app, &viewer, &id).await?;
    let user = member(&viewer, &format!("/forum/t/{}", topic.id))?;
    let now = Utc::now();
    if post.hidden {
        return Err(AppError::Refused("A hidden post is not liked.".into()));
    }
    if !policy::can_like_post(&viewer, post.author_id.as_deref(), now) {
        return Err(AppError::Refused(if post.author_id.as_deref() == Some(user.id.as_str()) {
            "Your own posts are not liked.".into()
        } else {
            "You cannot like posts while your posting is suspended.".into()
        }));
    }
    let place = place_of(&app, &post).await?;
    if form.liked == "no" {
        store::unlike(&app.db, &post.id, &user.id).await?;
        return Ok(redirect_with_notice(&place, "Your like is taken back."));
    }
    // The author is told only while they may still read the topic (a group's member who left is not).
    let allowed = readers(&app, &category).await?;
    let mut tx = app.db.begin().await?;
    if store::like(&mut tx, &post, &user.id, now).await?
        && let Some(author) = &post.author_id
        && allowed.as_ref().is_none_or(|set| set.contains(author))
    {
        let likes = store::count_likes(&mut tx, &post.id).await?;
        store::notify_like(&mut tx, author, &topic.id, &post.id, &like_text(likes, &topic, &post), now).await?;
    }
    tx.commit().await?;
    Ok(redirect_with_notice(&place, "You liked the post."))
}

#[derive(Template)]
#[template(path = "forum/likes.html")]
struct LikersPage {
    page: Page,
    topic: Topic,
    place: String,
    names: Vec<String>,
}

async fn likers(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let (post, topic, _) = readable_post(&app, &viewer, &id).await?;
    // The asker of an anonymous question who liked a post is shown as they are on the topic.
    let names = store::likers(&app.db, &post.id)
        .await?
        .into_iter()
        .map(|(id, name)| shown_author(&viewer, &topic, Some(&id), Some(&name)))
        .collect();
    let place = place_of(&app, &post).await?;
    render(&LikersPage { page: page.titled("Who liked this post").noindex(), topic, place, names })
}

#[derive(Deserialize)]
struct BookmarkForm {
    #[serde(default)]
    kept: String,
}

async fn bookmark(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<BookmarkForm>,
) -> AppResult<Response> {
    let (post, _, _) = readable_post(&app, &viewer, &id).await?;
    let user = member(&viewer, "/forum")?;
    let kept = form.kept != "no";
    store::set_bookmark(&app.db, &user.id, &post, kept, Utc::now()).await?;
    let notice = if kept { "Bookmarked: find it under Bookmarks in your account." } else { "Bookmark removed." };
    Ok(redirect_with_notice(&place_of(&app, &post).await?, notice))
}

pub struct BookmarkRow {
    pub bookmark: Bookmark,
    pub excerpt: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "forum/bookmarks.html")]
struct BookmarksPage {
    page: Page,
    rows: Vec<BookmarkRow>,
}

/// A member's bookmarks, leaving out what they may no longer read (a group left, a post hidden).
async fn bookmarks(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let user = member(&viewer, "/account/bookmarks")?;
    let readable: Vec<String> = visible_categories(&app, &viewer).await?.into_iter().map(|c| c.id).collect();
    let moderator = policy::can_moderate(&viewer);
    let rows = store::bookmarks(&app.db, &user.id)
        .await?
        .into_iter()
        .filter(|b| readable.contains(&b.category_id) && (!b.hidden || moderator))
        .map(|b| BookmarkRow {
            excerpt: excerpt(&b.body_md),
            when: crate::web::time::date(b.created_at, app.config.timezone),
            bookmark: b,
        })
        .collect();
    render(&BookmarksPage { page: page.titled("Bookmarks").noindex(), rows })
}

/// The start of a post, as plain words.
fn excerpt(markdown: &str) -> String {
    let words: String = markdown.split_whitespace().collect::<Vec<_>>().join(" ");
    let short: String = words.chars().take(160).collect();
    if short.len() < words.len() { format!("{short}…") } else { short }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_and_plain() {
        assert_eq!(excerpt("Hello\n\nworld"), "Hello world");
        assert_eq!(excerpt(&"word ".repeat(100)).chars().count(), 161);
    }
}
