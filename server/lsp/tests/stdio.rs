//! The built `rlscope lsp` process driven over stdio by a real JSON-RPC client: the end-to-end scenario,
//! protocol abuse, exit behaviour and secret hygiene.

mod common;
#[path = "common/stdio.rs"]
mod stdio_client;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{jwt, require_engine, uri, write};
use serde_json::{json, Value};
use stdio_client::Lsp;

fn caps() -> Value {
    common::default_caps()
}

fn initialize(lsp: &mut Lsp, root: Option<&Path>) -> Value {
    let folders = root.map(|r| json!([{"uri": uri(r).as_str(), "name": "ws"}]));
    let r = lsp.request(
        "initialize",
        json!({"processId": null, "capabilities": caps(), "workspaceFolders": folders}),
    );
    lsp.notify("initialized", json!({}));
    r
}

fn open(lsp: &Lsp, path: &Path, version: i32, text: &str) -> String {
    let u = uri(path).as_str().to_string();
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": u, "languageId": "typescript", "version": version, "text": text}}),
    );
    u
}

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn shutdown_and_exit(lsp: &mut Lsp) {
    let r = lsp.request("shutdown", Value::Null);
    assert!(r.get("error").is_none(), "{r}");
    lsp.notify("exit", Value::Null);
    let start = Instant::now();
    let code = lsp.wait_exit(Duration::from_secs(1));
    assert_eq!(
        code,
        Some(0),
        "the server must exit (status 0) within 1 s of exit; waited {:?}",
        start.elapsed()
    );
}

#[test]
fn protocol_abuse_keeps_the_server_alive() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "a.ts", "export const a = 1\n");
    let mut lsp = Lsp::spawn();
    initialize(&mut lsp, Some(dir.path()));

    // malformed JSON: a parse error with a null id, and the server carries on
    lsp.send_raw(&frame("{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":"));
    let e = lsp.wait_for("parse error", |m| m["error"]["code"] == -32700);
    assert_eq!(e["id"], Value::Null);
    let r = lsp.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///x.ts"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(
        r["error"]["code"], -32602,
        "unknown document → error reply: {r}"
    );

    // wrong Content-Length, too short and too long, then a good request
    let body = r#"{"jsonrpc":"2.0","id":500,"method":"rlscope/unknown"}"#;
    lsp.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len() - 7).as_bytes());
    lsp.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len() + 300).as_bytes());
    let r = lsp.request("rlscope/unknown", json!({}));
    assert_eq!(r["error"]["code"], -32601, "unknown method: {r}");

    // garbage without any header, a header without a length, a batch, a bad id
    lsp.send_raw(b"\x00\x01hello there\r\n\r\n");
    lsp.send_raw(b"Content-Type: text/plain\r\n\r\n");
    lsp.send_raw(&frame(r#"[{"jsonrpc":"2.0","id":1,"method":"shutdown"}]"#));
    lsp.send_raw(&frame(r#"{"jsonrpc":"2.0","id":1.5,"method":"shutdown"}"#));
    lsp.wait_for("invalid request", |m| m["error"]["code"] == -32600);
    lsp.notify("rlscope/unknownNotification", json!({}));

    // didChange for a document never opened, then one that is, with ranges past the end and stale versions
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///never/opened.ts", "version": 3}, "contentChanges": [{"text": "x"}]}),
    );
    let u = open(&lsp, &file, 1, "export const a = 1\n");
    lsp.diagnostics(&u, |p| p["version"] == 1);
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 5},
               "contentChanges": [{"range": {"start": {"line": 90, "character": 0}, "end": {"line": 99, "character": 9}}, "text": "// tail\n"}]}),
    );
    lsp.diagnostics(&u, |p| p["version"] == 5);
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 4}, "contentChanges": [{"text": "stale"}]}),
    );
    // a cancellation storm around real requests: every request still gets exactly one answer
    let mut ids = Vec::new();
    for i in 0..50 {
        let id = lsp.request_async(
            "textDocument/hover",
            json!({"textDocument": {"uri": u}, "position": {"line": 0, "character": i % 20}}),
        );
        ids.push(id);
        for j in 0..20 {
            lsp.notify("$/cancelRequest", json!({"id": id + j}));
        }
    }
    for id in ids {
        let r = lsp.wait_for("hover answer", |m| {
            m["id"] == id && m.get("method").is_none()
        });
        assert!(
            r.get("result").is_some() || r["error"]["code"] == -32800,
            "answer to a cancelled request: {r}"
        );
    }
    // stale version was ignored: the next change still applies on top of version 5
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 6}, "contentChanges": []}),
    );
    lsp.diagnostics(&u, |p| p["version"] == 6);

    // after shutdown, requests are refused but the process only leaves on exit
    let r = lsp.request("shutdown", Value::Null);
    assert!(r.get("error").is_none());
    let r = lsp.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(r["error"]["code"], -32600, "{r}");
    assert!(
        lsp.child.try_wait().unwrap().is_none(),
        "still alive before exit"
    );
    lsp.notify("exit", Value::Null);
    assert_eq!(
        lsp.wait_exit(Duration::from_secs(1)),
        Some(0),
        "exit within 1 s"
    );
    let log = lsp.stderr.lock().unwrap().clone();
    assert!(
        log.contains("malformed message"),
        "the abuse is logged on stderr:\n{log}"
    );
}

