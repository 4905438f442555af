//! The guides' pages: public reading, a lead's working copy in a team space (their notes and ticks, theirs
//! alone), and organisers' editing of guides, checklists and the team agreement's prompts.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;

use super::{Guide, store};
use crate::App;
use crate::auth::Viewer;
use crate::auth::policy;
use crate::toolkit::agreements::{self, Section};
use crate::toolkit::routes::{Fields, invalid, lead, reach_space};
use crate::web::markdown::to_safe_html;
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, redirect_with_notice, render};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/toolkit/guides", get(index))
        .route("/toolkit/guides/{slug}", get(public))
        .route("/toolkit/teams/{id}/guides/{slug}", get(working).post(save_notes))
        .route("/admin/toolkit", get(admin).post(add_guide))
        .route("/admin/toolkit/sections/{key}", post(save_section))
        .route("/admin/toolkit/guides/{slug}", get(edit_guide).post(save_guide))
}

#[derive(Template)]
#[template(path = "toolkit/guides.html")]
struct IndexPage {
    page: Page,
    guides: Vec<Guide>,
}

async fn index(State(app): State<App>, page: Page) -> AppResult<impl IntoResponse> {
    render(&IndexPage {
        page: page.titled("Conversation guides and checklists"),
        guides: store::guides(&app.db).await?,
    })
}

#[derive(Template)]
#[template(path = "toolkit/guide.html")]
struct GuidePage {
    page: Page,
    guide: Guide,
    html: String,
    /// Each item with whether the lead ticked it (in a team space).
    items: Vec<(usize, String, bool)>,
    /// In a team space: its id and name, and the lead's notes.
    team: Option<(String, String)>,
    notes: String,
    errors: FieldErrors,
}

async fn public(State(app): State<App>, page: Page, Path(slug): Path<String>) -> AppResult<impl IntoResponse> {
    let guide = store::guide(&app.db, &slug).await?.ok_or(AppError::NotFound)?;
    render(&GuidePage {
        page: page.titled(&guide.title),
        html: to_safe_html(&guide.body),
        items: guide.items().into_iter().enumerate().map(|(i, t)| (i + 1, t, false)).collect(),
        guide,
        team: None,
        notes: String::new(),
        errors: FieldErrors::default(),
    })
}

/// A lead works through a guide for their team: the notes and ticks are theirs alone.
async fn working_page(
    app: &App,
    page: Page,
    viewer: &Viewer,
    id: &str,
    slug: &str,
    typed: Option<(String, Vec<usize>)>,
    errors: FieldErrors,
) -> AppResult<GuidePage> {
    let reached = reach_space(app, viewer, id).await?;
    lead(&reached)?;
    let me = viewer.user.as_ref().ok_or(AppError::Forbidden)?;
    let guide = store::guide(&app.db, slug).await?.ok_or(AppError::NotFound)?;
    let saved = store::notes(&app.db, id, &guide.id, &me.id).await?;
    let (notes, ticked) = typed.unwrap_or_else(|| (saved.body.clone(), saved.ticked()));
    Ok(GuidePage {
        page: page.titled(&format!("{} – {}", guide.title, reached.space.name)).noindex(),
        html: to_safe_html(&guide.body),
        items: guide.items().into_iter().enumerate().map(|(i, t)| (i + 1, t, ticked.contains(&(i + 1)))).collect(),
        guide,
        team: Some((reached.space.id.clone(), reached.space.name.clone())),
        notes,
        errors,
    })
}

async fn working(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, slug)): Path<(String, String)>,
) -> AppResult<impl IntoResponse> {
    render(&working_page(&app, page, &viewer, &id, &slug, None, FieldErrors::default()).await?)
}

async fn save_notes(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, slug)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach_space(&app, &viewer, &id).await?;
    lead(&reached)?;
    let me = viewer.user.as_ref().ok_or(AppError::Forbidden)?;
    let guide = store::guide(&app.db, &slug).await?.ok_or(AppError::NotFound)?;
    let fields = Fields(fields);
    let count = guide.items().len();
    let ticked: Vec<usize> =
        fields.all("ticked").iter().filter_map(|n| n.parse().ok()).filter(|n| (1..=count).contains(n)).collect();
    let mut errors = FieldErrors::default();
    let notes = errors.optional("notes", "Your notes", fields.get("notes"), 20_000);
    if !errors.is_empty() {
        let typed = Some((fields.get("notes").to_string(), ticked));
        return invalid(&working_page(&app, page, &viewer, &id, &slug, typed, errors).await?);
    }
    let ticked = ticked.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
    store::save_notes(&app.db, &id, &guide.id, &me.id, &notes, &ticked, Utc::now()).await?;
    Ok(redirect_with_notice(&format!("/toolkit/teams/{id}/guides/{slug}"), "Your notes are saved: only you see them."))
}

// Organisers

fn organiser(viewer: &Viewer) -> AppResult<()> {
    policy::require(viewer, policy::can_manage_site(viewer), "/admin/toolkit")
}

