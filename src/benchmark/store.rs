//! SQL for the benchmark's framework.

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
