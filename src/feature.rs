//! What a feature brings to the program, described once. Each feature folder implements `Feature` in its
//! `mod.rs`, and `lib.rs` lists them in `FEATURES`; the router, the API, `Server::run`, the personal data
//! export and erasure, `/search` and the newsletter's gathering go through that list instead of naming each
//! feature. Everything has a default, so a feature says only what it has.

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;

use crate::App;
use crate::auth::Viewer;
use crate::db::Tx;

/// The person whose data is exported or erased, as they were before anything was erased.
#[derive(Clone, Debug)]
pub struct Person {
    pub id: String,
    /// Lower-cased, as stored.
    pub email: String,
    pub name: String,
}

/// One hit of `/search`, whatever its kind. `snippet` is safe HTML: escaped text with the words in `<mark>`.
#[derive(Clone, Debug)]
pub struct Found {
    pub kind: &'static str,
    pub title: String,
    pub url: String,
    pub snippet: String,
    pub meta: String,
    /// How well it matched (higher first); hits of different kinds are ranked by it.
    pub score: usize,
}

/// What a search asks, already checked at the edge: the words (at most 200 characters, at most six words,
/// lower-cased), the kind wanted (`""` for every kind), and the forum's own filters.
#[derive(Clone, Debug)]
pub struct SearchRequest {
    pub q: String,
    pub words: Vec<String>,
    pub kind: String,
    /// The forum categories to search (those the viewer may read, narrowed by the category filter).
    pub categories: Vec<String>,
    pub answered: bool,
    pub since: DateTime<Utc>,
}

impl SearchRequest {
    /// Whether hits of this kind are wanted.
    pub fn wants(&self, kind: &str) -> bool {
        self.kind.is_empty() || self.kind == kind
    }
}

/// Something organisers should know is waiting, a card on their overview (`/admin`).
#[derive(Clone, Debug)]
pub struct Waiting {
    /// The card's heading, in organisers' words ("Applications waiting").
    pub title: &'static str,
    pub count: i64,
    /// What the number means when it is not zero ("waiting for your review"), and a line for each of the first
    /// few (oldest or soonest first).
    pub summary: String,
    pub details: Vec<String>,
    /// Where organisers deal with it.
    pub path: String,
    /// Whether it waits for an organiser's decision (as against something to keep an eye on).
    pub decision: bool,
}

/// An item a newsletter may carry: what it is, where it lives, and who may see it.
#[derive(Clone, Debug)]
pub struct NewsletterItem {
    pub kind: &'static str,
    pub title: String,
    pub summary: String,
    pub path: String,
    pub audience: crate::auth::policy::Audience,
}

pub type Outcome<T> = Result<T, anyhow::Error>;

/// A feature of the network. Implemented by a unit struct in each feature folder's `mod.rs`.
pub trait Feature: Sync {
    /// Its name in the network's words; the key of its part of a person's data export.
    fn name(&self) -> &'static str;

