//! How many queries a page costs, counted from the statements sqlx and SQLite's inline reads (`db::inline`)
//! report inside the request's span. Its own test binary (its own process), so the counter it installs sees no
//! other test's requests.

// Test code may panic: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "it/support.rs"]
#[allow(dead_code)]
mod support;

use std::sync::{Arc, Mutex, OnceLock};

use support::{Engine, TestApp, browser};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

on_both_engines!(the_topic_page_reads_in_three_queries_after_the_session);

/// The statements run inside requests since the last `take`.
#[derive(Clone, Default)]
struct Statements(Arc<Mutex<Vec<String>>>);

impl Statements {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

struct Statement(String);

impl Visit for Statement {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "db.statement" || (field.name() == "summary" && self.0.is_empty()) {
            self.0 = value.to_string();
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "db.statement" || (field.name() == "summary" && self.0.is_empty()) {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Statements {
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if !["sqlx::query", "swn::db::inline"].contains(&event.metadata().target()) {
            return;
        }
        let in_request = ctx.event_scope(event).is_some_and(|mut scope| scope.any(|span| span.name() == "request"));
        if in_request {
            let mut statement = Statement(String::new());
            event.record(&mut statement);
            self.0.lock().unwrap().push(statement.0);
        }
    }
}

fn statements() -> Statements {
    static STATEMENTS: OnceLock<Statements> = OnceLock::new();
    STATEMENTS
        .get_or_init(|| {
            let statements = Statements::default();
            let subscriber = tracing_subscriber::registry()
                .with(tracing_subscriber::EnvFilter::new("info,sqlx::query=debug,swn::db::inline=debug"))
                .with(statements.clone());
            tracing::subscriber::set_global_default(subscriber).unwrap();
            statements
        })
        .clone()
}

async fn the_topic_page_reads_in_three_queries_after_the_session(engine: Engine) {
    let statements = statements();
    let t = TestApp::start(engine).await;
    t.create_user("ann@council.example.gov.uk", "Ann Asker", swn::auth::Role::Member, "member-password-1").await;
    t.create_user("hal@insurer.example.com", "Hal Helper", swn::auth::Role::Member, "member-password-1").await;
    let (ann, hal) = (browser(), browser());
    t.sign_in_with(&ann, "ann@council.example.gov.uk", "member-password-1").await.assert_status(303);
    t.sign_in_with(&hal, "hal@insurer.example.com", "member-password-1").await.assert_status(303);
    let posted = t
        .post_with(
            &ann,
            "/forum/c/people/new",
            &[("title", "Anchor days?"), ("body", "Which days do your teams meet?"), ("kind", "question")],
        )
        .await;
    let topic = posted.location().unwrap().to_string();
    for n in 0..3 {
        t.post_with(&hal, &format!("{topic}/reply"), &[("body", &format!("Reply {n}"))]).await.assert_status(303);
    }
    let answer = t.get_with(&ann, &topic).await.attr("input[name=post_id]", "value").unwrap();
    t.post_with(&ann, &format!("{topic}/accept"), &[("post_id", &answer)]).await.assert_status(303);
    // The first visit since the last reply marks the topic read; the next one is a plain read.
    t.get_with(&ann, &topic).await.assert_status(200);
    statements.take();
    let page = t.get_with(&ann, &topic).await;
    page.assert_status(200).assert_contains("Reply 2").assert_contains("Accepted answer");
    let all = statements.take();
    let (session, page_reads): (Vec<_>, Vec<_>) = all.iter().partition(|s| s.contains("sessions"));
    assert!(session.len() <= 1, "the session is one read: {session:#?}");
    assert!(
        page_reads.len() <= 3,
        "the topic page reads topic, posts and (off this page) the answer in at most three queries: {page_reads:#?}"
    );
    assert!(!page_reads.is_empty(), "the counter saw the page's reads");
    t.finish().await;
}
