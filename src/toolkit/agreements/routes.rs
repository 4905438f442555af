//! The agreement's pages: the document with each section's prompts and comments, editing a section (and a
//! conflict shown with both texts), the versions and their comparison, proposing, answering, the review date,
//! and a print view.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};

use super::service::{self, Saved};
use super::{Agreement, Change, Section, Status, Version, compare, store};
use crate::App;
use crate::auth::Viewer;
use crate::auth::policy;
use crate::toolkit::requests::in_words;
use crate::toolkit::routes::{Fields, Reached, invalid, lead, reach_space};
use crate::web::markdown::to_safe_html;
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, redirect_with_notice, render};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/toolkit/teams/{id}/agreement", get(show))
        .route("/toolkit/teams/{id}/agreement/print", get(print))
        .route("/toolkit/teams/{id}/agreement/sections/{key}", get(section_page).post(save))
        .route("/toolkit/teams/{id}/agreement/sections/{key}/comments", post(comment))
        .route("/toolkit/teams/{id}/agreement/versions", get(versions))
        .route("/toolkit/teams/{id}/agreement/compare", get(compare_page))
        .route("/toolkit/teams/{id}/agreement/propose", post(propose))
        .route("/toolkit/teams/{id}/agreement/answer", post(answer))
        .route("/toolkit/teams/{id}/agreement/review", post(review))
}

/// Whether the viewer may write in it: anyone in the space, while it is open and they may take part.
fn may_draft(viewer: &Viewer, reached: &Reached) -> bool {
    policy::can_draft_team_agreement(viewer, reached.standing, reached.space.closed_at.is_some(), Utc::now())
}

fn me(viewer: &Viewer) -> AppResult<&crate::auth::User> {
    viewer.user.as_ref().ok_or(AppError::Forbidden)
}

/// A section as the document shows it.
pub struct SectionView {
    pub section: Section,
    pub html: String,
    pub empty: bool,
    pub prompt_html: String,
    pub example_html: String,
    pub comments: usize,
}

