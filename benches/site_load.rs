//! Site load benchmark (issue 8): generates a large network through the application's own store functions
//! (10,000 members, 1,000 organisations, 100,000 forum posts, 500 meetings by default; `SWN_BENCH_SCALE=0.1`
//! for a tenth), then serves it with the real `swn serve` binary **in its own process** and measures, with 8
//! concurrent clients for `SWN_BENCH_SECONDS` (default 10) each:
//!
//! - two floors, each in its own process too (this binary run again with `SWN_BENCH_FLOOR`): a bare axum
//!   handler serving a static page of exactly the topic page's bytes, and a minimal axum + rusqlite handler that
//!   reads the same 50-reply topic (topic, posts, authors) straight from the SQLite file on every request and
//!   renders it by string formatting;
//! - the home page (visitor), the meeting list (member), the topic page with 50 replies (member), a search
//!   (member) and signing in (visitor: CSRF token and password, argon2id).
//!
//! For each: requests per second, p50/p99 latency, the **server process's CPU time per request** (utime +
//! stime from `/proc/<pid>/stat` over the measured requests only, so it stays meaningful on a busy machine),
//! its peak resident memory (VmHWM), and the page size; then the same figures as ratios to the floors. Every
//! scenario gets a freshly started server process, so the peak memory is that scenario's own.
//!
//! Run: `cargo bench --bench site_load` (SQLite in a temporary folder), or with
//! `SWN_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/swn_bench` (an empty database) for PostgreSQL
//! (the rusqlite floor then reads a small SQLite copy holding the same 50-reply topic).
//! CI smoke: `SWN_BENCH_SCALE=0.01 SWN_BENCH_SECONDS=1 cargo test --bench site_load` (asserts that every
//! scenario served requests and no answer was an error).
//!
//! Measure mode, for any server (used by `benches/peers/django_machina.py`):
//! `SWN_BENCH_MEASURE_URL=http://127.0.0.1:8000/forum/... SWN_BENCH_MEASURE_PIDS=123,124
//! SWN_BENCH_MEASURE_COOKIE='sessionid=...' cargo bench --bench site_load` measures that URL the same way,
//! summing the CPU time of the given processes and summing their peak resident memory.
//!
//! On PostgreSQL the database's own CPU per request (every `postgres` process on this machine, over the same
//! measured requests) is shown beside the server's. `SWN_BENCH_SERVER=path/to/swn` measures another build of
//! the server (an earlier commit's, for a before-and-after pair from one bench binary and one data set);
//! `SWN_BENCH_COMPARE=path/to/other/swn` measures both builds in turn, `SWN_BENCH_ROUNDS` times (the schema is
//! this bench binary's, so the pair does not show a migration's effect). `SWN_BENCH_DATA_DIR=folder` generates
//! into that empty folder, keeps it and stops (SQLite; on PostgreSQL the data is in `SWN_BENCH_DATABASE_URL`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use swn::App;
use swn::auth::Role;
use swn::config::{CommonArgs, Config};
use tokio::io::{AsyncBufReadExt, BufReader};

const CONCURRENCY: usize = 8;
const MEMBER_EMAIL: &str = "bench.member@bench.example.org";
const MEMBER_PASSWORD: &str = "bench-password-1";
const SEARCH: &str = "desk ratio";

