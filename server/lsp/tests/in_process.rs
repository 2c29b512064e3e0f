//! In-process tests: the service driven through tower's `Service` API and a fake client on the
//! `ClientSocket`, every call under a timeout (Biome's server.tests.rs style).

mod common;

use common::*;
use serde_json::{json, Value};

fn hardcoded_fixture() -> String {
    format!(
        "import {{ createClient }} from '@supabase/supabase-js'\n\nexport const admin = createClient('https://x.supabase.co', '{}')\n",
        jwt("service_role")
    )
}

#[tokio::test]
async fn initialize_negotiates_position_encoding_and_capabilities() {
    for (offered, expected) in [
        (json!(["utf-16", "utf-8"]), "utf-8"),
        (json!(["utf-32", "utf-16"]), "utf-32"),
        (json!(["utf-16"]), "utf-16"),
        (Value::Null, "utf-16"),
    ] {
        let mut h = Harness::new();
        let mut caps = default_caps();
        caps["general"]["positionEncodings"] = offered.clone();
        let r = h.initialize_with(caps, None, Value::Null).await;
        let c = &r["capabilities"];
        assert_eq!(c["positionEncoding"], expected, "offered {offered}");
        assert_eq!(c["textDocumentSync"]["change"], 2, "incremental sync");
        assert_eq!(c["textDocumentSync"]["openClose"], true);
        assert_eq!(c["hoverProvider"], true);
        assert_eq!(c["inlayHintProvider"], true);
        let kinds = c["codeActionProvider"]["codeActionKinds"]
            .as_array()
            .unwrap();
        assert!(kinds.contains(&json!("quickfix")));
        assert!(kinds.contains(&json!("source.fixAll.rlscope")));
        assert!(
            c.get("diagnosticProvider").is_none(),
            "push client: no pull provider"
        );
        assert_eq!(r["serverInfo"]["name"], "rlscope");
    }
}

#[tokio::test]
async fn pull_client_gets_a_diagnostic_provider_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "a.ts", "export const x = 1\n");
    let mut h = Harness::new();
    let mut caps = default_caps();
    caps["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    caps["workspace"]["diagnostics"] = json!({"refreshSupport": true});
    let r = h.initialize_with(caps, Some(dir.path()), Value::Null).await;
    let p = &r["capabilities"]["diagnosticProvider"];
    assert_eq!(p["identifier"], "rlscope");
    assert_eq!(p["interFileDependencies"], true);
    assert_eq!(p["workspaceDiagnostics"], true);

    let u = h.open(&file, "export const x = 1\n").await;
    let rep = h
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": u.as_str()}}),
        )
        .await
        .unwrap();
    assert_eq!(rep["kind"], "full");
    assert!(rep["items"].as_array().unwrap().is_empty());
    // unknown document: an empty report, not an error
    let rep = h
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": "file:///nowhere/never.ts"}}),
        )
        .await
        .unwrap();
    assert_eq!(rep["items"], json!([]));
    let ws = h
        .request("workspace/diagnostic", json!({"previousResultIds": []}))
        .await
        .unwrap();
    assert!(ws["items"].is_array());
    // pull mode: nothing is pushed for the open file
    assert!(!h
        .seen
        .iter()
        .any(|r| r.method() == "textDocument/publishDiagnostics"));
}

#[tokio::test]
async fn a_pull_client_that_cannot_be_refreshed_gets_pushes() {
    // Neovim 0.11: textDocument.diagnostic, but no workspace.diagnostics.refreshSupport
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "a.ts", "export const x = 1\n");
    let mut h = Harness::new();
    let mut caps = default_caps();
    caps["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    let r = h.initialize_with(caps, Some(dir.path()), Value::Null).await;
    assert!(r["capabilities"].get("diagnosticProvider").is_none());
    let u = h.open(&file, "export const x = 1\n").await;
    h.diagnostics(&u, |p| p["version"] == 1).await;
}

#[tokio::test]
async fn did_open_publishes_with_version_and_did_close_clears() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "a.ts", "");
    let mut h = Harness::new();
    h.initialize(Some(dir.path())).await;
    let u = h.open(&file, "export const x = 1\n").await;
    let p = h.diagnostics(&u, |_| true).await;
    assert_eq!(p["version"], 1);
    h.change(&u, 2, json!([{"text": "export const y = 2\n"}]))
        .await;
    let p = h.diagnostics(&u, |p| p["version"] == 2).await;
    assert!(p["diagnostics"].is_array());
    h.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": u.as_str()}}),
    )
    .await;
    let p = h
        .diagnostics(&u, |p| {
            p["diagnostics"] == json!([]) && p["version"].is_null()
        })
        .await;
    assert_eq!(p["diagnostics"], json!([]));
    assert!(h.text(&u).is_none());
}

