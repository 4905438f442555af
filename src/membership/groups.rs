//! Regional and sector groups: a page per group with its coordinators and members; members join directly
//! or by request, as the group is set up; coordinators answer requests; organisers create groups.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::App;
use crate::auth::Viewer;
use crate::auth::policy::{self, GroupStanding};
use crate::db::{Db, is_unique_violation, new_id};
use crate::web::forms::{slugify, valid_slug};
use crate::web::markdown::to_safe_html;
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, redirect_with_notice, render};
use crate::{execute, fetch_all, fetch_optional};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/groups", get(list))
        .route("/groups/{slug}", get(show))
        .route("/groups/{slug}/join", post(join))
        .route("/groups/{slug}/leave", post(leave))
        .route("/groups/{slug}/requests/{user_id}", post(answer_request))
        .route("/admin/groups/new", get(new_group).post(create_group))
        .route("/admin/groups/{slug}/coordinators", post(add_coordinator))
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Group {
    /// Stable: later features (group meetings, group forum spaces) refer to it.
    pub id: String,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub join_policy: String,
    pub description_html: String,
}

crate::inline_row!(Group { id, slug, name, kind, join_policy, description_html });

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct GroupPerson {
    pub user_id: String,
    pub name: String,
    pub job_title: String,
    pub role: String,
    pub status: String,
}

// Store

/// Inline on SQLite: the meeting list reads it for a member's filters, as do other pages.
pub async fn all_groups(db: &Db) -> Result<Vec<Group>, sqlx::Error> {
    crate::fetch_all_inline!(
        db,
        Group,
        "SELECT id, slug, name, kind, join_policy, description_html FROM network_groups ORDER BY name"
    )
}

pub async fn group_by_slug(db: &Db, slug: &str) -> Result<Option<Group>, sqlx::Error> {
    fetch_optional!(
        db,
        Group,
        "SELECT id, slug, name, kind, join_policy, description_html FROM network_groups WHERE slug = $1",
        slug
    )
}

async fn people(db: &Db, group_id: &str) -> Result<Vec<GroupPerson>, sqlx::Error> {
    fetch_all!(
        db,
        GroupPerson,
        "SELECT u.id AS user_id, u.name, u.job_title, m.role, m.status
         FROM group_members m JOIN users u ON u.id = m.user_id
         WHERE m.group_id = $1 AND u.suspended = FALSE
         ORDER BY m.role DESC, u.name",
        group_id
    )
}

/// Where `user_id` stands in a group, if anywhere.
pub async fn standing(db: &Db, group_id: &str, user_id: &str) -> Result<Option<GroupStanding>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        role: String,
        status: String,
    }
    let row = fetch_optional!(
        db,
        Row,
        "SELECT role, status FROM group_members WHERE group_id = $1 AND user_id = $2",
        group_id,
        user_id
    )?;
    Ok(row.map(|r| standing_of(&r.status, &r.role)))
}

/// Every group the viewer is in or asked to join, with their standing: read once per request, then kept on
/// the viewer.
pub async fn standings<'v>(db: &Db, viewer: &'v Viewer) -> Result<&'v [(String, GroupStanding)], sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        group_id: String,
        role: String,
        status: String,
    }
    crate::inline_row!(Row { group_id, role, status });
    let Some(user) = &viewer.user else { return Ok(&[]) };
    let all = viewer
        .groups
        .get_or_try_init(|| async {
            let rows = crate::fetch_all_inline!(
                db,
                Row,
                "SELECT group_id, role, status FROM group_members WHERE user_id = $1",
                &user.id
            )?;
            Ok::<_, sqlx::Error>(rows.into_iter().map(|r| (r.group_id, standing_of(&r.status, &r.role))).collect())
        })
        .await?;
    Ok(all.as_slice())
}

/// Where the viewer stands in one group, if anywhere (from `standings`).
pub async fn standing_in(db: &Db, viewer: &Viewer, group_id: &str) -> Result<Option<GroupStanding>, sqlx::Error> {
    Ok(standings(db, viewer).await?.iter().find(|(g, _)| g == group_id).map(|(_, s)| *s))
}

/// The groups whose spaces the viewer is in: as an active member or a coordinator (from `standings`).
pub async fn my_groups(db: &Db, viewer: &Viewer) -> Result<Vec<String>, sqlx::Error> {
    Ok(standings(db, viewer)
        .await?
        .iter()
        .filter(|(_, s)| matches!(s, GroupStanding::Member | GroupStanding::Coordinator))
        .map(|(g, _)| g.clone())
        .collect())
}

