//! Members' faces: a photo resized to fixed sizes with its metadata gone, served to members alone; initials
//! for everyone else; earlier photos adopted at start; removed and erased with the account.

use std::io::Cursor;

use crate::on_both_engines;
use crate::support::{Engine, TestApp, browser};

on_both_engines!(a_photo_is_resized_stripped_and_shown_to_members_only, earlier_photos_become_faces);

/// Words no face may carry: they stand in the photo's EXIF block, as a phone's location would.
const SECRET: &[u8] = b"GPS 51.5072N 0.1276W taken at home";

/// A 600 × 400 JPEG with an EXIF block (a minimal TIFF header, then the secret words) after its start marker.
fn photo_with_metadata() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(600, 400, |x, _| image::Rgb([(x % 256) as u8, 90, 160]));
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(picture).write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg).unwrap();
    let mut exif = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0".to_vec();
    exif.extend_from_slice(SECRET);
    let length = (exif.len() + 2) as u16;
    let mut with = jpeg[..2].to_vec();
    with.extend_from_slice(&[0xFF, 0xE1]);
    with.extend_from_slice(&length.to_be_bytes());
    with.extend_from_slice(&exif);
    with.extend_from_slice(&jpeg[2..]);
    with
}

async fn fetch(t: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String, Vec<u8>) {
    let response = client.get(t.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, kind, response.bytes().await.unwrap().to_vec())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn a_photo_is_resized_stripped_and_shown_to_members_only(engine: Engine) {
    let t = TestApp::start(engine).await;
    let priya = t.member("priya@northshire.example.gov.uk", "Priya Shah").await;
    let owen = t.member("owen@eastshire.example.gov.uk", "Owen Price").await;
    let original = photo_with_metadata();
    assert!(contains(&original, SECRET), "the test photo carries the secret");

    // Before a photo: initials, drawn as SVG.
    let (status, kind, body) = fetch(&t, &owen, &format!("/members/{}/face/small", priya.id)).await;
    assert_eq!((status, kind.as_str()), (200, "image/svg+xml"));
    assert!(String::from_utf8_lossy(&body).contains(">PS</text>"));

    t.post_multipart_with(&priya, "/account/profile", &[("show_bio", "on")], Some(("photo", "me.jpg", original)))
        .await
        .assert_status(303);
    for (size, px) in [("small", 80), ("large", 240)] {
        let (status, kind, body) = fetch(&t, &owen, &format!("/members/{}/face/{size}", priya.id)).await;
        assert_eq!((status, kind.as_str()), (200, "image/jpeg"), "{size}");
        let face = image::load_from_memory(&body).unwrap();
        assert_eq!((face.width(), face.height()), (px, px), "{size} is square at its size");
        assert!(!contains(&body, SECRET), "no metadata survives");
        assert!(!contains(&body, b"Exif"), "no EXIF block at all");
    }
    // Every stored byte of Priya's faces lacks the secret, too.
    let stored: Vec<Vec<u8>> = swn::fetch_all!(
        &t.app.db,
        (Vec<u8>,),
        "SELECT c.bytes FROM faces f JOIN file_chunks c ON c.file_id = f.file_id WHERE f.user_id = $1",
        &priya.id
    )
    .unwrap()
    .into_iter()
    .map(|(b,)| b)
    .collect();
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|b| !contains(b, SECRET)));

    // Shown beside her name: profile, directory, posts.
    let profile = t.get_with(&owen, &format!("/members/{}", priya.id)).await;
    assert_eq!(
        profile.attr(".person img", "src").as_deref(),
        Some(format!("/members/{}/face/large", priya.id).as_str())
    );
    t.get_with(&owen, "/members").await.assert_contains(&format!("/members/{}/face/small", priya.id));
    let topic = crate::forum::topic(&t, &priya, "general", "Faces", "Hello.", &[("kind", "discussion")]).await;
    t.get_with(&owen, &format!("/forum/t/{topic}")).await.assert_contains(&format!("/members/{}/face/small", priya.id));

    // Members only: visitors are sent to sign in, applicants refused; an unknown size or person is not found.
    assert_eq!(fetch(&t, &browser(), &format!("/members/{}/face/small", priya.id)).await.0, 303);
    let applicant = t.applicant("ann@eastshire.example.gov.uk", "Ann Applicant").await;
    assert_eq!(fetch(&t, &applicant, &format!("/members/{}/face/small", priya.id)).await.0, 403);
    assert_eq!(
        fetch(&t, &owen, &format!("/members/{}/face/small", applicant.id)).await.0,
        404,
        "no face for an applicant"
    );
    assert_eq!(fetch(&t, &owen, &format!("/members/{}/face/huge", priya.id)).await.0, 404);
    assert_eq!(fetch(&t, &owen, "/members/nobody/face/small").await.0, 404);

    // Not an image: refused beside the field, the photo kept.
    t.post_multipart_with(&priya, "/account/profile", &[], Some(("photo", "cv.png", b"%PDF-1.4".to_vec())))
        .await
        .assert_status(422)
        .assert_contains("not an image");
    assert_eq!(fetch(&t, &owen, &format!("/members/{}/face/small", priya.id)).await.1, "image/jpeg");

    // In her export; removed, initials again and the files gone; erased with the account.
    t.get_with(&priya, "/account/data").await.assert_contains("\"photo\": true");
    t.post_multipart_with(&priya, "/account/profile", &[("remove_photo", "on")], None).await.assert_status(303);
    assert_eq!(fetch(&t, &owen, &format!("/members/{}/face/small", priya.id)).await.1, "image/svg+xml");
    t.post_multipart_with(&priya, "/account/profile", &[], Some(("photo", "me.png", crate::support::tiny_png())))
        .await
        .assert_status(303);
    let person = swn::feature::Person { id: priya.id.clone(), email: priya.email.clone(), name: priya.name.clone() };
    swn::feature::erase_person(&t.app, &person).await.unwrap();
    let left = swn::fetch_scalar!(&t.app.db, i64, "SELECT COUNT(*) FROM faces WHERE user_id = $1", &priya.id).unwrap();
    assert_eq!(left, 0);
    let orphans = swn::fetch_scalar!(
        &t.app.db,
        i64,
        "SELECT COUNT(*) FROM files f WHERE f.content_type = 'image/jpeg' AND f.public = FALSE
           AND NOT EXISTS (SELECT 1 FROM faces x WHERE x.file_id = f.id)"
    )
    .unwrap();
    assert_eq!(orphans, 0, "no face's file outlives it");
    t.finish().await;
}