#[tokio::test]
async fn incremental_changes_apply_in_order_with_utf16_columns() {
    let mut h = Harness::new();
    h.initialize(None).await;
    let u = h
        .open(
            std::path::Path::new("/tmp/rlscope-mem/a.ts"),
            "let a = 1;\nlet b = 2;\n",
        )
        .await;
    // two edits in one notification, the second relative to the first's result
    h.change(
        &u,
        2,
        json!([
            {"range": {"start": {"line": 0, "character": 4}, "end": {"line": 0, "character": 5}}, "text": "😀x"},
            // after the emoji (2 utf-16 units) + x, line 0 is "let 😀x = 1;": replace "x" at col 6..7
            {"range": {"start": {"line": 0, "character": 6}, "end": {"line": 0, "character": 7}}, "text": "y"}
        ]),
    )
    .await;
    assert_eq!(
        h.text(&u).unwrap(),
        (2, "let 😀y = 1;\nlet b = 2;\n".into())
    );
    // a range past the end is clamped
    h.change(
        &u,
        3,
        json!([{"range": {"start": {"line": 1, "character": 99}, "end": {"line": 40, "character": 3}}, "text": "// end"}]),
    )
    .await;
    assert_eq!(h.text(&u).unwrap().1, "let 😀y = 1;\nlet b = 2;// end");
    // a stale version is ignored
    h.change(&u, 2, json!([{"text": "stale"}])).await;
    assert_eq!(h.text(&u).unwrap().0, 3);
    assert!(h.text(&u).unwrap().1.starts_with("let 😀y"));
    // a change without a range replaces everything; a reversed range is normalised
    h.change(&u, 4, json!([{"text": "abc\r\ndef"}])).await;
    h.change(
        &u,
        5,
        json!([{"range": {"start": {"line": 1, "character": 2}, "end": {"line": 0, "character": 1}}, "text": "-"}]),
    )
    .await;
    assert_eq!(h.text(&u).unwrap(), (5, "a-f".into()));
    // didChange for a document never opened: ignored, the server keeps answering
    let other = uri(std::path::Path::new("/tmp/rlscope-mem/never.ts"));
    h.change(&other, 1, json!([{"text": "x"}])).await;
    assert!(h.text(&other).is_none());
    assert!(h.request("shutdown", Value::Null).await.is_ok());
}

#[tokio::test]
async fn utf8_client_positions_are_bytes() {
    let mut h = Harness::new();
    let mut caps = default_caps();
    caps["general"]["positionEncodings"] = json!(["utf-8"]);
    h.initialize_with(caps, None, Value::Null).await;
    let u = h
        .open(std::path::Path::new("/tmp/rlscope-mem/b.ts"), "é😀x\n")
        .await;
    // byte 6 is after "é😀" (2 + 4 bytes)
    h.change(
        &u,
        2,
        json!([{"range": {"start": {"line": 0, "character": 6}, "end": {"line": 0, "character": 7}}, "text": "y"}]),
    )
    .await;
    assert_eq!(h.text(&u).unwrap().1, "é😀y\n");
}

#[tokio::test]
async fn requests_about_unknown_documents_are_errors_not_crashes() {
    let mut h = Harness::new();
    h.initialize(None).await;
    let td = json!({"uri": "file:///nowhere/x.ts"});
    let pos = json!({"line": 0, "character": 0});
    let e = h
        .request(
            "textDocument/hover",
            json!({"textDocument": td, "position": pos}),
        )
        .await
        .unwrap_err();
    assert_eq!(e["code"], -32602);
    let range = json!({"start": pos, "end": pos});
    let e = h
        .request(
            "textDocument/codeAction",
            json!({"textDocument": td, "range": range, "context": {"diagnostics": []}}),
        )
        .await
        .unwrap_err();
    assert_eq!(e["code"], -32602);
    let e = h
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": td, "range": range}),
        )
        .await
        .unwrap_err();
    assert_eq!(e["code"], -32602);
    // unknown method
    let e = h.request("rlscope/nope", json!({})).await.unwrap_err();
    assert_eq!(e["code"], -32601);
}

/// A diagnostic as the server would publish it, with fixes in `data`.
fn diag_with_data(version: i32) -> Value {
    json!({
        "range": {"start": {"line": 1, "character": 12}, "end": {"line": 1, "character": 15}},
        "severity": 1, "code": "hardcoded-service-key", "source": "rlscope", "message": "m",
        "data": {
            "rule": "hardcoded-service-key",
            "version": version,
            "fixes": [
                {"title": "Read the key from the environment", "safe": false,
                 "edits": [{"range": {"start": {"line": 1, "character": 12}, "end": {"line": 1, "character": 15}}, "newText": "process.env.KEY!"}]},
                {"title": "Safe one", "safe": true,
                 "edits": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "newText": "// x\n"}]}
            ],
            "ignore": {"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}},
                       "newText": "  // rlscope-ignore hardcoded-service-key: <reason>\n"}
        }
    })
}

