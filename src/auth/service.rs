//! Account rules that are not HTTP: one-time links, first-organiser setup, creating organisers, roles.

use std::net::IpAddr;

use chrono::{Duration, Utc};

use super::model::{Role, User};
use super::{password, store, tokens};
use crate::App;
use crate::db::{Db, Tx, is_unique_violation};

pub const RESET_LINK_HOURS: i64 = 1;
pub const NEW_ACCOUNT_LINK_HOURS: i64 = 72;
pub const SETUP_LINK_HOURS: i64 = 24;

/// A one-time link that lets whoever holds it choose the password of `user_id`; any earlier one ends.
/// Written in the caller's transaction, beside the e-mail that carries it.
pub async fn insert_password_link(tx: &mut Tx, user_id: &str, hours: i64) -> Result<String, sqlx::Error> {
    store::end_password_links(tx, user_id).await?;
    let token = tokens::random_token();
    store::insert_token(tx, &tokens::hash(&token), "set_password", Some(user_id), Utc::now() + Duration::hours(hours))
        .await?;
    Ok(token)
}

/// A one-time link to create the first organiser, when there is none yet.
pub async fn issue_setup_link(app: &App) -> anyhow::Result<Option<String>> {
    if store::count_organisers(&app.db).await? > 0 {
        return Ok(None);
    }
    let token = tokens::random_token();
    let mut tx = app.db.begin().await?;
    store::insert_token(&mut tx, &tokens::hash(&token), "setup", None, Utc::now() + Duration::hours(SETUP_LINK_HOURS))
        .await?;
    tx.commit().await?;
    Ok(Some(app.config.link(&format!("/setup/{token}"))))
}

/// Why a one-time link cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub enum LinkProblem {
    Unknown,
    Used,
    Expired,
}

/// Checks a one-time link of `purpose`; gives the user it is for, if any.
pub async fn check_link(
    db: &Db,
    token: &str,
    purpose: &str,
) -> Result<Result<Option<String>, LinkProblem>, sqlx::Error> {
    let Some(t) = store::token(db, &tokens::hash(token)).await? else {
        return Ok(Err(LinkProblem::Unknown));
    };
    if t.purpose != purpose {
        return Ok(Err(LinkProblem::Unknown));
    }
    if t.used_at.is_some() {
        return Ok(Err(LinkProblem::Used));
    }
    if t.expires_at < Utc::now() {
        return Ok(Err(LinkProblem::Expired));
    }
    Ok(Ok(t.user_id))
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("an account with this e-mail address already exists")]
    EmailTaken,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Creates an organiser without a password, and a link for them to set one (`swn admin create-organiser`).
pub async fn create_organiser(app: &App, email: &str, name: &str) -> Result<String, CreateError> {
    let mut tx = app.db.begin().await?;
    let id = match store::insert_user(&mut tx, email, name, Role::Organiser, None).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => return Err(CreateError::EmailTaken),
        Err(e) => return Err(e.into()),
    };
    let token = insert_password_link(&mut tx, &id, NEW_ACCOUNT_LINK_HOURS).await?;
    tx.commit().await?;
    Ok(app.config.link(&format!("/password/reset/{token}")))
}

/// Creates an account with a password (the demo network, tests).
pub async fn create_user_with_password(
    app: &App,
    email: &str,
    name: &str,
    role: Role,
    password: &str,
) -> anyhow::Result<String> {
    let hash = password::hash(password.to_string()).await?;
    let mut tx = app.db.begin().await?;
    let id = store::insert_user(&mut tx, email, name, role, Some(&hash)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a user's role or suspension. A suspension ends all their sessions; a new role takes effect on their
/// next request, under a new session id, so no session id outlives a change of rights.
pub async fn change_role(db: &Db, user_id: &str, role: Role, suspended: bool) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let changed = store::set_role_and_suspension(&mut tx, user_id, role, suspended).await?;
    end_or_rotate_sessions(&mut tx, user_id, suspended).await?;
    tx.commit().await?;
    Ok(changed == 1)
}

/// After a change of rights: suspended people are signed out everywhere; others get new session ids.
pub async fn end_or_rotate_sessions(tx: &mut Tx, user_id: &str, suspended: bool) -> Result<(), sqlx::Error> {
    if suspended {
        store::delete_sessions_of(tx, user_id).await?;
    } else {
        store::rotate_sessions_of(tx, user_id).await?;
    }
    Ok(())
}

/// The network always keeps an active organiser: the last one cannot step down, be suspended or delete their
/// account. `stays` says whether, after the change, `target` is still an active organiser.
pub async fn would_leave_no_organiser(db: &Db, target: &User, stays: bool) -> Result<bool, sqlx::Error> {
    if target.role != Role::Organiser || target.suspended || stays {
        return Ok(false);
    }
    Ok(store::active_organisers_besides(db, &target.id).await? == 0)
}

/// Checks the password a signed-in person typed to confirm an action (changing the password, making an API
/// token, deleting the account): one limit for all of them, the sign-in's, so that a borrowed session cannot
/// guess it. A refusal past the limit is a 429 with `Retry-After`; a wrong password counts against it.
pub async fn confirm_password(app: &App, user: &User, ip: IpAddr, typed: &str) -> Result<bool, crate::web::AppError> {
    let attempt = match super::throttle::attempt(&app.db, &user.email, ip, Utc::now()).await? {
        Ok(attempt) => attempt,
        Err(retry_after_secs) => return Err(crate::web::AppError::TooManyRequests { retry_after_secs }),
    };
    let stored = store::user_by_id(&app.db, &user.id).await?.and_then(|u| u.password_hash);
    let right = typed.len() <= 1000 && password::verify(typed.to_string(), stored).await?;
    if right {
        attempt.succeeded(&app.db).await?;
    }
    Ok(right)
}

/// Retention (a day's grace after each limit, so nothing in use goes): sessions past their absolute limit or
/// idle past the longer idle period, and one-time links used or expired. Gives how many rows went.
pub async fn prune_expired(app: &App, now: chrono::DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let grace = Duration::days(1);
    let absolute = Duration::from_std(app.config.session_absolute).unwrap_or(Duration::days(60));
    let idle =
        Duration::from_std(app.config.kept_session_idle.max(app.config.session_idle)).unwrap_or(Duration::days(60));
    store::prune(&app.db, now - absolute - grace, now - idle - grace, now - grace).await
}
