//! `swn`: the Smart Work Network platform. One program serves the public site, membership, meetings, the
//! members' forum and the news e-mails, on SQLite or PostgreSQL.

pub mod api;
pub mod auth;
pub mod awards;
pub mod benchmark;
pub mod config;
pub mod content;
pub mod db;
pub mod demo;
pub mod feature;
pub mod forum;
pub mod jobs;
pub mod library;
pub mod mail;
pub mod meetings;
pub mod membership;
pub mod messages;
pub mod newsletters;
pub mod ops;
pub mod search;
pub mod toolkit;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower_http::timeout::TimeoutLayer;

pub use config::Config;
use db::Db;
use feature::Feature;

/// The network's features. Adding one is a folder, its templates and migrations, and a line here.
pub static FEATURES: &[&dyn Feature] = &[
    &content::Site,
    &auth::Accounts,
    &membership::Membership,
    &meetings::Meetings,
    &forum::Forum,
    &messages::Messages,
    &library::Library,
    &newsletters::Newsletters,
    &toolkit::Toolkit,
    &benchmark::Benchmark,
    &awards::Awards,
    &api::ApiTokens,
];

/// The application's state, shared by every request and worker. One `Arc`, so a clone (each request takes
/// several, one per extractor and layer) is one count, where a copy of each part was seven and an allocation
/// (issue 22).
#[derive(Clone)]
pub struct App(Arc<AppState>);

/// What an [`App`] shares, read through it.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Signs the links in e-mails (preferences, one-click unsubscribe); kept in the database.
    pub signing_key: mail::links::SigningKey,
    mail_wake: Arc<Notify>,
    newsletter_wake: Arc<Notify>,
    phase: Arc<watch::Sender<Phase>>,
    /// This instance's figures for `/metrics`.
    pub metrics: Arc<ops::metrics::Metrics>,
}

/// Where a serving process is in its life. A stop (SIGTERM, Ctrl-C) moves it to `Draining`: `/readyz` says
/// 503, jobs and the mail worker take no new work and finish what is in hand; when `SWN_SHUTDOWN_SECONDS` runs
/// out it is `Closing`: what is still in hand is put back (leases released) for another instance to take at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Serving,
    Draining,
    Closing,
}

