//! `service-role-policy`: a `CREATE POLICY` / `ALTER POLICY` that targets or tests `service_role`.
//!
//! The service role has BYPASSRLS: PostgreSQL never evaluates a row level security policy for it. A policy
//! `TO service_role` therefore never runs, `service_role` in a longer role list does nothing, and an
//! expression that tests for it (`auth.role() = 'service_role'`, `auth.jwt() ->> 'role' = …`,
//! `current_user = …`) is false every time the policy does run.

use std::ops::Range;

use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::{Applicability, Edit, Finding, Fix, Severity, TextRange};
use tree_sitter::{Node, QueryCursor, StreamingIterator};

use crate::expr::{self, Expr, Kind};
use crate::parse;
use crate::scan::{Fragment, PolicyStmt, Scan};
use crate::CheckMemo;

pub static SERVICE_ROLE_POLICY: RuleMeta = RuleMeta {
    id: "service-role-policy",
    default_severity: Severity::Warning,
    language: Language::Sql,
    summary: "A row level security policy targets or tests service_role, which bypasses RLS",
    what_it_does: "Reports `CREATE POLICY` and `ALTER POLICY` statements that target the `service_role` \
role (`TO service_role`, alone or in a list of roles) or test for it in `USING` / `WITH CHECK` \
(`auth.role() = 'service_role'`, `auth.jwt() ->> 'role' = 'service_role'`, `current_user = 'service_role'`, \
also with casts, reversed, inside `(select …)`, in `IN (…)` lists and in `OR` branches). Policies that a \
`DO` block or a PL/pgSQL function or procedure body creates, directly or through \
`EXECUTE format('create policy …')`, are checked too: the function creates them whenever it is called.",
    why_bad: "The `service_role` role has the `BYPASSRLS` attribute: PostgreSQL never evaluates row level \
security policies for it. A policy `TO service_role` never runs; `service_role` added to a list of roles \
does nothing; a test for `service_role` is false every time the policy does run, so an `OR` branch with it \
never decides anything and a policy whose whole expression is that test allows nothing. Such policies are \
usually written to \"fix\" an RLS error of a client that is not running as `service_role` at all (a \
service key client that picked up a user's session or `Authorization` header): the policy does not \
help that client, and it sits in the migrations looking like access control that does not exist.\n\n\
`GRANT` and `REVOKE` are not reported: table privileges still apply to `service_role`. Neither are \
`auth.role()` checks inside functions and triggers, which do run for it.",
    example: "alter table public.orders enable row level security;\n\
\n\
-- Let the server's service_role client read every order.\n\
create policy \"Service role can read orders\"\n\
on public.orders\n\
for select\n\
to service_role\n\
using (true);\n",
    use_instead: "alter table public.orders enable row level security;\n\
\n\
-- service_role bypasses row level security: it needs no policy.\n\
-- Policies say what signed-in users may do.\n\
create policy \"Users can read their own orders\"\n\
on public.orders\n\
for select\n\
to authenticated\n\
using ((select auth.uid()) = user_id);\n",
    fix_safety: "Removing `service_role` from a role list that also names other roles is safe: the policy \
behaves exactly as before. Deleting a policy whose only role is `service_role` (or whose expression only \
passes for it), and deleting a `service_role` term from an expression, are unsafe: they also change what \
the statement says, and a policy that is deleted from a migration that already ran stays in the database \
until a new migration drops it.",
    references: &[
        "/docs/guides/database/postgres/row-level-security#bypassing-row-level-security",
        "/docs/guides/troubleshooting/why-is-my-service-role-key-client-getting-rls-errors-or-not-returning-data-7_1K9z",
        "/docs/guides/database/postgres/roles",
        "/docs/guides/getting-started/api-keys",
    ],
};

/// Whether a role name (as written) is `service_role`: unquoted names fold to lower case, quoted ones not.
fn is_service_role_name(text: &str) -> bool {
    let parts = expr::identifier_parts(text);
    parts.len() == 1 && parts[0] == "service_role"
}

/// What one policy statement looks like after parsing.
struct Policy<'a> {
    frag: &'a Fragment,
    /// Offset of the statement in the fragment (tree offsets are relative to it).
    base: usize,
    stmt: &'a PolicyStmt,
    text: &'a str,
    alter: bool,
    restrictive: bool,
    has_error: bool,
    desc: String,
}

