//! The meetings programme as people see it: listings, a meeting's page, registration (members with a click,
//! guests by e-mail), cancellation, feedback afterwards, and calendars.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::calendar;
use super::model::{AUDIENCES, FORMATS, Listed, Meeting, Registration, label};
use super::registration::{self, Place, RegisterError};
use super::store::{self, TokenKind};
use crate::App;
use crate::auth::policy::{self, Audience, MeetingStatus, MeetingView, RegistrationStatus};
use crate::auth::{Viewer, tokens};
use crate::membership::groups;
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, redirect_with_notice, render, time};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/meetings", get(list))
        .route("/meetings/calendar.ics", get(public_feed))
        .route("/meetings/{slug}", get(show))
        .route("/meetings/{slug}/calendar.ics", get(one_calendar))
        .route("/meetings/{slug}/register", post(register))
        .route("/meetings/{slug}/cancel", post(cancel_own))
        .route("/meetings/{slug}/name", post(name_shown))
        .route("/meetings/{slug}/guest", post(register_guest))
        .route("/meetings/{slug}/feedback", post(feedback))
        .route("/meetings/{slug}/slides", get(slides))
        .route("/registrations/confirm/{token}", get(confirm_form).post(confirm))
        .route("/registrations/cancel/{token}", get(cancel_form).post(cancel_by_link))
        .route("/calendar/{token}", get(private_feed))
        .route("/account/calendar", get(calendar_page).post(calendar_link))
}

/// What the viewer sees of a meeting, decided by the policy.
pub async fn view_of(app: &App, viewer: &Viewer, meeting: &Meeting) -> AppResult<MeetingView> {
    Ok(Views::of(app, viewer).await?.view(meeting))
}

/// The joining link, for a registration the policy lets see it now (pages and the API alike).
pub fn joining_link(
    app: &App,
    meeting: &Meeting,
    registration: Option<&Registration>,
    now: DateTime<Utc>,
) -> Option<String> {
    policy::can_see_joining_link(
        registration.map(Registration::status),
        meeting.status(),
        meeting.starts_at,
        app.config.joining_link_release,
        now,
    )
    .then(|| meeting.joining_link.clone())
    .filter(|l| !l.is_empty() && meeting.mode().is_online())
}

/// What one viewer sees of many meetings: their groups are read once, not once per group meeting.
pub struct Views {
    viewer: Viewer,
    groups: Vec<String>,
    now: DateTime<Utc>,
}

impl Views {
    pub async fn of(app: &App, viewer: &Viewer) -> Result<Views, sqlx::Error> {
        let groups = groups::my_groups(&app.db, viewer).await?;
        Ok(Views { viewer: viewer.clone(), groups, now: Utc::now() })
    }

    pub fn view(&self, m: &Meeting) -> MeetingView {
        self.decide(&m.audience(), m.status(), m.group_id.as_deref())
    }

    pub fn decide(&self, audience: &Audience, status: MeetingStatus, group_id: Option<&str>) -> MeetingView {
        let in_group = group_id.is_some_and(|g| self.groups.iter().any(|mine| mine == g));
        policy::meeting_view(&self.viewer, audience, status, in_group, self.now)
    }
}

/// What a listing reads a stretch at a time: whole meetings (the API) or their cards (pages).
pub(super) trait Listing: Sized {
    /// How many to read for each one wanted, to allow for those hidden from the viewer (`seen`).
    const SPARE: usize;

    async fn stretch(
        app: &App,
        upcoming: bool,
        now: DateTime<Utc>,
        narrowed: &store::Narrowed<'_>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Self>, sqlx::Error>;

    fn view(&self, views: &Views) -> MeetingView;
}

impl Listing for Meeting {
    // Whole meetings are wide: none read beyond what is wanted (and five).
    const SPARE: usize = 1;

    async fn stretch(
        app: &App,
        upcoming: bool,
        now: DateTime<Utc>,
        narrowed: &store::Narrowed<'_>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Meeting>, sqlx::Error> {
        store::listed_from(&app.db, upcoming, now, narrowed, offset, limit).await
    }

