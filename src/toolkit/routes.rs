//! The toolkit's pages: one's team spaces, a space (settings, sites, people), a person's work (activities) and
//! the plan. Every page asks the policy with the viewer's standing in the space.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;

use super::model::{
    ActivityRow, CADENCES, EXAMPLES, PersonRow, SYSTEMS_REMOTE, SiteRow, Space, stored_days, stored_desks,
};
use super::planner::{self, Category, Collaboration, Days, Place, Timing, Weekday};
use super::service::{self, ActivityFields, DESK_FIELDS, PersonFields, SiteFields, SpaceFields};
use super::{plan_view, store};
use crate::App;
use crate::auth::Viewer;
use crate::auth::policy::{self, TeamStanding};
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, redirect_with_notice, render};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/toolkit", get(index))
        .route("/toolkit/teams", post(create))
        .route("/toolkit/teams/{id}", get(show))
        .route("/toolkit/teams/{id}/settings", get(settings).post(update))
        .route("/toolkit/teams/{id}/sites", post(add_site))
        .route("/toolkit/teams/{id}/sites/{site}", post(change_site))
        .route("/toolkit/teams/{id}/people", post(add_person))
        .route("/toolkit/teams/{id}/people/{person}", get(person_page).post(change_person))
        .route("/toolkit/teams/{id}/people/{person}/activities", post(add_activity))
        .route("/toolkit/teams/{id}/people/{person}/activities/{activity}", get(activity_page).post(change_activity))
        .route("/toolkit/teams/{id}/plan", get(plan_view::page))
        .route("/toolkit/teams/{id}/plan.csv", get(plan_view::csv))
}

/// A form's fields as sent, in order, repeated names kept (the weekday boxes).
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    fn space(&self) -> SpaceFields {
        SpaceFields {
            name: self.get("name").into(),
            working_days: self.all("working_days"),
            day_hours: self.get("day_hours").into(),
            service_hours: self.get("service_hours").into(),
        }
    }

    fn site(&self) -> SiteFields {
        SiteFields { name: self.get("site_name").into(), desks: DESK_FIELDS.map(|f| self.get(f).to_string()) }
    }

    fn person(&self) -> PersonFields {
        PersonFields {
            name: self.get("name").into(),
            head_count: self.get("head_count").into(),
            working_days: self.all("working_days"),
            hours_per_week: self.get("hours_per_week").into(),
            site_id: self.get("site_id").into(),
            constraints: self.get("constraints").into(),
            home_checked: self.has("home_checked"),
        }
    }

    fn activity(&self) -> ActivityFields {
        ActivityFields {
            name: self.get("activity_name").into(),
            category: self.get("category").into(),
            hours: self.get("hours").into(),
            cadence: self.get("cadence").into(),
            place: self.get("place").into(),
            place_reason: self.get("place_reason").into(),
            timing: self.get("timing").into(),
            time_window: self.get("time_window").into(),
            collaboration: self.get("collaboration").into(),
            with: self.all("with"),
            face_to_face: self.get("face_to_face").into(),
            focus: self.get("focus").into(),
            rota: self.has("rota"),
            systems: self.get("systems").into(),
            systems_remote: self.get("systems_remote").into(),
        }
    }
}

/// A space as the viewer reaches it: refused (404, so its existence is not told) to anyone not in it.
pub struct Reached {
    pub space: Space,
    /// For a scenario, the space it was made from.
    pub parent: Option<Space>,
    pub standing: Option<TeamStanding>,
    pub leads: bool,
}

