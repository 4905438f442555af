//! The public site and its editing: pages, news, supporters, people, site map, feeds.

pub mod admin;
mod api;
pub mod defaults;
pub mod feeds;
mod model;
mod routes;
mod store;

pub use model::{NewsInput, PageInput, PersonInput, Supporter, SupporterInput};
pub use store::{
    all_news, insert_file, insert_news, insert_page, insert_private_file, news_by_slug, page_by_slug, private_file,
    public_news, save_person, save_supporter, store_image, supporter, supporters,
};

use futures_util::future::BoxFuture;

use crate::App;
use crate::db::{Db, Tx};
use crate::feature::{Feature, Outcome, Person};

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

    fn erase<'a>(&'a self, tx: &'a mut Tx, person: &'a Person) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(store::erase_person(tx, &person.id))
    }
}
