//! SQL for team agreements: the sections' guidance, versions, answers and comments.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::{Agreement, SECTIONS, Section, Version};
use crate::db::{Db, Tx, new_id};
use crate::{execute, fetch_all, fetch_optional};

pub async fn sections(db: &Db) -> Result<Vec<Section>, sqlx::Error> {
    fetch_all!(db, Section, "SELECT key, title, prompt, example FROM agreement_sections ORDER BY position, key")
}

/// Puts the first guidance in place for any section that has none (on start; organisers' changes stay).
pub async fn seed_sections(db: &Db, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    for (i, (key, title, prompt, example)) in SECTIONS.iter().enumerate() {
        execute!(
            db,
            "INSERT INTO agreement_sections (key, position, title, prompt, example, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING",
            *key,
            (i as i64 + 1) * 10,
            *title,
            *prompt,
            *example,
            now
        )?;
    }
    Ok(())
}

pub async fn update_section(
    db: &Db,
    key: &str,
    title: &str,
    prompt: &str,
    example: &str,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE agreement_sections SET title = $1, prompt = $2, example = $3, updated_at = $4 WHERE key = $5",
        title,
        prompt,
        example,
        now,
        key
    )
}

const AGREEMENT: &str = "SELECT space_id, proposed_version, proposed_at, in_force_version, in_force_at, review_on,
    plan_source FROM team_agreements";

pub async fn agreement(db: &Db, space_id: &str) -> Result<Option<Agreement>, sqlx::Error> {
    fetch_optional!(db, Agreement, sqlx::AssertSqlSafe(format!("{AGREEMENT} WHERE space_id = $1")), space_id)
}

/// A space's agreement, read inside the caller's transaction.
pub async fn agreement_in(tx: &mut Tx, space_id: &str) -> Result<Option<Agreement>, sqlx::Error> {
    fetch_optional!(&mut *tx, Agreement, sqlx::AssertSqlSafe(format!("{AGREEMENT} WHERE space_id = $1")), space_id)
}

/// Starts a space's agreement with its first version, unless it has one already (two first visits at once
/// make one).
pub async fn start(
    tx: &mut Tx,
    space_id: &str,
    texts: &BTreeMap<String, String>,
    plan_source: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let made = execute!(
        &mut *tx,
        "INSERT INTO team_agreements (space_id, plan_source, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (space_id) DO NOTHING",
        space_id,
        plan_source,
        now
    )?;
    if made == 1 {
        insert_version(tx, space_id, 1, "", texts, None, now).await?;
    }
    Ok(())
}

const VERSION: &str = "SELECT v.number, v.section, v.sections,
        CASE WHEN v.author_id IS NULL AND v.number = 1 THEN 'The toolkit (template and plan)'
             ELSE COALESCE(u.name, 'Former participant') END AS author, v.created_at
    FROM agreement_versions v LEFT JOIN users u ON u.id = v.author_id AND u.deleted_at IS NULL";

pub async fn versions(db: &Db, space_id: &str) -> Result<Vec<Version>, sqlx::Error> {
    fetch_all!(db, Version, sqlx::AssertSqlSafe(format!("{VERSION} WHERE v.space_id = $1 ORDER BY v.number")), space_id)
}

pub async fn latest(tx: &mut Tx, space_id: &str) -> Result<Option<Version>, sqlx::Error> {
    fetch_optional!(
        &mut *tx,
        Version,
        sqlx::AssertSqlSafe(format!("{VERSION} WHERE v.space_id = $1 ORDER BY v.number DESC LIMIT 1")),
        space_id
    )
}

/// The last version that changed a section.
pub async fn last_change(tx: &mut Tx, space_id: &str, section: &str) -> Result<i64, sqlx::Error> {
    crate::on_engine!(&mut *tx, |e| {
        sqlx::query_scalar::<_, i64>(
            "SELECT COALESCE(MAX(number), 0) FROM agreement_versions WHERE space_id = $1 AND section = $2",
        )
        .persistent(crate::db::keep_prepared())
        .bind(space_id)
        .bind(section)
        .fetch_one(e)
        .await
    })
}

/// Saves a version under its number; gives false when that number was taken meanwhile (another save won).
pub async fn insert_version(
    tx: &mut Tx,
    space_id: &str,
    number: i64,
    section: &str,
    texts: &BTreeMap<String, String>,
    author: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let sections = serde_json::to_string(texts).unwrap_or_else(|_| "{}".into());
    Ok(execute!(
        &mut *tx,
        "INSERT INTO agreement_versions (space_id, number, section, sections, author_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (space_id, number) DO NOTHING",
        space_id,
        number,
        section,
        sections,
        author,
        now
    )? == 1)
}

