//! The harness's quick mode, run by `cargo test` so it cannot rot: a generated project of 300 files and the
//! example project, measured once with 1 and 2 threads. It asserts that prefilter on and off give identical
//! findings (in-process, and through the `rlscope` binary when one has been built), that those findings are not
//! empty, that the binary agrees with the engine linked into the test, and that every planted finding is reported.
//! It prints the timings; it never fails on them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rlscope_bench::gen::{self, GenOptions};
use rlscope_bench::harness::{self, ProblemKind, Settings};
use rlscope_engine::Lang;

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("rlscope-bench-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn settings() -> Settings {
    let bin = harness::find_binary();
    eprintln!(
        "binary for (b)/(c): {}",
        bin.as_ref()
            .map_or("none built; in-process only".to_string(), |b| b
                .display()
                .to_string())
    );
    Settings {
        threads: vec![1, 2],
        runs: 1,
        bin,
        in_process: true,
    }
}

/// Asserts what the quick mode guarantees; prints the report.
fn check(report: &harness::ProjectReport) {
    println!("{}", harness::render(report));
    assert!(report.files > 0, "{}: no TS/JS files found", report.name);
    assert!(
        report.prefilter_identical(),
        "{}: prefilter on and off differ",
        report.name
    );
    let findings = report
        .engine
        .as_ref()
        .and_then(|o| o.reference())
        .expect("the in-process run has findings to compare");
    assert!(
        !findings.is_empty(),
        "{}: no findings at all, so prefilter on = off says nothing",
        report.name
    );
    let problems: Vec<String> = report
        .problems
        .iter()
        .map(|p| match p.kind {
            ProblemKind::BinaryVsEngine => format!(
                "{} (rebuild it: cargo build --release -p rlscope, or set RLSCOPE_BIN)",
                p.message
            ),
            _ => p.message.clone(),
        })
        .collect();
    assert!(problems.is_empty(), "{}: {problems:#?}", report.name);
}

