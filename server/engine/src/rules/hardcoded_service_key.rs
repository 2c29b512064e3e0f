//! `hardcoded-service-key`: a service-role JWT or `sb_secret_` key written in source.

use rlscope_core::keys::{redact, KeyLevel, LiteralKind};
use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::{Applicability, Edit, Finding, Fix, Severity};

use super::RuleCtx;

pub static META: RuleMeta = RuleMeta {
    id: "hardcoded-service-key",
    default_severity: Severity::Error,
    language: Language::TypeScript,
    summary: "A service-role JWT or secret key is written as a literal in source",
    what_it_does: "Reports string literals whose value is a service-role JWT (its payload's `role` is `service_role`) \
or a secret API key (`sb_secret_…`). In SQL files the key is reported wherever it is written: in a string \
(`net.http_post(headers := '{\"Authorization\": \"Bearer eyJ…\"}'::jsonb)`), a dollar-quoted function body or a \
comment. Other text files the walk reads are searched the same way: `supabase/config.toml`, JSON (`app.json`, `package.json`), YAML (CI workflows) and Markdown; not `.env` files (their values are configuration, kept out of git) and not lockfiles. The local-development key that `supabase start` prints (`\"iss\":\"supabase-demo\"`) is public and opens \
only a local stack: it is not reported. The key itself never appears in rlscope's output: it is shown as \
`eyJ…(service_role)` or `sb_secret_…`.",
    why_bad: "A key in source ends up in git history, CI logs, bundles and every clone of the repository, and it \
bypasses all Row Level Security. Rotating it means changing code. Read it from the environment instead.",
    example: r#"import { createClient } from '@supabase/supabase-js'

export const admin = createClient(
  'https://abcd.supabase.co',
  'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz',
)
"#,
    use_instead: r#"import { createClient } from '@supabase/supabase-js'

export const admin = createClient('https://abcd.supabase.co', process.env.SUPABASE_SECRET_KEY!)
"#,
    fix_safety: "Unsafe: the fix replaces the literal with an environment read (`process.env.SUPABASE_SERVICE_ROLE_KEY!`, \
or `Deno.env.get(…)!` in Deno code), so the variable must then be set wherever the code runs. Rotate the key: it \
is already in your history.",
    references: &["/docs/guides/api/api-keys", "/docs/guides/database/postgres/row-level-security#bypassing-row-level-security"],
};

/// A text file read only for keys: every service-level key written anywhere in it, at the key's own bytes
/// (a JSON string, a YAML value, a TOML setting, a Markdown code block). No fix: what reads the file decides
/// how a variable would be spelled.
pub(crate) fn check_text(text: &str) -> Vec<Finding> {
    rlscope_core::keys::service_keys_in_text(text)
        .into_iter()
        .map(|k| {
            let shown = redact(&text[k.range.clone()]);
            Finding::new(
                META.id,
                META.default_severity,
                rlscope_core::TextRange::from_usize(k.range.start, k.range.end),
                rlscope_core::keys::hardcoded_key_message(k.key.kind, &shown),
            )
        })
        .collect()
}

pub(crate) fn check_file(ctx: &mut RuleCtx) {
    for lit in &ctx.ir.key_literals {
        if lit.key.level != KeyLevel::Service {
            continue;
        }
        let raw = ctx.src(ctx.file, lit.range);
        let inner = raw.trim_matches(|c| c == '\'' || c == '"' || c == '`');
        // `supabase start`'s local key is public and opens only a local stack
        if rlscope_core::keys::is_local_demo_key(inner) {
            continue;
        }
        let shown = redact(inner);
        let (what, var) = match lit.key.kind {
            LiteralKind::Secret => ("secret key", "SUPABASE_SECRET_KEY"),
            _ => ("service-role JWT", "SUPABASE_SERVICE_ROLE_KEY"),
        };
        let message = format!("hard-coded {what} `{shown}`: it bypasses RLS and is readable by anyone with the source");
        let mut f = Finding::new(META.id, META.default_severity, lit.range, message);
        // only a literal that is exactly the key can become an env read
        let before = ctx.text[..lit.range.start as usize].trim_end();
        let is_fallback = before.ends_with("||") || before.ends_with("??");
        if rlscope_core::keys::classify_literal(inner).is_some()
            && !inner.contains(' ')
            && !is_fallback
        {
            f = f.with_fix(Fix {
                title: format!(
                    "Read it from the environment: `{}` (set the variable, and rotate the key)",
                    ctx.env_expr(var)
                ),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    range: lit.range,
                    replacement: ctx.env_expr(var),
                }],
            });
        }
        ctx.out.push(f);
    }
}

script_rule! {
    /// The rule's hooks: the file's key literals.
    file: check_file,
}
