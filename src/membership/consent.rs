//! Consent to each category of e-mail, kept as a history of choices (who chose what, when, where). Membership
//! notices (application, decisions, renewal) are part of membership and cannot be switched off; the rest can.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use serde::Deserialize;

use crate::App;
use crate::auth::{Viewer, policy};
use crate::db::Db;
use crate::mail::links::LinkPurpose;
use crate::web::{AppError, AppResult, Form, Page, redirect_with_notice, render};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/account/email", get(preferences).post(save))
        .route("/unsubscribe/{token}", get(unsubscribe_form).post(unsubscribe))
}

use crate::mail::consent::{self as choices_in_force, Category};
pub use crate::mail::consent::{ConsentRecord, history};

#[derive(Template)]
#[template(path = "membership/email_preferences.html")]
struct PreferencesPage {
    page: Page,
    choices: Vec<(&'static str, &'static str, bool)>,
    messages: &'static str,
}

fn me(viewer: &Viewer) -> AppResult<String> {
    policy::require(viewer, policy::can_manage_own_account(viewer), "/account/email")?;
    viewer.user.as_ref().map(|u| u.id.clone()).ok_or(AppError::SignInRequired("/account/email".into()))
}

async fn preferences(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let id = me(&viewer)?;
    let (choices, messages) = choices(&app.db, &id).await?;
    render(&PreferencesPage { page: page.titled("E-mail preferences").noindex(), choices, messages })
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
    /// `each`, `daily` or `never`; absent leaves the choice as it is.
    #[serde(default)]
    private_messages: Option<String>,
}

async fn save(State(app): State<App>, viewer: Viewer, Form(form): Form<PreferencesForm>) -> AppResult<Response> {
    let id = me(&viewer)?;
    choices_in_force::save_choices(&app.db, &id, &form.chosen(), "preferences").await?;
    Ok(redirect_with_notice("/account/email", "Your e-mail preferences are saved."))
}

impl PreferencesForm {
    pub fn chosen(&self) -> Vec<(Category, bool)> {
        let mut chosen = vec![
            (Category::Newsletter, self.newsletter.is_some()),
            (Category::MeetingReminders, self.meeting_reminders.is_some()),
            (Category::ForumNotifications, self.forum_notifications.is_some()),
            (Category::ForumDigest, self.forum_digest.is_some()),
        ];
        if let Some(how) = self.private_messages.as_deref().and_then(MessageChoice::parse) {
            chosen.push((Category::PrivateMessages, how == MessageChoice::EachTime));
            chosen.push((Category::PrivateMessagesDaily, how == MessageChoice::Daily));
        }
        chosen
    }
}

/// How a person hears of private messages by e-mail: one question on the preference pages, kept as the two
/// categories it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageChoice {
    EachTime,
    Daily,
    Never,
}

impl MessageChoice {
    pub const ALL: [MessageChoice; 3] = [MessageChoice::EachTime, MessageChoice::Daily, MessageChoice::Never];

    pub fn key(self) -> &'static str {
        match self {
            MessageChoice::EachTime => "each",
            MessageChoice::Daily => "daily",
            MessageChoice::Never => "never",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MessageChoice::EachTime => "Each time a message comes",
            MessageChoice::Daily => "Once a day, if any came",
            MessageChoice::Never => "Never (I read them on the site)",
        }
    }

    pub fn parse(key: &str) -> Option<MessageChoice> {
        MessageChoice::ALL.into_iter().find(|c| c.key() == key)
    }

    fn of(choices: &[(Category, bool)]) -> MessageChoice {
        let chose = |category| choices.iter().any(|(c, yes)| *c == category && *yes);
        if chose(Category::PrivateMessages) {
            MessageChoice::EachTime
        } else if chose(Category::PrivateMessagesDaily) {
            MessageChoice::Daily
        } else {
            MessageChoice::Never
        }
    }
}

/// The choice in force in every category, as the preference pages show it: the checkboxes (key, label,
/// chosen), and the key of the private messages choice.
pub async fn choices(
    db: &Db,
    user_id: &str,
) -> Result<(Vec<(&'static str, &'static str, bool)>, &'static str), sqlx::Error> {
    let all = choices_in_force::choices(db, user_id).await?;
    let boxes = all.iter().filter(|(c, _)| !c.is_message_choice()).map(|(c, yes)| (c.key(), c.label(), *yes)).collect();
    Ok((boxes, MessageChoice::of(&all).key()))
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
    Category::parse(category).map_or("these e-mails", Category::label)
}

pub async fn unsubscribe_form(
    State(app): State<App>,
    page: Page,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> AppResult<impl IntoResponse> {
    if let Some((LinkPurpose::Unsubscribe { category, .. }, _)) = app.signing_key.verify(&token) {
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
    let (user_id, category, address, issue) = match app.signing_key.verify(&token) {
        Some((LinkPurpose::Unsubscribe { category, issue }, address)) => {
            let user = crate::auth::user_by_email(&app.db, &address).await?;
            (user.map(|u| u.id), category, Some(address), issue)
        }
        _ => {
            let target = link_target(&app.db, &token)
                .await?
                .ok_or_else(|| AppError::Gone("This unsubscribe link is not valid.".into()))?;
            (Some(target.user_id), target.category, None, None)
        }
    };
    // Whether this click changed anything: a second click on the same link is not a second unsubscribe.
    let mut stopped = false;
    if let Some(user_id) = user_id
        && let Some(category) = Category::parse(&category)
    {
        stopped |= choices_in_force::chosen_by(&app.db, &user_id, category).await?;
        let mut tx = app.db.begin().await?;
        choices_in_force::record(&mut tx, &user_id, category, false, "unsubscribe link").await?;
        tx.commit().await?;
    }
    if let Some(address) = address.filter(|_| category == "newsletter") {
        stopped |= crate::newsletters::unsubscribe_subscriber(&app.db, &address, Utc::now()).await? > 0;
    }
    if stopped && let Some(issue) = issue {
        crate::newsletters::count_unsubscribe(&app.db, &issue, Utc::now()).await?;
    }
    Ok(redirect_with_notice(
        &format!("/unsubscribe/{token}"),
        &format!(
            "Done: no more {} e-mails. You can change this in your e-mail preferences.",
            label_of(&category).to_lowercase()
        ),
    ))
}
