//! Images in an issue's introduction: uploaded by an organiser with a description (alt text, required),
//! checked and re-encoded like members' photos, narrowed to at most `MAX_WIDTH` pixels, and served from the
//! network's own address. An introduction may show only these: an image from anywhere else could tell a third
//! party who opened the e-mail, and the network does not track its members.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use image::imageops::FilterType;

use super::routes::{issue, mistakes, organiser};
use super::store;
use crate::App;
use crate::auth::Viewer;
use crate::web::images::{self, ImageProblem};
use crate::web::upload::{ImageChange, UploadForm, read_image};
use crate::web::{AppError, AppResult, FieldErrors, Page, redirect_with_notice};

/// Twice the width an e-mail shows (600 px), for sharp high-density screens.
pub const MAX_WIDTH: u32 = 1200;
/// Where the images live; the only images an introduction may show.
pub const PATH: &str = "/newsletters/images/";

pub fn routes() -> Router<App> {
    Router::new().route("/admin/newsletters/{id}/images", post(upload)).route("/newsletters/images/{id}", get(serve))
}

/// An image made ready to keep: its bytes, type and size in pixels.
pub struct Prepared {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
}

/// Decodes within limits, narrows to `MAX_WIDTH`, and encodes afresh (a drawing as PNG, a photo as JPEG).
pub fn prepare(bytes: &[u8]) -> Result<Prepared, ImageProblem> {
    let decoded = images::decode(bytes)?;
    let mut picture = decoded.picture;
    if picture.width() > MAX_WIDTH {
        picture = picture.resize(MAX_WIDTH, u32::MAX, FilterType::CatmullRom);
    }
    let (width, height) = (picture.width(), picture.height());
    if decoded.drawing {
        Ok(Prepared { bytes: images::png(&picture)?, content_type: "image/png", width, height })
    } else {
        Ok(Prepared { bytes: images::jpeg(&images::on_white(&picture))?, content_type: "image/jpeg", width, height })
    }
}

async fn upload(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    form: UploadForm,
) -> AppResult<Response> {
    organiser(&viewer, "/admin/newsletters")?;
    let newsletter = issue(&app, &id).await?;
    if !newsletter.editable() {
        return Err(AppError::Conflict("This issue has gone out: it can no longer be changed.".into()));
    }
    let mut errors = FieldErrors::default();
    let alt = errors.required("alt", "The image's description", form.text("alt"), 300);
    errors.one_line("alt", "The image's description", &alt);
    // Size and type as every image upload is checked; then decoded, narrowed and encoded afresh.
    let prepared = match read_image(&form, &mut errors, "image", app.config.max_upload_bytes) {
        ImageChange::Keep | ImageChange::Remove => {
            if errors.get("image").is_none() {
                errors.add("image", "Choose an image to add.");
            }
            None
        }
        ImageChange::Replace(_, bytes) => {
            let bytes = bytes.to_vec();
            match images::work(move || prepare(&bytes)).await? {
                Ok(prepared) => Some(prepared),
                Err(problem) => {
                    errors.add("image", problem.to_string());
                    None
                }
            }
        }
    };
    let Some(prepared) = prepared.filter(|_| errors.is_empty()) else {
        return mistakes(&app, page, newsletter, errors).await;
    };
    let image_id = crate::db::new_id();
    // The description goes into Markdown's image words: brackets and backslashes would end them early.
    let words: String = alt.chars().map(|c| if matches!(c, '[' | ']' | '\\') { ' ' } else { c }).collect();
    let intro = format!("{}\n\n![{}]({PATH}{image_id})", newsletter.intro_md.trim_end(), words.trim());
    let mut tx = app.db.begin().await?;
    let file = crate::content::insert_file(&mut tx, prepared.content_type, &prepared.bytes).await?;
    let image =
        store::NewImage { id: &image_id, file_id: &file, alt: &alt, width: prepared.width, height: prepared.height };
    store::add_image(&mut tx, &newsletter.id, &image, Utc::now()).await?;
    if !store::set_intro(&mut tx, &newsletter.id, &intro, &crate::web::markdown::to_safe_html(&intro)).await? {
        return Err(AppError::Conflict("This issue has gone out: it can no longer be changed.".into()));
    }
    tx.commit().await?;
    Ok(redirect_with_notice(
        &format!("/admin/newsletters/{}#intro", newsletter.id),
        "The image is added at the end of the introduction: move its line to place it.",
    ))
}

/// An issue's image, for anyone: mail clients fetch it without signing in. It never changes.
async fn serve(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>) -> AppResult<Response> {
    let file_id = store::image_file(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let file = crate::content::private_file(&app.db, &file_id).await?.ok_or(AppError::NotFound)?;
    Ok(crate::web::files::send(
        &app.db,
        &headers,
        file,
        &[(header::CACHE_CONTROL, "public, max-age=31536000, immutable".to_string())],
    )
    .into_response())
}

/// Checks an introduction's images: each one of this network's uploads, each with its description.
pub fn check_intro(markdown: &str, errors: &mut FieldErrors) {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut open: Option<(String, String)> = None;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => open = Some((dest_url.to_string(), String::new())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, words)) = open.as_mut() {
                    words.push_str(&t);
                }
            }
            // Raw HTML could carry an image from anywhere past the Markdown check; the sanitiser keeps `<img>`.
            Event::Html(html) | Event::InlineHtml(html) if html.to_lowercase().contains("<img") => {
                errors.add(
                    "intro",
                    "Add images with “Add an image” below, not as HTML: the network serves them itself, so no one can \
                     see who opens the e-mail.",
                );
            }
            Event::End(TagEnd::Image) => {
                if let Some((url, words)) = open.take() {
                    if !url.starts_with(PATH) {
                        errors.add(
                            "intro",
                            "Add images with “Add an image” below: the network serves them itself, so no one can see \
                             who opens the e-mail.",
                        );
                    } else if words.trim().is_empty() {
                        errors.add("intro", "Give each image a description (its words between the square brackets).");
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_introduction_shows_only_its_own_described_images() {
        let mut errors = FieldErrors::default();
        check_intro("Hello ![The team at the away day](/newsletters/images/abc) and **more**", &mut errors);
        assert!(errors.is_empty());
        check_intro("![](/newsletters/images/abc)", &mut errors);
        assert!(errors.get("intro").is_some_and(|e| e.contains("description")));
        let mut errors = FieldErrors::default();
        check_intro("![pixel](https://tracker.example/p.gif)", &mut errors);
        assert!(errors.get("intro").is_some_and(|e| e.contains("no one can see")));
        for html in ["Hi <IMG src=\"https://tracker.example/p.gif\">", "<p>\n<img src=https://t.example/x>\n</p>"] {
            let mut errors = FieldErrors::default();
            check_intro(html, &mut errors);
            assert!(errors.get("intro").is_some_and(|e| e.contains("not as HTML")), "{html}");
        }
    }

    #[test]
    fn wide_images_are_narrowed_and_drawings_stay_png() {
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(image::RgbImage::new(2400, 600))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let prepared = prepare(&png).unwrap();
        assert_eq!((prepared.width, prepared.height, prepared.content_type), (1200, 300, "image/png"));
    }
}
