//! Several networks on one listener (issue 23): a request goes to the network whose host it names, and
//! nothing of one network answers for another. A host no network names gets a plain page that names none; a
//! network's other names (`www.`) send people to its own address, where its cookies and forms work.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceExt;
use url::Url;

/// A network as a host name reaches it.
#[derive(Clone)]
struct Reached {
    router: Router,
    /// The network's own address, when this host name is another of its names.
    alias_of: Option<Url>,
}

/// One router choosing among the networks' own (each with its host names and its base address): by the `Host`
/// header as sent (`host:port`), else by the host alone (a network named by host name answers on any port its
/// listener has).
pub fn by_host(networks: impl IntoIterator<Item = (Vec<String>, Url, Router)>) -> Router {
    let mut table = HashMap::new();
    for (hosts, base, router) in networks {
        for host in hosts {
            let host = host.to_ascii_lowercase();
            let alias_of = (without_port(&host) != base.host_str().unwrap_or_default()).then(|| base.clone());
            table.insert(host, Reached { router: router.clone(), alias_of });
        }
    }
    let table = Arc::new(table);
    Router::new().fallback(move |request: Request| {
        let table = table.clone();
        async move {
            match network_of(&table, &request) {
                Err(Unreached::Unknown) => unknown_host(),
                Err(Unreached::Two) => (StatusCode::BAD_REQUEST, "A request names one host.\n").into_response(),
                Ok(Reached { alias_of: Some(base), .. }) => {
                    let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
                    let to = format!("{}{path}", base.as_str().trim_end_matches('/'));
                    (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, to)]).into_response()
                }
                Ok(Reached { router, .. }) => router.clone().oneshot(request).await.unwrap_or_else(|e| match e {}),
            }
        }
    })
}

/// `uk.example.org:8080` → `uk.example.org`; `[::1]:8080` → `[::1]`.
fn without_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((bare, port)) if port.bytes().all(|b| b.is_ascii_digit()) => bare,
        _ => host,
    }
}

/// The network a request names, or the answer for one that names none, or names two (a second `Host`, or an
/// absolute address naming another than its `Host`: a cache keyed on the other would file one network's page
/// under another's address).
fn network_of<'a>(table: &'a HashMap<String, Reached>, request: &Request) -> Result<&'a Reached, Unreached> {
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let (host, second) = (hosts.next(), hosts.next());
    let host = host.and_then(|h| h.to_str().ok());
    let authority = request.uri().authority().map(|a| a.as_str());
    let named = match (host, authority) {
        _ if second.is_some() => return Err(Unreached::Two),
        (Some(h), Some(a)) if !h.eq_ignore_ascii_case(a) => return Err(Unreached::Two),
        (Some(h), _) => h,
        (None, Some(a)) => a,
        (None, None) => return Err(Unreached::Unknown),
    };
    let named = named.trim().trim_end_matches('.').to_ascii_lowercase();
    table.get(&named).or_else(|| table.get(without_port(&named))).ok_or(Unreached::Unknown)
}

enum Unreached {
    Unknown,
    Two,
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
        let url = |u: &str| Url::parse(u).unwrap();
        let router = by_host([
            (
                vec!["uk.example.org".to_string(), "localhost:8081".to_string(), "www.uk.example.org".to_string()],
                url("https://uk.example.org"),
                network("uk"),
            ),
            (vec!["eu.example.org".to_string()], url("https://eu.example.org"), network("eu")),
        ]);
        assert_eq!(answer(&router, Some("uk.example.org")).await.1, "uk");
        assert_eq!(answer(&router, Some("UK.Example.org:8080")).await.1, "uk", "any port, any case");
        assert_eq!(answer(&router, Some("eu.example.org.")).await.1, "eu", "a fully qualified name");
        assert_eq!(answer(&router, Some("localhost:8081")).await.0, StatusCode::PERMANENT_REDIRECT, "another name");
        let alias = Request::builder().uri("/news?page=2").header(header::HOST, "www.uk.example.org");
        let moved = router.clone().oneshot(alias.body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(moved.status(), StatusCode::PERMANENT_REDIRECT);
        assert_eq!(moved.headers()[header::LOCATION], "https://uk.example.org/news?page=2");
        // A request naming two hosts is refused.
        let two = Request::builder().uri("http://eu.example.org/").header(header::HOST, "uk.example.org");
        let refused = router.clone().oneshot(two.body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        for other in [Some("localhost:8082"), Some("example.org"), Some("evil.example.com"), None] {
            let (status, body) = answer(&router, other).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{other:?}");
            assert!(body.contains("no site at this address") && !body.contains("uk") && !body.contains("eu"));
        }
    }
}
