//! The `swn` command: serve the network, migrate its database, administer it, or load a demo network.

use anyhow::Context;
use clap::{Parser, Subcommand};
use swn::config::{CommonArgs, Config, ServeArgs, networks};
use swn::{App, Hosted, Server};

/// mimalloc rather than glibc's malloc: under load, glibc's arena locks and consolidation were a fifth of a
/// page's CPU (issue 22, BENCHMARKS.md). SQLite still allocates through glibc's malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "swn", version, about = "The Smart Work Network platform")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site and deliver its e-mail (migrations run first).
    Serve(ServeArgs),
    /// Bring the database schema up to date and stop.
    Migrate(CommonArgs),
    /// Administer accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Load a believable demo network: pages, news, supporters, people, and a demo organiser.
    Demo(CommonArgs),
    /// Write a consistent backup of the whole network into DIR (while it runs), named with the date.
    Backup {
        /// The folder the backup goes into.
        dir: std::path::PathBuf,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Restore a backup made by `swn backup` into a new, empty database (stop `swn serve` first).
    Restore {
        /// The backup file (`swn-….db` for SQLite, `swn-….dump` for PostgreSQL).
        file: std::path::PathBuf,
        /// Replace what the database holds (it is refused otherwise).
        #[arg(long)]
        replace: bool,
        #[command(flatten)]
        common: CommonArgs,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an organiser and print a one-time link for them to choose a password.
    CreateOrganiser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[command(flatten)]
        common: CommonArgs,
    },
}

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Prints a line for the operator. A server whose standard output has been closed (a supervisor that read the
/// first lines and went) goes on serving, where `println!` would panic.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// Logs to standard output: text (coloured only on a terminal), or one JSON object a line with
/// `SWN_LOG_FORMAT=json`; `SWN_LOG` filters them (`info` by default).
fn logging() -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("SWN_LOG").unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match std::env::var("SWN_LOG_FORMAT").as_deref() {
        Ok("json") => builder.json().flatten_event(true).with_current_span(true).with_span_list(false).init(),
        Ok("text") | Err(_) => builder.with_ansi(std::io::stdout().is_terminal()).init(),
        Ok(other) => anyhow::bail!("SWN_LOG_FORMAT must be text or json, not {other:?}"),
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    logging()?;
    let cli = Cli::parse();
    let listen = DEFAULT_LISTEN.parse().context("default address")?;
    match cli.command {
        Command::Serve(args) => {
            let configs = match networks::for_serve(&args)? {
                Some(networks) => networks.into_iter().map(|n| (n.config, n.hosts)).collect(),
                None => vec![(Config::from_serve(&args)?, Vec::new())],
            };
            let mut hosted = Vec::with_capacity(configs.len());
            for (config, hosts) in configs {
                let name = config.network.clone();
                let app = App::open(config).await.with_context(|| match &name {
                    Some(name) => format!("could not open network {name:?}"),
                    None => "could not open the network".to_string(),
                })?;
                if let Some(link) = swn::auth::service::issue_setup_link(&app).await? {
                    say(&format!(
                        "\nNo organiser yet in the {}. Open this one-time link to create the first organiser account:\n\n    {link}\n",
                        app.config.title
                    ));
                }
                hosted.push(Hosted { app, hosts });
            }
            let server = Server::bind_networks(hosted).await?;
            for network in &server.networks {
                let config = &network.app.config;
                say(&format!("The {} is running at {} (press Ctrl-C to stop).", config.title, config.base_url));
            }
            server.run(swn::shutdown_signal()).await?;
        }
        Command::Migrate(common) => {
            App::open(networks::for_command(&common, listen)?).await?;
            println!("The database is up to date.");
        }
        Command::Admin(AdminCommand::CreateOrganiser { email, name, common }) => {
            let app = App::open(networks::for_command(&common, listen)?).await?;
            let email = email.trim().to_lowercase();
            if email.parse::<lettre::Address>().is_err() {
                anyhow::bail!("{email:?} is not an e-mail address");
            }
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                anyhow::bail!("give a name of 1 to 100 characters");
            }
            let link = swn::auth::service::create_organiser(&app, &email, name).await?;
            println!(
                "Organiser {name} <{email}> created. They choose their password with this one-time link:\n\n    {link}\n"
            );
        }
        Command::Backup { dir, common } => {
            let config = networks::for_command(&common, listen)?;
            swn::ops::backup::straight_to_the_database(&config)?;
            let db = swn::db::Db::connect_with(&config.database_url, &config.pooling).await?;
            let path = swn::ops::backup::backup(&db, &config.database_url, &dir).await?;
            db.close().await;
            println!("Backup written to {}", path.display());
        }
        Command::Restore { file, replace, common } => {
            let config = networks::for_command(&common, listen)?;
            swn::ops::backup::straight_to_the_database(&config)?;
            if config.database_url.starts_with("sqlite:") {
                std::fs::create_dir_all(&config.data_dir)
                    .with_context(|| format!("could not create the data folder {}", config.data_dir.display()))?;
            }
            swn::ops::backup::restore(&config.database_url, &config.pooling, &file, replace).await?;
            println!(
                "Restored {}. Start `swn serve` (or `swn migrate`) to bring it up to this version.",
                file.display()
            );
        }
        Command::Demo(common) => {
            let app = App::open(networks::for_command(&common, listen)?).await?;
            let report = swn::demo::load(&app).await?;
            println!("{report}");
        }
    }
    Ok(())
}
