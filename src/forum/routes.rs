//! The members' forum: categories, topics, replies, questions and accepted answers, edits, watching,
//! notifications and search. Nothing here reaches visitors, applicants, lapsed or suspended members.

use std::collections::HashSet;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;

use super::model::{Category, Notification, PagePost, Post, Revision, Topic};
use super::{service, store};
use crate::App;
use crate::auth::policy::{self, Space};
use crate::auth::{User, Viewer};
use crate::db::search;
use crate::membership::groups;
use crate::web::{
    AppError, AppResult, FieldErrors, Form, Page, filters, redirect_with_notice, render, render_sized, time,
};

/// Topics per page of a category.
pub const PER_PAGE: i64 = 20;
/// Posts per page of a topic.
pub const POSTS_PER_PAGE: i64 = 50;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/forum", get(index))
        .route("/forum/c/{slug}", get(category_page))
        .route("/forum/c/{slug}/new", get(new_topic_form).post(new_topic))
        .route("/forum/c/{slug}/watch", post(watch_category))
        .route("/forum/t/{id}", get(topic_page))
        .route("/forum/t/{id}/reply", post(reply))
        .route("/forum/t/{id}/accept", post(accept))
        .route("/forum/t/{id}/watch", post(watch_topic))
        .route("/forum/p/{id}/edit", get(edit_form).post(edit))
        .route("/forum/p/{id}/history", get(history))
        .route("/forum/p/{id}/flag", get(flag_form).post(flag))
        .route("/notifications", get(notifications).post(read_notifications))
}

/// The viewer, who must be in the members' area.
pub(crate) fn member(viewer: &Viewer, path: &str) -> AppResult<User> {
    policy::require(viewer, policy::can_enter_members_area(viewer, Utc::now()), path)?;
    viewer.user.clone().ok_or(AppError::SignInRequired(path.into()))
}

/// Whether the viewer may read a category (its group's members, for a group's category).
async fn may_view(app: &App, viewer: &Viewer, category: &Category) -> AppResult<bool> {
    let space = match &category.group_id {
        Some(g) => Space::Group(groups::standing_in(&app.db, viewer, g).await?),
        None => Space::Members,
    };
    Ok(policy::can_view_category(viewer, space, Utc::now()))
}

/// The categories the viewer may read.
pub async fn visible_categories(app: &App, viewer: &Viewer) -> AppResult<Vec<Category>> {
    let mut visible = Vec::new();
    for c in store::categories(&app.db).await? {
        if may_view(app, viewer, &c).await? {
            visible.push(c);
        }
    }
    Ok(visible)
}

/// Who may read a category, for notifications: `None` means every member.
pub(crate) async fn readers(app: &App, category: &Category) -> AppResult<Option<HashSet<String>>> {
    let Some(group_id) = &category.group_id else { return Ok(None) };
    Ok(Some(store::group_category_readers(&app.db, group_id).await?.into_iter().collect()))
}

pub(crate) async fn category_of(app: &App, viewer: &Viewer, slug: &str) -> AppResult<Category> {
    member(viewer, &format!("/forum/c/{slug}"))?;
    let category = store::category_by_slug(&app.db, slug).await?.ok_or(AppError::NotFound)?;
    if !may_view(app, viewer, &category).await? {
        return Err(AppError::NotFound);
    }
    Ok(category)
}

/// A topic the viewer may read, with its category.
pub(crate) async fn topic_of(app: &App, viewer: &Viewer, id: &str) -> AppResult<(Topic, Category)> {
    let user = member(viewer, &format!("/forum/t/{id}"))?;
    let topic = store::topic(&app.db, &user.id, id).await?.ok_or(AppError::NotFound)?;
    let category = store::category(&app.db, &topic.category_id).await?.ok_or(AppError::NotFound)?;
    if !may_view(app, viewer, &category).await? || (topic.hidden && !policy::can_moderate(viewer)) {
        return Err(AppError::NotFound);
    }
    Ok((topic, category))
}

