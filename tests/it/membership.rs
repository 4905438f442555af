//! Joining the network: applying, confirming the work address, review, and the members-only pages.

use swn::auth::Role;

use crate::on_both_engines;
use crate::support::{Answer, Engine, PASSWORD, TestApp, browser, find_link};

on_both_engines!(
    eligible_applicant_joins_and_reaches_members_pages,
    ineligible_applicants_are_told_why,
    organisers_ask_for_information_and_reject_with_a_reason,
    the_join_form_explains_mistakes,
    the_join_form_never_tells_who_has_an_account,
    members_pages_are_for_current_members_only,
    reminders_renewal_and_lapse,
    members_download_their_data_and_delete_their_account,
    groups_by_request_and_open,
    profiles_show_only_what_members_choose,
    organisers_correct_and_merge_organisations,
    every_membership_route_answers_each_role_as_the_policy_says,
    auto_approval_when_configured,
    email_consent_is_recorded_as_a_history,
    organisers_import_members_from_csv_all_or_nothing,
    a_member_moving_employer_reverifies_and_keeps_their_history,
    membership_reports_match_the_database,
);

pub(crate) struct Applicant<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub employment: &'a str,
    pub employees: &'a str,
    pub organisation: &'a str,
    pub domain: &'a str,
}

const ELIGIBLE: Applicant<'static> = Applicant {
    name: "Priya Shah",
    email: "priya.shah@northshire.gov.uk",
    employment: "employee",
    employees: "4200",
    organisation: "Northshire County Council",
    domain: "https://www.northshire.gov.uk",
};

pub(crate) async fn apply(t: &TestApp, client: &reqwest::Client, a: &Applicant<'_>) -> Answer {
    t.post_with(
        client,
        "/join",
        &[
            ("name", a.name),
            ("email", a.email),
            ("password", "applicant-password-1"),
            ("confirm", "applicant-password-1"),
            ("job_title", "Hybrid Working Programme Lead"),
            ("employment", a.employment),
            ("programme_role", "I lead the workstream on team agreements."),
            ("discipline_people", "on"),
            ("discipline_change", "on"),
            ("organisation_name", a.organisation),
            ("organisation_domain", a.domain),
            ("sector", "Local government"),
            ("employees", a.employees),
            ("region", "North West England"),
            ("stage", "implementing"),
            ("agree_principles", "on"),
            ("agree_confidentiality", "on"),
            ("newsletter", "on"),
        ],
    )
    .await
}

/// Applies and confirms the work address through the e-mailed link; gives the applicant's browser.
pub(crate) async fn apply_and_verify(t: &TestApp, a: &Applicant<'_>) -> reqwest::Client {
    let b = browser();
    let applied = apply(t, &b, a).await;
    applied.assert_status(303);
    assert_eq!(applied.location(), Some("/join/sent"));
    t.get_with(&b, "/join/sent").await.assert_status(200).assert_contains("Check your e-mail");
    let mail = t.wait_for_mail(a.email).await;
    let link = find_link(&mail, &format!("{}/join/verify/", t.base)).expect("a confirmation link");
    let path = link.strip_prefix(&t.base).unwrap().to_string();
    t.get_with(&b, &path).await.assert_status(200).assert_contains("Confirm my e-mail address");
    let confirmed = t.post_with(&b, &path, &[]).await;
    confirmed.assert_status(303);
    assert_eq!(confirmed.location(), Some("/application"));
    // The link signed the applicant in on this browser.
    t.get_with(&b, "/application").await.assert_status(200).assert_contains("Your application");
    t.post_with(&b, &path, &[]).await.assert_status(410);
    b
}

/// Applies, then signs in with the password just chosen (the form itself signs no one in).
pub(crate) async fn apply_and_sign_in(t: &TestApp, a: &Applicant<'_>) -> reqwest::Client {
    let b = browser();
    apply(t, &b, a).await.assert_status(303);
    t.sign_in_with(&b, a.email, "applicant-password-1").await.assert_status(303);
    b
}

pub(crate) async fn application_id(t: &TestApp, email: &str) -> String {
    let all = swn::membership::applications(&t.app.db, None, None).await.unwrap();
    all.into_iter().find(|a| a.email == email).expect("the application").id
}

fn assert_private(a: &Answer) {
    assert!(a.body.contains("noindex"), "members-only pages are kept out of search engines");
    assert_eq!(a.headers.get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));
}

async fn eligible_applicant_joins_and_reaches_members_pages(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let b = apply_and_sign_in(&t, &ELIGIBLE).await;
    t.get_with(&b, "/application").await.assert_status(200).assert_contains("Waiting for you to confirm");
    t.get_with(&b, "/members").await.assert_status(403);
    // Unconfirmed applications wait in their own list, not in the review queue.
    t.get_with(&org, "/admin/applications").await.assert_lacks("Priya Shah");
    t.get_with(&org, "/admin/applications?status=unverified").await.assert_contains("Priya Shah");

    let mail = t.wait_for_mail(ELIGIBLE.email).await;
    let path =
        find_link(&mail, &format!("{}/join/verify/", t.base)).unwrap().strip_prefix(&t.base).unwrap().to_string();
    t.post_with(&b, &path, &[]).await.assert_status(303);
    t.get_with(&b, "/application").await.assert_contains("Waiting for review by an organiser").assert_contains("Met");

    // The organiser sees the facts and every rule's result, and approves.
    let id = application_id(&t, ELIGIBLE.email).await;
    t.get_with(&org, "/admin/applications").await.assert_contains("Priya Shah").assert_contains("All met");
    let review = t.get_with(&org, &format!("/admin/applications/{id}")).await;
    review.assert_status(200).assert_contains("4200").assert_contains("is the organisation&#39;s own domain");
    t.post_with(&org, &format!("/admin/applications/{id}/decide"), &[("decision", "approve"), ("message", "")])
        .await
        .assert_status(303);
    t.get_with(&org, &format!("/admin/applications/{id}")).await.assert_contains("Approved").assert_contains(&org.name);
    let welcome = t.wait_for_mail_containing(ELIGIBLE.email, "approved").await;
    assert!(welcome.contains("twelve months"), "{welcome}");

    // The applicant, still signed in, is now a member (a new session id came with the new role).
    let members = t.get_with(&b, "/members").await;
    members.assert_status(200).assert_contains("Priya Shah").assert_contains("Northshire County Council");
    assert_private(&members);
    let org_page = t.get_with(&b, "/organisations/northshire-county-council").await;
    org_page.assert_status(200).assert_contains("1,000 to 4,999 employees").assert_contains("northshire.gov.uk");
    assert_private(&org_page);
    t.get_with(&b, "/application").await.assert_contains("Welcome to the network");

    // The next applicant from that domain is matched to the organisation the network now knows.
    let colleague = Applicant { name: "Tom Reid", email: "tom.reid@northshire.gov.uk", domain: "", ..ELIGIBLE };
    apply_and_verify(&t, &colleague).await;
    let id2 = application_id(&t, colleague.email).await;
    t.get_with(&org, &format!("/admin/applications/{id2}")).await.assert_contains("already known to the network");
    t.finish().await;
}

