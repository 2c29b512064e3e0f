//! `auth-users-exposed` (splinter 0002 auth_users_exposed): a view over `auth.users` that the API roles can
//! read.

use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::Severity;

use super::{display_name, exposed, table_key, Ctx};
use crate::schema::{Privs, Tri};

pub static META: RuleMeta = RuleMeta {
    id: "auth-users-exposed",
    default_severity: Severity::Error,
    language: Language::Sql,
    summary: "A view or materialized view in the public schema exposes auth.users to anon or authenticated (splinter 0002)",
    what_it_does: "Replays the project's migrations and reports each view or materialized view in `public` \
that reads `auth.users`, that `anon` or `authenticated` may select from, and that does not run with the \
reader's rights: a materialized view (no row level security at all) or a view without \
`security_invoker = true`. This is Supabase's database advisor lint 0002 `auth_users_exposed`.",
    why_bad: "`auth.users` holds every user's email, phone and metadata. A view in an exposed schema that \
reads it with its owner's rights hands those rows to anyone holding the anon key.",
    example: "create materialized view public.user_emails as\nselect id, email from auth.users;\n",
    use_instead: "create materialized view public.user_emails as\nselect id, email from auth.users;\n\n\
revoke all on public.user_emails from anon, authenticated;\n",
    fix_safety: "No fix is offered.",
    references: &[
        "/docs/guides/database/database-linter?lint=0002_auth_users_exposed",
        "/docs/guides/auth/managing-user-data#accessing-user-data-via-api",
    ],
};

pub(crate) fn check(cx: &mut Ctx) {
    for v in &cx.model.views {
        if v.unknown || !exposed(&v.schema) || !v.reads_table("auth", "users") {
            continue;
        }
        // auth.users has row level security on in Supabase: an invoker view over it is covered.
        if !v.materialized && v.security_invoker != Tri::No {
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
        let kind = if v.materialized {
            "Materialized view"
        } else {
            "View"
        };
        cx.report(
            &META,
            at,
            format!(
                "{kind} `{name}` exposes auth.users to anon/authenticated: every user's email and metadata \
                 can be read with the anon key"
            ),
            Vec::new(),
            table_key(&v.schema, &v.name),
            &v.name,
            vec!["auth_users_exposed"],
        );
    }
}
