//! The organisers' newsletter pages (compose, choose audiences, arrange the items, preview as any recipient,
//! test send, schedule or send, follow the progress, retry failures) and the archive readers see.

use std::collections::HashSet;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;

use super::{Audience, Block, Newsletter, Reader, store};
use crate::App;
use crate::auth::{User, Viewer, policy};
use crate::mail::outbox::{self, OutboxMessage, Progress};
use crate::mail::suppression::{self, Suppression};
use crate::membership::groups::{self, Group};
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, redirect_with_notice, render, time};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/admin/newsletters", get(list).post(create))
        .route("/admin/newsletters/{id}", get(edit).post(update))
        .route("/admin/newsletters/{id}/blocks", post(arrange))
        .route("/admin/newsletters/{id}/test", post(test_send))
        .route("/admin/newsletters/{id}/schedule", post(schedule))
        .route("/admin/newsletters/{id}/send", post(send))
        .route("/admin/newsletters/{id}/progress", get(progress))
        .route("/admin/newsletters/{id}/email", get(email_preview))
        .route("/admin/newsletters/{id}/retry", post(retry_failed))
        .route("/admin/mail/suppressions/lift", post(lift_suppression))
        .route("/newsletters", get(archive))
        .route("/newsletters/{id}", get(read))
}

pub(super) fn organiser(viewer: &Viewer, path: &str) -> AppResult<User> {
    policy::require(viewer, policy::can_send_newsletters(viewer), path)?;
    viewer.user.clone().ok_or(AppError::Forbidden)
}

pub(super) async fn issue(app: &App, id: &str) -> AppResult<Newsletter> {
    store::newsletter(&app.db, id).await?.ok_or(AppError::NotFound)
}

/// What an organiser may choose as audiences, with what is chosen.
struct AudienceChoice {
    value: String,
    label: String,
    chosen: bool,
}

async fn audience_choices(app: &App, chosen: &[Audience]) -> AppResult<Vec<AudienceChoice>> {
    let mut options = vec![
        (Audience::Members, "All members".to_string()),
        (Audience::Subscribers, "Public subscribers (public items only)".to_string()),
    ];
    for g in groups::all_groups(&app.db).await? {
        options.push((Audience::Group(g.id.clone()), format!("Group: {}", g.name)));
    }
    for r in crate::membership::regions(&app.db).await? {
        options.push((Audience::Region(r.clone()), format!("Region: {r}")));
    }
    Ok(options
        .into_iter()
        .map(|(a, label)| AudienceChoice { chosen: chosen.contains(&a), value: a.form_value(), label })
        .collect())
}

/// Reads the chosen audiences of a form, keeping only groups and regions that exist.
async fn chosen_audiences(
    app: &App,
    fields: &[(String, String)],
    errors: &mut FieldErrors,
) -> AppResult<Vec<Audience>> {
    let groups: HashSet<String> = groups::all_groups(&app.db).await?.into_iter().map(|g: Group| g.id).collect();
    let regions: HashSet<String> = crate::membership::regions(&app.db).await?.into_iter().collect();
    let mut chosen = Vec::new();
    for (_, value) in fields.iter().filter(|(k, _)| k == "audience") {
        match Audience::from_form_value(value) {
            Some(Audience::Group(g)) if !groups.contains(&g) => {}
            Some(Audience::Region(r)) if !regions.contains(&r) => {}
            Some(a) if !chosen.contains(&a) => chosen.push(a),
            _ => {}
        }
    }
    if chosen.is_empty() {
        errors.add("audience", "Choose at least one audience: all members, a group, a region or public subscribers.");
    }
    Ok(chosen)
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

#[derive(Template)]
#[template(path = "mail/newsletters.html")]
struct ListPage {
    page: Page,
    issues: Vec<(Newsletter, String)>,
    subject: String,
    intro: String,
    audiences: Vec<AudienceChoice>,
    errors: FieldErrors,
    suppressions: Vec<Suppression>,
    suppress_after: i64,
}

async fn list_page(
    app: &App,
    page: Page,
    subject: String,
    intro: String,
    chosen: &[Audience],
    errors: FieldErrors,
) -> AppResult<ListPage> {
    let issues = store::all(&app.db)
        .await?
        .into_iter()
        .map(|n| {
            let d = time::date(n.created_at, app.config.timezone);
            (n, d)
        })
        .collect();
    Ok(ListPage {
        page: page.titled("Newsletters").noindex(),
        issues,
        subject,
        intro,
        audiences: audience_choices(app, chosen).await?,
        errors,
        suppressions: suppression::all(&app.db).await?,
        suppress_after: suppression::SUPPRESS_AFTER,
    })
}

async fn list(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer, "/admin/newsletters")?;
    render(&list_page(&app, page, String::new(), String::new(), &[Audience::Members], FieldErrors::default()).await?)
}

