//! iCalendar (RFC 5545) for meetings: one meeting's `.ics`, the public feed of open meetings, a member's
//! private feed, and the invitation attached to confirmation e-mails. UIDs are stable (the meeting's id),
//! SEQUENCE rises with each change attendees must know of, cancelled meetings say STATUS:CANCELLED, and times
//! are in UTC, which every client converts correctly. Joining links never go into a calendar.

use icalendar::{Calendar, Component, EventLike, EventStatus};

use super::model::{Meeting, Mode};
use crate::App;
use crate::mail::Attachment;

fn event(app: &App, meeting: &Meeting) -> icalendar::Event {
    let host = app.config.base_url.host_str().unwrap_or("localhost").to_string();
    let link = app.config.link(&format!("/meetings/{}", meeting.slug));
    let location = match meeting.mode() {
        Mode::Virtual => "Online (the joining link is on the meeting's page for registered attendees)".to_string(),
        _ if meeting.venue.is_empty() => "To be announced".to_string(),
        _ => meeting.venue.clone(),
    };
    let description =
        format!("{}: {}\n\nDetails and registration: {link}", meeting.format_label(), plain(&meeting.summary_md));
    icalendar::Event::new()
        .uid(&format!("meeting-{}@{host}", meeting.id))
        .sequence(u32::try_from(meeting.sequence).unwrap_or(0))
        .summary(&meeting.title)
        .description(&description)
        .starts(meeting.starts_at)
        .ends(meeting.ends_at)
        .location(&location)
        .url(&link)
        .status(if meeting.is_cancelled() { EventStatus::Cancelled } else { EventStatus::Confirmed })
        .done()
}

/// Markdown without its marks, for a calendar's plain-text description.
fn plain(markdown: &str) -> String {
    markdown.replace(['*', '#', '`', '_'], "").trim().to_string()
}

/// A calendar of the given meetings.
pub fn calendar(app: &App, name: &str, meetings: &[Meeting]) -> String {
    let mut cal = Calendar::new();
    cal.name(name);
    cal.append_property(icalendar::Property::new("METHOD", "PUBLISH"));
    for meeting in meetings {
        cal.push(event(app, meeting));
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
