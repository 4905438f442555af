//! The meetings programme: closed and open meetings in four formats, registration with a waitlist, joining
//! links for attendees only, reminders, calendars, and materials and feedback afterwards.

pub mod admin;
pub mod calendar;
pub mod messages;
pub mod model;
pub mod registration;
pub mod reminders;
pub mod routes;
pub mod store;

use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::json;

use crate::App;
use crate::db::Tx;
use crate::feature::{Feature, Outcome, Person};

/// The meetings programme, as the program's list of features sees it.
pub struct Meetings;

impl Feature for Meetings {
    fn name(&self) -> &'static str {
        "meetings"
    }

    fn pages(&self, _app: &App) -> axum::Router<App> {
        routes::routes().merge(admin::routes())
    }

    fn jobs(&self, _app: &App, jobs: &mut crate::jobs::Jobs) {
        jobs.every("meeting reminders", Duration::from_secs(60), |app| async move {
            reminders::send_due(&app, chrono::Utc::now()).await
        });
    }

    fn export<'a>(&'a self, app: &'a App, person: &'a Person) -> BoxFuture<'a, Outcome<Option<serde_json::Value>>> {
        Box::pin(async move {
            let registrations: Vec<_> = store::held_registrations(&app.db, person)
                .await?
                .into_iter()
                .map(|r| {
                    json!({"meeting": r.meeting, "name": r.name, "email": r.email, "organisation": r.organisation,
                           "status": r.status, "registered_at": r.created_at,
                           "feedback": r.score.map(|s| json!({"score": s, "comment": r.comment}))})
                })
                .collect();
            let calendar_feed = store::has_feed(&app.db, &person.id).await?;
            Ok(Some(json!({"registrations": registrations, "private_calendar_feed": calendar_feed})))
        })
    }

    fn erase<'a>(&'a self, tx: &'a mut Tx, person: &'a Person) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(store::erase_person(tx, person))
    }
}
