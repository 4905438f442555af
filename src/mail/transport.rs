//! Where e-mails go: `.eml` files in the outbox folder (the default, for a laptop or a test), or an SMTP
//! server. Each message is multipart text + HTML with the Message-ID fixed when it was queued.

use std::path::PathBuf;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::outbox::OutboxMessage;

pub enum Transport {
    Files(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

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
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("SWN_SMTP_URL is not a usable SMTP address: {e}"))?
            // Enough pooled connections for the largest SWN_MAIL_CONCURRENCY.
            .pool_config(lettre::transport::smtp::PoolConfig::new().max_size(64))
            .build();
        Ok(Transport::Smtp(transport))
    }

    pub async fn send(
        &self,
        from: &Mailbox,
        reply_to: Option<&Mailbox>,
        message: &OutboxMessage,
    ) -> Result<(), SendError> {
        let email = build(from, reply_to, message).map_err(|e| SendError::Permanent(e.to_string()))?;
        match self {
            Transport::Files(t) => t.send(email).await.map(|_| ()).map_err(|e| SendError::Temporary(e.to_string())),
            Transport::Smtp(t) => t.send(email).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() { SendError::Permanent(e.to_string()) } else { SendError::Temporary(e.to_string()) }
            }),
        }
    }
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
