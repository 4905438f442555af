//! All the awards' SQL.

use chrono::{DateTime, Utc};

use super::model::{Category, Criterion, Programme};
use super::service::{CategoryInput, ProgrammeInput};
use crate::db::{Db, new_id};
use crate::web::forms::slugify;
use crate::{execute, fetch_all, fetch_optional};

const PROGRAMME: &str = "SELECT id, slug, name, year, description, entries_open_at, entries_close_at, judging_opens_at,
        judging_closes_at, shortlist_at, winners_at, shortlist_published_at, winners_published_at
     FROM award_programmes";

/// Every programme, the latest year first.
pub async fn programmes(db: &Db) -> Result<Vec<Programme>, sqlx::Error> {
    let sql = format!("{PROGRAMME} ORDER BY year DESC, created_at DESC");
    fetch_all!(db, Programme, sqlx::AssertSqlSafe(sql))
}

pub async fn programme(db: &Db, id: &str) -> Result<Option<Programme>, sqlx::Error> {
    let sql = format!("{PROGRAMME} WHERE id = $1");
    fetch_optional!(db, Programme, sqlx::AssertSqlSafe(sql), id)
}

pub async fn programme_by_slug(db: &Db, slug: &str) -> Result<Option<Programme>, sqlx::Error> {
    let sql = format!("{PROGRAMME} WHERE slug = $1");
    fetch_optional!(db, Programme, sqlx::AssertSqlSafe(sql), slug)
}

/// Slugs the awards' own pages use under `/awards/`.
const RESERVED: [&str; 4] = ["entries", "judging", "judges", "confirm"];

/// The first of `base`, `base-2`, `base-3`, ... that is not taken nor reserved.
fn next_free(base: &str, taken: &[String]) -> String {
    (1..)
        .map(|n| if n == 1 { base.to_string() } else { format!("{base}-{n}") })
        .find(|s| !taken.contains(s) && !RESERVED.contains(&s.as_str()))
        .unwrap_or_else(|| base.to_string())
}

#[derive(sqlx::FromRow)]
struct Slug {
    slug: String,
}

async fn programme_slugs(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    Ok(fetch_all!(db, Slug, "SELECT slug FROM award_programmes")?.into_iter().map(|s| s.slug).collect())
}

/// How often an insert tries the next free slug when another took it in the same moment.
const SLUG_TRIES: usize = 5;

pub async fn insert_programme(db: &Db, p: &ProgrammeInput, now: DateTime<Utc>) -> Result<String, sqlx::Error> {
    let id = new_id();
    let mut tries = 0;
    loop {
        let slug = next_free(&slugify(&p.name), &programme_slugs(db).await?);
        let made = execute!(
            db,
            "INSERT INTO award_programmes (id, slug, name, year, description, entries_open_at, entries_close_at,
                 judging_opens_at, judging_closes_at, shortlist_at, winners_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &id,
            slug,
            &p.name,
            p.year,
            &p.description,
            p.entries_open_at,
            p.entries_close_at,
            p.judging_opens_at,
            p.judging_closes_at,
            p.shortlist_at,
            p.winners_at,
            now
        );
        match made {
            Err(e) if crate::db::is_unique_violation(&e) && tries < SLUG_TRIES => tries += 1,
            other => return other.map(|_| id),
        }
    }
}

pub async fn update_programme(db: &Db, id: &str, p: &ProgrammeInput) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE award_programmes SET name = $2, year = $3, description = $4, entries_open_at = $5,
             entries_close_at = $6, judging_opens_at = $7, judging_closes_at = $8, shortlist_at = $9, winners_at = $10
         WHERE id = $1",
        id,
        &p.name,
        p.year,
        &p.description,
        p.entries_open_at,
        p.entries_close_at,
        p.judging_opens_at,
        p.judging_closes_at,
        p.shortlist_at,
        p.winners_at
    )
}

const CATEGORY: &str = "SELECT id, programme_id, slug, name, description, open_to, scale_max, disagreement, guidance,
        judges_per_entry, checklist
     FROM award_categories";

pub async fn categories(db: &Db, programme_id: &str) -> Result<Vec<Category>, sqlx::Error> {
    let sql = format!("{CATEGORY} WHERE programme_id = $1 ORDER BY position, name");
    fetch_all!(db, Category, sqlx::AssertSqlSafe(sql), programme_id)
}

pub async fn category(db: &Db, id: &str) -> Result<Option<Category>, sqlx::Error> {
    let sql = format!("{CATEGORY} WHERE id = $1");
    fetch_optional!(db, Category, sqlx::AssertSqlSafe(sql), id)
}

pub async fn criteria(db: &Db, category_id: &str) -> Result<Vec<Criterion>, sqlx::Error> {
    fetch_all!(
        db,
        Criterion,
        "SELECT id, name, weight, guidance FROM award_criteria WHERE category_id = $1
         ORDER BY position",
        category_id
    )
}

/// Adds a category with its criteria at the end of a programme's.
pub async fn insert_category(db: &Db, programme_id: &str, c: &CategoryInput) -> Result<String, sqlx::Error> {
    let mut tries = 0;
    loop {
        match try_category(db, programme_id, c).await {
            Err(e) if crate::db::is_unique_violation(&e) && tries < SLUG_TRIES => tries += 1,
            other => return other,
        }
    }
}

