//! Categories, topics, posts and notifications, as stored.

use chrono::{DateTime, Utc};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Category {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub group_id: Option<String>,
    pub position: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Topic {
    pub id: String,
    pub category_id: String,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    pub anonymous_label: Option<String>,
    pub title: String,
    pub kind: String,
    pub accepted_post_id: Option<String>,
    pub locked: bool,
    pub pinned: bool,
    pub hidden: bool,
    pub reply_count: i64,
    pub last_activity_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// For the viewer: whether there is activity since they last read the topic.
    pub unread: bool,
}

crate::inline_row!(Topic {
    id,
    category_id,
    author_id,
    author_name,
    anonymous_label,
    title,
    kind,
    accepted_post_id,
    locked,
    pinned,
    hidden,
    reply_count,
    last_activity_at,
    created_at,
    unread
});

impl Topic {
    /// Whether it takes replies, as the policy reads it.
    pub fn replies(&self) -> crate::auth::policy::Replies {
        if self.locked { crate::auth::policy::Replies::Locked } else { crate::auth::policy::Replies::Open }
    }

    pub fn is_question(&self) -> bool {
        self.kind == "question"
    }

    pub fn is_answered(&self) -> bool {
        self.accepted_post_id.is_some()
    }
}

/// A post as written, for acting on it: quoting, editing, liking, keeping, accepting (a page shows a `PagePost`).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Post {
    pub id: String,
    pub topic_id: String,
    pub author_id: Option<String>,
    pub body_md: String,
    pub opening: bool,
    pub hidden: bool,
    pub created_at: DateTime<Utc>,
}

/// A post as a page of its topic shows it to a reader (`store::posts`): its HTML, not its Markdown (read only
/// where it is quoted, edited or exported), how many members liked it, and whether the reader did and keeps it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PagePost {
    pub id: String,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    pub body_html: String,
    pub opening: bool,
    pub hidden: bool,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub likes: i64,
    pub liked: bool,
    pub bookmarked: bool,
}

crate::inline_row!(PagePost {
    id,
    author_id,
    author_name,
    body_html,
    opening,
    hidden,
    created_at,
    edited_at,
    likes,
    liked,
    bookmarked
});

/// A post a member keeps on their list (`/account/bookmarks`).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Bookmark {
    pub post_id: String,
    pub topic_id: String,
    pub category_id: String,
    pub title: String,
    pub opening: bool,
    pub body_md: String,
    pub hidden: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Notification {
    pub topic_id: Option<String>,
    pub text: String,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Flag {
    pub id: String,
    pub post_id: String,
    pub topic_id: String,
    pub title: String,
    pub body_md: String,
    pub reason: String,
    pub flagged_by_name: Option<String>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LogEntry {
    pub moderator_name: Option<String>,
    pub action: String,
    pub target: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Revision {
    pub body_md: String,
    pub editor_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub const DEFAULT_CATEGORIES: [(&str, &str, &str); 4] = [
    ("people", "People", "HR policy, culture, management, wellbeing, fairness and inclusion."),
    ("workplace", "Workplace", "Property, offices and other places of work, desk ratios and occupancy."),
    ("technology", "Technology", "Tools, systems, information and hybrid meetings."),
    ("general", "General", "Everything else about leading Smart Working."),
];
