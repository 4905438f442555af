//! The toolkit through the API: team spaces, their people and activities, and the computed plan, under the same
//! policy and the same checks as the pages (one engine for both).

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{PersonRow, SiteRow, Space, days_of};
use super::planner::Weekday;
use super::routes::reach;
use super::service::{self, ActivityFields, PersonFields, SiteFields, SpaceFields};
use super::store;
use crate::App;
use crate::api::problem::{ApiResult, FieldProblem, Problem, json_body};
use crate::auth::policy;
use crate::auth::{User, Viewer};
use crate::web::{AppError, FieldErrors};

#[derive(utoipa::OpenApi)]
#[openapi(paths(teams, create_team, team, add_person, add_activity, plan))]
pub(super) struct Doc;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/api/v1/toolkit/teams", axum::routing::get(teams).post(create_team))
        .route("/api/v1/toolkit/teams/{id}", axum::routing::get(team))
        .route("/api/v1/toolkit/teams/{id}/people", axum::routing::post(add_person))
        .route("/api/v1/toolkit/teams/{id}/people/{person}/activities", axum::routing::post(add_activity))
        .route("/api/v1/toolkit/teams/{id}/plan", axum::routing::get(plan))
}

/// A weekday, as the API names it.
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    fn key(self) -> &'static str {
        Weekday::ALL[self as usize].key()
    }
}

/// The desks available to the team on each weekday; a day left out has none. (Read as numbers, so that 12.0 is
/// 12 as JSON Schema says; a fraction is refused by the same check as the pages'.)
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Desks {
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100000)]
    pub mon: Option<f64>,
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100000)]
    pub tue: Option<f64>,
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100000)]
    pub wed: Option<f64>,
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100000)]
    pub thu: Option<f64>,
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100000)]
    pub fri: Option<f64>,
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100000)]
    pub sat: Option<f64>,
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100000)]
    pub sun: Option<f64>,
}

/// A site and the desks available to the team on each weekday.
#[derive(Deserialize, ToSchema)]
pub struct SiteIn {
    /// One line, not blank (spaces around it are dropped), no control character inside.
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\u0000-\u001f\u007f-\u009f]*[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000-\u001f\u007f-\u009f]*[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: String,
    #[serde(default)]
    pub desks: Desks,
}

#[derive(Deserialize, ToSchema)]
pub struct TeamIn {
    /// One line, not blank (spaces around it are dropped), no control character inside.
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\u0000-\u001f\u007f-\u009f]*[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000-\u001f\u007f-\u009f]*[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: String,
    /// Weekdays as lowercase three-letter English names: `mon`, `tue`, ... `sun`.
    #[schema(min_items = 1)]
    pub working_days: Vec<Day>,
    /// The length of a working day in hours; 7.5 when left out.
    #[schema(exclusive_minimum = 0, maximum = 24)]
    pub day_hours: Option<f64>,
    /// The hours the service must be covered (`08:00-18:00`; an end before the start runs overnight), if any.
    #[schema(pattern = r"^(([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9])?$")]
    pub service_hours: Option<String>,
    #[serde(default)]
    pub sites: Vec<SiteIn>,
}

