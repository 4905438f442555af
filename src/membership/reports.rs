//! Membership reports for organisers (`/admin/reports`): who the members are (by sector, size band, region and
//! stage of their organisation's programme), how the membership moves (joins and lapses a month, renewals due),
//! and how applications are decided. Each report is a table, the same figures as a server-rendered bar chart,
//! and a CSV download. Figures only: no one is named.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};

use super::eligibility::Stage;
use super::model::{SECTORS, SIZE_BANDS, size_band_of};
use super::store;
use crate::App;
use crate::auth::{Viewer, policy};
use crate::web::chart::{Bars, bars};
use crate::web::spreadsheet::CsvFile;
use crate::web::{AppError, AppResult, Page, render};

pub fn routes() -> Router<App> {
    Router::new().route("/admin/reports", get(page)).route("/admin/reports/{file}", get(csv))
}

/// One report: rows of a label and a count (or a number of days).
pub struct Report {
    pub key: &'static str,
    pub title: &'static str,
    pub label_header: &'static str,
    pub value_header: &'static str,
    pub rows: Vec<(String, i64)>,
    pub note: &'static str,
    pub chart: Bars,
}

fn report(
    key: &'static str,
    title: &'static str,
    (label_header, value_header): (&'static str, &'static str),
    rows: Vec<(String, i64)>,
    note: &'static str,
) -> Report {
    Report { key, title, label_header, value_header, chart: bars(&rows), rows, note }
}

/// Counts of `values` under each of `labels` (in that order), then any value not among them.
fn tally<'a>(labels: impl IntoIterator<Item = &'a str>, values: impl Iterator<Item = String>) -> Vec<(String, i64)> {
    let mut rows: Vec<(String, i64)> = labels.into_iter().map(|l| (l.to_string(), 0)).collect();
    for value in values {
        match rows.iter_mut().find(|(label, _)| *label == value) {
            Some(row) => row.1 += 1,
            None => rows.push((value, 1)),
        }
    }
    rows
}

/// The first moment of each of the last twelve months (the current one last), in the network's time zone.
fn last_twelve_months(now: DateTime<Utc>, tz: chrono_tz::Tz) -> Vec<DateTime<Utc>> {
    let local = now.with_timezone(&tz);
    let (mut year, mut month) = (local.year(), local.month());
    let mut starts = Vec::new();
    for _ in 0..12 {
        if let Some(start) = tz.with_ymd_and_hms(year, month, 1, 0, 0, 0).earliest() {
            starts.push(start.with_timezone(&Utc));
        }
        (year, month) = if month == 1 { (year - 1, 12) } else { (year, month - 1) };
    }
    starts.reverse();
    starts
}

/// How many of `moments` fall in each month starting at `starts` (the last month runs to `now`).
fn per_month(
    starts: &[DateTime<Utc>],
    now: DateTime<Utc>,
    moments: &[DateTime<Utc>],
    tz: chrono_tz::Tz,
) -> Vec<(String, i64)> {
    starts
        .iter()
        .enumerate()
        .map(|(i, start)| {
            // The current month runs to now, and includes it.
            let end = starts.get(i + 1).copied().unwrap_or(now + Duration::seconds(1));
            let n = moments.iter().filter(|m| *m >= start && **m < end).count();
            (start.with_timezone(&tz).format("%b %Y").to_string(), n as i64)
        })
        .collect()
}

/// The middle value (the lower of the two middle ones for an even count).
fn median(mut values: Vec<i64>) -> Option<i64> {
    values.sort_unstable();
    values.get(values.len().saturating_sub(1) / 2).copied()
}

