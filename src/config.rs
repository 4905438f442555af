//! Configuration from flags and `SWN_*` environment variables, checked once at start with clear messages.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use lettre::message::Mailbox;
use url::Url;

pub mod networks;

/// The name a network goes by unless it is given another (`SWN_TITLE`, or a network's `title`).
pub const DEFAULT_TITLE: &str = "Smart Work Network";

/// The smallest eligible organisation unless a network says otherwise (`SWN_MIN_EMPLOYEES`, `min_employees`).
pub const DEFAULT_MIN_EMPLOYEES: i64 = 100;

/// The options every subcommand that opens the database shares.
#[derive(clap::Args, Clone, Debug)]
pub struct CommonArgs {
    /// Folder for the SQLite database and the mail outbox.
    #[arg(long, env = "SWN_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Database URL: sqlite://path or postgres://user@host/db. Default: SQLite in the data folder.
    #[arg(long, env = "SWN_DATABASE_URL")]
    pub database_url: Option<String>,
    /// The address people use to reach the site, for links in e-mails. Default: http://<listen address>.
    #[arg(long, env = "SWN_BASE_URL")]
    pub base_url: Option<String>,
    /// SMTP server for outgoing mail, e.g. smtps://user:pass@mail.example.org. Default: .eml files in the outbox folder.
    #[arg(long, env = "SWN_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The sender of the network's e-mails.
    #[arg(long, env = "SWN_MAIL_FROM", default_value = "Smart Work Network <network@localhost>")]
    pub mail_from: String,
    /// Where replies to the network's e-mails go (an organisers' mailbox). Without it, no e-mail asks for a reply.
    #[arg(long, env = "SWN_MAIL_REPLY_TO")]
    pub mail_reply_to: Option<String>,
    /// The network's time zone, in which times are shown and entered.
    #[arg(long, env = "SWN_TIMEZONE", default_value = "Europe/London")]
    pub timezone: String,
    /// How long starting waits for an unreachable database, in seconds, saying why each try failed.
    #[arg(long, env = "SWN_DATABASE_WAIT_SECONDS", default_value_t = 30)]
    pub database_wait_seconds: u64,
    /// Database connections this instance holds at most. Default: 8 on SQLite, 16 on PostgreSQL.
    #[arg(long, env = "SWN_DATABASE_POOL_SIZE")]
    pub database_pool_size: Option<u32>,
    /// PostgreSQL cancels a statement running longer than this, in seconds (0: never).
    #[arg(long, env = "SWN_STATEMENT_TIMEOUT_SECONDS", default_value_t = 30)]
    pub statement_timeout_seconds: u64,
    /// The PostgreSQL URL is a PgBouncer in transaction mode: no prepared statements are kept.
    #[arg(long, env = "SWN_PGBOUNCER", default_value_t = false)]
    pub pgbouncer: bool,
    /// The network's name, as its pages, e-mails and feeds show it.
    #[arg(long, env = "SWN_TITLE", default_value = DEFAULT_TITLE)]
    pub title: String,
    /// A networks file (TOML) for several networks in one installation; each `[[network]]` then has its own
    /// name, hosts, address and database, and may have its own mail, time zone and minimum size; the other
    /// options are the installation's, shared by every network.
    #[arg(long, env = "SWN_NETWORKS")]
    pub networks: Option<PathBuf>,
    /// The network of the networks file to work on (`swn serve` serves them all without it).
    #[arg(long, env = "SWN_NETWORK")]
    pub network: Option<String>,
}

