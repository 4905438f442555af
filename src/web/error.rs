//! One error type for the request cycle. A handler returns `AppResult<T>`; the error becomes a status and a
//! message for the person, and `error_pages` (below) dresses every bare error response, ours or axum's
//! rejections, in the site's layout. Details for the log never reach the page.

use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::page::Page;

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Forbidden, with the reason the person may know (a conflict of interest, say).
    #[error("refused: {0}")]
    Refused(String),
    /// The person must sign in first; carries the path to come back to.
    #[error("sign in required")]
    SignInRequired(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The request cannot be done in the resource's present state (registration closed, already decided).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A one-time link that was used, has expired, or never existed.
    #[error("link no longer valid: {0}")]
    Gone(String),
    /// The body is larger than the site accepts.
    #[error("too large: {0}")]
    TooLarge(String),
    #[error("the form has expired")]
    Csrf,
    #[error("too many attempts")]
    TooManyRequests { retry_after_secs: u64 },
    /// The disk under the database is full: nothing was saved, and saying so beats "something went wrong".
    #[error("no room to store: {0}")]
    InsufficientStorage(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// SQLITE_FULL (13) and PostgreSQL's disk_full (53100): the transaction was rolled back whole.
fn is_disk_full(e: &sqlx::Error) -> bool {
    let code = e.as_database_error().and_then(|d| d.code());
    matches!(code.as_deref(), Some("13" | "53100"))
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if is_disk_full(&e) {
            return AppError::InsufficientStorage(format!("database: {e}"));
        }
        AppError::Internal(format!("database: {e}"))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        if e.downcast_ref::<sqlx::Error>().is_some_and(is_disk_full) {
            return AppError::InsufficientStorage(format!("{e:#}"));
        }
        AppError::Internal(format!("{e:#}"))
    }
}

/// What the error page says; travels from the error to `error_pages` as a response extension.
#[derive(Clone, Debug)]
pub struct ErrorMessage {
    pub title: &'static str,
    pub message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            AppError::SignInRequired(next) => {
                let target = format!("/sign-in?next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
                return Redirect::to(&target).into_response();
            }
            AppError::NotFound => (StatusCode::NOT_FOUND, "Page not found", "There is no page at this address. It may have moved, or the link may be mistyped.".to_string()),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "Not available to you", "Your account does not give access to this page.".to_string()),
            AppError::Refused(msg) => (StatusCode::FORBIDDEN, "Not available to you", msg),
            AppError::BadRequest(msg) => (StatusCode::BAD_REQUEST, "Something in the request was not right", msg),
            AppError::TooLarge(msg) => (StatusCode::PAYLOAD_TOO_LARGE, "Too large", msg),
            AppError::Conflict(msg) => (StatusCode::CONFLICT, "Not possible now", msg),
            AppError::Gone(msg) => (StatusCode::GONE, "This link cannot be used", msg),
            AppError::Csrf => (
                StatusCode::FORBIDDEN,
                "The form could not be accepted",
                "The form was sent without a valid security token, perhaps because it was open for a long time or came from another site. Go back, reload the page and try again.".to_string(),
            ),
            AppError::TooManyRequests { retry_after_secs } => {
                let mut response = error_response(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many attempts",
                    format!("There have been too many attempts. Please wait {} and try again.", wait_text(retry_after_secs)),
                );
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, v);
                }
                return response;
            }
            AppError::InsufficientStorage(detail) => {
                tracing::error!(%detail, "the disk is full");
                (StatusCode::INSUFFICIENT_STORAGE, "No room to store this", "The site has run out of storage space, so nothing you sent was saved. Please try again later; the organisers have been alerted in the server's log.".to_string())
            }
            AppError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "The site could not complete this request. Nothing you sent has been lost; please try again in a moment.".to_string())
            }
        };
        error_response(status, title, message)
    }
}

fn wait_text(secs: u64) -> String {
    if secs < 90 { format!("{secs} seconds") } else { format!("{} minutes", secs.div_ceil(60)) }
}

fn error_response(status: StatusCode, title: &'static str, message: String) -> Response {
    let mut response = status.into_response();
    response.extensions_mut().insert(ErrorMessage { title, message });
    response
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    status: u16,
    title: String,
    message: String,
}

/// Gives every error response without an HTML body (ours, axum's rejections, the fallback, body limits,
/// time-outs) a friendly page in the site's layout.
pub async fn error_pages(request: Request, next: Next) -> Response {
    let page = Page::from_extensions(request.extensions());
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let has_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if has_html {
        return response;
    }
    let (title, message) = match response.extensions().get::<ErrorMessage>() {
        Some(m) => (m.title.to_string(), m.message.clone()),
        None => default_message(status),
    };
    let page = ErrorPage { page: page.titled(&title).noindex(), status: status.as_u16(), title, message };
    let body = match page.render() {
        Ok(html) => html,
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            format!("<!doctype html><title>Error {}</title><p>Error {}.</p>", status.as_u16(), status.as_u16())
        }
    };
    let mut headers = response.headers().clone();
    headers.remove(header::CONTENT_LENGTH);
    let mut fresh = (status, Html(body)).into_response();
    for (name, value) in headers.iter() {
        if name != header::CONTENT_TYPE {
            fresh.headers_mut().append(name.clone(), value.clone());
        }
    }
    fresh
}

fn default_message(status: StatusCode) -> (String, String) {
    let (title, message) = match status {
        StatusCode::NOT_FOUND => {
            ("Page not found", "There is no page at this address. It may have moved, or the link may be mistyped.")
        }
        StatusCode::METHOD_NOT_ALLOWED => ("Not possible here", "This address does not accept that kind of request."),
        StatusCode::PAYLOAD_TOO_LARGE => {
            ("Too large", "What you sent is larger than the site accepts. Please send a smaller file or shorter text.")
        }
        StatusCode::REQUEST_TIMEOUT => ("Took too long", "The request took too long. Please try again."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("Not a form", "The request was not a form the site understands."),
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => (
            "Something in the request was not right",
            "The request could not be understood. Please go back and check what you entered.",
        ),
        s if s.is_server_error() => {
            ("Something went wrong", "The site could not complete this request. Please try again in a moment.")
        }
        _ => ("Not possible", "The site could not do this."),
    };
    (title.to_string(), message.to_string())
}
