//! Integration tests: the real server, on SQLite and on PostgreSQL, driven as a browser would drive it.

// Test code may panic: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod access;
mod api;
mod auth;
mod awards;
mod benchmark;
mod cli;
mod content;
mod faces;
mod faults;
mod first_week;
mod forum;
mod inline_reads;
mod library;
mod mail;
mod mail_faults;
mod matrix;
mod meetings;
mod membership;
mod messages;
mod networks;
mod newsletters;
mod operations;
mod personal_data;
mod policy_sql;
mod robustness;
mod schema;
mod security;
mod smtp_peer;
mod teamwork;
mod toolkit;