async fn ineligible_applicants_are_told_why(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let cases = [
        (
            Applicant {
                name: "Carl Consult",
                email: "carl@advisers.example.com",
                employment: "consultant",
                organisation: "Advisers Ltd",
                domain: "advisers.example.com",
                ..ELIGIBLE
            },
            "not a place for selling or seeking work",
        ),
        (
            Applicant {
                name: "Sally Small",
                email: "sally@smallco.example.com",
                employees: "40",
                organisation: "Small Co",
                domain: "smallco.example.com",
                ..ELIGIBLE
            },
            "organisations of 100 or more employees; 40 were given",
        ),
        (
            Applicant {
                name: "Gina Mail",
                email: "gina.mail@gmail.com",
                organisation: "Big Council",
                domain: "bigcouncil.gov.uk",
                ..ELIGIBLE
            },
            "gmail.com is a personal e-mail service",
        ),
    ];
    for (applicant, reason) in &cases {
        let b = apply_and_verify(&t, applicant).await;
        let status = t.get_with(&b, "/application").await;
        status
            .assert_status(200)
            .assert_contains("does not meet at least one")
            .assert_contains(reason)
            .assert_contains("Not met");
        let id = application_id(&t, applicant.email).await;
        t.get_with(&org, &format!("/admin/applications/{id}")).await.assert_contains(reason);
        t.get_with(&b, "/members").await.assert_status(403);
    }
    let failing = t.get_with(&org, "/admin/applications?status=pending&outcome=fail").await;
    for (applicant, _) in &cases {
        failing.assert_contains(applicant.name);
    }

    // An unconfirmed address cannot be approved.
    let unverified = Applicant {
        name: "Una Verified",
        email: "una@bigcity.gov.uk",
        organisation: "Big City",
        domain: "bigcity.gov.uk",
        ..ELIGIBLE
    };
    let b = apply_and_sign_in(&t, &unverified).await;
    let id = application_id(&t, unverified.email).await;
    let refused = t.post_with(&org, &format!("/admin/applications/{id}/decide"), &[("decision", "approve")]).await;
    refused.assert_status(409).assert_contains("has not confirmed their e-mail address");
    t.get_with(&b, "/application").await.assert_contains("Waiting for you to confirm");
    t.finish().await;
}

async fn organisers_ask_for_information_and_reject_with_a_reason(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let contractor = Applicant {
        name: "Connie Tractor",
        email: "connie@bigbank.example.com",
        employment: "placed_contractor",
        organisation: "Big Bank",
        domain: "bigbank.example.com",
        ..ELIGIBLE
    };
    let b = apply_and_verify(&t, &contractor).await;
    let id = application_id(&t, contractor.email).await;
    t.get_with(&org, &format!("/admin/applications/{id}")).await.assert_contains("For an organiser to check");

    // A question needs its text; then it reaches the applicant by e-mail and on the status page.
    t.post_with(&org, &format!("/admin/applications/{id}/decide"), &[("decision", "ask"), ("message", "")])
        .await
        .assert_status(422)
        .assert_contains("Write the question");
    let question = "Who employs you: the bank or an agency?";
    t.post_with(&org, &format!("/admin/applications/{id}/decide"), &[("decision", "ask"), ("message", question)])
        .await
        .assert_status(303);
    let mail = t.wait_for_mail_containing(contractor.email, "question").await;
    assert!(mail.contains(question), "{mail}");
    t.get_with(&b, "/application")
        .await
        .assert_contains("An organiser has asked for more information")
        .assert_contains(question);
    t.post_with(&b, "/application/answer", &[("answer", "")])
        .await
        .assert_status(400)
        .assert_contains("Your answer is required");
    t.post_with(&b, "/application/answer", &[("answer", "An agency, placed at the bank for two years.")])
        .await
        .assert_status(303);
    t.get_with(&org, &format!("/admin/applications/{id}"))
        .await
        .assert_contains("An agency, placed at the bank")
        .assert_contains("Waiting for an organiser&#39;s decision");

    // A rejection needs a reason, which the applicant reads.
    t.post_with(&org, &format!("/admin/applications/{id}/decide"), &[("decision", "reject"), ("message", "")])
        .await
        .assert_status(422);
    let reason = "The network is for people employed by the organisation itself.";
    t.post_with(&org, &format!("/admin/applications/{id}/decide"), &[("decision", "reject"), ("message", reason)])
        .await
        .assert_status(303);
    let mail = t.wait_for_mail_containing(contractor.email, "cannot approve").await;
    assert!(mail.contains(reason));
    t.get_with(&b, "/application").await.assert_contains("Not approved").assert_contains(reason);
    t.get_with(&b, "/members").await.assert_status(403);
    // Decided once, it cannot be decided again.
    t.post_with(&org, &format!("/admin/applications/{id}/decide"), &[("decision", "approve")]).await.assert_status(409);
    t.finish().await;
}

async fn the_join_form_explains_mistakes(engine: Engine) {
    let t = TestApp::start(engine).await;
    t.get("/join").await.assert_status(200).assert_contains("Apply to join");
    let empty = t.post("/join", &[("name", "Keep Me"), ("employees", "lots")]).await;
    empty
        .assert_status(400)
        .assert_contains("E-mail address is required")
        .assert_contains("Give the number of employees as a whole number")
        .assert_contains("Choose the organisation&#39;s sector")
        .assert_contains("Please agree not to use the network for selling")
        .assert_contains("value=\"Keep Me\"");
    t.finish().await;
}

