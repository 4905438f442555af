//! Full-text search over forum posts, the one engine-specific piece of the forum: SQLite's FTS5 and
//! PostgreSQL's text search, behind the same two functions. Writes keep the index in step (no re-index job).

use super::{Db, Tx};

/// One hit: the snippet is HTML-escaped, with the matched words in `<mark>`.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Hit {
    pub post_id: String,
    pub topic_id: String,
    pub title: String,
    pub snippet: String,
    pub rank: f64,
}

/// (Re)indexes a post with its topic's title.
pub async fn index_post(tx: &mut Tx, post_id: &str, title: &str, body: &str) -> Result<(), sqlx::Error> {
    match tx {
        Tx::Sqlite(_) => {
            let old: Option<i64> = crate::on_engine!(&mut *tx, |e| {
                sqlx::query_scalar::<_, i64>("SELECT fts_rowid FROM forum_search_rowids WHERE post_id = $1")
                    .persistent(crate::db::keep_prepared())
                    .bind(post_id)
                    .fetch_optional(e)
                    .await
            })?;
            if let Some(rowid) = old {
                crate::execute!(&mut *tx, "DELETE FROM forum_search WHERE rowid = $1", rowid)?;
            }
            crate::execute!(
                &mut *tx,
                "INSERT INTO forum_search (post_id, title, body) VALUES ($1, $2, $3)",
                post_id,
                title,
                body
            )?;
            let rowid: i64 = crate::fetch_scalar!(&mut *tx, i64, "SELECT last_insert_rowid()")?;
            crate::execute!(
                tx,
                "INSERT INTO forum_search_rowids (post_id, fts_rowid) VALUES ($1, $2)
                 ON CONFLICT (post_id) DO UPDATE SET fts_rowid = excluded.fts_rowid",
                post_id,
                rowid
            )?;
        }
        Tx::Postgres(_) => {
            crate::execute!(
                tx,
                "UPDATE forum_posts SET search = setweight(to_tsvector('english', $2), 'A') || to_tsvector('english', $3)
                 WHERE id = $1",
                post_id,
                title,
                body
            )?;
        }
    }
    Ok(())
}

/// The library's ranked full-text search (articles, resources and case studies; migration 0027): `select`
/// (`SELECT … FROM` the item's table) narrowed to matches of that `kind` that pass `condition` (which binds $1
/// to $4), best first, at most 50; with the words to bind as $5. None when the query holds no word.
pub fn library(db: &Db, select: &str, kind: &'static str, condition: &str, query: &str) -> Option<(String, String)> {
    match db {
        Db::Sqlite(..) => {
            let q = fts5_query(query);
            (!q.is_empty()).then(|| {
                (
                    format!(
                        "{select} JOIN library_search s ON s.item_id = id
                         WHERE library_search MATCH $5 AND s.item_kind = '{kind}' AND {condition}
                         ORDER BY s.rank LIMIT 50"
                    ),
                    q,
                )
            })
        }
        Db::Postgres(_) => Some((
            format!(
                "{select}, websearch_to_tsquery('english', $5) q WHERE search @@ q AND {condition}
                 ORDER BY ts_rank(search, q) DESC LIMIT 50"
            ),
            query.to_string(),
        )),
    }
}

