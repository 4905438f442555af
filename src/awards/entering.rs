//! Entering: a member starts an entry for their organisation in a category open for entries, saves it as
//! typed, submits it before the close (a receipt by e-mail), edits or withdraws it until then. The entrant sees
//! the entry and where it is, nothing about judging.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};

use super::admin::Fields;
use super::model::{Category, Entry, EntryStatus, OpenTo, Outcome, Phase, Programme};
use super::service::{self, EntryFields, MAX_OUTCOMES};
use super::store;
use crate::App;
use crate::auth::{Viewer, policy};
use crate::mail;
use crate::membership::Organisation;
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, invalid, redirect_with_notice, render, time};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/awards/{slug}/{category}/enter", get(new_entry).post(create))
        .route("/awards/entries", get(mine))
        .route("/awards/entries/{id}", get(show).post(act))
}

/// The viewer's organisation and the viewer, when they may enter for it (its current members in the members'
/// area).
pub async fn my_organisation(app: &App, viewer: &Viewer, path: &str) -> AppResult<(Organisation, crate::auth::User)> {
    let now = Utc::now();
    policy::require(viewer, policy::can_enter_members_area(viewer, now), path)?;
    let me = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let org = me.organisation_id.clone().ok_or(AppError::Forbidden)?;
    if !policy::can_enter_awards_for(viewer, &org, now) {
        return Err(AppError::Forbidden);
    }
    Ok((crate::membership::organisation(&app.db, &org).await?.ok_or(AppError::Forbidden)?, me))
}

impl Fields {
    pub(super) fn entry(&self) -> EntryFields {
        let get = |k: &str| self.get(k);
        EntryFields {
            title: get("title"),
            team: get("team"),
            context: get("context"),
            what_was_done: get("what_was_done"),
            benefits: get("benefits"),
            links: get("links"),
            outcomes: (1..=MAX_OUTCOMES)
                .map(|i| Outcome {
                    measure: get(&format!("measure_{i}")),
                    baseline: get(&format!("baseline_{i}")),
                    result: get(&format!("result_{i}")),
                    unit: get(&format!("unit_{i}")),
                })
                .collect(),
        }
    }
}

/// The entry form's rows: the typed outcomes and blanks up to `MAX_OUTCOMES`.
pub(super) fn outcome_rows(outcomes: &[Outcome]) -> Vec<(usize, Outcome)> {
    (1..=MAX_OUTCOMES).map(|i| (i, outcomes.get(i - 1).cloned().unwrap_or_default())).collect()
}

#[derive(Template)]
#[template(path = "awards/enter.html")]
struct EnterPage {
    page: Page,
    programme: Programme,
    category: Category,
    organisation: String,
    closes: String,
    form: EntryFields,
    rows: Vec<(usize, Outcome)>,
    errors: FieldErrors,
}

async fn reach_category(app: &App, slug: &str, category: &str) -> AppResult<(Programme, Category)> {
    let p = store::programme_by_slug(&app.db, slug).await?.ok_or(AppError::NotFound)?;
    let c =
        store::categories(&app.db, &p.id).await?.into_iter().find(|c| c.slug == category).ok_or(AppError::NotFound)?;
    Ok((p, c))
}

/// Entries are taken while the programme is open for them, in categories members enter.
pub fn taking_entries(p: &Programme, c: &Category, now: DateTime<Utc>, tz: chrono_tz::Tz) -> AppResult<()> {
    if c.open_to() != OpenTo::Members {
        return Err(AppError::Conflict("This category takes entries through its public form.".into()));
    }
    open_for_entries(p, now, tz)
}

/// Whether the programme takes entries now, or why not.
pub fn open_for_entries(p: &Programme, now: DateTime<Utc>, tz: chrono_tz::Tz) -> AppResult<()> {
    match p.phase(now) {
        Phase::OpenForEntries => Ok(()),
        Phase::Announced => {
            Err(AppError::Conflict(format!("Entries open on {}.", time::date_time(p.entries_open_at, tz))))
        }
        _ => Err(AppError::Conflict(closed(p))),
    }
}

pub(super) fn closed(p: &Programme) -> String {
    format!("Entries to {} closed at the published time; nothing can be entered or changed now.", p.name)
}

