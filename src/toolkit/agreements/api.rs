//! The team agreement through the API: the document, saving a section (409 with both texts on a conflict),
//! proposing and answering, under the same policy and rules as the pages.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::service::{self, Saved};
use super::{Status, store};
use crate::App;
use crate::api::problem::{ApiResult, Problem, json_body};
use crate::auth::Viewer;
use crate::auth::policy;
use crate::toolkit::api::{checked, reach_space, user};
use crate::toolkit::routes::{Reached, lead};
use crate::web::{AppError, FieldErrors};

#[derive(utoipa::OpenApi)]
#[openapi(paths(agreement, save_section, propose, answer))]
pub struct Doc;

pub fn routes() -> axum::Router<App> {
    use axum::routing::{get, post, put};
    axum::Router::new()
        .route("/api/v1/toolkit/teams/{id}/agreement", get(agreement))
        .route("/api/v1/toolkit/teams/{id}/agreement/sections/{key}", put(save_section))
        .route("/api/v1/toolkit/teams/{id}/agreement/propose", post(propose))
        .route("/api/v1/toolkit/teams/{id}/agreement/answer", post(answer))
}

#[derive(Serialize, ToSchema)]
pub struct SectionOut {
    pub key: String,
    pub title: String,
    /// Markdown.
    pub text: String,
    /// The version that last changed it: send it back as `base` to save it.
    pub changed_in: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AgreedBy {
    pub person: String,
    pub name: String,
    pub at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct AnswerOut {
    pub person: String,
    pub name: String,
    /// `agree` or `change`.
    pub answer: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct AgreementOut {
    /// `draft`, `proposed` or `in_force`.
    pub status: String,
    /// The version the status is about: the one proposed, else the latest.
    pub version: i64,
    pub latest_version: i64,
    pub proposed_version: Option<i64>,
    pub proposed_at: Option<DateTime<Utc>>,
    pub in_force_version: Option<i64>,
    pub in_force_at: Option<DateTime<Utc>>,
    /// YYYY-MM-DD
    pub review_on: Option<String>,
    /// Which plan "Where and when we work" was prefilled from.
    pub plan_source: String,
    /// The latest version's sections.
    pub sections: Vec<SectionOut>,
    /// Who agreed the version in force, and when.
    pub agreed_by: Vec<AgreedBy>,
    /// The answers to the version proposed.
    pub answers: Vec<AnswerOut>,
}

/// A version number sent as a JSON number (12.0 is 12, as JSON Schema reads it); a fraction is refused.
fn whole(n: f64, field: &str) -> ApiResult<i64> {
    if n.fract() == 0.0 && (0.0..=1e9).contains(&n) {
        Ok(n as i64)
    } else {
        Err(Problem::invalid(vec![crate::api::problem::FieldProblem {
            field: field.into(),
            message: "A version is a whole number.".into(),
        }])
        .into())
    }
}

fn may_draft(viewer: &Viewer, reached: &Reached) -> ApiResult<()> {
    if policy::can_draft_team_agreement(viewer, reached.standing, reached.space.closed_at.is_some(), Utc::now()) {
        Ok(())
    } else {
        Err(AppError::Forbidden.into())
    }
}

async fn agreement_out(app: &App, reached: &Reached) -> ApiResult<AgreementOut> {
    let (agreement, versions) = service::ensure(app, &reached.space).await?;
    let latest = versions.last().cloned().ok_or(AppError::NotFound)?;
    let sections = store::sections(&app.db).await?;
    let texts = latest.texts();
    let changed_in = |key: &str| versions.iter().filter(|v| v.section == key).map(|v| v.number).max().unwrap_or(1);
    let agreed_by = match agreement.in_force_version {
        Some(v) => store::answers(&app.db, &reached.space.id, v)
            .await?
            .into_iter()
            .filter(|a| a.answer == "agree")
            .map(|a| AgreedBy { person: a.user_id, name: a.name, at: a.answered_at })
            .collect(),
        None => Vec::new(),
    };
    let proposal_answers = match agreement.proposed_version {
        Some(v) => store::answers(&app.db, &reached.space.id, v)
            .await?
            .into_iter()
            .map(|a| AnswerOut { person: a.user_id, name: a.name, answer: a.answer, note: a.note, at: a.answered_at })
            .collect(),
        None => Vec::new(),
    };
    let status: Status = agreement.status(latest.number);
    Ok(AgreementOut {
        status: status.key().into(),
        version: agreement.proposed_version.unwrap_or(latest.number),
        latest_version: latest.number,
        proposed_version: agreement.proposed_version,
        proposed_at: agreement.proposed_at,
        in_force_version: agreement.in_force_version,
        in_force_at: agreement.in_force_at,
        review_on: agreement.review_on.clone(),
        plan_source: agreement.plan_source.clone(),
        sections: sections
            .iter()
            .map(|s| SectionOut {
                key: s.key.clone(),
                title: s.title.clone(),
                text: texts.get(&s.key).cloned().unwrap_or_default(),
                changed_in: changed_in(&s.key),
            })
            .collect(),
        agreed_by,
        answers: proposal_answers,
    })
}

#[utoipa::path(get, path = "/api/v1/toolkit/teams/{id}/agreement", tag = "toolkit", security(("token" = [])),
    params(("id" = String, Path, description = "The team space's id")),
    responses((status = 200, body = AgreementOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn agreement(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<AgreementOut>> {
    let reached = reach_space(&app, &viewer, &id).await?;
    Ok(Json(agreement_out(&app, &reached).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionIn {
    /// Markdown, at most 20,000 characters, no NUL character.
    #[schema(max_length = 20000, pattern = r"^[^\u0000]*$")]
    pub text: String,
    /// The version the text was started from (the section's `changed_in`, or any later version): a section
    /// changed after it answers 409 with the text saved meanwhile.
    #[schema(value_type = i64, minimum = 0, maximum = 1000000000)]
    pub base: f64,
}

#[derive(Serialize, ToSchema)]
pub struct SavedOut {
    /// The new version, or the latest when nothing changed.
    pub version: i64,
    pub changed: bool,
}

#[utoipa::path(put, path = "/api/v1/toolkit/teams/{id}/agreement/sections/{key}", tag = "toolkit", security(("token" = [])),
    params(("id" = String, Path, description = "The team space's id"), ("key" = String, Path, description = "The section's key (details, purpose, where_when, ...)")),
    request_body = SectionIn,
    responses((status = 200, body = SavedOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn save_section(
    State(app): State<App>,
    viewer: Viewer,
    Path((id, key)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    let me = user(&viewer)?;
    let reached = reach_space(&app, &viewer, &id).await?;
    if !service::is_section(&key) {
        return Err(AppError::NotFound.into());
    }
    may_draft(&viewer, &reached)?;
    let input: SectionIn = json_body(&headers, body).await?;
    let mut errors = FieldErrors::default();
    let text = errors.optional("text", "The section", &input.text, 20_000);
    checked(errors, &[])?;
    let (_, versions) = service::ensure(&app, &reached.space).await?;
    let latest = versions.last().map_or(1, |v| v.number);
    match service::save_section(&app, &id, &me.id, &key, text.trim_end(), whole(input.base, "base")?).await? {
        Saved::Version(n) => Ok((StatusCode::OK, Json(SavedOut { version: n, changed: true }))),
        Saved::Unchanged => Ok((StatusCode::OK, Json(SavedOut { version: latest, changed: false }))),
        Saved::Conflict { theirs, by, latest, .. } => Err(Problem::new(
            StatusCode::CONFLICT,
            format!(
                "{by} saved this section after version {}; the latest version is {latest}. Their text: {theirs}",
                whole(input.base, "base")?
            ),
        )
        .into()),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeIn {
    /// The version to propose; the latest when left out.
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 1000000000)]
    pub version: Option<f64>,
}

#[utoipa::path(post, path = "/api/v1/toolkit/teams/{id}/agreement/propose", tag = "toolkit", security(("token" = [])),
    params(("id" = String, Path, description = "The team space's id")),
    request_body = ProposeIn,
    responses((status = 200, body = AgreementOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn propose(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<AgreementOut>> {
    let me = user(&viewer)?;
    let reached = reach_space(&app, &viewer, &id).await?;
    lead(&reached)?;
    let input: ProposeIn = json_body(&headers, body).await?;
    service::ensure(&app, &reached.space).await?;
    let mut errors = FieldErrors::default();
    let version = match input.version {
        Some(v) => Some(whole(v, "version")?),
        None => None,
    };
    service::propose(&app, &mut errors, &id, version, &me.id).await?;
    checked(errors, &["version"])?;
    Ok(Json(agreement_out(&app, &reached).await?))
}

/// An answer to the version proposed (or, for someone who joined after it came into force, the version in
/// force): agree, or ask for a change and say what.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "answer", rename_all = "lowercase")]
pub enum AnswerIn {
    Agree {
        #[schema(value_type = i64, minimum = 1, maximum = 1000000000)]
        version: f64,
        #[schema(max_length = 2000, pattern = r"^[^\u0000]*$")]
        note: Option<String>,
    },
    Change {
        #[schema(value_type = i64, minimum = 1, maximum = 1000000000)]
        version: f64,
        /// What to change.
        #[schema(min_length = 1, max_length = 2000, pattern = r"^[^\u0000]*[^\u0000\s][^\u0000]*$")]
        note: String,
    },
}

#[utoipa::path(post, path = "/api/v1/toolkit/teams/{id}/agreement/answer", tag = "toolkit", security(("token" = [])),
    params(("id" = String, Path, description = "The team space's id")),
    request_body = AnswerIn,
    responses((status = 200, body = AgreementOut), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn answer(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<AgreementOut>> {
    let me = user(&viewer)?;
    let reached = reach_space(&app, &viewer, &id).await?;
    may_draft(&viewer, &reached)?;
    let input: AnswerIn = json_body(&headers, body).await?;
    service::ensure(&app, &reached.space).await?;
    let mut errors = FieldErrors::default();
    let (version, agree, note) = match input {
        AnswerIn::Agree { version, note } => (version, true, note.unwrap_or_default()),
        AnswerIn::Change { version, note } => (version, false, note),
    };
    service::answer(&app, &mut errors, &id, &me.id, whole(version, "version")?, agree, &note).await?;
    // A version that is not the one proposed depends on the agreement as it is now: 409.
    checked(errors, &["version"])?;
    Ok(Json(agreement_out(&app, &reached).await?))
}