    fn view(&self, views: &Views) -> MeetingView {
        views.view(self)
    }
}

impl Listing for Listed {
    // A read's cost is mostly fixed (SQLite picks and sorts the whole listing first) and a card's few columns
    // cost little more, so one read is worth twice what is wanted.
    const SPARE: usize = 2;

    async fn stretch(
        app: &App,
        upcoming: bool,
        now: DateTime<Utc>,
        narrowed: &store::Narrowed<'_>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Listed>, sqlx::Error> {
        store::cards_from(&app.db, upcoming, now, narrowed, offset, limit).await
    }

    fn view(&self, views: &Views) -> MeetingView {
        views.decide(&self.audience(), self.status(), self.group_id.as_deref())
    }
}

/// A meeting in a listing: full for those who may see it, a teaser (title, date, format, "for members") else.
pub struct Card {
    pub slug: String,
    pub title: String,
    pub format: &'static str,
    pub date: String,
    pub full: bool,
    pub summary_html: String,
    pub mode: &'static str,
    pub audience: &'static str,
    pub cancelled: bool,
}

fn card(app: &App, m: &Listed, view: MeetingView) -> Card {
    let full = view == MeetingView::Full;
    Card {
        slug: m.slug.clone(),
        title: m.title.clone(),
        format: m.format_label(),
        date: time::date_time(m.starts_at, app.config.timezone),
        full,
        summary_html: if full { m.summary_html.clone() } else { String::new() },
        mode: if full { m.mode_label() } else { "" },
        audience: label(&AUDIENCES, &m.audience),
        cancelled: m.is_cancelled(),
    }
}

/// The next meetings the viewer may see, for the home page.
pub async fn upcoming_cards(app: &App, viewer: &Viewer, limit: usize) -> AppResult<Vec<Card>> {
    let views = Views::of(app, viewer).await?;
    let shown = |m: &Listed, view: MeetingView| view != MeetingView::Hidden && !m.is_cancelled();
    Ok(first_seen(app, &views, true, limit, shown).await?.iter().map(|(m, view)| card(app, m, *view)).collect())
}

/// The first `limit` meetings (upcoming or past) that `keep` accepts as the viewer sees them.
pub(super) async fn first_seen<M: Listing>(
    app: &App,
    views: &Views,
    upcoming: bool,
    limit: usize,
    keep: impl Fn(&M, MeetingView) -> bool,
) -> Result<Vec<(M, MeetingView)>, sqlx::Error> {
    Ok(seen(app, views, upcoming, &store::Narrowed::default(), 0, limit, false, keep).await?.0)
}

/// The meetings `skip`.. `skip + limit` of those (upcoming or past, narrowed) that `keep` accepts as the viewer
/// sees them, and, if `wants_next` (a page's "Next" link), whether more follow (else always `false`: reading
/// stops at the last one wanted, for the home page and the API's list).
///
/// Read a stretch at a time, since reading every meeting cost more than a page of them: `M::SPARE` times what
/// is wanted, and five, at most 100. A read's cost is mostly fixed (SQLite picks and sorts the whole listing
/// before it cuts the stretch), so for cards one read is usually enough.
#[allow(clippy::too_many_arguments)]
async fn seen<M: Listing>(
    app: &App,
    views: &Views,
    upcoming: bool,
    narrowed: &store::Narrowed<'_>,
    skip: usize,
    limit: usize,
    wants_next: bool,
    keep: impl Fn(&M, MeetingView) -> bool,
) -> Result<(Vec<(M, MeetingView)>, bool), sqlx::Error> {
    let batch = (M::SPARE * (skip + limit) + 5).min(100);
    let (mut kept, mut out) = (0, Vec::new());
    for offset in (0..).step_by(batch) {
        let found = M::stretch(app, upcoming, views.now, narrowed, offset as i64, batch as i64).await?;
        let last = found.len() < batch;
        for m in found {
            let view = m.view(views);
            if !keep(&m, view) {
                continue;
            }
            kept += 1;
            if kept > skip + limit {
                return Ok((out, true));
            }
            if kept > skip {
                out.push((m, view));
            }
            if !wants_next && kept == skip + limit {
                return Ok((out, false));
            }
        }
        if last {
            break;
        }
    }
    Ok((out, false))
}

#[derive(Deserialize, Default)]
struct Filters {
    #[serde(default)]
    when: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    discipline: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    page: Option<usize>,
}

/// Meetings on one page of the list.
pub const PER_PAGE: usize = 20;

#[derive(Template)]
#[template(path = "meetings/list.html")]
struct ListPage {
    page: Page,
    cards: Vec<Card>,
    page_number: usize,
    has_next: bool,
    /// The list's choices, for the page links (values from the closed lists and a group's slug only).
    keep: String,
    past: bool,
    format: String,
    discipline: String,
    group: String,
    groups: Vec<groups::Group>,
    formats: [(&'static str, &'static str); 5],
    disciplines: [(&'static str, &'static str); 4],
}

async fn list(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Query(f): Query<Filters>,
) -> AppResult<impl IntoResponse> {
    let past = f.when == "past";
    // Only members may filter by group: the groups' names are for them.
    let all_groups = if policy::can_enter_members_area(&viewer, Utc::now()) {
        groups::all_groups(&app.db).await?
    } else {
        Vec::new()
    };
    let group = all_groups.iter().find(|g| g.slug == f.group);
    // Only values from the closed lists narrow the list (anything else shows every meeting, as "Any" does), so
    // the page links carry nothing a person typed.
    let known = |value: &str, list: &[(&str, &str)]| {
        if list.iter().any(|(k, _)| *k == value) { value.to_string() } else { String::new() }
    };
    let (format, discipline) = (known(&f.format, &FORMATS), known(&f.discipline, &crate::membership::DISCIPLINES));
    let narrowed =
        store::Narrowed { format: &format, discipline: &discipline, group_id: group.map_or("", |g| g.id.as_str()) };
    let views = Views::of(&app, &viewer).await?;
    let page_number = f.page.unwrap_or(1).clamp(1, 10_000);
    let (shown, has_next) =
        seen::<Listed>(&app, &views, !past, &narrowed, (page_number - 1) * PER_PAGE, PER_PAGE, true, |_, view| {
            view != MeetingView::Hidden
        })
        .await?;
    let cards = shown.iter().map(|(m, view)| card(&app, m, *view)).collect();
    let title = if past { "Past meetings" } else { "Meetings" };
    let group = group.map(|g| g.slug.clone()).unwrap_or_default();
    let when = if past { "when=past&" } else { "" };
    render(&ListPage {
        page: page.titled(title),
        cards,
        page_number,
        has_next,
        keep: format!("{when}format={format}&discipline={discipline}&group={group}"),
        past,
        group,
        format,
        discipline,
        groups: all_groups,
        formats: FORMATS,
        disciplines: crate::membership::DISCIPLINES,
    })
}

#[derive(Template)]
#[template(path = "meetings/show.html")]
struct MeetingPage {
    page: Page,
    card: Card,
    meeting: Option<Meeting>,
    when: String,
    host: Option<(String, String)>,
    registration: Option<Registration>,
    joining_link: Option<String>,
    spaces_left: i64,
    waitlist: usize,
    closed_reason: Option<String>,
    can_register: bool,
    can_register_as_guest: bool,
    materials: bool,
    can_give_feedback: bool,
    can_manage: bool,
    errors: FieldErrors,
    guest: GuestForm,
    /// Case studies presented at the meeting that the viewer may read: (address, title).
    case_studies: Vec<(String, String)>,
    /// Who is going, as far as the viewer may know it.
    going: Option<Going>,
}

/// Who is going to a meeting: how many, and the names members chose to show (to members only).
pub struct Going {
    pub count: usize,
    /// (name, member id) of those named, for their names and faces.
    pub names: Vec<(String, String)>,
    /// Whether names are shown to this viewer at all (members), else only the count.
    pub named: bool,
}

impl Going {
    fn of(registrations: &[Registration], named: bool) -> Going {
        let confirmed: Vec<&Registration> = registrations.iter().filter(|r| r.is_confirmed()).collect();
        let mut names: Vec<(String, String)> = if named {
            confirmed
                .iter()
                .filter(|r| r.name_shown)
                .filter_map(|r| r.user_id.as_ref().map(|id| (r.name.clone(), id.clone())))
                .collect()
        } else {
            Vec::new()
        };
        names.sort();
        Going { count: confirmed.len(), names, named }
    }

