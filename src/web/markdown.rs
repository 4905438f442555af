//! Text people write is Markdown, rendered once when saved and stored beside its source as sanitised HTML.

use pulldown_cmark::{Options, Parser, html};

/// CommonMark (with tables and strikethrough) to HTML that keeps only safe tags, and links only to
/// http, https and mailto addresses.
pub fn to_safe_html(markdown: &str) -> String {
    sanitised(markdown, None)
}

/// As `to_safe_html`, keeping no image: for private messages, where an image from elsewhere would tell its
/// sender when (and whether) the message was read.
pub fn to_safe_html_without_images(markdown: &str) -> String {
    let html = sanitised(markdown, None);
    let mut cleaner = ammonia::Builder::default();
    cleaner.rm_tags(["img"]).link_rel(Some("noopener noreferrer nofollow"));
    cleaner.clean(&html).to_string()
}

/// As `to_safe_html`, for an e-mail: a link to a page of the site (`/library`) is made absolute with the
/// site's address, since a mail client has no page to read it against.
pub fn to_email_html(markdown: &str, base: &url::Url) -> String {
    sanitised(markdown, Some(base))
}

fn sanitised(markdown: &str, base: Option<&url::Url>) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    let mut raw = String::new();
    html::push_html(&mut raw, parser);
    let mut cleaner = ammonia::Builder::default();
    cleaner
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"));
    if let Some(base) = base {
        cleaner.url_relative(ammonia::UrlRelative::RewriteWithBase(base.clone()));
    }
    cleaner.clean(&raw).to_string()
}

/// Markdown as plain text, for a snippet or a summary: the words without the marks.
pub fn to_plain(markdown: &str) -> String {
    plain(markdown, None)
}

/// Markdown as the text part of an e-mail: paragraphs apart, and each link's address kept after its words
/// ("the guide <https://...>"), made absolute with the site's address.
pub fn to_email_text(markdown: &str, base: &url::Url) -> String {
    plain(markdown, Some(base))
}

fn plain(markdown: &str, links: Option<&url::Url>) -> String {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let apart = if links.is_some() { "\n\n" } else { "\n" };
    let mut out = String::new();
    let mut link: Option<(String, usize)> = None;
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Heading(_)) => out.push_str(apart),
            Event::End(TagEnd::Item) => out.push('\n'),
            Event::Start(Tag::Item) => out.push_str("- "),
            // An e-mail's text part names an image by its description, where the picture stands.
            Event::Start(Tag::Image { .. }) if links.is_some() => out.push_str("[Image: "),
            Event::End(TagEnd::Image) if links.is_some() => out.push(']'),
            Event::Start(Tag::Link { dest_url, .. }) => link = Some((dest_url.to_string(), out.len())),
            Event::End(TagEnd::Link) => {
                if let (Some(base), Some((dest, start))) = (links, link.take()) {
                    let address = base.join(&dest).ok().filter(|u| matches!(u.scheme(), "http" | "https" | "mailto"));
                    // An address written as its own words (an autolink) is not repeated.
                    if let Some(address) =
                        address.map(String::from).filter(|a| out[start..] != *a && out[start..] != dest)
                    {
                        out.push_str(&format!(" <{address}>"));
                    }
                }
            }
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A newsletter's links work in every mail client: absolute in the HTML part, kept in the text part.
    #[test]
    fn links_in_e_mails_are_absolute_and_kept_in_the_text() {
        let base = url::Url::parse("https://network.example.org/").unwrap();
        let intro =
            "Read [the library](/library) and [the guide](https://example.org/guide).\n\nSee <https://example.org/x>.";
        let html = to_email_html(intro, &base);
        assert!(html.contains(r#"href="https://network.example.org/library""#), "{html}");
        assert!(html.contains(r#"href="https://example.org/guide""#), "{html}");
        let text = to_email_text(intro, &base);
        assert_eq!(
            text,
            "Read the library <https://network.example.org/library> and the guide <https://example.org/guide>.\n\nSee https://example.org/x."
        );
        assert!(!to_email_text("[x](javascript:alert(1))", &base).contains("javascript"));
    }

    #[test]
    fn renders_and_sanitises() {
        let html = to_safe_html(
            "# Hello\n\n**bold** <script>alert(1)</script> [x](javascript:alert(1)) [y](https://example.org)",
        );
        assert!(html.contains("<h1>Hello</h1>"));
        assert!(html.contains("<strong>bold</strong>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("javascript:"));
        assert!(html.contains("href=\"https://example.org\""));
    }
}
