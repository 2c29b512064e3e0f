//! `multiple-permissive-policies` (splinter 0006 multiple_permissive_policies): several permissive policies
//! for the same role and command on one table.

use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::Severity;

use super::{display_name, excluded, table_key, Ctx};
use crate::schema::PolicyCommand;

pub static META: RuleMeta = RuleMeta {
    id: "multiple-permissive-policies",
    default_severity: Severity::Warning,
    language: Language::Sql,
    summary: "A table has several permissive policies for the same role and command, each evaluated for every row (splinter 0006)",
    what_it_does: "Replays the project's migrations and reports each table where more than one permissive \
policy applies to the same role (a policy `TO public` applies to every role; roles that bypass row level \
security are left out) for the same command (`FOR ALL` counts for each). The finding sits on the second \
policy, with the first as a related location. This is Supabase's database advisor lint 0006 \
`multiple_permissive_policies`.",
    why_bad: "PostgreSQL ORs permissive policies and evaluates every one of them for every row. Two policies \
that could be one (`using (a or b)`) cost twice, and the overlap makes it hard to see what a role may do.",
    example: "create table public.notes (\n  id bigint primary key,\n  user_id uuid not null,\n  \
published boolean not null default false\n);\n\nalter table public.notes enable row level security;\n\n\
create policy \"Users read their own notes\"\non public.notes for select\nto authenticated\n\
using ((select auth.uid()) = user_id);\n\ncreate policy \"Users read published notes\"\non public.notes \
for select\nto authenticated\nusing (published);\n",
    use_instead: "create table public.notes (\n  id bigint primary key,\n  user_id uuid not null,\n  \
published boolean not null default false\n);\n\nalter table public.notes enable row level security;\n\n\
create policy \"Users read their own or published notes\"\non public.notes for select\nto authenticated\n\
using ((select auth.uid()) = user_id or published);\n",
    fix_safety: "No fix is offered: merging policies means combining their expressions by hand.",
    references: &[
        "/docs/guides/database/database-linter?lint=0006_multiple_permissive_policies",
        "/docs/guides/database/postgres/row-level-security#policies",
    ],
};

/// Roles that bypass row level security (never counted), and role names splinter leaves out.
fn ignored_role(r: &str) -> bool {
    matches!(r, "service_role" | "postgres" | "supabase_admin")
        || r.starts_with("pg_")
        || (r.starts_with("supabase") && r.ends_with("admin"))
}

const COMMANDS: &[PolicyCommand] = &[
    PolicyCommand::Select,
    PolicyCommand::Insert,
    PolicyCommand::Update,
    PolicyCommand::Delete,
];

pub(crate) fn check(cx: &mut Ctx) {
    for t in &cx.model.tables {
        if t.unknown || excluded(&t.schema) {
            continue;
        }
        let permissive: Vec<_> = t.policies.iter().filter(|p| p.permissive).collect();
        if permissive.len() < 2 {
            continue;
        }
        // Every role a policy can apply to: the API roles, the roles policies name, and "a role that only
        // `public` policies reach" (authenticator, dashboard_user, …).
        let mut roles: Vec<&str> = vec!["anon", "authenticated"];
        for p in &permissive {
            for r in &p.roles {
                if r != "public" && !ignored_role(r) && !roles.contains(&r.as_str()) {
                    roles.push(r);
                }
            }
        }
        roles.push("");
        let mut hit = None;
        'outer: for cmd in COMMANDS {
            for role in &roles {
                let applying: Vec<_> = permissive
                    .iter()
                    .filter(|p| {
                        p.command.covers(*cmd)
                            && p.roles
                                .iter()
                                .any(|r| r == "public" || (!role.is_empty() && r == role))
                    })
                    .collect();
                if applying.len() > 1 {
                    hit = Some((*cmd, *role, applying[0], applying[1]));
                    break 'outer;
                }
            }
        }
        let Some((cmd, role, first, second)) = hit else {
            continue;
        };
        let table = display_name(&t.schema, &t.name);
        let role = if role.is_empty() { "every role" } else { role };
        cx.report(
            &META,
            &second.name_at,
            format!(
                "`{table}` has several permissive {} policies for {role}: \"{}\" and \"{}\" are both \
                 evaluated for every row; combine them into one",
                cmd.as_str(),
                first.name,
                second.name
            ),
            vec![(&first.name_at, format!("policy \"{}\" defined here", first.name))],
            table_key(&t.schema, &t.name),
            &t.name,
            vec!["multiple_permissive_policies"],
        );
    }
}
