//! Library articles through the API, within the caller's reach by the site's own rules.

use axum::extract::{Path, Query, State};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use super::routes::{may_open, reach_of, refuse};
use super::{model, store};
use crate::App;
use crate::api::problem::{ApiResult, Problem};
use crate::api::{ListQuery, limit};
use crate::auth::Viewer;

#[derive(OpenApi)]
#[openapi(paths(articles, article))]
pub(super) struct Doc;

pub(super) fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/articles", axum::routing::get(articles))
        .route("/api/v1/articles/{slug}", axum::routing::get(article))
}

#[derive(Serialize, ToSchema)]
pub struct ArticleOut {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub author: String,
    /// `public`, `members` or `group`.
    pub audience: String,
    pub disciplines: Vec<String>,
    pub tags: Vec<String>,
    pub published_at: DateTime<Utc>,
    pub url: String,
    /// The text as safe HTML (only when one article is asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_html: Option<String>,
}

fn article_out(app: &App, a: model::Article, with_body: bool) -> ArticleOut {
    ArticleOut {
        url: app.config.link(&format!("/articles/{}", a.slug)),
        disciplines: model::split_list(&a.disciplines),
        tags: model::split_list(&a.tags),
        body_html: with_body.then_some(a.body_html),
        slug: a.slug,
        title: a.title,
        summary: a.summary,
        author: a.author_name,
        audience: a.audience,
        published_at: a.publish_at,
    }
}

/// Articles the caller may read (public ones without a token), newest first.
#[utoipa::path(get, path = "/api/v1/articles", tag = "library", params(ListQuery), security((), ("token" = [])),
    responses((status = 200, body = Vec<ArticleOut>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn articles(
    State(app): State<App>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<ArticleOut>>> {
    let limit = limit(q.limit)?;
    let reach = reach_of(&app, &viewer).await?;
    let found = store::articles(&app.db, &reach, &Default::default(), Utc::now()).await?;
    Ok(Json(found.into_iter().take(limit).map(|a| article_out(&app, a, false)).collect()))
}

#[utoipa::path(get, path = "/api/v1/articles/{slug}", tag = "library",
    params(("slug" = String, Path, description = "The article's slug")), security((), ("token" = [])),
    responses((status = 200, body = ArticleOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn article(State(app): State<App>, viewer: Viewer, Path(slug): Path<String>) -> ApiResult<Json<ArticleOut>> {
    // The site's own rule: members-only articles need a member, and to a caller without a token one that does
    // not exist (or is not yet published) answers as they do, so that its title cannot be guessed at.
    let article = store::article_by_slug(&app.db, &slug).await?.ok_or_else(|| refuse(&viewer, ""))?;
    if !may_open(&app, &viewer, &article.audience(), article.published, article.publish_at).await? {
        return Err(refuse(&viewer, "").into());
    }
    Ok(Json(article_out(&app, article, true)))
}
