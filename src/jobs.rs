//! Background jobs inside `swn serve`, through one helper: each runs its work now, then again every period
//! (or sooner when woken), logs a failure and tries again next time, and stops when the server drains (see
//! `Phase`): a round in hand finishes within the shutdown grace; then the phase turns to closing (the mail
//! worker puts back what it holds) and, a moment later, what still runs is cut off.
//! Work that several instances could do at once claims it first (a lease or a conditional update), so the
//! helper itself needs no lock.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::{App, Phase};

/// How long a job told to close (the grace is over) has to put its work back before it is cut off.
const CLOSING: Duration = Duration::from_secs(3);

/// The jobs one server runs.
pub struct Jobs {
    app: App,
    running: Vec<JoinHandle<()>>,
}

impl Jobs {
    pub fn new(app: App) -> Jobs {
        Jobs { app, running: Vec::new() }
    }

    /// Runs `work` now and then every `period`, until shutdown.
    pub fn every<F, Fut>(&mut self, name: &'static str, period: Duration, work: F)
    where
        F: Fn(App) -> Fut + Send + 'static,
        Fut: Future<Output = anyhow::Result<usize>> + Send + 'static,
    {
        self.start(name, period, None, work);
    }

    /// Runs `work` now, whenever `wake` is notified, and at least every `period`, until shutdown.
    pub fn on_wake<F, Fut>(&mut self, name: &'static str, wake: Arc<Notify>, period: Duration, work: F)
    where
        F: Fn(App) -> Fut + Send + 'static,
        Fut: Future<Output = anyhow::Result<usize>> + Send + 'static,
    {
        self.start(name, period, Some(wake), work);
    }

    fn start<F, Fut>(&mut self, name: &'static str, period: Duration, wake: Option<Arc<Notify>>, work: F)
    where
        F: Fn(App) -> Fut + Send + 'static,
        Fut: Future<Output = anyhow::Result<usize>> + Send + 'static,
    {
        let app = self.app.clone();
        let mut phase = app.phase_changes();
        self.running.push(tokio::spawn(async move {
            loop {
                if *phase.borrow_and_update() != Phase::Serving {
                    return;
                }
                let started = std::time::Instant::now();
                let outcome = work(app.clone()).await;
                app.metrics.job_ran(name, started.elapsed().as_secs_f64(), outcome.is_err());
                match outcome {
                    Ok(0) => {}
                    Ok(done) => tracing::debug!(job = name, done, "job ran"),
                    Err(e) => tracing::warn!(job = name, error = %e, "job failed; will try again"),
                }
                let woken = async {
                    match &wake {
                        Some(wake) => wake.notified().await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    _ = woken => {}
                    _ = tokio::time::sleep(period) => {}
                    _ = phase.changed() => {}
                }
            }
        }));
    }

    /// Once draining, waits until `deadline` for every job to finish the round it is in; then tells the rest
    /// to close (put back what they hold) and, after a moment for that, cuts them off.
    pub async fn finish(mut self, deadline: tokio::time::Instant) {
        let mut all = futures_util::future::join_all(self.running.iter_mut());
        let results = match tokio::time::timeout_at(deadline, &mut all).await {
            Ok(results) => results,
            Err(_) => {
                tracing::warn!("background work still in hand at the end of the shutdown grace; putting it back");
                self.app.enter(Phase::Closing);
                match tokio::time::timeout(CLOSING, &mut all).await {
                    Ok(results) => results,
                    Err(_) => {
                        drop(all);
                        for job in &self.running {
                            job.abort();
                        }
                        return;
                    }
                }
            }
        };
        for result in results {
            if let Err(e) = result {
                tracing::error!(error = %e, "a background job ended abnormally");
            }
        }
    }
}
