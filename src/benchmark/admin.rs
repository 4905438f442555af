//! Organisers' benchmark pages: the network's aggregate figures (never an organisation's own answers or
//! scores, and nothing from fewer than five organisations), the same as CSV open data, and tagging library
//! items, case studies and meetings with the dimensions they help with.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use serde::Deserialize;

use super::routes::{Group, PeersQuery, figure};
use super::service::{self, Peers};
use super::{Framework, store};
use crate::App;
use crate::auth::{Viewer, policy};
use crate::web::spreadsheet::CsvFile;
use crate::web::{AppError, AppResult, Form, Page, redirect_with_notice, render};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/admin/benchmark", get(overview))
        .route("/admin/benchmark/figures.csv", get(figures_csv))
        .route("/admin/benchmark/tags", axum::routing::post(tag))
}

/// Item kinds a dimension can be tagged on, with how they read.
pub const TAG_KINDS: [(&str, &str); 4] =
    [("article", "Article"), ("resource", "Resource"), ("case_study", "Case study"), ("meeting", "Meeting")];

pub struct FigureRow {
    pub name: String,
    pub cells: Vec<String>,
}

pub struct Item {
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub id: String,
    pub title: String,
}

pub struct TagLine {
    pub dimension_key: String,
    pub dimension: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub item_id: String,
    pub title: String,
}

#[derive(Template)]
#[template(path = "benchmark/admin.html")]
struct OverviewPage {
    page: Page,
    version: i64,
    label: String,
    n: usize,
    reason: Option<String>,
    rows: Vec<FigureRow>,
    overall: Vec<String>,
    high_performers: usize,
    groups: Vec<(String, Vec<Group>)>,
    query: String,
    dimensions: Vec<(String, String)>,
    items: Vec<Item>,
    tags: Vec<TagLine>,
}

async fn network_peers(app: &App, framework: &Framework, q: &PeersQuery) -> AppResult<Peers> {
    let regions = crate::membership::regions(&app.db).await?;
    let filter = q.filter(&regions)?;
    service::peers(app, framework, None, filter, Utc::now()).await
}

fn rows(framework: &Framework, peers: &Peers) -> Vec<FigureRow> {
    framework
        .dimensions
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let f = peers.figures.as_ref().and_then(|f| f.dimensions.get(i));
            let s = f.and_then(|f| f.spread.as_ref());
            FigureRow {
                name: d.name.clone(),
                cells: vec![
                    s.map_or_else(|| "–".into(), |s| s.n.to_string()),
                    figure(s.and_then(|s| s.p10)),
                    figure(s.map(|s| s.p25)),
                    figure(s.map(|s| s.median)),
                    figure(s.map(|s| s.p75)),
                    figure(s.and_then(|s| s.p90)),
                    figure(f.and_then(|f| f.high_performers_median)),
                ],
            }
        })
        .collect()
}

async fn items(app: &App, viewer: &Viewer) -> AppResult<Vec<Item>> {
    let now = Utc::now();
    let reach = crate::library::reach_of(app, viewer).await?;
    let filter = crate::library::Filter::default();
    let mut items = Vec::new();
    for a in crate::library::articles(&app.db, &reach, &filter, now).await? {
        items.push(Item { kind: "article", kind_label: "Article", id: a.id, title: a.title });
    }
    for r in crate::library::resources(&app.db, &reach, &filter, now).await? {
        items.push(Item { kind: "resource", kind_label: "Resource", id: r.id, title: r.title });
    }
    for c in crate::library::case_studies(&app.db, &reach, &filter, now).await? {
        items.push(Item { kind: "case_study", kind_label: "Case study", id: c.id, title: c.title });
    }
    for m in crate::meetings::upcoming_cards(app, viewer, 100).await? {
        items.push(Item {
            kind: "meeting",
            kind_label: "Meeting",
            id: m.slug,
            title: format!("{} ({})", m.title, m.date),
        });
    }
    Ok(items)
}

