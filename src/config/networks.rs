//! Several networks in one installation (issue 23), as Discourse's multisite: a networks file
//! (`SWN_NETWORKS=networks.toml`) gives each network its host names, address, database, mail and name, and
//! `swn serve` runs each as a whole `App` of its own, choosing by the `Host` a request names. The file is checked
//! whole before anything opens; without it there is one network, as there always was.
//!
//! ```toml
//! [[network]]
//! name = "uk"                          # for --network and the logs
//! title = "Smart Work Network"         # as people see it
//! hosts = ["smartwork.example.org", "www.smartwork.example.org"]
//! base_url = "https://smartwork.example.org"
//! data_dir = "/srv/swn/uk"             # SQLite there; or database_url = "postgres://…"
//! mail_from = "Smart Work Network <network@smartwork.example.org>"
//! smtp_url = "smtps://user:pass@mail.example.org"
//! timezone = "Europe/London"
//! min_employees = 100
//! ```
//!
//! What a network does not set (its mail server, time zone, minimum size, and everything else: the listening
//! address, session lengths, pool sizes) is the installation's, from the flags and `SWN_*` variables.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;
use url::Url;

use super::{CommonArgs, Config, ServeArgs};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworksFile {
    #[serde(default)]
    network: Vec<Entry>,
}

/// One `[[network]]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: String,
    pub title: String,
    pub hosts: Vec<String>,
    pub base_url: String,
    /// Its folder: the SQLite database (unless `database_url` says otherwise) and the mail outbox. It must
    /// exist: a mistyped path would otherwise start an empty network.
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub mail_from: Option<String>,
    pub mail_reply_to: Option<String>,
    pub smtp_url: Option<String>,
    pub timezone: Option<String>,
    pub min_employees: Option<i64>,
    /// Its PostgreSQL URL is a PgBouncer in transaction mode (as `SWN_PGBOUNCER`, which is for every network).
    pub pgbouncer: Option<bool>,
}

/// A network of the file with its whole configuration.
#[derive(Debug)]
pub struct Network {
    /// Its host names, lower-case, as requests name them (with a port where the file gives one).
    pub hosts: Vec<String>,
    pub config: Config,
}

