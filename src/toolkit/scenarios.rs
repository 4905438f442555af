//! Scenarios: a lead copies the plan into a "what if" (fewer desks on Monday, a third anchor day, someone going
//! part-time), changes it with the same pages, and compares the two side by side, the changed figures marked.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;

use super::planner::{self, Plan};
use super::routes::{Fields, reach};
use super::store;
use crate::App;
use crate::auth::Viewer;
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, redirect_with_notice, render};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/toolkit/teams/{id}/scenarios", post(create))
        .route("/toolkit/teams/{id}/compare", get(compare))
        .route("/toolkit/teams/{id}/discard", post(discard))
}

/// Copies a space's plan into a new scenario of it.
async fn create(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach(&app, &viewer, &id).await?;
    if !reached.leads || reached.parent.is_some() {
        return Err(AppError::Forbidden);
    }
    let lead = viewer.user.as_ref().ok_or(AppError::Forbidden)?;
    let fields = Fields(fields);
    let mut errors = FieldErrors::default();
    let typed = fields.get("scenario_name").trim();
    let name = if typed.is_empty() { format!("What if: {}", reached.space.name) } else { typed.to_string() };
    let name = errors.required("scenario_name", "The scenario's name", &name, 120);
    errors.one_line("scenario_name", "The scenario's name", &name);
    if let Some((_, message)) = errors.messages().first() {
        return Err(AppError::BadRequest((*message).clone()));
    }
    let mut tx = app.db.begin().await?;
    let scenario = store::copy_into_scenario(&mut tx, &reached.space, &name, &lead.id, Utc::now()).await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        &format!("/toolkit/teams/{scenario}"),
        "This is a copy of the plan to try a change on: change it here, then compare.",
    ))
}

/// One figure of the two plans.
pub struct Line {
    pub label: String,
    pub now: String,
    pub what_if: String,
    pub changed: bool,
}

fn line(label: impl Into<String>, now: String, what_if: String) -> Line {
    Line { label: label.into(), changed: now != what_if, now, what_if }
}

fn summary(now: &Plan, what_if: &Plan) -> Vec<Line> {
    let anchors = |p: &Plan| planner::in_words(planner::Days::of(&p.anchor_days));
    let covered = |p: &Plan| format!("{} of {}", planner::hours(p.covered_hours), planner::hours(p.shared_hours));
    let short = |p: &Plan| p.forecast.iter().map(|f| f.planned.saturating_sub(f.desks)).sum::<u32>().to_string();
    vec![
        line("The split", now.split.clone(), what_if.split.clone()),
        line("Anchor days", anchors(now), anchors(what_if)),
        line("Shared in-person hours on a shared day", covered(now), covered(what_if)),
        line("Desks short, summed over the week", short(now), short(what_if)),
        line("Flags", now.flags.len().to_string(), what_if.flags.len().to_string()),
        line("Confidence", now.confidence.key().into(), what_if.confidence.key().into()),
    ]
}

/// Each person's days on site in both plans, matched by name (a scenario's rows are copies).
fn people(now: &Plan, what_if: &Plan) -> Vec<Line> {
    let mut names: Vec<&str> = now.people.iter().map(|p| p.name.as_str()).collect();
    for p in &what_if.people {
        if !names.contains(&p.name.as_str()) {
            names.push(&p.name);
        }
    }
    let days = |plan: &Plan, name: &str| {
        plan.people.iter().find(|p| p.name == name).map_or("not in it".to_string(), |p| p.need.days.to_string())
    };
    names.into_iter().map(|n| line(n, days(now, n), days(what_if, n))).collect()
}

/// Planned people against desks per site and day, in both plans.
fn forecast(now: &Plan, what_if: &Plan) -> Vec<Line> {
    let mut keys: Vec<(String, planner::Weekday)> = Vec::new();
    for f in now.forecast.iter().chain(&what_if.forecast) {
        if !keys.contains(&(f.site.clone(), f.day)) {
            keys.push((f.site.clone(), f.day));
        }
    }
    let cell = |plan: &Plan, site: &str, day| {
        plan.forecast
            .iter()
            .find(|f| f.site == site && f.day == day)
            .map_or("–".to_string(), |f| format!("{} of {} desks", f.planned, f.desks))
    };
    keys.into_iter()
        .map(|(site, day)| line(format!("{}, {}", day.name(), site), cell(now, &site, day), cell(what_if, &site, day)))
        .collect()
}

#[derive(Template)]
#[template(path = "toolkit/compare.html")]
struct ComparePage {
    page: Page,
    space: super::model::Space,
    scenario: super::model::Space,
    sections: Vec<(&'static str, Vec<Line>)>,
}

async fn compare(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let reached = reach(&app, &viewer, &id).await?;
    let space = reached.parent.ok_or(AppError::NotFound)?;
    let (now, _) = super::plan_of(&app, &space).await?;
    let (what_if, _) = super::plan_of(&app, &reached.space).await?;
    Ok((
        StatusCode::OK,
        render(&ComparePage {
            page: page.titled(&format!("{} compared", reached.space.name)).noindex(),
            sections: vec![
                ("The plan", summary(&now, &what_if)),
                ("Days on site", people(&now, &what_if)),
                ("Planned against desks", forecast(&now, &what_if)),
            ],
            space,
            scenario: reached.space,
        })?,
    ))
}

/// Deletes a scenario (its space's leads).
async fn discard(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    let reached = reach(&app, &viewer, &id).await?;
    let parent = reached.parent.as_ref().ok_or(AppError::NotFound)?;
    super::routes::lead(&reached)?;
    store::delete_scenario(&app.db, &id).await?;
    Ok(redirect_with_notice(&format!("/toolkit/teams/{}", parent.id), &format!("{} is discarded.", reached.space.name)))
}
