//! Delivery against a real SMTP server process that misbehaves: a temporary refusal, a permanent one,
//! repeated bounces, a rate limit, and the server killed in the middle of a send.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use swn::App;
use swn::config::Config;
use swn::mail::transport::Transport;
use swn::mail::{Email, outbox, suppression, worker};

use crate::on_both_engines;
use crate::smtp_peer::{self, SmtpPeer};
use crate::support::{Engine, TestData};

on_both_engines!(
    a_temporary_refusal_is_retried_and_delivered_once,
    a_permanent_refusal_fails_at_once_and_repeated_ones_suppress_the_address,
    the_rate_limit_paces_delivery,
    a_killed_smtp_server_loses_nothing
);

fn email(to: &str, n: usize) -> Email {
    Email {
        to: to.into(),
        subject: format!("Message {n}"),
        text: format!("Plain text {n}"),
        html: format!("<p>HTML {n}</p>"),
        attachment: None,
        list_unsubscribe: None,
    }
}

async fn open(data: &TestData, adjust: impl FnOnce(&mut Config)) -> App {
    let mut config = Config::from_common(&data.common_args(), "127.0.0.1:9".parse().unwrap()).unwrap();
    adjust(&mut config);
    App::open(config).await.unwrap()
}

async fn queue(app: &App, to: &str, n: usize) -> String {
    let mut tx = app.db.begin().await.unwrap();
    let id = outbox::enqueue(&mut tx, &email(to, n), "swn.test", None).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    id
}

/// Makes every waiting message due now (instead of waiting out the back-off).
async fn make_due(app: &App) {
    swn::execute!(&app.db, "UPDATE outbox SET next_attempt_at = $1 WHERE status = 'pending'", Utc::now()).unwrap();
}

async fn a_temporary_refusal_is_retried_and_delivered_once(engine: Engine) {
    if !smtp_peer::available() {
        return;
    }
    let store = tempfile::tempdir().unwrap();
    let peer = SmtpPeer::start(store.path(), &["--tempfail", "1"]).await;
    let data = TestData::new(engine).await;
    let app = open(&data, |_| {}).await;
    let transport = Transport::smtp(&peer.url()).unwrap();
    let id = queue(&app, "member@org.example.com", 1).await;

    assert_eq!(worker::deliver_due(&app, &transport).await.unwrap(), 1);
    let row = outbox::by_id(&app.db, &id).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 1), "451 is temporary: kept for a retry");
    assert!(row.last_error.unwrap_or_default().contains("451"));
    assert!(peer.messages().is_empty());

    make_due(&app).await;
    assert_eq!(worker::deliver_due(&app, &transport).await.unwrap(), 1);
    assert_eq!(outbox::by_id(&app.db, &id).await.unwrap().unwrap().status, "sent");
    make_due(&app).await;
    assert_eq!(worker::deliver_due(&app, &transport).await.unwrap(), 0);
    assert_eq!(peer.messages().len(), 1, "delivered exactly once");
    app.db.close().await;
    data.finish().await;
}

async fn a_permanent_refusal_fails_at_once_and_repeated_ones_suppress_the_address(engine: Engine) {
    if !smtp_peer::available() {
        return;
    }
    let store = tempfile::tempdir().unwrap();
    let peer = SmtpPeer::start(store.path(), &["--reject", "bounce"]).await;
    let data = TestData::new(engine).await;
    let app = open(&data, |_| {}).await;
    let transport = Transport::smtp(&peer.url()).unwrap();
    let id = queue(&app, "bounce@org.example.com", 1).await;

    assert_eq!(worker::deliver_due(&app, &transport).await.unwrap(), 1);
    let row = outbox::by_id(&app.db, &id).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 1), "550 is permanent: no retry");
    assert!(row.last_error.unwrap_or_default().contains("550"));
    make_due(&app).await;
    assert_eq!(worker::deliver_due(&app, &transport).await.unwrap(), 0, "a failed message is not tried again");
    assert!(peer.messages().is_empty());
    assert!(suppression::suppressed(&app.db).await.unwrap().is_empty(), "one refusal does not suppress");

    // Repeated permanent refusals suppress the address; others are untouched.
    for n in 2..=suppression::SUPPRESS_AFTER as usize {
        queue(&app, "bounce@org.example.com", n).await;
    }
    queue(&app, "fine@org.example.com", 99).await;
    worker::deliver_due(&app, &transport).await.unwrap();
    let suppressed = suppression::suppressed(&app.db).await.unwrap();
    assert!(suppressed.contains("bounce@org.example.com") && suppressed.len() == 1, "{suppressed:?}");
    assert_eq!(peer.messages().len(), 1);
    // An organiser lifts it.
    assert_eq!(suppression::lift(&app.db, "bounce@org.example.com").await.unwrap(), 1);
    assert!(suppression::suppressed(&app.db).await.unwrap().is_empty());
    app.db.close().await;
    data.finish().await;
}

