//! The regions organisers keep: what an applicant chooses their organisation's region from, what the directory
//! filters by and what a newsletter can be sent to, so all three name the same places. Organisers add, rename,
//! reorder and remove regions; a region with organisations in it stays until they are moved.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::model::RegionInUse;
use super::store;
use crate::App;
use crate::auth::{Viewer, policy};
use crate::db::Db;
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, redirect_with_notice, render};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/admin/regions", get(list).post(add))
        .route("/admin/regions/rename", get(rename_form).post(rename))
        .route("/admin/regions/change", post(change))
}

/// The region on the list that `given` names (ignoring case and spaces around it), in the list's spelling.
pub fn matching(regions: &[String], given: &str) -> Option<String> {
    let given = given.trim();
    regions.iter().find(|r| r.eq_ignore_ascii_case(given)).cloned()
}

/// The kept region `given` names, if any (for other features' forms, such as a case study's region).
pub async fn kept(db: &Db, given: &str) -> Result<Option<String>, sqlx::Error> {
    Ok(matching(&store::regions(db).await?, given))
}

/// The longest name a region may have.
const MAX_NAME: usize = 100;

fn organiser(viewer: &Viewer) -> AppResult<()> {
    policy::require(viewer, policy::can_manage_site(viewer), "/admin/regions")
}

#[derive(Template)]
#[template(path = "membership/regions_admin.html")]
struct ListPage {
    page: Page,
    regions: Vec<RegionInUse>,
    name: String,
    errors: FieldErrors,
}

async fn list_page(app: &App, page: Page, name: String, errors: FieldErrors) -> AppResult<ListPage> {
    Ok(ListPage {
        page: page.titled("Regions").noindex(),
        regions: store::regions_in_use(&app.db).await?,
        name,
        errors,
    })
}

async fn list(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    render(&list_page(&app, page, String::new(), FieldErrors::default()).await?)
}

#[derive(Deserialize, Default)]
struct NameForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    new_name: String,
    #[serde(default)]
    action: String,
}

/// Checks a region's new name: one line, not empty, not too long.
fn checked_name(errors: &mut FieldErrors, field: &'static str, given: &str) -> String {
    let name = errors.required(field, "The region's name", given, MAX_NAME);
    errors.one_line(field, "The region's name", &name);
    name
}

async fn add(State(app): State<App>, page: Page, viewer: Viewer, Form(form): Form<NameForm>) -> AppResult<Response> {
    organiser(&viewer)?;
    let mut errors = FieldErrors::default();
    let name = checked_name(&mut errors, "name", &form.name);
    if errors.is_empty() && !store::add_region(&app.db, &name).await? {
        errors.add("name", format!("{name} is on the list already."));
    }
    if !errors.is_empty() {
        let body = render(&list_page(&app, page, form.name, errors).await?)?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    }
    Ok(redirect_with_notice("/admin/regions", &format!("{name} is added to the list.")))
}

#[derive(Template)]
#[template(path = "membership/region_rename.html")]
struct RenamePage {
    page: Page,
    region: RegionInUse,
    new_name: String,
    errors: FieldErrors,
}

async fn region(app: &App, name: &str) -> AppResult<RegionInUse> {
    store::regions_in_use(&app.db).await?.into_iter().find(|r| r.name == name).ok_or(AppError::NotFound)
}

async fn rename_form(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Query(form): Query<NameForm>,
) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    let region = region(&app, &form.name).await?;
    let new_name = region.name.clone();
    render(&RenamePage {
        page: page.titled("Rename a region").noindex(),
        region,
        new_name,
        errors: FieldErrors::default(),
    })
}

/// Renames a region everywhere it is named: organisations, applications, case studies, newsletters' audiences.
async fn rename(State(app): State<App>, page: Page, viewer: Viewer, Form(form): Form<NameForm>) -> AppResult<Response> {
    organiser(&viewer)?;
    let region = region(&app, &form.name).await?;
    let mut errors = FieldErrors::default();
    let new_name = checked_name(&mut errors, "new_name", &form.new_name);
    let others: Vec<String> = store::regions(&app.db).await?.into_iter().filter(|r| *r != region.name).collect();
    if errors.is_empty() && matching(&others, &new_name).is_some() {
        errors.add("new_name", format!("{new_name} is on the list already."));
    }
    if !errors.is_empty() {
        let page = page.titled("Rename a region").noindex();
        let body = render(&RenamePage { page, region, new_name: form.new_name, errors })?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    }
    if new_name != region.name {
        crate::feature::rename_region(&app, &region.name, &new_name).await?;
    }
    Ok(redirect_with_notice("/admin/regions", &format!("{} is now called {new_name}.", region.name)))
}

/// Moves a region up or down the list, or removes it.
async fn change(State(app): State<App>, viewer: Viewer, Form(form): Form<NameForm>) -> AppResult<Response> {
    organiser(&viewer)?;
    let region = region(&app, &form.name).await?;
    let notice = match form.action.as_str() {
        "up" | "down" => {
            let mut tx = app.db.begin().await?;
            store::move_region(&mut tx, &region.name, form.action == "up").await?;
            tx.commit().await?;
            format!("{} is moved {}.", region.name, form.action)
        }
        "remove" if store::remove_region(&app.db, &region.name).await? => {
            format!("{} is removed from the list.", region.name)
        }
        "remove" => {
            return Err(AppError::Conflict(format!(
                "{} still has organisations in it: give them another region first, then remove it.",
                region.name
            )));
        }
        _ => return Err(AppError::BadRequest("Choose up, down or remove.".into())),
    };
    Ok(redirect_with_notice("/admin/regions", &notice))
}
