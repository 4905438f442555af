//! The knowledge library: articles organisers write ("special articles" are the members-only ones) and
//! resources (a file or a link: guides, research, templates, checklists, slides, recordings, tools), each for
//! an audience (everyone, members, one group), filed by discipline and tag, published now or at a set time.

pub mod admin;
pub mod files;
pub mod model;
pub mod routes;
pub mod store;

use futures_util::future::BoxFuture;
use serde_json::json;

use crate::App;
use crate::db::Tx;
use crate::feature::{Feature, Outcome, Person};

/// The knowledge library, as the program's list of features sees it.
pub struct Library;

impl Feature for Library {
    fn name(&self) -> &'static str {
        "library"
    }

    fn pages(&self, app: &App) -> axum::Router<App> {
        routes::routes().merge(admin::routes(app.config.max_resource_bytes))
    }

    fn export<'a>(&'a self, app: &'a App, person: &'a Person) -> BoxFuture<'a, Outcome<Option<serde_json::Value>>> {
        Box::pin(async move {
            let talks_about = store::contact_for(&app.db, &person.id).await?;
            Ok(Some(json!({"willing_to_talk_about": talks_about})))
        })
    }

    fn erase<'a>(&'a self, tx: &'a mut Tx, person: &'a Person) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(store::erase_person(tx, &person.id))
    }
}
