//! Prometheus metrics, served at `/metrics` on their own address (`SWN_METRICS_LISTEN`, off when unset, so they
//! are never public by accident). Counters and timings are kept in memory as things happen; the outbox and the
//! pool are read when scraped, so every instance reports the whole outbox as the database holds it.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::App;
use crate::mail::outbox::Priority;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The route pattern (`/forum/t/{id}`), never the path: paths hold tokens and would be unbounded.
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

/// An outbox row's kind, as `mail::outbox::Priority` orders them.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
enum MailKind {
    transactional,
    chosen,
    bulk,
}

impl From<Priority> for MailKind {
    fn from(p: Priority) -> MailKind {
        match p {
            Priority::Transactional => MailKind::transactional,
            Priority::Chosen => MailKind::chosen,
            Priority::Bulk => MailKind::bulk,
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: MailKind,
}

/// How a delivery attempt failed.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum Failure {
    /// Refused for now; tried again later.
    temporary,
    /// Given up: refused for good, or too many temporary refusals.
    permanent,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FailureLabels {
    outcome: Failure,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    job: String,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
enum PoolState {
    in_use,
    idle,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: PoolState,
}

type Seconds = Gauge<f64, AtomicU64>;

/// This instance's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    delivered: Counter,
    failures: Family<FailureLabels, Counter>,
    job_last_run: Family<JobLabels, Seconds>,
    job_duration: Family<JobLabels, Seconds>,
    job_failures: Family<JobLabels, Counter>,
    outbox_waiting: Family<KindLabels, Gauge>,
    outbox_oldest: Family<KindLabels, Seconds>,
    outbox_failed: Gauge,
    pool: Family<PoolLabels, Gauge>,
    pool_max: Gauge,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut m = Metrics {
            registry: Registry::with_prefix("swn"),
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
            delivered: Counter::default(),
            failures: Family::default(),
            job_last_run: Family::default(),
            job_duration: Family::default(),
            job_failures: Family::default(),
            outbox_waiting: Family::default(),
            outbox_oldest: Family::default(),
            outbox_failed: Gauge::default(),
            pool: Family::default(),
            pool_max: Gauge::default(),
        };
        let r = &mut m.registry;
        r.register("http_requests", "Requests answered, by route pattern and status", m.requests.clone());
        r.register("http_request_duration_seconds", "Time to answer a request, by route pattern", m.latency.clone());
        r.register("mail_delivered", "E-mails the mail server accepted from this instance", m.delivered.clone());
        r.register("mail_failures", "Delivery attempts that failed, by outcome", m.failures.clone());
        r.register(
            "job_last_run_timestamp_seconds",
            "When each job last finished a round (Unix time)",
            m.job_last_run.clone(),
        );
        r.register("job_last_duration_seconds", "How long each job's last round took", m.job_duration.clone());
        r.register("job_failures", "Rounds of each job that failed", m.job_failures.clone());
        r.register("outbox_waiting", "E-mails waiting to be sent (or being sent), by kind", m.outbox_waiting.clone());
        r.register(
            "outbox_oldest_waiting_seconds",
            "Age of the oldest e-mail waiting, by kind (0 when none)",
            m.outbox_oldest.clone(),
        );
        r.register("outbox_failed", "E-mails given up, until an organiser retries them", m.outbox_failed.clone());
        r.register("db_pool_connections", "Database connections of this instance, by state", m.pool.clone());
        r.register("db_pool_max_connections", "Most database connections this instance opens", m.pool_max.clone());
        m
    }
}

impl Metrics {
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let (method, route) = (method.to_string(), route.to_string());
        self.requests.get_or_create(&RequestLabels { method: method.clone(), route: route.clone(), status }).inc();
        self.latency.get_or_create(&RouteLabels { method, route }).observe(seconds);
    }

    pub fn delivered(&self) {
        self.delivered.inc();
    }

    pub fn delivery_failed(&self, outcome: Failure) {
        self.failures.get_or_create(&FailureLabels { outcome }).inc();
    }

    pub fn job_ran(&self, job: &str, seconds: f64, failed: bool) {
        let labels = JobLabels { job: job.to_string() };
        self.job_last_run.get_or_create(&labels).set(Utc::now().timestamp_millis() as f64 / 1000.0);
        self.job_duration.get_or_create(&labels).set(seconds);
        if failed {
            self.job_failures.get_or_create(&labels).inc();
        }
    }

    /// Reads the outbox and the pool, then writes everything in the OpenMetrics text format.
    async fn render(&self, app: &App) -> anyhow::Result<String> {
        let now = Utc::now();
        let waiting = crate::mail::outbox::waiting_by_priority(&app.db).await?;
        for priority in [Priority::Transactional, Priority::Chosen, Priority::Bulk] {
            let labels = KindLabels { kind: priority.into() };
            let (count, oldest): (i64, Option<DateTime<Utc>>) =
                waiting.iter().find(|w| w.0 == priority).map(|w| (w.1, w.2)).unwrap_or((0, None));
            self.outbox_waiting.get_or_create(&labels).set(count);
            let age = oldest.map(|t| (now - t).num_milliseconds().max(0) as f64 / 1000.0).unwrap_or(0.0);
            self.outbox_oldest.get_or_create(&labels).set(age);
        }
        self.outbox_failed.set(crate::mail::outbox::count_failed(&app.db).await?);
        let pool = app.db.pool_use();
        self.pool.get_or_create(&PoolLabels { state: PoolState::in_use }).set(i64::from(pool.in_use));
        self.pool.get_or_create(&PoolLabels { state: PoolState::idle }).set(i64::from(pool.open - pool.in_use));
        self.pool_max.set(i64::from(pool.max));
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// The metrics address's routes: `/metrics` for the one network of an installation; with a networks file each network's at
/// `/metrics/<name>`, one target each for Prometheus.
pub fn router(apps: &[App]) -> Router {
    let router = match apps {
        [one] if one.config.network.is_none() => Router::new().route("/metrics", get(metrics)).with_state(one.clone()),
        several => {
            let by_name: HashMap<String, App> =
                several.iter().filter_map(|a| Some((a.config.network.clone()?, a.clone()))).collect();
            Router::new().route("/metrics/{network}", get(network_metrics)).with_state(Arc::new(by_name))
        }
    };
    router.fallback(|| async {
        (StatusCode::NOT_FOUND, "Not found: the metrics are at /metrics, or /metrics/<network> for several\n")
    })
}

async fn network_metrics(State(networks): State<Arc<HashMap<String, App>>>, Path(name): Path<String>) -> Response {
    match networks.get(&name) {
        Some(app) => metrics(State(app.clone())).await,
        None => (StatusCode::NOT_FOUND, "No network of that name\n").into_response(),
    }
}

async fn metrics(State(app): State<App>) -> Response {
    match app.metrics.render(&app).await {
        Ok(text) => ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text)
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "could not read the figures for /metrics");
            (StatusCode::SERVICE_UNAVAILABLE, "the database did not answer\n").into_response()
        }
    }
}
