//! rlscope's SQL analysis: the `service-role-policy` rule over PostgreSQL files (migrations, declarative
//! schemas, pg_dump output), and `hardcoded-service-key` on every key written in them.
//!
//! A file is first split into statements by a PostgreSQL-aware lexer ([`lexer`]), which also finds the
//! policy statements inside `DO` blocks and the SQL those blocks build as strings ([`scan`]). Each policy
//! statement is then parsed on its own with tree-sitter-postgres (generated from PostgreSQL's `gram.y`)
//! and read through the queries in `grammars/postgres/` ([`parse`]) and a small expression view
//! ([`expr`]). Ranges are byte offsets into the file's text; the engine turns them into editor positions.

pub mod advisors;
pub mod expr;
pub mod lexer;
pub mod outcome;
pub mod parse;
pub mod rules;
pub mod scan;
pub mod schema;

use rlscope_core::Finding;

pub use rules::service_role_policy::SERVICE_ROLE_POLICY;

/// All findings of the SQL rules in one `.sql` file, in file order.
pub fn check(text: &str) -> Vec<Finding> {
    let scan = scan::scan(text);
    let mut out = Vec::new();
    rules::service_role_policy::check(text, &scan, &mut out);
    rules::hardcoded_service_key::check(text, &mut out);
    out.sort_by_key(|f| (f.range.start, f.range.end));
    out
}
