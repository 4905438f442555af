//! Organisers manage the forum's categories (a group's private category comes with the group).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::model::Category;
use super::store;
use crate::App;
use crate::auth::{Viewer, policy};
use crate::db::is_unique_violation;
use crate::web::forms::{slugify, valid_slug};
use crate::web::{AppResult, FieldErrors, Form, Page, redirect_with_notice, render};

pub fn routes() -> Router<App> {
    Router::new().route("/admin/forum", get(categories).post(create))
}

#[derive(Deserialize, Default, Clone)]
struct CategoryForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    description: String,
}

#[derive(Template)]
#[template(path = "forum/admin.html")]
struct CategoriesPage {
    page: Page,
    categories: Vec<Category>,
    form: CategoryForm,
    errors: FieldErrors,
}

async fn categories(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<impl IntoResponse> {
    policy::require(&viewer, policy::can_manage_site(&viewer), "/admin/forum")?;
    let categories = store::categories(&app.db).await?;
    render(&CategoriesPage {
        page: page.titled("Forum categories").noindex(),
        categories,
        form: CategoryForm::default(),
        errors: FieldErrors::default(),
    })
}

async fn create(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Form(form): Form<CategoryForm>,
) -> AppResult<Response> {
    policy::require(&viewer, policy::can_manage_site(&viewer), "/admin/forum")?;
    let mut errors = FieldErrors::default();
    let name = errors.required("name", "The name", &form.name, 100);
    let slug = if form.slug.trim().is_empty() { slugify(&name) } else { form.slug.trim().to_string() };
    if !valid_slug(&slug) {
        errors.add("slug", "The address may use only lower-case letters, digits and hyphens.");
    }
    let description = errors.required("description", "The description", &form.description, 500);
    let result = if errors.is_empty() {
        let position = (store::categories(&app.db).await?.len() as i64 + 1) * 10;
        match store::insert_category(&app.db, &slug, &name, &description, None, position).await {
            Ok(_) => return Ok(redirect_with_notice("/admin/forum", "The category is added.")),
            Err(e) if is_unique_violation(&e) => {
                errors.add("slug", "Another category already has this address.");
                Ok(())
            }
            Err(e) => Err(e),
        }
    } else {
        Ok(())
    };
    result?;
    let categories = store::categories(&app.db).await?;
    let body = render(&CategoriesPage { page: page.titled("Forum categories").noindex(), categories, form, errors })?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
}
