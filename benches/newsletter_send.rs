//! Newsletter delivery benchmark: 10,000 members who chose the newsletter (`SWN_BENCH_RECIPIENTS` to change),
//! one issue to all of them, queued by the newsletter job (each copy rendered for its reader and written to
//! the outbox) and delivered by the mail worker to a real SMTP server on this machine (`tests/peers/
//! smtp_peer.py`, aiosmtpd, which needs `pip install aiosmtpd`). Prints the time to queue, the time to deliver
//! and the rate, and this process's CPU time per message. `SWN_MAIL_CONCURRENCY` sets the deliveries in flight.
//!
//! Run: `cargo bench --bench newsletter_send` (SQLite in a temporary folder), or with
//! `SWN_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/swn_bench` (an empty database) for PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;
use std::time::{Duration, Instant};

use chrono::Utc;
use swn::App;
use swn::auth::Role;
use swn::config::{CommonArgs, Config};
use swn::mail::{outbox, transport::Transport, worker};
use swn::newsletters::{Audience, Draft, NewBlock};
use tokio::io::{AsyncBufReadExt, BufReader};

fn recipients() -> usize {
    std::env::var("SWN_BENCH_RECIPIENTS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000)
}

/// CPU time (user + system) this process has used, from /proc (Linux).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks: f64 = fields.get(11..13).map(|f| f.iter().filter_map(|t| t.parse::<f64>().ok()).sum()).unwrap_or(0.0);
    ticks / 100.0
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = std::env::var("SWN_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let engine = if database_url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };

    // The SMTP server: a separate process, accepting everything, keeping nothing.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut peer = tokio::process::Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/smtp_peer.py"))
        .args(["--port", &port.to_string()])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python3 with aiosmtpd (pip install aiosmtpd)");
    let mut lines = BufReader::new(peer.stdout.take().unwrap()).lines();
    while let Some(line) = lines.next_line().await.unwrap() {
        if line.trim() == "ready" {
            break;
        }
    }

    let args = CommonArgs {
        data_dir: dir.path().to_path_buf(),
        database_url: Some(database_url),
        base_url: Some("https://network.example.org".into()),
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        mail_from: "Smart Work Network <news@network.example.org>".into(),
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
    let mut config = Config::from_common(&args, "127.0.0.1:9".parse().unwrap()).unwrap();
    if let Some(lanes) = std::env::var("SWN_MAIL_CONCURRENCY").ok().and_then(|v| v.parse().ok()) {
        config.mail_concurrency = lanes;
    }
    let lanes = config.mail_concurrency;
    let app = App::open(config).await.unwrap();

    let n = recipients();
    let started = Instant::now();
    seed(&app, n).await;
    println!("{n} members on {engine} in {:.1} s", started.elapsed().as_secs_f64());

    let now = Utc::now();
    let blocks: Vec<NewBlock> = (0..6)
        .map(|i| NewBlock {
            kind: if i % 2 == 0 { "news" } else { "meeting" },
            title: format!("Item {i}: what hybrid teams learned this quarter"),
            summary: "A short summary of the item, as organisers write them, of a line or two.".into(),
            path: format!("/news/item-{i}"),
            audience: if i < 3 { swn::auth::policy::Audience::Everyone } else { swn::auth::policy::Audience::Members },
        })
        .collect();
    let intro = "Welcome to the **winter issue**. Three case studies, two open meetings, and the answers of the month.";
    let draft = Draft {
        subject: "Winter news",
        intro_md: intro,
        audiences: &[Audience::Members],
        blocks: &blocks,
        author_id: None,
    };
    let id = swn::newsletters::create(&app.db, &draft, now).await.unwrap();
    swn::newsletters::release(&app.db, &id, now).await.unwrap();

    let cpu0 = cpu_seconds();
    let started = Instant::now();
    swn::newsletters::queue_due_issues(&app).await.unwrap();
    let queue_secs = started.elapsed().as_secs_f64();
    let queue_cpu = cpu_seconds() - cpu0;
    let batch = format!("newsletter:{id}");
    let queued = outbox::progress(&app.db, &batch).await.unwrap().total;
    println!(
        "queued {queued} copies in {queue_secs:.2} s ({:.0} copies/s; {:.3} ms CPU per copy)",
        queued as f64 / queue_secs,
        queue_cpu * 1000.0 / queued as f64
    );

    let transport = Transport::smtp(app.config.smtp_url.as_deref().unwrap()).unwrap();
    let cpu0 = cpu_seconds();
    let started = Instant::now();
    let mut attempted = 0;
    loop {
        let done = worker::deliver_due(&app, &transport).await.unwrap();
        attempted += done;
        if done == 0 {
            break;
        }
    }
    let deliver_secs = started.elapsed().as_secs_f64();
    let deliver_cpu = cpu_seconds() - cpu0;
    let p = outbox::progress(&app.db, &batch).await.unwrap();
    println!(
        "delivered {} of {} ({} failed, {attempted} attempts, {lanes} at once) in {deliver_secs:.2} s: {:.0} messages/s; {:.3} ms CPU per message in swn",
        p.sent,
        p.total,
        p.failed,
        p.sent as f64 / deliver_secs,
        deliver_cpu * 1000.0 / p.sent.max(1) as f64
    );
    println!(
        "end to end: {n} recipients in {:.1} s ({:.0} per second)",
        queue_secs + deliver_secs,
        n as f64 / (queue_secs + deliver_secs)
    );
    let _ = peer.kill().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// Members in their term who chose the newsletter, written directly (as an import would).
async fn seed(app: &App, n: usize) {
    let now = Utc::now();
    let mut tx = app.db.begin().await.unwrap();
    let org = swn::membership::insert_organisation(&mut tx, "Bench Org", "Retail", 5000, "England", "implementing")
        .await
        .unwrap();
    for i in 0..n {
        let id = swn::auth::insert_user(
            &mut tx,
            &format!("member{i:05}@bench.example.org"),
            &format!("Member {i}"),
            Role::Member,
            None,
        )
        .await
        .unwrap();
        swn::membership::make_member(&mut tx, &id, &org, "Lead", now, now + chrono::Duration::days(365)).await.unwrap();
        swn::mail::consent::record(&mut tx, &id, swn::mail::Category::Newsletter, true, "bench").await.unwrap();
    }
    tx.commit().await.unwrap();
}
