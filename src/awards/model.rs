//! The awards' typed values and rows.

use chrono::{DateTime, Utc};

/// Who may enter a category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenTo {
    /// Members, for their own organisation.
    Members,
    /// Anyone, through the public form with e-mail confirmation.
    Anyone,
}

impl OpenTo {
    pub const ALL: [OpenTo; 2] = [OpenTo::Members, OpenTo::Anyone];

    pub fn key(self) -> &'static str {
        match self {
            OpenTo::Members => "members",
            OpenTo::Anyone => "anyone",
        }
    }

    pub fn parse(key: &str) -> Option<OpenTo> {
        OpenTo::ALL.into_iter().find(|o| o.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            OpenTo::Members => "Members, for their own organisation",
            OpenTo::Anyone => "Anyone, through the public entry form",
        }
    }
}

/// Where a programme is in its year, from its timeline and what organisers have published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Announced,
    OpenForEntries,
    EntriesClosed,
    Judging,
    Shortlisted,
    Decided,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Announced => "Entries open soon",
            Phase::OpenForEntries => "Open for entries",
            Phase::EntriesClosed => "Entries closed",
            Phase::Judging => "Judging",
            Phase::Shortlisted => "Shortlist published",
            Phase::Decided => "Winners announced",
        }
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Programme {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub year: i64,
    pub description: String,
    pub entries_open_at: DateTime<Utc>,
    pub entries_close_at: DateTime<Utc>,
    pub judging_opens_at: DateTime<Utc>,
    pub judging_closes_at: DateTime<Utc>,
    pub shortlist_at: Option<DateTime<Utc>>,
    pub winners_at: Option<DateTime<Utc>>,
    pub shortlist_published_at: Option<DateTime<Utc>>,
    pub winners_published_at: Option<DateTime<Utc>>,
}

impl Programme {
    pub fn phase(&self, now: DateTime<Utc>) -> Phase {
        if self.winners_published_at.is_some() {
            Phase::Decided
        } else if self.shortlist_published_at.is_some() {
            Phase::Shortlisted
        } else if now >= self.judging_opens_at {
            Phase::Judging
        } else if now >= self.entries_close_at {
            Phase::EntriesClosed
        } else if now >= self.entries_open_at {
            Phase::OpenForEntries
        } else {
            Phase::Announced
        }
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Category {
    pub id: String,
    pub programme_id: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub open_to: String,
    pub scale_max: i64,
    pub disagreement: f64,
    pub guidance: String,
    /// How many judges each entry should have.
    pub judges_per_entry: i64,
    /// The eligibility checklist, one item a line.
    pub checklist: String,
}

impl Category {
    pub fn open_to(&self) -> OpenTo {
        OpenTo::parse(&self.open_to).unwrap_or(OpenTo::Members)
    }

    pub fn checklist(&self) -> Vec<&str> {
        self.checklist.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Criterion {
    pub id: String,
    pub name: String,
    pub weight: f64,
    pub guidance: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_programme_moves_through_its_year_and_publishing_is_a_deliberate_act() {
        let now = Utc::now();
        let mut p = Programme {
            id: String::new(),
            slug: String::new(),
            name: String::new(),
            year: 2027,
            description: String::new(),
            entries_open_at: now + Duration::days(1),
            entries_close_at: now + Duration::days(30),
            judging_opens_at: now + Duration::days(31),
            judging_closes_at: now + Duration::days(60),
            shortlist_at: Some(now + Duration::days(61)),
            winners_at: Some(now + Duration::days(90)),
            shortlist_published_at: None,
            winners_published_at: None,
        };
        assert_eq!(p.phase(now), Phase::Announced);
        assert_eq!(p.phase(now + Duration::days(2)), Phase::OpenForEntries);
        assert_eq!(p.phase(now + Duration::days(30)), Phase::EntriesClosed);
        assert_eq!(p.phase(now + Duration::days(40)), Phase::Judging);
        // Its date passing publishes nothing by itself.
        assert_eq!(p.phase(now + Duration::days(95)), Phase::Judging);
        p.shortlist_published_at = Some(now + Duration::days(62));
        assert_eq!(p.phase(now + Duration::days(95)), Phase::Shortlisted);
        p.winners_published_at = Some(now + Duration::days(91));
        assert_eq!(p.phase(now + Duration::days(95)), Phase::Decided);
    }
}

/// Where an entry is, as its entrant sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryStatus {
    Draft,
    Submitted,
    Withdrawn,
    /// Organisers sent it back with a reason; it can be changed and submitted again before the close.
    Returned,
}

impl EntryStatus {
    pub fn key(self) -> &'static str {
        match self {
            EntryStatus::Draft => "draft",
            EntryStatus::Submitted => "submitted",
            EntryStatus::Withdrawn => "withdrawn",
            EntryStatus::Returned => "returned",
        }
    }

    pub fn parse(key: &str) -> EntryStatus {
        match key {
            "submitted" => EntryStatus::Submitted,
            "withdrawn" => EntryStatus::Withdrawn,
            "returned" => EntryStatus::Returned,
            _ => EntryStatus::Draft,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EntryStatus::Draft => "Draft: not yet submitted",
            EntryStatus::Submitted => "Submitted",
            EntryStatus::Withdrawn => "Withdrawn",
            EntryStatus::Returned => "Returned by the organisers",
        }
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Entry {
    pub id: String,
    pub category_id: String,
    pub organisation_id: String,
    pub organisation_name: String,
    /// Who started it; none once they are erased.
    pub author_name: Option<String>,
    pub status: String,
    pub title: String,
    pub team: String,
    pub context: String,
    pub what_was_done: String,
    pub benefits: String,
    pub links: String,
    pub returned_reason: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
}

impl Entry {
    pub fn status(&self) -> EntryStatus {
        EntryStatus::parse(&self.status)
    }
}

#[derive(Clone, Debug, Default, PartialEq, sqlx::FromRow)]
pub struct Outcome {
    pub measure: String,
    pub baseline: String,
    pub result: String,
    pub unit: String,
}

// ---- Judging ---------------------------------------------------------------------------------------------------

/// What an organiser may give a shortlisted entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Award {
    Winner,
    HighlyCommended,
}

impl Award {
    pub const ALL: [Award; 2] = [Award::Winner, Award::HighlyCommended];

    pub fn key(self) -> &'static str {
        match self {
            Award::Winner => "winner",
            Award::HighlyCommended => "highly_commended",
        }
    }

    pub fn parse(key: &str) -> Option<Award> {
        Award::ALL.into_iter().find(|a| a.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Award::Winner => "Winner",
            Award::HighlyCommended => "Highly commended",
        }
    }
}

/// An invitation to judge a category.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Invitation {
    pub id: String,
    pub category_id: String,
    /// To judge this entry only.
    pub entry_id: Option<String>,
    pub email: String,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// A judge assigned to a whole category (`entry_id` none) or to one entry.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Assignment {
    pub id: String,
    pub category_id: String,
    pub entry_id: Option<String>,
    pub user_id: String,
    pub judge_name: String,
    pub judge_role: String,
}

impl Assignment {
    pub fn covers(&self, entry_id: &str) -> bool {
        self.entry_id.as_deref().is_none_or(|e| e == entry_id)
    }

