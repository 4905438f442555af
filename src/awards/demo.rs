//! The awards' part of the demo network: last year's programme complete (reviews, a shortlist, winners and
//! highly commended with their citations, linked to the demo's case studies), and this year's open for entries,
//! with four categories and their criteria, one entry submitted, judges assigned (one of them an outside
//! judge), one conflict the network's data proposes and one an organiser pinned.

use chrono::{Datelike, Duration, Utc};

use super::model::{Award, Decision, EntryStatus, OpenTo, Outcome};
use super::service::{CategoryInput, EntryFields, ProgrammeInput, ReviewInput};
use super::store;
use crate::App;

const CATEGORIES: [(&str, &str); 4] = [
    ("Leadership", "Leaders who made flexibility the normal way of working, and managed by results."),
    ("Workspace", "Workplaces redesigned around the activities people come in for."),
    ("Technology", "Technology that lets people work well together from anywhere."),
    ("Culture and people", "Trust, fairness across grades and frontline roles, and wellbeing."),
];

/// What each category checks of an entry before it is judged.
const CHECKLIST: &str = "The organisation has 100 or more employees\n\
    The entrant works in-house (not a consultant or a vendor)\n\
    The work has run for at least six months\n\
    At least one outcome is measured against a baseline";

/// The outside judge's address.
pub const OUTSIDE_JUDGE: &str = "helen.marsh@judges.example.org";

fn category_input(name: &str, description: &str) -> CategoryInput {
    CategoryInput {
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
    }
}

async fn user(app: &App, email: &str) -> anyhow::Result<Option<crate::auth::UserRow>> {
    Ok(crate::auth::user_by_email(&app.db, email).await?)
}

