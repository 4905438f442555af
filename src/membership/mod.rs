//! Membership: applications checked by the eligibility engine, the organisers' review, organisations, and the
//! member directory.

mod api;
pub mod consent;
mod demo;
mod directory;
pub mod eligibility;
pub mod faces;
pub mod groups;
mod import;
mod model;
mod organisations;
mod privacy;
mod profile;
mod regions;
mod renewal;
mod reports;
mod review;
mod routes;
pub mod service;
mod store;
mod term;

/// The columns a membership import reads.
pub use import::COLUMNS as IMPORT_COLUMNS;
/// Sends the renewal reminders that are due (the job runs it every quarter of an hour).
pub use renewal::send_due_reminders as send_due_renewal_reminders;

pub use model::{DISCIPLINES, Organisation, SECTORS, SIZE_BANDS, size_band_of};
pub use regions::kept as region_named;
pub use store::{
    DirectoryFilter, all_organisations, applications, insert_organisation, make_member, members, organisation, regions,
};

use std::time::Duration;

use futures_util::future::BoxFuture;

use crate::App;
use crate::db::Tx;
use crate::feature::{Feature, Outcome, Person};

/// Membership, as the program's list of features sees it.
pub struct Membership;

impl Feature for Membership {
    fn name(&self) -> &'static str {
        "membership"
    }

    fn pages(&self, _app: &App) -> axum::Router<App> {
        routes::routes()
            .merge(review::routes())
            .merge(directory::routes())
            .merge(term::routes())
            .merge(privacy::routes())
            .merge(groups::routes())
            .merge(reports::routes())
            .merge(profile::routes())
            .merge(faces::routes())
            .merge(organisations::routes())
            .merge(consent::routes())
            .merge(import::routes())
            .merge(regions::routes())
    }

    fn on_start<'a>(&'a self, db: &'a crate::db::Db) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async move {
            faces::adopt_earlier_photos(db).await?;
            Ok(())
        })
    }

    fn api(&self) -> Option<(axum::Router<App>, utoipa::openapi::OpenApi)> {
        Some((api::routes(), <api::Doc as utoipa::OpenApi>::openapi()))
    }

    fn jobs(&self, _app: &App, jobs: &mut crate::jobs::Jobs) {
        jobs.every("renewal reminders", Duration::from_secs(15 * 60), |app| async move {
            renewal::send_due_reminders(&app, chrono::Utc::now()).await
        });
    }

    fn export<'a>(&'a self, app: &'a App, person: &'a Person) -> BoxFuture<'a, Outcome<Option<serde_json::Value>>> {
        Box::pin(async move { Ok(Some(privacy::export(app, person).await?)) })
    }

    fn erase<'a>(&'a self, _app: &'a App, tx: &'a mut Tx, person: &'a Person) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async move { Ok(store::erase_person(tx, &person.id).await?) })
    }

    fn waiting<'a>(
        &'a self,
        app: &'a App,
        now: chrono::DateTime<chrono::Utc>,
    ) -> BoxFuture<'a, Outcome<Vec<crate::feature::Waiting>>> {
        Box::pin(async move {
            let mut cards = review::waiting(app, now).await?;
            cards.extend(term::ending_this_month(app, now).await?);
            Ok(cards)
        })
    }

    fn region_renamed<'a>(&'a self, tx: &'a mut Tx, old: &'a str, new: &'a str) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async move { Ok(store::rename_region(tx, old, new).await?) })
    }

    fn demo<'a>(&'a self, app: &'a App, organiser_id: &'a str) -> BoxFuture<'a, Outcome<Option<String>>> {
        Box::pin(async move { Ok(Some(demo::load(app, organiser_id).await?)) })
    }
}
