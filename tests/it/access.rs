//! Who may reach the organisers' pages, and the headers every response carries.

use swn::auth::Role;

use crate::on_both_engines;
use crate::support::{Engine, TestApp, browser};

on_both_engines!(organiser_pages_are_for_organisers_only, every_response_carries_security_headers);

const ORGANISER_PAGES: &[&str] = &[
    "/admin",
    "/admin/pages",
    "/admin/pages/new",
    "/admin/news",
    "/admin/news/new",
    "/admin/supporters",
    "/admin/supporters/new",
    "/admin/people",
    "/admin/people/new",
    "/admin/users",
    "/admin/newsletters",
];

async fn organiser_pages_are_for_organisers_only(engine: Engine) {
    let t = TestApp::start(engine).await;
    // Visitors are sent to sign in, and come back afterwards.
    for path in ORGANISER_PAGES {
        let answer = t.get(path).await;
        answer.assert_status(303);
        assert!(answer.location().unwrap().starts_with("/sign-in?next="), "{path}");
    }
    // Members, moderators and applicants are told no.
    for (i, role) in [Role::Member, Role::Moderator, Role::Applicant].into_iter().enumerate() {
        let email = format!("person{i}@org.example.com");
        let b = t.person(&email, "Some One", role).await;
        for path in ORGANISER_PAGES {
            t.get_with(&b, path)
                .await
                .assert_status(403)
                .assert_contains("Not available to you")
                .assert_lacks("Recent e-mails");
        }
        let post = t
            .post_with(&b, "/admin/news/new", &[("title", "x"), ("summary", "x"), ("body", "x"), ("published", "on")])
            .await;
        post.assert_status(403);
    }
    assert!(swn::content::all_news(&t.app.db).await.unwrap().is_empty(), "nothing was written");
    // Organisers get in; after signing in a visitor lands where they were going.
    t.create_user("org@org.example.com", "Org", Role::Organiser, "organiser-password-1").await;
    let b = browser();
    let signed = t
        .post_with(
            &b,
            "/sign-in",
            &[("email", "org@org.example.com"), ("password", "organiser-password-1"), ("next", "/admin/news")],
        )
        .await;
    assert_eq!(signed.location(), Some("/admin/news"));
    for path in ORGANISER_PAGES {
        t.get_with(&b, path).await.assert_status(200).assert_contains("noindex");
    }
    // A "next" that leaves the site is ignored.
    let b2 = browser();
    let away = t
        .post_with(
            &b2,
            "/sign-in",
            &[("email", "org@org.example.com"), ("password", "organiser-password-1"), ("next", "//evil.example")],
        )
        .await;
    assert_eq!(away.location(), Some("/"));
    t.finish().await;
}

async fn every_response_carries_security_headers(engine: Engine) {
    let t = TestApp::start(engine).await;
    for path in ["/", "/about", "/sign-in", "/no-such-page", "/static/style.css", "/robots.txt"] {
        let a = t.get(path).await;
        let csp = a.headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(a.headers["x-content-type-options"], "nosniff", "{path}");
        assert!(a.headers.contains_key("referrer-policy"), "{path}");
        assert!(!a.headers.contains_key("strict-transport-security"), "no HSTS over plain http");
    }
    t.finish().await;

    let https =
        TestApp::start_with(engine, |c| c.base_url = url::Url::parse("https://network.example.org").unwrap()).await;
    let a = https.get("/").await;
    assert!(a.headers["strict-transport-security"].to_str().unwrap().contains("max-age="));
    let csrf_cookie = a
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("__Host-swn_csrf="))
        .unwrap();
    assert!(csrf_cookie.contains("Secure"), "{csrf_cookie}");
    https.finish().await;
}
