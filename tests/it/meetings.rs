//! The meetings programme, as organisers, members, guests and visitors use it.

use chrono::{Duration, Utc};

use crate::on_both_engines;
use crate::support::{Answer, Engine, TestApp, browser, find_link};

on_both_engines!(
    a_member_registers_and_gets_the_invitation_and_link,
    visitors_never_see_joining_links_or_closed_details,
    a_guest_registers_by_confirming_their_address,
    a_full_meeting_waitlists_and_a_cancellation_promotes,
    registration_closes_at_the_closing_time,
    group_meetings_are_for_the_group,
    reminders_and_promotions_are_sent_once,
    bad_meeting_input_is_explained,
    changes_and_cancellation_reach_attendees,
    afterwards_materials_attendance_and_feedback,
    a_members_private_calendar_feed_can_be_revoked,
    group_coordinators_run_their_groups_meetings,
    who_is_going_names_only_those_who_chose_and_organisers_remind_now,
    the_list_is_paged_and_narrowed,
    listings_read_on_past_meetings_hidden_from_the_viewer,
    search_finds_the_soonest_upcoming_then_the_latest_500_past,
);

fn local(t: &TestApp, at: chrono::DateTime<Utc>) -> String {
    swn::web::time::input_value(at, t.app.config.timezone)
}

/// Creates the open regional group "North West" (slug `north-west`) through the organisers' form.
async fn north_west(t: &TestApp, org: &reqwest::Client) {
    t.post_with(
        org,
        "/admin/groups/new",
        &[("name", "North West"), ("kind", "regional"), ("join_policy", "open"), ("description", "NW.")],
    )
    .await
    .assert_status(303);
}

/// Creates a published meeting through the organisers' form; gives its slug.
pub(crate) async fn meeting(
    t: &TestApp,
    org: &reqwest::Client,
    title: &str,
    audience: &str,
    capacity: &str,
    starts_in: Duration,
    extra: &[(&str, &str)],
) -> String {
    let start = Utc::now() + starts_in;
    let starts = local(t, start);
    let ends = local(t, start + Duration::hours(1));
    let mut fields = vec![
        ("title", title),
        ("format", "case_study"),
        ("summary", "How a council moved to **anchor days**."),
        ("agenda", "1. Welcome\n2. Case study\n3. Questions"),
        ("audience", audience),
        ("mode", "virtual"),
        ("joining_link", "https://meet.example.org/secret-room-42"),
        ("chair", "Dev Chaudhry"),
        ("starts_at", &starts),
        ("ends_at", &ends),
        ("capacity", capacity),
        ("status", "published"),
        ("chatham_house", "on"),
    ];
    for (k, v) in extra {
        fields.retain(|(key, _)| key != k);
        fields.push((k, v));
    }
    let created = t.post_with(org, "/admin/meetings/new", &fields).await;
    created.assert_status(303);
    created.location().unwrap().trim_start_matches("/meetings/").to_string()
}

const LINK: &str = "secret-room-42";

/// Search reads meetings upcoming first (soonest first), then at most 500 past ones (latest first), in one read.
async fn search_finds_the_soonest_upcoming_then_the_latest_500_past(engine: Engine) {
    let t = TestApp::start(engine).await;
    let organiser = t.organiser().await;
    let now = Utc::now();
    let upcoming = (0..2).map(|n| (format!("Zephyr soon {n}"), now + Duration::days(n + 1)));
    let past = (0..502).map(|n| (format!("Zephyr past {n:03}"), now - Duration::days(n + 1)));
    for (title, starts_at) in upcoming.chain(past) {
        let input = swn::meetings::MeetingInput {
            slug: swn::web::forms::slugify(&title),
            title,
            format: "case_study".into(),
            summary_md: "Anchor days in a council.".into(),
            agenda_md: String::new(),
            disciplines: "people".into(),
            audience: "open".into(),
            group_id: None,
            mode: "virtual".into(),
            joining_link: String::new(),
            venue: String::new(),
            directions: String::new(),
            accessibility: String::new(),
            host_organisation_id: None,
            chair: String::new(),
            speakers_md: String::new(),
            starts_at,
            ends_at: starts_at + Duration::hours(1),
            registration_closes_at: starts_at,
            capacity: 20,
            chatham_house: false,
            status: "published".into(),
        };
        swn::meetings::insert_meeting(&t.app.db, &input).await.unwrap();
    }
    let found = t.get_with(&organiser, "/search?q=zephyr&kind=meeting").await;
    found.assert_status(200);
    let titles: Vec<&str> = found.body.split("\">Zephyr ").skip(1).filter_map(|s| s.split('<').next()).collect();
    assert_eq!(titles.len(), 502, "two upcoming and the latest 500 past");
    assert_eq!(&titles[..3], ["soon 0", "soon 1", "past 000"]);
    assert_eq!(titles[501], "past 499");
    t.finish().await;
}

fn raw_mail_to(t: &TestApp, to: &str, containing: &str) -> Vec<Vec<u8>> {
    t.outbox_files()
        .into_iter()
        .filter(|f| {
            let text = String::from_utf8_lossy(f);
            text.contains(to) && mailparse::parse_mail(f).map(|m| body_text(&m).contains(containing)).unwrap_or(false)
        })
        .collect()
}

fn body_text(mail: &mailparse::ParsedMail) -> String {
    if mail.subparts.is_empty() {
        return mail.get_body().unwrap_or_default();
    }
    mail.subparts.iter().map(body_text).collect::<Vec<_>>().join("\n")
}