#[tokio::test]
async fn code_actions_come_from_diagnostic_data() {
    let mut h = Harness::new();
    h.initialize(None).await;
    let text = "a\n  const k = 'x';\n";
    let u = h
        .open(std::path::Path::new("/tmp/rlscope-mem/c.ts"), text)
        .await;
    let range = json!({"start": {"line": 1, "character": 12}, "end": {"line": 1, "character": 12}});
    let params = |d: Value, only: Value| json!({"textDocument": {"uri": u.as_str()}, "range": range, "context": {"diagnostics": [d], "only": only}});
    let actions = h
        .request(
            "textDocument/codeAction",
            params(diag_with_data(1), Value::Null),
        )
        .await
        .unwrap();
    let actions = actions.as_array().unwrap();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Read the key from the environment (unsafe)",
            "Safe one",
            "Ignore hardcoded-service-key on this line"
        ]
    );
    assert_eq!(actions[0]["isPreferred"], false);
    assert_eq!(actions[1]["isPreferred"], true);
    assert_eq!(actions[0]["kind"], "quickfix");
    // versioned document edits
    assert_eq!(
        actions[0]["edit"]["documentChanges"][0]["textDocument"]["version"],
        1
    );
    let ignored = apply_edits(text, &action_edits(&actions[2], &u));
    assert_eq!(
        ignored,
        "a\n  // rlscope-ignore hardcoded-service-key: <reason>\n  const k = 'x';\n"
    );
    let fixed = apply_edits(text, &action_edits(&actions[0], &u));
    assert_eq!(fixed, "a\n  const k = process.env.KEY!;\n");

    // a diagnostic computed for an older version offers nothing (its edits would corrupt the text)
    h.change(&u, 2, json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "b"}])).await;
    let actions = h
        .request(
            "textDocument/codeAction",
            params(diag_with_data(1), Value::Null),
        )
        .await
        .unwrap();
    assert_eq!(actions, json!([]));
    // `only` filters kinds; foreign diagnostics are ignored
    let actions = h
        .request(
            "textDocument/codeAction",
            params(diag_with_data(2), json!(["refactor"])),
        )
        .await
        .unwrap();
    assert_eq!(actions, json!([]));
    let mut foreign = diag_with_data(2);
    foreign["source"] = json!("eslint");
    let actions = h
        .request("textDocument/codeAction", params(foreign, Value::Null))
        .await
        .unwrap();
    assert_eq!(actions, json!([]));
    // garbage data is ignored, not a crash
    let mut junk = diag_with_data(2);
    junk["data"] = json!({"fixes": 3});
    let actions = h
        .request("textDocument/codeAction", params(junk, Value::Null))
        .await
        .unwrap();
    assert_eq!(actions, json!([]));
}

#[tokio::test]
async fn dynamic_watch_registration_progress_and_configuration() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "lib/a.ts", "export const a = 1\n");
    let mut h = Harness::new();
    h.initialize(Some(dir.path())).await;
    let reg = h
        .wait_for("client/registerCapability", |r| {
            r.method() == "client/registerCapability"
        })
        .await;
    let regs = &reg.params().unwrap()["registrations"];
    assert_eq!(regs[0]["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = regs[0]["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    for g in [
        "**/.env*",
        "**/tsconfig*.json",
        "**/jsconfig.json",
        "**/package.json",
        "**/rlscope.toml",
    ] {
        assert!(globs.contains(&g), "{g} not watched: {globs:?}");
    }
    let cfg = h
        .wait_for("workspace/configuration", |r| {
            r.method() == "workspace/configuration"
        })
        .await;
    assert_eq!(cfg.params().unwrap()["items"][0]["section"], "rlscope");
    h.wait_for("workDoneProgress/create", |r| {
        r.method() == "window/workDoneProgress/create"
    })
    .await;
    h.wait_for("progress begin", |r| {
        r.method() == "$/progress" && r.params().unwrap()["value"]["kind"] == "begin"
    })
    .await;
    h.wait_for("progress end", |r| {
        r.method() == "$/progress" && r.params().unwrap()["value"]["kind"] == "end"
    })
    .await;
}

#[tokio::test]
async fn no_dynamic_registration_or_progress_when_the_client_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "a.ts", "");
    let mut h = Harness::new();
    h.initialize_with(json!({}), Some(dir.path()), Value::Null)
        .await;
    let u = h.open(&file, "export const x = 1\n").await;
    h.diagnostics(&u, |_| true).await;
    // give background work a moment, then check nothing unsupported was sent
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    h.change(&u, 2, json!([{"text": ""}])).await;
    h.diagnostics(&u, |p| p["version"] == 2).await;
    for r in &h.seen {
        assert!(
            !matches!(
                r.method(),
                "client/registerCapability"
                    | "window/workDoneProgress/create"
                    | "workspace/configuration"
            ),
            "unexpected {}",
            r.method()
        );
    }
}

#[tokio::test]
async fn inlay_hints_are_off_by_default_and_follow_the_setting() {
    let mut h = Harness::new();
    h.initialize(None).await;
    let u = h
        .open(
            std::path::Path::new("/tmp/rlscope-mem/i.ts"),
            "const a = 1\n",
        )
        .await;
    let params = json!({"textDocument": {"uri": u.as_str()},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}}});
    let r = h
        .request("textDocument/inlayHint", params.clone())
        .await
        .unwrap();
    assert_eq!(r, json!([]));
    *h.settings.lock().unwrap() = json!({"inlayHints": {"enable": true}});
    h.notify("workspace/didChangeConfiguration", json!({"settings": {}}))
        .await;
    // the toggle asks the client to refresh its hints
    h.wait_for("inlayHint/refresh", |r| {
        r.method() == "workspace/inlayHint/refresh"
    })
    .await;
    let r = h.request("textDocument/inlayHint", params).await.unwrap();
    assert!(r.is_array());
}