/// A scenario is reached through the space it was made from: the same people, the same standing.
pub async fn reach(app: &App, viewer: &Viewer, id: &str) -> AppResult<Reached> {
    let user = viewer.user.as_ref().ok_or_else(|| AppError::SignInRequired(format!("/toolkit/teams/{id}")))?;
    let space = store::space(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let home = match &space.scenario_of {
        Some(parent) => store::space(&app.db, parent).await?.ok_or(AppError::NotFound)?,
        None => space.clone(),
    };
    let standing = store::standing(&app.db, &home.id, &user.id).await?;
    if !policy::can_view_team_space(viewer, standing) {
        return Err(AppError::NotFound);
    }
    let closed = home.closed_at.is_some() || space.closed_at.is_some();
    let leads = policy::can_lead_team_space(viewer, standing, closed, Utc::now());
    let parent = space.scenario_of.as_ref().map(|_| home);
    Ok(Reached { space, parent, standing, leads })
}

/// A space itself, not a what-if (its agreement, trials, requests, members and guides are the space's own).
pub async fn reach_space(app: &App, viewer: &Viewer, id: &str) -> AppResult<Reached> {
    let reached = reach(app, viewer, id).await?;
    if reached.parent.is_some() {
        return Err(AppError::NotFound);
    }
    Ok(reached)
}

/// Refuses anyone who may not change the space (403).
pub(super) fn lead(reached: &Reached) -> AppResult<()> {
    if reached.leads { Ok(()) } else { Err(AppError::Forbidden) }
}

/// A form shown again with its mistakes, as a 422.
pub(super) use crate::web::invalid;

/// The weekdays with whether each is chosen, for a form's boxes.
pub struct DayChoice {
    pub key: &'static str,
    pub name: &'static str,
    pub chosen: bool,
}

fn day_choices(chosen: &[String]) -> Vec<DayChoice> {
    Weekday::ALL
        .into_iter()
        .map(|d| DayChoice { key: d.key(), name: d.name(), chosen: chosen.iter().any(|c| c == d.key()) })
        .collect()
}

/// Each site with its desks by weekday, for the tables of sites.
fn with_desks(sites: Vec<SiteRow>) -> Vec<(SiteRow, [u32; 7])> {
    sites.into_iter().map(|s| (s.desks(), s)).map(|(desks, s)| (s, desks)).collect()
}

fn keys(days: Days) -> Vec<String> {
    days.iter().map(|d| d.key().to_string()).collect()
}

// The list of one's spaces, and opening one

#[derive(Template)]
#[template(path = "toolkit/index.html")]
struct IndexPage {
    page: Page,
    spaces: Vec<(Space, TeamStanding)>,
    may_open: bool,
    form: SpaceFields,
    days: Vec<DayChoice>,
    site: SiteFields,
    desk_fields: [&'static str; 7],
    weekdays: [Weekday; 7],
    errors: FieldErrors,
}

async fn index_page(
    app: &App,
    page: Page,
    viewer: &Viewer,
    form: SpaceFields,
    site: SiteFields,
    errors: FieldErrors,
) -> AppResult<IndexPage> {
    let user = viewer.user.as_ref().ok_or_else(|| AppError::SignInRequired("/toolkit".into()))?;
    Ok(IndexPage {
        page: page.titled("The Smart Working toolkit").noindex(),
        spaces: store::spaces_of(&app.db, &user.id)
            .await?
            .into_iter()
            .filter(|(s, _)| s.scenario_of.is_none())
            .collect(),
        may_open: policy::can_open_team_space(viewer, Utc::now()),
        days: day_choices(&form.working_days),
        form,
        site,
        desk_fields: DESK_FIELDS,
        weekdays: Weekday::ALL,
        errors,
    })
}

fn toolkit_user(viewer: &Viewer) -> AppResult<&crate::auth::User> {
    let user = viewer.user.as_ref().ok_or_else(|| AppError::SignInRequired("/toolkit".into()))?;
    policy::require(viewer, policy::can_use_toolkit(viewer, Utc::now()), "/toolkit")?;
    Ok(user)
}

async fn index(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    toolkit_user(&viewer)?;
    let form =
        SpaceFields { working_days: keys(Days::MONDAY_TO_FRIDAY), day_hours: "7.5".into(), ..SpaceFields::default() };
    render(&index_page(&app, page, &viewer, form, SiteFields::default(), FieldErrors::default()).await?)
}

/// Opens a space for a team of the member's organisation, with its first site; the member becomes its lead.
async fn create(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let user = toolkit_user(&viewer)?.clone();
    policy::require(&viewer, policy::can_open_team_space(&viewer, Utc::now()), "/toolkit")?;
    let fields = Fields(fields);
    let mut errors = FieldErrors::default();
    let checked = service::check_space(&mut errors, &fields.space());
    let (site_name, desks) = service::check_site(&mut errors, &fields.site());
    if !errors.is_empty() {
        return invalid(&index_page(&app, page, &viewer, fields.space(), fields.site(), errors).await?);
    }
    let id = super::open_space(&app, &user, &checked, &[(site_name, desks)]).await?;
    Ok(redirect_with_notice(&format!("/toolkit/teams/{id}"), "The team space is open: add the team's people next."))
}

// A space

#[derive(Template)]
#[template(path = "toolkit/space.html")]
pub(super) struct SpacePage {
    page: Page,
    space: Space,
    leads: bool,
    days_in_words: String,
    day_hours: String,
    sites: Vec<(SiteRow, [u32; 7])>,
    weekdays: [Weekday; 7],
    people: Vec<PersonLine>,
    new_person: PersonFields,
    person_days: Vec<DayChoice>,
    sites_for_people: Vec<SiteRow>,
    my_person: Option<String>,
    /// Each person in the space, with whether they may be made a lead (only members of the network lead).
    members: Vec<(store::MemberRow, bool)>,
    invitations: Vec<(String, String)>,
    invite_email: String,
    may_delete: bool,
    /// Anyone may leave, but the only lead (who names another first).
    may_leave: bool,
    me: String,
    /// For a scenario, the space it was made from; for a space, its scenarios.
    parent: Option<Space>,
    scenarios: Vec<Space>,
    /// Where the team agreement stands, in words; and whether the viewer is asked to read and agree it.
    agreement: String,
    asked_to_agree: bool,
    guides: Vec<(String, String)>,
    errors: FieldErrors,
}

pub struct PersonLine {
    pub person: PersonRow,
    pub days: String,
    pub hours: String,
    pub described: String,
    pub activities: usize,
}

pub(super) async fn space_page(
    app: &App,
    page: Page,
    viewer: &Viewer,
    reached: Reached,
    new_person: Option<PersonFields>,
    invite_email: String,
    errors: FieldErrors,
) -> AppResult<SpacePage> {
    let space = reached.space;
    let sites = store::sites(&app.db, &space.id).await?;
    let people = store::people(&app.db, &space.id).await?;
    let activities = store::activities(&app.db, &space.id).await?;
    let scenarios = if reached.parent.is_none() { store::scenarios(&app.db, &space.id).await? } else { Vec::new() };
    let me = viewer.user.as_ref().map(|u| u.id.clone()).unwrap_or_default();
    let new_person = new_person.unwrap_or_else(|| PersonFields {
        working_days: keys(space.days()),
        head_count: "1".into(),
        ..PersonFields::default()
    });
    let lines = people
        .iter()
        .map(|p| {
            let own: Vec<&ActivityRow> = activities.iter().filter(|a| a.person_id == p.id).collect();
            PersonLine {
                days: planner::in_words(super::model::days_of(&p.working_days)),
                hours: planner::hours(p.hours_per_week),
                described: planner::hours(own.iter().map(|a| a.hours).sum()),
                activities: own.len(),
                person: p.clone(),
            }
        })
        .collect();
    let mut members = Vec::new();
    for m in store::members(&app.db, &space.id).await? {
        let account = crate::auth::user_by_id(&app.db, &m.user_id).await?.map(crate::auth::User::from);
        let may_lead = account.is_some_and(|u| policy::may_lead_team_spaces(&u, Utc::now()));
        members.push((m, may_lead));
    }
    let invitations = if reached.leads {
        store::open_invitations(&app.db, &space.id)
            .await?
            .into_iter()
            .filter(|i| i.expires_at > Utc::now())
            .map(|i| (i.email, i.role))
            .collect()
    } else {
        Vec::new()
    };
    let may_delete = policy::can_delete_team_space(viewer, reached.standing, space.closed_at.is_some(), Utc::now());
    let leads_in_space = members.iter().filter(|(m, _)| m.role == TeamStanding::Lead.key()).count();
    let may_leave = reached.standing.is_some()
        && space.closed_at.is_none()
        && (reached.standing != Some(TeamStanding::Lead) || leads_in_space > 1);
    let (agreement, asked) = agreement_line(app, &space.id, &me).await?;
    let asked_to_agree =
        asked && policy::can_draft_team_agreement(viewer, reached.standing, space.closed_at.is_some(), Utc::now());
    Ok(SpacePage {
        agreement,
        asked_to_agree,
        guides: super::guides::store::guides(&app.db).await?.into_iter().map(|g| (g.slug, g.title)).collect(),
        page: page.titled(&space.name).noindex(),
        parent: reached.parent,
        scenarios,
        members,
        invitations,
        invite_email,
        may_delete,
        may_leave,
        leads: reached.leads,
        days_in_words: planner::in_words(space.days()),
        day_hours: planner::hours(space.day_hours),
        person_days: day_choices(&new_person.working_days),
        sites: with_desks(sites.clone()),
        sites_for_people: sites,
        weekdays: Weekday::ALL,
        my_person: people.iter().find(|p| p.user_id.as_deref() == Some(me.as_str())).map(|p| p.id.clone()),
        people: lines,
        new_person,
        space,
        me,
        errors,
    })
}

/// The agreement's state for the space page, and whether the viewer has a version to answer (one proposed, or
/// the one in force when they joined after it).
async fn agreement_line(app: &App, space_id: &str, me: &str) -> AppResult<(String, bool)> {
    use super::agreements::store as agreements;
    let Some(a) = agreements::agreement(&app.db, space_id).await? else {
        return Ok(("Not started yet.".into(), false));
    };
    let (line, version) = match (a.proposed_version, a.in_force_version) {
        (Some(v), _) => (format!("Version {v} is proposed for agreement."), Some(v)),
        (None, Some(v)) => (format!("Version {v} is in force."), Some(v)),
        (None, None) => ("A draft, not yet agreed.".to_string(), None),
    };
    let asked = match version {
        Some(v) => {
            !agreements::answers(&app.db, space_id, v).await?.iter().any(|x| x.user_id == me && x.answer == "agree")
        }
        None => false,
    };
    Ok((line, asked))
}

async fn show(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let reached = reach(&app, &viewer, &id).await?;
    render(&space_page(&app, page, &viewer, reached, None, String::new(), FieldErrors::default()).await?)
}

#[derive(Template)]
#[template(path = "toolkit/settings.html")]
struct SettingsPage {
    page: Page,
    space: Space,
    form: SpaceFields,
    days: Vec<DayChoice>,
    sites: Vec<(SiteRow, [u32; 7])>,
    /// The site the form below changes (`None`: it adds one).
    editing: Option<String>,
    site: SiteFields,
    desk_fields: [&'static str; 7],
    weekdays: [Weekday; 7],
    errors: FieldErrors,
}

#[derive(serde::Deserialize, Default)]
struct SettingsQuery {
    #[serde(default)]
    site: String,
}

async fn settings_page(
    app: &App,
    page: Page,
    space: Space,
    form: Option<SpaceFields>,
    site: Option<(Option<String>, SiteFields)>,
    errors: FieldErrors,
) -> AppResult<SettingsPage> {
    let sites = store::sites(&app.db, &space.id).await?;
    let form = form.unwrap_or_else(|| space_fields(&space));
    let (editing, site) = site.unwrap_or_default();
    Ok(SettingsPage {
        page: page.titled(&format!("Settings – {}", space.name)).noindex(),
        days: day_choices(&form.working_days),
        form,
        sites: with_desks(sites),
        editing,
        site,
        desk_fields: DESK_FIELDS,
        weekdays: Weekday::ALL,
        space,
        errors,
    })
}

async fn settings(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<SettingsQuery>,
) -> AppResult<impl IntoResponse> {
    let reached = reach(&app, &viewer, &id).await?;
    lead(&reached)?;
    let sites = store::sites(&app.db, &id).await?;
    let site = sites.iter().find(|s| s.id == q.site).map(|s| {
        let desks = s.desks();
        (
            Some(s.id.clone()),
            SiteFields {
                name: s.name.clone(),
                desks: desks.map(|n| if n == 0 { String::new() } else { n.to_string() }),
            },
        )
    });
    render(&settings_page(&app, page, reached.space, None, site, FieldErrors::default()).await?)
}

/// Saves the space's settings.
async fn update(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach(&app, &viewer, &id).await?;
    lead(&reached)?;
    let fields = Fields(fields);
    let mut errors = FieldErrors::default();
    let checked = service::check_space(&mut errors, &fields.space());
    if !errors.is_empty() {
        return invalid(&settings_page(&app, page, reached.space, Some(fields.space()), None, errors).await?);
    }
    let days = stored_days(checked.days);
    let update = store::NewSpace {
        name: &checked.name,
        organisation_id: None,
        working_days: &days,
        day_hours: checked.day_hours,
        service_hours: &checked.service_hours,
        scenario_of: None,
    };
    store::update_space(&app.db, &id, &update, Utc::now()).await?;
    Ok(redirect_with_notice(&format!("/toolkit/teams/{id}"), "The team's settings are saved."))
}

async fn add_site(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach(&app, &viewer, &id).await?;
    lead(&reached)?;
    let fields = Fields(fields);
    let mut errors = FieldErrors::default();
    let (name, desks) = service::check_site(&mut errors, &fields.site());
    if !errors.is_empty() {
        return invalid(&settings_page(&app, page, reached.space, None, Some((None, fields.site())), errors).await?);
    }
    let mut tx = app.db.begin().await?;
    store::insert_site(&mut tx, &id, &name, &stored_desks(&desks)).await?;
    tx.commit().await?;
    Ok(redirect_with_notice(&format!("/toolkit/teams/{id}/settings"), &format!("{name} is added.")))
}

fn space_fields(space: &Space) -> SpaceFields {
    SpaceFields {
        name: space.name.clone(),
        working_days: keys(space.days()),
        day_hours: space.day_hours.to_string(),
        service_hours: space.service_hours.clone(),
    }
}

/// Saves a site's name and desks, or removes it (`action=remove`).
async fn change_site(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, site)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach(&app, &viewer, &id).await?;
    lead(&reached)?;
    let fields = Fields(fields);
    let back = format!("/toolkit/teams/{id}/settings");
    if fields.get("action") == "remove" {
        if store::delete_site(&app.db, &id, &site).await? == 0 {
            return Err(AppError::NotFound);
        }
        return Ok(redirect_with_notice(&back, "The site is removed; its people are planned at the first site."));
    }
    let mut errors = FieldErrors::default();
    let (name, desks) = service::check_site(&mut errors, &fields.site());
    if !errors.is_empty() {
        let editing = Some((Some(site.clone()), fields.site()));
        return invalid(&settings_page(&app, page, reached.space, None, editing, errors).await?);
    }
    if store::update_site(&app.db, &id, &site, &name, &stored_desks(&desks)).await? == 0 {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_notice(&back, &format!("{name} is saved.")))
}

async fn add_person(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let reached = reach(&app, &viewer, &id).await?;
    lead(&reached)?;
    let fields = Fields(fields);
    let sites = store::sites(&app.db, &id).await?;
    let mut errors = FieldErrors::default();
    service::check_room(&mut errors, "name", store::people(&app.db, &id).await?.len());
    let checked = service::check_person(&mut errors, &fields.person(), reached.space.days(), &sites, 0.0);
    if !errors.is_empty() {
        return invalid(&space_page(&app, page, &viewer, reached, Some(fields.person()), String::new(), errors).await?);
    }
    let person = super::add_person(&app, &id, None, &checked, fields.has("home_checked")).await?;
    Ok(redirect_with_notice(
        &format!("/toolkit/teams/{id}/people/{person}"),
        &format!("{} is added: describe their activities.", checked.name),
    ))
}

// A person's work

#[derive(Template)]
#[template(path = "toolkit/person.html")]
struct PersonPage {
    page: Page,
    space: Space,
    person: PersonRow,
    may_edit: bool,
    leads: bool,
    form: PersonFields,
    days: Vec<DayChoice>,
    sites: Vec<SiteRow>,
    activities: Vec<ActivityLine>,
    new_activity: ActivityFields,
    choices: Choices,
    others: Vec<PersonRow>,
    /// The catalogue's examples: (index, kind, name).
    examples: Vec<(usize, &'static str, &'static str)>,
    errors: FieldErrors,
}

pub struct ActivityLine {
    pub activity: ActivityRow,
    pub class: &'static str,
    pub category: &'static str,
    pub hours: String,
}

/// The closed sets an activity's form offers.
pub struct Choices {
    pub categories: Vec<(&'static str, &'static str)>,
    pub places: [(&'static str, &'static str); 5],
    pub timings: [(&'static str, &'static str); 5],
    pub collaborations: [(&'static str, &'static str); 5],
    pub cadences: [(&'static str, &'static str); 4],
    pub levels: [(&'static str, &'static str); 3],
    pub systems_remote: [(&'static str, &'static str); 3],
}

pub fn choices() -> Choices {
    Choices {
        categories: Category::ALL.iter().map(|c| (c.key(), c.label())).collect(),
        places: [
            (Place::None.key(), "Anywhere"),
            (Place::Office.key(), "Any of our offices"),
            (Place::Site.key(), "A specific site or its equipment"),
            (Place::Customer.key(), "At customers' premises"),
            (Place::Unknown.key(), "Not known yet"),
        ],
        timings: [
            (Timing::None.key(), "Any time"),
            (Timing::Window.key(), "A fixed window"),
            (Timing::ServiceHours.key(), "Whenever the service is open"),
            (Timing::Deadline.key(), "Only a deadline"),
            (Timing::Unknown.key(), "Not known yet"),
        ],
        collaborations: [
            (Collaboration::Solo.key(), "Alone"),
            (Collaboration::Async.key(), "With others, not at the same time"),
            (Collaboration::Virtual.key(), "Live, and a video call does"),
            (Collaboration::InPersonPreferred.key(), "In person is better"),
            (Collaboration::InPersonEssential.key(), "In person is essential"),
        ],
        cadences: CADENCES,
        levels: [("low", "Low"), ("medium", "Medium"), ("high", "High")],
        systems_remote: SYSTEMS_REMOTE,
    }
}

fn person_fields(p: &PersonRow) -> PersonFields {
    PersonFields {
        name: p.name.clone(),
        head_count: p.head_count.to_string(),
        working_days: p.working_days.split(',').map(String::from).collect(),
        hours_per_week: p.hours_per_week.to_string(),
        site_id: p.site_id.clone().unwrap_or_default(),
        constraints: p.constraints.clone(),
        home_checked: p.home_checked,
    }
}

pub fn activity_fields(a: &ActivityRow) -> ActivityFields {
    ActivityFields {
        name: a.name.clone(),
        category: a.category.clone(),
        hours: a.hours.to_string(),
        cadence: a.cadence.clone(),
        place: a.place.clone(),
        place_reason: a.place_reason.clone(),
        timing: a.timing.clone(),
        time_window: a.time_window.clone(),
        collaboration: a.collaboration.clone(),
        with: a.with_ids(),
        face_to_face: a.face_to_face.clone(),
        focus: a.focus.clone(),
        rota: a.rota,
        systems: a.systems.clone(),
        systems_remote: a.systems_remote.clone(),
    }
}

/// Who may do what with a person's row.
struct PersonAccess {
    reached: Reached,
    person: PersonRow,
    may_edit: bool,
    show_constraints: bool,
}

async fn person_access(app: &App, viewer: &Viewer, id: &str, person: &str) -> AppResult<PersonAccess> {
    let reached = reach(app, viewer, id).await?;
    let person = store::person(&app.db, id, person).await?.ok_or(AppError::NotFound)?;
    let own = viewer.user.as_ref().is_some_and(|u| person.user_id.as_deref() == Some(u.id.as_str()));
    let closed = reached.space.closed_at.is_some();
    let may_edit = policy::can_describe_work(viewer, reached.standing, closed, own, Utc::now());
    let show_constraints = policy::can_see_constraints(viewer, reached.standing, own, Utc::now());
    Ok(PersonAccess { reached, person, may_edit, show_constraints })
}

async fn person_view(
    app: &App,
    page: Page,
    access: PersonAccess,
    form: Option<PersonFields>,
    new_activity: Option<ActivityFields>,
    errors: FieldErrors,
) -> AppResult<PersonPage> {
    let space = access.reached.space;
    let sites = store::sites(&app.db, &space.id).await?;
    let people = store::people(&app.db, &space.id).await?;
    let activities = store::activities(&app.db, &space.id).await?;
    let mut person = access.person;
    if !access.show_constraints {
        person.constraints.clear();
    }
    let form = form.unwrap_or_else(|| person_fields(&person));
    let team = service::team_of(&space, &sites, &people, &activities);
    let classes = team
        .people
        .iter()
        .find(|p| p.id == person.id)
        .map(|p| p.activities.iter().map(planner::classify).collect::<Vec<_>>())
        .unwrap_or_default();
    let lines = activities
        .into_iter()
        .filter(|a| a.person_id == person.id)
        .zip(classes.into_iter().chain(std::iter::repeat(planner::Class::Flexible)))
        .map(|(a, class)| ActivityLine {
            class: class.label(),
            category: Category::parse(&a.category).map_or("Other", Category::label),
            hours: planner::hours(a.hours),
            activity: a,
        })
        .collect();
    Ok(PersonPage {
        page: page.titled(&format!("{} – {}", person.name, space.name)).noindex(),
        may_edit: access.may_edit,
        leads: access.reached.leads,
        days: day_choices(&form.working_days),
        form,
        sites,
        activities: lines,
        new_activity: new_activity
            .unwrap_or_else(|| ActivityFields { hours: String::new(), ..ActivityFields::default() }),
        choices: choices(),
        others: people.into_iter().filter(|p| p.id != person.id).collect(),
        examples: EXAMPLES
            .iter()
            .enumerate()
            .map(|(i, (category, name, ..))| (i, Category::parse(category).map_or("Other", Category::label), *name))
            .collect(),
        person,
        space,
        errors,
    })
}

#[derive(serde::Deserialize, Default)]
struct ExampleQuery {
    #[serde(default)]
    example: Option<usize>,
}

/// A person's page; `?example=N` starts the activity form from the catalogue's example N.
async fn person_page(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, person)): Path<(String, String)>,
    Query(q): Query<ExampleQuery>,
) -> AppResult<impl IntoResponse> {
    let access = person_access(&app, &viewer, &id, &person).await?;
    let example =
        q.example.and_then(|i| EXAMPLES.get(i)).map(|(category, name, place, timing, collaboration, focus)| {
            ActivityFields {
                name: name.to_string(),
                category: category.to_string(),
                place: place.to_string(),
                timing: timing.to_string(),
                collaboration: collaboration.to_string(),
                focus: focus.to_string(),
                ..ActivityFields::default()
            }
        });
    render(&person_view(&app, page, access, None, example, FieldErrors::default()).await?)
}