fn scale() -> f64 {
    std::env::var("SWN_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0)
}

fn seconds() -> f64 {
    std::env::var("SWN_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10.0)
}

/// Warm-up before each measured run (fresh processes: caches, connection pools, prepared statements).
fn warm_up() -> Duration {
    Duration::from_secs_f64((seconds() / 5.0).clamp(0.5, 2.0))
}

/// The forum bodies (Markdown), one per line, varied so that a search matches a realistic share of the posts.
/// The peer script (`benches/peers/django_machina.py`) seeds its thread from the same file, in the same order.
static BODIES: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| include_str!("forum_bodies.txt").lines().filter(|l| !l.is_empty()).collect());

fn main() {
    match std::env::var("SWN_BENCH_FLOOR").as_deref() {
        Ok("static") => return floor::run_static(),
        Ok("rusqlite") => return floor::run_rusqlite(),
        _ => {}
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    if let Ok(url) = std::env::var("SWN_BENCH_MEASURE_URL") {
        runtime.block_on(measure_mode(url));
    } else {
        runtime.block_on(run());
    }
}

// ---------------------------------------------------------------------------------------------------------
// The whole run: generate, then each scenario against a freshly started process.

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    // `SWN_BENCH_DATA_DIR=folder`: the data is generated there and kept, and the run stops once it is, for the
    // measure mode or a profiler against a server started by hand.
    let kept = std::env::var_os("SWN_BENCH_DATA_DIR").map(std::path::PathBuf::from);
    let data = kept.clone().unwrap_or_else(|| dir.path().to_path_buf());
    if let Some(folder) = &kept {
        assert!(
            std::fs::read_dir(folder).is_ok_and(|mut f| f.next().is_none()),
            "SWN_BENCH_DATA_DIR is an empty folder"
        );
    }
    let database_url = std::env::var("SWN_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", data.join("bench.db").display()));
    let engine = if database_url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };

    let started = Instant::now();
    let app = open(&data, &database_url).await;
    let generated = generate(&app, scale()).await;
    // PostgreSQL plans from its statistics, which autovacuum gathers within a minute of a bulk load like this
    // one; gathered now, the run measures the steady state rather than the minute after the load.
    if engine == "PostgreSQL" {
        swn::execute!(&app.db, "ANALYZE").unwrap();
    }
    app.db.close().await;
    drop(app);
    println!(
        "generated {} members, {} organisations, {} posts, {} meetings on {engine} in {:.1} s",
        generated.members,
        generated.organisations,
        generated.posts,
        generated.meetings,
        started.elapsed().as_secs_f64()
    );

    // Sign in once; the session lives in the database, so it holds across the server processes below.
    let builds = builds();
    let server = Swn::start(&builds[0].1, &data, &database_url).await;
    let member_cookie = sign_in(&server.base).await;
    let topic_path = format!("/forum/t/{}", generated.topic_id);
    let topic_page = get_text(&format!("{}{topic_path}", server.base), Some(&member_cookie)).await;
    assert!(topic_page.matches("class=\"post").count() >= 50, "the topic page shows 50 replies");
    server.stop().await;
    if kept.is_some() {
        println!("kept in {}; Cookie: {member_cookie}; the topic page: {topic_path}", data.display());
        return;
    }

    // The rusqlite floor reads a SQLite file: the generated one, or on PostgreSQL a small copy of the topic.
    let floor_dir = tempfile::tempdir().unwrap();
    let (floor_db, floor_topic) = if engine == "SQLite" {
        (data.join("bench.db"), generated.topic_id.clone())
    } else {
        let path = floor_dir.path().join("floor.db");
        let app = open(floor_dir.path(), &format!("sqlite://{}", path.display())).await;
        let small = generate(&app, 0.0).await;
        app.db.close().await;
        (path, small.topic_id)
    };
    let page_file = floor_dir.path().join("topic.html");
    std::fs::write(&page_file, &topic_page).unwrap();

    let scenarios: Vec<(&str, Target, Request)> = vec![
        (
            "floor: static axum page, same bytes",
            Target::Floor(vec![("SWN_BENCH_FLOOR", "static".into()), ("SWN_BENCH_FLOOR_PAGE", path_str(&page_file))]),
            Request::get("/", None),
        ),
        (
            "floor: axum + rusqlite, same topic",
            Target::Floor(vec![
                ("SWN_BENCH_FLOOR", "rusqlite".into()),
                ("SWN_BENCH_FLOOR_DB", path_str(&floor_db)),
                ("SWN_BENCH_FLOOR_TOPIC", floor_topic.clone()),
            ]),
            Request::get("/", None),
        ),
        ("home `/` (visitor)", Target::Swn, Request::get("/", None)),
        ("meeting list `/meetings` (member)", Target::Swn, Request::get("/meetings", Some(&member_cookie))),
        ("topic page, 50 replies (member)", Target::Swn, Request::get(&topic_path, Some(&member_cookie))),
        (
            "search \"desk ratio\" (member)",
            Target::Swn,
            Request::get(&format!("/search?q={}", SEARCH.replace(' ', "+")), Some(&member_cookie)),
        ),
        ("sign-in POST (visitor, argon2id)", Target::Swn, Request::SignIn),
    ];

    // Each round measures the floors again, then each scenario on each build, the builds' order reversed in
    // every second round.
    let mut rounds = Vec::new();
    for round in 0..rounds_wanted() {
        let mut order: Vec<&(String, String)> = builds.iter().collect();
        if round % 2 == 1 {
            order.reverse();
        }
        let mut rows = Vec::new();
        for (name, target, request) in &scenarios {
            // Each run: its row's name, and the server binary (none for a floor).
            let runs: Vec<(String, Option<&str>)> = match target {
                Target::Floor(_) => vec![(name.to_string(), None)],
                Target::Swn if builds.len() == 1 => vec![(name.to_string(), Some(builds[0].1.as_str()))],
                Target::Swn => {
                    order.iter().map(|(label, path)| (format!("{name} [{label}]"), Some(path.as_str()))).collect()
                }
            };
            for (label, server) in runs {
                let process = match (target, server) {
                    (Target::Floor(env), _) => Process::Floor(Floor::start(env).await),
                    (Target::Swn, Some(server)) => Process::Swn(Swn::start(server, &data, &database_url).await),
                    (Target::Swn, None) => unreachable!("a server run names its binary"),
                };
                let base = process.base().to_string();
                let result = measure(&label, &base, request, &[process.pid()], engine == "PostgreSQL").await;
                match process {
                    Process::Swn(s) => s.stop().await,
                    Process::Floor(f) => f.stop().await,
                }
                println!("  {}", result.row());
                rows.push(result);
            }
        }
        rounds.push(rows);
    }
    for (round, rows) in rounds.iter().enumerate() {
        if rounds.len() > 1 {
            println!("\n## Round {} of {}", round + 1, rounds.len());
        }
        report(engine, rows);
    }
    for (label, path) in &builds {
        println!("[{label}] is {path}");
    }
}

