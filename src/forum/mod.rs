//! The members' forum: questions and answers, discussions, watching and notifications, moderation, search.

pub mod admin;
pub mod digest;
pub mod model;
pub mod moderation;
pub mod routes;
pub mod service;
pub mod store;
