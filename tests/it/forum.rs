//! The members' forum, as members, moderators and outsiders meet it.

use crate::on_both_engines;
use crate::support::{Answer, Engine, TestApp, browser};

on_both_engines!(
    ask_reply_and_accept_an_answer,
    anonymous_questions_never_show_the_name,
    mentions_notify_in_the_site_and_by_email,
    watching_and_unread,
    group_categories_and_search_stay_private,
    moderation_actions_are_logged,
    stored_xss_renders_inert,
    forum_routes_answer_each_role_as_the_policy_says,
    a_daily_digest_goes_once_a_day,
    organisers_add_categories_and_search_filters_by_date,
    one_click_unsubscribe_and_no_header_injection,
    likes_are_counted_once_and_bookmarks_are_kept,
    a_narrow_search_finds_hits_behind_many_better_ones,
);

/// Posts a topic; gives its id.
pub(crate) async fn topic(
    t: &TestApp,
    client: &reqwest::Client,
    category: &str,
    title: &str,
    body: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut fields = vec![("title", title), ("body", body), ("kind", "question")];
    for (k, v) in extra {
        fields.retain(|(key, _)| key != k);
        fields.push((k, v));
    }
    let posted = t.post_with(client, &format!("/forum/c/{category}/new"), &fields).await;
    posted.assert_status(303);
    posted.location().unwrap().trim_start_matches("/forum/t/").to_string()
}

async fn reply(t: &TestApp, client: &reqwest::Client, topic: &str, body: &str) -> Answer {
    t.post_with(client, &format!("/forum/t/{topic}/reply"), &[("body", body)]).await
}

async fn ask_reply_and_accept_an_answer(engine: Engine) {
    let t = TestApp::start(engine).await;
    let asker = t.member("ann@council.example.gov.uk", "Ann Asker").await;
    let helper = t.member("hal@insurer.example.com", "Hal Helper").await;
    t.get_with(&asker, "/forum")
        .await
        .assert_status(200)
        .assert_contains("People")
        .assert_contains("Workplace")
        .assert_contains("Technology");
    t.post_with(&asker, "/forum/c/people/new", &[("title", ""), ("body", ""), ("kind", "question")])
        .await
        .assert_status(422)
        .assert_contains("The title is required");
    let id =
        topic(&t, &asker, "people", "How do you run trial periods?", "We want to trial **anchor days**.", &[]).await;
    reply(&t, &helper, &id, "We ran ours for *twelve weeks* with a baseline.").await.assert_status(303);
    reply(&t, &helper, &id, "").await.assert_status(422);
    let page = t.get_with(&asker, &format!("/forum/t/{id}")).await;
    page.assert_contains("<strong>anchor days</strong>")
        .assert_contains("<em>twelve weeks</em>")
        .assert_contains("Accept as the answer");
    let reply_id = page.attr(".post:not(:first-child)", "id").unwrap().trim_start_matches("post-").to_string();
    // Only the asker (or a moderator) accepts.
    t.post_with(&helper, &format!("/forum/t/{id}/accept"), &[("post_id", &reply_id)]).await.assert_status(403);
    t.post_with(&asker, &format!("/forum/t/{id}/accept"), &[("post_id", &reply_id)]).await.assert_status(303);
    t.get_with(&helper, &format!("/forum/t/{id}")).await.assert_contains("Accepted answer");
    t.get_with(&helper, "/forum/c/people?filter=answered").await.assert_contains("How do you run trial periods?");
    t.get_with(&helper, "/forum/c/people?filter=unanswered").await.assert_lacks("How do you run trial periods?");
    // Quoting prefills the reply; editing keeps a history for moderators.
    t.get_with(&helper, &format!("/forum/t/{id}?quote={reply_id}")).await.assert_contains("&#62; We ran ours");
    t.post_with(&helper, &format!("/forum/p/{reply_id}/edit"), &[("body", "We ran ours for ten weeks.")])
        .await
        .assert_status(303);
    t.post_with(&asker, &format!("/forum/p/{reply_id}/edit"), &[("body", "Vandalised")]).await.assert_status(403);
    // The search index follows the edit.
    t.get_with(&helper, "/search?q=twelve").await.assert_lacks("How do you run trial periods?");
    t.get_with(&helper, "/search?q=ten+weeks").await.assert_contains("How do you run trial periods?");
    let moderator = t.moderator("mo@network.example.org", "Mo Derator").await;
    t.get_with(&moderator, &format!("/forum/p/{reply_id}/history"))
        .await
        .assert_status(200)
        .assert_contains("twelve weeks");
    t.get_with(&helper, &format!("/forum/p/{reply_id}/history")).await.assert_status(403);
    t.finish().await;
}

