//! The pages a new network starts with, so the public site says what the network is before anyone edits it.
//! Written on start when missing; organisers then edit them like any page.

use super::model::PageInput;
use super::store;
use crate::db::Db;

const DEFAULT_PAGES: &[(&str, &str, &str)] = &[
    ("home", "Welcome", include_str!("defaults/home.md")),
    ("about", "About the network", include_str!("defaults/about.md")),
];

pub async fn ensure_pages(db: &Db) -> Result<(), sqlx::Error> {
    for (slug, title, body) in DEFAULT_PAGES {
        if store::page_by_slug(db, slug).await?.is_none() {
            let input = PageInput {
                slug: slug.to_string(),
                title: title.to_string(),
                body_md: body.to_string(),
                published: true,
            };
            if let Err(e) = store::insert_page(db, &input).await {
                // Another instance starting at the same moment wrote it first.
                if !crate::db::is_unique_violation(&e) {
                    return Err(e);
                }
            }
        }
    }
    Ok(())
}
