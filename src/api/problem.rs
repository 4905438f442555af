//! Errors as RFC 9457 problem details (`application/problem+json`). Handlers return `ApiResult`; the
//! `problems` layer also dresses the responses no handler wrote (unknown address, wrong method, a body axum
//! could not read, a time-out) so that every error of the API has the same shape.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::web::AppError;
use crate::web::error::ErrorMessage;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem detail (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status and title say what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this case, in words for a person.
    pub detail: String,
    /// For a rejected request body: each field with what is wrong with it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// 422 with the fields at fault.
    pub fn invalid(errors: Vec<FieldProblem>) -> Problem {
        let detail = errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ");
        Problem { errors, ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, detail) }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The API's error: the site's `AppError` (so the rules shared with the pages give the same answers), or a
/// problem the API words itself.
#[derive(Debug)]
pub enum ApiError {
    App(AppError),
    Problem(Problem),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError::App(e.into())
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError::Problem(p)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Problem(p) => p.into_response(),
            // A page would send the person to sign in; a program needs to be told to bring its token.
            ApiError::App(AppError::SignInRequired(_)) => {
                Problem::new(StatusCode::UNAUTHORIZED, "This needs a personal API token (Authorization: Bearer).")
                    .into_response()
            }
            // A form token means nothing here: the API never reads cookies.
            ApiError::App(AppError::Csrf) => Problem::new(StatusCode::FORBIDDEN, "Not allowed.").into_response(),
            // The site's error carries its status and message; `problems` turns it into a problem.
            ApiError::App(e) => e.into_response(),
        }
    }
}

/// The largest JSON body the API reads: a forum post of 50,000 characters fits with room to spare.
pub const MAX_JSON_BYTES: usize = 256 * 1024;

/// Reads a JSON body, after the handler has checked who may send it: a refused caller is refused before
/// anything they sent is read, and nobody can make the server hold more than `MAX_JSON_BYTES`.
pub async fn json_body<T: serde::de::DeserializeOwned>(headers: &axum::http::HeaderMap, body: Body) -> ApiResult<T> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .is_some_and(|essence| essence == "application/json" || essence.ends_with("+json"));
    if !json {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            default_detail(StatusCode::UNSUPPORTED_MEDIA_TYPE),
        )
        .into());
    }
    let bytes = axum::body::to_bytes(body, MAX_JSON_BYTES).await.map_err(|_| {
        Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "The body is larger than the API accepts (256 KiB).")
    })?;
    axum::Json::<T>::from_bytes(&bytes)
        .map(|axum::Json(value)| value)
        .map_err(|rejection| Problem::new(rejection.status(), rejection.body_text()).into())
}

/// Turns every error response that is not yet a problem into one, keeping its status and headers.
pub async fn problems(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.starts_with(PROBLEM_JSON) {
        return response;
    }
    let plain = content_type.starts_with("text/plain");
    let message = response.extensions().get::<ErrorMessage>().map(|m| m.message.clone());
    let (parts, body) = response.into_parts();
    // axum's rejections (a body or query it could not read) explain themselves in plain text: keep that.
    let said = if plain { axum::body::to_bytes(body, 4096).await.ok() } else { None };
    let detail = message
        .or_else(|| said.and_then(|b| String::from_utf8(b.to_vec()).ok()).filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| default_detail(status).to_string());
    let mut fresh = Problem::new(status, detail).into_response();
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            fresh.headers_mut().insert(name.clone(), value.clone());
        }
    }
    fresh
}

fn default_detail(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "There is nothing at this address.",
        StatusCode::METHOD_NOT_ALLOWED => "This address does not accept that method.",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "Send the body as JSON (Content-Type: application/json).",
        StatusCode::PAYLOAD_TOO_LARGE => "The body is larger than the API accepts.",
        StatusCode::REQUEST_TIMEOUT => "The request took too long.",
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "The request could not be understood.",
        s if s.is_server_error() => "The server could not complete this request; please try again in a moment.",
        _ => "The request could not be completed.",
    }
}

/// Turns the forms' field checks into a 422 problem, each message under its field's name.
pub fn checked(errors: crate::web::FieldErrors) -> ApiResult<()> {
    if errors.is_empty() {
        return Ok(());
    }
    let fields = errors.messages().into_iter().map(|(f, m)| FieldProblem { field: f.into(), message: m.clone() });
    Err(Problem::invalid(fields.collect()).into())
}