/// A `group_members` row's status and role as the policy's fact (for pages that read the row themselves).
pub fn standing_of(status: &str, role: &str) -> GroupStanding {
    match (status, role) {
        ("requested", _) => GroupStanding::Requested,
        (_, "coordinator") => GroupStanding::Coordinator,
        _ => GroupStanding::Member,
    }
}

pub async fn insert_group(
    db: &Db,
    slug: &str,
    name: &str,
    kind: &str,
    join_policy: &str,
    description_md: &str,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = Utc::now();
    execute!(
        db,
        "INSERT INTO network_groups (id, slug, name, kind, join_policy, description_md, description_html, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        &id,
        slug,
        name,
        kind,
        join_policy,
        description_md,
        to_safe_html(description_md),
        now
    )?;
    // Each group has a private discussion space in the forum.
    crate::forum::insert_category(
        db,
        &format!("group-{slug}"),
        name,
        "The group's own discussion space.",
        Some(&id),
        1000,
    )
    .await?;
    Ok(id)
}

/// Adds or updates someone's place in a group.
pub async fn put_member(
    db: &Db,
    group_id: &str,
    user_id: &str,
    role: &str,
    status: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "INSERT INTO group_members (group_id, user_id, role, status, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (group_id, user_id) DO UPDATE SET role = excluded.role, status = excluded.status",
        group_id,
        user_id,
        role,
        status,
        now
    )?;
    Ok(())
}

async fn remove_member(db: &Db, group_id: &str, user_id: &str) -> Result<u64, sqlx::Error> {
    execute!(db, "DELETE FROM group_members WHERE group_id = $1 AND user_id = $2", group_id, user_id)
}

// Pages

fn viewer_id(viewer: &Viewer) -> String {
    viewer.user.as_ref().map(|u| u.id.clone()).unwrap_or_default()
}

async fn group_for(app: &App, viewer: &Viewer, slug: &str) -> AppResult<(Group, Option<GroupStanding>)> {
    policy::require(viewer, policy::can_view_group(viewer, Utc::now()), &format!("/groups/{slug}"))?;
    let group = group_by_slug(&app.db, slug).await?.ok_or(AppError::NotFound)?;
    let standing = standing(&app.db, &group.id, &viewer_id(viewer)).await?;
    Ok((group, standing))
}

pub struct GroupListing {
    pub group: Group,
    pub standing: Option<GroupStanding>,
}

#[derive(Template)]
#[template(path = "membership/groups.html")]
struct GroupsPage {
    page: Page,
    groups: Vec<GroupListing>,
    can_create: bool,
}

async fn list(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    policy::require(&viewer, policy::can_view_group(&viewer, Utc::now()), "/groups")?;
    let me = viewer_id(&viewer);
    let mut listed = Vec::new();
    for group in all_groups(&app.db).await? {
        let standing = standing(&app.db, &group.id, &me).await?;
        listed.push(GroupListing { group, standing });
    }
    render(&GroupsPage {
        page: page.titled("Groups").noindex(),
        groups: listed,
        can_create: policy::can_manage_groups(&viewer),
    })
}

#[derive(Template)]
#[template(path = "membership/group.html")]
struct GroupPage {
    page: Page,
    group: Group,
    standing: Option<GroupStanding>,
    coordinators: Vec<GroupPerson>,
    members: Vec<GroupPerson>,
    requests: Vec<GroupPerson>,
    can_coordinate: bool,
    can_manage: bool,
}

