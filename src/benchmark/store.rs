//! All the benchmark's SQL: the framework and its drafts, assessments and their answers, measures and targets,
//! peers' levels, tags and opt-ins, personal data, the demo.

use chrono::{DateTime, Utc};

use super::framework::FIRST_VERSION;
use crate::db::{Db, new_id};
use crate::{execute, fetch_all, fetch_optional};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FrameworkRow {
    pub id: String,
    pub version: Option<i64>,
    pub published_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DimensionRow {
    pub id: String,
    pub key: String,
    pub name: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct QuestionRow {
    pub id: String,
    pub dimension_id: String,
    pub key: String,
    pub text: String,
    pub levels: String,
}

impl QuestionRow {
    /// The five level descriptors, 1 to 5.
    pub fn levels(&self) -> Vec<String> {
        serde_json::from_str(&self.levels).unwrap_or_default()
    }
}

/// Publishes the first version from `framework::FIRST_VERSION` when no version is published yet (on start;
/// two instances starting together publish it once: the version number is unique).
pub async fn publish_first(db: &Db, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    let id = new_id();
    let made = execute!(
        &mut tx,
        "INSERT INTO benchmark_frameworks (id, version, status, published_at, created_at)
         VALUES ($1, 1, 'published', $2, $2) ON CONFLICT (version) DO NOTHING",
        &id,
        now
    )?;
    if made == 0 {
        return Ok(());
    }
    for (d, dimension) in FIRST_VERSION.iter().enumerate() {
        let dimension_id = new_id();
        execute!(
            &mut tx,
            "INSERT INTO benchmark_dimensions (id, framework_id, key, name, position) VALUES ($1, $2, $3, $4, $5)",
            &dimension_id,
            &id,
            dimension.key,
            dimension.name,
            d as i64
        )?;
        for (q, question) in dimension.questions.iter().enumerate() {
            let levels = serde_json::to_string(&question.levels).unwrap_or_else(|_| "[]".into());
            execute!(
                &mut tx,
                "INSERT INTO benchmark_questions (id, dimension_id, key, text, levels, position)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                new_id(),
                &dimension_id,
                question.key,
                question.text,
                levels,
                q as i64
            )?;
        }
    }
    tx.commit().await
}

/// The latest published version.
pub async fn published(db: &Db) -> Result<Option<FrameworkRow>, sqlx::Error> {
    fetch_optional!(
        db,
        FrameworkRow,
        "SELECT id, version, published_at FROM benchmark_frameworks WHERE status = 'published'
         ORDER BY version DESC LIMIT 1"
    )
}

pub async fn dimensions(db: &Db, framework_id: &str) -> Result<Vec<DimensionRow>, sqlx::Error> {
    fetch_all!(
        db,
        DimensionRow,
        "SELECT id, key, name FROM benchmark_dimensions WHERE framework_id = $1 ORDER BY position, key",
        framework_id
    )
}

pub async fn questions(db: &Db, framework_id: &str) -> Result<Vec<QuestionRow>, sqlx::Error> {
    fetch_all!(
        db,
        QuestionRow,
        "SELECT q.id, q.dimension_id, q.key, q.text, q.levels FROM benchmark_questions q
         JOIN benchmark_dimensions d ON d.id = q.dimension_id
         WHERE d.framework_id = $1 ORDER BY d.position, q.position",
        framework_id
    )
}

// ---- Assessments -------------------------------------------------------------------------------------------

use super::model::{AnswerRow, AssessmentRow, MeasureRow, PeerAssessment, PeerLevel, TaggedItem, TargetRow};
use crate::db::Tx;

const ASSESSMENT: &str = "SELECT a.id, a.organisation_id, a.framework_id, f.version, a.status, a.quarter,
        s.name AS started_by_name, b.name AS submitted_by_name, a.created_at, a.submitted_at
     FROM benchmark_assessments a JOIN benchmark_frameworks f ON f.id = a.framework_id
     LEFT JOIN users s ON s.id = a.started_by LEFT JOIN users b ON b.id = a.submitted_by";

/// An organisation's assessments, the newest first.
pub async fn assessments_of(db: &Db, organisation_id: &str) -> Result<Vec<AssessmentRow>, sqlx::Error> {
    let sql = format!("{ASSESSMENT} WHERE a.organisation_id = $1 ORDER BY a.created_at DESC, a.id");
    fetch_all!(db, AssessmentRow, sqlx::AssertSqlSafe(sql), organisation_id)
}

pub async fn assessment(db: &Db, id: &str) -> Result<Option<AssessmentRow>, sqlx::Error> {
    let sql = format!("{ASSESSMENT} WHERE a.id = $1");
    fetch_optional!(db, AssessmentRow, sqlx::AssertSqlSafe(sql), id)
}

/// The organisation's draft, if one is open.
pub async fn draft_of(db: &Db, organisation_id: &str) -> Result<Option<String>, sqlx::Error> {
    let sql = format!("{ASSESSMENT} WHERE a.organisation_id = $1 AND a.status = 'draft'");
    Ok(fetch_optional!(db, AssessmentRow, sqlx::AssertSqlSafe(sql), organisation_id)?.map(|a| a.id))
}

/// Starts the organisation's draft on a framework version, or returns the one already open (one draft per
/// organisation: colleagues starting together share it). With `copy_from`, the answers of that assessment to
/// questions this version still has are the draft's first answers. Gives the draft's id and whether it is new;
/// none when the draft that was open was submitted in the moment between.
pub async fn start(
    db: &Db,
    organisation_id: &str,
    framework_id: &str,
    by: &str,
    now: DateTime<Utc>,
    copy_from: Option<&str>,
) -> Result<Option<(String, bool)>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let id = new_id();
    let made = execute!(
        &mut tx,
        "INSERT INTO benchmark_assessments (id, organisation_id, framework_id, status, started_by, created_at)
         VALUES ($1, $2, $3, 'draft', $4, $5) ON CONFLICT DO NOTHING",
        &id,
        organisation_id,
        framework_id,
        by,
        now
    )?;
    if made == 0 {
        drop(tx);
        return Ok(draft_of(db, organisation_id).await?.map(|open| (open, false)));
    }
    if let Some(from) = copy_from {
        // Answers follow their question's key, which a question keeps from version to version.
        execute!(
            &mut tx,
            "INSERT INTO benchmark_answers
                 (assessment_id, question_id, level, evidence, link, answered_by, answered_at, carried_over)
             SELECT $1, nq.id, p.level, p.evidence, p.link, $4, $5, TRUE
             FROM benchmark_answers p
             JOIN benchmark_questions oq ON oq.id = p.question_id
             JOIN benchmark_dimensions od ON od.id = oq.dimension_id
             JOIN benchmark_dimensions nd ON nd.framework_id = $3 AND nd.key = od.key
             JOIN benchmark_questions nq ON nq.dimension_id = nd.id AND nq.key = oq.key
             WHERE p.assessment_id = $2",
            &id,
            from,
            framework_id,
            by,
            now
        )?;
    }
    tx.commit().await?;
    Ok(Some((id, true)))
}

pub async fn answers(db: &Db, assessment_id: &str) -> Result<Vec<AnswerRow>, sqlx::Error> {
    fetch_all!(
        db,
        AnswerRow,
        "SELECT x.question_id, x.level, x.evidence, x.link, u.name AS answered_by_name, x.answered_at, x.carried_over
         FROM benchmark_answers x LEFT JOIN users u ON u.id = x.answered_by WHERE x.assessment_id = $1",
        assessment_id
    )
}

/// Holds a draft's row for the rest of the transaction (a submission waits, or is waited for); false when the
/// assessment is no longer a draft. Every change to a draft's answers or measures goes through it first, so
/// nothing is written into an assessment once it is submitted, on either engine.
async fn hold_draft(tx: &mut Tx, assessment_id: &str) -> Result<bool, sqlx::Error> {
    Ok(execute!(
        &mut *tx,
        "UPDATE benchmark_assessments SET status = status WHERE id = $1 AND status = 'draft'",
        assessment_id
    )? > 0)
}

/// Saves one answer while the assessment is a draft; false when it was submitted meanwhile.
#[allow(clippy::too_many_arguments)]
pub async fn save_answer(
    db: &Db,
    assessment_id: &str,
    question_id: &str,
    level: Option<i64>,
    evidence: &str,
    link: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    if !hold_draft(&mut tx, assessment_id).await? {
        return Ok(false);
    }
    execute!(
        &mut tx,
        "INSERT INTO benchmark_answers (assessment_id, question_id, level, evidence, link, answered_by, answered_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (assessment_id, question_id) DO UPDATE SET level = excluded.level,
             evidence = excluded.evidence, link = excluded.link, answered_by = excluded.answered_by,
             answered_at = excluded.answered_at, carried_over = FALSE",
        assessment_id,
        question_id,
        level,
        evidence,
        link,
        by,
        now
    )?;
    tx.commit().await?;
    Ok(true)
}

/// Takes an answer back to "not answered yet", while a draft; false when it was submitted meanwhile.
pub async fn clear_answer(db: &Db, assessment_id: &str, question_id: &str) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    if !hold_draft(&mut tx, assessment_id).await? {
        return Ok(false);
    }
    execute!(
        &mut tx,
        "DELETE FROM benchmark_answers WHERE assessment_id = $1 AND question_id = $2",
        assessment_id,
        question_id
    )?;
    tx.commit().await?;
    Ok(true)
}

