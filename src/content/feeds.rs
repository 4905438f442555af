//! For machines: the Atom feed of news, `/sitemap.xml` and `/robots.txt`. Only public items appear.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use super::routes::NewsView;
use super::store;
use crate::App;
use crate::web::AppResult;

#[derive(Template)]
#[template(path = "content/feed.xml")]
struct Feed {
    site_name: String,
    base: String,
    updated: String,
    news: Vec<NewsView>,
}

pub async fn news_feed(State(app): State<App>) -> AppResult<Response> {
    let items = store::public_news(&app.db, Utc::now(), 50).await?;
    let updated = items.iter().map(|n| n.updated_at.max(n.publish_at)).max().unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let feed = Feed {
        site_name: app.config.title.clone(),
        base: app.config.link(""),
        updated: updated.to_rfc3339(),
        news: items.into_iter().map(|n| NewsView::new(n, &app)).collect(),
    };
    Ok(([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], feed.render()?).into_response())
}

#[derive(Template)]
#[template(path = "content/sitemap.xml")]
struct SitemapXml {
    urls: Vec<String>,
}

pub async fn sitemap_xml(State(app): State<App>) -> AppResult<Response> {
    let mut paths: Vec<String> =
        ["/", "/about", "/supporters", "/people", "/news", "/newsletters", "/subscribe", "/sitemap"]
            .iter()
            .map(|p| p.to_string())
            .collect();
    for page in store::published_pages(&app.db).await? {
        if page.slug != "home" && page.slug != "about" {
            paths.push(format!("/pages/{}", page.slug));
        }
    }
    paths.push("/meetings".to_string());
    for m in crate::meetings::listed(&app.db, true, Utc::now() - chrono::Duration::days(365)).await? {
        if m.is_open() {
            paths.push(format!("/meetings/{}", m.slug));
        }
    }
    for item in store::public_news(&app.db, Utc::now(), 10_000).await? {
        paths.push(format!("/news/{}", item.slug));
    }
    // The library as a visitor reaches it: public items only.
    paths.push("/library".to_string());
    let (visitor, all) = (crate::auth::policy::Reach::default(), crate::library::Filter::default());
    for a in crate::library::articles(&app.db, &visitor, &all, Utc::now()).await? {
        paths.push(format!("/articles/{}", a.slug));
    }
    for r in crate::library::resources(&app.db, &visitor, &all, Utc::now()).await? {
        paths.push(format!("/resources/{}", r.slug));
    }
    paths.extend(crate::toolkit::public_paths(&app.db).await?);
    paths.push("/benchmark".to_string());
    paths.push("/benchmark/framework".to_string());
    paths.extend(crate::awards::public_paths(&app.db).await?);
    for c in crate::library::case_studies(&app.db, &visitor, &all, Utc::now()).await? {
        paths.push(format!("/case-studies/{}", c.slug));
    }
    let urls = paths.iter().map(|p| app.config.link(p)).collect();
    Ok(([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], SitemapXml { urls }.render()?).into_response())
}

pub async fn robots(State(app): State<App>) -> Response {
    let body = format!(
        "User-agent: *\nDisallow: /admin\nDisallow: /account\nDisallow: /sign-in\nDisallow: /password\nDisallow: /setup\n\
         Disallow: /forum\nDisallow: /search\nDisallow: /members\nDisallow: /organisations\nDisallow: /groups\n\
         Disallow: /notifications\nDisallow: /application\nDisallow: /membership\nDisallow: /registrations\n\
         Disallow: /calendar\nDisallow: /unsubscribe\nDisallow: /email/\nDisallow: /subscribe/confirm/\n\nSitemap: {}\n",
        app.config.link("/sitemap.xml")
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}
