//! Organisers run the programme: create and edit meetings (attendees hear of changes of time or place and of
//! cancellation, with an updated invitation), see and export the attendee list, message registrants, mark
//! attendance, attach materials, and read the feedback.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::model::{AUDIENCES, FORMATS, Format, MODES, Meeting, Mode, Registration};
use super::store::{self, Feedback, MeetingInput};
use super::{calendar, messages, registration};
use crate::App;
use crate::auth::{Viewer, policy};
use crate::db::is_unique_violation;
use crate::feature::Waiting;
use crate::mail;
use crate::membership::Organisation;
use crate::membership::groups::{self, Group};
use crate::web::forms::{slugify, valid_slug};
use crate::web::spreadsheet::CsvFile;
use crate::web::upload::UploadForm;
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, invalid, redirect_with_notice, render, time};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/admin/meetings", get(list))
        .route("/admin/meetings/new", get(new_form).post(create))
        .route("/admin/meetings/{id}", get(edit_form).post(update))
        .route("/admin/meetings/{id}/attendees", get(attendees))
        .route("/admin/meetings/{id}/attendees.csv", get(attendees_csv))
        .route("/admin/meetings/{id}/attendance", post(attendance))
        .route("/admin/meetings/{id}/message", post(message))
        .route("/admin/meetings/{id}/remind", post(remind))
        .route("/admin/meetings/{id}/materials", post(materials))
}

fn organiser(viewer: &Viewer) -> AppResult<()> {
    policy::require(viewer, policy::can_manage_meetings(viewer), "/admin/meetings")
}

async fn find(app: &App, id: &str) -> AppResult<Meeting> {
    store::meeting(&app.db, id).await?.ok_or(AppError::NotFound)
}

/// A meeting the viewer may manage: any, for organisers; their group's, for its coordinators.
async fn managed(app: &App, viewer: &Viewer, id: &str) -> AppResult<Meeting> {
    let meeting = find(app, id).await?;
    let standing = match &meeting.group_id {
        Some(group) => groups::standing_in(&app.db, viewer, group).await?,
        None => None,
    };
    policy::require(viewer, policy::can_manage_group_meeting(viewer, standing, Utc::now()), "/admin/meetings")?;
    Ok(meeting)
}

/// The groups the viewer may hold meetings for: all, for organisers; those they coordinate, for coordinators.
/// Refuses anyone who may hold none.
async fn usable_groups(app: &App, viewer: &Viewer) -> AppResult<Vec<Group>> {
    if policy::can_manage_meetings(viewer) {
        return Ok(groups::all_groups(&app.db).await?);
    }
    let mut mine = Vec::new();
    if viewer.user.is_some() {
        for g in groups::all_groups(&app.db).await? {
            let standing = groups::standing_in(&app.db, viewer, &g.id).await?;
            if policy::can_manage_group_meeting(viewer, standing, Utc::now()) {
                mine.push(g);
            }
        }
    }
    policy::require(viewer, !mine.is_empty(), "/admin/meetings/new")?;
    Ok(mine)
}

pub struct Row {
    pub meeting: Meeting,
    pub date: String,
}

#[derive(Template)]
#[template(path = "meetings/admin_list.html")]
struct ListPage {
    page: Page,
    rows: Vec<Row>,
}

async fn list(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    organiser(&viewer)?;
    let rows = store::all(&app.db)
        .await?
        .into_iter()
        .map(|m| Row { date: time::date_time(m.starts_at, app.config.timezone), meeting: m })
        .collect();
    render(&ListPage { page: page.titled("Meetings").noindex(), rows })
}

#[derive(Deserialize, Default, Clone)]
pub struct MeetingForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    agenda: String,
    #[serde(default)]
    discipline_people: Option<String>,
    #[serde(default)]
    discipline_workplace: Option<String>,
    #[serde(default)]
    discipline_technology: Option<String>,
    #[serde(default)]
    discipline_change: Option<String>,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    joining_link: String,
    #[serde(default)]
    venue: String,
    #[serde(default)]
    directions: String,
    #[serde(default)]
    accessibility: String,
    #[serde(default)]
    host: String,
    #[serde(default)]
    chair: String,
    #[serde(default)]
    speakers: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default)]
    closes_at: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    chatham_house: Option<String>,
    #[serde(default)]
    status: String,
}

