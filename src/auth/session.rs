//! Server-side sessions. The cookie holds 256 random bits; the table holds their hash. A session ends after
//! a period without use (idle: short by default, longer when the person asked to be kept signed in on this
//! device) and in any case some weeks after sign-in (absolute).

use chrono::{Duration, Utc};

use super::model::{User, Viewer};
use super::{policy, store, tokens};
use crate::App;
use crate::config::Config;
use crate::db::Tx;

/// `last_seen_at` is written at most this often, so that reading a page is not a write.
const TOUCH_EVERY_SECS: i64 = 300;

/// How long a session lasts without use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Length {
    /// The default (`SWN_SESSION_IDLE_HOURS`), for a device that may not be the person's own; its cookie ends
    /// with the browser.
    #[default]
    Short,
    /// "Keep me signed in on this device" (`SWN_KEPT_SESSION_IDLE_DAYS`); its cookie outlives the browser.
    Kept,
}

impl Length {
    pub fn from_choice(keep: bool) -> Length {
        if keep { Length::Kept } else { Length::Short }
    }

    pub fn idle(self, config: &Config) -> Duration {
        let idle = match self {
            Length::Short => config.session_idle,
            Length::Kept => config.kept_session_idle,
        };
        // The configuration allows at most a year, which always fits.
        Duration::from_std(idle).unwrap_or(Duration::MAX)
    }
}

/// A session just begun: the cookie's value, and how long it lasts.
pub struct Started {
    pub token: String,
    pub length: Length,
}

/// The viewer a session cookie stands for, or `None` when the session is unknown, expired, or its user may
/// no longer hold one. When the user's rights changed since, the session gets a new id: the second value is
/// the new session to send.
pub async fn load(app: &App, token: &str) -> Result<Option<(Viewer, Option<Started>)>, sqlx::Error> {
    let id_hash = tokens::hash(token);
    let Some(row) = store::session_user(&app.db, &id_hash).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    let length = Length::from_choice(row.kept);
    let absolute = Duration::from_std(app.config.session_absolute).unwrap_or(Duration::days(60));
    let user = User::from(row.user);
    if row.last_seen_at + length.idle(&app.config) < now
        || row.session_created_at + absolute < now
        || !policy::may_hold_session(&user)
    {
        store::delete_session(&app.db, &id_hash).await?;
        return Ok(None);
    }
    if row.rotate {
        // A new id for the same session: it keeps its length and its sign-in time, so the absolute limit holds.
        let mut tx = app.db.begin().await?;
        store::delete_session_in(&mut tx, &id_hash).await?;
        let token = tokens::random_token();
        store::insert_session(&mut tx, &tokens::hash(&token), &user.id, row.kept, row.session_created_at).await?;
        tx.commit().await?;
        let viewer = Viewer::signed_in(user, tokens::hash(&token), length);
        return Ok(Some((viewer, Some(Started { token, length }))));
    }
    if (now - row.last_seen_at).num_seconds() > TOUCH_EVERY_SECS {
        store::touch_session(&app.db, &id_hash, now).await?;
    }
    Ok(Some((Viewer::signed_in(user, id_hash, length), None)))
}

/// Starts a session for `user_id`, ending `previous` (the browser's old session, if any) in the same
/// transaction: a new id at every sign-in, so that an id planted before sign-in is worth nothing.
pub async fn start(tx: &mut Tx, user_id: &str, previous: Option<&str>, length: Length) -> Result<Started, sqlx::Error> {
    if let Some(old) = previous {
        store::delete_session_in(tx, old).await?;
    }
    let token = tokens::random_token();
    store::insert_session(tx, &tokens::hash(&token), user_id, length == Length::Kept, Utc::now()).await?;
    Ok(Started { token, length })
}