/// Takes the agreement's row for the rest of the transaction, so answers and proposals on one agreement
/// happen one after another (PostgreSQL; SQLite has one writer anyway).
pub async fn hold(tx: &mut Tx, space_id: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "UPDATE team_agreements SET space_id = space_id WHERE space_id = $1", space_id)?;
    Ok(())
}

pub async fn propose(
    tx: &mut Tx,
    space_id: &str,
    version: i64,
    by: &str,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    execute!(
        &mut *tx,
        "UPDATE team_agreements SET proposed_version = $1, proposed_by = $2, proposed_at = $3 WHERE space_id = $4",
        version,
        by,
        now,
        space_id
    )
}

pub async fn withdraw(db: &Db, space_id: &str) -> Result<u64, sqlx::Error> {
    execute!(db, "UPDATE team_agreements SET proposed_version = NULL WHERE space_id = $1", space_id)
}

/// One person's answer to a version.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Answer {
    pub user_id: String,
    pub name: String,
    pub answer: String,
    pub note: String,
    pub answered_at: DateTime<Utc>,
}

pub async fn answers(db: &Db, space_id: &str, version: i64) -> Result<Vec<Answer>, sqlx::Error> {
    fetch_all!(
        db,
        Answer,
        "SELECT a.user_id, COALESCE(u.name, 'Former participant') AS name, a.answer, a.note, a.answered_at
         FROM agreement_answers a LEFT JOIN users u ON u.id = a.user_id AND u.deleted_at IS NULL
         WHERE a.space_id = $1 AND a.version = $2 ORDER BY a.answered_at, a.user_id",
        space_id,
        version
    )
}

pub async fn answer(
    tx: &mut Tx,
    space_id: &str,
    version: i64,
    user_id: &str,
    answer: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        &mut *tx,
        "INSERT INTO agreement_answers (space_id, version, user_id, answer, note, answered_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (space_id, version, user_id) DO UPDATE SET answer = $4, note = $5, answered_at = $6",
        space_id,
        version,
        user_id,
        answer,
        note,
        now
    )?;
    Ok(())
}

/// Puts the proposed version in force if everyone now in the team who may answer (`can_draft_team_agreement`:
/// members in the members' area and team participants, not suspended) has agreed it, and at least one has;
/// gives whether it did. A
/// review date a lead set that is still ahead stays; otherwise the review is `review_on`.
pub async fn settle(
    tx: &mut Tx,
    space_id: &str,
    version: i64,
    today: NaiveDate,
    review_on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let may_answer = format!(
        "(u.deleted_at IS NULL AND ({} OR (u.role = 'participant' AND u.suspended = FALSE)))",
        crate::auth::policy::members_area_sql("u", "$2")
    );
    Ok(execute!(
        &mut *tx,
        sqlx::AssertSqlSafe(format!(
            "UPDATE team_agreements SET in_force_version = $1, in_force_at = $2, proposed_version = NULL,
                 review_on = CASE WHEN review_on IS NOT NULL AND review_on > $5 THEN review_on ELSE $3 END
             WHERE space_id = $4 AND proposed_version = $1
               AND NOT EXISTS (SELECT 1 FROM team_members m JOIN users u ON u.id = m.user_id
                     WHERE m.space_id = $4 AND {may_answer}
                     AND NOT EXISTS (SELECT 1 FROM agreement_answers a WHERE a.space_id = $4 AND a.version = $1
                           AND a.user_id = m.user_id AND a.answer = 'agree'))
               AND EXISTS (SELECT 1 FROM team_members m JOIN users u ON u.id = m.user_id
                     JOIN agreement_answers a ON a.space_id = $4 AND a.version = $1 AND a.user_id = m.user_id
                     WHERE m.space_id = $4 AND {may_answer} AND a.answer = 'agree')"
        )),
        version,
        now,
        crate::toolkit::requests::day(review_on),
        space_id,
        crate::toolkit::requests::day(today)
    )? == 1)
}

/// After someone leaves a space (or their account is erased), its open proposal may now have everyone's
/// agreement: puts it in force if so.
pub async fn settle_open(
    tx: &mut Tx,
    space_id: &str,
    today: NaiveDate,
    review_on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    // After an answer that may be landing at the same moment (PostgreSQL: the answer holds the row too).
    hold(tx, space_id).await?;
    let proposed: Option<Option<i64>> = crate::on_engine!(&mut *tx, |e| {
        sqlx::query_scalar::<_, Option<i64>>("SELECT proposed_version FROM team_agreements WHERE space_id = $1")
            .persistent(crate::db::keep_prepared())
            .bind(space_id)
            .fetch_optional(e)
            .await
    })?;
    match proposed.flatten() {
        Some(version) => settle(tx, space_id, version, today, review_on, now).await,
        None => Ok(false),
    }
}

