//! The mail worker inside `swn serve`: drains the outbox, retries temporary failures with back-off, and gives
//! up on permanent ones. A message is marked sent only after the transport accepted it; a crash between the
//! two is the only way a message goes out twice, and the lease brings back any message a crash left behind.
//! With `SWN_MAIL_RATE`, the worker paces itself to that many messages a second (per instance); with
//! `SWN_NETWORK_MAIL_RATE`, every instance also takes its turns from one row in the database, so the network
//! as a whole keeps to that rate. Once the
//! process drains it takes no new message; one still with the mail server when the grace runs out is put back.

use std::time::Duration;

use chrono::Utc;

use super::transport::{SendError, Transport};
use super::{outbox, suppression};
use crate::ops::metrics::Failure;
use crate::{App, Phase};

/// Attempts before a temporarily failing message is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// Back-off before attempt `attempts + 1`: 30 s, 1 min, 2 min, ... at most 2 hours.
pub fn backoff(attempts: i64) -> chrono::Duration {
    let secs = 30i64.saturating_mul(1i64 << attempts.clamp(0, 12) as u32 >> 1).min(7200);
    chrono::Duration::seconds(secs.max(30))
}

/// Delivers every message that is due now, `SWN_MAIL_CONCURRENCY` at a time; returns how many were attempted.
/// Several deliveries in flight keep a slow mail server from setting the pace of a large send; each lane keeps
/// its own connection (`transport::Lane`).
pub async fn deliver_due(app: &App, transport: &Transport) -> Result<usize, sqlx::Error> {
    let pacer = Pacer::new(app.config.mail_rate, app.config.network_mail_rate);
    let lanes = (0..app.config.mail_concurrency.max(1)).map(|_| deliver_lane(app, transport, &pacer));
    let mut attempted = 0;
    for lane in futures_util::future::join_all(lanes).await {
        attempted += lane?;
    }
    Ok(attempted)
}

/// One delivery lane: claims and sends due messages one after another until none is left or the process
/// drains.
async fn deliver_lane(app: &App, transport: &Transport, pacer: &Pacer) -> Result<usize, sqlx::Error> {
    let lease = chrono::Duration::from_std(app.config.mail_lease).unwrap_or(chrono::Duration::seconds(300));
    let mut attempted = 0;
    let mut phase = app.phase_changes();
    let mut lane = transport.lane();
    while app.is_serving() {
        // The turn first, then the claim: a message is never held while it waits for its turn (a long wait
        // could outlast its lease, and another instance would send it too).
        tokio::select! {
            turn = pacer.wait_turn(&app.db) => turn?,
            () = reached(&mut phase, Phase::Draining) => break,
        }
        let Some(message) = outbox::claim_next(&app.db, Utc::now(), lease).await? else {
            break;
        };
        attempted += 1;
        let sending = lane.send(&app.config.mail_from, app.config.mail_reply_to.as_ref(), &message);
        let outcome = tokio::select! {
            // A message the server accepted is recorded as sent, even when the grace ends at that moment.
            biased;
            outcome = sending => outcome,
            () = reached(&mut phase, Phase::Closing) => {
                // The grace is over with the mail server still on it: put it back for another instance (it
                // may then go twice, as after a crash, but it is not held for a lease).
                outbox::release(&app.db, &message, Utc::now()).await?;
                tracing::warn!(outbox_id = %message.id, "e-mail put back unsent at shutdown");
                break;
            }
        };
        match outcome {
            Ok(()) => {
                outbox::mark_sent(&app.db, &message.id, Utc::now()).await?;
                app.metrics.delivered();
                tracing::debug!(outbox_id = %message.id, "e-mail delivered");
            }
            Err(SendError::Temporary(e)) if message.attempts < MAX_ATTEMPTS => {
                let retry_at = Utc::now() + backoff(message.attempts);
                tracing::warn!(outbox_id = %message.id, error = %e, attempts = message.attempts, "e-mail delivery failed; will retry");
                outbox::mark_failed(&app.db, &message.id, &e, Some(retry_at)).await?;
                app.metrics.delivery_failed(Failure::temporary);
            }
            Err(SendError::Temporary(e)) => {
                tracing::error!(outbox_id = %message.id, error = %e, "e-mail delivery failed for good");
                outbox::mark_failed(&app.db, &message.id, &e, None).await?;
                app.metrics.delivery_failed(Failure::permanent);
            }
            Err(SendError::Permanent(e)) => {
                tracing::error!(outbox_id = %message.id, error = %e, "the mail server refused the e-mail for good");
                outbox::mark_bounced(&app.db, &message.id, &e).await?;
                app.metrics.delivery_failed(Failure::permanent);
                suppression::record_hard_failure(&app.db, &message.to_address, &e, Utc::now()).await?;
            }
        }
    }
    lane.close().await;
    Ok(attempted)
}

/// Completes once the process is at `phase` or later.
async fn reached(phase: &mut tokio::sync::watch::Receiver<Phase>, at: Phase) {
    let _ = phase.wait_for(|now| *now as u8 >= at as u8).await;
}

/// Spaces sends `1 / rate` seconds apart across all lanes of this instance, and `1 / network rate` across
/// every instance (no spacing where a rate is 0).
struct Pacer {
    gap: Option<Duration>,
    next: tokio::sync::Mutex<Option<tokio::time::Instant>>,
    network_gap: Option<Duration>,
}

impl Pacer {
    fn new(rate: u32, network_rate: u32) -> Pacer {
        let gap = |rate: u32| (rate > 0).then(|| Duration::from_secs(1) / rate);
        Pacer { gap: gap(rate), next: tokio::sync::Mutex::new(None), network_gap: gap(network_rate) }
    }

    async fn wait_turn(&self, db: &crate::db::Db) -> Result<(), sqlx::Error> {
        if let Some(gap) = self.gap {
            let slot = {
                let mut next = self.next.lock().await;
                let now = tokio::time::Instant::now();
                let slot = next.map_or(now, |n| n.max(now));
                *next = Some(slot + gap);
                slot
            };
            tokio::time::sleep_until(slot).await;
        }
        if let Some(gap) = self.network_gap {
            let now_us = Utc::now().timestamp_micros();
            let turn = outbox::take_network_turn(db, now_us, gap.as_micros() as i64).await?;
            tokio::time::sleep(Duration::from_micros(turn.saturating_sub(now_us).max(0) as u64)).await;
        }
        Ok(())
    }
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
