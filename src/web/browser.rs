//! Who is at the other end: the session (as a `Viewer`), the form token, a one-time notice, the client
//! address. `browser` puts them into the request's extensions once, so handlers and the layout read them
//! without another query; `verify_csrf` refuses state changes that did not come from our own forms.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};
use subtle::ConstantTimeEq;

use super::error::AppError;
use crate::App;
use crate::auth::{Viewer, session};

pub const SESSION_COOKIE: &str = "swn_session";
const CSRF_COOKIE: &str = "swn_csrf";
const FLASH_COOKIE: &str = "swn_flash";
/// The form field that carries the token.
pub const CSRF_FIELD: &str = "csrf_token";
/// The largest plain form (not an upload) the site reads.
pub const MAX_FORM_BYTES: usize = 512 * 1024;

/// The network a request is for (several may share one listener), for the layout's name.
#[derive(Clone, Debug)]
pub struct Network(pub std::sync::Arc<crate::Config>);

/// The token every form of this browser carries (double-submit: it must match the cookie).
///
/// It holds only base64url characters and '.', checked when it is made, so templates write it without
/// escaping (`HtmlSafe`): a topic page carries it in some 150 forms, and escaping it was a measurable part of
/// the page's CPU (issue 22). Without one (a response made outside the browser layer) it is empty.
#[derive(Clone, Debug, Default)]
pub struct CsrfToken(String);

impl CsrfToken {
    /// The token, if it holds only characters that need no escaping in HTML (any token of ours does).
    fn new(token: String) -> Option<CsrfToken> {
        token.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')).then_some(CsrfToken(token))
    }
}

impl std::fmt::Display for CsrfToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl askama::filters::HtmlSafe for CsrfToken {}

/// A notice shown once on the next page, e.g. "Saved."
#[derive(Clone, Debug, Default)]
pub struct Flash(pub Option<String>);

/// The address the request came from, for throttling.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

/// A NUL in an address is never ours, and PostgreSQL refuses it in text: say so plainly, before any query.
pub async fn refuse_nul_in_address(request: Request, next: Next) -> Response {
    let uri = request.uri();
    if uri.path().to_ascii_lowercase().contains("%00") || uri.query().is_some_and(|q| q.contains("%00")) {
        return AppError::BadRequest("This address is not valid.".into()).into_response();
    }
    next.run(request).await
}

/// The name a cookie of ours goes by: under an https base URL, with the `__Host-` prefix, which a browser
/// accepts only from this host, over https, for the whole site (so a sibling subdomain cannot plant one).
fn cookie_name(name: &str, secure: bool) -> String {
    if secure { format!("__Host-{name}") } else { name.to_string() }
}

/// Under https, every cookie this response sets is renamed with `__Host-` and marked `Secure`: handlers write
/// the plain names, and this one place decides what goes out.
fn harden_cookies(response: &mut Response) {
    let set: Vec<HeaderValue> = response.headers().get_all(header::SET_COOKIE).iter().cloned().collect();
    response.headers_mut().remove(header::SET_COOKIE);
    for value in set {
        let hardened = value.to_str().ok().and_then(|v| Cookie::parse(v.to_string()).ok()).map(|mut c| {
            if c.name().starts_with("swn_") {
                c.set_name(format!("__Host-{}", c.name()));
                c.set_secure(true);
                c.set_path("/");
            }
            c
        });
        match hardened.and_then(|c| HeaderValue::from_str(&c.encoded().to_string()).ok()) {
            Some(v) => response.headers_mut().append(header::SET_COOKIE, v),
            None => response.headers_mut().append(header::SET_COOKIE, value),
        };
    }
}