async fn anonymous_questions_never_show_the_name(engine: Engine) {
    let t = TestApp::start(engine).await;
    let asker = t.member("secret.asker@council.example.gov.uk", "Zelda Secretname").await;
    let other = t.member("other@insurer.example.com", "Olly Other").await;
    swn::execute!(&t.app.db, "INSERT INTO forum_watches (user_id, target_id, target_kind, created_at) SELECT u.id, c.id, 'category', $1 FROM users u, forum_categories c WHERE u.email = 'other@insurer.example.com' AND c.slug = 'people'", chrono::Utc::now()).unwrap();
    let id = topic(
        &t,
        &asker,
        "people",
        "Unions and hybrid working",
        "How did you involve the unions?",
        &[("anonymous", "on")],
    )
    .await;
    reply(&t, &asker, &id, "To add: we are a large employer.").await.assert_status(303);
    for path in [
        format!("/forum/t/{id}"),
        "/forum/c/people".into(),
        "/search?q=unions".into(),
        "/notifications".into(),
        "/forum".into(),
    ] {
        let a = t.get_with(&other, &path).await;
        a.assert_status(200).assert_lacks("Zelda").assert_lacks("Secretname").assert_lacks("secret.asker");
    }
    t.get_with(&other, &format!("/forum/t/{id}")).await.assert_contains("A practitioner");
    let moderator = t.moderator("mo@network.example.org", "Mo Derator").await;
    t.get_with(&moderator, &format!("/forum/t/{id}")).await.assert_contains("Zelda Secretname");
    t.finish().await;
}

async fn mentions_notify_in_the_site_and_by_email(engine: Engine) {
    let t = TestApp::start(engine).await;
    let writer = t.member("wes@council.example.gov.uk", "Wes Writer").await;
    let priya = t.member("priya.shah@northshire.example.gov.uk", "Priya Shah").await;
    // Priya wants forum e-mails.
    t.post_with(&priya, "/account/email", &[("forum_notifications", "on")]).await.assert_status(303);
    topic(
        &t,
        &writer,
        "general",
        "Desk booking tools",
        "Has anyone compared tools? @priya-shah did this last year.",
        &[("kind", "discussion")],
    )
    .await;
    let page = t.get_with(&priya, "/notifications").await;
    page.assert_contains("You were mentioned in “Desk booking tools”");
    let mail = t.wait_for_mail_containing("priya.shah@northshire.example.gov.uk", "You were mentioned").await;
    let link =
        crate::support::find_link(&mail, &format!("{}/unsubscribe/", t.base)).expect("a one-click unsubscribe link");
    let path = link.strip_prefix(&t.base).unwrap().to_string();
    let anyone = browser();
    t.get_with(&anyone, &path).await.assert_status(200).assert_contains("Notifications from the forum");
    t.post_with(&anyone, &path, &[]).await.assert_status(303);
    let prefs = t.get_with(&priya, "/account/email").await;
    assert!(prefs.attr("#forum_notifications", "checked").is_none(), "unsubscribed without signing in");
    t.post_with(&priya, "/notifications", &[]).await.assert_status(303);
    t.finish().await;
}

async fn watching_and_unread(engine: Engine) {
    let t = TestApp::start(engine).await;
    let a = t.member("a@org.example.com", "Ann A").await;
    let b = t.member("b@org.example.com", "Ben B").await;
    t.post_with(&b, "/forum/c/workplace/watch", &[("action", "watch")]).await.assert_status(303);
    let id = topic(&t, &a, "workplace", "Desk ratios", "What ratio do you plan for?", &[]).await;
    t.get_with(&b, "/forum").await.assert_contains("1 unread");
    t.get_with(&b, "/notifications").await.assert_contains("New topic in Workplace");
    t.get_with(&b, "/forum/c/workplace").await.assert_contains("New</span>");
    t.get_with(&b, &format!("/forum/t/{id}")).await.assert_status(200);
    t.get_with(&b, "/forum").await.assert_lacks("1 unread");
    // The author watches their topic and hears of replies; unwatching stops it.
    reply(&t, &b, &id, "We plan for 7 desks to 10 people.").await.assert_status(303);
    t.get_with(&a, "/notifications").await.assert_contains("New reply in “Desk ratios”");
    t.get_with(&a, "/forum").await.assert_contains("1 unread");
    t.post_with(&a, &format!("/forum/t/{id}/watch"), &[("action", "stop")]).await.assert_status(303);
    t.post_with(&a, "/notifications", &[]).await.assert_status(303);
    reply(&t, &b, &id, "And a hot-desking zone.").await.assert_status(303);
    t.get_with(&a, "/notifications").await.assert_lacks("<strong>New:</strong>");
    t.finish().await;
}

