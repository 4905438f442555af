//! The stylesheet and icons, embedded in the binary so that `swn` is one file to copy.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::error::AppError;

const ASSETS: &[(&str, &str, &[u8])] = &[
    ("style.css", "text/css; charset=utf-8", include_bytes!("../../static/style.css")),
    ("logo.svg", "image/svg+xml", include_bytes!("../../static/logo.svg")),
    ("markdown-preview.js", "text/javascript; charset=utf-8", include_bytes!("../../static/markdown-preview.js")),
    ("newsletter-progress.js", "text/javascript; charset=utf-8", include_bytes!("../../static/newsletter-progress.js")),
];

pub async fn asset(Path(name): Path<String>) -> Result<Response, AppError> {
    let (_, content_type, bytes) = ASSETS.iter().find(|(n, _, _)| *n == name).ok_or(AppError::NotFound)?;
    Ok(([(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, "public, max-age=3600")], *bytes)
        .into_response())
}
