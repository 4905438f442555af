//! Sign-in throttling, kept in the database so that every server instance shares it.
//!
//! Two limits: failures from one address (any account), and failures for one account from one address. The
//! account limit is per address on purpose: someone guessing elsewhere cannot lock the owner out. Guessing
//! from many addresses is bounded by the per-address limit and by the cost of argon2.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};

use super::store;
use crate::db::Db;

pub const WINDOW_MINUTES: i64 = 15;
pub const MAX_PER_ADDRESS: usize = 30;
pub const MAX_PER_ACCOUNT_AND_ADDRESS: usize = 5;

fn scopes(email: &str, ip: IpAddr) -> [(String, usize); 2] {
    [(format!("address:{ip}"), MAX_PER_ADDRESS), (format!("account:{email}@{ip}"), MAX_PER_ACCOUNT_AND_ADDRESS)]
}

/// `Some(seconds)` to wait when either limit is reached.
pub async fn retry_after(db: &Db, email: &str, ip: IpAddr, now: DateTime<Utc>) -> Result<Option<u64>, sqlx::Error> {
    let window = Duration::minutes(WINDOW_MINUTES);
    let mut wait: Option<u64> = None;
    for (scope, max) in scopes(email, ip) {
        let failures = store::failures_since(db, &scope, now - window).await?;
        if failures.len() >= max {
            // Wait until enough of the oldest failures have left the window.
            let freeing = failures.get(failures.len() - max).copied().unwrap_or(now);
            let secs = (freeing + window - now).num_seconds().max(1) as u64;
            wait = Some(wait.map_or(secs, |w| w.max(secs)));
        }
    }
    Ok(wait)
}

/// A limit on any other action from one address (`what`, such as "subscribe"): `Some(seconds)` to wait when
/// `max` of them happened in the past `window`; otherwise the action is counted and `None` given.
pub async fn take(
    db: &Db,
    what: &str,
    ip: IpAddr,
    max: usize,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<Option<u64>, sqlx::Error> {
    take_in(db, &format!("{what}:{ip}"), max, window, now).await
}

/// `take` for any scope: counts one more unless `max` happened in the past `window`.
async fn take_in(
    db: &Db,
    scope: &str,
    max: usize,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<Option<u64>, sqlx::Error> {
    let recent = store::failures_since(db, scope, now - window).await?;
    if recent.len() >= max {
        let freeing = recent.get(recent.len() - max).copied().unwrap_or(now);
        return Ok(Some((freeing + window - now).num_seconds().max(1) as u64));
    }
    store::record_failure(db, scope, now).await?;
    Ok(None)
}

/// E-mails a client may make us send to addresses it types (an application, a guest registration, a
/// subscription), per hour: from one client address in all, and to one typed address.
pub const TYPED_MAIL_PER_CLIENT: usize = 10;
pub const TYPED_MAIL_PER_TARGET: usize = 3;

/// The one limit for every form that makes us send e-mail to an address typed in: `Some(seconds)` to wait when
/// the client, or the typed address, reached its hourly limit; otherwise the e-mail is counted.
pub async fn mail_to_typed_address(
    db: &Db,
    what: &str,
    ip: IpAddr,
    address: &str,
    now: DateTime<Utc>,
) -> Result<Option<u64>, sqlx::Error> {
    let window = Duration::hours(1);
    if let Some(wait) = take(db, &format!("mail-from:{what}"), ip, TYPED_MAIL_PER_CLIENT, window, now).await? {
        return Ok(Some(wait));
    }
    take_in(db, &format!("mail-to:{what}:{}", address.to_lowercase()), TYPED_MAIL_PER_TARGET, window, now).await
}

pub async fn record_failure(db: &Db, email: &str, ip: IpAddr, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    for (scope, _) in scopes(email, ip) {
        store::record_failure(db, &scope, now).await?;
    }
    store::prune_failures(db, now - Duration::days(1)).await?;
    Ok(())
}

/// A successful sign-in forgets that account's failures from that address.
pub async fn record_success(db: &Db, email: &str, ip: IpAddr) -> Result<(), sqlx::Error> {
    let [_, (account_scope, _)] = scopes(email, ip);
    store::clear_failures(db, &account_scope).await
}