impl MeetingForm {
    fn from_meeting(m: &Meeting, app: &App, groups: &[Group], hosts: &[Organisation]) -> MeetingForm {
        let tz = app.config.timezone;
        let has = |d: &str| m.disciplines.split(',').any(|x| x == d).then(|| "on".to_string());
        MeetingForm {
            title: m.title.clone(),
            slug: m.slug.clone(),
            format: m.format.clone(),
            summary: m.summary_md.clone(),
            agenda: m.agenda_md.clone(),
            discipline_people: has("people"),
            discipline_workplace: has("workplace"),
            discipline_technology: has("technology"),
            discipline_change: has("change"),
            audience: m.audience.clone(),
            group: m
                .group_id
                .as_ref()
                .and_then(|g| groups.iter().find(|x| &x.id == g))
                .map(|g| g.slug.clone())
                .unwrap_or_default(),
            mode: m.mode.clone(),
            joining_link: m.joining_link.clone(),
            venue: m.venue.clone(),
            directions: m.directions.clone(),
            accessibility: m.accessibility.clone(),
            host: m
                .host_organisation_id
                .as_ref()
                .and_then(|h| hosts.iter().find(|x| &x.id == h))
                .map(|o| o.slug.clone())
                .unwrap_or_default(),
            chair: m.chair.clone(),
            speakers: m.speakers_md.clone(),
            starts_at: time::input_value(m.starts_at, tz),
            ends_at: time::input_value(m.ends_at, tz),
            closes_at: time::input_value(m.registration_closes_at, tz),
            capacity: m.capacity.to_string(),
            chatham_house: m.chatham_house.then(|| "on".to_string()),
            status: m.status.clone(),
        }
    }

    fn has_discipline(&self, key: &str) -> bool {
        match key {
            "people" => self.discipline_people.is_some(),
            "workplace" => self.discipline_workplace.is_some(),
            "technology" => self.discipline_technology.is_some(),
            "change" => self.discipline_change.is_some(),
            _ => false,
        }
    }

