//! A person's data and choices across every feature: erasure leaves nothing of them, e-mail choices hold in
//! every feature, and notifications reach only people who may read what they name.

use chrono::{Duration, Utc};
use swn::db::Db;

use crate::meetings::meeting;
use crate::membership::{Applicant, application_id, approved_member};
use crate::on_both_engines;
use crate::support::{Engine, TestApp, browser};

on_both_engines!(
    erasing_an_account_leaves_nothing_of_the_person,
    a_member_who_turned_reminders_off_gets_none,
    lapsed_and_suspended_watchers_are_told_nothing,
);

const ROSA: Applicant<'static> = Applicant {
    name: "Rosa Quillfeather",
    email: "rosa.quillfeather@eastmarch.gov.uk",
    employment: "employee",
    employees: "5200",
    organisation: "Eastmarch Borough Council",
    domain: "https://www.eastmarch.gov.uk",
};

/// Every (table, column) whose text holds `needle`, on either engine.
async fn columns_holding(db: &Db, needle: &str) -> Vec<(String, String)> {
    let pattern = format!("%{}%", needle.to_lowercase());
    let mut found = Vec::new();
    match db {
        Db::Sqlite(pool, _) => {
            let tables: Vec<String> =
                sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                    .fetch_all(pool)
                    .await
                    .unwrap();
            for table in tables {
                let columns: Vec<String> =
                    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT name FROM pragma_table_info('{table}')")))
                        .fetch_all(pool)
                        .await
                        .unwrap();
                for column in columns {
                    let sql =
                        format!("SELECT COUNT(*) FROM \"{table}\" WHERE LOWER(CAST(\"{column}\" AS TEXT)) LIKE $1");
                    let n: i64 =
                        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(&pattern).fetch_one(pool).await.unwrap();
                    if n > 0 {
                        found.push((table.clone(), column));
                    }
                }
            }
        }
        Db::Postgres(pool) => {
            let columns: Vec<(String, String)> = sqlx::query_as(
                "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns
                 WHERE table_schema = 'public' ORDER BY table_name, column_name",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (table, column) in columns {
                let sql = format!("SELECT COUNT(*) FROM \"{table}\" WHERE LOWER(CAST(\"{column}\" AS TEXT)) LIKE $1");
                let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(&pattern).fetch_one(pool).await.unwrap();
                if n > 0 {
                    found.push((table, column));
                }
            }
        }
    }
    found
}

