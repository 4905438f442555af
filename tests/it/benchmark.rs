//! The benchmark (issue 18), so far: the framework's first version is published on start, once, and read by
//! anyone on its page and through the API in the shape.

use reqwest::Method;

use crate::api::call;
use crate::on_both_engines;
use crate::support::{Engine, TestApp};

on_both_engines!(the_first_framework_is_published_once_and_read_by_anyone);

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
