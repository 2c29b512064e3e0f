//! End-to-end tests of `rlscope check`: the built binary on temporary folders and on a copy of the example
//! project. Config loading, suppressions, --fix/--diff, the output formats, exit statuses, secret hygiene.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn rlscope(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rlscope"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run rlscope")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A service-role JWT built here, never a real key.
fn service_jwt() -> String {
    rlscope_testkit::jwt(
        r#"{"iss":"supabase","role":"service_role","iat":1700000000}"#,
        "test_signature_not_a_real_key_at_all",
    )
}

const SB_SECRET: &str = "sb_secret_Zq8w3TestOnlyNotARealKey_4kP2";

fn hardcoded_file() -> String {
    format!(
        "import {{ createClient }} from '@supabase/supabase-js'\n\nexport const admin = createClient('https://abcd.supabase.co', '{}')\nexport const other = createClient('https://abcd.supabase.co', '{SB_SECRET}')\n",
        service_jwt()
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "node_modules" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn snapshot_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

fn example_copy() -> (tempfile::TempDir, PathBuf) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/nextjs-supabase");
    assert!(
        src.is_dir(),
        "the example project is missing: {}",
        src.display()
    );
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join("nextjs-supabase");
    copy_dir(&src, &dst);
    (tmp, dst)
}

// ---------------------------------------------------------------- config

#[test]
fn config_unknown_rule_is_an_error_with_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "rlscope.toml",
        "[rules]\nservice-role-policy = \"off\"\nno-such-rule = \"warn\"\n",
    );
    write(tmp.path(), "a.ts", "export const x = 1\n");
    let o = rlscope(tmp.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("rlscope.toml:3: unknown rule `no-such-rule`"),
        "{err}"
    );
    assert!(stdout(&o).is_empty());
}