/// The form answers the same whether or not the address has an account; the address's owner learns which by
/// e-mail, and an existing account is left as it was.
async fn the_join_form_never_tells_who_has_an_account(engine: Engine) {
    let t = TestApp::start(engine).await;
    t.create_user(ELIGIBLE.email, "Priya Shah", Role::Member, "member-password-1").await;
    let stranger = Applicant { name: "Nobody Yet", email: "nobody.yet@northshire.gov.uk", ..ELIGIBLE };
    let (taken, fresh) = (browser(), browser());
    let taken_answer = apply(&t, &taken, &ELIGIBLE).await;
    let fresh_answer = apply(&t, &fresh, &stranger).await;
    for answer in [&taken_answer, &fresh_answer] {
        answer.assert_status(303);
        assert_eq!(answer.location(), Some("/join/sent"));
        assert!(answer.headers.get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().contains("swn_session")));
    }
    assert_eq!(t.get_with(&taken, "/join/sent").await.body, t.get_with(&fresh, "/join/sent").await.body);

    let owner_mail = t.wait_for_mail_containing(ELIGIBLE.email, "already has an account").await;
    assert!(owner_mail.contains("/password/forgot"), "{owner_mail}");
    assert!(!owner_mail.contains("/join/verify/"), "{owner_mail}");
    t.wait_for_mail_containing(stranger.email, "/join/verify/").await;
    let applications = swn::membership::applications(&t.app.db, None, None).await.unwrap();
    assert_eq!(applications.iter().map(|a| a.email.as_str()).collect::<Vec<_>>(), [stranger.email]);
    // The owner's password is the one they chose, not the one typed into the form.
    t.sign_in_with(&browser(), ELIGIBLE.email, "member-password-1").await.assert_status(303);
    t.finish().await;
}

async fn members_pages_are_for_current_members_only(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let b = apply_and_verify(&t, &ELIGIBLE).await;
    let id = application_id(&t, ELIGIBLE.email).await;
    t.post_with(&org, &format!("/admin/applications/{id}/decide"), &[("decision", "approve")]).await.assert_status(303);
    t.get_with(&b, "/members").await.assert_status(200);
    let pages = ["/members", "/members?q=priya", "/organisations/northshire-county-council"];

    // Visitors are asked to sign in; applicants are refused; neither sees a member's name.
    let visitor = browser();
    for path in pages {
        let a = t.get_with(&visitor, path).await;
        a.assert_status(303).assert_lacks("Priya");
    }
    let applicant = apply_and_verify(
        &t,
        &Applicant {
            name: "Ann Applicant",
            email: "ann@eastshire.gov.uk",
            organisation: "Eastshire",
            domain: "eastshire.gov.uk",
            ..ELIGIBLE
        },
    )
    .await;
    for path in pages {
        t.get_with(&applicant, path).await.assert_status(403).assert_lacks("Priya");
    }
    t.get("/sitemap.xml").await.assert_lacks("/members").assert_lacks("organisations/");
    t.get("/robots.txt").await.assert_status(200);

    // A lapsed member is refused; renewed, they are back.
    let user = swn::auth::user_by_email(&t.app.db, ELIGIBLE.email).await.unwrap().unwrap();
    swn::execute!(
        &t.app.db,
        "UPDATE users SET membership_ends_at = $1 WHERE id = $2",
        chrono::Utc::now() - chrono::Duration::days(1),
        &user.id
    )
    .unwrap();
    t.get_with(&b, "/members").await.assert_status(403).assert_lacks("Northshire County Council");
    swn::execute!(
        &t.app.db,
        "UPDATE users SET membership_ends_at = $1 WHERE id = $2",
        chrono::Utc::now() + chrono::Duration::days(30),
        &user.id
    )
    .unwrap();
    t.get_with(&b, "/members").await.assert_status(200);

    // Suspension ends the member's sessions at once.
    t.post_with(&org, &format!("/admin/users/{}", user.id), &[("role", "member"), ("suspended", "on")])
        .await
        .assert_status(303);
    t.get_with(&b, "/members").await.assert_status(303);
    t.sign_in_with(&b, ELIGIBLE.email, "applicant-password-1").await.assert_status(403);

    // Organisers see the members' pages.
    for path in pages {
        t.get_with(&org, path).await.assert_status(200);
    }
    t.finish().await;
}

async fn set_term_end(t: &TestApp, user_id: &str, end: chrono::DateTime<chrono::Utc>) {
    swn::execute!(&t.app.db, "UPDATE users SET membership_ends_at = $1 WHERE id = $2", end, user_id).unwrap();
}

async fn term_end(t: &TestApp, user_id: &str) -> chrono::DateTime<chrono::Utc> {
    swn::fetch_scalar!(
        &t.app.db,
        chrono::DateTime<chrono::Utc>,
        "SELECT membership_ends_at FROM users WHERE id = $1",
        user_id
    )
    .unwrap()
}

async fn reminders_renewal_and_lapse(engine: Engine) {
    use chrono::{Duration, Utc};
    use swn::membership::send_due_renewal_reminders as send_due_reminders;
    let t = TestApp::start(engine).await;
    let email = "marcus.bell@wessex.example.ac.uk";
    let marcus = t.member(email, "Marcus Bell").await;
    let id = marcus.id.clone();
    let now = Utc::now();

    // Not due yet: no reminder, and no renewal.
    set_term_end(&t, &id, now + Duration::days(60)).await;
    assert_eq!(send_due_reminders(&t.app, now).await.unwrap(), 0);
    t.get_with(&marcus, "/membership").await.assert_status(200).assert_contains("You can renew from 30 days before");

    // 30 days before: one reminder, once, with a one-click link that works without signing in.
    let end = now + Duration::days(20);
    set_term_end(&t, &id, end).await;
    assert_eq!(send_due_reminders(&t.app, now).await.unwrap(), 1);
    assert_eq!(send_due_reminders(&t.app, now).await.unwrap(), 0, "no second reminder of the same kind");
    let mail = t.wait_for_mail_containing(email, "Renew my membership").await;
    let link = find_link(&mail, &format!("{}/membership/renew/", t.base)).unwrap();
    let path = link.strip_prefix(&t.base).unwrap().to_string();
    let anyone = browser();
    t.get_with(&anyone, &path).await.assert_status(200).assert_contains("I still meet the terms");
    t.post_with(&anyone, &path, &[]).await.assert_status(303);
    let renewed = term_end(&t, &id).await;
    assert!((renewed - (end + Duration::days(365))).num_seconds().abs() < 2, "a year on from the old end");

    // 7 days before the (new) end: the second reminder.
    set_term_end(&t, &id, now + Duration::days(5)).await;
    assert_eq!(send_due_reminders(&t.app, now).await.unwrap(), 1);

    // Lapsed: the members' area closes; renewing from the site reopens it for a year from now.
    set_term_end(&t, &id, now - Duration::days(3)).await;
    t.get_with(&marcus, "/members").await.assert_status(403);
    t.get_with(&marcus, "/membership").await.assert_status(200).assert_contains("lapsed");
    t.post_with(&marcus, "/membership/renew", &[]).await.assert_status(303);
    t.get_with(&marcus, "/members").await.assert_status(200);
    assert!(term_end(&t, &id).await > now + Duration::days(364));

    // Suspended members cannot renew, by link or otherwise; visitors are asked to sign in.
    swn::auth::service::change_role(&t.app.db, &id, Role::Member, true).await.unwrap();
    t.get_with(&anyone, &path).await.assert_status(403);
    t.get_with(&browser(), "/membership").await.assert_status(303);
    t.get("/membership/renew/not-a-token").await.assert_status(410);
    t.finish().await;
}