async fn new_entry(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((slug, category)): Path<(String, String)>,
) -> AppResult<Response> {
    let (p, c) = reach_category(&app, &slug, &category).await?;
    // A category open to anyone takes its entries through the public form, members' included.
    if c.open_to() == OpenTo::Anyone {
        open_for_entries(&p, Utc::now(), app.config.timezone)?;
        let form = EntryFields::default();
        let public = super::public_entry::form_page(&app, page, p, c, Default::default(), form, FieldErrors::default());
        return render(&public).map(IntoResponse::into_response);
    }
    let (org, _) = my_organisation(&app, &viewer, &format!("/awards/{slug}/{category}/enter")).await?;
    taking_entries(&p, &c, Utc::now(), app.config.timezone)?;
    render(&EnterPage {
        page: page.titled(&format!("Enter {}", c.name)).noindex(),
        closes: time::date_time(p.entries_close_at, app.config.timezone),
        programme: p,
        category: c,
        organisation: org.name,
        form: EntryFields::default(),
        rows: outcome_rows(&[]),
        errors: FieldErrors::default(),
    })
    .map(IntoResponse::into_response)
}

async fn create(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    crate::web::ClientIp(ip): crate::web::ClientIp,
    Path((slug, category)): Path<(String, String)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let (p, c) = reach_category(&app, &slug, &category).await?;
    if c.open_to() == OpenTo::Anyone {
        open_for_entries(&p, Utc::now(), app.config.timezone)?;
        return super::public_entry::create(&app, page, ip, p, c, &f).await;
    }
    let (org, me) = my_organisation(&app, &viewer, &format!("/awards/{slug}/{category}/enter")).await?;
    let now = Utc::now();
    taking_entries(&p, &c, now, app.config.timezone)?;
    let typed = f.entry();
    let submitting = f.get("action") == "submit";
    let mut errors = FieldErrors::default();
    let checked = service::check_entry(&mut errors, &typed, submitting);
    if !errors.is_empty() {
        let again = EnterPage {
            page: page.titled(&format!("Enter {}", c.name)).noindex(),
            closes: time::date_time(p.entries_close_at, app.config.timezone),
            programme: p,
            category: c,
            organisation: org.name,
            rows: outcome_rows(&typed.outcomes),
            form: typed,
            errors,
        };
        return invalid(&again);
    }
    let id = store::insert_entry(&app.db, &c.id, &org.id, &me.id, &checked, now).await?;
    if submitting {
        submit_checked(&app, &id, &me, &p).await?;
        return Ok(redirect_with_notice(&format!("/awards/entries/{id}"), SUBMITTED));
    }
    Ok(redirect_with_notice(&format!("/awards/entries/{id}"), "The draft is saved: submit it before the close."))
}

const SUBMITTED: &str =
    "The entry is submitted: a receipt is on its way by e-mail. You can change or withdraw it until the close.";

/// Submits an entry (a draft, or one returned) and queues its receipt, in one transaction that holds the
/// entry: what is checked for completeness is what is submitted, whatever a colleague saves at the same moment.
/// Gives the messages when it is not complete (nothing is submitted then).
pub async fn submit(app: &App, id: &str, by: &crate::auth::User, p: &Programme) -> AppResult<FieldErrors> {
    let now = Utc::now();
    if now >= p.entries_close_at {
        return Err(AppError::Conflict(closed(p)));
    }
    let mut tx = app.db.begin().await?;
    store::hold_entry(&mut tx, id).await?;
    let (entry, outcomes) = store::entry_held(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    service::check_entry(&mut errors, &saved(&entry, outcomes), true);
    if !errors.is_empty() {
        return Ok(errors);
    }
    if !store::mark_submitted(&mut tx, id, now).await? {
        return Err(AppError::Conflict("This entry is not a draft: it was submitted or withdrawn already.".into()));
    }
    let link = app.config.link(&format!("/awards/entries/{id}"));
    let tz = app.config.timezone;
    let message = mail::messages::notice(
        &app.config.title,
        &by.email,
        &by.name,
        &format!("Your entry to {} is submitted", p.name),
        &[
            format!(
                "\"{}\", for {}, was submitted on {}.",
                entry.title,
                entry.organisation_name,
                time::date_time(now, tz)
            ),
            format!(
                "You and your colleagues can change or withdraw it until entries close on {}.",
                time::date_time(p.entries_close_at, tz)
            ),
        ],
        Some(("See the entry", &link)),
    )?;
    mail::queue(app, &mut tx, mail::Kind::Transactional, &message).await?;
    tx.commit().await?;
    app.wake_mail();
    Ok(FieldErrors::default())
}

/// `submit` for the pages: a submission that a colleague's change made incomplete meanwhile is a 409.
async fn submit_checked(app: &App, id: &str, by: &crate::auth::User, p: &Programme) -> AppResult<()> {
    let errors = submit(app, id, by, p).await?;
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "The entry was saved, but a colleague changed it meanwhile and it is no longer complete: open it again."
                .into(),
        ))
    }
}