async fn create(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let me = organiser(&viewer, "/admin/newsletters")?;
    let mut errors = FieldErrors::default();
    let subject = errors.required("subject", "The subject", field(&fields, "subject"), 200);
    let intro = errors.required("intro", "The introduction", field(&fields, "intro"), 20_000);
    super::images::check_intro(&intro, &mut errors);
    let audiences = chosen_audiences(&app, &fields, &mut errors).await?;
    if !errors.is_empty() {
        let (s, i) = (field(&fields, "subject").to_string(), field(&fields, "intro").to_string());
        let page = list_page(&app, page, s, i, &audiences, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let now = Utc::now();
    let blocks = super::gather(&app, now).await?;
    let draft = super::Draft {
        subject: &subject,
        intro_md: &intro,
        audiences: &audiences,
        blocks: &blocks,
        author_id: Some(&me.id),
    };
    let id = store::create(&app.db, &draft, now).await?;
    Ok(redirect_with_notice(
        &format!("/admin/newsletters/{id}"),
        "The draft is ready: arrange its items, preview it, and send it or set a time.",
    ))
}

#[derive(Deserialize, Default)]
struct EditQuery {
    #[serde(default)]
    preview: String,
}

#[derive(Template)]
#[template(path = "mail/newsletter_edit.html")]
struct EditPage {
    page: Page,
    newsletter: Newsletter,
    audiences: Vec<AudienceChoice>,
    errors: FieldErrors,
    blocks: Vec<Block>,
    preview_email: String,
    preview: Option<Vec<Block>>,
    progress: Progress,
    in_progress: bool,
    failures: Vec<OutboxMessage>,
    scheduled_for: String,
    schedule_value: String,
    sent_on: String,
    /// Who a draft would go to now (after consent and suppression): members and public subscribers.
    would_reach: Option<(usize, usize)>,
}

impl EditPage {
    /// The chosen audiences as a list in a sentence: "All members; Public subscribers".
    fn audience_list(&self) -> String {
        self.audiences.iter().filter(|a| a.chosen).map(|a| a.label.as_str()).collect::<Vec<_>>().join("; ")
    }
}

/// A reader to preview as: a member by address, a confirmed subscriber, or "subscriber" for any of them.
async fn preview_reader(app: &App, who: &str) -> AppResult<Reader> {
    let who = who.trim().to_lowercase();
    if who == "subscriber" {
        return Ok(Reader::subscriber("subscriber@example.org"));
    }
    if let Some(user) = crate::auth::user_by_email(&app.db, &who).await? {
        return Ok(Reader::member(User::from(user)));
    }
    match store::subscriber_by_email(&app.db, &who).await? {
        Some(s) => Ok(Reader::subscriber(&s.email)),
        None => Err(AppError::BadRequest(
            "There is no member or subscriber with that e-mail address. Give a member's address, or \"subscriber\"."
                .into(),
        )),
    }
}

async fn edit_page(
    app: &App,
    page: Page,
    newsletter: Newsletter,
    errors: FieldErrors,
    preview_email: String,
) -> AppResult<EditPage> {
    let blocks = store::blocks(&app.db, &newsletter.id).await?;
    let preview = if preview_email.trim().is_empty() {
        None
    } else {
        let reader = preview_reader(app, &preview_email).await?;
        Some(super::visible_blocks(app, &reader, &blocks).await?)
    };
    let progress = outbox::progress(&app.db, &newsletter.batch()).await?;
    let in_progress = newsletter.status == "sending" || progress.waiting > 0;
    let tz = app.config.timezone;
    let would_reach = if newsletter.editable() {
        let readers = super::sending::readers(app, &newsletter).await?;
        let members = readers.iter().filter(|r| r.viewer.user.is_some()).count();
        Some((members, readers.len() - members))
    } else {
        None
    };
    Ok(EditPage {
        would_reach,
        page: page.titled(&newsletter.subject).noindex(),
        audiences: audience_choices(app, &store::audiences(&app.db, &newsletter.id).await?).await?,
        errors,
        blocks,
        preview_email,
        preview,
        progress,
        in_progress,
        failures: outbox::failures(&app.db, &newsletter.batch(), 100).await?,
        scheduled_for: newsletter.scheduled_at.map(|t| time::date_time(t, tz)).unwrap_or_default(),
        schedule_value: newsletter.scheduled_at.map(|t| time::input_value(t, tz)).unwrap_or_default(),
        sent_on: newsletter.sent_at.map(|t| time::date_time(t, tz)).unwrap_or_default(),
        newsletter,
    })
}

/// The issue's page again, with the form's mistakes beside their fields.
pub(super) async fn mistakes(
    app: &App,
    page: Page,
    newsletter: Newsletter,
    errors: FieldErrors,
) -> AppResult<Response> {
    let page = edit_page(app, page, newsletter, errors, String::new()).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

async fn edit(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<EditQuery>,
) -> AppResult<impl IntoResponse> {
    organiser(&viewer, "/admin/newsletters")?;
    let newsletter = issue(&app, &id).await?;
    render(&edit_page(&app, page, newsletter, FieldErrors::default(), q.preview).await?)
}

async fn update(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    organiser(&viewer, "/admin/newsletters")?;
    let newsletter = issue(&app, &id).await?;
    let mut errors = FieldErrors::default();
    let subject = errors.required("subject", "The subject", field(&fields, "subject"), 200);
    let intro = errors.required("intro", "The introduction", field(&fields, "intro"), 20_000);
    super::images::check_intro(&intro, &mut errors);
    let audiences = chosen_audiences(&app, &fields, &mut errors).await?;
    if !errors.is_empty() {
        return mistakes(&app, page, newsletter, errors).await;
    }
    let html = crate::web::markdown::to_safe_html(&intro);
    if !store::update_draft(&app.db, &id, &subject, &intro, &html, &audiences).await? {
        return Err(AppError::Conflict("This issue has gone out: it can no longer be changed.".into()));
    }
    Ok(redirect_with_notice(&format!("/admin/newsletters/{id}"), "The issue is saved."))
}

/// Saves which items are in and their order; a "move" button moves one item up or down first.
async fn arrange(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    organiser(&viewer, "/admin/newsletters")?;
    let newsletter = issue(&app, &id).await?;
    if !newsletter.editable() {
        return Err(AppError::Conflict("This issue has gone out: its items can no longer be changed.".into()));
    }
    let included: HashSet<&str> = fields.iter().filter(|(k, _)| k == "include").map(|(_, v)| v.as_str()).collect();
    let mut order: Vec<(String, bool)> = store::blocks(&app.db, &id)
        .await?
        .into_iter()
        .map(|b| {
            let on = included.contains(b.id.as_str());
            (b.id, on)
        })
        .collect();
    if let Some((direction, block)) = field(&fields, "move").split_once(':')
        && let Some(at) = order.iter().position(|(b, _)| b == block)
    {
        match direction {
            "up" if at > 0 => order.swap(at, at - 1),
            "down" if at + 1 < order.len() => order.swap(at, at + 1),
            _ => {}
        }
    }
    store::arrange_blocks(&app.db, &id, &order).await?;
    Ok(redirect_with_notice(&format!("/admin/newsletters/{id}#items"), "The items are saved."))
}

/// Sends the issue, as the organiser would get it, to the organiser alone.
async fn test_send(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    let me = organiser(&viewer, "/admin/newsletters")?;
    let newsletter = issue(&app, &id).await?;
    let reader = Reader::member(me);
    let blocks = store::blocks(&app.db, &id).await?;
    let visible = super::visible_blocks(&app, &reader, &blocks).await?;
    let mut copy = super::render_copy(&app, &newsletter, &reader, &visible.iter().collect::<Vec<_>>())?;
    copy.subject = format!("[Test] {}", copy.subject);
    let mut tx = app.db.begin().await?;
    crate::mail::queue(&app, &mut tx, crate::mail::Kind::Transactional, &copy).await?;
    tx.commit().await?;
    app.wake_mail();
    Ok(redirect_with_notice(
        &format!("/admin/newsletters/{id}"),
        &format!("A test copy is on its way to {}.", reader.email),
    ))
}

#[derive(Deserialize)]
struct ScheduleForm {
    #[serde(default)]
    send_at: String,
    #[serde(default)]
    cancel: Option<String>,
}

async fn schedule(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<ScheduleForm>,
) -> AppResult<Response> {
    organiser(&viewer, "/admin/newsletters")?;
    let newsletter = issue(&app, &id).await?;
    let at = if form.cancel.is_some() {
        None
    } else {
        let mut errors = FieldErrors::default();
        let at = match time::parse_input(&form.send_at, app.config.timezone) {
            Some(at) if at > Utc::now() => Some(at),
            Some(_) => {
                errors.add("send_at", "Choose a time in the future, or send it now.");
                None
            }
            None => {
                errors.add("send_at", "Give a date and a time to send it at.");
                None
            }
        };
        if !errors.is_empty() {
            return mistakes(&app, page, newsletter, errors).await;
        }
        at
    };
    if !store::schedule(&app.db, &id, at).await? {
        return Err(AppError::Conflict("This issue has gone out: it can no longer be scheduled.".into()));
    }
    let notice = match at {
        Some(at) => format!("The issue will go out on {}.", time::date_time(at, app.config.timezone)),
        None => "The issue is a draft again: it will not go out until you send or schedule it.".into(),
    };
    Ok(redirect_with_notice(&format!("/admin/newsletters/{id}"), &notice))
}

#[derive(Deserialize)]
struct SendForm {
    /// "I have checked it": sending goes at once to everyone, and cannot be called back.
    #[serde(default)]
    confirm: Option<String>,
}

async fn send(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<SendForm>,
) -> AppResult<Response> {
    organiser(&viewer, "/admin/newsletters")?;
    let newsletter = issue(&app, &id).await?;
    if form.confirm.is_none() && newsletter.editable() {
        let mut errors = FieldErrors::default();
        errors.add("confirm", "Tick the box to confirm that it should go to these readers now.");
        return mistakes(&app, page, newsletter, errors).await;
    }
    let notice = if store::release(&app.db, &id, Utc::now()).await? {
        app.wake_newsletters();
        "The issue is on its way: follow its progress below."
    } else {
        "This issue was already on its way."
    };
    Ok(redirect_with_notice(&format!("/admin/newsletters/{id}"), notice))
}

#[derive(serde::Serialize)]
struct ProgressJson {
    status: String,
    recipients: i64,
    #[serde(flatten)]
    progress: Progress,
    done: bool,
}

async fn progress(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    organiser(&viewer, "/admin/newsletters")?;
    let newsletter = issue(&app, &id).await?;
    let progress = outbox::progress(&app.db, &newsletter.batch()).await?;
    let body = ProgressJson {
        done: newsletter.status == "sent" && progress.waiting == 0,
        status: newsletter.status,
        recipients: newsletter.recipients,
        progress,
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response())
}

#[derive(Deserialize, Default)]
struct AsQuery {
    #[serde(default, rename = "as")]
    who: String,
}

/// The e-mail itself, as the chosen reader would get it (its own styles are inline, so the page's
/// security policy lets inline styles, and nothing else, through).
async fn email_preview(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<AsQuery>,
) -> AppResult<Response> {
    let me = organiser(&viewer, "/admin/newsletters")?;
    let newsletter = issue(&app, &id).await?;
    let reader =
        if q.who.trim().is_empty() { Reader::member(me.clone()) } else { preview_reader(&app, &q.who).await? };
    let blocks = store::blocks(&app.db, &id).await?;
    let visible = super::visible_blocks(&app, &reader, &blocks).await?;
    let mut copy = super::render_copy(&app, &newsletter, &reader, &visible.iter().collect::<Vec<_>>())?;
    // The links at the foot work for whoever holds them: in a preview they are the organiser's own, never the
    // reader's (an organiser must not be able to change a member's choices in the member's name).
    copy.to = me.email.clone();
    copy.list_unsubscribe = Some(crate::mail::unsubscribe_link(&app, &me.email, crate::mail::Category::Newsletter));
    let copy = crate::mail::with_footer(&app, &copy);
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; \
                 form-action 'none'; frame-ancestors 'none'",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        copy.html,
    )
        .into_response())
}

async fn retry_failed(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    organiser(&viewer, "/admin/newsletters")?;
    let newsletter = issue(&app, &id).await?;
    let n = outbox::retry_batch(&app.db, &newsletter.batch()).await?;
    app.wake_mail();
    Ok(redirect_with_notice(&format!("/admin/newsletters/{id}"), &format!("{n} failed copies will be tried again.")))
}

#[derive(Deserialize)]
struct LiftForm {
    #[serde(default)]
    address: String,
}

async fn lift_suppression(State(app): State<App>, viewer: Viewer, Form(form): Form<LiftForm>) -> AppResult<Response> {
    organiser(&viewer, "/admin/newsletters")?;
    let notice = if suppression::lift(&app.db, &form.address).await? == 1 {
        "The address will get newsletters again."
    } else {
        "That address was not on the list."
    };
    Ok(redirect_with_notice("/admin/newsletters#suppressed", notice))
}

#[derive(Template)]
#[template(path = "mail/archive.html")]
struct ArchivePage {
    page: Page,
    issues: Vec<(Newsletter, String)>,
    signed_in: bool,
}

async fn archive(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let mut issues = Vec::new();
    for n in store::sent(&app.db).await? {
        if super::may_read(&app, &viewer, &store::audiences(&app.db, &n.id).await?).await? {
            let d = n.sent_at.map(|s| time::date(s, app.config.timezone)).unwrap_or_default();
            issues.push((n, d));
        }
    }
    let signed_in = viewer.user.is_some();
    let page = if signed_in { page.titled("Newsletters").noindex() } else { page.titled("Newsletters") };
    render(&ArchivePage { page, issues, signed_in })
}

#[derive(Template)]
#[template(path = "mail/newsletter_read.html")]
struct ReadPage {
    page: Page,
    newsletter: Newsletter,
    blocks: Vec<Block>,
}

async fn read(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let newsletter = store::newsletter(&app.db, &id)
        .await?
        .filter(|n| matches!(n.status.as_str(), "sending" | "sent"))
        .ok_or(AppError::NotFound)?;
    let audiences = store::audiences(&app.db, &id).await?;
    if !super::may_read(&app, &viewer, &audiences).await? {
        // Members-only issues: visitors are asked to sign in, members outside the audience see nothing.
        policy::require(&viewer, policy::can_enter_members_area(&viewer, Utc::now()), &format!("/newsletters/{id}"))?;
        return Err(AppError::NotFound);
    }
    let reader = match viewer.user.clone() {
        Some(user) => Reader::member(user),
        None => Reader::subscriber(""),
    };
    let blocks = super::visible_blocks(&app, &reader, &store::blocks(&app.db, &id).await?).await?;
    let public = audiences.contains(&Audience::Subscribers) && viewer.user.is_none();
    let page = if public { page.titled(&newsletter.subject) } else { page.titled(&newsletter.subject).noindex() };
    render(&ReadPage { page, newsletter, blocks })
}

/// The issues scheduled to go out, for the organisers' overview.
pub(super) async fn waiting(app: &App) -> AppResult<Vec<crate::feature::Waiting>> {
    let scheduled = store::scheduled(&app.db).await?;
    let tz = app.config.timezone;
    Ok(vec![crate::feature::Waiting {
        title: "Newsletters scheduled",
        count: scheduled.len() as i64,
        summary: if scheduled.is_empty() {
            "No issue is scheduled.".into()
        } else {
            "Each goes by itself at its time; it can be changed until then.".into()
        },
        details: scheduled
            .into_iter()
            .take(5)
            .map(|(subject, at)| match at {
                Some(at) => format!("{subject}: {}", time::date_time(at, tz)),
                None => subject,
            })
            .collect(),
        path: "/admin/newsletters".into(),
        decision: false,
    }])
}