async fn try_category(db: &Db, programme_id: &str, c: &CategoryInput) -> Result<String, sqlx::Error> {
    let taken: Vec<String> = categories(db, programme_id).await?.into_iter().map(|c| c.slug).collect();
    let slug = next_free(&slugify(&c.name), &taken);
    let mut tx = db.begin().await?;
    let id = new_id();
    execute!(
        &mut tx,
        "INSERT INTO award_categories (id, programme_id, slug, name, description, open_to, scale_max, disagreement,
             guidance, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
             (SELECT COALESCE(MAX(position) + 1, 0) FROM award_categories WHERE programme_id = $2))",
        &id,
        programme_id,
        slug,
        &c.name,
        &c.description,
        c.open_to.key(),
        c.scale_max,
        c.disagreement,
        &c.guidance
    )?;
    for (i, (name, weight, guidance)) in c.criteria.iter().enumerate() {
        execute!(
            &mut tx,
            "INSERT INTO award_criteria (id, category_id, name, weight, guidance, position) VALUES ($1, $2, $3, $4, $5, $6)",
            new_id(),
            &id,
            name,
            weight,
            guidance,
            i as i64
        )?;
    }
    tx.commit().await?;
    Ok(id)
}

// ---- Entries ---------------------------------------------------------------------------------------------------

use super::model::{Entry, EntryStatus, Outcome};
use super::service::EntryFields;
use crate::db::Tx;

/// An entry through the public form has no organisation of the network: its `organisation_id` reads empty and
/// its organisation is the one its entrant typed.
const ENTRY: &str = "SELECT e.id, e.category_id, COALESCE(e.organisation_id, '') AS organisation_id,
        COALESCE(o.name, pe.organisation, '') AS organisation_name,
        u.name AS author_name, e.status, e.title, e.team, e.context, e.what_was_done, e.benefits, e.links,
        e.returned_reason, e.created_at, e.updated_at, e.submitted_at
     FROM award_entries e LEFT JOIN organisations o ON o.id = e.organisation_id
     LEFT JOIN award_public_entrants pe ON pe.entry_id = e.id LEFT JOIN users u ON u.id = e.author_id";

pub async fn entry(db: &Db, id: &str) -> Result<Option<Entry>, sqlx::Error> {
    let sql = format!("{ENTRY} WHERE e.id = $1");
    fetch_optional!(db, Entry, sqlx::AssertSqlSafe(sql), id)
}

/// An organisation's entries, the newest first.
pub async fn entries_of(db: &Db, organisation_id: &str) -> Result<Vec<Entry>, sqlx::Error> {
    let sql = format!("{ENTRY} WHERE e.organisation_id = $1 ORDER BY e.created_at DESC");
    fetch_all!(db, Entry, sqlx::AssertSqlSafe(sql), organisation_id)
}

/// A category's entries as organisers see them: submitted and returned ones (a draft is its organisation's
/// until it is submitted).
pub async fn entries_in(db: &Db, category_id: &str) -> Result<Vec<Entry>, sqlx::Error> {
    let sql = format!(
        "{ENTRY} WHERE e.category_id = $1 AND e.status IN ('submitted', 'returned') ORDER BY COALESCE(o.name, pe.organisation), e.title"
    );
    fetch_all!(db, Entry, sqlx::AssertSqlSafe(sql), category_id)
}

pub async fn outcomes(db: &Db, entry_id: &str) -> Result<Vec<Outcome>, sqlx::Error> {
    fetch_all!(
        db,
        Outcome,
        "SELECT measure, baseline, result, unit FROM award_outcomes WHERE entry_id = $1 ORDER BY position",
        entry_id
    )
}

async fn write_outcomes(tx: &mut Tx, entry_id: &str, outcomes: &[Outcome]) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "DELETE FROM award_outcomes WHERE entry_id = $1", entry_id)?;
    for (i, o) in outcomes.iter().enumerate() {
        execute!(
            &mut *tx,
            "INSERT INTO award_outcomes (entry_id, position, measure, baseline, result, unit) VALUES ($1, $2, $3, $4, $5, $6)",
            entry_id,
            i as i64,
            &o.measure,
            &o.baseline,
            &o.result,
            &o.unit
        )?;
    }
    Ok(())
}

/// A new draft entry.
pub async fn insert_entry(
    db: &Db,
    category_id: &str,
    organisation_id: &str,
    author_id: &str,
    f: &EntryFields,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let mut tx = db.begin().await?;
    let id = new_id();
    execute!(
        &mut tx,
        "INSERT INTO award_entries (id, category_id, organisation_id, author_id, status, title, team, context,
             what_was_done, benefits, links, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $11)",
        &id,
        category_id,
        organisation_id,
        author_id,
        &f.title,
        &f.team,
        &f.context,
        &f.what_was_done,
        &f.benefits,
        &f.links,
        now
    )?;
    write_outcomes(&mut tx, &id, &f.outcomes).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves an entry's text while it may still change (before `close`) and is still `as_read` (the status its