/// Saves a person's week, or removes them (`action=remove`, leads only).
async fn change_person(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, person)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let access = person_access(&app, &viewer, &id, &person).await?;
    if !access.may_edit {
        return Err(AppError::Forbidden);
    }
    let fields = Fields(fields);
    if fields.get("action") == "remove" {
        lead(&access.reached)?;
        store::delete_person(&app.db, &id, &person).await?;
        return Ok(redirect_with_notice(
            &format!("/toolkit/teams/{id}"),
            &format!("{} is removed from the plan.", access.person.name),
        ));
    }
    let sites = store::sites(&app.db, &id).await?;
    let described = store::described_hours(&app.db, &person, "").await?;
    let mut errors = FieldErrors::default();
    let mut typed = fields.person();
    if !access.show_constraints {
        typed.constraints.clear();
    }
    // A participant describes their own week; who the row is (its name, head count, site) and the home-working
    // check are the leads' to set.
    if !access.reached.leads {
        let own = person_fields(&access.person);
        typed.name = own.name;
        typed.head_count = own.head_count;
        typed.site_id = own.site_id;
        typed.home_checked = own.home_checked;
    }
    let checked = service::check_person(&mut errors, &typed, access.reached.space.days(), &sites, described);
    if !errors.is_empty() {
        return invalid(&person_view(&app, page, access, Some(typed), None, errors).await?);
    }
    let days = stored_days(checked.days);
    let constraints =
        if access.show_constraints { checked.constraints.clone() } else { access.person.constraints.clone() };
    let update = store::NewPerson {
        user_id: access.person.user_id.as_deref(),
        name: &checked.name,
        head_count: checked.head_count,
        working_days: &days,
        hours_per_week: checked.hours_per_week,
        site_id: checked.site_id.as_deref(),
        constraints: &constraints,
        home_checked: typed.home_checked,
    };
    store::update_person(&app.db, &person, &update, Utc::now()).await?;
    Ok(redirect_with_notice(&format!("/toolkit/teams/{id}/people/{person}"), "Saved."))
}

