//! Serving a stored file: streamed a piece at a time from the database (twenty downloads of a 20 MiB file at
//! once hold a few pieces each, not the files), with `ETag` and `Last-Modified` for conditional requests and a
//! single byte range for resumed downloads and media players. A stored file never changes, so its id is its
//! entity tag.

use std::ops::RangeInclusive;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use crate::content::{PIECE, StoredFile};
use crate::db::Db;

/// HTTP's date format (RFC 9110, IMF-fixdate).
fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn parse_http_date(text: &str) -> Option<DateTime<Utc>> {
    chrono::NaiveDateTime::parse_from_str(text.trim(), "%a, %d %b %Y %H:%M:%S GMT").ok().map(|t| t.and_utc())
}

/// Whether an `If-None-Match` or `If-Range` list names this tag (weak comparison, as `If-None-Match` asks).
fn names_tag(list: &str, tag: &str) -> bool {
    list.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| t == "*" || t == tag)
}

/// What a request asks of a file, decided from its headers alone.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    /// 304: the copy the client holds is this one.
    NotModified,
    /// 200 with everything.
    Whole,
    /// 206 with these bytes.
    Part(RangeInclusive<u64>),
    /// 416: the range lies past the end.
    Unsatisfiable,
}

fn decide(request: &HeaderMap, tag: &str, modified: DateTime<Utc>, size: u64) -> Answer {
    let text = |name: HeaderName| request.get(name).and_then(|v| v.to_str().ok());
    // Whole seconds: the date a client holds was sent in whole seconds.
    let modified = modified.with_timezone(&Utc).timestamp();
    match text(header::IF_NONE_MATCH) {
        Some(list) if names_tag(list, tag) => return Answer::NotModified,
        Some(_) => {}
        None => {
            if text(header::IF_MODIFIED_SINCE)
                .and_then(parse_http_date)
                .is_some_and(|since| modified <= since.timestamp())
            {
                return Answer::NotModified;
            }
        }
    }
    let Some(range) = text(header::RANGE) else {
        return Answer::Whole;
    };
    // A range is for the copy the client named, else the whole file is sent again.
    if let Some(condition) = text(header::IF_RANGE) {
        let same = if condition.trim_start().starts_with('"') {
            condition.trim() == tag
        } else {
            parse_http_date(condition).is_some_and(|d| d.timestamp() == modified)
        };
        if !same {
            return Answer::Whole;
        }
    }
    match http_range_header::parse_range_header(range).map(|r| r.validate(size)) {
        Ok(Ok(ranges)) if ranges.len() == 1 => Answer::Part(ranges[0].clone()),
        // Several ranges at once (rare: a multipart answer) get the whole file, as the standard allows.
        Ok(Ok(_)) => Answer::Whole,
        Ok(Err(http_range_header::RangeUnsatisfiableError::Unsatisfiable)) => Answer::Unsatisfiable,
        // A malformed range is ignored.
        _ => Answer::Whole,
    }
}

/// The bytes `from..=to` of a file, read a piece at a time as the client takes them.
fn stream(db: Db, id: String, from: u64, to: u64) -> Body {
    let piece = PIECE as u64;
    let pieces = futures_util::stream::unfold(Some(from), move |next| {
        let (db, id) = (db.clone(), id.clone());
        async move {
            let at = next?;
            let seq = at / piece;
            let read = match crate::content::file_piece(&db, &id, seq as i64).await {
                Ok(Some(bytes)) => bytes,
                Ok(None) => return Some((Err(std::io::Error::other("a piece of the file is missing")), None)),
                Err(e) => return Some((Err(std::io::Error::other(e)), None)),
            };
            let start = (at - seq * piece) as usize;
            let end = ((to - seq * piece + 1) as usize).min(read.len());
            if start >= end {
                return Some((Err(std::io::Error::other("a piece of the file is short")), None));
            }
            let following = seq * piece + end as u64;
            let next = (following <= to).then_some(following);
            Some((Ok::<_, std::io::Error>(axum::body::Bytes::copy_from_slice(&read[start..end])), next))
        }
    });
    Body::from_stream(pieces)
}