/// fields were checked for); false when the close has passed or a colleague changed its status meanwhile.
pub async fn save_entry(
    db: &Db,
    id: &str,
    f: &EntryFields,
    as_read: EntryStatus,
    close: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    if now >= close {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    let saved = execute!(
        &mut tx,
        "UPDATE award_entries SET title = $2, team = $3, context = $4, what_was_done = $5, benefits = $6, links = $7,
             updated_at = $8
         WHERE id = $1 AND status = $9 AND status <> 'withdrawn'",
        id,
        &f.title,
        &f.team,
        &f.context,
        &f.what_was_done,
        &f.benefits,
        &f.links,
        now,
        as_read.key()
    )?;
    if saved == 0 {
        return Ok(false);
    }
    write_outcomes(&mut tx, id, &f.outcomes).await?;
    tx.commit().await?;
    Ok(true)
}

/// Moves an entry from one of `from` to `to`; false when it was not in one of them.
pub async fn set_entry_status(
    db: &Db,
    id: &str,
    from: &[EntryStatus],
    to: EntryStatus,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let keys: Vec<&str> = from.iter().map(|s| s.key()).collect();
    let placeholders = (0..keys.len()).map(|i| format!("${}", i + 4)).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "UPDATE award_entries SET status = $2, updated_at = $3,
             submitted_at = CASE WHEN $2 = 'submitted' THEN $3 ELSE submitted_at END
         WHERE id = $1 AND status IN ({placeholders})"
    );
    let done = crate::on_engine!(db, |e| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .persistent(crate::db::keep_prepared())
            .bind(id)
            .bind(to.key())
            .bind(now);
        for k in &keys {
            q = q.bind(*k);
        }
        q.execute(e).await.map(|r| r.rows_affected())
    })?;
    Ok(done > 0)
}

/// Holds an entry's row for the rest of the transaction: a colleague's save waits for a submission, and the
/// other way round.
pub async fn hold_entry(tx: &mut Tx, id: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "UPDATE award_entries SET status = status WHERE id = $1", id)?;
    Ok(())
}

/// An entry and its outcomes as they are inside a transaction that holds it.
pub async fn entry_held(tx: &mut Tx, id: &str) -> Result<Option<(Entry, Vec<Outcome>)>, sqlx::Error> {
    let sql = format!("{ENTRY} WHERE e.id = $1");
    let Some(entry) = fetch_optional!(&mut *tx, Entry, sqlx::AssertSqlSafe(sql), id)? else { return Ok(None) };
    let outcomes = fetch_all!(
        &mut *tx,
        Outcome,
        "SELECT measure, baseline, result, unit FROM award_outcomes WHERE entry_id = $1 ORDER BY position",
        id
    )?;
    Ok(Some((entry, outcomes)))
}

/// Marks a held draft (or returned entry) submitted, clearing an earlier return's reason; false otherwise.
pub async fn mark_submitted(tx: &mut Tx, id: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    Ok(execute!(
        &mut *tx,
        "UPDATE award_entries SET status = 'submitted', submitted_at = $2, updated_at = $2, returned_reason = ''
         WHERE id = $1 AND status IN ('draft', 'returned')",
        id,
        now
    )? > 0)
}

/// Organisers return a submitted entry with a reason.
pub async fn return_entry(tx: &mut Tx, id: &str, reason: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    Ok(execute!(
        &mut *tx,
        "UPDATE award_entries SET status = 'returned', returned_reason = $2, updated_at = $3
         WHERE id = $1 AND status = 'submitted'",
        id,
        reason,
        now
    )? > 0)
}

#[derive(sqlx::FromRow)]
struct Entrant {
    email: String,
    name: String,
}

/// Who may work on an organisation's entries now (`policy::can_enter_awards_for` as a query): its members and
/// moderators within their term, in the members' area.
pub async fn entrants(
    tx: &mut Tx,
    organisation_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let sql = format!(
        "SELECT users.email, users.name FROM users WHERE users.organisation_id = $1
             AND users.role IN ('member', 'moderator')
             AND (users.membership_ends_at IS NULL OR users.membership_ends_at > $2) AND {}",
        crate::auth::policy::members_area_sql("users", "$2")
    );
    let rows = fetch_all!(&mut *tx, Entrant, sqlx::AssertSqlSafe(sql), organisation_id, now)?;
    Ok(rows.into_iter().map(|r| (r.email, r.name)).collect())
}

/// The entries a person started, for their data export.
pub async fn entries_by(db: &Db, user_id: &str) -> Result<Vec<Entry>, sqlx::Error> {
    let sql = format!("{ENTRY} WHERE e.author_id = $1 ORDER BY e.created_at");
    fetch_all!(db, Entry, sqlx::AssertSqlSafe(sql), user_id)
}

/// Erasure: an entry stays with its organisation, its author gone; a judge's reviews, scores and remarks stay
/// with the entry (the account row reads "Former member"), as do their conflicts without their notes; their
/// assignments go, and what they decided as an organiser no longer names them.
pub async fn erase(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    for sql in [
        "UPDATE award_entries SET author_id = NULL WHERE author_id = $1",
        "DELETE FROM award_judges WHERE user_id = $1",
        // Their conflicts stay (without their words), so their scores still count only where they may.
        "UPDATE award_conflicts SET note = '' WHERE user_id = $1",
        "UPDATE award_conflicts SET decided_by = NULL WHERE decided_by = $1",
        "UPDATE award_results SET decided_by = NULL WHERE decided_by = $1",
        "UPDATE award_eligibility SET checked_by = NULL WHERE checked_by = $1",
        "UPDATE award_judge_invitations SET invited_by = NULL WHERE invited_by = $1",
    ] {
        execute!(&mut *tx, sql, user_id)?;
    }
    Ok(())
}