fn section_views(sections: &[Section], version: &Version, comments: &[store::Comment]) -> Vec<SectionView> {
    let texts = version.texts();
    sections
        .iter()
        .map(|s| {
            let text = texts.get(&s.key).cloned().unwrap_or_default();
            SectionView {
                html: to_safe_html(&text),
                empty: text.trim().is_empty(),
                prompt_html: to_safe_html(&s.prompt),
                example_html: to_safe_html(&s.example),
                comments: comments.iter().filter(|c| c.section == s.key).count(),
                section: s.clone(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "toolkit/agreement.html")]
struct AgreementPage {
    page: Page,
    space_id: String,
    space_name: String,
    agreement: Agreement,
    status: Status,
    latest: Version,
    sections: Vec<SectionView>,
    may_draft: bool,
    leads: bool,
    /// The version waiting for the viewer's answer (proposed, or in force when they joined after it).
    to_answer: Option<i64>,
    my_answer: Option<store::Answer>,
    answers: Vec<(store::Answer, String)>,
    waiting_for: Vec<String>,
    in_force_by: Vec<(store::Answer, String)>,
    in_force_at: String,
    review_on: String,
    review_value: String,
    may_propose: bool,
    errors: FieldErrors,
}

fn when(t: Option<DateTime<Utc>>, app: &App) -> String {
    t.map(|t| crate::web::time::date_time(t, app.config.timezone)).unwrap_or_default()
}

async fn agreement_page(
    app: &App,
    page: Page,
    viewer: &Viewer,
    reached: Reached,
    errors: FieldErrors,
) -> AppResult<AgreementPage> {
    let (agreement, versions) = service::ensure(app, &reached.space).await?;
    let latest = versions.last().cloned().ok_or(AppError::NotFound)?;
    let sections = store::sections(&app.db).await?;
    let comments = store::comments(&app.db, &reached.space.id).await?;
    let me = me(viewer)?;
    let status = agreement.status(latest.number);
    let answers = match agreement.proposed_version {
        Some(v) => store::answers(&app.db, &reached.space.id, v).await?,
        None => Vec::new(),
    };
    let in_force_by = match agreement.in_force_version {
        Some(v) => {
            store::answers(&app.db, &reached.space.id, v).await?.into_iter().filter(|a| a.answer == "agree").collect()
        }
        None => Vec::new(),
    };
    let members = crate::toolkit::store::members(&app.db, &reached.space.id).await?;
    let waiting_for = if agreement.proposed_version.is_some() {
        members
            .iter()
            .filter(|m| !answers.iter().any(|a| a.user_id == m.user_id && a.answer == "agree"))
            .map(|m| m.name.clone())
            .collect()
    } else {
        Vec::new()
    };
    let to_answer = match (agreement.proposed_version, agreement.in_force_version) {
        (Some(v), _) => Some(v),
        (None, Some(v)) if !in_force_by.iter().any(|a| a.user_id == me.id) => Some(v),
        _ => None,
    };
    let my_answer = answers.iter().find(|a| a.user_id == me.id).cloned();
    let timed = |list: Vec<store::Answer>| -> Vec<(store::Answer, String)> {
        list.into_iter()
            .map(|a| {
                let at = when(Some(a.answered_at), app);
                (a, at)
            })
            .collect()
    };
    let review_value = agreement.review_on.clone().unwrap_or_default();
    Ok(AgreementPage {
        page: page.titled(&format!("Team agreement – {}", reached.space.name)).noindex(),
        space_id: reached.space.id.clone(),
        space_name: reached.space.name.clone(),
        sections: section_views(&sections, &latest, &comments),
        may_draft: may_draft(viewer, &reached),
        leads: reached.leads,
        to_answer: if may_draft(viewer, &reached) { to_answer } else { None },
        my_answer,
        answers: timed(answers),
        waiting_for,
        in_force_by: timed(in_force_by),
        in_force_at: when(agreement.in_force_at, app),
        review_on: agreement.review_on.as_deref().map(in_words).unwrap_or_default(),
        review_value,
        may_propose: agreement.in_force_version != Some(latest.number)
            && agreement.proposed_version != Some(latest.number),
        status,
        latest,
        agreement,
        errors,
    })
}

async fn show(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let reached = reach_space(&app, &viewer, &id).await?;
    render(&agreement_page(&app, page, &viewer, reached, FieldErrors::default()).await?)
}

#[derive(Template)]
#[template(path = "toolkit/agreement_print.html")]
struct PrintPage {
    page: Page,
    space_name: String,
    version: Version,
    in_force: bool,
    in_force_at: String,
    agreed_by: Vec<store::Answer>,
    review_on: String,
    sections: Vec<SectionView>,
}

/// The version in force (else the latest draft, marked so), without forms or guidance: print it to PDF.
async fn print(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let reached = reach_space(&app, &viewer, &id).await?;
    let (agreement, versions) = service::ensure(&app, &reached.space).await?;
    let version = agreement
        .in_force_version
        .and_then(|n| versions.iter().find(|v| v.number == n))
        .or(versions.last())
        .cloned()
        .ok_or(AppError::NotFound)?;
    let in_force = agreement.in_force_version == Some(version.number);
    let agreed_by = if in_force {
        store::answers(&app.db, &reached.space.id, version.number)
            .await?
            .into_iter()
            .filter(|a| a.answer == "agree")
            .collect()
    } else {
        Vec::new()
    };
    let sections = store::sections(&app.db).await?;
    render(&PrintPage {
        page: page.titled(&format!("Team agreement – {}", reached.space.name)).noindex(),
        space_name: reached.space.name.clone(),
        sections: section_views(&sections, &version, &[]),
        in_force_at: when(agreement.in_force_at, &app),
        review_on: agreement.review_on.as_deref().map(in_words).unwrap_or_default(),
        in_force,
        agreed_by,
        version,
    })
}

#[derive(Template)]
#[template(path = "toolkit/agreement_section.html")]
struct SectionPage {
    page: Page,
    space_id: String,
    space_name: String,
    section: SectionView,
    /// The text in the box, and the version it was started from.
    text: String,
    base: i64,
    from_plan: Option<String>,
    may_draft: bool,
    comments: Vec<store::Comment>,
    comment: String,
    /// A conflict: the text someone else saved meanwhile, who and when.
    conflict: Option<(String, String, String)>,
    errors: FieldErrors,
}

#[allow(clippy::too_many_arguments)]
async fn section_view(
    app: &App,
    page: Page,
    viewer: &Viewer,
    reached: &Reached,
    key: &str,
    typed: Option<(String, i64)>,
    comment: String,
    conflict: Option<(String, String, String)>,
    errors: FieldErrors,
) -> AppResult<SectionPage> {
    if !service::is_section(key) {
        return Err(AppError::NotFound);
    }
    let (agreement, versions) = service::ensure(app, &reached.space).await?;
    let latest = versions.last().cloned().ok_or(AppError::NotFound)?;
    let sections = store::sections(&app.db).await?;
    let section = sections.iter().find(|s| s.key == key).cloned().ok_or(AppError::NotFound)?;
    let comments: Vec<store::Comment> =
        store::comments(&app.db, &reached.space.id).await?.into_iter().filter(|c| c.section == key).collect();
    let view = section_views(std::slice::from_ref(&section), &latest, &comments).remove(0);
    let (text, base) = typed.unwrap_or_else(|| (latest.text(key), latest.number));
    Ok(SectionPage {
        page: page.titled(&format!("{} – team agreement", section.title)).noindex(),
        space_id: reached.space.id.clone(),
        space_name: reached.space.name.clone(),
        section: view,
        text,
        base,
        from_plan: (key == super::FROM_PLAN).then(|| agreement.plan_source.clone()),
        may_draft: may_draft(viewer, reached),
        comments,
        comment,
        conflict,
        errors,
    })
}

async fn section_page(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, key)): Path<(String, String)>,
) -> AppResult<impl IntoResponse> {
    let reached = reach_space(&app, &viewer, &id).await?;
    render(&section_view(&app, page, &viewer, &reached, &key, None, String::new(), None, FieldErrors::default()).await?)
}

/// Saves a section as a new version; a save over someone else's meanwhile shows both texts (409 is for
/// programs; a person gets the page again, 422, with their text kept in the box).
async fn save(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, key)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach_space(&app, &viewer, &id).await?;
    if !service::is_section(&key) {
        return Err(AppError::NotFound);
    }
    if !may_draft(&viewer, &reached) {
        return Err(AppError::Forbidden);
    }
    let user = me(&viewer)?.clone();
    let fields = Fields(fields);
    let mut errors = FieldErrors::default();
    let text = errors.optional("text", "The section", fields.get("text"), 20_000);
    let base: i64 = fields.get("base").parse().unwrap_or(0);
    if !errors.is_empty() {
        let typed = Some((fields.get("text").to_string(), base));
        return invalid(&section_view(&app, page, &viewer, &reached, &key, typed, String::new(), None, errors).await?);
    }
    match service::save_section(&app, &id, &user.id, &key, text.trim_end(), base).await? {
        Saved::Version(n) => {
            Ok(redirect_with_notice(&format!("/toolkit/teams/{id}/agreement#{key}"), &format!("Saved as version {n}.")))
        }
        Saved::Unchanged => {
            Ok(redirect_with_notice(&format!("/toolkit/teams/{id}/agreement#{key}"), "Nothing had changed."))
        }
        Saved::Conflict { theirs, by, at, latest } => {
            errors.add(
                "text",
                "Someone saved this section while you were writing: their text is shown above yours. Nothing is \
                 lost: merge the two in the box and save again.",
            );
            let conflict = Some((theirs, by, when(Some(at), &app)));
            let typed = Some((text, latest));
            invalid(&section_view(&app, page, &viewer, &reached, &key, typed, String::new(), conflict, errors).await?)
        }
    }
}

