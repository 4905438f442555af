//! A test harness that runs the real server on a random port with a fresh database (a new SQLite file, or a
//! new PostgreSQL database when SWN_TEST_DATABASE_URL is set) and talks to it as a browser would.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use scraper::{Html, Selector};
use swn::auth::Role;
use swn::config::{CommonArgs, Config};
use swn::{App, Server};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Runs a scenario on SQLite, and on PostgreSQL when `SWN_TEST_DATABASE_URL` is set.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::support::Engine::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if $crate::support::postgres_url().is_none() {
                        $crate::support::skip("set SWN_TEST_DATABASE_URL to run this test on PostgreSQL");
                        return;
                    }
                    super::$name($crate::support::Engine::Postgres).await
                }
            )*
        }
    };
}

/// Says why a test is skipped; under `SWN_TEST_STRICT` (set by `.ci/run`) a skip is a failure instead.
pub fn skip(reason: &str) {
    if std::env::var("SWN_TEST_STRICT").is_ok_and(|v| v == "1") {
        panic!("SWN_TEST_STRICT is set, so this test may not be skipped: {reason}");
    }
    eprintln!("skipped: {reason}");
}

/// `SWN_TEST_PGBOUNCER_URL` (e.g. postgres://postgres@127.0.0.1:6439, as tests/faults/pgbouncer.sh starts it): the tests' PostgreSQL databases are
/// still made through `SWN_TEST_DATABASE_URL`, then used through this PgBouncer (transaction mode), as
/// `SWN_PGBOUNCER` would in production.
pub fn pgbouncer_url() -> Option<url::Url> {
    std::env::var("SWN_TEST_PGBOUNCER_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .map(|u| url::Url::parse(&u).expect("SWN_TEST_PGBOUNCER_URL"))
}

pub fn postgres_url() -> Option<String> {
    std::env::var("SWN_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())
}

/// A fresh, empty PostgreSQL database; gives its URL and its name.
pub async fn fresh_postgres_database() -> (String, String) {
    let admin_url = postgres_url().expect("SWN_TEST_DATABASE_URL");
    let name = format!("swn_test_{}", uuid_like());
    let admin = sqlx::PgPool::connect(&admin_url).await.expect("connect to SWN_TEST_DATABASE_URL");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .expect("create database");
    admin.close().await;
    let mut url = pgbouncer_url().unwrap_or_else(|| url::Url::parse(&admin_url).expect("database URL"));
    url.set_path(&name);
    (url.to_string(), name)
}

pub async fn drop_postgres_database(name: &str) {
    if let Some(admin_url) = postgres_url()
        && let Ok(admin) = sqlx::PgPool::connect(&admin_url).await
    {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&admin)
            .await;
        admin.close().await;
    }
}

fn uuid_like() -> String {
    use rand::RngCore;
    let mut b = [0u8; 8];
    rand::rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The database and data folder of one test, before any server runs on them.
pub struct TestData {
    pub dir: tempfile::TempDir,
    pub database_url: String,
    pg_name: Option<String>,
}

impl TestData {
    pub async fn new(engine: Engine) -> TestData {
        let dir = tempfile::tempdir().expect("temp dir");
        let (database_url, pg_name) = match engine {
            Engine::Sqlite => (format!("sqlite://{}", dir.path().join("swn.db").display()), None),
            Engine::Postgres => {
                let (url, name) = fresh_postgres_database().await;
                (url, Some(name))
            }
        };
        TestData { dir, database_url, pg_name }
    }

    pub fn common_args(&self) -> CommonArgs {
        CommonArgs {
            data_dir: self.dir.path().to_path_buf(),
            database_url: Some(self.database_url.clone()),
            base_url: None,
            smtp_url: None,
            mail_from: "Smart Work Network <network@swn.test>".into(),
            mail_reply_to: None,
            timezone: "Europe/London".into(),
            database_wait_seconds: 30,
            database_pool_size: None,
            statement_timeout_seconds: 30,
            pgbouncer: self.through_pgbouncer(),
            title: swn::config::DEFAULT_TITLE.into(),
            networks: None,
            network: None,
        }
    }

    /// How the program reaches this test's database.
    pub fn pooling(&self) -> swn::db::Pooling {
        swn::db::Pooling { pgbouncer: self.through_pgbouncer(), ..Default::default() }
    }

    /// The database's own address, not through PgBouncer (for backups).
    pub fn direct_url(&self) -> String {
        match (&self.pg_name, postgres_url()) {
            (Some(name), Some(admin)) => {
                let mut url = url::Url::parse(&admin).expect("database URL");
                url.set_path(name);
                url.to_string()
            }
            _ => self.database_url.clone(),
        }
    }

    /// Whether this test's database is reached through PgBouncer.
    pub fn through_pgbouncer(&self) -> bool {
        self.pg_name.is_some() && pgbouncer_url().is_some()
    }

    pub async fn finish(self) {
        if let Some(name) = &self.pg_name {
            drop_postgres_database(name).await;
        }
    }
}

/// The password of everyone `TestApp::person` makes.
pub const PASSWORD: &str = "member-password-1";

/// Someone in a story: their own signed-in browser (a `Person` is used where a browser is), and who they are.
pub struct Person {
    pub client: reqwest::Client,
    pub email: String,
    pub name: String,
    pub id: String,
}

impl std::ops::Deref for Person {
    type Target = reqwest::Client;

    fn deref(&self) -> &reqwest::Client {
        &self.client
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub app: App,
    pub data: Option<TestData>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

/// One answer from the server, read in full.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }

    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    pub fn attr(&self, selector: &str, attr: &str) -> Option<String> {
        let sel = Selector::parse(selector).expect("selector");
        self.html().select(&sel).find_map(|e| e.value().attr(attr).map(str::to_string))
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Answer {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body:\n{}",
            &self.body[..self.body.len().min(3000)]
        );
        self
    }

    #[track_caller]
    pub fn assert_contains(&self, text: &str) -> &Answer {
        assert!(self.body.contains(text), "expected {text:?} in:\n{}", &self.body[..self.body.len().min(5000)]);
        self
    }

    #[track_caller]
    pub fn assert_lacks(&self, text: &str) -> &Answer {
        assert!(!self.body.contains(text), "did not expect {text:?} in:\n{}", &self.body[..self.body.len().min(5000)]);
        self
    }
}

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// Runs a bound server until the sender is used (or dropped).
fn run_until_stopped(server: Server) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        server
            .run(async {
                let _ = stopped.await;
            })
            .await
            .expect("server run");
    });
    (stop, handle)
}

