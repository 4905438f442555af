//! The organisers' side of the library: write articles (Markdown with a preview button that needs no
//! JavaScript, images uploaded into the text, a "publish at" time) and add resources (a file or a link).

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;

use super::files;
use super::model::{
    Article, ArticleInput, CaseStudy, CaseStudyInput, CheckedFile, DISCIPLINES, RESOURCE_KINDS, Resource,
    ResourceInput, split_list,
};
use super::store;
use crate::App;
use crate::auth::{User, Viewer, policy};
use crate::content::Supporter;
use crate::membership::groups::{self, Group};
use crate::membership::{Organisation, SECTORS, SIZE_BANDS};
use crate::web::forms::{slugify, valid_slug};
use crate::web::upload::{ImageChange, UploadForm, read_image};
use crate::web::{AppError, AppResult, FieldErrors, Page, redirect_with_notice, render, time};

pub fn routes(max_resource_bytes: usize) -> Router<App> {
    Router::new()
        .route("/admin/library", get(list))
        .route("/admin/preview", axum::routing::post(preview))
        .route("/admin/articles/new", get(new_article).post(create_article))
        .route("/admin/articles/{id}", get(edit_article).post(update_article))
        .route("/admin/case-studies/new", get(new_case_study).post(create_case_study))
        .route("/admin/case-studies/{id}", get(edit_case_study).post(update_case_study))
        .merge(
            Router::new()
                .route("/admin/resources/new", get(new_resource).post(create_resource))
                .route("/admin/resources/{id}", get(edit_resource).post(update_resource))
                // Resource files may be larger than the site's other uploads.
                .layer(axum::middleware::from_fn_with_state(
                    max_resource_bytes + 256 * 1024,
                    crate::web::upload::refuse_declared_oversize,
                ))
                .layer(DefaultBodyLimit::max(max_resource_bytes + 256 * 1024)),
        )
}

fn organiser(viewer: &Viewer) -> AppResult<User> {
    policy::require(viewer, policy::can_manage_library(viewer), "/admin/library")?;
    viewer.user.clone().ok_or(AppError::Forbidden)
}

#[derive(Template)]
#[template(path = "library/admin_list.html")]
struct ListPage {
    page: Page,
    articles: Vec<(Article, String)>,
    resources: Vec<(Resource, String)>,
    case_studies: Vec<(CaseStudy, String)>,
}

async fn list(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    let tz = app.config.timezone;
    let dated = |at: chrono::DateTime<Utc>| time::date(at, tz);
    render(&ListPage {
        page: page.titled("Library").noindex(),
        articles: store::all_articles(&app.db)
            .await?
            .into_iter()
            .map(|a| (dated(a.publish_at), a))
            .map(|(d, a)| (a, d))
            .collect(),
        resources: store::all_resources(&app.db)
            .await?
            .into_iter()
            .map(|r| (dated(r.publish_at), r))
            .map(|(d, r)| (r, d))
            .collect(),
        case_studies: store::all_case_studies(&app.db)
            .await?
            .into_iter()
            .map(|c| (dated(c.publish_at), c))
            .map(|(d, c)| (c, d))
            .collect(),
    })
}

#[derive(serde::Deserialize)]
struct PreviewForm {
    #[serde(default)]
    text: String,
}

/// The live preview's answer: the Markdown rendered and sanitised exactly as saving would store it.
async fn preview(viewer: Viewer, crate::web::Form(form): crate::web::Form<PreviewForm>) -> AppResult<Response> {
    organiser(&viewer)?;
    if form.text.len() > 100_000 {
        return Err(AppError::TooLarge("The text is longer than an article may be.".into()));
    }
    let html = crate::web::markdown::to_safe_html(&form.text);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response())
}

/// The fields every item has: audience, group, disciplines, tags, publication.
#[derive(Default)]
struct Common {
    audience: String,
    group: String,
    disciplines: Vec<String>,
    tags: String,
    publish_at: String,
    published: bool,
}