async fn reports(app: &App, now: DateTime<Utc>) -> AppResult<Vec<Report>> {
    let tz = app.config.timezone;
    let members = store::member_organisations(&app.db, now).await?;
    let regions = store::regions(&app.db).await?;
    let terms = store::member_terms(&app.db).await?;
    let applications = store::application_outcomes(&app.db).await?;

    let starts = last_twelve_months(now, tz);
    let joins: Vec<DateTime<Utc>> = terms.iter().filter_map(|t| t.0).collect();
    let lapses: Vec<DateTime<Utc>> = terms.iter().filter_map(|t| t.1).filter(|end| *end <= now).collect();
    let due_within = |days: i64| {
        terms.iter().filter(|t| t.2 && t.1.is_some_and(|end| end > now && end <= now + Duration::days(days))).count()
            as i64
    };
    let outcomes = tally(
        ["approved", "rejected", "pending", "info_requested", "unverified"],
        applications.iter().map(|a| a.0.clone()),
    )
    .into_iter()
    .map(|(status, n)| (outcome_label(&status).to_string(), n))
    .collect();
    let days_to_decision = |outcome: &str| {
        median(
            applications
                .iter()
                .filter(|a| a.0 == outcome)
                .filter_map(|a| a.2.map(|decided| (decided - a.1).num_days()))
                .collect(),
        )
        .unwrap_or(0)
    };
    let stages = Stage::ALL.iter().map(|(_, key, _)| *key);
    Ok(vec![
        report(
            "sector",
            "Members by sector",
            ("Sector", "Members"),
            tally(SECTORS, members.iter().map(|m| m.sector.clone())),
            "Members within their term, by their organisation's sector.",
        ),
        report(
            "size",
            "Members by size of organisation",
            ("Employees", "Members"),
            tally(SIZE_BANDS, members.iter().map(|m| size_band_of(m.employees).to_string())),
            "By the size band of their organisation.",
        ),
        report(
            "region",
            "Members by region",
            ("Region", "Members"),
            tally(regions.iter().map(String::as_str), members.iter().map(|m| m.region.clone())),
            "By their organisation's region.",
        ),
        report(
            "stage",
            "Members by stage of Smart Working",
            ("Stage", "Members"),
            tally(stages, members.iter().map(|m| m.stage.clone()))
                .into_iter()
                .map(|(key, n)| (stage_label(&key).to_string(), n))
                .collect(),
            "By where their organisation's programme stands.",
        ),
        report(
            "joins",
            "Members who joined, by month",
            ("Month", "Joined"),
            per_month(&starts, now, &joins, tz),
            "The last twelve months, in the network's time zone.",
        ),
        report(
            "lapses",
            "Memberships that lapsed, by month",
            ("Month", "Lapsed"),
            per_month(&starts, now, &lapses, tz),
            "Terms that ended without a renewal, the last twelve months.",
        ),
        report(
            "renewals",
            "Renewals due",
            ("Due", "Members"),
            vec![("In the next 30 days".into(), due_within(30)), ("In the next 90 days".into(), due_within(90))],
            "Members whose term ends soon (the renewal reminders go to them).",
        ),
        report(
            "applications",
            "Applications by outcome",
            ("Outcome", "Applications"),
            outcomes,
            "Every application to join, however it stands now.",
        ),
        report(
            "decisions",
            "Days to a decision",
            ("Outcome", "Median days"),
            vec![("Approved".into(), days_to_decision("approved")), ("Rejected".into(), days_to_decision("rejected"))],
            "From an application to its decision, the middle value.",
        ),
    ])
}

fn outcome_label(status: &str) -> &str {
    match status {
        "approved" => "Approved",
        "rejected" => "Rejected",
        "pending" => "Waiting for review",
        "info_requested" => "Asked for more",
        "unverified" => "Address not confirmed",
        other => other,
    }
}

fn stage_label(key: &str) -> &str {
    Stage::ALL.iter().find(|(_, k, _)| *k == key).map_or(key, |(_, _, label)| label)
}

#[derive(Template)]
#[template(path = "membership/reports.html")]
struct ReportsPage {
    page: Page,
    reports: Vec<Report>,
}

async fn page(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    policy::require(&viewer, policy::can_manage_site(&viewer), "/admin/reports")?;
    render(&ReportsPage {
        page: page.titled("Membership reports").noindex(),
        reports: reports(&app, Utc::now()).await?,
    })
}

async fn csv(State(app): State<App>, viewer: Viewer, Path(file): Path<String>) -> AppResult<Response> {
    policy::require(&viewer, policy::can_manage_site(&viewer), "/admin/reports")?;
    let key = file.strip_suffix(".csv").ok_or(AppError::NotFound)?;
    let report = reports(&app, Utc::now()).await?.into_iter().find(|r| r.key == key).ok_or(AppError::NotFound)?;
    let mut out = CsvFile::new(&[report.label_header, report.value_header])?;
    for (label, value) in &report.rows {
        out.row(&[label.as_str(), value.to_string().as_str()])?;
    }
    out.download(&format!("members-{}.csv", report.key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_keep_the_lists_order_and_add_the_unlisted() {
        let rows = tally(["a", "b"], ["b", "c", "b"].into_iter().map(String::from));
        assert_eq!(rows, vec![("a".into(), 0), ("b".into(), 2), ("c".into(), 1)]);
        assert_eq!(median(vec![5, 1, 3]), Some(3));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
        assert_eq!(median(vec![]), None);
    }

    #[test]
    fn months_are_the_networks_and_end_now() {
        let tz = chrono_tz::Europe::London;
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
        let starts = last_twelve_months(now, tz);
        assert_eq!(starts.len(), 12);
        assert_eq!(starts[11], Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap());
        // 1 June in London is 23:00 UTC the day before.
        assert!(starts.contains(&Utc.with_ymd_and_hms(2026, 5, 31, 23, 0, 0).unwrap()));
        let moments = [
            Utc.with_ymd_and_hms(2026, 5, 31, 23, 30, 0).unwrap(), // June in London
            Utc.with_ymd_and_hms(2026, 11, 30, 11, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(), // too early
        ];
        let rows = per_month(&starts, now, &moments, tz);
        assert_eq!(rows.iter().map(|r| r.1).sum::<i64>(), 2);
        assert_eq!(rows.iter().find(|r| r.0 == "Jun 2026").map(|r| r.1), Some(1));
        assert_eq!(rows.last().map(|r| (r.0.as_str(), r.1)), Some(("Nov 2026", 1)));
    }
}
