//! The library: articles and resources reach exactly their audience (pages, downloads, listings, feed, site
//! map), uploads are typed from their bytes and limited in size, downloads are counted, publication waits
//! for its time, and the editor previews without saving.

use crate::on_both_engines;
use crate::support::{Engine, TestApp, browser};

on_both_engines!(
    every_kind_of_item_reaches_exactly_its_audience,
    uploads_are_typed_from_their_bytes_and_limited,
    the_editor_previews_adds_images_and_schedules,
    case_studies_and_one_search_across_everything,
    a_large_file_is_uploaded_whole,
    library_search_is_ranked_full_text,
);

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

pub(crate) async fn article(
    t: &TestApp,
    org: &reqwest::Client,
    title: &str,
    slug: &str,
    audience: &str,
    extra: &[(&str, &str)],
) {
    let mut fields = vec![
        ("title", title),
        ("slug", slug),
        ("author_name", "Olivia Organiser"),
        ("summary", "A summary."),
        ("body", "Text of the article."),
        ("audience", audience),
        ("group", "north-west"),
        ("tags", "Hybrid, trials"),
        ("discipline_people", "on"),
        ("published", "on"),
        ("save", "1"),
    ];
    for (k, v) in extra {
        fields.retain(|(key, _)| key != k);
        fields.push((k, v));
    }
    t.post_multipart_with(org, "/admin/articles/new", &fields, None).await.assert_status(303);
}

async fn resource(t: &TestApp, org: &reqwest::Client, title: &str, slug: &str, audience: &str) {
    let description = format!("The {title} for practitioners.");
    let fields = [
        ("title", title),
        ("slug", slug),
        ("kind", "guide"),
        ("description", description.as_str()),
        ("audience", audience),
        ("group", "north-west"),
        ("tags", "guide"),
        ("published", "on"),
    ];
    t.post_multipart_with(org, "/admin/resources/new", &fields, Some(("file", "guide.pdf", PDF.to_vec())))
        .await
        .assert_status(303);
}

