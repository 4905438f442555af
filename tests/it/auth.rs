//! First-organiser setup, signing in and out, sessions, password reset and change, throttling.

use swn::auth::Role;

use crate::on_both_engines;
use crate::support::{Engine, TestApp, browser, find_link};

on_both_engines!(
    setup_link_creates_the_first_organiser_once,
    sign_in_rotates_the_session_and_sign_out_ends_it,
    password_reset_by_email_works_once,
    change_password_can_sign_out_everywhere,
    role_change_rotates_the_sessions,
    sign_in_is_throttled_without_locking_the_owner_out,
    suspended_accounts_cannot_sign_in,
    simultaneous_guesses_are_counted_one_after_another,
);

fn session_cookie(answer: &crate::support::Answer) -> Option<String> {
    session_cookie_of(&answer.headers)
}

fn session_cookie_of(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("swn_session="))
        .map(str::to_string)
}

async fn setup_link_creates_the_first_organiser_once(engine: Engine) {
    let t = TestApp::start(engine).await;
    let link =
        swn::auth::service::issue_setup_link(&t.app).await.unwrap().expect("a setup link while there is no organiser");
    let path = link.strip_prefix(&t.base).unwrap().to_string();
    // A second start printed a second link before anyone used the first.
    let second = swn::auth::service::issue_setup_link(&t.app).await.unwrap().unwrap();
    let second_path = second.strip_prefix(&t.base).unwrap().to_string();
    t.get(&path).await.assert_status(200).assert_contains("Set up the network");

    // Mistakes come back with messages, keeping what was typed.
    let bad = t
        .post(&path, &[("name", "Ann Lee"), ("email", "not-an-address"), ("password", "short"), ("confirm", "short")])
        .await;
    bad.assert_status(400)
        .assert_contains("Enter an e-mail address")
        .assert_contains("at least 10 characters")
        .assert_contains("value=\"Ann Lee\"");

    let done = t
        .post(
            &path,
            &[
                ("name", "Ann Lee"),
                ("email", "Ann.Lee@Council.example.gov.uk"),
                ("password", "a long passphrase"),
                ("confirm", "a long passphrase"),
            ],
        )
        .await;
    done.assert_status(303);
    assert_eq!(done.location(), Some("/admin"));
    t.get("/admin").await.assert_status(200).assert_contains("Welcome! You are the network").assert_contains("Ann Lee");

    // The link is single-use, and no new link is issued once an organiser exists.
    t.get(&path).await.assert_status(410).assert_contains("already been used");
    assert!(swn::auth::service::issue_setup_link(&t.app).await.unwrap().is_none());
    t.get(&second_path).await.assert_status(410).assert_contains("already has an organiser");
    // The address was stored lower-cased, so signing in with any case works.
    let other = browser();
    t.sign_in_with(&other, "ann.lee@council.example.gov.uk", "a long passphrase").await.assert_status(303);
    t.finish().await;
}

async fn sign_in_rotates_the_session_and_sign_out_ends_it(engine: Engine) {
    let t = TestApp::start(engine).await;
    t.create_user("maya@insurer.example.com", "Maya Patel", Role::Member, "member-password-1").await;

    let first = t.sign_in_with(&t.client, "maya@insurer.example.com", "member-password-1").await;
    first.assert_status(303);
    let cookie = session_cookie(&first).expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "no Secure flag over plain http: {cookie}");
    assert!(cookie.split(';').next().unwrap().len() > "swn_session=".len() + 40, "a long random id");
    t.get("/account").await.assert_status(200).assert_contains("Maya Patel").assert_contains("member");

    // Signing in again gives a new session id and ends the old one.
    let second = t.sign_in_with(&t.client, "maya@insurer.example.com", "member-password-1").await;
    let cookie2 = session_cookie(&second).expect("a new session cookie");
    assert_ne!(cookie.split(';').next(), cookie2.split(';').next());
    let old = browser();
    let old_value = cookie.split(';').next().unwrap().to_string();
    let with_old = old.get(t.url("/account")).header("cookie", &old_value).send().await.unwrap();
    assert_eq!(with_old.status(), 303, "the old session id no longer works");

    // Signing out ends the session on the server, not only in the browser.
    let current = cookie2.split(';').next().unwrap().to_string();
    t.post("/sign-out", &[]).await.assert_status(303);
    let replay = old.get(t.url("/account")).header("cookie", &current).send().await.unwrap();
    assert_eq!(replay.status(), 303);
    assert!(replay.headers()["location"].to_str().unwrap().starts_with("/sign-in"));
    t.finish().await;
}