impl Policy<'_> {
    fn file_range(&self, r: Range<usize>) -> TextRange {
        let fr = self
            .frag
            .range_to_file(self.base + r.start..self.base + r.end);
        TextRange::new(fr.start, fr.end)
    }

    /// An edit that deletes `r` (statement-relative), if the fragment's bytes are the file's bytes there.
    fn delete(&self, r: Range<usize>) -> Option<Edit> {
        let fr = self.base + r.start..self.base + r.end;
        if self.has_error || !self.frag.is_deletable(fr.clone()) {
            return None;
        }
        let fr = self.frag.range_to_file(fr);
        Some(Edit {
            range: TextRange::new(fr.start, fr.end),
            replacement: String::new(),
        })
    }

    /// Delete the whole statement, with its line(s) when it stands alone on them.
    fn delete_statement(&self, file: &str) -> Option<Fix> {
        if self.alter || !self.stmt.top_level || self.has_error {
            return None;
        }
        let r = self.frag.range_to_file(self.stmt.range.clone());
        let (mut start, mut end) = (r.start as usize, r.end as usize);
        let b = file.as_bytes();
        let line_start = file[..start].rfind(['\n', '\r']).map_or(0, |p| p + 1);
        if file[line_start..start]
            .bytes()
            .all(|c| c == b' ' || c == b'\t')
        {
            let mut e = end;
            while e < b.len() && (b[e] == b' ' || b[e] == b'\t') {
                e += 1;
            }
            if e == b.len() || b[e] == b'\n' || b[e] == b'\r' {
                start = line_start;
                end = e;
                if b.get(end) == Some(&b'\r') {
                    end += 1;
                }
                if b.get(end) == Some(&b'\n') {
                    end += 1;
                }
            }
        }
        Some(Fix {
            title: "Remove the policy".to_string(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                range: TextRange::from_usize(start, end),
                replacement: String::new(),
            }],
        })
    }
}

/// Collapse whitespace and cut long text for messages.
fn snippet(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() > 60 {
        let cut: String = collapsed.chars().take(57).collect();
        format!("{cut}…")
    } else {
        collapsed
    }
}

pub fn check(file: &str, scan: &Scan, out: &mut Vec<Finding>) {
    check_reusing(
        file,
        scan,
        out,
        &CheckMemo::default(),
        &mut CheckMemo::default(),
    );
}

/// [`check`], skipping the statements of the file's own text that `memo` lists as clean; records in `next`
/// those of this text that are.
pub(crate) fn check_reusing(
    file: &str,
    scan: &Scan,
    out: &mut Vec<Finding>,
    memo: &CheckMemo,
    next: &mut CheckMemo,
) {
    for stmt in &scan.policies {
        let frag = &scan.fragments[stmt.fragment];
        let text = &frag.text[stmt.range.clone()];
        if !may_name_service_role(text) {
            continue;
        }
        // a statement of the file's own text: its findings depend on its text alone (and their ranges on
        // where it stands); one that had none before has none now
        let plain = frag.is_file_text();
        if plain && memo.is_clean(text) {
            next.add_clean(text);
            continue;
        }
        let before = out.len();
        check_statement(file, frag, stmt, text, out);
        if plain && out.len() == before {
            next.add_clean(text);
        }
    }
}

