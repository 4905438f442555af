//! The SQL of the library: articles and resources, listed only within what the viewer may reach.

use chrono::{DateTime, Utc};

use super::model::{Article, ArticleInput, CheckedFile, Resource, ResourceInput};
use crate::auth::policy::Reach;
use crate::db::{Db, Tx, new_id};
use crate::{execute, fetch_all, fetch_optional};

const ARTICLE: &str =
    "SELECT id, slug, title, summary, body_md, body_html, audience, group_id, author_name, disciplines,
        tags, published, publish_at, updated_at FROM articles";

const RESOURCE: &str = "SELECT id, slug, title, description_md, description_html, kind, link_url, file_id, file_name,
        file_type, file_size, audience, group_id, supporter_id, disciplines, tags, downloads, published, publish_at,
        updated_at FROM resources";

/// The condition that keeps only published items the viewer may reach; binds $1 (now), $2 (members),
/// $3 (every group), $4 (the viewer's groups, comma-separated).
const REACHABLE: &str =
    "published = TRUE AND publish_at <= $1 AND (audience = 'public' OR ($2 AND audience = 'members')
        OR (audience = 'group' AND group_id IS NOT NULL AND ($3 OR ',' || $4 || ',' LIKE '%,' || group_id || ',%')))";

/// What a listing is narrowed to; empty strings mean "any".
#[derive(Default)]
pub struct Filter<'a> {
    pub discipline: &'a str,
    pub tag: &'a str,
    pub audience: &'a str,
    pub kind: &'a str,
    pub supporter_id: &'a str,
}

fn list_pattern(value: &str) -> String {
    format!("%,{},%", value.trim().to_lowercase())
}

