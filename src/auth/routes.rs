//! Signing in and out, passwords (reset by e-mail, change), first-organiser setup, and accounts for organisers.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;

use super::model::{Role, User, Viewer};
use super::service::{self, LinkProblem};
use super::{password, policy, session, store, throttle};
use crate::App;
use crate::db::is_unique_violation;
use crate::mail::{self, messages};
use crate::web::browser::{clear_session, session_cookie, set_cookie};
use crate::web::{AppError, AppResult, ClientIp, FieldErrors, Form, Page, redirect_with_notice, render};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/sign-in", get(sign_in_form).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/password/forgot", get(forgot_form).post(forgot))
        .route("/password/reset/{token}", get(reset_form).post(reset))
        .route("/setup/{token}", get(setup_form).post(setup))
        .route("/account", get(account))
        .route("/account/password", get(change_password_form).post(change_password))
        .route("/admin/users", get(users))
        .route("/admin/users/{id}", post(update_user))
}

/// Only a path on this site is a place to come back to after signing in.
/// Where to go after signing in: only a path on this site, of characters that cannot change its meaning on
/// the way (a browser drops tabs and line breaks, so `/\t/evil.example/` would read as `//evil.example`).
/// Anything else goes to the home page.
fn safe_next(next: &str) -> &str {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/-._~%?=&#+".contains(c);
    if next.starts_with('/') && !next.starts_with("//") && next.chars().all(safe) { next } else { "/" }
}

// Sign in and out

#[derive(Template)]
#[template(path = "auth/sign_in.html")]
struct SignInPage {
    page: Page,
    email: String,
    next: String,
    error: Option<String>,
    keep: bool,
    /// How long each kind of session lasts without use, as the checkbox explains it.
    idle_hours: u64,
    kept_days: u64,
}

impl SignInPage {
    fn new(app: &App, page: Page, email: String, next: String) -> SignInPage {
        SignInPage {
            page: page.titled("Sign in").noindex(),
            email,
            next,
            error: None,
            keep: false,
            idle_hours: app.config.session_idle.as_secs() / 3600,
            kept_days: app.config.kept_session_idle.as_secs() / (24 * 3600),
        }
    }
}

#[derive(Deserialize)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

async fn sign_in_form(State(app): State<App>, page: Page, Query(q): Query<NextQuery>) -> AppResult<impl IntoResponse> {
    render(&SignInPage::new(&app, page, String::new(), q.next))
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    /// "Keep me signed in on this device".
    #[serde(default)]
    keep: Option<String>,
}

async fn sign_in(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Form(form): Form<SignInForm>,
) -> AppResult<Response> {
    let email = form.email.trim().to_lowercase();
    let refuse = |status: StatusCode, error: &str| -> AppResult<Response> {
        let body = render(&SignInPage {
            error: Some(error.to_string()),
            keep: form.keep.is_some(),
            ..SignInPage::new(&app, page.clone(), form.email.trim().chars().take(254).collect(), form.next.clone())
        })?;
        Ok((status, body).into_response())
    };
    if email.is_empty() || form.password.is_empty() || email.len() > 254 || form.password.len() > 1000 {
        return refuse(StatusCode::BAD_REQUEST, "Enter your e-mail address and your password.");
    }
    let attempt = match throttle::attempt(&app.db, &email, ip, Utc::now()).await? {
        Ok(attempt) => attempt,
        Err(retry_after_secs) => return Err(AppError::TooManyRequests { retry_after_secs }),
    };
    let row = store::user_by_email(&app.db, &email).await?;
    let stored = row.as_ref().and_then(|u| u.password_hash.clone());
    let right = password::verify(form.password.clone(), stored).await?;
    let Some(user) = row.map(User::from).filter(|_| right) else {
        return refuse(StatusCode::UNAUTHORIZED, "The e-mail address or the password is not right.");
    };
    if !policy::may_hold_session(&user) {
        return refuse(StatusCode::FORBIDDEN, "This account is suspended. Please contact the organisers.");
    }
    attempt.succeeded(&app.db).await?;
    let mut tx = app.db.begin().await?;
    let length = session::Length::from_choice(form.keep.is_some());
    let started = session::start(&mut tx, &user.id, viewer.session_hash.as_deref(), length).await?;
    tx.commit().await?;
    let mut response = Redirect::to(safe_next(&form.next)).into_response();
    set_cookie(&mut response, session_cookie(&started, &app.config));
    Ok(response)
}

