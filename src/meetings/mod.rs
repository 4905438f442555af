//! The meetings programme: closed and open meetings in four formats, registration with a waitlist, joining
//! links for attendees only, reminders, calendars, and materials and feedback afterwards.

pub mod admin;
pub mod calendar;
pub mod messages;
pub mod model;
pub mod registration;
pub mod reminders;
pub mod routes;
pub mod store;
