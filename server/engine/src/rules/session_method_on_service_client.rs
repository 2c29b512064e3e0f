//! `session-method-on-service-client`: a session-storing auth method called on a service-role client.

use rlscope_core::keys::KeyLevel;
use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::{Applicability, Edit, Finding, Fix, Severity};

use super::{all_may_bypass_rls, callee_range, clients_of, RuleCtx};
use crate::db::FileId;
use crate::eval::{Client, KeySource, Loc, Part, Value};
use crate::ir::{CallSite, Expr, ExprId, ImportKind, ObjEntry, PropKey};

pub static META: RuleMeta = RuleMeta {
    id: "session-method-on-service-client",
    default_severity: Severity::Error,
    language: Language::TypeScript,
    summary: "A sign-in or other session-storing auth method is called on a service-role client",
    what_it_does: "Reports `auth.signInWithPassword`, `signInWithOtp`-less sign-ins (`signInWithIdToken`, \
`signInAnonymously`, `verifyOtp`, `exchangeCodeForSession`, `setSession`, `refreshSession`, `updateUser`, \
`linkIdentity`, `mfa.verify`, …) and `signUp` called on a client built with a service-level key. `signUp` is a \
warning: it stores a session only when email confirmation is off. Never-storing calls (`signInWithOtp`, \
`signInWithOAuth`, `resetPasswordForEmail`, `getUser(jwt)`, `auth.admin.*`, …) are not reported. When the client's \
`global.headers.Authorization` is pinned to the service key itself (`Bearer ${serviceKey}`), that header wins over \
the stored session and the requests stay service_role: a warning then says the session is never used.\n\n\
When the project's migrations tell what row level security then does, the message says it: the first request on \
this client in the same file that the table's policies deny to the signed-in user (`authenticated`) is named with \
its result (\"then the select at app/api/login/route.ts:12 is denied: `public.app_settings` has RLS enabled and no \
SELECT policy for authenticated, so it returns no rows\"). Only tables whose RLS the project's own SQL enables \
count; when the outcome is not known, nothing is added.",
    why_bad: "These methods save the user's session in the client instance — `persistSession: false` only keeps it in \
memory. From then on supabase-js sends the user's access token instead of the service key, so the client's \
database, storage and functions requests run as that user (RLS applies). A module-level client is shared by every \
request of the server process, so one user's session leaks into other users' requests until it expires.",
    example: r#"import { createClient } from '@supabase/supabase-js'

const supabaseAdmin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)

export async function login(email: string, password: string) {
  const { data, error } = await supabaseAdmin.auth.signInWithPassword({ email, password })
  if (error) throw error
  return data.session
}
"#,
    use_instead: r#"import { createClient } from '@supabase/supabase-js'

export async function login(email: string, password: string) {
  // a fresh client per request, with the anon key
  const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  })
  const { data, error } = await supabase.auth.signInWithPassword({ email, password })
  if (error) throw error
  return data.session
}
"#,
    fix_safety: "Unsafe. For `signUp` the fix rewrites the call to `auth.admin.createUser({ email, password, \
user_metadata })`, which does not send a confirmation email (pass `email_confirm: true` to mark the address \
confirmed, or use `auth.admin.inviteUserByEmail`) and returns a user, not a session. For sign-ins the fix calls \
the method on a new per-request client built with the anon key instead: with the URL the service-role client was \
built with, and an anon or publishable key variable the project already reads (in the file, where the client is \
built, anywhere else, or in its `.env` files). When it reads none, the fix names one with the framework's public \
prefix (`NEXT_PUBLIC_SUPABASE_ANON_KEY` in Next.js, `PUBLIC_SUPABASE_ANON_KEY` in SvelteKit, \
`VITE_SUPABASE_ANON_KEY` where `import.meta.env` is read, else `SUPABASE_ANON_KEY`) and its title says that this \
is a new environment variable the project must set.",
    references: &[
        "/docs/guides/troubleshooting/why-is-my-service-role-key-client-getting-rls-errors-or-not-returning-data-7_1K9z",
        "/docs/guides/troubleshooting/performing-administration-tasks-on-the-server-side-with-the-servicerole-secret-BYM4Fa",
        "/docs/reference/javascript/auth-admin-createuser",
    ],
};

