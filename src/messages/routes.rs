//! The pages of private messages: a member's conversations, starting one (with a few members, found by name),
//! reading and answering, leaving, blocking, reporting; and the moderators' queue of reports. Plain forms.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{Duration, Utc};
use serde::Deserialize;

use super::model::{Conversation, Message, Person, Report, Summary};
use super::store;
use crate::App;
use crate::auth::policy::{self, ConversationPlace};
use crate::auth::{User, Viewer};
use crate::mail::{self, messages};
use crate::web::markdown::to_safe_html_without_images;
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, redirect_with_notice, render, time};

/// New conversations a member may start in a day: enough for any real exchange, too few for mass messaging.
pub const NEW_CONVERSATIONS_A_DAY: i64 = 20;
/// The people one conversation may be with, besides the one who starts it ("a few").
pub const MAX_PEOPLE: usize = 10;
const MAX_SUBJECT: usize = 200;
const MAX_BODY: usize = 20_000;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/messages", get(index).post(start))
        .route("/messages/new", get(new_form))
        .route("/messages/blocked", get(blocked).post(block))
        .route("/messages/reports", get(reports))
        .route("/messages/{id}", get(show).post(reply))
        .route("/messages/{id}/leave", post(leave))
        .route("/messages/m/{id}/report", post(report))
        .route("/messages/m/{id}/moderate", post(moderate))
}

/// Someone who may read private messages (a lapsed member too).
fn reader(viewer: &Viewer, path: &str) -> AppResult<User> {
    policy::require(viewer, policy::can_read_messages(viewer, Utc::now()), path)?;
    viewer.user.clone().ok_or(AppError::SignInRequired(path.into()))
}

/// Someone who may write them; a lapsed member is told why not.
fn writer(viewer: &Viewer, path: &str) -> AppResult<User> {
    let user = reader(viewer, path)?;
    if !policy::can_write_messages(viewer, Utc::now()) {
        return Err(AppError::Refused(if user.posting_suspended {
            "Moderators have stopped you from posting, and so from writing messages.".into()
        } else {
            "Your membership has lapsed: you can read your conversations, and write again once you renew.".into()
        }));
    }
    Ok(user)
}

fn moderator(viewer: &Viewer) -> AppResult<User> {
    policy::require(viewer, policy::can_moderate(viewer), "/messages/reports")?;
    viewer.user.clone().ok_or(AppError::Forbidden)
}

// ---------------------------------------------------------------------------------------------------------------
// A member's conversations

#[derive(Template)]
#[template(path = "messages/index.html")]
struct IndexPage {
    page: Page,
    conversations: Vec<(Summary, String)>,
    can_write: bool,
    /// Why the reader cannot write, when they cannot.
    read_only: Option<&'static str>,
    open_reports: Option<i64>,
}

async fn index(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let user = reader(&viewer, "/messages")?;
    let conversations = store::conversations_of(&app.db, &user.id)
        .await?
        .into_iter()
        .map(|c| {
            let when = time::date_time(c.last_at, app.config.timezone);
            (c, when)
        })
        .collect();
    let open_reports =
        if policy::can_moderate(&viewer) { Some(store::open_report_count(&app.db).await?) } else { None };
    let can_write = policy::can_write_messages(&viewer, Utc::now());
    let read_only = (!can_write).then_some(if user.posting_suspended {
        "You can read your conversations; moderators have stopped you from posting, and so from writing messages."
    } else {
        "You can read your conversations; you can write again once your membership is renewed."
    });
    render(&IndexPage { page: page.titled("Messages").noindex(), conversations, can_write, read_only, open_reports })
}

// ---------------------------------------------------------------------------------------------------------------
// Starting a conversation

#[derive(Template)]
#[template(path = "messages/new.html")]
struct NewPage {
    page: Page,
    /// The chosen people: (id, name).
    to: Vec<(String, String)>,
    to_ids: String,
    find: String,
    found: Vec<(String, String)>,
    subject: String,
    body: String,
    errors: FieldErrors,
}

impl NewPage {
    /// The address of this page with one more person, or one fewer.
    fn with(&self, id: &str) -> String {
        let mut ids: Vec<&str> = self.to.iter().map(|(i, _)| i.as_str()).collect();
        ids.push(id);
        format!("/messages/new?to={}", ids.join(","))
    }

