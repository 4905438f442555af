//! The benchmark (issue 18): the framework's first version published once; an organisation's assessment made
//! by its members together and seen by no one else; peers from each organisation's latest submission, one
//! filter at a time, withheld below five; versions kept apart; advice from tags and opt-ins.

use reqwest::Method;
use serde_json::{Value, json};

use crate::api::{call, new_token};
use crate::on_both_engines;
use crate::support::{Answer, Engine, Person, TestApp};

on_both_engines!(
    the_first_framework_is_published_once_and_read_by_anyone,
    colleagues_assess_together_and_no_one_else_sees_it,
    peers_are_withheld_below_five_widened_for_a_small_group_and_never_an_end,
    versions_are_kept_apart_and_advice_follows_tags_and_opt_ins,
);

async fn the_first_framework_is_published_once_and_read_by_anyone(engine: Engine) {
    let t = TestApp::start(engine).await;
    let got = call(&t, Method::GET, "/api/v1/benchmark/framework", None, None).await;
    assert_eq!(got.status, 200, "{:?}", got.json);
    assert_eq!(got.json["version"], 1);
    let dimensions = got.json["dimensions"].as_array().unwrap();
    assert_eq!(dimensions.len(), 8);
    for d in dimensions {
        let questions = d["questions"].as_array().unwrap();
        assert!((4..=6).contains(&questions.len()), "{d}");
        for q in questions {
            assert!(q["id"].is_string() && q["text"].is_string());
            assert_eq!(q["levels"].as_array().unwrap().len(), 5);
        }
    }
    assert_eq!(dimensions[4]["name"], "Workplace and property");
    // A second start (another instance, or a restart) publishes nothing more.
    let config = t.app.config.as_ref().clone();
    let again = swn::App::open(config).await.unwrap();
    let versions = swn::fetch_scalar!(&t.app.db, i64, "SELECT COUNT(*) FROM benchmark_frameworks").unwrap();
    assert_eq!(versions, 1);
    let questions = swn::fetch_scalar!(&t.app.db, i64, "SELECT COUNT(*) FROM benchmark_questions").unwrap();
    assert_eq!(questions, 32);
    again.db.close().await;
    let page = t.get("/benchmark/framework").await;
    page.assert_status(200)
        .assert_contains("Version 1")
        .assert_contains("Vision, strategy and business case")
        .assert_contains("Flexibility as normal");
    t.finish().await;
}

