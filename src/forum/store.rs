//! SQL for the forum.

use chrono::{DateTime, Utc};

use super::model::*;
use crate::db::{Db, Tx, new_id};
use crate::{execute, fetch_all, fetch_optional, fetch_scalar};

// Categories

pub async fn categories(db: &Db) -> Result<Vec<Category>, sqlx::Error> {
    fetch_all!(
        db,
        Category,
        "SELECT id, slug, name, description, group_id, position FROM forum_categories ORDER BY position, name"
    )
}

pub async fn category_by_slug(db: &Db, slug: &str) -> Result<Option<Category>, sqlx::Error> {
    fetch_optional!(
        db,
        Category,
        "SELECT id, slug, name, description, group_id, position FROM forum_categories WHERE slug = $1",
        slug
    )
}

pub async fn category(db: &Db, id: &str) -> Result<Option<Category>, sqlx::Error> {
    fetch_optional!(
        db,
        Category,
        "SELECT id, slug, name, description, group_id, position FROM forum_categories WHERE id = $1",
        id
    )
}

pub async fn insert_category(
    db: &Db,
    slug: &str,
    name: &str,
    description: &str,
    group_id: Option<&str>,
    position: i64,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    execute!(
        db,
        "INSERT INTO forum_categories (id, slug, name, description, group_id, position, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &id,
        slug,
        name,
        description,
        group_id,
        position,
        Utc::now()
    )?;
    Ok(id)
}

/// The starting categories, written on start when the forum has none.
pub async fn ensure_default_categories(db: &Db) -> Result<(), sqlx::Error> {
    let n: i64 = fetch_scalar!(db, i64, "SELECT COUNT(*) FROM forum_categories WHERE group_id IS NULL")?;
    if n == 0 {
        for (i, (slug, name, description)) in DEFAULT_CATEGORIES.iter().enumerate() {
            if let Err(e) = insert_category(db, slug, name, description, None, (i as i64 + 1) * 10).await
                && !crate::db::is_unique_violation(&e)
            {
                return Err(e);
            }
        }
    }
    Ok(())
}

/// Who may read a group's category: the group's active members, and moderators and organisers.
pub async fn group_category_readers(db: &Db, group_id: &str) -> Result<Vec<String>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, String>(
            "SELECT user_id FROM group_members WHERE group_id = $1 AND status = 'active'
             UNION SELECT id FROM users WHERE role IN ('moderator', 'organiser')",
        )
        .persistent(crate::db::keep_prepared())
        .bind(group_id)
        .fetch_all(e)
        .await
    })
}

// Topics and posts

/// A topic's columns for a reader (`$1`), with its author and the reader's unread state (`t`, `u`, `r`).
const TOPIC_COLUMNS: &str =
    "t.id, t.category_id, t.author_id, u.name AS author_name, t.anonymous_label, t.title, t.kind,
    t.accepted_post_id, t.locked, t.pinned, t.hidden, t.reply_count, t.last_activity_at, t.created_at,
    (r.last_read_at IS NULL OR r.last_read_at < t.last_activity_at) AS unread";

/// Topics with their authors, joined to the reader's read marks.
const TOPIC_FROM: &str = "forum_topics t LEFT JOIN users u ON u.id = t.author_id
    LEFT JOIN forum_reads r ON r.topic_id = t.id AND r.user_id = $1";

/// A category's topics for a reader: pinned first, then newest activity; `answered` filters questions.
pub async fn topics(
    db: &Db,
    reader: &str,
    category_id: &str,
    answered: Option<bool>,
    include_hidden: bool,
    offset: i64,
    limit: i64,
) -> Result<Vec<Topic>, sqlx::Error> {
    let filter = match answered {
        Some(true) => "AND t.accepted_post_id IS NOT NULL",
        Some(false) => "AND t.kind = 'question' AND t.accepted_post_id IS NULL",
        None => "",
    };
    let sql = format!(
        "SELECT {TOPIC_COLUMNS} FROM {TOPIC_FROM} WHERE t.category_id = $2 AND ($3 = TRUE OR t.hidden = FALSE) {filter}
         ORDER BY t.pinned DESC, t.last_activity_at DESC LIMIT $4 OFFSET $5"
    );
    fetch_all!(db, Topic, sqlx::AssertSqlSafe(sql), reader, category_id, include_hidden, limit, offset)
}

