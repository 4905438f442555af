//! SQL for guides, checklists and a lead's notes on them.

use chrono::{DateTime, Utc};

use super::{FIRST_GUIDES, Guide};
use crate::db::{Db, new_id};
use crate::{execute, fetch_all, fetch_optional};

const GUIDE: &str = "SELECT id, slug, kind, title, summary, body, items FROM toolkit_guides";

pub async fn guides(db: &Db) -> Result<Vec<Guide>, sqlx::Error> {
    fetch_all!(db, Guide, sqlx::AssertSqlSafe(format!("{GUIDE} ORDER BY position, title")))
}

pub async fn guide(db: &Db, slug: &str) -> Result<Option<Guide>, sqlx::Error> {
    fetch_optional!(db, Guide, sqlx::AssertSqlSafe(format!("{GUIDE} WHERE slug = $1")), slug)
}

/// Puts the first guides in place when there are none yet (on start; organisers' changes stay).
pub async fn seed(db: &Db, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    for (i, (slug, kind, title, summary, body, items)) in FIRST_GUIDES.iter().enumerate() {
        execute!(
            db,
            "INSERT INTO toolkit_guides (id, slug, kind, title, summary, body, items, position, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (slug) DO NOTHING",
            new_id(),
            *slug,
            *kind,
            *title,
            *summary,
            *body,
            *items,
            (i as i64 + 1) * 10,
            now
        )?;
    }
    Ok(())
}

pub struct GuideText<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub body: &'a str,
    pub items: &'a str,
}

pub async fn insert(db: &Db, slug: &str, g: &GuideText<'_>, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "INSERT INTO toolkit_guides (id, slug, kind, title, summary, body, items, position, updated_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, COALESCE(MAX(position), 0) + 10, $8 FROM toolkit_guides
         ON CONFLICT (slug) DO NOTHING",
        new_id(),
        slug,
        g.kind,
        g.title,
        g.summary,
        g.body,
        g.items,
        now
    )
}

pub async fn update(db: &Db, slug: &str, g: &GuideText<'_>, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE toolkit_guides SET kind = $1, title = $2, summary = $3, body = $4, items = $5, updated_at = $6
         WHERE slug = $7",
        g.kind,
        g.title,
        g.summary,
        g.body,
        g.items,
        now,
        slug
    )
}

/// A lead's own notes on a guide for one team, and the items they ticked.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct Notes {
    pub body: String,
    pub ticked: String,
}

impl Notes {
    pub fn ticked(&self) -> Vec<usize> {
        self.ticked.split(',').filter_map(|n| n.parse().ok()).collect()
    }
}

pub async fn notes(db: &Db, space_id: &str, guide_id: &str, user_id: &str) -> Result<Notes, sqlx::Error> {
    Ok(fetch_optional!(
        db,
        Notes,
        "SELECT body, ticked FROM guide_notes WHERE space_id = $1 AND guide_id = $2 AND user_id = $3",
        space_id,
        guide_id,
        user_id
    )?
    .unwrap_or_default())
}

pub async fn save_notes(
    db: &Db,
    space_id: &str,
    guide_id: &str,
    user_id: &str,
    body: &str,
    ticked: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "INSERT INTO guide_notes (space_id, guide_id, user_id, body, ticked, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (space_id, guide_id, user_id) DO UPDATE SET body = $4, ticked = $5, updated_at = $6",
        space_id,
        guide_id,
        user_id,
        body,
        ticked,
        now
    )?;
    Ok(())
}

/// A person's notes on guides, for their data export.
pub async fn notes_by(db: &Db, user_id: &str) -> Result<Vec<(String, String, String, String)>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_as::<_, (String, String, String, String)>(
            "SELECT n.space_id, g.title, n.body, n.ticked FROM guide_notes n JOIN toolkit_guides g ON g.id = n.guide_id
             WHERE n.user_id = $1 ORDER BY n.updated_at",
        )
        .persistent(crate::db::keep_prepared())
        .bind(user_id)
        .fetch_all(e)
        .await
    })
}

/// A lead's notes on guides are theirs alone: they go with the account.
pub async fn erase_person(tx: &mut crate::db::Tx, user_id: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "DELETE FROM guide_notes WHERE user_id = $1", user_id)?;
    Ok(())
}
