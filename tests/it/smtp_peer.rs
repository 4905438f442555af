//! A real SMTP server process for the tests: `tests/peers/smtp_peer.py` (aiosmtpd), which stores every
//! message it accepts as a file and can refuse or be killed on purpose.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub struct SmtpPeer {
    pub port: u16,
    pub store: PathBuf,
    args: Vec<String>,
    child: Option<Child>,
}

/// Whether Python's aiosmtpd is there; when it is not, the caller skips (a failure under SWN_TEST_STRICT).
pub fn available() -> bool {
    let found = std::process::Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !found {
        crate::support::skip("the Python package aiosmtpd is not installed (.ci/run installs it)");
    }
    found
}

impl SmtpPeer {
    /// Starts the peer on a free port, storing what it accepts under `store`; `args` are its fault options.
    pub async fn start(store: &Path, args: &[&str]) -> SmtpPeer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut peer = SmtpPeer {
            port,
            store: store.to_path_buf(),
            args: args.iter().map(|a| a.to_string()).collect(),
            child: None,
        };
        peer.restart().await;
        peer
    }

    /// Starts (again) on the same port with the same options.
    pub async fn restart(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/smtp_peer.py");
        let mut child = Command::new("python3")
            .arg(script)
            .args(["--port", &self.port.to_string(), "--store"])
            .arg(&self.store)
            .args(&self.args)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the SMTP peer");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = tokio::time::timeout(Duration::from_secs(20), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.trim() == "ready" {
                    return true;
                }
            }
            false
        })
        .await
        .unwrap_or(false);
        assert!(ready, "the SMTP peer did not start");
        self.child = Some(child);
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message accepted so far, raw.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.store)
            .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "eml")).collect())
            .unwrap_or_default();
        files.sort();
        files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
    }

    /// How many connections the accepted messages came on (each message's file names its client port).
    pub fn connections(&self) -> usize {
        let ports: std::collections::HashSet<String> = std::fs::read_dir(&self.store)
            .map(|d| {
                d.flatten()
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter_map(|n| Some(n.strip_suffix(".eml")?.rsplit_once("-c")?.1.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        ports.len()
    }

    /// Waits until at least `n` messages were accepted; gives them.
    pub async fn wait_for(&self, n: usize) -> Vec<Vec<u8>> {
        for _ in 0..300 {
            let all = self.messages();
            if all.len() >= n {
                return all;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the SMTP peer got {} messages, not {n}", self.messages().len());
    }
}

/// A header of a raw message.
pub fn header(raw: &[u8], name: &str) -> Option<String> {
    let mail = mailparse::parse_mail(raw).ok()?;
    mail.headers.iter().find(|h| h.get_key_ref().eq_ignore_ascii_case(name)).map(|h| h.get_value())
}

/// The first part of a raw message with this content type, decoded.
pub fn part(raw: &[u8], mimetype: &str) -> String {
    fn find(mail: &mailparse::ParsedMail, mimetype: &str) -> Option<String> {
        if mail.ctype.mimetype == mimetype {
            return mail.get_body().ok();
        }
        mail.subparts.iter().find_map(|p| find(p, mimetype))
    }
    mailparse::parse_mail(raw).ok().and_then(|m| find(&m, mimetype)).unwrap_or_default()
}
