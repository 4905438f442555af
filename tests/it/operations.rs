//! What an operator watches: `/metrics` on its own address, read by Prometheus's own parser and matching the
//! database, and request logs as JSON with the request id the answer carries.

use std::process::Stdio;
use std::time::Duration;

use chrono::Utc;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

use crate::on_both_engines;
use crate::support::{Engine, TestData};

on_both_engines!(
    metrics_and_json_logs_tell_an_operator_what_is_happening,
    files_stream_with_ranges_and_conditions_in_little_memory
);

fn prometheus_parser_available() -> bool {
    let found = std::process::Command::new("python3")
        .args(["-c", "import prometheus_client"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        crate::support::skip("the Python package prometheus_client is not installed (.ci/run installs it)");
    }
    found
}

/// The samples of one exposition, as Prometheus's parser reads them.
async fn parse(text: &str) -> serde_json::Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/parse_metrics.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).await.unwrap();
    let out = child.wait_with_output().await.unwrap();
    assert!(out.status.success(), "the exposition parses: {}\n{text}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn sample(samples: &serde_json::Value, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples[name].as_array()?.iter().find_map(|s| {
        let have = &s[0];
        labels.iter().all(|(k, v)| have[*k] == *v).then(|| s[1].as_f64()).flatten()
    })
}