/// Whether `text` can name `service_role` at all: every finding of this rule is about a role name or a string
/// equal to `service_role`, which the text spells out (`service_role`, `SERVICE_ROLE`, `"service_role"`,
/// `'service_role'`) unless an escape writes it (`E'\163ervice_role'`, `U&"\0073ervice_role"`, `UESCAPE`).
/// A statement without any of these is not parsed.
fn may_name_service_role(text: &str) -> bool {
    let has = |needle: &[u8]| {
        text.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    has(b"service_role") || text.contains('\\') || has(b"uescape")
}

fn check_statement(
    file: &str,
    frag: &Fragment,
    stmt: &PolicyStmt,
    text: &str,
    out: &mut Vec<Finding>,
) {
    let q = parse::policy_query();
    let mut cursor = QueryCursor::new();
    let Some(tree) = parse::parse(text) else {
        return;
    };
    let root = tree.root_node();

    let mut stmt_node = None;
    let mut alter = false;
    let mut name = None;
    let mut table = None;
    let mut mode = None;
    let mut roles = None;
    let mut clauses: Vec<(&str, Node)> = Vec::new();
    let mut matches = cursor.matches(&q.query, root, text.as_bytes());
    while let Some(m) = matches.next() {
        for c in m.captures() {
            let i = c.index;
            if i == q.create || i == q.alter {
                if stmt_node.is_none() {
                    stmt_node = Some(c.node);
                    alter = i == q.alter;
                }
            } else if i == q.name && name.is_none() {
                name = Some(c.node);
            } else if i == q.table && table.is_none() {
                table = Some(c.node);
            } else if i == q.mode {
                mode = Some(c.node);
            } else if i == q.roles && roles.is_none() {
                roles = Some(c.node);
            } else if i == q.using {
                clauses.push(("USING", c.node));
            } else if i == q.check {
                clauses.push(("WITH CHECK", c.node));
            }
        }
    }
    if stmt_node.is_none() {
        // Not a policy statement this grammar understands (e.g. ALTER POLICY … RENAME TO).
        return;
    }

    let known = |n: Node| {
        let r = stmt.range.start + n.start_byte()..stmt.range.start + n.end_byte();
        !n.has_error() && !frag.overlaps_placeholder(r)
    };
    let name_text = name
        .filter(|n| known(*n))
        .map(|n| expr::identifier_parts(&text[n.byte_range()]).join("."));
    let table_text = table
        .filter(|n| known(*n))
        .map(|n| snippet(&text[n.byte_range()]));
    let mut desc = match (name_text, table_text) {
        (Some(n), Some(t)) => format!("policy \"{n}\" on {t}"),
        (Some(n), None) => format!("policy \"{n}\""),
        (None, Some(t)) => format!("the policy on {t}"),
        (None, None) if frag.dynamic => "a policy built by EXECUTE".to_string(),
        (None, None) => "the policy".to_string(),
    };
    if frag.dynamic && !desc.ends_with("EXECUTE") {
        desc.push_str(" (built by EXECUTE)");
    }
    let restrictive =
        mode.is_some_and(|n| expr::identifier_parts(&text[n.byte_range()]) == ["restrictive"]);
    let policy = Policy {
        frag,
        base: stmt.range.start,
        stmt,
        text,
        alter,
        restrictive,
        has_error: root.has_error(),
        desc,
    };

    let only_service_role = roles.is_some_and(|r| check_roles(&policy, r, file, out));
    if only_service_role {
        // The policy never runs: what its expressions say does not matter.
        return;
    }
    check_clauses(&policy, &clauses, file, out);
}

/// Report `service_role` in the role list. Returns whether it is the only role.
fn check_roles(p: &Policy, list: Node, file: &str, out: &mut Vec<Finding>) -> bool {
    if list.has_error() {
        return false;
    }
    let roles = expr::flatten_list(list);
    let service: Vec<usize> = (0..roles.len())
        .filter(|&i| is_service_role_name(&p.text[roles[i].byte_range()]))
        .collect();
    if service.is_empty() {
        return false;
    }
    if service.len() == roles.len() {
        let node = roles[service[0]];
        let message = if p.alter {
            format!(
                "ALTER POLICY makes {} apply only to service_role, which bypasses row level security: the policy never runs",
                p.desc
            )
        } else {
            format!(
                "{} applies only to service_role, which bypasses row level security: the policy never runs",
                capitalize(&p.desc)
            )
        };
        let mut f = Finding::new(
            SERVICE_ROLE_POLICY.id,
            SERVICE_ROLE_POLICY.default_severity,
            p.file_range(node.byte_range()),
            message,
        );
        if let Some(fix) = p.delete_statement(file) {
            f = f.with_fix(fix);
        }
        out.push(f);
        return true;
    }
    for &i in &service {
        let node = roles[i];
        // Delete the role and the comma before it (or after it, for the first role).
        let del = if i > 0 {
            roles[i - 1].end_byte()..node.end_byte()
        } else {
            node.start_byte()..roles[i + 1].start_byte()
        };
        let mut f = Finding::new(
            SERVICE_ROLE_POLICY.id,
            SERVICE_ROLE_POLICY.default_severity,
            p.file_range(node.byte_range()),
            format!(
                "service_role in the roles of {} does nothing: service_role bypasses row level security, so the policy never runs for it",
                p.desc
            ),
        );
        // Only when no other service_role entry would be left behind in an overlapping edit.
        if service.len() == 1 {
            if let Some(edit) = p.delete(del) {
                f = f.with_fix(Fix {
                    title: "Remove `service_role` from the role list".to_string(),
                    applicability: Applicability::Safe,
                    edits: vec![edit],
                });
            }
        }
        out.push(f);
    }
    false
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `auth.role()`, `auth.jwt() ->> 'role'`, `current_user`, … : an expression whose value is the role of
/// the request.
fn is_role_source(e: &Expr) -> bool {
    match &e.kind {
        Kind::SessionRole => true,
        // auth.role(); current_setting('request.jwt.claim.role') (what auth.role() read before
        // request.jwt.claims existed); current_setting('role') (the role PostgREST switched to).
        // coalesce(auth.role(), '') = 'service_role'
        Kind::Call { name, args }
            if name.last().is_some_and(|n| n == "coalesce")
                && args.first().is_some_and(is_role_source) =>
        {
            true
        }
        Kind::Call { name, args } => {
            (name == &["auth", "role"] && args.is_empty())
                || (name.last().is_some_and(|n| n == "current_setting")
                    && args.first().is_some_and(|a| {
                        matches!(&a.kind, Kind::Str(s) if s == "request.jwt.claim.role" || s == "role")
                    }))
        }
        Kind::Op { op, l, r } if op == "->>" => {
            let key_is_role = matches!(&r.kind, Kind::Str(s) if s == "role");
            let claims =
                match &l.kind {
                    Kind::Call { name, args } => (name == &["auth", "jwt"] && args.is_empty())
                        || (name.last().is_some_and(|n| n == "current_setting")
                            && args.first().is_some_and(
                                |a| matches!(&a.kind, Kind::Str(s) if s == "request.jwt.claims"),
                            )),
                    _ => false,
                };
            key_is_role && claims
        }
        _ => false,
    }
}

fn is_service_role_str(e: &Expr) -> bool {
    matches!(&e.kind, Kind::Str(s) if s == "service_role")
}

enum Test<'e> {
    /// The whole expression is true only for service_role.
    Whole,
    /// `role IN (…, 'service_role', …)`: this item never matches.
    Item(&'e [Expr], usize),
}

fn list_test(items: &[Expr]) -> Option<Test<'_>> {
    let svc: Vec<usize> = (0..items.len())
        .filter(|&i| is_service_role_str(&items[i]))
        .collect();
    match svc.len() {
        0 => None,
        n if n == items.len() => Some(Test::Whole),
        _ => Some(Test::Item(items, svc[0])),
    }
}

fn service_role_test(e: &Expr) -> Option<Test<'_>> {
    match &e.kind {
        Kind::Op { op, l, r } if op == "=" => {
            if (is_role_source(l) && is_service_role_str(r))
                || (is_service_role_str(l) && is_role_source(r))
            {
                return Some(Test::Whole);
            }
            // role = ANY (ARRAY['service_role', …])  (what pg_dump writes for IN)
            if is_role_source(l) {
                if let Kind::Call { name, args } = &r.kind {
                    if name == &["any"] && args.len() == 1 {
                        if let Kind::Array(items) = &args[0].kind {
                            return list_test(items);
                        }
                    }
                }
            }
            None
        }
        Kind::In {
            l,
            items,
            negated: false,
        } if is_role_source(l) => list_test(items),
        _ => None,
    }
}