#[derive(clap::Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "SWN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Largest upload accepted (logos, photos), in bytes.
    #[arg(long, env = "SWN_MAX_UPLOAD_BYTES", default_value_t = 2 * 1024 * 1024)]
    pub max_upload_bytes: usize,
    /// Largest file accepted into the library (guides, research, slides), in bytes.
    #[arg(long, env = "SWN_MAX_RESOURCE_BYTES", default_value_t = 20 * 1024 * 1024)]
    pub max_resource_bytes: usize,
    /// Smallest organisation (employees) eligible for membership.
    #[arg(long, env = "SWN_MIN_EMPLOYEES", default_value_t = DEFAULT_MIN_EMPLOYEES)]
    pub min_employees: i64,
    /// Approve applications without review when every rule passes and the organisation is already known.
    #[arg(long, env = "SWN_AUTO_APPROVE", default_value_t = false)]
    pub auto_approve: bool,
    /// How long before a meeting starts its joining link is shown to attendees, in minutes.
    #[arg(long, env = "SWN_JOINING_LINK_RELEASE_MINUTES", default_value_t = 24 * 60)]
    pub joining_link_release_minutes: i64,
    /// How long before a meeting starts attendees get a reminder, in hours.
    #[arg(long, env = "SWN_REMINDER_HOURS", default_value_t = 24)]
    pub reminder_hours: i64,
    /// Most e-mails this instance hands to the mail server per second (0: as fast as it accepts them).
    #[arg(long, env = "SWN_MAIL_RATE", default_value_t = 0)]
    pub mail_rate: u32,
    /// Most e-mails the whole network hands to the mail server per second, however many instances send (0: no
    /// such limit). Every instance takes its turns from the database.
    #[arg(long, env = "SWN_NETWORK_MAIL_RATE", default_value_t = 0)]
    pub network_mail_rate: u32,
    /// How many e-mails this instance hands to the mail server at once.
    #[arg(long, env = "SWN_MAIL_CONCURRENCY", default_value_t = 4)]
    pub mail_concurrency: usize,
    /// How long a mail worker holds a message it took; a crashed worker's message is sent again after it.
    #[arg(long, env = "SWN_MAIL_LEASE_SECONDS", default_value_t = 300)]
    pub mail_lease_seconds: u64,
    /// How long a session lasts without use, in hours (unless the person asked to be kept signed in).
    #[arg(long, env = "SWN_SESSION_IDLE_HOURS", default_value_t = 12)]
    pub session_idle_hours: u64,
    /// How long a "keep me signed in on this device" session lasts without use, in days.
    #[arg(long, env = "SWN_KEPT_SESSION_IDLE_DAYS", default_value_t = 14)]
    pub kept_session_idle_days: u64,
    /// The longest any session lasts after sign-in, in days.
    #[arg(long, env = "SWN_SESSION_MAX_DAYS", default_value_t = 60)]
    pub session_max_days: u64,
    /// How long a client has to send a request's headers, in seconds (also how long an idle connection stays open).
    #[arg(long, env = "SWN_HEADER_READ_SECONDS", default_value_t = 10)]
    pub header_read_seconds: u64,
    /// How many connections one client address may hold open at once (not applied with SWN_TRUST_PROXY).
    #[arg(long, env = "SWN_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 200)]
    pub max_connections_per_address: usize,
    /// Address for Prometheus metrics at /metrics, e.g. 127.0.0.1:9187 (keep it private). Off when unset.
    #[arg(long, env = "SWN_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// How long a stop (SIGTERM) waits for the requests and e-mails in hand, in seconds; what is left after it
    /// is put back for another instance.
    #[arg(long, env = "SWN_SHUTDOWN_SECONDS", default_value_t = 20)]
    pub shutdown_seconds: u64,
    /// Take the client address from X-Forwarded-For (only behind a reverse proxy you run).
    #[arg(long, env = "SWN_TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// The checked configuration the application runs with.
