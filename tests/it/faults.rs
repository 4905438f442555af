//! Faults a real server meets: the process killed with SIGKILL in the middle of writes (every write it
//! acknowledged must be there afterwards, and the database intact), and many clients that send their headers
//! slowly (they must not starve everyone else).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use swn::auth::Role;
use tokio::io::AsyncWriteExt;

use crate::cli::{serve, stop};
use crate::on_both_engines;
use crate::support::{Engine, TestData, browser};

on_both_engines!(acknowledged_writes_survive_a_kill, slow_clients_do_not_starve_others);

/// The form token a browser's pages carry.
async fn token(client: &reqwest::Client, base: &str) -> String {
    let page = client.get(format!("{base}/sign-in")).send().await.unwrap().text().await.unwrap();
    let html = scraper::Html::parse_document(&page);
    let sel = scraper::Selector::parse("input[name=csrf_token]").unwrap();
    html.select(&sel).next().and_then(|e| e.value().attr("value")).unwrap().to_string()
}

async fn post(client: &reqwest::Client, base: &str, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let csrf = token(client, base).await;
    let mut all = vec![("csrf_token", csrf.as_str())];
    all.extend_from_slice(fields);
    client.post(format!("{base}{path}")).form(&all).send().await.unwrap()
}

async fn acknowledged_writes_survive_a_kill(engine: Engine) {
    let data = TestData::new(engine).await;
    {
        let config = swn::config::Config::from_common(&data.common_args(), "127.0.0.1:9".parse().unwrap()).unwrap();
        let app = swn::App::open(config).await.unwrap();
        swn::auth::service::create_user_with_password(
            &app,
            "writer@org.example.com",
            "Wren Writer",
            Role::Member,
            "writer-password-1",
        )
        .await
        .unwrap();
        app.db.close().await;
    }
    let (mut server, base, _) = serve(&data).await;
    let member = browser();
    let signed =
        post(&member, &base, "/sign-in", &[("email", "writer@org.example.com"), ("password", "writer-password-1")])
            .await;
    assert_eq!(signed.status(), 303);
    let topic = post(
        &member,
        &base,
        "/forum/c/general/new",
        &[("title", "Kill test"), ("body", "Opening post"), ("kind", "discussion")],
    )
    .await;
    assert_eq!(topic.status(), 303);
    let topic_path = topic.headers()["location"].to_str().unwrap().to_string();

    // Four writers post replies as fast as they can; each reply the server acknowledged (303) is recorded.
    let csrf = token(&member, &base).await;
    let started = Instant::now();
    let mut writers = Vec::new();
    for w in 0..4 {
        let (client, base, path, csrf) = (member.clone(), base.clone(), topic_path.clone(), csrf.clone());
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for n in 0..10_000 {
                let body = format!("reply-{w}-{n}");
                let sent = client
                    .post(format!("{base}{path}/reply"))
                    .form(&[("csrf_token", csrf.as_str()), ("body", body.as_str())])
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == 303 => acknowledged.push(body),
                    Ok(r) => panic!("reply {body}: {}", r.status()),
                    Err(_) => break, // the server is gone
                }
            }
            acknowledged
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.start_kill().unwrap(); // SIGKILL
    let _ = server.wait().await;
    let mut acknowledged = Vec::new();
    for w in writers {
        acknowledged.extend(w.await.unwrap());
    }
    assert!(
        acknowledged.len() > 10,
        "the writers got going ({} acknowledged in {:?})",
        acknowledged.len(),
        started.elapsed()
    );

    // After a restart every acknowledged reply is there, and the database is intact.
    let (server, base, _) = serve(&data).await;
    let config = swn::config::Config::from_common(&data.common_args(), "127.0.0.1:9".parse().unwrap()).unwrap();
    let app = swn::App::open(config).await.unwrap();
    let stored: HashSet<String> = swn::on_engine!(&app.db, |e| {
        sqlx::query_scalar::<_, String>("SELECT body_md FROM forum_posts").fetch_all(e).await
    })
    .unwrap()
    .into_iter()
    .collect();
    let lost: Vec<&String> = acknowledged.iter().filter(|b| !stored.contains(*b)).collect();
    assert!(lost.is_empty(), "{} acknowledged replies were lost: {lost:?}", lost.len());
    if engine == Engine::Sqlite {
        let check: String = swn::fetch_scalar!(&app.db, String, "PRAGMA integrity_check").unwrap();
        assert_eq!(check, "ok");
    }
    eprintln!(
        "killed during writes: {} replies acknowledged, all {} there after the restart",
        acknowledged.len(),
        acknowledged.len()
    );
    // The restarted server serves the topic with them.
    let page = member.get(format!("{base}{topic_path}")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    app.db.close().await;
    stop(server).await;
    data.finish().await;
}

async fn slow_clients_do_not_starve_others(engine: Engine) {
    let data = TestData::new(engine).await;
    let (server, base, _) = serve(&data).await;
    let addr = base.trim_start_matches("http://").to_string();
    // 300 connections that send half a request and then nothing, as a slow-loris attack does, from two
    // addresses other than the client's (one address alone may hold only 200).
    let mut slow = Vec::new();
    for i in 0..300 {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(std::net::SocketAddr::from(([127, 0, 2, 1 + (i % 2) as u8], 0))).unwrap();
        let mut s = socket.connect(addr.parse().unwrap()).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: slow.example\r\nX-Slow: ").await.unwrap();
        slow.push(s);
    }
    // Everyone else is served as usual, the home page included (it reads the database).
    let client = browser();
    for path in ["/healthz", "/", "/meetings"] {
        let started = Instant::now();
        let r = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{path} took {:?} beside 300 slow clients",
            started.elapsed()
        );
    }
    drop(slow);
    stop(server).await;
    data.finish().await;
}

/// Starting with the database unreachable names the cause (the connection is refused), trying again for
/// `SWN_DATABASE_WAIT_SECONDS` and no longer.
#[tokio::test]
async fn an_unreachable_database_is_named_by_its_cause() {
    let data = TestData::new(Engine::Sqlite).await;
    let mut args = data.common_args();
    args.database_url = Some("postgres://postgres@127.0.0.1:1/nowhere".into());
    args.database_wait_seconds = 2;
    let config = swn::config::Config::from_common(&args, "127.0.0.1:9".parse().unwrap()).unwrap();
    let started = Instant::now();
    let error = match swn::App::open(config).await {
        Ok(_) => panic!("opened a database that is not there"),
        Err(e) => format!("{e:#}"),
    };
    let took = started.elapsed();
    assert!(error.to_lowercase().contains("refused"), "{error}");
    assert!(!error.contains("timed out"), "{error}");
    assert!(took >= Duration::from_secs(2) && took < Duration::from_secs(10), "{took:?}");
    data.finish().await;
}