#[test]
fn config_unknown_key_is_an_error_with_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "rlscope.toml",
        "include = [\"**\"]\n[env]\nservice-keys = [\"X\"]\n",
    );
    write(tmp.path(), "a.ts", "export const x = 1\n");
    let o = rlscope(tmp.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("rlscope.toml:3: unknown key `service-keys`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn config_is_found_above_the_checked_path_and_by_flag() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "app/lib/keys.ts", &hardcoded_file());
    // no config: the hard-coded keys are errors
    let o = rlscope(tmp.path(), &["check", "app/lib", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("hardcoded-service-key"));
    // a config two folders up turns the rule into a warning: exit 0, still reported
    write(
        tmp.path(),
        "rlscope.toml",
        "[rules]\nhardcoded-service-key = \"warn\"\n",
    );
    let o = rlscope(
        &tmp.path().join("app"),
        &["check", "lib", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let json: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json[0]["warningCount"], 2, "{json}");
    // --config wins over the discovered file
    write(
        tmp.path(),
        "other.toml",
        "[rules]\nhardcoded-service-key = \"off\"\n",
    );
    let o = rlscope(
        tmp.path(),
        &["check", "app", "--config", "other.toml", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(
        !stdout(&o).contains("hardcoded-service-key"),
        "{}",
        stdout(&o)
    );
    // a missing --config file is a usage error
    let o = rlscope(tmp.path(), &["check", "app", "--config", "nope.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("nope.toml: no such config file"),
        "{}",
        stderr(&o)
    );
}

// ---------------------------------------------------------------- suppressions

#[test]
fn suppressions_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let jwt = service_jwt();
    write(
        tmp.path(),
        "a.ts",
        &format!("// rlscope-ignore hardcoded-service-key: the local `supabase start` demo key\nexport const k = '{jwt}'\n"),
    );
    let o = rlscope(tmp.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("No problems found."), "{}", stdout(&o));

    write(
        tmp.path(),
        "a.ts",
        &format!("// rlscope-ignore hardcoded-service-key\nexport const k = '{jwt}'\n"),
    );
    let o = rlscope(tmp.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("a.ts:1:1: error[invalid-suppression]"),
        "{out}"
    );
    assert!(!out.contains("error[hardcoded-service-key]"), "{out}");

    write(tmp.path(), "a.ts", "// rlscope-ignore hardcoded-service-key: stale\nexport const k = process.env.SUPABASE_SERVICE_ROLE_KEY!\n");
    let o = rlscope(tmp.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(0), "warning only");
    assert!(
        stdout(&o).contains("warning[unused-suppression]"),
        "{}",
        stdout(&o)
    );
    // its safe fix removes the comment
    let o = rlscope(tmp.path(), &["check", ".", "--fix"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("a.ts")).unwrap(),
        "export const k = process.env.SUPABASE_SERVICE_ROLE_KEY!\n"
    );
}

// ---------------------------------------------------------------- --fix / --diff

#[test]
fn fix_the_example_project_then_a_second_run_changes_nothing() {
    let (_tmp, dir) = example_copy();
    let before = snapshot_files(&dir);
    let o = rlscope(&dir, &["check", ".", "--fix", "--unsafe-fixes"]);
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    let out = stdout(&o);
    let after = snapshot_files(&dir);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "no file added or removed (no temp file left)"
    );
    let changed: Vec<_> = before
        .iter()
        .filter(|(p, t)| after[*p] != **t)
        .map(|(p, _)| p.clone())
        .collect();
    assert!(
        !changed.is_empty(),
        "--fix --unsafe-fixes changed no file:\n{out}"
    );
    assert!(out.contains("Fixed "), "{out}");
    // the hard-coded key is gone from the seed script
    assert!(
        changed.iter().any(|p| p.ends_with("scripts/seed.ts")),
        "{changed:?}"
    );
    let seed = String::from_utf8(after[Path::new("scripts/seed.ts")].clone()).unwrap();
    assert!(!seed.contains("eyJ"), "{seed}");

    // every fixed file still parses (when it did before)
    let mut broken = Vec::new();
    for p in &changed {
        let Some(lang) = rlscope_engine::Lang::of(p) else {
            continue;
        };
        let parses = |bytes: &[u8]| {
            let text = String::from_utf8_lossy(bytes);
            rlscope_engine::document::parse(lang, &text, None)
                .is_some_and(|t| !t.root_node().has_error())
        };
        if parses(&before[p]) && !parses(&after[p]) {
            broken.push(format!(
                "{}:\n{}",
                p.display(),
                String::from_utf8_lossy(&after[p])
            ));
        }
    }
    assert!(
        broken.is_empty(),
        "fixes broke the syntax of:\n{}",
        broken.join("\n")
    );

    let o2 = rlscope(&dir, &["check", ".", "--fix", "--unsafe-fixes"]);
    assert_eq!(
        snapshot_files(&dir),
        after,
        "the second run changed files:\n{}",
        stdout(&o2)
    );
    assert!(
        stdout(&o2).contains("Fixed 0 problems in 0 files."),
        "{}",
        stdout(&o2)
    );
    // what remains has no fix at that level
    let o3 = rlscope(&dir, &["check", ".", "--diff", "--unsafe-fixes"]);
    assert_eq!(o3.status.code(), Some(0), "{}", stdout(&o3));
    assert!(stdout(&o3).is_empty());
}

#[test]
fn safe_fix_alone_does_not_apply_unsafe_fixes() {
    let (_tmp, dir) = example_copy();
    let before = snapshot_files(&dir);
    let o = rlscope(&dir, &["check", ".", "--fix"]);
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    let after = snapshot_files(&dir);
    // the hard-coded key's fix is unsafe: untouched
    assert_eq!(
        before[Path::new("scripts/seed.ts")],
        after[Path::new("scripts/seed.ts")]
    );
}

#[test]
fn diff_prints_the_patch_and_writes_nothing() {
    let (_tmp, dir) = example_copy();
    let before = snapshot_files(&dir);
    let o = rlscope(&dir, &["check", ".", "--diff", "--unsafe-fixes"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("--- a/scripts/seed.ts\n+++ b/scripts/seed.ts\n"),
        "{out}"
    );
    assert!(
        out.contains("+  process.env.SUPABASE_SERVICE_ROLE_KEY!"),
        "{out}"
    );
    assert!(stderr(&o).contains("Would fix "), "{}", stderr(&o));
    assert_eq!(snapshot_files(&dir), before);
}

// ---------------------------------------------------------------- formats

#[test]
fn formats_and_exit_statuses_on_the_example() {
    let (_tmp, dir) = example_copy();
    for format in ["human", "json", "sarif", "github", "gitlab"] {
        let o = rlscope(&dir, &["check", ".", "--format", format]);
        assert_eq!(o.status.code(), Some(1), "{format}: {}", stderr(&o));
    }
    let o = rlscope(&dir, &["check", ".", "--format", "github"]);
    let out = stdout(&o);
    assert!(!out.is_empty());
    for line in out.lines() {
        assert!(
            line.starts_with("::error file=") || line.starts_with("::warning file="),
            "{line}"
        );
        assert!(line.contains(",title=rlscope("), "{line}");
    }
    let o = rlscope(&dir, &["check", ".", "--format", "sarif"]);
    let log: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let schema: Value =
        serde_json::from_str(include_str!("sarif/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            !uri.starts_with('/') && !uri.starts_with("file:"),
            "relative uri expected: {uri}"
        );
    }
}

#[test]
fn clean_folder_exits_0_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "a.ts",
        "export const x = process.env.SUPABASE_URL\n",
    );
    for format in ["human", "json", "sarif", "github", "gitlab"] {
        let o = rlscope(tmp.path(), &["check", ".", "--format", format]);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
    }
    let o = rlscope(tmp.path(), &["check", "missing"]);
    assert_eq!(o.status.code(), Some(2));
}

// ---------------------------------------------------------------- secrets

#[test]
fn no_output_holds_a_full_key() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "lib/keys.ts", &hardcoded_file());
    let jwt = service_jwt();
    let parts: Vec<&str> = jwt.split('.').collect();
    let runs: &[&[&str]] = &[
        &["check", "."],
        &["check", ".", "--color", "always"],
        &["check", ".", "--format", "json"],
        &["check", ".", "--format", "sarif"],
        &["check", ".", "--format", "github"],
        &["check", ".", "--format", "gitlab"],
        &["check", ".", "--diff", "--unsafe-fixes"],
    ];
    for args in runs {
        let o = rlscope(tmp.path(), args);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{args:?} should report the keys: {}",
            stderr(&o)
        );
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert!(
            all.contains("hardcoded-service-key") || args.contains(&"--diff"),
            "{args:?}: {all}"
        );
        assert!(!all.contains(&jwt), "{args:?} printed the JWT:\n{all}");
        assert!(
            !all.contains(parts[1]) && !all.contains(parts[2]),
            "{args:?} printed part of the JWT:\n{all}"
        );
        assert!(
            !all.contains(SB_SECRET),
            "{args:?} printed the sb_secret_ key:\n{all}"
        );
    }
}