async fn password_reset_by_email_works_once(engine: Engine) {
    let t = TestApp::start(engine).await;
    t.create_user("sam@university.example.ac.uk", "Sam Reed", Role::Member, "old-password-1").await;

    // The same answer whether or not the account exists.
    let unknown = t.post("/password/forgot", &[("email", "nobody@example.org")]).await;
    unknown.assert_status(200).assert_contains("If there is an account");
    let known = t.post("/password/forgot", &[("email", "Sam@University.example.ac.uk")]).await;
    known.assert_status(200).assert_contains("If there is an account");

    let mail = t.wait_for_mail("sam@university.example.ac.uk").await;
    assert!(mail.contains("Hello Sam Reed"), "{mail}");
    let link = find_link(&mail, &format!("{}/password/reset/", t.base)).expect("a reset link in the e-mail");
    let path = link.strip_prefix(&t.base).unwrap().to_string();
    // Asking again ends the first link: only the newest e-mail's link works.
    t.post("/password/forgot", &[("email", "sam@university.example.ac.uk")]).await.assert_status(200);
    let links = || {
        t.outbox_files()
            .iter()
            .filter_map(|f| {
                let mail = mailparse::parse_mail(f).ok()?;
                find_link(&crate::support::plain_text(&mail)?, &format!("{}/password/reset/", t.base))
            })
            .collect::<Vec<_>>()
    };
    for _ in 0..100 {
        if links().len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let second = links().into_iter().find(|l| *l != link).expect("a second reset link");
    t.get(&path).await.assert_status(410);
    let path = second.strip_prefix(&t.base).unwrap().to_string();
    // The e-mail is multipart text + HTML, with a Message-ID.
    let raw = t.outbox_files().into_iter().find(|f| String::from_utf8_lossy(f).contains("sam@university")).unwrap();
    let parsed = mailparse::parse_mail(&raw).unwrap();
    assert_eq!(parsed.ctype.mimetype, "multipart/alternative");
    assert!(parsed.headers.iter().any(|h| h.get_key_ref().eq_ignore_ascii_case("message-id")));
    assert!(parsed.subparts.iter().any(|p| p.ctype.mimetype == "text/html"));

    t.get(&path).await.assert_status(200).assert_contains("Choose a new password");
    t.post(&path, &[("password", "new-password-1"), ("confirm", "different-1")])
        .await
        .assert_status(400)
        .assert_contains("do not match");
    let done = t.post(&path, &[("password", "new-password-1"), ("confirm", "new-password-1")]).await;
    done.assert_status(303);
    assert_eq!(done.location(), Some("/sign-in"));

    // Used once, the link is dead; the old password is dead; the new one works.
    t.get(&path).await.assert_status(410);
    t.post(&path, &[("password", "other-password-1"), ("confirm", "other-password-1")]).await.assert_status(410);
    let b = browser();
    t.sign_in_with(&b, "sam@university.example.ac.uk", "old-password-1").await.assert_status(401);
    t.sign_in_with(&b, "sam@university.example.ac.uk", "new-password-1").await.assert_status(303);
    // The outbox row is marked sent.
    let rows = swn::mail::outbox::recent(&t.app.db, 10).await.unwrap();
    assert!(rows.iter().any(|r| r.to_address == "sam@university.example.ac.uk" && r.status == "sent"));
    t.finish().await;
}

async fn change_password_can_sign_out_everywhere(engine: Engine) {
    let t = TestApp::start(engine).await;
    t.create_user("li@retailer.example.com", "Li Wei", Role::Member, "first-password-1").await;
    let laptop = browser();
    t.sign_in_with(&laptop, "li@retailer.example.com", "first-password-1").await.assert_status(303);
    t.sign_in_with(&t.client, "li@retailer.example.com", "first-password-1").await.assert_status(303);

    let wrong = t
        .post(
            "/account/password",
            &[("current", "not-it-at-all"), ("password", "second-password-1"), ("confirm", "second-password-1")],
        )
        .await;
    wrong.assert_status(400).assert_contains("current password is not right");
    t.get_with(&laptop, "/account").await.assert_status(200);

    let done = t
        .post(
            "/account/password",
            &[
                ("current", "first-password-1"),
                ("password", "second-password-1"),
                ("confirm", "second-password-1"),
                ("sign_out_everywhere", "on"),
            ],
        )
        .await;
    done.assert_status(303);
    t.get("/account").await.assert_status(200).assert_contains("every other device is signed out");
    t.get_with(&laptop, "/account").await.assert_status(303);
    t.finish().await;
}

async fn role_change_rotates_the_sessions(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let rob = t.member("rob@bank.example.com", "Rob Stone").await;
    t.get_with(&rob, "/account").await.assert_status(200).assert_contains("member");

    t.get_with(&org, "/admin/users").await.assert_status(200).assert_contains("Rob Stone");
    let before = rob.get(t.url("/account")).send().await.unwrap();
    assert!(session_cookie_of(before.headers()).is_none(), "no new session id without a change");
    t.post_with(&org, &format!("/admin/users/{}", rob.id), &[("role", "moderator")]).await.assert_status(303);
    // Rob's next request carries the new role, under a new session id; the old id is dead.
    let after = rob.get(t.url("/account")).send().await.unwrap();
    assert_eq!(after.status(), 200);
    assert!(session_cookie_of(after.headers()).is_some(), "a new session id after the role change");
    assert!(after.text().await.unwrap().contains("moderator"));
    t.get_with(&rob, "/account").await.assert_status(200).assert_contains("moderator");

    // An unknown role is refused with a message.
    t.post_with(&org, &format!("/admin/users/{}", rob.id), &[("role", "emperor")]).await.assert_status(400);
    // The last organiser cannot step down.
    t.post_with(&org, &format!("/admin/users/{}", org.id), &[("role", "member")]).await.assert_status(303);
    t.get_with(&org, "/admin/users").await.assert_status(200).assert_contains("at least one active organiser");
    t.finish().await;
}

async fn sign_in_is_throttled_without_locking_the_owner_out(engine: Engine) {
    let t = TestApp::start_with(engine, |c| c.trust_proxy = true).await;
    t.create_user("victim@agency.example.gov.uk", "Vic Tim", Role::Member, "right-password-1").await;
    let attacker = browser();
    let token = t.csrf_with(&attacker).await;
    let attempt = |client: reqwest::Client, ip: &'static str, password: &'static str, token: String| {
        let url = t.url("/sign-in");
        async move {
            client
                .post(url)
                .header("x-forwarded-for", ip)
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("email", "victim@agency.example.gov.uk"),
                    ("password", password),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..swn::auth::throttle::MAX_PER_ACCOUNT_AND_ADDRESS {
        assert_eq!(attempt(attacker.clone(), "203.0.113.9", "guess-guess-1", token.clone()).await.status(), 401);
    }
    let blocked = attempt(attacker.clone(), "203.0.113.9", "right-password-1", token.clone()).await;
    assert_eq!(blocked.status(), 429);
    let retry_after: u64 = blocked.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after > 0 && retry_after <= 15 * 60);
    assert!(blocked.text().await.unwrap().contains("too many attempts"));

    // The owner, from their own address, is not locked out.
    let owner = browser();
    let owner_token = t.csrf_with(&owner).await;
    assert_eq!(attempt(owner.clone(), "198.51.100.7", "right-password-1", owner_token).await.status(), 303);
    t.finish().await;
}

async fn suspended_accounts_cannot_sign_in(engine: Engine) {
    let t = TestApp::start(engine).await;
    let id = t.create_user("sus@firm.example.com", "Sue Spend", Role::Member, "member-password-1").await;
    let sue = browser();
    t.sign_in_with(&sue, "sus@firm.example.com", "member-password-1").await.assert_status(303);
    swn::auth::service::change_role(&t.app.db, &id, Role::Member, true).await.unwrap();
    t.get_with(&sue, "/account").await.assert_status(303);
    t.sign_in_with(&sue, "sus@firm.example.com", "member-password-1")
        .await
        .assert_status(403)
        .assert_contains("suspended");
    t.finish().await;
}

/// Sixty wrong passwords sent at once for one account from one address: the check and the count are one step,
/// so no more than the limit are ever checked (the rest wait), on either engine.
async fn simultaneous_guesses_are_counted_one_after_another(engine: Engine) {
    let t = TestApp::start_with(engine, |c| c.trust_proxy = true).await;
    // Two instances behind one load balancer: every other guess goes to the second.
    let other = t.another_instance().await;
    t.create_user("target@agency.example.gov.uk", "Tar Get", Role::Member, "right-password-1").await;
    let attacker = browser();
    let token = t.csrf_with(&attacker).await;
    let tries = (0..60).map(|n| {
        let server = if n % 2 == 0 { &t } else { &other };
        let (client, url, token) = (attacker.clone(), server.url("/sign-in"), token.clone());
        async move {
            client
                .post(url)
                .header("x-forwarded-for", "203.0.113.44")
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("email", "target@agency.example.gov.uk"),
                    ("password", "a-wrong-guess"),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let answers = futures_util::future::join_all(tries).await;
    let checked = answers.iter().filter(|s| **s == 401).count();
    let held_back = answers.iter().filter(|s| **s == 429).count();
    assert!(checked <= swn::auth::throttle::MAX_PER_ACCOUNT_AND_ADDRESS, "{checked} passwords checked: {answers:?}");
    assert_eq!(checked + held_back, 60, "{answers:?}");
    other.finish().await;
    t.finish().await;
}