// ---- Judging ---------------------------------------------------------------------------------------------------

use super::model::{Assignment, Award, Conflict, Decision, Invitation, Remark, Review, Score};

/// The judges' side of a category: how many judges each entry should have, and the eligibility checklist.
pub async fn set_judging(
    db: &Db,
    category_id: &str,
    judges_per_entry: i64,
    checklist: &str,
) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE award_categories SET judges_per_entry = $2, checklist = $3 WHERE id = $1",
        category_id,
        judges_per_entry,
        checklist
    )
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_invitation(
    tx: &mut Tx,
    category_id: &str,
    entry_id: Option<&str>,
    email: &str,
    token_hash: &str,
    invited_by: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        &mut *tx,
        "INSERT INTO award_judge_invitations (id, category_id, entry_id, email, token_hash, invited_by, created_at,
             expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        new_id(),
        category_id,
        entry_id,
        email,
        token_hash,
        invited_by,
        now,
        expires_at
    )?;
    Ok(())
}

pub async fn invitation_by_hash(db: &Db, token_hash: &str) -> Result<Option<Invitation>, sqlx::Error> {
    fetch_optional!(
        db,
        Invitation,
        "SELECT id, category_id, entry_id, email, expires_at, accepted_at FROM award_judge_invitations
         WHERE token_hash = $1",
        token_hash
    )
}

/// Claims an invitation; false when another click used it first.
pub async fn accept_invitation(tx: &mut Tx, id: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    Ok(execute!(
        &mut *tx,
        "UPDATE award_judge_invitations SET accepted_at = $2 WHERE id = $1 AND accepted_at IS NULL",
        id,
        now
    )? > 0)
}

/// Invitations sent and not yet used, for the organisers' page.
pub async fn open_invitations(db: &Db, category_id: &str, now: DateTime<Utc>) -> Result<Vec<Invitation>, sqlx::Error> {
    fetch_all!(
        db,
        Invitation,
        "SELECT id, category_id, entry_id, email, expires_at, accepted_at FROM award_judge_invitations
         WHERE category_id = $1 AND accepted_at IS NULL AND expires_at > $2 ORDER BY created_at",
        category_id,
        now
    )
}

/// Assigns a judge to a whole category (`entry` none) or to one entry of it; false when they already were.
pub async fn assign<'c>(
    conn: impl Into<crate::db::Conn<'c>>,
    category_id: &str,
    entry_id: Option<&str>,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    Ok(execute!(
        conn.into(),
        "INSERT INTO award_judges (id, category_id, entry_id, user_id, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING",
        new_id(),
        category_id,
        entry_id,
        user_id,
        now
    )? > 0)
}

pub async fn unassign(db: &Db, assignment_id: &str, category_id: &str) -> Result<u64, sqlx::Error> {
    execute!(db, "DELETE FROM award_judges WHERE id = $1 AND category_id = $2", assignment_id, category_id)
}

const ASSIGNMENT: &str = "SELECT a.id, a.category_id, a.entry_id, a.user_id, u.name AS judge_name, u.role AS judge_role
     FROM award_judges a JOIN users u ON u.id = a.user_id";

/// A category's judges, the whole category's and single entries'.
pub async fn assignments_in(db: &Db, category_id: &str) -> Result<Vec<Assignment>, sqlx::Error> {
    let sql = format!("{ASSIGNMENT} WHERE a.category_id = $1 ORDER BY u.name, a.entry_id");
    fetch_all!(db, Assignment, sqlx::AssertSqlSafe(sql), category_id)
}

/// What a person is assigned to judge.
pub async fn assignments_of(db: &Db, user_id: &str) -> Result<Vec<Assignment>, sqlx::Error> {
    let sql = format!("{ASSIGNMENT} WHERE a.user_id = $1 ORDER BY a.created_at");
    fetch_all!(db, Assignment, sqlx::AssertSqlSafe(sql), user_id)
}

/// Whether a person is assigned to an entry: to its category, or to it alone.
pub async fn is_assigned(db: &Db, entry: &Entry, user_id: &str) -> Result<bool, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Found {
        #[allow(dead_code)]
        id: String,
    }
    Ok(fetch_optional!(
        db,
        Found,
        "SELECT id FROM award_judges WHERE category_id = $1 AND user_id = $2 AND (entry_id IS NULL OR entry_id = $3)",
        &entry.category_id,
        user_id,
        &entry.id
    )?
    .is_some())
}

const CONFLICT: &str = "SELECT c.entry_id, c.user_id, u.name AS person_name, c.state, c.kind, c.note, c.created_at
     FROM award_conflicts c JOIN users u ON u.id = c.user_id";

/// The conflicts people decided on one entry.
pub async fn conflicts_on(db: &Db, entry_id: &str) -> Result<Vec<Conflict>, sqlx::Error> {
    let sql = format!("{CONFLICT} WHERE c.entry_id = $1");
    fetch_all!(db, Conflict, sqlx::AssertSqlSafe(sql), entry_id)
}

