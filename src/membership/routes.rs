//! For people who want to join: the application form, confirming the work address, and the status page.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::eligibility::{Employment, RuleResult, Stage};
use super::model::{ApplicationEvent, ApplicationRow, DISCIPLINES, SECTORS, Status};
use super::service::{self, ApplicationInput, ApplyError, VerifyProblem};
use super::store;
use crate::App;
use crate::auth::{User, Viewer, password, policy, session};
use crate::web::browser::{session_cookie, set_cookie};
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, redirect_with_notice, render, time};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/join", get(join_form).post(join))
        .route("/join/sent", get(join_sent))
        .route("/join/verify/{token}", get(verify_form).post(verify))
        .route("/application", get(status))
        .route("/application/answer", post(answer))
        .route("/application/resend", post(resend))
        .route("/membership/employer", get(employer_form).post(change_employer))
}

#[derive(Deserialize, Default, Clone)]
pub struct JoinForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    job_title: String,
    #[serde(default)]
    employment: String,
    #[serde(default)]
    programme_role: String,
    #[serde(default)]
    discipline_people: Option<String>,
    #[serde(default)]
    discipline_workplace: Option<String>,
    #[serde(default)]
    discipline_technology: Option<String>,
    #[serde(default)]
    discipline_change: Option<String>,
    #[serde(default)]
    organisation_name: String,
    #[serde(default)]
    organisation_domain: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    employees: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    agree_principles: Option<String>,
    #[serde(default)]
    agree_confidentiality: Option<String>,
    #[serde(default)]
    newsletter: Option<String>,
}

impl JoinForm {
    fn has_discipline(&self, key: &str) -> bool {
        match key {
            "people" => self.discipline_people.is_some(),
            "workplace" => self.discipline_workplace.is_some(),
            "technology" => self.discipline_technology.is_some(),
            "change" => self.discipline_change.is_some(),
            _ => false,
        }
    }

    /// Checks the form. `member` is the member changing employer, who keeps their name and password and
    /// has agreed to the principles already.
    fn validate(&self, member: Option<&User>, regions: &[String]) -> Result<ApplicationInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = match member {
            Some(user) => user.name.clone(),
            None => e.required("name", "Your name", &self.name, 100),
        };
        let email = e.email("email", &self.email);
        if member.is_none()
            && let Some(problem) = password::problem(&self.password, &self.confirm, &[&email, &name])
        {
            e.add("password", problem);
        }
        let job_title = e.required("job_title", "Your job title", &self.job_title, 150);
        let employment = Employment::parse(&self.employment);
        if employment.is_none() {
            e.add("employment", "Choose how you work for the organisation.");
        }
        let programme_role = e.required("programme_role", "Your part in the programme", &self.programme_role, 2000);
        let disciplines: Vec<&'static str> =
            DISCIPLINES.iter().map(|(k, _)| *k).filter(|k| self.has_discipline(k)).collect();
        let organisation_name =
            e.required("organisation_name", "The organisation's name", &self.organisation_name, 200);
        let organisation_domain =
            e.optional("organisation_domain", "The organisation's web address", &self.organisation_domain, 253);
        let sector = self.sector.trim().to_string();
        if !SECTORS.contains(&sector.as_str()) {
            e.add("sector", "Choose the organisation's sector.");
        }
        let employees = match self.employees.trim().replace([',', ' '], "").parse::<i64>() {
            Ok(n) if (1..=10_000_000).contains(&n) => n,
            _ => {
                e.add("employees", "Give the number of employees as a whole number, for example 1200.");
                0
            }
        };
        let region = super::regions::matching(regions, &self.region).unwrap_or_default();
        if region.is_empty() {
            e.add("region", "Choose the organisation's region or country from the list.");
        }
        let stage = Stage::parse(&self.stage);
        if stage.is_none() {
            e.add("stage", "Choose where the organisation is with Smart Working.");
        }
        if member.is_none() && self.agree_principles.is_none() {
            e.add("agree_principles", "Please agree not to use the network for selling or seeking work.");
        }
        if member.is_none() && self.agree_confidentiality.is_none() {
            e.add("agree_confidentiality", "Please agree to keep to the Chatham House Rule in closed meetings.");
        }
        e.into_result()?;
        let (Some(employment), Some(stage)) = (employment, stage) else { return Err(FieldErrors::default()) };
        Ok(ApplicationInput {
            name,
            email,
            password: self.password.clone(),
            job_title,
            employment,
            employment_key: self.employment.clone(),
            programme_role,
            disciplines,
            organisation_name,
            organisation_domain,
            sector,
            employees,
            region,
            stage,
            stage_key: self.stage.clone(),
            newsletter: self.newsletter.is_some(),
        })
    }
}

