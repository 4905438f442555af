//! What a network's organisers and members would hit in their first week (issue 15): each defect found,
//! told as the story of the person who met it.

use chrono::Duration;

use crate::meetings::meeting;
use crate::on_both_engines;
use crate::support::{Engine, TestApp, browser, plain_text};

on_both_engines!(
    links_in_a_newsletters_introduction_work_in_every_mail_client,
    search_and_the_private_calendar_can_be_found,
    saving_e_mail_preferences_unchanged_records_nothing,
    a_members_feed_says_which_meetings_they_registered_for,
    a_visitor_cannot_tell_whether_a_members_title_exists,
    e_mails_ask_for_a_reply_only_where_one_can_arrive,
    what_the_html_checker_refused_is_gone,
    meeting_e_mails_carry_buttons_not_bare_addresses,
    search_shows_words_not_markdown_and_finds_news,
    a_newsletter_says_who_it_will_reach_and_asks_before_sending,
    the_network_keeps_one_list_of_disciplines_and_sectors,
    a_forms_mistakes_are_listed_from_top_to_bottom,
    organisers_keep_the_list_of_regions,
    the_organisers_overview_shows_what_waits_for_them,
);

/// Sends a members' issue with this introduction to one reader; gives their copy (raw).
async fn issue_with_intro(t: &TestApp, intro: &str) -> Vec<u8> {
    let org = t.organiser().await;
    let reader = t.member("rea@org.example.com", "Rea Reader").await;
    t.post_with(&reader, "/account/email", &[("newsletter", "on"), ("meeting_reminders", "on")])
        .await
        .assert_status(303);
    let created = t
        .post_with(&org, "/admin/newsletters", &[("subject", "Links"), ("intro", intro), ("audience", "members")])
        .await;
    created.assert_status(303);
    let path = created.location().unwrap().to_string();
    t.post_with(&org, &format!("{path}/send"), &[("confirm", "on")]).await.assert_status(303);
    t.wait_for_mail_containing("rea@org.example.com", "the library").await;
    t.outbox_files().into_iter().find(|f| String::from_utf8_lossy(f).contains("Subject: Links")).unwrap()
}

