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
    judging_with_conflicts_hidden_scores_and_abstention,
    shortlist_and_winners_are_published_once_with_their_emails,
    who_reaches_the_judging_of_an_entry,
    anyone_enters_through_the_public_form,
    entries_carry_files_and_evidence_for_their_judges,
    conflicts_decided_late_and_the_rules_around_reviews,
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

// ---- Judging ---------------------------------------------------------------------------------------------------

/// A programme with one category (two criteria, weights 2 and 1) and three submitted entries: E1 and E3 from
/// Northshire (Ana, Bo), E2 from Meridian (Olga). Entries then close and judging opens.
struct Judged {
    t: TestApp,
    olivia: crate::support::Person,
    oscar: crate::support::Person,
    ana: crate::support::Person,
    olga: crate::support::Person,
    programme: String,
    slug: String,
    category: String,
    criteria: Vec<String>,
    e1: String,
    e2: String,
    e3: String,
    meridian: String,
}

async fn judged(engine: Engine) -> Judged {
    let t = TestApp::start(engine).await;
    let olivia = t.organiser().await;
    let oscar = t.person("oscar@network.example.org", "Oscar Organiser", swn::auth::Role::Organiser).await;
    let token = new_token(&t, &olivia.client, "awards").await;
    let made = call(
        &t,
        Method::POST,
        "/api/v1/awards/programmes",
        Some(&token),
        Some(json!({"name": "Smart Working Awards 2030", "year": 2030,
            "entries_open": "2030-01-10T09:00:00Z", "entries_close": "2030-03-31T16:00:00Z",
            "judging_opens": "2030-04-01T08:00:00Z", "judging_closes": "2030-05-15T16:00:00Z"})),
    )
    .await;
    assert_eq!(made.status, 201, "{:?}", made.json);
    let programme = made.json["id"].as_str().unwrap().to_string();
    let slug = made.json["slug"].as_str().unwrap().to_string();
    let category = call(
        &t,
        Method::POST,
        &format!("/api/v1/awards/programmes/{programme}/categories"),
        Some(&token),
        Some(json!({"name": "Leadership", "scale_max": 10,
                    "criteria": [{"name": "Impact", "weight": 2}, {"name": "Evidence", "weight": 1}]})),
    )
    .await;
    let criteria: Vec<String> =
        category.json["criteria"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect();
    let category = category.json["id"].as_str().unwrap().to_string();
    let now = chrono::Utc::now();
    let days = chrono::Duration::days;
    swn::execute!(
        &t.app.db,
        "UPDATE award_programmes SET entries_open_at = $1, entries_close_at = $2 WHERE id = $3",
        now - days(1),
        now + days(1),
        &programme
    )
    .unwrap();
    let mut tx = t.app.db.begin().await.unwrap();
    let northshire = swn::membership::insert_organisation(
        &mut tx,
        "Northshire Council",
        "Local government",
        4200,
        "Wales",
        "implementing",
    )
    .await
    .unwrap();
    let meridian = swn::membership::insert_organisation(
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
    for (p, o) in [(&ana, &northshire), (&bo, &northshire), (&olga, &meridian)] {
        swn::execute!(&t.app.db, "UPDATE users SET organisation_id = $1 WHERE id = $2", o, &p.id).unwrap();
    }
    let mut ids = Vec::new();
    for (who, title) in
        [(&ana, "Anchor days for 4,000 staff"), (&olga, "A hybrid contact centre"), (&bo, "Desk booking")]
    {
        let token = new_token(&t, &who.client, "entering").await;
        let e = call(
            &t,
            Method::POST,
            &format!("/api/v1/awards/categories/{category}/entries"),
            Some(&token),
            Some(json!({"title": title, "summary": "Context.", "what_was_done": "A trial.", "benefits": "Fewer desks.",
                        "outcome": {"measure": "Desk ratio", "baseline": "1.0", "result": "0.6", "unit": "desks per person"}})),
        )
        .await;
        assert_eq!(e.status, 201, "{:?}", e.json);
        let id = e.json["id"].as_str().unwrap().to_string();
        let done = call(&t, Method::POST, &format!("/api/v1/awards/entries/{id}/submit"), Some(&token), None).await;
        assert_eq!(done.status, 200, "{:?}", done.json);
        ids.push(id);
    }
    Judged {
        olivia,
        oscar,
        ana,
        olga,
        programme,
        slug,
        category,
        criteria,
        e1: ids[0].clone(),
        e2: ids[1].clone(),
        e3: ids[2].clone(),
        meridian,
        t,
    }
}

/// Entries close and scoring opens.
async fn open_judging(j: &Judged) {
    let now = chrono::Utc::now();
    swn::execute!(
        &j.t.app.db,
        "UPDATE award_programmes SET entries_close_at = $1, judging_opens_at = $2, judging_closes_at = $3 WHERE id = $4",
        now - chrono::Duration::minutes(2),
        now - chrono::Duration::minutes(1),
        now + chrono::Duration::days(10),
        &j.programme
    )
    .unwrap();
}

async fn judging_with_conflicts_hidden_scores_and_abstention(engine: Engine) {
    let j = judged(engine).await;
    let t = &j.t;
    // Judges: Jude works at Meridian (the network proposes his conflict with its entry); Ken is a member
    // elsewhere; Xena is an outside expert, invited by e-mail.
    let jude = t.member("jude@meridian.example.com", "Jude Judge").await;
    swn::execute!(&t.app.db, "UPDATE users SET organisation_id = $1 WHERE id = $2", &j.meridian, &jude.id).unwrap();
    let ken = t.member("ken@elsewhere.example.org", "Ken Judge").await;
    let admin = format!("/admin/awards/categories/{}", j.category);
    t.post_with(&j.olivia.client, &format!("{admin}/judges"), &[("email", "not an address")])
        .await
        .assert_status(422)
        .assert_contains("value=\"not an address\"");
    t.post_with(&j.olivia.client, &format!("{admin}/judges"), &[("email", &ken.email)]).await.assert_status(303);
    t.wait_for_mail_containing(&ken.email, "asked you to judge").await;
    t.post_with(&j.olivia.client, &format!("{admin}/judges"), &[("email", "xena@experts.example.org")])
        .await
        .assert_status(303);
    let invitation = t.wait_for_mail_containing("xena@experts.example.org", "invites you to judge").await;
    let link = crate::support::find_link(&invitation, &t.url("/awards/judges/invitations/")).expect("a link");
    let path = link.trim_start_matches(&t.url(""));
    let xena = crate::support::browser();
    t.get_with(&xena, path).await.assert_status(200).assert_contains("Make your judge");
    t.post_with(&xena, path, &[("name", "Xena Expert"), ("password", "short"), ("confirm", "short")])
        .await
        .assert_status(422)
        .assert_contains("value=\"Xena Expert\"");
    let password = "bright orange kettle monday";
    t.post_with(&xena, path, &[("name", "Xena Expert"), ("password", password), ("confirm", password)])
        .await
        .assert_status(303);
    t.get_with(&xena, path).await.assert_status(410);
    // The outside judge's account reaches the judging and nothing of the members' area.
    t.get_with(&xena, "/awards/judging").await.assert_status(200).assert_contains("Leadership");
    t.get_with(&xena, "/members").await.assert_status(403);
    t.get_with(&xena, "/forum").await.assert_status(403);
    // Assigned through the API, the answer names the conflicts the network proposes.
    let olivia_token = new_token(t, &j.olivia.client, "judges").await;
    let assigned = call(
        t,
        Method::POST,
        &format!("/api/v1/awards/categories/{}/judges", j.category),
        Some(&olivia_token),
        Some(json!({"user": jude.id})),
    )
    .await;
    assert_eq!(assigned.status, 201, "{:?}", assigned.json);
    let proposed = assigned.json["proposed_conflicts"].as_array().unwrap();
    assert_eq!(proposed.len(), 1, "{proposed:?}");
    assert_eq!(proposed[0]["entry"], j.e2.as_str());
    assert_eq!(proposed[0]["kind"], "employer");
    // Before entries close, judges see no entry.
    let jude_token = new_token(t, &jude.client, "judging").await;
    let early = call(t, Method::GET, "/api/v1/awards/judging", Some(&jude_token), None).await;
    assert_eq!(early.json[0]["entries"].as_array().unwrap().len(), 0, "{:?}", early.json);
    t.get_with(&jude.client, &format!("/awards/judging/entries/{}", j.e1)).await.assert_status(404);
    open_judging(&j).await;
    // Jude's list leaves Meridian's entry out; opening or scoring it is refused.
    let list = call(t, Method::GET, "/api/v1/awards/judging", Some(&jude_token), None).await;
    let listed: Vec<&str> =
        list.json[0]["entries"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert!(listed.contains(&j.e1.as_str()) && !listed.contains(&j.e2.as_str()), "{listed:?}");
    t.get_with(&jude.client, &format!("/awards/judging/entries/{}", j.e2))
        .await
        .assert_status(403)
        .assert_contains("conflict of interest");
    let c1 = &j.criteria[0];
    let c2 = &j.criteria[1];
    let scored = call(
        t,
        Method::POST,
        &format!("/api/v1/awards/entries/{}/scores", j.e2),
        Some(&jude_token),
        Some(json!({"scores": {c1: 5, c2: 5}})),
    )
    .await;
    assert_eq!(scored.status, 403, "{:?}", scored.json);
    // As a member of Meridian he reads its entry as its entrants do: the state, nothing of the judging.
    let got = call(t, Method::GET, &format!("/api/v1/awards/entries/{}", j.e2), Some(&jude_token), None).await;
    assert_eq!(got.status, 200);
    assert!(got.json.get("judging").is_none(), "{:?}", got.json);
    // Xena scores Anchor days on the page; a score off the scale is refused beside its field.
    let e1_page = format!("/awards/judging/entries/{}", j.e1);
    t.post_with(
        &xena,
        &e1_page,
        &[("score_1", "11"), ("score_2", "7"), ("comment", "Strong leadership."), ("action", "score")],
    )
    .await
    .assert_status(422)
    .assert_contains("Give Impact a whole number from 1 to 10.")
    .assert_contains("Strong leadership.");
    t.post_with(
        &xena,
        &e1_page,
        &[("score_1", "9"), ("score_2", "6"), ("comment", "Strong leadership."), ("action", "score")],
    )
    .await
    .assert_status(303);
    t.post_with(&xena, &format!("{e1_page}/discussion"), &[("remark", "Worth discussing the baseline.")])
        .await
        .assert_status(303);
    // Jude sees neither Xena's scores, her comment nor the discussion until his own review is in.
    let before = call(t, Method::GET, &format!("/api/v1/awards/entries/{}", j.e1), Some(&jude_token), None).await;
    assert_eq!(before.status, 200, "{:?}", before.json);
    assert_eq!(before.json["judging"]["reviews"].as_array().unwrap().len(), 0);
    t.get_with(&jude.client, &e1_page)
        .await
        .assert_status(200)
        .assert_lacks("Strong leadership.")
        .assert_lacks("Worth discussing the baseline.");
    t.post_with(&jude.client, &format!("{e1_page}/discussion"), &[("remark", "Early word")]).await.assert_status(409);
    let mine = call(
        t,
        Method::POST,
        &format!("/api/v1/awards/entries/{}/scores", j.e1),
        Some(&jude_token),
        Some(json!({"scores": {c1: 3, c2: 3}, "comment": "Modest evidence."})),
    )
    .await;
    assert_eq!(mine.status, 200, "{:?}", mine.json);
    assert_eq!(mine.json["judging"]["reviews"][0]["comment"], "Strong leadership.");
    assert_eq!(mine.json["judging"]["my_review"]["weighted"], 3.0);
    t.get_with(&jude.client, &e1_page).await.assert_contains("Worth discussing the baseline.");
    // Ken abstains with a reason (it does not count); without one it is refused.
    let ken_token = new_token(t, &ken.client, "judging").await;
    let bare = call(
        t,
        Method::POST,
        &format!("/api/v1/awards/entries/{}/scores", j.e1),
        Some(&ken_token),
        Some(json!({"abstain": true})),
    )
    .await;
    assert_eq!(bare.status, 422, "{:?}", bare.json);
    let abstained = call(
        t,
        Method::POST,
        &format!("/api/v1/awards/entries/{}/scores", j.e1),
        Some(&ken_token),
        Some(json!({"abstain": true, "reason": "I mentored their programme lead."})),
    )
    .await;
    assert_eq!(abstained.status, 200, "{:?}", abstained.json);
    // Xena scores Meridian's entry too, higher and apart from the rest.
    let e2_page = format!("/awards/judging/entries/{}", j.e2);
    t.post_with(&xena, &e2_page, &[("score_1", "10"), ("score_2", "10"), ("action", "score")]).await.assert_status(303);
    // Olivia works at Meridian: she is locked out of its entry; Oscar decides it.
    swn::execute!(&t.app.db, "UPDATE users SET organisation_id = $1 WHERE id = $2", &j.meridian, &j.olivia.id).unwrap();
    t.get_with(&j.olivia.client, &format!("/admin/awards/entries/{}", j.e2)).await.assert_status(403);
    t.get_with(&j.olivia.client, &e2_page).await.assert_status(403);
    t.post_with(&j.olivia.client, &format!("{e2_page}/discussion"), &[("remark", "I know them")])
        .await
        .assert_status(403);
    let refused = call(
        t,
        Method::PUT,
        &format!("/api/v1/awards/entries/{}/decision", j.e2),
        Some(&olivia_token),
        Some(json!({"shortlisted": true})),
    )
    .await;
    assert_eq!(refused.status, 403, "{:?}", refused.json);
    t.get_with(&j.olivia.client, &admin).await.assert_status(200).assert_contains("another organiser decides it");
    let olivia_ranking =
        call(t, Method::GET, &format!("/api/v1/awards/categories/{}/ranking", j.category), Some(&olivia_token), None)
            .await;
    assert_eq!(olivia_ranking.status, 200);
    assert!(!olivia_ranking.json.to_string().contains(&j.e2), "{:?}", olivia_ranking.json);
    let oscar_token = new_token(t, &j.oscar.client, "ranking").await;
    let ranking =
        call(t, Method::GET, &format!("/api/v1/awards/categories/{}/ranking", j.category), Some(&oscar_token), None)
            .await;
    assert_eq!(ranking.status, 200, "{:?}", ranking.json);
    let lines = ranking.json.as_array().unwrap();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let e1 = lines.iter().find(|l| l["entry"] == j.e1.as_str()).unwrap();
    assert_eq!(e1["judges"], 2, "the abstention does not count");
    // Xena 9,6 -> 8; Jude 3,3 -> 3: weighted 5.5, spread 5 (above the default 3.3: discuss it).
    assert_eq!(e1["weighted"], 5.5);
    assert_eq!(e1["raw_mean"], 5.25);
    assert_eq!(e1["spread"], 5.0);
    assert_eq!(e1["disagreement"], true);
    assert!(e1["normalised_mean"].is_number());
    t.get_with(&j.oscar.client, &format!("/admin/awards/entries/{}", j.e2)).await.assert_status(200);
    // Oscar pins Ken's conflict with Anchor days: Ken is locked out and cannot take it back.
    t.post_with(
        &j.oscar.client,
        &format!("/admin/awards/entries/{}/conflicts", j.e1),
        &[("user", &ken.id), ("action", "pin"), ("kind", "personal")],
    )
    .await
    .assert_status(303);
    t.get_with(&ken.client, &e1_page).await.assert_status(403);
    t.post_with(&ken.client, &format!("{e1_page}/conflict"), &[("action", "withdraw")]).await.assert_status(409);
    t.get_with(&ken.client, "/awards/judging").await.assert_contains("pinned by the organisers");
    // Jude declares one with Anchor days and is locked out; he takes it back and is in again.
    t.post_with(&jude.client, &format!("{e1_page}/conflict"), &[("kind", "collaborator"), ("note", "A joint project")])
        .await
        .assert_status(303);
    t.get_with(&jude.client, &e1_page).await.assert_status(403);
    t.post_with(&jude.client, &format!("{e1_page}/conflict"), &[("action", "withdraw")]).await.assert_status(303);
    t.get_with(&jude.client, &e1_page).await.assert_status(200);
    // Nothing of the judging reaches the entrants or the public.
    let ana_token = new_token(t, &j.ana.client, "mine").await;
    let theirs = call(t, Method::GET, &format!("/api/v1/awards/entries/{}", j.e1), Some(&ana_token), None).await;
    assert_eq!(theirs.status, 200);
    assert!(theirs.json.get("judging").is_none(), "{:?}", theirs.json);
    for text in ["Strong leadership", "Xena", "Jude", "Worth discussing", "mentored"] {
        assert!(!theirs.json.to_string().contains(text), "{text}");
    }
    t.get_with(&j.ana.client, &format!("/awards/entries/{}", j.e1))
        .await
        .assert_status(200)
        .assert_lacks("Strong leadership")
        .assert_lacks("Xena");
    t.get_with(&j.ana.client, &e1_page).await.assert_status(404);
    t.get(&e1_page).await.assert_status(303);
    t.get_with(&j.olga.client, &format!("/api/v1/awards/entries/{}", j.e1)).await.assert_status(401);
    t.get(&format!("/awards/{}", j.slug)).await.assert_lacks("Strong leadership").assert_lacks("Xena");
    // Xena's review is in her data export.
    t.get_with(&xena, "/account/data").await.assert_status(200).assert_contains("Strong leadership.");
    j.t.finish().await;
}

async fn shortlist_and_winners_are_published_once_with_their_emails(engine: Engine) {
    let j = judged(engine).await;
    let t = &j.t;
    open_judging(&j).await;
    let token = new_token(t, &j.oscar.client, "decisions").await;
    let decide = |entry: String, body: serde_json::Value| {
        let token = token.clone();
        async move {
            call(t, Method::PUT, &format!("/api/v1/awards/entries/{entry}/decision"), Some(&token), Some(body)).await
        }
    };
    assert_eq!(decide(j.e1.clone(), json!({"shortlisted": true})).await.status, 200);
    assert_eq!(decide(j.e2.clone(), json!({"shortlisted": true})).await.status, 200);
    // Publishing waits for its date, and is then a deliberate act.
    let publish = |what: &'static str| {
        let token = token.clone();
        let programme = j.programme.clone();
        async move {
            call(
                t,
                Method::POST,
                &format!("/api/v1/awards/programmes/{programme}/publish"),
                Some(&token),
                Some(json!({"what": what})),
            )
            .await
        }
    };
    assert_eq!(publish("shortlist").await.status, 409, "no date yet");
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    swn::execute!(
        &t.app.db,
        "UPDATE award_programmes SET shortlist_at = $1, winners_at = $1 WHERE id = $2",
        past,
        &j.programme
    )
    .unwrap();
    assert_eq!(publish("winners").await.status, 409, "the shortlist comes first");
    t.get(&format!("/awards/{}", j.slug)).await.assert_lacks("The shortlist");
    let published = t
        .post_with(&j.olivia.client, &format!("/admin/awards/{}/publish", j.programme), &[("what", "shortlist")])
        .await;
    published.assert_status(303);
    t.wait_for_mail_containing(&j.ana.email, "the judges have shortlisted your entry").await;
    t.wait_for_mail_containing(&j.olga.email, "the judges have shortlisted your entry").await;
    t.wait_for_mail_containing("bo@northshire.example.gov.uk", "not on the shortlist").await;
    let public = t.get(&format!("/awards/{}", j.slug)).await;
    public.assert_contains("The shortlist").assert_contains("Anchor days for 4,000 staff").assert_lacks("Desk booking");
    // The shortlist no longer changes; an award needs its citation.
    let changed = decide(j.e3.clone(), json!({"shortlisted": true})).await;
    assert_eq!(changed.status, 409, "{:?}", changed.json);
    let bare = decide(j.e2.clone(), json!({"shortlisted": true, "award": "highly_commended"})).await;
    assert_eq!(bare.status, 422, "{:?}", bare.json);
    // A winner links to a case study: one that is not there is refused beside its field.
    let missing = decide(
        j.e1.clone(),
        json!({"shortlisted": true, "award": "winner", "citation": "x", "case_study": "/case-studies/no-such"}),
    )
    .await;
    assert_eq!(missing.status, 422, "{:?}", missing.json);
    let offered = swn::library::OfferedCaseStudy {
        title: "Trust first at a council",
        organisation_label: "A council",
        sector: "Local government",
        size_band: "1,000 to 4,999",
        region: "Wales",
        challenge_md: "A.",
        approach_md: "B.",
        results_md: "C.",
        lessons_md: "D.",
    };
    let case_study = swn::library::offer_case_study(&t.app, &offered, &j.olivia.id).await.unwrap();
    swn::execute!(
        &t.app.db,
        "UPDATE case_studies SET published = TRUE, audience = 'public' WHERE id = $1",
        &case_study
    )
    .unwrap();
    let slug =
        swn::fetch_scalar!(&t.app.db, String, "SELECT slug FROM case_studies WHERE id = $1", &case_study).unwrap();
    let win = decide(
        j.e1.clone(),
        json!({"shortlisted": true, "award": "winner", "citation": "For making <trust> the default.",
               "case_study": format!("/case-studies/{slug}")}),
    )
    .await;
    assert_eq!(win.status, 200, "{:?}", win.json);
    assert_eq!(publish("winners").await.status, 200);
    t.wait_for_mail_containing(&j.ana.email, "your entry is winner").await;
    t.wait_for_mail_containing(&j.olga.email, "did not win this time").await;
    // After a restart, publishing again sends nothing and each e-mail exists once.
    let config = t.app.config.as_ref().clone();
    let _restarted = swn::App::open(config).await.unwrap();
    assert_eq!(publish("winners").await.status, 409);
    assert_eq!(publish("shortlist").await.status, 409);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let count = |to: &str, text: &str| {
        t.outbox_files()
            .iter()
            .filter_map(|raw| mailparse::parse_mail(raw).ok())
            .filter(|m| {
                m.headers.iter().any(|x| x.get_key_ref().eq_ignore_ascii_case("to") && x.get_value().contains(to))
                    && crate::support::plain_text(m).is_some_and(|b| b.contains(text))
            })
            .count()
    };
    assert_eq!(count(&j.ana.email, "shortlisted your entry"), 1);
    assert_eq!(count(&j.ana.email, "your entry is winner"), 1);
    assert_eq!(count("bo@northshire.example.gov.uk", "not on the shortlist"), 1);
    assert_eq!(count(&j.ana.email, "not on the shortlist"), 1, "each entrant of an organisation hears of each entry");
    // The public page and API show the winner with its citation (escaped), never a score.
    let public = t.get(&format!("/awards/{}", j.slug)).await;
    public.assert_contains("Trust first at a council");
    public.assert_contains("Winner").assert_contains("For making &#60;trust&#62; the default.").assert_lacks("<trust>");
    let listed = call(t, Method::GET, "/api/v1/awards/programmes", None, None).await;
    let p = listed.json.as_array().unwrap().iter().find(|p| p["id"] == j.programme.as_str()).unwrap();
    assert_eq!(p["winners"][0]["entry"], j.e1.as_str());
    assert_eq!(p["winners"][0]["citation"], "For making <trust> the default.");
    assert_eq!(p["shortlist"].as_array().unwrap().len(), 2);
    assert!(!listed.json.to_string().contains("weighted"));
    // Decisions are final once the winners are announced.
    assert_eq!(decide(j.e2.clone(), json!({"shortlisted": true})).await.status, 409);
    j.t.finish().await;
}

/// Who reaches an entry's judging: its entrant, a judge, a conflicted judge, an outside judge, an organiser, a
/// conflicted organiser and a visitor, on the pages and through the API; no judging text reaches an entrant or
/// a visitor.
async fn who_reaches_the_judging_of_an_entry(engine: Engine) {
    let j = judged(engine).await;
    let t = &j.t;
    let ken = t.member("ken@elsewhere.example.org", "Ken Judge").await;
    let jude = t.member("jude@meridian.example.com", "Jude Judge").await;
    let xena = t.person("xena@experts.example.org", "Xena Expert", swn::auth::Role::Judge).await;
    swn::execute!(
        &t.app.db,
        "UPDATE users SET organisation_id = $1 WHERE id IN ($2, $3)",
        &j.meridian,
        &jude.id,
        &j.olivia.id
    )
    .unwrap();
    for who in [&ken, &jude, &xena] {
        t.post_with(
            &j.oscar.client,
            &format!("/admin/awards/categories/{}/judges", j.category),
            &[("email", &who.email)],
        )
        .await
        .assert_status(303);
    }
    open_judging(&j).await;
    let page = format!("/awards/judging/entries/{}", j.e2);
    t.post_with(
        &ken.client,
        &page,
        &[("score_1", "7"), ("score_2", "7"), ("comment", "zebrareview"), ("action", "score")],
    )
    .await
    .assert_status(303);
    let visitor = crate::support::browser();
    // entrant, judge, conflicted judge, outside judge, organiser, conflicted organiser, visitor
    let people: [(&str, &reqwest::Client, &str); 7] = [
        ("entrant", &j.olga.client, j.olga.email.as_str()),
        ("judge", &ken.client, ken.email.as_str()),
        ("conflicted judge", &jude.client, jude.email.as_str()),
        ("outside judge", &xena.client, xena.email.as_str()),
        ("organiser", &j.oscar.client, j.oscar.email.as_str()),
        ("conflicted organiser", &j.olivia.client, j.olivia.email.as_str()),
        ("visitor", &visitor, ""),
    ];
    let mut tokens = Vec::new();
    for (_, client, email) in &people {
        tokens.push(if email.is_empty() { None } else { Some(new_token(t, client, "reach").await) });
    }
    let rows: [(&str, String, [u16; 7]); 6] = [
        ("GET", page.clone(), [404, 200, 403, 200, 200, 403, 303]),
        ("GET", "/awards/judging".to_string(), [200, 200, 200, 200, 200, 200, 303]),
        ("GET", format!("/admin/awards/entries/{}", j.e2), [403, 403, 403, 403, 200, 403, 303]),
        // A member of the entrant organisation reads it as its entrants do (the state, no judging).
        ("API", format!("/api/v1/awards/entries/{}", j.e2), [200, 200, 200, 200, 200, 403, 401]),
        ("API", format!("/api/v1/awards/categories/{}/ranking", j.category), [403, 403, 403, 403, 200, 200, 401]),
        ("API", "/api/v1/awards/judging".to_string(), [200, 200, 200, 200, 200, 200, 401]),
    ];
    let mut wrong = Vec::new();
    for (kind, path, expected) in &rows {
        for (i, (who, client, _)) in people.iter().enumerate() {
            let (status, body) = if *kind == "API" {
                let r = call(t, Method::GET, path, tokens[i].as_deref(), None).await;
                (r.status, r.json.to_string())
            } else {
                let a = t.get_with(client, path).await;
                (a.status.as_u16(), a.body)
            };
            if status != expected[i] {
                wrong.push(format!("{path} as {who}: {status}, expected {}", expected[i]));
            }
            let judges_only = matches!(*who, "entrant" | "visitor" | "conflicted judge" | "conflicted organiser");
            if judges_only && body.contains("zebrareview") {
                wrong.push(format!("{path} as {who}: judging text in the answer"));
            }
            if judges_only && path.contains("/ranking") && body.contains(&j.e2) {
                wrong.push(format!("{path} as {who}: the conflicted entry is in the ranking"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    j.t.finish().await;
}

/// A category open to anyone takes entries through its public form: the address is confirmed by a link, and
/// only then is the entry submitted, once, with its receipt; the form is rate-limited.
async fn anyone_enters_through_the_public_form(engine: Engine) {
    let j = judged(engine).await;
    let t = &j.t;
    let token = new_token(t, &j.olivia.client, "public").await;
    let made = call(
        t,
        Method::POST,
        &format!("/api/v1/awards/programmes/{}/categories", j.programme),
        Some(&token),
        Some(json!({"name": "Working together", "open_to": "anyone", "criteria": [{"name": "Impact", "weight": 1}]})),
    )
    .await;
    assert_eq!(made.status, 201, "{:?}", made.json);
    let enter = format!("/awards/{}/working-together/enter", j.slug);
    t.get(&enter).await.assert_status(200).assert_contains("Your e-mail address");
    let mut fields = vec![
        ("entrant_name", "Pat Public"),
        ("entrant_email", "pat@charity.example.org"),
        ("entrant_organisation", "A Small Charity"),
        ("title", "Four-day weeks in a charity"),
        ("context", "A charity of 300 people."),
        ("what_was_done", "A six-month trial."),
        ("benefits", "Recruitment got easier."),
        ("measure_1", "Vacancies filled within a month"),
        ("baseline_1", "40"),
        ("result_1", "75"),
        ("action", "submit"),
    ];
    let incomplete = t.post(&enter, &fields).await;
    incomplete
        .assert_status(422)
        .assert_contains("Each outcome gives its measure, baseline, result and unit")
        .assert_contains("A Small Charity");
    fields.push(("unit_1", "% of vacancies"));
    t.post(&enter, &fields).await.assert_status(303);
    let mail = t.wait_for_mail_containing("pat@charity.example.org", "Confirm your address").await;
    let link = crate::support::find_link(&mail, &t.url("/awards/confirm/")).expect("a link");
    let path = link.trim_start_matches(&t.url("")).to_string();
    let draft = swn::fetch_scalar!(
        &t.app.db,
        String,
        "SELECT status FROM award_entries WHERE title = 'Four-day weeks in a charity'"
    )
    .unwrap();
    assert_eq!(draft, "draft", "nothing is submitted before the address is confirmed");
    t.get(&path).await.assert_status(200).assert_contains("Four-day weeks in a charity");
    t.post(&path, &[]).await.assert_status(303);
    t.wait_for_mail_containing("pat@charity.example.org", "was submitted on").await;
    t.post(&path, &[]).await.assert_status(410);
    let submitted = swn::fetch_scalar!(
        &t.app.db,
        String,
        "SELECT status FROM award_entries WHERE title = 'Four-day weeks in a charity'"
    )
    .unwrap();
    assert_eq!(submitted, "submitted");
    t.get_with(&j.oscar.client, &format!("/admin/awards/{}", j.programme))
        .await
        .assert_contains("Four-day weeks in a charity")
        .assert_contains("A Small Charity");
    // The form e-mails a typed address: it is rate-limited.
    let mut limited = false;
    for _ in 0..8 {
        if t.post(&enter, &fields).await.status.as_u16() == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "the public form is rate-limited");
    j.t.finish().await;
}

/// An entry carries supporting files (typed from their bytes; a refused upload keeps what was typed) and the
/// evidence its organisation holds; its judges read both, nobody else; organisers tick the eligibility
/// checklist.
async fn entries_carry_files_and_evidence_for_their_judges(engine: Engine) {
    let j = judged(engine).await;
    let t = &j.t;
    let page = format!("/awards/entries/{}", j.e1);
    let files = format!("{page}/files");
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    t.post_multipart_with(&j.ana.client, &files, &[("file_label", "Our survey")], Some(("file", "survey.pdf", html)))
        .await
        .assert_status(422)
        .assert_contains("The file must be a PDF")
        .assert_contains("value=\"Our survey\"")
        .assert_contains("Anchor days for 4,000 staff");
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    t.post_multipart_with(&j.ana.client, &files, &[("file_label", "Our survey")], Some(("file", "x.html", pdf)))
        .await
        .assert_status(303);
    let shown = t.get_with(&j.ana.client, &page).await;
    shown.assert_contains("Our survey");
    let file_id = swn::fetch_scalar!(&t.app.db, String, "SELECT file_id FROM award_files").unwrap();
    let download = format!("{page}/files/{file_id}");
    let got = t.get_with(&j.ana.client, &download).await;
    got.assert_status(200);
    assert_eq!(got.headers["content-type"], "application/pdf");
    assert!(got.headers["content-disposition"].to_str().unwrap().contains("our-survey.pdf"));
    t.get_with(&j.olga.client, &download).await.assert_status(404);
    t.get(&download).await.assert_status(303);
    // A case study of the organisation is evidence it may attach.
    let offered = swn::library::OfferedCaseStudy {
        title: "Anchor days at a county council",
        organisation_label: "Northshire Council",
        sector: "Local government",
        size_band: "1,000 to 4,999",
        region: "Wales",
        challenge_md: "A large estate.",
        approach_md: "Anchor days.",
        results_md: "Desk ratio from 1.0 to 0.6.",
        lessons_md: "Start with the work.",
    };
    let case_study = swn::library::offer_case_study(&t.app, &offered, &j.olivia.id).await.unwrap();
    let northshire =
        swn::fetch_scalar!(&t.app.db, String, "SELECT organisation_id FROM award_entries WHERE id = $1", &j.e1)
            .unwrap();
    swn::execute!(
        &t.app.db,
        "UPDATE case_studies SET organisation_id = $1, published = TRUE, audience = 'public' WHERE id = $2",
        &northshire,
        &case_study
    )
    .unwrap();
    t.get_with(&j.ana.client, &page).await.assert_contains("Case study: Anchor days at a county council");
    t.post_with(&j.ana.client, &format!("{page}/evidence"), &[(&format!("evidence_case_study_{case_study}"), "yes")])
        .await
        .assert_status(303);
    // Its judge reads the file and the evidence; the organisers tick the eligibility checklist.
    let ken = t.member("ken@elsewhere.example.org", "Ken Judge").await;
    t.post_with(&j.oscar.client, &format!("/admin/awards/categories/{}/judges", j.category), &[("email", &ken.email)])
        .await
        .assert_status(303);
    open_judging(&j).await;
    let judging = t.get_with(&ken.client, &format!("/awards/judging/entries/{}", j.e1)).await;
    judging
        .assert_status(200)
        .assert_contains("Our survey")
        .assert_contains("Case study: Anchor days at a county council")
        .assert_contains("Desk ratio from 1.0 to 0.6.");
    t.get_with(&ken.client, &download).await.assert_status(200);
    t.get_with(&ken.client, &format!("/awards/judging/entries/{}", j.e2)).await.assert_status(200);
    // After the close nothing is added.
    let late = b"%PDF-1.4\n%%EOF\n".to_vec();
    t.post_multipart_with(&j.ana.client, &files, &[("file_label", "Late")], Some(("file", "late.pdf", late)))
        .await
        .assert_status(409);
    let settings = format!("/admin/awards/categories/{}", j.category);
    t.post_with(
        &j.oscar.client,
        &settings,
        &[("judges_per_entry", "2"), ("checklist", "100 or more employees\nIn-house entrant")],
    )
    .await
    .assert_status(303);
    t.post_with(
        &j.oscar.client,
        &format!("/admin/awards/entries/{}/eligibility", j.e1),
        &[("item_0", "100 or more employees")],
    )
    .await
    .assert_status(303);
    let checked = t.get_with(&j.oscar.client, &format!("/admin/awards/entries/{}", j.e1)).await;
    checked
        .assert_status(200)
        .assert_contains("name=\"item_0\" type=\"checkbox\" value=\"100 or more employees\" checked");
    assert!(!checked.body.contains("value=\"In-house entrant\" checked"));
    t.get_with(&j.oscar.client, &settings).await.assert_contains("(target 2)");
    j.t.finish().await;
}

/// The harder cases of conflicts and reviews: an invitation to judge one entry only; an organiser dismisses a
/// proposal but never a judge's own declaration; a conflicted organiser cannot return the entry or add its
/// judge; an abstention stands and opens nothing; a conflict declared after scoring takes the scores out of
/// the ranking; a judge's erasure keeps their review with the entry.
async fn conflicts_decided_late_and_the_rules_around_reviews(engine: Engine) {
    let j = judged(engine).await;
    let t = &j.t;
    let admin = format!("/admin/awards/categories/{}", j.category);
    let jude = t.member("jude@meridian.example.com", "Jude Judge").await;
    let ken = t.member("ken@elsewhere.example.org", "Ken Judge").await;
    swn::execute!(
        &t.app.db,
        "UPDATE users SET organisation_id = $1 WHERE id IN ($2, $3)",
        &j.meridian,
        &jude.id,
        &j.olivia.id
    )
    .unwrap();
    // Olivia works at Meridian: she neither returns its entry nor adds a judge to it.
    t.post_with(&j.olivia.client, &format!("/admin/awards/entries/{}/return", j.e2), &[("reason", "No.")])
        .await
        .assert_status(403);
    t.post_with(
        &j.olivia.client,
        &format!("{admin}/judges"),
        &[("email", "solo@experts.example.org"), ("entry", &j.e2)],
    )
    .await
    .assert_status(403);
    // An invitation to judge Anchor days only gives Anchor days only.
    t.post_with(
        &j.oscar.client,
        &format!("{admin}/judges"),
        &[("email", "solo@experts.example.org"), ("entry", &j.e1)],
    )
    .await
    .assert_status(303);
    let mail = t.wait_for_mail_containing("solo@experts.example.org", "Anchor days for 4,000 staff").await;
    let link = crate::support::find_link(&mail, &t.url("/awards/judges/invitations/")).expect("a link");
    let solo = crate::support::browser();
    let path = link.trim_start_matches(&t.url("")).to_string();
    let password = "quiet harbour lantern friday";
    t.post_with(&solo, &path, &[("name", "Solo Expert"), ("password", password), ("confirm", password)])
        .await
        .assert_status(303);
    for who in [&jude.email, &ken.email] {
        t.post_with(&j.oscar.client, &format!("{admin}/judges"), &[("email", who)]).await.assert_status(303);
    }
    open_judging(&j).await;
    let list = t.get_with(&solo, "/awards/judging").await;
    list.assert_contains("Anchor days for 4,000 staff")
        .assert_lacks("A hybrid contact centre")
        .assert_lacks("Desk booking");
    // Oscar dismisses the network's proposal for Jude (he moved teams, say): Jude reaches Meridian's entry.
    let e2_page = format!("/awards/judging/entries/{}", j.e2);
    t.get_with(&jude.client, &e2_page).await.assert_status(403);
    let conflicts = format!("/admin/awards/entries/{}/conflicts", j.e2);
    t.post_with(&j.oscar.client, &conflicts, &[("user", &jude.id), ("action", "dismiss")]).await.assert_status(303);
    t.get_with(&jude.client, &e2_page).await.assert_status(200);
    // A judge's own declaration is not the organisers' to dismiss.
    let e1_page = format!("/awards/judging/entries/{}", j.e1);
    t.post_with(&ken.client, &format!("{e1_page}/conflict"), &[("kind", "personal")]).await.assert_status(303);
    let e1_conflicts = format!("/admin/awards/entries/{}/conflicts", j.e1);
    t.post_with(&j.oscar.client, &e1_conflicts, &[("user", &ken.id), ("action", "dismiss")]).await.assert_status(409);
    t.get_with(&ken.client, &e1_page).await.assert_status(403);
    t.post_with(&ken.client, &format!("{e1_page}/conflict"), &[("action", "withdraw")]).await.assert_status(303);
    // Jude abstains on Anchor days: the others stay closed to him, and the abstention stands.
    t.post_with(&solo, &e1_page, &[("score_1", "9"), ("score_2", "9"), ("comment", "zebrasolo"), ("action", "score")])
        .await
        .assert_status(303);
    t.post_with(&jude.client, &e1_page, &[("reason", "I know the team."), ("action", "abstain")])
        .await
        .assert_status(303);
    t.get_with(&jude.client, &e1_page).await.assert_status(200).assert_lacks("zebrasolo");
    t.post_with(&jude.client, &e1_page, &[("score_1", "1"), ("score_2", "1"), ("action", "score")])
        .await
        .assert_status(409)
        .assert_contains("an abstention stands");
    t.post_with(&jude.client, &format!("{e1_page}/discussion"), &[("remark", "Now I can read?")])
        .await
        .assert_status(409);
    // Ken scores it too; then declares a conflict after all: his scores leave the ranking and the page.
    t.post_with(
        &ken.client,
        &e1_page,
        &[("score_1", "2"), ("score_2", "2"), ("comment", "zebraken"), ("action", "score")],
    )
    .await
    .assert_status(303);
    let token = new_token(t, &j.oscar.client, "ranking").await;
    let ranking = format!("/api/v1/awards/categories/{}/ranking", j.category);
    let judges_of_e1 = |r: &crate::api::Reply| {
        r.json.as_array().unwrap().iter().find(|l| l["entry"] == j.e1.as_str()).map(|l| l["judges"].clone())
    };
    let before = call(t, Method::GET, &ranking, Some(&token), None).await;
    assert_eq!(judges_of_e1(&before), Some(json!(2)), "{:?}", before.json);
    t.post_with(&ken.client, &format!("{e1_page}/conflict"), &[("kind", "collaborator")]).await.assert_status(303);
    let after = call(t, Method::GET, &ranking, Some(&token), None).await;
    assert_eq!(judges_of_e1(&after), Some(json!(1)), "{:?}", after.json);
    t.get_with(&solo, &e1_page).await.assert_contains("zebrasolo").assert_lacks("zebraken");
    // A NUL in an id of a JSON body finds no one (a 422), and never reaches the database.
    let nul = call(
        t,
        Method::POST,
        &format!("/api/v1/awards/categories/{}/judges", j.category),
        Some(&token),
        Some(json!({"user": "a\u{0}b"})),
    )
    .await;
    assert_eq!(nul.status, 422, "{:?}", nul.json);
    // Solo is erased: their assignment goes, their review stays with the entry under "Former member".
    let solo_id =
        swn::fetch_scalar!(&t.app.db, String, "SELECT id FROM users WHERE email = 'solo@experts.example.org'").unwrap();
    let person = swn::feature::Person {
        id: solo_id.clone(),
        email: "solo@experts.example.org".into(),
        name: "Solo Expert".into(),
    };
    swn::feature::erase_person(&t.app, &person).await.unwrap();
    let assigned =
        swn::fetch_scalar!(&t.app.db, i64, "SELECT COUNT(*) FROM award_judges WHERE user_id = $1", &solo_id).unwrap();
    assert_eq!(assigned, 0);
    let kept =
        swn::fetch_scalar!(&t.app.db, i64, "SELECT COUNT(*) FROM award_reviews WHERE user_id = $1", &solo_id).unwrap();
    assert_eq!(kept, 1);
    t.get_with(&j.oscar.client, &e1_page).await.assert_contains("Former member").assert_lacks("Solo Expert");
    // Ken is erased too: his conflict stays (without his words), so his scores still do not count.
    let ken_person = swn::feature::Person { id: ken.id.clone(), email: ken.email.clone(), name: ken.name.clone() };
    swn::feature::erase_person(&t.app, &ken_person).await.unwrap();
    let erased = call(t, Method::GET, &ranking, Some(&token), None).await;
    assert_eq!(judges_of_e1(&erased), Some(json!(1)), "{:?}", erased.json);
    j.t.finish().await;
}
