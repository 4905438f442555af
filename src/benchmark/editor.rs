//! Organisers edit the framework: a draft copied from the latest version, its dimensions renamed and its
//! questions reworded, added or removed (four to six a dimension), then published as the next version.
//! Assessments keep the version they were made on; the dimensions' keys stay, so tags and opt-ins carry over.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;

use super::framework::LEVELS;
use super::{Framework, store};
use crate::App;
use crate::auth::{Viewer, policy};
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, invalid, redirect_with_notice, render};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/admin/benchmark/framework", get(editor).post(start))
        .route("/admin/benchmark/framework/dimensions/{id}", post(dimension))
        .route("/admin/benchmark/framework/questions/{id}", post(question))
        .route("/admin/benchmark/framework/publish", post(publish))
        .route("/admin/benchmark/framework/discard", post(discard))
}

/// A dimension has this many questions, at least and at most.
pub const QUESTIONS: std::ops::RangeInclusive<usize> = 4..=6;

const PATH: &str = "/admin/benchmark/framework";

fn organiser(viewer: &Viewer) -> AppResult<()> {
    policy::require(viewer, policy::can_run_benchmark(viewer), PATH)
}

#[derive(Template)]
#[template(path = "benchmark/editor.html")]
struct EditorPage {
    page: Page,
    published: i64,
    draft: Option<Framework>,
    levels: [&'static str; 5],
    min: usize,
    max: usize,
    /// Where the form sent back belongs (a question's or dimension's id), with what was typed.
    failed: String,
    typed: QuestionForm,
    errors: FieldErrors,
}

async fn editor_page(
    app: &App,
    page: Page,
    failed: &str,
    typed: QuestionForm,
    errors: FieldErrors,
) -> AppResult<EditorPage> {
    let published = super::current(&app.db).await?.map_or(0, |f| f.version);
    let draft = match store::draft_framework(&app.db).await? {
        Some(d) => super::version(&app.db, &d.id).await?,
        None => None,
    };
    Ok(EditorPage {
        page: page.titled("The benchmark's framework: the next version").noindex(),
        published,
        draft,
        levels: LEVELS,
        min: *QUESTIONS.start(),
        max: *QUESTIONS.end(),
        failed: failed.into(),
        typed,
        errors,
    })
}

async fn editor(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    render(&editor_page(&app, page, "", QuestionForm::default(), FieldErrors::default()).await?)
}

/// Starts the draft of the next version (or opens the one already started).
async fn start(State(app): State<App>, viewer: Viewer) -> AppResult<Response> {
    organiser(&viewer)?;
    if store::start_draft(&app.db, Utc::now()).await?.is_none() {
        return Err(AppError::Conflict(
            "No version is published to start from, or the draft was published just now: look again.".into(),
        ));
    }
    Ok(redirect_with_notice(PATH, "A draft of the next version is open: published assessments are not affected."))
}

async fn draft(app: &App) -> AppResult<Framework> {
    let row = store::draft_framework(&app.db).await?.ok_or_else(|| AppError::Conflict(NO_DRAFT.into()))?;
    super::version(&app.db, &row.id).await?.ok_or(AppError::NotFound)
}

#[derive(Deserialize, Default)]
pub struct QuestionForm {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub level1: String,
    #[serde(default)]
    pub level2: String,
    #[serde(default)]
    pub level3: String,
    #[serde(default)]
    pub level4: String,
    #[serde(default)]
    pub level5: String,
}

impl QuestionForm {
    /// The text and the five levels as stored (JSON), checked.
    fn checked(&self, errors: &mut FieldErrors) -> (String, String) {
        let text = errors.required("text", "The question", &self.text, 500);
        let fields = ["level1", "level2", "level3", "level4", "level5"];
        let typed = [&self.level1, &self.level2, &self.level3, &self.level4, &self.level5];
        let levels: Vec<String> = fields
            .iter()
            .zip(typed)
            .enumerate()
            .map(|(i, (field, value))| errors.required(field, &format!("Level {} ({})", i + 1, LEVELS[i]), value, 400))
            .collect();
        (text, serde_json::to_string(&levels).unwrap_or_else(|_| "[]".into()))
    }

