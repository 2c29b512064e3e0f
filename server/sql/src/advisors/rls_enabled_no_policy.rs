//! `rls-enabled-no-policy` (splinter 0008 rls_enabled_no_policy): row level security on, and no policy.

use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::Severity;

use super::{display_name, excluded, table_key, Ctx};
use crate::schema::Tri;

pub static META: RuleMeta = RuleMeta {
    id: "rls-enabled-no-policy",
    default_severity: Severity::Warning,
    language: Language::Sql,
    summary: "A table has row level security enabled but no policy, so the API roles can do nothing with it (splinter 0008)",
    what_it_does: "Replays the project's migrations and reports each table that ends up with row level \
security enabled and no policy at all. The finding sits on the `ENABLE ROW LEVEL SECURITY` statement. This is \
Supabase's database advisor lint 0008 `rls_enabled_no_policy`, which the dashboard shows at INFO level; \
rlscope's lowest severity is warning, and `rlscope.toml` can turn it off.",
    why_bad: "With row level security on and no policy, PostgreSQL denies everything to `anon` and \
`authenticated`: selects return no rows, inserts fail with 42501, updates and deletes change nothing, all \
without an error the client notices. That is right for a table only the server touches (the service role \
bypasses RLS), and a bug when the app is meant to read it.",
    example: "create table public.notes (\n  id bigint primary key,\n  user_id uuid not null\n);\n\n\
alter table public.notes enable row level security;\n",
    use_instead: "create table public.notes (\n  id bigint primary key,\n  user_id uuid not null\n);\n\n\
alter table public.notes enable row level security;\n\ncreate policy \"Users read their own notes\"\n\
on public.notes for select\nto authenticated\nusing ((select auth.uid()) = user_id);\n",
    fix_safety: "No fix is offered: which policy is right depends on the table.",
    references: &[
        "/docs/guides/database/database-linter?lint=0008_rls_enabled_no_policy",
        "/docs/guides/database/postgres/row-level-security#creating-policies",
    ],
};

pub(crate) fn check(cx: &mut Ctx) {
    for t in &cx.model.tables {
        if t.unknown || excluded(&t.schema) || t.rls != Tri::Yes || !t.policies.is_empty() {
            continue;
        }
        let Some(at) = t.rls_enabled_at.as_ref().or(t.name_at.as_ref()) else {
            continue;
        };
        let name = display_name(&t.schema, &t.name);
        let related = t
            .defined_at
            .iter()
            .map(|d| (d, format!("`{name}` created here")))
            .collect();
        cx.report(
            &META,
            at,
            format!(
                "`{name}` has row level security enabled and no policy: anon and authenticated can \
                 neither read nor write it (only service_role can)"
            ),
            related,
            table_key(&t.schema, &t.name),
            &t.name,
            vec!["rls_enabled_no_policy"],
        );
    }
}
