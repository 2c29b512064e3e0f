//! Supabase's database advisors (splinter's SQL lints, shown in the dashboard), decided on the schema model
//! before deploy. One rule, one file; each names the splinter lint it mirrors.
//!
//! A finding sits on the statement that established the state (the `CREATE TABLE` never followed by
//! `ENABLE ROW LEVEL SECURITY`, the policy, the view, the function) with related locations for the rest.
//! Objects the model marks unknown are never reported.
//!
//! [`verdicts`] gives each advisor's flagged objects under splinter's names; `CATALOG_VERDICTS_SQL` computes
//! the same from a live catalog, and the real-PostgreSQL differential test requires both to agree.

mod auth_rls_initplan;
mod auth_users_exposed;
mod function_search_path_mutable;
mod multiple_permissive_policies;
mod policy_exists_rls_disabled;
mod rls_disabled_in_public;
mod rls_enabled_no_policy;
mod rls_policy_always_true;
mod rls_references_user_metadata;
mod security_definer_function_executable;
mod security_definer_view;

use std::path::Path;
use std::sync::Arc;

use rlscope_core::{Finding, RuleMeta};

use crate::schema::{Policy, SchemaModel, SqlSource, SrcLoc};

/// The same verdicts computed from a live catalog (for the real-PostgreSQL differential test).
pub const CATALOG_VERDICTS_SQL: &str = include_str!("catalog.sql");

/// Every advisor rule, in splinter's order.
pub fn all() -> Vec<&'static RuleMeta> {
    vec![
        &auth_users_exposed::META,
        &auth_rls_initplan::META,
        &multiple_permissive_policies::META,
        &policy_exists_rls_disabled::META,
        &rls_enabled_no_policy::META,
        &security_definer_view::META,
        &function_search_path_mutable::META,
        &rls_disabled_in_public::META,
        &rls_references_user_metadata::META,
        &rls_policy_always_true::META,
        &security_definer_function_executable::META,
    ]
}

/// A finding of a project-level rule: the file it belongs to, and the object (`schema.name`,
/// `schema.table "policy"`, `schema.function(args)`) with the splinter lint names it is a verdict for.
#[derive(Clone, Debug)]
pub struct ProjectFinding {
    pub path: Arc<Path>,
    pub finding: Finding,
    pub object: String,
    /// The name (without schema) of the table, view or function the finding is about: an object's findings
    /// depend on that object alone, so a rebuild keeps those of objects it did not recompute.
    pub name: String,
    pub lints: Vec<&'static str>,
}

pub(crate) struct Ctx<'a> {
    pub model: &'a SchemaModel,
    /// Each source's text by path.
    pub texts: std::collections::HashMap<&'a Path, &'a str>,
    pub out: Vec<ProjectFinding>,
}

impl Ctx<'_> {
    /// The file text behind `loc`, when `loc`'s bytes are exactly `expected` (so an edit can be made).
    pub fn verbatim(&self, loc: &SrcLoc, expected: &str) -> bool {
        self.texts
            .get(&*loc.path)
            .and_then(|text| text.get(loc.range.as_usize()))
            .is_some_and(|t| t == expected)
    }

    pub fn text_of(&self, path: &Path) -> Option<&str> {
        self.texts.get(path).copied()
    }

    #[allow(clippy::too_many_arguments)]
    pub fn report(
        &mut self,
        meta: &'static RuleMeta,
        at: &SrcLoc,
        message: String,
        related: Vec<(&SrcLoc, String)>,
        object: String,
        name: &str,
        lints: Vec<&'static str>,
    ) -> &mut Finding {
        let mut f = Finding::new(meta.id, meta.default_severity, at.range, message);
        for (loc, msg) in related {
            f = f.with_related(loc.path.to_path_buf(), loc.range, msg);
        }
        self.out.push(ProjectFinding {
            path: at.path.clone(),
            finding: f,
            object,
            name: name.to_string(),
            lints,
        });
        &mut self.out.last_mut().expect("just pushed").finding
    }
}

/// All advisor findings on `model` (built from `sources`, which give the text for fixes).
pub fn check(model: &SchemaModel, sources: &[SqlSource]) -> Vec<ProjectFinding> {
    let mut cx = Ctx {
        model,
        texts: sources
            .iter()
            .map(|s| (s.path.as_path(), &*s.text))
            .collect(),
        out: Vec::new(),
    };
    auth_users_exposed::check(&mut cx);
    auth_rls_initplan::check(&mut cx);
    multiple_permissive_policies::check(&mut cx);
    policy_exists_rls_disabled::check(&mut cx);
    rls_enabled_no_policy::check(&mut cx);
    security_definer_view::check(&mut cx);
    function_search_path_mutable::check(&mut cx);
    rls_disabled_in_public::check(&mut cx);
    rls_references_user_metadata::check(&mut cx);
    rls_policy_always_true::check(&mut cx);
    security_definer_function_executable::check(&mut cx);
    sort(&mut cx.out);
    cx.out
}

