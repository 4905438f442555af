//! The toolkit's rules that are not the planner's: what a space, a site, a person and an activity must be
//! (the same checks for the pages and the API), and the team the planner reads, built from the rows.

use super::model::{ActivityRow, CADENCES, PersonRow, SYSTEMS_REMOTE, SiteRow, Space, days_of};
use super::planner::{
    self, Activity, Category, Collaboration, Days, Level, Person, Place, Site, Team, Timing, Weekday,
};
use crate::web::FieldErrors;

/// The field of each weekday's desks, Monday first.
pub const DESK_FIELDS: [&str; 7] =
    ["desks_mon", "desks_tue", "desks_wed", "desks_thu", "desks_fri", "desks_sat", "desks_sun"];

/// Reads weekday keys; an unknown one is a mistake on `field`, and so is none at all.
pub fn check_days(errors: &mut FieldErrors, field: &'static str, keys: &[String]) -> Days {
    let mut days = Vec::new();
    for key in keys.iter().filter(|k| !k.is_empty()) {
        match Weekday::parse(key) {
            Some(d) => days.push(d),
            None => {
                errors.add(field, format!("{key} is not a weekday: use mon, tue, wed, thu, fri, sat or sun."));
                return Days::default();
            }
        }
    }
    if days.is_empty() {
        errors.add(field, "Choose at least one working day.");
    }
    Days::of(&days)
}

/// Reads a number of hours ("7.5", "7,5"): more than zero and at most `max`.
pub fn check_hours(errors: &mut FieldErrors, field: &'static str, label: &str, value: &str, max: f64) -> f64 {
    match value.trim().replace(',', ".").parse::<f64>() {
        Ok(h) if h.is_finite() && h > 0.0 && h <= max => h,
        Ok(h) if h.is_finite() && h > max => {
            errors.add(field, format!("{label} can be at most {}.", planner::hours(max)));
            0.0
        }
        _ => {
            errors.add(field, format!("{label}: give a number of hours above zero, such as 7.5."));
            0.0
        }
    }
}

