//! Members' faces: the photo a member uploads, typed from its bytes, decoded within limits, turned upright,
//! cropped square and resized to fixed sizes, each encoded afresh as JPEG, so no metadata (place, camera, date)
//! survives; else their initials, drawn here. Served at `/members/{id}/face/{size}` to members alone, the
//! same people who see profiles, and shown beside posts, messages, in the directory, on profiles and in the
//! lists of who is going to a meeting.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use image::imageops::FilterType;

use super::directory::member;
use crate::App;
use crate::auth::{User, Viewer, policy};
use crate::db::{Db, Tx};
use crate::web::images::{self, ImageProblem};
use crate::web::{AppError, AppResult};
use crate::{execute, fetch_all};

pub fn routes() -> Router<App> {
    Router::new().route("/members/{id}/face/{size}", get(face))
}

/// The sizes a face is kept in: square, in pixels, twice what pages show them at for sharp high-density
/// screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaceSize {
    /// Beside a post, a message, a name in a list (shown at 40 px).
    Small,
    /// On a profile (shown at 120 px).
    Large,
}

impl FaceSize {
    pub const ALL: [FaceSize; 2] = [FaceSize::Small, FaceSize::Large];

    pub fn key(self) -> &'static str {
        match self {
            FaceSize::Small => "small",
            FaceSize::Large => "large",
        }
    }

    pub fn parse(key: &str) -> Option<FaceSize> {
        FaceSize::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn pixels(self) -> u32 {
        match self {
            FaceSize::Small => 80,
            FaceSize::Large => 240,
        }
    }
}

/// Makes the fixed sizes of a face from an uploaded image: JPEG bytes for each size.
pub fn make(bytes: &[u8]) -> Result<Vec<(FaceSize, Vec<u8>)>, ImageProblem> {
    let picture = images::decode(bytes)?.picture;
    FaceSize::ALL
        .into_iter()
        .map(|size| {
            let px = size.pixels();
            Ok((size, images::jpeg(&images::on_white(&picture.resize_to_fill(px, px, FilterType::CatmullRom)))?))
        })
        .collect()
}

/// Keeps a member's new face (replacing any before), in the caller's transaction.
pub async fn replace(tx: &mut Tx, user_id: &str, sizes: &[(FaceSize, Vec<u8>)]) -> Result<(), sqlx::Error> {
    remove(tx, user_id).await?;
    for (size, bytes) in sizes {
        let file = crate::content::insert_private_file(tx, "image/jpeg", bytes).await?;
        execute!(
            &mut *tx,
            "INSERT INTO faces (user_id, size, file_id) VALUES ($1, $2, $3)",
            user_id,
            size.key(),
            &file
        )?;
    }
    Ok(())
}

/// Removes a member's face, files and all.
pub async fn remove(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "DELETE FROM files WHERE id IN (SELECT file_id FROM faces WHERE user_id = $1)", user_id)?;
    execute!(&mut *tx, "DELETE FROM faces WHERE user_id = $1", user_id)?;
    Ok(())
}

pub async fn has_face(db: &Db, user_id: &str) -> Result<bool, sqlx::Error> {
    Ok(file_of(db, user_id, FaceSize::Small).await?.is_some())
}

async fn file_of(db: &Db, user_id: &str, size: FaceSize) -> Result<Option<String>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, String>("SELECT file_id FROM faces WHERE user_id = $1 AND size = $2")
            .persistent(crate::db::keep_prepared())
            .bind(user_id)
            .bind(size.key())
            .fetch_optional(e)
            .await
    })
}

/// A face, for members: the photo's size asked for, else the person's initials (SVG, drawn here from their
/// name). A photo only of people the directory lists; the rest (a lapsed member's old posts) get initials.
async fn face(
    State(app): State<App>,
    viewer: Viewer,
    headers: HeaderMap,
    Path((id, size)): Path<(String, String)>,
) -> AppResult<Response> {
    member(&viewer, &format!("/members/{id}"))?;
    let size = FaceSize::parse(&size).ok_or(AppError::NotFound)?;
    let row = crate::auth::user_by_id(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    // Members' faces only: an applicant's or a judge's account has none to show.
    if !matches!(row.role.as_str(), "member" | "moderator" | "organiser") {
        return Err(AppError::NotFound);
    }
    let listed = policy::can_enter_members_area(&Viewer::of(User::from(row.clone())), Utc::now());
    // Members' faces are for members: no shared cache keeps them; a changed photo shows within minutes.
    let cache = "private, max-age=300".to_string();
    if listed
        && let Some(file_id) = file_of(&app.db, &id, size).await?
        && let Some(file) = crate::content::private_file(&app.db, &file_id).await?
    {
        return Ok(crate::web::files::send(&app.db, &headers, file, &[(header::CACHE_CONTROL, cache)]));
    }
    let mut response = initials_svg(&row.name, &id, size.pixels()).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_str(&cache).unwrap_or(HeaderValue::from_static("private")));
    Ok(response)
}