/// An outside expert's judge account (its password is random: the demo's organiser resets it to try it).
async fn outside_judge(app: &App) -> anyhow::Result<String> {
    if let Some(u) = user(app, OUTSIDE_JUDGE).await? {
        return Ok(u.id);
    }
    let hash = crate::auth::password::hash(crate::auth::tokens::random_token()).await?;
    let mut tx = app.db.begin().await?;
    let id = crate::auth::insert_user(&mut tx, OUTSIDE_JUDGE, "Dr Helen Marsh", crate::auth::Role::Judge, Some(&hash))
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// (category, title, organisation's member who entered, team, outcome (measure, baseline, result, unit),
/// decision: (shortlisted, award, citation, case study slug))
type PastEntry = (
    usize,
    &'static str,
    &'static str,
    &'static str,
    (&'static str, &'static str, &'static str, &'static str),
    (bool, Option<Award>, &'static str, Option<&'static str>),
);

const PAST: [PastEntry; 5] = [
    (
        0,
        "From a county hall to neighbourhood hubs",
        "priya.shah@northshire.example.gov.uk",
        "Hybrid Working Programme",
        ("Staff turnover", "14", "9", "% a year"),
        (
            true,
            Some(Award::Winner),
            "For leading a whole council from presence to results, starting with what each team's work needs, and \
             for measuring what changed.",
            Some("northshire-neighbourhood-hubs"),
        ),
    ),
    (
        0,
        "Hybrid working in a regulated contact centre",
        "ben.osei@meridian-insurance.example.com",
        "Customer contact",
        ("Attrition", "34", "21", "% a year"),
        (
            true,
            Some(Award::HighlyCommended),
            "For bringing frontline contact-centre staff into hybrid working that their regulator was content with.",
            Some("insurer-hybrid-contact-centre"),
        ),
    ),
    (
        0,
        "Engineering teams choose their pattern",
        "chloe.evans@kestrel-eng.example.com",
        "Design engineering",
        ("Projects delivered on time", "71", "80", "% of projects"),
        (true, None, "", None),
    ),
    (
        1,
        "Fair flexibility for ward staff",
        "hannah.wright@staldhelms.example.nhs.uk",
        "Nursing workforce",
        ("Shift requests granted", "40", "73", "% of requests"),
        (false, None, "", None),
    ),
    (
        1,
        "Trust first: a housing association's culture change",
        "owen.price@harbourhousing.example.org",
        "Whole organisation",
        ("Staff who say they are trusted to manage their work", "52", "81", "% in the staff survey"),
        (
            true,
            Some(Award::Winner),
            "For a culture change that reached every role, frontline repairs included, with the staff survey to show \
             for it.",
            None,
        ),
    ),
];

/// Last year's programme, complete: entries reviewed by three judges (one with a conflict the data proposes),
/// the shortlist and the winners published.
async fn last_year(app: &App, judges: &[String], organiser: &str) -> anyhow::Result<()> {
    let now = Utc::now();
    let days = Duration::days;
    let programme = ProgrammeInput {
        name: format!("Smart Working Awards {}", now.year()),
        year: i64::from(now.year()),
        description: "The network's first awards: leadership, and culture and people.".into(),
        entries_open_at: now - days(330),
        entries_close_at: now - days(270),
        judging_opens_at: now - days(265),
        judging_closes_at: now - days(220),
        shortlist_at: Some(now - days(215)),
        winners_at: Some(now - days(180)),
    };
    let id = store::insert_programme(&app.db, &programme, now - days(340)).await?;
    let mut categories = Vec::new();
    for (name, description) in [CATEGORIES[0], CATEGORIES[3]] {
        let c = store::insert_category(&app.db, &id, &category_input(name, description)).await?;
        store::set_judging(&app.db, &c, 3, CHECKLIST).await?;
        for judge in judges {
            store::assign(&app.db, &c, None, judge, now - days(280)).await?;
        }
        categories.push(c);
    }
    for (i, (category, title, email, team, outcome, decision)) in PAST.into_iter().enumerate() {
        let Some(author) = user(app, email).await? else { continue };
        let Some(org) = author.organisation_id.clone() else { continue };
        let fields = EntryFields {
            title: title.into(),
            team: team.into(),
            context: "Where the organisation started, and why it wanted to change.".into(),
            what_was_done: "What the teams agreed, tried and measured, and what the organisation changed around them."
                .into(),
            benefits: "For the people, the service and the organisation, measured before and after.".into(),
            links: String::new(),
            outcomes: vec![Outcome {
                measure: outcome.0.into(),
                baseline: outcome.1.into(),
                result: outcome.2.into(),
                unit: outcome.3.into(),
            }],
        };
        let entry =
            store::insert_entry(&app.db, &categories[category], &org, &author.id, &fields, now - days(300)).await?;
        store::set_entry_status(&app.db, &entry, &[EntryStatus::Draft], EntryStatus::Submitted, now - days(275))
            .await?;
        let criteria = store::criteria(&app.db, &categories[category]).await?;
        let entry_row = store::entry(&app.db, &entry).await?.ok_or_else(|| anyhow::anyhow!("entry"))?;
        for (j, judge) in judges.iter().enumerate() {
            // A judge with a conflict in force leaves the entry alone.
            if super::panel::standing(&app.db, &entry_row, judge).await?.in_force()
                == crate::auth::policy::AwardConflict::InForce
            {
                continue;
            }
            let base = 9 - (i as i64 * 2 + j as i64) % 5;
            let scores =
                criteria.iter().enumerate().map(|(k, c)| (c.id.clone(), (base - k as i64).clamp(1, 10))).collect();
            let review = ReviewInput::Scored { scores, comment: "Clear evidence against a baseline.".into() };
            store::save_review(&app.db, &entry, judge, &review, now - days(230)).await?;
        }
        let (shortlisted, award, citation, case_study) = decision;
        let case_study_id = match case_study {
            Some(slug) => crate::library::case_study_by_slug(&app.db, slug).await?.map(|c| c.id),
            None => None,
        };
        let d = Decision {
            entry_id: entry.clone(),
            shortlisted,
            award,
            citation: citation.into(),
            case_study_id,
            meeting_id: None,
        };
        store::set_result(&app.db, &d, organiser, now - days(216)).await?;
    }
    // Published as an organiser would have; the e-mails went out at the time.
    let mut tx = app.db.begin().await?;
    store::mark_published(&mut tx, &id, false, now - days(215)).await?;
    store::mark_published(&mut tx, &id, true, now - days(180)).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn load(app: &App, organiser: &str) -> anyhow::Result<String> {
    if !store::programmes(&app.db).await?.is_empty() {
        return Ok("awards: already loaded".into());
    }
    let now = Utc::now();
    let outside = outside_judge(app).await?;
    let mut judges = vec![outside.clone()];
    for email in ["marcus.bell@wessex.example.ac.uk", "fiona.macleod@staldhelms.example.nhs.uk"] {
        if let Some(u) = user(app, email).await? {
            judges.push(u.id);
        }
    }
    last_year(app, &judges, organiser).await?;
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
        let made = store::insert_category(&app.db, &id, &category_input(name, description)).await?;
        store::set_judging(&app.db, &made, 3, CHECKLIST).await?;
        first.get_or_insert(made);
    }
    // An entry from the insurer, submitted.
    let author = crate::auth::user_by_email(&app.db, "amelia.clarke@meridian-insurance.example.com").await?;
    if let (Some(category), Some(author)) = (first.clone(), author)
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
            // Judges for Leadership: the outside judge and two members. Ben Osei works at Meridian, so the
            // network proposes his conflict with this entry; the organisers pinned the outside judge's (she
            // advised the team), which she cannot remove.
            let mut assigned = judges.clone();
            if let Some(ben) = user(app, "ben.osei@meridian-insurance.example.com").await? {
                assigned.push(ben.id);
            }
            for judge in &assigned {
                store::assign(&app.db, &category, None, judge, now).await?;
            }
            store::decide_conflict(
                &app.db,
                &entry_id,
                &outside,
                Some(("pinned", "collaborator", "Advised the motor claims team on its trial in 2025.")),
                organiser,
                now,
            )
            .await?;
        }
    }
    Ok(format!(
        "awards: last year's programme decided; {} open for entries with {} categories\nOutside judge:   {OUTSIDE_JUDGE} (reset the password to try it)",
        programme.name,
        CATEGORIES.len()
    ))
}
