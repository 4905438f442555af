//! `swn backup DIR` and `swn restore FILE`: a consistent copy of the whole network (every row, uploaded file
//! and the key that signs links in e-mails already sent) while it runs, and its return into a database that
//! holds nothing yet. SQLite copies itself (`VACUUM INTO`, a transaction's snapshot); PostgreSQL's copy is
//! `pg_dump`'s custom format, restored by `pg_restore` in one transaction that stops at the first error.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::db::{Db, Engine, Pooling};

/// What a backup file holds, told from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Sqlite,
    PgDump,
}

fn kind_of(file: &Path) -> anyhow::Result<Kind> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(file).with_context(|| format!("could not open {}", file.display()))?;
    let n = f.read(&mut head)?;
    if head[..n].starts_with(b"SQLite format 3\0") {
        Ok(Kind::Sqlite)
    } else if head[..n].starts_with(b"PGDMP") {
        Ok(Kind::PgDump)
    } else {
        bail!(
            "{} is not a backup made by `swn backup` (neither a SQLite database nor a pg_dump archive)",
            file.display()
        )
    }
}

/// `pg_dump` and `pg_restore` set session state (`search_path` among it) that PgBouncer in transaction mode
/// would leave on a server connection for the next client: backups go straight to PostgreSQL.
pub fn straight_to_the_database(config: &crate::Config) -> anyhow::Result<()> {
    if config.pooling.pgbouncer {
        bail!(
            "back up and restore straight to PostgreSQL, not through PgBouncer: give SWN_DATABASE_URL the server's \
             own address and leave SWN_PGBOUNCER off for this command"
        );
    }
    Ok(())
}

/// A name holding the moment, so backups sort by date and never overwrite one another.
fn backup_name(extension: &str) -> String {
    format!("swn-{}.{extension}", chrono::Utc::now().format("%Y-%m-%dT%H%M%SZ"))
}

/// A PostgreSQL tool (`pg_dump`, `pg_restore`) for the database at `url`: the password goes in the child's
/// environment (`PGPASSWORD`), not on its command line, where other users of the machine could read it.
fn pg_tool(program: &str, url: &str) -> anyhow::Result<std::process::Command> {
    let mut parsed = url::Url::parse(url).context("the database URL is not a URL")?;
    let mut command = std::process::Command::new(program);
    if let Some(password) = parsed.password() {
        let password = percent_decode(password);
        command.env("PGPASSWORD", password);
        let _ = parsed.set_password(None);
    }
    command.arg(format!("--dbname={parsed}"));
    Ok(command)
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("p={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// A backup holds every password hash, the signing key and everyone's personal data: its owner alone reads it.
fn owner_only(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("could not make {} readable by its owner alone", path.display()))?;
    }
    Ok(())
}

/// Makes a consistent backup of the database in `dir`; gives its path.
pub async fn backup(db: &Db, database_url: &str, dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("could not create the backup folder {}", dir.display()))?;
    match db.engine() {
        Engine::Sqlite => {
            let path = dir.join(backup_name("db"));
            if path.exists() {
                bail!("{} exists already: wait a second and back up again", path.display());
            }
            let target = path.to_str().context("the backup folder's path is not UTF-8")?;
            // One read transaction's snapshot, written as a compact database: writers carry on meanwhile.
            crate::execute!(db, "VACUUM INTO $1", target).context("SQLite could not write the backup")?;
            owner_only(&path)?;
            Ok(path)
        }
        Engine::Postgres => {
            let path = dir.join(backup_name("dump"));
            if path.exists() {
                bail!("{} exists already: wait a second and back up again", path.display());
            }
            // Made empty and private first, so the dump is never readable by others while it is written.
            std::fs::File::create(&path).with_context(|| format!("could not create {}", path.display()))?;
            owner_only(&path)?;
            let status =
                pg_tool("pg_dump", database_url)?.args(["--format=custom", "--no-owner", "--file"]).arg(&path).status();
            match status {
                Ok(s) if s.success() => Ok(path),
                Ok(s) => bail!("pg_dump failed ({s}); its message is above"),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
                    "pg_dump is not installed: install PostgreSQL's client tools of the server's version or later \
                     (Debian: apt install postgresql-client), or back up with your database provider's tools"
                ),
                Err(e) => Err(e).context("could not run pg_dump"),
            }
        }
    }
}