/// Up to two initials of a name ("Priya Shah" → "PS"), letters only.
pub fn initials(name: &str) -> String {
    let words: Vec<&str> =
        name.split_whitespace().filter(|w| w.chars().next().is_some_and(char::is_alphabetic)).collect();
    let pick = match words.as_slice() {
        [] => Vec::new(),
        [one] => vec![*one],
        [first, .., last] => vec![*first, *last],
    };
    pick.iter().filter_map(|w| w.chars().next()).flat_map(char::to_uppercase).collect()
}

/// The initials on a colour chosen from the member's id (the same each time), as a square SVG. Only letters
/// go in, and they are escaped all the same.
fn initials_svg(name: &str, id: &str, px: u32) -> String {
    // Dark enough for white text at 4.5:1.
    const GROUNDS: [&str; 6] = ["#14507a", "#5a3d8a", "#1f6b4f", "#8a3b2e", "#4a5866", "#7a4d00"];
    let pick = id.bytes().fold(0usize, |acc, b| acc.wrapping_mul(31).wrapping_add(usize::from(b))) % GROUNDS.len();
    let text =
        askama::filters::escape(initials(name), askama::filters::Html).map(|t| t.to_string()).unwrap_or_default();
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{px}\" height=\"{px}\" viewBox=\"0 0 100 100\">\
         <rect width=\"100\" height=\"100\" fill=\"{}\"/>\
         <text x=\"50\" y=\"50\" dy=\".35em\" text-anchor=\"middle\" font-family=\"system-ui, sans-serif\" \
         font-size=\"42\" fill=\"#fff\">{text}</text></svg>",
        GROUNDS[pick]
    )
}

/// Photos kept before faces (a profile's `photo_file_id`, stored as uploaded and public) become faces: made
/// into the fixed sizes, the original deleted. Run at start; an original that is not an image is dropped.
pub async fn adopt_earlier_photos(db: &Db) -> anyhow::Result<usize> {
    #[derive(sqlx::FromRow)]
    struct Earlier {
        user_id: String,
        photo_file_id: String,
    }
    let earlier = fetch_all!(
        db,
        Earlier,
        "SELECT user_id, photo_file_id FROM profiles WHERE photo_file_id IS NOT NULL ORDER BY user_id"
    )?;
    let mut adopted = 0;
    for photo in earlier {
        let Some(bytes) = crate::content::file_bytes(db, &photo.photo_file_id).await? else { continue };
        let sizes = match images::work(move || make(&bytes)).await {
            Ok(Ok(sizes)) => sizes,
            // Kept as it was (shown nowhere now, but not lost) for an organiser to look at.
            _ => {
                tracing::warn!(user_id = %photo.user_id, file_id = %photo.photo_file_id, "an earlier photo is not an image the site can resize");
                continue;
            }
        };
        let mut tx = db.begin().await?;
        // Claimed first: of two instances starting at once, one adopts it and the other finds it gone.
        let claimed = execute!(
            &mut tx,
            "UPDATE profiles SET photo_file_id = NULL WHERE user_id = $1 AND photo_file_id = $2",
            &photo.user_id,
            &photo.photo_file_id
        )?;
        if claimed == 0 {
            continue;
        }
        replace(&mut tx, &photo.user_id, &sizes).await?;
        execute!(&mut tx, "DELETE FROM files WHERE id = $1", &photo.photo_file_id)?;
        tx.commit().await?;
        adopted += 1;
    }
    Ok(adopted)
}

/// Whether a member has a face of their own, for their data export.
pub async fn export(db: &Db, user_id: &str) -> Result<bool, sqlx::Error> {
    has_face(db, user_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_are_letters_of_the_first_and_last_names() {
        assert_eq!(initials("Priya Shah"), "PS");
        assert_eq!(initials("Ann Mary Asker"), "AA");
        assert_eq!(initials("Cher"), "C");
        assert_eq!(initials("<script> & 9lives Ødegaard"), "Ø");
        assert_eq!(initials(""), "");
    }

    #[test]
    fn a_face_is_made_in_every_size() {
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(image::RgbImage::new(300, 200))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        for (size, bytes) in make(&png).unwrap() {
            let back = image::load_from_memory(&bytes).unwrap();
            assert_eq!((back.width(), back.height()), (size.pixels(), size.pixels()));
            assert_eq!(crate::web::upload::image_type(&bytes), Some("image/jpeg"));
        }
        assert!(matches!(make(b"%PDF-1.4"), Err(ImageProblem::NotAnImage)));
    }
}