#[derive(Clone, Debug)]
pub struct Config {
    /// The network's name in the networks file; `None` for the one network of an installation without one.
    pub network: Option<String>,
    /// The network's name as people see it ("Smart Work Network").
    pub title: String,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub base_url: Url,
    pub smtp_url: Option<String>,
    pub mail_from: Mailbox,
    /// Where replies go; e-mails ask for a reply only when there is one.
    pub mail_reply_to: Option<Mailbox>,
    pub timezone: chrono_tz::Tz,
    pub max_upload_bytes: usize,
    /// Largest library file.
    pub max_resource_bytes: usize,
    pub trust_proxy: bool,
    pub min_employees: i64,
    pub auto_approve: bool,
    pub joining_link_release: chrono::Duration,
    pub reminder_before: chrono::Duration,
    /// A session's life without use, by default and when kept ("keep me signed in on this device").
    pub session_idle: Duration,
    pub kept_session_idle: Duration,
    /// The longest any session lasts after sign-in.
    pub session_absolute: Duration,
    /// How long starting waits for an unreachable database.
    pub database_wait: Duration,
    pub pooling: crate::db::Pooling,
    /// What one connection may take (header read time-out, connections per client address).
    pub connections: crate::web::serve::Limits,
    /// How often the mail worker looks for due messages when nothing wakes it.
    pub mail_poll: Duration,
    /// Most e-mails handed to the mail server per second by this instance; 0 for no limit.
    pub mail_rate: u32,
    /// Most e-mails handed to the mail server per second by all instances together; 0 for no limit.
    pub network_mail_rate: u32,
    /// How long a worker holds a message it took before another may take it (after a crash).
    pub mail_lease: Duration,
    /// Deliveries in flight at once.
    pub mail_concurrency: usize,
    /// How long a stop waits for the work in hand.
    pub shutdown_grace: Duration,
    /// Where `/metrics` is served; nowhere when `None`.
    pub metrics_listen: Option<SocketAddr>,
}

impl Config {
    pub fn from_serve(args: &ServeArgs) -> anyhow::Result<Config> {
        let mut config = Config::from_common(&args.common, args.listen)?;
        if args.max_upload_bytes < 1024 {
            bail!("SWN_MAX_UPLOAD_BYTES must be at least 1024 bytes");
        }
        config.max_upload_bytes = args.max_upload_bytes;
        if !(1024..=512 * 1024 * 1024).contains(&args.max_resource_bytes) {
            bail!("SWN_MAX_RESOURCE_BYTES must be between 1024 bytes and 512 MiB");
        }
        config.max_resource_bytes = args.max_resource_bytes;
        if args.min_employees < 1 {
            bail!("SWN_MIN_EMPLOYEES must be at least 1");
        }
        config.min_employees = args.min_employees;
        config.auto_approve = args.auto_approve;
        if !(0..=60 * 24 * 30).contains(&args.joining_link_release_minutes)
            || !(1..=24 * 14).contains(&args.reminder_hours)
        {
            bail!("SWN_JOINING_LINK_RELEASE_MINUTES must be 0 to 43200, and SWN_REMINDER_HOURS 1 to 336");
        }
        config.joining_link_release = chrono::Duration::minutes(args.joining_link_release_minutes);
        config.reminder_before = chrono::Duration::hours(args.reminder_hours);
        config.trust_proxy = args.trust_proxy;
        if args.mail_rate > 10_000
            || args.network_mail_rate > 10_000
            || !(5..=86_400).contains(&args.mail_lease_seconds)
        {
            bail!("SWN_MAIL_RATE and SWN_NETWORK_MAIL_RATE must be 0 to 10000, and SWN_MAIL_LEASE_SECONDS 5 to 86400");
        }
        config.network_mail_rate = args.network_mail_rate;
        if !(1..=64).contains(&args.mail_concurrency) {
            bail!("SWN_MAIL_CONCURRENCY must be 1 to 64");
        }
        config.mail_concurrency = args.mail_concurrency;
        if !(1..=24 * 30).contains(&args.session_idle_hours)
            || !(1..=365).contains(&args.kept_session_idle_days)
            || !(1..=365).contains(&args.session_max_days)
            || args.session_idle_hours > args.session_max_days * 24
            || args.kept_session_idle_days > args.session_max_days
        {
            bail!(
                "SWN_SESSION_IDLE_HOURS must be 1 to 720, SWN_KEPT_SESSION_IDLE_DAYS and SWN_SESSION_MAX_DAYS 1 to 365, and neither idle time longer than SWN_SESSION_MAX_DAYS"
            );
        }
        if !(1..=300).contains(&args.header_read_seconds) || !(1..=100_000).contains(&args.max_connections_per_address)
        {
            bail!("SWN_HEADER_READ_SECONDS must be 1 to 300, and SWN_MAX_CONNECTIONS_PER_ADDRESS 1 to 100000");
        }
        config.connections = crate::web::serve::Limits {
            header_read_timeout: Duration::from_secs(args.header_read_seconds),
            // Behind a proxy every connection comes from it: limiting its address would limit everyone.
            per_address: (!args.trust_proxy).then_some(args.max_connections_per_address),
        };
        config.session_idle = Duration::from_secs(args.session_idle_hours * 3600);
        config.kept_session_idle = Duration::from_secs(args.kept_session_idle_days * 24 * 3600);
        config.session_absolute = Duration::from_secs(args.session_max_days * 24 * 3600);
        config.mail_rate = args.mail_rate;
        config.mail_lease = Duration::from_secs(args.mail_lease_seconds);
        if !(1..=3600).contains(&args.shutdown_seconds) {
            bail!("SWN_SHUTDOWN_SECONDS must be 1 to 3600");
        }
        config.shutdown_grace = Duration::from_secs(args.shutdown_seconds);
        if args.metrics_listen.is_some_and(|m| m == args.listen) {
            bail!(
                "SWN_METRICS_LISTEN must differ from SWN_LISTEN: the metrics are for your monitoring, not the public"
            );
        }
        config.metrics_listen = args.metrics_listen;
        Ok(config)
    }