pub async fn measures(db: &Db, assessment_id: &str) -> Result<Vec<MeasureRow>, sqlx::Error> {
    fetch_all!(
        db,
        MeasureRow,
        "SELECT key, value, note FROM benchmark_measures WHERE assessment_id = $1 ORDER BY key",
        assessment_id
    )
}

/// Replaces a draft's measures with `measures` (key, value, note); false when it was submitted meanwhile.
pub async fn set_measures(
    db: &Db,
    assessment_id: &str,
    measures: &[(String, f64, String)],
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    if !hold_draft(&mut tx, assessment_id).await? {
        return Ok(false);
    }
    execute!(&mut tx, "DELETE FROM benchmark_measures WHERE assessment_id = $1", assessment_id)?;
    for (key, value, note) in measures {
        execute!(
            &mut tx,
            "INSERT INTO benchmark_measures (assessment_id, key, value, note) VALUES ($1, $2, $3, $4)",
            assessment_id,
            key,
            value,
            note
        )?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Submits a draft for the quarter: a submitted assessment of the same organisation and quarter becomes
/// `replaced`. Returns whether it was submitted (false: not a draft any more) and the one it replaced.
pub async fn submit(
    db: &Db,
    assessment: &AssessmentRow,
    quarter: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(bool, Option<String>), sqlx::Error> {
    let mut tx = db.begin().await?;
    // Two colleagues submitting at once: the second waits here and then finds no draft.
    if !hold_draft(&mut tx, &assessment.id).await? {
        return Ok((false, None));
    }
    let replaced = same_quarter(&mut tx, &assessment.organisation_id, quarter).await?;
    if let Some(old) = &replaced {
        execute!(&mut tx, "UPDATE benchmark_assessments SET status = 'replaced' WHERE id = $1", old)?;
    }
    execute!(
        &mut tx,
        "UPDATE benchmark_assessments SET status = 'submitted', quarter = $2, submitted_by = $3, submitted_at = $4
         WHERE id = $1",
        &assessment.id,
        quarter,
        by,
        now
    )?;
    tx.commit().await?;
    Ok((true, replaced))
}

async fn same_quarter(tx: &mut Tx, organisation_id: &str, quarter: &str) -> Result<Option<String>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Id {
        id: String,
    }
    Ok(fetch_optional!(
        &mut *tx,
        Id,
        "SELECT id FROM benchmark_assessments WHERE organisation_id = $1 AND quarter = $2 AND status = 'submitted'",
        organisation_id,
        quarter
    )?
    .map(|r| r.id))
}

/// The submitted assessment a submission in `quarter` would replace, for the warning before it.
pub async fn submitted_in(db: &Db, organisation_id: &str, quarter: &str) -> Result<Option<AssessmentRow>, sqlx::Error> {
    let sql = format!("{ASSESSMENT} WHERE a.organisation_id = $1 AND a.quarter = $2 AND a.status = 'submitted'");
    fetch_optional!(db, AssessmentRow, sqlx::AssertSqlSafe(sql), organisation_id, quarter)
}

pub async fn targets(db: &Db, assessment_id: &str) -> Result<Vec<TargetRow>, sqlx::Error> {
    fetch_all!(
        db,
        TargetRow,
        "SELECT dimension_key, target FROM benchmark_targets WHERE assessment_id = $1",
        assessment_id
    )
}

/// Replaces an assessment's targets (dimension key, target).
pub async fn set_targets(db: &Db, assessment_id: &str, targets: &[(String, f64)]) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    execute!(&mut tx, "DELETE FROM benchmark_targets WHERE assessment_id = $1", assessment_id)?;
    for (key, target) in targets {
        execute!(
            &mut tx,
            "INSERT INTO benchmark_targets (assessment_id, dimension_key, target) VALUES ($1, $2, $3)",
            assessment_id,
            key,
            target
        )?;
    }
    tx.commit().await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Colleague {
    pub id: String,
    pub name: String,
    pub email: String,
    pub invited: bool,
}

/// The organisation's other members who may contribute (the caller filters by policy), and whether they were
/// asked to.
pub async fn colleagues(
    db: &Db,
    organisation_id: &str,
    assessment_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Colleague>, sqlx::Error> {
    let sql = format!(
        "SELECT users.id, users.name, users.email,
             EXISTS (SELECT 1 FROM benchmark_contributors c WHERE c.assessment_id = $2 AND c.user_id = users.id) AS invited
         FROM users WHERE users.organisation_id = $1 AND users.role IN ('member', 'moderator')
             AND (users.membership_ends_at IS NULL OR users.membership_ends_at > $3) AND {}
         ORDER BY users.name",
        crate::auth::policy::members_area_sql("users", "$3")
    );
    fetch_all!(db, Colleague, sqlx::AssertSqlSafe(sql), organisation_id, assessment_id, now)
}

/// Records that a colleague was asked; false when they already were.
pub async fn invite(
    db: &Db,
    assessment_id: &str,
    user_id: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    Ok(execute!(
        db,
        "INSERT INTO benchmark_contributors (assessment_id, user_id, invited_by, invited_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
        assessment_id,
        user_id,
        by,
        now
    )? > 0)
}

// ---- Peers ---------------------------------------------------------------------------------------------------

/// Submitted assessments on a framework version since a moment, the newest first, with their organisation's
/// facts; the caller keeps each organisation's latest.
pub async fn submitted_since(
    db: &Db,
    framework_id: &str,
    since: DateTime<Utc>,
) -> Result<Vec<PeerAssessment>, sqlx::Error> {
    fetch_all!(
        db,
        PeerAssessment,
        "SELECT a.id AS assessment_id, a.organisation_id, o.sector, o.employees, o.region
         FROM benchmark_assessments a JOIN organisations o ON o.id = a.organisation_id
         WHERE a.framework_id = $1 AND a.status = 'submitted' AND a.submitted_at >= $2
         ORDER BY a.submitted_at DESC, a.id",
        framework_id,
        since
    )
}

/// The levels of the same assessments: no evidence, no names.
pub async fn submitted_levels(
    db: &Db,
    framework_id: &str,
    since: DateTime<Utc>,
) -> Result<Vec<PeerLevel>, sqlx::Error> {
    fetch_all!(
        db,
        PeerLevel,
        "SELECT x.assessment_id, x.question_id, x.level FROM benchmark_answers x
         JOIN benchmark_assessments a ON a.id = x.assessment_id
         WHERE a.framework_id = $1 AND a.status = 'submitted' AND a.submitted_at >= $2",
        framework_id,
        since
    )
}

pub async fn published_number(db: &Db, version: i64) -> Result<Option<FrameworkRow>, sqlx::Error> {
    fetch_optional!(
        db,
        FrameworkRow,
        "SELECT id, version, published_at FROM benchmark_frameworks WHERE status = 'published' AND version = $1",
        version
    )
}

pub async fn framework_row(db: &Db, id: &str) -> Result<Option<FrameworkRow>, sqlx::Error> {
    fetch_optional!(db, FrameworkRow, "SELECT id, version, published_at FROM benchmark_frameworks WHERE id = $1", id)
}

// ---- Tags and opt-ins -------------------------------------------------------------------------------------

pub async fn tags(db: &Db) -> Result<Vec<TaggedItem>, sqlx::Error> {
    fetch_all!(db, TaggedItem, "SELECT dimension_key, item_kind, item_id FROM benchmark_tags ORDER BY dimension_key")
}

pub async fn tag(db: &Db, dimension_key: &str, kind: &str, item_id: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "INSERT INTO benchmark_tags (dimension_key, item_kind, item_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        dimension_key,
        kind,
        item_id
    )?;
    Ok(())
}

pub async fn untag(db: &Db, dimension_key: &str, kind: &str, item_id: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "DELETE FROM benchmark_tags WHERE dimension_key = $1 AND item_kind = $2 AND item_id = $3",
        dimension_key,
        kind,
        item_id
    )?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Named {
    pub key: String,
    pub name: String,
}

/// The dimensions of the latest version an item is tagged with, in the framework's order.
pub async fn tagged_dimensions(db: &Db, kind: &str, item_id: &str) -> Result<Vec<Named>, sqlx::Error> {
    fetch_all!(
        db,
        Named,
        "SELECT d.key, d.name FROM benchmark_tags t JOIN benchmark_dimensions d ON d.key = t.dimension_key
         WHERE t.item_kind = $1 AND t.item_id = $2 AND d.framework_id =
             (SELECT id FROM benchmark_frameworks WHERE status = 'published' ORDER BY version DESC LIMIT 1)
         ORDER BY d.position",
        kind,
        item_id
    )
}

#[derive(sqlx::FromRow)]
struct Key {
    dimension_key: String,
}

/// The dimensions a member is willing to talk about, for their present employer.
pub async fn willing(db: &Db, user_id: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows = fetch_all!(
        db,
        Key,
        "SELECT w.dimension_key FROM benchmark_willing w JOIN users u ON u.id = w.user_id
         WHERE w.user_id = $1 AND w.organisation_id = u.organisation_id",
        user_id
    )?;
    Ok(rows.into_iter().map(|r| r.dimension_key).collect())
}

/// Replaces a member's opt-ins, given for `organisation_id` (their employer now).
pub async fn set_willing(
    db: &Db,
    user_id: &str,
    organisation_id: &str,
    keys: &[String],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    execute!(&mut tx, "DELETE FROM benchmark_willing WHERE user_id = $1", user_id)?;
    for key in keys {
        execute!(
            &mut tx,
            "INSERT INTO benchmark_willing (user_id, organisation_id, dimension_key, created_at) VALUES ($1, $2, $3, $4)",
            user_id,
            organisation_id,
            key,
            now
        )?;
    }
    tx.commit().await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct WillingMember {
    pub user_id: String,
    pub name: String,
    pub job_title: String,
    pub organisation_id: String,
    pub organisation_name: String,
}

/// Members in the members' area willing to talk about a dimension, with their organisation.
pub async fn willing_on(db: &Db, dimension_key: &str, now: DateTime<Utc>) -> Result<Vec<WillingMember>, sqlx::Error> {
    let sql = format!(
        "SELECT users.id AS user_id, users.name, users.job_title, o.id AS organisation_id, o.name AS organisation_name
         FROM benchmark_willing w JOIN users ON users.id = w.user_id JOIN organisations o ON o.id = w.organisation_id
         WHERE w.dimension_key = $1 AND w.organisation_id = users.organisation_id AND {} ORDER BY users.name",
        crate::auth::policy::members_area_sql("users", "$2")
    );
    fetch_all!(db, WillingMember, sqlx::AssertSqlSafe(sql), dimension_key, now)
}

// ---- Personal data ----------------------------------------------------------------------------------------

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct GivenAnswer {
    pub assessment_id: String,
    pub question: String,
    pub level: Option<i64>,
    pub evidence: String,
    pub link: String,
    pub answered_at: DateTime<Utc>,
}

/// The answers a person gave (their part of their organisation's assessments).
pub async fn answers_by(db: &Db, user_id: &str) -> Result<Vec<GivenAnswer>, sqlx::Error> {
    fetch_all!(
        db,
        GivenAnswer,
        "SELECT x.assessment_id, q.text AS question, x.level, x.evidence, x.link, x.answered_at
         FROM benchmark_answers x JOIN benchmark_questions q ON q.id = x.question_id
         WHERE x.answered_by = $1 AND NOT x.carried_over ORDER BY x.answered_at",
        user_id
    )
}

/// Erasure: the organisation keeps its assessments (they are its own), without the person's name on them; the
/// person's invitations and opt-ins go.
pub async fn erase(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "UPDATE benchmark_answers SET answered_by = NULL WHERE answered_by = $1", user_id)?;
    execute!(&mut *tx, "UPDATE benchmark_assessments SET started_by = NULL WHERE started_by = $1", user_id)?;
    execute!(&mut *tx, "UPDATE benchmark_assessments SET submitted_by = NULL WHERE submitted_by = $1", user_id)?;
    execute!(&mut *tx, "UPDATE benchmark_contributors SET invited_by = NULL WHERE invited_by = $1", user_id)?;
    execute!(&mut *tx, "DELETE FROM benchmark_contributors WHERE user_id = $1", user_id)?;
    execute!(&mut *tx, "DELETE FROM benchmark_willing WHERE user_id = $1", user_id)?;
    Ok(())
}

// ---- The demo ------------------------------------------------------------------------------------------------

/// Whether any assessment exists (the demo loads once).
pub async fn any_assessment(db: &Db) -> Result<bool, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Id {
        id: String,
    }
    Ok(fetch_optional!(db, Id, "SELECT id FROM benchmark_assessments LIMIT 1")?.is_some_and(|r| !r.id.is_empty()))
}

/// A submitted assessment as of a past moment, with its answers (question id, level, evidence), for the demo.
#[allow(clippy::too_many_arguments)]
pub async fn demo_submitted(
    db: &Db,
    organisation_id: &str,
    framework_id: &str,
    by: Option<&str>,
    at: DateTime<Utc>,
    quarter: &str,
    answers: &[(String, Option<i64>, String)],
    measures: &[(&str, f64)],
) -> Result<String, sqlx::Error> {
    let mut tx = db.begin().await?;
    let id = new_id();
    execute!(
        &mut tx,
        "INSERT INTO benchmark_assessments (id, organisation_id, framework_id, status, quarter, started_by, submitted_by,
             created_at, submitted_at)
         VALUES ($1, $2, $3, 'submitted', $4, $5, $5, $6, $7)",
        &id,
        organisation_id,
        framework_id,
        quarter,
        by,
        at - chrono::Duration::days(12),
        at
    )?;
    for (question, level, evidence) in answers {
        execute!(
            &mut tx,
            "INSERT INTO benchmark_answers (assessment_id, question_id, level, evidence, answered_by, answered_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &id,
            question,
            level,
            evidence,
            by,
            at - chrono::Duration::days(3)
        )?;
    }
    for (key, value) in measures {
        execute!(
            &mut tx,
            "INSERT INTO benchmark_measures (assessment_id, key, value) VALUES ($1, $2, $3)",
            &id,
            key,
            value
        )?;
    }
    tx.commit().await?;
    Ok(id)
}