    /// Those counted but not named: members who chose not to be, and guests.
    pub fn unnamed(&self) -> usize {
        self.count - self.names.len()
    }
}

async fn meeting_page(
    app: &App,
    page: Page,
    viewer: &Viewer,
    meeting: Meeting,
    errors: FieldErrors,
    guest: GuestForm,
) -> AppResult<MeetingPage> {
    let now = Utc::now();
    let view = view_of(app, viewer, &meeting).await?;
    if view == MeetingView::Hidden {
        return Err(AppError::NotFound);
    }
    let card = card(app, &meeting.listed(), view);
    let mut page = page.titled(&meeting.title);
    if !meeting.is_open() || meeting.status == "draft" {
        page = page.noindex();
    }
    if view == MeetingView::Teaser {
        return Ok(MeetingPage {
            page,
            card,
            meeting: None,
            when: String::new(),
            host: None,
            registration: None,
            joining_link: None,
            spaces_left: 0,
            waitlist: 0,
            closed_reason: None,
            can_register: false,
            can_register_as_guest: false,
            materials: false,
            case_studies: Vec::new(),
            can_give_feedback: false,
            can_manage: false,
            errors,
            guest,
            going: None,
        });
    }
    let registrations = store::registrations(&app.db, &meeting.id).await?;
    let confirmed = registrations.iter().filter(|r| r.is_confirmed()).count() as i64;
    let waitlist = registrations.iter().filter(|r| r.is_waitlisted()).count();
    let registration = match &viewer.user {
        Some(user) => {
            store::registration_of(&app.db, &meeting.id, &user.email).await?.filter(|r| r.status != "cancelled")
        }
        None => None,
    };
    let joining_link = joining_link(app, &meeting, registration.as_ref(), now);
    let closed_reason = if meeting.is_cancelled() {
        Some("This meeting has been cancelled.".to_string())
    } else if meeting.starts_at <= now {
        Some("This meeting has taken place.".to_string())
    } else if meeting.registration_closes_at <= now {
        Some(format!(
            "Registration closed on {}.",
            time::date_time(meeting.registration_closes_at, app.config.timezone)
        ))
    } else {
        None
    };
    let host = match &meeting.host_organisation_id {
        Some(id) => crate::membership::organisation(&app.db, id).await?.map(|o| (o.name, o.slug)),
        None => None,
    };
    let open_for_registration = closed_reason.is_none();
    let reach = crate::library::reach_of(app, viewer).await?;
    let case_studies = crate::library::case_studies(&app.db, &reach, &Default::default(), now)
        .await?
        .into_iter()
        .filter(|c| c.meeting_id.as_deref() == Some(meeting.id.as_str()))
        .map(|c| (c.slug, c.title))
        .collect();
    let named = policy::can_see_who_is_going(viewer, now);
    let going = (named || meeting.is_open()).then(|| Going::of(&registrations, named));
    Ok(MeetingPage {
        going,
        case_studies,
        page,
        card,
        when: format!(
            "{} to {} ({} time)",
            time::date_time(meeting.starts_at, app.config.timezone),
            meeting.ends_at.with_timezone(&app.config.timezone).format("%H:%M"),
            app.config.timezone
        ),
        host,
        joining_link,
        spaces_left: (meeting.capacity - confirmed).max(0),
        waitlist,
        can_register: open_for_registration
            && registration.is_none()
            && policy::can_register_as_member(viewer, view, now),
        can_register_as_guest: open_for_registration
            && viewer.user.is_none()
            && policy::can_register_as_guest(&meeting.audience(), meeting.status()),
        materials: meeting.is_past(now) && policy::can_see_materials(viewer, view, now),
        can_give_feedback: meeting.is_past(now) && registration.as_ref().is_some_and(|r| r.is_confirmed()),
        can_manage: policy::can_manage_meetings(viewer),
        registration,
        closed_reason,
        meeting: Some(meeting),
        errors,
        guest,
    })
}

async fn find(app: &App, slug: &str) -> AppResult<Meeting> {
    store::meeting_by_slug(&app.db, slug).await?.ok_or(AppError::NotFound)
}

async fn show(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<impl IntoResponse> {
    let meeting = find(&app, &slug).await?;
    render(&meeting_page(&app, page, &viewer, meeting, FieldErrors::default(), GuestForm::default()).await?)
}

/// Why a registration step was refused, as the site's error (the API answers it as a problem).
pub(crate) fn refusal(e: RegisterError) -> AppError {
    match e {
        RegisterError::Db(e) => e.into(),
        RegisterError::Other(e) => e.into(),
        other => AppError::Conflict(other.to_string()),
    }
}

#[derive(Deserialize, Default)]
struct RegisterForm {
    /// The box "show my name to other members" (sent only when ticked).
    show_name: Option<String>,
}

async fn register(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Form(form): Form<RegisterForm>,
) -> AppResult<Response> {
    let meeting = find(&app, &slug).await?;
    let view = view_of(&app, &viewer, &meeting).await?;
    policy::require(&viewer, policy::can_register_as_member(&viewer, view, Utc::now()), &format!("/meetings/{slug}"))?;
    let user = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let notice = match registration::register_member(&app, &meeting, &user).await.map_err(refusal)? {
        Place::Confirmed => "You are registered. The invitation is in your e-mail.",
        _ => "The meeting is full, so you are on the waitlist. We will e-mail you if a place frees up.",
    };
    if let Some(registration) = store::registration_of(&app.db, &meeting.id, &user.email).await? {
        store::set_name_shown(&app.db, &registration.id, form.show_name.is_some()).await?;
    }
    Ok(redirect_with_notice(&format!("/meetings/{slug}"), notice))
}

#[derive(Deserialize)]
struct NameForm {
    #[serde(default)]
    shown: String,
}

/// A registered member shows or hides their name among who is going (a lapsed member too: their name may
/// still be listed).
async fn name_shown(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Form(form): Form<NameForm>,
) -> AppResult<Response> {
    let meeting = find(&app, &slug).await?;
    let registration = own_registration(&app, &viewer, &meeting).await?.ok_or(AppError::NotFound)?;
    let shown = form.shown == "yes";
    store::set_name_shown(&app.db, &registration.id, shown).await?;
    let notice = if shown { "Other members see your name among who is going." } else { "You are counted, not named." };
    Ok(redirect_with_notice(&format!("/meetings/{slug}"), notice))
}

/// The signed-in person's registration for a meeting, unless cancelled.
async fn own_registration(app: &App, viewer: &Viewer, meeting: &Meeting) -> AppResult<Option<Registration>> {
    let user = viewer.user.as_ref().ok_or(AppError::SignInRequired(format!("/meetings/{}", meeting.slug)))?;
    Ok(store::registration_of(&app.db, &meeting.id, &user.email).await?.filter(|r| r.status != "cancelled"))
}

async fn cancel_own(State(app): State<App>, viewer: Viewer, Path(slug): Path<String>) -> AppResult<Response> {
    let meeting = find(&app, &slug).await?;
    let registration = own_registration(&app, &viewer, &meeting).await?.ok_or(AppError::NotFound)?;
    registration::cancel(&app, &meeting, &registration).await.map_err(refusal)?;
    Ok(redirect_with_notice(&format!("/meetings/{slug}"), "Your registration is cancelled."))
}

#[derive(Deserialize, Default, Clone)]
pub struct GuestForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    organisation: String,
}

async fn register_guest(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    crate::web::ClientIp(ip): crate::web::ClientIp,
    Path(slug): Path<String>,
    Form(form): Form<GuestForm>,
) -> AppResult<Response> {
    let meeting = find(&app, &slug).await?;
    if !policy::can_register_as_guest(&meeting.audience(), meeting.status()) {
        return Err(AppError::NotFound);
    }
    let mut errors = FieldErrors::default();
    let name = errors.required("name", "Your name", &form.name, 100);
    let email = errors.email("email", &form.email);
    let organisation = errors.required("organisation", "Your organisation", &form.organisation, 200);
    if !errors.is_empty() {
        let body = render(&meeting_page(&app, page, &viewer, meeting, errors, form).await?)?;
        return Ok((StatusCode::BAD_REQUEST, body).into_response());
    }
    let limit = crate::auth::throttle::mail_to_typed_address(&app.db, "guest", ip, &email, Utc::now()).await?;
    if let Some(retry_after_secs) = limit {
        return Err(AppError::TooManyRequests { retry_after_secs });
    }
    registration::register_guest(&app, &meeting, &name, &email, &organisation).await.map_err(refusal)?;
    Ok(redirect_with_notice(
        &format!("/meetings/{slug}"),
        "Nearly there: please confirm your registration with the link we have e-mailed to you.",
    ))
}

#[derive(Template)]
#[template(path = "meetings/link_action.html")]
struct LinkAction {
    page: Page,
    heading: String,
    text: String,
    action: String,
    button: &'static str,
}

async fn confirm_form(State(app): State<App>, page: Page, Path(token): Path<String>) -> AppResult<impl IntoResponse> {
    let registration = store::registration_by_token(&app.db, TokenKind::Confirm, &tokens::hash(&token))
        .await?
        .ok_or_else(|| AppError::Gone("This confirmation link is not valid, or was already used.".into()))?;
    let meeting = store::meeting(&app.db, &registration.meeting_id).await?.ok_or(AppError::NotFound)?;
    render(&LinkAction {
        page: page.titled("Confirm your registration").noindex(),
        heading: "Confirm your registration".into(),
        text: format!("{}, {}.", meeting.title, time::date_time(meeting.starts_at, app.config.timezone)),
        action: format!("/registrations/confirm/{token}"),
        button: "Confirm my registration",
    })
}

async fn confirm(State(app): State<App>, Path(token): Path<String>) -> AppResult<Response> {
    let Some((meeting, place)) = registration::confirm_guest(&app, &token).await.map_err(refusal)? else {
        return Err(AppError::Gone("This confirmation link is not valid, or was already used.".into()));
    };
    let notice = match place {
        Place::Confirmed => "You are registered. The invitation is in your e-mail.",
        _ => "The meeting is full, so you are on the waitlist. We will e-mail you if a place frees up.",
    };
    Ok(redirect_with_notice(&format!("/meetings/{}", meeting.slug), notice))
}

async fn by_cancel_token(app: &App, token: &str) -> AppResult<(Registration, Meeting)> {
    let registration = store::registration_by_token(&app.db, TokenKind::Cancel, &tokens::hash(token))
        .await?
        .filter(|r| r.status != "cancelled")
        .ok_or_else(|| AppError::Gone("This registration is already cancelled, or the link is not valid.".into()))?;
    let meeting = store::meeting(&app.db, &registration.meeting_id).await?.ok_or(AppError::NotFound)?;
    Ok((registration, meeting))
}

async fn cancel_form(State(app): State<App>, page: Page, Path(token): Path<String>) -> AppResult<impl IntoResponse> {
    let (_, meeting) = by_cancel_token(&app, &token).await?;
    render(&LinkAction {
        page: page.titled("Cancel your registration").noindex(),
        heading: "Cancel your registration".into(),
        text: format!(
            "{}, {}. Your place goes to the next person on the waitlist.",
            meeting.title,
            time::date_time(meeting.starts_at, app.config.timezone)
        ),
        action: format!("/registrations/cancel/{token}"),
        button: "Cancel my registration",
    })
}

async fn cancel_by_link(State(app): State<App>, Path(token): Path<String>) -> AppResult<Response> {
    let (registration, meeting) = by_cancel_token(&app, &token).await?;
    registration::cancel(&app, &meeting, &registration).await.map_err(refusal)?;
    Ok(redirect_with_notice(
        &format!("/meetings/{}", meeting.slug),
        "Your registration is cancelled. Thank you for letting us know.",
    ))
}

#[derive(Deserialize)]
struct FeedbackForm {
    #[serde(default)]
    score: String,
    #[serde(default)]
    comment: String,
}

async fn feedback(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Form(form): Form<FeedbackForm>,
) -> AppResult<Response> {
    let meeting = find(&app, &slug).await?;
    let registration = own_registration(&app, &viewer, &meeting)
        .await?
        .filter(|r| r.is_confirmed() && meeting.is_past(Utc::now()))
        .ok_or(AppError::Forbidden)?;
    let score = form
        .score
        .parse::<i64>()
        .ok()
        .filter(|s| (1..=5).contains(s))
        .ok_or_else(|| AppError::BadRequest("Choose a score from 1 to 5.".into()))?;
    let comment: String = form.comment.trim().chars().take(2000).collect();
    store::save_feedback(&app.db, &registration.id, score, &comment).await?;
    Ok(redirect_with_notice(&format!("/meetings/{slug}"), "Thank you for your feedback."))
}

async fn slides(
    State(app): State<App>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let meeting = find(&app, &slug).await?;
    let view = view_of(&app, &viewer, &meeting).await?;
    policy::require(&viewer, policy::can_see_materials(&viewer, view, Utc::now()), &format!("/meetings/{slug}"))?;
    let file_id = meeting.slides_file_id.clone().ok_or(AppError::NotFound)?;
    let file = crate::content::private_file(&app.db, &file_id).await?.ok_or(AppError::NotFound)?;
    let extension = if file.content_type == "application/pdf" { "pdf" } else { "pptx" };
    let disposition = format!("attachment; filename=\"{}-slides.{extension}\"", meeting.slug);
    Ok(crate::web::files::send(
        &app.db,
        &headers,
        file,
        &[(header::CONTENT_DISPOSITION, disposition), (header::CACHE_CONTROL, "private, no-store".to_string())],
    ))
}

// Calendars

fn ics(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], body).into_response()
}