async fn every_kind_of_item_reaches_exactly_its_audience(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    t.post_with(
        &org,
        "/admin/groups/new",
        &[("name", "North West"), ("kind", "regional"), ("join_policy", "open"), ("description", "NW.")],
    )
    .await
    .assert_status(303);
    let grouped = t.group_member("north-west", "grouped@org.example.com", "Gwen Grouped").await;
    let member = t.member("member@org.example.com", "Mel Member").await;
    let applicant = t.applicant("applicant@org.example.com", "Abe Applicant").await;
    let moderator = t.moderator("mod@org.example.com", "Mo Moderator").await;
    let visitor = browser();

    article(&t, &org, "Open article on hybrid", "open-article", "public", &[]).await;
    article(&t, &org, "Special article for members", "members-article", "members", &[]).await;
    article(&t, &org, "North West only article", "group-article", "group", &[]).await;
    resource(&t, &org, "Open guide", "open-guide", "public").await;
    resource(&t, &org, "Members guide", "members-guide", "members").await;
    resource(&t, &org, "Group guide", "group-guide", "group").await;

    for (title, slug, audience) in [
        ("Open case study of hybrid", "open-case", "public"),
        ("Members case study", "members-case", "members"),
        ("Group case study", "group-case", "group"),
    ] {
        let fields = [
            ("title", title),
            ("slug", slug),
            ("organisation_label", "A large employer"),
            ("sector", swn::membership::SECTORS[0]),
            ("size_band", "5,000 to 19,999 employees"),
            ("region", "North West England"),
            ("challenge", "Hybrid challenge."),
            ("approach", "An approach."),
            ("results", "Results."),
            ("lessons", "Lessons."),
            ("audience", audience),
            ("group", "north-west"),
            ("published", "on"),
        ];
        t.post_with(&org, "/admin/case-studies/new", &fields).await.assert_status(303);
    }

    // Every kind of item, each for each audience; who may open it follows from the audience alone.
    let items = [
        ("/articles/open-article", "public", "Open article on hybrid"),
        ("/articles/members-article", "members", "Special article for members"),
        ("/articles/group-article", "group", "North West only article"),
        ("/resources/open-guide", "public", "Open guide"),
        ("/resources/members-guide", "members", "Members guide"),
        ("/resources/group-guide", "group", "Group guide"),
        ("/case-studies/open-case", "public", "Open case study of hybrid"),
        ("/case-studies/members-case", "members", "Members case study"),
        ("/case-studies/group-case", "group", "Group case study"),
    ];
    // (who, browser, reaches members' items, reaches the group's items). A moderator keeps the forum in order
    // and sees a group's forum, not its other items.
    let cases: [(&str, &reqwest::Client, bool, bool); 6] = [
        ("visitor", &visitor, false, false),
        ("applicant", &applicant, false, false),
        ("member", &member, true, false),
        ("moderator", &moderator, true, false),
        ("group member", &grouped, true, true),
        ("organiser", &org, true, true),
    ];
    for (who, client, members, group) in cases {
        let may_open = |audience: &str| audience == "public" || (audience == "members" && members) || group;
        for (path, audience, title) in items {
            let may = may_open(audience);
            let page = t.get_with(client, path).await;
            let download = if path.starts_with("/resources/") {
                Some(t.get_with(client, &format!("{path}/download")).await)
            } else {
                None
            };
            if may {
                page.assert_status(200).assert_contains(title);
                if let Some(d) = download {
                    d.assert_status(200);
                    let disposition = d.headers.get("content-disposition").unwrap().to_str().unwrap();
                    assert!(disposition.starts_with("attachment; filename=\""), "{disposition}");
                    assert_eq!(d.headers.get("content-type").unwrap(), "application/pdf");
                }
            } else {
                let expected = if who == "visitor" { 303 } else { 404 };
                assert_eq!(page.status.as_u16(), expected, "{who} on {path}");
                page.assert_lacks(title);
                if let Some(d) = download {
                    assert_eq!(d.status.as_u16(), expected, "{who} downloading {path}");
                    assert!(!d.body.starts_with("%PDF"), "no file for {who}");
                }
            }
        }
        // The library lists, and the search finds, exactly what the viewer may open.
        let listing = t.get_with(client, "/library").await;
        listing.assert_status(200);
        let found = t.get_with(client, "/search?q=hybrid").await;
        found.assert_status(200);
        for (path, audience, title) in items {
            let may = may_open(audience);
            assert_eq!(listing.body.contains(&format!("href=\"{path}\"")), may, "{who} listing {path}");
            if title.to_lowercase().contains("hybrid") || path.contains("case") {
                assert_eq!(found.body.contains(&format!("href=\"{path}\"")), may, "{who} searching for {path}");
            }
        }
    }
    // Facets: by type, by tag, by audience.
    let guides = t.get_with(&grouped, "/library?kind=guide").await;
    guides.assert_contains("Group guide").assert_lacks("Open article on hybrid");
    let articles = t.get_with(&grouped, "/library?kind=article&tag=trials&discipline=people&audience=members").await;
    articles
        .assert_contains("Special article for members")
        .assert_lacks("Open article on hybrid")
        .assert_lacks("Members guide");

    // Machines get the public items only: feed, site map, OpenGraph.
    let feed = t.get_with(&visitor, "/articles/feed.xml").await;
    feed.assert_status(200)
        .assert_contains("Open article on hybrid")
        .assert_lacks("Special article")
        .assert_lacks("North West only");
    let sitemap = t.get_with(&visitor, "/sitemap.xml").await;
    sitemap
        .assert_contains("/articles/open-article")
        .assert_contains("/resources/open-guide")
        .assert_lacks("members-article")
        .assert_lacks("group-article")
        .assert_lacks("members-guide")
        .assert_lacks("group-guide")
        .assert_contains("/case-studies/open-case")
        .assert_lacks("members-case")
        .assert_lacks("group-case");
    t.get_with(&visitor, "/articles/open-article").await.assert_contains("og:title").assert_lacks("noindex");
    t.get_with(&member, "/articles/members-article").await.assert_lacks("og:title").assert_contains("noindex");

    // Downloads are counted.
    let downloads: i64 =
        swn::fetch_scalar!(&t.app.db, i64, "SELECT downloads FROM resources WHERE slug = 'group-guide'").unwrap();
    assert_eq!(downloads, 2, "the group member's and the organiser's downloads");
    t.finish().await;
}