    /// What it needs in place before the first request (starting pages, default categories).
    fn on_start<'a>(&'a self, _db: &'a crate::db::Db) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async { Ok(()) })
    }

    /// Its pages and forms, behind the site's layers (session, form token, error pages).
    fn pages(&self, _app: &App) -> axum::Router<App> {
        axum::Router::new()
    }

    /// Its JSON API routes (under `/api/v1`, behind the bearer layer) with their part of the OpenAPI document.
    fn api(&self) -> Option<(axum::Router<App>, utoipa::openapi::OpenApi)> {
        None
    }

    /// Its background jobs, each started through `jobs::every` or `jobs::on_wake`.
    fn jobs(&self, _app: &App, _jobs: &mut crate::jobs::Jobs) {}

    /// Loads its part of the demo network (`swn demo`), in the list's order, so it may use what features
    /// before it loaded; gives what it loaded, in words.
    fn demo<'a>(&'a self, _app: &'a App, _organiser_id: &'a str) -> BoxFuture<'a, Outcome<Option<String>>> {
        Box::pin(async { Ok(None) })
    }

    /// Its part of everything the network holds about a person, for `/account/data`.
    fn export<'a>(&'a self, _app: &'a App, _person: &'a Person) -> BoxFuture<'a, Outcome<Option<serde_json::Value>>> {
        Box::pin(async { Ok(None) })
    }

    /// Erases its part of a person's data, inside the erasure's one transaction.
    fn erase<'a>(&'a self, _app: &'a App, _tx: &'a mut Tx, _person: &'a Person) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async { Ok(()) })
    }

    /// Follows an organiser's renaming of a region (the kept list's name is how regions are referred to), inside
    /// the renaming's one transaction.
    fn region_renamed<'a>(&'a self, _tx: &'a mut Tx, _old: &'a str, _new: &'a str) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async { Ok(()) })
    }

    /// What of it waits for organisers, for their overview.
    fn waiting<'a>(&'a self, _app: &'a App, _now: DateTime<Utc>) -> BoxFuture<'a, Outcome<Vec<Waiting>>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// Its hits for a search, within what the viewer may see.
    fn search<'a>(
        &'a self,
        _app: &'a App,
        _viewer: &'a Viewer,
        _request: &'a SearchRequest,
    ) -> BoxFuture<'a, Outcome<Vec<Found>>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// The kinds of newsletter item it offers (`news`, `meeting`, ...).
    fn newsletter_kinds(&self) -> &'static [&'static str] {
        &[]
    }

    /// Who one of its items (a kind it offers, named by the last part of its path) is for now: `None` once it
    /// is unpublished or gone, so a newsletter never carries an item further than the item itself now goes.
    fn newsletter_item_now<'a>(
        &'a self,
        _app: &'a App,
        _kind: &'a str,
        _key: &'a str,
        _now: DateTime<Utc>,
    ) -> BoxFuture<'a, Outcome<Option<crate::auth::policy::Audience>>> {
        Box::pin(async { Ok(None) })
    }

    /// What of it a person may attach to their organisation's award entry as evidence: the organisation's
    /// records this person may show (the feature's own rules decide), worded for a judge who cannot reach the
    /// feature's pages.
    fn evidence<'a>(
        &'a self,
        _app: &'a App,
        _organisation_id: &'a str,
        _person_id: &'a str,
    ) -> BoxFuture<'a, Outcome<Vec<Evidence>>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// The items it offers the next newsletter: what appeared since `since`, with each item's audience.
    fn newsletter_items<'a>(
        &'a self,
        _app: &'a App,
        _since: DateTime<Utc>,
        _now: DateTime<Utc>,
    ) -> BoxFuture<'a, Outcome<Vec<NewsletterItem>>> {
        Box::pin(async { Ok(Vec::new()) })
    }
}

/// A record of the network an organisation can attach to an award entry (a benchmark assessment's progress, a
/// finished trial, a team's plan, a case study), as the feature that holds it words it.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// `benchmark`, `trial`, `plan` or `case_study`.
    pub kind: &'static str,
    pub id: String,
    pub label: String,
    /// The figures, in a sentence.
    pub detail: String,
    /// Where anyone may read it (a public case study), if anywhere.
    pub public_link: Option<String>,
}

/// Everything a person may attach as their organisation's evidence, from every feature.
pub async fn evidence_of(app: &App, organisation_id: &str, person_id: &str) -> Outcome<Vec<Evidence>> {
    let mut all = Vec::new();
    for feature in crate::FEATURES {
        all.extend(feature.evidence(app, organisation_id, person_id).await?);
    }
    Ok(all)
}

/// Erases a person's personal data through every feature's eraser, in one transaction, then the account's
/// own name, address and password (the row stays, as "Former member", for what they wrote).
pub async fn erase_person(app: &App, person: &Person) -> Outcome<()> {
    let mut tx = app.db.begin().await?;
    for feature in crate::FEATURES {
        feature.erase(app, &mut tx, person).await?;
    }
    crate::mail::outbox::erase_address(&mut tx, &person.email).await?;
    crate::auth::anonymise(&mut tx, &person.id).await?;
    tx.commit().await?;
    // A freed meeting place may have gone to the waitlist, with an e-mail.
    app.wake_mail();
    Ok(())
}

/// What waits for organisers, feature by feature in the list's order.
pub async fn waiting(app: &App, now: DateTime<Utc>) -> Outcome<Vec<Waiting>> {
    let mut all = Vec::new();
    for feature in crate::FEATURES {
        all.extend(feature.waiting(app, now).await?);
    }
    Ok(all)
}

/// Renames a region everywhere it is named, through every feature, in one transaction.
pub async fn rename_region(app: &App, old: &str, new: &str) -> Outcome<()> {
    let mut tx = app.db.begin().await?;
    for feature in crate::FEATURES {
        feature.region_renamed(&mut tx, old, new).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Every feature's part of a person's data, under each feature's name.
pub async fn export_person(app: &App, person: &Person) -> Outcome<serde_json::Map<String, serde_json::Value>> {
    let mut parts = serde_json::Map::new();
    for feature in crate::FEATURES {
        if let Some(part) = feature.export(app, person).await? {
            parts.insert(feature.name().to_string(), part);
        }
    }
    Ok(parts)
}
