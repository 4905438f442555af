//! The e-mail preference page every e-mail links to: it opens without signing in, through a link signed for
//! the recipient's address (see `links`). A member chooses each category of e-mail there (membership notices
//! cannot be switched off); a public subscriber chooses whether to keep the public newsletter.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;

use super::store as newsletters;
use crate::App;
use crate::mail::links::LinkPurpose;
use crate::membership::consent;
use crate::web::{AppError, AppResult, Form, Page, redirect_with_notice, render};

pub fn routes() -> Router<App> {
    Router::new().route("/email/{token}", get(show).post(save))
}

/// The address a preference link was signed for.
fn address_of(app: &App, token: &str) -> AppResult<String> {
    match app.signing_key.verify(token) {
        Some((LinkPurpose::Preferences, address)) => Ok(address),
        _ => Err(AppError::Gone("This preference link is not valid. Use the link in a recent e-mail from us.".into())),
    }
}

#[derive(Template)]
#[template(path = "mail/preferences.html")]
struct PreferencesPage {
    page: Page,
    token: String,
    address: String,
    member_choices: Option<Vec<(&'static str, &'static str, bool)>>,
    messages: &'static str,
    subscriber: Option<bool>,
}

async fn show(State(app): State<App>, page: Page, Path(token): Path<String>) -> AppResult<impl IntoResponse> {
    let address = address_of(&app, &token)?;
    let (member_choices, messages) = match crate::auth::user_by_email(&app.db, &address).await? {
        Some(user) => {
            let (boxes, messages) = consent::choices(&app.db, &user.id).await?;
            (Some(boxes), messages)
        }
        None => (None, ""),
    };
    let subscriber = newsletters::subscriber_by_email(&app.db, &address)
        .await?
        .filter(|s| s.confirmed_at.is_some())
        .map(|s| s.receives());
    render(&PreferencesPage {
        page: page.titled("E-mail preferences").noindex(),
        token,
        address,
        member_choices,
        messages,
        subscriber,
    })
}

async fn save(
    State(app): State<App>,
    Path(token): Path<String>,
    Form(form): Form<consent::PreferencesForm>,
) -> AppResult<Response> {
    let address = address_of(&app, &token)?;
    if let Some(user) = crate::auth::user_by_email(&app.db, &address).await? {
        crate::mail::consent::save_choices(&app.db, &user.id, &form.chosen(), "preference link").await?;
    }
    if form.newsletter.is_some() {
        newsletters::resubscribe(&app.db, &address).await?;
    } else {
        newsletters::unsubscribe_subscriber(&app.db, &address, Utc::now()).await?;
    }
    Ok(redirect_with_notice(&format!("/email/{token}"), "Your e-mail preferences are saved."))
}