    /// Checks the form; `existing` is the meeting being edited (a past start is fine for it); `groups` are those
    /// the viewer may hold meetings for, and only an organiser may hold meetings for everyone.
    fn validate(
        &self,
        app: &App,
        groups: &[Group],
        hosts: &[Organisation],
        existing: Option<&Meeting>,
        organiser: bool,
    ) -> Result<MeetingInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let tz = app.config.timezone;
        let now = Utc::now();
        let title = e.required("title", "Title", &self.title, 200);
        e.one_line("title", "The title", &title);
        let slug = if self.slug.trim().is_empty() { slugify(&title) } else { self.slug.trim().to_string() };
        if !valid_slug(&slug) {
            e.add("slug", "The address may use only lower-case letters, digits and hyphens.");
        }
        if Format::parse(&self.format).is_none() {
            e.add("format", "Choose the meeting's format.");
        }
        let summary_md = e.required("summary", "The summary", &self.summary, 20_000);
        let agenda_md = e.optional("agenda", "The agenda", &self.agenda, 20_000);
        let speakers_md = e.optional("speakers", "The speakers", &self.speakers, 20_000);
        if !AUDIENCES.iter().any(|(k, _)| *k == self.audience) {
            e.add("audience", "Choose who may come.");
        }
        let group_id = groups.iter().find(|g| g.slug == self.group).map(|g| g.id.clone());
        if !organiser && self.audience != "group" {
            e.add(
                "audience",
                "As a group's coordinator, you hold meetings for your group: choose \"One group's members\".",
            );
        }
        if self.audience == "group" && group_id.is_none() {
            e.add("group", "Choose the group whose meeting this is.");
        }
        let mode = Mode::parse(&self.mode);
        if mode.is_none() {
            e.add("mode", "Choose virtual, in person or hybrid.");
        }
        let joining_link = self.joining_link.trim().to_string();
        if !joining_link.is_empty() {
            match url::Url::parse(&joining_link) {
                Ok(u) if u.scheme() == "https" && u.host().is_some() && joining_link.len() <= 500 => {}
                _ => e.add("joining_link", "The joining link must be an https:// address."),
            }
        }
        if mode.is_some_and(Mode::is_online) && joining_link.is_empty() && self.status == "published" {
            e.add(
                "joining_link",
                "A virtual or hybrid meeting needs its https:// joining link before it is published.",
            );
        }
        let venue = e.optional("venue", "The venue", &self.venue, 500);
        e.one_line("venue", "The venue", &venue);
        if mode.is_some_and(Mode::has_venue) && venue.is_empty() {
            e.add("venue", "An in-person or hybrid meeting needs its venue and address.");
        }
        let directions = e.optional("directions", "The directions", &self.directions, 2000);
        let accessibility = e.optional("accessibility", "The accessibility notes", &self.accessibility, 2000);
        let host_organisation_id = hosts.iter().find(|o| o.slug == self.host).map(|o| o.id.clone());
        let chair = e.optional("chair", "The chair", &self.chair, 200);
        e.one_line("chair", "The chair", &chair);
        let starts_at = parse_time(&mut e, "starts_at", "the start", &self.starts_at, tz);
        let ends_at = parse_time(&mut e, "ends_at", "the end", &self.ends_at, tz);
        let registration_closes_at = if self.closes_at.trim().is_empty() {
            starts_at
        } else {
            parse_time(&mut e, "closes_at", "the closing time", &self.closes_at, tz)
        };
        if let (Some(s), Some(end)) = (starts_at, ends_at)
            && end <= s
        {
            e.add("ends_at", "The meeting must end after it starts.");
        }
        let start_changed = existing.is_none_or(|m| Some(m.starts_at) != starts_at);
        if let Some(s) = starts_at
            && s <= now
            && start_changed
        {
            e.add("starts_at", "A new meeting cannot start in the past.");
        }
        if let (Some(s), Some(c)) = (starts_at, registration_closes_at)
            && c > s
        {
            e.add("closes_at", "Registration must close at or before the start.");
        }
        let capacity = match self.capacity.trim().parse::<i64>() {
            Ok(n) if (1..=100_000).contains(&n) => n,
            _ => {
                e.add("capacity", "The capacity is a whole number of places, at least 1.");
                0
            }
        };
        if !["draft", "published", "cancelled"].contains(&self.status.as_str()) {
            e.add("status", "Choose draft, published or cancelled.");
        }
        e.into_result()?;
        let (Some(starts_at), Some(ends_at), Some(registration_closes_at)) =
            (starts_at, ends_at, registration_closes_at)
        else {
            return Err(FieldErrors::default());
        };
        // The network's one list of disciplines, as joining, the library and profiles use it.
        let disciplines = crate::membership::DISCIPLINES
            .into_iter()
            .map(|(key, _)| key)
            .filter(|d| self.has_discipline(d))
            .collect::<Vec<_>>()
            .join(",");
        Ok(MeetingInput {
            slug,
            title,
            format: self.format.clone(),
            summary_md,
            agenda_md,
            disciplines,
            audience: self.audience.clone(),
            group_id: if self.audience == "group" { group_id } else { None },
            mode: self.mode.clone(),
            joining_link,
            venue,
            directions,
            accessibility,
            host_organisation_id,
            chair,
            speakers_md,
            starts_at,
            ends_at,
            registration_closes_at,
            capacity,
            chatham_house: self.chatham_house.is_some(),
            status: self.status.clone(),
        })
    }
}

fn parse_time(
    e: &mut FieldErrors,
    field: &'static str,
    what: &str,
    value: &str,
    tz: chrono_tz::Tz,
) -> Option<DateTime<Utc>> {
    let parsed = time::parse_input(value, tz);
    if parsed.is_none() {
        e.add(field, format!("Give {what} as a date and time, like 2027-03-04T12:30."));
    }
    parsed
}

#[derive(Template)]
#[template(path = "meetings/admin_form.html")]
struct EditorPage {
    page: Page,
    action: String,
    form: MeetingForm,
    errors: FieldErrors,
    formats: [(&'static str, &'static str); 5],
    disciplines: [(&'static str, &'static str); 4],
    modes: [(&'static str, &'static str); 3],
    audiences: [(&'static str, &'static str); 3],
    groups: Vec<Group>,
    hosts: Vec<Organisation>,
    timezone: String,
}

