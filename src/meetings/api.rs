//! Meetings through the API: the listing and one meeting as the viewer may see them (open meetings for
//! everyone; closed ones for members with a token), and a member's own registration.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{Meeting, Registration};
use super::registration;
use super::routes::{Views, first_seen, joining_link, refusal, view_of};
use super::store;
use crate::App;
use crate::api::limit;
use crate::api::problem::{ApiResult, Problem};
use crate::auth::Viewer;
use crate::auth::policy::{self, MeetingView};
use crate::web::AppError;

#[derive(utoipa::OpenApi)]
#[openapi(paths(list, show, register, cancel, mine))]
pub(super) struct Doc;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/api/v1/meetings", axum::routing::get(list))
        .route("/api/v1/meetings/{slug}", axum::routing::get(show))
        .route("/api/v1/meetings/{slug}/registration", axum::routing::post(register).delete(cancel))
        .route("/api/v1/me/registrations", axum::routing::get(mine))
}

/// A meeting as the viewer may see it.
#[derive(Serialize, ToSchema)]
pub struct MeetingOut {
    pub slug: String,
    pub title: String,
    /// `case_study`, `thought_leadership`, `research_summary`, `topic_exploration` or `networking`.
    pub format: String,
    /// `open`, `members` or `group`.
    pub audience: String,
    /// `virtual`, `in_person` or `hybrid`.
    pub mode: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub registration_closes_at: DateTime<Utc>,
    pub cancelled: bool,
    /// The summary, as safe HTML.
    pub summary_html: String,
    /// The meeting's page on the site.
    pub url: String,
}

