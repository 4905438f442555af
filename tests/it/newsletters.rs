//! Newsletters: each copy holds only what its reader may see, goes once to the right people (members,
//! groups, regions, public subscribers) through a real SMTP server, and is archived for its audience; drafts
//! are arranged, previewed, test-sent and scheduled; visitors subscribe with double opt-in.

use std::collections::HashMap;

use chrono::Duration;

use crate::on_both_engines;
use crate::smtp_peer::{self, SmtpPeer};
use crate::support::{Engine, Person, TestApp, browser, find_link};

on_both_engines!(
    each_copy_holds_only_what_its_reader_may_see,
    three_audiences_through_a_real_smtp_server,
    drafts_are_arranged_previewed_test_sent_and_scheduled,
    visitors_subscribe_with_double_opt_in,
    images_and_an_issue_report,
);

/// A member who chose newsletters on their e-mail preferences page.
async fn reader(t: &TestApp, email: &str, name: &str) -> Person {
    let person = t.member(email, name).await;
    t.post_with(&person, "/account/email", &[("newsletter", "on")]).await.assert_status(303);
    person
}

async fn group(t: &TestApp, org: &reqwest::Client, name: &str) {
    t.post_with(
        org,
        "/admin/groups/new",
        &[("name", name), ("kind", "regional"), ("join_policy", "open"), ("description", "A group.")],
    )
    .await
    .assert_status(303);
}

/// A public news item, a members-only meeting and a meeting for the group `north-west`.
async fn items(t: &TestApp, org: &reqwest::Client) {
    t.post_with(
        org,
        "/admin/news/new",
        &[("title", "Public news item"), ("summary", "For all."), ("body", "B"), ("published", "on")],
    )
    .await
    .assert_status(303);
    let start = swn::web::time::input_value(chrono::Utc::now() + Duration::days(5), t.app.config.timezone);
    let end =
        swn::web::time::input_value(chrono::Utc::now() + Duration::days(5) + Duration::hours(1), t.app.config.timezone);
    for (title, audience) in [("Members-only case study", "members"), ("Group-only gathering", "group")] {
        let fields = [
            ("title", title),
            ("format", "case_study"),
            ("summary", "S"),
            ("audience", audience),
            ("group", "north-west"),
            ("mode", "virtual"),
            ("joining_link", "https://meet.example.org/x"),
            ("starts_at", &start),
            ("ends_at", &end),
            ("capacity", "20"),
            ("status", "published"),
        ];
        t.post_with(org, "/admin/meetings/new", &fields).await.assert_status(303);
    }
}

async fn group_id(t: &TestApp, slug: &str) -> String {
    swn::membership::groups::group_by_slug(&t.app.db, slug).await.unwrap().unwrap().id
}

/// Creates a draft; gives its path and id.
async fn draft(t: &TestApp, org: &reqwest::Client, subject: &str, audiences: &[&str]) -> (String, String) {
    let mut fields = vec![("subject", subject), ("intro", "Hello **everyone**.")];
    fields.extend(audiences.iter().map(|a| ("audience", *a)));
    let created = t.post_with(org, "/admin/newsletters", &fields).await;
    created.assert_status(303);
    let path = created.location().unwrap().to_string();
    let id = path.trim_start_matches("/admin/newsletters/").to_string();
    (path, id)
}

