//! The rule registry: every rule's metadata, in a stable order.

use rlscope_core::RuleMeta;

/// Every rule rlscope knows, TS/JS rules first, then SQL, then suppression rules.
pub fn all() -> Vec<&'static RuleMeta> {
    vec![
        &rlscope_sql::SERVICE_ROLE_POLICY,
        &rlscope_core::suppress::INVALID_SUPPRESSION,
        &rlscope_core::suppress::UNUSED_SUPPRESSION,
    ]
}

pub fn by_id(id: &str) -> Option<&'static RuleMeta> {
    all().into_iter().find(|r| r.id == id)
}

/// A rule's docs as markdown with the fixed sections; the source of `rlscope explain`, `docs/rules/<id>.md`
/// and the language server's hover.
pub fn render_markdown(meta: &RuleMeta) -> String {
    let lang = if meta.example_extension() == "sql" {
        "sql"
    } else {
        "ts"
    };
    let mut s = format!("# {}\n\n", meta.id);
    s.push_str(&format!(
        "Default severity: {}. {}.\n\n",
        meta.default_severity.as_str(),
        meta.summary
    ));
    s.push_str(&format!(
        "## What it does\n\n{}\n\n",
        meta.what_it_does.trim()
    ));
    s.push_str(&format!(
        "## Why is this bad?\n\n{}\n\n",
        meta.why_bad.trim()
    ));
    s.push_str(&format!(
        "## Example\n\n```{lang}\n{}\n```\n\n",
        meta.example.trim_end()
    ));
    s.push_str(&format!(
        "## Use instead\n\n```{lang}\n{}\n```\n\n",
        meta.use_instead.trim_end()
    ));
    s.push_str(&format!("## Fix safety\n\n{}\n\n", meta.fix_safety.trim()));
    s.push_str("## References\n\n");
    for r in meta.references {
        let url = if r.starts_with("http") {
            r.to_string()
        } else {
            format!("https://supabase.com{r}")
        };
        s.push_str(&format!("- <{url}>\n"));
    }
    s
}
