//! Test helpers: an in-memory client driving the service (every call under a timeout), fixtures, JWTs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use rlscope_lsp::tower_lsp_server::jsonrpc::{Id, Request, Response};
use rlscope_lsp::tower_lsp_server::ls_types::Uri;
use rlscope_lsp::tower_lsp_server::LspService;
use rlscope_lsp::Backend;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tower::{Service, ServiceExt};

pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A JWT whose payload is `{"role":"<role>"}` (not a real key: the signature is junk).
pub fn jwt(role: &str) -> String {
    rlscope_testkit::supabase_jwt(
        role,
        "abcdefghijklmnopqrst",
        "not-a-real-signature-just-test-bytes",
    )
}

/// Whether the engine reports `rule` for `text` as file `name`.
pub fn engine_reports(name: &str, text: &str, rule: &str) -> bool {
    rlscope_engine::check_source(name, text)
        .iter()
        .any(|f| f.rule == rule)
}

/// Fails with a clear message when the engine does not report `rule` for the fixture at all (so an
/// LSP test failing for that reason points at the engine, not the server).
pub fn require_engine(rule: &str, name: &str, text: &str) {
    assert!(
        engine_reports(name, text, rule),
        "the engine itself does not report {rule} for this fixture (rlscope_engine::check_source)"
    );
}

pub fn uri(path: &Path) -> Uri {
    Uri::from_file_path(path).expect("file uri")
}

pub fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

/// Client capabilities: push diagnostics with related information, code action literals, utf-16.
pub fn default_caps() -> Value {
    json!({
        "general": {"positionEncodings": ["utf-16"]},
        "textDocument": {
            "publishDiagnostics": {"relatedInformation": true, "versionSupport": true,
                                   "tagSupport": {"valueSet": [1, 2]}},
            "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}},
                           "isPreferredSupport": true, "dataSupport": true},
            "hover": {"contentFormat": ["markdown", "plaintext"]}
        },
        "workspace": {"configuration": true, "workspaceEdit": {"documentChanges": true},
                      "didChangeWatchedFiles": {"dynamicRegistration": true},
                      "inlayHint": {"refreshSupport": true}},
        "window": {"workDoneProgress": true}
    })
}

pub struct Harness {
    service: LspService<Backend>,
    events: mpsc::UnboundedReceiver<Request>,
    next_id: i64,
    /// What the fake client answers to `workspace/configuration`.
    pub settings: Arc<Mutex<Value>>,
    /// Server→client requests the fake client never answers (a slow or broken client).
    pub never_answer: Arc<Mutex<Vec<&'static str>>>,
    /// Everything the server sent to the client, in order (requests and notifications).
    pub seen: Vec<Request>,
}

impl Harness {
    pub fn new() -> Harness {
        let (service, socket) = rlscope_lsp::build_service();
        let (tx, rx) = mpsc::unbounded_channel();
        let settings = Arc::new(Mutex::new(json!({})));
        let answers = settings.clone();
        let never_answer: Arc<Mutex<Vec<&'static str>>> = Arc::default();
        let silent = never_answer.clone();
        tokio::spawn(async move {
            let (mut requests, mut responses) = socket.split();
            while let Some(req) = requests.next().await {
                let ignored = silent.lock().unwrap().contains(&req.method());
                if let Some(id) = req.id().cloned().filter(|_| !ignored) {
                    let result = match req.method() {
                        "workspace/configuration" => json!([answers.lock().unwrap().clone()]),
                        _ => Value::Null,
                    };
                    if responses.send(Response::from_ok(id, result)).await.is_err() {
                        break;
                    }
                }
                if tx.send(req).is_err() {
                    break;
                }
            }
        });
        Harness {
            service,
            events: rx,
            next_id: 0,
            settings,
            never_answer,
            seen: Vec::new(),
        }
    }

    pub fn backend(&self) -> &Backend {
        self.service.inner()
    }

    /// Sends a raw message; returns the response (for requests).
    pub async fn call(&mut self, req: Request) -> Option<Response> {
        let fut = tokio::time::timeout(TIMEOUT, self.service.ready())
            .await
            .expect("service ready timed out")
            .expect("service exited")
            .call(req);
        tokio::time::timeout(TIMEOUT, fut)
            .await
            .expect("call timed out")
            .expect("service error")
    }

    pub fn next_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// A request; `Ok(result)` or `Err(error object)`.
    pub async fn request(&mut self, method: &'static str, params: Value) -> Result<Value, Value> {
        let id = self.next_id();
        let resp = self
            .call(Request::build(method).params(params).id(id).finish())
            .await
            .expect("a request gets a response");
        let (rid, body) = resp.into_parts();
        assert_eq!(rid, Id::Number(id));
        body.map_err(|e| serde_json::to_value(e).unwrap())
    }

    /// `textDocument/hover` at `position` (`{"line": …, "character": …}`) of `u`.
    pub async fn hover(&mut self, u: &Uri, position: Value) -> Result<Value, Value> {
        let params = json!({"textDocument": {"uri": u.as_str()}, "position": position});
        self.request("textDocument/hover", params).await
    }

