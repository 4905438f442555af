//! The organisers' review queue: applications with their facts and each rule's result, and the decisions.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::eligibility::RuleResult;
use super::model::{ApplicationRow, Status};
use super::routes::{EventView, event_views};
use super::service::{self, DecideError, Decision};
use super::store;
use crate::App;
use crate::auth::{Viewer, policy};
use crate::feature::Waiting;
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, redirect_with_notice, render, time};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/admin/applications", get(queue))
        .route("/admin/applications/{id}", get(application))
        .route("/admin/applications/{id}/decide", post(decide))
}

fn reviewer(viewer: &Viewer, path: &str) -> AppResult<String> {
    policy::require(viewer, policy::can_review_applications(viewer), path)?;
    viewer.user.as_ref().map(|u| u.id.clone()).ok_or(AppError::Forbidden)
}

#[derive(Deserialize, Default)]
struct Filters {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    outcome: Option<String>,
}

pub struct QueueRow {
    pub application: ApplicationRow,
    pub status: Status,
    pub submitted: String,
}

#[derive(Template)]
#[template(path = "membership/queue.html")]
struct QueuePage {
    page: Page,
    rows: Vec<QueueRow>,
    status: String,
    outcome: String,
    statuses: [Status; 5],
}

async fn queue(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Query(filters): Query<Filters>,
) -> AppResult<impl IntoResponse> {
    reviewer(&viewer, "/admin/applications")?;
    // Pending is what needs doing; "all" shows everything.
    let status = filters.status.unwrap_or_else(|| "pending".into());
    let status_filter = Status::parse(&status).map(Status::as_str);
    let outcome = filters.outcome.unwrap_or_default();
    let outcome_filter = ["pass", "review", "fail"].into_iter().find(|o| *o == outcome);
    let rows = store::applications(&app.db, status_filter, outcome_filter)
        .await?
        .into_iter()
        .map(|a| QueueRow {
            status: a.status(),
            submitted: time::date(a.created_at, app.config.timezone),
            application: a,
        })
        .collect();
    render(&QueuePage { page: page.titled("Applications").noindex(), rows, status, outcome, statuses: Status::ALL })
}

#[derive(Template)]
#[template(path = "membership/review.html")]
struct ReviewPage {
    page: Page,
    application: ApplicationRow,
    status: Status,
    rules: Vec<RuleResult>,
    events: Vec<EventView>,
    known_organisation: Option<String>,
    errors: FieldErrors,
    decision: String,
    message: String,
}

async fn review_page(
    app: &App,
    page: Page,
    application: ApplicationRow,
    errors: FieldErrors,
    decision: String,
    message: String,
) -> AppResult<ReviewPage> {
    let known_organisation = match &application.organisation_id {
        Some(id) => store::organisation(&app.db, id).await?.map(|o| o.slug),
        None => None,
    };
    Ok(ReviewPage {
        page: page.titled(&format!("Application from {}", application.name)).noindex(),
        status: application.status(),
        rules: application.rules(),
        events: event_views(app, &application.id).await?,
        known_organisation,
        application,
        errors,
        decision,
        message,
    })
}

async fn application(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    reviewer(&viewer, "/admin/applications")?;
    let application = store::application(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    render(&review_page(&app, page, application, FieldErrors::default(), String::new(), String::new()).await?)
}

#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    message: String,
}

async fn decide(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<DecideForm>,
) -> AppResult<Response> {
    let reviewer_id = reviewer(&viewer, "/admin/applications")?;
    let application = store::application(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let message = errors.optional("message", "The message", &form.message, 5000);
    let decision = match form.decision.as_str() {
        "approve" => Some(Decision::Approve(message.clone())),
        "reject" if message.is_empty() => {
            errors.add("message", "Give the reason for the applicant: they will read it.");
            None
        }
        "reject" => Some(Decision::Reject(message.clone())),
        "ask" if message.is_empty() => {
            errors.add("message", "Write the question for the applicant.");
            None
        }
        "ask" => Some(Decision::AskForInformation(message.clone())),
        _ => {
            errors.add("decision", "Choose approve, reject or ask for more information.");
            None
        }
    };
    let outcome = match decision {
        Some(d) if errors.is_empty() => service::decide(&app, Some(&reviewer_id), &application.id, d).await,
        _ => Err(DecideError::Missing),
    };
    match outcome {
        Ok(()) => Ok(redirect_with_notice(
            &format!("/admin/applications/{id}"),
            "The decision is recorded and the applicant has been e-mailed.",
        )),
        Err(e @ (DecideError::Unverified | DecideError::AlreadyDecided | DecideError::AlreadyAsked)) => {
            errors.add("decision", e.to_string());
            let body = render(&review_page(&app, page, application, errors, form.decision, message).await?)?;
            Ok((StatusCode::CONFLICT, body).into_response())
        }
        Err(DecideError::Missing) if !errors.is_empty() => {
            let body = render(&review_page(&app, page, application, errors, form.decision, message).await?)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
        }
        Err(DecideError::Missing) => Err(AppError::NotFound),
        Err(DecideError::Db(e)) => Err(e.into()),
        Err(DecideError::Other(e)) => Err(e.into()),
    }
}

/// Applications waiting for an organiser's decision, and for how long, for the organisers' overview.
pub(super) async fn waiting(app: &App, now: chrono::DateTime<chrono::Utc>) -> AppResult<Vec<Waiting>> {
    let (count, first) = store::awaiting_review(&app.db, 5).await?;
    let asked = store::awaiting_applicants(&app.db).await?;
    let mut summary = match first.first() {
        Some(oldest) => format!("The oldest has waited {}.", time::days(time::days_between(oldest.since, now))),
        None => "Nothing waits for a decision.".to_string(),
    };
    if asked > 0 {
        let also = if count > 0 { " Besides," } else { "" };
        summary.push_str(&format!("{also} {asked} wait for the applicant to answer a question."));
    }
    let details = first
        .into_iter()
        .map(|a| format!("{} ({}), {}", a.name, a.organisation_name, time::days(time::days_between(a.since, now))))
        .collect();
    Ok(vec![Waiting {
        title: "Applications waiting",
        count,
        summary,
        details,
        path: "/admin/applications".into(),
        decision: true,
    }])
}