/// Whether the database holds anything of a network (its schema, even with no rows, counts).
async fn holds_a_network(db: &Db) -> anyhow::Result<bool> {
    let tables: i64 = match db.engine() {
        Engine::Sqlite => crate::fetch_scalar!(
            db,
            i64,
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )?,
        Engine::Postgres => crate::fetch_scalar!(
            db,
            i64,
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()"
        )?,
    };
    Ok(tables > 0)
}

/// Restores `file` into the database at `database_url`. A database that already holds a network is refused
/// unless `replace` (its rows would mix with the backup's, and a new signing key would break the links in
/// e-mails already sent), which empties it first; a backup of the other engine is refused.
pub async fn restore(database_url: &str, pooling: &Pooling, file: &Path, replace: bool) -> anyhow::Result<()> {
    let kind = kind_of(file)?;
    let db = Db::connect_with(database_url, pooling).await?;
    let engine = db.engine();
    let occupied = holds_a_network(&db).await?;
    let mismatch = match (kind, engine) {
        (Kind::Sqlite, Engine::Postgres) | (Kind::PgDump, Engine::Sqlite) => Some(format!(
            "{} is a {} backup and the database is {}: restore it into the engine it came from",
            file.display(),
            if kind == Kind::Sqlite { "SQLite" } else { "PostgreSQL" },
            if engine == Engine::Sqlite { "SQLite" } else { "PostgreSQL" }
        )),
        _ => None,
    };
    if mismatch.is_none()
        && occupied
        && replace
        && let Db::Postgres(pool) = &db
    {
        // Everything goes, tables the backup does not know included (a newer version's), so nothing of the
        // old network is left beside the restored one.
        sqlx::raw_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            .execute(pool)
            .await
            .context("could not empty the database before restoring")?;
    }
    db.close().await;
    if let Some(mismatch) = mismatch {
        bail!(mismatch);
    }
    if occupied && !replace {
        bail!(
            "the database already holds a network (tables exist): restore into a new, empty database, or add \
             --replace to delete what it holds first (stop every `swn serve` on it)"
        );
    }
    match engine {
        Engine::Sqlite => {
            let target = sqlite_path(database_url)?;
            // A copy beside the database, then a rename: a failed copy leaves the old database whole.
            let partial = target.with_extension("restoring");
            std::fs::copy(file, &partial).with_context(|| format!("could not copy {}", file.display()))?;
            for side in ["-wal", "-shm"] {
                let mut name = target.as_os_str().to_owned();
                name.push(side);
                let _ = std::fs::remove_file(PathBuf::from(name));
            }
            std::fs::rename(&partial, &target).with_context(|| format!("could not replace {}", target.display()))?;
        }
        Engine::Postgres => {
            let status = pg_tool("pg_restore", database_url)?
                .args(["--no-owner", "--exit-on-error", "--single-transaction"])
                .arg(file)
                .status();
            match status {
                Ok(s) if s.success() => {}
                Ok(s) => bail!("pg_restore failed ({s}) and changed nothing; its message is above"),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    bail!("pg_restore is not installed (Debian: apt install postgresql-client)")
                }
                Err(e) => return Err(e).context("could not run pg_restore"),
            }
        }
    }
    Ok(())
}

/// The file of a `sqlite:` URL.
fn sqlite_path(url: &str) -> anyhow::Result<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).context("not a SQLite URL")?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path == ":memory:" {
        bail!("restore needs a SQLite database file, not {url:?}");
    }
    Ok(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_path("sqlite://data/swn.db").unwrap(), PathBuf::from("data/swn.db"));
        assert_eq!(sqlite_path("sqlite:///var/swn/swn.db?mode=rwc").unwrap(), PathBuf::from("/var/swn/swn.db"));
        assert!(sqlite_path("sqlite::memory:").is_err());
    }

    #[test]
    fn backup_names_hold_the_moment() {
        let name = backup_name("db");
        assert!(name.starts_with("swn-20") && name.ends_with("Z.db"), "{name}");
    }
}
