//! Applications, organisations and members, as stored.

use chrono::{DateTime, Utc};

use super::eligibility::{RuleResult, Verdict};

/// Where an application stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Waiting for the applicant to confirm their work e-mail address.
    Unverified,
    /// Waiting for an organiser.
    Pending,
    /// An organiser asked a question; waiting for the applicant.
    InfoRequested,
    Approved,
    Rejected,
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::Pending, Status::InfoRequested, Status::Unverified, Status::Approved, Status::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unverified => "unverified",
            Status::Pending => "pending",
            Status::InfoRequested => "info_requested",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// How the status reads to organisers, who decide.
    pub fn to_organisers(self) -> &'static str {
        match self {
            Status::Unverified => "The applicant has not yet confirmed their e-mail address",
            Status::Pending => "Waiting for an organiser's decision",
            Status::InfoRequested => "Asked for more information: waiting for the applicant",
            Status::Approved => "Approved",
            Status::Rejected => "Not approved",
        }
    }

    /// How the status reads to the applicant.
    pub fn label(self) -> &'static str {
        match self {
            Status::Unverified => "Waiting for you to confirm your e-mail address",
            Status::Pending => "Waiting for review by an organiser",
            Status::InfoRequested => "An organiser has asked for more information",
            Status::Approved => "Approved",
            Status::Rejected => "Not approved",
        }
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ApplicationRow {
    pub id: String,
    pub user_id: String,
    pub kind: String,
    pub status: String,
    pub name: String,
    pub email: String,
    pub job_title: String,
    pub employment: String,
    pub programme_role: String,
    pub disciplines: String,
    pub organisation_name: String,
    pub organisation_domain: String,
    pub sector: String,
    pub employees: Option<i64>,
    pub region: String,
    pub stage: String,
    pub outcome: String,
    pub rule_results: String,
    pub organisation_id: Option<String>,
    pub verify_expires_at: Option<DateTime<Utc>>,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl ApplicationRow {
    pub fn is_employer_change(&self) -> bool {
        self.kind == "employer_change"
    }

    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Pending)
    }

    pub fn outcome(&self) -> Verdict {
        Verdict::parse(&self.outcome)
    }

    /// The stored result of each eligibility rule.
    pub fn rules(&self) -> Vec<RuleResult> {
        serde_json::from_str(&self.rule_results).unwrap_or_default()
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ApplicationEvent {
    pub kind: String,
    pub message: String,
    pub actor_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// An application waiting for an organiser, for their overview.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Awaiting {
    pub name: String,
    pub organisation_name: String,
    pub since: DateTime<Utc>,
}

/// A region on the organisers' list, with how many organisations are in it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RegionInUse {
    pub name: String,
    pub organisations: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Organisation {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub sector: String,
    pub employees: i64,
    pub region: String,
    pub stage: String,
}

impl Organisation {
    /// Size in bands, as peers compare themselves.
    pub fn size_band(&self) -> &'static str {
        size_band_of(self.employees)
    }
}

/// The size band of a number of employees.
pub fn size_band_of(employees: i64) -> &'static str {
    let band = match employees {
        ..=249 => 0,
        250..=999 => 1,
        1000..=4999 => 2,
        5000..=19999 => 3,
        _ => 4,
    };
    SIZE_BANDS[band]
}

/// A member as other members see them in the directory.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MemberListing {
    pub id: String,
    pub name: String,
    pub job_title: String,
    pub organisation_name: Option<String>,
    pub organisation_slug: Option<String>,
}

/// Organisation sizes in the bands peers compare themselves by.
pub const SIZE_BANDS: [&str; 5] = [
    "100 to 249 employees",
    "250 to 999 employees",
    "1,000 to 4,999 employees",
    "5,000 to 19,999 employees",
    "20,000 or more employees",
];

pub const SECTORS: [&str; 11] = [
    "Central government",
    "Local government",
    "Health and care",
    "Education and research",
    "Charity and voluntary",
    "Financial services",
    "Professional services",
    "Technology and telecoms",
    "Retail, leisure and hospitality",
    "Manufacturing, engineering and utilities",
    "Other",
];

pub const DISCIPLINES: [(&str, &str); 4] = [
    ("people", "People and HR"),
    ("workplace", "Workplace and property"),
    ("technology", "Technology"),
    ("change", "Change"),
];