async fn group_categories_and_search_stay_private(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    t.post_with(
        &org,
        "/admin/groups/new",
        &[("name", "North West"), ("kind", "regional"), ("join_policy", "open"), ("description", "NW.")],
    )
    .await
    .assert_status(303);
    let insider = t.group_member("north-west", "in@org.example.com", "Ina Inside").await;
    let outsider = t.member("out@org.example.com", "Otto Outside").await;
    let phrase = "quixotic flamingo reorganisation";
    let id = topic(
        &t,
        &insider,
        "group-north-west",
        "Our regional plans",
        &format!("Confidential: the {phrase} in Manchester."),
        &[],
    )
    .await;
    topic(&t, &outsider, "general", "Open question about flamingos", "Anyone seen a flamingo policy?", &[]).await;
    t.get_with(&insider, "/forum").await.assert_contains("North West");
    t.get_with(&outsider, "/forum").await.assert_lacks("North West");
    t.get_with(&outsider, "/forum/c/group-north-west").await.assert_status(404);
    t.get_with(&outsider, &format!("/forum/t/{id}")).await.assert_status(404).assert_lacks(phrase);
    reply(&t, &outsider, &id, "sneaky").await.assert_status(404);
    // Search: the insider finds it; nobody else does, even by the exact phrase.
    let found = t.get_with(&insider, &format!("/search?q={}", phrase.replace(' ', "+"))).await;
    found.assert_contains("Our regional plans").assert_contains("<mark>");
    for (who, client) in [("outsider", &outsider)] {
        let hits = t.get_with(client, &format!("/search?q={}", phrase.replace(' ', "+"))).await;
        hits.assert_status(200).assert_lacks("Our regional plans").assert_lacks("Manchester");
        let quoted = t.get_with(client, &format!("/search?q=%22{}%22", phrase.replace(' ', "+"))).await;
        quoted.assert_lacks("Our regional plans");
        assert!(hits.body.contains("Nothing found"), "{who}");
    }
    t.get_with(&outsider, "/search?q=flamingo")
        .await
        .assert_contains("Open question about flamingos")
        .assert_lacks("Our regional plans");
    // Search syntax in a query is harmless.
    t.get_with(&outsider, "/search?q=%22NEAR(%28+OR+*").await.assert_status(200);
    t.get_with(&browser(), "/search?q=flamingo").await.assert_status(200).assert_lacks("Open question about flamingos");
    t.finish().await;
}

