//! Sharing a plan with the network: a lead offers it, anonymised (no names: roles, head counts and figures
//! only), as a draft case study that organisers review before anything is published. Nothing leaves a space
//! without that act.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;

use super::planner::{self, Plan};
use super::routes::{Fields, reach};
use crate::App;
use crate::auth::Viewer;
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, redirect_with_notice};

pub fn routes() -> Router<App> {
    Router::new().route("/toolkit/teams/{id}/share", post(share))
}

/// The plan in words, without a name: a row for one person is "Person A", a role keeps its name.
fn anonymised(plan: &Plan, days: planner::Days, sites: usize) -> (String, String, String) {
    let people: u32 = plan.people.iter().map(|p| p.head_count).sum();
    let mut letter = b'A';
    let mut rows = String::from("| Role | People | Days on site |\n| --- | ---: | ---: |\n");
    for p in &plan.people {
        let label = if p.head_count > 1 {
            p.name.clone()
        } else {
            let label = format!("Person {}", letter as char);
            letter = if letter == b'Z' { b'A' } else { letter + 1 };
            label
        };
        rows.push_str(&format!("| {} | {} | {} |\n", label.replace('|', "/"), p.head_count, p.need.days));
    }
    let challenge = format!(
        "A team of {people} people in {} roles, working {}, with {} and the desks available to it each day.",
        plan.people.len(),
        planner::in_words(days),
        if sites == 1 { "one site".to_string() } else { format!("{sites} sites") }
    );
    let approach = format!(
        "The team described its work activity by activity in the network's toolkit, which planned where and when \
         from it: {}. Anchor days: {}.\n\n{rows}",
        plan.split,
        planner::in_words(planner::Days::of(&plan.anchor_days))
    );
    let peak = plan.forecast.iter().max_by_key(|f| f.planned);
    let results = match peak {
        Some(f) => format!(
            "Planned attendance is highest on {} at {} ({} people for {} desks); {} of {} of shared in-person work \
             falls on a day its people share. The plan's confidence: {}.",
            f.day.name(),
            f.site,
            f.planned,
            f.desks,
            planner::hours(plan.covered_hours),
            planner::hours(plan.shared_hours),
            plan.confidence.key()
        ),
        None => "The plan has no attendance forecast yet.".into(),
    };
    (challenge, approach, results)
}

/// Offers the plan to the network as a draft case study (its lead, who ticks that they mean it).
async fn share(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach(&app, &viewer, &id).await?;
    if !reached.leads || reached.parent.is_some() {
        return Err(AppError::Forbidden);
    }
    if !Fields(fields).has("confirm") {
        let mut errors = FieldErrors::default();
        errors.add("confirm", "Tick the box to say you mean to share the plan, anonymised, with the network.");
        return super::routes::invalid(&super::plan_view::plan_page(&app, page, reached, errors).await?);
    }
    let lead = viewer.user.as_ref().ok_or(AppError::Forbidden)?;
    let organisation_id = lead.organisation_id.as_deref().ok_or_else(|| {
        AppError::Conflict(
            "Your account names no organisation, so the case study could not say what kind of organisation it is."
                .into(),
        )
    })?;
    let organisation = crate::membership::organisation(&app.db, organisation_id).await?.ok_or(AppError::NotFound)?;
    let (plan, sites) = super::plan_of(&app, &reached.space).await?;
    let (challenge, approach, results) = anonymised(&plan, reached.space.days(), sites.len());
    let label = format!("A team at a {} organisation", organisation.sector.to_lowercase());
    let offered = crate::library::OfferedCaseStudy {
        title: &format!("Where and when: {}", plan.split),
        organisation_label: &label,
        sector: &organisation.sector,
        size_band: organisation.size_band(),
        region: &organisation.region,
        challenge_md: &challenge,
        approach_md: &approach,
        results_md: &results,
        lessons_md: "For the team to write with the organisers: what worked, and what they would change.",
    };
    crate::library::offer_case_study(&app, &offered, &lead.id).await?;
    Ok(redirect_with_notice(
        &format!("/toolkit/teams/{id}/plan"),
        "The plan is with the network's organisers as an anonymised draft case study: nothing is published until they review it.",
    ))
}
