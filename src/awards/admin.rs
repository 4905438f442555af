//! Organisers' awards pages: programmes with their timelines, and each programme's categories and criteria.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;

use super::model::{Category, Criterion, Entry, OpenTo, Programme};
use super::service::{self, CategoryFields, ProgrammeFields};
use super::store;
use crate::App;
use crate::auth::{Viewer, policy};
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, invalid, redirect_with_notice, render, time};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/admin/awards", get(index).post(create))
        .route("/admin/awards/{id}", get(programme).post(update))
        .route("/admin/awards/{id}/categories", axum::routing::post(add_category))
        .route("/admin/awards/entries/{id}/return", axum::routing::post(return_entry))
        .route("/admin/awards/{id}/publish", axum::routing::post(publish))
}

fn organiser(viewer: &Viewer) -> AppResult<()> {
    policy::require(viewer, policy::can_run_awards(viewer), "/admin/awards")
}

/// The form's fields by name (criteria come as `criterion_name_1`, `criterion_weight_1`, ...).
#[derive(serde::Deserialize, Default)]
#[serde(transparent)]
pub struct Fields(pub std::collections::HashMap<String, String>);

impl Fields {
    pub(super) fn get(&self, k: &str) -> String {
        self.0.get(k).cloned().unwrap_or_default()
    }

    pub fn programme(&self) -> ProgrammeFields {
        ProgrammeFields {
            name: self.get("name"),
            year: self.get("year"),
            description: self.get("description"),
            entries_open: self.get("entries_open"),
            entries_close: self.get("entries_close"),
            judging_opens: self.get("judging_opens"),
            judging_closes: self.get("judging_closes"),
            shortlist_at: self.get("shortlist_at"),
            winners_at: self.get("winners_at"),
        }
    }

    pub fn category(&self) -> CategoryFields {
        CategoryFields {
            name: self.get("name"),
            description: self.get("description"),
            open_to: self.get("open_to"),
            scale_max: self.get("scale_max"),
            disagreement: self.get("disagreement"),
            guidance: self.get("guidance"),
            criteria: (1..=service::MAX_CRITERIA)
                .map(|i| {
                    (
                        self.get(&format!("criterion_name_{i}")),
                        self.get(&format!("criterion_weight_{i}")),
                        self.get(&format!("criterion_guidance_{i}")),
                    )
                })
                .collect(),
        }
    }
}

/// A programme's fields as its form shows them.
fn typed(app: &App, p: &Programme) -> ProgrammeFields {
    let tz = app.config.timezone;
    let at = |t| time::input_value(t, tz);
    ProgrammeFields {
        name: p.name.clone(),
        year: p.year.to_string(),
        description: p.description.clone(),
        entries_open: at(p.entries_open_at),
        entries_close: at(p.entries_close_at),
        judging_opens: at(p.judging_opens_at),
        judging_closes: at(p.judging_closes_at),
        shortlist_at: p.shortlist_at.map(at).unwrap_or_default(),
        winners_at: p.winners_at.map(at).unwrap_or_default(),
    }
}

pub struct Listed {
    pub id: String,
    pub name: String,
    pub year: i64,
    pub phase: &'static str,
}

#[derive(Template)]
#[template(path = "awards/admin.html")]
struct IndexPage {
    page: Page,
    programmes: Vec<Listed>,
    form: ProgrammeFields,
    errors: FieldErrors,
}

async fn index_page(app: &App, page: Page, form: ProgrammeFields, errors: FieldErrors) -> AppResult<IndexPage> {
    let now = Utc::now();
    let programmes = store::programmes(&app.db)
        .await?
        .into_iter()
        .map(|p| Listed { phase: p.phase(now).label(), id: p.id, name: p.name, year: p.year })
        .collect();
    Ok(IndexPage { page: page.titled("Awards").noindex(), programmes, form, errors })
}

async fn index(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    render(&index_page(&app, page, ProgrammeFields::default(), FieldErrors::default()).await?)
}

async fn create(State(app): State<App>, page: Page, viewer: Viewer, Form(f): Form<Fields>) -> AppResult<Response> {
    organiser(&viewer)?;
    let typed = f.programme();
    let mut errors = FieldErrors::default();
    let Some(input) = service::check_programme(&mut errors, &typed, app.config.timezone) else {
        return invalid(&index_page(&app, page, typed, errors).await?);
    };
    let id = store::insert_programme(&app.db, &input, Utc::now()).await?;
    Ok(redirect_with_notice(&format!("/admin/awards/{id}"), "The programme is created: add its categories."))
}

pub struct CategoryView {
    pub category: Category,
    pub criteria: Vec<Criterion>,
}

/// A category as organisers see it: with its entries (never shown on the public pages).
pub struct Managed {
    pub view: CategoryView,
    pub entries: Vec<Entry>,
}

#[derive(Template)]
#[template(path = "awards/admin_programme.html")]
struct ProgrammePage {
    page: Page,
    programme: Programme,
    phase: &'static str,
    form: ProgrammeFields,
    errors: FieldErrors,
    categories: Vec<Managed>,
    category: CategoryFields,
    category_errors: FieldErrors,
    open_to: [OpenTo; 2],
    rows: Vec<usize>,
}

