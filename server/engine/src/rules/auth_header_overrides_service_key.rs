//! `auth-header-overrides-service-key`: a service-role client that also carries an explicit
//! `Authorization` header (or an `accessToken` callback, or `functions.setAuth`) with another token.

use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::{Applicability, Edit, Finding, Fix, Severity};

use super::{all_may_bypass_rls, callee_range, clients_of, list_item_deletion, RuleCtx};
use crate::eval::{Client, Loc, Part, Value};
use crate::ir::{CallSite, ExprId};
use crate::role::{self, EvidenceKind, Role};

pub static META: RuleMeta = RuleMeta {
    id: "auth-header-overrides-service-key",
    default_severity: Severity::Error,
    language: Language::TypeScript,
    summary: "A service-role client also sends another token as its Authorization header",
    what_it_does: "Reports a client built with a service-level key that is also given `global.headers.Authorization` \
(matched case-insensitively) whose value is not that same key — typically the caller's JWT from \
`req.headers.get('Authorization')` in an Edge Function. Also reports the `accessToken` option and \
`functions.setAuth(token)` on such a client. A key written as `SUPABASE_SERVICE_ROLE_KEY || SUPABASE_ANON_KEY` \
is the service key whenever its variable is set: with a header (even one sent only when the request carries a \
token, `authHeader ? { headers: { Authorization: authHeader } } : undefined`) it is reported as a warning that \
says \"when `SUPABASE_SERVICE_ROLE_KEY` is set\".\n\n\
When the project's migrations tell what row level security then does, the message says it: the first request on \
this client in the same file that the table's policies deny to the header's user (`authenticated`) is named with \
its result (\"as that user, the update with a filter at supabase/functions/rename/index.ts:10 is denied: \
`public.profiles` has RLS enabled and no SELECT policy for authenticated …, so it changes nothing\"). Only tables \
whose RLS the project's own SQL enables count; when the outcome is not known, nothing is added.",
    why_bad: "supabase-js sends the explicit `Authorization` header with every database, storage and functions request, \
and PostgREST decides the role from that header, not from the `apikey`. The service key is then only an API \
gateway key: every query runs as the caller (RLS applies), so code written to bypass RLS silently returns fewer \
rows, and `auth.admin.*` calls send the user's token and fail with \"User not allowed\". Not reported: the header \
set to the service key itself (`Bearer ${serviceKey}`), or an anon key with a user header (the documented Edge \
Function pattern).",
    example: r#"import { createClient } from 'npm:@supabase/supabase-js@2'

Deno.serve(async (req) => {
  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!, {
    global: { headers: { Authorization: req.headers.get('Authorization')! } },
  })
  const { data } = await supabase.from('profiles').select('*')
  return Response.json(data)
})
"#,
    use_instead: r#"import { createClient } from 'npm:@supabase/supabase-js@2'

Deno.serve(async (req) => {
  // Act as the caller: the anon key with their token, RLS applies.
  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!, {
    global: { headers: { Authorization: req.headers.get('Authorization')! } },
  })
  const { data } = await supabase.from('profiles').select('*')
  return Response.json(data)
})
"#,
    fix_safety: "Both fixes are unsafe because both change who the requests run as: \"use the anon key\" keeps the \
header and makes the client act as the caller (RLS applies, as it already did); \"remove the Authorization \
header\" makes the client act as service_role (RLS bypassed) — check the code does its own authorization first.",
    references: &[
        "/docs/guides/functions/auth",
        "/docs/guides/troubleshooting/why-is-my-service-role-key-client-getting-rls-errors-or-not-returning-data-7_1K9z",
        "/docs/reference/javascript/initializing",
    ],
};

