//! Secret hygiene: no output of rlscope ever holds a full service-role JWT or `sb_secret_` key (nor the JWT's
//! payload or signature part, nor the secret's random part).
//!
//! The fixture puts the keys where they are most likely to leak: hardcoded literals (with and without `Bearer `),
//! inside a range that another rule's fix rewrites (the fix text quotes source code), in a `'use client'` file,
//! in `.env` values, in a SQL comment beside a policy, and in a suppression reason. Then every CLI format (human
//! with and without colour, json, sarif, github, gitlab), `--diff --unsafe-fixes`, `--fix --unsafe-fixes`'s
//! output, and the language server (diagnostics, hover everywhere, code actions for every diagnostic, inlay
//! hints, and its stderr log with `RLSCOPE_LOG=debug`) are searched byte for byte.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use rlscope_core::{LineIndex, PositionEncoding};
use rlscope_reliability::lsp::{uri, Client};
use rlscope_reliability::{
    assert_no_key, jwt, rlscope_bin, run_bounded, secret_key, service_jwt, write,
};
use serde_json::{json, Value};

fn keys() -> Vec<String> {
    vec![
        service_jwt(),
        secret_key(),
        jwt("service_role", "second-key"),
        jwt("supabase_admin", "admin-key"),
    ]
}

/// (relative path, text) of the fixture project.
fn fixture() -> Vec<(&'static str, String)> {
    let [jwt1, secret, jwt2, admin] = <[String; 4]>::try_from(keys()).unwrap();
    vec![
        (
            "lib/admin.ts",
            format!(
                "import {{ createClient }} from '@supabase/supabase-js'\n\
                 const key = '{jwt1}'\n\
                 export const admin = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, key)\n\
                 export async function login(email: string, password: string) {{\n\
                 \x20 // the key again, inside the range a fix rewrites: '{jwt2}'\n\
                 \x20 const other = createClient(u, '{jwt2}')\n\
                 \x20 return admin.auth.signInWithPassword({{ email, password }})\n\
                 }}\n\
                 export async function signup(email: string, password: string) {{\n\
                 \x20 return admin.auth.signUp({{ email, password, options: {{ data: {{ k: '{admin}' }} }} }})\n\
                 }}\n"
            ),
        ),
        (
            "lib/ssr.ts",
            format!(
                "import {{ createServerClient }} from '@supabase/ssr'\n\
                 export const s = createServerClient(u, \"{secret}\", {{ cookies: {{}} }})\n\
                 export const h = createServerClient(u, `Bearer {jwt1}`, {{ cookies: {{}} }})\n"
            ),
        ),
        (
            "app/page.tsx",
            format!(
                "'use client'\n\
                 import {{ createBrowserClient }} from '@supabase/ssr'\n\
                 // rlscope-ignore service-key-in-browser: reason quoting {secret}\n\
                 export const c = createBrowserClient(u, '{jwt1}')\n\
                 export const d = createBrowserClient(u, process.env.NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY!)\n\
                 export default function P() {{ return <div title=\"{secret}\">{{c ? 1 : 2}}</div> }}\n"
            ),
        ),
        (
            "supabase/functions/edge/index.ts",
            format!(
                "import {{ createClient }} from 'npm:@supabase/supabase-js@2'\n\
                 Deno.serve(async (req) => {{\n\
                 \x20 const sb = createClient(u, '{secret}', {{ global: {{ headers: {{ Authorization: req.headers.get('Authorization')! }} }} }})\n\
                 \x20 await sb.auth.admin.listUsers()\n\
                 \x20 return new Response('ok')\n\
                 }})\n"
            ),
        ),
        (
            ".env",
            format!(
                "NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY={jwt1}\nSUPABASE_SECRET_KEY={secret}\nNEXT_PUBLIC_X=\"{jwt2}\"\n"
            ),
        ),
        (
            "supabase/migrations/1_init.sql",
            format!(
                "-- key: {jwt1} {secret}\n\
                 CREATE POLICY p ON posts TO service_role USING (auth.jwt() ->> 'role' = 'service_role' AND '{secret}' <> '');\n"
            ),
        ),
    ]
}

fn make_project(root: &Path) {
    for (rel, text) in fixture() {
        write(root, rel, text);
    }
}

