//! The awards through the API, under the same policy as the pages: programmes (the public list with what is
//! published; organisers create and move dates), categories with their criteria, entries (members, for their
//! organisation), judging (assignments, reviews, conflicts; an entry's others' scores only after one's own),
//! the ranking and the decisions (organisers, never on an entry they have a conflict with).

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
#[openapi(paths(
    programmes,
    create,
    change,
    add_category,
    enter,
    entry,
    change_entry,
    submit_entry,
    withdraw_entry,
    add_judge,
    judging,
    score,
    declare_conflict,
    ranking,
    decide,
    publish
))]
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
        .route("/api/v1/awards/categories/{id}/judges", post(add_judge))
        .route("/api/v1/awards/judging", axum::routing::get(judging))
        .route("/api/v1/awards/entries/{id}/scores", post(score))
        .route("/api/v1/awards/entries/{id}/conflicts", post(declare_conflict))
        .route("/api/v1/awards/categories/{id}/ranking", axum::routing::get(ranking))
        .route("/api/v1/awards/entries/{id}/decision", axum::routing::put(decide))
        .route("/api/v1/awards/programmes/{id}/publish", post(publish))
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
    /// The shortlist, once published (empty before).
    pub shortlist: Vec<AwardPublishedOut>,
    /// The winners and highly commended, once announced (empty before).
    pub winners: Vec<AwardPublishedOut>,
}