pub async fn topic(db: &Db, reader: &str, id: &str) -> Result<Option<Topic>, sqlx::Error> {
    fetch_optional!(
        db,
        Topic,
        sqlx::AssertSqlSafe(format!("SELECT {TOPIC_COLUMNS} FROM {TOPIC_FROM} WHERE t.id = $2")),
        reader,
        id
    )
}

/// A topic as its page needs it, in one read: the topic with its author, its category, the reader's unread and
/// watch state, where the reader stands in the category's group (for a group's category), how many posts it
/// has, and which of them the reader liked and keeps (`marks`).
#[derive(Debug, sqlx::FromRow)]
pub struct TopicPageRow {
    #[sqlx(flatten)]
    pub topic: Topic,
    pub category_slug: String,
    pub category_name: String,
    pub category_description: String,
    pub category_group_id: Option<String>,
    pub category_position: i64,
    pub watching: bool,
    pub post_count: i64,
    pub group_role: Option<String>,
    pub group_status: Option<String>,
    pub liked_posts: Option<String>,
    pub kept_posts: Option<String>,
}

crate::inline_row!(TopicPageRow {
    ..topic: Topic,
    category_slug,
    category_name,
    category_description,
    category_group_id,
    category_position,
    watching,
    post_count,
    group_role,
    group_status,
    liked_posts,
    kept_posts
});

/// Which posts of a topic a reader liked and keeps, each a comma-separated list of post ids (None for none).
#[derive(Debug, Default, sqlx::FromRow)]
pub struct Marks {
    pub liked_posts: Option<String>,
    pub kept_posts: Option<String>,
}

crate::inline_row!(Marks { liked_posts, kept_posts });

impl Marks {
    /// Sets each post's `liked` and `bookmarked` for the reader.
    fn apply(&self, posts: &mut [PagePost]) {
        let holds = |list: &Option<String>, id: &str| list.as_deref().is_some_and(|l| l.split(',').any(|p| p == id));
        for p in posts {
            p.liked = holds(&self.liked_posts, &p.id);
            p.bookmarked = holds(&self.kept_posts, &p.id);
        }
    }
}

/// The columns of `Marks` for the reader `$1` in the topic `t`: read by topic from the readers' indexes
/// (migration 0030), once for a page, where joining them post by post cost two lookups a post.
const MARKS: &str = "(SELECT string_agg(l.post_id, ',') FROM forum_likes l WHERE l.user_id = $1 AND l.topic_id = t.id)
        AS liked_posts,
    (SELECT string_agg(b.post_id, ',') FROM forum_bookmarks b WHERE b.user_id = $1 AND b.topic_id = t.id)
        AS kept_posts";

impl TopicPageRow {
    /// The reader's likes and bookmarks in the topic, taken out of the row.
    pub fn marks(&mut self) -> Marks {
        Marks { liked_posts: self.liked_posts.take(), kept_posts: self.kept_posts.take() }
    }

    pub fn category(&self) -> Category {
        Category {
            id: self.topic.category_id.clone(),
            slug: self.category_slug.clone(),
            name: self.category_name.clone(),
            description: self.category_description.clone(),
            group_id: self.category_group_id.clone(),
            position: self.category_position,
        }
    }
}