async fn uploads_are_typed_from_their_bytes_and_limited(engine: Engine) {
    let t = TestApp::start_with(engine, |c| c.max_resource_bytes = 4096).await;
    let org = t.organiser().await;
    let fields = |slug: &'static str| {
        vec![
            ("title", "A file"),
            ("slug", slug),
            ("kind", "template"),
            ("description", "Described."),
            ("audience", "public"),
            ("published", "on"),
        ]
    };
    // Too large: 413 with the limit beside the field, nothing saved.
    let big = vec![b'a'; 5000];
    t.post_multipart_with(&org, "/admin/resources/new", &fields("too-big"), Some(("file", "big.txt", big)))
        .await
        .assert_status(413)
        .assert_contains("The file is too large: at most 4 KB");
    // Larger than the whole request may be: still a 413 with a message. (Its own browser: the server closes
    // a connection whose upload it refused unread, and a browser opens a new one for its next request.)
    let uploader = t.signed_in(&org.email).await;
    // The refusal comes before the body is read; a client still writing may see a broken pipe instead of the
    // answer, which is a refusal too.
    let huge = vec![b'a'; 300 * 1024];
    let token = t.csrf_with(&uploader).await;
    let mut form = reqwest::multipart::Form::new().text("csrf_token", token);
    for (k, v) in fields("huge") {
        form = form.text(k, v);
    }
    let form = form.part("file", reqwest::multipart::Part::bytes(huge).file_name("huge.txt"));
    match uploader.post(t.url("/admin/resources/new")).multipart(form).send().await {
        Ok(r) => assert_eq!(r.status().as_u16(), 413),
        Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
    }
    // HTML renamed .pdf, and SVG: refused, whatever the name says.
    let html = b"<!doctype html><html><script>alert(document.cookie)</script></html>".to_vec();
    t.post_multipart_with(&org, "/admin/resources/new", &fields("renamed"), Some(("file", "report.pdf", html)))
        .await
        .assert_status(422)
        .assert_contains("This kind of file is not accepted");
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
    t.post_multipart_with(&org, "/admin/resources/new", &fields("vector"), Some(("file", "logo.svg", svg)))
        .await
        .assert_status(422);
    // Neither a file nor a link.
    t.post_multipart_with(&org, "/admin/resources/new", &fields("empty"), None)
        .await
        .assert_status(422)
        .assert_contains("Upload a file or give a link");
    // A hostile name is harmless: a NUL makes the form unreadable (400, nothing saved); a path is ignored,
    // and the download is named after the resource's address.
    t.post_multipart_with(&org, "/admin/resources/new", &fields("nul"), Some(("file", "x\0.pdf", PDF.to_vec())))
        .await
        .assert_status(400)
        .assert_contains("The upload could not be read");
    t.post_multipart_with(
        &org,
        "/admin/resources/new",
        &fields("plan"),
        Some(("file", "../../etc/passwd.pdf", PDF.to_vec())),
    )
    .await
    .assert_status(303);
    let d = t.get("/resources/plan/download").await;
    d.assert_status(200);
    assert_eq!(d.headers.get("content-disposition").unwrap(), "attachment; filename=\"plan.pdf\"");
    assert_eq!(d.headers.get("x-content-type-options").unwrap(), "nosniff");
    // A CSV is kept as CSV, served as an attachment.
    t.post_multipart_with(
        &org,
        "/admin/resources/new",
        &fields("scores"),
        Some(("file", "scores.csv", b"team,days\nA,2\nB,3\n".to_vec())),
    )
    .await
    .assert_status(303);
    let csv = t.get("/resources/scores/download").await;
    assert_eq!(csv.headers.get("content-type").unwrap(), "text/csv");
    assert_eq!(csv.headers.get("content-disposition").unwrap(), "attachment; filename=\"scores.csv\"");
    // Paths that try to leave the library find nothing (a visitor is asked to sign in, as for any unknown
    // title; the organiser sees that there is nothing).
    t.get("/resources/..%2F..%2Fetc%2Fpasswd/download").await.assert_status(303);
    t.get_with(&org, "/resources/..%2F..%2Fetc%2Fpasswd/download").await.assert_status(404);
    t.get("/resources/plan%00/download").await.assert_status(400).assert_contains("This address is not valid");
    let count: i64 = swn::fetch_scalar!(&t.app.db, i64, "SELECT CAST(COUNT(*) AS BIGINT) FROM resources").unwrap();
    assert_eq!(count, 2, "only the accepted uploads were saved");
    t.finish().await;
}

