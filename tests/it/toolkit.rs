//! The Smart Working toolkit (issue 16): a member opens a team space, describes the team's people and their
//! activities, and reads the plan; bad input is told beside its field; a space is its team's own; the API
//! reaches the same spaces with the same checks and gives the plan in its documented shape.

use reqwest::Method;
use serde_json::{Value, json};

use crate::api::{call, is_problem, new_token};
use crate::on_both_engines;
use crate::support::{Engine, TestApp, browser, find_link};

on_both_engines!(
    a_member_plans_a_team_from_its_activities,
    mistakes_are_told_beside_their_fields_and_nothing_typed_is_lost,
    a_space_is_its_teams_own,
    the_api_builds_a_team_and_gives_its_plan,
    a_persons_part_is_exported_and_erased,
    a_lead_invites_the_team_and_a_participant_reaches_only_their_space,
    leads_share_closing_and_deleting_a_space,
    a_what_if_is_changed_and_compared_without_touching_the_plan,
    a_plan_is_shared_anonymised_only_when_its_lead_says_so,
);

/// Opens a space through the form: Monday to Friday, 7.5-hour days, one site with `desks` each weekday.
async fn open_space(t: &TestApp, client: &reqwest::Client, name: &str, desks: &str) -> String {
    let mut form = vec![("name", name), ("day_hours", "7.5"), ("site_name", "Head office")];
    for d in ["mon", "tue", "wed", "thu", "fri"] {
        form.push(("working_days", d));
    }
    for f in ["desks_mon", "desks_tue", "desks_wed", "desks_thu", "desks_fri"] {
        form.push((f, desks));
    }
    let opened = t.post_with(client, "/toolkit/teams", &form).await;
    opened.assert_status(303);
    opened.location().unwrap().trim_start_matches("/toolkit/teams/").to_string()
}

async fn add_person(
    t: &TestApp,
    client: &reqwest::Client,
    space: &str,
    name: &str,
    days: &[&str],
    hours: &str,
) -> String {
    let mut form = vec![("name", name), ("hours_per_week", hours)];
    for d in days {
        form.push(("working_days", d));
    }
    let added = t.post_with(client, &format!("/toolkit/teams/{space}/people"), &form).await;
    added.assert_status(303);
    added.location().unwrap().rsplit('/').next().unwrap().to_string()
}

async fn add_activity(t: &TestApp, client: &reqwest::Client, space: &str, person: &str, fields: &[(&str, &str)]) {
    let path = format!("/toolkit/teams/{space}/people/{person}/activities");
    t.post_with(client, &path, fields).await.assert_status(303);
}

const WEEK: [&str; 5] = ["mon", "tue", "wed", "thu", "fri"];

