//! Several networks in one installation (issue 23): two networks from one process, one on SQLite and one on
//! PostgreSQL, each with its own demo, pages, feeds, site map, search and mail, and each refusing what the other
//! issued: session cookies, form tokens, API tokens and signed links.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{Answer, Engine, TestApp, TestData, browser, postgres_url, skip};

/// A network's news item, published by its organiser (who is given back).
async fn news(t: &TestApp, title: &str) -> crate::support::Person {
    let organiser = t.organiser().await;
    let fields =
        [("title", title), ("summary", "Only here."), ("body", "Only here."), ("publish_at", ""), ("published", "on")];
    t.post_with(&organiser, "/admin/news/new", &fields).await.assert_status(303);
    organiser
}

/// The value of the cookie `name` (with or without its `__Host-` prefix) an answer sets.
fn cookie(answer: &Answer, name: &str) -> String {
    answer
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.trim_start_matches("__Host-").strip_prefix(&format!("{name}=")))
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_else(|| panic!("no {name} cookie"))
        .to_string()
}

/// E-mails in a network's outbox folder whose text holds `needle`.
fn mail_holding(t: &TestApp, needle: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(t.outbox_dir()) else { return Vec::new() };
    entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).filter(|m| m.contains(needle)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_networks_from_one_process_keep_apart() {
    let second = if postgres_url().is_some() {
        Engine::Postgres
    } else {
        skip("set SWN_TEST_DATABASE_URL to serve the second network from PostgreSQL");
        Engine::Sqlite
    };
    let (uk, eu) = TestApp::start_networks(second).await;
    for t in [&uk, &eu] {
        swn::demo::load(&t.app).await.expect("a demo of its own");
    }
    let uk_organiser = news(&uk, "Anchor days in Leeds").await;
    let eu_organiser = news(&eu, "Anchor days in Lyon").await;

    // A visitor of each sees its own name, news, feed and site map, and nothing of the other.
    let (uk_home, eu_home) = (uk.get("/").await, eu.get("/").await);
    uk_home
        .assert_status(200)
        .assert_contains("<span>UK Smart Work Network</span>")
        .assert_lacks("European Smart Work Network");
    eu_home.assert_status(200).assert_contains("<span>European Smart Work Network</span>").assert_lacks("UK Smart");
    uk.get("/news").await.assert_contains("Anchor days in Leeds").assert_lacks("Lyon");
    eu.get("/news").await.assert_contains("Anchor days in Lyon").assert_lacks("Leeds");
    eu.get("/news/anchor-days-in-leeds").await.assert_status(404);
    let feed = eu.get("/news/feed.xml").await;
    feed.assert_status(200).assert_contains("<title>European Smart Work Network: news</title>").assert_lacks("Leeds");
    assert!(!feed.body.contains(&uk.base), "the feed links only its own network");
    let sitemap = uk.get("/sitemap.xml").await;
    sitemap.assert_contains("/news/anchor-days-in-leeds").assert_lacks("lyon");
    assert!(!sitemap.body.contains(&eu.base));
    eu.get("/sitemap.xml")
        .await
        .assert_contains(&format!("{}/news/anchor-days-in-lyon", eu.base))
        .assert_lacks("leeds");

    // Search: a visitor finds their own network's news, and a member their own network's discussion, only.
    uk.get("/search?q=leeds").await.assert_contains("Anchor days in Leeds");
    eu.get("/search?q=leeds").await.assert_status(200).assert_lacks("Anchor days in Leeds");
    let uk_member = uk.member("ann@council.example.gov.uk", "Ann Asker").await;
    let eu_member = eu.member("ann@council.example.gov.uk", "Ann Asker").await;
    crate::forum::topic(&uk, &uk_member, "people", "Zephyrine desk ratios", "What worked?", &[]).await;
    uk.get_with(&uk_member, "/search?q=zephyrine").await.assert_contains("Zephyrine desk ratios");
    eu.get_with(&eu_member, "/search?q=zephyrine").await.assert_status(200).assert_lacks("Zephyrine desk ratios");

    // A session of one network is no session in the other, though the person has an account in each.
    let signing_in = browser();
    let signed_in = uk.sign_in_with(&signing_in, &uk_member.email, crate::support::PASSWORD).await;
    let session = cookie(&signed_in, "swn_session");
    let with_session = |t: &TestApp| {
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap().get(t.url("/account"))
    };
    let own = with_session(&uk).header("cookie", format!("swn_session={session}")).send().await.unwrap();
    assert_eq!(own.status(), 200, "the session works where it was made");
    let other = with_session(&eu).header("cookie", format!("swn_session={session}")).send().await.unwrap();
    assert_eq!(other.status(), 303, "and is refused by the other network");

    // A form token of one network is refused by the other, even with its cookie beside it.
    let visitor = browser();
    let page = uk.get_with(&visitor, "/sign-in").await;
    let token = cookie(&page, "swn_csrf");
    let post = |t: &TestApp| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(t.url("/sign-in"))
            .header("cookie", format!("swn_csrf={token}"))
            .header("origin", &t.base)
            .form(&[("csrf_token", token.as_str()), ("email", "nobody@example.org"), ("password", "not-it-1")])
    };
    let at_own = post(&uk).send().await.unwrap().status();
    assert!(at_own != 403 && at_own.is_client_error(), "accepted as a form where it was made: {at_own}");
    assert_eq!(post(&eu).send().await.unwrap().status(), 403, "refused by the other network");

    // An API token of one network is unknown to the other.
    let api_token = crate::api::new_token(&uk, &uk_member, "my script").await;
    let me = |t: &TestApp| reqwest::Client::new().get(t.url("/api/v1/me")).bearer_auth(&api_token).send();
    assert_eq!(me(&uk).await.unwrap().status(), 200);
    assert_eq!(me(&eu).await.unwrap().status(), 401);

    // A signed link of one network (e-mail preferences) does not open in the other.
    let preferences = swn::mail::preferences_path(&uk.app, &uk_member.email);
    uk.get(&preferences).await.assert_status(200);
    assert!(eu.get(&preferences).await.status.is_client_error());

    // A newsletter sent in one network reaches its own members only.
    let only_eu = eu.member("eve@insurer.example.eu", "Eve Europe").await;
    let mut tx = eu.app.db.begin().await.unwrap();
    swn::mail::consent::record(&mut tx, &only_eu.id, swn::mail::Category::Newsletter, true, "test").await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = uk.app.db.begin().await.unwrap();
    swn::mail::consent::record(&mut tx, &uk_member.id, swn::mail::Category::Newsletter, true, "test").await.unwrap();
    tx.commit().await.unwrap();
    let draft = swn::newsletters::Draft {
        subject: "Kestrel quarterly",
        intro_md: "Hello.",
        audiences: &[swn::newsletters::Audience::Members],
        blocks: &[],
        author_id: None,
    };
    let now = chrono::Utc::now();
    let issue = swn::newsletters::create(&uk.app.db, &draft, now).await.unwrap();
    assert!(swn::newsletters::release(&uk.app.db, &issue, now).await.unwrap());
    uk.app.wake_newsletters();
    let started = std::time::Instant::now();
    while mail_holding(&uk, "Kestrel quarterly").is_empty() && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sent = mail_holding(&uk, "Kestrel quarterly");
    assert!(sent.iter().any(|m| m.contains(&uk_member.email)), "the UK member has their copy");
    assert!(sent.iter().all(|m| !m.contains("eve@insurer.example.eu")), "no copy to the other network's member");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(mail_holding(&eu, "Kestrel quarterly").is_empty(), "nothing in the other network's mail");

    // Each network's e-mails go out under its own name.
    eu.post_with(&browser(), "/password/forgot", &[("email", "ann@council.example.gov.uk")]).await.assert_status(200);
    let started = std::time::Instant::now();
    while mail_holding(&eu, "Set a new password").is_empty() && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let reset = mail_holding(&eu, "Set a new password").pop().expect("the reset e-mail");
    assert!(reset.contains("Subject: Set a new password for the European Smart Work Network"), "{reset}");
    let from = reset.lines().find(|l| l.starts_with("From:")).unwrap_or_default();
    assert!(from.contains("European Smart Work Network") && from.contains("<network@localhost>"), "{from}");
    assert!(reset.contains("The European Smart Work Network organisers"), "{reset}");
    assert!(mail_holding(&uk, "Set a new password").is_empty());

    // Organisers see their own network's people only.
    eu.get_with(&eu_organiser, "/admin/users").await.assert_status(200).assert_contains("Eve Europe");
    uk.get_with(&uk_organiser, "/admin/users").await.assert_status(200).assert_lacks("Eve Europe");

    uk.finish().await;
    eu.finish().await;
}

