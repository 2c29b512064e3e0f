//! `ssr-client-service-key`: a cookie-based (SSR / auth-helpers) client given a service-level key.

use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::{Applicability, Edit, Finding, Fix, Severity, TextRange};

use super::{key_primary, RuleCtx};
use crate::eval::{Client, FactoryKind, KeySource, Loc, Value};
use crate::ir::{CallSite, Expr};

pub static META: RuleMeta = RuleMeta {
    id: "ssr-client-service-key",
    default_severity: Severity::Error,
    language: Language::TypeScript,
    summary: "A cookie-based SSR or auth-helpers client is given the service-role key",
    what_it_does: "Reports `createServerClient`, `createBrowserClient` and every auth-helpers factory \
(`createRouteHandlerClient`, `createServerComponentClient`, …) that is given a service-level key: \
`SUPABASE_SERVICE_ROLE_KEY`, a secret key (`sb_secret_…`) or a service-role JWT, whether written in the call \
or reaching it through variables, options objects, wrapper functions or imports. A shared factory that picks the \
key by a flag (`admin ? process.env.SUPABASE_SECRET_KEY : process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY`) is \
reported once in the factory as a warning (\"when called with `admin: true` …\"), and as an error at each call \
that passes the flag. A service key written where an auth-helpers factory never reads it \
(`createServerComponentClient({ cookies, options: { supabaseKey } })`: the key belongs in the second argument) is \
a warning: the client gets the default anon key and the service key is never used.\n\n\
When the project's migrations tell what row level security then does, the message says it: the first request on \
this client in the same file that the table's policies deny to the signed-in user (`authenticated`) is named with \
its result (\"with a session cookie, the insert at app/api/orders/route.ts:14 is denied: `public.orders` has RLS \
enabled and no INSERT policy for authenticated, so it fails with error 42501\"). Only tables whose RLS the \
project's own SQL enables count; when the outcome is not known, nothing is added.",
    why_bad: "A cookie-based client reads the user's session from the request's cookies, and supabase-js sends the \
session's access token as `Authorization: Bearer …` instead of the key. So the same code runs as the signed-in \
user (RLS applies) when the request carries a session cookie, and as `service_role` (RLS bypassed) when it does \
not. Which one happens depends on who calls the endpoint — an anonymous caller gets full access to every table, \
a signed-in one gets RLS errors or empty results. If the cookie adapter never returns a cookie, the client always \
runs as service_role and this is reported as a warning: it works, but `createClient` from \
`@supabase/supabase-js` says what it is.",
    example: r#"import { createServerClient } from '@supabase/ssr'
import { cookies } from 'next/headers'

export async function getSupabase() {
  const cookieStore = await cookies()
  return createServerClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    cookies: {
      getAll: () => cookieStore.getAll(),
      setAll: (list) => list.forEach(({ name, value, options }) => cookieStore.set(name, value, options)),
    },
  })
}
"#,
    use_instead: r#"import { createServerClient } from '@supabase/ssr'
import { createClient } from '@supabase/supabase-js'
import { cookies } from 'next/headers'

// Runs as the signed-in user (or anon): RLS applies.
export async function getSupabase() {
  const cookieStore = await cookies()
  return createServerClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!, {
    cookies: {
      getAll: () => cookieStore.getAll(),
      setAll: (list) => list.forEach(({ name, value, options }) => cookieStore.set(name, value, options)),
    },
  })
}

// Always runs as service_role: no session, no cookies.
export function getServiceClient() {
  return createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  })
}
"#,
    fix_safety: "The fix is unsafe: it switches the cookie client to the anon key (so it runs as the signed-in user \
or anon) and adds a separate `createServiceClient()` built with `createClient` and the service key, with \
`persistSession: false`. Code that relied on the cookie client bypassing RLS must move to the new client.",
    references: &[
        "/docs/guides/auth/server-side/creating-a-client",
        "/docs/guides/troubleshooting/why-is-my-service-role-key-client-getting-rls-errors-or-not-returning-data-7_1K9z",
        "/docs/guides/api/api-keys",
    ],
};