#[test]
fn fix_keeps_crlf_line_endings_and_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let (_tmp, dir) = example_copy();
    let files = ["utils/supabase/privileged.ts", "scripts/seed.ts"];
    for f in files {
        let p = dir.join(f);
        let text = std::fs::read_to_string(&p)
            .unwrap()
            .replace("\r\n", "\n")
            .replace('\n', "\r\n");
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let before = snapshot_files(&dir);
    let o = rlscope(&dir, &["check", ".", "--fix", "--unsafe-fixes"]);
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    for f in files {
        let p = dir.join(f);
        let text = std::fs::read_to_string(&p).unwrap();
        assert_ne!(
            text.as_bytes(),
            &before[Path::new(f)][..],
            "{f} was not fixed"
        );
        let lone_lf = text
            .match_indices('\n')
            .filter(|(i, _)| *i == 0 || text.as_bytes()[i - 1] != b'\r')
            .count();
        assert_eq!(lone_lf, 0, "{f} has LF-only lines after fixing:\n{text}");
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600,
            "{f}"
        );
    }
}

/// Killing `--fix` at any moment leaves every file either as it was or fully fixed, never half-written
/// (temporary files may remain; they are named `.rlscope-fix-*.tmp`). The kill lands at a different moment in
/// each round; whatever the timing, the property must hold.
#[test]
fn killed_fix_never_leaves_a_half_written_file() {
    let (_tmp, dir) = example_copy();
    let original = snapshot_files(&dir);
    let o = rlscope(&dir, &["check", ".", "--fix", "--unsafe-fixes"]);
    assert_ne!(o.status.code(), Some(2));
    let fixed = snapshot_files(&dir);
    for round in 0..12u64 {
        let (_t, dir) = example_copy();
        let mut child = Command::new(env!("CARGO_BIN_EXE_rlscope"))
            .args(["check", ".", "--fix", "--unsafe-fixes"])
            .current_dir(&dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_micros(round * round * 300));
        let _ = child.kill();
        let _ = child.wait();
        for (p, bytes) in snapshot_files(&dir) {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with(".rlscope-fix-") && name.ends_with(".tmp") {
                continue;
            }
            assert!(
                original.get(&p) == Some(&bytes) || fixed.get(&p) == Some(&bytes),
                "round {round}: {} is neither the original nor the fixed file",
                p.display()
            );
        }
    }
}