async fn erasing_an_account_leaves_nothing_of_the_person(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    // Rosa applies, is approved, and uses every part of the network.
    let rosa = approved_member(&t, &org, &ROSA).await;
    let rosa_id = swn::fetch_scalar!(&t.app.db, String, "SELECT id FROM users WHERE email = $1", ROSA.email).unwrap();
    assert!(!application_id(&t, ROSA.email).await.is_empty());
    t.post_multipart_with(&rosa, "/account/profile", &[("bio", "Rosa Quillfeather leads hybrid working.")], None)
        .await
        .assert_status(303);
    let kept = meeting(&t, &org, "Anchor days in practice", "members", "20", Duration::hours(2), &[]).await;
    let dropped = meeting(&t, &org, "Desk ratios revisited", "open", "20", Duration::days(3), &[]).await;
    t.post_with(&rosa, &format!("/meetings/{kept}/register"), &[]).await.assert_status(303);
    t.post_with(&rosa, &format!("/meetings/{dropped}/register"), &[]).await.assert_status(303);
    t.post_with(&rosa, &format!("/meetings/{dropped}/cancel"), &[]).await.assert_status(303);
    // The first meeting has taken place; Rosa gives feedback on it.
    swn::execute!(
        &t.app.db,
        "UPDATE meetings SET starts_at = $1, ends_at = $2 WHERE slug = $3",
        Utc::now() - Duration::hours(3),
        Utc::now() - Duration::hours(2),
        &kept
    )
    .unwrap();
    t.post_with(&rosa, &format!("/meetings/{kept}/feedback"), &[("score", "5"), ("comment", "Rosa found it useful")])
        .await
        .assert_status(303);
    let topic = t
        .post_with(
            &rosa,
            "/forum/c/people/new",
            &[
                ("title", "Trial periods for whole teams?"),
                ("body", "How long do your trials run?"),
                ("kind", "question"),
            ],
        )
        .await;
    topic.assert_status(303);
    t.post_with(&rosa, "/forum/c/workplace/watch", &[("action", "watch")]).await.assert_status(303);
    t.post_with(&rosa, "/account/calendar", &[("action", "new")]).await.assert_status(200);
    t.post_with(&rosa, "/account/api-tokens", &[("name", "rosa's script"), ("password", "applicant-password-1")])
        .await
        .assert_status(200);
    t.post_with(&browser(), "/subscribe", &[("email", ROSA.email)]).await.assert_status(303);
    t.post_with(&rosa, "/account/email", &[("newsletter", "on"), ("forum_digest", "on")]).await.assert_status(303);
    swn::mail::suppression::record_hard_failure(&t.app.db, ROSA.email, "550 mailbox full", Utc::now()).await.unwrap();
    let organisation =
        swn::fetch_scalar!(&t.app.db, String, "SELECT organisation_id FROM users WHERE id = $1", &rosa_id).unwrap();
    t.post_with(
        &org,
        "/admin/case-studies/new",
        &[
            ("title", "Eastmarch's hybrid year"),
            ("organisation", organisation.as_str()),
            ("sector", "Local government"),
            ("challenge", "Half-empty offices."),
            ("approach", "Team agreements."),
            ("results", "Desk use up."),
            ("lessons", "Start with teams."),
            ("size_band", "5,000 to 19,999 employees"),
            ("region", "North West England"),
            ("contacts", ROSA.email),
            ("audience", "members"),
            ("published", "on"),
        ],
    )
    .await
    .assert_status(303);
    // A moderator once stopped her posting for a day, and said why.
    t.post_with(
        &org,
        &format!("/forum/moderation/users/{rosa_id}"),
        &[("action", "suspend"), ("reason", "Rosa Quillfeather posted a colleague's e-mail address.")],
    )
    .await
    .assert_status(303);
    t.post_with(&org, &format!("/forum/moderation/users/{rosa_id}"), &[("action", "restore"), ("reason", "Sorted.")])
        .await
        .assert_status(303);
    // She plans her team's week in the toolkit.
    let opened = t
        .post_with(
            &rosa,
            "/toolkit/teams",
            &[
                ("name", "Eastmarch benefits"),
                ("working_days", "mon"),
                ("day_hours", "7.5"),
                ("site_name", "Town hall"),
            ],
        )
        .await;
    opened.assert_status(303);
    let space = opened.location().unwrap().to_string();
    t.post_with(
        &rosa,
        &format!("{space}/people"),
        &[("name", "Pat"), ("working_days", "mon"), ("hours_per_week", "7")],
    )
    .await
    .assert_status(303);
    // She holds the one place of a coming meeting, with Kit on its waitlist.
    let full = meeting(&t, &org, "Trial periods clinic", "members", "1", Duration::days(5), &[]).await;
    t.post_with(&rosa, &format!("/meetings/{full}/register"), &[]).await.assert_status(303);
    let kit = t.member("kit@org.example.com", "Kit Waiting").await;
    t.post_with(&kit, &format!("/meetings/{full}/register"), &[]).await.assert_status(303);
    // Everything above left traces of her.
    for needle in [ROSA.email, ROSA.name, rosa_id.as_str()] {
        assert!(!columns_holding(&t.app.db, needle).await.is_empty(), "{needle} is held before erasure");
    }
    assert!(
        columns_holding(&t.app.db, ROSA.email).await.iter().any(|(table, _)| table == "case_study_contacts")
            || columns_holding(&t.app.db, &rosa_id).await.iter().any(|(table, _)| table == "case_study_contacts"),
        "Rosa is a case study's contact"
    );

    t.post_with(&rosa, "/account/delete", &[("password", "applicant-password-1")]).await.assert_status(303);

    // Nothing holds her address or her name any more; her id stays only where the README says it does: the
    // account row itself (named "Former member") and what she wrote in the forum.
    assert_eq!(columns_holding(&t.app.db, ROSA.email).await, Vec::<(String, String)>::new());
    assert_eq!(columns_holding(&t.app.db, ROSA.name).await, Vec::<(String, String)>::new());
    let kept_on_purpose = [("forum_posts", "author_id"), ("forum_topics", "author_id"), ("users", "id")];
    let left: Vec<(String, String)> = columns_holding(&t.app.db, &rosa_id)
        .await
        .into_iter()
        .filter(|(table, column)| !kept_on_purpose.contains(&(table.as_str(), column.as_str())))
        .collect();
    assert_eq!(left, Vec::<(String, String)>::new());
    let name = swn::fetch_scalar!(&t.app.db, String, "SELECT name FROM users WHERE id = $1", &rosa_id).unwrap();
    assert_eq!(name, "Former member");
    // Her team space was hers alone: it went with her.
    let spaces = swn::fetch_scalar!(&t.app.db, i64, "SELECT COUNT(*) FROM team_spaces").unwrap();
    assert_eq!(spaces, 0);
    // Her place went to the waitlist, as a cancellation's would.
    t.wait_for_mail_containing("kit@org.example.com", "A place has become free").await;
    t.finish().await;
}

