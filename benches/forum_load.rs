//! Forum load benchmark: generates a large network (10,000 members, 1,000 organisations, 100,000 posts by
//! default; `SWN_BENCH_SCALE=0.1` for a tenth), serves it, and measures the topic page with 50 replies, a
//! category list and a search, beside a floor: a bare axum handler serving a static page of the same size, in
//! the same run on the same machine. Prints requests per second and p50/p99 latency for each.
//!
//! Run: `cargo bench --bench forum_load` (SQLite in a temporary folder), or with
//! `SWN_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/swn_bench` (an empty database) for PostgreSQL.
//! The load generator runs in the same process as the server, so both share the machine's two cores; the
//! floor is measured the same way, which is what makes the comparison fair.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use swn::auth::Role;
use swn::config::{CommonArgs, Config};
use swn::forum::store as forum;
use swn::{App, Server};
use tokio::net::TcpListener;

const CONCURRENCY: usize = 8;

fn scale() -> f64 {
    std::env::var("SWN_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0)
}

fn seconds() -> u64 {
    std::env::var("SWN_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10)
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = std::env::var("SWN_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let args = CommonArgs {
        data_dir: dir.path().to_path_buf(),
        database_url: Some(database_url.clone()),
        base_url: None,
        smtp_url: None,
        mail_from: "Bench <bench@swn.test>".into(),
        timezone: "Europe/London".into(),
    };
    let config = Config::from_common(&args, addr).unwrap();
    let app = App::open(config).await.unwrap();
    let engine = if database_url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };

    let started = Instant::now();
    let (topic_id, posts) = generate(&app).await;
    println!("generated {posts} posts on {engine} in {:.1} s", started.elapsed().as_secs_f64());

    let server = Server::from_listener(app.clone(), listener).unwrap();
    tokio::spawn(server.run(std::future::pending()));
    let base = format!("http://{addr}");

    // A member's browser, signed in.
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let page = client.get(format!("{base}/sign-in")).send().await.unwrap().text().await.unwrap();
    let token = scraper::Html::parse_document(&page)
        .select(&scraper::Selector::parse("input[name=csrf_token]").unwrap())
        .next()
        .and_then(|e| e.value().attr("value").map(str::to_string))
        .unwrap();
    let signed = client
        .post(format!("{base}/sign-in"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "bench.member@bench.example.org"),
            ("password", "bench-password-1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303, "the bench member signs in");

    let topic_page = client.get(format!("{base}/forum/t/{topic_id}")).send().await.unwrap().text().await.unwrap();
    assert!(topic_page.matches("class=\"post").count() >= 50, "the topic page shows 50 replies");
    let floor_addr = floor(topic_page.clone()).await;

    println!("\n| scenario | requests/s | p50 ms | p99 ms | page bytes |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let scenarios = [
        ("floor: static axum page, same size", format!("http://{floor_addr}/"), reqwest::Client::new()),
        ("topic page, 50 replies (member)", format!("{base}/forum/t/{topic_id}"), client.clone()),
        ("category list (member)", format!("{base}/forum/c/people"), client.clone()),
        ("search \"desk ratio\" (member)", format!("{base}/search?q=desk+ratio"), client.clone()),
    ];
    for (name, url, c) in scenarios {
        let (rps, p50, p99, bytes) = load(&c, &url).await;
        println!("| {name} | {rps:.0} | {p50:.2} | {p99:.2} | {bytes} |");
    }
}

/// Writes the network straight through the stores, in large transactions. Gives the 50-reply topic's id.
async fn generate(app: &App) -> (String, usize) {
    let s = scale();
    let organisations = (1000.0 * s).max(10.0) as usize;
    let members = (10_000.0 * s).max(50.0) as usize;
    let topics = (5_000.0 * s).max(20.0) as usize;
    let replies_per_topic = 19;
    let now = Utc::now();
    swn::auth::service::create_user_with_password(
        app,
        "bench.member@bench.example.org",
        "Bench Member",
        Role::Member,
        "bench-password-1",
    )
    .await
    .unwrap();

    let mut tx = app.db.begin().await.unwrap();
    let mut org_ids = Vec::new();
    for i in 0..organisations {
        org_ids.push(
            swn::membership::store::insert_organisation(
                &mut tx,
                &format!("Organisation {i}"),
                "Local government",
                500 + i as i64,
                "England",
                "implementing",
            )
            .await
            .unwrap(),
        );
    }
    let mut user_ids = Vec::new();
    for i in 0..members {
        let id = swn::auth::store::insert_user(
            &mut tx,
            &format!("member{i}@bench.example.org"),
            &format!("Member {i}"),
            Role::Member,
            None,
        )
        .await
        .unwrap();
        swn::membership::store::make_member(
            &mut tx,
            &id,
            &org_ids[i % org_ids.len()],
            "Hybrid Working Lead",
            now,
            now + chrono::Duration::days(365),
        )
        .await
        .unwrap();
        user_ids.push(id);
    }
    tx.commit().await.unwrap();

    let categories = forum::categories(&app.db).await.unwrap();
    let public: Vec<_> = categories.iter().filter(|c| c.group_id.is_none()).collect();
    // Varied text, so that a search matches a realistic share of the posts, not all of them.
    let bodies = [
        "We ran a twelve-week trial of **anchor days** with a baseline for sickness absence and customer response times.",
        "Our desk ratio is now 6 to 10 after eight weeks of occupancy measurement; peak days reach 80%.",
        "Managers asked for guidance on proximity bias in appraisals, so we hid attendance data in calibration.",
        "Display-screen assessments for home workers are done online, with equipment sent within a week.",
        "Team agreements are reviewed every three months or when someone joins the team.",
        "We standardised on one platform for chat and meetings, with champions in each directorate.",
        "Frontline staff now self-roster, with annualised hours in two pilot wards.",
        "The board accepted the business case once retention figures joined the property savings.",
        "Hybrid meetings improved when everyone joined from their own laptop and the chair checked the online queue.",
        "We consulted the unions early and agreed a right to disconnect after 6pm.",
        "Induction now includes a buddy and two weeks of in-person days for the whole team.",
        "Working abroad is allowed for up to 20 days a year from an approved list of countries.",
        "We measured travel and commuting carbon before and after the change.",
        "Contact centre staff choose shifts through an app, with cover agreed by the team.",
        "Our library became an activity-based space with bookable focus rooms.",
    ];
    let mut posts = 0;
    let mut the_topic = String::new();
    let mut tx = app.db.begin().await.unwrap();
    for t in 0..topics {
        let category = public[t % public.len()];
        let author = &user_ids[t % user_ids.len()];
        let at = now - chrono::Duration::minutes((topics - t) as i64);
        let title =
            format!("Question {t}: {}", bodies[t % bodies.len()].split(['.', ',']).next().unwrap_or("a question"));
        let topic_id = forum::insert_topic(
            &mut tx,
            &forum::NewTopic {
                category_id: &category.id,
                author_id: author,
                anonymous_label: None,
                title: &title,
                kind: "question",
            },
            at,
        )
        .await
        .unwrap();
        let replies = if t == 0 { 50 } else { replies_per_topic };
        for r in 0..=replies {
            let who = &user_ids[(t + r * 7) % user_ids.len()];
            let body = bodies[(t + r) % bodies.len()];
            let id = forum::insert_post(&mut tx, &topic_id, who, body, r == 0, at).await.unwrap();
            swn::db::search::index_post(&mut tx, &id, &title, body).await.unwrap();
            posts += 1;
        }
        if t == 0 {
            the_topic = topic_id;
        }
        if t % 200 == 199 {
            tx.commit().await.unwrap();
            tx = app.db.begin().await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    (the_topic, posts)
}

/// The floor: a bare axum handler serving the same bytes.
async fn floor(page: String) -> SocketAddr {
    let page = Arc::new(page);
    let router = axum::Router::new().route(
        "/",
        axum::routing::get(move || {
            let page = page.clone();
            async move { axum::response::Html(page.as_str().to_string()) }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

/// Requests `url` from CONCURRENCY workers for the set time; gives requests/s, p50 and p99 in ms, and size.
async fn load(client: &reqwest::Client, url: &str) -> (f64, f64, f64, usize) {
    // Warm up.
    let bytes = client.get(url).send().await.unwrap().bytes().await.unwrap().len();
    let deadline = Instant::now() + Duration::from_secs(seconds());
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let client = client.clone();
        let url = url.to_string();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let response = client.get(&url).send().await.unwrap();
                assert!(response.status().is_success(), "{url}: {}", response.status());
                let _ = response.bytes().await.unwrap();
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    (all.len() as f64 / elapsed, pct(0.50), pct(0.99), bytes)
}
