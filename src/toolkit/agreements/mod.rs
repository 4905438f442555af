//! Team agreements (DOMAIN.md, "Team agreement builder"): a team space's agreement on how it works, drafted
//! together section by section (every save a version, any two compared word by word, two saves of one section
//! at once never losing either text), proposed by a lead, agreed by everyone then in the team, reviewed.

pub mod api;
pub mod routes;
pub mod service;
pub mod store;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::planner::Plan;

/// A section of the agreement, with what organisers wrote to help the team write it (Markdown).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Section {
    pub key: String,
    pub title: String,
    pub prompt: String,
    pub example: String,
}

/// The sections every agreement starts with, and their first prompts and examples; organisers change the
/// prompts and examples at `/admin/toolkit`.
pub const SECTIONS: [(&str, &str, &str, &str); 11] = [
    (
        "details",
        "Details",
        "Who the agreement is for, who keeps it, when it was agreed and when it is next reviewed (every three \
         months, and when someone joins).",
        "The Customer Support team, kept by Priya (team lead). Reviewed every three months and whenever someone joins.",
    ),
    (
        "purpose",
        "Purpose and customers",
        "What the team is for, who its customers are (inside and outside the organisation), and what they need \
         from it wherever the team is working.",
        "We answer customers' questions by phone and chat from 8:00 to 18:00 and resolve 90% of them the same day.",
    ),
    (
        "where_when",
        "Where and when we work",
        "Choice within the plan; anchor days and what they are for; contact hours; which work suits home; how we \
         guard against overwork.",
        "Tuesday and Thursday are our anchor days for planning and coaching; the rest of the week each of us \
         chooses where to work, by the activity.",
    ),
    (
        "availability",
        "Availability and visibility",
        "How calendars show where and when each person works; how much notice a change needs.",
        "Our calendars show our location for each day; we give a day's notice of a change to an anchor day.",
    ),
    (
        "communication",
        "Communication",
        "Which channel for what; how quickly we reply on each; how hybrid meetings are fair to everyone.",
        "Chat for quick questions (reply within two hours), e-mail for decisions, a call when something is urgent. \
         In hybrid meetings everyone joins from their own screen.",
    ),
    (
        "collaboration",
        "Collaboration and information",
        "Where shared work and information live; what we do asynchronously first.",
        "Everything we share lives in the team site; updates are written first and discussed only when needed.",
    ),
    (
        "results",
        "Managing by results",
        "How we report progress, when we check in, how we raise problems early.",
        "A short written update each Friday; a fortnightly one-to-one; anyone may raise a problem at any time.",
    ),
    (
        "fairness",
        "Cohesion, fairness and inclusion",
        "How cover is shared fairly; how we avoid favouring those seen most in the office; how new people are \
         welcomed; social time.",
        "The rota spreads early and late cover evenly; new starters have a buddy and two anchor days a week for \
         their first month.",
    ),
    (
        "wellbeing",
        "Wellbeing and boundaries",
        "Switching off; workload; what we do when someone is stretched.",
        "No messages are expected outside each person's working hours; we say when our workload is too much.",
    ),
    (
        "office_space",
        "Sharing office space",
        "How desks and rooms are booked and shared; what the office is for.",
        "We book desks a day ahead in the booking system and keep the team zone for anchor days.",
    ),
    (
        "review",
        "Concerns, measures and review",
        "How a concern is raised and escalated; what we measure; how and when we review this agreement.",
        "Concerns go to the team lead first, then to the head of service. We look at response times and our \
         wellbeing check every quarter, and review this agreement then.",
    ),
];

/// The section prefilled from the team's plan.
pub const FROM_PLAN: &str = "where_when";

/// Where an agreement stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Being written (there may be an earlier version in force).
    Draft,
    /// A version is proposed for agreement.
    Proposed,
    /// The latest version was agreed by everyone then in the team.
    InForce,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Proposed => "proposed",
            Status::InForce => "in_force",
        }
    }
}

