//! The knowledge library: articles organisers write ("special articles" are the members-only ones) and
//! resources (a file or a link: guides, research, templates, checklists, slides, recordings, tools), each for
//! an audience (everyone, members, one group), filed by discipline and tag, published now or at a set time.

pub mod admin;
pub mod files;
pub mod model;
pub mod routes;
pub mod store;
