//! The organisers' side of the public site: pages, news, supporters and people.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;

use super::model::*;
use super::routes::NewsView;
use super::store;
use crate::App;
use crate::auth::{Viewer, policy};
use crate::db::is_unique_violation;
use crate::feature::Waiting;
use crate::mail::outbox::{self, OutboxMessage};
use crate::web::forms::{slugify, valid_slug};
use crate::web::upload::{UploadForm, read_image};
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, invalid, redirect_with_notice, render, time};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/admin", get(dashboard))
        .route("/admin/pages", get(pages))
        .route("/admin/pages/new", get(new_page).post(create_page))
        .route("/admin/pages/{id}", get(edit_page).post(update_page))
        .route("/admin/news", get(news))
        .route("/admin/news/new", get(new_news).post(create_news))
        .route("/admin/news/{id}", get(edit_news).post(update_news))
        .route("/admin/supporters", get(supporters))
        .route("/admin/supporters/new", get(new_supporter).post(create_supporter))
        .route("/admin/supporters/{id}", get(edit_supporter).post(update_supporter))
        .route("/admin/supporters/{id}/delete", post(delete_supporter))
        .route("/admin/people", get(people))
        .route("/admin/people/new", get(new_person).post(create_person))
        .route("/admin/people/{id}", get(edit_person).post(update_person))
        .route("/admin/people/{id}/delete", post(delete_person))
        .route("/admin/outbox/{id}/retry", post(retry_mail))
}

fn organiser(viewer: &Viewer, path: &str) -> AppResult<()> {
    policy::require(viewer, policy::can_manage_site(viewer), path)
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    page: Page,
    waiting: Vec<Waiting>,
    /// Only the failed e-mails are listed (`?mail=failed`).
    only_failed: bool,
    mail: Vec<MailRow>,
}

/// An e-mail with when it was queued and sent, as shown (the network's time zone) and for `<time datetime>`.
struct MailRow {
    message: OutboxMessage,
    queued: (String, String),
    sent: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
struct DashboardQuery {
    #[serde(default)]
    mail: String,
}

/// The organisers' overview: what waits for them, feature by feature (applications, flags, meetings ahead,
/// newsletters, memberships ending) and e-mails that failed, then the site's own pages and the recent e-mails.
async fn dashboard(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Query(query): Query<DashboardQuery>,
) -> AppResult<impl IntoResponse> {
    organiser(&viewer, "/admin")?;
    let mut waiting = crate::feature::waiting(&app, Utc::now()).await?;
    let failed = outbox::count_failed(&app.db).await?;
    waiting.push(Waiting {
        title: "E-mails failing",
        count: failed,
        summary: if failed == 0 {
            "Every e-mail went, or is on its way.".into()
        } else {
            "The mail server refused them, or could not be reached after every try: retry each below.".into()
        },
        details: Vec::new(),
        path: "/admin?mail=failed#mail".into(),
        decision: true,
    });
    let only_failed = query.mail == "failed";
    let mail = if only_failed { outbox::failed(&app.db, 100).await? } else { outbox::recent(&app.db, 20).await? };
    let tz = app.config.timezone;
    let mail = mail
        .into_iter()
        .map(|m| MailRow {
            queued: (time::machine(m.created_at), time::date_time(m.created_at, tz)),
            sent: m.sent_at.map(|t| (time::machine(t), time::date_time(t, tz))),
            message: m,
        })
        .collect();
    render(&Dashboard { page: page.titled("Organisers").noindex(), waiting, only_failed, mail })
}

async fn retry_mail(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    organiser(&viewer, "/admin")?;
    outbox::retry(&app.db, &id).await?;
    app.wake_mail();
    Ok(redirect_with_notice("/admin", "The e-mail is queued again."))
}

// Pages

#[derive(Template)]
#[template(path = "admin/pages.html")]
struct PagesList {
    page: Page,
    pages: Vec<SitePage>,
}

async fn pages(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer, "/admin/pages")?;
    render(&PagesList { page: page.titled("Pages").noindex(), pages: store::all_pages(&app.db).await? })
}

