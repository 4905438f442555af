//! The trials' pages: the team's trials and scoping a new one (from a what-if, from a request, or written),
//! a trial with its steps, the decision (with the network's guidance where a trial may end), check-in notes
//! for the person on trial and the leads, and offering a finished trial as a case study.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{Duration, Utc};

use super::{
    CAUSES, Criterion, Decision, ENDING_GUIDANCE, State as TrialState, StepFields, Trial, TrialFields, cause_label,
    check_step, check_trial, store,
};
use crate::App;
use crate::auth::Viewer;
use crate::auth::policy;
use crate::toolkit::agreements::service::today;
use crate::toolkit::model::PersonRow;
use crate::toolkit::requests::{self, check_extension, in_words, parse_date};
use crate::toolkit::routes::{Fields, Reached, invalid, lead, reach_space};
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, redirect_with_notice, render};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/toolkit/teams/{id}/trials", get(index).post(create))
        .route("/toolkit/teams/{id}/trials/{trial}", get(show))
        .route("/toolkit/teams/{id}/trials/{trial}/step", post(step))
        .route("/toolkit/teams/{id}/trials/{trial}/criteria", post(criteria))
        .route("/toolkit/teams/{id}/trials/{trial}/notes", post(note))
        .route("/toolkit/teams/{id}/trials/{trial}/share", post(share))
}

/// How many criteria rows the form offers at least (one more than a trial has, up to the most it may have).
const CRITERIA_ROWS: usize = 4;
const MOST_CRITERIA: usize = 20;

/// Criteria as numbered rows of a form: those given, then blank rows (at least `CRITERIA_ROWS`, one spare,
/// at most `MOST_CRITERIA`).
fn criteria_rows(criteria: Vec<Criterion>) -> Vec<(usize, Criterion)> {
    let wanted = CRITERIA_ROWS.max(criteria.len() + 1).min(MOST_CRITERIA);
    let mut rows: Vec<(usize, Criterion)> = criteria.into_iter().enumerate().map(|(i, c)| (i + 1, c)).collect();
    while rows.len() < wanted {
        rows.push((rows.len() + 1, Criterion::default()));
    }
    rows
}

fn on_trial(viewer: &Viewer, t: &Trial) -> bool {
    viewer.user.as_ref().is_some_and(|u| t.person_user_id.as_deref() == Some(u.id.as_str()))
}

/// Whether the viewer sees (and writes) the trial's check-in notes.
pub fn may_see_notes(viewer: &Viewer, reached: &Reached, t: &Trial) -> bool {
    policy::can_see_trial_notes(viewer, reached.standing, on_trial(viewer, t), Utc::now())
}

impl Fields {
    fn trial(&self) -> TrialFields {
        TrialFields {
            person: self.get("person").into(),
            pattern: self.get("pattern").into(),
            scenario: self.get("scenario").into(),
            starts_on: self.get("starts_on").into(),
            ends_on: self.get("ends_on").into(),
            length_reason: self.get("length_reason").into(),
            criteria: (1..=MOST_CRITERIA + 1)
                .take_while(|i| self.has(&format!("criterion_{i}")))
                .map(|i| Criterion {
                    criterion: self.get(&format!("criterion_{i}")).into(),
                    baseline: self.get(&format!("baseline_{i}")).into(),
                    measure: self.get(&format!("measure_{i}")).into(),
                })
                .collect(),
        }
    }
}

pub struct Line {
    pub trial: Trial,
    pub dates: String,
}

#[derive(Template)]
#[template(path = "toolkit/trials.html")]
struct IndexPage {
    page: Page,
    space_id: String,
    space_name: String,
    leads: bool,
    trials: Vec<Line>,
    people: Vec<PersonRow>,
    scenarios: Vec<(String, String)>,
    form: TrialFields,
    rows: Vec<(usize, Criterion)>,
    /// The request the trial starts from, with the agreed new decision date offered.
    request: Option<requests::Request>,
    extended_to: String,
    extension_note: String,
    errors: FieldErrors,
}

#[derive(serde::Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    request: String,
    /// A decided trial to run again, adjusted: its person, pattern and criteria start the form.
    #[serde(default)]
    again: String,
}