pub async fn topic_page(db: &Db, reader: &str, id: &str) -> Result<Option<TopicPageRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {TOPIC_COLUMNS},
            c.slug AS category_slug, c.name AS category_name, c.description AS category_description,
            c.group_id AS category_group_id, c.position AS category_position,
            EXISTS (SELECT 1 FROM forum_watches w WHERE w.user_id = $1 AND w.target_id = t.id) AS watching,
            (SELECT COUNT(*) FROM forum_posts p WHERE p.topic_id = t.id) AS post_count,
            g.role AS group_role, g.status AS group_status, {MARKS}
         FROM {TOPIC_FROM}
         JOIN forum_categories c ON c.id = t.category_id
         LEFT JOIN group_members g ON g.group_id = c.group_id AND g.user_id = $1
         WHERE t.id = $2"
    );
    crate::fetch_optional_inline!(db, TopicPageRow, sqlx::AssertSqlSafe(sql), reader, id)
}

/// Unread topics per category for a reader (visible topics only).
pub async fn unread_counts(db: &Db, reader: &str) -> Result<Vec<(String, i64)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        category_id: String,
        n: i64,
    }
    let rows = fetch_all!(
        db,
        Row,
        "SELECT t.category_id, COUNT(*) AS n FROM forum_topics t
         LEFT JOIN forum_reads r ON r.topic_id = t.id AND r.user_id = $1
         WHERE t.hidden = FALSE AND (r.last_read_at IS NULL OR r.last_read_at < t.last_activity_at)
         GROUP BY t.category_id",
        reader
    )?;
    Ok(rows.into_iter().map(|r| (r.category_id, r.n)).collect())
}

const POST: &str =
    "SELECT p.id, p.topic_id, p.author_id, p.body_md, p.opening, p.hidden, p.created_at FROM forum_posts p";

/// Posts as a page shows them to a reader (`$1`): the likes counted on the post; the reader's like and bookmark
/// joined on their keys (as subqueries they opened and closed two cursors per post). A page of posts reads them
/// with the topic instead (`Marks`).
macro_rules! page_posts {
    ($where:literal) => {
        concat!(
            "SELECT p.id, p.author_id, u.name AS author_name, p.body_html, p.opening, p.hidden,
             p.created_at, p.edited_at, p.like_count AS likes,
             l.user_id IS NOT NULL AS liked, b.user_id IS NOT NULL AS bookmarked
             FROM forum_posts p LEFT JOIN users u ON u.id = p.author_id
             LEFT JOIN forum_likes l ON l.post_id = p.id AND l.user_id = $1
             LEFT JOIN forum_bookmarks b ON b.user_id = $1 AND b.post_id = p.id ",
            $where
        )
    };
}

/// A page of a topic's posts, each with its likes and whether the reader liked and keeps it (`marks`, read with
/// the topic by `topic_page` or alone by `marks`).
pub async fn posts(
    db: &Db,
    topic_id: &str,
    marks: &Marks,
    offset: i64,
    limit: i64,
) -> Result<Vec<PagePost>, sqlx::Error> {
    let mut posts = crate::fetch_all_inline!(
        db,
        PagePost,
        "SELECT p.id, p.author_id, u.name AS author_name, p.body_html, p.opening, p.hidden,
             p.created_at, p.edited_at, p.like_count AS likes, FALSE AS liked, FALSE AS bookmarked
         FROM forum_posts p LEFT JOIN users u ON u.id = p.author_id
         WHERE p.topic_id = $1 ORDER BY p.created_at, p.id LIMIT $2 OFFSET $3",
        topic_id,
        limit,
        offset
    )?;
    marks.apply(&mut posts);
    Ok(posts)
}

/// Which posts of a topic `reader` liked and keeps.
pub async fn marks(db: &Db, reader: &str, topic_id: &str) -> Result<Marks, sqlx::Error> {
    let sql = format!("SELECT {MARKS} FROM forum_topics t WHERE t.id = $2");
    Ok(crate::fetch_optional_inline!(db, Marks, sqlx::AssertSqlSafe(sql), reader, topic_id)?.unwrap_or_default())
}

/// One post as a page shows it to `reader` (the accepted answer when it is on another page; the API's new reply).
pub async fn page_post(db: &Db, reader: &str, id: &str) -> Result<Option<PagePost>, sqlx::Error> {
    crate::fetch_optional_inline!(db, PagePost, page_posts!("WHERE p.id = $2"), reader, id)
}