    fn without(&self, id: &str) -> String {
        let ids: Vec<&str> = self.to.iter().map(|(i, _)| i.as_str()).filter(|i| *i != id).collect();
        format!("/messages/new?to={}", ids.join(","))
    }
}

#[derive(Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    to: String,
    #[serde(default)]
    find: String,
}

/// The people a conversation may be with: members in the members' area, not the writer, each once, at most
/// `MAX_PEOPLE`. Ids that name no such person are reported beside the field.
async fn chosen_people(app: &App, me: &str, ids: &str, errors: &mut FieldErrors) -> AppResult<Vec<(String, String)>> {
    let now = Utc::now();
    let mut people: Vec<(String, String)> = Vec::new();
    // Two more than the most: enough to say there are too many without looking up a long list.
    for id in ids.split(',').map(str::trim).filter(|i| !i.is_empty()).take(MAX_PEOPLE + 2) {
        if id == me || people.iter().any(|(i, _)| i == id) {
            continue;
        }
        let person = crate::auth::user_by_id(&app.db, id).await?.map(User::from);
        match person.filter(|p| policy::can_enter_members_area(&Viewer::of(p.clone()), now)) {
            Some(p) => people.push((p.id, p.name)),
            None => errors.add("to", "One of the people chosen is not a member you can write to."),
        }
    }
    if people.len() > MAX_PEOPLE {
        errors.add("to", format!("A conversation is with at most {MAX_PEOPLE} people besides you."));
    }
    Ok(people)
}

async fn new_form(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Query(query): Query<NewQuery>,
) -> AppResult<impl IntoResponse> {
    let user = writer(&viewer, "/messages/new")?;
    let mut errors = FieldErrors::default();
    let to = chosen_people(&app, &user.id, &query.to, &mut errors).await?;
    let find: String = query.find.trim().chars().take(100).collect();
    let found = if find.chars().count() >= 2 {
        super::find_members(&app.db, &find, Utc::now())
            .await?
            .into_iter()
            .filter(|(id, _)| *id != user.id && !to.iter().any(|(t, _)| t == id))
            .collect()
    } else {
        Vec::new()
    };
    render(&NewPage {
        page: page.titled("New message").noindex(),
        to_ids: to.iter().map(|(i, _)| i.as_str()).collect::<Vec<_>>().join(","),
        to,
        find,
        found,
        subject: String::new(),
        body: String::new(),
        errors,
    })
}

#[derive(Deserialize)]
struct StartForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

async fn start(State(app): State<App>, page: Page, viewer: Viewer, Form(form): Form<StartForm>) -> AppResult<Response> {
    let user = writer(&viewer, "/messages/new")?;
    let now = Utc::now();
    let mut errors = FieldErrors::default();
    let to = chosen_people(&app, &user.id, &form.to, &mut errors).await?;
    if to.is_empty() && errors.get("to").is_none() {
        errors.add("to", "Choose at least one member to write to.");
    }
    let subject = errors.required("subject", "The subject", &form.subject, MAX_SUBJECT);
    errors.one_line("subject", "The subject", &subject);
    let body = errors.required("body", "Your message", &form.body, MAX_BODY);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty()
        && store::started_since(&app.db, &user.id, now - Duration::days(1)).await? >= NEW_CONVERSATIONS_A_DAY
    {
        errors.add(
            "to",
            format!(
                "You have started {NEW_CONVERSATIONS_A_DAY} conversations in the last day, the most a day. Answer in one \
                 you have, or start this one tomorrow: your words are kept below."
            ),
        );
        status = StatusCode::TOO_MANY_REQUESTS;
    }
    if !errors.is_empty() {
        let body = render(&NewPage {
            page: page.titled("New message").noindex(),
            to_ids: to.iter().map(|(i, _)| i.as_str()).collect::<Vec<_>>().join(","),
            to,
            find: String::new(),
            found: Vec::new(),
            subject: form.subject,
            body: form.body,
            errors,
        })?;
        return Ok((status, body).into_response());
    }
    let ids: Vec<String> = to.iter().map(|(i, _)| i.clone()).collect();
    let html = to_safe_html_without_images(&body);
    let mut tx = app.db.begin().await?;
    let id = store::start(&mut tx, &user.id, &ids, &subject, &body, &html, now).await?;
    tell(&app, &mut tx, &id, &subject, &user, &ids, &body).await?;
    tx.commit().await?;
    app.wake_mail();
    Ok(redirect_with_notice(&format!("/messages/{id}"), "Your message is sent."))
}

