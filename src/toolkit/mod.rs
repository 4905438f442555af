//! The Smart Working toolkit: team spaces, where a member plans with their team where and when its work is
//! done, activity by activity (`planner`, the engine; `service`, the checks; `routes` and `plan_view`, the
//! pages; `api`, the same for programs). A space is its leads' and participants' alone: organisers learn only
//! that spaces exist, and how many.

mod agreements;
mod api;
mod demo;
mod export;
mod guides;
mod members;
mod model;
mod plan_view;
mod planner;
mod reminders;
mod requests;
mod routes;
mod scenarios;
mod service;
mod share;
mod store;
mod trials;

pub use reminders::send_due as send_due_reminders;

use chrono::Utc;
use futures_util::future::BoxFuture;
use serde_json::json;

use crate::App;
use crate::auth::User;
use crate::db::Tx;
use crate::feature::{Evidence, Feature, Outcome, Person, Waiting};
use crate::web::AppResult;
use model::stored_days;
use service::{CheckedPerson, CheckedSpace};

/// The toolkit, as the program's list of features sees it.
pub struct Toolkit;

impl Feature for Toolkit {
    fn name(&self) -> &'static str {
        "toolkit"
    }

    fn on_start<'a>(&'a self, db: &'a crate::db::Db) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async move {
            agreements::store::seed_sections(db, Utc::now()).await?;
            guides::store::seed(db, Utc::now()).await?;
            Ok(())
        })
    }

    fn jobs(&self, _app: &App, jobs: &mut crate::jobs::Jobs) {
        jobs.every("toolkit reminders", std::time::Duration::from_secs(15 * 60), |app| async move {
            reminders::send_due(&app, Utc::now()).await
        });
    }

    fn pages(&self, _app: &App) -> axum::Router<App> {
        routes::routes()
            .merge(members::routes())
            .merge(scenarios::routes())
            .merge(share::routes())
            .merge(agreements::routes::routes())
            .merge(requests::routes::routes())
            .merge(trials::routes::routes())
            .merge(guides::routes::routes())
            .merge(export::routes())
    }

    fn api(&self) -> Option<(axum::Router<App>, utoipa::openapi::OpenApi)> {
        let mut doc = <api::Doc as utoipa::OpenApi>::openapi();
        doc.merge(<agreements::api::Doc as utoipa::OpenApi>::openapi());
        doc.merge(<trials::api::Doc as utoipa::OpenApi>::openapi());
        doc.merge(<requests::api::Doc as utoipa::OpenApi>::openapi());
        let routes =
            api::routes().merge(agreements::api::routes()).merge(trials::api::routes()).merge(requests::api::routes());
        Some((routes, doc))
    }

    /// The plans (open spaces, not scenarios) and decided trials of the organisation's team spaces this person
    /// leads, in figures: a space is its team's, so only its leads show it to anyone else.
    fn evidence<'a>(
        &'a self,
        app: &'a App,
        organisation_id: &'a str,
        person_id: &'a str,
    ) -> BoxFuture<'a, Outcome<Vec<Evidence>>> {
        Box::pin(async move {
            let mut out = Vec::new();
            let led: Vec<String> = store::spaces_of(&app.db, person_id)
                .await?
                .into_iter()
                .filter(|(_, standing)| *standing == crate::auth::policy::TeamStanding::Lead)
                .map(|(space, _)| space.id)
                .collect();
            for space in store::spaces_of_organisation(&app.db, organisation_id).await? {
                if !led.contains(&space.id) {
                    continue;
                }
                // One space's plan that cannot be worked out leaves the rest to offer.
                let plan = match plan_of(app, &space).await {
                    Ok((plan, _)) => plan,
                    Err(e) => {
                        tracing::warn!(space = %space.id, "a plan could not be offered as evidence: {e:?}");
                        continue;
                    }
                };
                let people: u32 = plan.people.iter().map(|p| p.head_count).sum();
                out.push(Evidence {
                    kind: "plan",
                    id: space.id.clone(),
                    label: format!("The where-and-when plan of a team of {people}"),
                    detail: format!(
                        "{}; {} of {} shared in-person hours a week fall on a day the people share.",
                        plan.split, plan.covered_hours, plan.shared_hours
                    ),
                    public_link: None,
                });
                for t in trials::store::trials(&app.db, &space.id).await? {
                    if t.state() != trials::State::Decided {
                        continue;
                    }
                    let decision =
                        t.decision.as_deref().and_then(trials::Decision::parse).map_or("decided", |d| d.label());
                    out.push(Evidence {
                        kind: "trial",
                        id: t.id.clone(),
                        label: format!("A trial of {}, {} to {}", t.pattern, t.starts_on, t.ends_on),
                        detail: format!(
                            "{} criteria agreed beforehand; the team's decision: {}.",
                            t.criteria().len(),
                            decision.to_lowercase()
                        ),
                        public_link: None,
                    });
                }
            }
            Ok(out)
        })
    }

    fn waiting<'a>(&'a self, app: &'a App, _now: chrono::DateTime<Utc>) -> BoxFuture<'a, Outcome<Vec<Waiting>>> {
        Box::pin(async move {
            let (open, closed) = store::counts(&app.db).await?;
            Ok(vec![Waiting {
                title: "Team spaces",
                count: open,
                summary: format!(
                    "Open in the toolkit ({closed} closed). What is in them is their teams' own: organisers see only how many."
                ),
                details: Vec::new(),
                path: "/toolkit".into(),
                decision: false,
            }])
        })
    }

    fn export<'a>(&'a self, app: &'a App, person: &'a Person) -> BoxFuture<'a, Outcome<Option<serde_json::Value>>> {
        Box::pin(async move {
            let spaces = store::spaces_of(&app.db, &person.id).await?;
            let rows = store::person_rows_of(&app.db, &person.id).await?;
            let mut described = Vec::new();
            for row in rows {
                let activities = store::activities(&app.db, &row.space_id).await?;
                described.push(json!({
                    "space": row.space_id,
                    "name": row.name,
                    "working_days": row.working_days,
                    "hours_per_week": row.hours_per_week,
                    "constraints": row.constraints,
                    "activities": activities.iter().filter(|a| a.person_id == row.id).map(|a| json!({
                        "name": a.name, "category": a.category, "hours_per_week": a.hours, "place": a.place,
                        "time": a.timing, "collaboration": a.collaboration,
                    })).collect::<Vec<_>>(),
                }));
            }
            let notes = trials::store::notes_by(&app.db, &person.id).await?;
            let requests = requests::store::of_user(&app.db, &person.id).await?;
            let trials = trials::store::of_user(&app.db, &person.id).await?;
            let guide_notes = guides::store::notes_by(&app.db, &person.id).await?;
            Ok(Some(json!({
                "team_spaces": spaces.iter().map(|(s, standing)| json!({
                    "id": s.id, "name": s.name, "standing": standing.key(),
                })).collect::<Vec<_>>(),
                "own_work": described,
                "team_agreements": agreements::store::written_by(&app.db, &person.id).await?,
                "flexible_working_requests": requests.iter().map(|r| json!({
                    "space": r.space_id, "person": r.person_name, "made_on": r.made_on, "change": r.change,
                    "start_wanted": r.start_wanted, "earlier": r.earlier, "rules": r.rules, "deadline": r.deadline(),
                    "consulted_on": r.consulted_on, "consultation_note": r.consultation_note, "outcome": r.outcome,
                    "grounds": r.grounds(), "explanation": r.explanation, "decided_on": r.decided_on,
                    "appeal_on": r.appeal_on, "appeal_outcome": r.appeal_outcome,
                })).collect::<Vec<_>>(),
                "trials": trials.iter().map(|t| json!({
                    "space": t.space_id, "for": t.who(), "pattern": t.pattern, "criteria": t.criteria(),
                    "starts_on": t.starts_on, "ends_on": t.ends_on, "state": t.state, "decision": t.decision,
                    "reason": t.reason, "cause": t.cause,
                })).collect::<Vec<_>>(),
                "trial_check_in_notes": notes.iter().map(|(trial, body, at)| json!({
                    "trial": trial, "note": body, "written_at": at,
                })).collect::<Vec<_>>(),
                "guide_notes": guide_notes.iter().map(|(space, guide, body, ticked)| json!({
                    "space": space, "guide": guide, "notes": body, "ticked": ticked,
                })).collect::<Vec<_>>(),
            })))
        })
    }

    fn demo<'a>(&'a self, app: &'a App, _organiser_id: &'a str) -> BoxFuture<'a, Outcome<Option<String>>> {
        Box::pin(async move { Ok(Some(demo::load(app).await?)) })
    }

    fn erase<'a>(&'a self, app: &'a App, tx: &'a mut Tx, person: &'a Person) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async move {
            let spaces = store::space_ids_of(tx, &person.id).await?;
            agreements::store::erase_person(tx, &person.id).await?;
            trials::store::erase_person(tx, &person.id).await?;
            guides::store::erase_person(tx, &person.id).await?;
            store::erase_person(tx, &person.id, &person.email).await?;
            // Their leaving may complete a proposal's agreement.
            for space in spaces {
                agreements::service::settle_after_leaving(app, tx, &space)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            }
            Ok(())
        })
    }
}

