//! The public site and its editing: pages, news, supporters, people, site map, feeds.

pub mod admin;
pub mod defaults;
pub mod feeds;
pub mod model;
pub mod routes;
pub mod store;
