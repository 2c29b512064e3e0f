//! Hostile inputs through the real `rlscope check` binary, on generated temp folders.
//!
//! Each run must end with exit status 0 or 1 (2 only where a test says why), print valid JSON with
//! `--format json`, print no panic, use less than [`CPU_LIMIT`] of CPU time (wall time is only a hang guard,
//! [`LIMIT`]: the machine running the tests is shared) and stay under [`MAX_RSS_MIB`] of resident memory
//! (measured per child with wait4). Each test prints its time and peak memory (`--nocapture` shows them; the
//! numbers are recorded in docs/reliability.md).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use rlscope_reliability::{rlscope_bin, run_bounded, service_jwt, write, Run};
use serde_json::Value;

const LIMIT: Duration = Duration::from_secs(90);
const CPU_LIMIT: Duration = Duration::from_secs(20);
const MAX_RSS_MIB: u64 = 2048;

fn check(args: &[&str], paths: &[&Path]) -> Run {
    let mut cmd = Command::new(rlscope_bin());
    cmd.arg("check").args(args).args(paths);
    run_bounded(&mut cmd, LIMIT)
}

/// `rlscope check --format json PATHS`: bounded, exit 0/1, valid JSON, no panic. Returns the JSON.
fn check_json(name: &str, paths: &[&Path]) -> (Run, Value) {
    check_json_within(name, paths, CPU_LIMIT)
}

/// [`check_json`] with its own CPU time limit.
fn check_json_within(name: &str, paths: &[&Path], cpu_limit: Duration) -> (Run, Value) {
    let run = check(&["--format", "json"], paths);
    eprintln!(
        "[hostile] {name}: exit {:?}, {:.2} s wall, {:.2} s CPU, peak RSS {} MiB",
        run.code,
        run.elapsed.as_secs_f64(),
        run.cpu.as_secs_f64(),
        run.max_rss_kib / 1024
    );
    assert!(!run.timed_out, "{name}: timed out: {}", run.describe());
    assert!(
        run.cpu < cpu_limit,
        "{name}: too slow (limit {cpu_limit:?} of CPU): {}",
        run.describe()
    );
    assert!(
        matches!(run.code, Some(0 | 1)),
        "{name}: exit status: {}",
        run.describe()
    );
    assert!(
        !run.stderr_str().contains("panicked"),
        "{name}: a panic was printed: {}",
        run.describe()
    );
    assert!(
        run.max_rss_kib / 1024 < MAX_RSS_MIB,
        "{name}: peak RSS {} MiB",
        run.max_rss_kib / 1024
    );
    let json: Value = serde_json::from_slice(&run.stdout)
        .unwrap_or_else(|e| panic!("{name}: stdout is not JSON ({e}): {}", run.describe()));
    assert!(json.is_array(), "{name}: not an ESLint-style array");
    (run, json)
}

