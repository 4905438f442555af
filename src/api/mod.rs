//! The JSON API, version 1, described by an OpenAPI 3.1 document at `/api/openapi.json`. Public reads need
//! nothing; the rest acts for a member through their personal token (`tokens`). The API has its own layers
//! (no cookies, no form tokens, no HTML error pages): errors are problem details (`problem`), and
//! a JSON body is read only once the caller may send it, at most `problem::MAX_JSON_BYTES`.

pub mod problem;
pub mod tokens;

use axum::Json;
use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use serde::Deserialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};

use crate::App;
use crate::web::AppError;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Smart Work Network API",
        version = "1",
        description = "Open meetings, news and public articles for everyone; a member's profile, registrations, \
                       forum and search with a personal API token (create one at /account/api-tokens). Errors \
                       are RFC 9457 problem details."
    ),
    modifiers(&TokenScheme),
    tags(
        (name = "meetings", description = "Meetings and registration"),
        (name = "news", description = "The network's news"),
        (name = "library", description = "Articles"),
        (name = "search", description = "One search across the network"),
        (name = "forum", description = "The members' forum"),
        (name = "me", description = "The token holder"),
    )
)]
pub struct ApiDoc;

struct TokenScheme;

impl Modify for TokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal API token from /account/api-tokens"))
                    .build(),
            ),
        );
    }
}

/// The whole OpenAPI document: the API's own description with every feature's paths merged in.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::search::ApiDoc::openapi());
    for feature in crate::FEATURES {
        if let Some((_, part)) = feature.api() {
            doc.merge(part);
        }
    }
    doc
}

/// The API's routes with its own layers; merged beside the site's, outside the browser's.
pub fn routes(app: App) -> Router<App> {
    let mut api =
        Router::new().route("/api/openapi.json", get(|| async { Json(document()) })).merge(crate::search::api_routes());
    for feature in crate::FEATURES {
        if let Some((routes, _)) = feature.api() {
            api = api.merge(routes);
        }
    }
    api.route("/api/{*rest}", axum::routing::any(|| async { AppError::NotFound }))
        // Listed innermost first: a request meets them from the bottom up.
        .layer(from_fn_with_state(app, tokens::bearer))
        .layer(from_fn(crate::web::browser::refuse_nul_in_address))
        .layer(crate::request_timeout())
        .layer(from_fn(problem::problems))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// How many at most (1 to 100, default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// A list's `limit`: 20 unless asked, 1 to 100.
pub fn limit(asked: Option<u32>) -> problem::ApiResult<usize> {
    match asked {
        None => Ok(20),
        Some(n @ 1..=100) => Ok(n as usize),
        Some(_) => {
            Err(problem::Problem::new(axum::http::StatusCode::BAD_REQUEST, "limit must be between 1 and 100.").into())
        }
    }
}

/// Personal API tokens, as the program's list of features sees them: the settings page, the holder's part
/// of the data export (names, never tokens), and erasure.
pub struct ApiTokens;

impl crate::feature::Feature for ApiTokens {
    fn name(&self) -> &'static str {
        "api_tokens"
    }

    fn pages(&self, _app: &App) -> Router<App> {
        tokens::routes()
    }

    fn export<'a>(
        &'a self,
        app: &'a App,
        person: &'a crate::feature::Person,
    ) -> futures_util::future::BoxFuture<'a, crate::feature::Outcome<Option<serde_json::Value>>> {
        Box::pin(async move {
            let tokens: Vec<_> = tokens::active_tokens(&app.db, &person.id)
                .await?
                .into_iter()
                .map(
                    |t| serde_json::json!({"name": t.name, "created_at": t.created_at, "last_used_at": t.last_used_at}),
                )
                .collect();
            Ok(Some(serde_json::Value::Array(tokens)))
        })
    }

    fn erase<'a>(
        &'a self,
        _app: &'a App,
        tx: &'a mut crate::db::Tx,
        person: &'a crate::feature::Person,
    ) -> futures_util::future::BoxFuture<'a, crate::feature::Outcome<()>> {
        Box::pin(async move { Ok(tokens::delete_all_in(tx, &person.id).await?) })
    }
}