impl Common {
    /// The fields of a stored item, as the form shows them.
    #[allow(clippy::too_many_arguments)]
    fn of(
        audience: &str,
        group_id: Option<&str>,
        disciplines: &str,
        tags: &str,
        publish_at: chrono::DateTime<Utc>,
        published: bool,
        groups: &[Group],
        app: &App,
    ) -> Common {
        Common {
            audience: audience.to_string(),
            group: groups.iter().find(|g| Some(g.id.as_str()) == group_id).map(|g| g.slug.clone()).unwrap_or_default(),
            disciplines: split_list(disciplines),
            tags: tags.to_string(),
            publish_at: time::input_value(publish_at, app.config.timezone),
            published,
        }
    }

    fn from_form(form: &UploadForm) -> Common {
        Common::read(|name| form.text(name))
    }

    /// Reads the fields through `text`, which gives a field's value or "".
    fn read<'a>(text: impl Fn(&str) -> &'a str) -> Common {
        Common {
            audience: text("audience").to_string(),
            group: text("group").to_string(),
            disciplines: DISCIPLINES
                .iter()
                .filter(|(k, _)| !text(&format!("discipline_{k}")).is_empty())
                .map(|(k, _)| k.to_string())
                .collect(),
            tags: text("tags").to_string(),
            publish_at: text("publish_at").to_string(),
            published: !text("published").is_empty(),
        }
    }

    /// Checks the fields; gives (audience, group id, disciplines, tags, publish at).
    fn check(
        &self,
        app: &App,
        groups: &[Group],
        errors: &mut FieldErrors,
    ) -> (String, Option<String>, String, String, chrono::DateTime<Utc>) {
        let audience = match self.audience.as_str() {
            a @ ("public" | "members" | "group") => a.to_string(),
            _ => {
                errors.add("audience", "Choose who may see it: everyone, members, or one group.");
                "members".to_string()
            }
        };
        let group_id = if audience == "group" {
            match groups.iter().find(|g| g.slug == self.group) {
                Some(g) => Some(g.id.clone()),
                None => {
                    errors.add("group", "Choose the group that may see it.");
                    None
                }
            }
        } else {
            None
        };
        let tags = split_list(&self.tags);
        if tags.len() > 20 || tags.iter().any(|t| t.len() > 40) {
            errors.add("tags", "Up to 20 tags, each at most 40 characters.");
        }
        let publish_at = if self.publish_at.trim().is_empty() {
            Utc::now()
        } else {
            time::parse_input(&self.publish_at, app.config.timezone).unwrap_or_else(|| {
                errors.add("publish_at", "Enter a date and time like 2026-11-23T09:00.");
                Utc::now()
            })
        };
        (audience, group_id, self.disciplines.join(","), tags.join(","), publish_at)
    }
}

fn slug_of(errors: &mut FieldErrors, slug: &str, title: &str) -> String {
    let slug = if slug.trim().is_empty() { slugify(title) } else { slug.trim().to_string() };
    if !valid_slug(&slug) {
        errors.add("slug", "The address may use only lower-case letters, digits and hyphens.");
    }
    slug
}

// Articles

#[derive(Default)]
struct ArticleForm {
    title: String,
    slug: String,
    summary: String,
    body: String,
    author_name: String,
    common: Common,
}

#[derive(Template)]
#[template(path = "library/article_form.html")]
struct ArticleEditor {
    page: Page,
    action: String,
    form: ArticleForm,
    errors: FieldErrors,
    groups: Vec<Group>,
    disciplines: &'static [(&'static str, &'static str)],
    preview: Option<String>,
    view_path: Option<String>,
    timezone: String,
}

async fn article_editor(
    app: &App,
    page: Page,
    action: String,
    form: ArticleForm,
    errors: FieldErrors,
    preview: Option<String>,
    view_path: Option<String>,
) -> AppResult<ArticleEditor> {
    Ok(ArticleEditor {
        page: page.titled(if view_path.is_some() { "Edit article" } else { "New article" }).noindex(),
        action,
        form,
        errors,
        groups: groups::all_groups(&app.db).await?,
        disciplines: &DISCIPLINES,
        preview,
        view_path,
        timezone: app.config.timezone.to_string(),
    })
}

