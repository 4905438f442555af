//! One log line and one set of metrics per request, under a request id the answer carries back
//! (`X-Request-Id`), so a person's report ("it failed at 10:02, id …") finds its line. The line names the route
//! pattern, never the path itself (paths can hold one-time tokens), and the client's address.

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::App;

pub const REQUEST_ID: &str = "x-request-id";

/// A request id from the proxy in front (trusted only with `SWN_TRUST_PROXY`, and only when it is short and
/// plain), else a new one.
fn request_id(request: &Request, trust_proxy: bool) -> String {
    let forwarded = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).filter(|id| {
        (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    });
    match forwarded {
        Some(id) if trust_proxy => id.to_string(),
        _ => uuid::Uuid::new_v4().simple().to_string(),
    }
}

pub async fn observe(State(app): State<App>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let id = request_id(&request, app.config.trust_proxy);
    let client = crate::web::browser::client_ip(&request, app.config.trust_proxy);
    // A fixed set: any other word a client sends as a method would otherwise make new series for good.
    let method: &'static str = match request.method().as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    };
    let route = request.extensions().get::<MatchedPath>().map_or("(no route)", |p| p.as_str()).to_string();
    // The network's name, when an installation serves several (its log is one for all).
    let network = app.config.network.as_deref();
    let span = tracing::info_span!("request", id = %id, method = method, route = %route, network);
    let mut response = next.run(request).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    app.metrics.request(method, &route, status, elapsed.as_secs_f64());
    tracing::info!(parent: &span, status, ms = elapsed.as_secs_f64() * 1000.0, client = %client, "answered");
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(id: &str) -> Request {
        Request::builder().header(REQUEST_ID, id).body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn a_proxys_request_id_is_kept_only_when_trusted_and_plain() {
        assert_eq!(request_id(&with("lb-1234.abc_9"), true), "lb-1234.abc_9");
        assert_ne!(request_id(&with("lb-1234"), false), "lb-1234", "not from just anyone");
        assert_eq!(request_id(&with("a b"), true).len(), 32, "spaces would split a log line: a new id");
        assert_eq!(request_id(&with(&"x".repeat(65)), true).len(), 32);
    }
}
