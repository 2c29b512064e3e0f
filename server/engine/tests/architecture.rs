//! Architecture checks, in the spirit of rust-analyzer's tidy tests: the engine's modules import only from
//! layers below them, no source file grows past 800 lines without saying why at its top, `rlscope_core`
//! pulls in no parser, LSP or async crate, and every rule has its docs, fixtures, snapshots and README row.
//! Each check is a function over plain data, and each is also run on a broken input to show it can fail.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The engine's layers, lowest first. A module may import from a lower layer; modules of the base layer
/// may import each other; nothing imports from its own layer or above.
const LAYERS: &[&[&str]] = &[
    &[
        "lang",
        "idx",
        "ir",
        "document",
        "envfile",
        "resolve",
        "panic_guard",
        "background",
        "projects",
    ],
    &["db"],
    &["walk", "prefilter"],
    &["lower"],
    &["eval"],
    &["role"],
    &["requests"],
    &["relevance", "rules", "ide"],
    &["schema", "schema_deps"],
    &["workspace"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level module a source file belongs to: `lower/expr.rs` → `lower`, `db.rs` → `db`.
fn module_of(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// Every `crate::<module>` a file's text names (imports, paths and doc links alike).
fn crate_refs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("crate::") {
        let before = text[..i].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `rlscope_engine::crate::` cannot occur; `mycrate::` is another name
        }
        let rest = &text[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    // `use crate::{a, b}`
    for (i, _) in text.match_indices("crate::{") {
        let rest = &text[i + "crate::{".len()..];
        let inner = &rest[..rest.find('}').unwrap_or(0)];
        for part in inner.split(',') {
            let name: String = part
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// The layer violations among `files` (module, text): an import from the same layer (outside the base
/// layer) or from above, and modules missing from [`LAYERS`].
fn layer_violations(files: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (module, text) in files {
        if module == "lib" {
            continue;
        }
        let Some(from) = layer_of(module) else {
            out.push(format!("module `{module}` is in no layer"));
            continue;
        };
        for target in crate_refs(text) {
            if target == *module {
                continue;
            }
            let Some(to) = layer_of(&target) else {
                out.push(format!(
                    "`{module}` names `crate::{target}`, which is in no layer"
                ));
                continue;
            };
            if to > from || (to == from && from != 0) {
                out.push(format!(
                    "`{module}` (layer {from}) imports `{target}` (layer {to})"
                ));
            }
        }
    }
    out
}

fn src_files() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                out.push((p.strip_prefix(&root).unwrap().to_path_buf(), text));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn engine_modules_import_only_downward() {
    let files: Vec<(String, String)> = src_files()
        .into_iter()
        .map(|(p, t)| (module_of(&p), t))
        .collect();
    assert!(files.len() > 20, "read {} files", files.len());
    let v = layer_violations(&files);
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn a_broken_layer_is_reported() {
    let files = vec![
        ("db".to_string(), "use crate::eval::Value;".to_string()),
        (
            "rules".to_string(),
            "use crate::{ide, db::FileId};".to_string(),
        ),
        ("eval".to_string(), "use crate::db::Snapshot;".to_string()),
        (
            "lower".to_string(),
            "use crate::document::parse;".to_string(),
        ),
        ("newthing".to_string(), String::new()),
    ];
    let v = layer_violations(&files);
    assert_eq!(
        v,
        vec![
            "`db` (layer 1) imports `eval` (layer 4)".to_string(),
            "`rules` (layer 7) imports `ide` (layer 7)".to_string(),
            "module `newthing` is in no layer".to_string(),
        ]
    );
}

/// Files over `max` lines whose first lines do not say why.
fn oversized(files: &[(PathBuf, String)], max: usize) -> Vec<String> {
    files
        .iter()
        .filter(|(_, t)| t.lines().count() > max)
        .filter(|(_, t)| {
            !t.lines()
                .take(12)
                .any(|l| l.contains("Over 800 lines:") || l.contains("over 800 lines because"))
        })
        .map(|(p, t)| format!("{} has {} lines", p.display(), t.lines().count()))
        .collect()
}

#[test]
fn no_source_file_over_800_lines_without_a_reason() {
    let v = oversized(&src_files(), 800);
    assert!(v.is_empty(), "{v:#?}");
    let long = "x\n".repeat(801);
    let reasoned = format!("//! Over 800 lines: one match over every node kind.\n{long}");
    let v = oversized(
        &[
            (PathBuf::from("long.rs"), long),
            (PathBuf::from("ok.rs"), reasoned),
        ],
        800,
    );
    assert_eq!(v, vec!["long.rs has 801 lines".to_string()]);
}

/// Crates `rlscope_core` must never pull in, even indirectly.
const NOT_IN_CORE: &[&str] = &[
    "tree-sitter",
    "tree-sitter-typescript",
    "tree-sitter-postgres",
    "tower-lsp-server",
    "tower-lsp",
    "lsp-types",
    "ls-types",
    "tokio",
    "futures",
    "async-trait",
];

/// The forbidden crates reachable from `root` through normal (not dev or build) dependencies, given the
/// `resolve` graph of `cargo metadata`.
fn forbidden_deps(metadata: &serde_json::Value, root: &str) -> Vec<String> {
    let packages = metadata["packages"].as_array().unwrap();
    let name_of: BTreeMap<&str, &str> = packages
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let nodes = metadata["resolve"]["nodes"].as_array().unwrap();
    let by_id: BTreeMap<&str, &serde_json::Value> = nodes
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let start = name_of
        .iter()
        .find(|(_, n)| **n == root)
        .map(|(id, _)| *id)
        .unwrap();
    let mut seen = vec![start];
    let mut stack = vec![start];
    let mut out = Vec::new();
    while let Some(id) = stack.pop() {
        for dep in by_id[id]["deps"].as_array().unwrap() {
            let normal = dep["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kind"].is_null());
            let pkg = dep["pkg"].as_str().unwrap();
            if !normal || seen.contains(&pkg) {
                continue;
            }
            seen.push(pkg);
            stack.push(pkg);
            let name = name_of[pkg];
            if NOT_IN_CORE.contains(&name) || name.starts_with("tree-sitter") {
                out.push(name.to_string());
            }
        }
    }
    out.sort();
    out
}

fn host_triple() -> &'static str {
    if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        "x86_64-unknown-linux-gnu"
    } else if cfg!(all(target_os = "linux", target_arch = "aarch64")) {
        "aarch64-unknown-linux-gnu"
    } else if cfg!(all(target_os = "macos", target_arch = "aarch64")) {
        "aarch64-apple-darwin"
    } else if cfg!(target_os = "macos") {
        "x86_64-apple-darwin"
    } else {
        "x86_64-pc-windows-msvc"
    }
}

fn cargo_metadata() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        // the host platform only: other platforms' crates need not be downloaded
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--locked",
            "--filter-platform",
            host_triple(),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn core_pulls_in_no_parser_lsp_or_async_crate() {
    let metadata = cargo_metadata();
    assert_eq!(
        forbidden_deps(&metadata, "rlscope_core"),
        Vec::<String>::new()
    );
    // the same check on the engine finds its parser: it can fail
    let engine = forbidden_deps(&metadata, "rlscope_engine");
    assert!(engine.contains(&"tree-sitter".to_string()), "{engine:?}");
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What a rule lacks: its docs page, README row, and (for TS/JS rules) fixtures and snapshots.
fn rule_gaps(root: &Path, ids: &[(&str, bool)], readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (id, script) in ids {
        if !root.join(format!("docs/rules/{id}.md")).is_file() {
            out.push(format!("{id}: no docs/rules/{id}.md"));
        }
        if !readme.contains(&format!("| [`{id}`](docs/rules/{id}.md) |")) {
            out.push(format!("{id}: no row in the README's rule table"));
        }
        if !script {
            continue;
        }
        for kind in ["invalid", "valid"] {
            let dir = root.join(format!("server/engine/tests/fixtures/{id}/{kind}"));
            let files: Vec<String> = std::fs::read_dir(&dir)
                .map(|d| {
                    d.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            if files.is_empty() {
                out.push(format!("{id}: no {kind} fixtures"));
            }
            if kind == "invalid" {
                // one snapshot per invalid case, in the rule's own folder: snapshots/<id>/<case>.snap
                for f in files {
                    let stem = f.split('.').next().unwrap_or("");
                    let snap = format!("server/engine/tests/snapshots/{id}/{stem}.snap");
                    if !root.join(&snap).is_file() {
                        out.push(format!("{id}: no snapshot {snap}"));
                    }
                }
            }
        }
    }
    // README rows of rules that do not exist
    for line in readme.lines().filter(|l| l.starts_with("| [`")) {
        let id = line["| [`".len()..].split('`').next().unwrap_or("");
        if !ids.iter().any(|(i, _)| *i == id) {
            out.push(format!(
                "README lists `{id}`, which `rlscope rules` does not"
            ));
        }
    }
    out
}

fn all_rules() -> Vec<(&'static str, bool)> {
    rlscope_engine::rules::all()
        .into_iter()
        .map(|m| (m.id, m.language == rlscope_core::rule::Language::TypeScript))
        .collect()
}

#[test]
fn every_rule_has_docs_fixtures_snapshots_and_a_readme_row() {
    let root = repo_root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let rules = all_rules();
    assert!(rules.len() >= 9);
    let gaps = rule_gaps(&root, &rules, &readme);
    assert!(gaps.is_empty(), "{gaps:#?}");
    // an invalid case without its snapshot in the rule's folder is caught
    let tmp = std::env::temp_dir().join(format!("rlscope-arch-{}", std::process::id()));
    let case = tmp.join("server/engine/tests/fixtures/admin-api-without-service-key");
    for kind in ["invalid", "valid"] {
        std::fs::create_dir_all(case.join(kind)).unwrap();
        std::fs::write(case.join(kind).join("x.ts"), "").unwrap();
    }
    let gaps = rule_gaps(&tmp, &[("admin-api-without-service-key", true)], "");
    std::fs::remove_dir_all(&tmp).unwrap();
    assert!(
        gaps.contains(&"admin-api-without-service-key: no snapshot server/engine/tests/snapshots/admin-api-without-service-key/x.snap".to_string()),
        "{gaps:#?}"
    );
    // a README missing a row and listing a rule that is gone is caught
    let first = format!("| [`{0}`](docs/rules/{0}.md) |", rules[0].0);
    let broken = readme.replace(&first, "| [`no-such-rule`](docs/rules/no-such-rule.md) |");
    let gaps = rule_gaps(&root, &rules, &broken);
    assert_eq!(
        gaps,
        vec![
            format!("{}: no row in the README's rule table", rules[0].0),
            "README lists `no-such-rule`, which `rlscope rules` does not".to_string(),
        ]
    );
}

/// Lines of the engine's rule files that hard-code `Severity::Error` outside a rule's `META` (a finding's
/// severity comes from `META.default_severity`, so configuring the rule's severity means one place).
fn hard_coded_errors(files: &[(PathBuf, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (path, text) in files {
        if !path.starts_with("rules") {
            continue;
        }
        for (i, line) in text.lines().enumerate() {
            if line.contains("Severity::Error")
                && !line.trim_start().starts_with("default_severity:")
            {
                out.push(format!("{}:{}", path.display(), i + 1));
            }
        }
    }
    out
}

#[test]
fn engine_rules_take_their_severity_from_meta() {
    let v = hard_coded_errors(&src_files());
    assert!(v.is_empty(), "{v:#?}");
    let broken = vec![(
        PathBuf::from("rules/x.rs"),
        "    default_severity: Severity::Error,\n    Finding::new(META.id, Severity::Error, r, m)\n"
            .to_string(),
    )];
    assert_eq!(hard_coded_errors(&broken), vec!["rules/x.rs:2".to_string()]);
}