async fn moderation_actions_are_logged(engine: Engine) {
    let t = TestApp::start(engine).await;
    let a = t.member("a@org.example.com", "Ann A").await;
    let troll = t.member("troll@org.example.com", "Trev Troll").await;
    let moderator = t.moderator("mo@network.example.org", "Mo Derator").await;
    let id = topic(&t, &a, "general", "Team agreements", "Share yours?", &[]).await;
    reply(&t, &troll, &id, "Buy my consultancy services at https://spam.example").await.assert_status(303);
    let page = t.get_with(&a, &format!("/forum/t/{id}")).await;
    let spam_id = page.attr(".post:not(:first-child)", "id").unwrap().trim_start_matches("post-").to_string();
    // Flagging is a page of its own: the post beside the form, and a missing reason said beside the field.
    t.get_with(&a, &format!("/forum/t/{id}")).await.assert_contains(&format!("href=\"/forum/p/{spam_id}/flag\""));
    t.get_with(&a, &format!("/forum/p/{spam_id}/flag"))
        .await
        .assert_status(200)
        .assert_contains("Flag a post for the moderators")
        .assert_contains("Buy my consultancy services");
    t.post_with(&a, &format!("/forum/p/{spam_id}/flag"), &[("reason", " ")])
        .await
        .assert_status(422)
        .assert_contains("id=\"reason-error\"")
        .assert_contains("The reason is required.");
    t.post_with(&a, &format!("/forum/p/{spam_id}/flag"), &[("reason", "Selling")]).await.assert_status(303);
    t.get_with(&a, "/forum/moderation").await.assert_status(403);
    t.get_with(&moderator, "/forum/moderation").await.assert_contains("Selling").assert_contains("consultancy");
    t.post_with(&moderator, &format!("/forum/moderation/posts/{spam_id}"), &[("action", "hide"), ("reason", "")])
        .await
        .assert_status(400);
    t.post_with(
        &moderator,
        &format!("/forum/moderation/posts/{spam_id}"),
        &[("action", "hide"), ("reason", "No selling")],
    )
    .await
    .assert_status(303);
    t.get_with(&a, &format!("/forum/t/{id}")).await.assert_lacks("consultancy");
    // A hidden post's flag page shows its text: only to a moderator.
    t.get_with(&a, &format!("/forum/p/{spam_id}/flag")).await.assert_status(404);
    t.get_with(&moderator, &format!("/forum/p/{spam_id}/flag")).await.assert_contains("consultancy");
    t.get_with(&a, "/search?q=consultancy").await.assert_lacks("Team agreements");
    t.get_with(&moderator, &format!("/forum/t/{id}")).await.assert_contains("Hidden by a moderator");
    let troll_id = swn::auth::user_by_email(&t.app.db, "troll@org.example.com").await.unwrap().unwrap().id;
    t.post_with(
        &moderator,
        &format!("/forum/moderation/users/{troll_id}"),
        &[("action", "suspend"), ("reason", "Repeated selling")],
    )
    .await
    .assert_status(303);
    reply(&t, &troll, &id, "Again").await.assert_status(403);
    t.get_with(&troll, &format!("/forum/t/{id}")).await.assert_status(200);
    for (action, reason) in [("lock", "Finished"), ("pin", "Useful"), ("move", "Belongs in People")] {
        t.post_with(
            &moderator,
            &format!("/forum/moderation/topics/{id}"),
            &[("action", action), ("reason", reason), ("category", "people")],
        )
        .await
        .assert_status(303);
    }
    reply(&t, &a, &id, "One more").await.assert_status(409).assert_contains("locked");
    t.get_with(&a, "/forum/c/people").await.assert_contains("Team agreements").assert_contains("Pinned");
    let log = t.get_with(&moderator, "/forum/moderation/log").await;
    for text in
        ["hide post", "No selling", "suspend posting", "Trev Troll", "lock", "pin", "move to People", "Mo Derator"]
    {
        log.assert_contains(text);
    }
    t.get_with(&a, "/forum/moderation/log").await.assert_status(403);
    t.finish().await;
}

const XSS: &[&str] = &[
    "<script>alert('x1')</script>",
    "<img src=x onerror=alert('x2')>",
    "[click](javascript:alert('x3'))",
    "<a href=\"javascript:alert('x4')\">x</a>",
    "<svg onload=alert('x5')>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<div style=\"background:url(javascript:alert('x6'))\">x</div>",
    "![x](javascript:alert('x7'))",
    "<details open ontoggle=alert('x8')>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('x9')>",
];

/// No element runs script: no script or frame elements, no event-handler attributes, no javascript: URLs.
fn assert_inert(page: &Answer, path: &str, payload: &str) {
    let html = page.html();
    for el in html.select(&scraper::Selector::parse("*").unwrap()) {
        let name = el.value().name();
        assert!(!matches!(name, "script" | "iframe" | "object" | "embed"), "<{name}> from {payload:?} in {path}");
        for (attr, value) in el.value().attrs() {
            assert!(!attr.to_lowercase().starts_with("on"), "{attr} from {payload:?} in {path}");
            let v = value.trim().to_lowercase();
            assert!(
                !(matches!(attr, "href" | "src" | "action" | "style") && v.contains("javascript:")),
                "{attr}={value} from {payload:?} in {path}"
            );
        }
    }
}

async fn stored_xss_renders_inert(engine: Engine) {
    let t = TestApp::start(engine).await;
    let a = t.member("a@org.example.com", "Ann A").await;
    let b = t.member("b@org.example.com", "Ben B").await;
    for payload in XSS {
        let id = topic(&t, &a, "general", payload, payload, &[]).await;
        reply(&t, &b, &id, payload).await.assert_status(303);
        for path in [format!("/forum/t/{id}"), "/forum/c/general".into(), "/search?q=alert".into()] {
            let page = t.get_with(&b, &path).await;
            assert_inert(&page, &path, payload);
        }
    }
    t.finish().await;
}

