//! Uploaded images made safe to keep and show: typed from their bytes, decoded within limits (a small file
//! cannot unpack into gigabytes), turned upright, and encoded afresh, which leaves every piece of metadata
//! (where a photo was taken, the camera, comments) behind. Members' faces and newsletter images use it.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader, Limits, Rgb, RgbImage};

/// Why an upload is not an image the site keeps, in words for the field.
#[derive(Debug, thiserror::Error)]
pub enum ImageProblem {
    #[error("The file is not an image the site can show: use PNG, JPEG, GIF or WebP.")]
    NotAnImage,
    #[error("The image is too large in pixels: at most 8,000 by 8,000.")]
    TooManyPixels,
}

/// Largest side accepted, and the memory a decode may take (a 40-megapixel photo fits).
const MAX_SIDE: u32 = 8000;
const MAX_DECODE_BYTES: u64 = 128 * 1024 * 1024;
/// What a decoded image is brought down to at once, before any other copy is made: more than any use needs
/// (faces are 240 px, newsletter images 1,200).
const WORKING_SIDE: u32 = 2400;

/// One image is worked on at a time: each may take a hundred megabytes while it is decoded.
static ONE_AT_A_TIME: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// Runs image work off the request threads, one at a time.
pub async fn work<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> Result<T, super::AppError> {
    let _turn = ONE_AT_A_TIME.acquire().await.map_err(|e| super::AppError::Internal(format!("image work: {e}")))?;
    tokio::task::spawn_blocking(job).await.map_err(|e| super::AppError::Internal(format!("image work: {e}")))
}

/// An uploaded image, decoded and upright, with whether it came as a drawing's format (PNG, GIF), which is
/// kept as PNG rather than JPEG so lines and lettering stay sharp.
pub struct Decoded {
    pub picture: DynamicImage,
    pub drawing: bool,
}

pub fn decode(bytes: &[u8]) -> Result<Decoded, ImageProblem> {
    let (format, drawing) = match super::upload::image_type(bytes) {
        Some("image/png") => (image::ImageFormat::Png, true),
        Some("image/gif") => (image::ImageFormat::Gif, true),
        Some("image/jpeg") => (image::ImageFormat::Jpeg, false),
        Some("image/webp") => (image::ImageFormat::WebP, false),
        _ => return Err(ImageProblem::NotAnImage),
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let problem = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => ImageProblem::TooManyPixels,
        _ => ImageProblem::NotAnImage,
    };
    let mut decoder = reader.into_decoder().map_err(problem)?;
    // A phone's photo is stored sideways with a note to turn it: turn it, since the note is not kept.
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(problem)?;
    if picture.width().max(picture.height()) > WORKING_SIDE {
        picture = picture.resize(WORKING_SIDE, WORKING_SIDE, image::imageops::FilterType::Triangle);
    }
    picture.apply_orientation(orientation);
    Ok(Decoded { picture, drawing })
}

/// The picture on a white ground: JPEG keeps no transparency, and a transparent corner should not turn black.
pub fn on_white(picture: &DynamicImage) -> RgbImage {
    let rgba = picture.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y);
        let alpha = u32::from(p[3]);
        let mix = |c: u8| ((u32::from(c) * alpha + 255 * (255 - alpha)) / 255) as u8;
        Rgb([mix(p[0]), mix(p[1]), mix(p[2])])
    })
}

pub fn jpeg(picture: &RgbImage) -> Result<Vec<u8>, ImageProblem> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(picture)
        .map_err(|_| ImageProblem::NotAnImage)?;
    Ok(out)
}

pub fn png(picture: &DynamicImage) -> Result<Vec<u8>, ImageProblem> {
    let mut out = Vec::new();
    picture.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).map_err(|_| ImageProblem::NotAnImage)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_typed_from_their_bytes_and_refused_past_the_limits() {
        assert!(matches!(decode(b"GIF89a\x01"), Err(ImageProblem::NotAnImage)));
        assert!(matches!(decode(b"%PDF-1.4"), Err(ImageProblem::NotAnImage)));
        // A few bytes that say 9,000 by 9,000 pixels are refused before anything is unpacked.
        let mut huge = b"GIF89a".to_vec();
        huge.extend(9000u16.to_le_bytes());
        huge.extend(9000u16.to_le_bytes());
        huge.extend([0, 0, 0, 0x2C, 0, 0, 0, 0]);
        huge.extend(9000u16.to_le_bytes());
        huge.extend(9000u16.to_le_bytes());
        huge.extend([0, 2, 2, 0x4C, 0x01, 0, 0x3B]);
        assert!(matches!(decode(&huge), Err(ImageProblem::TooManyPixels)));
    }
}
