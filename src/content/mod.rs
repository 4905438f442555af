//! The public site and its editing: pages, news, supporters, people, site map, feeds.

mod admin;
mod api;
mod defaults;
mod demo;
mod feeds;
mod model;
mod routes;
mod store;

pub use model::Supporter;
pub use store::{
    PIECE, StoredFile, all_news, file_bytes, file_piece, insert_file, insert_private_file, page_by_slug, private_file,
    store_image, supporter, supporters,
};

use futures_util::future::BoxFuture;

use crate::App;
use crate::db::{Db, Tx};
use chrono::{DateTime, Utc};

use crate::auth::policy::{self, Audience};
use crate::feature::{Feature, NewsletterItem, Outcome, Person};

/// The public site, as the program's list of features sees it.
pub struct Site;

impl Feature for Site {
    fn name(&self) -> &'static str {
        "site"
    }

    fn on_start<'a>(&'a self, db: &'a Db) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async move { Ok(defaults::ensure_pages(db).await?) })
    }

    fn pages(&self, _app: &App) -> axum::Router<App> {
        routes::routes().merge(admin::routes())
    }

    fn api(&self) -> Option<(axum::Router<App>, utoipa::openapi::OpenApi)> {
        Some((api::routes(), <api::Doc as utoipa::OpenApi>::openapi()))
    }

    fn erase<'a>(&'a self, _app: &'a App, tx: &'a mut Tx, person: &'a Person) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async move { Ok(store::erase_person(tx, &person.id).await?) })
    }

    fn newsletter_kinds(&self) -> &'static [&'static str] {
        &["news"]
    }

    /// News is public: found for everyone.
    fn search<'a>(
        &'a self,
        app: &'a App,
        _viewer: &'a crate::auth::Viewer,
        request: &'a crate::feature::SearchRequest,
    ) -> BoxFuture<'a, Outcome<Vec<crate::feature::Found>>> {
        Box::pin(async move {
            if !request.wants("news") {
                return Ok(Vec::new());
            }
            let found = store::search_news(&app.db, &request.q, Utc::now()).await?;
            Ok(found
                .into_iter()
                .map(|n| crate::feature::Found {
                    kind: "News",
                    score: crate::search::title_score(&n.title, &request.words),
                    url: format!("/news/{}", n.slug),
                    snippet: crate::search::excerpt(&format!("{} {}", n.summary, n.body_md), &request.words),
                    meta: crate::web::time::date(n.publish_at, app.config.timezone),
                    title: n.title,
                })
                .collect())
        })
    }

    fn newsletter_items<'a>(
        &'a self,
        app: &'a App,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Outcome<Vec<NewsletterItem>>> {
        Box::pin(async move {
            Ok(store::public_news(&app.db, now, 20)
                .await?
                .into_iter()
                .filter(|n| n.publish_at > since)
                .map(|n| NewsletterItem {
                    kind: "news",
                    title: n.title,
                    summary: n.summary,
                    path: format!("/news/{}", n.slug),
                    audience: Audience::Everyone,
                })
                .collect())
        })
    }

    fn newsletter_item_now<'a>(
        &'a self,
        app: &'a App,
        _kind: &'a str,
        key: &'a str,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Outcome<Option<Audience>>> {
        Box::pin(async move {
            let news = store::news_by_slug(&app.db, key).await?;
            Ok(news
                .filter(|n| policy::Publication::of(n.published, n.publish_at).is_out(now))
                .map(|_| Audience::Everyone))
        })
    }

    fn demo<'a>(&'a self, app: &'a App, _organiser_id: &'a str) -> BoxFuture<'a, Outcome<Option<String>>> {
        Box::pin(async move { Ok(Some(demo::load(app).await?)) })
    }
}