#[derive(Deserialize, Default, Clone)]
struct PageForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    published: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/page_form.html")]
struct PageEditor {
    page: Page,
    action: String,
    form: PageForm,
    errors: FieldErrors,
    view_path: Option<String>,
}

impl PageForm {
    fn from_page(p: &SitePage) -> PageForm {
        PageForm {
            title: p.title.clone(),
            slug: p.slug.clone(),
            body: p.body_md.clone(),
            published: p.published.then(|| "on".into()),
        }
    }

    fn validate(&self) -> Result<PageInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = errors.required("title", "Title", &self.title, 200);
        let slug = if self.slug.trim().is_empty() { slugify(&title) } else { self.slug.trim().to_string() };
        if !valid_slug(&slug) {
            errors.add("slug", "The address may use only lower-case letters, digits and hyphens.");
        }
        let body_md = errors.required("body", "The text", &self.body, 100_000);
        errors.into_result()?;
        Ok(PageInput { slug, title, body_md, published: self.published.is_some() })
    }
}

fn page_path(slug: &str) -> String {
    if slug == "about" {
        "/about".into()
    } else if slug == "home" {
        "/".into()
    } else {
        format!("/pages/{slug}")
    }
}

async fn new_page(page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer, "/admin/pages/new")?;
    let form = PageForm { published: Some("on".into()), ..PageForm::default() };
    render(&PageEditor {
        page: page.titled("New page").noindex(),
        action: "/admin/pages/new".into(),
        form,
        errors: FieldErrors::default(),
        view_path: None,
    })
}

async fn create_page(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Form(form): Form<PageForm>,
) -> AppResult<Response> {
    organiser(&viewer, "/admin/pages/new")?;
    let editor = |errors| PageEditor {
        page: page.clone().titled("New page").noindex(),
        action: "/admin/pages/new".into(),
        form: form.clone(),
        errors,
        view_path: None,
    };
    let input = match form.validate() {
        Ok(input) => input,
        Err(errors) => return invalid(&editor(errors)),
    };
    match store::insert_page(&app.db, &input).await {
        Ok(_) => Ok(redirect_with_notice(&page_path(&input.slug), "The page is saved.")),
        Err(e) if is_unique_violation(&e) => invalid(&editor(slug_taken())),
        Err(e) => Err(e.into()),
    }
}

fn slug_taken() -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add("slug", "Another item already has this address; choose another.");
    errors
}

