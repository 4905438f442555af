//! The Smart Working toolkit: where and when a team's work is done, planned activity by activity.
//!
//! So far the planner's engine (`planner`), pure and tested rule by rule; team spaces, their pages and API
//! come next (issue 16).

pub mod planner;
