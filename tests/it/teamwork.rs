//! The Smart Working toolkit, part 2 (issue 17): team agreements drafted together and agreed by everyone,
//! trial periods step by step, flexible-working requests on the clock of the rules of their day, check-in
//! notes for those allowed, and reminders sent once.

use chrono::{Duration, Months, NaiveDate, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::api::{call, is_problem, new_token};
use crate::on_both_engines;
use crate::support::{Engine, Person, TestApp, find_link};

on_both_engines!(
    an_agreement_is_drafted_together_and_a_conflict_loses_nothing,
    everyone_agrees_and_someone_joining_is_asked_to,
    the_request_clock_follows_the_rules_of_its_day,
    a_trial_moves_one_step_at_a_time,
    a_trial_from_a_request_extends_its_decision_period,
    check_in_notes_are_for_the_person_on_trial_and_the_leads,
    reminders_are_sent_once_across_a_restart,
    what_a_person_wrote_is_exported_and_erased,
    a_decided_trial_is_shared_anonymised_only_when_its_lead_says_so,
    the_last_holdout_leaving_puts_the_agreement_in_force,
);

/// Opens a space with one site; gives its id.
async fn open_space(t: &TestApp, lead: &reqwest::Client, name: &str) -> String {
    let mut form = vec![("name", name), ("day_hours", "7.5"), ("site_name", "Head office")];
    for d in ["mon", "tue", "wed", "thu", "fri"] {
        form.push(("working_days", d));
    }
    for f in ["desks_mon", "desks_tue", "desks_wed", "desks_thu", "desks_fri"] {
        form.push((f, "4"));
    }
    let opened = t.post_with(lead, "/toolkit/teams", &form).await;
    opened.assert_status(303);
    opened.location().unwrap().trim_start_matches("/toolkit/teams/").to_string()
}

async fn add_person(t: &TestApp, lead: &reqwest::Client, space: &str, name: &str) -> String {
    let mut form = vec![("name", name), ("hours_per_week", "37.5")];
    for d in ["mon", "tue", "wed", "thu", "fri"] {
        form.push(("working_days", d));
    }
    let added = t.post_with(lead, &format!("/toolkit/teams/{space}/people"), &form).await;
    added.assert_status(303);
    added.location().unwrap().rsplit('/').next().unwrap().to_string()
}

/// Invites a member into the space (on the plan's row `row`, if any) and has them join.
async fn join(t: &TestApp, lead: &reqwest::Client, space: &str, who: &Person, row: Option<&str>) {
    let mut form = vec![("invite_email", who.email.as_str()), ("invite_role", "participant")];
    if let Some(row) = row {
        form.push(("invite_person", row));
    }
    t.post_with(lead, &format!("/toolkit/teams/{space}/invitations"), &form).await.assert_status(303);
    let mail = t.wait_for_mail(&who.email).await;
    let link = find_link(&mail, &format!("{}/toolkit/invitations/", t.base)).expect("an invitation link");
    t.post_with(&who.client, link.strip_prefix(&t.base).unwrap(), &[]).await.assert_status(303);
}

fn today() -> NaiveDate {
    // The tests' network time zone is the default (Europe/London); a day either side of midnight UTC is
    // what the dates below allow for.
    Utc::now().with_timezone(&chrono_tz::Europe::London).date_naive()
}

async fn agreement(t: &TestApp, token: &str, space: &str) -> Value {
    let got = call(t, Method::GET, &format!("/api/v1/toolkit/teams/{space}/agreement"), Some(token), None).await;
    assert_eq!(got.status, 200, "{:?}", got.json);
    got.json
}

async fn an_agreement_is_drafted_together_and_a_conflict_loses_nothing(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lena = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    let otto = t.member("otto@council.example.gov.uk", "Otto Other").await;
    let space = open_space(&t, &lena.client, "Benefits team").await;
    join(&t, &lena.client, &space, &otto, None).await;
    let page = t.get_with(&lena.client, &format!("/toolkit/teams/{space}/agreement")).await;
    page.assert_status(200)
        .assert_contains("Where and when we work")
        .assert_contains("Prefilled from the plan of Benefits team");
    // Both open the same section at version 1.
    let section = format!("/toolkit/teams/{space}/agreement/sections/purpose");
    t.get_with(&otto.client, &section).await.assert_status(200).assert_contains(r#"name="base" value="1""#);
    t.post_with(&lena.client, &section, &[("text", "We answer residents' questions about benefits."), ("base", "1")])
        .await
        .assert_status(303);
    // Otto saves from version 1 too: told, shown both texts, his own kept in the box.
    let clash =
        t.post_with(&otto.client, &section, &[("text", "We decide claims quickly & fairly."), ("base", "1")]).await;
    clash
        .assert_status(422)
        .assert_contains("Someone saved this section while you were writing")
        .assert_contains("We answer residents&#39; questions about benefits.")
        .assert_contains("We decide claims quickly &#38; fairly.")
        .assert_contains(r#"name="base" value="2""#);
    t.post_with(
        &otto.client,
        &section,
        &[
            ("text", "We answer residents' questions about benefits, and decide claims quickly and fairly."),
            ("base", "2"),
        ],
    )
    .await
    .assert_status(303);
    // Another section saved from an old version is no conflict.
    t.post_with(
        &otto.client,
        &format!("/toolkit/teams/{space}/agreement/sections/communication"),
        &[("text", "Chat for quick questions."), ("base", "1")],
    )
    .await
    .assert_status(303);
    // A comment on a section, blank refused beside the field.
    let comments = format!("{section}/comments");
    t.post_with(&otto.client, &comments, &[("comment", "  ")])
        .await
        .assert_status(422)
        .assert_contains(r#"id="comment-error""#);
    t.post_with(&otto.client, &comments, &[("comment", "Should we name the phone line?")]).await.assert_status(303);
    t.get_with(&lena.client, &section)
        .await
        .assert_contains("Should we name the phone line?")
        .assert_contains("Otto Other");
    // Every version with who; any two compared word by word.
    let versions = t.get_with(&lena.client, &format!("/toolkit/teams/{space}/agreement/versions")).await;
    versions.assert_status(200).assert_contains("Lena Lead").assert_contains("Otto Other");
    let diff = t.get_with(&lena.client, &format!("/toolkit/teams/{space}/agreement/compare?a=2&b=3")).await;
    diff.assert_status(200).assert_contains("<ins>").assert_contains("decide claims quickly and fairly.");
    let token = new_token(&t, &lena.client, "agreement").await;
    let doc = agreement(&t, &token, &space).await;
    assert_eq!(doc["status"], "draft");
    assert_eq!(doc["latest_version"], 4);
    let purpose = doc["sections"].as_array().unwrap().iter().find(|s| s["key"] == "purpose").unwrap().clone();
    assert_eq!(purpose["changed_in"], 3);
    // The API's save: a stale base is 409, with the text saved meanwhile.
    let stale = call(
        &t,
        Method::PUT,
        &format!("/api/v1/toolkit/teams/{space}/agreement/sections/purpose"),
        Some(&token),
        Some(json!({"text": "Something else", "base": 1})),
    )
    .await;
    is_problem(&stale, 409);
    assert!(stale.json["detail"].as_str().unwrap().contains("decide claims quickly"));
    // Nobody outside the space reads it.
    let stranger = t.member("sam@elsewhere.example.com", "Sam Stranger").await;
    t.get_with(&stranger.client, &format!("/toolkit/teams/{space}/agreement")).await.assert_status(404);
    t.finish().await;
}

async fn everyone_agrees_and_someone_joining_is_asked_to(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lena = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    let otto = t.member("otto@council.example.gov.uk", "Otto Other").await;
    let space = open_space(&t, &lena.client, "Benefits team").await;
    join(&t, &lena.client, &space, &otto, None).await;
    let agreement_path = format!("/toolkit/teams/{space}/agreement");
    t.get_with(&lena.client, &agreement_path).await.assert_status(200);
    t.post_with(
        &lena.client,
        &format!("{agreement_path}/sections/purpose"),
        &[("text", "Our purpose."), ("base", "1")],
    )
    .await
    .assert_status(303);
    // Only a lead proposes.
    t.post_with(&otto.client, &format!("{agreement_path}/propose"), &[("version", "2")]).await.assert_status(403);
    t.post_with(&lena.client, &format!("{agreement_path}/propose"), &[("version", "2")]).await.assert_status(303);
    let token = new_token(&t, &lena.client, "agreement").await;
    assert_eq!(agreement(&t, &token, &space).await["status"], "proposed");
    // Agreeing a version that is not the one proposed is refused beside the answer.
    let wrong =
        t.post_with(&otto.client, &format!("{agreement_path}/answer"), &[("version", "1"), ("answer", "agree")]).await;
    wrong.assert_status(422).assert_contains("Version 2 is the one proposed");
    // Asking for a change needs the change.
    t.post_with(&otto.client, &format!("{agreement_path}/answer"), &[("version", "2"), ("answer", "change")])
        .await
        .assert_status(422)
        .assert_contains(r#"id="note-error""#);
    t.post_with(&otto.client, &format!("{agreement_path}/answer"), &[("version", "2"), ("answer", "agree")])
        .await
        .assert_status(303);
    assert_eq!(agreement(&t, &token, &space).await["status"], "proposed", "not everyone has agreed yet");
    t.post_with(&lena.client, &format!("{agreement_path}/answer"), &[("version", "2"), ("answer", "agree")])
        .await
        .assert_status(303);
    let doc = agreement(&t, &token, &space).await;
    assert_eq!(doc["status"], "in_force");
    assert_eq!(doc["in_force_version"], 2);
    assert!(doc["in_force_at"].is_string());
    let names: Vec<&str> = doc["agreed_by"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"Lena Lead") && names.contains(&"Otto Other"));
    let review = (today().checked_add_months(Months::new(3)).unwrap()).to_string();
    let review_before = (today() + Duration::days(1)).checked_add_months(Months::new(3)).unwrap().to_string();
    let review_on = doc["review_on"].as_str().unwrap();
    assert!(review_on == review || review_on == review_before, "three months on: {review_on}");
    // Someone joining is asked to read and agree the version in force; it stays in force meanwhile.
    let pia = t.member("pia@council.example.gov.uk", "Pia New").await;
    join(&t, &lena.client, &space, &pia, None).await;
    t.get_with(&pia.client, &format!("/toolkit/teams/{space}"))
        .await
        .assert_contains("Read the team agreement and agree it");
    t.get_with(&pia.client, &agreement_path).await.assert_contains("You joined after version 2 came into force");
    assert_eq!(agreement(&t, &token, &space).await["status"], "in_force");
    t.post_with(&pia.client, &format!("{agreement_path}/answer"), &[("version", "2"), ("answer", "agree")])
        .await
        .assert_status(303);
    assert_eq!(agreement(&t, &token, &space).await["agreed_by"].as_array().unwrap().len(), 3);
    t.get_with(&pia.client, &format!("/toolkit/teams/{space}"))
        .await
        .assert_lacks("Read the team agreement and agree it");
    // A later change starts a new draft; the agreed version never changes.
    t.post_with(
        &otto.client,
        &format!("{agreement_path}/sections/purpose"),
        &[("text", "A new purpose."), ("base", "2")],
    )
    .await
    .assert_status(303);
    let doc = agreement(&t, &token, &space).await;
    assert_eq!((doc["status"].as_str(), doc["in_force_version"].as_i64()), (Some("draft"), Some(2)));
    t.get_with(&lena.client, &format!("{agreement_path}/print"))
        .await
        .assert_status(200)
        .assert_contains("Our purpose.")
        .assert_lacks("A new purpose.")
        .assert_contains("Otto Other");
    // The API: proposing is for leads; answering the wrong version is 422.
    let otto_token = new_token(&t, &otto.client, "otto").await;
    let refused = call(
        &t,
        Method::POST,
        &format!("/api/v1/toolkit/teams/{space}/agreement/propose"),
        Some(&otto_token),
        Some(json!({})),
    )
    .await;
    is_problem(&refused, 403);
    let proposed = call(
        &t,
        Method::POST,
        &format!("/api/v1/toolkit/teams/{space}/agreement/propose"),
        Some(&token),
        Some(json!({})),
    )
    .await;
    assert_eq!((proposed.status, proposed.json["status"].as_str()), (200, Some("proposed")));
    let wrong = call(
        &t,
        Method::POST,
        &format!("/api/v1/toolkit/teams/{space}/agreement/answer"),
        Some(&otto_token),
        Some(json!({"version": 2, "answer": "agree"})),
    )
    .await;
    is_problem(&wrong, 409);
    t.finish().await;
}

async fn the_request_clock_follows_the_rules_of_its_day(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lena = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    let space = open_space(&t, &lena.client, "Benefits team").await;
    let ana = add_person(&t, &lena.client, &space, "Ana").await;
    let ben = add_person(&t, &lena.client, &space, "Ben").await;
    let token = new_token(&t, &lena.client, "requests").await;
    let requests = format!("/api/v1/toolkit/teams/{space}/requests");
    let made = (today() - Duration::days(10)).to_string();
    let first = call(&t, Method::POST, &requests, Some(&token), Some(json!({
        "person": ana, "made_on": made, "change": "Four days a week", "start_wanted": (today() + Duration::days(40)).to_string(),
    }))).await;
    assert_eq!(first.status, 201, "{:?}", first.json);
    let due = (today() - Duration::days(10)).checked_add_months(Months::new(2)).unwrap().to_string();
    assert_eq!(first.json["decision_due"], due.as_str());
    assert_eq!(first.json["rules"], "2024-04-06");
    let id = first.json["id"].as_str().unwrap().to_string();
    // A second while the first is live: refused, with the reason.
    let second = call(&t, Method::POST, &requests, Some(&token), Some(json!({
        "person": ana, "made_on": today().to_string(), "change": "Home on Fridays", "start_wanted": today().to_string(),
    }))).await;
    is_problem(&second, 422);
    assert!(second.json["detail"].as_str().unwrap().contains("one request at a time"), "{:?}", second.json);
    // The page shows the deadline and what is still due.
    let page = t.get_with(&lena.client, &format!("/toolkit/teams/{space}/requests/{id}")).await;
    page.assert_status(200).assert_contains("Still due").assert_contains("A meeting to consult the person");
    // A refusal needs grounds and an explanation (422), and a consultation first under these rules (409).
    let decide = format!("/api/v1/toolkit/requests/{id}/decision");
    let bare = call(&t, Method::POST, &decide, Some(&token), Some(json!({"outcome": "refused"}))).await;
    is_problem(&bare, 422);
    let fields: Vec<&str> =
        bare.json["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"grounds") && fields.contains(&"explanation"), "{fields:?}");
    let unconsulted = call(
        &t,
        Method::POST,
        &decide,
        Some(&token),
        Some(json!({
            "outcome": "refused", "grounds": ["extra_costs"], "explanation": "Cover would need an agency.",
        })),
    )
    .await;
    is_problem(&unconsulted, 409);
    // An agreed later date moves the deadline.
    let extended = (today() + Duration::days(80)).to_string();
    t.post_with(
        &lena.client,
        &format!("/toolkit/teams/{space}/requests/{id}"),
        &[("action", "extend"), ("extended_to", &extended), ("extension_note", "Agreed with Ana")],
    )
    .await
    .assert_status(303);
    let early = (today() - Duration::days(1)).to_string();
    t.post_with(
        &lena.client,
        &format!("/toolkit/teams/{space}/requests/{id}"),
        &[("action", "extend"), ("extended_to", &early), ("extension_note", "x")],
    )
    .await
    .assert_status(422)
    .assert_contains(r#"id="extended_to-error""#);
    t.post_with(
        &lena.client,
        &format!("/toolkit/teams/{space}/requests/{id}"),
        &[("action", "consult"), ("consulted_on", &today().to_string())],
    )
    .await
    .assert_status(303);
    let refused = call(
        &t,
        Method::POST,
        &decide,
        Some(&token),
        Some(json!({
            "outcome": "refused", "grounds": ["extra_costs", "quality"], "explanation": "Cover would need an agency.",
        })),
    )
    .await;
    assert_eq!(refused.status, 200, "{:?}", refused.json);
    assert_eq!(refused.json["deadline"], extended.as_str());
    assert_eq!(refused.json["live"], false);
    let again = call(&t, Method::POST, &decide, Some(&token), Some(json!({"outcome": "granted"}))).await;
    is_problem(&again, 409);
    // Two in any 12 months: a second is recorded, a third refused.
    let second = call(&t, Method::POST, &requests, Some(&token), Some(json!({
        "person": ana, "made_on": today().to_string(), "change": "Home on Fridays", "start_wanted": today().to_string(),
    }))).await;
    assert_eq!(second.status, 201, "{:?}", second.json);
    let second_id = second.json["id"].as_str().unwrap();
    t.post_with(
        &lena.client,
        &format!("/toolkit/teams/{space}/requests/{second_id}"),
        &[("action", "decide"), ("outcome", "granted")],
    )
    .await
    .assert_status(303);
    let third = call(
        &t,
        Method::POST,
        &requests,
        Some(&token),
        Some(json!({
            "person": ana, "made_on": today().to_string(), "change": "Later start", "start_wanted": today().to_string(),
        })),
    )
    .await;
    is_problem(&third, 422);
    assert!(third.json["detail"].as_str().unwrap().contains("two requests in any 12 months"), "{:?}", third.json);
    // In 2023, the earlier rules: three months to decide, one request in 12 months, no consultation rule.
    let old = call(
        &t,
        Method::POST,
        &requests,
        Some(&token),
        Some(json!({
            "person": ben, "made_on": "2023-03-01", "change": "Compressed hours", "start_wanted": "2023-05-01",
        })),
    )
    .await;
    assert_eq!(old.status, 201, "{:?}", old.json);
    assert_eq!(
        (old.json["rules"].as_str(), old.json["decision_due"].as_str()),
        (Some("2014-06-30"), Some("2023-06-01"))
    );
    let old_id = old.json["id"].as_str().unwrap();
    let decided = call(&t, Method::POST, &format!("/api/v1/toolkit/requests/{old_id}/decision"), Some(&token), Some(json!({
        "outcome": "refused", "grounds": ["customer_demand"], "explanation": "The counter needs cover.", "decided_on": "2023-04-20",
    }))).await;
    assert_eq!(decided.status, 200, "{:?}", decided.json);
    let second_2023 = call(
        &t,
        Method::POST,
        &requests,
        Some(&token),
        Some(json!({
            "person": ben, "made_on": "2023-09-01", "change": "Home on Mondays", "start_wanted": "2023-10-01",
        })),
    )
    .await;
    is_problem(&second_2023, 422);
    assert!(second_2023.json["detail"].as_str().unwrap().contains("one request in any 12 months"));
    // Bad input is told beside the field.
    let page = t
        .post_with(
            &lena.client,
            &format!("/toolkit/teams/{space}/requests"),
            &[("person", &ben), ("made_on", "tomorrow"), ("change", "")],
        )
        .await;
    page.assert_status(422)
        .assert_contains(r#"id="made_on-error""#)
        .assert_contains(r#"id="change-error""#)
        .assert_contains(r#"id="start_wanted-error""#);
    // A participant sees only their own requests; a stranger nothing.
    let stranger = t.member("sam@elsewhere.example.com", "Sam Stranger").await;
    t.get_with(&stranger.client, &format!("/toolkit/teams/{space}/requests/{id}")).await.assert_status(404);
    t.finish().await;
}

async fn step(t: &TestApp, token: &str, trial: &str, body: Value) -> crate::api::Reply {
    call(t, Method::POST, &format!("/api/v1/toolkit/trials/{trial}/state"), Some(token), Some(body)).await
}

async fn a_trial_moves_one_step_at_a_time(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lena = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    let space = open_space(&t, &lena.client, "Benefits team").await;
    let token = new_token(&t, &lena.client, "trials").await;
    let trials = format!("/api/v1/toolkit/teams/{space}/trials");
    let start = today() + Duration::days(7);
    let end = start + Duration::weeks(8);
    // An end before the start; a length outside 4 to 12 weeks without a reason.
    let backwards = call(&t, Method::POST, &trials, Some(&token), Some(json!({
        "pattern": "Two anchor days", "starts_on": start.to_string(), "ends_on": (start - Duration::days(1)).to_string(),
    }))).await;
    is_problem(&backwards, 422);
    assert_eq!(backwards.json["errors"][0]["field"], "ends_on");
    let short = call(&t, Method::POST, &trials, Some(&token), Some(json!({
        "pattern": "Two anchor days", "starts_on": start.to_string(), "ends_on": (start + Duration::days(10)).to_string(),
    }))).await;
    is_problem(&short, 422);
    assert_eq!(short.json["errors"][0]["field"], "length_reason");
    let made = call(
        &t,
        Method::POST,
        &trials,
        Some(&token),
        Some(json!({
            "pattern": "Two anchor days", "starts_on": start.to_string(), "ends_on": end.to_string(),
            "criteria": [{"criterion": "Calls answered within a minute"}],
        })),
    )
    .await;
    assert_eq!((made.status, made.json["state"].as_str()), (201, Some("proposed")), "{:?}", made.json);
    let id = made.json["id"].as_str().unwrap().to_string();
    // Scoping needs each criterion's baseline and measure.
    is_problem(&step(&t, &token, &id, json!({"to": "scoped"})).await, 422);
    let ok = call(&t, Method::POST, &trials, Some(&token), Some(json!({
        "pattern": "Two anchor days", "starts_on": start.to_string(), "ends_on": end.to_string(),
        "criteria": [{"criterion": "Calls answered within a minute", "baseline": "78%", "measure": "Telephony report"}],
    }))).await;
    let id = ok.json["id"].as_str().unwrap().to_string();
    assert_eq!(ok.json["midpoint_on"], (start + Duration::days(28)).to_string().as_str());
    // Only the next state.
    is_problem(&step(&t, &token, &id, json!({"to": "active"})).await, 422);
    for to in ["scoped", "active", "midpoint", "final_review"] {
        let moved = step(&t, &token, &id, json!({"to": to})).await;
        assert_eq!((moved.status, moved.json["state"].as_str()), (200, Some(to)), "{:?}", moved.json);
    }
    is_problem(&step(&t, &token, &id, json!({"to": "midpoint"})).await, 422);
    // Deciding: a decision is needed; ending needs the cause examined; extending a reason.
    is_problem(&step(&t, &token, &id, json!({"to": "decided"})).await, 422);
    let no_cause = step(&t, &token, &id, json!({"to": "decided", "decision": "end"})).await;
    is_problem(&no_cause, 422);
    assert_eq!(no_cause.json["errors"][0]["field"], "cause");
    let no_reason = step(&t, &token, &id, json!({"to": "decided", "decision": "extend"})).await;
    is_problem(&no_reason, 422);
    assert_eq!(no_reason.json["errors"][0]["field"], "reason");
    let extended =
        step(&t, &token, &id, json!({"to": "decided", "decision": "extend", "reason": "Two weeks' absence"})).await;
    assert_eq!((extended.json["state"].as_str(), extended.json["decision"].as_str()), (Some("active"), Some("extend")));
    assert_eq!(extended.json["ends_on"], (end + Duration::weeks(4)).to_string().as_str());
    for to in ["midpoint", "final_review"] {
        assert_eq!(step(&t, &token, &id, json!({"to": to})).await.status, 200);
    }
    // The page shows the guidance where a trial may end, and no "back to the office" choice.
    let page = t.get_with(&lena.client, &format!("/toolkit/teams/{space}/trials/{id}")).await;
    page.assert_status(200)
        .assert_contains("should not be the")
        .assert_contains("the cause you examined")
        .assert_lacks("Back to the office");
    let ended = step(&t, &token, &id, json!({"to": "decided", "decision": "end", "cause": "tools", "reason": "The case system does not work from home yet."})).await;
    assert_eq!(
        (ended.status, ended.json["state"].as_str(), ended.json["cause"].as_str()),
        (200, Some("decided"), Some("tools"))
    );
    is_problem(&step(&t, &token, &id, json!({"to": "decided", "decision": "confirm"})).await, 422);
    // The page's forms tell the same mistakes beside their fields.
    let other = call(
        &t,
        Method::POST,
        &trials,
        Some(&token),
        Some(json!({
            "pattern": "Compressed hours", "starts_on": start.to_string(), "ends_on": end.to_string(),
            "criteria": [{"criterion": "Cases cleared", "baseline": "82%", "measure": "Weekly report"}],
        })),
    )
    .await;
    let other = other.json["id"].as_str().unwrap().to_string();
    let path = format!("/toolkit/teams/{space}/trials/{other}/step");
    t.post_with(&lena.client, &path, &[("to", "active")]).await.assert_status(422).assert_contains(r#"id="to-error""#);
    t.post_with(&lena.client, &path, &[("to", "scoped")]).await.assert_status(303);
    let bad = t
        .post_with(
            &lena.client,
            &format!("/toolkit/teams/{space}/trials"),
            &[("pattern", "x"), ("starts_on", "2026-02-10"), ("ends_on", "2026-02-01"), ("criterion_1", "Kept typed")],
        )
        .await;
    bad.assert_status(422).assert_contains(r#"id="ends_on-error""#).assert_contains(r#"value="Kept typed""#);
    t.finish().await;
}

async fn a_trial_from_a_request_extends_its_decision_period(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lena = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    let space = open_space(&t, &lena.client, "Benefits team").await;
    let ana = add_person(&t, &lena.client, &space, "Ana").await;
    let made = (today() - Duration::days(3)).to_string();
    let recorded = t
        .post_with(
            &lena.client,
            &format!("/toolkit/teams/{space}/requests"),
            &[
                ("person", &ana),
                ("made_on", &made),
                ("change", "Compressed hours, Fridays off"),
                ("start_wanted", &(today() + Duration::days(30)).to_string()),
            ],
        )
        .await;
    recorded.assert_status(303);
    let request = recorded.location().unwrap().rsplit('/').next().unwrap().to_string();
    let form = t.get_with(&lena.client, &format!("/toolkit/teams/{space}/trials?request={request}")).await;
    form.assert_status(200).assert_contains("Compressed hours, Fridays off").assert_contains(r#"name="extended_to""#);
    let start = today() + Duration::days(7);
    let end = start + Duration::weeks(8);
    let new_due = (end + Duration::days(14)).to_string();
    let made = t
        .post_with(
            &lena.client,
            &format!("/toolkit/teams/{space}/trials"),
            &[
                ("request", &request),
                ("person", &ana),
                ("pattern", "Compressed hours, Fridays off"),
                ("starts_on", &start.to_string()),
                ("ends_on", &end.to_string()),
                ("criterion_1", "Cases cleared"),
                ("baseline_1", "82%"),
                ("measure_1", "Weekly report"),
                ("extended_to", &new_due),
                ("extension_note", "Agreed with Ana to decide after the trial"),
            ],
        )
        .await;
    made.assert_status(303);
    let token = new_token(&t, &lena.client, "requests").await;
    let list = call(&t, Method::GET, &format!("/api/v1/toolkit/teams/{space}/requests"), Some(&token), None).await;
    assert_eq!(list.json[0]["deadline"], new_due.as_str());
    assert_eq!(list.json[0]["extended_to"], new_due.as_str());
    let trials = call(&t, Method::GET, &format!("/api/v1/toolkit/teams/{space}/trials"), Some(&token), None).await;
    assert_eq!(trials.json[0]["request"], request.as_str());
    t.get_with(&lena.client, &format!("/toolkit/teams/{space}/requests/{request}"))
        .await
        .assert_contains("Trials from this request");
    t.finish().await;
}

async fn check_in_notes_are_for_the_person_on_trial_and_the_leads(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lena = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    let pat = t.member("pat@council.example.gov.uk", "Pat Person").await;
    let otto = t.member("otto@council.example.gov.uk", "Otto Other").await;
    let space = open_space(&t, &lena.client, "Benefits team").await;
    let pat_row = add_person(&t, &lena.client, &space, "Pat").await;
    join(&t, &lena.client, &space, &pat, Some(&pat_row)).await;
    join(&t, &lena.client, &space, &otto, None).await;
    let start = today();
    let made = t
        .post_with(
            &lena.client,
            &format!("/toolkit/teams/{space}/trials"),
            &[
                ("person", &pat_row),
                ("pattern", "Home on Mondays and Fridays"),
                ("starts_on", &start.to_string()),
                ("ends_on", &(start + Duration::weeks(6)).to_string()),
            ],
        )
        .await;
    made.assert_status(303);
    let trial_page = made.location().unwrap().to_string();
    let trial = trial_page.rsplit('/').next().unwrap().to_string();
    let notes = format!("{trial_page}/notes");
    t.post_with(&lena.client, &notes, &[("note", "Week one: a good start, one missed handover.")])
        .await
        .assert_status(303);
    t.post_with(&pat.client, &notes, &[("note", "The VPN is slow on Mondays.")]).await.assert_status(303);
    t.get_with(&pat.client, &trial_page).await.assert_contains("a good start").assert_contains("The VPN is slow");
    // Another participant sees the trial, never its notes; an organiser not even the space.
    t.get_with(&otto.client, &trial_page)
        .await
        .assert_status(200)
        .assert_contains("Home on Mondays")
        .assert_lacks("The VPN is slow")
        .assert_lacks("a good start");
    t.post_with(&otto.client, &notes, &[("note", "Nosy")]).await.assert_status(404);
    let olivia = t.organiser().await;
    t.get_with(&olivia.client, &trial_page).await.assert_status(404);
    let otto_token = new_token(&t, &otto.client, "otto").await;
    let seen = call(&t, Method::GET, &format!("/api/v1/toolkit/trials/{trial}"), Some(&otto_token), None).await;
    assert_eq!(seen.status, 200);
    assert!(seen.json.get("notes").is_none(), "{:?}", seen.json);
    let refused = call(
        &t,
        Method::POST,
        &format!("/api/v1/toolkit/trials/{trial}/notes"),
        Some(&otto_token),
        Some(json!({"body": "Nosy"})),
    )
    .await;
    is_problem(&refused, 404);
    let pat_token = new_token(&t, &pat.client, "pat").await;
    let own = call(&t, Method::GET, &format!("/api/v1/toolkit/trials/{trial}"), Some(&pat_token), None).await;
    assert_eq!(own.json["notes"].as_array().unwrap().len(), 2);
    let olivia_token = new_token(&t, &olivia.client, "olivia").await;
    is_problem(
        &call(&t, Method::GET, &format!("/api/v1/toolkit/trials/{trial}"), Some(&olivia_token), None).await,
        404,
    );
    t.finish().await;
}

async fn reminders_are_sent_once_across_a_restart(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lena = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    let space = open_space(&t, &lena.client, "Benefits team").await;
    let ana = add_person(&t, &lena.client, &space, "Ana").await;
    // An agreement in force, reviewed in two days.
    let agreement_path = format!("/toolkit/teams/{space}/agreement");
    t.get_with(&lena.client, &agreement_path).await.assert_status(200);
    t.post_with(&lena.client, &format!("{agreement_path}/propose"), &[("version", "1")]).await.assert_status(303);
    t.post_with(&lena.client, &format!("{agreement_path}/answer"), &[("version", "1"), ("answer", "agree")])
        .await
        .assert_status(303);
    let review = (today() + Duration::days(2)).to_string();
    t.post_with(&lena.client, &format!("{agreement_path}/review"), &[("review_on", &review)]).await.assert_status(303);
    // A trial whose mid-point is tomorrow.
    let start = today() - Duration::days(20);
    let made = t
        .post_with(
            &lena.client,
            &format!("/toolkit/teams/{space}/trials"),
            &[
                ("pattern", "Two anchor days"),
                ("starts_on", &start.to_string()),
                ("ends_on", &(start + Duration::days(42)).to_string()),
                ("criterion_1", "Cases cleared"),
                ("baseline_1", "82%"),
                ("measure_1", "Weekly report"),
            ],
        )
        .await;
    let trial_page = made.location().unwrap().to_string();
    for to in ["scoped", "active"] {
        t.post_with(&lena.client, &format!("{trial_page}/step"), &[("to", to)]).await.assert_status(303);
    }
    // A request whose deadline is in five days.
    let made_on = (today() + Duration::days(5)).checked_sub_months(Months::new(2)).unwrap().to_string();
    t.post_with(
        &lena.client,
        &format!("/toolkit/teams/{space}/requests"),
        &[
            ("person", &ana),
            ("made_on", &made_on),
            ("change", "Four days a week"),
            ("start_wanted", &today().to_string()),
        ],
    )
    .await
    .assert_status(303);
    let now = Utc::now();
    swn::toolkit::send_due_reminders(&t.app, now).await.unwrap();
    assert_eq!(swn::toolkit::send_due_reminders(&t.app, now).await.unwrap(), 0);
    let config = t.app.config.as_ref().clone();
    let restarted = swn::App::open(config).await.unwrap();
    assert_eq!(swn::toolkit::send_due_reminders(&restarted, now).await.unwrap(), 0);
    let rows = swn::mail::outbox::recent(&t.app.db, 100).await.unwrap();
    let to_lena = |words: &str| rows.iter().filter(|r| r.to_address == lena.email && r.subject.contains(words)).count();
    assert_eq!(to_lena("due for review"), 1);
    assert_eq!(to_lena("mid-point check"), 1);
    assert_eq!(to_lena("must be decided by"), 1);
    t.wait_for_mail_containing(&lena.email, "must be decided, any appeal included").await;
    restarted.db.close().await;
    t.finish().await;
}

async fn what_a_person_wrote_is_exported_and_erased(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lena = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    let otto = t.member("otto@council.example.gov.uk", "Otto Other").await;
    let space = open_space(&t, &lena.client, "Benefits team").await;
    join(&t, &lena.client, &space, &otto, None).await;
    let agreement_path = format!("/toolkit/teams/{space}/agreement");
    t.get_with(&otto.client, &agreement_path).await.assert_status(200);
    t.post_with(
        &otto.client,
        &format!("{agreement_path}/sections/purpose"),
        &[("text", "Otto's purpose text."), ("base", "1")],
    )
    .await
    .assert_status(303);
    t.post_with(
        &otto.client,
        &format!("{agreement_path}/sections/purpose/comments"),
        &[("comment", "Otto's private aside.")],
    )
    .await
    .assert_status(303);
    t.get_with(&lena.client, "/toolkit/guides").await.assert_status(200);
    t.post_with(
        &lena.client,
        &format!("/toolkit/teams/{space}/guides/smart-working-conversation"),
        &[("notes", "Lena's own notes."), ("ticked", "1")],
    )
    .await
    .assert_status(303);
    t.get_with(&otto.client, &format!("/toolkit/teams/{space}/guides/smart-working-conversation"))
        .await
        .assert_status(403);
    let export = t.get_with(&otto.client, "/account/data").await;
    export.assert_status(200).assert_contains("Otto's private aside.").assert_contains("Otto's purpose text.");
    t.get_with(&lena.client, "/account/data").await.assert_contains("Lena's own notes.");
    // The space's own export is its leads': everything the team holds, in one file.
    let team = t.get_with(&lena.client, &format!("/toolkit/teams/{space}/export.json")).await;
    team.assert_status(200).assert_contains("Otto's purpose text.").assert_contains("Otto's private aside.");
    assert!(team.headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    t.get_with(&otto.client, &format!("/toolkit/teams/{space}/export.json")).await.assert_status(403);
    let person = swn::feature::Person { id: otto.id.clone(), email: otto.email.clone(), name: otto.name.clone() };
    swn::feature::erase_person(&t.app, &person).await.unwrap();
    let page = t.get_with(&lena.client, &format!("{agreement_path}/versions")).await;
    page.assert_contains("Former participant").assert_lacks("Otto Other");
    t.get_with(&lena.client, &format!("{agreement_path}/sections/purpose"))
        .await
        .assert_lacks("Otto's private aside.")
        .assert_contains("Otto&#39;s purpose text.");
    t.finish().await;
}

async fn a_decided_trial_is_shared_anonymised_only_when_its_lead_says_so(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lena = t.member("lena@council.example.gov.uk", "Lena Lead").await;
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
    swn::execute!(&mut tx, "UPDATE users SET organisation_id = $1 WHERE id = $2", &org, &lena.id).unwrap();
    tx.commit().await.unwrap();
    let space = open_space(&t, &lena.client, "Benefits team").await;
    let ana = add_person(&t, &lena.client, &space, "Ana Secretname").await;
    let start = today() - Duration::days(60);
    let made = t
        .post_with(
            &lena.client,
            &format!("/toolkit/teams/{space}/trials"),
            &[
                ("person", &ana),
                ("pattern", "Compressed hours, Fridays off"),
                ("starts_on", &start.to_string()),
                ("ends_on", &(start + Duration::weeks(8)).to_string()),
                ("criterion_1", "Cases cleared"),
                ("baseline_1", "82%"),
                ("measure_1", "Weekly report"),
            ],
        )
        .await;
    let trial_page = made.location().unwrap().to_string();
    let share = format!("{trial_page}/share");
    t.post_with(&lena.client, &share, &[("confirm", "yes")]).await.assert_status(409);
    for to in ["scoped", "active", "midpoint", "final_review"] {
        t.post_with(&lena.client, &format!("{trial_page}/step"), &[("to", to)]).await.assert_status(303);
    }
    t.post_with(&lena.client, &format!("{trial_page}/step"), &[("to", "decided"), ("decision", "confirm")])
        .await
        .assert_status(303);
    t.post_with(&lena.client, &share, &[])
        .await
        .assert_status(422)
        .assert_contains(r#"aria-describedby="confirm-error""#);
    assert_eq!(swn::fetch_scalar!(&t.app.db, i64, "SELECT COUNT(*) FROM case_studies").unwrap(), 0);
    t.post_with(&lena.client, &share, &[("confirm", "yes")]).await.assert_status(303);
    let (published, text): (bool, String) = swn::fetch_one!(
        &t.app.db,
        (bool, String),
        "SELECT published, organisation_label || ' ' || challenge_md || ' ' || approach_md || ' ' || results_md FROM case_studies"
    )
    .unwrap();
    assert!(!published, "a draft for organisers to review");
    assert!(text.contains("8-week trial") || text.contains("Cases cleared"), "{text}");
    assert!(text.contains("Confirm the pattern".to_lowercase().as_str()), "{text}");
    for private in ["Ana", "Secretname", "Eastshire", "Benefits team", "Lena"] {
        assert!(!text.contains(private), "{private} is in the shared text: {text}");
    }
    // "Adjust and run again": the decided trial starts the next one's form.
    let trial = trial_page.rsplit('/').next().unwrap();
    let again = t.get_with(&lena.client, &format!("/toolkit/teams/{space}/trials?again={trial}")).await;
    again
        .assert_status(200)
        .assert_contains("Compressed hours, Fridays off (adjusted")
        .assert_contains(r#"value="Cases cleared""#);
    t.finish().await;
}

async fn the_last_holdout_leaving_puts_the_agreement_in_force(engine: Engine) {
    let t = TestApp::start(engine).await;
    let lena = t.member("lena@council.example.gov.uk", "Lena Lead").await;
    let otto = t.member("otto@council.example.gov.uk", "Otto Other").await;
    let space = open_space(&t, &lena.client, "Benefits team").await;
    join(&t, &lena.client, &space, &otto, None).await;
    let agreement_path = format!("/toolkit/teams/{space}/agreement");
    t.get_with(&lena.client, &agreement_path).await.assert_status(200);
    // A review date a lead chose before it comes into force stays.
    let review = (today() + Duration::days(40)).to_string();
    t.post_with(&lena.client, &format!("{agreement_path}/review"), &[("review_on", &review)]).await.assert_status(303);
    t.post_with(&lena.client, &format!("{agreement_path}/propose"), &[("version", "1")]).await.assert_status(303);
    t.post_with(&lena.client, &format!("{agreement_path}/answer"), &[("version", "1"), ("answer", "agree")])
        .await
        .assert_status(303);
    let token = new_token(&t, &lena.client, "agreement").await;
    assert_eq!(agreement(&t, &token, &space).await["status"], "proposed");
    t.post_with(&otto.client, &format!("/toolkit/teams/{space}/leave"), &[]).await.assert_status(303);
    let doc = agreement(&t, &token, &space).await;
    assert_eq!(doc["status"], "in_force", "everyone then in the team has agreed");
    assert_eq!(doc["review_on"], review.as_str());
    t.finish().await;
}