async fn earlier_photos_become_faces(engine: Engine) {
    let t = TestApp::start(engine).await;
    let priya = t.member("priya@northshire.example.gov.uk", "Priya Shah").await;
    // A photo as profiles kept them before faces: the upload itself, public.
    let mut tx = t.app.db.begin().await.unwrap();
    let file = swn::content::insert_file(&mut tx, "image/jpeg", &photo_with_metadata()).await.unwrap();
    tx.commit().await.unwrap();
    swn::execute!(
        &t.app.db,
        "INSERT INTO profiles (user_id, bio_md, bio_html, disciplines, interests, photo_file_id, show_email,
                               show_job_title, show_organisation, show_bio, updated_at)
         VALUES ($1, '', '', '', '', $2, FALSE, TRUE, TRUE, TRUE, $3)",
        &priya.id,
        &file,
        chrono::Utc::now()
    )
    .unwrap();
    assert_eq!(fetch(&t, &browser(), &format!("/files/{file}")).await.0, 200, "public before");
    assert_eq!(swn::membership::faces::adopt_earlier_photos(&t.app.db).await.unwrap(), 1);
    assert_eq!(swn::membership::faces::adopt_earlier_photos(&t.app.db).await.unwrap(), 0, "once");
    assert_eq!(fetch(&t, &browser(), &format!("/files/{file}")).await.0, 404, "the original is gone");
    let (status, kind, body) = fetch(&t, &priya, &format!("/members/{}/face/large", priya.id)).await;
    assert_eq!((status, kind.as_str()), (200, "image/jpeg"));
    assert!(!contains(&body, SECRET));
    t.finish().await;
}
