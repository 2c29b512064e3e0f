//! `auth-rls-initplan` (splinter 0003 auth_rls_initplan): `auth.uid()` and friends called per row in a
//! policy, instead of once through `(select auth.uid())`.

use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::{Applicability, Edit, Fix, Severity, TextRange};

use super::{display_name, excluded, norm, policy_key, Ctx};
use crate::lexer;
use crate::schema::stmt::ident_value;
use crate::schema::Tri;

pub static META: RuleMeta = RuleMeta {
    id: "auth-rls-initplan",
    default_severity: Severity::Warning,
    language: Language::Sql,
    summary: "A policy calls auth.uid(), auth.jwt(), auth.role(), auth.email() or current_setting() once per row instead of once per query (splinter 0003)",
    what_it_does: "Replays the project's migrations and reports each policy on a table with row level \
security enabled whose `USING` or `WITH CHECK` calls `auth.uid()`, `auth.jwt()`, `auth.role()`, \
`auth.email()` or `current_setting()` without wrapping it as `(select auth.uid())` (splinter's test: no \
wrapped call of that function in the expression). The finding sits on the first unwrapped call. This is \
Supabase's database advisor lint 0003 `auth_rls_initplan`.",
    why_bad: "PostgreSQL evaluates a plain function call in a policy for every row it scans. Wrapped in a \
scalar sub-select, the call becomes an init plan that runs once per statement and its result is reused: the \
same policy, often orders of magnitude faster on large tables.",
    example: "create table public.notes (\n  id bigint primary key,\n  user_id uuid not null\n);\n\n\
alter table public.notes enable row level security;\n\n\
create policy \"Users read their own notes\"\non public.notes for select\nto authenticated\n\
using (auth.uid() = user_id);\n",
    use_instead: "create table public.notes (\n  id bigint primary key,\n  user_id uuid not null\n);\n\n\
alter table public.notes enable row level security;\n\n\
create policy \"Users read their own notes\"\non public.notes for select\nto authenticated\n\
using ((select auth.uid()) = user_id);\n",
    fix_safety: "The fix wraps each unwrapped `auth.uid()`, `auth.jwt()`, `auth.role()` and `auth.email()` \
call as `(select auth.uid())`. It is safe: these functions are stable and take no arguments, so one value per \
statement is the value of every row. It is offered only when the policy's text is written as is in the file \
(not built at run time), and for the existing migration that already ran it needs a new migration to take \
effect.",
    references: &[
        "/docs/guides/database/database-linter?lint=0003_auth_rls_initplan",
        "/docs/guides/database/postgres/row-level-security#call-functions-with-select",
    ],
};

const AUTH_FUNCTIONS: &[&str] = &["uid", "jwt", "role", "email"];

/// splinter's verdict on one expression.
fn flagged(expr: &str) -> bool {
    // `auth.<f>()` for each of AUTH_FUNCTIONS, and the same wrapped
    const CALLS: [(&str, &str); 4] = [
        ("auth.uid()", "selectauth.uid()"),
        ("auth.jwt()", "selectauth.jwt()"),
        ("auth.role()", "selectauth.role()"),
        ("auth.email()", "selectauth.email()"),
    ];
    let n = norm(expr);
    CALLS
        .iter()
        .any(|(call, wrapped)| n.contains(call) && !n.contains(wrapped))
        || (n.contains("current_setting(") && !n.contains("selectcurrent_setting("))
}

/// Byte ranges (in `expr`) of `auth.<fn>()` calls not directly inside `(select …)`.
fn unwrapped_calls(expr: &str) -> Vec<std::ops::Range<usize>> {
    let toks = lexer::tokenize(expr);
    let mut out = Vec::new();
    for i in 0..toks.len() {
        let is = |k: usize, s: &str| {
            toks.get(k)
                .and_then(|t| ident_value(expr, *t))
                .is_some_and(|v| v == s)
        };
        let punct = |k: usize, c: char| toks.get(k).is_some_and(|t| t.is_punct(expr, c));
        if is(i, "auth")
            && punct(i + 1, '.')
            && toks
                .get(i + 2)
                .and_then(|t| ident_value(expr, *t))
                .is_some_and(|v| AUTH_FUNCTIONS.contains(&v.as_str()))
            && punct(i + 3, '(')
            && punct(i + 4, ')')
        {
            let wrapped = i > 0 && toks[i - 1].is_word(expr, "select");
            if !wrapped {
                out.push(toks[i].start..toks[i + 4].end);
            }
        }
    }
    out
}