async fn comment(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, key)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach_space(&app, &viewer, &id).await?;
    if !service::is_section(&key) {
        return Err(AppError::NotFound);
    }
    if !may_draft(&viewer, &reached) {
        return Err(AppError::Forbidden);
    }
    let user = me(&viewer)?.clone();
    let fields = Fields(fields);
    let mut errors = FieldErrors::default();
    let body = errors.required("comment", "Your comment", fields.get("comment"), 4000);
    if !errors.is_empty() {
        let typed = fields.get("comment").to_string();
        return invalid(&section_view(&app, page, &viewer, &reached, &key, None, typed, None, errors).await?);
    }
    service::ensure(&app, &reached.space).await?;
    store::add_comment(&app.db, &id, &key, &user.id, &body, Utc::now()).await?;
    Ok(redirect_with_notice(
        &format!("/toolkit/teams/{id}/agreement/sections/{key}#comments"),
        "Your comment is added.",
    ))
}

#[derive(Template)]
#[template(path = "toolkit/agreement_versions.html")]
struct VersionsPage {
    page: Page,
    space_id: String,
    space_name: String,
    /// Each version with what it changed, its mark (in force, proposed), and when (machine, words).
    versions: Vec<(Version, (String, String, String, String))>,
    a: i64,
    b: i64,
}

async fn versions(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let reached = reach_space(&app, &viewer, &id).await?;
    let (agreement, versions) = service::ensure(&app, &reached.space).await?;
    let sections = store::sections(&app.db).await?;
    let title =
        |key: &str| sections.iter().find(|s| s.key == key).map_or("The first draft".to_string(), |s| s.title.clone());
    let b = versions.last().map_or(1, |v| v.number);
    render(&VersionsPage {
        page: page.titled(&format!("Versions – team agreement – {}", reached.space.name)).noindex(),
        space_id: reached.space.id.clone(),
        space_name: reached.space.name.clone(),
        versions: versions
            .iter()
            .rev()
            .map(|v| {
                let mark = if agreement.in_force_version == Some(v.number) {
                    " (in force)"
                } else if agreement.proposed_version == Some(v.number) {
                    " (proposed)"
                } else {
                    ""
                };
                let at = (crate::web::time::machine(v.created_at), when(Some(v.created_at), &app));
                (v.clone(), (title(&v.section), mark.to_string(), at.0, at.1))
            })
            .collect(),
        a: agreement.in_force_version.filter(|v| *v < b).unwrap_or((b - 1).max(1)),
        b,
    })
}

