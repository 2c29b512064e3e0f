//! rlscope's performance harness.
//!
//! - [`gen`]: a deterministic generator of realistic Next.js + Supabase projects with planted findings.
//! - [`harness`]: measures, on the same files, a raw tree-sitter parse of every TS/JS file (the baseline, 1.0×),
//!   `rlscope check` end to end, and `rlscope check --no-prefilter`, with 1 and 2 threads; checks that the
//!   prefilter changes no finding and that every planted finding is reported.
//! - [`schema`]: the schema model's build from a large migration set and migration edits in the workspace, each
//!   beside a baseline measured in the same run.

pub mod findings;
pub mod gen;
pub mod harness;
pub mod rng;
pub mod schema;
pub mod sys;
pub mod walk;
