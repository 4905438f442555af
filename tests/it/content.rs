//! The public site, and an organiser editing it.

use crate::on_both_engines;
use crate::support::{Engine, TestApp, browser, tiny_png};

on_both_engines!(
    public_pages_answer_with_real_content,
    organiser_edits_what_visitors_see,
    drafts_and_scheduled_news_stay_private
);

async fn public_pages_answer_with_real_content(engine: Engine) {
    let t = TestApp::start(engine).await;
    t.get("/").await.assert_status(200).assert_contains("peer network").assert_contains("Latest news");
    t.get("/about").await.assert_status(200).assert_contains("Who may join").assert_contains("100 or more employees");
    t.get("/supporters").await.assert_status(200).assert_contains("Our supporters");
    t.get("/news").await.assert_status(200).assert_contains("No news has been published yet");
    t.get("/people").await.assert_status(200);
    t.get("/sitemap").await.assert_status(200).assert_contains("/about");
    let sitemap = t.get("/sitemap.xml").await;
    sitemap.assert_status(200).assert_contains("<urlset").assert_contains(&t.url("/about"));
    assert!(sitemap.headers["content-type"].to_str().unwrap().starts_with("application/xml"));
    t.get("/robots.txt").await.assert_status(200).assert_contains("Sitemap: ").assert_contains("Disallow: /admin");
    t.get("/healthz").await.assert_status(200).assert_contains("ok");
    t.get("/readyz").await.assert_status(200).assert_contains("ready");
    t.get("/news/feed.xml").await.assert_status(200).assert_contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"");
    t.get("/static/style.css").await.assert_status(200).assert_contains("--brand");
    let missing = t.get("/no-such-page").await;
    missing.assert_status(404).assert_contains("Page not found").assert_contains("Skip to main content");
    // From a stop's first moment, readiness says no (the load balancer sends nothing new) while the requests
    // already on their way are still answered.
    t.app.enter(swn::Phase::Draining);
    t.get("/readyz").await.assert_status(503);
    t.get("/healthz").await.assert_status(200);
    t.get("/about").await.assert_status(200);
    t.finish().await;
}

async fn organiser_edits_what_visitors_see(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;

    // Edit the About page.
    let pages = t.get_with(&org, "/admin/pages").await;
    pages.assert_status(200);
    let about_id = swn::content::page_by_slug(&t.app.db, "about").await.unwrap().unwrap().id;
    let saved = t
        .post_with(
            &org,
            &format!("/admin/pages/{about_id}"),
            &[
                ("title", "About us"),
                ("slug", "about"),
                ("body", "We are **practitioners** helping each other.\n\n<script>alert(1)</script>"),
                ("published", "on"),
            ],
        )
        .await;
    saved.assert_status(303);
    assert_eq!(saved.location(), Some("/about"));

    // Publish a news item.
    let news = t
        .post_with(
            &org,
            "/admin/news/new",
            &[
                ("title", "Open meeting on anchor days"),
                ("summary", "Researchers summarise what works."),
                ("body", "Join us for a **research summary**."),
                ("publish_at", ""),
                ("published", "on"),
            ],
        )
        .await;
    news.assert_status(303);
    assert_eq!(news.location(), Some("/news/open-meeting-on-anchor-days"));

    // Add a supporter with a logo.
    let supporter = t
        .post_multipart_with(
            &org,
            "/admin/supporters/new",
            &[
                ("name", "Flexible Futures Foundation"),
                ("website", "https://ff.example.org"),
                ("description", "Funds our *meetings*."),
                ("position", "1"),
            ],
            Some(("logo", "logo.png", tiny_png())),
        )
        .await;
    supporter.assert_status(303);

    // Add a founder.
    t.post_multipart_with(
        &org,
        "/admin/people/new",
        &[("name", "Helen Marsh"), ("role_title", "Founder"), ("bio", "Led a programme."), ("position", "1")],
        None,
    )
    .await
    .assert_status(303);

    // A visitor, with a browser of their own, sees all of it.
    let visitor = browser();
    let about = t.get_with(&visitor, "/about").await;
    about.assert_status(200).assert_contains("<strong>practitioners</strong>").assert_lacks("<script>alert");
    let list = t.get_with(&visitor, "/news").await;
    list.assert_status(200).assert_contains("Open meeting on anchor days");
    t.get_with(&visitor, "/news/open-meeting-on-anchor-days")
        .await
        .assert_status(200)
        .assert_contains("<strong>research summary</strong>");
    let supporters = t.get_with(&visitor, "/supporters").await;
    supporters.assert_status(200).assert_contains("Flexible Futures Foundation").assert_contains("<em>meetings</em>");
    let logo_src = supporters.attr(".supporter img", "src").expect("a logo");
    let logo = visitor.get(t.url(&logo_src)).send().await.unwrap();
    assert_eq!(logo.status(), 200);
    assert_eq!(logo.headers()["content-type"], "image/png");
    assert_eq!(logo.bytes().await.unwrap().to_vec(), tiny_png());
    t.get_with(&visitor, "/people").await.assert_contains("Helen Marsh");
    t.get_with(&visitor, "/")
        .await
        .assert_contains("Open meeting on anchor days")
        .assert_contains("Flexible Futures Foundation");
    t.get_with(&visitor, "/sitemap.xml").await.assert_contains("/news/open-meeting-on-anchor-days");
    t.get_with(&visitor, "/news/feed.xml").await.assert_contains("Open meeting on anchor days");
    t.finish().await;
}

async fn drafts_and_scheduled_news_stay_private(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    t.post_with(
        &org,
        "/admin/news/new",
        &[("title", "Draft plans"), ("summary", "Not yet."), ("body", "Secret draft body")],
    )
    .await
    .assert_status(303);
    t.post_with(
        &org,
        "/admin/news/new",
        &[
            ("title", "Next year"),
            ("summary", "Later."),
            ("body", "Scheduled body"),
            ("publish_at", "2099-01-01T09:00"),
            ("published", "on"),
        ],
    )
    .await
    .assert_status(303);
    // The organiser sees both, marked as not public.
    t.get_with(&org, "/news/draft-plans").await.assert_status(200).assert_contains("only organisers see it");
    t.get_with(&org, "/news/next-year").await.assert_status(200).assert_contains("Not public yet");

    let visitor = browser();
    t.get_with(&visitor, "/news/draft-plans").await.assert_status(404).assert_lacks("Secret draft body");
    t.get_with(&visitor, "/news/next-year").await.assert_status(404).assert_lacks("Scheduled body");
    for path in ["/news", "/", "/sitemap", "/sitemap.xml", "/news/feed.xml"] {
        let page = t.get_with(&visitor, path).await;
        page.assert_lacks("Draft plans").assert_lacks("Next year");
    }
    // Unpublished pages are hidden too.
    t.post_with(&org, "/admin/pages/new", &[("title", "Work in progress"), ("slug", "wip"), ("body", "Hidden text")])
        .await
        .assert_status(303);
    t.get_with(&visitor, "/pages/wip").await.assert_status(404).assert_lacks("Hidden text");
    t.get_with(&org, "/pages/wip").await.assert_status(200).assert_contains("Hidden text").assert_contains("noindex");
    t.finish().await;
}