/// The agreement of a space.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Agreement {
    pub space_id: String,
    pub proposed_version: Option<i64>,
    pub proposed_at: Option<DateTime<Utc>>,
    pub in_force_version: Option<i64>,
    pub in_force_at: Option<DateTime<Utc>>,
    pub review_on: Option<String>,
    pub plan_source: String,
}

impl Agreement {
    pub fn status(&self, latest: i64) -> Status {
        if self.proposed_version.is_some() {
            Status::Proposed
        } else if self.in_force_version == Some(latest) {
            Status::InForce
        } else {
            Status::Draft
        }
    }
}

/// A saved version: every section's text then.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Version {
    pub number: i64,
    pub section: String,
    pub sections: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
}

impl Version {
    pub fn texts(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.sections).unwrap_or_default()
    }

    pub fn text(&self, key: &str) -> String {
        self.texts().remove(key).unwrap_or_default()
    }
}

/// "Where and when we work" as the plan has it now: anchor days, contact windows and the rota.
pub fn from_plan(plan: &Plan) -> String {
    let mut out = Vec::new();
    if plan.anchor_days.is_empty() {
        out.push("The plan has no anchor days yet: each of us chooses where to work, by the activity.".to_string());
    } else {
        let days: Vec<&str> = plan.anchor_days.iter().map(|d| d.name()).collect();
        out.push(format!("**Anchor days:** {} ({}). {}", join(&days), plan.split, plan.anchor_reason));
    }
    if !plan.windows.is_empty() {
        out.push(format!("**Contact windows:** {}", plan.windows.join(" ")));
    }
    let rota: Vec<String> = plan
        .rota
        .iter()
        .filter(|r| !r.cover.is_empty())
        .map(|r| format!("{}: {}", r.day.name(), r.cover.join(", ")))
        .collect();
    if !rota.is_empty() {
        out.push(format!("**Rota (on-site cover):** {}", rota.join("; ")));
    }
    out.push("On the other days each of us chooses where to work, by the activity.".to_string());
    out.join("\n\n")
}

fn join(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The words of two texts compared: each piece kept, taken out or put in, for a readable comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Same(String),
    Removed(String),
    Added(String),
}

/// A word-level comparison of two texts.
pub fn compare(old: &str, new: &str) -> Vec<Change> {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::from_words(old, new);
    let mut out: Vec<Change> = Vec::new();
    for change in diff.iter_all_changes() {
        let text = change.value().to_string();
        let piece = match change.tag() {
            ChangeTag::Equal => Change::Same(text),
            ChangeTag::Delete => Change::Removed(text),
            ChangeTag::Insert => Change::Added(text),
        };
        // Runs of one kind read as one piece.
        match (out.last_mut(), &piece) {
            (Some(Change::Same(a)), Change::Same(b))
            | (Some(Change::Removed(a)), Change::Removed(b))
            | (Some(Change::Added(a)), Change::Added(b)) => a.push_str(b),
            _ => out.push(piece),
        }
    }
    out
}

/// A plan in words, for the line saying where the prefilled section came from.
pub fn plan_source(space_name: &str, now: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    format!("the plan of {space_name} as it stood on {}", crate::web::time::date(now, tz))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comparison_keeps_every_word_once_in_order() {
        let old = "We meet on Tuesday and Thursday.";
        let new = "We meet on Tuesday and Wednesday, in person.";
        let changes = compare(old, new);
        let rebuilt_old: String = changes
            .iter()
            .filter_map(|c| match c {
                Change::Same(t) | Change::Removed(t) => Some(t.as_str()),
                Change::Added(_) => None,
            })
            .collect();
        let rebuilt_new: String = changes
            .iter()
            .filter_map(|c| match c {
                Change::Same(t) | Change::Added(t) => Some(t.as_str()),
                Change::Removed(_) => None,
            })
            .collect();
        assert_eq!((rebuilt_old.as_str(), rebuilt_new.as_str()), (old, new));
        assert!(changes.iter().any(|c| matches!(c, Change::Removed(t) if t.contains("Thursday"))));
    }
}