// ---- Editing the framework -----------------------------------------------------------------------------------

/// The draft organisers are editing, if any.
pub async fn draft_framework(db: &Db) -> Result<Option<FrameworkRow>, sqlx::Error> {
    fetch_optional!(
        db,
        FrameworkRow,
        "SELECT id, version, published_at FROM benchmark_frameworks WHERE status = 'draft'"
    )
}

/// Starts a draft as a copy of the latest published version (new ids, the same keys); gives its id, or the
/// draft already open; none when there is nothing to copy or the draft was published meanwhile.
pub async fn start_draft(db: &Db, now: DateTime<Utc>) -> Result<Option<String>, sqlx::Error> {
    let Some(from) = published(db).await? else { return Ok(None) };
    let mut tx = db.begin().await?;
    let id = new_id();
    let made = execute!(
        &mut tx,
        "INSERT INTO benchmark_frameworks (id, version, status, created_at) VALUES ($1, NULL, 'draft', $2)
         ON CONFLICT DO NOTHING",
        &id,
        now
    )?;
    if made == 0 {
        drop(tx);
        return Ok(draft_framework(db).await?.map(|d| d.id));
    }
    execute!(
        &mut tx,
        "INSERT INTO benchmark_dimensions (id, framework_id, key, name, position)
         SELECT $1 || '-' || key, $1, key, name, position FROM benchmark_dimensions WHERE framework_id = $2",
        &id,
        &from.id
    )?;
    execute!(
        &mut tx,
        "INSERT INTO benchmark_questions (id, dimension_id, key, text, levels, position)
         SELECT $1 || '-' || d.key || '-' || q.key, $1 || '-' || d.key, q.key, q.text, q.levels, q.position
         FROM benchmark_questions q JOIN benchmark_dimensions d ON d.id = q.dimension_id WHERE d.framework_id = $2",
        &id,
        &from.id
    )?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Holds the draft's row for the rest of the transaction, so organisers' edits and publishing happen one
/// after another (the four-to-six rule is counted inside them); false when no draft is open.
async fn hold_framework_draft(tx: &mut Tx) -> Result<bool, sqlx::Error> {
    Ok(execute!(&mut *tx, "UPDATE benchmark_frameworks SET status = status WHERE status = 'draft'")? > 0)
}

#[derive(sqlx::FromRow)]
struct Count {
    n: i64,
}

/// How many questions a dimension of the draft has.
async fn questions_in(tx: &mut Tx, dimension_id: &str) -> Result<usize, sqlx::Error> {
    let c = fetch_optional!(
        &mut *tx,
        Count,
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM benchmark_questions WHERE dimension_id = $1",
        dimension_id
    )?;
    Ok(c.map_or(0, |c| usize::try_from(c.n).unwrap_or(0)))
}

/// What an edit of the draft came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Edited {
    Done,
    NoDraft,
    /// The dimension would fall outside the number of questions allowed.
    OutOfRange,
}

