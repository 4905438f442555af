//! The library as readers see it: the browsing page with facets, articles, resources and their downloads,
//! and the Atom feed of public articles. Every item is checked against the viewer's reach.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::model::{Article, CaseStudy, DISCIPLINES, RESOURCE_KINDS, Resource, kind_label};
use super::store::{self, Filter};
use crate::App;
use crate::auth::policy::Audience;
use crate::auth::{Viewer, policy};
use crate::membership::groups;
use crate::membership::{SECTORS, SIZE_BANDS};
use crate::web::{AppError, AppResult, Page, render, time};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/library", get(library))
        .route("/articles/feed.xml", get(feed))
        .route("/articles/{slug}", get(article))
        .route("/resources/{slug}", get(resource))
        .route("/resources/{slug}/download", get(download))
        .route("/case-studies/{slug}", get(case_study))
}

/// How far the viewer reaches into the library.
pub async fn reach_of(app: &App, viewer: &Viewer) -> Result<policy::Reach, sqlx::Error> {
    Ok(policy::reach(viewer, groups::my_groups(&app.db, viewer).await?, Utc::now()))
}

/// Whether the viewer may open one item: published (or the viewer manages the library) and in reach. An
/// item not yet published is refused as one that does not exist is (`refuse`), so its address gives nothing
/// away.
pub(crate) async fn may_open(
    app: &App,
    viewer: &Viewer,
    audience: &Audience,
    published: bool,
    publish_at: DateTime<Utc>,
) -> AppResult<bool> {
    let now = Utc::now();
    if !policy::can_view_library_item(viewer, policy::Publication::of(published, publish_at), now) {
        return Ok(false);
    }
    let in_group = match audience.group() {
        Some(g) => groups::my_groups(&app.db, viewer).await?.iter().any(|m| m == g),
        None => false,
    };
    Ok(policy::can_see_audience(viewer, audience, in_group, now))
}

/// A page the viewer may not open, or that does not exist: visitors are asked to sign in (it may be
/// members-only) either way, so that a visitor cannot tell whether a title exists; others see nothing.
pub(crate) fn refuse(viewer: &Viewer, path: &str) -> AppError {
    if viewer.user.is_none() { AppError::SignInRequired(path.to_string()) } else { AppError::NotFound }
}

#[derive(Deserialize, Default)]
struct LibraryQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    discipline: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    size: String,
}

/// One line of the library listing: an article or a resource.
struct Entry {
    kind: &'static str,
    title: String,
    summary: String,
    url: String,
    date: String,
    sort_at: DateTime<Utc>,
    audience: &'static str,
    downloads: Option<i64>,
}

fn audience_label(audience: &str) -> &'static str {
    match audience {
        "public" => "Open to all",
        "members" => "Members",
        _ => "Group",
    }
}

#[derive(Template)]
#[template(path = "library/library.html")]
struct LibraryPage {
    page: Page,
    entries: Vec<Entry>,
    q: LibraryQuery,
    kinds: Vec<(&'static str, &'static str)>,
    disciplines: &'static [(&'static str, &'static str)],
    tags: Vec<String>,
    members: bool,
    sectors: &'static [&'static str],
    sizes: &'static [&'static str],
}

