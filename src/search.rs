//! One search across the network: forum posts (members), articles, resources, case studies and meetings,
//! each hit marked by its kind and limited to what the viewer may see. The forum and the library are ranked
//! full-text searches (`db::search`); meetings and news, far smaller, are matched word by word on both engines.

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::problem::{ApiResult, Problem};

use crate::App;
use crate::auth::{Viewer, policy};
pub use crate::feature::Found;
use crate::feature::SearchRequest;
use crate::forum::Category;
use crate::web::{AppResult, Page, render};

/// The most words a search takes.
pub const MAX_WORDS: usize = 6;

/// A person's words as LIKE patterns: lower-cased, wildcards removed, padded with "" to `MAX_WORDS`.
pub(crate) fn word_patterns(query: &str) -> Vec<String> {
    let mut words: Vec<String> = query
        .split_whitespace()
        .map(|w| w.to_lowercase().replace(['%', '_', '\\'], ""))
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .map(|w| format!("%{w}%"))
        .collect();
    words.resize(MAX_WORDS, String::new());
    words
}

/// SQL: `haystack` (as stored) holds every non-empty word of `word_patterns`, bound from `$first` on, ignoring
/// case as far as each engine can. SQLite's `LIKE` already folds ASCII case, as far as its `LOWER` goes, so the
/// haystack is not copied lower-cased there. PostgreSQL's `LIKE` is case-sensitive: there the word (the pattern
/// without its `%`s, none inside) is matched by a case-insensitive regular expression taken as a literal string
/// (`***=`), which folds case letter by letter (as `LOWER` does but for a few letters such as a final sigma)
/// rather than lower-casing the whole text in the locale once per word: a third of the meetings' statement in
/// a search (issue 22).
pub(crate) fn all_words(db: &crate::db::Db, haystack: &str, first: usize) -> String {
    let holds = |n: usize| match db {
        crate::db::Db::Sqlite(..) => format!("{haystack} LIKE ${n}"),
        crate::db::Db::Postgres(_) => format!("({haystack}) ~* ('***=' || btrim(${n}, '%'))"),
    };
    (first..first + MAX_WORDS).map(|n| format!("(${n} = '' OR {})", holds(n))).collect::<Vec<_>>().join(" AND ")
}

pub fn routes() -> Router<App> {
    Router::new().route("/search", get(search_page))
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub answered: Option<String>,
    #[serde(default)]
    pub since: String,
}

/// The kinds a search can be narrowed to: (value, label).
pub(crate) const KINDS: [(&str, &str); 7] = [
    ("", "Everything"),
    ("forum", "Forum"),
    ("article", "Articles"),
    ("resource", "Resources"),
    ("case_study", "Case studies"),
    ("meeting", "Meetings"),
    ("news", "News"),
];

/// The forum's date filter: (value, label, days back).
const PERIODS: [(&str, &str, i64); 4] =
    [("", "Any time", 365 * 100), ("week", "Past week", 7), ("month", "Past month", 31), ("year", "Past year", 366)];

#[derive(Template)]
#[template(path = "search/search.html")]
struct SearchPage {
    page: Page,
    q: String,
    kind: String,
    kinds: [(&'static str, &'static str); 7],
    members: bool,
    category: String,
    answered: bool,
    since: String,
    periods: [(&'static str, &'static str, i64); 4],
    categories: Vec<Category>,
    hits: Vec<Found>,
    searched: bool,
}

/// Appends `text` escaped for HTML, copying the runs between the special bytes whole.
fn push_escaped(out: &mut String, text: &str) {
    let mut run = 0;
    for (i, b) in text.bytes().enumerate() {
        let escaped = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&text[run..i]);
        out.push_str(escaped);
        run = i + 1;
    }
    out.push_str(&text[run..]);
}