async fn add_activity(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, person)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let access = person_access(&app, &viewer, &id, &person).await?;
    if !access.may_edit {
        return Err(AppError::Forbidden);
    }
    let fields = Fields(fields);
    let typed = fields.activity();
    let people = store::people(&app.db, &id).await?;
    let other = store::described_hours(&app.db, &person, "").await?;
    let mut errors = FieldErrors::default();
    let row = service::check_activity(&mut errors, &typed, &access.person, other, &people);
    if !errors.is_empty() {
        return invalid(&person_view(&app, page, access, None, Some(typed), errors).await?);
    }
    let mut tx = app.db.begin().await?;
    store::insert_activity(&mut tx, &row, Utc::now()).await?;
    tx.commit().await?;
    Ok(redirect_with_notice(&format!("/toolkit/teams/{id}/people/{person}"), &format!("{} is added.", row.name)))
}

#[derive(Template)]
#[template(path = "toolkit/activity.html")]
struct ActivityPage {
    page: Page,
    space: Space,
    person: PersonRow,
    activity: ActivityRow,
    may_edit: bool,
    form: ActivityFields,
    choices: Choices,
    others: Vec<PersonRow>,
    errors: FieldErrors,
}

async fn activity_view(
    app: &App,
    page: Page,
    access: PersonAccess,
    activity: ActivityRow,
    form: Option<ActivityFields>,
    errors: FieldErrors,
) -> AppResult<ActivityPage> {
    let people = store::people(&app.db, &access.reached.space.id).await?;
    Ok(ActivityPage {
        page: page.titled(&format!("{} – {}", activity.name, access.person.name)).noindex(),
        form: form.unwrap_or_else(|| activity_fields(&activity)),
        others: people.into_iter().filter(|p| p.id != access.person.id).collect(),
        may_edit: access.may_edit,
        space: access.reached.space,
        person: access.person,
        activity,
        choices: choices(),
        errors,
    })
}