pub(crate) fn check_client(ctx: &mut RuleCtx, _call: &CallSite, c: &Client, loc: Loc) {
    if !c.factory.kind.is_cookie_based() {
        return;
    }
    if c.site == loc {
        flag_selected_key(ctx, c);
        ignored_key(ctx, c, loc);
    }
    if crate::role::key_role(c) != crate::role::Role::ServiceRole {
        return;
    }
    let key = c.key.as_ref().expect("level implies key");
    let primary = key_primary(ctx, c, loc);
    let (severity, message) = if c.cookies_never_session {
        (
            Severity::Warning,
            format!(
                "`{}` is given the service-role key {}; its cookie adapter never returns a cookie, so it always runs as \
service_role — build service clients with `createClient` from @supabase/supabase-js instead",
                c.factory.name,
                key.describe()
            ),
        )
    } else {
        (
            META.default_severity,
            format!(
                "`{}` is given the service-role key {}: with a session cookie the user's token replaces the key and RLS \
applies, without one the same code bypasses RLS",
                c.factory.name,
                key.describe()
            ),
        )
    };
    let denied = ctx.denied_as_user(
        c.site,
        "with a session cookie,",
        "denied by row level security with a session cookie",
    );
    let f = Finding::new(META.id, severity, primary, message + denied.suffix());
    let mut f = denied.relate(ctx, f);
    if c.site != loc || c.site.file != ctx.file {
        f = ctx.related(
            f,
            c.site,
            format!("cookie-based `{}` client built here", c.factory.name),
        );
    }
    if key.origin.file != ctx.file || !primary.contains_range(key.origin.range) {
        f = ctx.related(f, key.origin, "service-role key read here");
    }
    if c.site == loc {
        if let Some(fix) = fix(ctx, c, loc) {
            f = f.with_fix(fix);
        }
    }
    ctx.out.push(f);
}

/// A shared factory choosing the service key by a flag (`admin ? SECRET : PUBLISHABLE`) for a cookie client:
/// the mistake is written here, whether or not a caller passes the flag (a caller that does is reported too).
fn flag_selected_key(ctx: &mut RuleCtx, c: &Client) {
    let Some((flag, svc)) = c.key_by_flag.as_ref().filter(|_| c.key.is_none()) else {
        return;
    };
    let message = format!(
        "when called with `{flag}: true`, `{}` is given the service-role key {}: with a session cookie the user's \
token replaces the key and RLS applies, without one the same code bypasses RLS",
        c.factory.name,
        svc.describe()
    );
    let mut f = Finding::new(META.id, Severity::Warning, c.key_loc.range, message);
    if svc.origin.file != ctx.file || !c.key_loc.range.contains_range(svc.origin.range) {
        f = ctx.related(f, svc.origin, "service-role key read here");
    }
    ctx.out.push(f);
}

/// A service key written where an auth-helpers factory never reads it (`options.supabaseKey`): the client
/// gets the default anon key.
fn ignored_key(ctx: &mut RuleCtx, c: &Client, loc: Loc) {
    let Some((at, key)) = &c.ignored_key else {
        return;
    };
    let primary = if at.file == ctx.file {
        at.range
    } else {
        loc.range
    };
    let message = format!(
        "`{}` never reads this `supabaseKey` ({}): it takes the key from `supabaseKey` in its options argument, so the \
service-role key is never used here and the client runs with the default `NEXT_PUBLIC_SUPABASE_ANON_KEY` (the \
user's session when there is one)",
        c.factory.name,
        key.describe()
    );
    let mut f = Finding::new(META.id, Severity::Warning, primary, message);
    if key.origin.file != ctx.file || !primary.contains_range(key.origin.range) {
        f = ctx.related(f, key.origin, "service-role key read here");
    }
    ctx.out.push(f);
}

