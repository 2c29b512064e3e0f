//! `security-definer-view` (splinter 0010 security_definer_view): a view the API roles can read that runs
//! with its owner's rights.

use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::Severity;

use super::{display_name, exposed, table_key, Ctx};
use crate::schema::{Privs, Tri};

pub static META: RuleMeta = RuleMeta {
    id: "security-definer-view",
    default_severity: Severity::Error,
    language: Language::Sql,
    summary: "A view in the public schema runs with its owner's rights, bypassing the row level security of the tables it reads (splinter 0010)",
    what_it_does: "Replays the project's migrations and reports each view in `public` that `anon` or \
`authenticated` may select from and that is not `WITH (security_invoker = true)` (PostgreSQL 15+). The \
finding sits on the view's name in its `CREATE VIEW`. This is Supabase's database advisor lint 0010 \
`security_definer_view`.",
    why_bad: "A view runs its query as the view's owner (`postgres`, which bypasses row level security) unless \
it is a security invoker view. Reading it as `anon` returns rows the underlying tables' policies would hide \
(measured on PostgreSQL 15): the view is a hole in row level security.",
    example: "create table public.notes (\n  id bigint primary key,\n  user_id uuid not null,\n  body text\n);\n\n\
alter table public.notes enable row level security;\n\n\
create policy \"Users read their own notes\"\non public.notes for select\nto authenticated\n\
using ((select auth.uid()) = user_id);\n\n\
create view public.note_bodies as\nselect id, body from public.notes;\n",
    use_instead: "create table public.notes (\n  id bigint primary key,\n  user_id uuid not null,\n  body text\n);\n\n\
alter table public.notes enable row level security;\n\n\
create policy \"Users read their own notes\"\non public.notes for select\nto authenticated\n\
using ((select auth.uid()) = user_id);\n\n\
create view public.note_bodies\nwith (security_invoker = true) as\nselect id, body from public.notes;\n",
    fix_safety: "No fix is offered: switching a view to `security_invoker` changes which rows every reader \
sees.",
    references: &[
        "/docs/guides/database/database-linter?lint=0010_security_definer_view",
        "/docs/guides/database/postgres/row-level-security#use-security-invoker-views",
    ],
};

pub(crate) fn check(cx: &mut Ctx) {
    for v in &cx.model.views {
        if v.unknown || v.materialized || !exposed(&v.schema) || v.security_invoker != Tri::No {
            continue;
        }
        if !["anon", "authenticated"]
            .iter()
            .any(|r| v.grants.effective(r).contains(Privs::SELECT))
        {
            continue;
        }
        let Some(at) = v.name_at.as_ref() else {
            continue;
        };
        let name = display_name(&v.schema, &v.name);
        cx.report(
            &META,
            at,
            format!(
                "View `{name}` runs with its owner's rights and bypasses row level security of the tables \
                 it reads; add `with (security_invoker = true)`"
            ),
            Vec::new(),
            table_key(&v.schema, &v.name),
            &v.name,
            vec!["security_definer_view"],
        );
    }
}