async fn edit_page(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    organiser(&viewer, "/admin/pages")?;
    let p = store::page_by_id(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    render(&PageEditor {
        page: page.titled(&format!("Edit {}", p.title)).noindex(),
        action: format!("/admin/pages/{id}"),
        form: PageForm::from_page(&p),
        errors: FieldErrors::default(),
        view_path: Some(page_path(&p.slug)),
    })
}

async fn update_page(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<PageForm>,
) -> AppResult<Response> {
    organiser(&viewer, "/admin/pages")?;
    let existing = store::page_by_id(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let editor = |errors| PageEditor {
        page: page.clone().titled(&format!("Edit {}", existing.title)).noindex(),
        action: format!("/admin/pages/{id}"),
        form: form.clone(),
        errors,
        view_path: Some(page_path(&existing.slug)),
    };
    let input = match form.validate() {
        Ok(input) => input,
        Err(errors) => return invalid(&editor(errors)),
    };
    match store::update_page(&app.db, &id, &input).await {
        Ok(_) => Ok(redirect_with_notice(&page_path(&input.slug), "The page is saved.")),
        Err(e) if is_unique_violation(&e) => invalid(&editor(slug_taken())),
        Err(e) => Err(e.into()),
    }
}

// News

#[derive(Template)]
#[template(path = "admin/news.html")]
struct NewsList {
    page: Page,
    news: Vec<NewsView>,
}

async fn news(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer, "/admin/news")?;
    let news = store::all_news(&app.db).await?.into_iter().map(|n| NewsView::new(n, &app)).collect();
    render(&NewsList { page: page.titled("News").noindex(), news })
}

#[derive(Deserialize, Default, Clone)]
struct NewsForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    publish_at: String,
    #[serde(default)]
    published: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/news_form.html")]
struct NewsEditor {
    page: Page,
    action: String,
    form: NewsForm,
    errors: FieldErrors,
    view_path: Option<String>,
    timezone: String,
}

impl NewsForm {
    fn from_item(n: &NewsItem, app: &App) -> NewsForm {
        NewsForm {
            title: n.title.clone(),
            slug: n.slug.clone(),
            summary: n.summary.clone(),
            body: n.body_md.clone(),
            publish_at: time::input_value(n.publish_at, app.config.timezone),
            published: n.published.then(|| "on".into()),
        }
    }

    fn validate(&self, app: &App) -> Result<NewsInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = errors.required("title", "Title", &self.title, 200);
        let slug = if self.slug.trim().is_empty() { slugify(&title) } else { self.slug.trim().to_string() };
        if !valid_slug(&slug) {
            errors.add("slug", "The address may use only lower-case letters, digits and hyphens.");
        }
        let summary = errors.required("summary", "The summary", &self.summary, 500);
        let body_md = errors.required("body", "The text", &self.body, 100_000);
        let publish_at = if self.publish_at.trim().is_empty() {
            Utc::now()
        } else {
            time::parse_input(&self.publish_at, app.config.timezone).unwrap_or_else(|| {
                errors.add("publish_at", "Enter a date and time like 2026-11-23T09:00.");
                Utc::now()
            })
        };
        errors.into_result()?;
        Ok(NewsInput { slug, title, summary, body_md, published: self.published.is_some(), publish_at })
    }
}

fn news_editor(
    page: Page,
    title: &str,
    action: String,
    form: NewsForm,
    errors: FieldErrors,
    view_path: Option<String>,
    app: &App,
) -> NewsEditor {
    NewsEditor {
        page: page.titled(title).noindex(),
        action,
        form,
        errors,
        view_path,
        timezone: app.config.timezone.to_string(),
    }
}

async fn new_news(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer, "/admin/news/new")?;
    render(&news_editor(
        page,
        "New news item",
        "/admin/news/new".into(),
        NewsForm::default(),
        FieldErrors::default(),
        None,
        &app,
    ))
}

async fn create_news(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Form(form): Form<NewsForm>,
) -> AppResult<Response> {
    organiser(&viewer, "/admin/news/new")?;
    let editor =
        |errors| news_editor(page.clone(), "New news item", "/admin/news/new".into(), form.clone(), errors, None, &app);
    let input = match form.validate(&app) {
        Ok(input) => input,
        Err(errors) => return invalid(&editor(errors)),
    };
    let author = viewer.user.as_ref().map(|u| u.id.as_str());
    match store::insert_news(&app.db, &input, author).await {
        Ok(_) => Ok(redirect_with_notice(&format!("/news/{}", input.slug), notice_for(&input))),
        Err(e) if is_unique_violation(&e) => invalid(&editor(slug_taken())),
        Err(e) => Err(e.into()),
    }
}

fn notice_for(input: &NewsInput) -> &'static str {
    if !input.published {
        "Saved as a draft: only organisers can see it."
    } else if input.publish_at > Utc::now() {
        "Saved: visitors will see it from its publication time."
    } else {
        "Published."
    }
}