async fn overview(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Query(q): Query<PeersQuery>,
) -> AppResult<impl IntoResponse> {
    policy::require(&viewer, policy::can_run_benchmark(&viewer), "/admin/benchmark")?;
    let framework = super::current(&app.db).await?.ok_or(AppError::NotFound)?;
    let peers = network_peers(&app, &framework, &q).await?;
    let overall = peers.figures.as_ref().and_then(|f| f.overall.as_ref());
    let items = items(&app, &viewer).await?;
    let tags = store::tags(&app.db)
        .await?
        .into_iter()
        .map(|t| TagLine {
            dimension: framework
                .dimension(&t.dimension_key)
                .map_or_else(|| t.dimension_key.clone(), |d| d.name.clone()),
            kind_label: TAG_KINDS.iter().find(|(k, _)| *k == t.item_kind).map_or("Item", |(_, l)| l),
            title: items
                .iter()
                .find(|i| i.kind == t.item_kind && i.id == t.item_id)
                .map_or_else(|| format!("{} (no longer listed)", t.item_id), |i| i.title.clone()),
            dimension_key: t.dimension_key,
            kind: t.item_kind,
            item_id: t.item_id,
        })
        .collect();
    let regions = crate::membership::regions(&app.db).await?;
    render(&OverviewPage {
        page: page.titled("The benchmark: the network's figures").noindex(),
        version: framework.version,
        label: peers.shown.label(),
        n: peers.n,
        reason: peers.reason(),
        rows: rows(&framework, &peers),
        overall: overall.map_or_else(Vec::new, |s| {
            vec![figure(s.p10), figure(Some(s.p25)), figure(Some(s.median)), figure(Some(s.p75)), figure(s.p90)]
        }),
        high_performers: peers.figures.as_ref().map_or(0, |f| f.high_performers),
        groups: super::routes::groups(&peers.asked, regions),
        query: peers.asked.query(),
        dimensions: framework.dimensions.iter().map(|d| (d.key.clone(), d.name.clone())).collect(),
        items,
        tags,
    })
}

/// The same figures as open data: one row per dimension (and one for the overall score), under the same
/// threshold; withheld figures are empty cells.
async fn figures_csv(State(app): State<App>, viewer: Viewer, Query(q): Query<PeersQuery>) -> AppResult<Response> {
    policy::require(&viewer, policy::can_run_benchmark(&viewer), "/admin/benchmark")?;
    let framework = super::current(&app.db).await?.ok_or(AppError::NotFound)?;
    let peers = network_peers(&app, &framework, &q).await?;
    let mut csv = CsvFile::new(&[
        "framework_version",
        "group",
        "organisations",
        "dimension",
        "p10",
        "p25",
        "median",
        "p75",
        "p90",
        "high_performers_median",
    ])?;
    let cell = |x: Option<f64>| x.map(|v| format!("{v:.1}")).unwrap_or_default();
    let version = framework.version.to_string();
    let label = peers.shown.label();
    let n = peers.n.to_string();
    if let Some(figures) = &peers.figures {
        for (d, f) in framework.dimensions.iter().zip(&figures.dimensions) {
            let s = f.spread.as_ref();
            csv.row(&[
                &version,
                &label,
                &n,
                &d.name,
                &cell(s.and_then(|s| s.p10)),
                &cell(s.map(|s| s.p25)),
                &cell(s.map(|s| s.median)),
                &cell(s.map(|s| s.p75)),
                &cell(s.and_then(|s| s.p90)),
                &cell(f.high_performers_median),
            ])?;
        }
        let o = figures.overall.as_ref();
        csv.row(&[
            &version,
            &label,
            &n,
            "Overall",
            &cell(o.and_then(|s| s.p10)),
            &cell(o.map(|s| s.p25)),
            &cell(o.map(|s| s.median)),
            &cell(o.map(|s| s.p75)),
            &cell(o.and_then(|s| s.p90)),
            "",
        ])?;
    }
    csv.download(&format!("benchmark-figures-v{version}.csv"))
}

#[derive(Deserialize)]
struct TagForm {
    #[serde(default)]
    dimension: String,
    /// "kind:id"
    #[serde(default)]
    item: String,
    #[serde(default)]
    action: String,
}

async fn tag(State(app): State<App>, viewer: Viewer, Form(f): Form<TagForm>) -> AppResult<Response> {
    policy::require(&viewer, policy::can_run_benchmark(&viewer), "/admin/benchmark")?;
    let framework = super::current(&app.db).await?.ok_or(AppError::NotFound)?;
    let Some((kind, id)) = f.item.split_once(':') else {
        return Err(AppError::BadRequest("Choose an item to tag.".into()));
    };
    let Some((kind, _)) = TAG_KINDS.iter().find(|(k, _)| *k == kind) else {
        return Err(AppError::BadRequest("Choose an item to tag.".into()));
    };
    if f.action == "remove" {
        store::untag(&app.db, &f.dimension, kind, id).await?;
        return Ok(redirect_with_notice("/admin/benchmark#tags", "Tag removed."));
    }
    if framework.dimension(&f.dimension).is_none() {
        return Err(AppError::BadRequest("Choose a dimension of the framework.".into()));
    }
    if !items(&app, &viewer).await?.iter().any(|i| i.kind == *kind && i.id == id) {
        return Err(AppError::BadRequest("That item is not in the library or among the meetings coming up.".into()));
    }
    store::tag(&app.db, &f.dimension, kind, id).await?;
    Ok(redirect_with_notice("/admin/benchmark#tags", "Tagged."))
}