#[allow(clippy::too_many_arguments)]
async fn index_page(
    app: &App,
    page: Page,
    reached: Reached,
    form: TrialFields,
    request: Option<requests::Request>,
    extended_to: String,
    extension_note: String,
    errors: FieldErrors,
) -> AppResult<IndexPage> {
    let trials = store::trials(&app.db, &reached.space.id)
        .await?
        .into_iter()
        .map(|t| Line { dates: format!("{} to {}", in_words(&t.starts_on), in_words(&t.ends_on)), trial: t })
        .collect();
    let rows = criteria_rows(form.criteria.clone());
    Ok(IndexPage {
        page: page.titled(&format!("Trial periods – {}", reached.space.name)).noindex(),
        space_id: reached.space.id.clone(),
        space_name: reached.space.name.clone(),
        leads: reached.leads,
        trials,
        people: crate::toolkit::store::people(&app.db, &reached.space.id).await?,
        scenarios: scenarios(app, &reached.space.id).await?,
        form,
        rows,
        request,
        extended_to,
        extension_note,
        errors,
    })
}

async fn scenarios(app: &App, space_id: &str) -> AppResult<Vec<(String, String)>> {
    Ok(crate::toolkit::store::scenarios(&app.db, space_id).await?.into_iter().map(|s| (s.id, s.name)).collect())
}

async fn index(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<NewQuery>,
) -> AppResult<impl IntoResponse> {
    let reached = reach_space(&app, &viewer, &id).await?;
    let start = today(&app, Utc::now()) + Duration::days(7);
    let end = start + Duration::weeks(8) - Duration::days(1);
    let mut form = TrialFields { starts_on: start.to_string(), ends_on: end.to_string(), ..TrialFields::default() };
    let mut request = None;
    let (mut extended_to, mut extension_note) = (String::new(), String::new());
    if !q.again.is_empty() && reached.leads {
        let earlier = store::trial(&app.db, &id, &q.again).await?.ok_or(AppError::NotFound)?;
        form.person = earlier.person_id.clone().unwrap_or_default();
        form.criteria = earlier.criteria();
        form.pattern = format!("{} (adjusted: ...)", earlier.pattern);
    }
    if !q.request.is_empty() && reached.leads {
        let r = requests::store::request(&app.db, &id, &q.request).await?.ok_or(AppError::NotFound)?;
        form.person = r.person_id.clone().unwrap_or_default();
        form.pattern = r.change.clone();
        extended_to = (end + Duration::days(14)).to_string();
        extension_note = format!("Agreed with {} to decide after a trial of the pattern asked for.", r.person_name);
        request = Some(r);
    }
    render(&index_page(&app, page, reached, form, request, extended_to, extension_note, FieldErrors::default()).await?)
}

async fn create(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach_space(&app, &viewer, &id).await?;
    lead(&reached)?;
    let by = viewer.user.as_ref().ok_or(AppError::Forbidden)?.id.clone();
    let fields = Fields(fields);
    let f = fields.trial();
    let mut errors = FieldErrors::default();
    let request = match fields.get("request") {
        "" => None,
        rid => Some(requests::store::request(&app.db, &id, rid).await?.ok_or(AppError::NotFound)?),
    };
    let people = crate::toolkit::store::people(&app.db, &id).await?;
    let checked = check_trial(&mut errors, &f, &people, &scenarios(&app, &id).await?);
    let extension = match &request {
        Some(r) if !fields.get("extended_to").trim().is_empty() => {
            check_extension(&mut errors, r, fields.get("extended_to"), fields.get("extension_note"))
        }
        _ => None,
    };
    let Some(checked) = checked.filter(|_| errors.is_empty()) else {
        let (to, note) = (fields.get("extended_to").to_string(), fields.get("extension_note").to_string());
        return invalid(&index_page(&app, page, reached, f, request, to, note, errors).await?);
    };
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    let trial = store::insert(&mut tx, &id, &checked, request.as_ref().map(|r| r.id.as_str()), &by, now).await?;
    if let (Some(r), Some((to, note))) = (&request, extension) {
        requests::store::extend(&mut tx, &r.id, to, &note, now).await?;
    }
    tx.commit().await?;
    Ok(redirect_with_notice(
        &format!("/toolkit/teams/{id}/trials/{trial}"),
        "The trial is proposed: agree its criteria and baseline, then mark it scoped.",
    ))
}

#[derive(Template)]
#[template(path = "toolkit/trial.html")]
struct TrialPage {
    page: Page,
    space_id: String,
    space_name: String,
    leads: bool,
    t: Trial,
    state: TrialState,
    next: Option<TrialState>,
    criteria: Vec<Criterion>,
    dates: (String, String, String),
    steps: Vec<(store::StepRow, String)>,
    notes: Option<Vec<(store::Note, String)>>,
    decisions: [Decision; 4],
    causes: [(&'static str, &'static str); 8],
    guidance: &'static str,
    cause: String,
    request: Option<(String, String)>,
    shareable: bool,
    /// For a proposed trial, its criteria as rows of the form that changes them.
    rows: Vec<(usize, Criterion)>,
    form: Fields,
    errors: FieldErrors,
}

