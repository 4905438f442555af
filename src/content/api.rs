//! The network's news through the API.

use axum::extract::{Query, State};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::App;
use crate::api::problem::{ApiResult, Problem};
use crate::api::{ListQuery, limit};

#[derive(OpenApi)]
#[openapi(paths(news))]
pub(super) struct Doc;

pub(super) fn routes() -> Router<App> {
    Router::new().route("/api/v1/news", axum::routing::get(news))
}

#[derive(Serialize, ToSchema)]
pub struct NewsOut {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub published_at: DateTime<Utc>,
    pub url: String,
}

/// Published news, newest first.
#[utoipa::path(get, path = "/api/v1/news", tag = "news", params(ListQuery), security((), ("token" = [])),
    responses((status = 200, body = Vec<NewsOut>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn news(State(app): State<App>, Query(q): Query<ListQuery>) -> ApiResult<Json<Vec<NewsOut>>> {
    let limit = limit(q.limit)?;
    let items = super::store::public_news(&app.db, Utc::now(), limit as i64).await?;
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
