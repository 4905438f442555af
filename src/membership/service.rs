//! Membership rules that are not HTTP: applying, confirming the work address, answering questions, and the
//! organisers' decisions. Every step is one transaction with its history event and its e-mail.

use chrono::{Duration, Utc};

use super::eligibility::{self, Employment, Facts, KnownOrganisation, Settings, Stage, Verdict};
use super::model::{ApplicationRow, Status};
use super::store::{self, NewApplication};
use crate::App;
use crate::auth::{Role, password, service as accounts, tokens};
use crate::db::{Tx, is_unique_violation};
use crate::mail::{self, messages};

pub const VERIFY_LINK_HOURS: i64 = 48;
pub const TERM_DAYS: i64 = 365;

/// A checked application form.
pub struct ApplicationInput {
    pub name: String,
    pub email: String,
    pub password: String,
    pub job_title: String,
    pub employment: Employment,
    pub employment_key: String,
    pub programme_role: String,
    pub disciplines: Vec<&'static str>,
    pub organisation_name: String,
    pub organisation_domain: String,
    pub sector: String,
    pub employees: i64,
    pub region: String,
    pub stage: Stage,
    pub stage_key: String,
    /// Consent to the periodic news e-mail, asked on the form.
    pub newsletter: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("an account with this e-mail address already exists")]
    EmailTaken,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<askama::Error> for ApplyError {
    fn from(e: askama::Error) -> Self {
        ApplyError::Other(e.into())
    }
}

/// Runs the eligibility rules on an application's facts, with what the network knows of the e-mail domain.
pub async fn assess(app: &App, facts: Facts) -> Result<(Vec<eligibility::RuleResult>, Option<String>), sqlx::Error> {
    let domain = eligibility::email_domain(&facts.email);
    let known = store::organisation_by_domain(&app.db, &domain).await?;
    let mut facts = facts;
    let mut organisation_id = None;
    if let Some(org) = known {
        let domains = store::domains_of(&app.db, &org.id).await?;
        facts.known_organisation = Some(KnownOrganisation { name: org.name.clone(), domains });
        organisation_id = Some(org.id);
    }
    let free_mail = eligibility::free_mail_domains();
    let settings = Settings { minimum_employees: app.config.min_employees, free_mail_domains: &free_mail };
    Ok((eligibility::assess(&facts, &settings), organisation_id))
}

/// What became of an application form: either way the person is told to look in their inbox, so the form
/// never reveals whether an address has an account.
#[derive(Debug)]
pub enum Applied {
    /// A new applicant's application, with the link that confirms the work address on its way.
    New { application_id: String },
    /// The address already has an account: its owner is told by e-mail how to sign in, and nothing is stored.
    AccountExists,
}

/// Creates the applicant's account and application and e-mails the link that confirms the work address; if
/// the address has an account, e-mails its owner instead.
pub async fn apply(app: &App, input: &ApplicationInput) -> Result<Applied, ApplyError> {
    // Hashed whether or not the address is taken, so both answers take as long.
    let hash = password::hash(input.password.clone()).await?;
    let mut tx = app.db.begin().await?;
    let user_id = match crate::auth::insert_user(&mut tx, &input.email, &input.name, Role::Applicant, Some(&hash)).await
    {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            drop(tx);
            tell_owner_of_the_attempt(app, &input.email).await?;
            return Ok(Applied::AccountExists);
        }
        Err(e) => return Err(e.into()),
    };
    let application_id = record_application(app, &mut tx, &user_id, "join", input).await?;
    mail::consent::record(&mut tx, &user_id, mail::Category::Newsletter, input.newsletter, "application").await?;
    tx.commit().await?;
    app.wake_mail();
    Ok(Applied::New { application_id })
}