// Likes and bookmarks

/// How many posts of a topic come before this one (to find its page).
pub async fn posts_before(db: &Db, topic_id: &str, at: DateTime<Utc>, id: &str) -> Result<i64, sqlx::Error> {
    crate::fetch_scalar!(
        db,
        i64,
        "SELECT COUNT(*) FROM forum_posts WHERE topic_id = $1 AND (created_at < $2 OR (created_at = $2 AND id < $3))",
        topic_id,
        at,
        id
    )
}

/// Records a member's like, once: gives whether it is new.
pub async fn like(tx: &mut Tx, post: &Post, user_id: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let added = execute!(
        tx,
        "INSERT INTO forum_likes (post_id, user_id, topic_id, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
        &post.id,
        user_id,
        &post.topic_id,
        now
    )?;
    Ok(added == 1)
}

pub async fn unlike(db: &Db, post_id: &str, user_id: &str) -> Result<(), sqlx::Error> {
    execute!(db, "DELETE FROM forum_likes WHERE post_id = $1 AND user_id = $2", post_id, user_id)?;
    Ok(())
}

pub async fn count_likes(tx: &mut Tx, post_id: &str) -> Result<i64, sqlx::Error> {
    crate::fetch_scalar!(tx, i64, "SELECT like_count FROM forum_posts WHERE id = $1", post_id)
}

/// Who liked a post, first first: (their id, their name).
pub async fn likers(db: &Db, post_id: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_as::<_, (String, String)>(
            "SELECT u.id, u.name FROM forum_likes l JOIN users u ON u.id = l.user_id WHERE l.post_id = $1
             ORDER BY l.created_at, u.name",
        )
        .persistent(crate::db::keep_prepared())
        .bind(post_id)
        .fetch_all(e)
        .await
    })
}

/// Tells a post's author of its likes in one notification: the unread one about this post is brought up to
/// date and to the top, else a new one.
pub async fn notify_like(
    tx: &mut Tx,
    author_id: &str,
    topic_id: &str,
    post_id: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "INSERT INTO notifications (id, user_id, kind, topic_id, post_id, text, created_at)
         VALUES ($1, $2, 'like', $3, $4, $5, $6)
         ON CONFLICT (user_id, post_id) WHERE kind = 'like' AND read_at IS NULL
         DO UPDATE SET text = excluded.text, created_at = excluded.created_at",
        new_id(),
        author_id,
        topic_id,
        post_id,
        text,
        now
    )?;
    Ok(())
}

pub async fn set_bookmark(
    db: &Db,
    user_id: &str,
    post: &Post,
    kept: bool,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    if kept {
        execute!(
            db,
            "INSERT INTO forum_bookmarks (user_id, post_id, topic_id, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
            user_id,
            &post.id,
            &post.topic_id,
            now
        )?;
    } else {
        execute!(db, "DELETE FROM forum_bookmarks WHERE user_id = $1 AND post_id = $2", user_id, &post.id)?;
    }
    Ok(())
}

/// A member's bookmarks, latest first (the caller leaves out what they may no longer read).
pub async fn bookmarks(db: &Db, user_id: &str) -> Result<Vec<Bookmark>, sqlx::Error> {
    fetch_all!(
        db,
        Bookmark,
        "SELECT b.post_id, t.id AS topic_id, t.category_id, t.title, p.opening, p.body_md,
         (p.hidden OR t.hidden) AS hidden, b.created_at
         FROM forum_bookmarks b JOIN forum_posts p ON p.id = b.post_id JOIN forum_topics t ON t.id = p.topic_id
         WHERE b.user_id = $1 ORDER BY b.created_at DESC",
        user_id
    )
}

