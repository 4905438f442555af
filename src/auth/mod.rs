//! Accounts, passwords, sessions, sign-in throttling, one-time links, and `policy`: every access rule.

mod model;
pub mod password;
pub mod policy;
mod routes;
pub mod service;
pub mod session;
mod store;
pub mod throttle;
pub mod tokens;

pub use model::{Role, User, UserRow, Viewer};
pub use store::{insert_user, user_by_email, user_by_id};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// The viewer the `browser` middleware found for this request.
impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Viewer>().cloned().unwrap_or_default())
    }
}

use futures_util::future::BoxFuture;
use serde_json::json;

use crate::App;
use crate::db::Tx;
use crate::feature::{Feature, Outcome, Person};

/// Accounts and signing in, as the program's list of features sees it.
pub struct Accounts;

impl Feature for Accounts {
    fn name(&self) -> &'static str {
        "account"
    }

    fn pages(&self, _app: &App) -> axum::Router<App> {
        routes::routes()
    }

    /// Sessions and one-time links past their time go (a day after).
    fn jobs(&self, _app: &App, jobs: &mut crate::jobs::Jobs) {
        jobs.every("expired sessions and links", std::time::Duration::from_secs(6 * 3600), |app| async move {
            Ok(service::prune_expired(&app, chrono::Utc::now()).await? as usize)
        });
    }

    fn export<'a>(&'a self, app: &'a App, person: &'a Person) -> BoxFuture<'a, Outcome<Option<serde_json::Value>>> {
        Box::pin(async move {
            let Some(row) = store::user_by_id(&app.db, &person.id).await? else { return Ok(None) };
            let sessions = store::count_sessions_of(&app.db, &person.id).await?;
            Ok(Some(json!({
                "name": row.name, "email": row.email, "role": row.role, "suspended": row.suspended,
                "job_title": row.job_title, "created_at": row.created_at, "membership_ends_at": row.membership_ends_at,
                "signed_in_devices": sessions,
            })))
        })
    }

    fn erase<'a>(&'a self, _app: &'a App, tx: &'a mut Tx, person: &'a Person) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async move { Ok(store::erase_person(tx, person).await?) })
    }
}

/// Empties the account row of everything personal, last in an erasure (see `feature::erase_person`).
pub async fn anonymise(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    store::anonymise(tx, user_id).await
}
