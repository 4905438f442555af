//! The outbox: delivery, failures kept for a retry, leases that survive a crash, and a real SMTP peer.

use std::time::Duration;

use chrono::Utc;
use swn::App;
use swn::config::Config;
use swn::mail::transport::Transport;
use swn::mail::{Email, outbox, worker};

use crate::on_both_engines;
use crate::support::{Engine, TestData};

on_both_engines!(
    failed_delivery_is_kept_and_retried,
    crashed_sends_are_recovered_by_the_lease,
    delivers_through_a_real_smtp_server,
    personal_mail_goes_before_bulk,
    old_rows_are_cleaned_up,
);

fn email(to: &str) -> Email {
    Email {
        to: to.into(),
        subject: "Hello".into(),
        text: "Plain text".into(),
        html: "<p>HTML</p>".into(),
        attachment: None,
        list_unsubscribe: None,
    }
}

async fn open(data: &TestData) -> App {
    let config = Config::from_common(&data.common_args(), "127.0.0.1:9".parse().unwrap()).unwrap();
    App::open(config).await.unwrap()
}

async fn queue(app: &App, to: &str) -> String {
    let mut tx = app.db.begin().await.unwrap();
    let id =
        outbox::enqueue(&mut tx, &email(to), "swn.test", None, outbox::Priority::Transactional).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    id
}

async fn failed_delivery_is_kept_and_retried(engine: Engine) {
    let data = TestData::new(engine).await;
    let app = open(&data).await;
    let id = queue(&app, "someone@org.example.com").await;

    // Nobody listens on port 1: a temporary failure, kept with its reason and tried again later.
    let refused = Transport::smtp("smtp://127.0.0.1:1").unwrap();
    assert_eq!(worker::deliver_due(&app, &refused).await.unwrap(), 1);
    let row = outbox::by_id(&app.db, &id).await.unwrap().unwrap();
    assert_eq!(row.status, "pending");
    assert_eq!(row.attempts, 1);
    assert!(row.last_error.is_some());
    // Not due again at once (back-off).
    assert_eq!(worker::deliver_due(&app, &refused).await.unwrap(), 0);

    // Once due, it goes out through a working transport, exactly once.
    swn::execute!(&app.db, "UPDATE outbox SET next_attempt_at = $1 WHERE id = $2", Utc::now(), &id).unwrap();
    let files = Transport::files(app.config.outbox_dir()).unwrap();
    assert_eq!(worker::deliver_due(&app, &files).await.unwrap(), 1);
    assert_eq!(worker::deliver_due(&app, &files).await.unwrap(), 0);
    let row = outbox::by_id(&app.db, &id).await.unwrap().unwrap();
    assert_eq!(row.status, "sent");
    assert_eq!(std::fs::read_dir(app.config.outbox_dir()).unwrap().count(), 1);

    // A message that keeps failing is given up after the last attempt, and an organiser can retry it.
    let id2 = queue(&app, "other@org.example.com").await;
    swn::execute!(&app.db, "UPDATE outbox SET attempts = $1 WHERE id = $2", worker::MAX_ATTEMPTS, &id2).unwrap();
    worker::deliver_due(&app, &refused).await.unwrap();
    assert_eq!(outbox::by_id(&app.db, &id2).await.unwrap().unwrap().status, "failed");
    assert_eq!(outbox::retry(&app.db, &id2).await.unwrap(), 1);
    assert_eq!(outbox::by_id(&app.db, &id2).await.unwrap().unwrap().status, "pending");
    app.db.close().await;
    data.finish().await;
}

async fn crashed_sends_are_recovered_by_the_lease(engine: Engine) {
    let data = TestData::new(engine).await;
    let app = open(&data).await;
    let id = queue(&app, "someone@org.example.com").await;
    let lease = chrono::Duration::seconds(300);
    let now = Utc::now();
    let claimed = outbox::claim_next(&app.db, now, lease).await.unwrap().unwrap();
    assert_eq!(claimed.id, id);
    // A second worker (or instance) does not take the same row while the lease holds...
    assert!(outbox::claim_next(&app.db, now, lease).await.unwrap().is_none());
    // ...but takes it once the lease has run out, as after a crash.
    let later = now + chrono::Duration::seconds(301);
    let recovered = outbox::claim_next(&app.db, later, lease).await.unwrap().unwrap();
    assert_eq!(recovered.id, id);
    assert_eq!(recovered.attempts, 2);
    assert_eq!(recovered.message_id, claimed.message_id, "a retried message keeps its Message-ID");
    app.db.close().await;
    data.finish().await;
}

async fn delivers_through_a_real_smtp_server(engine: Engine) {
    let has_aiosmtpd = std::process::Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !has_aiosmtpd {
        crate::support::skip("the Python package aiosmtpd is not installed (.ci/run installs it)");
        return;
    }
    let data = TestData::new(engine).await;
    let app = open(&data).await;
    let maildir = data.dir.path().join("maildir");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut smtp = tokio::process::Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut up = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "aiosmtpd did not start");
    let id = queue(&app, "member@org.example.com").await;
    let transport = Transport::smtp(&format!("smtp://127.0.0.1:{port}")).unwrap();
    assert_eq!(worker::deliver_due(&app, &transport).await.unwrap(), 1);
    assert_eq!(outbox::by_id(&app.db, &id).await.unwrap().unwrap().status, "sent");
    let delivered: Vec<_> = std::fs::read_dir(maildir.join("new")).unwrap().flatten().collect();
    assert_eq!(delivered.len(), 1);
    let raw = std::fs::read_to_string(delivered[0].path()).unwrap();
    assert!(raw.contains("member@org.example.com") && raw.contains("Subject: Hello"), "{raw}");
    let _ = smtp.kill().await;
    app.db.close().await;
    data.finish().await;
}

