//! `security-definer-function-executable` (splinter 0028 anon_security_definer_function_executable and 0029
//! authenticated_security_definer_function_executable): a `SECURITY DEFINER` function in `public` that the
//! API roles may call through `/rest/v1/rpc`.

use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::Severity;

use super::{exposed, Ctx};
use crate::schema::Tri;

pub static META: RuleMeta = RuleMeta {
    id: "security-definer-function-executable",
    default_severity: Severity::Warning,
    language: Language::Sql,
    summary: "A SECURITY DEFINER function in the public schema can be called by anon or authenticated (splinter 0028/0029)",
    what_it_does: "Replays the project's migrations and reports each `SECURITY DEFINER` function in `public` \
that `anon` or `authenticated` may execute — PostgreSQL grants `EXECUTE` to `PUBLIC` on every new function, and \
Supabase's default privileges grant it to both roles — unless a `REVOKE EXECUTE` took it away again. The \
finding sits on the function's name in its `CREATE FUNCTION` and names the roles. These are Supabase's database \
advisor lints 0028 `anon_security_definer_function_executable` and 0029 \
`authenticated_security_definer_function_executable`.",
    why_bad: "A `SECURITY DEFINER` function runs as its owner and bypasses row level security. In an exposed \
schema, anyone holding the anon key (0028) or any signed-up user (0029) can call it with arguments of their \
choosing through `supabase.rpc()`.",
    example: "create function public.delete_user_notes(target uuid)\nreturns void\nlanguage sql\n\
security definer\nset search_path = ''\nas $$\n  delete from public.notes where user_id = target;\n$$;\n",
    use_instead: "create function public.delete_user_notes(target uuid)\nreturns void\nlanguage sql\n\
security definer\nset search_path = ''\nas $$\n  delete from public.notes where user_id = target;\n$$;\n\n\
revoke execute on function public.delete_user_notes(uuid) from public, anon, authenticated;\n",
    fix_safety: "No fix is offered: whether a role should call the function is a design decision.",
    references: &[
        "/docs/guides/database/database-linter?lint=0028_anon_security_definer_function_executable",
        "/docs/guides/database/database-linter?lint=0029_authenticated_security_definer_function_executable",
        "/docs/guides/database/functions#security-definer-vs-invoker",
    ],
};

pub(crate) fn check(cx: &mut Ctx) {
    for f in &cx.model.functions {
        if f.unknown || !exposed(&f.schema) || f.security_definer != Tri::Yes {
            continue;
        }
        let mut lints = Vec::new();
        let mut roles = Vec::new();
        if f.executable_by("anon") {
            lints.push("anon_security_definer_function_executable");
            roles.push("anon");
        }
        if f.executable_by("authenticated") {
            lints.push("authenticated_security_definer_function_executable");
            roles.push("authenticated");
        }
        if lints.is_empty() {
            continue;
        }
        let Some(at) = f.name_at.as_ref() else {
            continue;
        };
        cx.report(
            &META,
            at,
            format!(
                "SECURITY DEFINER function `{}` bypasses row level security and can be called by {} \
                 through the API",
                f.signature(),
                roles.join(" and ")
            ),
            Vec::new(),
            f.signature(),
            &f.name,
            lints,
        );
    }
}
