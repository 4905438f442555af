//! What supports an entry besides its text: files its entrants upload (typed from their bytes, as the
//! library's are; served only to those who reach the entry) and evidence the network already holds about the
//! organisation (a benchmark assessment's progress, a finished trial, a team's plan, a case study), which each
//! feature words itself and the judges read in place.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::Utc;

use super::admin::Fields;
use super::model::{Entry, EntryStatus, Programme};
use super::store;
use crate::App;
use crate::auth::{Viewer, policy};
use crate::feature::Evidence;
use crate::web::upload::UploadForm;
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, invalid, redirect_with_notice};

/// How many files an entry may carry.
pub const MAX_FILES: usize = 5;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/awards/entries/{id}/files", post(upload))
        .route("/awards/entries/{id}/files/{file}", get(download))
        .route("/awards/entries/{id}/files/{file}/remove", post(remove))
        .route("/awards/entries/{id}/evidence", post(attach))
}

/// A supporting file as listed.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AttachedFile {
    pub file_id: String,
    pub label: String,
    pub file_size: i64,
}

impl AttachedFile {
    pub fn size(&self) -> String {
        if self.file_size >= 1024 * 1024 {
            format!("{:.1} MB", self.file_size as f64 / (1024.0 * 1024.0))
        } else {
            format!("{} KB", (self.file_size + 1023) / 1024)
        }
    }
}

/// A record attached as evidence, as it read when attached: what the entrant chose to show the judges.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Attached {
    pub kind: String,
    pub ref_id: String,
    pub label: String,
    pub detail: String,
    pub public_link: Option<String>,
}

/// What supports an entry: its files, what is attached, and (for an entrant) the records the network holds
/// that they may attach, each marked attached or not.
#[derive(Clone, Debug, Default)]
pub struct Supporting {
    pub files: Vec<AttachedFile>,
    pub attached: Vec<Attached>,
    pub offered: Vec<(Evidence, bool)>,
}

impl Supporting {
    /// Attached from a record this person is not offered now (a team space they do not lead, a record gone):
    /// any entrant may still take it off.
    pub fn attached_otherwise(&self) -> Vec<&Attached> {
        self.attached
            .iter()
            .filter(|a| !self.offered.iter().any(|(e, _)| e.kind == a.kind && e.id == a.ref_id))
            .collect()
    }
}

/// What supports an entry; `entrant` (the person looking, one of its entrants) is offered the records of their
/// organisation that they may attach (each feature decides which are theirs to show).
pub async fn load(app: &App, entry: &Entry, entrant: Option<&str>) -> AppResult<Supporting> {
    let files = store::files_of(&app.db, &entry.id).await?;
    let attached = store::attached_evidence(&app.db, &entry.id).await?;
    let offered = match entrant {
        Some(person) if !entry.organisation_id.is_empty() => {
            crate::feature::evidence_of(app, &entry.organisation_id, person)
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?
                .into_iter()
                .map(|e| {
                    let on = attached.iter().any(|a| a.kind == e.kind && a.ref_id == e.id);
                    (e, on)
                })
                .collect()
        }
        _ => Vec::new(),
    };
    Ok(Supporting { files, attached, offered })
}

/// An entry its entrants may still change: reached by them, before the close, not withdrawn.
async fn changeable(app: &App, viewer: &Viewer, id: &str) -> AppResult<(Entry, Programme)> {
    let (entry, _, programme) = super::entering::reach_entry(app, viewer, id).await?;
    if Utc::now() >= programme.entries_close_at || entry.status() == EntryStatus::Withdrawn {
        return Err(AppError::Conflict(super::entering::closed(&programme)));
    }
    Ok((entry, programme))
}