async fn edit_news(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    organiser(&viewer, "/admin/news")?;
    let n = store::news_by_id(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let title = format!("Edit {}", n.title);
    render(&news_editor(
        page,
        &title,
        format!("/admin/news/{id}"),
        NewsForm::from_item(&n, &app),
        FieldErrors::default(),
        Some(format!("/news/{}", n.slug)),
        &app,
    ))
}

async fn update_news(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<NewsForm>,
) -> AppResult<Response> {
    organiser(&viewer, "/admin/news")?;
    let existing = store::news_by_id(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let title = format!("Edit {}", existing.title);
    let editor = |errors| {
        news_editor(
            page.clone(),
            &title,
            format!("/admin/news/{id}"),
            form.clone(),
            errors,
            Some(format!("/news/{}", existing.slug)),
            &app,
        )
    };
    let input = match form.validate(&app) {
        Ok(input) => input,
        Err(errors) => return invalid(&editor(errors)),
    };
    match store::update_news(&app.db, &id, &input).await {
        Ok(_) => Ok(redirect_with_notice(&format!("/news/{}", input.slug), notice_for(&input))),
        Err(e) if is_unique_violation(&e) => invalid(&editor(slug_taken())),
        Err(e) => Err(e.into()),
    }
}

// Supporters and people share one shape: a name, a line, Markdown, an image, an order.

fn position(errors: &mut FieldErrors, value: &str) -> i64 {
    let value = value.trim();
    if value.is_empty() {
        return 100;
    }
    value.parse::<i64>().ok().filter(|p| (0..=10_000).contains(p)).unwrap_or_else(|| {
        errors.add("position", "The order is a whole number from 0 to 10000.");
        100
    })
}

#[derive(Clone, Default)]
struct ProfileFields {
    name: String,
    line: String,
    text: String,
    position: String,
    image: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/supporters.html")]
struct SupportersList {
    page: Page,
    supporters: Vec<Supporter>,
}

async fn supporters(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer, "/admin/supporters")?;
    render(&SupportersList { page: page.titled("Supporters").noindex(), supporters: store::supporters(&app.db).await? })
}

#[derive(Template)]
#[template(path = "admin/supporter_form.html")]
struct SupporterEditor {
    page: Page,
    action: String,
    form: ProfileFields,
    errors: FieldErrors,
    existing: bool,
}

fn supporter_fields(s: &Supporter) -> ProfileFields {
    ProfileFields {
        name: s.name.clone(),
        line: s.website.clone(),
        text: s.description_md.clone(),
        position: s.position.to_string(),
        image: s.logo_file_id.clone(),
    }
}

async fn new_supporter(page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer, "/admin/supporters/new")?;
    render(&SupporterEditor {
        page: page.titled("New supporter").noindex(),
        action: "/admin/supporters/new".into(),
        form: ProfileFields::default(),
        errors: FieldErrors::default(),
        existing: false,
    })
}

async fn create_supporter(State(app): State<App>, page: Page, viewer: Viewer, form: UploadForm) -> AppResult<Response> {
    organiser(&viewer, "/admin/supporters/new")?;
    save_supporter(&app, page, None, form).await
}

async fn edit_supporter(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    organiser(&viewer, "/admin/supporters")?;
    let s = store::supporter(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    render(&SupporterEditor {
        page: page.titled(&format!("Edit {}", s.name)).noindex(),
        action: format!("/admin/supporters/{id}"),
        form: supporter_fields(&s),
        errors: FieldErrors::default(),
        existing: true,
    })
}

async fn update_supporter(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    form: UploadForm,
) -> AppResult<Response> {
    organiser(&viewer, "/admin/supporters")?;
    store::supporter(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    save_supporter(&app, page, Some(id), form).await
}

async fn save_supporter(app: &App, page: Page, id: Option<String>, form: UploadForm) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let input = SupporterInput {
        name: errors.required("name", "Name", form.text("name"), 200),
        website: errors.web_address("website", form.text("website")),
        description_md: errors.required("description", "The description", form.text("description"), 20_000),
        position: position(&mut errors, form.text("position")),
    };
    let logo = read_image(&form, &mut errors, "logo", app.config.max_upload_bytes);
    if !errors.is_empty() {
        let fields = ProfileFields {
            name: form.text("name").into(),
            line: form.text("website").into(),
            text: form.text("description").into(),
            position: form.text("position").into(),
            image: None,
        };
        let action = id.as_ref().map_or("/admin/supporters/new".to_string(), |id| format!("/admin/supporters/{id}"));
        return invalid(&SupporterEditor {
            page: page.titled("Supporter").noindex(),
            action,
            form: fields,
            errors,
            existing: id.is_some(),
        });
    }
    let mut tx = app.db.begin().await?;
    let file = store::store_image(&mut tx, &logo).await?;
    store::save_supporter(&mut tx, id.as_deref(), &input, file.as_ref().map(|f| f.as_deref())).await?;
    tx.commit().await?;
    Ok(redirect_with_notice("/admin/supporters", &format!("{} is saved.", input.name)))
}

async fn delete_supporter(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    organiser(&viewer, "/admin/supporters")?;
    store::delete_supporter(&app.db, &id).await?;
    Ok(redirect_with_notice("/admin/supporters", "The supporter is removed."))
}

// People

#[derive(Template)]
#[template(path = "admin/people.html")]
struct PeopleList {
    page: Page,
    people: Vec<Person>,
}

async fn people(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer, "/admin/people")?;
    render(&PeopleList { page: page.titled("People").noindex(), people: store::people(&app.db).await? })
}

#[derive(Template)]
#[template(path = "admin/person_form.html")]
struct PersonEditor {
    page: Page,
    action: String,
    form: ProfileFields,
    errors: FieldErrors,
    existing: bool,
}

async fn new_person(page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer, "/admin/people/new")?;
    render(&PersonEditor {
        page: page.titled("New person").noindex(),
        action: "/admin/people/new".into(),
        form: ProfileFields::default(),
        errors: FieldErrors::default(),
        existing: false,
    })
}