pub async fn browser(State(app): State<App>, mut request: Request, next: Next) -> Response {
    let jar = Jar::from_headers(request.headers());
    let secure = app.config.secure_cookies();
    let session_name = cookie_name(SESSION_COOKIE, secure);

    let (viewer, rotated) = match jar.get(&session_name) {
        Some(token) => match session::load(&app, token).await {
            Ok(Some(found)) => found,
            Ok(None) => (Viewer::default(), None),
            Err(e) => return AppError::from(e).into_response(),
        },
        None => (Viewer::default(), None),
    };
    let signed_in = viewer.user.is_some();
    let stale_session = jar.get(&session_name).is_some() && viewer.user.is_none();

    // Only this network's own token counts; any other is replaced (a token of a sibling network on the same
    // installation, or one from before tokens were signed).
    let kept = jar.get(&cookie_name(CSRF_COOKIE, secure)).filter(|t| app.signing_key.is_form_token(t));
    let (csrf, new_csrf) = match kept.and_then(|t| CsrfToken::new(t.to_string())) {
        Some(t) => (t, false),
        None => {
            let fresh = CsrfToken::new(app.signing_key.form_token());
            (fresh.unwrap_or_else(|| unreachable!("a new form token is base64url")), true)
        }
    };
    let flash = jar.get(&cookie_name(FLASH_COOKIE, secure)).map(|f| f.to_string());
    let ip = client_ip(&request, app.config.trust_proxy);

    let ext = request.extensions_mut();
    ext.insert(viewer);
    ext.insert(csrf.clone());
    ext.insert(Network(app.config.clone()));
    ext.insert(Flash(flash.clone()));
    ext.insert(ClientIp(ip));

    let mut response = next.run(request).await;
    if let Some(started) = rotated
        && !sets_cookie(&response, SESSION_COOKIE)
    {
        set_cookie(&mut response, session_cookie(&started, &app.config));
    }
    // Pages for a signed-in person are theirs alone: no shared or browser cache keeps them.
    if signed_in {
        response.headers_mut().entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    }
    if new_csrf {
        set_cookie(&mut response, cookie(CSRF_COOKIE, csrf.0));
    }
    if flash.is_some() && !sets_cookie(&response, FLASH_COOKIE) {
        set_cookie(&mut response, removal(FLASH_COOKIE));
    }
    if stale_session && !sets_cookie(&response, SESSION_COOKIE) {
        set_cookie(&mut response, removal(SESSION_COOKIE));
    }
    if secure {
        harden_cookies(&mut response);
    }
    response
}

/// Refuses POST, PUT, PATCH and DELETE unless they come from this site (Origin) and carry this browser's
/// form token, whatever the body's type, before any handler runs (a handler that reads no body is guarded
/// like one that does).
pub async fn verify_csrf(State(app): State<App>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) || is_one_click_unsubscribe(&request) {
        return next.run(request).await;
    }
    match check_csrf(request, &app.config.origin()).await {
        Ok(request) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

/// Mail clients unsubscribe with a bare POST to the address in `List-Unsubscribe` (RFC 8058): no cookie, no
/// form token. The unguessable token in the address is what authorises it, and all it can do is unsubscribe.
fn is_one_click_unsubscribe(request: &Request) -> bool {
    *request.method() == Method::POST && request.uri().path().starts_with("/unsubscribe/")
}

async fn check_csrf(request: Request, origin: &str) -> Result<Request, AppError> {
    foreign_origin_check(request.headers(), origin)?;
    let expected = request.extensions().get::<CsrfToken>().map(|t| t.0.clone()).unwrap_or_default();
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        return check_upload_token(request, &expected).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(AppError::Csrf);
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| AppError::TooLarge("The form is larger than the site accepts. Please shorten the text.".into()))?;
    let sent = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if !tokens_match(&sent, &expected) {
        return Err(AppError::Csrf);
    }
    // No text people write contains NUL, and PostgreSQL refuses it: a clear message, not a failed query.
    if url::form_urlencoded::parse(&bytes).any(|(k, v)| k.contains('\0') || v.contains('\0')) {
        return Err(AppError::BadRequest("The form contains a character the site cannot store (NUL).".into()));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// How much of an upload is read to find its token: our forms put it first, so it is in the first few hundred
/// bytes; nothing more is held before the route's own limits apply.
const UPLOAD_HEAD_BYTES: usize = 16 * 1024;

/// An upload form carries its token among its first fields: the start of the body is read (at most
/// `UPLOAD_HEAD_BYTES`), the token checked there, and the body handed on whole, the rest still unread.
async fn check_upload_token(request: Request, expected: &str) -> Result<Request, AppError> {
    use futures_util::StreamExt;
    let (parts, body) = request.into_parts();
    let boundary = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok())
        .ok_or(AppError::Csrf)?;
    let mut rest = body.into_data_stream();
    let mut head = Vec::new();
    while head.len() < UPLOAD_HEAD_BYTES {
        match rest.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(_)) => return Err(AppError::BadRequest("The upload could not be read.".into())),
            None => break,
        }
    }
    let head = axum::body::Bytes::from(head);
    let mut fields = multer::Multipart::new(
        futures_util::stream::once(std::future::ready(Ok::<_, std::convert::Infallible>(head.clone()))),
        boundary,
    );
    let mut sent = String::new();
    // Fields cut off at the end of the head fail to read: the token, if it is there, came before them.
    while let Ok(Some(field)) = fields.next_field().await {
        if field.name() == Some(CSRF_FIELD) {
            sent = field.text().await.unwrap_or_default();
            break;
        }
    }
    if !tokens_match(&sent, expected) {
        return Err(AppError::Csrf);
    }
    let whole = futures_util::stream::once(std::future::ready(Ok::<_, axum::Error>(head))).chain(rest);
    Ok(Request::from_parts(parts, Body::from_stream(whole)))
}

