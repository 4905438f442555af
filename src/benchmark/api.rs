//! The benchmark through the API, under the same policy as its pages: the framework (public), the caller's
//! organisation's assessments (its current members only), submitting, peer figures (withheld below five
//! organisations) and the values each filter takes.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::service::{self, Answer, AnswerFields, Filter, Reached};
use super::store;
use crate::App;
use crate::api::problem::{ApiResult, Problem, checked, json_body};
use crate::auth::{Viewer, policy};
use crate::membership::{SECTORS, SIZE_BANDS};
use crate::web::{AppError, FieldErrors};

#[derive(utoipa::OpenApi)]
#[openapi(paths(framework, start, list, show, answer, submit, peers, filters))]
pub struct Doc;

pub fn routes() -> axum::Router<App> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/benchmark/framework", get(framework))
        .route("/api/v1/benchmark/assessments", get(list).post(start))
        .route("/api/v1/benchmark/assessments/{id}", get(show))
        .route("/api/v1/benchmark/assessments/{id}/answers", post(answer))
        .route("/api/v1/benchmark/assessments/{id}/submit", post(submit))
        .route("/api/v1/benchmark/peers", get(peers))
        .route("/api/v1/benchmark/filters", get(filters))
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// A published version (an assessment's `framework_version`); the latest when absent. Read as a number
    /// and checked here, so any number outside the versions is a 404, never a parse error.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000000000)]
    pub version: Option<f64>,
}

/// The version asked for, or the latest.
async fn version_of(app: &App, version: Option<f64>) -> ApiResult<super::Framework> {
    let found = match version {
        Some(v) if v.fract() == 0.0 && (1.0..=1e9).contains(&v) => super::published_version(&app.db, v as i64).await?,
        Some(_) => None,
        None => super::current(&app.db).await?,
    };
    Ok(found.ok_or(AppError::NotFound)?)
}