async fn the_editor_previews_adds_images_and_schedules(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let member = t.member("member@org.example.com", "Mel Member").await;
    let base = [
        ("title", "Trial periods that work"),
        ("slug", "trial-periods"),
        ("author_name", "Olivia Organiser"),
        ("summary", "How to run a trial."),
        ("body", "# Trials\n\nRun them **well**.<script>alert(1)</script>"),
        ("audience", "members"),
        ("image_alt", "A team at work"),
    ];
    // Preview: rendered and sanitised, nothing saved; an uploaded image joins the text.
    let mut preview = base.to_vec();
    preview.push(("preview", "1"));
    let shown = t
        .post_multipart_with(
            &org,
            "/admin/articles/new",
            &preview,
            Some(("image", "team.png", crate::support::tiny_png())),
        )
        .await;
    shown
        .assert_status(200)
        .assert_contains("Preview (not saved yet)")
        .assert_contains("<strong>well</strong>")
        .assert_contains("](/files/");
    assert!(!shown.body.contains("<script>alert(1)</script>"));
    assert!(swn::library::article_by_slug(&t.app.db, "trial-periods").await.unwrap().is_none());
    // Missing fields: 422 with the messages, typed text kept.
    t.post_multipart_with(&org, "/admin/articles/new", &[("title", ""), ("body", "Kept text"), ("save", "1")], None)
        .await
        .assert_status(422)
        .assert_contains("The title is required")
        .assert_contains("Kept text");
    // Scheduled for tomorrow: members do not see it yet; the organiser does.
    let tomorrow = swn::web::time::input_value(chrono::Utc::now() + chrono::Duration::days(1), t.app.config.timezone);
    let mut save = base.to_vec();
    save.extend([("published", "on"), ("publish_at", tomorrow.as_str()), ("save", "1")]);
    t.post_multipart_with(&org, "/admin/articles/new", &save, Some(("image", "team.png", crate::support::tiny_png())))
        .await
        .assert_status(303);
    let saved = swn::library::article_by_slug(&t.app.db, "trial-periods").await.unwrap().unwrap();
    assert!(saved.body_md.contains("![A team at work](/files/") && !saved.body_html.contains("<script"));
    t.get_with(&member, "/articles/trial-periods").await.assert_status(404);
    t.get_with(&member, "/library").await.assert_lacks("Trial periods that work");
    t.get_with(&org, "/articles/trial-periods").await.assert_status(200);
    swn::execute!(
        &t.app.db,
        "UPDATE articles SET publish_at = $1 WHERE slug = 'trial-periods'",
        chrono::Utc::now() - chrono::Duration::minutes(1)
    )
    .unwrap();
    t.get_with(&member, "/articles/trial-periods").await.assert_status(200).assert_contains("Run them");
    t.get_with(&member, "/library").await.assert_contains("Trial periods that work");
    // Not for members of the public, and not in the feed.
    t.get("/articles/feed.xml").await.assert_lacks("Trial periods");
    // The live preview (JavaScript) asks the server, which renders and sanitises as saving does.
    t.get_with(&org, "/admin/articles/new")
        .await
        .assert_contains("/static/markdown-preview.js")
        .assert_contains("data-preview=\"preview-panel\"");
    t.post_with(&org, "/admin/preview", &[("text", "Some **bold** <script>x()</script>")])
        .await
        .assert_status(200)
        .assert_contains("<strong>bold</strong>")
        .assert_lacks("<script");
    t.post_with(&member, "/admin/preview", &[("text", "x")]).await.assert_status(403);
    // Members and applicants cannot reach the editor.
    t.get_with(&member, "/admin/articles/new").await.assert_status(403);
    t.finish().await;
}

