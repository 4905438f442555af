//! SQLite's inline read path (`db::inline`, issue 22) serves exactly what sqlx's serves: two instances on one
//! demo database, one reading inline and one through sqlx only, give the same pages to the same people.

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inline_reads_serve_the_pages_sqlx_serves() {
    let t = TestApp::start(Engine::Sqlite).await;
    assert!(t.app.db.readers().is_some(), "a SQLite file is read inline");
    swn::demo::load(&t.app).await.unwrap();
    let group: String =
        swn::fetch_scalar!(&t.app.db, String, "SELECT slug FROM network_groups ORDER BY slug LIMIT 1").unwrap();
    let member = t.group_member(&group, "ines@inline.example.org", "Ines Inline").await;
    let topics: Vec<(String,)> =
        swn::fetch_all!(&t.app.db, (String,), "SELECT id FROM forum_topics ORDER BY created_at, id").unwrap();
    let replies: Vec<(String, String)> = swn::fetch_all!(
        &t.app.db,
        (String, String),
        "SELECT id, topic_id FROM forum_posts WHERE opening = FALSE ORDER BY created_at, id LIMIT 2"
    )
    .unwrap();
    assert!(topics.len() > 3 && replies.len() == 2, "the demo has a forum");
    // The posts' and topics' per-reader columns: a like, a bookmark, a watch.
    t.post_with(&member, &format!("/forum/p/{}/like", replies[0].0), &[("liked", "yes")]).await.assert_status(303);
    t.post_with(&member, &format!("/forum/p/{}/bookmark", replies[1].0), &[("kept", "yes")]).await.assert_status(303);
    t.post_with(&member, &format!("/forum/t/{}/watch", topics[0].0), &[]).await.assert_status(303);

    let plain_app = t.app.with_db(t.app.db.without_inline_reads());
    assert!(plain_app.db.readers().is_none());
    let plain = t.instance_of(plain_app).await;

    let mut pages: Vec<String> = ["/", "/about", "/meetings", "/meetings?when=past", "/meetings?format=case-study"]
        .iter()
        .map(|p| p.to_string())
        .collect();
    pages.push(format!("/meetings?group={group}"));
    // A sample of the topics, with those the member liked and kept a post in.
    let mut sample: Vec<&str> = topics.iter().take(8).map(|(id,)| id.as_str()).collect();
    sample.extend(replies.iter().map(|(_, topic)| topic.as_str()));
    sample.dedup();
    pages.extend(sample.iter().map(|id| format!("/forum/t/{id}")));
    let visitor = browser();
    for path in &pages {
        // Reading a topic marks it read: each page is read once first, so both instances see the same state.
        let _ = t.get_with(&member, path).await;
        let (inline, through_sqlx) = (t.get_with(&member, path).await, plain.get_with(&member, path).await);
        assert_eq!(inline.status, through_sqlx.status, "{path}");
        assert_eq!(inline.body, through_sqlx.body, "{path} for a member");
        let (inline, through_sqlx) = (t.get_with(&visitor, path).await, plain.get_with(&visitor, path).await);
        assert_eq!(inline.status, through_sqlx.status, "{path}");
        assert_eq!(inline.body, through_sqlx.body, "{path} for a visitor");
    }
    // The comparison covered the member's own state.
    let liked = t.get_with(&member, &format!("/forum/t/{}", replies[0].1)).await;
    liked.assert_status(200).assert_contains(r#"aria-pressed="true">Liked"#);
    let kept = t.get_with(&member, &format!("/forum/t/{}", replies[1].1)).await;
    kept.assert_status(200).assert_contains(r#"aria-pressed="true">Bookmarked"#);
    plain.finish().await;
    t.finish().await;
}