async fn show(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<impl IntoResponse> {
    let (group, standing) = group_for(&app, &viewer, &slug).await?;
    let can_coordinate = policy::can_coordinate_group(&viewer, standing, Utc::now());
    let everyone = people(&app.db, &group.id).await?;
    let (requests, active): (Vec<_>, Vec<_>) = everyone.into_iter().partition(|p| p.status == "requested");
    let (coordinators, members) = active.into_iter().partition(|p| p.role == "coordinator");
    render(&GroupPage {
        page: page.titled(&group.name).noindex(),
        requests: if can_coordinate { requests } else { Vec::new() },
        can_manage: policy::can_manage_groups(&viewer),
        group,
        standing,
        coordinators,
        members,
        can_coordinate,
    })
}

async fn join(State(app): State<App>, viewer: Viewer, Path(slug): Path<String>) -> AppResult<Response> {
    let (group, standing) = group_for(&app, &viewer, &slug).await?;
    let back = format!("/groups/{slug}");
    if standing.is_some() {
        return Ok(redirect_with_notice(&back, "You are already in this group, or have asked to join."));
    }
    let open = group.join_policy == "open";
    put_member(
        &app.db,
        &group.id,
        &viewer_id(&viewer),
        "member",
        if open { "active" } else { "requested" },
        Utc::now(),
    )
    .await?;
    let notice =
        if open { "You have joined the group." } else { "Your request to join is with the group's coordinators." };
    Ok(redirect_with_notice(&back, notice))
}

async fn leave(State(app): State<App>, viewer: Viewer, Path(slug): Path<String>) -> AppResult<Response> {
    let (group, _) = group_for(&app, &viewer, &slug).await?;
    remove_member(&app.db, &group.id, &viewer_id(&viewer)).await?;
    Ok(redirect_with_notice(&format!("/groups/{slug}"), "You have left the group."))
}

#[derive(Deserialize)]
struct RequestAnswer {
    #[serde(default)]
    action: String,
}

async fn answer_request(
    State(app): State<App>,
    viewer: Viewer,
    Path((slug, user_id)): Path<(String, String)>,
    Form(form): Form<RequestAnswer>,
) -> AppResult<Response> {
    let (group, mine) = group_for(&app, &viewer, &slug).await?;
    policy::require(&viewer, policy::can_coordinate_group(&viewer, mine, Utc::now()), &format!("/groups/{slug}"))?;
    if standing(&app.db, &group.id, &user_id).await? != Some(GroupStanding::Requested) {
        return Err(AppError::NotFound);
    }
    let back = format!("/groups/{slug}");
    match form.action.as_str() {
        "approve" => {
            put_member(&app.db, &group.id, &user_id, "member", "active", Utc::now()).await?;
            Ok(redirect_with_notice(&back, "The request is approved."))
        }
        "decline" => {
            remove_member(&app.db, &group.id, &user_id).await?;
            Ok(redirect_with_notice(&back, "The request is declined."))
        }
        _ => Err(AppError::BadRequest("Choose approve or decline.".into())),
    }
}

#[derive(Deserialize, Default, Clone)]
struct GroupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    join_policy: String,
    #[serde(default)]
    description: String,
}

#[derive(Template)]
#[template(path = "membership/group_form.html")]
struct GroupEditor {
    page: Page,
    form: GroupForm,
    errors: FieldErrors,
}

async fn new_group(page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    policy::require(&viewer, policy::can_manage_groups(&viewer), "/admin/groups/new")?;
    let form = GroupForm { kind: "regional".into(), join_policy: "open".into(), ..GroupForm::default() };
    render(&GroupEditor { page: page.titled("New group").noindex(), form, errors: FieldErrors::default() })
}

async fn create_group(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Form(form): Form<GroupForm>,
) -> AppResult<Response> {
    policy::require(&viewer, policy::can_manage_groups(&viewer), "/admin/groups/new")?;
    let mut errors = FieldErrors::default();
    let name = errors.required("name", "Name", &form.name, 150);
    let slug = if form.slug.trim().is_empty() { slugify(&name) } else { form.slug.trim().to_string() };
    if !valid_slug(&slug) {
        errors.add("slug", "The address may use only lower-case letters, digits and hyphens.");
    }
    if !matches!(form.kind.as_str(), "regional" | "sector") {
        errors.add("kind", "Choose regional or sector.");
    }
    if !matches!(form.join_policy.as_str(), "open" | "request") {
        errors.add("join_policy", "Choose how members join.");
    }
    let description = errors.required("description", "The description", &form.description, 20_000);
    let again = |errors| -> AppResult<Response> {
        let body =
            render(&GroupEditor { page: page.clone().titled("New group").noindex(), form: form.clone(), errors })?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
    };
    if !errors.is_empty() {
        return again(errors);
    }
    match insert_group(&app.db, &slug, &name, &form.kind, &form.join_policy, &description).await {
        Ok(_) => {
            Ok(redirect_with_notice(&format!("/groups/{slug}"), "The group is created. Add its coordinators below."))
        }
        Err(e) if is_unique_violation(&e) => {
            errors.add("slug", "Another group already has this address.");
            again(errors)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct CoordinatorForm {
    #[serde(default)]
    email: String,
}

async fn add_coordinator(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Form(form): Form<CoordinatorForm>,
) -> AppResult<Response> {
    policy::require(&viewer, policy::can_manage_groups(&viewer), "/groups")?;
    let group = group_by_slug(&app.db, &slug).await?.ok_or(AppError::NotFound)?;
    let back = format!("/groups/{slug}");
    let email = form.email.trim().to_lowercase();
    let Some(user) = crate::auth::user_by_email(&app.db, &email).await? else {
        return Ok(redirect_with_notice(&back, "There is no member with that e-mail address."));
    };
    put_member(&app.db, &group.id, &user.id, "coordinator", "active", Utc::now()).await?;
    Ok(redirect_with_notice(&back, &format!("{} now coordinates the group.", user.name)))
}
