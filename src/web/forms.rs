//! Reading forms: the `Form` extractor turns a malformed body into a 400 page, and `FieldErrors` carries
//! per-field messages back to the form, which is shown again with what was typed.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use super::error::AppError;

/// A URL-encoded form, decoded into `T`; unknown fields (such as the form token) are ignored.
pub struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(Form(value)),
            Err(rejection) if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::TooLarge("The form is larger than the site accepts. Please shorten the text.".into()))
            }
            Err(rejection) => Err(AppError::BadRequest(format!(
                "The form could not be read ({}). Please go back and try again.",
                rejection.body_text()
            ))),
        }
    }
}

/// Messages for the fields of a form, by field name, in the order they were found: checks run in the form's
/// order, so the summary above a form lists its mistakes from top to bottom. The first message a field gets
/// is the one shown.
#[derive(Clone, Debug, Default)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field, message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m)
    }

    /// The attributes that tie a field in error to its message (` aria-invalid="true" aria-describedby="{field}-error"`),
    /// or nothing. Field names are the form's own identifiers (letters and `_`), so they need no escaping.
    pub fn aria(&self, field: &str) -> String {
        match self.get(field) {
            Some(_) => format!(r#" aria-invalid="true" aria-describedby="{field}-error""#),
            None => String::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    /// The messages in order, for the summary at the top of a form.
    pub fn messages(&self) -> Vec<(&'static str, &String)> {
        self.0.iter().map(|(k, v)| (*k, v)).collect()
    }

    /// Checks a required one-line text: not empty once trimmed, at most `max` characters as sent (as the API's
    /// document counts them), kept trimmed.
    pub fn required(&mut self, field: &'static str, label: &str, value: &str, max: usize) -> String {
        let sent = value.chars().count();
        let value = value.trim();
        if value.is_empty() {
            self.add(field, format!("{label} is required."));
        } else if sent > max {
            self.add(field, format!("{label} must be at most {max} characters."));
        } else if value.contains('\0') {
            // Forms are checked for NUL as they arrive; JSON bodies meet this rule here.
            self.add(field, format!("{label} contains a character the site cannot store (NUL)."));
        }
        value.to_string()
    }

    /// Refuses a line break (or any other control character) in a field that is one line wherever it goes (a
    /// title, a venue): such text could start a new line in a calendar file or an e-mail header.
    pub fn one_line(&mut self, field: &'static str, label: &str, value: &str) {
        if value.trim().chars().any(char::is_control) {
            self.add(field, format!("{label} must be one line, without line breaks or tabs."));
        }
    }

    /// Checks an optional text: trimmed, at most `max` characters.
    pub fn optional(&mut self, field: &'static str, label: &str, value: &str, max: usize) -> String {
        let sent = value.chars().count();
        let value = value.trim();
        if sent > max {
            self.add(field, format!("{label} must be at most {max} characters."));
        } else if value.contains('\0') {
            self.add(field, format!("{label} contains a character the site cannot store (NUL)."));
        }
        value.to_string()
    }

    /// Checks an e-mail address; gives it lower-cased.
    pub fn email(&mut self, field: &'static str, value: &str) -> String {
        let value = value.trim().to_lowercase();
        if value.is_empty() {
            self.add(field, "E-mail address is required.");
        } else if value.len() > 254 || value.parse::<lettre::Address>().is_err() {
            self.add(field, "Enter an e-mail address like name@organisation.org.");
        }
        value
    }

    /// Checks an optional web address: empty, or an http(s) URL.
    pub fn web_address(&mut self, field: &'static str, value: &str) -> String {
        let value = value.trim();
        if value.is_empty() {
            return String::new();
        }
        match url::Url::parse(value) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && value.len() <= 500 => u.to_string(),
            _ => {
                self.add(field, "Enter a web address starting with https:// (or http://).");
                value.to_string()
            }
        }
    }
}

/// Turns a title into the part of an address that names it: "Hybrid work in 2026!" -> "hybrid-work-in-2026".
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 80 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() { "item".to_string() } else { slug }
}

/// A slug an organiser typed: lower-case letters, digits and hyphens only.
pub fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 80
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain() {
        assert_eq!(slugify("Hybrid work in 2026!"), "hybrid-work-in-2026");
        assert_eq!(slugify("  ---  "), "item");
        assert!(valid_slug("how-it-works"));
        assert!(!valid_slug("How it works"));
        assert!(!valid_slug("-x"));
    }

    #[test]
    fn required_fields_report_empty_and_long() {
        let mut e = FieldErrors::default();
        e.required("title", "Title", "   ", 10);
        e.required("name", "Name", "abcdefghijk", 10);
        assert_eq!(e.get("title").map(String::as_str), Some("Title is required."));
        assert_eq!(e.get("name").map(String::as_str), Some("Name must be at most 10 characters."));
        let mut ok = FieldErrors::default();
        assert_eq!(ok.email("email", " Ana@Example.ORG "), "ana@example.org");
        assert!(ok.is_empty());
        ok.email("email", "not an address");
        assert!(!ok.is_empty());
    }
}
