//! Newsletters: each copy holds only what its reader may see, goes once, and is archived for its audience.

use chrono::Duration;
use swn::auth::Role;

use crate::on_both_engines;
use crate::support::{Engine, TestApp, browser};

on_both_engines!(each_copy_holds_only_what_its_reader_may_see);

async fn member(t: &TestApp, email: &str, name: &str, role: Role, newsletter: bool) -> reqwest::Client {
    t.create_user(email, name, role, "member-password-1").await;
    let b = browser();
    t.sign_in_with(&b, email, "member-password-1").await.assert_status(303);
    if newsletter {
        t.post_with(&b, "/account/email", &[("newsletter", "on")]).await.assert_status(303);
    }
    b
}

async fn each_copy_holds_only_what_its_reader_may_see(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = member(&t, "org@network.example.org", "Olivia Organiser", Role::Organiser, false).await;
    t.post_with(
        &org,
        "/admin/groups/new",
        &[("name", "North West"), ("kind", "regional"), ("join_policy", "open"), ("description", "NW.")],
    )
    .await
    .assert_status(303);
    let insider = member(&t, "in@org.example.com", "Ina Inside", Role::Member, true).await;
    t.post_with(&insider, "/groups/north-west/join", &[]).await.assert_status(303);
    let _outsider = member(&t, "out@org.example.com", "Otto Outside", Role::Member, true).await;
    let _quiet = member(&t, "quiet@org.example.com", "Quinn Quiet", Role::Member, false).await;
    // Items: a public news item, a members-only meeting, a group-only meeting.
    t.post_with(
        &org,
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
        t.post_with(&org, "/admin/meetings/new", &fields).await.assert_status(303);
    }
    t.post_with(&org, "/admin/newsletters", &[("subject", ""), ("intro", "")])
        .await
        .assert_status(422)
        .assert_contains("The subject is required");
    let created = t
        .post_with(
            &org,
            "/admin/newsletters",
            &[("subject", "November news"), ("intro", "Hello **everyone**."), ("group", "")],
        )
        .await;
    created.assert_status(303);
    let path = created.location().unwrap().to_string();
    let id = path.trim_start_matches("/admin/newsletters/").to_string();
    let draft = t.get_with(&org, &path).await;
    draft
        .assert_contains("Public news item")
        .assert_contains("Members-only case study")
        .assert_contains("Group-only gathering");
    t.get_with(&org, &format!("{path}?preview=out%40org.example.com"))
        .await
        .assert_contains("would get these items")
        .assert_lacks("<li>Group-only gathering</li>");
    t.get_with(&insider, &path).await.assert_status(403);

    t.post_with(&org, &format!("{path}/send"), &[]).await.assert_status(303);
    let inside = t.wait_for_mail_containing("in@org.example.com", "Hello everyone").await;
    let outside = t.wait_for_mail_containing("out@org.example.com", "Members-only case study").await;
    assert!(
        inside.contains("Group-only gathering") && inside.contains("Public news item") && inside.contains("everyone"),
        "{inside}"
    );
    assert!(!outside.contains("Group-only gathering"), "the group's item stays in the group: {outside}");
    assert!(
        t.outbox_files().iter().all(|f| !String::from_utf8_lossy(f).contains("quiet@org.example.com")),
        "no copy without consent"
    );
    let raw = t
        .outbox_files()
        .into_iter()
        .find(|f| {
            String::from_utf8_lossy(f).contains("To: Ina") || String::from_utf8_lossy(f).contains("in@org.example.com")
        })
        .unwrap();
    let parsed = mailparse::parse_mail(&raw).unwrap();
    assert!(parsed.headers.iter().any(|h| h.get_key_ref().eq_ignore_ascii_case("List-Unsubscribe-Post")));

    // Sending again gives nobody a second copy.
    t.post_with(&org, &format!("{path}/send"), &[]).await.assert_status(303);
    let copies = swn::mail::outbox::progress(&t.app.db, &format!("newsletter:{id}:")).await.unwrap();
    assert_eq!(copies.0, 2, "one copy each for the two members who chose newsletters");

    // The archive shows the issue to members, each with the items they may see.
    t.get_with(&insider, "/newsletters").await.assert_contains("November news");
    t.get_with(&insider, &format!("/newsletters/{id}")).await.assert_contains("Group-only gathering");
    let outsider = browser();
    t.sign_in_with(&outsider, "out@org.example.com", "member-password-1").await.assert_status(303);
    t.get_with(&outsider, &format!("/newsletters/{id}")).await.assert_status(200).assert_lacks("Group-only gathering");
    t.get_with(&browser(), &format!("/newsletters/{id}")).await.assert_status(303).assert_lacks("November news");
    t.finish().await;
}
