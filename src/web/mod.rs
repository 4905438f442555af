//! Shared HTTP glue: errors as pages, the browser's session and form token, forms and uploads, layout
//! context, security headers, several networks by host name, static assets, Markdown and time display.

pub mod assets;
pub mod browser;
pub mod chart;
pub mod error;
pub mod files;
pub mod filters;
pub mod forms;
pub mod headers;
pub mod hosts;
pub mod images;
pub mod markdown;
pub mod page;
pub mod serve;
pub mod spreadsheet;
pub mod time;
pub mod upload;

pub use browser::{ClientIp, redirect_with_notice};
pub use error::{AppError, AppResult};
pub use forms::{FieldErrors, Form};
pub use page::{Page, invalid, render, render_sized};
