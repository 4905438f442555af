//! SQLite's inline read path (issue 22): the hottest reads (`fetch_all_inline!`, `fetch_optional_inline!`) run
//! on a plain rusqlite connection on the request's own thread.
//!
//! sqlx's SQLite driver runs each connection on a worker thread of its own and hands every query to it and every
//! row back: on the topic page about a third of the CPU went to the kernel switching threads. A read of a few
//! rows from SQLite's page cache takes tens of microseconds, less than the hand-off, so blocking the request's
//! thread for it costs less than waiting for another. Writes, transactions and long reads (search) stay on sqlx.
//!
//! The SQL is the same text the sqlx path runs (PostgreSQL, and a database in memory, take that path): `$N`
//! placeholders are bound by their number as sqlx binds them, and values are bound and read as sqlx stores them
//! (times as RFC 3339 text, booleans as integers). A row type reads its columns in the order the SELECT gives
//! them (`inline_row!`); debug builds, so every test, check each column's name.

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, OpenFlags, Statement};
pub use rusqlite::{Result as RowResult, Row};

/// Connections kept open between reads; more are opened while more threads read at once, and closed after.
const KEPT: usize = 8;

/// The most rows a read takes inline (`Db::reading`); longer reads go through sqlx.
pub const MOST_ROWS: i64 = 100;

/// Reader connections to one SQLite file, each taken by one read at a time.
#[derive(Debug)]
pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    pub fn new(path: PathBuf) -> Readers {
        Readers { path, idle: Mutex::new(Vec::new()) }
    }

    /// Closes the idle connections (with the pool, when the database is closed): the last connection to close
    /// checkpoints the write-ahead log.
    pub fn close(&self) {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    /// All rows of `sql` with `args` bound to `$1`, `$2`, ...
    pub fn all<T: Read>(&self, sql: &str, args: &[&dyn Param]) -> Result<Vec<T>, sqlx::Error> {
        self.with(|connection| {
            let mut statement = prepared::<T>(connection, sql, args)?;
            let mut rows = statement.raw_query();
            let mut all = Vec::new();
            while let Some(row) = rows.next()? {
                all.push(T::read(row, 0)?);
            }
            Ok(all)
        })
    }

    /// The first row of `sql`, if any.
    pub fn optional<T: Read>(&self, sql: &str, args: &[&dyn Param]) -> Result<Option<T>, sqlx::Error> {
        self.with(|connection| {
            let mut statement = prepared::<T>(connection, sql, args)?;
            let mut rows = statement.raw_query();
            rows.next()?.map(|row| T::read(row, 0)).transpose()
        })
    }

    fn with<R>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<R>) -> Result<R, sqlx::Error> {
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let connection = match idle {
            Some(connection) => connection,
            None => self.open().map_err(failed)?,
        };
        let outcome = read(&connection);
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < KEPT {
            idle.push(connection);
        }
        outcome.map_err(failed)
    }

    /// A connection to the existing file that cannot write (`query_only`). Opened read-write all the same: a
    /// read-only connection cannot create the write-ahead log's shared-memory file when it is missing.
    fn open(&self) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.path, flags)?;
        connection.busy_timeout(super::BUSY_TIMEOUT)?;
        connection.pragma_update(None, "query_only", true)?;
        connection.set_prepared_statement_cache_capacity(64);
        Ok(connection)
    }
}

/// A rusqlite error as the store functions report errors: a value or column it could not read as a decoding
/// error, as sqlx reports one; anything else from SQLite as an I/O error.
fn failed(err: rusqlite::Error) -> sqlx::Error {
    match err {
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::InvalidColumnName(_)
        | rusqlite::Error::IntegralValueOutOfRange(..) => sqlx::Error::Decode(Box::new(err)),
        err => sqlx::Error::Io(std::io::Error::other(err)),
    }
}