pub(crate) fn check(cx: &mut Ctx) {
    for t in &cx.model.tables {
        if t.unknown || t.rls != Tri::Yes || (excluded(&t.schema) && t.schema != "realtime") {
            continue;
        }
        for p in &t.policies {
            let exprs = [(&p.using, &p.using_at), (&p.with_check, &p.with_check_at)];
            if !exprs.iter().any(|(e, _)| e.as_deref().is_some_and(flagged)) {
                continue;
            }
            let mut edits = Vec::new();
            let mut first: Option<TextRange> = None;
            let mut fixable = true;
            for (e, at) in exprs {
                let (Some(e), Some(at)) = (e, at) else {
                    continue;
                };
                let calls = unwrapped_calls(e);
                if calls.is_empty() {
                    continue;
                }
                if !cx.verbatim(at, e) {
                    fixable = false;
                }
                for c in calls {
                    let r = TextRange::new(
                        at.range.start + c.start as u32,
                        at.range.start + c.end as u32,
                    );
                    first = Some(first.map_or(r, |f| if r.start < f.start { r } else { f }));
                    edits.push(Edit {
                        range: r,
                        replacement: format!("(select {})", &e[c]),
                    });
                }
            }
            let at = match first {
                Some(r) => crate::schema::SrcLoc {
                    path: p.at.path.clone(),
                    range: r,
                },
                None => p
                    .using_at
                    .clone()
                    .or_else(|| p.with_check_at.clone())
                    .unwrap_or_else(|| p.name_at.clone()),
            };
            let table = display_name(&t.schema, &t.name);
            let f = cx.report(
                &META,
                &at,
                format!(
                    "Policy \"{}\" on `{table}` re-evaluates auth.<function>() / current_setting() for every \
                     row; wrap the call as `(select auth.uid())`",
                    p.name
                ),
                vec![(&p.at, format!("policy \"{}\" defined here", p.name))],
                policy_key(&t.schema, &t.name, p),
                &t.name,
                vec!["auth_rls_initplan"],
            );
            if fixable && !edits.is_empty() {
                f.fixes.push(Fix {
                    title: "Wrap in `(select …)` so it runs once per statement".into(),
                    applicability: Applicability::Safe,
                    edits,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splinter_verdict_and_calls() {
        assert!(flagged("auth.uid() = user_id"));
        assert!(!flagged("(select auth.uid()) = user_id"));
        assert!(!flagged("( SELECT auth.uid() AS uid) = user_id"));
        // One wrapped call of the same function is enough for splinter.
        assert!(!flagged("(select auth.uid()) = a or auth.uid() = b"));
        assert!(flagged("current_setting('app.x') = 'y'"));
        for f in AUTH_FUNCTIONS {
            assert!(flagged(&format!("auth.{f}() = x")), "{f}");
            assert!(!flagged(&format!("(select auth.{f}()) = x")), "{f}");
        }
        assert!(flagged("auth.jwt() ->> 'email' = email"));
        let e = "auth.uid() = a and (select auth.role()) = 'x' and AUTH.JWT() is not null";
        let calls: Vec<&str> = unwrapped_calls(e).into_iter().map(|r| &e[r]).collect();
        assert_eq!(calls, vec!["auth.uid()", "AUTH.JWT()"]);
        let e = "(\"auth\".\"uid\"() = \"user_id\")";
        assert!(flagged(e));
        assert_eq!(unwrapped_calls(e).len(), 1);
    }
}