async fn case_study(t: &TestApp, org: &reqwest::Client, fields: &[(&str, &str)]) -> crate::support::Answer {
    let mut all = vec![
        ("challenge", "Offices were half empty while teams struggled to meet."),
        ("approach", "Team agreements and a **three-month trial** in every store support office."),
        ("results", "Desk use up from 40% to 75%; attrition down 3 points."),
        ("lessons", "Start with the teams, not the buildings."),
        ("size_band", "5,000 to 19,999 employees"),
        ("region", "North West England"),
        ("published", "on"),
    ];
    all.extend_from_slice(fields);
    t.post_with(org, "/admin/case-studies/new", &all).await
}

async fn case_studies_and_one_search_across_everything(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    t.post_with(
        &org,
        "/admin/groups/new",
        &[("name", "North West"), ("kind", "regional"), ("join_policy", "open"), ("description", "NW.")],
    )
    .await
    .assert_status(303);
    let member = t.member("member@org.example.com", "Mel Member").await;
    let sector = swn::membership::SECTORS[6];
    let sector_word = sector.split_whitespace().next().unwrap().to_lowercase();
    // Validation: the structure is required.
    t.post_with(&org, "/admin/case-studies/new", &[("title", "Empty"), ("audience", "members")])
        .await
        .assert_status(422)
        .assert_contains("Choose the sector")
        .assert_contains("The challenge is required")
        .assert_contains("How the organisation is described is required");
    // A NUL in a form is a clear 400 (PostgreSQL cannot store it), and contacts must be members.
    t.post_with(&org, "/admin/case-studies/new", &[("title", "A\0B")])
        .await
        .assert_status(400)
        .assert_contains("cannot store");
    t.applicant("applicant@org.example.com", "Abe Applicant").await;
    case_study(&t, &org, &[("title", "Contacts"), ("contacts", "applicant@org.example.com")])
        .await
        .assert_status(422)
        .assert_contains("applicant@org.example.com is not a member");
    // An anonymised members' case study, with a contact and a related resource.
    resource(&t, &org, "Trial plan template", "trial-plan", "members").await;
    let trial_plan = swn::library::resource_by_slug(&t.app.db, "trial-plan").await.unwrap().unwrap();
    let mut tx = t.app.db.begin().await.unwrap();
    let org_id =
        swn::membership::insert_organisation(&mut tx, "Secret Stores plc", sector, 8000, "North West", "implementing")
            .await
            .unwrap();
    tx.commit().await.unwrap();
    case_study(
        &t,
        &org,
        &[
            ("title", "Hybrid support offices"),
            ("slug", "hybrid-support-offices"),
            ("organisation", org_id.as_str()),
            ("anonymised", "on"),
            ("organisation_label", "A large employer"),
            ("sector", sector),
            ("audience", "members"),
            ("contacts", "member@org.example.com"),
            ("resource", trial_plan.id.as_str()),
            ("tags", "trials"),
        ],
    )
    .await
    .assert_status(303);
    // A public one, named.
    case_study(
        &t,
        &org,
        &[
            ("title", "Council flexible hours"),
            ("slug", "council-hours"),
            ("organisation_label", "Example Council"),
            ("sector", swn::membership::SECTORS[1]),
            ("audience", "public"),
            ("contacts", "member@org.example.com"),
        ],
    )
    .await
    .assert_status(303);
    // A group's resource with the same word, which the member may not see.
    let description_word = "wayfinding";
    // A resource whose description has the sector's word: one search finds it and the case study together.
    let retail_description = format!("Plans rotas for {sector_word} support teams.");
    let retail_fields = [
        ("title", "Store rota planner"),
        ("slug", "store-rota-planner"),
        ("kind", "tool"),
        ("description", retail_description.as_str()),
        ("audience", "members"),
        ("published", "on"),
        ("link_url", "https://tools.example.org/rota"),
    ];
    t.post_multipart_with(&org, "/admin/resources/new", &retail_fields, None).await.assert_status(303);
    let fields = [
        ("title", "Office signage kit"),
        ("slug", "signage-kit"),
        ("kind", "tool"),
        ("description", "Signs and wayfinding for shared desks."),
        ("audience", "members"),
        ("published", "on"),
        ("link_url", "https://tools.example.org/signs"),
    ];
    t.post_multipart_with(&org, "/admin/resources/new", &fields, None).await.assert_status(303);
    let group_fields = [
        ("title", "Group wayfinding notes"),
        ("slug", "group-wayfinding"),
        ("kind", "guide"),
        ("description", "More wayfinding."),
        ("audience", "group"),
        ("group", "north-west"),
        ("published", "on"),
        ("link_url", "https://tools.example.org/group"),
    ];
    t.post_multipart_with(&org, "/admin/resources/new", &group_fields, None).await.assert_status(303);

    // The case study page: structured, anonymised, contacts for members only, related resources.
    let page = t.get_with(&member, "/case-studies/hybrid-support-offices").await;
    page.assert_status(200)
        .assert_contains("A large employer")
        .assert_contains(sector)
        .assert_contains("5,000 to 19,999 employees")
        .assert_contains("<strong>three-month trial</strong>")
        .assert_contains("Trial plan template")
        .assert_contains("Willing to talk to members")
        .assert_lacks("mailto:member@org.example.com")
        .assert_lacks("Secret Stores");
    t.get("/case-studies/hybrid-support-offices").await.assert_status(303);
    let public = t.get("/case-studies/council-hours").await;
    public
        .assert_status(200)
        .assert_contains("Example Council")
        .assert_lacks("member@org.example.com")
        .assert_contains("og:title");
    // Filters: by sector and size in the library.
    let by_sector = t.get_with(&member, &format!("/library?sector={}", sector.replace(' ', "+"))).await;
    by_sector
        .assert_contains("Hybrid support offices")
        .assert_lacks("Council flexible hours")
        .assert_lacks("Office signage kit");
    t.get_with(&member, "/library?kind=case_study&size=5%2C000+to+19%2C999+employees")
        .await
        .assert_contains("Hybrid support offices");

    // One search finds the case study by its sector and the resource by a word in its description.
    let q = format!("/search?q={sector_word}");
    let found = t.get_with(&member, &q).await;
    found
        .assert_status(200)
        .assert_contains("Hybrid support offices")
        .assert_contains("Case study")
        .assert_contains("Store rota planner")
        .assert_contains("Resource");
    let found = t.get_with(&member, &format!("/search?q={description_word}")).await;
    found.assert_contains("Office signage kit").assert_contains("Resource").assert_contains("<mark>wayfinding</mark>");
    found.assert_lacks("Group wayfinding notes");
    // Never by the anonymised organisation's name.
    t.get_with(&member, "/search?q=secret+stores").await.assert_lacks("Hybrid support offices");
    // Visitors search what is public only; the organiser sees everything.
    let visitor = t.get(&format!("/search?q={sector_word}")).await;
    visitor.assert_status(200).assert_lacks("Hybrid support offices");
    t.get("/search?q=council").await.assert_contains("Council flexible hours");
    t.get(&format!("/search?q={description_word}")).await.assert_lacks("Office signage kit");
    t.get_with(&org, &format!("/search?q={description_word}")).await.assert_contains("Group wayfinding notes");
    // The meeting where it was presented lists it, for those who may read it.
    let start = swn::web::time::input_value(chrono::Utc::now() + chrono::Duration::days(3), t.app.config.timezone);
    let end = swn::web::time::input_value(
        chrono::Utc::now() + chrono::Duration::days(3) + chrono::Duration::hours(1),
        t.app.config.timezone,
    );
    let meeting = [
        ("title", "Case study evening"),
        ("format", "case_study"),
        ("summary", "S"),
        ("audience", "open"),
        ("mode", "virtual"),
        ("joining_link", "https://meet.example.org/x"),
        ("starts_at", start.as_str()),
        ("ends_at", end.as_str()),
        ("capacity", "20"),
        ("status", "published"),
    ];
    t.post_with(&org, "/admin/meetings/new", &meeting).await.assert_status(303);
    let meeting = swn::meetings::meeting_by_slug(&t.app.db, "case-study-evening").await.unwrap().unwrap();
    swn::execute!(&t.app.db, "UPDATE case_studies SET meeting_id = $1", &meeting.id).unwrap();
    t.get_with(&member, "/meetings/case-study-evening")
        .await
        .assert_contains("Case studies presented")
        .assert_contains("Hybrid support offices")
        .assert_contains("Council flexible hours");
    t.get("/meetings/case-study-evening")
        .await
        .assert_contains("Council flexible hours")
        .assert_lacks("Hybrid support offices");
    // Narrowed to a kind.
    t.get_with(&member, "/search?q=trial&kind=resource")
        .await
        .assert_contains("Trial plan template")
        .assert_lacks("Hybrid support offices");
    t.finish().await;
}