async fn library(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Query(q): Query<LibraryQuery>,
) -> AppResult<impl IntoResponse> {
    let reach = reach_of(&app, &viewer).await?;
    let now = Utc::now();
    let kind = q.kind.as_str();
    let filter = Filter {
        discipline: &q.discipline,
        tag: &q.tag,
        audience: &q.audience,
        kind: if kind == "article" || kind == "case_study" { "" } else { kind },
        supporter_id: "",
        sector: &q.sector,
        size_band: &q.size,
    };
    // Only case studies have a sector and a size.
    let case_studies_only = kind == "case_study" || !q.sector.is_empty() || !q.size.is_empty();
    let tz = app.config.timezone;
    let mut entries = Vec::new();
    let mut tag_lists = Vec::new();
    if kind.is_empty() || kind == "case_study" || case_studies_only {
        for c in store::case_studies(&app.db, &reach, &filter, now).await? {
            tag_lists.push(c.tags.clone());
            entries.push(Entry {
                kind: "Case study",
                url: format!("/case-studies/{}", c.slug),
                date: time::date(c.publish_at, tz),
                sort_at: c.publish_at,
                audience: audience_label(&c.audience),
                summary: format!("{} · {} · {} · {}", c.shown_organisation(), c.sector, c.size_band, c.region),
                title: c.title,
                downloads: None,
            });
        }
    }
    if (kind.is_empty() || kind == "article") && !case_studies_only {
        for a in store::articles(&app.db, &reach, &filter, now).await? {
            tag_lists.push(a.tags.clone());
            entries.push(Entry {
                kind: "Article",
                url: format!("/articles/{}", a.slug),
                date: time::date(a.publish_at, tz),
                sort_at: a.publish_at,
                audience: audience_label(&a.audience),
                title: a.title,
                summary: a.summary,
                downloads: None,
            });
        }
    }
    if kind != "article" && kind != "case_study" && !case_studies_only {
        for r in store::resources(&app.db, &reach, &filter, now).await? {
            tag_lists.push(r.tags.clone());
            entries.push(Entry {
                kind: kind_label(&r.kind),
                url: format!("/resources/{}", r.slug),
                date: time::date(r.publish_at, tz),
                sort_at: r.publish_at,
                audience: audience_label(&r.audience),
                summary: crate::web::markdown::to_plain(&r.description_md).chars().take(240).collect(),
                title: r.title,
                downloads: r.file_id.as_ref().map(|_| r.downloads),
            });
        }
    }
    match q.sort.as_str() {
        "title" => entries.sort_by_key(|e| e.title.to_lowercase()),
        "downloads" => entries.sort_by_key(|e| std::cmp::Reverse(e.downloads.unwrap_or(-1))),
        _ => entries.sort_by_key(|e| std::cmp::Reverse(e.sort_at)),
    }
    let mut kinds = vec![("article", "Article"), ("case_study", "Case study")];
    kinds.extend(RESOURCE_KINDS);
    render(&LibraryPage {
        page: page.titled("Library"),
        entries,
        tags: store::tags_of(tag_lists.iter().map(String::as_str)),
        q,
        kinds,
        disciplines: &DISCIPLINES,
        members: reach.members,
        sectors: &SECTORS,
        sizes: &SIZE_BANDS,
    })
}

#[derive(Template)]
#[template(path = "library/article.html")]
struct ArticlePage {
    page: Page,
    article: Article,
    date: String,
    date_iso: String,
    public: bool,
    url: String,
    helps_with: Vec<(String, String)>,
}

async fn article(State(app): State<App>, page: Page, viewer: Viewer, Path(slug): Path<String>) -> AppResult<Response> {
    let path = format!("/articles/{slug}");
    let article = store::article_by_slug(&app.db, &slug).await?.ok_or_else(|| refuse(&viewer, &path))?;
    if !may_open(&app, &viewer, &article.audience(), article.published, article.publish_at).await? {
        return Err(refuse(&viewer, &path));
    }
    let public = article.audience == "public" && article.published && article.publish_at <= Utc::now();
    let page = if public { page.titled(&article.title) } else { page.titled(&article.title).noindex() };
    Ok(render(&ArticlePage {
        page,
        date: time::date(article.publish_at, app.config.timezone),
        date_iso: time::machine(article.publish_at),
        url: app.config.link(&path),
        helps_with: crate::benchmark::helps_with(&app.db, "article", &article.id).await?,
        article,
        public,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "library/resource.html")]
struct ResourcePage {
    page: Page,
    resource: Resource,
    supporter: Option<String>,
    date: String,
    size: String,
    public: bool,
    url: String,
    helps_with: Vec<(String, String)>,
}

fn size_label(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes / 1024).max(1))
    }
}

async fn resource(State(app): State<App>, page: Page, viewer: Viewer, Path(slug): Path<String>) -> AppResult<Response> {
    let path = format!("/resources/{slug}");
    let resource = store::resource_by_slug(&app.db, &slug).await?.ok_or_else(|| refuse(&viewer, &path))?;
    if !may_open(&app, &viewer, &resource.audience(), resource.published, resource.publish_at).await? {
        return Err(refuse(&viewer, &path));
    }
    let supporter = match &resource.supporter_id {
        Some(id) => crate::content::supporter(&app.db, id).await?.map(|s| s.name),
        None => None,
    };
    let public = resource.audience == "public" && resource.published && resource.publish_at <= Utc::now();
    let page = if public { page.titled(&resource.title) } else { page.titled(&resource.title).noindex() };
    Ok(render(&ResourcePage {
        page,
        supporter,
        date: time::date(resource.publish_at, app.config.timezone),
        size: resource.file_size.map(size_label).unwrap_or_default(),
        url: app.config.link(&path),
        helps_with: crate::benchmark::helps_with(&app.db, "resource", &resource.id).await?,
        resource,
        public,
    })?
    .into_response())
}

