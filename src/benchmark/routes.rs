//! The benchmark's pages: the framework (public), the organisation's assessments (its current members only),
//! answering one question per form post, measures, colleagues asked to contribute, submitting, the report with
//! its charts and advice (and a print view), targets, and a member's "willing to talk" opt-ins.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;

use super::charts::{self, BoxPlots, Line, Radar};
use super::framework::LEVELS;
use super::measures::{MEASURES, Measure};
use super::model::{AssessmentRow, Status};
use super::scores::Place;
use super::service::{self, Advice, AnswerFields, Filter, Peers, Reached, Scores};
use super::{Framework, store};
use crate::App;
use crate::auth::{Viewer, policy};
use crate::mail;
use crate::membership::{SECTORS, SIZE_BANDS};
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, invalid, redirect_with_notice, render, time};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/benchmark", get(index))
        .route("/benchmark/framework", get(framework))
        .route("/benchmark/assessments", post(start))
        .route("/benchmark/assessments/{id}", get(assessment))
        .route("/benchmark/assessments/{id}/dimensions/{key}", get(dimension))
        .route("/benchmark/assessments/{id}/answers", post(answer))
        .route("/benchmark/assessments/{id}/measures", get(measures).post(save_measures))
        .route("/benchmark/assessments/{id}/contributors", post(invite))
        .route("/benchmark/assessments/{id}/submit", get(confirm_submit).post(submit))
        .route("/benchmark/assessments/{id}/report", get(report))
        .route("/benchmark/assessments/{id}/print", get(print))
        .route("/benchmark/assessments/{id}/targets", post(targets))
        .route("/benchmark/willing", get(willing).post(save_willing))
}

/// "3.5", or "–" for no figure.
pub fn figure(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), |v| format!("{v:.1}"))
}