const DRAFT_DIMENSION: &str = "SELECT d.id FROM benchmark_dimensions d
     JOIN benchmark_frameworks f ON f.id = d.framework_id WHERE f.status = 'draft'";

/// Renames a dimension of the draft.
pub async fn rename_dimension(db: &Db, dimension_id: &str, name: &str) -> Result<Edited, sqlx::Error> {
    let mut tx = db.begin().await?;
    if !hold_framework_draft(&mut tx).await? {
        return Ok(Edited::NoDraft);
    }
    let sql = format!("UPDATE benchmark_dimensions SET name = $2 WHERE id = $1 AND id IN ({DRAFT_DIMENSION})");
    execute!(&mut tx, sqlx::AssertSqlSafe(sql), dimension_id, name)?;
    tx.commit().await?;
    Ok(Edited::Done)
}

/// Changes a question of the draft (its text and five levels, as JSON).
pub async fn set_question(db: &Db, question_id: &str, text: &str, levels: &str) -> Result<Edited, sqlx::Error> {
    let mut tx = db.begin().await?;
    if !hold_framework_draft(&mut tx).await? {
        return Ok(Edited::NoDraft);
    }
    let sql = format!(
        "UPDATE benchmark_questions SET text = $2, levels = $3 WHERE id = $1 AND dimension_id IN ({DRAFT_DIMENSION})"
    );
    execute!(&mut tx, sqlx::AssertSqlSafe(sql), question_id, text, levels)?;
    tx.commit().await?;
    Ok(Edited::Done)
}

