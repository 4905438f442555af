//! iCalendar (RFC 5545) for meetings: one meeting's `.ics`, the public feed of open meetings, a member's
//! private feed, and the invitation attached to confirmation e-mails. UIDs are stable (the meeting's id),
//! SEQUENCE rises with each change attendees must know of, cancelled meetings say STATUS:CANCELLED, and times
//! are in UTC, which every client converts correctly. Joining links never go into a calendar.

use icalendar::{Calendar, Component, EventLike, EventStatus};

use super::model::{Meeting, Mode};
use crate::App;
use crate::mail::Attachment;

/// Who the calendar is written for, and so the STATUS each event carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attending {
    /// A calendar for anyone: each meeting as it stands (confirmed, or cancelled).
    Anyone,
    /// A member's own feed: a place is CONFIRMED; a waitlist place, or a meeting they may attend but have not
    /// registered for, is TENTATIVE.
    Registered,
    Tentative,
}

/// The product that wrote the file (RFC 5545 3.7.3), not the library's name.
const PRODID: &str = "-//Smart Work Network//swn//EN";

fn event(app: &App, meeting: &Meeting, attending: Attending) -> icalendar::Event {
    let host = app.config.base_url.host_str().unwrap_or("localhost").to_string();
    let link = app.config.link(&format!("/meetings/{}", meeting.slug));
    let location = match meeting.mode() {
        Mode::Virtual => "Online (the joining link is on the meeting's page for registered attendees)".to_string(),
        _ if meeting.venue.trim().is_empty() => "To be announced".to_string(),
        _ => one_line(&meeting.venue),
    };
    let description = multi_line(&format!(
        "{}: {}\n\nDetails and registration: {link}",
        meeting.format_label(),
        plain(&meeting.summary_md)
    ));
    icalendar::Event::new()
        .uid(&format!("meeting-{}@{host}", meeting.id))
        .sequence(u32::try_from(meeting.sequence).unwrap_or(0))
        .summary(&one_line(&meeting.title))
        .description(&description)
        .starts(meeting.starts_at)
        .ends(meeting.ends_at)
        .location(&location)
        .url(&link)
        .status(match attending {
            _ if meeting.is_cancelled() => EventStatus::Cancelled,
            Attending::Anyone | Attending::Registered => EventStatus::Confirmed,
            Attending::Tentative => EventStatus::Tentative,
        })
        .done()
}

// Text people typed goes into the file as RFC 5545 TEXT. The icalendar crate escapes `\`, `;`, `,` and line
// feeds in SUMMARY, LOCATION and DESCRIPTION, but neither a carriage return nor the calendar's NAME: so every
// value passes one of these first, and nothing typed can start a line (a property, or a whole event) of its own.

/// A one-line value (a title, a venue): every line break and control character becomes a space.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// A text of several lines (a description): each line break becomes a line feed, which the crate writes as
/// `\n`; other control characters go.
fn multi_line(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n").chars().filter(|c| *c == '\n' || !c.is_control()).collect()
}

/// An escaped TEXT value (RFC 5545, 3.3.11), for the properties the crate writes as they are (the name).
fn escaped(text: &str) -> String {
    one_line(text).replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,")
}

/// Markdown without its marks, for a calendar's plain-text description.
fn plain(markdown: &str) -> String {
    markdown.replace(['*', '#', '`', '_'], "").trim().to_string()
}

/// A calendar of the given meetings, for anyone.
pub fn calendar(app: &App, name: &str, meetings: &[Meeting]) -> String {
    personal_calendar(app, name, meetings.iter().map(|m| (m, Attending::Anyone)))
}

/// A calendar whose events each say how the reader attends.
pub fn personal_calendar<'a>(
    app: &App,
    name: &str,
    meetings: impl IntoIterator<Item = (&'a Meeting, Attending)>,
) -> String {
    let mut cal = Calendar::empty();
    for (key, value) in [("VERSION", "2.0"), ("PRODID", PRODID), ("CALSCALE", "GREGORIAN"), ("METHOD", "PUBLISH")] {
        cal.append_property(icalendar::Property::new(key, value));
    }
    cal.name(&escaped(name));
    for (meeting, attending) in meetings {
        cal.push(event(app, meeting, attending));
    }
    cal.done().to_string()
}

/// The `.ics` attached to a confirmation, a promotion or a change notice.
pub fn invitation(app: &App, meeting: &Meeting) -> anyhow::Result<Attachment> {
    Ok(Attachment {
        name: "meeting.ics".into(),
        content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
        body: calendar(app, &meeting.title, std::slice::from_ref(meeting)),
    })
}

#[cfg(test)]
mod tests {
    use super::{escaped, multi_line, one_line};

    #[test]
    fn typed_text_cannot_start_a_line_of_its_own() {
        let hostile = "Talk\r\nEND:VEVENT\r\nBEGIN:VEVENT\rATTENDEE:mailto:x@evil.example\nURL:https://evil.example";
        assert!(!one_line(hostile).contains(['\r', '\n']));
        assert!(!multi_line(hostile).contains('\r'));
        assert_eq!(escaped("A; B, C\\D\nE"), "A\\; B\\, C\\\\D E");
    }
}
