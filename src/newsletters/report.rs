//! An issue's report for organisers: how many copies went, were delivered, bounced or failed, how many still
//! wait, and how many readers unsubscribed through this issue's link. Nothing about opens or clicks: the
//! network adds no tracking pixels and no tracked links, and the page says so.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::get;

use super::model::Newsletter;
use super::routes::{issue, organiser};
use super::store;
use crate::App;
use crate::auth::Viewer;
use crate::mail::outbox::{self, Progress};
use crate::web::{AppResult, Page, render, time};

pub fn routes() -> Router<App> {
    Router::new().route("/admin/newsletters/{id}/report", get(report))
}

#[derive(Template)]
#[template(path = "mail/newsletter_report.html")]
struct ReportPage {
    page: Page,
    newsletter: Newsletter,
    sent_on: String,
    progress: Progress,
    unsubscribes: i64,
}

impl ReportPage {
    /// Failed after every retry, as against refused outright (bounced).
    fn given_up(&self) -> i64 {
        self.progress.failed - self.progress.bounced
    }

    /// A share of the copies queued, to a tenth of a per cent (a dash before any).
    fn share(&self, n: impl std::borrow::Borrow<i64>) -> String {
        let n = *n.borrow();
        if self.progress.total == 0 {
            "–".into()
        } else {
            format!("{:.1}%", n as f64 * 100.0 / self.progress.total as f64)
        }
    }
}

async fn report(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    organiser(&viewer, "/admin/newsletters")?;
    let newsletter = issue(&app, &id).await?;
    let progress = outbox::progress(&app.db, &newsletter.batch()).await?;
    render(&ReportPage {
        page: page.titled(&format!("Report: {}", newsletter.subject)).noindex(),
        sent_on: newsletter.sent_at.map(|t| time::date_time(t, app.config.timezone)).unwrap_or_default(),
        unsubscribes: store::unsubscribes_from(&app.db, &newsletter.id).await?,
        progress,
        newsletter,
    })
}