/// A new organisation in `sector`, `employees` strong, in Wales; gives its id.
async fn organisation(t: &TestApp, name: &str, sector: &str, employees: i64) -> String {
    let mut tx = t.app.db.begin().await.unwrap();
    let id =
        swn::membership::insert_organisation(&mut tx, name, sector, employees, "Wales", "implementing").await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn works_for(t: &TestApp, person: &Person, organisation: &str) {
    swn::execute!(&t.app.db, "UPDATE users SET organisation_id = $1 WHERE id = $2", organisation, &person.id).unwrap();
}

async fn framework(t: &TestApp) -> Value {
    call(t, Method::GET, "/api/v1/benchmark/framework", None, None).await.json
}

/// Every question of the framework answered at `level` (dimension by dimension: `levels[d]`).
fn answers(framework: &Value, levels: &[i64]) -> Value {
    let mut all = Vec::new();
    for (d, dimension) in framework["dimensions"].as_array().unwrap().iter().enumerate() {
        for q in dimension["questions"].as_array().unwrap() {
            all.push(json!({"question": q["id"], "level": levels[d % levels.len()]}));
        }
    }
    json!({"answers": all})
}

/// An organisation with one member who submits an assessment with these levels through the API.
async fn submitted(t: &TestApp, name: &str, sector: &str, employees: i64, levels: &[i64]) -> (String, Person, String) {
    let org = organisation(t, name, sector, employees).await;
    let slug: String = name.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
    let member = t.member(&format!("lead@{slug}.example.org"), &format!("Lead of {name}")).await;
    works_for(t, &member, &org).await;
    let token = new_token(t, &member.client, "benchmark").await;
    let f = framework(t).await;
    let made = call(t, Method::POST, "/api/v1/benchmark/assessments", Some(&token), Some(answers(&f, levels))).await;
    assert_eq!(made.status, 201, "{:?}", made.json);
    let id = made.json["id"].as_str().unwrap().to_string();
    let done = call(t, Method::POST, &format!("/api/v1/benchmark/assessments/{id}/submit"), Some(&token), None).await;
    assert_eq!(done.status, 200, "{:?}", done.json);
    assert_eq!(done.json["status"], "submitted");
    (org, member, token)
}

async fn colleagues_assess_together_and_no_one_else_sees_it(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = organisation(&t, "Northshire Council", "Local government", 4200).await;
    let anna = t.member("anna@northshire.example.gov.uk", "Anna Assessor").await;
    let ben = t.member("ben@northshire.example.gov.uk", "Ben Colleague").await;
    works_for(&t, &anna, &org).await;
    works_for(&t, &ben, &org).await;
    let started = t.post_with(&anna.client, "/benchmark/assessments", &[]).await;
    started.assert_status(303);
    let page = started.location().unwrap().to_string();
    let id = page.trim_start_matches("/benchmark/assessments/").to_string();
    // Ben starting too opens the same draft.
    let again = t.post_with(&ben.client, "/benchmark/assessments", &[]).await;
    assert_eq!(again.location(), Some(page.as_str()));

    // Anna asks Ben by e-mail.
    t.post_with(&anna.client, &format!("{page}/contributors"), &[("colleague", ben.id.as_str())])
        .await
        .assert_status(303);
    let mail = t.wait_for_mail(&ben.email).await;
    assert!(mail.contains(&format!("/benchmark/assessments/{id}")), "{mail}");

    let f = framework(&t).await;
    let vision = &f["dimensions"][0];
    let q = |i: usize| vision["questions"][i]["id"].as_str().unwrap().to_string();
    answer(&t, &anna, &page, q(0), "4", "The board's minutes of March.").await.assert_status(303);
    answer(&t, &ben, &page, q(1), "2", "").await.assert_status(303);
    answer(&t, &ben, &page, q(2), "dont_know", "").await.assert_status(303);
    // Bad input: a level out of range, and a link that is not one, each beside its question, nothing saved.
    let bad = answer(&t, &anna, &page, q(3), "7", "Typed with care").await;
    bad.assert_status(422).assert_contains("Choose a level from 1 to 5").assert_contains("Typed with care");
    let bad_link = t
        .post_with(
            &anna.client,
            &format!("{page}/answers"),
            &[("question", &q(3)), ("level", "3"), ("link", "not a link")],
        )
        .await;
    bad_link.assert_status(422);
    let dim = t.get_with(&ben.client, &format!("{page}/dimensions/{}", vision["key"].as_str().unwrap())).await;
    dim.assert_status(200)
        .assert_contains("Answered by Anna Assessor")
        .assert_contains("Answered by Ben Colleague")
        .assert_contains("The board&#39;s minutes of March.");
    // Two of four answered with a level: the dimension has a score of 3.0 (4 and 2; "don't know" not counted).
    let token = new_token(&t, &anna.client, "benchmark").await;
    let got = call(&t, Method::GET, &format!("/api/v1/benchmark/assessments/{id}"), Some(&token), None).await;
    assert_eq!(got.status, 200, "{:?}", got.json);
    assert_eq!(got.json["status"], "draft");
    assert_eq!(got.json["dimensions"][0]["score"], 3.0);
    assert_eq!(got.json["dimensions"][1]["score"], Value::Null);
    assert_eq!(got.json["overall"], 3.0);

    // Measures: a number out of range is refused beside its field, nothing lost.
    let m = t
        .post_with(
            &anna.client,
            &format!("{page}/measures"),
            &[("value_desk_ratio", "0.7"), ("value_retention", "140")],
        )
        .await;
    m.assert_status(422).assert_contains("Retention: give a number from 0 to 100").assert_contains("value=\"0.7\"");
    t.post_with(&anna.client, &format!("{page}/measures"), &[("value_desk_ratio", "0.7")]).await.assert_status(303);

    // Outsiders: another organisation's member, the organiser, and a former employee find nothing.
    let other_org = organisation(&t, "Meridian Insurance", "Financial services", 6800).await;
    let olga = t.member("olga@meridian.example.com", "Olga Other").await;
    works_for(&t, &olga, &other_org).await;
    let organiser = t.organiser().await;
    for who in [&olga.client, &organiser.client] {
        t.get_with(who, &page).await.assert_status(404);
        t.get_with(who, &format!("{page}/report")).await.assert_status(404);
        t.get_with(who, &format!("{page}/dimensions/vision")).await.assert_status(404);
    }
    let olga_token = new_token(&t, &olga.client, "benchmark").await;
    let refused = call(&t, Method::GET, &format!("/api/v1/benchmark/assessments/{id}"), Some(&olga_token), None).await;
    assert_eq!(refused.status, 404);
    let theirs = call(&t, Method::GET, "/api/v1/benchmark/assessments", Some(&olga_token), None).await;
    assert_eq!(theirs.json.as_array().unwrap().len(), 0);

    // Anna submits; answers are then frozen (409), and the history keeps it.
    t.get_with(&anna.client, &format!("{page}/submit")).await.assert_status(200).assert_lacks("replaces it");
    let done = t.post_with(&anna.client, &format!("{page}/submit"), &[]).await;
    done.assert_status(303);
    assert_eq!(done.location(), Some(format!("{page}/report").as_str()));
    answer(&t, &ben, &page, q(3), "3", "").await.assert_status(409);
    let report = t.get_with(&ben.client, &format!("{page}/report")).await;
    report.assert_status(200).assert_contains("Overall score: <strong>3.0</strong>").assert_contains("<svg");
    // Fewer than five others: no peer figure, and the page says why.
    report.assert_contains("Fewer than 5 other organisations");

    // A second submission in the quarter replaces the first, after a warning; both stay in the history.
    let second = t.post_with(&ben.client, "/benchmark/assessments", &[("copy", "yes")]).await;
    let second_page = second.location().unwrap().to_string();
    assert_ne!(second_page, page);
    let copied = t.get_with(&ben.client, &format!("{second_page}/dimensions/vision")).await;
    copied.assert_contains("The board&#39;s minutes of March.");
    t.get_with(&ben.client, &format!("{second_page}/submit")).await.assert_contains("replaces it");
    // Sent without the warning's answer (as after a colleague's submission in between), it is shown again.
    t.post_with(&ben.client, &format!("{second_page}/submit"), &[("replaces", "")])
        .await
        .assert_status(409)
        .assert_contains("Meanwhile a colleague submitted");
    let confirm = t.get_with(&ben.client, &format!("{second_page}/submit")).await;
    let replaces = confirm.attr("input[name=replaces]", "value").unwrap();
    assert_eq!(replaces, id);
    t.post_with(&ben.client, &format!("{second_page}/submit"), &[("replaces", &replaces)]).await.assert_status(303);
    let list = call(&t, Method::GET, "/api/v1/benchmark/assessments", Some(&token), None).await;
    let statuses: Vec<&str> = list.json.as_array().unwrap().iter().map(|a| a["status"].as_str().unwrap()).collect();
    assert_eq!(statuses.len(), 2);
    assert!(statuses.contains(&"submitted") && statuses.contains(&"replaced"), "{statuses:?}");
    // Targets for the next assessment, checked.
    t.post_with(&ben.client, &format!("{second_page}/targets"), &[("target_vision", "9")]).await.assert_status(422);
    t.post_with(&ben.client, &format!("{second_page}/targets"), &[("target_vision", "3.5")]).await.assert_status(303);

    // Ben moves to another employer: the old organisation's assessments are no longer his.
    works_for(&t, &ben, &other_org).await;
    t.get_with(&ben.client, &page).await.assert_status(404);
    // A lapsed member is refused too.
    swn::execute!(
        &t.app.db,
        "UPDATE users SET membership_ends_at = $1 WHERE id = $2",
        chrono::Utc::now() - chrono::Duration::days(1),
        &anna.id
    )
    .unwrap();
    t.get_with(&anna.client, &page).await.assert_status(403);

    // Anna's part in her data export; erased, her name leaves the answers and the answers stay.
    swn::execute!(&t.app.db, "UPDATE users SET membership_ends_at = NULL WHERE id = $1", &anna.id).unwrap();
    let export = t.get_with(&anna.client, "/account/data").await;
    export.assert_status(200).assert_contains("answers_given").assert_contains("The board's minutes of March.");
    let person = swn::feature::Person { id: anna.id.clone(), email: anna.email.clone(), name: anna.name.clone() };
    swn::feature::erase_person(&t.app, &person).await.unwrap();
    let by_anna =
        swn::fetch_scalar!(&t.app.db, i64, "SELECT COUNT(*) FROM benchmark_answers WHERE answered_by = $1", &anna.id)
            .unwrap();
    assert_eq!(by_anna, 0);
    let kept = swn::fetch_scalar!(
        &t.app.db,
        i64,
        "SELECT COUNT(*) FROM benchmark_answers WHERE evidence = 'The board''s minutes of March.'"
    )
    .unwrap();
    assert!(kept >= 1);
    t.finish().await;
}

/// One answer given on the dimension's page.
async fn answer(t: &TestApp, who: &Person, page: &str, question: String, level: &str, evidence: &str) -> Answer {
    let fields = [("question", question.as_str()), ("level", level), ("evidence", evidence), ("link", "")];
    t.post_with(&who.client, &format!("{page}/answers"), &fields).await
}

async fn peers(t: &TestApp, token: &str, query: &str) -> Value {
    let got = call(t, Method::GET, &format!("/api/v1/benchmark/peers{query}"), Some(token), None).await;
    assert_eq!(got.status, 200, "{query}: {:?}", got.json);
    got.json
}

async fn peers_are_withheld_below_five_widened_for_a_small_group_and_never_an_end(engine: Engine) {
    let t = TestApp::start(engine).await;
    let (_, _, me) = submitted(&t, "Home Org", "Local government", 4000, &[2]).await;
    // Four others: withheld, with no figure at all.
    for (i, level) in [1, 2, 3, 4].iter().enumerate() {
        submitted(&t, &format!("Council {i}"), "Local government", 300 + i as i64, &[*level]).await;
    }
    let got = peers(&t, &me, "").await;
    assert_eq!(got["withheld"], true);
    assert_eq!(got["n"], 0);
    assert!(got["dimensions"].as_array().unwrap().is_empty());
    assert!(got["reason"].as_str().unwrap().contains("Fewer than 5"));
    // A fifth (in another sector): figures, and never the lowest or highest score itself.
    submitted(&t, "Bank", "Financial services", 9000, &[5]).await;
    let got = peers(&t, &me, "").await;
    assert_eq!(got["withheld"], false);
    assert_eq!(got["n"], 5);
    let d = &got["dimensions"][0];
    // From five: the quartiles and median, and no 10th or 90th percentile (they would give the ends away).
    assert_eq!((d["p25"].as_f64(), d["median"].as_f64(), d["p75"].as_f64()), (Some(2.0), Some(3.0), Some(4.0)), "{d}");
    assert_eq!((&d["p10"], &d["p90"]), (&Value::Null, &Value::Null));
    // Only one high performer (the bank): its median is not shown.
    assert_eq!(d["high_performers_median"], Value::Null);
    // Financial services has one: widened to all, and said so.
    let got = peers(&t, &me, "?sector=Financial%20services").await;
    assert_eq!(got["widened"], true);
    assert_eq!(got["n"], 5);
    assert!(got["reason"].as_str().unwrap().contains("organisations in Financial services"));
    // Two axes at once, or a value no organisation can have, are refused.
    let two = call(&t, Method::GET, "/api/v1/benchmark/peers?sector=Other&region=Wales", Some(&me), None).await;
    assert_eq!(two.status, 422, "{:?}", two.json);
    let odd = call(&t, Method::GET, "/api/v1/benchmark/peers?size_band=huge", Some(&me), None).await;
    assert_eq!(odd.status, 422);
    let filters = call(&t, Method::GET, "/api/v1/benchmark/filters", Some(&me), None).await;
    assert!(filters.json["size_band"].as_array().unwrap().iter().any(|b| b == "250 to 999 employees"));
    // The organisers' figures count every organisation (six), and their CSV holds the same.
    let organiser = t.organiser().await;
    let page = t.get_with(&organiser.client, "/admin/benchmark").await;
    page.assert_status(200).assert_contains("Organisations: all organisations, 6 of them");
    let csv = t.get_with(&organiser.client, "/admin/benchmark/figures.csv").await;
    csv.assert_status(200).assert_contains("Vision, strategy and business case");
    let small = t.get_with(&organiser.client, "/admin/benchmark/figures.csv?sector=Financial%20services").await;
    small.assert_contains("all organisations");
    // An organisation's own answers never reach the organisers' page.
    page.assert_lacks("Home Org").assert_lacks("Bank");
    t.finish().await;
}

async fn versions_are_kept_apart_and_advice_follows_tags_and_opt_ins(engine: Engine) {
    let t = TestApp::start(engine).await;
    let (_, anna, token) = submitted(&t, "Home Org", "Local government", 4000, &[1, 2]).await;
    let mut willing = Vec::new();
    for i in 0..5 {
        let (_, lead, _) = submitted(&t, &format!("Peer {i}"), "Health and care", 2000, &[3 + (i % 3), 4]).await;
        willing.push(lead);
    }
    // One high scorer says it is willing to talk about the first dimension; another did not opt in.
    t.post_with(&willing[2].client, "/benchmark/willing", &[("dimension", "vision")]).await.assert_status(303);
    // The organiser tags a meeting coming up with that dimension.
    let organiser = t.organiser().await;
    let local = |days: i64, hour: u32| {
        let day =
            (chrono::Utc::now() + chrono::Duration::days(days)).with_timezone(&chrono_tz::Europe::London).date_naive();
        format!("{day}T{hour:02}:00")
    };
    let (starts, ends) = (local(20, 10), local(20, 12));
    let created = t
        .post_with(
            &organiser.client,
            "/admin/meetings/new",
            &[
                ("title", "Making the case for Smart Working"),
                ("format", "case_study"),
                ("summary", "Business cases that worked."),
                ("agenda", "1. Welcome"),
                ("audience", "members"),
                ("mode", "virtual"),
                ("joining_link", "https://meet.example.org/case"),
                ("chair", "Dev Chaudhry"),
                ("starts_at", &starts),
                ("ends_at", &ends),
                ("capacity", "40"),
                ("status", "published"),
            ],
        )
        .await;
    created.assert_status(303);
    let slug = created.location().unwrap().trim_start_matches("/meetings/").to_string();
    t.post_with(
        &organiser.client,
        "/admin/benchmark/tags",
        &[("dimension", "vision"), ("item", &format!("meeting:{slug}"))],
    )
    .await
    .assert_status(303);
    // And an article of the library, which then says what it helps with.
    crate::library::article(
        &t,
        &organiser.client,
        "Writing the business case",
        "business-case",
        "members",
        &[("group", "")],
    )
    .await;
    let article_id =
        swn::fetch_scalar!(&t.app.db, String, "SELECT id FROM articles WHERE slug = 'business-case'").unwrap();
    t.post_with(
        &organiser.client,
        "/admin/benchmark/tags",
        &[("dimension", "vision"), ("item", &format!("article:{article_id}"))],
    )
    .await
    .assert_status(303);
    t.get_with(&anna.client, "/articles/business-case").await.assert_status(200).assert_contains(
        "this helps with <a href=\"/benchmark/framework#vision\">Vision, strategy and business case</a>",
    );
    let assessments = call(&t, Method::GET, "/api/v1/benchmark/assessments", Some(&token), None).await;
    let id = assessments.json[0]["id"].as_str().unwrap().to_string();
    let report = t.get_with(&anna.client, &format!("/benchmark/assessments/{id}/report")).await;
    report.assert_status(200);
    report
        .assert_contains("Making the case for Smart Working")
        .assert_contains("Article: <a href=\"/articles/business-case\">Writing the business case</a>");
    report.assert_contains(&willing[2].name).assert_lacks(&willing[0].name);
    // An opt-in is for the employer it was given at: moving elsewhere takes the name off.
    let elsewhere = organisation(&t, "Elsewhere", "Other", 300).await;
    works_for(&t, &willing[2], &elsewhere).await;
    t.get_with(&anna.client, &format!("/benchmark/assessments/{id}/report")).await.assert_lacks(&willing[2].name);
    let back = swn::fetch_scalar!(
        &t.app.db,
        String,
        "SELECT organisation_id FROM benchmark_willing WHERE user_id = $1",
        &willing[2].id
    )
    .unwrap();
    works_for(&t, &willing[2], &back).await;
    // The report's charts parse: a radar polygon per series with a point per dimension.
    let html = report.html();
    let polygon = scraper::Selector::parse("svg.radar g.series polygon").unwrap();
    let shapes: Vec<_> = html.select(&polygon).collect();
    // You and the peer median (the high performers' median needs five of them, so a pool of twenty or so).
    assert_eq!(shapes.len(), 2);
    for p in shapes {
        let points = p.value().attr("points").unwrap().split_whitespace().count();
        assert_eq!(points, 8);
    }
    let table_cells = scraper::Selector::parse("table td").unwrap();
    assert!(html.select(&table_cells).count() > 40);

    // Organisers edit a second version: reword a question, add one, and publish; bad input is kept and
    // explained, and a dimension cannot drop below four questions.
    t.post_with(&organiser.client, "/admin/benchmark/framework", &[]).await.assert_status(303);
    let draft_question = swn::fetch_scalar!(
        &t.app.db,
        String,
        "SELECT q.id FROM benchmark_questions q JOIN benchmark_dimensions d ON d.id = q.dimension_id
         JOIN benchmark_frameworks f ON f.id = d.framework_id WHERE f.status = 'draft' AND d.key = 'vision'
         AND q.position = 0"
    )
    .unwrap();
    let draft_dimension = swn::fetch_scalar!(
        &t.app.db,
        String,
        "SELECT d.id FROM benchmark_dimensions d JOIN benchmark_frameworks f ON f.id = d.framework_id
         WHERE f.status = 'draft' AND d.key = 'vision'"
    )
    .unwrap();
    let levels =
        [("level1", "Ad hoc"), ("level2", "Some"), ("level3", "Policy"), ("level4", "Joined up"), ("level5", "Normal")];
    let mut reworded = vec![("action", "save"), ("text", "Is there a written case for Smart Working, reworded?")];
    reworded.extend(levels);
    let mut missing = reworded.clone();
    missing.retain(|(k, _)| *k != "level3");
    let refused = t
        .post_with(&organiser.client, &format!("/admin/benchmark/framework/questions/{draft_question}"), &missing)
        .await;
    refused.assert_status(422).assert_contains("Level 3 (Established) is required.").assert_contains("reworded?");
    t.post_with(&organiser.client, &format!("/admin/benchmark/framework/questions/{draft_question}"), &reworded)
        .await
        .assert_status(303);
    let mut added = vec![("action", "add"), ("text", "Does the board review the case each year?")];
    added.extend(levels);
    t.post_with(&organiser.client, &format!("/admin/benchmark/framework/dimensions/{draft_dimension}"), &added)
        .await
        .assert_status(303);
    // Version 1 is untouched until the draft is published.
    assert_eq!(framework(&t).await["version"], 1);
    t.post_with(&organiser.client, "/admin/benchmark/framework/publish", &[]).await.assert_status(303);
    assert_eq!(framework(&t).await["version"], 2);
    let v1_peers = peers(&t, &token, "").await;
    assert_eq!(v1_peers["framework_version"], 2);
    assert_eq!(v1_peers["withheld"], true, "version 1's assessments are not version 2's peers");
    let f2 = framework(&t).await;
    assert_eq!(f2["dimensions"][0]["questions"][0]["text"], "Is there a written case for Smart Working, reworded?");
    assert_eq!(f2["dimensions"][0]["questions"].as_array().unwrap().len(), 5);
    // Starting from the last answers on the new version keeps the answers of the questions it kept.
    let copied = t.post_with(&anna.client, "/benchmark/assessments", &[("copy", "yes")]).await;
    let copied_id = copied.location().unwrap().trim_start_matches("/benchmark/assessments/").to_string();
    let draft = call(&t, Method::GET, &format!("/api/v1/benchmark/assessments/{copied_id}"), Some(&token), None).await;
    assert_eq!(draft.json["framework_version"], 2);
    assert_eq!(draft.json["answers"].as_array().unwrap().len(), 32, "every question but the new one");
    let made = call(&t, Method::POST, "/api/v1/benchmark/assessments", Some(&token), Some(answers(&f2, &[3]))).await;
    assert_eq!(made.status, 200, "the open draft, with the answers saved: {:?}", made.json);
    assert_eq!(made.json["id"], copied_id.as_str());
    assert_eq!(made.json["answers"].as_array().unwrap().len(), 33);
    // A version 1 answer is refused on a version 2 draft, beside its field.
    let f1_question = &assessments.json[0]["answers"][0]["question"];
    let wrong = call(
        &t,
        Method::POST,
        &format!("/api/v1/benchmark/assessments/{}/answers", made.json["id"].as_str().unwrap()),
        Some(&token),
        Some(json!({"answers": [{"question": f1_question, "level": 3}]})),
    )
    .await;
    assert_eq!(wrong.status, 422, "{:?}", wrong.json);
    assert!(wrong.json.to_string().contains("answers[0].question"));
    // The old report says its version differs.
    let old = t.get_with(&anna.client, &format!("/benchmark/assessments/{id}/report")).await;
    old.assert_contains("The current framework is version 2");
    t.finish().await;
}