/// Tells each of the others (not those who left, not those who blocked the author, only those who may still
/// read messages) by e-mail, as each chose: each time here; the daily e-mail is the job's. The site tells them
/// by the unread mark. Blocking is never told: the author's side looks the same either way.
async fn tell(
    app: &App,
    tx: &mut crate::db::Tx,
    conversation_id: &str,
    subject: &str,
    author: &User,
    others: &[String],
    body: &str,
) -> AppResult<()> {
    let now = Utc::now();
    let blocking = store::blocking(&app.db, &author.id).await?;
    let link = app.config.link(&format!("/messages/{conversation_id}"));
    let excerpt: String = body.chars().take(2000).collect();
    for id in others.iter().filter(|id| **id != author.id && !blocking.contains(id)) {
        let Some(row) = crate::auth::user_by_id(&app.db, id).await? else { continue };
        if !policy::can_read_messages(&Viewer::of(User::from(row.clone())), now) {
            continue;
        }
        let unsubscribe = mail::unsubscribe_link(app, &row.email, mail::Category::PrivateMessages);
        let mut email = messages::notice(
            &app.config.title,
            &row.email,
            &row.name,
            &format!("{} wrote to you: {subject}", author.name),
            &[
                format!("{} wrote to you in “{subject}”:", author.name),
                excerpt.clone(),
                "Answer on the site: members never see each other's e-mail addresses.".into(),
                format!("Stop these e-mails with one click: {unsubscribe}"),
            ],
            Some(("Read and answer", &link)),
        )?;
        email.list_unsubscribe = Some(unsubscribe);
        mail::queue(app, tx, mail::Kind::Chosen(mail::Category::PrivateMessages), &email).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// A conversation

#[derive(Template)]
#[template(path = "messages/conversation.html")]
struct ConversationPage {
    page: Page,
    conversation: Conversation,
    people: Vec<Person>,
    me: String,
    /// The messages with when each was written.
    messages: Vec<(Message, String)>,
    /// In it (not a moderator looking at a report).
    inside: bool,
    can_write: bool,
    /// The other people and whether the reader blocked each: (id, name, blocked).
    others: Vec<(String, String, bool)>,
    /// Open reports, for a moderator outside the conversation.
    reports: Vec<Report>,
    /// Faces beside the messages (for readers in the members' area, who see faces everywhere).
    faces: bool,
    /// Why the reader cannot answer, when they are in it but cannot.
    read_only: Option<&'static str>,
    body: String,
    errors: FieldErrors,
}

impl ConversationPage {
    fn reported(&self, message_id: &str) -> bool {
        self.reports.iter().any(|r| r.message_id == message_id)
    }
}

/// A conversation as the viewer may reach it.
struct Opened {
    user: User,
    conversation: Conversation,
    people: Vec<Person>,
    place: ConversationPlace,
    /// Its open reports (whoever looks: the page shows them only to a moderator outside it).
    reports: Vec<Report>,
}

/// Where the viewer stands in a conversation, after checking they may read it at all.
async fn open(app: &App, viewer: &Viewer, id: &str) -> AppResult<Opened> {
    let path = format!("/messages/{id}");
    let user = reader(viewer, &path)?;
    let conversation = store::conversation(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let people = store::people(&app.db, id).await?;
    let place = place_of(&people, &user.id);
    let reports = store::reports_in(&app.db, id).await?;
    // Not told apart from a conversation that does not exist.
    if !policy::can_read_conversation(viewer, place, !reports.is_empty(), Utc::now()) {
        return Err(AppError::NotFound);
    }
    Ok(Opened { user, conversation, people, place, reports })
}

fn place_of(people: &[Person], user_id: &str) -> ConversationPlace {
    if people.iter().any(|p| p.user_id == user_id && p.left_at.is_none()) {
        ConversationPlace::Inside
    } else {
        ConversationPlace::Outside
    }
}

async fn conversation_page(
    app: &App,
    page: Page,
    viewer: &Viewer,
    id: &str,
    body: String,
    errors: FieldErrors,
) -> AppResult<ConversationPage> {
    let Opened { user, conversation, people, place, reports } = open(app, viewer, id).await?;
    let inside = place == ConversationPlace::Inside;
    let now = Utc::now();
    let shown = store::messages(&app.db, id, if inside { &user.id } else { "" }).await?;
    // Read up to the last message shown: one that came while the page was made stays unread.
    if inside && let Some(last) = shown.iter().map(|m| m.created_at).max() {
        store::mark_read(&app.db, id, &user.id, last).await?;
    }
    let messages = shown
        .into_iter()
        .map(|m| {
            let when = time::date_time(m.created_at, app.config.timezone);
            (m, when)
        })
        .collect();
    let blocked: Vec<String> = store::blocked_by(&app.db, &user.id).await?.into_iter().map(|(i, _)| i).collect();
    let others = people
        .iter()
        .filter(|p| p.user_id != user.id)
        .map(|p| (p.user_id.clone(), p.name.clone(), blocked.contains(&p.user_id)))
        .collect();
    let reports =
        if policy::can_moderate_conversation(viewer, place, !reports.is_empty()) { reports } else { Vec::new() };
    let can_write = policy::can_write_in_conversation(viewer, place, now);
    let read_only = (inside && !can_write).then_some(if user.posting_suspended {
        "You can read this conversation; moderators have stopped you from posting, and so from answering."
    } else {
        "You can read this conversation; you can answer again once your membership is renewed."
    });
    Ok(ConversationPage {
        page: page.titled(&conversation.subject).noindex(),
        can_write,
        faces: policy::can_enter_members_area(viewer, now),
        read_only,
        conversation,
        people,
        me: user.id,
        messages,
        inside,
        others,
        reports,
        body,
        errors,
    })
}

async fn show(State(app): State<App>, page: Page, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    let page = conversation_page(&app, page, &viewer, &id, String::new(), FieldErrors::default()).await?;
    Ok(render(&page)?.into_response())
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
    let Opened { user, conversation, people, place, .. } = open(&app, &viewer, &id).await?;
    writer(&viewer, &format!("/messages/{id}"))?;
    if !policy::can_write_in_conversation(&viewer, place, Utc::now()) {
        return Err(AppError::Refused("Only the people in a conversation write in it.".into()));
    }
    let mut errors = FieldErrors::default();
    let body = errors.required("body", "Your message", &form.body, MAX_BODY);
    if !errors.is_empty() {
        let page = conversation_page(&app, page, &viewer, &id, form.body, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let others: Vec<String> =
        people.iter().filter(|p| p.left_at.is_none() && p.user_id != user.id).map(|p| p.user_id.clone()).collect();
    let mut tx = app.db.begin().await?;
    let message_id =
        store::add_message(&mut tx, &id, &user.id, &body, &to_safe_html_without_images(&body), Utc::now()).await?;
    tell(&app, &mut tx, &id, &conversation.subject, &user, &others, &body).await?;
    tx.commit().await?;
    app.wake_mail();
    Ok(redirect_with_notice(&format!("/messages/{id}#m-{message_id}"), "Your message is sent."))
}

async fn leave(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    let Opened { user, place, .. } = open(&app, &viewer, &id).await?;
    if place != ConversationPlace::Inside {
        return Err(AppError::NotFound);
    }
    store::leave(&app.db, &id, &user.id, Utc::now()).await?;
    Ok(redirect_with_notice("/messages", "You left the conversation: it is no longer in your list."))
}

// ---------------------------------------------------------------------------------------------------------------
// Blocking

#[derive(Template)]
#[template(path = "messages/blocked.html")]
struct BlockedPage {
    page: Page,
    blocked: Vec<(String, String)>,
}

async fn blocked(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let user = reader(&viewer, "/messages/blocked")?;
    render(&BlockedPage {
        page: page.titled("Members you blocked").noindex(),
        blocked: store::blocked_by(&app.db, &user.id).await?,
    })
}

#[derive(Deserialize)]
struct BlockForm {
    #[serde(default)]
    member: String,
    #[serde(default)]
    blocked: String,
    /// A conversation to go back to.
    #[serde(default)]
    back: String,
}

async fn block(State(app): State<App>, viewer: Viewer, Form(form): Form<BlockForm>) -> AppResult<Response> {
    let user = reader(&viewer, "/messages/blocked")?;
    if form.member == user.id {
        return Err(AppError::BadRequest("You cannot block yourself.".into()));
    }
    let other = crate::auth::user_by_id(&app.db, &form.member)
        .await?
        .ok_or_else(|| AppError::BadRequest("Choose a member to block.".into()))?;
    let back = store::conversation(&app.db, &form.back)
        .await?
        .map_or_else(|| "/messages/blocked".to_string(), |c| format!("/messages/{}", c.id));
    match form.blocked.as_str() {
        "yes" => {
            store::block(&app.db, &user.id, &other.id, Utc::now()).await?;
            Ok(redirect_with_notice(
                &back,
                &format!("{} is blocked: their new messages will not reach you. They are not told.", other.name),
            ))
        }
        "no" => {
            store::unblock(&app.db, &user.id, &other.id).await?;
            Ok(redirect_with_notice(&back, &format!("{} is no longer blocked.", other.name)))
        }
        _ => Err(AppError::BadRequest("Choose to block or to unblock.".into())),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Reports and moderation

#[derive(Deserialize)]
struct ReportForm {
    #[serde(default)]
    reason: String,
}

async fn report(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<ReportForm>,
) -> AppResult<Response> {
    reader(&viewer, "/messages")?;
    let message = store::message(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let Opened { user, conversation, place, .. } = open(&app, &viewer, &message.conversation_id).await?;
    if place != ConversationPlace::Inside {
        return Err(AppError::NotFound);
    }
    if message.author_id.as_deref() == Some(user.id.as_str()) {
        return Err(AppError::BadRequest("Your own messages are not reported.".into()));
    }
    let reason: String = form.reason.trim().chars().take(1000).collect();
    if reason.is_empty() {
        return Err(AppError::BadRequest("Say what is wrong with the message: moderators read it first.".into()));
    }
    let mut tx = app.db.begin().await?;
    store::report(&mut tx, &message, &conversation.id, &user.id, &reason, Utc::now()).await?;
    // The log says what was reported and why, not by whom: moderators, one of whom may be the writer, read it.
    crate::forum::log_moderation(
        &mut tx,
        None,
        "report message (by a member)",
        &format!("message {} in conversation {}", message.id, conversation.id),
        &reason,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        &format!("/messages/{}#m-{}", conversation.id, message.id),
        "Thank you: moderators can now read this conversation, and will look at the message.",
    ))
}

#[derive(Deserialize)]
struct ModerateForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

async fn moderate(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<ModerateForm>,
) -> AppResult<Response> {
    let me = moderator(&viewer)?;
    let message = store::message(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let conversation = store::conversation(&app.db, &message.conversation_id).await?.ok_or(AppError::NotFound)?;
    let place = place_of(&store::people(&app.db, &conversation.id).await?, &me.id);
    // Only a message with an open report is open to moderators, and only to those outside its conversation.
    let reported = store::reports_in(&app.db, &conversation.id).await?.iter().any(|r| r.message_id == message.id);
    if !reported {
        return Err(AppError::NotFound);
    }
    if !policy::can_moderate_conversation(&viewer, place, reported)
        || message.author_id.as_deref() == Some(me.id.as_str())
    {
        return Err(AppError::Refused(
            "This report is about a conversation you are in, or your own words: another moderator deals with it."
                .into(),
        ));
    }
    let reason: String = form.reason.trim().chars().take(1000).collect();
    if reason.is_empty() {
        return Err(AppError::BadRequest("Give the reason: it goes in the moderation log.".into()));
    }
    let (remove, action) = match form.action.as_str() {
        "remove" => (true, "remove message"),
        "dismiss" => (false, "dismiss report"),
        _ => return Err(AppError::BadRequest("Choose to remove the message or to dismiss the report.".into())),
    };
    let mut tx = app.db.begin().await?;
    store::settle(&mut tx, &message.id, remove, Utc::now()).await?;
    crate::forum::log_moderation(
        &mut tx,
        Some(&me.id),
        action,
        &format!("message {} in conversation {}", message.id, conversation.id),
        &reason,
    )
    .await?;
    tx.commit().await?;
    // The conversation stays open to moderators only while another report in it waits.
    let back = if store::reports_in(&app.db, &conversation.id).await?.is_empty() {
        "/messages/reports".to_string()
    } else {
        format!("/messages/{}#m-{}", conversation.id, message.id)
    };
    Ok(redirect_with_notice(&back, "Done, and logged."))
}

#[derive(Template)]
#[template(path = "messages/reports.html")]
struct ReportsPage {
    page: Page,
    reports: Vec<(Report, String)>,
}

async fn reports(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    moderator(&viewer)?;
    let reports = store::open_reports(&app.db)
        .await?
        .into_iter()
        .map(|r| {
            let when = time::date_time(r.created_at, app.config.timezone);
            (r, when)
        })
        .collect();
    render(&ReportsPage { page: page.titled("Reported messages").noindex(), reports })
}
