//! For operators: `/healthz` (the process answers) and `/readyz` (and so does the database, and it is not
//! stopping) for load balancers; request logs and metrics; backups.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

use crate::App;

pub mod backup;
pub mod metrics;
pub mod observe;

pub fn routes() -> Router<App> {
    Router::new().route("/healthz", get(|| async { "ok\n" })).route("/readyz", get(ready))
}

/// How long readiness waits for the database: a load balancer asks often and wants an answer at once.
const READY_WITHIN: std::time::Duration = std::time::Duration::from_secs(1);

async fn ready(State(app): State<App>) -> (StatusCode, &'static str) {
    if !app.is_serving() {
        // From the first signal, so a load balancer sends no new requests while the process drains.
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n");
    }
    match tokio::time::timeout(READY_WITHIN, app.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready\n"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database not reachable\n")
        }
        Err(_) => {
            tracing::warn!("the database did not answer within a second");
            (StatusCode::SERVICE_UNAVAILABLE, "database not answering\n")
        }
    }
}