#[derive(Serialize, ToSchema)]
pub struct SiteOut {
    pub id: String,
    pub name: String,
    pub desks: BTreeMap<String, u32>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonOut {
    pub id: String,
    pub name: String,
    pub head_count: i64,
    pub working_days: Vec<String>,
    pub hours_per_week: f64,
    /// The id of their base site, if one is set.
    pub site: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TeamOut {
    pub id: String,
    pub name: String,
    pub working_days: Vec<String>,
    pub day_hours: f64,
    pub service_hours: String,
    /// `lead` or `participant`: how the caller stands in it.
    pub standing: String,
    pub closed: bool,
    pub sites: Vec<SiteOut>,
    pub people: Vec<PersonOut>,
    /// The space's page on the site.
    pub url: String,
}

#[derive(Deserialize, ToSchema)]
pub struct PersonIn {
    /// One line, not blank.
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\u0000-\u001f\u007f-\u009f]*[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000-\u001f\u007f-\u009f]*[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: String,
    /// Among the team's working days (else 409).
    #[schema(min_items = 1)]
    pub working_days: Vec<Day>,
    /// At most 24 hours for each of their working days (else 409).
    #[schema(exclusive_minimum = 0, maximum = 168)]
    pub hours_per_week: f64,
    /// For a role standing for several people; 1 when left out.
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub head_count: Option<f64>,
    /// The id of one of the team's sites (else 409); the team's first site when left out or empty.
    pub site: Option<String>,
    /// Caring, adjustments: seen only by the person and the space's leads.
    #[schema(max_length = 2000, pattern = r"^[^\u0000]*$")]
    pub constraints: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct ActivityIn {
    /// One line, not blank.
    #[schema(
        min_length = 1,
        max_length = 160,
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\u0000-\u001f\u007f-\u009f]*[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000-\u001f\u007f-\u009f]*[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: String,
    /// `hands_on_equipment`, `analysis`, `writing`, `informing_others`, `maintaining_systems`, `developing_ideas`,
    /// `managing_people`, `processing_data`, `informal_collaboration`, `internal_meetings`, `customers_in_person`,
    /// `customers_by_phone`, `customers_online` or `other`.
    #[schema(
        pattern = "^(hands_on_equipment|analysis|writing|informing_others|maintaining_systems|developing_ideas|managing_people|processing_data|informal_collaboration|internal_meetings|customers_in_person|customers_by_phone|customers_online|other)$"
    )]
    pub category: String,
    /// With the person's other activities, at most their week (else 409).
    #[schema(exclusive_minimum = 0, maximum = 168)]
    pub hours_per_week: f64,
    /// `none`, `office`, `site`, `customer` (or `unknown`); `none` when left out or empty.
    #[schema(pattern = "^(|none|office|site|customer|unknown)$")]
    pub place: Option<String>,
    /// `none`, `window`, `service_hours`, `deadline` (or `unknown`); `none` when left out or empty.
    #[schema(pattern = "^(|none|window|service_hours|deadline|unknown)$")]
    pub time: Option<String>,
    /// `solo`, `async`, `virtual`, `in_person_preferred` or `in_person_essential`; `solo` when left out or empty.
    #[schema(pattern = "^(|solo|async|virtual|in_person_preferred|in_person_essential)$")]
    pub collaboration: Option<String>,
    /// Ids of the team's people it is done with (else 409).
    #[serde(default)]
    pub with: Vec<String>,
    /// `daily`, `weekly`, `monthly` or `occasional`.
    #[schema(pattern = "^(|daily|weekly|monthly|occasional)$")]
    pub cadence: Option<String>,
    #[schema(max_length = 500, pattern = r"^[^\u0000]*$")]
    pub place_reason: Option<String>,
    /// The fixed window, for `time: window` (`09:00-09:15 daily`): one line.
    #[schema(
        max_length = 100,
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\u0000-\u001f\u007f-\u009f]*[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub time_window: Option<String>,
    /// `low`, `medium` or `high`.
    #[schema(pattern = "^(|low|medium|high)$")]
    pub face_to_face: Option<String>,
    /// `low`, `medium` or `high`.
    #[schema(pattern = "^(|low|medium|high)$")]
    pub focus: Option<String>,
    #[serde(default)]
    pub rota: bool,
    #[schema(max_length = 500, pattern = r"^[^\u0000]*$")]
    pub systems: Option<String>,
    /// `yes`, `no` or `unknown`: whether the systems it needs work away from the office.
    #[schema(pattern = "^(|yes|no|unknown)$")]
    pub systems_remote: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ActivityOut {
    pub id: String,
    pub name: String,
    pub category: String,
    pub hours_per_week: f64,
    pub place: String,
    pub time: String,
    pub collaboration: String,
    pub with: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanPersonOut {
    pub id: String,
    pub name: String,
    pub head_count: u32,
    /// Suggested days on site (rule 3), never more than the days they work.
    pub onsite_days: u32,
    /// The days the hours call for, before that cap.
    pub needed_days: u32,
    /// The working, in words.
    pub working: String,
    /// Their working days, each with how many of them are on site (0 or 1 for a person).
    pub week: Vec<PlanDayOut>,
    pub place_hours: f64,
    pub in_person_hours: f64,
    pub customer_hours: f64,
    pub unknown_hours: f64,
    /// Where flexible and focus work goes (rule 5).
    pub batching: String,
}

#[derive(Serialize, ToSchema)]
pub struct PlanDayOut {
    pub day: String,
    pub on_site: u32,
    pub anchor: bool,
}

/// Planned people against desks: team totals only, never who is in.
#[derive(Serialize, ToSchema)]
pub struct ForecastOut {
    pub day: String,
    pub site: String,
    pub planned: u32,
    pub desks: u32,
}

#[derive(Serialize, ToSchema)]
pub struct FlagOut {
    /// `home_working_check`, `lone_working`, `systems_not_remote`, `unknown_dependencies`, `not_enough_days`,
    /// `desks_short` or `no_rota_cover`.
    pub kind: String,
    /// The person's id, or none for the team.
    pub person: Option<String>,
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct RotaOut {
    pub day: String,
    pub cover: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanOut {
    /// "2 anchor days + 3 flexible".
    pub split: String,
    pub anchor_days: Vec<String>,
    pub anchor_reason: String,
    pub people: Vec<PlanPersonOut>,
    pub forecast: Vec<ForecastOut>,
    pub windows: Vec<String>,
    pub rota: Vec<RotaOut>,
    pub flags: Vec<FlagOut>,
    /// `high`, `medium` or `low`.
    pub confidence: String,
    pub confidence_reasons: Vec<String>,
    pub shared_in_person_hours: f64,
    pub covered_in_person_hours: f64,
}

/// The form checks' mistakes under the API's field names: a 422 for what the document's shapes already say, a
/// 409 for what depends on the team as it is now (`conflicts`: its days, sites, people, a person's week).
pub(crate) fn checked(errors: FieldErrors, conflicts: &[&str]) -> ApiResult<()> {
    if errors.is_empty() {
        return Ok(());
    }
    if errors.messages().iter().all(|(f, _)| conflicts.contains(f)) {
        let detail = errors.messages().into_iter().map(|(_, m)| m.clone()).collect::<Vec<_>>().join(" ");
        return Err(Problem::new(StatusCode::CONFLICT, detail).into());
    }
    let field = |f: &str| -> String {
        match f {
            "activity_name" => "name".into(),
            "hours" => "hours_per_week".into(),
            "timing" => "time".into(),
            "site_id" => "site".into(),
            desks if desks.starts_with("desks_") => format!("sites.desks.{}", &desks[6..]),
            "site_name" => "sites.name".into(),
            other => other.into(),
        }
    };
    let fields = errors.messages().into_iter().map(|(f, m)| FieldProblem { field: field(f), message: m.clone() });
    Err(Problem::invalid(fields.collect()).into())
}

/// A space itself (not a what-if), for a caller with a token that may use the toolkit.
pub(crate) async fn reach_space(app: &App, viewer: &Viewer, id: &str) -> ApiResult<super::routes::Reached> {
    user(viewer)?;
    Ok(super::routes::reach_space(app, viewer, id).await?)
}

pub(crate) fn user(viewer: &Viewer) -> ApiResult<User> {
    let user = viewer.user.clone().ok_or(AppError::SignInRequired(String::new()))?;
    policy::require(viewer, policy::can_use_toolkit(viewer, Utc::now()), "")?;
    Ok(user)
}

fn day_keys(stored: &str) -> Vec<String> {
    days_of(stored).iter().map(|d| d.key().to_string()).collect()
}

fn site_out(s: &SiteRow) -> SiteOut {
    let desks = s.desks();
    SiteOut {
        id: s.id.clone(),
        name: s.name.clone(),
        desks: Weekday::ALL.iter().map(|d| (d.key().to_string(), desks[d.index()])).collect(),
    }
}

fn person_out(p: &PersonRow) -> PersonOut {
    PersonOut {
        id: p.id.clone(),
        name: p.name.clone(),
        head_count: p.head_count,
        working_days: day_keys(&p.working_days),
        hours_per_week: p.hours_per_week,
        site: p.site_id.clone(),
    }
}

async fn team_out(app: &App, space: &Space, standing: &str) -> ApiResult<TeamOut> {
    let sites = store::sites(&app.db, &space.id).await?;
    let people = store::people(&app.db, &space.id).await?;
    Ok(TeamOut {
        id: space.id.clone(),
        name: space.name.clone(),
        working_days: day_keys(&space.working_days),
        day_hours: space.day_hours,
        service_hours: space.service_hours.clone(),
        standing: standing.into(),
        closed: space.closed_at.is_some(),
        sites: sites.iter().map(site_out).collect(),
        people: people.iter().map(person_out).collect(),
        url: app.config.link(&format!("/toolkit/teams/{}", space.id)),
    })
}

/// A site's desks into the form's fields, so the API and the pages share one check.
fn site_fields(site: &SiteIn) -> SiteFields {
    let d = &site.desks;
    let desks = [d.mon, d.tue, d.wed, d.thu, d.fri, d.sat, d.sun].map(|n| n.map(|n| n.to_string()).unwrap_or_default());
    SiteFields { name: site.name.clone(), desks }
}

#[utoipa::path(get, path = "/api/v1/toolkit/teams", tag = "toolkit", security(("token" = [])),
    responses((status = 200, body = Vec<TeamOut>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn teams(State(app): State<App>, viewer: Viewer) -> ApiResult<Json<Vec<TeamOut>>> {
    let user = user(&viewer)?;
    let mut out = Vec::new();
    for (space, standing) in store::spaces_of(&app.db, &user.id).await? {
        if space.scenario_of.is_none() {
            out.push(team_out(&app, &space, standing.key()).await?);
        }
    }
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/toolkit/teams", tag = "toolkit", security(("token" = [])),
    request_body = TeamIn,
    responses((status = 201, body = TeamOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn create_team(
    State(app): State<App>,
    viewer: Viewer,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    let user = user(&viewer)?;
    policy::require(&viewer, policy::can_open_team_space(&viewer, Utc::now()), "")?;
    let input: TeamIn = json_body(&headers, body).await?;
    let mut errors = FieldErrors::default();
    let fields = SpaceFields {
        name: input.name.clone(),
        working_days: input.working_days.iter().map(|d| d.key().to_string()).collect(),
        day_hours: input.day_hours.unwrap_or(7.5).to_string(),
        service_hours: input.service_hours.clone().unwrap_or_default(),
    };
    let space = service::check_space(&mut errors, &fields);
    let mut sites = Vec::new();
    for site in &input.sites {
        let typed = site_fields(site);
        sites.push(service::check_site(&mut errors, &typed));
    }
    checked(errors, &[])?;
    let id = super::open_space(&app, &user, &space, &sites).await?;
    let space = store::space(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(team_out(&app, &space, "lead").await?)))
}

#[utoipa::path(get, path = "/api/v1/toolkit/teams/{id}", tag = "toolkit", security(("token" = [])),
    params(("id" = String, Path, description = "The team space's id")),
    responses((status = 200, body = TeamOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn team(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> ApiResult<Json<TeamOut>> {
    user(&viewer)?;
    let reached = reach(&app, &viewer, &id).await?;
    let standing = reached.standing.map_or("", |s| s.key());
    Ok(Json(team_out(&app, &reached.space, standing).await?))
}

#[utoipa::path(post, path = "/api/v1/toolkit/teams/{id}/people", tag = "toolkit", security(("token" = [])),
    params(("id" = String, Path, description = "The team space's id")),
    request_body = PersonIn,
    responses((status = 201, body = PersonOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn add_person(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    user(&viewer)?;
    let reached = reach(&app, &viewer, &id).await?;
    super::routes::lead(&reached)?;
    let input: PersonIn = json_body(&headers, body).await?;
    let sites = store::sites(&app.db, &id).await?;
    let mut errors = FieldErrors::default();
    let fields = PersonFields {
        name: input.name,
        head_count: input.head_count.unwrap_or(1.0).to_string(),
        working_days: input.working_days.iter().map(|d| d.key().to_string()).collect(),
        hours_per_week: input.hours_per_week.to_string(),
        site_id: input.site.unwrap_or_default(),
        constraints: input.constraints.unwrap_or_default(),
        home_checked: false,
    };
    service::check_room(&mut errors, "people", store::people(&app.db, &id).await?.len());
    let person = service::check_person(&mut errors, &fields, reached.space.days(), &sites, 0.0);
    checked(errors, &["working_days", "hours_per_week", "site_id", "people"])?;
    let person_id = super::add_person(&app, &id, None, &person, false).await?;
    let row = store::person(&app.db, &id, &person_id).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(person_out(&row))))
}

#[utoipa::path(post, path = "/api/v1/toolkit/teams/{id}/people/{person}/activities", tag = "toolkit", security(("token" = [])),
    params(("id" = String, Path, description = "The team space's id"), ("person" = String, Path, description = "The person's id")),
    request_body = ActivityIn,
    responses((status = 201, body = ActivityOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn add_activity(
    State(app): State<App>,
    viewer: Viewer,
    Path((id, person)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    let me = user(&viewer)?;
    let reached = reach(&app, &viewer, &id).await?;
    let row = store::person(&app.db, &id, &person).await?.ok_or(AppError::NotFound)?;
    let own = row.user_id.as_deref() == Some(me.id.as_str());
    let closed = reached.space.closed_at.is_some();
    if !policy::can_describe_work(&viewer, reached.standing, closed, own, Utc::now()) {
        return Err(AppError::Forbidden.into());
    }
    let input: ActivityIn = json_body(&headers, body).await?;
    let people = store::people(&app.db, &id).await?;
    let other = store::described_hours(&app.db, &person, "").await?;
    let fields = ActivityFields {
        name: input.name,
        category: input.category,
        hours: input.hours_per_week.to_string(),
        cadence: input.cadence.unwrap_or_default(),
        place: input.place.unwrap_or_default(),
        place_reason: input.place_reason.unwrap_or_default(),
        timing: input.time.unwrap_or_default(),
        time_window: input.time_window.unwrap_or_default(),
        collaboration: input.collaboration.unwrap_or_default(),
        with: input.with,
        face_to_face: input.face_to_face.unwrap_or_default(),
        focus: input.focus.unwrap_or_default(),
        rota: input.rota,
        systems: input.systems.unwrap_or_default(),
        systems_remote: input.systems_remote.unwrap_or_default(),
    };
    let mut errors = FieldErrors::default();
    let activity = service::check_activity(&mut errors, &fields, &row, other, &people);
    checked(errors, &["hours", "with"])?;
    let mut tx = app.db.begin().await?;
    let activity_id = store::insert_activity(&mut tx, &activity, Utc::now()).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(ActivityOut {
            id: activity_id,
            with: activity.with_ids(),
            name: activity.name,
            category: activity.category,
            hours_per_week: activity.hours,
            place: activity.place,
            time: activity.timing,
            collaboration: activity.collaboration,
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/toolkit/teams/{id}/plan", tag = "toolkit", security(("token" = [])),
    params(("id" = String, Path, description = "The team space's id")),
    responses((status = 200, body = PlanOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn plan(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> ApiResult<Json<PlanOut>> {
    user(&viewer)?;
    let reached = reach(&app, &viewer, &id).await?;
    let (plan, _) = super::plan_of(&app, &reached.space).await?;
    Ok(Json(PlanOut {
        split: plan.split.clone(),
        anchor_days: plan.anchor_days.iter().map(|d| d.key().to_string()).collect(),
        anchor_reason: plan.anchor_reason.clone(),
        people: plan
            .people
            .iter()
            .map(|p| PlanPersonOut {
                id: p.id.clone(),
                name: p.name.clone(),
                head_count: p.head_count,
                onsite_days: p.need.days,
                needed_days: p.need.needed_days,
                working: p.need.working.clone(),
                week: p
                    .week
                    .iter()
                    .map(|d| PlanDayOut { day: d.day.key().into(), on_site: d.on_site, anchor: d.anchor })
                    .collect(),
                place_hours: p.need.place_hours,
                in_person_hours: p.need.in_person_hours,
                customer_hours: p.need.customer_hours,
                unknown_hours: p.need.unknown_hours,
                batching: p.batching.clone(),
            })
            .collect(),
        forecast: plan
            .forecast
            .iter()
            .map(|f| ForecastOut { day: f.day.key().into(), site: f.site.clone(), planned: f.planned, desks: f.desks })
            .collect(),
        windows: plan.windows.clone(),
        rota: plan.rota.iter().map(|r| RotaOut { day: r.day.key().into(), cover: r.cover.clone() }).collect(),
        flags: plan
            .flags
            .iter()
            .map(|f| FlagOut { kind: f.kind.key().into(), person: f.person.clone(), text: f.text.clone() })
            .collect(),
        confidence: plan.confidence.key().into(),
        confidence_reasons: plan.confidence_reasons.clone(),
        shared_in_person_hours: plan.shared_hours,
        covered_in_person_hours: plan.covered_hours,
    }))
}