#[derive(Template)]
#[template(path = "membership/join.html")]
struct JoinPage {
    page: Page,
    form: JoinForm,
    errors: FieldErrors,
    employments: [(Employment, &'static str, &'static str); 5],
    stages: [(Stage, &'static str, &'static str); 4],
    sectors: [&'static str; 11],
    regions: Vec<String>,
    disciplines: [(&'static str, &'static str); 4],
}

fn join_page(page: Page, form: JoinForm, errors: FieldErrors, regions: Vec<String>) -> JoinPage {
    JoinPage {
        page: page.titled("Apply to join"),
        form,
        errors,
        employments: Employment::ALL,
        stages: Stage::ALL,
        sectors: SECTORS,
        regions,
        disciplines: DISCIPLINES,
    }
}

async fn join_form(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<Response> {
    if viewer.user.is_some() {
        return Ok(Redirect::to("/application").into_response());
    }
    let regions = store::regions(&app.db).await?;
    Ok(render(&join_page(page, JoinForm::default(), FieldErrors::default(), regions))?.into_response())
}

async fn join(
    State(app): State<App>,
    page: Page,
    crate::web::ClientIp(ip): crate::web::ClientIp,
    Form(form): Form<JoinForm>,
) -> AppResult<Response> {
    let regions = store::regions(&app.db).await?;
    let again = |errors: FieldErrors| -> AppResult<Response> {
        let mut kept = form.clone();
        kept.password.clear();
        kept.confirm.clear();
        Ok((StatusCode::BAD_REQUEST, render(&join_page(page.clone(), kept, errors, regions.clone()))?).into_response())
    };
    let input = match form.validate(None, &regions) {
        Ok(input) => input,
        Err(errors) => return again(errors),
    };
    let limit =
        crate::auth::throttle::mail_to_typed_address(&app.db, "join", ip, &input.email, chrono::Utc::now()).await?;
    if let Some(retry_after_secs) = limit {
        return Err(AppError::TooManyRequests { retry_after_secs });
    }
    // The same answer whether or not the address has an account: the e-mail tells its owner which it was.
    service::apply(&app, &input).await.map_err(|e| match e {
        ApplyError::Db(e) => AppError::from(e),
        other => AppError::from(anyhow::Error::from(other)),
    })?;
    Ok(Redirect::to("/join/sent").into_response())
}

#[derive(Template)]
#[template(path = "membership/join_sent.html")]
struct JoinSentPage {
    page: Page,
    hours: i64,
}

async fn join_sent(page: Page) -> AppResult<impl IntoResponse> {
    render(&JoinSentPage { page: page.titled("Check your e-mail").noindex(), hours: service::VERIFY_LINK_HOURS })
}

#[derive(Template)]
#[template(path = "membership/verify.html")]
struct VerifyPage {
    page: Page,
    token: String,
}

fn verify_problem(problem: VerifyProblem) -> AppError {
    AppError::Gone(match problem {
        VerifyProblem::Unknown => {
            "This confirmation link is not valid, or the address is already confirmed. Sign in to see your application."
                .into()
        }
        VerifyProblem::Expired => {
            "This confirmation link has expired. Sign in and ask for a new one on your application's page.".into()
        }
    })
}

/// Opening the link shows a button: a GET changes nothing (mail scanners open links too).
async fn verify_form(State(app): State<App>, page: Page, Path(token): Path<String>) -> AppResult<impl IntoResponse> {
    let application = store::application_by_verify_token(&app.db, &crate::auth::tokens::hash(&token)).await?;
    match application {
        None => Err(verify_problem(VerifyProblem::Unknown)),
        Some(a) if a.verify_expires_at.is_none_or(|e| e < chrono::Utc::now()) => {
            Err(verify_problem(VerifyProblem::Expired))
        }
        Some(_) => render(&VerifyPage { page: page.titled("Confirm your e-mail address").noindex(), token }),
    }
}

/// Confirming a new applicant's address also signs them in on this browser: the link proves the address is
/// theirs, and the form that asked for it signed no one in (so that it could not tell who has an account). A
/// member's move to a new organisation signs no one in: its link went to an address not yet proved theirs.
async fn verify(State(app): State<App>, viewer: Viewer, Path(token): Path<String>) -> AppResult<Response> {
    let application = service::verify(&app, &token).await?.map_err(verify_problem)?;
    let mut response = redirect_with_notice(
        "/application",
        "Thank you: your e-mail address is confirmed, and your application is with the organisers.",
    );
    if !application.is_employer_change() && viewer.user.as_ref().is_none_or(|u| u.id != application.user_id) {
        let mut tx = app.db.begin().await?;
        let started =
            session::start(&mut tx, &application.user_id, viewer.session_hash.as_deref(), session::Length::Short)
                .await?;
        tx.commit().await?;
        set_cookie(&mut response, session_cookie(&started, &app.config));
    }
    Ok(response)
}

/// An application as its applicant reads it.
#[derive(Template)]
#[template(path = "membership/status.html")]
struct StatusPage {
    page: Page,
    application: ApplicationRow,
    status: Status,
    rules: Vec<RuleResult>,
    events: Vec<EventView>,
    errors: FieldErrors,
}

pub struct EventView {
    pub event: ApplicationEvent,
    pub date: String,
}

impl EventView {
    pub fn label(&self) -> &'static str {
        match self.event.kind.as_str() {
            "submitted" => "Submitted",
            "verified" => "E-mail confirmed",
            "approved" => "Approved",
            "rejected" => "Not approved",
            "info_requested" => "Question from the organisers",
            "answered" => "Your answer",
            _ => "Note",
        }
    }
}

pub async fn event_views(app: &App, application_id: &str) -> AppResult<Vec<EventView>> {
    Ok(store::events(&app.db, application_id)
        .await?
        .into_iter()
        .map(|event| EventView { date: time::date_time(event.created_at, app.config.timezone), event })
        .collect())
}

async fn own_application(app: &App, viewer: &Viewer) -> AppResult<ApplicationRow> {
    policy::require(viewer, policy::can_view_own_application(viewer), "/application")?;
    let user_id = viewer.user.as_ref().map(|u| u.id.clone()).unwrap_or_default();
    store::latest_application_of(&app.db, &user_id).await?.ok_or(AppError::NotFound)
}

async fn status_page(app: &App, page: Page, application: ApplicationRow, errors: FieldErrors) -> AppResult<StatusPage> {
    Ok(StatusPage {
        page: page.titled("Your application").noindex(),
        status: application.status(),
        rules: application.rules(),
        events: event_views(app, &application.id).await?,
        application,
        errors,
    })
}

async fn status(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let application = own_application(&app, &viewer).await?;
    render(&status_page(&app, page, application, FieldErrors::default()).await?)
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    answer: String,
}

async fn answer(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Form(form): Form<AnswerForm>,
) -> AppResult<Response> {
    let application = own_application(&app, &viewer).await?;
    let mut errors = FieldErrors::default();
    let text = errors.required("answer", "Your answer", &form.answer, 5000);
    if application.status() != Status::InfoRequested {
        errors.add("answer", "There is no open question on your application.");
    }
    if !errors.is_empty() {
        return Ok(
            (StatusCode::BAD_REQUEST, render(&status_page(&app, page, application, errors).await?)?).into_response()
        );
    }
    service::answer(&app, &application, &text).await?;
    Ok(redirect_with_notice("/application", "Thank you: your answer is with the organisers."))
}

async fn resend(State(app): State<App>, viewer: Viewer) -> AppResult<Response> {
    let application = own_application(&app, &viewer).await?;
    if application.status() != Status::Unverified {
        return Ok(redirect_with_notice("/application", "Your e-mail address is already confirmed."));
    }
    service::resend_verification(&app, &application).await?;
    Ok(redirect_with_notice("/application", "We have sent you a new confirmation link."))
}

#[derive(Template)]
#[template(path = "membership/employer.html")]
struct EmployerPage {
    page: Page,
    form: JoinForm,
    errors: FieldErrors,
    employments: [(Employment, &'static str, &'static str); 5],
    stages: [(Stage, &'static str, &'static str); 4],
    sectors: [&'static str; 11],
    regions: Vec<String>,
}

fn employer_page(page: Page, form: JoinForm, errors: FieldErrors, regions: Vec<String>) -> EmployerPage {
    EmployerPage {
        page: page.titled("A new organisation").noindex(),
        form,
        errors,
        employments: Employment::ALL,
        stages: Stage::ALL,
        sectors: SECTORS,
        regions,
    }
}

fn changing_member(viewer: &Viewer) -> AppResult<User> {
    let user = viewer.user.clone().ok_or(AppError::SignInRequired("/membership/employer".into()))?;
    policy::require(viewer, policy::can_renew_membership(&user), "/membership/employer")?;
    Ok(user)
}

async fn employer_form(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    changing_member(&viewer)?;
    render(&employer_page(page, JoinForm::default(), FieldErrors::default(), store::regions(&app.db).await?))
}

async fn change_employer(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Form(form): Form<JoinForm>,
) -> AppResult<Response> {
    let user = changing_member(&viewer)?;
    let regions = store::regions(&app.db).await?;
    let again = |errors| -> AppResult<Response> {
        let page = employer_page(page.clone(), form.clone(), errors, regions.clone());
        Ok((StatusCode::BAD_REQUEST, render(&page)?).into_response())
    };
    let input = match form.validate(Some(&user), &regions) {
        Ok(input) => input,
        Err(errors) => return again(errors),
    };
    match service::change_employer(&app, &user.id, &input).await {
        Ok(_) => Ok(redirect_with_notice(
            "/application",
            "Thank you. Please confirm your new work address with the link we have e-mailed to it.",
        )),
        Err(ApplyError::EmailTaken) => {
            let mut errors = FieldErrors::default();
            errors.add("email", "Another account uses this e-mail address.");
            again(errors)
        }
        Err(ApplyError::Db(e)) => Err(e.into()),
        Err(ApplyError::Other(e)) => Err(e.into()),
    }
}
