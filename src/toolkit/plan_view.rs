//! The plan page and its CSV: the engine's figures with their working, the forecast against the desks and
//! each person's week as server-rendered SVG charts, each with the same figures in a table.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::planner::{Confidence, Flag, Forecast, Plan, RotaDay, Weekday};
use super::routes::{Reached, reach};
use crate::App;
use crate::auth::Viewer;
use crate::web::spreadsheet::CsvFile;
use crate::web::{AppResult, FieldErrors, Page, render};

/// One bar pair of the forecast chart: where it is drawn and what it says.
pub struct Bar {
    pub x: u32,
    pub label: String,
    pub planned: u32,
    pub desks: u32,
    pub planned_y: u32,
    pub planned_h: u32,
    pub desks_y: u32,
    pub desks_h: u32,
    pub over: bool,
}

/// The forecast chart of one site.
pub struct Chart {
    pub site: String,
    pub width: u32,
    pub bars: Vec<Bar>,
    pub rows: Vec<Forecast>,
}

/// The chart's drawing area: bars grow up from `BASE` to at most `TALL` pixels.
const TALL: u32 = 140;
const BASE: u32 = 170;
const STEP: u32 = 64;

fn charts(plan: &Plan) -> Vec<Chart> {
    let mut sites: Vec<String> = Vec::new();
    for f in &plan.forecast {
        if !sites.contains(&f.site) {
            sites.push(f.site.clone());
        }
    }
    sites
        .into_iter()
        .map(|site| {
            let rows: Vec<Forecast> = plan.forecast.iter().filter(|f| f.site == site).cloned().collect();
            let top = rows.iter().map(|f| f.planned.max(f.desks)).max().unwrap_or(0).max(1);
            let scale = |n: u32| n * TALL / top;
            let bars = rows
                .iter()
                .enumerate()
                .map(|(i, f)| Bar {
                    x: 40 + i as u32 * STEP,
                    label: f.day.short().to_string(),
                    planned: f.planned,
                    desks: f.desks,
                    planned_y: BASE - scale(f.planned),
                    planned_h: scale(f.planned),
                    desks_y: BASE - scale(f.desks),
                    desks_h: scale(f.desks),
                    over: f.planned > f.desks,
                })
                .collect();
            Chart { site, width: 60 + rows.len() as u32 * STEP, bars, rows }
        })
        .collect()
}

/// A person's week as a row of cells: on site, away (flexible), or not a working day.
pub struct WeekRow {
    pub name: String,
    pub y: u32,
    pub cells: Vec<Cell>,
}

pub struct Cell {
    pub x: u32,
    pub day: &'static str,
    /// `site`, `away` or `off`.
    pub kind: &'static str,
    /// What the cell says in words: "on site", "3 of 6 on site", "away", "not working".
    pub words: String,
}

fn weeks(plan: &Plan, days: &[Weekday]) -> Vec<WeekRow> {
    plan.people
        .iter()
        .enumerate()
        .map(|(i, p)| WeekRow {
            name: p.name.clone(),
            y: 30 + i as u32 * 28,
            cells: days
                .iter()
                .enumerate()
                .map(|(k, d)| {
                    let day = p.week.iter().find(|w| w.day == *d);
                    let (kind, words) = match day {
                        None => ("off", "not working".to_string()),
                        Some(w) if w.on_site == 0 => ("away", "away".to_string()),
                        Some(_) if p.head_count == 1 => ("site", "on site".to_string()),
                        Some(w) => ("site", format!("{} of {} on site", w.on_site, p.head_count)),
                    };
                    Cell { x: 170 + k as u32 * 56, day: d.short(), kind, words }
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "toolkit/plan.html")]
pub(super) struct PlanPage {
    page: Page,
    errors: FieldErrors,
    space: super::model::Space,
    plan: Plan,
    anchors: String,
    confidence: &'static str,
    charts: Vec<Chart>,
    weeks: Vec<WeekRow>,
    week_days: Vec<&'static str>,
    week_height: u32,
    week_width: u32,
    flags: Vec<Flag>,
    rota: Vec<RotaDay>,
    leads: bool,
}

pub async fn page(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let reached = reach(&app, &viewer, &id).await?;
    render(&plan_page(&app, page, reached, FieldErrors::default()).await?)
}

/// The plan page, with the share form's mistakes if any.
pub(super) async fn plan_page(app: &App, page: Page, reached: Reached, errors: FieldErrors) -> AppResult<PlanPage> {
    let (plan, _) = super::plan_of(app, &reached.space).await?;
    let days: Vec<Weekday> = reached.space.days().iter().collect();
    let anchors = super::planner::in_words(super::planner::Days::of(&plan.anchor_days));
    let confidence = match plan.confidence {
        Confidence::High => "High",
        Confidence::Medium => "Medium",
        Confidence::Low => "Low",
    };
    Ok(PlanPage {
        page: page.titled(&format!("Plan – {}", reached.space.name)).noindex(),
        errors,
        anchors,
        confidence,
        charts: charts(&plan),
        weeks: weeks(&plan, &days),
        week_days: days.iter().map(|d| d.short()).collect(),
        week_height: 40 + plan.people.len() as u32 * 28,
        week_width: 180 + days.len() as u32 * 56,
        flags: plan.flags.clone(),
        rota: plan.rota.clone(),
        leads: reached.leads,
        space: reached.space,
        plan,
    })
}

/// The plan as CSV: a line per person (or role) with their days on site and the working.
pub async fn csv(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    let reached = reach(&app, &viewer, &id).await?;
    let (plan, _) = super::plan_of(&app, &reached.space).await?;
    let mut file = CsvFile::new(&[
        "person",
        "head_count",
        "days_on_site",
        "on_site",
        "away",
        "hours_place_anchored",
        "hours_in_person_essential",
        "hours_customer_sites",
        "hours_unknown",
        "working",
    ])?;
    for p in &plan.people {
        let on: Vec<&str> = p.week.iter().filter(|d| d.on_site > 0).map(|d| d.day.key()).collect();
        let away: Vec<&str> = p.week.iter().filter(|d| d.on_site < p.head_count).map(|d| d.day.key()).collect();
        file.row(&[
            &p.name,
            &p.head_count.to_string(),
            &p.need.days.to_string(),
            &on.join(" "),
            &away.join(" "),
            &format!("{:.1}", p.need.place_hours),
            &format!("{:.1}", p.need.in_person_hours),
            &format!("{:.1}", p.need.customer_hours),
            &format!("{:.1}", p.need.unknown_hours),
            &p.need.working,
        ])?;
    }
    file.download("plan.csv")
}