fn ics_of(raw: &[u8]) -> Option<String> {
    let mail = mailparse::parse_mail(raw).ok()?;
    fn find(m: &mailparse::ParsedMail) -> Option<String> {
        if m.ctype.mimetype == "text/calendar" {
            return m.get_body().ok();
        }
        m.subparts.iter().find_map(find)
    }
    find(&mail)
}

/// Checks a calendar with an independent parser (Python's `icalendar`); gives (UID, SEQUENCE, STATUS) of its events.
fn parse_ics(ics: &str) -> Vec<(String, i64, String)> {
    let script = "import sys, icalendar\ncal = icalendar.Calendar.from_ical(sys.stdin.read())\nfor e in cal.walk('VEVENT'):\n    assert e.get('DTSTART') is not None and e.get('DTEND') is not None and e.get('DTSTAMP') is not None\n    print(str(e['UID']) + '|' + str(e.get('SEQUENCE', 0)) + '|' + str(e.get('STATUS', '')))";
    let has = std::process::Command::new("python3")
        .args(["-c", "import icalendar"])
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !has {
        crate::support::skip(
            "the Python package icalendar is not installed (.ci/run installs it); checking the calendar by hand",
        );
        assert!(
            ics.starts_with("BEGIN:VCALENDAR")
                && ics.contains("BEGIN:VEVENT")
                && ics.trim_end().ends_with("END:VCALENDAR")
        );
        return Vec::new();
    }
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(ics.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the calendar is not valid RFC 5545: {}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let parts: Vec<&str> = l.split('|').collect();
            (parts[0].to_string(), parts[1].parse().unwrap_or(0), parts[2].to_string())
        })
        .collect()
}

async fn a_member_registers_and_gets_the_invitation_and_link(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let slug = meeting(&t, &org, "Anchor days at Northshire", "members", "20", Duration::hours(2), &[]).await;
    let m = t.member("maya@insurer.example.com", "Maya Patel").await;
    let page = t.get_with(&m, &format!("/meetings/{slug}")).await;
    page.assert_status(200).assert_contains("Register").assert_lacks(LINK);
    t.post_with(&m, &format!("/meetings/{slug}/register"), &[]).await.assert_status(303);
    let page = t.get_with(&m, &format!("/meetings/{slug}")).await;
    page.assert_contains("You are registered").assert_contains("https://meet.example.org/secret-room-42");
    t.post_with(&m, &format!("/meetings/{slug}/register"), &[])
        .await
        .assert_status(409)
        .assert_contains("already registered");

    let text = t.wait_for_mail_containing("maya@insurer.example.com", "You have a place").await;
    assert!(text.contains(LINK), "the link is released within a day of the start: {text}");
    let raw = raw_mail_to(&t, "maya@insurer.example.com", "You have a place");
    let ics = ics_of(&raw[0]).expect("an .ics attachment");
    let events = parse_ics(&ics);
    if let Some((uid, sequence, status)) = events.first() {
        assert!(uid.starts_with("meeting-"));
        assert_eq!(*sequence, 0);
        assert_eq!(status, "CONFIRMED");
    }
    assert!(!ics.contains(LINK), "calendars never carry the joining link");

    // Far ahead, the link waits until it is released.
    let later = meeting(&t, &org, "Trial periods that work", "members", "20", Duration::days(10), &[]).await;
    t.post_with(&m, &format!("/meetings/{later}/register"), &[]).await.assert_status(303);
    t.get_with(&m, &format!("/meetings/{later}"))
        .await
        .assert_contains("You are registered")
        .assert_lacks(LINK)
        .assert_contains("appears here shortly before");
    t.finish().await;
}

async fn visitors_never_see_joining_links_or_closed_details(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let closed = meeting(
        &t,
        &org,
        "Work in progress at Meridian",
        "members",
        "20",
        Duration::hours(2),
        &[("summary", "Closed-Summary-Marker")],
    )
    .await;
    let open = meeting(&t, &org, "Open research summary", "open", "20", Duration::hours(2), &[]).await;
    let m = t.member("maya@insurer.example.com", "Maya Patel").await;
    t.post_with(&m, &format!("/meetings/{open}/register"), &[]).await.assert_status(303);
    let visitor = browser();
    let list = t.get_with(&visitor, "/meetings").await;
    list.assert_status(200)
        .assert_contains("Work in progress at Meridian")
        .assert_contains("For members")
        .assert_lacks("Closed-Summary-Marker")
        .assert_lacks(LINK);
    let teaser = t.get_with(&visitor, &format!("/meetings/{closed}")).await;
    teaser
        .assert_status(200)
        .assert_contains("For members")
        .assert_lacks("Closed-Summary-Marker")
        .assert_lacks("Dev Chaudhry")
        .assert_lacks(LINK);
    assert!(teaser.body.contains("noindex"));
    t.get_with(&visitor, &format!("/meetings/{open}"))
        .await
        .assert_status(200)
        .assert_contains("Register as a guest")
        .assert_lacks(LINK);
    for path in [format!("/meetings/{closed}/calendar.ics"), format!("/meetings/{closed}/register")] {
        let a = t.get_with(&visitor, &path).await;
        assert!(a.status.is_client_error() || a.status.is_redirection(), "{path}");
        a.assert_lacks("Closed-Summary-Marker");
    }
    let feed = t.get_with(&visitor, "/meetings/calendar.ics").await;
    feed.assert_status(200)
        .assert_contains("Open research summary")
        .assert_lacks("Work in progress at Meridian")
        .assert_lacks(LINK);
    parse_ics(&feed.body);
    for path in ["/", "/sitemap", "/sitemap.xml", "/news/feed.xml", "/meetings?when=past"] {
        t.get_with(&visitor, path).await.assert_lacks(LINK).assert_lacks("Closed-Summary-Marker");
    }
    // A member who is not registered sees everything but the link.
    let other = t.member("ola@council.example.gov.uk", "Ola Other").await;
    t.get_with(&other, &format!("/meetings/{closed}"))
        .await
        .assert_contains("Closed-Summary-Marker")
        .assert_lacks(LINK);
    t.finish().await;
}

