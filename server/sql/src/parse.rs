//! The PostgreSQL grammar and the queries we own (`grammars/postgres/*.scm`), loaded once.

use std::cell::RefCell;
use std::sync::OnceLock;

use tree_sitter::{Language, Parser, Query, Tree};

/// `grammars/postgres/policy.scm`: the parts of a policy statement.
pub const POLICY_QUERY_SOURCE: &str = include_str!("../../../grammars/postgres/policy.scm");

/// Every query file with the grammar it is written for (for the test that each compiles).
pub const QUERIES: &[(&str, &str)] = &[("grammars/postgres/policy.scm", POLICY_QUERY_SOURCE)];

pub fn language() -> Language {
    tree_sitter_postgres::LANGUAGE.into()
}

pub struct PolicyQuery {
    pub query: Query,
    pub create: u32,
    pub alter: u32,
    pub name: u32,
    pub table: u32,
    pub mode: u32,
    pub roles: u32,
    pub using: u32,
    pub check: u32,
}

pub fn policy_query() -> &'static PolicyQuery {
    static Q: OnceLock<PolicyQuery> = OnceLock::new();
    Q.get_or_init(|| {
        let query = Query::new(&language(), POLICY_QUERY_SOURCE)
            .expect("grammars/postgres/policy.scm compiles (tested)");
        let idx = |name: &str| {
            query
                .capture_index_for_name(name)
                .unwrap_or_else(|| panic!("policy.scm has a @{name} capture"))
        };
        PolicyQuery {
            create: idx("create"),
            alter: idx("alter"),
            name: idx("name"),
            table: idx("table"),
            mode: idx("mode"),
            roles: idx("roles"),
            using: idx("using"),
            check: idx("check"),
            query,
        }
    })
}

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Parse one statement with the PostgreSQL grammar (one parser per thread, reused).
pub fn parse(text: &str) -> Option<Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let parser = slot.get_or_insert_with(|| {
            let mut p = Parser::new();
            p.set_language(&language())
                .expect("tree-sitter-postgres matches the tree-sitter ABI");
            p
        });
        parser.parse(text, None)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_compiles_against_its_grammar() {
        for (path, source) in QUERIES {
            if let Err(e) = Query::new(&language(), source) {
                panic!("{path}: {e}");
            }
        }
        let q = policy_query();
        assert_eq!(q.query.pattern_count(), 7);
    }
}