/// Reads "08:00-18:00" (empty is allowed: no service hours).
/// Reads "08:00-18:00" exactly (two-digit hours and minutes; an end before the start runs overnight); empty is
/// allowed: no service hours. The API's document states the same pattern.
fn check_service_hours(errors: &mut FieldErrors, value: &str) -> String {
    if value.is_empty() {
        return String::new();
    }
    let time = |t: &str| {
        let b = t.as_bytes();
        b.len() == 5
            && b[2] == b':'
            && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
            && t[..2].parse::<u32>().is_ok_and(|h| h < 24)
            && t[3..].parse::<u32>().is_ok_and(|m| m < 60)
    };
    match value.split_once('-') {
        Some((a, b)) if time(a) && time(b) => value.to_string(),
        _ => {
            errors.add("service_hours", "Give the service hours as a start and an end, such as 08:00-18:00.");
            value.to_string()
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct SpaceFields {
    pub name: String,
    pub working_days: Vec<String>,
    pub day_hours: String,
    pub service_hours: String,
}

pub struct CheckedSpace {
    pub name: String,
    pub days: Days,
    pub day_hours: f64,
    pub service_hours: String,
}

pub fn check_space(errors: &mut FieldErrors, f: &SpaceFields) -> CheckedSpace {
    let name = errors.required("name", "The team's name", &f.name, 120);
    errors.one_line("name", "The team's name", &name);
    let days = check_days(errors, "working_days", &f.working_days);
    let day_hours = check_hours(errors, "day_hours", "The working day", &f.day_hours, 24.0);
    let service_hours = check_service_hours(errors, &f.service_hours);
    CheckedSpace { name, days, day_hours, service_hours }
}

#[derive(Clone, Debug, Default)]
pub struct SiteFields {
    pub name: String,
    /// Desks on each weekday, Monday first, as typed.
    pub desks: [String; 7],
}

pub fn check_site(errors: &mut FieldErrors, f: &SiteFields) -> (String, [u32; 7]) {
    let name = errors.required("site_name", "The site's name", &f.name, 120);
    errors.one_line("site_name", "The site's name", &name);
    let mut desks = [0u32; 7];
    for (i, typed) in f.desks.iter().enumerate() {
        let typed = typed.trim();
        if typed.is_empty() {
            continue;
        }
        match typed.parse::<i64>() {
            Ok(n) if n < 0 => errors.add(DESK_FIELDS[i], "Desks cannot be below zero."),
            Ok(n) if n > 100_000 => errors.add(DESK_FIELDS[i], "At most 100000 desks."),
            Ok(n) => desks[i] = n as u32,
            Err(_) => errors.add(DESK_FIELDS[i], "Give the desks as a whole number, such as 12."),
        }
    }
    (name, desks)
}

/// The most people and roles a space holds: enough for any team (a role stands for many people), and the plan
/// stays quick to compute.
pub const MAX_PEOPLE: usize = 200;

/// Refuses one more row in a space that holds `MAX_PEOPLE` already (the mistake is told on `field`).
pub fn check_room(errors: &mut FieldErrors, field: &'static str, people: usize) {
    if people >= MAX_PEOPLE {
        errors
            .add(field, format!("A space holds at most {MAX_PEOPLE} people and roles: let a role stand for several."));
    }
}

#[derive(Clone, Debug, Default)]
pub struct PersonFields {
    pub name: String,
    pub head_count: String,
    pub working_days: Vec<String>,
    pub hours_per_week: String,
    pub site_id: String,
    pub constraints: String,
    pub home_checked: bool,
}

pub struct CheckedPerson {
    pub name: String,
    pub head_count: i64,
    pub days: Days,
    pub hours_per_week: f64,
    pub site_id: Option<String>,
    pub constraints: String,
}

/// `described` is the hours of the person's activities already saved: the week cannot be shorter; their days
/// are among the team's (`team_days`).
pub fn check_person(
    errors: &mut FieldErrors,
    f: &PersonFields,
    team_days: Days,
    sites: &[SiteRow],
    described: f64,
) -> CheckedPerson {
    let name = errors.required("name", "The name", &f.name, 120);
    errors.one_line("name", "The name", &name);
    let head_count = match f.head_count.trim() {
        "" => 1,
        typed => match typed.parse::<i64>() {
            Ok(n) if (1..=1000).contains(&n) => n,
            _ => {
                errors.add("head_count", "Give how many people the role stands for: a whole number from 1 to 1000.");
                1
            }
        },
    };
    let days = check_days(errors, "working_days", &f.working_days);
    if let Some(outside) = days.iter().find(|d| !team_days.contains(*d)) {
        errors.add("working_days", format!("The team does not work on {}: choose among its days.", outside.name()));
    }
    let most = 24.0 * days.len().max(1) as f64;
    let hours_per_week = check_hours(errors, "hours_per_week", "The hours a week", &f.hours_per_week, most);
    if hours_per_week > 0.0 && described > hours_per_week + 1e-9 {
        errors.add(
            "hours_per_week",
            format!("The activities already add up to {}: the week cannot be shorter.", planner::hours(described)),
        );
    }
    let site_id = match f.site_id.trim() {
        "" => None,
        id if sites.iter().any(|s| s.id == id) => Some(id.to_string()),
        _ => {
            errors.add("site_id", "Choose one of the team's sites.");
            None
        }
    };
    let constraints = errors.optional("constraints", "The constraints", &f.constraints, 2000);
    CheckedPerson { name, head_count, days, hours_per_week, site_id, constraints }
}

#[derive(Clone, Debug, Default)]
pub struct ActivityFields {
    pub name: String,
    pub category: String,
    pub hours: String,
    pub cadence: String,
    pub place: String,
    pub place_reason: String,
    pub timing: String,
    pub time_window: String,
    pub collaboration: String,
    pub with: Vec<String>,
    pub face_to_face: String,
    pub focus: String,
    pub rota: bool,
    pub systems: String,
    pub systems_remote: String,
}

fn level_key(errors: &mut FieldErrors, field: &'static str, value: &str) -> String {
    match value {
        "" => "medium".into(),
        v @ ("low" | "medium" | "high") => v.into(),
        _ => {
            errors.add(field, "Choose low, medium or high.");
            "medium".into()
        }
    }
}

/// Checks an activity of `person`; `other_hours` is the hours of their other activities, so the week is never
/// overfilled. Gives the row to save (its id and person are the caller's).
pub fn check_activity(
    errors: &mut FieldErrors,
    f: &ActivityFields,
    person: &PersonRow,
    other_hours: f64,
    people: &[PersonRow],
) -> ActivityRow {
    let name = errors.required("activity_name", "The activity's name", &f.name, 160);
    errors.one_line("activity_name", "The activity's name", &name);
    let category = f.category.as_str();
    if Category::parse(category).is_none() {
        errors.add("category", "Choose what kind of work it is.");
    }
    let hours = check_hours(errors, "hours", "Its hours a week", &f.hours, 168.0);
    if hours > 0.0 && hours + other_hours > person.hours_per_week + 1e-9 {
        errors.add(
            "hours",
            format!(
                "With this, the activities would add up to {} in a {} week: shorten it, or change the week first.",
                planner::hours(hours + other_hours),
                planner::hours(person.hours_per_week)
            ),
        );
    }
    let closed = |errors: &mut FieldErrors, field: &'static str, value: &str, default: &str, ok: bool, what: &str| {
        if value.is_empty() {
            return default.to_string();
        }
        if !ok {
            errors.add(field, format!("Choose {what}."));
        }
        value.to_string()
    };
    let cadence = closed(
        errors,
        "cadence",
        &f.cadence,
        "weekly",
        CADENCES.iter().any(|(k, _)| *k == f.cadence),
        "how often it comes round",
    );
    let place = closed(errors, "place", &f.place, "none", Place::parse(&f.place).is_some(), "where it must be done");
    let timing =
        closed(errors, "timing", &f.timing, "none", Timing::parse(&f.timing).is_some(), "when it must be done");
    let collaboration = closed(
        errors,
        "collaboration",
        &f.collaboration,
        "solo",
        Collaboration::parse(&f.collaboration).is_some(),
        "how it is done with others",
    );
    let systems_remote = closed(
        errors,
        "systems_remote",
        &f.systems_remote,
        "unknown",
        SYSTEMS_REMOTE.iter().any(|(k, _)| *k == f.systems_remote),
        "whether its systems work remotely",
    );
    let mut with = Vec::new();
    for id in f.with.iter().map(String::as_str).filter(|w| !w.is_empty()) {
        if id == person.id {
            continue;
        }
        if people.iter().any(|p| p.id == id) {
            with.push(id.to_string());
        } else {
            errors.add("with", "Choose people of this team.");
            break;
        }
    }
    let place_reason = errors.optional("place_reason", "The reason", &f.place_reason, 500);
    let time_window = errors.optional("time_window", "The window", &f.time_window, 100);
    errors.one_line("time_window", "The window", &time_window);
    let systems = errors.optional("systems", "The systems", &f.systems, 500);
    ActivityRow {
        id: String::new(),
        person_id: person.id.clone(),
        name,
        category: category.to_string(),
        hours,
        cadence,
        place,
        place_reason,
        timing,
        time_window,
        collaboration,
        with_people: with.join(","),
        face_to_face: level_key(errors, "face_to_face", &f.face_to_face),
        focus: level_key(errors, "focus", &f.focus),
        rota: f.rota,
        systems,
        systems_remote,
    }
}

fn level(key: &str) -> Level {
    match key {
        "high" => Level::High,
        "medium" => Level::Medium,
        _ => Level::Low,
    }
}

/// The team as the planner reads it, from the space's rows.
pub fn team_of(space: &Space, sites: &[SiteRow], people: &[PersonRow], activities: &[ActivityRow]) -> Team {
    Team {
        days: space.days(),
        day_hours: space.day_hours,
        sites: if sites.is_empty() {
            vec![Site { name: "No site yet".into(), desks: [0; 7] }]
        } else {
            sites.iter().map(|s| Site { name: s.name.clone(), desks: s.desks() }).collect()
        },
        service_hours: space.service_hours.clone(),
        people: people
            .iter()
            .map(|p| Person {
                id: p.id.clone(),
                name: p.name.clone(),
                head_count: p.head_count.clamp(1, 1000) as u32,
                // A person works only on the team's days (the team's days may have changed since).
                days: Days::of(
                    &days_of(&p.working_days).iter().filter(|d| space.days().contains(*d)).collect::<Vec<_>>(),
                ),
                hours: p.hours_per_week,
                site: p.site_id.as_ref().and_then(|id| sites.iter().position(|s| &s.id == id)).unwrap_or(0),
                home_checked: p.home_checked,
                activities: activities
                    .iter()
                    .filter(|a| a.person_id == p.id)
                    .map(|a| Activity {
                        name: a.name.clone(),
                        hours: a.hours,
                        place: Place::parse(&a.place).unwrap_or(Place::Unknown),
                        timing: Timing::parse(&a.timing).unwrap_or(Timing::Unknown),
                        window: a.time_window.clone(),
                        collaboration: Collaboration::parse(&a.collaboration).unwrap_or(Collaboration::Solo),
                        with: a.with_ids(),
                        focus: level(&a.focus),
                        rota: a.rota,
                        systems_remote: match a.systems_remote.as_str() {
                            "yes" => Some(true),
                            "no" => Some(false),
                            _ => None,
                        },
                    })
                    .collect(),
            })
            .collect(),
    }
}
