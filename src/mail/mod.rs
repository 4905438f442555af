//! Mail: the outbox every e-mail goes through, the worker that delivers it, and the messages themselves.

pub mod consent;
pub mod links;
pub mod messages;
pub mod outbox;
pub mod suppression;
pub mod transport;
pub mod worker;

pub use consent::{Category, Kind};
pub use outbox::{Attachment, Email};

use crate::App;
use crate::db::Tx;
use links::LinkPurpose;

/// ", or reply to this e-mail" where replies reach someone (`SWN_MAIL_REPLY_TO` is set), else nothing: no
/// e-mail asks for a reply that cannot arrive.
pub fn or_reply(app: &App) -> &'static str {
    if app.config.mail_reply_to.is_some() { ", or reply to this e-mail" } else { "" }
}

/// Queues an e-mail in the caller's transaction, if its kind may go to its address (`consent::allows`, the
/// one place e-mail choices are honoured); the worker is woken once the caller commits. Gives whether it was
/// queued.
pub async fn queue(app: &App, tx: &mut Tx, kind: Kind, email: &Email) -> Result<bool, sqlx::Error> {
    if !consent::allows(tx, kind, &email.to).await? {
        return Ok(false);
    }
    let priority = match kind {
        Kind::Transactional => outbox::Priority::Transactional,
        Kind::Chosen(_) => outbox::Priority::Chosen,
    };
    outbox::enqueue(tx, &with_footer(app, email), &mail_domain(app), None, priority).await?;
    Ok(true)
}

/// Queues the copies of one chunk of a bulk send (a newsletter) in the caller's transaction, each under its
/// batch and a key unique in it, so queueing it again adds nothing; the same consent rule as `queue`, asked
/// once for the whole chunk. Gives how many copies were new in the outbox.
pub async fn queue_bulk(
    app: &App,
    tx: &mut Tx,
    kind: Kind,
    batch: &str,
    copies: &[(Email, String)],
) -> Result<usize, sqlx::Error> {
    let addresses: Vec<&str> = copies.iter().map(|(email, _)| email.to.as_str()).collect();
    let allowed = consent::allowed(tx, kind, &addresses).await?;
    let domain = mail_domain(app);
    let mut queued = 0;
    for (email, key) in copies.iter().filter(|(email, _)| allowed.contains(&email.to.to_lowercase())) {
        queued += usize::from(
            outbox::enqueue(tx, &with_footer(app, email), &domain, Some((batch, key)), outbox::Priority::Bulk)
                .await?
                .is_some(),
        );
    }
    Ok(queued)
}

/// The domain of Message-IDs: the site's host.
pub fn mail_domain(app: &App) -> String {
    app.config.base_url.host_str().unwrap_or("localhost").to_string()
}

/// The path of an address's e-mail preferences, which open without signing in.
pub fn preferences_path(app: &App, address: &str) -> String {
    format!("/email/{}", app.signing_key.sign(&LinkPurpose::Preferences, address))
}

/// The same as an absolute link, for e-mails.
pub fn preferences_link(app: &App, address: &str) -> String {
    app.config.link(&preferences_path(app, address))
}

/// The one-click address that stops one category of e-mail to `address` (RFC 8058).
pub fn unsubscribe_link(app: &App, address: &str, category: Category) -> String {
    signed_unsubscribe(app, address, category, None)
}

/// The same for a copy of one newsletter issue: the unsubscribe it brings is counted in the issue's report.
pub fn issue_unsubscribe_link(app: &App, address: &str, issue_id: &str) -> String {
    signed_unsubscribe(app, address, Category::Newsletter, Some(issue_id))
}

fn signed_unsubscribe(app: &App, address: &str, category: Category, issue: Option<&str>) -> String {
    let purpose = LinkPurpose::Unsubscribe { category: category.key().into(), issue: issue.map(str::to_string) };
    app.config.link(&format!("/unsubscribe/{}", app.signing_key.sign(&purpose, address)))
}

/// Every e-mail ends with a link to the recipient's preferences (and, for bulk mail, says how to stop it):
/// added here, where every e-mail passes, so no message can forget it.
pub fn with_footer(app: &App, email: &Email) -> Email {
    let preferences = preferences_link(app, &email.to);
    let mut email = email.clone();
    email.text = format!("{}\n\nChoose which e-mails you get: {preferences}\n", email.text.trim_end());
    let mut footer = format!(
        "<p style=\"margin:16px 0 0;font-size:13px;color:#4a5866;text-align:center;\">\
         <a href=\"{}\" style=\"color:#14507a;\">Choose which e-mails you get</a>",
        escape_attr(&preferences)
    );
    if let Some(unsubscribe) = &email.list_unsubscribe {
        footer
            .push_str(&format!(" · <a href=\"{}\" style=\"color:#14507a;\">Unsubscribe</a>", escape_attr(unsubscribe)));
        email.text.push_str(&format!("Unsubscribe: {unsubscribe}\n"));
    }
    footer.push_str("</p>\n");
    email.html = match email.html.rfind("</body>") {
        Some(at) => format!("{}{footer}{}", &email.html[..at], &email.html[at..]),
        None => format!("{}{footer}", email.html),
    };
    email
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}
