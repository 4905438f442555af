//! Background jobs inside `swn serve`, through one helper: each runs its work now, then again every period
//! (or sooner when woken), logs a failure and tries again next time, and stops when the server shuts down.
//! Work that several instances could do at once claims it first (a lease or a conditional update), so the
//! helper itself needs no lock.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::App;

/// The jobs one server runs, and the switch that stops them.
pub struct Jobs {
    app: App,
    stop: watch::Receiver<bool>,
    running: Vec<JoinHandle<()>>,
}

impl Jobs {
    pub fn new(app: App, stop: watch::Receiver<bool>) -> Jobs {
        Jobs { app, stop, running: Vec::new() }
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
        let mut stop = self.stop.clone();
        self.running.push(tokio::spawn(async move {
            loop {
                if *stop.borrow() {
                    return;
                }
                match work(app.clone()).await {
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
                    _ = stop.changed() => return,
                }
            }
        }));
    }

    /// Waits for every job to finish the round it is in (they stop once the switch is thrown).
    pub async fn finish(self) {
        for job in self.running {
            if let Err(e) = job.await {
                tracing::error!(error = %e, "a background job ended abnormally");
            }
        }
    }
}
