//! The awards through the API, under the same policy as the pages. So far: programmes (public list; organisers
//! create and move dates) and categories with their criteria (organisers).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{Category, Criterion, EntryStatus, OpenTo, Programme};
use super::service::{self, CategoryFields, ProgrammeInput};
use super::store;
use crate::App;
use crate::api::problem::{ApiResult, Problem, checked, json_body};
use crate::auth::{Viewer, policy};
use crate::web::{AppError, FieldErrors};

#[derive(utoipa::OpenApi)]
#[openapi(paths(programmes, create, change, add_category, enter, entry, change_entry, submit_entry, withdraw_entry))]
pub struct Doc;

pub fn routes() -> axum::Router<App> {
    use axum::routing::{patch, post};
    axum::Router::new()
        .route("/api/v1/awards/programmes", axum::routing::get(programmes).post(create))
        .route("/api/v1/awards/programmes/{id}", patch(change))
        .route("/api/v1/awards/programmes/{id}/categories", post(add_category))
        .route("/api/v1/awards/categories/{id}/entries", post(enter))
        .route("/api/v1/awards/entries/{id}", axum::routing::get(entry).patch(change_entry))
        .route("/api/v1/awards/entries/{id}/submit", post(submit_entry))
        .route("/api/v1/awards/entries/{id}/withdraw", post(withdraw_entry))
}

#[derive(Serialize, ToSchema)]
pub struct AwardCriterionOut {
    pub id: String,
    pub name: String,
    pub weight: f64,
    pub guidance: String,
}

#[derive(Serialize, ToSchema)]
pub struct AwardCategoryOut {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    /// `members` (members, for their own organisation) or `anyone` (the public entry form).
    pub open_to: String,
    /// Scores run from 1 to this.
    pub scale_max: i64,
    pub criteria: Vec<AwardCriterionOut>,
}

#[derive(Serialize, ToSchema)]
pub struct AwardProgrammeOut {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub year: i64,
    pub description: String,
    pub entries_open: DateTime<Utc>,
    pub entries_close: DateTime<Utc>,
    pub judging_opens: DateTime<Utc>,
    pub judging_closes: DateTime<Utc>,
    pub shortlist_at: Option<DateTime<Utc>>,
    pub winners_at: Option<DateTime<Utc>>,
    /// Where it is: `announced`, `open_for_entries`, `entries_closed`, `judging`, `shortlisted`, `decided`.
    pub phase: String,
    pub categories: Vec<AwardCategoryOut>,
}

fn criterion_out(c: Criterion) -> AwardCriterionOut {
    AwardCriterionOut { id: c.id, name: c.name, weight: c.weight, guidance: c.guidance }
}

async fn category_out(app: &App, c: Category) -> ApiResult<AwardCategoryOut> {
    let criteria = store::criteria(&app.db, &c.id).await?.into_iter().map(criterion_out).collect();
    Ok(AwardCategoryOut {
        open_to: c.open_to().key().into(),
        id: c.id,
        slug: c.slug,
        name: c.name,
        description: c.description,
        scale_max: c.scale_max,
        criteria,
    })
}

async fn programme_out(app: &App, p: Programme) -> ApiResult<AwardProgrammeOut> {
    let mut categories = Vec::new();
    for c in store::categories(&app.db, &p.id).await? {
        categories.push(category_out(app, c).await?);
    }
    Ok(AwardProgrammeOut {
        phase: phase_key(p.phase(Utc::now())).into(),
        id: p.id,
        slug: p.slug,
        name: p.name,
        year: p.year,
        description: p.description,
        entries_open: p.entries_open_at,
        entries_close: p.entries_close_at,
        judging_opens: p.judging_opens_at,
        judging_closes: p.judging_closes_at,
        shortlist_at: p.shortlist_at,
        winners_at: p.winners_at,
        categories,
    })
}

fn phase_key(phase: super::model::Phase) -> &'static str {
    use super::model::Phase;
    match phase {
        Phase::Announced => "announced",
        Phase::OpenForEntries => "open_for_entries",
        Phase::EntriesClosed => "entries_closed",
        Phase::Judging => "judging",
        Phase::Shortlisted => "shortlisted",
        Phase::Decided => "decided",
    }
}

