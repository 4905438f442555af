//! The e-mails the platform writes. Each has a text and an HTML template under `templates/mail/`.

use askama::Template;

use super::Email;

#[derive(Template)]
#[template(path = "mail/password_reset.txt")]
struct PasswordResetText<'a> {
    name: &'a str,
    link: &'a str,
    hours: i64,
    site_name: &'a str,
}

#[derive(Template)]
#[template(path = "mail/password_reset.html")]
struct PasswordResetHtml<'a> {
    name: &'a str,
    link: &'a str,
    hours: i64,
    site_name: &'a str,
}

/// `site`: the network's name (its `title`).
pub fn password_reset(site: &str, to: &str, name: &str, link: &str, hours: i64) -> Result<Email, askama::Error> {
    Ok(Email {
        to: to.to_string(),
        subject: format!("Set a new password for the {site}"),
        text: PasswordResetText { name, link, hours, site_name: site }.render()?,
        html: PasswordResetHtml { name, link, hours, site_name: site }.render()?,
        attachment: None,
        list_unsubscribe: None,
    })
}

#[derive(Template)]
#[template(path = "mail/notice.txt")]
struct NoticeText<'a> {
    name: &'a str,
    paragraphs: &'a [String],
    links: &'a [(&'a str, &'a str)],
    site_name: &'a str,
}

#[derive(Template)]
#[template(path = "mail/notice.html")]
struct NoticeHtml<'a> {
    name: &'a str,
    paragraphs: &'a [String],
    links: &'a [(&'a str, &'a str)],
    site_name: &'a str,
}

/// A personal notice: a greeting, a few paragraphs (an empty one is left out), and at most one link with its
/// label.
pub fn notice(
    site: &str,
    to: &str,
    name: &str,
    subject: &str,
    paragraphs: &[String],
    link: Option<(&str, &str)>,
) -> Result<Email, askama::Error> {
    notice_with_links(site, to, name, subject, paragraphs, link.as_slice())
}

/// A notice with several links (labels and addresses). In the HTML part each is a button under a short label,
/// never a bare address (a long one makes the message wider than a phone); the text part keeps each address.
pub fn notice_with_links(
    site: &str,
    to: &str,
    name: &str,
    subject: &str,
    paragraphs: &[String],
    links: &[(&str, &str)],
) -> Result<Email, askama::Error> {
    let paragraphs: &[String] = &paragraphs.iter().filter(|p| !p.is_empty()).cloned().collect::<Vec<_>>();
    Ok(Email {
        to: to.to_string(),
        subject: subject.to_string(),
        text: NoticeText { name, paragraphs, links, site_name: site }.render()?,
        html: NoticeHtml { name, paragraphs, links, site_name: site }.render()?,
        attachment: None,
        list_unsubscribe: None,
    })
}