/// One meeting with its places and, for a member, their registration.
#[derive(Serialize, ToSchema)]
pub struct MeetingDetail {
    #[serde(flatten)]
    pub meeting: MeetingOut,
    pub agenda_html: String,
    pub spaces_left: i64,
    pub waitlist: i64,
    /// The caller's registration, if they have one.
    pub registration: Option<RegistrationOut>,
    /// Given only to confirmed attendees, shortly before the start.
    pub joining_link: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RegistrationOut {
    pub meeting: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    /// `confirmed`, `waitlisted` or `unconfirmed`.
    pub status: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingsQuery {
    /// `upcoming` (the default) or `past`.
    #[param(inline, value_type = Option<When>)]
    pub when: Option<When>,
    /// How many meetings at most (1 to 100, default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum When {
    Upcoming,
    Past,
}

fn out(app: &App, m: &Meeting) -> MeetingOut {
    MeetingOut {
        slug: m.slug.clone(),
        title: m.title.clone(),
        format: m.format.clone(),
        audience: m.audience.clone(),
        mode: m.mode.clone(),
        starts_at: m.starts_at,
        ends_at: m.ends_at,
        registration_closes_at: m.registration_closes_at,
        cancelled: m.is_cancelled(),
        summary_html: m.summary_html.clone(),
        url: app.config.link(&format!("/meetings/{}", m.slug)),
    }
}

fn registration_out(m: &Meeting, r: &Registration) -> RegistrationOut {
    RegistrationOut {
        meeting: m.slug.clone(),
        title: m.title.clone(),
        starts_at: m.starts_at,
        status: r.status.clone(),
    }
}

/// Meetings the caller may see in full, soonest first (past ones: latest first).
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings", params(MeetingsQuery),
    security((), ("token" = [])),
    responses((status = 200, body = Vec<MeetingOut>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(app): State<App>,
    viewer: Viewer,
    Query(q): Query<MeetingsQuery>,
) -> ApiResult<Json<Vec<MeetingOut>>> {
    let limit = limit(q.limit)?;
    let upcoming = q.when != Some(When::Past);
    let views = Views::of(&app, &viewer).await?;
    let found = first_seen::<Meeting>(&app, &views, upcoming, limit, |_, view| view == MeetingView::Full).await?;
    Ok(Json(found.iter().map(|(m, _)| out(&app, m)).collect()))
}

/// A meeting the caller may see in full: closed meetings need a member's token.
async fn visible(app: &App, viewer: &Viewer, slug: &str) -> ApiResult<Meeting> {
    let meeting = store::meeting_by_slug(&app.db, slug).await?.ok_or(AppError::NotFound)?;
    match view_of(app, viewer, &meeting).await? {
        MeetingView::Full => Ok(meeting),
        MeetingView::Hidden => Err(AppError::NotFound.into()),
        // A closed meeting: a visitor is told to bring a token, an applicant or lapsed member that it is not theirs.
        MeetingView::Teaser if viewer.user.is_none() => Err(AppError::SignInRequired(String::new()).into()),
        MeetingView::Teaser => Err(AppError::Forbidden.into()),
    }
}

async fn own_registration(app: &App, viewer: &Viewer, meeting: &Meeting) -> ApiResult<Option<Registration>> {
    Ok(match &viewer.user {
        Some(user) => {
            store::registration_of(&app.db, &meeting.id, &user.email).await?.filter(|r| r.status != "cancelled")
        }
        None => None,
    })
}

#[utoipa::path(get, path = "/api/v1/meetings/{slug}", tag = "meetings",
    params(("slug" = String, Path, description = "The meeting's slug")),
    security((), ("token" = [])),
    responses((status = 200, body = MeetingDetail), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn show(State(app): State<App>, viewer: Viewer, Path(slug): Path<String>) -> ApiResult<Json<MeetingDetail>> {
    let meeting = visible(&app, &viewer, &slug).await?;
    let registrations = store::registrations(&app.db, &meeting.id).await?;
    let confirmed = registrations.iter().filter(|r| r.is_confirmed()).count() as i64;
    let waitlist = registrations.iter().filter(|r| r.is_waitlisted()).count() as i64;
    let registration = own_registration(&app, &viewer, &meeting).await?;
    let joining_link = joining_link(&app, &meeting, registration.as_ref(), Utc::now());
    Ok(Json(MeetingDetail {
        meeting: out(&app, &meeting),
        agenda_html: meeting.agenda_html.clone(),
        spaces_left: (meeting.capacity - confirmed).max(0),
        waitlist,
        registration: registration.as_ref().map(|r| registration_out(&meeting, r)),
        joining_link,
    }))
}

/// Registers the token's holder: a place if there is one, else the waitlist.
#[utoipa::path(post, path = "/api/v1/meetings/{slug}/registration", tag = "meetings",
    params(("slug" = String, Path, description = "The meeting's slug")),
    security(("token" = [])),
    responses((status = 201, body = RegistrationOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn register(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let meeting = store::meeting_by_slug(&app.db, &slug).await?.ok_or(AppError::NotFound)?;
    let view = view_of(&app, &viewer, &meeting).await?;
    if view == MeetingView::Hidden {
        return Err(AppError::NotFound.into());
    }
    policy::require(&viewer, policy::can_register_as_member(&viewer, view, Utc::now()), "")?;
    let user = viewer.user.clone().ok_or(AppError::Forbidden)?;
    registration::register_member(&app, &meeting, &user).await.map_err(refusal)?;
    let registration = own_registration(&app, &viewer, &meeting).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(registration_out(&meeting, &registration))))
}

/// Cancels the token holder's registration; the next person on the waitlist gets the place.
#[utoipa::path(delete, path = "/api/v1/meetings/{slug}/registration", tag = "meetings",
    params(("slug" = String, Path, description = "The meeting's slug")),
    security(("token" = [])),
    responses((status = 204, description = "Cancelled"), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn cancel(State(app): State<App>, viewer: Viewer, Path(slug): Path<String>) -> ApiResult<StatusCode> {
    policy::require(&viewer, policy::can_manage_own_account(&viewer), "")?;
    let meeting = store::meeting_by_slug(&app.db, &slug).await?.ok_or(AppError::NotFound)?;
    let registration = own_registration(&app, &viewer, &meeting).await?.ok_or(AppError::NotFound)?;
    registration::cancel(&app, &meeting, &registration).await.map_err(refusal)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The token holder's registrations, newest meeting first.
#[utoipa::path(get, path = "/api/v1/me/registrations", tag = "me",
    security(("token" = [])),
    responses((status = 200, body = Vec<RegistrationOut>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn mine(State(app): State<App>, viewer: Viewer) -> ApiResult<Json<Vec<RegistrationOut>>> {
    policy::require(&viewer, policy::can_manage_own_account(&viewer), "")?;
    let user = viewer.user.as_ref().ok_or(AppError::Forbidden)?;
    let mut out = Vec::new();
    for r in store::registrations_of_user(&app.db, &user.id).await? {
        if r.status == "cancelled" {
            continue;
        }
        if let Some(m) = store::meeting(&app.db, &r.meeting_id).await? {
            out.push(registration_out(&m, &r));
        }
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.starts_at));
    Ok(Json(out))
}