/// `sql` prepared (kept on its connection) with `args` bound: `$N` takes the Nth argument, as in sqlx.
fn prepared<'c, T: Read>(
    connection: &'c Connection,
    sql: &str,
    args: &[&dyn Param],
) -> rusqlite::Result<rusqlite::CachedStatement<'c>> {
    // Reported as sqlx reports its statements, at the debug level (a test counts a page's queries by them).
    tracing::debug!(target: "swn::db::inline", { db.statement = sql }, "inline read");
    let mut statement = connection.prepare_cached(sql)?;
    for index in 1..=statement.parameter_count() {
        let name = statement.parameter_name(index).unwrap_or_default();
        let number = name
            .strip_prefix('$')
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| rusqlite::Error::InvalidParameterName(name.to_string()))?;
        let arg = number
            .checked_sub(1)
            .and_then(|i| args.get(i))
            .ok_or(rusqlite::Error::InvalidParameterCount(number, args.len()))?;
        statement.raw_bind_parameter(index, arg.value())?;
    }
    if cfg!(debug_assertions) {
        check_columns::<T>(&statement)?;
    }
    Ok(statement)
}

/// Whether the statement's columns are the row type's, in its order.
fn check_columns<T: Read>(statement: &Statement<'_>) -> rusqlite::Result<()> {
    let given = statement.column_names();
    let wanted = T::columns();
    if given != wanted {
        return Err(rusqlite::Error::InvalidColumnName(format!(
            "{} reads the columns {wanted:?} but the query gives {given:?}",
            std::any::type_name::<T>()
        )));
    }
    Ok(())
}

/// The SQL text of a `&str`, a `String` or an `AssertSqlSafe`, as the fetch macros take it.
pub trait SqlText {
    fn text(&self) -> &str;
}

impl SqlText for &str {
    fn text(&self) -> &str {
        self
    }
}

impl SqlText for String {
    fn text(&self) -> &str {
        self
    }
}

impl<T: SqlText> SqlText for sqlx::AssertSqlSafe<T> {
    fn text(&self) -> &str {
        self.0.text()
    }
}

/// A value bound to a placeholder, as sqlx binds it on SQLite.
pub trait Param {
    fn value(&self) -> ToSqlOutput<'_>;
}

impl Param for str {
    fn value(&self) -> ToSqlOutput<'_> {
        ToSqlOutput::Borrowed(ValueRef::Text(self.as_bytes()))
    }
}

impl Param for String {
    fn value(&self) -> ToSqlOutput<'_> {
        self.as_str().value()
    }
}

impl Param for i64 {
    fn value(&self) -> ToSqlOutput<'_> {
        ToSqlOutput::Owned(Value::Integer(*self))
    }
}

impl Param for bool {
    fn value(&self) -> ToSqlOutput<'_> {
        ToSqlOutput::Owned(Value::Integer(i64::from(*self)))
    }
}

/// sqlx's text for a time: RFC 3339 with as many fractional digits as it needs. Comparisons in SQL compare this
/// text, so it must be exactly sqlx's.
impl Param for DateTime<Utc> {
    fn value(&self) -> ToSqlOutput<'_> {
        ToSqlOutput::Owned(Value::Text(self.to_rfc3339_opts(SecondsFormat::AutoSi, false)))
    }
}

impl<T: Param> Param for Option<T> {
    fn value(&self) -> ToSqlOutput<'_> {
        match self {
            Some(value) => value.value(),
            None => ToSqlOutput::Owned(Value::Null),
        }
    }
}

impl<T: Param + ?Sized> Param for &T {
    fn value(&self) -> ToSqlOutput<'_> {
        (**self).value()
    }
}