async fn the_rate_limit_paces_delivery(engine: Engine) {
    if !smtp_peer::available() {
        return;
    }
    let store = tempfile::tempdir().unwrap();
    let peer = SmtpPeer::start(store.path(), &[]).await;
    let data = TestData::new(engine).await;
    let app = open(&data, |c| c.mail_rate = 20).await;
    let transport = Transport::smtp(&peer.url()).unwrap();
    for n in 0..21 {
        queue(&app, &format!("m{n}@org.example.com"), n).await;
    }
    let started = Instant::now();
    assert_eq!(worker::deliver_due(&app, &transport).await.unwrap(), 21);
    // 21 messages at 20 a second: at least 20 gaps of 50 ms.
    assert!(started.elapsed() >= Duration::from_millis(1000), "{:?}", started.elapsed());
    assert_eq!(peer.messages().len(), 21);
    app.db.close().await;
    data.finish().await;
}

async fn a_killed_smtp_server_loses_nothing(engine: Engine) {
    if !smtp_peer::available() {
        return;
    }
    let store = tempfile::tempdir().unwrap();
    // A slow server (20 ms a message), so the kill lands in the middle of the run.
    let mut peer = SmtpPeer::start(store.path(), &["--delay-ms", "20"]).await;
    let data = TestData::new(engine).await;
    let app = open(&data, |_| {}).await;
    let total = 60;
    for n in 0..total {
        queue(&app, &format!("m{n:02}@org.example.com"), n).await;
    }
    let worker_app = app.clone();
    let url = peer.url();
    let sending = tokio::spawn(async move {
        let transport = Transport::smtp(&url).unwrap();
        worker::deliver_due(&worker_app, &transport).await.unwrap()
    });
    peer.wait_for(15).await;
    peer.kill().await;
    sending.await.unwrap();
    let accepted_before_kill = peer.messages().len();
    assert!(accepted_before_kill < total, "the kill came mid-send");
    let waiting: i64 =
        swn::fetch_scalar!(&app.db, i64, "SELECT CAST(COUNT(*) AS BIGINT) FROM outbox WHERE status = 'pending'")
            .unwrap();
    assert!(waiting > 0, "what the dead server did not take waits for a retry");

    peer.restart().await;
    let transport = Transport::smtp(&peer.url()).unwrap();
    for _ in 0..10 {
        make_due(&app).await;
        if worker::deliver_due(&app, &transport).await.unwrap() == 0 {
            break;
        }
    }
    let messages = peer.messages();
    let mut per_recipient: HashMap<String, usize> = HashMap::new();
    for m in &messages {
        *per_recipient.entry(smtp_peer::header(m, "To").unwrap()).or_default() += 1;
    }
    assert_eq!(per_recipient.len(), total, "every recipient got the message");
    let duplicates = messages.len() - total;
    eprintln!("SMTP server killed mid-send: {total} recipients, {} accepted, {duplicates} duplicates", messages.len());
    // Only a message the server accepted as it died, before its 250 reached us, can go twice.
    assert!(duplicates <= 1, "{duplicates} duplicates");
    let sent: i64 =
        swn::fetch_scalar!(&app.db, i64, "SELECT CAST(COUNT(*) AS BIGINT) FROM outbox WHERE status = 'sent'").unwrap();
    assert_eq!(sent, total as i64);
    app.db.close().await;
    data.finish().await;
}
