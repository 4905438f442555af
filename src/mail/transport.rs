//! Where e-mails go: `.eml` files in the outbox folder (the default, for a laptop or a test), or an SMTP
//! server. Each message is multipart text + HTML with the Message-ID fixed when it was queued.
//!
//! For `smtp://` (plain or STARTTLS) each delivery lane keeps its own connection, opened by us with
//! `TCP_NODELAY`: lettre 0.11 opens its sockets without it, so the last bytes of every message waited out the
//! server's 40 ms delayed ACK (BENCHMARKS.md). lettre still speaks SMTP, TLS and AUTH on our socket. `smtps://`
//! (TLS from the first byte) keeps lettre's own pooled connections.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::outbox::OutboxMessage;

pub enum Transport {
    Files(AsyncFileTransport<Tokio1Executor>),
    /// `smtp://`: a connection per lane (see `Lane`).
    Smtp(SmtpServer),
    /// `smtps://`: lettre's pool.
    Smtps(AsyncSmtpTransport<Tokio1Executor>),
}

/// How to reach an `smtp://` server, read from `SWN_SMTP_URL` as lettre reads it: `?tls=required` or
/// `?tls=opportunistic` for STARTTLS (port 587 by default, else 25), user and password percent-encoded.
pub struct SmtpServer {
    host: String,
    port: u16,
    starttls: Option<StartTls>,
    credentials: Option<Credentials>,
    hello: ClientId,
}

struct StartTls {
    parameters: TlsParameters,
    required: bool,
}

/// How long one step with the mail server may take (connecting, or one message), as lettre's default.
const SMTP_TIMEOUT: Duration = Duration::from_secs(60);

/// A connection unused for longer is checked (NOOP) before the next message: servers close idle ones.
const IDLE_CHECK: Duration = Duration::from_secs(20);

/// The longest wait for a NOOP's answer or a goodbye (QUIT): within the second of the shutdown's grace
/// (`jobs::CLOSING` allows 3 s), and a connection that does not answer is simply dropped.
const GOODBYE: Duration = Duration::from_secs(1);

/// How a delivery went wrong: worth another try later, or never.
#[derive(Debug)]
pub enum SendError {
    Temporary(String),
    Permanent(String),
}

impl Transport {
    pub fn files(dir: PathBuf) -> std::io::Result<Transport> {
        std::fs::create_dir_all(&dir)?;
        Ok(Transport::Files(AsyncFileTransport::new(dir)))
    }

    pub fn smtp(url: &str) -> anyhow::Result<Transport> {
        let unusable = |e: &dyn std::fmt::Display| anyhow::anyhow!("SWN_SMTP_URL is not a usable SMTP address: {e}");
        // lettre checks the address as it always has; an `smtp://` one is then read into our own settings.
        let pooled = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| unusable(&e))?;
        let parsed = url::Url::parse(url).map_err(|e| unusable(&e))?;
        if parsed.scheme() != "smtp" {
            // Enough pooled connections for the largest SWN_MAIL_CONCURRENCY.
            let pool = lettre::transport::smtp::PoolConfig::new().max_size(64);
            return Ok(Transport::Smtps(pooled.pool_config(pool).build()));
        }
        let host = parsed.host_str().ok_or_else(|| unusable(&"no host"))?.to_string();
        let tls = parsed.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let starttls = match tls.as_deref() {
            None => None,
            Some(mode) => Some(StartTls {
                parameters: TlsParameters::new(host.clone()).map_err(|e| unusable(&e))?,
                required: mode == "required",
            }),
        };
        let port = parsed.port().unwrap_or(if starttls.is_some() { 587 } else { 25 });
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8().map(|s| s.into_owned());
        let credentials = match parsed.password() {
            Some(password) => Some(Credentials::new(
                decode(parsed.username()).map_err(|e| unusable(&e))?,
                decode(password).map_err(|e| unusable(&e))?,
            )),
            None => None,
        };
        let hello = match parsed.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_string()),
        };
        Ok(Transport::Smtp(SmtpServer { host, port, starttls, credentials, hello }))
    }

    /// A way for one delivery lane to send, one message after another.
    pub fn lane(&self) -> Lane<'_> {
        Lane { transport: self, connection: None }
    }
}

/// One lane's messages: over `smtp://` on one connection, kept open while there is mail to send.
pub struct Lane<'t> {
    transport: &'t Transport,
    /// The open connection and when it was last used.
    connection: Option<(AsyncSmtpConnection, Instant)>,
}

