//! The meetings programme: closed and open meetings in four formats, registration with a waitlist, joining
//! links for attendees only, reminders, calendars, and materials and feedback afterwards.

mod admin;
mod api;
mod calendar;
mod demo;
mod messages;
mod model;
mod registration;
mod reminders;
mod routes;
mod store;

/// Sends the meeting reminders that are due (the job runs it every minute).
pub use reminders::send_due as send_due_reminders;

pub use model::{AUDIENCES, FORMATS, MODES};
pub use routes::{Card, Views, upcoming_cards};
pub use store::{
    MeetingInput, NewRegistration, all, hosted_by, insert_meeting, listed, meeting, meeting_by_slug, registration_of,
    set_materials, upsert_registration,
};

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use serde_json::json;

use crate::App;
use crate::auth::policy::{Audience, MeetingStatus, MeetingView};
use crate::db::Tx;
use crate::feature::{Feature, Found, NewsletterItem, Outcome, Person, SearchRequest};
use crate::search::{excerpt, title_score};

/// The meetings programme, as the program's list of features sees it.
pub struct Meetings;

impl Feature for Meetings {
    fn name(&self) -> &'static str {
        "meetings"
    }

    fn waiting<'a>(&'a self, app: &'a App, now: DateTime<Utc>) -> BoxFuture<'a, Outcome<Vec<crate::feature::Waiting>>> {
        Box::pin(async move { Ok(admin::waiting(app, now).await?) })
    }

    fn pages(&self, _app: &App) -> axum::Router<App> {
        routes::routes().merge(admin::routes())
    }

    fn api(&self) -> Option<(axum::Router<App>, utoipa::openapi::OpenApi)> {
        Some((api::routes(), <api::Doc as utoipa::OpenApi>::openapi()))
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
            let calendar_feed = store::feed_of(&app.db, &person.id)
                .await?
                .map(|f| json!({"on": true, "only_registered": f.only_registered}))
                .unwrap_or_else(|| json!({"on": false}));
            Ok(Some(json!({"registrations": registrations, "private_calendar_feed": calendar_feed})))
        })
    }

    /// A place the person held in an upcoming meeting goes to the next on its waitlist, as a cancellation's would.
    fn erase<'a>(&'a self, app: &'a App, tx: &'a mut Tx, person: &'a Person) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async move {
            let freed = store::upcoming_places_of(tx, person, chrono::Utc::now()).await?;
            store::erase_person(tx, person).await?;
            for meeting_id in freed {
                store::lock_meeting(tx, &meeting_id).await?;
                let meeting = store::meeting_in(tx, &meeting_id).await?;
                registration::promote_next(app, tx, &meeting).await?;
            }
            Ok(())
        })
    }

    /// Meetings whose words match, as far as the viewer may see them: a closed meeting shown only as a
    /// teaser is found by its title alone, so its description gives nothing away.
    fn search<'a>(
        &'a self,
        app: &'a App,
        viewer: &'a crate::auth::Viewer,
        request: &'a SearchRequest,
    ) -> BoxFuture<'a, Outcome<Vec<Found>>> {
        Box::pin(async move {
            if !request.wants("meeting") {
                return Ok(Vec::new());
            }
            let (now, words) = (chrono::Utc::now(), &request.words);
            let views = routes::Views::of(app, viewer).await?;
            let mut found = Vec::new();
            for m in store::matching(&app.db, now, words).await? {
                let view = views.decide(&m.audience(), m.status(), m.group_id.as_deref());
                let haystack = match view {
                    MeetingView::Hidden => continue,
                    MeetingView::Teaser => m.title.to_lowercase(),
                    MeetingView::Full => format!("{} {} {}", m.title, m.summary_md, m.format_label()).to_lowercase(),
                };
                if !words.iter().all(|w| haystack.contains(w.as_str())) {
                    continue;
                }
                let snippet = match view {
                    MeetingView::Full => excerpt(&m.summary_md, words),
                    _ => "For members: sign in to see more.".to_string(),
                };
                found.push(Found {
                    kind: "Meeting",
                    score: title_score(&m.title, words),
                    url: format!("/meetings/{}", m.slug),
                    snippet,
                    meta: format!(
                        "{} · {}",
                        crate::web::time::date_time(m.starts_at, app.config.timezone),
                        m.format_label()
                    ),
                    title: m.title,
                });
            }
            Ok(found)
        })
    }

    fn newsletter_kinds(&self) -> &'static [&'static str] {
        &["meeting"]
    }

    /// The next ten published meetings, whenever they were announced.
    fn newsletter_items<'a>(
        &'a self,
        app: &'a App,
        _since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Outcome<Vec<NewsletterItem>>> {
        Box::pin(async move {
            let upcoming = store::listed(&app.db, true, now).await?;
            Ok(upcoming
                .into_iter()
                .filter(|m| m.status() == MeetingStatus::Published)
                .take(10)
                .map(|m| NewsletterItem {
                    kind: "meeting",
                    summary: format!(
                        "{} · {}",
                        crate::web::time::date_time(m.starts_at, app.config.timezone),
                        m.format_label()
                    ),
                    audience: m.audience(),
                    path: format!("/meetings/{}", m.slug),
                    title: m.title,
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
            let meeting = store::meeting_by_slug(&app.db, key).await?;
            Ok(meeting.filter(|m| m.status() == MeetingStatus::Published).map(|m| m.audience()))
        })
    }

    fn demo<'a>(&'a self, app: &'a App, _organiser_id: &'a str) -> BoxFuture<'a, Outcome<Option<String>>> {
        Box::pin(async move { Ok(Some(demo::load(app).await?)) })
    }
}