/// Waits until every copy of an issue is queued and delivered (or failed).
async fn wait_until_delivered(t: &TestApp, org: &reqwest::Client, path: &str) -> serde_json::Value {
    for _ in 0..300 {
        let p = t.get_with(org, &format!("{path}/progress")).await;
        let json: serde_json::Value = serde_json::from_str(&p.body).unwrap();
        if json["done"] == true {
            return json;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the newsletter at {path} was not delivered");
}

async fn each_copy_holds_only_what_its_reader_may_see(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    group(&t, &org, "North West").await;
    let insider = reader(&t, "in@org.example.com", "Ina Inside").await;
    t.post_with(&insider, "/groups/north-west/join", &[]).await.assert_status(303);
    let _outsider = reader(&t, "out@org.example.com", "Otto Outside").await;
    let _quiet = t.member("quiet@org.example.com", "Quinn Quiet").await;
    items(&t, &org).await;
    t.post_with(&org, "/admin/newsletters", &[("subject", ""), ("intro", "")])
        .await
        .assert_status(422)
        .assert_contains("The subject is required")
        .assert_contains("Choose at least one audience");
    let (path, id) = draft(&t, &org, "November news", &["members"]).await;
    let page = t.get_with(&org, &path).await;
    page.assert_contains("Public news item")
        .assert_contains("Members-only case study")
        .assert_contains("Group-only gathering");
    t.get_with(&org, &format!("{path}?preview=out%40org.example.com"))
        .await
        .assert_contains("would get these items")
        .assert_lacks("<li>Group-only gathering</li>");
    t.get_with(&org, &format!("{path}?preview=nobody%40nowhere.example")).await.assert_status(400);
    t.get_with(&insider, &path).await.assert_status(403);
    t.get_with(&insider, &format!("{path}/progress")).await.assert_status(403);

    t.post_with(&org, &format!("{path}/send"), &[("confirm", "on")]).await.assert_status(303);
    let inside = t.wait_for_mail_containing("in@org.example.com", "Hello everyone").await;
    let outside = t.wait_for_mail_containing("out@org.example.com", "Members-only case study").await;
    assert!(
        inside.contains("Group-only gathering") && inside.contains("Public news item") && inside.contains("everyone"),
        "{inside}"
    );
    assert!(!outside.contains("Group-only gathering"), "the group's item stays in the group: {outside}");
    assert!(outside.contains("Choose which e-mails you get: http"), "every e-mail links to the preferences: {outside}");
    let progress = wait_until_delivered(&t, &org, &path).await;
    assert_eq!((progress["total"].as_i64(), progress["sent"].as_i64()), (Some(2), Some(2)), "{progress}");
    assert!(
        t.outbox_files().iter().all(|f| !String::from_utf8_lossy(f).contains("quiet@org.example.com")),
        "no copy without consent"
    );

    // Sending again gives nobody a second copy; the issue can no longer be changed.
    t.post_with(&org, &format!("{path}/send"), &[("confirm", "on")]).await.assert_status(303);
    t.post_with(&org, &path, &[("subject", "Changed"), ("intro", "x"), ("audience", "members")])
        .await
        .assert_status(409);
    swn::newsletters::queue_due_issues(&t.app).await.unwrap();
    let copies = swn::mail::outbox::progress(&t.app.db, &format!("newsletter:{id}")).await.unwrap();
    assert_eq!(copies.total, 2, "one copy each for the two members who chose newsletters");

    // The archive shows the issue to members, each with the items they may see; not to visitors.
    t.get_with(&insider, "/newsletters").await.assert_contains("November news");
    t.get_with(&insider, &format!("/newsletters/{id}")).await.assert_contains("Group-only gathering");
    let outsider = t.signed_in("out@org.example.com").await;
    t.get_with(&outsider, &format!("/newsletters/{id}")).await.assert_status(200).assert_lacks("Group-only gathering");
    t.get_with(&browser(), &format!("/newsletters/{id}")).await.assert_status(303).assert_lacks("November news");
    t.get_with(&browser(), "/newsletters").await.assert_status(200).assert_lacks("November news");
    // One rule for the archive and the meeting itself: a moderator outside the group sees neither (moderators
    // see a group's forum, not its other items); an organiser sees both.
    let moderator = t.moderator("mo@org.example.com", "Mo Derator").await;
    t.get_with(&moderator, &format!("/newsletters/{id}")).await.assert_status(200).assert_lacks("Group-only gathering");
    t.get_with(&moderator, "/meetings").await.assert_lacks("Group-only gathering");
    t.get_with(&moderator, "/meetings/group-only-gathering").await.assert_status(404);
    t.get_with(&insider, "/meetings/group-only-gathering").await.assert_status(200);
    t.get_with(&org, &format!("/newsletters/{id}")).await.assert_contains("Group-only gathering");
    t.finish().await;
}

/// Puts a member's organisation in a region (set-up: organisations come from applications elsewhere).
async fn in_region(t: &TestApp, email: &str, organisation: &str, region: &str) {
    let mut tx = t.app.db.begin().await.unwrap();
    let org_id =
        swn::membership::insert_organisation(&mut tx, organisation, "Public sector", 2000, region, "implementing")
            .await
            .unwrap();
    swn::execute!(&mut tx, "UPDATE users SET organisation_id = $1 WHERE email = $2", &org_id, email).unwrap();
    tx.commit().await.unwrap();
}

async fn three_audiences_through_a_real_smtp_server(engine: Engine) {
    if !smtp_peer::available() {
        return;
    }
    let store = tempfile::tempdir().unwrap();
    let peer = SmtpPeer::start(store.path(), &[]).await;
    let url = peer.url();
    let t = TestApp::start_with(engine, |c| c.smtp_url = Some(url)).await;
    let org = t.organiser().await;
    group(&t, &org, "North West").await;
    // In the group; in the region; in neither; in the group without consent.
    let grouped = reader(&t, "grouped@org.example.com", "Gina Grouped").await;
    t.post_with(&grouped, "/groups/north-west/join", &[]).await.assert_status(303);
    reader(&t, "regional@scot.example.com", "Rory Regional").await;
    in_region(&t, "regional@scot.example.com", "Scottish Water Example", "Scotland").await;
    reader(&t, "elsewhere@org.example.com", "Ezra Elsewhere").await;
    in_region(&t, "elsewhere@org.example.com", "Welsh Example", "Wales").await;
    let quiet = t.member("quiet@org.example.com", "Quinn Quiet").await;
    t.post_with(&quiet, "/groups/north-west/join", &[]).await.assert_status(303);
    // A confirmed public subscriber, and one who never confirmed.
    let visitor = browser();
    t.post_with(&visitor, "/subscribe", &[("email", "Reader@Public.example.net")]).await.assert_status(303);
    t.post_with(&browser(), "/subscribe", &[("email", "unconfirmed@public.example.net")]).await.assert_status(303);
    let confirmations = peer.wait_for(2).await;
    let confirmation = smtp_peer::part(m_for(&confirmations, "reader@public"), "text/plain");
    let confirm = find_link(&confirmation, &t.url("/subscribe/confirm/")).unwrap();
    t.post_with(&visitor, confirm.trim_start_matches(&t.base), &[]).await.assert_status(303);
    items(&t, &org).await;

    let gid = group_id(&t, "north-west").await;
    let (path, id) =
        draft(&t, &org, "Three audiences", &[&format!("group:{gid}"), "region:Scotland", "subscribers"]).await;
    t.post_with(&org, &format!("{path}/send"), &[("confirm", "on")]).await.assert_status(303);
    let progress = wait_until_delivered(&t, &org, &path).await;
    assert_eq!((progress["sent"].as_i64(), progress["failed"].as_i64()), (Some(3), Some(0)), "{progress}");

    let copies: Vec<Vec<u8>> = peer
        .messages()
        .into_iter()
        .filter(|m| smtp_peer::header(m, "Subject").is_some_and(|s| s == "Three audiences"))
        .collect();
    let mut by_recipient: HashMap<String, Vec<u8>> = HashMap::new();
    for copy in &copies {
        let to = smtp_peer::header(copy, "To").unwrap().to_lowercase();
        assert!(by_recipient.insert(to.clone(), copy.clone()).is_none(), "{to} got two copies");
    }
    let mut recipients: Vec<&String> = by_recipient.keys().collect();
    recipients.sort();
    assert_eq!(
        recipients,
        ["grouped@org.example.com", "reader@public.example.net", "regional@scot.example.com"],
        "exactly the group, the region and the confirmed subscriber"
    );
    let text = |who: &str| smtp_peer::part(&by_recipient[who], "text/plain");
    assert!(text("grouped@org.example.com").contains("Group-only gathering"));
    assert!(text("grouped@org.example.com").contains("Members-only case study"));
    assert!(!text("regional@scot.example.com").contains("Group-only gathering"), "group items stay in the group");
    assert!(text("regional@scot.example.com").contains("Members-only case study"));
    let public = text("reader@public.example.net");
    assert!(public.contains("Public news item") && !public.contains("Members-only") && !public.contains("Group-only"));

    // Headers: multipart text and HTML, From, Date, a stable Message-ID, the one-click unsubscribe pair.
    let raw = &by_recipient["regional@scot.example.com"];
    let parsed = mailparse::parse_mail(raw).unwrap();
    assert_eq!(parsed.ctype.mimetype, "multipart/alternative");
    assert!(smtp_peer::header(raw, "From").unwrap().contains("network@swn.test"));
    assert!(smtp_peer::header(raw, "Date").is_some());
    let message_id = smtp_peer::header(raw, "Message-ID").unwrap();
    let stored: String = swn::fetch_scalar!(
        &t.app.db,
        String,
        "SELECT message_id FROM outbox WHERE dedupe_key = $1",
        format!("newsletter:{id}:regional@scot.example.com")
    )
    .unwrap();
    assert_eq!(message_id.trim(), stored, "the Message-ID was fixed when queued");
    assert_eq!(smtp_peer::header(raw, "List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    let html = smtp_peer::part(raw, "text/html");
    assert!(html.contains("style=\"") && !html.to_lowercase().contains("<script"), "inline styles, no scripts");

    // One-click unsubscribe: a bare POST from a mail client, no session, no form token.
    let unsubscribe = smtp_peer::header(raw, "List-Unsubscribe").unwrap();
    let unsubscribe = unsubscribe.trim().trim_start_matches('<').trim_end_matches('>').to_string();
    let status = reqwest::Client::new()
        .post(&unsubscribe)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success() || status.is_redirection(), "{status}");
    let regional = swn::auth::user_by_email(&t.app.db, "regional@scot.example.com").await.unwrap().unwrap();
    assert!(!swn::mail::consent::chosen_by(&t.app.db, &regional.id, swn::mail::Category::Newsletter).await.unwrap());
    // A forged link does nothing.
    let forged = format!("{}x", unsubscribe);
    let status = reqwest::Client::new().post(&forged).body("List-Unsubscribe=One-Click").send().await.unwrap().status();
    assert_eq!(status.as_u16(), 410);

    // The subscriber's preference link opens without signing in and lets them leave.
    let prefs = find_link(&public, &t.url("/email/")).unwrap();
    let stranger = browser();
    let page = t.get_with(&stranger, prefs.trim_start_matches(&t.base)).await;
    page.assert_status(200).assert_contains("The public edition of the newsletter");
    t.post_with(&stranger, prefs.trim_start_matches(&t.base), &[]).await.assert_status(303);
    let subscriber =
        swn::newsletters::subscriber_by_email(&t.app.db, "reader@public.example.net").await.unwrap().unwrap();
    assert!(!subscriber.receives());
    // The member's preference page shows their categories and the notices that cannot be switched off.
    let member_prefs = find_link(&text("grouped@org.example.com"), &t.url("/email/")).unwrap();
    t.get_with(&browser(), member_prefs.trim_start_matches(&t.base))
        .await
        .assert_status(200)
        .assert_contains("Reminders of meetings")
        .assert_contains("cannot be switched off");

    // The archive: a public edition, so visitors read it with the public items only.
    t.get_with(&browser(), "/newsletters").await.assert_contains("Three audiences");
    t.get_with(&browser(), &format!("/newsletters/{id}"))
        .await
        .assert_status(200)
        .assert_contains("Public news item")
        .assert_lacks("Members-only case study")
        .assert_lacks("Group-only gathering");
    t.finish().await;
}

/// The message in `all` addressed to someone whose address contains `who`.
fn m_for<'a>(all: &'a [Vec<u8>], who: &str) -> &'a [u8] {
    all.iter().find(|m| smtp_peer::header(m, "To").is_some_and(|to| to.to_lowercase().contains(who))).unwrap()
}

async fn drafts_are_arranged_previewed_test_sent_and_scheduled(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    group(&t, &org, "North West").await;
    reader(&t, "reader@org.example.com", "Rita Reader").await;
    items(&t, &org).await;
    let (path, id) = draft(&t, &org, "December news", &["members"]).await;
    let blocks = swn::newsletters::blocks(&t.app.db, &id).await.unwrap();
    assert_eq!(blocks.len(), 3);
    // Move the last item to the top, and leave the group's item out.
    let last = blocks[2].id.clone();
    for _ in 0..2 {
        let mut fields: Vec<(&str, &str)> = blocks.iter().map(|b| ("include", b.id.as_str())).collect();
        let mv = format!("up:{last}");
        fields.push(("move", &mv));
        t.post_with(&org, &format!("{path}/blocks"), &fields).await.assert_status(303);
    }
    let arranged = swn::newsletters::blocks(&t.app.db, &id).await.unwrap();
    assert_eq!(arranged[0].id, last, "moved to the top");
    let group_block = arranged.iter().find(|b| b.title == "Group-only gathering").unwrap().id.clone();
    let keep: Vec<(&str, &str)> =
        arranged.iter().filter(|b| b.id != group_block).map(|b| ("include", b.id.as_str())).collect();
    t.post_with(&org, &format!("{path}/blocks"), &keep).await.assert_status(303);

    // The e-mail itself, as a member gets it, in the order chosen and without the dropped item.
    let email = t.get_with(&org, &format!("{path}/email?as=reader%40org.example.com")).await;
    email.assert_status(200).assert_lacks("Group-only gathering").assert_contains("Choose which e-mails you get");
    let csp = email.headers.get("content-security-policy").unwrap().to_str().unwrap().to_string();
    assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"), "{csp}");
    let kept: Vec<&str> = arranged.iter().filter(|b| b.id != group_block).map(|b| b.title.as_str()).collect();
    let first = email.body.find(kept[0]).unwrap();
    let second = email.body.find(kept[1]).unwrap();
    assert!(first < second, "the items come in the order chosen");
    // As a public subscriber: the public item only.
    t.get_with(&org, &format!("{path}/email?as=subscriber"))
        .await
        .assert_contains("Public news item")
        .assert_lacks("Members-only case study");

    // The footer's links in a preview are the organiser's own, never the reader's.
    let prefs = crate::support::find_link(&email.body, &t.url("/email/")).unwrap();
    t.get_with(&browser(), prefs.trim_start_matches(&t.base))
        .await
        .assert_contains(&org.email)
        .assert_lacks("reader@org.example.com");
    // An item unpublished since the draft was made drops out of every copy.
    swn::execute!(&t.app.db, "UPDATE news SET published = FALSE").unwrap();
    t.get_with(&org, &format!("{path}/email?as=subscriber")).await.assert_lacks("Public news item");
    t.get_with(&org, &format!("{path}/email?as=reader%40org.example.com")).await.assert_lacks("Public news item");
    swn::execute!(&t.app.db, "UPDATE news SET published = TRUE").unwrap();
    // A test copy goes to the organiser alone.
    t.post_with(&org, &format!("{path}/test"), &[]).await.assert_status(303);
    let test_copy = t.wait_for_mail_containing(&org.email, "Hello everyone").await;
    assert!(test_copy.contains("Public news item"));
    assert!(t.outbox_files().iter().all(|f| !String::from_utf8_lossy(f).contains("reader@org.example.com")));

    // Scheduling: not in the past; then the job sends it when its time comes, and not before.
    let past = swn::web::time::input_value(chrono::Utc::now() - Duration::hours(1), t.app.config.timezone);
    t.post_with(&org, &format!("{path}/schedule"), &[("send_at", &past)])
        .await
        .assert_status(422)
        .assert_contains("Choose a time in the future");
    t.post_with(&org, &format!("{path}/schedule"), &[("send_at", "soon")]).await.assert_status(422);
    let later = swn::web::time::input_value(chrono::Utc::now() + Duration::hours(2), t.app.config.timezone);
    t.post_with(&org, &format!("{path}/schedule"), &[("send_at", &later)]).await.assert_status(303);
    t.get_with(&org, &path).await.assert_contains("scheduled for");
    assert_eq!(swn::newsletters::queue_due_issues(&t.app).await.unwrap(), 0, "not yet");
    swn::execute!(
        &t.app.db,
        "UPDATE newsletters SET scheduled_at = $1 WHERE id = $2",
        chrono::Utc::now() - Duration::seconds(1),
        &id
    )
    .unwrap();
    swn::newsletters::queue_due_issues(&t.app).await.unwrap();
    let copy = t.wait_for_mail_containing("reader@org.example.com", "Hello everyone").await;
    assert!(!copy.contains("Group-only gathering"));
    t.post_with(&org, &format!("{path}/schedule"), &[("send_at", &later)]).await.assert_status(409);
    t.finish().await;
}

async fn visitors_subscribe_with_double_opt_in(engine: Engine) {
    let t = TestApp::start(engine).await;
    t.get("/subscribe").await.assert_status(200).assert_contains("Subscribe");
    t.post("/subscribe", &[("email", "not an address")]).await.assert_status(422).assert_contains("e-mail address");
    t.post("/subscribe", &[("email", "new@public.example.net")]).await.assert_status(303);
    let mail = t.wait_for_mail_containing("new@public.example.net", "/subscribe/confirm/").await;
    let s = swn::newsletters::subscriber_by_email(&t.app.db, "new@public.example.net").await.unwrap().unwrap();
    assert!(!s.receives(), "nothing goes out before the address is confirmed");
    // Asking again at once sends no second confirmation (nobody can flood an address through the form).
    t.post("/subscribe", &[("email", "new@public.example.net")]).await.assert_status(303);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let confirmations =
        t.outbox_files().iter().filter(|f| String::from_utf8_lossy(f).contains("new@public.example.net")).count();
    assert_eq!(confirmations, 1);
    let link = find_link(&mail, &t.url("/subscribe/confirm/")).unwrap();
    let path = link.trim_start_matches(&t.base).to_string();
    // Following the link only shows a button (mail scanners follow links); the POST confirms.
    t.get(&path).await.assert_status(200).assert_contains("Confirm my subscription");
    assert!(
        !swn::newsletters::subscriber_by_email(&t.app.db, "new@public.example.net").await.unwrap().unwrap().receives()
    );
    t.post(&path, &[]).await.assert_status(303);
    assert!(
        swn::newsletters::subscriber_by_email(&t.app.db, "new@public.example.net").await.unwrap().unwrap().receives()
    );
    t.post(&path, &[]).await.assert_status(410);
    // One address may ask for 20 subscriptions an hour (this test has asked twice); then it waits.
    for i in 0..18 {
        t.post("/subscribe", &[("email", &format!("many{i}@public.example.net"))]).await.assert_status(303);
    }
    let refused = t.post("/subscribe", &[("email", "one.more@public.example.net")]).await;
    refused.assert_status(429);
    assert!(refused.headers.get("retry-after").is_some());
    assert!(swn::newsletters::subscriber_by_email(&t.app.db, "one.more@public.example.net").await.unwrap().is_none());
    t.finish().await;
}

/// A wide drawing (PNG), as an organiser would upload for an issue.
fn wide_png() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(2000, 500, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 120]));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(picture)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

