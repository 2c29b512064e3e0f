//! `rls-references-user-metadata` (splinter 0015 rls_references_user_metadata): a policy that trusts
//! `user_metadata` from the JWT, which the user can edit.

use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::Severity;

use super::{display_name, excluded, norm, policy_key, Ctx};

pub static META: RuleMeta = RuleMeta {
    id: "rls-references-user-metadata",
    default_severity: Severity::Error,
    language: Language::Sql,
    summary: "A row level security policy reads user_metadata from the JWT, which users can edit themselves (splinter 0015)",
    what_it_does: "Replays the project's migrations and reports each policy whose `USING` or `WITH CHECK` reads \
`user_metadata` from `auth.jwt()` (or from `current_setting('request.jwt.claims')`). This is Supabase's \
database advisor lint 0015 `rls_references_user_metadata`.",
    why_bad: "`user_metadata` (`raw_user_meta_data`) is set by the user: `supabase.auth.updateUser({ data: { \
role: 'admin' } })` works from any browser. A policy that grants access based on it grants access to anyone \
who writes the right value. Authorization data belongs in `app_metadata`, which only the service role can \
change, or in a table of your own.",
    example: "create table public.reports (\n  id bigint primary key,\n  body text\n);\n\n\
alter table public.reports enable row level security;\n\n\
create policy \"Admins read reports\"\non public.reports for select\nto authenticated\n\
using (((select auth.jwt()) -> 'user_metadata' ->> 'role') = 'admin');\n",
    use_instead: "create table public.reports (\n  id bigint primary key,\n  body text\n);\n\n\
alter table public.reports enable row level security;\n\n\
create policy \"Admins read reports\"\non public.reports for select\nto authenticated\n\
using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin');\n",
    fix_safety: "No fix is offered: moving the data to `app_metadata` needs a change outside the policy.",
    references: &[
        "/docs/guides/database/database-linter?lint=0015_rls_references_user_metadata",
        "/docs/guides/database/postgres/row-level-security#authjwt",
    ],
};

/// splinter's patterns: `auth.jwt()` … `user_metadata`, or `current_setting(` … `request.jwt.claims` … `)`
/// … `user_metadata`.
fn reads_user_metadata(expr: &str) -> bool {
    let n = norm(expr);
    let after =
        |hay: &str, a: &str, b: &str| hay.find(a).is_some_and(|i| hay[i + a.len()..].contains(b));
    after(&n, "auth.jwt()", "user_metadata")
        || n.find("current_setting(").is_some_and(|i| {
            let rest = &n[i..];
            rest.find("request.jwt.claims")
                .is_some_and(|j| after(&rest[j..], ")", "user_metadata"))
        })
}

pub(crate) fn check(cx: &mut Ctx) {
    for t in &cx.model.tables {
        if t.unknown || excluded(&t.schema) {
            continue;
        }
        for p in &t.policies {
            let hit = [(&p.using, &p.using_at), (&p.with_check, &p.with_check_at)]
                .into_iter()
                .find(|(e, _)| e.as_deref().is_some_and(reads_user_metadata));
            let Some((_, at)) = hit else { continue };
            let at = at.as_ref().unwrap_or(&p.name_at);
            let table = display_name(&t.schema, &t.name);
            cx.report(
                &META,
                at,
                format!(
                    "Policy \"{}\" on `{table}` trusts `user_metadata` from the JWT, which any user can set \
                     for themselves; use `app_metadata` or a table",
                    p.name
                ),
                vec![(&p.at, format!("policy \"{}\" defined here", p.name))],
                policy_key(&t.schema, &t.name, p),
                &t.name,
                vec!["rls_references_user_metadata"],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn patterns() {
        assert!(super::reads_user_metadata(
            "auth.jwt() -> 'user_metadata' ->> 'x'"
        ));
        assert!(super::reads_user_metadata(
            "current_setting('request.jwt.claims', true)::jsonb -> 'user_metadata'"
        ));
        assert!(!super::reads_user_metadata("auth.jwt() -> 'app_metadata'"));
        assert!(!super::reads_user_metadata(
            "'user_metadata' = auth.jwt()::text"
        ));
    }
}