/// A calendar for one person (it may hold members-only meetings): no shared or browser cache keeps it.
fn private_ics(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CACHE_CONTROL, "private, no-store")], body)
        .into_response()
}

async fn one_calendar(State(app): State<App>, viewer: Viewer, Path(slug): Path<String>) -> AppResult<Response> {
    let meeting = find(&app, &slug).await?;
    if view_of(&app, &viewer, &meeting).await? != MeetingView::Full {
        return Err(AppError::NotFound);
    }
    Ok(ics(calendar::calendar(&app, &meeting.title, std::slice::from_ref(&meeting))))
}

/// Open meetings, for anyone's calendar.
async fn public_feed(State(app): State<App>) -> AppResult<Response> {
    let since = Utc::now() - chrono::Duration::days(90);
    let meetings: Vec<Meeting> =
        store::listed(&app.db, true, since).await?.into_iter().filter(|m| m.is_open()).collect();
    Ok(ics(calendar::calendar(&app, &format!("{}: open meetings", app.config.title), &meetings)))
}

/// A member's own feed: what they may see, and what they registered for. The secret URL is the key.
async fn private_feed(State(app): State<App>, Path(token): Path<String>) -> AppResult<Response> {
    let token = token.trim_end_matches(".ics");
    let feed = store::feed(&app.db, &tokens::hash(token)).await?.ok_or(AppError::NotFound)?;
    let user = crate::auth::user_by_id(&app.db, &feed.user_id)
        .await?
        .map(crate::auth::User::from)
        .ok_or(AppError::NotFound)?;
    let viewer = Viewer::of(user);
    if !policy::can_enter_members_area(&viewer, Utc::now()) {
        return Err(AppError::NotFound);
    }
    let since = Utc::now() - chrono::Duration::days(90);
    let views = Views::of(&app, &viewer).await?;
    let meetings: Vec<Meeting> =
        store::listed(&app.db, true, since).await?.into_iter().filter(|m| views.view(m) == MeetingView::Full).collect();
    let places: std::collections::HashMap<String, RegistrationStatus> =
        store::registrations_of_user(&app.db, &feed.user_id)
            .await?
            .into_iter()
            .map(|r| (r.meeting_id.clone(), r.status()))
            .collect();
    let entries = meetings.iter().filter_map(|m| {
        let attending = match places.get(&m.id) {
            Some(RegistrationStatus::Confirmed) => calendar::Attending::Registered,
            Some(RegistrationStatus::Waitlisted | RegistrationStatus::Unconfirmed) => calendar::Attending::Tentative,
            _ if feed.only_registered => return None,
            _ => calendar::Attending::Tentative,
        };
        Some((m, attending))
    });
    Ok(private_ics(calendar::personal_calendar(&app, &format!("{}: my meetings", app.config.title), entries)))
}

