//! The migrations of the two engines stay in step, and bad database URLs are clear errors.

use std::collections::BTreeSet;

use swn::db::migrate::MIGRATIONS;
use swn::db::{ConnectError, Db};

fn names(engine: &str) -> BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(engine);
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().trim_end_matches(".sql").to_string())
        .collect()
}

#[test]
fn both_engines_have_the_same_migrations_and_all_are_listed() {
    let sqlite = names("sqlite");
    let postgres = names("postgres");
    assert_eq!(sqlite, postgres, "every migration needs a twin in the other engine's folder");
    let listed: BTreeSet<String> = MIGRATIONS.iter().map(|m| m.name.to_string()).collect();
    assert_eq!(listed, sqlite, "every migration file must be listed in db::migrate::MIGRATIONS");
    let mut sorted: Vec<&str> = MIGRATIONS.iter().map(|m| m.name).collect();
    sorted.sort();
    assert_eq!(sorted, MIGRATIONS.iter().map(|m| m.name).collect::<Vec<_>>(), "listed in order");
}

#[tokio::test]
async fn unknown_schemes_and_unreachable_databases_are_clear_errors() {
    let unknown = Db::connect("mysql://localhost/swn").await.unwrap_err();
    assert!(matches!(unknown, ConnectError::UnknownScheme(_)));
    assert!(unknown.to_string().contains("use sqlite://"));
    let unreachable = Db::connect("postgres://postgres@127.0.0.1:1/swn").await.unwrap_err();
    assert!(matches!(unreachable, ConnectError::Unreachable(_)), "{unreachable}");
    assert!(unreachable.to_string().contains("could not reach the database"));
}

/// The pool's size and PostgreSQL's statement time-out are settings: a statement running past the time-out
/// is cancelled (SQLSTATE 57014), and the pool holds no more connections than it is given.
#[tokio::test]
async fn pool_size_and_statement_timeout_are_settings() {
    let Some(admin) = crate::support::postgres_url() else {
        crate::support::skip("set SWN_TEST_DATABASE_URL to run this test on PostgreSQL");
        return;
    };
    // Straight to PostgreSQL: through PgBouncer the time-out is the database role's (see README).
    let pooling = swn::db::Pooling {
        size: Some(3),
        statement_timeout: Some(std::time::Duration::from_millis(300)),
        pgbouncer: false,
    };
    let db = Db::connect_with(&admin, &pooling).await.unwrap();
    let slow = swn::execute!(&db, "SELECT CAST(pg_sleep(2) AS TEXT)").unwrap_err();
    let code = slow.as_database_error().and_then(|e| e.code()).map(|c| c.to_string());
    assert_eq!(code.as_deref(), Some("57014"), "cancelled by the time-out: {slow}");
    assert_eq!(db.pool_use().max, 3);
    let held: Vec<_> = futures_util::future::join_all((0..3).map(|_| db.begin())).await;
    assert!(held.iter().all(|t| t.is_ok()));
    assert_eq!(db.pool_use().in_use, 3, "{:?}", db.pool_use());
    drop(held);
    db.close().await;
}

/// Upgrading keeps every account and what refers to it: 0013 rebuilds SQLite's `users` table (to let a new
/// role in) with foreign keys off, and they are on again afterwards.
async fn upgrading_to_team_spaces_keeps_every_account(url: &str) {
    let db = Db::connect(url).await.unwrap();
    swn::db::migrate::run_until(&db, Some("0012_regions")).await.unwrap();
    let now = chrono::Utc::now();
    swn::execute!(
        &db,
        "INSERT INTO users (id, email, name, role, suspended, password_hash, created_at, updated_at)
         VALUES ('u1', 'kept@example.org', 'Kept Person', 'member', FALSE, NULL, $1, $1)",
        now
    )
    .unwrap();
    swn::execute!(
        &db,
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) VALUES ('s1', 'u1', $1, $1)",
        now
    )
    .unwrap();
    assert_eq!(swn::db::migrate::run_until(&db, Some("0013_team_spaces")).await.unwrap(), vec!["0013_team_spaces"]);
    let sessions = swn::fetch_scalar!(&db, i64, "SELECT COUNT(*) FROM sessions WHERE user_id = 'u1'").unwrap();
    assert_eq!(sessions, 1, "the account's session survived the rebuild");
    swn::execute!(
        &db,
        "INSERT INTO users (id, email, name, role, suspended, password_hash, created_at, updated_at)
         VALUES ('u2', 'invited@example.org', 'Invited Person', 'participant', FALSE, NULL, $1, $1)",
        now
    )
    .unwrap();
    let orphan = swn::execute!(
        &db,
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) VALUES ('s2', 'nobody', $1, $1)",
        now
    );
    assert!(orphan.is_err(), "foreign keys are enforced again after the migrations");
    swn::execute!(&db, "DELETE FROM users WHERE id = 'u1'").unwrap();
    let sessions = swn::fetch_scalar!(&db, i64, "SELECT COUNT(*) FROM sessions WHERE user_id = 'u1'").unwrap();
    assert_eq!(sessions, 0, "and cascade as before");
}