/// `--version` names the package version and the commit the binary was built from: the checkout's HEAD when it is
/// a git checkout (build.rs re-runs when HEAD moves), `commit unknown` only when there is no git to ask.
#[test]
fn version_names_the_commit() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = rlscope(dir, &["--version"]);
    assert!(out.status.success());
    let line = stdout(&out);
    let line = line.trim_end();
    let prefix = format!("rlscope {} (commit ", env!("CARGO_PKG_VERSION"));
    assert!(line.starts_with(&prefix), "{line}");
    let rest = &line[prefix.len()..];
    let head = Command::new("git")
        .args(["log", "-1", "--format=%H %cs"])
        .current_dir(dir)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match head.as_deref().and_then(|h| h.split_once(' ')) {
        Some((hash, date)) if std::env::var("RLSCOPE_COMMIT").is_err() => {
            assert_eq!(rest, format!("{}, {date})", &hash[..12]), "{line}");
        }
        _ => assert!(rest.ends_with(')') && rest.len() > 1, "{line}"),
    }
    // `-V` is the same
    assert_eq!(stdout(&rlscope(dir, &["-V"])).trim_end(), line);
}

// ---------------------------------------------------------------- project root

const SIGN_IN_ON_SERVICE_CLIENT: &str = "import { createClient } from '@supabase/supabase-js'\n\nconst admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n\nexport async function login(email: string, password: string) {\n  return admin.auth.signInWithPassword({ email, password })\n}\n";

/// The messages of a `check --format json` run.
fn messages(o: &Output) -> Vec<String> {
    let json: Value =
        serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)));
    json.as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["messages"].as_array().unwrap().iter())
        .map(|m| m["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn project_root_is_the_nearest_folder_with_package_json_above_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("web");
    write(&project, "lib/admin.ts", SIGN_IN_ON_SERVICE_CLIENT);
    // no marker anywhere: the root is the checked file's folder, and places read from there
    let o = rlscope(&project, &["check", "lib/admin.ts", "--format", "json"]);
    let m = messages(&o);
    assert!(
        m.iter().any(|m| m.contains("built at admin.ts:3")),
        "{m:#?}"
    );
    // with a package.json above, every way of naming the file reads places from the project's folder
    write(&project, "package.json", "{\"name\": \"web\"}\n");
    for (cwd, path) in [
        (project.clone(), "lib/admin.ts"),
        (project.join("lib"), "."),
        (project.join("lib"), "admin.ts"),
        (tmp.path().to_path_buf(), "web/lib"),
    ] {
        let o = rlscope(&cwd, &["check", path, "--format", "json"]);
        let m = messages(&o);
        assert!(
            m.iter().any(|m| m.contains("built at lib/admin.ts:3")),
            "{} {path}: {m:#?}",
            cwd.display()
        );
    }
}