/// An entry as the public sees it once published: never a score, a judge or a comment.
#[derive(Clone, Serialize, ToSchema)]
pub struct AwardPublishedOut {
    pub entry: String,
    pub category: String,
    pub title: String,
    pub organisation: String,
    /// `winner` or `highly_commended`, once the winners are announced.
    pub award: Option<String>,
    pub citation: Option<String>,
    /// A public case study's address.
    pub case_study: Option<String>,
    /// An open meeting's address.
    pub meeting: Option<String>,
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
    let shown: Vec<AwardPublishedOut> = super::results::shown(app, &p, Utc::now())
        .await?
        .into_iter()
        .map(|s| AwardPublishedOut {
            entry: s.entry_id,
            category: s.category,
            title: s.title,
            organisation: s.organisation,
            award: s.award.map(|a| a.key().to_string()),
            citation: (!s.citation.is_empty()).then_some(s.citation),
            case_study: s.case_study.map(|(href, _)| href),
            meeting: s.meeting.map(|(href, _)| href),
        })
        .collect();
    let winners = shown.iter().filter(|s| s.award.is_some()).cloned().collect();
    Ok(AwardProgrammeOut {
        shortlist: shown,
        winners,
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
    /// For a judge or an organiser only: the criteria, their own review, and others' once their own is in.
    /// Never present for an entrant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judging: Option<AwardJudgingOut>,
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
        judging: None,
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
    // Its entrants see the entry and its state; judges and organisers reach it through the judging's rules.
    let entrant = match store::entry(&app.db, &id).await? {
        Some(e) => policy::can_enter_awards_for(&viewer, &e.organisation_id, Utc::now()),
        None => true,
    };
    if entrant {
        let (_, _, p) = super::entering::reach_entry(&app, &viewer, &id).await?;
        return entry_now(&app, &id, &p).await;
    }
    let reached = super::panel::reach(&app, &viewer, &id).await?;
    Ok(Json(judged(&app, reached).await?))
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

// ---- Judging ---------------------------------------------------------------------------------------------------

use super::panel::{self, Reached, ScoredReview, Seat};

#[derive(Serialize, ToSchema)]
pub struct AwardReviewOut {
    pub judge: String,
    pub judge_name: String,
    pub abstained: bool,
    /// Why they abstained.
    pub reason: Option<String>,
    pub comment: String,
    /// Criterion id to score.
    pub scores: std::collections::BTreeMap<String, i64>,
    /// The sum of weight × score over the criteria divided by the sum of the weights.
    pub weighted: Option<f64>,
    pub submitted_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct AwardJudgingOut {
    /// `judge` or `organiser`.
    pub seat: String,
    pub scale_max: i64,
    pub criteria: Vec<AwardCriterionOut>,
    pub scoring_open: bool,
    pub my_review: Option<AwardReviewOut>,
    /// The others' reviews: for a judge, only once their own is in.
    pub reviews: Vec<AwardReviewOut>,
    pub files: Vec<AwardFileOut>,
    /// Evidence the network holds, attached by the entrants.
    pub evidence: Vec<AwardEvidenceOut>,
}

#[derive(Serialize, ToSchema)]
pub struct AwardFileOut {
    pub label: String,
    pub bytes: i64,
    /// Where to download it (with the same access as the entry).
    pub href: String,
}

#[derive(Serialize, ToSchema)]
pub struct AwardEvidenceOut {
    /// `benchmark`, `trial`, `plan` or `case_study`.
    pub kind: String,
    pub label: String,
    pub detail: String,
    pub public_link: Option<String>,
}

fn review_out(r: ScoredReview, criteria: &[Criterion]) -> AwardReviewOut {
    AwardReviewOut {
        scores: criteria.iter().zip(&r.scores).filter_map(|(c, s)| s.map(|s| (c.id.clone(), s))).collect(),
        weighted: r.weighted,
        judge: r.review.user_id,
        judge_name: r.review.judge_name,
        abstained: r.review.abstained,
        reason: r.review.abstained.then_some(r.review.reason),
        comment: r.review.comment,
        submitted_at: r.review.submitted_at,
    }
}

/// An entry as a judge or an organiser reaches it.
async fn judged(app: &App, reached: Reached) -> ApiResult<AwardEntryOut> {
    let reviews = panel::reviews(&app.db, &reached.entry, &reached.criteria).await?;
    let (mine, others): (Vec<ScoredReview>, Vec<ScoredReview>) =
        reviews.into_iter().partition(|r| r.review.user_id == reached.user.id);
    let mine = mine.into_iter().next();
    let open = policy::can_see_panel(reached.seat == Seat::Organiser, mine.as_ref().map(|m| m.review.abstained));
    let supporting = super::supporting::load(app, &reached.entry, None).await?;
    let judging = AwardJudgingOut {
        files: supporting
            .files
            .iter()
            .map(|f| AwardFileOut {
                label: f.label.clone(),
                bytes: f.file_size,
                href: format!("/awards/entries/{}/files/{}", reached.entry.id, f.file_id),
            })
            .collect(),
        evidence: supporting
            .attached
            .iter()
            .map(|e| AwardEvidenceOut {
                kind: e.kind.clone(),
                label: e.label.clone(),
                detail: e.detail.clone(),
                public_link: e.public_link.clone(),
            })
            .collect(),
        seat: if reached.seat == Seat::Judge { "judge" } else { "organiser" }.into(),
        scale_max: reached.category.scale_max,
        // An abstention stands: nothing is left for its judge to score.
        scoring_open: reached.seat == Seat::Judge
            && panel::scoring_open(&reached.programme, Utc::now())
            && !mine.as_ref().is_some_and(|m| m.review.abstained),
        my_review: mine.map(|m| review_out(m, &reached.criteria)),
        reviews: if open { others.into_iter().map(|r| review_out(r, &reached.criteria)).collect() } else { Vec::new() },
        criteria: reached.criteria.iter().cloned().map(criterion_out).collect(),
    };
    let mut out = entry_out(app, reached.entry, &reached.programme).await?;
    out.judging = Some(judging);
    Ok(out)
}

#[derive(Deserialize, ToSchema)]
pub struct AwardJudgeIn {
    /// The user id of a person with an account.
    pub user: String,
    /// To judge one entry of the category only.
    pub entry: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AwardProposedConflictOut {
    pub entry: String,
    /// `employer`, `former_employer`, `collaborator`, `personal` or `other`.
    pub kind: String,
    pub why: String,
}

#[derive(Serialize, ToSchema)]
pub struct AwardJudgeOut {
    pub category: String,
    pub user: String,
    pub entry: Option<String>,
    /// The conflicts the network's data proposes between this judge and the category's submitted entries.
    pub proposed_conflicts: Vec<AwardProposedConflictOut>,
}

#[utoipa::path(post, path = "/api/v1/awards/categories/{id}/judges", tag = "awards", security(("token" = [])),
    params(("id" = String, Path, description = "The category's id")),
    request_body = AwardJudgeIn,
    responses((status = 201, body = AwardJudgeOut, description = "Assigned (and told by e-mail), with the conflicts proposed"),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn add_judge(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    policy::require(&viewer, policy::can_run_awards(&viewer), "")?;
    let by = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let (category, programme, _) = super::judges::category_of(&app, &id).await?;
    let input: AwardJudgeIn = json_body(&headers, body).await?;
    let mut errors = FieldErrors::default();
    // An id no row can have (PostgreSQL refuses NUL in text) is simply no one's.
    let user = match input.user.contains('\0') {
        true => None,
        false => crate::auth::user_by_id(&app.db, &input.user).await?.map(crate::auth::User::from),
    };
    if !user.as_ref().is_some_and(|u| policy::may_judge(u, Utc::now())) {
        errors.add("user", "Give the id of a person who may judge: a member, an organiser or an outside judge.");
    }
    let entry = match input.entry.as_deref() {
        None | Some("") => None,
        Some(e) => {
            let found = match e.contains('\0') {
                true => None,
                false => super::judges::entry_to_judge(&app, &viewer, &id, e).await?,
            };
            if found.is_none() {
                errors.add("entry", "Give a submitted entry of this category, or none for the whole category.");
            }
            found
        }
    };
    checked(errors)?;
    let user = user.ok_or(AppError::NotFound)?;
    super::judges::assign_and_tell(&app, &category, &programme, entry.as_ref(), &user, &by).await?;
    let entries: Vec<super::model::Entry> = store::entries_in(&app.db, &id)
        .await?
        .into_iter()
        .filter(|e| e.status() == EntryStatus::Submitted && entry.as_ref().is_none_or(|x| x.id == e.id))
        .collect();
    let refs: Vec<&super::model::Entry> = entries.iter().collect();
    let book = panel::Book::load(&app.db, &refs, &[user.id.as_str(), by.id.as_str()]).await?;
    // Nothing about an entry the organiser has a conflict with.
    let proposed_conflicts = entries
        .iter()
        .filter(|e| book.standing(&e.id, &by.id).in_force() == policy::AwardConflict::None)
        .flat_map(|e| {
            book.standing(&e.id, &user.id).proposed.into_iter().map(|p| AwardProposedConflictOut {
                entry: e.id.clone(),
                kind: p.kind.key().into(),
                why: p.why,
            })
        })
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(AwardJudgeOut { category: id, user: user.id, entry: entry.map(|e| e.id), proposed_conflicts }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct AwardAssignedEntryOut {
    pub id: String,
    pub title: String,
    pub organisation: String,
    /// `scored`, `abstained`, or none yet.
    pub my_review: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AwardAssignmentOut {
    pub programme: String,
    pub programme_name: String,
    pub category: String,
    pub category_name: String,
    pub scoring_open: bool,
    pub judging_opens: DateTime<Utc>,
    pub judging_closes: DateTime<Utc>,
    /// The entries to judge (once entries close); conflicted ones are left out.
    pub entries: Vec<AwardAssignedEntryOut>,
}

#[utoipa::path(get, path = "/api/v1/awards/judging", tag = "awards", security(("token" = [])),
    responses((status = 200, body = Vec<AwardAssignmentOut>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn judging(State(app): State<App>, viewer: Viewer) -> ApiResult<Json<Vec<AwardAssignmentOut>>> {
    policy::require(&viewer, policy::can_reach_judging(&viewer, Utc::now()), "")?;
    let user = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let (groups, _) = super::judging::my_judging(&app, &user.id).await?;
    Ok(Json(
        groups
            .into_iter()
            .map(|g| AwardAssignmentOut {
                programme: g.programme.id,
                programme_name: g.programme.name,
                category: g.category.id,
                category_name: g.category.name,
                scoring_open: g.scoring,
                judging_opens: g.programme.judging_opens_at,
                judging_closes: g.programme.judging_closes_at,
                entries: g
                    .entries
                    .into_iter()
                    .map(|a| AwardAssignedEntryOut {
                        id: a.entry.id,
                        title: a.entry.title,
                        organisation: a.entry.organisation_name,
                        my_review: (!a.mine.is_empty()).then(|| a.mine.to_string()),
                    })
                    .collect(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AwardScoresIn {
    /// Criterion id to a whole score from 1 to the category's scale.
    pub scores: Option<std::collections::HashMap<String, i64>>,
    pub comment: Option<String>,
    /// Abstain instead of scoring; needs a reason.
    pub abstain: Option<bool>,
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/awards/entries/{id}/scores", tag = "awards", security(("token" = [])),
    params(("id" = String, Path, description = "The entry's id")),
    request_body = AwardScoresIn,
    responses((status = 200, body = AwardEntryOut, description = "The entry with the judge's review, and others' now"),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn score(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<AwardEntryOut>> {
    let reached = panel::reach(&app, &viewer, &id).await?;
    let input: AwardScoresIn = json_body(&headers, body).await?;
    let abstain = input.abstain.unwrap_or(false);
    let scores = input.scores.unwrap_or_default();
    let mut errors = FieldErrors::default();
    if let Some(unknown) = scores.keys().find(|k| !reached.criteria.iter().any(|c| &c.id == *k)) {
        errors.add("scores", format!("{unknown} is not a criterion of this entry's category."));
        checked(errors)?;
    }
    // The form's fields, from the JSON: the i-th criterion's score as `score_{i}`.
    let fields: std::collections::HashMap<&str, String> = reached
        .criteria
        .iter()
        .zip(service::SCORE_FIELDS)
        .filter_map(|(c, f)| scores.get(&c.id).map(|n| (f, n.to_string())))
        .chain([("comment", input.comment.unwrap_or_default()), ("reason", input.reason.unwrap_or_default())])
        .collect();
    let typed = |f: &str| fields.get(f).cloned().unwrap_or_default();
    if let Err(errors) = super::judging::save_review(&app, &reached, &typed, abstain).await? {
        checked(errors)?;
    }
    let reached = panel::reach(&app, &viewer, &id).await?;
    Ok(Json(judged(&app, reached).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct AwardConflictIn {
    /// `employer`, `former_employer`, `collaborator`, `personal` or `other`.
    pub kind: String,
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/awards/entries/{id}/conflicts", tag = "awards", security(("token" = [])),
    params(("id" = String, Path, description = "The entry's id")),
    request_body = AwardConflictIn,
    responses((status = 204, description = "Declared: the judge no longer reaches the entry"),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn declare_conflict(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<StatusCode> {
    let (_, user) = super::judging::judge_of(&app, &viewer, &id, "").await?;
    let input: AwardConflictIn = json_body(&headers, body).await?;
    let mut errors = FieldErrors::default();
    let kind = super::conflicts::Kind::parse(&input.kind);
    if kind.is_none() {
        errors.add("kind", "The kind is employer, former_employer, collaborator, personal or other.");
    }
    let note = errors.optional("note", "The note", input.note.as_deref().unwrap_or(""), 1000);
    checked(errors)?;
    let kind = kind.ok_or(AppError::NotFound)?;
    store::declare_conflict(&app.db, &id, &user.id, kind.key(), &note, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct AwardRankedOut {
    pub entry: String,
    pub title: String,
    pub weighted: f64,
    pub raw_mean: f64,
    pub normalised_mean: f64,
    /// How many judges scored it (abstentions not counted).
    pub judges: usize,
    /// The highest judge's weighted score minus the lowest.
    pub spread: f64,
    /// The spread is above the category's threshold: discuss it first.
    pub disagreement: bool,
}

#[utoipa::path(get, path = "/api/v1/awards/categories/{id}/ranking", tag = "awards", security(("token" = [])),
    params(("id" = String, Path, description = "The category's id")),
    responses((status = 200, body = Vec<AwardRankedOut>, description = "Highest normalised mean first; entries the caller has a conflict with are left out"),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn ranking(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<AwardRankedOut>>> {
    policy::require(&viewer, policy::can_run_awards(&viewer), "")?;
    let user = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let (category, _, criteria) = super::judges::category_of(&app, &id).await?;
    let (lines, _) = super::judges::lines(&app, &category, &criteria, &user.id).await?;
    let ranked = panel::ranking(&app.db, &category, &criteria).await?;
    Ok(Json(
        ranked
            .into_iter()
            .filter_map(|r| {
                let line = lines.iter().find(|l| l.entry.id == r.entry && !l.locked)?;
                Some(AwardRankedOut {
                    title: line.entry.title.clone(),
                    entry: r.entry,
                    weighted: r.weighted,
                    raw_mean: r.raw_mean,
                    normalised_mean: r.normalised_mean,
                    judges: r.judges,
                    spread: r.spread,
                    disagreement: r.disagreement,
                })
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AwardDecisionIn {
    pub shortlisted: bool,
    /// `winner`, `highly_commended`, or none.
    pub award: Option<String>,
    pub citation: Option<String>,
    /// A case study's address (`/case-studies/{slug}`) or slug.
    pub case_study: Option<String>,
    /// A meeting's address (`/meetings/{slug}`) or slug.
    pub meeting: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AwardDecisionOut {
    pub entry: String,
    pub shortlisted: bool,
    pub award: Option<String>,
    pub citation: String,
}

#[utoipa::path(put, path = "/api/v1/awards/entries/{id}/decision", tag = "awards", security(("token" = [])),
    params(("id" = String, Path, description = "The entry's id")),
    request_body = AwardDecisionIn,
    responses((status = 200, body = AwardDecisionOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn decide(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<AwardDecisionOut>> {
    let (entry, _, programme, user) = super::judges::oversee(&app, &viewer, &id).await?;
    let input: AwardDecisionIn = json_body(&headers, body).await?;
    let typed = super::results::DecisionFields {
        shortlisted: input.shortlisted,
        award: input.award.unwrap_or_default(),
        citation: input.citation.unwrap_or_default(),
        case_study: input.case_study.unwrap_or_default(),
        meeting: input.meeting.unwrap_or_default(),
    };
    if let Err(errors) = super::results::decide(&app, &entry, &programme, &typed, &user).await? {
        checked(errors)?;
    }
    let d = store::results_in(&app.db, &programme.id)
        .await?
        .into_iter()
        .find(|d| d.entry_id == id)
        .ok_or(AppError::NotFound)?;
    Ok(Json(AwardDecisionOut {
        entry: d.entry_id,
        shortlisted: d.shortlisted,
        award: d.award.map(|a| a.key().to_string()),
        citation: d.citation,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct AwardPublishIn {
    /// `shortlist` or `winners`.
    pub what: String,
}

#[derive(Serialize, ToSchema)]
pub struct AwardPublishOut {
    /// How many e-mails to entrants were queued.
    pub emails: usize,
}

#[utoipa::path(post, path = "/api/v1/awards/programmes/{id}/publish", tag = "awards", security(("token" = [])),
    params(("id" = String, Path, description = "The programme's id")),
    request_body = AwardPublishIn,
    responses((status = 200, body = AwardPublishOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn publish(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<AwardPublishOut>> {
    policy::require(&viewer, policy::can_run_awards(&viewer), "")?;
    let p = store::programme(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let input: AwardPublishIn = json_body(&headers, body).await?;
    let Some(what) = super::results::Publish::parse(&input.what) else {
        let mut errors = FieldErrors::default();
        errors.add("what", "Publish the shortlist or the winners.");
        checked(errors)?;
        return Err(AppError::NotFound.into());
    };
    Ok(Json(AwardPublishOut { emails: super::results::publish(&app, &p, what).await? }))
}