/// Adds a supporting file. A file of a type we do not take, or one too many, is refused beside the upload
/// form with the label kept; the entry's saved text is untouched either way.
async fn upload(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    form: UploadForm,
) -> AppResult<Response> {
    let (entry, _) = changeable(&app, &viewer, &id).await?;
    let mut errors = FieldErrors::default();
    let label = errors.required("file_label", "What the file is", form.text("file_label"), 200);
    errors.one_line("file_label", "What the file is", &label);
    let typed = match form.file("file") {
        None => {
            errors.add("file", "Choose a file to upload.");
            None
        }
        Some(bytes) => match crate::library::files::document_type(bytes) {
            Some((mime, _)) => Some((mime, bytes)),
            None => {
                errors.add("file", "The file must be a PDF, an office document, an image, or plain text or CSV.");
                None
            }
        },
    };
    if store::files_of(&app.db, &id).await?.len() >= MAX_FILES {
        errors.add("file", format!("An entry carries at most {MAX_FILES} files: remove one first."));
    }
    let (Some((mime, bytes)), true) = (typed, errors.is_empty()) else {
        let view = super::entering::entry_view(&app, page, &viewer, &id, None, FieldErrors::default()).await?;
        return invalid(&view.with_upload(form.text("file_label").to_string(), errors));
    };
    let mut tx = app.db.begin().await?;
    let file_id = crate::content::insert_private_file(&mut tx, mime, bytes).await?;
    store::attach_file(&mut tx, &entry.id, &file_id, &label, mime, bytes.len() as i64, Utc::now()).await?;
    tx.commit().await?;
    Ok(redirect_with_notice(&format!("/awards/entries/{id}#supporting"), "The file is added to the entry."))
}

/// A supporting file, for the entry's entrants and for those who judge or oversee it.
async fn download(
    State(app): State<App>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    Path((id, file)): Path<(String, String)>,
) -> AppResult<Response> {
    let entry = store::entry(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    if !policy::can_enter_awards_for(&viewer, &entry.organisation_id, Utc::now()) {
        super::panel::reach(&app, &viewer, &id).await?;
    }
    let listed =
        store::files_of(&app.db, &id).await?.into_iter().find(|f| f.file_id == file).ok_or(AppError::NotFound)?;
    let stored = crate::content::private_file(&app.db, &listed.file_id).await?.ok_or(AppError::NotFound)?;
    let extension = crate::library::files::extension_of(&stored.content_type);
    let name = crate::library::files::download_name(&crate::web::forms::slugify(&listed.label), extension);
    Ok(crate::web::files::send(
        &app.db,
        &headers,
        stored,
        &[
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox".to_string()),
        ],
    ))
}

async fn remove(
    State(app): State<App>,
    viewer: Viewer,
    Path((id, file)): Path<(String, String)>,
) -> AppResult<Response> {
    changeable(&app, &viewer, &id).await?;
    if store::detach_file(&app.db, &id, &file).await? == 0 {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_notice(&format!("/awards/entries/{id}#supporting"), "The file is removed."))
}

/// Attaches the evidence ticked (fields `evidence_{kind}_{id}`), from what the organisation holds now.
async fn attach(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let (entry, _) = changeable(&app, &viewer, &id).await?;
    let person = viewer.user.as_ref().map(|u| u.id.as_str());
    let held = load(&app, &entry, person).await?;
    let ticked = |kind: &str, id: &str| fields.get(&format!("evidence_{kind}_{id}")) == "yes";
    let offered: Vec<&Evidence> = held.offered.iter().map(|(e, _)| e).collect();
    let chosen: Vec<&Evidence> = offered.iter().copied().filter(|e| ticked(e.kind, &e.id)).collect();
    // What is attached but not offered to this person can be taken off, never put back by them.
    let taken_off: Vec<(&str, &str)> = held
        .attached_otherwise()
        .into_iter()
        .filter(|a| !ticked(&a.kind, &a.ref_id))
        .map(|a| (a.kind.as_str(), a.ref_id.as_str()))
        .collect();
    store::set_evidence(&app.db, &entry.id, &offered, &chosen, &taken_off, Utc::now()).await?;
    Ok(redirect_with_notice(&format!("/awards/entries/{id}#supporting"), "The evidence attached is saved."))
}
