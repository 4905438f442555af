//! The public site's content: pages, news, supporters and the people behind the network.

use chrono::{DateTime, Utc};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SitePage {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub body_md: String,
    pub body_html: String,
    pub published: bool,
    pub updated_at: DateTime<Utc>,
}

crate::inline_row!(SitePage { id, slug, title, body_md, body_html, published, updated_at });

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct NewsItem {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub body_html: String,
    pub published: bool,
    pub publish_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::inline_row!(NewsItem { id, slug, title, summary, body_md, body_html, published, publish_at, updated_at });

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Supporter {
    pub id: String,
    pub name: String,
    pub description_md: String,
    pub description_html: String,
    pub website: String,
    pub logo_file_id: Option<String>,
    pub position: i64,
}

crate::inline_row!(Supporter { id, name, description_md, description_html, website, logo_file_id, position });

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub role_title: String,
    pub bio_md: String,
    pub bio_html: String,
    pub photo_file_id: Option<String>,
    pub position: i64,
}

/// A page's content as an organiser saves it.
pub struct PageInput {
    pub slug: String,
    pub title: String,
    pub body_md: String,
    pub published: bool,
}

pub struct NewsInput {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub published: bool,
    pub publish_at: DateTime<Utc>,
}

pub struct SupporterInput {
    pub name: String,
    pub website: String,
    pub description_md: String,
    pub position: i64,
}

pub struct PersonInput {
    pub name: String,
    pub role_title: String,
    pub bio_md: String,
    pub position: i64,
}