#[test]
fn quick_mode_prefilter_on_off_identical_on_a_generated_project() {
    let dir = temp_dir("gen");
    let project = gen::generate_to(
        &dir,
        &GenOptions {
            files: 300,
            seed: 1,
        },
    )
    .unwrap();
    assert_eq!(project.script_count(), 300);
    let report = harness::measure("gen-300", &dir, &settings());
    assert_eq!(
        report.files, 300,
        "the walk finds every generated TS/JS file"
    );
    assert_eq!(
        report.syntax_errors, 0,
        "generated code parses without errors"
    );
    let planted = report.planted.as_ref().expect("EXPECTED.json is read");
    assert_eq!(planted.total, project.expected.len());
    check(&report);
    assert!(planted.missing.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn quick_mode_prefilter_on_off_identical_on_the_example_project() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/nextjs-supabase");
    assert!(
        !rlscope_bench::walk::scripts(&example).is_empty(),
        "{} has no TS/JS files",
        example.display()
    );
    let report = harness::measure("examples/nextjs-supabase", &example, &settings());
    check(&report);
}

/// Resolves an import specifier of `from` to a project file, as TypeScript would with `"@/*": ["./*"]`.
fn resolves(files: &BTreeSet<&str>, from: &str, spec: &str) -> bool {
    let base = if let Some(rest) = spec.strip_prefix("@/") {
        rest.to_string()
    } else {
        let mut parts: Vec<&str> = from.split('/').collect();
        parts.pop();
        for seg in spec.split('/') {
            match seg {
                "." => {}
                ".." => {
                    parts.pop();
                }
                s => parts.push(s),
            }
        }
        parts.join("/")
    };
    ["", ".ts", ".tsx", "/index.ts", "/index.tsx"]
        .iter()
        .any(|ext| files.contains(format!("{base}{ext}").as_str()))
}

#[test]
fn generator_is_deterministic_realistic_and_every_import_resolves() {
    let a = gen::generate(&GenOptions {
        files: 1000,
        seed: 3,
    });
    let b = gen::generate(&GenOptions {
        files: 1000,
        seed: 3,
    });
    let c = gen::generate(&GenOptions {
        files: 1000,
        seed: 4,
    });
    assert!(a.files == b.files, "same seed, same project");
    assert!(a.files != c.files, "another seed, another project");
    assert_eq!(a.script_count(), 1000);

    // The layout of a Next.js + Supabase project.
    let has = |pred: &dyn Fn(&str) -> bool| a.files.keys().any(|p| pred(p));
    assert!(has(&|p| p.starts_with("app/") && p.ends_with("/page.tsx")));
    assert!(has(
        &|p| p.starts_with("app/api/") && p.ends_with("/route.ts")
    ));
    assert!(has(
        &|p| p.starts_with("components/") && p.ends_with("/index.ts")
    ));
    assert!(has(
        &|p| p.starts_with("supabase/functions/") && p.ends_with("/index.ts")
    ));
    assert!(a.files["tsconfig.json"].contains(r#""@/*": ["./*"]"#));
    assert!(a.files["lib/supabase/admin.ts"].contains("process.env.SUPABASE_SERVICE_ROLE_KEY!"));
    assert!(a.files["utils/supabase/server.ts"].contains("from '@supabase/ssr'"));

    // Size mix: mostly small files, a long tail of large ones.
    let mut lines: Vec<usize> = a
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".ts") || p.ends_with(".tsx"))
        .map(|(_, t)| t.lines().count())
        .collect();
    lines.sort();
    let median = lines[lines.len() / 2];
    assert!((30..=150).contains(&median), "median {median} lines");
    assert!(
        lines.iter().filter(|n| **n >= 500).count() >= 10,
        "some large files"
    );
    assert!(*lines.last().unwrap() >= 1200, "a very large file");

    // Most files have nothing to do with Supabase (what a prefilter exploits).
    let scripts: Vec<(&String, &String)> = a
        .files
        .iter()
        .filter(|(p, _)| Lang::of(Path::new(p.as_str())).is_some_and(Lang::is_script))
        .collect();
    let supabase = scripts
        .iter()
        .filter(|(_, t)| t.contains("supabase") || t.contains(".auth"))
        .count();
    assert!(
        supabase * 5 < scripts.len(),
        "{supabase} of {} files mention Supabase",
        scripts.len()
    );

    // Every relative or aliased import points at a generated file.
    let names: BTreeSet<&str> = a.files.keys().map(String::as_str).collect();
    let mut checked = 0;
    for (path, text) in &scripts {
        for line in text
            .lines()
            .filter(|l| l.starts_with("import ") || l.starts_with("export * from"))
        {
            let Some(spec) = line.rsplit('\'').nth(1) else {
                continue;
            };
            if spec.starts_with('.') || spec.starts_with("@/") {
                assert!(
                    resolves(&names, path, spec),
                    "{path}: `{line}` does not resolve"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "only {checked} project imports");

    // Planted findings: the files exist; the hard-coded key is a service-role JWT but not a real one.
    assert_eq!(a.expected.len(), 8);
    for e in &a.expected {
        let text = &a.files[&e.path];
        assert!(
            e.line >= 1 && e.line <= text.lines().count(),
            "{}:{}",
            e.path,
            e.line
        );
    }
    let legacy = &a.files["lib/legacy/service-client.ts"];
    let jwt = legacy
        .split('\'')
        .find(|s| s.starts_with("eyJ"))
        .expect("a JWT literal");
    let key = rlscope_core::keys::classify_literal(jwt).expect("recognised as a key");
    assert_eq!(key.level, rlscope_core::keys::KeyLevel::Service);
    let others = a
        .files
        .iter()
        .filter(|(p, t)| {
            p.as_str() != "lib/legacy/service-client.ts"
                && (["'eyJ", "\"eyJ", "`eyJ", "sb_secret_"]
                    .iter()
                    .any(|k| t.contains(k)))
        })
        .count();
    assert_eq!(others, 0, "no other file holds a key-shaped literal");
    let json: serde_json::Value = serde_json::from_str(&a.expected_json()).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 8);
}