#[test]
fn stdin_eof_ends_the_process_cleanly() {
    let mut lsp = Lsp::spawn();
    let init = initialize(&mut lsp, None);
    // The binary reports what `rlscope --version` prints: the package version and the commit it was built from.
    let version = init["result"]["serverInfo"]["version"]
        .as_str()
        .unwrap_or_default();
    assert!(
        version.starts_with(env!("CARGO_PKG_VERSION")) && version.contains("commit"),
        "serverInfo.version: {version:?}"
    );
    lsp.close_stdin();
    assert_eq!(lsp.wait_exit(Duration::from_secs(1)), Some(0));
}

#[test]
fn stdin_eof_before_initialize_and_mid_message() {
    let mut lsp = Lsp::spawn();
    lsp.send_raw(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"");
    lsp.close_stdin();
    assert_eq!(lsp.wait_exit(Duration::from_secs(1)), Some(0));
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let mut lsp = Lsp::spawn();
    initialize(&mut lsp, None);
    lsp.notify("exit", Value::Null);
    assert_eq!(lsp.wait_exit(Duration::from_secs(1)), Some(1));
}

#[test]
fn shutdown_then_exit_within_one_second() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.ts", "export const a = 1\n");
    let mut lsp = Lsp::spawn();
    initialize(&mut lsp, Some(dir.path()));
    shutdown_and_exit(&mut lsp);
}

#[test]
fn no_full_key_in_any_output_or_log() {
    let service = jwt("service_role");
    let secret = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz";
    let text = format!(
        "import {{ createClient }} from '@supabase/supabase-js'\nexport const a = createClient('https://x.supabase.co', '{service}')\nexport const b = createClient('https://x.supabase.co', '{secret}')\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "lib/keys.ts", &text);
    write(
        dir.path(),
        ".env",
        &format!("SUPABASE_SERVICE_ROLE_KEY={service}\nSUPABASE_SECRET_KEY={secret}\n"),
    );
    let mut lsp = Lsp::spawn();
    initialize(&mut lsp, Some(dir.path()));
    let u = open(&lsp, &file, 1, &text);
    let diags = lsp.diagnostics(&u, |p| p["version"] == 1);
    for line in 1..3 {
        let r = lsp.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": u}, "position": {"line": line, "character": 60}}),
        );
        assert!(r.get("error").is_none(), "{r}");
    }
    let range = json!({"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}});
    lsp.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": range, "context": {"diagnostics": diags["diagnostics"]}}),
    );
    lsp.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": u}, "range": range}),
    );
    shutdown_and_exit(&mut lsp);
    let out = serde_json::to_string(&lsp.seen).unwrap();
    let log = lsp.stderr.lock().unwrap().clone();
    for key in [service.as_str(), secret] {
        assert!(!out.contains(key), "a full key in the protocol output");
        assert!(!log.contains(key), "a full key in the log");
    }
}