/// Whether the viewer may read a topic now (for e-mails sent later than the post: digests).
pub(crate) async fn may_read_topic(app: &App, viewer: &Viewer, id: &str) -> AppResult<bool> {
    match topic_of(app, viewer, id).await {
        Ok(_) => Ok(true),
        Err(AppError::NotFound | AppError::Forbidden | AppError::SignInRequired(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Who a topic or post shows as its author: the anonymous label hides the asker from all but moderators.
pub(crate) fn shown_author(
    viewer: &Viewer,
    topic: &Topic,
    author_id: Option<&str>,
    author_name: Option<&str>,
) -> String {
    match &topic.anonymous_label {
        Some(label) if author_id == topic.author_id.as_deref() && !policy::can_see_anonymous_author(viewer) => {
            label.clone()
        }
        Some(label) if author_id == topic.author_id.as_deref() => {
            format!("{label} ({})", author_name.unwrap_or("former member"))
        }
        _ => author_name.unwrap_or("Former member").to_string(),
    }
}

pub struct CategoryRow {
    pub category: Category,
    pub unread: i64,
    pub private: bool,
}

#[derive(Template)]
#[template(path = "forum/index.html")]
struct IndexPage {
    page: Page,
    rows: Vec<CategoryRow>,
    can_moderate: bool,
}

async fn index(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let user = member(&viewer, "/forum")?;
    let unread = store::unread_counts(&app.db, &user.id).await?;
    let rows = visible_categories(&app, &viewer)
        .await?
        .into_iter()
        .map(|c| CategoryRow {
            unread: unread.iter().find(|(id, _)| *id == c.id).map(|(_, n)| *n).unwrap_or(0),
            private: c.group_id.is_some(),
            category: c,
        })
        .collect();
    render(&IndexPage { page: page.titled("Forum").noindex(), rows, can_moderate: policy::can_moderate(&viewer) })
}

pub struct TopicRow {
    pub topic: Topic,
    pub author: String,
    pub when: String,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    filter: String,
    #[serde(default)]
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "forum/category.html")]
struct CategoryPage {
    page: Page,
    category: Category,
    rows: Vec<TopicRow>,
    filter: String,
    page_number: i64,
    has_next: bool,
    watching: bool,
    can_post: bool,
}

async fn category_page(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(q): Query<ListQuery>,
) -> AppResult<impl IntoResponse> {
    let category = category_of(&app, &viewer, &slug).await?;
    let user = member(&viewer, "/forum")?;
    let answered = match q.filter.as_str() {
        "answered" => Some(true),
        "unanswered" => Some(false),
        _ => None,
    };
    let page_number = q.page.unwrap_or(1).clamp(1, 10_000);
    let mut topics = store::topics(
        &app.db,
        &user.id,
        &category.id,
        answered,
        policy::can_moderate(&viewer),
        (page_number - 1) * PER_PAGE,
        PER_PAGE + 1,
    )
    .await?;
    let has_next = topics.len() as i64 > PER_PAGE;
    topics.truncate(PER_PAGE as usize);
    let rows = topics
        .into_iter()
        .map(|t| TopicRow {
            author: shown_author(&viewer, &t, t.author_id.as_deref(), t.author_name.as_deref()),
            when: time::date_time(t.last_activity_at, app.config.timezone),
            topic: t,
        })
        .collect();
    render(&CategoryPage {
        page: page.titled(&category.name).noindex(),
        watching: store::is_watching(&app.db, &user.id, &category.id).await?,
        can_post: policy::can_post(&viewer, Utc::now()),
        category,
        rows,
        filter: q.filter,
        page_number,
        has_next,
    })
}

#[derive(Deserialize, Default, Clone)]
struct TopicForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    anonymous: Option<String>,
}

#[derive(Template)]
#[template(path = "forum/new_topic.html")]
struct NewTopicPage {
    page: Page,
    category: Category,
    form: TopicForm,
    errors: FieldErrors,
    label: String,
}

async fn new_topic_form(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<impl IntoResponse> {
    let category = category_of(&app, &viewer, &slug).await?;
    policy::require(&viewer, policy::can_post(&viewer, Utc::now()), "/forum")?;
    let user = member(&viewer, "/forum")?;
    let label = service::anonymous_label(&app, &user).await?;
    render(&NewTopicPage {
        page: page.titled("New topic").noindex(),
        category,
        form: TopicForm { kind: "question".into(), ..TopicForm::default() },
        errors: FieldErrors::default(),
        label,
    })
}

async fn new_topic(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(slug): Path<String>,
    Form(form): Form<TopicForm>,
) -> AppResult<Response> {
    let category = category_of(&app, &viewer, &slug).await?;
    policy::require(&viewer, policy::can_post(&viewer, Utc::now()), "/forum")?;
    let user = member(&viewer, "/forum")?;
    let mut errors = FieldErrors::default();
    let (title, body) = check_topic(&mut errors, &form.title, &form.body, &form.kind);
    if !errors.is_empty() {
        let label = service::anonymous_label(&app, &user).await?;
        let body = render(&NewTopicPage { page: page.titled("New topic").noindex(), category, form, errors, label })?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    }
    let allowed = readers(&app, &category).await?;
    let may_read = |id: &str| allowed.as_ref().is_none_or(|set| set.contains(id));
    let anonymous = form.anonymous.is_some() && form.kind == "question";
    let draft = service::TopicDraft { title: &title, body: &body, kind: &form.kind, anonymous };
    let id = service::create_topic(&app, &user, &category, &draft, &may_read).await?;
    Ok(redirect_with_notice(&format!("/forum/t/{id}"), "Your topic is posted."))
}

/// A new topic's fields, for the form and the API alike; gives the title and text trimmed.
pub(crate) fn check_topic(errors: &mut FieldErrors, title: &str, body: &str, kind: &str) -> (String, String) {
    let title = errors.required("title", "The title", title, 200);
    let body = errors.required("body", "The text", body, 50_000);
    if !matches!(kind, "question" | "discussion") {
        errors.add("kind", "Choose a question or a discussion.");
    }
    (title, body)
}

pub struct PostView {
    pub post: PagePost,
    pub author: String,
    pub when: String,
    pub can_edit: bool,
    pub accepted: bool,
    pub can_like: bool,
    /// Where to write to the author privately: a named author other than the reader (never an anonymous asker).
    pub write_to: Option<String>,
    /// The author whose face is shown beside the post: a named author (never an anonymous asker).
    pub face: Option<String>,
}

#[derive(Deserialize, Default)]
struct TopicQuery {
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    quote: Option<String>,
}

#[derive(Template)]
#[template(path = "forum/topic.html")]
struct TopicPage {
    page: Page,
    topic: Topic,
    category: Category,
    author: String,
    posts: Vec<PostView>,
    answer: Option<PostView>,
    page_number: i64,
    pages: i64,
    watching: bool,
    can_reply: bool,
    can_accept: bool,
    can_moderate: bool,
    quote: String,
    errors: FieldErrors,
    categories: Vec<Category>,
}

impl TopicPage {
    /// About how many bytes the page takes: its posts' HTML, and for each post its actions (about 1 KB for a
    /// member, 1.5 KB for a moderator), and the layout and reply form around them.
    fn size(&self) -> usize {
        let body = |p: &PostView| p.post.body_html.len() + 1536;
        12 * 1024 + self.quote.len() + self.posts.iter().chain(&self.answer).map(body).sum::<usize>()
    }
}

async fn topic_view(
    app: &App,
    page: Page,
    viewer: &Viewer,
    id: &str,
    page_number: i64,
    quote: String,
    errors: FieldErrors,
) -> AppResult<TopicPage> {
    // One read for the topic, its category, the reader's state and standing; one for the page of posts; one for
    // the accepted answer, only when it is not on this page.
    let user = member(viewer, &format!("/forum/t/{id}"))?;
    let mut row = store::topic_page(&app.db, &user.id, id).await?.ok_or(AppError::NotFound)?;
    let category = row.category();
    let standing = match (&row.group_status, &row.group_role) {
        (Some(status), Some(role)) => Some(groups::standing_of(status, role)),
        _ => None,
    };
    let space = if category.group_id.is_some() { Space::Group(standing) } else { Space::Members };
    let now = Utc::now();
    let moderator = policy::can_moderate(viewer);
    if !policy::can_view_category(viewer, space, now) || (row.topic.hidden && !moderator) {
        return Err(AppError::NotFound);
    }
    let marks = row.marks();
    let (topic, watching, total) = (row.topic, row.watching, row.post_count);
    let pages = ((total + POSTS_PER_PAGE - 1) / POSTS_PER_PAGE).max(1);
    let page_number = page_number.clamp(1, pages);
    let is_anonymous = |a: &str| topic.anonymous_label.is_some() && Some(a) == topic.author_id.as_deref();
    let view = |p: PagePost| PostView {
        author: shown_author(viewer, &topic, p.author_id.as_deref(), p.author_name.as_deref()),
        when: time::date_time(p.created_at, app.config.timezone),
        can_edit: policy::can_edit_post(viewer, p.author_id.as_deref(), now),
        can_like: !p.hidden && policy::can_like_post(viewer, p.author_id.as_deref(), now),
        write_to: p
            .author_id
            .as_deref()
            .filter(|a| !is_anonymous(a) && *a != user.id && policy::can_write_messages(viewer, now))
            .map(crate::messages::write_to),
        face: p.author_id.clone().filter(|a| !is_anonymous(a)),
        accepted: topic.accepted_post_id.as_deref() == Some(p.id.as_str()),
        post: p,
    };
    let page_posts =
        store::posts(&app.db, &topic.id, &marks, (page_number - 1) * POSTS_PER_PAGE, POSTS_PER_PAGE).await?;
    let answer = match &topic.accepted_post_id {
        Some(pid) => match page_posts.iter().find(|p| &p.id == pid) {
            Some(p) => Some(p.clone()),
            None => store::page_post(&app.db, &user.id, pid).await?,
        }
        .filter(|p| !p.hidden)
        .map(view),
        None => None,
    };
    let posts: Vec<PostView> = page_posts.into_iter().filter(|p| !p.hidden || moderator).map(view).collect();
    // Reading a topic writes only when there was something new to read.
    if topic.unread {
        store::mark_read(&app.db, &user.id, &topic.id, now).await?;
    }
    Ok(TopicPage {
        page: page.titled(&topic.title).noindex(),
        author: shown_author(viewer, &topic, topic.author_id.as_deref(), topic.author_name.as_deref()),
        watching,
        can_reply: policy::can_reply(viewer, topic.replies(), now),
        can_accept: topic.is_question() && policy::can_accept_answer(viewer, topic.author_id.as_deref(), now),
        can_moderate: moderator,
        categories: if moderator { store::categories(&app.db).await? } else { Vec::new() },
        category,
        topic,
        posts,
        answer,
        page_number,
        pages,
        quote,
        errors,
    })
}

async fn topic_page(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<TopicQuery>,
) -> AppResult<impl IntoResponse> {
    let quote = match q.quote {
        Some(pid) => match store::post(&app.db, &pid).await? {
            Some(p) if p.topic_id == id && !p.hidden => {
                p.body_md.lines().map(|l| format!("> {l}")).collect::<Vec<_>>().join("\n") + "\n\n"
            }
            _ => String::new(),
        },
        None => String::new(),
    };
    let view = topic_view(&app, page, &viewer, &id, q.page.unwrap_or(1), quote, FieldErrors::default()).await?;
    render_sized(&view, view.size())
}

#[derive(Deserialize)]
struct ReplyForm {
    #[serde(default)]
    body: String,
}

async fn reply(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<ReplyForm>,
) -> AppResult<Response> {
    let (topic, category) = topic_of(&app, &viewer, &id).await?;
    let user = member(&viewer, "/forum")?;
    policy::require(&viewer, policy::can_post(&viewer, Utc::now()), "/forum")?;
    if !policy::can_reply(&viewer, topic.replies(), Utc::now()) {
        return Err(AppError::Conflict("This topic is locked: no more replies.".into()));
    }
    let mut errors = FieldErrors::default();
    let body = errors.required("body", "Your reply", &form.body, 50_000);
    if !errors.is_empty() {
        let view = topic_view(&app, page, &viewer, &id, 1, form.body.clone(), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response());
    }
    let allowed = readers(&app, &category).await?;
    let may_read = |uid: &str| allowed.as_ref().is_none_or(|set| set.contains(uid));
    let post_id = service::reply(&app, &user, &topic, &body, &may_read).await?;
    let total = store::count_posts(&app.db, &topic.id).await?;
    let last_page = ((total + POSTS_PER_PAGE - 1) / POSTS_PER_PAGE).max(1);
    Ok(redirect_with_notice(&format!("/forum/t/{id}?page={last_page}#post-{post_id}"), "Your reply is posted."))
}

#[derive(Deserialize)]
struct AcceptForm {
    #[serde(default)]
    post_id: String,
}

async fn accept(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<AcceptForm>,
) -> AppResult<Response> {
    let (topic, _) = topic_of(&app, &viewer, &id).await?;
    policy::require(
        &viewer,
        topic.is_question() && policy::can_accept_answer(&viewer, topic.author_id.as_deref(), Utc::now()),
        "/forum",
    )?;
    let post = store::post(&app.db, &form.post_id)
        .await?
        .filter(|p| p.topic_id == topic.id && !p.opening && !p.hidden)
        .ok_or_else(|| AppError::BadRequest("Choose a reply in this topic.".into()))?;
    store::set_accepted(&app.db, &topic.id, Some(&post.id)).await?;
    Ok(redirect_with_notice(&format!("/forum/t/{id}"), "The answer is marked."))
}

#[derive(Deserialize)]
struct WatchForm {
    #[serde(default)]
    action: String,
}

async fn watch_topic(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<WatchForm>,
) -> AppResult<Response> {
    let (topic, _) = topic_of(&app, &viewer, &id).await?;
    let user = member(&viewer, "/forum")?;
    if form.action == "stop" {
        store::unwatch(&app.db, &user.id, &topic.id).await?;
    } else {
        store::watch(&app.db, &user.id, &topic.id, "topic").await?;
    }
    Ok(redirect_with_notice(
        &format!("/forum/t/{id}"),
        if form.action == "stop" { "You no longer watch this topic." } else { "You are watching this topic." },
    ))
}

async fn watch_category(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Form(form): Form<WatchForm>,
) -> AppResult<Response> {
    let category = category_of(&app, &viewer, &slug).await?;
    let user = member(&viewer, "/forum")?;
    if form.action == "stop" {
        store::unwatch(&app.db, &user.id, &category.id).await?;
    } else {
        store::watch(&app.db, &user.id, &category.id, "category").await?;
    }
    Ok(redirect_with_notice(
        &format!("/forum/c/{slug}"),
        if form.action == "stop" { "You no longer watch this category." } else { "You are watching this category." },
    ))
}

/// A post the viewer may edit.
async fn editable(app: &App, viewer: &Viewer, id: &str) -> AppResult<(Post, Topic)> {
    let post = store::post(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let (topic, _) = topic_of(app, viewer, &post.topic_id).await?;
    policy::require(viewer, policy::can_edit_post(viewer, post.author_id.as_deref(), Utc::now()), "/forum")?;
    Ok((post, topic))
}

#[derive(Template)]
#[template(path = "forum/edit.html")]
struct EditPage {
    page: Page,
    post: Post,
    topic: Topic,
    title: String,
    body: String,
    errors: FieldErrors,
}

async fn edit_form(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let (post, topic) = editable(&app, &viewer, &id).await?;
    render(&EditPage {
        page: page.titled("Edit").noindex(),
        title: topic.title.clone(),
        body: post.body_md.clone(),
        post,
        topic,
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
struct EditForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

async fn edit(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<EditForm>,
) -> AppResult<Response> {
    let (post, topic) = editable(&app, &viewer, &id).await?;
    let user = member(&viewer, "/forum")?;
    let mut errors = FieldErrors::default();
    let body = errors.required("body", "The text", &form.body, 50_000);
    let title =
        if post.opening { errors.required("title", "The title", &form.title, 200) } else { topic.title.clone() };
    if !errors.is_empty() {
        let body = render(&EditPage {
            page: page.titled("Edit").noindex(),
            title: form.title,
            body: form.body,
            post,
            topic,
            errors,
        })?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    }
    let mentioned = store::users_by_handles(&app.db, &service::mentions(&body)).await?;
    let text = store::PostText { md: &body, html: service::post_html(&body, &mentioned) };
    let mut tx = app.db.begin().await?;
    store::edit_post(&mut tx, &post, &text, &user.id, Utc::now()).await?;
    if post.opening && title != topic.title {
        store::set_title(&mut tx, &topic.id, &title).await?;
    }
    search::index_post(&mut tx, &post.id, &title, &body).await?;
    tx.commit().await?;
    Ok(redirect_with_notice(&format!("/forum/t/{}#post-{}", topic.id, post.id), "Your changes are saved."))
}

#[derive(Template)]
#[template(path = "forum/history.html")]
struct HistoryPage {
    page: Page,
    post: Post,
    revisions: Vec<(Revision, String)>,
}

async fn history(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    member(&viewer, "/forum")?;
    policy::require(&viewer, policy::can_moderate(&viewer), "/forum")?;
    let post = store::post(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let revisions = store::revisions(&app.db, &id)
        .await?
        .into_iter()
        .map(|r| {
            let when = time::date_time(r.created_at, app.config.timezone);
            (r, when)
        })
        .collect();
    render(&HistoryPage { page: page.titled("Edit history").noindex(), post, revisions })
}

#[derive(Deserialize)]
struct FlagForm {
    #[serde(default)]
    reason: String,
}

/// A post a member flags: one they may read (a hidden post, only a moderator).
struct Flagged {
    user: User,
    post: Post,
    topic: Topic,
    /// The post's place in its topic (the page that shows it).
    place: String,
}

async fn flaggable(app: &App, viewer: &Viewer, id: &str) -> AppResult<Flagged> {
    let user = member(viewer, &format!("/forum/p/{id}/flag"))?;
    let (post, topic, _) = super::reactions::readable_post(app, viewer, id).await?;
    let place = super::reactions::place_of(app, &post).await?;
    Ok(Flagged { user, post, topic, place })
}

/// Flagging is a page of its own, with the post beside the form, rather than a form under every post of a
/// topic: fifty of those were a fifth of the topic page's bytes (issue 22).
#[derive(Template)]
#[template(path = "forum/flag.html")]
struct FlagPage {
    page: Page,
    author: String,
    when: String,
    /// The post as its topic's page shows it (its HTML and author's name), read only for this page.
    shown: PagePost,
    flagged: Flagged,
    reason: String,
    errors: FieldErrors,
}

impl FlagPage {
    async fn render(
        app: &App,
        page: Page,
        viewer: &Viewer,
        flagged: Flagged,
        reason: String,
        errors: FieldErrors,
    ) -> AppResult<Html<String>> {
        let shown = store::page_post(&app.db, &flagged.user.id, &flagged.post.id).await?.ok_or(AppError::NotFound)?;
        render(&FlagPage {
            page: page.titled("Flag a post").noindex(),
            author: shown_author(viewer, &flagged.topic, shown.author_id.as_deref(), shown.author_name.as_deref()),
            when: time::date_time(shown.created_at, app.config.timezone),
            shown,
            flagged,
            reason,
            errors,
        })
    }
}

async fn flag_form(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let flagged = flaggable(&app, &viewer, &id).await?;
    FlagPage::render(&app, page, &viewer, flagged, String::new(), FieldErrors::default()).await
}

async fn flag(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<FlagForm>,
) -> AppResult<Response> {
    let flagged = flaggable(&app, &viewer, &id).await?;
    let mut errors = FieldErrors::default();
    let reason = errors.required("reason", "The reason", &form.reason, 1000);
    if !errors.is_empty() {
        let page = FlagPage::render(&app, page, &viewer, flagged, form.reason, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    store::flag(&app.db, &flagged.post.id, &flagged.user.id, &reason).await?;
    Ok(redirect_with_notice(&flagged.place, "Thank you: the moderators will look at it."))
}

#[derive(Template)]
#[template(path = "forum/notifications.html")]
struct NotificationsPage {
    page: Page,
    items: Vec<(Notification, String)>,
}

async fn notifications(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let user = member(&viewer, "/notifications")?;
    let items = store::notifications(&app.db, &user.id)
        .await?
        .into_iter()
        .map(|n| {
            let when = time::date_time(n.created_at, app.config.timezone);
            (n, when)
        })
        .collect();
    render(&NotificationsPage { page: page.titled("Notifications").noindex(), items })
}

async fn read_notifications(State(app): State<App>, viewer: Viewer) -> AppResult<Response> {
    let user = member(&viewer, "/notifications")?;
    store::read_notifications(&app.db, &user.id).await?;
    Ok(redirect_with_notice("/notifications", "All marked as read."))
}
