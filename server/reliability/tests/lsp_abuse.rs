//! Black-box protocol abuse of `rlscope lsp` over real stdio (the LSP crate has its own, finer tests): the
//! server survives everything but `exit`, and leaves on stdin EOF.

use std::time::Duration;

use rlscope_reliability::lsp::Client;
use serde_json::{json, Value};

fn started() -> Client {
    let mut lsp = Client::spawn(&[("RLSCOPE_LOG", "debug")]);
    let r = lsp.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    assert!(r.get("result").is_some(), "{r}");
    lsp.notify("initialized", json!({}));
    lsp
}

/// The server still answers a request.
fn still_alive(lsp: &mut Client, what: &str) {
    let uri = "file:///nonexistent/alive.ts";
    let r = lsp.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    );
    assert!(
        r.get("result").is_some() || r.get("error").is_some(),
        "after {what}: {r}"
    );
    assert!(lsp.alive(), "the server died after {what}");
}

#[test]
fn garbage_frames_and_bad_requests_do_not_kill_the_server() {
    let mut lsp = started();
    lsp.send_raw(b"Content-Length: 9\r\n\r\nnot json!");
    still_alive(&mut lsp, "a body that is not JSON");
    lsp.send_raw(b"Content-Length: 2\r\n\r\n[]");
    still_alive(&mut lsp, "an empty batch");
    lsp.send_raw(b"Content-Length: 15\r\n\r\n{\"jsonrpc\":\"2.0\"}");
    still_alive(&mut lsp, "a Content-Length shorter than the body");
    lsp.send_raw(b"X-Nonsense: 1\r\nContent-Length: 2\r\n\r\n{}");
    still_alive(&mut lsp, "an unknown header and an empty object");
    let r = lsp.request("rlscope/doesNotExist", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let uri = "file:///nonexistent/never-opened.ts";
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3},
               "contentChanges": [{"range": {"start": {"line": 5, "character": 0}, "end": {"line": 9, "character": 9}}, "text": "x"}]}),
    );
    still_alive(&mut lsp, "didChange for a document never opened");
    let uri = "file:///nonexistent/a.ts";
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "typescript", "version": 5, "text": "const a = '😀'\r\n"}}),
    );
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 6},
               "contentChanges": [{"range": {"start": {"line": 99, "character": 99}, "end": {"line": 0, "character": 0}}, "text": "(("},
                                  {"range": {"start": {"line": 0, "character": 12}, "end": {"line": 0, "character": 13}}, "text": "é"}]}),
    );
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "stale"}]}),
    );
    still_alive(
        &mut lsp,
        "ranges past the end, inside a surrogate pair, reversed, and a stale version",
    );
    for i in 0..200 {
        let id = lsp.request_async(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": i % 20}}),
        );
        lsp.notify("$/cancelRequest", json!({"id": id}));
    }
    still_alive(&mut lsp, "a cancellation storm");
    let r = lsp.request("shutdown", Value::Null);
    assert!(r.get("result").is_some(), "{r}");
    let r = lsp.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    );
    assert!(
        r.get("error").is_some(),
        "a request after shutdown must get an error: {r}"
    );
    assert!(lsp.alive());
    lsp.notify("exit", Value::Null);
    assert_eq!(lsp.wait_exit(Duration::from_secs(10)), Some(0));
    assert!(
        !lsp.stderr_text().contains("panicked"),
        "{}",
        lsp.stderr_text()
    );
}

#[test]
fn stdin_eof_ends_the_server() {
    let mut lsp = started();
    lsp.close_stdin();
    let code = lsp.wait_exit(Duration::from_secs(10));
    assert!(code.is_some(), "still running 10 s after stdin closed");
}