/// The builds measured: this one (or `SWN_BENCH_SERVER`'s), and `SWN_BENCH_COMPARE`'s if set, for a before and
/// after pair measured in turn on the same data (two runs an hour apart on a shared machine do not compare).
fn builds() -> Vec<(String, String)> {
    let server = std::env::var("SWN_BENCH_SERVER").unwrap_or_else(|_| env!("CARGO_BIN_EXE_swn").to_string());
    let mut builds = vec![("A".to_string(), server)];
    if let Ok(other) = std::env::var("SWN_BENCH_COMPARE") {
        builds.push(("B".to_string(), other));
    }
    builds
}

/// How many times every scenario is measured (`SWN_BENCH_ROUNDS`, default 1).
fn rounds_wanted() -> usize {
    std::env::var("SWN_BENCH_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(1).max(1)
}

/// One round's table, its ratios to the floors, and the CI smoke's sanity checks.
fn report(engine: &str, rows: &[Measured]) {
    println!(
        "\n{engine}, scale {}, {CONCURRENCY} clients, {} s per scenario after {:.1} s warm-up; a fresh server process per scenario\n",
        scale(),
        seconds(),
        warm_up().as_secs_f64()
    );
    println!("{}", Measured::header());
    for r in rows {
        println!("{}", r.row());
    }
    let floor_static = &rows[0];
    let floor_sqlite = &rows[1];
    println!(
        "\n| scenario | requests/s ÷ static floor | CPU ms/request ÷ static floor | CPU ms/request ÷ rusqlite floor | server + database CPU ÷ rusqlite floor | peak RSS ÷ rusqlite floor |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for r in rows {
        // The floors read SQLite in their own process, so their own CPU is all of theirs.
        let with_database = r.cpu_ms_per_request + r.database_cpu_ms_per_request.unwrap_or(0.0);
        println!(
            "| {} | {} | {} | {} | {} | {:.1}× |",
            r.name,
            fraction(r.rps / floor_static.rps),
            times(r.cpu_ms_per_request / floor_static.cpu_ms_per_request),
            times(r.cpu_ms_per_request / floor_sqlite.cpu_ms_per_request),
            times(with_database / floor_sqlite.cpu_ms_per_request),
            r.peak_rss_mb / floor_sqlite.peak_rss_mb
        );
    }

    // The CI smoke's sanity: every scenario served requests, none failed.
    for r in rows {
        assert!(r.requests > 0, "{}: no request served", r.name);
        assert_eq!(r.errors, 0, "{}: {} answers were errors", r.name, r.errors);
        assert!(r.cpu_ms_per_request.is_finite() && r.peak_rss_mb > 0.0, "{}: process figures read", r.name);
    }
}

fn path_str(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

fn fraction(x: f64) -> String {
    if x >= 1.0 || x <= 0.0 { format!("{x:.2}") } else { format!("1/{:.0}", 1.0 / x) }
}

fn times(x: f64) -> String {
    if x.is_finite() { format!("{x:.1}×") } else { "–".into() }
}

async fn open(dir: &Path, database_url: &str) -> App {
    let args = CommonArgs {
        data_dir: dir.to_path_buf(),
        database_url: Some(database_url.to_string()),
        base_url: None,
        smtp_url: None,
        mail_from: "Bench <bench@swn.test>".into(),
        mail_reply_to: None,
        timezone: "Europe/London".into(),
        database_wait_seconds: 30,
        database_pool_size: None,
        statement_timeout_seconds: 30,
        pgbouncer: false,
        title: swn::config::DEFAULT_TITLE.into(),
        networks: None,
        network: None,
    };
    App::open(Config::from_common(&args, "127.0.0.1:9".parse().unwrap()).unwrap()).await.unwrap()
}

// ---------------------------------------------------------------------------------------------------------
// The data generator.

struct Generated {
    topic_id: String,
    members: usize,
    organisations: usize,
    posts: usize,
    meetings: usize,
}

/// Writes the network straight through the stores, in large transactions. At scale 0 it writes only what the
/// 50-reply topic needs (the rusqlite floor's copy on PostgreSQL runs).
async fn generate(app: &App, s: f64) -> Generated {
    let organisations = if s == 0.0 { 1 } else { (1000.0 * s).max(10.0) as usize };
    let members = if s == 0.0 { 50 } else { (10_000.0 * s).max(50.0) as usize };
    let topics = if s == 0.0 { 1 } else { (5_000.0 * s).max(20.0) as usize };
    let meeting_count = if s == 0.0 { 0 } else { (500.0 * s).max(20.0) as usize };
    let replies_per_topic = 19;
    let now = Utc::now();
    let bench_member =
        swn::auth::service::create_user_with_password(app, MEMBER_EMAIL, "Bench Member", Role::Member, MEMBER_PASSWORD)
            .await
            .unwrap();
    // One account per client for the sign-in scenario: tries of one account from one address are limited (five
    // in flight at once count as five), as a guesser's would be.
    for w in 0..CONCURRENCY {
        swn::auth::service::create_user_with_password(app, &signer(w), "Bench Signer", Role::Member, MEMBER_PASSWORD)
            .await
            .unwrap();
    }

    let sectors = ["Local government", "Central government", "Health", "Higher education", "Financial services"];
    let regions = ["England", "Scotland", "Wales", "Northern Ireland"];
    let mut tx = app.db.begin().await.unwrap();
    let mut org_ids = Vec::new();
    for i in 0..organisations {
        org_ids.push(
            swn::membership::insert_organisation(
                &mut tx,
                &format!("Organisation {i}"),
                sectors[i % sectors.len()],
                500 + i as i64,
                regions[i % regions.len()],
                "implementing",
            )
            .await
            .unwrap(),
        );
    }
    let mut user_ids = Vec::new();
    for i in 0..members {
        let id = swn::auth::insert_user(
            &mut tx,
            &format!("member{i}@bench.example.org"),
            &format!("Member {i}"),
            Role::Member,
            None,
        )
        .await
        .unwrap();
        swn::membership::make_member(
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
    swn::membership::make_member(
        &mut tx,
        &bench_member,
        &org_ids[0],
        "Head of Workplace",
        now,
        now + chrono::Duration::days(365),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // Groups (regional and sector), each with a private forum category; the bench member is in two of them.
    let mut group_ids = Vec::new();
    if s > 0.0 {
        for (i, region) in ["North West", "South West", "Scotland", "London", "Wales"].iter().enumerate() {
            let slug = format!("bench-{}-group", swn::web::forms::slugify(region));
            let id = swn::membership::groups::insert_group(
                &app.db,
                &slug,
                &format!("{region} regional group"),
                "regional",
                "open",
                "Members who work in the region.",
            )
            .await
            .unwrap();
            if i < 2 {
                swn::membership::groups::put_member(&app.db, &id, &bench_member, "member", "active", now)
                    .await
                    .unwrap();
            }
            for u in user_ids.iter().skip(i).step_by(25) {
                swn::membership::groups::put_member(&app.db, &id, u, "member", "active", now).await.unwrap();
            }
            group_ids.push(id);
        }
    }

    // The forum.
    let categories = swn::forum::categories(&app.db).await.unwrap();
    let public: Vec<_> = categories.iter().filter(|c| c.group_id.is_none()).collect();
    let mut posts = 0;
    let mut the_topic = String::new();
    let mut tx = app.db.begin().await.unwrap();
    for t in 0..topics {
        let category = public[t % public.len()];
        let author = &user_ids[t % user_ids.len()];
        let at = now - chrono::Duration::minutes((topics - t) as i64 * 60);
        let title =
            format!("Question {t}: {}", BODIES[t % BODIES.len()].split(['.', ',']).next().unwrap_or("a question"));
        let topic_id = swn::forum::insert_topic(
            &mut tx,
            &swn::forum::NewTopic {
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
        // The first topic is the one measured: an opening post and 50 replies.
        let replies = if t == 0 { 50 } else { replies_per_topic };
        for r in 0..=replies {
            let who = &user_ids[(t + r * 7) % user_ids.len()];
            let body = BODIES[(t + r) % BODIES.len()];
            let posted = at + chrono::Duration::seconds(r as i64);
            let text = swn::forum::PostText { md: body, html: swn::forum::post_html(body, &[]) };
            let id = swn::forum::insert_post(&mut tx, &topic_id, who, &text, r == 0, posted).await.unwrap();
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

    let meeting_count = generate_meetings(app, meeting_count, &org_ids, &group_ids, &user_ids, &bench_member).await;
    Generated { topic_id: the_topic, members: members + 1, organisations, posts, meetings: meeting_count }
}

/// Meetings as an organiser creates them: every format, audience and mode; four in five in the past (a few
/// years' programme, with notes and a recording), one in five upcoming (the next year); six registrations each.
async fn generate_meetings(
    app: &App,
    count: usize,
    org_ids: &[String],
    group_ids: &[String],
    user_ids: &[String],
    bench_member: &str,
) -> usize {
    use swn::meetings::{AUDIENCES, FORMATS, MODES};
    let now = Utc::now();
    let past = count * 4 / 5;
    let subjects = [
        "anchor days",
        "desk ratios and occupancy",
        "proximity bias",
        "home workers' equipment",
        "team agreements",
        "hybrid meetings",
        "frontline flexibility",
        "the business case",
        "the right to disconnect",
        "working abroad",
    ];
    for i in 0..count {
        let (format, format_label) = FORMATS[i % FORMATS.len()];
        let audience = AUDIENCES[(i / 5) % AUDIENCES.len()].0;
        let mode = MODES[(i / 15) % MODES.len()].0;
        // Past meetings every 3 days going back; upcoming ones every 3 days going forward.
        let days = if i < past { -3 * (past - i) as i64 } else { 3 * (i - past + 1) as i64 };
        let starts_at = now + chrono::Duration::days(days) + chrono::Duration::hours(2);
        let subject = subjects[i % subjects.len()];
        let title = format!("{format_label}: {subject} ({i})");
        let id = swn::meetings::insert_meeting(
            &app.db,
            &swn::meetings::MeetingInput {
                slug: swn::web::forms::slugify(&title),
                title: title.clone(),
                format: format.into(),
                summary_md: format!(
                    "A session on **{subject}**. {} Members bring their figures and their questions.",
                    BODIES[i % BODIES.len()]
                ),
                agenda_md: "1. Welcome and introductions\n2. The session\n3. Questions and discussion\n4. What next"
                    .into(),
                disciplines: ["people", "workplace", "technology", "people,workplace"][i % 4].into(),
                audience: audience.into(),
                group_id: if audience == "group" { Some(group_ids[i % group_ids.len()].clone()) } else { None },
                mode: mode.into(),
                joining_link: if mode == "in_person" {
                    String::new()
                } else {
                    format!("https://meet.example.org/swn-bench-{i}")
                },
                venue: if mode == "virtual" { String::new() } else { format!("Conference centre {}", i % 7) },
                directions: String::new(),
                accessibility: if mode == "virtual" { String::new() } else { "Step-free access throughout.".into() },
                host_organisation_id: if mode == "virtual" { None } else { Some(org_ids[i % org_ids.len()].clone()) },
                chair: "Dev Chaudhry".into(),
                speakers_md: format!("- Member {i}, Organisation {}", i % org_ids.len()),
                starts_at,
                ends_at: starts_at + chrono::Duration::minutes(90),
                registration_closes_at: starts_at - chrono::Duration::hours(2),
                capacity: 40,
                chatham_house: audience != "open",
                status: if i % 50 == 49 { "cancelled".into() } else { "published".into() },
            },
        )
        .await
        .unwrap();
        let mut tx = app.db.begin().await.unwrap();
        let people = user_ids.iter().skip(i % 100).step_by(97).take(6).map(String::as_str);
        let people: Vec<&str> = if i % 10 == 0 { people.chain([bench_member]).collect() } else { people.collect() };
        for (n, user) in people.into_iter().enumerate() {
            swn::meetings::upsert_registration(
                &mut tx,
                &swn::meetings::NewRegistration {
                    meeting_id: &id,
                    user_id: Some(user),
                    name: &format!("Attendee {n}"),
                    email: &format!("attendee{i}.{n}@bench.example.org"),
                    organisation: "Organisation",
                    status: "confirmed",
                    confirm_token_hash: None,
                    cancel_token_hash: &format!("bench-{i}-{n}"),
                },
            )
            .await
            .unwrap();
        }
        if i < past {
            swn::meetings::set_materials(
                &mut tx,
                &id,
                "## Key points\n\n- Start from activities, not roles.\n- Measure against a baseline before the change.",
                "https://video.example.org/swn-recording",
                None,
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
    count
}

// ---------------------------------------------------------------------------------------------------------
// The processes under test.

enum Target {
    Swn,
    Floor(Vec<(&'static str, String)>),
}

enum Process {
    Swn(Swn),
    Floor(Floor),
}

impl Process {
    fn base(&self) -> &str {
        match self {
            Process::Swn(s) => &s.base,
            Process::Floor(f) => &f.base,
        }
    }
    fn pid(&self) -> u32 {
        match self {
            Process::Swn(s) => s.child.id().unwrap(),
            Process::Floor(f) => f.child.id().unwrap(),
        }
    }
}

/// `swn serve`, the real binary, on the generated data.
struct Swn {
    child: tokio::process::Child,
    base: String,
}

impl Swn {
    async fn start(server: &str, data_dir: &Path, database_url: &str) -> Swn {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = tokio::process::Command::new(server)
            .arg("serve")
            .env("SWN_DATA_DIR", data_dir)
            .env("SWN_DATABASE_URL", database_url)
            .env("SWN_LISTEN", format!("127.0.0.1:{port}"))
            .env_remove("SWN_BASE_URL")
            .env_remove("SWN_SMTP_URL")
            // Its log (a line per request, as in production) goes nowhere.
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("the swn binary");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = client.get(format!("{base}/readyz")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "swn serve did not answer on {base}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Swn { child, base }
    }

    async fn stop(mut self) {
        self.child.kill().await.unwrap();
    }
}

/// This binary again, as a floor server; it prints its port.
struct Floor {
    child: tokio::process::Child,
    base: String,
}

impl Floor {
    async fn start(env: &[(&'static str, String)]) -> Floor {
        let mut command = tokio::process::Command::new(std::env::current_exe().unwrap());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.stdout(Stdio::piped()).kill_on_drop(true).spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = lines.next_line().await.unwrap().expect("the floor prints its port");
        let port = line.strip_prefix("port ").expect("port N").trim().to_string();
        Floor { child, base: format!("http://127.0.0.1:{port}") }
    }

    async fn stop(mut self) {
        self.child.kill().await.unwrap();
    }
}

mod floor {
    use std::cell::RefCell;
    use std::fmt::Write;

    use axum::response::Html;

    fn serve(router: axum::Router) {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            println!("port {}", listener.local_addr().unwrap().port());
            axum::serve(listener, router).await.unwrap();
        });
    }

    /// A bare axum handler serving the topic page's bytes.
    pub fn run_static() {
        let page = std::fs::read_to_string(std::env::var("SWN_BENCH_FLOOR_PAGE").unwrap()).unwrap();
        serve(axum::Router::new().route(
            "/",
            axum::routing::get(move || {
                let page = page.clone();
                async move { Html(page) }
            }),
        ));
    }

    thread_local! {
        static CONNECTION: RefCell<Option<rusqlite::Connection>> = const { RefCell::new(None) };
    }

    /// A minimal axum + rusqlite handler: the topic, its posts and their authors read from the SQLite file on
    /// every request (one connection per runtime thread, cached statements), rendered by string formatting.
    pub fn run_rusqlite() {
        let path = std::env::var("SWN_BENCH_FLOOR_DB").unwrap();
        let topic = std::env::var("SWN_BENCH_FLOOR_TOPIC").unwrap();
        serve(axum::Router::new().route(
            "/",
            axum::routing::get(move || {
                let html = CONNECTION.with(|c| {
                    let mut c = c.borrow_mut();
                    let connection = c.get_or_insert_with(|| rusqlite::Connection::open(&path).unwrap());
                    render(connection, &topic)
                });
                async move { Html(html) }
            }),
        ));
    }

    fn render(db: &rusqlite::Connection, topic_id: &str) -> String {
        let (title, category, slug): (String, String, String) = db
            .prepare_cached(
                "SELECT t.title, c.name, c.slug FROM forum_topics t JOIN forum_categories c ON c.id = t.category_id
                 WHERE t.id = ?1 AND NOT t.hidden",
            )
            .unwrap()
            .query_row([topic_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        let mut statement = db
            .prepare_cached(
                "SELECT p.id, p.body_html, p.created_at, u.name FROM forum_posts p LEFT JOIN users u ON u.id = p.author_id
                 WHERE p.topic_id = ?1 AND NOT p.hidden ORDER BY p.created_at, p.id LIMIT 50",
            )
            .unwrap();
        let mut rows = statement.query([topic_id]).unwrap();
        let mut html = String::with_capacity(48 * 1024);
        let title = escape(&title);
        write!(
            html,
            "<!doctype html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>{title} · Smart Work Network</title>\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"stylesheet\" href=\"/static/site.css\">\
             </head><body><header class=\"site\"><a href=\"/\">Smart Work Network</a><nav><a href=\"/meetings\">Meetings</a>\
             <a href=\"/forum\">Forum</a><a href=\"/library\">Library</a><a href=\"/search\">Search</a></nav></header>\
             <main><p class=\"crumbs\"><a href=\"/forum\">Forum</a> › <a href=\"/forum/c/{slug}\">{}</a></p><h1>{title}</h1>",
            escape(&category)
        )
        .unwrap();
        while let Some(row) = rows.next().unwrap() {
            let id: String = row.get(0).unwrap();
            let body: String = row.get(1).unwrap();
            let at: String = row.get(2).unwrap();
            let author: Option<String> = row.get(3).unwrap();
            writeln!(
                html,
                "<article class=\"post\" id=\"p-{id}\"><header><strong>{}</strong> <time datetime=\"{at}\">{}</time></header>\
                 <div class=\"body\">{body}</div><footer><a href=\"#p-{id}\">Link</a> <a href=\"?quote={id}#reply\">Quote</a>\
                 </footer></article>",
                escape(author.as_deref().unwrap_or("A former member")),
                at.get(..16).unwrap_or(&at)
            )
            .unwrap();
        }
        html.push_str("</main><footer class=\"site\">Smart Work Network</footer></body></html>\n");
        html
    }

    fn escape(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c => out.push(c),
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------------------
// Requests and measurement.

enum Request {
    Get {
        path: String,
        cookie: Option<String>,
    },
    /// POST /sign-in as a visitor whose browser fetched the form once (it keeps the CSRF cookie and token).
    SignIn,
}

impl Request {
    fn get(path: &str, cookie: Option<&str>) -> Request {
        Request::Get { path: path.to_string(), cookie: cookie.map(str::to_string) }
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).pool_max_idle_per_host(64).build().unwrap()
}

async fn get_text(url: &str, cookie: Option<&str>) -> String {
    let mut request = client().get(url);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{url}: {}", response.status());
    response.text().await.unwrap()
}

/// The cookie value `name=value` from a response's Set-Cookie headers.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        let pair = v.split(';').next()?.trim();
        pair.strip_prefix(&format!("{name}=")).map(|_| pair.to_string())
    })
}

/// Fetches the sign-in form: the CSRF cookie and the form's token.
async fn sign_in_form(client: &reqwest::Client, base: &str) -> (String, String) {
    let response = client.get(format!("{base}/sign-in")).send().await.unwrap();
    let cookie = set_cookie(&response, "swn_csrf").expect("a CSRF cookie");
    let page = response.text().await.unwrap();
    let token = scraper::Html::parse_document(&page)
        .select(&scraper::Selector::parse("input[name=csrf_token]").unwrap())
        .next()
        .and_then(|e| e.value().attr("value").map(str::to_string))
        .unwrap();
    (cookie, token)
}

/// The account client `w` signs in with in the sign-in scenario.
fn signer(w: usize) -> String {
    format!("signer{w}@bench.example.org")
}

async fn post_sign_in(client: &reqwest::Client, base: &str, csrf: &(String, String), email: &str) -> reqwest::Response {
    client
        .post(format!("{base}/sign-in"))
        .header("cookie", &csrf.0)
        .header("origin", base)
        .form(&[("csrf_token", csrf.1.as_str()), ("email", email), ("password", MEMBER_PASSWORD)])
        .send()
        .await
        .unwrap()
}

/// Signs the bench member in; gives the Cookie header a signed-in browser sends.
async fn sign_in(base: &str) -> String {
    let client = client();
    let csrf = sign_in_form(&client, base).await;
    let response = post_sign_in(&client, base, &csrf, MEMBER_EMAIL).await;
    assert_eq!(response.status(), 303, "the bench member signs in");
    let session = set_cookie(&response, "swn_session").expect("a session cookie");
    format!("{session}; {}", csrf.0)
}

struct Measured {
    name: String,
    requests: usize,
    errors: u64,
    rps: f64,
    p50: f64,
    p95: f64,
    p99: f64,
    cpu_ms_per_request: f64,
    /// PostgreSQL's own CPU per request (its processes on this machine); none on SQLite, which runs inside.
    database_cpu_ms_per_request: Option<f64>,
    client_cpu_ms_per_request: f64,
    peak_rss_mb: f64,
    /// The page's size (none for the sign-in POST, a redirect).
    bytes: Option<usize>,
}

impl Measured {
    fn header() -> &'static str {
        "| scenario | requests/s | p50 ms | p95 ms | p99 ms | server CPU ms/request | database CPU ms/request | peak RSS MB | page bytes | load generator CPU ms/request |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    }
    fn row(&self) -> String {
        format!(
            "| {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.3} | {} | {:.1} | {} | {:.3} |",
            self.name,
            self.rps,
            self.p50,
            self.p95,
            self.p99,
            self.cpu_ms_per_request,
            self.database_cpu_ms_per_request.map_or("–".to_string(), |c| format!("{c:.3}")),
            self.peak_rss_mb,
            self.bytes.map_or("–".to_string(), |b| b.to_string()),
            self.client_cpu_ms_per_request
        )
    }
}

/// Clock ticks per second for /proc's CPU times: `getconf CLK_TCK` (no `unsafe` for sysconf here), else 100.
fn ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// CPU time (user + system, all threads) of a process, in clock ticks, from /proc (Linux).
fn cpu_ticks(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    fields.get(11..13).map(|f| f.iter().filter_map(|t| t.parse::<u64>().ok()).sum()).unwrap_or(0)
}

/// CPU ticks of every PostgreSQL process on this machine, by pid (backends come and go; the pool's stay).
fn postgres_ticks() -> std::collections::HashMap<String, u64> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Default::default() };
    entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "postgres"))
        .map(|pid| {
            let ticks = cpu_ticks(&pid);
            (pid, ticks)
        })
        .collect()
}

/// Peak resident memory (VmHWM) of a process, in MB (it only grows over the process's life).
fn peak_rss_mb(pid: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Warms up, then loads `base` + the request from CONCURRENCY clients for the set time, and reads the
/// processes' CPU time over the measured requests only (summed over `pids`) and their peak memory (summed).
async fn measure<P: std::fmt::Display>(
    name: &str,
    base: &str,
    request: &Request,
    pids: &[P],
    count_database: bool,
) -> Measured {
    let pids: Vec<String> = pids.iter().map(|p| p.to_string()).collect();
    let ticks = ticks_per_second();
    let client = client();
    // One sign-in form per client, fetched before the run (a browser that opened the page).
    let mut forms = Vec::new();
    if let Request::SignIn = request {
        for _ in 0..CONCURRENCY {
            forms.push(sign_in_form(&client, base).await);
        }
    }
    let bytes = match request {
        Request::Get { path, cookie } => Some(get_text(&format!("{base}{path}"), cookie.as_deref()).await.len()),
        Request::SignIn => None,
    };
    let forms = Arc::new(forms);
    let errors = Arc::new(AtomicU64::new(0));
    let run = |length: Duration| {
        let deadline = Instant::now() + length;
        let mut workers = Vec::new();
        for w in 0..CONCURRENCY {
            let client = client.clone();
            let base = base.to_string();
            let forms = forms.clone();
            let errors = errors.clone();
            let get = match request {
                Request::Get { path, cookie } => Some((format!("{base}{path}"), cookie.clone())),
                Request::SignIn => None,
            };
            workers.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let response = match &get {
                        Some((url, cookie)) => {
                            let mut r = client.get(url);
                            if let Some(cookie) = cookie {
                                r = r.header("cookie", cookie);
                            }
                            r.send().await
                        }
                        None => Ok(post_sign_in(&client, &base, &forms[w], &signer(w)).await),
                    };
                    let ok = match response {
                        Ok(response) => {
                            let status = response.status();
                            response.bytes().await.is_ok() && (status.is_success() || status == 303)
                        }
                        Err(_) => false,
                    };
                    if !ok {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    latencies.push(t.elapsed());
                }
                latencies
            }));
        }
        workers
    };
    for w in run(warm_up()) {
        w.await.unwrap();
    }
    errors.store(0, Ordering::Relaxed);

    let cpu_before: u64 = pids.iter().map(|p| cpu_ticks(p)).sum();
    let client_before = cpu_ticks("self");
    let database_before = if count_database { postgres_ticks() } else { Default::default() };
    let started = Instant::now();
    let mut all = Vec::new();
    for w in run(Duration::from_secs_f64(seconds())) {
        all.extend(w.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_after: u64 = pids.iter().map(|p| cpu_ticks(p)).sum();
    let client_after = cpu_ticks("self");
    // A process that started during the run counts from zero; one that ended is lost (rare: pools persist).
    let database_ticks: u64 = postgres_ticks()
        .iter()
        .map(|(pid, after)| after.saturating_sub(database_before.get(pid).copied().unwrap_or(0)))
        .sum();
    let peak: f64 = pids.iter().map(|p| peak_rss_mb(p)).sum();

    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    let n = all.len().max(1) as f64;
    Measured {
        name: name.to_string(),
        requests: all.len(),
        errors: errors.load(Ordering::Relaxed),
        rps: all.len() as f64 / elapsed,
        p50: pct(0.50),
        p95: pct(0.95),
        p99: pct(0.99),
        cpu_ms_per_request: (cpu_after - cpu_before) as f64 / ticks * 1000.0 / n,
        database_cpu_ms_per_request: count_database.then(|| database_ticks as f64 / ticks * 1000.0 / n),
        client_cpu_ms_per_request: (client_after - client_before) as f64 / ticks * 1000.0 / n,
        peak_rss_mb: peak,
        bytes,
    }
}

/// Measures any server's page the same way: `SWN_BENCH_MEASURE_URL`, its processes in
/// `SWN_BENCH_MEASURE_PIDS` (comma-separated; CPU and peak memory summed over them), and an optional Cookie
/// header in `SWN_BENCH_MEASURE_COOKIE`.
async fn measure_mode(url: String) {
    let parsed = url::Url::parse(&url).expect("SWN_BENCH_MEASURE_URL is a URL");
    let base = parsed.origin().ascii_serialization();
    let path = match parsed.query() {
        Some(q) => format!("{}?{q}", parsed.path()),
        None => parsed.path().to_string(),
    };
    let pids: Vec<String> = std::env::var("SWN_BENCH_MEASURE_PIDS")
        .unwrap_or_default()
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    assert!(!pids.is_empty(), "SWN_BENCH_MEASURE_PIDS names the server's processes");
    let cookie = std::env::var("SWN_BENCH_MEASURE_COOKIE").ok().filter(|c| !c.is_empty());
    let name = std::env::var("SWN_BENCH_MEASURE_NAME").unwrap_or_else(|_| url.clone());
    let result = measure(&name, &base, &Request::get(&path, cookie.as_deref()), &pids, false).await;
    println!(
        "\n{CONCURRENCY} clients, {} s after {:.1} s warm-up; CPU and peak RSS summed over pids {}\n",
        seconds(),
        warm_up().as_secs_f64(),
        pids.join(",")
    );
    println!("{}", Measured::header());
    println!("{}", result.row());
    assert!(result.requests > 0 && result.errors == 0, "{}: {} errors", result.name, result.errors);
}