/// The posts a person liked and kept, for their data export.
pub async fn likes_and_bookmarks_of(db: &Db, user_id: &str) -> Result<(Vec<String>, Vec<String>), sqlx::Error> {
    let ids = |sql: &'static str| async move {
        crate::on_engine!(db, |e| sqlx::query_scalar::<_, String>(sql)
            .persistent(crate::db::keep_prepared())
            .bind(user_id)
            .fetch_all(e)
            .await)
    };
    let liked = ids("SELECT post_id FROM forum_likes WHERE user_id = $1 ORDER BY created_at").await?;
    let kept = ids("SELECT post_id FROM forum_bookmarks WHERE user_id = $1 ORDER BY created_at").await?;
    Ok((liked, kept))
}

pub async fn post(db: &Db, id: &str) -> Result<Option<Post>, sqlx::Error> {
    fetch_optional!(db, Post, sqlx::AssertSqlSafe(format!("{POST} WHERE p.id = $1")), id)
}

pub async fn count_posts(db: &Db, topic_id: &str) -> Result<i64, sqlx::Error> {
    fetch_scalar!(db, i64, "SELECT COUNT(*) FROM forum_posts WHERE topic_id = $1", topic_id)
}

pub struct NewTopic<'a> {
    pub category_id: &'a str,
    pub author_id: &'a str,
    pub anonymous_label: Option<&'a str>,
    pub title: &'a str,
    pub kind: &'a str,
}

pub async fn insert_topic(tx: &mut Tx, t: &NewTopic<'_>, now: DateTime<Utc>) -> Result<String, sqlx::Error> {
    let id = new_id();
    execute!(
        tx,
        "INSERT INTO forum_topics (id, category_id, author_id, anonymous_label, title, kind, locked, pinned, hidden,
                                   reply_count, last_activity_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, FALSE, FALSE, FALSE, 0, $7, $7)",
        &id,
        t.category_id,
        t.author_id,
        t.anonymous_label,
        t.title,
        t.kind,
        now
    )?;
    Ok(id)
}

/// A post as written (`body_md`) and as shown (`body_html`, from `service::post_html`).
pub struct PostText<'a> {
    pub md: &'a str,
    pub html: String,
}

pub async fn insert_post(
    tx: &mut Tx,
    topic_id: &str,
    author_id: &str,
    body: &PostText<'_>,
    opening: bool,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    execute!(
        &mut *tx,
        "INSERT INTO forum_posts (id, topic_id, author_id, body_md, body_html, opening, hidden, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7)",
        &id,
        topic_id,
        author_id,
        body.md,
        &body.html,
        opening,
        now
    )?;
    if !opening {
        execute!(
            tx,
            "UPDATE forum_topics SET reply_count = reply_count + 1, last_activity_at = $1 WHERE id = $2",
            now,
            topic_id
        )?;
    }
    Ok(id)
}

/// Saves an edit, keeping the text before it in the history.
pub async fn edit_post(
    tx: &mut Tx,
    post: &Post,
    body: &PostText<'_>,
    editor_id: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        &mut *tx,
        "INSERT INTO forum_revisions (id, post_id, body_md, edited_by, created_at) VALUES ($1, $2, $3, $4, $5)",
        new_id(),
        &post.id,
        &post.body_md,
        editor_id,
        now
    )?;
    execute!(
        tx,
        "UPDATE forum_posts SET body_md = $1, body_html = $2, edited_at = $3 WHERE id = $4",
        body.md,
        &body.html,
        now,
        &post.id
    )?;
    Ok(())
}

pub async fn set_title(tx: &mut Tx, topic_id: &str, title: &str) -> Result<(), sqlx::Error> {
    execute!(tx, "UPDATE forum_topics SET title = $1 WHERE id = $2", title, topic_id)?;
    Ok(())
}

pub async fn revisions(db: &Db, post_id: &str) -> Result<Vec<Revision>, sqlx::Error> {
    fetch_all!(
        db,
        Revision,
        "SELECT r.body_md, u.name AS editor_name, r.created_at FROM forum_revisions r LEFT JOIN users u ON u.id = r.edited_by
         WHERE r.post_id = $1 ORDER BY r.created_at DESC",
        post_id
    )
}

