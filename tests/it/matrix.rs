//! The access matrix: every route of the application, read from the source of the router (so a new route
//! without a row here fails this test), walked as each of eight roles. For each route and role the expected
//! status is asserted, and no response that a non-member gets, nor any refused response, may contain text
//! that only members may read. Where a role may send a form, the row also says what it gets back (where it is
//! sent, or the message that names what is missing) and what the form changes, counted in the database.

use std::collections::BTreeSet;

use crate::on_both_engines;
use crate::support::{Engine, PASSWORD, TestApp, browser};

on_both_engines!(every_route_answers_each_role_as_the_policy_says);

/// Text that stands only in members-only content.
const MARKER: &str = "zebracrossing";

/// The roles, in the order of each row: visitor, applicant, member, group member, moderator, organiser,
/// suspended, lapsed.
const ROLES: [&str; 8] =
    ["visitor", "applicant", "member", "group member", "moderator", "organiser", "suspended", "lapsed"];

const PUBLIC: [u16; 8] = [200; 8];
const MEMBERS: [u16; 8] = [303, 403, 200, 200, 200, 200, 303, 403];
const ORGANISERS: [u16; 8] = [303, 403, 403, 403, 403, 200, 303, 403];
const MODERATORS: [u16; 8] = [303, 403, 403, 403, 200, 200, 303, 403];
const SIGNED_IN: [u16; 8] = [303, 200, 200, 200, 200, 200, 303, 200];
/// A members' item of the library: visitors are asked to sign in; other non-members find nothing.
const MEMBERS_ITEM: [u16; 8] = [303, 404, 200, 200, 200, 200, 303, 404];
/// A group's space: members outside the group find nothing.
const GROUP_ONLY: [u16; 8] = [303, 403, 404, 200, 200, 200, 303, 403];
/// A link with a secret that this test does not have: refused alike for everyone.
const GONE: [u16; 8] = [410; 8];
/// Not on this address for anyone (a route of another listener).
const NOWHERE: [u16; 8] = [404; 8];
/// In a row, a role allowed to send the form: the row's `Does` says what it gets back and what the form changes.
const DOES: u16 = 1;
/// A form for organisers: refused for everyone else.
const ORGANISERS_FORM: [u16; 8] = [303, 403, 403, 403, 403, DOES, 303, 403];
/// A form for members in their term.
const MEMBERS_FORM: [u16; 8] = [303, 403, DOES, DOES, DOES, DOES, 303, 403];
/// A form for anyone signed in.
const SIGNED_IN_FORM: [u16; 8] = [303, DOES, DOES, DOES, DOES, DOES, 303, DOES];
/// An upload form (multipart) sent as a plain form: unreadable, so refused for everyone before anything else.
const UPLOAD_FORM: [u16; 8] = [400; 8];
/// A form anyone may send.
const OPEN_FORM: [u16; 8] = [DOES; 8];
/// The API, where each role calls with its own personal token (a visitor with none; the suspended member's
/// token no longer works, and a token that does not work is refused even where none is needed).
const API_PUBLIC: [u16; 8] = [200, 200, 200, 200, 200, 200, 401, 200];
const API_MEMBERS: [u16; 8] = [401, 403, 200, 200, 200, 200, 401, 403];
/// An API write for members.
const API_MEMBERS_WRITE: [u16; 8] = [401, 403, DOES, DOES, DOES, DOES, 401, 403];
/// The token holder's own data: anyone with a working token.
const API_OWN: [u16; 8] = [401, 200, 200, 200, 200, 200, 401, 200];
/// A team space of the toolkit: its lead (the member) and a lapsed lead read it; no one else finds it.
const TEAM_READ: [u16; 8] = [303, 404, 200, 404, 404, 404, 303, 200];
/// A lead's page of a team space: a lapsed lead may read the space but not change it.
const TEAM_LEAD_PAGE: [u16; 8] = [303, 404, 200, 404, 404, 404, 303, 403];
const TEAM_LEAD_FORM: [u16; 8] = [303, 404, DOES, 404, 404, 404, 303, 403];
const API_TEAM_READ: [u16; 8] = [401, 403, 200, 404, 404, 404, 401, 200];
const API_TEAM_WRITE: [u16; 8] = [401, 403, DOES, 404, 404, 404, 401, 403];
/// A benchmark assessment of the organisation everyone in the matrix works for: its current members (the
/// moderator works there too); not the organiser, who sees aggregates only, nor a lapsed member.
const ASSESS: [u16; 8] = [303, 403, 200, 200, 200, 404, 303, 403];
const ASSESS_FORM: [u16; 8] = [303, 403, DOES, DOES, DOES, 404, 303, 403];
const API_ASSESS: [u16; 8] = [401, 403, 200, 200, 200, 403, 401, 403];
const API_ASSESS_WRITE: [u16; 8] = [401, 403, DOES, DOES, DOES, 403, 401, 403];
const API_ASSESS_ITEM: [u16; 8] = [401, 403, 200, 200, 200, 404, 401, 403];
const API_ASSESS_ITEM_WRITE: [u16; 8] = [401, 403, DOES, DOES, DOES, 404, 401, 403];
/// Entering the awards for one's organisation (everyone in the matrix works for one): its current members, not
/// the organiser; an entry of it is found by no one else.
const ENTRANT: [u16; 8] = [303, 403, 200, 200, 200, 403, 303, 403];
const ENTRANT_FORM: [u16; 8] = [303, 403, DOES, DOES, DOES, 403, 303, 403];
const ENTRY: [u16; 8] = [303, 403, 200, 200, 200, 404, 303, 403];
const ENTRY_FORM: [u16; 8] = [303, 403, DOES, DOES, DOES, 404, 303, 403];
const API_ENTRANT_WRITE: [u16; 8] = [401, 403, DOES, DOES, DOES, 403, 401, 403];
const API_ENTRY: [u16; 8] = [401, 403, 200, 200, 200, 404, 401, 403];
const API_ENTRY_WRITE: [u16; 8] = [401, 403, DOES, DOES, DOES, 404, 401, 403];
/// An API write for organisers.
const API_ORGANISERS_WRITE: [u16; 8] = [401, 403, 403, 403, 403, DOES, 401, 403];
/// An API read for organisers.
const API_ORGANISERS: [u16; 8] = [401, 403, 403, 403, 403, 200, 401, 403];
/// An entry being judged: its judge (the group member) and the organisers reach it; others in the members'
/// area find nothing; applicants and lapsed members do not judge.
const JUDGE_ENTRY: [u16; 8] = [303, 403, 404, 200, 404, 200, 303, 403];
/// A group's space through the API.
const API_GROUP_ONLY: [u16; 8] = [401, 403, 404, 200, 200, 200, 401, 403];

// What the allowed forms change, counted for the person who sent them ($1; $2 is the row's own argument).
const IN_CLUB: &str = "SELECT COUNT(*) FROM group_members m JOIN network_groups g ON g.id = m.group_id
     WHERE m.user_id = $1 AND g.slug = 'club' AND m.status = 'active'";
const REGISTERED: &str = "SELECT COUNT(*) FROM registrations r JOIN meetings m ON m.id = r.meeting_id
     WHERE r.user_id = $1 AND m.slug = 'members-meeting' AND r.status = 'confirmed'";
const NAMED: &str = "SELECT COUNT(*) FROM registrations r JOIN meetings m ON m.id = r.meeting_id
     WHERE r.user_id = $1 AND m.slug = 'members-meeting' AND r.name_shown";
const WATCHES_CATEGORY: &str = "SELECT COUNT(*) FROM forum_watches w JOIN forum_categories c ON c.id = w.target_id
     WHERE w.user_id = $1 AND c.slug = 'general'";
const WATCHES: &str = "SELECT COUNT(*) FROM forum_watches WHERE user_id = $1 AND target_id = $2";
const REPLIES: &str = "SELECT COUNT(*) FROM forum_posts WHERE author_id = $1 AND topic_id = $2 AND NOT opening";
const FLAGS: &str = "SELECT COUNT(*) FROM forum_flags WHERE flagged_by = $1 AND post_id = $2";
const LIKES: &str = "SELECT COUNT(*) FROM forum_likes WHERE user_id = $1 AND post_id = $2";
const BOOKMARKS: &str = "SELECT COUNT(*) FROM forum_bookmarks WHERE user_id = $1 AND post_id = $2";
const REVISIONS: &str = "SELECT COUNT(*) FROM forum_revisions WHERE edited_by = $1 AND post_id = $2";
const WANTS_NEWSLETTERS: &str = "SELECT COUNT(*) FROM email_consents
     WHERE user_id = $1 AND category = 'newsletter' AND granted AND source = 'preferences'";
const ACCOUNT_KEPT: &str = "SELECT COUNT(*) FROM users WHERE id = $1 AND deleted_at IS NULL";
const CALENDAR_FEEDS: &str = "SELECT COUNT(*) FROM calendar_feeds WHERE user_id = $1";
const FORM_TOKENS: &str = "SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND name = 'matrix form'";
const STARTED: &str = "SELECT COUNT(*) FROM conversations WHERE started_by = $1 AND subject = 'Matrix message'";
const WROTE_IN: &str = "SELECT COUNT(*) FROM private_messages WHERE author_id = $1 AND conversation_id = $2";
const BLOCKS: &str = "SELECT COUNT(*) FROM member_blocks WHERE blocker_id = $1";
/// Private messages: read by members and lapsed members, written by members.
const READERS: [u16; 8] = [303, 403, 200, 200, 200, 200, 303, 200];
const UNREAD: &str = "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL";
const MATRIX_TOPICS: &str = "SELECT COUNT(*) FROM forum_topics WHERE author_id = $1 AND title = 'Matrix topic'";
const MATRIX_API_TOPICS: &str = "SELECT COUNT(*) FROM forum_topics WHERE author_id = $1 AND title = 'Matrix API topic'";
// Organisers' new items (not counted per person).
const MATRIX_CATEGORY: &str = "SELECT COUNT(*) FROM forum_categories WHERE slug = 'matrix-category'";
const MATRIX_GROUP: &str = "SELECT COUNT(*) FROM network_groups WHERE slug = 'matrix-group'";
const MATRIX_MEETING: &str = "SELECT COUNT(*) FROM meetings WHERE slug = 'matrix-meeting'";
const MATRIX_NEWS: &str = "SELECT COUNT(*) FROM news WHERE slug = 'matrix-news'";
const MATRIX_LETTER: &str = "SELECT COUNT(*) FROM newsletters WHERE subject = 'Matrix letter'";
const MATRIX_PAGE: &str = "SELECT COUNT(*) FROM pages WHERE slug = 'matrix-page'";

/// One (method, route) of the matrix: the path requested and the status each role gets.
struct Row {
    method: &'static str,
    route: &'static str,
    path: String,
    expected: [u16; 8],
    /// For the roles marked `DOES`: what they send, get back, and change.
    does: Option<Does>,
}

fn row(method: &'static str, route: &'static str, path: String, expected: [u16; 8]) -> Row {
    Row { method, route, path, expected, does: None }
}

impl Row {
    fn does(self, does: Does) -> Row {
        Row { does: Some(does), ..self }
    }
}

