//! Private messages between members: conversations with a subject and a few people, Markdown messages
//! sanitised like posts, an unread mark, an e-mail each time or once a day as each person chooses, blocking
//! (never told to the one blocked), and reports that open a conversation to moderators, and only then.
//! Neither side ever sees the other's e-mail address.

mod demo;
mod model;
mod routes;
mod store;

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use serde_json::json;

use crate::App;
use crate::auth::{User, Viewer, policy};
use crate::db::{Db, Tx};
use crate::feature::{Feature, Outcome, Person, Waiting};
use crate::mail::{self, messages};

pub use routes::{MAX_PEOPLE, NEW_CONVERSATIONS_A_DAY};

/// The address that starts a conversation with a member (from a profile, a post, a case study's contacts).
pub fn write_to(member_id: &str) -> String {
    // Joined rather than `format!`ted: the topic page asks for one per post (issue 22).
    ["/messages/new?to=", member_id].concat()
}

/// Members in the members' area found by `words`, as the directory finds them (a hidden field is not
/// searched), at most ten, for choosing whom to write to: (id, name).
pub async fn find_members(db: &Db, words: &str, now: DateTime<Utc>) -> Result<Vec<(String, String)>, sqlx::Error> {
    let filter = crate::membership::DirectoryFilter { query: words, ..Default::default() };
    Ok(crate::membership::members(db, &filter, now).await?.into_iter().take(10).map(|m| (m.id, m.name)).collect())
}

/// Sends the daily e-mails of private messages that are due (the job runs it hourly): for each person who
/// chose it, the conversations with messages they have not read that came since the last one. Marking it sent
/// and queueing it are one transaction, so it goes once a day at most.
pub async fn send_daily(app: &App, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut sent = 0;
    for user_id in store::daily_candidates(&app.db).await? {
        if !mail::consent::chosen_by(&app.db, &user_id, mail::Category::PrivateMessagesDaily).await? {
            continue;
        }
        let last = store::last_daily(&app.db, &user_id).await?;
        if last.is_some_and(|l| l > now - chrono::Duration::hours(23)) {
            continue;
        }
        let Some(row) = crate::auth::user_by_id(&app.db, &user_id).await? else { continue };
        if !policy::can_read_messages(&Viewer::of(User::from(row.clone())), now) {
            continue;
        }
        let since = last.map_or(now - chrono::Duration::days(1), |l| l.max(now - chrono::Duration::days(7)));
        let waiting = store::unread_since(&app.db, &user_id, since).await?;
        if waiting.is_empty() {
            continue;
        }
        let mut tx = app.db.begin().await?;
        if !store::claim_daily(&mut tx, &user_id, now).await? {
            continue;
        }
        let unsubscribe = mail::unsubscribe_link(app, &row.email, mail::Category::PrivateMessagesDaily);
        let total: i64 = waiting.iter().map(|(_, _, n)| n).sum();
        let mut lines: Vec<String> = waiting
            .iter()
            .map(|(subject, id, n)| {
                let many = if *n == 1 { "1 new message".to_string() } else { format!("{n} new messages") };
                format!("• {subject}: {many} ({})", app.config.link(&format!("/messages/{id}")))
            })
            .collect();
        lines.push(format!("Stop this daily e-mail with one click: {unsubscribe}"));
        let mut email = messages::notice(
            &app.config.title,
            &row.email,
            &row.name,
            &format!("Private messages: {total} new"),
            &lines,
            Some(("Open your messages", &app.config.link("/messages"))),
        )?;
        email.list_unsubscribe = Some(unsubscribe);
        mail::queue(app, &mut tx, mail::Kind::Chosen(mail::Category::PrivateMessagesDaily), &email).await?;
        tx.commit().await?;
        sent += 1;
    }
    if sent > 0 {
        app.wake_mail();
    }
    Ok(sent)
}

/// Private messages, as the program's list of features sees them.
pub struct Messages;

impl Feature for Messages {
    fn name(&self) -> &'static str {
        "messages"
    }

    fn pages(&self, _app: &App) -> axum::Router<App> {
        routes::routes()
    }

    fn demo<'a>(&'a self, app: &'a App, _organiser_id: &'a str) -> BoxFuture<'a, Outcome<Option<String>>> {
        Box::pin(async move { Ok(Some(format!("{} private conversations", demo::load(app).await?))) })
    }

    fn jobs(&self, _app: &App, jobs: &mut crate::jobs::Jobs) {
        jobs.every("private message e-mails", Duration::from_secs(3600), |app| async move {
            send_daily(&app, Utc::now()).await
        });
    }

    fn waiting<'a>(&'a self, app: &'a App, _now: DateTime<Utc>) -> BoxFuture<'a, Outcome<Vec<Waiting>>> {
        Box::pin(async move {
            let reports = store::open_reports(&app.db).await?;
            Ok(vec![Waiting {
                title: "Reported messages",
                count: reports.len() as i64,
                summary: "reported by members, for moderators to look at".into(),
                details: reports.iter().take(3).map(|r| format!("“{}”: {}", r.subject, r.reason)).collect(),
                path: "/messages/reports".into(),
                decision: true,
            }])
        })
    }

    fn export<'a>(&'a self, app: &'a App, person: &'a Person) -> BoxFuture<'a, Outcome<Option<serde_json::Value>>> {
        Box::pin(async move {
            let conversations: Vec<_> = store::export(&app.db, &person.id)
                .await?
                .into_iter()
                .map(|(c, mine)| {
                    json!({
                        "subject": c.subject,
                        "started_by_you": c.started_by.as_deref() == Some(person.id.as_str()),
                        "started_at": c.created_at,
                        "your_messages": mine.iter().map(|m| json!({"at": m.created_at, "text": m.body_md})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let blocked: Vec<_> =
                store::blocked_by(&app.db, &person.id).await?.into_iter().map(|(_, name)| name).collect();
            let reports: Vec<_> = store::reports_by(&app.db, &person.id)
                .await?
                .into_iter()
                .map(|(at, reason)| json!({"at": at, "reason": reason}))
                .collect();
            Ok(Some(json!({"conversations": conversations, "blocked_members": blocked, "reports_made": reports})))
        })
    }

    fn erase<'a>(&'a self, _app: &'a App, tx: &'a mut Tx, person: &'a Person) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async move { Ok(store::erase(tx, &person.id).await?) })
    }
}
