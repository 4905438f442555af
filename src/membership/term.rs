//! A member's own membership page, and renewal: from the site when signed in, or with the one-click link
//! from a reminder e-mail.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;

use super::renewal;
use crate::App;
use crate::auth::{User, Viewer, policy};
use crate::feature::Waiting;
use crate::web::{AppError, AppResult, Page, redirect_with_notice, render, time};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/membership", get(membership))
        .route("/membership/renew", post(renew))
        .route("/membership/renew/{token}", get(link_form).post(renew_by_link))
}

#[derive(Template)]
#[template(path = "membership/term.html")]
struct TermPage {
    page: Page,
    name: String,
    ends: String,
    lapsed: bool,
    renewal_open: bool,
    action: String,
}

fn term_page(app: &App, page: Page, user: &User, action: String) -> TermPage {
    let now = Utc::now();
    TermPage {
        page: page.titled("Your membership").noindex(),
        name: user.name.clone(),
        ends: user.membership_ends_at.map(|e| time::date(e, app.config.timezone)).unwrap_or_default(),
        lapsed: user.membership_ends_at.is_some_and(|e| e <= now),
        renewal_open: renewal::renewal_open(user.membership_ends_at, now),
        action,
    }
}

fn renewing_member(viewer: &Viewer) -> AppResult<User> {
    let user = viewer.user.clone().ok_or(AppError::SignInRequired("/membership".into()))?;
    policy::require(viewer, policy::can_renew_membership(&user), "/membership")?;
    Ok(user)
}

async fn membership(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    let user = renewing_member(&viewer)?;
    render(&term_page(&app, page, &user, "/membership/renew".into()))
}

async fn renew(State(app): State<App>, viewer: Viewer) -> AppResult<Response> {
    let user = renewing_member(&viewer)?;
    renewed(&app, &user.id, "/membership").await
}

async fn renewed(app: &App, user_id: &str, back: &str) -> AppResult<Response> {
    match renewal::renew(&app.db, user_id, Utc::now()).await? {
        Some(end) => Ok(redirect_with_notice(
            back,
            &format!("Thank you: your membership is renewed until {}.", time::date(end, app.config.timezone)),
        )),
        None => Ok(redirect_with_notice(back, "Your membership is not due for renewal yet.")),
    }
}

async fn link_member(app: &App, token: &str) -> AppResult<User> {
    let gone = || AppError::Gone("This renewal link is not valid. Sign in and renew from your membership page.".into());
    let user_id = renewal::member_for_link(&app.db, token).await?.ok_or_else(gone)?;
    let user = crate::auth::user_by_id(&app.db, &user_id).await?.map(User::from).ok_or_else(gone)?;
    if !policy::can_renew_membership(&user) {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

async fn link_form(State(app): State<App>, page: Page, Path(token): Path<String>) -> AppResult<impl IntoResponse> {
    let user = link_member(&app, &token).await?;
    render(&term_page(&app, page, &user, format!("/membership/renew/{token}")))
}

async fn renew_by_link(State(app): State<App>, Path(token): Path<String>) -> AppResult<Response> {
    let user = link_member(&app, &token).await?;
    renewed(&app, &user.id, &format!("/membership/renew/{token}")).await
}

/// Members whose term ends before the month is out (reminders go by themselves), for the organisers' overview.
pub(super) async fn ending_this_month(app: &App, now: chrono::DateTime<Utc>) -> AppResult<Vec<Waiting>> {
    let tz = app.config.timezone;
    let (count, first) = super::store::terms_ending(&app.db, now, time::start_of_next_month(now, tz), 5).await?;
    Ok(vec![Waiting {
        title: "Memberships ending this month",
        count,
        summary: if count == 0 {
            "No member's term ends this month.".into()
        } else {
            "Renewal reminders go by e-mail to those who take them; Accounts shows every member's term.".into()
        },
        details: first.into_iter().map(|(name, ends)| format!("{name}, {}", time::date(ends, tz))).collect(),
        path: "/admin/users".into(),
        decision: false,
    }])
}
