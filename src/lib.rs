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
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

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
    &library::Library,
    &newsletters::Newsletters,
    &toolkit::Toolkit,
    &benchmark::Benchmark,
    &awards::Awards,
    &api::ApiTokens,
];

/// The application's state, shared by every request and worker. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub config: Arc<Config>,
    /// Signs the links in e-mails (preferences, one-click unsubscribe); kept in the database.
    pub signing_key: mail::links::SigningKey,
    mail_wake: Arc<Notify>,
    newsletter_wake: Arc<Notify>,
}

/// Connects to the database, trying again for up to `SWN_DATABASE_WAIT_SECONDS` while it cannot be reached (a
/// database starting beside the program), and saying each time why.
async fn connect_waiting(config: &Config) -> anyhow::Result<Db> {
    let started = std::time::Instant::now();
    loop {
        match Db::connect(&config.database_url).await {
            Ok(db) => return Ok(db),
            Err(db::ConnectError::Unreachable(e)) if started.elapsed() < config.database_wait => {
                tracing::warn!(error = %e, "the database cannot be reached yet; trying again");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
            Err(e) => return Err(e.into()),
        }
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
        Ok(App {
            db,
            config: Arc::new(config),
            signing_key,
            mail_wake: Arc::new(Notify::new()),
            newsletter_wake: Arc::new(Notify::new()),
        })
    }

    /// Tells the mail worker there is something new in the outbox (after the transaction committed).
    pub fn wake_mail(&self) {
        self.mail_wake.notify_one();
    }

    /// Tells the newsletter job an issue is ready to go out.
    pub fn wake_newsletters(&self) {
        self.newsletter_wake.notify_one();
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
        .layer(
            // Log the route pattern, never the path itself: paths can hold one-time tokens.
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
                    tracing::info_span!("request", method = %request.method(), route = route.as_deref().unwrap_or("(no route)"))
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .with_state(app)
}

/// Every request has 30 s; inside the error layers, so that a time-out gets a page (or a problem) like any error.
pub fn request_timeout() -> TimeoutLayer {
    TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30))
}

/// A bound server, not yet serving: tests bind port 0 and read the address.
pub struct Server {
    pub app: App,
    pub addr: SocketAddr,
    listener: TcpListener,
}

impl Server {
    pub async fn bind(app: App) -> anyhow::Result<Server> {
        let listener = TcpListener::bind(app.config.listen)
            .await
            .with_context(|| format!("could not listen on {}", app.config.listen))?;
        Server::from_listener(app, listener)
    }

    /// Serves on a listener bound by the caller (tests bind port 0 before they know the base URL).
    pub fn from_listener(app: App, listener: TcpListener) -> anyhow::Result<Server> {
        let addr = listener.local_addr()?;
        Ok(Server { app, addr, listener })
    }

    /// Serves until `shutdown` completes, with the mail worker beside it; then finishes the requests in
    /// flight, stops the worker and closes the database.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let transport = Arc::new(match &self.app.config.smtp_url {
            Some(url) => mail::transport::Transport::smtp(url)?,
            None => mail::transport::Transport::files(self.app.config.outbox_dir()).with_context(|| {
                format!("could not create the outbox folder {}", self.app.config.outbox_dir().display())
            })?,
        });
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut jobs = jobs::Jobs::new(self.app.clone(), stop_rx);
        jobs.on_wake("mail", self.app.mail_wake.clone(), self.app.config.mail_poll, move |app| {
            let transport = transport.clone();
            async move { Ok(mail::worker::deliver_due(&app, &transport).await?) }
        });
        jobs.every("sent mail bodies", std::time::Duration::from_secs(6 * 3600), |app| async move {
            let before = chrono::Utc::now() - chrono::Duration::days(mail::outbox::KEEP_SENT_BODIES_DAYS);
            Ok(mail::outbox::prune_bodies(&app.db, before).await? as usize)
        });
        for feature in FEATURES {
            feature.jobs(&self.app, &mut jobs);
        }
        web::serve::serve(self.listener, router(self.app.clone()), self.app.config.connections, shutdown).await?;
        let _ = stop_tx.send(true);
        jobs.finish().await;
        self.app.db.close().await;
        Ok(())
    }
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