/// The configuration of each network `swn serve` serves: every network of the file, or the one `--network`
/// names; `None` without a file (the one network of the flags and variables).
pub fn for_serve(args: &ServeArgs) -> anyhow::Result<Option<Vec<Network>>> {
    let Some(path) = &args.common.networks else {
        no_network_without_file(&args.common)?;
        return Ok(None);
    };
    let entries = chosen(read(path)?, args.common.network.as_deref(), path)?;
    let networks = entries
        .into_iter()
        .map(|entry| {
            let mut own = args.clone();
            own.common = entry.common(&args.common);
            if let Some(min) = entry.min_employees {
                own.min_employees = min;
            }
            let config = Config::from_serve(&own).map(|c| entry.name_it(c));
            Ok(Network { hosts: entry.hosts.clone(), config: in_network(config, &entry.name, path)? })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Some(networks))
}

/// The configuration a command other than `swn serve` works on: the network `--network` names in the file, or
/// without a file the one network of the flags and variables.
pub fn for_command(common: &CommonArgs, listen: std::net::SocketAddr) -> anyhow::Result<Config> {
    let Some(path) = &common.networks else {
        no_network_without_file(common)?;
        return Config::from_common(common, listen);
    };
    let Some(name) = common.network.as_deref() else {
        let names: Vec<String> = read(path)?.into_iter().map(|e| e.name).collect();
        bail!("{} holds several networks: say which with --network ({})", path.display(), names.join(", "));
    };
    let entry = chosen(read(path)?, Some(name), path)?.remove(0);
    let mut config = Config::from_common(&entry.common(common), listen).map(|c| entry.name_it(c));
    if let (Ok(config), Some(min)) = (&mut config, entry.min_employees) {
        if min < 1 {
            bail!("network {:?} of {}: min_employees must be at least 1", entry.name, path.display());
        }
        config.min_employees = min;
    }
    in_network(config, &entry.name, path)
}

fn no_network_without_file(common: &CommonArgs) -> anyhow::Result<()> {
    if let Some(name) = &common.network {
        bail!("--network {name:?} names a network of a networks file, and none is given (SWN_NETWORKS)");
    }
    Ok(())
}

fn in_network(config: anyhow::Result<Config>, name: &str, path: &Path) -> anyhow::Result<Config> {
    config.with_context(|| format!("network {name:?} of {}", path.display()))
}

/// All the file's networks, or the one named.
fn chosen(entries: Vec<Entry>, name: Option<&str>, path: &Path) -> anyhow::Result<Vec<Entry>> {
    let Some(name) = name else { return Ok(entries) };
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    let Some(entry) = entries.iter().find(|e| e.name == name) else {
        bail!("{} has no network {name:?} (it has {})", path.display(), names.join(", "));
    };
    Ok(vec![entry.clone()])
}

impl Entry {
    /// The installation's options with this network's own in their place.
    fn common(&self, installation: &CommonArgs) -> CommonArgs {
        let mut common = installation.clone();
        common.title = self.title.clone();
        common.base_url = Some(self.base_url.clone());
        // A network on PostgreSQL without a folder of its own keeps its outbox beside the installation's.
        common.data_dir = self.data_dir.clone().unwrap_or_else(|| installation.data_dir.join(&self.name));
        common.database_url = self.database_url.clone();
        match &self.mail_from {
            Some(from) => common.mail_from.clone_from(from),
            // The installation's address under this network's name, so that no network's e-mail goes out
            // under another's.
            None => {
                if let Ok(mailbox) = installation.mail_from.parse::<lettre::message::Mailbox>() {
                    common.mail_from =
                        lettre::message::Mailbox::new(Some(self.title.clone()), mailbox.email).to_string();
                }
            }
        }
        if let Some(zone) = &self.timezone {
            common.timezone.clone_from(zone);
        }
        if self.smtp_url.is_some() {
            common.smtp_url.clone_from(&self.smtp_url);
        }
        if self.mail_reply_to.is_some() {
            common.mail_reply_to.clone_from(&self.mail_reply_to);
        }
        if let Some(pgbouncer) = self.pgbouncer {
            common.pgbouncer = pgbouncer;
        }
        common
    }

    fn name_it(&self, mut config: Config) -> Config {
        config.network = Some(self.name.clone());
        config
    }
}

/// Reads the networks file and checks what each network must have and what must differ between them, saying
/// what is wrong where.
pub fn read(path: &Path) -> anyhow::Result<Vec<Entry>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read the networks file {} (SWN_NETWORKS)", path.display()))?;
    // toml's own message quotes the line it stopped at, which may hold a password: say where and what only.
    let file: NetworksFile = toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|s| text.bytes().take(s.start).filter(|b| *b == b'\n').count() + 1);
        let at = line.map(|l| format!(" at line {l}")).unwrap_or_default();
        anyhow::anyhow!("the networks file {} is not valid{at}: {}", path.display(), e.message().trim())
    })?;
    check(file.network).with_context(|| format!("the networks file {}", path.display()))
}