/// Connects to the database, trying again for up to `SWN_DATABASE_WAIT_SECONDS` while it cannot be reached (a
/// database starting beside the program), and saying each time why.
async fn connect_waiting(config: &Config) -> anyhow::Result<Db> {
    let started = std::time::Instant::now();
    loop {
        match Db::connect_with(&config.database_url, &config.pooling).await {
            Ok(db) => return Ok(db),
            Err(db::ConnectError::Unreachable(e)) if started.elapsed() < config.database_wait => {
                tracing::warn!(error = %e, "the database cannot be reached yet; trying again");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

impl std::ops::Deref for App {
    type Target = AppState;

    fn deref(&self) -> &AppState {
        &self.0
    }
}

impl App {
    /// Opens the database, brings its schema up to date, and writes the starting pages when missing.
    pub async fn open(config: Config) -> anyhow::Result<App> {
        if config.database_url.starts_with("sqlite:") {
            std::fs::create_dir_all(&config.data_dir)
                .with_context(|| format!("could not create the data folder {}", config.data_dir.display()))?;
        }
        let db = connect_waiting(&config).await?;
        let applied = db::migrate::run(&db).await.context("could not bring the database schema up to date")?;
        for name in applied {
            tracing::info!(migration = name, "migration applied");
        }
        for feature in FEATURES {
            feature.on_start(&db).await.with_context(|| format!("could not prepare {}", feature.name()))?;
        }
        let signing_key = mail::links::signing_key(&db).await?;
        Ok(App(Arc::new(AppState {
            db,
            config: Arc::new(config),
            signing_key,
            mail_wake: Arc::new(Notify::new()),
            newsletter_wake: Arc::new(Notify::new()),
            phase: Arc::new(watch::channel(Phase::Serving).0),
            metrics: Arc::new(ops::metrics::Metrics::default()),
        })))
    }

    /// The same application on another handle of its database (the tests compare the read paths).
    pub fn with_db(&self, db: Db) -> App {
        App(Arc::new(AppState { db, ..AppState::clone(&self.0) }))
    }

    /// Tells the mail worker there is something new in the outbox (after the transaction committed).
    pub fn wake_mail(&self) {
        self.mail_wake.notify_one();
    }

    /// Tells the newsletter job an issue is ready to go out.
    pub fn wake_newsletters(&self) {
        self.newsletter_wake.notify_one();
    }

    pub fn phase(&self) -> Phase {
        *self.phase.borrow()
    }

    /// Whether new work may still be taken (no stop has been asked).
    pub fn is_serving(&self) -> bool {
        self.phase() == Phase::Serving
    }

    /// Follows the phase, for work that must stop or put things back when it changes.
    pub fn phase_changes(&self) -> watch::Receiver<Phase> {
        self.phase.subscribe()
    }

    /// Moves to a later phase (never back).
    pub fn enter(&self, phase: Phase) {
        self.phase.send_if_modified(|now| {
            let later = phase as u8 > *now as u8;
            if later {
                *now = phase;
            }
            later
        });
    }

    /// What the newsletter job waits on between rounds.
    pub fn newsletter_wake(&self) -> Arc<Notify> {
        self.newsletter_wake.clone()
    }
}

/// Every route of the application, with the layers every request passes through.
pub fn router(app: App) -> Router {
    let upload_limit = app.config.max_upload_bytes + 256 * 1024;
    let mut site = Router::new();
    for feature in FEATURES {
        site = site.merge(feature.pages(&app));
    }
    let site = site
        .merge(search::routes())
        .merge(ops::routes())
        .route("/static/{name}", get(web::assets::asset))
        .fallback(|| async { web::AppError::NotFound })
        // Listed innermost first: a request meets them from the bottom up.
        .layer(from_fn_with_state(app.clone(), web::browser::verify_csrf))
        .layer(from_fn(web::browser::refuse_nul_in_address))
        .layer(request_timeout())
        .layer(from_fn(web::error::error_pages))
        .layer(from_fn_with_state(app.clone(), web::browser::browser));
    Router::new()
        .merge(site)
        .merge(api::routes(app.clone()))
        .layer(from_fn_with_state(app.clone(), web::headers::security_headers))
        .layer(DefaultBodyLimit::max(upload_limit))
        .layer(from_fn_with_state(app.clone(), ops::observe::observe))
        .with_state(app)
}

/// Every request has 30 s; inside the error layers, so that a time-out gets a page (or a problem) like any error.
pub fn request_timeout() -> TimeoutLayer {
    TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30))
}

/// A network and the host names it answers (none: every host, for the one network of an installation without
/// a networks file; beside others a network must name its hosts).
pub struct Hosted {
    pub app: App,
    pub hosts: Vec<String>,
}

/// A bound server, not yet serving: tests bind port 0 and read the address.
pub struct Server {
    /// What it serves: one network, or several chosen by host name (a networks file).
    pub networks: Vec<Hosted>,
    pub addr: SocketAddr,
    listener: TcpListener,
    /// `/metrics`'s own address, when `SWN_METRICS_LISTEN` is set.
    metrics: Option<TcpListener>,
}

impl Server {
    pub async fn bind(app: App) -> anyhow::Result<Server> {
        Server::bind_networks(vec![Hosted { app, hosts: Vec::new() }]).await
    }

    /// Several networks on one address (their installation's `SWN_LISTEN`, the same in each).
    pub async fn bind_networks(networks: Vec<Hosted>) -> anyhow::Result<Server> {
        let config = networks.first().map(|n| n.app.config.clone()).context("no network to serve")?;
        let listener =
            TcpListener::bind(config.listen).await.with_context(|| format!("could not listen on {}", config.listen))?;
        let metrics = match config.metrics_listen {
            Some(at) => Some(
                TcpListener::bind(at)
                    .await
                    .with_context(|| format!("could not listen on {at} for metrics (SWN_METRICS_LISTEN)"))?,
            ),
            None => None,
        };
        Ok(Server { metrics, ..Server::networks_from_listener(networks, listener)? })
    }

    /// Serves `/metrics` on a listener bound by the caller.
    pub fn with_metrics(self, listener: TcpListener) -> Server {
        Server { metrics: Some(listener), ..self }
    }

    /// Serves on a listener bound by the caller (tests bind port 0 before they know the base URL).
    pub fn from_listener(app: App, listener: TcpListener) -> anyhow::Result<Server> {
        Server::networks_from_listener(vec![Hosted { app, hosts: Vec::new() }], listener)
    }

    pub fn networks_from_listener(networks: Vec<Hosted>, listener: TcpListener) -> anyhow::Result<Server> {
        if networks.is_empty() {
            anyhow::bail!("no network to serve");
        }
        if networks.len() > 1 && networks.iter().any(|n| n.hosts.is_empty()) {
            anyhow::bail!("each of several networks names the hosts it answers");
        }
        let addr = listener.local_addr()?;
        Ok(Server { networks, addr, listener, metrics: None })
    }

    /// The installation's settings (listening, connections, the stop's grace), the same in every network.
    fn installation(&self) -> Arc<Config> {
        self.networks[0].app.config.clone()
    }

    /// Serves until `shutdown` completes, with each network's mail worker and jobs beside it; then drains: no
    /// new connections or work, the requests and deliveries in hand finish within `SWN_SHUTDOWN_SECONDS`, what
    /// is left after it is put back for another instance, and the databases are closed.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let installation = self.installation();
        let apps: Vec<App> = self.networks.iter().map(|n| n.app.clone()).collect();
        let mut all_jobs = Vec::with_capacity(apps.len());
        for app in &apps {
            all_jobs.push(network_jobs(app)?);
        }
        let grace = installation.shutdown_grace;
        let asked = Arc::new(std::sync::OnceLock::new());
        let draining = {
            let (asked, apps) = (asked.clone(), apps.clone());
            async move {
                shutdown.await;
                let _ = asked.set(tokio::time::Instant::now());
                for app in &apps {
                    app.enter(Phase::Draining);
                }
            }
        };
        let metrics = self.metrics.map(|listener| {
            let mut phase = apps[0].phase_changes();
            let stopped = async move {
                let _ = phase.wait_for(|p| *p != Phase::Serving).await;
            };
            let router = ops::metrics::router(&apps);
            tokio::spawn(web::serve::serve(listener, router, installation.connections, grace, stopped))
        });
        let site = match &self.networks[..] {
            [one] if one.hosts.is_empty() => router(one.app.clone()),
            several => web::hosts::by_host(
                several.iter().map(|n| (n.hosts.clone(), n.app.config.base_url.clone(), router(n.app.clone()))),
            ),
        };
        web::serve::serve(self.listener, site, installation.connections, grace, draining).await?;
        if let Some(metrics) = metrics {
            let _ = metrics.await;
        }
        // One grace from the stop for everything: the requests in hand above, then the jobs' rounds.
        let until = *asked.get().unwrap_or(&tokio::time::Instant::now()) + grace;
        futures_util::future::join_all(all_jobs.into_iter().map(|jobs| jobs.finish(until))).await;
        for app in &apps {
            // Closing waits for every borrowed connection; one still held by a cut-off request is not waited for.
            if tokio::time::timeout(Duration::from_secs(3), app.db.close()).await.is_err() {
                tracing::warn!("database connections still in use at the end of the stop; leaving them");
            }
        }
        Ok(())
    }
}

/// A network's mail worker and jobs, started.
fn network_jobs(app: &App) -> anyhow::Result<jobs::Jobs> {
    let transport = Arc::new(match &app.config.smtp_url {
        Some(url) => mail::transport::Transport::smtp(url).with_context(|| match &app.config.network {
            Some(name) => format!("network {name:?}'s mail server"),
            None => "the mail server".to_string(),
        })?,
        None => mail::transport::Transport::files(app.config.outbox_dir())
            .with_context(|| format!("could not create the outbox folder {}", app.config.outbox_dir().display()))?,
    });
    let mut jobs = jobs::Jobs::new(app.clone());
    jobs.on_wake("mail", app.mail_wake.clone(), app.config.mail_poll, move |app| {
        let transport = transport.clone();
        async move { Ok(mail::worker::deliver_due(&app, &transport).await?) }
    });
    jobs.every("sent mail bodies", std::time::Duration::from_secs(6 * 3600), |app| async move {
        let before = chrono::Utc::now() - chrono::Duration::days(mail::outbox::KEEP_SENT_BODIES_DAYS);
        Ok(mail::outbox::prune_bodies(&app.db, before).await? as usize)
    });
    for feature in FEATURES {
        feature.jobs(app, &mut jobs);
    }
    Ok(jobs)
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down");
}