fn check_clauses(p: &Policy, clauses: &[(&str, Node)], file: &str, out: &mut Vec<Finding>) {
    let mut whole_false = 0;
    let mut pending_whole: Vec<Finding> = Vec::new();
    for (clause, node) in clauses {
        let e = expr::lower(*node, p.text, 0);
        let mut ancestors = Vec::new();
        let before = out.len();
        let whole = walk(p, clause, &e, &mut ancestors, out);
        if let Some(f) = whole {
            whole_false += 1;
            pending_whole.push(f);
        }
        debug_assert!(out.len() >= before);
    }
    // Offer deleting the policy only when every expression it has allows nothing.
    let delete = (whole_false == clauses.len() && !p.restrictive)
        .then(|| p.delete_statement(file))
        .flatten();
    for mut f in pending_whole {
        if let Some(fix) = &delete {
            f = f.with_fix(fix.clone());
        }
        out.push(f);
    }
}

/// Walk the AND/OR structure of one clause. Findings for terms in an `OR` are pushed to `out`; a term that
/// makes the whole clause false is returned instead (its fix depends on the other clauses).
fn walk<'e>(
    p: &Policy,
    clause: &str,
    e: &'e Expr,
    ancestors: &mut Vec<&'e Expr>,
    out: &mut Vec<Finding>,
) -> Option<Finding> {
    if let Some(test) = service_role_test(e) {
        return report_test(p, clause, e, test, ancestors, out);
    }
    match &e.kind {
        Kind::And(l, r) | Kind::Or(l, r) => {
            ancestors.push(e);
            let a = walk(p, clause, l, ancestors, out);
            let b = walk(p, clause, r, ancestors, out);
            ancestors.pop();
            a.or(b)
        }
        _ => None,
    }
}