/// An entry as its entrant reaches it: the current members of its organisation; anyone else finds nothing.
pub async fn reach_entry(app: &App, viewer: &Viewer, id: &str) -> AppResult<(Entry, Category, Programme)> {
    let now = Utc::now();
    policy::require(viewer, policy::can_enter_members_area(viewer, now), &format!("/awards/entries/{id}"))?;
    let entry = store::entry(&app.db, id).await?.ok_or(AppError::NotFound)?;
    if !policy::can_enter_awards_for(viewer, &entry.organisation_id, now) {
        return Err(AppError::NotFound);
    }
    let c = store::category(&app.db, &entry.category_id).await?.ok_or(AppError::NotFound)?;
    let p = store::programme(&app.db, &c.programme_id).await?.ok_or(AppError::NotFound)?;
    Ok((entry, c, p))
}

#[derive(Template)]
#[template(path = "awards/entry.html")]
pub(super) struct EntryPage {
    page: Page,
    entry: Entry,
    status: &'static str,
    /// When it was submitted, while it is.
    submitted: String,
    saved: String,
    programme: Programme,
    category: Category,
    closes: String,
    open: bool,
    form: EntryFields,
    rows: Vec<(usize, Outcome)>,
    errors: FieldErrors,
    can_submit: bool,
    can_withdraw: bool,
    /// Supporting files and the evidence the organisation holds.
    supporting: super::supporting::Supporting,
    /// The upload form's label as typed, and its mistakes.
    file_label: String,
    upload_errors: FieldErrors,
    max_files: usize,
}

impl EntryPage {
    /// The page again with the upload form's mistakes beside it.
    pub(super) fn with_upload(mut self, label: String, errors: FieldErrors) -> EntryPage {
        self.file_label = label;
        self.upload_errors = errors;
        self
    }
}

/// The entrant's page of an entry: with what was typed (`typed`) and its mistakes, or as saved.
pub(super) async fn entry_view(
    app: &App,
    page: Page,
    viewer: &Viewer,
    id: &str,
    typed: Option<EntryFields>,
    errors: FieldErrors,
) -> AppResult<EntryPage> {
    let (entry, c, p) = reach_entry(app, viewer, id).await?;
    let form = match typed {
        Some(t) => t,
        None => saved(&entry, store::outcomes(&app.db, id).await?),
    };
    let person = viewer.user.as_ref().map(|u| u.id.as_str());
    let supporting = super::supporting::load(app, &entry, person).await?;
    Ok(entry_page(app, page, entry, c, p, form, errors, supporting))
}

/// An entry's fields as saved, for its form.
pub(super) fn saved(entry: &Entry, outcomes: Vec<Outcome>) -> EntryFields {
    EntryFields {
        title: entry.title.clone(),
        team: entry.team.clone(),
        context: entry.context.clone(),
        what_was_done: entry.what_was_done.clone(),
        benefits: entry.benefits.clone(),
        links: entry.links.clone(),
        outcomes,
    }
}

