//! A team space's own data export, for its leads: the space, its sites, people and activities, the agreement
//! with every version, answer and comment, the trials with their steps and check-in notes, and the requests,
//! as one JSON file. (A person's own part is in their personal export, `/account/data`.)

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::json;

use super::routes::reach;
use super::{agreements, requests, store, trials};
use crate::App;
use crate::auth::Viewer;
use crate::auth::policy;
use crate::web::{AppError, AppResult};

pub fn routes() -> axum::Router<App> {
    axum::Router::new().route("/toolkit/teams/{id}/export.json", axum::routing::get(download))
}

async fn download(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    let reached = reach(&app, &viewer, &id).await?;
    // The export holds everyone's constraints, requests and check-in notes: the leads' alone, while they lead.
    if reached.parent.is_some()
        || !policy::can_see_constraints(&viewer, reached.standing, false, Utc::now())
        || !policy::can_see_flexible_request(&viewer, reached.standing, false, Utc::now())
    {
        return Err(AppError::Forbidden);
    }
    let space = &reached.space;
    let sites = store::sites(&app.db, &id).await?;
    let people = store::people(&app.db, &id).await?;
    let activities = store::activities(&app.db, &id).await?;
    let members = store::members(&app.db, &id).await?;
    let agreement = agreements::store::agreement(&app.db, &id).await?;
    let versions = agreements::store::versions(&app.db, &id).await?;
    let comments = agreements::store::comments(&app.db, &id).await?;
    let mut answers = Vec::new();
    for v in &versions {
        for a in agreements::store::answers(&app.db, &id, v.number).await? {
            answers.push(
                json!({"version": v.number, "name": a.name, "answer": a.answer, "note": a.note, "at": a.answered_at}),
            );
        }
    }
    let mut trial_list = Vec::new();
    for t in trials::store::trials(&app.db, &id).await? {
        let steps = trials::store::steps(&app.db, &t.id).await?;
        let notes = trials::store::notes(&app.db, &t.id).await?;
        trial_list.push(json!({
            "id": t.id, "for": t.who(), "pattern": t.pattern, "criteria": t.criteria(), "starts_on": t.starts_on,
            "midpoint_on": t.midpoint_on, "ends_on": t.ends_on, "length_reason": t.length_reason, "state": t.state,
            "decision": t.decision, "reason": t.reason, "cause": t.cause, "request": t.request_id,
            "steps": steps.iter().map(|s| json!({"state": s.state, "decision": s.decision, "reason": s.reason,
                "cause": s.cause, "by": s.by_name, "at": s.at})).collect::<Vec<_>>(),
            "check_in_notes": notes.iter().map(|n| json!({"by": n.author, "note": n.body, "at": n.created_at})).collect::<Vec<_>>(),
        }));
    }
    let request_list: Vec<_> = requests::store::requests(&app.db, &id)
        .await?
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "person": r.person_name, "made_on": r.made_on, "change": r.change,
                "start_wanted": r.start_wanted, "earlier": r.earlier, "rules": r.rules, "decision_due": r.decision_due,
                "extended_to": r.extended_to, "extension_note": r.extension_note, "consulted_on": r.consulted_on,
                "consultation_note": r.consultation_note, "outcome": r.outcome, "grounds": r.grounds(),
                "explanation": r.explanation, "decided_on": r.decided_on, "appeal_on": r.appeal_on,
                "appeal_outcome": r.appeal_outcome, "appeal_decided_on": r.appeal_decided_on,
            })
        })
        .collect();
    let data = json!({
        "exported_at": Utc::now(),
        "team": {"id": space.id, "name": space.name, "working_days": space.working_days, "day_hours": space.day_hours,
                 "service_hours": space.service_hours, "closed": space.closed_at.is_some()},
        "members": members.iter().map(|m| json!({"name": m.name, "standing": m.role})).collect::<Vec<_>>(),
        "sites": sites.iter().map(|s| json!({"name": s.name, "desks": s.desks})).collect::<Vec<_>>(),
        "people": people.iter().map(|p| json!({
            "name": p.name, "head_count": p.head_count, "working_days": p.working_days,
            "hours_per_week": p.hours_per_week, "constraints": p.constraints,
            "activities": activities.iter().filter(|a| a.person_id == p.id).map(|a| json!({
                "name": a.name, "category": a.category, "hours_per_week": a.hours, "place": a.place,
                "time": a.timing, "collaboration": a.collaboration,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "agreement": agreement.map(|a| json!({
            "in_force_version": a.in_force_version, "in_force_at": a.in_force_at, "proposed_version": a.proposed_version,
            "review_on": a.review_on, "plan_source": a.plan_source,
            "versions": versions.iter().map(|v| json!({"version": v.number, "changed": v.section, "by": v.author,
                "at": v.created_at, "sections": v.texts()})).collect::<Vec<_>>(),
            "answers": answers,
            "comments": comments.iter().map(|c| json!({"section": c.section, "by": c.author, "comment": c.body,
                "at": c.created_at})).collect::<Vec<_>>(),
        })),
        "trials": trial_list,
        "flexible_working_requests": request_list,
    });
    let body = serde_json::to_string_pretty(&data).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"team-space.json\"".to_string()),
        ],
        body,
    )
        .into_response())
}
