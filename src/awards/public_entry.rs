//! Entering a category open to anyone, through its public form: the entrant gives their name, address and
//! organisation with the whole entry; a link by e-mail (rate-limited, as every form that e-mails a typed
//! address) confirms the address, and only then is the entry submitted, with its receipt. An entry whose
//! address is not confirmed before entries close is a draft no judge sees, and goes (with what its entrant
//! typed) within the hour after the close (the awards' job).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;

use super::admin::Fields;
use super::model::{Category, Outcome, Programme};
use super::service::{self, EntryFields, PublicEntrant};
use super::store;
use crate::App;
use crate::auth::tokens;
use crate::mail::{self, messages};
use crate::web::{AppError, AppResult, FieldErrors, Page, invalid, redirect_with_notice, render, time};

pub fn routes() -> Router<App> {
    Router::new().route("/awards/confirm/{token}", get(confirm_form).post(confirm))
}

#[derive(Template)]
#[template(path = "awards/enter_public.html")]
pub struct PublicPage {
    page: Page,
    programme: Programme,
    category: Category,
    closes: String,
    entrant: PublicEntrant,
    form: EntryFields,
    rows: Vec<(usize, Outcome)>,
    errors: FieldErrors,
}

pub fn form_page(
    app: &App,
    page: Page,
    programme: Programme,
    category: Category,
    entrant: PublicEntrant,
    form: EntryFields,
    errors: FieldErrors,
) -> PublicPage {
    PublicPage {
        page: page.titled(&format!("Enter {}", category.name)),
        closes: time::date_time(programme.entries_close_at, app.config.timezone),
        rows: super::entering::outcome_rows(&form.outcomes),
        programme,
        category,
        entrant,
        form,
        errors,
    }
}

/// Takes an entry through the public form: the whole entry is checked as a submission is, then the entrant's
/// address is asked to confirm it.
pub async fn create(
    app: &App,
    page: Page,
    ip: std::net::IpAddr,
    programme: Programme,
    category: Category,
    f: &Fields,
) -> AppResult<Response> {
    let typed = PublicEntrant {
        name: f.get("entrant_name"),
        email: f.get("entrant_email"),
        organisation: f.get("entrant_organisation"),
    };
    let entry = f.entry();
    let mut errors = FieldErrors::default();
    let entrant = service::check_public_entrant(&mut errors, &typed);
    let checked = service::check_entry(&mut errors, &entry, true);
    if !errors.is_empty() {
        return invalid(&form_page(app, page, programme, category, typed, entry, errors));
    }
    let now = Utc::now();
    if let Some(retry_after_secs) =
        crate::auth::throttle::mail_to_typed_address(&app.db, "award-entry", ip, &entrant.email, now).await?
    {
        return Err(AppError::TooManyRequests { retry_after_secs });
    }
    let token = tokens::random_token();
    let link = app.config.link(&format!("/awards/confirm/{token}"));
    let tz = app.config.timezone;
    let message = messages::notice(
        &app.config.title,
        &entrant.email,
        &entrant.name,
        &format!("Confirm your entry to {}", programme.name),
        &[
            format!(
                "Thank you for entering \"{}\" in {}, {}. Confirm your address to submit it.",
                checked.title, programme.name, category.name
            ),
            format!(
                "The link works until entries close on {}. If you did not enter, you can ignore this e-mail.",
                time::date_time(programme.entries_close_at, tz)
            ),
        ],
        Some(("Confirm the entry", &link)),
    )?;
    let mut tx = app.db.begin().await?;
    let id = store::insert_public_entry(&mut tx, &category.id, &entrant, &checked, &tokens::hash(&token), now).await?;
    mail::queue(app, &mut tx, mail::Kind::Transactional, &message).await?;
    tx.commit().await?;
    app.wake_mail();
    tracing::info!(entry = %id, "an entry through the public form waits for its address to be confirmed");
    Ok(redirect_with_notice(
        &format!("/awards/{}/{}", programme.slug, category.slug),
        &format!("Nearly there: confirm your entry with the link we have e-mailed to {}.", entrant.email),
    ))
}

async fn working(app: &App, token: &str) -> AppResult<(store::PublicEntrantRow, super::model::Entry, Programme)> {
    let gone = || AppError::Gone("This confirmation link is not valid, or was already used.".into());
    let entrant = store::public_entrant_by_hash(&app.db, &tokens::hash(token))
        .await?
        .filter(|e| e.confirmed_at.is_none())
        .ok_or_else(gone)?;
    let entry = store::entry(&app.db, &entrant.entry_id).await?.ok_or_else(gone)?;
    let category = store::category(&app.db, &entry.category_id).await?.ok_or_else(gone)?;
    let programme = store::programme(&app.db, &category.programme_id).await?.ok_or_else(gone)?;
    // The programme's close as it is now (organisers may move it), not as it was when the link was sent.
    if Utc::now() >= programme.entries_close_at {
        return Err(AppError::Gone(super::entering::closed(&programme)));
    }
    Ok((entrant, entry, programme))
}

#[derive(Template)]
#[template(path = "meetings/link_action.html")]
struct LinkAction {
    page: Page,
    heading: String,
    text: String,
    action: String,
    button: &'static str,
}

async fn confirm_form(State(app): State<App>, page: Page, Path(token): Path<String>) -> AppResult<impl IntoResponse> {
    let (_, entry, programme) = working(&app, &token).await?;
    render(&LinkAction {
        page: page.titled("Confirm your entry").noindex(),
        heading: "Confirm your entry".into(),
        text: format!("\"{}\", for {}, in {}.", entry.title, entry.organisation_name, programme.name),
        action: format!("/awards/confirm/{token}"),
        button: "Confirm and submit the entry",
    })
}

/// Confirms the address and submits the entry, with its receipt, in one transaction: two clicks submit once.
async fn confirm(State(app): State<App>, Path(token): Path<String>) -> AppResult<Response> {
    let (entrant, entry, programme) = working(&app, &token).await?;
    let now = Utc::now();
    let tz = app.config.timezone;
    let message = messages::notice(
        &app.config.title,
        &entrant.email,
        &entrant.name,
        &format!("Your entry to {} is submitted", programme.name),
        &[
            format!(
                "\"{}\", for {}, was submitted on {}.",
                entry.title,
                entry.organisation_name,
                time::date_time(now, tz)
            ),
            "The organisers will write to you at this address about the shortlist and the winners. To change or \
             withdraw the entry before entries close, write to the network's organisers."
                .to_string(),
        ],
        None,
    )?;
    let mut tx = app.db.begin().await?;
    if !store::confirm_public_entrant(&mut tx, &entry.id, now).await?
        || !store::mark_submitted(&mut tx, &entry.id, now).await?
    {
        return Err(AppError::Gone("This confirmation link is not valid, or was already used.".into()));
    }
    mail::queue(&app, &mut tx, mail::Kind::Transactional, &message).await?;
    tx.commit().await?;
    app.wake_mail();
    let category = store::category(&app.db, &entry.category_id).await?.ok_or(AppError::NotFound)?;
    Ok(redirect_with_notice(
        &format!("/awards/{}/{}", programme.slug, category.slug),
        "Your entry is submitted: a receipt is on its way by e-mail.",
    ))
}
