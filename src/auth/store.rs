//! SQL for accounts, sessions, one-time links and sign-in failures.

use chrono::{DateTime, Utc};

use super::model::{Role, UserRow};
use crate::db::{Db, Tx, new_id};
use crate::{execute, fetch_all, fetch_optional, fetch_scalar};

pub async fn user_by_email(db: &Db, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    fetch_optional!(
        db,
        UserRow,
        "SELECT id, email, name, role, suspended, password_hash, created_at, organisation_id, job_title, membership_ends_at, posting_suspended FROM users WHERE email = $1",
        email
    )
}

pub async fn user_by_id(db: &Db, id: &str) -> Result<Option<UserRow>, sqlx::Error> {
    fetch_optional!(
        db,
        UserRow,
        "SELECT id, email, name, role, suspended, password_hash, created_at, organisation_id, job_title, membership_ends_at, posting_suspended FROM users WHERE id = $1",
        id
    )
}

pub async fn all_users(db: &Db) -> Result<Vec<UserRow>, sqlx::Error> {
    fetch_all!(
        db,
        UserRow,
        "SELECT id, email, name, role, suspended, password_hash, created_at, organisation_id, job_title, membership_ends_at, posting_suspended FROM users ORDER BY name, email"
    )
}

pub async fn count_organisers(db: &Db) -> Result<i64, sqlx::Error> {
    fetch_scalar!(db, i64, "SELECT COUNT(*) FROM users WHERE role = 'organiser'")
}

/// Inserts a user; a taken e-mail address is a unique violation for the caller to explain.
pub async fn insert_user(
    tx: &mut Tx,
    email: &str,
    name: &str,
    role: Role,
    password_hash: Option<&str>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = Utc::now();
    execute!(
        tx,
        "INSERT INTO users (id, email, name, role, suspended, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, FALSE, $5, $6, $6)",
        &id,
        email,
        name,
        role.as_str(),
        password_hash,
        now
    )?;
    Ok(id)
}

pub async fn set_password(tx: &mut Tx, user_id: &str, password_hash: &str) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3",
        password_hash,
        Utc::now(),
        user_id
    )?;
    Ok(())
}

pub async fn set_role_and_suspension(
    tx: &mut Tx,
    user_id: &str,
    role: Role,
    suspended: bool,
) -> Result<u64, sqlx::Error> {
    execute!(
        tx,
        "UPDATE users SET role = $1, suspended = $2, updated_at = $3 WHERE id = $4",
        role.as_str(),
        suspended,
        Utc::now(),
        user_id
    )
}

// Sessions

#[derive(sqlx::FromRow)]
pub struct SessionUser {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub session_created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub rotate: bool,
    pub kept: bool,
}

crate::inline_row!(SessionUser { ..user: UserRow, session_created_at, last_seen_at, rotate, kept });

/// A session row; `signed_in_at` is when the person signed in (a new id for an old session keeps it).
pub async fn insert_session(
    tx: &mut Tx,
    id_hash: &str,
    user_id: &str,
    kept: bool,
    signed_in_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, kept) VALUES ($1, $2, $3, $4, $5)",
        id_hash,
        user_id,
        signed_in_at,
        Utc::now(),
        kept
    )?;
    Ok(())
}

/// Read on every signed-in request, so inline on SQLite.
pub async fn session_user(db: &Db, id_hash: &str) -> Result<Option<SessionUser>, sqlx::Error> {
    crate::fetch_optional_inline!(
        db,
        SessionUser,
        "SELECT u.id, u.email, u.name, u.role, u.suspended, u.password_hash, u.created_at, u.organisation_id,
                u.job_title, u.membership_ends_at, u.posting_suspended, s.created_at AS session_created_at, s.last_seen_at, s.rotate, s.kept
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id_hash = $1",
        id_hash
    )
}

pub async fn touch_session(db: &Db, id_hash: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    execute!(db, "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2", now, id_hash)?;
    Ok(())
}

pub async fn delete_session(db: &Db, id_hash: &str) -> Result<(), sqlx::Error> {
    execute!(db, "DELETE FROM sessions WHERE id_hash = $1", id_hash)?;
    Ok(())
}