async fn a_guest_registers_by_confirming_their_address(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let open = meeting(&t, &org, "Open research summary", "open", "20", Duration::hours(3), &[]).await;
    let guest = browser();
    let bad = t
        .post_with(
            &guest,
            &format!("/meetings/{open}/guest"),
            &[("name", "Gus Guest"), ("email", "nope"), ("organisation", "")],
        )
        .await;
    bad.assert_status(400)
        .assert_contains("Enter an e-mail address")
        .assert_contains("Your organisation is required")
        .assert_contains("value=\"Gus Guest\"");
    t.post_with(
        &guest,
        &format!("/meetings/{open}/guest"),
        &[("name", "Gus Guest"), ("email", "gus@elsewhere.example.org"), ("organisation", "Elsewhere Ltd")],
    )
    .await
    .assert_status(303);
    let mail = t.wait_for_mail_containing("gus@elsewhere.example.org", "Please confirm").await;
    let confirm = find_link(&mail, &format!("{}/registrations/confirm/", t.base))
        .unwrap()
        .strip_prefix(&t.base)
        .unwrap()
        .to_string();
    t.get_with(&guest, &confirm).await.assert_status(200).assert_contains("Confirm my registration");
    t.post_with(&guest, &confirm, &[]).await.assert_status(303);
    t.post_with(&guest, &confirm, &[]).await.assert_status(410);
    let placed = t.wait_for_mail_containing("gus@elsewhere.example.org", "You have a place").await;
    assert!(placed.contains(LINK));
    // The guest cancels from the e-mail, without an account.
    let cancel = find_link(&placed, &format!("{}/registrations/cancel/", t.base))
        .unwrap()
        .strip_prefix(&t.base)
        .unwrap()
        .to_string();
    t.get_with(&browser(), &cancel).await.assert_status(200).assert_contains("Cancel my registration");
    t.post_with(&browser(), &cancel, &[]).await.assert_status(303);
    t.get_with(&browser(), &cancel).await.assert_status(410);
    let attendees = t.get_with(&org, &format!("/admin/meetings/{}/attendees", id_of(&t, &open).await)).await;
    attendees.assert_lacks("Gus Guest");
    // Guests cannot register for closed meetings.
    let closed = meeting(&t, &org, "Closed session", "members", "20", Duration::hours(3), &[]).await;
    t.post_with(
        &guest,
        &format!("/meetings/{closed}/guest"),
        &[("name", "Gus"), ("email", "gus@elsewhere.example.org"), ("organisation", "E")],
    )
    .await
    .assert_status(404);
    t.finish().await;
}

async fn id_of(t: &TestApp, slug: &str) -> String {
    swn::meetings::meeting_by_slug(&t.app.db, slug).await.unwrap().unwrap().id
}

async fn status_of(t: &TestApp, slug: &str, email: &str) -> String {
    let id = id_of(t, slug).await;
    swn::meetings::registration_of(&t.app.db, &id, email).await.unwrap().unwrap().status
}

async fn a_full_meeting_waitlists_and_a_cancellation_promotes(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let slug = meeting(&t, &org, "Small round table", "members", "2", Duration::days(3), &[]).await;
    let a = t.member("a@org.example.com", "Ann A").await;
    let b = t.member("b@org.example.com", "Ben B").await;
    let c = t.member("c@org.example.com", "Cat C").await;
    for client in [&a, &b, &c] {
        t.post_with(client, &format!("/meetings/{slug}/register"), &[]).await.assert_status(303);
    }
    assert_eq!(status_of(&t, &slug, "a@org.example.com").await, "confirmed");
    assert_eq!(status_of(&t, &slug, "b@org.example.com").await, "confirmed");
    assert_eq!(status_of(&t, &slug, "c@org.example.com").await, "waitlisted");
    t.get_with(&c, &format!("/meetings/{slug}"))
        .await
        .assert_contains("You are on the waitlist")
        .assert_contains("0 of 2 free, 1 on the waitlist");
    t.wait_for_mail_containing("c@org.example.com", "is full, so you are on its waitlist").await;

    t.post_with(&a, &format!("/meetings/{slug}/cancel"), &[]).await.assert_status(303);
    assert_eq!(status_of(&t, &slug, "a@org.example.com").await, "cancelled");
    assert_eq!(status_of(&t, &slug, "c@org.example.com").await, "confirmed");
    let promoted = t.wait_for_mail_containing("c@org.example.com", "A place has become free").await;
    assert!(promoted.contains("it is yours"));
    assert_eq!(raw_mail_to(&t, "c@org.example.com", "A place has become free").len(), 1);
    t.get_with(&c, &format!("/meetings/{slug}")).await.assert_contains("You are registered");

    // The attendee list, and its CSV export, in arrival order.
    let id = id_of(&t, &slug).await;
    t.get_with(&org, &format!("/admin/meetings/{id}/attendees"))
        .await
        .assert_contains("Ben B")
        .assert_contains("Cat C")
        .assert_lacks("Ann A");
    let csv = t.get_with(&org, &format!("/admin/meetings/{id}/attendees.csv")).await;
    csv.assert_status(200);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines[0], "name,email,organisation,status,registered_at,attended");
    assert!(
        lines[1].starts_with("Ben B,b@org.example.com") && lines[2].starts_with("Cat C,c@org.example.com"),
        "{}",
        csv.body
    );
    t.get_with(&b, &format!("/admin/meetings/{id}/attendees.csv")).await.assert_status(403);
    t.finish().await;
}

