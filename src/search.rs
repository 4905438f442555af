//! One search across the network: forum posts (members), articles, resources, case studies and meetings,
//! each hit marked by its kind and limited to what the viewer may see. The forum keeps its full-text index
//! (`db::search`); the library and meetings, far smaller, are matched word by word on both engines.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::App;
use crate::auth::{Viewer, policy};
use crate::db::search as forum_search;
use crate::forum::model::Category;
use crate::library::store as library;
use crate::web::{AppResult, Page, render, time};

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
pub(crate) const KINDS: [(&str, &str); 6] = [
    ("", "Everything"),
    ("forum", "Forum"),
    ("article", "Articles"),
    ("resource", "Resources"),
    ("case_study", "Case studies"),
    ("meeting", "Meetings"),
];

/// The forum's date filter: (value, label, days back).
const PERIODS: [(&str, &str, i64); 4] =
    [("", "Any time", 365 * 100), ("week", "Past week", 7), ("month", "Past month", 31), ("year", "Past year", 366)];

/// One hit, whatever its kind. `snippet` is safe HTML: escaped text with the words in `<mark>`.
pub struct Found {
    pub kind: &'static str,
    pub title: String,
    pub url: String,
    pub snippet: String,
    pub meta: String,
    score: usize,
}

#[derive(Template)]
#[template(path = "search/search.html")]
struct SearchPage {
    page: Page,
    q: String,
    kind: String,
    kinds: [(&'static str, &'static str); 6],
    members: bool,
    category: String,
    answered: bool,
    since: String,
    periods: [(&'static str, &'static str, i64); 4],
    categories: Vec<Category>,
    hits: Vec<Found>,
    searched: bool,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// About 200 characters of `text` around the first of the words, escaped, with the words marked.
fn excerpt(text: &str, words: &[String]) -> String {
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
    // Mark matches only where lower-casing kept the byte offsets (ASCII), so nothing is cut mid-character.
    while i < piece.len() {
        let hit = words.iter().find(|w| {
            !w.is_empty()
                && piece_lower.get(i..).is_some_and(|rest| rest.starts_with(w.as_str()))
                && piece.is_char_boundary(i + w.len())
        });
        match hit {
            Some(w) if piece_lower.len() == piece.len() => {
                out.push_str("<mark>");
                out.push_str(&escape(&piece[i..i + w.len()]));
                out.push_str("</mark>");
                i += w.len();
            }
            _ => {
                let c = piece[i..].chars().next().unwrap_or(' ');
                out.push_str(&escape(&c.to_string()));
                i += c.len_utf8();
            }
        }
    }
    if start > 0 { format!("…{out}") } else { out }
}

fn title_score(title: &str, words: &[String]) -> usize {
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

/// Searches everything the viewer may see.
pub async fn find(app: &App, viewer: &Viewer, s: &SearchQuery) -> AppResult<Searched> {
    let now = Utc::now();
    let members = policy::can_enter_members_area(viewer, now);
    let categories = if members { crate::forum::routes::visible_categories(app, viewer).await? } else { Vec::new() };
    let q: String = s.q.chars().take(200).collect();
    let words: Vec<String> = q.split_whitespace().map(str::to_lowercase).take(library::MAX_WORDS).collect();
    let answered = s.answered.is_some();
    // The forum's own filters narrow the search to the forum.
    let kind = if !s.category.is_empty() || answered || !s.since.is_empty() { "forum" } else { s.kind.as_str() };
    let wants = |k: &str| kind.is_empty() || kind == k;
    let tz = app.config.timezone;
    let mut hits = Vec::new();
    if !words.is_empty() {
        if members && wants("forum") {
            let allowed: Vec<String> = categories
                .iter()
                .filter(|c| s.category.is_empty() || c.slug == s.category)
                .map(|c| c.id.clone())
                .collect();
            let days = PERIODS.iter().find(|(v, _, _)| *v == s.since).map(|(_, _, d)| *d).unwrap_or(365 * 100);
            let scope = forum_search::Scope {
                categories: &allowed,
                answered_only: answered,
                since: now - chrono::Duration::days(days),
            };
            for h in forum_search::forum(&app.db, &q, &scope, 50).await? {
                hits.push(Found {
                    kind: "Forum",
                    score: title_score(&h.title, &words),
                    url: format!("/forum/t/{}#post-{}", h.topic_id, h.post_id),
                    title: h.title,
                    snippet: h.snippet,
                    meta: String::new(),
                });
            }
        }
        let reach = crate::library::routes::reach_of(app, viewer).await?;
        if wants("case_study") {
            for c in library::search_case_studies(&app.db, &reach, &q, now).await? {
                hits.push(Found {
                    kind: "Case study",
                    score: title_score(&c.title, &words),
                    url: format!("/case-studies/{}", c.slug),
                    snippet: excerpt(&format!("{} {}", c.challenge_md, c.results_md), &words),
                    meta: format!("{} · {} · {} · {}", c.organisation_label, c.sector, c.size_band, c.region),
                    title: c.title,
                });
            }
        }
        if wants("resource") {
            for r in library::search_resources(&app.db, &reach, &q, now).await? {
                hits.push(Found {
                    kind: "Resource",
                    score: title_score(&r.title, &words),
                    url: format!("/resources/{}", r.slug),
                    snippet: excerpt(&r.description_md, &words),
                    meta: r.kind_label().to_string(),
                    title: r.title,
                });
            }
        }
        if wants("article") {
            for a in library::search_articles(&app.db, &reach, &q, now).await? {
                hits.push(Found {
                    kind: "Article",
                    score: title_score(&a.title, &words),
                    url: format!("/articles/{}", a.slug),
                    snippet: excerpt(&format!("{} {}", a.summary, a.body_md), &words),
                    meta: time::date(a.publish_at, tz),
                    title: a.title,
                });
            }
        }
        if wants("meeting") {
            hits.extend(meeting_hits(app, viewer, &words, now).await?);
        }
    }
    // Title matches first; within the same score, each kind keeps its own order (forum by rank, others newest).
    hits.sort_by_key(|h| std::cmp::Reverse(h.score));
    Ok(Searched { q, kind: kind.to_string(), answered, members, categories, hits })
}

/// Meetings whose words match, as far as the viewer may see them: a closed meeting shown only as a teaser
/// is found by its title alone, so its description gives nothing away.
async fn meeting_hits(app: &App, viewer: &Viewer, words: &[String], now: DateTime<Utc>) -> AppResult<Vec<Found>> {
    let views = crate::meetings::routes::Views::of(app, viewer).await?;
    let mut found = Vec::new();
    for upcoming in [true, false] {
        for m in crate::meetings::store::listed(&app.db, upcoming, now).await? {
            let view = views.view(&m);
            let haystack = match view {
                policy::MeetingView::Hidden => continue,
                policy::MeetingView::Teaser => m.title.to_lowercase(),
                policy::MeetingView::Full => {
                    format!("{} {} {}", m.title, m.summary_md, m.format_label()).to_lowercase()
                }
            };
            if !words.iter().all(|w| haystack.contains(w.as_str())) {
                continue;
            }
            let snippet = match view {
                policy::MeetingView::Full => excerpt(&m.summary_md, words),
                _ => "For members: sign in to see more.".to_string(),
            };
            found.push(Found {
                kind: "Meeting",
                score: title_score(&m.title, words),
                url: format!("/meetings/{}", m.slug),
                snippet,
                meta: format!("{} · {}", time::date_time(m.starts_at, app.config.timezone), m.format_label()),
                title: m.title,
            });
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn excerpts_escape_and_mark() {
        let words = vec!["retail".to_string()];
        let e = excerpt("A <b>Retail</b> chain & its stores", &words);
        assert!(e.contains("<mark>Retail</mark>") && !e.contains("<b>") && e.contains("&amp;"), "{e}");
        let e = excerpt("Ünïcödé text with retail inside", &words);
        assert!(e.contains("retail"), "{e}");
    }
}
