//! `service-key-in-browser`: a service-level key that reaches code shipped to browsers.

use rlscope_core::config::Config;
use rlscope_core::keys::KeyLevel;
use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::{Finding, Severity};

use super::{key_primary, RuleCtx};
use crate::db::FileData;
use crate::eval::{Client, KeySource, KeyVal, Loc, Value};
use crate::ir::{Expr, ImportKind, ObjEntry, PropKey};

pub static META: RuleMeta = RuleMeta {
    id: "service-key-in-browser",
    default_severity: Severity::Error,
    language: Language::TypeScript,
    summary: "A service-role key reaches code that runs in the browser",
    what_it_does: "Reports a service-level key read or written in a `'use client'` module (one that does not import \
`server-only`), given to a browser client factory (`createBrowserClient`, `createClientComponentClient`, \
`createPagesBrowserClient`, …), or held in an environment variable that bundlers expose to the browser \
(`NEXT_PUBLIC_`, `VITE_`, `PUBLIC_`, `EXPO_PUBLIC_`, `REACT_APP_`, `NUXT_PUBLIC_`, `GATSBY_`) — by its name or by its \
value in a `.env` file. Also a service key passed through the `env` option of `next.config.js`/`.mjs`/`.ts` \
(`env: { NAME: process.env.SUPABASE_SERVICE_ROLE_KEY }`): Next.js inlines those values into the bundles. One leak \
is one finding, on the read of the key: a client in another module that is only handed a key already reported where \
it is read is not reported again.",
    why_bad: "Whatever reaches the browser bundle can be read by anyone who opens the page. With the service-role key \
they can read and write every table, bypassing all Row Level Security, and use the admin API.",
    example: r#"'use client'
import { createClient } from '@supabase/supabase-js'

export const supabase = createClient(
  process.env.NEXT_PUBLIC_SUPABASE_URL!,
  process.env.NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY!,
)
"#,
    use_instead: r#"'use client'
import { createBrowserClient } from '@supabase/ssr'

export const supabase = createBrowserClient(
  process.env.NEXT_PUBLIC_SUPABASE_URL!,
  process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!,
)
"#,
    fix_safety: "No automatic fix: the privileged work must move to server code (a route handler, server action or \
Edge Function), and the exposed key must be rotated.",
    references: &["/docs/guides/api/api-keys", "/docs/guides/database/postgres/row-level-security#bypassing-row-level-security"],
};

pub(crate) fn check_client(ctx: &mut RuleCtx, _call: &crate::ir::CallSite, c: &Client, loc: Loc) {
    if crate::role::key_role(c) != crate::role::Role::ServiceRole {
        return;
    }
    let key = c.key.as_ref().expect("key");
    // the key of a Supabase client is a Supabase key, whatever the variable is called
    let exposed_name = match &key.source {
        KeySource::Env { name, .. } if ctx.snap.config.is_browser_env_name(name) => {
            Some(name.clone())
        }
        _ => None,
    };
    let in_browser_file = ctx.is_browser_file() && key.origin.file == ctx.file;
    let message = if c.factory.kind.is_browser() {
        format!(
            "browser client `{}` is given the service-role key {}: anyone can read it from the bundle and bypass RLS",
            c.factory.name,
            key.describe()
        )
    } else if let Some(name) = &exposed_name {
        if key.origin.file != ctx.file && read_is_reported(ctx, key) {
            // the module that reads the exposed variable reports the leak there; a client elsewhere that is
            // handed the key is the same leak, not a second one
            return;
        }
        format!(
            "`{name}` holds the service-role key of this `{}` client, and bundlers inline `{}` variables into browser \
code: anyone can read it and bypass RLS",
            c.factory.name,
            prefix_of(ctx.snap.config, name)
        )
    } else if in_browser_file {
        format!("the service-role key {} is used in a 'use client' module: it must never reach browser code", key.describe())
    } else {
        return;
    };
    // report on the env read itself when it is in this file (where the other browser checks put it)
    let primary = if (exposed_name.is_some() || in_browser_file) && key.origin.file == ctx.file {
        key.origin.range
    } else {
        key_primary(ctx, c, loc)
    };
    let mut f = Finding::new(META.id, META.default_severity, primary, message);
    if key.origin.file != ctx.file {
        f = ctx.related(f, key.origin, "service-role key read here");
    }
    ctx.out.push(f);
}

/// Whether [`check_file`] of the module that reads `key` reports that read: a Supabase-specific service-level
/// variable read there under a browser-exposed name or in a `'use client'` module.
fn read_is_reported(ctx: &RuleCtx, key: &KeyVal) -> bool {
    let KeySource::Env { name, .. } = &key.source else {
        return false;
    };
    if key.level != Some(KeyLevel::Service) || !key.is_supabase_specific() {
        return false;
    }
    let Some(ir) = ctx.snap.ir(key.origin.file) else {
        return false;
    };
    let exposed = ctx.snap.config.is_browser_env_name(name);
    let browser = ir.use_client && !ir.imports_server_only;
    let at_env_read = ir
        .env_reads
        .iter()
        .any(|&e| ir.range(e) == key.origin.range);
    let at_public_import = ir.imports.iter().any(|imp| {
        &*imp.source == "$env/static/public"
            && imp.range == key.origin.range
            && matches!(&imp.kind, ImportKind::Named(n) if **n == **name)
    });
    (at_env_read && (exposed || browser)) || (at_public_import && exposed)
}