/// Someone applied with an address that has an account: its owner learns how to get back in, and that they
/// need do nothing if it was not them.
async fn tell_owner_of_the_attempt(app: &App, email: &str) -> Result<(), ApplyError> {
    let Some(owner) = crate::auth::user_by_email(&app.db, email).await? else { return Ok(()) };
    let notice = messages::notice(
        &app.config.title,
        &owner.email,
        &owner.name,
        &format!("You already have an account with the {}", app.config.title),
        &[
            format!(
                "Someone, perhaps you, used this e-mail address to apply to join the {}. This address already has an account, so no new application was made.",
                app.config.title
            ),
            format!(
                "To see your membership or application, sign in. If you have forgotten your password, you can choose a new one at {}.",
                app.config.link("/password/forgot")
            ),
            "If it was not you, you need do nothing: your account is unchanged.".to_string(),
        ],
        Some(("Sign in", &app.config.link("/sign-in"))),
    )?;
    let mut tx = app.db.begin().await?;
    mail::queue(app, &mut tx, mail::Kind::Transactional, &notice).await?;
    tx.commit().await?;
    app.wake_mail();
    Ok(())
}

/// A member moving to a new organisation: the new work address is confirmed and the rules run again, as for
/// a new member. Until an organiser approves, the membership goes on as it was.
pub async fn change_employer(app: &App, user_id: &str, input: &ApplicationInput) -> Result<String, ApplyError> {
    if let Some(existing) = crate::auth::user_by_email(&app.db, &input.email).await?
        && existing.id != user_id
    {
        return Err(ApplyError::EmailTaken);
    }
    let mut tx = app.db.begin().await?;
    let application_id = record_application(app, &mut tx, user_id, "employer_change", input).await?;
    tx.commit().await?;
    app.wake_mail();
    Ok(application_id)
}

/// Writes an application with its eligibility results and history, and queues the confirmation e-mail.
async fn record_application(
    app: &App,
    tx: &mut Tx,
    user_id: &str,
    kind: &str,
    input: &ApplicationInput,
) -> Result<String, ApplyError> {
    let facts = Facts {
        employees: Some(input.employees),
        stage: Some(input.stage),
        employment: Some(input.employment),
        email: input.email.clone(),
        organisation_domain: input.organisation_domain.clone(),
        known_organisation: None,
    };
    let (results, organisation_id) = assess(app, facts).await?;
    let outcome = eligibility::outcome(&results);
    let rule_results = serde_json::to_string(&results).map_err(anyhow::Error::from)?;
    let token = tokens::random_token();
    let disciplines = input.disciplines.join(",");
    let application_id = store::insert_application(
        tx,
        &NewApplication {
            user_id,
            kind,
            name: &input.name,
            email: &input.email,
            job_title: &input.job_title,
            employment: &input.employment_key,
            programme_role: &input.programme_role,
            disciplines: &disciplines,
            organisation_name: &input.organisation_name,
            organisation_domain: &eligibility::normalise_domain(&input.organisation_domain),
            sector: &input.sector,
            employees: Some(input.employees),
            region: &input.region,
            stage: &input.stage_key,
            outcome: outcome.as_str(),
            rule_results: &rule_results,
            organisation_id: organisation_id.as_deref(),
            verify_token_hash: &tokens::hash(&token),
            verify_expires_at: Utc::now() + Duration::hours(VERIFY_LINK_HOURS),
        },
    )
    .await?;
    let message = if kind == "join" { "Application submitted." } else { "Change of organisation submitted." };
    store::add_event(tx, &application_id, Some(user_id), "submitted", message).await?;
    mail::queue(app, tx, mail::Kind::Transactional, &verification_email(app, &input.email, &input.name, &token)?)
        .await?;
    Ok(application_id)
}

fn verification_email(app: &App, to: &str, name: &str, token: &str) -> Result<mail::Email, askama::Error> {
    let link = app.config.link(&format!("/join/verify/{token}"));
    messages::notice(
        &app.config.title,
        to,
        name,
        "Confirm your work e-mail address",
        &[
            format!("Thank you for applying to join the {}.", app.config.title),
            format!(
                "Please confirm that this is your work e-mail address. The organisers review your application once you have; the link works for {VERIFY_LINK_HOURS} hours."
            ),
        ],
        Some(("Confirm my e-mail address", &link)),
    )
}

