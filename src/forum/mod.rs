//! The members' forum: questions and answers, discussions, watching and notifications, moderation, search.

mod admin;
mod api;
mod demo;
mod digest;
mod model;
mod moderation;
mod reactions;
mod routes;
mod service;
mod store;

/// Sends the daily digests that are due (the job runs it hourly).
pub use digest::send_due as send_due_digests;

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use serde_json::json;

use crate::App;
use crate::auth::policy::Audience;
use crate::db::Tx;
use crate::feature::{Feature, Found, NewsletterItem, Outcome, Person, SearchRequest};

pub use model::Category;
pub use service::post_html;
pub use store::{NewTopic, PostText, categories, insert_category, insert_post, insert_topic};

/// Puts an entry in the moderation log (who acted, what, on what, why), in the caller's transaction: the one
/// log moderators keep, for the forum and for reported private messages alike. `actor_id` is `None` for what a
/// member did (a report), whom the log does not name.
pub async fn log_moderation(
    tx: &mut Tx,
    actor_id: Option<&str>,
    action: &str,
    target: &str,
    reason: &str,
) -> Result<(), sqlx::Error> {
    store::log_as(tx, actor_id, action, target, reason).await
}

/// How long a notification stays once read.
pub const KEEP_READ_NOTIFICATIONS_DAYS: i64 = 90;

/// Retention: notifications read more than `KEEP_READ_NOTIFICATIONS_DAYS` ago go.
pub async fn prune_notifications(app: &App, now: chrono::DateTime<chrono::Utc>) -> Result<u64, sqlx::Error> {
    store::prune_notifications(&app.db, now - chrono::Duration::days(KEEP_READ_NOTIFICATIONS_DAYS)).await
}

/// The forum categories the viewer may read.
pub async fn visible_categories(app: &App, viewer: &crate::auth::Viewer) -> crate::web::AppResult<Vec<Category>> {
    routes::visible_categories(app, viewer).await
}

/// The members' forum, as the program's list of features sees it.
pub struct Forum;

impl Feature for Forum {
    fn name(&self) -> &'static str {
        "forum"
    }

    fn on_start<'a>(&'a self, db: &'a crate::db::Db) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async move { Ok(store::ensure_default_categories(db).await?) })
    }

    fn waiting<'a>(
        &'a self,
        app: &'a App,
        _now: DateTime<Utc>,
    ) -> BoxFuture<'a, Outcome<Vec<crate::feature::Waiting>>> {
        Box::pin(async move { Ok(moderation::waiting(app).await?) })
    }

    fn pages(&self, _app: &App) -> axum::Router<App> {
        routes::routes().merge(moderation::routes()).merge(admin::routes()).merge(reactions::routes())
    }

    fn api(&self) -> Option<(axum::Router<App>, utoipa::openapi::OpenApi)> {
        Some((api::routes(), <api::Doc as utoipa::OpenApi>::openapi()))
    }

    fn jobs(&self, _app: &App, jobs: &mut crate::jobs::Jobs) {
        jobs.every("forum digests", Duration::from_secs(3600), |app| async move {
            digest::send_due(&app, chrono::Utc::now()).await
        });
        jobs.every("read notifications", Duration::from_secs(24 * 3600), |app| async move {
            Ok(prune_notifications(&app, chrono::Utc::now()).await? as usize)
        });
    }

    fn export<'a>(&'a self, app: &'a App, person: &'a Person) -> BoxFuture<'a, Outcome<Option<serde_json::Value>>> {
        Box::pin(async move {
            let posts: Vec<_> = store::posts_by(&app.db, &person.id)
                .await?
                .into_iter()
                .map(|p| json!({"topic": p.topic, "text": p.body_md, "at": p.created_at}))
                .collect();
            let watches: Vec<_> = store::watches_of(&app.db, &person.id)
                .await?
                .into_iter()
                .map(|(kind, id)| json!({"kind": kind, "id": id}))
                .collect();
            let (liked, bookmarked) = store::likes_and_bookmarks_of(&app.db, &person.id).await?;
            Ok(Some(json!({"posts": posts, "watching": watches, "liked_posts": liked, "bookmarked_posts": bookmarked})))
        })
    }

    fn erase<'a>(&'a self, _app: &'a App, tx: &'a mut Tx, person: &'a Person) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async move { Ok(store::erase_person(tx, &person.id, &person.name).await?) })
    }

    fn search<'a>(
        &'a self,
        app: &'a App,
        viewer: &'a crate::auth::Viewer,
        request: &'a SearchRequest,
    ) -> BoxFuture<'a, Outcome<Vec<Found>>> {
        Box::pin(async move {
            // The categories in the request are those the viewer may read: none for anyone outside the forum.
            if request.categories.is_empty()
                || !request.wants("forum")
                || !crate::auth::policy::can_enter_members_area(viewer, chrono::Utc::now())
            {
                return Ok(Vec::new());
            }
            let scope = crate::db::search::Scope {
                categories: &request.categories,
                answered_only: request.answered,
                since: request.since,
            };
            let hits = crate::db::search::forum(&app.db, &request.q, &scope, 50).await?;
            Ok(hits
                .into_iter()
                .map(|h| Found {
                    kind: "Forum",
                    score: crate::search::title_score(&h.title, &request.words),
                    url: format!("/forum/t/{}#post-{}", h.topic_id, h.post_id),
                    title: h.title,
                    snippet: h.snippet,
                    meta: String::new(),
                })
                .collect())
        })
    }

    fn newsletter_kinds(&self) -> &'static [&'static str] {
        &["question"]
    }

    /// Questions answered since the last issue: for members, or a group's for that group.
    fn newsletter_items<'a>(
        &'a self,
        app: &'a App,
        since: DateTime<Utc>,
        _now: DateTime<Utc>,
    ) -> BoxFuture<'a, Outcome<Vec<NewsletterItem>>> {
        Box::pin(async move {
            Ok(store::answered_questions(&app.db, since)
                .await?
                .into_iter()
                .map(|(id, title, group_id)| NewsletterItem {
                    kind: "question",
                    title,
                    summary: "A question answered in the members' forum".into(),
                    path: format!("/forum/t/{id}"),
                    audience: group_id.map_or(Audience::Members, Audience::Group),
                })
                .collect())
        })
    }

    fn newsletter_item_now<'a>(
        &'a self,
        app: &'a App,
        _kind: &'a str,
        key: &'a str,
        _now: DateTime<Utc>,
    ) -> BoxFuture<'a, Outcome<Option<Audience>>> {
        Box::pin(async move {
            let Some(topic) = store::topic(&app.db, "", key).await?.filter(|t| !t.hidden) else { return Ok(None) };
            let category = store::category(&app.db, &topic.category_id).await?;
            Ok(Some(category.and_then(|c| c.group_id).map_or(Audience::Members, Audience::Group)))
        })
    }

    fn demo<'a>(&'a self, app: &'a App, _organiser_id: &'a str) -> BoxFuture<'a, Outcome<Option<String>>> {
        Box::pin(async move { Ok(Some(demo::load(app).await?)) })
    }
}
