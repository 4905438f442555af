//! The SQL of the library: articles and resources, listed only within what the viewer may reach.

use chrono::{DateTime, Utc};

use super::model::{Article, ArticleInput, CaseStudy, CaseStudyInput, CheckedFile, Resource, ResourceInput};
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
    pub sector: &'a str,
    pub size_band: &'a str,
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
    let file_id = crate::content::insert_private_file(tx, file.content_type, file.bytes).await?;
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

// Case studies

const CASE_STUDY: &str =
    "SELECT id, slug, title, organisation_id, anonymised, organisation_label, sector, size_band, region,
        challenge_md, challenge_html, approach_md, approach_html, results_md, results_html, lessons_md, lessons_html,
        meeting_id, audience, group_id, disciplines, tags, published, publish_at, updated_at FROM case_studies";

/// Published case studies the viewer may reach, newest first.
pub async fn case_studies(
    db: &Db,
    reach: &Reach,
    filter: &Filter<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<CaseStudy>, sqlx::Error> {
    let sql = format!(
        "{CASE_STUDY} WHERE {REACHABLE}
           AND ($5 = '' OR ',' || disciplines || ',' LIKE $6)
           AND ($7 = '' OR ',' || tags || ',' LIKE $8)
           AND ($9 = '' OR audience = $9)
           AND ($10 = '' OR sector = $10)
           AND ($11 = '' OR size_band = $11)
         ORDER BY publish_at DESC LIMIT 500"
    );
    fetch_all!(
        db,
        CaseStudy,
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
        filter.sector,
        filter.size_band
    )
}

pub async fn case_study_by_slug(db: &Db, slug: &str) -> Result<Option<CaseStudy>, sqlx::Error> {
    fetch_optional!(db, CaseStudy, sqlx::AssertSqlSafe(format!("{CASE_STUDY} WHERE slug = $1")), slug)
}

/// An organisation's case studies, the newest first.
pub async fn case_studies_of(db: &Db, organisation_id: &str) -> Result<Vec<CaseStudy>, sqlx::Error> {
    let sql = format!("{CASE_STUDY} WHERE organisation_id = $1 ORDER BY publish_at DESC");
    fetch_all!(db, CaseStudy, sqlx::AssertSqlSafe(sql), organisation_id)
}

pub async fn case_study_by_id(db: &Db, id: &str) -> Result<Option<CaseStudy>, sqlx::Error> {
    fetch_optional!(db, CaseStudy, sqlx::AssertSqlSafe(format!("{CASE_STUDY} WHERE id = $1")), id)
}

pub async fn all_case_studies(db: &Db) -> Result<Vec<CaseStudy>, sqlx::Error> {
    fetch_all!(db, CaseStudy, sqlx::AssertSqlSafe(format!("{CASE_STUDY} ORDER BY publish_at DESC")))
}

pub async fn case_study_slug_taken(db: &Db, slug: &str, except_id: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = crate::fetch_scalar!(
        db,
        i64,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM case_studies WHERE slug = $1 AND id <> $2",
        slug,
        except_id
    )?;
    Ok(n > 0)
}

/// Saves a case study with its contacts and related resources, all or nothing; gives its id.
pub async fn save_case_study(
    db: &Db,
    id: Option<&str>,
    input: &CaseStudyInput,
    author_id: &str,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    use crate::web::markdown::to_safe_html;
    let mut tx = db.begin().await?;
    let id = match id {
        Some(id) => id.to_string(),
        None => {
            let id = new_id();
            execute!(
                &mut tx,
                "INSERT INTO case_studies (id, slug, title, anonymised, organisation_label, sector, size_band, region,
                     challenge_md, challenge_html, approach_md, approach_html, results_md, results_html, lessons_md,
                     lessons_html, audience, disciplines, tags, published, publish_at, created_by, created_at, updated_at)
                 VALUES ($1, $1, '', FALSE, '', '', '', '', '', '', '', '', '', '', '', '', 'members', '', '', FALSE, $2, $3, $2, $2)",
                &id,
                now,
                author_id
            )?;
            id
        }
    };
    execute!(
        &mut tx,
        "UPDATE case_studies SET slug = $1, title = $2, organisation_id = $3, anonymised = $4, organisation_label = $5,
                sector = $6, size_band = $7, region = $8, challenge_md = $9, challenge_html = $10, approach_md = $11,
                approach_html = $12, results_md = $13, results_html = $14, lessons_md = $15, lessons_html = $16,
                meeting_id = $17, audience = $18, group_id = $19, disciplines = $20, tags = $21, published = $22,
                publish_at = $23, updated_at = $24
         WHERE id = $25",
        &input.slug,
        &input.title,
        input.organisation_id.as_deref(),
        input.anonymised,
        &input.organisation_label,
        &input.sector,
        &input.size_band,
        &input.region,
        &input.challenge_md,
        to_safe_html(&input.challenge_md),
        &input.approach_md,
        to_safe_html(&input.approach_md),
        &input.results_md,
        to_safe_html(&input.results_md),
        &input.lessons_md,
        to_safe_html(&input.lessons_md),
        input.meeting_id.as_deref(),
        &input.audience,
        input.group_id.as_deref(),
        &input.disciplines,
        &input.tags,
        input.published,
        input.publish_at,
        now,
        &id
    )?;
    execute!(&mut tx, "DELETE FROM case_study_contacts WHERE case_study_id = $1", &id)?;
    for user_id in &input.contact_ids {
        execute!(&mut tx, "INSERT INTO case_study_contacts (case_study_id, user_id) VALUES ($1, $2)", &id, user_id)?;
    }
    execute!(&mut tx, "DELETE FROM case_study_resources WHERE case_study_id = $1", &id)?;
    for resource_id in &input.resource_ids {
        execute!(
            &mut tx,
            "INSERT INTO case_study_resources (case_study_id, resource_id) VALUES ($1, $2)",
            &id,
            resource_id
        )?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The members willing to talk about a case study: (id, name, e-mail).
pub async fn case_study_contacts(db: &Db, case_study_id: &str) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        name: String,
        email: String,
    }
    let rows = fetch_all!(
        db,
        Row,
        "SELECT u.id, u.name, u.email FROM case_study_contacts c JOIN users u ON u.id = c.user_id
         WHERE c.case_study_id = $1 AND u.deleted_at IS NULL ORDER BY u.name",
        case_study_id
    )?;
    Ok(rows.into_iter().map(|r| (r.id, r.name, r.email)).collect())
}

