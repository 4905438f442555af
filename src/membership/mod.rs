//! Membership: applications checked by the eligibility engine, the organisers' review, organisations, and the
//! member directory.

pub mod consent;
pub mod directory;
pub mod eligibility;
pub mod groups;
pub mod import;
pub mod model;
pub mod organisations;
pub mod privacy;
pub mod profile;
pub mod renewal;
pub mod review;
pub mod routes;
pub mod service;
pub mod store;
pub mod term;