#[allow(clippy::too_many_arguments)]
fn entry_page(
    app: &App,
    page: Page,
    entry: Entry,
    c: Category,
    p: Programme,
    form: EntryFields,
    errors: FieldErrors,
    supporting: super::supporting::Supporting,
) -> EntryPage {
    let now = Utc::now();
    let status = entry.status();
    let open = now < p.entries_close_at && status != EntryStatus::Withdrawn;
    EntryPage {
        page: page.titled(&entry.title).noindex(),
        status: status.label(),
        submitted: entry
            .submitted_at
            .filter(|_| status == EntryStatus::Submitted)
            .map(|t| time::date_time(t, app.config.timezone))
            .unwrap_or_default(),
        closes: time::date_time(p.entries_close_at, app.config.timezone),
        saved: time::date_time(entry.updated_at, app.config.timezone),
        can_submit: open && matches!(status, EntryStatus::Draft | EntryStatus::Returned),
        can_withdraw: open && matches!(status, EntryStatus::Draft | EntryStatus::Submitted | EntryStatus::Returned),
        open,
        rows: outcome_rows(&form.outcomes),
        form,
        entry,
        programme: p,
        category: c,
        errors,
        supporting,
        file_label: String::new(),
        upload_errors: FieldErrors::default(),
        max_files: super::supporting::MAX_FILES,
    }
}

async fn show(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    render(&entry_view(&app, page, &viewer, &id, None, FieldErrors::default()).await?)
}

/// Saves, submits or withdraws an entry, until the close.
async fn act(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let (entry, _, p) = reach_entry(&app, &viewer, &id).await?;
    let me = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let now = Utc::now();
    if now >= p.entries_close_at {
        return Err(AppError::Conflict(closed(&p)));
    }
    let action = f.get("action");
    if action == "withdraw" {
        withdraw(&app, &id, &p).await?;
        return Ok(redirect_with_notice(&format!("/awards/entries/{id}"), "The entry is withdrawn."));
    }
    let typed = f.entry();
    // A submitted entry stays complete when changed; a draft is saved as typed.
    let entry_status = entry.status();
    let submitting = action == "submit" || entry_status == EntryStatus::Submitted;
    let mut errors = FieldErrors::default();
    let checked = service::check_entry(&mut errors, &typed, submitting);
    if !errors.is_empty() {
        return invalid(&entry_view(&app, page, &viewer, &id, Some(typed), errors).await?);
    }
    if !store::save_entry(&app.db, &id, &checked, entry_status, p.entries_close_at, now).await? {
        return Err(AppError::Conflict(
            "This entry changed meanwhile (a colleague submitted or withdrew it), or entries have closed: open it again."
                .into(),
        ));
    }
    if action == "submit" {
        submit_checked(&app, &id, &me, &p).await?;
        return Ok(redirect_with_notice(&format!("/awards/entries/{id}"), SUBMITTED));
    }
    Ok(redirect_with_notice(&format!("/awards/entries/{id}"), "Saved."))
}

/// Withdraws an entry, until the close.
pub async fn withdraw(app: &App, id: &str, p: &Programme) -> AppResult<()> {
    let now = Utc::now();
    if now >= p.entries_close_at {
        return Err(AppError::Conflict(closed(p)));
    }
    let from = [EntryStatus::Draft, EntryStatus::Submitted, EntryStatus::Returned];
    if !store::set_entry_status(&app.db, id, &from, EntryStatus::Withdrawn, now).await? {
        return Err(AppError::Conflict("This entry was withdrawn already.".into()));
    }
    Ok(())
}

pub struct Mine {
    pub id: String,
    pub title: String,
    pub category: String,
    pub programme: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "awards/entries.html")]
struct MinePage {
    page: Page,
    organisation: String,
    entries: Vec<Mine>,
}

/// The organisation's entries, with where each is.
async fn mine(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let (org, _) = my_organisation(&app, &viewer, "/awards/entries").await?;
    let mut entries = Vec::new();
    for e in store::entries_of(&app.db, &org.id).await? {
        let Some(c) = store::category(&app.db, &e.category_id).await? else { continue };
        let Some(p) = store::programme(&app.db, &c.programme_id).await? else { continue };
        entries.push(Mine {
            status: e.status().label(),
            id: e.id,
            title: e.title,
            category: c.name,
            programme: p.name,
        });
    }
    render(&MinePage {
        page: page.titled("Your organisation's award entries").noindex(),
        organisation: org.name,
        entries,
    })
}