fn check(mut entries: Vec<Entry>) -> anyhow::Result<Vec<Entry>> {
    if entries.is_empty() {
        bail!("it names no network: give each a [[network]] table");
    }
    let mut names: HashSet<String> = HashSet::new();
    let mut hosts: HashMap<String, String> = HashMap::new();
    let mut bare_hosts: HashMap<String, String> = HashMap::new();
    let mut databases: HashMap<String, String> = HashMap::new();
    for entry in &mut entries {
        let name = entry.name.clone();
        let name_ok = !name.is_empty()
            && name.len() <= 40
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !name_ok {
            bail!("a network's name is 1 to 40 lower-case letters, digits and hyphens, not {name:?}");
        }
        if !names.insert(name.clone()) {
            bail!("the name {name:?} is given to two networks");
        }
        if entry.hosts.is_empty() {
            bail!("network {name:?} names no hosts: list the host names it is reached by");
        }
        for host in &mut entry.hosts {
            let given = host.trim().to_ascii_lowercase();
            let parsed = Url::parse(&format!("http://{given}")).ok().filter(|u| {
                u.host_str().is_some() && u.path() == "/" && u.username().is_empty() && u.query().is_none()
            });
            let Some(parsed) = parsed.filter(|_| !given.is_empty() && !given.contains(['/', '@', '?', '#'])) else {
                bail!("network {name:?}: {given:?} is not a host name (give it as smartwork.example.org, no scheme)");
            };
            // As a request names it: an international name in its ASCII form, port 80 or 443 as no port.
            *host = host_of(&parsed).trim_end_matches(":443").to_string();
            if let Some(other) = hosts.insert(host.clone(), name.clone()) {
                bail!("the host {host:?} is named twice: by network {other:?} and network {name:?}");
            }
            let bare = match host.rsplit_once(':') {
                Some((bare, port)) if port.bytes().all(|b| b.is_ascii_digit()) => bare.to_string(),
                _ => host.clone(),
            };
            if let Some(other) = bare_hosts.insert(bare.clone(), name.clone()).filter(|o| *o != name) {
                bail!(
                    "networks {other:?} and {name:?} are both at {bare:?} (on different ports): browsers keep one set \
                     of cookies per host name, so each would sign the other's people out; give each its own name"
                );
            }
        }
        let base = Url::parse(&entry.base_url)
            .with_context(|| format!("network {name:?}: base_url {:?} is not a URL", entry.base_url))?;
        if !entry.hosts.iter().any(|h| *h == host_of(&base) || Some(h.as_str()) == base.host_str()) {
            bail!(
                "network {name:?}: base_url {:?} is not at one of its hosts ({})",
                entry.base_url,
                entry.hosts.join(", ")
            );
        }
        match (&entry.data_dir, &entry.database_url) {
            (None, None) => bail!("network {name:?} has neither a data_dir nor a database_url: give one"),
            (Some(dir), _) if !dir.is_dir() => bail!(
                "network {name:?}: its data folder {} does not exist (create it, or correct the path)",
                dir.display()
            ),
            _ => {}
        }
        let database = database_of(entry)?;
        if let Some(other) = databases.insert(database.clone(), name.clone()) {
            bail!("networks {other:?} and {name:?} are on one database ({database}): each needs its own");
        }
        if let Some(dir) = &entry.data_dir {
            let folder = format!("folder {}", canonical(dir).display());
            if let Some(other) = databases.insert(folder.clone(), name.clone()) {
                bail!("networks {other:?} and {name:?} share the data {folder}: each needs its own");
            }
        }
    }
    Ok(entries)
}

/// `host[:port]` of an address, as a request's `Host` names it.
fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (host, None) => host.unwrap_or_default().to_string(),
        (None, Some(_)) => String::new(),
    }
}

fn canonical(dir: &Path) -> PathBuf {
    dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf())
}

