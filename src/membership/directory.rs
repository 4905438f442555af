//! The members' area, first pages: the member directory and organisation pages. Members only; never shown to
//! visitors, applicants, lapsed or suspended members, or search engines.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::Utc;
use serde::Deserialize;

use super::model::{MemberListing, Organisation};
use super::store;
use crate::App;
use crate::auth::{Viewer, policy};
use crate::web::{AppError, AppResult, Page, render};

pub fn routes() -> Router<App> {
    Router::new().route("/members", get(directory)).route("/organisations/{slug}", get(organisation))
}

fn member(viewer: &Viewer, path: &str) -> AppResult<()> {
    policy::require(viewer, policy::can_enter_members_area(viewer, Utc::now()), path)
}

#[derive(Deserialize, Default)]
struct Search {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "membership/directory.html")]
struct DirectoryPage {
    page: Page,
    q: String,
    members: Vec<MemberListing>,
}

async fn directory(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Query(search): Query<Search>,
) -> AppResult<impl IntoResponse> {
    member(&viewer, "/members")?;
    let q: String = search.q.chars().take(100).collect();
    let members = store::members(&app.db, &q, None, Utc::now()).await?;
    render(&DirectoryPage { page: page.titled("Members").noindex(), q, members })
}

#[derive(Template)]
#[template(path = "membership/organisation.html")]
struct OrganisationPage {
    page: Page,
    organisation: Organisation,
    domains: Vec<String>,
    members: Vec<MemberListing>,
}

async fn organisation(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<impl IntoResponse> {
    member(&viewer, &format!("/organisations/{slug}"))?;
    let organisation = store::organisation_by_slug(&app.db, &slug).await?.ok_or(AppError::NotFound)?;
    let domains = store::domains_of(&app.db, &organisation.id).await?;
    let members = store::members(&app.db, "", Some(&organisation.id), Utc::now()).await?;
    render(&OrganisationPage { page: page.titled(&organisation.name).noindex(), organisation, domains, members })
}