/// Adds a question at the end of a draft's dimension, under a new key, while it has fewer than `most`.
pub async fn add_question(
    db: &Db,
    dimension_id: &str,
    text: &str,
    levels: &str,
    most: usize,
) -> Result<Edited, sqlx::Error> {
    let mut tx = db.begin().await?;
    if !hold_framework_draft(&mut tx).await? {
        return Ok(Edited::NoDraft);
    }
    if questions_in(&mut tx, dimension_id).await? >= most {
        return Ok(Edited::OutOfRange);
    }
    let sql = format!(
        "INSERT INTO benchmark_questions (id, dimension_id, key, text, levels, position)
         SELECT $1, d.id, $3, $4, $5,
             COALESCE((SELECT MAX(position) + 1 FROM benchmark_questions WHERE dimension_id = d.id), 0)
         FROM benchmark_dimensions d WHERE d.id = $2 AND d.id IN ({DRAFT_DIMENSION})"
    );
    let key = format!("q-{}", &new_id()[..8]);
    execute!(&mut tx, sqlx::AssertSqlSafe(sql), new_id(), dimension_id, key, text, levels)?;
    tx.commit().await?;
    Ok(Edited::Done)
}

/// Removes a question of the draft, while its dimension keeps at least `least`.
pub async fn remove_question(
    db: &Db,
    dimension_id: &str,
    question_id: &str,
    least: usize,
) -> Result<Edited, sqlx::Error> {
    let mut tx = db.begin().await?;
    if !hold_framework_draft(&mut tx).await? {
        return Ok(Edited::NoDraft);
    }
    if questions_in(&mut tx, dimension_id).await? <= least {
        return Ok(Edited::OutOfRange);
    }
    let sql = format!(
        "DELETE FROM benchmark_questions WHERE id = $1 AND dimension_id = $2 AND dimension_id IN ({DRAFT_DIMENSION})"
    );
    execute!(&mut tx, sqlx::AssertSqlSafe(sql), question_id, dimension_id)?;
    tx.commit().await?;
    Ok(Edited::Done)
}

