//! Reading through the API: public news, library articles within the caller's reach, search, and the token
//! holder's own profile.

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::meetings::limit;
use super::problem::{ApiResult, Problem};
use crate::App;
use crate::auth::{Viewer, policy};
use crate::library::routes::{may_open, reach_of, refuse};
use crate::library::store as library;
use crate::membership::groups;
use crate::web::AppError;

#[derive(Serialize, ToSchema)]
pub struct NewsOut {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub published_at: DateTime<Utc>,
    pub url: String,
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

#[derive(Serialize, ToSchema)]
pub struct HitOut {
    /// `Forum`, `Article`, `Resource`, `Case study` or `Meeting`.
    pub kind: String,
    pub title: String,
    pub url: String,
    /// Escaped text around the words, with the words in `<mark>`.
    pub snippet_html: String,
    pub meta: String,
}

#[derive(Serialize, ToSchema)]
pub struct Named {
    pub slug: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub email: String,
    /// `member`, `moderator`, `organiser` or `applicant`.
    pub role: String,
    pub job_title: String,
    pub organisation: Option<Named>,
    /// The end of the current twelve-month membership term.
    pub membership_ends_at: Option<DateTime<Utc>>,
    /// Whether the membership is current (the members' area is open to this person).
    pub active: bool,
    pub groups: Vec<Named>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// How many at most (1 to 100, default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The words to find (at most 200 characters are read).
    pub q: String,
    /// Narrow to one kind: `forum`, `article`, `resource`, `case_study` or `meeting`.
    pub kind: Option<String>,
}

/// Published news, newest first.
#[utoipa::path(get, path = "/api/v1/news", tag = "news", params(ListQuery), security((), ("token" = [])),
    responses((status = 200, body = Vec<NewsOut>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn news(State(app): State<App>, Query(q): Query<ListQuery>) -> ApiResult<Json<Vec<NewsOut>>> {
    let limit = limit(q.limit)?;
    let items = crate::content::store::public_news(&app.db, Utc::now(), limit as i64).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|n| NewsOut {
                url: app.config.link(&format!("/news/{}", n.slug)),
                slug: n.slug,
                title: n.title,
                summary: n.summary,
                body_html: n.body_html,
                published_at: n.publish_at,
            })
            .collect(),
    ))
}

fn article_out(app: &App, a: crate::library::model::Article, with_body: bool) -> ArticleOut {
    ArticleOut {
        url: app.config.link(&format!("/articles/{}", a.slug)),
        disciplines: crate::library::model::split_list(&a.disciplines),
        tags: crate::library::model::split_list(&a.tags),
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
    let found = library::articles(&app.db, &reach, &Default::default(), Utc::now()).await?;
    Ok(Json(found.into_iter().take(limit).map(|a| article_out(&app, a, false)).collect()))
}

#[utoipa::path(get, path = "/api/v1/articles/{slug}", tag = "library",
    params(("slug" = String, Path, description = "The article's slug")), security((), ("token" = [])),
    responses((status = 200, body = ArticleOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn article(State(app): State<App>, viewer: Viewer, Path(slug): Path<String>) -> ApiResult<Json<ArticleOut>> {
    let article = library::article_by_slug(&app.db, &slug).await?.ok_or(AppError::NotFound)?;
    // The site's own rule: drafts (and scheduled ones) are not found; members-only ones need a member.
    if !may_open(&app, &viewer, &article.audience(), article.published, article.publish_at).await? {
        return Err(refuse(&viewer, "").into());
    }
    Ok(Json(article_out(&app, article, true)))
}

/// Searches what the caller may see: without a token, the public library and open meetings; with a member's
/// token, the forum and members' items too.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams), security((), ("token" = [])),
    responses((status = 200, body = Vec<HitOut>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn search(
    State(app): State<App>,
    viewer: Viewer,
    Query(p): Query<SearchParams>,
) -> ApiResult<Json<Vec<HitOut>>> {
    let kind = p.kind.unwrap_or_default();
    if !crate::search::KINDS.iter().any(|(k, _)| *k == kind) {
        return Err(Problem::new(
            axum::http::StatusCode::BAD_REQUEST,
            "kind must be forum, article, resource, case_study or meeting.",
        )
        .into());
    }
    let query = crate::search::SearchQuery { q: p.q, kind, ..Default::default() };
    let found = crate::search::find(&app, &viewer, &query).await?;
    Ok(Json(
        found
            .hits
            .into_iter()
            .map(|h| HitOut {
                kind: h.kind.into(),
                title: h.title,
                url: app.config.link(&h.url),
                snippet_html: h.snippet,
                meta: h.meta,
            })
            .collect(),
    ))
}

/// The token holder's own profile.
#[utoipa::path(get, path = "/api/v1/me", tag = "me", security(("token" = [])),
    responses((status = 200, body = Profile), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn me(State(app): State<App>, viewer: Viewer) -> ApiResult<Json<Profile>> {
    policy::require(&viewer, policy::can_manage_own_account(&viewer), "")?;
    let user = viewer.user.as_ref().ok_or(AppError::Forbidden)?;
    let row = crate::auth::store::user_by_id(&app.db, &user.id).await?.ok_or(AppError::NotFound)?;
    let organisation = match &user.organisation_id {
        Some(id) => {
            crate::membership::store::organisation(&app.db, id).await?.map(|o| Named { slug: o.slug, name: o.name })
        }
        None => None,
    };
    let mine = groups::active_group_ids(&app.db, &user.id).await?;
    let groups = groups::all_groups(&app.db)
        .await?
        .into_iter()
        .filter(|g| mine.contains(&g.id))
        .map(|g| Named { slug: g.slug, name: g.name })
        .collect();
    Ok(Json(Profile {
        id: user.id.clone(),
        name: user.name.clone(),
        email: user.email.clone(),
        role: user.role.as_str().into(),
        job_title: row.job_title,
        organisation,
        membership_ends_at: user.membership_ends_at,
        active: policy::can_enter_members_area(&viewer, Utc::now()),
        groups,
    }))
}
