//! The meetings programme's part of the demo network: past meetings with notes and recordings, coming ones
//! with registrations, in every format, audience and mode.

use chrono::{Duration, Utc};

use super::store;
use crate::App;
use crate::auth::tokens;
use crate::membership::groups;

/// (title, format, audience, mode, days from today, capacity, summary)
type DemoMeeting = (&'static str, &'static str, &'static str, &'static str, i64, i64, &'static str);
const MEETINGS: &[DemoMeeting] = &[
    (
        "Anchor days: what the evidence says",
        "research_summary",
        "open",
        "virtual",
        12,
        200,
        "Researchers from Northbridge University summarise two years of studies of team anchor days across 40 organisations: attendance, collaboration and fairness.",
    ),
    (
        "Northshire's move to team agreements",
        "case_study",
        "members",
        "virtual",
        19,
        60,
        "How Northshire County Council replaced a corporate attendance rule with team agreements drafted by each team, and what happened to sickness absence and desk use.",
    ),
    (
        "In conversation: the author of Work Anywhere, Together",
        "thought_leadership",
        "open",
        "virtual",
        33,
        300,
        "An interview with the author of a new book on hybrid teams, followed by questions from the floor.",
    ),
    (
        "Display-screen assessments for home workers",
        "topic_exploration",
        "members",
        "virtual",
        40,
        40,
        "A deep dive into how member organisations assess home workstations, who pays for equipment, and what the regulator expects.",
    ),
    (
        "South West gathering at the University of Wessex",
        "networking",
        "group",
        "in_person",
        47,
        30,
        "The South West regional group's spring gathering: campus tour of the new activity-based library, lunch, and a round table on timetabling.",
    ),
    (
        "Trial periods that work: a round table",
        "topic_exploration",
        "members",
        "virtual",
        6,
        2,
        "Six members compare how they scope, run and review trial periods for new working patterns. Small on purpose: a round table of practitioners.",
    ),
    (
        "Smart Working for frontline roles",
        "case_study",
        "members",
        "hybrid",
        61,
        80,
        "St Aldhelm's University Hospitals on extending flexibility to ward and clinic staff: self-rostering, annualised hours and the results.",
    ),
    (
        "Measuring what matters after the move",
        "research_summary",
        "open",
        "virtual",
        -20,
        150,
        "The Institute for Workplace Research on measures an organisation can track: outcomes, occupancy, wellbeing and carbon.",
    ),
    (
        "Meridian's hybrid headquarters",
        "case_study",
        "members",
        "in_person",
        -45,
        50,
        "A visit to Meridian Insurance Group's redesigned headquarters, with the workplace team on what they got right and what they would change.",
    ),
    (
        "Proximity bias and fair progression",
        "topic_exploration",
        "members",
        "virtual",
        -80,
        60,
        "How members guard against proximity bias in appraisal and promotion when some people are in the office more than others.",
    ),
    (
        "Getting the board on side",
        "thought_leadership",
        "open",
        "virtual",
        -130,
        200,
        "A former chief operating officer on making the business case for Smart Working to a sceptical board.",
    ),
    (
        "Technology for fair hybrid meetings",
        "case_study",
        "members",
        "virtual",
        -170,
        60,
        "Kestrel Engineering's rollout of meeting-room technology so that people joining online are equal participants.",
    ),
];

async fn load_meetings(app: &App) -> anyhow::Result<usize> {
    let now = Utc::now();
    let organisations = crate::membership::all_organisations(&app.db).await?;
    let host = |name: &str| organisations.iter().find(|o| o.name == name).map(|o| o.id.clone());
    let south_west = groups::group_by_slug(&app.db, "south-west-regional-group").await?.map(|g| g.id);
    let member_users = crate::membership::members(&app.db, &Default::default(), now).await?;
    for (title, format, audience, mode, days, capacity, summary) in MEETINGS {
        // Meetings start at 12:30 in the network's time zone.
        let day = (now + Duration::days(*days)).with_timezone(&app.config.timezone).date_naive();
        let starts_at = day
            .and_hms_opt(12, 30, 0)
            .and_then(|t| chrono::TimeZone::from_local_datetime(&app.config.timezone, &t).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now);
        let (venue, host_id) = match *mode {
            "in_person" if title.contains("Wessex") => {
                ("University of Wessex, Library Building, Wessex Road", host("University of Wessex"))
            }
            "in_person" => ("Meridian House, 1 Harbour Square", host("Meridian Insurance Group")),
            "hybrid" => ("St Aldhelm's Education Centre, Level 2", host("St Aldhelm's University Hospitals")),
            _ => ("", None),
        };
        let input = store::MeetingInput {
            slug: crate::web::forms::slugify(title),
            title: title.to_string(),
            format: format.to_string(),
            summary_md: summary.to_string(),
            agenda_md: "1. Welcome and introductions\n2. The session\n3. Questions and discussion\n4. What next".into(),
            disciplines: "people,workplace".into(),
            audience: audience.to_string(),
            group_id: if *audience == "group" { south_west.clone() } else { None },
            mode: mode.to_string(),
            joining_link: if *mode == "in_person" {
                String::new()
            } else {
                format!("https://meet.example.org/swn-{}", tokens::random_token().chars().take(10).collect::<String>())
            },
            venue: venue.into(),
            directions: if venue.is_empty() {
                String::new()
            } else {
                "Ten minutes' walk from the railway station; reception will direct you.".into()
            },
            accessibility: if venue.is_empty() {
                String::new()
            } else {
                "Step-free access throughout; hearing loop in the main room.".into()
            },
            host_organisation_id: host_id,
            chair: "Dev Chaudhry".into(),
            speakers_md: String::new(),
            starts_at,
            ends_at: starts_at + Duration::minutes(90),
            registration_closes_at: starts_at - Duration::hours(2),
            capacity: *capacity,
            chatham_house: *audience != "open",
            status: "published".into(),
        };
        let id = store::insert_meeting(&app.db, &input).await?;
        // Registrations in arrival order: the small round table fills and has a waitlist.
        let mut tx = app.db.begin().await?;
        let wanted = if *capacity <= 2 { 4 } else { 6 };
        for (n, m) in member_users.iter().take(wanted).enumerate() {
            let email = crate::auth::user_by_id(&app.db, &m.id).await?.map(|u| u.email).unwrap_or_default();
            let status = if (n as i64) < *capacity { "confirmed" } else { "waitlisted" };
            store::upsert_registration(
                &mut tx,
                &store::NewRegistration {
                    meeting_id: &id,
                    user_id: Some(&m.id),
                    name: &m.name,
                    email: &email,
                    organisation: m.organisation_name.as_deref().unwrap_or(""),
                    status,
                    confirm_token_hash: None,
                    cancel_token_hash: &tokens::hash(&tokens::random_token()),
                },
            )
            .await?;
        }
        if *days < 0 {
            store::set_materials(
                &mut tx,
                &id,
                "## Key points\n\n- Start from activities, not roles.\n- Agree anchor days team by team.\n- Measure outcomes against a baseline before the change.",
                "https://video.example.org/swn-recording",
                None,
            )
            .await?;
        }
        tx.commit().await?;
    }
    Ok(MEETINGS.len())
}

/// Loads the demo meetings; gives what it loaded, in words.
pub(super) async fn load(app: &App) -> anyhow::Result<String> {
    Ok(format!("{} meetings", load_meetings(app).await?))
}