async fn activity_page(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, person, activity)): Path<(String, String, String)>,
) -> AppResult<impl IntoResponse> {
    let access = person_access(&app, &viewer, &id, &person).await?;
    let activity = store::activity(&app.db, &person, &activity).await?.ok_or(AppError::NotFound)?;
    render(&activity_view(&app, page, access, activity, None, FieldErrors::default()).await?)
}

/// Saves an activity, or removes it (`action=remove`).
async fn change_activity(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path((id, person, activity)): Path<(String, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let access = person_access(&app, &viewer, &id, &person).await?;
    if !access.may_edit {
        return Err(AppError::Forbidden);
    }
    let existing = store::activity(&app.db, &person, &activity).await?.ok_or(AppError::NotFound)?;
    let fields = Fields(fields);
    let back = format!("/toolkit/teams/{id}/people/{person}");
    if fields.get("action") == "remove" {
        store::delete_activity(&app.db, &person, &activity).await?;
        return Ok(redirect_with_notice(&back, &format!("{} is removed.", existing.name)));
    }
    let typed = fields.activity();
    let people = store::people(&app.db, &id).await?;
    let other = store::described_hours(&app.db, &person, &activity).await?;
    let mut errors = FieldErrors::default();
    let mut row = service::check_activity(&mut errors, &typed, &access.person, other, &people);
    if !errors.is_empty() {
        return invalid(&activity_view(&app, page, access, existing, Some(typed), errors).await?);
    }
    row.id = existing.id;
    store::update_activity(&app.db, &row).await?;
    Ok(redirect_with_notice(&back, &format!("{} is saved.", row.name)))
}
