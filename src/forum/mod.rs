//! The members' forum: questions and answers, discussions, watching and notifications, moderation, search.

pub mod admin;
mod api;
pub mod digest;
mod model;
pub mod moderation;
mod routes;
pub mod service;
mod store;

use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::json;

use crate::App;
use crate::db::Tx;
use crate::feature::{Feature, Found, Outcome, Person, SearchRequest};

pub use model::Category;
pub use store::{NewTopic, categories, insert_category, insert_post, insert_topic, topic};

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

    fn pages(&self, _app: &App) -> axum::Router<App> {
        routes::routes().merge(moderation::routes()).merge(admin::routes())
    }

    fn api(&self) -> Option<(axum::Router<App>, utoipa::openapi::OpenApi)> {
        Some((api::routes(), <api::Doc as utoipa::OpenApi>::openapi()))
    }

    fn jobs(&self, _app: &App, jobs: &mut crate::jobs::Jobs) {
        jobs.every("forum digests", Duration::from_secs(3600), |app| async move {
            digest::send_due(&app, chrono::Utc::now()).await
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
            Ok(Some(json!({"posts": posts, "watching": watches})))
        })
    }

    fn erase<'a>(&'a self, tx: &'a mut Tx, person: &'a Person) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(store::erase_person(tx, &person.id))
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
}