fn report_test(
    p: &Policy,
    clause: &str,
    term: &Expr,
    test: Test,
    ancestors: &[&Expr],
    out: &mut Vec<Finding>,
) -> Option<Finding> {
    let term_text = snippet(&p.text[term.core.clone()]);
    if let Test::Item(items, i) = test {
        let item = &items[i];
        let del = if i > 0 {
            items[i - 1].range.end..item.range.end
        } else {
            item.range.start..items[i + 1].range.start
        };
        let mut f = Finding::new(
            SERVICE_ROLE_POLICY.id,
            SERVICE_ROLE_POLICY.default_severity,
            p.file_range(item.core.clone()),
            format!(
                "'service_role' in `{term_text}` never matches when {} runs: service_role bypasses row level security",
                p.desc
            ),
        );
        if let Some(edit) = p.delete(del) {
            f = f.with_fix(Fix {
                title: "Remove 'service_role' from the list".to_string(),
                applicability: Applicability::Unsafe,
                edits: vec![edit],
            });
        }
        out.push(f);
        return None;
    }
    // Climb through ANDs (false AND x is false) to the nearest OR.
    let mut cur = term;
    for anc in ancestors.iter().rev() {
        match &anc.kind {
            Kind::And(..) => cur = anc,
            Kind::Or(l, r) => {
                let is_term = std::ptr::eq(cur, term);
                let del = if std::ptr::eq(&**r, cur) {
                    l.range.end..cur.range.end
                } else {
                    cur.range.start..r.range.start
                };
                let what = if is_term {
                    "this term of the OR never decides anything"
                } else {
                    "this branch of the OR never decides anything"
                };
                let mut f = Finding::new(
                    SERVICE_ROLE_POLICY.id,
                    SERVICE_ROLE_POLICY.default_severity,
                    p.file_range(term.core.clone()),
                    format!(
                        "`{term_text}` is false whenever {} runs, because service_role bypasses row level security: {what}",
                        p.desc
                    ),
                );
                if let Some(edit) = p.delete(del) {
                    f = f.with_fix(Fix {
                        title: if is_term {
                            "Remove the service_role term".to_string()
                        } else {
                            "Remove the OR branch that tests service_role".to_string()
                        },
                        applicability: Applicability::Unsafe,
                        edits: vec![edit],
                    });
                }
                out.push(f);
                return None;
            }
            _ => return None,
        }
    }
    // The whole clause is false for every role the policy runs for.
    let effect = if p.restrictive {
        "it blocks every role the policy applies to"
    } else {
        "it allows nothing"
    };
    Some(Finding::new(
        SERVICE_ROLE_POLICY.id,
        SERVICE_ROLE_POLICY.default_severity,
        p.file_range(term.core.clone()),
        format!(
            "The {clause} expression of {} only passes for service_role (`{term_text}`), which bypasses row level security: {effect}",
            p.desc
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every statement parsed and checked, as without [`may_name_service_role`].
    fn check_every_statement(file: &str) -> Vec<Finding> {
        let scan = crate::scan::scan(file);
        let mut out = Vec::new();
        for stmt in &scan.policies {
            let frag = &scan.fragments[stmt.fragment];
            check_statement(file, frag, stmt, &frag.text[stmt.range.clone()], &mut out);
        }
        out
    }

    #[test]
    fn skipping_statements_that_cannot_name_service_role_loses_no_finding() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = 0;
        let mut findings = 0;
        for dir in [
            "tests/fixtures/valid",
            "tests/fixtures/invalid",
            "tests/fixtures/advisors/valid",
            "tests/fixtures/advisors/invalid",
            "../../examples/nextjs-supabase/supabase/migrations",
        ] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = e.unwrap().path();
                if path.extension().is_none_or(|x| x != "sql") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let mut filtered = Vec::new();
                check(&text, &crate::scan::scan(&text), &mut filtered);
                let every = check_every_statement(&text);
                assert_eq!(filtered, every, "{}", path.display());
                files += 1;
                findings += every.len();
            }
        }
        assert!(
            files >= 40 && findings >= 20,
            "{files} files, {findings} findings"
        );
    }

    #[test]
    fn the_text_test_passes_every_spelling_of_service_role() {
        for t in [
            "create policy p on t to service_role using (true)",
            "CREATE POLICY p ON t TO SERVICE_ROLE USING (true)",
            "create policy p on t to \"service_role\" using (true)",
            "create policy p on t using (auth.role() = 'service_role')",
            "create policy p on t using (auth.role() = E'\\163ervice_role')",
            "create policy p on t to U&\"!0073ervice_role\" UESCAPE '!' using (true)",
        ] {
            assert!(may_name_service_role(t), "{t}");
        }
        assert!(!may_name_service_role(
            "create policy p on t to authenticated using ((select auth.uid()) = user_id)"
        ));
    }
}
