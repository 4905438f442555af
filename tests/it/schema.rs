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