pub(crate) fn check_call(
    ctx: &mut RuleCtx,
    call: &CallSite,
    obj: ExprId,
    method: &str,
    recv: &[Value],
) {
    let part = match recv.first() {
        Some(Value::ClientPart(_, p @ (Part::Auth | Part::Mfa))) => *p,
        _ => return,
    };
    if !crate::eval::is_session_storing(part, method)
        || !recv
            .iter()
            .all(|v| matches!(v, Value::ClientPart(_, p) if *p == part))
    {
        return;
    }
    let clients = clients_of(recv);
    if !all_may_bypass_rls(&clients, recv.len()) {
        return;
    }
    let c = clients[0].clone();
    let sign_up = method == "signUp";
    let recv_text = ctx.receiver_text(obj);
    // `global.headers.Authorization` pinned to the service key wins over the stored session (measured with
    // supabase-js 2.39.8 and 2.119.1): the requests stay service_role, the session is held but never used
    if clients.iter().all(|c| header_is_service_key(c)) {
        let message = format!(
            "`{recv_text}.{method}` stores a user session in the service-role client ({}), but its explicit \
`Authorization` header (the service key) wins over that session: its requests still run as service_role and \
the session is never used; sign users in on a separate client with the anon key",
            ctx.describe_client(&c)
        );
        let f = Finding::new(
            META.id,
            Severity::Warning,
            callee_range(ctx.ir, call),
            message,
        );
        let f = ctx.related(f, c.site, "service-role client built here");
        ctx.out.push(f);
        return;
    }
    let mut message = if sign_up {
        format!(
            "`{recv_text}.signUp` stores the new user's session in the service-role client ({}) when email confirmation \
is off: from then on its requests run as that user, not service_role",
            ctx.describe_client(&c)
        )
    } else {
        format!(
            "`{recv_text}.{method}` stores the user's session in the service-role client ({}): from then on its \
requests run as that user, not service_role",
            ctx.describe_client(&c)
        )
    };
    if c.module_level {
        message.push_str(
            "; the client is shared by every request, so one user's session leaks into others'",
        );
    }
    let severity = if sign_up {
        Severity::Warning
    } else {
        META.default_severity
    };
    let denied = ctx.denied_as_user(
        c.site,
        "then",
        "denied by row level security for the signed-in user",
    );
    message.push_str(denied.suffix());
    let primary = callee_range(ctx.ir, call);
    let mut f = Finding::new(META.id, severity, primary, message);
    f = ctx.related(f, c.site, "service-role client built here");
    f = denied.relate(ctx, f);
    for q in queries_on(ctx, &c).into_iter().take(5) {
        f = ctx.related(
            f,
            q,
            "this request then runs as the signed-in user, not service_role",
        );
    }
    // a fresh client can only take over methods that need no session (or PKCE verifier) already
    const FRESH_OK: &[&str] = &[
        "signInWithPassword",
        "signInAnonymously",
        "signInWithIdToken",
        "signInWithWeb3",
        "signInWithPasskey",
        "verifyOtp",
        "setSession",
        "refreshSession",
    ];
    let fix = if sign_up {
        sign_up_fix(ctx, call)
    } else if part == Part::Auth && FRESH_OK.contains(&method) {
        separate_client_fix(ctx, obj, part, &c)
    } else {
        Some(Fix {
            title: format!("Call `{method}` on a per-request client built with the anon key, not the shared service client"),
            applicability: Applicability::DisplayOnly,
            edits: Vec::new(),
        })
    };
    if let Some(fix) = fix {
        f = f.with_fix(fix);
    }
    ctx.out.push(f);
}

/// An explicit `Authorization` header whose value is a service-level key (`Bearer ${serviceKey}`).
fn header_is_service_key(c: &Client) -> bool {
    c.header
        .as_ref()
        .and_then(|h| h.value.as_ref())
        .is_some_and(|v| v.level == Some(KeyLevel::Service))
}

/// Requests in this file made on the same client.
fn queries_on(ctx: &mut RuleCtx, c: &Client) -> Vec<Loc> {
    if ctx.requests.is_none() {
        let mut requests = Vec::new();
        for call in &ctx.ir.calls {
            let Some((obj, m)) = &call.method else {
                continue;
            };
            let relevant = matches!(
                &**m,
                "from"
                    | "rpc"
                    | "invoke"
                    | "upload"
                    | "download"
                    | "createSignedUrl"
                    | "remove"
                    | "list"
            );
            if !relevant {
                continue;
            }
            let sites: Vec<Loc> = ctx
                .ev
                .eval(ctx.file, *obj, &None)
                .iter()
                .filter_map(|v| match v {
                    Value::Client(x) => Some(x.site),
                    Value::ClientPart(x, Part::Storage | Part::Functions) => Some(x.site),
                    _ => None,
                })
                .collect();
            if !sites.is_empty() {
                let at = Loc {
                    file: ctx.file,
                    range: ctx.ir.range(call.expr),
                };
                requests.push((at, sites));
            }
        }
        ctx.requests = Some(requests);
    }
    ctx.requests
        .iter()
        .flatten()
        .filter(|(_, sites)| sites.contains(&c.site))
        .map(|(at, _)| *at)
        .collect()
}