/// A host no network names gets a plain page naming none of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_host_is_told_nothing() {
    let (uk, eu) = TestApp::start_networks(Engine::Sqlite).await;
    let port = uk.app.config.base_url.port().unwrap();
    let answer = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/"))
        .header("host", format!("other.example.org:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    let body = answer.text().await.unwrap();
    assert!(body.contains("no site at this address") && !body.contains("Smart Work"), "{body}");
    uk.finish().await;
    eu.finish().await;
}

/// The command line with a networks file: `--network` picks a network for `demo`, `migrate` and `backup`;
/// `swn serve` starts each network (a setup link for the one without an organiser) and serves both on one port;
/// a file with a mistake stops the start with a message naming it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_works_on_each_network() {
    use crate::cli::free_port;
    let (uk, eu) = (TestData::new(Engine::Sqlite).await, TestData::new(Engine::Sqlite).await);
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("networks.toml");
    let network = |name: &str, title: &str, host: &str, data: &TestData| {
        format!(
            "[[network]]\nname = \"{name}\"\ntitle = \"{title}\"\nhosts = [\"{host}\"]\nbase_url = \"http://{host}:{port}\"\n\
             data_dir = \"{}\"\n\n",
            data.dir.path().display()
        )
    };
    let text = network("uk", "Smart Work Network", "127.0.0.1", &uk)
        + &network("eu", "European Smart Work Network", "localhost", &eu);
    std::fs::write(&file, &text).unwrap();
    let swn = |args: &[&str]| {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_swn"));
        cmd.env("SWN_NETWORKS", &file).env("SWN_LOG", "warn").args(args).kill_on_drop(true);
        cmd
    };
    let run = |args: &'static [&'static str]| {
        let mut cmd = swn(args);
        async move {
            let out = cmd.output().await.unwrap();
            let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            (out.status.success(), said)
        }
    };

    let (ok, said) = run(&["demo", "--network", "eu"]).await;
    assert!(ok && said.contains("Demo network loaded"), "{said}");
    let (ok, said) = run(&["migrate"]).await;
    assert!(!ok && said.contains("holds several networks: say which with --network (uk, eu)"), "{said}");
    let (ok, said) = run(&["demo", "--network", "fr"]).await;
    assert!(!ok && said.contains("has no network \"fr\" (it has uk, eu)"), "{said}");
    let (ok, said) = run(&["migrate", "--network", "uk"]).await;
    assert!(ok && said.contains("up to date"), "{said}");
    let backups = tempfile::tempdir().unwrap();
    let out = swn(&["backup", backups.path().to_str().unwrap(), "--network", "eu"]).output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_dir(backups.path()).unwrap().count(), 1, "the one network's backup");

    let metrics_port = free_port();
    let mut child = swn(&["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("SWN_METRICS_LISTEN", format!("127.0.0.1:{metrics_port}"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            printed.push_str(&line);
            printed.push('\n');
            if printed.matches("is running at").count() == 2 {
                return;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("swn serve did not start:\n{printed}"));
    assert!(printed.contains("No organiser yet in the Smart Work Network"), "{printed}");
    assert!(!printed.contains("No organiser yet in the European"), "the demo has one: {printed}");
    assert!(printed.contains(&format!("The European Smart Work Network is running at http://localhost:{port}/")));
    for (host, title) in [("127.0.0.1", "Smart Work Network"), ("localhost", "European Smart Work Network")] {
        let home = browser().get(format!("http://{host}:{port}/")).send().await.unwrap();
        assert_eq!(home.status(), 200);
        assert!(home.text().await.unwrap().contains(&format!("<span>{title}</span>")), "{host}");
    }
    // Each network's figures on its own path: one Prometheus target each.
    for (path, status) in [("/metrics/uk", 200), ("/metrics/eu", 200), ("/metrics", 404)] {
        let answer = reqwest::get(format!("http://127.0.0.1:{metrics_port}{path}")).await.unwrap();
        assert_eq!(answer.status(), status, "{path}");
    }
    crate::cli::stop(child).await;

    // A mistake in the file: the start stops, saying what and where.
    std::fs::write(&file, text.replace("hosts = [\"localhost\"]", "hosts = [\"127.0.0.1\"]")).unwrap();
    let out = swn(&["serve", "--listen", &format!("127.0.0.1:{port}")]).output().await.unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && said.contains("the host \"127.0.0.1\" is named twice"), "{said}");
    uk.finish().await;
    eu.finish().await;
}
