//! Bad input gets a clear message and a 4xx, never a 500; forged forms are refused.

use swn::auth::Role;

use crate::on_both_engines;
use crate::support::{Engine, TestApp, browser};

on_both_engines!(
    bad_input_gets_clear_messages,
    forged_or_missing_form_tokens_are_refused,
    oversized_bodies_are_refused
);

async fn bad_input_gets_clear_messages(engine: Engine) {
    let t = TestApp::start(engine).await;
    // Sign-in: empty fields, wrong password, unknown account.
    t.post("/sign-in", &[("email", ""), ("password", "")])
        .await
        .assert_status(400)
        .assert_contains("Enter your e-mail address and your password");
    t.create_user("ann@org.example.com", "Ann", Role::Member, "right-password-1").await;
    let wrong = t.post("/sign-in", &[("email", "ann@org.example.com"), ("password", "wrong-password")]).await;
    wrong.assert_status(401).assert_contains("not right").assert_contains("value=\"ann@org.example.com\"");
    t.post("/sign-in", &[("email", "who@org.example.com"), ("password", "whatever-1")]).await.assert_status(401);
    t.post("/password/forgot", &[("email", "nope")])
        .await
        .assert_status(400)
        .assert_contains("Enter an e-mail address");
    t.get("/password/reset/not-a-real-token").await.assert_status(410).assert_contains("not valid");
    t.get("/setup/not-a-real-token").await.assert_status(410);

    // Organiser forms: empty and over-long fields, bad dates, taken addresses, non-images.
    let org = t.organiser().await;
    let empty = t.post_with(&org, "/admin/news/new", &[("title", ""), ("summary", ""), ("body", "")]).await;
    empty.assert_status(422).assert_contains("Title is required").assert_contains("The summary is required");
    let long_title = "x".repeat(201);
    let long = t
        .post_with(
            &org,
            "/admin/news/new",
            &[("title", &long_title), ("summary", "s"), ("body", "b"), ("publish_at", "next tuesday")],
        )
        .await;
    long.assert_status(422)
        .assert_contains("at most 200 characters")
        .assert_contains("Enter a date and time")
        .assert_contains(&long_title);
    t.post_with(&org, "/admin/news/new", &[("title", "Same"), ("summary", "s"), ("body", "b")])
        .await
        .assert_status(303);
    t.post_with(&org, "/admin/news/new", &[("title", "Same"), ("summary", "s"), ("body", "b")])
        .await
        .assert_status(422)
        .assert_contains("already has this address");
    t.post_with(&org, "/admin/pages/new", &[("title", "Bad slug"), ("slug", "Not Valid!"), ("body", "b")])
        .await
        .assert_status(422)
        .assert_contains("lower-case letters");

    let not_image = t
        .post_multipart_with(
            &org,
            "/admin/supporters/new",
            &[("name", "Acme"), ("description", "d")],
            Some(("logo", "logo.png", b"<svg onload=alert(1)></svg>".to_vec())),
        )
        .await;
    not_image.assert_status(422).assert_contains("not an image the site can show").assert_contains("value=\"Acme\"");
    let bad_site = t
        .post_multipart_with(
            &org,
            "/admin/supporters/new",
            &[("name", "Acme"), ("description", "d"), ("website", "javascript:alert(1)")],
            None,
        )
        .await;
    bad_site.assert_status(422).assert_contains("web address");
    assert!(swn::content::supporters(&t.app.db).await.unwrap().is_empty());
    t.post_multipart_with(&org, "/admin/people/new", &[("name", ""), ("role_title", ""), ("position", "-5")], None)
        .await
        .assert_status(422)
        .assert_contains("Name is required")
        .assert_contains("whole number");

    // Unknown things are 404 pages, malformed forms are 400 pages.
    t.get_with(&org, "/admin/news/does-not-exist").await.assert_status(404).assert_contains("Page not found");
    t.get_with(&org, "/files/does-not-exist").await.assert_status(404);
    t.get_with(&org, "/static/nope.js").await.assert_status(404);
    let put = org.client.put(t.url("/about")).send().await.unwrap();
    assert!(put.status().is_client_error());
    t.finish().await;
}

