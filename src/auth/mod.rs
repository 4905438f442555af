//! Accounts, passwords, sessions, sign-in throttling, one-time links, and `policy`: every access rule.

pub mod model;
pub mod password;
pub mod policy;
pub mod routes;
pub mod service;
pub mod session;
pub mod store;
pub mod throttle;
pub mod tokens;

pub use model::{Role, User, Viewer};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// The viewer the `browser` middleware found for this request.
impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Viewer>().cloned().unwrap_or_default())
    }
}