async fn members_download_their_data_and_delete_their_account(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let b = apply_and_verify(&t, &ELIGIBLE).await;
    let id = application_id(&t, ELIGIBLE.email).await;
    t.post_with(&org, &format!("/admin/applications/{id}/decide"), &[("decision", "approve")]).await.assert_status(303);

    let data = t.get_with(&b, "/account/data").await;
    data.assert_status(200);
    assert!(data.headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let json: serde_json::Value = serde_json::from_str(&data.body).unwrap();
    assert_eq!(json["account"]["email"], ELIGIBLE.email);
    let application = &json["membership"]["applications"][0];
    assert_eq!(application["organisation_name"], ELIGIBLE.organisation);
    assert!(application["history"].as_array().unwrap().iter().any(|e| e["kind"] == "approved"));
    assert_eq!(application["eligibility"].as_array().unwrap().len(), 5);
    t.get_with(&browser(), "/account/data").await.assert_status(303);

    t.get_with(&b, "/account/delete").await.assert_status(200).assert_contains("cannot be undone");
    t.post_with(&b, "/account/delete", &[("password", "wrong-password")])
        .await
        .assert_status(400)
        .assert_contains("not right");
    t.post_with(&b, "/account/delete", &[("password", "applicant-password-1")]).await.assert_status(303);
    t.get_with(&b, "/members").await.assert_status(303);
    t.sign_in_with(&browser(), ELIGIBLE.email, "applicant-password-1").await.assert_status(401);
    assert!(swn::auth::user_by_email(&t.app.db, ELIGIBLE.email).await.unwrap().is_none());
    assert!(swn::membership::applications(&t.app.db, None, None).await.unwrap().is_empty());
    t.get_with(&org, "/members").await.assert_lacks("Priya");
    t.get_with(&org, "/organisations/northshire-county-council").await.assert_status(200).assert_lacks("Priya");

    // The only organiser cannot delete their account and leave the network without one.
    t.post_with(&org, "/account/delete", &[("password", PASSWORD)])
        .await
        .assert_status(400)
        .assert_contains("only organiser");
    t.finish().await;
}

async fn groups_by_request_and_open(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let coordinator = t.member("cora@council.example.gov.uk", "Cora Ordinator").await;
    let asker = t.member("ash@agency.example.gov.uk", "Ash Asker").await;
    let bystander = t.member("bea@trust.example.nhs.uk", "Bea Stander").await;

    // Organisers create groups; mistakes come back with messages.
    t.post_with(
        &org,
        "/admin/groups/new",
        &[("name", ""), ("kind", "galactic"), ("join_policy", "open"), ("description", "")],
    )
    .await
    .assert_status(422)
    .assert_contains("Name is required")
    .assert_contains("Choose regional or sector");
    t.post_with(
        &bystander,
        "/admin/groups/new",
        &[("name", "Rogue"), ("kind", "sector"), ("join_policy", "open"), ("description", "x")],
    )
    .await
    .assert_status(403);
    let created = t
        .post_with(
            &org,
            "/admin/groups/new",
            &[
                ("name", "Public sector home and remote working"),
                ("kind", "sector"),
                ("join_policy", "request"),
                ("description", "For **public bodies**."),
            ],
        )
        .await;
    created.assert_status(303);
    let slug = "public-sector-home-and-remote-working";
    t.post_with(&org, &format!("/admin/groups/{slug}/coordinators"), &[("email", "cora@council.example.gov.uk")])
        .await
        .assert_status(303);
    t.get_with(&coordinator, &format!("/groups/{slug}"))
        .await
        .assert_contains("Requests to join")
        .assert_contains("<strong>public bodies</strong>");

    // A member asks to join; the coordinator approves; a bystander cannot answer requests.
    t.post_with(&asker, &format!("/groups/{slug}/join"), &[]).await.assert_status(303);
    t.get_with(&asker, &format!("/groups/{slug}")).await.assert_contains("Your request to join is with");
    let group = swn::membership::groups::group_by_slug(&t.app.db, slug).await.unwrap().unwrap();
    let ash = swn::auth::user_by_email(&t.app.db, "ash@agency.example.gov.uk").await.unwrap().unwrap();
    assert_eq!(
        swn::membership::groups::standing(&t.app.db, &group.id, &ash.id).await.unwrap(),
        Some(swn::auth::policy::GroupStanding::Requested)
    );
    t.get_with(&bystander, &format!("/groups/{slug}")).await.assert_lacks("Requests to join");
    t.post_with(&bystander, &format!("/groups/{slug}/requests/{}", ash.id), &[("action", "approve")])
        .await
        .assert_status(403);
    t.get_with(&coordinator, &format!("/groups/{slug}")).await.assert_contains("Ash Asker");
    t.post_with(&coordinator, &format!("/groups/{slug}/requests/{}", ash.id), &[("action", "approve")])
        .await
        .assert_status(303);
    assert_eq!(
        swn::membership::groups::standing(&t.app.db, &group.id, &ash.id).await.unwrap(),
        Some(swn::auth::policy::GroupStanding::Member)
    );
    t.get_with(&asker, &format!("/groups/{slug}")).await.assert_contains("Leave the group");

    // Open groups are joined directly.
    t.post_with(
        &org,
        "/admin/groups/new",
        &[
            ("name", "North West"),
            ("kind", "regional"),
            ("join_policy", "open"),
            ("description", "Members in the North West."),
        ],
    )
    .await
    .assert_status(303);
    t.post_with(&bystander, "/groups/north-west/join", &[]).await.assert_status(303);
    t.get_with(&bystander, "/groups").await.assert_contains("You are a member");
    t.post_with(&bystander, "/groups/north-west/leave", &[]).await.assert_status(303);
    t.get_with(&bystander, "/groups").await.assert_lacks("You are a member");

    // Visitors and applicants see no group or its members.
    for path in ["/groups", &format!("/groups/{slug}")] {
        t.get_with(&browser(), path).await.assert_status(303).assert_lacks("Cora");
    }
    let applicant = apply_and_verify(&t, &ELIGIBLE).await;
    t.get_with(&applicant, &format!("/groups/{slug}")).await.assert_status(403).assert_lacks("Cora");
    t.post_with(&applicant, &format!("/groups/{slug}/join"), &[]).await.assert_status(403);
    t.get_with(&bystander, "/groups/no-such-group").await.assert_status(404);
    t.finish().await;
}

/// Approves an eligible applicant; gives the member's browser.
pub(crate) async fn approved_member(t: &TestApp, org: &reqwest::Client, a: &Applicant<'_>) -> reqwest::Client {
    let b = apply_and_verify(t, a).await;
    let id = application_id(t, a.email).await;
    t.post_with(org, &format!("/admin/applications/{id}/decide"), &[("decision", "approve")]).await.assert_status(303);
    b
}

async fn profiles_show_only_what_members_choose(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let priya = approved_member(&t, &org, &ELIGIBLE).await;
    let other = Applicant {
        name: "Owen Price",
        email: "owen@harbour.example.org",
        organisation: "Harbour Housing",
        domain: "harbour.example.org",
        ..ELIGIBLE
    };
    let owen = approved_member(&t, &org, &other).await;
    let priya_id = swn::auth::user_by_email(&t.app.db, ELIGIBLE.email).await.unwrap().unwrap().id;

    // By default: job title and organisation shown, e-mail hidden.
    let profile = t.get_with(&owen, &format!("/members/{priya_id}")).await;
    profile
        .assert_status(200)
        .assert_contains("Hybrid Working Programme Lead")
        .assert_contains("Northshire County Council")
        .assert_lacks(ELIGIBLE.email);
    assert_private(&profile);

    // Priya writes an introduction, adds a photo, shows her address and hides her organisation.
    let fields = [
        ("bio", "I run **trial periods**."),
        ("interests", "anchor days"),
        ("discipline_people", "on"),
        ("show_job_title", "on"),
        ("show_bio", "on"),
        ("show_email", "on"),
    ];
    let visitor = t.post_multipart_with(&browser(), "/account/profile", &fields, None).await;
    assert_eq!(visitor.status, 303, "a visitor is sent to sign in");
    t.post_multipart_with(&priya, "/account/profile", &fields, Some(("photo", "me.png", crate::support::tiny_png())))
        .await
        .assert_status(303);
    let profile = t.get_with(&owen, &format!("/members/{priya_id}")).await;
    profile
        .assert_contains("<strong>trial periods</strong>")
        .assert_contains(ELIGIBLE.email)
        .assert_contains("People and HR")
        .assert_lacks("Northshire County Council");
    assert!(profile.attr(".person img", "src").is_some());
    // Hidden fields are not searchable either.
    t.get_with(&owen, "/members?q=northshire").await.assert_lacks("Priya Shah");
    t.get_with(&owen, "/members?q=priya").await.assert_contains("Priya Shah").assert_lacks("Northshire County Council");
    t.get_with(&owen, "/organisations/northshire-county-council").await.assert_lacks("Priya Shah");
    t.get_with(&owen, "/members?discipline=people")
        .await
        .assert_contains("Priya Shah")
        .assert_lacks("<strong>Owen Price</strong>");
    t.get_with(&owen, "/members?sector=Local+government")
        .await
        .assert_contains("<strong>Owen Price</strong>")
        .assert_lacks("Priya Shah");

    // A non-image photo is refused beside the field.
    t.post_multipart_with(&priya, "/account/profile", &[], Some(("photo", "cv.png", b"%PDF-1.4".to_vec())))
        .await
        .assert_status(422)
        .assert_contains("not an image");

    // Profiles are for members only.
    t.get_with(&browser(), &format!("/members/{priya_id}")).await.assert_status(303).assert_lacks("trial periods");
    let applicant = apply_and_verify(
        &t,
        &Applicant {
            name: "Ann Applicant",
            email: "ann@eastshire.gov.uk",
            organisation: "Eastshire",
            domain: "eastshire.gov.uk",
            ..ELIGIBLE
        },
    )
    .await;
    t.get_with(&applicant, &format!("/members/{priya_id}")).await.assert_status(403).assert_lacks("trial periods");
    let ann_id = swn::auth::user_by_email(&t.app.db, "ann@eastshire.gov.uk").await.unwrap().unwrap().id;
    t.get_with(&owen, &format!("/members/{ann_id}")).await.assert_status(404);
    t.finish().await;
}

async fn organisers_correct_and_merge_organisations(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    approved_member(&t, &org, &ELIGIBLE).await;
    let dup = Applicant {
        name: "Dee Plicate",
        email: "dee@northshire-cc.example.org",
        organisation: "Northshire CC",
        domain: "northshire-cc.example.org",
        ..ELIGIBLE
    };
    approved_member(&t, &org, &dup).await;
    t.get_with(&org, "/admin/organisations")
        .await
        .assert_contains("Northshire CC")
        .assert_contains("Northshire County Council");

    let bad = t
        .post_with(
            &org,
            "/admin/organisations/northshire-county-council",
            &[("name", ""), ("sector", "Nope"), ("employees", "x"), ("region", "NW"), ("stage", "implementing")],
        )
        .await;
    bad.assert_status(422).assert_contains("Name is required").assert_contains("whole number");
    t.post_with(
        &org,
        "/admin/organisations/northshire-county-council",
        &[
            ("name", "Northshire Council"),
            ("sector", "Local government"),
            ("employees", "4300"),
            ("region", "North West England"),
            ("stage", "embedded"),
        ],
    )
    .await
    .assert_status(303);
    t.post_with(
        &org,
        "/admin/organisations/northshire-county-council/domains",
        &[("add", "https://www.Northshire-Schools.example.org/")],
    )
    .await
    .assert_status(303);
    t.post_with(&org, "/admin/organisations/northshire-county-council/domains", &[("add", "gmail.com")])
        .await
        .assert_status(400);
    let page = t.get_with(&org, "/admin/organisations/northshire-county-council").await;
    page.assert_contains("northshire-schools.example.org").assert_contains("value=\"4300\"");

    // Merging moves the duplicate's members and domains, then removes it.
    t.post_with(&org, "/admin/organisations/northshire-cc/merge", &[("into", "northshire-county-council")])
        .await
        .assert_status(303);
    let merged = t.get_with(&org, "/organisations/northshire-county-council").await;
    merged
        .assert_contains("Dee Plicate")
        .assert_contains("Priya Shah")
        .assert_contains("northshire-cc.example.org")
        .assert_contains("Northshire Council");
    t.get_with(&org, "/organisations/northshire-cc").await.assert_status(404);
    // A member is refused the organisers' pages.
    let member =
        apply_and_verify(&t, &Applicant { name: "Mo", email: "mo@northshire.gov.uk", domain: "", ..ELIGIBLE }).await;
    t.get_with(&member, "/admin/organisations").await.assert_status(403);
    t.finish().await;
}

const MARKER: &str = "Zebra-Marker-Job-Title";

async fn every_membership_route_answers_each_role_as_the_policy_says(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    // A member with a marker only members may see, in an organisation, in a group.
    let member_b = approved_member(&t, &org, &ELIGIBLE).await;
    let member = swn::auth::user_by_email(&t.app.db, ELIGIBLE.email).await.unwrap().unwrap();
    swn::execute!(&t.app.db, "UPDATE users SET job_title = $1 WHERE id = $2", MARKER, &member.id).unwrap();
    let application = application_id(&t, ELIGIBLE.email).await;
    t.post_with(
        &org,
        "/admin/groups/new",
        &[
            ("name", "North West"),
            ("kind", "regional"),
            ("join_policy", "request"),
            ("description", "Members in the North West."),
        ],
    )
    .await
    .assert_status(303);
    let coordinator = t.member("coord@member.example.org", "Cory Ordinator").await;
    t.post_with(&org, "/admin/groups/north-west/coordinators", &[("email", "coord@member.example.org")])
        .await
        .assert_status(303);
    t.post_with(&member_b, "/groups/north-west/join", &[]).await.assert_status(303);
    let suspended = t.suspended_member("suspended@member.example.org", "Sue Spended").await;
    let applicant = apply_and_verify(
        &t,
        &Applicant {
            name: "Ann Applicant",
            email: "ann@eastshire.gov.uk",
            organisation: "Eastshire",
            domain: "eastshire.gov.uk",
            ..ELIGIBLE
        },
    )
    .await;
    let visitor = browser();

    let m = member.id.as_str();
    let a = application.as_str();
    // Expected status for: visitor, applicant, member, suspended member, group coordinator, organiser.
    let matrix: Vec<(String, [u16; 6])> = vec![
        ("/members".into(), [303, 403, 200, 303, 200, 200]),
        ("/members?q=priya".into(), [303, 403, 200, 303, 200, 200]),
        (format!("/members/{m}"), [303, 403, 200, 303, 200, 200]),
        ("/organisations/northshire-county-council".into(), [303, 403, 200, 303, 200, 200]),
        ("/groups".into(), [303, 403, 200, 303, 200, 200]),
        ("/groups/north-west".into(), [303, 403, 200, 303, 200, 200]),
        ("/account/profile".into(), [303, 403, 200, 303, 200, 200]),
        ("/membership".into(), [303, 403, 200, 303, 200, 403]),
        ("/membership/employer".into(), [303, 403, 200, 303, 200, 403]),
        ("/account/email".into(), [303, 200, 200, 303, 200, 200]),
        ("/admin/import".into(), [303, 403, 403, 303, 403, 200]),
        ("/account/data".into(), [303, 200, 200, 303, 200, 200]),
        ("/account/delete".into(), [303, 200, 200, 303, 200, 200]),
        ("/application".into(), [303, 200, 200, 303, 404, 404]),
        ("/join".into(), [200, 303, 303, 200, 303, 303]),
        ("/admin/applications".into(), [303, 403, 403, 303, 403, 200]),
        (format!("/admin/applications/{a}"), [303, 403, 403, 303, 403, 200]),
        ("/admin/organisations".into(), [303, 403, 403, 303, 403, 200]),
        ("/admin/organisations/northshire-county-council".into(), [303, 403, 403, 303, 403, 200]),
        ("/admin/groups/new".into(), [303, 403, 403, 303, 403, 200]),
        ("/admin/users".into(), [303, 403, 403, 303, 403, 200]),
    ];
    let viewers = [
        ("visitor", &visitor),
        ("applicant", &applicant),
        ("member", &member_b),
        ("suspended", &suspended.client),
        ("coordinator", &coordinator.client),
        ("organiser", &org.client),
    ];
    for (path, expected) in &matrix {
        for ((who, client), status) in viewers.iter().zip(expected) {
            let answer = t.get_with(client, path).await;
            assert_eq!(answer.status.as_u16(), *status, "{path} as {who}");
            if *status != 200 {
                answer.assert_lacks(MARKER);
            }
            if *status == 303 && !path.starts_with("/join") {
                assert!(answer.location().unwrap().starts_with("/sign-in"), "{path} as {who}");
            }
        }
    }
    // Requests to join are answered by the group's coordinator (and organisers), nobody else.
    let requests = [("member", &member_b, false), ("coordinator", &coordinator, true)];
    for (who, client, sees) in requests {
        let page = t.get_with(client, "/groups/north-west").await;
        assert_eq!(page.body.contains("Requests to join"), sees, "{who}");
    }
    t.post_with(&member_b, &format!("/groups/north-west/requests/{m}"), &[("action", "approve")])
        .await
        .assert_status(403);
    t.post_with(&coordinator, &format!("/groups/north-west/requests/{m}"), &[("action", "approve")])
        .await
        .assert_status(303);
    t.finish().await;
}

async fn auto_approval_when_configured(engine: Engine) {
    let t = TestApp::start_with(engine, |c| c.auto_approve = true).await;
    let org = t.organiser().await;
    // The first applicant from an organisation waits for a person: the organisation is not known yet.
    approved_member(&t, &org, &ELIGIBLE).await;
    let colleague = Applicant { name: "Tom Reid", email: "tom.reid@northshire.gov.uk", domain: "", ..ELIGIBLE };
    let tom = apply_and_verify(&t, &colleague).await;
    t.get_with(&tom, "/members").await.assert_status(200).assert_contains("Tom Reid");
    let id = application_id(&t, colleague.email).await;
    t.get_with(&org, &format!("/admin/applications/{id}")).await.assert_contains("Approved");
    // A failing rule is never approved automatically.
    let consultant = Applicant {
        name: "Carl Consult",
        email: "carl@northshire.gov.uk",
        employment: "consultant",
        domain: "",
        ..ELIGIBLE
    };
    let carl = apply_and_verify(&t, &consultant).await;
    t.get_with(&carl, "/members").await.assert_status(403);
    t.finish().await;
}

async fn email_consent_is_recorded_as_a_history(engine: Engine) {
    let t = TestApp::start(engine).await;
    let b = apply_and_verify(&t, &ELIGIBLE).await;
    let page = t.get_with(&b, "/account/email").await;
    page.assert_status(200);
    assert_eq!(page.attr("#newsletter", "checked").as_deref(), Some(""), "opted in on the application form");
    assert!(page.attr("#forum_notifications", "checked").is_none());
    t.post_with(&b, "/account/email", &[("forum_notifications", "on")]).await.assert_status(303);
    let page = t.get_with(&b, "/account/email").await;
    assert!(page.attr("#newsletter", "checked").is_none());
    assert!(page.attr("#forum_notifications", "checked").is_some());
    let data: serde_json::Value = serde_json::from_str(&t.get_with(&b, "/account/data").await.body).unwrap();
    let history = data["membership"]["email_consents"].as_array().unwrap();
    let seen: Vec<(String, bool, String)> = history
        .iter()
        .map(|c| {
            (
                c["category"].as_str().unwrap().to_string(),
                c["granted"].as_bool().unwrap(),
                c["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(seen.contains(&("newsletter".into(), true, "application".into())));
    assert!(seen.contains(&("newsletter".into(), false, "preferences".into())));
    assert!(seen.contains(&("forum_notifications".into(), true, "preferences".into())));
    t.get_with(&browser(), "/account/email").await.assert_status(303);
    t.finish().await;
}

async fn organisers_import_members_from_csv_all_or_nothing(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    t.get_with(&org, "/admin/import").await.assert_status(200).assert_contains(swn::membership::IMPORT_COLUMNS);
    let good = "name,email,job_title,organisation,organisation_domain,sector,employees,region,stage,member_since\n\
        Amelia Clarke,amelia@meridian.example.com,Head of Workplace,Meridian Insurance,meridian.example.com,Financial services,6800,South East England,embedded,2025-02-01\n\
        Ben Osei,Ben@Meridian.example.com,HR Policy Manager,Meridian Insurance,meridian.example.com,Financial services,6800,South East England,embedded,\n\
        Owen Price,owen@harbour.example.org,OD Manager,Harbour Housing,,Charity and voluntary,1400,Wales,implementing,2024-06-30\n";
    let bad_line = "Broken Row,not-an-email,x,Somewhere,,Nowhere sector,lots,,dreaming,tomorrow\n";
    let with_bad = format!("{good}{bad_line}");

    // A file with a bad line imports nothing, and says what is wrong with each line.
    let checked = t
        .post_multipart_with(
            &org,
            "/admin/import",
            &[("action", "import"), ("send_links", "on")],
            Some(("file", "members.csv", with_bad.into_bytes())),
        )
        .await;
    checked
        .assert_status(422)
        .assert_contains("Nothing has been imported")
        .assert_contains("the e-mail address is not valid")
        .assert_contains("the sector must be one of")
        .assert_contains("the number of employees must be a whole number")
        .assert_contains("member_since must be a past date");
    assert!(
        swn::auth::user_by_email(&t.app.db, "amelia@meridian.example.com").await.unwrap().is_none(),
        "nothing half-imported"
    );

    // A dry run of the good file reports and changes nothing.
    let dry = t.post_multipart_with(&org, "/admin/import", &[("action", "check"), ("csv", good)], None).await;
    dry.assert_status(200)
        .assert_contains("Every line can be imported")
        .assert_contains("will be a member of Meridian Insurance");
    assert!(swn::auth::user_by_email(&t.app.db, "amelia@meridian.example.com").await.unwrap().is_none());

    let done = t
        .post_multipart_with(&org, "/admin/import", &[("action", "import"), ("csv", good), ("send_links", "on")], None)
        .await;
    done.assert_status(200).assert_contains("Imported 3 members");
    let directory = t.get_with(&org, "/members").await;
    directory.assert_contains("Amelia Clarke").assert_contains("Ben Osei").assert_contains("Owen Price");
    let all = swn::membership::all_organisations(&t.app.db).await.unwrap();
    assert_eq!(
        all.iter().filter(|o| o.name == "Meridian Insurance").count(),
        1,
        "one organisation for both of its members"
    );

    // Each imported member chooses a password through the e-mailed link, and is a member.
    let mail = t.wait_for_mail_containing("ben@meridian.example.com", "Choose my password").await;
    let link = find_link(&mail, &format!("{}/password/reset/", t.base)).unwrap();
    let path = link.strip_prefix(&t.base).unwrap().to_string();
    let ben = browser();
    t.post_with(&ben, &path, &[("password", "ben-password-12"), ("confirm", "ben-password-12")])
        .await
        .assert_status(303);
    t.sign_in_with(&ben, "ben@meridian.example.com", "ben-password-12").await.assert_status(303);
    t.get_with(&ben, "/members").await.assert_status(200);

    // Importing the same people again is refused line by line.
    let again = t.post_multipart_with(&org, "/admin/import", &[("action", "import"), ("csv", good)], None).await;
    again.assert_status(422).assert_contains("an account with this e-mail address already exists");
    t.post_multipart_with(&ben, "/admin/import", &[("action", "check"), ("csv", good)], None).await.assert_status(403);
    t.finish().await;
}

async fn a_member_moving_employer_reverifies_and_keeps_their_history(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let priya = approved_member(&t, &org, &ELIGIBLE).await;
    let user = swn::auth::user_by_email(&t.app.db, ELIGIBLE.email).await.unwrap().unwrap();
    let term = user.membership_ends_at;

    t.get_with(&priya, "/membership/employer").await.assert_status(200).assert_contains("Moving to a new organisation");
    t.post_with(&priya, "/membership/employer", &[("email", "not-an-email")])
        .await
        .assert_status(400)
        .assert_contains("Enter an e-mail address");
    let new_email = "priya.shah@wessex.example.ac.uk";
    let moved = t
        .post_with(
            &priya,
            "/membership/employer",
            &[
                ("email", new_email),
                ("job_title", "Head of Hybrid Working"),
                ("employment", "employee"),
                ("programme_role", "I lead the university's programme."),
                ("organisation_name", "University of Wessex"),
                ("organisation_domain", "wessex.example.ac.uk"),
                ("sector", "Education and research"),
                ("employees", "7200"),
                ("region", "South West England"),
                ("stage", "embedded"),
            ],
        )
        .await;
    moved.assert_status(303);
    // Still a member while the move is checked.
    t.get_with(&priya, "/members").await.assert_status(200);
    t.get_with(&priya, "/application")
        .await
        .assert_contains("Your move to University of Wessex")
        .assert_contains("Waiting for you to confirm");
    let mail = t.wait_for_mail(new_email).await;
    let path =
        find_link(&mail, &format!("{}/join/verify/", t.base)).unwrap().strip_prefix(&t.base).unwrap().to_string();
    // Whoever holds the new mailbox confirms it, but is not signed in as the member by it.
    let mailbox_holder = browser();
    t.post_with(&mailbox_holder, &path, &[]).await.assert_status(303);
    assert_eq!(t.get_with(&mailbox_holder, "/account").await.status.as_u16(), 303, "no one is signed in");

    let id = application_id(&t, new_email).await;
    t.get_with(&org, &format!("/admin/applications/{id}"))
        .await
        .assert_contains("moving to a new organisation")
        .assert_contains("is the organisation&#39;s own domain");
    t.post_with(&org, &format!("/admin/applications/{id}/decide"), &[("decision", "approve")]).await.assert_status(303);

    let moved =
        swn::auth::user_by_email(&t.app.db, new_email).await.unwrap().expect("the member's address is the new one");
    assert_eq!(moved.id, user.id);
    assert_eq!(moved.job_title, "Head of Hybrid Working");
    assert_eq!(moved.membership_ends_at, term, "the term goes on unchanged");
    t.get_with(&priya, "/members?q=priya")
        .await
        .assert_contains("University of Wessex")
        .assert_lacks("Northshire County Council");
    let history = swn::membership::applications(&t.app.db, Some("approved"), None).await.unwrap();
    assert_eq!(history.iter().filter(|a| a.user_id == user.id).count(), 2, "both applications are kept");
    t.sign_in_with(&browser(), new_email, "applicant-password-1").await.assert_status(303);
    t.finish().await;
}

/// The organisers' membership reports: each figure is what the database holds (counted here on its own), the
/// charts carry the same figures, the CSV too; no one but organisers reaches them.
async fn membership_reports_match_the_database(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let mut tx = t.app.db.begin().await.unwrap();
    let council = swn::membership::insert_organisation(
        &mut tx,
        "Northshire Council",
        "Local government",
        6000,
        "North West",
        "implementing",
    )
    .await
    .unwrap();
    let bank = swn::membership::insert_organisation(
        &mut tx,
        "Harbour Bank",
        "Financial services",
        300,
        "Scotland",
        "embedded",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let people =
        [("a@northshire.gov.uk", &council), ("b@northshire.gov.uk", &council), ("c@harbour.example.com", &bank)];
    for (i, (email, organisation)) in people.iter().enumerate() {
        let p = t.member(email, &format!("Member {i}")).await;
        swn::execute!(&t.app.db, "UPDATE users SET organisation_id = $1 WHERE id = $2", *organisation, &p.id).unwrap();
    }
    let gone = t.lapsed_member("d@harbour.example.com", "Lapsed Member").await;
    swn::execute!(&t.app.db, "UPDATE users SET organisation_id = $1 WHERE id = $2", &bank, &gone.id).unwrap();

    let page = t.get_with(&org, "/admin/reports").await;
    page.assert_status(200).assert_contains("Members by sector").assert_contains("Applications by outcome");
    assert_eq!(page.body.matches("<svg role=\"img\"").count(), 9, "a chart for each report");
    let csv = |name: &'static str| {
        let (t, org) = (&t, &org);
        async move {
            let answer = t.get_with(org, &format!("/admin/reports/{name}.csv")).await;
            answer.assert_status(200);
            answer
                .body
                .lines()
                .skip(1)
                .map(|l| {
                    let (label, value) = l.rsplit_once(',').unwrap();
                    (label.trim_matches('"').to_string(), value.parse::<i64>().unwrap())
                })
                .collect::<Vec<(String, i64)>>()
        }
    };
    // By sector: against the database's own count of members in their term.
    for (sector, n) in csv("sector").await {
        let counted = swn::fetch_scalar!(
            &t.app.db,
            i64,
            "SELECT COUNT(*) FROM users u JOIN organisations o ON o.id = u.organisation_id
             WHERE u.role = 'member' AND u.suspended = FALSE
               AND (u.membership_ends_at IS NULL OR u.membership_ends_at > $1) AND o.sector = $2",
            chrono::Utc::now(),
            &sector
        )
        .unwrap();
        assert_eq!(n, counted, "{sector}");
    }
    let sectors = csv("sector").await;
    assert_eq!(sectors.iter().find(|r| r.0 == "Local government").map(|r| r.1), Some(2));
    assert_eq!(
        sectors.iter().find(|r| r.0 == "Financial services").map(|r| r.1),
        Some(1),
        "the lapsed one not counted"
    );
    let sizes = csv("size").await;
    assert_eq!(sizes.iter().map(|r| r.1).sum::<i64>(), 3);
    let lapses = csv("lapses").await;
    assert!(lapses.iter().map(|r| r.1).sum::<i64>() >= 1, "{lapses:?}");
    let joins: i64 = csv("joins").await.iter().map(|r| r.1).sum();
    let joined = swn::fetch_scalar!(
        &t.app.db,
        i64,
        "SELECT COUNT(*) FROM users WHERE role = 'member' AND member_since > $1",
        chrono::Utc::now() - chrono::Duration::days(300)
    )
    .unwrap();
    assert_eq!(joins, joined, "everyone made here joined this year");
    // The page's tables say the same as the CSV.
    page.assert_contains("<td>Local government</td><td>2</td>");
    // Organisers only.
    let member = t.member("e@northshire.gov.uk", "Another Member").await;
    t.get_with(&member, "/admin/reports").await.assert_status(403);
    t.get_with(&member, "/admin/reports/sector.csv").await.assert_status(403);
    t.get_with(&org, "/admin/reports/nothing.csv").await.assert_status(404);
    t.finish().await;
}