async fn sign_out(State(app): State<App>, viewer: Viewer) -> AppResult<Response> {
    if let Some(hash) = &viewer.session_hash {
        store::delete_session(&app.db, hash).await?;
    }
    let mut response = redirect_with_notice("/", "You are signed out.");
    clear_session(&mut response);
    Ok(response)
}

// Password reset by e-mail

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    page: Page,
    email: String,
    errors: FieldErrors,
    sent: bool,
}

async fn forgot_form(page: Page) -> AppResult<impl IntoResponse> {
    render(&ForgotPage {
        page: page.titled("Forgotten password").noindex(),
        email: String::new(),
        errors: FieldErrors::default(),
        sent: false,
    })
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    email: String,
}

/// Always answers the same way, so the form does not tell who has an account. At most a few e-mails per
/// address and quarter-hour, so it cannot be used to flood someone's inbox.
async fn forgot(State(app): State<App>, page: Page, Form(form): Form<ForgotForm>) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let email = errors.email("email", &form.email);
    let page = page.titled("Forgotten password").noindex();
    if !errors.is_empty() {
        let body = render(&ForgotPage { page, email: form.email.chars().take(254).collect(), errors, sent: false })?;
        return Ok((StatusCode::BAD_REQUEST, body).into_response());
    }
    let now = Utc::now();
    let scope = format!("reset:{email}");
    let recent = store::failures_since(&app.db, &scope, now - chrono::Duration::minutes(15)).await?;
    let user = store::user_by_email(&app.db, &email).await?.map(User::from);
    if let Some(user) = user.filter(|u| policy::may_hold_session(u) && recent.len() < 3) {
        store::record_failure(&app.db, &scope, now).await?;
        let mut tx = app.db.begin().await?;
        let token = service::insert_password_link(&mut tx, &user.id, service::RESET_LINK_HOURS).await?;
        let link = app.config.link(&format!("/password/reset/{token}"));
        let email =
            messages::password_reset(&app.config.title, &user.email, &user.name, &link, service::RESET_LINK_HOURS)?;
        mail::queue(&app, &mut tx, mail::Kind::Transactional, &email).await?;
        tx.commit().await?;
        app.wake_mail();
    }
    Ok(render(&ForgotPage { page, email, errors, sent: true })?.into_response())
}

fn link_error(problem: LinkProblem) -> AppError {
    AppError::Gone(
        match problem {
            LinkProblem::Used => {
                "This link has already been used. Each link works once; ask for a new one if you need it."
            }
            LinkProblem::Expired => "This link has expired. Please ask for a new one.",
            LinkProblem::Unknown => "This link is not valid. Please check it was copied in full, or ask for a new one.",
        }
        .to_string(),
    )
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    page: Page,
    token: String,
    error: Option<String>,
}

async fn reset_form(State(app): State<App>, page: Page, Path(token): Path<String>) -> AppResult<impl IntoResponse> {
    service::check_link(&app.db, &token, "set_password").await?.map_err(link_error)?;
    render(&ResetPage { page: page.titled("Choose a new password").noindex(), token, error: None })
}