async fn registration_closes_at_the_closing_time(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let slug = meeting(&t, &org, "Closing soon", "members", "20", Duration::days(2), &[]).await;
    let id = id_of(&t, &slug).await;
    swn::execute!(
        &t.app.db,
        "UPDATE meetings SET registration_closes_at = $1 WHERE id = $2",
        Utc::now() - Duration::minutes(5),
        &id
    )
    .unwrap();
    let m = t.member("late@org.example.com", "Lee Late").await;
    t.get_with(&m, &format!("/meetings/{slug}"))
        .await
        .assert_contains("Registration closed on")
        .assert_lacks(">Register<");
    let refused = t.post_with(&m, &format!("/meetings/{slug}/register"), &[]).await;
    refused.assert_status(409).assert_contains("Registration for this meeting closed on");
    t.finish().await;
}

async fn group_meetings_are_for_the_group(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    north_west(&t, &org).await;
    let slug =
        meeting(&t, &org, "North West gathering", "group", "20", Duration::days(2), &[("group", "north-west")]).await;
    let insider = t.group_member("north-west", "in@org.example.com", "Ina Inside").await;
    let outsider = t.member("out@org.example.com", "Otto Outside").await;
    t.get_with(&insider, "/meetings").await.assert_contains("North West gathering");
    t.get_with(&insider, &format!("/meetings/{slug}")).await.assert_status(200);
    t.post_with(&insider, &format!("/meetings/{slug}/register"), &[]).await.assert_status(303);
    t.get_with(&outsider, "/meetings").await.assert_lacks("North West gathering");
    t.get_with(&outsider, &format!("/meetings/{slug}")).await.assert_status(404);
    t.post_with(&outsider, &format!("/meetings/{slug}/register"), &[]).await.assert_status(403);
    t.get_with(&browser(), "/meetings").await.assert_lacks("North West gathering");
    t.get_with(&browser(), &format!("/meetings/{slug}")).await.assert_status(404);
    t.finish().await;
}

async fn reminders_and_promotions_are_sent_once(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let slug = meeting(&t, &org, "Tomorrow's meeting", "members", "1", Duration::hours(20), &[]).await;
    let a = t.member("a@org.example.com", "Ann A").await;
    let b = t.member("b@org.example.com", "Ben B").await;
    t.post_with(&a, &format!("/meetings/{slug}/register"), &[]).await.assert_status(303);
    t.post_with(&b, &format!("/meetings/{slug}/register"), &[]).await.assert_status(303);
    let now = Utc::now();
    // The server's worker may already have sent it; either way, at most one reminder exists per registration.
    let first = swn::meetings::send_due_reminders(&t.app, now).await.unwrap();
    assert!(first <= 1);
    assert_eq!(swn::meetings::send_due_reminders(&t.app, now).await.unwrap(), 0);
    // A second instance (or the same one after a restart) sends nothing again.
    let config = t.app.config.as_ref().clone();
    let restarted = swn::App::open(config).await.unwrap();
    assert_eq!(swn::meetings::send_due_reminders(&restarted, now).await.unwrap(), 0);
    t.wait_for_mail_containing("a@org.example.com", "A reminder").await;
    assert_eq!(raw_mail_to(&t, "a@org.example.com", "A reminder").len(), 1);
    assert!(raw_mail_to(&t, "b@org.example.com", "A reminder").is_empty(), "the waitlist gets no reminder");

    // The promotion is queued with the cancellation: once.
    t.post_with(&a, &format!("/meetings/{slug}/cancel"), &[]).await.assert_status(303);
    t.wait_for_mail_containing("b@org.example.com", "A place has become free").await;
    assert_eq!(
        swn::meetings::send_due_reminders(&restarted, now).await.unwrap(),
        1,
        "the promoted attendee is reminded too"
    );
    assert_eq!(swn::meetings::send_due_reminders(&t.app, now).await.unwrap(), 0);
    let rows = swn::mail::outbox::recent(&t.app.db, 100).await.unwrap();
    assert_eq!(
        rows.iter().filter(|r| r.to_address == "b@org.example.com" && r.subject.starts_with("A place for you")).count(),
        1
    );
    restarted.db.close().await;
    t.finish().await;
}

async fn bad_meeting_input_is_explained(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let now = Utc::now();
    let start = local(&t, now + Duration::days(2));
    let before = local(&t, now + Duration::days(2) - Duration::hours(1));
    let past = local(&t, now - Duration::days(1));
    let post = |fields: Vec<(&'static str, String)>| {
        let t = &t;
        let org = &org;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            t.post_with(org, "/admin/meetings/new", &fields).await
        }
    };
    let base = |extra: Vec<(&'static str, String)>| {
        let mut f: Vec<(&'static str, String)> = vec![
            ("title", "A meeting".into()),
            ("format", "case_study".into()),
            ("summary", "S".into()),
            ("audience", "members".into()),
            ("mode", "virtual".into()),
            ("joining_link", "https://meet.example.org/x".into()),
            ("status", "published".into()),
            ("capacity", "10".into()),
            ("starts_at", start.clone()),
            ("ends_at", local(&t, now + Duration::days(2) + Duration::hours(1))),
        ];
        for (k, v) in extra {
            f.retain(|(key, _)| *key != k);
            f.push((k, v));
        }
        f
    };
    let expect = |a: Answer, text: &str| {
        a.assert_status(422).assert_contains(text);
    };
    expect(post(base(vec![("ends_at", before)])).await, "must end after it starts");
    expect(post(base(vec![("capacity", "0".into())])).await, "at least 1");
    expect(post(base(vec![("capacity", "-5".into())])).await, "at least 1");
    expect(post(base(vec![("joining_link", "http://meet.example.org/x".into())])).await, "must be an https:// address");
    expect(post(base(vec![("joining_link", "javascript:alert(1)".into())])).await, "must be an https:// address");
    expect(
        post(base(vec![("starts_at", past.clone()), ("ends_at", local(&t, now - Duration::hours(20)))])).await,
        "cannot start in the past",
    );
    expect(post(base(vec![("starts_at", "next week".into())])).await, "Give the start as a date and time");
    expect(post(base(vec![("mode", "in_person".into())])).await, "needs its venue");
    expect(post(base(vec![("audience", "group".into())])).await, "Choose the group");
    let kept = post(base(vec![("capacity", "0".into()), ("title", "Keep my title".into())])).await;
    kept.assert_contains("value=\"Keep my title\"");
    assert!(swn::meetings::all(&t.app.db).await.unwrap().is_empty());
    t.get_with(&browser(), "/meetings/no-such-meeting").await.assert_status(404);
    t.finish().await;
}