#[utoipa::path(get, path = "/api/v1/benchmark/framework", tag = "benchmark", params(VersionQuery),
    responses((status = 200, body = FrameworkOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn framework(State(app): State<App>, Query(q): Query<VersionQuery>) -> ApiResult<Json<FrameworkOut>> {
    let f = version_of(&app, q.version).await?;
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BenchmarkAnswerIn {
    /// A question's id in the framework version of the assessment.
    pub question: String,
    /// 1 to 5, or null for "don't know".
    #[schema(minimum = 1, maximum = 5)]
    pub level: Option<i64>,
    #[schema(max_length = 4000, pattern = r"^[^\u0000]*$")]
    pub evidence: Option<String>,
    /// An http(s) address of the evidence.
    #[schema(max_length = 2000, pattern = r"^https?://[^\s\u0000]+$")]
    pub link: Option<String>,
}

/// At most this many answers in one request (a framework has at most 48 questions).
const MAX_ANSWERS: usize = 200;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BenchmarkAnswersIn {
    #[schema(max_items = 200)]
    pub answers: Vec<BenchmarkAnswerIn>,
}

fn too_many() -> crate::api::problem::ApiError {
    Problem::invalid(vec![crate::api::problem::FieldProblem {
        field: "answers".into(),
        message: format!("At most {MAX_ANSWERS} answers in one request."),
    }])
    .into()
}

#[derive(Serialize, ToSchema)]
pub struct ScoreOut {
    /// The dimension's id in this version.
    pub id: String,
    pub key: String,
    pub name: String,
    /// The mean of its answered levels to one decimal; null with fewer than half its questions answered.
    pub score: Option<f64>,
    pub answered: usize,
    pub dont_know: usize,
    pub questions: usize,
}

#[derive(Serialize, ToSchema)]
pub struct GivenOut {
    pub question: String,
    /// null for "don't know".
    pub level: Option<i64>,
    pub evidence: String,
    pub link: String,
    /// Who gave it (a colleague's name), if still known.
    pub answered_by: Option<String>,
    pub answered_at: DateTime<Utc>,
    /// Copied from the organisation's last assessment when this one started, not yet given again.
    pub carried_over: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MeasureOut {
    pub key: String,
    pub value: f64,
    pub unit: String,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct AssessmentOut {
    pub id: String,
    pub organisation: String,
    /// `draft`, `submitted` or `replaced` (by a later submission in the same quarter).
    pub status: String,
    pub framework_version: i64,
    /// "2026-Q4", once submitted.
    pub quarter: Option<String>,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The mean of the dimensions that have a score; null when none has.
    pub overall: Option<f64>,
    pub dimensions: Vec<ScoreOut>,
    pub answers: Vec<GivenOut>,
    pub measures: Vec<MeasureOut>,
    /// On submitting: the assessment of the same quarter this one replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced: Option<String>,
}

async fn out(app: &App, reached: &Reached) -> ApiResult<AssessmentOut> {
    let scores = reached.scores();
    let a = &reached.assessment;
    Ok(AssessmentOut {
        id: a.id.clone(),
        organisation: a.organisation_id.clone(),
        status: a.status().key().into(),
        framework_version: reached.framework.version,
        quarter: a.quarter.clone(),
        created_at: a.created_at,
        submitted_at: a.submitted_at,
        overall: scores.overall,
        dimensions: scores
            .dimensions
            .into_iter()
            .map(|d| ScoreOut {
                id: d.id,
                key: d.key,
                name: d.name,
                score: d.score,
                answered: d.answered,
                dont_know: d.dont_know,
                questions: d.questions,
            })
            .collect(),
        answers: reached
            .answers
            .iter()
            .map(|x| GivenOut {
                question: x.question_id.clone(),
                level: x.level,
                evidence: x.evidence.clone(),
                link: x.link.clone(),
                answered_by: x.answered_by_name.clone(),
                answered_at: x.answered_at,
                carried_over: x.carried_over,
            })
            .collect(),
        measures: store::measures(&app.db, &a.id)
            .await?
            .into_iter()
            .map(|m| MeasureOut {
                unit: super::measures::named(&m.key).map(|d| d.unit.to_string()).unwrap_or_default(),
                key: m.key,
                value: m.value,
                note: m.note,
            })
            .collect(),
        replaced: None,
    })
}

/// Checks every answer first (each message under `answers[i].field`), then saves them one by one.
async fn save_answers(app: &App, reached: &Reached, by: &str, answers: &[BenchmarkAnswerIn]) -> ApiResult<()> {
    let mut checked_answers = Vec::new();
    let mut problems = Vec::new();
    for (i, a) in answers.iter().enumerate() {
        let f = AnswerFields {
            question: a.question.clone(),
            level: a.level.map_or_else(|| "dont_know".into(), |l| l.to_string()),
            evidence: a.evidence.clone().unwrap_or_default(),
            link: a.link.clone().unwrap_or_default(),
        };
        let mut errors = FieldErrors::default();
        match service::check_answer(&mut errors, &reached.framework, &f) {
            Some(answer) => checked_answers.push((f.question, answer)),
            None => problems.extend(errors.messages().into_iter().map(|(field, m)| {
                crate::api::problem::FieldProblem { field: format!("answers[{i}].{field}"), message: m.clone() }
            })),
        }
    }
    if !problems.is_empty() {
        return Err(Problem::invalid(problems).into());
    }
    for (question, answer) in &checked_answers {
        if matches!(answer, Answer::Given { .. }) {
            service::save_answer(app, reached, by, answer, question).await?;
        }
    }
    Ok(())
}

fn me(viewer: &Viewer) -> ApiResult<crate::auth::User> {
    Ok(viewer.user.clone().ok_or(AppError::SignInRequired(String::new()))?)
}

#[utoipa::path(post, path = "/api/v1/benchmark/assessments", tag = "benchmark", security(("token" = [])),
    request_body = BenchmarkAnswersIn,
    responses((status = 201, body = AssessmentOut, description = "A draft was started"),
        (status = 200, body = AssessmentOut, description = "The organisation's open draft, with these answers saved"),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn start(
    State(app): State<App>,
    viewer: Viewer,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    let org = service::my_organisation(&app, &viewer).await?;
    let user = me(&viewer)?;
    let input: BenchmarkAnswersIn = json_body(&headers, body).await?;
    if input.answers.len() > MAX_ANSWERS {
        return Err(too_many());
    }
    let (id, created) = service::start(&app, &org.id, &user.id, false).await?;
    let reached = service::reach(&app, &viewer, &id).await?;
    save_answers(&app, &reached, &user.id, &input.answers).await?;
    let reached = service::reach(&app, &viewer, &id).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(out(&app, &reached).await?)))
}

#[utoipa::path(get, path = "/api/v1/benchmark/assessments", tag = "benchmark", security(("token" = [])),
    responses((status = 200, body = Vec<AssessmentOut>, description = "The caller's organisation's assessments, the newest first"),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn list(State(app): State<App>, viewer: Viewer) -> ApiResult<Json<Vec<AssessmentOut>>> {
    let org = service::my_organisation(&app, &viewer).await?;
    let mut all = Vec::new();
    for a in store::assessments_of(&app.db, &org.id).await? {
        let reached = service::reach(&app, &viewer, &a.id).await?;
        all.push(out(&app, &reached).await?);
    }
    Ok(Json(all))
}

#[utoipa::path(get, path = "/api/v1/benchmark/assessments/{id}", tag = "benchmark", security(("token" = [])),
    params(("id" = String, Path, description = "The assessment's id")),
    responses((status = 200, body = AssessmentOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn show(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> ApiResult<Json<AssessmentOut>> {
    let reached = service::reach(&app, &viewer, &id).await?;
    Ok(Json(out(&app, &reached).await?))
}

#[utoipa::path(post, path = "/api/v1/benchmark/assessments/{id}/answers", tag = "benchmark", security(("token" = [])),
    params(("id" = String, Path, description = "The assessment's id (a draft)")),
    request_body = BenchmarkAnswersIn,
    responses((status = 200, body = AssessmentOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn answer(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<AssessmentOut>> {
    let reached = service::reach(&app, &viewer, &id).await?;
    let user = me(&viewer)?;
    let input: BenchmarkAnswersIn = json_body(&headers, body).await?;
    if input.answers.len() > MAX_ANSWERS {
        return Err(too_many());
    }
    save_answers(&app, &reached, &user.id, &input.answers).await?;
    Ok(Json(out(&app, &service::reach(&app, &viewer, &id).await?).await?))
}

#[utoipa::path(post, path = "/api/v1/benchmark/assessments/{id}/submit", tag = "benchmark", security(("token" = [])),
    params(("id" = String, Path, description = "The assessment's id (a draft)")),
    responses((status = 200, body = AssessmentOut, description = "Submitted; `replaced` names the one of the same quarter it replaced"),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn submit(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> ApiResult<Json<AssessmentOut>> {
    let reached = service::reach(&app, &viewer, &id).await?;
    let user = me(&viewer)?;
    let replaced = service::submit(&app, &reached, &user.id).await?;
    let mut done = out(&app, &service::reach(&app, &viewer, &id).await?).await?;
    done.replaced = replaced;
    Ok(Json(done))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeersQuery {
    /// A published version; the latest when absent. Peers are compared only within one version.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000000000)]
    pub version: Option<f64>,
    /// One of the values `GET /api/v1/benchmark/filters` lists; at most one of sector, size_band and region.
    pub sector: Option<String>,
    pub size_band: Option<String>,
    pub region: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PeerDimensionOut {
    pub id: String,
    pub key: String,
    pub name: String,
    /// How many organisations scored this dimension.
    pub n: usize,
    /// null when fewer than ten organisations scored it (from five, the 10th percentile and the lower quartile
    /// together would give the lowest score away); likewise `p90`.
    pub p10: Option<f64>,
    /// null, like the median and `p75`, when fewer than five organisations scored it.
    pub p25: Option<f64>,
    pub median: Option<f64>,
    pub p75: Option<f64>,
    pub p90: Option<f64>,
    /// null when fewer than five high performers scored it.
    pub high_performers_median: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct PeersOut {
    /// How many organisations the figures come from (0 when withheld).
    pub n: usize,
    /// True when fewer than five organisations are in the pool: no figure at all is given.
    pub withheld: bool,
    /// Why the figures are withheld, or why the pool was widened to all organisations; null otherwise.
    pub reason: Option<String>,
    /// The pool the figures are for: `all`, or the filter asked for.
    pub group: String,
    /// True when the filter's group had fewer than five and all organisations are shown instead.
    pub widened: bool,
    pub framework_version: i64,
    pub high_performers: usize,
    pub dimensions: Vec<PeerDimensionOut>,
}

#[utoipa::path(get, path = "/api/v1/benchmark/peers", tag = "benchmark", security(("token" = [])),
    params(PeersQuery),
    responses((status = 200, body = PeersOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn peers(State(app): State<App>, viewer: Viewer, Query(q): Query<PeersQuery>) -> ApiResult<Json<PeersOut>> {
    let now = Utc::now();
    policy::require(&viewer, policy::can_see_benchmark_peers(&viewer, now), "")?;
    let regions = crate::membership::regions(&app.db).await?;
    let filter = match Filter::parse(
        q.sector.as_deref().unwrap_or_default(),
        q.size_band.as_deref().unwrap_or_default(),
        q.region.as_deref().unwrap_or_default(),
        &regions,
    ) {
        Ok(f) => f,
        Err(errors) => {
            checked(errors)?;
            Filter::All
        }
    };
    let framework = version_of(&app, q.version).await?;
    let own = viewer.user.as_ref().and_then(|u| u.organisation_id.clone());
    let p = service::peers(&app, &framework, own.as_deref(), filter, now).await?;
    let dimensions = match &p.figures {
        None => Vec::new(),
        Some(figures) => framework
            .dimensions
            .iter()
            .zip(&figures.dimensions)
            .map(|(d, f)| {
                let s = f.spread.as_ref();
                PeerDimensionOut {
                    id: d.id.clone(),
                    key: d.key.clone(),
                    name: d.name.clone(),
                    n: s.map_or(0, |s| s.n),
                    p10: s.and_then(|s| s.p10),
                    p25: s.map(|s| s.p25),
                    median: s.map(|s| s.median),
                    p75: s.map(|s| s.p75),
                    p90: s.and_then(|s| s.p90),
                    high_performers_median: f.high_performers_median,
                }
            })
            .collect(),
    };
    Ok(Json(PeersOut {
        n: p.n,
        withheld: p.withheld(),
        reason: p.reason(),
        group: match &p.shown {
            Filter::All => "all".into(),
            other => other.query(),
        },
        widened: p.chosen == super::scores::Chosen::Widened,
        framework_version: framework.version,
        high_performers: p.figures.as_ref().map_or(0, |f| f.high_performers),
        dimensions,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct FiltersOut {
    pub sector: Vec<String>,
    pub size_band: Vec<String>,
    pub region: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/benchmark/filters", tag = "benchmark", security(("token" = [])),
    responses((status = 200, body = FiltersOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn filters(State(app): State<App>, viewer: Viewer) -> ApiResult<Json<FiltersOut>> {
    policy::require(&viewer, policy::can_see_benchmark_peers(&viewer, Utc::now()), "")?;
    Ok(Json(FiltersOut {
        sector: SECTORS.iter().map(|s| s.to_string()).collect(),
        size_band: SIZE_BANDS.iter().map(|s| s.to_string()).collect(),
        region: crate::membership::regions(&app.db).await?,
    }))
}