pub(crate) fn check_file(ctx: &mut RuleCtx) {
    let browser = ctx.is_browser_file();
    if browser {
        for lit in &ctx.ir.key_literals {
            if lit.key.level == KeyLevel::Service {
                let message = "a service-role key is written in a 'use client' module: it ships to every browser and \
bypasses RLS"
                    .to_string();
                ctx.out.push(Finding::new(
                    META.id,
                    META.default_severity,
                    lit.range,
                    message,
                ));
            }
        }
    }
    for &e in &ctx.ir.env_reads {
        let range = ctx.ir.range(e);
        let vals = ctx.ev.eval(ctx.file, e, &None);
        for v in vals {
            let Value::Key(k) = v else { continue };
            if k.level != Some(KeyLevel::Service)
                || k.origin.file != ctx.file
                || k.origin.range != range
            {
                continue;
            }
            let KeySource::Env { name, .. } = &k.source else {
                continue;
            };
            let exposed = ctx.snap.config.is_browser_env_name(name);
            if !k.is_supabase_specific() || !(exposed || browser) {
                continue;
            }
            let message = if exposed {
                format!(
                    "`{name}` holds a service-role key, and bundlers inline `{}` variables into browser code: anyone can \
read it and bypass RLS",
                    prefix_of(ctx.snap.config, name)
                )
            } else {
                format!("{} is read in a 'use client' module: a service-role key must never reach browser code", k.describe())
            };
            ctx.out
                .push(Finding::new(META.id, META.default_severity, range, message));
            break;
        }
    }
    next_config_env(ctx);
    // SvelteKit: `import { PUBLIC_… } from '$env/static/public'`
    for imp in &ctx.ir.imports {
        if &*imp.source != "$env/static/public" {
            continue;
        }
        let ImportKind::Named(n) = &imp.kind else {
            continue;
        };
        if let Value::Key(k) = ctx.ev.env_read(
            n,
            Loc {
                file: ctx.file,
                range: imp.range,
            },
        ) {
            if k.level == Some(KeyLevel::Service) && k.is_supabase_specific() {
                let message = format!("`{n}` from $env/static/public holds a service-role key: it ships to every browser");
                ctx.out.push(Finding::new(
                    META.id,
                    META.default_severity,
                    imp.range,
                    message,
                ));
            }
        }
    }
}

/// `next.config.{js,mjs,cjs,ts,mts}`: Next.js inlines every value of the `env` option into the bundles, the
/// browser's included, so a service key there ships to every visitor.
fn next_config_env(ctx: &mut RuleCtx) {
    let path = ctx.snap.path(ctx.file);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let is_next_config = name
        .strip_prefix("next.config.")
        .is_some_and(|ext| matches!(ext, "js" | "mjs" | "cjs" | "ts" | "mts"));
    if !is_next_config {
        return;
    }
    let ir = ctx.ir;
    for expr in &ir.exprs {
        let Expr::Object(entries) = expr else {
            continue;
        };
        for entry in entries {
            let ObjEntry::Prop {
                key: PropKey::Name(n),
                value,
                ..
            } = entry
            else {
                continue;
            };
            if &**n != "env" {
                continue;
            }
            let Expr::Object(vars) = ir.expr(*value) else {
                continue;
            };
            for var in vars {
                let ObjEntry::Prop {
                    key: PropKey::Name(var),
                    value,
                    ..
                } = var
                else {
                    continue;
                };
                let vals = ctx.ev.eval(ctx.file, *value, &None);
                let key = vals.iter().find_map(|v| match v {
                    Value::Key(k)
                        if k.level == Some(KeyLevel::Service)
                            && matches!(k.source, KeySource::Env { .. })
                            && k.is_supabase_specific() =>
                    {
                        Some(k.clone())
                    }
                    _ => None,
                });
                let Some(k) = key else { continue };
                let message = format!(
                    "`env.{var}` in {name} is {}: Next.js inlines every `env` value into the JavaScript bundles, the \
browser's included, so anyone can read this service-role key and bypass RLS",
                    k.describe()
                );
                let range = ir.range(*value);
                let mut f = Finding::new(META.id, META.default_severity, range, message);
                if k.origin.file != ctx.file {
                    f = ctx.related(f, k.origin, "service-role key read here");
                }
                ctx.out.push(f);
            }
        }
    }
}

fn prefix_of<'a>(config: &'a Config, name: &str) -> &'a str {
    rlscope_core::config::DEFAULT_BROWSER_ENV_PREFIXES
        .iter()
        .copied()
        .chain(config.browser_env_prefixes.iter().map(String::as_str))
        .find(|p| name.starts_with(p))
        .unwrap_or("public")
}

/// `.env` files: a browser-exposed variable whose value is a service-level key.
pub(crate) fn check_env_file(config: &Config, f: &FileData) -> Vec<Finding> {
    f.env_entries
        .iter()
        .filter(|e| e.level == KeyLevel::Service && config.is_browser_env_name(&e.name))
        .map(|e| {
            let message = format!(
                "`{}` holds a service-role key, and bundlers inline `{}` variables into browser code: anyone can read it \
and bypass RLS",
                e.name,
                prefix_of(config, &e.name)
            );
            Finding::new(META.id, META.default_severity, e.range, message)
        })
        .collect()
}

script_rule! {
    /// The rule's hooks: a client created by a call, and the file (env reads, `next.config` `env`).
    wants: super::Wants::CLIENTS,
    client_created: check_client,
    file: check_file,
}