pub(crate) fn check_client(ctx: &mut RuleCtx, _call: &CallSite, c: &Client, loc: Loc) {
    if role::key_role(c) != Role::ServiceRole {
        return;
    }
    let key = c.key.as_ref().expect("key");
    // `SERVICE || ANON`: the service key only where its variable is set
    let (severity, when_set) = if c.key_fallback {
        (
            Severity::Warning,
            format!("when {} is set, ", key.describe()),
        )
    } else {
        (META.default_severity, String::new())
    };
    if c.header.is_none() && c.key_fallback && c.site == loc {
        if let Some(h) = &c.header_when_given {
            let primary = if h.loc.file == ctx.file {
                h.loc.range
            } else {
                c.key_loc.range
            };
            let what = h.value.as_ref().map_or(String::new(), |v| v.describe());
            let message = format!(
                "{when_set}the `Authorization` header ({what}), whenever it is sent, overrides that service-role key: \
the client's database, storage and functions requests then run as the caller (RLS applies), not as service_role"
            );
            let mut f = Finding::new(META.id, severity, primary, message);
            if key.origin.file != ctx.file || !primary.contains_range(key.origin.range) {
                f = ctx.related(
                    f,
                    key.origin,
                    "service-role key (with an anon fallback) read here",
                );
            }
            ctx.out.push(f);
        }
    }
    // a header on only some paths (`token ? { global } : {}`) is not a header (see eval), and an argument
    // that is not passed is `undefined`: what remains is a value that is not the service key
    let decided_by_header = role::info(c).decided_by == EvidenceKind::Header;
    if let Some(h) = c.header.as_ref().filter(|_| decided_by_header) {
        let via_here = h.value.as_ref().is_some_and(|v| v.via_call == Some(loc));
        let primary = if c.site == loc && h.loc.file == ctx.file {
            h.loc.range
        } else if via_here {
            match &h.value {
                Some(v)
                    if v.origin.file == ctx.file && loc.range.contains_range(v.origin.range) =>
                {
                    v.origin.range
                }
                _ => loc.range,
            }
        } else if key.via_call == Some(loc) {
            super::key_primary(ctx, c, loc)
        } else {
            return;
        };
        let what = match &h.value {
            Some(v) => v.describe(),
            None => "a token that is not the service key".to_string(),
        };
        let denied = ctx.denied_as_user(
            c.site,
            "as that user,",
            "denied by row level security for the header's user",
        );
        let message = format!(
            "{when_set}the `Authorization` header ({what}) overrides the service-role key {}: every database, storage and functions \
request of this client runs as that token's user (RLS applies), and `auth.admin.*` calls fail{}",
            key.describe(),
            denied.suffix()
        );
        let f = Finding::new(META.id, severity, primary, message);
        let mut f = denied.relate(ctx, f);
        if c.site.file != ctx.file || !primary.contains_range(c.site.range) {
            f = ctx.related(
                f,
                c.site,
                format!(
                    "`{}` client built here with the service-role key",
                    c.factory.name
                ),
            );
        }
        if h.loc.file != ctx.file || h.loc.range != primary {
            f = ctx.related(f, h.loc, "Authorization header set here");
        }
        if c.site == loc && c.key_loc.file == ctx.file && h.loc.file == ctx.file {
            let anon = ctx.env_expr(if ctx.is_deno() {
                "SUPABASE_ANON_KEY"
            } else {
                "NEXT_PUBLIC_SUPABASE_ANON_KEY"
            });
            f = f.with_fix(Fix {
                title: "Act as the caller: use the anon key with their Authorization header".into(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    range: c.key_loc.range,
                    replacement: anon,
                }],
            });
            f = f.with_fix(Fix {
                title:
                    "Act as service_role: remove the Authorization header (RLS is then bypassed)"
                        .into(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    range: list_item_deletion(ctx.text, h.loc.range),
                    replacement: String::new(),
                }],
            });
        }
        ctx.out.push(f);
    }
    if let Some(at) = c
        .access_token
        .filter(|a| a.file == ctx.file && c.site == loc)
    {
        let message = format!(
            "the `accessToken` option replaces the service-role key {} on every request: this client runs as the \
third-party user the callback returns (RLS applies), not as service_role",
            key.describe()
        );
        ctx.out.push(Finding::new(
            META.id,
            META.default_severity,
            at.range,
            message,
        ));
    }
}

/// `client.functions.setAuth(token)` on a service-role client.
pub(crate) fn check_set_auth(
    ctx: &mut RuleCtx,
    call: &CallSite,
    _obj: ExprId,
    method: &str,
    recv: &[Value],
) {
    if method != "setAuth"
        || !recv
            .iter()
            .all(|v| matches!(v, Value::ClientPart(_, Part::Functions)))
    {
        return;
    }
    let clients = clients_of(recv);
    if !all_may_bypass_rls(&clients, recv.len()) {
        return;
    }
    let c = &clients[0];
    let message = format!(
        "`functions.setAuth` makes every `functions.invoke` of this service-role client ({}) send that token instead: \
the functions run as its user, not service_role",
        ctx.describe_client(c)
    );
    let f = Finding::new(
        META.id,
        META.default_severity,
        callee_range(ctx.ir, call),
        message,
    );
    let f = ctx.related(f, c.site, "service-role client built here");
    ctx.out.push(f);
}

script_rule! {
    /// The rule's hooks: a client created by a call, and `functions.setAuth(…)`.
    wants: super::Wants {
        methods: &[&["setAuth"]],
        ..super::Wants::CLIENTS
    },
    client_created: check_client,
    method_call: check_set_auth,
}
