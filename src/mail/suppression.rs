//! Addresses that keep bouncing: each permanent refusal is counted, and after `SUPPRESS_AFTER` of them no
//! newsletter is queued for the address any more (a mail server that keeps refusing hurts the network's
//! standing with every other one). Personal e-mails (a password reset) are still tried. Organisers see the
//! list and can lift a suppression once the address works again.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::db::Db;
use crate::{execute, fetch_all};

/// Permanent failures after which an address gets no more bulk e-mail.
pub const SUPPRESS_AFTER: i64 = 3;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Suppression {
    pub address: String,
    pub hard_failures: i64,
    pub last_error: String,
    pub updated_at: DateTime<Utc>,
    pub suppressed_at: Option<DateTime<Utc>>,
}

/// Counts one permanent refusal for `address`; it is suppressed at the `SUPPRESS_AFTER`th.
pub async fn record_hard_failure(db: &Db, address: &str, error: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let error: String = error.chars().take(500).collect();
    execute!(
        db,
        "INSERT INTO mail_suppressions (address, hard_failures, last_error, updated_at, suppressed_at)
         VALUES ($1, 1, $2, $3, CASE WHEN $4 <= 1 THEN $3 END)
         ON CONFLICT (address) DO UPDATE SET
             hard_failures = mail_suppressions.hard_failures + 1,
             last_error = excluded.last_error,
             updated_at = excluded.updated_at,
             suppressed_at = CASE WHEN mail_suppressions.suppressed_at IS NULL AND mail_suppressions.hard_failures + 1 >= $4
                                  THEN excluded.updated_at ELSE mail_suppressions.suppressed_at END",
        address.trim().to_lowercase(),
        &error,
        now,
        SUPPRESS_AFTER
    )?;
    Ok(())
}

/// Every address with hard failures, suppressed ones first.
pub async fn all(db: &Db) -> Result<Vec<Suppression>, sqlx::Error> {
    fetch_all!(
        db,
        Suppression,
        "SELECT address, hard_failures, last_error, updated_at, suppressed_at FROM mail_suppressions
         ORDER BY suppressed_at IS NULL, address LIMIT 500"
    )
}

/// The suppressed addresses, lower-cased.
pub async fn suppressed(db: &Db) -> Result<HashSet<String>, sqlx::Error> {
    let rows = crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, String>("SELECT address FROM mail_suppressions WHERE suppressed_at IS NOT NULL")
            .persistent(crate::db::keep_prepared())
            .fetch_all(e)
            .await
    })?;
    Ok(rows.into_iter().collect())
}

/// An organiser lifts a suppression: the count starts again.
pub async fn lift(db: &Db, address: &str) -> Result<u64, sqlx::Error> {
    execute!(db, "DELETE FROM mail_suppressions WHERE address = $1", address.trim().to_lowercase())
}
