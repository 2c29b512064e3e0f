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
    check_reusing(text, &CheckMemo::default()).0
}

/// What a check of one version of a file leaves for the check of the next version: the text of every policy
/// statement written at the top level of the file that produced no finding. Such a statement produces none
/// wherever it stands in the file (what `service-role-policy` reports depends on the statement's own text
/// there), so the next check skips parsing it.
#[derive(Debug, Default)]
pub struct CheckMemo {
    clean: std::collections::HashSet<Box<str>>,
}

impl CheckMemo {
    pub(crate) fn is_clean(&self, stmt: &str) -> bool {
        self.clean.contains(stmt)
    }

    pub(crate) fn add_clean(&mut self, stmt: &str) {
        if !self.clean.contains(stmt) {
            self.clean.insert(stmt.into());
        }
    }
}

/// [`check`], skipping the policy statements `memo` knows produce no finding; also returns the memo of
/// this text.
pub fn check_reusing(text: &str, memo: &CheckMemo) -> (Vec<Finding>, CheckMemo) {
    let scan = scan::scan(text);
    let mut out = Vec::new();
    let mut next = CheckMemo::default();
    rules::service_role_policy::check_reusing(text, &scan, &mut out, memo, &mut next);
    rules::hardcoded_service_key::check(text, &mut out);
    out.sort_by_key(|f| (f.range.start, f.range.end));
    (out, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "create table public.t (id int);\n\
create policy \"a\" on public.t for select to authenticated using (kind <> 'service_role_audit');\n\
create policy \"z\" on public.t for select to authenticated using (true);\n\
create policy \"b\" on public.t for select to service_role using (true);\n\
create policy \"c\" on public.t for update to authenticated using (auth.role() = 'service_role' or id = 1);\n\
do $$ begin execute format('create policy %I on t to service_role using (true)', 'd'); end $$;\n";

    #[test]
    fn a_memo_of_the_previous_version_gives_the_findings_of_a_fresh_check() {
        let (first, memo) = check_reusing(V1, &CheckMemo::default());
        assert_eq!(first, check(V1));
        assert!(first.len() >= 3, "{first:?}");
        // the clean statement "a" is remembered, the others are not ("z" cannot name service_role, so it
        // is never parsed, nor remembered)
        assert_eq!(memo.clean.len(), 1);
        // moved, edited around, a clean statement gains service_role, a reported one is kept
        let v2 = format!(
            "-- moved\n{}\ncreate policy \"a\" on public.t for select to authenticated using (kind <> 'service_role_audit');\n",
            V1.replace(
                "\"a\" on public.t for select to authenticated",
                "\"a\" on public.t for select to authenticated, service_role"
            )
        );
        let (second, memo2) = check_reusing(&v2, &memo);
        assert_eq!(second, check(&v2));
        assert!(second.len() > first.len());
        assert_eq!(memo2.clean.len(), 1);
    }

    #[test]
    fn a_statement_the_memo_lists_as_clean_is_not_parsed_again() {
        // a memo that (wrongly) lists a reported statement shows that listed statements are skipped
        let stmt = "create policy \"b\" on public.t for select to service_role using (true);";
        let mut memo = CheckMemo::default();
        memo.add_clean(stmt);
        let (with_memo, _) = check_reusing(V1, &memo);
        let fresh = check(V1);
        assert_eq!(with_memo.len() + 1, fresh.len());
    }
}
