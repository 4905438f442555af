//! The benchmark's pages. So far: the framework, public, so anyone can see what an assessment asks.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;

use super::Framework;
use super::framework::LEVELS;
use crate::App;
use crate::web::{AppError, AppResult, Page, render};

pub fn routes() -> Router<App> {
    Router::new().route("/benchmark/framework", get(framework))
}

#[derive(Template)]
#[template(path = "benchmark/framework.html")]
struct FrameworkPage {
    page: Page,
    framework: Framework,
    levels: [&'static str; 5],
}

async fn framework(State(app): State<App>, page: Page) -> AppResult<impl IntoResponse> {
    let framework = super::current(&app.db).await?.ok_or(AppError::NotFound)?;
    render(&FrameworkPage {
        page: page.titled("The Smart Working benchmark: the framework"),
        framework,
        levels: LEVELS,
    })
}
