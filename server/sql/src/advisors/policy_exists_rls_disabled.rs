//! `policy-exists-rls-disabled` (splinter 0007 policy_exists_rls_disabled): policies on a table whose row
//! level security is off, so none of them is applied.

use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::Severity;

use super::{display_name, excluded, table_key, Ctx};
use crate::schema::Tri;

pub static META: RuleMeta = RuleMeta {
    id: "policy-exists-rls-disabled",
    default_severity: Severity::Error,
    language: Language::Sql,
    summary: "A table has row level security policies, but row level security is not enabled on it (splinter 0007)",
    what_it_does: "Replays the project's migrations and reports each table that ends up with policies while \
its row level security is disabled (never enabled, or disabled later). The finding sits on the first policy; \
the `CREATE TABLE`, the other policies and any `DISABLE ROW LEVEL SECURITY` are related locations. This is \
Supabase's database advisor lint 0007 `policy_exists_rls_disabled`.",
    why_bad: "Policies only take effect once `ALTER TABLE … ENABLE ROW LEVEL SECURITY` has run. Until then \
PostgreSQL ignores them and every role with a table privilege sees and changes every row: the migration reads \
like access control that does not exist.",
    example: "create schema private;\n\ncreate table private.notes (\n  id bigint primary key,\n  \
user_id uuid not null\n);\n\ncreate policy \"Users read their own notes\"\non private.notes for select\n\
to authenticated\nusing ((select auth.uid()) = user_id);\n",
    use_instead: "create schema private;\n\ncreate table private.notes (\n  id bigint primary key,\n  \
user_id uuid not null\n);\n\nalter table private.notes enable row level security;\n\n\
create policy \"Users read their own notes\"\non private.notes for select\nto authenticated\n\
using ((select auth.uid()) = user_id);\n",
    fix_safety: "No fix is offered: enabling row level security changes what every role can do with the table.",
    references: &[
        "/docs/guides/database/database-linter?lint=0007_policy_exists_rls_disabled",
        "/docs/guides/database/postgres/row-level-security#enabling-row-level-security",
    ],
};

pub(crate) fn check(cx: &mut Ctx) {
    for t in &cx.model.tables {
        if t.unknown || excluded(&t.schema) || t.rls != Tri::No || t.policies.is_empty() {
            continue;
        }
        let name = display_name(&t.schema, &t.name);
        let first = &t.policies[0];
        let mut related = Vec::new();
        if let Some(d) = &t.defined_at {
            related.push((
                d,
                format!("`{name}` created here, without row level security"),
            ));
        }
        if let Some(off) = &t.rls_enabled_at {
            related.push((off, "row level security disabled here".to_string()));
        }
        for p in &t.policies[1..] {
            related.push((
                &p.name_at,
                format!("policy \"{}\", not applied either", p.name),
            ));
        }
        let n = t.policies.len();
        cx.report(
            &META,
            &first.name_at,
            format!(
                "`{name}` has {n} polic{} but row level security is not enabled on it: no policy is applied",
                if n == 1 { "y" } else { "ies" }
            ),
            related,
            table_key(&t.schema, &t.name),
            &t.name,
            vec!["policy_exists_rls_disabled"],
        );
    }
}