/// The ids of the resources linked to a case study.
pub async fn case_study_resource_ids(db: &Db, case_study_id: &str) -> Result<Vec<String>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, String>("SELECT resource_id FROM case_study_resources WHERE case_study_id = $1")
            .persistent(crate::db::keep_prepared())
            .bind(case_study_id)
            .fetch_all(e)
            .await
    })
}

// Ranked full-text search across the library (`db::search::library`), best first.

macro_rules! search_in {
    ($db:expr, $ty:ty, $select:expr, $kind:expr, $reach:expr, $query:expr, $now:expr) => {{
        match crate::db::search::library($db, $select, $kind, REACHABLE, $query) {
            None => Ok(Vec::new()),
            Some((sql, words)) => fetch_all!(
                $db,
                $ty,
                sqlx::AssertSqlSafe(sql),
                $now,
                $reach.members,
                $reach.all_groups,
                $reach.groups.join(","),
                words
            ),
        }
    }};
}

/// Articles the viewer may reach that match the words (title, summary, text, tags), best first.
pub async fn search_articles(
    db: &Db,
    reach: &Reach,
    query: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Article>, sqlx::Error> {
    search_in!(db, Article, ARTICLE, "article", reach, query, now)
}

/// Resources the viewer may reach that match the words (title, description, type, tags), best first.
pub async fn search_resources(
    db: &Db,
    reach: &Reach,
    query: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Resource>, sqlx::Error> {
    search_in!(db, Resource, RESOURCE, "resource", reach, query, now)
}

/// Case studies the viewer may reach that match the words, sector, size and region included (an anonymised
/// one is found by its label, never by its organisation's name), best first.
pub async fn search_case_studies(
    db: &Db,
    reach: &Reach,
    query: &str,
    now: DateTime<Utc>,
) -> Result<Vec<CaseStudy>, sqlx::Error> {
    search_in!(db, CaseStudy, CASE_STUDY, "case_study", reach, query, now)
}

/// A person leaves the case studies they offered to talk about, and the items they created keep no pointer
/// to them.
pub async fn erase_person(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "DELETE FROM case_study_contacts WHERE user_id = $1", user_id)?;
    for table in ["articles", "resources", "case_studies"] {
        execute!(
            &mut *tx,
            sqlx::AssertSqlSafe(format!("UPDATE {table} SET created_by = NULL WHERE created_by = $1")),
            user_id
        )?;
    }
    Ok(())
}

/// The titles of the case studies a person offered to talk about.
pub async fn contact_for(db: &Db, user_id: &str) -> Result<Vec<String>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, String>(
            "SELECT s.title FROM case_study_contacts c JOIN case_studies s ON s.id = c.case_study_id
             WHERE c.user_id = $1 ORDER BY s.title",
        )
        .persistent(crate::db::keep_prepared())
        .bind(user_id)
        .fetch_all(e)
        .await
    })
}

/// Case studies name their region as the organisers' list does.
pub async fn rename_region(tx: &mut Tx, old: &str, new: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "UPDATE case_studies SET region = $1 WHERE region = $2", new, old)?;
    Ok(())
}
