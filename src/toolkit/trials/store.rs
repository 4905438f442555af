//! SQL for trials, their steps and check-in notes.

use chrono::{DateTime, Utc};

use super::{CheckedTrial, Step, Trial};
use crate::db::{Db, Tx, new_id};
use crate::toolkit::requests::day;
use crate::{execute, fetch_all, fetch_optional};

const TRIAL: &str = "SELECT t.id, t.space_id, t.person_id, p.name AS person_name, p.user_id AS person_user_id,
        t.for_team, t.pattern, t.scenario_id, t.criteria, t.starts_on, t.ends_on, t.length_reason, t.midpoint_on,
        t.state, t.decision, t.reason, t.cause, t.request_id, t.shared_at IS NOT NULL AS shared
    FROM team_trials t LEFT JOIN team_people p ON p.id = t.person_id";

pub async fn trials(db: &Db, space_id: &str) -> Result<Vec<Trial>, sqlx::Error> {
    fetch_all!(
        db,
        Trial,
        sqlx::AssertSqlSafe(format!("{TRIAL} WHERE t.space_id = $1 ORDER BY t.starts_on DESC, t.created_at DESC")),
        space_id
    )
}

pub async fn trial(db: &Db, space_id: &str, id: &str) -> Result<Option<Trial>, sqlx::Error> {
    fetch_optional!(
        db,
        Trial,
        sqlx::AssertSqlSafe(format!("{TRIAL} WHERE t.space_id = $1 AND t.id = $2")),
        space_id,
        id
    )
}

pub async fn space_of(db: &Db, id: &str) -> Result<Option<String>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, String>("SELECT space_id FROM team_trials WHERE id = $1")
            .persistent(crate::db::keep_prepared())
            .bind(id)
            .fetch_optional(e)
            .await
    })
}

pub async fn insert(
    tx: &mut Tx,
    space_id: &str,
    t: &CheckedTrial,
    request_id: Option<&str>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let criteria = serde_json::to_string(&t.criteria).unwrap_or_else(|_| "[]".into());
    execute!(
        &mut *tx,
        "INSERT INTO team_trials (id, space_id, person_id, for_team, pattern, scenario_id, criteria, starts_on, ends_on,
             length_reason, midpoint_on, state, reason, cause, request_id, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'proposed', '', '', $12, $13, $14, $14)",
        &id,
        space_id,
        t.person_id.as_deref(),
        t.person_id.is_none(),
        &t.pattern,
        t.scenario_id.as_deref(),
        criteria,
        day(t.starts_on),
        day(t.ends_on),
        &t.length_reason,
        day(t.midpoint_on),
        request_id,
        by,
        now
    )?;
    execute!(
        &mut *tx,
        "INSERT INTO trial_steps (id, trial_id, state, reason, cause, by_id, at) VALUES ($1, $2, 'proposed', '', '', $3, $4)",
        new_id(),
        &id,
        by,
        now
    )?;
    Ok(id)
}

/// Takes a step if the trial is still where the step was checked from; gives whether it was taken.
pub async fn step(
    tx: &mut Tx,
    id: &str,
    from: &str,
    step: &Step,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let decision = step.decision.map(|d| d.key());
    let moved = execute!(
        &mut *tx,
        "UPDATE team_trials SET state = $1, decision = COALESCE($2, decision), reason = $3, cause = $4,
             ends_on = COALESCE($5, ends_on), midpoint_on = COALESCE($9, midpoint_on), updated_at = $6
         WHERE id = $7 AND state = $8",
        step.state.key(),
        decision,
        &step.reason,
        &step.cause,
        step.ends_on.map(day),
        now,
        id,
        from,
        step.midpoint_on.map(day)
    )?;
    if moved == 1 {
        execute!(
            &mut *tx,
            "INSERT INTO trial_steps (id, trial_id, state, decision, reason, cause, by_id, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            new_id(),
            id,
            step.state.key(),
            decision,
            &step.reason,
            &step.cause,
            by,
            now
        )?;
    }
    Ok(moved == 1)
}

/// A step a trial took, with who took it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StepRow {
    pub state: String,
    pub decision: Option<String>,
    pub reason: String,
    pub cause: String,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