fn cli(root: &Path, args: &[&str]) -> (String, String, Option<i32>) {
    let mut cmd = Command::new(rlscope_bin());
    cmd.current_dir(root).arg("check").args(args).arg(".");
    let run = run_bounded(&mut cmd, Duration::from_secs(60));
    assert!(!run.timed_out, "{}", run.describe());
    (run.stdout_str(), run.stderr_str(), run.code)
}

#[test]
fn no_cli_output_holds_a_key() {
    let dir = tempfile::tempdir().unwrap();
    make_project(dir.path());
    let keys = keys();
    let mut total_findings = 0;
    for args in [
        &["--format", "human", "--color", "never"][..],
        &["--format", "human", "--color", "always"],
        &["--format", "json"],
        &["--format", "sarif"],
        &["--format", "github"],
        &["--format", "gitlab"],
        &["--diff"],
        &["--diff", "--unsafe-fixes"],
    ] {
        let (out, err, code) = cli(dir.path(), args);
        let what = format!("rlscope check {}", args.join(" "));
        assert!(matches!(code, Some(0 | 1)), "{what}: exit {code:?}\n{err}");
        assert_no_key(&format!("{what} (stdout)"), &out, &keys);
        assert_no_key(&format!("{what} (stderr)"), &err, &keys);
        if args == ["--format", "json"] {
            let v: Value = serde_json::from_str(&out).unwrap();
            total_findings = v
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["messages"].as_array().map_or(0, Vec::len))
                .sum::<usize>();
        }
        if args.contains(&"--diff") && args.contains(&"--unsafe-fixes") {
            assert!(
                out.contains("@@"),
                "the unsafe diff should not be empty: {out}"
            );
        }
    }
    // the fixture must really exercise the rules (otherwise this test proves nothing)
    assert!(
        total_findings >= 8,
        "only {total_findings} findings: the fixture no longer triggers the rules"
    );

    // --fix on a copy: its output too (the files themselves may keep keys the fixes did not touch)
    let copy = tempfile::tempdir().unwrap();
    make_project(copy.path());
    let (out, err, code) = cli(copy.path(), &["--fix", "--unsafe-fixes"]);
    assert!(matches!(code, Some(0 | 1)), "--fix: exit {code:?}\n{err}");
    assert_no_key("--fix --unsafe-fixes (stdout)", &out, &keys);
    assert_no_key("--fix --unsafe-fixes (stderr)", &err, &keys);
    assert!(out.contains("Fixed"), "{out}");
}

/// (line, character) in UTF-16 for every `step`-th byte offset of `text` on a char boundary.
fn positions(text: &str, step: usize) -> Vec<(u32, u32)> {
    let idx = LineIndex::new(text);
    (0..text.len())
        .step_by(step)
        .filter(|&o| text.is_char_boundary(o))
        .map(|o| {
            let lc = idx.line_col(text, o as u32, PositionEncoding::Utf16);
            (lc.line, lc.col)
        })
        .collect()
}

/// Removes the replacement texts of fix edits (`newText`, anywhere: code actions, `Diagnostic.data`).
fn without_edit_texts(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| k.as_str() != "newText")
                .map(|(k, v)| (k.clone(), without_edit_texts(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_edit_texts).collect()),
        other => other.clone(),
    }
}

#[test]
fn no_language_server_output_holds_a_key() {
    run_language_server(false);
}

/// B2 (found here, fixed in the language server by 80d79b0): fixes copy source spans that hold a key into their
/// replacement text (signUp → admin.createUser copies `options.data`; the ssr-client-service-key fix copies the
/// key argument into `createServiceClient`), and the server sent those edits in `Diagnostic.data` and code
/// actions. It now never offers such a fix; this keeps it that way, raw bytes included.
#[test]
fn no_language_server_fix_edit_holds_a_key() {
    run_language_server(true);
}