/// (ruleId, line, column) of every message for files whose path ends with `suffix`.
fn messages(json: &Value, suffix: &str) -> Vec<(String, u64, u64)> {
    json.as_array()
        .unwrap()
        .iter()
        .filter(|f| f["filePath"].as_str().is_some_and(|p| p.ends_with(suffix)))
        .flat_map(|f| f["messages"].as_array().cloned().unwrap_or_default())
        .map(|m| {
            (
                m["ruleId"].as_str().unwrap_or("").to_string(),
                m["line"].as_u64().unwrap_or(0),
                m["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn has_rule(json: &Value, suffix: &str, rule: &str) -> bool {
    messages(json, suffix).iter().any(|(r, _, _)| r == rule)
}

/// A line that `hardcoded-service-key` reports, to prove analysis went on past the hostile part.
fn key_line() -> String {
    format!("export const k = '{}'\n", service_jwt())
}

#[test]
fn deeply_nested_parentheses_arrays_and_jsx() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    let parens = format!(
        "const x = {}1{}\n{}",
        "(".repeat(n),
        ")".repeat(n),
        key_line()
    );
    let arrays = format!(
        "const y = {}{}\n{}",
        "[".repeat(n),
        "]".repeat(n),
        key_line()
    );
    let jsx = format!(
        "export const z = {}{}\n{}",
        "<a>".repeat(n),
        "</a>".repeat(n),
        key_line()
    );
    // also unbalanced: only openers, as while typing
    let open = format!("{}\n{}", "(".repeat(n), key_line());
    let files = [
        write(dir.path(), "parens.ts", &parens),
        write(dir.path(), "arrays.ts", &arrays),
        write(dir.path(), "jsx.tsx", &jsx),
        write(dir.path(), "open.ts", &open),
    ];
    // walked, these one-line files look minified and are skipped with a note; named, they are parsed
    let (run, _) = check_json("100k nesting (walked)", &[dir.path()]);
    assert!(run.stderr_str().contains("minified"), "{}", run.describe());
    let named: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let (_, json) = check_json("100k nesting (named)", &named);
    for f in ["parens.ts", "arrays.ts", "jsx.tsx"] {
        assert!(
            has_rule(&json, f, "hardcoded-service-key"),
            "{f}: the key after the nesting is not reported: {:?}",
            messages(&json, f)
        );
    }
}

/// How many bare parses of a huge named file `rlscope check` may cost (parse, lowering, checks, output).
const PARSES_ALLOWED: u32 = 4;

/// CPU time the calling thread spends in `f`.
fn thread_cpu(f: impl FnOnce()) -> Duration {
    let start = rlscope_testkit::thread_cpu();
    f();
    rlscope_testkit::thread_cpu().saturating_sub(start)
}

#[test]
fn a_25_mb_file_walked_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::with_capacity(26 << 20);
    text.push_str("import { createClient } from '@supabase/supabase-js'\n");
    let mut i = 0;
    while text.len() < 25 << 20 {
        text.push_str(&format!(
            "export async function f{i}(id: string) {{ const {{ data }} = await anon.from('t{i}').select('*').eq('id', id); return data }}\n"
        ));
        i += 1;
    }
    text.push_str(&key_line());
    let p = write(dir.path(), "big.ts", &text);
    // walked: skipped (generated file) with a warning, still a valid run
    let (run, _) = check_json("25 MB file (walked)", &[dir.path()]);
    assert!(
        run.stderr_str().contains("big.ts"),
        "no note about the skipped file: {}",
        run.describe()
    );
    // named: parsed. Parsing 25 MB alone takes seconds, and how many depends on the machine: the limit is a
    // multiple of a bare tree-sitter parse of the same text measured here, on this machine, now.
    let parse = thread_cpu(|| {
        let doc =
            rlscope_engine::document::Document::new(rlscope_engine::Lang::TypeScript, text.clone());
        assert!(doc.tree().is_some());
    });
    let limit = CPU_LIMIT.max(parse * PARSES_ALLOWED);
    eprintln!(
        "[hostile] 25 MB file: a bare parse takes {:.2} s CPU; limit {:.2} s",
        parse.as_secs_f64(),
        limit.as_secs_f64()
    );
    let (_, json) = check_json_within("25 MB file (named)", &[&p], limit);
    assert!(
        has_rule(&json, "big.ts", "hardcoded-service-key"),
        "the key at the end of the 25 MB file is not reported"
    );
}

#[test]
fn a_5_mb_minified_single_line_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::with_capacity(5 << 20);
    let mut i = 0;
    while text.len() < 5 << 20 {
        text.push_str(&format!(
            "var a{i}=function(b,c){{return b?c({i}):[b,c,{{k:\"v{i}\"}}]}};"
        ));
        i += 1;
    }
    text.push_str(&key_line().replace('\n', ";"));
    write(dir.path(), "app.js", &text);
    let p = write(dir.path(), "vendor.min.js", &text);
    let (run, _) = check_json("5 MB minified bundle (walked)", &[dir.path()]);
    assert!(
        run.stderr_str().contains("minified"),
        "expected a note that the bundle was skipped: {}",
        run.describe()
    );
    let (_, json) = check_json("5 MB minified bundle (named)", &[&p]);
    assert!(has_rule(&json, "vendor.min.js", "hardcoded-service-key"));
}

#[test]
fn invalid_utf8_nul_bytes_and_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut bad = b"const a = '\xff\xfe\xc3('\n/* \xed\xa0\x80 surrogate */\n".to_vec();
    bad.extend_from_slice(key_line().as_bytes());
    write(dir.path(), "bad_utf8.ts", &bad);
    let nul = format!("const a\0 = 1\0\n\0\0\0\n{}\0", key_line());
    write(dir.path(), "nul.ts", &nul);
    write(
        dir.path(),
        "nul.sql",
        "CREATE\0 POLICY p ON t TO service_role USING (true);\0",
    );
    write(dir.path(), ".env", b"A=\xff\xfe\0\nB\0=1\n");
    for empty in [
        "empty.ts",
        "empty.tsx",
        "empty.js",
        "empty.sql",
        ".env.local",
    ] {
        write(dir.path(), empty, "");
    }
    write(dir.path(), "tsconfig.json", "");
    let (_, json) = check_json("invalid UTF-8, NUL, empty", &[dir.path()]);
    assert!(has_rule(&json, "bad_utf8.ts", "hardcoded-service-key"));
    assert!(has_rule(&json, "nul.ts", "hardcoded-service-key"));
    assert!(messages(&json, "empty.ts").is_empty());
}