async fn forum_routes_answer_each_role_as_the_policy_says(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    t.post_with(
        &org,
        "/admin/groups/new",
        &[("name", "North West"), ("kind", "regional"), ("join_policy", "open"), ("description", "NW.")],
    )
    .await
    .assert_status(303);
    let m = t.member("m@org.example.com", "Max Member").await;
    let coordinator = t.member("c@org.example.com", "Cleo Coordinator").await;
    t.post_with(&org, "/admin/groups/north-west/coordinators", &[("email", "c@org.example.com")])
        .await
        .assert_status(303);
    let moderator = t.moderator("mo@network.example.org", "Mo Derator").await;
    let applicant = t.applicant("app@org.example.com", "Apple Applicant").await;
    let suspended = t.suspended_member("sus@org.example.com", "Sue Suspended").await;
    let lapsed = t.lapsed_member("lap@org.example.com", "Lou Lapsed").await;
    let marker = "Forum-Members-Only-Marker";
    let open_topic = topic(&t, &m, "general", "Open to members", marker, &[]).await;
    let group_topic = topic(&t, &coordinator, "group-north-west", "Group only", marker, &[]).await;
    let post_id = t
        .get_with(&m, &format!("/forum/t/{open_topic}"))
        .await
        .attr(".post", "id")
        .unwrap()
        .trim_start_matches("post-")
        .to_string();
    let visitor = browser();
    // visitor, applicant, member, suspended, lapsed, group coordinator, moderator, organiser
    let viewers = [
        &visitor,
        &applicant.client,
        &m.client,
        &suspended.client,
        &lapsed.client,
        &coordinator.client,
        &moderator.client,
        &org.client,
    ];
    let names = ["visitor", "applicant", "member", "suspended", "lapsed", "coordinator", "moderator", "organiser"];
    let matrix: Vec<(String, [u16; 8])> = vec![
        ("/forum".into(), [303, 403, 200, 303, 403, 200, 200, 200]),
        ("/forum/c/general".into(), [303, 403, 200, 303, 403, 200, 200, 200]),
        ("/forum/c/general/new".into(), [303, 403, 200, 303, 403, 200, 200, 200]),
        (format!("/forum/t/{open_topic}"), [303, 403, 200, 303, 403, 200, 200, 200]),
        ("/forum/c/group-north-west".into(), [303, 403, 404, 303, 403, 200, 200, 200]),
        (format!("/forum/t/{group_topic}"), [303, 403, 404, 303, 403, 200, 200, 200]),
        (format!("/forum/p/{post_id}/edit"), [303, 403, 200, 303, 403, 403, 200, 200]),
        (format!("/forum/p/{post_id}/history"), [303, 403, 403, 303, 403, 403, 200, 200]),
        ("/forum/moderation".into(), [303, 403, 403, 303, 403, 403, 200, 200]),
        ("/forum/moderation/log".into(), [303, 403, 403, 303, 403, 403, 200, 200]),
        ("/notifications".into(), [303, 403, 200, 303, 403, 200, 200, 200]),
        // The search is for everyone, but forum posts are found only by members.
        ("/search?q=marker".into(), [200, 200, 200, 200, 200, 200, 200, 200]),
    ];
    for (path, expected) in &matrix {
        for ((client, who), status) in viewers.iter().zip(names).zip(expected) {
            let a = t.get_with(client, path).await;
            assert_eq!(a.status.as_u16(), *status, "{path} as {who}");
            let denied = *status != 200
                || (path.starts_with("/search") && matches!(who, "visitor" | "applicant" | "suspended" | "lapsed"));
            if denied {
                a.assert_lacks(marker);
            }
        }
    }
    t.finish().await;
}

async fn a_daily_digest_goes_once_a_day(engine: Engine) {
    let t = TestApp::start(engine).await;
    let a = t.member("a@org.example.com", "Ann A").await;
    let b = t.member("b@org.example.com", "Ben B").await;
    t.post_with(&b, "/account/email", &[("forum_digest", "on")]).await.assert_status(303);
    t.post_with(&b, "/forum/c/people/watch", &[("action", "watch")]).await.assert_status(303);
    topic(&t, &a, "people", "Digest topic one", "First.", &[]).await;
    topic(&t, &a, "people", "Digest topic two", "Second.", &[]).await;
    let now = chrono::Utc::now();
    assert_eq!(swn::forum::send_due_digests(&t.app, now).await.unwrap(), 1);
    assert_eq!(swn::forum::send_due_digests(&t.app, now).await.unwrap(), 0, "once a day");
    let mail = t.wait_for_mail_containing("b@org.example.com", "Digest topic two").await;
    assert!(mail.contains("Digest topic one") && mail.contains("/unsubscribe/"), "{mail}");
    // Ann did not ask for a digest.
    assert!(t.outbox_files().iter().all(|f| !String::from_utf8_lossy(f).contains("Your forum digest")
        || String::from_utf8_lossy(f).contains("b@org.example.com")));
    t.finish().await;
}