pub async fn set_accepted(db: &Db, topic_id: &str, post_id: Option<&str>) -> Result<(), sqlx::Error> {
    execute!(db, "UPDATE forum_topics SET accepted_post_id = $1 WHERE id = $2", post_id, topic_id)?;
    Ok(())
}

pub async fn mark_read(db: &Db, user_id: &str, topic_id: &str, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "INSERT INTO forum_reads (user_id, topic_id, last_read_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, topic_id) DO UPDATE SET last_read_at = excluded.last_read_at",
        user_id,
        topic_id,
        at
    )?;
    Ok(())
}

// Watching and notifications

pub async fn watch(db: &Db, user_id: &str, target_id: &str, kind: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "INSERT INTO forum_watches (user_id, target_id, target_kind, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, target_id) DO NOTHING",
        user_id,
        target_id,
        kind,
        Utc::now()
    )?;
    Ok(())
}

pub async fn watch_in(tx: &mut Tx, user_id: &str, target_id: &str, kind: &str) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "INSERT INTO forum_watches (user_id, target_id, target_kind, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, target_id) DO NOTHING",
        user_id,
        target_id,
        kind,
        Utc::now()
    )?;
    Ok(())
}

pub async fn unwatch(db: &Db, user_id: &str, target_id: &str) -> Result<(), sqlx::Error> {
    execute!(db, "DELETE FROM forum_watches WHERE user_id = $1 AND target_id = $2", user_id, target_id)?;
    Ok(())
}

pub async fn is_watching(db: &Db, user_id: &str, target_id: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = fetch_scalar!(
        db,
        i64,
        "SELECT COUNT(*) FROM forum_watches WHERE user_id = $1 AND target_id = $2",
        user_id,
        target_id
    )?;
    Ok(n > 0)
}

/// Everyone watching the topic or its category.
pub async fn watchers(tx: &mut Tx, topic_id: &str, category_id: &str) -> Result<Vec<String>, sqlx::Error> {
    crate::on_engine!(tx, |e| {
        sqlx::query_scalar::<_, String>(
            "SELECT DISTINCT user_id FROM forum_watches WHERE target_id = $1 OR target_id = $2",
        )
        .persistent(crate::db::keep_prepared())
        .bind(topic_id)
        .bind(category_id)
        .fetch_all(e)
        .await
    })
}

pub async fn notify(
    tx: &mut Tx,
    user_id: &str,
    kind: &str,
    topic_id: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "INSERT INTO notifications (id, user_id, kind, topic_id, text, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        new_id(),
        user_id,
        kind,
        topic_id,
        text,
        now
    )?;
    Ok(())
}

pub async fn notifications(db: &Db, user_id: &str) -> Result<Vec<Notification>, sqlx::Error> {
    fetch_all!(
        db,
        Notification,
        "SELECT topic_id, text, read_at, created_at FROM notifications WHERE user_id = $1 ORDER BY created_at DESC LIMIT 100",
        user_id
    )
}

pub async fn read_notifications(db: &Db, user_id: &str) -> Result<(), sqlx::Error> {
    execute!(db, "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL", Utc::now(), user_id)?;
    Ok(())
}

// Moderation

pub async fn flag(db: &Db, post_id: &str, user_id: &str, reason: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "INSERT INTO forum_flags (id, post_id, flagged_by, reason, created_at) VALUES ($1, $2, $3, $4, $5)",
        new_id(),
        post_id,
        user_id,
        reason,
        Utc::now()
    )?;
    Ok(())
}

pub async fn open_flags(db: &Db) -> Result<Vec<Flag>, sqlx::Error> {
    fetch_all!(
        db,
        Flag,
        "SELECT f.id, f.post_id, p.topic_id, t.title, p.body_md, f.reason, u.name AS flagged_by_name, p.hidden
         FROM forum_flags f JOIN forum_posts p ON p.id = f.post_id JOIN forum_topics t ON t.id = p.topic_id
         LEFT JOIN users u ON u.id = f.flagged_by
         WHERE f.resolved_at IS NULL ORDER BY f.created_at"
    )
}