/// The conflicts decided for one person.
pub async fn conflicts_of(db: &Db, user_id: &str) -> Result<Vec<Conflict>, sqlx::Error> {
    let sql = format!("{CONFLICT} WHERE c.user_id = $1");
    fetch_all!(db, Conflict, sqlx::AssertSqlSafe(sql), user_id)
}

/// A judge declares a conflict; a pinned one stays as the organiser pinned it.
pub async fn declare_conflict(
    db: &Db,
    entry_id: &str,
    user_id: &str,
    kind: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "INSERT INTO award_conflicts (entry_id, user_id, state, kind, note, decided_by, created_at)
         VALUES ($1, $2, 'declared', $3, $4, $2, $5)
         ON CONFLICT (entry_id, user_id) DO UPDATE SET state = 'declared', kind = excluded.kind, note = excluded.note,
             decided_by = excluded.decided_by, created_at = excluded.created_at
         WHERE award_conflicts.state <> 'pinned'",
        entry_id,
        user_id,
        kind,
        note,
        now
    )?;
    Ok(())
}

/// A judge takes back a conflict they declared (never a pinned one).
pub async fn withdraw_conflict(db: &Db, entry_id: &str, user_id: &str) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "DELETE FROM award_conflicts WHERE entry_id = $1 AND user_id = $2 AND state = 'declared'",
        entry_id,
        user_id
    )
}

