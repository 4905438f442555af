//! Meetings and registrations, as stored.

use chrono::{DateTime, Utc};

use crate::auth::policy::{Audience, MeetingStatus, RegistrationStatus};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Meeting {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub format: String,
    pub summary_md: String,
    pub summary_html: String,
    pub agenda_md: String,
    pub agenda_html: String,
    pub disciplines: String,
    pub audience: String,
    pub group_id: Option<String>,
    pub mode: String,
    pub joining_link: String,
    pub venue: String,
    pub directions: String,
    pub accessibility: String,
    pub host_organisation_id: Option<String>,
    pub chair: String,
    pub speakers_md: String,
    pub speakers_html: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub registration_closes_at: DateTime<Utc>,
    pub capacity: i64,
    pub chatham_house: bool,
    pub status: String,
    pub sequence: i64,
    pub notes_md: String,
    pub notes_html: String,
    pub recording_link: String,
    pub slides_file_id: Option<String>,
}

pub const FORMATS: [(&str, &str); 5] = [
    ("case_study", "Case study"),
    ("thought_leadership", "Thought leadership"),
    ("research_summary", "Research summary"),
    ("topic_exploration", "Topic exploration"),
    ("networking", "Networking"),
];

pub const MODES: [(&str, &str); 3] = [("virtual", "Virtual"), ("in_person", "In person"), ("hybrid", "Hybrid")];

pub const AUDIENCES: [(&str, &str); 3] =
    [("open", "Open to all"), ("members", "Members only (closed)"), ("group", "One group's members")];

pub fn label(list: &[(&'static str, &'static str)], key: &str) -> &'static str {
    list.iter().find(|(k, _)| *k == key).map(|(_, l)| *l).unwrap_or("")
}

impl Meeting {
    pub fn format_label(&self) -> &'static str {
        label(&FORMATS, &self.format)
    }

    pub fn mode_label(&self) -> &'static str {
        label(&MODES, &self.mode)
    }

    /// Who it is for, as the policy reads it: open meetings are for everyone.
    pub fn audience(&self) -> Audience {
        match (self.audience.as_str(), &self.group_id) {
            ("open", _) => Audience::Everyone,
            ("group", Some(g)) => Audience::Group(g.clone()),
            // A group meeting whose group was deleted: no one's group, so only organisers see it in full.
            ("group", None) => Audience::Group(String::new()),
            _ => Audience::Members,
        }
    }

    pub fn status(&self) -> MeetingStatus {
        MeetingStatus::parse(&self.status)
    }

    pub fn is_open(&self) -> bool {
        self.audience == "open"
    }

    pub fn is_cancelled(&self) -> bool {
        self.status == "cancelled"
    }

    pub fn has_venue(&self) -> bool {
        self.mode != "virtual"
    }

    pub fn is_past(&self, now: DateTime<Utc>) -> bool {
        self.ends_at < now
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Registration {
    pub id: String,
    pub meeting_id: String,
    pub user_id: Option<String>,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub status: String,
    pub queued_at: DateTime<Utc>,
    pub attended: Option<bool>,
}

impl Registration {
    pub fn status(&self) -> RegistrationStatus {
        RegistrationStatus::parse(&self.status)
    }

    pub fn is_confirmed(&self) -> bool {
        self.status == "confirmed"
    }

    pub fn is_waitlisted(&self) -> bool {
        self.status == "waitlisted"
    }
}