/// What tells two databases apart: a SQLite file's real path, or a PostgreSQL server and database (never its
/// password, which would land in a message).
fn database_of(entry: &Entry) -> anyhow::Result<String> {
    let Some(url) = &entry.database_url else {
        let dir = entry.data_dir.as_deref().unwrap_or(Path::new("."));
        return Ok(format!("sqlite {}", canonical(dir).join("swn.db").display()));
    };
    if let Some(file) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        let file = Path::new(file.split('?').next().unwrap_or(file));
        let dir = canonical(file.parent().unwrap_or(Path::new(".")));
        return Ok(format!("sqlite {}", dir.join(file.file_name().unwrap_or_default()).display()));
    }
    if !["postgres://", "postgresql://"].iter().any(|s| url.starts_with(s)) {
        bail!("network {:?}: its database_url must start sqlite://, postgres:// or postgresql://", entry.name);
    }
    let parsed =
        Url::parse(url).ok().with_context(|| format!("network {:?}: its database_url is not a URL", entry.name))?;
    let host = parsed.host_str().unwrap_or("localhost").to_ascii_lowercase();
    let database = parsed.path().trim_start_matches('/');
    let database = if database.is_empty() { parsed.username() } else { database };
    Ok(format!("postgres {host}:{}/{database}", parsed.port().unwrap_or(5432)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(toml: &str) -> anyhow::Result<Vec<Entry>> {
        let file: NetworksFile = toml::from_str(toml)?;
        check(file.network)
    }

    fn error(toml: &str) -> String {
        entries(toml).err().map(|e| format!("{e:#}")).unwrap_or_default()
    }

    fn network(name: &str, hosts: &str, more: &str) -> String {
        format!(
            "[[network]]\nname = \"{name}\"\ntitle = \"Network {name}\"\nhosts = [{hosts}]\n\
             base_url = \"https://{name}.example.org\"\n{more}\n"
        )
    }

    /// What an operator gets wrong is named, with the network it is in.
    #[test]
    fn a_networks_file_is_checked_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        let data = |d: &Path| format!("data_dir = \"{}\"", d.display());
        let uk = network("uk", "\"uk.example.org\"", &data(&a));
        let eu = network("eu", "\"eu.example.org\"", &data(&b));
        let two = entries(&format!("{uk}{eu}")).unwrap();
        assert_eq!(two.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["uk", "eu"]);
        // Host names as requests give them: lower case, port 80 as none, an international name in ASCII.
        let named = entries(&network("uk", "\"UK.example.org:80\", \"bücher.example:8080\"", &data(&a))).unwrap();
        assert_eq!(named[0].hosts, ["uk.example.org", "xn--bcher-kva.example:8080"]);

        let twice = network("eu", "\"eu.example.org\", \"UK.example.org\"", &data(&b));
        assert!(error(&format!("{uk}{twice}")).contains("the host \"uk.example.org\" is named twice"));
        let missing = network("eu", "\"eu.example.org\"", "data_dir = \"/no/such/folder\"");
        assert!(error(&format!("{uk}{missing}")).contains("its data folder /no/such/folder does not exist"));
        let shared = network("eu", "\"eu.example.org\"", &data(&a));
        assert!(error(&format!("{uk}{shared}")).contains("are on one database"));
        let pg = |db: &str| format!("database_url = \"postgres://postgres:secret@127.0.0.1/{db}\"");
        let (pg_uk, pg_eu) =
            (network("uk", "\"uk.example.org\"", &pg("swn")), network("eu", "\"eu.example.org\"", &pg("swn")));
        let same = error(&format!("{pg_uk}{pg_eu}"));
        assert!(
            same.contains("are on one database (postgres 127.0.0.1:5432/swn)") && !same.contains("secret"),
            "{same}"
        );
        let other_db = network("eu", "\"eu.example.org\"", &pg("swn_eu"));
        assert!(entries(&format!("{pg_uk}{other_db}")).is_ok());

        assert!(error(&network("uk", "\"uk.example.org\"", "")).contains("neither a data_dir nor a database_url"));
        assert!(error(&network("uk", "", &data(&a))).contains("names no hosts"));
        assert!(error(&network("UK", "\"uk.example.org\"", &data(&a))).contains("lower-case letters"));
        assert!(error(&network("uk", "\"https://uk.example.org/\"", &data(&a))).contains("is not a host name"));
        assert!(error(&network("uk", "\"other.example.org\"", &data(&a))).contains("is not at one of its hosts"));
        assert!(error(&format!("{uk}{}", network("uk", "\"x.example.org\"", &data(&b)))).contains("given to two"));
        assert!(error("").contains("names no network"));
        let ports = network("eu", "\"uk.example.org:8443\"", &data(&b));
        assert!(error(&format!("{uk}{ports}")).contains("are both at \"uk.example.org\" (on different ports)"));
        let scheme = network("uk", "\"uk.example.org\"", "database_url = \"postgress://swn:secret@db/swn\"");
        let said = error(&scheme);
        assert!(said.contains("must start sqlite://") && !said.contains("secret"), "{said}");

        // A mistake in the file's syntax is placed, never quoted: the line may hold a password.
        let file = dir.path().join("networks.toml");
        std::fs::write(&file, "[[network]]\nname = \"uk\"\ndatabse_url = \"postgres://swn:secret@db/swn\"\n").unwrap();
        let said = format!("{:#}", read(&file).unwrap_err());
        assert!(said.contains("is not valid at line 3") && !said.contains("secret"), "{said}");
        assert!(entries(&format!("{uk}colour = \"blue\"\n")).is_err(), "an unknown setting is a mistake");
    }
}
