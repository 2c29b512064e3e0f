//! Rule docs are generated from each rule's metadata and executed:
//!
//! - `docs/rules/<id>.md` must equal `rlscope_engine::rules::render_markdown` for every rule, and
//!   `docs/rules/README.md` the generated index; regenerate with `UPDATE_DOCS=1 cargo test -p rlscope --test docs`.
//! - Each rule's `example` yields exactly that rule, once, and its `use_instead` yields nothing
//!   (checked with `rlscope_engine::check_source`, as Biome's rules_check does).

use std::path::{Path, PathBuf};

use rlscope_core::rule::Language;
use rlscope_core::RuleMeta;
use rlscope_engine::rules;

/// Fails with every problem's detail when there is any.
fn check_problems(problems: Vec<(String, String)>) {
    let details: Vec<&str> = problems.iter().map(|(_, detail)| detail.as_str()).collect();
    assert!(details.is_empty(), "{details:#?}");
}

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules")
}

fn index(all: &[&RuleMeta]) -> String {
    let mut s = String::from(
        "# Rules\n\n\
         <!-- Generated from the rules' metadata by `UPDATE_DOCS=1 cargo test -p rlscope --test docs`; do not edit. -->\n\n\
         Each page has the same sections: What it does, Why is this bad?, Example, Use instead, Fix safety, References.\n\
         `rlscope explain RULE` prints the same text. Severities can be changed per rule in `rlscope.toml` \
         (see [../ci.md](../ci.md)); a finding can be suppressed with `// rlscope-ignore RULE: reason`.\n\n\
         | Rule | Default severity | Language | Summary |\n|---|---|---|---|\n",
    );
    for r in all {
        let lang = match r.language {
            Language::TypeScript => "TS/JS",
            Language::Sql => "SQL",
            Language::Any => "any",
        };
        s.push_str(&format!(
            "| [`{id}`]({id}.md) | {} | {lang} | {} |\n",
            r.default_severity.as_str(),
            r.summary.replace('|', "\\|"),
            id = r.id
        ));
    }
    s
}

#[test]
fn rule_docs_are_current() {
    let all = rules::all();
    let dir = docs_dir();
    let update = std::env::var_os("UPDATE_DOCS").is_some_and(|v| v != "0");
    let mut expected: Vec<(PathBuf, String)> = all
        .iter()
        .map(|r| (dir.join(format!("{}.md", r.id)), rules::render_markdown(r)))
        .collect();
    expected.push((dir.join("README.md"), index(&all)));
    let mut stale = Vec::new();
    if update {
        std::fs::create_dir_all(&dir).unwrap();
    }
    for (path, text) in &expected {
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if &current != text {
            if update {
                std::fs::write(path, text).unwrap();
            } else {
                stale.push(path.file_name().unwrap().to_string_lossy().into_owned());
            }
        }
    }
    // pages of rules that no longer exist
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "md") && !expected.iter().any(|(e, _)| e == &p) {
            if update {
                std::fs::remove_file(&p).unwrap();
            } else {
                stale.push(format!(
                    "{} (no such rule)",
                    p.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is stale: {stale:?}\nregenerate with `UPDATE_DOCS=1 cargo test -p rlscope --test docs`"
    );
}

#[test]
fn every_rule_has_complete_docs() {
    let mut problems = Vec::new();
    for r in rules::all() {
        for (section, text) in [
            ("what_it_does", r.what_it_does),
            ("why_bad", r.why_bad),
            ("example", r.example),
            ("use_instead", r.use_instead),
            ("fix_safety", r.fix_safety),
        ] {
            if text.trim().is_empty() {
                problems.push((
                    format!("{}: empty {section}", r.id),
                    format!("{}: empty {section}", r.id),
                ));
            }
        }
        if r.references.is_empty() {
            problems.push((
                format!("{}: no references", r.id),
                format!("{}: no references", r.id),
            ));
        }
        // `rlscope explain` prints the docs as they are: they must not hold a key the redactor would hide
        let md = rules::render_markdown(r);
        if rlscope_core::keys::redact_secrets_in(&md) != md {
            problems.push((
                format!("{}: key in docs", r.id),
                format!(
                    "{}: the docs hold a JWT or sb_secret_ key (write it as `sb_secret_…` or build it at run time)",
                    r.id
                ),
            ));
        }
    }
    check_problems(problems);
}

#[test]
fn rule_examples_are_executed() {
    let mut problems = Vec::new();
    for r in rules::all() {
        let file = format!("example.{}", r.example_extension());
        if !r.example.trim().is_empty() {
            let found = rlscope_engine::check_source(&file, r.example);
            let ids: Vec<&str> = found.iter().map(|f| f.rule).collect();
            if ids != [r.id] {
                problems.push((
                    format!("{}: example", r.id),
                    format!(
                        "{}: `example` should yield exactly [{}], yields {ids:?}",
                        r.id, r.id
                    ),
                ));
            }
        }
        if !r.use_instead.trim().is_empty() {
            let found = rlscope_engine::check_source(&file, r.use_instead);
            if !found.is_empty() {
                let ids: Vec<&str> = found.iter().map(|f| f.rule).collect();
                problems.push((
                    format!("{}: use_instead", r.id),
                    format!(
                        "{}: `use_instead` should yield nothing, yields {ids:?}",
                        r.id
                    ),
                ));
            }
        }
    }
    check_problems(problems);
}

#[test]
fn explain_prints_the_docs_page() {
    for r in rules::all() {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rlscope"))
            .args(["explain", r.id])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            rules::render_markdown(r)
        );
    }
}
