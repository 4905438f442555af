//! The token holder's own profile through the API.

use axum::extract::State;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use super::{groups, store};
use crate::App;
use crate::api::problem::{ApiResult, Problem};
use crate::auth::{Viewer, policy};
use crate::web::AppError;

#[derive(OpenApi)]
#[openapi(paths(me))]
pub(super) struct Doc;

pub(super) fn routes() -> Router<App> {
    Router::new().route("/api/v1/me", axum::routing::get(me))
}

#[derive(Serialize, ToSchema)]
pub struct Named {
    pub slug: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub email: String,
    /// `member`, `moderator`, `organiser` or `applicant`.
    pub role: String,
    pub job_title: String,
    pub organisation: Option<Named>,
    /// The end of the current twelve-month membership term.
    pub membership_ends_at: Option<DateTime<Utc>>,
    /// Whether the membership is current (the members' area is open to this person).
    pub active: bool,
    pub groups: Vec<Named>,
}

/// The token holder's own profile.
#[utoipa::path(get, path = "/api/v1/me", tag = "me", security(("token" = [])),
    responses((status = 200, body = Profile), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn me(State(app): State<App>, viewer: Viewer) -> ApiResult<Json<Profile>> {
    policy::require(&viewer, policy::can_manage_own_account(&viewer), "")?;
    let user = viewer.user.as_ref().ok_or(AppError::Forbidden)?;
    let row = crate::auth::user_by_id(&app.db, &user.id).await?.ok_or(AppError::NotFound)?;
    let organisation = match &user.organisation_id {
        Some(id) => store::organisation(&app.db, id).await?.map(|o| Named { slug: o.slug, name: o.name }),
        None => None,
    };
    let mine = groups::my_groups(&app.db, &viewer).await?;
    let groups = groups::all_groups(&app.db)
        .await?
        .into_iter()
        .filter(|g| mine.contains(&g.id))
        .map(|g| Named { slug: g.slug, name: g.name })
        .collect();
    Ok(Json(Profile {
        id: user.id.clone(),
        name: user.name.clone(),
        email: user.email.clone(),
        role: user.role.as_str().into(),
        job_title: row.job_title,
        organisation,
        membership_ends_at: user.membership_ends_at,
        active: policy::can_enter_members_area(&viewer, Utc::now()),
        groups,
    }))
}