/// Words of the query, quoted for FTS5 so that no character of the person's input is syntax.
fn fts5_query(query: &str) -> String {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(12)
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

/// On PostgreSQL, how many of the newest visible posts in the scope a pass looks through for its newest matches
/// before it reads every match (`ranked_in`). Incremental sort (PostgreSQL 13) keeps the walk lazy.
const WINDOW: i64 = 5_000;

/// How much of a search's matches one pass ranks and filters.
#[derive(Clone, Copy)]
struct Pass {
    /// The newest this many matches are ranked (all when `None`): a broad query matches thousands of posts,
    /// and ranking each one cost most of a search. PostgreSQL reads them newest first by `forum_posts_created`;
    /// the index ranks alone, with nothing joined.
    newest: Option<i64>,
    /// Only the best this many of those go through the viewer's filters (categories, hidden topics, answered,
    /// date), each a read of its post and topic (all when `None`).
    best: Option<i64>,
}

/// The passes, narrowest first; the next runs only when a pass found fewer hits than asked for (a narrow scope)
/// and left matches unread. The numbers are written into the SQL (a bound `LIMIT` gave PostgreSQL a generic
/// plan), and PostgreSQL plans each pass for the words bound (`fetch_all_planned_each_time!`): a cached generic
/// plan, blind to the words, scanned every match (12,681 in the bench, 37 ms) where the plan for the 500 newest
/// reads 500 (3 ms). `best` must stay above the page's 50 hits, or the first pass could never suffice.
const PASSES: [Pass; 3] = [
    Pass { newest: Some(500), best: Some(100) },
    Pass { newest: Some(500), best: None },
    Pass { newest: None, best: None },
];

impl Pass {
    /// The `LIMIT`s of the newest matches read and of the best of them.
    fn sql(self) -> (String, String) {
        let limit = |n: Option<i64>| n.map_or(String::new(), |n| format!("LIMIT {n}"));
        (limit(self.newest), limit(self.best))
    }
}

/// A hit before its snippet: snippets are cut only for the hits shown.
#[derive(sqlx::FromRow)]
struct Ranked {
    post_id: String,
    topic_id: String,
    title: String,
    rank: f64,
    /// FTS5's rowid of the post on SQLite (0 on PostgreSQL).
    fts_rowid: i64,
    /// How many matches the pass read: fewer than it may read means it held every match.
    read: i64,
}

/// Whether a pass left hits unfound: it found fewer than asked for, and stopped at one of its limits rather
/// than at the last match (with no hit at all, nothing says how many it read).
fn more_to_find(ranked: &[Ranked], pass: Pass, limit: i64) -> bool {
    let stopped_at = |read: i64| pass.best.is_some_and(|b| read > b) || pass.newest.is_some_and(|n| read >= n);
    (ranked.len() as i64) < limit && ranked.first().map_or(stopped_at(i64::MAX), |r| stopped_at(r.read))
}

/// What a search is narrowed to.
pub struct Scope<'a> {
    /// The categories the viewer may read (and chose): nothing outside them is ever a hit.
    pub categories: &'a [String],
    pub answered_only: bool,
    /// Only posts written since then.
    pub since: chrono::DateTime<chrono::Utc>,
}

/// Posts matching `query`, best first, within `scope`, never hidden ones.
pub async fn forum(db: &Db, query: &str, scope: &Scope<'_>, limit: i64) -> Result<Vec<Hit>, sqlx::Error> {
    let allowed = scope.categories.join(",");
    // The words as the engine reads them: quoted for FTS5; PostgreSQL's `websearch_to_tsquery` takes the text.
    let words = match db {
        Db::Sqlite(..) => fts5_query(query),
        Db::Postgres(_) => query.to_string(),
    };
    if allowed.is_empty() || words.is_empty() {
        return Ok(Vec::new());
    }
    let mut ranked: Vec<Ranked> = Vec::new();
    for pass in PASSES {
        ranked = ranked_in(db, pass, &words, &allowed, scope, limit).await?;
        if !more_to_find(&ranked, pass, limit) {
            break;
        }
    }
    if ranked.is_empty() {
        return Ok(Vec::new());
    }
    let snippets = snippets_of(db, &words, &ranked).await?;
    let mut snippets: std::collections::HashMap<String, String> = snippets.into_iter().collect();
    Ok(ranked
        .into_iter()
        .map(|r| Hit {
            snippet: snippets.remove(&r.post_id).map(|s| mark(&s)).unwrap_or_default(),
            post_id: r.post_id,
            topic_id: r.topic_id,
            title: r.title,
            rank: r.rank,
        })
        .collect())
}

