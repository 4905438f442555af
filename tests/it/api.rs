//! The JSON API: personal tokens, what each caller reaches, writes through the API, problem details, and the
//! OpenAPI document against the router.

use chrono::Duration;
use serde_json::Value;

use crate::meetings::meeting;
use crate::on_both_engines;
use crate::support::{Engine, PASSWORD, TestApp, browser};

on_both_engines!(
    tokens_are_shown_once_kept_as_hashes_and_revoked,
    each_caller_reaches_what_the_policy_allows,
    members_register_cancel_ask_and_reply_through_the_api,
    bad_requests_get_problem_details,
    the_api_keeps_the_sites_finer_rules,
    the_document_says_what_the_api_refuses,
);

/// What the API answered: status, content type and JSON body.
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: String,
    pub json: Value,
    pub headers: reqwest::header::HeaderMap,
}

pub(crate) async fn call(
    t: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let mut request = reqwest::Client::new().request(method, t.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("API request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let text = response.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, content_type, json, headers }
}

async fn get(t: &TestApp, path: &str, token: Option<&str>) -> Reply {
    call(t, reqwest::Method::GET, path, token, None).await
}

/// Creates a token through the settings page, as its holder would (members made by `meetings::member` have
/// this password); gives the token shown.
pub(crate) async fn new_token(t: &TestApp, client: &reqwest::Client, name: &str) -> String {
    let page = t.post_with(client, "/account/api-tokens", &[("name", name), ("password", PASSWORD)]).await;
    page.assert_status(200).assert_contains(name);
    let start = page.body.find("swn_").expect("the new token is shown");
    page.body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect()
}

pub(crate) fn is_problem(r: &Reply, status: u16) {
    assert_eq!(r.status, status, "{:?}", r.json);
    assert!(r.content_type.starts_with("application/problem+json"), "{}", r.content_type);
    assert_eq!(r.json["status"], status);
    assert!(r.json["title"].is_string() && r.json["detail"].as_str().is_some_and(|d| !d.is_empty()), "{:?}", r.json);
}

async fn tokens_are_shown_once_kept_as_hashes_and_revoked(engine: Engine) {
    let t = TestApp::start(engine).await;
    let ann = t.member("ann@council.example.gov.uk", "Ann Member").await;
    let token = new_token(&t, &ann, "my calendar script").await;
    assert!(token.len() > 40, "{token}");
    // Shown once: the list names it but never shows it again.
    t.get_with(&ann, "/account/api-tokens")
        .await
        .assert_status(200)
        .assert_contains("my calendar script")
        .assert_lacks(&token);
    // Only a hash is stored.
    let stored: Vec<String> = sqlx_hashes(&t).await;
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&token) && stored[0].len() == 64, "{stored:?}");

    // The personal data export names the token (never the token itself).
    t.get_with(&ann, "/account/data")
        .await
        .assert_status(200)
        .assert_contains("my calendar script")
        .assert_lacks(&token);

    let me = get(&t, "/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json["email"], "ann@council.example.gov.uk");
    assert_eq!(me.json["active"], true);
    assert_eq!(me.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));

    // The browser's session cookie opens nothing in the API: another site's script cannot borrow it.
    let with_cookie = ann.get(t.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(with_cookie.status().as_u16(), 401);
    // A wrong token is refused, and said to be so.
    let wrong = get(&t, "/api/v1/me", Some("swn_not-a-real-token")).await;
    is_problem(&wrong, 401);
    assert_eq!(wrong.headers.get("www-authenticate").and_then(|v| v.to_str().ok()), Some("Bearer"));

    // Someone else cannot revoke it; its holder can, and then it stops working at once.
    let bob = t.member("bob@insurer.example.com", "Bob Member").await;
    let page = t.get_with(&ann, "/account/api-tokens").await;
    let action = page.attr("form[action$='/revoke']", "action").expect("a revoke button");
    t.post_with(&bob, &action, &[]).await.assert_status(404);
    assert_eq!(get(&t, "/api/v1/me", Some(&token)).await.status, 200);
    t.post_with(&ann, &action, &[]).await.assert_status(303);
    is_problem(&get(&t, "/api/v1/me", Some(&token)).await, 401);

    // Making a token needs the current password: a session alone (perhaps borrowed) is not enough.
    let refused =
        t.post_with(&ann, "/account/api-tokens", &[("name", "sneaky"), ("password", "guessed-wrong-1")]).await;
    refused.assert_status(422).assert_contains("not your current password").assert_lacks("swn_");
    assert_eq!(sqlx_hashes(&t).await.len(), 1, "no token was made (the one row is the revoked one)");
    // A password reset (account recovery) revokes every token made before it.
    let kept = new_token(&t, &ann, "before the reset").await;
    assert_eq!(get(&t, "/api/v1/me", Some(&kept)).await.status, 200);
    t.post_with(&browser(), "/password/forgot", &[("email", "ann@council.example.gov.uk")]).await.assert_status(200);
    let mail = t.wait_for_mail_containing("ann@council.example.gov.uk", "/password/reset/").await;
    let link = crate::support::find_link(&mail, &format!("{}/password/reset/", t.base)).expect("a reset link");
    let path = link.strip_prefix(&t.base).unwrap().to_string();
    t.post_with(&browser(), &path, &[("password", "a-new-password-2"), ("confirm", "a-new-password-2")])
        .await
        .assert_status(303);
    is_problem(&get(&t, "/api/v1/me", Some(&kept)).await, 401);

    // Applicants and visitors cannot make tokens; a suspended member's token stops working.
    let applicant = t.applicant("app@council.example.gov.uk", "Applicant").await;
    t.get_with(&applicant, "/account/api-tokens").await.assert_status(200).assert_lacks("Create token");
    t.post_with(&applicant, "/account/api-tokens", &[("name", "x"), ("password", PASSWORD)]).await.assert_status(403);
    t.post_with(&browser(), "/account/api-tokens", &[("name", "x")]).await.assert_status(303);
    let second = new_token(&t, &bob, "phone").await;
    assert_eq!(get(&t, "/api/v1/me", Some(&second)).await.status, 200);
    swn::execute!(&t.app.db, "UPDATE users SET suspended = TRUE WHERE email = 'bob@insurer.example.com'").unwrap();
    is_problem(&get(&t, "/api/v1/me", Some(&second)).await, 401);
    t.finish().await;
}

async fn sqlx_hashes(t: &TestApp) -> Vec<String> {
    swn::fetch_all!(&t.app.db, (String,), "SELECT token_hash FROM api_tokens")
        .unwrap()
        .into_iter()
        .map(|(h,)| h)
        .collect()
}

async fn each_caller_reaches_what_the_policy_allows(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let open = meeting(&t, &org, "Open anchor days session", "open", "30", Duration::days(10), &[]).await;
    let closed = meeting(
        &t,
        &org,
        "Closed clinic",
        "members",
        "30",
        Duration::days(11),
        &[("summary", "Members talk about zebracrossing.")],
    )
    .await;
    let ann = t.member("ann@council.example.gov.uk", "Ann Member").await;
    let token = new_token(&t, &ann, "script").await;

    // A visitor: open meetings only; a closed one asks for a token; the forum and profile need one.
    let listed = get(&t, "/api/v1/meetings", None).await;
    assert_eq!(listed.status, 200);
    let slugs: Vec<&str> = listed.json.as_array().unwrap().iter().filter_map(|m| m["slug"].as_str()).collect();
    assert!(slugs.contains(&open.as_str()) && !slugs.contains(&closed.as_str()), "{slugs:?}");
    assert!(!listed.json.to_string().contains("zebracrossing"));
    is_problem(&get(&t, &format!("/api/v1/meetings/{closed}"), None).await, 401);
    is_problem(&get(&t, "/api/v1/forum/categories", None).await, 401);
    let found = get(&t, "/api/v1/search?q=zebracrossing", None).await;
    assert_eq!(found.status, 200);
    assert!(
        found.json.as_array().unwrap().is_empty(),
        "a visitor finds a closed meeting by its title only: {:?}",
        found.json
    );
    let teaser = get(&t, "/api/v1/search?q=closed+clinic", None).await;
    assert!(teaser.json.as_array().unwrap().iter().any(|h| h["title"] == "Closed clinic"), "{:?}", teaser.json);
    assert!(!teaser.json.to_string().contains("zebracrossing"));
    let members_find = get(&t, "/api/v1/search?q=zebracrossing", Some(&token)).await;
    assert!(members_find.json.as_array().unwrap().iter().any(|h| h["kind"] == "Meeting"), "{:?}", members_find.json);

    // A member's token: both meetings, the closed one in full, but never the joining link before it is due.
    let listed = get(&t, "/api/v1/meetings", Some(&token)).await;
    let slugs: Vec<&str> = listed.json.as_array().unwrap().iter().filter_map(|m| m["slug"].as_str()).collect();
    assert!(slugs.contains(&open.as_str()) && slugs.contains(&closed.as_str()), "{slugs:?}");
    let detail = get(&t, &format!("/api/v1/meetings/{closed}"), Some(&token)).await;
    assert_eq!(detail.status, 200);
    assert_eq!(detail.json["joining_link"], Value::Null);
    assert!(!detail.json.to_string().contains("secret-room-42"));
    assert_eq!(get(&t, "/api/v1/meetings/no-such-meeting", Some(&token)).await.status, 404);

    // A lapsed member's token keeps their own profile but not the members' area.
    swn::execute!(
        &t.app.db,
        "UPDATE users SET membership_ends_at = $1 WHERE email = 'ann@council.example.gov.uk'",
        chrono::Utc::now() - Duration::days(1)
    )
    .unwrap();
    let me = get(&t, "/api/v1/me", Some(&token)).await;
    assert_eq!((me.status, me.json["active"].clone()), (200, Value::Bool(false)));
    is_problem(&get(&t, "/api/v1/forum/categories", Some(&token)).await, 403);
    is_problem(&get(&t, &format!("/api/v1/meetings/{closed}"), Some(&token)).await, 403);
    is_problem(
        &call(&t, reqwest::Method::POST, &format!("/api/v1/meetings/{closed}/registration"), Some(&token), None).await,
        403,
    );

    // News: the public feed of the site.
    let news = get(&t, "/api/v1/news", None).await;
    assert_eq!(news.status, 200);
    assert!(news.json.is_array());
    t.finish().await;
}

async fn members_register_cancel_ask_and_reply_through_the_api(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    let one_place = meeting(&t, &org, "Small round table", "members", "1", Duration::days(5), &[]).await;
    let ann = t.member("ann@council.example.gov.uk", "Ann Member").await;
    let bob = t.member("bob@insurer.example.com", "Bob Member").await;
    let ann_token = new_token(&t, &ann, "ann script").await;
    let bob_token = new_token(&t, &bob, "bob script").await;
    let path = format!("/api/v1/meetings/{one_place}/registration");

    let first = call(&t, reqwest::Method::POST, &path, Some(&ann_token), None).await;
    assert_eq!((first.status, first.json["status"].as_str()), (201, Some("confirmed")), "{:?}", first.json);
    is_problem(&call(&t, reqwest::Method::POST, &path, Some(&ann_token), None).await, 409);
    let second = call(&t, reqwest::Method::POST, &path, Some(&bob_token), None).await;
    assert_eq!((second.status, second.json["status"].as_str()), (201, Some("waitlisted")));
    let mine = get(&t, "/api/v1/me/registrations", Some(&ann_token)).await;
    assert_eq!(mine.json[0]["meeting"], one_place.as_str());
    // Ann cancels: Bob is promoted, as on the site.
    assert_eq!(call(&t, reqwest::Method::DELETE, &path, Some(&ann_token), None).await.status, 204);
    assert_eq!(call(&t, reqwest::Method::DELETE, &path, Some(&ann_token), None).await.status, 404);
    let bobs = get(&t, "/api/v1/me/registrations", Some(&bob_token)).await;
    assert_eq!(bobs.json[0]["status"], "confirmed", "{:?}", bobs.json);
    assert!(get(&t, "/api/v1/me/registrations", Some(&ann_token)).await.json.as_array().unwrap().is_empty());

    // The forum: ask, read, reply; the site shows the same topic.
    let categories = get(&t, "/api/v1/forum/categories", Some(&ann_token)).await;
    let slug = categories.json[0]["slug"].as_str().unwrap().to_string();
    let asked = call(
        &t,
        reqwest::Method::POST,
        &format!("/api/v1/forum/categories/{slug}/topics"),
        Some(&ann_token),
        Some(serde_json::json!({"title": "Desk ratios after a year?", "body": "What ratio did you **settle** on?"})),
    )
    .await;
    assert_eq!(asked.status, 201, "{:?}", asked.json);
    let id = asked.json["id"].as_str().unwrap().to_string();
    assert_eq!(asked.json["kind"], "question");
    let listed = get(&t, &format!("/api/v1/forum/categories/{slug}/topics"), Some(&bob_token)).await;
    assert!(listed.json.as_array().unwrap().iter().any(|x| x["id"] == id.as_str()));
    let replied = call(
        &t,
        reqwest::Method::POST,
        &format!("/api/v1/forum/topics/{id}/replies"),
        Some(&bob_token),
        Some(serde_json::json!({"body": "Six desks to ten people, <script>alert(1)</script>"})),
    )
    .await;
    assert_eq!(replied.status, 201, "{:?}", replied.json);
    let topic = get(&t, &format!("/api/v1/forum/topics/{id}"), Some(&ann_token)).await;
    let posts = topic.json["posts"].as_array().unwrap();
    assert_eq!(posts.len(), 2);
    assert!(posts[0]["body_html"].as_str().unwrap().contains("<strong>settle</strong>"));
    assert!(!posts[1]["body_html"].as_str().unwrap().contains("<script>"), "bodies are sanitised like the site's");
    t.get_with(&ann, &format!("/forum/t/{id}")).await.assert_status(200).assert_contains("Six desks to ten people");
    // Ann likes Bob's reply: the topic says so to her, and not to Bob.
    let reply_id = posts[1]["id"].as_str().unwrap().to_string();
    assert_eq!(posts[1]["liked"], false);
    t.post_with(&ann, &format!("/forum/p/{reply_id}/like"), &[("liked", "yes")]).await.assert_status(303);
    let liked = |json: &serde_json::Value| (json["posts"][0]["liked"].clone(), json["posts"][1]["liked"].clone());
    let for_ann = get(&t, &format!("/api/v1/forum/topics/{id}"), Some(&ann_token)).await;
    assert_eq!(liked(&for_ann.json), (false.into(), true.into()), "{:?}", for_ann.json);
    assert_eq!(for_ann.json["posts"][1]["likes"], 1);
    let for_bob = get(&t, &format!("/api/v1/forum/topics/{id}"), Some(&bob_token)).await;
    assert_eq!(liked(&for_bob.json), (false.into(), false.into()), "{:?}", for_bob.json);
    // Search with a token finds the forum post.
    let found = get(&t, "/api/v1/search?q=desk+ratios", Some(&ann_token)).await;
    assert!(found.json.as_array().unwrap().iter().any(|h| h["kind"] == "Forum"), "{:?}", found.json);
    t.finish().await;
}

async fn bad_requests_get_problem_details(engine: Engine) {
    let t = TestApp::start(engine).await;
    let ann = t.member("ann@council.example.gov.uk", "Ann Member").await;
    let token = new_token(&t, &ann, "script").await;
    let categories = get(&t, "/api/v1/forum/categories", Some(&token)).await;
    let slug = categories.json[0]["slug"].as_str().unwrap().to_string();
    let topics = format!("/api/v1/forum/categories/{slug}/topics");

    // Fields at fault: 422 naming them.
    let invalid = call(
        &t,
        reqwest::Method::POST,
        &topics,
        Some(&token),
        Some(serde_json::json!({"title": " ", "body": "x", "kind": "rant"})),
    )
    .await;
    is_problem(&invalid, 422);
    let fields: Vec<&str> =
        invalid.json["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["title", "kind"], "in the order the form asks for them");
    // NUL cannot be stored: a clear 422, not a database error.
    let nul = call(
        &t,
        reqwest::Method::POST,
        &topics,
        Some(&token),
        Some(serde_json::json!({"title": "a\u{0}b", "body": "x"})),
    )
    .await;
    is_problem(&nul, 422);
    // A body that is not JSON, a missing field, a bad query, a wrong method, an unknown address.
    let not_json =
        reqwest::Client::new().post(t.url(&topics)).bearer_auth(&token).body("title=x").send().await.unwrap();
    assert_eq!(not_json.status().as_u16(), 415);
    assert!(not_json.headers()["content-type"].to_str().unwrap().starts_with("application/problem+json"));
    is_problem(
        &call(&t, reqwest::Method::POST, &topics, Some(&token), Some(serde_json::json!({"title": "x"}))).await,
        422,
    );
    is_problem(&get(&t, "/api/v1/meetings?limit=0", None).await, 400);
    is_problem(&get(&t, "/api/v1/meetings?when=tomorrow", None).await, 400);
    is_problem(&get(&t, "/api/v1/search", None).await, 400);
    is_problem(&get(&t, "/api/v1/meetings/a%00b", None).await, 400);
    is_problem(&call(&t, reqwest::Method::PATCH, "/api/v1/me", Some(&token), None).await, 405);
    is_problem(&get(&t, "/api/v2/anything", None).await, 404);
    is_problem(&get(&t, "/api/v1/forum/topics/no-such-topic", Some(&token)).await, 404);

    // The document: OpenAPI 3.1, one path for every API route of the router.
    let doc = get(&t, "/api/openapi.json", None).await;
    assert_eq!(doc.status, 200);
    assert_eq!(doc.json["openapi"], "3.1.0");
    let documented: std::collections::BTreeSet<String> =
        doc.json["paths"].as_object().unwrap().keys().cloned().collect();
    // Each feature routes its own API (`forum/api.rs`, ...): read every source file.
    let source =
        crate::matrix::source_files().into_iter().map(|f| std::fs::read_to_string(f).unwrap()).collect::<String>();
    let routed: std::collections::BTreeSet<String> = source
        .split(".route(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|p| p.starts_with("/api/v1/"))
        .map(str::to_string)
        .collect();
    assert_eq!(documented, routed);
    t.finish().await;
}

/// Joining links only to confirmed attendees near the start; anonymous askers stay anonymous; a write from
/// someone refused is answered before its body is read.
async fn the_api_keeps_the_sites_finer_rules(engine: Engine) {
    let t = TestApp::start(engine).await;
    let org = t.organiser().await;
    // One place, starting within the default release window (24 hours).
    let soon = meeting(&t, &org, "Soon round table", "members", "1", Duration::hours(2), &[]).await;
    let ann = t.member("ann@council.example.gov.uk", "Ann Member").await;
    let bob = t.member("bob@insurer.example.com", "Bob Member").await;
    let ann_token = new_token(&t, &ann, "ann script").await;
    let bob_token = new_token(&t, &bob, "bob script").await;
    let path = format!("/api/v1/meetings/{soon}");
    assert_eq!(get(&t, &path, Some(&ann_token)).await.json["joining_link"], Value::Null, "not before registering");
    assert_eq!(
        call(&t, reqwest::Method::POST, &format!("{path}/registration"), Some(&ann_token), None).await.status,
        201
    );
    assert_eq!(
        call(&t, reqwest::Method::POST, &format!("{path}/registration"), Some(&bob_token), None).await.status,
        201
    );
    assert_eq!(get(&t, &path, Some(&ann_token)).await.json["joining_link"], "https://meet.example.org/secret-room-42");
    let waitlisted = get(&t, &path, Some(&bob_token)).await;
    assert_eq!(waitlisted.json["registration"]["status"], "waitlisted");
    assert_eq!(waitlisted.json["joining_link"], Value::Null, "the waitlist gets no link");
    assert!(!get(&t, "/api/v1/meetings", Some(&ann_token)).await.json.to_string().contains("secret-room"));

    // An anonymous question: members see the label, never the name; a moderator sees both.
    let categories = get(&t, "/api/v1/forum/categories", Some(&ann_token)).await;
    let slug = categories.json[0]["slug"].as_str().unwrap().to_string();
    let asked = call(
        &t,
        reqwest::Method::POST,
        &format!("/api/v1/forum/categories/{slug}/topics"),
        Some(&ann_token),
        Some(serde_json::json!({"title": "Unions and hybrid", "body": "How did you involve them?", "anonymous": true})),
    )
    .await;
    assert_eq!(asked.status, 201);
    let id = asked.json["id"].as_str().unwrap().to_string();
    for answer in [
        get(&t, &format!("/api/v1/forum/topics/{id}"), Some(&bob_token)).await,
        get(&t, &format!("/api/v1/forum/categories/{slug}/topics"), Some(&bob_token)).await,
    ] {
        assert_eq!(answer.status, 200);
        assert!(!answer.json.to_string().contains("Ann Member"), "{:?}", answer.json);
    }
    let mo = t.moderator("mo@network.example.org", "Mo Derator").await;
    let mo_token = new_token(&t, &mo, "mo script").await;
    assert!(
        get(&t, &format!("/api/v1/forum/topics/{id}"), Some(&mo_token)).await.json.to_string().contains("Ann Member")
    );

    // A visitor announcing a large body is refused at once, without the server waiting for it.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = t.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "POST /api/v1/forum/topics/{id}/replies HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = [0u8; 64];
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut head)).await;
    let text = String::from_utf8_lossy(&head[..read.expect("answered without the body").unwrap()]).to_string();
    assert!(text.starts_with("HTTP/1.1 401"), "{text}");
    t.finish().await;
}

/// What the API refuses, its document refuses too, so a program written against it is never surprised: the
/// search's kinds are a closed list, a topic's page has a maximum, and text may not hold NUL.
async fn the_document_says_what_the_api_refuses(engine: Engine) {
    let t = TestApp::start(engine).await;
    let ann = t.member("ann@council.example.gov.uk", "Ann Member").await;
    let token = new_token(&t, &ann, "script").await;
    let doc = get(&t, "/api/openapi.json", None).await.json;

    // The search's kinds: the document's list is the API's.
    let search = &doc["paths"]["/api/v1/search"]["get"]["parameters"];
    let kind = search.as_array().unwrap().iter().find(|p| p["name"] == "kind").unwrap();
    let listed = kind["schema"].to_string();
    for k in ["forum", "article", "resource", "case_study", "meeting"] {
        assert!(listed.contains(&format!("\"{k}\"")), "{k} is listed: {listed}");
        assert_eq!(get(&t, &format!("/api/v1/search?q=hybrid&kind={k}"), Some(&token)).await.status, 200, "{k}");
    }
    is_problem(&get(&t, "/api/v1/search?q=hybrid&kind=question", Some(&token)).await, 400);

    // A topic's page: at most the documented maximum; past the last page, the last.
    let page = doc["paths"]["/api/v1/forum/topics/{id}"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "page")
        .unwrap()
        .clone();
    let maximum = page["schema"]["maximum"].as_u64().expect("a documented maximum");
    let categories = get(&t, "/api/v1/forum/categories", Some(&token)).await;
    let slug = categories.json[0]["slug"].as_str().unwrap().to_string();
    let body = serde_json::json!({"title": "Core hours", "body": "What are yours?"});
    let created =
        call(&t, reqwest::Method::POST, &format!("/api/v1/forum/categories/{slug}/topics"), Some(&token), Some(body))
            .await;
    assert_eq!(created.status, 201, "{:?}", created.json);
    let topic = format!("/api/v1/forum/topics/{}", created.json["id"].as_str().unwrap());
    assert_eq!(get(&t, &format!("{topic}?page={maximum}"), Some(&token)).await.json["page"], 1);
    is_problem(&get(&t, &format!("{topic}?page={}", maximum + 1), Some(&token)).await, 400);
    is_problem(&get(&t, &format!("{topic}?page=2147483648"), Some(&token)).await, 400);

    // Text: the document's pattern refuses NUL (and blank text), as the API does with a 422.
    let pattern = doc["components"]["schemas"]["NewReply"]["properties"]["body"]["pattern"].as_str().unwrap();
    assert!(pattern.contains("[^\\u0000]"), "{pattern}");
    let nul = serde_json::json!({"body": "a\u{0}b"});
    is_problem(&call(&t, reqwest::Method::POST, &format!("{topic}/replies"), Some(&token), Some(nul)).await, 422);
    t.finish().await;
}

/// utoipa merges every feature's schemas by name, and a second schema of one name silently replaces the
/// first in the document: each name is used once.
#[test]
fn every_schema_name_is_used_once() {
    let mut seen: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    for file in crate::matrix::source_files() {
        let source = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = source.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !(line.trim_start().starts_with("#[derive(") && line.contains("ToSchema")) {
                continue;
            }
            let declared = lines[i + 1..].iter().take(4).find_map(|l| {
                let l = l.trim_start();
                l.strip_prefix("pub struct ")
                    .or_else(|| l.strip_prefix("pub enum "))
                    .or_else(|| l.strip_prefix("struct "))
            });
            if let Some(rest) = declared {
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                seen.entry(name).or_default().push(file.display().to_string());
            }
        }
    }
    let twice: Vec<_> = seen.iter().filter(|(_, files)| files.len() > 1).collect();
    assert!(twice.is_empty(), "schema names declared more than once: {twice:?}");
}