/// Why a confirmation link cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub enum VerifyProblem {
    Unknown,
    Expired,
}

/// Confirms the work address behind a link: the application moves to review (or, when configured and every
/// rule passes for an organisation the network knows, straight to approval).
pub async fn verify(app: &App, token: &str) -> Result<Result<ApplicationRow, VerifyProblem>, anyhow::Error> {
    let Some(application) = store::application_by_verify_token(&app.db, &tokens::hash(token)).await? else {
        return Ok(Err(VerifyProblem::Unknown));
    };
    if application.verify_expires_at.is_none_or(|e| e < Utc::now()) {
        return Ok(Err(VerifyProblem::Expired));
    }
    let mut tx = app.db.begin().await?;
    if !store::set_status(&mut tx, &application.id, Status::Unverified, Status::Pending).await? {
        return Ok(Err(VerifyProblem::Unknown));
    }
    store::mark_verified(&mut tx, &application.id, Utc::now()).await?;
    store::add_event(
        &mut tx,
        &application.id,
        Some(&application.user_id),
        "verified",
        "Work e-mail address confirmed.",
    )
    .await?;
    tx.commit().await?;
    if app.config.auto_approve && application.outcome() == Verdict::Pass && application.organisation_id.is_some() {
        decide(app, None, &application.id, Decision::Approve(String::new())).await?;
    }
    Ok(Ok(application))
}

/// Sends a fresh confirmation link (the old one stops working).
pub async fn resend_verification(app: &App, application: &ApplicationRow) -> anyhow::Result<()> {
    let token = tokens::random_token();
    let mut tx = app.db.begin().await?;
    store::set_verify_token(
        &mut tx,
        &application.id,
        &tokens::hash(&token),
        Utc::now() + Duration::hours(VERIFY_LINK_HOURS),
    )
    .await?;
    mail::queue(
        app,
        &mut tx,
        mail::Kind::Transactional,
        &verification_email(app, &application.email, &application.name, &token)?,
    )
    .await?;
    tx.commit().await?;
    app.wake_mail();
    Ok(())
}

/// The applicant answers an organiser's question; the application goes back to review.
pub async fn answer(app: &App, application: &ApplicationRow, answer: &str) -> Result<bool, sqlx::Error> {
    let mut tx = app.db.begin().await?;
    if !store::set_status(&mut tx, &application.id, Status::InfoRequested, Status::Pending).await? {
        return Ok(false);
    }
    store::add_event(&mut tx, &application.id, Some(&application.user_id), "answered", answer).await?;
    tx.commit().await?;
    Ok(true)
}

/// An organiser's decision, with the reason or question that goes to the applicant.
pub enum Decision {
    Approve(String),
    Reject(String),
    AskForInformation(String),
}

#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error("The applicant has not confirmed their e-mail address yet, so the application cannot be decided.")]
    Unverified,
    #[error("This application has already been decided.")]
    AlreadyDecided,
    #[error("The application is waiting for the applicant's answer; it can be decided, but not asked again.")]
    AlreadyAsked,
    #[error("The application or its account no longer exists.")]
    Missing,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Records a decision (who, when, why), applies it, and e-mails the applicant, in one transaction.
