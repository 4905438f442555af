//! Injection into the files the network sends: calendars and spreadsheets.

use chrono::Duration;

use crate::meetings::meeting;
use crate::on_both_engines;
use crate::support::{Engine, TestApp, browser};
use swn::auth::Role;

on_both_engines!(
    calendar_files_take_no_injected_lines,
    spreadsheet_cells_never_run_as_formulas,
    sign_in_follows_only_plain_same_site_paths,
    cookies_under_https_are_secure_and_host_only,
    every_form_that_checks_a_password_shares_one_limit,
    dates_outside_the_years_both_engines_store_are_refused,
    forms_that_send_mail_to_a_typed_address_are_limited,
    every_state_change_needs_the_form_token_whatever_its_body,
    common_and_breached_passwords_are_refused_with_advice,
    many_addresses_slow_one_account_and_a_shared_address_locks_no_one_out,
    sessions_are_short_unless_kept_on_this_device,
);

/// Calendar text that would add a property and a whole event if written as it is.
const HOSTILE: &str =
    "Agenda\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:pwned\rATTENDEE:mailto:x@evil.example\nURL:https://evil.example";

/// What an independent parser (Python's icalendar) reads in a calendar file: one line per event, with its
/// summary, its location and whether it has an attendee or a URL not ours.
fn events_in(ics: &str, base: &str) -> Vec<String> {
    let script = format!(
        "import sys, icalendar\n\
         cal = icalendar.Calendar.from_ical(sys.stdin.read())\n\
         for e in cal.walk('VEVENT'):\n    \
             print('|'.join([str(e.get('SUMMARY')), str(e.get('LOCATION')), str('ATTENDEE' in e),\n                 \
             str(not str(e.get('URL', '')).startswith('{base}'))]))"
    );
    if std::process::Command::new("python3")
        .args(["-c", "import icalendar"])
        .status()
        .map(|s| !s.success())
        .unwrap_or(true)
    {
        crate::support::skip("the Python package icalendar is not installed (.ci/run installs it)");
        assert!(!ics.contains("\r\nBEGIN:VEVENT\r\nSUMMARY:pwned"));
        return vec!["(not parsed)".into()];
    }
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args(["-c", &script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(ics.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the parser refused the file: {}\n{ics}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

async fn calendar_files_take_no_injected_lines(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    // One-line fields refuse line breaks at the edge, with the message beside the field.
    for field in ["title", "venue", "chair"] {
        let refused = t
            .post_with(
                &org,
                "/admin/meetings/new",
                &[(field, "Hybrid working\r\nATTENDEE:mailto:x@evil.example"), ("mode", "hybrid")],
            )
            .await;
        assert!(refused.status.is_client_error(), "{field}: {}", refused.status);
        refused.assert_contains("must be one line");
    }
    // The summary may hold lines; the title may hold RFC 5545's special characters.
    let title = "Trials; agreements, and \\ back-slashes";
    let slug = meeting(
        &t,
        &org,
        title,
        "open",
        "20",
        Duration::days(3),
        &[("summary", HOSTILE), ("mode", "hybrid"), ("venue", "Town Hall; Room 2, Floor 3")],
    )
    .await;
    let ics = t.get(&format!("/meetings/{slug}/calendar.ics")).await;
    ics.assert_status(200);
    let events = events_in(&ics.body, &t.base);
    assert_eq!(events.len(), 1, "exactly one event: {events:?}\n{}", ics.body);
    if events[0] != "(not parsed)" {
        assert_eq!(events[0], format!("{title}|Town Hall; Room 2, Floor 3|False|False"));
    }
    // A title stored before the edge refused line breaks (the calendar's name is made from it) is written safely
    // too.
    swn::execute!(&t.app.db, "UPDATE meetings SET title = $1 WHERE slug = $2", format!("Old title{HOSTILE}"), &slug)
        .unwrap();
    let ics = t.get(&format!("/meetings/{slug}/calendar.ics")).await;
    assert_eq!(events_in(&ics.body, &t.base).len(), 1, "{}", ics.body);
    assert!(!ics.body.contains("\r\nATTENDEE") && !ics.body.contains("\nURL:https://evil"), "{}", ics.body);
    swn::execute!(&t.app.db, "UPDATE meetings SET title = $1 WHERE slug = $2", title, &slug).unwrap();
    for feed in ["/meetings/calendar.ics"] {
        let body = t.get(feed).await.body;
        assert!(events_in(&body, &t.base).iter().all(|e| !e.starts_with("pwned")), "{feed}");
    }
    // The invitation attached to a registration's e-mail, whose calendar is named after the title.
    let m = t.member("maya@insurer.example.com", "Maya Patel").await;
    t.post_with(&m, &format!("/meetings/{slug}/register"), &[]).await.assert_status(303);
    t.wait_for_mail("maya@insurer.example.com").await;
    let raw =
        t.outbox_files().into_iter().find(|f| String::from_utf8_lossy(f).contains("maya@insurer.example.com")).unwrap();
    let mail = mailparse::parse_mail(&raw).unwrap();
    let attachment = all_parts(&mail).into_iter().find(|p| p.ctype.mimetype == "text/calendar").unwrap();
    let invitation = attachment.get_body().unwrap();
    assert_eq!(events_in(&invitation, &t.base).len(), 1, "{invitation}");
    t.finish().await;
}

pub(crate) fn all_parts<'a>(mail: &'a mailparse::ParsedMail<'a>) -> Vec<&'a mailparse::ParsedMail<'a>> {
    let mut parts = vec![mail];
    for sub in &mail.subparts {
        parts.extend(all_parts(sub));
    }
    parts
}

async fn spreadsheet_cells_never_run_as_formulas(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let slug = meeting(&t, &org, "Open round table", "open", "20", Duration::days(3), &[]).await;
    let id = swn::fetch_scalar!(&t.app.db, String, "SELECT id FROM meetings WHERE slug = $1", &slug).unwrap();
    for (name, organisation) in
        [("=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0"), ("@SUM(1+1)", "-2+3")]
    {
        let email = format!("{}@guests.example.org", name.len() + organisation.len());
        t.post_with(
            &browser(),
            &format!("/meetings/{slug}/guest"),
            &[("name", name), ("email", &email), ("organisation", organisation)],
        )
        .await
        .assert_status(303);
    }
    let csv = t.get_with(&org, &format!("/admin/meetings/{id}/attendees.csv")).await;
    csv.assert_status(200);
    let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
    let mut rows = 0;
    for record in reader.records() {
        let record = record.unwrap();
        for cell in record.iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "a cell a spreadsheet would run: {cell:?}");
        }
        rows += 1;
    }
    assert_eq!(rows, 2);
    assert!(csv.body.contains("'=HYPERLINK") && csv.body.contains("'+cmd"), "{}", csv.body);
    t.finish().await;
}

async fn sign_in_follows_only_plain_same_site_paths(engine: Engine) {
    let t = TestApp::start(engine).await;
    let ann = t.member("ann@council.example.gov.uk", "Ann Asker").await;
    for (next, expected) in [
        ("/forum", "/forum"),
        ("/\t/evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/x\ny", "/"),
        ("/x\ry", "/"),
        ("/x\u{b}y", "/"),
    ] {
        let b = browser();
        let answer = t
            .post_with(
                &b,
                "/sign-in",
                &[("email", ann.email.as_str()), ("password", crate::support::PASSWORD), ("next", next)],
            )
            .await;
        answer.assert_status(303);
        assert_eq!(answer.location(), Some(expected), "{next:?}");
    }
    t.finish().await;
}

async fn cookies_under_https_are_secure_and_host_only(engine: Engine) {
    let t =
        TestApp::start_with(engine, |c| c.base_url = url::Url::parse("https://network.example.org/").unwrap()).await;
    t.create_user("ann@council.example.gov.uk", "Ann Asker", swn::auth::Role::Member, crate::support::PASSWORD).await;
    // The browser of this test speaks plain http, so it keeps no Secure cookie: send them by hand, as an https
    // browser would.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let form = client.get(t.url("/sign-in")).send().await.unwrap();
    let set: Vec<String> =
        form.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    let csrf_cookie = set.iter().find(|c| c.starts_with("__Host-swn_csrf=")).expect("the form token's cookie");
    assert!(csrf_cookie.contains("Secure") && csrf_cookie.contains("Path=/") && !csrf_cookie.contains("Domain"));
    let token = csrf_cookie.trim_start_matches("__Host-swn_csrf=").split(';').next().unwrap().to_string();
    let signed_in = client
        .post(t.url("/sign-in"))
        .header("cookie", format!("__Host-swn_csrf={token}"))
        .header("origin", "https://network.example.org")
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "ann@council.example.gov.uk"),
            ("password", crate::support::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303);
    let set: Vec<String> =
        signed_in.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    let session = set.iter().find(|c| c.starts_with("__Host-swn_session=")).expect("the session's cookie");
    assert!(session.contains("Secure") && session.contains("Path=/"), "{session}");
    let session = session.trim_start_matches("__Host-swn_session=").split(';').next().unwrap().to_string();
    // A form whose answer carries a notice: the notice's cookie is host-only and Secure too.
    let saved = client
        .post(t.url("/account/email"))
        .header("cookie", format!("__Host-swn_csrf={token}; __Host-swn_session={session}"))
        .header("origin", "https://network.example.org")
        .form(&[("csrf_token", token.as_str()), ("newsletter", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    let set: Vec<String> =
        saved.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    let flash = set.iter().find(|c| c.starts_with("__Host-swn_flash=")).expect("the notice's cookie");
    assert!(flash.contains("Secure") && flash.contains("Path=/"), "{flash}");
    assert!(set.iter().all(|c| c.starts_with("__Host-")), "every cookie is host-only: {set:?}");
    t.finish().await;
}

async fn every_form_that_checks_a_password_shares_one_limit(engine: Engine) {
    let t = TestApp::start(engine).await;
    let ann = t.member("ann@council.example.gov.uk", "Ann Asker").await;
    // Five wrong guesses, spread over the three forms that ask for the current password...
    let guesses: [(&str, &[(&str, &str)]); 5] = [
        ("/account/delete", &[("password", "guess-1")]),
        ("/account/api-tokens", &[("name", "x"), ("password", "guess-2")]),
        ("/account/password", &[("current", "guess-3"), ("password", "new-password-9"), ("confirm", "new-password-9")]),
        ("/account/delete", &[("password", "guess-4")]),
        ("/account/api-tokens", &[("name", "x"), ("password", "guess-5")]),
    ];
    for (path, fields) in guesses {
        let answer = t.post_with(&ann, path, fields).await;
        assert!(answer.status.is_client_error() && answer.status != 429, "{path}: {}", answer.status);
    }
    // ...and each of them now refuses even the right one, with a time to wait.
    for (path, fields) in [
        ("/account/delete", vec![("password", crate::support::PASSWORD)]),
        ("/account/api-tokens", vec![("name", "x"), ("password", crate::support::PASSWORD)]),
    ] {
        let answer = t.post_with(&ann, path, &fields).await;
        answer.assert_status(429);
        assert!(answer.headers.contains_key("retry-after"), "{path}");
    }
    // The account is still there.
    t.get_with(&ann, "/account/email").await.assert_status(200);
    t.finish().await;
}

async fn dates_outside_the_years_both_engines_store_are_refused(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    for (when, stored) in [("-4800-01-01T10:00", false), ("1899-12-31T10:00", false), ("2030-01-01T10:00", true)] {
        let news = t
            .post_with(
                &org,
                "/admin/news/new",
                &[("title", &format!("News of {when}")), ("summary", "S"), ("body", "B"), ("publish_at", when)],
            )
            .await;
        if stored {
            news.assert_status(303);
        } else {
            assert!(news.status.is_client_error(), "{when}: {}", news.status);
            news.assert_contains("Enter a date and time");
        }
        let closes = t
            .post_with(
                &org,
                "/admin/meetings/new",
                &[
                    ("title", &format!("Meeting closing {when}")),
                    ("format", "case_study"),
                    ("summary", "S"),
                    ("audience", "members"),
                    ("mode", "virtual"),
                    ("joining_link", "https://meet.example.org/x"),
                    ("status", "draft"),
                    ("capacity", "10"),
                    ("starts_at", "2031-01-01T10:00"),
                    ("ends_at", "2031-01-01T11:00"),
                    ("closes_at", when),
                ],
            )
            .await;
        if stored {
            closes.assert_status(303);
        } else {
            assert!(closes.status.is_client_error(), "{when}: {}", closes.status);
            closes.assert_contains("Give the closing time");
        }
    }
    t.finish().await;
}

async fn forms_that_send_mail_to_a_typed_address_are_limited(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let mut slugs = Vec::new();
    for n in 0..4 {
        slugs.push(meeting(&t, &org, &format!("Open meeting {n}"), "open", "50", Duration::days(3 + n), &[]).await);
    }
    let guest = |slug: String, email: String| {
        let t = &t;
        async move {
            t.post_with(
                &browser(),
                &format!("/meetings/{slug}/guest"),
                &[("name", "Gus Guest"), ("email", email.as_str()), ("organisation", "Elsewhere Ltd")],
            )
            .await
        }
    };
    // One typed address gets at most three such e-mails an hour, whichever meetings they are for.
    for slug in &slugs[..3] {
        guest(slug.clone(), "target@victim.example.org".into()).await.assert_status(303);
    }
    let refused = guest(slugs[3].clone(), "target@victim.example.org".into()).await;
    refused.assert_status(429);
    assert!(refused.headers.contains_key("retry-after"));
    // One client gets at most ten in all.
    for n in 4..10 {
        guest(slugs[0].clone(), format!("guest{n}@elsewhere.example.org")).await.assert_status(303);
    }
    guest(slugs[0].clone(), "one-too-many@elsewhere.example.org".into()).await.assert_status(429);
    // Applications are limited the same way: a fourth to one address within the hour waits.
    let applicant = crate::membership::Applicant {
        name: "Nia Newcomer",
        email: "nia@eastmarch.gov.uk",
        employment: "employee",
        employees: "5200",
        organisation: "Eastmarch Borough Council",
        domain: "https://www.eastmarch.gov.uk",
    };
    for _ in 0..3 {
        let answer = crate::membership::apply(&t, &browser(), &applicant).await;
        assert_ne!(answer.status, 429);
    }
    crate::membership::apply(&t, &browser(), &applicant).await.assert_status(429);
    t.finish().await;
}

/// The form token is checked before any handler runs, whatever the body's type: a handler that reads no
/// body (sending a newsletter, signing out) is as guarded as one that does.
async fn every_state_change_needs_the_form_token_whatever_its_body(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let created = t
        .post_with(&org, "/admin/newsletters", &[("subject", "Not yet"), ("intro", "Draft."), ("audience", "members")])
        .await;
    created.assert_status(303);
    let path = created.location().unwrap().to_string();
    let send = t.url(&format!("{path}/send"));

    // An upload form without the token, a JSON body, and no body at all: each refused, nothing sent.
    let no_token = reqwest::multipart::Form::new().text("x", "1");
    let answer = org.post(&send).multipart(no_token).send().await.unwrap();
    assert_eq!(answer.status(), 403);
    let wrong_token = reqwest::multipart::Form::new().text("csrf_token", "a".repeat(43));
    assert_eq!(org.post(&send).multipart(wrong_token).send().await.unwrap().status(), 403);
    let json = org.post(&send).header("content-type", "application/json").body("{}").send().await.unwrap();
    assert_eq!(json.status(), 403);
    assert_eq!(org.post(&send).send().await.unwrap().status(), 403);
    t.get_with(&org, &path)
        .await
        .assert_status(200)
        .assert_contains(r#"<strong id="newsletter-status">draft</strong>"#);

    // Signing out with an upload form: without the token the session stays, with it the session ends.
    let sign_out = t.url("/sign-out");
    let form = reqwest::multipart::Form::new().text("x", "1");
    assert_eq!(org.post(&sign_out).multipart(form).send().await.unwrap().status(), 403);
    t.get_with(&org, "/account").await.assert_status(200);
    let token = t.csrf_with(&org).await;
    let form = reqwest::multipart::Form::new().text("x", "1").text("csrf_token", token);
    assert_eq!(org.post(&sign_out).multipart(form).send().await.unwrap().status(), 303);
    assert_eq!(t.get_with(&org, "/account").await.status.as_u16(), 303, "signed out");
    t.finish().await;
}

/// Every form that sets a password refuses common and breached ones, beside the field, with advice.
async fn common_and_breached_passwords_are_refused_with_advice(engine: Engine) {
    let t = TestApp::start(engine).await;
    let member = t.member("mia@northshire.gov.uk", "Mia Morgan").await;
    for weak in ["Password123", "password12", "Northshire2026"] {
        let changed = t
            .post_with(
                &member,
                "/account/password",
                &[("current", crate::support::PASSWORD), ("password", weak), ("confirm", weak)],
            )
            .await;
        changed.assert_status(400).assert_contains("too easy to guess").assert_contains("passphrase");
    }
    t.sign_in_with(&browser(), &member.email, crate::support::PASSWORD).await.assert_status(303);
    let strong = "kettle orbit lantern meadow";
    t.post_with(
        &member,
        "/account/password",
        &[("current", crate::support::PASSWORD), ("password", strong), ("confirm", strong)],
    )
    .await
    .assert_status(303);

    // Joining: the message sits beside the password field, and nothing is stored.
    let visitor = browser();
    let token = t.csrf_with(&visitor).await;
    let joined = t
        .post_raw(
            &visitor,
            "/join",
            &[
                ("csrf_token", token.as_str()),
                ("name", "Wes Weak"),
                ("email", "wes@northshire.gov.uk"),
                ("password", "Password123"),
                ("confirm", "Password123"),
            ],
        )
        .await;
    joined.assert_status(400);
    let (label, message, input) = (
        joined.body.find(r#"<label for="password">"#).unwrap(),
        joined.body.rfind("This password is too easy to guess").expect("the message"),
        joined.body.find(r#"<input id="password""#).unwrap(),
    );
    assert!(label < message && message < input, "the message sits between the password's label and its field");
    assert!(swn::auth::user_by_email(&t.app.db, "wes@northshire.gov.uk").await.unwrap().is_none());
    t.finish().await;
}

/// Guessing one account from many addresses slows every try for it, the owner's too, but only for seconds;
/// many failures from one shared office address slow that address without locking out its people.
async fn many_addresses_slow_one_account_and_a_shared_address_locks_no_one_out(engine: Engine) {
    use swn::auth::throttle::{FREE_PER_ACCOUNT, FREE_PER_ADDRESS, LONGEST_WAIT_SECS};
    let t = TestApp::start_with(engine, |c| c.trust_proxy = true).await;
    t.create_user("victim@agency.example.gov.uk", "Vic Tim", Role::Member, "right-password-1").await;
    t.create_user("colleague@agency.example.gov.uk", "Col League", Role::Member, "right-password-2").await;
    let attempt = |ip: String, email: &'static str, password: &'static str| {
        let (url, client) = (t.url("/sign-in"), browser());
        let t = &t;
        async move {
            let token = t.csrf_with(&client).await;
            let form = [("csrf_token", token.as_str()), ("email", email), ("password", password)];
            client.post(url).header("x-forwarded-for", ip).form(&form).send().await.unwrap()
        }
    };
    let victim = "victim@agency.example.gov.uk";
    for i in 0..FREE_PER_ACCOUNT {
        let answer = attempt(format!("203.0.113.{}", i + 1), victim, "guess-guess-1").await;
        assert_eq!(answer.status(), 401, "each address guesses once");
    }
    // A new address, even the owner's with the right password, waits a few seconds: slowed, not locked.
    let held = attempt("198.51.100.7".into(), victim, "right-password-1").await;
    assert_eq!(held.status(), 429);
    let wait: u64 = held.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=LONGEST_WAIT_SECS as u64).contains(&wait), "{wait}");
    tokio::time::sleep(std::time::Duration::from_secs(wait + 1)).await;
    assert_eq!(attempt("198.51.100.7".into(), victim, "right-password-1").await.status(), 303);

    // An office behind one address: many failures for many accounts slow that address for seconds.
    let office: std::net::IpAddr = "192.0.2.10".parse().unwrap();
    let now = chrono::Utc::now();
    for i in 0..FREE_PER_ADDRESS {
        // Counted as tries whose passwords were wrong (never taken back).
        let _ = swn::auth::throttle::attempt(&t.app.db, &format!("someone{i}@agency.example.gov.uk"), office, now)
            .await
            .unwrap()
            .unwrap();
    }
    let held = attempt(office.to_string(), "colleague@agency.example.gov.uk", "right-password-2").await;
    assert_eq!(held.status(), 429);
    let wait: u64 = held.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait <= LONGEST_WAIT_SECS as u64, "{wait}");
    tokio::time::sleep(std::time::Duration::from_secs(wait + 1)).await;
    let through = attempt(office.to_string(), "colleague@agency.example.gov.uk", "right-password-2").await;
    assert_eq!(through.status(), 303, "the colleague gets in once the short wait is over");
    t.finish().await;
}

/// A session lasts 12 hours without use by default, with a cookie that ends with the browser; "keep me signed
/// in on this device" gives the long one; the operator sets both.
async fn sessions_are_short_unless_kept_on_this_device(engine: Engine) {
    let t = TestApp::start_with(engine, |c| c.kept_session_idle = std::time::Duration::from_secs(3 * 24 * 3600)).await;
    t.create_user("sam@agency.example.gov.uk", "Sam Short", Role::Member, crate::support::PASSWORD).await;
    t.create_user("kim@agency.example.gov.uk", "Kim Kept", Role::Member, crate::support::PASSWORD).await;
    let sign_in = |email: &'static str, keep: bool| {
        let t = &t;
        async move {
            let b = browser();
            let token = t.csrf_with(&b).await;
            let mut form =
                vec![("csrf_token", token.as_str()), ("email", email), ("password", crate::support::PASSWORD)];
            if keep {
                form.push(("keep", "on"));
            }
            let answer = b.post(t.url("/sign-in")).form(&form).send().await.unwrap();
            assert_eq!(answer.status(), 303);
            let cookie = answer
                .headers()
                .get_all("set-cookie")
                .iter()
                .map(|v| v.to_str().unwrap().to_string())
                .find(|c| c.starts_with("swn_session="))
                .unwrap();
            (b, cookie)
        }
    };
    let (short, short_cookie) = sign_in("sam@agency.example.gov.uk", false).await;
    let (kept, kept_cookie) = sign_in("kim@agency.example.gov.uk", true).await;
    assert!(!short_cookie.contains("Max-Age") && !short_cookie.contains("Expires"), "{short_cookie}");
    assert!(kept_cookie.contains("Max-Age=5184000"), "the kept cookie lasts as long as a session may: {kept_cookie}");
    t.get("/sign-in")
        .await
        .assert_contains("Keep me signed in on this device")
        .assert_contains("for 3 days without use");

    // Both were last used 13 hours ago: the short one has ended, the kept one goes on.
    let idle_since = |email: &'static str, hours: i64| {
        let t = &t;
        async move {
            swn::execute!(
                &t.app.db,
                "UPDATE sessions SET last_seen_at = $1 WHERE user_id = (SELECT id FROM users WHERE email = $2)",
                chrono::Utc::now() - Duration::hours(hours),
                email
            )
            .unwrap();
        }
    };
    idle_since("sam@agency.example.gov.uk", 13).await;
    idle_since("kim@agency.example.gov.uk", 13).await;
    assert_eq!(t.get_with(&short, "/account").await.status.as_u16(), 303, "the short session ended");
    t.get_with(&kept, "/account").await.assert_status(200);
    // The kept one ends after its own idle time (set to three days here).
    idle_since("kim@agency.example.gov.uk", 4 * 24).await;
    assert_eq!(t.get_with(&kept, "/account").await.status.as_u16(), 303, "the kept session ended");
    t.finish().await;
}