async fn a_member_plans_a_team_from_its_activities(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lead = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    t.get_with(&lead, "/toolkit").await.assert_status(200).assert_contains("Open a team space");
    let space = open_space(&t, &lead, "Benefits team", "2").await;
    let ana = add_person(&t, &lead, &space, "Ana", &WEEK, "37.5").await;
    let ben = add_person(&t, &lead, &space, "Ben", &WEEK, "37.5").await;
    let cy = add_person(&t, &lead, &space, "Cy", &WEEK, "37.5").await;
    // Ana's counter work is anchored to the office; she and Ben plan together in person.
    add_activity(
        &t,
        &lead,
        &space,
        &ana,
        &[
            ("activity_name", "Front counter"),
            ("category", "customers_in_person"),
            ("hours", "15"),
            ("place", "office"),
        ],
    )
    .await;
    add_activity(
        &t,
        &lead,
        &space,
        &ana,
        &[
            ("activity_name", "Case planning"),
            ("category", "internal_meetings"),
            ("hours", "7.5"),
            ("collaboration", "in_person_essential"),
            ("with", ben.as_str()),
        ],
    )
    .await;
    add_activity(
        &t,
        &lead,
        &space,
        &ana,
        &[("activity_name", "Assessments"), ("category", "analysis"), ("hours", "15")],
    )
    .await;
    add_activity(
        &t,
        &lead,
        &space,
        &ben,
        &[
            ("activity_name", "Case planning"),
            ("category", "internal_meetings"),
            ("hours", "7.5"),
            ("collaboration", "in_person_essential"),
            ("with", ana.as_str()),
        ],
    )
    .await;
    add_activity(
        &t,
        &lead,
        &space,
        &ben,
        &[("activity_name", "Casework"), ("category", "processing_data"), ("hours", "30")],
    )
    .await;
    add_activity(
        &t,
        &lead,
        &space,
        &cy,
        &[
            ("activity_name", "Scanning post"),
            ("category", "hands_on_equipment"),
            ("hours", "7.5"),
            ("place", "site"),
            ("place_reason", "The scanner is in the post room"),
        ],
    )
    .await;
    add_activity(
        &t,
        &lead,
        &space,
        &cy,
        &[("activity_name", "Reports"), ("category", "writing"), ("hours", "30"), ("focus", "high")],
    )
    .await;

    // An example from the catalogue starts the form, every field still to change.
    let example = t.get_with(&lead, &format!("/toolkit/teams/{space}/people/{cy}?example=10")).await;
    example
        .assert_status(200)
        .assert_contains(r#"value="Front counter""#)
        .assert_contains(r#"<option value="office" selected>"#);
    let person = t.get_with(&lead, &format!("/toolkit/teams/{space}/people/{ana}")).await;
    person
        .assert_status(200)
        .assert_contains("Front counter")
        .assert_contains("place-anchored")
        .assert_contains("in-person collaborative");

    let plan = t.get_with(&lead, &format!("/toolkit/teams/{space}/plan")).await;
    plan.assert_status(200)
        .assert_contains("3 days on site: 15 h place-anchored + 7.5 h in-person essential = 22.5 h ÷ 7.5 h = 3.0.")
        .assert_contains("3 anchor days + 2 flexible")
        .assert_contains("<svg role=\"img\"")
        .assert_contains("15 h of 15 h of shared in-person work")
        .assert_contains("Reports")
        .assert_contains("display-screen and health-and-safety check");
    // Two desks a day: no day of the forecast holds more than two.
    let html = plan.html();
    let rows = scraper::Selector::parse("[aria-label^='Forecast'] tbody tr").unwrap();
    let cell = scraper::Selector::parse("td").unwrap();
    let mut planned = 0;
    for row in html.select(&rows) {
        let cells: Vec<String> = row.select(&cell).map(|c| c.text().collect()).collect();
        let (p, d): (u32, u32) = (cells[0].parse().unwrap(), cells[1].parse().unwrap());
        assert!(p <= d, "{cells:?}");
        planned += p;
    }
    assert_eq!(planned, 3 + 1 + 1, "Ana 3 days, Ben 1, Cy 1");

    // The CSV has a line per person with the working.
    let csv = t.get_with(&lead, &format!("/toolkit/teams/{space}/plan.csv")).await;
    csv.assert_status(200).assert_contains("person,head_count,days_on_site").assert_contains("Cy,1,1,");
    t.finish().await;
}

async fn mistakes_are_told_beside_their_fields_and_nothing_typed_is_lost(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lead = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    let refused = t
        .post_with(
            &lead,
            "/toolkit/teams",
            &[("name", "Claims"), ("day_hours", "30"), ("site_name", "Hub"), ("desks_mon", "-3")],
        )
        .await;
    refused
        .assert_status(422)
        .assert_contains("Choose at least one working day.")
        .assert_contains("The working day can be at most 24 h.")
        .assert_contains("Desks cannot be below zero.")
        .assert_contains(r#"value="Claims""#)
        .assert_contains(r#"aria-describedby="desks_mon-error""#);
    let space = open_space(&t, &lead, "Claims", "5").await;
    let pat = add_person(&t, &lead, &space, "Pat", &["mon", "tue", "wed"], "22.5").await;
    // A week longer than its days, and activities longer than the week.
    let long = t
        .post_with(
            &lead,
            &format!("/toolkit/teams/{space}/people"),
            &[("name", "Sam"), ("working_days", "mon"), ("hours_per_week", "30")],
        )
        .await;
    long.assert_status(422).assert_contains("The hours a week can be at most 24 h.").assert_contains(r#"value="Sam""#);
    add_activity(
        &t,
        &lead,
        &space,
        &pat,
        &[("activity_name", "Claims triage"), ("category", "analysis"), ("hours", "20")],
    )
    .await;
    let over = t
        .post_with(
            &lead,
            &format!("/toolkit/teams/{space}/people/{pat}/activities"),
            &[
                ("activity_name", "Phone line"),
                ("category", "customers_by_phone"),
                ("hours", "5"),
                ("place_reason", "kept text"),
            ],
        )
        .await;
    over.assert_status(422)
        .assert_contains("the activities would add up to 25 h in a 22.5 h week")
        .assert_contains(r#"value="Phone line""#)
        .assert_contains("kept text");
    let unknown = t
        .post_with(
            &lead,
            &format!("/toolkit/teams/{space}/people/{pat}/activities"),
            &[("activity_name", "X"), ("category", "juggling"), ("hours", "1"), ("place", "moon")],
        )
        .await;
    unknown
        .assert_status(422)
        .assert_contains("Choose what kind of work it is.")
        .assert_contains("Choose where it must be done.");
    // The week cannot shrink below what is described.
    let shrink = t
        .post_with(
            &lead,
            &format!("/toolkit/teams/{space}/people/{pat}"),
            &[("name", "Pat"), ("working_days", "mon"), ("hours_per_week", "10")],
        )
        .await;
    shrink.assert_status(422).assert_contains("The activities already add up to 20 h");
    t.finish().await;
}

async fn a_space_is_its_teams_own(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lead = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    let space = open_space(&t, &lead, "Benefits team", "4").await;
    let person = add_person(&t, &lead, &space, "Ana", &WEEK, "37.5").await;
    let other = t.member("otto@insurer.example.com", "Otto Other").await;
    let org = t.organiser().await;
    let applicant = t.applicant("app@council.example.gov.uk", "App Licant").await;
    for path in [
        format!("/toolkit/teams/{space}"),
        format!("/toolkit/teams/{space}/plan"),
        format!("/toolkit/teams/{space}/plan.csv"),
        format!("/toolkit/teams/{space}/people/{person}"),
        format!("/toolkit/teams/{space}/settings"),
    ] {
        t.get_with(&other, &path).await.assert_status(404);
        t.get_with(&org, &path).await.assert_status(404);
        t.get_with(&browser(), &path).await.assert_status(303);
    }
    t.post_with(
        &other,
        &format!("/toolkit/teams/{space}/people"),
        &[("name", "Intruder"), ("working_days", "mon"), ("hours_per_week", "7")],
    )
    .await
    .assert_status(404);
    t.get_with(&applicant, "/toolkit").await.assert_status(403);
    // Organisers learn that a space exists, not what is in it.
    let overview = t.get_with(&org, "/admin").await;
    overview.assert_contains("Team spaces").assert_lacks("Benefits team");
    let html = overview.html();
    let card = scraper::Selector::parse(".waiting > li").unwrap();
    let text: String =
        html.select(&card).map(|c| c.text().collect::<String>()).find(|c| c.contains("Team spaces")).unwrap();
    assert!(text.split_whitespace().collect::<Vec<_>>().join(" ").contains("Team spaces 1"), "{text}");
    t.finish().await;
}

async fn the_api_builds_a_team_and_gives_its_plan(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lead = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    let token = new_token(&t, &lead, "planner").await;
    let post = |path: String, body: Value| {
        let t = &t;
        let token = token.clone();
        async move { call(t, Method::POST, &path, Some(&token), Some(body)).await }
    };
    let team = post(
        "/api/v1/toolkit/teams".into(),
        json!({"name": "Claims", "working_days": ["mon", "tue", "wed", "thu", "fri"], "day_hours": 7.5,
               "sites": [{"name": "Hub", "desks": {"mon": 1, "tue": 1, "wed": 1, "thu": 1, "fri": 1}}]}),
    )
    .await;
    assert_eq!(team.status, 201, "{:?}", team.json);
    let id = team.json["id"].as_str().unwrap().to_string();
    assert_eq!(team.json["sites"][0]["desks"]["mon"], 1);
    let person = post(
        format!("/api/v1/toolkit/teams/{id}/people"),
        json!({"name": "Ana", "working_days": ["mon", "tue", "wed"], "hours_per_week": 22.5}),
    )
    .await;
    assert_eq!(person.status, 201, "{:?}", person.json);
    let ana = person.json["id"].as_str().unwrap().to_string();
    let activity = post(
        format!("/api/v1/toolkit/teams/{id}/people/{ana}/activities"),
        json!({"name": "Counter", "category": "customers_in_person", "hours_per_week": 15, "place": "office",
               "time": "service_hours", "collaboration": "solo"}),
    )
    .await;
    assert_eq!(activity.status, 201, "{:?}", activity.json);

    let plan = call(&t, Method::GET, &format!("/api/v1/toolkit/teams/{id}/plan"), Some(&token), None).await;
    assert_eq!(plan.status, 200, "{:?}", plan.json);
    let p = &plan.json;
    assert_eq!(p["people"][0]["id"], ana.as_str());
    assert_eq!(p["people"][0]["onsite_days"], 2);
    assert!(p["people"][0]["working"].as_str().unwrap().starts_with("2 days on site: 15 h place-anchored"));
    assert_eq!(p["anchor_days"], json!(["mon", "tue"]));
    let forecast = p["forecast"].as_array().unwrap();
    assert_eq!(forecast.len(), 5);
    assert_eq!(forecast[0], json!({"day": "mon", "site": "Hub", "planned": 1, "desks": 1}));
    assert!(p["flags"].as_array().unwrap().iter().any(|f| f["kind"] == "home_working_check"));

    // The same checks as the pages, as problem details naming the fields; the document's own shapes (weekday
    // names, desks from 0) are refused before them.
    let bad = post(
        "/api/v1/toolkit/teams".into(),
        json!({"name": "X", "working_days": ["mon"], "day_hours": 30, "service_hours": "8 to 6",
               "sites": [{"name": " ", "desks": {"mon": 2}}]}),
    )
    .await;
    is_problem(&bad, 422);
    let fields: Vec<&str> =
        bad.json["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["day_hours", "service_hours", "sites.name"], "{:?}", bad.json);
    for shape in [
        json!({"name": "X", "working_days": ["someday"]}),
        json!({"name": "X", "working_days": ["mon"], "sites": [{"name": "Hub", "desks": {"funday": 2}}]}),
        json!({"name": "X", "working_days": ["mon"], "sites": [{"name": "Hub", "desks": {"mon": -1}}]}),
    ] {
        let refused = post("/api/v1/toolkit/teams".into(), shape).await;
        assert_eq!(refused.status, 422, "{:?}", refused.json);
    }
    let over = post(
        format!("/api/v1/toolkit/teams/{id}/people/{ana}/activities"),
        json!({"name": "More", "category": "analysis", "hours_per_week": 10}),
    )
    .await;
    // A week overfilled conflicts with what the person already has: 409, saying so.
    is_problem(&over, 409);
    assert!(over.json["detail"].as_str().unwrap().contains("would add up to 25 h in a 22.5 h week"), "{:?}", over.json);

    // Another member's token reaches nothing of it.
    let other = t.member("otto@insurer.example.com", "Otto Other").await;
    let theirs = new_token(&t, &other, "nosy").await;
    let refused = call(&t, Method::GET, &format!("/api/v1/toolkit/teams/{id}/plan"), Some(&theirs), None).await;
    is_problem(&refused, 404);
    let listed = call(&t, Method::GET, "/api/v1/toolkit/teams", Some(&theirs), None).await;
    assert_eq!(listed.json, json!([]));
    t.finish().await;
}

async fn a_persons_part_is_exported_and_erased(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lead = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    let space = open_space(&t, &lead, "Benefits team", "4").await;
    let export = t.get_with(&lead, "/account/data").await;
    export.assert_status(200).assert_contains("\"toolkit\"").assert_contains("Benefits team");
    let count: i64 =
        swn::fetch_scalar!(&t.app.db, i64, "SELECT COUNT(*) FROM team_members WHERE space_id = $1", &space).unwrap();
    assert_eq!(count, 1);
    t.finish().await;
}

/// The invitation link in the last e-mail to `to`, as a path.
async fn invitation_link(t: &TestApp, to: &str) -> String {
    let mail = t.wait_for_mail(to).await;
    let link = find_link(&mail, &format!("{}/toolkit/invitations/", t.base)).expect("an invitation link");
    link.strip_prefix(&t.base).unwrap().to_string()
}

async fn a_lead_invites_the_team_and_a_participant_reaches_only_their_space(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lead = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    let space = open_space(&t, &lead, "Benefits team", "4").await;
    let pat = add_person(&t, &lead, &space, "Pat", &WEEK, "37.5").await;
    let sam = add_person(&t, &lead, &space, "Sam", &WEEK, "37.5").await;
    t.post_with(
        &lead,
        &format!("/toolkit/teams/{space}/people/{sam}"),
        &[
            ("name", "Sam"),
            ("working_days", "mon"),
            ("hours_per_week", "7.5"),
            ("constraints", "Cares for a parent on Fridays"),
        ],
    )
    .await
    .assert_status(303);
    let bad =
        t.post_with(&lead, &format!("/toolkit/teams/{space}/invitations"), &[("invite_email", "not an address")]).await;
    bad.assert_status(422).assert_contains(r#"aria-describedby="invite_email-error""#);
    t.post_with(
        &lead,
        &format!("/toolkit/teams/{space}/invitations"),
        &[
            ("invite_email", "pat@council.example.gov.uk"),
            ("invite_role", "participant"),
            ("invite_person", pat.as_str()),
        ],
    )
    .await
    .assert_status(303);
    let link = invitation_link(&t, "pat@council.example.gov.uk").await;

    // Pat is not a member: the link makes a team participant account, signed in at once.
    let invitee = browser();
    t.get_with(&invitee, &link).await.assert_status(200).assert_contains("Make your account to join");
    let weak = t
        .post_with(&invitee, &link, &[("name", "Pat Part"), ("password", "password1"), ("confirm", "password1")])
        .await;
    weak.assert_status(422).assert_contains(r#"value="Pat Part""#);
    let joined = t
        .post_with(
            &invitee,
            &link,
            &[("name", "Pat Part"), ("password", "orchard-lantern-ferry"), ("confirm", "orchard-lantern-ferry")],
        )
        .await;
    joined.assert_status(303);
    assert_eq!(joined.location(), Some(format!("/toolkit/teams/{space}").as_str()));
    t.get_with(&invitee, &link).await.assert_status(410);

    // Pat reaches this space and describes their own row, nothing else.
    t.get_with(&invitee, "/toolkit").await.assert_status(200).assert_contains("Benefits team");
    t.get_with(&invitee, &format!("/toolkit/teams/{space}"))
        .await
        .assert_status(200)
        .assert_contains("Describe your own work");
    add_activity(
        &t,
        &invitee,
        &space,
        &pat,
        &[
            ("activity_name", "Home visits"),
            ("category", "customers_in_person"),
            ("hours", "10"),
            ("place", "customer"),
        ],
    )
    .await;
    t.post_with(
        &invitee,
        &format!("/toolkit/teams/{space}/people/{sam}/activities"),
        &[("activity_name", "X"), ("category", "analysis"), ("hours", "1")],
    )
    .await
    .assert_status(403);
    t.post_with(
        &invitee,
        &format!("/toolkit/teams/{space}/people"),
        &[("name", "Y"), ("working_days", "mon"), ("hours_per_week", "7")],
    )
    .await
    .assert_status(403);
    t.get_with(&invitee, &format!("/toolkit/teams/{space}/people/{sam}"))
        .await
        .assert_status(200)
        .assert_lacks("Cares for a parent");
    t.get_with(&lead, &format!("/toolkit/teams/{space}/people/{sam}")).await.assert_contains("Cares for a parent");
    for members_only in ["/members", "/forum", "/library/members-only", "/groups"] {
        let answer = t.get_with(&invitee, members_only).await;
        assert!(matches!(answer.status.as_u16(), 403 | 404), "{members_only}: {}", answer.status);
    }
    let otto = t.member("otto@insurer.example.com", "Otto Other").await;
    let elsewhere = open_space(&t, &otto, "Claims", "3").await;
    t.get_with(&invitee, &format!("/toolkit/teams/{elsewhere}")).await.assert_status(404);
    t.post_with(&invitee, "/toolkit/teams", &[("name", "Mine")]).await.assert_status(403);

    // Taken out, Pat reaches nothing of it; the row of their work stays in the plan.
    let pat_id =
        swn::fetch_scalar!(&t.app.db, String, "SELECT id FROM users WHERE email = 'pat@council.example.gov.uk'")
            .unwrap();
    t.post_with(&lead, &format!("/toolkit/teams/{space}/members/{pat_id}"), &[("action", "remove")])
        .await
        .assert_status(303);
    t.get_with(&invitee, &format!("/toolkit/teams/{space}")).await.assert_status(404);
    t.get_with(&lead, &format!("/toolkit/teams/{space}/plan")).await.assert_contains("Pat");
    t.finish().await;
}

async fn leads_share_closing_and_deleting_a_space(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lead = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    let otto = t.member("otto@insurer.example.com", "Otto Other").await;
    let space = open_space(&t, &lead, "Benefits team", "4").await;
    let lena_id =
        swn::fetch_scalar!(&t.app.db, String, "SELECT id FROM users WHERE email = 'lena@council.example.gov.uk'")
            .unwrap();
    // The only lead can neither leave nor stop leading.
    t.post_with(&lead, &format!("/toolkit/teams/{space}/leave"), &[]).await.assert_status(409);
    t.post_with(&otto, &format!("/toolkit/teams/{space}/invitations"), &[("invite_email", "x@example.org")])
        .await
        .assert_status(404);
    t.post_with(
        &lead,
        &format!("/toolkit/teams/{space}/invitations"),
        &[("invite_email", "otto@insurer.example.com"), ("invite_role", "lead")],
    )
    .await
    .assert_status(303);
    let link = invitation_link(&t, "otto@insurer.example.com").await;
    // A member signed in as someone else is told so; the invitee joins with their own account.
    t.get_with(&lead, &link)
        .await
        .assert_status(200)
        .assert_contains("This invitation is for otto@insurer.example.com");
    t.get_with(&browser(), &link).await.assert_contains("has an account");
    t.get_with(&otto, &link).await.assert_contains("Join Benefits team");
    t.post_with(&otto, &link, &[]).await.assert_status(303);
    t.post_with(
        &otto,
        &format!("/toolkit/teams/{space}/settings"),
        &[("name", "Benefits and council tax"), ("working_days", "mon"), ("day_hours", "7")],
    )
    .await
    .assert_status(303);
    // Now Lena may go; Otto leads on, closes the space, then deletes it.
    t.post_with(&otto, &format!("/toolkit/teams/{space}/members/{lena_id}"), &[("action", "participant")])
        .await
        .assert_status(303);
    t.post_with(&lead, &format!("/toolkit/teams/{space}/leave"), &[]).await.assert_status(303);
    t.get_with(&lead, &format!("/toolkit/teams/{space}")).await.assert_status(404);
    t.post_with(&otto, &format!("/toolkit/teams/{space}/delete"), &[("confirm", "on")]).await.assert_status(403);
    t.post_with(&otto, &format!("/toolkit/teams/{space}/close"), &[]).await.assert_status(303);
    t.post_with(
        &otto,
        &format!("/toolkit/teams/{space}/people"),
        &[("name", "Z"), ("working_days", "mon"), ("hours_per_week", "7")],
    )
    .await
    .assert_status(403);
    t.get_with(&otto, &format!("/toolkit/teams/{space}"))
        .await
        .assert_status(200)
        .assert_contains("This space is closed");
    t.post_with(&otto, &format!("/toolkit/teams/{space}/delete"), &[])
        .await
        .assert_status(422)
        .assert_contains("aria-describedby=\"confirm-error\"");
    t.post_with(&otto, &format!("/toolkit/teams/{space}/delete"), &[("confirm", "on")]).await.assert_status(303);
    t.get_with(&otto, &format!("/toolkit/teams/{space}")).await.assert_status(404);
    t.finish().await;
}

async fn a_what_if_is_changed_and_compared_without_touching_the_plan(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lead = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    let space = open_space(&t, &lead, "Benefits team", "4").await;
    for name in ["Ana", "Ben", "Cy"] {
        let person = add_person(&t, &lead, &space, name, &WEEK, "37.5").await;
        add_activity(
            &t,
            &lead,
            &space,
            &person,
            &[("activity_name", "Counter"), ("category", "customers_in_person"), ("hours", "7.5"), ("place", "office")],
        )
        .await;
    }
    let made = t
        .post_with(&lead, &format!("/toolkit/teams/{space}/scenarios"), &[("scenario_name", "Two desks on Mondays")])
        .await;
    made.assert_status(303);
    let scenario = made.location().unwrap().trim_start_matches("/toolkit/teams/").to_string();
    t.get_with(&lead, &format!("/toolkit/teams/{scenario}"))
        .await
        .assert_contains("A what-if of")
        .assert_contains("Ana");
    // In the what-if, Monday has two desks; the plan itself keeps four.
    let site =
        swn::fetch_scalar!(&t.app.db, String, "SELECT id FROM team_sites WHERE space_id = $1", &scenario).unwrap();
    let mut desks = vec![("site_name", "Head office"), ("desks_mon", "2")];
    for f in ["desks_tue", "desks_wed", "desks_thu", "desks_fri"] {
        desks.push((f, "4"));
    }
    t.post_with(&lead, &format!("/toolkit/teams/{scenario}/sites/{site}"), &desks).await.assert_status(303);
    let compared = t.get_with(&lead, &format!("/toolkit/teams/{scenario}/compare")).await;
    // Monday's two desks cannot hold the three: the anchor day moves to Tuesday.
    compared
        .assert_status(200)
        .assert_contains("<td>3 of 4 desks</td><td>0 of 2 desks</td>")
        .assert_contains("<td>Monday</td><td>Tuesday</td>");
    t.get_with(&lead, &format!("/toolkit/teams/{space}/plan")).await.assert_contains("<td>3</td><td>4</td>");
    // It is the space's own: other members find nothing; it is not listed as a space; discarding it leaves the plan.
    let other = t.member("otto@insurer.example.com", "Otto Other").await;
    t.get_with(&other, &format!("/toolkit/teams/{scenario}/compare")).await.assert_status(404);
    t.get_with(&lead, "/toolkit").await.assert_lacks("Two desks on Mondays");
    t.get_with(&lead, &format!("/toolkit/teams/{space}")).await.assert_contains("Two desks on Mondays");
    t.post_with(&lead, &format!("/toolkit/teams/{scenario}/invitations"), &[("invite_email", "x@example.org")])
        .await
        .assert_status(404);
    t.post_with(&lead, &format!("/toolkit/teams/{scenario}/discard"), &[]).await.assert_status(303);
    t.get_with(&lead, &format!("/toolkit/teams/{scenario}")).await.assert_status(404);
    t.get_with(&lead, &format!("/toolkit/teams/{space}/plan")).await.assert_status(200).assert_contains("Ana");
    t.finish().await;
}

async fn a_plan_is_shared_anonymised_only_when_its_lead_says_so(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lead = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    let mut tx = t.app.db.begin().await.unwrap();
    let org = swn::membership::insert_organisation(
        &mut tx,
        "Eastshire Council",
        "Local government",
        3000,
        "Wales",
        "implementing",
    )
    .await
    .unwrap();
    swn::execute!(&mut tx, "UPDATE users SET organisation_id = $1 WHERE email = 'lena@council.example.gov.uk'", &org)
        .unwrap();
    tx.commit().await.unwrap();
    let space = open_space(&t, &lead, "Benefits team", "4").await;
    let ana = add_person(&t, &lead, &space, "Ana Secretname", &WEEK, "37.5").await;
    add_activity(
        &t,
        &lead,
        &space,
        &ana,
        &[("activity_name", "Counter"), ("category", "customers_in_person"), ("hours", "15"), ("place", "office")],
    )
    .await;
    t.post_with(&lead, &format!("/toolkit/teams/{space}/share"), &[])
        .await
        .assert_status(422)
        .assert_contains("aria-describedby=\"confirm-error\"");
    let drafts = swn::fetch_scalar!(&t.app.db, i64, "SELECT COUNT(*) FROM case_studies").unwrap();
    assert_eq!(drafts, 0, "nothing leaves a space without the lead's say-so");
    t.post_with(&lead, &format!("/toolkit/teams/{space}/share"), &[("confirm", "on")]).await.assert_status(303);
    let (published, text): (bool, String) = swn::fetch_one!(
        &t.app.db,
        (bool, String),
        "SELECT published, organisation_label || ' ' || challenge_md || ' ' || approach_md || ' ' || results_md FROM case_studies"
    )
    .unwrap();
    assert!(!published, "a draft for organisers to review");
    assert!(text.contains("Person A") && text.contains("2 anchor days"), "{text}");
    for private in ["Ana", "Secretname", "Eastshire", "Benefits team", "Lena"] {
        assert!(!text.contains(private), "{private} is in the shared text: {text}");
    }
    t.finish().await;
}