/// A file of several megabytes (within the library's 20 MB) is taken whole: the form token is found at the
/// start of the upload, and the rest is read by the route under its own limit.
async fn a_large_file_is_uploaded_whole(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let mut file = PDF.to_vec();
    file.resize(3 * 1024 * 1024, b' ');
    let fields = [
        ("title", "A long report"),
        ("slug", "long-report"),
        ("kind", "research"),
        ("description", "Three megabytes."),
        ("audience", "public"),
        ("published", "on"),
    ];
    t.post_multipart_with(&org, "/admin/resources/new", &fields, Some(("file", "report.pdf", file.clone())))
        .await
        .assert_status(303);
    let download = browser().get(t.url("/resources/long-report/download")).send().await.unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap().len(), file.len(), "every byte arrived");
    t.finish().await;
}

/// The library's search is ranked full text on both engines, like the forum's: a title match comes first,
/// words are found in any form (stems, any letter case, beyond ASCII), and an edit is found at once.
async fn library_search_is_ranked_full_text(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let member = t.member("member@org.example.com", "Mo Member").await;
    // The title match first: the newest-first order of old would have put it second.
    article(&t, &org, "Desk sharing in practice", "desk-sharing", "members", &[]).await;
    article(&t, &org, "Office notes", "office-notes", "members", &[("body", "We counted every desk twice a day.")])
        .await;
    article(&t, &org, "Ärztekammer goes hybrid", "aerztekammer", "public", &[("body", "Die Ärztin plant Büros.")])
        .await;

    let found = t.get_with(&member, "/search?q=desks&kind=article").await;
    let body = &found.body;
    let (title_hit, body_hit) = (body.find("Desk sharing in practice"), body.find("Office notes"));
    assert!(title_hit.is_some() && body_hit.is_some(), "both found by a stem: {body}");
    assert!(title_hit < body_hit, "the title match ranks first");
    t.get("/search?q=%C3%A4rztekammer").await.assert_contains("Ärztekammer goes hybrid");
    t.get("/search?q=B%C3%9CROS").await.assert_contains("Ärztekammer goes hybrid");
    // Members-only articles stay out of a visitor's search.
    t.get("/search?q=desk").await.assert_lacks("Desk sharing in practice");

    // Edited: found by its new words at once, no longer by the old.
    let id = swn::library::article_by_slug(&t.app.db, "office-notes").await.unwrap().unwrap().id;
    let fields = [
        ("title", "Office notes"),
        ("slug", "office-notes"),
        ("author_name", "Olivia Organiser"),
        ("summary", "A summary."),
        ("body", "We counted every locker instead."),
        ("audience", "members"),
        ("tags", "Hybrid"),
        ("published", "on"),
        ("save", "1"),
    ];
    t.post_multipart_with(&org, &format!("/admin/articles/{id}"), &fields, None).await.assert_status(303);
    t.get_with(&member, "/search?q=lockers").await.assert_contains("Office notes");
    t.get_with(&member, "/search?q=desk&kind=article").await.assert_lacks("Office notes");
    t.finish().await;
}
