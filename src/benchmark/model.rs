//! The benchmark's typed values and rows.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// Where an assessment is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Being answered; colleagues contribute.
    Draft,
    /// Frozen; counts for the organisation's quarter and for peers.
    Submitted,
    /// A later submission in the same quarter took its place; kept in the history, not counted.
    Replaced,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Replaced => "replaced",
        }
    }

    pub fn parse(key: &str) -> Status {
        match key {
            "submitted" => Status::Submitted,
            "replaced" => Status::Replaced,
            _ => Status::Draft,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Submitted => "Submitted",
            Status::Replaced => "Replaced by a later submission",
        }
    }
}

/// "2026-Q4": the calendar quarter of a day.
pub fn quarter(day: NaiveDate) -> String {
    format!("{}-Q{}", day.year(), day.month0() / 3 + 1)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AssessmentRow {
    pub id: String,
    pub organisation_id: String,
    pub framework_id: String,
    pub version: Option<i64>,
    pub status: String,
    pub quarter: Option<String>,
    pub started_by_name: Option<String>,
    pub submitted_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
}

impl AssessmentRow {
    pub fn status(&self) -> Status {
        Status::parse(&self.status)
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AnswerRow {
    pub question_id: String,
    pub level: Option<i64>,
    pub evidence: String,
    pub link: String,
    pub answered_by_name: Option<String>,
    pub answered_at: DateTime<Utc>,
    /// Copied from the last assessment when this one started, and not given again since.
    pub carried_over: bool,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MeasureRow {
    pub key: String,
    pub value: f64,
    pub note: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TargetRow {
    pub dimension_key: String,
    pub target: f64,
}

/// One level of a peer's submitted assessment, for the peer figures: no text, no names.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PeerLevel {
    pub assessment_id: String,
    pub question_id: String,
    pub level: Option<i64>,
}

/// A peer's latest submitted assessment with the facts the filters read.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PeerAssessment {
    pub assessment_id: String,
    pub organisation_id: String,
    pub sector: String,
    pub employees: i64,
    pub region: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TaggedItem {
    pub dimension_key: String,
    pub item_kind: String,
    pub item_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_follow_the_calendar() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap_or_default();
        assert_eq!(quarter(d(1, 1)), "2026-Q1");
        assert_eq!(quarter(d(3, 31)), "2026-Q1");
        assert_eq!(quarter(d(4, 1)), "2026-Q2");
        assert_eq!(quarter(d(12, 31)), "2026-Q4");
    }
}