/// `auth.signUp({ email, password, options: { data } })` → `auth.admin.createUser({ email, password, user_metadata: data })`
fn sign_up_fix(ctx: &mut RuleCtx, call: &CallSite) -> Option<Fix> {
    let Expr::Call { callee, args } = ctx.ir.expr(call.expr) else {
        return None;
    };
    let Expr::Member { prop_range, .. } = ctx.ir.expr(*callee) else {
        return None;
    };
    let arg = *args.first()?;
    let Expr::Object(entries) = ctx.ir.expr(arg) else {
        return None;
    };
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for e in entries {
        let ObjEntry::Prop {
            key: PropKey::Name(n),
            value,
            key_range,
        } = e
        else {
            return None;
        };
        let vr = ctx.ir.range(*value);
        if &**n == "options" {
            let Expr::Object(opts) = ctx.ir.expr(*value) else {
                return None;
            };
            for o in opts {
                let ObjEntry::Prop {
                    key: PropKey::Name(on),
                    value: ov,
                    ..
                } = o
                else {
                    return None;
                };
                if &**on == "data" {
                    kept.push(format!(
                        "user_metadata: {}",
                        ctx.src(ctx.file, ctx.ir.range(*ov))
                    ));
                } else {
                    dropped.push(on.to_string());
                }
            }
            continue;
        }
        let start = key_range.start.min(vr.start);
        kept.push(
            ctx.src(
                ctx.file,
                rlscope_core::TextRange::new(start, vr.end.max(key_range.end)),
            )
            .to_string(),
        );
    }
    let mut title = "Replace with `auth.admin.createUser` (sends no confirmation email; add `email_confirm: true` to \
mark the address confirmed)"
        .to_string();
    if !dropped.is_empty() {
        title.push_str(&format!("; drops option(s) {}", dropped.join(", ")));
    }
    Some(Fix {
        title,
        applicability: Applicability::Unsafe,
        edits: vec![
            Edit {
                range: *prop_range,
                replacement: "admin.createUser".into(),
            },
            Edit {
                range: ctx.ir.range(arg),
                replacement: format!("{{ {} }}", kept.join(", ")),
            },
        ],
    })
}

/// Call the method on a fresh per-request anon client instead of the shared service client.
fn separate_client_fix(ctx: &mut RuleCtx, obj: ExprId, part: Part, c: &Client) -> Option<Fix> {
    // obj is `<client>.auth` (or `<client>.auth.mfa`)
    let auth = match (part, ctx.ir.expr(obj)) {
        (Part::Mfa, Expr::Member { obj: a, .. }) => *a,
        (_, _) => obj,
    };
    let Expr::Member {
        obj: client_expr,
        prop,
        ..
    } = ctx.ir.expr(auth)
    else {
        return None;
    };
    if &**prop != "auth" {
        return None;
    }
    let client_range = ctx.ir.range(*client_expr);
    let url = url_text(ctx, c).unwrap_or_else(|| {
        let name = if ctx.is_deno() {
            "SUPABASE_URL".to_string()
        } else {
            format!("{}SUPABASE_URL", public_prefix(ctx))
        };
        ctx.env_expr(&name)
    });
    let title = "Sign in on a separate per-request client with the anon key".to_string();
    let (anon, title) = match anon_key_name(ctx, c) {
        Some(name) => (env_read_text(ctx, &name), title),
        // Edge Functions are given `SUPABASE_ANON_KEY`
        None if ctx.is_deno() => (ctx.env_expr("SUPABASE_ANON_KEY"), title),
        None => {
            let name = format!("{}SUPABASE_ANON_KEY", public_prefix(ctx));
            let title = format!(
                "Sign in on a separate per-request client with the anon key, read from `{name}`: a new environment \
variable name this project must set"
            );
            (ctx.env_expr(&name), title)
        }
    };
    let mut edits = Vec::new();
    let create = ctx.ensure_create_client_import(&mut edits);
    edits.push(Edit {
        range: client_range,
        replacement: format!(
            "{create}({url}, {anon}, {{ auth: {{ persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }} }})"
        ),
    });
    Some(Fix {
        title,
        applicability: Applicability::Unsafe,
        edits,
    })
}

