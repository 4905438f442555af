//! The awards' part of the demo network: this year's programme, open for entries, with four categories and
//! their criteria, and one entry submitted by a demo member's organisation.

use chrono::{Datelike, Duration, Utc};

use super::model::{EntryStatus, OpenTo, Outcome};
use super::service::{CategoryInput, EntryFields, ProgrammeInput};
use super::store;
use crate::App;

const CATEGORIES: [(&str, &str); 4] = [
    ("Leadership", "Leaders who made flexibility the normal way of working, and managed by results."),
    ("Workspace", "Workplaces redesigned around the activities people come in for."),
    ("Technology", "Technology that lets people work well together from anywhere."),
    ("Culture and people", "Trust, fairness across grades and frontline roles, and wellbeing."),
];

pub async fn load(app: &App) -> anyhow::Result<String> {
    if !store::programmes(&app.db).await?.is_empty() {
        return Ok("awards: already loaded".into());
    }
    let now = Utc::now();
    let programme = ProgrammeInput {
        name: format!("Smart Working Awards {}", now.year() + 1),
        year: i64::from(now.year() + 1),
        description:
            "The network's awards recognise organisations and teams whose Smart Working shows what good looks like."
                .into(),
        entries_open_at: now - Duration::days(14),
        entries_close_at: now + Duration::days(45),
        judging_opens_at: now + Duration::days(46),
        judging_closes_at: now + Duration::days(90),
        shortlist_at: Some(now + Duration::days(95)),
        winners_at: Some(now + Duration::days(120)),
    };
    let id = store::insert_programme(&app.db, &programme, now).await?;
    let mut first = None;
    for (name, description) in CATEGORIES {
        let category = CategoryInput {
            name: name.into(),
            description: description.into(),
            open_to: OpenTo::Members,
            scale_max: 10,
            disagreement: 3.0,
            guidance: "Score what the entry shows, not what you know of the organisation; declare any conflict.".into(),
            criteria: vec![
                ("Impact on how people work".into(), 3.0, "Evidence of change in patterns, not just policy.".into()),
                ("Measured benefits".into(), 2.0, "Outcomes against a baseline.".into()),
                ("Fairness and inclusion".into(), 1.0, String::new()),
            ],
        };
        let made = store::insert_category(&app.db, &id, &category).await?;
        first.get_or_insert(made);
    }
    // An entry from the insurer, submitted.
    let author = crate::auth::user_by_email(&app.db, "amelia.clarke@meridian-insurance.example.com").await?;
    if let (Some(category), Some(author)) = (first, author)
        && let Some(org) = author.organisation_id.clone()
    {
        {
            let entry = EntryFields {
                title: "Managing by results across motor claims".into(),
                team: "Motor claims".into(),
                context: "A team of nine settling motor claims, most of whom had worked in the office five days a week.".into(),
                what_was_done: "A team agreement built from the work itself, a twelve-week trial with agreed criteria, and weekly results reviews in place of presence.".into(),
                benefits: "Claims settled faster, and people say they have more control over their week.".into(),
                links: String::new(),
                outcomes: vec![Outcome {
                    measure: "Claims settled within 10 working days".into(),
                    baseline: "78".into(),
                    result: "86".into(),
                    unit: "% of claims".into(),
                }],
            };
            let entry_id = store::insert_entry(&app.db, &category, &org, &author.id, &entry, now).await?;
            store::set_entry_status(&app.db, &entry_id, &[EntryStatus::Draft], EntryStatus::Submitted, now).await?;
        }
    }
    Ok(format!("awards: {} open for entries with {} categories", programme.name, CATEGORIES.len()))
}