/// One pass: the matches it reads, ranked by the index alone, then filtered for the viewer, best first.
async fn ranked_in(
    db: &Db,
    pass: Pass,
    words: &str,
    allowed: &str,
    scope: &Scope<'_>,
    limit: i64,
) -> Result<Vec<Ranked>, sqlx::Error> {
    let (newest_limit, best) = pass.sql();
    let (answered_only, since) = (scope.answered_only, scope.since);
    match db {
        Db::Sqlite(..) => {
            // FTS5 walks its index newest first (rowid order) and ranks only what it read. Each post's id is
            // read from the FTS table's stored row (a seek into its content, often a page from disk) only for
            // what goes through the filters: for all 500 candidates it was a sixth of a search's CPU.
            let filtered = if pass.best.is_some() { "best" } else { "candidates" };
            let sql = format!(
                "WITH candidates AS MATERIALIZED (
                     SELECT rowid AS fts_rowid, bm25(forum_search) AS rank FROM forum_search
                     WHERE forum_search MATCH $1 ORDER BY rowid DESC {newest_limit}),
                 best AS MATERIALIZED (SELECT * FROM candidates ORDER BY rank, fts_rowid DESC {best})
                 SELECT p.id AS post_id, t.id AS topic_id, t.title, c.rank, c.fts_rowid,
                        (SELECT COUNT(*) FROM candidates) AS read
                 FROM {filtered} c JOIN forum_search s ON s.rowid = c.fts_rowid
                 JOIN forum_posts p ON p.id = s.post_id JOIN forum_topics t ON t.id = p.topic_id
                 WHERE p.hidden = FALSE AND t.hidden = FALSE
                   AND (',' || $2 || ',') LIKE ('%,' || t.category_id || ',%')
                   AND ($3 = FALSE OR t.accepted_post_id IS NOT NULL) AND p.created_at >= $5
                 ORDER BY c.rank, c.fts_rowid DESC LIMIT $4"
            );
            crate::fetch_all!(db, Ranked, sqlx::AssertSqlSafe(sql), words, allowed, answered_only, limit, since)
        }
        Db::Postgres(_) => {
            // The newest matches are ranked over the posts alone, then filtered. Each of the newest is ranked
            // once it is among them (above their `LIMIT`, so that PostgreSQL cannot rank every match before
            // sorting), and only its id, topic and rank go on: copying the 500 `tsvector`s from one CTE to the
            // next to rank them there cost more than ranking.
            let matches = "p.search @@ websearch_to_tsquery('english', $1) AND p.hidden = FALSE AND p.created_at >= $5";
            let rank =
                |p: &str| format!("CAST(ts_rank({p}.search, websearch_to_tsquery('english', $1)) AS DOUBLE PRECISION)");
            let filtered = if pass.best.is_some() { "best" } else { "newest" };
            let newest = match pass.newest {
                // The newest posts first (their index walked backwards, at most `WINDOW`), and only if fewer
                // than `n` of them match, every match. The first finds the same `n` whenever it finds `n`: a
                // match outside the window comes after every post in it in (created_at DESC, id) order. Left
                // to choose, PostgreSQL guesses how many posts two words match as if the words were unrelated,
                // and words searched together go together, so it read and sorted every match. A narrow query
                // pays for the walk before it reads its few matches (BENCHMARKS.md).
                Some(n) => format!(
                    "windowed AS MATERIALIZED (
                         SELECT m.id, m.topic_id, {} AS rank FROM (
                             SELECT w.id, w.topic_id, w.search FROM (
                                 SELECT p.id, p.topic_id, p.search, p.created_at FROM forum_posts p
                                 WHERE p.hidden = FALSE AND p.created_at >= $5
                                 ORDER BY p.created_at DESC, p.id LIMIT {WINDOW}) w
                             WHERE w.search @@ websearch_to_tsquery('english', $1)
                             ORDER BY w.created_at DESC, w.id LIMIT {n}) m),
                     newest AS MATERIALIZED (
                         SELECT * FROM windowed WHERE (SELECT COUNT(*) FROM windowed) = {n}
                         UNION ALL
                         SELECT m.id, m.topic_id, {} FROM (
                             SELECT p.id, p.topic_id, p.search FROM forum_posts p
                             WHERE {matches} AND (SELECT COUNT(*) FROM windowed) < {n}
                             ORDER BY p.created_at DESC, p.id LIMIT {n}) m)",
                    rank("m"),
                    rank("m")
                ),
                None => format!(
                    "newest AS MATERIALIZED (SELECT p.id, p.topic_id, {} AS rank FROM forum_posts p WHERE {matches})",
                    rank("p")
                ),
            };
            let sql = format!(
                "WITH {newest},
                 best AS MATERIALIZED (SELECT * FROM newest ORDER BY rank DESC, id {best})
                 SELECT c.id AS post_id, t.id AS topic_id, t.title, c.rank, CAST(0 AS BIGINT) AS fts_rowid,
                        (SELECT COUNT(*) FROM newest) AS read
                 FROM {filtered} c JOIN forum_topics t ON t.id = c.topic_id
                 WHERE t.hidden = FALSE AND (',' || $2 || ',') LIKE ('%,' || t.category_id || ',%')
                   AND ($3 = FALSE OR t.accepted_post_id IS NOT NULL)
                 ORDER BY c.rank DESC, c.id LIMIT $4"
            );
            crate::fetch_all_planned_each_time!(
                db,
                Ranked,
                sqlx::AssertSqlSafe(sql),
                words,
                allowed,
                answered_only,
                limit,
                since
            )
        }
    }
}

