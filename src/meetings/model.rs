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

crate::inline_row!(Meeting {
    id,
    slug,
    title,
    format,
    summary_md,
    summary_html,
    agenda_md,
    agenda_html,
    disciplines,
    audience,
    group_id,
    mode,
    joining_link,
    venue,
    directions,
    accessibility,
    host_organisation_id,
    chair,
    speakers_md,
    speakers_html,
    starts_at,
    ends_at,
    registration_closes_at,
    capacity,
    chatham_house,
    status,
    sequence,
    notes_md,
    notes_html,
    recording_link,
    slides_file_id
});

/// A meeting's format: the network's four kinds of meeting, and networking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    CaseStudy,
    ThoughtLeadership,
    ResearchSummary,
    TopicExploration,
    Networking,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::CaseStudy,
        Format::ThoughtLeadership,
        Format::ResearchSummary,
        Format::TopicExploration,
        Format::Networking,
    ];

    /// As stored, and as forms and the API send it.
    pub const fn key(self) -> &'static str {
        match self {
            Format::CaseStudy => "case_study",
            Format::ThoughtLeadership => "thought_leadership",
            Format::ResearchSummary => "research_summary",
            Format::TopicExploration => "topic_exploration",
            Format::Networking => "networking",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Format::CaseStudy => "Case study",
            Format::ThoughtLeadership => "Thought leadership",
            Format::ResearchSummary => "Research summary",
            Format::TopicExploration => "Topic exploration",
            Format::Networking => "Networking",
        }
    }

    pub fn parse(key: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// How people take part: online, in the room, or either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Virtual,
    InPerson,
    Hybrid,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Virtual, Mode::InPerson, Mode::Hybrid];

    pub const fn key(self) -> &'static str {
        match self {
            Mode::Virtual => "virtual",
            Mode::InPerson => "in_person",
            Mode::Hybrid => "hybrid",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Mode::Virtual => "Virtual",
            Mode::InPerson => "In person",
            Mode::Hybrid => "Hybrid",
        }
    }

    pub fn parse(key: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.key() == key)
    }

    /// Whether people meet in a room (which then needs a venue).
    pub fn has_venue(self) -> bool {
        self != Mode::Virtual
    }

    /// Whether people join online (which then needs a joining link).
    pub fn is_online(self) -> bool {
        self != Mode::InPerson
    }
}

/// (key, label) of every format, for the forms' and filters' choices.
pub const FORMATS: [(&str, &str); 5] = {
    let mut all = [("", ""); 5];
    let mut i = 0;
    while i < 5 {
        all[i] = (Format::ALL[i].key(), Format::ALL[i].label());
        i += 1;
    }
    all
};

/// (key, label) of every mode, for the forms' choices.
pub const MODES: [(&str, &str); 3] = {
    let mut all = [("", ""); 3];
    let mut i = 0;
    while i < 3 {
        all[i] = (Mode::ALL[i].key(), Mode::ALL[i].label());
        i += 1;
    }
    all
};

pub const AUDIENCES: [(&str, &str); 3] =
    [("open", "Open to all"), ("members", "Members only (closed)"), ("group", "One group's members")];

pub fn label(list: &[(&'static str, &'static str)], key: &str) -> &'static str {
    list.iter().find(|(k, _)| *k == key).map(|(_, l)| *l).unwrap_or("")
}

/// A meeting as a listing shows it (the home page, the meeting list): its card's columns and what the policy
/// reads, without the agenda, speakers, notes and their Markdown, which a card never shows. Reading all of a
/// meeting's columns for each card was a measurable part of the list's CPU (issue 22).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Listed {
    pub slug: String,
    pub title: String,
    pub format: String,
    pub summary_html: String,
    pub audience: String,
    pub group_id: Option<String>,
    pub mode: String,
    pub starts_at: DateTime<Utc>,
    pub status: String,
}

crate::inline_row!(Listed { slug, title, format, summary_html, audience, group_id, mode, starts_at, status });

/// Who a meeting is for, as the policy reads it: open meetings are for everyone.
fn audience_of(audience: &str, group_id: &Option<String>) -> Audience {
    match (audience, group_id) {
        ("open", _) => Audience::Everyone,
        ("group", Some(g)) => Audience::Group(g.clone()),
        // A group meeting whose group was deleted: no one's group, so only organisers see it in full.
        ("group", None) => Audience::Group(String::new()),
        _ => Audience::Members,
    }
}

/// A stored mode, typed; anything unknown is read as hybrid, which shows both the venue and the link.
fn mode_of(mode: &str) -> Mode {
    Mode::parse(mode).unwrap_or(Mode::Hybrid)
}

impl Listed {
    pub fn format_label(&self) -> &'static str {
        Format::parse(&self.format).map_or("", Format::label)
    }

    pub fn mode_label(&self) -> &'static str {
        mode_of(&self.mode).label()
    }

    pub fn audience(&self) -> Audience {
        audience_of(&self.audience, &self.group_id)
    }

    pub fn status(&self) -> MeetingStatus {
        MeetingStatus::parse(&self.status)
    }

    pub fn is_cancelled(&self) -> bool {
        self.status == "cancelled"
    }
}

/// A meeting as a search matches and shows it: the words it is matched on and what the policy reads.
#[derive(Debug, sqlx::FromRow)]
pub struct Matched {
    pub slug: String,
    pub title: String,
    pub format: String,
    pub summary_md: String,
    pub audience: String,
    pub group_id: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub status: String,
}

impl Matched {
    pub fn format_label(&self) -> &'static str {
        Format::parse(&self.format).map_or("", Format::label)
    }

    pub fn audience(&self) -> Audience {
        audience_of(&self.audience, &self.group_id)
    }

    pub fn status(&self) -> MeetingStatus {
        MeetingStatus::parse(&self.status)
    }
}

impl Meeting {
    /// The stored format, typed; a value the schema's CHECK allows always parses.
    pub fn format(&self) -> Option<Format> {
        Format::parse(&self.format)
    }

    /// The stored mode, typed (`mode_of`).
    pub fn mode(&self) -> Mode {
        mode_of(&self.mode)
    }

    pub fn format_label(&self) -> &'static str {
        self.format().map_or("", Format::label)
    }

    pub fn mode_label(&self) -> &'static str {
        self.mode().label()
    }

    /// Who it is for, as the policy reads it: open meetings are for everyone.
    pub fn audience(&self) -> Audience {
        audience_of(&self.audience, &self.group_id)
    }

    /// What a listing would have read of it (for its card on its own page).
    pub fn listed(&self) -> Listed {
        Listed {
            slug: self.slug.clone(),
            title: self.title.clone(),
            format: self.format.clone(),
            summary_html: self.summary_html.clone(),
            audience: self.audience.clone(),
            group_id: self.group_id.clone(),
            mode: self.mode.clone(),
            starts_at: self.starts_at,
            status: self.status.clone(),
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
        self.mode().has_venue()
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
    /// A member's choice to be named among who is going (others are counted).
    pub name_shown: bool,
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
