//! Flexible-working requests through the API: recording one (422 for a second live request or one too many
//! in 12 months, with the reason), and deciding it, under the same rules and policy as the pages.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::routes::{may_see, record};
use super::{DecisionFields, Request, RequestFields, check_decision, store};
use crate::App;
use crate::api::problem::{ApiResult, Problem, json_body};
use crate::auth::Viewer;
use crate::toolkit::agreements::service::today;
use crate::toolkit::api::{checked, reach_space, user};
use crate::toolkit::routes::{Reached, lead};
use crate::web::{AppError, FieldErrors};

#[derive(utoipa::OpenApi)]
#[openapi(paths(create, list, consultation, decision))]
pub struct Doc;

pub fn routes() -> axum::Router<App> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/toolkit/teams/{id}/requests", get(list).post(create))
        .route("/api/v1/toolkit/requests/{id}/consultation", post(consultation))
        .route("/api/v1/toolkit/requests/{id}/decision", post(decision))
}

#[derive(Serialize, ToSchema)]
pub struct RequestOut {
    pub id: String,
    pub team: String,
    pub person: Option<String>,
    pub person_name: String,
    /// YYYY-MM-DD
    pub made_on: String,
    pub change: String,
    pub start_wanted: String,
    /// The effective date of the rules version the request is held to.
    pub rules: String,
    /// The last day for the decision under those rules.
    pub decision_due: String,
    /// A later date both agreed, if any.
    pub extended_to: Option<String>,
    /// The deadline in force (the agreed date, else `decision_due`).
    pub deadline: String,
    /// Waiting for a decision (or for an appeal's).
    pub live: bool,
    pub still_due: Vec<String>,
    pub consulted_on: Option<String>,
    /// `granted`, `refused` or `withdrawn` once decided.
    pub outcome: Option<String>,
    pub grounds: Vec<String>,
    pub explanation: String,
    pub decided_on: Option<String>,
    pub consultation_note: String,
    /// The day an appeal against a refusal was made, and its outcome (`upheld` or `overturned`).
    pub appeal_on: Option<String>,
    pub appeal_outcome: Option<String>,
    pub appeal_decided_on: Option<String>,
}

