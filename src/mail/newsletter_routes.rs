//! The organisers' newsletter pages (compose, choose the items, preview as a recipient, send, follow the
//! progress) and the archive members read.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;

use super::newsletters::{self, Block, Newsletter};
use crate::App;
use crate::auth::{User, Viewer, policy, store as users};
use crate::membership::groups::{self, Group};
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, redirect_with_notice, render, time};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/admin/newsletters", get(list).post(create))
        .route("/admin/newsletters/{id}", get(edit))
        .route("/admin/newsletters/{id}/blocks", post(choose_blocks))
        .route("/admin/newsletters/{id}/send", post(send))
        .route("/newsletters", get(archive))
        .route("/newsletters/{id}", get(read))
}

fn organiser(viewer: &Viewer) -> AppResult<String> {
    policy::require(viewer, policy::can_send_newsletters(viewer), "/admin/newsletters")?;
    viewer.user.as_ref().map(|u| u.id.clone()).ok_or(AppError::Forbidden)
}

#[derive(Deserialize, Default, Clone)]
struct NewForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    intro: String,
    #[serde(default)]
    group: String,
}

#[derive(Template)]
#[template(path = "mail/newsletters.html")]
struct ListPage {
    page: Page,
    issues: Vec<(Newsletter, String)>,
    groups: Vec<Group>,
    form: NewForm,
    errors: FieldErrors,
}

async fn list_page(app: &App, page: Page, form: NewForm, errors: FieldErrors) -> AppResult<ListPage> {
    let issues = newsletters::all(&app.db)
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
        groups: groups::all_groups(&app.db).await?,
        form,
        errors,
    })
}

async fn list(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    render(&list_page(&app, page, NewForm::default(), FieldErrors::default()).await?)
}

async fn create(State(app): State<App>, page: Page, viewer: Viewer, Form(form): Form<NewForm>) -> AppResult<Response> {
    let me = organiser(&viewer)?;
    let mut errors = FieldErrors::default();
    let subject = errors.required("subject", "The subject", &form.subject, 200);
    let intro = errors.required("intro", "The introduction", &form.intro, 20_000);
    let group = groups::all_groups(&app.db).await?.into_iter().find(|g| g.slug == form.group);
    if !form.group.is_empty() && group.is_none() {
        errors.add("group", "Choose one of the groups, or all members.");
    }
    if !errors.is_empty() {
        return Ok(
            (StatusCode::UNPROCESSABLE_ENTITY, render(&list_page(&app, page, form, errors).await?)?).into_response()
        );
    }
    let id = newsletters::create_draft(&app, &subject, &intro, group.as_ref().map(|g| g.id.as_str()), &me).await?;
    Ok(redirect_with_notice(
        &format!("/admin/newsletters/{id}"),
        "The draft is ready: choose its items, preview it, and send it.",
    ))
}

#[derive(Deserialize, Default)]
struct PreviewQuery {
    #[serde(default)]
    preview: String,
}

#[derive(Template)]
#[template(path = "mail/newsletter_edit.html")]
struct EditPage {
    page: Page,
    newsletter: Newsletter,
    blocks: Vec<Block>,
    preview_email: String,
    preview: Option<Vec<Block>>,
    total: i64,
    sent: i64,
    failed: i64,
}

async fn edit(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<PreviewQuery>,
) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    let newsletter = newsletters::newsletter(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let blocks = newsletters::blocks(&app.db, &id).await?;
    let preview = if q.preview.trim().is_empty() {
        None
    } else {
        let reader = users::user_by_email(&app.db, &q.preview.trim().to_lowercase())
            .await?
            .map(User::from)
            .ok_or_else(|| AppError::BadRequest("There is no member with that e-mail address.".into()))?;
        Some(newsletters::blocks_for(&app, &reader, &blocks).await?)
    };
    let (total, sent, failed) = super::outbox::progress(&app.db, &format!("newsletter:{id}:")).await?;
    render(&EditPage {
        page: page.titled(&newsletter.subject).noindex(),
        newsletter,
        blocks,
        preview_email: q.preview,
        preview,
        total,
        sent,
        failed,
    })
}

async fn choose_blocks(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    organiser(&viewer)?;
    let newsletter = newsletters::newsletter(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    if newsletter.status != "draft" {
        return Err(AppError::Conflict("This issue has been sent.".into()));
    }
    let included: Vec<String> = fields.into_iter().filter(|(k, _)| k == "include").map(|(_, v)| v).collect();
    newsletters::set_included(&app.db, &id, &included).await?;
    Ok(redirect_with_notice(&format!("/admin/newsletters/{id}"), "The items are saved."))
}

async fn send(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    organiser(&viewer)?;
    let newsletter = newsletters::newsletter(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let queued = newsletters::send(&app, &newsletter).await?;
    Ok(redirect_with_notice(&format!("/admin/newsletters/{id}"), &format!("{queued} copies are on their way.")))
}

/// Whether the viewer was in the issue's audience (all members, or its group).
async fn in_audience(app: &App, viewer: &Viewer, newsletter: &Newsletter) -> AppResult<bool> {
    if !policy::can_enter_members_area(viewer, Utc::now()) {
        return Ok(false);
    }
    match (&newsletter.audience_group_id, &viewer.user) {
        (None, _) => Ok(true),
        (Some(g), Some(u)) => Ok(policy::can_manage_site(viewer)
            || matches!(
                groups::standing(&app.db, g, &u.id).await?,
                Some(policy::GroupStanding::Member | policy::GroupStanding::Coordinator)
            )),
        _ => Ok(false),
    }
}

#[derive(Template)]
#[template(path = "mail/archive.html")]
struct ArchivePage {
    page: Page,
    issues: Vec<(Newsletter, String)>,
}

async fn archive(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    policy::require(&viewer, policy::can_enter_members_area(&viewer, Utc::now()), "/newsletters")?;
    let mut issues = Vec::new();
    for n in newsletters::all(&app.db).await?.into_iter().filter(|n| n.status == "sent") {
        if in_audience(&app, &viewer, &n).await? {
            let d = n.sent_at.map(|s| time::date(s, app.config.timezone)).unwrap_or_default();
            issues.push((n, d));
        }
    }
    render(&ArchivePage { page: page.titled("Newsletters").noindex(), issues })
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
    policy::require(&viewer, policy::can_enter_members_area(&viewer, Utc::now()), &format!("/newsletters/{id}"))?;
    let newsletter =
        newsletters::newsletter(&app.db, &id).await?.filter(|n| n.status == "sent").ok_or(AppError::NotFound)?;
    if !in_audience(&app, &viewer, &newsletter).await? {
        return Err(AppError::NotFound);
    }
    let reader = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let all = newsletters::blocks(&app.db, &id).await?;
    let blocks = newsletters::blocks_for(&app, &reader, &all).await?;
    render(&ReadPage { page: page.titled(&newsletter.subject).noindex(), newsletter, blocks })
}
