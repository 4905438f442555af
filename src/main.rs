//! The `swn` command: serve the network, migrate its database, administer it, or load a demo network.

use anyhow::Context;
use clap::{Parser, Subcommand};
use swn::config::{CommonArgs, Config, ServeArgs};
use swn::{App, Server};

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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SWN_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    let cli = Cli::parse();
    let listen = DEFAULT_LISTEN.parse().context("default address")?;
    match cli.command {
        Command::Serve(args) => {
            let app = App::open(Config::from_serve(&args)?).await?;
            if let Some(link) = swn::auth::service::issue_setup_link(&app).await? {
                println!(
                    "\nNo organiser yet. Open this one-time link to create the first organiser account:\n\n    {link}\n"
                );
            }
            let server = Server::bind(app).await?;
            println!("The Smart Work Network is running at {} (press Ctrl-C to stop).", server.app.config.base_url);
            server.run(swn::shutdown_signal()).await?;
        }
        Command::Migrate(common) => {
            App::open(Config::from_common(&common, listen)?).await?;
            println!("The database is up to date.");
        }
        Command::Admin(AdminCommand::CreateOrganiser { email, name, common }) => {
            let app = App::open(Config::from_common(&common, listen)?).await?;
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
        Command::Demo(common) => {
            let app = App::open(Config::from_common(&common, listen)?).await?;
            let report = swn::demo::load(&app).await?;
            println!("{report}");
        }
    }
    Ok(())
}