async fn forged_or_missing_form_tokens_are_refused(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let fields = [("title", "Forged"), ("summary", "s"), ("body", "b"), ("published", "on")];

    // No token, a wrong token, a token from another browser: all refused.
    t.post_raw(&org, "/admin/news/new", &fields).await.assert_status(403).assert_contains("security token");
    let mut forged = vec![("csrf_token", "A".repeat(43))];
    forged.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    let forged: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
    t.post_raw(&org, "/admin/news/new", &forged).await.assert_status(403);
    let other_token = t.csrf_with(&browser()).await;
    let mut theirs = vec![("csrf_token", other_token.as_str())];
    theirs.extend_from_slice(&fields);
    t.post_raw(&org, "/admin/news/new", &theirs).await.assert_status(403);

    // The right token from another site's page (Origin) is refused too.
    let token = t.csrf_with(&org).await;
    let mut mine = vec![("csrf_token", token.as_str())];
    mine.extend_from_slice(&fields);
    let cross = org
        .client
        .post(t.url("/admin/news/new"))
        .header("origin", "https://evil.example")
        .form(&mine)
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    // A JSON body is not a form.
    let json = org
        .client
        .post(t.url("/admin/news/new"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 403);
    // Upload forms check their token as well.
    let upload = org
        .client
        .post(t.url("/admin/supporters/new"))
        .multipart(reqwest::multipart::Form::new().text("name", "X").text("description", "d"))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 403);
    // Sign-out without a token does nothing.
    t.post_raw(&org, "/sign-out", &[]).await.assert_status(403);
    t.get_with(&org, "/admin").await.assert_status(200);
    assert!(swn::content::all_news(&t.app.db).await.unwrap().is_empty(), "nothing was written");
    assert!(swn::content::supporters(&t.app.db).await.unwrap().is_empty(), "nothing was written");

    // With the right token and our own origin it works.
    let ok =
        org.client.post(t.url("/admin/news/new")).header("origin", t.base.clone()).form(&mine).send().await.unwrap();
    assert_eq!(ok.status(), 303);
    t.finish().await;
}

async fn oversized_bodies_are_refused(engine: Engine) {
    let t = TestApp::start_with(engine, |c| c.max_upload_bytes = 64 * 1024).await;
    let org = t.organiser().await;
    let huge = "x".repeat(600 * 1024);
    let a = t.post_with(&org, "/admin/pages/new", &[("title", "Huge"), ("body", &huge)]).await;
    assert!(a.status == 413 || a.status == 400, "{}", a.status);
    a.assert_contains("larger than the site accepts");
    let big_logo = vec![0x89u8; 70 * 1024];
    let b = t
        .post_multipart_with(
            &org,
            "/admin/supporters/new",
            &[("name", "Big"), ("description", "d")],
            Some(("logo", "big.png", big_logo)),
        )
        .await;
    assert!(b.status.is_client_error(), "{}", b.status);
    // Far past the limit: the server answers 413 as soon as the limit is reached and closes the connection, so a
    // client still writing may see its write refused (a broken pipe) before it reads the answer. Both are a refusal.
    let huge_logo = vec![0x89u8; 2 * 1024 * 1024];
    let token = t.csrf_with(&org).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .text("name", "Huge")
        .text("description", "d")
        .part("logo", reqwest::multipart::Part::bytes(huge_logo).file_name("huge.png"));
    match org.client.post(t.url("/admin/supporters/new")).multipart(form).send().await {
        Ok(c) => assert!(c.status().is_client_error(), "{}", c.status()),
        Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
    }
    assert!(swn::content::supporters(&t.app.db).await.unwrap().is_empty());
    // Another browser: the organiser's pooled connection may be the one the server has just closed.
    t.get("/healthz").await.assert_status(200);
    t.finish().await;
}