async fn organisers_add_categories_and_search_filters_by_date(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let m = t.member("m@org.example.com", "Max Member").await;
    t.get_with(&m, "/admin/forum").await.assert_status(403);
    t.post_with(&m, "/admin/forum", &[("name", "Rogue"), ("description", "x")]).await.assert_status(403);
    t.post_with(&org, "/admin/forum", &[("name", ""), ("description", "")])
        .await
        .assert_status(422)
        .assert_contains("The name is required");
    t.post_with(&org, "/admin/forum", &[("name", "Wellbeing"), ("description", "Switching off, workload, health.")])
        .await
        .assert_status(303);
    t.post_with(&org, "/admin/forum", &[("name", "Wellbeing"), ("description", "Again")])
        .await
        .assert_status(422)
        .assert_contains("already has this address");
    let id = topic(&t, &m, "wellbeing", "Right to disconnect", "Any policies on switching off after hours?", &[]).await;
    t.get_with(&m, "/search?q=disconnect&since=week").await.assert_contains("Right to disconnect");
    // An old post falls outside "past week".
    swn::execute!(
        &t.app.db,
        "UPDATE forum_posts SET created_at = $1 WHERE topic_id = $2",
        chrono::Utc::now() - chrono::Duration::days(40),
        &id
    )
    .unwrap();
    t.get_with(&m, "/search?q=disconnect&since=week").await.assert_lacks("Right to disconnect");
    t.get_with(&m, "/search?q=disconnect&since=year").await.assert_contains("Right to disconnect");
    t.finish().await;
}

