//! The mail worker inside `swn serve`: drains the outbox, retries temporary failures with back-off, and gives
//! up on permanent ones. A message is marked sent only after the transport accepted it; a crash between the
//! two is the only way a message goes out twice, and the lease brings back any message a crash left behind.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Notify, watch};

use super::outbox;
use super::transport::{SendError, Transport};
use crate::App;

/// How long a claimed message is reserved for the worker that took it.
const LEASE_SECS: i64 = 300;
/// Attempts before a temporarily failing message is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// Back-off before attempt `attempts + 1`: 30 s, 1 min, 2 min, ... at most 2 hours.
pub fn backoff(attempts: i64) -> chrono::Duration {
    let secs = 30i64.saturating_mul(1i64 << attempts.clamp(0, 12) as u32 >> 1).min(7200);
    chrono::Duration::seconds(secs.max(30))
}

pub async fn run(app: App, transport: Arc<Transport>, wake: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
    loop {
        match deliver_due(&app, &transport).await {
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "mail worker could not read the outbox"),
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(app.config.mail_poll) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Delivers every message that is due now; returns how many were attempted.
pub async fn deliver_due(app: &App, transport: &Transport) -> Result<usize, sqlx::Error> {
    let mut attempted = 0;
    while let Some(message) = outbox::claim_next(&app.db, Utc::now(), chrono::Duration::seconds(LEASE_SECS)).await? {
        attempted += 1;
        match transport.send(&app.config.mail_from, &message).await {
            Ok(()) => {
                outbox::mark_sent(&app.db, &message.id, Utc::now()).await?;
                tracing::info!(outbox_id = %message.id, "e-mail delivered");
            }
            Err(SendError::Temporary(e)) if message.attempts < MAX_ATTEMPTS => {
                let retry_at = Utc::now() + backoff(message.attempts);
                tracing::warn!(outbox_id = %message.id, error = %e, attempts = message.attempts, "e-mail delivery failed; will retry");
                outbox::mark_failed(&app.db, &message.id, &e, Some(retry_at)).await?;
            }
            Err(SendError::Temporary(e) | SendError::Permanent(e)) => {
                tracing::error!(outbox_id = %message.id, error = %e, "e-mail delivery failed for good");
                outbox::mark_failed(&app.db, &message.id, &e, None).await?;
            }
        }
        if attempted % 50 == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    Ok(attempted)
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(1).num_seconds(), 30);
        assert_eq!(backoff(2).num_seconds(), 60);
        assert_eq!(backoff(3).num_seconds(), 120);
        assert_eq!(backoff(20).num_seconds(), 7200);
    }
}
