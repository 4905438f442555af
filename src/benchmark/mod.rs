//! The benchmark: a Smart Working self-assessment against a code of practice (DOMAIN.md, "Benchmark"),
//! compared with peers and high performers, each organisation's own figures kept private. Being built: so far
//! the framework's first version (`framework`) and the arithmetic (`scores`); the pages, the API and the
//! assessments follow (issue 18).

pub mod framework;
pub mod scores;