/// By file and position, then rule and message: an order that does not depend on the order the objects were
/// checked in, so findings merged from two checks sort like those of one.
pub(crate) fn sort(findings: &mut [ProjectFinding]) {
    findings.sort_by(|a, b| {
        (
            &a.path,
            a.finding.range.start,
            a.finding.range.end,
            a.finding.rule,
            &a.finding.message,
            &a.object,
        )
            .cmp(&(
                &b.path,
                b.finding.range.start,
                b.finding.range.end,
                b.finding.rule,
                &b.finding.message,
                &b.object,
            ))
    });
}

/// Each advisor's verdicts under splinter's lint names: `(lint, object)`.
pub fn verdicts(model: &SchemaModel) -> Vec<(&'static str, String)> {
    let mut v: Vec<(&'static str, String)> = check(model, &[])
        .into_iter()
        .flat_map(|f| {
            let obj = f.object;
            f.lints.into_iter().map(move |l| (l, obj.clone()))
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Schemas splinter leaves out (Supabase's own and extensions').
pub(crate) const EXCLUDED_SCHEMAS: &[&str] = &[
    "_timescaledb_cache",
    "_timescaledb_catalog",
    "_timescaledb_config",
    "_timescaledb_internal",
    "auth",
    "cron",
    "extensions",
    "graphql",
    "graphql_public",
    "information_schema",
    "net",
    "pgmq",
    "pgroonga",
    "pgsodium",
    "pgsodium_masks",
    "pgtle",
    "pgbouncer",
    "pg_catalog",
    "realtime",
    "repack",
    "storage",
    "supabase_functions",
    "supabase_migrations",
    "tiger",
    "topology",
    "vault",
];

pub(crate) fn excluded(schema: &str) -> bool {
    EXCLUDED_SCHEMAS.contains(&schema)
}

/// Schemas the Data API exposes (Supabase's default: `public`).
pub(crate) fn exposed(schema: &str) -> bool {
    schema == "public"
}

/// An expression lower-cased with all whitespace and identifier quotes removed (splinter compares
/// PostgreSQL's deparsed text; this makes the source text comparable: `"auth"."uid"()` is `auth.uid()`).
pub(crate) fn norm(expr: &str) -> String {
    if expr.is_ascii() {
        return expr
            .bytes()
            .filter(|b| !(*b as char).is_whitespace() && *b != b'"')
            .map(|b| b.to_ascii_lowercase() as char)
            .collect();
    }
    expr.chars()
        .filter(|c| !c.is_whitespace() && *c != '"')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Without redundant enclosing parentheses.
pub(crate) fn strip_parens(mut s: &str) -> &str {
    loop {
        let t = s.trim();
        if t.starts_with('(') && t.ends_with(')') && balanced(&t[1..t.len() - 1]) {
            s = &t[1..t.len() - 1];
        } else {
            return t;
        }
    }
}

fn balanced(s: &str) -> bool {
    let mut d = 0i32;
    for c in s.chars() {
        match c {
            '(' => d += 1,
            ')' => {
                d -= 1;
                if d < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    d == 0
}

/// `true`, `(true)`, `1=1` as splinter's always-true patterns.
pub(crate) fn always_true(expr: Option<&str>) -> bool {
    expr.is_some_and(|e| matches!(norm(strip_parens(e)).as_str(), "true" | "1=1"))
}

pub(crate) fn table_key(schema: &str, name: &str) -> String {
    format!("{schema}.{name}")
}

pub(crate) fn policy_key(schema: &str, table: &str, p: &Policy) -> String {
    format!("{schema}.{table} \"{}\"", p.name)
}

/// `schema.name` with quotes where PostgreSQL needs them.
pub(crate) fn display_name(schema: &str, name: &str) -> String {
    let q = |s: &str| {
        if s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !s.starts_with(|c: char| c.is_ascii_digit())
        {
            s.to_string()
        } else {
            format!("\"{}\"", s.replace('"', "\"\""))
        }
    };
    format!("{}.{}", q(schema), q(name))
}