async fn create_person(State(app): State<App>, page: Page, viewer: Viewer, form: UploadForm) -> AppResult<Response> {
    organiser(&viewer, "/admin/people/new")?;
    save_person(&app, page, None, form).await
}

async fn edit_person(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    organiser(&viewer, "/admin/people")?;
    let p = store::person(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let fields = ProfileFields {
        name: p.name.clone(),
        line: p.role_title.clone(),
        text: p.bio_md.clone(),
        position: p.position.to_string(),
        image: p.photo_file_id.clone(),
    };
    render(&PersonEditor {
        page: page.titled(&format!("Edit {}", p.name)).noindex(),
        action: format!("/admin/people/{id}"),
        form: fields,
        errors: FieldErrors::default(),
        existing: true,
    })
}

async fn update_person(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    form: UploadForm,
) -> AppResult<Response> {
    organiser(&viewer, "/admin/people")?;
    store::person(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    save_person(&app, page, Some(id), form).await
}

async fn save_person(app: &App, page: Page, id: Option<String>, form: UploadForm) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let input = PersonInput {
        name: errors.required("name", "Name", form.text("name"), 200),
        role_title: errors.required("role_title", "Role", form.text("role_title"), 200),
        bio_md: errors.optional("bio", "The biography", form.text("bio"), 20_000),
        position: position(&mut errors, form.text("position")),
    };
    let photo = read_image(&form, &mut errors, "photo", app.config.max_upload_bytes);
    if !errors.is_empty() {
        let fields = ProfileFields {
            name: form.text("name").into(),
            line: form.text("role_title").into(),
            text: form.text("bio").into(),
            position: form.text("position").into(),
            image: None,
        };
        let action = id.as_ref().map_or("/admin/people/new".to_string(), |id| format!("/admin/people/{id}"));
        return invalid(&PersonEditor {
            page: page.titled("Person").noindex(),
            action,
            form: fields,
            errors,
            existing: id.is_some(),
        });
    }
    let mut tx = app.db.begin().await?;
    let file = store::store_image(&mut tx, &photo).await?;
    store::save_person(&mut tx, id.as_deref(), &input, file.as_ref().map(|f| f.as_deref())).await?;
    tx.commit().await?;
    Ok(redirect_with_notice("/admin/people", &format!("{} is saved.", input.name)))
}

async fn delete_person(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    organiser(&viewer, "/admin/people")?;
    store::delete_person(&app.db, &id).await?;
    Ok(redirect_with_notice("/admin/people", "The person is removed."))
}
