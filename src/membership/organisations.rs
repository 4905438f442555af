//! Organisers look after the organisations: correct their facts, add or remove their domains, and merge
//! duplicates (moving members, applications and domains).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::eligibility::{self, Stage};
use super::model::{Organisation, SECTORS};
use super::store;
use crate::App;
use crate::auth::{Viewer, policy};
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, redirect_with_notice, render};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/admin/organisations", get(list))
        .route("/admin/organisations/{slug}", get(edit).post(update))
        .route("/admin/organisations/{slug}/domains", post(domains))
        .route("/admin/organisations/{slug}/merge", post(merge))
}

fn organiser(viewer: &Viewer) -> AppResult<()> {
    policy::require(viewer, policy::can_manage_site(viewer), "/admin/organisations")
}

#[derive(Template)]
#[template(path = "membership/organisations_admin.html")]
struct ListPage {
    page: Page,
    organisations: Vec<Organisation>,
}

async fn list(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    render(&ListPage {
        page: page.titled("Organisations").noindex(),
        organisations: store::all_organisations(&app.db).await?,
    })
}

#[derive(Deserialize, Default, Clone)]
struct OrganisationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    employees: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    stage: String,
}

#[derive(Template)]
#[template(path = "membership/organisation_form.html")]
struct EditPage {
    page: Page,
    organisation: Organisation,
    form: OrganisationForm,
    domains: Vec<String>,
    others: Vec<Organisation>,
    errors: FieldErrors,
    sectors: [&'static str; 11],
    regions: Vec<String>,
    stages: [(Stage, &'static str, &'static str); 4],
}

async fn edit_page(
    app: &App,
    page: Page,
    organisation: Organisation,
    form: OrganisationForm,
    errors: FieldErrors,
) -> AppResult<EditPage> {
    let domains = store::domains_of(&app.db, &organisation.id).await?;
    let others = store::all_organisations(&app.db).await?.into_iter().filter(|o| o.id != organisation.id).collect();
    Ok(EditPage {
        page: page.titled(&format!("Edit {}", organisation.name)).noindex(),
        organisation,
        form,
        domains,
        others,
        errors,
        sectors: SECTORS,
        regions: store::regions(&app.db).await?,
        stages: Stage::ALL,
    })
}

async fn find(app: &App, slug: &str) -> AppResult<Organisation> {
    store::organisation_by_slug(&app.db, slug).await?.ok_or(AppError::NotFound)
}

async fn edit(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    let o = find(&app, &slug).await?;
    let form = OrganisationForm {
        name: o.name.clone(),
        sector: o.sector.clone(),
        employees: o.employees.to_string(),
        region: o.region.clone(),
        stage: o.stage.clone(),
    };
    render(&edit_page(&app, page, o, form, FieldErrors::default()).await?)
}

async fn update(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(slug): Path<String>,
    Form(form): Form<OrganisationForm>,
) -> AppResult<Response> {
    organiser(&viewer)?;
    let o = find(&app, &slug).await?;
    let mut errors = FieldErrors::default();
    let name = errors.required("name", "Name", &form.name, 200);
    if !SECTORS.contains(&form.sector.as_str()) {
        errors.add("sector", "Choose a sector.");
    }
    let employees = form.employees.trim().replace(',', "").parse::<i64>().ok().filter(|n| (1..=10_000_000).contains(n));
    if employees.is_none() {
        errors.add("employees", "Give the number of employees as a whole number.");
    }
    let region = super::regions::kept(&app.db, &form.region).await?.unwrap_or_default();
    if region.is_empty() {
        errors.add("region", "Choose a region from the list (organisers keep it under Regions).");
    }
    if Stage::parse(&form.stage).is_none() {
        errors.add("stage", "Choose a stage.");
    }
    if !errors.is_empty() {
        let body = render(&edit_page(&app, page, o, form, errors).await?)?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    }
    let updated = Organisation {
        name,
        sector: form.sector,
        employees: employees.unwrap_or(o.employees),
        region,
        stage: form.stage,
        ..o.clone()
    };
    store::update_organisation(&app.db, &o.id, &updated).await?;
    Ok(redirect_with_notice(&format!("/admin/organisations/{slug}"), "Saved."))
}

#[derive(Deserialize)]
struct DomainForm {
    #[serde(default)]
    add: String,
    #[serde(default)]
    remove: String,
}

async fn domains(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Form(form): Form<DomainForm>,
) -> AppResult<Response> {
    organiser(&viewer)?;
    let o = find(&app, &slug).await?;
    let back = format!("/admin/organisations/{slug}");
    if !form.remove.is_empty() {
        store::remove_domain(&app.db, &o.id, &form.remove).await?;
        return Ok(redirect_with_notice(&back, &format!("{} is removed.", form.remove)));
    }
    let domain = eligibility::normalise_domain(&form.add);
    let free_mail = eligibility::free_mail_domains();
    let plausible = domain.contains('.')
        && domain.len() <= 253
        && domain.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !plausible || free_mail.iter().any(|f| eligibility::within(&domain, f)) {
        return Err(AppError::BadRequest(
            "Give the organisation's own web domain, such as northshire.gov.uk (not a personal e-mail service).".into(),
        ));
    }
    let mut tx = app.db.begin().await?;
    let added = store::add_domain(&mut tx, &o.id, &domain).await?;
    tx.commit().await?;
    let notice =
        if added { format!("{domain} is added.") } else { format!("{domain} already belongs to an organisation.") };
    Ok(redirect_with_notice(&back, &notice))
}

#[derive(Deserialize)]
struct MergeForm {
    #[serde(default)]
    into: String,
}

async fn merge(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Form(form): Form<MergeForm>,
) -> AppResult<Response> {
    organiser(&viewer)?;
    let duplicate = find(&app, &slug).await?;
    let keep = store::organisation_by_slug(&app.db, &form.into)
        .await?
        .filter(|k| k.id != duplicate.id)
        .ok_or_else(|| AppError::BadRequest("Choose another organisation to merge into.".into()))?;
    let mut tx = app.db.begin().await?;
    store::merge_organisations(&mut tx, &duplicate.id, &keep.id).await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        &format!("/admin/organisations/{}", keep.slug),
        &format!("{} is merged into {}.", duplicate.name, keep.name),
    ))
}