fn out(r: &Request) -> RequestOut {
    RequestOut {
        id: r.id.clone(),
        team: r.space_id.clone(),
        person: r.person_id.clone(),
        person_name: r.person_name.clone(),
        made_on: r.made_on.clone(),
        change: r.change.clone(),
        start_wanted: r.start_wanted.clone(),
        rules: r.rules.clone(),
        decision_due: r.decision_due.clone(),
        extended_to: r.extended_to.clone(),
        deadline: r.deadline(),
        live: r.live(),
        still_due: r.still_due(),
        consulted_on: r.consulted_on.clone(),
        outcome: r.outcome.clone(),
        grounds: r.grounds.split(',').filter(|g| !g.is_empty()).map(String::from).collect(),
        explanation: r.explanation.clone(),
        decided_on: r.decided_on.clone(),
        consultation_note: r.consultation_note.clone(),
        appeal_on: r.appeal_on.clone(),
        appeal_outcome: r.appeal_outcome.clone(),
        appeal_decided_on: r.appeal_decided_on.clone(),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestIn {
    /// The id of the person (a row of the team's people) who made it.
    pub person: String,
    /// The day it was made, YYYY-MM-DD; the rules in force that day apply.
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub made_on: String,
    /// The change asked: hours, times, place.
    #[schema(min_length = 1, max_length = 4000, pattern = r"^[^\u0000]*[^\u0000\s][^\u0000]*$")]
    pub change: String,
    /// YYYY-MM-DD
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub start_wanted: String,
    /// Any earlier request in the last 12 months, as the person stated it.
    #[schema(max_length = 2000, pattern = r"^[^\u0000]*$")]
    pub earlier: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/toolkit/teams/{id}/requests", tag = "toolkit", security(("token" = [])),
    params(("id" = String, Path, description = "The team space's id")),
    request_body = RequestIn,
    responses((status = 201, body = RequestOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
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
    let input: RequestIn = json_body(&headers, body).await?;
    let f = RequestFields {
        person: input.person,
        made_on: input.made_on,
        change: input.change,
        start_wanted: input.start_wanted,
        earlier: input.earlier.unwrap_or_default(),
    };
    let mut errors = FieldErrors::default();
    let id_made = record(&app, &id, &me.id, &mut errors, &f).await?;
    checked(errors, &[])?;
    let request = store::request(&app.db, &id, &id_made.ok_or(AppError::NotFound)?).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(out(&request))))
}

#[utoipa::path(get, path = "/api/v1/toolkit/teams/{id}/requests", tag = "toolkit", security(("token" = [])),
    params(("id" = String, Path, description = "The team space's id")),
    responses((status = 200, body = Vec<RequestOut>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn list(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> ApiResult<Json<Vec<RequestOut>>> {
    let reached = reach_space(&app, &viewer, &id).await?;
    let all = store::requests(&app.db, &id).await?;
    Ok(Json(all.iter().filter(|r| may_see(&viewer, &reached, r)).map(out).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationIn {
    /// The day of the meeting with the person, YYYY-MM-DD.
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub consulted_on: String,
    #[schema(max_length = 4000, pattern = r"^[^\u0000]*$")]
    pub note: Option<String>,
}

/// A request as the API reaches it: through its space, seen by its person and the leads.
async fn reach_request(app: &App, viewer: &Viewer, rid: &str) -> ApiResult<(Reached, Request)> {
    user(viewer)?;
    let space_id = store::space_of(&app.db, rid).await?.ok_or(AppError::NotFound)?;
    let reached = reach_space(app, viewer, &space_id).await?;
    let r = store::request(&app.db, &space_id, rid).await?.ok_or(AppError::NotFound)?;
    if !may_see(viewer, &reached, &r) {
        return Err(AppError::NotFound.into());
    }
    Ok((reached, r))
}

#[utoipa::path(post, path = "/api/v1/toolkit/requests/{id}/consultation", tag = "toolkit", security(("token" = [])),
    params(("id" = String, Path, description = "The request's id")),
    request_body = ConsultationIn,
    responses((status = 200, body = RequestOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn consultation(
    State(app): State<App>,
    viewer: Viewer,
    Path(rid): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<RequestOut>> {
    let (reached, r) = reach_request(&app, &viewer, &rid).await?;
    lead(&reached)?;
    let input: ConsultationIn = json_body(&headers, body).await?;
    let mut errors = FieldErrors::default();
    let on = super::date_field(&mut errors, "consulted_on", "the day of the consultation", &input.consulted_on);
    let note = errors.optional("note", "What was discussed", input.note.as_deref().unwrap_or(""), 4000);
    if r.outcome.is_some() {
        errors.add("state", "The request has been decided already.");
    }
    checked(errors, &["state"])?;
    if let Some(on) = on {
        store::consulted(&app.db, &rid, on, &note, Utc::now()).await?;
    }
    let r = store::request(&app.db, &r.space_id, &rid).await?.ok_or(AppError::NotFound)?;
    Ok(Json(out(&r)))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeIn {
    Granted,
    Refused,
    Withdrawn,
}

/// A business ground, by the key of `rules::GROUNDS`.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroundIn {
    ExtraCosts,
    CustomerDemand,
    Reorganise,
    Recruit,
    Quality,
    Performance,
    NotEnoughWork,
    StructuralChanges,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestDecisionIn {
    pub outcome: OutcomeIn,
    /// For a refusal, one or more of the eight business grounds.
    #[serde(default)]
    pub grounds: Vec<GroundIn>,
    /// For a refusal, why the grounds apply.
    #[schema(max_length = 4000, pattern = r"^[^\u0000]*$")]
    pub explanation: Option<String>,
    /// YYYY-MM-DD; today when left out.
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub decided_on: Option<String>,
}

fn key<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}

#[utoipa::path(post, path = "/api/v1/toolkit/requests/{id}/decision", tag = "toolkit", security(("token" = [])),
    params(("id" = String, Path, description = "The request's id")),
    request_body = RequestDecisionIn,
    responses((status = 200, body = RequestOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn decision(
    State(app): State<App>,
    viewer: Viewer,
    Path(rid): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<RequestOut>> {
    let (reached, r) = reach_request(&app, &viewer, &rid).await?;
    let space_id = r.space_id.clone();
    lead(&reached)?;
    let input: RequestDecisionIn = json_body(&headers, body).await?;
    let outcome = match input.outcome {
        OutcomeIn::Granted => "granted",
        OutcomeIn::Refused => "refused",
        OutcomeIn::Withdrawn => "withdrawn",
    };
    let f = DecisionFields {
        outcome: outcome.into(),
        grounds: input.grounds.iter().map(key).collect(),
        explanation: input.explanation.unwrap_or_default(),
        decided_on: input.decided_on.unwrap_or_default(),
    };
    let now = Utc::now();
    let mut errors = FieldErrors::default();
    if let Some(d) = check_decision(&mut errors, &r, &f, today(&app, now))
        && !store::decide(&app.db, &rid, &d, now).await?
    {
        errors.add("state", "This request has been decided already.");
    }
    // A refusal without grounds or an explanation is a mistake in the request (422); one the request's state
    // does not allow (decided already, not yet consulted) is a conflict (409).
    checked(errors, &["state"])?;
    let r = store::request(&app.db, &space_id, &rid).await?.ok_or(AppError::NotFound)?;
    Ok(Json(out(&r)))
}