/// A whole editing session: initialize → didOpen → diagnostics (one only found through a tsconfig path alias
/// import) → didChange inserting an emoji before a finding → codeAction → apply → diagnostics gone → hover
/// names the role → shutdown → exit, the process gone within 1 s.
#[test]
fn end_to_end_scenario() {
    let key = jwt("service_role");
    let key_file = format!(
        "import {{ createClient }} from '@supabase/supabase-js'\n\nexport const admin = createClient('https://abc.supabase.co', '{key}')\n"
    );
    let admin = "import { createClient } from '@supabase/supabase-js'\n\nexport const supabaseAdmin = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n";
    let signup = "import { supabaseAdmin } from '@/lib/admin'\n\nexport async function signUp(email: string, password: string) {\n  const { data } = await supabaseAdmin.auth.signUp({ email, password })\n  return supabaseAdmin.from('profiles').select('*')\n}\n";
    require_engine("hardcoded-service-key", "lib/key.ts", &key_file);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    write(
        &root,
        "tsconfig.json",
        r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./*"] } } }"#,
    );
    write(&root, "lib/admin.ts", admin);
    let key_path = write(&root, "lib/key.ts", &key_file);
    let signup_path = write(&root, "app/signup.ts", signup);

    let mut lsp = Lsp::spawn();
    initialize(&mut lsp, Some(&root));
    // wait for the background index so the alias import resolves
    lsp.wait_for("index ready", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
    });

    // a finding only found through `@/lib/admin` (tsconfig paths)
    let su = open(&lsp, &signup_path, 1, signup);
    let p = lsp.diagnostics(&su, |p| {
        p["diagnostics"].as_array().is_some_and(|d| {
            d.iter()
                .any(|d| d["code"] == "session-method-on-service-client")
        })
    });
    let d = p["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "session-method-on-service-client")
        .unwrap();
    assert_eq!(d["range"]["start"]["line"], 3, "{d}");

    // the hardcoded key, then an emoji before it on the same line: utf-16 columns move by 2
    let ku = open(&lsp, &key_path, 1, &key_file);
    let finding = |p: &Value| {
        p["diagnostics"].as_array().and_then(|d| {
            d.iter()
                .find(|d| d["code"] == "hardcoded-service-key")
                .cloned()
        })
    };
    let p = lsp.diagnostics(&ku, |p| finding(p).is_some());
    let before = finding(&p).unwrap();
    assert_eq!(before["range"]["start"]["line"], 2);
    let col = before["range"]["start"]["character"].as_u64().unwrap();
    let url_col = key_file.lines().nth(2).unwrap().find("abc").unwrap() as u64;
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ku, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 2, "character": url_col}, "end": {"line": 2, "character": url_col}}, "text": "😀"}]}),
    );
    let text2 = key_file.replacen("abc", "😀abc", 1);
    let p = lsp.diagnostics(&ku, |p| p["version"] == 2);
    let after = finding(&p).expect("still reported after the edit");
    assert_eq!(after["range"]["start"]["line"], 2);
    assert_eq!(
        after["range"]["start"]["character"].as_u64().unwrap(),
        col + 2,
        "an emoji is 2 utf-16 units"
    );

    // code action: apply the rule's fix, the finding goes away
    let actions = lsp.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": ku}, "range": after["range"], "context": {"diagnostics": [after]}}),
    );
    let actions = actions["result"].as_array().unwrap().clone();
    let fix = actions
        .iter()
        .find(|a| !a["title"].as_str().unwrap().starts_with("Ignore"))
        .or_else(|| actions.first())
        .expect("a code action")
        .clone();
    let edits = common::action_edits(&fix, &ku.parse().unwrap());
    assert!(!edits.is_empty());
    let text3 = common::apply_edits(&text2, &edits);
    // as an editor applies a workspace edit: the edits become content changes, last position first
    let mut changes: Vec<Value> = edits
        .iter()
        .map(|e| json!({"range": e["range"], "text": e["newText"]}))
        .collect();
    changes.reverse();
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ku, "version": 3}, "contentChanges": changes}),
    );
    let p = lsp.diagnostics(&ku, |p| p["version"] == 3);
    assert!(
        finding(&p).is_none(),
        "the fix removed the finding: {p}\n{text3}"
    );

    // hover on the admin client in the file that imports it names the role
    let line = signup.lines().nth(3).unwrap();
    let col = line.find("supabaseAdmin").unwrap() + 2;
    let r = lsp.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": su}, "position": {"line": 3, "character": col}}),
    );
    let md = r["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(md.contains("service_role"), "hover: {r}");

    shutdown_and_exit(&mut lsp);
    let out = serde_json::to_string(&lsp.seen).unwrap();
    assert!(!out.contains(&key));
}

#[test]
fn an_engine_panic_costs_only_that_files_result() {
    let text = format!(
        "import {{ createClient }} from '@supabase/supabase-js'\nexport const a = createClient('https://x.supabase.co', '{}')\n",
        jwt("service_role")
    );
    require_engine("hardcoded-service-key", "ok.ts", &text);
    let dir = tempfile::tempdir().unwrap();
    let boom = write(dir.path(), "boom.ts", &text);
    let fine = write(dir.path(), "fine.ts", &text);
    let mut lsp = Lsp::spawn_with_env(&[("RLSCOPE_TEST_PANIC_PATH", "boom.ts")]);
    initialize(&mut lsp, Some(dir.path()));
    let bu = open(&lsp, &boom, 1, &text);
    let p = lsp.diagnostics(&bu, |p| p["version"] == 1);
    assert_eq!(
        p["diagnostics"],
        json!([]),
        "the panicking file's result is dropped"
    );
    let fu = open(&lsp, &fine, 1, &text);
    let p = lsp.diagnostics(&fu, |p| p["version"] == 1);
    assert!(
        p["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "hardcoded-service-key"),
        "{p}"
    );
    // the panicking file keeps answering requests
    let r = lsp.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": bu}, "position": {"line": 1, "character": 20}}),
    );
    assert!(r.get("error").is_none(), "{r}");
    shutdown_and_exit(&mut lsp);
    let log = lsp.stderr.lock().unwrap().clone();
    assert!(
        log.contains("check_file panicked on") && log.contains("boom.ts"),
        "{log}"
    );
}

#[test]
fn lifecycle_abuse_before_and_around_initialize() {
    let mut lsp = Lsp::spawn();
    // before initialize: requests are refused with ServerNotInitialized, notifications dropped
    let r = lsp.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///a.ts"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(r["error"]["code"], -32002, "{r}");
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "file:///a.ts"}}),
    );
    initialize(&mut lsp, None);
    // a second initialize is an invalid request
    let r = lsp.request("initialize", json!({"capabilities": {}}));
    assert_eq!(r["error"]["code"], -32600, "{r}");
    // params of the wrong shape: an invalid-params error for a request, a logged drop for a notification
    let r = lsp.request("textDocument/hover", json!({"textDocument": 3}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    lsp.notify("textDocument/didChange", json!({"contentChanges": "nope"}));
    lsp.notify("textDocument/didOpen", json!([1, 2, 3]));
    let r = lsp.request("workspace/diagnostic", json!({"previousResultIds": []}));
    assert!(r.get("result").is_some(), "{r}");
    shutdown_and_exit(&mut lsp);
}