async fn trial_page(
    app: &App,
    page: Page,
    viewer: &Viewer,
    reached: Reached,
    tid: &str,
    form: Fields,
    errors: FieldErrors,
) -> AppResult<TrialPage> {
    let t = store::trial(&app.db, &reached.space.id, tid).await?.ok_or(AppError::NotFound)?;
    let tz = app.config.timezone;
    let steps = store::steps(&app.db, tid)
        .await?
        .into_iter()
        .map(|s| {
            let at = crate::web::time::date_time(s.at, tz);
            (s, at)
        })
        .collect();
    let notes = if may_see_notes(viewer, &reached, &t) {
        Some(
            store::notes(&app.db, tid)
                .await?
                .into_iter()
                .map(|n| {
                    let at = crate::web::time::date_time(n.created_at, tz);
                    (n, at)
                })
                .collect(),
        )
    } else {
        None
    };
    let request = match &t.request_id {
        Some(rid) => requests::store::request(&app.db, &reached.space.id, rid)
            .await?
            .filter(|r| crate::toolkit::requests::routes::may_see(viewer, &reached, r))
            .map(|r| (r.id.clone(), in_words(&r.made_on))),
        None => None,
    };
    let state = t.state();
    Ok(TrialPage {
        page: page.titled(&format!("Trial: {} – {}", t.who(), reached.space.name)).noindex(),
        space_id: reached.space.id.clone(),
        space_name: reached.space.name.clone(),
        leads: reached.leads,
        next: state.next(),
        criteria: t.criteria(),
        dates: (in_words(&t.starts_on), in_words(&t.midpoint_on), in_words(&t.ends_on)),
        steps,
        notes,
        decisions: Decision::ALL,
        causes: CAUSES,
        guidance: ENDING_GUIDANCE,
        cause: cause_label(&t.cause).unwrap_or_default().to_string(),
        request,
        shareable: state == TrialState::Decided && reached.leads && !t.shared,
        rows: criteria_rows(if form.has("criterion_1") { form.trial().criteria } else { t.criteria() }),
        state,
        t,
        form,
        errors,
    })
}

async fn show(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, tid)): Path<(String, String)>,
) -> AppResult<impl IntoResponse> {
    let reached = reach_space(&app, &viewer, &id).await?;
    render(&trial_page(&app, page, &viewer, reached, &tid, Fields(Vec::new()), FieldErrors::default()).await?)
}

/// Takes the trial's next step, checked again at write time against the state it was checked from.
pub async fn take_step(
    app: &App,
    t: &Trial,
    f: &StepFields,
    by: &str,
    errors: &mut FieldErrors,
) -> AppResult<Option<TrialState>> {
    let Some(step) = check_step(errors, t, f) else {
        return Ok(None);
    };
    let mut tx = app.db.begin().await?;
    if !store::step(&mut tx, &t.id, &t.state, &step, by, Utc::now()).await? {
        errors.add("state", "The trial moved on meanwhile: look at it again.");
        return Ok(None);
    }
    tx.commit().await?;
    Ok(Some(step.state))
}

async fn step(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, tid)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach_space(&app, &viewer, &id).await?;
    lead(&reached)?;
    let by = viewer.user.as_ref().ok_or(AppError::Forbidden)?.id.clone();
    let t = store::trial(&app.db, &id, &tid).await?.ok_or(AppError::NotFound)?;
    let fields = Fields(fields);
    let f = StepFields {
        to: fields.get("to").into(),
        decision: fields.get("decision").into(),
        reason: fields.get("reason").into(),
        cause: fields.get("cause").into(),
        ends_on: fields.get("ends_on").into(),
    };
    let mut errors = FieldErrors::default();
    match take_step(&app, &t, &f, &by, &mut errors).await? {
        Some(state) => Ok(redirect_with_notice(
            &format!("/toolkit/teams/{id}/trials/{tid}"),
            &format!("The trial is now: {}.", state.label()),
        )),
        None => invalid(&trial_page(&app, page, &viewer, reached, &tid, fields, errors).await?),
    }
}

/// A proposed trial's criteria, changed until they are agreed (the trial is then scoped).
async fn criteria(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, tid)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach_space(&app, &viewer, &id).await?;
    lead(&reached)?;
    let t = store::trial(&app.db, &id, &tid).await?.ok_or(AppError::NotFound)?;
    let fields = Fields(fields);
    let mut errors = FieldErrors::default();
    if t.state() != TrialState::Proposed {
        errors.add("criteria", "The criteria are fixed once the trial is scoped.");
    }
    let criteria = super::check_criteria(&mut errors, &fields.trial().criteria);
    if !errors.is_empty() {
        return invalid(&trial_page(&app, page, &viewer, reached, &tid, fields, errors).await?);
    }
    if !store::set_criteria(&app.db, &tid, &criteria, Utc::now()).await? {
        return Err(AppError::Conflict("The criteria are fixed once the trial is scoped.".into()));
    }
    Ok(redirect_with_notice(&format!("/toolkit/teams/{id}/trials/{tid}"), "The success criteria are saved."))
}