/// The URL the service-role client was built with, written so it reads the same in this file: its env
/// variable read in this file's dialect, or its string literal.
fn url_text(ctx: &mut RuleCtx, c: &Client) -> Option<String> {
    let ir = ctx.snap.ir(c.site.file)?;
    let Expr::Call { args, .. } = ir.expr(c.site_expr) else {
        return None;
    };
    let url = *args.first()?;
    let vals = ctx.ev.eval(c.site.file, url, &None);
    match vals.as_slice() {
        [Value::Key(k)] => match &k.source {
            KeySource::Env { name, .. } => Some(env_read_text(ctx, name)),
            _ => None,
        },
        [Value::Str(s)] if !s.contains('\'') && !s.contains('\n') => Some(format!("'{s}'")),
        _ => None,
    }
}

/// An anon or publishable key's env variable the project already reads: in this file, in the file the
/// client is built in, else anywhere in the workspace or in its `.env` files (one with this file's public
/// prefix first, then by name).
fn anon_key_name(ctx: &mut RuleCtx, c: &Client) -> Option<String> {
    let near: Vec<(FileId, ExprId)> = [ctx.file, c.site.file]
        .into_iter()
        .filter_map(|f| ctx.snap.ir(f).map(|ir| (f, ir)))
        .flat_map(|(f, ir)| ir.env_reads.iter().map(move |&e| (f, e)))
        .collect();
    if let Some(name) = anon_env_names(ctx, &near).into_iter().next() {
        return Some(name);
    }
    let all = ctx.snap.env_reads();
    let mut names = anon_env_names(ctx, &all);
    names.extend(
        ctx.snap
            .env_names_of_level(KeyLevel::Anon)
            .into_iter()
            .map(str::to_string),
    );
    names.sort();
    let prefix = public_prefix(ctx);
    let preferred = names
        .iter()
        .find(|n| !prefix.is_empty() && n.starts_with(prefix));
    preferred.or(names.first()).cloned()
}

/// The names of the anon-level env reads among `reads`, in order.
fn anon_env_names(ctx: &mut RuleCtx, reads: &[(FileId, ExprId)]) -> Vec<String> {
    let mut out = Vec::new();
    for &(file, e) in reads {
        for v in ctx.ev.eval(file, e, &None) {
            if let Value::Key(k) = v {
                if let (Some(KeyLevel::Anon), KeySource::Env { name, .. }) = (k.level, &k.source) {
                    out.push(name.to_string());
                }
            }
        }
    }
    out
}

/// `name` read from the environment in this file: the binding a SvelteKit `$env/static/*` import of it
/// gives, else [`RuleCtx::env_expr`].
fn env_read_text(ctx: &RuleCtx, name: &str) -> String {
    let imported = ctx.ir.imports.iter().any(|imp| {
        imp.source.starts_with("$env/static/")
            && matches!(&imp.kind, ImportKind::Named(n) if **n == *name)
            && ctx.src(ctx.file, imp.range) == name
    });
    if imported {
        name.to_string()
    } else {
        ctx.env_expr(name)
    }
}

/// The prefix this file's framework gives env variables the browser may read: `NEXT_PUBLIC_` in a Next.js
/// file, `PUBLIC_` in a SvelteKit one, `VITE_` where `import.meta.env` is read; none elsewhere.
fn public_prefix(ctx: &RuleCtx) -> &'static str {
    let imports_from = |p: &str| ctx.ir.imports.iter().any(|i| i.source.starts_with(p));
    if imports_from("next/")
        || imports_from("@supabase/auth-helpers-nextjs")
        || ctx.text.contains("NEXT_PUBLIC_")
    {
        "NEXT_PUBLIC_"
    } else if imports_from("$env/")
        || imports_from("@sveltejs/kit")
        || imports_from("@supabase/auth-helpers-sveltekit")
    {
        "PUBLIC_"
    } else if ctx.text.contains("import.meta.env") {
        "VITE_"
    } else {
        ""
    }
}

script_rule! {
    /// The rule's hooks: the session-storing `auth` and `auth.mfa` methods.
    wants: super::Wants {
        methods: &[crate::eval::STORING, crate::eval::MFA_STORING],
        ..super::Wants::NOTHING
    },
    method_call: check_call,
}
