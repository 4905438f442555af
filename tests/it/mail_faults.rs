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
    a_killed_smtp_server_loses_nothing,
    a_newsletter_survives_swn_killed_mid_send,
    a_newsletter_stopped_mid_send_is_finished_by_another_instance,
    a_stop_with_the_mail_server_stuck_ends_within_the_grace,
    a_password_reset_during_a_5000_copy_send_arrives_within_seconds,
    the_network_rate_holds_across_instances,
    each_lane_keeps_one_connection
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
    let id = outbox::enqueue(&mut tx, &email(to, n), "swn.test", None, outbox::Priority::Transactional)
        .await
        .unwrap()
        .unwrap();
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
    // Only a message the server accepted as it died, before its 250 reached us, can go twice: at most one per
    // delivery in flight.
    assert!(duplicates <= app.config.mail_concurrency, "{duplicates} duplicates");
    let sent: i64 =
        swn::fetch_scalar!(&app.db, i64, "SELECT CAST(COUNT(*) AS BIGINT) FROM outbox WHERE status = 'sent'").unwrap();
    assert_eq!(sent, total as i64);
    app.db.close().await;
    data.finish().await;
}

/// Members who chose the newsletter, made directly (as an import would).
async fn members_with_newsletter(app: &App, n: usize) {
    use swn::auth::Role;
    let now = Utc::now();
    let mut tx = app.db.begin().await.unwrap();
    let org = swn::membership::insert_organisation(&mut tx, "Kill Test Org", "Retail", 5000, "England", "implementing")
        .await
        .unwrap();
    for i in 0..n {
        let id = swn::auth::insert_user(
            &mut tx,
            &format!("reader{i:03}@org.example.com"),
            &format!("Reader {i}"),
            Role::Member,
            None,
        )
        .await
        .unwrap();
        swn::membership::make_member(&mut tx, &id, &org, "Lead", now, now + chrono::Duration::days(365)).await.unwrap();
        swn::mail::consent::record(&mut tx, &id, swn::mail::Category::Newsletter, true, "test").await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn a_newsletter_survives_swn_killed_mid_send(engine: Engine) {
    use swn::newsletters::{Audience, Draft};
    if !smtp_peer::available() {
        return;
    }
    let total = 120;
    let store_dir = tempfile::tempdir().unwrap();
    let peer = SmtpPeer::start(store_dir.path(), &["--delay-ms", "15"]).await;
    let data = TestData::new(engine).await;
    {
        let app = open(&data, |_| {}).await;
        members_with_newsletter(&app, total).await;
        let now = Utc::now();
        let draft = Draft {
            subject: "Killed mid-send",
            intro_md: "Hello.",
            audiences: &[Audience::Members],
            blocks: &[],
            author_id: None,
        };
        let id = swn::newsletters::create(&app.db, &draft, now).await.unwrap();
        assert!(swn::newsletters::release(&app.db, &id, now).await.unwrap());
        app.db.close().await;
    }
    let env = [
        ("SWN_SMTP_URL", peer.url()),
        // With a mail server, the sender must be a real address (checked at start).
        ("SWN_MAIL_FROM", "Smart Work Network <network@swn.test>".to_string()),
        ("SWN_MAIL_LEASE_SECONDS", "5".to_string()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (mut first, _, _) = crate::cli::serve_with(&data, &env).await;
    peer.wait_for(30).await;
    first.kill().await.unwrap(); // SIGKILL: no graceful anything
    let at_kill = peer.messages().len();
    assert!(at_kill < total, "killed mid-send ({at_kill} of {total} delivered)");
    // Copies the dead process had taken but not recorded as sent: the only ones that can go twice.
    let in_flight = {
        let app = open(&data, |_| {}).await;
        let n: i64 =
            swn::fetch_scalar!(&app.db, i64, "SELECT CAST(COUNT(*) AS BIGINT) FROM outbox WHERE status = 'sending'")
                .unwrap();
        app.db.close().await;
        n
    };

    let (second, _, _) = crate::cli::serve_with(&data, &env).await;
    let distinct = || {
        let mut seen = std::collections::HashSet::new();
        for m in peer.messages() {
            seen.insert(smtp_peer::header(&m, "To").unwrap());
        }
        seen.len()
    };
    for _ in 0..300 {
        if distinct() == total {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Long enough for a message left "sending" by the kill to come back after its 5-second lease.
    tokio::time::sleep(Duration::from_secs(6)).await;
    crate::cli::stop(second).await;
    let messages = peer.messages();
    assert_eq!(distinct(), total, "every recipient got the newsletter");
    let duplicates = messages.len() - total;
    eprintln!(
        "swn killed mid-send: {total} recipients, {at_kill} delivered before the kill, {in_flight} in flight \
         (possible duplicates), {} accepted in all, {duplicates} duplicates",
        messages.len()
    );
    // The only copy that can go twice is one the SMTP server accepted before the killed process recorded it:
    // one in flight at the kill (at most SWN_MAIL_CONCURRENCY, 4 by default).
    assert!(in_flight <= 4 && duplicates as i64 <= in_flight, "{duplicates} duplicates, {in_flight} in flight");
    let app = open(&data, |_| {}).await;
    let unsent: i64 =
        swn::fetch_scalar!(&app.db, i64, "SELECT CAST(COUNT(*) AS BIGINT) FROM outbox WHERE status <> 'sent'").unwrap();
    assert_eq!(unsent, 0);
    app.db.close().await;
    data.finish().await;
}

/// `swn serve` sending through `peer`, with more settings; gives the process and its base URL.
async fn serve_through(data: &TestData, peer: &SmtpPeer, more: &[(&str, &str)]) -> (tokio::process::Child, String) {
    let url = peer.url();
    let mut env = vec![("SWN_SMTP_URL", url.as_str()), ("SWN_MAIL_FROM", "Smart Work Network <network@swn.test>")];
    env.extend_from_slice(more);
    let (child, base, _) = crate::cli::serve_with(data, &env).await;
    (child, base)
}

/// Sends SIGTERM and gives how long the process took to exit (and that it exited cleanly).
async fn terminate(mut child: tokio::process::Child) -> Duration {
    let pid = child.id().expect("running").to_string();
    let asked = Instant::now();
    std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait()).await.expect("swn stops").unwrap();
    assert!(status.success(), "a stop exits cleanly: {status}");
    asked.elapsed()
}

async fn outbox_count(data: &TestData, status: &str) -> i64 {
    let app = open(data, |_| {}).await;
    let n = swn::fetch_scalar!(&app.db, i64, "SELECT CAST(COUNT(*) AS BIGINT) FROM outbox WHERE status = $1", status)
        .unwrap();
    app.db.close().await;
    n
}

/// An issue to `total` members, released (due now) but not yet queued.
async fn newsletter_to(data: &TestData, total: usize) {
    use swn::newsletters::{Audience, Draft};
    let app = open(data, |_| {}).await;
    members_with_newsletter(&app, total).await;
    let now = Utc::now();
    let draft = Draft {
        subject: "Stopped mid-send",
        intro_md: "Hello.",
        audiences: &[Audience::Members],
        blocks: &[],
        author_id: None,
    };
    let id = swn::newsletters::create(&app.db, &draft, now).await.unwrap();
    assert!(swn::newsletters::release(&app.db, &id, now).await.unwrap());
    app.db.close().await;
}

fn distinct_recipients(peers: &[&SmtpPeer]) -> (usize, usize) {
    let messages: Vec<Vec<u8>> = peers.iter().flat_map(|p| p.messages()).collect();
    let distinct: std::collections::HashSet<String> =
        messages.iter().map(|m| smtp_peer::header(m, "To").unwrap()).collect();
    (distinct.len(), messages.len())
}

/// A deploy during a 2,000-copy send: SIGTERM stops taking work at once, the instance exits within its grace,
/// holds nothing ("sending" rows none, the issue let go), and the next instance finishes at once (the default
/// five-minute lease is never waited out) with no copy lost or sent twice.
async fn a_newsletter_stopped_mid_send_is_finished_by_another_instance(engine: Engine) {
    if !smtp_peer::available() {
        return;
    }
    let total = 2000;
    let store_dir = tempfile::tempdir().unwrap();
    let peer = SmtpPeer::start(store_dir.path(), &["--delay-ms", "5"]).await;
    let data = TestData::new(engine).await;
    newsletter_to(&data, total).await;
    let grace = [("SWN_SHUTDOWN_SECONDS", "5")];
    let (first, _) = serve_through(&data, &peer, &grace).await;
    peer.wait_for(30).await;
    let took = terminate(first).await;
    let (at_stop, _) = distinct_recipients(&[&peer]);
    assert!(at_stop < total, "stopped mid-send ({at_stop} of {total} delivered)");
    assert!(took < Duration::from_secs(5), "exited within the grace: {took:?}");
    assert_eq!(outbox_count(&data, "sending").await, 0, "nothing left held by the stopped instance");

    let started = Instant::now();
    let (second, _) = serve_through(&data, &peer, &grace).await;
    while distinct_recipients(&[&peer]).0 < total && started.elapsed() < Duration::from_secs(120) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let finished = started.elapsed();
    crate::cli::stop(second).await;
    let (distinct, accepted) = distinct_recipients(&[&peer]);
    eprintln!(
        "SIGTERM during a {total}-copy send: exited in {took:?} with {at_stop} delivered; the next instance \
         finished in {finished:?}; {accepted} accepted in all"
    );
    assert_eq!(distinct, total, "every member got the issue");
    assert_eq!(accepted, total, "and none twice: the stop finished what it had in hand");
    assert_eq!(outbox_count(&data, "sent").await, total as i64);
    data.finish().await;
}

/// A mail server that stops answering mid-send: a stop still ends within the grace (plus the moment to put
/// things back), and the copies that were with the stuck server are pending again, not held for a lease.
async fn a_stop_with_the_mail_server_stuck_ends_within_the_grace(engine: Engine) {
    if !smtp_peer::available() {
        return;
    }
    let total = 40;
    let store_dir = tempfile::tempdir().unwrap();
    let stuck = SmtpPeer::start(store_dir.path(), &["--hang-after", "10"]).await;
    let data = TestData::new(engine).await;
    newsletter_to(&data, total).await;
    let grace = [("SWN_SHUTDOWN_SECONDS", "2")];
    let (first, _) = serve_through(&data, &stuck, &grace).await;
    stuck.wait_for(10).await;
    tokio::time::sleep(Duration::from_millis(500)).await; // the next copies are now with the stuck server
    assert!(outbox_count(&data, "sending").await > 0, "copies are held by the stuck deliveries");
    let took = terminate(first).await;
    assert!(took < Duration::from_secs(2 + 3 + 1), "exited within the grace and the moment to put back: {took:?}");
    assert_eq!(outbox_count(&data, "sending").await, 0, "the stuck copies were put back");

    let well_dir = tempfile::tempdir().unwrap();
    let well = SmtpPeer::start(well_dir.path(), &[]).await;
    let (second, _) = serve_through(&data, &well, &grace).await;
    for _ in 0..300 {
        if distinct_recipients(&[&stuck, &well]).0 == total {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    crate::cli::stop(second).await;
    eprintln!("a stop with the mail server stuck took {took:?}");
    assert_eq!(distinct_recipients(&[&stuck, &well]).0, total, "every member got the issue in the end");
    data.finish().await;
}

/// A member who forgot their password while a 5,000-copy issue is going out gets the reset link within
/// seconds: transactional mail is taken before every waiting copy (it waited 97.6 s behind them before).
async fn a_password_reset_during_a_5000_copy_send_arrives_within_seconds(engine: Engine) {
    if !smtp_peer::available() {
        return;
    }
    let total = 5000;
    let store_dir = tempfile::tempdir().unwrap();
    let peer = SmtpPeer::start(store_dir.path(), &["--delay-ms", "5"]).await;
    let data = TestData::new(engine).await;
    newsletter_to(&data, total).await;
    let (child, base) = serve_through(&data, &peer, &[]).await;
    peer.wait_for(100).await;

    let browser = crate::support::browser();
    let page = browser.get(format!("{base}/password/forgot")).send().await.unwrap().text().await.unwrap();
    let token = crate::cli::form_token(&page);
    let asked = Instant::now();
    let answer = browser
        .post(format!("{base}/password/forgot"))
        .form(&[("csrf_token", token.as_str()), ("email", "reader042@org.example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let is_reset = |m: &Vec<u8>| smtp_peer::header(m, "Subject").is_some_and(|s| s.to_lowercase().contains("password"));
    let mut arrived = None;
    while asked.elapsed() < Duration::from_secs(60) {
        if peer.messages().iter().any(is_reset) {
            arrived = Some(asked.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let delivered = peer.messages().len();
    let waiting = outbox_count(&data, "pending").await;
    crate::cli::stop(child).await;
    let arrived = arrived.expect("the reset e-mail arrived");
    eprintln!(
        "password reset during a {total}-copy send ({engine:?}): delivered {arrived:?} after asking, with \
         {delivered} e-mails delivered and {waiting} copies still waiting"
    );
    // Copies are queued in batches as the send goes on, so "pending" alone can be below 1,000 while most of the
    // issue is still to go: the send's progress is what has been delivered.
    assert!(total - delivered > 1000, "the send was far from done: {delivered} of {total} delivered");
    assert!(arrived < Duration::from_secs(5), "within seconds: {arrived:?}");
    data.finish().await;
}

/// Two instances on one database, each with the network's rate of 20 a second: together they keep to it
/// (40 e-mails take at least 39 gaps of 50 ms), where each alone would allow 20 a second of its own.
async fn the_network_rate_holds_across_instances(engine: Engine) {
    if !smtp_peer::available() {
        return;
    }
    let store = tempfile::tempdir().unwrap();
    let peer = SmtpPeer::start(store.path(), &[]).await;
    let data = TestData::new(engine).await;
    let first = open(&data, |c| c.network_mail_rate = 20).await;
    let second = open(&data, |c| c.network_mail_rate = 20).await;
    for n in 0..40 {
        queue(&first, &format!("m{n}@org.example.com"), n).await;
    }
    let transport = Transport::smtp(&peer.url()).unwrap();
    let started = Instant::now();
    let (a, b) = tokio::join!(worker::deliver_due(&first, &transport), worker::deliver_due(&second, &transport));
    let took = started.elapsed();
    let (a, b) = (a.unwrap(), b.unwrap());
    eprintln!("network rate 20/s over two instances: 40 e-mails ({a} + {b}) in {took:?}");
    assert_eq!(a + b, 40);
    assert!(a > 0 && b > 0, "both instances sent: {a} and {b}");
    assert!(took >= Duration::from_millis(1900), "kept to the network's rate: {took:?}");
    assert_eq!(peer.messages().len(), 40);
    first.db.close().await;
    second.db.close().await;
    data.finish().await;
}

/// Each delivery lane sends its messages one after another on one connection of its own (opened with
/// TCP_NODELAY), and after a refusal goes on over a fresh one.
async fn each_lane_keeps_one_connection(engine: Engine) {
    if !smtp_peer::available() {
        return;
    }
    let store = tempfile::tempdir().unwrap();
    let peer = SmtpPeer::start(store.path(), &["--tempfail", "1"]).await;
    let data = TestData::new(engine).await;
    let app = open(&data, |c| c.mail_concurrency = 1).await;
    let transport = Transport::smtp(&peer.url()).unwrap();
    for n in 0..6 {
        queue(&app, &format!("m{n}@org.example.com"), n).await;
    }
    // The first message is refused (451) and kept for later; the lane opens a new connection for the rest.
    assert_eq!(worker::deliver_due(&app, &transport).await.unwrap(), 6);
    assert_eq!(peer.messages().len(), 5);
    assert_eq!(peer.connections(), 1, "five messages on one connection");

    // Two lanes: twelve more messages on at most two more connections.
    app.db.close().await;
    let app = open(&data, |c| c.mail_concurrency = 2).await;
    for n in 10..22 {
        queue(&app, &format!("m{n}@org.example.com"), n).await;
    }
    make_due(&app).await;
    assert_eq!(worker::deliver_due(&app, &transport).await.unwrap(), 13);
    assert_eq!(peer.messages().len(), 18, "the refused one went too");
    let connections = peer.connections();
    assert!((2..=3).contains(&connections), "{connections} connections");
    app.db.close().await;
    data.finish().await;
}
