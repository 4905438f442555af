//! The benchmark: a Smart Working self-assessment against a code of practice (DOMAIN.md, "Benchmark"),
//! compared with peers and high performers, each organisation's own figures kept private. Being built (issue
//! 18): so far the framework (`framework`, its first version as data, published on start; read at
//! `/benchmark/framework` and `GET /api/v1/benchmark/framework`) and the arithmetic (`scores`); assessments,
//! peers, charts and advice follow.

pub mod framework;
pub mod scores;

mod api;
mod routes;
mod store;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;

use crate::App;
use crate::feature::{Feature, Outcome};

/// The benchmark, as the program's list of features sees it.
pub struct Benchmark;

impl Feature for Benchmark {
    fn name(&self) -> &'static str {
        "benchmark"
    }

    fn on_start<'a>(&'a self, db: &'a crate::db::Db) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async move { Ok(store::publish_first(db, Utc::now()).await?) })
    }

    fn pages(&self, _app: &App) -> axum::Router<App> {
        routes::routes()
    }

    fn api(&self) -> Option<(axum::Router<App>, utoipa::openapi::OpenApi)> {
        Some((api::routes(), <api::Doc as utoipa::OpenApi>::openapi()))
    }
}

/// A published version of the framework, whole.
pub struct Framework {
    pub id: String,
    pub version: i64,
    pub published_at: Option<DateTime<Utc>>,
    pub dimensions: Vec<Dimension>,
}

pub struct Dimension {
    pub id: String,
    pub key: String,
    pub name: String,
    pub questions: Vec<Question>,
}

pub struct Question {
    pub id: String,
    pub key: String,
    pub text: String,
    /// The five level descriptors, 1 to 5.
    pub levels: Vec<String>,
}

/// The latest published version, with its dimensions and questions in order.
pub async fn current(db: &crate::db::Db) -> Result<Option<Framework>, sqlx::Error> {
    let Some(row) = store::published(db).await? else { return Ok(None) };
    let mut questions = store::questions(db, &row.id).await?;
    let dimensions = store::dimensions(db, &row.id)
        .await?
        .into_iter()
        .map(|d| {
            let (mine, rest): (Vec<_>, Vec<_>) = questions.drain(..).partition(|q| q.dimension_id == d.id);
            questions = rest;
            Dimension {
                questions: mine
                    .into_iter()
                    .map(|q| Question { levels: q.levels(), id: q.id, key: q.key, text: q.text })
                    .collect(),
                id: d.id,
                key: d.key,
                name: d.name,
            }
        })
        .collect();
    Ok(Some(Framework { id: row.id, version: row.version.unwrap_or(0), published_at: row.published_at, dimensions }))
}