#[tokio::test]
async fn upgrading_sqlite_keeps_every_account() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("upgrade.db").display());
    upgrading_to_team_spaces_keeps_every_account(&url).await;
}

/// 0020 moves every stored file's bytes into pieces: a file of several pieces, a small one and an empty one
/// read back byte for byte.
async fn upgrading_moves_files_into_pieces(url: &str) {
    let db = Db::connect(url).await.unwrap();
    swn::db::migrate::run_until(&db, Some("0019_outbox_priority")).await.unwrap();
    let now = chrono::Utc::now();
    let big: Vec<u8> = (0..(swn::content::PIECE * 2 + 1000)).map(|i| (i % 253) as u8).collect();
    let files: [(&str, &[u8]); 3] = [("big", &big), ("small", b"%PDF-1.7 small"), ("empty", b"")];
    for (id, bytes) in files {
        swn::execute!(
            &db,
            "INSERT INTO files (id, content_type, bytes, created_at, public) VALUES ($1, 'application/pdf', $2, $3, TRUE)",
            id,
            bytes,
            now
        )
        .unwrap();
    }
    assert_eq!(swn::db::migrate::run_until(&db, Some("0020_file_chunks")).await.unwrap(), vec!["0020_file_chunks"]);
    for (id, bytes) in files {
        let file = swn::content::private_file(&db, id).await.unwrap().unwrap();
        assert_eq!(file.size, bytes.len() as i64);
        let mut read = Vec::new();
        let mut seq = 0;
        while let Some(piece) = swn::content::file_piece(&db, id, seq).await.unwrap() {
            read.extend_from_slice(&piece);
            seq += 1;
        }
        assert_eq!(read, bytes, "{id} came through whole");
    }
    db.close().await;
}

#[tokio::test]
async fn upgrading_sqlite_moves_files_into_pieces() {
    let dir = tempfile::tempdir().unwrap();
    upgrading_moves_files_into_pieces(&format!("sqlite://{}", dir.path().join("upgrade.db").display())).await;
}

#[tokio::test]
async fn upgrading_postgres_moves_files_into_pieces() {
    if crate::support::postgres_url().is_none() {
        crate::support::skip("set SWN_TEST_DATABASE_URL to run this test on PostgreSQL");
        return;
    }
    let (url, name) = crate::support::fresh_postgres_database().await;
    upgrading_moves_files_into_pieces(&url).await;
    crate::support::drop_postgres_database(&name).await;
}

#[tokio::test]
async fn upgrading_postgres_keeps_every_account() {
    if crate::support::postgres_url().is_none() {
        crate::support::skip("SWN_TEST_DATABASE_URL is not set");
        return;
    }
    let (url, name) = crate::support::fresh_postgres_database().await;
    upgrading_to_team_spaces_keeps_every_account(&url).await;
    crate::support::drop_postgres_database(&name).await;
}