async fn changes_and_cancellation_reach_attendees(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let slug = meeting(&t, &org, "Moving meeting", "open", "20", Duration::days(5), &[]).await;
    let m = t.member("maya@insurer.example.com", "Maya Patel").await;
    t.post_with(&m, &format!("/meetings/{slug}/register"), &[]).await.assert_status(303);
    let id = id_of(&t, &slug).await;
    let meeting0 = swn::meetings::meeting(&t.app.db, &id).await.unwrap().unwrap();
    let mut form = edit_fields(&t, &org, &id).await;
    let new_start = meeting0.starts_at + Duration::days(1);
    set(&mut form, "starts_at", local(&t, new_start));
    set(&mut form, "ends_at", local(&t, new_start + Duration::hours(1)));
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    t.post_with(&org, &format!("/admin/meetings/{id}"), &fields).await.assert_status(303);
    t.wait_for_mail_containing("maya@insurer.example.com", "has changed").await;
    let raw = raw_mail_to(&t, "maya@insurer.example.com", "has changed");
    let events = parse_ics(&ics_of(&raw[0]).unwrap());
    if let Some((_, sequence, _)) = events.first() {
        assert_eq!(*sequence, 1);
    }
    let one = t.get_with(&m, &format!("/meetings/{slug}/calendar.ics")).await;
    one.assert_status(200).assert_contains("SEQUENCE:1");

    set(&mut form, "status", "cancelled".into());
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    t.post_with(&org, &format!("/admin/meetings/{id}"), &fields).await.assert_status(303);
    t.wait_for_mail_containing("maya@insurer.example.com", "is cancelled").await;
    let raw = raw_mail_to(&t, "maya@insurer.example.com", "is cancelled");
    let events = parse_ics(&ics_of(&raw[0]).unwrap());
    if let Some((_, sequence, status)) = events.first() {
        assert_eq!(*sequence, 2);
        assert_eq!(status, "CANCELLED");
    }
    let feed = t.get_with(&browser(), "/meetings/calendar.ics").await;
    feed.assert_contains("STATUS:CANCELLED");
    t.get_with(&m, &format!("/meetings/{slug}")).await.assert_contains("has been cancelled").assert_lacks(LINK);
    t.post_with(&m, &format!("/meetings/{slug}/register"), &[]).await.assert_status(409);
    t.finish().await;
}

async fn edit_fields(t: &TestApp, org: &reqwest::Client, id: &str) -> Vec<(String, String)> {
    let page = t.get_with(org, &format!("/admin/meetings/{id}")).await;
    let html = page.html();
    let mut fields = Vec::new();
    for el in html.select(&scraper::Selector::parse("form.form input, form.form textarea, form.form select").unwrap()) {
        let Some(name) = el.value().attr("name") else { continue };
        if name == "csrf_token" {
            continue;
        }
        let value = match el.value().name() {
            "textarea" => el.text().collect::<String>(),
            "select" => el
                .select(&scraper::Selector::parse("option[selected]").unwrap())
                .next()
                .and_then(|o| o.value().attr("value").map(str::to_string))
                .unwrap_or_default(),
            _ if el.value().attr("type") == Some("checkbox") => {
                if el.value().attr("checked").is_none() {
                    continue;
                }
                "on".into()
            }
            _ => el.value().attr("value").unwrap_or_default().to_string(),
        };
        fields.push((name.to_string(), value));
    }
    fields
}

fn set(fields: &mut Vec<(String, String)>, name: &str, value: String) {
    fields.retain(|(k, _)| k != name);
    fields.push((name.to_string(), value));
}

