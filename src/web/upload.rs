//! Forms with files. Reads every field into memory within the upload limit (the form token was checked by
//! `verify_csrf` before the handler ran), and decides an image's type from its bytes, never from its name.

use std::collections::HashMap;

use axum::extract::{FromRequest, Multipart, Request};

use super::error::AppError;
use super::forms::FieldErrors;

pub struct UploadForm {
    fields: HashMap<String, String>,
    files: HashMap<String, Vec<u8>>,
}

impl<S: Send + Sync> FromRequest<S> for UploadForm {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|_| AppError::BadRequest("The upload could not be read.".into()))?;
        let mut fields = HashMap::new();
        let mut files = HashMap::new();
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => return Err(upload_error(e)),
            };
            let name = field.name().unwrap_or_default().to_string();
            let is_file = field.file_name().is_some();
            let bytes = field.bytes().await.map_err(upload_error)?;
            if is_file {
                if !bytes.is_empty() {
                    files.insert(name, bytes.to_vec());
                }
            } else {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                if text.contains('\0') {
                    return Err(AppError::BadRequest(
                        "The form contains a character the site cannot store (NUL).".into(),
                    ));
                }
                fields.insert(name, text);
            }
        }
        Ok(UploadForm { fields, files })
    }
}

/// Refuses an upload whose declared length is over `limit` before reading any of it, with the site's
/// "too large" page: a body cut off in the middle otherwise reads as a malformed form.
pub async fn refuse_declared_oversize(
    axum::extract::State(limit): axum::extract::State<usize>,
    request: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return AppError::TooLarge(format!(
            "The upload is larger than the site accepts here (at most {} KB).",
            limit / 1024
        ))
        .into_response();
    }
    next.run(request).await
}

fn upload_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge("The file is larger than the site accepts. Please choose a smaller image.".into())
    } else {
        AppError::BadRequest("The upload could not be read. Please try again.".into())
    }
}

impl UploadForm {
    pub fn text(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or_default()
    }

    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(Vec::as_slice)
    }
}

/// What an uploaded image field does to the stored image.
pub enum ImageChange<'a> {
    Keep,
    Remove,
    Replace(&'static str, &'a [u8]),
}

/// Reads the image field `field` (and its "remove_<field>" box), checking size and type; problems go to
/// `errors`, beside the field.
pub fn read_image<'a>(
    form: &'a UploadForm,
    errors: &mut FieldErrors,
    field: &'static str,
    max_bytes: usize,
) -> ImageChange<'a> {
    match form.file(field) {
        Some(bytes) if bytes.len() > max_bytes => {
            errors.add(field, format!("The image is too large: at most {} KB.", max_bytes / 1024));
            ImageChange::Keep
        }
        Some(bytes) => match image_type(bytes) {
            Some(content_type) => ImageChange::Replace(content_type, bytes),
            None => {
                errors.add(field, "The file is not an image the site can show: use PNG, JPEG, GIF or WebP.");
                ImageChange::Keep
            }
        },
        None if !form.text(&format!("remove_{field}")).is_empty() => ImageChange::Remove,
        None => ImageChange::Keep,
    }
}

/// The image types the site shows. SVG is left out on purpose: it can carry script.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    match infer::get(bytes)?.mime_type() {
        t @ ("image/png" | "image/jpeg" | "image/gif" | "image/webp") => Some(t),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::image_type;

    #[test]
    fn image_type_comes_from_the_bytes() {
        let png = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d];
        assert_eq!(image_type(&png), Some("image/png"));
        assert_eq!(image_type(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>"), None);
        assert_eq!(image_type(b"%PDF-1.4 hello"), None);
        assert_eq!(image_type(b""), None);
    }
}