/// About 200 characters of `text` around the first of the words, escaped, with the words marked.
pub fn excerpt(text: &str, words: &[String]) -> String {
    let plain = crate::web::markdown::to_plain(text).replace('\n', " ");
    let lower = plain.to_lowercase();
    let first = words.iter().filter_map(|w| lower.find(w.as_str())).min().unwrap_or(0);
    let mut start = first.saturating_sub(60);
    while !plain.is_char_boundary(start) {
        start -= 1;
    }
    let end = plain[start..].char_indices().nth(200).map_or(plain.len(), |(k, _)| start + k);
    let piece = &plain[start..end];
    let mut out = String::with_capacity(piece.len() + 32);
    if start > 0 {
        out.push('…');
    }
    let piece_lower = piece.to_lowercase();
    // Mark matches only where lower-casing kept the byte offsets (ASCII), so nothing is cut mid-character.
    if piece_lower.len() != piece.len() {
        push_escaped(&mut out, piece);
        return out;
    }
    // The first place from `from` on where `word` starts and ends on a character of the text itself.
    let next_match = |word: &str, mut from: usize| -> Option<usize> {
        while from < piece_lower.len() && !piece_lower.is_char_boundary(from) {
            from += 1;
        }
        while let Some(at) = piece_lower.get(from..)?.find(word).map(|k| from + k) {
            if piece.is_char_boundary(at) && piece.is_char_boundary(at + word.len()) {
                return Some(at);
            }
            from = at + piece_lower[at..].chars().next().map_or(1, char::len_utf8);
        }
        None
    };
    let mut i = 0;
    loop {
        // The earliest match wins; at the same place, the word listed first.
        let hit = words
            .iter()
            .filter(|w| !w.is_empty())
            .filter_map(|w| next_match(w, i).map(|at| (at, w.len())))
            .min_by_key(|(at, _)| *at);
        let Some((at, len)) = hit else { break };
        push_escaped(&mut out, &piece[i..at]);
        out.push_str("<mark>");
        push_escaped(&mut out, &piece[at..at + len]);
        out.push_str("</mark>");
        i = at + len;
    }
    push_escaped(&mut out, &piece[i..]);
    out
}

/// How many of the words a title holds: hits matching in their title come first.
pub fn title_score(title: &str, words: &[String]) -> usize {
    let t = title.to_lowercase();
    words.iter().filter(|w| t.contains(w.as_str())).count()
}

async fn search_page(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Query(s): Query<SearchQuery>,
) -> AppResult<impl IntoResponse> {
    let Searched { q, kind, answered, members, categories, hits } = find(&app, &viewer, &s).await?;
    render(&SearchPage {
        page: page.titled("Search").noindex(),
        searched: !q.trim().is_empty(),
        q,
        kind,
        kinds: KINDS,
        members,
        category: s.category,
        answered,
        since: s.since,
        periods: PERIODS,
        categories,
        hits,
    })
}

/// What a search found, with the query as it was understood.
pub struct Searched {
    pub q: String,
    pub kind: String,
    pub answered: bool,
    /// Whether the forum was searched (the viewer is in the members' area).
    pub members: bool,
    /// The forum categories the viewer may read.
    pub categories: Vec<Category>,
    pub hits: Vec<Found>,
}

/// Searches everything the viewer may see: every feature's hits for the same request.
pub async fn find(app: &App, viewer: &Viewer, s: &SearchQuery) -> AppResult<Searched> {
    let now = Utc::now();
    let members = policy::can_enter_members_area(viewer, now);
    let categories = if members { crate::forum::visible_categories(app, viewer).await? } else { Vec::new() };
    let q: String = s.q.chars().take(200).collect();
    let words: Vec<String> = q.split_whitespace().map(str::to_lowercase).take(MAX_WORDS).collect();
    let answered = s.answered.is_some();
    // The forum's own filters narrow the search to the forum.
    let kind = if !s.category.is_empty() || answered || !s.since.is_empty() { "forum" } else { s.kind.as_str() };
    let days = PERIODS.iter().find(|(v, _, _)| *v == s.since).map(|(_, _, d)| *d).unwrap_or(365 * 100);
    let request = SearchRequest {
        q: q.clone(),
        words,
        kind: kind.to_string(),
        categories: categories
            .iter()
            .filter(|c| s.category.is_empty() || c.slug == s.category)
            .map(|c| c.id.clone())
            .collect(),
        answered,
        since: now - chrono::Duration::days(days),
    };
    let mut hits = Vec::new();
    if !request.words.is_empty() {
        for feature in crate::FEATURES {
            hits.extend(feature.search(app, viewer, &request).await?);
        }
    }
    // Title matches first; then the forum, case studies, resources, articles and meetings; within a kind its own
    // order (the forum and the library by rank, the rest newest first).
    const ORDER: [&str; 6] = ["Forum", "Case study", "Resource", "Article", "Meeting", "News"];
    let rank = |kind: &str| ORDER.iter().position(|k| *k == kind).unwrap_or(ORDER.len());
    hits.sort_by_key(|h| (std::cmp::Reverse(h.score), rank(h.kind)));
    Ok(Searched { q, kind: kind.to_string(), answered, members, categories, hits })
}

// The same search through the JSON API.

#[derive(Serialize, ToSchema)]
pub struct HitOut {
    /// `Forum`, `Article`, `Resource`, `Case study`, `Meeting` or `News`.
    pub kind: String,
    pub title: String,
    pub url: String,
    /// Escaped text around the words, with the words in `<mark>`.
    pub snippet_html: String,
    pub meta: String,
}

/// What a search through the API can be narrowed to: a closed list, as the document says.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    Forum,
    Article,
    Resource,
    CaseStudy,
    Meeting,
    News,
}

