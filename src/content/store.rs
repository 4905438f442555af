//! SQL for pages, news, supporters, people and stored images. Markdown is rendered here, once, on save.

use chrono::{DateTime, Utc};

use super::model::*;
use crate::db::{Db, Tx, new_id};
use crate::web::markdown::to_safe_html;
use crate::web::upload::ImageChange;
use crate::{execute, fetch_all, fetch_optional};

// Pages

/// Inline on SQLite: the home page reads it (as it reads `public_news` and `supporters`).
pub async fn page_by_slug(db: &Db, slug: &str) -> Result<Option<SitePage>, sqlx::Error> {
    crate::fetch_optional_inline!(
        db,
        SitePage,
        "SELECT id, slug, title, body_md, body_html, published, updated_at FROM pages WHERE slug = $1",
        slug
    )
}

pub async fn page_by_id(db: &Db, id: &str) -> Result<Option<SitePage>, sqlx::Error> {
    fetch_optional!(
        db,
        SitePage,
        "SELECT id, slug, title, body_md, body_html, published, updated_at FROM pages WHERE id = $1",
        id
    )
}

pub async fn all_pages(db: &Db) -> Result<Vec<SitePage>, sqlx::Error> {
    fetch_all!(
        db,
        SitePage,
        "SELECT id, slug, title, body_md, body_html, published, updated_at FROM pages ORDER BY title"
    )
}

pub async fn published_pages(db: &Db) -> Result<Vec<SitePage>, sqlx::Error> {
    fetch_all!(
        db,
        SitePage,
        "SELECT id, slug, title, body_md, body_html, published, updated_at FROM pages WHERE published = TRUE ORDER BY title"
    )
}

pub async fn insert_page(db: &Db, input: &PageInput) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = Utc::now();
    execute!(
        db,
        "INSERT INTO pages (id, slug, title, body_md, body_html, published, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        &id,
        &input.slug,
        &input.title,
        &input.body_md,
        to_safe_html(&input.body_md),
        input.published,
        now
    )?;
    Ok(id)
}

pub async fn update_page(db: &Db, id: &str, input: &PageInput) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE pages SET slug = $1, title = $2, body_md = $3, body_html = $4, published = $5, updated_at = $6 WHERE id = $7",
        &input.slug,
        &input.title,
        &input.body_md,
        to_safe_html(&input.body_md),
        input.published,
        Utc::now(),
        id
    )
}

// News

pub async fn public_news(db: &Db, now: DateTime<Utc>, limit: i64) -> Result<Vec<NewsItem>, sqlx::Error> {
    crate::fetch_all_inline!(
        &db.reading(limit),
        NewsItem,
        "SELECT id, slug, title, summary, body_md, body_html, published, publish_at, updated_at FROM news
         WHERE published = TRUE AND publish_at <= $1 ORDER BY publish_at DESC LIMIT $2",
        now,
        limit
    )
}

/// Published news items holding every word (title, summary, text).
pub async fn search_news(db: &Db, query: &str, now: DateTime<Utc>) -> Result<Vec<NewsItem>, sqlx::Error> {
    let sql = format!(
        "SELECT id, slug, title, summary, body_md, body_html, published, publish_at, updated_at FROM news
         WHERE published = TRUE AND publish_at <= $1 AND {} ORDER BY publish_at DESC LIMIT 50",
        crate::search::all_words(db, "title || ' ' || summary || ' ' || body_md", 2)
    );
    let w = crate::search::word_patterns(query);
    fetch_all!(db, NewsItem, sqlx::AssertSqlSafe(sql), now, &w[0], &w[1], &w[2], &w[3], &w[4], &w[5])
}

pub async fn all_news(db: &Db) -> Result<Vec<NewsItem>, sqlx::Error> {
    fetch_all!(
        db,
        NewsItem,
        "SELECT id, slug, title, summary, body_md, body_html, published, publish_at, updated_at FROM news
         ORDER BY publish_at DESC"
    )
}

pub async fn news_by_slug(db: &Db, slug: &str) -> Result<Option<NewsItem>, sqlx::Error> {
    fetch_optional!(
        db,
        NewsItem,
        "SELECT id, slug, title, summary, body_md, body_html, published, publish_at, updated_at FROM news WHERE slug = $1",
        slug
    )
}