async fn images_and_an_issue_report(engine: Engine) {
    if !smtp_peer::available() {
        return;
    }
    let store = tempfile::tempdir().unwrap();
    let peer = SmtpPeer::start(store.path(), &["--reject", "bounce"]).await;
    let url = peer.url();
    let t = TestApp::start_with(engine, |c| c.smtp_url = Some(url)).await;
    let org = t.organiser().await;
    let ann = reader(&t, "ann@org.example.com", "Ann Reader").await;
    reader(&t, "ben@org.example.com", "Ben Reader").await;
    reader(&t, "bounce@org.example.com", "Bo Bounce").await;
    let (path, id) = draft(&t, &org, "Away day", &["members"]).await;

    // An image needs its description, and must be an image; then it is added, narrowed and re-encoded.
    t.post_multipart_with(&org, &format!("{path}/images"), &[("alt", "")], Some(("image", "team.png", wide_png())))
        .await
        .assert_status(422)
        .assert_contains("The image&#39;s description is required");
    t.post_multipart_with(
        &org,
        &format!("{path}/images"),
        &[("alt", "A chart")],
        Some(("image", "x.png", b"%PDF-1.4".to_vec())),
    )
    .await
    .assert_status(422)
    .assert_contains("not an image");
    t.post_multipart_with(
        &org,
        &format!("{path}/images"),
        &[("alt", "The team at the away day")],
        Some(("image", "team.png", wide_png())),
    )
    .await
    .assert_status(303);
    let image_id: String =
        swn::fetch_scalar!(&t.app.db, String, "SELECT id FROM newsletter_images WHERE newsletter_id = $1", &id)
            .unwrap();
    let served = browser().get(t.url(&format!("/newsletters/images/{image_id}"))).send().await.unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    let picture = image::load_from_memory(&served.bytes().await.unwrap()).unwrap();
    assert_eq!((picture.width(), picture.height()), (1200, 300), "narrowed to the e-mail's width, twice over");
    // Images from elsewhere, or without words, are refused in the introduction.
    for (intro, says) in [
        ("Hi ![pixel](https://tracker.example/p.gif)", "no one can see who opens"),
        (&*format!("Hi ![](/newsletters/images/{image_id})"), "Give each image a description"),
    ] {
        t.post_with(&org, &path, &[("subject", "Away day"), ("intro", intro), ("audience", "members")])
            .await
            .assert_status(422)
            .assert_contains(says);
    }

    t.post_with(&org, &format!("{path}/send"), &[("confirm", "on")]).await.assert_status(303);
    let progress = wait_until_delivered(&t, &org, &path).await;
    assert_eq!((progress["sent"].as_i64(), progress["bounced"].as_i64()), (Some(2), Some(1)), "{progress}");
    let copy = peer
        .wait_for(2)
        .await
        .into_iter()
        .find(|m| smtp_peer::header(m, "To").is_some_and(|to| to.contains("ann@org.example.com")))
        .unwrap();
    let html = smtp_peer::part(&copy, "text/html");
    assert!(html.contains(&format!("src=\"{}/newsletters/images/{image_id}\"", t.base)), "absolute, our own: {html}");
    assert!(html.contains("alt=\"The team at the away day\""), "{html}");
    assert!(html.contains("max-width:100%"), "fits a phone: {html}");
    let text = smtp_peer::part(&copy, "text/plain");
    assert!(text.contains("[Image: The team at the away day]"), "named in the text copy: {text}");

    // Ann unsubscribes through this issue's link (twice: one unsubscribe).
    let link = find_link(&text, &t.url("/unsubscribe/")).expect("an unsubscribe link");
    for _ in 0..2 {
        t.post_with(&browser(), link.trim_start_matches(&t.base), &[]).await.assert_status(303);
    }
    assert!(!swn::mail::consent::chosen_by(&t.app.db, &ann.id, swn::mail::Category::Newsletter).await.unwrap());

    // The report: figures as the database holds them, and no tracking.
    let count = |status: &'static str| {
        let (db, batch) = (t.app.db.clone(), format!("newsletter:{id}"));
        async move {
            swn::fetch_scalar!(&db, i64, "SELECT COUNT(*) FROM outbox WHERE batch = $1 AND status = $2", &batch, status)
                .unwrap()
        }
    };
    assert_eq!((count("sent").await, count("failed").await), (2, 1));
    let report = t.get_with(&org, &format!("{path}/report")).await;
    report
        .assert_status(200)
        .assert_contains("Queued for delivery</th><td>3</td>")
        .assert_contains("Delivered to the receiving server</th><td>2</td>")
        .assert_contains("Bounced (refused for good)</th><td>1</td>")
        .assert_contains("Failed after every retry</th><td>0</td>")
        .assert_contains("Still waiting</th><td>0</td>")
        .assert_contains("Unsubscribed through this issue</th><td>1</td>")
        .assert_contains("no tracking pixels");
    t.get_with(&ann, &format!("{path}/report")).await.assert_status(403);
    t.finish().await;
}