async fn note(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, tid)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach_space(&app, &viewer, &id).await?;
    let t = store::trial(&app.db, &id, &tid).await?.ok_or(AppError::NotFound)?;
    if !may_see_notes(&viewer, &reached, &t) || reached.space.closed_at.is_some() {
        return Err(AppError::NotFound);
    }
    let by = viewer.user.as_ref().ok_or(AppError::Forbidden)?.id.clone();
    let fields = Fields(fields);
    let mut errors = FieldErrors::default();
    let body = errors.required("note", "The check-in note", fields.get("note"), 8000);
    if !errors.is_empty() {
        return invalid(&trial_page(&app, page, &viewer, reached, &tid, fields, errors).await?);
    }
    store::add_note(&app.db, &tid, &by, &body, Utc::now()).await?;
    Ok(redirect_with_notice(&format!("/toolkit/teams/{id}/trials/{tid}#notes"), "The check-in note is saved."))
}

/// Offers a decided trial, anonymised, as a draft case study for organisers to review.
async fn share(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, tid)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach_space(&app, &viewer, &id).await?;
    lead(&reached)?;
    let t = store::trial(&app.db, &id, &tid).await?.ok_or(AppError::NotFound)?;
    if t.state() != TrialState::Decided {
        return Err(AppError::Conflict("A trial is shared once it is decided.".into()));
    }
    if t.shared {
        return Err(AppError::Conflict("This trial has been offered to the network already.".into()));
    }
    let fields = Fields(fields);
    if !fields.has("confirm") {
        let mut errors = FieldErrors::default();
        errors.add("confirm", "Tick the box to say you mean to share the trial, anonymised, with the network.");
        return invalid(&trial_page(&app, page, &viewer, reached, &tid, fields, errors).await?);
    }
    let lead = viewer.user.as_ref().ok_or(AppError::Forbidden)?;
    let organisation_id = lead.organisation_id.as_deref().ok_or_else(|| {
        AppError::Conflict(
            "Your account names no organisation, so the case study could not say what kind of organisation it is."
                .into(),
        )
    })?;
    let organisation = crate::membership::organisation(&app.db, organisation_id).await?.ok_or(AppError::NotFound)?;
    let weeks = match (parse_date(&t.starts_on), parse_date(&t.ends_on)) {
        (Some(a), Some(b)) => ((b - a).num_days() + 1) / 7,
        _ => 0,
    };
    let criteria: Vec<String> = t
        .criteria()
        .iter()
        .map(|c| format!("* {} (baseline: {}; measured by: {})", c.criterion, c.baseline, c.measure))
        .collect();
    let decision = t.decision.as_deref().and_then(Decision::parse).map_or("decided", Decision::label);
    let label = format!("A team at a {} organisation", organisation.sector.to_lowercase());
    let who = if t.for_team { "the whole team" } else { "one member of the team" };
    let offered = crate::library::OfferedCaseStudy {
        title: &format!("A {weeks}-week trial of a new working pattern"),
        organisation_label: &label,
        sector: &organisation.sector,
        size_band: organisation.size_band(),
        region: &organisation.region,
        challenge_md: &format!("A trial for {who} of this pattern:\n\n{}", t.pattern),
        approach_md: &format!(
            "A {weeks}-week trial with a mid-point check and a final review, against these success criteria:\n\n{}",
            criteria.join("\n")
        ),
        results_md: &format!("The final review's decision: {}.", decision.to_lowercase()),
        lessons_md: "For the team to write with the organisers: what the check-ins showed, and what they would change.",
    };
    // Claimed first: two presses of the button offer it once.
    if store::mark_shared(&app.db, &tid, Utc::now()).await? == 0 {
        return Err(AppError::Conflict("This trial has been offered to the network already.".into()));
    }
    if let Err(e) = crate::library::offer_case_study(&app, &offered, &lead.id).await {
        // Not offered after all: the lead may try again.
        store::unmark_shared(&app.db, &tid).await?;
        return Err(e.into());
    }
    Ok(redirect_with_notice(
        &format!("/toolkit/teams/{id}/trials/{tid}"),
        "The trial is with the network's organisers as an anonymised draft case study: nothing is published until they review it.",
    ))
}
