//! Personal API tokens: created and revoked by members in their settings (`/account/api-tokens`), shown once,
//! kept only as a hash. A request to the API names its token in `Authorization: Bearer`; `bearer` turns it
//! into the request's `Viewer`, so every rule of the policy applies to programs as it does to pages.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::problem::Problem;
use crate::App;
use crate::auth::UserRow;
use crate::auth::{User, Viewer, policy, tokens};
use crate::db::{Db, new_id};
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, redirect_with_notice, render};
use crate::{execute, fetch_all, fetch_optional};

/// Tokens start with this, so they are easy to recognise (and to find in a leaked file).
const PREFIX: &str = "swn_";
/// `last_used_at` is written at most this often, so that reading through the API is not a write.
const TOUCH_EVERY_MINUTES: i64 = 5;
/// Enough for every script a person runs; a bound on what one account can create.
const MAX_TOKENS: usize = 20;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/account/api-tokens", get(tokens_page).post(create))
        .route("/account/api-tokens/{id}/revoke", post(revoke))
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct TokenUser {
    #[sqlx(flatten)]
    user: UserRow,
    token_id: String,
    last_used_at: Option<DateTime<Utc>>,
}

pub async fn active_tokens(db: &Db, user_id: &str) -> Result<Vec<ApiToken>, sqlx::Error> {
    fetch_all!(
        db,
        ApiToken,
        "SELECT id, name, created_at, last_used_at FROM api_tokens
         WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at, id",
        user_id
    )
}

async fn token_user(db: &Db, token_hash: &str) -> Result<Option<TokenUser>, sqlx::Error> {
    fetch_optional!(
        db,
        TokenUser,
        "SELECT u.id, u.email, u.name, u.role, u.suspended, u.password_hash, u.created_at, u.organisation_id,
                u.job_title, u.membership_ends_at, u.posting_suspended, t.id AS token_id, t.last_used_at
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        token_hash
    )
}

/// Finds the viewer for an API request: a visitor without a token, the token's holder with a valid one.
/// The API never reads cookies, so a browser's session cannot be borrowed by another site's script.
pub async fn bearer(State(app): State<App>, mut request: Request, next: Next) -> Response {
    let header = request.headers().get(header::AUTHORIZATION).map(|v| v.to_str().unwrap_or("").to_string());
    let viewer = match header {
        None => Viewer::default(),
        Some(value) => match viewer_for(&app, &value).await {
            Ok(Some(viewer)) => viewer,
            Ok(None) => {
                return Problem::new(StatusCode::UNAUTHORIZED, "The API token is not valid: it may have been revoked.")
                    .into_response();
            }
            Err(e) => return super::problem::ApiError::from(e).into_response(),
        },
    };
    let holder = viewer.user.is_some();
    request.extensions_mut().insert(viewer);
    let mut response = next.run(request).await;
    // What a token reads is its holder's alone: no shared or client cache keeps it.
    if holder {
        response.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    }
    response
}

async fn viewer_for(app: &App, header: &str) -> Result<Option<Viewer>, sqlx::Error> {
    // The scheme's name is case-insensitive (RFC 9110).
    let (scheme, token) = header.split_once(' ').unwrap_or((header, ""));
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || !token.starts_with(PREFIX) {
        return Ok(None);
    }
    let Some(found) = token_user(&app.db, &tokens::hash(token)).await? else { return Ok(None) };
    let user = User::from(found.user);
    if !policy::may_hold_session(&user) {
        return Ok(None);
    }
    let now = Utc::now();
    if found.last_used_at.is_none_or(|t| now - t > Duration::minutes(TOUCH_EVERY_MINUTES)) {
        // A note for the holder's settings page: failing to write it (a full disk) must not fail the request.
        if let Err(e) = execute!(&app.db, "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", now, &found.token_id)
        {
            tracing::warn!(error = %e, "could not record an API token's use");
        }
    }
    Ok(Some(Viewer::of(user)))
}

/// Ends every token of a person (account erased).
pub async fn delete_all_in(tx: &mut crate::db::Tx, user_id: &str) -> Result<(), sqlx::Error> {
    execute!(tx, "DELETE FROM api_tokens WHERE user_id = $1", user_id)?;
    Ok(())
}

// The settings page.

#[derive(Template)]
#[template(path = "auth/api_tokens.html")]
struct TokensPage {
    page: Page,
    /// Only members in their term make new tokens.
    may_create: bool,
    tokens: Vec<(ApiToken, String, String)>,
    new_token: Option<String>,
    name: String,
    errors: FieldErrors,
    docs: String,
}

/// Anyone signed in sees and revokes their own tokens (a lapsed member too: theirs may still work).
fn holder(viewer: &Viewer) -> AppResult<User> {
    policy::require(viewer, policy::can_manage_own_account(viewer), "/account/api-tokens")?;
    viewer.user.clone().ok_or(AppError::Forbidden)
}

async fn page_for(
    app: &App,
    page: Page,
    viewer: &Viewer,
    user: &User,
    new_token: Option<String>,
    name: String,
    errors: FieldErrors,
) -> AppResult<TokensPage> {
    let tz = app.config.timezone;
    let tokens = active_tokens(&app.db, &user.id)
        .await?
        .into_iter()
        .map(|t| {
            let created = crate::web::time::date_time(t.created_at, tz);
            let used = t.last_used_at.map(|u| crate::web::time::date_time(u, tz)).unwrap_or_else(|| "never".into());
            (t, created, used)
        })
        .collect();
    Ok(TokensPage {
        may_create: policy::can_hold_api_token(viewer, Utc::now()),
        page: page.titled("API tokens").noindex(),
        tokens,
        new_token,
        name,
        errors,
        docs: app.config.link("/api/openapi.json"),
    })
}

async fn tokens_page(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let user = holder(&viewer)?;
    render(&page_for(&app, page, &viewer, &user, None, String::new(), FieldErrors::default()).await?)
}

#[derive(Deserialize)]
struct NewToken {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

async fn create(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    crate::web::ClientIp(ip): crate::web::ClientIp,
    Form(form): Form<NewToken>,
) -> AppResult<Response> {
    policy::require(&viewer, policy::can_hold_api_token(&viewer, Utc::now()), "/account/api-tokens")?;
    let user = holder(&viewer)?;
    let mut errors = FieldErrors::default();
    let name = errors.required("name", "A name for the token", &form.name, 100);
    // A token outlives the session: a borrowed or stolen session alone must not be able to make one.
    if !crate::auth::service::confirm_password(&app, &user, ip, &form.password).await? {
        errors.add("password", "That is not your current password.");
    }
    if errors.is_empty() && active_tokens(&app.db, &user.id).await?.len() >= MAX_TOKENS {
        errors.add("name", "You have 20 tokens already: revoke one you no longer use first.");
    }
    if !errors.is_empty() {
        let body = render(&page_for(&app, page, &viewer, &user, None, form.name, errors).await?)?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    }
    let token = format!("{PREFIX}{}", tokens::random_token());
    execute!(
        &app.db,
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
        new_id(),
        &user.id,
        &name,
        tokens::hash(&token),
        Utc::now()
    )?;
    // Shown on this answer only (never in a redirect or a cookie): the database keeps just its hash.
    Ok(render(&page_for(&app, page, &viewer, &user, Some(token), String::new(), FieldErrors::default()).await?)?
        .into_response())
}

async fn revoke(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    let user = holder(&viewer)?;
    let changed = execute!(
        &app.db,
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        Utc::now(),
        &id,
        &user.id
    )?;
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_notice("/account/api-tokens", "The token is revoked: programs using it can no longer sign in."))
}