/// An organiser pins a conflict (`pinned`), dismisses a proposal (`dismissed`), or clears their decision
/// (`None`).
pub async fn decide_conflict(
    db: &Db,
    entry_id: &str,
    user_id: &str,
    decision: Option<(&str, &str, &str)>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    match decision {
        None => {
            execute!(
                db,
                "DELETE FROM award_conflicts WHERE entry_id = $1 AND user_id = $2 AND state <> 'declared'",
                entry_id,
                user_id
            )?;
        }
        Some((state, kind, note)) => {
            // A pin stands over anything; a dismissal never over what the judge declared.
            execute!(
                db,
                "INSERT INTO award_conflicts (entry_id, user_id, state, kind, note, decided_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (entry_id, user_id) DO UPDATE SET state = excluded.state, kind = excluded.kind,
                     note = excluded.note, decided_by = excluded.decided_by, created_at = excluded.created_at
                 WHERE excluded.state = 'pinned' OR award_conflicts.state <> 'declared'",
                entry_id,
                user_id,
                state,
                kind,
                note,
                by,
                now
            )?;
        }
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Id {
    id: String,
}

/// The organisations a person was approved at, from their membership history (joining and employer changes).
pub async fn organisations_in_history(db: &Db, user_id: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows = fetch_all!(
        db,
        Id,
        "SELECT DISTINCT organisation_id AS id FROM applications
         WHERE user_id = $1 AND status = 'approved' AND organisation_id IS NOT NULL",
        user_id
    )?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// The groups a person coordinates.
pub async fn coordinated_groups(db: &Db, user_id: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows = fetch_all!(
        db,
        Id,
        "SELECT group_id AS id FROM group_members WHERE user_id = $1 AND role = 'coordinator' AND status = 'active'",
        user_id
    )?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// The person who started an entry, if they are still there.
pub async fn author_of(db: &Db, entry_id: &str) -> Result<Option<String>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Author {
        author_id: Option<String>,
    }
    Ok(fetch_optional!(db, Author, "SELECT author_id FROM award_entries WHERE id = $1", entry_id)?
        .and_then(|a| a.author_id))
}

const REVIEW: &str =
    "SELECT r.entry_id, r.user_id, u.name AS judge_name, r.abstained, r.reason, r.comment, r.submitted_at
     FROM award_reviews r JOIN users u ON u.id = r.user_id";

/// The reviews of one entry, the oldest first.
pub async fn reviews_of(db: &Db, entry_id: &str) -> Result<Vec<Review>, sqlx::Error> {
    let sql = format!("{REVIEW} WHERE r.entry_id = $1 ORDER BY r.submitted_at");
    fetch_all!(db, Review, sqlx::AssertSqlSafe(sql), entry_id)
}

/// Every review in a category, for its ranking.
pub async fn reviews_in(db: &Db, category_id: &str) -> Result<Vec<Review>, sqlx::Error> {
    let sql = format!(
        "{REVIEW} JOIN award_entries e ON e.id = r.entry_id WHERE e.category_id = $1 AND e.status = 'submitted'
         ORDER BY r.submitted_at"
    );
    fetch_all!(db, Review, sqlx::AssertSqlSafe(sql), category_id)
}

/// The scores in a category (or of one entry), by entry and judge.
pub async fn scores_in(db: &Db, category_id: &str) -> Result<Vec<Score>, sqlx::Error> {
    fetch_all!(
        db,
        Score,
        "SELECT s.entry_id, s.user_id, s.criterion_id, s.score FROM award_scores s
         JOIN award_entries e ON e.id = s.entry_id WHERE e.category_id = $1",
        category_id
    )
}

/// The scores a person gave, for their data export.
pub async fn scores_by(db: &Db, user_id: &str) -> Result<Vec<Score>, sqlx::Error> {
    fetch_all!(db, Score, "SELECT entry_id, user_id, criterion_id, score FROM award_scores WHERE user_id = $1", user_id)
}

/// The scores given on one entry.
pub async fn scores_of(db: &Db, entry_id: &str) -> Result<Vec<Score>, sqlx::Error> {
    fetch_all!(
        db,
        Score,
        "SELECT entry_id, user_id, criterion_id, score FROM award_scores WHERE entry_id = $1",
        entry_id
    )
}

pub async fn reviews_by(db: &Db, user_id: &str) -> Result<Vec<Review>, sqlx::Error> {
    let sql = format!("{REVIEW} WHERE r.user_id = $1 ORDER BY r.submitted_at");
    fetch_all!(db, Review, sqlx::AssertSqlSafe(sql), user_id)
}

/// Writes a judge's review, replacing their earlier one: scores per criterion with a comment, or an abstention.
pub async fn save_review(
    db: &Db,
    entry_id: &str,
    user_id: &str,
    review: &super::service::ReviewInput,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    // Two saves of one entry's reviews at once wait for each other rather than both inserting.
    hold_entry(&mut tx, entry_id).await?;
    execute!(&mut tx, "DELETE FROM award_reviews WHERE entry_id = $1 AND user_id = $2", entry_id, user_id)?;
    let (abstained, reason, comment) = match review {
        super::service::ReviewInput::Scored { comment, .. } => (false, "", comment.as_str()),
        super::service::ReviewInput::Abstained { reason } => (true, reason.as_str(), ""),
    };
    execute!(
        &mut tx,
        "INSERT INTO award_reviews (entry_id, user_id, abstained, reason, comment, submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        entry_id,
        user_id,
        abstained,
        reason,
        comment,
        now
    )?;
    if let super::service::ReviewInput::Scored { scores, .. } = review {
        for (criterion, score) in scores {
            execute!(
                &mut tx,
                "INSERT INTO award_scores (entry_id, user_id, criterion_id, score) VALUES ($1, $2, $3, $4)",
                entry_id,
                user_id,
                criterion,
                score
            )?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The discussion of an entry, the oldest first.
pub async fn remarks(db: &Db, entry_id: &str) -> Result<Vec<Remark>, sqlx::Error> {
    fetch_all!(
        db,
        Remark,
        "SELECT d.entry_id, COALESCE(u.name, 'Former member') AS author_name, d.body, d.created_at
         FROM award_discussion d LEFT JOIN users u ON u.id = d.user_id WHERE d.entry_id = $1 ORDER BY d.created_at, d.id",
        entry_id
    )
}

/// What a person said in discussions, for their data export.
pub async fn remarks_by(db: &Db, user_id: &str) -> Result<Vec<Remark>, sqlx::Error> {
    fetch_all!(
        db,
        Remark,
        "SELECT d.entry_id, u.name AS author_name, d.body, d.created_at
         FROM award_discussion d JOIN users u ON u.id = d.user_id WHERE d.user_id = $1 ORDER BY d.created_at, d.id",
        user_id
    )
}

pub async fn insert_remark(
    db: &Db,
    entry_id: &str,
    user_id: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "INSERT INTO award_discussion (id, entry_id, user_id, body, created_at) VALUES ($1, $2, $3, $4, $5)",
        new_id(),
        entry_id,
        user_id,
        body,
        now
    )?;
    Ok(())
}

/// The eligibility items ticked for an entry, by their text.
pub async fn eligibility(db: &Db, entry_id: &str) -> Result<Vec<String>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Item {
        item: String,
    }
    Ok(fetch_all!(db, Item, "SELECT item FROM award_eligibility WHERE entry_id = $1 ORDER BY item", entry_id)?
        .into_iter()
        .map(|i| i.item)
        .collect())
}

pub async fn set_eligibility(
    db: &Db,
    entry_id: &str,
    items: &[&str],
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    hold_entry(&mut tx, entry_id).await?;
    execute!(&mut tx, "DELETE FROM award_eligibility WHERE entry_id = $1", entry_id)?;
    for item in items {
        execute!(
            &mut tx,
            "INSERT INTO award_eligibility (entry_id, item, checked_by, checked_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
            entry_id,
            item,
            by,
            now
        )?;
    }
    tx.commit().await?;
    Ok(())
}

const RESULT: &str = "SELECT r.entry_id, r.shortlisted, r.award, r.citation, r.case_study_id, r.meeting_id
     FROM award_results r";

/// Holds a programme's row for the rest of the transaction, and reads it as it is: a decision and a
/// publishing of the same programme never cross.
pub async fn hold_programme(tx: &mut Tx, id: &str) -> Result<Option<Programme>, sqlx::Error> {
    execute!(&mut *tx, "UPDATE award_programmes SET id = id WHERE id = $1", id)?;
    let sql = format!("{PROGRAMME} WHERE id = $1");
    fetch_optional!(&mut *tx, Programme, sqlx::AssertSqlSafe(sql), id)
}

/// A programme's decisions inside a transaction that holds it.
pub async fn results_held(tx: &mut Tx, programme_id: &str) -> Result<Vec<Decision>, sqlx::Error> {
    let sql = format!(
        "{RESULT} JOIN award_entries e ON e.id = r.entry_id JOIN award_categories c ON c.id = e.category_id
         WHERE c.programme_id = $1 AND e.status = 'submitted'"
    );
    fetch_all!(&mut *tx, Decision, sqlx::AssertSqlSafe(sql), programme_id)
}

pub async fn results_in(db: &Db, programme_id: &str) -> Result<Vec<Decision>, sqlx::Error> {
    let sql = format!(
        "{RESULT} JOIN award_entries e ON e.id = r.entry_id JOIN award_categories c ON c.id = e.category_id
         WHERE c.programme_id = $1 AND e.status = 'submitted'"
    );
    fetch_all!(db, Decision, sqlx::AssertSqlSafe(sql), programme_id)
}

/// Records what organisers decided of an entry.
pub async fn set_result<'c>(
    conn: impl Into<crate::db::Conn<'c>>,
    r: &Decision,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        conn.into(),
        "INSERT INTO award_results (entry_id, shortlisted, award, citation, case_study_id, meeting_id, decided_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (entry_id) DO UPDATE SET shortlisted = excluded.shortlisted, award = excluded.award,
             citation = excluded.citation, case_study_id = excluded.case_study_id, meeting_id = excluded.meeting_id,
             decided_by = excluded.decided_by, updated_at = excluded.updated_at",
        &r.entry_id,
        r.shortlisted,
        r.award.map(Award::key),
        &r.citation,
        &r.case_study_id,
        &r.meeting_id,
        by,
        now
    )?;
    Ok(())
}

/// Marks the shortlist or the winners published, once: false when it already was.
pub async fn mark_published(
    tx: &mut Tx,
    programme_id: &str,
    winners: bool,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let sql = if winners {
        "UPDATE award_programmes SET winners_published_at = $2
         WHERE id = $1 AND winners_published_at IS NULL AND shortlist_published_at IS NOT NULL"
    } else {
        "UPDATE award_programmes SET shortlist_published_at = $2 WHERE id = $1 AND shortlist_published_at IS NULL"
    };
    Ok(execute!(&mut *tx, sql, programme_id, now)? > 0)
}

/// The submitted entries of a programme with their organisers' decisions, for publishing (inside its
/// transaction).
pub async fn submitted_in(tx: &mut Tx, programme_id: &str) -> Result<Vec<Entry>, sqlx::Error> {
    let sql = format!(
        "{ENTRY} JOIN award_categories c ON c.id = e.category_id WHERE c.programme_id = $1 AND e.status = 'submitted'
         ORDER BY c.position, e.title"
    );
    fetch_all!(&mut *tx, Entry, sqlx::AssertSqlSafe(sql), programme_id)
}

/// Erasure by address: invitations to judge go; an entry sent through a public form stays, its entrant's
/// name and address gone. (A judge's reviews and remarks stay with the entry under "Former member", as the
/// account row is.)
pub async fn erase_addressed(tx: &mut Tx, email: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "DELETE FROM award_judge_invitations WHERE email = $1", email)?;
    execute!(&mut *tx, "UPDATE award_public_entrants SET name = 'Former entrant', email = '' WHERE email = $1", email)?;
    Ok(())
}

// ---- The public form -----------------------------------------------------------------------------------------

/// An entry through a category's public form: a draft with no organisation of the network, its entrant beside
/// it with the hash of the link that confirms their address.
pub async fn insert_public_entry(
    tx: &mut Tx,
    category_id: &str,
    entrant: &super::service::PublicEntrant,
    f: &EntryFields,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    execute!(
        &mut *tx,
        "INSERT INTO award_entries (id, category_id, organisation_id, author_id, status, title, team, context,
             what_was_done, benefits, links, created_at, updated_at)
         VALUES ($1, $2, NULL, NULL, 'draft', $3, $4, $5, $6, $7, $8, $9, $9)",
        &id,
        category_id,
        &f.title,
        &f.team,
        &f.context,
        &f.what_was_done,
        &f.benefits,
        &f.links,
        now
    )?;
    write_outcomes(tx, &id, &f.outcomes).await?;
    execute!(
        &mut *tx,
        "INSERT INTO award_public_entrants (entry_id, name, email, organisation, token_hash)
         VALUES ($1, $2, $3, $4, $5)",
        &id,
        &entrant.name,
        &entrant.email,
        &entrant.organisation,
        token_hash
    )?;
    Ok(id)
}

