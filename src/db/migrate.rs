//! Numbered migrations, one file per engine under `migrations/sqlite` and `migrations/postgres`, embedded in
//! the binary. `MIGRATIONS` names each once; `include_str!` on both trees makes a missing twin a build error,
//! and a test makes a file that is in a tree but not in this list a test failure.

use super::{Db, Tx};

pub struct Migration {
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

macro_rules! migration {
    ($name:literal) => {
        Migration {
            name: $name,
            sqlite: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres/", $name, ".sql")),
        }
    };
}

/// Every migration, in the order it runs.
pub const MIGRATIONS: &[Migration] = &[
    migration!("0001_foundation"),
    migration!("0002_membership"),
    migration!("0003_meetings"),
    migration!("0004_forum"),
    migration!("0005_newsletters"),
    migration!("0006_newsletter_delivery"),
    migration!("0007_library"),
    migration!("0008_case_studies"),
    migration!("0009_api_tokens"),
    migration!("0010_kept_sessions"),
    migration!("0011_calendar_choice"),
    migration!("0012_regions"),
];

/// Applies the migrations not yet applied, each in its own transaction. On PostgreSQL an advisory lock keeps
/// two instances starting together from racing.
pub async fn run(db: &Db) -> Result<Vec<&'static str>, sqlx::Error> {
    let mut tx = db.begin().await?;
    if let Tx::Postgres(_) = tx {
        crate::execute!(&mut tx, "SELECT pg_advisory_xact_lock(7461700)")?;
    }
    crate::execute!(
        &mut tx,
        "CREATE TABLE IF NOT EXISTS swn_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )?;
    let applied: Vec<String> = crate::on_engine!(&mut tx, |e| {
        sqlx::query_scalar::<_, String>("SELECT name FROM swn_migrations").fetch_all(e).await
    })?;
    let mut newly = Vec::new();
    for m in MIGRATIONS {
        if applied.iter().any(|a| a == m.name) {
            continue;
        }
        let sql = match tx {
            Tx::Sqlite(_) => m.sqlite,
            Tx::Postgres(_) => m.postgres,
        };
        crate::on_engine!(&mut tx, |e| sqlx::raw_sql(sql).execute(e).await.map(|_| ()))?;
        crate::execute!(
            &mut tx,
            "INSERT INTO swn_migrations (name, applied_at) VALUES ($1, $2)",
            m.name,
            chrono::Utc::now().to_rfc3339()
        )?;
        newly.push(m.name);
    }
    tx.commit().await?;
    Ok(newly)
}
