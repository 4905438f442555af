//! The `swn` command as an organiser runs it: create an organiser, load the demo, serve, stop.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::on_both_engines;
use crate::support::{Engine, TestData, browser};

on_both_engines!(
    demo_then_serve_shows_a_believable_network,
    create_organiser_prints_a_working_link,
    a_backup_restores_into_an_empty_database_whole
);

pub(crate) fn swn(data: &TestData) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_swn"));
    cmd.env("SWN_DATA_DIR", data.dir.path()).env("SWN_DATABASE_URL", &data.database_url).env("SWN_LOG", "warn");
    if data.through_pgbouncer() {
        cmd.env("SWN_PGBOUNCER", "true");
    }
    cmd.kill_on_drop(true);
    cmd
}

/// The form token a page's forms carry.
pub(crate) fn form_token(page: &str) -> String {
    scraper::Html::parse_document(page)
        .select(&scraper::Selector::parse("input[name=csrf_token]").unwrap())
        .next()
        .and_then(|e| e.value().attr("value").map(str::to_string))
        .unwrap()
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts `swn serve` on a free port; gives the child, its base URL and what it printed before it was ready.
pub(crate) async fn serve(data: &TestData) -> (tokio::process::Child, String, String) {
    serve_with(data, &[]).await
}

/// The same, with more `SWN_*` variables.
pub(crate) async fn serve_with(data: &TestData, env: &[(&str, &str)]) -> (tokio::process::Child, String, String) {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = swn(data)
        .envs(env.iter().copied())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .spawn()
        .expect("swn serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    let ready = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            printed.push_str(&line);
            printed.push('\n');
            if line.contains("is running at") {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    assert!(ready, "swn serve did not start; it printed:\n{printed}");
    (child, base, printed)
}

pub(crate) async fn stop(mut child: tokio::process::Child) {
    #[cfg(unix)]
    if let Some(pid) = child.id() {
        let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    }
    let status =
        tokio::time::timeout(Duration::from_secs(15), child.wait()).await.expect("swn stops on SIGTERM").unwrap();
    assert!(status.success(), "graceful shutdown exits cleanly: {status}");
}

/// Of the demo's ten members, those who take the newsletter (all but one in four).
const MEMBERS_TAKING_THE_NEWSLETTER: usize = 7;

async fn demo_then_serve_shows_a_believable_network(engine: Engine) {
    let data = TestData::new(engine).await;
    let out = swn(&data).arg("demo").output().await.unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{printed}{}", String::from_utf8_lossy(&out.stderr));
    assert!(printed.contains("Demo network loaded") && printed.contains("Password:"), "{printed}");
    assert!(printed.contains("2 private conversations"), "{printed}");
    let password = printed.lines().find_map(|l| l.strip_prefix("Password:")).unwrap().trim().to_string();
    let member_email =
        printed.lines().find_map(|l| l.strip_prefix("Demo member:")).expect("a demo member").trim().to_string();
    let member_password = printed.lines().find_map(|l| l.strip_prefix("Member password:")).unwrap().trim().to_string();
    let again = swn(&data).arg("demo").output().await.unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("already loaded"));

    let (child, base, printed) = serve(&data).await;
    assert!(!printed.contains("No organiser yet"), "the demo has an organiser");
    let b = browser();
    let get = |path: &str| {
        let b = b.clone();
        let url = format!("{base}{path}");
        async move {
            let r = b.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, home) = get("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("Flexible Futures Foundation") && home.contains("anchor days"), "{home}");
    assert!(!home.to_lowercase().contains("lorem"));
    let (_, supporters) = get("/supporters").await;
    assert_eq!(supporters.matches("class=\"supporter\"").count(), 4);
    let (_, people) = get("/people").await;
    assert!(people.contains("Helen Marsh") && people.contains("Founder and chair"));
    let (_, news) = get("/news").await;
    assert_eq!(news.matches("<h2><a href=\"/news/").count(), 6, "{news}");
    let (status, _) = get("/pages/chatham-house-rule").await;
    assert_eq!(status, 200);
    // The library: public items for a visitor, with a real spreadsheet to download and a case study.
    let (_, library) = get("/library").await;
    assert!(
        library.contains("Desk ratio planner") && library.contains("From a county hall to neighbourhood hubs"),
        "{library}"
    );
    assert!(!library.contains("Team agreement template"), "members' items stay with members");
    let sheet = b.get(format!("{base}/resources/desk-ratio-planner/download")).send().await.unwrap();
    assert_eq!(sheet.status(), 200);
    assert_eq!(sheet.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    // The demo organiser can sign in with the printed password.
    let page = b.get(format!("{base}/sign-in")).send().await.unwrap().text().await.unwrap();
    let token = form_token(&page);
    let signed = b
        .post(format!("{base}/sign-in"))
        .form(&[("csrf_token", token.as_str()), ("email", swn::demo::DEMO_ORGANISER), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);
    let (status, admin) = get("/admin").await;
    assert_eq!(status, 200, "{admin}");
    let (_, queue) = get("/admin/applications").await;
    for name in ["Rachel Adams", "Mark Fielding", "Jo Brennan", "Sam Taylor"] {
        assert!(queue.contains(name), "{name} waits for review: {queue}");
    }
    let (_, unverified) = get("/admin/applications?status=unverified").await;
    assert!(unverified.contains("Leo Grant"));
    let (_, asked) = get("/admin/applications?status=info_requested").await;
    assert!(asked.contains("Nadia Okoro"));
    let (status, directory) = get("/members").await;
    assert_eq!(status, 200);
    assert!(directory.contains("Priya Shah") && directory.contains("Meridian Insurance Group"));
    let (_, meetings) = get("/meetings").await;
    assert!(
        meetings.contains("Anchor days: what the evidence says") && meetings.contains("Trial periods that work"),
        "{meetings}"
    );
    let (_, round_table) = get("/meetings/trial-periods-that-work-a-round-table").await;
    assert!(round_table.contains("on the waitlist"), "a full demo meeting with a waitlist");
    let (_, past) = get("/meetings?when=past").await;
    assert!(past.contains("Getting the board on side"));
    let (_, with_materials) = get("/meetings/measuring-what-matters-after-the-move").await;
    assert!(with_materials.contains("Key points"), "past meetings keep their materials");
    let (_, forum) = get("/forum/c/people?filter=answered").await;
    assert!(forum.contains("Has anyone measured proximity bias in appraisals"), "{forum}");
    let (_, found) = get("/search?q=desk+ratio").await;
    assert!(found.contains("What desk ratio are you planning for"), "{found}");
    let (status, groups) = get("/groups").await;
    assert_eq!(status, 200);
    assert!(
        groups.contains("Public sector home and remote working group") && groups.contains("South West regional group")
    );
    // Demo members have profiles to read, and most take the newsletter: a members' issue reaches people.
    let (_, priya) =
        get(&format!("/members/{}", directory.split("href=\"/members/").nth(1).unwrap().split('"').next().unwrap()))
            .await;
    assert!(priya.contains("Happy to talk about"), "a filled-in profile: {priya}");
    let (_, newsletters) = get("/admin/newsletters").await;
    let token = form_token(&newsletters);
    let draft = [("csrf_token", token.as_str()), ("subject", "Demo issue"), ("intro", "Hi."), ("audience", "members")];
    let created = b.post(format!("{base}/admin/newsletters")).form(&draft).send().await.unwrap();
    let draft_path = created.headers()["location"].to_str().unwrap().to_string();
    let (_, draft_page) = get(&draft_path).await;
    let reach: usize = draft_page
        .split("it would go to <strong>")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(reach >= MEMBERS_TAKING_THE_NEWSLETTER, "a members' issue reaches the demo's readers: {reach}");
    // The printed demo member signs in too.
    let member = browser();
    let page = member.get(format!("{base}/sign-in")).send().await.unwrap().text().await.unwrap();
    let token = form_token(&page);
    let signed = member
        .post(format!("{base}/sign-in"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", member_email.as_str()),
            ("password", member_password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303, "the demo member signs in with the printed password");
    // Setting up the demo queued no e-mail (its links would carry the demo command's address).
    let outbox = data.dir.path().join("outbox");
    let written = std::fs::read_dir(&outbox).map(|d| d.count()).unwrap_or(0);
    assert_eq!(written, 0, "the demo sends nothing");
    stop(child).await;
    data.finish().await;
}

async fn create_organiser_prints_a_working_link(engine: Engine) {
    let data = TestData::new(engine).await;
    let bad = swn(&data)
        .args(["admin", "create-organiser", "--email", "not-an-email", "--name", "X"])
        .output()
        .await
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not an e-mail address"));

    let port = free_port();
    let out = swn(&data)
        .env("SWN_BASE_URL", format!("http://127.0.0.1:{port}"))
        .args(["admin", "create-organiser", "--email", "Grace@Trust.example.org", "--name", "Grace Hopper"])
        .output()
        .await
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{printed}{}", String::from_utf8_lossy(&out.stderr));
    let link =
        crate::support::find_link(&printed, &format!("http://127.0.0.1:{port}/password/reset/")).expect("a link");
    let again = swn(&data)
        .args(["admin", "create-organiser", "--email", "grace@trust.example.org", "--name", "G"])
        .output()
        .await
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    // With an organiser in place, serve prints no setup link; the printed link sets the password.
    let mut child = swn(&data)
        .env("SWN_BASE_URL", format!("http://127.0.0.1:{port}"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    while let Ok(Some(line)) = tokio::time::timeout(Duration::from_secs(60), lines.next_line()).await.unwrap() {
        printed.push_str(&line);
        if line.contains("is running at") {
            break;
        }
    }
    assert!(!printed.contains("No organiser yet"), "{printed}");
    let b = browser();
    let form = b.get(&link).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let html = form.text().await.unwrap();
    let token = form_token(&html);
    let set = b
        .post(&link)
        .form(&[("csrf_token", token.as_str()), ("password", "grace-password-1"), ("confirm", "grace-password-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 303);
    stop(child).await;
    data.finish().await;
}

#[tokio::test]
async fn bad_database_urls_stop_the_command_with_a_clear_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_swn"))
        .args(["migrate", "--database-url", "mysql://localhost/x"])
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown scheme") && !err.contains("panicked"), "{err}");
}

/// Every table's row count, and the key that signs links in e-mails already sent.
async fn contents(data: &TestData) -> (Vec<(String, i64)>, String) {
    let db = swn::db::Db::connect_with(&data.database_url, &data.pooling()).await.unwrap();
    let sql = match db.engine() {
        swn::db::Engine::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        swn::db::Engine::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
        }
    };
    let tables: Vec<String> = swn::on_engine!(&db, |e| sqlx::query_scalar::<_, String>(sql)
        .persistent(swn::db::keep_prepared())
        .fetch_all(e)
        .await)
    .unwrap();
    let mut counts = Vec::new();
    for table in tables {
        let n =
            swn::fetch_scalar!(&db, i64, sqlx::AssertSqlSafe(format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}")))
                .unwrap();
        counts.push((table, n));
    }
    let key = swn::fetch_scalar!(&db, String, "SELECT value FROM app_secrets WHERE name = 'link_signing_key'").unwrap();
    db.close().await;
    (counts, key)
}

/// `swn backup` of a demo network, restored with `swn restore` into a new, empty database: every table's rows
/// and the signing key come back; a database that holds a network is refused unless `--replace`.
async fn a_backup_restores_into_an_empty_database_whole(engine: Engine) {
    let source = TestData::new(engine).await;
    let demo = swn(&source).arg("demo").output().await.unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let backups = tempfile::tempdir().unwrap();
    // Straight to the database, never through PgBouncer (refused, with the reason).
    let direct = |data: &TestData| {
        let mut cmd = swn(data);
        cmd.env("SWN_DATABASE_URL", data.direct_url()).env_remove("SWN_PGBOUNCER");
        cmd
    };
    let through_pgbouncer = swn(&source).env("SWN_PGBOUNCER", "true").arg("backup").arg(backups.path()).output();
    let refused = through_pgbouncer.await.unwrap();
    if engine == Engine::Postgres {
        assert!(
            !refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("not through PgBouncer")
        );
    }
    let out = direct(&source).arg("backup").arg(backups.path()).output().await.unwrap();
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    let file = said.trim().strip_prefix("Backup written to ").expect(&said).to_string();
    let name = std::path::Path::new(&file).file_name().unwrap().to_string_lossy().to_string();
    assert!(name.starts_with(&format!("swn-{}", chrono::Utc::now().format("%Y-%m-%d"))), "dated: {name}");

    let target = TestData::new(engine).await;
    let out = direct(&target).arg("restore").arg(&file).output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (restored, restored_key) = contents(&target).await;
    let (original, original_key) = contents(&source).await;
    assert_eq!(restored, original, "every table's rows came back");
    assert!(original.iter().any(|(t, n)| t == "users" && *n > 5), "the demo's people were in it: {original:?}");
    assert_eq!(restored_key, original_key, "links in e-mails already sent still work");

    let again = direct(&target).arg("restore").arg(&file).output().await.unwrap();
    let refused = String::from_utf8_lossy(&again.stderr);
    assert!(!again.status.success() && refused.contains("new, empty database"), "{refused}");
    // Replacing empties the database first: even a table the backup does not know (a newer version's) goes.
    {
        let db = swn::db::Db::connect_with(&target.database_url, &target.pooling()).await.unwrap();
        swn::execute!(&db, "CREATE TABLE from_a_newer_version (id BIGINT)").unwrap();
        db.close().await;
    }
    let replaced = direct(&target).args(["restore", "--replace"]).arg(&file).output().await.unwrap();
    assert!(replaced.status.success(), "{}", String::from_utf8_lossy(&replaced.stderr));
    assert_eq!(contents(&target).await.0, original, "replaced, not mixed");
    let served = swn(&target).arg("migrate").output().await.unwrap();
    assert!(served.status.success(), "the restored database opens: {}", String::from_utf8_lossy(&served.stderr));
    source.finish().await;
    target.finish().await;
}