/// Entries through the public form whose address was never confirmed in time go, with what their entrant
/// typed.
pub async fn purge_unconfirmed(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "DELETE FROM award_entries WHERE id IN (SELECT p.entry_id FROM award_public_entrants p
             JOIN award_entries e ON e.id = p.entry_id JOIN award_categories c ON c.id = e.category_id
             JOIN award_programmes g ON g.id = c.programme_id
             WHERE p.confirmed_at IS NULL AND g.entries_close_at < $1)",
        now
    )
}

/// The name and address of an entry's public entrant, for the organisers.
pub async fn public_entrant_of(db: &Db, entry_id: &str) -> Result<Option<(String, String)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Public {
        name: String,
        email: String,
    }
    Ok(fetch_optional!(db, Public, "SELECT name, email FROM award_public_entrants WHERE entry_id = $1", entry_id)?
        .map(|p| (p.name, p.email)))
}

#[derive(sqlx::FromRow)]
pub struct PublicEntrantRow {
    pub entry_id: String,
    pub name: String,
    pub email: String,
    pub confirmed_at: Option<DateTime<Utc>>,
}

pub async fn public_entrant_by_hash(db: &Db, token_hash: &str) -> Result<Option<PublicEntrantRow>, sqlx::Error> {
    fetch_optional!(
        db,
        PublicEntrantRow,
        "SELECT entry_id, name, email, confirmed_at FROM award_public_entrants WHERE token_hash = $1",
        token_hash
    )
}