pub async fn steps(db: &Db, trial_id: &str) -> Result<Vec<StepRow>, sqlx::Error> {
    fetch_all!(
        db,
        StepRow,
        "SELECT s.state, s.decision, s.reason, s.cause, COALESCE(u.name, 'Former participant') AS by_name, s.at
         FROM trial_steps s LEFT JOIN users u ON u.id = s.by_id AND u.deleted_at IS NULL
         WHERE s.trial_id = $1 ORDER BY s.at, s.id",
        trial_id
    )
}

/// A check-in note.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Note {
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

pub async fn notes(db: &Db, trial_id: &str) -> Result<Vec<Note>, sqlx::Error> {
    fetch_all!(
        db,
        Note,
        "SELECT COALESCE(u.name, 'Former participant') AS author, n.body, n.created_at
         FROM trial_notes n LEFT JOIN users u ON u.id = n.author_id AND u.deleted_at IS NULL
         WHERE n.trial_id = $1 ORDER BY n.created_at, n.id",
        trial_id
    )
}

pub async fn add_note(
    db: &Db,
    trial_id: &str,
    author: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    execute!(
        db,
        "INSERT INTO trial_notes (id, trial_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)",
        &id,
        trial_id,
        author,
        body,
        now
    )?;
    Ok(id)
}

/// Changes a proposed trial's criteria (they are fixed once it is scoped); gives whether it was proposed.
pub async fn set_criteria(
    db: &Db,
    id: &str,
    criteria: &[super::Criterion],
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let criteria = serde_json::to_string(criteria).unwrap_or_else(|_| "[]".into());
    Ok(execute!(
        db,
        "UPDATE team_trials SET criteria = $1, updated_at = $2 WHERE id = $3 AND state = 'proposed'",
        criteria,
        now,
        id
    )? == 1)
}

pub async fn unmark_shared(db: &Db, id: &str) -> Result<u64, sqlx::Error> {
    execute!(db, "UPDATE team_trials SET shared_at = NULL WHERE id = $1", id)
}

pub async fn mark_shared(db: &Db, id: &str, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    execute!(db, "UPDATE team_trials SET shared_at = $1 WHERE id = $2 AND shared_at IS NULL", now, id)
}

/// Trials running, with a reminder day (mid-point or end) on or before `by`.
pub async fn running(db: &Db) -> Result<Vec<Trial>, sqlx::Error> {
    fetch_all!(
        db,
        Trial,
        sqlx::AssertSqlSafe(format!("{TRIAL} WHERE t.state IN ('active', 'midpoint', 'final_review')"))
    )
}

/// The notes a person wrote, for their data export.
pub async fn notes_by(db: &Db, user_id: &str) -> Result<Vec<(String, String, DateTime<Utc>)>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_as::<_, (String, String, DateTime<Utc>)>(
            "SELECT trial_id, body, created_at FROM trial_notes WHERE author_id = $1 ORDER BY created_at",
        )
        .persistent(crate::db::keep_prepared())
        .bind(user_id)
        .fetch_all(e)
        .await
    })
}

/// Erases a person's check-in notes; the trials and their steps stay with the team, under "Former participant".
pub async fn erase_person(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "DELETE FROM trial_notes WHERE author_id = $1", user_id)?;
    execute!(&mut *tx, "UPDATE trial_steps SET by_id = NULL WHERE by_id = $1", user_id)?;
    execute!(&mut *tx, "UPDATE team_trials SET created_by = NULL WHERE created_by = $1", user_id)?;
    execute!(&mut *tx, "UPDATE flexible_requests SET created_by = NULL WHERE created_by = $1", user_id)?;
    Ok(())
}

/// The trials of a person (through the plan's row that is theirs), for their data export. (Trials a lead
/// scoped for others are about those others: they stay in the space's own export.)
pub async fn of_user(db: &Db, user_id: &str) -> Result<Vec<Trial>, sqlx::Error> {
    fetch_all!(db, Trial, sqlx::AssertSqlSafe(format!("{TRIAL} WHERE p.user_id = $1 ORDER BY t.starts_on")), user_id)
}
