//! Several networks on one listener (issue 23): a request goes to the network whose host it names, and
//! nothing of one network answers for another. A host no network names gets a plain page that names none.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceExt;

/// One router choosing among the networks' own: by the `Host` header as sent (`host:port`), else by the
/// host alone (a network named by host name answers on any port its listener has).
pub fn by_host(networks: impl IntoIterator<Item = (Vec<String>, Router)>) -> Router {
    let mut table = HashMap::new();
    for (hosts, router) in networks {
        for host in hosts {
            table.insert(host.to_ascii_lowercase(), router.clone());
        }
    }
    let table = Arc::new(table);
    Router::new().fallback(move |request: Request| {
        let table = table.clone();
        async move {
            match network_of(&table, &request) {
                Some(router) => router.clone().oneshot(request).await.unwrap_or_else(|e| match e {}),
                None => unknown_host(),
            }
        }
    })
}

fn network_of<'a>(table: &'a HashMap<String, Router>, request: &Request) -> Option<&'a Router> {
    let named = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()))?
        .trim()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    table.get(&named).or_else(|| {
        // Without its port: `[::1]:8080` → `[::1]`, `uk.example.org:8080` → `uk.example.org`.
        let (host, port) = named.rsplit_once(':')?;
        port.bytes().all(|b| b.is_ascii_digit()).then_some(())?;
        table.get(host)
    })
}

fn unknown_host() -> Response {
    let page = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title>\
                <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>\
                <body><main><h1>Not found</h1><p>There is no site at this address.</p></main></body></html>\n";
    (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;

    async fn answer(router: &Router, host: Option<&str>) -> (StatusCode, String) {
        let mut request = Request::builder().uri("/");
        if let Some(host) = host {
            request = request.header(header::HOST, host);
        }
        let response = router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn each_host_reaches_its_network_and_no_other() {
        let network = |name: &'static str| Router::new().route("/", get(move || async move { name }));
        let router = by_host([
            (vec!["uk.example.org".to_string(), "localhost:8081".to_string()], network("uk")),
            (vec!["eu.example.org".to_string()], network("eu")),
        ]);
        assert_eq!(answer(&router, Some("uk.example.org")).await.1, "uk");
        assert_eq!(answer(&router, Some("UK.Example.org:8080")).await.1, "uk", "any port, any case");
        assert_eq!(answer(&router, Some("eu.example.org.")).await.1, "eu", "a fully qualified name");
        assert_eq!(answer(&router, Some("localhost:8081")).await.1, "uk");
        for other in [Some("localhost:8082"), Some("example.org"), Some("evil.example.com"), None] {
            let (status, body) = answer(&router, other).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{other:?}");
            assert!(body.contains("no site at this address") && !body.contains("uk") && !body.contains("eu"));
        }
    }
}