#[derive(serde::Deserialize)]
struct CompareQuery {
    a: Option<String>,
    b: Option<String>,
}

#[derive(Template)]
#[template(path = "toolkit/agreement_compare.html")]
struct ComparePage {
    page: Page,
    space_id: String,
    space_name: String,
    a: Version,
    b: Version,
    /// Each section that differs, with its words compared.
    changed: Vec<(String, Vec<Change>)>,
}

async fn compare_page(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<CompareQuery>,
) -> AppResult<impl IntoResponse> {
    let reached = reach_space(&app, &viewer, &id).await?;
    let (_, versions) = service::ensure(&app, &reached.space).await?;
    let pick = |n: &Option<String>| -> AppResult<Version> {
        let n: i64 = n
            .as_deref()
            .unwrap_or("")
            .parse()
            .map_err(|_| AppError::BadRequest("Choose two versions to compare.".into()))?;
        versions
            .iter()
            .find(|v| v.number == n)
            .cloned()
            .ok_or_else(|| AppError::BadRequest(format!("There is no version {n}.")))
    };
    let (mut a, mut b) = (pick(&q.a)?, pick(&q.b)?);
    if a.number > b.number {
        std::mem::swap(&mut a, &mut b);
    }
    let (ta, tb) = (a.texts(), b.texts());
    let sections = store::sections(&app.db).await?;
    let changed = sections
        .iter()
        .filter_map(|s| {
            let (old, new) = (ta.get(&s.key).cloned().unwrap_or_default(), tb.get(&s.key).cloned().unwrap_or_default());
            (old != new).then(|| (s.title.clone(), compare(&old, &new)))
        })
        .collect();
    render(&ComparePage {
        page: page.titled(&format!("Version {} and {} – team agreement", a.number, b.number)).noindex(),
        space_id: reached.space.id.clone(),
        space_name: reached.space.name.clone(),
        a,
        b,
        changed,
    })
}

async fn propose(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach_space(&app, &viewer, &id).await?;
    lead(&reached)?;
    let user = me(&viewer)?.clone();
    let fields = Fields(fields);
    service::ensure(&app, &reached.space).await?;
    let mut errors = FieldErrors::default();
    if fields.get("action") == "withdraw" {
        store::withdraw(&app.db, &id).await?;
        return Ok(redirect_with_notice(&format!("/toolkit/teams/{id}/agreement"), "The proposal is withdrawn."));
    }
    let version = fields.get("version").parse().ok();
    service::propose(&app, &mut errors, &id, version, &user.id).await?;
    if !errors.is_empty() {
        return invalid(&agreement_page(&app, page, &viewer, reached, errors).await?);
    }
    Ok(redirect_with_notice(
        &format!("/toolkit/teams/{id}/agreement"),
        "Proposed for agreement: everyone in the team is asked to read it and agree, or ask for a change.",
    ))
}

async fn answer(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach_space(&app, &viewer, &id).await?;
    if !may_draft(&viewer, &reached) {
        return Err(AppError::Forbidden);
    }
    let user = me(&viewer)?.clone();
    let fields = Fields(fields);
    service::ensure(&app, &reached.space).await?;
    let mut errors = FieldErrors::default();
    let version: i64 = fields.get("version").parse().unwrap_or(0);
    let agree = fields.get("answer") == "agree";
    let in_force = service::answer(&app, &mut errors, &id, &user.id, version, agree, fields.get("note")).await?;
    if !errors.is_empty() {
        return invalid(&agreement_page(&app, page, &viewer, reached, errors).await?);
    }
    let notice = match (agree, in_force) {
        (true, true) => "You agreed, and so has everyone in the team: the agreement is in force.",
        (true, false) => "You agreed. The agreement comes into force when everyone in the team has.",
        (false, _) => "Your request for a change is recorded for the leads and the team.",
    };
    Ok(redirect_with_notice(&format!("/toolkit/teams/{id}/agreement"), notice))
}

async fn review(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach_space(&app, &viewer, &id).await?;
    lead(&reached)?;
    let fields = Fields(fields);
    let mut errors = FieldErrors::default();
    let date =
        crate::toolkit::requests::date_field(&mut errors, "review_on", "the review date", fields.get("review_on"));
    if let Some(d) = date
        && d <= service::today(&app, Utc::now())
    {
        errors.add("review_on", "The next review is after today.");
    }
    if !errors.is_empty() {
        return invalid(&agreement_page(&app, page, &viewer, reached, errors).await?);
    }
    service::ensure(&app, &reached.space).await?;
    store::set_review(&app.db, &id, date.ok_or(AppError::NotFound)?).await?;
    Ok(redirect_with_notice(&format!("/toolkit/teams/{id}/agreement"), "The review date is set."))
}
