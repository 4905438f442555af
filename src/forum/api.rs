//! The members' forum through the API: categories, topics and their posts, new topics and replies. Every
//! check is the forum's own (`forum::routes`), so a token reaches exactly what its holder's pages do.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{PagePost, Topic};
use super::routes::{
    POSTS_PER_PAGE, category_of, check_topic, member, readers, shown_author, topic_of, visible_categories,
};
use super::{service, store};
use crate::App;
use crate::api::problem::{ApiResult, Problem, checked, json_body};
use crate::auth::{Viewer, policy};
use crate::web::{AppError, FieldErrors};

#[derive(utoipa::OpenApi)]
#[openapi(paths(categories, topics, new_topic, topic, reply))]
pub(super) struct Doc;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/api/v1/forum/categories", axum::routing::get(categories))
        .route("/api/v1/forum/categories/{slug}/topics", axum::routing::get(topics).post(new_topic))
        .route("/api/v1/forum/topics/{id}", axum::routing::get(topic))
        .route("/api/v1/forum/topics/{id}/replies", axum::routing::post(reply))
}

#[derive(Serialize, ToSchema)]
pub struct CategoryOut {
    pub slug: String,
    pub name: String,
    pub description: String,
    /// A group's own category, read only by its members.
    pub group: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TopicOut {
    pub id: String,
    pub title: String,
    /// `question` or `discussion`.
    pub kind: String,
    /// The author's name, or the anonymous label an asker chose.
    pub author: String,
    pub replies: i64,
    pub answered: bool,
    pub locked: bool,
    pub pinned: bool,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    pub url: String,
}

#[derive(Serialize, ToSchema)]
pub struct PostOut {
    pub id: String,
    pub author: String,
    /// The post as safe HTML.
    pub body_html: String,
    /// The opening post of the topic.
    pub opening: bool,
    /// The answer the asker accepted.
    pub accepted: bool,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    /// How many members liked it (in a topic's page of posts).
    pub likes: i64,
    /// Whether the caller liked it.
    pub liked: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TopicDetail {
    pub topic: TopicOut,
    pub category: CategoryOut,
    /// Up to 50 posts, oldest first.
    pub posts: Vec<PostOut>,
    pub page: i64,
    pub pages: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopicsQuery {
    /// How many topics at most (1 to 100, default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// The highest `page` the API takes (the document says so).
const MAX_PAGE: u32 = 100_000;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Which page of 50 posts (from 1; past the last, the last).
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewTopic {
    /// Not blank (a character that is not white space is needed), and without NUL, which no text can hold.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000]*[^\u0000\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000]*$"
    )]
    pub title: String,
    /// Markdown; not blank, without NUL.
    #[schema(
        min_length = 1,
        max_length = 50000,
        pattern = r"^[^\u0000]*[^\u0000\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000]*$"
    )]
    pub body: String,
    /// `question` (the default) or `discussion`.
    #[schema(pattern = "^(question|discussion)$")]
    pub kind: Option<String>,
    /// Ask a question under an anonymous label (moderators still see who asked).
    pub anonymous: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewReply {
    /// Markdown; not blank, without NUL.
    #[schema(
        min_length = 1,
        max_length = 50000,
        pattern = r"^[^\u0000]*[^\u0000\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000]*$"
    )]
    pub body: String,
}

fn category_out(c: &crate::forum::model::Category) -> CategoryOut {
    CategoryOut {
        slug: c.slug.clone(),
        name: c.name.clone(),
        description: c.description.clone(),
        group: c.group_id.is_some(),
    }
}

fn topic_out(app: &App, viewer: &Viewer, t: &Topic) -> TopicOut {
    TopicOut {
        id: t.id.clone(),
        title: t.title.clone(),
        kind: t.kind.clone(),
        author: shown_author(viewer, t, t.author_id.as_deref(), t.author_name.as_deref()),
        replies: t.reply_count,
        answered: t.accepted_post_id.is_some(),
        locked: t.locked,
        pinned: t.pinned,
        created_at: t.created_at,
        last_activity_at: t.last_activity_at,
        url: app.config.link(&format!("/forum/t/{}", t.id)),
    }
}

fn post_out(viewer: &Viewer, t: &Topic, p: PagePost) -> PostOut {
    PostOut {
        author: shown_author(viewer, t, p.author_id.as_deref(), p.author_name.as_deref()),
        accepted: t.accepted_post_id.as_deref() == Some(p.id.as_str()),
        id: p.id,
        body_html: p.body_html,
        opening: p.opening,
        created_at: p.created_at,
        edited_at: p.edited_at,
        likes: p.likes,
        liked: p.liked,
    }
}