async fn programme_page(
    app: &App,
    page: Page,
    programme: Programme,
    form: Option<ProgrammeFields>,
    errors: FieldErrors,
    category: CategoryFields,
    category_errors: FieldErrors,
) -> AppResult<ProgrammePage> {
    let mut categories = Vec::new();
    for view in super::routes::categories(app, &programme).await? {
        let entries = store::entries_in(&app.db, &view.category.id).await?;
        categories.push(Managed { view, entries });
    }
    Ok(ProgrammePage {
        page: page.titled(&programme.name).noindex(),
        phase: programme.phase(Utc::now()).label(),
        form: form.unwrap_or_else(|| typed(app, &programme)),
        programme,
        errors,
        categories,
        category,
        category_errors,
        open_to: OpenTo::ALL,
        rows: (1..=service::MAX_CRITERIA).collect(),
    })
}

async fn reach(app: &App, viewer: &Viewer, id: &str) -> AppResult<Programme> {
    organiser(viewer)?;
    store::programme(&app.db, id).await?.ok_or(AppError::NotFound)
}

async fn programme(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let p = reach(&app, &viewer, &id).await?;
    let blank = CategoryFields { open_to: "members".into(), ..CategoryFields::default() };
    render(&programme_page(&app, page, p, None, FieldErrors::default(), blank, FieldErrors::default()).await?)
}

async fn update(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let p = reach(&app, &viewer, &id).await?;
    let typed = f.programme();
    let mut errors = FieldErrors::default();
    let Some(input) = service::check_programme(&mut errors, &typed, app.config.timezone) else {
        let blank = CategoryFields { open_to: "members".into(), ..CategoryFields::default() };
        return invalid(&programme_page(&app, page, p, Some(typed), errors, blank, FieldErrors::default()).await?);
    };
    store::update_programme(&app.db, &id, &input).await?;
    Ok(redirect_with_notice(&format!("/admin/awards/{id}"), "The programme is saved."))
}

async fn add_category(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let p = reach(&app, &viewer, &id).await?;
    let typed = f.category();
    let mut errors = FieldErrors::default();
    let Some(input) = service::check_category(&mut errors, &typed) else {
        return invalid(&programme_page(&app, page, p, None, FieldErrors::default(), typed, errors).await?);
    };
    store::insert_category(&app.db, &id, &input).await?;
    Ok(redirect_with_notice(&format!("/admin/awards/{id}#categories"), &format!("{} is added.", input.name)))
}

#[derive(serde::Deserialize)]
struct ReturnForm {
    #[serde(default)]
    reason: String,
}

/// Returns a submitted entry to its entrants with a reason (an eligibility check failed, something is missing).
async fn return_entry(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<ReturnForm>,
) -> AppResult<Response> {
    organiser(&viewer)?;
    // An organiser with a conflict leaves the entry to another.
    let (entry, category, _, _) = super::judges::oversee(&app, &viewer, &id).await?;
    let back = format!("/admin/awards/{}#categories", category.programme_id);
    let reason = f.reason.trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(AppError::BadRequest(
            "Say why the entry is returned (at most 2,000 characters), so its entrants can put it right.".into(),
        ));
    }
    let programme = store::programme(&app.db, &category.programme_id).await?.ok_or(AppError::NotFound)?;
    let now = Utc::now();
    if entry.organisation_id.is_empty() {
        return Err(AppError::Conflict(
            "This entry came through the public form: its entrant has no account to change it. Write to them instead."
                .into(),
        ));
    }
    // After the close a returned entry could not be put right: it would drop out of judging unseen.
    if now >= programme.entries_close_at {
        return Err(AppError::Conflict("Entries have closed: a returned entry could no longer be put right.".into()));
    }
    let mut tx = app.db.begin().await?;
    if !store::return_entry(&mut tx, &id, reason, now).await? {
        return Err(AppError::Conflict("Only a submitted entry can be returned.".into()));
    }
    // Its entrants are told, each current member of the organisation who may work on it.
    let link = app.config.link(&format!("/awards/entries/{id}"));
    for (email, name) in store::entrants(&mut tx, &entry.organisation_id, now).await? {
        let message = crate::mail::messages::notice(
            &app.config.title,
            &email,
            &name,
            &format!("Your entry to {} needs a change", programme.name),
            &[
                format!("The organisers returned \"{}\": {reason}", entry.title),
                format!(
                    "Change it and submit it again before entries close on {}.",
                    time::date_time(programme.entries_close_at, app.config.timezone)
                ),
            ],
            Some(("Open the entry", &link)),
        )?;
        crate::mail::queue(&app, &mut tx, crate::mail::Kind::Transactional, &message).await?;
    }
    tx.commit().await?;
    app.wake_mail();
    Ok(redirect_with_notice(&back, &format!("\"{}\" is returned to {}.", entry.title, entry.organisation_name)))
}

/// Publishes the shortlist or the winners (`what`), a deliberate act at or after its date.
async fn publish(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let p = reach(&app, &viewer, &id).await?;
    let what = super::results::Publish::parse(&f.get("what"))
        .ok_or_else(|| AppError::BadRequest("Choose the shortlist or the winners.".into()))?;
    let sent = super::results::publish(&app, &p, what).await?;
    let what = if what == super::results::Publish::Winners { "The winners are" } else { "The shortlist is" };
    Ok(redirect_with_notice(
        &format!("/admin/awards/{id}"),
        &format!("{what} published; {sent} e-mails to the entrants are on their way."),
    ))
}
