//! `rlscope roles`: the built binary on the example project, in its three formats (insta snapshots), the
//! `--role` filter, usage errors, and secret hygiene.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/nextjs-supabase")
}

fn roles(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rlscope"))
        .arg("roles")
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run rlscope")
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn human_output_groups_by_role_service_role_first() {
    let out = stdout(&roles(&example(), &[]));
    insta::assert_snapshot!("roles_human", out);
    let service = out
        .find("service_role (bypasses RLS) —")
        .expect("service_role group");
    let anon = out.find("anon (RLS applies) —").expect("anon group");
    assert!(service < anon);
}

#[test]
fn json_output_is_the_documented_schema() {
    let out = stdout(&roles(&example(), &["--format", "json"]));
    insta::assert_snapshot!("roles_json", out);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema_version"], 1);
    let reqs = v["requests"].as_array().unwrap();
    assert!(reqs.len() >= 10);
    for r in reqs {
        for field in [
            "file",
            "line",
            "column",
            "kind",
            "target",
            "schema",
            "command",
            "commands",
            "returning",
            "filtered",
            "role",
            "db_roles",
            "bypasses_rls",
            "summary",
            "cases",
            "decided_by",
            "client",
            "evidence",
        ] {
            assert!(r.get(field).is_some(), "{field} missing in {r}");
        }
    }
    // the request two lines after a sign-in on the service client runs as the user
    let login = reqs
        .iter()
        .find(|r| r["file"] == "app/api/login/route.ts" && r["kind"] == "db")
        .expect("login query");
    assert_eq!(login["role"], "authenticated");
    assert_eq!(login["decided_by"], "session");
    // the cookie client with the service key depends on the cookie, both ways
    let privileged = reqs
        .iter()
        .find(|r| r["role"] == "depends" && r["bypasses_rls"] == true)
        .expect("service-key cookie client");
    assert_eq!(privileged["cases"].as_array().unwrap().len(), 2);
}

#[test]
fn markdown_output_for_a_pull_request() {
    let out = stdout(&roles(&example(), &["--format", "markdown"]));
    insta::assert_snapshot!("roles_markdown", out);
    assert!(out.contains("| Where | Request | Runs as | Why |"));
}

#[test]
fn role_filter_keeps_requests_that_may_run_as_it() {
    let out = stdout(&roles(
        &example(),
        &["--format", "json", "--role", "service_role"],
    ));
    let v: Value = serde_json::from_str(&out).unwrap();
    let reqs = v["requests"].as_array().unwrap();
    assert!(!reqs.is_empty());
    assert!(reqs.iter().all(|r| r["bypasses_rls"] == true), "{out}");
    assert!(reqs.iter().any(|r| r["role"] == "depends"));
    let bad = roles(&example(), &["--role", "postgres"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected one of"));
}

#[test]
fn secrets_are_redacted_in_every_format() {
    // scripts/seed.ts holds a hard-coded service-role JWT
    let seed = std::fs::read_to_string(example().join("scripts/seed.ts")).unwrap();
    let jwt = seed
        .split(['\'', '"', '`'])
        .find(|s| s.starts_with("eyJ") && s.matches('.').count() == 2)
        .expect("the seed script's literal key");
    for format in ["human", "json", "markdown"] {
        let out = stdout(&roles(&example(), &["--format", format]));
        assert!(!out.contains(jwt), "{format} prints the key");
        assert!(!out.contains(&jwt[..40]), "{format} prints part of the key");
        assert!(out.contains("eyJ…(service_role)"), "{format}: {out}");
    }
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let o = roles(&example(), &["no/such/dir"]);
    assert_eq!(o.status.code(), Some(2));
}