/// Publishes the draft as the next version when every dimension has `questions` questions; gives the version.
pub async fn publish(
    db: &Db,
    questions: std::ops::RangeInclusive<usize>,
    now: DateTime<Utc>,
) -> Result<Result<i64, Edited>, sqlx::Error> {
    let mut tx = db.begin().await?;
    if !hold_framework_draft(&mut tx).await? {
        return Ok(Err(Edited::NoDraft));
    }
    #[derive(sqlx::FromRow)]
    struct Counted {
        n: i64,
    }
    let counts = fetch_all!(
        &mut tx,
        Counted,
        "SELECT CAST(COUNT(q.id) AS BIGINT) AS n FROM benchmark_dimensions d
         JOIN benchmark_frameworks f ON f.id = d.framework_id
         LEFT JOIN benchmark_questions q ON q.dimension_id = d.id
         WHERE f.status = 'draft' GROUP BY d.id"
    )?;
    if counts.iter().any(|c| !questions.contains(&usize::try_from(c.n).unwrap_or(0))) {
        return Ok(Err(Edited::OutOfRange));
    }
    let next = fetch_optional!(
        &mut tx,
        Count,
        "SELECT CAST(COALESCE(MAX(version), 0) + 1 AS BIGINT) AS n FROM benchmark_frameworks"
    )?
    .map_or(1, |c| c.n);
    execute!(
        &mut tx,
        "UPDATE benchmark_frameworks SET status = 'published', version = $1, published_at = $2 WHERE status = 'draft'",
        next,
        now
    )?;
    tx.commit().await?;
    Ok(Ok(next))
}

pub async fn discard_draft(db: &Db) -> Result<u64, sqlx::Error> {
    execute!(db, "DELETE FROM benchmark_frameworks WHERE status = 'draft'")
}

/// Organisations with a submitted assessment since a moment, and drafts open: counts only, for the organisers'
/// overview.
pub async fn counts(db: &Db, since: DateTime<Utc>) -> Result<(i64, i64), sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Counts {
        submitted: i64,
        drafts: i64,
    }
    let c = fetch_optional!(
        db,
        Counts,
        "SELECT CAST((SELECT COUNT(DISTINCT organisation_id) FROM benchmark_assessments
                      WHERE status = 'submitted' AND submitted_at >= $1) AS BIGINT) AS submitted,
                CAST((SELECT COUNT(*) FROM benchmark_assessments WHERE status = 'draft') AS BIGINT) AS drafts",
        since
    )?;
    Ok(c.map_or((0, 0), |c| (c.submitted, c.drafts)))
}
