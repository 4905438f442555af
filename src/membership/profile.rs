//! Members' profiles: what a member tells other members about themselves, and which fields they show.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;

use super::directory::member;
use super::faces;
use super::model::DISCIPLINES;
use super::store;
use crate::App;
use crate::auth::{User, Viewer};
use crate::db::{Db, Tx};
use crate::web::markdown::to_safe_html;
use crate::web::upload::{ImageChange, UploadForm, read_image};
use crate::web::{AppError, AppResult, FieldErrors, Page, redirect_with_notice, render};
use crate::{execute, fetch_optional};

pub fn routes() -> Router<App> {
    Router::new().route("/members/{id}", get(show)).route("/account/profile", get(edit).post(save))
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Profile {
    pub bio_md: String,
    pub bio_html: String,
    pub disciplines: String,
    pub interests: String,
    pub show_email: bool,
    pub show_job_title: bool,
    pub show_organisation: bool,
    pub show_bio: bool,
}

impl Default for Profile {
    /// Before a member edits anything: job title and organisation shown, e-mail address hidden.
    fn default() -> Profile {
        Profile {
            bio_md: String::new(),
            bio_html: String::new(),
            disciplines: String::new(),
            interests: String::new(),
            show_email: false,
            show_job_title: true,
            show_organisation: true,
            show_bio: true,
        }
    }
}

impl Profile {
    pub fn has_discipline(&self, key: &str) -> bool {
        self.disciplines.split(',').any(|d| d == key)
    }

    pub fn discipline_labels(&self) -> Vec<&'static str> {
        DISCIPLINES.iter().filter(|(k, _)| self.has_discipline(k)).map(|(_, l)| *l).collect()
    }
}

pub async fn profile(db: &Db, user_id: &str) -> Result<Profile, sqlx::Error> {
    let found = fetch_optional!(
        db,
        Profile,
        "SELECT bio_md, bio_html, disciplines, interests, show_email, show_job_title, show_organisation, show_bio
         FROM profiles WHERE user_id = $1",
        user_id
    )?;
    Ok(found.unwrap_or_default())
}

pub(super) async fn save_profile(tx: &mut Tx, user_id: &str, p: &Profile) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "INSERT INTO profiles (user_id, bio_md, bio_html, disciplines, interests, show_email, show_job_title,
                               show_organisation, show_bio, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (user_id) DO UPDATE SET bio_md = excluded.bio_md, bio_html = excluded.bio_html,
             disciplines = excluded.disciplines, interests = excluded.interests,
             show_email = excluded.show_email, show_job_title = excluded.show_job_title,
             show_organisation = excluded.show_organisation, show_bio = excluded.show_bio, updated_at = excluded.updated_at",
        user_id,
        &p.bio_md,
        &p.bio_html,
        &p.disciplines,
        &p.interests,
        p.show_email,
        p.show_job_title,
        p.show_organisation,
        p.show_bio,
        Utc::now()
    )?;
    Ok(())
}

/// A profile as another member sees it: hidden fields are simply absent.
#[derive(Template)]
#[template(path = "membership/profile.html")]
struct ProfilePage {
    page: Page,
    name: String,
    email: Option<String>,
    job_title: Option<String>,
    organisation: Option<(String, String)>,
    bio_html: Option<String>,
    interests: Option<String>,
    disciplines: Vec<&'static str>,
    id: String,
    is_self: bool,
    /// Where to write to this member privately, for another member who may write.
    write_to: Option<String>,
}