async fn editor(
    app: &App,
    page: Page,
    title: &str,
    action: String,
    form: MeetingForm,
    errors: FieldErrors,
    groups: Vec<Group>,
) -> AppResult<EditorPage> {
    Ok(EditorPage {
        page: page.titled(title).noindex(),
        action,
        form,
        errors,
        formats: FORMATS,
        disciplines: crate::membership::DISCIPLINES,
        modes: MODES,
        audiences: AUDIENCES,
        groups,
        hosts: crate::membership::all_organisations(&app.db).await?,
        timezone: app.config.timezone.to_string(),
    })
}

async fn new_form(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let groups = usable_groups(&app, &viewer).await?;
    let organiser = policy::can_manage_meetings(&viewer);
    let form = MeetingForm {
        format: "case_study".into(),
        audience: if organiser { "members".into() } else { "group".into() },
        mode: "virtual".into(),
        capacity: "40".into(),
        status: "draft".into(),
        chatham_house: Some("on".into()),
        ..MeetingForm::default()
    };
    render(
        &editor(&app, page, "New meeting", "/admin/meetings/new".into(), form, FieldErrors::default(), groups.clone())
            .await?,
    )
}

async fn create(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Form(form): Form<MeetingForm>,
) -> AppResult<Response> {
    let groups = usable_groups(&app, &viewer).await?;
    let hosts = crate::membership::all_organisations(&app.db).await?;
    let input = match form.validate(&app, &groups, &hosts, None, policy::can_manage_meetings(&viewer)) {
        Ok(input) => input,
        Err(errors) => {
            return invalid(
                &editor(&app, page, "New meeting", "/admin/meetings/new".into(), form, errors, groups.clone()).await?,
            );
        }
    };
    match store::insert_meeting(&app.db, &input).await {
        Ok(_) => Ok(redirect_with_notice(&format!("/meetings/{}", input.slug), "The meeting is saved.")),
        Err(e) if is_unique_violation(&e) => {
            let mut errors = FieldErrors::default();
            errors.add("slug", "Another meeting already has this address.");
            invalid(
                &editor(&app, page, "New meeting", "/admin/meetings/new".into(), form, errors, groups.clone()).await?,
            )
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let m = managed(&app, &viewer, &id).await?;
    let groups = usable_groups(&app, &viewer).await?;
    let form = MeetingForm::from_meeting(&m, &app, &groups, &crate::membership::all_organisations(&app.db).await?);
    render(
        &editor(
            &app,
            page,
            &format!("Edit {}", m.title),
            format!("/admin/meetings/{id}"),
            form,
            FieldErrors::default(),
            groups.clone(),
        )
        .await?,
    )
}

async fn update(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<MeetingForm>,
) -> AppResult<Response> {
    let old = managed(&app, &viewer, &id).await?;
    let groups = usable_groups(&app, &viewer).await?;
    let hosts = crate::membership::all_organisations(&app.db).await?;
    let title = format!("Edit {}", old.title);
    let input = match form.validate(&app, &groups, &hosts, Some(&old), policy::can_manage_meetings(&viewer)) {
        Ok(input) => input,
        Err(errors) => {
            return invalid(
                &editor(&app, page, &title, format!("/admin/meetings/{id}"), form, errors, groups.clone()).await?,
            );
        }
    };
    // Attendees hear of a new time or place, and of a cancellation, with an updated invitation.
    let moved = old.starts_at != input.starts_at
        || old.ends_at != input.ends_at
        || old.venue != input.venue
        || old.mode != input.mode;
    let cancelled = old.status != "cancelled" && input.status == "cancelled";
    let notify = (moved && old.status == "published") || cancelled;
    let mut tx = app.db.begin().await?;
    match store::update_meeting(&mut tx, &id, &input, notify).await {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            let mut errors = FieldErrors::default();
            errors.add("slug", "Another meeting already has this address.");
            return invalid(
                &editor(&app, page, &title, format!("/admin/meetings/{id}"), form, errors, groups.clone()).await?,
            );
        }
        Err(e) => return Err(e.into()),
    }
    let meeting = store::meeting_in(&mut tx, &id).await?;
    if notify {
        let ics = calendar::invitation(&app, &meeting)?;
        for r in store::registrations(&app.db, &id).await?.iter().filter(|r| r.is_confirmed() || r.is_waitlisted()) {
            mail::queue(&app, &mut tx, mail::Kind::Transactional, &messages::changed(&app, &meeting, r, ics.clone())?)
                .await?;
        }
    }
    // More places may free the waitlist.
    if input.capacity > old.capacity && meeting.status == "published" {
        registration::promote_next(&app, &mut tx, &meeting).await.map_err(|e| AppError::Internal(e.to_string()))?;
    }
    tx.commit().await?;
    app.wake_mail();
    let notice = if notify { "Saved, and every registrant has been told of the change." } else { "Saved." };
    Ok(redirect_with_notice(&format!("/meetings/{}", meeting.slug), notice))
}

#[derive(Template)]
#[template(path = "meetings/attendees.html")]
struct AttendeesPage {
    page: Page,
    meeting: Meeting,
    registrations: Vec<Registration>,
    /// The waitlist in its order, with when each person joined it (network time).
    waitlist: Vec<(Registration, String)>,
    /// Whether a reminder may still go (before the start, not cancelled).
    can_remind: bool,
    feedback: Vec<Feedback>,
    average: Option<String>,
}

async fn attendees(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let meeting = managed(&app, &viewer, &id).await?;
    let registrations = store::registrations(&app.db, &id).await?;
    let feedback = store::feedback(&app.db, &id).await?;
    let average = (!feedback.is_empty())
        .then(|| format!("{:.1}", feedback.iter().map(|f| f.score as f64).sum::<f64>() / feedback.len() as f64));
    let mut waitlist: Vec<(Registration, String)> = registrations
        .iter()
        .filter(|r| r.is_waitlisted())
        .map(|r| (r.clone(), crate::web::time::date_time(r.queued_at, app.config.timezone)))
        .collect();
    waitlist.sort_by(|a, b| a.0.queued_at.cmp(&b.0.queued_at).then_with(|| a.0.id.cmp(&b.0.id)));
    render(&AttendeesPage {
        page: page.titled(&format!("Attendees: {}", meeting.title)).noindex(),
        can_remind: !meeting.is_cancelled() && meeting.starts_at > Utc::now(),
        waitlist,
        meeting,
        registrations,
        feedback,
        average,
    })
}

async fn attendees_csv(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    let meeting = managed(&app, &viewer, &id).await?;
    let mut file = CsvFile::new(&["name", "email", "organisation", "status", "registered_at", "attended"])?;
    for r in store::registrations(&app.db, &id).await? {
        let attended = match r.attended {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        let at = r.queued_at.to_rfc3339();
        file.row(&[&r.name, &r.email, &r.organisation, &r.status, &at, attended])?;
    }
    file.download(&format!("{}-attendees.csv", meeting.slug))
}

async fn attendance(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    managed(&app, &viewer, &id).await?;
    let present: Vec<&str> = fields.iter().filter(|(k, _)| k == "attended").map(|(_, v)| v.as_str()).collect();
    for r in store::registrations(&app.db, &id).await?.iter().filter(|r| r.is_confirmed()) {
        store::set_attended(&app.db, &id, &r.id, present.contains(&r.id.as_str())).await?;
    }
    Ok(redirect_with_notice(&format!("/admin/meetings/{id}/attendees"), "Attendance is saved."))
}

#[derive(Deserialize)]
struct MessageForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

async fn message(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<MessageForm>,
) -> AppResult<Response> {
    let meeting = managed(&app, &viewer, &id).await?;
    let subject = form.subject.trim();
    let body = form.body.trim();
    if subject.is_empty() || body.is_empty() || subject.chars().count() > 200 || body.chars().count() > 10_000 {
        return Err(AppError::BadRequest(
            "Write a subject (up to 200 characters) and a message (up to 10,000).".into(),
        ));
    }
    let link = app.config.link(&format!("/meetings/{}", meeting.slug));
    let recipients: Vec<Registration> = store::registrations(&app.db, &id)
        .await?
        .into_iter()
        .filter(|r| r.is_confirmed() || r.is_waitlisted())
        .collect();
    let mut tx = app.db.begin().await?;
    for r in &recipients {
        mail::queue(
            &app,
            &mut tx,
            mail::Kind::Transactional,
            &messages::message(&app, &meeting, r, subject, body, &link)?,
        )
        .await?;
    }
    tx.commit().await?;
    app.wake_mail();
    Ok(redirect_with_notice(
        &format!("/admin/meetings/{id}/attendees"),
        &format!("The message is on its way to {} people.", recipients.len()),
    ))
}

/// An organiser reminds everyone registered now (a change of room, a last call), with the same reminder the
/// scheduled job sends, which then does not repeat it. Each person's choice about reminders is honoured.
async fn remind(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    let meeting = managed(&app, &viewer, &id).await?;
    let now = Utc::now();
    if meeting.is_cancelled() || meeting.starts_at <= now {
        return Err(AppError::Conflict("A reminder goes only before a meeting that is going ahead.".into()));
    }
    let confirmed: Vec<Registration> =
        store::registrations(&app.db, &id).await?.into_iter().filter(|r| r.is_confirmed()).collect();
    let mut tx = app.db.begin().await?;
    let mut queued = 0;
    for r in &confirmed {
        let kind = mail::Kind::Chosen(mail::Category::MeetingReminders);
        queued += usize::from(mail::queue(&app, &mut tx, kind, &messages::reminder(&app, &meeting, r)?).await?);
        store::mark_reminded(&mut tx, &r.id, now).await?;
    }
    tx.commit().await?;
    app.wake_mail();
    Ok(redirect_with_notice(
        &format!("/admin/meetings/{id}/attendees"),
        &format!(
            "A reminder is on its way to {queued} of the {} people registered (the rest chose no reminders).",
            confirmed.len()
        ),
    ))
}

/// Slides may be PDF or PowerPoint, decided from the bytes.
fn slides_type(bytes: &[u8]) -> Option<&'static str> {
    match infer::get(bytes)?.mime_type() {
        t @ ("application/pdf" | "application/vnd.openxmlformats-officedocument.presentationml.presentation") => {
            Some(t)
        }
        _ => None,
    }
}

async fn materials(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: UploadForm,
) -> AppResult<Response> {
    managed(&app, &viewer, &id).await?;
    let mut errors = FieldErrors::default();
    let notes = errors.optional("notes", "The notes", form.text("notes"), 50_000);
    let recording = errors.web_address("recording_link", form.text("recording_link"));
    let slides = match form.file("slides") {
        Some(bytes) if bytes.len() > app.config.max_upload_bytes => {
            errors.add("slides", "The slides are too large for the upload limit.");
            None
        }
        Some(bytes) => match slides_type(bytes) {
            Some(t) => Some((t, bytes)),
            None => {
                errors.add("slides", "Slides must be a PDF or a PowerPoint (.pptx) file.");
                None
            }
        },
        None => None,
    };
    if let Some((_, message)) = errors.messages().first() {
        return Err(AppError::BadRequest(message.to_string()));
    }
    let mut tx = app.db.begin().await?;
    let file = match slides {
        Some((t, bytes)) => Some(crate::content::insert_private_file(&mut tx, t, bytes).await?),
        None => None,
    };
    store::set_materials(&mut tx, &id, &notes, &recording, file.as_deref().map(Some)).await?;
    tx.commit().await?;
    Ok(redirect_with_notice(&format!("/admin/meetings/{id}/attendees"), "The materials are saved."))
}

/// How many days ahead the organisers' overview looks for meetings.
const AHEAD_DAYS: i64 = 60;

/// The meetings of the next weeks with their places left, for the organisers' overview.
pub(super) async fn waiting(app: &App, now: DateTime<Utc>) -> AppResult<Vec<Waiting>> {
    let (count, first) = store::ahead(&app.db, now, now + chrono::Duration::days(AHEAD_DAYS), 5).await?;
    let tz = app.config.timezone;
    let details = first
        .into_iter()
        .map(|m| {
            let left = m.capacity - m.confirmed;
            let places = match (left > 0, m.waitlisted) {
                (true, _) => format!("{left} of {} places left", m.capacity),
                (false, 0) => "full".to_string(),
                (false, n) => format!("full, {n} on the waitlist"),
            };
            format!("{}, {}: {places}", m.title, time::date(m.starts_at, tz))
        })
        .collect();
    Ok(vec![Waiting {
        title: "Meetings ahead",
        count,
        summary: if count == 0 {
            format!("No meeting is published for the next {AHEAD_DAYS} days.")
        } else {
            format!("Published for the next {AHEAD_DAYS} days.")
        },
        details,
        path: "/admin/meetings".into(),
        decision: false,
    }])
}