/// The reminders queued for an address so far.
async fn reminders_to(t: &TestApp, address: &str) -> usize {
    let rows = swn::mail::outbox::recent(&t.app.db, 500).await.unwrap();
    rows.iter().filter(|r| r.to_address == address && r.subject.starts_with("Reminder")).count()
}

async fn a_member_who_turned_reminders_off_gets_none(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let slug = meeting(&t, &org, "Tomorrow's round table", "members", "20", Duration::hours(20), &[]).await;
    let quiet = t.member("quiet@org.example.com", "Quinn Quiet").await;
    let keen = t.member("keen@org.example.com", "Kit Keen").await;
    // Quinn unticks every box, reminders included; Kit never opens the page (reminders are on by default).
    t.post_with(&quiet, "/account/email", &[]).await.assert_status(303);
    let page = t.get_with(&keen, "/account/email").await;
    assert!(page.attr("#meeting_reminders", "checked").is_some(), "the choice in force is shown");
    t.post_with(&quiet, &format!("/meetings/{slug}/register"), &[]).await.assert_status(303);
    t.post_with(&keen, &format!("/meetings/{slug}/register"), &[]).await.assert_status(303);
    swn::meetings::send_due_reminders(&t.app, Utc::now()).await.unwrap();
    t.wait_for_mail_containing("keen@org.example.com", "A reminder").await;
    assert_eq!(reminders_to(&t, "keen@org.example.com").await, 1);
    assert_eq!(reminders_to(&t, "quiet@org.example.com").await, 0, "Quinn turned reminders off");
    // Quinn's registration itself was confirmed by e-mail: that is not a choice.
    t.wait_for_mail("quiet@org.example.com").await;
    t.finish().await;
}

async fn lapsed_and_suspended_watchers_are_told_nothing(engine: Engine) {
    let t = TestApp::start(engine).await;
    let writer = t.member("wes@council.example.gov.uk", "Wes Writer").await;
    let mut watchers = Vec::new();
    for (email, name) in [
        ("active@org.example.com", "Ada Active"),
        ("lapsed@org.example.com", "Lou Lapsed"),
        ("suspended@org.example.com", "Sam Suspended"),
    ] {
        let b = t.member(email, name).await;
        t.post_with(&b, "/account/email", &[("forum_notifications", "on"), ("forum_digest", "on")])
            .await
            .assert_status(303);
        t.post_with(&b, "/forum/c/people/watch", &[("action", "watch")]).await.assert_status(303);
        watchers.push(b);
    }
    // Lou's term ends; Sam is suspended. Both still watch the category.
    swn::execute!(
        &t.app.db,
        "UPDATE users SET membership_ends_at = $1 WHERE email = 'lapsed@org.example.com'",
        Utc::now() - Duration::days(1)
    )
    .unwrap();
    swn::execute!(&t.app.db, "UPDATE users SET suspended = TRUE WHERE email = 'suspended@org.example.com'").unwrap();
    let posted = t
        .post_with(
            &writer,
            "/forum/c/people/new",
            &[("title", "Members-only: our union agreement"), ("body", "Draft attached."), ("kind", "discussion")],
        )
        .await;
    posted.assert_status(303);
    t.wait_for_mail_containing("active@org.example.com", "Members-only: our union agreement").await;
    let digests = swn::forum::send_due_digests(&t.app, Utc::now()).await.unwrap();
    assert_eq!(digests, 1, "only Ada's digest");
    let rows = swn::mail::outbox::recent(&t.app.db, 500).await.unwrap();
    for outsider in ["lapsed@org.example.com", "suspended@org.example.com"] {
        let mails: Vec<_> = rows.iter().filter(|r| r.to_address == outsider).map(|r| r.subject.clone()).collect();
        assert!(mails.is_empty(), "{outsider} got {mails:?}");
        let notes = swn::fetch_scalar!(
            &t.app.db,
            i64,
            "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.email = $1",
            outsider
        )
        .unwrap();
        assert_eq!(notes, 0, "{outsider} has no notification naming the topic");
    }
    assert!(rows.iter().any(|r| r.to_address == "active@org.example.com" && r.subject.contains("digest")));
    t.finish().await;
}