fn fix(ctx: &mut RuleCtx, c: &Client, loc: Loc) -> Option<Fix> {
    // auth-helpers and SvelteKit factories take options objects and their own env dialects: advice only
    if !matches!(
        c.factory.kind,
        FactoryKind::SsrServer | FactoryKind::SsrBrowser | FactoryKind::RemixServer
    ) {
        return Some(Fix {
            title: "Keep this cookie client on the anon key and do service work with a separate `createClient` from \
@supabase/supabase-js (persistSession: false)"
                .into(),
            applicability: Applicability::DisplayOnly,
            edits: Vec::new(),
        });
    }
    if c.key_loc.file != ctx.file || !loc.range.contains_range(c.key_loc.range) {
        return None;
    }
    let top = *ctx
        .ir
        .top_level
        .iter()
        .find(|r| r.contains_range(loc.range))?;
    let Expr::Call { args, .. } = ctx.ir.expr(call_expr_at(ctx, loc)?) else {
        return None;
    };
    // the new function sits at the top level: it cannot use the factory's locals, so re-read the
    // environment (or repeat a literal) instead of copying the argument's text
    let url = args
        .first()
        .and_then(|a| portable_text(ctx, *a))
        .unwrap_or_else(|| {
            ctx.env_expr(if ctx.is_deno() {
                "SUPABASE_URL"
            } else {
                "NEXT_PUBLIC_SUPABASE_URL"
            })
        });
    let key_text = match c.key.as_ref().map(|k| &k.source) {
        Some(KeySource::Env { name, .. }) => ctx.env_expr(name),
        _ => ctx.src(ctx.file, c.key_loc.range).to_string(),
    };
    let anon = ctx.env_expr(if ctx.is_deno() {
        "SUPABASE_ANON_KEY"
    } else {
        "NEXT_PUBLIC_SUPABASE_ANON_KEY"
    });
    let mut edits = Vec::new();
    let create = ctx.ensure_create_client_import(&mut edits);
    let name = if ctx.ir.scopes[crate::ir::ScopeId::MODULE]
        .names
        .contains_key("createServiceClient")
    {
        "createServiceRoleClient"
    } else {
        "createServiceClient"
    };
    edits.push(Edit {
        range: c.key_loc.range,
        replacement: anon,
    });
    edits.push(Edit {
        range: TextRange::empty(top.end),
        replacement: format!(
            "\n\n// Runs as service_role (bypasses RLS): use only for trusted server-side work.\nexport function {name}() {{\n  return {create}({url}, {key_text}, {{\n    auth: {{ persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }},\n  }})\n}}"
        ),
    });
    Some(Fix {
        title: format!("Use the anon key for this cookie client and add a separate `{name}()` with the service key"),
        applicability: Applicability::Unsafe,
        edits,
    })
}

fn call_expr_at(ctx: &RuleCtx, loc: Loc) -> Option<crate::ir::ExprId> {
    ctx.ir
        .calls
        .iter()
        .map(|c| c.expr)
        .find(|&e| ctx.ir.range(e) == loc.range)
}

/// Text for a value that is valid anywhere in the module: an env read or a string literal.
fn portable_text(ctx: &mut RuleCtx, arg: crate::ir::ExprId) -> Option<String> {
    let vals = ctx.ev.eval(ctx.file, arg, &None);
    match vals.as_slice() {
        [Value::Key(k)] => match &k.source {
            KeySource::Env { name, .. } => Some(ctx.env_expr(name)),
            _ => None,
        },
        [Value::Str(s)] if !s.contains('\'') && !s.contains('\n') => Some(format!("'{s}'")),
        _ => None,
    }
}

script_rule! {
    /// The rule's hooks: a client created by a call.
    wants: super::Wants::CLIENTS,
    client_created: check_client,
}
