//! Personal data rights: a member downloads everything the network holds about them, or deletes their
//! account (personal data erased; the row stays, nameless, so anything they wrote shows "former member").

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use serde_json::json;

use super::store;
use crate::App;
use crate::auth::{User, Viewer, policy};
use crate::feature::Person;
use crate::web::browser::clear_session;
use crate::web::{AppError, AppResult, ClientIp, FieldErrors, Form, Page, redirect_with_notice, render};

pub fn routes() -> Router<App> {
    Router::new().route("/account/data", get(download)).route("/account/delete", get(delete_form).post(delete))
}

fn own_account(viewer: &Viewer, path: &str) -> AppResult<User> {
    policy::require(viewer, policy::can_manage_own_account(viewer), path)?;
    viewer.user.clone().ok_or(AppError::SignInRequired(path.into()))
}

/// Everything held about the signed-in person, as one JSON file: each feature's part under its name.
async fn download(State(app): State<App>, viewer: Viewer) -> AppResult<Response> {
    let user = own_account(&viewer, "/account/data")?;
    let person = Person { id: user.id.clone(), email: user.email.clone(), name: user.name.clone() };
    let mut data = serde_json::Map::new();
    data.insert("exported_at".into(), json!(Utc::now()));
    data.extend(crate::feature::export_person(&app, &person).await.map_err(AppError::from)?);
    let body = serde_json::to_string_pretty(&data).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"smart-work-network-my-data.json\""),
        ],
        body,
    )
        .into_response())
}

/// Membership's part of the export: the organisation, the application with its history, e-mail choices and
/// the profile.
pub(super) async fn export(app: &App, person: &Person) -> anyhow::Result<serde_json::Value> {
    let row = crate::auth::user_by_id(&app.db, &person.id).await?;
    let organisation = match row.as_ref().and_then(|r| r.organisation_id.clone()) {
        Some(id) => store::organisation(&app.db, &id)
            .await?
            .map(|o| json!({"name": o.name, "sector": o.sector, "region": o.region})),
        None => None,
    };
    let mut applications = Vec::new();
    if let Some(a) = store::latest_application_of(&app.db, &person.id).await? {
        let events: Vec<_> = store::events(&app.db, &a.id)
            .await?
            .into_iter()
            .map(|e| json!({"kind": e.kind, "message": e.message, "by": e.actor_name, "at": e.created_at}))
            .collect();
        applications.push(json!({
            "status": a.status, "submitted_at": a.created_at, "name": a.name, "email": a.email,
            "job_title": a.job_title, "employment": a.employment, "programme_role": a.programme_role,
            "disciplines": a.disciplines, "organisation_name": a.organisation_name,
            "organisation_domain": a.organisation_domain, "sector": a.sector, "employees": a.employees,
            "region": a.region, "stage": a.stage, "eligibility": a.rules(), "decision_reason": a.decision_reason,
            "history": events,
        }));
    }
    let consents: Vec<_> = super::consent::history(&app.db, &person.id)
        .await?
        .into_iter()
        .map(|c| json!({"category": c.category, "granted": c.granted, "source": c.source, "at": c.recorded_at}))
        .collect();
    let profile = super::profile::profile(&app.db, &person.id).await?;
    Ok(json!({
        "organisation": organisation,
        "membership_ends_at": row.as_ref().and_then(|r| r.membership_ends_at),
        "applications": applications,
        "email_consents": consents,
        "profile": {
            "introduction": profile.bio_md, "interests": profile.interests, "disciplines": profile.disciplines,
            "shows_email": profile.show_email, "shows_job_title": profile.show_job_title,
            "shows_organisation": profile.show_organisation, "shows_introduction": profile.show_bio,
            // The photo itself is at /members/{id}/face/large while the account lasts.
            "photo": super::faces::export(&app.db, &person.id).await?,
        },
    }))
}

#[derive(Template)]
#[template(path = "membership/delete_account.html")]
struct DeletePage {
    page: Page,
    errors: FieldErrors,
}

async fn delete_form(page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    own_account(&viewer, "/account/delete")?;
    render(&DeletePage { page: page.titled("Delete your account").noindex(), errors: FieldErrors::default() })
}

#[derive(serde::Deserialize)]
struct DeleteForm {
    #[serde(default)]
    password: String,
}

async fn delete(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    let user = own_account(&viewer, "/account/delete")?;
    let mut errors = FieldErrors::default();
    if !crate::auth::service::confirm_password(&app, &user, ip, &form.password).await? {
        errors.add("password", "Your password is not right.");
    }
    if crate::auth::service::would_leave_no_organiser(&app.db, &user, false).await? {
        errors.add("password", "You are the network's only organiser: make someone else an organiser first.");
    }
    if !errors.is_empty() {
        let body = render(&DeletePage { page: page.titled("Delete your account").noindex(), errors })?;
        return Ok((StatusCode::BAD_REQUEST, body).into_response());
    }
    let person = Person { id: user.id.clone(), email: user.email.clone(), name: user.name.clone() };
    crate::feature::erase_person(&app, &person).await?;
    let mut response = redirect_with_notice("/", "Your account is deleted, and your personal data with it.");
    clear_session(&mut response);
    Ok(response)
}