impl SearchKind {
    /// The key the search page uses for the same kind: the `KINDS` entry after "Everything", in this order.
    fn key(self) -> &'static str {
        KINDS[1 + self as usize].0
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The words to find (at most 200 characters are read).
    pub q: String,
    /// Narrow to one kind; everything when left out.
    #[param(inline, value_type = Option<SearchKind>)]
    pub kind: Option<SearchKind>,
}

/// Searches what the caller may see: without a token, the public library, open meetings and news; with a member's
/// token, the forum and members' items too.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams), security((), ("token" = [])),
    responses((status = 200, body = Vec<HitOut>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn search_api(
    State(app): State<App>,
    viewer: Viewer,
    Query(p): Query<SearchParams>,
) -> ApiResult<Json<Vec<HitOut>>> {
    let kind = p.kind.map(SearchKind::key).unwrap_or_default().to_string();
    let query = SearchQuery { q: p.q, kind, ..Default::default() };
    let found = find(&app, &viewer, &query).await?;
    Ok(Json(
        found
            .hits
            .into_iter()
            .map(|h| HitOut {
                kind: h.kind.into(),
                title: h.title,
                url: app.config.link(&h.url),
                snippet_html: h.snippet,
                meta: h.meta,
            })
            .collect(),
    ))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(search_api))]
pub(crate) struct ApiDoc;

/// `/api/v1/search`, merged into the API by `api::routes`.
pub(crate) fn api_routes() -> Router<App> {
    Router::new().route("/api/v1/search", get(search_api))
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    /// The API's kinds are the search page's, by the same keys.
    #[test]
    fn api_kinds_are_the_pages_kinds() {
        use super::{KINDS, SearchKind};
        let all = [
            SearchKind::Forum,
            SearchKind::Article,
            SearchKind::Resource,
            SearchKind::CaseStudy,
            SearchKind::Meeting,
            SearchKind::News,
        ];
        assert_eq!(all.map(SearchKind::key).to_vec(), KINDS[1..].iter().map(|(k, _)| *k).collect::<Vec<_>>());
        for kind in all {
            let parsed: SearchKind = serde_json::from_value(serde_json::json!(kind.key())).unwrap();
            assert_eq!(parsed, kind);
        }
    }

    /// The excerpt as it was first written, a character at a time: the faster one must cut the same.
    fn excerpt_one_character_at_a_time(text: &str, words: &[String]) -> String {
        let escape = |out: &mut String, text: &str| {
            for c in text.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '"' => out.push_str("&quot;"),
                    c => out.push(c),
                }
            }
        };
        let plain = crate::web::markdown::to_plain(text).replace('\n', " ");
        let lower = plain.to_lowercase();
        let first = words.iter().filter_map(|w| lower.find(w.as_str())).min().unwrap_or(0);
        let mut start = first.saturating_sub(60);
        while !plain.is_char_boundary(start) {
            start -= 1;
        }
        let piece: String = plain[start..].chars().take(200).collect();
        let mut out = String::new();
        let piece_lower = piece.to_lowercase();
        let mut i = 0;
        while i < piece.len() {
            let hit = words.iter().find(|w| {
                !w.is_empty()
                    && piece_lower.get(i..).is_some_and(|rest| rest.starts_with(w.as_str()))
                    && piece.is_char_boundary(i + w.len())
            });
            match hit {
                Some(w) if piece_lower.len() == piece.len() => {
                    out.push_str("<mark>");
                    escape(&mut out, &piece[i..i + w.len()]);
                    out.push_str("</mark>");
                    i += w.len();
                }
                _ => {
                    let c = piece[i..].chars().next().unwrap();
                    escape(&mut out, &piece[i..i + c.len_utf8()]);
                    i += c.len_utf8();
                }
            }
        }
        if start > 0 { format!("…{out}") } else { out }
    }

    proptest::proptest! {
        #[test]
        fn excerpts_are_those_cut_a_character_at_a_time(
            text in "([a-dA-D <>&\"*_#\n]|é|É|İ|ß|ẞ|Σ|ς){0,400}",
            words in proptest::collection::vec("([a-d&<\"]|é|ß|i̇|ς){0,3}", 0..4),
        ) {
            proptest::prop_assert_eq!(excerpt(&text, &words), excerpt_one_character_at_a_time(&text, &words));
        }
    }

    #[test]
    fn excerpts_escape_and_mark() {
        let words = vec!["retail".to_string()];
        let e = excerpt("A <b>Retail</b> chain & its stores", &words);
        assert!(e.contains("<mark>Retail</mark>") && !e.contains("<b>") && e.contains("&amp;"), "{e}");
        let e = excerpt("Ünïcödé text with retail inside", &words);
        assert!(e.contains("retail"), "{e}");
    }
}