#[tokio::test]
async fn requests_after_shutdown_are_refused_and_cancellation_storms_are_harmless() {
    let mut h = Harness::new();
    h.initialize(None).await;
    let u = h
        .open(
            std::path::Path::new("/tmp/rlscope-mem/s.ts"),
            "const a = 1\n",
        )
        .await;
    for i in 0..500 {
        h.notify("$/cancelRequest", json!({"id": i})).await;
    }
    let hover =
        json!({"textDocument": {"uri": u.as_str()}, "position": {"line": 0, "character": 6}});
    assert!(h.request("textDocument/hover", hover.clone()).await.is_ok());
    assert!(h.request("shutdown", Value::Null).await.is_ok());
    let e = h.request("textDocument/hover", hover).await.unwrap_err();
    assert_eq!(e["code"], -32600);
}

// ---- with the engine's findings ----

#[tokio::test]
async fn hardcoded_key_diagnostic_is_complete_and_redacted() {
    let text = hardcoded_fixture();
    require_engine("hardcoded-service-key", "lib/admin.ts", &text);
    let key = jwt("service_role");
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "lib/admin.ts", &text);
    let mut h = Harness::new();
    h.initialize(Some(dir.path())).await;
    let u = h.open(&file, &text).await;
    let p = h
        .diagnostics(&u, |p| {
            p["diagnostics"]
                .as_array()
                .is_some_and(|d| d.iter().any(|d| d["code"] == "hardcoded-service-key"))
        })
        .await;
    let d = p["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "hardcoded-service-key")
        .unwrap()
        .clone();
    assert_eq!(d["source"], "rlscope");
    assert_eq!(d["severity"], 1);
    assert!(d["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .ends_with("hardcoded-service-key.md"));
    assert_eq!(d["range"]["start"]["line"], 2);
    assert_eq!(p["version"], 1);
    let all = serde_json::to_string(&h.seen).unwrap() + &serde_json::to_string(&p).unwrap();
    assert!(!all.contains(&key), "a full key reached the client");

    // hover on the finding: the rule's docs
    let hover = h.hover(&u, d["range"]["start"].clone()).await.unwrap();
    let md = hover["contents"]["value"].as_str().unwrap();
    assert!(md.contains("hardcoded-service-key"), "{md}");
    assert!(!md.contains(&key));

    // code actions from the published diagnostic: the fix, and the ignore comment
    let actions = h
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u.as_str()}, "range": d["range"], "context": {"diagnostics": [d]}}),
        )
        .await
        .unwrap();
    let titles: Vec<String> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect();
    assert!(
        titles.contains(&"Ignore hardcoded-service-key on this line".to_string()),
        "{titles:?}"
    );
    let ignore = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Ignore"))
        .unwrap();
    let ignored = apply_edits(&text, &action_edits(ignore, &u));
    assert!(
        ignored.contains("// rlscope-ignore hardcoded-service-key: <reason>\nexport const admin")
    );
}