fn run_language_server(include_edit_texts: bool) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    make_project(&root);
    let keys = keys();
    let mut lsp = Client::spawn(&[("RLSCOPE_LOG", "debug")]);
    let init = lsp.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(&root),
            "workspaceFolders": [{"uri": uri(&root), "name": "fixture"}],
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "textDocument": {
                    "publishDiagnostics": {"relatedInformation": true},
                    "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}},
                                   "dataSupport": true, "isPreferredSupport": true},
                    "hover": {"contentFormat": ["markdown", "plaintext"]}
                },
                "workspace": {"configuration": true, "workspaceEdit": {"documentChanges": true}}
            }
        }),
    );
    assert!(init.get("result").is_some(), "{init}");
    lsp.notify("initialized", json!({}));
    let mut diagnostics = 0;
    for (rel, text) in fixture() {
        let path = root.join(rel);
        let u = uri(&path);
        let lang = match rel.rsplit('.').next() {
            Some("tsx") => "typescriptreact",
            Some("sql") => "sql",
            Some("ts") => "typescript",
            _ => "dotenv",
        };
        lsp.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": u, "languageId": lang, "version": 1, "text": text}}),
        );
        let published = lsp
            .wait_for_within(
                &format!("diagnostics for {rel}"),
                Duration::from_secs(20),
                |m| {
                    m["method"] == "textDocument/publishDiagnostics"
                        && m["params"]["uri"] == u.as_str()
                },
            )
            .map(|m| m["params"]["diagnostics"].clone())
            .unwrap_or(Value::Null);
        let diags = published.as_array().cloned().unwrap_or_default();
        diagnostics += diags.len();
        // hover everywhere (every 3rd byte), inlay hints, code actions for every diagnostic and for the whole file
        // pipelined: send every hover, then wait for the last answer (answers come in order per request kind)
        let mut last = 0;
        for (line, character) in positions(&text, 3) {
            last = lsp.request_async(
                "textDocument/hover",
                json!({"textDocument": {"uri": u}, "position": {"line": line, "character": character}}),
            );
        }
        let mut pending: std::collections::HashSet<i64> =
            ((last - positions(&text, 3).len() as i64 + 1)..=last).collect();
        while !pending.is_empty() {
            let m = lsp.wait_for("hover answers", |m| {
                m.get("method").is_none() && m.get("id").is_some()
            });
            pending.remove(&m["id"].as_i64().unwrap_or(-1));
        }
        let end = LineIndex::new(&text).line_count();
        lsp.request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": u}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": end, "character": 0}}}),
        );
        for d in &diags {
            let r = lsp.request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": u}, "range": d["range"], "context": {"diagnostics": [d]}}),
            );
            if let Some(actions) = r["result"].as_array() {
                for a in actions {
                    if a.get("data").is_some() && a.get("edit").is_none() {
                        lsp.request("codeAction/resolve", a.clone());
                    }
                }
            }
        }
        lsp.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u},
                   "range": {"start": {"line": 0, "character": 0}, "end": {"line": end, "character": 0}},
                   "context": {"diagnostics": diags, "only": ["source"]}}),
        );
    }
    lsp.request("shutdown", Value::Null);
    lsp.notify("exit", Value::Null);
    let code = lsp.wait_exit(Duration::from_secs(10));
    lsp.drain(Duration::from_millis(200));
    assert_eq!(code, Some(0), "the server did not exit cleanly after exit");
    assert!(
        diagnostics >= 6,
        "only {diagnostics} diagnostics: the fixture no longer triggers the rules\n{}",
        lsp.stderr_text()
    );
    let stderr = lsp.stderr_text();
    assert!(
        stderr.contains("[rlscope debug]"),
        "RLSCOPE_LOG=debug produced no debug log: {stderr}"
    );
    // per message first, to name the one that leaks
    let methods = lsp.sent_methods.clone();
    for m in &lsp.seen {
        let what = match m.get("method") {
            Some(method) => format!("server message {method}"),
            None => format!(
                "response to {}",
                methods
                    .get(&m["id"].as_i64().unwrap_or(-1))
                    .map_or("?", String::as_str)
            ),
        };
        let m = if include_edit_texts {
            m.clone()
        } else {
            without_edit_texts(m)
        };
        assert_no_key(&what, &m.to_string(), &keys);
    }
    if include_edit_texts {
        assert_no_key(
            "language server stdout (raw frames)",
            &lsp.stdout_text(),
            &keys,
        );
    }
    assert_no_key("language server stderr log (debug)", &stderr, &keys);
}
