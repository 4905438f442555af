//! The HTTP server loop. axum's `serve` reads a request's headers for as long as the client likes, so a few
//! thousand connections sending a header line now and then held file handles (and shutdown) indefinitely.
//! Here hyper reads headers within a time-out (which also ends idle keep-alive connections), one client
//! address holds at most a set number of connections, and shutdown lets the requests in hand finish.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// What one connection may take.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// From the first byte a connection waits for (a new request, or the next on a kept-alive connection) to
    /// its last header.
    pub header_read_timeout: Duration,
    /// Connections one client address may hold at once; `None` behind a reverse proxy, where every
    /// connection comes from the proxy (it is then the proxy's to limit).
    pub per_address: Option<usize>,
}

/// Open connections per client address.
#[derive(Clone, Default)]
struct Counts(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// A connection counted against its address until dropped.
struct Held {
    counts: Counts,
    ip: IpAddr,
}

/// The address a connection is counted under: an IPv6 client holds a whole /64 (one host or one home network),
/// so it is counted by its /64.
fn counted_as(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        IpAddr::V6(v6) => IpAddr::V4(v6.to_ipv4_mapped().unwrap_or(std::net::Ipv4Addr::UNSPECIFIED)),
        v4 => v4,
    }
}

impl Counts {
    fn take(&self, ip: IpAddr, max: Option<usize>) -> Option<Held> {
        let ip = counted_as(ip);
        let mut counts = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let open = counts.entry(ip).or_insert(0);
        if max.is_some_and(|max| *open >= max) {
            return None;
        }
        *open += 1;
        Some(Held { counts: self.clone(), ip })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut counts = self.counts.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(open) = counts.get_mut(&self.ip) {
            *open -= 1;
            if *open == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

/// Serves `router` until `shutdown` completes; then stops accepting, and waits for the connections in hand
/// (idle ones close at once, slow ones within the header time-out, none past `grace`: a client that never
/// reads its answer would hold it).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    grace: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let counts = Counts::default();
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file handles, or a connection reset before it was taken: wait a moment, go on.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(held) = counts.take(remote.ip(), limits.per_address) else {
            // Over its address's share: closed before a byte is read.
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(remote));
            let router = router.clone();
            async move { Ok::<_, Infallible>(router.oneshot(request.map(Body::new)).await.unwrap_or_else(|e| match e {})) }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _held = held;
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(grace, graceful.shutdown()).await.is_err() {
        tracing::warn!("connections still open after the shutdown grace; closing them");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(counted_as(a), counted_as(b));
        assert_ne!(counted_as(a), counted_as(other));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(counted_as(mapped), "192.0.2.1".parse::<IpAddr>().unwrap());
        let counts = Counts::default();
        let first = counts.take(a, Some(1));
        assert!(first.is_some() && counts.take(b, Some(1)).is_none(), "one /64 shares one share");
        drop(first);
        assert!(counts.take(b, Some(1)).is_some(), "a closed connection frees its place");
    }
}