const ADMIN: &str = "import { createClient } from '@supabase/supabase-js'\n\nexport const supabaseAdmin = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n";
const ANON_ADMIN: &str = "import { createClient } from '@supabase/supabase-js'\n\nexport const supabaseAdmin = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!)\n";
const SIGNUP: &str = "import { supabaseAdmin } from '@/lib/admin'\n\nexport async function signUp(email: string, password: string) {\n  await supabaseAdmin.auth.signInWithPassword({ email, password })\n  return supabaseAdmin.from('profiles').select('*')\n}\n";
const TSCONFIG: &str = r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./*"] } } }"#;
const SESSION: &str = "session-method-on-service-client";

fn has(p: &Value, rule: &str) -> bool {
    p["diagnostics"]
        .as_array()
        .is_some_and(|d| d.iter().any(|d| d["code"] == rule))
}

async fn index_ready(h: &mut Harness) {
    h.wait_for("index ready", |r| {
        r.method() == "$/progress" && r.params().unwrap()["value"]["kind"] == "end"
    })
    .await;
}

/// The position `offset` characters into the first `needle` on line `line` of `text` (ASCII).
fn position_in(text: &str, line: usize, needle: &str, offset: usize) -> Value {
    let col = text.lines().nth(line).unwrap().find(needle).unwrap() + offset;
    json!({"line": line, "character": col})
}

fn alias_project() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    write(&root, "tsconfig.json", TSCONFIG);
    let admin = write(&root, "lib/admin.ts", ADMIN);
    let signup = write(&root, "app/signup.ts", SIGNUP);
    (dir, admin, signup)
}

/// A client that declares work-done progress but never answers `window/workDoneProgress/create` still gets
/// the workspace index: a cross-file finding (the client is built in another, unopened file) is reported.
#[tokio::test]
async fn indexing_does_not_wait_for_the_progress_token() {
    let (dir, _admin, signup) = alias_project();
    let mut h = Harness::new();
    h.never_answer
        .lock()
        .unwrap()
        .push("window/workDoneProgress/create");
    h.initialize(Some(dir.path())).await;
    h.wait_for("workDoneProgress/create", |r| {
        r.method() == "window/workDoneProgress/create"
    })
    .await;
    let su = h.open(&signup, SIGNUP).await;
    h.diagnostics(&su, |p| has(p, SESSION)).await;
    // the token was never confirmed: no progress is reported for it
    assert!(
        !h.seen.iter().any(|r| r.method() == "$/progress"),
        "{:#?}",
        h.seen
    );
}

#[tokio::test]
async fn editing_a_dependency_republishes_the_open_dependents() {
    let (dir, admin, signup) = alias_project();
    let mut h = Harness::new();
    h.initialize(Some(dir.path())).await;
    index_ready(&mut h).await;
    let su = h.open(&signup, SIGNUP).await;
    let p = h.diagnostics(&su, |p| has(p, SESSION)).await;
    let d = p["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == SESSION)
        .unwrap()
        .clone();
    assert_eq!(d["range"]["start"]["line"], 3);
    // related information points into the other file, where the client is built
    let related = d["relatedInformation"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        related.iter().any(|r| r["location"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("lib/admin.ts")),
        "{d}"
    );
    // edit lib/admin.ts (open in the editor, not saved) to use the anon key: signup.ts is re-published clean
    let au = h.open(&admin, ADMIN).await;
    h.change(&au, 2, json!([{"text": ANON_ADMIN}])).await;
    let p = h.diagnostics(&su, |p| !has(p, SESSION)).await;
    assert_eq!(p["version"], 1, "the dependent keeps its own version");
    // and back
    h.change(&au, 3, json!([{"text": ADMIN}])).await;
    h.diagnostics(&su, |p| has(p, SESSION)).await;
    // closing the edited dependency reverts it to the disk's text
    h.change(&au, 4, json!([{"text": ANON_ADMIN}])).await;
    h.diagnostics(&su, |p| !has(p, SESSION)).await;
    h.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": au.as_str()}}),
    )
    .await;
    h.diagnostics(&su, |p| has(p, SESSION)).await;
}

#[tokio::test]
async fn watched_tsconfig_and_config_file_changes_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    write(&root, "lib/admin.ts", ADMIN);
    let signup = write(&root, "app/signup.ts", SIGNUP);
    let mut h = Harness::new();
    h.initialize(Some(&root)).await;
    index_ready(&mut h).await;
    let su = h.open(&signup, SIGNUP).await;
    // without tsconfig paths `@/lib/admin` does not resolve
    let p = h.diagnostics(&su, |p| p["version"] == 1).await;
    assert!(!has(&p, SESSION), "{p}");
    let ts = write(&root, "tsconfig.json", TSCONFIG);
    h.changed_on_disk(&ts, 1).await;
    h.diagnostics(&su, |p| has(p, SESSION)).await;
    // rlscope.toml turns the rule off
    let cfg = write(
        &root,
        "rlscope.toml",
        &format!("[rules]\n{SESSION} = \"off\"\n"),
    );
    h.changed_on_disk(&cfg, 1).await;
    h.diagnostics(&su, |p| !has(p, SESSION)).await;
    // settings win over the file
    *h.settings.lock().unwrap() = json!({"rules": {SESSION: "error"}});
    h.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    )
    .await;
    let p = h.diagnostics(&su, |p| has(p, SESSION)).await;
    let d = p["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == SESSION)
        .unwrap()
        .clone();
    assert_eq!(d["severity"], 1);
    // deleting tsconfig.json: the alias stops resolving
    std::fs::remove_file(&ts).unwrap();
    h.changed_on_disk(&ts, 3).await;
    h.diagnostics(&su, |p| !has(p, SESSION)).await;
}

/// A monorepo app importing a workspace package: the package's `exports` decide what the import resolves to,
/// and a change to its `package.json` on disk re-checks the open importer.
#[tokio::test]
async fn workspace_package_exports_resolve_and_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    write(
        &root,
        "package.json",
        r#"{"name": "root", "workspaces": ["apps/*", "packages/*"]}"#,
    );
    let pkg = write(
        &root,
        "packages/db/package.json",
        r#"{"name": "@acme/db", "exports": {"./admin": "./src/admin.ts"}}"#,
    );
    write(&root, "packages/db/src/admin.ts", ADMIN);
    write(&root, "packages/db/src/anon.ts", ANON_ADMIN);
    let login_text = SIGNUP.replace("@/lib/admin", "@acme/db/admin");
    let login = write(&root, "apps/web/login.ts", &login_text);
    let mut h = Harness::new();
    h.initialize(Some(&root)).await;
    index_ready(&mut h).await;
    let lu = h.open(&login, &login_text).await;
    let p = h.diagnostics(&lu, |p| p["version"] == 1).await;
    assert!(has(&p, SESSION), "{p}");
    // the package now exports the anon client under the same subpath
    write(
        &root,
        "packages/db/package.json",
        r#"{"name": "@acme/db", "exports": {"./admin": "./src/anon.ts"}}"#,
    );
    h.changed_on_disk(&pkg, 2).await;
    h.diagnostics(&lu, |p| !has(p, SESSION)).await;
}

#[tokio::test]
async fn a_broken_config_file_is_reported_and_ignored() {
    let (dir, _admin, signup) = alias_project();
    write(
        dir.path(),
        "rlscope.toml",
        "[rules]\nno-such-rule = \"off\"\n",
    );
    let mut h = Harness::new();
    h.initialize(Some(dir.path())).await;
    let msg = h
        .wait_for("showMessage", |r| r.method() == "window/showMessage")
        .await;
    assert!(msg.params().unwrap()["message"]
        .as_str()
        .unwrap()
        .contains("no-such-rule"));
    index_ready(&mut h).await;
    let su = h.open(&signup, SIGNUP).await;
    h.diagnostics(&su, |p| has(p, SESSION)).await;
}

#[tokio::test]
async fn hover_names_the_role_of_a_client_and_inlay_hints_label_queries() {
    let (dir, _admin, signup) = alias_project();
    let mut h = Harness::new();
    h.initialize(Some(dir.path())).await;
    index_ready(&mut h).await;
    let su = h.open(&signup, SIGNUP).await;
    h.diagnostics(&su, |p| has(p, SESSION)).await;
    // `supabaseAdmin` in `return supabaseAdmin.from(...)`, line 4
    let r = h
        .hover(&su, position_in(SIGNUP, 4, "supabaseAdmin", 3))
        .await
        .unwrap();
    let md = r["contents"]["value"].as_str().unwrap_or_default();
    // the query comes after the sign-in on the same client: it sends the user's token, and says so first
    assert!(
        md.starts_with("**rlscope** — runs as **the signed-in user**")
            && md.contains("lib/admin.ts"),
        "{r}"
    );
    assert_eq!(r["contents"]["kind"], "markdown");
    // hover on the finding itself: the rule's docs with its sections
    let r = h
        .hover(&su, position_in(SIGNUP, 3, "signInWithPassword", 2))
        .await
        .unwrap();
    let md = r["contents"]["value"].as_str().unwrap();
    assert!(
        md.contains(SESSION) && md.contains("## Why is this bad?"),
        "{md}"
    );
    // inlay hints, once enabled
    *h.settings.lock().unwrap() = json!({"inlayHints": {"enable": true}});
    h.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    )
    .await;
    h.wait_for("inlay refresh", |r| {
        r.method() == "workspace/inlayHint/refresh"
    })
    .await;
    let hints = h.inlay_hints(&su, 0, 6).await.unwrap();
    let hints = hints.as_array().unwrap();
    let on_query: Vec<&Value> = hints
        .iter()
        .filter(|h| h["position"]["line"] == 4)
        .collect();
    assert_eq!(on_query.len(), 1, "{hints:?}");
    assert_eq!(on_query[0]["label"], "authenticated");
    assert_eq!(on_query[0]["tooltip"]["kind"], "markdown", "{hints:?}");
    // a range that excludes the query: no hint
    let hints = h.inlay_hints(&su, 0, 2).await.unwrap();
    assert_eq!(hints, json!([]));
}

/// A client that lists only `plaintext` in `hover.contentFormat` (eglot without markdown-mode) gets plain text:
/// the same words as the Markdown hover, without `**`, backticks or `##`.
#[tokio::test]
async fn hover_is_plain_text_for_a_client_without_markdown() {
    let (dir, _admin, signup) = alias_project();
    async fn hovers(
        dir: &std::path::Path,
        signup: &std::path::Path,
        formats: Value,
    ) -> (Value, Value) {
        let mut h = Harness::new();
        let mut caps = default_caps();
        caps["textDocument"]["hover"]["contentFormat"] = formats;
        h.initialize_with(caps, Some(dir), Value::Null).await;
        index_ready(&mut h).await;
        let su = h.open(signup, SIGNUP).await;
        h.diagnostics(&su, |p| has(p, SESSION)).await;
        let role = h.hover(&su, position_in(SIGNUP, 4, "supabaseAdmin", 2));
        let role = role.await.unwrap();
        let rule = h.hover(&su, position_in(SIGNUP, 3, "signInWithPassword", 2));
        let rule = rule.await.unwrap();
        (role["contents"].clone(), rule["contents"].clone())
    }
    let (md_role, md_rule) = hovers(dir.path(), &signup, json!(["markdown", "plaintext"])).await;
    let (role, rule) = hovers(dir.path(), &signup, json!(["plaintext"])).await;
    assert_eq!(md_role["kind"], "markdown");
    assert!(
        md_role["value"].as_str().unwrap().contains("**"),
        "{md_role}"
    );
    assert!(
        md_rule["value"]
            .as_str()
            .unwrap()
            .contains("## Why is this bad?"),
        "{md_rule}"
    );
    for (plain, md) in [(&role, &md_role), (&rule, &md_rule)] {
        assert_eq!(plain["kind"], "plaintext", "{plain}");
        let text = plain["value"].as_str().unwrap();
        assert!(
            !text.contains("**") && !text.contains('`') && !text.contains("## "),
            "{text}"
        );
        // the same words: the Markdown text with its markup removed
        let words = |s: &str| {
            s.split(|c: char| !c.is_alphanumeric() && c != '_')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let md: String = md["value"]
            .as_str()
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("```"))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(words(text), words(&md), "{text}");
    }
    let text = role["value"].as_str().unwrap();
    assert!(
        text.starts_with("rlscope — runs as the signed-in user"),
        "{text}"
    );
    assert!(
        rule["value"]
            .as_str()
            .unwrap()
            .contains("\nWhy is this bad?\n"),
        "{rule}"
    );
}

#[tokio::test]
async fn pull_clients_are_asked_to_refresh_when_a_dependency_changes() {
    let (dir, admin, signup) = alias_project();
    let mut h = Harness::new();
    let mut caps = default_caps();
    caps["textDocument"]["diagnostic"] = json!({});
    caps["workspace"]["diagnostics"] = json!({"refreshSupport": true});
    h.initialize_with(caps, Some(dir.path()), Value::Null).await;
    index_ready(&mut h).await;
    let su = h.open(&signup, SIGNUP).await;
    let pull = |u: &tower_lsp_server_uri::Uri| json!({"textDocument": {"uri": u.as_str()}});
    let rep = h
        .request("textDocument/diagnostic", pull(&su))
        .await
        .unwrap();
    assert!(
        rep["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == SESSION),
        "{rep}"
    );
    // asking again with the id of what it shows: `unchanged`, same id
    let first_id = rep["resultId"].as_str().expect("a resultId").to_string();
    let again = h
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": su.as_str()}, "previousResultId": first_id}),
        )
        .await
        .unwrap();
    assert_eq!(again["kind"], "unchanged", "{again}");
    assert_eq!(again["resultId"], first_id.as_str());
    assert!(again.get("items").is_none());
    let au = h.open(&admin, ADMIN).await;
    h.change(&au, 2, json!([{"text": ANON_ADMIN}])).await;
    h.wait_for("diagnostic refresh", |r| {
        r.method() == "workspace/diagnostic/refresh"
    })
    .await;
    let rep = h
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": su.as_str()}, "previousResultId": first_id}),
        )
        .await
        .unwrap();
    // the findings changed: a full report under a new id, whatever id the client sent
    assert_eq!(rep["kind"], "full", "{rep}");
    assert_ne!(rep["resultId"], first_id.as_str());
    assert!(
        !rep["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == SESSION),
        "{rep}"
    );
    // files not open are reported by workspace/diagnostic
    h.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": su.as_str()}}),
    )
    .await;
    let ws = h
        .request("workspace/diagnostic", json!({"previousResultIds": []}))
        .await
        .unwrap();
    let items = ws["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|i| i["uri"].as_str().unwrap().ends_with("app/signup.ts")),
        "{ws}"
    );
    // a second pull naming every report's id: all `unchanged`
    let previous: Vec<Value> = items
        .iter()
        .map(|i| {
            assert_eq!(i["kind"], "full");
            json!({"uri": i["uri"], "value": i["resultId"].as_str().expect("a resultId")})
        })
        .collect();
    let ws2 = h
        .request(
            "workspace/diagnostic",
            json!({"previousResultIds": previous}),
        )
        .await
        .unwrap();
    let items2 = ws2["items"].as_array().unwrap();
    assert_eq!(items2.len(), items.len());
    assert!(items2.iter().all(|i| i["kind"] == "unchanged"), "{ws2}");
}

mod tower_lsp_server_uri {
    pub use rlscope_lsp::tower_lsp_server::ls_types::Uri;
}

#[tokio::test]
async fn a_huge_document_is_tracked_but_not_analysed() {
    let line = format!("export const k = '{}'\n", jwt("service_role"));
    let text = line.repeat(3 * 1024 * 1024 / line.len() + 1);
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "big.ts", "");
    let mut h = Harness::new();
    h.initialize(Some(dir.path())).await;
    let start = std::time::Instant::now();
    let u = h.open(&file, &text).await;
    let p = h.diagnostics(&u, |p| p["version"] == 1).await;
    assert_eq!(p["diagnostics"], json!([]));
    h.change(
        &u,
        2,
        json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "//"}]),
    )
    .await;
    h.diagnostics(&u, |p| p["version"] == 2).await;
    assert!(h.text(&u).unwrap().1.starts_with("//export"));
    assert!(
        start.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    // the server still answers about it
    let r = h.hover(&u, json!({"line": 3, "character": 20})).await;
    assert!(r.is_ok());
}

#[tokio::test]
async fn initialization_options_hold_when_the_client_has_no_settings() {
    let (dir, _admin, signup) = alias_project();
    for caps in [json!({}), default_caps()] {
        // a client without workspace/configuration, and one answering it with null (Neovim without
        // `settings`), both keep the initializationOptions
        let pull_config = caps["workspace"]["configuration"] == true;
        let mut h = Harness::new();
        *h.settings.lock().unwrap() = Value::Null;
        h.initialize_with(
            caps,
            Some(dir.path()),
            json!({"inlayHints": {"enable": true}, "rules": {SESSION: "warn"}}),
        )
        .await;
        if pull_config {
            h.wait_for("configuration", |r| r.method() == "workspace/configuration")
                .await;
        }
        let su = h.open(&signup, SIGNUP).await;
        let p = h.diagnostics(&su, |p| has(p, SESSION)).await;
        let d = p["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == SESSION)
            .unwrap()
            .clone();
        assert_eq!(d["severity"], 2, "rules from initializationOptions apply");
        let hints = h.inlay_hints(&su, 0, 6).await.unwrap();
        assert!(
            !hints.as_array().unwrap().is_empty(),
            "inlay hints enabled by initializationOptions"
        );
    }
}

/// An independent model of LSP positions (utf-16 columns; lines end at \n, \r\n or a lone \r), with
/// clamping, to check the server's incremental sync against.
fn model_offset(text: &str, line: u32, col: u32) -> usize {
    let bytes = text.as_bytes();
    let mut starts = vec![0usize];
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 2;
            starts.push(i);
        } else if bytes[i] == b'\n' || bytes[i] == b'\r' {
            i += 1;
            starts.push(i);
        } else {
            i += 1;
        }
    }
    let Some(&start) = starts.get(line as usize) else {
        return text.len();
    };
    let mut end = starts.get(line as usize + 1).copied().unwrap_or(text.len());
    while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    let mut units = 0;
    for (off, ch) in text[start..end].char_indices() {
        let w = ch.len_utf16() as u32;
        if units + w > col {
            return start + off;
        }
        units += w;
    }
    end
}

#[tokio::test]
async fn random_incremental_edits_match_a_model() {
    let mut h = Harness::new();
    h.initialize(None).await;
    let mut model = String::from("const a = 'é';\r\nlet b = \"😀\";\n\nfoo(a, b)\rbar()\n");
    let u = h
        .open(std::path::Path::new("/tmp/rlscope-mem/random.ts"), &model)
        .await;
    let pieces = [
        "",
        "x",
        "é",
        "😀",
        "中文",
        "\n",
        "\r\n",
        "\r",
        "supabase.from('t')",
        "'",
        "{",
        "\t",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n.max(1)
    };
    for version in 2..400 {
        let lines = model.split('\n').count() as u64 + 2;
        let mut changes = Vec::new();
        for _ in 0..=next(3) {
            if next(40) == 0 {
                let text = pieces[next(pieces.len() as u64) as usize].repeat(next(5) as usize);
                model = text.clone();
                changes.push(json!({"text": text}));
                continue;
            }
            let (l1, c1) = (next(lines) as u32, next(30) as u32);
            let (l2, c2) = if next(2) == 0 {
                (l1, c1 + next(6) as u32)
            } else {
                (next(lines) as u32, next(30) as u32)
            };
            let text = pieces[next(pieces.len() as u64) as usize];
            let (a, b) = (model_offset(&model, l1, c1), model_offset(&model, l2, c2));
            model.replace_range(a.min(b)..a.max(b), text);
            changes.push(json!({"range": {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}, "text": text}));
        }
        h.change(&u, version, json!(changes)).await;
        let (v, text) = h.text(&u).unwrap();
        assert_eq!(v, version);
        assert_eq!(text, model, "after version {version}: {changes:?}");
    }
    // the analysis kept up and the server still answers
    h.diagnostics(&u, |p| p["version"] == 399).await;
}

/// Folders added and removed after start are indexed in the background: `workspace/diagnostic` then covers
/// exactly the current folders.
#[tokio::test]
async fn workspace_folders_added_and_removed_are_reindexed() {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().canonicalize().unwrap();
    let key = format!("export const k = '{}'\n", jwt("service_role"));
    write(&top, "a/lib/a.ts", &key);
    write(&top, "b/lib/b.ts", &key);
    let (a, b) = (top.join("a"), top.join("b"));
    let mut h = Harness::new();
    let mut caps = default_caps();
    caps["textDocument"]["diagnostic"] = json!({});
    caps["workspace"]["diagnostics"] = json!({"refreshSupport": true});
    caps["workspace"]["workspaceFolders"] = json!(true);
    let r = h.initialize_with(caps, Some(&a), Value::Null).await;
    let wf = &r["capabilities"]["workspace"]["workspaceFolders"];
    assert_eq!(wf["supported"], true);
    assert_eq!(wf["changeNotifications"], true);
    index_ready(&mut h).await;

    async fn reported(h: &mut Harness) -> Vec<String> {
        let ws = h
            .request("workspace/diagnostic", json!({"previousResultIds": []}))
            .await
            .unwrap();
        let mut files: Vec<String> = ws["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| !i["items"].as_array().unwrap().is_empty())
            .map(|i| {
                let u = i["uri"].as_str().unwrap();
                u.rsplit('/').next().unwrap().to_string()
            })
            .collect();
        files.sort();
        files
    }
    assert_eq!(reported(&mut h).await, ["a.ts"]);

    let folder = |p: &std::path::Path| json!({"uri": common::uri(p).as_str(), "name": "f"});
    h.seen.clear();
    h.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [folder(&b)], "removed": []}}),
    )
    .await;
    index_ready(&mut h).await;
    assert_eq!(reported(&mut h).await, ["a.ts", "b.ts"]);

    h.seen.clear();
    h.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [], "removed": [folder(&a)]}}),
    )
    .await;
    index_ready(&mut h).await;
    assert_eq!(reported(&mut h).await, ["b.ts"]);

    h.seen.clear();
    h.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [], "removed": [folder(&b)]}}),
    )
    .await;
    index_ready(&mut h).await;
    assert!(reported(&mut h).await.is_empty());
}