    /// `textDocument/inlayHint` from the start of line `start` to the start of line `end` of `u`.
    pub async fn inlay_hints(&mut self, u: &Uri, start: u32, end: u32) -> Result<Value, Value> {
        let params = json!({"textDocument": {"uri": u.as_str()},
            "range": {"start": {"line": start, "character": 0}, "end": {"line": end, "character": 0}}});
        self.request("textDocument/inlayHint", params).await
    }

    pub async fn notify(&mut self, method: &'static str, params: Value) {
        let r = self
            .call(Request::build(method).params(params).finish())
            .await;
        assert!(r.is_none(), "a notification got a response: {r:?}");
    }

    pub async fn initialize_with(
        &mut self,
        caps: Value,
        root: Option<&Path>,
        options: Value,
    ) -> Value {
        let folders = root.map(|r| json!([{"uri": uri(r).as_str(), "name": "ws"}]));
        let result = self
            .request(
                "initialize",
                json!({"capabilities": caps, "workspaceFolders": folders, "initializationOptions": options}),
            )
            .await
            .expect("initialize ok");
        self.notify("initialized", json!({})).await;
        result
    }

    pub async fn initialize(&mut self, root: Option<&Path>) -> Value {
        self.initialize_with(default_caps(), root, Value::Null)
            .await
    }

    /// Waits for the next server→client message matching `pred`.
    pub async fn wait_for(
        &mut self,
        what: &str,
        mut pred: impl FnMut(&Request) -> bool,
    ) -> Request {
        for r in &self.seen {
            if pred(r) {
                return r.clone();
            }
        }
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        loop {
            let next = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for {what}; seen: {:#?}", self.seen))
                .expect("server closed");
            self.seen.push(next.clone());
            if pred(&next) {
                return next;
            }
        }
    }

    /// Waits for `publishDiagnostics` for `uri` whose params satisfy `pred`; returns the params.
    pub async fn diagnostics(&mut self, uri: &Uri, mut pred: impl FnMut(&Value) -> bool) -> Value {
        let u = uri.as_str().to_string();
        let req = self
            .wait_for(&format!("diagnostics for {u}"), |r| {
                r.method() == "textDocument/publishDiagnostics"
                    && r.params()
                        .is_some_and(|p| p["uri"] == u.as_str() && pred(p))
            })
            .await;
        // consume: later waits look at later messages only
        let idx = self.seen.iter().position(|r| r == &req).unwrap();
        self.seen.drain(..=idx);
        req.params().cloned().unwrap()
    }

    pub async fn open(&mut self, path: &Path, text: &str) -> Uri {
        let u = uri(path);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": u.as_str(), "languageId": "typescript", "version": 1, "text": text}}),
        )
        .await;
        u
    }

    /// `workspace/didChangeWatchedFiles` for one file (`kind`: 1 created, 2 changed, 3 deleted).
    pub async fn changed_on_disk(&mut self, path: &Path, kind: u8) {
        self.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": uri(path).as_str(), "type": kind}]}),
        )
        .await;
    }

    pub async fn close(&mut self, u: &Uri) {
        self.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": u.as_str()}}),
        )
        .await;
    }

    pub async fn change(&mut self, u: &Uri, version: i32, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u.as_str(), "version": version}, "contentChanges": changes}),
        )
        .await;
    }

    pub fn text(&self, u: &Uri) -> Option<(i32, String)> {
        self.backend().document_snapshot(u)
    }
}

/// Applies LSP text edits (utf-16 positions) to `text`, as a client would.
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let index = rlscope_core::LineIndex::new(text);
    let byte_edits: Vec<rlscope_core::Edit> = edits
        .iter()
        .map(|e| {
            let pos = |p: &Value| {
                index.offset(
                    text,
                    rlscope_core::LineCol {
                        line: p["line"].as_u64().unwrap() as u32,
                        col: p["character"].as_u64().unwrap() as u32,
                    },
                    rlscope_core::PositionEncoding::Utf16,
                )
            };
            rlscope_core::Edit {
                range: rlscope_core::TextRange::new(
                    pos(&e["range"]["start"]),
                    pos(&e["range"]["end"]),
                ),
                replacement: e["newText"].as_str().unwrap().to_string(),
            }
        })
        .collect();
    rlscope_core::Edit::apply_all(text, &byte_edits)
}

/// The edits of a code action's workspace edit for `uri` (documentChanges or changes).
pub fn action_edits(action: &Value, uri: &Uri) -> Vec<Value> {
    let edit = &action["edit"];
    if let Some(dc) = edit["documentChanges"].as_array() {
        dc.iter()
            .filter(|d| d["textDocument"]["uri"] == uri.as_str())
            .flat_map(|d| d["edits"].as_array().cloned().unwrap_or_default())
            .collect()
    } else {
        edit["changes"][uri.as_str()]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}