    /// An outside expert rather than someone of the network.
    pub fn outside(&self) -> bool {
        self.judge_role == "judge"
    }
}

/// How a conflict was decided by people (proposals are computed, not stored).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConflictState {
    /// The judge declared it, and may take it back.
    Declared,
    /// An organiser pinned it: the judge cannot remove it.
    Pinned,
    /// An organiser found a proposal wrong.
    Dismissed,
}

impl ConflictState {
    pub fn key(self) -> &'static str {
        match self {
            ConflictState::Declared => "declared",
            ConflictState::Pinned => "pinned",
            ConflictState::Dismissed => "dismissed",
        }
    }

    pub fn parse(key: &str) -> ConflictState {
        match key {
            "pinned" => ConflictState::Pinned,
            "dismissed" => ConflictState::Dismissed,
            _ => ConflictState::Declared,
        }
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Conflict {
    pub entry_id: String,
    pub user_id: String,
    pub person_name: String,
    pub state: String,
    pub kind: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

impl Conflict {
    pub fn state(&self) -> ConflictState {
        ConflictState::parse(&self.state)
    }
}

/// A judge's review of an entry; its scores are read beside it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Review {
    pub entry_id: String,
    pub user_id: String,
    pub judge_name: String,
    pub abstained: bool,
    pub reason: String,
    pub comment: String,
    pub submitted_at: DateTime<Utc>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Score {
    pub entry_id: String,
    pub user_id: String,
    pub criterion_id: String,
    pub score: i64,
}

/// A remark in an entry's discussion.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Remark {
    pub entry_id: String,
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// What organisers decided of an entry.
#[derive(Clone, Debug, Default)]
pub struct Decision {
    pub entry_id: String,
    pub shortlisted: bool,
    pub award: Option<Award>,
    pub citation: String,
    pub case_study_id: Option<String>,
    pub meeting_id: Option<String>,
}

impl<'r, R: sqlx::Row> sqlx::FromRow<'r, R> for Decision
where
    &'r str: sqlx::ColumnIndex<R>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn from_row(row: &'r R) -> std::result::Result<Self, sqlx::Error> {
        let award: Option<String> = row.try_get("award")?;
        Ok(Decision {
            entry_id: row.try_get("entry_id")?,
            shortlisted: row.try_get("shortlisted")?,
            award: award.as_deref().and_then(Award::parse),
            citation: row.try_get("citation")?,
            case_study_id: row.try_get("case_study_id")?,
            meeting_id: row.try_get("meeting_id")?,
        })
    }
}