#[derive(Template)]
#[template(path = "benchmark/framework.html")]
struct FrameworkPage {
    page: Page,
    framework: Framework,
    levels: [&'static str; 5],
}

async fn framework(State(app): State<App>, page: Page) -> AppResult<impl IntoResponse> {
    let framework = super::current(&app.db).await?.ok_or(AppError::NotFound)?;
    render(&FrameworkPage {
        page: page.titled("The Smart Working benchmark: the framework"),
        framework,
        levels: LEVELS,
    })
}

pub struct Listed {
    pub id: String,
    pub status: &'static str,
    pub when: String,
    pub version: i64,
    pub overall: String,
    pub draft: bool,
}

#[derive(Template)]
#[template(path = "benchmark/index.html")]
struct IndexPage {
    page: Page,
    /// The organisation's name when the viewer may assess for it.
    organisation: Option<String>,
    assessments: Vec<Listed>,
    draft: Option<String>,
    has_submitted: bool,
    organiser: bool,
    signed_in: bool,
}

async fn index(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let mine = match service::my_organisation(&app, &viewer).await {
        Ok(org) => Some(org),
        Err(AppError::Forbidden | AppError::SignInRequired(_)) => None,
        Err(e) => return Err(e),
    };
    let mut assessments = Vec::new();
    let mut draft = None;
    if let Some(org) = &mine {
        for a in store::assessments_of(&app.db, &org.id).await? {
            let Some(framework) = super::version(&app.db, &a.framework_id).await? else { continue };
            let levels = store::answers(&app.db, &a.id).await?.into_iter().map(|x| (x.question_id, x.level)).collect();
            if a.status() == Status::Draft {
                draft = Some(a.id.clone());
            }
            assessments.push(listed(&app, &a, &service::score(&framework, &levels)));
        }
    }
    let has_submitted = assessments.iter().any(|a| !a.draft);
    render(&IndexPage {
        page: page.titled("The Smart Working benchmark"),
        organisation: mine.map(|o| o.name),
        assessments,
        draft,
        has_submitted,
        organiser: policy::can_run_benchmark(&viewer),
        signed_in: viewer.user.is_some(),
    })
}

fn listed(app: &App, a: &AssessmentRow, scores: &Scores) -> Listed {
    let tz = app.config.timezone;
    Listed {
        id: a.id.clone(),
        status: a.status().label(),
        when: match (&a.quarter, a.submitted_at) {
            (Some(q), Some(at)) => format!(
                "{q} (submitted {}{})",
                time::date(at, tz),
                a.submitted_by_name.as_ref().map(|n| format!(" by {n}")).unwrap_or_default()
            ),
            _ => format!("started {}", time::date(a.created_at, tz)),
        },
        version: a.version.unwrap_or(0),
        overall: figure(scores.overall),
        draft: a.status() == Status::Draft,
    }
}

#[derive(Deserialize)]
struct StartForm {
    #[serde(default)]
    copy: String,
}

/// Starts the organisation's draft on the current version (or opens the one already started).
async fn start(State(app): State<App>, viewer: Viewer, Form(f): Form<StartForm>) -> AppResult<Response> {
    let org = service::my_organisation(&app, &viewer).await?;
    let me = viewer.user.as_ref().ok_or(AppError::Forbidden)?;
    let (id, _) = service::start(&app, &org.id, &me.id, f.copy == "yes").await?;
    Ok(redirect_with_notice(
        &format!("/benchmark/assessments/{id}"),
        "The assessment is open: answer a dimension at a time; each answer is saved as you go.",
    ))
}

pub struct DimensionLine {
    pub key: String,
    pub name: String,
    pub answered: usize,
    pub dont_know: usize,
    pub questions: usize,
    pub score: String,
}

#[derive(Template)]
#[template(path = "benchmark/assessment.html")]
struct AssessmentPage {
    page: Page,
    id: String,
    organisation: String,
    status: &'static str,
    draft: bool,
    version: i64,
    current_version: i64,
    started: String,
    dimensions: Vec<DimensionLine>,
    overall: String,
    colleagues: Vec<store::Colleague>,
    contributors: Vec<String>,
}

fn lines(scores: &Scores) -> Vec<DimensionLine> {
    scores
        .dimensions
        .iter()
        .map(|d| DimensionLine {
            key: d.key.clone(),
            name: d.name.clone(),
            answered: d.answered,
            dont_know: d.dont_know,
            questions: d.questions,
            score: figure(d.score),
        })
        .collect()
}

async fn assessment(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let reached = service::reach(&app, &viewer, &id).await?;
    let org = service::my_organisation(&app, &viewer).await?;
    let scores = reached.scores();
    let me = viewer.user.as_ref().map(|u| u.id.clone()).unwrap_or_default();
    let colleagues = store::colleagues(&app.db, &org.id, &id, Utc::now()).await?;
    let contributors: Vec<String> = reached
        .answers
        .iter()
        .filter_map(|a| a.answered_by_name.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let current_version = super::current(&app.db).await?.map_or(0, |f| f.version);
    let a = &reached.assessment;
    render(&AssessmentPage {
        page: page.titled(&format!("Benchmark assessment – {}", org.name)).noindex(),
        id: a.id.clone(),
        organisation: org.name,
        status: a.status().label(),
        draft: reached.draft(),
        version: reached.framework.version,
        current_version,
        started: format!(
            "Started {}{}",
            time::date(a.created_at, app.config.timezone),
            a.started_by_name.as_ref().map(|n| format!(" by {n}")).unwrap_or_default()
        ),
        dimensions: lines(&scores),
        overall: figure(scores.overall),
        colleagues: colleagues.into_iter().filter(|c| c.id != me).collect(),
        contributors,
    })
}

pub struct QuestionView {
    pub id: String,
    pub number: usize,
    pub text: String,
    pub levels: Vec<(String, String, bool)>,
    pub dont_know: bool,
    pub evidence: String,
    pub link: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "benchmark/dimension.html")]
struct DimensionPage {
    page: Page,
    id: String,
    draft: bool,
    name: String,
    number: usize,
    of: usize,
    previous: Option<(String, String)>,
    next: Option<(String, String)>,
    questions: Vec<QuestionView>,
    /// The question whose form was sent back with errors.
    failed: String,
    errors: FieldErrors,
}

fn dimension_page(
    app: &App,
    page: Page,
    reached: &Reached,
    key: &str,
    typed: Option<&AnswerFields>,
    errors: FieldErrors,
) -> AppResult<DimensionPage> {
    let f = &reached.framework;
    let index = f.dimensions.iter().position(|d| d.key == key).ok_or(AppError::NotFound)?;
    let d = &f.dimensions[index];
    let answers: HashMap<&str, &super::model::AnswerRow> =
        reached.answers.iter().map(|a| (a.question_id.as_str(), a)).collect();
    let tz = app.config.timezone;
    let questions = d
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let saved = answers.get(q.id.as_str());
            let typed = typed.filter(|t| t.question == q.id);
            let chosen = match (typed, saved) {
                (Some(t), _) => t.level.clone(),
                (None, Some(a)) => a.level.map_or_else(|| "dont_know".into(), |l| l.to_string()),
                (None, None) => String::new(),
            };
            QuestionView {
                id: q.id.clone(),
                number: i + 1,
                text: q.text.clone(),
                levels: q
                    .levels
                    .iter()
                    .enumerate()
                    .map(|(l, text)| ((l + 1).to_string(), text.clone(), chosen == (l + 1).to_string()))
                    .collect(),
                dont_know: chosen == "dont_know",
                evidence: typed.map(|t| t.evidence.clone()).or(saved.map(|a| a.evidence.clone())).unwrap_or_default(),
                link: typed.map(|t| t.link.clone()).or(saved.map(|a| a.link.clone())).unwrap_or_default(),
                by: saved
                    .map(|a| {
                        if a.carried_over {
                            "Carried over from your last assessment: save it to confirm it, or change it.".to_string()
                        } else {
                            format!(
                                "Answered by {} on {}",
                                a.answered_by_name.as_deref().unwrap_or("a former member"),
                                time::date(a.answered_at, tz)
                            )
                        }
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    let near = |i: usize| f.dimensions.get(i).map(|d| (d.key.clone(), d.name.clone()));
    Ok(DimensionPage {
        page: page.titled(&format!("{} – benchmark assessment", d.name)).noindex(),
        id: reached.assessment.id.clone(),
        draft: reached.draft(),
        name: d.name.clone(),
        number: index + 1,
        of: f.dimensions.len(),
        previous: index.checked_sub(1).and_then(near),
        next: near(index + 1),
        questions,
        failed: typed.map(|t| t.question.clone()).unwrap_or_default(),
        errors,
    })
}

async fn dimension(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, key)): Path<(String, String)>,
) -> AppResult<impl IntoResponse> {
    let reached = service::reach(&app, &viewer, &id).await?;
    render(&dimension_page(&app, page, &reached, &key, None, FieldErrors::default())?)
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    question: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    evidence: String,
    #[serde(default)]
    link: String,
}

/// Saves one answer (each on its own form post, so nothing typed waits on another question).
async fn answer(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<AnswerForm>,
) -> AppResult<Response> {
    let reached = service::reach(&app, &viewer, &id).await?;
    let me = viewer.user.as_ref().ok_or(AppError::Forbidden)?;
    let typed = AnswerFields { question: f.question, level: f.level, evidence: f.evidence, link: f.link };
    let Some((d, _)) = reached.framework.question(&typed.question) else {
        return Err(AppError::BadRequest("This question is not in the framework this assessment was made on.".into()));
    };
    let key = d.key.clone();
    let mut errors = FieldErrors::default();
    let Some(checked) = service::check_answer(&mut errors, &reached.framework, &typed) else {
        return invalid(&dimension_page(&app, page, &reached, &key, Some(&typed), errors)?);
    };
    service::save_answer(&app, &reached, &me.id, &checked, &typed.question).await?;
    Ok(redirect_with_notice(
        &format!("/benchmark/assessments/{id}/dimensions/{key}#q-{}", typed.question),
        "Answer saved.",
    ))
}

pub struct MeasureLine {
    pub measure: &'static Measure,
    pub value: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "benchmark/measures.html")]
struct MeasuresPage {
    page: Page,
    id: String,
    draft: bool,
    measures: Vec<MeasureLine>,
    errors: FieldErrors,
}

async fn measures_page(
    page: Page,
    reached: &Reached,
    app: &App,
    typed: Option<&HashMap<String, String>>,
    errors: FieldErrors,
) -> AppResult<MeasuresPage> {
    let saved = store::measures(&app.db, &reached.assessment.id).await?;
    let measures = MEASURES
        .iter()
        .map(|m| {
            let s = saved.iter().find(|s| s.key == m.key);
            MeasureLine {
                measure: m,
                value: typed
                    .and_then(|t| t.get(&format!("value_{}", m.key)).cloned())
                    .or(s.map(|s| trim_number(s.value)))
                    .unwrap_or_default(),
                note: typed
                    .and_then(|t| t.get(&format!("note_{}", m.key)).cloned())
                    .or(s.map(|s| s.note.clone()))
                    .unwrap_or_default(),
            }
        })
        .collect();
    Ok(MeasuresPage {
        page: page.titled("Outcome measures – benchmark assessment").noindex(),
        id: reached.assessment.id.clone(),
        draft: reached.draft(),
        measures,
        errors,
    })
}

/// 12.0 as "12", 0.85 as "0.85".
pub fn trim_number(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

async fn measures(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let reached = service::reach(&app, &viewer, &id).await?;
    render(&measures_page(page, &reached, &app, None, FieldErrors::default()).await?)
}

fn split_measures(form: &HashMap<String, String>) -> (HashMap<String, String>, HashMap<String, String>) {
    let pick = |prefix: &str| {
        form.iter()
            .filter_map(|(k, v)| k.strip_prefix(prefix).map(|k| (k.to_string(), v.clone())))
            .collect::<HashMap<_, _>>()
    };
    (pick("value_"), pick("note_"))
}

async fn save_measures(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let reached = service::reach(&app, &viewer, &id).await?;
    let (values, notes) = split_measures(&form);
    let mut errors = FieldErrors::default();
    let kept = service::check_measures(&mut errors, &values, &notes);
    if !errors.is_empty() {
        return invalid(&measures_page(page, &reached, &app, Some(&form), errors).await?);
    }
    if !store::set_measures(&app.db, &id, &kept).await? {
        return Err(AppError::Conflict("This assessment has been submitted: its measures are frozen.".into()));
    }
    Ok(redirect_with_notice(&format!("/benchmark/assessments/{id}"), "Measures saved."))
}

#[derive(Deserialize)]
struct InviteForm {
    #[serde(default)]
    colleague: String,
}

/// Asks a colleague (a current member of the organisation) to contribute, by e-mail.
async fn invite(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<InviteForm>,
) -> AppResult<Response> {
    let reached = service::reach(&app, &viewer, &id).await?;
    let me = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let now = Utc::now();
    let colleague = store::colleagues(&app.db, &reached.assessment.organisation_id, &id, now)
        .await?
        .into_iter()
        .find(|c| c.id == f.colleague && c.id != me.id)
        .ok_or_else(|| AppError::BadRequest("Choose a colleague from the list.".into()))?;
    if !reached.draft() {
        return Err(AppError::Conflict(
            "This assessment has been submitted; start a new one to ask colleagues.".into(),
        ));
    }
    if !store::invite(&app.db, &id, &colleague.id, &me.id, now).await? {
        return Ok(redirect_with_notice(
            &format!("/benchmark/assessments/{id}"),
            &format!("{} was asked already.", colleague.name),
        ));
    }
    let link = app.config.link(&format!("/benchmark/assessments/{id}"));
    let message = mail::messages::notice(
        &app.config.title,
        &colleague.email,
        &colleague.name,
        &format!("{} asks you to contribute to your organisation's Smart Working benchmark", me.name),
        &[format!(
            "{} has started your organisation's self-assessment against the network's Smart Working framework and \
             asks you to answer the questions you know best. Each answer is saved as you give it; \"don't know\" is \
             a good answer too.",
            me.name
        )],
        Some(("Open the assessment", &link)),
    )?;
    let mut tx = app.db.begin().await?;
    mail::queue(&app, &mut tx, mail::Kind::Transactional, &message).await?;
    tx.commit().await?;
    app.wake_mail();
    Ok(redirect_with_notice(
        &format!("/benchmark/assessments/{id}"),
        &format!("{} has been asked to contribute.", colleague.name),
    ))
}

#[derive(Template)]
#[template(path = "benchmark/submit.html")]
struct SubmitPage {
    page: Page,
    id: String,
    /// The submitted assessment of this quarter that submitting replaces: its id and when it was submitted.
    replaces: Option<(String, String)>,
    unanswered: usize,
    unscored: Vec<String>,
    error: String,
}

async fn submit_page(app: &App, page: Page, reached: &Reached, error: &str) -> AppResult<SubmitPage> {
    let scores = reached.scores();
    let replaces = service::would_replace(app, &reached.assessment.organisation_id)
        .await?
        .filter(|a| a.id != reached.assessment.id)
        .map(|a| (a.id, a.submitted_at.map(|t| time::date(t, app.config.timezone)).unwrap_or_default()));
    Ok(SubmitPage {
        page: page.titled("Submit the assessment").noindex(),
        id: reached.assessment.id.clone(),
        replaces,
        unanswered: scores.dimensions.iter().map(|d| d.questions - d.answered - d.dont_know).sum(),
        unscored: scores.dimensions.iter().filter(|d| d.score.is_none()).map(|d| d.name.clone()).collect(),
        error: error.into(),
    })
}

async fn confirm_submit(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let reached = service::reach(&app, &viewer, &id).await?;
    if !reached.draft() {
        return Err(AppError::Conflict("This assessment has been submitted already.".into()));
    }
    render(&submit_page(&app, page, &reached, "").await?)
}

#[derive(Deserialize)]
struct SubmitForm {
    /// The assessment the page warned it would replace ("" for none).
    #[serde(default)]
    replaces: String,
}

/// Submits, replacing this quarter's earlier submission only if the page that was confirmed said so: a
/// colleague's submission in between shows the warning again (409).
async fn submit(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<SubmitForm>,
) -> AppResult<Response> {
    let reached = service::reach(&app, &viewer, &id).await?;
    let me = viewer.user.as_ref().ok_or(AppError::Forbidden)?;
    if reached.draft() && reached.scores().overall.is_none() {
        return invalid(&submit_page(&app, page, &reached, service::NOTHING_TO_SUBMIT).await?);
    }
    if reached.draft() {
        let confirm = submit_page(&app, page, &reached, SUBMITTED_MEANWHILE).await?;
        if confirm.replaces.as_ref().map_or("", |(id, _)| id.as_str()) != f.replaces {
            return Ok((StatusCode::CONFLICT, render(&confirm)?).into_response());
        }
    }
    let replaced = service::submit(&app, &reached, &me.id).await?;
    let notice = if replaced.is_some() {
        "Submitted. It replaces the assessment submitted earlier this quarter, which stays in your history."
    } else {
        "Submitted. Here is your report."
    };
    Ok(redirect_with_notice(&format!("/benchmark/assessments/{id}/report"), notice))
}

const SUBMITTED_MEANWHILE: &str =
    "Meanwhile a colleague submitted an assessment this quarter: read the warning below before submitting.";

#[derive(Deserialize, Default)]
pub struct PeersQuery {
    /// The page's one select: "sector=…", "size_band=…", "region=…" or "" for all.
    #[serde(default)]
    group: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    size_band: String,
    #[serde(default)]
    region: String,
}

impl PeersQuery {
    /// The filter asked for; one a page cannot have sent (two axes, an unknown value) is a 400 saying why.
    pub(super) fn filter(&self, regions: &[String]) -> AppResult<Filter> {
        let (mut sector, mut size_band, mut region) =
            (self.sector.clone(), self.size_band.clone(), self.region.clone());
        match self.group.split_once('=') {
            Some(("sector", v)) => sector = v.into(),
            Some(("size_band", v)) => size_band = v.into(),
            Some(("region", v)) => region = v.into(),
            _ => {}
        }
        Filter::parse(&sector, &size_band, &region, regions).map_err(|errors| {
            AppError::BadRequest(errors.messages().first().map(|(_, m)| m.to_string()).unwrap_or_default())
        })
    }
}

pub struct Row {
    pub number: usize,
    pub name: String,
    pub cells: Vec<String>,
}

pub struct Group {
    pub value: String,
    pub label: String,
    pub chosen: bool,
}

/// The one select's options, by axis ("sector=…" and so on), the one asked for chosen.
pub(super) fn groups(asked: &Filter, regions: Vec<String>) -> Vec<(String, Vec<Group>)> {
    let axis = |values: Vec<String>, make: fn(String) -> Filter| -> Vec<Group> {
        values
            .into_iter()
            .map(|v| {
                let filter = make(v.clone());
                Group { chosen: filter == *asked, value: filter.query_value(), label: v }
            })
            .collect()
    };
    vec![
        ("Sector".into(), axis(SECTORS.iter().map(|s| s.to_string()).collect(), Filter::Sector)),
        ("Size".into(), axis(SIZE_BANDS.iter().map(|s| s.to_string()).collect(), Filter::SizeBand)),
        ("Region".into(), axis(regions, Filter::Region)),
    ]
}

#[derive(Template)]
#[template(path = "benchmark/report.html")]
struct ReportPage {
    page: Page,
    id: String,
    print: bool,
    organisation: String,
    when: String,
    version: i64,
    current_version: i64,
    draft: bool,
    overall: String,
    place: String,
    peers_label: String,
    /// The filter's query string, for the print view's link.
    query: String,
    n: usize,
    reason: Option<String>,
    withheld: bool,
    groups: Vec<(String, Vec<Group>)>,
    radar: Radar,
    radar_rows: Vec<Row>,
    boxes: BoxPlots,
    box_rows: Vec<Row>,
    progress: Vec<Line>,
    progress_heads: Vec<String>,
    progress_rows: Vec<Row>,
    left_out: usize,
    measures: Vec<(String, String, String)>,
    targets: Vec<(String, String, String, String)>,
    target_errors: FieldErrors,
    advice: Vec<Advice>,
    radar_size: f64,
    box_width: f64,
    line_width: f64,
    line_height: f64,
}

async fn report_page(
    app: &App,
    page: Page,
    viewer: &Viewer,
    reached: &Reached,
    q: &PeersQuery,
    print: bool,
    target_errors: FieldErrors,
) -> AppResult<Response> {
    let now = Utc::now();
    let regions = crate::membership::regions(&app.db).await?;
    let asked = q.filter(&regions)?;
    let a = &reached.assessment;
    let f = &reached.framework;
    let scores = reached.scores();
    let peers: Peers = service::peers(app, f, Some(&a.organisation_id), asked.clone(), now).await?;
    let org = crate::membership::organisation(&app.db, &a.organisation_id).await?.ok_or(AppError::NotFound)?;
    // The history on this version, oldest first: submitted ones, and this one if a draft.
    let mut history: Vec<(AssessmentRow, Scores)> = Vec::new();
    let mut left_out = 0;
    for h in store::assessments_of(&app.db, &a.organisation_id).await?.into_iter().rev() {
        let counted = h.status() == Status::Submitted || h.id == a.id;
        if !counted {
            continue;
        }
        if h.framework_id != a.framework_id {
            left_out += 1;
            continue;
        }
        let levels = store::answers(&app.db, &h.id).await?.into_iter().map(|x| (x.question_id, x.level)).collect();
        history.push((h, service::score(f, &levels)));
    }
    let position = history.iter().position(|(h, _)| h.id == a.id);
    let previous = position.and_then(|p| p.checked_sub(1)).map(|p| &history[p].1);
    let dims = &peers.figures.as_ref().map(|fig| fig.dimensions.clone()).unwrap_or_default();
    let median = |i: usize| dims.get(i).and_then(|d| d.spread.as_ref()).map(|s| s.median);
    let high = |i: usize| dims.get(i).and_then(|d| d.high_performers_median);
    let n = f.dimensions.len();
    let own: Vec<Option<f64>> = scores.dimensions.iter().map(|d| d.score).collect();
    let radar = charts::radar(
        n,
        &[
            ("Peer median".into(), "median", (0..n).map(median).collect()),
            ("High performers' median".into(), "high", (0..n).map(high).collect()),
            (
                "Your previous assessment".into(),
                "previous",
                previous.map(|p| p.dimensions.iter().map(|d| d.score).collect()).unwrap_or_default(),
            ),
            ("You".into(), "you", own.clone()),
        ],
    );
    let radar_rows = scores
        .dimensions
        .iter()
        .enumerate()
        .map(|(i, d)| Row {
            number: i + 1,
            name: d.name.clone(),
            cells: vec![
                figure(d.score),
                figure(previous.and_then(|p| p.dimensions[i].score)),
                figure(median(i)),
                figure(high(i)),
            ],
        })
        .collect();
    let spreads: Vec<(Option<charts::BoxFigures>, Option<f64>)> = (0..n)
        .map(|i| (dims.get(i).and_then(|d| d.spread.as_ref()).map(|s| (s.p10, s.p25, s.median, s.p75, s.p90)), own[i]))
        .collect();
    let boxes = charts::box_plots(&spreads);
    let box_rows = scores
        .dimensions
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let s = spreads[i].0;
            let mut cells = vec![
                figure(s.and_then(|s| s.0)),
                figure(s.map(|s| s.1)),
                figure(s.map(|s| s.2)),
                figure(s.map(|s| s.3)),
                figure(s.and_then(|s| s.4)),
            ];
            cells.push(figure(d.score));
            Row { number: i + 1, name: d.name.clone(), cells }
        })
        .collect();
    let quarters: Vec<String> =
        history.iter().map(|(h, _)| h.quarter.clone().unwrap_or_else(|| "Draft".into())).collect();
    let mut progress = vec![charts::line(
        "Overall",
        &quarters.iter().cloned().zip(history.iter().map(|(_, s)| s.overall)).collect::<Vec<_>>(),
    )];
    let mut progress_rows = vec![Row {
        number: 0,
        name: "Overall".into(),
        cells: history.iter().map(|(_, s)| figure(s.overall)).collect(),
    }];
    for (i, d) in f.dimensions.iter().enumerate() {
        let values: Vec<(String, Option<f64>)> =
            quarters.iter().cloned().zip(history.iter().map(|(_, s)| s.dimensions[i].score)).collect();
        progress.push(charts::line(&d.name, &values));
        progress_rows.push(Row {
            number: i + 1,
            name: d.name.clone(),
            cells: values.iter().map(|(_, v)| figure(*v)).collect(),
        });
    }
    let saved_measures = store::measures(&app.db, &a.id).await?;
    let measures = saved_measures
        .iter()
        .filter_map(|m| {
            super::measures::named(&m.key)
                .map(|d| (d.name.to_string(), format!("{} {}", trim_number(m.value), d.unit), m.note.clone()))
        })
        .collect();
    // Targets: those set on the previous assessment (was it reached?) and those set on this one for the next.
    let previous_id = position.and_then(|p| p.checked_sub(1)).map(|p| history[p].0.id.clone());
    let before = match &previous_id {
        Some(p) => store::targets(&app.db, p).await?,
        None => Vec::new(),
    };
    let next = store::targets(&app.db, &a.id).await?;
    let targets = f
        .dimensions
        .iter()
        .map(|d| {
            let set_before = before.iter().find(|t| t.dimension_key == d.key).map(|t| t.target);
            let reached_it = match (set_before, scores.of(&d.key)) {
                (Some(t), Some(s)) if s >= t => format!("{} (reached)", figure(Some(t))),
                (Some(t), _) => format!("{} (not yet)", figure(Some(t))),
                _ => "–".into(),
            };
            (
                d.key.clone(),
                d.name.clone(),
                reached_it,
                next.iter().find(|t| t.dimension_key == d.key).map(|t| trim_number(t.target)).unwrap_or_default(),
            )
        })
        .collect();
    let all = if peers.shown == Filter::All {
        None
    } else {
        Some(service::peers(app, f, Some(&a.organisation_id), Filter::All, now).await?)
    };
    let advice =
        service::advice(app, viewer, &scores, &peers, all.as_ref().unwrap_or(&peers), &a.organisation_id).await?;
    let groups = groups(&asked, regions);
    let place = match peers.place(scores.overall.filter(|_| !reached.draft())) {
        Some(Place::Rank { rank, of }) => format!("{rank} of {of}"),
        Some(Place::Quartile(1)) => "in the top quarter".into(),
        Some(Place::Quartile(4)) => "in the bottom quarter".into(),
        Some(Place::Quartile(q)) => format!("in the {} quarter", if q == 2 { "second" } else { "third" }),
        None => String::new(),
    };
    let tz = app.config.timezone;
    render(&ReportPage {
        page: page.titled(&format!("Benchmark report – {}", org.name)).noindex(),
        id: a.id.clone(),
        print,
        organisation: org.name,
        when: match (&a.quarter, a.submitted_at) {
            (Some(q), Some(t)) => format!("{q}, submitted {}", time::date(t, tz)),
            _ => "Draft: the figures will change as answers are given".into(),
        },
        version: f.version,
        current_version: super::current(&app.db).await?.map_or(0, |c| c.version),
        draft: reached.draft(),
        overall: figure(scores.overall),
        place,
        peers_label: peers.shown.label(),
        query: peers.asked.query(),
        n: peers.n,
        reason: peers.reason(),
        withheld: peers.withheld(),
        groups,
        radar,
        radar_rows,
        boxes,
        box_rows,
        progress,
        progress_heads: quarters,
        progress_rows,
        left_out,
        measures,
        targets,
        target_errors,
        advice,
        radar_size: charts::RADAR_SIZE,
        box_width: charts::BOX_WIDTH,
        line_width: charts::LINE_WIDTH,
        line_height: charts::LINE_HEIGHT,
    })
    .map(IntoResponse::into_response)
}

