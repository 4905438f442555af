//! The requests' pages: the team's requests (each person sees their own; leads all), recording one, and a
//! request with its clock: what is still due, consultation, an agreed extension, the decision, an appeal, and
//! a trial started from it.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;

use super::rules::{GROUNDS, RULES, Rules};
use super::{
    DecisionFields, Request, RequestFields, check_decision, check_extension, check_new, date_field, in_words, store,
};
use crate::App;
use crate::auth::Viewer;
use crate::auth::policy;
use crate::toolkit::agreements::service::today;
use crate::toolkit::model::PersonRow;
use crate::toolkit::routes::{Fields, Reached, invalid, lead, reach_space};
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, redirect_with_notice, render};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/toolkit/teams/{id}/requests", get(index).post(create))
        .route("/toolkit/teams/{id}/requests/{request}", get(show).post(act))
}

fn own(viewer: &Viewer, r: &Request) -> bool {
    viewer.user.as_ref().is_some_and(|u| r.person_user_id.as_deref() == Some(u.id.as_str()))
}

/// A request the viewer may see (the leads, and the person who made it); anyone else is told nothing.
pub fn may_see(viewer: &Viewer, reached: &Reached, r: &Request) -> bool {
    policy::can_see_flexible_request(viewer, reached.standing, own(viewer, r), Utc::now())
}

pub struct Line {
    pub request: Request,
    pub deadline: String,
    pub status: String,
}

fn status(r: &Request) -> String {
    match (r.outcome.as_deref(), r.appeal_on.is_some(), r.appeal_outcome.as_deref()) {
        (None, _, _) => "Waiting for a decision".into(),
        (Some("refused"), true, None) => "Refused; appeal waiting for a decision".into(),
        (Some("refused"), true, Some("overturned")) => "Granted on appeal".into(),
        (Some("refused"), true, Some(_)) => "Refused; refusal upheld on appeal".into(),
        (Some(o), _, _) => format!("{}{}", o[..1].to_uppercase(), &o[1..]),
    }
}

#[derive(Template)]
#[template(path = "toolkit/requests.html")]
struct IndexPage {
    page: Page,
    space_id: String,
    space_name: String,
    leads: bool,
    requests: Vec<Line>,
    people: Vec<PersonRow>,
    form: RequestFields,
    rules_now: String,
    errors: FieldErrors,
}

async fn index_page(
    app: &App,
    page: Page,
    viewer: &Viewer,
    reached: Reached,
    form: RequestFields,
    errors: FieldErrors,
) -> AppResult<IndexPage> {
    let all = store::requests(&app.db, &reached.space.id).await?;
    let requests = all
        .into_iter()
        .filter(|r| may_see(viewer, &reached, r))
        .map(|r| Line { deadline: in_words(&r.deadline()), status: status(&r), request: r })
        .collect();
    let rules_now = super::rules::in_force(today(app, Utc::now())).map(Rules::summary).unwrap_or_default();
    Ok(IndexPage {
        page: page.titled(&format!("Flexible-working requests – {}", reached.space.name)).noindex(),
        space_id: reached.space.id.clone(),
        space_name: reached.space.name.clone(),
        leads: reached.leads,
        requests,
        people: crate::toolkit::store::people(&app.db, &reached.space.id).await?,
        form,
        rules_now,
        errors,
    })
}

async fn index(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let reached = reach_space(&app, &viewer, &id).await?;
    let form = RequestFields { made_on: today(&app, Utc::now()).to_string(), ..RequestFields::default() };
    render(&index_page(&app, page, &viewer, reached, form, FieldErrors::default()).await?)
}

impl Fields {
    fn request(&self) -> RequestFields {
        RequestFields {
            person: self.get("person").into(),
            made_on: self.get("made_on").into(),
            change: self.get("change").into(),
            start_wanted: self.get("start_wanted").into(),
            earlier: self.get("earlier").into(),
        }
    }
}

/// Records a request, checked again inside the transaction against the person's requests then.
pub async fn record(
    app: &App,
    space_id: &str,
    by: &str,
    errors: &mut FieldErrors,
    f: &RequestFields,
) -> AppResult<Option<String>> {
    let people = crate::toolkit::store::people(&app.db, space_id).await?;
    let mut tx = app.db.begin().await?;
    // Two leads recording requests of one person at once: the second waits here, then reads the first.
    store::hold_person(&mut tx, &f.person).await?;
    let earlier = store::of_person(&mut tx, &f.person).await?;
    let Some(checked) = check_new(errors, f, &people, &earlier, today(app, Utc::now())) else {
        return Ok(None);
    };
    let id = store::insert(&mut tx, space_id, &checked, by, Utc::now()).await?;
    tx.commit().await?;
    Ok(Some(id))
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
    let f = fields.request();
    let mut errors = FieldErrors::default();
    match record(&app, &id, &by, &mut errors, &f).await? {
        Some(request) => Ok(redirect_with_notice(
            &format!("/toolkit/teams/{id}/requests/{request}"),
            "The request is recorded, with its deadline.",
        )),
        None => invalid(&index_page(&app, page, &viewer, reached, f, errors).await?),
    }
}