/// The toolkit's public pages, for the site map: the conversation guides and checklists.
pub async fn public_paths(db: &crate::db::Db) -> Result<Vec<String>, sqlx::Error> {
    let guides = guides::store::guides(db).await?;
    Ok(std::iter::once("/toolkit/guides".to_string())
        .chain(guides.iter().map(|g| format!("/toolkit/guides/{}", g.slug)))
        .collect())
}

/// Opens a space for a team of the member's organisation, with its sites, in one transaction; the member is its
/// lead.
async fn open_space(app: &App, lead: &User, space: &CheckedSpace, sites: &[(String, [u32; 7])]) -> AppResult<String> {
    let days = stored_days(space.days);
    let mut tx = app.db.begin().await?;
    let new = store::NewSpace {
        name: &space.name,
        organisation_id: lead.organisation_id.as_deref(),
        working_days: &days,
        day_hours: space.day_hours,
        service_hours: &space.service_hours,
        scenario_of: None,
    };
    let id = store::insert_space(&mut tx, &new, &lead.id, Utc::now()).await?;
    for (site, desks) in sites {
        store::insert_site(&mut tx, &id, site, &model::stored_desks(desks)).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Adds a person (or a role) to a space; `user_id` is the participant who describes their own work.
async fn add_person(
    app: &App,
    space_id: &str,
    user_id: Option<&str>,
    person: &CheckedPerson,
    home_checked: bool,
) -> AppResult<String> {
    let days = stored_days(person.days);
    let new = store::NewPerson {
        user_id,
        name: &person.name,
        head_count: person.head_count,
        working_days: &days,
        hours_per_week: person.hours_per_week,
        site_id: person.site_id.as_deref(),
        constraints: &person.constraints,
        home_checked,
    };
    let mut tx = app.db.begin().await?;
    let id = store::insert_person(&mut tx, space_id, &new, Utc::now()).await?;
    tx.commit().await?;
    Ok(id)
}

/// A space's plan, computed from its rows now (the engine is fast and pure; nothing computed is stored).
pub(crate) async fn plan_of(app: &App, space: &model::Space) -> AppResult<(planner::Plan, Vec<model::SiteRow>)> {
    let sites = store::sites(&app.db, &space.id).await?;
    let people = store::people(&app.db, &space.id).await?;
    let activities = store::activities(&app.db, &space.id).await?;
    Ok((planner::plan(&service::team_of(space, &sites, &people, &activities)), sites))
}
