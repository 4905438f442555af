//! The awards' public pages: the programmes now and the archive by year, a programme with its timeline and
//! categories, and a category with its criteria (what judges will look for).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::Utc;

use super::admin::CategoryView;
use super::model::{Phase, Programme};
use super::store;
use crate::App;
use crate::web::{AppError, AppResult, Page, render, time};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/awards", get(index))
        .route("/awards/{slug}", get(programme))
        .route("/awards/{slug}/{category}", get(category))
}

pub struct Listed {
    pub slug: String,
    pub name: String,
    pub year: i64,
    pub phase: &'static str,
    pub closes: String,
}

#[derive(Template)]
#[template(path = "awards/index.html")]
struct IndexPage {
    page: Page,
    current: Vec<Listed>,
    archive: Vec<Listed>,
}

async fn index(State(app): State<App>, page: Page) -> AppResult<impl IntoResponse> {
    let now = Utc::now();
    let tz = app.config.timezone;
    let (mut current, mut archive) = (Vec::new(), Vec::new());
    for p in store::programmes(&app.db).await? {
        let phase = p.phase(now);
        let line = Listed {
            closes: time::date_time(p.entries_close_at, tz),
            phase: phase.label(),
            slug: p.slug,
            name: p.name,
            year: p.year,
        };
        if phase == Phase::Decided { archive.push(line) } else { current.push(line) }
    }
    render(&IndexPage { page: page.titled("The Smart Working Awards"), current, archive })
}

pub struct Timeline {
    pub label: &'static str,
    pub when: String,
    pub iso: String,
}

#[derive(Template)]
#[template(path = "awards/programme.html")]
struct ProgrammePage {
    page: Page,
    programme: Programme,
    phase: &'static str,
    open: bool,
    timeline: Vec<Timeline>,
    categories: Vec<CategoryView>,
    /// What is published: the shortlist, then the awards with their citations.
    shown: Vec<super::results::Shown>,
    announced: bool,
}

/// A programme's categories with their criteria.
pub(super) async fn categories(app: &App, programme: &Programme) -> AppResult<Vec<CategoryView>> {
    let mut out = Vec::new();
    for c in store::categories(&app.db, &programme.id).await? {
        out.push(CategoryView { criteria: store::criteria(&app.db, &c.id).await?, category: c });
    }
    Ok(out)
}

async fn programme(State(app): State<App>, page: Page, Path(slug): Path<String>) -> AppResult<impl IntoResponse> {
    let p = store::programme_by_slug(&app.db, &slug).await?.ok_or(AppError::NotFound)?;
    let tz = app.config.timezone;
    let at = |label, t| Timeline { label, when: time::date_time(t, tz), iso: time::machine(t) };
    let mut timeline = vec![
        at("Entries open", p.entries_open_at),
        at("Entries close", p.entries_close_at),
        at("Judging opens", p.judging_opens_at),
        at("Judging closes", p.judging_closes_at),
    ];
    if let Some(t) = p.shortlist_at {
        timeline.push(at("Shortlist published", t));
    }
    if let Some(t) = p.winners_at {
        timeline.push(at("Winners announced", t));
    }
    let phase = p.phase(Utc::now());
    render(&ProgrammePage {
        page: page.titled(&p.name),
        phase: phase.label(),
        open: phase == Phase::OpenForEntries,
        timeline,
        categories: categories(&app, &p).await?,
        shown: super::results::shown(&app, &p, Utc::now()).await?,
        announced: p.winners_published_at.is_some(),
        programme: p,
    })
}

#[derive(Template)]
#[template(path = "awards/category.html")]
struct CategoryPage {
    page: Page,
    programme: Programme,
    phase: &'static str,
    view: CategoryView,
    closes: String,
    /// Members may start an entry here now.
    open: bool,
}

async fn category(
    State(app): State<App>,
    page: Page,
    Path((slug, category)): Path<(String, String)>,
) -> AppResult<impl IntoResponse> {
    let p = store::programme_by_slug(&app.db, &slug).await?.ok_or(AppError::NotFound)?;
    let view =
        categories(&app, &p).await?.into_iter().find(|c| c.category.slug == category).ok_or(AppError::NotFound)?;
    render(&CategoryPage {
        page: page.titled(&format!("{} – {}", view.category.name, p.name)),
        phase: p.phase(Utc::now()).label(),
        closes: time::date_time(p.entries_close_at, app.config.timezone),
        open: p.phase(Utc::now()) == Phase::OpenForEntries && view.category.open_to() == super::model::OpenTo::Members,
        view,
        programme: p,
    })
}