async fn one_click_unsubscribe_and_no_header_injection(engine: Engine) {
    let t = TestApp::start(engine).await;
    let writer = t.member("wes@council.example.gov.uk", "Wes Writer").await;
    let priya = t.member("priya.shah@northshire.example.gov.uk", "Priya Shah").await;
    t.post_with(&priya, "/account/email", &[("forum_notifications", "on")]).await.assert_status(303);
    // A title that tries to add a header to the e-mail.
    let title = "Hello\r\nBcc: evil@attacker.example\r\nX-Injected: yes";
    topic(&t, &writer, "general", title, "Calling @priya-shah.", &[("kind", "discussion")]).await;
    t.wait_for_mail_containing("priya.shah@northshire.example.gov.uk", "You were mentioned").await;
    let raw =
        t.outbox_files().into_iter().find(|f| String::from_utf8_lossy(f).contains("priya.shah@northshire")).unwrap();
    let mail = mailparse::parse_mail(&raw).unwrap();
    let header =
        |name: &str| mail.headers.iter().find(|h| h.get_key_ref().eq_ignore_ascii_case(name)).map(|h| h.get_value());
    assert!(header("Bcc").is_none() && header("X-Injected").is_none(), "no header injected");
    assert_eq!(header("List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    let list = header("List-Unsubscribe").expect("List-Unsubscribe");
    let url = list.trim_start_matches('<').trim_end_matches('>').to_string();
    assert!(url.starts_with(&format!("{}/unsubscribe/", t.base)), "{url}");
    assert!(
        header("Date").is_some()
            && header("Message-ID").is_some()
            && header("From").unwrap().contains("network@swn.test")
    );
    // A mail client's one-click POST: no cookie, no form token.
    let response = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success() || response.status().is_redirection(), "{}", response.status());
    let prefs = t.get_with(&priya, "/account/email").await;
    assert!(prefs.attr("#forum_notifications", "checked").is_none());
    // Other POSTs without a token are still refused.
    let refused = reqwest::Client::new()
        .post(t.url("/account/email"))
        .form(&[("forum_notifications", "on")])
        .send()
        .await
        .unwrap();
    assert!(refused.status().as_u16() == 403);
    t.finish().await;
}

/// Likes: one per member however often the form is sent, a count and who liked for members, one growing
/// notification for the author, never one's own post; bookmarks on the member's own list, leaving out what
/// they may no longer read; both in the data export and gone with the account.
async fn likes_are_counted_once_and_bookmarks_are_kept(engine: Engine) {
    let t = TestApp::start(engine).await;
    let asker = t.member("ann@council.example.gov.uk", "Ann Asker").await;
    let helper = t.member("hal@insurer.example.com", "Hal Helper").await;
    let third = t.member("tess@bank.example.com", "Tess Third").await;
    let fourth = t.member("fay@retail.example.com", "Fay Fourth").await;
    let id = topic(&t, &asker, "people", "Anchor days or team days?", "Which worked for you?", &[]).await;
    reply(&t, &helper, &id, "Team days, agreed by each team.").await.assert_status(303);
    let page = t.get_with(&asker, &format!("/forum/t/{id}")).await;
    let reply_id = page.attr(".post:not(:first-child)", "id").unwrap().trim_start_matches("post-").to_string();
    let app = &t;
    let like = |who: &reqwest::Client, liked: &'static str| {
        let (who, path) = (who.clone(), format!("/forum/p/{reply_id}/like"));
        async move { app.post_with(&who, &path, &[("liked", liked)]).await }
    };
    // Twice from one member (a double click, a resent form): one like.
    like(&asker, "yes").await.assert_status(303);
    like(&asker, "yes").await.assert_status(303);
    // The post's kept count (what the page shows) always agrees with the likes themselves.
    let count = || async {
        let rows = swn::fetch_scalar!(&t.app.db, i64, "SELECT COUNT(*) FROM forum_likes WHERE post_id = $1", &reply_id)
            .unwrap();
        let kept =
            swn::fetch_scalar!(&t.app.db, i64, "SELECT like_count FROM forum_posts WHERE id = $1", &reply_id).unwrap();
        assert_eq!(kept, rows, "the post's like count");
        rows
    };
    assert_eq!(count().await, 1, "counted once per member");
    t.get_with(&asker, &format!("/forum/t/{id}"))
        .await
        .assert_contains("1 like</a>")
        .assert_contains("aria-pressed=\"true\">Liked</button>");
    t.get_with(&helper, "/notifications")
        .await
        .assert_contains("A member liked your answer in “Anchor days or team days?”");
    // Two more members: the author's one unread notification grows.
    like(&third, "yes").await.assert_status(303);
    like(&fourth, "yes").await.assert_status(303);
    assert_eq!(count().await, 3);
    let notes = t.get_with(&helper, "/notifications").await;
    notes.assert_contains("3 people liked your answer in “Anchor days or team days?”").assert_lacks("A member liked");
    let kind_like = swn::fetch_scalar!(
        &t.app.db,
        i64,
        "SELECT COUNT(*) FROM notifications WHERE kind = 'like' AND user_id = $1",
        &helper.id
    )
    .unwrap();
    assert_eq!(kind_like, 1, "one notification, not three");
    // Who liked: members see the names; visitors and outsiders do not.
    t.get_with(&third, &format!("/forum/p/{reply_id}/likes"))
        .await
        .assert_status(200)
        .assert_contains("Ann Asker")
        .assert_contains("Fay Fourth")
        .assert_contains("3 members liked it");
    t.get_with(&browser(), &format!("/forum/p/{reply_id}/likes")).await.assert_status(303);
    // One's own post is not liked; a like is taken back.
    t.post_with(&helper, &format!("/forum/p/{reply_id}/like"), &[("liked", "yes")]).await.assert_status(403);
    like(&fourth, "no").await.assert_status(303);
    assert_eq!(count().await, 2);

    // Bookmarks: the topic (its opening post) and the reply, on Tess's list only.
    let opening = page.attr(".post:first-child", "id").unwrap().trim_start_matches("post-").to_string();
    for post in [&opening, &reply_id] {
        t.post_with(&third, &format!("/forum/p/{post}/bookmark"), &[("kept", "yes")]).await.assert_status(303);
    }
    t.post_with(&third, &format!("/forum/p/{opening}/bookmark"), &[("kept", "yes")]).await.assert_status(303);
    // The topic page marks each post as the reader left it: Tess kept both and liked the reply; Hal, its
    // author, neither.
    let for_tess = t.get_with(&third, &format!("/forum/t/{id}")).await;
    assert_eq!(for_tess.body.matches(r#"aria-pressed="true">Bookmarked"#).count(), 2);
    assert_eq!(for_tess.body.matches(r#"aria-pressed="true">Liked"#).count(), 1);
    for_tess.assert_contains(&format!(r#"<button formaction="/forum/p/{reply_id}/like" name="liked" value="no""#));
    let for_hal = t.get_with(&helper, &format!("/forum/t/{id}")).await;
    for_hal.assert_lacks(r#"aria-pressed="true""#).assert_contains("2 likes</a>");
    let kept = t.get_with(&third, "/account/bookmarks").await;
    kept.assert_status(200).assert_contains("Anchor days or team days?").assert_contains("(a reply)");
    assert_eq!(kept.body.matches("class=\"bookmark\"").count(), 2, "each post once");
    t.get_with(&asker, "/account/bookmarks").await.assert_lacks("Anchor days or team days?");
    t.post_with(&third, &format!("/forum/p/{reply_id}/bookmark"), &[("kept", "no")]).await.assert_status(303);
    assert_eq!(t.get_with(&third, "/account/bookmarks").await.body.matches("class=\"bookmark\"").count(), 1);
    // A bookmark goes from the list when the member cannot read it any more: here, a hidden topic (only
    // moderators read it).
    let moderator = t.moderator("mo@council.example.gov.uk", "Mo Derator").await;
    t.post_with(&moderator, &format!("/forum/moderation/topics/{id}"), &[("action", "hide"), ("reason", "test")])
        .await
        .assert_status(303);
    t.get_with(&third, "/account/bookmarks").await.assert_lacks("Anchor days or team days?");

    // In Tess's export; gone with her account.
    t.get_with(&third, "/account/data").await.assert_contains("liked_posts").assert_contains(&reply_id);
    let person = swn::feature::Person { id: third.id.clone(), email: third.email.clone(), name: third.name.clone() };
    swn::feature::erase_person(&t.app, &person).await.unwrap();
    let left = swn::fetch_scalar!(
        &t.app.db,
        i64,
        "SELECT (SELECT COUNT(*) FROM forum_likes WHERE user_id = $1) + (SELECT COUNT(*) FROM forum_bookmarks WHERE user_id = $1)",
        &third.id
    )
    .unwrap();
    assert_eq!(left, 0);
    assert_eq!(count().await, 1, "her like went with her");
    // A deleted account's likes go by the database's cascade, and the count with them.
    swn::execute!(&t.app.db, "DELETE FROM users WHERE id = $1", &asker.id).unwrap();
    assert_eq!(count().await, 0);
    t.get_with(&helper, &format!("/forum/t/{id}")).await.assert_lacks("1 like</a>");
    t.finish().await;
}

/// Search ranks the newest 500 matches before the viewer's filters; a search narrowed to one category still
/// finds that category's older hit behind 600 newer and better ones elsewhere.
async fn a_narrow_search_finds_hits_behind_many_better_ones(engine: Engine) {
    let t = TestApp::start(engine).await;
    let author = swn::auth::service::create_user_with_password(
        &t.app,
        "writer@org.example.com",
        "Wren Writer",
        swn::auth::Role::Member,
        "a-long-password-1",
    )
    .await
    .unwrap();
    let categories = swn::forum::categories(&t.app.db).await.unwrap();
    let public: Vec<_> = categories.iter().filter(|c| c.group_id.is_none()).collect();
    let (crowded, quiet) = (public[0], public[1]);
    let now = chrono::Utc::now();
    let mut tx = t.app.db.begin().await.unwrap();
    let mut write = async |category: &str, title: &str, body: &str, at: chrono::DateTime<chrono::Utc>| {
        let new = swn::forum::NewTopic {
            category_id: category,
            author_id: &author,
            anonymous_label: None,
            title,
            kind: "question",
        };
        let topic = swn::forum::insert_topic(&mut tx, &new, at).await.unwrap();
        let text = swn::forum::PostText { md: body, html: swn::forum::post_html(body, &[]) };
        let post = swn::forum::insert_post(&mut tx, &topic, &author, &text, true, at).await.unwrap();
        swn::db::search::index_post(&mut tx, &post, title, body).await.unwrap();
    };
    // The quiet category's post first and older, so that it is outside the newest 500 (on both engines).
    let long = "Among many other things we keep a rota, somewhere in a long text about desks.";
    write(&quiet.id, "A long question", long, now - chrono::Duration::days(1)).await;
    for n in 0..600 {
        write(&crowded.id, &format!("Rota {n}"), "Rota rota rota: the rota again.", now).await;
    }
    tx.commit().await.unwrap();

    let member = t.member("member@org.example.com", "Mo Member").await;
    let everywhere = t.get_with(&member, "/search?q=rota&kind=forum").await;
    everywhere.assert_contains(">Rota ").assert_lacks("A long question");
    let narrowed = t.get_with(&member, &format!("/search?q=rota&category={}", quiet.slug)).await;
    narrowed.assert_contains("A long question").assert_lacks(">Rota ");
    t.finish().await;
}