async fn report(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<PeersQuery>,
) -> AppResult<Response> {
    let reached = service::reach(&app, &viewer, &id).await?;
    report_page(&app, page, &viewer, &reached, &q, false, FieldErrors::default()).await
}

async fn print(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<PeersQuery>,
) -> AppResult<Response> {
    let reached = service::reach(&app, &viewer, &id).await?;
    report_page(&app, page, &viewer, &reached, &q, true, FieldErrors::default()).await
}

/// Sets the organisation's targets for its next assessment.
async fn targets(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let reached = service::reach(&app, &viewer, &id).await?;
    if reached.draft() {
        return Err(AppError::Conflict("Submit the assessment first: targets are for the next one.".into()));
    }
    let typed: HashMap<String, String> =
        form.iter().filter_map(|(k, v)| k.strip_prefix("target_").map(|k| (k.to_string(), v.clone()))).collect();
    let mut errors = FieldErrors::default();
    let kept = service::check_targets(&mut errors, &reached.framework, &typed);
    if !errors.is_empty() {
        let response = report_page(&app, page, &viewer, &reached, &PeersQuery::default(), false, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, response).into_response());
    }
    store::set_targets(&app.db, &id, &kept).await?;
    Ok(redirect_with_notice(
        &format!("/benchmark/assessments/{id}/report#targets"),
        "Targets saved for the next assessment.",
    ))
}