pub async fn set_review(db: &Db, space_id: &str, on: NaiveDate) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE team_agreements SET review_on = $1 WHERE space_id = $2",
        crate::toolkit::requests::day(on),
        space_id
    )
}

/// A comment on a section.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Comment {
    pub section: String,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

pub async fn comments(db: &Db, space_id: &str) -> Result<Vec<Comment>, sqlx::Error> {
    fetch_all!(
        db,
        Comment,
        "SELECT c.section, COALESCE(u.name, 'Former participant') AS author, c.body, c.created_at
         FROM agreement_comments c LEFT JOIN users u ON u.id = c.author_id AND u.deleted_at IS NULL
         WHERE c.space_id = $1 ORDER BY c.created_at, c.id",
        space_id
    )
}

pub async fn add_comment(
    db: &Db,
    space_id: &str,
    section: &str,
    author: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "INSERT INTO agreement_comments (id, space_id, section, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        new_id(),
        space_id,
        section,
        author,
        body,
        now
    )?;
    Ok(())
}

/// Agreements in force whose review falls on or before `by`.
pub async fn reviews_due(db: &Db, by: NaiveDate) -> Result<Vec<Agreement>, sqlx::Error> {
    fetch_all!(
        db,
        Agreement,
        sqlx::AssertSqlSafe(format!(
            "{AGREEMENT} WHERE in_force_version IS NOT NULL AND review_on IS NOT NULL AND review_on <= $1"
        )),
        crate::toolkit::requests::day(by)
    )
}

/// What a person wrote in agreements (versions they saved, comments, answers), for their data export.
pub async fn written_by(db: &Db, user_id: &str) -> Result<serde_json::Value, sqlx::Error> {
    let comments: Vec<(String, String, String)> = crate::on_engine!(db, |e| {
        sqlx::query_as::<_, (String, String, String)>(
            "SELECT space_id, section, body FROM agreement_comments WHERE author_id = $1 ORDER BY created_at",
        )
        .persistent(crate::db::keep_prepared())
        .bind(user_id)
        .fetch_all(e)
        .await
    })?;
    let versions: Vec<(String, i64, String, String)> = crate::on_engine!(db, |e| {
        sqlx::query_as::<_, (String, i64, String, String)>(
            "SELECT space_id, number, section, sections FROM agreement_versions WHERE author_id = $1 ORDER BY created_at",
        ).persistent(crate::db::keep_prepared())
        .bind(user_id)
        .fetch_all(e)
        .await
    })?;
    let answers: Vec<(String, i64, String, String)> = crate::on_engine!(db, |e| {
        sqlx::query_as::<_, (String, i64, String, String)>(
            "SELECT space_id, version, answer, note FROM agreement_answers WHERE user_id = $1 ORDER BY answered_at",
        )
        .persistent(crate::db::keep_prepared())
        .bind(user_id)
        .fetch_all(e)
        .await
    })?;
    Ok(serde_json::json!({
        "comments": comments.iter().map(|(s, k, b)| serde_json::json!({"space": s, "section": k, "comment": b})).collect::<Vec<_>>(),
        "sections_saved": versions.iter().map(|(s, n, k, all)| {
            let texts: BTreeMap<String, String> = serde_json::from_str(all).unwrap_or_default();
            serde_json::json!({"space": s, "version": n, "section": k, "text": texts.get(k)})
        }).collect::<Vec<_>>(),
        "answers": answers.iter().map(|(s, v, a, n)| serde_json::json!({"space": s, "version": v, "answer": a, "note": n})).collect::<Vec<_>>(),
    }))
}

/// Erases what a person wrote in agreements: their comments and the notes on their answers go; the versions
/// they saved and the fact that they agreed stay with the team, under "Former participant".
pub async fn erase_person(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "DELETE FROM agreement_comments WHERE author_id = $1", user_id)?;
    execute!(&mut *tx, "UPDATE agreement_answers SET note = '' WHERE user_id = $1", user_id)?;
    execute!(&mut *tx, "UPDATE team_agreements SET proposed_by = NULL WHERE proposed_by = $1", user_id)?;
    Ok(())
}
