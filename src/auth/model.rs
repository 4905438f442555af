//! Accounts and who is looking.

use chrono::{DateTime, Utc};

/// What a person is in the network. Suspension is separate: a suspended user keeps their role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Organiser,
    Moderator,
    Member,
    Applicant,
    /// Invited to a team space of the toolkit: reaches the spaces they were invited to and their own account,
    /// never the members' area.
    Participant,
    /// An outside expert invited to judge the awards: reaches the awards' judging pages they are assigned to and
    /// their own account, never the members' area.
    Judge,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Organiser => "organiser",
            Role::Moderator => "moderator",
            Role::Member => "member",
            Role::Applicant => "applicant",
            Role::Participant => "participant",
            Role::Judge => "judge",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "organiser" => Role::Organiser,
            "moderator" => Role::Moderator,
            "member" => Role::Member,
            "applicant" => Role::Applicant,
            "participant" => Role::Participant,
            "judge" => Role::Judge,
            _ => return None,
        })
    }

    pub const ALL: [Role; 6] =
        [Role::Organiser, Role::Moderator, Role::Member, Role::Applicant, Role::Participant, Role::Judge];
}

/// A user as the database holds them.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub suspended: bool,
    pub password_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    pub organisation_id: Option<String>,
    pub job_title: String,
    pub membership_ends_at: Option<DateTime<Utc>>,
    pub posting_suspended: bool,
}

crate::inline_row!(UserRow {
    id,
    email,
    name,
    role,
    suspended,
    password_hash,
    created_at,
    organisation_id,
    job_title,
    membership_ends_at,
    posting_suspended
});

/// A signed-in person.
#[derive(Clone, Debug)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub suspended: bool,
    pub organisation_id: Option<String>,
    /// End of a member's current 12-month term; past it, the membership has lapsed.
    pub membership_ends_at: Option<DateTime<Utc>>,
    /// A moderator stopped this member from posting in the forum (they can still read).
    pub posting_suspended: bool,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> User {
        User {
            role: Role::parse(&row.role).unwrap_or(Role::Applicant),
            id: row.id,
            email: row.email,
            name: row.name,
            suspended: row.suspended,
            organisation_id: row.organisation_id,
            membership_ends_at: row.membership_ends_at,
            posting_suspended: row.posting_suspended,
        }
    }
}

/// Whoever sent the request: a signed-in user with their session, or a visitor. Their standing (role, term,
/// suspension) comes with the session; their groups are read at most once per request, when a rule first needs
/// them (`membership::groups::standings`), and kept here for the rest of it.
#[derive(Clone, Debug, Default)]
pub struct Viewer {
    pub user: Option<User>,
    /// The hash of the session this request came with, to rotate or end it.
    pub session_hash: Option<String>,
    /// How long that session lasts (a new id for it keeps the person's choice).
    pub session_length: super::session::Length,
    /// (group id, standing) for every group the person is in or asked to join, once read.
    pub groups: std::sync::Arc<tokio::sync::OnceCell<Vec<(String, super::policy::GroupStanding)>>>,
}

impl Viewer {
    /// The person as the policy sees them when no request is in hand (a job deciding who is told).
    pub fn of(user: User) -> Viewer {
        Viewer { user: Some(user), ..Viewer::default() }
    }

    /// The person who sent a request with this session.
    pub fn signed_in(user: User, session_hash: String, session_length: super::session::Length) -> Viewer {
        Viewer { user: Some(user), session_hash: Some(session_hash), session_length, ..Viewer::default() }
    }

    pub fn role(&self) -> Option<Role> {
        self.user.as_ref().map(|u| u.role)
    }
}
