//! The output formats on synthetic findings (the engine is not needed): shape, positions, schema validity, and
//! that no format ever prints a full secret key, even when a message or a fix carries one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rlscope_core::{Applicability, Edit, Finding, Fix, Severity, TextRange};
use rlscope_engine::Workspace;
use serde_json::Value;

/// A service-role JWT built here (never a real key): header.payload.signature, payload `{"role":"service_role"}`.
pub(crate) fn service_jwt() -> String {
    rlscope_testkit::jwt(
        r#"{"iss":"supabase","role":"service_role","iat":1700000000}"#,
        "this_is_not_a_real_signature_just_a_test",
    )
}

pub(crate) const SB_SECRET: &str = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz";

struct Fixture {
    ws: Workspace,
    cwd: PathBuf,
    results: Vec<(PathBuf, Vec<Finding>)>,
    jwt: String,
}

fn range_of(text: &str, needle: &str) -> TextRange {
    let s = text.find(needle).expect(needle);
    TextRange::from_usize(s, s + needle.len())
}

fn fixture() -> Fixture {
    let jwt = service_jwt();
    let cwd = PathBuf::from("/proj");
    let admin = cwd.join("lib/admin.ts");
    let page = cwd.join("app/é page.tsx");
    let admin_text = format!(
        "import {{ createClient }} from '@supabase/supabase-js'\r\n// 😀 admin\r\nexport const admin = createClient(url, /* 😀 */ '{jwt}')\r\nconst s = '{SB_SECRET}'\r\n"
    );
    let page_text = "'use client'\nimport { admin } from '@/lib/admin'\nexport const p = admin.auth.signUp({ email, password })\n".to_string();
    let mut ws = Workspace::new(cwd.clone(), Default::default());
    ws.set_file(admin.clone(), Arc::from(admin_text.as_str()));
    ws.set_file(page.clone(), Arc::from(page_text.as_str()));

    let key = range_of(&admin_text, &format!("'{jwt}'"));
    let f1 = Finding::new(
        "hardcoded-service-key",
        Severity::Error,
        key,
        // a careless message that quotes the key: every format must still redact it
        format!("`{jwt}` is a service role key written in source"),
    )
    .with_fix(Fix {
        title: format!("Replace `{jwt}` with `process.env.SUPABASE_SERVICE_ROLE_KEY!`"),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            range: key,
            replacement: "process.env.SUPABASE_SERVICE_ROLE_KEY!".into(),
        }],
    });
    let secret = range_of(&admin_text, &format!("'{SB_SECRET}'"));
    let f2 = Finding::new(
        "hardcoded-service-key",
        Severity::Error,
        secret,
        format!("{SB_SECRET} is a secret key"),
    )
    .with_related(admin.clone(), secret, format!("value {SB_SECRET}"));
    let call = range_of(&page_text, "admin.auth.signUp");
    let f3 = Finding::new(
        "session-method-on-service-client",
        Severity::Warning,
        call,
        "`admin.auth.signUp` stores the new user's session in a client built with a service role key, 100% shared",
    )
    .with_related(
        admin.clone(),
        range_of(&admin_text, "createClient(url"),
        "client built here, with: a key",
    )
    .with_fix(Fix {
        title: "Replace with `auth.admin.createUser`".into(),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            range: range_of(&page_text, "auth.signUp"),
            replacement: "auth.admin.createUser".into(),
        }],
    });
    let results = vec![
        (page.clone(), vec![f3]),
        (admin.clone(), vec![f1, f2]),
        (cwd.join("lib/empty.ts"), vec![]),
    ];
    Fixture {
        ws,
        cwd,
        results,
        jwt,
    }
}

fn assert_no_secret(format: &str, out: &str, jwt: &str) {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert!(!out.contains(jwt), "{format}: full JWT printed:\n{out}");
    // neither the payload nor the signature alone
    assert!(
        !out.contains(parts[1]),
        "{format}: JWT payload printed:\n{out}"
    );
    assert!(
        !out.contains(parts[2]),
        "{format}: JWT signature printed:\n{out}"
    );
    assert!(
        !out.contains(SB_SECRET),
        "{format}: sb_secret_ key printed:\n{out}"
    );
    assert!(
        !out.contains(&SB_SECRET["sb_secret_".len()..]),
        "{format}: secret tail printed:\n{out}"
    );
}

