//! The toolkit's rows and the typed values of its closed sets.

use chrono::{DateTime, Utc};

use super::planner::{Days, Weekday};

/// A team space, or a scenario ("what if") copied from one.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Space {
    pub id: String,
    pub name: String,
    pub working_days: String,
    pub day_hours: f64,
    pub service_hours: String,
    pub scenario_of: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl Space {
    pub fn days(&self) -> Days {
        days_of(&self.working_days)
    }
}

/// Weekday keys, comma-separated, as stored; unknown keys are left out (they were refused at the edge).
pub fn days_of(stored: &str) -> Days {
    Days::of(&stored.split(',').filter_map(|k| Weekday::parse(k.trim())).collect::<Vec<_>>())
}

/// Weekday keys as stored: "mon,tue,wed".
pub fn stored_days(days: Days) -> String {
    days.iter().map(Weekday::key).collect::<Vec<_>>().join(",")
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SiteRow {
    pub id: String,
    pub name: String,
    pub desks: String,
}

impl SiteRow {
    /// The desks on each weekday, Monday first.
    pub fn desks(&self) -> [u32; 7] {
        let mut desks = [0; 7];
        for (slot, n) in desks.iter_mut().zip(self.desks.split(',')) {
            *slot = n.trim().parse().unwrap_or(0);
        }
        desks
    }
}

pub fn stored_desks(desks: &[u32; 7]) -> String {
    desks.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

/// A person of the team, or a role standing for several people.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PersonRow {
    pub id: String,
    pub space_id: String,
    pub user_id: Option<String>,
    pub name: String,
    pub head_count: i64,
    pub working_days: String,
    pub hours_per_week: f64,
    pub site_id: Option<String>,
    pub constraints: String,
    pub home_checked: bool,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ActivityRow {
    pub id: String,
    pub person_id: String,
    pub name: String,
    pub category: String,
    pub hours: f64,
    pub cadence: String,
    pub place: String,
    pub place_reason: String,
    pub timing: String,
    pub time_window: String,
    pub collaboration: String,
    pub with_people: String,
    pub face_to_face: String,
    pub focus: String,
    pub rota: bool,
    pub systems: String,
    pub systems_remote: String,
}

impl ActivityRow {
    /// The ids of the people it is done with.
    pub fn with_ids(&self) -> Vec<String> {
        self.with_people.split(',').filter(|s| !s.is_empty()).map(String::from).collect()
    }
}

/// How often an activity comes round.
pub const CADENCES: [(&str, &str); 4] =
    [("daily", "Daily"), ("weekly", "Weekly"), ("monthly", "Monthly"), ("occasional", "Now and then")];

/// Whether the systems an activity needs work away from the office.
pub const SYSTEMS_REMOTE: [(&str, &str); 3] =
    [("yes", "They work remotely"), ("no", "They do not work remotely"), ("unknown", "Not known, or none needed")];

/// Examples of activities, a few per kind of work, to make a start quick: (kind, name, place, time,
/// collaboration, focus). Picking one fills the form; everything stays editable.
pub const EXAMPLES: [(&str, &str, &str, &str, &str, &str); 14] = [
    ("hands_on_equipment", "Scanning and indexing post", "site", "deadline", "solo", "low"),
    ("analysis", "Monthly performance analysis", "none", "deadline", "solo", "high"),
    ("writing", "Writing reports and briefings", "none", "deadline", "solo", "high"),
    ("informing_others", "Team briefing", "none", "window", "virtual", "low"),
    ("maintaining_systems", "Looking after the case system", "none", "none", "async", "medium"),
    ("developing_ideas", "Service design workshop", "office", "none", "in_person_preferred", "medium"),
    ("managing_people", "One-to-ones", "none", "none", "in_person_preferred", "medium"),
    ("processing_data", "Processing claims", "none", "deadline", "solo", "high"),
    ("informal_collaboration", "Learning from colleagues", "none", "none", "in_person_preferred", "low"),
    ("internal_meetings", "Weekly team meeting", "none", "window", "virtual", "low"),
    ("customers_in_person", "Front counter", "office", "service_hours", "solo", "low"),
    ("customers_by_phone", "Phone line", "none", "service_hours", "solo", "low"),
    ("customers_online", "Web chat", "none", "service_hours", "solo", "low"),
    ("other", "Travel between sites", "unknown", "unknown", "solo", "low"),
];
