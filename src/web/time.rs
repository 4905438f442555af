//! Times are stored in UTC and shown, and typed, in the network's time zone.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// "23 November 2026"
pub fn date(t: DateTime<Utc>, tz: Tz) -> String {
    let mut out = String::with_capacity(17);
    push_day_month_year(&mut out, t.with_timezone(&tz).date_naive());
    out
}

/// Appends "23 November 2026", written out digit by digit rather than through chrono's `format` (which parses its
/// pattern anew on each call) or `format!`: the topic page shows a time per post, and formatting them was 3 to 4%
/// of its CPU in profiles (issue 22).
fn push_day_month_year(out: &mut String, d: NaiveDate) {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    if d.day() >= 10 {
        push_digit(out, d.day() / 10);
    }
    push_digit(out, d.day() % 10);
    out.push(' ');
    out.push_str(MONTHS[d.month0() as usize]);
    out.push(' ');
    // Shown years are within `YEARS` (four digits); any other is written by `Display` all the same.
    match u32::try_from(d.year()) {
        Ok(y) if (1000..=9999).contains(&y) => {
            push_two_digits(out, y / 100);
            push_two_digits(out, y % 100);
        }
        _ => out.push_str(&format!("{:04}", d.year())),
    }
}

/// Appends one decimal digit (`n` below 10).
fn push_digit(out: &mut String, n: u32) {
    out.push(char::from_digit(n, 10).unwrap_or('0'));
}

/// Appends `n` (below 100) as two digits.
fn push_two_digits(out: &mut String, n: u32) {
    push_digit(out, n / 10);
    push_digit(out, n % 10);
}

/// "23 November 2026, 14:30"
pub fn date_time(t: DateTime<Utc>, tz: Tz) -> String {
    let local = t.with_timezone(&tz);
    let mut out = String::with_capacity(24);
    push_day_month_year(&mut out, local.date_naive());
    out.push_str(", ");
    push_two_digits(&mut out, local.hour());
    out.push(':');
    push_two_digits(&mut out, local.minute());
    out
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

/// The first moment of the month after `now`'s, in the network's time zone ("memberships ending this month").
pub fn start_of_next_month(now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let local = now.with_timezone(&tz).date_naive();
    let (year, month) = if local.month() == 12 { (local.year() + 1, 1) } else { (local.year(), local.month() + 1) };
    let first = NaiveDate::from_ymd_opt(year, month, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
    first.and_then(|f| tz.from_local_datetime(&f).earliest()).map_or(now, |t| t.with_timezone(&Utc))
}

/// Whole days from `since` to `now` ("waited 4 days").
pub fn days_between(since: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - since).num_days().max(0)
}

/// "1 day", "4 days"
pub fn days(n: i64) -> String {
    if n == 1 { "1 day".into() } else { format!("{n} days") }
}

/// A moment as an HTML `<time datetime>` value: UTC to the second (the Nu checker refuses nanoseconds).
pub fn machine(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_chronos_pattern_wrote_them() {
        let tz: Tz = "Europe/London".parse().unwrap_or(chrono_tz::UTC);
        let days = [(2026, 11, 23, 14, 30), (2026, 7, 1, 23, 5), (1900, 1, 9, 0, 0), (9999, 12, 31, 9, 59)];
        let firsts = (1..=12).map(|month| (2027, month, 1, 12, 0));
        for (y, m, d, h, min) in days.into_iter().chain(firsts) {
            let t = Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap();
            let local = t.with_timezone(&tz);
            assert_eq!(date_time(t, tz), local.format("%-d %B %Y, %H:%M").to_string());
            assert_eq!(date(t, tz), local.format("%-d %B %Y").to_string());
        }
        assert_eq!(date_time(Utc.with_ymd_and_hms(2026, 7, 1, 23, 5, 0).unwrap(), tz), "2 July 2026, 00:05");
    }

    #[test]
    fn next_month_begins_in_the_networks_time_zone() {
        let tz: Tz = "Europe/London".parse().unwrap_or(chrono_tz::UTC);
        let late_june = Utc.with_ymd_and_hms(2026, 6, 30, 23, 30, 0).unwrap(); // 00:30 on 1 July in London
        assert_eq!(start_of_next_month(late_june, tz).to_rfc3339(), "2026-07-31T23:00:00+00:00");
        let december = Utc.with_ymd_and_hms(2026, 12, 15, 12, 0, 0).unwrap();
        assert_eq!(start_of_next_month(december, tz).to_rfc3339(), "2027-01-01T00:00:00+00:00");
    }

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