pub async fn news_by_id(db: &Db, id: &str) -> Result<Option<NewsItem>, sqlx::Error> {
    fetch_optional!(
        db,
        NewsItem,
        "SELECT id, slug, title, summary, body_md, body_html, published, publish_at, updated_at FROM news WHERE id = $1",
        id
    )
}

pub async fn insert_news(db: &Db, input: &NewsInput, author_id: Option<&str>) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = Utc::now();
    execute!(
        db,
        "INSERT INTO news (id, slug, title, summary, body_md, body_html, published, publish_at, author_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        &id,
        &input.slug,
        &input.title,
        &input.summary,
        &input.body_md,
        to_safe_html(&input.body_md),
        input.published,
        input.publish_at,
        author_id,
        now
    )?;
    Ok(id)
}

pub async fn update_news(db: &Db, id: &str, input: &NewsInput) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE news SET slug = $1, title = $2, summary = $3, body_md = $4, body_html = $5, published = $6,
                         publish_at = $7, updated_at = $8
         WHERE id = $9",
        &input.slug,
        &input.title,
        &input.summary,
        &input.body_md,
        to_safe_html(&input.body_md),
        input.published,
        input.publish_at,
        Utc::now(),
        id
    )
}

// Supporters

pub async fn supporters(db: &Db) -> Result<Vec<Supporter>, sqlx::Error> {
    crate::fetch_all_inline!(
        db,
        Supporter,
        "SELECT id, name, description_md, description_html, website, logo_file_id, position FROM supporters
         ORDER BY position, name"
    )
}

pub async fn supporter(db: &Db, id: &str) -> Result<Option<Supporter>, sqlx::Error> {
    fetch_optional!(
        db,
        Supporter,
        "SELECT id, name, description_md, description_html, website, logo_file_id, position FROM supporters WHERE id = $1",
        id
    )
}

/// Saves a supporter (new when `id` is `None`) with its logo, in one transaction.
pub async fn save_supporter(
    tx: &mut Tx,
    id: Option<&str>,
    input: &SupporterInput,
    logo_file_id: Option<Option<&str>>,
) -> Result<String, sqlx::Error> {
    let now = Utc::now();
    let html = to_safe_html(&input.description_md);
    let id = match id {
        Some(id) => {
            execute!(
                &mut *tx,
                "UPDATE supporters SET name = $1, website = $2, description_md = $3, description_html = $4,
                                       position = $5, updated_at = $6 WHERE id = $7",
                &input.name,
                &input.website,
                &input.description_md,
                &html,
                input.position,
                now,
                id
            )?;
            id.to_string()
        }
        None => {
            let id = new_id();
            execute!(
                &mut *tx,
                "INSERT INTO supporters (id, name, website, description_md, description_html, position, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                &id,
                &input.name,
                &input.website,
                &input.description_md,
                &html,
                input.position,
                now
            )?;
            id
        }
    };
    if let Some(logo) = logo_file_id {
        execute!(&mut *tx, "UPDATE supporters SET logo_file_id = $1 WHERE id = $2", logo, &id)?;
    }
    Ok(id)
}

pub async fn delete_supporter(db: &Db, id: &str) -> Result<u64, sqlx::Error> {
    execute!(db, "DELETE FROM supporters WHERE id = $1", id)
}

// People

pub async fn people(db: &Db) -> Result<Vec<Person>, sqlx::Error> {
    fetch_all!(
        db,
        Person,
        "SELECT id, name, role_title, bio_md, bio_html, photo_file_id, position FROM people ORDER BY position, name"
    )
}

pub async fn person(db: &Db, id: &str) -> Result<Option<Person>, sqlx::Error> {
    fetch_optional!(
        db,
        Person,
        "SELECT id, name, role_title, bio_md, bio_html, photo_file_id, position FROM people WHERE id = $1",
        id
    )
}

pub async fn save_person(
    tx: &mut Tx,
    id: Option<&str>,
    input: &PersonInput,
    photo_file_id: Option<Option<&str>>,
) -> Result<String, sqlx::Error> {
    let now = Utc::now();
    let html = to_safe_html(&input.bio_md);
    let id = match id {
        Some(id) => {
            execute!(
                &mut *tx,
                "UPDATE people SET name = $1, role_title = $2, bio_md = $3, bio_html = $4, position = $5, updated_at = $6
                 WHERE id = $7",
                &input.name,
                &input.role_title,
                &input.bio_md,
                &html,
                input.position,
                now,
                id
            )?;
            id.to_string()
        }
        None => {
            let id = new_id();
            execute!(
                &mut *tx,
                "INSERT INTO people (id, name, role_title, bio_md, bio_html, position, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                &id,
                &input.name,
                &input.role_title,
                &input.bio_md,
                &html,
                input.position,
                now
            )?;
            id
        }
    };
    if let Some(photo) = photo_file_id {
        execute!(&mut *tx, "UPDATE people SET photo_file_id = $1 WHERE id = $2", photo, &id)?;
    }
    Ok(id)
}