async fn new_article(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let me = organiser(&viewer)?;
    let form = ArticleForm {
        author_name: me.name,
        common: Common { audience: "members".into(), ..Common::default() },
        ..ArticleForm::default()
    };
    render(&article_editor(&app, page, "/admin/articles/new".into(), form, FieldErrors::default(), None, None).await?)
}

async fn edit_article(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    let a = store::article_by_id(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let groups = groups::all_groups(&app.db).await?;
    let form = ArticleForm {
        title: a.title.clone(),
        slug: a.slug.clone(),
        summary: a.summary.clone(),
        body: a.body_md.clone(),
        author_name: a.author_name.clone(),
        common: Common::of(
            &a.audience,
            a.group_id.as_deref(),
            &a.disciplines,
            &a.tags,
            a.publish_at,
            a.published,
            &groups,
            &app,
        ),
    };
    let view = Some(format!("/articles/{}", a.slug));
    render(
        &article_editor(&app, page, format!("/admin/articles/{id}"), form, FieldErrors::default(), None, view).await?,
    )
}

async fn create_article(State(app): State<App>, page: Page, viewer: Viewer, form: UploadForm) -> AppResult<Response> {
    save_article(&app, page, &viewer, None, form).await
}

async fn update_article(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    form: UploadForm,
) -> AppResult<Response> {
    organiser(&viewer)?; // who may, before whether it exists
    store::article_by_id(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    save_article(&app, page, &viewer, Some(id), form).await
}

/// Saves an article, or (with the preview button) shows it rendered beside the form without saving. An
/// uploaded image is stored and added to the end of the text either way.
async fn save_article(
    app: &App,
    page: Page,
    viewer: &Viewer,
    id: Option<String>,
    upload: UploadForm,
) -> AppResult<Response> {
    let me = organiser(viewer)?;
    let mut errors = FieldErrors::default();
    let mut form = ArticleForm {
        title: upload.text("title").to_string(),
        slug: upload.text("slug").to_string(),
        summary: upload.text("summary").to_string(),
        body: upload.text("body").to_string(),
        author_name: upload.text("author_name").to_string(),
        common: Common::from_form(&upload),
    };
    if let ImageChange::Replace(content_type, bytes) =
        read_image(&upload, &mut errors, "image", app.config.max_upload_bytes)
    {
        let mut tx = app.db.begin().await?;
        let file_id = crate::content::insert_file(&mut tx, content_type, bytes).await?;
        tx.commit().await?;
        let alt = upload.text("image_alt").trim().replace(['[', ']', '\n'], " ");
        form.body = format!("{}\n\n![{alt}](/files/{file_id})\n", form.body.trim_end());
    }
    let action = id.as_ref().map(|i| format!("/admin/articles/{i}")).unwrap_or_else(|| "/admin/articles/new".into());
    let view = id.as_ref().map(|_| format!("/articles/{}", form.slug));
    if !upload.text("preview").is_empty() {
        let preview = Some(crate::web::markdown::to_safe_html(&form.body));
        return Ok(render(&article_editor(app, page, action, form, errors, preview, view).await?)?.into_response());
    }
    let title = errors.required("title", "The title", &form.title, 200);
    let slug = slug_of(&mut errors, &form.slug, &title);
    let summary = errors.required("summary", "The summary", &form.summary, 500);
    let body_md = errors.required("body", "The text", &form.body, 100_000);
    let author_name = errors.required("author_name", "The author", &form.author_name, 200);
    let groups = groups::all_groups(&app.db).await?;
    let (audience, group_id, disciplines, tags, publish_at) = form.common.check(app, &groups, &mut errors);
    if errors.get("slug").is_none() && store::slug_taken(&app.db, true, &slug, id.as_deref().unwrap_or("")).await? {
        errors.add("slug", "Another article has this address: choose another.");
    }
    if !errors.is_empty() {
        let page = article_editor(app, page, action, form, errors, None, view).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let input = ArticleInput {
        slug: slug.clone(),
        title,
        summary,
        body_md,
        audience,
        group_id,
        author_name,
        disciplines,
        tags,
        published: form.common.published,
        publish_at,
    };
    store::save_article(&app.db, id.as_deref(), &input, &me.id, Utc::now()).await?;
    let notice = match (input.published, input.publish_at > Utc::now()) {
        (false, _) => "The article is saved as a draft.",
        (true, true) => "The article is saved and will appear at the time you set.",
        (true, false) => "The article is published.",
    };
    Ok(redirect_with_notice(&format!("/articles/{slug}"), notice))
}

// Resources

#[derive(Default)]
struct ResourceForm {
    title: String,
    slug: String,
    description: String,
    kind: String,
    link_url: String,
    supporter: String,
    common: Common,
    current_file: Option<String>,
}

#[derive(Template)]
#[template(path = "library/resource_form.html")]
struct ResourceEditor {
    page: Page,
    action: String,
    form: ResourceForm,
    errors: FieldErrors,
    groups: Vec<Group>,
    supporters: Vec<Supporter>,
    kinds: &'static [(&'static str, &'static str)],
    disciplines: &'static [(&'static str, &'static str)],
    max_kb: usize,
    view_path: Option<String>,
    timezone: String,
}

async fn resource_editor(
    app: &App,
    page: Page,
    action: String,
    form: ResourceForm,
    errors: FieldErrors,
    view_path: Option<String>,
) -> AppResult<ResourceEditor> {
    Ok(ResourceEditor {
        page: page.titled(if view_path.is_some() { "Edit resource" } else { "New resource" }).noindex(),
        action,
        form,
        errors,
        groups: groups::all_groups(&app.db).await?,
        supporters: crate::content::supporters(&app.db).await?,
        kinds: &RESOURCE_KINDS,
        disciplines: &DISCIPLINES,
        max_kb: app.config.max_resource_bytes / 1024,
        view_path,
        timezone: app.config.timezone.to_string(),
    })
}

async fn new_resource(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    let form = ResourceForm {
        kind: "guide".into(),
        common: Common { audience: "members".into(), ..Common::default() },
        ..ResourceForm::default()
    };
    render(&resource_editor(&app, page, "/admin/resources/new".into(), form, FieldErrors::default(), None).await?)
}

async fn edit_resource(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    let r = store::resource_by_id(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let groups = groups::all_groups(&app.db).await?;
    let form = ResourceForm {
        title: r.title.clone(),
        slug: r.slug.clone(),
        description: r.description_md.clone(),
        kind: r.kind.clone(),
        link_url: r.link_url.clone().unwrap_or_default(),
        supporter: r.supporter_id.clone().unwrap_or_default(),
        common: Common::of(
            &r.audience,
            r.group_id.as_deref(),
            &r.disciplines,
            &r.tags,
            r.publish_at,
            r.published,
            &groups,
            &app,
        ),
        current_file: r.file_name.clone(),
    };
    let view = Some(format!("/resources/{}", r.slug));
    render(&resource_editor(&app, page, format!("/admin/resources/{id}"), form, FieldErrors::default(), view).await?)
}

async fn create_resource(State(app): State<App>, page: Page, viewer: Viewer, form: UploadForm) -> AppResult<Response> {
    save_resource(&app, page, &viewer, None, form).await
}

async fn update_resource(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    form: UploadForm,
) -> AppResult<Response> {
    organiser(&viewer)?; // who may, before whether it exists
    store::resource_by_id(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    save_resource(&app, page, &viewer, Some(id), form).await
}

async fn save_resource(
    app: &App,
    page: Page,
    viewer: &Viewer,
    id: Option<String>,
    upload: UploadForm,
) -> AppResult<Response> {
    let me = organiser(viewer)?;
    let existing = match &id {
        Some(id) => store::resource_by_id(&app.db, id).await?,
        None => None,
    };
    let mut errors = FieldErrors::default();
    let form = ResourceForm {
        title: upload.text("title").to_string(),
        slug: upload.text("slug").to_string(),
        description: upload.text("description").to_string(),
        kind: upload.text("kind").to_string(),
        link_url: upload.text("link_url").to_string(),
        supporter: upload.text("supporter").to_string(),
        common: Common::from_form(&upload),
        current_file: existing.as_ref().and_then(|r| r.file_name.clone()),
    };
    let title = errors.required("title", "The title", &form.title, 200);
    let slug = slug_of(&mut errors, &form.slug, &title);
    let description_md = errors.required("description", "The description", &form.description, 20_000);
    if !RESOURCE_KINDS.iter().any(|(k, _)| *k == form.kind) {
        errors.add("kind", "Choose the type of resource.");
    }
    let link_url = errors.web_address("link_url", &form.link_url);
    let mut too_large = false;
    let file = match upload.file("file") {
        Some(bytes) if bytes.len() > app.config.max_resource_bytes => {
            too_large = true;
            errors.add("file", format!("The file is too large: at most {} KB.", app.config.max_resource_bytes / 1024));
            None
        }
        Some(bytes) => match files::document_type(bytes) {
            Some((content_type, extension)) => {
                Some(CheckedFile { bytes, content_type, file_name: files::download_name(&slug, extension) })
            }
            None => {
                errors.add(
                    "file",
                    "This kind of file is not accepted: use PDF, Word, Excel, PowerPoint, OpenDocument, an image, CSV or plain text.",
                );
                None
            }
        },
        None => None,
    };
    if link_url.is_empty() && file.is_none() && form.current_file.is_none() && errors.get("file").is_none() {
        errors.add("file", "Upload a file or give a link.");
    }
    let supporters = crate::content::supporters(&app.db).await?;
    let supporter_id = if form.supporter.is_empty() {
        None
    } else if supporters.iter().any(|s| s.id == form.supporter) {
        Some(form.supporter.clone())
    } else {
        errors.add("supporter", "Choose one of the supporters, or none.");
        None
    };
    let groups = groups::all_groups(&app.db).await?;
    let (audience, group_id, disciplines, tags, publish_at) = form.common.check(app, &groups, &mut errors);
    if errors.get("slug").is_none() && store::slug_taken(&app.db, false, &slug, id.as_deref().unwrap_or("")).await? {
        errors.add("slug", "Another resource has this address: choose another.");
    }
    let action = id.as_ref().map(|i| format!("/admin/resources/{i}")).unwrap_or_else(|| "/admin/resources/new".into());
    if !errors.is_empty() {
        let status = if too_large { StatusCode::PAYLOAD_TOO_LARGE } else { StatusCode::UNPROCESSABLE_ENTITY };
        let view = existing.as_ref().map(|r| format!("/resources/{}", r.slug));
        let page = resource_editor(app, page, action, form, errors, view).await?;
        return Ok((status, render(&page)?).into_response());
    }
    let input = ResourceInput {
        slug: slug.clone(),
        title,
        description_md,
        kind: form.kind.clone(),
        link_url: (!link_url.is_empty()).then_some(link_url),
        audience,
        group_id,
        supporter_id,
        disciplines,
        tags,
        published: form.common.published,
        publish_at,
    };
    store::save_resource(&app.db, id.as_deref(), &input, file.as_ref(), &me.id, Utc::now()).await?;
    Ok(redirect_with_notice(&format!("/resources/{slug}"), "The resource is saved."))
}

// Case studies

#[derive(Default)]
struct CaseStudyForm {
    title: String,
    slug: String,
    organisation: String,
    anonymised: bool,
    organisation_label: String,
    sector: String,
    size_band: String,
    region: String,
    challenge: String,
    approach: String,
    results: String,
    lessons: String,
    meeting: String,
    contacts: String,
    resources: Vec<String>,
    common: Common,
}

impl CaseStudyForm {
    /// The four written parts: (field, label, text).
    fn sections(&self) -> Vec<(&'static str, &'static str, &str)> {
        vec![
            ("challenge", "The challenge", self.challenge.as_str()),
            ("approach", "The approach", self.approach.as_str()),
            ("results", "Results, with figures", self.results.as_str()),
            ("lessons", "Lessons", self.lessons.as_str()),
        ]
    }
}

#[derive(Template)]
#[template(path = "library/case_study_form.html")]
struct CaseStudyEditor {
    page: Page,
    action: String,
    form: CaseStudyForm,
    errors: FieldErrors,
    groups: Vec<Group>,
    organisations: Vec<Organisation>,
    meetings: Vec<(String, String)>,
    all_resources: Vec<Resource>,
    sectors: &'static [&'static str],
    sizes: &'static [&'static str],
    regions: Vec<String>,
    disciplines: &'static [(&'static str, &'static str)],
    view_path: Option<String>,
    timezone: String,
}

async fn case_study_editor(
    app: &App,
    page: Page,
    action: String,
    form: CaseStudyForm,
    errors: FieldErrors,
    view_path: Option<String>,
) -> AppResult<CaseStudyEditor> {
    let now = Utc::now();
    let mut meetings = Vec::new();
    for upcoming in [false, true] {
        meetings.extend(crate::meetings::listed(&app.db, upcoming, now).await?.into_iter().map(|m| (m.id, m.title)));
    }
    Ok(CaseStudyEditor {
        page: page.titled(if view_path.is_some() { "Edit case study" } else { "New case study" }).noindex(),
        action,
        form,
        errors,
        groups: groups::all_groups(&app.db).await?,
        organisations: crate::membership::all_organisations(&app.db).await?,
        meetings,
        all_resources: store::all_resources(&app.db).await?,
        sectors: &SECTORS,
        sizes: &SIZE_BANDS,
        regions: crate::membership::regions(&app.db).await?,
        disciplines: &DISCIPLINES,
        view_path,
        timezone: app.config.timezone.to_string(),
    })
}

async fn new_case_study(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    let form = CaseStudyForm {
        common: Common { audience: "members".into(), ..Common::default() },
        ..CaseStudyForm::default()
    };
    render(&case_study_editor(&app, page, "/admin/case-studies/new".into(), form, FieldErrors::default(), None).await?)
}

async fn edit_case_study(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    let c = store::case_study_by_id(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let groups = groups::all_groups(&app.db).await?;
    let contacts =
        store::case_study_contacts(&app.db, &c.id).await?.into_iter().map(|(_, _, e)| e).collect::<Vec<_>>().join(", ");
    let form = CaseStudyForm {
        title: c.title.clone(),
        slug: c.slug.clone(),
        organisation: c.organisation_id.clone().unwrap_or_default(),
        anonymised: c.anonymised,
        organisation_label: c.organisation_label.clone(),
        sector: c.sector.clone(),
        size_band: c.size_band.clone(),
        region: c.region.clone(),
        challenge: c.challenge_md.clone(),
        approach: c.approach_md.clone(),
        results: c.results_md.clone(),
        lessons: c.lessons_md.clone(),
        meeting: c.meeting_id.clone().unwrap_or_default(),
        contacts,
        resources: store::case_study_resource_ids(&app.db, &c.id).await?,
        common: Common::of(
            &c.audience,
            c.group_id.as_deref(),
            &c.disciplines,
            &c.tags,
            c.publish_at,
            c.published,
            &groups,
            &app,
        ),
    };
    let view = Some(format!("/case-studies/{}", c.slug));
    render(
        &case_study_editor(&app, page, format!("/admin/case-studies/{id}"), form, FieldErrors::default(), view).await?,
    )
}

async fn create_case_study(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    crate::web::Form(fields): crate::web::Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    save_case_study(&app, page, &viewer, None, fields).await
}

async fn update_case_study(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    crate::web::Form(fields): crate::web::Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    organiser(&viewer)?; // who may, before whether it exists
    store::case_study_by_id(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    save_case_study(&app, page, &viewer, Some(id), fields).await
}

async fn save_case_study(
    app: &App,
    page: Page,
    viewer: &Viewer,
    id: Option<String>,
    fields: Vec<(String, String)>,
) -> AppResult<Response> {
    let me = organiser(viewer)?;
    let text = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("");
    let form = CaseStudyForm {
        title: text("title").to_string(),
        slug: text("slug").to_string(),
        organisation: text("organisation").to_string(),
        anonymised: !text("anonymised").is_empty(),
        organisation_label: text("organisation_label").to_string(),
        sector: text("sector").to_string(),
        size_band: text("size_band").to_string(),
        region: text("region").to_string(),
        challenge: text("challenge").to_string(),
        approach: text("approach").to_string(),
        results: text("results").to_string(),
        lessons: text("lessons").to_string(),
        meeting: text("meeting").to_string(),
        contacts: text("contacts").to_string(),
        resources: fields.iter().filter(|(k, _)| k == "resource").map(|(_, v)| v.clone()).collect(),
        common: Common::read(text),
    };
    let mut errors = FieldErrors::default();
    let title = errors.required("title", "The title", &form.title, 200);
    let slug = slug_of(&mut errors, &form.slug, &title);
    let organisations = crate::membership::all_organisations(&app.db).await?;
    let organisation = organisations.iter().find(|o| o.id == form.organisation);
    if !form.organisation.is_empty() && organisation.is_none() {
        errors.add("organisation", "Choose one of the network's organisations, or none.");
    }
    // Named: the organisation's name; anonymised: the label the organiser wrote (never the name).
    let organisation_label = match (form.anonymised, organisation) {
        (false, Some(o)) => o.name.clone(),
        _ => errors.required("organisation_label", "How the organisation is described", &form.organisation_label, 200),
    };
    if !SECTORS.contains(&form.sector.as_str()) {
        errors.add("sector", "Choose the sector.");
    }
    if !SIZE_BANDS.contains(&form.size_band.as_str()) {
        errors.add("size_band", "Choose the size of the organisation.");
    }
    let region = crate::membership::region_named(&app.db, &form.region).await?.unwrap_or_default();
    if region.is_empty() {
        errors.add("region", "Choose the region.");
    }
    let challenge_md = errors.required("challenge", "The challenge", &form.challenge, 20_000);
    let approach_md = errors.required("approach", "The approach", &form.approach, 20_000);
    let results_md = errors.required("results", "The results", &form.results, 20_000);
    let lessons_md = errors.required("lessons", "The lessons", &form.lessons, 20_000);
    let meeting_id = if form.meeting.is_empty() {
        None
    } else if crate::meetings::meeting(&app.db, &form.meeting).await?.is_some() {
        Some(form.meeting.clone())
    } else {
        errors.add("meeting", "Choose one of the meetings, or none.");
        None
    };
    let mut contact_ids = Vec::new();
    for address in split_list(&form.contacts) {
        // Only people in the members' area: their address is shown to members.
        let person = crate::auth::user_by_email(&app.db, &address).await?.map(User::from);
        match person {
            Some(u) if policy::can_enter_members_area(&Viewer::of(u.clone()), Utc::now()) => {
                if !contact_ids.contains(&u.id) {
                    contact_ids.push(u.id)
                }
            }
            _ => errors.add("contacts", format!("{address} is not a member's address.")),
        }
    }
    let known: Vec<String> = store::all_resources(&app.db).await?.into_iter().map(|r| r.id).collect();
    let mut resource_ids: Vec<String> = form.resources.iter().filter(|r| known.contains(r)).cloned().collect();
    resource_ids.sort();
    resource_ids.dedup();
    let groups = groups::all_groups(&app.db).await?;
    let (audience, group_id, disciplines, tags, publish_at) = form.common.check(app, &groups, &mut errors);
    if errors.get("slug").is_none() && store::case_study_slug_taken(&app.db, &slug, id.as_deref().unwrap_or("")).await?
    {
        errors.add("slug", "Another case study has this address: choose another.");
    }
    let action =
        id.as_ref().map(|i| format!("/admin/case-studies/{i}")).unwrap_or_else(|| "/admin/case-studies/new".into());
    if !errors.is_empty() {
        let view = id.as_ref().map(|_| format!("/case-studies/{}", form.slug));
        let page = case_study_editor(app, page, action, form, errors, view).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let input = CaseStudyInput {
        slug: slug.clone(),
        title,
        organisation_id: organisation.map(|o| o.id.clone()),
        anonymised: form.anonymised,
        organisation_label,
        sector: form.sector.clone(),
        size_band: form.size_band.clone(),
        region,
        challenge_md,
        approach_md,
        results_md,
        lessons_md,
        meeting_id,
        audience,
        group_id,
        disciplines,
        tags,
        published: form.common.published,
        publish_at,
        contact_ids,
        resource_ids,
    };
    store::save_case_study(&app.db, id.as_deref(), &input, &me.id, Utc::now()).await?;
    Ok(redirect_with_notice(&format!("/case-studies/{slug}"), "The case study is saved."))
}