/// A browser names the page a form came from; a form posted from another site is refused outright.
fn foreign_origin_check(headers: &HeaderMap, expected: &str) -> Result<(), AppError> {
    if let Some(origin) = headers.get(header::ORIGIN) {
        if origin.as_bytes() != expected.as_bytes() {
            return Err(AppError::Csrf);
        }
    } else if let Some(referer) = headers.get(header::REFERER).and_then(|v| v.to_str().ok()) {
        let same = url::Url::parse(referer).map(|u| u.origin().ascii_serialization() == expected).unwrap_or(false);
        if !same {
            return Err(AppError::Csrf);
        }
    }
    Ok(())
}

pub fn tokens_match(sent: &str, expected: &str) -> bool {
    !expected.is_empty() && sent.len() == expected.len() && bool::from(sent.as_bytes().ct_eq(expected.as_bytes()))
}

/// Set the first time a request carries `X-Forwarded-For` while `SWN_TRUST_PROXY` is off: behind a load balancer
/// every client would then share the balancer's address, and thirty failed sign-ins from anyone would slow
/// everyone down. Said once in the log.
static FORWARDED_UNTRUSTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether a request has come through a proxy this instance does not trust (see `FORWARDED_UNTRUSTED`).
pub fn forwarded_without_trust_seen() -> bool {
    FORWARDED_UNTRUSTED.load(std::sync::atomic::Ordering::Relaxed)
}

pub(crate) fn client_ip(request: &Request, trust_proxy: bool) -> IpAddr {
    if !trust_proxy
        && request.headers().contains_key("x-forwarded-for")
        && !FORWARDED_UNTRUSTED.swap(true, std::sync::atomic::Ordering::Relaxed)
    {
        tracing::warn!(
            "a request came with X-Forwarded-For but SWN_TRUST_PROXY is off: behind a reverse proxy or load \
             balancer, set SWN_TRUST_PROXY=true, or every client shares the proxy's address (and its sign-in limits)"
        );
    }
    if trust_proxy {
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(IpAddr::from([127, 0, 0, 1]))
}

/// The request's cookies by name.
pub struct Jar(Vec<Cookie<'static>>);

impl Jar {
    pub fn from_headers(headers: &HeaderMap) -> Jar {
        let cookies = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| Cookie::split_parse_encoded(v.to_string()).filter_map(Result::ok).collect::<Vec<_>>())
            .collect();
        Jar(cookies)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|c| c.name() == name).map(|c| c.value())
    }
}

/// A cookie for the whole site, out of reach of scripts, not sent along with other sites' requests. Under
/// https the browser layer marks it `Secure` and host-only on its way out (`harden_cookies`).
pub fn cookie(name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value)).path("/").http_only(true).same_site(SameSite::Lax).build()
}

fn removal(name: &'static str) -> Cookie<'static> {
    let mut c = Cookie::build((name, "")).path("/").http_only(true).same_site(SameSite::Lax).build();
    c.make_removal();
    c
}

pub fn set_cookie(response: &mut Response, cookie: Cookie<'static>) {
    if let Ok(v) = HeaderValue::from_str(&cookie.encoded().to_string()) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn sets_cookie(response: &Response, name: &str) -> bool {
    let prefix = format!("{name}=");
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().map(|s| s.starts_with(&prefix)).unwrap_or(false))
}

/// A redirect after a successful form, with a notice for the next page.
pub fn redirect_with_notice(to: &str, notice: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    set_cookie(&mut response, cookie(FLASH_COOKIE, notice.to_string()));
    response
}

/// The session cookie for a new session: a short session's ends with the browser; a kept one's lasts as long
/// as the session can.
pub fn session_cookie(started: &session::Started, config: &crate::config::Config) -> Cookie<'static> {
    let mut c = cookie(SESSION_COOKIE, started.token.clone());
    if started.length == session::Length::Kept
        && let Ok(max_age) = cookie::time::Duration::try_from(config.session_absolute)
    {
        c.set_max_age(max_age);
    }
    c
}

/// Clears the session cookie (sign-out).
pub fn clear_session(response: &mut Response) {
    set_cookie(response, removal(SESSION_COOKIE));
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<ClientIp>().copied().unwrap_or(ClientIp(IpAddr::from([127, 0, 0, 1]))))
    }
}

#[cfg(test)]
mod tests {
    use super::CsrfToken;

    #[test]
    fn a_form_token_is_written_unescaped_only_when_nothing_in_it_needs_escaping() {
        // The shape `SigningKey::form_token` makes: base64url, a dot, base64url.
        assert!(CsrfToken::new("llD_s8VDFoQbXVnXvbiZpQ.W5NOGYVv1BRb0hWMEh3C7A".to_string()).is_some());
        for unsafe_token in ["a<b", "a\"b", "a&b", "a'b", "a b", "a>b", "é"] {
            assert!(CsrfToken::new(unsafe_token.to_string()).is_none(), "{unsafe_token}");
        }
    }
}
