//! The templates' own filters (askama looks for `filters::name` beside the template's struct: `use
//! crate::web::filters;`).

use std::fmt;

use askama::filters::{Escaper, Html, HtmlSafe};

/// `{{ post.id|id }}`: an identifier (a row's id, a slug) for an attribute or a path.
///
/// Every id we make is hex digits (`db::new_id`) and slugs are letters, digits and '-', which need no escaping,
/// so it is written as it is after one check of its bytes; anything else is escaped as askama would. A topic
/// page writes about ten ids for each of its 50 posts, and askama's escaper, which looks at one byte at a time, was a
/// tenth of the page's CPU (issue 22).
pub fn id<'a>(value: &'a str, _: &dyn askama::Values) -> askama::Result<Id<'a>> {
    Ok(Id(value))
}

pub struct Id<'a>(&'a str);

impl fmt::Display for Id<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A fold rather than `all`: no early exit, so the compiler checks many bytes at once.
        let plain =
            self.0.bytes().fold(true, |plain, b| plain & (b.is_ascii_alphanumeric() | (b == b'-') | (b == b'_')));
        if plain { f.write_str(self.0) } else { Html.write_escaped_str(f, self.0) }
    }
}

// What `fmt` writes needs no more escaping.
impl HtmlSafe for Id<'_> {}

#[cfg(test)]
mod tests {
    use super::Id;

    #[test]
    fn ids_are_written_as_they_are_and_anything_else_escaped() {
        assert_eq!(Id("0f9a3c1e-4b2d_Z").to_string(), "0f9a3c1e-4b2d_Z");
        assert_eq!(Id("a\"><script>&'").to_string(), "a&#34;&#62;&#60;script&#62;&#38;&#39;");
        assert_eq!(Id("").to_string(), "");
    }

    #[test]
    fn a_template_writes_an_id_through_the_filter_unescaped_and_anything_else_escaped() {
        use crate::web::filters;
        use askama::Template;

        #[derive(Template)]
        #[template(source = "<a href=\"/p/{{ id|id }}\">", ext = "html")]
        struct Link<'a> {
            id: &'a str,
        }
        assert_eq!(Link { id: "abc-123" }.render().unwrap(), "<a href=\"/p/abc-123\">");
        assert_eq!(Link { id: "a\"b" }.render().unwrap(), "<a href=\"/p/a&#34;b\">");
    }
}