pub async fn delete_person(db: &Db, id: &str) -> Result<u64, sqlx::Error> {
    execute!(db, "DELETE FROM people WHERE id = $1", id)
}

// Stored files: images, slides, library files, award entries' files

/// A stored file as served: its bytes are read a piece at a time (`file_piece`), never whole. Files never
/// change (a replacement is a new file), so the id is their version.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredFile {
    pub id: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: DateTime<Utc>,
}

/// The size of the pieces a file is kept in.
pub const PIECE: usize = 256 * 1024;

/// Stores a public image (a logo, a photo), served to anyone at `/files/{id}`.
pub async fn insert_file(tx: &mut Tx, content_type: &str, bytes: &[u8]) -> Result<String, sqlx::Error> {
    insert_stored(tx, content_type, bytes, true).await
}

/// Stores a file that only a page checking access may serve (meeting slides).
pub async fn insert_private_file(tx: &mut Tx, content_type: &str, bytes: &[u8]) -> Result<String, sqlx::Error> {
    insert_stored(tx, content_type, bytes, false).await
}

async fn insert_stored(tx: &mut Tx, content_type: &str, bytes: &[u8], public: bool) -> Result<String, sqlx::Error> {
    let id = new_id();
    execute!(
        &mut *tx,
        "INSERT INTO files (id, content_type, size, created_at, public) VALUES ($1, $2, $3, $4, $5)",
        &id,
        content_type,
        bytes.len() as i64,
        Utc::now(),
        public
    )?;
    for (seq, piece) in bytes.chunks(PIECE).enumerate() {
        execute!(
            &mut *tx,
            "INSERT INTO file_chunks (file_id, seq, bytes) VALUES ($1, $2, $3)",
            &id,
            seq as i64,
            piece
        )?;
    }
    Ok(id)
}

/// Applies an uploaded image: `None` keeps the stored one, `Some(None)` removes it, `Some(Some(id))` is new.
pub async fn store_image(tx: &mut Tx, change: &ImageChange<'_>) -> Result<Option<Option<String>>, sqlx::Error> {
    Ok(match change {
        ImageChange::Keep => None,
        ImageChange::Remove => Some(None),
        ImageChange::Replace(content_type, bytes) => Some(Some(insert_file(tx, content_type, bytes).await?)),
    })
}

/// A public file.
pub async fn file(db: &Db, id: &str) -> Result<Option<StoredFile>, sqlx::Error> {
    fetch_optional!(
        db,
        StoredFile,
        "SELECT id, content_type, size, created_at FROM files WHERE id = $1 AND public = TRUE",
        id
    )
}

/// Any file, for a handler that has checked access itself.
pub async fn private_file(db: &Db, id: &str) -> Result<Option<StoredFile>, sqlx::Error> {
    fetch_optional!(db, StoredFile, "SELECT id, content_type, size, created_at FROM files WHERE id = $1", id)
}

/// One piece of a file's bytes (`None` past its end).
pub async fn file_piece(db: &Db, id: &str, seq: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, Vec<u8>>("SELECT bytes FROM file_chunks WHERE file_id = $1 AND seq = $2")
            .persistent(crate::db::keep_prepared())
            .bind(id)
            .bind(seq)
            .fetch_optional(e)
            .await
    })
}

/// A whole file's bytes, piece by piece, for the few that are read whole (an image to be resized).
pub async fn file_bytes(db: &Db, id: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let mut all: Option<Vec<u8>> = None;
    let mut seq = 0;
    while let Some(piece) = file_piece(db, id, seq).await? {
        all.get_or_insert_with(Vec::new).extend_from_slice(&piece);
        seq += 1;
    }
    if all.is_none() && private_file(db, id).await?.is_some() {
        return Ok(Some(Vec::new()));
    }
    Ok(all)
}

/// News an organiser wrote keeps no pointer to them once their account is erased.
pub async fn erase_person(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "UPDATE news SET author_id = NULL WHERE author_id = $1", user_id)?;
    Ok(())
}
