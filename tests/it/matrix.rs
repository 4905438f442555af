//! The access matrix: every route of the application, read from the source of the router (so a new route
//! without a row here fails this test), walked as each of eight roles. For each route and role the expected
//! status is asserted, and no response that a non-member gets, nor any refused response, may contain text
//! that only members may read.

use std::collections::BTreeSet;

use crate::on_both_engines;
use crate::support::{Engine, TestApp, browser};

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
/// In a row, 0 means "any answer but a server error": a role allowed to send a form, sent empty here.
const ANY: u16 = 0;
/// A form for organisers, sent empty: refused for everyone else.
const ORGANISERS_FORM: [u16; 8] = [303, 403, 403, 403, 403, ANY, 303, 403];
/// A form for members in their term, sent empty.
const MEMBERS_FORM: [u16; 8] = [303, 403, ANY, ANY, ANY, ANY, 303, 403];
/// A form for anyone signed in, sent empty.
const SIGNED_IN_FORM: [u16; 8] = [303, ANY, ANY, ANY, ANY, ANY, 303, ANY];
/// An upload form (multipart) sent as a plain form: unreadable, so refused for everyone before anything else.
const UPLOAD_FORM: [u16; 8] = [400; 8];
/// A form anyone may send.
const OPEN_FORM: [u16; 8] = [ANY; 8];
/// The API, where each role calls with its own personal token (a visitor with none; the suspended member's
/// token no longer works, and a token that does not work is refused even where none is needed).
const API_PUBLIC: [u16; 8] = [200, 200, 200, 200, 200, 200, 401, 200];
const API_MEMBERS: [u16; 8] = [401, 403, 200, 200, 200, 200, 401, 403];
/// An API write for members, sent with an empty JSON object.
const API_MEMBERS_WRITE: [u16; 8] = [401, 403, ANY, ANY, ANY, ANY, 401, 403];
/// The token holder's own data: anyone with a working token.
const API_OWN: [u16; 8] = [401, 200, 200, 200, 200, 200, 401, 200];
/// A group's space through the API.
const API_GROUP_ONLY: [u16; 8] = [401, 403, 404, 200, 200, 200, 401, 403];

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
            for method in ["get", "post", "delete", "any"] {
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

/// The rows: (method, route, the path to request, expected status per role). POST rows are sent with a valid
/// form token and no fields: refused roles must be refused before anything is read.
fn rows(s: &Seed) -> Vec<(&'static str, &'static str, String, [u16; 8])> {
    let p = |x: &str| x.to_string();
    vec![
        // The public site
        ("GET", "/", p("/"), PUBLIC),
        ("GET", "/about", p("/about"), PUBLIC),
        ("GET", "/pages/{slug}", p("/pages/about"), PUBLIC),
        ("GET", "/news", p("/news"), PUBLIC),
        ("GET", "/news/{slug}", p("/news/public-news-item"), PUBLIC),
        ("GET", "/news/feed.xml", p("/news/feed.xml"), PUBLIC),
        ("GET", "/supporters", p("/supporters"), PUBLIC),
        ("GET", "/people", p("/people"), PUBLIC),
        ("GET", "/sitemap", p("/sitemap"), PUBLIC),
        ("GET", "/sitemap.xml", p("/sitemap.xml"), PUBLIC),
        ("GET", "/robots.txt", p("/robots.txt"), PUBLIC),
        ("GET", "/healthz", p("/healthz"), PUBLIC),
        ("GET", "/readyz", p("/readyz"), PUBLIC),
        ("GET", "/static/{name}", p("/static/style.css"), PUBLIC),
        ("GET", "/files/{id}", format!("/files/{}", s.public_file), PUBLIC),
        // Searching for part of the marker (the query itself is shown back in the form).
        ("GET", "/search", p("/search?q=crossing"), PUBLIC),
        ("GET", "/library", p("/library"), PUBLIC),
        ("GET", "/articles/feed.xml", p("/articles/feed.xml"), PUBLIC),
        ("GET", "/articles/{slug}", p("/articles/members-article"), MEMBERS_ITEM),
        ("GET", "/resources/{slug}", p("/resources/members-guide"), MEMBERS_ITEM),
        ("GET", "/resources/{slug}/download", p("/resources/members-guide/download"), MEMBERS_ITEM),
        ("GET", "/case-studies/{slug}", p("/case-studies/members-case"), MEMBERS_ITEM),
        ("GET", "/meetings", p("/meetings"), PUBLIC),
        ("GET", "/meetings/calendar.ics", p("/meetings/calendar.ics"), PUBLIC),
        // A members' meeting: others see its title as a teaser, never its description.
        ("GET", "/meetings/{slug}", p("/meetings/members-meeting"), PUBLIC),
        (
            "GET",
            "/meetings/{slug}/calendar.ics",
            p("/meetings/members-meeting/calendar.ics"),
            [404, 404, 200, 200, 200, 200, 404, 404],
        ),
        (
            "GET",
            "/meetings/{slug}/slides",
            p("/meetings/members-meeting/slides"),
            [303, 403, 404, 404, 404, 404, 303, 403],
        ),
        ("GET", "/newsletters", p("/newsletters"), PUBLIC),
        ("GET", "/newsletters/{id}", format!("/newsletters/{}", s.newsletter), MEMBERS),
        ("GET", "/subscribe", p("/subscribe"), PUBLIC),
        ("GET", "/subscribe/confirm/{token}", p("/subscribe/confirm/not-a-token"), PUBLIC),
        ("GET", "/email/{token}", p("/email/not-a-token"), GONE),
        ("GET", "/unsubscribe/{token}", p("/unsubscribe/not-a-token"), GONE),
        // Signing in and joining
        ("GET", "/sign-in", p("/sign-in"), PUBLIC),
        ("GET", "/password/forgot", p("/password/forgot"), PUBLIC),
        ("GET", "/password/reset/{token}", p("/password/reset/not-a-token"), GONE),
        ("GET", "/setup/{token}", p("/setup/not-a-token"), GONE),
        ("GET", "/join", p("/join"), [200, 303, 303, 303, 303, 303, 200, 303]),
        ("GET", "/join/verify/{token}", p("/join/verify/not-a-token"), GONE),
        ("GET", "/registrations/confirm/{token}", p("/registrations/confirm/not-a-token"), GONE),
        ("GET", "/registrations/cancel/{token}", p("/registrations/cancel/not-a-token"), GONE),
        ("GET", "/calendar/{token}", p("/calendar/not-a-token"), [404; 8]),
        ("GET", "/membership/renew/{token}", p("/membership/renew/not-a-token"), GONE),
        // One's own account
        ("GET", "/account", p("/account"), SIGNED_IN),
        ("GET", "/account/password", p("/account/password"), SIGNED_IN),
        ("GET", "/account/email", p("/account/email"), SIGNED_IN),
        ("GET", "/account/data", p("/account/data"), SIGNED_IN),
        ("GET", "/account/delete", p("/account/delete"), SIGNED_IN),
        ("GET", "/account/calendar", p("/account/calendar"), MEMBERS),
        ("GET", "/account/api-tokens", p("/account/api-tokens"), SIGNED_IN),
        ("GET", "/account/profile", p("/account/profile"), MEMBERS),
        ("GET", "/application", p("/application"), [303, 404, 404, 404, 404, 404, 303, 404]),
        ("POST", "/application/answer", p("/application/answer"), [303, 404, 404, 404, 404, 404, 303, 404]),
        ("POST", "/application/resend", p("/application/resend"), [303, 404, 404, 404, 404, 404, 303, 404]),
        ("GET", "/membership", p("/membership"), [303, 403, 200, 200, 403, 403, 303, 200]),
        ("GET", "/membership/employer", p("/membership/employer"), [303, 403, 200, 200, 403, 403, 303, 200]),
        // Members
        ("GET", "/members", p("/members"), MEMBERS),
        ("GET", "/members/{id}", format!("/members/{}", s.member_id), MEMBERS),
        ("GET", "/organisations/{slug}", p("/organisations/matrix-org"), MEMBERS),
        ("GET", "/groups", p("/groups"), MEMBERS),
        ("GET", "/groups/{slug}", p("/groups/north-west"), MEMBERS),
        ("POST", "/groups/{slug}/join", p("/groups/nowhere/join"), [303, 403, 404, 404, 404, 404, 303, 403]),
        ("POST", "/groups/{slug}/leave", p("/groups/nowhere/leave"), [303, 403, 404, 404, 404, 404, 303, 403]),
        (
            "POST",
            "/groups/{slug}/requests/{user_id}",
            format!("/groups/north-west/requests/{}", s.member_id),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        ("GET", "/notifications", p("/notifications"), MEMBERS),
        ("POST", "/meetings/{slug}/register", p("/meetings/no-such-meeting/register"), [404; 8]),
        ("POST", "/meetings/{slug}/cancel", p("/meetings/no-such-meeting/cancel"), [404; 8]),
        ("POST", "/meetings/{slug}/guest", p("/meetings/no-such-meeting/guest"), [404; 8]),
        ("POST", "/meetings/{slug}/feedback", p("/meetings/no-such-meeting/feedback"), [404; 8]),
        // The forum
        ("GET", "/forum", p("/forum"), MEMBERS),
        ("GET", "/forum/c/{slug}", p("/forum/c/general"), MEMBERS),
        ("GET", "/forum/c/{slug}/new", p("/forum/c/general/new"), MEMBERS),
        ("POST", "/forum/c/{slug}/watch", p("/forum/c/nowhere/watch"), [303, 403, 404, 404, 404, 404, 303, 403]),
        ("GET", "/forum/t/{id}", format!("/forum/t/{}", s.group_topic), GROUP_ONLY),
        ("POST", "/forum/t/{id}/reply", p("/forum/t/nothing/reply"), [303, 403, 404, 404, 404, 404, 303, 403]),
        ("POST", "/forum/t/{id}/watch", p("/forum/t/nothing/watch"), [303, 403, 404, 404, 404, 404, 303, 403]),
        ("POST", "/forum/t/{id}/accept", p("/forum/t/nothing/accept"), [303, 403, 404, 404, 404, 404, 303, 403]),
        (
            "GET",
            "/forum/p/{id}/edit",
            format!("/forum/p/{}/edit", s.organiser_post),
            [303, 403, 403, 403, 200, 200, 303, 403],
        ),
        ("GET", "/forum/p/{id}/history", format!("/forum/p/{}/history", s.organiser_post), MODERATORS),
        ("POST", "/forum/p/{id}/flag", p("/forum/p/nothing/flag"), [404; 8]),
        ("GET", "/forum/moderation", p("/forum/moderation"), MODERATORS),
        ("GET", "/forum/moderation/log", p("/forum/moderation/log"), MODERATORS),
        (
            "POST",
            "/forum/moderation/posts/{id}",
            p("/forum/moderation/posts/nothing"),
            [303, 403, 403, 403, 404, 404, 303, 403],
        ),
        (
            "POST",
            "/forum/moderation/topics/{id}",
            p("/forum/moderation/topics/nothing"),
            [303, 403, 403, 403, 404, 404, 303, 403],
        ),
        (
            "POST",
            "/forum/moderation/users/{id}",
            p("/forum/moderation/users/nothing"),
            [303, 403, 403, 403, 404, 404, 303, 403],
        ),
        // Organisers
        ("GET", "/admin", p("/admin"), ORGANISERS),
        ("GET", "/admin/applications", p("/admin/applications"), ORGANISERS),
        ("GET", "/admin/applications/{id}", p("/admin/applications/nothing"), [303, 403, 403, 403, 403, 404, 303, 403]),
        (
            "POST",
            "/admin/applications/{id}/decide",
            p("/admin/applications/nothing/decide"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        ("GET", "/admin/articles/new", p("/admin/articles/new"), ORGANISERS),
        ("GET", "/admin/articles/{id}", format!("/admin/articles/{}", s.article_id), ORGANISERS),
        ("GET", "/admin/case-studies/new", p("/admin/case-studies/new"), ORGANISERS),
        ("GET", "/admin/case-studies/{id}", format!("/admin/case-studies/{}", s.case_study_id), ORGANISERS),
        ("GET", "/admin/resources/new", p("/admin/resources/new"), ORGANISERS),
        ("GET", "/admin/resources/{id}", format!("/admin/resources/{}", s.resource_id), ORGANISERS),
        ("GET", "/admin/library", p("/admin/library"), ORGANISERS),
        ("POST", "/admin/preview", p("/admin/preview"), [303, 403, 403, 403, 403, 200, 303, 403]),
        ("GET", "/admin/forum", p("/admin/forum"), ORGANISERS),
        ("GET", "/admin/groups/new", p("/admin/groups/new"), ORGANISERS),
        (
            "POST",
            "/admin/groups/{slug}/coordinators",
            p("/admin/groups/nowhere/coordinators"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        ("GET", "/admin/import", p("/admin/import"), ORGANISERS),
        ("GET", "/admin/meetings", p("/admin/meetings"), ORGANISERS),
        ("GET", "/admin/meetings/new", p("/admin/meetings/new"), ORGANISERS),
        ("GET", "/admin/meetings/{id}", format!("/admin/meetings/{}", s.meeting_id), ORGANISERS),
        ("GET", "/admin/meetings/{id}/attendees", format!("/admin/meetings/{}/attendees", s.meeting_id), ORGANISERS),
        (
            "GET",
            "/admin/meetings/{id}/attendees.csv",
            format!("/admin/meetings/{}/attendees.csv", s.meeting_id),
            ORGANISERS,
        ),
        ("POST", "/admin/meetings/{id}/attendance", p("/admin/meetings/nothing/attendance"), [404; 8]),
        ("POST", "/admin/meetings/{id}/materials", p("/admin/meetings/nothing/materials"), [400; 8]),
        ("POST", "/admin/meetings/{id}/message", p("/admin/meetings/nothing/message"), [404; 8]),
        ("GET", "/admin/news", p("/admin/news"), ORGANISERS),
        ("GET", "/admin/news/new", p("/admin/news/new"), ORGANISERS),
        ("GET", "/admin/news/{id}", format!("/admin/news/{}", s.news_id), ORGANISERS),
        ("GET", "/admin/newsletters", p("/admin/newsletters"), ORGANISERS),
        ("GET", "/admin/newsletters/{id}", format!("/admin/newsletters/{}", s.newsletter), ORGANISERS),
        ("GET", "/admin/newsletters/{id}/email", format!("/admin/newsletters/{}/email", s.newsletter), ORGANISERS),
        (
            "GET",
            "/admin/newsletters/{id}/progress",
            format!("/admin/newsletters/{}/progress", s.newsletter),
            ORGANISERS,
        ),
        (
            "POST",
            "/admin/newsletters/{id}/blocks",
            p("/admin/newsletters/nothing/blocks"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        (
            "POST",
            "/admin/newsletters/{id}/retry",
            p("/admin/newsletters/nothing/retry"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        (
            "POST",
            "/admin/newsletters/{id}/schedule",
            p("/admin/newsletters/nothing/schedule"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        (
            "POST",
            "/admin/newsletters/{id}/send",
            p("/admin/newsletters/nothing/send"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        (
            "POST",
            "/admin/newsletters/{id}/test",
            p("/admin/newsletters/nothing/test"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        (
            "POST",
            "/admin/mail/suppressions/lift",
            p("/admin/mail/suppressions/lift"),
            [303, 403, 403, 403, 403, 303, 303, 403],
        ),
        (
            "POST",
            "/admin/outbox/{id}/retry",
            p("/admin/outbox/nothing/retry"),
            [303, 403, 403, 403, 403, 303, 303, 403],
        ),
        ("GET", "/admin/organisations", p("/admin/organisations"), ORGANISERS),
        ("GET", "/admin/organisations/{slug}", p("/admin/organisations/matrix-org"), ORGANISERS),
        (
            "POST",
            "/admin/organisations/{slug}/domains",
            p("/admin/organisations/nowhere/domains"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        (
            "POST",
            "/admin/organisations/{slug}/merge",
            p("/admin/organisations/nowhere/merge"),
            [303, 403, 403, 403, 403, 404, 303, 403],
        ),
        ("GET", "/admin/pages", p("/admin/pages"), ORGANISERS),
        ("GET", "/admin/pages/new", p("/admin/pages/new"), ORGANISERS),
        ("GET", "/admin/pages/{id}", format!("/admin/pages/{}", s.page_id), ORGANISERS),
        ("GET", "/admin/people", p("/admin/people"), ORGANISERS),
        ("GET", "/admin/people/new", p("/admin/people/new"), ORGANISERS),
        ("GET", "/admin/people/{id}", p("/admin/people/nothing"), [303, 403, 403, 403, 403, 404, 303, 403]),
        (
            "POST",
            "/admin/people/{id}/delete",
            p("/admin/people/nothing/delete"),
            [303, 403, 403, 403, 403, 303, 303, 403],
        ),
        ("GET", "/admin/supporters", p("/admin/supporters"), ORGANISERS),
        ("GET", "/admin/supporters/new", p("/admin/supporters/new"), ORGANISERS),
        ("GET", "/admin/supporters/{id}", p("/admin/supporters/nothing"), [303, 403, 403, 403, 403, 404, 303, 403]),
        (
            "POST",
            "/admin/supporters/{id}/delete",
            p("/admin/supporters/nothing/delete"),
            [303, 403, 403, 403, 403, 303, 303, 403],
        ),
        ("GET", "/admin/users", p("/admin/users"), ORGANISERS),
        // The forms themselves, sent empty
        ("POST", "/account/password", p("/account/password"), SIGNED_IN_FORM),
        ("POST", "/account/email", p("/account/email"), SIGNED_IN_FORM),
        ("POST", "/account/delete", p("/account/delete"), SIGNED_IN_FORM),
        ("POST", "/account/calendar", p("/account/calendar"), MEMBERS_FORM),
        ("POST", "/account/api-tokens", p("/account/api-tokens"), MEMBERS_FORM),
        (
            "POST",
            "/account/api-tokens/{id}/revoke",
            p("/account/api-tokens/nothing/revoke"),
            [303, 404, 404, 404, 404, 404, 303, 404],
        ),
        ("POST", "/account/profile", p("/account/profile"), [400; 8]),
        ("POST", "/membership/employer", p("/membership/employer"), [303, 403, ANY, ANY, ANY, ANY, 303, ANY]),
        ("POST", "/notifications", p("/notifications"), MEMBERS_FORM),
        ("POST", "/forum/c/{slug}/new", p("/forum/c/general/new"), MEMBERS_FORM),
        (
            "POST",
            "/forum/p/{id}/edit",
            format!("/forum/p/{}/edit", s.organiser_post),
            [303, 403, 403, 403, ANY, ANY, 303, 403],
        ),
        ("POST", "/sign-in", p("/sign-in"), OPEN_FORM),
        ("POST", "/password/forgot", p("/password/forgot"), OPEN_FORM),
        ("POST", "/join", p("/join"), OPEN_FORM),
        ("POST", "/subscribe", p("/subscribe"), OPEN_FORM),
        ("POST", "/email/{token}", p("/email/not-a-token"), GONE),
        ("POST", "/unsubscribe/{token}", p("/unsubscribe/not-a-token"), GONE),
        ("POST", "/subscribe/confirm/{token}", p("/subscribe/confirm/not-a-token"), GONE),
        ("POST", "/join/verify/{token}", p("/join/verify/not-a-token"), GONE),
        ("POST", "/membership/renew/{token}", p("/membership/renew/not-a-token"), GONE),
        ("POST", "/password/reset/{token}", p("/password/reset/not-a-token"), GONE),
        ("POST", "/registrations/confirm/{token}", p("/registrations/confirm/not-a-token"), GONE),
        ("POST", "/registrations/cancel/{token}", p("/registrations/cancel/not-a-token"), GONE),
        ("POST", "/setup/{token}", p("/setup/not-a-token"), GONE),
        ("POST", "/admin/articles/new", p("/admin/articles/new"), UPLOAD_FORM),
        ("POST", "/admin/articles/{id}", format!("/admin/articles/{}", s.article_id), UPLOAD_FORM),
        ("POST", "/admin/resources/new", p("/admin/resources/new"), UPLOAD_FORM),
        ("POST", "/admin/resources/{id}", format!("/admin/resources/{}", s.resource_id), UPLOAD_FORM),
        ("POST", "/admin/case-studies/new", p("/admin/case-studies/new"), ORGANISERS_FORM),
        ("POST", "/admin/case-studies/{id}", format!("/admin/case-studies/{}", s.case_study_id), ORGANISERS_FORM),
        ("POST", "/admin/forum", p("/admin/forum"), ORGANISERS_FORM),
        ("POST", "/admin/groups/new", p("/admin/groups/new"), ORGANISERS_FORM),
        ("POST", "/admin/import", p("/admin/import"), UPLOAD_FORM),
        ("POST", "/admin/meetings/new", p("/admin/meetings/new"), ORGANISERS_FORM),
        ("POST", "/admin/meetings/{id}", format!("/admin/meetings/{}", s.meeting_id), ORGANISERS_FORM),
        ("POST", "/admin/news/new", p("/admin/news/new"), ORGANISERS_FORM),
        ("POST", "/admin/news/{id}", format!("/admin/news/{}", s.news_id), ORGANISERS_FORM),
        ("POST", "/admin/newsletters", p("/admin/newsletters"), ORGANISERS_FORM),
        ("POST", "/admin/newsletters/{id}", format!("/admin/newsletters/{}", s.newsletter), ORGANISERS_FORM),
        ("POST", "/admin/organisations/{slug}", p("/admin/organisations/matrix-org"), ORGANISERS_FORM),
        ("POST", "/admin/pages/new", p("/admin/pages/new"), ORGANISERS_FORM),
        ("POST", "/admin/pages/{id}", format!("/admin/pages/{}", s.page_id), ORGANISERS_FORM),
        ("POST", "/admin/people/new", p("/admin/people/new"), UPLOAD_FORM),
        ("POST", "/admin/people/{id}", p("/admin/people/nothing"), UPLOAD_FORM),
        ("POST", "/admin/supporters/new", p("/admin/supporters/new"), UPLOAD_FORM),
        ("POST", "/admin/supporters/{id}", p("/admin/supporters/nothing"), UPLOAD_FORM),
        // The JSON API, called with each role's token rather than its browser.
        ("GET", "/api/openapi.json", p("/api/openapi.json"), API_PUBLIC),
        ("GET", "/api/v1/meetings", p("/api/v1/meetings"), API_PUBLIC),
        ("GET", "/api/v1/meetings/{slug}", p("/api/v1/meetings/members-meeting"), API_MEMBERS),
        (
            "POST",
            "/api/v1/meetings/{slug}/registration",
            p("/api/v1/meetings/members-meeting/registration"),
            API_MEMBERS_WRITE,
        ),
        (
            "DELETE",
            "/api/v1/meetings/{slug}/registration",
            p("/api/v1/meetings/members-meeting/registration"),
            [401, 404, ANY, ANY, ANY, ANY, 401, ANY],
        ),
        ("GET", "/api/v1/me", p("/api/v1/me"), API_OWN),
        ("GET", "/api/v1/me/registrations", p("/api/v1/me/registrations"), API_OWN),
        ("GET", "/api/v1/news", p("/api/v1/news"), API_PUBLIC),
        ("GET", "/api/v1/articles", p("/api/v1/articles"), API_PUBLIC),
        (
            "GET",
            "/api/v1/articles/{slug}",
            p("/api/v1/articles/members-article"),
            [401, 404, 200, 200, 200, 200, 401, 404],
        ),
        ("GET", "/api/v1/search", p("/api/v1/search?q=crossing"), API_PUBLIC),
        ("GET", "/api/v1/forum/categories", p("/api/v1/forum/categories"), API_MEMBERS),
        (
            "GET",
            "/api/v1/forum/categories/{slug}/topics",
            p("/api/v1/forum/categories/group-north-west/topics"),
            API_GROUP_ONLY,
        ),
        (
            "POST",
            "/api/v1/forum/categories/{slug}/topics",
            p("/api/v1/forum/categories/general/topics"),
            API_MEMBERS_WRITE,
        ),
        ("GET", "/api/v1/forum/topics/{id}", format!("/api/v1/forum/topics/{}", s.group_topic), API_GROUP_ONLY),
        (
            "POST",
            "/api/v1/forum/topics/{id}/replies",
            format!("/api/v1/forum/topics/{}/replies", s.group_topic),
            [401, 403, 404, ANY, ANY, ANY, 401, 403],
        ),
        ("ANY", "/api/{*rest}", p("/api/v0/nothing"), [404, 404, 404, 404, 404, 404, 401, 404]),
        // Near the end: it renews the lapsed member.
        ("POST", "/membership/renew", p("/membership/renew"), [303, 403, 303, 303, 403, 403, 303, 303]),
        // Last: it ends every role's session.
        ("POST", "/sign-out", p("/sign-out"), [303; 8]),
        ("POST", "/admin/users/{id}", p("/admin/users/nothing"), [303; 8]),
    ]
}

/// The ids the rows need, from the data the test makes.
struct Seed {
    public_file: String,
    member_id: String,
    group_topic: String,
    organiser_post: String,
    newsletter: String,
    article_id: String,
    resource_id: String,
    case_study_id: String,
    meeting_id: String,
    news_id: String,
    page_id: String,
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
    t.post_with(&org, &format!("/admin/newsletters/{newsletter}/send"), &[]).await.assert_status(303);
    swn::newsletters::queue_due_issues(&t.app).await.unwrap();

    let db = t.app.db.clone();
    let id_of = |sql: &'static str| {
        let db = db.clone();
        async move { swn::fetch_scalar!(&db, String, sql).unwrap() }
    };
    let seed = Seed {
        public_file,
        member_id: member.id.clone(),
        group_topic,
        organiser_post,
        newsletter,
        article_id: id_of("SELECT id FROM articles").await,
        resource_id: id_of("SELECT id FROM resources").await,
        case_study_id: id_of("SELECT id FROM case_studies").await,
        meeting_id: id_of("SELECT id FROM meetings").await,
        news_id: id_of("SELECT id FROM news").await,
        page_id: id_of("SELECT id FROM pages WHERE slug = 'about'").await,
    };

    // Every declared route has a row, and every row a declared route.
    let rows = rows(&seed);
    let covered: BTreeSet<(String, String)> = rows.iter().map(|(m, r, _, _)| (m.to_string(), r.to_string())).collect();
    let declared = declared_routes();
    let missing: Vec<_> = declared.difference(&covered).collect();
    let stale: Vec<_> = covered.difference(&declared).collect();
    assert!(missing.is_empty(), "routes without a row in the access matrix: {missing:?}");
    assert!(stale.is_empty(), "rows for routes that no longer exist: {stale:?}");

    let visitor = browser();
    let people = [&applicant, &member, &grouped, &moderator, &org, &suspended, &lapsed];
    let browsers: Vec<&reqwest::Client> = std::iter::once(&visitor).chain(people.iter().map(|p| &p.client)).collect();
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
    for (method, route, path, expected) in &rows {
        for (((client, who), status), token) in browsers.iter().zip(ROLES).zip(expected).zip(&tokens) {
            let answer = if route.starts_with("/api/") {
                let method = if *method == "ANY" { "GET" } else { method };
                let mut request = reqwest::Client::new().request(method.parse().unwrap(), t.url(path));
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                if method == "POST" {
                    request = request.json(&serde_json::json!({}));
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
                    _ => t.post_with(client, path, &[]).await,
                }
            };
            let got = answer.status.as_u16();
            if got >= 500 || (*status != ANY && got != *status) {
                wrong.push(format!("{method} {route} ({path}) as {who}: {got}, expected {status}"));
            }
            let non_member = matches!(who, "visitor" | "applicant" | "suspended" | "lapsed");
            let refused = matches!(got, 303 | 401 | 403 | 404 | 410);
            if (non_member || refused) && answer.body.contains(MARKER) {
                wrong.push(format!("{method} {route} ({path}) as {who}: members-only text in the answer ({got})"));
            }
        }
    }
    assert!(wrong.is_empty(), "{} answers differ from the matrix:\n{}", wrong.len(), wrong.join("\n"));
    t.finish().await;
}
