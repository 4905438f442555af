//! Moderators keep the forum in order: a queue of flagged posts; hide and restore posts and topics; lock,
//! pin and move topics; stop a member from posting. Every action goes in the log with who, when and why.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::model::{Flag, LogEntry};
use super::store::{self, TopicFlag};
use crate::App;
use crate::auth::{Viewer, policy};
use crate::feature::Waiting;
use crate::web::{AppError, AppResult, Form, Page, redirect_with_notice, render, time};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/forum/moderation", get(queue))
        .route("/forum/moderation/log", get(log))
        .route("/forum/moderation/posts/{id}", post(act_on_post))
        .route("/forum/moderation/topics/{id}", post(act_on_topic))
        .route("/forum/moderation/users/{id}", post(act_on_user))
}

fn moderator(viewer: &Viewer) -> AppResult<String> {
    policy::require(viewer, policy::can_moderate(viewer), "/forum/moderation")?;
    viewer.user.as_ref().map(|u| u.id.clone()).ok_or(AppError::Forbidden)
}

#[derive(Template)]
#[template(path = "forum/moderation.html")]
struct QueuePage {
    page: Page,
    flags: Vec<Flag>,
}

async fn queue(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    moderator(&viewer)?;
    render(&QueuePage { page: page.titled("Moderation").noindex(), flags: store::open_flags(&app.db).await? })
}

#[derive(Template)]
#[template(path = "forum/log.html")]
struct LogPage {
    page: Page,
    entries: Vec<(LogEntry, String)>,
}

async fn log(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    moderator(&viewer)?;
    let entries = store::log_entries(&app.db)
        .await?
        .into_iter()
        .map(|e| {
            let when = time::date_time(e.created_at, app.config.timezone);
            (e, when)
        })
        .collect();
    render(&LogPage { page: page.titled("Moderation log").noindex(), entries })
}

#[derive(Deserialize)]
struct Action {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    category: String,
}

fn reason(form: &Action) -> AppResult<String> {
    let reason: String = form.reason.trim().chars().take(1000).collect();
    if reason.is_empty() {
        return Err(AppError::BadRequest("Give the reason: it goes in the moderation log.".into()));
    }
    Ok(reason)
}

async fn act_on_post(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<Action>,
) -> AppResult<Response> {
    let me = moderator(&viewer)?;
    let post = store::post(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let why = reason(&form)?;
    let hidden = match form.action.as_str() {
        "hide" => true,
        "restore" => false,
        _ => return Err(AppError::BadRequest("Choose hide or restore.".into())),
    };
    let mut tx = app.db.begin().await?;
    store::set_post_hidden(&mut tx, &post.id, hidden).await?;
    store::resolve_flags(&mut tx, &post.id).await?;
    store::log(
        &mut tx,
        &me,
        if hidden { "hide post" } else { "restore post" },
        &format!("post {} in topic {}", post.id, post.topic_id),
        &why,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(&format!("/forum/t/{}", post.topic_id), "Done, and logged."))
}

async fn act_on_topic(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<Action>,
) -> AppResult<Response> {
    let me = moderator(&viewer)?;
    let topic = store::topic(&app.db, &me, &id).await?.ok_or(AppError::NotFound)?;
    let why = reason(&form)?;
    let mut tx = app.db.begin().await?;
    let action = match form.action.as_str() {
        "lock" | "unlock" => {
            store::set_topic_flag(&mut tx, &topic.id, TopicFlag::Locked, form.action == "lock").await?;
            form.action.clone()
        }
        "pin" | "unpin" => {
            store::set_topic_flag(&mut tx, &topic.id, TopicFlag::Pinned, form.action == "pin").await?;
            form.action.clone()
        }
        "hide" | "restore" => {
            store::set_topic_flag(&mut tx, &topic.id, TopicFlag::Hidden, form.action == "hide").await?;
            format!("{} topic", form.action)
        }
        "move" => {
            let to = store::category_by_slug(&app.db, &form.category)
                .await?
                .ok_or_else(|| AppError::BadRequest("Choose a category to move the topic to.".into()))?;
            store::move_topic(&mut tx, &topic.id, &to.id).await?;
            format!("move to {}", to.name)
        }
        _ => return Err(AppError::BadRequest("Choose an action.".into())),
    };
    store::log(&mut tx, &me, &action, &format!("topic “{}”", topic.title), &why).await?;
    tx.commit().await?;
    Ok(redirect_with_notice(&format!("/forum/t/{}", topic.id), "Done, and logged."))
}

async fn act_on_user(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<Action>,
) -> AppResult<Response> {
    let me = moderator(&viewer)?;
    let user = crate::auth::user_by_id(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let why = reason(&form)?;
    let suspend = match form.action.as_str() {
        "suspend" => true,
        "restore" => false,
        _ => return Err(AppError::BadRequest("Choose suspend or restore.".into())),
    };
    let mut tx = app.db.begin().await?;
    store::set_posting_suspended(&mut tx, &user.id, suspend).await?;
    store::log(
        &mut tx,
        &me,
        if suspend { "suspend posting" } else { "restore posting" },
        &format!("member {}", user.name),
        &why,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice("/forum/moderation/log", "Done, and logged."))
}

/// Flagged posts waiting for a moderator, for the organisers' overview.
pub(super) async fn waiting(app: &App) -> AppResult<Vec<Waiting>> {
    let (count, first) = store::flagged_posts(&app.db, 5).await?;
    Ok(vec![Waiting {
        title: "Flagged posts",
        count,
        summary: if count == 0 { "No post waits for a moderator.".into() } else { "Waiting for a moderator.".into() },
        details: first.into_iter().map(|(topic, reason)| format!("In “{topic}”: {reason}")).collect(),
        path: "/forum/moderation".into(),
        decision: true,
    }])
}