/// What a role allowed to send a form gets. Refused roles send the form empty (with a valid token), so their
/// refusal must come before anything is read; allowed roles send `fields`.
struct Does {
    fields: Vec<(&'static str, String)>,
    status: u16,
    /// For a 303, the start of where it leads; otherwise text the answer holds (a form sent back names what
    /// is missing).
    answer: String,
    /// A count the action changes to `is` (or keeps at `is`).
    count: Option<Count>,
}

/// A query giving a number: `$1` is the person's id (where the query has one), and `$2` the `arg`, if any.
struct Count {
    sql: &'static str,
    arg: Option<String>,
    is: i64,
    /// Whether the action changes the count to `is`, or keeps it there.
    changes: bool,
}

/// Allowed roles are sent on to a page whose address starts with `to`.
fn goes(to: impl Into<String>) -> Does {
    Does { fields: Vec::new(), status: 303, answer: to.into(), count: None }
}

/// Allowed roles get the form back with `status`, saying `says` (the form as the matrix sends it lacks it).
fn explains(status: u16, says: &str) -> Does {
    Does { fields: Vec::new(), status, answer: says.to_string(), count: None }
}

impl Does {
    fn sending(self, fields: &[(&'static str, impl AsRef<str>)]) -> Does {
        Does { fields: fields.iter().map(|(k, v)| (*k, v.as_ref().to_string())).collect(), ..self }
    }

    /// `sql` (with the person's id as `$1`) counts `is` afterwards, and did not before.
    fn counts(self, sql: &'static str, is: i64) -> Does {
        Does { count: Some(Count { sql, arg: None, is, changes: true }), ..self }
    }

    /// `sql` (with the person's id as `$1`) counts `is` before and afterwards: the form changes nothing.
    fn keeps(self, sql: &'static str, is: i64) -> Does {
        Does { count: Some(Count { sql, arg: None, is, changes: false }), ..self }
    }

    /// `sql` (with the person's id as `$1` and `arg` as `$2`) counts `is` afterwards, and did not before.
    fn counts_of(self, sql: &'static str, arg: impl Into<String>, is: i64) -> Does {
        Does { count: Some(Count { sql, arg: Some(arg.into()), is, changes: true }), ..self }
    }
}

async fn count(t: &TestApp, c: &Count, person: &str) -> i64 {
    match &c.arg {
        Some(arg) => swn::fetch_scalar!(&t.app.db, i64, c.sql, person, arg),
        None if c.sql.contains("$1") => swn::fetch_scalar!(&t.app.db, i64, c.sql, person),
        None => swn::fetch_scalar!(&t.app.db, i64, c.sql),
    }
    .unwrap_or_else(|e| panic!("{}: {e}", c.sql))
}

/// Every Rust source file under `src/`.
pub(crate) fn source_files() -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    files.sort();
    files
}

/// Every (method, route) the router declares, read from `src/`.
fn declared_routes() -> BTreeSet<(String, String)> {
    let sources = source_files().into_iter().map(|f| std::fs::read_to_string(f).unwrap());
    let mut routes = BTreeSet::new();
    for source in sources {
        for piece in source.split(".route(\"").skip(1) {
            let Some((path, rest)) = piece.split_once('"') else { continue };
            // The handlers up to the closing parenthesis of `.route(`.
            let mut depth = 1;
            let end = rest
                .char_indices()
                .find(|(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map(|(i, _)| i)
                .unwrap_or(rest.len());
            let handlers = &rest[..end];
            for method in ["get", "post", "put", "patch", "delete", "any"] {
                let called = handlers
                    .match_indices(&format!("{method}("))
                    .any(|(i, _)| !handlers[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_'));
                if called {
                    routes.insert((method.to_uppercase(), path.to_string()));
                }
            }
        }
    }
    routes
}

/// The rows: (method, route, the path to request, expected status per role), and for the roles a row allows
/// (`DOES`), what they get and what their form changes. Refused roles send a valid form token and no fields:
/// they must be refused before anything is read.
fn rows(s: &Seed) -> Vec<Row> {
    let p = |x: &str| x.to_string();
    let team = format!("/toolkit/teams/{}", s.team);
    let person = format!("{team}/people/{}", s.team_person);
    let api = format!("/api/v1/toolkit/teams/{}", s.team);
    let bench = format!("/benchmark/assessments/{}", s.bench);
    vec![
        // The public site
        row("GET", "/", p("/"), PUBLIC),
        row("GET", "/about", p("/about"), PUBLIC),
        row("GET", "/pages/{slug}", p("/pages/about"), PUBLIC),
        row("GET", "/news", p("/news"), PUBLIC),
        row("GET", "/news/{slug}", p("/news/public-news-item"), PUBLIC),
        row("GET", "/news/feed.xml", p("/news/feed.xml"), PUBLIC),
        row("GET", "/supporters", p("/supporters"), PUBLIC),
        row("GET", "/people", p("/people"), PUBLIC),
        row("GET", "/sitemap", p("/sitemap"), PUBLIC),
        row("GET", "/sitemap.xml", p("/sitemap.xml"), PUBLIC),
        row("GET", "/robots.txt", p("/robots.txt"), PUBLIC),
        row("GET", "/healthz", p("/healthz"), PUBLIC),
        row("GET", "/readyz", p("/readyz"), PUBLIC),
        // Served only on SWN_METRICS_LISTEN, never on the site's own address.
        row("GET", "/metrics", p("/metrics"), NOWHERE),
        row("GET", "/metrics/{network}", p("/metrics/uk"), NOWHERE),
        row("GET", "/static/{name}", p("/static/style.css"), PUBLIC),
        row("GET", "/files/{id}", format!("/files/{}", s.public_file), PUBLIC),
        // Searching for part of the marker (the query itself is shown back in the form).
        row("GET", "/search", p("/search?q=crossing"), PUBLIC),
        row("GET", "/library", p("/library"), PUBLIC),
        row("GET", "/articles/feed.xml", p("/articles/feed.xml"), PUBLIC),
        row("GET", "/articles/{slug}", p("/articles/members-article"), MEMBERS_ITEM),
        row("GET", "/resources/{slug}", p("/resources/members-guide"), MEMBERS_ITEM),
        row("GET", "/resources/{slug}/download", p("/resources/members-guide/download"), MEMBERS_ITEM),
        row("GET", "/case-studies/{slug}", p("/case-studies/members-case"), MEMBERS_ITEM),
        row("GET", "/meetings", p("/meetings"), PUBLIC),
        row("GET", "/meetings/calendar.ics", p("/meetings/calendar.ics"), PUBLIC),
        // A members' meeting: others see its title as a teaser, never its description.
        row("GET", "/meetings/{slug}", p("/meetings/members-meeting"), PUBLIC),
        row(
            "GET",
            "/meetings/{slug}/calendar.ics",
            p("/meetings/members-meeting/calendar.ics"),
            [404, 404, 200, 200, 200, 200, 404, 404],
        ),
        row(
            "GET",
            "/meetings/{slug}/slides",
            p("/meetings/members-meeting/slides"),
            [303, 403, 404, 404, 404, 404, 303, 403],
        ),
        row("GET", "/newsletters", p("/newsletters"), PUBLIC),
        row("GET", "/newsletters/{id}", format!("/newsletters/{}", s.newsletter), MEMBERS),
        row("GET", "/subscribe", p("/subscribe"), PUBLIC),
        row("GET", "/subscribe/confirm/{token}", p("/subscribe/confirm/not-a-token"), PUBLIC),
        row("GET", "/email/{token}", p("/email/not-a-token"), GONE),
        row("GET", "/unsubscribe/{token}", p("/unsubscribe/not-a-token"), GONE),
        // Signing in and joining
        row("GET", "/sign-in", p("/sign-in"), PUBLIC),
        row("GET", "/password/forgot", p("/password/forgot"), PUBLIC),
        row("GET", "/password/reset/{token}", p("/password/reset/not-a-token"), GONE),
        row("GET", "/setup/{token}", p("/setup/not-a-token"), GONE),
        row("GET", "/join", p("/join"), [200, 303, 303, 303, 303, 303, 200, 303]),
        row("GET", "/join/sent", p("/join/sent"), PUBLIC),
        row("GET", "/join/verify/{token}", p("/join/verify/not-a-token"), GONE),
        row("GET", "/registrations/confirm/{token}", p("/registrations/confirm/not-a-token"), GONE),
        row("GET", "/registrations/cancel/{token}", p("/registrations/cancel/not-a-token"), GONE),
        row("GET", "/calendar/{token}", p("/calendar/not-a-token"), [404; 8]),
        row("GET", "/membership/renew/{token}", p("/membership/renew/not-a-token"), GONE),
        // One's own account
        row("GET", "/account", p("/account"), SIGNED_IN),
        row("GET", "/account/password", p("/account/password"), SIGNED_IN),
        row("GET", "/account/email", p("/account/email"), SIGNED_IN),
        row("GET", "/account/data", p("/account/data"), SIGNED_IN),
        row("GET", "/account/delete", p("/account/delete"), SIGNED_IN),
        row("GET", "/account/calendar", p("/account/calendar"), MEMBERS),
        row("GET", "/account/api-tokens", p("/account/api-tokens"), SIGNED_IN),
        row("GET", "/account/profile", p("/account/profile"), MEMBERS),
        row("GET", "/application", p("/application"), [303, 404, 404, 404, 404, 404, 303, 404]),
        row("POST", "/application/answer", p("/application/answer"), [303, 404, 404, 404, 404, 404, 303, 404]),
        row("POST", "/application/resend", p("/application/resend"), [303, 404, 404, 404, 404, 404, 303, 404]),
        row("GET", "/membership", p("/membership"), [303, 403, 200, 200, 403, 403, 303, 200]),
        row("GET", "/membership/employer", p("/membership/employer"), [303, 403, 200, 200, 403, 403, 303, 200]),
        // Members
        row("GET", "/members", p("/members"), MEMBERS),
        row("GET", "/members/{id}", format!("/members/{}", s.member_id), MEMBERS),
        row("GET", "/members/{id}/face/{size}", format!("/members/{}/face/small", s.member_id), MEMBERS),
        row("GET", "/organisations/{slug}", p("/organisations/matrix-org"), MEMBERS),
        row("GET", "/groups", p("/groups"), MEMBERS),
        row("GET", "/groups/{slug}", p("/groups/north-west"), MEMBERS),
        // An open group of its own, so that joining and leaving change nothing the other rows depend on.
        row("POST", "/groups/{slug}/join", p("/groups/club/join"), MEMBERS_FORM)
            .does(goes("/groups/club").counts(IN_CLUB, 1)),
        row("POST", "/groups/{slug}/leave", p("/groups/club/leave"), MEMBERS_FORM)
            .does(goes("/groups/club").counts(IN_CLUB, 0)),
        row(
            "POST",
            "/groups/{slug}/requests/{user_id}",
            format!("/groups/north-west/requests/{}", s.member_id),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        row("GET", "/notifications", p("/notifications"), MEMBERS),
        row("POST", "/meetings/{slug}/register", p("/meetings/members-meeting/register"), MEMBERS_FORM)
            .does(goes("/meetings/members-meeting").counts(REGISTERED, 1)),
        // Those who registered just now (the box unticked) show their name; others have no registration.
        row(
            "POST",
            "/meetings/{slug}/name",
            p("/meetings/members-meeting/name"),
            [303, 404, DOES, DOES, DOES, DOES, 303, 404],
        )
        .does(goes("/meetings/members-meeting").sending(&[("shown", "yes")]).counts(NAMED, 1)),
        // Those who registered just now cancel; others have no registration to cancel.
        row(
            "POST",
            "/meetings/{slug}/cancel",
            p("/meetings/members-meeting/cancel"),
            [303, 404, DOES, DOES, DOES, DOES, 303, 404],
        )
        .does(goes("/meetings/members-meeting").counts(REGISTERED, 0)),
        row("POST", "/meetings/{slug}/guest", p("/meetings/no-such-meeting/guest"), [404; 8]),
        row("POST", "/meetings/{slug}/feedback", p("/meetings/no-such-meeting/feedback"), [404; 8]),
        // The forum
        row("GET", "/forum", p("/forum"), MEMBERS),
        row("GET", "/forum/c/{slug}", p("/forum/c/general"), MEMBERS),
        row("GET", "/forum/c/{slug}/new", p("/forum/c/general/new"), MEMBERS),
        row("POST", "/forum/c/{slug}/watch", p("/forum/c/general/watch"), MEMBERS_FORM)
            .does(goes("/forum/c/general").counts(WATCHES_CATEGORY, 1)),
        row("GET", "/forum/t/{id}", format!("/forum/t/{}", s.group_topic), GROUP_ONLY),
        // A topic none of the roles wrote (its author watches it already).
        row("POST", "/forum/t/{id}/watch", format!("/forum/t/{}/watch", s.others_topic), MEMBERS_FORM)
            .does(goes(format!("/forum/t/{}", s.others_topic)).counts_of(WATCHES, &s.others_topic, 1)),
        row("POST", "/forum/t/{id}/reply", format!("/forum/t/{}/reply", s.own_topic), MEMBERS_FORM).does(
            goes(format!("/forum/t/{}?page=1#post-", s.own_topic))
                .sending(&[("body", "A reply from the matrix.")])
                .counts_of(REPLIES, &s.own_topic, 1),
        ),
        row("POST", "/forum/t/{id}/accept", p("/forum/t/nothing/accept"), [303, 403, 404, 404, 404, 404, 303, 403]),
        row(
            "GET",
            "/forum/p/{id}/edit",
            format!("/forum/p/{}/edit", s.organiser_post),
            [303, 403, 403, 403, 200, 200, 303, 403],
        ),
        row("GET", "/forum/p/{id}/history", format!("/forum/p/{}/history", s.organiser_post), MODERATORS),
        row("GET", "/forum/p/{id}/flag", format!("/forum/p/{}/flag", s.organiser_post), MEMBERS),
        // The page shows the post: one in a group's category, only to the group.
        row("GET", "/forum/p/{id}/flag", format!("/forum/p/{}/flag", s.group_post), GROUP_ONLY),
        row("POST", "/forum/p/{id}/flag", format!("/forum/p/{}/flag", s.organiser_post), MEMBERS_FORM).does(
            goes(format!("/forum/t/{}", s.own_topic))
                .sending(&[("reason", "The matrix asks the moderators to look.")])
                .counts_of(FLAGS, &s.organiser_post, 1),
        ),
        // The organiser wrote the post: their own is not liked.
        row(
            "POST",
            "/forum/p/{id}/like",
            format!("/forum/p/{}/like", s.organiser_post),
            [303, 403, DOES, DOES, DOES, 403, 303, 403],
        )
        .does(goes(format!("/forum/t/{}", s.own_topic)).sending(&[("liked", "yes")]).counts_of(
            LIKES,
            &s.organiser_post,
            1,
        )),
        row("GET", "/forum/p/{id}/likes", format!("/forum/p/{}/likes", s.organiser_post), MEMBERS),
        row("POST", "/forum/p/{id}/bookmark", format!("/forum/p/{}/bookmark", s.organiser_post), MEMBERS_FORM).does(
            goes(format!("/forum/t/{}", s.own_topic)).sending(&[("kept", "yes")]).counts_of(
                BOOKMARKS,
                &s.organiser_post,
                1,
            ),
        ),
        row("GET", "/account/bookmarks", p("/account/bookmarks"), MEMBERS),
        row("GET", "/messages", p("/messages"), READERS),
        row("GET", "/messages/new", format!("/messages/new?to={}", s.author_id), MEMBERS),
        row("POST", "/messages", p("/messages"), MEMBERS_FORM).does(
            goes("/messages/")
                .sending(&[("to", s.author_id.as_str()), ("subject", "Matrix message"), ("body", "From the matrix.")])
                .counts(STARTED, 1),
        ),
        // The member's conversation with Ada: no one else's, not even a moderator's before a report.
        row("GET", "/messages/{id}", format!("/messages/{}", s.conversation), [303, 403, 200, 404, 404, 404, 303, 404]),
        row(
            "POST",
            "/messages/{id}",
            format!("/messages/{}", s.conversation),
            [303, 403, DOES, 404, 404, 404, 303, 404],
        )
        .does(
            goes(format!("/messages/{}#m-", s.conversation)).sending(&[("body", "A matrix answer.")]).counts_of(
                WROTE_IN,
                &s.conversation,
                1,
            ),
        ),
        row("POST", "/messages/{id}/leave", p("/messages/nothing/leave"), [303, 403, 404, 404, 404, 404, 303, 404]),
        row("GET", "/messages/blocked", p("/messages/blocked"), READERS),
        row("POST", "/messages/blocked", p("/messages/blocked"), [303, 403, DOES, DOES, DOES, DOES, 303, DOES]).does(
            goes("/messages/blocked")
                .sending(&[("member", s.author_id.as_str()), ("blocked", "yes")])
                .counts(BLOCKS, 1),
        ),
        row("GET", "/messages/reports", p("/messages/reports"), MODERATORS),
        row(
            "POST",
            "/messages/m/{id}/report",
            p("/messages/m/nothing/report"),
            [303, 403, 404, 404, 404, 404, 303, 404],
        ),
        row(
            "POST",
            "/messages/m/{id}/moderate",
            p("/messages/m/nothing/moderate"),
            [303, 403, 403, 403, 404, 404, 303, 403],
        ),
        row("GET", "/forum/moderation", p("/forum/moderation"), MODERATORS),
        row("GET", "/forum/moderation/log", p("/forum/moderation/log"), MODERATORS),
        row(
            "POST",
            "/forum/moderation/posts/{id}",
            p("/forum/moderation/posts/nothing"),
            [303, 403, 403, 403, 404, 404, 303, 403],
        ),
        row(
            "POST",
            "/forum/moderation/topics/{id}",
            p("/forum/moderation/topics/nothing"),
            [303, 403, 403, 403, 404, 404, 303, 403],
        ),
        row(
            "POST",
            "/forum/moderation/users/{id}",
            p("/forum/moderation/users/nothing"),
            [303, 403, 403, 403, 404, 404, 303, 403],
        ),
        // Organisers
        row("GET", "/admin", p("/admin"), ORGANISERS),
        row("GET", "/admin/applications", p("/admin/applications"), ORGANISERS),
        row(
            "GET",
            "/admin/applications/{id}",
            p("/admin/applications/nothing"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        row(
            "POST",
            "/admin/applications/{id}/decide",
            p("/admin/applications/nothing/decide"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        row("GET", "/admin/articles/new", p("/admin/articles/new"), ORGANISERS),
        row("GET", "/admin/articles/{id}", format!("/admin/articles/{}", s.article_id), ORGANISERS),
        row("GET", "/admin/case-studies/new", p("/admin/case-studies/new"), ORGANISERS),
        row("GET", "/admin/case-studies/{id}", format!("/admin/case-studies/{}", s.case_study_id), ORGANISERS),
        row("GET", "/admin/resources/new", p("/admin/resources/new"), ORGANISERS),
        row("GET", "/admin/resources/{id}", format!("/admin/resources/{}", s.resource_id), ORGANISERS),
        row("GET", "/admin/library", p("/admin/library"), ORGANISERS),
        row("POST", "/admin/preview", p("/admin/preview"), [303, 403, 403, 403, 403, 200, 303, 403]),
        row("GET", "/admin/forum", p("/admin/forum"), ORGANISERS),
        row("GET", "/admin/groups/new", p("/admin/groups/new"), ORGANISERS),
        row(
            "POST",
            "/admin/groups/{slug}/coordinators",
            p("/admin/groups/nowhere/coordinators"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        row("GET", "/admin/import", p("/admin/import"), ORGANISERS),
        row("GET", "/admin/meetings", p("/admin/meetings"), ORGANISERS),
        row("GET", "/admin/meetings/new", p("/admin/meetings/new"), ORGANISERS),
        row("GET", "/admin/meetings/{id}", format!("/admin/meetings/{}", s.meeting_id), ORGANISERS),
        row("GET", "/admin/meetings/{id}/attendees", format!("/admin/meetings/{}/attendees", s.meeting_id), ORGANISERS),
        row(
            "GET",
            "/admin/meetings/{id}/attendees.csv",
            format!("/admin/meetings/{}/attendees.csv", s.meeting_id),
            ORGANISERS,
        ),
        row("POST", "/admin/meetings/{id}/attendance", p("/admin/meetings/nothing/attendance"), [404; 8]),
        row("POST", "/admin/meetings/{id}/materials", p("/admin/meetings/nothing/materials"), [400; 8]),
        row("POST", "/admin/meetings/{id}/message", p("/admin/meetings/nothing/message"), [404; 8]),
        row("POST", "/admin/meetings/{id}/remind", format!("/admin/meetings/{}/remind", s.meeting_id), ORGANISERS_FORM)
            .does(goes(format!("/admin/meetings/{}/attendees", s.meeting_id))),
        row("GET", "/admin/reports", p("/admin/reports"), ORGANISERS),
        row("GET", "/admin/reports/{file}", p("/admin/reports/sector.csv"), ORGANISERS),
        row("GET", "/admin/news", p("/admin/news"), ORGANISERS),
        row("GET", "/admin/news/new", p("/admin/news/new"), ORGANISERS),
        row("GET", "/admin/news/{id}", format!("/admin/news/{}", s.news_id), ORGANISERS),
        row("GET", "/admin/newsletters", p("/admin/newsletters"), ORGANISERS),
        row("GET", "/admin/newsletters/{id}", format!("/admin/newsletters/{}", s.newsletter), ORGANISERS),
        row("GET", "/admin/newsletters/{id}/email", format!("/admin/newsletters/{}/email", s.newsletter), ORGANISERS),
        row("GET", "/admin/newsletters/{id}/report", format!("/admin/newsletters/{}/report", s.newsletter), ORGANISERS),
        row(
            "POST",
            "/admin/newsletters/{id}/images",
            format!("/admin/newsletters/{}/images", s.newsletter),
            UPLOAD_FORM,
        ),
        row("GET", "/newsletters/images/{id}", p("/newsletters/images/nothing"), NOWHERE),
        row(
            "GET",
            "/admin/newsletters/{id}/progress",
            format!("/admin/newsletters/{}/progress", s.newsletter),
            ORGANISERS,
        ),
        row(
            "POST",
            "/admin/newsletters/{id}/blocks",
            p("/admin/newsletters/nothing/blocks"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        row(
            "POST",
            "/admin/newsletters/{id}/retry",
            p("/admin/newsletters/nothing/retry"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        row(
            "POST",
            "/admin/newsletters/{id}/schedule",
            p("/admin/newsletters/nothing/schedule"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        row(
            "POST",
            "/admin/newsletters/{id}/send",
            p("/admin/newsletters/nothing/send"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        row(
            "POST",
            "/admin/newsletters/{id}/test",
            p("/admin/newsletters/nothing/test"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        row(
            "POST",
            "/admin/mail/suppressions/lift",
            p("/admin/mail/suppressions/lift"),
            [303, 403, 403, 403, 403, 303, 303, 403],
        ),
        row(
            "POST",
            "/admin/outbox/{id}/retry",
            p("/admin/outbox/nothing/retry"),
            [303, 403, 403, 403, 403, 303, 303, 403],
        ),
        row("GET", "/admin/organisations", p("/admin/organisations"), ORGANISERS),
        row("GET", "/admin/organisations/{slug}", p("/admin/organisations/matrix-org"), ORGANISERS),
        row(
            "POST",
            "/admin/organisations/{slug}/domains",
            p("/admin/organisations/nowhere/domains"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        row(
            "POST",
            "/admin/organisations/{slug}/merge",
            p("/admin/organisations/nowhere/merge"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        row("GET", "/admin/regions", p("/admin/regions"), ORGANISERS),
        row("GET", "/admin/regions/rename", p("/admin/regions/rename?name=Wales"), ORGANISERS),
        row("POST", "/admin/regions/rename", p("/admin/regions/rename"), [303, 403, 403, 403, 403, 404, 303, 403]),
        row("POST", "/admin/regions/change", p("/admin/regions/change"), [303, 403, 403, 403, 403, 404, 303, 403]),
        row("GET", "/admin/pages", p("/admin/pages"), ORGANISERS),
        row("GET", "/admin/pages/new", p("/admin/pages/new"), ORGANISERS),
        row("GET", "/admin/pages/{id}", format!("/admin/pages/{}", s.page_id), ORGANISERS),
        row("GET", "/admin/people", p("/admin/people"), ORGANISERS),
        row("GET", "/admin/people/new", p("/admin/people/new"), ORGANISERS),
        row("GET", "/admin/people/{id}", p("/admin/people/nothing"), [303, 403, 403, 403, 403, 404, 303, 403]),
        row(
            "POST",
            "/admin/people/{id}/delete",
            p("/admin/people/nothing/delete"),
            [303, 403, 403, 403, 403, 303, 303, 403],
        ),
        row("GET", "/admin/supporters", p("/admin/supporters"), ORGANISERS),
        row("GET", "/admin/supporters/new", p("/admin/supporters/new"), ORGANISERS),
        row("GET", "/admin/supporters/{id}", p("/admin/supporters/nothing"), [303, 403, 403, 403, 403, 404, 303, 403]),
        row(
            "POST",
            "/admin/supporters/{id}/delete",
            p("/admin/supporters/nothing/delete"),
            [303, 403, 403, 403, 403, 303, 303, 403],
        ),
        row("GET", "/admin/users", p("/admin/users"), ORGANISERS),
        // The forms themselves, sent empty
        row("POST", "/account/password", p("/account/password"), SIGNED_IN_FORM)
            .does(explains(400, "Your current password is not right.")),
        row("POST", "/account/email", p("/account/email"), SIGNED_IN_FORM)
            .does(goes("/account/email").sending(&[("newsletter", "on")]).counts(WANTS_NEWSLETTERS, 1)),
        // Sent without the password, nothing is deleted.
        row("POST", "/account/delete", p("/account/delete"), SIGNED_IN_FORM)
            .does(explains(400, "Your password is not right.").keeps(ACCOUNT_KEPT, 1)),
        row("POST", "/account/calendar", p("/account/calendar"), MEMBERS_FORM)
            .does(explains(200, "/calendar/").counts(CALENDAR_FEEDS, 1)),
        row("POST", "/account/api-tokens", p("/account/api-tokens"), MEMBERS_FORM).does(
            explains(200, "swn_").sending(&[("name", "matrix form"), ("password", PASSWORD)]).counts(FORM_TOKENS, 1),
        ),
        row(
            "POST",
            "/account/api-tokens/{id}/revoke",
            p("/account/api-tokens/nothing/revoke"),
            [303, 404, 404, 404, 404, 404, 303, 404],
        ),
        row("POST", "/account/profile", p("/account/profile"), [400; 8]),
        // Members in their term or lapsed may move; moderators and organisers are not members of an employer.
        row("POST", "/membership/employer", p("/membership/employer"), [303, 403, DOES, DOES, 403, 403, 303, DOES])
            .does(explains(400, "Your job title is required.")),
        row("POST", "/notifications", p("/notifications"), MEMBERS_FORM).does(goes("/notifications").counts(UNREAD, 0)),
        row("POST", "/forum/c/{slug}/new", p("/forum/c/general/new"), MEMBERS_FORM).does(
            goes("/forum/t/")
                .sending(&[("title", "Matrix topic"), ("body", "Posted by the matrix."), ("kind", "discussion")])
                .counts(MATRIX_TOPICS, 1),
        ),
        row(
            "POST",
            "/forum/p/{id}/edit",
            format!("/forum/p/{}/edit", s.organiser_post),
            [303, 403, 403, 403, DOES, DOES, 303, 403],
        )
        .does(
            goes(format!("/forum/t/{}#post-{}", s.own_topic, s.organiser_post))
                .sending(&[("title", "Organiser topic"), ("body", "zebracrossing again, edited.")])
                .counts_of(REVISIONS, &s.organiser_post, 1),
        ),
        row("POST", "/sign-in", p("/sign-in"), OPEN_FORM)
            .does(explains(400, "Enter your e-mail address and your password.")),
        row("POST", "/password/forgot", p("/password/forgot"), OPEN_FORM)
            .does(explains(400, "E-mail address is required.")),
        row("POST", "/join", p("/join"), OPEN_FORM).does(explains(400, "E-mail address is required.")),
        row("POST", "/subscribe", p("/subscribe"), OPEN_FORM).does(explains(422, "E-mail address is required.")),
        row("POST", "/email/{token}", p("/email/not-a-token"), GONE),
        row("POST", "/unsubscribe/{token}", p("/unsubscribe/not-a-token"), GONE),
        row("POST", "/subscribe/confirm/{token}", p("/subscribe/confirm/not-a-token"), GONE),
        row("POST", "/join/verify/{token}", p("/join/verify/not-a-token"), GONE),
        row("POST", "/membership/renew/{token}", p("/membership/renew/not-a-token"), GONE),
        row("POST", "/password/reset/{token}", p("/password/reset/not-a-token"), GONE),
        row("POST", "/registrations/confirm/{token}", p("/registrations/confirm/not-a-token"), GONE),
        row("POST", "/registrations/cancel/{token}", p("/registrations/cancel/not-a-token"), GONE),
        row("POST", "/setup/{token}", p("/setup/not-a-token"), GONE),
        row("POST", "/admin/articles/new", p("/admin/articles/new"), UPLOAD_FORM),
        row("POST", "/admin/articles/{id}", format!("/admin/articles/{}", s.article_id), UPLOAD_FORM),
        row("POST", "/admin/resources/new", p("/admin/resources/new"), UPLOAD_FORM),
        row("POST", "/admin/resources/{id}", format!("/admin/resources/{}", s.resource_id), UPLOAD_FORM),
        row("POST", "/admin/case-studies/new", p("/admin/case-studies/new"), ORGANISERS_FORM)
            .does(explains(422, "The challenge is required.")),
        row("POST", "/admin/case-studies/{id}", format!("/admin/case-studies/{}", s.case_study_id), ORGANISERS_FORM)
            .does(explains(422, "The challenge is required.")),
        row("POST", "/admin/forum", p("/admin/forum"), ORGANISERS_FORM).does(
            goes("/admin/forum")
                .sending(&[("name", "Matrix category"), ("slug", "matrix-category"), ("description", "Made here.")])
                .counts(MATRIX_CATEGORY, 1),
        ),
        row("POST", "/admin/groups/new", p("/admin/groups/new"), ORGANISERS_FORM).does(
            goes("/groups/matrix-group")
                .sending(&[
                    ("name", "Matrix group"),
                    ("kind", "sector"),
                    ("join_policy", "request"),
                    ("description", "Made here."),
                ])
                .counts(MATRIX_GROUP, 1),
        ),
        row("POST", "/admin/import", p("/admin/import"), UPLOAD_FORM),
        row("POST", "/admin/meetings/new", p("/admin/meetings/new"), ORGANISERS_FORM)
            .does(goes("/meetings/matrix-meeting").sending(&s.meeting_form).counts(MATRIX_MEETING, 1)),
        row("POST", "/admin/meetings/{id}", format!("/admin/meetings/{}", s.meeting_id), ORGANISERS_FORM)
            .does(explains(422, "Choose who may come.")),
        row("POST", "/admin/news/new", p("/admin/news/new"), ORGANISERS_FORM).does(
            goes("/news/matrix-news")
                .sending(&[("title", "Matrix news"), ("summary", "S"), ("body", "B"), ("published", "on")])
                .counts(MATRIX_NEWS, 1),
        ),
        row("POST", "/admin/news/{id}", format!("/admin/news/{}", s.news_id), ORGANISERS_FORM)
            .does(explains(422, "Title is required.")),
        row("POST", "/admin/newsletters", p("/admin/newsletters"), ORGANISERS_FORM).does(
            goes("/admin/newsletters/")
                .sending(&[("subject", "Matrix letter"), ("intro", "Hello."), ("audience", "members")])
                .counts(MATRIX_LETTER, 1),
        ),
        row("POST", "/admin/newsletters/{id}", format!("/admin/newsletters/{}", s.newsletter), ORGANISERS_FORM)
            .does(explains(422, "The subject is required.")),
        row("POST", "/admin/organisations/{slug}", p("/admin/organisations/matrix-org"), ORGANISERS_FORM)
            .does(explains(422, "Choose a region from the list")),
        row("POST", "/admin/regions", p("/admin/regions"), ORGANISERS_FORM)
            .does(explains(422, "The region&#39;s name is required.")),
        row("POST", "/admin/pages/new", p("/admin/pages/new"), ORGANISERS_FORM).does(
            goes("/pages/matrix-page")
                .sending(&[("title", "Matrix page"), ("slug", "matrix-page"), ("body", "B"), ("published", "on")])
                .counts(MATRIX_PAGE, 1),
        ),
        row("POST", "/admin/pages/{id}", format!("/admin/pages/{}", s.page_id), ORGANISERS_FORM)
            .does(explains(422, "Title is required.")),
        row("POST", "/admin/people/new", p("/admin/people/new"), UPLOAD_FORM),
        row("POST", "/admin/people/{id}", p("/admin/people/nothing"), UPLOAD_FORM),
        row("POST", "/admin/supporters/new", p("/admin/supporters/new"), UPLOAD_FORM),
        row("POST", "/admin/supporters/{id}", p("/admin/supporters/nothing"), UPLOAD_FORM),
        // The JSON API, called with each role's token rather than its browser.
        row("GET", "/api/openapi.json", p("/api/openapi.json"), API_PUBLIC),
        row("GET", "/api/v1/meetings", p("/api/v1/meetings"), API_PUBLIC),
        row("GET", "/api/v1/meetings/{slug}", p("/api/v1/meetings/members-meeting"), API_MEMBERS),
        row(
            "POST",
            "/api/v1/meetings/{slug}/registration",
            p("/api/v1/meetings/members-meeting/registration"),
            API_MEMBERS_WRITE,
        )
        .does(explains(201, r#""status":"confirmed""#).counts(REGISTERED, 1)),
        row(
            "DELETE",
            "/api/v1/meetings/{slug}/registration",
            p("/api/v1/meetings/members-meeting/registration"),
            [401, 404, DOES, DOES, DOES, DOES, 401, 404],
        )
        .does(explains(204, "").counts(REGISTERED, 0)),
        row("GET", "/api/v1/me", p("/api/v1/me"), API_OWN),
        row("GET", "/api/v1/me/registrations", p("/api/v1/me/registrations"), API_OWN),
        row("GET", "/api/v1/news", p("/api/v1/news"), API_PUBLIC),
        row("GET", "/api/v1/articles", p("/api/v1/articles"), API_PUBLIC),
        row(
            "GET",
            "/api/v1/articles/{slug}",
            p("/api/v1/articles/members-article"),
            [401, 404, 200, 200, 200, 200, 401, 404],
        ),
        row("GET", "/api/v1/search", p("/api/v1/search?q=crossing"), API_PUBLIC),
        row("GET", "/api/v1/forum/categories", p("/api/v1/forum/categories"), API_MEMBERS),
        row(
            "GET",
            "/api/v1/forum/categories/{slug}/topics",
            p("/api/v1/forum/categories/group-north-west/topics"),
            API_GROUP_ONLY,
        ),
        row(
            "POST",
            "/api/v1/forum/categories/{slug}/topics",
            p("/api/v1/forum/categories/general/topics"),
            API_MEMBERS_WRITE,
        )
        .does(
            explains(201, r#""title":"Matrix API topic""#)
                .sending(&[("title", "Matrix API topic"), ("body", "Posted through the API."), ("kind", "discussion")])
                .counts(MATRIX_API_TOPICS, 1),
        ),
        row("GET", "/api/v1/forum/topics/{id}", format!("/api/v1/forum/topics/{}", s.group_topic), API_GROUP_ONLY),
        row(
            "POST",
            "/api/v1/forum/topics/{id}/replies",
            format!("/api/v1/forum/topics/{}/replies", s.group_topic),
            [401, 403, 404, DOES, DOES, DOES, 401, 403],
        )
        .does(explains(201, "").sending(&[("body", "A reply through the API.")]).counts_of(
            REPLIES,
            &s.group_topic,
            1,
        )),
        // The toolkit: a space is its leads' and participants' alone (the member leads it; the lapsed member led
        // it and keeps reading it); everyone else finds nothing there.
        row("GET", "/toolkit", p("/toolkit"), [303, 403, 200, 200, 200, 200, 303, 200]),
        row("POST", "/toolkit/teams", p("/toolkit/teams"), MEMBERS_FORM)
            .does(explains(422, "The team&#39;s name is required.")),
        row("GET", "/toolkit/teams/{id}", team.clone(), TEAM_READ),
        row("GET", "/toolkit/teams/{id}/settings", format!("{team}/settings"), TEAM_LEAD_PAGE),
        row("POST", "/toolkit/teams/{id}/settings", format!("{team}/settings"), TEAM_LEAD_FORM)
            .does(explains(422, "The team&#39;s name is required.")),
        row("POST", "/toolkit/teams/{id}/sites", format!("{team}/sites"), TEAM_LEAD_FORM)
            .does(explains(422, "The site&#39;s name is required.")),
        row("POST", "/toolkit/teams/{id}/sites/{site}", format!("{team}/sites/{}", s.team_site), TEAM_LEAD_FORM)
            .does(explains(422, "The site&#39;s name is required.")),
        row("POST", "/toolkit/teams/{id}/people", format!("{team}/people"), TEAM_LEAD_FORM)
            .does(explains(422, "The name is required.")),
        row("GET", "/toolkit/teams/{id}/people/{person}", person.clone(), TEAM_READ),
        row("POST", "/toolkit/teams/{id}/people/{person}", person.clone(), TEAM_LEAD_FORM)
            .does(explains(422, "The name is required.")),
        row("POST", "/toolkit/teams/{id}/people/{person}/activities", format!("{person}/activities"), TEAM_LEAD_FORM)
            .does(explains(422, "The activity&#39;s name is required.")),
        row(
            "GET",
            "/toolkit/teams/{id}/people/{person}/activities/{activity}",
            format!("{person}/activities/{}", s.team_activity),
            TEAM_READ,
        ),
        row(
            "POST",
            "/toolkit/teams/{id}/people/{person}/activities/{activity}",
            format!("{person}/activities/{}", s.team_activity),
            TEAM_LEAD_FORM,
        )
        .does(explains(422, "The activity&#39;s name is required.")),
        row("GET", "/toolkit/teams/{id}/plan", format!("{team}/plan"), TEAM_READ),
        row("GET", "/toolkit/teams/{id}/plan.csv", format!("{team}/plan.csv"), TEAM_READ),
        row("GET", "/api/v1/toolkit/teams", p("/api/v1/toolkit/teams"), [401, 403, 200, 200, 200, 200, 401, 200]),
        row("POST", "/api/v1/toolkit/teams", p("/api/v1/toolkit/teams"), API_MEMBERS_WRITE)
            .does(explains(422, "missing field")),
        row("GET", "/api/v1/toolkit/teams/{id}", api.clone(), API_TEAM_READ),
        row("GET", "/api/v1/toolkit/teams/{id}/plan", format!("{api}/plan"), API_TEAM_READ),
        row("POST", "/api/v1/toolkit/teams/{id}/people", format!("{api}/people"), API_TEAM_WRITE)
            .does(explains(422, "missing field")),
        row(
            "POST",
            "/api/v1/toolkit/teams/{id}/people/{person}/activities",
            format!("{api}/people/{}/activities", s.team_person),
            API_TEAM_WRITE,
        )
        .does(explains(422, "missing field")),
        row("POST", "/toolkit/teams/{id}/invitations", format!("{team}/invitations"), TEAM_LEAD_FORM)
            .does(explains(422, "E-mail address is required.")),
        row("GET", "/toolkit/invitations/{token}", p("/toolkit/invitations/not-a-token"), GONE),
        row("POST", "/toolkit/invitations/{token}", p("/toolkit/invitations/not-a-token"), GONE),
        row(
            "POST",
            "/toolkit/teams/{id}/members/{user}",
            format!("{team}/members/nobody"),
            [303, 404, 404, 404, 404, 404, 303, 403],
        ),
        row("POST", "/toolkit/teams/{id}/scenarios", format!("{team}/scenarios"), TEAM_LEAD_FORM)
            .does(goes("/toolkit/teams/")),
        // A space is not a scenario: there is nothing to compare or discard.
        row("GET", "/toolkit/teams/{id}/compare", format!("{team}/compare"), [303, 404, 404, 404, 404, 404, 303, 404]),
        row("POST", "/toolkit/teams/{id}/discard", format!("{team}/discard"), [303, 404, 404, 404, 404, 404, 303, 404]),
        row("POST", "/toolkit/teams/{id}/share", format!("{team}/share"), TEAM_LEAD_FORM)
            .does(explains(422, "Tick the box to say you mean to share")),
        // Working together (issue 17): the agreement, trials, requests and guides of the space.
        row("GET", "/toolkit/teams/{id}/agreement", format!("{team}/agreement"), TEAM_READ),
        row("GET", "/toolkit/teams/{id}/agreement/print", format!("{team}/agreement/print"), TEAM_READ),
        row(
            "GET",
            "/toolkit/teams/{id}/agreement/sections/{key}",
            format!("{team}/agreement/sections/purpose"),
            TEAM_READ,
        ),
        row(
            "POST",
            "/toolkit/teams/{id}/agreement/sections/{key}",
            format!("{team}/agreement/sections/purpose"),
            TEAM_LEAD_FORM,
        )
        .does(goes(format!("{team}/agreement"))),
        row(
            "POST",
            "/toolkit/teams/{id}/agreement/sections/{key}/comments",
            format!("{team}/agreement/sections/purpose/comments"),
            TEAM_LEAD_FORM,
        )
        .does(explains(422, "Your comment is required.")),
        row("GET", "/toolkit/teams/{id}/agreement/versions", format!("{team}/agreement/versions"), TEAM_READ),
        row("GET", "/toolkit/teams/{id}/agreement/compare", format!("{team}/agreement/compare?a=1&b=1"), TEAM_READ),
        row("POST", "/toolkit/teams/{id}/agreement/propose", format!("{team}/agreement/propose"), TEAM_LEAD_FORM)
            .does(goes(format!("{team}/agreement"))),
        row("POST", "/toolkit/teams/{id}/agreement/answer", format!("{team}/agreement/answer"), TEAM_LEAD_FORM)
            .does(explains(422, "is the one proposed")),
        row("POST", "/toolkit/teams/{id}/agreement/review", format!("{team}/agreement/review"), TEAM_LEAD_FORM)
            .does(explains(422, "Enter the review date.")),
        row("GET", "/toolkit/teams/{id}/requests", format!("{team}/requests"), TEAM_READ),
        row("POST", "/toolkit/teams/{id}/requests", format!("{team}/requests"), TEAM_LEAD_FORM)
            .does(explains(422, "Choose the person who made the request")),
        // A request is its person's and the leads' in the members' area: a lapsed lead does not see it.
        row(
            "GET",
            "/toolkit/teams/{id}/requests/{request}",
            format!("{team}/requests/{}", s.team_request),
            [303, 404, 200, 404, 404, 404, 303, 404],
        ),
        row(
            "POST",
            "/toolkit/teams/{id}/requests/{request}",
            format!("{team}/requests/{}", s.team_request),
            TEAM_LEAD_FORM,
        )
        .does(explains(400, "Choose what to record")),
        row("GET", "/toolkit/teams/{id}/trials", format!("{team}/trials"), TEAM_READ),
        row("POST", "/toolkit/teams/{id}/trials", format!("{team}/trials"), TEAM_LEAD_FORM)
            .does(explains(422, "The pattern tried is required.")),
        row("GET", "/toolkit/teams/{id}/trials/{trial}", format!("{team}/trials/{}", s.team_trial), TEAM_READ),
        row(
            "POST",
            "/toolkit/teams/{id}/trials/{trial}/criteria",
            format!("{team}/trials/{}/criteria", s.team_trial),
            TEAM_LEAD_FORM,
        )
        .does(goes(format!("{team}/trials/{}", s.team_trial))),
        row(
            "POST",
            "/toolkit/teams/{id}/trials/{trial}/step",
            format!("{team}/trials/{}/step", s.team_trial),
            TEAM_LEAD_FORM,
        )
        .does(explains(422, "Choose the step")),
        // Check-in notes: the person on trial and the leads in the members' area.
        row(
            "POST",
            "/toolkit/teams/{id}/trials/{trial}/notes",
            format!("{team}/trials/{}/notes", s.team_trial),
            [303, 404, DOES, 404, 404, 404, 303, 404],
        )
        .does(explains(422, "The check-in note is required.")),
        row(
            "POST",
            "/toolkit/teams/{id}/trials/{trial}/share",
            format!("{team}/trials/{}/share", s.team_trial),
            TEAM_LEAD_FORM,
        )
        .does(explains(409, "shared once it is decided")),
        row("GET", "/toolkit/teams/{id}/export.json", format!("{team}/export.json"), TEAM_LEAD_PAGE),
        row("GET", "/toolkit/guides", p("/toolkit/guides"), PUBLIC),
        // The benchmark: an organisation's assessment is its current members' (everyone here works for the
        // matrix's one organisation): not the organiser's, not a lapsed member's.
        row("GET", "/benchmark", p("/benchmark"), PUBLIC),
        row("GET", "/benchmark/framework", p("/benchmark/framework"), PUBLIC),
        row("GET", "/api/v1/benchmark/framework", p("/api/v1/benchmark/framework"), API_PUBLIC),
        row("POST", "/benchmark/assessments", p("/benchmark/assessments"), [303, 403, DOES, DOES, DOES, 403, 303, 403])
            .does(goes(bench.clone())),
        row("GET", "/benchmark/assessments/{id}", bench.clone(), ASSESS),
        row("GET", "/benchmark/assessments/{id}/dimensions/{key}", format!("{bench}/dimensions/vision"), ASSESS),
        row("POST", "/benchmark/assessments/{id}/answers", format!("{bench}/answers"), ASSESS_FORM).does(
            goes(format!("{bench}/dimensions/vision"))
                .sending(&[("question", s.bench_question.as_str()), ("level", "3")]),
        ),
        row("GET", "/benchmark/assessments/{id}/measures", format!("{bench}/measures"), ASSESS),
        row("POST", "/benchmark/assessments/{id}/measures", format!("{bench}/measures"), ASSESS_FORM)
            .does(goes(bench.clone()).sending(&[("value_desk_ratio", "0.8")])),
        row("POST", "/benchmark/assessments/{id}/contributors", format!("{bench}/contributors"), ASSESS_FORM)
            .does(explains(400, "Choose a colleague")),
        row("GET", "/benchmark/assessments/{id}/submit", format!("{bench}/submit"), ASSESS),
        row("POST", "/benchmark/assessments/{id}/submit", format!("{bench}/submit"), ASSESS_FORM)
            .does(explains(422, "Answer at least half")),
        row("GET", "/benchmark/assessments/{id}/report", format!("{bench}/report"), ASSESS),
        row("GET", "/benchmark/assessments/{id}/print", format!("{bench}/print"), ASSESS),
        row("POST", "/benchmark/assessments/{id}/targets", format!("{bench}/targets"), ASSESS_FORM)
            .does(explains(409, "Submit the assessment first")),
        row("GET", "/benchmark/willing", p("/benchmark/willing"), [303, 403, 200, 200, 200, 403, 303, 403]),
        row("POST", "/benchmark/willing", p("/benchmark/willing"), [303, 403, DOES, DOES, DOES, 403, 303, 403])
            .does(goes("/benchmark/willing").sending(&[("dimension", "vision")])),
        row("GET", "/admin/benchmark", p("/admin/benchmark"), ORGANISERS),
        row("GET", "/admin/benchmark/figures.csv", p("/admin/benchmark/figures.csv"), ORGANISERS),
        row("POST", "/admin/benchmark/tags", p("/admin/benchmark/tags"), ORGANISERS_FORM)
            .does(explains(400, "Choose an item")),
        row("GET", "/api/v1/benchmark/assessments", p("/api/v1/benchmark/assessments"), API_ASSESS),
        row("POST", "/api/v1/benchmark/assessments", p("/api/v1/benchmark/assessments"), API_ASSESS_WRITE)
            .does(explains(422, "missing field")),
        row("GET", "/api/v1/benchmark/assessments/{id}", format!("/api/v1{bench}"), API_ASSESS_ITEM),
        row(
            "POST",
            "/api/v1/benchmark/assessments/{id}/answers",
            format!("/api/v1{bench}/answers"),
            API_ASSESS_ITEM_WRITE,
        )
        .does(explains(422, "missing field")),
        row(
            "POST",
            "/api/v1/benchmark/assessments/{id}/submit",
            format!("/api/v1{bench}/submit"),
            API_ASSESS_ITEM_WRITE,
        )
        .does(explains(409, "Answer at least half")),
        row("GET", "/admin/benchmark/framework", p("/admin/benchmark/framework"), ORGANISERS),
        row("POST", "/admin/benchmark/framework", p("/admin/benchmark/framework"), ORGANISERS_FORM)
            .does(goes("/admin/benchmark/framework")),
        row(
            "POST",
            "/admin/benchmark/framework/dimensions/{id}",
            format!("/admin/benchmark/framework/dimensions/{}", s.draft_dimension),
            ORGANISERS_FORM,
        )
        .does(explains(422, "The dimension&#39;s name is required.")),
        row(
            "POST",
            "/admin/benchmark/framework/questions/{id}",
            format!("/admin/benchmark/framework/questions/{}", s.draft_question),
            ORGANISERS_FORM,
        )
        .does(explains(422, "The question is required.")),
        // Discarded first, so publishing finds no draft and the rest of the matrix keeps version 1.
        row("POST", "/admin/benchmark/framework/discard", p("/admin/benchmark/framework/discard"), ORGANISERS_FORM)
            .does(goes("/admin/benchmark/framework")),
        row("POST", "/admin/benchmark/framework/publish", p("/admin/benchmark/framework/publish"), ORGANISERS_FORM)
            .does(explains(409, "There is no draft")),
        // The awards: programmes are public; organisers make them.
        row("GET", "/awards", p("/awards"), PUBLIC),
        row("GET", "/awards/{slug}", format!("/awards/{}", s.award_slug), PUBLIC),
        row("GET", "/awards/{slug}/{category}", format!("/awards/{}/leadership", s.award_slug), PUBLIC),
        row("GET", "/admin/awards", p("/admin/awards"), ORGANISERS),
        row("POST", "/admin/awards", p("/admin/awards"), ORGANISERS_FORM)
            .does(explains(422, "The programme&#39;s name is required.")),
        row("GET", "/admin/awards/{id}", format!("/admin/awards/{}", s.award), ORGANISERS),
        row("POST", "/admin/awards/{id}", format!("/admin/awards/{}", s.award), ORGANISERS_FORM)
            .does(explains(422, "The programme&#39;s name is required.")),
        row("POST", "/admin/awards/{id}/categories", format!("/admin/awards/{}/categories", s.award), ORGANISERS_FORM)
            .does(explains(422, "Give at least one criterion")),
        row("GET", "/awards/{slug}/{category}/enter", format!("/awards/{}/leadership/enter", s.award_slug), ENTRANT),
        row(
            "POST",
            "/awards/{slug}/{category}/enter",
            format!("/awards/{}/leadership/enter", s.award_slug),
            ENTRANT_FORM,
        )
        .does(goes("/awards/entries/").sending(&[("title", "Another matrix entry"), ("action", "save")])),
        row("GET", "/awards/entries", p("/awards/entries"), ENTRANT),
        row("GET", "/awards/entries/{id}", format!("/awards/entries/{}", s.award_entry), ENTRY),
        row("POST", "/awards/entries/{id}", format!("/awards/entries/{}", s.award_entry), ENTRY_FORM)
            .does(goes("/awards/entries/").sending(&[("title", "Matrix entry, renamed"), ("action", "save")])),
        // Supporting files and evidence, for the entry's entrants (and a file for its judges).
        row("POST", "/awards/entries/{id}/files", format!("/awards/entries/{}/files", s.award_entry), UPLOAD_FORM),
        row(
            "GET",
            "/awards/entries/{id}/files/{file}",
            format!("/awards/entries/{}/files/no-such-file", s.award_entry),
            [303, 403, 404, 404, 404, 404, 303, 403],
        ),
        row(
            "POST",
            "/awards/entries/{id}/files/{file}/remove",
            format!("/awards/entries/{}/files/no-such-file/remove", s.award_entry),
            ENTRY_FORM,
        )
        .does(explains(404, "There is no page at this address")),
        row("POST", "/awards/entries/{id}/evidence", format!("/awards/entries/{}/evidence", s.award_entry), ENTRY_FORM)
            .does(goes("/awards/entries/")),
        row("GET", "/awards/confirm/{token}", p("/awards/confirm/no-such-token"), GONE),
        row("POST", "/awards/confirm/{token}", p("/awards/confirm/no-such-token"), GONE),
        row(
            "POST",
            "/admin/awards/entries/{id}/return",
            format!("/admin/awards/entries/{}/return", s.judged_entry),
            ORGANISERS_FORM,
        )
        .does(explains(400, "Say why the entry is returned")),
        row(
            "POST",
            "/api/v1/awards/categories/{id}/entries",
            format!("/api/v1/awards/categories/{}/entries", s.award_category),
            API_ENTRANT_WRITE,
        )
        .does(explains(422, "missing field")),
        row("GET", "/api/v1/awards/entries/{id}", format!("/api/v1/awards/entries/{}", s.award_entry), API_ENTRY),
        row(
            "POST",
            "/api/v1/awards/entries/{id}/submit",
            format!("/api/v1/awards/entries/{}/submit", s.award_entry),
            API_ENTRY_WRITE,
        )
        .does(explains(422, "The context is required.")),
        row(
            "PATCH",
            "/api/v1/awards/entries/{id}",
            format!("/api/v1/awards/entries/{}", s.award_entry),
            API_ENTRY_WRITE,
        )
        .does(explains(200, "\"state\":\"draft\"")),
        // Withdrawn once, by the first who may; after that it is withdrawn already.
        row(
            "POST",
            "/api/v1/awards/entries/{id}/withdraw",
            format!("/api/v1/awards/entries/{}/withdraw", s.award_entry),
            [401, 403, DOES, 409, 409, 404, 401, 403],
        )
        .does(explains(200, "\"state\":\"withdrawn\"")),
        // Judging: the group member judges the judged entry; organisers oversee it.
        row("GET", "/awards/judging", p("/awards/judging"), MEMBERS),
        row("GET", "/awards/judging/entries/{id}", format!("/awards/judging/entries/{}", s.judged_entry), JUDGE_ENTRY),
        // Only its judge scores it; an organiser reads it but does not score.
        row(
            "POST",
            "/awards/judging/entries/{id}",
            format!("/awards/judging/entries/{}", s.judged_entry),
            [303, 403, 404, DOES, 404, 403, 303, 403],
        )
        .does(explains(422, "Give Impact a whole number from 1 to 10.")),
        // The discussion opens to a judge once their review is in; organisers take part.
        row(
            "POST",
            "/awards/judging/entries/{id}/discussion",
            format!("/awards/judging/entries/{}/discussion", s.judged_entry),
            [303, 403, 404, 409, 404, DOES, 303, 403],
        )
        .does(explains(422, "Your remark is required.")),
        row(
            "POST",
            "/awards/judging/entries/{id}/conflict",
            format!("/awards/judging/entries/{}/conflict", s.judged_entry),
            [303, 403, 404, DOES, 404, 404, 303, 403],
        )
        .does(explains(400, "Choose what kind of conflict it is.")),
        row("GET", "/awards/judges/invitations/{token}", p("/awards/judges/invitations/no-such-token"), GONE),
        row("POST", "/awards/judges/invitations/{token}", p("/awards/judges/invitations/no-such-token"), GONE),
        row(
            "GET",
            "/admin/awards/categories/{id}",
            format!("/admin/awards/categories/{}", s.judged_category),
            ORGANISERS,
        ),
        row(
            "POST",
            "/admin/awards/categories/{id}",
            format!("/admin/awards/categories/{}", s.judged_category),
            ORGANISERS_FORM,
        )
        .does(explains(422, "Judges per entry is a whole number from 1 to 20.")),
        row(
            "POST",
            "/admin/awards/categories/{id}/judges",
            format!("/admin/awards/categories/{}/judges", s.judged_category),
            ORGANISERS_FORM,
        )
        .does(explains(422, "E-mail address is required.")),
        row(
            "POST",
            "/admin/awards/categories/{id}/judges/{assignment}/remove",
            format!("/admin/awards/categories/{}/judges/no-such-assignment/remove", s.judged_category),
            ORGANISERS_FORM,
        )
        .does(explains(404, "There is no page at this address")),
        row("GET", "/admin/awards/entries/{id}", format!("/admin/awards/entries/{}", s.judged_entry), ORGANISERS),
        row(
            "POST",
            "/admin/awards/entries/{id}/eligibility",
            format!("/admin/awards/entries/{}/eligibility", s.judged_entry),
            ORGANISERS_FORM,
        )
        .does(goes("/admin/awards/entries/")),
        row(
            "POST",
            "/admin/awards/entries/{id}/conflicts",
            format!("/admin/awards/entries/{}/conflicts", s.judged_entry),
            ORGANISERS_FORM,
        )
        .does(explains(400, "Choose a judge.")),
        row(
            "POST",
            "/admin/awards/entries/{id}/decision",
            format!("/admin/awards/entries/{}/decision", s.judged_entry),
            ORGANISERS_FORM,
        )
        .does(goes("/admin/awards/entries/")),
        row(
            "POST",
            "/admin/awards/{id}/publish",
            format!("/admin/awards/{}/publish", s.judged_programme),
            ORGANISERS_FORM,
        )
        .does(explains(400, "Choose the shortlist or the winners.")),
        row(
            "POST",
            "/api/v1/awards/categories/{id}/judges",
            format!("/api/v1/awards/categories/{}/judges", s.judged_category),
            API_ORGANISERS_WRITE,
        )
        .does(explains(422, "missing field")),
        row("GET", "/api/v1/awards/judging", p("/api/v1/awards/judging"), API_MEMBERS),
        row(
            "POST",
            "/api/v1/awards/entries/{id}/scores",
            format!("/api/v1/awards/entries/{}/scores", s.judged_entry),
            [401, 403, 404, DOES, 404, 403, 401, 403],
        )
        .does(explains(422, "Give Impact a whole number from 1 to 10.")),
        row(
            "POST",
            "/api/v1/awards/entries/{id}/conflicts",
            format!("/api/v1/awards/entries/{}/conflicts", s.judged_entry),
            [401, 403, 404, DOES, 404, 404, 401, 403],
        )
        .does(explains(422, "missing field")),
        row(
            "GET",
            "/api/v1/awards/categories/{id}/ranking",
            format!("/api/v1/awards/categories/{}/ranking", s.judged_category),
            API_ORGANISERS,
        ),
        row(
            "PUT",
            "/api/v1/awards/entries/{id}/decision",
            format!("/api/v1/awards/entries/{}/decision", s.judged_entry),
            API_ORGANISERS_WRITE,
        )
        .does(explains(422, "missing field")),
        row(
            "POST",
            "/api/v1/awards/programmes/{id}/publish",
            format!("/api/v1/awards/programmes/{}/publish", s.judged_programme),
            API_ORGANISERS_WRITE,
        )
        .does(explains(422, "missing field")),
        row("GET", "/api/v1/awards/programmes", p("/api/v1/awards/programmes"), API_PUBLIC),
        row("POST", "/api/v1/awards/programmes", p("/api/v1/awards/programmes"), API_ORGANISERS_WRITE)
            .does(explains(422, "missing field")),
        row(
            "PATCH",
            "/api/v1/awards/programmes/{id}",
            format!("/api/v1/awards/programmes/{}", s.award),
            API_ORGANISERS_WRITE,
        )
        .does(explains(200, "\"phase\"")),
        row(
            "POST",
            "/api/v1/awards/programmes/{id}/categories",
            format!("/api/v1/awards/programmes/{}/categories", s.award),
            API_ORGANISERS_WRITE,
        )
        .does(explains(422, "missing field")),
        row("GET", "/api/v1/benchmark/peers", p("/api/v1/benchmark/peers"), API_MEMBERS),
        row("GET", "/api/v1/benchmark/filters", p("/api/v1/benchmark/filters"), API_MEMBERS),
        row("GET", "/toolkit/guides/{slug}", p("/toolkit/guides/smart-working-conversation"), PUBLIC),
        row(
            "GET",
            "/toolkit/teams/{id}/guides/{slug}",
            format!("{team}/guides/smart-working-conversation"),
            TEAM_LEAD_PAGE,
        ),
        row(
            "POST",
            "/toolkit/teams/{id}/guides/{slug}",
            format!("{team}/guides/smart-working-conversation"),
            TEAM_LEAD_FORM,
        )
        .does(goes(format!("{team}/guides/smart-working-conversation"))),
        row("GET", "/admin/toolkit", p("/admin/toolkit"), ORGANISERS),
        row("POST", "/admin/toolkit", p("/admin/toolkit"), ORGANISERS_FORM)
            .does(explains(422, "The title is required.")),
        row("POST", "/admin/toolkit/sections/{key}", p("/admin/toolkit/sections/purpose"), ORGANISERS_FORM)
            .does(explains(422, "The section&#39;s title is required.")),
        row("GET", "/admin/toolkit/guides/{slug}", p("/admin/toolkit/guides/smart-working-conversation"), ORGANISERS),
        row(
            "POST",
            "/admin/toolkit/guides/{slug}",
            p("/admin/toolkit/guides/smart-working-conversation"),
            ORGANISERS_FORM,
        )
        .does(explains(422, "The title is required.")),
        row("GET", "/api/v1/toolkit/teams/{id}/agreement", format!("{api}/agreement"), API_TEAM_READ),
        row(
            "PUT",
            "/api/v1/toolkit/teams/{id}/agreement/sections/{key}",
            format!("{api}/agreement/sections/purpose"),
            API_TEAM_WRITE,
        )
        .does(explains(422, "missing field")),
        row("POST", "/api/v1/toolkit/teams/{id}/agreement/propose", format!("{api}/agreement/propose"), API_TEAM_WRITE)
            .does(explains(200, "\"status\":\"proposed\"")),
        row("POST", "/api/v1/toolkit/teams/{id}/agreement/answer", format!("{api}/agreement/answer"), API_TEAM_WRITE)
            .does(explains(422, "missing field")),
        row("GET", "/api/v1/toolkit/teams/{id}/requests", format!("{api}/requests"), API_TEAM_READ),
        row("POST", "/api/v1/toolkit/teams/{id}/requests", format!("{api}/requests"), API_TEAM_WRITE)
            .does(explains(422, "missing field")),
        row(
            "POST",
            "/api/v1/toolkit/requests/{id}/consultation",
            format!("/api/v1/toolkit/requests/{}/consultation", s.team_request),
            [401, 403, DOES, 404, 404, 404, 401, 404],
        )
        .does(explains(422, "missing field")),
        row(
            "POST",
            "/api/v1/toolkit/requests/{id}/decision",
            format!("/api/v1/toolkit/requests/{}/decision", s.team_request),
            [401, 403, DOES, 404, 404, 404, 401, 404],
        )
        .does(explains(422, "missing field")),
        row("GET", "/api/v1/toolkit/teams/{id}/trials", format!("{api}/trials"), API_TEAM_READ),
        row("POST", "/api/v1/toolkit/teams/{id}/trials", format!("{api}/trials"), API_TEAM_WRITE)
            .does(explains(422, "missing field")),
        row("GET", "/api/v1/toolkit/trials/{id}", format!("/api/v1/toolkit/trials/{}", s.team_trial), API_TEAM_READ),
        row(
            "POST",
            "/api/v1/toolkit/trials/{id}/state",
            format!("/api/v1/toolkit/trials/{}/state", s.team_trial),
            API_TEAM_WRITE,
        )
        .does(explains(422, "missing field")),
        row(
            "POST",
            "/api/v1/toolkit/trials/{id}/notes",
            format!("/api/v1/toolkit/trials/{}/notes", s.team_trial),
            [401, 403, DOES, 404, 404, 404, 401, 404],
        )
        .does(explains(422, "missing field")),
        // Last of the toolkit: the member closes the space, cannot delete it without saying so, and leaves it to
        // the lapsed lead, who then cannot leave it leaderless.
        row("POST", "/toolkit/teams/{id}/close", format!("{team}/close"), TEAM_LEAD_FORM)
            .does(goes(team.clone()).sending(&[("confirm", "on")])),
        row("POST", "/toolkit/teams/{id}/delete", format!("{team}/delete"), [303, 404, DOES, 404, 404, 404, 303, 403])
            .does(explains(422, "Tick the box")),
        row("POST", "/toolkit/teams/{id}/leave", format!("{team}/leave"), [303, 404, DOES, 404, 404, 404, 303, 409])
            .does(goes("/toolkit")),
        row("ANY", "/api/{*rest}", p("/api/v0/nothing"), [404, 404, 404, 404, 404, 404, 401, 404]),
        // Near the end: it renews the lapsed member.
        row("POST", "/membership/renew", p("/membership/renew"), [303, 403, 303, 303, 403, 403, 303, 303]),
        // Last: it ends every role's session.
        row("POST", "/sign-out", p("/sign-out"), [303; 8]),
        row("POST", "/admin/users/{id}", p("/admin/users/nothing"), [303; 8]),
    ]
}

/// The ids the rows need, from the data the test makes.
struct Seed {
    others_topic: String,
    /// A member none of the roles is (Ada, who wrote `others_topic`), and her conversation with the member.
    author_id: String,
    conversation: String,
    /// A meeting's form, filled in.
    meeting_form: Vec<(&'static str, String)>,
    own_topic: String,
    public_file: String,
    member_id: String,
    group_topic: String,
    /// The group topic's opening post.
    group_post: String,
    organiser_post: String,
    newsletter: String,
    article_id: String,
    resource_id: String,
    case_study_id: String,
    meeting_id: String,
    news_id: String,
    page_id: String,
    /// A team space the member leads (and the lapsed member led before their term ended), with a site, a
    /// person and an activity.
    team: String,
    team_site: String,
    team_person: String,
    team_trial: String,
    team_request: String,
    team_activity: String,
    /// The organisation's benchmark draft, and a question of its first dimension.
    bench: String,
    bench_question: String,
    /// A dimension and a question of the framework's draft organisers edit.
    draft_dimension: String,
    draft_question: String,
    /// An awards programme open for entries (its id and slug) with a category, "leadership", and the
    /// member's draft entry to it.
    award: String,
    award_slug: String,
    award_category: String,
    award_entry: String,
    /// A programme being judged: its category, "judged", and an entry of another organisation, submitted, which
    /// the group member judges (no one else in the matrix does, and no one has a conflict with it).
    judged_programme: String,
    judged_category: String,
    judged_entry: String,
}

async fn every_route_answers_each_role_as_the_policy_says(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    t.post_with(
        &org,
        "/admin/groups/new",
        &[("name", "North West"), ("kind", "regional"), ("join_policy", "open"), ("description", "NW.")],
    )
    .await
    .assert_status(303);
    t.post_with(
        &org,
        "/admin/groups/new",
        &[("name", "Club"), ("kind", "sector"), ("join_policy", "open"), ("description", "Joined and left.")],
    )
    .await
    .assert_status(303);
    let moderator = t.moderator("moderator@matrix.example.org", "Mo Derator").await;
    let member = t.member("member@matrix.example.org", "Mem Ber").await;
    let grouped = t.group_member("north-west", "grouped@matrix.example.org", "Gwen Grouped").await;
    let applicant = t.applicant("applicant@matrix.example.org", "Abe Applicant").await;
    let suspended = t.suspended_member("suspended@matrix.example.org", "Sue Spended").await;
    let lapsed = t.lapsed_member("lapsed@matrix.example.org", "Lou Lapsed").await;
    let mut tx = t.app.db.begin().await.unwrap();
    let org_id = swn::membership::insert_organisation(&mut tx, "Matrix Org", "Retail", 900, "Wales", "implementing")
        .await
        .unwrap();
    swn::execute!(&mut tx, "UPDATE users SET organisation_id = $1", &org_id).unwrap();
    let public_file = swn::content::insert_file(&mut tx, "image/png", &crate::support::tiny_png()).await.unwrap();
    tx.commit().await.unwrap();

    // Members-only content in every feature, each carrying the marker.
    t.post_with(
        &org,
        "/admin/news/new",
        &[("title", "Public news item"), ("summary", "S"), ("body", "B"), ("published", "on")],
    )
    .await
    .assert_status(303);
    let start = swn::web::time::input_value(chrono::Utc::now() + chrono::Duration::days(4), t.app.config.timezone);
    let end = swn::web::time::input_value(
        chrono::Utc::now() + chrono::Duration::days(4) + chrono::Duration::hours(1),
        t.app.config.timezone,
    );
    let meeting = [
        ("title", "Members meeting"),
        ("format", "case_study"),
        ("summary", "About zebracrossing, for members."),
        ("audience", "members"),
        ("mode", "virtual"),
        ("joining_link", "https://meet.example.org/zebracrossing"),
        ("starts_at", start.as_str()),
        ("ends_at", end.as_str()),
        ("capacity", "20"),
        ("status", "published"),
    ];
    t.post_with(&org, "/admin/meetings/new", &meeting).await.assert_status(303);
    let article = [
        ("title", "Members article"),
        ("slug", "members-article"),
        ("author_name", "Org"),
        ("summary", "zebracrossing summary"),
        ("body", "zebracrossing body"),
        ("audience", "members"),
        ("published", "on"),
        ("save", "1"),
    ];
    t.post_multipart_with(&org, "/admin/articles/new", &article, None).await.assert_status(303);
    let resource = [
        ("title", "Members guide"),
        ("slug", "members-guide"),
        ("kind", "guide"),
        ("description", "zebracrossing guide"),
        ("audience", "members"),
        ("published", "on"),
    ];
    t.post_multipart_with(
        &org,
        "/admin/resources/new",
        &resource,
        Some(("file", "g.pdf", b"%PDF-1.4 zebracrossing".to_vec())),
    )
    .await
    .assert_status(303);
    let case = [
        ("title", "Members case"),
        ("slug", "members-case"),
        ("organisation_label", "A large employer"),
        ("sector", swn::membership::SECTORS[0]),
        ("size_band", swn::membership::SIZE_BANDS[0]),
        ("region", "Wales"),
        ("challenge", "zebracrossing challenge"),
        ("approach", "A"),
        ("results", "R"),
        ("lessons", "L"),
        ("audience", "members"),
        ("published", "on"),
    ];
    t.post_with(&org, "/admin/case-studies/new", &case).await.assert_status(303);
    let topic = t
        .post_with(
            &grouped,
            "/forum/c/group-north-west/new",
            &[("title", "Group plans"), ("body", "zebracrossing plans"), ("kind", "discussion")],
        )
        .await;
    topic.assert_status(303);
    let group_topic = topic.location().unwrap().trim_start_matches("/forum/t/").to_string();
    let (group_post,): (String,) =
        swn::fetch_one!(&t.app.db, (String,), "SELECT id FROM forum_posts WHERE topic_id = $1", &group_topic).unwrap();
    let author = t.member("author@matrix.example.org", "Ada Author").await;
    let others = t
        .post_with(
            &author,
            "/forum/c/general/new",
            &[("title", "Someone else's topic"), ("body", "To be watched."), ("kind", "discussion")],
        )
        .await;
    others.assert_status(303);
    let others_topic = others.location().unwrap().trim_start_matches("/forum/t/").to_string();
    let own = t
        .post_with(
            &org,
            "/forum/c/general/new",
            &[("title", "Organiser topic"), ("body", "zebracrossing again"), ("kind", "discussion")],
        )
        .await;
    own.assert_status(303);
    let own_topic = own.location().unwrap().trim_start_matches("/forum/t/").to_string();
    let organiser_post: String =
        swn::fetch_scalar!(&t.app.db, String, "SELECT id FROM forum_posts WHERE topic_id = $1", &own_topic).unwrap();
    let letter = t
        .post_with(
            &org,
            "/admin/newsletters",
            &[("subject", "Members letter"), ("intro", "zebracrossing intro"), ("audience", "members")],
        )
        .await;
    letter.assert_status(303);
    let newsletter = letter.location().unwrap().trim_start_matches("/admin/newsletters/").to_string();
    t.post_with(&org, &format!("/admin/newsletters/{newsletter}/send"), &[("confirm", "on")]).await.assert_status(303);
    swn::newsletters::queue_due_issues(&t.app).await.unwrap();

    let mut opening =
        vec![("name", "Matrix team"), ("day_hours", "7.5"), ("site_name", "Matrix site"), ("desks_mon", "3")];
    opening.push(("working_days", "mon"));
    let opened = t.post_with(&member.client, "/toolkit/teams", &opening).await;
    opened.assert_status(303);
    let team = opened.location().unwrap().trim_start_matches("/toolkit/teams/").to_string();
    let added = t
        .post_with(
            &member.client,
            &format!("/toolkit/teams/{team}/people"),
            &[("name", "Pat"), ("working_days", "mon"), ("hours_per_week", "7")],
        )
        .await;
    added.assert_status(303);
    let team_person = added.location().unwrap().rsplit('/').next().unwrap().to_string();
    t.post_with(
        &member.client,
        &format!("/toolkit/teams/{team}/people/{team_person}/activities"),
        &[("activity_name", "Filing"), ("category", "processing_data"), ("hours", "2")],
    )
    .await
    .assert_status(303);
    t.post_with(
        &member.client,
        &format!("/toolkit/teams/{team}/trials"),
        &[("pattern", "Two anchor days"), ("starts_on", "2026-03-02"), ("ends_on", "2026-04-26")],
    )
    .await
    .assert_status(303);
    t.post_with(
        &member.client,
        &format!("/toolkit/teams/{team}/requests"),
        &[
            ("person", team_person.as_str()),
            ("made_on", "2025-06-02"),
            ("change", "Four days"),
            ("start_wanted", "2025-07-01"),
        ],
    )
    .await
    .assert_status(303);
    swn::execute!(
        &t.app.db,
        "INSERT INTO team_members (space_id, user_id, role, joined_at) VALUES ($1, $2, 'lead', $3)",
        &team,
        &lapsed.id,
        chrono::Utc::now()
    )
    .unwrap();

    let started = t.post_with(&member.client, "/benchmark/assessments", &[]).await;
    started.assert_status(303);
    let bench = started.location().unwrap().trim_start_matches("/benchmark/assessments/").to_string();
    t.post_with(&org, "/admin/benchmark/framework", &[]).await.assert_status(303);
    // An awards programme open for entries now.
    let local = |days: i64| {
        (chrono::Utc::now() + chrono::Duration::days(days))
            .with_timezone(&chrono_tz::Europe::London)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let programme = t
        .post_with(
            &org,
            "/admin/awards",
            &[
                ("name", "Matrix Awards 2027"),
                ("year", "2027"),
                ("entries_open", &local(-1)),
                ("entries_close", &local(30)),
                ("judging_opens", &local(31)),
                ("judging_closes", &local(60)),
            ],
        )
        .await;
    programme.assert_status(303);
    let award = programme.location().unwrap().trim_start_matches("/admin/awards/").to_string();
    t.post_with(
        &org,
        &format!("/admin/awards/{award}/categories"),
        &[("name", "Leadership"), ("open_to", "members"), ("criterion_name_1", "Impact"), ("criterion_weight_1", "2")],
    )
    .await
    .assert_status(303);
    let entered = t
        .post_with(
            &member.client,
            "/awards/matrix-awards-2027/leadership/enter",
            &[("title", "Matrix entry"), ("action", "save")],
        )
        .await;
    entered.assert_status(303);
    let award_entry = entered.location().unwrap().trim_start_matches("/awards/entries/").to_string();
    // A programme being judged: Ada, of another organisation, submits an entry; the group member judges it.
    let judged = t
        .post_with(
            &org,
            "/admin/awards",
            &[
                ("name", "Matrix Judging 2026"),
                ("year", "2026"),
                ("entries_open", &local(-1)),
                ("entries_close", &local(30)),
                ("judging_opens", &local(31)),
                ("judging_closes", &local(60)),
            ],
        )
        .await;
    let judged_programme = judged.location().unwrap().trim_start_matches("/admin/awards/").to_string();
    t.post_with(
        &org,
        &format!("/admin/awards/{judged_programme}/categories"),
        &[("name", "Judged"), ("open_to", "members"), ("criterion_name_1", "Impact")],
    )
    .await
    .assert_status(303);
    let mut tx = t.app.db.begin().await.unwrap();
    let elsewhere =
        swn::membership::insert_organisation(&mut tx, "Elsewhere Ltd", "Retail", 900, "Wales", "implementing")
            .await
            .unwrap();
    tx.commit().await.unwrap();
    let ada = t.member("ada@elsewhere.example.org", "Ada Author").await;
    swn::execute!(&t.app.db, "UPDATE users SET organisation_id = $1 WHERE id = $2", &elsewhere, &ada.id).unwrap();
    let submitted = t
        .post_with(
            &ada.client,
            "/awards/matrix-judging-2026/judged/enter",
            &[
                ("title", "Judged entry"),
                ("context", "Context."),
                ("what_was_done", "A trial."),
                ("benefits", "Benefits."),
                ("measure_1", "Desk ratio"),
                ("baseline_1", "1.0"),
                ("result_1", "0.6"),
                ("unit_1", "desks per person"),
                ("action", "submit"),
            ],
        )
        .await;
    submitted.assert_status(303);
    let judged_entry = submitted.location().unwrap().trim_start_matches("/awards/entries/").to_string();
    let judged_category =
        swn::fetch_scalar!(&t.app.db, String, "SELECT id FROM award_categories WHERE slug = 'judged'").unwrap();
    t.post_with(&org, &format!("/admin/awards/categories/{judged_category}/judges"), &[("email", &grouped.email)])
        .await
        .assert_status(303);
    let now = chrono::Utc::now();
    swn::execute!(
        &t.app.db,
        "UPDATE award_programmes SET entries_close_at = $1, judging_opens_at = $2, judging_closes_at = $3 WHERE id = $4",
        now - chrono::Duration::minutes(2),
        now - chrono::Duration::minutes(1),
        now + chrono::Duration::days(10),
        &judged_programme
    )
    .unwrap();

    let db = t.app.db.clone();
    let id_of = |sql: &'static str| {
        let db = db.clone();
        async move { swn::fetch_scalar!(&db, String, sql).unwrap() }
    };
    let meeting_form = meeting
        .iter()
        .map(|(k, v)| (*k, if *k == "title" { "Matrix meeting".to_string() } else { v.to_string() }))
        .collect();
    let started = t
        .post_with(
            &author,
            "/messages",
            &[("to", member.id.as_str()), ("subject", "Ada to the member"), ("body", "A private hello.")],
        )
        .await;
    started.assert_status(303);
    let conversation = started.location().unwrap().trim_start_matches("/messages/").to_string();
    let seed = Seed {
        author_id: author.id.clone(),
        conversation,
        meeting_form,
        public_file,
        member_id: member.id.clone(),
        group_topic,
        group_post,
        own_topic,
        others_topic,
        organiser_post,
        newsletter,
        article_id: id_of("SELECT id FROM articles").await,
        resource_id: id_of("SELECT id FROM resources").await,
        case_study_id: id_of("SELECT id FROM case_studies").await,
        meeting_id: id_of("SELECT id FROM meetings").await,
        news_id: id_of("SELECT id FROM news").await,
        page_id: id_of("SELECT id FROM pages WHERE slug = 'about'").await,
        team,
        team_site: id_of("SELECT id FROM team_sites").await,
        team_person,
        team_activity: id_of("SELECT id FROM team_activities").await,
        team_trial: id_of("SELECT id FROM team_trials").await,
        team_request: id_of("SELECT id FROM flexible_requests").await,
        bench,
        bench_question: id_of(
            "SELECT q.id FROM benchmark_questions q JOIN benchmark_dimensions d ON d.id = q.dimension_id
             JOIN benchmark_frameworks f ON f.id = d.framework_id
             WHERE f.status = 'published' AND d.key = 'vision' AND q.position = 0",
        )
        .await,
        draft_dimension: id_of(
            "SELECT d.id FROM benchmark_dimensions d JOIN benchmark_frameworks f ON f.id = d.framework_id
             WHERE f.status = 'draft' AND d.key = 'vision'",
        )
        .await,
        award_slug: "matrix-awards-2027".into(),
        award,
        award_category: id_of("SELECT id FROM award_categories WHERE slug = 'leadership'").await,
        judged_programme,
        judged_category,
        judged_entry,
        award_entry,
        draft_question: id_of(
            "SELECT q.id FROM benchmark_questions q JOIN benchmark_dimensions d ON d.id = q.dimension_id
             JOIN benchmark_frameworks f ON f.id = d.framework_id WHERE f.status = 'draft' AND q.position = 0
             AND d.key = 'vision'",
        )
        .await,
    };

    // Every declared route has a row, and every row a declared route.
    let rows = rows(&seed);
    let covered: BTreeSet<(String, String)> =
        rows.iter().map(|r| (r.method.to_string(), r.route.to_string())).collect();
    let declared = declared_routes();
    let missing: Vec<_> = declared.difference(&covered).collect();
    let stale: Vec<_> = covered.difference(&declared).collect();
    assert!(missing.is_empty(), "routes without a row in the access matrix: {missing:?}");
    assert!(stale.is_empty(), "rows for routes that no longer exist: {stale:?}");
    for r in &rows {
        let allows = r.expected.contains(&DOES);
        assert_eq!(
            allows,
            r.does.is_some(),
            "{} {}: a row allowing a role says what it does, and only then",
            r.method,
            r.route
        );
    }

    let visitor = browser();
    let people = [&applicant, &member, &grouped, &moderator, &org, &suspended, &lapsed];
    let browsers: Vec<&reqwest::Client> = std::iter::once(&visitor).chain(people.iter().map(|p| &p.client)).collect();
    let ids: Vec<&str> = std::iter::once("").chain(people.iter().map(|p| p.id.as_str())).collect();
    // Each role's personal API token (made as the settings page makes them, while each was in good standing).
    let mut tokens = vec![None];
    for (who, person) in ROLES[1..].iter().zip(people) {
        let token = format!("swn_matrix-{}", who.replace(' ', "-"));
        swn::execute!(
            &t.app.db,
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, 'matrix', $3, $4)",
            format!("matrix-{who}"),
            &person.id,
            swn::auth::tokens::hash(&token),
            chrono::Utc::now()
        )
        .unwrap();
        tokens.push(Some(token));
    }
    let mut wrong = Vec::new();
    for Row { method, route, path, expected, does } in &rows {
        for (i, who) in ROLES.iter().enumerate() {
            let (client, id, status) = (browsers[i], ids[i], expected[i]);
            let does = does.as_ref().filter(|_| status == DOES);
            let fields: Vec<(&str, &str)> =
                does.map(|d| d.fields.iter().map(|(k, v)| (*k, v.as_str())).collect()).unwrap_or_default();
            let counted = does.and_then(|d| d.count.as_ref());
            let before = match counted {
                Some(c) => Some(count(&t, c, id).await),
                None => None,
            };
            let answer = if route.starts_with("/api/") {
                let method = if *method == "ANY" { "GET" } else { method };
                let mut request = reqwest::Client::new().request(method.parse().unwrap(), t.url(path));
                if let Some(token) = &tokens[i] {
                    request = request.bearer_auth(token);
                }
                if method == "POST" || method == "PUT" || method == "PATCH" {
                    let body: serde_json::Map<String, serde_json::Value> =
                        fields.iter().map(|(k, v)| (k.to_string(), serde_json::Value::from(*v))).collect();
                    request = request.json(&body);
                }
                let response = request.send().await.unwrap();
                crate::support::Answer {
                    status: response.status(),
                    headers: response.headers().clone(),
                    body: response.text().await.unwrap_or_default(),
                }
            } else {
                match *method {
                    "GET" => t.get_with(client, path).await,
                    _ => t.post_with(client, path, &fields).await,
                }
            };
            let got = answer.status.as_u16();
            let at = format!("{method} {route} ({path}) as {who}");
            match does {
                None if got != status => wrong.push(format!("{at}: {got}, expected {status}")),
                None => {}
                Some(d) => {
                    let ends = answer.location().unwrap_or_default();
                    if got != d.status {
                        let sel =
                            scraper::Selector::parse(".error-summary li, .error-summary p, .field-error").unwrap();
                        let html = answer.html();
                        let start: Vec<String> =
                            html.select(&sel).take(4).map(|e| e.text().collect::<String>()).collect();
                        let start = if start.is_empty() {
                            answer.body[..answer.body.len().min(200)].to_string()
                        } else {
                            start.join(" | ")
                        };
                        wrong.push(format!("{at}: {got}, expected {} (to {ends:?}) {start}", d.status));
                    } else if got == 303 && !ends.starts_with(&d.answer) {
                        wrong.push(format!("{at}: sent to {ends:?}, expected {:?}", d.answer));
                    } else if got != 303 && !answer.body.contains(&d.answer) {
                        wrong.push(format!("{at}: the answer lacks {:?}", d.answer));
                    }
                    if let (Some(c), Some(before)) = (counted, before) {
                        let after = count(&t, c, id).await;
                        if (before == c.is) == c.changes || after != c.is {
                            wrong.push(format!(
                                "{at}: {} counted {before} before and {after} after, not {}",
                                c.sql, c.is
                            ));
                        }
                    }
                }
            }
            let non_member = matches!(*who, "visitor" | "applicant" | "suspended" | "lapsed");
            let refused = matches!(got, 303 | 401 | 403 | 404 | 410);
            if (non_member || refused) && answer.body.contains(MARKER) {
                wrong.push(format!("{at}: members-only text in the answer ({got})"));
            }
        }
    }
    assert!(wrong.is_empty(), "{} answers differ from the matrix:\n{}", wrong.len(), wrong.join("\n"));
    t.finish().await;
}
