//! The benchmark through the API. So far: the framework, public.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::App;
use crate::api::problem::{ApiResult, Problem};
use crate::web::AppError;

#[derive(utoipa::OpenApi)]
#[openapi(paths(framework))]
pub struct Doc;

pub fn routes() -> axum::Router<App> {
    axum::Router::new().route("/api/v1/benchmark/framework", axum::routing::get(framework))
}

#[derive(Serialize, ToSchema)]
pub struct QuestionOut {
    pub id: String,
    pub key: String,
    pub text: String,
    /// The five level descriptors, 1 (reactive) to 5 (flexibility as normal).
    pub levels: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DimensionOut {
    pub id: String,
    /// Kept across versions.
    pub key: String,
    pub name: String,
    pub questions: Vec<QuestionOut>,
}

#[derive(Serialize, ToSchema)]
pub struct FrameworkOut {
    pub version: i64,
    pub published_at: Option<DateTime<Utc>>,
    /// The five maturity levels' names, 1 to 5.
    pub level_names: Vec<String>,
    pub dimensions: Vec<DimensionOut>,
}

#[utoipa::path(get, path = "/api/v1/benchmark/framework", tag = "benchmark",
    responses((status = 200, body = FrameworkOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn framework(State(app): State<App>) -> ApiResult<Json<FrameworkOut>> {
    let f = super::current(&app.db).await?.ok_or(AppError::NotFound)?;
    Ok(Json(FrameworkOut {
        version: f.version,
        published_at: f.published_at,
        level_names: super::framework::LEVELS.iter().map(|l| l.to_string()).collect(),
        dimensions: f
            .dimensions
            .into_iter()
            .map(|d| DimensionOut {
                id: d.id,
                key: d.key,
                name: d.name,
                questions: d
                    .questions
                    .into_iter()
                    .map(|q| QuestionOut { id: q.id, key: q.key, text: q.text, levels: q.levels })
                    .collect(),
            })
            .collect(),
    }))
}