#[derive(Template)]
#[template(path = "admin/toolkit.html")]
struct AdminPage {
    page: Page,
    sections: Vec<Section>,
    guides: Vec<Guide>,
    editing: String,
    form: Fields,
    errors: FieldErrors,
}

async fn admin_page(app: &App, page: Page, editing: String, form: Fields, errors: FieldErrors) -> AppResult<AdminPage> {
    Ok(AdminPage {
        page: page.titled("The toolkit's guidance").noindex(),
        sections: agreements::store::sections(&app.db).await?,
        guides: store::guides(&app.db).await?,
        editing,
        form,
        errors,
    })
}

async fn admin(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    render(&admin_page(&app, page, String::new(), Fields(Vec::new()), FieldErrors::default()).await?)
}

async fn save_section(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(key): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    organiser(&viewer)?;
    if !agreements::service::is_section(&key) {
        return Err(AppError::NotFound);
    }
    let fields = Fields(fields);
    let mut errors = FieldErrors::default();
    let title = errors.required("title", "The section's title", fields.get("title"), 120);
    errors.one_line("title", "The section's title", &title);
    let prompt = errors.required("prompt", "The prompts", fields.get("prompt"), 8000);
    let example = errors.optional("example", "The example", fields.get("example"), 8000);
    if !errors.is_empty() {
        return invalid(&admin_page(&app, page, key, fields, errors).await?);
    }
    agreements::store::update_section(&app.db, &key, &title, &prompt, &example, Utc::now()).await?;
    Ok(redirect_with_notice(&format!("/admin/toolkit#section-{key}"), &format!("{title} is saved.")))
}

struct Checked {
    kind: &'static str,
    title: String,
    summary: String,
    body: String,
    items: String,
}

fn check_guide(errors: &mut FieldErrors, fields: &Fields) -> Checked {
    let kind = if fields.get("kind") == "checklist" { "checklist" } else { "guide" };
    let title = errors.required("title", "The title", fields.get("title"), 200);
    errors.one_line("title", "The title", &title);
    let summary = errors.optional("summary", "The summary", fields.get("summary"), 400);
    let body = errors.required("body", "The guide's text", fields.get("body"), 40_000);
    let items = errors.optional("items", "The items", fields.get("items"), 8000);
    if kind == "checklist" && items.trim().is_empty() && errors.get("items").is_none() {
        errors.add("items", "A checklist has items: one per line.");
    }
    Checked { kind, title, summary, body, items }
}

async fn add_guide(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    organiser(&viewer)?;
    let fields = Fields(fields);
    let mut errors = FieldErrors::default();
    let g = check_guide(&mut errors, &fields);
    let slug = crate::web::forms::slugify(&g.title);
    if errors.is_empty() && (slug.is_empty() || store::guide(&app.db, &slug).await?.is_some()) {
        errors.add("title", "A guide with this title exists already: choose another title.");
    }
    if !errors.is_empty() {
        return invalid(&admin_page(&app, page, "new".into(), fields, errors).await?);
    }
    let text = store::GuideText { kind: g.kind, title: &g.title, summary: &g.summary, body: &g.body, items: &g.items };
    store::insert(&app.db, &slug, &text, Utc::now()).await?;
    Ok(redirect_with_notice(
        "/admin/toolkit",
        &format!("{} is added: it is public at /toolkit/guides/{slug}.", g.title),
    ))
}

#[derive(Template)]
#[template(path = "admin/toolkit_guide.html")]
struct EditPage {
    page: Page,
    guide: Guide,
    form: Fields,
    errors: FieldErrors,
}

async fn edit_guide(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    let guide = store::guide(&app.db, &slug).await?.ok_or(AppError::NotFound)?;
    let form = Fields(vec![
        ("kind".into(), guide.kind.clone()),
        ("title".into(), guide.title.clone()),
        ("summary".into(), guide.summary.clone()),
        ("body".into(), guide.body.clone()),
        ("items".into(), guide.items.clone()),
    ]);
    render(&EditPage {
        page: page.titled(&format!("Edit: {}", guide.title)).noindex(),
        guide,
        form,
        errors: FieldErrors::default(),
    })
}

async fn save_guide(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(slug): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    organiser(&viewer)?;
    let guide = store::guide(&app.db, &slug).await?.ok_or(AppError::NotFound)?;
    let fields = Fields(fields);
    let mut errors = FieldErrors::default();
    let g = check_guide(&mut errors, &fields);
    if !errors.is_empty() {
        return invalid(&EditPage {
            page: page.titled(&format!("Edit: {}", guide.title)).noindex(),
            guide,
            form: fields,
            errors,
        });
    }
    let text = store::GuideText { kind: g.kind, title: &g.title, summary: &g.summary, body: &g.body, items: &g.items };
    store::update(&app.db, &slug, &text, Utc::now()).await?;
    Ok(redirect_with_notice(&format!("/admin/toolkit/guides/{slug}"), "The guide is saved."))
}
