//! The benchmark: a Smart Working self-assessment against a code of practice (DOMAIN.md, "Benchmark"),
//! compared with peers and high performers, each organisation's own figures kept private. `framework` (the first
//! version as data, published on start), `scores` (the arithmetic, pure), `service` (assessing, peers, advice),
//! `charts` (the report's geometry, pure), pages in `routes` and `admin`, the API in `api`.

pub mod framework;
pub mod scores;

mod admin;
mod api;
mod charts;
mod demo;
mod editor;
mod measures;
mod model;
mod routes;
mod service;
mod store;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;

use serde_json::json;

use crate::App;
use crate::db::Tx;
use crate::feature::{Evidence, Feature, Outcome, Person, Waiting};

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
        routes::routes().merge(admin::routes()).merge(editor::routes())
    }

    /// The organisation's submitted assessments (each of its members reads them), each with its overall score
    /// and the change since the one before on the same framework version.
    fn evidence<'a>(
        &'a self,
        app: &'a App,
        organisation_id: &'a str,
        _person_id: &'a str,
    ) -> BoxFuture<'a, Outcome<Vec<Evidence>>> {
        Box::pin(async move {
            let mut submitted: Vec<model::AssessmentRow> = store::assessments_of(&app.db, organisation_id)
                .await?
                .into_iter()
                .filter(|a| a.submitted_at.is_some())
                .collect();
            submitted.sort_by_key(|a| a.submitted_at);
            let mut out = Vec::new();
            let mut before: Option<(String, f64)> = None;
            for a in submitted {
                let Some(framework) = version(&app.db, &a.framework_id).await? else { continue };
                let levels =
                    store::answers(&app.db, &a.id).await?.into_iter().map(|x| (x.question_id, x.level)).collect();
                let Some(overall) = service::score(&framework, &levels).overall else { continue };
                let change = match &before {
                    Some((f, b)) if *f == a.framework_id => format!(", from {b:.1} at the assessment before"),
                    _ => String::new(),
                };
                out.push(Evidence {
                    kind: "benchmark",
                    id: a.id.clone(),
                    label: format!("Benchmark self-assessment, {}", a.quarter.clone().unwrap_or_default()),
                    detail: format!("Overall {overall:.1} of 5 against the code of practice{change}."),
                    public_link: None,
                });
                before = Some((a.framework_id, overall));
            }
            out.reverse();
            Ok(out)
        })
    }

    fn waiting<'a>(&'a self, app: &'a App, now: DateTime<Utc>) -> BoxFuture<'a, Outcome<Vec<Waiting>>> {
        Box::pin(async move {
            let since = now.checked_sub_months(chrono::Months::new(service::PEER_MONTHS)).unwrap_or(now);
            let (submitted, drafts) = store::counts(&app.db, since).await?;
            Ok(vec![Waiting {
                title: "Benchmark",
                count: submitted,
                summary: format!(
                    "Organisations with an assessment in the last {} months ({drafts} drafts open). Their own \
                     answers are theirs: organisers see the network's figures in aggregate.",
                    service::PEER_MONTHS
                ),
                details: Vec::new(),
                path: "/admin/benchmark".into(),
                decision: false,
            }])
        })
    }

    fn export<'a>(&'a self, app: &'a App, person: &'a Person) -> BoxFuture<'a, Outcome<Option<serde_json::Value>>> {
        Box::pin(async move {
            let answers: Vec<serde_json::Value> = store::answers_by(&app.db, &person.id)
                .await?
                .into_iter()
                .map(|a| {
                    json!({"assessment": a.assessment_id, "question": a.question, "level": a.level,
                           "evidence": a.evidence, "link": a.link, "answered_at": a.answered_at})
                })
                .collect();
            let willing = store::willing(&app.db, &person.id).await?;
            if answers.is_empty() && willing.is_empty() {
                return Ok(None);
            }
            Ok(Some(json!({"answers_given": answers, "willing_to_talk_about": willing})))
        })
    }

    fn erase<'a>(&'a self, _app: &'a App, tx: &'a mut Tx, person: &'a Person) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async move { Ok(store::erase(tx, &person.id).await?) })
    }

    fn demo<'a>(&'a self, app: &'a App, _organiser_id: &'a str) -> BoxFuture<'a, Outcome<Option<String>>> {
        Box::pin(async move { Ok(Some(demo::load(app).await?)) })
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

/// The dimensions organisers tagged a library item with ("this resource helps with Workplace and property"),
/// as (key, name): `kind` is `article`, `resource` or `case_study`.
pub async fn helps_with(db: &crate::db::Db, kind: &str, item_id: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    Ok(store::tagged_dimensions(db, kind, item_id).await?.into_iter().map(|d| (d.key, d.name)).collect())
}

/// The latest published version, with its dimensions and questions in order.
pub async fn current(db: &crate::db::Db) -> Result<Option<Framework>, sqlx::Error> {
    match store::published(db).await? {
        Some(row) => Ok(Some(whole(db, row).await?)),
        None => Ok(None),
    }
}

/// A published version by its number.
pub async fn published_version(db: &crate::db::Db, version: i64) -> Result<Option<Framework>, sqlx::Error> {
    match store::published_number(db, version).await? {
        Some(row) => Ok(Some(whole(db, row).await?)),
        None => Ok(None),
    }
}

/// The version an assessment was made on.
pub async fn version(db: &crate::db::Db, id: &str) -> Result<Option<Framework>, sqlx::Error> {
    match store::framework_row(db, id).await? {
        Some(row) => Ok(Some(whole(db, row).await?)),
        None => Ok(None),
    }
}

async fn whole(db: &crate::db::Db, row: store::FrameworkRow) -> Result<Framework, sqlx::Error> {
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
    Ok(Framework { id: row.id, version: row.version.unwrap_or(0), published_at: row.published_at, dimensions })
}

impl Framework {
    pub fn dimension(&self, key: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.key == key)
    }

    pub fn question(&self, id: &str) -> Option<(&Dimension, &Question)> {
        self.dimensions.iter().find_map(|d| d.questions.iter().find(|q| q.id == id).map(|q| (d, q)))
    }
}
