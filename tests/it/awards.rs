//! The awards (issue 19), so far: organisers create a programme with its timeline and categories with their
//! criteria, on the pages and through the API; everyone reads them; members enter for their organisation until
//! the close.

use reqwest::Method;
use serde_json::json;

use crate::api::{call, new_token};
use crate::on_both_engines;
use crate::support::{Engine, TestApp};

on_both_engines!(
    an_organiser_creates_a_programme_and_everyone_reads_it,
    the_api_creates_moves_and_lists_programmes,
    members_enter_submit_withdraw_and_the_close_is_enforced,
);

async fn an_organiser_creates_a_programme_and_everyone_reads_it(engine: Engine) {
    let t = TestApp::start(engine).await;
    let olivia = t.organiser().await;
    let mut fields = vec![
        ("name", "Smart Working Awards 2027"),
        ("year", "2027"),
        ("description", "The network's awards for 2027."),
        ("entries_open", "2027-01-10T09:00"),
        ("entries_close", "2026-12-31T17:00"),
        ("judging_opens", "2027-04-01T09:00"),
        ("judging_closes", "2027-05-15T17:00"),
    ];
    // A timeline out of order is refused beside its field, with what was typed.
    let refused = t.post_with(&olivia.client, "/admin/awards", &fields).await;
    refused
        .assert_status(422)
        .assert_contains("Entries close after they open.")
        .assert_contains("value=\"2026-12-31T17:00\"");
    fields[4].1 = "2027-03-31T17:00";
    let made = t.post_with(&olivia.client, "/admin/awards", &fields).await;
    made.assert_status(303);
    let page = made.location().unwrap().to_string();
    // A category needs criteria with positive weights; the form keeps what was typed.
    let bad = t
        .post_with(
            &olivia.client,
            &format!("{page}/categories"),
            &[
                ("name", "Leadership"),
                ("open_to", "members"),
                ("criterion_name_1", "Impact"),
                ("criterion_weight_1", "-2"),
            ],
        )
        .await;
    bad.assert_status(422).assert_contains("Impact: a weight is a number above 0").assert_contains("value=\"-2\"");
    t.post_with(
        &olivia.client,
        &format!("{page}/categories"),
        &[
            ("name", "Leadership"),
            ("description", "Leaders who made flexibility normal."),
            ("open_to", "members"),
            ("criterion_name_1", "Impact"),
            ("criterion_weight_1", "2"),
            ("criterion_name_2", "Evidence of benefits"),
            ("criterion_weight_2", ""),
        ],
    )
    .await
    .assert_status(303);
    // Anyone reads the programme, its timeline in the network's time zone, and the category's criteria.
    let public = t.get("/awards").await;
    public.assert_status(200).assert_contains("Smart Working Awards 2027");
    let programme = t.get("/awards/smart-working-awards-2027").await;
    programme.assert_status(200).assert_contains("10 January 2027, 09:00").assert_contains("Leadership");
    let category = t.get("/awards/smart-working-awards-2027/leadership").await;
    category
        .assert_status(200)
        .assert_contains("Impact</strong> (weight 2)")
        .assert_contains("Evidence of benefits</strong> (weight 1)");
    t.get("/awards/smart-working-awards-2027/no-such-category").await.assert_status(404);
    // Members and visitors do not reach the organisers' pages.
    let member = t.member("mia@council.example.gov.uk", "Mia Member").await;
    t.get_with(&member.client, "/admin/awards").await.assert_status(403);
    t.finish().await;
}