/// 3,000 connections that send a header line every second (from 20 addresses, as a small botnet would) are
/// each cut off at the header time-out, and a visitor's request meanwhile is answered at once; one address
/// cannot hold more connections than its share.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_header_flood_is_cut_off_without_delaying_others() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const FLOOD: usize = 3_000;
    const PER_ADDRESS: usize = 150;
    // Both ends of every connection are in this process: about 6,000 open files.
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let open_files = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(u64::MAX);
    if open_files < 8_000 {
        crate::support::skip("the flood needs 8,000 open files (ulimit -n 8000); this process may open fewer");
        return;
    }
    let timeout = Duration::from_secs(10);
    let t = TestApp::start_with(Engine::Sqlite, |c| {
        c.connections = swn::web::serve::Limits { header_read_timeout: timeout, per_address: Some(PER_ADDRESS) }
    })
    .await;
    let server: std::net::SocketAddr = t.base.trim_start_matches("http://").parse().unwrap();
    let connect = move |from: [u8; 4]| async move {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind((std::net::Ipv4Addr::from(from), 0).into()).unwrap();
        socket.connect(server).await.unwrap()
    };

    // Each slow connection sends half a request, then a header line every second, until the server ends it;
    // it reports how long it was held. Opened in batches (the listen queue holds about a thousand).
    let mut held = Vec::with_capacity(FLOOD);
    for batch in 0..FLOOD / 500 {
        let opened = futures_util::future::join_all((0..500).map(|i| {
            let n = batch * 500 + i;
            async move {
                let mut s = connect([127, 0, 1, 1 + (n / PER_ADDRESS) as u8]).await;
                s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n").await.unwrap();
                (s, Instant::now())
            }
        }))
        .await;
        for (mut s, opened_at) in opened {
            held.push(tokio::spawn(async move {
                let mut buf = [0u8; 512];
                loop {
                    tokio::select! {
                        read = s.read(&mut buf) => match read {
                            Ok(0) | Err(_) => break,
                            Ok(_) => continue,
                        },
                        () = tokio::time::sleep(Duration::from_secs(1)) => {
                            // Held far past the time-out: give up, and let the assertion below say so.
                            if opened_at.elapsed() > timeout * 3 || s.write_all(b"X-Slow: 1\r\n").await.is_err() {
                                break;
                            }
                        }
                    }
                }
                opened_at.elapsed()
            }));
        }
    }

    // A visitor is answered while the flood is held, not when the time-out frees it. On a new connection: the
    // test client's kept one may have idled past the time-out while the flood was opened on a busy machine, and
    // the server's closing it would be taken for this answer (seen once, with the machine loaded).
    let visitor = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let asked = Instant::now();
    t.get_with(&visitor, "/").await.assert_status(200);
    let answered_in = asked.elapsed();
    assert!(answered_in < timeout / 2, "the visitor waited {answered_in:?} beside the flood");

    // One address over its share: the connection is closed before a byte is read.
    let mut over = connect([127, 0, 1, 1]).await;
    let mut byte = [0u8; 1];
    let refused = tokio::time::timeout(Duration::from_secs(5), over.read(&mut byte)).await;
    assert!(matches!(refused, Ok(Ok(0)) | Ok(Err(_))), "the 151st connection of one address is closed at once");

    // Every slow connection is cut off at the time-out (with slack for a busy machine), not before.
    let (mut earliest, mut latest) = (Duration::MAX, Duration::ZERO);
    for h in held {
        let was_held = h.await.unwrap();
        (earliest, latest) = (earliest.min(was_held), latest.max(was_held));
    }
    assert!(earliest >= timeout - Duration::from_secs(1), "one was cut off early, after {earliest:?}");
    assert!(latest < timeout + Duration::from_secs(6), "one was held for {latest:?}");
    t.get("/").await.assert_status(200);
    t.finish().await;
}

/// A request through a proxy the instance does not trust is noticed (and said once in the log), and the
/// address it claims is not taken.
#[tokio::test]
async fn a_forwarded_request_without_trust_is_noticed() {
    let t = crate::support::TestApp::start(crate::support::Engine::Sqlite).await;
    let answer = t.client.get(t.url("/")).header("x-forwarded-for", "198.51.100.23").send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert!(swn::web::browser::forwarded_without_trust_seen());
    t.finish().await;
}