/// Lines end at CRLF (and, for a second file, a lone CR); the finding sits after an emoji. Columns in the JSON
/// output count characters (ESLint's and people's columns): the emoji moves the finding by 1, not 2 (UTF-16) or 4
/// (bytes). SARIF declares its `columnKind` and must follow it.
#[test]
fn crlf_and_lone_cr_with_an_emoji_before_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let key = service_jwt();
    let plain = format!("// one\r\n// two\r\nconst a = 1; const k = '{key}'\r\n");
    let emoji = format!("// one\r\n// two\r\nconst a = 1; /*😀*/const k = '{key}'\r\n");
    let lone_cr = format!("// one\r// two\rconst a = 1; /*😀*/const k = '{key}'\r");
    write(dir.path(), "plain.ts", &plain);
    write(dir.path(), "emoji.ts", &emoji);
    write(dir.path(), "lonecr.ts", &lone_cr);
    let (_, json) = check_json("CRLF + emoji", &[dir.path()]);
    let find = |f: &str| {
        messages(&json, f)
            .into_iter()
            .find(|(r, _, _)| r == "hardcoded-service-key")
            .unwrap_or_else(|| panic!("{f}: no finding: {json}"))
    };
    let (_, l0, c0) = find("plain.ts");
    let (_, l1, c1) = find("emoji.ts");
    let (_, l2, c2) = find("lonecr.ts");
    assert_eq!((l0, l1, l2), (3, 3, 3), "lines (1-based)");
    // "/*😀*/" is 5 characters
    assert_eq!(c1, c0 + 5, "emoji line: column must count characters");
    assert_eq!(c2, c1, "lone CR file: same line and column as CRLF");

    let run = check(&["--format", "sarif"], &[dir.path()]);
    let sarif: Value = serde_json::from_slice(&run.stdout).expect("sarif json");
    let runs = &sarif["runs"][0];
    let kind = runs["columnKind"].as_str().unwrap_or("unicodeCodePoints");
    let col = |f: &str| -> u64 {
        runs["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| {
                r["ruleId"] == "hardcoded-service-key"
                    && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .is_some_and(|u| u.ends_with(f))
            })
            .map(|r| {
                r["locations"][0]["physicalLocation"]["region"]["startColumn"]
                    .as_u64()
                    .unwrap()
            })
            .unwrap_or_else(|| panic!("no SARIF result for {f}"))
    };
    let emoji_width = if kind == "utf16CodeUnits" { 2 } else { 1 };
    assert_eq!(
        col("emoji.ts"),
        col("plain.ts") + 4 + emoji_width,
        "SARIF columnKind {kind}"
    );
}

#[test]
fn symlink_loops() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "src/a.ts", key_line());
    std::os::unix::fs::symlink(root, root.join("src/loop")).unwrap();
    std::os::unix::fs::symlink("b.ts", root.join("src/c.ts")).unwrap();
    std::os::unix::fs::symlink("c.ts", root.join("src/b.ts")).unwrap();
    std::os::unix::fs::symlink("self.ts", root.join("src/self.ts")).unwrap();
    let (_, json) = check_json("symlink loops (walked)", &[root]);
    assert!(has_rule(&json, "src/a.ts", "hardcoded-service-key"));
    // named explicitly, a looping link is a path that does not resolve: a clear usage error, no hang
    let run = check(&["--format", "json"], &[&root.join("src/self.ts")]);
    assert!(!run.timed_out && !run.stderr_str().contains("panicked"));
    assert!(matches!(run.code, Some(0..=2)), "{}", run.describe());
}