#[utoipa::path(get, path = "/api/v1/forum/categories", tag = "forum", security(("token" = [])),
    responses((status = 200, body = Vec<CategoryOut>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn categories(State(app): State<App>, viewer: Viewer) -> ApiResult<Json<Vec<CategoryOut>>> {
    member(&viewer, "")?;
    Ok(Json(visible_categories(&app, &viewer).await?.iter().map(category_out).collect()))
}

#[utoipa::path(get, path = "/api/v1/forum/categories/{slug}/topics", tag = "forum", security(("token" = [])),
    params(("slug" = String, Path, description = "The category's slug"), TopicsQuery),
    responses((status = 200, body = Vec<TopicOut>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn topics(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(q): Query<TopicsQuery>,
) -> ApiResult<Json<Vec<TopicOut>>> {
    let limit = crate::api::limit(q.limit)?;
    let category = category_of(&app, &viewer, &slug).await?;
    let user = member(&viewer, "")?;
    let found =
        store::topics(&app.db, &user.id, &category.id, None, policy::can_moderate(&viewer), 0, limit as i64).await?;
    Ok(Json(found.iter().map(|t| topic_out(&app, &viewer, t)).collect()))
}

#[utoipa::path(post, path = "/api/v1/forum/categories/{slug}/topics", tag = "forum", security(("token" = [])),
    params(("slug" = String, Path, description = "The category's slug")),
    request_body = NewTopic,
    responses((status = 201, body = TopicOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn new_topic(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    let category = category_of(&app, &viewer, &slug).await?;
    policy::require(&viewer, policy::can_post(&viewer, Utc::now()), "")?;
    let user = member(&viewer, "")?;
    let form: NewTopic = json_body(&headers, body).await?;
    let kind = form.kind.unwrap_or_else(|| "question".into());
    let mut errors = FieldErrors::default();
    let (title, body) = check_topic(&mut errors, &form.title, &form.body, &kind);
    checked(errors)?;
    let allowed = readers(&app, &category).await?;
    let may_read = |id: &str| allowed.as_ref().is_none_or(|set| set.contains(id));
    let anonymous = form.anonymous.unwrap_or(false) && kind == "question";
    let draft = service::TopicDraft { title: &title, body: &body, kind: &kind, anonymous };
    let id = service::create_topic(&app, &user, &category, &draft, &may_read).await?;
    let topic = store::topic(&app.db, &user.id, &id).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(topic_out(&app, &viewer, &topic))))
}

#[utoipa::path(get, path = "/api/v1/forum/topics/{id}", tag = "forum", security(("token" = [])),
    params(("id" = String, Path, description = "The topic's id"), PageQuery),
    responses((status = 200, body = TopicDetail), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn topic(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<TopicDetail>> {
    let (topic, category) = topic_of(&app, &viewer, &id).await?;
    let total = store::count_posts(&app.db, &topic.id).await?;
    let pages = ((total + POSTS_PER_PAGE - 1) / POSTS_PER_PAGE).max(1);
    let page = match q.page.unwrap_or(1) {
        asked @ 1..=MAX_PAGE => i64::from(asked).min(pages),
        _ => {
            return Err(Problem::new(StatusCode::BAD_REQUEST, format!("page must be between 1 and {MAX_PAGE}.")).into());
        }
    };
    let moderator = policy::can_moderate(&viewer);
    let reader = member(&viewer, "")?;
    let marks = store::marks(&app.db, &reader.id, &topic.id).await?;
    let posts = store::posts(&app.db, &topic.id, &marks, (page - 1) * POSTS_PER_PAGE, POSTS_PER_PAGE)
        .await?
        .into_iter()
        .filter(|p| !p.hidden || moderator)
        .map(|p| post_out(&viewer, &topic, p))
        .collect();
    Ok(Json(TopicDetail {
        topic: topic_out(&app, &viewer, &topic),
        category: category_out(&category),
        posts,
        page,
        pages,
    }))
}

#[utoipa::path(post, path = "/api/v1/forum/topics/{id}/replies", tag = "forum", security(("token" = [])),
    params(("id" = String, Path, description = "The topic's id")),
    request_body = NewReply,
    responses((status = 201, body = PostOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn reply(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    let (topic, category) = topic_of(&app, &viewer, &id).await?;
    let user = member(&viewer, "")?;
    policy::require(&viewer, policy::can_post(&viewer, Utc::now()), "")?;
    if !policy::can_reply(&viewer, topic.replies(), Utc::now()) {
        return Err(Problem::new(StatusCode::CONFLICT, "This topic is locked: no more replies.").into());
    }
    let form: NewReply = json_body(&headers, body).await?;
    let mut errors = FieldErrors::default();
    let body = errors.required("body", "Your reply", &form.body, 50_000);
    checked(errors)?;
    let allowed = readers(&app, &category).await?;
    let may_read = |uid: &str| allowed.as_ref().is_none_or(|set| set.contains(uid));
    let post_id = service::reply(&app, &user, &topic, &body, &may_read).await?;
    let post = store::page_post(&app.db, &user.id, &post_id).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(post_out(&viewer, &topic, post))))
}