/// Answers a request for `file`, with `headers` (type-specific: disposition, caching, CSP) on every answer.
pub fn send(db: &Db, request: &HeaderMap, file: StoredFile, headers: &[(HeaderName, String)]) -> Response {
    let tag = format!("\"{}\"", file.id);
    let size = file.size.max(0) as u64;
    let answer = decide(request, &tag, file.created_at, size);
    let mut response = match answer {
        Answer::NotModified => StatusCode::NOT_MODIFIED.into_response(),
        Answer::Unsatisfiable => {
            let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            r
        }
        Answer::Whole if size == 0 => Body::empty().into_response(),
        Answer::Whole => stream(db.clone(), file.id.clone(), 0, size - 1).into_response(),
        Answer::Part(ref range) => {
            let (from, to) = (*range.start(), *range.end());
            let mut r = (StatusCode::PARTIAL_CONTENT, stream(db.clone(), file.id.clone(), from, to)).into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {from}-{to}/{size}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            r.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(to - from + 1));
            r
        }
    };
    let h = response.headers_mut();
    if matches!(answer, Answer::Whole) {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    }
    if !matches!(answer, Answer::NotModified | Answer::Unsatisfiable)
        && let Ok(v) = HeaderValue::from_str(&file.content_type)
    {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&http_date(file.created_at)) {
        h.insert(header::LAST_MODIFIED, v);
    }
    for (name, value) in headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name.clone(), v);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(pairs: &[(HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn conditions_and_ranges_are_read_as_http_says() {
        let modified = DateTime::parse_from_rfc3339("2026-11-30T10:00:00.250Z").unwrap().with_timezone(&Utc);
        let tag = "\"f1\"";
        let ask = |pairs: &[(HeaderName, &str)]| decide(&request(pairs), tag, modified, 1000);
        assert_eq!(ask(&[]), Answer::Whole);
        assert_eq!(ask(&[(header::IF_NONE_MATCH, "\"f0\", W/\"f1\"")]), Answer::NotModified);
        assert_eq!(ask(&[(header::IF_NONE_MATCH, "\"f0\"")]), Answer::Whole);
        let date = http_date(modified);
        assert_eq!(date, "Mon, 30 Nov 2026 10:00:00 GMT");
        assert_eq!(ask(&[(header::IF_MODIFIED_SINCE, &date)]), Answer::NotModified, "whole seconds");
        assert_eq!(ask(&[(header::IF_MODIFIED_SINCE, "Sun, 29 Nov 2026 10:00:00 GMT")]), Answer::Whole);
        assert_eq!(ask(&[(header::RANGE, "bytes=100-199")]), Answer::Part(100..=199));
        assert_eq!(ask(&[(header::RANGE, "bytes=-10")]), Answer::Part(990..=999));
        assert_eq!(ask(&[(header::RANGE, "bytes=900-")]), Answer::Part(900..=999));
        assert_eq!(ask(&[(header::RANGE, "bytes=5000-")]), Answer::Unsatisfiable);
        assert_eq!(ask(&[(header::RANGE, "pages=1-2")]), Answer::Whole, "malformed: ignored");
        assert_eq!(ask(&[(header::RANGE, "bytes=0-1,5-6")]), Answer::Whole, "several: the whole file");
        assert_eq!(ask(&[(header::RANGE, "bytes=0-9"), (header::IF_RANGE, tag)]), Answer::Part(0..=9));
        assert_eq!(ask(&[(header::RANGE, "bytes=0-9"), (header::IF_RANGE, "\"old\"")]), Answer::Whole);
        assert_eq!(ask(&[(header::RANGE, "bytes=0-9"), (header::IF_RANGE, &date)]), Answer::Part(0..=9));
    }
}