async fn metrics_and_json_logs_tell_an_operator_what_is_happening(engine: Engine) {
    if !prometheus_parser_available() {
        return;
    }
    let data = TestData::new(engine).await;
    // Mail waiting for tomorrow (a retry's back-off): two personal e-mails and three newsletter copies.
    {
        let config = swn::config::Config::from_common(&data.common_args(), "127.0.0.1:9".parse().unwrap()).unwrap();
        let app = swn::App::open(config).await.unwrap();
        let mut tx = app.db.begin().await.unwrap();
        for (i, priority) in [(0, "transactional"), (1, "transactional"), (2, "bulk"), (3, "bulk"), (4, "bulk")] {
            let email = swn::mail::Email {
                to: format!("person{i}@example.org"),
                subject: "Waiting".into(),
                text: "Text".into(),
                html: "<p>HTML</p>".into(),
                attachment: None,
                list_unsubscribe: None,
            };
            let (priority, bulk) = match priority {
                "transactional" => (swn::mail::outbox::Priority::Transactional, None),
                _ => (swn::mail::outbox::Priority::Bulk, Some(("batch-1", format!("batch-1:{i}")))),
            };
            let bulk = bulk.as_ref().map(|(b, k)| (*b, k.as_str()));
            swn::mail::outbox::enqueue(&mut tx, &email, "swn.test", bulk, priority).await.unwrap();
        }
        tx.commit().await.unwrap();
        let tomorrow = Utc::now() + chrono::Duration::days(1);
        swn::execute!(&app.db, "UPDATE outbox SET next_attempt_at = $1", tomorrow).unwrap();
        app.db.close().await;
    }

    let (port, metrics_port) = (crate::cli::free_port(), crate::cli::free_port());
    let base = format!("http://127.0.0.1:{port}");
    let mut child = crate::cli::swn(&data)
        .env("SWN_LOG_FORMAT", "json")
        .env("SWN_LOG", "info")
        .env("SWN_METRICS_LISTEN", format!("127.0.0.1:{metrics_port}"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut logged = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let running = line.contains("is running at");
            logged.push(line);
            if running {
                return;
            }
        }
    })
    .await
    .expect("swn serve started");

    let client = reqwest::Client::new();
    let home = client.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(home.status(), 200);
    let id = home.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 32, "a request id comes back: {id}");
    let missing = client.get(format!("{base}/no-such-page")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_ne!(missing.headers()["x-request-id"].to_str().unwrap(), id, "each request its own id");
    assert_eq!(
        client.get(format!("{base}/metrics")).send().await.unwrap().status(),
        404,
        "the metrics are not on the public address"
    );

    let metrics = format!("http://127.0.0.1:{metrics_port}/metrics");
    let exposition = client.get(&metrics).send().await.unwrap();
    assert!(exposition.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    let samples = parse(&exposition.text().await.unwrap()).await;
    let home_count =
        sample(&samples, "swn_http_requests_total", &[("route", "/"), ("status", "200"), ("method", "GET")]);
    assert_eq!(home_count, Some(1.0), "{samples}");
    assert_eq!(
        sample(&samples, "swn_http_requests_total", &[("route", "(no route)"), ("status", "404")]),
        Some(2.0),
        "two unknown addresses asked"
    );
    assert!(sample(&samples, "swn_http_request_duration_seconds_count", &[("route", "/")]) == Some(1.0));
    // The outbox figures, against the database read here on its own.
    let db = swn::db::Db::connect_with(&data.database_url, &data.pooling()).await.unwrap();
    for (kind, priority) in [("transactional", 0i64), ("chosen", 1), ("bulk", 2)] {
        let waiting = swn::fetch_scalar!(
            &db,
            i64,
            "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending') AND priority = $1",
            priority
        )
        .unwrap();
        assert_eq!(sample(&samples, "swn_outbox_waiting", &[("kind", kind)]), Some(waiting as f64), "{kind}");
    }
    db.close().await;
    assert_eq!(sample(&samples, "swn_outbox_waiting", &[("kind", "transactional")]), Some(2.0));
    assert_eq!(sample(&samples, "swn_outbox_waiting", &[("kind", "bulk")]), Some(3.0));
    let oldest = sample(&samples, "swn_outbox_oldest_waiting_seconds", &[("kind", "bulk")]).unwrap();
    assert!((0.0..120.0).contains(&oldest), "queued moments ago: {oldest}");
    assert!(sample(&samples, "swn_job_last_run_timestamp_seconds", &[("job", "mail")]).unwrap() > 1.7e9);
    assert!(sample(&samples, "swn_job_last_duration_seconds", &[("job", "mail")]).is_some());
    assert_eq!(
        sample(&samples, "swn_db_pool_max_connections", &[]),
        Some(if engine == Engine::Sqlite { 8.0 } else { 16.0 })
    );
    assert!(sample(&samples, "swn_db_pool_connections", &[("state", "idle")]).is_some());
    assert!(sample(&samples, "swn_mail_delivered_total", &[]).is_some());

    crate::cli::stop(child).await;
    // The rest of the log, read after the stop.
    while let Ok(Ok(Some(line))) = tokio::time::timeout(Duration::from_secs(5), lines.next_line()).await {
        logged.push(line);
    }
    let entries: Vec<serde_json::Value> = logged.iter().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(!entries.is_empty() && entries.len() + 10 >= logged.len(), "the log is JSON lines: {logged:?}");
    let line = entries
        .iter()
        .find(|e| e["span"]["id"] == id.as_str() && e["message"] == "answered")
        .unwrap_or_else(|| panic!("a line for request {id}: {logged:#?}"));
    assert_eq!(line["status"], 200);
    assert_eq!(line["span"]["route"], "/");
    assert_eq!(line["client"], "127.0.0.1");
    assert!(logged.iter().all(|l| !l.contains('\u{1b}')), "no colour codes when not on a terminal");
    data.finish().await;
}

/// Peak and current resident memory of a process, in MiB (Linux).
fn memory_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> f64 {
        let line = status.lines().find(|l| l.starts_with(name)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse::<f64>().unwrap() / 1024.0
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// The file's bytes: a pattern that shows any piece out of place.
fn byte_at(i: usize) -> u8 {
    (i / 7 + i % 251) as u8
}

/// Twenty downloads at once of a 20 MiB file: streamed a piece at a time, the process's peak memory stays
/// under 150 MB (it was 787 MB when files were read whole); a range gives just its bytes, a tag the client
/// holds gives 304, a range past the end 416.
async fn files_stream_with_ranges_and_conditions_in_little_memory(engine: Engine) {
    const SIZE: usize = 20 * 1024 * 1024;
    let data = TestData::new(engine).await;
    let id = {
        let config = swn::config::Config::from_common(&data.common_args(), "127.0.0.1:9".parse().unwrap()).unwrap();
        let app = swn::App::open(config).await.unwrap();
        let bytes: Vec<u8> = (0..SIZE).map(byte_at).collect();
        let mut tx = app.db.begin().await.unwrap();
        let id = swn::content::insert_file(&mut tx, "application/pdf", &bytes).await.unwrap();
        tx.commit().await.unwrap();
        app.db.close().await;
        id
    };
    let (child, base, _) = crate::cli::serve(&data).await;
    let pid = child.id().unwrap();
    let url = format!("{base}/files/{id}");
    let client = reqwest::Client::new();

    let part = client.get(&url).header("range", "bytes=262000-263999").send().await.unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()["content-range"], format!("bytes 262000-263999/{SIZE}").as_str());
    let tag = part.headers()["etag"].to_str().unwrap().to_string();
    assert!(part.headers().contains_key("last-modified"));
    let got = part.bytes().await.unwrap();
    assert_eq!(got.len(), 2000, "across the first two pieces");
    assert!(got.iter().enumerate().all(|(i, b)| *b == byte_at(262_000 + i)));
    let again = client.get(&url).header("if-none-match", &tag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    let past = client.get(&url).header("range", format!("bytes={SIZE}-")).send().await.unwrap();
    assert_eq!(past.status(), 416);
    assert_eq!(past.headers()["content-range"], format!("bytes */{SIZE}").as_str());

    let (_, before) = memory_mib(pid);
    let downloads = (0..20).map(|_| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            let mut response = client.get(&url).send().await.unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(response.headers()["content-length"], SIZE.to_string().as_str());
            let (mut at, mut intact) = (0usize, true);
            while let Some(chunk) = response.chunk().await.unwrap() {
                intact &= chunk.iter().enumerate().all(|(i, b)| *b == byte_at(at + i));
                at += chunk.len();
            }
            (at, intact)
        }
    });
    for (length, intact) in futures_util::future::join_all(downloads).await {
        assert_eq!(length, SIZE);
        assert!(intact, "every byte in its place");
    }
    let (peak, after) = memory_mib(pid);
    eprintln!(
        "20 downloads at once of a 20 MiB file ({engine:?}): resident {before:.0} MiB before, {after:.0} MiB after, \
         peak {peak:.0} MiB"
    );
    assert!(peak < 150.0, "peak memory {peak:.0} MiB");
    crate::cli::stop(child).await;
    data.finish().await;
}