async fn afterwards_materials_attendance_and_feedback(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let slug = meeting(&t, &org, "Past case study", "open", "20", Duration::hours(1), &[]).await;
    let m = t.member("maya@insurer.example.com", "Maya Patel").await;
    t.post_with(&m, &format!("/meetings/{slug}/register"), &[]).await.assert_status(303);
    let id = id_of(&t, &slug).await;
    // The meeting has now taken place.
    swn::execute!(
        &t.app.db,
        "UPDATE meetings SET starts_at = $1, ends_at = $2 WHERE id = $3",
        Utc::now() - Duration::hours(3),
        Utc::now() - Duration::hours(2),
        &id
    )
    .unwrap();

    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    t.post_multipart_with(
        &org,
        &format!("/admin/meetings/{id}/materials"),
        &[("notes", "Key **lessons**."), ("recording_link", "https://video.example.org/rec")],
        Some(("slides", "deck.pdf", pdf.clone())),
    )
    .await
    .assert_status(303);
    t.post_multipart_with(
        &org,
        &format!("/admin/meetings/{id}/materials"),
        &[],
        Some(("slides", "deck.pdf", b"<html>".to_vec())),
    )
    .await
    .assert_status(400)
    .assert_contains("PDF or a PowerPoint");
    let page = t.get_with(&m, &format!("/meetings/{slug}")).await;
    page.assert_contains("<strong>lessons</strong>")
        .assert_contains("Download the slides")
        .assert_contains("How was it?");
    let slides = t.get_with(&m, &format!("/meetings/{slug}/slides")).await;
    slides.assert_status(200);
    assert!(slides.headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    // Materials are for members: a visitor sees the open meeting's page but not them, and not through /files.
    let visitor = browser();
    t.get_with(&visitor, &format!("/meetings/{slug}"))
        .await
        .assert_status(200)
        .assert_lacks("lessons")
        .assert_lacks("Download the slides");
    t.get_with(&visitor, &format!("/meetings/{slug}/slides")).await.assert_status(303);
    let file_id = swn::meetings::meeting(&t.app.db, &id).await.unwrap().unwrap().slides_file_id.unwrap();
    t.get_with(&visitor, &format!("/files/{file_id}")).await.assert_status(404);

    // Attendance and feedback.
    let reg = swn::meetings::registration_of(&t.app.db, &id, "maya@insurer.example.com").await.unwrap().unwrap();
    t.post_with(&org, &format!("/admin/meetings/{id}/attendance"), &[("attended", &reg.id)]).await.assert_status(303);
    t.post_with(&m, &format!("/meetings/{slug}/feedback"), &[("score", "9")]).await.assert_status(400);
    t.post_with(&m, &format!("/meetings/{slug}/feedback"), &[("score", "5"), ("comment", "Very useful")])
        .await
        .assert_status(303);
    let attendees = t.get_with(&org, &format!("/admin/meetings/{id}/attendees")).await;
    attendees.assert_contains("average score 5.0").assert_contains("Very useful");
    assert!(attendees.attr("input[name=attended]", "checked").is_some());
    t.post_with(&browser(), &format!("/meetings/{slug}/feedback"), &[("score", "1")]).await.assert_status(303);

    // Organisers message everyone registered.
    t.post_with(
        &org,
        &format!("/admin/meetings/{id}/message"),
        &[("subject", "Slides are up"), ("body", "Find them on the page.")],
    )
    .await
    .assert_status(303);
    t.wait_for_mail_containing("maya@insurer.example.com", "Find them on the page").await;
    t.post_with(&org, &format!("/admin/meetings/{id}/message"), &[("subject", ""), ("body", "")])
        .await
        .assert_status(400);
    t.finish().await;
}

async fn a_members_private_calendar_feed_can_be_revoked(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    meeting(&t, &org, "Closed case study", "members", "20", Duration::days(3), &[]).await;
    meeting(&t, &org, "Open topic exploration", "open", "20", Duration::days(4), &[]).await;
    let m = t.member("maya@insurer.example.com", "Maya Patel").await;
    t.get_with(&m, "/account/calendar").await.assert_status(200).assert_contains("Turn on my feed");
    let made = t.post_with(&m, "/account/calendar", &[("action", "new")]).await;
    made.assert_status(200);
    let link = find_link(&made.body, &format!("{}/calendar/", t.base)).expect("the feed's address, shown once");
    let path = link.strip_prefix(&t.base).unwrap().to_string();
    let feed = t.get_with(&browser(), &path).await;
    feed.assert_status(200)
        .assert_contains("Closed case study")
        .assert_contains("Open topic exploration")
        .assert_lacks(LINK);
    parse_ics(&feed.body);
    // It holds members-only meetings: no shared or browser cache may keep it.
    assert_eq!(feed.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("private, no-store"));
    // A new address revokes the old one; turning the feed off revokes it too.
    let again = t.post_with(&m, "/account/calendar", &[("action", "new")]).await;
    let second =
        find_link(&again.body, &format!("{}/calendar/", t.base)).unwrap().strip_prefix(&t.base).unwrap().to_string();
    t.get_with(&browser(), &path).await.assert_status(404);
    t.get_with(&browser(), &second).await.assert_status(200);
    t.post_with(&m, "/account/calendar", &[("action", "revoke")]).await.assert_status(303);
    t.get_with(&browser(), &second).await.assert_status(404);
    // Visitors have no private feed; the site map lists open meetings only.
    t.get_with(&browser(), "/account/calendar").await.assert_status(303);
    let sitemap = t.get_with(&browser(), "/sitemap.xml").await;
    sitemap.assert_contains("/meetings/open-topic-exploration").assert_lacks("closed-case-study");
    t.get_with(&browser(), "/")
        .await
        .assert_contains("Open topic exploration")
        .assert_contains("Closed case study")
        .assert_contains("For members");
    t.finish().await;
}

async fn group_coordinators_run_their_groups_meetings(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    north_west(&t, &org).await;
    let coordinator = t.member("cora@council.example.gov.uk", "Cora Ordinator").await;
    t.post_with(&org, "/admin/groups/north-west/coordinators", &[("email", "cora@council.example.gov.uk")])
        .await
        .assert_status(303);
    let plain = t.member("pat@org.example.com", "Pat Plain").await;
    t.get_with(&plain, "/admin/meetings/new").await.assert_status(403);
    t.get_with(&coordinator, "/admin/meetings/new").await.assert_status(200).assert_contains("North West");
    // A coordinator holds meetings for their group, not for the whole network.
    let slug =
        meeting(&t, &coordinator, "North West breakfast", "group", "20", Duration::days(2), &[("group", "north-west")])
            .await;
    let refused = t
        .post_with(
            &coordinator,
            "/admin/meetings/new",
            &[
                ("title", "For everyone"),
                ("format", "networking"),
                ("summary", "S"),
                ("audience", "members"),
                ("mode", "virtual"),
                ("joining_link", "https://m.example.org/x"),
                ("starts_at", &local(&t, Utc::now() + Duration::days(3))),
                ("ends_at", &local(&t, Utc::now() + Duration::days(3) + Duration::hours(1))),
                ("capacity", "10"),
                ("status", "published"),
            ],
        )
        .await;
    refused.assert_status(422).assert_contains("you hold meetings for your group");
    let id = id_of(&t, &slug).await;
    t.get_with(&coordinator, &format!("/admin/meetings/{id}/attendees")).await.assert_status(200);
    // The organisers' own meetings stay theirs.
    let other = meeting(&t, &org, "Network-wide session", "members", "20", Duration::days(4), &[]).await;
    let other_id = id_of(&t, &other).await;
    t.get_with(&coordinator, &format!("/admin/meetings/{other_id}")).await.assert_status(403);
    t.get_with(&coordinator, &format!("/admin/meetings/{other_id}/attendees")).await.assert_status(403);
    t.get_with(&coordinator, "/admin/meetings").await.assert_status(403);
    // Members filter the listing by group.
    t.get_with(&org, "/meetings?group=north-west")
        .await
        .assert_contains("North West breakfast")
        .assert_lacks("Network-wide session");
    t.finish().await;
}

/// Who is going: members see the names of members who chose to show them, the rest counted; a visitor sees
/// only the count, and only for an open meeting. Organisers see the waitlist in its order with when each
/// person joined, and send a reminder now (once per person; the scheduled one then does not repeat it).
async fn who_is_going_names_only_those_who_chose_and_organisers_remind_now(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let open = meeting(&t, &org, "Open forum on anchor days", "open", "2", Duration::days(3), &[]).await;
    let shown = t.member("shown@org.example.com", "Sam Shown").await;
    let hidden = t.member("hidden@org.example.com", "Hana Hidden").await;
    let waiting = t.member("waiting@org.example.com", "Wes Waiting").await;
    let later = t.member("later@org.example.com", "Lou Later").await;
    let reader = t.member("reader@org.example.com", "Rita Reader").await;
    t.post_with(&shown, &format!("/meetings/{open}/register"), &[("show_name", "yes")]).await.assert_status(303);
    // The box left unticked: counted, not named.
    t.post_with(&hidden, &format!("/meetings/{open}/register"), &[]).await.assert_status(303);
    t.post_with(&waiting, &format!("/meetings/{open}/register"), &[("show_name", "yes")]).await.assert_status(303);
    t.post_with(&later, &format!("/meetings/{open}/register"), &[("show_name", "yes")]).await.assert_status(303);
    let page = t.get_with(&reader, &format!("/meetings/{open}")).await;
    page.assert_contains("2 people are going, 1 of them not named")
        .assert_contains("Sam Shown")
        .assert_lacks("Hana Hidden");
    page.assert_lacks("Wes Waiting"); // waiting for a place is not going
    let visitor = t.get_with(&browser(), &format!("/meetings/{open}")).await;
    visitor.assert_contains("2 people are going.").assert_lacks("Sam Shown").assert_lacks("not named");
    // Hana changes her mind.
    t.post_with(&hidden, &format!("/meetings/{open}/name"), &[("shown", "yes")]).await.assert_status(303);
    t.get_with(&reader, &format!("/meetings/{open}")).await.assert_contains("Hana Hidden").assert_lacks("not named");
    t.post_with(&reader, &format!("/meetings/{open}/name"), &[("shown", "yes")]).await.assert_status(404);

    // A members' meeting: a visitor sees no count at all.
    let closed = meeting(&t, &org, "Members round table", "members", "5", Duration::days(4), &[]).await;
    t.post_with(&shown, &format!("/meetings/{closed}/register"), &[("show_name", "yes")]).await.assert_status(303);
    t.get_with(&browser(), &format!("/meetings/{closed}")).await.assert_lacks("Who is going").assert_lacks("Sam Shown");
    t.get_with(&reader, &format!("/meetings/{closed}"))
        .await
        .assert_contains("Who is going")
        .assert_contains("Sam Shown");

    // The waitlist in its order, with when each joined.
    let id = id_of(&t, &open).await;
    let attendees = t.get_with(&org, &format!("/admin/meetings/{id}/attendees")).await;
    let list = attendees.body.split("<ol class=\"waitlist\">").nth(1).expect("the waitlist").to_string();
    let (wes, lou) = (list.find("Wes Waiting").unwrap(), list.find("Lou Later").unwrap());
    assert!(wes < lou, "in the order they joined");
    assert!(list.contains("joined "), "with when");

    // A reminder now: one per person with a place; the scheduled reminder then does not repeat it.
    let reminders = "SELECT COUNT(*) FROM outbox WHERE subject LIKE 'Reminder:%'";
    let before = swn::fetch_scalar!(&t.app.db, i64, reminders).unwrap();
    t.post_with(&org, &format!("/admin/meetings/{id}/remind"), &[]).await.assert_status(303);
    let after = swn::fetch_scalar!(&t.app.db, i64, reminders).unwrap();
    assert_eq!(after - before, 2, "Sam and Hana, not the waitlist");
    let sent =
        swn::meetings::send_due_reminders(&t.app, Utc::now() + Duration::days(3) - Duration::hours(1)).await.unwrap();
    assert_eq!(sent, 0, "the scheduled reminder does not go again");
    t.post_with(&shown, &format!("/admin/meetings/{id}/remind"), &[]).await.assert_status(403);
    t.finish().await;
}

/// The list shows 20 meetings a page, soonest first, counting only those the viewer may see, and narrows by
/// format, discipline and group in the database (a value not on the lists narrows nothing).
async fn the_list_is_paged_and_narrowed(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    north_west(&t, &org).await;
    meeting(&t, &org, "North West gathering", "group", "20", Duration::days(1), &[("group", "north-west")]).await;
    for n in 1..=22 {
        let title = format!("Session {n:02}");
        meeting(&t, &org, &title, "members", "20", Duration::days(1 + n), &[("discipline_people", "on")]).await;
    }
    for (title, days) in [("Research A", 30), ("Research B", 31)] {
        meeting(&t, &org, title, "open", "20", Duration::days(days), &[("format", "research_summary")]).await;
    }
    let cards = |a: &Answer| a.body.matches("class=\"card\"").count();
    // The address of the page link with these words (its `&amp;`s read back as `&`).
    let link = |a: &Answer, words: &str| {
        let sel = scraper::Selector::parse("nav a").unwrap();
        a.html()
            .select(&sel)
            .find(|e| e.text().collect::<String>() == words)
            .and_then(|e| e.value().attr("href").map(str::to_string))
            .unwrap_or_else(|| panic!("no link {words:?}"))
    };
    let member = t.member("member@org.example.com", "Mo Member").await;

    let first = t.get_with(&member, "/meetings").await;
    first.assert_contains("Session 01").assert_contains("Session 20").assert_lacks("Session 21");
    first.assert_lacks("North West gathering").assert_contains("Later meetings").assert_lacks("Sooner meetings");
    assert_eq!(cards(&first), 20);
    let next = link(&first, "Later meetings");
    let second = t.get_with(&member, &next).await;
    second.assert_contains("Session 21").assert_contains("Research B").assert_lacks("Session 20");
    second.assert_contains("Sooner meetings").assert_lacks("Later meetings");
    assert_eq!(cards(&second), 4);
    t.get_with(&member, "/meetings?page=9").await.assert_status(200).assert_contains("No meetings here yet.");

    // A group's meeting counts for its members only.
    let insider = t.group_member("north-west", "in@org.example.com", "Ina Inside").await;
    let theirs = t.get_with(&insider, "/meetings").await;
    theirs.assert_contains("North West gathering").assert_contains("Session 19").assert_lacks("Session 20");
    let only_group = t.get_with(&insider, "/meetings?group=north-west").await;
    assert_eq!(cards(&only_group), 1);

    // Narrowed in the database, with the page links keeping the choice.
    let research = t.get_with(&member, "/meetings?format=research_summary").await;
    research.assert_contains("Research A").assert_contains("Research B").assert_lacks("Session 01");
    assert_eq!(cards(&research), 2);
    let people = t.get_with(&member, "/meetings?discipline=people").await;
    people.assert_lacks("Research A");
    assert_eq!(cards(&people), 20);
    assert!(link(&people, "Later meetings").contains("discipline=people"));
    assert_eq!(cards(&t.get_with(&member, "/meetings?format=%27%20OR%201%3D1&discipline=x%25").await), 20);
    t.get_with(&member, "/meetings?page=two").await.assert_status(400);

    // Visitors page through members' meetings as teasers, and never the group's.
    let visitor = browser();
    let first = t.get_with(&visitor, "/meetings").await;
    first.assert_contains("For members").assert_lacks("North West gathering");
    assert_eq!(cards(&first), 20);
    let second = t.get_with(&visitor, &link(&first, "Later meetings")).await;
    second.assert_contains("Research A");
    assert_eq!(cards(&second), 4);
    t.finish().await;
}

/// The home page and the list read a stretch at a time: when the first stretches hold only meetings hidden from
/// the viewer (another group's), they read on, and the list still knows whether more follow.
async fn listings_read_on_past_meetings_hidden_from_the_viewer(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    north_west(&t, &org).await;
    // 30 group meetings first (more than the home page's stretches of 11 and the list's first of 45 can show),
    // then 3 open ones, then 20 for members.
    for n in 1..=30 {
        let title = format!("Group {n:02}");
        meeting(&t, &org, &title, "group", "20", Duration::hours(n), &[("group", "north-west")]).await;
    }
    for n in 1..=3 {
        meeting(&t, &org, &format!("Open {n}"), "open", "20", Duration::days(2) + Duration::hours(n), &[]).await;
    }
    for n in 1..=20 {
        let title = format!("Members {n:02}");
        meeting(&t, &org, &title, "members", "20", Duration::days(3) + Duration::hours(n), &[]).await;
    }

    let home = t.get("/").await;
    home.assert_contains("Open 1").assert_contains("Open 2").assert_contains("Open 3");
    home.assert_lacks("Group 01").assert_lacks("Members 01");

    let member = t.member("member@org.example.com", "Mo Member").await;
    let first = t.get_with(&member, "/meetings").await;
    first.assert_lacks("Group 30").assert_contains("Open 1").assert_contains("Members 17");
    first.assert_lacks("Members 18").assert_contains("Later meetings");
    assert_eq!(first.body.matches("class=\"card\"").count(), 20);
    let second = t.get_with(&member, "/meetings?page=2").await;
    second.assert_contains("Members 18").assert_contains("Members 20").assert_lacks("Members 17");
    second.assert_lacks("Later meetings");

    // A member of the group sees its meetings first.
    let insider = t.group_member("north-west", "in@org.example.com", "Ina Inside").await;
    let theirs = t.get_with(&insider, "/meetings").await;
    theirs.assert_contains("Group 01").assert_contains("Group 20").assert_lacks("Group 21");
    t.finish().await;
}