pub async fn delete_session_in(tx: &mut Tx, id_hash: &str) -> Result<(), sqlx::Error> {
    execute!(tx, "DELETE FROM sessions WHERE id_hash = $1", id_hash)?;
    Ok(())
}

pub async fn delete_sessions_of(tx: &mut Tx, user_id: &str) -> Result<u64, sqlx::Error> {
    execute!(tx, "DELETE FROM sessions WHERE user_id = $1", user_id)
}

/// Flags every session of a user for a new id on its next request (their rights changed).
pub async fn rotate_sessions_of(tx: &mut Tx, user_id: &str) -> Result<u64, sqlx::Error> {
    execute!(tx, "UPDATE sessions SET rotate = TRUE WHERE user_id = $1", user_id)
}

pub async fn count_sessions_of(db: &Db, user_id: &str) -> Result<i64, sqlx::Error> {
    fetch_scalar!(db, i64, "SELECT COUNT(*) FROM sessions WHERE user_id = $1", user_id)
}

// One-time links

#[derive(sqlx::FromRow)]
pub struct OneTimeToken {
    pub purpose: String,
    pub user_id: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

pub async fn insert_token(
    tx: &mut Tx,
    token_hash: &str,
    purpose: &str,
    user_id: Option<&str>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "INSERT INTO one_time_tokens (token_hash, purpose, user_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
        token_hash,
        purpose,
        user_id,
        Utc::now(),
        expires_at
    )?;
    Ok(())
}

pub async fn token(db: &Db, token_hash: &str) -> Result<Option<OneTimeToken>, sqlx::Error> {
    fetch_optional!(
        db,
        OneTimeToken,
        "SELECT purpose, user_id, expires_at, used_at FROM one_time_tokens WHERE token_hash = $1",
        token_hash
    )
}

/// Ends every unused link that would let its holder choose this person's password: issuing or using one ends
/// the others, so only the newest link in the newest e-mail works.
pub async fn end_password_links(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "UPDATE one_time_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = 'set_password' AND used_at IS NULL",
        Utc::now(),
        user_id
    )?;
    Ok(())
}

/// Marks a link used; false when it was already used (two tabs racing), so only one use wins.
pub async fn use_token(tx: &mut Tx, token_hash: &str) -> Result<bool, sqlx::Error> {
    let changed = execute!(
        tx,
        "UPDATE one_time_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
        Utc::now(),
        token_hash
    )?;
    Ok(changed == 1)
}

// Sign-in failures

/// Counts one more under `scope`; gives the count's id, to take it back.
/// Holds the given throttling scopes for the rest of the transaction, and prunes failures older than `stale`:
/// on PostgreSQL an advisory lock per scope (taken in a fixed order, so two holders never wait for each other
/// in a circle); on SQLite the prune is a write, which takes the database's one write lock first.
pub async fn hold_scopes(tx: &mut Tx, scopes: &[&str], stale: DateTime<Utc>) -> Result<(), sqlx::Error> {
    if let Tx::Postgres(_) = tx {
        let mut sorted = scopes.to_vec();
        sorted.sort_unstable();
        for scope in sorted {
            execute!(&mut *tx, "SELECT pg_advisory_xact_lock(7461701, hashtext($1))", scope)?;
        }
    }
    execute!(&mut *tx, "DELETE FROM sign_in_failures WHERE failed_at < $1", stale)?;
    Ok(())
}

/// `failures_since` inside a transaction that holds the scope.
pub async fn failures_in(tx: &mut Tx, scope: &str, since: DateTime<Utc>) -> Result<Vec<DateTime<Utc>>, sqlx::Error> {
    crate::on_engine!(&mut *tx, |e| {
        sqlx::query_scalar::<_, DateTime<Utc>>(
            "SELECT failed_at FROM sign_in_failures WHERE scope = $1 AND failed_at > $2 ORDER BY failed_at",
        )
        .persistent(crate::db::keep_prepared())
        .bind(scope)
        .bind(since)
        .fetch_all(e)
        .await
    })
}

