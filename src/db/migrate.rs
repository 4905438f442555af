//! Numbered migrations, one file per engine under `migrations/sqlite` and `migrations/postgres`, embedded in
//! the binary. `MIGRATIONS` names each once; `include_str!` on both trees makes a missing twin a build error,
//! and a test makes a file that is in a tree but not in this list a test failure.

use super::{Conn, Db};

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
    migration!("0013_team_spaces"),
    migration!("0014_team_agreements_trials_requests"),
    migration!("0015_benchmark_framework"),
    migration!("0016_benchmark_assessments"),
    migration!("0017_awards"),
    migration!("0018_award_judging"),
    migration!("0019_outbox_priority"),
    migration!("0020_file_chunks"),
    migration!("0021_mail_pacing"),
    migration!("0022_forum_likes_bookmarks"),
    migration!("0023_who_is_going"),
    migration!("0024_private_messages"),
    migration!("0025_faces"),
    migration!("0026_newsletter_images_reports"),
    migration!("0027_search_and_indexes"),
    migration!("0028_like_counts"),
    migration!("0029_posts_in_page_order"),
    migration!("0030_marks_by_topic"),
];

/// Applies the migrations not yet applied, all in one transaction. On PostgreSQL an advisory lock keeps
/// two instances starting together from racing. On SQLite they run on one connection with foreign keys off,
/// as SQLite's own procedure for rebuilding a table asks (a rebuilt table's `DROP` would otherwise cascade to
/// every row that refers to it); the keys are checked before the commit and turned on again after it.
pub async fn run(db: &Db) -> Result<Vec<&'static str>, sqlx::Error> {
    run_until(db, None).await
}

/// `run`, stopping after the migration named `last` (for testing an upgrade from an earlier schema).
pub async fn run_until(db: &Db, last: Option<&str>) -> Result<Vec<&'static str>, sqlx::Error> {
    use sqlx::Connection;
    match db {
        Db::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            // A migration (moving every file into pieces) and the wait for another instance's may take longer
            // than SWN_STATEMENT_TIMEOUT_SECONDS allows a request's statement.
            sqlx::query("SET LOCAL statement_timeout = 0")
                .persistent(crate::db::keep_prepared())
                .execute(&mut *tx)
                .await?;
            sqlx::query("SELECT pg_advisory_xact_lock(7461700)")
                .persistent(crate::db::keep_prepared())
                .execute(&mut *tx)
                .await?;
            let newly = apply(&mut *tx, Engine::Postgres, last).await?;
            tx.commit().await?;
            Ok(newly)
        }
        Db::Sqlite(pool, _) => {
            let mut conn = pool.acquire().await?;
            sqlx::query("PRAGMA foreign_keys = OFF").persistent(crate::db::keep_prepared()).execute(&mut *conn).await?;
            let outcome = async {
                let mut tx = conn.begin().await?;
                let newly = apply(&mut *tx, Engine::Sqlite, last).await?;
                let broken: Vec<String> = sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_check")
                    .persistent(crate::db::keep_prepared())
                    .fetch_all(&mut *tx)
                    .await?;
                if !broken.is_empty() {
                    return Err(sqlx::Error::Protocol(format!("a migration broke foreign keys in {broken:?}")));
                }
                tx.commit().await?;
                Ok(newly)
            }
            .await;
            sqlx::query("PRAGMA foreign_keys = ON").persistent(crate::db::keep_prepared()).execute(&mut *conn).await?;
            outcome
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Engine {
    Sqlite,
    Postgres,
}

async fn apply<C>(conn: &mut C, engine: Engine, last: Option<&str>) -> Result<Vec<&'static str>, sqlx::Error>
where
    for<'b> Conn<'b>: From<&'b mut C>,
{
    crate::execute!(
        &mut *conn,
        "CREATE TABLE IF NOT EXISTS swn_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )?;
    let applied: Vec<String> = crate::on_engine!(&mut *conn, |e| {
        sqlx::query_scalar::<_, String>("SELECT name FROM swn_migrations")
            .persistent(crate::db::keep_prepared())
            .fetch_all(e)
            .await
    })?;
    let mut newly = Vec::new();
    for m in MIGRATIONS {
        if applied.iter().any(|a| a == m.name) {
            if last == Some(m.name) {
                break;
            }
            continue;
        }
        let sql = if engine == Engine::Sqlite { m.sqlite } else { m.postgres };
        crate::on_engine!(&mut *conn, |e| sqlx::raw_sql(sql).execute(e).await.map(|_| ()))?;
        crate::execute!(
            &mut *conn,
            "INSERT INTO swn_migrations (name, applied_at) VALUES ($1, $2)",
            m.name,
            chrono::Utc::now().to_rfc3339()
        )?;
        newly.push(m.name);
        if last == Some(m.name) {
            break;
        }
    }
    Ok(newly)
}
