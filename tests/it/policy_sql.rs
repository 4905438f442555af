//! The few rules that must also run inside SQL (choosing newsletter readers, the directory) are written beside
//! the rule in Rust; these tests make every kind of person and check that both say the same.

use chrono::{Duration, Utc};
use swn::auth::policy;
use swn::auth::{Role, User, UserRow, Viewer};
use swn::mail::Category;

use crate::on_both_engines;
use crate::support::{Engine, TestApp};

on_both_engines!(the_members_area_rule_and_its_sql_agree, the_consent_rule_and_its_sql_agree);

/// One person of every standing: (e-mail, role, suspended, term end).
async fn everyone(t: &TestApp) -> Vec<String> {
    let now = Utc::now();
    let people = [
        ("member@org.example.com", Role::Member, false, Some(now + Duration::days(30))),
        ("open-ended@org.example.com", Role::Member, false, None),
        ("lapsed@org.example.com", Role::Member, false, Some(now - Duration::days(1))),
        ("suspended@org.example.com", Role::Member, true, Some(now + Duration::days(30))),
        ("applicant@org.example.com", Role::Applicant, false, None),
        ("moderator@org.example.com", Role::Moderator, false, Some(now - Duration::days(1))),
        ("organiser@org.example.com", Role::Organiser, false, None),
        ("suspended-organiser@org.example.com", Role::Organiser, true, None),
    ];
    let mut ids = Vec::new();
    for (email, role, suspended, ends) in people {
        let id = t.create_user(email, email, role, "a-password-for-tests").await;
        swn::execute!(
            &t.app.db,
            "UPDATE users SET suspended = $1, membership_ends_at = $2 WHERE id = $3",
            suspended,
            ends,
            &id
        )
        .unwrap();
        ids.push(id);
    }
    ids
}

async fn the_members_area_rule_and_its_sql_agree(engine: Engine) {
    let t = TestApp::start(engine).await;
    let ids = everyone(&t).await;
    let now = Utc::now();
    let sql = format!("SELECT id FROM users u WHERE {}", policy::members_area_sql("u", "$1"));
    let chosen: Vec<String> = swn::on_engine!(&t.app.db, |e| {
        sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql.clone())).bind(now).fetch_all(e).await
    })
    .unwrap();
    let mut inside = 0;
    for id in &ids {
        let row: UserRow = swn::auth::user_by_id(&t.app.db, id).await.unwrap().unwrap();
        let email = row.email.clone();
        let rule = policy::can_enter_members_area(&Viewer::of(User::from(row)), now);
        assert_eq!(chosen.contains(id), rule, "{email}: the SQL and the rule disagree");
        inside += usize::from(rule);
    }
    assert_eq!(inside, 4, "member, open-ended member, moderator and organiser are in");
    // Whom renewal reminders may go to: members (lapsed ones too), never suspended ones or other roles.
    let sql = format!("SELECT id FROM users u WHERE {}", policy::renewal_sql("u"));
    let renewing: Vec<String> =
        swn::on_engine!(&t.app.db, |e| sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(e)
            .await)
        .unwrap();
    for id in &ids {
        let row: UserRow = swn::auth::user_by_id(&t.app.db, id).await.unwrap().unwrap();
        let rule = policy::can_renew_membership(&User::from(row));
        assert_eq!(renewing.contains(id), rule, "{id}: the renewal SQL and the rule disagree");
    }
    t.finish().await;
}

async fn the_consent_rule_and_its_sql_agree(engine: Engine) {
    let t = TestApp::start(engine).await;
    let ids = everyone(&t).await;
    // Some never chose; some said yes, then no; some no, then yes.
    for (n, id) in ids.iter().enumerate() {
        let mut tx = t.app.db.begin().await.unwrap();
        for (k, category) in Category::ALL.into_iter().enumerate() {
            match (n + k) % 3 {
                0 => {}
                1 => {
                    swn::mail::consent::record(&mut tx, id, category, true, "test").await.unwrap();
                    swn::mail::consent::record(&mut tx, id, category, false, "test").await.unwrap();
                }
                _ => swn::mail::consent::record(&mut tx, id, category, true, "test").await.unwrap(),
            }
        }
        tx.commit().await.unwrap();
        // Later choices are later in time.
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    for category in Category::ALL {
        let sql = format!("SELECT id FROM users u WHERE {} = TRUE", swn::mail::consent::chosen_sql("u", category));
        let chosen: Vec<String> =
            swn::on_engine!(&t.app.db, |e| sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql.clone()))
                .fetch_all(e)
                .await)
            .unwrap();
        for id in &ids {
            let rule = swn::mail::consent::chosen_by(&t.app.db, id, category).await.unwrap();
            assert_eq!(chosen.contains(id), rule, "{category:?} for {id}: the SQL and the rule disagree");
        }
    }
    t.finish().await;
}