/// `reviewer` is `None` for automatic approval.
pub async fn decide(
    app: &App,
    reviewer: Option<&str>,
    application_id: &str,
    decision: Decision,
) -> Result<(), DecideError> {
    let application = store::application(&app.db, application_id).await?.ok_or(DecideError::Missing)?;
    let from = application.status();
    match (from, &decision) {
        (Status::Unverified, _) => return Err(DecideError::Unverified),
        (Status::Approved | Status::Rejected, _) => return Err(DecideError::AlreadyDecided),
        (Status::InfoRequested, Decision::AskForInformation(_)) => return Err(DecideError::AlreadyAsked),
        _ => {}
    }
    let status_link = app.config.link("/application");
    let mut tx = app.db.begin().await?;
    let (to, kind, message, email) = match &decision {
        Decision::Approve(note) => {
            let organisation_id = match &application.organisation_id {
                Some(id) => id.clone(),
                None => {
                    store::insert_organisation(
                        &mut tx,
                        &application.organisation_name,
                        &application.sector,
                        application.employees.unwrap_or(0),
                        &application.region,
                        &application.stage,
                    )
                    .await?
                }
            };
            // The reviewer accepted the address as the organisation's: remember its domains for next time.
            let free_mail = eligibility::free_mail_domains();
            for domain in [application.organisation_domain.clone(), eligibility::email_domain(&application.email)] {
                if !domain.is_empty() && !free_mail.iter().any(|f| eligibility::within(&domain, f)) {
                    store::add_domain(&mut tx, &organisation_id, &domain).await?;
                }
            }
            let mut paragraphs = if application.is_employer_change() {
                store::move_member(
                    &mut tx,
                    &application.user_id,
                    &application.email,
                    &organisation_id,
                    &application.job_title,
                )
                .await?;
                vec![format!(
                    "Your move to {} is approved: your membership continues, and you sign in with this address from now on.",
                    application.organisation_name
                )]
            } else {
                let now = Utc::now();
                let ends = now + Duration::days(TERM_DAYS);
                store::make_member(&mut tx, &application.user_id, &organisation_id, &application.job_title, now, ends)
                    .await?;
                vec![
                    format!("Your application to join the {} has been approved: welcome!", app.config.title),
                    format!(
                        "Your membership runs for twelve months, until {}. You can now sign in to the members' area.",
                        crate::web::time::date(ends, app.config.timezone)
                    ),
                ]
            };
            accounts::end_or_rotate_sessions(&mut tx, &application.user_id, false).await?;
            store::record_decision(&mut tx, &application.id, reviewer, note, Some(&organisation_id)).await?;
            if !note.is_empty() {
                paragraphs.push(format!("A note from the organisers: {note}"));
            }
            let email = messages::notice(
                &app.config.title,
                &application.email,
                &application.name,
                &format!("Welcome to the {}", app.config.title),
                &paragraphs,
                Some(("Go to the members' area", &app.config.link("/members"))),
            )?;
            (
                Status::Approved,
                "approved",
                if note.is_empty() { "Approved.".to_string() } else { format!("Approved. {note}") },
                email,
            )
        }
        Decision::Reject(reason) => {
            store::record_decision(&mut tx, &application.id, reviewer, reason, None).await?;
            let email = messages::notice(
                &app.config.title,
                &application.email,
                &application.name,
                &format!("Your application to the {}", app.config.title),
                &[
                    format!(
                        "Thank you for applying to join the {}. The organisers have reviewed your application and cannot approve it.",
                        app.config.title
                    ),
                    format!("The reason: {reason}"),
                    // Asked only when a reply reaches someone.
                    if app.config.mail_reply_to.is_some() {
                        "If something has changed, or you think this is a mistake, reply to this e-mail.".to_string()
                    } else {
                        String::new()
                    },
                ],
                Some(("See your application", &status_link)),
            )?;
            (Status::Rejected, "rejected", reason.clone(), email)
        }
        Decision::AskForInformation(question) => {
            let email = messages::notice(
                &app.config.title,
                &application.email,
                &application.name,
                "A question about your application",
                &[
                    format!("An organiser has a question about your application to the {}:", app.config.title),
                    question.clone(),
                    "Please answer on your application's page; the review continues once you have.".to_string(),
                ],
                Some(("Answer the question", &status_link)),
            )?;
            (Status::InfoRequested, "info_requested", question.clone(), email)
        }
    };
    if !store::set_status(&mut tx, &application.id, from, to).await? {
        return Err(DecideError::AlreadyDecided);
    }
    store::add_event(&mut tx, &application.id, reviewer, kind, &message).await?;
    mail::queue(app, &mut tx, mail::Kind::Transactional, &email).await?;
    tx.commit().await?;
    app.wake_mail();
    Ok(())
}

impl From<askama::Error> for DecideError {
    fn from(e: askama::Error) -> Self {
        DecideError::Other(e.into())
    }
}
