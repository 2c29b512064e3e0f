//! `function-search-path-mutable` (splinter 0011 function_search_path_mutable): a function without its own
//! `search_path`.

use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::Severity;

use super::{excluded, Ctx};

pub static META: RuleMeta = RuleMeta {
    id: "function-search-path-mutable",
    default_severity: Severity::Warning,
    language: Language::Sql,
    summary: "A function does not set its own search_path, so the objects it names depend on the caller's (splinter 0011)",
    what_it_does: "Replays the project's migrations and reports each function (outside Supabase's own schemas) \
that ends up without a `SET search_path` clause (`CREATE FUNCTION … SET search_path = ''`, or a later \
`ALTER FUNCTION … SET search_path`). The finding sits on the function's name in its `CREATE FUNCTION`. This is \
Supabase's database advisor lint 0011 `function_search_path_mutable`.",
    why_bad: "Unqualified names in the function body are looked up on the caller's `search_path`. For a \
`SECURITY DEFINER` function that is a privilege escalation: a caller who can create objects in a schema \
earlier on the path makes the function run their code with the owner's rights. For any function it makes \
the behaviour depend on the session.",
    example: "create function public.set_updated_at()\nreturns trigger\nlanguage plpgsql\nas $$\nbegin\n  \
new.updated_at = now();\n  return new;\nend;\n$$;\n",
    use_instead: "create function public.set_updated_at()\nreturns trigger\nlanguage plpgsql\n\
set search_path = ''\nas $$\nbegin\n  new.updated_at = pg_catalog.now();\n  return new;\nend;\n$$;\n",
    fix_safety: "No fix is offered: with `search_path = ''` every name in the body must be schema-qualified.",
    references: &[
        "/docs/guides/database/database-linter?lint=0011_function_search_path_mutable",
        "/docs/guides/database/functions#security-definer-vs-invoker",
    ],
};

pub(crate) fn check(cx: &mut Ctx) {
    for f in &cx.model.functions {
        if f.unknown || excluded(&f.schema) || f.search_path.is_some() {
            continue;
        }
        let Some(at) = f.name_at.as_ref() else {
            continue;
        };
        cx.report(
            &META,
            at,
            format!(
                "Function `{}` has no `set search_path`: the names in its body resolve on the caller's \
                 search_path",
                f.signature()
            ),
            Vec::new(),
            f.signature(),
            &f.name,
            vec!["function_search_path_mutable"],
        );
    }
}