/// A password reset queued behind a 500-copy newsletter is the next e-mail taken; a copy a crashed worker left
/// "sending" comes back before any new bulk copy.
async fn personal_mail_goes_before_bulk(engine: Engine) {
    let data = TestData::new(engine).await;
    let app = open(&data).await;
    let mut tx = app.db.begin().await.unwrap();
    for n in 0..500 {
        let key = format!("copy-{n}");
        outbox::enqueue(
            &mut tx,
            &email(&format!("reader{n}@org.example.com")),
            "swn.test",
            Some(("issue-1", &key)),
            outbox::Priority::Bulk,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let later = Utc::now() + chrono::Duration::seconds(1);
    let reset = queue(&app, "forgot@org.example.com").await;
    let lease = chrono::Duration::minutes(5);
    let first = outbox::claim_next(&app.db, later, lease).await.unwrap().unwrap();
    assert_eq!(first.id, reset, "the reset is taken before the newsletter's copies");
    outbox::mark_sent(&app.db, &first.id, later).await.unwrap();
    // A bulk copy claimed by a worker that then crashed comes back first once its lease ends.
    let crashed = outbox::claim_next(&app.db, later, lease).await.unwrap().unwrap();
    assert!(crashed.batch.is_some());
    let after_lease = later + lease + chrono::Duration::seconds(1);
    let again = outbox::claim_next(&app.db, after_lease, lease).await.unwrap().unwrap();
    assert_eq!(again.id, crashed.id);
    data.finish().await;
}

/// Retention: a delivered e-mail's body goes after 30 days (its delivery record stays); sessions and one-time
/// links a day past their time; notifications read more than 90 days ago.
async fn old_rows_are_cleaned_up(engine: Engine) {
    let data = TestData::new(engine).await;
    let app = open(&data).await;
    let now = Utc::now();
    let old = queue(&app, "old@org.example.com").await;
    let recent = queue(&app, "recent@org.example.com").await;
    outbox::mark_sent(&app.db, &old, now - chrono::Duration::days(31)).await.unwrap();
    outbox::mark_sent(&app.db, &recent, now - chrono::Duration::days(2)).await.unwrap();
    let before = now - chrono::Duration::days(outbox::KEEP_SENT_BODIES_DAYS);
    assert_eq!(outbox::prune_bodies(&app.db, before).await.unwrap(), 1);
    let kept = outbox::by_id(&app.db, &old).await.unwrap().unwrap();
    assert_eq!((kept.status.as_str(), kept.text_body.as_str(), kept.html_body.as_str()), ("sent", "", ""));
    assert_eq!(kept.subject, "Hello", "the delivery record stays");
    assert_eq!(outbox::by_id(&app.db, &recent).await.unwrap().unwrap().text_body, "Plain text");

    let user = swn::auth::service::create_user_with_password(
        &app,
        "s@org.example.com",
        "S",
        swn::auth::Role::Member,
        "a-long-password-1",
    )
    .await
    .unwrap();
    for (hash, seen) in [("stale", now - chrono::Duration::days(400)), ("fresh", now)] {
        swn::execute!(
            &app.db,
            "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
            hash,
            &user,
            seen
        )
        .unwrap();
    }
    for (hash, expires) in [("gone", now - chrono::Duration::days(3)), ("live", now + chrono::Duration::hours(1))] {
        swn::execute!(
            &app.db,
            "INSERT INTO one_time_tokens (token_hash, purpose, user_id, created_at, expires_at) VALUES ($1, 'set_password', $2, $3, $4)",
            hash,
            &user,
            now,
            expires
        )
        .unwrap();
    }
    assert_eq!(swn::auth::service::prune_expired(&app, now).await.unwrap(), 2);
    let sessions = swn::fetch_scalar!(&app.db, String, "SELECT id_hash FROM sessions").unwrap();
    assert_eq!(sessions, "fresh");
    let links = swn::fetch_scalar!(&app.db, String, "SELECT token_hash FROM one_time_tokens").unwrap();
    assert_eq!(links, "live");

    for (id, read) in [("n-old", Some(now - chrono::Duration::days(91))), ("n-new", Some(now)), ("n-unread", None)] {
        swn::execute!(
            &app.db,
            "INSERT INTO notifications (id, user_id, kind, text, read_at, created_at) VALUES ($1, $2, 'reply', 'x', $3, $4)",
            id,
            &user,
            read,
            now - chrono::Duration::days(200)
        )
        .unwrap();
    }
    assert_eq!(swn::forum::prune_notifications(&app, now).await.unwrap(), 1);
    let left = swn::fetch_scalar!(&app.db, i64, "SELECT COUNT(*) FROM notifications").unwrap();
    assert_eq!(left, 2);
    data.finish().await;
}