impl Lane<'_> {
    pub async fn send(
        &mut self,
        from: &Mailbox,
        reply_to: Option<&Mailbox>,
        message: &OutboxMessage,
    ) -> Result<(), SendError> {
        let email = build(from, reply_to, message).map_err(|e| SendError::Permanent(e.to_string()))?;
        match self.transport {
            Transport::Files(t) => t.send(email).await.map(|_| ()).map_err(|e| SendError::Temporary(e.to_string())),
            Transport::Smtps(t) => t.send(email).await.map(|_| ()).map_err(|e| refusal(&e)),
            Transport::Smtp(server) => {
                let connection = self.connection(server).await?;
                let sent = tokio::time::timeout(SMTP_TIMEOUT, connection.send(email.envelope(), &email.formatted()))
                    .await
                    .map_err(|_| SendError::Temporary("the mail server did not answer in time".into()))
                    .and_then(|sent| sent.map_err(|e| refusal(&e)));
                match sent {
                    Ok(_) => {
                        if let Some((_, used)) = &mut self.connection {
                            *used = Instant::now();
                        }
                        Ok(())
                    }
                    Err(e) => {
                        // Whatever the refusal, the conversation may be mid-transaction: start afresh. The goodbye
                        // is bounded: a server that stopped answering mid-message would never answer it.
                        if let Some((mut connection, _)) = self.connection.take() {
                            let _ = tokio::time::timeout(GOODBYE, connection.abort()).await;
                        }
                        Err(e)
                    }
                }
            }
        }
    }

    /// The lane's connection, opened (or re-opened) as needed. A failure here is the server's or the settings',
    /// never the recipient's, so it is always temporary (and never counts against the address).
    async fn connection(&mut self, server: &SmtpServer) -> Result<&mut AsyncSmtpConnection, SendError> {
        let usable = match &mut self.connection {
            Some((connection, used)) => {
                !connection.has_broken()
                    && (used.elapsed() < IDLE_CHECK
                        || tokio::time::timeout(GOODBYE, connection.test_connected()).await.unwrap_or(false))
            }
            None => false,
        };
        if !usable {
            let opened = tokio::time::timeout(SMTP_TIMEOUT, server.connect())
                .await
                .map_err(|_| SendError::Temporary("the mail server did not answer in time".into()))??;
            self.connection = Some((opened, Instant::now()));
        }
        match &mut self.connection {
            Some((connection, _)) => Ok(connection),
            None => Err(SendError::Temporary("no connection".into())),
        }
    }

    /// Says goodbye to the server when the lane is done.
    pub async fn close(mut self) {
        if let Some((mut connection, _)) = self.connection.take() {
            let _ = tokio::time::timeout(GOODBYE, connection.quit()).await;
        }
    }
}

impl SmtpServer {
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let temporary = |e: &dyn std::fmt::Display| SendError::Temporary(format!("connecting to the mail server: {e}"));
        let socket =
            tokio::net::TcpStream::connect((self.host.as_str(), self.port)).await.map_err(|e| temporary(&e))?;
        socket.set_nodelay(true).map_err(|e| temporary(&e))?;
        let mut connection = AsyncSmtpConnection::connect_with_transport(Box::new(socket), &self.hello)
            .await
            .map_err(|e| temporary(&e))?;
        if let Some(tls) = &self.starttls
            && (tls.required || connection.can_starttls())
        {
            connection.starttls(tls.parameters.clone(), &self.hello).await.map_err(|e| temporary(&e))?;
        }
        if let Some(credentials) = &self.credentials {
            connection.auth(DEFAULT_MECHANISMS, credentials).await.map_err(|e| temporary(&e))?;
        }
        Ok(connection)
    }
}

/// The server's answer to a message: a 5xx is for good, anything else worth another try.
fn refusal(e: &lettre::transport::smtp::Error) -> SendError {
    if e.is_permanent() { SendError::Permanent(e.to_string()) } else { SendError::Temporary(e.to_string()) }
}

fn build(from: &Mailbox, reply_to: Option<&Mailbox>, message: &OutboxMessage) -> anyhow::Result<Message> {
    let to: Mailbox = message.to_address.parse()?;
    let body = MultiPart::alternative_plain_html(message.text_body.clone(), message.html_body.clone());
    let body = match (&message.attachment_name, &message.attachment_type, &message.attachment) {
        (Some(name), Some(content_type), Some(content)) => MultiPart::mixed()
            .multipart(body)
            .singlepart(Attachment::new(name.clone()).body(content.clone(), ContentType::parse(content_type)?)),
        _ => body,
    };
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(message.subject.clone())
        .message_id(Some(message.message_id.clone()))
        .date(message.created_at.into());
    if let Some(reply_to) = reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    if let Some(url) = &message.list_unsubscribe {
        builder = builder
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{url}>")))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    Ok(builder.multipart(body)?)
}

#[cfg(test)]
mod tests {
    use super::Transport;

    fn server(url: &str) -> super::SmtpServer {
        match Transport::smtp(url).unwrap() {
            Transport::Smtp(server) => server,
            _ => panic!("{url} is read as smtp://"),
        }
    }

    // A runtime, since lettre's pool (for `smtps://`) starts its own task.
    #[tokio::test]
    async fn smtp_addresses_are_read_as_lettre_reads_them() {
        let plain = server("smtp://127.0.0.1:2525");
        assert_eq!((plain.host.as_str(), plain.port), ("127.0.0.1", 2525));
        assert!(plain.starttls.is_none() && plain.credentials.is_none());
        assert_eq!(server("smtp://mail.example.org").port, 25);

        let submission = server("smtp://swn%40example.org:p%2Fss@mail.example.org/relay.example.org?tls=required");
        assert_eq!(submission.port, 587);
        assert!(submission.starttls.as_ref().is_some_and(|t| t.required));
        assert!(submission.credentials.is_some());
        assert_eq!(submission.hello.to_string(), "relay.example.org");
        assert!(!server("smtp://mail.example.org?tls=opportunistic").starttls.unwrap().required);

        assert!(matches!(Transport::smtp("smtps://mail.example.org"), Ok(Transport::Smtps(_))));
        assert!(Transport::smtp("ftp://mail.example.org").is_err());
        assert!(Transport::smtp("smtp://mail.example.org?tls=sometimes").is_err());
    }
}
