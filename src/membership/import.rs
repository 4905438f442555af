//! Organisers bring an existing network in: members and their organisations from a CSV file. A dry run
//! reports, row by row, what would be created and what is rejected and why; the import itself runs in one
//! transaction and only when no row is rejected, so nothing is ever half-imported.

use std::collections::HashSet;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Duration, NaiveDate, TimeZone, Utc};

use super::eligibility::{self, Stage};
use super::model::SECTORS;
use super::service::TERM_DAYS;
use super::store;
use crate::App;
use crate::auth::{Role, Viewer, policy, service as accounts};
use crate::db::Tx;
use crate::mail::{self, messages};
use crate::web::upload::UploadForm;
use crate::web::{AppResult, Page, render};

pub fn routes() -> Router<App> {
    Router::new().route("/admin/import", get(form).post(run))
}

pub const COLUMNS: &str =
    "name,email,job_title,organisation,organisation_domain,sector,employees,region,stage,member_since";

/// One checked row.
#[derive(Clone, Debug)]
pub struct Row {
    pub name: String,
    pub email: String,
    pub job_title: String,
    pub organisation: String,
    pub domain: String,
    pub sector: String,
    pub employees: i64,
    pub region: String,
    pub stage: String,
    pub member_since: chrono::DateTime<Utc>,
}

/// What the dry run says about one line.
#[derive(Clone, Debug)]
pub struct Verdict {
    pub line: usize,
    pub who: String,
    pub accepted: bool,
    pub message: String,
}

/// Reads and checks the CSV: the rows to create, and a verdict for every line.
pub async fn check(app: &App, text: &str) -> anyhow::Result<(Vec<Row>, Vec<Verdict>)> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers()?.iter().map(|h| h.to_lowercase()).collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let mut rows = Vec::new();
    let mut verdicts = Vec::new();
    let regions = super::store::regions(&app.db).await?;
    let missing: Vec<&str> = COLUMNS
        .split(',')
        .filter(|c| *c != "member_since" && *c != "organisation_domain" && column(c).is_none())
        .collect();
    if !missing.is_empty() {
        verdicts.push(Verdict {
            line: 1,
            who: String::new(),
            accepted: false,
            message: format!("The first line must name the columns; missing: {}.", missing.join(", ")),
        });
        return Ok((rows, verdicts));
    }
    let mut seen = HashSet::new();
    let today = Utc::now();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                verdicts.push(Verdict {
                    line,
                    who: String::new(),
                    accepted: false,
                    message: format!("This line could not be read: {e}."),
                });
                continue;
            }
        };
        let get = |name: &str| column(name).and_then(|i| record.get(i)).unwrap_or_default().to_string();
        let (name, email) = (get("name"), get("email").to_lowercase());
        let mut problems = Vec::new();
        if name.is_empty() || name.chars().count() > 100 {
            problems.push("a name of 1 to 100 characters is needed".to_string());
        }
        if email.parse::<lettre::Address>().is_err() {
            problems.push("the e-mail address is not valid".to_string());
        } else if !seen.insert(email.clone()) {
            problems.push("this e-mail address is already on an earlier line".to_string());
        } else if crate::auth::user_by_email(&app.db, &email).await?.is_some() {
            problems.push("an account with this e-mail address already exists".to_string());
        }
        let organisation = get("organisation");
        if organisation.is_empty() {
            problems.push("the organisation is missing".to_string());
        }
        let sector = get("sector");
        if !SECTORS.contains(&sector.as_str()) {
            problems.push(format!("the sector must be one of: {}", SECTORS.join("; ")));
        }
        let employees = get("employees").replace(',', "").parse::<i64>().ok().filter(|n| (1..=10_000_000).contains(n));
        if employees.is_none() {
            problems.push("the number of employees must be a whole number".to_string());
        }
        let given_region = get("region");
        let region = super::regions::matching(&regions, &given_region).unwrap_or_default();
        if given_region.is_empty() {
            problems.push("the region is missing".to_string());
        } else if region.is_empty() {
            problems
                .push(format!("the region {given_region} is not on the network's list: add it under Regions first"));
        }
        let stage = get("stage");
        if Stage::parse(&stage).is_none() {
            problems.push("the stage must be intending, implementing or embedded".to_string());
        }
        let since_text = get("member_since");
        let member_since = if since_text.is_empty() {
            Some(today)
        } else {
            NaiveDate::parse_from_str(&since_text, "%Y-%m-%d")
                .ok()
                .filter(|d| crate::web::time::in_range(*d))
                .and_then(|d| d.and_hms_opt(12, 0, 0))
                .map(|d| Utc.from_utc_datetime(&d))
                .filter(|d| *d <= today)
        };
        if member_since.is_none() {
            problems.push("member_since must be a past date like 2025-03-31".to_string());
        }
        let who = format!("{name} <{email}>");
        match (problems.is_empty(), employees, member_since) {
            (true, Some(employees), Some(member_since)) => {
                let domain = eligibility::normalise_domain(&get("organisation_domain"));
                let known = store::organisation_by_domain(&app.db, &domain).await?;
                let mut message = match &known {
                    Some(o) => format!("will be a member of {}, already known", o.name),
                    None => format!("will be a member of {organisation}"),
                };
                if employees < app.config.min_employees {
                    message.push_str(&format!(
                        " (note: {employees} employees is below the network's {})",
                        app.config.min_employees
                    ));
                }
                verdicts.push(Verdict { line, who, accepted: true, message });
                rows.push(Row {
                    name,
                    email,
                    job_title: get("job_title"),
                    organisation,
                    domain,
                    sector,
                    employees,
                    region,
                    stage,
                    member_since,
                });
            }
            _ => verdicts.push(Verdict {
                line,
                who,
                accepted: false,
                message: format!("rejected: {}", problems.join("; ")),
            }),
        }
    }
    Ok((rows, verdicts))
}