    pub fn level(&self, i: usize) -> &str {
        [&self.level1, &self.level2, &self.level3, &self.level4, &self.level5].get(i).map_or("", |s| s.as_str())
    }
}

/// Renames a dimension, or adds a question to it.
async fn dimension(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<QuestionForm>,
) -> AppResult<Response> {
    organiser(&viewer)?;
    let draft = draft(&app).await?;
    let d = draft.dimensions.iter().find(|d| d.id == id).ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    if f.action == "add" {
        if d.questions.len() >= *QUESTIONS.end() {
            errors.add("text", format!("A dimension has at most {} questions: remove one first.", QUESTIONS.end()));
        }
        let (text, levels) = f.checked(&mut errors);
        if !errors.is_empty() {
            return invalid(&editor_page(&app, page, &id, f, errors).await?);
        }
        edited(store::add_question(&app.db, &id, &text, &levels, *QUESTIONS.end()).await?)?;
        return Ok(redirect_with_notice(&format!("{PATH}#d-{id}"), "Question added to the draft."));
    }
    let name = errors.required("name", "The dimension's name", &f.name, 100);
    if !errors.is_empty() {
        return invalid(&editor_page(&app, page, &id, f, errors).await?);
    }
    edited(store::rename_dimension(&app.db, &id, &name).await?)?;
    Ok(redirect_with_notice(&format!("{PATH}#d-{id}"), "Dimension renamed in the draft."))
}

/// Rewords a question, or removes it.
async fn question(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<QuestionForm>,
) -> AppResult<Response> {
    organiser(&viewer)?;
    let draft = draft(&app).await?;
    let (d, _) = draft.question(&id).ok_or(AppError::NotFound)?;
    let anchor = format!("{PATH}#d-{}", d.id);
    if f.action == "remove" {
        edited(store::remove_question(&app.db, &d.id, &id, *QUESTIONS.start()).await?)?;
        return Ok(redirect_with_notice(&anchor, "Question removed from the draft."));
    }
    let mut errors = FieldErrors::default();
    let (text, levels) = f.checked(&mut errors);
    if !errors.is_empty() {
        return invalid(&editor_page(&app, page, &id, f, errors).await?);
    }
    edited(store::set_question(&app.db, &id, &text, &levels).await?)?;
    Ok(redirect_with_notice(&anchor, "Question saved in the draft."))
}

async fn publish(State(app): State<App>, viewer: Viewer) -> AppResult<Response> {
    organiser(&viewer)?;
    let version = match store::publish(&app.db, QUESTIONS, Utc::now()).await? {
        Ok(version) => version,
        Err(refused) => return edited(refused).map(|()| redirect_with_notice(PATH, "Nothing was published.")),
    };
    Ok(redirect_with_notice(
        "/admin/benchmark",
        &format!("Version {version} is published: new assessments use it, and peers are compared within each version."),
    ))
}

/// An edit that did not happen, as the organiser is told it (409: the draft is not as the page showed it).
fn edited(e: store::Edited) -> AppResult<()> {
    match e {
        store::Edited::Done => Ok(()),
        store::Edited::NoDraft => Err(AppError::Conflict(NO_DRAFT.into())),
        store::Edited::OutOfRange => Err(AppError::Conflict(format!(
            "A dimension has {} to {} questions: add one before removing another, or remove one before adding.",
            QUESTIONS.start(),
            QUESTIONS.end()
        ))),
    }
}

const NO_DRAFT: &str = "There is no draft: start one from the latest version.";

async fn discard(State(app): State<App>, viewer: Viewer) -> AppResult<Response> {
    organiser(&viewer)?;
    store::discard_draft(&app.db).await?;
    Ok(redirect_with_notice(PATH, "The draft was discarded."))
}