/// Marks a public entrant's address confirmed; false when another click did first.
pub async fn confirm_public_entrant(tx: &mut Tx, entry_id: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    Ok(execute!(
        &mut *tx,
        "UPDATE award_public_entrants SET confirmed_at = $2 WHERE entry_id = $1 AND confirmed_at IS NULL",
        entry_id,
        now
    )? > 0)
}

/// The account whose address entered an entry through the public form, if there is one.
pub async fn public_entrant_account(db: &Db, entry_id: &str) -> Result<Option<String>, sqlx::Error> {
    Ok(fetch_optional!(
        db,
        Id,
        "SELECT u.id FROM award_public_entrants p JOIN users u ON u.email = p.email
         WHERE p.entry_id = $1 AND p.email <> ''",
        entry_id
    )?
    .map(|r| r.id))
}

/// Who hears about an entry: its organisation's current members, or the public entrant who confirmed it.
pub async fn entry_entrants(
    tx: &mut Tx,
    entry: &Entry,
    now: DateTime<Utc>,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    if !entry.organisation_id.is_empty() {
        return entrants(tx, &entry.organisation_id, now).await;
    }
    #[derive(sqlx::FromRow)]
    struct Public {
        email: String,
        name: String,
    }
    Ok(fetch_all!(
        &mut *tx,
        Public,
        "SELECT email, name FROM award_public_entrants WHERE entry_id = $1 AND confirmed_at IS NOT NULL AND email <> ''",
        &entry.id
    )?
    .into_iter()
    .map(|p| (p.email, p.name))
    .collect())
}

/// The entries a person sent through a public form under their address, for their data export.
pub async fn public_entries_of(db: &Db, email: &str) -> Result<Vec<String>, sqlx::Error> {
    Ok(fetch_all!(db, Id, "SELECT entry_id AS id FROM award_public_entrants WHERE email = $1", email)?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

// ---- Supporting files and evidence ------------------------------------------------------------------------------

pub async fn files_of(db: &Db, entry_id: &str) -> Result<Vec<super::supporting::AttachedFile>, sqlx::Error> {
    fetch_all!(
        db,
        super::supporting::AttachedFile,
        "SELECT file_id, label, file_size FROM award_files WHERE entry_id = $1 ORDER BY created_at",
        entry_id
    )
}

pub async fn attach_file(
    tx: &mut Tx,
    entry_id: &str,
    file_id: &str,
    label: &str,
    file_type: &str,
    file_size: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        &mut *tx,
        "INSERT INTO award_files (entry_id, file_id, label, file_type, file_size, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        entry_id,
        file_id,
        label,
        file_type,
        file_size,
        now
    )?;
    Ok(())
}

/// Removes a supporting file (its stored bytes with it).
pub async fn detach_file(db: &Db, entry_id: &str, file_id: &str) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin().await?;
    let gone = execute!(&mut tx, "DELETE FROM award_files WHERE entry_id = $1 AND file_id = $2", entry_id, file_id)?;
    if gone > 0 {
        execute!(&mut tx, "DELETE FROM files WHERE id = $1", file_id)?;
    }
    tx.commit().await?;
    Ok(gone)
}

/// The evidence attached to an entry, as it read when attached.
pub async fn attached_evidence(db: &Db, entry_id: &str) -> Result<Vec<super::supporting::Attached>, sqlx::Error> {
    fetch_all!(
        db,
        super::supporting::Attached,
        "SELECT kind, ref_id, label, detail, public_link FROM award_evidence WHERE entry_id = $1 ORDER BY created_at, kind",
        entry_id
    )
}

/// Saves which of the records `offered` to the person are attached (`chosen`), and takes off what they
/// untick of the rest (`taken_off`), keeping what others attached from records this person is not offered.
pub async fn set_evidence(
    db: &Db,
    entry_id: &str,
    offered: &[&crate::feature::Evidence],
    chosen: &[&crate::feature::Evidence],
    taken_off: &[(&str, &str)],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    hold_entry(&mut tx, entry_id).await?;
    let gone = offered.iter().map(|e| (e.kind, e.id.as_str())).chain(taken_off.iter().copied());
    for (kind, id) in gone {
        execute!(
            &mut tx,
            "DELETE FROM award_evidence WHERE entry_id = $1 AND kind = $2 AND ref_id = $3",
            entry_id,
            kind,
            id
        )?;
    }
    for e in chosen {
        execute!(
            &mut tx,
            "INSERT INTO award_evidence (entry_id, kind, ref_id, label, detail, public_link, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            entry_id,
            e.kind,
            &e.id,
            &e.label,
            &e.detail,
            &e.public_link,
            now
        )?;
    }
    tx.commit().await?;
    Ok(())
}
