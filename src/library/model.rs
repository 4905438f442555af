//! The types of the library.

use chrono::{DateTime, Utc};

/// The kinds of resource, with how they read.
pub const RESOURCE_KINDS: [(&str, &str); 7] = [
    ("guide", "Guide"),
    ("research", "Research"),
    ("template", "Template"),
    ("checklist", "Checklist"),
    ("slides", "Slides"),
    ("recording", "Recording"),
    ("tool", "Tool"),
];

use crate::auth::policy::Audience;
/// The disciplines of Smart Working that items are filed under: the same as members' profiles.
pub use crate::membership::DISCIPLINES;

pub fn kind_label(kind: &str) -> &'static str {
    RESOURCE_KINDS.iter().find(|(k, _)| *k == kind).map(|(_, l)| *l).unwrap_or("Resource")
}

/// Who may see an item, from its row's audience and group.
pub fn audience_of(audience: &str, group_id: Option<&str>) -> Audience {
    match (audience, group_id) {
        ("public", _) => Audience::Everyone,
        ("group", Some(g)) => Audience::Group(g.into()),
        // A group item whose group was deleted stays with members rather than going public.
        _ => Audience::Members,
    }
}

/// Comma-separated values, trimmed, lower-cased, without empties or repeats.
pub fn split_list(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in value.split(',').map(|v| v.trim().to_lowercase()).filter(|v| !v.is_empty()) {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Article {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub body_html: String,
    pub audience: String,
    pub group_id: Option<String>,
    pub author_name: String,
    pub disciplines: String,
    pub tags: String,
    pub published: bool,
    pub publish_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Article {
    pub fn audience(&self) -> Audience {
        audience_of(&self.audience, self.group_id.as_deref())
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Resource {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub description_md: String,
    pub description_html: String,
    pub kind: String,
    pub link_url: Option<String>,
    pub file_id: Option<String>,
    pub file_name: Option<String>,
    pub file_type: Option<String>,
    pub file_size: Option<i64>,
    pub audience: String,
    pub group_id: Option<String>,
    pub supporter_id: Option<String>,
    pub disciplines: String,
    pub tags: String,
    pub downloads: i64,
    pub published: bool,
    pub publish_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Resource {
    pub fn audience(&self) -> Audience {
        audience_of(&self.audience, self.group_id.as_deref())
    }

    pub fn kind_label(&self) -> &'static str {
        kind_label(&self.kind)
    }
}

/// What an organiser writes for an article.
pub struct ArticleInput {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub audience: String,
    pub group_id: Option<String>,
    pub author_name: String,
    pub disciplines: String,
    pub tags: String,
    pub published: bool,
    pub publish_at: DateTime<Utc>,
}

/// An uploaded file, checked: its type from its bytes and a safe name made by us.
pub struct CheckedFile<'a> {
    pub bytes: &'a [u8],
    pub content_type: &'static str,
    pub file_name: String,
}

/// What an organiser writes for a resource.
pub struct ResourceInput {
    pub slug: String,
    pub title: String,
    pub description_md: String,
    pub kind: String,
    pub link_url: Option<String>,
    pub audience: String,
    pub group_id: Option<String>,
    pub supporter_id: Option<String>,
    pub disciplines: String,
    pub tags: String,
    pub published: bool,
    pub publish_at: DateTime<Utc>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CaseStudy {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub organisation_id: Option<String>,
    pub anonymised: bool,
    pub organisation_label: String,
    pub sector: String,
    pub size_band: String,
    pub region: String,
    pub challenge_md: String,
    pub challenge_html: String,
    pub approach_md: String,
    pub approach_html: String,
    pub results_md: String,
    pub results_html: String,
    pub lessons_md: String,
    pub lessons_html: String,
    pub meeting_id: Option<String>,
    pub audience: String,
    pub group_id: Option<String>,
    pub disciplines: String,
    pub tags: String,
    pub published: bool,
    pub publish_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CaseStudy {
    /// The organisation as readers see it: its label when anonymised.
    pub fn shown_organisation(&self) -> String {
        self.organisation_label.clone()
    }

    pub fn audience(&self) -> Audience {
        audience_of(&self.audience, self.group_id.as_deref())
    }
}

/// What an organiser writes for a case study.
pub struct CaseStudyInput {
    pub slug: String,
    pub title: String,
    pub organisation_id: Option<String>,
    pub anonymised: bool,
    pub organisation_label: String,
    pub sector: String,
    pub size_band: String,
    pub region: String,
    pub challenge_md: String,
    pub approach_md: String,
    pub results_md: String,
    pub lessons_md: String,
    pub meeting_id: Option<String>,
    pub audience: String,
    pub group_id: Option<String>,
    pub disciplines: String,
    pub tags: String,
    pub published: bool,
    pub publish_at: DateTime<Utc>,
    pub contact_ids: Vec<String>,
    pub resource_ids: Vec<String>,
}
