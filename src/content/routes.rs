//! The public site: home, about and other pages, supporters, people, news, the site map, feeds, images.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;

use super::model::{NewsItem, Person, SitePage, Supporter};
use super::store;
use crate::App;
use crate::auth::{Viewer, policy};
use crate::web::time;
use crate::web::{AppError, AppResult, Page, render};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(home))
        .route("/about", get(about))
        .route("/pages/{slug}", get(page))
        .route("/supporters", get(supporters))
        .route("/people", get(people))
        .route("/news", get(news_list))
        .route("/news/feed.xml", get(super::feeds::news_feed))
        .route("/news/{slug}", get(news_item))
        .route("/sitemap", get(site_map))
        .route("/sitemap.xml", get(super::feeds::sitemap_xml))
        .route("/robots.txt", get(super::feeds::robots))
        .route("/files/{id}", get(file))
}

/// A news item with its date as people read it.
pub struct NewsView {
    pub item: NewsItem,
    pub date: String,
    pub date_iso: String,
    pub is_public: bool,
}

impl NewsView {
    pub fn new(item: NewsItem, app: &App) -> NewsView {
        let now = Utc::now();
        NewsView {
            date: time::date(item.publish_at, app.config.timezone),
            date_iso: time::machine(item.publish_at),
            is_public: policy::Publication::of(item.published, item.publish_at).is_out(now),
            item,
        }
    }
}

#[derive(Template)]
#[template(path = "content/home.html")]
struct HomePage {
    page: Page,
    intro: Option<SitePage>,
    meetings: Vec<crate::meetings::Card>,
    news: Vec<NewsView>,
    supporters: Vec<Supporter>,
}

async fn home(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let intro = store::page_by_slug(&app.db, "home").await?.filter(|p| policy::can_view_page(&viewer, p.published));
    let news = store::public_news(&app.db, Utc::now(), 3).await?.into_iter().map(|n| NewsView::new(n, &app)).collect();
    let supporters = store::supporters(&app.db).await?;
    let meetings = crate::meetings::upcoming_cards(&app, &viewer, 3).await?;
    render(&HomePage { page, intro, meetings, news, supporters })
}

#[derive(Template)]
#[template(path = "content/page.html")]
struct PagePage {
    page: Page,
    content: SitePage,
    can_edit: bool,
}

async fn show_page(app: &App, page: Page, viewer: &Viewer, slug: &str) -> AppResult<Response> {
    let content = store::page_by_slug(&app.db, slug).await?.ok_or(AppError::NotFound)?;
    if !policy::can_view_page(viewer, content.published) {
        return Err(AppError::NotFound);
    }
    let mut page = page.titled(&content.title);
    if !content.published {
        page = page.noindex();
    }
    Ok(render(&PagePage { page, can_edit: policy::can_manage_site(viewer), content })?.into_response())
}

async fn about(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<Response> {
    show_page(&app, page, &viewer, "about").await
}

async fn page(State(app): State<App>, page: Page, viewer: Viewer, Path(slug): Path<String>) -> AppResult<Response> {
    show_page(&app, page, &viewer, &slug).await
}

#[derive(Template)]
#[template(path = "content/supporters.html")]
struct SupportersPage {
    page: Page,
    supporters: Vec<(Supporter, Vec<crate::library::Resource>)>,
}

/// Each supporter with the resources they contributed, as far as the viewer reaches (members also see the
/// members-only ones). Supporters themselves get no member's details here or anywhere.
async fn supporters(State(app): State<App>, page: Page, viewer: crate::auth::Viewer) -> AppResult<impl IntoResponse> {
    let reach = crate::library::reach_of(&app, &viewer).await?;
    let mut with_resources = Vec::new();
    for s in store::supporters(&app.db).await? {
        let filter = crate::library::Filter { supporter_id: &s.id, ..Default::default() };
        let resources = crate::library::resources(&app.db, &reach, &filter, chrono::Utc::now()).await?;
        with_resources.push((s, resources));
    }
    render(&SupportersPage { page: page.titled("Supporters"), supporters: with_resources })
}

#[derive(Template)]
#[template(path = "content/people.html")]
struct PeoplePage {
    page: Page,
    people: Vec<Person>,
}

async fn people(State(app): State<App>, page: Page) -> AppResult<impl IntoResponse> {
    let people = store::people(&app.db).await?;
    render(&PeoplePage { page: page.titled("Founders and organisers"), people })
}

#[derive(Template)]
#[template(path = "content/news_list.html")]
struct NewsListPage {
    page: Page,
    news: Vec<NewsView>,
}

async fn news_list(State(app): State<App>, page: Page) -> AppResult<impl IntoResponse> {
    let news =
        store::public_news(&app.db, Utc::now(), 200).await?.into_iter().map(|n| NewsView::new(n, &app)).collect();
    render(&NewsListPage { page: page.titled("News"), news })
}

#[derive(Template)]
#[template(path = "content/news_item.html")]
struct NewsItemPage {
    page: Page,
    news: NewsView,
    can_edit: bool,
}

async fn news_item(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<impl IntoResponse> {
    let item = store::news_by_slug(&app.db, &slug).await?.ok_or(AppError::NotFound)?;
    if !policy::can_view_news(&viewer, policy::Publication::of(item.published, item.publish_at), Utc::now()) {
        return Err(AppError::NotFound);
    }
    let news = NewsView::new(item, &app);
    let mut page = page.titled(&news.item.title);
    if !news.is_public {
        page = page.noindex();
    }
    render(&NewsItemPage { page, news, can_edit: policy::can_manage_site(&viewer) })
}

#[derive(Template)]
#[template(path = "content/sitemap.html")]
struct SiteMapPage {
    page: Page,
    pages: Vec<SitePage>,
    news: Vec<NewsView>,
}

async fn site_map(State(app): State<App>, page: Page) -> AppResult<impl IntoResponse> {
    let pages =
        store::published_pages(&app.db).await?.into_iter().filter(|p| p.slug != "home" && p.slug != "about").collect();
    let news =
        store::public_news(&app.db, Utc::now(), 1000).await?.into_iter().map(|n| NewsView::new(n, &app)).collect();
    render(&SiteMapPage { page: page.titled("Site map"), pages, news })
}

/// Logos and photos. They are public, and were checked to be images when uploaded; `nosniff` (on every
/// response) keeps browsers from reading them as anything else.
async fn file(State(app): State<App>, headers: axum::http::HeaderMap, Path(id): Path<String>) -> AppResult<Response> {
    let file = store::file(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    Ok(crate::web::files::send(
        &app.db,
        &headers,
        file,
        &[
            (header::CACHE_CONTROL, "public, max-age=86400".to_string()),
            (header::CONTENT_DISPOSITION, "inline".to_string()),
        ],
    ))
}