/// A row type read inline: its columns in the SELECT's order, read from column `at` on.
pub trait Read: Sized {
    /// How many columns it reads.
    const WIDTH: usize;
    fn columns() -> Vec<&'static str>;
    fn read(row: &Row<'_>, at: usize) -> rusqlite::Result<Self>;
}

/// A column's value, decoded as sqlx decodes it on SQLite.
pub trait Column: Sized {
    fn column(row: &Row<'_>, index: usize) -> rusqlite::Result<Self>;
}

impl Column for String {
    fn column(row: &Row<'_>, index: usize) -> rusqlite::Result<Self> {
        row.get(index)
    }
}

impl Column for i64 {
    fn column(row: &Row<'_>, index: usize) -> rusqlite::Result<Self> {
        row.get(index)
    }
}

impl Column for bool {
    fn column(row: &Row<'_>, index: usize) -> rusqlite::Result<Self> {
        row.get(index)
    }
}

impl Column for DateTime<Utc> {
    fn column(row: &Row<'_>, index: usize) -> rusqlite::Result<Self> {
        let invalid = || {
            rusqlite::Error::FromSqlConversionFailure(
                index,
                rusqlite::types::Type::Text,
                "not a time sqlx reads".into(),
            )
        };
        match row.get_ref(index)? {
            ValueRef::Text(text) => std::str::from_utf8(text).ok().and_then(time_of).ok_or_else(invalid),
            ValueRef::Integer(seconds) => Utc.timestamp_opt(seconds, 0).single().ok_or_else(invalid),
            ValueRef::Real(julian_day) => time_of_julian_day(julian_day).ok_or_else(invalid),
            _ => Err(invalid()),
        }
    }
}

impl<T: Column> Column for Option<T> {
    fn column(row: &Row<'_>, index: usize) -> rusqlite::Result<Self> {
        match row.get_ref(index)? {
            ValueRef::Null => Ok(None),
            _ => T::column(row, index).map(Some),
        }
    }
}

/// A time in the form sqlx and this module write them, "2026-12-01T04:54:59.988338382+00:00" (a fraction of up to
/// nine digits, or none when it is zero), read straight into UTC: chrono's RFC 3339 parse, with its offset
/// scanned and a `FixedOffset` converted, took 3% of the topic page's instructions for its 51 times (issue 22).
/// None for any other form, which goes to chrono.
fn as_written(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes().strip_suffix(b"+00:00")?;
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if b.len() < 19 || separators.iter().any(|&(at, c)| b[at] != c) {
        return None;
    }
    let number =
        |digits: &[u8]| digits.iter().try_fold(0u32, |n, &d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')));
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            number(fraction)? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    let year = i32::try_from(number(&b[0..4])?).ok()?;
    let date = chrono::NaiveDate::from_ymd_opt(year, number(&b[5..7])?, number(&b[8..10])?)?;
    let (hour, minute, second) = (number(&b[11..13])?, number(&b[14..16])?, number(&b[17..19])?);
    Some(date.and_hms_nano_opt(hour, minute, second, nanos)?.and_utc())
}

/// A time stored as a Julian day number, as sqlx reads one.
fn time_of_julian_day(day: f64) -> Option<DateTime<Utc>> {
    let seconds = (day - 2_440_587.5) * 86_400.0;
    if !seconds.is_finite() || seconds.abs() > 1e12 {
        return None;
    }
    let whole = seconds.trunc();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Utc.timestamp_opt(whole as i64, ((seconds - whole).abs() * 1e9) as u32).single()
}

/// A time in the text forms sqlx reads on SQLite: RFC 3339 (how it writes them), or one of SQLite's own forms
/// (`CURRENT_TIMESTAMP` writes `%F %T`), without an offset meaning UTC.
fn time_of(text: &str) -> Option<DateTime<Utc>> {
    if let Some(time) = as_written(text) {
        return Some(time);
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    const FORMS: [&str; 12] = [
        "%F %T%.f",
        "%F %R",
        "%F %RZ",
        "%F %R%:z",
        "%F %T%.fZ",
        "%F %T%.f%:z",
        "%FT%R",
        "%FT%RZ",
        "%FT%R%:z",
        "%FT%T%.f",
        "%FT%T%.fZ",
        "%FT%T%.f%:z",
    ];
    FORMS.iter().find_map(|form| {
        DateTime::parse_from_str(text, form)
            .map(|time| time.with_timezone(&Utc))
            .ok()
            .or_else(|| NaiveDateTime::parse_from_str(text, form).ok().map(|time| time.and_utc()))
    })
}

/// Implements `Read` for a struct whose fields are the query's columns, named and ordered as in its SELECT. A
/// first field written `..name: Type` is a row of its own (sqlx's `flatten`), read from the first columns.
#[macro_export]
macro_rules! inline_row {
    ($ty:ident { $(..$flat:ident: $flat_ty:ty,)? $($field:ident),+ $(,)? }) => {
        impl $crate::db::inline::Read for $ty {
            const WIDTH: usize = 0 $(+ <$flat_ty as $crate::db::inline::Read>::WIDTH)? $(+ { let _ = stringify!($field); 1 })+;

            fn columns() -> Vec<&'static str> {
                #[allow(unused_mut)]
                let mut columns: Vec<&'static str> = Vec::with_capacity(Self::WIDTH);
                $(columns.extend(<$flat_ty as $crate::db::inline::Read>::columns());)?
                columns.extend([$(stringify!($field)),+]);
                columns
            }

            #[allow(unused_assignments)]
            fn read(row: &$crate::db::inline::Row<'_>, at: usize) -> $crate::db::inline::RowResult<Self> {
                let mut index = at;
                $(
                    let $flat = <$flat_ty as $crate::db::inline::Read>::read(row, index)?;
                    index += <$flat_ty as $crate::db::inline::Read>::WIDTH;
                )?
                Ok($ty {
                    $($flat,)?
                    $($field: {
                        let value = $crate::db::inline::Column::column(row, index)?;
                        index += 1;
                        value
                    }),+
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_back_as_sqlx_writes_and_sqlite_writes_them() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 17, 19, 25).unwrap() + chrono::Duration::microseconds(120);
        let ToSqlOutput::Owned(Value::Text(written)) = at.value() else { panic!("a time is bound as text") };
        assert_eq!(written, "2026-11-30T17:19:25.000120+00:00");
        assert_eq!(time_of(&written), Some(at));
        assert_eq!(time_of("2026-11-30 17:19:25"), Some(at - chrono::Duration::microseconds(120)));
        assert_eq!(time_of("30 November"), None);
        // The digit-by-digit reading agrees with chrono's wherever it reads, and leaves the rest to it.
        for text in [
            "2026-12-01T04:54:59.988338382+00:00",
            "2026-12-01T04:54:59.5+00:00",
            "2026-12-01T04:54:59+00:00",
            "1900-01-01T00:00:00.000000001+00:00",
            "2024-02-29T23:59:59.999999999+00:00",
        ] {
            let chrono = DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).ok();
            assert_eq!(as_written(text), chrono, "{text}");
            assert!(chrono.is_some(), "{text}");
        }
        for text in [
            "2026-12-01T04:54:59.9883383821+00:00",
            "2026-12-01T04:54:59.+00:00",
            "2026-02-30T04:54:59+00:00",
            "2026-12-01T24:00:00+00:00",
            "2026-12-01T04:54:60+00:00",
            "2026-12-01 04:54:59+00:00",
            "2026-12-01T04:54:59+01:00",
            "2026-12-01T04:54:59Z",
            "+2026-12-01T04:54:59+00:00",
            "2026-12-01T04:5a:59+00:00",
        ] {
            assert_eq!(as_written(text), None, "{text}");
        }
        assert_eq!(time_of("2026-12-01T05:54:59+01:00"), time_of("2026-12-01T04:54:59+00:00"));
        assert_eq!(time_of_julian_day(2_440_588.0), Utc.timestamp_opt(43_200, 0).single());
    }
}