#[derive(Deserialize)]
struct NewPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn reset(
    State(app): State<App>,
    page: Page,
    Path(token): Path<String>,
    Form(form): Form<NewPasswordForm>,
) -> AppResult<Response> {
    let user_id = service::check_link(&app.db, &token, "set_password").await?.map_err(link_error)?;
    let Some(user_id) = user_id else {
        return Err(link_error(LinkProblem::Unknown));
    };
    let person = store::user_by_id(&app.db, &user_id).await?.map(|u| [u.email, u.name]).unwrap_or_default();
    if let Some(problem) = password::problem(&form.password, &form.confirm, &[&person[0], &person[1]]) {
        let body =
            render(&ResetPage { page: page.titled("Choose a new password").noindex(), token, error: Some(problem) })?;
        return Ok((StatusCode::BAD_REQUEST, body).into_response());
    }
    let hash = password::hash(form.password).await?;
    let mut tx = app.db.begin().await?;
    if !store::use_token(&mut tx, &super::tokens::hash(&token)).await? {
        return Err(link_error(LinkProblem::Used));
    }
    store::end_password_links(&mut tx, &user_id).await?;
    store::set_password(&mut tx, &user_id, &hash).await?;
    // Whoever knew the old password is signed out everywhere, and loses any API token they made with it.
    store::delete_sessions_of(&mut tx, &user_id).await?;
    crate::api::tokens::delete_all_in(&mut tx, &user_id).await?;
    tx.commit().await?;
    Ok(redirect_with_notice("/sign-in", "Your new password is set. Sign in with it now."))
}

// First organiser

#[derive(Template)]
#[template(path = "auth/setup.html")]
struct SetupPage {
    page: Page,
    token: String,
    name: String,
    email: String,
    errors: FieldErrors,
}

/// A setup link works once, and only while the network has no organiser: links printed at earlier starts die
/// with the first organiser.
async fn check_setup_link(app: &App, token: &str) -> AppResult<()> {
    service::check_link(&app.db, token, "setup").await?.map_err(link_error)?;
    if store::count_organisers(&app.db).await? > 0 {
        return Err(AppError::Gone(
            "The network already has an organiser. Ask an organiser for an account, or sign in.".into(),
        ));
    }
    Ok(())
}

async fn setup_form(State(app): State<App>, page: Page, Path(token): Path<String>) -> AppResult<impl IntoResponse> {
    check_setup_link(&app, &token).await?;
    render(&SetupPage {
        page: page.titled("Set up the network").noindex(),
        token,
        name: String::new(),
        email: String::new(),
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
struct SetupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn setup(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(token): Path<String>,
    Form(form): Form<SetupForm>,
) -> AppResult<Response> {
    check_setup_link(&app, &token).await?;
    let mut errors = FieldErrors::default();
    let name = errors.required("name", "Your name", &form.name, 100);
    let email = errors.email("email", &form.email);
    if let Some(problem) = password::problem(&form.password, &form.confirm, &[&email, &name]) {
        errors.add("password", problem);
    }
    let again = |errors: FieldErrors| -> AppResult<Response> {
        let body = render(&SetupPage {
            page: page.clone().titled("Set up the network").noindex(),
            token: token.clone(),
            name: form.name.chars().take(100).collect(),
            email: form.email.chars().take(254).collect(),
            errors,
        })?;
        Ok((StatusCode::BAD_REQUEST, body).into_response())
    };
    if !errors.is_empty() {
        return again(errors);
    }
    let hash = password::hash(form.password.clone()).await?;
    let mut tx = app.db.begin().await?;
    if !store::use_token(&mut tx, &super::tokens::hash(&token)).await? {
        return Err(link_error(LinkProblem::Used));
    }
    let id = match store::insert_user(&mut tx, &email, &name, Role::Organiser, Some(&hash)).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            errors.add("email", "An account with this e-mail address already exists.");
            return again(errors);
        }
        Err(e) => return Err(e.into()),
    };
    let started = session::start(&mut tx, &id, viewer.session_hash.as_deref(), session::Length::Short).await?;
    tx.commit().await?;
    let mut response = redirect_with_notice("/admin", "Welcome! You are the network's first organiser.");
    set_cookie(&mut response, session_cookie(&started, &app.config));
    Ok(response)
}

// The signed-in person's account

#[derive(Template)]
#[template(path = "auth/account.html")]
struct AccountPage {
    page: Page,
    user: User,
    sessions: i64,
}

fn signed_in(viewer: &Viewer, path: &str) -> AppResult<User> {
    policy::require(viewer, policy::can_manage_own_account(viewer), path)?;
    viewer.user.clone().ok_or(AppError::SignInRequired(path.to_string()))
}

async fn account(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let user = signed_in(&viewer, "/account")?;
    let sessions = store::count_sessions_of(&app.db, &user.id).await?;
    render(&AccountPage { page: page.titled("Your account").noindex(), user, sessions })
}

#[derive(Template)]
#[template(path = "auth/change_password.html")]
struct ChangePasswordPage {
    page: Page,
    errors: FieldErrors,
}

async fn change_password_form(page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    signed_in(&viewer, "/account/password")?;
    render(&ChangePasswordPage { page: page.titled("Change your password").noindex(), errors: FieldErrors::default() })
}

#[derive(Deserialize)]
struct ChangePasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    sign_out_everywhere: Option<String>,
}

