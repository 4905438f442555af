//! The types of newsletters.

use chrono::{DateTime, Utc};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Newsletter {
    pub id: String,
    pub subject: String,
    pub intro_md: String,
    pub intro_html: String,
    /// draft, scheduled, sending (copies being queued), sent (every copy queued)
    pub status: String,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub recipients: i64,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub queued_at: Option<DateTime<Utc>>,
}

impl Newsletter {
    /// Still open to change: a draft, or scheduled and not yet gone.
    pub fn editable(&self) -> bool {
        matches!(self.status.as_str(), "draft" | "scheduled")
    }

    /// The outbox batch its copies belong to.
    pub fn batch(&self) -> String {
        format!("newsletter:{}", self.id)
    }
}

/// One item of an issue, with who may see it: 'public', 'members' or 'group:<id>'.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Block {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub path: String,
    pub audience: String,
    pub position: i64,
    pub included: bool,
}

impl Block {
    pub fn kind_label(&self) -> &'static str {
        match self.kind.as_str() {
            "news" => "News",
            "meeting" => "Meeting",
            "question" => "Answered in the forum",
            "article" => "Article",
            "resource" => "Resource",
            "case_study" => "Case study",
            _ => "Item",
        }
    }

    pub fn audience_label(&self) -> &'static str {
        match self.audience.as_str() {
            "public" => "everyone",
            "members" => "members",
            _ => "one group",
        }
    }
}

/// A block gathered for a new issue: an item a feature offered.
pub type NewBlock = crate::feature::NewsletterItem;

/// A new issue as an organiser starts it.
pub struct Draft<'a> {
    pub subject: &'a str,
    /// Markdown; rendered to sanitised HTML when stored.
    pub intro_md: &'a str,
    pub audiences: &'a [Audience],
    pub blocks: &'a [NewBlock],
    pub author_id: Option<&'a str>,
}

/// Who an issue goes to; an issue has one or more.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Audience {
    Members,
    Group(String),
    Region(String),
    Subscribers,
}

impl Audience {
    pub fn from_row(kind: &str, value: &str) -> Option<Audience> {
        match kind {
            "members" => Some(Audience::Members),
            "group" => Some(Audience::Group(value.to_string())),
            "region" => Some(Audience::Region(value.to_string())),
            "subscribers" => Some(Audience::Subscribers),
            _ => None,
        }
    }

    pub fn to_row(&self) -> (&'static str, &str) {
        match self {
            Audience::Members => ("members", ""),
            Audience::Group(id) => ("group", id),
            Audience::Region(name) => ("region", name),
            Audience::Subscribers => ("subscribers", ""),
        }
    }

    /// The form value of this audience: `members`, `subscribers`, `group:<id>`, `region:<name>`.
    pub fn form_value(&self) -> String {
        match self {
            Audience::Members => "members".into(),
            Audience::Subscribers => "subscribers".into(),
            Audience::Group(id) => format!("group:{id}"),
            Audience::Region(name) => format!("region:{name}"),
        }
    }

    pub fn from_form_value(value: &str) -> Option<Audience> {
        match value.split_once(':') {
            None if value == "members" => Some(Audience::Members),
            None if value == "subscribers" => Some(Audience::Subscribers),
            Some(("group", id)) if !id.is_empty() => Some(Audience::Group(id.into())),
            Some(("region", name)) if !name.is_empty() => Some(Audience::Region(name.into())),
            _ => None,
        }
    }
}

/// A visitor who subscribed to the public edition.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Subscriber {
    pub id: String,
    pub email: String,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub unsubscribed_at: Option<DateTime<Utc>>,
    pub confirm_sent_at: Option<DateTime<Utc>>,
}

impl Subscriber {
    pub fn receives(&self) -> bool {
        self.confirmed_at.is_some() && self.unsubscribed_at.is_none()
    }
}