#[derive(Template)]
#[template(path = "toolkit/request.html")]
struct RequestPage {
    page: Page,
    space_id: String,
    space_name: String,
    leads: bool,
    r: Request,
    status: String,
    rules: &'static Rules,
    latest_rules: &'static Rules,
    deadline: String,
    still_due: Vec<String>,
    grounds: Vec<&'static str>,
    all_grounds: [(&'static str, &'static str); 8],
    trials: Vec<(String, String)>,
    today: String,
    form: Fields,
    errors: FieldErrors,
}

async fn request_page(
    app: &App,
    page: Page,
    viewer: &Viewer,
    reached: Reached,
    rid: &str,
    form: Fields,
    errors: FieldErrors,
) -> AppResult<RequestPage> {
    let r = store::request(&app.db, &reached.space.id, rid).await?.ok_or(AppError::NotFound)?;
    if !may_see(viewer, &reached, &r) {
        return Err(AppError::NotFound);
    }
    let trials = crate::toolkit::trials::store::trials(&app.db, &reached.space.id)
        .await?
        .into_iter()
        .filter(|t| t.request_id.as_deref() == Some(rid))
        .map(|t| (t.id.clone(), format!("{} ({})", t.pattern, t.state().label())))
        .collect();
    Ok(RequestPage {
        page: page.titled(&format!("Request of {} – {}", in_words(&r.made_on), reached.space.name)).noindex(),
        space_id: reached.space.id.clone(),
        space_name: reached.space.name.clone(),
        leads: reached.leads,
        status: status(&r),
        rules: r.rules(),
        latest_rules: &RULES[RULES.len() - 1],
        deadline: in_words(&r.deadline()),
        still_due: r.still_due(),
        grounds: r.grounds(),
        all_grounds: GROUNDS,
        trials,
        today: today(app, Utc::now()).to_string(),
        form,
        errors,
        r,
    })
}

async fn show(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, rid)): Path<(String, String)>,
) -> AppResult<impl IntoResponse> {
    let reached = reach_space(&app, &viewer, &id).await?;
    render(&request_page(&app, page, &viewer, reached, &rid, Fields(Vec::new()), FieldErrors::default()).await?)
}

/// What a lead records on a request: `action` is consult, extend, decide, appeal or appeal_decision.
async fn act(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, rid)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach_space(&app, &viewer, &id).await?;
    lead(&reached)?;
    let r = store::request(&app.db, &id, &rid).await?.ok_or(AppError::NotFound)?;
    let fields = Fields(fields);
    let mut errors = FieldErrors::default();
    let now = Utc::now();
    let notice = match fields.get("action") {
        "consult" => {
            let on = date_field(&mut errors, "consulted_on", "the day of the consultation", fields.get("consulted_on"));
            let note =
                errors.optional("consultation_note", "What was discussed", fields.get("consultation_note"), 4000);
            if r.outcome.is_some() {
                errors.add("consulted_on", "The request has been decided already.");
            }
            match on {
                Some(on) if errors.is_empty() => {
                    store::consulted(&app.db, &rid, on, &note, now).await?;
                    "The consultation is recorded."
                }
                _ => "",
            }
        }
        "extend" => {
            if let Some((to, note)) =
                check_extension(&mut errors, &r, fields.get("extended_to"), fields.get("extension_note"))
            {
                let mut tx = app.db.begin().await?;
                store::extend(&mut tx, &rid, to, &note, now).await?;
                tx.commit().await?;
                "The agreed new date is recorded."
            } else {
                ""
            }
        }
        "decide" => {
            let f = DecisionFields {
                outcome: fields.get("outcome").into(),
                grounds: fields.all("grounds"),
                explanation: fields.get("explanation").into(),
                decided_on: fields.get("decided_on").into(),
            };
            match check_decision(&mut errors, &r, &f, today(&app, now)) {
                Some(d) => {
                    if !store::decide(&app.db, &rid, &d, now).await? {
                        errors.add("state", "This request has been decided already.");
                    }
                    "The decision is recorded."
                }
                None => "",
            }
        }
        "appeal" => {
            let on = date_field(&mut errors, "appeal_on", "the day the appeal was made", fields.get("appeal_on"));
            if r.outcome.as_deref() != Some("refused") || r.appeal_on.is_some() {
                errors.add("appeal_on", "An appeal is recorded once, against a refusal.");
            }
            match on {
                Some(on) if errors.is_empty() => {
                    store::appeal(&app.db, &rid, on, now).await?;
                    "The appeal is recorded: decide it by the deadline."
                }
                _ => "",
            }
        }
        "appeal_decision" => {
            let outcome = fields.get("appeal_outcome");
            if !["upheld", "overturned"].contains(&outcome) {
                errors.add("appeal_outcome", "Choose whether the refusal is upheld or overturned.");
            }
            if r.appeal_on.is_none() || r.appeal_outcome.is_some() {
                errors.add("appeal_outcome", "There is no appeal waiting for a decision.");
            }
            if errors.is_empty() {
                store::appeal_decided(&app.db, &rid, outcome, today(&app, now), now).await?;
            }
            "The decision on the appeal is recorded."
        }
        _ => return Err(AppError::BadRequest("Choose what to record.".into())),
    };
    if !errors.is_empty() {
        return invalid(&request_page(&app, page, &viewer, reached, &rid, fields, errors).await?);
    }
    Ok(redirect_with_notice(&format!("/toolkit/teams/{id}/requests/{rid}"), notice))
}