async fn links_in_a_newsletters_introduction_work_in_every_mail_client(engine: Engine) {
    let t = TestApp::start(engine).await;
    let intro =
        "Hello everyone,\n\nRead [the library](/library) and [the guide](https://example.org/guide).\n\nSee you soon.";
    let raw = issue_with_intro(&t, intro).await;
    let mail = mailparse::parse_mail(&raw).unwrap();
    let html = crate::security::all_parts(&mail)
        .into_iter()
        .find(|p| p.ctype.mimetype == "text/html")
        .map(|p| p.get_body().unwrap())
        .unwrap();
    let library = format!(r#"href="{}/library""#, t.base);
    assert!(html.contains(&library), "the site's link is absolute in the HTML part");
    assert!(html.contains(r#"href="https://example.org/guide""#));
    let text = plain_text(&mail).unwrap().replace("\r\n", "\n");
    assert!(text.contains(&format!("the library <{}/library>", t.base)), "{text}");
    assert!(text.contains("the guide <https://example.org/guide>"), "{text}");
    assert!(text.contains("https://example.org/guide>.\n\nSee you soon."), "paragraphs stay apart: {text}");
    // The introduction greets its readers itself: no second greeting above it.
    assert!(!text.contains("Hello Rea Reader"), "{text}");
    assert!(!html.contains("Hello Rea Reader"));
    t.finish().await;
}

async fn search_and_the_private_calendar_can_be_found(engine: Engine) {
    let t = TestApp::start(engine).await;
    for path in ["/", "/about", "/meetings"] {
        t.get(path).await.assert_contains(r#"<a href="/search">Search</a>"#);
    }
    t.get("/meetings").await.assert_lacks(r#"href="/account/calendar""#);
    let member = t.member("mel@org.example.com", "Mel Member").await;
    t.get_with(&member, "/account").await.assert_contains(r#"href="/account/calendar""#);
    t.get_with(&member, "/meetings").await.assert_contains(r#"href="/account/calendar""#);
    t.finish().await;
}

async fn saving_e_mail_preferences_unchanged_records_nothing(engine: Engine) {
    let t = TestApp::start(engine).await;
    let member = t.member("pat@org.example.com", "Pat Prefs").await;
    // The page shows the choices in force, defaults included: meeting reminders are on until turned off.
    let page = t.get_with(&member, "/account/email").await;
    assert!(
        page.body.contains(r#"id="meeting_reminders" name="meeting_reminders" type="checkbox" value="on" checked"#)
    );
    assert!(!page.body.contains(r#"id="newsletter" name="newsletter" type="checkbox" value="on" checked"#));
    // Saved as shown: nothing is recorded, and the defaults stay in force.
    t.post_with(&member, "/account/email", &[("meeting_reminders", "on")]).await.assert_status(303);
    assert!(swn::membership::consent::history(&t.app.db, &member.id).await.unwrap().is_empty());
    // One box changed: that one choice is recorded.
    t.post_with(&member, "/account/email", &[("meeting_reminders", "on"), ("newsletter", "on")])
        .await
        .assert_status(303);
    let history = swn::membership::consent::history(&t.app.db, &member.id).await.unwrap();
    assert_eq!(history.iter().map(|r| (r.category.as_str(), r.granted)).collect::<Vec<_>>(), [("newsletter", true)]);
    t.finish().await;
}

/// What a feed says: its PRODID, and (summary, status) for each event.
fn statuses(ics: &str) -> (String, Vec<(String, String)>) {
    let unfolded = ics.replace("\r\n ", "");
    let prodid = unfolded.lines().find_map(|l| l.strip_prefix("PRODID:")).unwrap_or_default().trim().to_string();
    let mut events: Vec<(String, String)> = unfolded
        .split("BEGIN:VEVENT")
        .skip(1)
        .map(|event| {
            let field =
                |name: &str| event.lines().find_map(|l| l.strip_prefix(name)).unwrap_or_default().trim().to_string();
            (field("SUMMARY:"), field("STATUS:"))
        })
        .collect();
    events.sort();
    (prodid, events)
}

async fn a_members_feed_says_which_meetings_they_registered_for(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let going = meeting(&t, &org, "Going", "members", "10", Duration::days(3), &[]).await;
    let full = meeting(&t, &org, "Full", "members", "1", Duration::days(4), &[]).await;
    meeting(&t, &org, "Maybe", "members", "10", Duration::days(5), &[]).await;
    let other = t.member("oth@org.example.com", "Oth Other").await;
    t.post_with(&other, &format!("/meetings/{full}/register"), &[]).await.assert_status(303);
    let member = t.member("cal@org.example.com", "Cal Endar").await;
    t.post_with(&member, &format!("/meetings/{going}/register"), &[]).await.assert_status(303);
    t.post_with(&member, &format!("/meetings/{full}/register"), &[]).await.assert_status(303);

    let made = t.post_with(&member, "/account/calendar", &[("action", "new")]).await;
    made.assert_status(200);
    let start = made.body.find(&format!("{}/calendar/", t.base)).unwrap();
    let link: String = made.body[start..].chars().take_while(|c| !matches!(c, '<' | '"')).collect();
    let feed = browser().get(&link).send().await.unwrap().text().await.unwrap();
    let (prodid, events) = statuses(&feed);
    assert_eq!(prodid, "-//Smart Work Network//swn//EN");
    let expected = [("Full", "TENTATIVE"), ("Going", "CONFIRMED"), ("Maybe", "TENTATIVE")];
    assert_eq!(
        events,
        expected.map(|(a, b)| (a.to_string(), b.to_string())),
        "waitlisted and unregistered are tentative"
    );

    // The member chooses to keep only what they registered for.
    t.post_with(&member, "/account/calendar", &[("action", "choose"), ("holds", "registered")])
        .await
        .assert_status(303);
    t.get_with(&member, "/account/calendar").await.assert_contains(r#"value="registered" checked"#);
    let data = t.get_with(&member, "/account/data").await.body;
    assert!(
        data.contains(r#""only_registered":true"#) || data.contains(r#""only_registered": true"#),
        "the choice is in the export"
    );
    let feed = browser().get(&link).send().await.unwrap().text().await.unwrap();
    let (_, events) = statuses(&feed);
    let expected = [("Full", "TENTATIVE"), ("Going", "CONFIRMED")];
    assert_eq!(events, expected.map(|(a, b)| (a.to_string(), b.to_string())));
    t.finish().await;
}

async fn a_visitor_cannot_tell_whether_a_members_title_exists(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let fields = [
        ("title", "Our merger plans"),
        ("slug", "merger-plans"),
        ("author_name", "Olivia Organiser"),
        ("summary", "Members only."),
        ("body", "Text."),
        ("audience", "members"),
        ("published", "on"),
        ("save", "1"),
    ];
    t.post_multipart_with(&org, "/admin/articles/new", &fields, None).await.assert_status(303);
    for kind in ["articles", "resources", "case-studies"] {
        let real = t.get(&format!("/{kind}/merger-plans")).await;
        let made_up = t.get(&format!("/{kind}/no-such-title")).await;
        assert_eq!(made_up.status, 303, "{kind}: a made-up title asks a visitor to sign in");
        if kind == "articles" {
            assert_eq!(real.status, 303);
        }
    }
    let api_real = browser().get(t.url("/api/v1/articles/merger-plans")).send().await.unwrap().status();
    let api_made_up = browser().get(t.url("/api/v1/articles/no-such-title")).send().await.unwrap().status();
    assert_eq!(api_real, api_made_up, "the API answers a caller without a token the same way too");
    // A member still gets a plain 404 for what does not exist.
    let member = t.member("mem@org.example.com", "Mem Ber").await;
    t.get_with(&member, "/articles/no-such-title").await.assert_status(404);
    t.get_with(&member, "/articles/merger-plans").await.assert_status(200);
    t.finish().await;
}

/// Applies, confirms and is refused; gives the refusal's text.
async fn refused(t: &TestApp, org: &reqwest::Client, applicant: &crate::membership::Applicant<'_>) -> String {
    crate::membership::apply_and_verify(t, applicant).await;
    let id = crate::membership::application_id(t, applicant.email).await;
    let decision = [("decision", "reject"), ("message", "Too small.")];
    t.post_with(org, &format!("/admin/applications/{id}/decide"), &decision).await.assert_status(303);
    t.wait_for_mail_containing(applicant.email, "Too small.").await
}

async fn e_mails_ask_for_a_reply_only_where_one_can_arrive(engine: Engine) {
    // Without a reply address, a refusal does not ask for a reply, and carries no Reply-To.
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let applicant = crate::membership::Applicant {
        name: "Rex Refused",
        email: "rex@smallco.example.com",
        employment: "employee",
        employees: "4200",
        organisation: "Small Co",
        domain: "smallco.example.com",
    };
    let refusal = refused(&t, &org, &applicant).await;
    assert!(!refusal.contains("reply to this e-mail"), "{refusal}");
    let raw = t.outbox_files().into_iter().find(|f| String::from_utf8_lossy(f).contains("Too small.")).unwrap();
    assert!(!String::from_utf8_lossy(&raw).contains("Reply-To:"));
    t.finish().await;

    // With one (SWN_MAIL_REPLY_TO), every e-mail carries it, and the refusal invites a reply.
    let t = TestApp::start_with(engine, |c| {
        c.mail_reply_to = Some("Organisers <organisers@network.example.org>".parse().unwrap());
    })
    .await;
    let org = t.organiser().await;
    let refusal = refused(&t, &org, &applicant).await;
    assert!(refusal.contains("reply to this e-mail"), "{refusal}");
    for raw in t.outbox_files() {
        let parsed = mailparse::parse_mail(&raw).unwrap();
        let reply_to = parsed.headers.iter().find(|h| h.get_key_ref().eq_ignore_ascii_case("reply-to"));
        assert!(reply_to.is_some_and(|h| h.get_value().contains("organisers@network.example.org")));
    }
    t.finish().await;
}

/// The W3C Nu checker's three findings: `<time datetime>` with nanoseconds, a form inside a paragraph, and
/// `autocomplete="username"` on an e-mail field.
async fn what_the_html_checker_refused_is_gone(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let news = [("title", "Hello network"), ("summary", "News."), ("body", "B"), ("published", "on")];
    t.post_with(&org, "/admin/news/new", &news).await.assert_status(303);
    let article = [
        ("title", "Timed article"),
        ("slug", "timed-article"),
        ("author_name", "Olivia Organiser"),
        ("summary", "S."),
        ("body", "B."),
        ("audience", "public"),
        ("published", "on"),
        ("save", "1"),
    ];
    t.post_multipart_with(&org, "/admin/articles/new", &article, None).await.assert_status(303);
    let time = scraper::Selector::parse("time[datetime]").unwrap();
    for path in ["/", "/news", "/articles/timed-article"] {
        let page = t.get(path).await.html();
        let values: Vec<String> =
            page.select(&time).filter_map(|e| e.value().attr("datetime")).map(String::from).collect();
        assert!(!values.is_empty(), "{path} shows a date");
        for v in values {
            let ok = v.len() == 20 && v.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(&v).is_ok();
            assert!(ok, "{path}: {v} is not a whole-second UTC time");
        }
    }
    let member = t.member("mem@org.example.com", "Mem Ber").await;
    // Read as sent (an HTML parser would close the paragraph before the form and hide the fault).
    let category = t.get_with(&member, "/forum/c/people").await.body;
    let mut open_paragraph = false;
    for tag in category.split('<').skip(1) {
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '/').collect();
        match name.as_str() {
            "p" => open_paragraph = true,
            "/p" => open_paragraph = false,
            "form" => assert!(!open_paragraph, "a form inside a paragraph"),
            _ => {}
        }
    }
    let sign_in = t.get("/sign-in").await;
    assert_eq!(sign_in.attr("input#email", "autocomplete").as_deref(), Some("email"));
    t.finish().await;
}

/// On a phone, a bare joining or cancel address makes the message wider than the screen: in the HTML part
/// they are buttons with short labels; the text part keeps the addresses.
async fn meeting_e_mails_carry_buttons_not_bare_addresses(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let soon = meeting(&t, &org, "Soon", "members", "10", Duration::hours(2), &[]).await;
    let member = t.member("bea@org.example.com", "Bea Button").await;
    t.post_with(&member, &format!("/meetings/{soon}/register"), &[]).await.assert_status(303);
    t.wait_for_mail_containing("bea@org.example.com", "You have a place").await;
    let raw = t.outbox_files().into_iter().find(|f| String::from_utf8_lossy(f).contains("You are registered")).unwrap();
    let mail = mailparse::parse_mail(&raw).unwrap();
    let html = crate::security::all_parts(&mail)
        .into_iter()
        .find(|p| p.ctype.mimetype == "text/html")
        .map(|p| p.get_body().unwrap())
        .unwrap();
    let page = scraper::Html::parse_document(&html);
    let words: String = page.root_element().text().collect();
    let links: Vec<(String, String)> = page
        .select(&scraper::Selector::parse("a[href]").unwrap())
        .map(|a| (a.text().collect::<String>(), a.value().attr("href").unwrap().to_string()))
        .collect();
    for (label, part) in [("Join the meeting", "meet.example.org"), ("Cancel my place", "/registrations/cancel/")] {
        assert!(links.iter().any(|(l, h)| l == label && h.contains(part)), "a {label} button: {links:?}");
        assert!(!words.contains(part), "no bare {part} address in the words: {words}");
    }
    let text = plain_text(&mail).unwrap();
    assert!(text.contains("meet.example.org") && text.contains("/registrations/cancel/"), "{text}");
    t.finish().await;
}

/// Search results read as text (no `**`), news is found, and a mention in a post links to the member.
async fn search_shows_words_not_markdown_and_finds_news(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let priya = t.member("priya@org.example.com", "Priya Shah").await;
    let body = "We run **two anchor days** a week, as [our guide](https://example.org/g) says. Ask @priya-shah.";
    let posted = t
        .post_with(&org, "/forum/c/people/new", &[("title", "Anchor days"), ("body", body), ("kind", "question")])
        .await;
    posted.assert_status(303);
    let topic = posted.location().unwrap().to_string();
    let mention = format!(r#"<a href="/members/{}""#, priya.id);
    t.get_with(&priya, &topic).await.assert_contains(&mention).assert_contains("@priya-shah</a>");

    let found = t.get_with(&priya, "/search?q=anchor+days").await;
    found.assert_contains("Anchor days").assert_lacks("**").assert_lacks("](https://");
    assert!(found.body.contains("<mark>anchor</mark> <mark>days</mark> a week"), "{}", found.body);

    let news = [("title", "Hybrid charter signed"), ("summary", "Ten employers."), ("body", "B"), ("published", "on")];
    t.post_with(&org, "/admin/news/new", &news).await.assert_status(303);
    t.get("/search?q=charter").await.assert_contains("Hybrid charter signed");
    t.get("/search?q=charter&kind=news").await.assert_contains("Hybrid charter signed");
    // Words are matched whatever their case, and as written: a regular expression's characters are letters.
    let news = [("title", "Charter (v2.0) for hybrid+"), ("summary", "Signed."), ("body", "B"), ("published", "on")];
    t.post_with(&org, "/admin/news/new", &news).await.assert_status(303);
    t.get("/search?q=CHARTER+%28V2.0%29+HYBRID%2B&kind=news").await.assert_contains("Charter (v2.0) for hybrid+");
    t.get("/search?q=v2.0+c.arter&kind=news").await.assert_lacks("Charter (v2.0)");
    t.get("/search?q=%5E%28charter%7C%5B&kind=news").await.assert_status(200).assert_lacks("Charter (v2.0)");
    t.finish().await;
}

/// Before "Send now", the draft says how many readers it would reach (consent and suppression counted), and
/// sending asks for a confirmation.
async fn a_newsletter_says_who_it_will_reach_and_asks_before_sending(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    for (email, name) in [("one@org.example.com", "One Reader"), ("two@org.example.com", "Two Reader")] {
        let m = t.member(email, name).await;
        t.post_with(&m, "/account/email", &[("newsletter", "on")]).await.assert_status(303);
    }
    t.member("quiet@org.example.com", "Quiet Member").await;
    let created = t
        .post_with(&org, "/admin/newsletters", &[("subject", "Count"), ("intro", "Hi."), ("audience", "members")])
        .await;
    let path = created.location().unwrap().to_string();
    t.get_with(&org, &path)
        .await
        .assert_contains("it would go to <strong>2</strong> readers: 2 members and 0 public subscribers");
    let unconfirmed = t.post_with(&org, &format!("{path}/send"), &[]).await;
    unconfirmed.assert_status(422).assert_contains("Tick the box to confirm");
    t.get_with(&org, &path).await.assert_contains(r#"<strong id="newsletter-status">draft</strong>"#);
    t.post_with(&org, &format!("{path}/send"), &[("confirm", "on")]).await.assert_status(303);
    t.wait_for_mail_containing("two@org.example.com", "Hi.").await;
    let sent = t.get_with(&org, &path).await;
    assert!(sent.body.contains("<p>Audiences: ") && !sent.body.contains("; </p>"), "no stray punctuation");
    t.finish().await;
}

/// Meetings use the four disciplines joining, the library and profiles use, and the sectors end with "Other".
async fn the_network_keeps_one_list_of_disciplines_and_sectors(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let form = t.get_with(&org, "/admin/meetings/new").await;
    for (key, label) in swn::membership::DISCIPLINES {
        form.assert_contains(&format!(r#"name="discipline_{key}""#)).assert_contains(label);
    }
    meeting(&t, &org, "Leading change", "open", "10", Duration::days(3), &[("discipline_change", "on")]).await;
    meeting(&t, &org, "Desk data", "open", "10", Duration::days(4), &[("discipline_workplace", "on")]).await;
    t.get("/meetings?discipline=change").await.assert_contains("Leading change").assert_lacks("Desk data");
    t.get("/meetings").await.assert_contains(r#"<option value="change""#);
    assert_eq!(swn::membership::SECTORS.last(), Some(&"Other"));
    t.get("/join").await.assert_contains(">Other</option>");
    t.finish().await;
}

/// The summary above a form lists its mistakes in the form's order, each a link to its field.
async fn a_forms_mistakes_are_listed_from_top_to_bottom(engine: Engine) {
    let t = TestApp::start(engine).await;
    let page = t.post("/join", &[("name", ""), ("employees", "lots")]).await;
    page.assert_status(400);
    let html = page.html();
    let summary: Vec<String> = html
        .select(&scraper::Selector::parse(".error-summary a[href^='#']").unwrap())
        .map(|a| a.value().attr("href").unwrap().trim_start_matches('#').to_string())
        .collect();
    assert!(summary.len() >= 4, "{summary:?}");
    let fields: Vec<String> = html
        .select(&scraper::Selector::parse("main form [id]").unwrap())
        .filter_map(|e| e.value().attr("id").map(String::from))
        .collect();
    let positions: Vec<usize> = summary
        .iter()
        .map(|id| fields.iter().position(|f| f == id).unwrap_or_else(|| panic!("#{id} links to no field")))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{summary:?} is not in the form's order");
    each_mistake_is_tied_to_its_field(&html);

    // The same holds on organisers' forms, a group of radio buttons included.
    let org = t.organiser().await;
    for (path, form) in [
        ("/admin/news/new", vec![("title", ""), ("summary", ""), ("body", "")]),
        ("/admin/groups/new", vec![("name", ""), ("kind", "nonsense")]),
    ] {
        let page = t.post_with(&org, path, &form).await;
        assert!(page.status.is_client_error(), "{path}: {}", page.status);
        each_mistake_is_tied_to_its_field(&page.html());
    }
    // An article's Preview works without JavaScript before the required fields are filled.
    let editor = t.get_with(&org, "/admin/articles/new").await.html();
    let preview = editor.select(&scraper::Selector::parse("button[name=preview]").unwrap()).next().unwrap();
    assert!(preview.value().attr("formnovalidate").is_some(), "the browser would ask for a summary first");
    t.finish().await;
}

/// Each message beside a field has an id, and exactly one field says it is invalid and is described by it.
fn each_mistake_is_tied_to_its_field(html: &scraper::Html) {
    let messages: Vec<&str> = html
        .select(&scraper::Selector::parse(".field-error").unwrap())
        .map(|p| p.value().attr("id").expect("a field's message has an id"))
        .collect();
    assert!(!messages.is_empty());
    for id in &messages {
        let field = scraper::Selector::parse(&format!("[aria-describedby~='{id}']")).unwrap();
        let fields: Vec<_> = html.select(&field).collect();
        assert_eq!(fields.len(), 1, "#{id} describes {} fields", fields.len());
        assert_eq!(fields[0].value().attr("aria-invalid"), Some("true"), "the field of #{id}");
        assert_eq!(Some(id.trim_end_matches("-error")), fields[0].value().attr("id"));
    }
    let invalid = html.select(&scraper::Selector::parse("[aria-invalid=true]").unwrap()).count();
    assert_eq!(invalid, messages.len(), "a field is marked invalid without a message");
}

/// Applicants choose a region from the list organisers keep; renaming one follows it everywhere it is named
/// (organisations, newsletters sent to it, the directory), and one with organisations in it stays.
async fn organisers_keep_the_list_of_regions(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    t.get("/join")
        .await
        .assert_contains("<option>North West England</option>")
        .assert_contains("<option>Wales</option>");
    let refused = t.post("/join", &[("region", "Atlantis")]).await;
    refused.assert_status(400).assert_contains("Choose the organisation&#39;s region or country from the list.");

    // An organiser adds a region; it is offered at once, and cannot be added twice.
    t.post_with(&org, "/admin/regions", &[("name", "Channel Islands")]).await.assert_status(303);
    t.get("/join").await.assert_contains("<option>Channel Islands</option>");
    let twice = t.post_with(&org, "/admin/regions", &[("name", " channel islands ")]).await;
    twice.assert_status(422).assert_contains("is on the list already");
    t.post_with(&org, "/admin/regions", &[("name", "Two\nlines")]).await.assert_status(422);

    // A region with an organisation in it, and a draft newsletter sent to it.
    let member = t.member("gwen@org.example.com", "Gwen Hughes").await;
    let mut tx = t.app.db.begin().await.unwrap();
    let org_id =
        swn::membership::insert_organisation(&mut tx, "Welsh Example", "Public sector", 900, "Wales", "implementing")
            .await
            .unwrap();
    swn::execute!(&mut tx, "UPDATE users SET organisation_id = $1 WHERE email = $2", &org_id, "gwen@org.example.com")
        .unwrap();
    tx.commit().await.unwrap();
    let draft = t
        .post_with(
            &org,
            "/admin/newsletters",
            &[("subject", "For Wales"), ("intro", "Hello."), ("audience", "region:Wales")],
        )
        .await;
    draft.assert_status(303);
    let draft = draft.location().unwrap().to_string();
    t.get_with(&org, "/admin/regions").await.assert_contains("<td>Wales</td><td>1</td>");

    // Renamed, it is renamed everywhere; the draft still goes to the same people.
    t.get_with(&org, "/admin/regions/rename?name=Wales").await.assert_status(200).assert_contains("value=\"Wales\"");
    let taken = t.post_with(&org, "/admin/regions/rename", &[("name", "Wales"), ("new_name", "LONDON")]).await;
    taken.assert_status(422).assert_contains("is on the list already");
    t.post_with(&org, "/admin/regions/rename", &[("name", "Wales"), ("new_name", "Cymru")]).await.assert_status(303);
    t.get_with(&org, &draft).await.assert_contains(r#"value="region:Cymru" checked"#);
    t.get_with(&member, "/members?region=Cymru").await.assert_contains("Gwen Hughes");
    t.get("/join").await.assert_contains("<option>Cymru</option>").assert_lacks("<option>Wales</option>");

    // One with an organisation in it cannot be removed; an empty one can; the order is the organisers' own.
    let kept = t.post_with(&org, "/admin/regions/change", &[("name", "Cymru"), ("action", "remove")]).await;
    kept.assert_status(409);
    t.post_with(&org, "/admin/regions/change", &[("name", "Channel Islands"), ("action", "up")])
        .await
        .assert_status(303);
    let list = t.get_with(&org, "/admin/regions").await.body;
    assert!(list.find("Channel Islands").unwrap() < list.find("Rest of the world").unwrap());
    t.post_with(&org, "/admin/regions/change", &[("name", "Channel Islands"), ("action", "remove")])
        .await
        .assert_status(303);
    t.get("/join").await.assert_lacks("Channel Islands");
    // Only organisers keep the list.
    t.post_with(&member, "/admin/regions", &[("name", "Mars")]).await.assert_status(403);
    t.finish().await;
}

/// An organiser's overview says what waits for them: applications (and for how long), flagged posts, meetings
/// ahead with their places, newsletters scheduled, e-mails failing and memberships ending this month.
async fn the_organisers_overview_shows_what_waits_for_them(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let card = |html: &scraper::Html, title: &str| -> String {
        let cards = scraper::Selector::parse(".waiting > li").unwrap();
        let found = html.select(&cards).find(|c| c.text().collect::<String>().contains(title));
        let text = found.unwrap_or_else(|| panic!("no card {title}")).text().collect::<Vec<_>>().join(" ");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    // A fresh network: every card is there, at zero.
    let quiet = t.get_with(&org, "/admin").await.html();
    for title in ["Applications waiting", "Flagged posts", "Meetings ahead", "Newsletters scheduled", "E-mails failing"]
    {
        assert!(card(&quiet, title).contains(&format!("{title} 0")), "{}", card(&quiet, title));
    }

    // An application, confirmed; a flagged post; a meeting with a registration; a scheduled issue; a member whose
    // term ends this month; an e-mail the server refused.
    let applicant = crate::membership::Applicant {
        name: "Wanda Waiting",
        email: "wanda@bigco.example.com",
        employment: "employee",
        employees: "4200",
        organisation: "Big Co",
        domain: "bigco.example.com",
    };
    crate::membership::apply_and_verify(&t, &applicant).await;
    let member = t.member("mo@org.example.com", "Mo Member").await;
    let topic = crate::forum::topic(&t, &member, "general", "Desk ratios", "What ratio do you run?", &[]).await;
    let page = t.get_with(&member, &format!("/forum/t/{topic}")).await;
    let post = page.attr(".post", "id").unwrap().trim_start_matches("post-").to_string();
    t.post_with(&member, &format!("/forum/p/{post}/flag"), &[("reason", "Selling a product")]).await.assert_status(303);
    let slug = meeting(&t, &org, "Rotas that stick", "members", "12", Duration::days(5), &[]).await;
    t.post_with(&member, &format!("/meetings/{slug}/register"), &[]).await.assert_status(303);
    let letter = t
        .post_with(
            &org,
            "/admin/newsletters",
            &[("subject", "December news"), ("intro", "Hi."), ("audience", "members")],
        )
        .await;
    let letter = letter.location().unwrap().to_string();
    let at = (chrono::Utc::now() + Duration::days(2)).with_timezone(&chrono_tz::Europe::London);
    let at = at.format("%Y-%m-%dT%H:%M").to_string();
    t.post_with(&org, &format!("{letter}/schedule"), &[("send_at", at.as_str())]).await.assert_status(303);
    let now = chrono::Utc::now();
    let ends = swn::web::time::start_of_next_month(now, chrono_tz::Europe::London) - Duration::minutes(1);
    swn::execute!(&t.app.db, "UPDATE users SET membership_ends_at = $1 WHERE email = 'mo@org.example.com'", ends)
        .unwrap();
    swn::execute!(
        &t.app.db,
        "UPDATE outbox SET status = 'failed', last_error = '550 no such mailbox' WHERE to_address = 'wanda@bigco.example.com'"
    )
    .unwrap();

    let busy = t.get_with(&org, "/admin").await.html();
    let applications = card(&busy, "Applications waiting");
    assert!(applications.contains("Applications waiting 1 The oldest has waited 0 days."), "{applications}");
    assert!(applications.contains("Wanda Waiting (Big Co)"), "{applications}");
    let flags = card(&busy, "Flagged posts");
    assert!(flags.contains("Flagged posts 1") && flags.contains("Selling a product"), "{flags}");
    let meetings = card(&busy, "Meetings ahead");
    assert!(meetings.contains("Meetings ahead 1") && meetings.contains("11 of 12 places left"), "{meetings}");
    let letters = card(&busy, "Newsletters scheduled");
    assert!(letters.contains("Newsletters scheduled 1") && letters.contains("December news"), "{letters}");
    let ending = card(&busy, "Memberships ending this month");
    assert!(ending.contains("Memberships ending this month 1") && ending.contains("Mo Member"), "{ending}");
    let failing = card(&busy, "E-mails failing");
    assert!(failing.starts_with("E-mails failing") && !failing.contains("failing 0"), "{failing}");

    // The e-mails say when they were queued and sent; the failing ones are listed on their own.
    let table = t.get_with(&org, "/admin").await;
    table.assert_contains(r#"<th scope="col">Queued</th><th scope="col">Sent</th>"#).assert_contains("<time datetime=");
    t.get_with(&org, "/admin?mail=failed")
        .await
        .assert_contains("550 no such mailbox")
        .assert_lacks("mo@org.example.com</td>");

    // The queue speaks to organisers, not in the applicant's words.
    t.get_with(&org, "/admin/applications")
        .await
        .assert_contains("Waiting for an organiser&#39;s decision")
        .assert_lacks("Waiting for you")
        .assert_lacks("Waiting for review by an organiser");
    t.finish().await;
}
