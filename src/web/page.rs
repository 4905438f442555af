//! What every page's layout needs to know about the person looking at it, and rendering.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::Extensions;
use axum::http::request::Parts;
use axum::response::Html;

use super::browser::{CsrfToken, Flash, Network};
use super::error::AppResult;
use crate::auth::Viewer;
use crate::auth::policy;

/// The layout's context: who is looking, the form token, a one-time notice, and the page title.
#[derive(Clone, Debug, Default)]
pub struct Page {
    pub title: String,
    /// The network's settings (its name, its minimum organisation size).
    pub network: Option<std::sync::Arc<crate::Config>>,
    pub user_name: Option<String>,
    pub csrf: CsrfToken,
    pub flash: Option<String>,
    /// Links to the organisers' pages are shown (the pages themselves check again).
    pub show_admin: bool,
    /// Links to the members' area are shown.
    pub show_members: bool,
    /// The link to one's own membership page is shown (members).
    pub show_membership: bool,
    /// The link to one's own application is shown (applicants).
    pub show_application: bool,
    /// The link to the toolkit's team spaces is shown (members and team participants).
    pub show_toolkit: bool,
    /// The link to the awards' judging is shown (outside judges, whose account reaches only that).
    pub show_judging: bool,
    /// The link to private messages is shown (members, lapsed members read-only).
    pub show_messages: bool,
    /// Keep this page out of search engines.
    pub noindex: bool,
}

impl Page {
    pub fn from_extensions(ext: &Extensions) -> Page {
        let viewer = ext.get::<Viewer>().cloned().unwrap_or_default();
        Page {
            title: String::new(),
            network: ext.get::<Network>().map(|n| n.0.clone()),
            user_name: viewer.user.as_ref().map(|u| u.name.clone()),
            csrf: ext.get::<CsrfToken>().cloned().unwrap_or_default(),
            flash: ext.get::<Flash>().and_then(|f| f.0.clone()),
            show_admin: policy::can_manage_site(&viewer),
            show_members: policy::can_enter_members_area(&viewer, chrono::Utc::now()),
            show_membership: viewer.user.as_ref().is_some_and(policy::can_renew_membership),
            show_application: viewer.role() == Some(crate::auth::Role::Applicant),
            show_toolkit: policy::can_use_toolkit(&viewer, chrono::Utc::now()),
            show_judging: viewer.role() == Some(crate::auth::Role::Judge),
            show_messages: policy::can_read_messages(&viewer, chrono::Utc::now()),
            noindex: false,
        }
    }

    pub fn titled(mut self, title: &str) -> Page {
        self.title = title.to_string();
        self
    }

    pub fn noindex(mut self) -> Page {
        self.noindex = true;
        self
    }

    pub fn site_name(&self) -> &str {
        self.network.as_ref().map_or(crate::config::DEFAULT_TITLE, |n| n.title.as_str())
    }

    /// The smallest organisation eligible for membership, in this network.
    pub fn min_employees(&self) -> i64 {
        self.network.as_ref().map_or(crate::config::DEFAULT_MIN_EMPLOYEES, |n| n.min_employees)
    }

    /// "Title – Smart Work Network", or the site's name alone for the home page.
    pub fn full_title(&self) -> String {
        let site = self.site_name();
        if self.title.is_empty() { site.to_string() } else { format!("{} – {site}", self.title) }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Page::from_extensions(&parts.extensions))
    }
}

/// Renders a template into an HTML response.
pub fn render<T: Template>(template: &T) -> AppResult<Html<String>> {
    Ok(Html(template.render()?))
}

/// Renders a page whose size its handler knows better than askama's estimate (a few KB) into a buffer of about
/// that size: a topic page of 90 KB grown by doubling was copied five times on the way (`memmove` was 5% of its
/// CPU in a profile, issue 22).
pub fn render_sized<T: Template>(template: &T, size: usize) -> AppResult<Html<String>> {
    let mut out = String::with_capacity(size.max(T::SIZE_HINT));
    template.render_into(&mut out)?;
    Ok(Html(out))
}

/// A form shown again with its messages, as a 422 so that tools see the refusal.
pub fn invalid<T: Template>(template: &T) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(template)?).into_response())
}