/// Flagged posts not yet dealt with: how many posts, and the first few (topic title, reason), oldest first.
pub async fn flagged_posts(db: &Db, limit: i64) -> Result<(i64, Vec<(String, String)>), sqlx::Error> {
    let count =
        crate::fetch_scalar!(db, i64, "SELECT COUNT(DISTINCT post_id) FROM forum_flags WHERE resolved_at IS NULL")?;
    let first = fetch_all!(
        db,
        (String, String),
        "SELECT t.title, f.reason FROM forum_flags f
         JOIN forum_posts p ON p.id = f.post_id JOIN forum_topics t ON t.id = p.topic_id
         WHERE f.resolved_at IS NULL ORDER BY f.created_at, f.id LIMIT $1",
        limit
    )?;
    Ok((count, first))
}

pub async fn resolve_flags(tx: &mut Tx, post_id: &str) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "UPDATE forum_flags SET resolved_at = $1 WHERE post_id = $2 AND resolved_at IS NULL",
        Utc::now(),
        post_id
    )?;
    Ok(())
}

pub async fn log(tx: &mut Tx, moderator_id: &str, action: &str, target: &str, reason: &str) -> Result<(), sqlx::Error> {
    log_as(tx, Some(moderator_id), action, target, reason).await
}

/// An entry whose actor may go unnamed (a member's report: moderators see what was reported, not by whom).
pub async fn log_as(
    tx: &mut Tx,
    moderator_id: Option<&str>,
    action: &str,
    target: &str,
    reason: &str,
) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "INSERT INTO moderation_log (id, moderator_id, action, target, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        new_id(),
        moderator_id,
        action,
        target,
        reason,
        Utc::now()
    )?;
    Ok(())
}

pub async fn log_entries(db: &Db) -> Result<Vec<LogEntry>, sqlx::Error> {
    fetch_all!(
        db,
        LogEntry,
        "SELECT u.name AS moderator_name, l.action, l.target, l.reason, l.created_at
         FROM moderation_log l LEFT JOIN users u ON u.id = l.moderator_id ORDER BY l.created_at DESC LIMIT 500"
    )
}

pub async fn set_post_hidden(tx: &mut Tx, post_id: &str, hidden: bool) -> Result<(), sqlx::Error> {
    execute!(tx, "UPDATE forum_posts SET hidden = $1 WHERE id = $2", hidden, post_id)?;
    Ok(())
}

/// Sets a topic's flag: `column` is one of the fixed names below, never user input.
pub async fn set_topic_flag(tx: &mut Tx, topic_id: &str, column: TopicFlag, value: bool) -> Result<(), sqlx::Error> {
    let sql = match column {
        TopicFlag::Locked => "UPDATE forum_topics SET locked = $1 WHERE id = $2",
        TopicFlag::Pinned => "UPDATE forum_topics SET pinned = $1 WHERE id = $2",
        TopicFlag::Hidden => "UPDATE forum_topics SET hidden = $1 WHERE id = $2",
    };
    execute!(tx, sql, value, topic_id)?;
    Ok(())
}

#[derive(Clone, Copy)]
pub enum TopicFlag {
    Locked,
    Pinned,
    Hidden,
}

pub async fn move_topic(tx: &mut Tx, topic_id: &str, category_id: &str) -> Result<(), sqlx::Error> {
    execute!(tx, "UPDATE forum_topics SET category_id = $1 WHERE id = $2", category_id, topic_id)?;
    Ok(())
}

pub async fn set_posting_suspended(tx: &mut Tx, user_id: &str, suspended: bool) -> Result<(), sqlx::Error> {
    execute!(tx, "UPDATE users SET posting_suspended = $1 WHERE id = $2", suspended, user_id)?;
    Ok(())
}