async fn show(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    member(&viewer, &format!("/members/{id}"))?;
    let row = crate::auth::user_by_id(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let user = User::from(row.clone());
    // Only people the directory lists have a profile page: not applicants, lapsed, suspended or deleted members.
    let listed = crate::auth::policy::can_enter_members_area(&Viewer::of(user.clone()), Utc::now());
    if !listed {
        return Err(AppError::NotFound);
    }
    let p = profile(&app.db, &id).await?;
    let organisation = match (&user.organisation_id, p.show_organisation) {
        (Some(org_id), true) => store::organisation(&app.db, org_id).await?.map(|o| (o.name, o.slug)),
        _ => None,
    };
    render(&ProfilePage {
        page: page.titled(&user.name).noindex(),
        email: p.show_email.then(|| user.email.clone()),
        job_title: (p.show_job_title && !row.job_title.is_empty()).then(|| row.job_title.clone()),
        organisation,
        bio_html: (p.show_bio && !p.bio_html.is_empty()).then(|| p.bio_html.clone()),
        interests: (p.show_bio && !p.interests.is_empty()).then(|| p.interests.clone()),
        disciplines: p.discipline_labels(),
        id: id.clone(),
        is_self: viewer.user.as_ref().is_some_and(|v| v.id == id),
        write_to: (viewer.user.as_ref().is_some_and(|v| v.id != id)
            && crate::auth::policy::can_write_messages(&viewer, Utc::now()))
        .then(|| crate::messages::write_to(&id)),
        name: user.name,
    })
}

#[derive(Template)]
#[template(path = "membership/profile_form.html")]
struct ProfileEditor {
    page: Page,
    profile: Profile,
    /// The member's id, for their face; whether it is a photo (else initials).
    id: String,
    has_photo: bool,
    errors: FieldErrors,
    disciplines: [(&'static str, &'static str); 4],
}

async fn edit(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    member(&viewer, "/account/profile")?;
    let id = viewer.user.as_ref().map(|u| u.id.clone()).unwrap_or_default();
    let profile = profile(&app.db, &id).await?;
    render(&ProfileEditor {
        page: page.titled("Your profile").noindex(),
        profile,
        has_photo: super::faces::has_face(&app.db, &id).await?,
        id,
        errors: FieldErrors::default(),
        disciplines: DISCIPLINES,
    })
}

async fn save(State(app): State<App>, page: Page, viewer: Viewer, form: UploadForm) -> AppResult<Response> {
    member(&viewer, "/account/profile")?;
    let id = viewer.user.as_ref().map(|u| u.id.clone()).unwrap_or_default();
    let mut errors = FieldErrors::default();
    let bio_md = errors.optional("bio", "Your introduction", form.text("bio"), 5000);
    let interests = errors.optional("interests", "Your interests", form.text("interests"), 500);
    let photo = match read_image(&form, &mut errors, "photo", app.config.max_upload_bytes) {
        ImageChange::Replace(_, bytes) => {
            // Decoding and resizing take real CPU: off the request threads.
            let bytes = bytes.to_vec();
            match crate::web::images::work(move || faces::make(&bytes)).await? {
                Ok(sizes) => Some(Some(sizes)),
                Err(e) => {
                    errors.add("photo", e.to_string());
                    None
                }
            }
        }
        ImageChange::Remove => Some(None),
        ImageChange::Keep => None,
    };
    let updated = Profile {
        bio_html: to_safe_html(&bio_md),
        bio_md,
        disciplines: DISCIPLINES
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| !form.text(&format!("discipline_{k}")).is_empty())
            .collect::<Vec<_>>()
            .join(","),
        interests,
        show_email: !form.text("show_email").is_empty(),
        show_job_title: !form.text("show_job_title").is_empty(),
        show_organisation: !form.text("show_organisation").is_empty(),
        show_bio: !form.text("show_bio").is_empty(),
    };
    if !errors.is_empty() {
        let body = render(&ProfileEditor {
            page: page.titled("Your profile").noindex(),
            profile: updated,
            has_photo: faces::has_face(&app.db, &id).await?,
            id,
            errors,
            disciplines: DISCIPLINES,
        })?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    }
    let mut tx = app.db.begin().await?;
    match &photo {
        Some(Some(sizes)) => faces::replace(&mut tx, &id, sizes).await?,
        Some(None) => faces::remove(&mut tx, &id).await?,
        None => {}
    }
    save_profile(&mut tx, &id, &updated).await?;
    tx.commit().await?;
    Ok(redirect_with_notice(&format!("/members/{id}"), "Your profile is saved."))
}