pub async fn record_failure_in(tx: &mut Tx, scope: &str, at: DateTime<Utc>) -> Result<String, sqlx::Error> {
    let id = new_id();
    execute!(&mut *tx, "INSERT INTO sign_in_failures (id, scope, failed_at) VALUES ($1, $2, $3)", &id, scope, at)?;
    Ok(id)
}

pub async fn record_failure(db: &Db, scope: &str, at: DateTime<Utc>) -> Result<String, sqlx::Error> {
    let id = new_id();
    execute!(db, "INSERT INTO sign_in_failures (id, scope, failed_at) VALUES ($1, $2, $3)", &id, scope, at)?;
    Ok(id)
}

pub async fn delete_failure(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    execute!(db, "DELETE FROM sign_in_failures WHERE id = $1", id)?;
    Ok(())
}

/// The failures of a scope since `since`, oldest first.
pub async fn failures_since(db: &Db, scope: &str, since: DateTime<Utc>) -> Result<Vec<DateTime<Utc>>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, DateTime<Utc>>(
            "SELECT failed_at FROM sign_in_failures WHERE scope = $1 AND failed_at > $2 ORDER BY failed_at",
        )
        .persistent(crate::db::keep_prepared())
        .bind(scope)
        .bind(since)
        .fetch_all(e)
        .await
    })
}

pub async fn clear_failures(db: &Db, scope: &str) -> Result<(), sqlx::Error> {
    execute!(db, "DELETE FROM sign_in_failures WHERE scope = $1", scope)?;
    Ok(())
}

/// What accounts keep about a person besides the account row: sessions, one-time links, and the counts the
/// limits keep under their address.
pub async fn erase_person(tx: &mut Tx, person: &crate::feature::Person) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "DELETE FROM sessions WHERE user_id = $1", &person.id)?;
    execute!(&mut *tx, "DELETE FROM one_time_tokens WHERE user_id = $1", &person.id)?;
    let address = person.email.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    // Counts kept under the address: failed sign-ins, reset links asked for, e-mails sent to it from forms.
    let patterns = [
        format!("account-any:{address}"),
        format!("account:{address}@%"),
        format!("reset:{address}"),
        format!("mail-to:%:{address}"),
    ];
    for pattern in patterns {
        execute!(&mut *tx, "DELETE FROM sign_in_failures WHERE scope LIKE $1 ESCAPE '\\'", pattern)?;
    }
    Ok(())
}

/// The account row stays (what the person wrote points at it, shown as "Former member"), with nothing
/// personal left in it: no name, address, password, job title or organisation.
pub async fn anonymise(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    execute!(
        tx,
        "UPDATE users SET name = 'Former member', email = $1, password_hash = NULL, job_title = '', organisation_id = NULL,
             membership_ends_at = NULL, suspended = TRUE, deleted_at = $2, updated_at = $2
         WHERE id = $3",
        format!("deleted-{}@invalid", crate::db::new_id()),
        now,
        user_id
    )?;
    Ok(())
}

/// How many active (not suspended) organisers there are besides this person.
pub async fn active_organisers_besides(db: &Db, user_id: &str) -> Result<i64, sqlx::Error> {
    fetch_scalar!(
        db,
        i64,
        "SELECT COUNT(*) FROM users WHERE role = 'organiser' AND suspended = FALSE AND id <> $1",
        user_id
    )
}

/// Retention: sessions past their absolute limit (`created_before`) or idle past the longest idle period
/// (`seen_before`), and one-time links used or expired before `links_before`.
pub async fn prune(
    db: &Db,
    created_before: DateTime<Utc>,
    seen_before: DateTime<Utc>,
    links_before: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let sessions =
        execute!(db, "DELETE FROM sessions WHERE created_at < $1 OR last_seen_at < $2", created_before, seen_before)?;
    let links = execute!(
        db,
        "DELETE FROM one_time_tokens WHERE expires_at < $1 OR (used_at IS NOT NULL AND used_at < $1)",
        links_before
    )?;
    Ok(sessions + links)
}
