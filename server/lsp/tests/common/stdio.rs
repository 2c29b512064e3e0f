//! A real JSON-RPC client over the `rlscope lsp` process's stdio, reading whole Content-Length frames.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub use rlscope_testkit::{read_frame, rlscope_bin, write_frame};

pub struct Lsp {
    pub child: Child,
    stdin: Arc<Mutex<Option<ChildStdin>>>,
    rx: Receiver<Value>,
    pub stderr: Arc<Mutex<String>>,
    /// Every message received so far, in order.
    pub seen: Vec<Value>,
    next_id: i64,
    pub settings: Arc<Mutex<Value>>,
}

pub const WAIT: Duration = Duration::from_secs(15);

impl Lsp {
    pub fn spawn() -> Lsp {
        Lsp::spawn_with_env(&[])
    }

    pub fn spawn_with_env(env: &[(&str, &str)]) -> Lsp {
        let mut child = Command::new(rlscope_bin())
            .args(["lsp", "--stdio"])
            .env("RLSCOPE_LOG", "debug")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn rlscope lsp");
        let stdin = Arc::new(Mutex::new(child.stdin.take()));
        let stdout = child.stdout.take().unwrap();
        let stderr_pipe = child.stderr.take().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let err_sink = stderr.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stderr_pipe);
            let mut line = String::new();
            while r.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                err_sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let settings = Arc::new(Mutex::new(json!({})));
        let (tx, rx) = std::sync::mpsc::channel();
        let answer_in = stdin.clone();
        let answers = settings.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(msg) = read_frame(&mut r) {
                // answer the server's requests like an editor would
                if msg.get("method").is_some() && msg.get("id").is_some() {
                    let result = match msg["method"].as_str() {
                        Some("workspace/configuration") => json!([answers.lock().unwrap().clone()]),
                        _ => Value::Null,
                    };
                    let reply = json!({"jsonrpc": "2.0", "id": msg["id"], "result": result});
                    if let Some(w) = answer_in.lock().unwrap().as_mut() {
                        let _ = write_frame(w, &reply);
                    }
                }
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Lsp {
            child,
            stdin,
            rx,
            stderr,
            seen: Vec::new(),
            next_id: 0,
            settings,
        }
    }

    pub fn send_raw(&self, bytes: &[u8]) {
        if let Some(s) = self.stdin.lock().unwrap().as_mut() {
            let _ = s.write_all(bytes);
            let _ = s.flush();
        }
    }

    pub fn send(&self, v: &Value) {
        if let Some(w) = self.stdin.lock().unwrap().as_mut() {
            let _ = write_frame(w, v);
        }
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    pub fn request_async(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Sends a request and waits for its response (the whole response object).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.request_async(method, params);
        self.wait_for(&format!("response to {method}"), |m| {
            m["id"] == id && m.get("method").is_none()
        })
    }

    pub fn wait_for(&mut self, what: &str, mut pred: impl FnMut(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(m) => {
                    self.seen.push(m.clone());
                    if pred(&m) {
                        return m;
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "timed out waiting for {what}\nseen: {:#?}\nstderr:\n{}",
                    self.seen,
                    self.stderr.lock().unwrap()
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "server output closed while waiting for {what}\nstderr:\n{}",
                    self.stderr.lock().unwrap()
                ),
            }
        }
    }

    /// The next `publishDiagnostics` for `uri` satisfying `pred`.
    pub fn diagnostics(&mut self, uri: &str, mut pred: impl FnMut(&Value) -> bool) -> Value {
        let m = self.wait_for(&format!("diagnostics for {uri}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && pred(&m["params"])
        });
        m["params"].clone()
    }

    pub fn close_stdin(&self) {
        // dropping the pipe's write end is EOF for the server
        drop(self.stdin.lock().unwrap().take());
    }

    /// Waits up to `limit` for the process to exit; returns its status code.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status.code().unwrap_or(-1));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        None
    }
}

impl Drop for Lsp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