#[utoipa::path(get, path = "/api/v1/awards/programmes", tag = "awards",
    responses((status = 200, body = Vec<AwardProgrammeOut>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn programmes(State(app): State<App>) -> ApiResult<Json<Vec<AwardProgrammeOut>>> {
    let mut out = Vec::new();
    for p in store::programmes(&app.db).await? {
        out.push(programme_out(&app, p).await?);
    }
    Ok(Json(out))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardProgrammeIn {
    #[schema(min_length = 1, max_length = 120, pattern = r"^[^\u0000-\u001f]*[^\u0000-\u001f\s][^\u0000-\u001f]*$")]
    pub name: String,
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i64,
    #[schema(max_length = 4000, pattern = r"^[^\u0000]*$")]
    pub description: Option<String>,
    pub entries_open: DateTime<Utc>,
    pub entries_close: DateTime<Utc>,
    pub judging_opens: DateTime<Utc>,
    pub judging_closes: DateTime<Utc>,
    pub shortlist_at: Option<DateTime<Utc>>,
    pub winners_at: Option<DateTime<Utc>>,
}

/// A programme change: any of the programme's fields; the rest stay.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardProgrammeChange {
    #[schema(min_length = 1, max_length = 120, pattern = r"^[^\u0000-\u001f]*[^\u0000-\u001f\s][^\u0000-\u001f]*$")]
    pub name: Option<String>,
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: Option<i64>,
    #[schema(max_length = 4000, pattern = r"^[^\u0000]*$")]
    pub description: Option<String>,
    pub entries_open: Option<DateTime<Utc>>,
    pub entries_close: Option<DateTime<Utc>>,
    pub judging_opens: Option<DateTime<Utc>>,
    pub judging_closes: Option<DateTime<Utc>>,
    pub shortlist_at: Option<DateTime<Utc>>,
    pub winners_at: Option<DateTime<Utc>>,
}

fn organiser(viewer: &Viewer) -> ApiResult<()> {
    Ok(policy::require(viewer, policy::can_run_awards(viewer), "")?)
}

#[utoipa::path(post, path = "/api/v1/awards/programmes", tag = "awards", security(("token" = [])),
    request_body = AwardProgrammeIn,
    responses((status = 201, body = AwardProgrammeOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(app): State<App>,
    viewer: Viewer,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    organiser(&viewer)?;
    let p: AwardProgrammeIn = json_body(&headers, body).await?;
    let draft = ProgrammeInput {
        name: p.name,
        year: p.year,
        description: p.description.unwrap_or_default(),
        entries_open_at: p.entries_open,
        entries_close_at: p.entries_close,
        judging_opens_at: p.judging_opens,
        judging_closes_at: p.judging_closes,
        shortlist_at: p.shortlist_at,
        winners_at: p.winners_at,
    };
    let mut errors = FieldErrors::default();
    let input = service::check_timeline(&mut errors, &draft);
    checked(errors)?;
    let input = input.ok_or(AppError::NotFound)?;
    let id = store::insert_programme(&app.db, &input, Utc::now()).await?;
    let made = store::programme(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(programme_out(&app, made).await?)))
}

#[utoipa::path(patch, path = "/api/v1/awards/programmes/{id}", tag = "awards", security(("token" = [])),
    params(("id" = String, Path, description = "The programme's id")),
    request_body = AwardProgrammeChange,
    responses((status = 200, body = AwardProgrammeOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn change(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<AwardProgrammeOut>> {
    organiser(&viewer)?;
    let p = store::programme(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let c: AwardProgrammeChange = json_body(&headers, body).await?;
    // What is not given stays as stored, to the second.
    let draft = ProgrammeInput {
        name: c.name.unwrap_or(p.name),
        year: c.year.unwrap_or(p.year),
        description: c.description.unwrap_or(p.description),
        entries_open_at: c.entries_open.unwrap_or(p.entries_open_at),
        entries_close_at: c.entries_close.unwrap_or(p.entries_close_at),
        judging_opens_at: c.judging_opens.unwrap_or(p.judging_opens_at),
        judging_closes_at: c.judging_closes.unwrap_or(p.judging_closes_at),
        shortlist_at: c.shortlist_at.or(p.shortlist_at),
        winners_at: c.winners_at.or(p.winners_at),
    };
    let mut errors = FieldErrors::default();
    let input = service::check_timeline(&mut errors, &draft);
    checked(errors)?;
    store::update_programme(&app.db, &id, &input.ok_or(AppError::NotFound)?).await?;
    let changed = store::programme(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(programme_out(&app, changed).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardCriterionIn {
    #[schema(min_length = 1, max_length = 120, pattern = r"^[^\u0000-\u001f]*[^\u0000-\u001f\s][^\u0000-\u001f]*$")]
    pub name: String,
    /// Above 0, at most 100.
    #[schema(exclusive_minimum = 0, maximum = 100)]
    pub weight: f64,
    #[schema(max_length = 2000, pattern = r"^[^\u0000]*$")]
    pub guidance: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardCategoryIn {
    #[schema(min_length = 1, max_length = 120, pattern = r"^[^\u0000-\u001f]*[^\u0000-\u001f\s][^\u0000-\u001f]*$")]
    pub name: String,
    #[schema(max_length = 4000, pattern = r"^[^\u0000]*$")]
    pub description: Option<String>,
    /// `members` (the default) or `anyone`.
    #[schema(pattern = "^(members|anyone)$")]
    pub open_to: Option<String>,
    /// Scores run from 1 to this (10 by default).
    #[schema(minimum = 3, maximum = 100)]
    pub scale_max: Option<i64>,
    #[schema(max_length = 4000, pattern = r"^[^\u0000]*$")]
    pub guidance: Option<String>,
    #[schema(min_items = 1, max_items = 8)]
    pub criteria: Vec<AwardCriterionIn>,
}

#[utoipa::path(post, path = "/api/v1/awards/programmes/{id}/categories", tag = "awards", security(("token" = [])),
    params(("id" = String, Path, description = "The programme's id")),
    request_body = AwardCategoryIn,
    responses((status = 201, body = AwardCategoryOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn add_category(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    organiser(&viewer)?;
    store::programme(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let c: AwardCategoryIn = json_body(&headers, body).await?;
    let f = CategoryFields {
        name: c.name,
        description: c.description.unwrap_or_default(),
        open_to: c.open_to.unwrap_or_else(|| OpenTo::Members.key().into()),
        scale_max: c.scale_max.map(|s| s.to_string()).unwrap_or_default(),
        disagreement: String::new(),
        guidance: c.guidance.unwrap_or_default(),
        criteria: c
            .criteria
            .into_iter()
            .map(|k| (k.name, k.weight.to_string(), k.guidance.unwrap_or_default()))
            .collect(),
    };
    let mut errors = FieldErrors::default();
    let input = service::check_category(&mut errors, &f);
    checked(errors)?;
    let made = store::insert_category(&app.db, &id, &input.ok_or(AppError::NotFound)?).await?;
    let category = store::category(&app.db, &made).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(category_out(&app, category).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardOutcomeIn {
    #[schema(max_length = 200, pattern = r"^[^\u0000-\u001f]*$")]
    pub measure: String,
    #[schema(max_length = 200, pattern = r"^[^\u0000-\u001f]*$")]
    pub baseline: String,
    #[schema(max_length = 200, pattern = r"^[^\u0000-\u001f]*$")]
    pub result: String,
    #[schema(max_length = 200, pattern = r"^[^\u0000-\u001f]*$")]
    pub unit: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardEntryIn {
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\u0000-\u001f]*[^\u0000-\u001f\s][^\u0000-\u001f]*$")]
    pub title: String,
    /// The context: the organisation and its starting point.
    #[schema(max_length = 8000, pattern = r"^[^\u0000]*$")]
    pub summary: Option<String>,
    #[schema(max_length = 200, pattern = r"^[^\u0000-\u001f]*$")]
    pub team: Option<String>,
    #[schema(max_length = 8000, pattern = r"^[^\u0000]*$")]
    pub what_was_done: Option<String>,
    #[schema(max_length = 8000, pattern = r"^[^\u0000]*$")]
    pub benefits: Option<String>,
    /// The measurable outcome (or give `outcomes`, up to three).
    pub outcome: Option<AwardOutcomeIn>,
    #[schema(max_items = 3)]
    pub outcomes: Option<Vec<AwardOutcomeIn>>,
    /// Web addresses of evidence.
    #[schema(max_items = 20)]
    pub links: Option<Vec<String>>,
}

/// A change to an entry (a draft, or a submitted entry kept complete): any of its fields; the rest stay.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardEntryChange {
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\u0000-\u001f]*[^\u0000-\u001f\s][^\u0000-\u001f]*$")]
    pub title: Option<String>,
    #[schema(max_length = 8000, pattern = r"^[^\u0000]*$")]
    pub summary: Option<String>,
    #[schema(max_length = 200, pattern = r"^[^\u0000-\u001f]*$")]
    pub team: Option<String>,
    #[schema(max_length = 8000, pattern = r"^[^\u0000]*$")]
    pub what_was_done: Option<String>,
    #[schema(max_length = 8000, pattern = r"^[^\u0000]*$")]
    pub benefits: Option<String>,
    #[schema(max_items = 3)]
    pub outcomes: Option<Vec<AwardOutcomeIn>>,
    #[schema(max_items = 20)]
    pub links: Option<Vec<String>>,
}

fn outcomes_of(given: Vec<AwardOutcomeIn>) -> Vec<super::model::Outcome> {
    given
        .into_iter()
        .map(|o| super::model::Outcome { measure: o.measure, baseline: o.baseline, result: o.result, unit: o.unit })
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct AwardOutcomeOut {
    pub measure: String,
    pub baseline: String,
    pub result: String,
    pub unit: String,
}

/// An entry as its entrants see it: the entry and where it is; nothing about judging.
#[derive(Serialize, ToSchema)]
pub struct AwardEntryOut {
    pub id: String,
    pub category: String,
    pub organisation: String,
    /// `draft`, `submitted`, `withdrawn` or `returned`.
    pub state: String,
    pub returned_reason: Option<String>,
    pub title: String,
    pub team: String,
    pub summary: String,
    pub what_was_done: String,
    pub benefits: String,
    pub outcomes: Vec<AwardOutcomeOut>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub entries_close: DateTime<Utc>,
}

/// An entry as it is now, as its entrants see it.
async fn entry_now(app: &App, id: &str, p: &Programme) -> ApiResult<Json<AwardEntryOut>> {
    let e = store::entry(&app.db, id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(entry_out(app, e, p).await?))
}

async fn entry_out(app: &App, e: super::model::Entry, p: &Programme) -> ApiResult<AwardEntryOut> {
    let outcomes = store::outcomes(&app.db, &e.id)
        .await?
        .into_iter()
        .map(|o| AwardOutcomeOut { measure: o.measure, baseline: o.baseline, result: o.result, unit: o.unit })
        .collect();
    Ok(AwardEntryOut {
        state: e.status().key().into(),
        returned_reason: (!e.returned_reason.is_empty()).then(|| e.returned_reason.clone()),
        id: e.id,
        category: e.category_id,
        organisation: e.organisation_id,
        title: e.title,
        team: e.team,
        summary: e.context,
        what_was_done: e.what_was_done,
        benefits: e.benefits,
        outcomes,
        submitted_at: e.submitted_at,
        entries_close: p.entries_close_at,
    })
}

#[utoipa::path(post, path = "/api/v1/awards/categories/{id}/entries", tag = "awards", security(("token" = [])),
    params(("id" = String, Path, description = "The category's id")),
    request_body = AwardEntryIn,
    responses((status = 201, body = AwardEntryOut, description = "A draft, for the caller's organisation"),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn enter(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    let (org, me) = super::entering::my_organisation(&app, &viewer, "").await?;
    let c = store::category(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let p = store::programme(&app.db, &c.programme_id).await?.ok_or(AppError::NotFound)?;
    let input: AwardEntryIn = json_body(&headers, body).await?;
    let now = Utc::now();
    super::entering::taking_entries(&p, &c, now, app.config.timezone)?;
    let f = service::EntryFields {
        title: input.title,
        team: input.team.unwrap_or_default(),
        context: input.summary.unwrap_or_default(),
        what_was_done: input.what_was_done.unwrap_or_default(),
        benefits: input.benefits.unwrap_or_default(),
        links: input.links.unwrap_or_default().join("\n"),
        outcomes: outcomes_of(input.outcomes.unwrap_or_default().into_iter().chain(input.outcome).collect()),
    };
    let mut errors = FieldErrors::default();
    let checked_entry = service::check_entry(&mut errors, &f, false);
    checked(errors)?;
    let made = store::insert_entry(&app.db, &c.id, &org.id, &me.id, &checked_entry, now).await?;
    Ok((StatusCode::CREATED, entry_now(&app, &made, &p).await?))
}

#[utoipa::path(get, path = "/api/v1/awards/entries/{id}", tag = "awards", security(("token" = [])),
    params(("id" = String, Path, description = "The entry's id")),
    responses((status = 200, body = AwardEntryOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn entry(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> ApiResult<Json<AwardEntryOut>> {
    let (_, _, p) = super::entering::reach_entry(&app, &viewer, &id).await?;
    entry_now(&app, &id, &p).await
}

#[utoipa::path(post, path = "/api/v1/awards/entries/{id}/submit", tag = "awards", security(("token" = [])),
    params(("id" = String, Path, description = "The entry's id")),
    responses((status = 200, body = AwardEntryOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn submit_entry(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<AwardEntryOut>> {
    let (_, _, p) = super::entering::reach_entry(&app, &viewer, &id).await?;
    let me = viewer.user.clone().ok_or(AppError::Forbidden)?;
    // What a judge needs must be there: checked on the entry as it is submitted.
    checked(super::entering::submit(&app, &id, &me, &p).await?)?;
    entry_now(&app, &id, &p).await
}

#[utoipa::path(patch, path = "/api/v1/awards/entries/{id}", tag = "awards", security(("token" = [])),
    params(("id" = String, Path, description = "The entry's id")),
    request_body = AwardEntryChange,
    responses((status = 200, body = AwardEntryOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn change_entry(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<AwardEntryOut>> {
    let (e, _, p) = super::entering::reach_entry(&app, &viewer, &id).await?;
    let now = Utc::now();
    if now >= p.entries_close_at {
        return Err(AppError::Conflict(super::entering::closed(&p)).into());
    }
    let c: AwardEntryChange = json_body(&headers, body).await?;
    let outcomes = match c.outcomes {
        Some(given) => outcomes_of(given),
        None => store::outcomes(&app.db, &id).await?,
    };
    let f = service::EntryFields {
        title: c.title.unwrap_or(e.title.clone()),
        team: c.team.unwrap_or(e.team.clone()),
        context: c.summary.unwrap_or(e.context.clone()),
        what_was_done: c.what_was_done.unwrap_or(e.what_was_done.clone()),
        benefits: c.benefits.unwrap_or(e.benefits.clone()),
        links: c.links.map(|l| l.join("\n")).unwrap_or(e.links.clone()),
        outcomes,
    };
    let status = e.status();
    let mut errors = FieldErrors::default();
    // A submitted entry stays complete; a draft is saved as given.
    let checked_entry = service::check_entry(&mut errors, &f, status == EntryStatus::Submitted);
    checked(errors)?;
    if !store::save_entry(&app.db, &id, &checked_entry, status, p.entries_close_at, now).await? {
        return Err(AppError::Conflict(
            "This entry changed meanwhile (submitted or withdrawn), or entries have closed.".into(),
        )
        .into());
    }
    entry_now(&app, &id, &p).await
}

#[utoipa::path(post, path = "/api/v1/awards/entries/{id}/withdraw", tag = "awards", security(("token" = [])),
    params(("id" = String, Path, description = "The entry's id")),
    responses((status = 200, body = AwardEntryOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn withdraw_entry(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<AwardEntryOut>> {
    let (_, _, p) = super::entering::reach_entry(&app, &viewer, &id).await?;
    super::entering::withdraw(&app, &id, &p).await?;
    entry_now(&app, &id, &p).await
}