impl TestApp {
    pub async fn start(engine: Engine) -> TestApp {
        TestApp::start_with(engine, |_| {}).await
    }

    /// Starts a server; `adjust` may change the configuration first.
    pub async fn start_with(engine: Engine, adjust: impl FnOnce(&mut Config)) -> TestApp {
        if let Ok(filter) = std::env::var("SWN_TEST_LOG") {
            // The server's log while debugging a test (e.g. SWN_TEST_LOG=warn): off by default.
            let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
        }
        let data = TestData::new(engine).await;
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut config = Config::from_common(&data.common_args(), addr).expect("config");
        config.mail_poll = Duration::from_millis(100);
        adjust(&mut config);
        let mut t = TestApp::serve(config, listener).await;
        t.data = Some(data);
        t
    }

    /// A second instance on the same database, with the same settings and base URL (as a load balancer's
    /// instances have), on its own port. Its `finish` leaves the database to the first.
    pub async fn another_instance(&self) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let mut t = TestApp::serve((*self.app.config).clone(), listener).await;
        t.client = browser();
        t
    }

    /// Another instance serving `app` (a clone of this one's, changed), on its own port. Its `finish` leaves the
    /// database to the first.
    pub async fn instance_of(&self, app: App) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let mut t = TestApp::serve_app(app, listener);
        t.client = browser();
        t
    }

    async fn serve(config: Config, listener: TcpListener) -> TestApp {
        let app = App::open(config).await.expect("open app");
        TestApp::serve_app(app, listener)
    }

    fn serve_app(app: App, listener: TcpListener) -> TestApp {
        let addr = listener.local_addr().expect("addr");
        let server = Server::from_listener(app.clone(), listener).expect("server");
        let (stop, handle) = run_until_stopped(server);
        TestApp {
            base: format!("http://{addr}"),
            client: browser(),
            app,
            data: None,
            stop: Some(stop),
            server: Some(handle),
        }
    }

    /// Two networks served by one server by host name, from a networks file (issue 23): the UK Smart Work
    /// Network on SQLite at `127.0.0.1:<port>`, and the European one on `second` at `localhost:<port>` (with no
    /// sender of its own: the installation's address under its name). Finishing the
    /// first stops the server; finish it before the second.
    pub async fn start_networks(second: Engine) -> (TestApp, TestApp) {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            serve: swn::config::ServeArgs,
        }
        let (uk, eu) = (TestData::new(Engine::Sqlite).await, TestData::new(second).await);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let port = addr.port();
        let file = uk.dir.path().join("networks.toml");
        let network = |name: &str, title: &str, host: &str, data: &TestData, more: &str| {
            format!(
                "[[network]]\nname = \"{name}\"\ntitle = \"{title}\"\nhosts = [\"{host}:{port}\"]\n\
                 base_url = \"http://{host}:{port}\"\ndata_dir = \"{}\"\ndatabase_url = \"{}\"\n{more}\n",
                data.dir.path().display(),
                data.direct_url()
            )
        };
        let text = network("uk", "UK Smart Work Network", "127.0.0.1", &uk, "")
            + &network("eu", "European Smart Work Network", "localhost", &eu, "timezone = \"Europe/Brussels\"");
        std::fs::write(&file, text).expect("networks file");
        let args = ["swn", "--networks", file.to_str().expect("path"), "--listen", &addr.to_string()];
        let serve = Cli::try_parse_from(args).expect("arguments").serve;
        let mut hosted = Vec::new();
        for network in swn::config::networks::for_serve(&serve).expect("networks file").expect("networks") {
            let mut config = network.config;
            config.mail_poll = Duration::from_millis(100);
            hosted.push(swn::Hosted { app: App::open(config).await.expect("open network"), hosts: network.hosts });
        }
        let apps: Vec<App> = hosted.iter().map(|h| h.app.clone()).collect();
        let server = Server::networks_from_listener(hosted, listener).expect("server");
        let (stop, handle) = run_until_stopped(server);
        let test_app = |app: &App, data: TestData| TestApp {
            base: app.config.base_url.as_str().trim_end_matches('/').to_string(),
            client: browser(),
            app: app.clone(),
            data: Some(data),
            stop: None,
            server: None,
        };
        let mut first = test_app(&apps[0], uk);
        (first.stop, first.server) = (Some(stop), Some(handle));
        (first, test_app(&apps[1], eu))
    }

    /// Stops the server gracefully and removes the test's database.
    pub async fn finish(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
        }
        if let Some(data) = self.data.take() {
            data.finish().await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.app.config.outbox_dir()
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.get_with(&self.client, path).await
    }

    pub async fn get_with(&self, client: &reqwest::Client, path: &str) -> Answer {
        read(client.get(self.url(path)).send().await.expect("GET")).await
    }

    /// The form token this browser's pages carry (read from a page, as a browser's form would).
    pub async fn csrf_with(&self, client: &reqwest::Client) -> String {
        let page = self.get_with(client, "/sign-in").await;
        page.attr("input[name=csrf_token]", "value").expect("a csrf_token field")
    }

    /// Posts a form with this browser's token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        self.post_with(&self.client, path, fields).await
    }

    pub async fn post_with(&self, client: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> Answer {
        let token = self.csrf_with(client).await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        read(client.post(self.url(path)).form(&all).send().await.expect("POST")).await
    }

    /// Posts a form exactly as given, with no token added.
    pub async fn post_raw(&self, client: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> Answer {
        read(client.post(self.url(path)).form(fields).send().await.expect("POST")).await
    }

    /// Posts an upload form (multipart) with the token added.
    pub async fn post_multipart_with(
        &self,
        client: &reqwest::Client,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, Vec<u8>)>,
    ) -> Answer {
        let token = self.csrf_with(client).await;
        let mut form = reqwest::multipart::Form::new().text("csrf_token", token);
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        if let Some((name, filename, bytes)) = file {
            form = form.part(name.to_string(), reqwest::multipart::Part::bytes(bytes).file_name(filename.to_string()));
        }
        read(client.post(self.url(path)).multipart(form).send().await.expect("POST multipart")).await
    }

    /// Creates an account with a password directly, as `swn` commands do.
    pub async fn create_user(&self, email: &str, name: &str, role: Role, password: &str) -> String {
        swn::auth::service::create_user_with_password(&self.app, email, name, role, password)
            .await
            .expect("create user")
    }

    pub async fn sign_in_with(&self, client: &reqwest::Client, email: &str, password: &str) -> Answer {
        self.post_with(client, "/sign-in", &[("email", email), ("password", password)]).await
    }

    // The people of a story. Each is made as the `swn` commands make accounts, then signs in with a browser of
    // their own (password `PASSWORD`); the roles that are states rather than roles (a group's member, a lapsed
    // or suspended member) are reached as the site reaches them, or by the one column that holds them.

    /// Someone with `role`, signed in with a browser of their own.
    pub async fn person(&self, email: &str, name: &str, role: Role) -> Person {
        let id = self.create_user(email, name, role, PASSWORD).await;
        let client = self.signed_in(email).await;
        Person { client, email: email.to_string(), name: name.to_string(), id }
    }

    /// A member in their term.
    pub async fn member(&self, email: &str, name: &str) -> Person {
        self.person(email, name, Role::Member).await
    }

    /// The network's organiser, Olivia.
    pub async fn organiser(&self) -> Person {
        self.person("olivia@network.example.org", "Olivia Organiser", Role::Organiser).await
    }

    /// A forum moderator.
    pub async fn moderator(&self, email: &str, name: &str) -> Person {
        self.person(email, name, Role::Moderator).await
    }

    /// Someone whose application is not yet accepted (for the real application journey, see
    /// `membership::apply_and_verify`).
    pub async fn applicant(&self, email: &str, name: &str) -> Person {
        self.person(email, name, Role::Applicant).await
    }

    /// A member who joined the group `slug` through its page (and, if the group takes requests, was accepted).
    pub async fn group_member(&self, slug: &str, email: &str, name: &str) -> Person {
        let person = self.member(email, name).await;
        self.post_with(&person, &format!("/groups/{slug}/join"), &[]).await.assert_status(303);
        swn::execute!(
            &self.app.db,
            "UPDATE group_members SET status = 'active'
             WHERE user_id = $1 AND group_id = (SELECT id FROM network_groups WHERE slug = $2)",
            &person.id,
            slug
        )
        .unwrap();
        person
    }

    /// A member whose term ended yesterday; still signed in.
    pub async fn lapsed_member(&self, email: &str, name: &str) -> Person {
        let person = self.member(email, name).await;
        swn::execute!(
            &self.app.db,
            "UPDATE users SET membership_ends_at = $1 WHERE id = $2",
            chrono::Utc::now() - chrono::Duration::days(1),
            &person.id
        )
        .unwrap();
        person
    }

    /// A member the organisers suspended after they signed in: their browser's session has ended.
    pub async fn suspended_member(&self, email: &str, name: &str) -> Person {
        let person = self.member(email, name).await;
        swn::auth::service::change_role(&self.app.db, &person.id, Role::Member, true).await.unwrap();
        person
    }

    /// A new browser, signed in as the person with this address (password `PASSWORD`).
    pub async fn signed_in(&self, email: &str) -> reqwest::Client {
        let client = browser();
        self.sign_in_with(&client, email, PASSWORD).await.assert_status(303);
        client
    }

    /// Waits for an e-mail to `to` to appear in the outbox folder; gives its text part.
    pub async fn wait_for_mail(&self, to: &str) -> String {
        self.wait_for_mail_containing(to, "").await
    }

    /// Waits for an e-mail to `to` whose text contains `text`; gives its text part.
    pub async fn wait_for_mail_containing(&self, to: &str, text: &str) -> String {
        for _ in 0..100 {
            if let Ok(entries) = std::fs::read_dir(self.outbox_dir()) {
                for entry in entries.flatten() {
                    let raw = std::fs::read(entry.path()).unwrap_or_default();
                    if let Ok(mail) = mailparse::parse_mail(&raw) {
                        let to_header = mail.headers.iter().find(|h| h.get_key_ref().eq_ignore_ascii_case("to"));
                        if to_header.is_some_and(|h| h.get_value().contains(to)) {
                            let body = plain_text(&mail).unwrap_or_default();
                            if body.contains(text) {
                                return body;
                            }
                        }
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no e-mail to {to} containing {text:?} arrived in the outbox");
    }

    /// The raw .eml files in the outbox.
    pub fn outbox_files(&self) -> Vec<Vec<u8>> {
        std::fs::read_dir(self.outbox_dir())
            .map(|d| d.flatten().filter_map(|e| std::fs::read(e.path()).ok()).collect())
            .unwrap_or_default()
    }
}

async fn read(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap_or_default();
    Answer { status, headers, body }
}

/// The first link in `text` that starts with `prefix`.
pub fn find_link(text: &str, prefix: &str) -> Option<String> {
    let start = text.find(prefix)?;
    let rest = &text[start..];
    let end = rest.find(|c: char| c.is_whitespace() || c == '"' || c == '<').unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

/// A real PNG (1x1 pixel).
pub fn tiny_png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00,
        0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF,
        0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}

/// The first text/plain part of a message, however deeply nested (mixed > alternative > plain).
pub fn plain_text(mail: &mailparse::ParsedMail) -> Option<String> {
    if mail.ctype.mimetype == "text/plain" {
        return mail.get_body().ok();
    }
    mail.subparts.iter().find_map(plain_text)
}
