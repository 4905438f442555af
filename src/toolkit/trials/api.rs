//! Trials through the API: scoping one, its steps (422 for a step the states do not allow, and for ending
//! without the cause examined), and its check-in notes for those allowed, under the pages' rules and policy.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::routes::{may_see_notes, take_step};
use super::{Criterion, StepFields, Trial, TrialFields, check_trial, store};
use crate::App;
use crate::api::problem::{ApiResult, Problem, json_body};
use crate::auth::Viewer;
use crate::toolkit::api::{checked, reach_space, user};
use crate::toolkit::routes::{Reached, lead};
use crate::web::{AppError, FieldErrors};

#[derive(utoipa::OpenApi)]
#[openapi(paths(create, list, trial, step, add_note))]
pub struct Doc;

pub fn routes() -> axum::Router<App> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/toolkit/teams/{id}/trials", get(list).post(create))
        .route("/api/v1/toolkit/trials/{id}", get(trial))
        .route("/api/v1/toolkit/trials/{id}/state", post(step))
        .route("/api/v1/toolkit/trials/{id}/notes", post(add_note))
}

#[derive(Serialize, ToSchema)]
pub struct NoteOut {
    pub author: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct TrialOut {
    pub id: String,
    pub team: String,
    /// The person's id; none for the whole team.
    pub person: Option<String>,
    pub pattern: String,
    pub criteria: Vec<Criterion>,
    pub starts_on: String,
    pub ends_on: String,
    pub midpoint_on: String,
    /// `proposed`, `scoped`, `active`, `midpoint`, `final_review` or `decided`.
    pub state: String,
    /// `confirm`, `adjust`, `extend` or `end`, once decided (an extension runs the trial again, `active`).
    pub decision: Option<String>,
    /// The last step's reason and, for an ended trial, the cause examined: for those who see the notes.
    pub reason: String,
    pub cause: String,
    pub request: Option<String>,
    /// The check-in notes, for the person on trial and the leads; left out for anyone else.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<NoteOut>>,
}

async fn trial_out(app: &App, viewer: &Viewer, reached: &Reached, t: &Trial) -> ApiResult<TrialOut> {
    let private = may_see_notes(viewer, reached, t);
    let notes = if private {
        Some(
            store::notes(&app.db, &t.id)
                .await?
                .into_iter()
                .map(|n| NoteOut { author: n.author, body: n.body, at: n.created_at })
                .collect(),
        )
    } else {
        None
    };
    Ok(TrialOut {
        id: t.id.clone(),
        team: t.space_id.clone(),
        person: t.person_id.clone(),
        pattern: t.pattern.clone(),
        criteria: t.criteria(),
        starts_on: t.starts_on.clone(),
        ends_on: t.ends_on.clone(),
        midpoint_on: t.midpoint_on.clone(),
        state: t.state.clone(),
        decision: t.decision.clone(),
        reason: if private { t.reason.clone() } else { String::new() },
        cause: if private { t.cause.clone() } else { String::new() },
        request: t.request_id.clone(),
        notes,
    })
}

/// A trial by its id, reached through its space.
async fn reach_trial(app: &App, viewer: &Viewer, id: &str) -> ApiResult<(Reached, Trial)> {
    user(viewer)?;
    let space = store::space_of(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let reached = reach_space(app, viewer, &space).await?;
    let t = store::trial(&app.db, &space, id).await?.ok_or(AppError::NotFound)?;
    Ok((reached, t))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionIn {
    #[schema(max_length = 500, pattern = r"^[^\u0000]*$")]
    pub criterion: String,
    #[schema(max_length = 500, pattern = r"^[^\u0000]*$")]
    pub baseline: Option<String>,
    #[schema(max_length = 500, pattern = r"^[^\u0000]*$")]
    pub measure: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrialIn {
    /// The person's id (a row of the team's people); left out for the whole team.
    pub person: Option<String>,
    /// The pattern tried, in words.
    #[schema(min_length = 1, max_length = 4000, pattern = r"^[^\u0000]*[^\u0000\s][^\u0000]*$")]
    pub pattern: String,
    /// YYYY-MM-DD
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub starts_on: String,
    /// YYYY-MM-DD, after the start; outside 4 to 12 weeks, give `length_reason`.
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub ends_on: String,
    #[schema(max_length = 1000, pattern = r"^[^\u0000]*$")]
    pub length_reason: Option<String>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub criteria: Vec<CriterionIn>,
}

#[utoipa::path(post, path = "/api/v1/toolkit/teams/{id}/trials", tag = "toolkit", security(("token" = [])),
    params(("id" = String, Path, description = "The team space's id")),
    request_body = TrialIn,
    responses((status = 201, body = TrialOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    let me = user(&viewer)?;
    let reached = reach_space(&app, &viewer, &id).await?;
    lead(&reached)?;
    let input: TrialIn = json_body(&headers, body).await?;
    let f = TrialFields {
        person: input.person.unwrap_or_default(),
        pattern: input.pattern,
        scenario: String::new(),
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        length_reason: input.length_reason.unwrap_or_default(),
        criteria: input
            .criteria
            .into_iter()
            .map(|c| Criterion {
                criterion: c.criterion,
                baseline: c.baseline.unwrap_or_default(),
                measure: c.measure.unwrap_or_default(),
            })
            .collect(),
    };
    let people = crate::toolkit::store::people(&app.db, &id).await?;
    let mut errors = FieldErrors::default();
    let scoped = check_trial(&mut errors, &f, &people, &[]);
    checked(errors, &[])?;
    let scoped = scoped.ok_or(AppError::NotFound)?;
    let mut tx = app.db.begin().await?;
    let tid = store::insert(&mut tx, &id, &scoped, None, &me.id, Utc::now()).await?;
    tx.commit().await?;
    let t = store::trial(&app.db, &id, &tid).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(trial_out(&app, &viewer, &reached, &t).await?)))
}

#[utoipa::path(get, path = "/api/v1/toolkit/teams/{id}/trials", tag = "toolkit", security(("token" = [])),
    params(("id" = String, Path, description = "The team space's id")),
    responses((status = 200, body = Vec<TrialOut>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn list(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> ApiResult<Json<Vec<TrialOut>>> {
    let reached = reach_space(&app, &viewer, &id).await?;
    let mut out = Vec::new();
    for t in store::trials(&app.db, &id).await? {
        out.push(trial_out(&app, &viewer, &reached, &t).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/v1/toolkit/trials/{id}", tag = "toolkit", security(("token" = [])),
    params(("id" = String, Path, description = "The trial's id")),
    responses((status = 200, body = TrialOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn trial(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> ApiResult<Json<TrialOut>> {
    let (reached, t) = reach_trial(&app, &viewer, &id).await?;
    Ok(Json(trial_out(&app, &viewer, &reached, &t).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StateIn {
    Scoped,
    Active,
    Midpoint,
    FinalReview,
    Decided,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TrialDecisionIn {
    Confirm,
    Adjust,
    Extend,
    End,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CauseIn {
    Workload,
    Performance,
    Tools,
    Communication,
    Health,
    Caring,
    Role,
    Other,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepIn {
    /// The next state; only the one after the trial's present state is allowed.
    pub to: StateIn,
    /// With `decided`.
    pub decision: Option<TrialDecisionIn>,
    /// Required to extend.
    #[schema(max_length = 2000, pattern = r"^[^\u0000]*$")]
    pub reason: Option<String>,
    /// Required to end: the cause examined.
    pub cause: Option<CauseIn>,
    /// For an extension, the new last day (YYYY-MM-DD; four weeks more when left out).
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub ends_on: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/toolkit/trials/{id}/state", tag = "toolkit", security(("token" = [])),
    params(("id" = String, Path, description = "The trial's id")),
    request_body = StepIn,
    responses((status = 200, body = TrialOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn step(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<TrialOut>> {
    let me = user(&viewer)?;
    let (reached, t) = reach_trial(&app, &viewer, &id).await?;
    lead(&reached)?;
    let input: StepIn = json_body(&headers, body).await?;
    let to = match input.to {
        StateIn::Scoped => "scoped",
        StateIn::Active => "active",
        StateIn::Midpoint => "midpoint",
        StateIn::FinalReview => "final_review",
        StateIn::Decided => "decided",
    };
    let decision = match input.decision {
        Some(TrialDecisionIn::Confirm) => "confirm",
        Some(TrialDecisionIn::Adjust) => "adjust",
        Some(TrialDecisionIn::Extend) => "extend",
        Some(TrialDecisionIn::End) => "end",
        None => "",
    };
    let cause = match input.cause {
        Some(CauseIn::Workload) => "workload",
        Some(CauseIn::Performance) => "performance",
        Some(CauseIn::Tools) => "tools",
        Some(CauseIn::Communication) => "communication",
        Some(CauseIn::Health) => "health",
        Some(CauseIn::Caring) => "caring",
        Some(CauseIn::Role) => "role",
        Some(CauseIn::Other) => "other",
        None => "",
    };
    let f = StepFields {
        to: to.into(),
        decision: decision.into(),
        reason: input.reason.unwrap_or_default(),
        cause: cause.into(),
        ends_on: input.ends_on.unwrap_or_default(),
    };
    let mut errors = FieldErrors::default();
    take_step(&app, &t, &f, &me.id, &mut errors).await?;
    // A step the states do not allow is 422 (the issue's contract); a trial that moved meanwhile is 409.
    checked(errors, &["state"])?;
    let t = store::trial(&app.db, &t.space_id, &id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(trial_out(&app, &viewer, &reached, &t).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteIn {
    #[schema(min_length = 1, max_length = 8000, pattern = r"^[^\u0000]*[^\u0000\s][^\u0000]*$")]
    pub body: String,
}

#[utoipa::path(post, path = "/api/v1/toolkit/trials/{id}/notes", tag = "toolkit", security(("token" = [])),
    params(("id" = String, Path, description = "The trial's id")),
    request_body = NoteIn,
    responses((status = 201, body = TrialOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn add_note(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    let me = user(&viewer)?;
    let (reached, t) = reach_trial(&app, &viewer, &id).await?;
    // As on the pages: the notes' existence is not told to anyone else.
    if !may_see_notes(&viewer, &reached, &t) {
        return Err(AppError::NotFound.into());
    }
    if reached.space.closed_at.is_some() {
        return Err(AppError::Forbidden.into());
    }
    let input: NoteIn = json_body(&headers, body).await?;
    let mut errors = FieldErrors::default();
    let body = errors.required("body", "The check-in note", &input.body, 8000);
    checked(errors, &[])?;
    store::add_note(&app.db, &id, &me.id, &body, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(trial_out(&app, &viewer, &reached, &t).await?)))
}