#[test]
fn tsconfig_extends_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "tsconfig.json",
        r#"{"extends": "./tsconfig.base.json", "compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./*"]}}}"#,
    );
    write(root, "tsconfig.base.json", r#"{"extends": "./base.json"}"#);
    write(
        root,
        "base.json",
        r#"{"extends": ["./tsconfig.json", "./base.json"]}"#,
    );
    write(
        root,
        "pkg/tsconfig.json",
        r#"{"extends": "./tsconfig.json"}"#,
    );
    write(
        root,
        "lib/admin.ts",
        "import { createClient } from '@supabase/supabase-js'\nexport const admin = createClient(u, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n",
    );
    write(
        root,
        "app/login.ts",
        "import { admin } from '@/lib/admin'\nexport async function login(email: string, password: string) { await admin.auth.signInWithPassword({ email, password }) }\n",
    );
    let (_, json) = check_json("tsconfig extends cycle", &[root]);
    assert!(
        has_rule(&json, "app/login.ts", "session-method-on-service-client"),
        "the @/ alias should still resolve through the cyclic tsconfig: {:?}",
        messages(&json, "app/login.ts")
    );
}

#[test]
fn env_files_with_garbage_lines() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut env = String::new();
    env.push_str("=\n==\n=value\nexport\nexport =\n#\n # comment\nKEY\nKEY=\"unterminated\n");
    env.push_str("MULTI=\"line one\nline two\"\n'quoted'=x\n\u{FEFF}BOM=1\n\0\0=\0\n");
    env.push_str(&format!("LONG={}\n", "x".repeat(1 << 20)));
    env.push_str("😀=😀\n\r\n\r");
    env.push_str(&format!(
        "NEXT_PUBLIC_SUPABASE_KEY={}\nexport SPACED = '{}' # trailing\n",
        service_jwt(),
        service_jwt()
    ));
    write(root, ".env", &env);
    write(
        root,
        ".env.production",
        "\u{0}\u{1}\u{2}garbage\n\n\n====\n",
    );
    write(
        root,
        "app/page.tsx",
        "'use client'\nimport { createBrowserClient } from '@supabase/ssr'\nexport const c = createBrowserClient(u, process.env.NEXT_PUBLIC_SUPABASE_KEY!)\n",
    );
    let (_, json) = check_json(".env garbage", &[root]);
    let page = messages(&json, "app/page.tsx");
    assert!(
        page.iter().any(|(r, _, _)| r == "service-key-in-browser"),
        "the service key read in the browser (known by its .env value past the garbage) is not reported: {page:?}"
    );
}

/// Files created and deleted while `rlscope check` walks and reads the folder: a real race (not a simulation),
/// repeated; every run must still end with 0/1 and valid JSON. A file that vanishes between listing and reading
/// becomes a warning on stderr.
#[test]
fn files_deleted_between_listing_and_reading() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    write(&root, "stable.ts", key_line());
    let stop = Arc::new(AtomicBool::new(false));
    let churn = {
        let (root, stop) = (root.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                for i in 0..200 {
                    let _ = std::fs::write(root.join(format!("churn{i}.ts")), key_line());
                }
                for i in 0..200 {
                    let _ = std::fs::remove_file(root.join(format!("churn{i}.ts")));
                }
                n += 1;
            }
            n
        })
    };
    let mut warned = 0;
    for round in 0..15 {
        let (run, json) = check_json(&format!("churn round {round}"), &[&root]);
        assert!(has_rule(&json, "stable.ts", "hardcoded-service-key"));
        if run.stderr_str().contains("cannot read") {
            warned += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let cycles = churn.join().unwrap();
    eprintln!(
        "[hostile] churn: {cycles} create/delete cycles, {warned}/15 runs hit a vanished file"
    );
}