async fn the_api_creates_moves_and_lists_programmes(engine: Engine) {
    let t = TestApp::start(engine).await;
    let olivia = t.organiser().await;
    let token = new_token(&t, &olivia.client, "awards").await;
    let body = json!({
        "name": "Smart Working Awards 2028",
        "year": 2028,
        "entries_open": "2028-01-10T09:00:00Z",
        "entries_close": "2028-03-31T16:00:30Z",
        "judging_opens": "2028-04-01T08:00:00Z",
        "judging_closes": "2028-05-15T16:00:00Z"
    });
    let made = call(&t, Method::POST, "/api/v1/awards/programmes", Some(&token), Some(body)).await;
    assert_eq!(made.status, 201, "{:?}", made.json);
    let id = made.json["id"].as_str().unwrap().to_string();
    assert_eq!(made.json["entries_close"], "2028-03-31T16:00:30Z", "kept to the second");
    // Moving a date keeps the timeline in order, or says why not.
    let moved = call(
        &t,
        Method::PATCH,
        &format!("/api/v1/awards/programmes/{id}"),
        Some(&token),
        Some(json!({"entries_close": "2028-04-15T16:00:00Z"})),
    )
    .await;
    assert_eq!(moved.status, 422, "{:?}", moved.json);
    assert!(moved.json.to_string().contains("judging_opens"));
    let moved = call(
        &t,
        Method::PATCH,
        &format!("/api/v1/awards/programmes/{id}"),
        Some(&token),
        Some(json!({"entries_close": "2028-03-30T16:00:00Z"})),
    )
    .await;
    assert_eq!(moved.status, 200, "{:?}", moved.json);
    assert_eq!(moved.json["entries_close"], "2028-03-30T16:00:00Z");
    let category = call(
        &t,
        Method::POST,
        &format!("/api/v1/awards/programmes/{id}/categories"),
        Some(&token),
        Some(json!({"name": "Workspace", "description": "Places that work.", "scale_max": 10,
                    "criteria": [{"name": "Impact", "weight": 2}, {"name": "Evidence", "weight": 1}]})),
    )
    .await;
    assert_eq!(category.status, 201, "{:?}", category.json);
    assert_eq!(category.json["criteria"].as_array().unwrap().len(), 2);
    assert!(category.json["criteria"][0]["id"].is_string());
    // The list is public; writing is the organisers'.
    let listed = call(&t, Method::GET, "/api/v1/awards/programmes", None, None).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json[0]["categories"][0]["name"], "Workspace");
    let member = t.member("mia@council.example.gov.uk", "Mia Member").await;
    let theirs = new_token(&t, &member.client, "awards").await;
    let refused = call(
        &t,
        Method::POST,
        &format!("/api/v1/awards/programmes/{id}/categories"),
        Some(&theirs),
        Some(json!({"name": "X", "criteria": [{"name": "Y", "weight": 1}]})),
    )
    .await;
    assert_eq!(refused.status, 403);
    t.finish().await;
}

