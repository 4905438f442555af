//! Times are stored in UTC and shown, and typed, in the network's time zone.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// "23 November 2026"
pub fn date(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%-d %B %Y").to_string()
}

/// "23 November 2026, 14:30"
pub fn date_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%-d %B %Y, %H:%M").to_string()
}

/// The value of an `<input type="datetime-local">`: "2026-11-23T14:30".
pub fn input_value(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

/// The years a typed date may fall in: both engines store them, and every calendar and API reader reads them
/// (PostgreSQL refuses years before 4713 BC; RFC 3339 has four-digit years).
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;

/// Whether a date is inside `YEARS`.
pub fn in_range(date: NaiveDate) -> bool {
    YEARS.contains(&date.year())
}

/// Reads a `datetime-local` value typed in the network's time zone. In the hour clocks go back, the earlier
/// of the two moments is meant; a time skipped when clocks go forward is refused, and so is a year outside
/// `YEARS`.
pub fn parse_input(value: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let value = value.trim();
    let naive = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .ok()
        .filter(|n| in_range(n.date()))?;
    tz.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc))
}

/// A moment as an HTML `<time datetime>` value: UTC to the second (the Nu checker refuses nanoseconds).
pub fn machine(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn london_summer_and_winter() {
        let tz: Tz = "Europe/London".parse().unwrap_or(chrono_tz::UTC);
        let summer = parse_input("2026-07-01T10:00", tz).map(|t| t.to_rfc3339());
        assert_eq!(summer.as_deref(), Some("2026-07-01T09:00:00+00:00"));
        let winter = parse_input("2026-12-01T10:00", tz).map(|t| t.to_rfc3339());
        assert_eq!(winter.as_deref(), Some("2026-12-01T10:00:00+00:00"));
        assert!(parse_input("2026-03-29T01:30", tz).is_none(), "skipped hour");
        assert!(parse_input("yesterday", tz).is_none());
        assert!(parse_input("-5000-01-01T10:00", tz).is_none(), "before PostgreSQL's first year");
        assert!(parse_input("1899-12-31T23:59", tz).is_none());
        assert!(parse_input("+12026-01-01T10:00", tz).is_none());
        assert!(parse_input("1900-01-01T00:00", tz).is_some());
    }
}
