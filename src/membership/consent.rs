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
use crate::mail::links::LinkPurpose;
use crate::web::{AppError, AppResult, Form, Page, redirect_with_notice, render};
use crate::{execute, fetch_all};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/account/email", get(preferences).post(save))
        .route("/unsubscribe/{token}", get(unsubscribe_form).post(unsubscribe))
}

/// The categories a person chooses, with how they read.
pub const CATEGORIES: [(&str, &str); 4] = [
    ("newsletter", "The periodic news e-mail"),
    ("meeting_reminders", "Reminders of meetings I registered for"),
    ("forum_notifications", "Notifications from the forum, each time"),
    ("forum_digest", "A daily digest of forum notifications"),
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
    let choices = choices(&app.db, &id).await?;
    render(&PreferencesPage { page: page.titled("E-mail preferences").noindex(), choices })
}

#[derive(Deserialize)]
pub struct PreferencesForm {
    #[serde(default)]
    pub newsletter: Option<String>,
    #[serde(default)]
    meeting_reminders: Option<String>,
    #[serde(default)]
    forum_notifications: Option<String>,
    #[serde(default)]
    forum_digest: Option<String>,
}

async fn save(State(app): State<App>, viewer: Viewer, Form(form): Form<PreferencesForm>) -> AppResult<Response> {
    let id = me(&viewer)?;
    save_choices(&app.db, &id, &form.chosen(), "preferences").await?;
    Ok(redirect_with_notice("/account/email", "Your e-mail preferences are saved."))
}

impl PreferencesForm {
    pub fn chosen(&self) -> [(&'static str, bool); 4] {
        [
            ("newsletter", self.newsletter.is_some()),
            ("meeting_reminders", self.meeting_reminders.is_some()),
            ("forum_notifications", self.forum_notifications.is_some()),
            ("forum_digest", self.forum_digest.is_some()),
        ]
    }
}

/// Records a person's choices, in one transaction; only changes are recorded, so the history says when each
/// choice was made.
pub async fn save_choices(db: &Db, user_id: &str, chosen: &[(&str, bool)], source: &str) -> Result<(), sqlx::Error> {
    let history = history(db, user_id).await?;
    let mut tx = db.begin().await?;
    for (category, granted) in chosen {
        if current(&history, category) != *granted || !history.iter().any(|r| r.category == *category) {
            record(&mut tx, user_id, category, *granted, source).await?;
        }
    }
    tx.commit().await
}

/// The current choice in every category, with its label.
pub async fn choices(db: &Db, user_id: &str) -> Result<Vec<(&'static str, &'static str, bool)>, sqlx::Error> {
    let history = history(db, user_id).await?;
    Ok(CATEGORIES.iter().map(|(k, label)| (*k, *label, current(&history, k))).collect())
}

/// The current choice of one person for one category.
pub async fn consents_to(db: &Db, user_id: &str, category: &str) -> Result<bool, sqlx::Error> {
    Ok(current(&history(db, user_id).await?, category))
}

/// An unsubscribe link of an older e-mail, stored as a row (new e-mails carry signed links instead).
#[derive(sqlx::FromRow)]
struct LinkTarget {
    user_id: String,
    category: String,
}

async fn link_target(db: &Db, token: &str) -> Result<Option<LinkTarget>, sqlx::Error> {
    crate::fetch_optional!(
        db,
        LinkTarget,
        "SELECT user_id, category FROM unsubscribe_links WHERE token_hash = $1",
        crate::auth::tokens::hash(token)
    )
}

#[derive(Template)]
#[template(path = "membership/unsubscribe.html")]
struct UnsubscribePage {
    page: Page,
    label: &'static str,
    token: String,
}

fn label_of(category: &str) -> &'static str {
    CATEGORIES.iter().find(|(k, _)| *k == category).map(|(_, l)| *l).unwrap_or("these e-mails")
}

pub async fn unsubscribe_form(
    State(app): State<App>,
    page: Page,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> AppResult<impl IntoResponse> {
    if let Some((LinkPurpose::Unsubscribe(category), _)) = app.signing_key.verify(&token) {
        return render(&UnsubscribePage {
            page: page.titled("Unsubscribe").noindex(),
            label: label_of(&category),
            token,
        });
    }
    let target = link_target(&app.db, &token)
        .await?
        .ok_or_else(|| AppError::Gone("This unsubscribe link is not valid.".into()))?;
    render(&UnsubscribePage { page: page.titled("Unsubscribe").noindex(), label: label_of(&target.category), token })
}

pub async fn unsubscribe(
    State(app): State<App>,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> AppResult<Response> {
    // Links in e-mails are signed (address and category); older ones were stored rows.
    let (user_id, category, address) = match app.signing_key.verify(&token) {
        Some((LinkPurpose::Unsubscribe(category), address)) => {
            let user = crate::auth::store::user_by_email(&app.db, &address).await?;
            (user.map(|u| u.id), category, Some(address))
        }
        _ => {
            let target = link_target(&app.db, &token)
                .await?
                .ok_or_else(|| AppError::Gone("This unsubscribe link is not valid.".into()))?;
            (Some(target.user_id), target.category, None)
        }
    };
    if let Some(user_id) = user_id {
        let mut tx = app.db.begin().await?;
        record(&mut tx, &user_id, &category, false, "unsubscribe link").await?;
        tx.commit().await?;
    }
    if let Some(address) = address.filter(|_| category == "newsletter") {
        crate::mail::newsletters::store::unsubscribe_subscriber(&app.db, &address, Utc::now()).await?;
    }
    Ok(redirect_with_notice(
        &format!("/unsubscribe/{token}"),
        &format!(
            "Done: no more {} e-mails. You can change this in your e-mail preferences.",
            label_of(&category).to_lowercase()
        ),
    ))
}
