//! Sign-in throttling, kept in the database so that every server instance shares it.
//!
//! Three limits on failed passwords (sign-in and every form that asks for the current password):
//! - one account from one address: 5 in a quarter-hour, then that address waits for that account;
//! - one address, any account: after 30, each further try from it waits, longer each time (up to a minute),
//!   so a shared office address slows down but never locks out everyone behind it;
//! - one account, any address: after 10, each further try for it waits the same way, so many addresses cannot
//!   guess one account quickly, and the owner is slowed (never locked out) while it lasts (ASVS 2.2.1).

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};

use super::store;
use crate::db::Db;

pub const WINDOW_MINUTES: i64 = 15;
pub const MAX_PER_ACCOUNT_AND_ADDRESS: usize = 5;
pub const FREE_PER_ADDRESS: usize = 30;
pub const FREE_PER_ACCOUNT: usize = 10;
/// The longest a slowed address or account waits between tries.
pub const LONGEST_WAIT_SECS: i64 = 60;

/// How a scope's failures hold back the next try.
#[derive(Clone, Copy)]
enum Limit {
    /// At most this many in the window; then wait until the oldest leave it.
    Window(usize),
    /// This many freely; after that each try waits 2, 4, 8 ... seconds (at most `LONGEST_WAIT_SECS`) after the
    /// latest failure.
    SlowAfter(usize),
}

fn scopes(email: &str, ip: IpAddr) -> [(String, Limit); 3] {
    [
        (format!("account:{email}@{ip}"), Limit::Window(MAX_PER_ACCOUNT_AND_ADDRESS)),
        (format!("address:{ip}"), Limit::SlowAfter(FREE_PER_ADDRESS)),
        // Its own prefix: `account:` followed by a typed address could otherwise name another scope.
        (format!("account-any:{email}"), Limit::SlowAfter(FREE_PER_ACCOUNT)),
    ]
}

/// Seconds to wait before the next try, given a scope's failures in the window (oldest first).
fn wait_for(limit: Limit, failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<u64> {
    let window = Duration::minutes(WINDOW_MINUTES);
    let until = match limit {
        Limit::Window(max) if failures.len() >= max => failures[failures.len() - max] + window,
        Limit::SlowAfter(free) if failures.len() >= free => {
            let beyond = u32::try_from(failures.len() - free + 1).unwrap_or(u32::MAX).min(6);
            let secs = 2_i64.saturating_pow(beyond).min(LONGEST_WAIT_SECS);
            *failures.last()? + Duration::seconds(secs)
        }
        _ => return None,
    };
    let secs = (until - now).num_seconds();
    (secs > 0).then_some(secs as u64)
}

/// `Some(seconds)` to wait when any limit holds back a try for this account from this address.
pub async fn retry_after(db: &Db, email: &str, ip: IpAddr, now: DateTime<Utc>) -> Result<Option<u64>, sqlx::Error> {
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let mut wait: Option<u64> = None;
    for (scope, limit) in scopes(email, ip) {
        let failures = store::failures_since(db, &scope, since).await?;
        if let Some(secs) = wait_for(limit, &failures, now) {
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

/// A password being checked, counted as a failure from before the check, so that tries sent together all
/// count against the limits (argon2 takes a while); taken back if the password was right.
#[must_use = "a right password takes its attempt back with `succeeded`"]
pub struct Attempt {
    counted: Vec<String>,
    account_from_address: String,
}

/// Counts a try for this account from this address, or gives `Err(seconds)` to wait when a limit holds it back.
/// The check and the count are one transaction that holds the three scopes first (PostgreSQL's advisory locks;
/// on SQLite the transaction's first statement is a write, which waits for any other writer): tries sent
/// together, to one instance or several, are counted one after another, so no more get through than the
/// limits allow.
pub async fn attempt(
    db: &Db,
    email: &str,
    ip: IpAddr,
    now: DateTime<Utc>,
) -> Result<Result<Attempt, u64>, sqlx::Error> {
    let all = scopes(email, ip);
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let mut tx = db.begin().await?;
    store::hold_scopes(&mut tx, &all.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(), now - Duration::days(1))
        .await?;
    let mut wait: Option<u64> = None;
    for (scope, limit) in &all {
        let failures = store::failures_in(&mut tx, scope, since).await?;
        if let Some(secs) = wait_for(*limit, &failures, now) {
            wait = Some(wait.map_or(secs, |w| w.max(secs)));
        }
    }
    if let Some(wait) = wait {
        tx.commit().await?;
        return Ok(Err(wait));
    }
    let mut counted = Vec::new();
    for (scope, _) in &all {
        counted.push(store::record_failure_in(&mut tx, scope, now).await?);
    }
    tx.commit().await?;
    let [(account_from_address, _), ..] = all;
    Ok(Ok(Attempt { counted, account_from_address }))
}

impl Attempt {
    /// The password was right: this try is taken back, and the account's failures from this address are
    /// forgotten (not those from elsewhere: the owner signing in does not reset a guesser's slow-down).
    pub async fn succeeded(self, db: &Db) -> Result<(), sqlx::Error> {
        for id in &self.counted {
            store::delete_failure(db, id).await?;
        }
        store::clear_failures(db, &self.account_from_address).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failures(n: usize, apart_secs: i64, last: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        (0..n).rev().map(|i| last - Duration::seconds(apart_secs * i as i64)).collect()
    }

    /// A typed address that ends like another scope's name counts only against itself.
    #[test]
    fn no_typed_address_names_another_accounts_count() {
        let office: IpAddr = "203.0.113.7".parse().unwrap();
        let elsewhere: IpAddr = "198.51.100.1".parse().unwrap();
        let owners = scopes("victim@x.org", office).map(|(s, _)| s);
        let forged = scopes("victim@x.org@203.0.113.7", elsewhere).map(|(s, _)| s);
        assert!(forged.iter().all(|f| !owners.contains(f)), "{forged:?} against {owners:?}");
    }

    #[test]
    fn a_window_limit_waits_until_the_oldest_failure_leaves() {
        let now = Utc::now();
        assert_eq!(wait_for(Limit::Window(5), &failures(4, 10, now), now), None);
        let wait = wait_for(Limit::Window(5), &failures(5, 10, now), now).unwrap();
        assert_eq!(wait, (WINDOW_MINUTES * 60 - 40) as u64);
    }

    /// A slowed scope waits longer after each failure, never more than a minute, and never past it.
    #[test]
    fn a_slowed_scope_waits_longer_each_time_but_never_locks_out() {
        let now = Utc::now();
        assert_eq!(wait_for(Limit::SlowAfter(10), &failures(9, 1, now), now), None);
        assert_eq!(wait_for(Limit::SlowAfter(10), &failures(10, 1, now), now), Some(2));
        assert_eq!(wait_for(Limit::SlowAfter(10), &failures(11, 1, now), now), Some(4));
        assert_eq!(wait_for(Limit::SlowAfter(10), &failures(500, 1, now), now), Some(LONGEST_WAIT_SECS as u64));
        let a_minute_later = now + Duration::seconds(LONGEST_WAIT_SECS);
        assert_eq!(wait_for(Limit::SlowAfter(10), &failures(500, 1, now), a_minute_later), None);
    }
}
