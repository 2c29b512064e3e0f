//! A small black-box LSP client over the `rlscope lsp` process's stdio. It keeps every byte the server wrote
//! (stdout and stderr) so tests can search the raw output, and answers the server's own requests like an editor.

use std::io::{BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub struct Client {
    pub child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    /// Every byte of stdout, as sent.
    pub raw_stdout: Arc<Mutex<Vec<u8>>>,
    pub stderr: Arc<Mutex<Vec<u8>>>,
    pub seen: Vec<Value>,
    /// Request id → method, for the requests this client sent.
    pub sent_methods: std::collections::HashMap<i64, String>,
    next_id: i64,
}

/// A reader that copies what it reads into a shared buffer.
struct Tee<R> {
    inner: R,
    copy: Arc<Mutex<Vec<u8>>>,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.copy.lock().unwrap().extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

impl Client {
    /// Spawns `rlscope lsp --stdio` with the given environment.
    pub fn spawn(env: &[(&str, &str)]) -> Client {
        let mut cmd = Command::new(crate::rlscope_bin());
        cmd.args(["lsp", "--stdio"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn rlscope lsp");
        let stdin = child.stdin.take();
        let raw_stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut err_pipe = child.stderr.take().unwrap();
        let err_sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = err_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                err_sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let (tx, rx) = std::sync::mpsc::channel();
        let mut reader = BufReader::new(Tee {
            inner: child.stdout.take().unwrap(),
            copy: raw_stdout.clone(),
        });
        std::thread::spawn(move || {
            while let Some(msg) = read_frame(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            rx,
            raw_stdout,
            stderr,
            seen: Vec::new(),
            sent_methods: Default::default(),
            next_id: 0,
        }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        if let Some(s) = self.stdin.as_mut() {
            let _ = s.write_all(bytes);
            let _ = s.flush();
        }
    }

    pub fn send(&mut self, v: &Value) {
        let body = serde_json::to_vec(v).unwrap();
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(&body);
        self.send_raw(&frame);
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    pub fn request_async(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.sent_methods.insert(id, method.to_string());
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.request_async(method, params);
        self.wait_for(&format!("response to {method}"), |m| {
            m["id"] == id && m.get("method").is_none()
        })
    }

    /// Next message satisfying `pred` (answering the server's requests meanwhile), within `limit`.
    pub fn wait_for_within(
        &mut self,
        what: &str,
        limit: Duration,
        mut pred: impl FnMut(&Value) -> bool,
    ) -> Option<Value> {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(m) => {
                    self.answer(&m);
                    self.seen.push(m.clone());
                    if pred(&m) {
                        return Some(m);
                    }
                }
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => {
                    let _ = what;
                    return None;
                }
            }
        }
    }

    pub fn wait_for(&mut self, what: &str, pred: impl FnMut(&Value) -> bool) -> Value {
        match self.wait_for_within(what, Duration::from_secs(20), pred) {
            Some(v) => v,
            None => panic!(
                "no {what} (server alive: {})\nstderr:\n{}",
                self.alive(),
                String::from_utf8_lossy(&self.stderr.lock().unwrap())
            ),
        }
    }

    /// Collects messages until nothing arrives for `quiet`.
    pub fn drain(&mut self, quiet: Duration) {
        while self.wait_for_within("anything", quiet, |_| true).is_some() {}
    }

    fn answer(&mut self, m: &Value) {
        if m.get("method").is_some() && m.get("id").is_some() {
            let result = match m["method"].as_str() {
                Some("workspace/configuration") => {
                    let n = m["params"]["items"].as_array().map_or(1, Vec::len);
                    Value::Array(vec![json!({}); n])
                }
                _ => Value::Null,
            };
            let reply = json!({"jsonrpc": "2.0", "id": m["id"], "result": result});
            self.send(&reply);
        }
    }

    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn close_stdin(&mut self) {
        self.stdin.take();
    }

    /// Waits up to `limit` for exit; returns the exit code (`-1` for a signal) or `None` if still running.
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

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.raw_stdout.lock().unwrap()).into_owned()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub use rlscope_testkit::read_frame;

/// `file://` URI of an absolute path (ASCII paths; tests use temp dirs).
pub fn uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}
