//! Conversations, messages and reports, as stored.

use chrono::{DateTime, Utc};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Conversation {
    pub id: String,
    pub subject: String,
    pub started_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A conversation in a person's list.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Summary {
    pub id: String,
    pub subject: String,
    pub last_at: DateTime<Utc>,
    /// Messages from others the person has not read.
    pub unread: i64,
    /// How many other people are in it.
    pub others: i64,
}

/// One of a conversation's people.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Person {
    pub user_id: String,
    pub name: String,
    pub left_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Message {
    pub id: String,
    pub conversation_id: String,
    /// `None` once its author's account is erased: shown as "Former member".
    pub author_id: Option<String>,
    pub author_name: String,
    pub body_md: String,
    pub body_html: String,
    /// Taken out by a moderator after a report.
    pub removed: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Report {
    pub message_id: String,
    pub conversation_id: String,
    pub subject: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
    pub reported_by_name: String,
}