#[derive(Template)]
#[template(path = "meetings/calendar_link.html")]
struct CalendarPage {
    page: Page,
    has_feed: bool,
    only_registered: bool,
    new_link: Option<String>,
    public_link: String,
}

fn feed_owner(viewer: &Viewer) -> AppResult<String> {
    policy::require(viewer, policy::can_enter_members_area(viewer, Utc::now()), "/account/calendar")?;
    viewer.user.as_ref().map(|u| u.id.clone()).ok_or(AppError::Forbidden)
}

async fn calendar_page(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let id = feed_owner(&viewer)?;
    let feed = store::feed_of(&app.db, &id).await?;
    render(&CalendarPage {
        page: page.titled("Your calendar feed").noindex(),
        has_feed: feed.is_some(),
        only_registered: feed.is_some_and(|f| f.only_registered),
        new_link: None,
        public_link: app.config.link("/meetings/calendar.ics"),
    })
}

#[derive(Deserialize)]
struct CalendarAction {
    #[serde(default)]
    action: String,
    /// With `action=choose`: "registered" for only the meetings the member registered for.
    #[serde(default)]
    holds: String,
}

async fn calendar_link(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Form(form): Form<CalendarAction>,
) -> AppResult<Response> {
    let id = feed_owner(&viewer)?;
    if form.action == "choose" {
        store::set_feed_choice(&app.db, &id, form.holds == "registered").await?;
        return Ok(redirect_with_notice("/account/calendar", "Your calendar feed's choice is saved."));
    }
    if form.action == "revoke" {
        store::revoke_feed(&app.db, &id).await?;
        return Ok(redirect_with_notice(
            "/account/calendar",
            "Your calendar feed is turned off; its address no longer works.",
        ));
    }
    let token = tokens::random_token();
    store::set_feed_token(&app.db, &id, &tokens::hash(&token)).await?;
    let body = render(&CalendarPage {
        page: page.titled("Your calendar feed").noindex(),
        has_feed: true,
        only_registered: store::feed_of(&app.db, &id).await?.is_some_and(|f| f.only_registered),
        new_link: Some(app.config.link(&format!("/calendar/{token}.ics"))),
        public_link: app.config.link("/meetings/calendar.ics"),
    })?;
    Ok(body.into_response())
}
