//! The benchmark's part of the demo network: 40 organisations across sectors and sizes (the membership demo's
//! and more, without members), each with one to three submitted assessments over two years, so peers, high
//! performers and progress mean something; "Charity and voluntary" and "Retail, leisure and hospitality" are
//! kept under five organisations, so a filter on them shows the widening. The library's items are tagged with
//! dimensions, and the first member of each organisation but the demo member's is willing to talk about all of
//! them.

use chrono::{Duration, Utc};

use super::model::quarter;
use super::store;
use crate::App;
use crate::membership::{SECTORS, all_organisations, insert_organisation, regions};

/// How many organisations the demo's benchmark holds.
const ORGANISATIONS: usize = 40;

/// Sectors the extra organisations come from (those kept small appear rarely); "Other" none.
const EXTRA_SECTORS: [usize; 12] = [0, 1, 2, 3, 5, 6, 7, 9, 1, 2, 0, 5];

const NAMES: [&str; 12] = [
    "Ashbourne",
    "Calder",
    "Fenwick",
    "Glenmore",
    "Hartwell",
    "Kingsmere",
    "Lowther",
    "Marston",
    "Pendle",
    "Redcliffe",
    "Thornbury",
    "Wyvern",
];

const KINDS: [&str; 12] = [
    "Department for Local Services",
    "District Council",
    "Community Health Trust",
    "University",
    "Building Society",
    "Legal Partners",
    "Networks",
    "Energy",
    "Borough Council",
    "Care Partnership",
    "Agency",
    "Assurance",
];

/// A small deterministic generator, so every demo is the same.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as f64) / f64::from(1u32 << 31)
    }
}

pub async fn load(app: &App) -> anyhow::Result<String> {
    let Some(framework) = super::current(&app.db).await? else { return Ok("no framework".into()) };
    if store::any_assessment(&app.db).await? {
        return Ok("benchmark: already loaded".into());
    }
    let region_names = regions(&app.db).await?;
    let mut organisations = all_organisations(&app.db).await?;
    let mut i = 0;
    while organisations.len() < ORGANISATIONS && !region_names.is_empty() {
        let sector = SECTORS[EXTRA_SECTORS[i % EXTRA_SECTORS.len()]];
        let name = format!("{} {}", NAMES[i % NAMES.len()], KINDS[(i * 5 + i / NAMES.len()) % KINDS.len()]);
        let employees = [180, 640, 2300, 8800, 31000][i % 5] + (i as i64 * 37);
        let region = &region_names[i % region_names.len()];
        let mut tx = app.db.begin().await?;
        insert_organisation(&mut tx, &name, sector, employees, region, "implementing").await?;
        tx.commit().await?;
        organisations = all_organisations(&app.db).await?;
        i += 1;
    }
    let now = Utc::now();
    let mut dice = Dice(18);
    let mut made = 0;
    // The demo member's organisation first (Northshire: three assessments, rising), then the others.
    organisations.sort_by_key(|o| (!o.name.starts_with("Northshire"), o.name.clone()));
    for (n, org) in organisations.iter().enumerate() {
        let members = store::colleagues(&app.db, &org.id, "", now).await?;
        let by = members.first().map(|m| m.id.as_str());
        let count = if n == 0 { 3 } else { 1 + (dice.next() * 3.0) as usize % 3 };
        let base = 1.4 + dice.next() * 2.6;
        let leanings: Vec<f64> = framework.dimensions.iter().map(|_| dice.next() * 1.4 - 0.7).collect();
        for k in 0..count {
            // Spread over two years, the latest at least a quarter back, so a new assessment is this quarter's.
            let months_ago = 4 + (count - 1 - k) * 9 + (dice.next() * 2.0) as usize;
            let at = now - Duration::days(months_ago as i64 * 30);
            let growth = k as f64 * 0.35;
            let mut answers = Vec::new();
            for (d, dimension) in framework.dimensions.iter().enumerate() {
                for q in &dimension.questions {
                    let roll = dice.next();
                    let level = if roll < 0.06 {
                        None
                    } else {
                        let x = base + leanings[d] + growth + (dice.next() - 0.5) * 1.6;
                        Some(x.round().clamp(1.0, 5.0) as i64)
                    };
                    let evidence = if n == 0 && level.is_some_and(|l| l >= 4) {
                        "Agreed in the programme board's minutes; see the intranet page.".to_string()
                    } else {
                        String::new()
                    };
                    answers.push((q.id.clone(), level, evidence));
                }
            }
            let measures: Vec<(&str, f64)> = if n == 0 {
                vec![
                    ("desk_ratio", [0.9, 0.75, 0.6][k]),
                    ("sickness_absence", [9.8, 9.1, 8.4][k]),
                    ("peak_attendance", [58.0, 71.0, 82.0][k]),
                ]
            } else {
                Vec::new()
            };
            let q = quarter(at.with_timezone(&app.config.timezone).date_naive());
            store::demo_submitted(&app.db, &org.id, &framework.id, by, at, &q, &answers, &measures).await?;
            made += 1;
        }
    }
    // Tags: the library's first items and the meetings coming up, spread over the dimensions.
    let keys: Vec<&str> = framework.dimensions.iter().map(|d| d.key.as_str()).collect();
    let reach = crate::auth::policy::Reach::everything();
    let filter = crate::library::Filter::default();
    let mut tagged = 0;
    for (j, a) in crate::library::articles(&app.db, &reach, &filter, now).await?.iter().enumerate() {
        store::tag(&app.db, keys[j % keys.len()], "article", &a.id).await?;
        tagged += 1;
    }
    for (j, r) in crate::library::resources(&app.db, &reach, &filter, now).await?.iter().enumerate() {
        store::tag(&app.db, keys[(j + 3) % keys.len()], "resource", &r.id).await?;
        tagged += 1;
    }
    for (j, c) in crate::library::case_studies(&app.db, &reach, &filter, now).await?.iter().enumerate() {
        store::tag(&app.db, keys[(j + 5) % keys.len()], "case_study", &c.id).await?;
        tagged += 1;
    }
    // Members of other organisations willing to talk, about every dimension, so the advice names someone.
    for org in organisations.iter().skip(1) {
        if let Some(m) = store::colleagues(&app.db, &org.id, "", now).await?.first() {
            store::set_willing(&app.db, &m.id, &org.id, &keys.iter().map(|k| k.to_string()).collect::<Vec<_>>(), now)
                .await?;
        }
    }
    Ok(format!("benchmark: {} organisations, {made} submitted assessments, {tagged} tagged items", organisations.len()))
}