/// Members whose name, made into a handle ("Priya Shah" -> "priya-shah"), is in `handles`.
pub async fn users_by_handles(db: &Db, handles: &[String]) -> Result<Vec<(String, String)>, sqlx::Error> {
    if handles.is_empty() {
        return Ok(Vec::new());
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        name: String,
    }
    let rows = fetch_all!(db, Row, "SELECT id, name FROM users WHERE suspended = FALSE AND role <> 'applicant'")?;
    Ok(rows
        .into_iter()
        .filter(|r| handles.contains(&crate::web::forms::slugify(&r.name)))
        .map(|r| (r.id, r.name))
        .collect())
}

// A person's data

/// What the forum keeps for a person alone: read marks, watches, notifications, likes, bookmarks, the digest's clock, their name
/// on flags they raised, and their name in the moderation log's entries about them. Their posts stay, shown
/// under "Former member".
pub async fn erase_person(tx: &mut Tx, user_id: &str, name: &str) -> Result<(), sqlx::Error> {
    execute!(
        &mut *tx,
        "UPDATE moderation_log SET target = 'member (former member)', reason = REPLACE(reason, $1, 'a former member')
         WHERE target = 'member ' || $1",
        name
    )?;
    execute!(&mut *tx, "DELETE FROM forum_reads WHERE user_id = $1", user_id)?;
    execute!(&mut *tx, "DELETE FROM forum_watches WHERE user_id = $1", user_id)?;
    execute!(&mut *tx, "DELETE FROM notifications WHERE user_id = $1", user_id)?;
    execute!(&mut *tx, "DELETE FROM forum_digests WHERE user_id = $1", user_id)?;
    execute!(&mut *tx, "DELETE FROM forum_likes WHERE user_id = $1", user_id)?;
    execute!(&mut *tx, "DELETE FROM forum_bookmarks WHERE user_id = $1", user_id)?;
    execute!(&mut *tx, "UPDATE forum_flags SET flagged_by = NULL WHERE flagged_by = $1", user_id)?;
    Ok(())
}

/// A person's forum as the data export shows it: what they wrote and what they watch.
#[derive(Debug, sqlx::FromRow)]
pub struct HeldPost {
    pub topic: String,
    pub body_md: String,
    pub created_at: DateTime<Utc>,
}

pub async fn posts_by(db: &Db, user_id: &str) -> Result<Vec<HeldPost>, sqlx::Error> {
    fetch_all!(
        db,
        HeldPost,
        "SELECT t.title AS topic, p.body_md, p.created_at FROM forum_posts p JOIN forum_topics t ON t.id = p.topic_id
         WHERE p.author_id = $1 ORDER BY p.created_at",
        user_id
    )
}

pub async fn watches_of(db: &Db, user_id: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        target_kind: String,
        target_id: String,
    }
    let rows = fetch_all!(
        db,
        Row,
        "SELECT target_kind, target_id FROM forum_watches WHERE user_id = $1 ORDER BY created_at",
        user_id
    )?;
    Ok(rows.into_iter().map(|r| (r.target_kind, r.target_id)).collect())
}

/// Recently answered forum questions, with the group whose space they are in (if any).
pub async fn answered_questions(
    db: &Db,
    since: DateTime<Utc>,
) -> Result<Vec<(String, String, Option<String>)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Answered {
        id: String,
        title: String,
        group_id: Option<String>,
    }
    let rows = fetch_all!(
        db,
        Answered,
        "SELECT t.id, t.title, c.group_id FROM forum_topics t JOIN forum_categories c ON c.id = t.category_id
         WHERE t.accepted_post_id IS NOT NULL AND t.hidden = FALSE AND t.last_activity_at > $1
         ORDER BY t.last_activity_at DESC LIMIT 10",
        since
    )?;
    Ok(rows.into_iter().map(|r| (r.id, r.title, r.group_id)).collect())
}

/// Retention: notifications read before `before` go.
pub async fn prune_notifications(db: &Db, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    execute!(db, "DELETE FROM notifications WHERE read_at IS NOT NULL AND read_at < $1", before)
}