/// Through PgBouncer no statement may be kept prepared (`db::keep_prepared`): every query written beside the
/// macros asks, as the macros do. A query that forgot would fail only behind PgBouncer, so it is checked here.
#[test]
fn every_query_asks_whether_to_keep_its_statement_prepared() {
    fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("db/mod.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let queries = text.matches("sqlx::query").count();
                let asked = text.matches(".persistent(crate::db::keep_prepared())").count();
                if queries != asked {
                    found.push(format!("{}: {queries} queries, {asked} ask", path.display()));
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut found);
    assert!(found.is_empty(), "add .persistent(crate::db::keep_prepared()) to each: {found:#?}");
}

/// The bundled SQLite is built as `.cargo/config.toml` says (issue 22): no statement prepared again for each new
/// `LIMIT` value, and no global mutex on its allocations or its page caches.
#[tokio::test]
async fn sqlite_is_built_with_the_planner_guarantee_and_without_global_mutexes() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}", dir.path().join("o.db").display())).await.unwrap();
    let options: Vec<String> =
        swn::fetch_all!(&db, (String,), "PRAGMA compile_options").unwrap().into_iter().map(|(o,)| o).collect();
    assert!(options.iter().any(|o| o == "ENABLE_QPSG"), "{options:?}");
    assert!(options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"), "{options:?}");
    assert!(!options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"), "{options:?}");
    db.close().await;
}

/// 0028 counts the likes already given onto each post, and its triggers keep the count from then on; 0030 gives
/// the likes and bookmarks already made their post's topic.
async fn upgrading_counts_the_likes_already_given(url: &str) {
    let db = Db::connect(url).await.unwrap();
    swn::db::migrate::run_until(&db, Some("0027_search_and_indexes")).await.unwrap();
    let now = chrono::Utc::now();
    for (id, email) in [("u1", "one@example.org"), ("u2", "two@example.org")] {
        swn::execute!(
            &db,
            "INSERT INTO users (id, email, name, role, suspended, password_hash, created_at, updated_at)
             VALUES ($1, $2, 'A Member', 'member', FALSE, NULL, $3, $3)",
            id,
            email,
            now
        )
        .unwrap();
    }
    swn::execute!(
        &db,
        "INSERT INTO forum_categories (id, slug, name, description, group_id, position, created_at)
         VALUES ('c1', 'people', 'People', '', NULL, 0, $1)",
        now
    )
    .unwrap();
    swn::execute!(
        &db,
        "INSERT INTO forum_topics (id, category_id, author_id, anonymous_label, title, kind, accepted_post_id, locked,
                                   pinned, hidden, reply_count, last_activity_at, created_at)
         VALUES ('t1', 'c1', 'u1', NULL, 'Anchor days', 'question', NULL, FALSE, FALSE, FALSE, 1, $1, $1)",
        now
    )
    .unwrap();
    for (id, opening) in [("p1", true), ("p2", false)] {
        swn::execute!(
            &db,
            "INSERT INTO forum_posts (id, topic_id, author_id, body_md, body_html, opening, hidden, created_at)
             VALUES ($1, 't1', 'u1', 'Text', '<p>Text</p>', $2, FALSE, $3)",
            id,
            opening,
            now
        )
        .unwrap();
    }
    for (post, user) in [("p1", "u1"), ("p1", "u2"), ("p2", "u2")] {
        swn::execute!(
            &db,
            "INSERT INTO forum_likes (post_id, user_id, created_at) VALUES ($1, $2, $3)",
            post,
            user,
            now
        )
        .unwrap();
    }
    swn::execute!(&db, "INSERT INTO forum_bookmarks (user_id, post_id, created_at) VALUES ('u1', 'p2', $1)", now)
        .unwrap();
    let applied = swn::db::migrate::run(&db).await.unwrap();
    assert!(applied.contains(&"0028_like_counts") && applied.contains(&"0030_marks_by_topic"));
    let in_topic = swn::fetch_scalar!(
        &db,
        i64,
        "SELECT (SELECT COUNT(*) FROM forum_likes WHERE topic_id = 't1')
              + (SELECT COUNT(*) FROM forum_bookmarks WHERE topic_id = 't1')"
    )
    .unwrap();
    assert_eq!(in_topic, 4, "the three likes and the bookmark know their topic");
    let counts = || async {
        let mut counts = Vec::new();
        for post in ["p1", "p2"] {
            counts
                .push(swn::fetch_scalar!(&db, i64, "SELECT like_count FROM forum_posts WHERE id = $1", post).unwrap());
        }
        counts
    };
    assert_eq!(counts().await, [2, 1], "the likes already given, counted");
    swn::execute!(&db, "DELETE FROM users WHERE id = 'u2'").unwrap();
    assert_eq!(counts().await, [1, 0], "and kept from then on");
    // An instance still running the earlier version names no topic: the trigger fills it in.
    swn::execute!(&db, "INSERT INTO forum_likes (post_id, user_id, created_at) VALUES ('p2', 'u1', $1)", now).unwrap();
    swn::execute!(&db, "INSERT INTO forum_bookmarks (user_id, post_id, created_at) VALUES ('u1', 'p1', $1)", now)
        .unwrap();
    let empty = swn::fetch_scalar!(
        &db,
        i64,
        "SELECT (SELECT COUNT(*) FROM forum_likes WHERE topic_id <> 't1')
              + (SELECT COUNT(*) FROM forum_bookmarks WHERE topic_id <> 't1')"
    )
    .unwrap();
    assert_eq!(empty, 0, "likes and bookmarks made the old way know their topic too");
    db.close().await;
}

#[tokio::test]
async fn upgrading_sqlite_counts_the_likes_already_given() {
    let dir = tempfile::tempdir().unwrap();
    upgrading_counts_the_likes_already_given(&format!("sqlite://{}", dir.path().join("upgrade.db").display())).await;
}

#[tokio::test]
async fn upgrading_postgres_counts_the_likes_already_given() {
    if crate::support::postgres_url().is_none() {
        crate::support::skip("set SWN_TEST_DATABASE_URL to run this test on PostgreSQL");
        return;
    }
    let (url, name) = crate::support::fresh_postgres_database().await;
    upgrading_counts_the_likes_already_given(&url).await;
    crate::support::drop_postgres_database(&name).await;
}