    pub fn from_common(args: &CommonArgs, listen: SocketAddr) -> anyhow::Result<Config> {
        let database_url = match &args.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", args.data_dir.join("swn.db").display()),
        };
        let base = args.base_url.clone().unwrap_or_else(|| format!("http://{listen}"));
        let base_url = Url::parse(&base).with_context(|| format!("SWN_BASE_URL {base:?} is not a URL"))?;
        if !matches!(base_url.scheme(), "http" | "https") || base_url.host().is_none() {
            bail!("SWN_BASE_URL must be an http:// or https:// address, not {base:?}");
        }
        let mail_from: Mailbox = args
            .mail_from
            .parse()
            .with_context(|| format!("SWN_MAIL_FROM {:?} is not an e-mail address", args.mail_from))?;
        // Real mail from a made-up domain is refused or filed as spam by the receiving servers.
        if args.smtp_url.is_some() && !mail_from.email.domain().contains('.') {
            bail!(
                "SWN_MAIL_FROM must be a real address of your domain when SWN_SMTP_URL is set (not {:?})",
                args.mail_from
            );
        }
        let mail_reply_to = match &args.mail_reply_to {
            Some(address) => Some(
                address
                    .parse::<Mailbox>()
                    .with_context(|| format!("SWN_MAIL_REPLY_TO {address:?} is not an e-mail address"))?,
            ),
            None => None,
        };
        if args.database_wait_seconds > 3600 {
            bail!("SWN_DATABASE_WAIT_SECONDS must be 0 to 3600");
        }
        if args.database_pool_size.is_some_and(|n| !(1..=1000).contains(&n)) || args.statement_timeout_seconds > 86_400
        {
            bail!("SWN_DATABASE_POOL_SIZE must be 1 to 1000, and SWN_STATEMENT_TIMEOUT_SECONDS 0 to 86400");
        }
        if args.pgbouncer && !database_url.starts_with("postgres") {
            bail!("SWN_PGBOUNCER is for a PostgreSQL URL (PgBouncer pools PostgreSQL connections)");
        }
        let timezone: chrono_tz::Tz = args.timezone.parse().map_err(|_| {
            anyhow::anyhow!("SWN_TIMEZONE {:?} is not a time zone such as Europe/London", args.timezone)
        })?;
        let title = args.title.trim();
        if title.is_empty() || title.chars().count() > 100 || title.chars().any(char::is_control) {
            bail!("SWN_TITLE must be a name of 1 to 100 characters, not {:?}", args.title);
        }
        Ok(Config {
            network: None,
            title: title.to_string(),
            listen,
            data_dir: args.data_dir.clone(),
            database_url,
            base_url,
            smtp_url: args.smtp_url.clone(),
            mail_from,
            mail_reply_to,
            timezone,
            max_upload_bytes: 2 * 1024 * 1024,
            max_resource_bytes: 20 * 1024 * 1024,
            trust_proxy: false,
            min_employees: DEFAULT_MIN_EMPLOYEES,
            auto_approve: false,
            joining_link_release: chrono::Duration::hours(24),
            reminder_before: chrono::Duration::hours(24),
            session_idle: Duration::from_secs(12 * 3600),
            kept_session_idle: Duration::from_secs(14 * 24 * 3600),
            session_absolute: Duration::from_secs(60 * 24 * 3600),
            database_wait: Duration::from_secs(args.database_wait_seconds),
            pooling: crate::db::Pooling {
                size: args.database_pool_size,
                statement_timeout: (args.statement_timeout_seconds > 0)
                    .then(|| Duration::from_secs(args.statement_timeout_seconds)),
                pgbouncer: args.pgbouncer,
            },
            connections: crate::web::serve::Limits {
                header_read_timeout: Duration::from_secs(10),
                per_address: Some(200),
            },
            mail_poll: Duration::from_secs(5),
            mail_rate: 0,
            network_mail_rate: 0,
            mail_lease: Duration::from_secs(300),
            mail_concurrency: 4,
            shutdown_grace: Duration::from_secs(20),
            metrics_listen: None,
        })
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    /// Cookies get `Secure` when people reach the site over https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.scheme() == "https"
    }

    /// `scheme://host[:port]`, as browsers send it in the Origin header.
    pub fn origin(&self) -> String {
        self.base_url.origin().ascii_serialization()
    }

    /// An absolute link to a path of the site.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.base_url.as_str().trim_end_matches('/'), path)
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn config(args: &[&str]) -> anyhow::Result<Config> {
        let dir = std::env::temp_dir().join("swn-config-test");
        let mut all = vec!["swn", "--data-dir", dir.to_str().unwrap_or("data")];
        all.extend_from_slice(args);
        Config::from_serve(&Cli::try_parse_from(all)?.serve)
    }

    /// Sessions are short by default, and an operator sets both lengths within sane bounds.
    #[test]
    fn session_lengths_are_settings() -> anyhow::Result<()> {
        let default = config(&[])?;
        assert_eq!(default.session_idle, Duration::from_secs(12 * 3600));
        assert_eq!(default.kept_session_idle, Duration::from_secs(14 * 24 * 3600));
        let set = config(&["--session-idle-hours", "2", "--kept-session-idle-days", "30"])?;
        assert_eq!((set.session_idle.as_secs(), set.kept_session_idle.as_secs()), (7200, 30 * 24 * 3600));
        assert!(config(&["--session-idle-hours", "0"]).is_err());
        assert!(config(&["--kept-session-idle-days", "90"]).is_err(), "longer than the 60-day maximum");
        Ok(())
    }

    /// Real mail needs a real sender; replies go where the operator says, and nowhere by default.
    #[test]
    fn mail_settings_are_checked_at_start() -> anyhow::Result<()> {
        assert!(config(&[])?.mail_reply_to.is_none());
        let smtp = ["--smtp-url", "smtp://mail.example.org"];
        let refused = config(&smtp).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused.contains("SWN_MAIL_FROM must be a real address"), "{refused}");
        let ok = config(&[&smtp[..], &["--mail-from", "Network <network@example.org>"]].concat())?;
        assert_eq!(ok.mail_from.email.domain(), "example.org");
        let replies = config(&["--mail-reply-to", "Organisers <organisers@example.org>"])?;
        assert_eq!(replies.mail_reply_to.map(|m| m.email.to_string()).as_deref(), Some("organisers@example.org"));
        assert!(config(&["--mail-reply-to", "not an address"]).is_err());
        Ok(())
    }
}