async fn change_password(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Form(form): Form<ChangePasswordForm>,
) -> AppResult<Response> {
    let user = signed_in(&viewer, "/account/password")?;
    let mut errors = FieldErrors::default();
    if !service::confirm_password(&app, &user, ip, &form.current).await? {
        errors.add("current", "Your current password is not right.");
    }
    if let Some(problem) = password::problem(&form.password, &form.confirm, &[&user.email, &user.name]) {
        errors.add("password", problem);
    }
    if !errors.is_empty() {
        let body = render(&ChangePasswordPage { page: page.titled("Change your password").noindex(), errors })?;
        return Ok((StatusCode::BAD_REQUEST, body).into_response());
    }
    let hash = password::hash(form.password).await?;
    let mut tx = app.db.begin().await?;
    store::set_password(&mut tx, &user.id, &hash).await?;
    if form.sign_out_everywhere.is_some() {
        store::delete_sessions_of(&mut tx, &user.id).await?;
    }
    // This browser keeps a session as long as before, under a new id.
    let started = session::start(&mut tx, &user.id, viewer.session_hash.as_deref(), viewer.session_length).await?;
    tx.commit().await?;
    let notice = if form.sign_out_everywhere.is_some() {
        "Your password is changed, and every other device is signed out."
    } else {
        "Your password is changed."
    };
    let mut response = redirect_with_notice("/account", notice);
    set_cookie(&mut response, session_cookie(&started, &app.config));
    Ok(response)
}

// Accounts, for organisers

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    page: Page,
    /// Each account with the day its membership term ends (empty for organisers and open-ended terms).
    users: Vec<(User, String)>,
    roles: [Role; 6],
}

async fn users(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    policy::require(&viewer, policy::can_manage_site(&viewer), "/admin/users")?;
    let tz = app.config.timezone;
    let users = store::all_users(&app.db)
        .await?
        .into_iter()
        .map(User::from)
        .map(|u| {
            let ends = u.membership_ends_at.map(|t| crate::web::time::date(t, tz)).unwrap_or_default();
            (u, ends)
        })
        .collect();
    render(&UsersPage { page: page.titled("Accounts").noindex(), users, roles: Role::ALL })
}

#[derive(Deserialize)]
struct UserForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    suspended: Option<String>,
}

async fn update_user(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    policy::require(&viewer, policy::can_manage_site(&viewer), "/admin/users")?;
    let role = Role::parse(&form.role).ok_or_else(|| AppError::BadRequest("Choose one of the listed roles.".into()))?;
    let suspended = form.suspended.is_some();
    let target = store::user_by_id(&app.db, &id).await?.map(User::from).ok_or(AppError::NotFound)?;
    let stays = role == Role::Organiser && !suspended;
    if service::would_leave_no_organiser(&app.db, &target, stays).await? {
        return Ok(redirect_with_notice(
            "/admin/users",
            "The network needs at least one active organiser: make someone else an organiser first.",
        ));
    }
    service::change_role(&app.db, &target.id, role, suspended).await?;
    Ok(redirect_with_notice(
        "/admin/users",
        &format!("{} is now {}{}.", target.name, role.as_str(), if suspended { " (suspended)" } else { "" }),
    ))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_plain_same_site_paths_are_followed() {
        for good in ["/forum", "/meetings/anchor-days?page=2", "/forum/t/ab12#post-3"] {
            assert_eq!(safe_next(good), good);
        }
        for bad in [
            "//evil.example",
            "/\t/evil.example/",
            "/\\evil.example",
            "https://evil.example",
            "/\n/x",
            "/\r/x",
            "/\u{b}/x",
            "/a b",
            "",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }
}
