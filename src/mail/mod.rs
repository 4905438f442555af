//! Mail: the outbox every e-mail goes through, the worker that delivers it, and the messages themselves.

pub mod messages;
pub mod newsletter_routes;
pub mod newsletters;
pub mod outbox;
pub mod transport;
pub mod worker;

pub use outbox::{Attachment, Email};

use crate::App;
use crate::db::Tx;

/// Queues an e-mail in the caller's transaction; the worker is woken once the caller commits.
pub async fn queue(app: &App, tx: &mut Tx, email: &Email) -> Result<(), sqlx::Error> {
    let domain = app.config.base_url.host_str().unwrap_or("localhost").to_string();
    outbox::enqueue(tx, email, &domain).await?;
    Ok(())
}