/// Creates every row's organisation (once per name or domain) and member in one transaction.
pub async fn import(app: &App, rows: &[Row], send_links: bool) -> anyhow::Result<usize> {
    let mut tx = app.db.begin().await?;
    let mut created: Vec<(String, String)> = Vec::new(); // (key, organisation id)
    for row in rows {
        let key = if row.domain.is_empty() { row.organisation.to_lowercase() } else { row.domain.clone() };
        let organisation_id = match created.iter().find(|(k, _)| *k == key) {
            Some((_, id)) => id.clone(),
            None => {
                let id = match existing_organisation(app, &row.domain).await? {
                    Some(id) => id,
                    None => {
                        store::insert_organisation(
                            &mut tx,
                            &row.organisation,
                            &row.sector,
                            row.employees,
                            &row.region,
                            &row.stage,
                        )
                        .await?
                    }
                };
                if !row.domain.is_empty() {
                    store::add_domain(&mut tx, &id, &row.domain).await?;
                }
                created.push((key, id.clone()));
                id
            }
        };
        create_member(app, &mut tx, row, &organisation_id, send_links).await?;
    }
    tx.commit().await?;
    app.wake_mail();
    Ok(rows.len())
}

async fn existing_organisation(app: &App, domain: &str) -> anyhow::Result<Option<String>> {
    if domain.is_empty() {
        return Ok(None);
    }
    Ok(store::organisation_by_domain(&app.db, domain).await?.map(|o| o.id))
}

async fn create_member(
    app: &App,
    tx: &mut Tx,
    row: &Row,
    organisation_id: &str,
    send_links: bool,
) -> anyhow::Result<()> {
    let user_id = crate::auth::insert_user(tx, &row.email, &row.name, Role::Applicant, None).await?;
    let now = Utc::now();
    // The term runs a year from joining; one already past gets a month's grace to renew.
    let ends = (row.member_since + Duration::days(TERM_DAYS)).max(now + Duration::days(30));
    store::make_member(tx, &user_id, organisation_id, &row.job_title, row.member_since, ends).await?;
    if send_links {
        let token = accounts::insert_password_link(tx, &user_id, accounts::NEW_ACCOUNT_LINK_HOURS).await?;
        let link = app.config.link(&format!("/password/reset/{token}"));
        let email = messages::notice(
            &app.config.title,
            &row.email,
            &row.name,
            &format!("Your account with the {}", app.config.title),
            &[
                format!("The {} has moved to a new site, and your membership has moved with it.", app.config.title),
                format!(
                    "Choose a password to sign in. The link works once, for {} hours; after that, use 'Forgotten your password?' on the sign-in page.",
                    accounts::NEW_ACCOUNT_LINK_HOURS
                ),
            ],
            Some(("Choose my password", &link)),
        )?;
        mail::queue(app, tx, mail::Kind::Transactional, &email).await?;
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "membership/import.html")]
struct ImportPage {
    page: Page,
    columns: &'static str,
    text: String,
    verdicts: Vec<Verdict>,
    checked: bool,
    rejected: usize,
    imported: Option<usize>,
}

fn organiser(viewer: &Viewer) -> AppResult<()> {
    policy::require(viewer, policy::can_manage_site(viewer), "/admin/import")
}

async fn form(page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    render(&ImportPage {
        page: page.titled("Import members").noindex(),
        columns: COLUMNS,
        text: String::new(),
        verdicts: Vec::new(),
        checked: false,
        rejected: 0,
        imported: None,
    })
}

async fn run(State(app): State<App>, page: Page, viewer: Viewer, upload: UploadForm) -> AppResult<Response> {
    organiser(&viewer)?;
    let text = match upload.file("file") {
        Some(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        None => upload.text("csv").to_string(),
    };
    let page = page.titled("Import members").noindex();
    let (rows, verdicts) = check(&app, &text).await?;
    let rejected = verdicts.iter().filter(|v| !v.accepted).count();
    let wants_import = upload.text("action") == "import";
    let imported = if wants_import && rejected == 0 && !rows.is_empty() {
        Some(import(&app, &rows, !upload.text("send_links").is_empty()).await?)
    } else {
        None
    };
    let status = if rejected > 0 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = render(&ImportPage { page, columns: COLUMNS, text, verdicts, checked: true, rejected, imported })?;
    Ok((status, body).into_response())
}
