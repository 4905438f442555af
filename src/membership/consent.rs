//! Consent to each category of e-mail, kept as a history of choices (who chose what, when, where). Membership
//! notices (application, decisions, renewal) are part of membership and cannot be switched off; the rest can.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::App;
use crate::auth::{Viewer, policy};
use crate::db::{Db, Tx, new_id};
use crate::web::{AppError, AppResult, Form, Page, redirect_with_notice, render};
use crate::{execute, fetch_all};

pub fn routes() -> Router<App> {
    Router::new().route("/account/email", get(preferences).post(save))
}

/// The categories a person chooses, with how they read.
pub const CATEGORIES: [(&str, &str); 3] = [
    ("newsletter", "The periodic news e-mail"),
    ("meeting_reminders", "Reminders of meetings I registered for"),
    ("forum_notifications", "Notifications from the forum"),
];

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ConsentRecord {
    pub category: String,
    pub granted: bool,
    pub source: String,
    pub recorded_at: DateTime<Utc>,
}

pub async fn record(
    tx: &mut Tx,
    user_id: &str,
    category: &str,
    granted: bool,
    source: &str,
) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "INSERT INTO email_consents (id, user_id, category, granted, source, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
        new_id(),
        user_id,
        category,
        granted,
        source,
        Utc::now()
    )?;
    Ok(())
}

/// Every choice a person made, oldest first.
pub async fn history(db: &Db, user_id: &str) -> Result<Vec<ConsentRecord>, sqlx::Error> {
    fetch_all!(
        db,
        ConsentRecord,
        "SELECT category, granted, source, recorded_at FROM email_consents WHERE user_id = $1 ORDER BY recorded_at, id",
        user_id
    )
}

/// The current choice for each category: the latest record, or no consent when there is none.
pub fn current(history: &[ConsentRecord], category: &str) -> bool {
    history.iter().rev().find(|r| r.category == category).is_some_and(|r| r.granted)
}

#[derive(Template)]
#[template(path = "membership/email_preferences.html")]
struct PreferencesPage {
    page: Page,
    choices: Vec<(&'static str, &'static str, bool)>,
}

fn me(viewer: &Viewer) -> AppResult<String> {
    policy::require(viewer, policy::can_manage_own_account(viewer), "/account/email")?;
    viewer.user.as_ref().map(|u| u.id.clone()).ok_or(AppError::SignInRequired("/account/email".into()))
}

async fn preferences(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let id = me(&viewer)?;
    let history = history(&app.db, &id).await?;
    let choices = CATEGORIES.iter().map(|(k, label)| (*k, *label, current(&history, k))).collect();
    render(&PreferencesPage { page: page.titled("E-mail preferences").noindex(), choices })
}

#[derive(Deserialize)]
struct PreferencesForm {
    #[serde(default)]
    newsletter: Option<String>,
    #[serde(default)]
    meeting_reminders: Option<String>,
    #[serde(default)]
    forum_notifications: Option<String>,
}

async fn save(State(app): State<App>, viewer: Viewer, Form(form): Form<PreferencesForm>) -> AppResult<Response> {
    let id = me(&viewer)?;
    let history = history(&app.db, &id).await?;
    let chosen = [
        ("newsletter", form.newsletter.is_some()),
        ("meeting_reminders", form.meeting_reminders.is_some()),
        ("forum_notifications", form.forum_notifications.is_some()),
    ];
    let mut tx = app.db.begin().await?;
    for (category, granted) in chosen {
        // Only changes are recorded, so the history says when each choice was made.
        if current(&history, category) != granted || !history.iter().any(|r| r.category == category) {
            record(&mut tx, &id, category, granted, "preferences").await?;
        }
    }
    tx.commit().await?;
    Ok(redirect_with_notice("/account/email", "Your e-mail preferences are saved."))
}