/// A moment `days` from now as the forms type it (the tests' network time zone is Europe/London).
fn local(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .with_timezone(&chrono_tz::Europe::London)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

async fn members_enter_submit_withdraw_and_the_close_is_enforced(engine: Engine) {
    let t = TestApp::start(engine).await;
    let olivia = t.organiser().await;
    let made = t
        .post_with(
            &olivia.client,
            "/admin/awards",
            &[
                ("name", "Smart Working Awards 2027"),
                ("year", "2027"),
                ("entries_open", &local(-1)),
                ("entries_close", &local(20)),
                ("judging_opens", &local(21)),
                ("judging_closes", &local(50)),
            ],
        )
        .await;
    let admin = made.location().unwrap().to_string();
    let programme_id = admin.trim_start_matches("/admin/awards/").to_string();
    t.post_with(
        &olivia.client,
        &format!("{admin}/categories"),
        &[("name", "Leadership"), ("open_to", "members"), ("criterion_name_1", "Impact")],
    )
    .await
    .assert_status(303);
    let mut tx = t.app.db.begin().await.unwrap();
    let org = swn::membership::insert_organisation(
        &mut tx,
        "Northshire Council",
        "Local government",
        4200,
        "Wales",
        "implementing",
    )
    .await
    .unwrap();
    let other = swn::membership::insert_organisation(
        &mut tx,
        "Meridian Insurance",
        "Financial services",
        6800,
        "Wales",
        "implementing",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let ana = t.member("ana@northshire.example.gov.uk", "Ana Entrant").await;
    let bo = t.member("bo@northshire.example.gov.uk", "Bo Colleague").await;
    let olga = t.member("olga@meridian.example.com", "Olga Other").await;
    for (p, o) in [(&ana, &org), (&bo, &org), (&olga, &other)] {
        swn::execute!(&t.app.db, "UPDATE users SET organisation_id = $1 WHERE id = $2", o, &p.id).unwrap();
    }
    t.get("/awards/smart-working-awards-2027/leadership").await.assert_contains("Enter this category");
    // A draft is saved as typed; submitting asks for everything a judge needs, and keeps what was typed.
    let draft = t
        .post_with(
            &ana.client,
            "/awards/smart-working-awards-2027/leadership/enter",
            &[("title", "Anchor days for 4,000 staff"), ("context", "A county council."), ("action", "save")],
        )
        .await;
    draft.assert_status(303);
    let page = draft.location().unwrap().to_string();
    let id = page.trim_start_matches("/awards/entries/").to_string();
    let incomplete = t
        .post_with(
            &bo.client,
            &page,
            &[
                ("title", "Anchor days for 4,000 staff"),
                ("context", "A county council."),
                ("what_was_done", "Team agreements everywhere."),
                ("action", "submit"),
            ],
        )
        .await;
    incomplete
        .assert_status(422)
        .assert_contains("A description of the benefits is required.")
        .assert_contains("Give at least one measurable outcome")
        .assert_contains("Team agreements everywhere.");
    let complete = [
        ("title", "Anchor days for 4,000 staff"),
        ("context", "A county council."),
        ("what_was_done", "Team agreements everywhere."),
        ("benefits", "Fewer desks, happier teams."),
        ("measure_1", "Desk ratio"),
        ("baseline_1", "1.0"),
        ("result_1", "0.6"),
        ("unit_1", "desks per person"),
        ("action", "submit"),
    ];
    t.post_with(&bo.client, &page, &complete).await.assert_status(303);
    let receipt = t.wait_for_mail(&bo.email).await;
    assert!(receipt.contains("Anchor days for 4,000 staff"), "{receipt}");
    t.get_with(&ana.client, &page).await.assert_status(200).assert_contains("Submitted on");
    // Another organisation's member, and the public, find nothing.
    t.get_with(&olga.client, &page).await.assert_status(404);
    t.get(&page).await.assert_status(303);
    // The organisers return it with a reason; the entrants see it, put it right and submit again.
    let listed = t.get_with(&olivia.client, &admin).await;
    listed.assert_contains("Anchor days for 4,000 staff").assert_contains("Northshire Council");
    t.post_with(&olivia.client, &format!("/admin/awards/entries/{id}/return"), &[("reason", "Please name the team.")])
        .await
        .assert_status(303);
    t.get_with(&ana.client, &page)
        .await
        .assert_contains("Returned by the organisers")
        .assert_contains("Please name the team.");
    let mut again = complete.to_vec();
    again.push(("team", "Revenues and benefits"));
    t.post_with(&ana.client, &page, &again).await.assert_status(303);
    // Through the API: the entrant's view has the state and no judging.
    let token = new_token(&t, &ana.client, "awards").await;
    let got = call(&t, Method::GET, &format!("/api/v1/awards/entries/{id}"), Some(&token), None).await;
    assert_eq!(got.status, 200, "{:?}", got.json);
    assert_eq!(got.json["state"], "submitted");
    assert_eq!(got.json["team"], "Revenues and benefits");
    let category = swn::fetch_scalar!(&t.app.db, String, "SELECT id FROM award_categories").unwrap();
    let api_entry = call(
        &t,
        Method::POST,
        &format!("/api/v1/awards/categories/{category}/entries"),
        Some(&token),
        Some(json!({"title": "Second entry", "summary": "Context.", "outcome": {"measure": "Sickness absence", "baseline": "9.8", "result": "8.4", "unit": "days per FTE"}})),
    )
    .await;
    assert_eq!(api_entry.status, 201, "{:?}", api_entry.json);
    assert_eq!(api_entry.json["state"], "draft");
    let second = api_entry.json["id"].as_str().unwrap().to_string();
    let refused = call(&t, Method::POST, &format!("/api/v1/awards/entries/{second}/submit"), Some(&token), None).await;
    assert_eq!(refused.status, 422, "what was done and the benefits are missing: {:?}", refused.json);
    let changed = call(
        &t,
        Method::PATCH,
        &format!("/api/v1/awards/entries/{second}"),
        Some(&token),
        Some(json!({"what_was_done": "A trial.", "benefits": "Less sickness absence.", "links": ["https://example.org/report"]})),
    )
    .await;
    assert_eq!(changed.status, 200, "{:?}", changed.json);
    assert_eq!(changed.json["outcomes"][0]["measure"], "Sickness absence", "outcomes kept when not given");
    let done = call(&t, Method::POST, &format!("/api/v1/awards/entries/{second}/submit"), Some(&token), None).await;
    assert_eq!(done.status, 200, "{:?}", done.json);
    assert_eq!(done.json["state"], "submitted");
    // Withdrawn until the close; after the close nothing changes, with a clear message.
    let withdrawn =
        call(&t, Method::POST, &format!("/api/v1/awards/entries/{second}/withdraw"), Some(&token), None).await;
    assert_eq!(withdrawn.json["state"], "withdrawn", "{:?}", withdrawn.json);
    swn::execute!(
        &t.app.db,
        "UPDATE award_programmes SET entries_close_at = $1 WHERE id = $2",
        chrono::Utc::now() - chrono::Duration::minutes(1),
        &programme_id
    )
    .unwrap();
    t.post_with(&ana.client, &page, &complete).await.assert_status(409).assert_contains("closed at the published time");
    let late = call(
        &t,
        Method::POST,
        &format!("/api/v1/awards/categories/{category}/entries"),
        Some(&token),
        Some(json!({"title": "Too late"})),
    )
    .await;
    assert_eq!(late.status, 409);
    // Ana's entry is in her export; erased, it stays with the organisation.
    t.get_with(&ana.client, "/account/data")
        .await
        .assert_contains("entries_started")
        .assert_contains("Anchor days for 4,000 staff");
    let person = swn::feature::Person { id: ana.id.clone(), email: ana.email.clone(), name: ana.name.clone() };
    swn::feature::erase_person(&t.app, &person).await.unwrap();
    let kept =
        swn::fetch_scalar!(&t.app.db, i64, "SELECT COUNT(*) FROM award_entries WHERE author_id IS NULL").unwrap();
    assert_eq!(kept, 2);
    t.finish().await;
}