#[test]
fn no_format_prints_a_secret() {
    let fx = fixture();
    let outputs = [
        (
            "human",
            super::human::render(&fx.ws, &fx.results, &fx.cwd, false),
        ),
        (
            "human-color",
            super::human::render(&fx.ws, &fx.results, &fx.cwd, true),
        ),
        ("json", super::json::render(&fx.ws, &fx.results)),
        ("sarif", super::sarif::render(&fx.ws, &fx.results, &fx.cwd)),
        (
            "github",
            super::github::render(&fx.ws, &fx.results, &fx.cwd),
        ),
    ];
    for (name, out) in &outputs {
        assert_no_secret(name, out, &fx.jwt);
        assert!(
            out.contains("eyJ…(service_role)") || *name == "human-color",
            "{name}: no redacted form:\n{out}"
        );
    }
    // the diff --fix would print
    let admin = fx.cwd.join("lib/admin.ts");
    let original = fx.ws.source(&admin).unwrap();
    let fixed = Edit::apply_all(&original, &fx.results[1].1[0].fixes[0].edits);
    let diff = crate::fix::unified_diff("lib/admin.ts", &original, &fixed);
    assert!(diff.contains("+export const admin = createClient(url, /* 😀 */ process.env.SUPABASE_SERVICE_ROLE_KEY!)"), "{diff}");
    assert_no_secret("diff", &diff, &fx.jwt);
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let fx = fixture();
    let out = super::sarif::render(&fx.ws, &fx.results, &fx.cwd);
    let log: Value = serde_json::from_str(&out).unwrap();
    let schema: Value =
        serde_json::from_str(include_str!("../../tests/sarif/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{out}");
    // and the schema does catch a broken log
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&broken));

    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), rlscope_engine::rules::all().len());
    for r in rules {
        assert!(r["helpUri"]
            .as_str()
            .unwrap()
            .ends_with(&format!("docs/rules/{}.md", r["id"].as_str().unwrap())));
        assert!(r["defaultConfiguration"]["level"].is_string());
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    // the page: non-ASCII path is percent-encoded, relative to %SRCROOT%
    let page = &results[0];
    assert_eq!(page["ruleId"], "session-method-on-service-client");
    assert_eq!(page["level"], "warning");
    let loc = &page["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "app/%C3%A9%20page.tsx");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 3);
    assert_eq!(loc["region"]["startColumn"], 18);
    assert_eq!(loc["region"]["endColumn"], 35);
    assert_eq!(
        page["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    let fix = &page["fixes"][0]["artifactChanges"][0];
    assert_eq!(
        fix["replacements"][0]["insertedContent"]["text"],
        "auth.admin.createUser"
    );
    assert_eq!(fix["replacements"][0]["deletedRegion"]["startColumn"], 24);
    // the key on line 3 of a CRLF file, after an emoji: UTF-16 columns count it twice
    let key = &results[1]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (key["startLine"].as_u64(), key["startColumn"].as_u64()),
        (Some(3), Some(49))
    );
    // fingerprints are distinct per finding
    let fps: std::collections::HashSet<&str> = results
        .iter()
        .map(|r| r["partialFingerprints"]["rlscope/v1"].as_str().unwrap())
        .collect();
    assert_eq!(fps.len(), 3);
}

#[test]
fn sarif_fingerprint_survives_a_line_shift() {
    let fx = fixture();
    let fp = |ws: &Workspace, results: &[(PathBuf, Vec<Finding>)]| {
        let log: Value = serde_json::from_str(&super::sarif::render(ws, results, &fx.cwd)).unwrap();
        log["runs"][0]["results"][0]["partialFingerprints"]["rlscope/v1"].clone()
    };
    let before = fp(&fx.ws, &fx.results[..1]);
    // insert two lines above the finding
    let page = fx.results[0].0.clone();
    let old = fx.ws.source(&page).unwrap();
    let new = format!("// a\n// b\n{old}");
    let mut ws = Workspace::new(fx.cwd.clone(), Default::default());
    ws.set_file(page.clone(), Arc::from(new.as_str()));
    let mut f = fx.results[0].1[0].clone();
    f.range = TextRange::new(f.range.start + 10, f.range.end + 10);
    f.related.clear();
    assert_eq!(before, fp(&ws, &[(page, vec![f])]));
}

#[test]
fn github_annotations() {
    let fx = fixture();
    let out = super::github::render(&fx.ws, &fx.results, &fx.cwd);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(
        lines[0],
        "::warning file=app/é page.tsx,line=3,endLine=3,col=18,endColumn=35,title=rlscope(session-method-on-service-client)::`admin.auth.signUp` stores the new user's session in a client built with a service role key, 100%25 shared%0Anote: lib/admin.ts:3:22: client built here, with: a key"
    );
    assert!(
        lines[1].starts_with("::error file=lib/admin.ts,line=3,endLine=3,col=48,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("::error file=lib/admin.ts,line=4,"),
        "{}",
        lines[2]
    );
}

#[test]
fn human_and_json_positions() {
    let fx = fixture();
    let human = super::human::render(&fx.ws, &fx.results, &fx.cwd, false);
    assert!(
        human.contains("app/é page.tsx:3:18: warning[session-method-on-service-client]"),
        "{human}"
    );
    assert!(
        human.contains("lib/admin.ts:3:48: error[hardcoded-service-key]"),
        "{human}"
    );
    assert!(
        human.contains("Found 3 problems (2 errors, 1 warning)."),
        "{human}"
    );
    let json: Value = serde_json::from_str(&super::json::render(&fx.ws, &fx.results)).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
    let m = &json[0]["messages"][0];
    assert_eq!(
        (m["line"].as_u64(), m["column"].as_u64()),
        (Some(3), Some(18))
    );
    assert_eq!(json[0]["fixableWarningCount"], 1);
    let _ = Path::new("");
}

#[test]
fn gitlab_code_quality() {
    let fx = fixture();
    let out: Value =
        serde_json::from_str(&super::gitlab::render(&fx.ws, &fx.results, &fx.cwd)).unwrap();
    let issues = out.as_array().unwrap();
    assert_eq!(issues.len(), 3);
    assert_eq!(issues[0]["check_name"], "session-method-on-service-client");
    assert_eq!(issues[0]["severity"], "minor");
    assert_eq!(issues[0]["location"]["path"], "app/é page.tsx");
    assert_eq!(issues[0]["location"]["positions"]["begin"]["line"], 3);
    assert_eq!(issues[1]["severity"], "major");
    let fps: std::collections::HashSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fps.len(), 3);
}

#[test]
fn human_snapshot() {
    let fx = fixture();
    insta::assert_snapshot!(super::human::render(&fx.ws, &fx.results, &fx.cwd, false));
}

#[test]
fn github_and_gitlab_snapshots() {
    let fx = fixture();
    insta::assert_snapshot!(
        "github",
        super::github::render(&fx.ws, &fx.results, &fx.cwd)
    );
    insta::assert_snapshot!(
        "gitlab",
        super::gitlab::render(&fx.ws, &fx.results, &fx.cwd)
    );
}