/// Published articles the viewer may reach, newest first.
pub async fn articles(
    db: &Db,
    reach: &Reach,
    filter: &Filter<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<Article>, sqlx::Error> {
    let sql = format!(
        "{ARTICLE} WHERE {REACHABLE}
           AND ($5 = '' OR ',' || disciplines || ',' LIKE $6)
           AND ($7 = '' OR ',' || tags || ',' LIKE $8)
           AND ($9 = '' OR audience = $9)
         ORDER BY publish_at DESC LIMIT 500"
    );
    fetch_all!(
        db,
        Article,
        sqlx::AssertSqlSafe(sql),
        now,
        reach.members,
        reach.all_groups,
        reach.groups.join(","),
        filter.discipline,
        list_pattern(filter.discipline),
        filter.tag,
        list_pattern(filter.tag),
        filter.audience
    )
}

/// Published resources the viewer may reach, newest first.
pub async fn resources(
    db: &Db,
    reach: &Reach,
    filter: &Filter<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<Resource>, sqlx::Error> {
    let sql = format!(
        "{RESOURCE} WHERE {REACHABLE}
           AND ($5 = '' OR ',' || disciplines || ',' LIKE $6)
           AND ($7 = '' OR ',' || tags || ',' LIKE $8)
           AND ($9 = '' OR audience = $9)
           AND ($10 = '' OR kind = $10)
           AND ($11 = '' OR supporter_id = $11)
         ORDER BY publish_at DESC LIMIT 500"
    );
    fetch_all!(
        db,
        Resource,
        sqlx::AssertSqlSafe(sql),
        now,
        reach.members,
        reach.all_groups,
        reach.groups.join(","),
        filter.discipline,
        list_pattern(filter.discipline),
        filter.tag,
        list_pattern(filter.tag),
        filter.audience,
        filter.kind,
        filter.supporter_id
    )
}

pub async fn article_by_slug(db: &Db, slug: &str) -> Result<Option<Article>, sqlx::Error> {
    fetch_optional!(db, Article, sqlx::AssertSqlSafe(format!("{ARTICLE} WHERE slug = $1")), slug)
}

pub async fn article_by_id(db: &Db, id: &str) -> Result<Option<Article>, sqlx::Error> {
    fetch_optional!(db, Article, sqlx::AssertSqlSafe(format!("{ARTICLE} WHERE id = $1")), id)
}

pub async fn all_articles(db: &Db) -> Result<Vec<Article>, sqlx::Error> {
    fetch_all!(db, Article, sqlx::AssertSqlSafe(format!("{ARTICLE} ORDER BY publish_at DESC")))
}

pub async fn resource_by_slug(db: &Db, slug: &str) -> Result<Option<Resource>, sqlx::Error> {
    fetch_optional!(db, Resource, sqlx::AssertSqlSafe(format!("{RESOURCE} WHERE slug = $1")), slug)
}

pub async fn resource_by_id(db: &Db, id: &str) -> Result<Option<Resource>, sqlx::Error> {
    fetch_optional!(db, Resource, sqlx::AssertSqlSafe(format!("{RESOURCE} WHERE id = $1")), id)
}

pub async fn all_resources(db: &Db) -> Result<Vec<Resource>, sqlx::Error> {
    fetch_all!(db, Resource, sqlx::AssertSqlSafe(format!("{RESOURCE} ORDER BY publish_at DESC")))
}

/// Whether another article or resource already uses the address.
pub async fn slug_taken(db: &Db, table_is_article: bool, slug: &str, except_id: &str) -> Result<bool, sqlx::Error> {
    let sql = if table_is_article {
        "SELECT CAST(COUNT(*) AS BIGINT) FROM articles WHERE slug = $1 AND id <> $2"
    } else {
        "SELECT CAST(COUNT(*) AS BIGINT) FROM resources WHERE slug = $1 AND id <> $2"
    };
    let n: i64 = crate::fetch_scalar!(db, i64, sqlx::AssertSqlSafe(sql.to_string()), slug, except_id)?;
    Ok(n > 0)
}

/// Saves an article (a new one when `id` is `None`); gives its id.
pub async fn save_article(
    db: &Db,
    id: Option<&str>,
    input: &ArticleInput,
    author_id: &str,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let body_html = crate::web::markdown::to_safe_html(&input.body_md);
    match id {
        Some(id) => {
            execute!(
                db,
                "UPDATE articles SET slug = $1, title = $2, summary = $3, body_md = $4, body_html = $5, audience = $6,
                        group_id = $7, author_name = $8, disciplines = $9, tags = $10, published = $11, publish_at = $12,
                        updated_at = $13
                 WHERE id = $14",
                &input.slug,
                &input.title,
                &input.summary,
                &input.body_md,
                &body_html,
                &input.audience,
                input.group_id.as_deref(),
                &input.author_name,
                &input.disciplines,
                &input.tags,
                input.published,
                input.publish_at,
                now,
                id
            )?;
            Ok(id.to_string())
        }
        None => {
            let id = new_id();
            execute!(
                db,
                "INSERT INTO articles (id, slug, title, summary, body_md, body_html, audience, group_id, author_name,
                                       disciplines, tags, published, publish_at, created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
                &id,
                &input.slug,
                &input.title,
                &input.summary,
                &input.body_md,
                &body_html,
                &input.audience,
                input.group_id.as_deref(),
                &input.author_name,
                &input.disciplines,
                &input.tags,
                input.published,
                input.publish_at,
                author_id,
                now
            )?;
            Ok(id)
        }
    }
}

/// Saves a resource, with its new file when one was uploaded, in one transaction; gives its id.
pub async fn save_resource(
    db: &Db,
    id: Option<&str>,
    input: &ResourceInput,
    file: Option<&CheckedFile<'_>>,
    author_id: &str,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let description_html = crate::web::markdown::to_safe_html(&input.description_md);
    let mut tx = db.begin().await?;
    let id = match id {
        Some(id) => {
            execute!(
                &mut tx,
                "UPDATE resources SET slug = $1, title = $2, description_md = $3, description_html = $4, kind = $5,
                        link_url = $6, audience = $7, group_id = $8, supporter_id = $9, disciplines = $10, tags = $11,
                        published = $12, publish_at = $13, updated_at = $14
                 WHERE id = $15",
                &input.slug,
                &input.title,
                &input.description_md,
                &description_html,
                &input.kind,
                input.link_url.as_deref(),
                &input.audience,
                input.group_id.as_deref(),
                input.supporter_id.as_deref(),
                &input.disciplines,
                &input.tags,
                input.published,
                input.publish_at,
                now,
                id
            )?;
            id.to_string()
        }
        None => {
            let id = new_id();
            execute!(
                &mut tx,
                "INSERT INTO resources (id, slug, title, description_md, description_html, kind, link_url, audience,
                                        group_id, supporter_id, disciplines, tags, downloads, published, publish_at,
                                        created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $15, $16, $16)",
                &id,
                &input.slug,
                &input.title,
                &input.description_md,
                &description_html,
                &input.kind,
                input.link_url.as_deref(),
                &input.audience,
                input.group_id.as_deref(),
                input.supporter_id.as_deref(),
                &input.disciplines,
                &input.tags,
                input.published,
                input.publish_at,
                author_id,
                now
            )?;
            id
        }
    };
    if let Some(file) = file {
        attach_file(&mut tx, &id, file).await?;
    }
    tx.commit().await?;
    Ok(id)
}

async fn attach_file(tx: &mut Tx, resource_id: &str, file: &CheckedFile<'_>) -> Result<(), sqlx::Error> {
    let file_id = crate::content::store::insert_private_file(tx, file.content_type, file.bytes).await?;
    execute!(
        tx,
        "UPDATE resources SET file_id = $1, file_name = $2, file_type = $3, file_size = $4 WHERE id = $5",
        &file_id,
        &file.file_name,
        file.content_type,
        file.bytes.len() as i64,
        resource_id
    )?;
    Ok(())
}

/// Counts one download.
pub async fn count_download(db: &Db, resource_id: &str) -> Result<(), sqlx::Error> {
    execute!(db, "UPDATE resources SET downloads = downloads + 1 WHERE id = $1", resource_id)?;
    Ok(())
}

/// Every tag in use among the items the viewer may reach, for the library's facet.
pub fn tags_of<'a>(lists: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut tags: Vec<String> = lists.flat_map(super::model::split_list).collect();
    tags.sort();
    tags.dedup();
    tags
}
