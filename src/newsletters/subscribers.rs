//! Public subscribers: a visitor gives an address for the public edition of the newsletter and confirms it
//! through an e-mailed link (double opt-in); nothing goes to an address before it is confirmed. The answer is
//! the same whether or not the address is known, so the form tells nobody who subscribed.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use serde::Deserialize;

use super::store;
use crate::App;
use crate::auth::{throttle, tokens};
use crate::web::{AppError, AppResult, ClientIp, FieldErrors, Form, Page, redirect_with_notice, render};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/subscribe", get(form).post(subscribe))
        .route("/subscribe/confirm/{token}", get(confirm_form).post(confirm))
}

/// A confirmation is not sent again to the same address within this many minutes.
const RESEND_AFTER_MINUTES: i64 = 10;

#[derive(Deserialize, Default)]
struct SubscribeForm {
    #[serde(default)]
    email: String,
}

#[derive(Template)]
#[template(path = "mail/subscribe.html")]
struct SubscribePage {
    page: Page,
    email: String,
    errors: FieldErrors,
}

async fn form(page: Page) -> AppResult<impl IntoResponse> {
    render(&SubscribePage {
        page: page.titled("Subscribe to our news"),
        email: String::new(),
        errors: FieldErrors::default(),
    })
}

/// Subscriptions asked from one address in an hour before it must wait: enough for an office behind one address,
/// too few to flood strangers' inboxes with confirmation e-mails.
const PER_ADDRESS_PER_HOUR: usize = 20;

async fn subscribe(
    State(app): State<App>,
    page: Page,
    ClientIp(ip): ClientIp,
    Form(f): Form<SubscribeForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let email = errors.email("email", &f.email);
    if !errors.is_empty() {
        let page = SubscribePage { page: page.titled("Subscribe to our news"), email: f.email, errors };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let now = Utc::now();
    let window = chrono::Duration::hours(1);
    if let Some(retry_after_secs) = throttle::take(&app.db, "subscribe", ip, PER_ADDRESS_PER_HOUR, window, now).await? {
        return Err(AppError::TooManyRequests { retry_after_secs });
    }
    let existing = store::subscriber_by_email(&app.db, &email).await?;
    let recently_asked = existing.as_ref().is_some_and(|s| {
        s.confirmed_at.is_none()
            && s.confirm_sent_at.is_some_and(|at| now - at < chrono::Duration::minutes(RESEND_AFTER_MINUTES))
    });
    let already_in = existing.as_ref().is_some_and(|s| s.receives());
    if !recently_asked && !already_in {
        let token = tokens::random_token();
        let mut tx = app.db.begin().await?;
        store::request_subscription(&mut tx, &email, &tokens::hash(&token), now).await?;
        let link = app.config.link(&format!("/subscribe/confirm/{token}"));
        let message = crate::mail::messages::notice(
            &app.config.title,
            &email,
            "there",
            &format!("Confirm your subscription to the {}'s news", app.config.title),
            &[format!(
                "Someone, we hope you, asked for the {}'s public news at this address. \
                 Confirm with the button below; if it was not you, ignore this e-mail and you will hear nothing more.",
                app.config.title
            )],
            Some(("Confirm my subscription", &link)),
        )?;
        crate::mail::queue(&app, &mut tx, crate::mail::Kind::Transactional, &message).await?;
        tx.commit().await?;
        app.wake_mail();
    }
    Ok(redirect_with_notice(
        "/subscribe",
        "Thank you. If this address is new to us, a confirmation link is on its way: your subscription starts once you follow it.",
    ))
}

#[derive(Template)]
#[template(path = "mail/subscribe_confirm.html")]
struct ConfirmPage {
    page: Page,
    token: String,
}

async fn confirm_form(page: Page, Path(token): Path<String>) -> AppResult<impl IntoResponse> {
    // A GET only shows a button: mail scanners that follow links must not confirm anything.
    render(&ConfirmPage { page: page.titled("Confirm your subscription").noindex(), token })
}

async fn confirm(State(app): State<App>, Path(token): Path<String>) -> AppResult<Response> {
    let email = store::confirm_subscription(&app.db, &tokens::hash(&token), Utc::now())
        .await?
        .ok_or_else(|| AppError::Gone("This confirmation link has been used or is not valid.".into()))?;
    tracing::info!("a public subscription was confirmed");
    Ok(redirect_with_notice(
        &crate::mail::preferences_path(&app, &email),
        "Your subscription is confirmed: the next public newsletter will reach you.",
    ))
}
