//! SQL for flexible-working requests.

use chrono::{DateTime, NaiveDate, Utc};

use super::{CheckedDecision, CheckedRequest, Request, day};
use crate::db::{Db, Tx, new_id};
use crate::{execute, fetch_all, fetch_optional};

const REQUEST: &str = "SELECT r.id, r.space_id, r.person_id, COALESCE(p.name, 'Former participant') AS person_name,
        p.user_id AS person_user_id, r.made_on, r.change, r.start_wanted, r.earlier, r.rules, r.decision_due,
        r.extended_to, r.extension_note, r.consulted_on, r.consultation_note, r.outcome, r.grounds, r.explanation,
        r.decided_on, r.appeal_on, r.appeal_outcome, r.appeal_decided_on
    FROM flexible_requests r LEFT JOIN team_people p ON p.id = r.person_id";

pub async fn requests(db: &Db, space_id: &str) -> Result<Vec<Request>, sqlx::Error> {
    fetch_all!(
        db,
        Request,
        sqlx::AssertSqlSafe(format!("{REQUEST} WHERE r.space_id = $1 ORDER BY r.made_on DESC, r.created_at DESC")),
        space_id
    )
}

pub async fn request(db: &Db, space_id: &str, id: &str) -> Result<Option<Request>, sqlx::Error> {
    fetch_optional!(
        db,
        Request,
        sqlx::AssertSqlSafe(format!("{REQUEST} WHERE r.space_id = $1 AND r.id = $2")),
        space_id,
        id
    )
}

/// The space a request belongs to (for the API's `/requests/{id}`).
pub async fn space_of(db: &Db, id: &str) -> Result<Option<String>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, String>("SELECT space_id FROM flexible_requests WHERE id = $1")
            .persistent(crate::db::keep_prepared())
            .bind(id)
            .fetch_optional(e)
            .await
    })
}

/// Takes the person's row for the rest of the transaction (a row lock on PostgreSQL; SQLite has one writer).
pub async fn hold_person(tx: &mut Tx, person_id: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "UPDATE team_people SET id = id WHERE id = $1", person_id)?;
    Ok(())
}

/// A person's requests, read inside the transaction that records a new one, to check it against them.
pub async fn of_person(tx: &mut Tx, person_id: &str) -> Result<Vec<Request>, sqlx::Error> {
    fetch_all!(&mut *tx, Request, sqlx::AssertSqlSafe(format!("{REQUEST} WHERE r.person_id = $1")), person_id)
}

pub async fn insert(
    tx: &mut Tx,
    space_id: &str,
    r: &CheckedRequest,
    by: &str,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    execute!(
        &mut *tx,
        "INSERT INTO flexible_requests (id, space_id, person_id, made_on, change, start_wanted, earlier, rules,
             decision_due, extension_note, consultation_note, grounds, explanation, created_by, created_at,
             updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '', '', '', '', $10, $11, $11)",
        &id,
        space_id,
        &r.person_id,
        day(r.made_on),
        &r.change,
        day(r.start_wanted),
        &r.earlier,
        r.rules.key(),
        day(r.rules.decision_due(r.made_on)),
        by,
        now
    )?;
    Ok(id)
}

/// Records a decision if the request is still undecided; gives whether it was.
pub async fn decide(db: &Db, id: &str, d: &CheckedDecision, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    Ok(execute!(
        db,
        "UPDATE flexible_requests SET outcome = $1, grounds = $2, explanation = $3, decided_on = $4, updated_at = $5
         WHERE id = $6 AND outcome IS NULL",
        d.outcome.key(),
        d.grounds.join(","),
        &d.explanation,
        day(d.decided_on),
        now,
        id
    )? == 1)
}

pub async fn extend(tx: &mut Tx, id: &str, to: NaiveDate, note: &str, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    execute!(
        &mut *tx,
        "UPDATE flexible_requests SET extended_to = $1, extension_note = $2, updated_at = $3 WHERE id = $4",
        day(to),
        note,
        now,
        id
    )
}

pub async fn consulted(db: &Db, id: &str, on: NaiveDate, note: &str, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE flexible_requests SET consulted_on = $1, consultation_note = $2, updated_at = $3
         WHERE id = $4 AND outcome IS NULL",
        day(on),
        note,
        now,
        id
    )
}

pub async fn appeal(db: &Db, id: &str, on: NaiveDate, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE flexible_requests SET appeal_on = $1, updated_at = $2
         WHERE id = $3 AND outcome = 'refused' AND appeal_on IS NULL",
        day(on),
        now,
        id
    )
}

pub async fn appeal_decided(
    db: &Db,
    id: &str,
    outcome: &str,
    on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE flexible_requests SET appeal_outcome = $1, appeal_decided_on = $2, updated_at = $3
         WHERE id = $4 AND appeal_on IS NOT NULL AND appeal_outcome IS NULL",
        outcome,
        day(on),
        now,
        id
    )
}

/// Live requests whose deadline falls on or before `by`, with their space (for the leads' reminder).
pub async fn due_by(db: &Db, by: NaiveDate) -> Result<Vec<Request>, sqlx::Error> {
    let all = fetch_all!(
        db,
        Request,
        sqlx::AssertSqlSafe(format!(
            "{REQUEST} WHERE (r.outcome IS NULL OR (r.appeal_on IS NOT NULL AND r.appeal_outcome IS NULL))
               AND COALESCE(r.extended_to, r.decision_due) <= $1"
        )),
        day(by)
    )?;
    Ok(all)
}

/// The requests a person made (through the plan's row that is theirs), for their data export. (Requests a lead
/// recorded for others are about those others: they stay in the space's own export.)
pub async fn of_user(db: &Db, user_id: &str) -> Result<Vec<Request>, sqlx::Error> {
    fetch_all!(db, Request, sqlx::AssertSqlSafe(format!("{REQUEST} WHERE p.user_id = $1 ORDER BY r.made_on")), user_id)
}
