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

/// A slug from the name, made unique with a number when taken.
async fn free_slug(db: &Db, name: &str) -> Result<String, sqlx::Error> {
    let base = match slugify(name) {
        s if s.is_empty() => "programme".to_string(),
        s => s,
    };
    for n in 1.. {
        let slug = if n == 1 { base.clone() } else { format!("{base}-{n}") };
        if programme_by_slug(db, &slug).await?.is_none() {
            return Ok(slug);
        }
    }
    Ok(base)
}

pub async fn insert_programme(db: &Db, p: &ProgrammeInput, now: DateTime<Utc>) -> Result<String, sqlx::Error> {
    let id = new_id();
    let slug = free_slug(db, &p.name).await?;
    execute!(
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
    )?;
    Ok(id)
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

const CATEGORY: &str = "SELECT id, programme_id, slug, name, description, open_to, scale_max, disagreement, guidance
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
    let taken: Vec<String> = categories(db, programme_id).await?.into_iter().map(|c| c.slug).collect();
    let base = match slugify(&c.name) {
        s if s.is_empty() => "category".to_string(),
        s => s,
    };
    let slug = (1..)
        .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
        .find(|s| !taken.contains(s))
        .unwrap_or(base);
    let mut tx = db.begin().await?;
    let id = new_id();
    execute!(
        &mut tx,
        "INSERT INTO award_categories (id, programme_id, slug, name, description, open_to, scale_max, disagreement,
             guidance, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &id,
        programme_id,
        slug,
        &c.name,
        &c.description,
        c.open_to.key(),
        c.scale_max,
        c.disagreement,
        &c.guidance,
        taken.len() as i64
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

const ENTRY: &str = "SELECT e.id, e.category_id, e.organisation_id, o.name AS organisation_name,
        u.name AS author_name, e.status, e.title, e.team, e.context, e.what_was_done, e.benefits, e.links,
        e.returned_reason, e.created_at, e.updated_at, e.submitted_at
     FROM award_entries e JOIN organisations o ON o.id = e.organisation_id LEFT JOIN users u ON u.id = e.author_id";

pub async fn entry(db: &Db, id: &str) -> Result<Option<Entry>, sqlx::Error> {
    let sql = format!("{ENTRY} WHERE e.id = $1");
    fetch_optional!(db, Entry, sqlx::AssertSqlSafe(sql), id)
}

/// An organisation's entries, the newest first.
pub async fn entries_of(db: &Db, organisation_id: &str) -> Result<Vec<Entry>, sqlx::Error> {
    let sql = format!("{ENTRY} WHERE e.organisation_id = $1 ORDER BY e.created_at DESC");
    fetch_all!(db, Entry, sqlx::AssertSqlSafe(sql), organisation_id)
}

/// A category's entries, for the organisers.
pub async fn entries_in(db: &Db, category_id: &str) -> Result<Vec<Entry>, sqlx::Error> {
    let sql = format!("{ENTRY} WHERE e.category_id = $1 ORDER BY o.name, e.title");
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

/// Saves an entry's text while it may still change (before `close`); false when the close has passed or it was
/// withdrawn meanwhile.
pub async fn save_entry(
    db: &Db,
    id: &str,
    f: &EntryFields,
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
         WHERE id = $1 AND status <> 'withdrawn'",
        id,
        &f.title,
        &f.team,
        &f.context,
        &f.what_was_done,
        &f.benefits,
        &f.links,
        now
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
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(to.key()).bind(now);
        for k in &keys {
            q = q.bind(*k);
        }
        q.execute(e).await.map(|r| r.rows_affected())
    })?;
    Ok(done > 0)
}

/// Organisers return a submitted entry with a reason.
pub async fn return_entry(db: &Db, id: &str, reason: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    Ok(execute!(
        db,
        "UPDATE award_entries SET status = 'returned', returned_reason = $2, updated_at = $3
         WHERE id = $1 AND status = 'submitted'",
        id,
        reason,
        now
    )? > 0)
}

/// The entries a person wrote, for their data export.
pub async fn entries_by(db: &Db, user_id: &str) -> Result<Vec<Entry>, sqlx::Error> {
    let sql = format!("{ENTRY} WHERE e.author_id = $1 ORDER BY e.created_at");
    fetch_all!(db, Entry, sqlx::AssertSqlSafe(sql), user_id)
}

/// Erasure: the entry stays with its organisation, its author shown as a former member.
pub async fn erase(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "UPDATE award_entries SET author_id = NULL WHERE author_id = $1", user_id)?;
    Ok(())
}