/// Serves a resource's file, after the same check as its page, always as a download under a name we made.
async fn download(
    State(app): State<App>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let page_path = format!("/resources/{slug}");
    let resource = store::resource_by_slug(&app.db, &slug).await?.ok_or_else(|| refuse(&viewer, &page_path))?;
    if !may_open(&app, &viewer, &resource.audience(), resource.published, resource.publish_at).await? {
        return Err(refuse(&viewer, &page_path));
    }
    let (Some(file_id), Some(name)) = (&resource.file_id, &resource.file_name) else {
        return Err(AppError::NotFound);
    };
    let file = crate::content::private_file(&app.db, file_id).await?.ok_or(AppError::NotFound)?;
    store::count_download(&app.db, &resource.id).await?;
    let now = Utc::now();
    let public = resource.audience == "public"
        && policy::can_view_library_item(
            &Viewer::default(),
            policy::Publication::of(resource.published, resource.publish_at),
            now,
        );
    Ok(crate::web::files::send(
        &app.db,
        &headers,
        file,
        &[
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (
                header::CACHE_CONTROL,
                if public { "public, max-age=300".into() } else { "private, no-store".to_string() },
            ),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox".to_string()),
        ],
    ))
}

#[derive(Template)]
#[template(path = "library/case_study.html")]
struct CaseStudyPage {
    page: Page,
    case: CaseStudy,
    organisation: String,
    meeting: Option<(String, String)>,
    resources: Vec<Resource>,
    contacts: Option<Vec<(String, Option<String>)>>,
    date: String,
    public: bool,
    url: String,
    helps_with: Vec<(String, String)>,
}

async fn case_study(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let path = format!("/case-studies/{slug}");
    let case = store::case_study_by_slug(&app.db, &slug).await?.ok_or_else(|| refuse(&viewer, &path))?;
    if !may_open(&app, &viewer, &case.audience(), case.published, case.publish_at).await? {
        return Err(refuse(&viewer, &path));
    }
    let now = Utc::now();
    let mine = groups::my_groups(&app.db, &viewer).await?;
    // The meeting it was presented at, if the viewer may see that meeting at all.
    let meeting = match &case.meeting_id {
        Some(id) => crate::meetings::meeting(&app.db, id).await?.filter(|m| {
            let in_group = m.group_id.as_ref().is_some_and(|g| mine.contains(g));
            policy::meeting_view(&viewer, &m.audience(), m.status(), in_group, now) != policy::MeetingView::Hidden
        }),
        None => None,
    }
    .map(|m| (m.slug, m.title));
    // Related resources, as far as the viewer reaches.
    let reach = reach_of(&app, &viewer).await?;
    let linked = store::case_study_resource_ids(&app.db, &case.id).await?;
    let resources = store::resources(&app.db, &reach, &Filter::default(), now)
        .await?
        .into_iter()
        .filter(|r| linked.contains(&r.id))
        .collect();
    // The people willing to talk are members' details: members only, even on a public case study.
    let contacts = if policy::can_enter_members_area(&viewer, now) {
        let me = viewer.user.as_ref().map(|u| u.id.as_str());
        let contacts = store::case_study_contacts(&app.db, &case.id).await?;
        // Members write to them through private messages: no one's e-mail address is shown.
        Some(
            contacts
                .into_iter()
                .map(|(id, name, _)| (name, (Some(id.as_str()) != me).then(|| crate::messages::write_to(&id))))
                .collect(),
        )
    } else {
        None
    };
    let public = case.audience == "public" && case.published && case.publish_at <= now;
    let page = if public { page.titled(&case.title) } else { page.titled(&case.title).noindex() };
    Ok(render(&CaseStudyPage {
        page,
        organisation: case.shown_organisation(),
        date: time::date(case.publish_at, app.config.timezone),
        url: app.config.link(&path),
        meeting,
        resources,
        contacts,
        helps_with: crate::benchmark::helps_with(&app.db, "case_study", &case.id).await?,
        case,
        public,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "library/feed.xml")]
struct Feed {
    site: String,
    site_name: String,
    updated: String,
    entries: Vec<(Article, String, String)>,
}

/// Atom feed of public articles only: members' and groups' articles never reach a feed.
async fn feed(State(app): State<App>) -> AppResult<Response> {
    let articles = store::articles(&app.db, &policy::Reach::default(), &Filter::default(), Utc::now()).await?;
    let updated = articles.iter().map(|a| a.updated_at).max().unwrap_or_else(Utc::now).to_rfc3339();
    let entries = articles
        .into_iter()
        .take(50)
        .map(|a| {
            let url = app.config.link(&format!("/articles/{}", a.slug));
            let at = a.publish_at.to_rfc3339();
            (a, url, at)
        })
        .collect();
    let body = Feed { site: app.config.link(""), site_name: app.config.title.clone(), updated, entries }.render()?;
    Ok(([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], body).into_response())
}