#[derive(Template)]
#[template(path = "benchmark/willing.html")]
struct WillingPage {
    page: Page,
    dimensions: Vec<(String, String, bool)>,
    organisation: String,
}

async fn willing(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let org = service::my_organisation(&app, &viewer).await?;
    let me = viewer.user.as_ref().ok_or(AppError::Forbidden)?;
    let framework = super::current(&app.db).await?.ok_or(AppError::NotFound)?;
    let mine = store::willing(&app.db, &me.id).await?;
    render(&WillingPage {
        page: page.titled("Willing to talk about your practice").noindex(),
        dimensions: framework
            .dimensions
            .iter()
            .map(|d| (d.key.clone(), d.name.clone(), mine.contains(&d.key)))
            .collect(),
        organisation: org.name,
    })
}

async fn save_willing(
    State(app): State<App>,
    viewer: Viewer,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let org = service::my_organisation(&app, &viewer).await?;
    let me = viewer.user.as_ref().ok_or(AppError::Forbidden)?;
    let framework = super::current(&app.db).await?.ok_or(AppError::NotFound)?;
    let keys: Vec<String> = form
        .into_iter()
        .filter(|(k, v)| k == "dimension" && framework.dimension(v).is_some())
        .map(|(_, v)| v)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    store::set_willing(&app.db, &me.id, &org.id, &keys, Utc::now()).await?;
    Ok(redirect_with_notice("/benchmark/willing", "Your choices are saved."))
}
