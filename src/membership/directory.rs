//! The members' area, first pages: the member directory, members' profiles and organisation pages. Members
//! only; never shown to visitors, applicants, lapsed or suspended members, supporters or search engines.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::Utc;
use serde::Deserialize;

use super::groups::{self, Group};
use super::model::{DISCIPLINES, MemberListing, Organisation, SECTORS};
use super::store::{self, DirectoryFilter};
use crate::App;
use crate::auth::{Viewer, policy};
use crate::web::{AppError, AppResult, Page, render};

pub fn routes() -> Router<App> {
    Router::new().route("/members", get(directory)).route("/organisations/{slug}", get(organisation))
}

pub fn member(viewer: &Viewer, path: &str) -> AppResult<()> {
    policy::require(viewer, policy::can_enter_members_area(viewer, Utc::now()), path)
}

#[derive(Deserialize, Default)]
struct Search {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    discipline: String,
    #[serde(default)]
    group: String,
}

#[derive(Template)]
#[template(path = "membership/directory.html")]
struct DirectoryPage {
    page: Page,
    q: String,
    sector: String,
    region: String,
    discipline: String,
    group: String,
    members: Vec<MemberListing>,
    sectors: [&'static str; 11],
    regions: Vec<String>,
    disciplines: [(&'static str, &'static str); 4],
    groups: Vec<Group>,
}

async fn directory(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Query(search): Query<Search>,
) -> AppResult<impl IntoResponse> {
    member(&viewer, "/members")?;
    let q: String = search.q.chars().take(100).collect();
    let all_groups = groups::all_groups(&app.db).await?;
    let group_id = all_groups.iter().find(|g| g.slug == search.group).map(|g| g.id.clone());
    let discipline = DISCIPLINES.iter().map(|(k, _)| *k).find(|k| *k == search.discipline).unwrap_or("");
    let filter = DirectoryFilter {
        query: &q,
        organisation_id: None,
        sector: SECTORS.iter().copied().find(|s| *s == search.sector).unwrap_or(""),
        region: &search.region.chars().take(100).collect::<String>(),
        discipline,
        group_id: group_id.as_deref(),
    };
    let members = store::members(&app.db, &filter, Utc::now()).await?;
    render(&DirectoryPage {
        page: page.titled("Members").noindex(),
        members,
        sectors: SECTORS,
        regions: store::regions(&app.db).await?,
        disciplines: DISCIPLINES,
        groups: all_groups,
        q,
        sector: search.sector,
        region: search.region,
        discipline: search.discipline,
        group: search.group,
    })
}

#[derive(Template)]
#[template(path = "membership/organisation.html")]
struct OrganisationPage {
    page: Page,
    organisation: Organisation,
    domains: Vec<String>,
    members: Vec<MemberListing>,
    can_edit: bool,
    hosted: Vec<(String, String, String)>,
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
    let filter = DirectoryFilter { organisation_id: Some(&organisation.id), ..DirectoryFilter::default() };
    let members = store::members(&app.db, &filter, Utc::now()).await?;
    let mut hosted = Vec::new();
    let views = crate::meetings::Views::of(&app, &viewer).await?;
    for m in crate::meetings::hosted_by(&app.db, &organisation.id).await? {
        if views.view(&m) == policy::MeetingView::Full {
            hosted.push((m.slug.clone(), m.title.clone(), crate::web::time::date(m.starts_at, app.config.timezone)));
        }
    }
    render(&OrganisationPage {
        hosted,
        page: page.titled(&organisation.name).noindex(),
        can_edit: policy::can_manage_site(&viewer),
        organisation,
        domains,
        members,
    })
}