/// The snippets of the hits shown, by post id, cut by the engine from the Markdown.
async fn snippets_of(db: &Db, words: &str, ranked: &[Ranked]) -> Result<Vec<(String, String)>, sqlx::Error> {
    match db {
        Db::Sqlite(..) => {
            // One walk of the matches between the hits' first and last rowid, cutting snippets for the hits
            // alone: given `rowid IN (…)` as its constraint, FTS5 would run the whole query again per hit
            // (50 hits cost 5 ms; the `+` keeps the list from being offered to it).
            let rowids: Vec<i64> = ranked.iter().map(|r| r.fts_rowid).collect();
            let (first, last) = (rowids.iter().min().copied(), rowids.iter().max().copied());
            crate::fetch_all!(
                db,
                (String, String),
                "SELECT post_id, snippet(forum_search, 2, char(1), char(2), '…', 16) FROM forum_search
                 WHERE forum_search MATCH $1 AND rowid BETWEEN $2 AND $3 AND +rowid IN (SELECT value FROM json_each($4))",
                words,
                first.unwrap_or(0),
                last.unwrap_or(-1),
                serde_json::to_string(&rowids).unwrap_or_else(|_| "[]".into())
            )
        }
        Db::Postgres(_) => {
            let ids = serde_json::to_string(&ranked.iter().map(|r| &r.post_id).collect::<Vec<_>>())
                .unwrap_or_else(|_| "[]".into());
            crate::fetch_all!(
                db,
                (String, String),
                "SELECT p.id, ts_headline('english', p.body_md, websearch_to_tsquery('english', $1),
                                'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=30, MinWords=12')
                 FROM forum_posts p WHERE p.id IN (SELECT jsonb_array_elements_text(CAST($2 AS JSONB)))",
                words,
                &ids
            )
        }
    }
}

/// The engine cuts its snippet from the Markdown a person wrote: the marks go (emphasis, code, headings,
/// quotes), and a link keeps its words, not its address.
fn without_markdown(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len());
    let mut chars = snippet.chars().peekable();
    let mut in_link_address = false;
    let mut previous = ' ';
    while let Some(c) = chars.next() {
        match c {
            _ if in_link_address => in_link_address = c != ')',
            ']' if chars.peek() == Some(&'(') => {
                chars.next();
                in_link_address = true;
            }
            '*' | '`' | '~' | '[' | ']' => {}
            // Underscores that mark emphasis stand next to a space or an edge; those inside a word stay.
            '_' if previous.is_whitespace()
                || chars.peek().is_none_or(|n| n.is_whitespace() || n.is_ascii_punctuation()) => {}
            '#' | '>' if previous.is_whitespace() || previous == '\n' => {}
            _ => out.push(c),
        }
        previous = c;
    }
    out
}

/// Escapes a snippet for HTML, then turns the engine's match markers into `<mark>`.
fn mark(snippet: &str) -> String {
    let escaped = without_markdown(snippet)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    escaped.replace('\u{1}', "<mark>").replace('\u{2}', "</mark>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_that_stopped_at_a_limit_with_too_few_hits_leaves_more_to_find() {
        let found = |hits: usize, read: i64| -> Vec<Ranked> {
            (0..hits)
                .map(|n| Ranked {
                    post_id: n.to_string(),
                    topic_id: String::new(),
                    title: String::new(),
                    rank: 0.0,
                    fts_rowid: 0,
                    read,
                })
                .collect()
        };
        let [best, newest, all] = PASSES;
        // Enough hits: done, whatever was left unread.
        assert!(!more_to_find(&found(50, 12_000), best, 50));
        // Too few, but every match was read: done.
        assert!(!more_to_find(&found(10, 80), best, 50));
        assert!(!more_to_find(&found(10, 300), newest, 50));
        // Too few, and the best 100 or the newest 500 were only part of the matches: the next pass.
        assert!(more_to_find(&found(10, 300), best, 50));
        assert!(more_to_find(&found(10, 500), newest, 50));
        // The edges: exactly 100 read fit the best 100; 500 read may have been cut at the newest 500.
        assert!(!more_to_find(&found(10, 100), best, 50));
        assert!(more_to_find(&found(10, 101), best, 50));
        assert!(!more_to_find(&found(10, 499), newest, 50));
        // Nothing passed the filters: nothing says how much was read.
        assert!(more_to_find(&[], best, 50));
        // The last pass reads everything.
        assert!(!more_to_find(&found(10, 12_000), all, 50));
        assert!(!more_to_find(&[], all, 50));
    }

    #[test]
    fn queries_cannot_inject_syntax_and_snippets_are_inert() {
        assert_eq!(fts5_query("anchor days"), "\"anchor\" \"days\"");
        assert_eq!(fts5_query("\"NEAR(a b)\" OR *"), "\"NEAR\" \"a\" \"b\" \"OR\"");
        assert_eq!(fts5_query("  ;;; "), "");
        assert_eq!(mark("a \u{1}<script>\u{2} b"), "a <mark>&lt;script&gt;</mark> b");
        assert_eq!(
            mark("We run **two \u{1}anchor\u{2} days** (see [the guide](https://x.example/g)) and _trial_ snake_case"),
            "We run two <mark>anchor</mark> days (see the guide) and trial snake_case"
        );
    }
}
