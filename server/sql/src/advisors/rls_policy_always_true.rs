//! `rls-policy-always-true` (splinter 0024 rls_policy_always_true): a permissive policy for `anon` /
//! `authenticated` whose write side allows every row.

use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::Severity;

use super::{always_true, display_name, excluded, policy_key, Ctx};
use crate::schema::{PolicyCommand, Tri};

pub static META: RuleMeta = RuleMeta {
    id: "rls-policy-always-true",
    default_severity: Severity::Warning,
    language: Language::Sql,
    summary: "An UPDATE, DELETE, INSERT or ALL policy for anon/authenticated allows every row (splinter 0024)",
    what_it_does: "Replays the project's migrations and reports each permissive policy on a table with row \
level security enabled that applies to `anon`, `authenticated` or every role (`public`) and allows every row \
on its write side: `USING (true)` (or `1=1`, or no `USING`) on an UPDATE, DELETE or ALL policy, `WITH CHECK \
(true)`, an INSERT policy without `WITH CHECK`, or an UPDATE/ALL policy with `USING (true)` and no \
`WITH CHECK`. `FOR SELECT … USING (true)` is not reported: public read access is often intended. This is \
Supabase's database advisor lint 0024 `rls_policy_always_true`.",
    why_bad: "Such a policy turns row level security off for that command: any signed-in user (or anyone with \
the anon key) may change or delete every row, including other users' rows. It reads like access control, \
which makes it easy to miss in review.",
    example: "create table public.notes (\n  id bigint primary key,\n  user_id uuid not null,\n  body text\n);\n\n\
alter table public.notes enable row level security;\n\n\
create policy \"Signed-in users can edit notes\"\non public.notes for update\nto authenticated\nusing (true);\n",
    use_instead: "create table public.notes (\n  id bigint primary key,\n  user_id uuid not null,\n  body text\n);\n\n\
alter table public.notes enable row level security;\n\n\
create policy \"Users can edit their own notes\"\non public.notes for update\nto authenticated\n\
using ((select auth.uid()) = user_id)\nwith check ((select auth.uid()) = user_id);\n",
    fix_safety: "No fix is offered: the right condition depends on who owns a row.",
    references: &[
        "/docs/guides/database/database-linter?lint=0024_rls_policy_always_true",
        "/docs/guides/database/postgres/row-level-security#policies",
    ],
};

pub(crate) fn check(cx: &mut Ctx) {
    for t in &cx.model.tables {
        if t.unknown || excluded(&t.schema) || t.rls != Tri::Yes {
            continue;
        }
        for p in &t.policies {
            if !p.permissive
                || !p
                    .roles
                    .iter()
                    .any(|r| matches!(r.as_str(), "public" | "anon" | "authenticated"))
            {
                continue;
            }
            let using_true = always_true(p.using.as_deref());
            let check_true = always_true(p.with_check.as_deref());
            let writes = matches!(
                p.command,
                PolicyCommand::Update | PolicyCommand::Delete | PolicyCommand::All
            );
            let permissive_using = writes && (using_true || p.using.is_none());
            let permissive_check = check_true
                || (p.with_check.is_none() && p.command == PolicyCommand::Insert)
                || (p.with_check.is_none()
                    && matches!(p.command, PolicyCommand::Update | PolicyCommand::All)
                    && using_true);
            if !(permissive_using || permissive_check) {
                continue;
            }
            let at = if permissive_using {
                p.using_at.as_ref()
            } else {
                p.with_check_at.as_ref().or(p.using_at.as_ref())
            }
            .unwrap_or(&p.name_at);
            let what = match (permissive_using, p.using.is_some()) {
                (true, true) => "its USING allows every row",
                (true, false) => "it has no USING, so every row is allowed",
                _ if p.with_check.is_none() => "it has no WITH CHECK, so every new row is allowed",
                _ => "its WITH CHECK allows every row",
            };
            let table = display_name(&t.schema, &t.name);
            let related = vec![(&p.at, format!("policy \"{}\" defined here", p.name))];
            cx.report(
                &META,
                at,
                format!(
                    "Policy \"{}\" ({} on `{table}`, for {}) is always true: {what}",
                    p.name,
                    p.command.as_str(),
                    p.roles.join(", ")
                ),
                related,
                policy_key(&t.schema, &t.name, p),
                &t.name,
                vec!["rls_policy_always_true"],
            );
        }
    }
}
